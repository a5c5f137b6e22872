"""The Beam graphs: a batch and a continuous run, over the same stages.

    batch:      Read files / FetchFeeds -> [filter] -> FetchPages -> AnalyseDocuments -> [filter]
                -> Deduplicate -> Write
    continuous: Poll -> FetchFeeds -> FirstSighting -> [filter] -> FetchPages -> AnalyseDocuments
                -> [filter] -> Deduplicate (per window, or with state) -> Write per window

[filter]: the user's filters (transforms/filters), when any are on: hosts and dates known before
the fetch or parse, then hosts, resolved dates and languages after analysis.

One article can be followed from source to Parquet by opening one package per stage:
transforms/read (files) or transforms/fetch (web), then extract, clean, language, dedup, write.
Windowing lives in the composites that group; in a batch they add no windowing steps.
"""
from __future__ import annotations

from datetime import datetime, timezone

import apache_beam as beam

from pipeline.config import GraphConfig, StreamConfig
from pipeline.progress import ReportProgress
from schemas import Document
from transforms.clean import Clean
from transforms.dedup import DUPLICATES, SIGNATURES, Deduplicate, ReadSignatures, SkipWritten
from transforms.dedup.history import Written, output_files
from transforms.dedup.streaming import StreamingDeduplicate
from transforms.extract import MAX_TEXT_CHARS, Extract
from transforms.fetch.feeds import STATE, FetchFeeds, MergeEntries
from transforms.fetch.pages import FetchPages
from transforms.fetch.poll import PollFeeds
from transforms.fetch.seen import FirstSighting
from transforms.fetch.state import LoadState, SaveState
from transforms.filters import after_analysis, before_fetch
from transforms.language import DetectLanguage
from transforms.read import ReadInputs
from transforms.read.feed import has_page
from transforms.utils.health import health_counters
from transforms.utils.ids import article_id, canonical_url
from transforms.utils.paths import is_local
from transforms.utils.stage import REJECTS, counter
from transforms.write import WriteTables
from transforms.write.commit import finish_commits


class AnalyseDocuments(beam.PTransform):
    """The per-document stages: Extract -> Clean -> Language.

    In: Documents (HTML or text). Out: {'main': Documents with clean text, metadata and
    languages, 'rejects': Rejects of the three stages}. A text over `max_text_chars` is a reject
    (too_large). With `progress`, a line on stderr now and then says how many documents went through."""

    def __init__(self, max_text_chars: int = MAX_TEXT_CHARS, progress: bool = False):
        super().__init__()
        self._max_text_chars = max_text_chars
        self._progress = progress

    def expand(self, docs):
        extracted = docs | "Extract" >> Extract(self._max_text_chars)
        cleaned = extracted["main"] | "Clean" >> Clean()
        languages = cleaned["main"] | "Language" >> DetectLanguage()
        analysed = languages["main"] | "Progress" >> ReportProgress() if self._progress else languages["main"]
        rejects = [extracted[REJECTS], cleaned[REJECTS], languages[REJECTS]] | "Rejects" >> beam.Flatten()
        return {"main": analysed, REJECTS: rejects}


def split_entries(entries, no_fetch: bool):
    """Feed entries -> (entries whose page is to be fetched, or None; entries that are documents
    as they are: those without a page, or all of them with `no_fetch`)."""
    if no_fetch:
        return None, entries
    with_page, without_page = entries | "HasPage" >> beam.Partition(lambda d, n: 0 if has_page(d) else 1, 2)
    return with_page, without_page


def url_document(url: str) -> Document:
    canonical = canonical_url(url) or url
    return Document(url=canonical, source="http", fetched_at=datetime.now(timezone.utc), input=url,
                    id=article_id(canonical))


def is_fresh_local_output(output: str) -> bool:
    """A local output folder with no tables in it yet, once the commits a killed run left half
    done are finished. Remote outputs are listed by the job itself (history.WrittenIdsOf), where
    the credentials are, not while the graph is built."""
    if not is_local(output):
        return False
    finish_commits(output)
    return not output_files(output)


def _count_read(doc):
    counter("read.records").inc()
    return doc


def _count_health(doc):
    for name in health_counters(doc):
        counter(name).inc()
    return doc


