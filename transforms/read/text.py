"""Plain-text articles: one file, one article, with an optional date header on the first line."""
from __future__ import annotations

import re
from typing import Iterator

from schemas import Document
from transforms.read.decode import decode_text

# " date 2022-02-24 With the support..." : the header may share its line with the first sentence.
_HEADER = re.compile(r"\A\s*date:?[ \t]+(\d{4}-\d{2}-\d{2})(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?[ \t]*\n?", re.I)
_TERMINAL = re.compile(r"[.!?…:;\"'”’»)]\s*$")


def split_header(text: str) -> tuple[str | None, str]:
    """Returns (date string or None, text without the header)."""
    m = _HEADER.match(text)
    if not m:
        return None, text
    return m.group(1), text[m.end():]


def guess_title(text: str) -> str | None:
    """A short first line set off by a blank line and not ending like a sentence is a headline."""
    first, sep, rest = text.lstrip().partition("\n")
    first = first.strip()
    if sep and rest.startswith("\n") and 10 <= len(first) <= 200 and not _TERMINAL.search(first):
        return first
    return None


def read_text(data: bytes, doc: Document) -> Iterator[Document]:
    text = decode_text(data)
    header_date, text = split_header(text)
    if header_date:
        doc.date_hints["header"] = header_date
    doc.title = guess_title(text)
    doc.text = text
    yield doc
