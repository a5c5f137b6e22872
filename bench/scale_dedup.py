"""Near-duplicate detection at scale, simulated: does any step's largest group grow with N?

    python -m bench.scale_dedup [--sizes 10000,100000,1000000] [--seed 7] [--bands 6] [--json FILE] [--append]
                                [--in-process] [--no-probes] [--reference-max 100000]
                                [--limit-minutes 40] [--limit-gb 16]

transforms/dedup.FindCopies is built so that no step holds more than one cluster or one capped
bucket (BUCKET_CAP members) on one worker. This bench runs it on synthetic inputs of N documents
and reports, per step, the largest group (or element) it held and how many elements it made, so
the claim can be read off: the largest group stays at most the largest cluster or the bucket cap
while the element counts grow with N.

What is synthetic: the FEATURES, not texts (the cost of text features is measured by
bench.near_dups and bench.throughput). Each document is a minhash.Features with a 32-hex id,
publication and fetch times, a shingle set of random uint32 values (40-80; short texts 10-25),
a few numbers and names, and its keys: the exact-text key of its content hash and SIM_BANDS
(6, or --bands) whole-text band keys instead of the pipeline's 48 (32 whole-text and 16 lead
bands), so that 10^6 documents fit a local run. Band keys are in minhash.band_keys's format (kind BAND, band
number, 32-bit value). The inputs, seeded and the same for every run of one N and seed:
- planted clusters: about COPY_SHARE of the documents are copies, in clusters whose sizes are
  drawn from a truncated Zipf law (most of 2 or 3 members, a few of 50 to MAX_CLUSTER); a copy
  is exact (same content hash, shingles and keys) with probability EXACT_COPY_SHARE, else near:
  80-95% of the original's shingles and up to 10% new ones, the same numbers and names, each
  band value kept with probability BAND_KEEP (at least one kept). Copies are published after
  their original, which is therefore the one kept;
- a paywall stub: N/100 documents of one near-empty text (one content hash, 8 shingles, no band
  key): one exact-text bucket and one cluster;
- boilerplate: N/50 unrelated documents sharing two band values (bands 0 and 1) and 15
  shingles, too few for verify.is_copy to call any two of them copies;
- a chain of CHAIN_LENGTH near copies, each sharing 40 of its 60 shingles and three bands with
  the previous one and 20 shingles and no band with the one before that, so only rounds of
  clustering join it;
- the rest: unrelated documents (2% of N short, with the exact-text key only).

Each N runs in a child process of its own (unless --in-process), on FnApiRunner in its default
in-memory mode; the parent stops a child that runs longer than --limit-minutes or whose RSS
passes --limit-gb, and reports how far it got. Recorded per N: wall time of the run (generating
the features, FindCopies, writing the decisions to a scratch file); the pipeline's counters and
distributions (their largest value and count); per step, the execution time the SDK harness
attributes to its transforms (beam:metric:ptransform_execution_time, sampled; it leaves out the
runner's own shuffling, so the steps add up to less than the wall time); the number of elements
each step output (element_count per PCollection); and peak RSS (getrusage ru_maxrss before and
after the run). FnApiRunner keeps each stage's whole output in memory between stages, so the
process's memory is the local runner's, growing with N by design, not the graph's: what the
graph bounds is the largest group one worker holds, which the probes measure.

Probes (off with --no-probes): a ParDo added on the outputs of the steps that group (the exact
and band buckets, both joins by id, each round's groupings of connected components, the joins by
component) reports each group's number of values and, for the largest one of each bundle, its
pickled size in bytes, in Beam distributions of the namespace PROBES. They add time to the run,
not to the steps' own times. The size of a band bucket's accumulator, which combiner lifting
shuffles before the cap is applied again, is computed directly (accumulator_bytes): it holds up to
twice BUCKET_CAP members before _BandBucket trims it.

Checks of the decisions: every planted cluster, the stub and the chain should end as one cluster
each, kept by their original; no boilerplate or unrelated document should be called a copy. For
N <= --reference-max the decisions are also compared with the one-process reference
(clusters.decide over the pairs verify.is_copy accepts among bucket_pairs of every bucket, band
buckets held to their BUCKET_CAP smallest ids, as _BandBucket does).

Printed: per N, a Markdown table of the steps (elements out, largest group, its bytes, time), a
summary table over N, and whether the claim held. --json FILE writes everything; with --append,
results for sizes not run this time are kept from FILE.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import math
import os
import pickle
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import apache_beam as beam  # noqa: E402
from apache_beam.metrics import Metrics  # noqa: E402
from apache_beam.metrics import monitoring_infos as mi  # noqa: E402
from apache_beam.pipeline import PipelineVisitor  # noqa: E402
from apache_beam.runners.portability.fn_api_runner import FnApiRunner  # noqa: E402

from transforms.dedup import (BUCKET_CAP, MAX_BUCKET, FindCopies, _BandBucket, bucket_pairs,  # noqa: E402
                              is_exact_key, key_member)
from transforms.dedup.clusters import decide  # noqa: E402
from transforms.dedup.components import ROUNDS  # noqa: E402
from transforms.dedup.minhash import BAND, Features, distinct, exact_key  # noqa: E402
from transforms.dedup.verify import is_copy  # noqa: E402
from transforms.utils.stage import NAMESPACE  # noqa: E402

SIM_BANDS = 6  # band keys per document (the pipeline makes 48)
COPY_SHARE = 0.30
EXACT_COPY_SHARE = 0.2
BAND_KEEP = 0.8
ZIPF_A = 2.2
MAX_CLUSTER = 500
STUB_SHARE = 1 / 100
BOILER_SHARE = 1 / 50
BOILER_SHINGLES = 15
SHORT_SHARE = 0.02
CHAIN_LENGTH = 200
CHAIN_WINDOW, CHAIN_STEP = 60, 20
CHUNK = 2000  # documents (or clusters, /10) generated by one element of the plan
T0 = datetime(2025, 3, 1, tzinfo=timezone.utc)
PROBES = "scale_dedup"
DEFAULT_SIZES = "10000,100000,1000000"


# ---------------------------------------------------------------- synthetic features

def set_bands(bands: int) -> None:
    """Band keys per document in this process (the generators read SIM_BANDS when they run)."""
    global SIM_BANDS
    if bands < 2:
        raise ValueError("the boilerplate and the chain need two bands at least")
    SIM_BANDS = bands


def _rng(seed: int, *path: int) -> np.random.Generator:
    return np.random.default_rng([seed, *path])


def _hex(length: int, *path) -> str:
    digest = hashlib.sha256 if length > 32 else hashlib.md5
    return digest("/".join(map(str, path)).encode()).hexdigest()[:length]


def _doc_id(seed: int, *path) -> str:
    return _hex(32, seed, "id", *path)


def _content_hash(seed: int, *path) -> str:
    return _hex(64, seed, "text", *path)


def _random_shingles(rng, size: int) -> np.ndarray:
    return distinct(rng.integers(0, 1 << 32, size, dtype=np.uint64).astype(np.uint32))


def _band_values(rng) -> np.ndarray:
    return rng.integers(0, 1 << 32, SIM_BANDS, dtype=np.uint64)


def _keys(content_hash: str, values) -> list[int]:
    """The exact-text key and one key per band value, as minhash.band_keys makes them."""
    return [exact_key(content_hash)] + [(BAND << 40) | (band << 32) | int(v) for band, v in enumerate(values)]


def _numbers(rng) -> list[str]:
    return sorted({str(int(x)) for x in rng.integers(1, 100_000, int(rng.integers(1, 6)))})


def _names(rng) -> list[str]:
    return sorted({f"Name{int(x)}" for x in rng.integers(0, 5000, int(rng.integers(2, 6)))})


def _after(rng, when: datetime, most_minutes: int) -> datetime:
    return when + timedelta(minutes=int(rng.integers(1, most_minutes)))


def _story(rng, doc_id: str, content_hash: str, size=(40, 81)) -> Features:
    shingles = _random_shingles(rng, int(rng.integers(*size)))
    published = _after(rng, T0, 7 * 24 * 60)
    return Features(doc_id, shingles, _numbers(rng), content_hash, _names(rng), published,
                    _after(rng, published, 60), keys=_keys(content_hash, _band_values(rng)))


def _near_copy(rng, original: Features, doc_id: str, content_hash: str) -> Features:
    """80-95% of the original's shingles and up to 10% new ones; most band values kept."""
    size = original.shingles.size
    kept = rng.choice(size, math.ceil(size * rng.uniform(0.8, 0.95)), replace=False)
    extra = _random_shingles(rng, int(size * rng.uniform(0, 0.1)))
    shingles = distinct(np.concatenate([original.shingles[kept], extra]))
    values = np.array([k & 0xFFFFFFFF for k in original.keys[1:]], dtype=np.uint64)
    keep = rng.random(SIM_BANDS) < BAND_KEEP
    if not keep.any():
        keep[rng.integers(SIM_BANDS)] = True
    values = np.where(keep, values, _band_values(rng))
    return Features(doc_id, shingles, list(original.numbers), content_hash, list(original.names),
                    keys=_keys(content_hash, values))


