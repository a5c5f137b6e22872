"""The continuous run: real bounded runs of `news-ingest run --streaming` against a loopback server
whose feed grows, on this machine one pipeline run per window (pipeline/local_stream.py)."""
import signal
import subprocess
import sys
import time

import pyarrow.dataset as ds
import pytest

from tests.conftest import REPO, run_cli
from tests.webserver import published_today, rss, story


def growing_newsroom(site, grow=True):
    """A feed that lists two stories at first, one more at each poll, and later a copy of story 1
    (with `grow=False`, all of them from the first poll)."""
    for n in range(1, 6):
        site.add(f"/a/{n}", story(n))
    site.add("/copy/1", story(1).replace(b"Story number 1", b"A copy of story one"))

    def feed(req, hits):
        hits = hits if grow else 10
        items = [(f"Story {n}", site.url(f"/a/{n}")) for n in range(1, min(2 + hits, 5) + 1)]
        if hits >= 3:
            items.append(("Copy", site.url("/copy/1")))
        return 200, {"Content-Type": "application/rss+xml"}, rss(items)
    site.add("/feed.xml", fn=feed)
    return site.url("/feed.xml")


def test_bounded_streaming_run_against_a_growing_feed(site, tmp_path):
    feed = growing_newsroom(site)
    out = tmp_path / "out"
    r = run_cli("run", "--streaming", "--feeds", feed, "--poll-interval", "1", "--window", "3", "--stop-after", "14",
                "--allow-private-networks", "--min-delay", "0", "--output", out)
    assert r.returncode == 0, r.stderr
    assert "balance: read = articles + duplicates + rejects + skipped + filtered: ok" in r.stdout
    assert r.stderr.count("news-ingest: window ") >= 2
    polls = len(site.requests("/feed.xml"))
    assert polls >= 3
    listed = min(2 + polls - 1, 5)  # what the feed had listed by its last answer
    articles = ds.dataset(str(out / "articles"), format="parquet", partitioning="hive").to_table().to_pylist()
    assert sorted(a["url"] for a in articles) == [site.url(f"/a/{n}") for n in range(1, listed + 1)]  # each once
    windows = {p.name.split("-")[1] for p in (out / "articles").glob("date=*/*.parquet")}
    assert len(windows) >= 2  # written by successive windows
    paths = [req[3] for req in site.requests()]
    assert all(paths.count(f"/a/{n}") == 1 for n in range(1, listed + 1))  # seen entries are not fetched again
    if polls >= 4:  # the copy of story 1 was listed: it is linked to story 1, written in an earlier window
        dups = ds.dataset(str(out / "duplicates"), format="parquet", partitioning="hive").to_table().to_pylist()
        first = next(a["id"] for a in articles if a["url"] == site.url("/a/1"))
        assert [(d["url"], d["duplicate_of"]) for d in dups] == [(site.url("/copy/1"), first)]
        assert paths.count("/copy/1") == 1


@pytest.mark.parametrize("runner", ["multi_processing", "portable"])
def test_streaming_run_on_worker_processes(runner, site, tmp_path, request):
    """The continuous graph in separate worker processes: under multi_processing, and on the
    portable runner with an EXTERNAL worker pool (one unbounded job, as on Flink). The feed lists
    everything at once: worker start-up makes how many polls fit in the run vary."""
    feed = growing_newsroom(site, grow=False)
    out = tmp_path / "out"
    if runner == "portable":
        port = request.getfixturevalue("worker_pool")
        extra = ["--runner=PortableRunner", "--job_endpoint=embed", "--environment_type=EXTERNAL",
                 f"--environment_config=localhost:{port}"]
    else:
        extra = ["--direct_running_mode=multi_processing", "--direct_num_workers=2"]
    r = run_cli("run", "--streaming", "--feeds", feed, "--poll-interval", "1", "--window", "3", "--stop-after", "9",
                "--allow-private-networks", "--min-delay", "0", "--output", out, *extra)
    assert site.requests("/feed.xml"), r.stderr[-2000:]
    assert r.returncode == 0, r.stderr[-2000:]
    articles = ds.dataset(str(out / "articles"), format="parquet", partitioning="hive").to_table().to_pylist()
    assert sorted(a["url"] for a in articles) == [site.url(f"/a/{n}") for n in range(1, 6)]
    paths = [req[3] for req in site.requests()]
    assert all(paths.count(f"/a/{n}") == 1 for n in range(1, 6))
    dups = ds.dataset(str(out / "duplicates"), format="parquet", partitioning="hive").to_table().to_pylist()
    assert [d["url"] for d in dups] == [site.url("/copy/1")]


def test_sigterm_ends_the_run_after_the_current_window(site, tmp_path):
    feed = growing_newsroom(site)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run", "--streaming", "--feeds", feed,
                             "--poll-interval", "1", "--window", "2", "--allow-private-networks", "--min-delay", "0",
                             "--output", str(out)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(out.glob("articles/date=*/*.parquet")):
        time.sleep(0.2)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert "stopping after the current window" in stderr
    assert "balance: read = articles + duplicates + rejects + skipped + filtered: ok" in stdout
    assert not list(out.rglob(".*inprogress"))


def test_streaming_run_polls_sitemaps_and_sites(site, tmp_path):
    """A news sitemap that grows at each poll, named by robots.txt and found through --sites:
    each new entry is fetched once; the sitemap is read again at every poll."""
    for n in range(1, 6):
        site.add(f"/a/{n}", story(n, published_today()))
    site.add("/robots.txt", f"User-agent: *\nSitemap: {site.url('/news.xml')}\n".encode(), content_type="text/plain")
    site.add("/", b"<html><body>Home, no feed links</body></html>")

    def sitemap(req, hits):
        urls = "".join(f"<url><loc>{site.url(f'/a/{n}')}</loc></url>" for n in range(1, min(1 + hits, 5) + 1))
        return 200, {"Content-Type": "application/xml"}, (
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>').encode()
    site.add("/news.xml", fn=sitemap)
    out = tmp_path / "out"
    r = run_cli("run", "--streaming", "--sites", site.url("/"), "--poll-interval", "1", "--window", "3",
                "--stop-after", "9", "--allow-private-networks", "--min-delay", "0", "--output", out)
    assert r.returncode == 0, r.stderr
    assert "balance: read = articles + duplicates + rejects + skipped + filtered: ok" in r.stdout
    polls = len(site.requests("/news.xml"))
    assert polls >= 3
    listed = min(polls, 5)
    articles = ds.dataset(str(out / "articles"), format="parquet", partitioning="hive").to_table().to_pylist()
    assert sorted(a["url"] for a in articles) == [site.url(f"/a/{n}") for n in range(1, listed + 1)]
    paths = [req[3] for req in site.requests()]
    assert all(paths.count(f"/a/{n}") == 1 for n in range(1, listed + 1))
