"""JSON Lines: one article per line with url, title, text or html, published, authors.

Unknown fields are ignored. A line that is not a JSON object with text or html is a reject
carrying the line itself, so it can be fixed and fed again.
"""
from __future__ import annotations

import json
from typing import Iterable, Iterator

from schemas import Document
from transforms.utils.ids import canonical_url
from transforms.utils.stage import Rejected, make_reject


def _authors(value) -> list[str]:
    if isinstance(value, str):
        value = value.replace(" and ", ";").split(";")
    if not isinstance(value, list):
        return []
    names = [(a.get("name") if isinstance(a, dict) else a) for a in value]
    return [n.strip() for n in names if isinstance(n, str) and n.strip()]


def parse_record(line: str, base: Document) -> Document:
    try:
        rec = json.loads(line)
    except json.JSONDecodeError as exc:
        raise Rejected("bad_json", f"{exc.msg} at column {exc.colno}") from None
    if not isinstance(rec, dict):
        raise Rejected("bad_record", f"expected a JSON object, got {type(rec).__name__}")
    text, html = rec.get("text"), rec.get("html")
    if not (isinstance(text, str) and text.strip()) and not (isinstance(html, str) and html.strip()):
        raise Rejected("no_content", "the record has neither text nor html")
    doc = base.replace(date_hints={}, authors=[])
    url = rec.get("url")
    if isinstance(url, str) and url.strip():
        doc.url = canonical_url(url)
    if isinstance(html, str) and html.strip():
        doc.content, doc.content_type = html, "text/html"
    else:
        doc.text = text
    doc.title = rec.get("title") if isinstance(rec.get("title"), str) else None
    doc.authors = _authors(rec.get("authors"))
    if rec.get("published"):
        doc.date_hints["input"] = rec.get("published")
    return doc


def read_jsonl(lines: Iterable[bytes], base: Document) -> Iterator:
    """Yields a Document or a Reject per non-blank line; `base` carries the file's url and time."""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        line_doc = base.replace(record_number=number, url=f"{base.url}#line={number}")
        try:
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise Rejected("undecodable", f"line is not valid UTF-8 at byte {exc.start}") from None
            yield parse_record(line, line_doc)
        except Rejected as rej:
            yield make_reject("read", rej.reason, rej.detail, url=line_doc.url, source="jsonl",
                              fetched_at=base.fetched_at, input=base.input, record_number=number, payload=raw)
