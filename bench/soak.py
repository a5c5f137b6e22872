"""Soak: a long continuous run with short windows over a feed that keeps growing.

    python -m bench.soak [--windows 60] [--window 3] [--json bench/results/soak.json]

A local server's feed gains three stories at every poll and lists the latest thirty, as a busy
news feed does; every story is a page of its own. `news-ingest run --streaming` polls it every
second and writes a window every `--window` seconds, for at least `--windows` windows. The
command's resident memory is sampled every 0.1 s and each window's peak taken between its line
and the one before. Reported: the peak of windows 5-10 and of the last ten, their ratio, the
articles written, and the size of OUTPUT/_state against what --remember-days lets it hold (the
near-duplicate signatures of the days remembered, a feeds file, no leftover run records).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PER_POLL, LISTED = 3, 30
# A window whose pipeline run outlasts it makes the next start late: the run is given this many
# times the windows' length, so that at least `--windows` of them are written.
RUN_LENGTH = 1.4


def growing_feed(site, polls: int):
    from tests.webserver import rss, story

    def feed(req, hits):
        newest = PER_POLL * (hits + 1)
        items = [(f"Story {n}", site.url(f"/s/{n}")) for n in range(newest, max(0, newest - LISTED), -1)]
        return 200, {"Content-Type": "application/rss+xml"}, rss(items)
    site.add("/feed.xml", fn=feed)
    for n in range(1, PER_POLL * polls + 1):
        site.add(f"/s/{n}", story(n))
    return site.url("/feed.xml")


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def soak(windows: int, window: float) -> dict:
    sys.path.insert(0, str(REPO))
    import duckdb

    from tests.webserver import Site

    site = Site("127.0.0.1")
    feed = growing_feed(site, polls=int(windows * window) + 30)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        cmd = [sys.executable, "-m", "pipeline", "run", "--streaming", "--feeds", feed, "--poll-interval", "1",
               "--window", str(window), "--stop-after", str(windows * window * RUN_LENGTH), "--allow-private-networks",
               "--min-delay", "0", "--output", str(out)]
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        marks: list[float] = []
        lines: list[str] = []

        def read_stderr():
            for line in proc.stderr:
                if "news-ingest: window " in line:
                    marks.append(time.monotonic())
                    lines.append(line.strip())
        reader = threading.Thread(target=read_stderr, daemon=True)
        reader.start()
        samples = []
        while proc.poll() is None:
            samples.append((time.monotonic(), rss_mb(proc.pid)))
            time.sleep(0.1)
        summary = proc.stdout.read()
        reader.join()
        site.close()
        peaks, start = [], None
        for mark in marks:
            peaks.append(max((mb for t, mb in samples if (start is None or t > start) and t <= mark), default=0.0))
            start = mark
        articles = duckdb.sql(f"select count(*) from read_parquet('{out}/articles/date=*/*.parquet')").fetchall()[0][0]
        state = out / "_state"
        result = {
            "windows": len(peaks), "window_seconds": window, "articles": articles,
            "peak_rss_mb_windows_5_10": round(max(peaks[4:10]), 1) if len(peaks) >= 10 else None,
            "peak_rss_mb_last_10": round(max(peaks[-10:]), 1) if peaks else None,
            "state_bytes": folder_bytes(state),
            "state_signature_bytes": folder_bytes(state / "signatures"),
            "state_files": sorted(str(p.relative_to(state)) for p in state.rglob("*") if p.is_file())[:5],
            "run_records_left": len(list(state.glob("runs/*"))),
            "peaks_mb": [round(p, 1) for p in peaks],
            "summary": [line for line in summary.splitlines() if line.startswith(("articles", "balance", "polls"))],
        }
    if result["peak_rss_mb_windows_5_10"]:
        result["ratio_last_to_5_10"] = round(result["peak_rss_mb_last_10"] / result["peak_rss_mb_windows_5_10"], 3)
    return result


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--windows", type=int, default=60)
    ap.add_argument("--window", type=float, default=3.0)
    ap.add_argument("--json", default="")
    args = ap.parse_args(argv)
    result = soak(args.windows, args.window)
    for key in ("windows", "articles", "peak_rss_mb_windows_5_10", "peak_rss_mb_last_10", "ratio_last_to_5_10",
                "state_bytes", "state_signature_bytes", "run_records_left", "summary"):
        print(f"{key:28} {result.get(key)}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
