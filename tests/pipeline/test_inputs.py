"""The command's inputs as lists (pipeline/inputs.py): files under --input, feed and URL lists."""
import pytest

from pipeline.errors import UsageError
from pipeline.inputs import expand_inputs
from tests.conftest import run_cli


def test_expand_inputs(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("b.txt", "sub/a.html", ".hidden.txt", "sub/c.jsonl"):
        (tmp_path / name).write_text("x")
    found = expand_inputs([str(tmp_path), str(tmp_path / "b.txt")])
    assert [p.replace(str(tmp_path), "") for p in found] == ["/b.txt", "/sub/a.html", "/sub/c.jsonl"]
    with pytest.raises(UsageError):
        expand_inputs([str(tmp_path / "missing")])


def test_missing_feed_list_is_a_usage_error(tmp_path):
    result = run_cli("run", "--feeds", tmp_path / "nope.txt")
    assert result.returncode == 2 and result.stderr.strip() == f"news-ingest: error: feed list not found: {tmp_path / 'nope.txt'}"
