"""deploy/ checked offline with the tools the services themselves use, each test skipped when its
tool is absent:
- FlinkDeployment / FlinkSessionJob against the Flink Kubernetes Operator's CRD schema
  (../shared/deploy-schemas/, jsonschema), with unknown fields rejected as the API server does;
- core Kubernetes manifests with kubernetes-validate --strict;
- the Dataflow JSON files as the API's message types (google-cloud-dataflow-client);
- every gcloud command in deploy/README.md and deploy/dataflow/schedule-batch.sh through gcloud's
  own argument parser, which runs before gcloud asks for credentials.
Each check has a negative test, so it is known to be able to fail."""
import copy
import json
import os
import re
import shlex
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from tests.test_deploy import DEPLOY, render, rendered_docs, values

SCHEMAS = REPO.parent / "shared" / "deploy-schemas"
KUBERNETES_VERSION = "1.32.0"
MANIFESTS = sorted((DEPLOY / "flink").glob("*.yaml"))
OPERATOR_KINDS = {"FlinkDeployment", "FlinkSessionJob"}


def all_rendered_docs():
    return [(path, doc) for path in MANIFESTS for doc in rendered_docs(path)]


# --- the Flink operator's CRDs ------------------------------------------------------------------

def crd_schemas():
    """(apiVersion, kind) -> openAPIV3Schema, from the operator's CRD files."""
    if not SCHEMAS.is_dir():
        pytest.skip(f"no CRD schemas at {SCHEMAS}")
    out = {}
    for path in sorted(SCHEMAS.glob("*.yml")) + sorted(SCHEMAS.glob("*.yaml")):
        crd = yaml.safe_load(path.read_text())
        if not isinstance(crd, dict) or crd.get("kind") != "CustomResourceDefinition":
            continue
        for version in crd["spec"]["versions"]:
            key = (f"{crd['spec']['group']}/{version['name']}", crd["spec"]["names"]["kind"])
            out[key] = version["schema"]["openAPIV3Schema"]
    return out


def strict(schema):
    """The schema with every object that lists properties closed, as the API server's strict field
    validation treats it, except where the CRD keeps unknown fields; apiVersion, kind and metadata
    are the API server's own and not in the CRD schema."""
    closed = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if ("properties" in node and "additionalProperties" not in node
                    and not node.get("x-kubernetes-preserve-unknown-fields")):
                node["additionalProperties"] = False
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)
    walk(closed)
    closed["properties"].update({"apiVersion": {"type": "string"}, "kind": {"type": "string"},
                                 "metadata": {"type": "object"}})
    return closed


def crd_errors(doc, schemas):
    import jsonschema
    schema = strict(schemas[(doc["apiVersion"], doc["kind"])])
    return [f"{'/'.join(map(str, e.path)) or '<root>'}: {e.message[:200]}"
            for e in jsonschema.Draft7Validator(schema).iter_errors(doc)]


def test_flink_resources_match_the_operators_crd():
    pytest.importorskip("jsonschema")
    schemas = crd_schemas()
    checked = 0
    for path, doc in all_rendered_docs():
        if doc["kind"] in OPERATOR_KINDS:
            assert (doc["apiVersion"], doc["kind"]) in schemas, f"{path}: the operator serves no {doc['apiVersion']}"
            assert crd_errors(doc, schemas) == [], path
            checked += 1
    assert checked >= 1


def test_the_crd_check_rejects_unknown_fields_and_bad_values():
    pytest.importorskip("jsonschema")
    schemas = crd_schemas()
    deployment = rendered_docs(DEPLOY / "flink" / "flink-deployment.yaml")[0]
    bad = copy.deepcopy(deployment)
    bad["spec"]["taskManager"]["replica"] = 3
    bad["spec"]["taskManager"]["podTemplate"]["spec"]["containers"][1]["portz"] = []
    bad["spec"]["flinkVersion"] = "v1_21"
    errors = crd_errors(bad, schemas)
    assert any("'replica'" in e for e in errors) and any("'portz'" in e for e in errors), errors
    assert any(e.startswith("spec/flinkVersion") for e in errors), errors
    # flinkConfiguration is free-form in the CRD, as in Flink.
    free = copy.deepcopy(deployment)
    free["spec"]["flinkConfiguration"]["any.flink.key"] = "1"
    assert crd_errors(free, schemas) == []


# --- core Kubernetes kinds ------------------------------------------------------------------------

def test_core_manifests_validate_strictly():
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    kinds = []
    for path, doc in all_rendered_docs():
        if doc["kind"] not in OPERATOR_KINDS:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
            kinds.append(doc["kind"])
    assert {"Deployment", "Service", "Job", "CronJob"} <= set(kinds)


def test_the_core_check_rejects_unknown_fields():
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    job = rendered_docs(DEPLOY / "flink" / "streaming-job.yaml")[0]
    job["spec"]["template"]["spec"]["restartPolicyy"] = "Never"
    with pytest.raises(kubernetes_validate.ValidationError, match="restartPolicyy"):
        kubernetes_validate.validate(job, KUBERNETES_VERSION, strict=True)


