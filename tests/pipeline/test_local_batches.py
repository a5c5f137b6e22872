"""A batch run on a local runner, cut into batches of files and archive parts (pipeline/local_batches.py):
the plan, and runs in batches giving what one run gives."""
import gzip
import io

import duckdb
import pytest
from warcio.warcwriter import WARCWriter

from tests.conftest import WARC_PAGE as PAGE
from tests.conftest import count, make_warc, rows, run_cli
from tests.conftest import warc_record as record
from tests.pipeline import one_story_in_two_files
from transforms.read import read_path


def test_batches_keep_file_order_and_respect_both_limits():
    from pipeline.local_batches import plan_batches
    sizes = {"a": 10, "b": 10, "c": 50, "d": 200, "e": 1}
    plan = lambda n, b: plan_batches(list(sizes), n, b, size=sizes.get)  # noqa: E731
    assert plan(2, 1000) == [["a", "b"], ["c", "d"], ["e"]]
    assert plan(10, 60) == [["a", "b"], ["c"], ["d"], ["e"]]  # d alone is over the bytes: a batch of its own
    assert plan(10, 1000) == [list(sizes)]
    assert plan_batches([], 10, 10) == [[]]


def test_batches_are_planned_by_what_a_compressed_archive_holds(tmp_path):
    """A worker holds an archive's records, not its gzip members: a WARC small on disk but
    holding more than a batch is cut into parts, each sized by what it holds."""
    from pipeline.local_batches import (
        expansion,
        gzip_ratio,
        readable_size,
        split_archives,
    )
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
    assert held > 5 and readable_size(str(path)) == int(on_disk * held)
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


def test_batches_of_files_give_the_same_documents_and_links(samples_run, tmp_path):
    out, _ = samples_run
    batched = tmp_path / "batched"
    result = run_cli("run", "--output", batched, "--batch-files", "1")
    assert result.returncode == 0, result.stderr
    assert "news-ingest: batch 7/7: 1 files" in result.stderr
    assert "balance: read = articles + duplicates + rejects + skipped + filtered: ok" in result.stdout
    assert "documents read: 11" in result.stdout and "already in output" not in result.stdout
    for table in ("articles", "duplicates", "rejects"):
        assert count(batched, table) == count(out, table)
    urls = lambda o: sorted(rows(o, "articles", "url").fetchall() + rows(o, "duplicates", "url").fetchall())  # noqa: E731
    assert urls(batched) == urls(out)
    # Copies found across batches point at an article of the output (the earliest batch's copy is kept).
    orphans = duckdb.sql(f"select d.url from read_parquet('{batched}/duplicates/*/*.parquet') d anti join "
                         f"read_parquet('{batched}/articles/*/*.parquet') a on d.duplicate_of = a.id").fetchall()
    assert orphans == []


def test_a_url_read_again_in_a_later_batch_is_a_copy_not_a_skip(tmp_path):
    inputs = one_story_in_two_files(tmp_path)
    out = tmp_path / "out"
    result = run_cli("run", "--input", inputs, "--output", out, "--batch-files", "1")
    assert result.returncode == 0, result.stderr
    assert "articles written: 1" in result.stdout and "duplicates: 1" in result.stdout
    [(article_id,)] = rows(out, "articles", "id").fetchall()
    assert rows(out, "duplicates", "id, duplicate_of").fetchall() == [(article_id, article_id)]
    # A later run skips both: they are in the output now.
    again = run_cli("run", "--input", inputs, "--output", out, "--batch-files", "1")
    assert "already in output (skipped): 2" in again.stdout


def test_a_large_archive_spans_batches_with_the_same_output(tmp_path):
    import duckdb
    path = make_warc(tmp_path / "a.warc.gz", truncate_last=True)
    outs = {}
    for name, extra in (("whole", []), ("parts", ["--batch-mb", "0.000001"])):
        out = tmp_path / name
        result = run_cli("run", "--input", path, "--output", out, *extra)
        assert result.returncode == 0, result.stderr
        assert "balance: read = articles + duplicates + rejects + skipped + filtered: ok" in result.stdout
        assert "(1 files," in result.stdout
        outs[name] = sorted(duckdb.sql(f"select url, reason, record_number from read_parquet('{out}/rejects/*/*.parquet')")
                            .fetchall() + duckdb.sql(f"select url, title, null, null from read_parquet('{out}/articles/*/*.parquet')")
                            .fetchall(), key=str)
        if extra:
            assert "archive parts" in result.stderr
    assert outs["parts"] == outs["whole"]
