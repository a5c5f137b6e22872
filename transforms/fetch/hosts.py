"""Fetching grouped by host: one host's URLs one after another, different hosts at the same time.

`HostFetchFn` takes (host, items) from a GroupByKey, so a host is handled by one worker at a
time, and runs each host's items in a thread pool of `threads` hosts. Subclasses say how
to fetch one item. The HTTP client and robots cache are built in setup(), once per worker.
"""
from __future__ import annotations

import queue
from concurrent.futures import ThreadPoolExecutor, wait
from urllib.parse import urlsplit

import apache_beam as beam
from apache_beam.utils.windowed_value import WindowedValue

from transforms.fetch.client import FetchConfig, HttpClient
from transforms.fetch.robots import shared_pacer, shared_robots
from transforms.utils.stage import counter, exception_reason


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

    def start_bundle(self):
        self._pending = []
        self._results: queue.Queue = queue.Queue()

    def fetch(self, item, side):
        """Yields outputs (values, TaggedOutputs or Counts) for one item; `side` is the side input, if any.
        Runs in a pool thread."""
        raise NotImplementedError

    def failed(self, item, reason: str, detail: str):
        """The reject for an item whose fetch raised something unexpected."""
        raise NotImplementedError

    def _guarded(self, item, side):
        try:
            yield from self.fetch(item, side)
        except Exception as exc:  # noqa: BLE001 - a bug on one URL must not take the others down
            reason, detail = exception_reason(exc)
            yield Count(f"rejects.fetch.{reason}")
            yield self.failed(item, reason, detail)

    def _run_host(self, items, window, timestamp, side):
        for item in items:
            for out in self._guarded(item, side):
                if isinstance(out, Count):
                    self._results.put(out)
                elif isinstance(out, beam.pvalue.TaggedOutput):
                    self._results.put(beam.pvalue.TaggedOutput(out.tag, WindowedValue(out.value, timestamp, [window])))
                else:
                    self._results.put(WindowedValue(out, timestamp, [window]))

    def _drain(self):
        while True:
            try:
                out = self._results.get_nowait()
            except queue.Empty:
                return
            if isinstance(out, Count):
                counter(out.name).inc(out.n)
            else:
                yield out

    def _submit(self, element, side, window, timestamp):
        """Subclasses' process() calls this; each declares its own side inputs, as Beam binds them by signature."""
        _, items = element
        self._pending.append(self.executor.submit(self._run_host, list(items), window, timestamp, side))
        # Keep at most `threads` hosts queued per worker, so a bundle never holds every host at once.
        if len(self._pending) >= self.cfg.threads * 2:
            wait(self._pending[:self.cfg.threads])
        still_running = []
        for future in self._pending:
            if future.done():
                future.result()  # re-raises a bug in a fetch
            else:
                still_running.append(future)
        self._pending = still_running
        yield from self._drain()

    def finish_bundle(self):
        for future in self._pending:
            future.result()  # a bug in a fetch must fail the bundle, not vanish
        self._pending = []
        yield from self._drain()

