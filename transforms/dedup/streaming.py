"""Near-duplicates in a stream: the first copy seen is kept, later ones are linked to it.

In: Documents with event timestamps. Out: {'articles', 'duplicates'}.

1. Each document's features go to every one of its LSH keys. A stateful DoFn keyed by key
   remembers the documents recently seen there, with their cluster roots. It verifies the
   newcomer against them (verify.py) and answers with the earliest matching root, if any. Then
   it remembers the newcomer too, while the bucket holds fewer than BUCKET_CAP (past that,
   newcomers are answered but not remembered: dedup.bucket_overflow). Entries older than `ttl`
   (event time) are pruned as new ones arrive, and a quiet bucket is cleared by an event-time timer.
2. A stateful DoFn keyed by document id collects the document and one answer per key; with all
   answers in, the document leaves as an article (no match) or a duplicate of the root.

No global state: work and memory are spread by key, as a runner like Flink or Dataflow wants.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Tuple

import apache_beam as beam
from apache_beam.coders import PickleCoder
from apache_beam.transforms.timeutil import TimeDomain
from apache_beam.transforms.userstate import BagStateSpec, ReadModifyWriteStateSpec, TimerSpec, on_timer
from apache_beam.utils.timestamp import Timestamp

from transforms.dedup import BUCKET_CAP
from transforms.dedup.minhash import features
from transforms.dedup.verify import is_copy
from transforms.utils.stage import counter

DUPLICATES = "duplicates"


def _seconds(ts) -> float:
    return float(ts.micros) / 1e6 if isinstance(ts, Timestamp) else float(ts)


class _BucketFn(beam.DoFn):
    """(key, (doc_id, features, n_keys)) -> (doc_id, ('answer', root_or_None, root_time, n_keys))."""

    SEEN = BagStateSpec("seen", PickleCoder())  # (root, event seconds, features)
    EXPIRY = TimerSpec("expiry", TimeDomain.WATERMARK)

    def __init__(self, ttl_seconds: float):
        self._ttl = ttl_seconds

    def process(self, item, ts=beam.DoFn.TimestampParam, seen=beam.DoFn.StateParam(SEEN),
                expiry=beam.DoFn.TimerParam(EXPIRY)):
        _, (doc_id, feats, n_keys) = item
        now = _seconds(ts)
        entries = [e for e in seen.read() if e[1] >= now - self._ttl]
        best = None
        for root, when, other in entries:
            if other.id != doc_id and is_copy(other, feats) and (best is None or when < best[1]):
                best = (root, when)
        if len(entries) < BUCKET_CAP:
            entries.append((best[0] if best else doc_id, now, feats))
        else:
            counter("dedup.bucket_overflow").inc()
        seen.clear()
        for entry in entries:
            seen.add(entry)
        expiry.set(Timestamp(micros=int((now + self._ttl) * 1e6)))
        yield doc_id, ("answer", best[0] if best else None, best[1] if best else None, n_keys)

    @on_timer(EXPIRY)
    def expire(self, fired=beam.DoFn.TimestampParam, seen=beam.DoFn.StateParam(SEEN)):
        keep = [e for e in seen.read() if e[1] > _seconds(fired) - self._ttl]
        seen.clear()
        for entry in keep:
            seen.add(entry)
        counter("dedup.stream_expired").inc()


class _DecideFn(beam.DoFn):
    """(doc_id, message) -> the document, once its answers from all its keys are in. What waits for
    answers that never come (two documents of one id mixing their answers) is cleared `ttl` later."""

    DOC = ReadModifyWriteStateSpec("doc", PickleCoder())
    ANSWERS = BagStateSpec("answers", PickleCoder())
    EXPIRY = TimerSpec("expiry", TimeDomain.WATERMARK)

    def __init__(self, ttl_seconds: float):
        self._ttl = ttl_seconds

    def process(self, item, ts=beam.DoFn.TimestampParam, doc_state=beam.DoFn.StateParam(DOC),
                answers=beam.DoFn.StateParam(ANSWERS), expiry=beam.DoFn.TimerParam(EXPIRY)):
        _, message = item
        expiry.set(Timestamp(micros=int((_seconds(ts) + self._ttl) * 1e6)))
        if message[0] == "doc":
            doc_state.write(message[1])
        else:
            answers.add(message[1:])
        doc = doc_state.read()
        got = list(answers.read())
        if doc is None or not got or len(got) < got[0][2]:
            return
        matches = sorted((when, root) for root, when, _ in got if root is not None)
        doc_state.clear()
        answers.clear()
        if matches:
            root = matches[0][1]
            counter("dedup.stream_copies").inc()
            yield beam.pvalue.TaggedOutput(DUPLICATES, doc.replace(cluster_id=root, duplicate_of=root))
        else:
            yield doc.replace(cluster_id=doc.id, duplicate_of=None)

    @on_timer(EXPIRY)
    def expire(self, doc_state=beam.DoFn.StateParam(DOC), answers=beam.DoFn.StateParam(ANSWERS)):
        if doc_state.read() is not None or list(answers.read()):
            counter("dedup.stream_unanswered_expired").inc()
        doc_state.clear()
        answers.clear()


def _fan_out(doc):
    feats = features(doc.id, doc.text, doc.content_hash, doc.published_at, doc.fetched_at)
    for key in feats.keys:
        yield key, (doc.id, feats, len(feats.keys))


class StreamingDeduplicate(beam.PTransform):
    """Documents (event-timestamped) -> {'articles', 'duplicates'}, remembering `ttl` of event time."""

    def __init__(self, ttl: timedelta = timedelta(days=7)):
        super().__init__()
        self._ttl = ttl.total_seconds()

    def expand(self, docs):
        answers = (docs
                   | "ToKeys" >> beam.FlatMap(_fan_out).with_output_types(Tuple[int, Any])
                   | "Buckets" >> beam.ParDo(_BucketFn(self._ttl))
                   .with_output_types(Tuple[str, Any]))
        own = docs | "ById" >> beam.Map(lambda d: (d.id, ("doc", d))).with_output_types(Tuple[str, Any])
        out = ((answers, own) | "Meet" >> beam.Flatten()
               | "Decide" >> beam.ParDo(_DecideFn(self._ttl)).with_outputs(DUPLICATES, main="articles"))
        return {"articles": out.articles, DUPLICATES: out[DUPLICATES]}

