"""The command end to end, as a user runs it; output read back with DuckDB, pyarrow and Polars."""
import json

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.dataset as pads

from schemas import ARTICLE_SCHEMA, REJECT_SCHEMA
from tests.conftest import count, files, rows, run_cli


def test_samples_end_to_end(samples_run):
    out, result = samples_run
    assert "balance: read = articles + duplicates + rejects + skipped + filtered: ok" in result.stdout
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
    assert types["is_accessible_for_free"] == "BOOLEAN"
    table = pads.dataset(str(out / "articles"), format="parquet", partitioning="hive").to_table()
    assert set(table.schema.names) == set(ARTICLE_SCHEMA.names)
    assert table.schema.field("published_at").type == ARTICLE_SCHEMA.field("published_at").type
    paywall = table.schema.field("is_accessible_for_free")
    assert paywall.type == ARTICLE_SCHEMA.field("is_accessible_for_free").type == pa.bool_() and paywall.nullable
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
    assert "balance: read = articles + duplicates + rejects + skipped + filtered: ok" in result.stdout
