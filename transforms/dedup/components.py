"""Clusters from verified pairs, computed in parallel: connected components by rounds of
large-star and small-star (Kiveris et al., "Connected Components in MapReduce and Beyond",
SoCC 2014), then the kept article of each component (clusters.kept_order).

In: edges, pairs of cluster members (id, published_at, fetched_at, cluster of an earlier run
or None). Out: (id, (cluster_id, duplicate_of or None)) for every member of this run that has
an edge; members of earlier runs only anchor clusters.

Every step is keyed by a node or a component, so no group holds more than one component (a
star's centre holds all of it). Each round is two groupings; a component settles into a star
around its smallest id in about log2 of its length of rounds. Beam's graphs are fixed before
they run, so the number of rounds is fixed too (ROUNDS); a component still unsettled after them
is counted (dedup.clusters_unsettled) and split where it stood, never merged wrongly.
"""
from __future__ import annotations

import apache_beam as beam

from transforms.dedup.clusters import kept_order
from transforms.utils.stage import counter, distribution

# Long enough for a chain of some thousands of copies, each linked only to the next.
ROUNDS = 10
_NODE_DEGREE = distribution("dedup.cluster_node_degree")
_UNSETTLED = counter("dedup.clusters_unsettled")


def large_star(item, last: bool = False):
    """(node, neighbours) -> edges linking each larger neighbour to the smallest node around, as
    (larger end, smaller end): keyed for small_star."""
    node, neighbours = item
    neighbours = set(neighbours)
    if len(neighbours) > 1:
        _NODE_DEGREE.update(len(neighbours))
    smallest = min(min(neighbours), node)
    larger = [v for v in neighbours if v > node]
    if last and larger and smallest < node:
        _UNSETTLED.inc()
    for v in larger:
        yield v, smallest


def small_star(item, last: bool = False):
    """(node, its smaller neighbours) -> edges linking the node and those neighbours to the
    smallest of them, each both ways: keyed for large_star by either end."""
    node, smaller = item
    smaller = set(smaller)
    smallest = min(smaller)
    if last and len(smaller) > 1:
        _UNSETTLED.inc()
    for v in smaller | {node}:
        if v != smallest:
            yield smallest, v
            yield v, smallest


def labels_of(edge):
    """An edge of a forest of stars, either way round: each end's candidate label, the smaller end."""
    a, b = sorted(edge)
    return [(a, a), (b, a)]


def decisions(item):
    """(component, {'members': [member...], 'kept': [kept member]}) -> (id, (cluster, duplicate_of))
    for the members of this run; an earlier run's cluster stays that cluster."""
    _, grouped = item
    distribution("dedup.cluster_size").update(len(grouped["members"]))
    kept = grouped["kept"][0]
    cluster = kept[3] or kept[0]
    for member in grouped["members"]:
        if member[3] is None:  # earlier runs' members are not written again
            yield member[0], (cluster, None if member[0] == kept[0] else cluster)


class _Kept(beam.CombineFn):
    """The kept member of a component: the first by kept_order. One member held at a time."""

    def create_accumulator(self):
        return None

    def add_input(self, best, member):
        return member if best is None or kept_order(member) < kept_order(best) else best

    def merge_accumulators(self, accumulators):
        best = None
        for member in accumulators:
            if member is not None:
                best = self.add_input(best, member)
        return best

    def extract_output(self, best):
        return best


def _first(values):
    return next(iter(values))


class ConnectedComponents(beam.PTransform):
    """Edges (a, b) of ids -> (id, component label): the smallest id of its component."""

    def __init__(self, rounds: int = ROUNDS):
        super().__init__()
        self._rounds = rounds

    def expand(self, edges):
        edges = edges | "BothWays" >> beam.FlatMap(lambda e: [(e[0], e[1]), (e[1], e[0])])
        for n in range(1, self._rounds + 1):
            last = n == self._rounds
            edges = (edges
                     | f"Large{n}/ByNode" >> beam.GroupByKey()
                     | f"Large{n}/Star" >> beam.FlatMap(large_star, last=last)
                     | f"Small{n}/ByNode" >> beam.GroupByKey()
                     | f"Small{n}/Star" >> beam.FlatMap(small_star, last=last))
        return (edges
                | "Labels" >> beam.FlatMap(labels_of)
                | "Smallest" >> beam.CombinePerKey(min))


class Clusters(beam.PTransform):
    """Verified edges (pairs of members) -> (id, (cluster_id, duplicate_of or None)) for this
    run's members, as clusters.decide gives in one process."""

    def expand(self, edges):
        members = (edges
                   | "Members" >> beam.FlatMap(lambda e: [(m[0], m) for m in e])
                   | "OnePerId" >> beam.CombinePerKey(_first))
        labels = edges | "Ids" >> beam.Map(lambda e: (e[0][0], e[1][0])) | "Components" >> ConnectedComponents()
        by_component = ({"member": members, "label": labels} | "JoinLabels" >> beam.CoGroupByKey()
                        | "ByComponent" >> beam.FlatMap(
                            lambda kv: [(label, m) for label in kv[1]["label"] for m in kv[1]["member"]]))
        kept = by_component | "Kept" >> beam.CombinePerKey(_Kept())
        return ({"members": by_component, "kept": kept} | "JoinKept" >> beam.CoGroupByKey()
                | "Decisions" >> beam.FlatMap(decisions))
