"""What a run leaves for the run report: one record per run under OUTPUT/_state/summaries/, and
per-site extraction health as Beam metrics while it runs."""
import json

from tests.conftest import run_cli


def test_each_run_leaves_one_record_without_per_site_counters(tmp_path):
    out = tmp_path / "out"
    for _ in range(2):
        assert run_cli("run", "-q", "--input", "samples", "--output", str(out)).returncode == 0
    records = [json.loads(p.read_text()) for p in sorted((out / "_state" / "summaries").glob("*.json"))]
    assert len(records) == 2
    assert [r["counters"].get("write.articles.rows", 0) for r in records] == [8, 0]  # the second skips them
    assert all(r["mode"] == "batch" and r["seconds"] > 0 and r["started"].endswith("+00:00") for r in records)
    assert not any(k.startswith("health.") for r in records for k in r["counters"])


def test_a_run_counts_extraction_health_per_site(tmp_path):
    from pipeline import local_batches
    from pipeline.config import BatchLimits, GraphConfig
    from pipeline.inputs import expand_inputs
    from pipeline.options import beam_options

    cfg = GraphConfig(inputs=tuple(expand_inputs(["samples"])), output=str(tmp_path / "out"), progress=False)
    counts = local_batches.run(cfg, BatchLimits(), beam_options([]), quiet=True)
    health = {k: v for k, v in counts.items() if k.startswith("health.")}
    assert sum(v for k, v in health.items() if k.endswith(".articles")) == counts["write.articles.rows"] == 8
    assert all(k.rsplit(".", 1)[1] in ("articles", "no_title", "no_date", "no_authors", "short_text") for k in health)
