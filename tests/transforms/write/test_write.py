"""Write: Parquet files partitioned by date, atomically and idempotently; in a stream, files per
output window, a late row in a pane of its own (transforms/write.py)."""
from datetime import datetime, timedelta, timezone

import apache_beam as beam
import pyarrow.dataset as ds
import pyarrow.dataset as pads
from apache_beam.testing import test_stream
from apache_beam.transforms.window import TimestampedValue

from pipeline.config import StreamConfig
from pipeline.graph import window_bounds
from tests.conftest import beam_pipeline, make_doc, stream_pipeline
from tests.webserver import story
from transforms.dedup.streaming import StreamingDeduplicate
from transforms.utils.ids import content_hash
from transforms.write import WriteTables, file_name, window_label

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc).timestamp()  # a window start (a multiple of 60 s)


def _docs():
    from tests.conftest import docs
    return docs()


def test_write_tables_partitions_atomically_and_idempotently(tmp_path):
    docs = _docs()
    for d in docs:
        d.cluster_id = d.id
    out_dir = str(tmp_path / "out")

    def write():
        with beam_pipeline() as p:
            arts = p | "A" >> beam.Create(docs[:3])
            dups = p | "D" >> beam.Create(docs[3:])
            rej = p | "R" >> beam.Create([])
            _ = {"articles": arts, "duplicates": dups, "rejects": rej} | WriteTables(out_dir, max_rows_per_file=1)
        return sorted(str(f.relative_to(tmp_path)) for f in (tmp_path / "out").rglob("*") if f.is_file())

    first = write()
    assert write() == first  # same names: replaced, not added
    assert len(first) == 5 and all("/date=2024-01-01/part-" in f for f in first)
    assert not [f for f in first if "/." in f]  # no temporary files left
    table = pads.dataset(str(tmp_path / "out" / "articles"), format="parquet", partitioning="hive").to_table()
    assert table.num_rows == 3 and sorted(table.column("date").to_pylist()) == ["2024-01-01"] * 3


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
        _ = tables | WriteTables(str(tmp_path), run_date="2026-03-01",
                                 windows=(scfg.window, scfg.allowed_lateness))
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
