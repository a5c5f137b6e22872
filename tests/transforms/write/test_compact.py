"""Compaction's merge and choice of files (transforms/write/compact.py), and the commit manifest's
"delete" list it relies on (transforms/write/commit.py). Real Parquet files written by the writer's
own function, read back with pyarrow."""
import hashlib
import json
import random
from datetime import date, datetime, timedelta, timezone

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from schemas import Reject, file_schema
from tests.conftest import make_doc
from transforms.write import file_name, sort_key, tables, write_table_file
from transforms.write.commit import MANIFEST_PREFIX, PAUSE_AT, STAGING, apply_manifest, finish_commits, write_manifest
from transforms.write.compact import Part, closed_dates, merge_files, merged_row_groups, next_pass

FETCHED = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
WORDS = "river market council storm school harbour election vaccine bridge orchestra".split()


def article(n, day, rng):
    url = f"https://news.example/{day}/{n}"
    doc = make_doc(text=" ".join(rng.choice(WORDS) + str(rng.randrange(1000)) for _ in range(120)), url=url,
                   fetched_at=FETCHED)
    doc.date, doc.language, doc.cluster_id, doc.content_hash = day, "en", doc.id, "h"
    return doc


def reject(n, day):
    url = f"https://bad.example/{day}/{n}"
    return Reject(id=hashlib.sha256(url.encode()).hexdigest()[:16], url=url, source="http", stage="fetch",
                  reason="http_error", error="HTTP 500", date=day, fetched_at=FETCHED, http_status=500)


def write_windows(out, table, day, windows, per_window, seed=0):
    """A continuous run's layout: one file per window, each sorted by (id, url), named by the writer.
    Returns the rows written (as pyarrow reads them back)."""
    rng = random.Random(f"{seed}{table}{day}")
    spec = tables("2026-03-02")[table]
    folder = out / table / f"date={day}"
    folder.mkdir(parents=True, exist_ok=True)
    start = datetime(2026, 3, 2, tzinfo=timezone.utc)
    paths = []
    for w in range(windows):
        make = (lambda n: article(n, day, rng)) if table != "rejects" else (lambda n: reject(n, day))
        records = sorted((make(w * 1000 + n) for n in range(per_window)), key=sort_key)
        label = (start + timedelta(minutes=w)).strftime("%Y%m%dT%H%M%SZ")
        paths.append(folder / file_name([r.id for r in records], label))
        write_table_file(str(paths[-1]), spec, records)
    return paths


def rows_of(paths):
    out = []
    for path in paths:
        out += pq.read_table(path).to_pylist()
    return sorted(out, key=repr)


def is_sorted(path):
    keys = [(r["id"], r["url"] or "") for r in pq.read_table(path, columns=["id", "url"]).to_pylist()]
    return keys == sorted(keys)


def test_sorted_files_merge_into_sorted_files_of_the_target_size_named_as_the_writer_names_them(tmp_path):
    inputs = write_windows(tmp_path / "out", "articles", "2026-03-01", windows=12, per_window=25)
    target = sum(p.stat().st_size for p in inputs) // 4
    merged = merge_files([str(p) for p in inputs], file_schema("articles"), str(tmp_path / "staging"),
                         "OUT/articles/date=2026-03-01", target, group_rows=40)
    staged = [s for s, _ in merged.files]
    assert merged.rows_in == merged.rows_out == 300
    assert 2 <= len(staged) < len(inputs)
    assert rows_of(staged) == rows_of(inputs)  # same rows: none lost, none twice
    keys = []
    for path, final in merged.files:
        ids = pq.read_table(path, columns=["id"]).column("id").to_pylist()
        assert final == f"OUT/articles/date=2026-03-01/{file_name(ids)}"
        assert pq.read_schema(path).remove_metadata() == file_schema("articles").remove_metadata()
        assert pq.ParquetFile(path).metadata.row_group(0).column(0).compression == "ZSTD"
        keys += [(r["id"], r["url"]) for r in pq.read_table(path, columns=["id", "url"]).to_pylist()]
    assert keys == sorted(keys)  # one sorted stream cut into files: each file sorted, ranges disjoint
    sizes = [(tmp_path / "staging" / p.rsplit("/", 1)[1]).stat().st_size for p in staged]
    assert all(size >= target for size in sizes[:-1]) and sizes[-1] < target * 2


def test_the_merge_reads_each_file_a_batch_at_a_time_and_keeps_the_order(tmp_path):
    inputs = write_windows(tmp_path / "out", "rejects", "2026-03-01", windows=5, per_window=37)
    groups = list(merged_row_groups([str(p) for p in inputs], file_schema("rejects"), group_rows=16, read_rows=7))
    assert [g.num_rows for g in groups[:-1]] == [16] * (len(groups) - 1)
    merged = [row for g in groups for row in g.to_pylist()]
    assert [(r["id"], r["url"]) for r in merged] == sorted((r["id"], r["url"]) for r in rows_of(inputs))
    assert sorted(merged, key=repr) == rows_of(inputs)


def test_a_file_not_sorted_by_id_stops_the_merge(tmp_path):
    rng = random.Random(1)
    spec = tables("2026-03-02")["articles"]
    records = sorted((article(n, "2026-03-01", rng) for n in range(5)), key=sort_key, reverse=True)
    write_table_file(str(tmp_path / "unsorted.parquet"), spec, records)
    with pytest.raises(RuntimeError, match="not sorted"):
        list(merged_row_groups([str(tmp_path / "unsorted.parquet")], file_schema("articles")))


