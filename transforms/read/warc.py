"""WARC archives (CC-NEWS style): each HTML response record becomes a document.

Request, metadata and non-HTML response records are passed over. A record whose block is
shorter than its Content-Length (a clipped download) is a reject; a malformed archive
yields a reject at the point where it breaks, after the records before it.
"""
from __future__ import annotations

from typing import Iterator, NamedTuple

from warcio.archiveiterator import ArchiveIterator

from schemas import Document
from transforms.utils.dates import parse_date
from transforms.utils.ids import canonical_url, is_web_url
from transforms.read.decode import html_payload, looks_binary
from transforms.utils.stage import Rejected, counter, make_reject

HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_RECORD_BYTES = 10 * 1024 * 1024


def _content_type(record) -> tuple[str, str | None]:
    value = record.http_headers.get_header("Content-Type", "") if record.http_headers else ""
    media = value.split(";", 1)[0].strip().lower()
    charset = None
    for part in value.split(";")[1:]:
        key, _, val = part.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'") or None
    return media, charset


class WarcPart(NamedTuple):
    """A run of records of one archive, read as a unit of its own (see warc_parts)."""
    path: str
    start: int  # offset of its first record
    count: int | None  # records in it; None for the rest of the file
    before: int  # records earlier in the file
    size: int  # bytes it holds once read (its span of the file, times the expansion of a compressed one)


def warc_parts(stream, max_bytes: int) -> list[tuple[int, int | None, int]]:
    """Splits an archive at record boundaries into parts of about `max_bytes` (compressed):
    (start offset, records in the part or None for the rest, records before the part). One
    part when the archive cannot be split: a gzip stream that is not one member per record, say."""
    starts = [(0, 0)]
    try:
        iterator = ArchiveIterator(stream)
        for number, _ in enumerate(iterator):
            offset = iterator.get_record_offset()
            if offset - starts[-1][0] >= max_bytes:
                starts.append((offset, number))
        for offset, _ in starts[1:]:
            stream.seek(offset)
            next(iter(ArchiveIterator(stream)))  # a record must begin at each cut
    except Exception:  # noqa: BLE001 - not splittable: read whole, where the reader reports what is wrong
        return [(0, None, 0)]
    counts = [after - before for (_, before), (_, after) in zip(starts, starts[1:])] + [None]
    return [(start, count, before) for (start, before), count in zip(starts, counts)]


def read_warc(stream, base: Document, start: int = 0, count: int | None = None, before: int = 0) -> Iterator:
    """Documents of the `count` records from offset `start` (a part, see warc_parts); `before`
    records come earlier in the file, so record numbers stay the file's."""
    number = before
    if start:
        stream.seek(start)
    try:
        for record in ArchiveIterator(stream):
            if count is not None and number - before >= count:
                break
            number += 1
            if record.format != "warc" or not record.rec_type:
                # warcio reads anything that is not WARC as the older ARC format, and a header
                # block without WARC-Type as a record of no type: here, both mean garbage.
                raise Rejected("bad_warc", f"record {number} is not a WARC record")
            if record.rec_type != "response":
                continue
            target = record.rec_headers.get_header("WARC-Target-URI") or ""
            bad_target = (("bad_warc", f"response record {number} has no WARC-Target-URI") if not target else
                          ("bad_url", f"WARC-Target-URI {target[:200]!r} is not an http or https URL")
                          if not is_web_url(target) else None)
            if bad_target:
                yield make_reject("read", *bad_target, url=f"{base.url}#record={number}", source="warc",
                                  fetched_at=base.fetched_at, input=base.input, record_number=number)
                continue
            media, charset = _content_type(record)
            if media not in HTML_TYPES:
                counter("read.warc_non_html").inc()
                continue
            doc = base.replace(url=canonical_url(target) or f"{base.url}#record={number}", source="warc",
                               record_number=number, content_type="text/html")
            captured = parse_date(record.rec_headers.get_header("WARC-Date"))
            if captured:
                doc.fetched_at = captured
            try:
                status = record.http_headers.get_statuscode()  # an HTML type came from these headers
                if status and not status.startswith("2"):
                    raise Rejected("http_status", f"archived response has HTTP status {status}")
                body = record.content_stream().read(MAX_RECORD_BYTES + 1)
                if len(body) > MAX_RECORD_BYTES:
                    raise Rejected("too_large", f"record body over {MAX_RECORD_BYTES} bytes")
                missing = getattr(record.raw_stream, "limit", 0)  # no limit: no Content-Length to fall short of
                if missing > 0:
                    raise Rejected("warc_truncated", f"record is {missing} bytes shorter than its Content-Length")
                if looks_binary(body):
                    raise Rejected("binary_input", "response body is binary, not HTML")
                if not body.strip():
                    raise Rejected("empty_input", "response body is empty")
            except Rejected as rej:
                yield make_reject("read", rej.reason, rej.detail, url=doc.url, source="warc",
                                  fetched_at=doc.fetched_at, input=base.input, record_number=number)
                continue
            doc.content = html_payload(body, charset)
            yield doc
        if number == 0 and not start:
            raise Rejected("bad_warc", "no WARC records in the file")
    except Rejected:
        raise
    except Exception as exc:  # noqa: BLE001 - warcio raises many kinds of errors on broken archives
        yield make_reject("read", "bad_warc", f"archive unreadable after record {number}: {type(exc).__name__}: {exc}",
                          url=f"{base.url}#record={number + 1}", source="warc", fetched_at=base.fetched_at,
                          input=base.input, record_number=number + 1)
