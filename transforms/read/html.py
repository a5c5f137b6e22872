"""HTML pages read from files: the bytes go to extraction, which handles their charset."""
from __future__ import annotations

from typing import Iterator

from schemas import Document
from transforms.read.decode import looks_binary
from transforms.utils.stage import Rejected


def read_html(data: bytes, doc: Document) -> Iterator[Document]:
    if not data.strip():
        raise Rejected("empty_input", "the input is empty")
    if looks_binary(data):
        raise Rejected("binary_input", "the input is binary, not HTML")
    doc.content = data
    doc.content_type = "text/html"
    yield doc
