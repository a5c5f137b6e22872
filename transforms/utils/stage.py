"""What every stage shares: the reject path and the metrics namespace.

A stage's DoFn calls a pure function on each Document. The function raises `Rejected`
for a record it cannot handle; any other exception is a bug in that record's handling,
and is caught too, so one bad record never stops a run. Either way the record leaves the
stage as a `Reject` on the REJECTS output, counted by stage and reason.
"""
from __future__ import annotations

import hashlib
import traceback
from datetime import datetime, timezone

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from schemas import Document, Reject

NAMESPACE = "news_ingest"
REJECTS = "rejects"
MAX_PAYLOAD_CHARS = 1 << 20  # keep rejects small enough to read; the input path is always kept


class Rejected(Exception):
    """A record this stage cannot handle; `reason` is a short machine-readable code."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(detail or reason)
        self.reason = reason
        self.detail = detail or reason


def counter(name: str):
    return Metrics.counter(NAMESPACE, name)


def distribution(name: str):
    """Sizes (of groups, buckets, clusters): a dashboard shows their largest and mean."""
    return Metrics.distribution(NAMESPACE, name)


def make_reject(stage: str, reason: str, error: str, *, url: str, source: str, fetched_at: datetime | None,
                input: str = "", record_number=None, payload=None, date: str = "", http_status=None) -> Reject:
    fetched_at = fetched_at or datetime.now(timezone.utc)
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8", "replace")
    if payload is not None and len(payload) > MAX_PAYLOAD_CHARS:
        payload = payload[:MAX_PAYLOAD_CHARS]
    key = "\x1f".join([input or url, str(record_number), stage, reason])
    return Reject(
        id=hashlib.sha256(key.encode()).hexdigest()[:16], url=url, source=source, stage=stage, reason=reason,
        error=error[:2000], date=date or fetched_at.astimezone(timezone.utc).strftime("%Y-%m-%d"),
        fetched_at=fetched_at, input=input, record_number=record_number, payload=payload, http_status=http_status)


def reject_document(doc: Document, stage: str, reason: str, error: str, http_status=None) -> Reject:
    # The payload is kept only for records that were part of a larger input; a whole file is retried by path.
    payload = None
    if doc.record_number is not None:
        payload = doc.content if doc.content is not None else doc.text
    return make_reject(stage, reason, error, url=doc.url, source=doc.source, fetched_at=doc.fetched_at,
                       input=doc.input, record_number=doc.record_number, payload=payload, date=doc.date,
                       http_status=http_status)


def exception_reason(exc: BaseException) -> tuple[str, str]:
    if isinstance(exc, Rejected):
        return exc.reason, exc.detail
    tb = traceback.extract_tb(exc.__traceback__)
    where = f" at {tb[-1].name}:{tb[-1].lineno}" if tb else ""
    return "error:" + type(exc).__name__, f"{exc}{where}"


class StageFn(beam.DoFn):
    """Applies `fn(doc) -> Document | None` to each document; None drops nothing, it is a reject.

    Subclasses set `stage` and may override `setup` to build heavy objects once per worker.
    """

    stage = "stage"

    def __init__(self, fn, warm_up=None):
        self._fn = fn
        self._warm_up = warm_up

    def setup(self):
        self._done = counter(f"{self.stage}.ok")
        if self._warm_up is not None:
            self._warm_up()  # heavy per-process state (models, tables) is built here, never pickled

    def process(self, doc: Document):
        try:
            # Beam elements must not be changed in place (a runner may hand one object to several
            # consumers): the stage works on its own copy.
            out = self._fn(doc.replace(date_hints=dict(doc.date_hints)))
        except Exception as exc:  # noqa: BLE001 - every failure becomes a reject, the run goes on
            reason, detail = exception_reason(exc)
            counter(f"rejects.{self.stage}.{reason}").inc()
            yield pvalue.TaggedOutput(REJECTS, reject_document(doc, self.stage, reason, detail))
            return
        self._done.inc()
        yield out


class StageTransform(beam.PTransform):
    """Runs a pure per-document function as a stage.

    In: PCollection[Document]. Out: {'main': PCollection[Document], 'rejects': PCollection[Reject]}.
    """

    stage = "stage"
    warm_up = None  # optional callable run once per worker in DoFn.setup

    def fn(self):
        raise NotImplementedError

    def expand(self, docs):
        fn_cls = type(f"{self.stage.title()}Fn", (StageFn,), {"stage": self.stage})
        warm_up = type(self).warm_up
        out = docs | f"{self.stage}" >> beam.ParDo(fn_cls(self.fn(), warm_up)).with_outputs(REJECTS, main="main")
        return {"main": out.main, REJECTS: out[REJECTS]}
