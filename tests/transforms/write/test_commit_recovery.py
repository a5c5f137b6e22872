"""A commit killed at any point, and what the next run on the output finds and does
(transforms/write/commit.py), in-process: the crash tests (tests/pipeline/test_crash_recovery.py)
kill real runs at the same failpoints.

A kill is played by the failpoint itself: NEWS_INGEST_PAUSE_AT names the point, and where a real
run would sleep until the test kills it, `Killed` is raised instead, so nothing after the point
runs. Real files in tmp_path; what counts is what a reader of OUTPUT/<table>/date=*/ and a later
run see.
"""
import io
import json
import os
import time
import uuid
from datetime import datetime, timezone
from typing import ClassVar

import apache_beam as beam
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from apache_beam.io.filesystem import BeamIOError, FileMetadata, FileSystem
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.util import assert_that, equal_to

from pipeline.summary import counters
from tests.conftest import pipeline_options
from transforms.write.commit import (
    PAUSE_AT,
    STAGING,
    Commit,
    commit,
    finish_commits,
    new_attempt,
    pause_point,
    staging_dir,
)

ATTEMPT = "20260101T000000Z-0123456789ab"
DAY = 24 * 3600  # README: uncommitted files of a killed run are deleted a day later


class Killed(BaseException):
    """A kill at a failpoint: not an Exception, so no handler in the code under test sees it."""


@pytest.fixture
def failpoint(monkeypatch):
    """arm(point, on_pause) sets NEWS_INGEST_PAUSE_AT=point; at the n-th pause, where the run would
    sleep until killed, on_pause(n) is called instead. Returns the lengths of the pauses asked for."""
    real_sleep = time.sleep

    def arm(point, on_pause):
        pauses = []

        def sleep(seconds):
            if seconds < 60:  # another thread's short wait, not the failpoint
                return real_sleep(seconds)
            pauses.append(seconds)
            on_pause(len(pauses))

        monkeypatch.setenv(PAUSE_AT, point)
        monkeypatch.setattr(time, "sleep", sleep)
        return pauses
    return arm


def kill_at(*pauses):
    def on_pause(n):
        if n in pauses:
            raise Killed
    return on_pause


def parquet_bytes(row_id):
    sink = io.BytesIO()
    pq.write_table(pa.table({"id": [row_id]}), sink)
    return sink.getvalue()


def staged_files(out, attempt, ids, table="articles", date="2026-01-01"):
    """What the write step leaves in a run's staging folder: one Parquet file per id."""
    paths = []
    for row_id in ids:
        path = f"{staging_dir(str(out), attempt)}/{table}/date={date}/{row_id}.parquet"
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(parquet_bytes(row_id))
        paths.append(path)
    return paths


def visible(out):
    """{table: ids} a reader of OUTPUT/<table>/date=*/*.parquet finds."""
    found = {}
    for table in sorted(p for p in out.iterdir() if not p.name.startswith(("_", "."))):
        files = sorted(str(f) for f in table.glob("date=*/*.parquet"))
        if files:
            found[table.name] = sorted(ds.dataset(files, format="parquet").to_table().column("id").to_pylist())
    return found


def pending(out):
    """Manifests of commits a run left unfinished."""
    return sorted(p.name for p in out.glob(f"{STAGING}/*/COMMIT-*.json"))


def test_a_batch_commit_records_its_batch_and_files_and_a_late_one_never_lowers_the_count(tmp_path):
    """A run of several batches resumes from its record (pipeline/local_batches.py). Two runs of one
    command may share the output: a batch committed after a later batch keeps the later count."""
    out, record = tmp_path / "out", tmp_path / "out" / "_state" / "runs" / "run.json"
    third = commit(staged_files(out, ATTEMPT, ["c", "d"]), {"record": str(record), "batch": 2})
    assert json.loads(record.read_text()) == {"batches_done": 3, "files": sorted(third)}
    second = commit(staged_files(out, "20260101T000001Z-ba9876543210", ["b"]), {"record": str(record), "batch": 1})
    assert json.loads(record.read_text()) == {"batches_done": 3, "files": sorted(third + second)}
    assert visible(out) == {"articles": ["b", "c", "d"]}


def test_a_run_killed_before_its_manifest_shows_nothing_and_the_same_commit_run_again_shows_all(tmp_path, failpoint):
    out = tmp_path / "out"
    staged = staged_files(out, ATTEMPT, ["a", "b"])
    failpoint("staged", kill_at(1))
    with pytest.raises(Killed):
        commit(staged)
    assert not list(out.glob("articles/date=*/*")) and pending(out) == []
    assert finish_commits(str(out)) == 0
    assert all(os.path.exists(path) for path in staged)  # kept: not a day old, maybe a live run's
    commit(staged)  # the command run again stages the same files and commits them
    assert visible(out) == {"articles": ["a", "b"]} and not (out / STAGING).exists()


