"""Commit: a run's files become visible together, or not at all, whenever the run is killed.

The write step puts every file of a pipeline run (a batch, a stream's window pane) under
OUTPUT/_staging/<attempt>/, which readers of OUTPUT/<table>/date=*/ never list (pyarrow and
Spark skip names starting with '_'). Once every file is written, one step lists them in a
manifest (COMMIT-<hash>.json, written whole under a temporary name, then renamed), moves each
into place and deletes the manifest. A run killed before the manifest leaves nothing visible:
the same command run again writes the same files. A run killed while moving leaves a manifest:
the next run on the output finishes the moves before it reads what is there (finish_commits).
A reader listing the output during the moves can see part of one commit's files; nothing else.

A manifest may also list files to delete once every move is done (compaction, pipeline/compact.py:
merged files in, the small files they replace out). Manifest: {"files": [[staged, final], ...],
"run": {"record", "batch"} or null, "delete": [final path, ...] (optional)}.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import time
import uuid

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from transforms.utils.json_files import load_json, save_json
from transforms.utils.paths import is_local, local_path
from transforms.utils.stage import counter

STAGING = "_staging"
MANIFEST_PREFIX = "COMMIT-"
# An attempt with no manifest this old was killed before its commit: its files are garbage.
ABANDONED_SECONDS = 24 * 3600
# Crash tests hold a run at a named point of the commit (NAME, or NAME#N for its N-th time in the
# process) and kill it there; unset in real runs.
PAUSE_AT = "NEWS_INGEST_PAUSE_AT"
_passed: dict = {}


def pause_point(name: str) -> None:
    wanted = os.environ.get(PAUSE_AT)
    if not wanted:
        return
    _passed[name] = _passed.get(name, 0) + 1
    if wanted in (name, f"{name}#{_passed[name]}"):
        print(f"news-ingest: paused at {wanted}", file=sys.stderr, flush=True)
        time.sleep(3600)


def staging_dir(output: str, attempt: str) -> str:
    return f"{output.rstrip('/')}/{STAGING}/{attempt}"


def new_attempt() -> str:
    """A name for one pipeline run's staging folder: sortable by time, unique."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + uuid.uuid4().hex[:12]


def _move(source: str, target: str) -> None:
    if is_local(target):
        os.makedirs(os.path.dirname(local_path(target)), exist_ok=True)
        os.replace(local_path(source), local_path(target))
    else:
        FileSystems.rename([source], [target])


def is_missing(exc: Exception) -> bool:
    return isinstance(exc, FileNotFoundError) or "not found" in str(exc).lower() or "no files" in str(exc).lower()


def _delete(path: str) -> None:
    """Deletes a file; one already gone (another run finishing the same manifest) is no error."""
    try:
        FileSystems.delete([path])
    except Exception as exc:  # noqa: BLE001 - each filesystem says "missing" in its own way
        if not is_missing(exc):
            raise


def apply_manifest(manifest: str) -> list[str]:
    """Moves the files a manifest lists into place (those not moved yet), deletes the files it
    lists to delete (those still there), records the moved ones in the run record it names, if
    any, and deletes it; returns the final paths. Safe to run again
    after a kill at any point, and beside another run finishing the same manifest."""
    try:
        with FileSystems.open(manifest) as f:
            entry = json.loads(f.read().decode("utf-8"))
    except Exception as exc:  # noqa: BLE001 - each filesystem says "missing" in its own way
        if is_missing(exc):
            return []  # another run finished this commit meanwhile
        raise
    finals = []
    for source, target in entry["files"]:
        try:
            _move(source, target)
            pause_point("mid-commit")
        except Exception as exc:  # noqa: BLE001
            if not (is_missing(exc) and FileSystems.exists(target)):
                raise RuntimeError(f"a committed file is missing: {source} (for {target})") from exc
        finals.append(target)
    # Deletes come after every move: a kill between the two leaves rows twice, never missing,
    # and the next run on the output deletes the rest.
    for path in entry.get("delete") or []:
        _delete(path)
        pause_point("mid-delete")
    if entry.get("run"):
        record_batch(entry["run"]["record"], entry["run"]["batch"], finals)
    _delete(manifest)
    staging = manifest.rsplit("/", 1)[0]
    if is_local(staging):
        _remove_empty_dirs(local_path(staging))
        with contextlib.suppress(OSError):
            os.rmdir(os.path.dirname(local_path(staging)))  # _staging itself, when no other run stages there
    return finals


