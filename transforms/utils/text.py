"""Metadata as plain text: what downstream readers put into pages must not carry markup or
control characters."""
from __future__ import annotations

import html
import re

# Tags and comments (a '<' followed by a letter, '/' or '!'), not a lone '<' in prose ("a < b").
_MARKUP = re.compile(r"<(?:!--.*?--|[A-Za-z/!][^<>]*)>", re.S)
# C0 and C1 control characters, line breaks and tabs included: one line of text holds none.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_SPACES = re.compile(r" {2,}")


def plain_line(value: str | None) -> str | None:
    """`value` without markup and control characters (each replaced by a space); a value that
    has neither is returned as it is, its own spacing kept. None or nothing left: None."""
    if value is None:
        return None
    if not (_MARKUP.search(value) or _CONTROL.search(value)):
        return value
    cleaned = _SPACES.sub(" ", _CONTROL.sub(" ", _MARKUP.sub(" ", value))).strip()
    return cleaned or None


_BREAK_TAG = re.compile(r"<(?:br|p|div|li)\b[^>]*>", re.I)


def html_line(value: str) -> str | None:
    """A line of HTML (a feed's HTML title) as text: tags gone, entity references read, spaces
    collapsed. None when nothing is left."""
    text = html.unescape(_MARKUP.sub("", _BREAK_TAG.sub(" ", value)))
    return " ".join(text.split()) or None
