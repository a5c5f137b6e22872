"""The command end to end, as a user runs it; output read back with DuckDB, pyarrow and Polars."""
import json
import os
import subprocess
import sys

import duckdb
import polars as pl
import pyarrow.dataset as pads
import pytest

from schemas import ARTICLE_SCHEMA, REJECT_SCHEMA
from tests.conftest import REPO, SAMPLES, run_cli


def files(out):
    return sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())


def count(out, table):
    return rows(out, table, "count(*)").fetchall()[0][0]


def rows(out, table, columns="*"):
    return duckdb.sql(f"select {columns} from read_parquet('{out}/{table}/*/*.parquet', hive_partitioning=true)")


@pytest.fixture(scope="module")
def samples_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("samples") / "out"
    result = run_cli("run", "--output", out)
    assert result.returncode == 0, result.stderr
    return out, result


def test_samples_end_to_end(samples_run):
    out, result = samples_run
    assert "balance: read = articles + duplicates + rejects + skipped: ok" in result.stdout
    assert f"output: {out}" in result.stdout
    articles = rows(out, "articles", "url, date, language, is_mixed_language, duplicate_of").fetchall()
    duplicates = rows(out, "duplicates", "url, duplicate_of").fetchall()
    rejects = rows(out, "rejects", "stage, reason, record_number").fetchall()
    read = int(result.stdout.split("documents read: ")[1].split()[0])
    assert read == len(articles) + len(duplicates) + len(rejects) == 11
    assert rejects == [("read", "bad_json", 3)]
    # The page that reprints the wire copy word for word, and the lightly edited one, are linked
    # to the earlier wire record.
    assert sorted(u.rsplit("/", 1)[-1] for u, _ in duplicates) == [
        "plastic-waste-deal-coastal-times.html", "plastic-waste-deal-evening-post.html.gz"]
    [kept_id] = {k for _, k in duplicates}
    [(kept_url,)] = duckdb.sql(f"select url from read_parquet('{out}/articles/*/*.parquet') where id = '{kept_id}'").fetchall()
    assert kept_url.startswith("https://wire.")
    mixed = [a for a in articles if a[3]]
    assert len(mixed) == 1 and mixed[0][0].endswith("grain-exports-mixed-language.txt")
    assert all(a[4] is None for a in articles)


