"""Near-duplicates in a stream, with per-key state that expires (transforms/dedup/streaming.py)."""
from datetime import timedelta

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from tests.conftest import make_doc
from tests.transforms.dedup import MARKET, NEXT_DAY, STORY, T0, text
from transforms.utils.ids import content_hash


def test_streaming_state_keeps_the_first_copy_links_later_ones_and_expires():
    from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
    from apache_beam.testing.test_pipeline import TestPipeline
    from apache_beam.testing.test_stream import TestStream
    from apache_beam.transforms.window import TimestampedValue
    from transforms.dedup.streaming import StreamingDeduplicate

    def doc(url, body, hours):
        d = make_doc(text=body, url=url, published_at=T0 + timedelta(hours=hours))
        d.date, d.content_hash = "2024-01-01", content_hash(body)
        return TimestampedValue(d, (T0 + timedelta(hours=hours)).timestamp())

    day = 3600 * 24
    stream = (TestStream()
              .add_elements([doc("https://wire.example/story", text(STORY), 0)])
              .advance_watermark_to(T0.timestamp() + 3600)
              .add_elements([doc("https://paper.example/brief", text(STORY[:2]), 2),
                             doc("https://market.example/mon", MARKET, 3)])
              .advance_watermark_to(T0.timestamp() + 6 * 3600)
              # Late data: an edited copy stamped before the watermark is still linked.
              .add_elements([doc("https://other.example/edited", text(["Plastic deal reached"] + STORY[1:]), 1),
                             doc("https://market.example/tue", NEXT_DAY, 27)])
              .advance_watermark_to(T0.timestamp() + 3 * day)
              # Past the two-day memory: a copy is a new story again.
              .add_elements([doc("https://late.example/again", text(STORY), 72)])
              .advance_watermark_to_infinity())
    options = PipelineOptions(streaming=True)
    options.view_as(StandardOptions).runner = "BundleBasedDirectRunner"
    with TestPipeline(options=options) as p:
        out = p | stream | StreamingDeduplicate(ttl=timedelta(days=2))
        wire = doc("https://wire.example/story", "x", 0).value.id
        assert_that(out["articles"] | beam.Map(lambda d: d.url),
                    equal_to(["https://wire.example/story", "https://market.example/mon",
                              "https://market.example/tue", "https://late.example/again"]), label="kept")
        assert_that(out["duplicates"] | beam.Map(lambda d: (d.url, d.duplicate_of, d.cluster_id)),
                    equal_to([("https://paper.example/brief", wire, wire),
                              ("https://other.example/edited", wire, wire)]), label="linked")
