"""What earlier runs wrote, read back at the start of a run.

- ids: every article and duplicate id in the output: an article already written is never
  written again (and a scheduled run does not fetch it again). Ids in files that were not
  there when the run began ('this_run') were written by an earlier batch of the same run: a
  document with one of those ids is a copy, as it would have been within one batch.
- signatures: the near-duplicate features of what was written in the last N days, kept under
  OUTPUT/_state/signatures/date=<run date>/: copies of stories kept by earlier runs are linked to them.
"""
from __future__ import annotations

import contextlib
import os
from datetime import date, timedelta
from typing import NamedTuple

import apache_beam as beam
import numpy as np
import pyarrow.parquet as pq
from apache_beam import pvalue
from apache_beam.io.filesystems import FileSystems

from schemas import SIGNATURES_FOLDER
from transforms.dedup.minhash import Features
from transforms.utils.paths import is_local, local_path
from transforms.utils.stage import counter
from transforms.write.commit import finish_commits

ID_TABLES = ("articles", "duplicates")
SIGNATURES = "signatures"
DEFAULT_HISTORY_DAYS = 7


def _parquet_files(pattern: str) -> list[str]:
    try:
        return sorted(m.path for m in FileSystems.match([pattern])[0].metadata_list)
    except Exception:  # noqa: BLE001 - nothing written yet
        return []


def _read(path: str, columns: list[str]) -> dict:
    with FileSystems.open(path) as f:
        return pq.read_table(f, columns=columns).to_pydict()


def output_files(output: str) -> list[str]:
    return [path for table in ID_TABLES for path in _parquet_files(f"{output.rstrip('/')}/{table}/date=*/*.parquet")]


def written_ids(output: str, before: frozenset | None = None):
    """(id, written by this run) for every id in the output; `before` holds the files that were
    there when the run began (None: all files are from earlier runs)."""
    for path in output_files(output):
        this_run = before is not None and path not in before
        for doc_id in _read(path, ["id"])["id"]:
            yield doc_id, this_run


class WrittenIds(NamedTuple):
    """What the output holds at the start of a run (the history side input)."""
    ids: frozenset  # every article and duplicate id in the output
    this_run: frozenset  # those of them written by earlier batches of this run


def history_of(pairs) -> WrittenIds:
    """WrittenIds from (id, written by this run) pairs."""
    return WrittenIds(ids=frozenset(i for i, _ in pairs), this_run=frozenset(i for i, new in pairs if new))


def read_history(output: str, before: frozenset | None = None) -> WrittenIds:
    """The history side input of the output folder `output` (see written_ids), once the commits
    a killed run left half done are finished."""
    finish_commits(output)
    return history_of(list(written_ids(output, before)))


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


class ReadHistory(beam.PTransform):
    """Root -> one WrittenIds: the ids already in the output, and those of them written by
    earlier batches of this run (files not in `before`)."""

    def __init__(self, output: str, before: frozenset | None = None):
        super().__init__()
        self._output = output
        self._before = before

    def expand(self, root):
        # One step on one worker: the ids are one element in the end, and folding them in a
        # combine took a shuffle and nine steps more of every batch's start.
        return (root
                | "Output" >> beam.Create([self._output])
                | "Ids" >> beam.Map(read_history, self._before))


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


class _SkipWrittenFn(beam.DoFn):
    def process(self, doc, history):
        if doc.id in history.ids:
            counter("dedup.skipped_existing").inc()
            return
        yield doc


class SkipWritten(beam.PTransform):
    """Documents -> those whose id is not in the output yet."""

    def __init__(self, history):
        super().__init__()
        self._history = history

    def expand(self, docs):
        return docs | beam.ParDo(_SkipWrittenFn(), pvalue.AsSingleton(self._history))
