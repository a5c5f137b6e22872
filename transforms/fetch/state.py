"""What scheduled runs remember between runs, under OUTPUT/_state/ (readers skip '_' folders).

feeds.json: per feed URL, the ETag and Last-Modified of its last answer, for conditional GET.
sitemaps.json: per sitemap, the same and the newest entry date it listed (transforms/fetch/sitemaps.py).
sites.json: per site of --sites, the feeds and sitemaps found on it (transforms/fetch/discover.py).
Each is written once at the end of a run, after the Parquet files, and atomically (temporary file,
then rename): a run that crashes leaves the previous state, and simply running again loses nothing.
"""
from __future__ import annotations

import apache_beam as beam

from transforms.utils.json_files import load_json, save_json
from transforms.utils.windows import into_output_windows

STATE_DIR = "_state"
FEEDS_FILE = "feeds.json"


def state_path(output: str, name: str = FEEDS_FILE) -> str:
    return f"{output.rstrip('/')}/{STATE_DIR}/{name}"


class LoadState(beam.PTransform):
    """Root -> one element: the state file `name` of earlier runs (the feeds' by default), as a dict."""

    def __init__(self, output: str, name: str = FEEDS_FILE):
        super().__init__()
        self._path = state_path(output, name)

    def expand(self, root):
        return root | beam.Create([self._path]) | beam.Map(load_json)


class _SaveFn(beam.DoFn):
    def __init__(self, path: str):
        self._path = path

    def process(self, updates, written):
        # `written` (the files of this run) is only here to order the save after the writes.
        merged = load_json(self._path)
        merged.update(updates)
        save_json(self._path, merged)
        yield self._path


def merge_updates(updates, pick=None) -> dict:
    """(key, value) updates -> {key: value}; `pick(a, b)` chooses between two values of one key."""
    merged: dict = {}
    for key, value in updates:
        merged[key] = pick(merged[key], value) if pick and key in merged else value
    return merged


class SaveState(beam.PTransform):
    """(key, value) updates -> merged into the state file `name` (feeds.json by default) once the
    run's files are written. `windows`: in a stream, (seconds, allowed lateness) of the output
    windows: the state is saved with each window's files."""

    def __init__(self, output: str, written, windows: tuple | None = None, name: str = FEEDS_FILE, pick=None):
        super().__init__()
        self._path = state_path(output, name)
        self._pick = pick  # (value, value) -> the one to keep, when a key comes twice; default: either
        self._written = written
        self._windows = windows

    def expand(self, updates):
        if self._windows:
            updates = into_output_windows(updates, *self._windows)
        # Grouped under one key rather than combined globally, so that it works per window in a
        # stream as well as once in a batch.
        return (updates
                | "OneKey" >> beam.Map(lambda kv: (None, kv))
                | "Collect" >> beam.GroupByKey()
                | "ToDict" >> beam.MapTuple(lambda _, kvs: merge_updates(kvs, self._pick))
                | "Save" >> beam.ParDo(_SaveFn(self._path), beam.pvalue.AsList(self._written)))
