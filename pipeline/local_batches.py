"""A batch run over many files on a local runner, in batches of files.

The local runners (FnApiRunner, in one process or several) keep each stage's whole output in
memory until the next stage has read it, so one pipeline over a large corpus grows with the
corpus. Split into batches, one pipeline run each, memory is bounded by the batch size. Later
batches see earlier ones the way a scheduled run sees earlier runs (transforms/dedup/history.py):
copies of stories kept in an earlier batch are linked to them, and a URL read again in a later
batch is a copy, not a skip. Flink and Dataflow spill to disk and run the whole input as one job.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import sys
import time
import zlib
from typing import Callable

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from pipeline import summary
from pipeline.config import BatchLimits, GraphConfig
from pipeline.graph import build_batch
from pipeline.worker_pool import local_pipelines, local_workers
from transforms.dedup.history import holds_ids
from transforms.fetch.state import state_path
from transforms.read.files import holds_many, open_input
from transforms.read.kinds import kind_of
from transforms.read.warc import WarcPart, warc_parts
from transforms.utils.json_files import load_json
from transforms.utils.paths import is_local, local_path
from transforms.write.commit import finish_commits

SAMPLE_BYTES = 1 << 20  # of a compressed archive, read to learn how much it holds per byte
# An archive cut for several workers: parts per worker. Records do not cost extraction time in
# proportion to their bytes; a few parts each, dealt out in turn, even the workers out.
PARTS_PER_WORKER = 4


@functools.lru_cache(maxsize=None)
def file_size(path: str) -> int:
    """Size on disk, asked once per path: planning needs it when cutting archives and again when
    filling batches, and for a gs:// or s3:// path each ask is a request."""
    try:
        if not is_local(path):
            return FileSystems.match([path])[0].metadata_list[0].size_in_bytes
        return os.path.getsize(local_path(path))
    except Exception:  # noqa: BLE001 - the reader reports a file it cannot open; size is only a hint here
        return 0


def gzip_ratio(sample: bytes) -> float:
    """Bytes held per compressed byte in `sample`, the start of a gzip file (one member or many,
    as WARCs are written); 1.0 when it is not gzip."""
    held = used = 0
    rest = sample
    while rest:
        member = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            held += len(member.decompress(rest))
        except zlib.error:
            break
        used += len(rest) - len(member.unused_data)
        if not member.eof:
            break  # the sample ends inside a member
        rest = member.unused_data
    return max(1.0, held / used) if used else 1.0


@functools.lru_cache(maxsize=None)
def expansion(path: str) -> float:
    """What a compressed archive (WARC, JSONL, feed) holds per byte on disk, from its first
    megabyte: a worker holds its records, not the file, and news HTML packs 4-6 to 1. A page
    of its own is planned by its size on disk: --batch-files bounds those."""
    if not path.lower().endswith(".gz") or not holds_many(path):
        return 1.0
    try:
        with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as raw:
            return gzip_ratio(raw.read(SAMPLE_BYTES))
    except Exception:  # noqa: BLE001 - the reader reports a file it cannot open; this is only a hint
        return 1.0


def split_archives(files: list[str], max_bytes: int, size: Callable[[str], int] = file_size,
                   ratio: Callable[[str], float] = expansion, workers: int = 1) -> list:
    """Files as what is read in one go (a path, or a WarcPart): a WARC holding more than
    `max_bytes` becomes WarcParts holding about that much each, so one archive spans several batches.

    With several workers, the records of an archive are extracted where they are read, so each
    worker must get its share of the input's archives without records going through the runner
    (which spreading them after reading costs). An archive holding more than half a worker's
    share of the input is cut into PARTS_PER_WORKER parts per worker at least. Finding record
    boundaries reads the whole archive in this process, so one that holds less (ten archives on
    two workers, say) is not cut: it is a single part, spread like a file, and the runner deals
    the parts and files out to the workers in turn."""
    measured = [(path, size(path), ratio(path)) for path in files]
    share = sum(total * per_byte for _, total, per_byte in measured) / workers
    readables: list = []
    for path, total, per_byte in measured:
        whole = total * per_byte
        if kind_of(path) != "warc":
            readables.append(path)
            continue
        cut_for_workers = workers > 1 and whole > share / 2
        limit = min(max_bytes, whole / (workers * PARTS_PER_WORKER)) if cut_for_workers else max_bytes
        if whole <= limit:
            readables.append(WarcPart(path, 0, None, 0, int(whole)) if workers > 1 else path)
            continue
        try:
            with open_input(path) as stream:
                parts = warc_parts(stream, max(1, int(limit / per_byte)))
        except OSError:
            parts = [(0, None, 0)]  # the reader reports the file
        if len(parts) == 1:
            readables.append(path)
            continue
        ends = [start for start, _, _ in parts[1:]] + [total]
        readables += [WarcPart(path, start, count, before, int((end - start) * per_byte))
                  for (start, count, before), end in zip(parts, ends)]
    return readables


def readable_size(readable) -> int:
    """What a path or WarcPart holds once read (a part's size is already that)."""
    return readable.size if isinstance(readable, WarcPart) else int(file_size(readable) * expansion(readable))


