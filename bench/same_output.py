"""Digests of the pipeline's output files over fixed scenarios, to show that a change leaves them identical.

    python -m bench.same_output --work DIR --json FILE [--only SCENARIO ...]   # run, digest, save
    python -m bench.same_output --compare A.json B.json                         # exit 1 on any difference

Run it from the root of the checkout to test (a git worktree of an older commit for a baseline), with
the project's venv; --shared defaults to ../shared, or the one beside the main working tree.

Each scenario runs `python -m pipeline run ... -q` (default local runner) of the checkout this file is
in, with PYTHONPATH set to it, into fresh folders under --work:
  samples           the bundled samples
  two_runs          samples/html, then samples into the same output, then the same again (a repeat)
  near_dups         the wire-story sets of bench/near_dup_corpus.py (seeds 7 and 11) as one JSONL file
  batches           the seed-7 set split into 3 JSONL files, run with --batch-files 1
  article_benchmark 60 pages of ../shared/eval/article-extraction-benchmark as .html files
  multi_processing  samples with --direct_running_mode=multi_processing --direct_num_workers=2
  stream_local      a continuous run polling samples/feeds/city-desk.rss from a loopback server

Inputs are copied to one fixed folder (--inputs), not under --work, with fixed modification times:
a local file's file:// URL (and so its id and the names of the files holding it) contains its path,
and its fetched_at (and the date of an undated document) is its modification time. Both sides of a
comparison must use the same --inputs, and two runs must not share it at the same time (a lock
guards it). The loopback server listens on a fixed port for the same reason: a feed's relative links
resolve against the feed's URL.

For every Parquet file under an output (articles/, duplicates/, rejects/, _state/signatures/) the
JSON holds its relative path, its rows, a sha256 of its schema and rows, and a sha256 per column, less
the columns that vary from run to run (VARYING). Names are content hashes and kept, except a
continuous run's window start and the signatures' run date (see normalise). Other files are
recorded by name only. Each
scenario also has "tables" (rows per table) and "inputs" (a sha256 of its input files).
"""
from __future__ import annotations

import argparse
import contextlib
import fcntl
import gzip
import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from functools import cache, partial
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INPUTS = Path("/tmp/same-output-inputs")
# Modification time of the first staged file (2026-01-01T00:00:00Z); each next one a minute later.
FIXED_MTIME = 1767225600
NEAR_DUP_SEEDS = (7, 11)
BENCHMARK_PAGES = 60
STREAM_PORT = 47613
STREAM_ARGS = ["--poll-interval", "1", "--window", "2", "--stop-after", "4"]
MULTI_PROCESSING = ["--direct_running_mode=multi_processing", "--direct_num_workers=2"]
# Columns left out of the digest, by scenario ('*': all), because they hold the run's clock.
# A continuous run stamps feed entries with the poll time. Local files carry their (fixed) mtime.
VARYING = {"stream_local": {"fetched_at"}}
# A continuous run's file names start with their window's start (part-20261207T070034Z-<hash>):
# that is replaced by the window's rank in the output (W0, W1, ...).
WINDOW_LABEL = re.compile(r"part-(\d{8}T\d{6}Z)-")
# Signatures are kept under _state/signatures/date=<run date>: that date becomes RUN_DATE.
SIGNATURE_DATE = re.compile(r"^(.*_state/signatures/date=)(\d{4}-\d{2}-\d{2})(/.*)$")


# --- inputs -------------------------------------------------------------------------------------

def fix_mtimes(folder: Path) -> None:
    """Gives the files under `folder` fixed modification times, a minute apart in name order."""
    for n, path in enumerate(sorted(p for p in folder.rglob("*") if p.is_file())):
        os.utime(path, (FIXED_MTIME + 60 * n, FIXED_MTIME + 60 * n))


def fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def stage_samples(inputs: Path) -> Path:
    target = inputs / "samples"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(ROOT / "samples", target)
    fix_mtimes(target)
    return target


