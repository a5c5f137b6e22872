"""Each stage's PTransform on a real (in-process) Beam runner, checked with assert_that."""
from datetime import datetime, timedelta, timezone

import apache_beam as beam
import pyarrow.dataset as pads
from apache_beam.testing.util import assert_that, equal_to

from tests.conftest import make_doc, beam_pipeline
from transforms.clean import Clean
from transforms.extract import Extract
from transforms.language import DetectLanguage
from transforms.read import ReadInputs
from transforms.write import WriteTables

EN = ("The council met on Monday to discuss the budget for the coming year. Members agreed to spend "
      "more on roads, parks and libraries after a long debate that lasted well into the evening.")
T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def test_read_inputs_splits_documents_and_rejects(tmp_path):
    (tmp_path / "a.txt").write_text(" date 2024-01-01 Hello there, this is a story.")
    (tmp_path / "b.jsonl").write_text('{"url": "https://e.com/1", "text": "One"}\n{bad\n')
    (tmp_path / "c.bin").write_bytes(b"\x00\x01")
    paths = sorted(str(p) for p in tmp_path.iterdir())
    with beam_pipeline() as p:
        out = p | ReadInputs(paths)
        assert_that(out["main"] | beam.Map(lambda d: (d.source, d.url.rsplit("/", 1)[-1])),
                    equal_to([("file", "a.txt"), ("jsonl", "1")]), label="docs")
        assert_that(out["rejects"] | beam.Map(lambda r: (r.stage, r.reason, r.record_number)),
                    equal_to([("read", "bad_json", 2), ("read", "unknown_kind", None)]), label="rejects")


def test_extract_clean_language_chain_with_rejects():
    docs = [make_doc(text=EN + "\n\nMore Stories\nOther headline", url="https://e.com/2023/02/03/a"),
            make_doc(text="", url="https://e.com/b", content=b"<html><body></body></html>", content_type="text/html"),
            make_doc(text="ADVERTISEMENT", url="https://e.com/c")]
    with beam_pipeline() as p:
        ext = p | beam.Create(docs) | Extract()
        cln = ext["main"] | Clean()
        lang = cln["main"] | DetectLanguage()
        assert_that(lang["main"] | beam.Map(lambda d: (d.url, d.date, d.date_source, d.text == EN, d.language,
                                                       d.is_mixed_language)),
                    equal_to([("https://e.com/2023/02/03/a", "2023-02-03", "url", True, "en", False)]), label="ok")
        assert_that(ext["rejects"] | beam.Map(lambda r: (r.url, r.stage, r.reason)),
                    equal_to([("https://e.com/b", "extract", "no_text")]), label="extract_rejects")
        assert_that(cln["rejects"] | beam.Map(lambda r: (r.url, r.stage, r.reason)),
                    equal_to([("https://e.com/c", "clean", "empty_after_clean")]), label="clean_rejects")


def _docs():
    from tests.test_dedup import docs
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


def test_progress_passes_elements_through_and_reports():
    from transforms.progress import ReportProgress, progress_line
    with beam_pipeline() as p:
        assert_that(p | beam.Create([1, 2, 3]) | ReportProgress(interval=0.0), equal_to([1, 2, 3]))
    assert progress_line(50, 10.0) == "news-ingest: 50 documents through language detection (5.0/s on this worker)"


def test_batches_keep_file_order_and_respect_both_limits():
    from pipeline.batches import plan_batches
    sizes = {"a": 10, "b": 10, "c": 50, "d": 200, "e": 1}
    plan = lambda n, b: plan_batches(list(sizes), n, b, size=sizes.get)  # noqa: E731
    assert plan(2, 1000) == [["a", "b"], ["c", "d"], ["e"]]
    assert plan(10, 60) == [["a", "b"], ["c"], ["d"], ["e"]]  # d alone is over the bytes: a batch of its own
    assert plan(10, 1000) == [list(sizes)]
    assert plan_batches([], 10, 10) == [[]]


def test_metrics_nested_one_generator_per_bundle_are_read_back():
    """Beam's local runners wrap a stage's metrics in one more generator per bundle; a long
    streaming job nests them deeper than Python's recursion limit allows in a normal thread."""
    import pytest

    from pipeline.summary import _in_deep_thread

    def nested(depth):
        chain = iter([1])
        for _ in range(depth):
            chain = (x for x in chain)
        return chain

    with pytest.raises(RecursionError):
        sum(nested(5_000))
    assert _in_deep_thread(lambda: sum(nested(5_000))) == 1
