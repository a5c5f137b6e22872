"""What earlier runs wrote, looked up by what this run can meet.

- ids: an article already written is not written again. A run looks its documents' ids up in
  the id column of the date partitions they could have been written to: each document's own
  partition (its publication date, else its capture date; before a page is fetched, the date its
  feed gives) and the partitions of the last `days` days up to the run date, where undated
  pages fetched lately were written. The lookup is a join by id, so a run reads those partitions
  only, never the whole output: its start cost follows what it writes, not the output's age.
  Ids in files written by earlier batches of the same run ('this_run') make a copy, as they
  would have within one batch.
- signatures: the near-duplicate features of what was written in the last N days, kept under
  OUTPUT/_state/signatures/date=<run date>/: copies of stories kept by earlier runs are linked to them.
"""
from __future__ import annotations

import contextlib
import math
import os
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, timedelta

import apache_beam as beam
import numpy as np
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from schemas import SIGNATURES_FOLDER
from transforms.dedup.minhash import Features
from transforms.utils.dates import resolve
from transforms.utils.paths import is_local, local_path
from transforms.utils.stage import counter
from transforms.write.commit import finish_commits, is_missing
from transforms.write.compact import list_files

ID_TABLES = ("articles", "duplicates")
SIGNATURES = "signatures"
DEFAULT_HISTORY_DAYS = 7


def _parquet_files(pattern: str) -> list[str]:
    return [part.path for part in list_files(pattern)]


def _read(path: str, columns: list[str]) -> dict:
    with FileSystems.open(path) as f:
        return pq.read_table(f, columns=columns).to_pydict()


def output_files(output: str) -> list[str]:
    return [path for table in ID_TABLES for path in _parquet_files(f"{output.rstrip('/')}/{table}/date=*/*.parquet")]


def holds_ids(path: str) -> bool:
    """Whether an output file is one of the tables whose ids count as written."""
    return any(f"/{table}/date=" in path for table in ID_TABLES)


def partition_files(output: str, day: str) -> list[str]:
    """The article and duplicate files of one date partition."""
    return [path for table in ID_TABLES for path in _parquet_files(f"{output.rstrip('/')}/{table}/date={day}/*.parquet")]


@dataclass(frozen=True)
class Written:
    """Where a run looks up what earlier runs wrote. `output` None: a fresh output, nothing to
    look up. `this_run`: the files earlier batches of this run wrote (pipeline/local_batches.py)."""
    output: str | None
    run_date: date
    days: float = DEFAULT_HISTORY_DAYS
    this_run: frozenset = frozenset()

    def recent_partitions(self) -> list[str]:
        return [(self.run_date - timedelta(days=k)).isoformat() for k in range(math.ceil(self.days) + 1)]


THIS_RUN = ""  # the partition name that stands for the files of this run's earlier batches


def partition_of(doc) -> str:
    """The date partition a document goes to; before its page is read, the one its hints point to."""
    return doc.date or resolve(doc.date_hints, doc.fetched_at)[1]


def lookup_partitions(doc, written: Written) -> list[str]:
    """Where an earlier run would have written this document: its own partition and the recent ones."""
    return [partition_of(doc)] + written.recent_partitions() + ([THIS_RUN] if written.this_run else [])


def files_of(partition: str, written: Written) -> list[str]:
    return sorted(written.this_run) if partition == THIS_RUN else partition_files(written.output, partition)


class _PartitionFilesFn(beam.DoFn):
    """Partition -> its files, once the commits a killed run left half done are finished (here,
    in the job, where the output's credentials are)."""

    def __init__(self, written: Written):
        self._written = written

    def setup(self):
        finish_commits(self._written.output)

    def process(self, partition):
        yield from files_of(partition, self._written)


