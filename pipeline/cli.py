"""`news-ingest run`: its flags and their checks, producing one CommandConfig.

    news-ingest run [--input PATH ...] [--feeds FILE_OR_URL ...] [--urls FILE_OR_URL ...]
                    [--output DIR] [fetch options ...] [Beam pipeline options ...]
    news-ingest run --streaming --feeds FILE_OR_URL ... [--poll-interval S] [--window S]
                    [--stop-after S] [--output DIR] [...]
    news-ingest compact OUTPUT [--date D ...] [--older-than-days N] [--target-mb M]
                    [--table articles|duplicates|rejects ...] [-q]      (pipeline/compact.py)
    news-ingest report OUTPUT [--html FILE] [--since YYYY-MM-DD] [-q]     (pipeline/report.py)

Flags of our own are parsed here; the rest are checked as Beam options and passed on untouched.
A user's mistake (bad flag, missing path, unwritable output) raises UsageError.
"""
from __future__ import annotations

import argparse
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path

from pipeline.compact import DEFAULT_OLDER_THAN_DAYS, TABLES, CompactConfig
from pipeline.config import DEFAULT_BATCH_FILES, DEFAULT_BATCH_MB, BatchLimits, CommandConfig, GraphConfig, StreamConfig
from pipeline.errors import UsageError
from pipeline.inputs import expand_inputs, expand_url_args
from pipeline.options import check_beam_args
from pipeline.report import ReportConfig
from transforms.extract import MAX_TEXT_CHARS
from transforms.fetch.client import DEFAULT_USER_AGENT, FetchConfig
from transforms.fetch.sitemaps import SitemapLimits
from transforms.filters import Filters, parse_host, parse_language
from transforms.utils.paths import is_local, local_path
from transforms.write import MAX_ROWS_PER_FILE
from transforms.write.compact import DEFAULT_TARGET_MB