def record_batch(record: str, batch: int, files: list[str]) -> None:
    """A run of several batches (pipeline/local_batches.py) keeps its committed batches and
    their files in `record`: the manifest names it, so a batch is recorded exactly when its
    files are in place, however the run is killed."""
    entry = load_json(record)
    save_json(record, {"batches_done": max(entry.get("batches_done", 0), batch + 1),
                       "files": sorted(set(entry.get("files", [])) | set(files))})


def final_path(staged: str) -> str:
    """OUTPUT/_staging/<attempt>/<table>/date=D/<name> -> OUTPUT/<table>/date=D/<name>. The last
    /_staging/ is the run's: OUTPUT itself may lie below a folder of that name."""
    output, rest = staged.rsplit(f"/{STAGING}/", 1)
    return f"{output}/{rest.split('/', 1)[1]}"


def commit(staged: list[str], run: dict | None = None) -> list[str]:
    """Makes the staged files (full paths under one attempt's staging folder) visible. The paths
    travel whole, so a job updated in place (a new attempt folder) still finds the files its
    predecessor staged. `run`: {'record': path, 'batch': n} when the run is one batch of several."""
    pause_point("staged")
    staged = sorted(set(staged))
    output, rest = staged[0].rsplit(f"/{STAGING}/", 1)  # as in final_path
    folder = f"{output}/{STAGING}/{rest.split('/')[0]}"
    return apply_manifest(write_manifest(folder, [[path, final_path(path)] for path in staged], run=run))


def write_manifest(folder: str, files: list, run: dict | None = None, delete: list[str] | None = None) -> str:
    """Writes a manifest (see the module docstring) whole into the staging folder `folder`: under
    a temporary name, then renamed, so a kill leaves either no manifest or all of it. Returns
    its path; apply_manifest carries it out. Without `delete` it is the manifest commit has
    always written, so an older version of this code can finish it."""
    digest = hashlib.sha256("\n".join(source for source, _ in files).encode()).hexdigest()[:16]
    manifest = f"{folder}/{MANIFEST_PREFIX}{digest}.json"
    temp = f"{folder}/.{MANIFEST_PREFIX}{digest}.{uuid.uuid4().hex}.inprogress"
    entry = {"files": [list(pair) for pair in files], "run": run}
    if delete:
        entry["delete"] = sorted(delete)
    with FileSystems.create(temp) as f:
        f.write(json.dumps(entry).encode("utf-8"))
    FileSystems.rename([temp], [manifest])
    return manifest


def _remove_empty_dirs(root: str) -> None:
    for folder, _, _ in sorted(os.walk(root), key=lambda entry: -len(entry[0])):
        try:
            os.rmdir(folder)
        except OSError:
            pass  # not empty: another attempt's files, or one still being written


def finish_commits(output: str) -> int:
    """Completes the commits a killed run left half done; on a local output also removes the
    staging of attempts killed before their commit, once ABANDONED_SECONDS old. Returns how
    many commits were completed."""
    root = f"{output.rstrip('/')}/{STAGING}"
    try:
        manifests = sorted(m.path for m in FileSystems.match([f"{root}/*/{MANIFEST_PREFIX}*.json"])[0].metadata_list)
    except Exception:  # noqa: BLE001 - nothing staged
        manifests = []
    for manifest in manifests:
        apply_manifest(manifest)
    if is_local(root) and os.path.isdir(local_path(root)):
        now = time.time()
        for attempt in os.listdir(local_path(root)):
            folder = os.path.join(local_path(root), attempt)
            files = [os.path.join(d, f) for d, _, names in os.walk(folder) for f in names]
            newest = max([os.path.getmtime(f) for f in files] + [os.path.getmtime(folder)])
            if now - newest > ABANDONED_SECONDS:  # never a live run's: it would have written since
                for f in files:
                    os.remove(f)
                _remove_empty_dirs(folder)
        with contextlib.suppress(OSError):
            os.rmdir(local_path(root))
    return len(manifests)


class _CommitFn(beam.DoFn):
    def __init__(self, run: dict | None):
        self._run = run

    def process(self, item):
        _, staged = item
        for final in commit(list(staged), self._run):
            counter("write.committed_files").inc()
            yield final
        pause_point("committed")


class Commit(beam.PTransform):
    """Paths of staged files -> their final paths, once every file of the run (of the window
    pane, in a stream) is written. `run`: see commit."""

    def __init__(self, run: dict | None = None):
        super().__init__()
        self._run = run

    def expand(self, staged):
        return (staged
                | "OneKey" >> beam.Map(lambda path: (None, path))
                | "AllStaged" >> beam.GroupByKey()
                | "MoveIntoPlace" >> beam.ParDo(_CommitFn(self._run)))
