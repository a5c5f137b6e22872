"""The continuous graph: Poll -> FirstSighting -> Fetch -> Extract -> Clean -> Language -> Deduplicate
-> Write per window.

Event time is poll time. Steps that group (fetching by host, merging the same entry from
several feeds) run in short fixed windows of one poll interval. Steps that remember (first
sightings, near-duplicates) run in the global window with per-key state that expires.
Writing groups each table by date within fixed windows of `window` seconds. Each file name
carries the window's start, so no window replaces another's files. Late rows come in a later
pane of their window and get a file of their own.

On Flink and Dataflow one run of this graph goes on for ever. FnApiRunner finishes the
source's stage before it starts the next stages. So locally, `run_local` runs the graph once
per window, with the source bounded to that window. Between windows, state is carried by the
output folder itself: the written ids, the near-duplicate signatures and the feeds' validators
under OUTPUT/_state.
"""
from __future__ import annotations

import signal
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import apache_beam as beam
from apache_beam.transforms import trigger, window

from pipeline import summary
from pipeline.graph import IngestConfig
from transforms.clean import Clean
from transforms.dedup import DUPLICATES, SIGNATURES, Deduplicate, ReadHistory, ReadSignatures, SkipWritten
from transforms.dedup.streaming import StreamingDeduplicate
from transforms.extract import Extract
from transforms.fetch.feeds import STATE, FetchFeeds, MergeEntries
from transforms.fetch.pages import FetchPages
from transforms.fetch.poll import PollFeeds
from transforms.fetch.seen import DEFAULT_TTL, FirstSighting
from transforms.fetch.state import LoadState, SaveState
from transforms.language import DetectLanguage
from transforms.read.feed import has_page
from transforms.stage import REJECTS
from transforms.write import WriteTables

LOCAL_RUNNERS = {"FnApiRunner", "DirectRunner", "BundleBasedDirectRunner", "SwitchingDirectRunner"}


@dataclass
class StreamConfig:
    poll_interval: float = 60.0
    window: float = 60.0  # seconds of event time per set of output files
    seen_ttl: timedelta = DEFAULT_TTL  # how long an article URL is remembered
    dedup_ttl: timedelta = timedelta(days=7)  # how long a story is remembered for near-duplicates
    allowed_lateness: float = 3600.0


def _fixed(seconds: float, name: str):
    # Grouped elements keep their earliest (poll) time, not the window's end, so that they land
    # in the output window of the poll that found them.
    return name >> beam.WindowInto(window.FixedWindows(seconds),
                                   timestamp_combiner=window.TimestampCombiner.OUTPUT_AT_EARLIEST)


def _global(name: str):
    return name >> beam.WindowInto(window.GlobalWindows())


def output_windows(scfg: StreamConfig) -> dict:
    """WindowInto arguments for writing: a pane when the watermark passes the window's end, then
    one more pane per late row (each pane its own file), rows later than `allowed_lateness` dropped."""
    return dict(windowfn=window.FixedWindows(scfg.window),
                trigger=trigger.AfterWatermark(late=trigger.AfterCount(1)),
                accumulation_mode=trigger.AccumulationMode.DISCARDING,
                allowed_lateness=scfg.allowed_lateness)


