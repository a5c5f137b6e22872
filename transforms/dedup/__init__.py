"""Deduplicate: one article kept per story, its copies linked to it.

In: Documents (text cleaned, content_hash set); what earlier runs wrote (ids, signatures).
Out: {'articles': kept Documents, 'duplicates': copies with duplicate_of set, 'signatures':
features of everything written, for later runs}. Every member of a cluster has the same
cluster_id (the kept article's id; a lone article is its own cluster).

1. Same id (the same canonical URL read twice): one document, the others are copies. A
   document whose id is already in the output was written by an earlier run: it is skipped
   (looked up by a join by id, history.WrittenIdsOf).
2. Features (minhash.py): shingle set, numbers, LSH band keys, and exact-text keys.
3. Candidates: documents sharing a key, from this run and from history. A band bucket holds at
   most BUCKET_CAP documents of this run and as many of earlier runs (the smallest ids; the
   rest are counted in dedup.bucket_overflow); an exact-text bucket is one cluster anyway.
4. Verification (verify.py) of each candidate pair, joining the pair with both features.
5. Clusters (components.py): connected components in rounds keyed by node, then the kept
   article per component.
6. Each document meets its decision in a join by id. Nothing grows with the input on one
   worker: no side input, no group larger than a cluster or a capped bucket.
"""
from __future__ import annotations

import dataclasses

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.transforms.window import FixedWindows, TimestampedValue

from schemas import Document
from transforms.dedup.clusters import kept_order
from transforms.dedup.components import Clusters
from transforms.dedup.history import (DEFAULT_HISTORY_DAYS, SIGNATURES, ReadSignatures, SkipWritten,  # noqa: F401
                                      Written, join_written, read_signatures)
from transforms.dedup.minhash import EXACT, Features, features
from transforms.dedup.verify import is_copy
from transforms.utils.stage import counter, distribution

DUPLICATES = "duplicates"
MAX_BUCKET = 50  # a bigger bucket is linked as a star around its first document, not all pairs
BUCKET_CAP = 1000  # documents of this run (and as many of earlier runs) a band bucket holds
OLD_PER_CLUSTER = 2  # members of an earlier cluster a new document is compared with, when its kept one is not in the bucket

# Made once: these are updated per bucket and per pair. Sizes of one are not recorded.
_EXACT_BUCKET_SIZE = distribution("dedup.exact_bucket_size")
_BAND_BUCKET_SIZE = distribution("dedup.band_bucket_size")
_PAIRS_PER_DOCUMENT = distribution("dedup.pairs_per_document")
_DOCUMENTS_PER_ID = distribution("dedup.documents_per_id")
_CANDIDATE_PAIRS = counter("dedup.candidate_pairs")
_VERIFIED_PAIRS = counter("dedup.verified_pairs")


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


EXACT_KEYS = "exact"


def bucket_entries(f: Features):
    """(key, member) for each of a document's keys; exact-text keys to their own output."""
    member = key_member(f)
    for key in f.keys:
        yield pvalue.TaggedOutput(EXACT_KEYS, (key, member)) if is_exact_key(key) else (key, member)


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


def _star(ids: list[str]):
    """The first id with each of the others: links them all in one step of clustering."""
    return ((ids[0], other) for other in ids[1:])


