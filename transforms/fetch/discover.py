"""Discovery: a site's feeds and sitemaps, from its robots.txt, usual locations and home page.

In: site URLs (--sites). Out: {'feeds': feed URLs, 'sitemaps': sitemap URLs, 'found': (site,
{'feeds': [...], 'sitemaps': [...], 'checked_at': ISO time}) for OUTPUT/_state/sites.json and the
summary, 'rejects': a site where nothing was found}.

For each site, through the fetch client (address guard, robots.txt, pacing, caps, retries):
1. the `Sitemap:` lines of its robots.txt;
2. when there are none, the usual locations (USUAL_SITEMAPS), kept when they answer with a sitemap;
3. the feed links of its home page (`<link rel="alternate" type="application/rss+xml" href=...>`,
   Atom and RDF alike), resolved against the page.
A continuous run discovers each site again at most every REDISCOVER_SECONDS per worker.
"""
from __future__ import annotations

import time
from datetime import datetime, timezone
from urllib.parse import urljoin

import apache_beam as beam
import lxml.html
from apache_beam import pvalue

from transforms.fetch.client import FetchConfig, FetchError
from transforms.fetch.hosts import Count, HostFetchFn, host_of
from transforms.fetch.pages import accept_html
from transforms.fetch.robots import RobotsCache, origin_of
from transforms.read.sitemap import looks_like_sitemap
from transforms.utils.ids import is_web_url
from transforms.utils.stage import REJECTS
from transforms.utils.windows import into_fixed, into_global

STAGE = "fetch"
SOURCE = "site"
FEEDS, SITEMAPS, SITES, FOUND = "feeds", "sitemaps", "sites", "found"
SITES_FILE = "sites.json"
USUAL_SITEMAPS = ("/sitemap.xml", "/sitemap_index.xml", "/news-sitemap.xml", "/sitemap-news.xml", "/sitemap_news.xml")
FEED_LINK_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml"}
MAX_FEEDS_PER_SITE = 20
MAX_SITEMAPS_PER_SITE = 20
REDISCOVER_SECONDS = 6 * 3600.0


def feed_links(html: bytes, page_url: str) -> list[str]:
    """Feed URLs a page links to in its <link rel="alternate"> elements, in page order, once each."""
    try:
        root = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return []
    found = []
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";", 1)[0].strip().lower()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in FEED_LINK_TYPES and href:
            url = urljoin(page_url, href)
            if is_web_url(url) and url not in found:
                found.append(url)
    return found[:MAX_FEEDS_PER_SITE]


class _DiscoverFn(HostFetchFn):
    def setup(self):
        super().setup()
        # robots.txt is read for its Sitemap: lines even when its rules are not obeyed (FetchConfig.robots off).
        self.robots_lines = self.robots or RobotsCache(self.client, self.cfg.user_agent, self.pacer)
        self._found: dict[str, tuple[float, dict]] = {}  # site -> (when, what), for a continuous run

    def process(self, element, window=beam.DoFn.WindowParam, timestamp=beam.DoFn.TimestampParam):
        yield from self._submit(element, None, window, timestamp)

    def failed(self, site, reason, detail, status=None):
        # A site that gives nothing is a record: it ends in rejects.
        return self.record_rejected(reason, detail, url=site, source=SOURCE, input=site, status=status)

    def _allowed(self, url: str) -> bool:
        return not (self.robots and self.robots.check(url))

    def _usual_sitemaps(self, origin: str) -> list[str]:
        found = []
        for path in USUAL_SITEMAPS:
            url = origin + path
            if not self._allowed(url):
                continue
            try:
                resp = self.client.get(url)
            except FetchError:
                continue  # not there: the usual case
            if looks_like_sitemap(resp.body):
                found.append(resp.url)
        return found

    def discover(self, site: str) -> tuple[dict, list[str]]:
        """({'feeds', 'sitemaps'}, problems met) of one site."""
        origin = origin_of(site)
        problems = []
        # Only web addresses: a robots.txt line naming a path or another scheme must not make the
        # worker open a file of its own machine or bucket.
        sitemaps = [url for line in self.robots_lines.sitemaps(site) if is_web_url(url := urljoin(site, line.strip()))]
        if not sitemaps:
            sitemaps = self._usual_sitemaps(origin)
        feeds = []
        if self._allowed(site):
            try:
                feeds = feed_links(self.client.get(site, accept=accept_html).body, site)
            except FetchError as err:
                problems.append(f"home page: {err.detail}")
        else:
            problems.append(f"home page: robots.txt disallows {site}")
        return {"feeds": feeds, "sitemaps": list(dict.fromkeys(sitemaps))[:MAX_SITEMAPS_PER_SITE]}, problems

    def fetch(self, site, side=None):
        cached = self._found.get(site)
        if cached and time.monotonic() - cached[0] < REDISCOVER_SECONDS:
            found, problems = cached[1], []
        else:
            yield Count("fetch.sites")
            found, problems = self.discover(site)
            self._found[site] = (time.monotonic(), found)
        # What this run found, nothing included: the summary and sites.json say so.
        yield pvalue.TaggedOutput(FOUND, (site, dict(found, checked_at=datetime.now(timezone.utc).isoformat())))
        if not found["feeds"] and not found["sitemaps"]:
            yield from self.failed(site, "nothing_found",
                                   f"no feed or sitemap found on {site}" + "".join(f"; {p}" for p in problems))
            return
        yield Count("fetch.sites_feeds_found", len(found["feeds"]))
        yield Count("fetch.sites_sitemaps_found", len(found["sitemaps"]))
        for url in found["feeds"]:
            yield pvalue.TaggedOutput(FEEDS, url)
        for url in found["sitemaps"]:
            yield pvalue.TaggedOutput(SITEMAPS, url)


class DiscoverSites(beam.PTransform):
    """Site URLs -> {'feeds', 'sitemaps', 'found', 'rejects'} (see the module). `window`: in a
    stream, the seconds of the fixed windows in which sites are grouped by host."""

    def __init__(self, cfg: FetchConfig, window: float | None = None):
        super().__init__()
        self._cfg, self._window = cfg, window

    def expand(self, sites):
        out = (into_fixed(sites, self._window)
               | "ByHost" >> beam.Map(lambda u: (host_of(u), u))
               | "GroupByHost" >> beam.GroupByKey()
               | "Discover" >> beam.ParDo(_DiscoverFn(self._cfg)).with_outputs(FEEDS, SITEMAPS, FOUND, REJECTS))
        return into_global({FEEDS: out[FEEDS], SITEMAPS: out[SITEMAPS], FOUND: out[FOUND], REJECTS: out[REJECTS]},
                           self._window)