def file_ids(path: str, this_run: frozenset, again: bool = True):
    """(id, written by an earlier batch of this run) for each id in one output file. A file gone
    since it was listed was merged by `news-ingest compact`: its rows are in its partition's
    files now, which are read instead."""
    try:
        ids = _read(path, ["id"])["id"]
    except Exception as exc:  # noqa: BLE001 - each filesystem says "missing" in its own way
        if not (again and is_missing(exc)):
            raise
        for other in _parquet_files(f"{path.rsplit('/', 1)[0]}/*.parquet"):
            if other != path:
                yield from file_ids(other, this_run, again=False)
        return
    flag = path in this_run
    for doc_id in ids:
        yield doc_id, flag


class WrittenIdsOf(beam.PTransform):
    """Documents -> (id, written by an earlier batch of this run) for the ids already in the
    partitions those documents could have been written to (see lookup_partitions), in the
    documents' windows. Each partition is listed once and each file read once, by one worker."""

    def __init__(self, written: Written):
        super().__init__()
        self._written = written

    def expand(self, docs):
        if self._written.output is None:
            return docs | "NothingWritten" >> beam.FlatMap(lambda doc: [])
        return (docs
                | "Partitions" >> beam.FlatMap(lookup_partitions, self._written)
                | "DistinctPartitions" >> beam.Distinct()
                | "Files" >> beam.ParDo(_PartitionFilesFn(self._written))
                | "DistinctFiles" >> beam.Distinct()
                | "Spread" >> beam.Reshuffle()
                | "Ids" >> beam.FlatMap(file_ids, self._written.this_run))


def join_written(docs, written: Written, label: str = ""):
    """Documents -> (id, {'docs': [documents], 'written': [flags]}): each id with its documents
    and, when the id is already in the output, one flag per file holding it (True: a file of this
    run's earlier batches)."""
    ids = docs | f"{label}WrittenIds" >> WrittenIdsOf(written)
    by_id = docs | f"{label}ById" >> beam.Map(lambda doc: (doc.id, doc))
    return {"docs": by_id, "written": ids} | f"{label}JoinWritten" >> beam.CoGroupByKey()


# Signatures are deleted this many days after the last run that could read them: a run that
# began yesterday may still be reading them.
PRUNE_GRACE_DAYS = 2


def signature_partitions(output: str, run_date: date, days: float, prune: bool = False) -> list[str]:
    """Signature files of the `days` days up to `run_date`. With `prune`, those older than the
    days remembered (the default's at least: a run told to remember less does not delete what
    others read) and a grace period are deleted, so the state stays as large as that implies."""
    first = (run_date - timedelta(days=days)).isoformat()
    files = _parquet_files(f"{output.rstrip('/')}/{SIGNATURES_FOLDER}/date=*/*.parquet")
    day = lambda f: f.rsplit("/date=", 1)[1][:10]  # noqa: E731
    if prune:
        horizon = (run_date - timedelta(days=max(days, DEFAULT_HISTORY_DAYS) + PRUNE_GRACE_DAYS)).isoformat()
        old = [f for f in files if day(f) < horizon]
        for path in old:
            try:
                FileSystems.delete([path])
                counter("dedup.signature_files_pruned").inc()
            except Exception:  # noqa: BLE001 - another run on the output deleted it first
                pass
        for folder in sorted({f.rsplit("/", 1)[0] for f in old}):
            if is_local(folder):
                with contextlib.suppress(OSError):
                    os.rmdir(local_path(folder))
    return [f for f in files if first <= day(f) <= run_date.isoformat()]


BUCKETING_COLUMNS = ["id", "cluster_id", "published_at", "fetched_at", "content_hash", "keys"]