def find_shared(given: str | None) -> Path:
    """../shared beside the checkout, or beside the main working tree when this is a git worktree."""
    if given:
        return Path(given)
    common = subprocess.run(["git", "rev-parse", "--path-format=absolute", "--git-common-dir"], cwd=ROOT,
                            capture_output=True, check=False, text=True).stdout.strip()
    candidates = [ROOT.parent / "shared"] + ([Path(common).parent.parent / "shared"] if common else [])
    return next((c for c in candidates if (c / "eval").is_dir()), candidates[0])


@cache
def near_dup_records(shared: Path, seed: int) -> list[dict]:
    """The wire-story set of `seed` as JSONL records; publication times spread over three days."""
    from bench.near_dup_corpus import build, load_sources
    sources = load_sources(shared)
    if not sources:
        raise SystemExit(f"no near-duplicate source texts under {shared}/eval")
    records = []
    for n, item in enumerate(build(sources, seed=seed)):
        published = datetime.fromtimestamp(FIXED_MTIME + 2 * 86400 + 1800 * (n % 144), UTC)
        records.append({"url": f"https://wire.example/{item.id}", "title": item.text.split("\n", 1)[0][:120],
                        "text": item.text, "published": published.isoformat(), "authors": ["Wire Desk"]})
    return records


def write_jsonl(records: list[dict], path: Path) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


def stage_benchmark_pages(shared: Path, target: Path) -> Path:
    pages = sorted((shared / "eval" / "article-extraction-benchmark" / "html").glob("*.html.gz"))[:BENCHMARK_PAGES]
    if not pages:
        raise SystemExit(f"no pages under {shared}/eval/article-extraction-benchmark/html")
    fresh(target)
    for page in pages:
        (target / page.name[: -len(".gz")]).write_bytes(gzip.decompress(page.read_bytes()))
    fix_mtimes(target)
    return target


def inputs_digest(*folders: Path) -> str:
    h = hashlib.sha256()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            h.update(f"{path.relative_to(folder.parent)}\0{int(path.stat().st_mtime)}\0".encode())
            h.update(path.read_bytes())
    return h.hexdigest()


# --- running ------------------------------------------------------------------------------------

def cli_env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def check_imports() -> None:
    """The pipeline run must be this checkout's, not the editable install's."""
    code = "import pipeline, transforms; print(pipeline.__file__); print(transforms.__file__)"
    found = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=cli_env(), capture_output=True,
                           text=True, check=True).stdout.split()
    if not all(Path(f).is_relative_to(ROOT) for f in found):
        raise SystemExit(f"pipeline resolves outside {ROOT}: {found}")
    print(f"pipeline from {ROOT}")


def run_cli(*args) -> None:
    cmd = [sys.executable, "-m", "pipeline", "run", *map(str, args), "-q"]
    r = subprocess.run(cmd, cwd=ROOT, env=cli_env(), capture_output=True, text=True, check=False)
    if r.returncode != 0:
        raise SystemExit(f"failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr[-3000:]}")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(folder: Path, port: int):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()


# --- digests ------------------------------------------------------------------------------------

def sha(value) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, default=str).encode()).hexdigest()


def digest_table(path: Path, drop: set) -> dict:
    table = pq.ParquetFile(path).read()  # the file alone: `date` is in the folder name, kept in the path
    table = table.drop_columns([c for c in table.column_names if c in drop])
    columns = {name: table.column(name).to_pylist() for name in table.column_names}
    rows = [[columns[name][i] for name in table.column_names] for i in range(table.num_rows)]
    return {"rows": table.num_rows, "sha256": sha([str(table.schema), rows]),
            "columns": {name: sha(values)[:16] for name, values in columns.items()}}


def normalise(relative: str, windows: list[str], run_dates: set) -> str:
    """Relative path with the run's clock taken out of it (see WINDOW_LABEL and SIGNATURE_DATE)."""
    relative = WINDOW_LABEL.sub(lambda m: f"part-W{windows.index(m.group(1))}-", relative)
    m = SIGNATURE_DATE.match(relative)
    return f"{m.group(1)}RUN_DATE{m.group(3)}" if m and m.group(2) in run_dates else relative


