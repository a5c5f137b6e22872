"""Progress of long runs: a line on stderr at most every few seconds per worker.

In: any PCollection. Out: the same elements, unchanged.
"""
from __future__ import annotations

import sys
import time

import apache_beam as beam

INTERVAL_SECONDS = 10.0


def progress_line(count: int, elapsed: float) -> str:
    rate = count / elapsed if elapsed > 0 else 0.0
    return f"news-ingest: {count} documents through language detection ({rate:.1f}/s on this worker)"


class _ProgressFn(beam.DoFn):
    def __init__(self, interval: float):
        self._interval = interval

    def setup(self):
        self._count = 0
        self._start = self._last = time.monotonic()

    def process(self, element):
        self._count += 1
        now = time.monotonic()
        if now - self._last >= self._interval:
            self._last = now
            print(progress_line(self._count, now - self._start), file=sys.stderr, flush=True)
        yield element


class ReportProgress(beam.PTransform):
    def __init__(self, interval: float = INTERVAL_SECONDS):
        super().__init__()
        self._interval = interval

    def expand(self, pcoll):
        return pcoll | beam.ParDo(_ProgressFn(self._interval))
