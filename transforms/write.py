"""Write: Parquet files partitioned by date, atomically and idempotently.

In: {'articles': Documents, 'duplicates': Documents, 'rejects': Rejects}.
Out: PCollection of the paths written. Layout: OUTPUT/<table>/date=YYYY-MM-DD/part-<hash>.parquet.

Rows are grouped by (table, date) and sorted by id, so the same rows always make the same
files. A file's name is a hash of its ids: a rerun over the same input replaces files
instead of adding copies. Each file is written under a hidden temporary name (readers skip
names starting with '.') and renamed into place, so readers never see a partial file.
"""
from __future__ import annotations

import hashlib
import uuid

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from schemas import PARTITION_KEY, article_row, file_schema, reject_row
from transforms.stage import counter

MAX_ROWS_PER_FILE = 50_000
ROW_GROUP_ROWS = 5_000
_ROW = {"articles": article_row, "duplicates": article_row, "rejects": reject_row}


def file_name(ids: list[str]) -> str:
    return "part-" + hashlib.sha256("\n".join(ids).encode()).hexdigest()[:20] + ".parquet"


def write_table_file(directory: str, table: str, rows: list[dict]) -> str:
    """Writes rows (already sorted) to one file in `directory`; returns its final path."""
    name = file_name([r["id"] for r in rows])
    final = f"{directory}/{name}"
    temp = f"{directory}/.{name}.{uuid.uuid4().hex}.inprogress"
    schema = file_schema(table)
    data = pa.Table.from_pylist([{k: r[k] for k in schema.names} for r in rows], schema=schema)
    with FileSystems.create(temp) as f:
        pq.write_table(data, f, compression="zstd", row_group_size=ROW_GROUP_ROWS)
    try:
        FileSystems.rename([temp], [final])
    except Exception:
        FileSystems.delete([temp])
        raise
    return final


class _WriteGroupFn(beam.DoFn):
    def __init__(self, output: str, max_rows: int):
        self._output = output.rstrip("/")
        self._max_rows = max_rows

    def process(self, item):
        (table, date), records = item
        rows = sorted((_ROW[table](r) for r in records), key=lambda r: (r["id"], r["url"]))
        directory = f"{self._output}/{table}/{PARTITION_KEY}={date}"
        for start in range(0, len(rows), self._max_rows):
            chunk = rows[start:start + self._max_rows]
            yield write_table_file(directory, table, chunk)
            counter(f"write.{table}.rows").inc(len(chunk))
            counter("write.files").inc()
        if table == "articles":
            counter(f"out.date.{date}").inc(len(rows))
            for row in rows:
                counter(f"out.language.{row['language']}").inc()


class WriteTables(beam.PTransform):
    """{'articles', 'duplicates', 'rejects'} -> paths of the Parquet files written."""

    def __init__(self, output: str, max_rows_per_file: int = MAX_ROWS_PER_FILE):
        super().__init__()
        self._output = output
        self._max_rows = max_rows_per_file

    def expand(self, tables):
        keyed = [tables[name] | f"Key{name.title()}" >> beam.Map(lambda r, t=name: ((t, r.date), r))
                 for name in ("articles", "duplicates", "rejects")]
        return (keyed
                | "AllTables" >> beam.Flatten()
                | "GroupByPartition" >> beam.GroupByKey()
                | "WriteFiles" >> beam.ParDo(_WriteGroupFn(self._output, self._max_rows)))
