"""Throughput and memory: the whole pipeline against trafilatura alone, on the same pages.

    python -m bench.throughput CORPUS [CORPUS ...] [--scale 10] [--rounds 3] [--json bench/results/throughput.json]

CORPUS is a folder of .html / .html.gz files or a WARC file (the pipeline reads the archive
itself; the baseline and the stages alone get its pages). For each corpus, in one run:
- baseline: `trafilatura.extract` over the pages in a process of its own (what a plain script does);
- each stage alone, in this process, on the pages' documents: read, extract, clean, language,
  dedup (features and LSH keys), write (rows to a Parquet file);
- the whole pipeline (`news-ingest run`, local runner) as a separate command, with 1 worker
  (FnApiRunner in one process) and with 2 (multi_processing), and peak resident memory of
  all its processes together, sampled from /proc;
- the same pipeline on the corpus copied `--scale` times (distinct file names, so every copy
  goes through every stage and is linked to the first as a duplicate), with 1 and 2 workers:
  memory should stay flat while the work grows, and the second worker counts for more once
  start-up is a small part of the run;
- a 5-document run, start-up included.
Documents per second are wall-clock. The 5-document run is almost all start-up and end, paid
once per run, which the baseline's clock leaves out and a second worker does not shorten; the
ratios `*_without_fixed` take it out, and `two_workers_vs_one_bound*` is what two workers could
reach at best with it in (Amdahl). The ratio pipeline/baseline is per core: a one-worker
run against the baseline's one process. The machine's speed drifts, so the baseline and the
small runs are taken in interleaved rounds and their medians compared; stage figures are one
timing each.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def html_pages(corpus: Path) -> list[tuple[str, bytes]]:
    """(name, HTML bytes) of every page in a folder of .html(.gz) files or a WARC, read by the
    pipeline's own readers (so the pages are the ones the pipeline would see)."""
    from transforms.read.files import read_path

    paths = sorted(str(p) for p in corpus.rglob("*") if p.is_file()) if corpus.is_dir() else [str(corpus)]
    out = []
    for path in paths:
        for n, doc in enumerate(d for d in read_path(path) if getattr(d, "content", None) is not None):
            data = doc.content.encode("utf-8") if isinstance(doc.content, str) else doc.content
            out.append((f"{Path(path).name.split('.')[0]}-{n:05d}.html", data))
    return out


def materialise(pages: list[tuple[str, bytes]], folder: Path, copies: int = 1) -> Path:
    """The pages as .html files (each copy under its own name), the pipeline's input."""
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(copies):
        for name, data in pages:
            (folder / (f"c{k:02d}-{name}" if copies > 1 else name)).write_bytes(data)
    return folder


def warc_copies(archive: Path, folder: Path, copies: int, responses: int | None = None) -> Path:
    """`copies` archives of the records of `archive` (the first `responses` responses, if
    given), the pipeline's input. Copy k > 0 has /ckk/ before each target URI's path, so its
    pages are documents of their own (linked as copies of the first), as the folder copies are."""
    from urllib.parse import urlsplit, urlunsplit

    from warcio.archiveiterator import ArchiveIterator
    from warcio.warcwriter import WARCWriter

    folder.mkdir(parents=True, exist_ok=True)
    for k in range(copies):
        with open(archive, "rb") as source, open(folder / f"c{k:02d}-{archive.name}", "wb") as target:
            writer, seen = WARCWriter(target, gzip=True), 0
            for record in ArchiveIterator(source):
                if record.rec_type == "response":
                    if responses is not None and seen == responses:
                        break
                    seen += 1
                uri = record.rec_headers.get_header("WARC-Target-URI")
                if k and uri:
                    parts = urlsplit(uri)
                    record.rec_headers.replace_header(
                        "WARC-Target-URI", urlunsplit(parts._replace(path=f"/c{k:02d}{parts.path or '/'}")))
                writer.write_record(record)
    return folder


_BASELINE = """
import sys, time
from pathlib import Path
import trafilatura
pages = [p.read_bytes() for p in sorted(Path(sys.argv[1]).iterdir())]
trafilatura.extract(pages[0])  # imports and first-call set-up are not per page
start = time.perf_counter()
for data in pages:
    trafilatura.extract(data)
print(len(pages), time.perf_counter() - start)
"""


def baseline(folder: Path) -> dict:
    """trafilatura.extract over the pages in a fresh process: the pipeline's extraction changes
    some of trafilatura's expressions in its own process (same results, less work), and the
    baseline must be trafilatura as a plain script gets it."""
    out = subprocess.run([sys.executable, "-c", _BASELINE, str(folder)], check=True, capture_output=True, text=True)
    documents, wall = out.stdout.split()
    documents, wall = int(documents), float(wall)
    return {"documents": documents, "seconds": round(wall, 3), "docs_per_s": round(documents / wall, 2)}


