"""Deduplicate: one article kept per story, its copies linked to it.

In: Documents (text cleaned, content_hash set) and the history of earlier runs (what is
already in the output). Out: {'articles': kept Documents, 'duplicates': copies with
duplicate_of and cluster_id set}. A document whose id is already in the output was written
by an earlier run: it is counted as skipped and not written again.

This first version catches exact copies: the same id (canonical URL) read twice, or the
same normalised text under different URLs.
"""
from __future__ import annotations

from datetime import datetime, timezone

import apache_beam as beam
import pyarrow.parquet as pq
from apache_beam import pvalue
from apache_beam.io.filesystems import FileSystems

from schemas import Document
from transforms.stage import counter

DUPLICATES = "duplicates"
_LATEST = datetime.max.replace(tzinfo=timezone.utc)
HISTORY_TABLES = ("articles", "duplicates")


def kept_order(doc: Document):
    """Earliest published first (unknown dates last), then earliest fetched, then smallest id."""
    return (doc.published_at or _LATEST, doc.fetched_at, doc.id)


def choose(docs: list[Document], history_cluster: str | None = None) -> tuple[Document | None, list[Document]]:
    """Returns (kept, copies). With a history cluster, the story was kept by an earlier run: all are copies."""
    docs = sorted(docs, key=kept_order)
    if history_cluster:
        kept, copies, root = None, docs, history_cluster
    else:
        kept, copies, root = docs[0], docs[1:], docs[0].id
    if kept:
        kept.cluster_id, kept.duplicate_of = root, None
    for doc in copies:
        doc.cluster_id, doc.duplicate_of = root, root
    return kept, copies


def history_rows(output: str):
    """(id, content_hash, cluster_id, is_copy) of every row already written under `output`."""
    for table in HISTORY_TABLES:
        pattern = f"{output.rstrip('/')}/{table}/date=*/*.parquet"
        try:
            matches = FileSystems.match([pattern])[0].metadata_list
        except Exception:  # noqa: BLE001 - no output yet
            continue
        for meta in matches:
            with FileSystems.open(meta.path) as f:
                data = pq.read_table(f, columns=["id", "content_hash", "cluster_id"]).to_pydict()
            for row in zip(data["id"], data["content_hash"], data["cluster_id"]):
                yield (*row, table == "duplicates")


class _History(beam.CombineFn):
    """Folds history rows into {'ids': set, 'hashes': {content_hash: cluster_id}}."""

    def create_accumulator(self):
        return {"ids": set(), "hashes": {}}

    def add_input(self, acc, row):
        id_, hash_, cluster, _ = row
        acc["ids"].add(id_)
        if hash_:
            acc["hashes"].setdefault(hash_, cluster or id_)
        return acc

    def merge_accumulators(self, accs):
        out = self.create_accumulator()
        for acc in accs:
            out["ids"] |= acc["ids"]
            for k, v in acc["hashes"].items():
                out["hashes"].setdefault(k, v)
        return out

    def extract_output(self, acc):
        return acc


class ReadHistory(beam.PTransform):
    """Root -> PCollection with one element: what earlier runs wrote to `output`."""

    def __init__(self, output: str):
        super().__init__()
        self._output = output

    def expand(self, root):
        return (root
                | "Output" >> beam.Create([self._output])
                | "Rows" >> beam.FlatMap(history_rows)
                | "Fold" >> beam.CombineGlobally(_History()))


class _SkipWrittenFn(beam.DoFn):
    def process(self, doc, history):
        if doc.id in history["ids"]:
            counter("dedup.skipped_existing").inc()
            return
        yield doc


class SkipWritten(beam.PTransform):
    """Documents -> those whose id is not in the output yet (so a scheduled run does not fetch them again)."""

    def __init__(self, history):
        super().__init__()
        self._history = history

    def expand(self, docs):
        return docs | beam.ParDo(_SkipWrittenFn(), pvalue.AsSingleton(self._history))


class _SameIdFn(beam.DoFn):
    """One document per id: the same URL read twice is one article, the extra reads are copies."""

    def process(self, item, history):
        doc_id, docs = item
        docs = list(docs)
        if doc_id in history["ids"]:
            counter("dedup.skipped_existing").inc(len(docs))
            return
        kept, copies = choose(docs)
        yield kept
        for doc in copies:
            counter("dedup.same_url").inc()
            yield pvalue.TaggedOutput(DUPLICATES, doc)


class _SameTextFn(beam.DoFn):
    def process(self, item, history):
        text_hash, docs = item
        kept, copies = choose(list(docs), history["hashes"].get(text_hash))
        if kept:
            yield kept
        for doc in copies:
            counter("dedup.same_text").inc()
            yield pvalue.TaggedOutput(DUPLICATES, doc)


class Deduplicate(beam.PTransform):
    """Documents -> {'articles', 'duplicates'}; see the module docstring."""

    def __init__(self, history):
        super().__init__()
        self._history = history

    def expand(self, docs):
        history = pvalue.AsSingleton(self._history)
        by_id = (docs
                 | "ById" >> beam.Map(lambda d: (d.id, d))
                 | "GroupById" >> beam.GroupByKey()
                 | "SameId" >> beam.ParDo(_SameIdFn(), history).with_outputs(DUPLICATES, main="main"))
        by_text = (by_id.main
                   | "ByText" >> beam.Map(lambda d: (d.content_hash, d))
                   | "GroupByText" >> beam.GroupByKey()
                   | "SameText" >> beam.ParDo(_SameTextFn(), history).with_outputs(DUPLICATES, main="main"))
        duplicates = (by_id[DUPLICATES], by_text[DUPLICATES]) | "AllCopies" >> beam.Flatten()
        return {"articles": by_text.main, DUPLICATES: duplicates}
