"""WARC archives (transforms/read/warc.py): HTML responses become documents; truncated and malformed
records become rejects; an archive splits at record boundaries."""
import gzip
import io
import os
from datetime import datetime, timezone

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.summary import counters
from schemas import Document, Reject
from tests.conftest import SHARED, make_warc, pipeline_options, run_cli
from tests.conftest import WARC_PAGE as PAGE
from tests.conftest import warc_record as record
from transforms.read import read_path
from transforms.read.files import ReadFileFn
from transforms.read.warc import MAX_RECORD_BYTES
from transforms.utils.stage import REJECTS


def test_html_responses_become_documents(tmp_path):
    items = list(read_path(str(make_warc(tmp_path / "a.warc.gz"))))
    docs = [i for i in items if isinstance(i, Document)]
    rejects = [i for i in items if isinstance(i, Reject)]
    assert [d.url for d in docs] == ["https://news.example.com/2024/02/03/harbour", "https://news.example.com/latin"]
    assert docs[0].source == "warc" and docs[0].fetched_at.isoformat() == "2024-02-03T04:05:06+00:00"
    assert isinstance(docs[1].content, str) and "pêche" in docs[1].content
    assert [(r.reason, r.url) for r in rejects] == [("http_status", "https://news.example.com/missing")]


def test_truncated_and_malformed_archives(tmp_path):
    items = list(read_path(str(make_warc(tmp_path / "b.warc.gz", truncate_last=True))))
    assert [(type(i).__name__, getattr(i, "reason", None)) for i in items][-1] == ("Reject", "warc_truncated")
    assert sum(isinstance(i, Document) for i in items) == 2
    junk = tmp_path / "junk.warc"
    junk.write_bytes(b"this is not an archive at all")
    [rej] = read_path(str(junk))
    assert (rej.stage, rej.reason) == ("read", "bad_warc")
    # A WARC version line followed by garbage: warcio reads a record with no WARC-Type.
    headless = tmp_path / "headless.warc"
    headless.write_bytes(b"WARC/1.0\r\ngarbage")
    [rej] = read_path(str(headless))
    assert (rej.stage, rej.reason) == ("read", "bad_warc")


def test_warc_end_to_end(tmp_path):
    out = tmp_path / "out"
    result = run_cli("run", "--input", make_warc(tmp_path / "c.warc.gz"), "--output", out, "-q")
    assert result.returncode == 0, result.stderr
    assert "articles written: 2" in result.stdout and "rejects: 1" in result.stdout
    assert "balance: read = articles + duplicates + rejects + skipped + filtered: ok" in result.stdout


@pytest.mark.parametrize("name,docs,rejects", [
    ("fundus-news.warc.gz", 59, 0), ("resiliparse__clipped.warc.gz", 0, 1),
    ("resiliparse__warcfile-ccmain-2020-34.warc.gz", 16, 0)])
def test_real_archives(name, docs, rejects):
    path = SHARED / "eval" / "warc" / name
    if not path.is_file():
        pytest.skip("../shared/eval/warc is not present (clean clone)")
    items = list(read_path(str(path)))
    assert (sum(isinstance(i, Document) for i in items), sum(isinstance(i, Reject) for i in items)) == (docs, rejects)


def _summary(items):
    return [(type(i).__name__, i.url, i.record_number, getattr(i, "reason", None)) for i in items]


def test_an_archive_splits_at_record_boundaries_and_parts_read_as_the_whole(tmp_path):
    from transforms.read.warc import warc_parts
    path = make_warc(tmp_path / "a.warc.gz", truncate_last=True)
    with open(path, "rb") as f:
        parts = warc_parts(f, 1)  # a cut at every record
    assert [(count, before) for _, count, before in parts] == [(1, 0), (1, 1), (1, 2), (1, 3), (1, 4), (None, 5)]
    whole = _summary(read_path(str(path)))
    assert sum((_summary(read_path(str(path), part)) for part in parts), []) == whole
    with open(path, "rb") as f:
        assert len(warc_parts(f, 10**9)) == 1


