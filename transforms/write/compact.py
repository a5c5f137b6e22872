"""Compaction's pure parts: which files of a date partition to merge, and the merge itself.

In: the paths and sizes of one partition's Parquet files (OUTPUT/<table>/date=D/*.parquet), a
target size in bytes and the table's file schema. Out: merged files written under a staging
folder, with the final path each takes (the writer's name: transforms/write file_name over its
ids), and the row counts read and written. Moving them in and deleting the inputs is the
commit's job (transforms/write/commit.py: a manifest with a "delete" list); the command around
this is pipeline/compact.py.

Which files: those smaller than the target ("small"). A partition with fewer than two small files
is left alone, which is what makes compaction idempotent: the merge cuts a file only once it has
reached the target, so it leaves at most one small file per partition, and the next compaction
finds nothing to do. Files already at the target are never rewritten.

How: the writer's files are each sorted by (id, url) (transforms/write sort_key), so a k-way merge
of up to FAN_IN of them yields one sorted stream, read READ_ROWS rows at a time per file and written
ROW_GROUP_ROWS rows per row group, like the writer's files. Memory holds one read batch per input
file and one output row group, however large the partition. A partition with more small files
than FAN_IN takes several passes (pipeline/compact.py), each one commit.
"""
from __future__ import annotations

import heapq
import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterator

import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from schemas import PARTITION_KEY
from transforms.write import ROW_GROUP_ROWS, file_name

# Files merged in one pass: each holds one read batch in memory while the merge runs.
FAN_IN = 64
READ_ROWS = 1_000
DEFAULT_TARGET_MB = 128
_DATE = re.compile(rf"/{PARTITION_KEY}=(\d{{4}}-\d{{2}}-\d{{2}})/[^/]+$")


@dataclass(frozen=True)
class Part:
    """One file of a partition."""
    path: str
    size: int


def visible(path: str) -> bool:
    """Readers skip names starting with '.' or '_' (pyarrow, Spark): so does compaction."""
    return not path.rsplit("/", 1)[-1].startswith((".", "_"))


def list_files(pattern: str) -> list[Part]:
    """Visible Parquet files matching a Beam filesystem pattern; none when nothing matches (some
    stores fail to list a folder that does not exist)."""
    try:
        found = FileSystems.match([pattern])[0].metadata_list
    except Exception:  # noqa: BLE001 - each filesystem says "nothing there" in its own way
        return []
    return sorted((Part(m.path, m.size_in_bytes) for m in found if visible(m.path)), key=lambda p: p.path)


def partitions(output: str, table: str) -> dict[str, list[Part]]:
    """{date: files} of a table's date partitions."""
    by_date: dict[str, list[Part]] = {}
    for part in list_files(f"{output}/{table}/{PARTITION_KEY}=*/*.parquet"):
        found = _DATE.search(part.path)
        if found:
            by_date.setdefault(found.group(1), []).append(part)
    return by_date


def closed_dates(dates, today: date, older_than_days: int) -> list[str]:
    """Dates at least `older_than_days` days before `today`: a continuous run's windows, their
    allowed lateness and late files are long past, so they get new files only rarely."""
    last = (today - timedelta(days=older_than_days)).isoformat()
    return sorted(d for d in dates if d <= last)


def small_files(parts: list[Part], target_bytes: int) -> list[Part]:
    return [p for p in sorted(parts, key=lambda p: p.path) if p.size < target_bytes]


def next_pass(parts: list[Part], target_bytes: int, fan_in: int | None = None) -> list[Part]:
    """The files one pass merges: up to fan_in small files, in name order (by time for a stream's
    files); none when fewer than two are small, i.e. the partition is compacted."""
    small = small_files(parts, target_bytes)
    return small[:fan_in or FAN_IN] if len(small) >= 2 else []


def _key(row_id, url) -> tuple:
    return row_id or "", url or ""  # as transforms/write sort_key


def _open(path: str):
    return FileSystems.open(path, mime_type="application/octet-stream", compression_type=CompressionTypes.UNCOMPRESSED)


class _Pieces:
    """The read batches the merge refers to: each file's current batch, and older ones until
    the rows taken from them are written."""

    def __init__(self):
        self.tables: dict[tuple, pa.Table] = {}
        self.current: dict[int, tuple] = {}

    def add(self, source: int, n: int, table: pa.Table) -> None:
        self.tables[(source, n)] = table
        self.current[source] = (source, n)

    def drop_spent(self) -> None:
        keep = set(self.current.values())
        self.tables = {piece: t for piece, t in self.tables.items() if piece in keep}


def conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """`table` as `schema`: its columns in order, and null a column added to the schema after the
    file was written (is_accessible_for_free, in files of earlier versions)."""
    for field in schema:
        if field.name not in table.column_names:
            table = table.append_column(field.name, pa.nulls(table.num_rows, field.type))
    return table.select(schema.names).cast(schema)


