"""Sitemaps from the web or from files: each one walked from its root, its entries out.

In: sitemap roots (URLs, or local sitemap files, from --sitemaps or found by --sites).
Out: {'main': entry Documents (pages to fetch, with a news sitemap's date, title, site name and
language as hints), 'state': (sitemap_url, remembered), 'rejects': Rejects}.

A root is walked breadth first by one worker thread: a sitemap index's children are read up to
`SitemapLimits.max_depth` levels below the root and `max_sitemaps` sitemaps per root; a child that
lists one of its own ancestors is a reject (sitemap_loop), one listed twice is read once. Every
request goes through the fetch client (address guard, robots.txt, per-host pacing, size and time
caps, retries) with conditional GET.

What a scheduled run remembers per sitemap (OUTPUT/_state/sitemaps.json, saved after the Parquet
files): its validators (not an index's: its children change while it does not), the newest
plausible entry date it listed, and the lastmod its index gave it with the time it was read. The
next run skips a child whose index lastmod has not moved and is well before that reading (a
lastmod of a day alone counts as that day's end), and takes only entries dated no more than OVERLAP before the newest of
the last run (undated entries always pass); entries already written are then skipped by id, as
feed entries are. A sitemap not read in full (past --max-sitemap-entries, whose newest entries are
taken) is a reject and is not remembered, so the next run reads it again.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.io.filesystems import FileSystems

from schemas import Document
from transforms.fetch.client import FetchConfig, FetchError
from transforms.fetch.feeds import STATE, conditional_headers, validators_of
from transforms.fetch.hosts import Count, HostFetchFn, host_of
from transforms.read.sitemap import MAX_ENTRIES, MAX_UNZIPPED_BYTES, SitemapEntry, parse_sitemap
from transforms.utils.dates import parse_date
from transforms.utils.dates import plausible as dates_plausible
from transforms.utils.ids import article_id, canonical_url, is_web_url
from transforms.utils.stage import REJECTS, Rejected
from transforms.utils.windows import into_fixed, into_global

STAGE = "fetch"
SOURCE = "sitemap"
SITEMAPS_FILE = "sitemaps.json"


def later_reading(a: dict, b: dict) -> dict:
    """Of two readings of one sitemap in one run (reached from two roots), the one that saw more:
    the later newest entry, then the later index lastmod."""
    key = lambda r: (r.get("newest") or "", r.get("listed") or "")  # noqa: E731 - ISO times in UTC sort as times
    return b if key(b) > key(a) else a


@dataclass(frozen=True)
class SitemapLimits:
    max_depth: int = 3  # index levels followed below a root
    max_sitemaps: int = 500  # sitemaps read per root
    max_entries: int = 100_000  # entries taken per root (--max-sitemap-entries)


def entry_document(entry: SitemapEntry, sitemap_url: str, number: int, fetched_at: datetime) -> Document:
    url = canonical_url(entry.url) or entry.url
    hints = {"sitemap": entry.published} if entry.published else {}
    return Document(url=url, source=SOURCE, fetched_at=fetched_at, input=sitemap_url, record_number=number,
                    id=article_id(url), title=entry.title, site_name=entry.site_name, date_hints=hints,
                    language_hint=(entry.language or "").lower() or None)


# Entries dated up to this long before the newest of the last reading are offered again: sitemaps
# are cached, and entries appear late or with earlier dates; what was written is skipped by id.
OVERLAP = timedelta(days=2)


def is_old(entry: SitemapEntry, newest_before: Optional[datetime]) -> bool:
    """An entry dated well before the newest entry of the sitemap's last reading was there then."""
    return newest_before is not None and entry.newest is not None and entry.newest < newest_before - OVERLAP


def newest_first(numbered: tuple) -> tuple:
    """Sort key of (number, entry): dated entries newest first, then undated ones, in sitemap order."""
    number, entry = numbered
    return (entry.newest is None, -(entry.newest.timestamp() if entry.newest else 0.0), number)