def plan_batches(files: list, max_files: int, max_bytes: int, size: Callable = readable_size) -> list[list]:
    """Consecutive runs of `files` (paths and WarcParts, kept in order) of at most `max_files`
    of them and `max_bytes` bytes; one larger than `max_bytes` is a batch of its own. No files:
    one empty batch."""
    batches: list[list] = [[]]
    used = 0
    for path in files:
        n = size(path)
        if batches[-1] and (len(batches[-1]) >= max_files or used + n > max_bytes):
            batches.append([])
            used = 0
        batches[-1].append(path)
        used += n
    return batches


def _fingerprint(readable) -> str:
    """A path or WarcPart with its file's size and time: a file that changed is another input."""
    path = readable.path if isinstance(readable, WarcPart) else readable
    try:
        updated = FileSystems.last_updated(path)
    except Exception:  # noqa: BLE001 - the reader reports a file it cannot open
        updated = 0
    return f"{readable}|{file_size(path)}|{updated}"


def run_key(cfg: GraphConfig, batches: list[list]) -> str:
    """What identifies one command over the same inputs and output: the same command run again
    over unchanged files has the same key."""
    plan = [[_fingerprint(readable) for readable in batch] for batch in batches]
    text = json.dumps([cfg.output, plan, list(cfg.feeds), list(cfg.urls), list(cfg.sitemaps), list(cfg.sites),
                       cfg.run_date.isoformat()])
    return hashlib.sha256(text.encode()).hexdigest()[:20]


# A run record this old is no interrupted run worth resuming (a later run of the same command).
STALE_RECORD_SECONDS = 12 * 3600


def _stale(record_path: str) -> bool:
    try:
        return time.time() - FileSystems.last_updated(record_path) > STALE_RECORD_SECONDS
    except Exception:  # noqa: BLE001 - no record
        return False


def run_batches(make_pipeline, cfg: GraphConfig, batches: list[list], quiet: bool = False) -> dict[str, int]:
    """One pipeline run per batch; the feeds, sitemaps, sites and URLs go with the first. Returns the counters
    added up over all batches.

    A run of several batches keeps a record of the batches it has committed (OUTPUT/_state/runs/)
    until it ends: the same command run again after a kill resumes after the last committed
    batch, with the same view of what earlier batches wrote, so its output is what one
    uninterrupted run would have written."""
    several = len(batches) > 1
    record_path = state_path(cfg.output, f"runs/{run_key(cfg, batches)}.json")
    if several:
        finish_commits(cfg.output)  # a batch whose commit a kill cut is recorded as it completes
    if several and _stale(record_path):
        FileSystems.delete([record_path])
    record = load_json(record_path) if several else {}
    done = record.get("batches_done", 0)
    if done and not quiet:
        print(f"news-ingest: resuming an interrupted run after batch {done}/{len(batches)}", file=sys.stderr, flush=True)
    totals: dict[str, int] = {}
    for n, files in enumerate(batches):
        if n < done:
            continue
        # Feeds and URLs go with the first batch run now: a resumed run polls them again (what its
        # first attempt wrote is skipped), so nothing new is missed.
        # What earlier batches of this run wrote, as its record lists it: the same view after a resume.
        this_run = frozenset(filter(holds_ids, load_json(record_path).get("files", []))) if several else frozenset()
        batch = dataclasses.replace(cfg, inputs=tuple(files), written_this_run=this_run,
                                    feeds=cfg.feeds if n == done else (), urls=cfg.urls if n == done else (),
                                    sitemaps=cfg.sitemaps if n == done else (), sites=cfg.sites if n == done else (),
                                    batch_of_run={"record": record_path, "batch": n} if several else None)
        p = make_pipeline()
        build_batch(p, batch)
        result = p.run()
        result.wait_until_finish()
        counts = summary.counters(result)
        summary.add_up(totals, counts)
        if not quiet and several:
            parts = sum(isinstance(readable, WarcPart) for readable in files)
            what = f"{len(files) - parts} files" + (f" and {parts} archive parts" if parts else "")
            print(f"news-ingest: batch {n + 1}/{len(batches)}: {what}, "
                  f"{summary.batch_line(counts)}", file=sys.stderr, flush=True)
    if several and FileSystems.exists(record_path):
        FileSystems.delete([record_path])
    return totals


def run(cfg: GraphConfig, limits: BatchLimits, options, quiet: bool = False) -> dict[str, int]:
    """A batch run on a local runner: the input planned into batches, each run on the worker
    pool (multi_processing) or in this process. Limits are per worker: each worker process
    holds its share of a batch."""
    workers = local_workers(options)
    cfg = dataclasses.replace(cfg, spread_records=workers > 1)
    max_bytes = int(limits.max_mb * (1 << 20)) * workers
    batches = plan_batches(split_archives(list(cfg.inputs), max_bytes, workers=workers),
                           limits.max_files * workers, max_bytes)
    with local_pipelines(options) as make_pipeline:
        return run_batches(make_pipeline, cfg, batches, quiet)
