"""Deduplicate (transforms/dedup/__init__.py): candidate pairs from buckets, and the Beam transform in a batch."""
import random

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from tests.conftest import beam_pipeline, docs
from tests.transforms.dedup import run_dedup, wire_docs
from transforms.dedup import bucket_pairs


def test_big_buckets_become_stars():
    members = [("c", None, "hc"), ("a", None, "ha"), ("b", None, "hb")]
    assert list(bucket_pairs(("k", members))) == [("a", "b"), ("a", "c"), ("b", "c")]
    many = [(f"{i:03d}", None, str(i)) for i in range(500)]
    assert list(bucket_pairs(("k", many))) == [("000", f"{i:03d}") for i in range(1, 500)]


def test_earlier_clusters_pair_through_their_kept_article_only():
    # Story K was kept by an earlier run, with 20 copies; a new document n meets all of them in a bucket.
    old = [("K", "K", "hK")] + [(f"c{i:02d}", "K", f"h{i}") for i in range(20)]
    assert sorted(bucket_pairs(("k", old + [("n", None, "hn")]))) == [("K", "n")]
    # Without the kept one in the bucket, the first two members stand for the cluster.
    assert sorted(bucket_pairs(("k", old[5:] + [("n", None, "hn")]))) == [("c04", "n"), ("c05", "n")]
    # Earlier documents alone make no pairs: earlier runs decided them.
    assert list(bucket_pairs(("k", old))) == []


def test_copies_of_one_text_are_linked_once_and_compared_through_the_first():
    from transforms.dedup.minhash import exact_key
    copies = [(f"c{i}", None, "same") for i in range(10)]
    other = ("x", None, "other")
    exact = exact_key("0123456789abcdef")
    # Their exact-text bucket: a star around the first, 9 pairs instead of 45.
    assert list(bucket_pairs((exact, copies))) == [("c0", f"c{i}") for i in range(1, 10)]
    # A bucket they share with another text: the first copy stands for all ten.
    assert list(bucket_pairs(("band", copies + [other]))) == [("c0", "x")]
    # Two texts whose 56-bit keys collide are not linked together.
    assert list(bucket_pairs((exact, [("a", None, "h1"), ("b", None, "h2")]))) == []
    # An earlier run's copy of the text is paired with the first new one only.
    assert list(bucket_pairs((exact, copies[:3] + [("K", "K", "same")]))) == [("c0", "c1"), ("c0", "c2"), ("K", "c0")]


def test_batch_exact_and_near_copies(tmp_path):
    with beam_pipeline() as p:
        out = run_dedup(p, docs() + wire_docs(), str(tmp_path / "none"))
        assert_that(out["articles"] | beam.Map(lambda d: (d.url, d.cluster_id == d.id)),
                    equal_to([("https://b.com/1", True), ("https://c.com/1", True), ("https://d.com/1", True),
                              ("https://wire.example/story", True), ("https://market.example/mon", True),
                              ("https://market.example/tue", True)]), label="kept")
        ids = {d.url: d.id for d in docs() + wire_docs()}
        assert_that(out["duplicates"] | beam.Map(lambda d: (d.url, d.duplicate_of, d.cluster_id)),
                    equal_to([("https://a.com/1", ids["https://b.com/1"], ids["https://b.com/1"]),
                              ("https://c.com/1?utm_source=x", ids["https://c.com/1"], ids["https://c.com/1"]),
                              ("https://paper.example/brief", ids["https://wire.example/story"],
                               ids["https://wire.example/story"]),
                              ("https://other.example/edited", ids["https://wire.example/story"],
                               ids["https://wire.example/story"])]), label="copies")


def test_a_band_bucket_holds_at_most_its_cap_of_each_run_the_smallest_ids():
    from transforms.dedup import BUCKET_CAP, _BandBucket
    combine = _BandBucket()
    new = [(f"n{i:05d}", None, f"h{i}") for i in range(3 * BUCKET_CAP)]
    old = [(f"o{i:05d}", "K", f"g{i}") for i in range(BUCKET_CAP + 5)]
    members = new + old
    random.Random(1).shuffle(members)
    # Two accumulators merged, as a runner's combiner lifting makes them: the same as one.
    halves = [combine.create_accumulator(), combine.create_accumulator()]
    for i, member in enumerate(members):
        halves[i % 2] = combine.add_input(halves[i % 2], member)
    held, left_out = combine.extract_output(combine.merge_accumulators(halves))
    assert held == sorted(new)[:BUCKET_CAP] + sorted(old)[:BUCKET_CAP]
    assert left_out == 2 * BUCKET_CAP + 5
    small = combine.extract_output(combine.add_input(combine.create_accumulator(), new[0]))
    assert small == ([new[0]], 0)