def _pairs(new: list[str], old: list[str]):
    if len(new) > MAX_BUCKET:
        counter("dedup.large_buckets").inc()
        yield from _star(new)
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
    exact-text bucket, which links them as a star around the first: k copies make k - 1 pairs,
    not k(k - 1)/2, and every other bucket compares only the first of them, since the star joins
    the rest to its cluster."""
    key, members = item
    members = set(members)
    if len(members) > 1:
        (_EXACT_BUCKET_SIZE if is_exact_key(key) else _BAND_BUCKET_SIZE).update(len(members))
    if is_exact_key(key):
        texts: dict[str, list] = {}
        for member in members:
            texts.setdefault(member[2], []).append(member)  # a 56-bit key can collide: whole hashes apart
        for group in texts.values():
            new = sorted(i for i, cluster, _ in group if cluster is None)
            yield from _star(new)
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
    _PAIRS_PER_DOCUMENT.update(len(grouped["pairs"]))
    for fa in grouped["features"][:1]:
        for b in grouped["pairs"]:
            yield b, fa


def _verify(item):
    """(b, {'left': [fa...], 'features': [fb]}) -> verified edges as pairs of cluster members."""
    _, grouped = item
    for fb in grouped["features"][:1]:
        for fa in grouped["left"]:
            _CANDIDATE_PAIRS.inc()
            if fa.history and fb.history:
                continue  # decided by earlier runs
            if is_copy(fa, fb):
                _VERIFIED_PAIRS.inc()
                yield cluster_member(fa), cluster_member(fb)


def _same_id(item):
    """(id, {'docs': [...], 'written': [flags]}) -> one document per id; an id already in the
    output was written by an earlier run (skipped) or by an earlier batch of this run (a copy)."""
    doc_id, grouped = item
    docs, written = list(grouped["docs"]), list(grouped["written"])
    if not docs:
        return
    if len(docs) > 1:
        _DOCUMENTS_PER_ID.update(len(docs))
    if any(written):
        # An earlier batch of this run wrote this id: the same URL read twice, as within a batch.
        for doc in docs:
            counter("dedup.same_url").inc()
            yield pvalue.TaggedOutput(DUPLICATES, doc.replace(cluster_id=doc_id, duplicate_of=doc_id))
        return
    if written:
        counter("dedup.skipped_existing").inc(len(docs))
        return
    docs.sort(key=lambda d: kept_order((d.id, d.published_at, d.fetched_at, None)))
    kept = docs[0]
    yield kept
    for doc in docs[1:]:
        counter("dedup.same_url").inc()
        yield pvalue.TaggedOutput(DUPLICATES, doc.replace(cluster_id=kept.id, duplicate_of=kept.id))


def _assign(item):
    """(id, {'doc': [(document, features)], 'decision': [(cluster, duplicate_of)]}) -> the
    document with its cluster (main or duplicates) and its features (signatures)."""
    doc_id, grouped = item
    for doc, feats in grouped["doc"]:
        cluster, duplicate_of = grouped["decision"][0] if grouped["decision"] else (doc_id, None)
        doc = doc.replace(cluster_id=cluster, duplicate_of=duplicate_of)  # inputs are not changed in place
        yield pvalue.TaggedOutput(SIGNATURES, dataclasses.replace(feats, cluster_id=cluster))
        if duplicate_of:
            counter("dedup.near_copies").inc()
            yield pvalue.TaggedOutput(DUPLICATES, doc)
        else:
            yield doc


class _BandBucket(beam.CombineFn):
    """The members of one band bucket: this run's and earlier runs' apart, each capped at
    BUCKET_CAP (the smallest ids kept, so every runner keeps the same ones), with the number
    left out. A bucket that boilerplate-like pages share stays one bounded element (an
    accumulator holds up to twice the cap of each before it is cut back)."""

    def create_accumulator(self):
        return [], [], 0

    def _trim(self, acc):
        new, old, dropped = acc
        if len(new) <= 2 * BUCKET_CAP and len(old) <= 2 * BUCKET_CAP:
            return acc
        new, old = sorted(new), sorted(old)
        left_out = max(0, len(new) - BUCKET_CAP) + max(0, len(old) - BUCKET_CAP)
        return new[:BUCKET_CAP], old[:BUCKET_CAP], dropped + left_out

    def add_input(self, acc, member):
        held = acc[0] if member[1] is None else acc[1]
        held.append(member)
        return self._trim(acc) if len(held) > 2 * BUCKET_CAP else acc

    def merge_accumulators(self, accumulators):
        new, old, dropped = [], [], 0
        for acc in accumulators:
            new += acc[0]
            old += acc[1]
            dropped += acc[2]
            if len(new) > 2 * BUCKET_CAP or len(old) > 2 * BUCKET_CAP:
                new, old, dropped = self._trim((new, old, dropped))
        return new, old, dropped

    def extract_output(self, acc):
        new, old, dropped = acc
        new, old = sorted(new), sorted(old)
        return new[:BUCKET_CAP] + old[:BUCKET_CAP], dropped + len(new[BUCKET_CAP:]) + len(old[BUCKET_CAP:])


def capped_bucket_pairs(item):
    """(key, (members, left out)) -> bucket_pairs of the members held."""
    key, (members, dropped) = item
    if dropped:
        counter("dedup.bucket_overflow").inc(dropped)
    return bucket_pairs((key, members))


def _wanted_rows(item):
    """(id, {'candidate': [...], 'row': [signature file]}) -> (file, id) for an earlier run's candidate."""
    doc_id, grouped = item
    if grouped["candidate"]:
        for source in set(grouped["row"]):
            yield source, doc_id