def digest_output(out: Path, drop: set, run_dates: set, prefix: str = "") -> dict:
    # Run records (_state/summaries/) hold the run's start and duration: not output to compare.
    files = sorted(p for p in out.rglob("*") if p.is_file() and "_state/summaries" not in p.as_posix())
    windows = sorted({m.group(1) for p in files for m in [WINDOW_LABEL.search(p.name)] if m})
    result = {}
    for path in files:
        key = prefix + normalise(str(path.relative_to(out)), windows, run_dates)
        result[key] = digest_table(path, drop) if path.suffix == ".parquet" else {"name_only": True}
    return result


def table_rows(files: dict) -> dict:
    """Rows per table: articles, duplicates, rejects, signatures (under each prefix, if any)."""
    counts = {}
    for path, entry in files.items():
        if "rows" in entry:
            table = path.replace("_state/signatures", "signatures").split("/date=")[0]
            counts[table] = counts.get(table, 0) + entry["rows"]
    return dict(sorted(counts.items()))


def utc_day() -> str:
    return datetime.now(UTC).date().isoformat()


# --- scenarios ----------------------------------------------------------------------------------
# Each takes (work folder, inputs folder, shared folder) and returns {output folder: path prefix}
# and the input folders it read.

def samples(work, inputs, shared, extra=()):
    """The bundled samples, from their staged copy: read from the checkout (no --input), their
    file:// URLs, ids and file names would name the checkout's folder."""
    staged = stage_samples(inputs)
    out = work / "out"
    run_cli("--input", staged, "--output", out, *extra)
    return {out: ""}, [staged]


def multi_processing(work, inputs, shared):
    return samples(work, inputs, shared, MULTI_PROCESSING)


def two_runs(work, inputs, shared):
    staged = stage_samples(inputs)
    out, second = work / "out", work / "after-second"
    run_cli("--input", staged / "html", "--output", out)
    run_cli("--input", staged, "--output", out)
    shutil.copytree(out, second)
    run_cli("--input", staged, "--output", out)
    return {second: "second/", out: "third/"}, [staged]


def near_dups(work, inputs, shared):
    outputs, folders = {}, []
    for seed in NEAR_DUP_SEEDS:
        folder = fresh(inputs / f"near_dups_seed{seed}")
        write_jsonl(near_dup_records(shared, seed), folder / "wire.jsonl")
        fix_mtimes(folder)
        out = work / f"seed{seed}"
        run_cli("--input", folder, "--output", out)
        outputs[out], folders = f"seed{seed}/", folders + [folder]
    return outputs, folders


def batches(work, inputs, shared):
    folder = fresh(inputs / "batches")
    records = near_dup_records(shared, NEAR_DUP_SEEDS[0])
    for k in range(3):  # round robin: copies land in other batches than their originals
        write_jsonl(records[k::3], folder / f"wire-{k + 1}.jsonl")
    fix_mtimes(folder)
    out = work / "out"
    run_cli("--input", folder, "--output", out, "--batch-files", "1")
    return {out: ""}, [folder]


def article_benchmark(work, inputs, shared):
    folder = stage_benchmark_pages(shared, inputs / "article_benchmark")
    out = work / "out"
    run_cli("--input", folder, "--output", out)
    return {out: ""}, [folder]


def stream_local(work, inputs, shared):
    """Local feed files cannot be polled (--streaming takes feed URLs only): the sample feed is served
    from 127.0.0.1 and its entries are taken as they are (--no-fetch)."""
    staged = stage_samples(inputs)
    out = work / "out"
    with serve(staged / "feeds", STREAM_PORT) as base:
        run_cli("--streaming", "--feeds", f"{base}/city-desk.rss", "--no-fetch", "--allow-private-networks",
                "--min-delay", "0", *STREAM_ARGS, "--output", out)
    return {out: ""}, [staged / "feeds"]


SCENARIOS = {f.__name__: f for f in (samples, two_runs, near_dups, batches, article_benchmark, multi_processing,
                                     stream_local)}


