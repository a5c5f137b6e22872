"""Feeds from the web: the feed list, conditional GET, and entries out.

In: feed URLs (from --feeds: URLs, files listing them one per line with # comments, or OPML).
Out: {'main': entry Documents, 'state': (feed_url, validators), 'rejects': Rejects}.
A feed answering 304 Not Modified yields no entries: a scheduled run over unchanged feeds does no work.
"""
from __future__ import annotations

import gzip
import re
from datetime import datetime, timezone

import apache_beam as beam
from apache_beam import pvalue

from schemas import Document
from transforms.fetch.client import FetchConfig, FetchError, Response
from transforms.fetch.hosts import Count, HostFetchFn, host_of
from transforms.read.discover import UsageError, kind_of
from transforms.read.feed import parse_feed
from transforms.stage import REJECTS, Rejected, counter, make_reject

STATE = "state"
STAGE = "fetch"
FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml",
              "application/x-rss+xml", "application/x-atom+xml"}
# Servers often send feeds as these; the body decides.
SNIFFED_TYPES = {"", "text/plain", "application/octet-stream", "binary/octet-stream"}
_OPML_URL = re.compile(r"""xmlUrl\s*=\s*["']([^"']+)["']""", re.I)


def is_web_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def parse_feed_list(text: str) -> list[str]:
    """URLs from a feed list: OPML (xmlUrl attributes) or one URL per line with # comments."""
    if "<opml" in text[:2000].lower():
        import html
        return [html.unescape(u).strip() for u in _OPML_URL.findall(text)]
    urls = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            urls.append(line.split()[0])
    return urls


_FEED_ROOT = re.compile(rb"<(rss|feed|rdf:RDF|RDF)[\s>]", re.I)


def is_feed_document(head: bytes) -> bool:
    """A feed itself (RSS, Atom, RDF) rather than a list of feed URLs."""
    return bool(_FEED_ROOT.search(head)) and b"<opml" not in head.lower()


def _remote_list(path: str, what: str) -> list[str]:
    from apache_beam.io.filesystems import FileSystems
    try:
        with FileSystems.open(path) as f:
            return parse_feed_list(f.read().decode("utf-8-sig"))
    except Exception as exc:  # noqa: BLE001 - each filesystem raises its own kinds; all are a usage error here
        raise UsageError(f"cannot read {what} list {path}: {str(exc).splitlines()[0] if str(exc) else exc}") from None


def expand_url_args(values: list[str], what: str) -> tuple[list[str], list[str]]:
    """--feeds/--urls values -> (URLs, local feed files). URLs stay as they are; a local file is either
    a feed itself (read like --input) or a list of URLs; a gs:// or s3:// path is a list of URLs
    (how a deployed job gets its feeds). Raises UsageError for a missing or unreadable file."""
    out, local_feeds = [], []
    for value in values:
        if is_web_url(value):
            out.append(value)
            continue
        if "://" in value and not value.startswith("file://"):
            out += _remote_list(value, what)
            continue
        path = value.removeprefix("file://")
        try:
            with (gzip.open if path.lower().endswith(".gz") else open)(path, "rb") as f:
                head = f.read(4096)
            if what == "feed" and b"<opml" not in head.lower() and (kind_of(path) == "feed" or is_feed_document(head)):
                local_feeds.append(path)
                continue
            with open(path, encoding="utf-8-sig") as f:
                out += parse_feed_list(f.read())
        except FileNotFoundError:
            raise UsageError(f"{what} list not found: {value}") from None
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read {what} list {value}: {exc}") from None
    return list(dict.fromkeys(out)), local_feeds


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


def feed_entries(resp: Response, feed_url: str) -> list[Document]:
    if resp.media_type not in FEED_TYPES and not is_feed_document(resp.body[:4096]):
        raise Rejected("not_feed", f"body of type {resp.media_type or 'unknown'} is not a feed")
    base = Document(url=feed_url, source="feed", fetched_at=resp.fetched_at, input=feed_url)
    headers = {"content-type": resp.header("content-type")}
    return parse_feed(resp.body, base, headers)


class _FetchFeedFn(HostFetchFn):
    def failed(self, feed_url, reason, detail):
        return pvalue.TaggedOutput(REJECTS, make_reject(STAGE, reason, detail, url=feed_url, source="feed",
                                                        fetched_at=datetime.now(timezone.utc), input=feed_url))

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
            if self.robots and (why := self.robots.check(feed_url)):
                raise FetchError("robots_disallowed", why)
            resp = self.client.get(feed_url, headers=conditional_headers(validators), accept=accept_feed)
            if resp.status == 304:
                yield Count("fetch.feeds_not_modified")
                yield pvalue.TaggedOutput(STATE, (feed_url, validators))
                return
            entries = feed_entries(resp, feed_url)
        except (FetchError, Rejected) as err:
            status = getattr(err, "status", None)
            yield Count(f"rejects.{STAGE}.{err.reason}")
            yield Count("read.records")  # a feed that fails is a record: it ends in rejects
            yield pvalue.TaggedOutput(REJECTS, make_reject(
                STAGE, err.reason, err.detail, url=feed_url, source="feed", fetched_at=datetime.now(timezone.utc),
                input=feed_url, http_status=status))
            return
        new = {"etag": resp.header("etag") or None, "last_modified": resp.header("last-modified") or None}
        if new["etag"] or new["last_modified"]:
            self._validators[feed_url] = new
            yield pvalue.TaggedOutput(STATE, (feed_url, new))
        yield Count("fetch.feed_entries", len(entries))
        yield from entries


class FetchFeeds(beam.PTransform):
    """Feed URLs -> {'main': entry Documents, 'state': (url, validators), 'rejects'}; `state` is the earlier runs' state."""

    def __init__(self, cfg: FetchConfig, state):
        super().__init__()
        self._cfg, self._state = cfg, state

    def expand(self, urls):
        out = (urls
               | "ByHost" >> beam.Map(lambda u: (host_of(u), u))
               | "GroupByHost" >> beam.GroupByKey()
               | "Fetch" >> beam.ParDo(_FetchFeedFn(self._cfg), pvalue.AsSingleton(self._state))
               .with_outputs(STATE, REJECTS, main="main"))
        return {"main": out.main, STATE: out[STATE], REJECTS: out[REJECTS]}


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
    sightings instead (transforms/fetch/seen.py)."""

    def __init__(self, count_read: bool = True):
        super().__init__()
        self._count_read = count_read

    def expand(self, entries):
        return (entries
                | "ById" >> beam.Map(lambda d: (d.id, d))
                | "GroupById" >> beam.GroupByKey()
                | "First" >> beam.ParDo(_FirstEntryFn(self._count_read)))
