"""Clusters from verified pairs (transitively: A~B and B~C make one cluster) and the kept article of each.

The kept article is the earliest published (unknown dates last), then the earliest fetched,
then the smallest id. An article kept by an earlier run stays kept: a cluster that contains
one is that article's cluster, and everything new in it is a copy.
"""
from __future__ import annotations

from datetime import datetime, timezone

_LATEST = datetime.max.replace(tzinfo=timezone.utc)


def kept_order(member):
    """member: (id, published_at, fetched_at, cluster of an earlier run or None)."""
    doc_id, published, fetched, history = member
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


def decide(members: list, edges: list) -> dict:
    """members: (id, published_at, fetched_at, cluster of an earlier run or None); edges: (id, id).

    Returns {id: (cluster_id, duplicate_of or None)} for every member that has an edge.
    Members from earlier runs are included only to anchor clusters; callers do not write them again.
    """
    uf = UnionFind()
    for a, b in edges:
        uf.union(a, b)
    groups: dict = {}
    by_id = {m[0]: m for m in members}
    for doc_id in list(uf.parent):
        groups.setdefault(uf.find(doc_id), []).append(by_id[doc_id])
    out = {}
    for group in groups.values():
        kept = min(group, key=kept_order)
        cluster = kept[3] or kept[0]
        for member in group:
            out[member[0]] = (cluster, None if member is kept else cluster)
    return out
