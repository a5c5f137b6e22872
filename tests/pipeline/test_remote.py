"""A run on a service (pipeline/remote.py): the whole graph as one job, here on Beam's portable
runner with an external worker pool, as Flink runs it."""
from tests.conftest import files, run_cli


def test_portable_runner_with_an_external_worker_pool_gives_the_same_output(samples_run, worker_pool, tmp_path):
    """How Flink runs Python workers: the job on Beam's portable runner, the code in a separate worker pool."""
    out, _ = samples_run
    portable = tmp_path / "portable"
    result = run_cli("run", "--output", portable, "--runner=PortableRunner", "--job_endpoint=embed",
                     "--environment_type=EXTERNAL", f"--environment_config=localhost:{worker_pool}", "-q", timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "balance: read = articles + duplicates + rejects + skipped + filtered: ok" in result.stdout
    assert files(portable) == files(out)
