"""Write: Parquet files partitioned by date, atomically and idempotently.

In: a dict of PCollections by table name ('articles', 'duplicates', 'rejects', optionally
'signatures'). Out: PCollection of the paths written. Layout:
OUTPUT/<table>/date=YYYY-MM-DD/part-<hash>.parquet (in a stream, part-<window start>-<hash>.parquet,
one set per window), and signatures (state for later runs)
under OUTPUT/_state/signatures/date=<run date>/.

Rows are grouped by (table, date) and sorted by id, so the same rows always make the same
files. A file's name is a hash of its ids: a rerun over the same input replaces files
instead of adding copies. Files are written under the run's staging folder and made visible
together once all are written (transforms/write/commit.py), so readers never see a partial file
nor part of a killed run.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems
from apache_beam.transforms.window import IntervalWindow

from schemas import PARTITION_KEY, SIGNATURE_SCHEMA, SIGNATURES_FOLDER, article_row, file_schema, reject_row, signature_row
from transforms.write.commit import Commit, new_attempt, staging_dir
from transforms.utils.stage import counter
from transforms.utils.windows import into_output_windows

MAX_ROWS_PER_FILE = 50_000
ROW_GROUP_ROWS = 5_000


@dataclass(frozen=True)
class Table:
    folder: str
    schema: pa.Schema
    row: Callable
    partition: Callable  # element -> partition date


def tables(run_date: str) -> dict[str, Table]:
    by_date = lambda r: r.date  # noqa: E731
    return {
        "articles": Table("articles", file_schema("articles"), article_row, by_date),
        "duplicates": Table("duplicates", file_schema("duplicates"), article_row, by_date),
        "rejects": Table("rejects", file_schema("rejects"), reject_row, by_date),
        # Signatures are kept by the day they were written, so "the last N days" is a folder listing.
        "signatures": Table(SIGNATURES_FOLDER, SIGNATURE_SCHEMA, signature_row, lambda r: run_date),
    }


def file_name(ids: list[str], window_start: str = "") -> str:
    """part-<hash of ids>.parquet; in a stream, part-<window start>-<hash>.parquet, so that no
    window's file can replace another's and a listing sorts by time."""
    prefix = f"part-{window_start}-" if window_start else "part-"
    return prefix + hashlib.sha256("\n".join(ids).encode()).hexdigest()[:20] + ".parquet"


def window_label(window) -> str:
    """'' for the global window (batch); the window's start as YYYYMMDDTHHMMSSZ otherwise."""
    if not isinstance(window, IntervalWindow):
        return ""
    return window.start.to_utc_datetime().strftime("%Y%m%dT%H%M%SZ")


def sort_key(record) -> tuple:
    """Rows are written in this order (id, then URL), so the same rows make the same file."""
    return record.id, getattr(record, "url", None) or ""


def write_table_file(path: str, table: Table, records: list) -> None:
    """Writes `records` (already sorted) to the file `path`. Records become Arrow rows one row
    group at a time, so a large group (a day's duplicates, a run's signatures) never exists as
    Python rows and an Arrow table at once in full."""
    schema = table.schema
    with FileSystems.create(path) as f, pq.ParquetWriter(f, schema, compression="zstd") as writer:
        for start in range(0, len(records), ROW_GROUP_ROWS):
            rows = [table.row(r) for r in records[start:start + ROW_GROUP_ROWS]]
            writer.write_table(pa.Table.from_pylist([{k: r[k] for k in schema.names} for r in rows], schema=schema))


class _WriteGroupFn(beam.DoFn):
    """Writes a (table, date) group into the staging folder; yields each file's staged path."""

    def __init__(self, staging: str, max_rows: int, run_date: str):
        self._staging = staging
        self._max_rows = max_rows
        self._run_date = run_date

    def setup(self):
        self._tables = tables(self._run_date)

    def process(self, item, window=beam.DoFn.WindowParam):
        (name, date), records = item
        label = window_label(window)
        table = self._tables[name]
        records = sorted(records, key=sort_key)
        directory = f"{table.folder}/{PARTITION_KEY}={date}"
        for start in range(0, len(records), self._max_rows):
            chunk = records[start:start + self._max_rows]
            staged = f"{self._staging}/{directory}/{file_name([r.id for r in chunk], label)}"
            write_table_file(staged, table, chunk)
            yield staged
            counter(f"write.{name}.rows").inc(len(chunk))
            counter("write.files").inc()
        if name == "articles":
            counter(f"out.date.{date}").inc(len(records))
            for record in records:
                counter(f"out.language.{record.language}").inc()


class WriteTables(beam.PTransform):
    """{table name: PCollection} -> paths of the Parquet files written, once all are in place.
    `windows`: in a stream, (seconds, allowed lateness) of the output windows: each window's rows
    make files of their own, committed with the window's pane."""

    def __init__(self, output: str, max_rows_per_file: int = MAX_ROWS_PER_FILE, run_date: str = "",
                 windows: tuple | None = None, run: dict | None = None):
        super().__init__()
        self._output = output
        self._max_rows = max_rows_per_file
        self._run_date = run_date
        self._windows = windows
        self._run = run  # {'record', 'batch'} for one batch of several (transforms/write/commit.py)
        self._attempt = new_attempt()  # this pipeline run's staging folder

    def expand(self, pcolls):
        if "signatures" in pcolls and not self._run_date:
            raise ValueError("WriteTables: signatures are kept by the day they were written: give run_date")
        spec = tables(self._run_date)
        if self._windows:
            pcolls = {name: into_output_windows(pc, *self._windows, label=f"Window{name.title()}")
                      for name, pc in pcolls.items()}
        keyed = [pcolls[name] | f"Key{name.title()}" >> beam.Map(lambda r, t=name, f=spec[name].partition: ((t, f(r)), r))
                 for name in sorted(pcolls)]
        return (keyed
                | "AllTables" >> beam.Flatten()
                | "GroupByPartition" >> beam.GroupByKey()
                | "WriteFiles" >> beam.ParDo(_WriteGroupFn(staging_dir(self._output, self._attempt), self._max_rows,
                                                           self._run_date))
                | "Commit" >> Commit(self._run))
