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
