"""`news-ingest compact OUTPUT`: merges the small Parquet files of closed date partitions.

In: an output folder (local or any Beam filesystem path), the dates to compact (or those at least
--older-than-days days old, 2 by default), a target file size and the tables (articles,
duplicates, rejects; never _state). Out: each chosen partition with fewer, larger files holding
exactly the same rows, and a one-line summary on stdout.

A continuous run writes a file per window and date; a day of one-minute windows makes thousands
of files per partition, which slows every reader. Compaction merges a partition's files below
--target-mb (transforms/write/compact.py) into files of the target size, each sorted by (id, url)
and named by the writer's rule, with the writer's schema and zstd. A partition left with at most
one file below the target is compacted: running again changes nothing.

Closed partitions: the date is the publication date, so an old partition may still get a file
(a story published last week, found today). Two days by default lets a continuous run's windows
and allowed lateness pass; a file that lands after compaction listed the partition is left as it
is, for the next compaction. No row is lost either way.

Kills: each pass over a partition writes its merged files under OUTPUT/_staging/compact-<attempt>/,
then a manifest naming the files to move in and the small files they replace, then applies it:
moves, then deletes (transforms/write/commit.py). Killed before the manifest: nothing changed, and
the next compaction deletes that staging. Killed after: the next compaction or run on the output
finishes it (finish_commits).

What a reader listing date=*/*.parquet sees while it runs: the partition as it was, then, for the
moment between the first move and the last delete of a pass (moves of a few files, then deletes),
the merged files and some of the small files they replace: those rows twice. Moves go first
because rows seen twice can be told apart by their id, while rows missing cannot be found
at all. A reader that listed a small file and opens it after its delete gets "file not found":
reading again sees the merged file.

One compaction at a time per output: two over the same partition could each merge what the other
is replacing. Runs of the pipeline may go on beside it.
"""
from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from apache_beam.io.filesystems import FileSystems

from schemas import PARTITION_KEY, file_schema
from transforms.utils.paths import is_local, local_path
from transforms.write.commit import (STAGING, apply_manifest, finish_commits, new_attempt, pause_point, staging_dir,
                                    write_manifest)
from transforms.write.compact import (DEFAULT_TARGET_MB, closed_dates, list_files, merge_files, next_pass, num_rows,
                                     partitions)

PROG = "news-ingest"
TABLES = ("articles", "duplicates", "rejects")
DEFAULT_OLDER_THAN_DAYS = 2
ATTEMPT_PREFIX = "compact-"


@dataclass(frozen=True)
class CompactConfig:
    output: str
    dates: tuple = ()  # when given, these partitions, whatever their age
    older_than_days: int = DEFAULT_OLDER_THAN_DAYS
    target_bytes: int = DEFAULT_TARGET_MB << 20
    tables: tuple = TABLES
    quiet: bool = False


@dataclass
class Outcome:
    """What compaction did to one partition."""
    table: str
    date: str
    files_before: int
    files_after: int = 0
    rows: int = 0
    passes: int = 0


@dataclass
class Summary:
    outcomes: list = field(default_factory=list)
    untouched: int = 0  # partitions not chosen: open (newer than --older-than-days), or not among --date

    def line(self) -> str:
        done = [o for o in self.outcomes if o.passes]
        before, after = sum(o.files_before for o in done), sum(o.files_after for o in done)
        rows, left = sum(o.rows for o in done), len(self.outcomes) - len(done)
        return (f"{PROG}: compacted {len(done)} of {len(self.outcomes)} partitions chosen: {before} files -> {after}, "
                f"{rows} rows; {left} already compacted, {self.untouched} open or not asked for")


def _attempt_folders(output: str) -> list[str]:
    root = f"{output}/{STAGING}"
    if is_local(root):
        folder = local_path(root)
        names = os.listdir(folder) if os.path.isdir(folder) else []
        return [os.path.join(folder, n) for n in sorted(names) if n.startswith(ATTEMPT_PREFIX)]
    found = set()
    for pattern in (f"{root}/{ATTEMPT_PREFIX}*/*", f"{root}/{ATTEMPT_PREFIX}*/*/*/*"):
        try:
            found |= {m.path for m in FileSystems.match([pattern])[0].metadata_list}
        except Exception:  # noqa: BLE001 - nothing staged
            pass
    return sorted(found)


def clear_dead_staging(output: str) -> None:
    """Deletes what compactions killed before their manifest staged. Called once the manifests
    are finished, so no folder left holds one; and one compaction at a time, so none is live."""
    for path in _attempt_folders(output):
        if is_local(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            FileSystems.delete([path])
    if is_local(output):
        try:
            os.rmdir(local_path(f"{output}/{STAGING}"))
        except OSError:
            pass  # another run stages there, or there is no staging


def compact_partition(output: str, table: str, day: str, target_bytes: int, attempt: str) -> Outcome:
    """Merges the partition's small files, one commit per pass, until at most one is small."""
    folder = f"{output}/{table}/{PARTITION_KEY}={day}"
    parts = list_files(f"{folder}/*.parquet")
    outcome = Outcome(table, day, len(parts))
    schema = file_schema(table)
    staging = staging_dir(output, attempt)
    while batch := next_pass(parts, target_bytes):
        merged = merge_files([p.path for p in batch], schema, f"{staging}/{table}/{PARTITION_KEY}={day}", folder,
                             target_bytes)
        pause_point("compact-staged")
        targets = {final for _, final in merged.files}
        # A merged file named as one of its inputs (the same ids) replaces it: never delete it.
        apply_manifest(write_manifest(staging, merged.files, delete=[p.path for p in batch if p.path not in targets]))
        outcome.passes += 1
        parts = list_files(f"{folder}/*.parquet")
    outcome.files_after = len(parts)
    if outcome.passes:
        outcome.rows = sum(num_rows(p.path) for p in parts)
    return outcome


def chosen_dates(found, config: CompactConfig, today: date) -> list[str]:
    if config.dates:
        return sorted(set(found) & set(config.dates))
    return closed_dates(found, today, config.older_than_days)


def compact(config: CompactConfig, today: date | None = None) -> Summary:
    """Finishes what a killed run or compaction left, then compacts the chosen partitions."""
    today = today or datetime.now(timezone.utc).date()
    output = config.output.rstrip("/")
    finish_commits(output)
    clear_dead_staging(output)
    attempt = ATTEMPT_PREFIX + new_attempt()
    summary = Summary()
    for table in config.tables:
        found = partitions(output, table)
        dates = chosen_dates(found, config, today)
        summary.untouched += len(found) - len(dates)
        for day in dates:
            summary.outcomes.append(compact_partition(output, table, day, config.target_bytes, attempt))
    return summary


def run(config: CompactConfig) -> int:
    summary = compact(config)
    if not config.quiet:
        print(summary.line())
    sys.stdout.flush()
    return 0
