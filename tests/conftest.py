import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples"
SHARED = REPO.parent / "shared"


def pipeline_options():
    """Beam's default runner tries to download Prism; tests name the in-process runner."""
    return ["--runner=FnApiRunner"]


def beam_pipeline():
    from apache_beam.testing.test_pipeline import TestPipeline
    return TestPipeline(runner="FnApiRunner", argv=[])


def make_doc(text="Some text.", url="https://example.com/a", **kw):
    from schemas import Document
    from transforms.ids import article_id
    kw.setdefault("fetched_at", datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    doc = Document(url=url, source=kw.pop("source", "file"), text=text, **kw)
    doc.id = doc.id or article_id(url)
    return doc


def run_cli(*args, cwd=None, timeout=300):
    """The real command in a subprocess, as a user runs it."""
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    return subprocess.run([sys.executable, "-m", "pipeline", *map(str, args)], cwd=cwd or REPO,
                          capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture
def shared_seeds():
    seeds = SHARED / "seeds"
    if not seeds.is_dir():
        pytest.skip("../shared/seeds is not present (clean clone)")
    return seeds


@pytest.fixture
def site():
    from tests.webserver import Site
    s = Site("127.0.0.1")
    yield s
    s.close()


@pytest.fixture
def other_site():
    """A second host (127.0.0.2 is loopback too on Linux) for per-host politeness tests."""
    from tests.webserver import Site
    try:
        s = Site("127.0.0.2")
    except OSError:
        pytest.skip("127.0.0.2 is not available on this machine")
    yield s
    s.close()


@pytest.fixture
def worker_pool():
    """Beam's Python worker pool on a free port, as Flink's task managers run it (EXTERNAL environment)."""
    import socket
    import time
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # The pool starts workers with `python` from PATH: it must be this environment's.
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    pool = subprocess.Popen([sys.executable, "-m", "apache_beam.runners.worker.worker_pool_main",
                             f"--service_port={port}"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        yield port
    finally:
        pool.terminate()
        pool.wait(timeout=10)
