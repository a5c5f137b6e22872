"""Deduplicate: one article kept per story, its copies linked to it.

In: Documents (text cleaned, content_hash set); what earlier runs wrote (ids, signatures).
Out: {'articles': kept Documents, 'duplicates': copies with duplicate_of set, 'signatures':
features of everything written, for later runs}. Every member of a cluster has the same
cluster_id (the kept article's id; a lone article is its own cluster).

1. Same id (the same canonical URL read twice): one document, the others are copies. A
   document whose id is already in the output was written by an earlier run: it is skipped.
2. Features (minhash.py): shingle set, numbers, LSH band keys, and exact-text keys.
3. Candidates: documents sharing a key, from this run and from history.
4. Verification (verify.py) of each candidate pair, joining the pair with both features.
5. Clusters (clusters.py) from the verified pairs, on one worker: they are few and small.
6. Each document gets its decision from a side input, so full documents are never shuffled
   for near-duplicate detection.
"""
from __future__ import annotations

import dataclasses

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.transforms.window import FixedWindows, TimestampedValue

from schemas import Document
from transforms.dedup.clusters import decide, kept_order
from transforms.dedup.history import (DEFAULT_HISTORY_DAYS, SIGNATURES, ReadHistory, ReadSignatures,  # noqa: F401
                                      SkipWritten, read_signatures)
from transforms.dedup.minhash import EXACT, Features, features
from transforms.dedup.verify import is_copy
from transforms.utils.stage import counter

DUPLICATES = "duplicates"
MAX_BUCKET = 50  # a bigger bucket is linked as a chain, not all pairs: enough for clusters, bounded work
OLD_PER_CLUSTER = 2  # members of an earlier cluster a new document is compared with, when its kept one is not in the bucket


def cluster_member(f: Features) -> tuple:
    """(id, published_at, fetched_at, cluster of an earlier run or None): what clustering needs."""
    return (f.id, f.published_at, f.fetched_at, f.cluster_id if f.history else None)


def doc_features(doc: Document) -> Features:
    return features(doc.id, doc.text, doc.content_hash, doc.published_at, doc.fetched_at)


def key_member(f: Features) -> tuple:
    """What a bucket needs of a document: its id, its cluster when an earlier run wrote it, and
    the hash of its text."""
    return f.id, f.cluster_id if f.history else None, f.content_hash


def is_exact_key(key) -> bool:
    return isinstance(key, int) and key >> 60 == EXACT


def _earlier(members) -> list[str]:
    """Earlier runs' documents of a bucket, one or two per cluster: its kept article when the
    bucket holds it, else its first members, so a story copied many times does not pair each
    new copy with every old one."""
    clusters: dict[str, list[str]] = {}
    for doc_id, cluster, _ in members:
        if cluster is not None:
            clusters.setdefault(cluster, []).append(doc_id)
    return sorted(i for cluster, ids in clusters.items()
                  for i in ([cluster] if cluster in ids else sorted(ids)[:OLD_PER_CLUSTER]))


def _pairs(new: list[str], old: list[str]):
    if len(new) > MAX_BUCKET:
        counter("dedup.large_buckets").inc()
        yield from zip(new, new[1:])
    else:
        for i, a in enumerate(new):
            for b in new[i + 1:]:
                yield a, b
    for a in new:
        for b in old[:MAX_BUCKET]:
            yield (a, b) if a < b else (b, a)


def bucket_pairs(item):
    """(key, members) -> candidate pairs (smaller id, larger id). Members are (id, cluster of an
    earlier run or None, text hash). Pairs of two earlier documents are not made: earlier runs
    decided them.

    Copies of one text (syndicated verbatim, or the same page under several URLs) meet in their
    exact-text bucket, which links them in a chain: k copies make k - 1 pairs, not k(k - 1)/2,
    and every other bucket compares only the first of them, since the chain joins the rest to
    its cluster."""
    key, members = item
    members = set(members)
    if is_exact_key(key):
        texts: dict[str, list] = {}
        for member in members:
            texts.setdefault(member[2], []).append(member)  # a 56-bit key can collide: whole hashes apart
        for group in texts.values():
            new = sorted(i for i, cluster, _ in group if cluster is None)
            yield from zip(new, new[1:])
            yield from _pairs(new[:1], _earlier(group))
        return
    first: dict[str, str] = {}
    for doc_id, cluster, text in members:
        if cluster is None and (text not in first or doc_id < first[text]):
            first[text] = doc_id
    if first:
        yield from _pairs(sorted(first.values()), _earlier(members))


def _first_side(item):
    """(a, {'pairs': [b...], 'features': [fa]}) -> (b, fa) for each pair."""
    _, grouped = item
    for fa in grouped["features"][:1]:
        for b in grouped["pairs"]:
            yield b, fa


def _verify(item):
    """(b, {'left': [fa...], 'features': [fb]}) -> verified edges as pairs of cluster members."""
    _, grouped = item
    for fb in grouped["features"][:1]:
        for fa in grouped["left"]:
            counter("dedup.candidate_pairs").inc()
            if fa.history and fb.history:
                continue  # decided by earlier runs
            if is_copy(fa, fb):
                counter("dedup.verified_pairs").inc()
                yield cluster_member(fa), cluster_member(fb)