def cluster_sizes(n: int, seed: int) -> list[int]:
    """Members (original and copies) of each planted cluster, until COPY_SHARE of n are copies."""
    rng = _rng(seed, 0)
    sizes, copies = [], 0
    while copies < COPY_SHARE * n:
        size = int(rng.zipf(ZIPF_A)) + 1
        if size <= MAX_CLUSTER:
            sizes.append(size)
            copies += size - 1
    return sizes


def _cluster(seed: int, index: int, size: int):
    rng = _rng(seed, 1, index)
    original = _story(rng, _doc_id(seed, "c", index, 0), _content_hash(seed, "c", index, 0))
    yield f"p{index}", "original", original
    for j in range(1, size):
        doc_id = _doc_id(seed, "c", index, j)
        if rng.random() < EXACT_COPY_SHARE:
            copy = Features(doc_id, original.shingles, original.numbers, original.content_hash, original.names,
                            keys=original.keys)
        else:
            copy = _near_copy(rng, original, doc_id, _content_hash(seed, "c", index, j))
        copy.published_at = _after(rng, original.published_at, 12 * 60) if rng.random() < 0.9 else None
        copy.fetched_at = _after(rng, copy.published_at or original.published_at, 60)
        yield f"p{index}", "copy", copy


def _stub(seed: int, start: int, count: int):
    content_hash = _content_hash(seed, "stub")
    shingles = _random_shingles(_rng(seed, 5), 8)
    for i in range(start, start + count):
        rng = _rng(seed, 6, i)
        published = _after(rng, T0, 7 * 24 * 60)
        yield "stub", "stub", Features(_doc_id(seed, "stub", i), shingles, [], content_hash, [], published,
                                       _after(rng, published, 60), keys=[exact_key(content_hash)])