# --- the Dataflow API's message types -----------------------------------------------------------

def dataflow_types():
    return pytest.importorskip("google.cloud.dataflow_v1beta3").types


def test_dataflow_files_are_api_messages():
    types = dataflow_types()
    vals = values()
    text = render((DEPLOY / "dataflow" / "launch-batch.json").read_text(), vals)
    # The file is the body of flexTemplates:launch, whose fields are LaunchFlexTemplateRequest's.
    request = types.LaunchFlexTemplateRequest.from_json(text, ignore_unknown_fields=False)
    launch = request.launch_parameter
    assert launch.environment.sdk_container_image == vals["WORKER_IMAGE"]
    assert launch.environment.service_account_email == vals["WORKER_SERVICE_ACCOUNT"]
    assert launch.container_spec_gcs_path.endswith(f"news-ingest-{vals['TAG']}.json")
    metadata = types.TemplateMetadata.from_json((DEPLOY / "dataflow" / "metadata.json").read_text(),
                                                ignore_unknown_fields=False)
    assert set(launch.parameters) <= {p.name for p in metadata.parameters}


def test_the_dataflow_check_rejects_unknown_fields_and_bad_types():
    types = dataflow_types()
    request, metadata = types.LaunchFlexTemplateRequest, types.TemplateMetadata
    for text, cls in [('{"launchParameter": {"environment": {"sdkContainerImagee": "i"}}}', request),
                      ('{"launchParameter": {"environment": {"maxWorkers": "four"}}}', request),
                      ('{"name": "x", "parameters": [{"name": "a", "optional": true}]}', metadata)]:
        with pytest.raises(Exception, match="sdkContainerImagee|maxWorkers|optional"):
            cls.from_json(text, ignore_unknown_fields=False)


# --- gcloud's argument parser ---------------------------------------------------------------------

# Stand-ins for the variables the README and the scripts use; a new variable must be added here.
GCLOUD_VARIABLES = {
    "PROJECT": "demo-project", "REGION": "us-central1", "BUCKET": "demo-bucket",
    "WORKER_SERVICE_ACCOUNT": "news-ingest-worker@demo-project.iam.gserviceaccount.com",
    "SCHEDULER_SERVICE_ACCOUNT": "news-ingest-scheduler@demo-project.iam.gserviceaccount.com",
    "BUILDER_SERVICE_ACCOUNT": "news-ingest-builder@demo-project.iam.gserviceaccount.com",
    "JOB_ID": "2026-01-01_00_00_00-1", "body": "{}",
}
PARSE_ERRORS = ("unrecognized arguments", "Bad syntax", "argument --", "must be specified", "Invalid choice",
                "invalid choice", "Usage: gcloud")
PARSED = "do not currently have an active account"
SHELL_OPERATORS = {";", "&&", "||", "|", "&"}


def logical_lines(text):
    return re.sub(r"\\\n\s*", " ", text).splitlines()


def gcloud_commands_in(text, markdown):
    """Each gcloud command (as an argv list) in fenced bash blocks and inline code of a README,
    or in a shell script, with continuation lines joined and variables replaced by stand-ins."""
    if markdown:
        blocks = re.findall(r"```bash\n(.*?)```", text, re.S)
        lines = [line for block in blocks for line in logical_lines(block)]
        lines += re.findall(r"`(gcloud [^`]+)`", text)
    else:
        lines = logical_lines(text)
    names = {**GCLOUD_VARIABLES, **values()}
    commands = []
    for line in lines:
        line = line.strip()
        if "gcloud " not in line or line.startswith("#"):
            continue

        def value(m):
            assert m.group(1) in names, f"no stand-in for ${m.group(1)} in: {line}"
            return names[m.group(1)]
        line = re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", value, line)
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        command, redirected = [], False
        for token in list(lexer) + [";"]:
            if token in SHELL_OPERATORS:
                if command and command[0] == "gcloud":
                    commands.append(command)
                command, redirected = [], False
            elif token.startswith((">", "<")):
                redirected = True  # what follows is the shell's, up to the next command
            elif not redirected and (command or token not in ("if", "then", "!")):
                command.append(token)
    return commands


def all_gcloud_commands():
    readme = gcloud_commands_in((DEPLOY / "README.md").read_text(), markdown=True)
    script = gcloud_commands_in((DEPLOY / "dataflow" / "schedule-batch.sh").read_text(), markdown=False)
    return readme, script


def gcloud_env(config_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLOUDSDK_", "GOOGLE_"))}
    env.update(CLOUDSDK_CONFIG=str(config_dir), CLOUDSDK_CORE_DISABLE_PROMPTS="1", CLOUDSDK_CORE_PROJECT="p",
               CLOUDSDK_CORE_DISABLE_USAGE_REPORTING="1", CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK="1")
    return env


def run_gcloud(argv, env, cwd):
    r = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=60)
    return argv, r.returncode, r.stderr


