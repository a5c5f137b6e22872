"""Near-duplicate quality and speed on generated wire-story sets (bench/near_dup_corpus.py).

    python -m bench.near_dups [--shared ../shared] [--json bench/results/near_dups.json]

Quality uses the pipeline's own functions (features, LSH keys, verification, clusters), run in
one process: pair precision over all pairs placed in one cluster; recall of (original, copy)
pairs by kind of copy; share of next-edition pairs merged. Speed: documents per second for
features, signatures and band keys (what each worker does per document), on one core.
"""
from __future__ import annotations

import argparse
import itertools
import json
import time
from collections import defaultdict
from pathlib import Path

from bench.near_dup_corpus import build, load_sources
from transforms.dedup import bucket_pairs, key_member
from transforms.dedup.clusters import decide
from transforms.dedup.minhash import features, lsh
from transforms.dedup.verify import is_copy
from transforms.utils.ids import content_hash

COPY_KINDS = ("light", "trimmed", "intro", "edited", "brief")


def cluster(items):
    feats = {it.id: features(it.id, it.text, content_hash(it.text)) for it in items}
    buckets = defaultdict(list)
    for f in feats.values():
        for key in f.keys:
            buckets[key].append(key_member(f))
    pairs = {p for item in buckets.items() for p in bucket_pairs(item)}
    edges = [(a, b) for a, b in sorted(pairs) if is_copy(feats[a], feats[b])]
    decisions = decide([(i, None, None, None) for i in feats], edges)
    return {i: decisions.get(i, (i, None))[0] for i in feats}, len(pairs)


def score(items, clusters):
    true_group = {it.id: it.group for it in items}
    by_cluster = defaultdict(list)
    for doc, c in clusters.items():
        by_cluster[c].append(doc)
    predicted = {tuple(sorted(p)) for members in by_cluster.values() for p in itertools.combinations(members, 2)}
    correct = sum(true_group[a] == true_group[b] for a, b in predicted)
    kinds = {it.id: it.kind for it in items}
    recall = {}
    for kind in COPY_KINDS:
        copies = [it for it in items if it.kind == kind]
        recall[kind] = sum(clusters[it.id] == clusters[it.group] for it in copies) / max(1, len(copies))
    copies = [it for it in items if it.kind in COPY_KINDS]
    non_brief = [it for it in copies if it.kind != "brief"]
    nexts = [it for it in items if it.kind == "next_edition"]
    base_of_next = {it.id: it.id.rsplit("-", 1)[0] for it in nexts}
    return {
        "documents": len(items),
        "predicted_pairs": len(predicted),
        "pair_precision": correct / max(1, len(predicted)),
        "recall_by_kind": recall,
        "recall_light": recall["light"],
        "recall_all_but_briefs": sum(clusters[i.id] == clusters[i.group] for i in non_brief) / max(1, len(non_brief)),
        "recall_overall": sum(clusters[i.id] == clusters[i.group] for i in copies) / max(1, len(copies)),
        "next_edition_merged": sum(clusters[n.id] == clusters[base_of_next[n.id]] for n in nexts) / max(1, len(nexts)),
        "next_edition_pairs": len(nexts),
        "shared_paragraph_pairs_merged": sum(clusters[f"bg{k}a"] == clusters[f"bg{k}b"]
                                             for k in {i.id[2:5] for i in items if i.kind == "shared_para"}),
        "false_pairs_by_kind": dict(sorted(
            {k: sum(1 for a, b in predicted if true_group[a] != true_group[b] and k in (kinds[a], kinds[b]))
             for k in set(kinds.values())}.items())),
    }


def speed(items, full: bool = False, rounds: int = 5) -> float:
    """Documents per CPU-second of this process (one core), best of `rounds`: the machine is shared,
    and CPU time is what other load disturbs least. Signatures and bucketing (shingles, MinHash,
    LSH keys into buckets), or with `full` everything the pipeline computes per document
    (the numbers and names verification compares too)."""
    texts = [(it.id, it.text, content_hash(it.text)) for it in items]
    best = 0.0
    for _ in range(rounds):
        start = time.process_time()
        buckets = defaultdict(list)
        for doc_id, text, h in texts:
            keys = features(doc_id, text, h).keys if full else lsh(text, h)[1]
            for key in keys:
                buckets[key].append(doc_id)
        best = max(best, len(texts) / (time.process_time() - start))
    return best


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared"))
    ap.add_argument("--json", default=None)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    sources = load_sources(Path(args.shared))
    if not sources:
        raise SystemExit(f"no source texts under {args.shared}/eval")
    items = build(sources, seed=args.seed)
    start = time.perf_counter()
    clusters, candidates = cluster(items)
    elapsed = time.perf_counter() - start
    result = score(items, clusters)
    result.update({"candidate_pairs": candidates, "cluster_seconds": round(elapsed, 2),
                   "signatures_and_bucketing_docs_per_s": round(speed(items)),
                   "all_dedup_features_docs_per_s": round(speed(items, full=True)), "sources": len(sources)})
    targets = [("pair precision", result["pair_precision"], 0.99), ("recall, light edits", result["recall_light"], 0.99),
               ("recall, all but briefs", result["recall_all_but_briefs"], 0.90),
               ("recall, overall", result["recall_overall"], 0.75)]
    print(f"{len(items)} documents from {len(sources)} source articles; {candidates} candidate pairs")
    print(f"{'measure':34} {'value':>8} {'target':>8}")
    for name, value, target in targets:
        print(f"{name:34} {value:8.4f} {'>= ' + str(target):>8}")
    print(f"{'next-edition pairs merged':34} {result['next_edition_merged']:8.4f} {'<= 0.05':>8}  "
          f"({result['next_edition_pairs']} pairs)")
    print(f"{'shared-paragraph pairs merged':34} {result['shared_paragraph_pairs_merged']:8d}")
    print(f"{'signatures + bucketing, docs/s/core':34} {result['signatures_and_bucketing_docs_per_s']:8d} {'>= 1000':>8}")
    print(f"{'with numbers and names, docs/s/core':34} {result['all_dedup_features_docs_per_s']:8d}")
    print("recall by kind: " + ", ".join(f"{k} {v:.3f}" for k, v in result["recall_by_kind"].items()))
    print("false pairs touching: " + ", ".join(f"{k} {v}" for k, v in result["false_pairs_by_kind"].items() if v))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(result, indent=1, default=str))


if __name__ == "__main__":
    main()
