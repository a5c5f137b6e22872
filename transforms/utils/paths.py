"""Paths on any Beam filesystem: local ones (a plain path or a file:// URI) and the rest (gs://, s3://)."""
from __future__ import annotations


def is_local(path: str) -> bool:
    return "://" not in path.removeprefix("file://")


def local_path(path: str) -> str:
    """A local path or file:// URI as a path the os module takes."""
    return path.removeprefix("file://")
