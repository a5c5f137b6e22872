"""Progress lines on stderr (pipeline/progress.py)."""
import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from tests.conftest import beam_pipeline


def test_progress_passes_elements_through_and_reports():
    from pipeline.progress import ReportProgress, progress_line
    with beam_pipeline() as p:
        assert_that(p | beam.Create([1, 2, 3]) | ReportProgress(interval=0.0), equal_to([1, 2, 3]))
    assert progress_line(50, 10.0) == "news-ingest: 50 documents through language detection (5.0/s on this worker)"