def test_a_gzip_archive_that_is_one_stream_is_read_whole(tmp_path):
    from transforms.read.warc import warc_parts
    plain = tmp_path / "a.warc"
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=False)
    for n in range(3):
        record(writer, f"https://news.example.com/{n}", PAGE.encode())
    (tmp_path / "one.warc.gz").write_bytes(gzip.compress(buf.getvalue()))  # not a gzip member per record
    plain.write_bytes(buf.getvalue())
    with open(tmp_path / "one.warc.gz", "rb") as f:
        assert warc_parts(f, 1) == [(0, None, 0)]
    with open(plain, "rb") as f:
        assert len(warc_parts(f, 1)) == 3  # uncompressed archives split too


def test_a_target_uri_that_is_not_a_web_url_is_a_reject(tmp_path):
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    record(writer, "javascript:alert(1)", PAGE.encode())
    record(writer, "https://news.example.com/ok", PAGE.encode())
    path = tmp_path / "odd.warc.gz"
    path.write_bytes(buf.getvalue())
    items = list(read_path(str(path)))
    assert [(type(i).__name__, getattr(i, "reason", None), i.url) for i in items] == [
        ("Reject", "bad_url", path.as_uri() + "#record=1"), ("Document", None, "https://news.example.com/ok")]


# --- What a reader of the output sees, record by record -------------------------------------------

FILE_TIME = datetime(2021, 5, 6, 7, 8, 9, tzinfo=timezone.utc)  # the archive's mtime, set on every file below


def _archive(path, *records, gzip=True):
    """An archive of `records` (each writes itself with a WARCWriter), dated FILE_TIME."""
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gzip)
    for write in records:
        write(writer)
    path.write_bytes(buf.getvalue())
    os.utime(path, (FILE_TIME.timestamp(), FILE_TIME.timestamp()))
    return path


def _html(uri, body=PAGE, **kw):
    return lambda writer: record(writer, uri, body.encode() if isinstance(body, str) else body, **kw)


def _raw(block: bytes, content_length=True, clip=0, **headers):
    """A response record written byte by byte, for what WARCWriter will not write: an empty
    WARC-Target-URI, no Content-Length, a block `clip` bytes shorter than its Content-Length (a stopped download)."""
    head = {"WARC-Type": "response", "WARC-Record-ID": "<urn:uuid:00000000-0000-0000-0000-000000000001>",
            "WARC-Date": "2024-02-03T04:05:06Z", **{k.replace("_", "-"): v for k, v in headers.items()}}
    if content_length:
        head["Content-Length"] = str(len(block))
    data = "".join(f"{k}: {v}\r\n" for k, v in head.items()).encode()
    data = b"WARC/1.0\r\n" + data + b"\r\n" + block + b"\r\n\r\n"
    data = data[:len(data) - 4 - clip] if clip else data
    return lambda writer: writer.out.write(gzip.compress(data) if writer.gzip else data)


def _http(body=PAGE, headers=("Content-Type: text/html; charset=utf-8",)):
    return b"HTTP/1.1 200 OK\r\n" + b"".join(h.encode() + b"\r\n" for h in headers) + b"\r\n" + body.encode()


