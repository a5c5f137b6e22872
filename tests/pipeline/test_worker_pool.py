"""The local run's worker processes (pipeline/worker_pool.py): none outlives the run that made them,
and none has anything to say when it ends; runs on them write the files a run in one process writes."""
import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO, files, run_cli

_HOLD_A_POOL = """
import sys, time
from pipeline import worker_pool
worker_pool.start_method = lambda: "{method}"
try:
    with worker_pool.WorkerPool(2) as pool:
        print(" ".join(pool._addresses()), flush=True)
        time.sleep(float("{hold}"))
except KeyboardInterrupt:
    print("interrupted", file=sys.stderr)
    sys.exit(130)
"""


def _children(pid):
    out = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            out += [int(c) for c in f.read().split()]
    return out


def _ended(pid):
    """Gone, or a zombie waiting for a reaper that is not the test's to provide."""
    try:
        with open(f"/proc/{pid}/status") as f:
            return any(line.startswith("State:") and "Z" in line.split()[1] for line in f)
    except FileNotFoundError:
        return True


def _wait_ended(pids, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not all(_ended(p) for p in pids):
        time.sleep(0.1)
    return [p for p in pids if not _ended(p)]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("end", ["exit", "killed", "ctrl-c"])
@pytest.mark.parametrize("method", ["fork", "spawn"])  # spawn is what macOS gets
def test_worker_processes_end_with_the_process_that_made_them(method, end):
    script = _HOLD_A_POOL.format(method=method, hold=0.5 if end == "exit" else 600)
    holder = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        addresses = holder.stdout.readline().split()
        assert len(addresses) == 2 and all(a.startswith("localhost:") for a in addresses)
        workers = _children(holder.pid)  # the two, and spawn's resource tracker
        assert len(workers) == (2 if method == "fork" else 3)
        if end == "killed":
            holder.kill()  # no clean-up runs: the workers must notice on their own
        elif end == "ctrl-c":
            os.killpg(holder.pid, signal.SIGINT)  # a terminal sends it to the whole group
        assert holder.wait(timeout=30) == {"exit": 0, "killed": -9, "ctrl-c": 130}[end]
        assert _wait_ended(workers) == []
        # The main process answers Ctrl-C; the workers end with it, with nothing to say.
        assert holder.stderr.read().strip() == ("interrupted" if end == "ctrl-c" else "")
    finally:
        holder.kill()


def test_multi_processing_workers_give_the_same_output(samples_run, tmp_path):
    out, _ = samples_run
    mp_out = tmp_path / "mp"
    result = run_cli("run", "--output", mp_out, "--direct_running_mode=multi_processing", "--direct_num_workers=2")
    assert result.returncode == 0, result.stderr
    assert "direct_num_workers is not equal to 1" not in result.stderr
    assert files(mp_out) == files(out)


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