def read_signatures(path: str, ids=None, bucketing_only: bool = False):
    """Features of earlier runs from one signature file (history=True): all of them, or those
    whose id is in `ids`. With `bucketing_only` they leave out the shingles, numbers and names,
    which only the comparison of a candidate pair needs; `source` says where to read them."""
    data = _read(path, BUCKETING_COLUMNS + ([] if bucketing_only else ["shingles", "numbers", "names"]))
    for i in range(len(data["id"])):
        if ids is not None and data["id"][i] not in ids:
            continue
        yield Features(id=data["id"][i], content_hash=data["content_hash"][i],
                       shingles=np.asarray([] if bucketing_only else data["shingles"][i], dtype=np.uint32),
                       numbers=[] if bucketing_only else data["numbers"][i],
                       names=[] if bucketing_only else data["names"][i],
                       published_at=data["published_at"][i], fetched_at=data["fetched_at"][i], history=True,
                       cluster_id=data["cluster_id"][i], keys=data["keys"][i], source=path)


class ReadSignatures(beam.PTransform):
    """Root -> bucketing-only Features (ids, clusters and LSH keys; history=True) of what the last `days`
    days of runs wrote. Deduplicate reads the rest of a row only for the candidates it compares,
    so the history held in memory is a few hundred bytes per story."""

    def __init__(self, output: str, run_date: date, days: int = DEFAULT_HISTORY_DAYS):
        super().__init__()
        self._output, self._run_date, self._days = output, run_date, days

    def expand(self, root):
        return (root
                | "Output" >> beam.Create([self._output])
                | "Files" >> beam.FlatMap(signature_partitions, self._run_date, self._days, prune=True)
                | "Spread" >> beam.Reshuffle()
                | "Rows" >> beam.FlatMap(read_signatures, bucketing_only=True))


def _unwritten(item):
    _, grouped = item
    if grouped["written"]:
        counter("dedup.skipped_existing").inc(len(grouped["docs"]))
        return
    yield from grouped["docs"]


# A continuous run's lookup: partitions listed again after this long, since new files land in them.
LIST_SECONDS = 60.0
MAX_CACHED_IDS = 2_000_000  # per worker; files beyond it are read again when next needed


class _SkipWrittenInStreamFn(beam.DoFn):
    """Entries one at a time (an unbounded stream has no end to join at): each entry's partitions
    are listed, and each file's ids are read once per worker (files never change; their names
    are hashes of their ids) and kept, the least recently used dropped past MAX_CACHED_IDS."""

    def __init__(self, written: Written):
        self._written = written

    def setup(self):
        finish_commits(self._written.output)
        self._listed: dict[str, tuple[float, list[str]]] = {}
        self._ids: OrderedDict[str, frozenset] = OrderedDict()
        self._cached = 0

    def _files(self, partition: str) -> list[str]:
        when, files = self._listed.get(partition, (0.0, []))
        if time.monotonic() - when > LIST_SECONDS:
            files = files_of(partition, self._written)
            self._listed[partition] = (time.monotonic(), files)
        return files

    def _ids_in(self, path: str) -> frozenset:
        if path in self._ids:
            self._ids.move_to_end(path)
            return self._ids[path]
        ids = frozenset(i for i, _ in file_ids(path, frozenset()))
        self._ids[path] = ids
        self._cached += len(ids)
        while self._cached > MAX_CACHED_IDS and len(self._ids) > 1:
            self._cached -= len(self._ids.popitem(last=False)[1])
        return ids

    def process(self, doc):
        for partition in lookup_partitions(doc, self._written):
            if any(doc.id in self._ids_in(path) for path in self._files(partition)):
                counter("dedup.skipped_existing").inc()
                return
        yield doc


class SkipWritten(beam.PTransform):
    """Documents -> those whose id is not in the output yet (looked up as WrittenIdsOf says).
    `streaming`: for an unbounded input, looked up per document instead of joined."""

    def __init__(self, written: Written, streaming: bool = False):
        super().__init__()
        self._written = written
        self._streaming = streaming

    def expand(self, docs):
        if self._written.output is None:
            return docs
        if self._streaming:
            return docs | "Lookup" >> beam.ParDo(_SkipWrittenInStreamFn(self._written))
        return join_written(docs, self._written) | "Unwritten" >> beam.FlatMap(_unwritten)