@pytest.mark.parametrize("name", ["mixed.warc.gz", "mixed.warc"])
def test_each_html_response_is_a_document_numbered_by_its_place_in_the_file(tmp_path, name):
    """Record numbers count every record (so a reject or a document can be found again in the file);
    each document is dated by its own capture, and XHTML and parameterised HTML types are HTML."""
    revisit_headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    path = _archive(
        tmp_path / name,
        lambda w: w.write_record(w.create_warcinfo_record("mixed.warc.gz", {"software": "test"})),
        lambda w: w.write_record(w.create_warc_record(
            "https://news.example.com/a", "request", payload=io.BytesIO(b"GET /a HTTP/1.1\r\nHost: news.example.com\r\n\r\n"))),
        _html("https://news.example.com/a", date="2023-01-02T03:04:05Z"),
        lambda w: w.write_record(w.create_warc_record(
            "https://news.example.com/a", "metadata", payload=io.BytesIO(b"fetchTimeMs: 12\r\n"),
            warc_content_type="application/warc-fields")),
        lambda w: w.write_record(w.create_revisit_record(
            "https://news.example.com/a", "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "https://news.example.com/a",
            "2023-01-02T03:04:05Z", http_headers=revisit_headers)),
        _html("https://news.example.com/b", content_type="application/xhtml+xml; charset=utf-8",
              date="2023-02-03T04:05:06Z"),
        _html("https://news.example.com/logo.png", b"\x89PNG\r\n\x1a\n", content_type="image/png"),
        _html("https://news.example.com/c", content_type="Text/HTML; charset=utf-8; format=flowed",
              date="2023-03-04T05:06:07Z"),
        gzip=name.endswith(".gz"))
    items = list(read_path(str(path)))
    assert all(isinstance(i, Document) for i in items)  # requests, metadata, revisits and images are passed over
    assert [(d.url, d.record_number, d.content_type, d.source, d.fetched_at.isoformat(), d.content) for d in items] == [
        ("https://news.example.com/a", 3, "text/html", "warc", "2023-01-02T03:04:05+00:00", PAGE),
        ("https://news.example.com/b", 6, "text/html", "warc", "2023-02-03T04:05:06+00:00", PAGE),
        ("https://news.example.com/c", 8, "text/html", "warc", "2023-03-04T05:06:07+00:00", PAGE)]


@pytest.mark.parametrize("content_type,body", [
    ("text/html;charset=iso-8859-1", PAGE.replace("fishing", "pêche").encode("latin-1")),  # no space after ';'
    ('text/html; charset="iso-8859-1"', PAGE.replace("fishing", "pêche").encode("utf-8")),  # quoted, UTF-8 mislabelled
])
def test_the_declared_charset_decodes_the_page(tmp_path, content_type, body):
    """A charset however the server wrote it: Latin-1 read as Latin-1, and UTF-8 labelled Latin-1 read as UTF-8."""
    path = _archive(tmp_path / "charset.warc.gz", _html("https://news.example.com/latin", body, content_type=content_type))
    [doc] = read_path(str(path))
    assert doc.content == PAGE.replace("fishing", "pêche")


def test_responses_with_no_content_type_or_no_block_are_passed_over_and_reading_goes_on(tmp_path):
    """Neither is an HTML page nor a broken archive: no outcome for them, and the next record is read."""
    path = _archive(tmp_path / "bare.warc", _raw(_http(PAGE, ["Server: x"]), WARC_Target_URI="https://news.example.com/x"),
                    _raw(b"", WARC_Target_URI="https://news.example.com/empty"),
                    _html("https://news.example.com/ok"), gzip=False)
    assert _summary(read_path(str(path))) == [("Document", "https://news.example.com/ok", 3, None)]


def test_responses_without_a_web_target_uri_are_rejects_numbered_in_the_file(tmp_path):
    """No target, or one that is not http(s): there is no URL to name the reject by, so it is named
    after the file and the record (and dated by the file); the next record is read."""
    path = _archive(tmp_path / "targets.warc.gz", _raw(_http(), WARC_Target_URI=""),
                    _html("javascript:alert(1)"), _html("https://news.example.com/ok"))
    items = list(read_path(str(path)))
    assert [(type(i).__name__, i.url, i.record_number, getattr(i, "reason", None)) for i in items] == [
        ("Reject", path.as_uri() + "#record=1", 1, "bad_warc"), ("Reject", path.as_uri() + "#record=2", 2, "bad_url"),
        ("Document", "https://news.example.com/ok", 3, None)]
    for rej in items[:2]:
        assert (rej.stage, rej.source, rej.input, rej.fetched_at) == ("read", "warc", str(path), FILE_TIME)
    assert "record 1" in items[0].error and "javascript:alert(1)" in items[1].error


