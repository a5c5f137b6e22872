"""robots.txt and per-host pacing.

Pacing: at most one request at a time per host, and at least `delay` seconds from the end of
one request to the start of the next (the larger of --min-delay and the host's Crawl-delay).
The pacer is shared by every fetch step of a worker process, so feed and page requests to one
host are spaced together.

robots.txt (RFC 9309): fetched once per host and cached; 4xx means no rules (allow all),
5xx or no answer means the site is unreachable (disallow all).
"""
from __future__ import annotations

import contextlib
import threading
import time
from typing import Optional
from urllib import robotparser
from urllib.parse import urlsplit

MAX_CRAWL_DELAY = 60.0
MAX_ROBOTS_BYTES = 512 * 1024


class HostPacer:
    def __init__(self, delay: float, clock=time.monotonic, sleep=time.sleep):
        self.delay = delay
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._hosts: dict[str, threading.Lock] = {}
        self._ready_at: dict[str, float] = {}
        self._delays: dict[str, float] = {}

    def set_delay(self, host: str, delay: float) -> None:
        self._delays[host] = max(self.delay, min(delay, MAX_CRAWL_DELAY))

    @contextlib.contextmanager
    def slot(self, host: str):
        """Holds the host for one request, after waiting out its delay."""
        with self._lock:
            host_lock = self._hosts.setdefault(host, threading.Lock())
        with host_lock:
            wait = self._ready_at.get(host, 0.0) - self._clock()
            if wait > 0:
                self._sleep(wait)
            try:
                yield
            finally:
                self._ready_at[host] = self._clock() + self._delays.get(host, self.delay)


_shared: dict[float, HostPacer] = {}
_shared_lock = threading.Lock()


def shared_pacer(delay: float) -> HostPacer:
    """One pacer per worker process (and delay setting), shared by all fetch steps."""
    with _shared_lock:
        return _shared.setdefault(delay, HostPacer(delay))


def origin_of(url: str) -> str:
    """scheme://host[:port] of a URL: what one robots.txt covers."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class _Rules:
    def __init__(self, parser: Optional[robotparser.RobotFileParser], allow_all: bool, reason: str = ""):
        self.parser, self.allow_all, self.reason = parser, allow_all, reason


class RobotsCache:
    """Answers `allowed(url)` from each host's robots.txt, fetched through `client` once per host."""

    def __init__(self, client, user_agent: str, pacer: HostPacer):
        self.client = client
        self.agent = user_agent.split("/", 1)[0].strip() or user_agent
        self.pacer = pacer
        self._rules: dict[str, _Rules] = {}
        self._loading: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def _load(self, origin: str, host: str) -> _Rules:
        from transforms.fetch.client import FetchError
        try:
            resp = self.client.get(origin + "/robots.txt")
        except FetchError as err:
            if err.status is not None and 400 <= err.status < 500:
                return _Rules(None, allow_all=True)
            if err.reason in ("blocked_address", "unsupported_scheme", "dns_error"):
                return _Rules(None, allow_all=True)  # the page fetch will report the real problem
            return _Rules(None, allow_all=False, reason=f"robots.txt unreachable: {err.detail}")
        parser = robotparser.RobotFileParser()
        parser.parse(resp.body[:MAX_ROBOTS_BYTES].decode("utf-8", "replace").splitlines())
        delay = parser.crawl_delay(self.agent)
        if delay:
            self.pacer.set_delay(host, float(delay))
        return _Rules(parser, allow_all=False)

    def _rules_of(self, url: str) -> _Rules:
        parts = urlsplit(url)
        origin = origin_of(url)
        with self._lock:
            loading = self._loading.setdefault(origin, threading.Lock())
        with loading:  # threads asking about a new origin at once wait for one fetch of its robots.txt
            rules = self._rules.get(origin)
            if rules is None:
                rules = self._rules[origin] = self._load(origin, parts.hostname or "")
        return rules

    def sitemaps(self, url: str) -> list[str]:
        """The `Sitemap:` lines of the robots.txt of `url`'s origin (read once, as for check())."""
        rules = self._rules_of(url)
        return list(rules.parser.site_maps() or []) if rules.parser is not None else []

    def check(self, url: str) -> Optional[str]:
        """None when allowed, else why not."""
        parts = urlsplit(url)
        rules = self._rules_of(url)
        if rules.allow_all:
            return None
        if rules.parser is None:
            return rules.reason
        if not rules.parser.can_fetch(self.agent, url):
            return f"robots.txt of {parts.netloc} disallows {parts.path or '/'} for {self.agent}"
        return None


_robots: dict[tuple, RobotsCache] = {}


def shared_robots(client, user_agent: str, pacer: HostPacer) -> RobotsCache:
    """One robots.txt cache per worker process (and user agent), shared by all fetch steps."""
    with _shared_lock:
        key = (user_agent, id(pacer))
        if key not in _robots:
            _robots[key] = RobotsCache(client, user_agent, pacer)
        return _robots[key]
