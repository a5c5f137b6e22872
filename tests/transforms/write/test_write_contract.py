"""What the write step promises readers and later runs (transforms/write/__init__.py): each table
in its folder with its schema, zstd Parquet, the same rows in the same order and under the same
names in every run and version, the counts the run summary reports, and stable step names."""
import hashlib
from datetime import datetime, timezone

import apache_beam as beam
import numpy as np
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from apache_beam.metrics.metric import MetricsFilter

from schemas import SIGNATURE_SCHEMA, Reject, file_schema
from tests.conftest import beam_pipeline, make_doc
from transforms.dedup.minhash import Features
from transforms.write import WriteTables, file_name

FETCHED = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def article(url, date="2026-03-01", language="en"):
    doc = make_doc(text=f"Text of {url}.", url=url, fetched_at=FETCHED)
    doc.date, doc.language, doc.cluster_id, doc.content_hash = date, language, doc.id, "h"
    return doc


def reject(url, date="2026-03-02"):
    return Reject(id=hashlib.sha256(url.encode()).hexdigest()[:16], url=url, source="http", stage="fetch",
                  reason="http_error", error="HTTP 500", date=date, fetched_at=FETCHED, http_status=500)


def signature(doc_id):
    return Features(id=doc_id, shingles=np.array([1, 5, 9], dtype=np.uint32), numbers=["12"], content_hash="h",
                    names=["Ada Lovelace"], published_at=None, fetched_at=FETCHED, cluster_id=doc_id, keys=[7, 8])


def run_write(out, articles=(), duplicates=(), rejects=(), signatures=None, run_date="2026-03-02", run=None):
    pipeline = beam_pipeline()
    tables = {"articles": pipeline | "A" >> beam.Create(list(articles) or [article("https://x.example/0")]),
              "duplicates": pipeline | "D" >> beam.Create(list(duplicates)),
              "rejects": pipeline | "R" >> beam.Create(list(rejects))}
    if signatures is not None:
        tables["signatures"] = pipeline | "S" >> beam.Create(list(signatures))
    _ = tables | "Write" >> WriteTables(str(out), run_date=run_date, run=run)
    result = pipeline.run()
    result.wait_until_finish()
    return pipeline, result


def counters(result):
    return {c.key.metric.name: c.committed for c in result.metrics().query(MetricsFilter())["counters"]}


def test_file_names_are_the_same_in_every_version():
    """A rerun replaces files by name, so the name of a set of rows must not change between versions."""
    assert file_name(["a", "b"]) == "part-7e18f737311b2dc3b2f2.parquet"
    assert file_name(["a", "b"], "20260301T120000Z") == "part-20260301T120000Z-7e18f737311b2dc3b2f2.parquet"
    assert file_name(["a", "b"]) != file_name(["ab"]) != file_name(["a\nb", ""])


def test_each_table_lands_in_its_folder_with_its_schema_as_zstd_parquet(tmp_path):
    docs = [article("https://x.example/1"), article("https://x.example/2", language="de")]
    _, result = run_write(tmp_path, articles=docs, rejects=[reject("https://y.example/broken")],
                          signatures=[signature(d.id) for d in docs])
    rejects = list((tmp_path / "rejects" / "date=2026-03-02").glob("*.parquet"))
    signatures = list((tmp_path / "_state" / "signatures" / "date=2026-03-02").glob("*.parquet"))
    assert len(rejects) == 1 and len(signatures) == 1
    assert pq.read_schema(rejects[0]).remove_metadata() == file_schema("rejects").remove_metadata()
    assert pq.read_schema(signatures[0]).remove_metadata() == SIGNATURE_SCHEMA.remove_metadata()
    row = ds.dataset(str(tmp_path / "rejects"), format="parquet", partitioning="hive").to_table().to_pylist()[0]
    assert (row["url"], row["stage"], row["reason"], row["http_status"], row["date"]) == \
        ("https://y.example/broken", "fetch", "http_error", 500, "2026-03-02")
    kept = pq.read_table(signatures[0]).to_pylist()
    assert sorted(r["id"] for r in kept) == sorted(d.id for d in docs)
    assert kept[0]["shingles"] == [1, 5, 9] and kept[0]["keys"] == [7, 8] and kept[0]["names"] == ["Ada Lovelace"]
    for path in tmp_path.rglob("*.parquet"):
        assert pq.ParquetFile(path).metadata.row_group(0).column(0).compression == "ZSTD", path
    assert not (tmp_path / "_staging").exists()


def test_rows_with_one_id_are_written_in_url_order_whatever_order_they_come_in(tmp_path):
    """The same URL read twice with different tracking-free spellings, or copies named after one
    id: the file is the same bytes in every run."""
    copies = [article(f"https://x.example/{n}") for n in (3, 1, 2)]
    for doc in copies:
        doc.id, doc.duplicate_of = "same-id", "kept"
    first, second = tmp_path / "first", tmp_path / "second"
    run_write(first, duplicates=copies)
    run_write(second, duplicates=copies[::-1])
    files = [sorted((out / "duplicates" / "date=2026-03-01").glob("*.parquet")) for out in (first, second)]
    assert [f.name for f in files[0]] == [f.name for f in files[1]]
    assert [f.read_bytes() for f in files[0]] == [f.read_bytes() for f in files[1]]
    assert pq.read_table(files[0][0]).column("url").to_pylist() == [f"https://x.example/{n}" for n in (1, 2, 3)]


def test_the_counts_the_summary_reports_count_what_was_written(tmp_path):
    docs = [article("https://x.example/1"), article("https://x.example/2", date="2026-03-02", language="de"),
            article("https://x.example/3")]
    copy = article("https://z.example/copy")
    _, result = run_write(tmp_path, articles=docs, duplicates=[copy], rejects=[reject("https://y.example/1")])
    seen = counters(result)
    assert seen["write.files"] == 4  # two days of articles, a day of copies, a day of rejects
    assert (seen["write.articles.rows"], seen["write.duplicates.rows"], seen["write.rejects.rows"]) == (3, 1, 1)
    assert {k: v for k, v in seen.items() if k.startswith("out.")} == {
        "out.date.2026-03-01": 2, "out.date.2026-03-02": 1, "out.language.en": 2, "out.language.de": 1}


def test_the_write_steps_keep_their_names(tmp_path):
    """Dataflow's --update and Flink's savepoints find a running job's steps by name: a rename
    must be a decision, not an accident."""
    pipeline, _ = run_write(tmp_path)
    assert {"Write/AllTables", "Write/GroupByPartition", "Write/WriteFiles", "Write/Commit",
            "Write/Commit/AllStaged", "Write/KeyArticles"} <= pipeline.applied_labels


def test_a_batch_of_several_records_its_files_when_they_are_in_place(tmp_path):
    """A run of several batches resumes from its record: a batch is done exactly when its files are."""
    import json
    record = tmp_path / "run.json"
    run_write(tmp_path / "out", run={"record": str(record), "batch": 2})
    written = sorted(str(p) for p in (tmp_path / "out").rglob("*.parquet"))
    assert json.loads(record.read_text()) == {"batches_done": 3, "files": written}


def test_signatures_without_the_runs_date_are_refused_before_anything_is_written(tmp_path):
    import pytest
    pipeline = beam_pipeline()
    tables = {"signatures": pipeline | beam.Create([signature("a")])}
    with pytest.raises(ValueError) as refused:
        _ = tables | WriteTables(str(tmp_path))
    assert str(refused.value) == \
        "WriteTables: signatures are kept by the day they were written: give run_date"
    assert not list(tmp_path.rglob("*.parquet"))
