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
