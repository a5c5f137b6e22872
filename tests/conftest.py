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
    from transforms.utils.ids import article_id
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


# The command's output read back (tests over whole runs).

def files(out):
    """The output's files, less the run records (_state/summaries/): a log of runs, one per run."""
    return sorted(str(p.relative_to(out)) for p in out.rglob("*")
                  if p.is_file() and not p.relative_to(out).as_posix().startswith("_state/summaries/"))


def count(out, table):
    return rows(out, table, "count(*)").fetchall()[0][0]


def rows(out, table, columns="*"):
    import duckdb
    return duckdb.sql(f"select {columns} from read_parquet('{out}/{table}/*/*.parquet', hive_partitioning=true)")


@pytest.fixture(scope="session")
def samples_run(tmp_path_factory):
    """One run of the command over the bundled samples, compared with by other ways to run."""
    out = tmp_path_factory.mktemp("samples") / "out"
    result = run_cli("run", "--output", out)
    assert result.returncode == 0, result.stderr
    return out, result


# Documents of a batch (tests of dedup and write).

def docs():
    """a and b are the same text (b published earlier); c is read twice from the same URL; d is unique."""
    from datetime import timedelta

    from transforms.utils.ids import content_hash
    t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)

    def d(url, body, hours, **kw):
        doc = make_doc(text=body, url=url, published_at=t0 + timedelta(hours=hours), **kw)
        doc.date = (t0 + timedelta(hours=hours)).strftime("%Y-%m-%d")
        doc.content_hash = content_hash(body)
        return doc
    return [d("https://a.com/1", "Same story text.", 5), d("https://b.com/1", "same story TEXT", 1),
            d("https://c.com/1", "Story C", 2), d("https://c.com/1?utm_source=x", "Story C", 3),
            d("https://d.com/1", "Story D", 4)]


def stream_pipeline():
    """A pipeline on the local runner that runs TestStream."""
    from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
    from apache_beam.testing import test_pipeline
    options = PipelineOptions(streaming=True)
    options.view_as(StandardOptions).runner = "BundleBasedDirectRunner"  # the local runner that runs TestStream
    return test_pipeline.TestPipeline(options=options)


# WARC archives (tests of reading them and of planning batches of them).

WARC_PAGE = ("<html><head><title>Harbour reopens</title></head><body><article><h1>Harbour reopens</h1>"
             "<p>The old harbour reopened to fishing boats on Monday after the dredging work was finished.</p>"
             "<p>Fishermen said the deeper channel would let larger boats land their catch in town again.</p>"
             "</article></body></html>")


def warc_record(writer, uri, body: bytes, content_type="text/html; charset=utf-8", status="200 OK",
                date="2024-02-03T04:05:06Z"):
    import io

    from warcio.statusandheaders import StatusAndHeaders
    http = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    rec = writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=http,
                                    warc_headers_dict={"WARC-Date": date})
    writer.write_record(rec)


def make_warc(path, truncate_last=False):
    import gzip
    import io

    from warcio.warcwriter import WARCWriter
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    writer.write_record(writer.create_warcinfo_record("x.warc.gz", {"software": "test"}))
    warc_record(writer, "https://news.example.com/2024/02/03/harbour?utm_source=x", WARC_PAGE.encode())
    warc_record(writer, "https://news.example.com/logo.png", b"\x89PNG....", content_type="image/png")
    warc_record(writer, "https://news.example.com/missing", b"<p>gone</p>", status="404 Not Found")
    warc_record(writer, "https://news.example.com/latin", WARC_PAGE.replace("fishing", "pêche").encode("latin-1"),
                content_type="text/html; charset=iso-8859-1")
    data = buf.getvalue()
    if truncate_last:
        # Rewrite the last record uncompressed and cut: a download that stopped midway.
        tail = io.BytesIO()
        w2 = WARCWriter(tail, gzip=False)
        warc_record(w2, "https://news.example.com/clipped", WARC_PAGE.encode() * 5)
        data += gzip.compress(tail.getvalue()[:-400])
    path.write_bytes(data)
    return path