def _boilerplate(seed: int, start: int, count: int):
    shared = _rng(seed, 2)
    common_values, common_shingles = _band_values(shared)[:2], _random_shingles(shared, BOILER_SHINGLES)
    for i in range(start, start + count):
        rng = _rng(seed, 3, i)
        f = _story(rng, _doc_id(seed, "boiler", i), _content_hash(seed, "boiler", i))
        f.shingles = distinct(np.concatenate([f.shingles, common_shingles]))
        values = _band_values(rng)
        values[:2] = common_values
        f.keys = _keys(f.content_hash, values)
        yield f"b{i}", "boilerplate", f


def _chain_bands(i: int) -> list[int]:
    """The bands document i shares with document i - 1 (alternating halves)."""
    half = SIM_BANDS // 2
    return list(range(half)) if i % 2 else list(range(half, 2 * half))


def _chain(seed: int):
    rng = _rng(seed, 4)
    total = CHAIN_WINDOW + CHAIN_STEP * (CHAIN_LENGTH - 1)
    sequence = np.array(list(dict.fromkeys(rng.integers(0, 1 << 32, 2 * total, dtype=np.uint64).tolist()))[:total],
                        dtype=np.uint32)
    links = [_band_values(rng)[: SIM_BANDS // 2] for _ in range(CHAIN_LENGTH + 1)]
    numbers, names = _numbers(rng), _names(rng)
    for i in range(CHAIN_LENGTH):
        values = _band_values(rng)
        if i > 0:
            values[_chain_bands(i)] = links[i]
        if i < CHAIN_LENGTH - 1:
            values[_chain_bands(i + 1)] = links[i + 1]
        content_hash = _content_hash(seed, "chain", i)
        published = T0 + timedelta(hours=i)
        shingles = distinct(sequence[i * CHAIN_STEP: i * CHAIN_STEP + CHAIN_WINDOW])
        yield "chain", "chain", Features(_doc_id(seed, "chain", i), shingles, numbers, content_hash, names,
                                         published, _after(rng, published, 60), keys=_keys(content_hash, values))


def _singles(seed: int, start: int, count: int, short: bool):
    for i in range(start, start + count):
        rng = _rng(seed, 7 if short else 8, i)
        kind = "short" if short else "single"
        f = _story(rng, _doc_id(seed, kind, i), _content_hash(seed, kind, i), (10, 26) if short else (40, 81))
        if short:
            f.keys = f.keys[:1]
        if rng.random() < 0.05:
            f.published_at = None
        yield f"{'t' if short else 's'}{i}", kind, f


def plan(n: int, seed: int) -> list[tuple]:
    """The elements the features are generated from: (kind, ...) chunks, n documents in all."""
    sizes = cluster_sizes(n, seed)
    stub, boiler, short = int(n * STUB_SHARE), int(n * BOILER_SHARE), int(n * SHORT_SHARE)
    singles = n - sum(sizes) - stub - boiler - short - CHAIN_LENGTH
    if singles < 0:
        raise ValueError(f"N={n} is too small for the planted structure")
    specs: list[tuple] = [("chain",)]
    per = CHUNK // 10
    specs += [("clusters", start, tuple(sizes[start:start + per])) for start in range(0, len(sizes), per)]
    for kind, count in (("stub", stub), ("boiler", boiler), ("short", short), ("single", singles)):
        specs += [(kind, start, min(CHUNK, count - start)) for start in range(0, count, CHUNK)]
    return specs


def generate(spec: tuple, seed: int):
    """One element of the plan -> (planted group, role, Features) for each of its documents."""
    kind = spec[0]
    if kind == "chain":
        yield from _chain(seed)
    elif kind == "clusters":
        for offset, size in enumerate(spec[2]):
            yield from _cluster(seed, spec[1] + offset, size)
    elif kind == "stub":
        yield from _stub(seed, spec[1], spec[2])
    elif kind == "boiler":
        yield from _boilerplate(seed, spec[1], spec[2])
    else:
        yield from _singles(seed, spec[1], spec[2], short=kind == "short")


def generate_features(spec: tuple, seed: int):
    for _, _, f in generate(spec, seed):
        yield f


# ---------------------------------------------------------------- probes

def _plain(value):
    """A grouped value with its lazy iterables made lists (CoGroupByKey gives a dict of them)."""
    if isinstance(value, dict):
        return {tag: list(values) for tag, values in value.items()}
    if isinstance(value, tuple):
        return value
    return list(value)


def _count(value) -> int:
    """Values of a group; of a CoGroupByKey's, its largest side (beside it, one document's features)."""
    if isinstance(value, dict):
        return max(len(values) for values in value.values())
    if isinstance(value, tuple):  # a band bucket: (members held, left out)
        return len(value[0])
    return len(value)


class Probe(beam.DoFn):
    """Each group's number of values; the pickled size of the largest group of each bundle."""

    def __init__(self, name: str):
        self._name = name

    def setup(self):
        self._values = Metrics.distribution(PROBES, f"{self._name}.values")
        self._bytes = Metrics.distribution(PROBES, f"{self._name}.bytes")

    def start_bundle(self):
        self._largest = -1

    def process(self, element):
        key, value = element
        value = _plain(value)
        count = _count(value)
        self._values.update(count)
        if count > self._largest:
            self._largest = count
            self._bytes.update(len(pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)))


def probed_steps() -> dict[str, tuple[str, str]]:
    """Probe name -> (full label of the step whose output it reads, what one group holds)."""
    steps = {
        "ExactBuckets": ("FindCopies/ExactBuckets", "members of one exact-text bucket"),
        "BandBuckets": ("FindCopies/BandBuckets", "members held by one band bucket"),
        "JoinFirst": ("FindCopies/JoinFirst", "pairs of one document (the smaller id), with its features"),
        "JoinSecond": ("FindCopies/JoinSecond", "first sides of one document (the larger id), with its features"),
    }
    for n in range(1, ROUNDS + 1):
        for half in ("Large", "Small"):
            steps[f"Components/{half}{n}"] = (f"FindCopies/Clusters/Components/{half}{n}/ByNode",
                                              "neighbours of one node")
    steps["JoinLabels"] = ("FindCopies/Clusters/JoinLabels", "labels (or member) of one id")
    steps["JoinKept"] = ("FindCopies/Clusters/JoinKept", "members of one component, with its kept one")
    return steps


class _Applied(PipelineVisitor):
    def __init__(self, labels):
        self.labels, self.found = set(labels), {}

    def enter_composite_transform(self, node):
        self.visit_transform(node)

    def visit_transform(self, node):
        if node.full_label in self.labels:
            self.found[node.full_label] = node


def add_probes(p) -> None:
    steps = probed_steps()
    visitor = _Applied(label for label, _ in steps.values())
    p.visit(visitor)
    for name, (label, _) in steps.items():
        if label not in visitor.found:
            raise KeyError(f"no step {label} to probe: FindCopies changed; update probed_steps")
        (pcoll,) = visitor.found[label].outputs.values()
        _ = pcoll | f"Probe{name.replace('/', '')}" >> beam.ParDo(Probe(name))


def accumulator_bytes() -> dict:
    """Pickled sizes of a band bucket's accumulator at its largest (2 x BUCKET_CAP members
    before a trim) and of the bucket held after extract_output (BUCKET_CAP members)."""
    combine = _BandBucket()
    acc = combine.create_accumulator()
    for i in range(2 * BUCKET_CAP):
        acc = combine.add_input(acc, (_doc_id(0, "acc", i), None, _content_hash(0, "acc", i)))
    held = combine.extract_output(acc)
    size = len(pickle.dumps(acc, protocol=pickle.HIGHEST_PROTOCOL))
    return {"accumulator_members": len(acc[0]), "accumulator_bytes": size,
            "held_members": len(held[0]), "held_bytes": len(pickle.dumps(held, protocol=pickle.HIGHEST_PROTOCOL))}


# ---------------------------------------------------------------- one run

def _progress_log(path: str | None) -> None:
    """Writes when FnApiRunner starts each bundle (its stage's name), to see how far a run got."""
    if not path:
        return
    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message).300s"))
    handler.addFilter(lambda record: record.getMessage().startswith("Running bundle"))
    bundle_logger = logging.getLogger("apache_beam.runners.portability.fn_api_runner.fn_runner.run_bundle")
    bundle_logger.setLevel(logging.DEBUG)
    bundle_logger.propagate = False
    bundle_logger.addHandler(handler)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _metrics(result) -> tuple[dict, dict, dict]:
    """Counters and distributions of the pipeline (summed over steps) and the probes."""
    query = result.metrics().query()
    counters: dict = Counter()
    for c in query["counters"]:
        if c.key.metric.namespace == NAMESPACE:
            counters[c.key.metric.name] += c.committed
    dists: dict = {}
    for d in query["distributions"]:
        namespace, name = d.key.metric.namespace, d.key.metric.name
        if namespace not in (NAMESPACE, PROBES) or d.committed is None or not d.committed.count:
            continue
        entry = dists.setdefault((namespace, name), {"max": 0, "count": 0, "sum": 0, "by_step": {}})
        entry["max"] = max(entry["max"], d.committed.max)
        entry["count"] += d.committed.count
        entry["sum"] += d.committed.sum
        entry["by_step"][d.key.step] = {"max": d.committed.max, "count": d.committed.count}
    pipeline = {name: v for (ns, name), v in dists.items() if ns == NAMESPACE}
    probes = {name: v for (ns, name), v in dists.items() if ns == PROBES}
    return dict(counters), pipeline, probes


