"""The `news-ingest` command.

    news-ingest run [--input PATH ...] [--feeds FILE_OR_URL ...] [--urls FILE_OR_URL ...]
                    [--output DIR] [fetch options ...] [Beam pipeline options ...]
    news-ingest run --streaming --feeds FILE_OR_URL ... [--poll-interval S] [--window S]
                    [--stop-after S] [--output DIR] [...]

Flags of our own are parsed here; the rest goes to Beam's PipelineOptions. A user's mistake
(bad flag, missing path, unwritable output) is one line on stderr and exit code 2.
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

# Arrow's default allocator (mimalloc) keeps what it frees for its own later use, and each
# batch's write and history read left that on the peak: 429 MB against 379 MB on the x10 article
# corpus, 312-316 against 284 MB on one copy, at the same speed. The system allocator hands it back.
# Arrow reads this once, when its first allocation is made, so it is set before the imports
# (forked and spawned workers inherit it); a user's own choice stays.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

# The imports below make about 170,000 objects the cyclic collector tracks, which live as long
# as the process, and it scanned them again and again while they loaded (0.2 s of 1.4-1.6 s
# here): it is paused for the imports, and main() freezes what they made.
gc.disable()
try:
    import apache_beam as beam
    from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, StandardOptions, TestOptions

    from pipeline import summary
    from pipeline.batches import DEFAULT_BATCH_FILES, DEFAULT_BATCH_MB, plan_batches, run_batches, split_archives
    from pipeline.graph import IngestConfig, build
    from pipeline.options import Options
    from pipeline.streaming import LOCAL_RUNNERS, StopFlag, StreamConfig, build_stream, run_local
    from pipeline.worker_pool import WorkerPool, pipelines_on
    from transforms.fetch.client import DEFAULT_USER_AGENT, FetchConfig
    from transforms.fetch.feeds import expand_url_args
    from transforms.read import UsageError, expand_inputs
    from transforms.write import MAX_ROWS_PER_FILE
finally:
    gc.enable()

PROG = "news-ingest"
# Beam's default DirectRunner first tries to download the Prism runner; this one runs in-process.
DEFAULT_RUNNER = "FnApiRunner"


def _number(check, what):
    def parse(value):
        try:
            number = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
        if not check(number):
            raise argparse.ArgumentTypeError(f"{value!r} must be {what}")
        return number
    return parse


_positive = _number(lambda x: x > 0, "greater than 0")
_non_negative = _number(lambda x: x >= 0, "0 or more")


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
    run.add_argument("--feeds", action="extend", nargs="+", default=[], metavar="FILE_OR_URL",
                     help="feed URLs, or files listing them (one per line, # comments; or OPML)")
    run.add_argument("--urls", action="extend", nargs="+", default=[], metavar="FILE_OR_URL",
                     help="article page URLs, or files listing them")
    run.add_argument("--output", default="output", metavar="DIR", help="output folder (default: ./output)")
    web = run.add_argument_group("fetching")
    d = FetchConfig()
    web.add_argument("--no-fetch", action="store_true",
                     help="use each feed entry's own content or summary instead of fetching its page")
    web.add_argument("--allow-private-networks", action="store_true",
                     help="allow loopback, private and link-local addresses (refused by default)")
    web.add_argument("--user-agent", default=DEFAULT_USER_AGENT, metavar="UA", help="User-Agent header and robots.txt name")
    web.add_argument("--min-delay", type=_non_negative, default=d.min_delay, metavar="SECONDS",
                     help=f"pause between two requests to one host (default {d.min_delay}; robots.txt Crawl-delay may raise it)")
    web.add_argument("--connect-timeout", type=_positive, default=d.connect_timeout, metavar="SECONDS")
    web.add_argument("--timeout", type=_positive, default=d.read_timeout, metavar="SECONDS",
                     help=f"read timeout (default {d.read_timeout})")
    web.add_argument("--deadline", type=_positive, default=d.deadline, metavar="SECONDS",
                     help=f"total time for one request (default {d.deadline})")
    web.add_argument("--max-bytes", type=int, default=d.max_bytes, metavar="N",
                     help=f"largest body, after decompression (default {d.max_bytes})")
    web.add_argument("--max-redirects", type=int, default=d.max_redirects, metavar="N")
    web.add_argument("--max-attempts", type=int, default=d.max_attempts, metavar="N",
                     help=f"tries per request for connection errors, 429 and 5xx (default {d.max_attempts})")
    web.add_argument("--retry-delay", type=_non_negative, default=d.backoff_base, metavar="SECONDS",
                     help=f"first backoff before a retry, doubled each time (default {d.backoff_base})")
    web.add_argument("--fetch-threads", type=int, default=d.threads, metavar="N",
                     help=f"hosts fetched at once per worker (default {d.threads})")
    run.add_argument("--max-rows-per-file", type=int, default=MAX_ROWS_PER_FILE, metavar="N",
                     help=f"rows per Parquet file at most (default {MAX_ROWS_PER_FILE})")
    run.add_argument("--batch-files", type=int, default=DEFAULT_BATCH_FILES, metavar="N",
                     help="local runners: read the input files in batches of at most N files per worker, one "
                          "pipeline run each, so memory stays flat however large the input "
                          f"(default {DEFAULT_BATCH_FILES})")
    run.add_argument("--batch-mb", type=_positive, default=DEFAULT_BATCH_MB, metavar="MB",
                     help=f"local runners: and at most this many megabytes of input per worker (default {DEFAULT_BATCH_MB})")
    run.add_argument("-q", "--quiet", action="store_true", help="print only the summary (no progress lines)")
    run.add_argument("--detach", action="store_true",
                     help="submit the job and return without waiting for it (Dataflow, Flex Templates, Flink)")
    stream = run.add_argument_group("continuous run")
    stream.add_argument("--streaming", action="store_true",
                        help="poll the feeds until stopped (SIGINT or SIGTERM end it after the current window)")
    stream.add_argument("--poll-interval", type=_positive, default=60.0, metavar="SECONDS",
                        help="seconds between two polls of each feed (default 60)")
    stream.add_argument("--window", type=_positive, default=60.0, metavar="SECONDS",
                        help="seconds of output per set of files (default 60)")
    stream.add_argument("--stop-after", type=_positive, default=None, metavar="SECONDS",
                        help="end the run after this many seconds (default: run until stopped)")
    stream.add_argument("--remember-days", type=_positive, default=7.0, metavar="DAYS",
                        help="how long seen URLs and stories are remembered (default 7)")
    top.set_defaults(run_parser=run)
    return top


def run_actions() -> list[argparse.Action]:
    """`news-ingest run`'s own flags (for the Flex Template and its test)."""
    return [a for a in parser().get_default("run_parser")._actions if a.dest != "help"]


