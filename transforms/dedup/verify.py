"""Is B a copy of A? The check every candidate pair passes before it is called a duplicate.

Syndicated copies are trimmed, briefed, given a new intro or dateline, and copy-edited, so plain
Jaccard misses most of them. The measure here is the containment of the shorter text's
shingles in the longer one's. Two guards keep the hard negatives apart:
- numbers: a "next edition" (a daily report, a casualty update) repeats yesterday's wording
  with new figures, so the shorter text's numbers must mostly appear in the other;
- size: two stories sharing one background paragraph have low containment, unless one of them
  is little more than that paragraph; texts too short to judge are compared exactly only.
"""
from __future__ import annotations

import numpy as np

from transforms.dedup.minhash import Features

MIN_CONTAINMENT = 0.60
MIN_SHINGLES = 30  # below this, one shared sentence would decide
MIN_NUMBER_OVERLAP = 0.60
MIN_NUMBERS = 3


def containment(a: np.ndarray, b: np.ndarray) -> float:
    small, large = (a, b) if a.size <= b.size else (b, a)
    if small.size == 0:
        return 0.0
    return np.intersect1d(small, large, assume_unique=True).size / small.size


def number_overlap(a: list, b: list) -> float | None:
    """Share of the smaller number set found in the other; None when either has too few to judge."""
    if len(a) < MIN_NUMBERS or len(b) < MIN_NUMBERS:
        return None
    sa, sb = set(a), set(b)
    return len(sa & sb) / min(len(sa), len(sb))


def is_copy(a: Features, b: Features) -> bool:
    if a.content_hash == b.content_hash:
        return True
    if min(a.size, b.size) < MIN_SHINGLES:
        return False
    if containment(a.shingles, b.shingles) < MIN_CONTAINMENT:
        return False
    overlap = number_overlap(a.numbers, b.numbers)
    return overlap is None or overlap >= MIN_NUMBER_OVERLAP