def build_batch(p: beam.Pipeline, cfg: GraphConfig):
    """Adds the batch pipeline to `p`; returns the PCollection of written file paths."""
    # A first run into an empty output has no history to read: its steps are left out, which
    # matters for small runs, where building and starting each step is most of the time.
    fresh = is_fresh_local_output(cfg.output)
    written = Written(None if fresh else cfg.output, cfg.run_date, cfg.history_days, cfg.written_this_run)
    docs, rejects, to_fetch = [], [], []
    if cfg.inputs:
        read = p | "Read" >> ReadInputs(cfg.inputs, cfg.spread_records)
        docs.append(before_fetch(read["main"], cfg.filters, "FilterInputs"))  # before any HTML is parsed
        rejects.append(read[REJECTS])
    if cfg.feeds:
        state = p | "FeedState" >> LoadState(cfg.output)
        feeds = p | "FeedUrls" >> beam.Create(cfg.feeds) | "FetchFeeds" >> FetchFeeds(cfg.fetch, state)
        rejects.append(feeds[REJECTS])
        entries = before_fetch(feeds["main"] | "MergeEntries" >> MergeEntries(), cfg.filters, "FilterEntries")
        with_page, as_they_are = split_entries(entries, cfg.no_fetch)
        docs.append(as_they_are)
        to_fetch += [with_page] if with_page is not None else []
    if cfg.urls:
        urls = (p | "PageUrls" >> beam.Create([url_document(u) for u in cfg.urls])
                | "CountUrls" >> beam.Map(_count_read))
        to_fetch.append(before_fetch(urls, cfg.filters, "FilterUrls"))
    if to_fetch:
        pages = (to_fetch | "AllToFetch" >> beam.Flatten()
                 | "SkipWritten" >> SkipWritten(written)
                 | "FetchPages" >> FetchPages(cfg.fetch))
        docs.append(pages["main"])
        rejects.append(pages[REJECTS])
    analysed = docs | "AllDocuments" >> beam.Flatten() | "Analyse" >> AnalyseDocuments(cfg.max_text_chars, cfg.progress)
    kept = after_analysis(analysed["main"], cfg.filters)
    signatures = None if fresh else p | "Signatures" >> ReadSignatures(cfg.output, cfg.run_date, cfg.history_days)
    deduped = kept | "Deduplicate" >> Deduplicate(written, signatures)
    all_rejects = (rejects + [analysed[REJECTS]]) | "AllRejects" >> beam.Flatten()
    articles = deduped["articles"] | "SiteHealth" >> beam.Map(_count_health)
    written = ({"articles": articles, DUPLICATES: deduped[DUPLICATES], REJECTS: all_rejects,
                SIGNATURES: deduped[SIGNATURES]}
               | "Write" >> WriteTables(cfg.output, cfg.max_rows_per_file, cfg.run_date.isoformat(),
                                       run=cfg.batch_of_run))
    if cfg.feeds:
        _ = feeds[STATE] | "SaveFeedState" >> SaveState(cfg.output, written)
    return written


def window_bounds(now: float, size: float) -> tuple[float, float]:
    start = now - now % size
    return start, start + size


def build_stream(p: beam.Pipeline, cfg: GraphConfig, stream: StreamConfig, start: float, stop: float | None,
                 local: bool = False):
    """Adds the continuous pipeline to `p`, polling from `start` to `stop` (None: for ever).

    Event time is poll time. Fetching (grouped by host) and merging entries run in fixed
    windows of one poll interval; first sightings and near-duplicates are remembered in the
    global window with per-key state that expires; each table is written per output window,
    whose start is in its file names, so no window replaces another's files.

    `local`: this run covers one output window (pipeline/local_stream.py), and near-duplicates
    are found within it and against the signatures of earlier windows and runs, as in a batch."""
    poll = stream.poll_interval
    output_windows = (stream.window, stream.allowed_lateness)
    written = Written(cfg.output, cfg.run_date, cfg.history_days)
    state = p | "FeedState" >> LoadState(cfg.output)
    feeds = (p
             | "Poll" >> PollFeeds(cfg.feeds, poll, start, stop)
             | "FetchFeeds" >> FetchFeeds(cfg.fetch, state, window=poll))
    sighted = (feeds["main"]
               | "MergeEntries" >> MergeEntries(count_read=False, window=poll)
               | "FirstSighting" >> FirstSighting(stream.seen_ttl))
    # After FirstSighting, which counts an entry as read once, so a filtered one is counted once.
    entries = (before_fetch(sighted, cfg.filters, "FilterEntries")
               | "SkipWritten" >> SkipWritten(written, streaming=True))
    rejects = [feeds[REJECTS]]
    with_page, documents = split_entries(entries, cfg.no_fetch)
    if with_page is not None:
        pages = with_page | "FetchPages" >> FetchPages(cfg.fetch, window=poll)
        rejects.append(pages[REJECTS])
        documents = (pages["main"], documents) | "AllDocuments" >> beam.Flatten()
    analysed = documents | "Analyse" >> AnalyseDocuments(cfg.max_text_chars)
    kept = after_analysis(analysed["main"], cfg.filters)
    tables = {REJECTS: (rejects + [analysed[REJECTS]]) | "AllRejects" >> beam.Flatten()}
    if local:
        earlier = p | "Signatures" >> ReadSignatures(cfg.output, cfg.run_date, cfg.history_days)
        this_window = (window_bounds(start, stream.window)[0], stream.window)
        deduped = kept | "Deduplicate" >> Deduplicate(written, earlier, window=this_window)
        tables[SIGNATURES] = deduped[SIGNATURES]
    else:
        deduped = kept | "Deduplicate" >> StreamingDeduplicate(stream.dedup_ttl)
    tables.update({"articles": deduped["articles"] | "SiteHealth" >> beam.Map(_count_health),
                   DUPLICATES: deduped[DUPLICATES]})
    written = tables | "Write" >> WriteTables(cfg.output, cfg.max_rows_per_file, cfg.run_date.isoformat(),
                                              windows=output_windows)
    # The feeds' validators are saved with each window, for the next local window and for
    # scheduled batch runs on the same output.
    _ = feeds[STATE] | "SaveFeedState" >> SaveState(cfg.output, written, windows=output_windows)
    return written