def test_a_failed_http_response_is_a_reject_of_its_url_dated_by_its_capture(tmp_path):
    path = _archive(tmp_path / "status.warc.gz", _html("https://news.example.com/ok"),
                    _html("https://news.example.com/gone", status="404 Not Found", date="2023-04-05T06:07:08Z"))
    _, rej = read_path(str(path))
    assert (rej.stage, rej.reason, rej.url, rej.record_number, rej.source, rej.input) == (
        "read", "http_status", "https://news.example.com/gone", 2, "warc", str(path))
    assert rej.fetched_at == datetime(2023, 4, 5, 6, 7, 8, tzinfo=timezone.utc)
    assert "404" in rej.error


def test_a_body_of_the_size_cap_is_read_and_one_byte_more_is_too_large(tmp_path):
    """The cap is inclusive: a page of exactly MAX_RECORD_BYTES is a document."""
    def page(size):
        head, tail = b"<html><body><p>", b"</p></body></html>"
        return head + b"a" * (size - len(head) - len(tail)) + tail
    path = _archive(tmp_path / "big.warc", _html("https://news.example.com/at-cap", page(MAX_RECORD_BYTES)),
                    _html("https://news.example.com/over-cap", page(MAX_RECORD_BYTES + 1)), gzip=False)
    doc, rej = read_path(str(path))
    assert (doc.url, len(doc.content)) == ("https://news.example.com/at-cap", MAX_RECORD_BYTES)
    assert (type(rej).__name__, rej.reason, rej.url, rej.record_number) == (
        "Reject", "too_large", "https://news.example.com/over-cap", 2)
    assert str(MAX_RECORD_BYTES) in rej.error


@pytest.mark.parametrize("name", ["clipped.warc.gz", "clipped.warc"])
def test_a_last_record_one_byte_short_of_its_content_length_is_truncated(tmp_path, name):
    path = _archive(tmp_path / name, _html("https://news.example.com/ok"),
                    _raw(_http(), clip=1, WARC_Target_URI="https://news.example.com/clipped"), gzip=name.endswith(".gz"))
    doc, rej = read_path(str(path))
    assert doc.url == "https://news.example.com/ok"
    assert (rej.reason, rej.url, rej.record_number) == ("warc_truncated", "https://news.example.com/clipped", 2)
    assert "1 bytes shorter" in rej.error  # how much is missing


def test_a_last_record_without_content_length_is_read_to_the_end_of_the_archive(tmp_path):
    """Without a Content-Length nothing says the record is short: it is a document, not a truncation."""
    path = _archive(tmp_path / "nolength.warc", _html("https://news.example.com/ok"),
                    _raw(_http(), content_length=False,
                         WARC_Target_URI="https://news.example.com/open-ended"), gzip=False)
    assert _summary(read_path(str(path))) == [("Document", "https://news.example.com/ok", 1, None),
                                                 ("Document", "https://news.example.com/open-ended", 2, None)]