def run_flags() -> set[str]:
    return {a.dest for a in run_actions()}


def beam_options(extra: list[str]) -> PipelineOptions:
    stray = [a for a in extra if not a.startswith("--")]
    if stray:
        raise UsageError(f"unexpected argument: {stray[0]}")
    if not any(a.startswith("--default_sdk_harness_log_level") for a in extra):
        # Worker processes (multi_processing, portable runners) log every channel they open at INFO.
        extra = extra + ["--default_sdk_harness_log_level=WARNING"]
    options = Options(extra)
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
    feeds, local_feeds = expand_url_args(args.feeds, "feed")
    urls, _ = expand_url_args(args.urls, "URL")
    inputs = args.input + local_feeds
    check_streaming(args, feeds, inputs, urls)
    if args.feeds and not feeds and not local_feeds:
        raise UsageError("no feed URLs found in: " + " ".join(args.feeds))
    for name in ("max_bytes", "max_redirects", "max_attempts", "fetch_threads"):
        if getattr(args, name) < (0 if name == "max_redirects" else 1):
            raise UsageError(f"--{name.replace('_', '-')} must be at least {0 if name == 'max_redirects' else 1}")
    if not inputs and not feeds and not urls:
        samples = bundled_samples()
        if samples is None:
            raise UsageError("no --input given and the bundled samples are not installed")
        inputs = [str(samples)]
    for name in ("max_rows_per_file", "batch_files"):
        if getattr(args, name) < 1:
            raise UsageError(f"--{name.replace('_', '-')} must be at least 1")
    files = expand_inputs(inputs)
    if inputs and not files:
        raise UsageError("no input files found under: " + " ".join(inputs))
    output = check_output(args.output)
    fetch = FetchConfig(user_agent=args.user_agent, connect_timeout=args.connect_timeout, read_timeout=args.timeout,
                        deadline=args.deadline, max_bytes=args.max_bytes, max_redirects=args.max_redirects,
                        max_attempts=args.max_attempts, backoff_base=args.retry_delay, min_delay=args.min_delay,
                        allow_private=args.allow_private_networks, threads=args.fetch_threads)
    cfg = IngestConfig(inputs=files, output=output, feeds=feeds, urls=urls, fetch=fetch, no_fetch=args.no_fetch,
                       max_rows_per_file=args.max_rows_per_file, progress=not args.quiet)
    if not args.quiet:
        sources = [f"{n} {what}" for n, what in ((len(files), "files"), (len(feeds), "feeds"), (len(urls), "URLs")) if n]
        print(f"{PROG}: reading {', '.join(sources)} into {output} with {options.view_as(StandardOptions).runner}",
              file=sys.stderr)
    started = time.monotonic()
    if args.streaming:
        counts = run_streaming(args, cfg, options)
        if counts is None:
            return 0  # submitted to a service, or a dry run: there is nothing to sum up here
    elif is_local(options):
        # Limits are per worker: each worker process holds its share of a batch.
        workers = local_workers(options)
        cfg.spread_records = workers > 1
        max_bytes = int(args.batch_mb * (1 << 20)) * workers
        batches = plan_batches(split_archives(files, max_bytes, workers=workers), args.batch_files * workers, max_bytes)
        with local_pipelines(options) as make_pipeline:
            counts = run_batches(make_pipeline, cfg, batches, args.quiet)
    else:
        p = beam.Pipeline(options=options)
        build(p, cfg)
        result = p.run()
        if dry_run(options):
            return 0
        if args.detach:
            return submitted(result, options)
        result.wait_until_finish()
        counts = summary.counters(result)
    elapsed = time.monotonic() - started
    print(summary.summarize(counts, elapsed, output))
    return 0