def _read_rows(path, ids):
    ids = set(ids)
    distribution("dedup.rows_per_signature_file").update(len(ids))
    return read_signatures(path, ids)


class FindCopies(beam.PTransform):
    """Features of this run (and, optionally, bucketing-only features of earlier runs) ->
    (id, (cluster_id, duplicate_of or None)) for this run's documents that have a copy.

    Buckets (one per LSH or exact-text key) give candidate pairs; earlier runs' rows are read
    whole only for their candidates; each pair meets both features by two joins by id and is
    verified; clusters come from the verified pairs (components.py)."""

    def __init__(self, history_features=None):
        super().__init__()
        self._history_features = history_features

    def expand(self, feats):
        history_features = self._history_features
        keyed = feats
        if history_features is not None:
            keyed = (feats, history_features) | "WithHistory" >> beam.Flatten()
        keys = keyed | "Keys" >> beam.FlatMap(bucket_entries).with_outputs(EXACT_KEYS, main="band")
        exact, band = keys[EXACT_KEYS], keys.band
        # An exact-text bucket is one cluster, however large; a band bucket is capped.
        exact_pairs = exact | "ExactBuckets" >> beam.GroupByKey() | "ExactPairs" >> beam.FlatMap(bucket_pairs)
        band_pairs = (band | "BandBuckets" >> beam.CombinePerKey(_BandBucket())
                      | "BandPairs" >> beam.FlatMap(capped_bucket_pairs))
        pairs = (exact_pairs, band_pairs) | "AllPairs" >> beam.Flatten() | "DistinctPairs" >> beam.Distinct()
        if history_features is not None:
            # Earlier runs' rows are read whole only for the candidates compared with this run's,
            # each signature file by one worker, for the ids wanted from it.
            candidates = pairs | "CandidateIds" >> beam.FlatMap(lambda pair: pair) | "DistinctIds" >> beam.Distinct()
            rows = history_features | "HistoryRows" >> beam.Map(lambda f: (f.id, f.source))
            compared = ({"candidate": candidates | "AsKeys" >> beam.Map(lambda i: (i, True)), "row": rows}
                        | "JoinCandidates" >> beam.CoGroupByKey()
                        | "WantedRows" >> beam.FlatMap(_wanted_rows)
                        | "ByFile" >> beam.GroupByKey()
                        | "CandidateRows" >> beam.FlatMapTuple(_read_rows))
            feats = (feats, compared) | "WithCompared" >> beam.Flatten()
        by_id = feats | "FeaturesById" >> beam.Map(lambda f: (f.id, f))
        left = ({"pairs": pairs, "features": by_id} | "JoinFirst" >> beam.CoGroupByKey()
                | "FirstSide" >> beam.FlatMap(_first_side))
        edges = ({"left": left, "features": by_id} | "JoinSecond" >> beam.CoGroupByKey()
                 | "Verify" >> beam.FlatMap(_verify))
        return edges | "Clusters" >> Clusters()


class Deduplicate(beam.PTransform):
    """Documents -> {'articles', 'duplicates', 'signatures'}; see the module docstring.

    `written`: where earlier runs' ids are looked up (history.Written); `history_features`:
    earlier runs' signatures (bucketing only), or None. `window`: (start, seconds) when a local
    continuous run covers one output window: documents are deduplicated within fixed windows,
    and earlier signatures are stamped into this one."""

    def __init__(self, written: Written, history_features=None, window: tuple | None = None):
        super().__init__()
        self._written = written
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
        same_id = (join_written(docs, self._written)
                   | "SameId" >> beam.FlatMap(_same_id).with_outputs(DUPLICATES, main="main"))
        with_features = same_id.main | "Features" >> beam.Map(lambda d: (d, doc_features(d)))
        decisions = (with_features | "FeaturesOnly" >> beam.Values()
                     | "FindCopies" >> FindCopies(history_features))
        out = ({"doc": with_features | "DocsById" >> beam.Map(lambda pair: (pair[0].id, pair)), "decision": decisions}
               | "JoinDecisions" >> beam.CoGroupByKey()
               | "Assign" >> beam.FlatMap(_assign).with_outputs(DUPLICATES, SIGNATURES, main="main"))
        duplicates = (same_id[DUPLICATES], out[DUPLICATES]) | "AllCopies" >> beam.Flatten()
        return {"articles": out.main, DUPLICATES: duplicates, SIGNATURES: out[SIGNATURES]}
