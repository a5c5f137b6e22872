"""Is B a copy of A? The check every candidate pair passes before it is called a duplicate.

Syndicated copies are trimmed, briefed, given a new intro or dateline, and copy-edited, so plain
Jaccard misses most of them. The measure here is the containment of the shorter text's
shingles in the longer one's. Two guards keep the hard negatives apart:
- facts: a "next edition" (a daily report, a casualty update) repeats yesterday's wording
  with new figures and names, so the shorter text's numbers, and its names, must mostly
  appear in the other;
- size: two stories sharing one background paragraph have low containment, unless one of them
  is little more than that paragraph; texts too short to judge are compared exactly only.
"""
from __future__ import annotations

import numpy as np

from transforms.dedup.minhash import Features

MIN_CONTAINMENT = 0.60
MIN_SHINGLES = 30  # below this, one shared sentence would decide
MIN_NUMBER_OVERLAP = 0.60
MIN_NUMBERS = 1
MIN_NAME_OVERLAP = 0.50
MIN_NAMES = 2


def containment(a: np.ndarray, b: np.ndarray) -> float:
    small, large = (a, b) if a.size <= b.size else (b, a)
    if small.size == 0:
        return 0.0
    return np.intersect1d(small, large, assume_unique=True).size / small.size


def overlap(a: list, b: list, at_least: int) -> float | None:
    """Share of the smaller set found in the other; None when either has too few to judge."""
    if len(a) < at_least or len(b) < at_least:
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
    numbers = overlap(a.numbers, b.numbers, MIN_NUMBERS)
    if numbers is not None and numbers < MIN_NUMBER_OVERLAP:
        return False
    names = overlap(a.names, b.names, MIN_NAMES)
    return names is None or names >= MIN_NAME_OVERLAP