def test_binary_and_blank_bodies_labelled_html_are_rejects_that_say_so(tmp_path):
    path = _archive(tmp_path / "bodies.warc.gz", _html("https://news.example.com/image", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
                    _html("https://news.example.com/blank", b" \r\n\t "), _html("https://news.example.com/ok"))
    binary, blank, doc = read_path(str(path))
    assert [(r.reason, r.url, r.record_number) for r in (binary, blank)] == [
        ("binary_input", "https://news.example.com/image", 1), ("empty_input", "https://news.example.com/blank", 2)]
    # the error says it in words, not only the reason's code again
    assert "binary" in binary.error and binary.error != binary.reason
    assert "empty" in blank.error and blank.error != blank.reason
    assert doc.url == "https://news.example.com/ok"


@pytest.mark.parametrize("name", ["empty.warc", "empty.warc.gz"])
def test_an_empty_archive_is_one_bad_warc_reject(tmp_path, name):
    path = _archive(tmp_path / name)
    [rej] = read_path(str(path))
    assert (rej.stage, rej.reason, rej.source) == ("read", "bad_warc", "warc")
    assert "no WARC records" in rej.error


@pytest.mark.parametrize("name", ["broken.warc.gz", "broken.warc"])
def test_an_archive_that_breaks_after_good_records_gives_them_then_one_reject_where_it_breaks(tmp_path, name):
    path = _archive(tmp_path / name, _html("https://news.example.com/1"), _html("https://news.example.com/2"),
                    lambda w: w.out.write(b"garbage where a record should begin\r\n\r\n"), gzip=name.endswith(".gz"))
    items = list(read_path(str(path)))
    assert [(type(i).__name__, i.url, i.record_number) for i in items] == [
        ("Document", "https://news.example.com/1", 1), ("Document", "https://news.example.com/2", 2),
        ("Reject", path.as_uri() + "#record=3", 3)]
    rej = items[-1]
    assert (rej.stage, rej.reason, rej.source, rej.input, rej.fetched_at) == (
        "read", "bad_warc", "warc", str(path), FILE_TIME)
    # where it broke, and what warcio found there
    assert "after record 2" in rej.error and "ArchiveLoadFailed" in rej.error and "garbage" in rej.error


def test_an_arc_file_is_not_read_as_warc(tmp_path):
    """warcio reads the older ARC format too; an ARC file's responses would pass for WARC records."""
    response = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + PAGE.encode()
    header = b"1 1 InternetArchive\nURL IP-address Archive-date Content-type Archive-length\n"
    arc = (b"filedesc://x.arc 0.0.0.0 20240101000000 text/plain %d\n" % len(header) + header + b"\n"
           b"http://news.example.com/a 1.2.3.4 20240101000000 text/html %d\n" % len(response) + response + b"\n")
    path = tmp_path / "old.warc"
    path.write_bytes(arc)
    [rej] = read_path(str(path))
    assert (rej.stage, rej.reason) == ("read", "bad_warc")
    assert "record 1" in rej.error


def test_records_passed_over_are_counted_in_the_run_metrics(tmp_path):
    """Non-HTML responses leave no document and no reject; the run's counters are where they show."""
    path = _archive(tmp_path / "count.warc.gz", _html("https://news.example.com/logo.png", b"\x89PNG", content_type="image/png"),
                    _html("https://news.example.com/style.css", b"p {}", content_type="text/css"),
                    _html("https://news.example.com/ok"), _html("https://news.example.com/gone", status="404 Not Found"))
    p = beam.Pipeline(options=PipelineOptions(pipeline_options()))
    _ = p | beam.Create([str(path)]) | beam.ParDo(ReadFileFn()).with_outputs(REJECTS, main="documents")
    result = p.run()
    result.wait_until_finish()
    found = counters(result)
    assert (found["read.warc_non_html"], found["read.records"], found["rejects.read.http_status"]) == (2, 2, 1)


# --- Parts of an archive ------------------------------------------------------------------------------

def test_a_part_is_cut_once_it_holds_the_byte_budget(tmp_path):
    """Records of one size S: a budget of S puts one record in each part, S + 1 two; the parts read as the whole."""
    from transforms.read.warc import warc_parts
    path = _archive(tmp_path / "even.warc", *(_html(f"https://news.example.com/{n}") for n in range(5)), gzip=False)
    size, rest = divmod(path.stat().st_size, 5)
    assert rest == 0  # the records are the same size
    with open(path, "rb") as f:
        assert warc_parts(f, size) == [(0, 1, 0), (size, 1, 1), (2 * size, 1, 2), (3 * size, 1, 3), (4 * size, None, 4)]
    with open(path, "rb") as f:
        parts = warc_parts(f, size + 1)
    assert parts == [(0, 2, 0), (2 * size, 2, 2), (4 * size, None, 4)]
    assert sum((_summary(read_path(str(path), part)) for part in parts), []) == _summary(read_path(str(path)))


def test_a_gzip_archive_of_two_records_in_one_stream_is_not_cut(tmp_path):
    """The one cut such an archive would get does not fall on a gzip member: it is read whole."""
    from transforms.read.warc import warc_parts
    path = _archive(tmp_path / "two.warc", _html("https://news.example.com/1"), _html("https://news.example.com/2"),
                    gzip=False)
    (tmp_path / "two.warc.gz").write_bytes(gzip.compress(path.read_bytes()))
    with open(tmp_path / "two.warc.gz", "rb") as f:
        assert warc_parts(f, 1) == [(0, None, 0)]