def test_a_run_killed_between_two_moves_is_finished_and_recorded_by_the_next_run(tmp_path, failpoint):
    out, record = tmp_path / "out", tmp_path / "out" / "_state" / "runs" / "run.json"
    staged = staged_files(out, ATTEMPT, ["a", "b", "c"])
    failpoint("mid-commit", kill_at(2))
    with pytest.raises(Killed):
        commit(staged, {"record": str(record), "batch": 0})
    assert visible(out) == {"articles": ["a", "b"]}  # part of one commit, for the moment of the moves
    assert len(pending(out)) == 1 and not record.exists()  # the batch counts once all its files are in place
    assert finish_commits(str(out)) == 1
    assert visible(out) == {"articles": ["a", "b", "c"]}
    assert json.loads(record.read_text())["batches_done"] == 1
    assert not (out / STAGING).exists() and finish_commits(str(out)) == 0


def test_every_commit_cut_in_one_staging_folder_is_finished(tmp_path, failpoint, monkeypatch):
    """A stream commits each window from the run's one staging folder; windows committing at once
    when the job is killed leave a manifest each."""
    out = tmp_path / "out"
    windows = [staged_files(out, ATTEMPT, ["a", "b"]), staged_files(out, ATTEMPT, ["c", "d"])]
    failpoint("mid-commit", kill_at(1, 2))
    for staged in windows:
        with pytest.raises(Killed):
            commit(staged)
    monkeypatch.delenv(PAUSE_AT)
    assert len(pending(out)) == 2
    assert finish_commits(str(out)) == 2
    assert visible(out) == {"articles": ["a", "b", "c", "d"]} and not (out / STAGING).exists()


def test_a_run_that_finds_another_finishing_the_same_commit_ends_without_error(tmp_path, failpoint):
    """A run may start on the output while another is in the middle of its moves (slow, not dead):
    both finish the manifest, each finding files the other moved and, at last, the manifest gone."""
    out = tmp_path / "out"
    staged = staged_files(out, ATTEMPT, ["a", "b", "c"])
    other_run = []

    def another_run_starts(n):
        if n == 1:
            other_run.append(finish_commits(str(out)))

    failpoint("mid-commit", another_run_starts)
    assert [os.path.basename(path) for path in commit(staged)] == ["a.parquet", "b.parquet", "c.parquet"]
    assert other_run == [1]
    assert visible(out) == {"articles": ["a", "b", "c"]} and not (out / STAGING).exists()


def test_a_manifest_that_cannot_be_read_stops_the_next_run_rather_than_passing_for_finished(tmp_path, failpoint,
                                                                                             monkeypatch):
    """Taken for a commit another run finished, its files would stay unseen, then go a day later."""
    out = tmp_path / "out"
    staged = staged_files(out, ATTEMPT, ["a", "b"])
    failpoint("mid-commit", kill_at(1))
    with pytest.raises(Killed):
        commit(staged)
    monkeypatch.delenv(PAUSE_AT)
    [manifest] = out.glob(f"{STAGING}/*/COMMIT-*.json")
    manifest.write_bytes(manifest.read_bytes()[:20])  # a disk that lost the file's end
    with pytest.raises(ValueError):
        finish_commits(str(out))
    assert os.path.exists(staged[1]) and pending(out) == [manifest.name]


def test_a_commit_leaves_the_staging_of_another_run_on_the_same_output_alone(tmp_path):
    """Two runs may share an output (README): a commit tidies its own staging folder only, not the
    folders another run has just made for the file it is about to write."""
    out = tmp_path / "out"
    staged = staged_files(out, ATTEMPT, ["a"])
    other = out / STAGING / "20260101T000001Z-ba9876543210" / "articles" / "date=2026-01-01"
    other.mkdir(parents=True)
    commit(staged)
    assert other.is_dir() and not (out / STAGING / ATTEMPT).exists()
    assert visible(out) == {"articles": ["a"]}


def age(folder, seconds_ago):
    """Sets the times of every file and folder in `folder` (and its own) back."""
    then = time.time() - seconds_ago
    for path in [*folder.rglob("*"), folder]:
        os.utime(path, (then, then))


