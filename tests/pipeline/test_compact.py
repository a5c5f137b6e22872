"""`news-ingest compact` (pipeline/compact.py) on real files: a continuous run's many small files
become few, with the same rows; a second compaction changes nothing; a compaction killed at any
point and run again (or followed by a run's finish_commits) ends as an uninterrupted one; open
partitions are left alone; user mistakes are one line and exit 2."""
import io
import os
import signal
import subprocess
import sys
import time
from datetime import date

import duckdb
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from apache_beam.io.filesystems import FileSystems

import transforms.write.commit as commit_module
import transforms.write.compact as compact_module
from pipeline.compact import CompactConfig, compact
from schemas import file_schema
from tests.conftest import REPO, run_cli
from tests.transforms.write.test_commit_recovery import MemoryStore  # noqa: F401 - registers memtest://
from tests.transforms.write.test_compact import is_sorted, write_windows
from transforms.write.commit import PAUSE_AT, STAGING, finish_commits

TODAY = date.today()
OLD = ["2026-01-01", "2026-01-02"]
TARGET_MB = 0.05  # about 52 kB: the test's few hundred rows make several merged files


@pytest.fixture(autouse=True)
def small_row_groups(monkeypatch):
    """Row groups of 40 rows instead of 5,000, so the merge cuts files at the small target."""
    monkeypatch.setattr(compact_module, "ROW_GROUP_ROWS", 40)


def layout(out):
    """Two closed dates of a continuous run's windows in each table, and today's open one."""
    for day in OLD + [TODAY.isoformat()]:
        write_windows(out, "articles", day, windows=15, per_window=20)
        write_windows(out, "duplicates", day, windows=4, per_window=3)
        write_windows(out, "rejects", day, windows=6, per_window=5)
    return out


def config(out, **kw):
    return CompactConfig(output=str(out), target_bytes=int(TARGET_MB * (1 << 20)), quiet=True, **kw)


def files(out):
    """{relative path: bytes} of what a reader listing date=*/*.parquet finds."""
    return {str(p.relative_to(out)): p.read_bytes() for t in ("articles", "duplicates", "rejects")
            for p in (out / t).glob("date=*/*.parquet")}


def rows(out, table="articles"):
    return sorted(duckdb.sql(f"select * from read_parquet('{out}/{table}/*/*.parquet', hive_partitioning=true)")
                  .fetchall(), key=repr)


def all_rows(out):
    return {t: rows(out, t) for t in ("articles", "duplicates", "rejects")}


def in_folder(out, table, day):
    return sorted(p.name for p in (out / table / f"date={day}").glob("*.parquet"))


def test_many_small_files_become_few_sorted_files_with_the_same_rows_and_schema(tmp_path):
    out = layout(tmp_path / "out")
    before, expected = files(out), all_rows(out)
    summary = compact(config(out))
    after = files(out)
    assert all_rows(out) == expected  # duckdb, Hive partitioning: every row once, date included
    for day in OLD:
        assert 1 < len(in_folder(out, "articles", day)) < 15
        assert len(in_folder(out, "rejects", day)) == 1 and len(in_folder(out, "duplicates", day)) == 1
    for name, data in after.items():
        path = out / name
        assert is_sorted(path)
        assert pq.read_schema(path).remove_metadata() == file_schema(name.split("/")[0]).remove_metadata()
        assert pq.ParquetFile(path).metadata.row_group(0).column(0).compression == "ZSTD"
    dataset = ds.dataset(str(out / "articles"), format="parquet", partitioning="hive").to_table()
    assert dataset.num_rows == len(expected["articles"])
    done = [o for o in summary.outcomes if o.passes]
    assert len(done) == 6 and summary.untouched == 3
    assert sum(o.files_before for o in done) == 2 * (15 + 4 + 6) and sum(o.files_after for o in done) == len(after) - 25
    assert not (out / STAGING).exists()
    today = [n for n in before if TODAY.isoformat() in n]
    assert {n: after[n] for n in today} == {n: before[n] for n in today}  # the open partition: not touched


def test_a_second_compaction_changes_nothing(tmp_path):
    out = layout(tmp_path / "out")
    compact(config(out))
    first = files(out)
    summary = compact(config(out))
    assert files(out) == first  # same names, same bytes
    assert not any(o.passes for o in summary.outcomes)


def test_a_late_file_in_a_compacted_partition_is_merged_with_its_small_file_only(tmp_path):
    out = layout(tmp_path / "out")
    compact(config(out))
    big = {n for n, data in files(out).items() if len(data) >= TARGET_MB * (1 << 20) and OLD[0] in n}
    write_windows(out, "articles", OLD[0], windows=1, per_window=4, seed="late")
    expected = rows(out)
    compact(config(out))
    assert rows(out) == expected
    assert big <= set(files(out))  # files at the target are never rewritten


def test_open_partitions_are_left_alone_and_date_or_age_chooses_others(tmp_path):
    out = layout(tmp_path / "out")
    before = files(out)
    compact(config(out, dates=(OLD[1],), tables=("rejects",)))
    changed = {n for n in set(before) | set(files(out)) if before.get(n) != files(out).get(n)}
    assert changed and all(n.startswith(f"rejects/date={OLD[1]}/") for n in changed)
    summary = compact(config(out, older_than_days=(TODAY - date(2026, 1, 2)).days + 1))
    assert {o.date for o in summary.outcomes} == {OLD[0]}
    compact(config(out, older_than_days=0))
    assert len(in_folder(out, "rejects", TODAY.isoformat())) == 1


