"""Real runs killed with SIGKILL at several moments, then run again with the same command: the
output ends with exactly the rows of an uninterrupted run, none lost and none twice, and at no
moment does a reader of date=*/*.parquet find a partial file (transforms/write/commit.py,
pipeline/local_batches.py)."""
import json
import os
import subprocess
import sys
import time

import duckdb
import pyarrow.parquet as pq
import pytest

from tests.conftest import REPO, SAMPLES, run_cli
from tests.pipeline import one_story_in_two_files

TABLES = ("articles", "duplicates", "rejects", "_state/signatures")


def command(*args):
    return [sys.executable, "-m", "pipeline", "run", "-q", *map(str, args)]


def visible_files(out):
    """What a reader listing date=*/*.parquet picks up, each file checked readable in full."""
    files = sorted(str(p.relative_to(out)) for table in TABLES for p in (out / table).glob("date=*/*.parquet"))
    for name in files:
        pq.read_table(out / name)  # a partial file fails here
    return files


def rows(out):
    found = {}
    for table in TABLES:
        if list((out / table).glob("date=*/*.parquet")):
            found[table] = sorted(duckdb.sql(f"select * from read_parquet('{out}/{table}/date=*/*.parquet', "
                                             "hive_partitioning=true)").fetchall(), key=repr)
    return found


def kill_after(args, seconds):
    proc = subprocess.Popen(command(*args), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ, PYTHONWARNINGS="ignore"))
    time.sleep(seconds)
    proc.kill()
    proc.wait()
    return proc.returncode


@pytest.mark.parametrize("batching", [[], ["--batch-files", "2"]], ids=["one-batch", "four-batches"])
def test_a_killed_batch_run_run_again_gives_the_rows_of_an_uninterrupted_one(tmp_path, batching):
    reference = tmp_path / "reference"
    started = time.monotonic()
    assert run_cli("run", "--input", SAMPLES, "--output", reference, *batching).returncode == 0
    took = time.monotonic() - started
    expected_rows, expected_files = rows(reference), visible_files(reference)
    killed_while_running = 0
    # Kill points spread over the whole run: start-up, reading, extraction, writing, commit.
    for k, share in enumerate((0.4, 0.6, 0.8, 0.95)):
        out = tmp_path / f"killed-{k}"
        code = kill_after(["--input", SAMPLES, "--output", out, *batching], took * share)
        killed_while_running += code == -9
        if out.exists():
            visible_files(out)  # nothing partial in sight, whatever the moment of the kill
        again = run_cli("run", "--input", SAMPLES, "--output", out, *batching)
        assert again.returncode == 0, again.stderr
        assert visible_files(out) == expected_files, f"kill at {share:.0%} of the run"
        assert rows(out) == expected_rows, f"kill at {share:.0%} of the run"
        # No commit left pending, no run record left open; the staging of an attempt killed
        # before its commit may stay (invisible) until it is a day old.
        assert not list(out.glob("_staging/*/COMMIT-*")) and not list((out / "_state").glob("runs/*"))
    assert killed_while_running >= 3  # the kills did land while the run was going on


def kill_at(args, point):
    """Runs the command until it reaches the commit's `point` (transforms/write/commit.py), then kills it."""
    env = dict(os.environ, PYTHONWARNINGS="ignore", NEWS_INGEST_PAUSE_AT=point)
    proc = subprocess.Popen(command(*args), cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=env)
    try:
        for line in proc.stderr:
            if "paused at" in line:
                break
        else:
            pytest.fail(f"the run ended without reaching {point}")
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.parametrize("batching, point", [
    ([], "staged"), ([], "mid-commit"), ([], "mid-commit#7"), ([], "committed"),
    (["--batch-files", "2"], "staged#2"), (["--batch-files", "2"], "mid-commit#12"),
    (["--batch-files", "2"], "committed#3")])
def test_a_run_killed_inside_its_commit_run_again_gives_the_rows_of_an_uninterrupted_one(tmp_path, batching, point):
    reference = tmp_path / "reference"
    assert run_cli("run", "--input", SAMPLES, "--output", reference, *batching).returncode == 0
    out = tmp_path / "out"
    kill_at(["--input", SAMPLES, "--output", out, *batching], point)
    visible_files(out)
    again = run_cli("run", "--input", SAMPLES, "--output", out, *batching)
    assert again.returncode == 0, again.stderr
    assert visible_files(out) == visible_files(reference)
    assert rows(out) == rows(reference)