def newest_of(entries, newest_before: Optional[datetime], fetched_at: datetime) -> Optional[datetime]:
    """The newest plausible entry date of a sitemap read in full (a date in the future is a
    publisher's typo: taken as the mark, it would hide every real entry until then)."""
    dates = [e.newest for e in entries if e.newest is not None and dates_plausible(e.newest, fetched_at)]
    dates += [newest_before] if newest_before else []
    return max(dates) if dates else None


# A publisher's clock may be behind ours: a child listed as changed this close before our last
# reading may have changed after it.
CLOCK_SKEW = timedelta(hours=1)


def unchanged_child(listed: Optional[datetime], remembered: dict) -> bool:
    """The child was read in full since its last change: its index gives the lastmod it gave then,
    and that time is well before the reading."""
    before, read_at = parse_date(remembered.get("listed")), parse_date(remembered.get("read_at"))
    return (listed is not None and before is not None and read_at is not None and "newest" in remembered
            and listed <= before and listed <= read_at - CLOCK_SKEW)


def _iso(when: Optional[datetime]) -> Optional[str]:
    return when.astimezone(timezone.utc).isoformat() if when else None


class _WalkSitemapFn(HostFetchFn):
    def __init__(self, cfg: FetchConfig, limits: SitemapLimits, file_roots: frozenset):
        super().__init__(cfg)
        self.limits = limits
        self.file_roots = file_roots  # sitemap files the user named: the only sitemaps read from a filesystem

    def setup(self):
        super().setup()
        # A continuous run reads the same sitemaps again: what it learnt itself is newer than the state it started from.
        self._remembered: dict[str, dict] = {}

    def process(self, element, state, window=beam.DoFn.WindowParam, timestamp=beam.DoFn.TimestampParam):
        yield from self._submit(element, state, window, timestamp)

    def _reject(self, url, root, reason, detail, status=None):
        # A sitemap that is not read is a record: it ends in rejects.
        return self.record_rejected(reason, detail, url=url, source=SOURCE, input=root, status=status)

    def failed(self, root, reason, detail, status=None):
        return self._reject(root, root, reason, detail, status)

    def _get(self, url: str, remembered: dict):
        """(status, body, final URL, fetched_at, validators) of one sitemap; a file the user named
        is read directly."""
        if url in self.file_roots:
            with FileSystems.open(url, compression_type="uncompressed") as f:
                body = f.read(MAX_UNZIPPED_BYTES + 1)
            if len(body) > MAX_UNZIPPED_BYTES:
                raise Rejected("too_large", f"sitemap file over {MAX_UNZIPPED_BYTES} bytes")
            return 200, body, url, datetime.now(timezone.utc), {}
        if not is_web_url(url):
            raise FetchError("unsupported_scheme", f"{url!r} is not an http or https URL")
        self.check_robots(url)
        resp = self.client.get(url, headers=conditional_headers(remembered))
        return resp.status, resp.body, resp.url, resp.fetched_at, validators_of(resp)

    def fetch(self, root, state):
        limits = self.limits
        queue = deque([(root, 0, None, ())])  # (url, depth, lastmod its index gave, ancestors)
        seen, taken = {root}, 0
        while queue:
            url, depth, listed, ancestors = queue.popleft()
            remembered = self._remembered.get(url) or state.get(url) or {}
            if depth and unchanged_child(listed, remembered):
                yield Count("fetch.sitemaps_unchanged")
                yield pvalue.TaggedOutput(STATE, (url, remembered))
                continue
            yield Count("fetch.sitemaps")
            try:
                status, body, final_url, fetched_at, validators = self._get(url, remembered)
                if status == 304:
                    yield Count("fetch.sitemaps_not_modified")
                    yield pvalue.TaggedOutput(STATE, (url, remembered))
                    continue
                sitemap = parse_sitemap(body, final_url)
            except (FetchError, Rejected, OSError, ValueError) as err:
                reason = getattr(err, "reason", "read_error")
                yield from self._reject(url, root, reason, getattr(err, "detail", str(err)), getattr(err, "status", None))
                continue
            body = None
            now = {"listed": _iso(listed), "read_at": _iso(fetched_at)} if listed else {}
            if sitemap.unusable:
                yield Count("fetch.sitemap_entries_unusable", sitemap.unusable)
            if sitemap.kind == "index":
                room = limits.max_sitemaps - len(seen)
                yield from self._children(sitemap, url, root, depth, ancestors, seen, queue, room)
                # No validators: an index answering 304 would say nothing of its children, which change.
                yield self._remember(url, now)
                continue
            now.update((k, v) for k, v in validators.items() if v)
            newest_before = parse_date(remembered.get("newest"))
            fresh = [(n, e) for n, e in enumerate(sitemap.entries) if not is_old(e, newest_before)]
            yield Count("fetch.sitemap_entries_old", len(sitemap.entries) - len(fresh))
            room = limits.max_entries - taken
            if len(fresh) > room:
                fresh.sort(key=newest_first)  # past the cap, the most recent entries are the ones taken
            for number, entry in fresh[:room]:
                yield entry_document(entry, url, number, fetched_at)
            taken += min(len(fresh), room)
            yield Count("fetch.sitemap_entries", min(len(fresh), room))
            if len(fresh) > room or sitemap.over_cap:
                # Not remembered as read: the next run reads it again (what is written is skipped by id).
                left = max(0, len(fresh) - room) + sitemap.over_cap
                yield from self._reject(url, root, "too_many_entries",
                                        f"{left} entries of {url} not taken: over {limits.max_entries} entries per "
                                        f"root and run (--max-sitemap-entries) or {MAX_ENTRIES} per sitemap")
                continue
            now["newest"] = _iso(newest_of(sitemap.entries, newest_before, fetched_at))
            yield self._remember(url, now)

    def _remember(self, url, now):
        self._remembered[url] = now
        return pvalue.TaggedOutput(STATE, (url, now))

    def _children(self, sitemap, url, root, depth, ancestors, seen, queue, room: int):
        too_deep = too_many = 0
        for child, lastmod in sitemap.children:
            if child == url or child in ancestors:
                yield from self._reject(child, root, "sitemap_loop", f"{url} lists {child}, which lists it in turn")
            elif child in seen:
                yield Count("fetch.sitemaps_repeated")
            elif depth + 1 > self.limits.max_depth:
                too_deep += 1
            elif room <= 0:
                too_many += 1
            else:
                room -= 1
                seen.add(child)
                queue.append((child, depth + 1, lastmod, ancestors + (url,)))
        if too_deep:
            yield from self._reject(url, root, "too_deep", f"{url} is {depth} levels below {root}: its {too_deep} "
                                                          f"sitemaps are past the limit of {self.limits.max_depth}")
        if too_many:
            yield from self._reject(url, root, "too_many_sitemaps", f"{root} leads to more than "
                                    f"{self.limits.max_sitemaps} sitemaps: {too_many} listed by {url} not read")


class FetchSitemaps(beam.PTransform):
    """Sitemap roots -> {'main': entry Documents, 'state': (sitemap_url, remembered), 'rejects'};
    `state` is the earlier runs' sitemaps.json. `window`: in a stream, the seconds of the fixed
    windows in which roots are grouped by host (the poll interval)."""

    def __init__(self, cfg: FetchConfig, state, limits: SitemapLimits = SitemapLimits(), window: float | None = None,
                 file_roots: frozenset = frozenset()):
        super().__init__()
        self._cfg, self._state, self._limits, self._window = cfg, state, limits, window
        self._file_roots = file_roots  # sitemap files the user named (local, gs://, s3://)

    def expand(self, roots):
        out = (into_fixed(roots, self._window)
               | "ByHost" >> beam.Map(lambda u: (host_of(u), u))
               | "GroupByHost" >> beam.GroupByKey()
               | "Walk" >> beam.ParDo(_WalkSitemapFn(self._cfg, self._limits, self._file_roots),
                                    pvalue.AsSingleton(self._state))
               .with_outputs(STATE, REJECTS, main="main"))
        return into_global({"main": out.main, STATE: out[STATE], REJECTS: out[REJECTS]}, self._window)
