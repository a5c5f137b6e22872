"""WARC archives: HTML responses become documents; truncated and malformed records become rejects."""
import gzip
import io

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from schemas import Document, Reject
from tests.conftest import SHARED, run_cli
from transforms.read import read_path

PAGE = ("<html><head><title>Harbour reopens</title></head><body><article><h1>Harbour reopens</h1>"
        "<p>The old harbour reopened to fishing boats on Monday after the dredging work was finished.</p>"
        "<p>Fishermen said the deeper channel would let larger boats land their catch in town again.</p>"
        "</article></body></html>")


def record(writer, uri, body: bytes, content_type="text/html; charset=utf-8", status="200 OK", date="2024-02-03T04:05:06Z"):
    http = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    rec = writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=http,
                                    warc_headers_dict={"WARC-Date": date})
    writer.write_record(rec)


def make_warc(path, truncate_last=False):
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    writer.write_record(writer.create_warcinfo_record("x.warc.gz", {"software": "test"}))
    record(writer, "https://news.example.com/2024/02/03/harbour?utm_source=x", PAGE.encode())
    record(writer, "https://news.example.com/logo.png", b"\x89PNG....", content_type="image/png")
    record(writer, "https://news.example.com/missing", b"<p>gone</p>", status="404 Not Found")
    record(writer, "https://news.example.com/latin", PAGE.replace("fishing", "pêche").encode("latin-1"),
           content_type="text/html; charset=iso-8859-1")
    data = buf.getvalue()
    if truncate_last:
        # Rewrite the last record uncompressed and cut: a download that stopped midway.
        tail = io.BytesIO()
        w2 = WARCWriter(tail, gzip=False)
        record(w2, "https://news.example.com/clipped", PAGE.encode() * 5)
        data += gzip.compress(tail.getvalue()[:-400])
    path.write_bytes(data)
    return path


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


def test_a_large_archive_spans_batches_with_the_same_output(tmp_path):
    import duckdb
    path = make_warc(tmp_path / "a.warc.gz", truncate_last=True)
    outs = {}
    for name, extra in (("whole", []), ("parts", ["--batch-mb", "0.000001"])):
        out = tmp_path / name
        result = run_cli("run", "--input", path, "--output", out, *extra)
        assert result.returncode == 0, result.stderr
        assert "balance: read = articles + duplicates + rejects + skipped: ok" in result.stdout
        assert "(1 files," in result.stdout
        outs[name] = sorted(duckdb.sql(f"select url, reason, record_number from read_parquet('{out}/rejects/*/*.parquet')")
                            .fetchall() + duckdb.sql(f"select url, title, null, null from read_parquet('{out}/articles/*/*.parquet')")
                            .fetchall(), key=str)
        if extra:
            assert "archive parts" in result.stderr
    assert outs["parts"] == outs["whole"]


def test_the_records_of_one_archive_are_spread_over_the_workers(tmp_path):
    """A file is read by one worker; its records must not all be extracted by that worker."""
    import os

    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions
    from apache_beam.testing.util import assert_that, equal_to

    from transforms.read import ReadInputs

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    for n in range(12):
        record(writer, f"https://news.example.com/story-{n}", PAGE.replace("Monday", f"day {n}").encode())
    archive = tmp_path / "many.warc.gz"
    archive.write_bytes(buf.getvalue())
    options = PipelineOptions(["--direct_running_mode=multi_processing", "--direct_num_workers=2"])
    with beam.Pipeline(runner="FnApiRunner", options=options) as p:
        docs = p | ReadInputs([str(archive)])
        workers = docs["main"] | beam.Map(lambda _: os.getpid()) | beam.Distinct() | beam.combiners.Count.Globally()
        assert_that(workers, equal_to([2]))


def test_batches_are_planned_by_what_a_compressed_archive_holds(tmp_path):
    """A worker holds an archive's records, not its gzip members: a WARC small on disk but
    holding more than a batch is cut into parts, each sized by what it holds."""
    from pipeline.batches import expansion, gzip_ratio, split_archives, unit_size
    from transforms.read.warc import WarcPart

    text = (PAGE * 50).encode()
    members = gzip.compress(text) + gzip.compress(text)
    assert gzip_ratio(members) == pytest.approx(len(text) * 2 / len(members))
    one = len(gzip.compress(text))
    assert gzip_ratio(members[: one + 20]) >= len(text) / (one + 20)  # a sample may end inside a member
    assert gzip_ratio(b"not gzip at all") == 1.0

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    for n in range(6):
        record(writer, f"https://news.example.com/{n}", (PAGE * 20).encode())
    path = tmp_path / "many.warc.gz"
    path.write_bytes(buf.getvalue())
    on_disk = path.stat().st_size
    held = expansion(str(path))
    assert held > 5 and unit_size(str(path)) == int(on_disk * held)
    assert split_archives([str(path)], on_disk * 2, ratio=lambda p: 1.0) == [str(path)]  # by size on disk: whole
    parts = split_archives([str(path)], on_disk * 2)
    assert len(parts) > 1 and all(isinstance(p, WarcPart) for p in parts)
    assert sum(p.size for p in parts) == pytest.approx(on_disk * held, rel=0.01)
    # With two workers an archive is cut in two at least, so each reads and extracts a part.
    halves = split_archives([str(path)], on_disk * 100, workers=2)
    assert len(halves) >= 2 and all(isinstance(p, WarcPart) for p in halves)
    read = [d.url for p in halves for d in read_path(p.path, (p.start, p.count, p.before))]
    assert read == [d.url for d in read_path(str(path))]
    # Ten such archives on two workers: each is a share of its own, dealt out whole (not read
    # here to be cut); one holding far more than the others is still cut.
    copies = [tmp_path / f"copy{n}.warc.gz" for n in range(10)]
    for copy in copies:
        copy.write_bytes(path.read_bytes())
    whole = split_archives([str(c) for c in copies], on_disk * 100, workers=2)
    assert [(p.path, p.start, p.count, p.before) for p in whole] == [(str(c), 0, None, 0) for c in copies]
    assert [d.url for d in read_path(whole[0].path, (0, None, 0))] == [d.url for d in read_path(str(path))]
    big = tmp_path / "big.warc.gz"
    big.write_bytes(path.read_bytes() * 20)
    mixed = split_archives([str(big)] + [str(c) for c in copies[:2]], on_disk * 100, workers=2)
    assert len([p for p in mixed if p.path == str(big)]) >= 2 and len(mixed) >= 4
    page = tmp_path / "page.html.gz"
    page.write_bytes(gzip.compress(text))
    assert expansion(str(page)) == 1.0  # a page of its own: --batch-files bounds those
