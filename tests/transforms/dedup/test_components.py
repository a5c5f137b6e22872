"""Clusters computed in parallel (transforms/dedup/components.py): the same clusters and kept
articles as clusters.decide in one process, on graphs that need many rounds."""
import random
from datetime import timedelta

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from tests.conftest import beam_pipeline
from tests.transforms.dedup import T0
from transforms.dedup.clusters import UnionFind, decide
from transforms.dedup.components import Clusters, ConnectedComponents, large_star, small_star


def test_large_star_links_larger_neighbours_to_the_smallest_around():
    assert sorted(large_star(("c", ["a", "d", "e"]))) == [("d", "a"), ("e", "a")]
    assert list(large_star(("a", ["b"]))) == [("b", "a")]
    assert list(large_star(("d", ["a", "b"]))) == []  # no larger neighbour: nothing from here


def test_small_star_links_the_node_and_its_smaller_neighbours_to_the_smallest():
    assert sorted(small_star(("d", ["b", "c"]))) == [("b", "c"), ("b", "d"), ("c", "b"), ("d", "b")]
    assert sorted(small_star(("d", ["a"]))) == [("a", "d"), ("d", "a")]


def _smallest_of_component(edges):
    components = UnionFind()  # its root is the smallest id of each component
    for a, b in edges:
        components.union(a, b)
    return sorted((node, components.find(node)) for node in list(components.parent))


def _components(edges):
    with beam_pipeline() as p:
        out = p | beam.Create(edges) | ConnectedComponents()
        assert_that(out, equal_to(_smallest_of_component(edges)))


def test_a_long_chain_of_random_ids_settles():
    rng = random.Random(7)
    ids = [f"{rng.getrandbits(64):016x}" for _ in range(600)]
    _components(list(zip(ids, ids[1:])) + [("x1", "x2"), ("x3", "x2")])


def test_a_chain_in_id_order_settles():
    ids = [f"{i:04d}" for i in range(300)]
    _components(list(zip(ids, ids[1:])))


def test_an_unsettled_component_is_counted_and_split_not_merged_wrongly():
    ids = [f"{i:04d}" for i in range(64)]
    p = beam_pipeline()
    labels = p | beam.Create(list(zip(ids, ids[1:]))) | ConnectedComponents(rounds=1)
    assert_that(labels | beam.Map(lambda kv: kv[1] in ids and kv[1] <= kv[0]) | beam.Distinct(), equal_to([True]))
    result = p.run()
    result.wait_until_finish()
    counters = {c.key.metric.name: c.committed for c in result.metrics().query()["counters"]}
    assert counters["dedup.clusters_unsettled"] > 0


def test_clusters_match_the_one_process_decision():
    rng = random.Random(3)
    members = {}
    for i in range(200):
        published = T0 + timedelta(hours=rng.randrange(48)) if rng.random() < 0.8 else None
        history = f"old{i}" if rng.random() < 0.05 else None
        members[f"d{i:03d}"] = (f"d{i:03d}", published, T0 + timedelta(minutes=rng.randrange(100)), history)
    ids = sorted(members)
    edges = [(a, b) for a, b in (rng.sample(ids, 2) for _ in range(150))]
    expected = {i: d for i, d in decide(list(members.values()), edges).items() if members[i][3] is None}
    with beam_pipeline() as p:
        out = p | beam.Create([(members[a], members[b]) for a, b in edges]) | Clusters()
        assert_that(out, equal_to(sorted(expected.items())))
