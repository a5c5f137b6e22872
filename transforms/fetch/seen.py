"""Seen: pass on each article URL once, however often the feeds list it.

In: entry Documents (event-timestamped, global window). Out: the same, first sighting only.
State is kept per article id (its canonical URL's hash) by a stateful DoFn, so it is spread by
key across workers, and it expires: an event-time timer clears a key `ttl` after its first
sighting, so the state holds about `ttl` worth of articles, not every URL ever seen. An entry
that comes back after that is passed on again; the already-written check and the
near-duplicate history catch it downstream.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Tuple

import apache_beam as beam
from apache_beam.coders import FloatCoder
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import ReadModifyWriteStateSpec, TimerSpec, on_timer
from apache_beam.utils.timestamp import Timestamp

from transforms.utils.stage import counter

DEFAULT_TTL = timedelta(days=7)


class _FirstSightingFn(beam.DoFn):
    FIRST = ReadModifyWriteStateSpec("first_seen", FloatCoder())
    EXPIRY = TimerSpec("expiry", TimeDomain.WATERMARK)

    def __init__(self, ttl_seconds: float):
        self._ttl = ttl_seconds

    def process(self, item, ts=beam.DoFn.TimestampParam, first=beam.DoFn.StateParam(FIRST),
                expiry=beam.DoFn.TimerParam(EXPIRY)):
        _, doc = item
        if first.read() is not None:
            counter("stream.seen_before").inc()
            return
        now = float(ts.micros) / 1e6
        first.write(now)
        expiry.set(Timestamp(micros=int((now + self._ttl) * 1e6)))
        counter("read.records").inc()
        yield doc

    @on_timer(EXPIRY)
    def expire(self, first=beam.DoFn.StateParam(FIRST)):
        first.clear()
        counter("stream.seen_expired").inc()


class FirstSighting(beam.PTransform):
    """Entry Documents -> the first sighting of each article id within `ttl` of event time."""

    def __init__(self, ttl: timedelta = DEFAULT_TTL):
        super().__init__()
        self._ttl = ttl.total_seconds()

    def expand(self, docs):
        return (docs
                | "ById" >> beam.Map(lambda d: (d.id, d)).with_output_types(Tuple[str, Any])
                | "First" >> beam.ParDo(_FirstSightingFn(self._ttl)))
