"""The `news-ingest` command.

    news-ingest run [--input PATH ...] [--output DIR] [Beam pipeline options ...]

Flags of our own are parsed here; the rest goes to Beam's PipelineOptions. A user's mistake
(bad flag, missing path, unwritable output) is one line on stderr and exit code 2.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import uuid
from pathlib import Path

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

from pipeline import summary
from pipeline.graph import IngestConfig, build
from transforms.read import UsageError, expand_inputs
from transforms.write import MAX_ROWS_PER_FILE

PROG = "news-ingest"
# Beam's default DirectRunner first tries to download the Prism runner; this one runs in-process.
DEFAULT_RUNNER = "FnApiRunner"


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def bundled_samples() -> Path | None:
    for candidate in (Path(__file__).resolve().parent.parent / "samples",
                      Path(sys.prefix) / "share" / "news-ingest" / "samples"):
        if candidate.is_dir():
            return candidate
    return None


def parser() -> argparse.ArgumentParser:
    top = _Parser(prog=PROG, description="Ingest news articles into date-partitioned Parquet with Apache Beam.")
    sub = top.add_subparsers(dest="command", parser_class=_Parser, required=True)
    run = sub.add_parser("run", help="run the pipeline once over the inputs",
                         description="Run the pipeline. Arguments not listed here go to Beam "
                                     "(--runner, --direct_num_workers, --direct_running_mode, ...).")
    run.add_argument("--input", action="extend", nargs="+", default=[], metavar="PATH",
                     help="files or folders (recursive) to read; default: the bundled samples")
    run.add_argument("--output", default="output", metavar="DIR", help="output folder (default: ./output)")
    run.add_argument("--max-rows-per-file", type=int, default=MAX_ROWS_PER_FILE, metavar="N",
                     help=f"rows per Parquet file at most (default {MAX_ROWS_PER_FILE})")
    run.add_argument("-q", "--quiet", action="store_true", help="print only the summary (no progress lines)")
    return top


def beam_options(extra: list[str]) -> PipelineOptions:
    stray = [a for a in extra if not a.startswith("--")]
    if stray:
        raise UsageError(f"unexpected argument: {stray[0]}")
    options = PipelineOptions(extra)
    unknown = set(options.get_all_options(retain_unknown_options=True)) - set(options.get_all_options())
    if unknown:
        raise UsageError(f"unknown option: --{sorted(unknown)[0]}")
    if not options.view_as(StandardOptions).runner:
        options.view_as(StandardOptions).runner = DEFAULT_RUNNER
    return options


def check_output(output: str) -> str:
    if "://" in output and not output.startswith("file://"):
        return output.rstrip("/")
    path = Path(output.removeprefix("file://")).absolute()
    probe = path / f".write-probe-{uuid.uuid4().hex}"
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"output folder is not writable: {output} ({exc.strerror or exc})") from None
    return str(path)


def run(argv: list[str]) -> int:
    args, extra = parser().parse_known_args(argv)
    options = beam_options(extra)
    inputs = args.input
    if not inputs:
        samples = bundled_samples()
        if samples is None:
            raise UsageError("no --input given and the bundled samples are not installed")
        inputs = [str(samples)]
    if args.max_rows_per_file < 1:
        raise UsageError("--max-rows-per-file must be at least 1")
    files = expand_inputs(inputs)
    if not files:
        raise UsageError("no input files found under: " + " ".join(inputs))
    output = check_output(args.output)
    cfg = IngestConfig(inputs=files, output=output, max_rows_per_file=args.max_rows_per_file,
                       progress=not args.quiet)
    if not args.quiet:
        print(f"{PROG}: reading {len(files)} files into {output} with {options.view_as(StandardOptions).runner}",
              file=sys.stderr)
    started = time.monotonic()
    p = beam.Pipeline(options=options)
    build(p, cfg)
    result = p.run()
    result.wait_until_finish()
    elapsed = time.monotonic() - started
    print(summary.summarize(summary.counters(result), elapsed, output))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return run(argv)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
