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
import os
import sys
from typing import Callable

from apache_beam.io.filesystems import FileSystems

from pipeline import summary
from pipeline.graph import IngestConfig, build
from transforms.dedup.history import output_files
from transforms.read.discover import kind_of
from transforms.read.files import open_input
from transforms.read.warc import WarcPart, warc_parts

DEFAULT_BATCH_FILES = 500
DEFAULT_BATCH_MB = 64


def file_size(path: str) -> int:
    try:
        if "://" in path and not path.startswith("file://"):
            return FileSystems.match([path])[0].metadata_list[0].size_in_bytes
        return os.path.getsize(path.removeprefix("file://"))
    except Exception:  # noqa: BLE001 - the reader reports a file it cannot open; size is only a hint here
        return 0


def split_archives(files: list[str], max_bytes: int, size: Callable[[str], int] = file_size) -> list:
    """Files as read units: a WARC larger than `max_bytes` becomes WarcParts of about that size,
    so one archive spans several batches."""
    units: list = []
    for path in files:
        total = size(path)
        if kind_of(path) != "warc" or total <= max_bytes:
            units.append(path)
            continue
        try:
            with open_input(path) as stream:
                parts = warc_parts(stream, max_bytes)
        except OSError:
            parts = [(0, None, 0)]  # the reader reports the file
        if len(parts) == 1:
            units.append(path)
            continue
        ends = [start for start, _, _ in parts[1:]] + [total]
        units += [WarcPart(path, start, count, before, end - start) for (start, count, before), end in zip(parts, ends)]
    return units


def unit_size(unit) -> int:
    return unit.size if isinstance(unit, WarcPart) else file_size(unit)


def plan_batches(files: list, max_files: int, max_bytes: int, size: Callable = unit_size) -> list[list]:
    """Consecutive runs of `files` (read units, kept in order) of at most `max_files` units and
    `max_bytes` bytes; a unit larger than `max_bytes` is a batch of its own. No files: one empty batch."""
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


def run_batches(make_pipeline, cfg: IngestConfig, batches: list[list], quiet: bool = False) -> dict[str, int]:
    """One pipeline run per batch; the feeds and URLs go with the first. Returns the counters
    added up over all batches."""
    before = frozenset(output_files(cfg.output)) if len(batches) > 1 else None
    totals: dict[str, int] = {}
    for n, files in enumerate(batches):
        batch = dataclasses.replace(cfg, inputs=files, written_before=before,
                                    feeds=cfg.feeds if n == 0 else [], urls=cfg.urls if n == 0 else [])
        p = make_pipeline()
        build(p, batch)
        result = p.run()
        result.wait_until_finish()
        counts = summary.counters(result)
        summary.add_up(totals, counts)
        if not quiet and len(batches) > 1:
            parts = sum(isinstance(unit, WarcPart) for unit in files)
            what = f"{len(files) - parts} files" + (f" and {parts} archive parts" if parts else "")
            print(f"news-ingest: batch {n + 1}/{len(batches)}: {what}, "
                  f"{summary.batch_line(counts)}", file=sys.stderr, flush=True)
    return totals