PROG = "news-ingest"


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
    run.add_argument("--sitemaps", action="extend", nargs="+", default=[], metavar="FILE_OR_URL",
                     help="sitemaps to read (urlset, index, Google News, gzipped): URLs, sitemap files, or files "
                          "listing sitemap URLs; a scheduled run fetches only entries newer than the last run's")
    run.add_argument("--sites", action="extend", nargs="+", default=[], metavar="URL",
                     help="sites whose feeds and sitemaps are found and read: robots.txt Sitemap: lines, the "
                          "usual sitemap locations, feed links on the home page")
    run.add_argument("--output", default="output", metavar="DIR", help="output folder (default: ./output)")
    web = run.add_argument_group("fetching")
    fetch_defaults = FetchConfig()
    web.add_argument("--no-fetch", action="store_true",
                     help="use each feed entry's own content or summary instead of fetching its page")
    web.add_argument("--allow-private-networks", action="store_true",
                     help="allow loopback, private and link-local addresses (refused by default)")
    web.add_argument("--user-agent", default=DEFAULT_USER_AGENT, metavar="UA", help="User-Agent header and robots.txt name")
    web.add_argument("--min-delay", type=_non_negative, default=fetch_defaults.min_delay, metavar="SECONDS",
                     help=f"pause between two requests to one host (default {fetch_defaults.min_delay}; robots.txt Crawl-delay may raise it)")
    web.add_argument("--connect-timeout", type=_positive, default=fetch_defaults.connect_timeout, metavar="SECONDS")
    web.add_argument("--timeout", type=_positive, default=fetch_defaults.read_timeout, metavar="SECONDS",
                     help=f"read timeout (default {fetch_defaults.read_timeout})")
    web.add_argument("--deadline", type=_positive, default=fetch_defaults.deadline, metavar="SECONDS",
                     help=f"total time for one request (default {fetch_defaults.deadline})")
    web.add_argument("--max-bytes", type=int, default=fetch_defaults.max_bytes, metavar="N",
                     help=f"largest body, after decompression (default {fetch_defaults.max_bytes})")
    web.add_argument("--max-redirects", type=int, default=fetch_defaults.max_redirects, metavar="N")
    web.add_argument("--max-attempts", type=int, default=fetch_defaults.max_attempts, metavar="N",
                     help=f"tries per request for connection errors, 429 and 5xx (default {fetch_defaults.max_attempts})")
    web.add_argument("--retry-delay", type=_non_negative, default=fetch_defaults.backoff_base, metavar="SECONDS",
                     help=f"first backoff before a retry, doubled each time (default {fetch_defaults.backoff_base})")
    web.add_argument("--fetch-threads", type=int, default=fetch_defaults.threads, metavar="N",
                     help=f"hosts fetched at once per worker (default {fetch_defaults.threads})")
    web.add_argument("--max-sitemap-entries", type=int, default=SitemapLimits().max_entries, metavar="N",
                     help="entries taken per sitemap root and run, the newest first; past it the sitemap is "
                          f"a reject (too_many_entries): raise it for a backfill (default {SitemapLimits().max_entries})")
    run.add_argument("--max-rows-per-file", type=int, default=MAX_ROWS_PER_FILE, metavar="N",
                     help=f"rows per Parquet file at most (default {MAX_ROWS_PER_FILE})")
    run.add_argument("--max-text-chars", type=int, default=MAX_TEXT_CHARS, metavar="N",
                     help="a document whose text is longer is a reject, too_large: a book, a dump or files run "
                          f"together, not an article (default {MAX_TEXT_CHARS})")
    run.add_argument("--batch-files", type=int, default=DEFAULT_BATCH_FILES, metavar="N",
                     help="local runners: read the input files in batches of at most N files per worker, one "
                          "pipeline run each, so memory stays flat however large the input "
                          f"(default {DEFAULT_BATCH_FILES})")
    run.add_argument("--batch-mb", type=_positive, default=DEFAULT_BATCH_MB, metavar="MB",
                     help=f"local runners: and at most this many megabytes of input per worker (default {DEFAULT_BATCH_MB})")
    run.add_argument("--remember-days", type=_positive, default=7.0, metavar="DAYS",
                     help="how long stories (and, when continuous, seen URLs) are remembered: copies of stories "
                          "written this many days back are linked; older near-duplicate state is deleted (default 7)")
    run.add_argument("-q", "--quiet", action="store_true", help="print only the summary (no progress lines)")
    run.add_argument("--detach", action="store_true",
                     help="submit the job and return without waiting for it (Dataflow, Flex Templates, Flink)")
    add_filters(run)
    stream = run.add_argument_group("continuous run")
    stream.add_argument("--streaming", action="store_true",
                        help="poll the feeds until stopped (SIGINT or SIGTERM end it after the current window)")
    stream.add_argument("--poll-interval", type=_positive, default=60.0, metavar="SECONDS",
                        help="seconds between two polls of each feed (default 60)")
    stream.add_argument("--window", type=_positive, default=60.0, metavar="SECONDS",
                        help="seconds of output per set of files (default 60)")
    stream.add_argument("--stop-after", type=_positive, default=None, metavar="SECONDS",
                        help="end the run after this many seconds (default: run until stopped)")
    add_compact(sub)
    add_report(sub)
    top.set_defaults(run_parser=run)
    return top


def _date(value: str) -> str:
    """YYYY-MM-DD as the partition folders spell it (fromisoformat alone also takes 20260101)."""
    try:
        if date.fromisoformat(value).isoformat() == value:
            return value
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)")


def _listed(parse_one):
    """A flag's value as a comma-separated list ('en,de'), each item parsed by `parse_one`."""
    def parse(value):
        try:
            return [parse_one(item) for item in value.split(",") if item.strip()]
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return parse


def add_filters(run) -> None:
    filters = run.add_argument_group("filters", "only the documents asked for are written; the others are "
                                                "counted by filter in the summary (transforms/filters)")
    filters.add_argument("--languages", action="extend", nargs="+", type=_listed(parse_language), default=[],
                         metavar="CODES", help="keep only documents detected in these languages (ISO 639-1, "
                                               "comma-separated: en,de; 'und' for texts too short to tell)")
    filters.add_argument("--since", type=_date, default=None, metavar="YYYY-MM-DD",
                         help="keep only documents published on or after this day (UTC); a date known from the "
                              "feed entry or URL filters before the page is fetched")
    filters.add_argument("--until", type=_date, default=None, metavar="YYYY-MM-DD",
                         help="keep only documents published on or before this day (UTC)")
    filters.add_argument("--drop-undated", action="store_true",
                         help="drop documents with no publication date (by default they are kept)")
    filters.add_argument("--hosts", action="extend", nargs="+", type=_listed(parse_host), default=[],
                         metavar="HOSTS", help="keep only URLs of these hosts and their subdomains "
                                               "(comma-separated; checked before any request)")
    filters.add_argument("--exclude-hosts", action="extend", nargs="+", type=_listed(parse_host), default=[],
                         metavar="HOSTS", help="drop URLs of these hosts and their subdomains, before any request")


