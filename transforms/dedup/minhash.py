"""MinHash signatures and LSH band keys, vectorised with numpy and seeded: the same text gives
the same signature in every worker and every run.

Text is normalised (NFKC, case-folded, punctuation dropped; numbers kept, since a "next edition"
differs in its numbers), split into words, and cut into overlapping word shingles. Each word is
hashed once (crc32, cached); a shingle's hash is a polynomial of its words' hashes, computed for
all shingles at once, then mixed.

Signatures use one-permutation hashing with densification (Shrivastava, 2017): the hash range is
cut into NUM_PERM bins and each bin keeps its smallest hash, an empty bin borrowing from the
next non-empty one. It is a MinHash signature at O(shingles + bins) instead of
O(shingles x permutations), and candidates are verified exactly afterwards (verify.py).
"""
from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass, field

import numpy as np

SEED = 1
SHINGLE = 3  # words per shingle: short enough that a copy edit breaks few of them
NUM_PERM = 128
BANDS, ROWS = 32, 4  # whole-text LSH: pairs with Jaccard above ~0.45 share a band with high probability
LEAD_WORDS = 60  # briefs keep the lead: a second signature on the first words catches them
LEAD_PERM = 32
LEAD_BANDS, LEAD_ROWS = 16, 2
MIN_WORDS = 25  # shorter texts are compared for exact copies only
_WORD = re.compile(r"\w+", re.UNICODE)
_MASK32 = np.uint64(0xFFFFFFFF)


_rng = np.random.default_rng(SEED)
_MIX_A = np.uint64(int(_rng.integers(1, 1 << 63)) | 1)  # odd multiplier (multiply-shift mixing)
_MIX_B = np.uint64(int(_rng.integers(0, 1 << 63)))
_POLY = np.array([0x100000001B3 ** (SHINGLE - 1 - i) % (1 << 64) for i in range(SHINGLE)], dtype=np.uint64)
_word_hash: dict[str, int] = {}
_WORD_CACHE_MAX = 1 << 20


def words(text: str) -> list[str]:
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return _WORD.findall(text.casefold().replace("_", " "))


def _hash_words(tokens: list[str]) -> np.ndarray:
    cache = _word_hash
    if len(cache) > _WORD_CACHE_MAX:
        cache.clear()
    hashes = list(map(cache.get, tokens))
    if None in hashes:
        for i, h in enumerate(hashes):
            if h is None:
                w = tokens[i]
                hashes[i] = cache[w] = zlib.crc32(w.encode("utf-8"))
    return np.array(hashes, dtype=np.uint64)


def shingle_hashes(tokens: list[str]) -> np.ndarray:
    """Sorted, distinct, well-mixed 32-bit hashes of the word shingles."""
    if not tokens:
        return np.zeros(0, dtype=np.uint32)
    word_hashes = _hash_words(tokens)
    if len(tokens) < SHINGLE:
        combined = word_hashes
    else:
        windows = np.lib.stride_tricks.sliding_window_view(word_hashes, SHINGLE)
        combined = (windows * _POLY).sum(axis=1, dtype=np.uint64)  # wraps modulo 2**64, as intended
    mixed = (combined * _MIX_A + _MIX_B) >> np.uint64(32)
    return np.unique(mixed.astype(np.uint32))


def signature(hashes: np.ndarray, bins: int = NUM_PERM) -> np.ndarray:
    """One-permutation MinHash with densification: `bins` uint32 values. `hashes` is sorted and distinct."""
    if hashes.size == 0:
        return np.full(bins, 0xFFFFFFFF, dtype=np.uint32)
    shift = 32 - (bins.bit_length() - 1)
    which = hashes >> np.uint32(shift)
    # Sorted input: the first hash of each bin is that bin's minimum.
    firsts = np.searchsorted(which, np.arange(bins, dtype=np.uint32))
    filled = np.zeros(bins, dtype=bool)
    present = np.unique(which)
    filled[present] = True
    sig = np.zeros(bins, dtype=np.uint64)
    sig[filled] = hashes[firsts[filled]]
    if not filled.all():
        # An empty bin takes the next non-empty bin's value (circularly), offset by the distance,
        # so the same set always fills the same way.
        idx = np.arange(bins)
        nxt = np.where(filled, idx, bins * 2)
        nxt = np.minimum.accumulate(nxt[::-1])[::-1]
        wrap = nxt >= bins
        first = int(np.argmax(filled))
        nxt = np.where(wrap, first + bins, nxt)
        dist = (nxt - idx).astype(np.uint64)
        sig = sig[nxt % bins] + dist * np.uint64(0x9E3779B9)
    return (sig & _MASK32).astype(np.uint32)


def band_keys(sig: np.ndarray, bands: int, rows: int, prefix: str) -> list[str]:
    """One key per band: the band's rows, hashed. Two signatures sharing a key are candidates."""
    view = sig[: bands * rows].reshape(bands, rows)
    return [f"{prefix}{i}:{zlib.crc32(view[i].tobytes()):08x}" for i in range(bands)]


_NUMBER = re.compile(r"\d[\d.,:/-]*\d|\d")


def number_tokens(text: str) -> list[str]:
    """Numbers as written (1.2, 34,500, 2024-01-03): what a next-day edition changes."""
    return sorted({m.replace(",", "").rstrip(".") for m in _NUMBER.findall(text)})


@dataclass
class Features:
    """What near-duplicate detection needs of one document: small enough to shuffle."""
    id: str
    shingles: np.ndarray  # sorted distinct uint32
    numbers: list
    content_hash: str
    published_at: object = None
    fetched_at: object = None
    history: bool = False  # kept by an earlier run: it stays the kept article
    cluster_id: str | None = None  # for history entries
    keys: list = field(default_factory=list)  # LSH keys, exact keys

    @property
    def size(self) -> int:
        return int(self.shingles.size)


def features(doc_id: str, text: str, content_hash: str, published_at=None, fetched_at=None) -> Features:
    tokens = words(text)
    shingles = shingle_hashes(tokens)
    keys = [f"x:{content_hash}"]
    if len(tokens) >= MIN_WORDS:
        keys += band_keys(signature(shingles), BANDS, ROWS, "b")
        keys += band_keys(signature(shingle_hashes(tokens[:LEAD_WORDS]), LEAD_PERM), LEAD_BANDS, LEAD_ROWS, "l")
    return Features(doc_id, shingles, number_tokens(text), content_hash, published_at, fetched_at, keys=keys)