def parse_problem(returncode, stderr):
    """None when gcloud parsed the command (it stopped at the missing account), else why not."""
    if returncode == 2 or any(marker in stderr for marker in PARSE_ERRORS):
        return f"parse error (rc={returncode}): {stderr.strip()[-600:]}"
    if returncode == 1 and PARSED in stderr:
        return None
    return f"rc={returncode} without the missing-account error: {stderr.strip()[-600:]}"


@pytest.fixture
def gcloud_sandbox(tmp_path):
    if shutil.which("gcloud") is None:
        pytest.skip("gcloud is not installed")
    # Files the commands name, relative to the repository root, as the README runs them.
    work = tmp_path / "repo"
    work.mkdir()
    (work / "deploy").symlink_to(DEPLOY)
    (work / "feeds.txt").write_text("https://news.example/feed.xml\n")
    return gcloud_env(tmp_path / "gcloud-config"), work


def test_every_gcloud_command_parses(gcloud_sandbox):
    env, work = gcloud_sandbox
    readme, script = all_gcloud_commands()
    subcommands = {" ".join(c[1:3]) for c in readme}
    assert {"dataflow flex-template", "scheduler jobs", "builds submit", "iam service-accounts"} <= subcommands
    assert any("--update" in c and any(a.startswith("--transform-name-mappings") for a in c) for c in readme)
    assert any(a.startswith("sdk_container_image=") or ",sdk_container_image=" in a for c in readme for a in c)
    assert len(script) == 3  # describe, delete, create
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda c: run_gcloud(c, env, work), readme + script))
    problems = [f"{shlex.join(argv)}\n  {problem}" for argv, rc, err in results
                if (problem := parse_problem(rc, err))]
    assert problems == [], "\n".join(problems)


def test_the_gcloud_check_catches_parse_errors(gcloud_sandbox):
    env, work = gcloud_sandbox
    bad = [["gcloud", "dataflow", "flex-template", "run", "j", "--region", "us-central1",
            "--template-file-gcs-location", "gs://b/t.json", "--sdk-container-image", "img"],
           ["gcloud", "dataflow", "flex-template", "run", "j", "--region", "us-central1", "--update",
            "--template-file-gcs-location", "gs://b/t.json", '--transform-name-mappings={"A":"B"}'],
           ["gcloud", "dataflow", "flex-template", "run", "j", "--region", "us-central1",
            "--template-file-gcs-location", "gs://b/t.json", "--transform-name-mappings=A=B"]]
    with ThreadPoolExecutor(4) as pool:
        for argv, rc, err in pool.map(lambda c: run_gcloud(c, env, work), bad):
            assert parse_problem(rc, err) is not None, shlex.join(argv)


def test_schedule_script_runs_up_to_the_missing_account(gcloud_sandbox, tmp_path):
    env, work = gcloud_sandbox
    env = dict(env, PROJECT="demo-project", REGION="us-central1", BUCKET="demo-bucket",
               WORKER_SERVICE_ACCOUNT=GCLOUD_VARIABLES["WORKER_SERVICE_ACCOUNT"],
               SCHEDULER_SERVICE_ACCOUNT=GCLOUD_VARIABLES["SCHEDULER_SERVICE_ACCOUNT"])
    r = subprocess.run(["bash", str(DEPLOY / "dataflow" / "schedule-batch.sh")], env=env, cwd=work,
                       capture_output=True, text=True, timeout=120)
    assert parse_problem(r.returncode, r.stderr) is None, r.stderr[-2000:]


def test_template_spec_built_by_gcloud_is_a_container_spec(gcloud_sandbox):
    types = dataflow_types()
    env, work = gcloud_sandbox
    vals = values()
    r = subprocess.run(["gcloud", "dataflow", "flex-template", "build", "gs://demo-bucket/templates/t.json",
                        "--image", vals["TEMPLATE_IMAGE"], "--sdk-language", "PYTHON",
                        "--metadata-file", "deploy/dataflow/metadata.json", "--print-only"],
                       env=env, cwd=work, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr[-2000:]
    printed = yaml.safe_load(r.stdout)  # a YAML block holding the JSON spec
    spec = types.ContainerSpec.from_json(printed if isinstance(printed, str) else json.dumps(printed),
                                         ignore_unknown_fields=False)
    assert spec.image == vals["TEMPLATE_IMAGE"]
    names = [p["name"] for p in json.loads((DEPLOY / "dataflow" / "metadata.json").read_text())["parameters"]]
    assert [p.name for p in spec.metadata.parameters] == names


def test_readme_commands_run_from_the_repository_root():
    # The commands name files relative to the root; the parser test runs them from a copy of it.
    readme, _ = all_gcloud_commands()
    for command in readme:
        for arg in command:
            if arg.startswith("deploy/"):
                assert (REPO / arg).exists(), arg
            for match in re.findall(r"=(deploy/\S+)", arg):
                assert (REPO / match).exists(), match
    assert Path(REPO / "deploy" / "dataflow" / "schedule-batch.sh").stat().st_mode & 0o111
