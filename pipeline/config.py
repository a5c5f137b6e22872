"""What one run of the command does, as frozen records: made once by the command line
(pipeline/cli.py), read by the graph builders and the ways to run, changed by nobody."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from transforms.dedup import DEFAULT_HISTORY_DAYS
from transforms.extract import MAX_TEXT_CHARS
from transforms.fetch.client import FetchConfig
from transforms.fetch.sitemaps import SitemapLimits
from transforms.filters import Filters
from transforms.write import MAX_ROWS_PER_FILE

DEFAULT_BATCH_FILES = 500
DEFAULT_BATCH_MB = 64


def today() -> date:
    return datetime.now(timezone.utc).date()


@dataclass(frozen=True)
class GraphConfig:
    """What a graph reads and where it writes."""
    inputs: tuple = ()  # files, already expanded (or WarcParts: parts of an archive)
    output: str = "output"
    feeds: tuple = ()  # feed URLs
    urls: tuple = ()  # article page URLs
    sitemaps: tuple = ()  # sitemap URLs or files (roots: indexes are followed)
    sites: tuple = ()  # site URLs whose feeds and sitemaps are to be found
    sitemap_limits: SitemapLimits = field(default_factory=SitemapLimits)
    fetch: FetchConfig = field(default_factory=FetchConfig)
    no_fetch: bool = False  # feed entries' own content instead of their pages
    max_rows_per_file: int = MAX_ROWS_PER_FILE
    max_text_chars: int = MAX_TEXT_CHARS  # a longer text is a reject (too_large)
    progress: bool = True
    history_days: float = DEFAULT_HISTORY_DAYS  # copies of stories written this many days back are linked
    run_date: date = field(default_factory=today)
    # Output files written by earlier batches of this run, when a run is split into batches.
    written_this_run: frozenset = frozenset()
    # Records of one archive spread over the workers before extraction; off for one local worker.
    spread_records: bool = True
    # One batch of several: {'record': run record path, 'batch': its number} (pipeline/local_batches.py).
    batch_of_run: dict | None = None
    # Which documents are kept: hosts, publication dates, languages (transforms/filters).
    filters: Filters = field(default_factory=Filters)


@dataclass(frozen=True)
class StreamConfig:
    """A continuous run: how often feeds are polled and how output is cut into windows."""
    poll_interval: float = 60.0
    window: float = 60.0  # seconds of event time per set of output files
    seen_ttl: timedelta = timedelta(days=7)  # how long an article URL is remembered
    dedup_ttl: timedelta = timedelta(days=7)  # how long a story is remembered for near-duplicates
    allowed_lateness: float = 3600.0
    stop_after: float | None = None  # seconds; None: until stopped


@dataclass(frozen=True)
class BatchLimits:
    """Local runners: input per pipeline run, per worker (see pipeline/local_batches.py)."""
    max_files: int = DEFAULT_BATCH_FILES
    max_mb: float = DEFAULT_BATCH_MB


@dataclass(frozen=True)
class CommandConfig:
    """Everything `news-ingest run` was asked to do."""
    graph: GraphConfig
    beam_args: tuple  # Beam's own options, checked, passed on untouched
    stream: StreamConfig | None = None  # None: a batch run
    batches: BatchLimits = field(default_factory=BatchLimits)
    quiet: bool = False
    detach: bool = False
