"""The continuous pipeline: first sightings, windowed writes and late rows with TestStream, and
real bounded runs of `news-ingest run --streaming` against a loopback server whose feed grows."""
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import apache_beam as beam
import pyarrow.dataset as ds
import pytest
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.testing import test_pipeline, test_stream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import TimestampedValue

from pipeline.streaming import StreamConfig, output_windows, window_bounds
from tests.conftest import REPO, make_doc, run_cli
from tests.webserver import rss, story
from transforms.dedup.streaming import StreamingDeduplicate
from transforms.fetch.seen import FirstSighting
from transforms.ids import content_hash
from transforms.write import WriteTables, file_name, window_label

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc).timestamp()  # a window start (a multiple of 60 s)


def stream_pipeline():
    options = PipelineOptions(streaming=True)
    options.view_as(StandardOptions).runner = "BundleBasedDirectRunner"  # the local runner that runs TestStream
    return test_pipeline.TestPipeline(options=options)


def entry(url, at):
    return TimestampedValue(make_doc(text="", url=url, source="feed"), T0 + at)


def test_first_sighting_passes_each_url_once_and_forgets_after_the_ttl():
    stream = (test_stream.TestStream()
              .add_elements([entry("https://a.example/1", 0), entry("https://a.example/2", 1)])
              .advance_watermark_to(T0 + 60)
              .add_elements([entry("https://a.example/1", 61), entry("https://a.example/3", 62)])
              .advance_watermark_to(T0 + 4000)  # past the one-hour memory: url 1 is forgotten
              .add_elements([entry("https://a.example/1", 4001), entry("https://a.example/3", 4002)])
              .advance_watermark_to_infinity())
    with stream_pipeline() as p:
        out = p | stream | FirstSighting(timedelta(hours=1)) | beam.Map(lambda d: d.url)
        assert_that(out, equal_to(["https://a.example/1", "https://a.example/2", "https://a.example/3",
                                   "https://a.example/1", "https://a.example/3"]))


def analysed(url, body, at, published="2026-03-01T08:00:00+00:00"):
    doc = make_doc(text=body, url=url, source="http", published_at=datetime.fromisoformat(published),
                   fetched_at=datetime.fromtimestamp(T0 + at, timezone.utc))
    doc.date, doc.content_hash, doc.language = "2026-03-01", content_hash(body), "en"
    return TimestampedValue(doc, T0 + at)


def story_text(n):
    import re
    html = story(n).decode()
    return "\n\n".join(re.findall(r"<p>(.*?)</p>", html))


def test_windows_get_their_own_files_dedup_state_spans_windows_and_late_rows_get_a_pane(tmp_path):
    scfg = StreamConfig(window=60, allowed_lateness=3600)
    stream = (test_stream.TestStream()
              .add_elements([analysed("https://a.example/1", story_text(1), 5),
                             analysed("https://a.example/2", story_text(2), 10)])
              .advance_watermark_to(T0 + 70)  # window 0 closes: its first pane is written
              .add_elements([analysed("https://b.example/copy-of-1", story_text(1) + "\n\nAdvertisement", 75),
                             analysed("https://a.example/3", story_text(3), 80)])
              .advance_watermark_to(T0 + 130)
              # Late: stamped in window 0 after the watermark passed it; within the allowed lateness.
              .add_elements([analysed("https://a.example/4", story_text(4), 30)])
              .advance_watermark_to_infinity())
    with stream_pipeline() as p:
        docs = p | stream
        deduped = docs | StreamingDeduplicate(timedelta(days=1))
        tables = {"articles": deduped["articles"], "duplicates": deduped["duplicates"]}
        windowed = {k: v | f"W{k}" >> beam.WindowInto(**output_windows(scfg)) for k, v in tables.items()}
        _ = windowed | WriteTables(str(tmp_path), run_date="2026-03-01")
    files = sorted(f.name for f in (tmp_path / "articles" / "date=2026-03-01").glob("*.parquet"))
    w0, w1 = (datetime.fromtimestamp(T0 + k, timezone.utc).strftime("%Y%m%dT%H%M%SZ") for k in (0, 60))
    assert [f.split("-")[1] for f in files].count(w0) == 2  # the on-time pane and the late pane
    assert [f.split("-")[1] for f in files].count(w1) == 1
    rows = ds.dataset(str(tmp_path / "articles"), format="parquet", partitioning="hive").to_table().to_pylist()
    assert sorted(r["url"] for r in rows) == [f"https://a.example/{n}" for n in (1, 2, 3, 4)]
    dups = ds.dataset(str(tmp_path / "duplicates"), format="parquet", partitioning="hive").to_table().to_pylist()
    first = next(r["id"] for r in rows if r["url"] == "https://a.example/1")
    assert [(r["url"], r["duplicate_of"]) for r in dups] == [("https://b.example/copy-of-1", first)]


def test_window_names_and_bounds():
    from apache_beam.transforms.window import GlobalWindow, IntervalWindow
    assert window_label(GlobalWindow()) == ""
    assert window_label(IntervalWindow(T0, T0 + 60)) == "20260301T120000Z"
    assert file_name(["a"], "20260301T120000Z").startswith("part-20260301T120000Z-")
    assert window_bounds(T0 + 75, 60) == (T0 + 60, T0 + 120)


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
    assert "balance: read = articles + duplicates + rejects + skipped: ok" in r.stdout
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
    assert "balance: read = articles + duplicates + rejects + skipped: ok" in stdout
    assert not list(out.rglob(".*inprogress"))


@pytest.mark.parametrize("args, message", [
    (["--streaming"], "--streaming needs --feeds"),
    (["--window", "5"], "--window needs --streaming"),
    (["--streaming", "--feeds", "http://127.0.0.1:9/f.xml", "--poll-interval", "10", "--window", "5"],
     "--window must be at least --poll-interval"),
    (["--streaming", "--feeds", "http://127.0.0.1:9/f.xml", "--input", "samples"], "polls feed URLs only"),
])
def test_streaming_usage_errors(args, message, tmp_path):
    r = run_cli("run", *args, "--output", tmp_path / "o")
    assert r.returncode == 2 and message in r.stderr and len(r.stderr.strip().splitlines()) == 1
