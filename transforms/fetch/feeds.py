"""Feeds from the web: the feed list, conditional GET, and entries out.

In: feed URLs (from --feeds: URLs, files listing them one per line with # comments, or OPML).
Out: {'main': entry Documents, 'state': (feed_url, validators), 'rejects': Rejects}.
A feed answering 304 Not Modified yields no entries: a scheduled run over unchanged feeds does no work.
"""
from __future__ import annotations

import re

import apache_beam as beam
from apache_beam import pvalue

from schemas import Document
from transforms.fetch.client import FetchConfig, FetchError, Response
from transforms.fetch.hosts import Count, HostFetchFn, host_of
from transforms.read.feed import parse_feed
from transforms.utils.stage import REJECTS, Rejected, counter
from transforms.utils.windows import into_fixed, into_global

STATE = "state"
STAGE = "fetch"
FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml",
              "application/x-rss+xml", "application/x-atom+xml"}
# Servers often send feeds as these; the body decides.
SNIFFED_TYPES = {"", "text/plain", "application/octet-stream", "binary/octet-stream"}
_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:RDF|RDF)[\s>]", re.I)


def is_feed_document(head: bytes) -> bool:
    """A feed itself (RSS, Atom, RDF) rather than a list of feed URLs."""
    return bool(_FEED_ROOT.search(head)) and b"<opml" not in head.lower()


def accept_feed(resp: Response) -> None:
    # HTML is read too: misconfigured servers send feeds as text/html; the body decides (feed_entries).
    if resp.media_type not in FEED_TYPES | SNIFFED_TYPES | {"text/html"}:
        raise FetchError("not_feed", f"Content-Type {resp.media_type!r} is not a feed type", status=resp.status)


def conditional_headers(validators: dict | None) -> dict:
    headers = {}
    if validators and validators.get("etag"):
        headers["If-None-Match"] = validators["etag"]
    if validators and validators.get("last_modified"):
        headers["If-Modified-Since"] = validators["last_modified"]
    return headers


def validators_of(resp: Response) -> dict:
    """What a conditional GET sends back next time: the answer's ETag and Last-Modified."""
    return {"etag": resp.header("etag") or None, "last_modified": resp.header("last-modified") or None}


def feed_entries(resp: Response, feed_url: str) -> list[Document]:
    if resp.media_type not in FEED_TYPES and not is_feed_document(resp.body[:4096]):
        raise Rejected("not_feed", f"body of type {resp.media_type or 'unknown'} is not a feed")
    base = Document(url=feed_url, source="feed", fetched_at=resp.fetched_at, input=feed_url)
    headers = {"content-type": resp.header("content-type")}
    return parse_feed(resp.body, base, headers)


class _FetchFeedFn(HostFetchFn):
    def failed(self, feed_url, reason, detail, status=None):
        # A feed that fails is a record: it ends in rejects.
        return self.record_rejected(reason, detail, url=feed_url, source="feed", input=feed_url, status=status)

    def process(self, element, state, window=beam.DoFn.WindowParam, timestamp=beam.DoFn.TimestampParam):
        yield from self._submit(element, state, window, timestamp)

    def setup(self):
        super().setup()
        # A long-running (streaming) worker polls the same feeds again: it keeps the validators
        # it got itself, which are newer than the state the run started from.
        self._validators: dict[str, dict] = {}

    def fetch(self, feed_url, state):
        validators = self._validators.get(feed_url) or state.get(feed_url)
        yield Count("fetch.feeds")
        try:
            self.check_robots(feed_url)
            resp = self.client.get(feed_url, headers=conditional_headers(validators), accept=accept_feed)
            if resp.status == 304:
                yield Count("fetch.feeds_not_modified")
                yield pvalue.TaggedOutput(STATE, (feed_url, validators))
                return
            entries = feed_entries(resp, feed_url)
        except (FetchError, Rejected) as err:
            yield from self.failed(feed_url, err.reason, err.detail, getattr(err, "status", None))
            return
        new = validators_of(resp)
        if new["etag"] or new["last_modified"]:
            self._validators[feed_url] = new
            yield pvalue.TaggedOutput(STATE, (feed_url, new))
        yield Count("fetch.feed_entries", len(entries))
        yield from entries


class FetchFeeds(beam.PTransform):
    """Feed URLs -> {'main': entry Documents, 'state': (url, validators), 'rejects'}; `state` is the
    earlier runs' state. `window`: in a stream, the seconds of the fixed windows in which feeds are
    grouped by host (the poll interval); the outputs come back in the global window."""

    def __init__(self, cfg: FetchConfig, state, window: float | None = None):
        super().__init__()
        self._cfg, self._state, self._window = cfg, state, window

    def expand(self, urls):
        out = (into_fixed(urls, self._window)
               | "ByHost" >> beam.Map(lambda u: (host_of(u), u))
               | "GroupByHost" >> beam.GroupByKey()
               | "Fetch" >> beam.ParDo(_FetchFeedFn(self._cfg), pvalue.AsSingleton(self._state))
               .with_outputs(STATE, REJECTS, main="main"))
        return into_global({"main": out.main, STATE: out[STATE], REJECTS: out[REJECTS]}, self._window)


class _FirstEntryFn(beam.DoFn):
    def __init__(self, count_read: bool):
        self._count_read = count_read

    def process(self, item):
        _, entries = item
        entries = sorted(entries, key=lambda d: (d.input, d.record_number or 0))
        if len(entries) > 1:
            counter("fetch.entries_merged").inc(len(entries) - 1)
        if self._count_read:
            counter("read.records").inc()
        yield entries[0]


class MergeEntries(beam.PTransform):
    """Entry Documents -> one per article id: the same article in two feeds is fetched once.

    `count_read`: count each merged entry as a record read (batch); a stream counts first
    sightings instead (transforms/fetch/seen.py). `window`: in a stream, the seconds of the
    fixed windows in which entries are merged (the poll interval); the output comes back in the
    global window."""

    def __init__(self, count_read: bool = True, window: float | None = None):
        super().__init__()
        self._count_read = count_read
        self._window = window

    def expand(self, entries):
        merged = (into_fixed(entries, self._window)
                  | "ById" >> beam.Map(lambda d: (d.id, d))
                  | "GroupById" >> beam.GroupByKey()
                  | "First" >> beam.ParDo(_FirstEntryFn(self._count_read)))
        return into_global({"main": merged}, self._window)["main"]