def test_staging_of_runs_killed_before_their_commit_goes_a_day_later_while_live_runs_keep_theirs(tmp_path):
    out = tmp_path / "out"
    root = out / STAGING
    staged_files(out, "20260101T000000Z-abandoned000", ["a", "b"], table="duplicates")
    age(root / "20260101T000000Z-abandoned000", DAY + 3600)
    (root / "20260101T000000Z-emptyfolder0").mkdir()  # killed before it wrote anything
    age(root / "20260101T000000Z-emptyfolder0", DAY + 3600)
    slow = staged_files(out, "20260101T000000Z-slowwriter00", ["c"])
    age(root / "20260101T000000Z-slowwriter00", DAY + 3600)
    slow += staged_files(out, "20260101T000000Z-slowwriter00", ["d"])  # still writing: a file of now
    fresh = staged_files(out, "20260102T000000Z-startednow00", ["e"])
    assert finish_commits(str(out)) == 0
    assert sorted(os.listdir(root)) == ["20260101T000000Z-slowwriter00", "20260102T000000Z-startednow00"]
    assert all(os.path.exists(path) for path in slow + fresh)
    age(root, DAY + 3600)
    assert finish_commits(str(out)) == 0 and not root.exists()  # _staging itself goes with the last one
    assert os.listdir(out) == []  # nothing was ever committed


def test_an_output_below_a_folder_named_staging_gets_its_files(tmp_path, failpoint):
    """Only the last /_staging/ of a staged path is the run's: OUTPUT may be /data/_staging/news."""
    out = tmp_path / STAGING / "news"
    staged = staged_files(out, ATTEMPT, ["a", "b"])
    failpoint("mid-commit", kill_at(1))
    with pytest.raises(Killed):
        commit(staged)
    assert finish_commits(str(out)) == 1
    assert visible(out) == {"articles": ["a", "b"]}
    assert sorted(os.listdir(tmp_path / STAGING)) == ["news"]  # nothing put beside the output


class NotFound(Exception):
    """How an object store says a name is missing (google.cloud.exceptions.NotFound in gcsio)."""


class MemoryStore(FileSystem):
    """An object store in memory, for outputs that are not local folders (gs://, s3://): no
    folders, names listed by prefix, a missing object reported as 'not found'."""
    objects: ClassVar[dict] = {}

    @classmethod
    def scheme(cls):
        return "memtest"

    def join(self, basepath, *paths):
        return "/".join([basepath.rstrip("/"), *paths])

    def split(self, path):
        return tuple(path.rsplit("/", 1))

    def mkdirs(self, path):
        pass

    def has_dirs(self):
        return False

    def _list(self, prefix):
        return [FileMetadata(name, len(data), 0.0) for name, data in sorted(self.objects.items())
                if name.startswith(prefix)]

    def create(self, path, mime_type=None, compression_type=None):
        objects = self.objects

        class Upload(io.BytesIO):
            def close(self):
                objects[path] = self.getvalue()
                super().close()
        return Upload()

    def open(self, path, mime_type=None, compression_type=None):
        if path not in self.objects:
            raise NotFound(f"Object {path} not found")
        return io.BytesIO(self.objects[path])

    def copy(self, sources, targets):
        for source, target in zip(sources, targets):
            self.objects[target] = self.open(source).read()

    def rename(self, sources, targets):
        failed = {}
        for source, target in zip(sources, targets):
            if source in self.objects:
                self.objects[target] = self.objects.pop(source)
            else:
                failed[(source, target)] = NotFound(f"Object {source} not found")
        if failed:
            raise BeamIOError("Rename operation failed", failed)

    def exists(self, path):
        return path in self.objects

    def size(self, path):
        return len(self.objects[path])

    def last_updated(self, path):
        return 0.0

    def checksum(self, path):
        return str(hash(self.objects[path]))

    def metadata(self, path):
        return FileMetadata(path, self.size(path), 0.0)

    def delete(self, paths):
        failed = {path: NotFound(f"Object {path} not found") for path in paths if path not in self.objects}
        for path in paths:
            self.objects.pop(path, None)
        if failed:
            raise BeamIOError("Delete operation failed", failed)


@pytest.fixture
def object_store():
    MemoryStore.objects.clear()
    yield MemoryStore.objects
    MemoryStore.objects.clear()


@pytest.mark.parametrize("output", ["memtest://bucket/news", "memtest://bucket/news/", "memtest://bucket/INBOX/"],
                         ids=["plain", "trailing-slash", "name-ending-in-X"])
def test_a_commit_on_an_object_store_cut_midway_is_finished_by_the_next_run(output, object_store, failpoint):
    staging = staging_dir(output, new_attempt())
    staged = []
    for row_id in ("a", "b"):
        staged.append(f"{staging}/articles/date=2026-01-01/{row_id}.parquet")
        with FileSystems.create(staged[-1]) as f:
            f.write(parquet_bytes(row_id))
    failpoint("mid-commit", kill_at(1))
    with pytest.raises(Killed):
        commit(staged)
    assert finish_commits(output) == 1
    folder = f"{output.rstrip('/')}/articles/date=2026-01-01"
    assert sorted(object_store) == [f"{folder}/a.parquet", f"{folder}/b.parquet"]  # nothing left staged
    assert pq.read_table(io.BytesIO(object_store[f"{folder}/b.parquet"])).column("id").to_pylist() == ["b"]