def test_readers_get_typed_columns(samples_run):
    out, _ = samples_run
    described = duckdb.sql(
        f"describe select * from read_parquet('{out}/articles/*/*.parquet', hive_partitioning=true)").fetchall()
    types = {r[0]: r[1] for r in described}
    assert types["date"] == "DATE" and types["published_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["authors"] == "VARCHAR[]" and types["segments"].startswith("STRUCT(")
    table = pads.dataset(str(out / "articles"), format="parquet", partitioning="hive").to_table()
    assert set(table.schema.names) == set(ARTICLE_SCHEMA.names)
    assert table.schema.field("published_at").type == ARTICLE_SCHEMA.field("published_at").type
    frame = pl.scan_parquet(str(out / "articles" / "**" / "*.parquet"), hive_partitioning=True).collect()
    assert frame.schema["date"] == pl.Date and frame.height == table.num_rows
    rej = pads.dataset(str(out / "rejects"), format="parquet", partitioning="hive").to_table()
    assert set(rej.schema.names) == set(REJECT_SCHEMA.names)


def test_rerun_is_idempotent(samples_run, tmp_path):
    out, _ = samples_run
    before = {t: count(out, t) for t in ("articles", "duplicates", "rejects")}
    listing = files(out)
    again = run_cli("run", "--output", out)
    assert again.returncode == 0, again.stderr
    assert "already in output (skipped): 10" in again.stdout
    assert {t: count(out, t) for t in ("articles", "duplicates", "rejects")} == before
    assert files(out) == listing


def test_multi_processing_workers_give_the_same_output(samples_run, tmp_path):
    out, _ = samples_run
    mp_out = tmp_path / "mp"
    result = run_cli("run", "--output", mp_out, "--direct_running_mode=multi_processing", "--direct_num_workers=2")
    assert result.returncode == 0, result.stderr
    assert "direct_num_workers is not equal to 1" not in result.stderr
    assert files(mp_out) == files(out)


def test_bad_inputs_end_in_rejects_and_nothing_is_lost(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.html").write_bytes(bytes(range(256)) * 8)
    (src / "latin1.txt").write_bytes("Caf\xe9 au lait et cr\xe8me br\xfbl\xe9e".encode("latin-1"))
    (src / "lines.jsonl").write_text(json.dumps({"url": "https://e.com/ok", "text": "A good record with text."})
                                     + "\n{not json\n", encoding="utf-8")
    (src / "image.png").write_bytes(b"\x89PNG\r\n")
    (src / "good.txt").write_text("A perfectly normal short article about the weather.", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("run", "--input", src, "--output", out)
    assert result.returncode == 0, result.stderr
    got = sorted(rows(out, "rejects", "stage, reason, input").fetchall())
    assert [(s, r, i.rsplit("/", 1)[-1]) for s, r, i in got] == [
        ("read", "bad_json", "lines.jsonl"), ("read", "binary_input", "binary.html"),
        ("read", "empty_input", "empty.txt"), ("read", "undecodable", "latin1.txt"),
        ("read", "unknown_kind", "image.png")]
    assert count(out, "articles") == 2
    assert "balance: read = articles + duplicates + rejects + skipped: ok" in result.stdout


@pytest.mark.parametrize("args,message", [
    (["run", "--no-such-flag"], "unknown option: --no_such_flag"),
    (["run", "--input", "/does/not/exist"], "input not found: /does/not/exist"),
    (["run", "--output", "/proc/not-writable"], "output folder is not writable"),
    (["run", "--max-rows-per-file", "zero"], "invalid int value"),
    (["explode"], "invalid choice"),
    ([], "required"),
])
def test_usage_errors_are_one_line_and_exit_2(args, message):
    result = run_cli(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("news-ingest: error: ") and message in lines[0], result.stderr


def test_portable_runner_with_an_external_worker_pool_gives_the_same_output(samples_run, worker_pool, tmp_path):
    """How Flink runs Python workers: the job on Beam's portable runner, the code in a separate worker pool."""
    out, _ = samples_run
    portable = tmp_path / "portable"
    result = run_cli("run", "--output", portable, "--runner=PortableRunner", "--job_endpoint=embed",
                     "--environment_type=EXTERNAL", f"--environment_config=localhost:{worker_pool}", "-q", timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "balance: read = articles + duplicates + rejects + skipped: ok" in result.stdout
    assert files(portable) == files(out)


def test_batches_of_files_give_the_same_documents_and_links(samples_run, tmp_path):
    out, _ = samples_run
    batched = tmp_path / "batched"
    result = run_cli("run", "--output", batched, "--batch-files", "1")
    assert result.returncode == 0, result.stderr
    assert "news-ingest: batch 7/7: 1 files" in result.stderr
    assert "balance: read = articles + duplicates + rejects + skipped: ok" in result.stdout
    assert "documents read: 11" in result.stdout and "already in output" not in result.stdout
    for table in ("articles", "duplicates", "rejects"):
        assert count(batched, table) == count(out, table)
    urls = lambda o: sorted(rows(o, "articles", "url").fetchall() + rows(o, "duplicates", "url").fetchall())  # noqa: E731
    assert urls(batched) == urls(out)
    # Copies found across batches point at an article of the output (the earliest batch's copy is kept).
    orphans = duckdb.sql(f"select d.url from read_parquet('{batched}/duplicates/*/*.parquet') d anti join "
                         f"read_parquet('{batched}/articles/*/*.parquet') a on d.duplicate_of = a.id").fetchall()
    assert orphans == []


def test_batches_on_kept_worker_processes_give_the_same_files(tmp_path):
    """multi_processing over several batches runs every batch on the same worker processes
    (pipeline/worker_pool.py): the files are those of the in-process run, and no worker outlives it."""
    one, kept = tmp_path / "one", tmp_path / "kept"
    assert run_cli("run", "--output", one, "--batch-files", "2").returncode == 0
    result = run_cli("run", "--output", kept, "--batch-files", "1", "--direct_running_mode=multi_processing",
                     "--direct_num_workers=2")
    assert result.returncode == 0, result.stderr
    assert "news-ingest: batch 4/4" in result.stderr  # 2 files per batch: one per worker
    assert "direct_num_workers is not equal to 1" not in result.stderr
    assert files(kept) == files(one)
    # Forked workers carry the command line of the run that made them.
    left = subprocess.run(["pgrep", "-f", str(kept)], capture_output=True, text=True).stdout.split()
    assert left == []


def test_a_url_read_again_in_a_later_batch_is_a_copy_not_a_skip(tmp_path):
    record = {"url": "https://example.com/story", "title": "Story", "published": "2025-01-02T10:00:00Z",
              "text": "The harbour reopened on Monday after a week of repairs to the sea wall. " * 5}
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("a.jsonl", "b.jsonl"):
        (inputs / name).write_text(json.dumps(record) + "\n")
    out = tmp_path / "out"
    result = run_cli("run", "--input", inputs, "--output", out, "--batch-files", "1")
    assert result.returncode == 0, result.stderr
    assert "articles written: 1" in result.stdout and "duplicates: 1" in result.stdout
    [(article_id,)] = rows(out, "articles", "id").fetchall()
    assert rows(out, "duplicates", "id, duplicate_of").fetchall() == [(article_id, article_id)]
    # A later run skips both: they are in the output now.
    again = run_cli("run", "--input", inputs, "--output", out, "--batch-files", "1")
    assert "already in output (skipped): 2" in again.stdout


def test_the_command_allocates_arrow_memory_with_the_system_allocator():
    """Arrow's own pool keeps freed memory on each batch's peak; the command's processes use the
    system allocator instead, unless the user chose one."""
    code = "import pipeline.cli, pyarrow as pa; print(pa.default_memory_pool().backend_name)"
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    ours = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO, env=env)
    theirs = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO,
                            env={**env, "ARROW_DEFAULT_MEMORY_POOL": "mimalloc"})
    assert (ours.stdout.strip(), theirs.stdout.strip()) == ("system", "mimalloc")


def test_options_hand_out_one_view_per_class_that_answers_as_a_new_one_would():
    """Views are kept (Beam asks for one at every transform applied), yet a value set through
    any view is seen through every other, and a deep copy (Beam's Pipeline makes one) is apart."""
    import copy

    from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, TypeOptions

    from pipeline.options import Options

    flags = ["--direct_num_workers=2", "--no_pipeline_type_check"]
    options = Options(flags)
    direct = options.view_as(DirectOptions)
    assert options.view_as(DirectOptions) is direct
    assert options.view_as(TypeOptions).pipeline_type_check is PipelineOptions(flags).view_as(TypeOptions).pipeline_type_check
    direct.direct_running_mode = "multi_processing"
    assert options.view_as(DirectOptions).direct_running_mode == "multi_processing"
    assert options.get_all_options(drop_default=True) == {"direct_num_workers": 2, "direct_running_mode": "multi_processing",
                                                          "pipeline_type_check": False}
    copied = copy.deepcopy(options)
    copied.view_as(DirectOptions).direct_running_mode = "in_memory"
    assert copied.view_as(DirectOptions).direct_num_workers == 2
    assert options.view_as(DirectOptions).direct_running_mode == "multi_processing"
    assert isinstance(Options.from_dictionary(options.get_all_options()), Options)
