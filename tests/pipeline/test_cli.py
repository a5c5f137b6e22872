"""`news-ingest run`'s flags and their checks (pipeline/cli.py): a user's mistake is one line on
stderr and exit code 2."""
import pytest

from tests.conftest import run_cli


@pytest.mark.parametrize("args,message", [
    (["run", "--no-such-flag"], "unknown option: --no-such-flag"),
    (["run", "--checkpointing_interval=60000"], "is an option of the Flink runner"),
    (["run", "--runner=FlinkRunner", "--parallelism", "2", "stray"], "unexpected argument: stray"),
    (["run", "--input", "/does/not/exist"], "input not found: /does/not/exist"),
    (["run", "--output", "/proc/not-writable"], "output folder is not writable"),
    (["run", "--max-rows-per-file", "zero"], "invalid int value"),
    (["explode"], "invalid choice"),
    ([], "required"),
])
def test_usage_errors_are_one_line_and_exit_2(args, message):
    result = run_cli(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("news-ingest: error: ") and message in lines[0], result.stderr


@pytest.mark.parametrize("args, message", [
    (["--streaming"], "--streaming needs --feeds"),
    (["--window", "5"], "--window needs --streaming"),
    (["--streaming", "--feeds", "http://127.0.0.1:9/f.xml", "--poll-interval", "10", "--window", "5"],
     "--window must be at least --poll-interval"),
    (["--streaming", "--feeds", "http://127.0.0.1:9/f.xml", "--input", "samples"], "polls feed, sitemap and site URLs only"),
])
def test_streaming_usage_errors(args, message, tmp_path):
    r = run_cli("run", *args, "--output", tmp_path / "o")
    assert r.returncode == 2 and message in r.stderr and len(r.stderr.strip().splitlines()) == 1
