"""Clusters from verified pairs (transitively: A~B and B~C make one cluster) and the kept article of each.

The kept article is the earliest published (unknown dates last), then the earliest fetched,
then the smallest id. An article kept by an earlier run stays kept: a cluster that contains
one is that article's cluster, and everything new in it is a copy.
"""
from __future__ import annotations

from datetime import datetime, timezone

_LATEST = datetime.max.replace(tzinfo=timezone.utc)


def kept_order(node):
    """node: (id, published_at, fetched_at, history_cluster_id or None)."""
    doc_id, published, fetched, history = node
    return (history is None, published or _LATEST, fetched or _LATEST, doc_id)


class UnionFind:
    def __init__(self):
        self.parent: dict = {}

    def find(self, x):
        parent = self.parent
        parent.setdefault(x, x)
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:  # path compression
            parent[x], x = root, parent[x]
        return root

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def decide(nodes: list, edges: list) -> dict:
    """nodes: (id, published_at, fetched_at, history_cluster_or_None); edges: (id, id).

    Returns {id: (cluster_id, duplicate_of or None)} for every node that has an edge.
    History nodes are included only to anchor clusters; callers do not write them again.
    """
    uf = UnionFind()
    for a, b in edges:
        uf.union(a, b)
    members: dict = {}
    info = {n[0]: n for n in nodes}
    for doc_id in list(uf.parent):
        members.setdefault(uf.find(doc_id), []).append(info[doc_id])
    out = {}
    for group in members.values():
        kept = min(group, key=kept_order)
        cluster = kept[3] or kept[0]
        for node in group:
            out[node[0]] = (cluster, None if node is kept else cluster)
    return out
