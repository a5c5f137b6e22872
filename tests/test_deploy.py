"""deploy/: the files parse, the image name and tag are written only in deploy/image.env and
rendered into the manifests, the Flex Template's parameters are the command's flags, the
Dockerfiles copy files that exist, image versions match the installed Beam, the Flink manifests
fit together, and the pipeline builds its Dataflow job graph offline (DataflowRunner, --dry_run).
The schema, gcloud and Dataflow API checks are in tests/test_deploy_offline.py."""
import importlib.util
import json
import os
import re
import subprocess
import sys
import time

import apache_beam
import pytest
import yaml

from pipeline.cli import parser, run_flags
from pipeline.options import check_beam_args
from pipeline.template import translate
from tests.conftest import REPO, run_cli

DEPLOY = REPO / "deploy"


def _load_render():
    """deploy/render.py, which is not in a package, loaded without leaving bytecode in deploy/."""
    spec = importlib.util.spec_from_file_location("deploy_render", DEPLOY / "render.py")
    module = importlib.util.module_from_spec(spec)
    written, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = written
    return module


_render = _load_render()
PLACEHOLDERS, render = _render.PLACEHOLDERS, _render.render

# Stand-ins for the operator's values when rendering.
DUMMY = {"BUCKET": "demo-bucket", "PROJECT": "demo-project", "REGION": "us-central1",
         "WORKER_SERVICE_ACCOUNT": "news-ingest-worker@demo-project.iam.gserviceaccount.com"}


