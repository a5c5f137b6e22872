"""The Beam graphs: a batch and a continuous run, over the same stages.

    batch:      Read files / [DiscoverSites ->] FetchFeeds, FetchSitemaps -> [filter] -> FetchPages -> AnalyseDocuments -> [filter]
                -> Deduplicate -> Write
    continuous: Poll -> [DiscoverSites ->] FetchFeeds, FetchSitemaps -> FirstSighting -> [filter] -> FetchPages -> AnalyseDocuments
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
from transforms.fetch.discover import FEEDS, FOUND, SITEMAPS, SITES, SITES_FILE, DiscoverSites
from transforms.fetch.feeds import STATE, FetchFeeds, MergeEntries
from transforms.fetch.pages import FetchPages
from transforms.fetch.poll import PollFeeds
from transforms.fetch.seen import FirstSighting
from transforms.fetch.sitemaps import SITEMAPS_FILE, FetchSitemaps, later_reading
from transforms.fetch.state import FEEDS_FILE, LoadState, SaveState
from transforms.filters import after_analysis, before_fetch
from transforms.language import DetectLanguage
from transforms.read import ReadInputs
from transforms.read.feed import has_page
from transforms.utils.health import health_counters
from transforms.utils.ids import article_id, canonical_url, is_web_url
from transforms.utils.paths import is_local
from transforms.utils.stage import REJECTS, counter
from transforms.utils.windows import into_fixed, into_global
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


# Step names, kept as they were before sitemaps and sites: a running Dataflow job is updated in place
# only when its steps keep their names.
LABELS = {FEEDS: "Feed", SITEMAPS: "Sitemap", SITES: "Site", FEEDS_FILE: "Feed", SITEMAPS_FILE: "Sitemap",
          SITES_FILE: "Site"}


def url_lists(cfg: GraphConfig) -> list[tuple[str, tuple]]:
    """(kind, URLs) of the feeds, sitemaps and sites the run reads, those given only."""
    return [(kind, urls) for kind, urls in ((FEEDS, cfg.feeds), (SITEMAPS, cfg.sitemaps), (SITES, cfg.sites)) if urls]


def distinct(pcolls: list, label: str, window: float | None = None):
    """The URLs of `pcolls` once each (in a stream, once per poll window); None when there are none."""
    if len(pcolls) < 2:
        return pcolls[0] if pcolls else None  # one list is already without repeats
    flat = pcolls | f"All{label}" >> beam.Flatten()
    return into_global({"main": into_fixed(flat, window, f"{label}Windows") | f"Distinct{label}" >> beam.Distinct()},
                       window)["main"]


def web_entries(p, cfg: GraphConfig, rejects: list, polled: dict | None = None, window: float | None = None):
    """Entries of the feeds and sitemaps of --feeds, --sitemaps and --sites -> (entry Documents or
    None, {state file name: (key, value) updates}); their rejects are added to `rejects`.
    `polled`: in a stream, the PCollections of feed, sitemap and site URLs, each polled."""
    roots = polled or {kind: p | f"{LABELS[kind]}Urls" >> beam.Create(urls) for kind, urls in url_lists(cfg)}
    feed_urls, sitemap_urls, found, entries = [], [], {}, []
    if FEEDS in roots:
        feed_urls.append(roots[FEEDS])
    if SITEMAPS in roots:
        sitemap_urls.append(roots[SITEMAPS])
    if SITES in roots:
        sites = roots[SITES] | "DiscoverSites" >> DiscoverSites(cfg.fetch, window=window)
        feed_urls.append(sites[FEEDS])
        sitemap_urls += [sites[SITEMAPS]] if not cfg.no_fetch else []
        rejects.append(sites[REJECTS])
        found[SITES_FILE] = sites[FOUND]
    feed_urls = distinct(feed_urls, "FeedUrls", window)
    if feed_urls is not None:
        feeds = feed_urls | "FetchFeeds" >> FetchFeeds(cfg.fetch, p | "FeedState" >> LoadState(cfg.output), window)
        rejects.append(feeds[REJECTS])
        entries.append(feeds["main"])
        found[FEEDS_FILE] = feeds[STATE]
    sitemap_urls = distinct(sitemap_urls, "SitemapUrls", window)
    if sitemap_urls is not None:
        state = p | "SitemapState" >> LoadState(cfg.output, SITEMAPS_FILE)
        files = frozenset(url for url in cfg.sitemaps if not is_web_url(url))  # sitemap files the user named
        maps = sitemap_urls | "FetchSitemaps" >> FetchSitemaps(cfg.fetch, state, cfg.sitemap_limits, window, files)
        rejects.append(maps[REJECTS])
        entries.append(maps["main"])
        found[SITEMAPS_FILE] = maps[STATE]
    if not entries:
        return None, found
    return (entries | "AllEntries" >> beam.Flatten() if len(entries) > 1 else entries[0]), found


def save_web_state(updates: dict, output: str, written, windows: tuple | None = None) -> None:
    """Each state file's updates merged in once the run's (or the window's) files are written."""
    for name, pcoll in updates.items():
        pick = later_reading if name == SITEMAPS_FILE else None
        _ = pcoll | f"Save{LABELS[name]}State" >> SaveState(output, written, windows=windows, name=name, pick=pick)


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
    entries, found = web_entries(p, cfg, rejects)
    if entries is not None:
        entries = before_fetch(entries | "MergeEntries" >> MergeEntries(), cfg.filters, "FilterEntries")
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
    save_web_state(found, cfg.output, written)
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
    polled = {kind: p | ("Poll" if kind == FEEDS else f"Poll{LABELS[kind]}s") >> PollFeeds(urls, poll, start, stop,
                                                                                         count=n == 0)
              for n, (kind, urls) in enumerate(url_lists(cfg))}
    rejects = []
    entries, found = web_entries(p, cfg, rejects, polled, window=poll)
    sighted = (entries
               | "MergeEntries" >> MergeEntries(count_read=False, window=poll)
               | "FirstSighting" >> FirstSighting(stream.seen_ttl))
    # After FirstSighting, which counts an entry as read once, so a filtered one is counted once.
    entries = (before_fetch(sighted, cfg.filters, "FilterEntries")
               | "SkipWritten" >> SkipWritten(written, streaming=True))
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
    # The feeds' and sitemaps' state is saved with each window, for the next local window and for
    # scheduled batch runs on the same output.
    save_web_state(found, cfg.output, written, output_windows)
    return written
