"""Deduplicate (transforms/dedup/__init__.py): candidate pairs from buckets, and the Beam transform in a batch."""
import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from tests.conftest import beam_pipeline, docs
from tests.transforms.dedup import run_dedup, wire_docs
from transforms.dedup import bucket_pairs


def test_big_buckets_become_chains():
    members = [("c", None, "hc"), ("a", None, "ha"), ("b", None, "hb")]
    assert list(bucket_pairs(("k", members))) == [("a", "b"), ("a", "c"), ("b", "c")]
    assert len(list(bucket_pairs(("k", [(str(i), None, str(i)) for i in range(500)])))) == 499


def test_earlier_clusters_pair_through_their_kept_article_only():
    # Story K was kept by an earlier run, with 20 copies; a new document n meets all of them in a bucket.
    old = [("K", "K", "hK")] + [(f"c{i:02d}", "K", f"h{i}") for i in range(20)]
    assert sorted(bucket_pairs(("k", old + [("n", None, "hn")]))) == [("K", "n")]
    # Without the kept one in the bucket, the first two members stand for the cluster.
    assert sorted(bucket_pairs(("k", old[5:] + [("n", None, "hn")]))) == [("c04", "n"), ("c05", "n")]
    # Earlier documents alone make no pairs: earlier runs decided them.
    assert list(bucket_pairs(("k", old))) == []


def test_copies_of_one_text_are_chained_once_and_compared_through_the_first():
    from transforms.dedup.minhash import exact_key
    copies = [(f"c{i}", None, "same") for i in range(10)]
    other = ("x", None, "other")
    exact = exact_key("0123456789abcdef")
    # Their exact-text bucket: a chain, 9 pairs instead of 45.
    assert list(bucket_pairs((exact, copies))) == [(f"c{i}", f"c{i + 1}") for i in range(9)]
    # A bucket they share with another text: the first copy stands for all ten.
    assert list(bucket_pairs(("band", copies + [other]))) == [("c0", "x")]
    # Two texts whose 56-bit keys collide are not chained together.
    assert list(bucket_pairs((exact, [("a", None, "h1"), ("b", None, "h2")]))) == []
    # An earlier run's copy of the text is paired with the first new one only.
    assert list(bucket_pairs((exact, copies[:3] + [("K", "K", "same")]))) == [("c0", "c1"), ("c1", "c2"), ("K", "c0")]


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
