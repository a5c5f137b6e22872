"""JSON Lines: one article per line with url, title, text or html, published, authors and,
optionally, is_accessible_for_free (true/false; a page given as html may say it itself, and wins).

Unknown fields are ignored. A line that is not a JSON object with text or html is a reject
carrying the line itself, so it can be fixed and fed again.
"""
from __future__ import annotations

import json
from typing import Iterator

from schemas import Document
from transforms.utils.ids import canonical_url, is_web_url
from transforms.utils.stage import Rejected, make_reject


def _authors(value) -> list[str]:
    if isinstance(value, str):
        value = value.replace(" and ", ";").split(";")
    if not isinstance(value, list):
        return []
    names = [(a.get("name") if isinstance(a, dict) else a) for a in value]
    return [n.strip() for n in names if isinstance(n, str) and n.strip()]


def _flag(value) -> bool | None:
    """A boolean, or "true"/"false" in any case; anything else is unsaid (None)."""
    if isinstance(value, bool):
        return value
    return {"true": True, "false": False}.get(value.strip().lower()) if isinstance(value, str) else None


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
    if isinstance(url, str) and not url.strip():
        url = None  # blank: no URL, as when the field is missing
    if url is not None and not (isinstance(url, str) and is_web_url(url.strip())):
        raise Rejected("bad_url", f"url {str(url)[:200]!r} is not an http or https URL")
    if url:
        doc.url = canonical_url(url)
    if isinstance(html, str) and html.strip():
        doc.content, doc.content_type = html, "text/html"
    else:
        doc.text = text
    doc.title = rec.get("title") if isinstance(rec.get("title"), str) else None
    doc.authors = _authors(rec.get("authors"))
    doc.is_accessible_for_free = _flag(rec.get("is_accessible_for_free"))
    if rec.get("published"):
        doc.date_hints["input"] = rec.get("published")
    return doc


# A longer line is rejected without being held: a record is a page at most (10 MB of HTML),
# escaped in JSON. Parsed, a line can cost several times its size.
MAX_LINE_BYTES = 16 << 20
TOO_LONG = object()


def bounded_lines(stream, limit: int = MAX_LINE_BYTES) -> Iterator:
    """The lines of a binary stream, each held only up to `limit` bytes: a longer one is read
    past in pieces and given as TOO_LONG."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = stream.readline(1 << 20)
            yield TOO_LONG
        else:
            yield line


def read_jsonl(stream, base: Document) -> Iterator:
    """Yields a Document or a Reject per non-blank line of a binary stream; `base` carries the
    file's url and time."""
    for number, raw in enumerate(bounded_lines(stream), start=1):
        line_doc = base.replace(record_number=number, url=f"{base.url}#line={number}")
        if raw is TOO_LONG:
            yield make_reject("read", "too_large", f"line over {MAX_LINE_BYTES} bytes", url=line_doc.url,
                              source="jsonl", fetched_at=base.fetched_at, input=base.input, record_number=number)
            continue
        if not raw.strip():
            continue
        try:
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise Rejected("undecodable", f"line is not valid UTF-8 at byte {exc.start}") from None
            yield parse_record(line, line_doc)
        except Rejected as rej:
            yield make_reject("read", rej.reason, rej.detail, url=line_doc.url, source="jsonl",
                              fetched_at=base.fetched_at, input=base.input, record_number=number, payload=raw)