def stages(folder: Path) -> dict:
    """Each stage alone, in this process, on the output of the one before it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from schemas import article_row, file_schema
    from transforms.clean import clean
    from transforms.dedup import doc_features
    from transforms.extract import extract, install_speedups
    from transforms.language import detect_language
    from transforms.read.files import read_path
    from transforms.utils.stage import Rejected

    files = sorted(str(p) for p in folder.iterdir())
    timings = {}

    def timed(name, fn, items, documents=None):
        """Runs `fn` over `items` (`documents` of them in all); returns what came through."""
        start = time.perf_counter()
        done = []
        for item in items:
            try:
                result = fn(item)
            except Rejected:
                continue
            done.extend(result if isinstance(result, list) else [result])
        wall = time.perf_counter() - start
        n = len(items) if documents is None else documents
        timings[name] = {"documents": n, "seconds": round(wall, 3), "docs_per_s": round(n / wall, 1) if wall else None}
        return done

    from transforms.language.model import model
    model()  # models load once per worker, as the stages' setup does; not part of the per-document cost
    install_speedups()
    docs = timed("read", lambda p: [d for d in read_path(p) if hasattr(d, "content")], files)
    # First calls load lazily (trafilatura's and htmldate's tables, justext's stop lists), once
    # per worker, as the baseline's first call does before its clock starts.
    try:
        detect_language(clean(extract(docs[0].replace(date_hints=dict(docs[0].date_hints)))))
    except Rejected:
        pass
    docs = timed("extract", extract, docs)
    docs = timed("clean", clean, docs)
    docs = timed("language", detect_language, docs)
    timed("dedup", doc_features, docs)
    schema = file_schema("articles")
    with tempfile.TemporaryDirectory() as tmp:
        def write_all(batch):
            rows = [article_row(d) for d in batch]
            pq.write_table(pa.Table.from_pylist([{k: r[k] for k in schema.names} for r in rows], schema=schema),
                           f"{tmp}/part.parquet", compression="zstd")
            return []
        timed("write", write_all, [docs], documents=len(docs))  # one file for all rows, as a worker writes
    return timings


class PeakRss:
    """Peak resident memory of a process and all its descendants, sampled every 50 ms: the sum
    of their RSS, and near its peak the sum of their PSS (proportional: a page shared by n
    processes counts 1/n in each), since forked workers share many pages with the main
    process and RSS counts those once per process."""

    def __init__(self, pid: int):
        self.pid, self.peak, self.peak_pss, self._stop = pid, 0, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        pids, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            try:
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children") as f:
                        todo += [int(c) for c in f.read().split()]
            except OSError:
                pass
        return pids

    @staticmethod
    def _field(path: str, name: str) -> int:
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith(name):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def _run(self):
        pss_at = 0.0
        while not self._stop.is_set():
            tree = self._tree()
            rss = sum(self._field(f"/proc/{p}/status", "VmRSS:") for p in tree)
            self.peak = max(self.peak, rss)
            # Reading PSS walks the page tables (about 12 ms for a 400 MB process here), so it is
            # read at most once a second, and only near the peak, where it matters.
            if rss >= 0.95 * self.peak and time.monotonic() - pss_at >= 1.0:
                pss_at = time.monotonic()
                self.peak_pss = max(self.peak_pss, sum(self._field(f"/proc/{p}/smaps_rollup", "Pss:") for p in tree))
            self._stop.wait(0.05)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def pipeline_run(folder: Path, workers: int, out: Path) -> dict:
    args = [sys.executable, "-m", "pipeline", "run", "--input", str(folder), "--output", str(out), "-q"]
    if workers > 1:
        args += ["--direct_running_mode=multi_processing", f"--direct_num_workers={workers}"]
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    rss = PeakRss(proc.pid)
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    peak = rss.stop()
    if proc.returncode != 0:
        raise RuntimeError(f"pipeline failed: {stderr[-2000:]}")
    read = int(next(line for line in stdout.splitlines() if line.startswith("documents read:")).split()[2])
    shutil.rmtree(out, ignore_errors=True)
    return {"workers": workers, "documents": read, "seconds": round(wall, 2), "docs_per_s": round(read / wall, 2),
            "peak_rss_mb": round(peak / 2**20, 1), "peak_pss_mb": round(rss.peak_pss / 2**20, 1)}


def median_run(runs: list[dict]) -> dict:
    """The run with the median documents per second, with every run's figure beside it."""
    ordered = sorted(runs, key=lambda r: r["docs_per_s"])
    return {**ordered[len(ordered) // 2], "runs_docs_per_s": [r["docs_per_s"] for r in runs]}


def measure(corpus: Path, scale: int, tmp: Path, rounds: int = 3) -> dict:
    """The machine's speed drifts (it is shared), so the baseline and the small pipeline runs
    are taken in `rounds` interleaved rounds (baseline, 1 worker, 2 workers, 5 documents) and the medians
    compared; the baseline is taken once more beside the large runs."""
    pages = html_pages(corpus)
    folder = materialise(pages, tmp / "x1")
    # The pipeline reads a WARC as a user's run does: the archive itself, not its pages.
    if corpus.is_dir():
        pipeline_input = folder
        big = materialise(pages, tmp / f"x{scale}", copies=scale)
        small = materialise(pages[:5], tmp / "x5docs")
    else:
        pipeline_input = corpus
        big = warc_copies(corpus, tmp / f"x{scale}", scale)
        small = warc_copies(corpus, tmp / "x5docs", 1, responses=5)
    report = {"corpus": str(corpus), "pages": len(pages), "stages": stages(folder)}
    bases, ones, twos, fives = [], [], [], []
    for _ in range(rounds):
        bases.append(baseline(folder))
        ones.append(pipeline_run(pipeline_input, 1, tmp / "o1"))
        twos.append(pipeline_run(pipeline_input, 2, tmp / "o2"))
        fives.append(pipeline_run(small, 1, tmp / "o4"))
    report["pipeline_1_worker"], report["pipeline_2_workers"] = median_run(ones), median_run(twos)
    report[f"pipeline_1_worker_x{scale}"] = pipeline_run(big, 1, tmp / "o3")
    report[f"pipeline_2_workers_x{scale}"] = pipeline_run(big, 2, tmp / "o5")
    bases.append(baseline(folder))
    report["baseline_trafilatura_extract"] = median_run(bases)
    report["five_documents"] = median_run(fives)
    base = report["baseline_trafilatura_extract"]["docs_per_s"]
    one, two = report["pipeline_1_worker"], report["pipeline_2_workers"]
    large, large_two = report[f"pipeline_1_worker_x{scale}"], report[f"pipeline_2_workers_x{scale}"]
    report["ratios"] = {
        "pipeline_per_core_vs_baseline": round(one["docs_per_s"] / base, 3),
        "pipeline_per_core_vs_baseline_at_scale": round(large["docs_per_s"] / base, 3),
        "two_workers_vs_one": round(two["docs_per_s"] / one["docs_per_s"], 3),
        "two_workers_vs_one_at_scale": round(large_two["docs_per_s"] / large["docs_per_s"], 3),
        f"memory_x{scale}_vs_x1": round(large["peak_rss_mb"] / one["peak_rss_mb"], 3),
        f"memory_x{scale}_vs_x1_pss": round(large["peak_pss_mb"] / one["peak_pss_mb"], 3),
    }
    report["ratios"].update(startup_bounds(report["five_documents"]["seconds"], base, one, large))
    return report


def startup_bounds(fixed: float, base: float, one: dict, large: dict) -> dict:
    """What the run's fixed part allows. `fixed`: the 5-document run's wall time, which is almost
    all start-up and end (imports, graph, runner, summary), paid once per run whatever the corpus
    and not shortened by a second worker; the baseline's clock starts after its imports. Per core
    without it: documents over the rest of the run's time. The bound for two workers against one
    (Amdahl): the fixed part once, the rest halved."""
    def per_core(run):
        rest = run["seconds"] - fixed
        return round(run["documents"] / rest / base, 3) if rest > 0 else None

    def two_workers_bound(run):
        return round(run["seconds"] / (fixed + (run["seconds"] - fixed) / 2), 3)

    return {
        "fixed_seconds": fixed,
        "pipeline_per_core_vs_baseline_without_fixed": per_core(one),
        "pipeline_per_core_vs_baseline_at_scale_without_fixed": per_core(large),
        "two_workers_vs_one_bound": two_workers_bound(one),
        "two_workers_vs_one_bound_at_scale": two_workers_bound(large),
    }


def print_report(r: dict, scale: int) -> None:
    print(f"corpus: {r['corpus']} ({r['pages']} pages)")
    b = r["baseline_trafilatura_extract"]
    print(f"  trafilatura.extract alone, one process: {b['docs_per_s']} docs/s (runs: {b['runs_docs_per_s']})")
    print("  stages alone (docs/s): " + ", ".join(f"{k} {v['docs_per_s']}" for k, v in r["stages"].items()))
    for key in ("pipeline_1_worker", "pipeline_2_workers", f"pipeline_1_worker_x{scale}", f"pipeline_2_workers_x{scale}",
                "five_documents"):
        p = r[key]
        print(f"  {key}: {p['documents']} documents in {p['seconds']} s = {p['docs_per_s']} docs/s, "
              f"peak RSS {p['peak_rss_mb']} MB (PSS {p['peak_pss_mb']} MB)" + (f" (runs: {p['runs_docs_per_s']})" if "runs_docs_per_s" in p else ""))
    print("  ratios: " + ", ".join(f"{k} {v}" for k, v in r["ratios"].items()))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", nargs="+", type=Path)
    ap.add_argument("--scale", type=int, default=10, help="copies of the corpus for the memory check (default 10)")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the baseline and small runs (default 3)")
    ap.add_argument("--json", default="")
    args = ap.parse_args(argv)
    machine = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "cpus": os.cpu_count(),
               "processor": platform.processor() or platform.machine(), "python": platform.python_version()}
    reports = []
    for corpus in args.corpus:
        with tempfile.TemporaryDirectory() as tmp:
            report = measure(corpus, args.scale, Path(tmp), args.rounds)
        print_report(report, args.scale)
        reports.append(report)
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine, "corpora": reports}, indent=2) + "\n")


if __name__ == "__main__":
    main()
