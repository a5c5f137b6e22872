"""A continuous run on a local runner: the continuous graph run once per output window.

On Flink and Dataflow one run of the continuous graph goes on for ever. FnApiRunner finishes
the source's stage before it starts the next stages, so here the graph is run once per window,
with the source bounded to that window. Between windows, state is carried by the output folder
itself: the written ids, the near-duplicate signatures and the feeds' validators under
OUTPUT/_state.
"""
from __future__ import annotations

import dataclasses
import signal
import sys
import threading
import time
from datetime import datetime, timezone

from pipeline import summary
from pipeline.config import GraphConfig, StreamConfig
from pipeline.graph import build_stream, window_bounds
from pipeline.worker_pool import local_pipelines


class StopFlag:
    """SIGINT and SIGTERM ask the loop to stop after the window being written; a second one aborts."""

    def __init__(self):
        self.event = threading.Event()

    def install(self):
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._handle)

    def _handle(self, signum, frame):
        if self.event.is_set():
            raise KeyboardInterrupt
        self.event.set()
        print(f"news-ingest: {signal.Signals(signum).name}: stopping after the current window "
              "(send it again to abort)", file=sys.stderr, flush=True)


def run_windows(make_pipeline, cfg: GraphConfig, stream: StreamConfig, stop: StopFlag, quiet: bool = False) -> dict:
    """Runs the graph once per window until `stream.stop_after` seconds have passed or a signal
    comes. Returns the counters added up over all windows."""
    began = time.time()
    deadline = began + stream.stop_after if stream.stop_after else None
    totals: dict[str, int] = {}
    first = True
    while not stop.event.is_set():
        now = time.time()
        if deadline is not None and now >= deadline:
            break
        w_start, w_end = window_bounds(now, stream.window)
        until = min(w_end, deadline) if deadline is not None else w_end
        # The first poll happens at once; later windows poll from their start.
        poll_from = now if first else max(now, w_start)
        first = False
        window_cfg = dataclasses.replace(cfg, run_date=datetime.fromtimestamp(w_start, timezone.utc).date())
        p = make_pipeline()
        build_stream(p, window_cfg, stream, poll_from, until, local=True)
        result = p.run()
        result.wait_until_finish()
        counts = summary.counters(result)
        summary.add_up(totals, counts)
        if not quiet:
            print(summary.window_line(w_start, w_end, counts), file=sys.stderr, flush=True)
        remaining = until - time.time()
        if remaining > 0 and not stop.event.is_set():
            stop.event.wait(remaining)
    return totals


def run(cfg: GraphConfig, stream: StreamConfig, options, quiet: bool = False) -> dict:
    """A continuous run on this machine, on the worker pool with multi_processing."""
    stop = StopFlag()
    stop.install()
    with local_pipelines(options) as make_pipeline:
        return run_windows(make_pipeline, cfg, stream, stop, quiet)