def filters_of(args) -> Filters:
    since = date.fromisoformat(args.since) if args.since else None
    until = date.fromisoformat(args.until) if args.until else None
    if since and until and since > until:
        raise UsageError(f"--since {args.since} is after --until {args.until}")
    flat = lambda lists: tuple(dict.fromkeys(item for items in lists for item in items))  # noqa: E731
    return Filters(languages=frozenset(flat(args.languages)), since=since, until=until,
                   drop_undated=args.drop_undated, hosts=flat(args.hosts), exclude_hosts=flat(args.exclude_hosts))


def output_command(sub, name: str, help: str, description: str, quiet: str):
    """A subcommand over the output folder of earlier runs: its OUTPUT argument and -q."""
    command = sub.add_parser(name, help=help, description=description)
    command.add_argument("output", metavar="OUTPUT", help="the output folder of earlier runs (local, or gs://, s3://, ...)")
    command.add_argument("-q", "--quiet", action="store_true", help=quiet)
    return command


def add_compact(sub) -> None:
    compact = output_command(sub, "compact", "merge the small Parquet files of closed date partitions",
                             "Merge each closed date partition's files smaller than --target-mb into files of that "
                             "size, with the same rows (pipeline/compact.py).", "print nothing when all goes well")
    compact.add_argument("--date", dest="dates", action="append", type=_date, default=[], metavar="D",
                         help="compact this date (YYYY-MM-DD), whatever its age; repeat for several")
    compact.add_argument("--older-than-days", type=int, default=None, metavar="N",
                         help=f"compact dates at least N days old (default {DEFAULT_OLDER_THAN_DAYS}: a continuous "
                              "run's windows and allowed lateness have passed)")
    compact.add_argument("--target-mb", type=_positive, default=DEFAULT_TARGET_MB, metavar="MB",
                         help=f"size of a merged file; smaller files are merged (default {DEFAULT_TARGET_MB})")
    compact.add_argument("--table", dest="tables", action="append", choices=TABLES, default=[],
                         help="a table to compact; repeat for several (default: all of " + ", ".join(TABLES) + ")")


def existing_output(value: str) -> str:
    """An output folder that earlier runs wrote (checked when local, made absolute)."""
    output = value.rstrip("/") or value
    if is_local(output):
        if not Path(local_path(output)).is_dir():
            raise UsageError(f"no such output folder: {value}")
        output = str(Path(local_path(output)).absolute())
    return output


def parse_compact(argv: list[str]) -> CompactConfig:
    """`compact`'s arguments -> CompactConfig; UsageError for anything wrong."""
    args = parser().parse_args(argv)
    if args.dates and args.older_than_days is not None:
        raise UsageError("--date and --older-than-days choose partitions two ways: give one")
    if args.older_than_days is not None and args.older_than_days < 0:
        raise UsageError("--older-than-days must be 0 or more")
    output = existing_output(args.output)
    older = DEFAULT_OLDER_THAN_DAYS if args.older_than_days is None else args.older_than_days
    return CompactConfig(output=output, dates=tuple(sorted(set(args.dates))), older_than_days=older,
                         target_bytes=int(args.target_mb * (1 << 20)), tables=tuple(args.tables or TABLES),
                         quiet=args.quiet)


def add_report(sub) -> None:
    report = output_command(sub, "report", "what the runs into an output folder did, as text and one HTML file",
                            "Print a short report on an output folder and, with --html, write one self-contained "
                            "HTML file with charts (pipeline/report.py).", "print only the text report")
    report.add_argument("--html", default=None, metavar="FILE", help="write the HTML report to this file")
    report.add_argument("--since", type=_date, default=None, metavar="YYYY-MM-DD",
                        help="only rows ingested on or after this date, and runs started since")


def parse_report(argv: list[str]) -> ReportConfig:
    """`report`'s arguments -> ReportConfig; UsageError for anything wrong."""
    args = parser().parse_args(argv)
    output = existing_output(args.output)
    html = args.html
    if html is not None and is_local(html):
        target = Path(local_path(html))
        if target.is_dir() or not target.absolute().parent.is_dir():
            raise UsageError(f"cannot write the HTML report to {html}: "
                             + ("it is a folder" if target.is_dir() else "no such folder"))
    return ReportConfig(output=output, html=html, since=args.since, quiet=args.quiet)


def run_actions() -> list[argparse.Action]:
    """`news-ingest run`'s own flags (for the Flex Template and its test)."""
    return [a for a in parser().get_default("run_parser")._actions if a.dest != "help"]


