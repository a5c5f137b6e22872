"""The batch graph: Read / Fetch -> Extract -> Clean -> Language -> Deduplicate -> Write.

One article can be followed from source to Parquet by opening one module per stage:
transforms/read (files) or transforms/fetch (web), then extract, clean, language, dedup, write.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import apache_beam as beam

from schemas import Document
from transforms.clean import Clean
from transforms.dedup import DEFAULT_HISTORY_DAYS, DUPLICATES, SIGNATURES, Deduplicate, ReadHistory, ReadSignatures, \
    SkipWritten
from transforms.dedup.history import history_of, output_files
from transforms.extract import Extract
from transforms.fetch.client import FetchConfig
from transforms.fetch.feeds import STATE, FetchFeeds, MergeEntries
from transforms.fetch.pages import FetchPages
from transforms.fetch.state import LoadState, SaveState
from transforms.ids import article_id, canonical_url
from transforms.language import DetectLanguage
from transforms.progress import ReportProgress
from transforms.read import ReadInputs
from transforms.read.feed import has_page
from transforms.stage import REJECTS, counter
from transforms.write import MAX_ROWS_PER_FILE, WriteTables


@dataclass
class IngestConfig:
    inputs: list  # files, already expanded
    output: str
    feeds: list = field(default_factory=list)  # feed URLs
    urls: list = field(default_factory=list)  # article page URLs
    fetch: FetchConfig = field(default_factory=FetchConfig)
    no_fetch: bool = False  # feed entries' own content instead of their pages
    max_rows_per_file: int = MAX_ROWS_PER_FILE
    progress: bool = True
    history_days: int = DEFAULT_HISTORY_DAYS  # copies of stories written this many days back are linked
    run_date: date = field(default_factory=lambda: datetime.now(timezone.utc).date())
    # Output files there before this run began; set when a run is split into batches.
    written_before: frozenset | None = None
    # Records of one archive spread over the workers before extraction; off for one local worker.
    spread_records: bool = True


def url_document(url: str) -> Document:
    canonical = canonical_url(url) or url
    return Document(url=canonical, source="http", fetched_at=datetime.now(timezone.utc), input=url,
                    id=article_id(canonical))


def is_fresh_local_output(output: str) -> bool:
    """A local output folder with no tables in it yet. Remote outputs are listed by the job
    itself, where the credentials are, not while the graph is built."""
    return "://" not in output.removeprefix("file://") and not output_files(output)


def _count_read(doc):
    counter("read.records").inc()
    return doc


def build(p: beam.Pipeline, cfg: IngestConfig):
    """Adds the whole pipeline to `p`; returns the PCollection of written file paths."""
    # A first run into an empty output has no history to read: its steps are left out, which
    # matters for small runs, where building and starting each step is most of the time.
    fresh = is_fresh_local_output(cfg.output)
    history = (p | "NoHistory" >> beam.Create([history_of([])]) if fresh
               else p | "History" >> ReadHistory(cfg.output, cfg.written_before))
    docs, rejects, to_fetch = [], [], []
    if cfg.inputs:
        read = p | "Read" >> ReadInputs(cfg.inputs, cfg.spread_records)
        docs.append(read["main"])
        rejects.append(read[REJECTS])
    if cfg.feeds:
        state = p | "FeedState" >> LoadState(cfg.output)
        feeds = p | "FeedUrls" >> beam.Create(cfg.feeds) | "FetchFeeds" >> FetchFeeds(cfg.fetch, state)
        rejects.append(feeds[REJECTS])
        entries = feeds["main"] | "MergeEntries" >> MergeEntries()
        if cfg.no_fetch:
            docs.append(entries)
        else:
            with_page, without_page = entries | "HasPage" >> beam.Partition(lambda d, n: 0 if has_page(d) else 1, 2)
            to_fetch.append(with_page)
            docs.append(without_page)
    if cfg.urls:
        to_fetch.append(p | "PageUrls" >> beam.Create([url_document(u) for u in cfg.urls])
                        | "CountUrls" >> beam.Map(_count_read))
    if to_fetch:
        pages = (to_fetch | "AllToFetch" >> beam.Flatten()
                 | "SkipWritten" >> SkipWritten(history)
                 | "FetchPages" >> FetchPages(cfg.fetch))
        docs.append(pages["main"])
        rejects.append(pages[REJECTS])
    documents = docs | "AllDocuments" >> beam.Flatten()
    extracted = documents | "Extract" >> Extract()
    cleaned = extracted["main"] | "Clean" >> Clean()
    languages = cleaned["main"] | "Language" >> DetectLanguage()
    analysed = languages["main"] | "Progress" >> ReportProgress() if cfg.progress else languages["main"]
    signatures = None if fresh else p | "Signatures" >> ReadSignatures(cfg.output, cfg.run_date, cfg.history_days)
    deduped = analysed | "Deduplicate" >> Deduplicate(history, signatures)
    all_rejects = (rejects + [extracted[REJECTS], cleaned[REJECTS], languages[REJECTS]]) | "AllRejects" >> beam.Flatten()
    written = ({"articles": deduped["articles"], "duplicates": deduped[DUPLICATES], "rejects": all_rejects,
                "signatures": deduped[SIGNATURES]}
               | "Write" >> WriteTables(cfg.output, cfg.max_rows_per_file, cfg.run_date.isoformat()))
    if cfg.feeds:
        _ = feeds[STATE] | "SaveFeedState" >> SaveState(cfg.output, written)
    return written