def test_a_commit_cut_between_two_moves_is_finished_by_the_next_run(tmp_path):
    """The moment a real kill rarely hits: the manifest written, some files moved, others not."""
    from transforms.write.commit import MANIFEST_PREFIX, STAGING

    reference = tmp_path / "reference"
    assert run_cli("run", "--input", SAMPLES, "--output", reference).returncode == 0
    out = tmp_path / "out"
    staging = out / STAGING / "20260101T000000Z-cut"
    moved = []
    for path in sorted(p for p in reference.rglob("*.parquet")):
        relative = path.relative_to(reference)
        target = (out if len(moved) < 5 else staging) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
        moved.append(str(relative))
    pairs = [[str(staging / m), str(out / m)] for m in moved]
    (staging / f"{MANIFEST_PREFIX}cut.json").write_text(json.dumps({"files": pairs, "run": None}))
    again = run_cli("run", "--input", SAMPLES, "--output", out)
    assert again.returncode == 0, again.stderr
    assert "already in output (skipped): 10" in again.stdout  # the commit was finished first
    assert rows(out) == rows(reference) and not (out / STAGING).exists()


def test_a_run_of_several_batches_killed_between_two_resumes_after_the_last_committed_one(tmp_path):
    """Resumed, not started over: a URL read again in the batch after the kill is still a copy of
    this run's earlier batch (a run started over would skip it as an earlier run's), and the
    batch already committed is not read again."""
    inputs = one_story_in_two_files(tmp_path)
    reference, out = tmp_path / "reference", tmp_path / "out"
    assert run_cli("run", "--input", inputs, "--output", reference, "--batch-files", "1").returncode == 0
    kill_at(["--input", inputs, "--output", out, "--batch-files", "1"], "committed#1")
    again = run_cli("run", "--input", inputs, "--output", out, "--batch-files", "1")
    assert again.returncode == 0, again.stderr
    assert "resuming an interrupted run after batch 1/2" in again.stderr
    assert "documents read: 1 " in again.stdout and "duplicates: 1" in again.stdout
    assert rows(out) == rows(reference) and not list((out / "_state").glob("runs/*"))


@pytest.mark.parametrize("point", ["staged", "mid-commit#3", "committed"])
def test_a_continuous_run_killed_in_a_window_and_started_again_loses_and_doubles_nothing(site, tmp_path, point):
    from tests.pipeline.test_local_stream import growing_newsroom
    feed = growing_newsroom(site, grow=False)
    out = tmp_path / "out"
    args = ["--streaming", "--feeds", feed, "--poll-interval", "1", "--window", "2", "--allow-private-networks",
            "--min-delay", "0", "--output", out]
    kill_at([*args, "--stop-after", "30"], point)
    again = run_cli("run", *args, "--stop-after", "4")
    assert again.returncode == 0, again.stderr
    written = [url for table in ("articles", "duplicates") for (url,) in
               duckdb.sql(f"select url from read_parquet('{out}/{table}/date=*/*.parquet')").fetchall()]
    expected = [site.url(f"/a/{n}") for n in range(1, 6)] + [site.url("/copy/1")]
    assert sorted(written) == sorted(expected)  # every entry, each once
    visible_files(out)


def test_a_run_over_inputs_that_changed_since_the_kill_starts_over_and_misses_nothing(tmp_path):
    inputs = one_story_in_two_files(tmp_path)
    out = tmp_path / "out"
    kill_at(["--input", inputs, "--output", out, "--batch-files", "1"], "committed#1")
    with open(inputs / "a.jsonl", "a") as f:
        f.write(json.dumps({"url": "https://example.com/later", "text": "A later story about the new ferry. " * 5}) + "\n")
    again = run_cli("run", "--input", inputs, "--output", out, "--batch-files", "1")
    assert again.returncode == 0, again.stderr
    assert "resuming" not in again.stderr
    urls = sorted(u for (u,) in duckdb.sql(f"select url from read_parquet('{out}/articles/date=*/*.parquet')").fetchall())
    assert urls == ["https://example.com/later", "https://example.com/story"]