def _decide(item):
    _, edges = item
    edges = list(edges)
    members = {m[0]: m for edge in edges for m in edge}
    for doc_id, decision in decide(list(members.values()), [(a[0], b[0]) for a, b in edges]).items():
        if members[doc_id][3] is None:  # history entries are not written again
            yield doc_id, decision


class _SameIdFn(beam.DoFn):
    """One document per id; an id already in the output was written by an earlier run."""

    def process(self, item, history):
        doc_id, docs = item
        docs = list(docs)
        if doc_id in history.this_run:
            # An earlier batch of this run wrote this id: the same URL read twice, as within a batch.
            for doc in docs:
                counter("dedup.same_url").inc()
                yield pvalue.TaggedOutput(DUPLICATES, doc.replace(cluster_id=doc_id, duplicate_of=doc_id))
            return
        if doc_id in history.ids:
            counter("dedup.skipped_existing").inc(len(docs))
            return
        docs.sort(key=lambda d: kept_order((d.id, d.published_at, d.fetched_at, None)))
        kept = docs[0]
        yield kept
        for doc in docs[1:]:
            counter("dedup.same_url").inc()
            yield pvalue.TaggedOutput(DUPLICATES, doc.replace(cluster_id=kept.id, duplicate_of=kept.id))


class _AssignFn(beam.DoFn):
    def process(self, pair, decisions):
        doc, feats = pair
        cluster, duplicate_of = decisions.get(doc.id, (doc.id, None))
        doc = doc.replace(cluster_id=cluster, duplicate_of=duplicate_of)  # inputs are not changed in place
        yield pvalue.TaggedOutput(SIGNATURES, dataclasses.replace(feats, cluster_id=cluster))
        if duplicate_of:
            counter("dedup.near_copies").inc()
            yield pvalue.TaggedOutput(DUPLICATES, doc)
        else:
            yield doc


class Deduplicate(beam.PTransform):
    """Documents -> {'articles', 'duplicates', 'signatures'}; see the module docstring.

    `history`: the WrittenIds side input; `history_features`: earlier runs' signatures, or None.
    `window`: (start, seconds) when a local continuous run covers one output window: documents
    are deduplicated within fixed windows, and earlier signatures are stamped into this one."""

    def __init__(self, history, history_features=None, window: tuple | None = None):
        super().__init__()
        self._history = history
        self._history_features = history_features
        self._window = window

    def expand(self, docs):
        history_features = self._history_features
        if self._window:
            start, seconds = self._window
            docs = docs | "Windows" >> beam.WindowInto(FixedWindows(seconds))
            if history_features is not None:
                history_features = (
                    history_features
                    | "StampSignatures" >> beam.Map(lambda f: TimestampedValue(f, start))
                    | "SignatureWindows" >> beam.WindowInto(FixedWindows(seconds)))
        same_id = (docs
                   | "ById" >> beam.Map(lambda d: (d.id, d))
                   | "GroupById" >> beam.GroupByKey()
                   | "SameId" >> beam.ParDo(_SameIdFn(), pvalue.AsSingleton(self._history))
                   .with_outputs(DUPLICATES, main="main"))
        with_features = same_id.main | "Features" >> beam.Map(lambda d: (d, doc_features(d)))
        feats = with_features | "FeaturesOnly" >> beam.Values()
        keyed = feats
        if history_features is not None:
            keyed = (feats, history_features) | "WithHistory" >> beam.Flatten()
        pairs = (keyed
                 | "Keys" >> beam.FlatMap(lambda f: [(k, key_member(f)) for k in f.keys])
                 | "GroupByKey" >> beam.GroupByKey()
                 | "Pairs" >> beam.FlatMap(bucket_pairs)
                 | "DistinctPairs" >> beam.Distinct())
        if history_features is not None:
            # Earlier runs' rows are read whole only for the candidates compared with this run's.
            candidates = pairs | "CandidateIds" >> beam.FlatMap(lambda pair: [(i, True) for i in pair])
            compared = (history_features
                        | "HistoryFiles" >> beam.Map(lambda f: f.source)
                        | "DistinctFiles" >> beam.Distinct()
                        | "CandidateRows" >> beam.FlatMap(lambda path, ids: read_signatures(path, ids),
                                                          pvalue.AsDict(candidates)))
            feats = (feats, compared) | "WithCompared" >> beam.Flatten()
        by_id = feats | "FeaturesById" >> beam.Map(lambda f: (f.id, f))
        left = ({"pairs": pairs, "features": by_id} | "JoinFirst" >> beam.CoGroupByKey()
                | "FirstSide" >> beam.FlatMap(_first_side))
        edges = ({"left": left, "features": by_id} | "JoinSecond" >> beam.CoGroupByKey()
                 | "Verify" >> beam.FlatMap(_verify))
        decisions = (edges
                     | "OneKey" >> beam.Map(lambda e: (None, e))
                     | "AllEdges" >> beam.GroupByKey()
                     | "Clusters" >> beam.FlatMap(_decide))
        out = (with_features
               | "Assign" >> beam.ParDo(_AssignFn(), pvalue.AsDict(decisions))
               .with_outputs(DUPLICATES, SIGNATURES, main="main"))
        duplicates = (same_id[DUPLICATES], out[DUPLICATES]) | "AllCopies" >> beam.Flatten()
        return {"articles": out.main, DUPLICATES: duplicates, SIGNATURES: out[SIGNATURES]}
