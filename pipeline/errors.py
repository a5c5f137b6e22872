"""Errors the command reports as one line on stderr with exit code 2."""


class UsageError(Exception):
    """The user's mistake (bad flag, missing path, unwritable output)."""
