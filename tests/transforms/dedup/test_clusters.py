"""Clusters from verified pairs and the kept article of each (transforms/dedup/clusters.py)."""
from datetime import timedelta

from tests.transforms.dedup import T0
from transforms.dedup.clusters import decide


def test_clusters_are_transitive_and_keep_the_earliest():
    nodes = [("c", T0 + timedelta(hours=3), T0, None), ("a", T0 + timedelta(hours=2), T0, None),
             ("b", None, T0, None), ("d", T0, T0, None), ("e", T0, T0 - timedelta(hours=1), None)]
    got = decide(nodes, [("a", "b"), ("b", "c"), ("d", "e")])
    assert got == {"a": ("a", None), "b": ("a", "a"), "c": ("a", "a"), "e": ("e", None), "d": ("e", "e")}


def test_history_keeps_its_article():
    nodes = [("new", T0 - timedelta(days=1), T0, None), ("old", T0, T0, "oldroot")]
    assert decide(nodes, [("new", "old")]) == {"new": ("oldroot", "oldroot"), "old": ("oldroot", None)}
