"""Article pages from the web.

In: Documents whose url is an article page (feed entries, --urls). Out: {'main': Documents
with the page HTML as content, 'rejects': Rejects}. Feed-entry metadata stays on the document
and fills what the page lacks. Pages are fetched grouped by host (see hosts.py).
"""
from __future__ import annotations

import apache_beam as beam
from apache_beam import pvalue

from schemas import Document
from transforms.fetch.client import FetchConfig, FetchError, Response
from transforms.fetch.hosts import Count, HostFetchFn, host_of
from transforms.read.decode import html_payload, looks_binary
from transforms.utils.stage import REJECTS, reject_document
from transforms.utils.windows import into_fixed, into_global

STAGE = "fetch"
HTML_TYPES = {"text/html", "application/xhtml+xml"}


def accept_html(resp: Response) -> None:
    if resp.media_type and resp.media_type not in HTML_TYPES:
        raise FetchError("not_html", f"Content-Type {resp.media_type!r} is not HTML", status=resp.status)


def page_document(doc: Document, resp: Response) -> Document:
    if looks_binary(resp.body):
        raise FetchError("not_html", f"binary body labelled {resp.media_type or 'without a type'}", status=resp.status)
    if not resp.body.strip():
        raise FetchError("empty_body", "the page is empty", status=resp.status)
    return doc.replace(content=html_payload(resp.body, resp.charset), content_type="text/html",
                       fetched_at=resp.fetched_at)


class _FetchPageFn(HostFetchFn):
    def process(self, element, window=beam.DoFn.WindowParam, timestamp=beam.DoFn.TimestampParam):
        yield from self._submit(element, None, window, timestamp)

    def failed(self, doc, reason, detail, status=None):
        return [Count(f"rejects.{STAGE}.{reason}"),
                pvalue.TaggedOutput(REJECTS, reject_document(doc, STAGE, reason, detail, status))]

    def fetch(self, doc: Document, side=None):
        yield Count("fetch.pages")
        try:
            self.check_robots(doc.url)
            page = page_document(doc, self.client.get(doc.url, accept=accept_html))
        except FetchError as err:
            yield from self.failed(doc, err.reason, err.detail, err.status)
            return
        yield Count("fetch.pages_ok")
        yield page


class FetchPages(beam.PTransform):
    """Documents to fetch -> {'main': Documents with page HTML, 'rejects'}. `window`: in a
    stream, the seconds of the fixed windows in which pages are grouped by host (the poll
    interval); the outputs come back in the global window."""

    def __init__(self, cfg: FetchConfig, window: float | None = None):
        super().__init__()
        self._cfg = cfg
        self._window = window

    def expand(self, docs):
        out = (into_fixed(docs, self._window)
               | "ByHost" >> beam.Map(lambda d: (host_of(d.url), d))
               | "GroupByHost" >> beam.GroupByKey()
               | "Fetch" >> beam.ParDo(_FetchPageFn(self._cfg)).with_outputs(REJECTS, main="main"))
        return into_global({"main": out.main, REJECTS: out[REJECTS]}, self._window)