class FolderStore(MemoryStore):
    """A store that, as HDFS does, fails to list a folder that does not exist."""

    @classmethod
    def scheme(cls):
        return "memtestfolders"

    def _list(self, prefix):
        found = super()._list(prefix)
        if not found:
            raise BeamIOError("List operation failed", {prefix: NotFound(f"{prefix} does not exist")})
        return found


def test_a_first_run_on_a_store_that_cannot_list_a_missing_folder_finds_no_commit_to_finish(object_store):
    assert finish_commits("memtestfolders://cluster/news") == 0


def test_the_commit_step_puts_every_file_in_place_and_records_the_batch_before_it_ends(tmp_path, failpoint):
    """In a pipeline: at the step's end (the 'committed' failpoint, where a kill no longer loses
    anything) the files are readable and the batch recorded; the step outputs and counts each file."""
    out, record = tmp_path / "out", tmp_path / "out" / "_state" / "runs" / "run.json"
    staged = staged_files(out, ATTEMPT, ["a", "b"]) + staged_files(out, ATTEMPT, ["x"], table="duplicates")
    final = [str(out / table / "date=2026-01-01" / f"{row_id}.parquet")
             for table, row_id in (("articles", "a"), ("articles", "b"), ("duplicates", "x"))]
    at_end = []
    failpoint("committed", lambda n: at_end.append((visible(out), pending(out), json.loads(record.read_text()))))
    p = beam.Pipeline(options=PipelineOptions(pipeline_options()))
    committed = p | beam.Create(staged) | "Commit" >> Commit({"record": str(record), "batch": 0})
    assert_that(committed, equal_to(final))
    result = p.run()
    result.wait_until_finish()
    assert at_end == [({"articles": ["a", "b"], "duplicates": ["x"]}, [], {"batches_done": 1, "files": final})]
    assert counters(result)["write.committed_files"] == 3


def test_the_commit_keeps_the_step_names_a_running_job_is_updated_by():
    """Dataflow's --update matches the new job's steps to the running job's by name
    (deploy/README.md): renaming one of these needs a --transform-name-mappings entry there."""
    p = beam.Pipeline()
    _ = p | beam.Create(["x"]) | "Commit" >> Commit()
    names = {t.unique_name for t in p.to_runner_api().components.transforms.values()}
    assert {"Commit/OneKey", "Commit/AllStaged", "Commit/MoveIntoPlace"} <= names


@pytest.fixture
def local_time_not_utc():
    before = os.environ.get("TZ")
    os.environ["TZ"] = "<+0530>-05:30"  # a POSIX zone: needs no tz database
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_a_run_s_staging_folder_is_named_for_its_start_in_utc_and_is_its_own(local_time_not_utc):
    """<UTC start>-<random>: a listing of _staging shows runs in the order they started, whatever
    the machine's time zone, and runs started in the same second get folders of their own."""
    before = datetime.now(timezone.utc).replace(microsecond=0)
    names = [new_attempt() for _ in range(50)]
    after = datetime.now(timezone.utc)
    assert len(set(names)) == 50
    for name in names:
        started, _, random_part = name.partition("-")
        assert before <= datetime.strptime(started, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc) <= after
        assert random_part.isalnum()


def test_a_failpoint_holds_the_run_at_the_named_pass_of_its_point_only_and_says_so(failpoint, capsys):
    point, other = f"point-{uuid.uuid4().hex}", f"other-{uuid.uuid4().hex}"
    passes = []
    failpoint(f"{point}#2", lambda n: passes.append("held"))
    for n in (1, 2, 3):
        passes.append(n)
        pause_point(point)
        pause_point(other)
    assert passes == [1, 2, "held", 3]
    assert capsys.readouterr() == ("", f"news-ingest: paused at {point}#2\n")


def test_a_failpoint_named_without_a_count_holds_every_pass_and_none_when_unset(failpoint, capsys, monkeypatch):
    point = f"point-{uuid.uuid4().hex}"
    held = failpoint(point, lambda n: None)
    pause_point(point)
    pause_point(point)
    assert len(held) == 2
    assert capsys.readouterr().err == f"news-ingest: paused at {point}\n" * 2
    monkeypatch.delenv(PAUSE_AT)
    pause_point(point)
    assert len(held) == 2 and capsys.readouterr().err == ""
