"""Commits of staged files (transforms/write/commit.py), when two runs finish the same one."""
import json

import pytest

from transforms.write.commit import MANIFEST_PREFIX, STAGING, apply_manifest, final_path, finish_commits


def staged_commit(out, names):
    staging = out / STAGING / "20260101T000000Z-x"
    pairs = []
    for name in names:
        source = staging / "articles" / "date=2026-01-01" / name
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_bytes(name.encode())
        pairs.append([str(source), final_path(str(source))])
    manifest = staging / f"{MANIFEST_PREFIX}x.json"
    manifest.write_text(json.dumps({"files": pairs, "run": None}))
    return pairs, manifest


def test_a_commit_another_run_has_partly_or_wholly_done_is_finished_without_error(tmp_path):
    pairs, manifest = staged_commit(tmp_path, ["a.parquet", "b.parquet", "c.parquet"])
    (tmp_path / "articles" / "date=2026-01-01").mkdir(parents=True)
    (tmp_path / "articles" / "date=2026-01-01" / "a.parquet").write_bytes(
        (tmp_path / pairs[0][0]).read_bytes())  # the other run moved the first file
    (tmp_path / pairs[0][0]).unlink()
    assert apply_manifest(str(manifest)) == [target for _, target in pairs]
    assert sorted(p.name for p in (tmp_path / "articles" / "date=2026-01-01").iterdir()) == [
        "a.parquet", "b.parquet", "c.parquet"]
    assert apply_manifest(str(manifest)) == []  # the other run finds it done
    assert finish_commits(str(tmp_path)) == 0 and not (tmp_path / STAGING).exists()


def test_a_staged_file_lost_before_its_commit_is_an_error_not_a_silent_gap(tmp_path):
    pairs, manifest = staged_commit(tmp_path, ["a.parquet", "b.parquet"])
    (tmp_path / pairs[1][0]).unlink()
    with pytest.raises(RuntimeError, match="missing"):
        apply_manifest(str(manifest))