def test_a_pass_takes_the_small_files_in_name_order_and_none_when_at_most_one_is_small():
    parts = [Part("d/part-3.parquet", 10), Part("d/part-1.parquet", 500), Part("d/part-2.parquet", 99),
             Part("d/part-0.parquet", 10)]
    assert next_pass(parts, 100) == [Part("d/part-0.parquet", 10), Part("d/part-2.parquet", 99),
                                     Part("d/part-3.parquet", 10)]
    assert next_pass(parts, 100, fan_in=2) == [Part("d/part-0.parquet", 10), Part("d/part-2.parquet", 99)]
    assert next_pass(parts, 11) == [Part("d/part-0.parquet", 10), Part("d/part-3.parquet", 10)]
    assert next_pass(parts, 10) == []  # compacted: nothing smaller than the target
    assert next_pass([Part("d/a.parquet", 1), Part("d/b.parquet", 500)], 100) == []  # one small file: done


def test_closed_dates_are_those_at_least_n_days_old():
    dates = ["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"]
    assert closed_dates(dates, date(2026, 3, 2), 2) == ["2026-02-27", "2026-02-28"]
    assert closed_dates(dates, date(2026, 3, 2), 0) == dates


def delete_manifest(out, names_in, names_out):
    """A compaction's manifest: staged files to move in, final files to delete once they are in."""
    folder = out / "articles" / "date=2026-01-01"
    folder.mkdir(parents=True, exist_ok=True)
    staging = out / STAGING / "compact-x"
    pairs = []
    for name in names_in:
        source = staging / "articles" / "date=2026-01-01" / f"merge-{name}"
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_bytes(name.encode())
        pairs.append([str(source), str(folder / name)])
    for name in names_out:
        (folder / name).write_bytes(name.encode())
    return write_manifest(str(staging), pairs, delete=[str(folder / n) for n in names_out]), folder


def test_a_manifest_moves_its_files_in_then_deletes_the_old_ones_and_a_second_pass_finds_it_done(tmp_path):
    manifest, folder = delete_manifest(tmp_path, ["m.parquet"], ["a.parquet", "b.parquet"])
    assert json.loads(open(manifest).read())["delete"] == [str(folder / "a.parquet"), str(folder / "b.parquet")]
    (folder / "a.parquet").unlink()  # another run finishing the same manifest got there first
    assert apply_manifest(manifest) == [str(folder / "m.parquet")]
    assert sorted(p.name for p in folder.iterdir()) == ["m.parquet"]
    assert apply_manifest(manifest) == [] and not (tmp_path / STAGING).exists()


def test_a_kill_between_the_deletes_is_finished_by_the_next_run(tmp_path, monkeypatch):
    manifest, folder = delete_manifest(tmp_path, ["m.parquet"], ["a.parquet", "b.parquet"])

    class Killed(BaseException):
        pass

    def sleep(seconds):
        raise Killed
    monkeypatch.setenv(PAUSE_AT, "mid-delete#1")
    monkeypatch.setattr("transforms.write.commit._passed", {})
    monkeypatch.setattr("time.sleep", sleep)
    with pytest.raises(Killed):
        apply_manifest(manifest)
    # Moved in before anything was deleted: for the moment, rows twice, none missing.
    assert sorted(p.name for p in folder.iterdir()) == ["b.parquet", "m.parquet"]
    assert list((tmp_path / STAGING).glob(f"*/{MANIFEST_PREFIX}*.json"))
    monkeypatch.delenv(PAUSE_AT)
    assert finish_commits(str(tmp_path)) == 1
    assert sorted(p.name for p in folder.iterdir()) == ["m.parquet"]


def test_a_manifest_without_a_delete_list_is_the_one_commit_has_always_written(tmp_path):
    staging = tmp_path / STAGING / "a"
    (staging / "t").mkdir(parents=True)
    (staging / "t" / "x.parquet").write_bytes(b"x")
    manifest = write_manifest(str(staging), [[str(staging / "t" / "x.parquet"), str(tmp_path / "t" / "x.parquet")]])
    assert json.loads(open(manifest).read()) == {"files": [[str(staging / "t" / "x.parquet"),
                                                             str(tmp_path / "t" / "x.parquet")]], "run": None}


def test_files_written_before_a_column_was_added_merge_with_it_null(tmp_path):
    """is_accessible_for_free came after files were written without it: those merge with new ones."""
    inputs = write_windows(tmp_path / "out", "articles", "2026-03-01", windows=2, per_window=10)
    old = pq.read_table(inputs[0]).drop_columns(["is_accessible_for_free"])
    pq.write_table(old, inputs[0])
    new = pq.read_table(inputs[1])
    pq.write_table(new.set_column(new.schema.get_field_index("is_accessible_for_free"), "is_accessible_for_free",
                                  pa.array([False] * new.num_rows)), inputs[1])
    merged = merge_files([str(p) for p in inputs], file_schema("articles"), str(tmp_path / "staging"),
                         "OUT/articles/date=2026-03-01", 1 << 30)
    [(path, _)] = merged.files
    table = pq.read_table(path)
    assert table.schema.remove_metadata() == file_schema("articles").remove_metadata()
    flags = dict(zip(table.column("id").to_pylist(), table.column("is_accessible_for_free").to_pylist()))
    assert {flags[i] for i in old.column("id").to_pylist()} == {None}
    assert {flags[i] for i in new.column("id").to_pylist()} == {False}