class Killed(BaseException):
    """A kill at a failpoint: not an Exception, so no handler in the code under test sees it."""


def kill_at(monkeypatch, point):
    """NEWS_INGEST_PAUSE_AT=point; where the real command would sleep until killed, raise Killed."""
    real_sleep = time.sleep

    def sleep(seconds):
        if seconds < 60:
            return real_sleep(seconds)
        raise Killed
    monkeypatch.setenv(PAUSE_AT, point)
    monkeypatch.setattr(time, "sleep", sleep)
    monkeypatch.setattr(commit_module, "_passed", {})  # count the passes of this compaction only


def reference(tmp_path):
    out = layout(tmp_path / "reference")
    compact(config(out))
    return files(out)


@pytest.mark.parametrize("point", ["compact-staged#1", "compact-staged#4", "mid-commit#1", "mid-commit#3",
                                   "mid-delete#1", "mid-delete#20", "mid-delete#40"])
@pytest.mark.parametrize("then", ["compact", "run"])
def test_a_compaction_killed_anywhere_ends_as_an_uninterrupted_one(tmp_path, monkeypatch, point, then):
    """Two passes per partition (at most 8 files a pass) so kills land in later passes too."""
    monkeypatch.setattr(compact_module, "FAN_IN", 8)
    expected = reference(tmp_path)
    out = layout(tmp_path / "out")
    original = all_rows(out)
    kill_at(monkeypatch, point)
    with pytest.raises(Killed):
        compact(config(out))
    monkeypatch.delenv(PAUSE_AT)
    seen = all_rows(out)
    for table, table_rows in original.items():  # at the kill: every row there, some maybe twice
        assert set(map(repr, seen[table])) == set(map(repr, table_rows))
    if then == "run":
        finish_commits(str(out))  # what the next `news-ingest run` on the output does first
        assert all_rows(out) == original  # the cut pass finished: each row once
    compact(config(out))
    assert files(out) == expected
    assert not (out / STAGING).exists()  # nothing left staged, killed compaction's staging included


def test_the_command_killed_with_sigkill_at_a_pause_point_then_run_again(tmp_path):
    expected = reference(tmp_path)
    out = layout(tmp_path / "out")
    command = [sys.executable, "-c", "import sys, transforms.write.compact as c; c.ROW_GROUP_ROWS = 40; "
               "from pipeline.command import main; sys.exit(main(sys.argv[1:]))",
               "compact", str(out), "--target-mb", str(TARGET_MB)]
    env = dict(os.environ, PYTHONWARNINGS="ignore", **{PAUSE_AT: "mid-delete#3"})
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    line = proc.stderr.readline()
    assert "paused at mid-delete#3" in line, line + proc.stderr.read()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    env.pop(PAUSE_AT)
    again = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=env, timeout=300)
    assert again.returncode == 0, again.stderr
    assert files(out) == expected
    assert again.stdout.startswith("news-ingest: compacted ") and len(again.stdout.splitlines()) == 1


def test_an_output_on_an_object_store_is_compacted(tmp_path, monkeypatch):
    local = layout(tmp_path / "local")
    expected = reference(tmp_path)
    MemoryStore.objects.clear()
    try:
        for name, data in files(local).items():
            with FileSystems.create(f"memtest://bucket/news/{name}") as f:
                f.write(data)
        kill_at(monkeypatch, "mid-delete#2")
        with pytest.raises(Killed):
            compact(config("memtest://bucket/news/"))
        monkeypatch.delenv(PAUSE_AT)
        compact(config("memtest://bucket/news/"))
        got = {name.removeprefix("memtest://bucket/news/"): data for name, data in MemoryStore.objects.items()}
        assert {n: pq.read_table(io.BytesIO(d)).to_pylist() for n, d in got.items()} == {
            n: pq.read_table(io.BytesIO(d)).to_pylist() for n, d in expected.items()}
    finally:
        MemoryStore.objects.clear()


@pytest.mark.parametrize("args, message", [
    (["compact"], "required: OUTPUT"),
    (["compact", "{missing}"], "no such output folder"),
    (["compact", "{out}", "--date", "2026-13-01"], "is not a date"),
    (["compact", "{out}", "--date", "20260101"], "is not a date"),
    (["compact", "{out}", "--date", "2026-01-01", "--older-than-days", "3"], "give one"),
    (["compact", "{out}", "--older-than-days", "-1"], "0 or more"),
    (["compact", "{out}", "--target-mb", "0"], "greater than 0"),
    (["compact", "{out}", "--table", "_state"], "invalid choice"),
])
def test_usage_errors_are_one_line_and_exit_2(tmp_path, args, message):
    (tmp_path / "out").mkdir()
    result = run_cli(*[a.format(out=tmp_path / "out", missing=tmp_path / "missing") for a in args], timeout=120)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr, result.stderr


def test_the_command_prints_a_summary_and_nothing_with_q(tmp_path):
    out = layout(tmp_path / "out")
    loud = run_cli("compact", out, "--table", "rejects", "--date", OLD[0])
    assert loud.returncode == 0, loud.stderr
    assert loud.stdout.strip() == ("news-ingest: compacted 1 of 1 partitions chosen: 6 files -> 1, 30 rows; "
                                   "0 already compacted, 2 open or not asked for")
    quiet = run_cli("compact", out, "-q")
    assert quiet.returncode == 0 and quiet.stdout == "", quiet.stderr
