"""Poll: feed URLs again and again, for the continuous (streaming) pipeline.

Root in, PCollection of feed URLs out: every feed once per tick, each element timestamped with
its tick (event time is poll time). PeriodicImpulse is Beam's unbounded source of ticks: it runs
on FnApiRunner locally and on Flink and Dataflow. With `stop` it ends after the last tick before
`stop`, which is how local runs and tests are bounded.
"""
from __future__ import annotations

import apache_beam as beam
from apache_beam.transforms.periodicsequence import PeriodicImpulse
from apache_beam.transforms.window import TimestampedValue
from apache_beam.utils.timestamp import MAX_TIMESTAMP

from transforms.utils.stage import counter


class _FanOutFn(beam.DoFn):
    def __init__(self, feeds: list[str], count: bool):
        self._feeds, self._count = list(feeds), count

    def process(self, tick):
        if self._count:
            counter("stream.polls").inc()
        for url in self._feeds:
            yield TimestampedValue(url, float(tick))


class PollFeeds(beam.PTransform):
    """Root -> URLs (feeds, sitemaps or sites), all of them every `interval` seconds from `start`
    until `stop` (None: for ever). `count`: this poller counts the polls (one of a run's pollers does)."""

    def __init__(self, feeds: list[str], interval: float, start: float, stop: float | None = None,
                 count: bool = True):
        super().__init__()
        self._feeds, self._interval, self._start, self._stop = feeds, interval, start, stop
        self._count = count

    def expand(self, root):
        stop = MAX_TIMESTAMP if self._stop is None else self._stop
        return (root
                | "Ticks" >> PeriodicImpulse(start_timestamp=self._start, stop_timestamp=stop,
                                             fire_interval=self._interval, apply_windowing=False)
                | "EachFeed" >> beam.ParDo(_FanOutFn(self._feeds, self._count)))
