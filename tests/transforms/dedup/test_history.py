"""What earlier runs wrote, read back (transforms/dedup/history.py): written articles are skipped,
copies of them linked, for as long as the history window reaches."""
from datetime import timedelta

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from tests.conftest import beam_pipeline
from tests.transforms.dedup import T0, run_dedup, wire_docs
from transforms.write import WriteTables


def test_across_runs_copies_link_to_history_and_written_articles_are_skipped(tmp_path):
    out_dir = str(tmp_path / "out")
    first = wire_docs()[:1]
    with beam_pipeline() as p:
        out = run_dedup(p, first, out_dir)
        _ = ({"articles": out["articles"], "duplicates": out["duplicates"], "signatures": out["signatures"],
              "rejects": p | "NoRejects" >> beam.Create([])} | WriteTables(out_dir, run_date=T0.date().isoformat()))
    second = wire_docs()[:3]  # the story again (written: skipped), a brief and an edited copy of it
    with beam_pipeline() as p:
        out = run_dedup(p, second, out_dir, run_date=T0.date() + timedelta(days=2))
        assert_that(out["articles"], equal_to([]), label="nothing_new_kept")
        kept = first[0].id
        assert_that(out["duplicates"] | beam.Map(lambda d: (d.url, d.duplicate_of)),
                    equal_to([("https://paper.example/brief", kept), ("https://other.example/edited", kept)]),
                    label="linked")
    # Past the history window, the signatures are no longer read.
    with beam_pipeline() as p:
        out = run_dedup(p, wire_docs()[1:2], out_dir, run_date=T0.date() + timedelta(days=30))
        assert_that(out["duplicates"], equal_to([]), label="expired")


def test_signatures_older_than_the_days_remembered_are_deleted(tmp_path):
    """Older than the days remembered (at least the default's) and two days of grace: deleted."""
    from datetime import date

    import pyarrow.parquet as pq

    from schemas import SIGNATURE_SCHEMA, SIGNATURES_FOLDER
    from transforms.dedup.history import signature_partitions
    for day in ("2026-11-20", "2026-11-27", "2026-11-28", "2026-11-30", "2026-12-07"):
        folder = tmp_path / SIGNATURES_FOLDER / f"date={day}"
        folder.mkdir(parents=True)
        pq.write_table(SIGNATURE_SCHEMA.empty_table(), folder / "part-x.parquet")
    kept = signature_partitions(str(tmp_path), date(2026, 12, 7), 7, prune=True)
    assert [k.split("date=")[1][:10] for k in kept] == ["2026-11-30", "2026-12-07"]
    remaining = ["date=2026-11-28", "date=2026-11-30", "date=2026-12-07"]
    assert sorted(p.name for p in (tmp_path / SIGNATURES_FOLDER).iterdir()) == remaining
    signature_partitions(str(tmp_path), date(2026, 12, 7), 1, prune=True)  # a run remembering one day
    assert sorted(p.name for p in (tmp_path / SIGNATURES_FOLDER).iterdir()) == remaining  # deletes nothing more


def _write_ids(root, table, day, ids, name="part-a.parquet"):
    import pyarrow as pa
    import pyarrow.parquet as pq
    folder = root / table / f"date={day}"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"id": ids}), folder / name)
    return str(folder / name)


def _doc(doc_id, day):
    from tests.conftest import make_doc
    doc = make_doc(url=f"https://x.example/{doc_id}")
    doc.id, doc.date = doc_id, day
    return doc


def test_ids_are_looked_up_in_the_documents_partitions_and_the_recent_ones_only(tmp_path):
    from datetime import date

    from transforms.dedup.history import Written, WrittenIdsOf
    _write_ids(tmp_path, "articles", "2024-03-01", ["own"])
    _write_ids(tmp_path, "duplicates", "2024-03-01", ["own-copy"])
    _write_ids(tmp_path, "articles", "2024-06-09", ["recent"])
    _write_ids(tmp_path, "articles", "2024-06-01", ["too-old"])
    # A partition no document can be in is never opened: this one is not even Parquet.
    (tmp_path / "articles" / "date=2019-01-01").mkdir(parents=True)
    (tmp_path / "articles" / "date=2019-01-01" / "part-x.parquet").write_bytes(b"not parquet")
    this_run = _write_ids(tmp_path, "articles", "2023-01-01", ["earlier-batch"], "part-b.parquet")
    written = Written(str(tmp_path), date(2024, 6, 10), days=2, this_run=frozenset([this_run]))
    with beam_pipeline() as p:
        ids = p | beam.Create([_doc("a", "2024-03-01"), _doc("b", "2024-06-10")]) | WrittenIdsOf(written)
        assert_that(ids, equal_to([("own", False), ("own-copy", False), ("recent", False), ("earlier-batch", True)]))


def test_in_a_stream_written_ids_are_looked_up_per_document(tmp_path):
    from datetime import date

    from transforms.dedup.history import SkipWritten, Written
    _write_ids(tmp_path, "articles", "2024-03-01", ["own"])
    _write_ids(tmp_path, "articles", "2024-06-09", ["recent"])
    _write_ids(tmp_path, "articles", "2024-01-01", ["moved"])  # neither its partition nor a recent one: not found
    written = Written(str(tmp_path), date(2024, 6, 10), days=2)
    docs = [_doc("own", "2024-03-01"), _doc("recent", "2024-06-10"), _doc("new", "2024-06-10"),
            _doc("moved", "2024-03-02")]
    for streaming in (True, False):
        with beam_pipeline() as p:
            kept = p | beam.Create(docs) | SkipWritten(written, streaming=streaming) | beam.Map(lambda d: (d.id, d.date))
            assert_that(kept, equal_to([("new", "2024-06-10"), ("moved", "2024-03-02")]))


def test_a_file_compacted_away_after_the_listing_is_read_through_its_partition(tmp_path):
    """news-ingest compact may merge a partition's files between the listing and the read: the ids
    are then read from the files that hold them now, never skipped (skipping would write them again)."""
    from transforms.dedup.history import file_ids
    gone = str(tmp_path / "articles" / "date=2024-03-01" / "part-gone.parquet")
    _write_ids(tmp_path, "articles", "2024-03-01", ["a", "b"], "part-merged.parquet")
    assert sorted(file_ids(gone, frozenset())) == [("a", False), ("b", False)]