def _step_of(label: str) -> str | None:
    """FindCopies/Clusters/Components/Large3/ByNode/Read -> 'Clusters/Components'; others by their first part."""
    parts = label.split("/")
    if parts[0] != "FindCopies" or len(parts) < 2:
        return None
    if parts[1] == "Clusters" and len(parts) > 2:
        return "Clusters/" + parts[2]
    return parts[1]


def _step_outputs(p) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Step of FindCopies -> the ids of its output PCollections; PCollection id -> leaf producer."""
    proto = p.to_runner_api()
    outputs, producers = {}, {}
    for transform in proto.components.transforms.values():
        step = _step_of(transform.unique_name)
        if step and transform.unique_name in (f"FindCopies/{step}", f"FindCopies/Clusters/{step[9:]}"):
            outputs[step] = list(transform.outputs.values())
        if not transform.subtransforms:
            for pcoll in transform.outputs.values():
                producers[pcoll] = transform.unique_name
    return outputs, producers


def _monitoring(p, result) -> tuple[dict, dict, dict]:
    """Per step of FindCopies: SDK execution time (ms) and elements output; per round, times."""
    msecs, rounds, counts = Counter(), Counter(), Counter()
    for info in result.monitoring_infos():
        if info.urn == mi.TOTAL_MSECS_URN:
            label = info.labels.get("PTRANSFORM", "")
            step = _step_of(label)
            if step:
                msecs[step] += mi.extract_counter_value(info)
                if step == "Clusters/Components" and len(label.split("/")) > 3:
                    rounds[label.split("/")[3]] += mi.extract_counter_value(info)
        elif info.urn == mi.ELEMENT_COUNT_URN:
            counts[info.labels.get("PCOLLECTION", "")] += mi.extract_counter_value(info)
    outputs, producers = _step_outputs(p)
    elements = {step: sum(counts[pcoll] for pcoll in pcolls) for step, pcolls in outputs.items()}
    by_transform = {producers[pcoll]: n for pcoll, n in counts.items() if pcoll in producers}
    return dict(msecs), dict(rounds), {"by_step": elements, "by_transform": by_transform}


def _read_decisions(prefix: str) -> dict:
    out = {}
    with open(prefix) as fh:
        for line in fh:
            doc_id, (cluster, duplicate_of) = json.loads(line)
            out[doc_id] = (cluster, duplicate_of)
    return out


def run_pipeline(n: int, seed: int, probes: bool, work: str) -> dict:
    specs = plan(n, seed)
    decisions_path = os.path.join(work, "decisions.jsonl")
    p = beam.Pipeline(runner=FnApiRunner())
    feats = p | "Plan" >> beam.Create(specs) | "Generate" >> beam.FlatMap(generate_features, seed=seed)
    _ = (feats | "FindCopies" >> FindCopies()
         | "Format" >> beam.Map(json.dumps)
         | "Write" >> beam.io.WriteToText(decisions_path, shard_name_template=""))
    if probes:
        add_probes(p)
    rss_before = _rss_mb()
    start = time.perf_counter()
    result = p.run()
    result.wait_until_finish()
    wall = time.perf_counter() - start
    rss_after = _rss_mb()
    counters, dists, probe_dists = _metrics(result)
    msecs, rounds, elements = _monitoring(p, result)
    return {"n": n, "wall_s": round(wall, 1), "rss_before_mb": round(rss_before), "peak_rss_mb": round(rss_after),
            "counters": counters, "distributions": dists, "probes": probe_dists, "step_msecs": msecs,
            "component_round_msecs": rounds, "elements": elements,
            "decisions": _read_decisions(decisions_path)}


# ---------------------------------------------------------------- checks

def planted(n: int, seed: int):
    """(group, role, Features) of every document, as the pipeline got them."""
    for spec in plan(n, seed):
        yield from generate(spec, seed)


def reference(docs: list[Features]) -> dict:
    """clusters.decide over the verified pairs of every bucket, band buckets held to their
    BUCKET_CAP smallest ids, in one process."""
    buckets: dict[int, list] = defaultdict(list)
    for f in docs:
        for key in f.keys:
            buckets[key].append(key_member(f))
    pairs = set()
    for key, members in buckets.items():
        held = members if is_exact_key(key) else sorted(members)[:BUCKET_CAP]
        pairs.update(bucket_pairs((key, held)))
    by_id = {f.id: f for f in docs}
    edges = [(a, b) for a, b in pairs if is_copy(by_id[a], by_id[b])]
    members = [(f.id, f.published_at, f.fetched_at, None) for f in docs]
    return decide(members, edges)


def check(n: int, seed: int, decisions: dict, reference_max: int) -> dict:
    """Planted clusters found whole and kept by their original; documents merged wrongly."""
    groups: dict[str, list] = defaultdict(list)
    docs = [] if n <= reference_max else None
    for group, role, f in planted(n, seed):
        groups[group].append((f.id, role))
        if docs is not None:
            docs.append(f)
    label = {doc_id: decisions.get(doc_id, (doc_id, None))[0] for ids in groups.values() for doc_id, _ in ids}
    out = {"copies": 0, "copies_found": 0, "clusters_planted": 0, "clusters_whole": 0, "kept_original": 0}
    for group, ids in groups.items():
        if not group.startswith("p"):  # planted clusters
            continue
        original = ids[0][0]
        out["clusters_planted"] += 1
        found = sum(label[i] == label[original] for i, _ in ids[1:])
        out["copies"] += len(ids) - 1
        out["copies_found"] += found
        out["clusters_whole"] += found == len(ids) - 1
        out["kept_original"] += decisions.get(original) == (original, None)
    for group in ("stub", "chain"):
        labels = Counter(label[i] for i, _ in groups[group])
        out[f"{group}_members"], out[f"{group}_in_largest_cluster"] = len(groups[group]), labels.most_common(1)[0][1]
    spans: dict[str, set] = defaultdict(set)
    for group, ids in groups.items():
        for doc_id, _ in ids:
            spans[label[doc_id]].add(group)
    out["decision_clusters_spanning_groups"] = sum(len(g) > 1 for g in spans.values())
    roles = Counter(role for ids in groups.values() for doc_id, role in ids if doc_id in decisions)
    out["boilerplate_called_copies"] = roles["boilerplate"]
    out["unrelated_called_copies"] = roles["single"] + roles["short"]
    out["copy_recall"] = round(out["copies_found"] / max(out["copies"], 1), 5)
    if docs is not None:
        expected = reference(docs)
        differ = {i for i in set(expected) | set(decisions) if expected.get(i) != decisions.get(i)}
        out["reference_decisions"] = len(expected)
        out["reference_differences"] = len(differ)
        out["reference_difference_examples"] = sorted(differ)[:5]
    return out


def measure(n: int, seed: int, probes: bool, reference_max: int, progress: str | None = None,
            bands: int = SIM_BANDS) -> dict:
    set_bands(bands)
    _progress_log(progress)
    with tempfile.TemporaryDirectory(prefix="scale-dedup-") as work:
        out = run_pipeline(n, seed, probes, work)
    decisions = out.pop("decisions")
    out["decisions"], out["bands"] = len(decisions), SIM_BANDS
    start = time.perf_counter()
    out["check"] = check(n, seed, decisions, reference_max)
    out["check_s"] = round(time.perf_counter() - start, 1)
    out["rss_after_check_mb"] = round(_rss_mb())
    return out


# ---------------------------------------------------------------- child processes

def _child_rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _last_line(path: str) -> str:
    try:
        with open(path) as fh:
            lines = fh.read().splitlines()
        return lines[-1] if lines else ""
    except OSError:
        return ""


def run_child(n: int, args) -> dict:
    """One N in a process of its own, stopped at --limit-minutes or --limit-gb."""
    with tempfile.TemporaryDirectory(prefix="scale-dedup-child-") as work:
        out_path, progress = os.path.join(work, "out.json"), os.path.join(work, "progress.log")
        command = [sys.executable, "-m", "bench.scale_dedup", "--one", str(n), "--child-out", out_path,
                   "--seed", str(args.seed), "--bands", str(args.bands), "--reference-max", str(args.reference_max),
                   "--progress", progress]
        if args.no_probes:
            command.append("--no-probes")
        child = subprocess.Popen(command, cwd=REPO)
        start, peak, stopped = time.monotonic(), 0.0, None
        while child.poll() is None:
            time.sleep(2)
            peak = max(peak, _child_rss_mb(child.pid))
            elapsed = time.monotonic() - start
            if elapsed > args.limit_minutes * 60:
                stopped = f"over {args.limit_minutes} minutes"
            elif peak > args.limit_gb * 1024:
                stopped = f"over {args.limit_gb} GB RSS"
            if stopped:
                child.kill()
                child.wait()
                break
        elapsed = round(time.monotonic() - start, 1)
        if stopped or child.returncode != 0:
            return {"n": n, "stopped": stopped or f"exit status {child.returncode}", "elapsed_s": elapsed,
                    "peak_rss_mb_seen": round(peak), "last_bundle_started": _last_line(progress)}
        with open(out_path) as fh:
            out = json.load(fh)
        out["peak_rss_mb_seen_by_parent"] = round(peak)
        return out


# ---------------------------------------------------------------- report

def _largest(result: dict, name: str) -> int | None:
    entry = result["distributions"].get(name)
    return entry["max"] if entry else None


def step_rows(result: dict) -> list[tuple]:
    """(step, elements out, largest group, what it counts, largest group's bytes, time s)."""
    probes, msecs = result["probes"], result["step_msecs"]
    elements = result["elements"]["by_step"]
    described = {name: what for name, (_, what) in probed_steps().items()}

    def probe(name):
        entry = probes.get(f"{name}.values")
        size = probes.get(f"{name}.bytes")
        return (entry["max"] if entry else None), (size["max"] if size else None)

    rounds = [probe(f"Components/{h}{n}") for n in range(1, ROUNDS + 1) for h in ("Large", "Small")]
    round_max = max((r[0] or 0 for r in rounds), default=None)
    round_bytes = max((r[1] or 0 for r in rounds), default=None)
    bands = result["bands"]
    rows = [("Keys", elements.get("Keys"), 1 + bands, "keys of one document", None, msecs.get("Keys"))]
    for step in ("ExactBuckets", "BandBuckets", "JoinFirst", "JoinSecond"):
        largest, size = probe(step)
        rows.append((step, elements.get(step), largest, described[step], size, msecs.get(step)))
        if step == "BandBuckets":
            rows.append(("DistinctPairs", elements.get("DistinctPairs"), 1 + bands,
                         "copies of one pair (at most its keys)", None, msecs.get("DistinctPairs")))
    rows.append(("Verify", elements.get("Verify"), None, "(per element)", None, msecs.get("Verify")))
    rows.append(("Clusters/Components", elements.get("Clusters/Components"), round_max,
                 f"neighbours of one node, any of {ROUNDS} rounds", round_bytes, msecs.get("Clusters/Components")))
    for step in ("JoinLabels", "JoinKept"):
        largest, size = probe(step)
        rows.append((f"Clusters/{step}", elements.get(f"Clusters/{step}"), largest, described[step], size,
                     msecs.get(f"Clusters/{step}")))
    other = sum(v for k, v in msecs.items() if k not in {r[0] for r in rows})
    rows.append(("other steps", None, None, "pairs, FeaturesById, sides, Members, Kept, Decisions...",
                 None, other))
    return rows


def _cell(value) -> str:
    if value is None:
        return "-"
    return f"{value:,}" if isinstance(value, int) else str(value)


def step_table(result: dict) -> str:
    lines = [f"### N = {result['n']:,} ({result['bands']} band keys per document, not 48)", "",
             "| step | elements out | largest group | what it counts | its bytes (pickled) | SDK time s |",
             "|---|---:|---:|---|---:|---:|"]
    for step, elements, largest, what, size, ms in step_rows(result):
        seconds = "-" if ms is None else f"{ms / 1000:.1f}"
        lines.append(f"| {step} | {_cell(elements)} | {_cell(largest)} | {what} | {_cell(size)} | {seconds} |")
    lines += ["", "Nodes grouped in each round of connected components (Large1..): " + rounds_line(result)]
    return "\n".join(lines)


def rounds_line(result: dict) -> str:
    """Nodes (and the largest degree) large_star saw in each round: a settled graph stops shrinking."""
    by_step = result["distributions"].get("dedup.cluster_node_degree", {}).get("by_step", {})
    cells = []
    for n in range(1, ROUNDS + 1):
        entry = next((v for step, v in by_step.items() if f"/Large{n}/" in step), None)
        cells.append("-" if entry is None else f"{entry['count']:,} (max {entry['max']:,})")
    return ", ".join(cells)


def summary_row(result: dict) -> str:
    if "stopped" in result:
        return (f"| {result['n']:,} | {result['n']:,} | stopped: {result['stopped']} after {result['elapsed_s']} s, "
                f"RSS {result['peak_rss_mb_seen']:,} MB; last bundle: {result['last_bundle_started'][:120]} |"
                + " |" * 9)
    c, probes = result["counters"], result["probes"]
    band = probes.get("BandBuckets.values", {}).get("max")
    exact = probes.get("ExactBuckets.values", {}).get("max")
    held = (f"{_cell(band)} band / {_cell(exact)} exact" if band or exact
            else _cell(_largest(result, "dedup.bucket_size")))
    clusters = result["distributions"].get("dedup.cluster_size", {}).get("count")
    return (f"| {result['n']:,} | {result['n']:,} | {c.get('dedup.candidate_pairs', 0):,} | "
            f"{c.get('dedup.verified_pairs', 0):,} | {_cell(clusters)} | "
            f"{_cell(_largest(result, 'dedup.cluster_size'))} | "
            f"{held} | {c.get('dedup.bucket_overflow', 0):,} | {c.get('dedup.clusters_unsettled', 0):,} | "
            f"{result['wall_s']} | {result['peak_rss_mb']:,} |")


def summary_table(results: list[dict]) -> str:
    return "\n".join([("| N | documents | pairs | verified | clusters | largest cluster | largest bucket held | "
                       "bucket overflow | unsettled | time s | peak RSS MB |"),
                      "|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|"] + [summary_row(r) for r in results])


def check_table(results: list[dict]) -> str:
    lines = [("| N | copy recall | planted clusters whole | kept = original | stub in one cluster | "
              "chain in one cluster | boilerplate called copies | unrelated called copies | "
              "clusters spanning planted groups | differences from one-process reference |"),
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        if "check" not in r:
            continue
        c = r["check"]
        ref = ("-" if "reference_differences" not in c
               else f"{c['reference_differences']} of {c['reference_decisions']:,}")
        lines.append(f"| {r['n']:,} | {c['copy_recall']} | {c['clusters_whole']:,} of {c['clusters_planted']:,} | "
                     f"{c['kept_original']:,} | {c['stub_in_largest_cluster']:,} of {c['stub_members']:,} | "
                     f"{c['chain_in_largest_cluster']} of {c['chain_members']} | {c['boilerplate_called_copies']} | "
                     f"{c['unrelated_called_copies']} | {c['decision_clusters_spanning_groups']} | {ref} |")
    return "\n".join(lines)


def claim(results: list[dict]) -> dict:
    """Per N and probed step: is the largest group at most max(largest cluster, BUCKET_CAP)?"""
    verdict = {}
    for r in results:
        if "stopped" in r or not r["probes"]:
            continue
        bound = max(_largest(r, "dedup.cluster_size") or 0, BUCKET_CAP)
        over = {name[:-len(".values")]: v["max"] for name, v in r["probes"].items()
                if name.endswith(".values") and v["max"] > bound}
        verdict[r["n"]] = {"bound": bound, "steps_over_bound": over, "held": not over}
    return verdict


def report(results: list[dict], acc: dict) -> str:
    done = [r for r in results if "stopped" not in r]
    parts = [step_table(r) for r in done]
    parts += ["### Summary\n\n" + summary_table(results), "### Checks of the decisions\n\n" + check_table(done)]
    notes = [(f"Band bucket accumulator (combiner lifting shuffles it): up to {acc['accumulator_members']:,} "
              f"members, {acc['accumulator_bytes']:,} bytes pickled; a bucket held after the cap: "
              f"{acc['held_members']:,} members, {acc['held_bytes']:,} bytes.")]
    for n, v in claim(results).items():
        state = "held" if v["held"] else f"did NOT hold: {v['steps_over_bound']}"
        notes.append(f"Claim at N={n:,}: every probed group <= max(largest cluster, BUCKET_CAP) = "
                     f"{v['bound']:,}: {state}.")
    bands = sorted({r["bands"] for r in done})
    notes.append(f"Synthetic features with {'/'.join(map(str, bands))} band keys per document (the pipeline makes 48). "
                 "Peak RSS is the local runner's (FnApiRunner keeps each stage's whole output in memory), "
                 "not a worker's need. SDK time: execution time the SDK harness attributes to each step, "
                 "without the runner's shuffling; time s in the summary is the wall time of the whole run.")
    return "\n\n".join(parts + ["\n".join(notes)])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--bands", type=int, default=SIM_BANDS, help="band keys per document")
    parser.add_argument("--json")
    parser.add_argument("--append", action="store_true", help="keep results of sizes not run from --json")
    parser.add_argument("--in-process", action="store_true", help="run every size in this process")
    parser.add_argument("--no-probes", action="store_true")
    parser.add_argument("--reference-max", type=int, default=100_000)
    parser.add_argument("--limit-minutes", type=float, default=40)
    parser.add_argument("--limit-gb", type=float, default=16)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-out", help=argparse.SUPPRESS)
    parser.add_argument("--progress", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        out = measure(args.one, args.seed, not args.no_probes, args.reference_max, args.progress, args.bands)
        with open(args.child_out, "w") as fh:
            json.dump(out, fh)
        return 0
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    for n in sizes:
        print(f"N={n:,}: running", file=sys.stderr, flush=True)
        if args.in_process:
            result = measure(n, args.seed, not args.no_probes, args.reference_max, bands=args.bands)
        else:
            result = run_child(n, args)
        print(f"N={n:,}: {result.get('stopped') or str(result['wall_s']) + ' s'}", file=sys.stderr, flush=True)
        results.append(result)
    if args.json and args.append and os.path.exists(args.json):
        with open(args.json) as fh:
            kept = [r for r in json.load(fh)["results"] if r["n"] not in sizes]
        results = sorted(kept + results, key=lambda r: r["n"])
    acc = accumulator_bytes()
    print(report(results, acc))
    if args.json:
        os.makedirs(os.path.dirname(os.path.abspath(args.json)), exist_ok=True)
        payload = {"bench": "scale_dedup", "seed": args.seed, "sim_bands": args.bands, "bucket_cap": BUCKET_CAP,
                   "max_bucket": MAX_BUCKET, "rounds": ROUNDS, "runner": "FnApiRunner (in-memory, one process)",
                   "machine": {"python": platform.python_version(), "beam": beam.__version__,
                               "cpus": os.cpu_count(), "platform": platform.platform()},
                   "accumulator": acc, "claim": {str(k): v for k, v in claim(results).items()},
                   "results": results}
        with open(args.json, "w") as fh:
            json.dump(payload, fh, indent=1, default=str)
    return 0


if __name__ == "__main__":
    from bench.scale_dedup import main as _main  # functions pickled by reference to this module, not by value

    sys.exit(_main())