def run_flags() -> set[str]:
    return {a.dest for a in run_actions()}


def parser_defaults() -> dict:
    return vars(parser().parse_args(["run"]))


def check_output(output: str) -> str:
    if not is_local(output):
        return output.rstrip("/")
    path = Path(local_path(output)).absolute()
    probe = path / f".write-probe-{uuid.uuid4().hex}"
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"output folder is not writable: {output} ({exc.strerror or exc})") from None
    return str(path)


def check_streaming(args, polled: list[str], inputs: list[str], urls: list[str]) -> None:
    if not args.streaming:
        for flag in ("poll_interval", "window", "stop_after"):
            if getattr(args, flag) != parser_defaults()[flag]:
                raise UsageError(f"--{flag.replace('_', '-')} needs --streaming")
        return
    if not polled:
        raise UsageError("--streaming needs --feeds, --sitemaps or --sites with URLs to poll")
    if inputs or urls:
        raise UsageError("--streaming polls feed, sitemap and site URLs only: run files and --urls as a batch")
    if args.window < args.poll_interval:
        raise UsageError("--window must be at least --poll-interval")


def check_counts(args, names: tuple) -> None:
    for name in names:
        least = 0 if name == "max_redirects" else 1
        if getattr(args, name) < least:
            raise UsageError(f"--{name.replace('_', '-')} must be at least {least}")


def parse(argv: list[str]) -> CommandConfig:
    """`run`'s arguments -> CommandConfig; UsageError for anything wrong."""
    args, extra = parser().parse_known_args(argv)
    beam_args = check_beam_args(extra)
    feeds, local_feeds = expand_url_args(args.feeds, "feed")
    urls, _ = expand_url_args(args.urls, "URL")
    sitemaps, local_sitemaps = expand_url_args(args.sitemaps, "sitemap")
    sitemaps += [s for s in local_sitemaps if s not in sitemaps]
    sites, _ = expand_url_args(args.sites, "site")
    inputs = args.input + local_feeds
    check_streaming(args, feeds + sitemaps + sites, inputs, urls)
    for flag, given, found in (("feed", args.feeds, feeds or local_feeds), ("sitemap", args.sitemaps, sitemaps),
                               ("site", args.sites, sites)):
        if given and not found:
            raise UsageError(f"no {flag} URLs found in: " + " ".join(given))
    if args.no_fetch and args.sitemaps:
        raise UsageError("--no-fetch: sitemap entries have no content of their own; leave out --sitemaps")
    check_counts(args, ("max_bytes", "max_redirects", "max_attempts", "fetch_threads", "max_sitemap_entries"))
    if not inputs and not feeds and not urls and not sitemaps and not sites:
        samples = bundled_samples()
        if samples is None:
            raise UsageError("no --input given and the bundled samples are not installed")
        inputs = [str(samples)]
    check_counts(args, ("max_rows_per_file", "max_text_chars", "batch_files"))
    files = expand_inputs(inputs)
    if inputs and not files:
        raise UsageError("no input files found under: " + " ".join(inputs))
    fetch = FetchConfig(user_agent=args.user_agent, connect_timeout=args.connect_timeout, read_timeout=args.timeout,
                        deadline=args.deadline, max_bytes=args.max_bytes, max_redirects=args.max_redirects,
                        max_attempts=args.max_attempts, backoff_base=args.retry_delay, min_delay=args.min_delay,
                        allow_private=args.allow_private_networks, threads=args.fetch_threads)
    graph = GraphConfig(inputs=tuple(files), output=check_output(args.output), feeds=tuple(feeds), urls=tuple(urls),
                        sitemaps=tuple(sitemaps), sites=tuple(sites),
                        sitemap_limits=SitemapLimits(max_entries=args.max_sitemap_entries), fetch=fetch, no_fetch=args.no_fetch, max_rows_per_file=args.max_rows_per_file,
                        max_text_chars=args.max_text_chars, history_days=args.remember_days,
                        progress=not args.quiet, filters=filters_of(args))
    remember = timedelta(days=args.remember_days)
    stream = StreamConfig(poll_interval=args.poll_interval, window=args.window, seen_ttl=remember,
                          dedup_ttl=remember, stop_after=args.stop_after) if args.streaming else None
    return CommandConfig(graph=graph, beam_args=beam_args, stream=stream,
                         batches=BatchLimits(max_files=args.batch_files, max_mb=args.batch_mb),
                         quiet=args.quiet, detach=args.detach)