def run_scenario(name: str, work: Path, inputs: Path, shared: Path) -> dict:
    began = time.monotonic()
    days = {utc_day()}
    outputs, folders = SCENARIOS[name](fresh(work / name), inputs, shared)
    days.add(utc_day())
    drop = VARYING.get(name, set()) | VARYING.get("*", set())
    files = {}
    for out, prefix in outputs.items():
        files.update(digest_output(out, drop, days, prefix))
    tables = table_rows(files)
    print(f"{name}: {tables} ({time.monotonic() - began:.0f} s)", flush=True)
    return {"inputs": inputs_digest(*folders), "tables": tables, **dict(sorted(files.items()))}


def part(result: dict, scenario: str, prefix: str = "") -> dict:
    return {k[len(prefix):]: v for k, v in result.get(scenario, {}).items() if k.startswith(prefix) and "/" in k}


def check_rules(result: dict) -> None:
    """Says so when a repeated run changed the output, or two workers wrote other files than one."""
    checks = [("two_runs: the repeated run changed the output", ("two_runs", "second/"), ("two_runs", "third/")),
              ("multi_processing: the output differs from samples'", ("samples", ""), ("multi_processing", ""))]
    for message, a, b in checks:
        if a[0] in result and b[0] in result and part(result, *a) != part(result, *b):
            print(f"{message}: " + "; ".join(diff_files(part(result, *a), part(result, *b))))


def run_all(args) -> None:
    check_imports()
    work, inputs, shared = Path(args.work).resolve(), Path(args.inputs).resolve(), find_shared(args.shared)
    inputs.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    with open(f"{inputs}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = {name: run_scenario(name, work, inputs, shared) for name in args.only or SCENARIOS}
    print(f"all scenarios: {time.monotonic() - began:.0f} s")
    check_rules(result)
    Path(args.json).write_text(json.dumps(result, indent=1, sort_keys=True) + "\n")


# --- comparing ----------------------------------------------------------------------------------

def describe(entry: dict | None) -> str:
    if entry is None:
        return "absent"
    return "file" if "rows" not in entry else f"{entry['rows']} rows"


def diff_files(a: dict, b: dict) -> list[str]:
    lines = []
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key), b.get(key)
        if x == y:
            continue
        if key in ("inputs", "tables"):
            lines.append(f"{key}: {x} | {y}")
            continue
        cols = x and y and "columns" in x and "columns" in y
        changed = sorted(c for c in set(x["columns"]) | set(y["columns"])
                         if x["columns"].get(c) != y["columns"].get(c)) if cols else []
        lines.append(f"{key}: {describe(x)} | {describe(y)}" + (f"; columns differ: {', '.join(changed)}"
                                                                  if changed else ""))
    return lines


def compare(path_a: str, path_b: str) -> int:
    a, b = json.loads(Path(path_a).read_text()), json.loads(Path(path_b).read_text())
    differs = False
    for name in sorted(set(a) | set(b), key=lambda n: list(SCENARIOS).index(n) if n in SCENARIOS else 99):
        if name not in a or name not in b:
            print(f"{name}: only in {path_a if name in a else path_b}")
            differs = True
            continue
        lines = diff_files(a[name], b[name])
        print(f"{name}: identical" if not lines else f"{name}: DIFFERS ({path_a} | {path_b})")
        for line in lines:
            print("  " + line)
        differs = differs or bool(lines)
    return 1 if differs else 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", help="folder for the outputs (emptied per scenario)")
    ap.add_argument("--json", help="where to write the digests")
    ap.add_argument("--only", nargs="+", choices=list(SCENARIOS), help="these scenarios only")
    ap.add_argument("--inputs", default=str(DEFAULT_INPUTS), help="fixed folder for the staged inputs")
    ap.add_argument("--shared", help="the shared folder with eval/ (default: ../shared)")
    ap.add_argument("--compare", nargs=2, metavar=("A", "B"), help="compare two JSON files of digests")
    args = ap.parse_args(argv)
    if args.compare:
        return compare(*args.compare)
    if not (args.work and args.json):
        ap.error("--work and --json are needed to run the scenarios")
    run_all(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