def build_stream(p: beam.Pipeline, cfg: IngestConfig, scfg: StreamConfig, start: float, stop: float | None,
                 local: bool = False):
    """Adds the continuous pipeline to `p`, polling from `start` to `stop` (None: for ever).

    `local`: this run covers one output window (see `run_local`), and near-duplicates are
    found within it and against the signatures of earlier windows and runs, as in a batch.
    Otherwise near-duplicates are found with per-key state that lives as long as the job."""
    history = p | "History" >> ReadHistory(cfg.output)
    state = p | "FeedState" >> LoadState(cfg.output)
    feeds = (p
             | "Poll" >> PollFeeds(cfg.feeds, scfg.poll_interval, start, stop)
             | _fixed(scfg.poll_interval, "PollWindows")
             | "FetchFeeds" >> FetchFeeds(cfg.fetch, state))
    entries = (feeds["main"]
               | "MergeEntries" >> MergeEntries(count_read=False)
               | _global("EntriesGlobal")
               | "FirstSighting" >> FirstSighting(scfg.seen_ttl)
               | "SkipWritten" >> SkipWritten(history))
    rejects = [feeds[REJECTS]]
    if cfg.no_fetch:
        documents = entries
    else:
        with_page, without_page = entries | "HasPage" >> beam.Partition(lambda d, n: 0 if has_page(d) else 1, 2)
        pages = with_page | _fixed(scfg.poll_interval, "FetchWindows") | "FetchPages" >> FetchPages(cfg.fetch)
        rejects.append(pages[REJECTS])
        documents = (pages["main"] | _global("PagesGlobal"), without_page) | "AllDocuments" >> beam.Flatten()
    extracted = documents | "Extract" >> Extract()
    cleaned = extracted["main"] | "Clean" >> Clean()
    languages = cleaned["main"] | "Language" >> DetectLanguage()
    rejects += [extracted[REJECTS], cleaned[REJECTS], languages[REJECTS]]
    tables = {REJECTS: [r | f"RejectsGlobal{i}" >> beam.WindowInto(window.GlobalWindows())
                        for i, r in enumerate(rejects)] | "AllRejects" >> beam.Flatten()}
    if local:
        # The signatures of earlier windows join this window's documents: stamped with the
        # window's start, they fall into the same window.
        w_start = window_bounds(start, scfg.window)[0]
        earlier = (p | "Signatures" >> ReadSignatures(cfg.output, cfg.run_date, cfg.history_days)
                   | "StampSignatures" >> beam.Map(lambda f: window.TimestampedValue(f, w_start))
                   | "SignatureWindows" >> beam.WindowInto(window.FixedWindows(scfg.window)))
        docs = languages["main"] | "DedupWindows" >> beam.WindowInto(window.FixedWindows(scfg.window))
        deduped = docs | "Deduplicate" >> Deduplicate(history, earlier)
        tables[SIGNATURES] = deduped[SIGNATURES]
    else:
        deduped = languages["main"] | "Deduplicate" >> StreamingDeduplicate(scfg.dedup_ttl)
    tables.update({"articles": deduped["articles"], DUPLICATES: deduped[DUPLICATES]})
    write_windows = output_windows(scfg)
    windowed = {name: pc | f"Window{name.title()}" >> beam.WindowInto(**write_windows) for name, pc in tables.items()}
    written = windowed | "Write" >> WriteTables(cfg.output, cfg.max_rows_per_file, cfg.run_date.isoformat())
    # The feeds' validators are saved with each window, for the next local window and for
    # scheduled batch runs on the same output.
    _ = (feeds[STATE] | "WindowState" >> beam.WindowInto(**write_windows)
         | "SaveFeedState" >> SaveState(cfg.output, written))
    return written


class StopFlag:
    """SIGINT and SIGTERM ask the loop to stop after the window being written; a second one aborts."""

    def __init__(self):
        self.event = threading.Event()

    def install(self):
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._handle)

    def _handle(self, signum, frame):
        if self.event.is_set():
            raise KeyboardInterrupt
        self.event.set()
        print(f"news-ingest: {signal.Signals(signum).name}: stopping after the current window "
              "(send it again to abort)", file=sys.stderr, flush=True)


def window_bounds(now: float, size: float) -> tuple[float, float]:
    start = now - now % size
    return start, start + size


def run_local(make_pipeline, cfg: IngestConfig, scfg: StreamConfig, stop_after: float | None,
              stop: StopFlag, quiet: bool = False) -> dict:
    """Runs the graph once per window until `stop_after` seconds have passed or a signal comes.

    Returns the counters added up over all windows."""
    began = time.time()
    deadline = began + stop_after if stop_after else None
    totals: dict[str, int] = {}
    first = True
    while not stop.event.is_set():
        now = time.time()
        if deadline is not None and now >= deadline:
            break
        w_start, w_end = window_bounds(now, scfg.window)
        until = min(w_end, deadline) if deadline is not None else w_end
        # The first poll happens at once; later windows poll from their start.
        poll_from = now if first else max(now, w_start)
        first = False
        cfg.run_date = datetime.fromtimestamp(w_start, timezone.utc).date()
        p = make_pipeline()
        build_stream(p, cfg, scfg, poll_from, until, local=True)
        result = p.run()
        result.wait_until_finish()
        counts = summary.counters(result)
        summary.add_up(totals, counts)
        if not quiet:
            print(summary.window_line(w_start, w_end, counts), file=sys.stderr, flush=True)
        remaining = until - time.time()
        if remaining > 0 and not stop.event.is_set():
            stop.event.wait(remaining)
    return totals
