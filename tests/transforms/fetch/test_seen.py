"""First sightings of article URLs in a stream (transforms/fetch/seen.py), with TestStream."""
from datetime import datetime, timedelta, timezone

import apache_beam as beam
from apache_beam.testing import test_stream
from apache_beam.testing.util import assert_that, equal_to
from apache_beam.transforms.window import TimestampedValue

from tests.conftest import make_doc, stream_pipeline
from transforms.fetch.seen import FirstSighting

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc).timestamp()  # a window start (a multiple of 60 s)


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
