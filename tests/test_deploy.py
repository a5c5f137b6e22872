"""deploy/: the files parse, the Flex Template's parameters are the command's flags, the
Dockerfiles copy files that exist, image versions match the installed Beam, and the pipeline
builds its Dataflow job graph offline (DataflowRunner, --dry_run)."""
import json
import re
import time
from pathlib import Path

import apache_beam
import pytest
import yaml

from pipeline.cli import parser, run_flags
from pipeline.options import check_beam_args
from pipeline.template import translate
from tests.conftest import REPO, run_cli

DEPLOY = REPO / "deploy"


def yaml_docs(path):
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def test_every_json_and_yaml_file_parses():
    files = sorted(DEPLOY.rglob("*.json")) + sorted(DEPLOY.rglob("*.yaml"))
    assert len(files) >= 6
    for path in files:
        if path.suffix == ".json":
            assert isinstance(json.loads(path.read_text()), dict), path
        elif path.parent.name == "flink":
            assert all("kind" in d and "apiVersion" in d for d in yaml_docs(path)), path
        else:
            assert yaml_docs(path), path


def test_flex_template_parameters_are_the_commands_flags():
    meta = json.loads((DEPLOY / "dataflow" / "metadata.json").read_text())
    params = {p["name"]: p for p in meta["parameters"]}
    assert {"feeds", "output", "streaming", "poll_interval", "window"} <= set(params)
    assert not params["feeds"]["isOptional"] and not params["output"]["isOptional"]
    flags = run_flags()
    for name in params:
        assert re.fullmatch(r"[a-zA-Z][a-zA-Z0-9_]*", name), name
        assert name in flags, f"metadata parameter {name} is not a flag of news-ingest run"
    argv = translate(["--feeds=https://a.example/f.xml,https://b.example/g.xml", "--output=gs://b/out",
                      "--streaming=true", "--poll_interval=30", "--no_fetch=false", "--runner=DataflowRunner"])
    assert argv == ["run", "--detach", "--feeds", "https://a.example/f.xml", "https://b.example/g.xml",
                    "--output", "gs://b/out", "--streaming", "--poll-interval", "30", "--runner=DataflowRunner"]
    launch = json.loads((DEPLOY / "dataflow" / "launch-batch.json").read_text())["launchParameter"]
    assert set(launch["parameters"]) <= set(params)


def dockerfile_sources(path):
    sources = []
    for line in path.read_text().splitlines():
        parts = line.split()
        if parts and parts[0] in ("COPY", "ADD") and not any(p.startswith("--from") for p in parts):
            sources += [p for p in parts[1:-1] if not p.startswith("--")]
    return sources


def test_worker_image_copies_files_that_exist_and_pins_this_beam():
    path = DEPLOY / "Dockerfile"
    sources = dockerfile_sources(path)
    assert "setup.py" in sources and "pipeline" in sources
    for src in sources:
        assert (REPO / src).exists(), f"deploy/Dockerfile copies {src}, which is not in the repository"
    assert f"beam_python3.11_sdk:{apache_beam.__version__}" in path.read_text()


def test_template_image_starts_the_template_entry_point():
    text = (DEPLOY / "dataflow" / "Dockerfile").read_text()
    assert "FROM ${WORKER_IMAGE}" in text
    py_file = re.search(r"FLEX_TEMPLATE_PYTHON_PY_FILE=/app/(\S+)", text).group(1)
    setup_file = re.search(r"FLEX_TEMPLATE_PYTHON_SETUP_FILE=/app/(\S+)", text).group(1)
    assert (REPO / py_file).is_file() and (REPO / setup_file).is_file()  # the worker image copies the repo to /app
    build = yaml_docs(DEPLOY / "dataflow" / "cloudbuild.yaml")[0]
    assert [step["args"][2] for step in build["steps"]] == ["deploy/Dockerfile", "deploy/dataflow/Dockerfile"]


def test_flink_manifests_fit_together():
    deployment = yaml_docs(DEPLOY / "flink" / "flink-deployment.yaml")[0]
    pool = [c for c in deployment["spec"]["podTemplate"]["spec"]["containers"] if c["name"] == "beam-worker-pool"][0]
    assert pool["args"] == ["--worker_pool"] and pool["ports"][0]["containerPort"] == 50000
    flink = deployment["spec"]["flinkVersion"].removeprefix("v").replace("_", ".")
    server = yaml_docs(DEPLOY / "flink" / "job-server.yaml")
    image = server[0]["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == f"apache/beam_flink{flink}_job_server:{apache_beam.__version__}"
    cron = yaml_docs(DEPLOY / "flink" / "cronjob.yaml")[0]
    assert len(cron["spec"]["schedule"].split()) == 5
    for doc in (cron["spec"]["jobTemplate"]["spec"]["template"], yaml_docs(DEPLOY / "flink" / "streaming-job.yaml")[0]["spec"]["template"]):
        args = doc["spec"]["containers"][0]["args"]
        assert args[0] == "run" and "--environment_type=EXTERNAL" in args and "--environment_config=localhost:50000" in args
        ours, beams = parser().parse_known_args(args)  # the command's own flags, then Beam's
        check_beam_args(beams)  # raises UsageError for an option Beam does not know


def test_deploy_readme_names_every_file():
    text = (DEPLOY / "README.md").read_text()
    for path in DEPLOY.rglob("*"):
        if path.is_file() and path.name != "README.md":
            assert path.name in text, path


def test_dataflow_job_graph_builds_offline():
    pytest.importorskip("apitools", reason="needs the dataflow extra: pip install -e '.[dataflow]'")
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    from pipeline.config import GraphConfig, StreamConfig
    from pipeline.graph import build_stream
    options = PipelineOptions(["--runner=DataflowRunner", "--project=demo-project", "--region=us-central1",
                               "--temp_location=gs://demo-bucket/tmp", "--dry_run=True", "--streaming"])
    p = beam.Pipeline(options=options)
    cfg = GraphConfig(inputs=(), output="gs://demo-bucket/news", feeds=("https://news.example/feed.xml",))
    build_stream(p, cfg, StreamConfig(), time.time(), None)
    job = p.run().job
    assert json.loads(job.json())["type"] == "JOB_TYPE_STREAMING"
    names = {t.unique_name for t in job.proto_pipeline.components.transforms.values()}
    assert {"Poll", "FirstSighting", "FetchPages", "Analyse/Extract", "Analyse/Language", "Deduplicate", "Write"} <= names


@pytest.mark.parametrize("mode", [[], ["--streaming"]])
def test_the_command_builds_the_dataflow_job_offline(mode, tmp_path):
    pytest.importorskip("apitools", reason="needs the dataflow extra: pip install -e '.[dataflow]'")
    r = run_cli("run", *mode, "--feeds", "https://news.example/feed.xml", "--output", "gs://demo-bucket/news",
                "--runner=DataflowRunner", "--project=demo-project", "--region=us-central1",
                "--temp_location=gs://demo-bucket/tmp", "--dry_run=True")
    assert r.returncode == 0, r.stderr[-2000:]
    assert "dry run: the DataflowRunner job graph was built and not submitted" in r.stderr
