"""WARC archives (transforms/read/warc.py): HTML responses become documents; truncated and malformed
records become rejects; an archive splits at record boundaries."""
import gzip
import io

import pytest
from warcio.warcwriter import WARCWriter

from schemas import Document, Reject
from tests.conftest import SHARED, make_warc, run_cli
from tests.conftest import WARC_PAGE as PAGE
from tests.conftest import warc_record as record
from transforms.read import read_path


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
    assert "balance: read = articles + duplicates + rejects + skipped: ok" in result.stdout


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
