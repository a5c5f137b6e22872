"""Fetching grouped by host: one host's URLs one after another, different hosts at the same time.

`HostFetchFn` takes (host, items) from a GroupByKey, so a host is handled by one worker at a
time, and runs each host's items in a thread pool of `threads` hosts. Subclasses say how
to fetch one item. The HTTP client and robots cache are built in setup(), once per worker.
"""
from __future__ import annotations

import queue
from datetime import datetime, timezone
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import apache_beam as beam
from apache_beam.utils.windowed_value import WindowedValue

from transforms.fetch.client import FetchConfig, FetchError, HttpClient
from transforms.fetch.robots import shared_pacer, shared_robots
from transforms.utils.stage import REJECTS, counter, exception_reason, make_reject

STAGE = "fetch"


class Count:
    """A metric increment made in a pool thread. Beam metrics are thread-local: an increment
    made outside the DoFn's own thread would be lost, so the DoFn's thread applies it."""

    def __init__(self, name: str, n: int = 1):
        self.name, self.n = name, n


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


class HostFetchFn(beam.DoFn):
    def __init__(self, cfg: FetchConfig):
        self.cfg = cfg

    def setup(self):
        self.pacer = shared_pacer(self.cfg.min_delay)
        self.client = HttpClient(self.cfg, slot=self.pacer.slot)
        self.robots = shared_robots(self.client, self.cfg.user_agent, self.pacer) if self.cfg.robots else None
        self.executor = ThreadPoolExecutor(max_workers=self.cfg.threads, thread_name_prefix="fetch")

    def teardown(self):
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.client.close()

    # Outputs waiting for the DoFn's thread: a fetch that yields many (a sitemap's entries) waits
    # while the queue is full, so a worker holds at most this many whatever one URL gives.
    MAX_QUEUED = 10_000

    def start_bundle(self):
        self._pending = []
        self._results: queue.Queue = queue.Queue(maxsize=self.MAX_QUEUED)

    def fetch(self, item, side):
        """Yields outputs (values, TaggedOutputs or Counts) for one item; `side` is the side input, if any.
        Runs in a pool thread."""
        raise NotImplementedError

    def failed(self, item, reason: str, detail: str, status=None) -> list:
        """The outputs (the reject and its Counts) for an item whose fetch failed."""
        raise NotImplementedError

    def check_robots(self, url: str) -> None:
        if self.robots and (why := self.robots.check(url)):
            raise FetchError("robots_disallowed", why)

    @staticmethod
    def record_rejected(reason: str, detail: str, *, url: str, source: str, input: str, status=None) -> list:
        """The outputs for a URL that is a record of its own (a feed, a sitemap, a site) and ends
        in rejects: its reason counted, the record counted as read, and the reject."""
        return [Count(f"rejects.{STAGE}.{reason}"), Count("read.records"),
                beam.pvalue.TaggedOutput(REJECTS, make_reject(STAGE, reason, detail, url=url, source=source,
                                                              fetched_at=datetime.now(timezone.utc), input=input,
                                                              http_status=status))]

    def _guarded(self, item, side):
        try:
            yield from self.fetch(item, side)
        except Exception as exc:  # noqa: BLE001 - a bug on one URL must not take the others down
            yield from self.failed(item, *exception_reason(exc))

    def _run_host(self, items, window, timestamp, side):
        for item in items:
            for out in self._guarded(item, side):
                if isinstance(out, Count):
                    self._results.put(out)
                elif isinstance(out, beam.pvalue.TaggedOutput):
                    self._results.put(beam.pvalue.TaggedOutput(out.tag, WindowedValue(out.value, timestamp, [window])))
                else:
                    self._results.put(WindowedValue(out, timestamp, [window]))

    def _drain(self, wait: float = 0.0):
        """What the pool threads have queued; with `wait`, waits that long for the first item."""
        while True:
            try:
                out = self._results.get(timeout=wait) if wait else self._results.get_nowait()
            except queue.Empty:
                return
            wait = 0.0
            if isinstance(out, Count):
                counter(out.name).inc(out.n)
            else:
                yield out

    def _settle(self, at_most: int):
        """Drains outputs until at most `at_most` hosts are still being fetched (their threads may be
        waiting for room in the queue, so waiting on them without draining could never end)."""
        while True:
            for future in [f for f in self._pending if f.done()]:
                future.result()  # re-raises a bug in a fetch: it must fail the bundle, not vanish
                self._pending.remove(future)
            if len(self._pending) <= at_most:
                return
            yield from self._drain(wait=0.05)

    def _submit(self, element, side, window, timestamp):
        """Subclasses' process() calls this; each declares its own side inputs, as Beam binds them by signature."""
        _, items = element
        self._pending.append(self.executor.submit(self._run_host, list(items), window, timestamp, side))
        # Keep at most `threads` hosts queued per worker, so a bundle never holds every host at once.
        yield from self._settle(self.cfg.threads * 2 - 1)
        yield from self._drain()

    def finish_bundle(self):
        yield from self._settle(0)
        yield from self._drain()

