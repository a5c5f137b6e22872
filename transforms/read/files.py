"""Reading input files into Documents: the Read stage.

In: file paths (local or any Beam FileSystems path). Out: Documents, and Rejects for files
or records that cannot be read. Every file yields at least one of the two.
"""
from __future__ import annotations

import gzip
import pathlib
import zlib
from datetime import datetime, timezone
from typing import Iterator

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from schemas import Document, Reject
from transforms.utils.ids import article_id
from transforms.read.kinds import kind_of
from transforms.read.feed import read_feed
from transforms.read.html import read_html
from transforms.read.jsonl import read_jsonl
from transforms.read.text import read_text
from transforms.read.warc import WarcPart, read_warc
from transforms.utils.stage import REJECTS, Rejected, counter, exception_reason, make_reject

STAGE = "read"
# Whole-file inputs are read into memory; past this a file is refused rather than risk a worker.
MAX_FILE_BYTES = 64 << 20
WHOLE_FILE_READERS = {"text": read_text, "html": read_html, "feed": read_feed}
STREAMED_READERS = {"jsonl": read_jsonl, "warc": read_warc}


def file_uri(path: str) -> str:
    return pathlib.Path(path).absolute().as_uri() if "://" not in path else path


def _mtime(path: str) -> datetime:
    try:
        return datetime.fromtimestamp(FileSystems.last_updated(path), tz=timezone.utc)
    except Exception:  # noqa: BLE001 - a missing timestamp must not lose the file
        return datetime.now(timezone.utc)


def open_input(path: str):
    raw = FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED)
    # warcio reads .warc.gz itself: it needs the gzip members, not one decompressed stream.
    if path.lower().endswith(".gz") and kind_of(path) != "warc":
        return gzip.GzipFile(fileobj=raw)
    return raw


def _read_all(path: str) -> bytes:
    with open_input(path) as f:
        data = f.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise Rejected("too_large", f"over {MAX_FILE_BYTES} bytes (uncompressed)")
    return data


def read_path(path: str, part: tuple | None = None) -> Iterator[Document | Reject]:
    """Every Document in one file, or Rejects for what cannot be read. Never raises.

    `part` (start, records, records before; see read/warc.py) limits a WARC to a run of records."""
    kind = kind_of(path)
    uri = file_uri(path)
    base = Document(url=uri, source=kind if kind in ("jsonl", "warc") else "file", fetched_at=_mtime(path), input=path)
    try:
        if kind == "unknown":
            raise Rejected("unknown_kind", "unsupported file type (expected .txt, .html, .htm, .jsonl, .xml, .rss, "
                                           ".atom, .warc; optionally .gz)")
        if kind in STREAMED_READERS:
            # Streamed: these files can be far larger than memory.
            records = 0
            with open_input(path) as f:
                for item in STREAMED_READERS[kind](f, base, *(part or ())):
                    records += 1
                    yield _finish(item)
            if not records and part is None:  # nothing would say the file was read
                raise (Rejected("no_html_records", "the archive holds no HTML response records") if kind == "warc"
                       else Rejected("empty_input", "the input holds no records"))
            return
        data = _read_all(path)
        for item in WHOLE_FILE_READERS[kind](data, base):
            yield _finish(item)
    except (OSError, EOFError, zlib.error) as exc:
        reason = "bad_gzip" if path.lower().endswith(".gz") and not isinstance(exc, FileNotFoundError) else "io_error"
        yield make_reject(STAGE, reason, str(exc), url=uri, source=base.source, fetched_at=base.fetched_at, input=path)
    except Exception as exc:  # noqa: BLE001 - a reader bug on one file must not stop the run
        reason, detail = exception_reason(exc)
        yield make_reject(STAGE, reason, detail, url=uri, source=base.source, fetched_at=base.fetched_at, input=path)


def _finish(item):
    if isinstance(item, Document) and not item.id:
        item.id = article_id(item.url, item.text)
    return item


class ReadFileFn(beam.DoFn):
    def setup(self):
        self._files = counter("read.files")
        self._records = counter("read.records")

    def process(self, readable):
        """`readable`: a path, or a WarcPart."""
        path, part = readable, None
        if isinstance(readable, WarcPart):
            path, part = readable.path, (readable.start, readable.count, readable.before)
        if part is None or readable.start == 0:  # a file is counted once, with its first part
            self._files.inc()
        for item in read_path(path, part):
            self._records.inc()  # every record read ends as a document or a reject
            if isinstance(item, Reject):
                counter(f"rejects.{STAGE}.{item.reason}").inc()
                yield pvalue.TaggedOutput(REJECTS, item)
            else:
                yield item


MANY_RECORD_KINDS = {"warc", "jsonl", "feed"}


def holds_many(path: str) -> bool:
    """A file holding many records: a WARC, JSONL or feed."""
    return kind_of(path) in MANY_RECORD_KINDS


def spread_after_reading(readable) -> bool:
    """A whole file holding many records: its records are spread once read. Parts of an archive
    (how pipeline/batches.py hands archives to several local workers) are spread before, like
    files."""
    return not isinstance(readable, WarcPart) and holds_many(readable)


class ReadInputs(beam.PTransform):
    """Reads files into Documents.

    In: the pipeline root. Out: {'main': PCollection[Document], 'rejects': PCollection[Reject]}.
    `paths` holds file paths, or WarcParts for parts of large archives. The list is spread
    over workers first, so files are read in parallel. A file is read by one worker, and a
    runner runs the stages after it (extraction, the costly one) where the file was read, so
    the records of a file holding many would all be extracted by the worker that read it:
    they are spread again (unless `spread_records` is off: one local worker has nobody to
    share with, and the runner would hold a copy of every record meanwhile). Pages of their
    own and parts of an archive (WarcParts) are not: they travel with their paths. The two
    kinds are read apart, because joining them costs the local runner a copy of every page
    through the main process, which is only paid when the input mixes them.
    """

    def __init__(self, paths: list, spread_records: bool = True):
        super().__init__()
        self._paths = list(paths)
        self._spread_records = spread_records

    def expand(self, root):
        singles = [r for r in self._paths if not spread_after_reading(r)]
        archives = [r for r in self._paths if spread_after_reading(r)]
        reads = []
        if singles or not archives:
            reads.append(_read(root, "", singles))
        if archives:
            docs, rejects = _read(root, "Many", archives)
            if self._spread_records:
                docs = docs | "SpreadRecords" >> beam.Reshuffle()
            reads.append((docs, rejects))
        if len(reads) == 1:
            return {"main": reads[0][0], REJECTS: reads[0][1]}
        return {"main": [d for d, _ in reads] | "AllRead" >> beam.Flatten(),
                REJECTS: [r for _, r in reads] | "AllReadRejects" >> beam.Flatten()}


def _read(root, prefix: str, readables: list):
    out = (root
           # Create's own reshuffle would shuffle the list a second time, a stage for nothing.
           | f"{prefix}Paths" >> beam.Create(readables, reshuffle=False)
           | f"{prefix}Spread" >> beam.Reshuffle()
           | f"{prefix}ReadFiles" >> beam.ParDo(ReadFileFn()).with_outputs(REJECTS, main="main"))
    return out.main, out[REJECTS]