def yaml_docs(path):
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def image_env(**env):
    """deploy/image.env's values, read the way the scripts read it (sourced by bash)."""
    names = ("TAG", "AR_REPOSITORY", "REGISTRY", "WORKER_IMAGE", "TEMPLATE_IMAGE")
    script = '. deploy/image.env && printf "%s\\n" ' + " ".join(f'"${n}"' for n in names)
    out = subprocess.run(["bash", "-c", script], cwd=REPO, capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", **env})
    return dict(zip(names, out.stdout.splitlines()))


def values(**env):
    """Every placeholder's value: the image from image.env (Artifact Registry), the rest dummies."""
    return {**DUMMY, **image_env(PROJECT=DUMMY["PROJECT"], REGION=DUMMY["REGION"]), **env}


def rendered_docs(path, **env):
    return [d for d in yaml.safe_load_all(render(path.read_text(), values(**env))) if d]


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
    assert {"feeds", "sitemaps", "sites", "output", "streaming", "poll_interval", "window"} <= set(params)
    assert not params["output"]["isOptional"]  # and one of feeds, sitemaps, sites (checked by the command)
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


def test_template_image_starts_the_template_entry_point_and_installs_nothing():
    text = (DEPLOY / "dataflow" / "Dockerfile").read_text()
    assert "FROM ${WORKER_IMAGE}" in text
    py_file = re.search(r"FLEX_TEMPLATE_PYTHON_PY_FILE=/app/(\S+)", text).group(1)
    assert (REPO / py_file).is_file()  # the worker image copies the repo to /app
    # A setup or requirements file would make every worker install the package at start; the
    # worker image already has it installed.
    assert not re.search(r"^ENV FLEX_TEMPLATE_PYTHON_(SETUP|REQUIREMENTS)_FILE", text, re.M)
    assert "pip install" in (DEPLOY / "Dockerfile").read_text()
    build = yaml_docs(DEPLOY / "dataflow" / "cloudbuild.yaml")[0]
    assert [step["args"][2] for step in build["steps"]] == ["deploy/Dockerfile", "deploy/dataflow/Dockerfile"]
    assert build["images"] == ["${_WORKER_IMAGE}", "${_TEMPLATE_IMAGE}"]


def test_image_name_and_tag_are_written_only_in_image_env():
    env = image_env(REGISTRY="registry.example/ni")
    assert env["WORKER_IMAGE"] == f"registry.example/ni/news-ingest-worker:{env['TAG']}"
    assert env["TEMPLATE_IMAGE"] == f"registry.example/ni/news-ingest-template:{env['TAG']}"
    assert image_env(PROJECT="p", REGION="europe-west1")["REGISTRY"] == "europe-west1-docker.pkg.dev/p/news-ingest"
    tag = re.escape(env["TAG"])
    for path in DEPLOY.rglob("*"):
        if not path.is_file() or path.name == "image.env" or "__pycache__" in path.parts:
            continue
        text = path.read_text()
        assert not re.search(r":\d{4}-\d{2}-\d{2}\b", text), f"{path}: a date-like image tag"
        assert not re.search(r"\$\(date", text), f"{path}: a tag made from the date"
        assert not re.search(rf"[:-]{tag}\b", text), f"{path}: image.env's tag written out"
        for ref in re.findall(r"news-ingest-(?:worker|template):(\S+)", text):
            assert ref.startswith("$"), f"{path}: image tag {ref} not taken from image.env"


def test_rendering_fills_every_placeholder(tmp_path):
    files = sorted((DEPLOY / "flink").glob("*.yaml")) + [DEPLOY / "dataflow" / "launch-batch.json"]
    vals = values()
    for path in files:
        text = path.read_text()
        assert "${" in text, f"{path} has no placeholder: are its values written out?"
        out = render(text, vals)
        assert not re.search(r"\$\{[A-Z_]+\}", out), path
    with pytest.raises(ValueError, match="BUCKET"):
        render("s3://${BUCKET}/x", {})
    assert render("$HOME ${OTHER} ${BUCKET}", {"BUCKET": "b"}) == "$HOME ${OTHER} b"  # only named placeholders
    launch = json.loads(render((DEPLOY / "dataflow" / "launch-batch.json").read_text(), vals))["launchParameter"]
    assert launch["environment"]["sdkContainerImage"] == vals["WORKER_IMAGE"]
    assert launch["containerSpecGcsPath"] == f"gs://demo-bucket/templates/news-ingest-{vals['TAG']}.json"
    # The script the Flink procedure runs: the image from image.env, the bucket from the environment.
    r = subprocess.run(["bash", str(DEPLOY / "render.sh"), str(tmp_path)], capture_output=True, text=True,
                       env={"PATH": "/usr/bin:/bin", "BUCKET": "b", "REGISTRY": "registry.example/ni"})
    assert r.returncode == 0, r.stderr
    written = sorted(p.name for p in (tmp_path / "flink").iterdir())
    assert written == sorted(p.name for p in (DEPLOY / "flink").glob("*.yaml"))
    cron = yaml.safe_load((tmp_path / "flink" / "cronjob.yaml").read_text())
    image = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == image_env(REGISTRY="registry.example/ni")["WORKER_IMAGE"]
    assert set(PLACEHOLDERS) >= {"WORKER_IMAGE", "BUCKET", "TAG"}


def submit_args(doc):
    return doc["spec"]["containers"][0]["args"]


def test_flink_manifests_fit_together():
    deployment = rendered_docs(DEPLOY / "flink" / "flink-deployment.yaml")[0]
    spec = deployment["spec"]
    # The worker pool runs beside the task managers only, after flink-main-container (templates
    # are merged by list position).
    tm_containers = spec["taskManager"]["podTemplate"]["spec"]["containers"]
    assert tm_containers[0]["name"] == "flink-main-container"
    pool = [c for c in tm_containers if c["name"] == "beam-worker-pool"][0]
    assert pool["args"] == ["--worker_pool"] and pool["ports"][0]["containerPort"] == 50000
    assert pool["image"] == values()["WORKER_IMAGE"]
    assert "beam-worker-pool" not in [c["name"] for c in spec["podTemplate"]["spec"]["containers"]]
    # A patch-version image, and the S3 plugin jar of that same version.
    flink_image_version = re.fullmatch(r"flink:(\d+\.\d+\.\d+)", spec["image"]).group(1)
    main = spec["podTemplate"]["spec"]["containers"][0]
    assert main["name"] == "flink-main-container"
    plugins = {e["name"]: e["value"] for e in main["env"]}["ENABLE_BUILT_IN_PLUGINS"].split(";")
    assert any(re.fullmatch(rf"flink-s3-fs-(hadoop|presto)-{re.escape(flink_image_version)}\.jar", p) for p in plugins)
    flink = spec["flinkVersion"].removeprefix("v").replace("_", ".")
    assert flink_image_version.startswith(flink + ".")
    conf = spec["flinkConfiguration"]
    assert conf["state.checkpoints.dir"].startswith("s3://") and conf["state.savepoints.dir"].startswith("s3://")

    server = rendered_docs(DEPLOY / "flink" / "job-server.yaml")
    server_container = server[0]["spec"]["template"]["spec"]["containers"][0]
    assert server_container["image"] == f"apache/beam_flink{flink}_job_server:{apache_beam.__version__}"
    beam = tuple(int(x) for x in apache_beam.__version__.split(".")[:2])
    assert beam >= (2, 76), "PeriodicImpulse's checkpointed state is bounded on Flink from 2.76 (apache/beam#27648)"
    assert any(a.startswith("--artifacts-dir=s3://") for a in server_container["args"])

    cron = rendered_docs(DEPLOY / "flink" / "cronjob.yaml")[0]
    assert len(cron["spec"]["schedule"].split()) == 5
    batch_pod = cron["spec"]["jobTemplate"]["spec"]["template"]
    stream_pod = rendered_docs(DEPLOY / "flink" / "streaming-job.yaml")[0]["spec"]["template"]
    # S3 credentials for every pod that touches the bucket.
    secret = {"secretRef": {"name": "news-ingest-s3"}}
    submitters = [batch_pod["spec"]["containers"][0], stream_pod["spec"]["containers"][0]]
    for container in [main, pool, server_container] + submitters:
        assert secret in container.get("envFrom", []), container["name"]

    def option(args, name):
        return int([a for a in args if a.startswith(f"--{name}=")][0].split("=", 1)[1])
    # Both jobs fit in the cluster's slots at once.
    slots = spec["taskManager"]["replicas"] * int(conf["taskmanager.numberOfTaskSlots"])
    assert spec["mode"] == "standalone"  # a fixed number of task managers: replicas means it
    assert option(submit_args(stream_pod), "parallelism") + option(submit_args(batch_pod), "parallelism") <= slots
    # Checkpoints on for the continuous job, and kept when it is cancelled. The job server
    # declares Flink's booleans as switches, which take no `=value`.
    stream = submit_args(stream_pod)
    assert option(stream, "checkpointing_interval") > 0
    assert {"--externalized_checkpoints_enabled", "--retain_externalized_checkpoints_on_cancellation"} <= set(stream)
    outputs = {[a for a in submit_args(p) if a.startswith("--output=")][0] for p in (stream_pod, batch_pod)}
    assert len(outputs) == 2, "the continuous job and the batch need their own output folders"
    for pod in (batch_pod, stream_pod):
        args = submit_args(pod)
        assert args[0] == "run"
        assert {"--environment_type=EXTERNAL", "--environment_config=localhost:50000"} <= set(args)


def test_flink_submit_arguments_are_the_commands_and_beams():
    cron = rendered_docs(DEPLOY / "flink" / "cronjob.yaml")[0]["spec"]["jobTemplate"]["spec"]["template"]
    stream = rendered_docs(DEPLOY / "flink" / "streaming-job.yaml")[0]["spec"]["template"]
    # The README's resume step adds these to the streaming job's arguments.
    resumed = submit_args(stream) + ["--savepoint_path=s3://b/flink/savepoints/sp-1", "--allow_non_restored_state"]
    for args in (submit_args(cron), submit_args(stream), resumed):
        ours, beams = parser().parse_known_args(args)  # the command's own flags, then Beam's and Flink's
        assert check_beam_args(beams) == tuple(beams)  # UsageError for an option no runner knows; else unchanged


def test_deploy_readme_names_every_file():
    text = (DEPLOY / "README.md").read_text()
    for path in DEPLOY.rglob("*"):
        if path.is_file() and path.name != "README.md" and "__pycache__" not in path.parts:
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
    expected = {"Poll", "FirstSighting", "FetchPages", "Analyse/Extract", "Analyse/Language", "Deduplicate", "Write"}
    assert expected <= names


@pytest.mark.parametrize("mode", [[], ["--streaming"]])
def test_the_command_builds_the_dataflow_job_offline(mode, tmp_path):
    pytest.importorskip("apitools", reason="needs the dataflow extra: pip install -e '.[dataflow]'")
    r = run_cli("run", *mode, "--feeds", "https://news.example/feed.xml", "--output", "gs://demo-bucket/news",
                "--runner=DataflowRunner", "--project=demo-project", "--region=us-central1",
                "--temp_location=gs://demo-bucket/tmp", "--dry_run=True")
    assert r.returncode == 0, r.stderr[-2000:]
    assert "dry run: the DataflowRunner job graph was built and not submitted" in r.stderr


@pytest.mark.parametrize("streaming", ["false", "true"])
def test_template_entry_point_builds_the_job_as_the_launcher_runs_it(streaming, tmp_path):
    pytest.importorskip("apitools", reason="needs the dataflow extra: pip install -e '.[dataflow]'")
    # The launcher runs the file by path (FLEX_TEMPLATE_PYTHON_PY_FILE), not as a module, with each
    # template parameter, sdk_container_image included, as --name=value, and Beam's options.
    r = subprocess.run([sys.executable, str(REPO / "pipeline" / "template.py"),
                        "--feeds=https://news.example/feed.xml", "--output=gs://demo-bucket/news",
                        f"--streaming={streaming}", "--poll_interval=60",
                        "--sdk_container_image=us-central1-docker.pkg.dev/p/news-ingest/news-ingest-worker:t",
                        "--runner=DataflowRunner", "--project=demo-project", "--region=us-central1",
                        "--temp_location=gs://demo-bucket/tmp", "--staging_location=gs://demo-bucket/staging",
                        "--dry_run=True"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, PYTHONWARNINGS="ignore"))
    assert r.returncode == 0, r.stderr[-2000:]
    assert "dry run: the DataflowRunner job graph was built and not submitted" in r.stderr