def _rows(path: str, source: int, schema: pa.Schema, pieces: _Pieces, read_rows: int) -> Iterator[tuple]:
    """(key, source, batch number, row) of one file's rows, in its order, which must be sorted."""
    last = None
    with _open(path) as f:
        for n, batch in enumerate(pq.ParquetFile(f).iter_batches(batch_size=read_rows, columns=schema.names)):
            table = conform(pa.Table.from_batches([batch]), schema)
            pieces.add(source, n, table)
            for i, key in enumerate(zip(table.column("id").to_pylist(), table.column("url").to_pylist())):
                key = _key(*key)
                if last is not None and key < last:
                    raise RuntimeError(f"not sorted by id, as the writer writes: {path}; nothing was changed")
                last = key
                yield key, source, n, i
        pieces.current.pop(source, None)


def _assemble(refs: list[tuple], pieces: _Pieces) -> pa.Table:
    """The rows `refs` ((source, batch number, row) each) name, in that order: one take per
    read batch, then one take to put them in order."""
    rows_of: dict[tuple, list[int]] = {}
    slots = []
    for source, n, i in refs:
        taken = rows_of.setdefault((source, n), [])
        slots.append(((source, n), len(taken)))
        taken.append(i)
    offsets, start = {}, 0
    for piece, taken in rows_of.items():
        offsets[piece] = start
        start += len(taken)
    merged = pa.concat_tables([pieces.tables[piece].take(pa.array(taken)) for piece, taken in rows_of.items()])
    return merged.take(pa.array([offsets[piece] + k for piece, k in slots]))


def merged_row_groups(paths: list[str], schema: pa.Schema, group_rows: int = ROW_GROUP_ROWS,
                      read_rows: int | None = None) -> Iterator[pa.Table]:
    """The rows of the sorted files `paths`, as one stream sorted by (id, url), group_rows at a time."""
    pieces = _Pieces()
    streams = [_rows(path, n, schema, pieces, read_rows or READ_ROWS) for n, path in enumerate(paths)]
    refs = []
    for _, source, n, i in heapq.merge(*streams):
        refs.append((source, n, i))
        if len(refs) == group_rows:
            yield _assemble(refs, pieces)
            refs = []
            pieces.drop_spent()
    if refs:
        yield _assemble(refs, pieces)


class _Counted:
    """A writable file that counts the bytes written to it: the Parquet writer writes each row
    group through as it is done, so the count is the file's size so far."""

    def __init__(self, raw):
        self.raw = raw
        self.written = 0

    def write(self, data) -> int:
        self.written += len(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()

    @property
    def closed(self) -> bool:
        return self.raw.closed


@dataclass
class Merged:
    files: list  # [staged path, final path] of each merged file
    rows_in: int
    rows_out: int


def _write_file(staged: str, schema: pa.Schema, groups: Iterator[pa.Table], target_bytes: int) -> list[str]:
    """Writes row groups taken from `groups` to `staged` until the file reaches target_bytes or
    the groups run out; returns the file's ids, in order."""
    ids: list[str] = []
    with FileSystems.create(staged) as raw:
        sink = _Counted(raw)
        with pq.ParquetWriter(sink, schema, compression="zstd") as writer:
            for group in groups:  # a plain loop: leaving it early leaves `groups` open for the next file
                writer.write_table(group)
                ids += group.column("id").to_pylist()
                if sink.written >= target_bytes:
                    break
    return ids


def merge_files(paths: list[str], schema: pa.Schema, staging: str, final_folder: str, target_bytes: int,
                group_rows: int | None = None) -> Merged:
    """Merges `paths` (one partition's sorted files) into files of about target_bytes under the
    folder `staging`, each cut once it reaches target_bytes (so all but the last reach it).
    Their final paths are final_folder/<the writer's name over their ids>."""
    rows_in = sum(map(num_rows, paths))
    groups = merged_row_groups(paths, schema, group_rows or ROW_GROUP_ROWS)
    files, rows_out = [], 0
    first = next(groups, None)
    while first is not None:
        staged = f"{staging}/merge-{uuid.uuid4().hex}.parquet"
        ids = _write_file(staged, schema, _chain(first, groups), target_bytes)
        files.append([staged, f"{final_folder}/{file_name(ids)}"])
        rows_out += len(ids)
        first = next(groups, None)
    if rows_out != rows_in:  # never commit a merge that lost or doubled rows
        raise RuntimeError(f"merge of {final_folder} read {rows_in} rows but wrote {rows_out}; nothing was changed")
    return Merged(files, rows_in, rows_out)


def num_rows(path: str) -> int:
    with _open(path) as f:
        return pq.ParquetFile(f).metadata.num_rows


def _chain(first, rest):
    """first, then rest; closing it early leaves rest open (yield from would close rest too)."""
    yield first
    for item in rest:
        yield item