def submitted(result, options: PipelineOptions) -> int:
    job = getattr(result, "job_id", lambda: None)()
    runner = options.view_as(StandardOptions).runner
    print(f"{PROG}: submitted the job to {runner}" + (f" as {job}" if job else ""), file=sys.stderr)
    return 0


def dry_run(options: PipelineOptions) -> bool:
    """With --dry_run (Dataflow), the job graph is built and checked but not submitted."""
    if not options.view_as(TestOptions).dry_run:
        return False
    runner = options.view_as(StandardOptions).runner
    print(f"{PROG}: dry run: the {runner} job graph was built and not submitted", file=sys.stderr)
    return True


def check_streaming(args, feeds: list[str], inputs: list[str], urls: list[str]) -> None:
    if not args.streaming:
        for flag in ("poll_interval", "window", "stop_after", "remember_days"):
            if getattr(args, flag) != parser_defaults()[flag]:
                raise UsageError(f"--{flag.replace('_', '-')} needs --streaming")
        return
    if not feeds:
        raise UsageError("--streaming needs --feeds with feed URLs to poll")
    if inputs or urls:
        raise UsageError("--streaming polls feed URLs only: run files and --urls as a batch")
    if args.window < args.poll_interval:
        raise UsageError("--window must be at least --poll-interval")


def is_local(options: PipelineOptions) -> bool:
    """A runner on this machine that keeps stage outputs in memory (FnApiRunner and friends)."""
    return str(options.view_as(StandardOptions).runner).rsplit(".", 1)[-1] in LOCAL_RUNNERS


def local_workers(options: PipelineOptions) -> int:
    direct = options.view_as(DirectOptions)
    return (direct.direct_num_workers or os.cpu_count() or 1) if direct.direct_running_mode != "in_memory" else 1


@contextlib.contextmanager
def local_pipelines(options: PipelineOptions):
    """A maker of local pipelines, one per batch or window: with multi_processing they run on
    worker processes made once for the whole run (pipeline/worker_pool.py), else in this process."""
    if options.view_as(DirectOptions).direct_running_mode == "multi_processing":
        with WorkerPool(local_workers(options)) as pool:
            yield pipelines_on(pool, options)
    else:
        yield lambda: beam.Pipeline(options=options)


def parser_defaults() -> dict:
    return vars(parser().parse_args(["run"]))


def run_streaming(args, cfg: IngestConfig, options: PipelineOptions) -> dict:
    """Locally, one pipeline run per window; on Flink or Dataflow one unbounded pipeline."""
    scfg = StreamConfig(poll_interval=args.poll_interval, window=args.window,
                        seen_ttl=timedelta(days=args.remember_days), dedup_ttl=timedelta(days=args.remember_days))
    stop = StopFlag()
    if is_local(options):
        stop.install()
        with local_pipelines(options) as make_pipeline:
            return run_local(make_pipeline, cfg, scfg, args.stop_after, stop, args.quiet)
    options.view_as(StandardOptions).streaming = True
    now = time.time()
    p = beam.Pipeline(options=options)
    build_stream(p, cfg, scfg, now, now + args.stop_after if args.stop_after else None)
    result = p.run()
    if dry_run(options):
        return None
    if not args.stop_after or args.detach:
        submitted(result, options)
        return None
    result.wait_until_finish()
    return summary.counters(result)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Modules and their tables are never garbage: frozen, later collections skip them, and
    # forked workers (pipeline/worker_pool.py) do not copy the pages that hold them.
    gc.freeze()
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
