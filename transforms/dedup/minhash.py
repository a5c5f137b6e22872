"""MinHash signatures and LSH band keys, vectorised with numpy and seeded: the same text gives
the same signature in every worker and every run.

Text is normalised (NFKC, lower-cased, punctuation dropped; numbers kept, since a "next edition"
differs in its numbers), split into words, and cut into overlapping word shingles. All of it
runs in numpy over the text's code points: word boundaries from a table of word characters,
each word's hash a polynomial of its code points taken from prefix sums, a shingle's hash a
polynomial of its words' hashes, then mixed. A word's hash depends on its characters only, so
every worker computes the same values.

Signatures use one-permutation hashing with densification (Shrivastava, 2017): the hash range is
cut into NUM_PERM bins and each bin keeps its smallest hash, an empty bin borrowing from the
next non-empty one. It is a MinHash signature at O(shingles + bins) instead of
O(shingles x permutations), and candidates are verified exactly afterwards (verify.py).
"""
from __future__ import annotations

import re
import unicodedata
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
_MASK32 = np.uint64(0xFFFFFFFF)

_rng = np.random.default_rng(SEED)
_MIX_A = np.uint64(int(_rng.integers(1, 1 << 63)) | 1)  # odd multiplier (multiply-shift mixing)
_MIX_B = np.uint64(int(_rng.integers(0, 1 << 63)))
_POLY = np.array([0x9E3779B97F4A7C15 ** (SHINGLE - 1 - i) % (1 << 64) for i in range(SHINGLE)], dtype=np.uint64)
_BASE = 0x100000001B3  # odd, so it has an inverse modulo 2**64
_BASE_INV = pow(_BASE, -1, 1 << 64)


def _char_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For the Basic Multilingual Plane: which code points are word characters, their lower case,
    and which ones NFKC might change (compatibility forms, combining marks, conjoining jamo)."""
    is_word = np.zeros(0x10000, dtype=bool)
    lower = np.arange(0x10000, dtype=np.uint64)
    nfkc = np.zeros(0x10000, dtype=bool)
    nfkc[0x1100:0x1200] = nfkc[0xA960:0xA980] = nfkc[0xD7B0:0xD800] = True
    for cp in range(0x10000):
        ch = chr(cp)
        if 0xD800 <= cp < 0xE000:
            continue
        if unicodedata.combining(ch) or unicodedata.normalize("NFKC", ch) != ch:
            nfkc[cp] = True
        if ch.isalnum() or unicodedata.category(ch)[0] == "M":
            is_word[cp] = True
            low = ch.lower()
            if len(low) == 1:
                lower[cp] = ord(low)
    return is_word, lower, nfkc


_IS_WORD, _LOWER, _MAY_CHANGE_UNDER_NFKC = _char_tables()
_powers: tuple = (np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.uint64))


def _power_tables(n: int) -> tuple[np.ndarray, np.ndarray]:
    """BASE**j and BASE**-j for j < n, computed once and grown when a longer text comes. The pair
    is replaced as one tuple, so a thread never reads one table grown and the other not."""
    global _powers
    powers = _powers
    if powers[0].size < n:
        size = max(n, 1 << 15)
        powers = (np.cumprod(np.full(size, _BASE, dtype=np.uint64)) * np.uint64(_BASE_INV),
                  np.cumprod(np.full(size, _BASE_INV, dtype=np.uint64)) * np.uint64(_BASE))
        _powers = powers
    return powers[0][:n], powers[1][:n]


def distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique without its overhead)."""
    if values.size < 2:
        return values.copy()
    ordered = np.sort(values)
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def word_hashes(text: str) -> np.ndarray:
    """64-bit hash of each word (lower-cased, NFKC) in text order."""
    cp = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    if cp.size == 0:
        return np.zeros(0, dtype=np.uint64)
    bmp = np.minimum(cp, 0xFFFF)
    if _MAY_CHANGE_UNDER_NFKC[bmp].any() and not unicodedata.is_normalized("NFKC", text):
        cp = np.frombuffer(unicodedata.normalize("NFKC", text).encode("utf-32-le"), dtype=np.uint32)
        bmp = np.minimum(cp, 0xFFFF)
    astral = cp > 0xFFFF  # beyond the BMP (rare scripts, emoji): taken as word characters
    is_word = _IS_WORD[bmp] | astral
    chars = np.where(astral, cp.astype(np.uint64), _LOWER[bmp])
    edges = np.diff(np.concatenate(([False], is_word, [False])).astype(np.int8))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if starts.size == 0:
        return np.zeros(0, dtype=np.uint64)
    # h(word) = sum c[j] * BASE**(end-1-j) = BASE**(end-1) * (S[end-1] - S[start-1]),
    # with S[i] = sum_{j<=i} c[j] * BASE**-j; uint64 arithmetic wraps modulo 2**64, as intended.
    powers, inv_powers = _power_tables(cp.size)
    prefix = np.cumsum(chars * inv_powers, dtype=np.uint64)
    before = np.where(starts > 0, prefix[np.maximum(starts - 1, 0)], np.uint64(0))
    return (prefix[ends - 1] - before) * powers[ends - 1]


def shingle_sequence(hashes: np.ndarray) -> np.ndarray:
    """Well-mixed 32-bit hashes of the word shingles (from word_hashes), in text order, with repeats."""
    if hashes.size == 0:
        return np.zeros(0, dtype=np.uint32)
    if hashes.size < SHINGLE:
        combined = hashes
    else:
        windows = np.lib.stride_tricks.sliding_window_view(hashes, SHINGLE)
        combined = (windows * _POLY).sum(axis=1, dtype=np.uint64)
    return ((combined * _MIX_A + _MIX_B) >> np.uint64(32)).astype(np.uint32)


def shingle_hashes(text: str) -> np.ndarray:
    """Sorted, distinct hashes of the text's word shingles."""
    return distinct(shingle_sequence(word_hashes(text)))


def signature(hashes: np.ndarray, bins: int = NUM_PERM) -> np.ndarray:
    """One-permutation MinHash with densification: `bins` uint32 values. `hashes` is sorted and distinct."""
    if hashes.size == 0:
        return np.full(bins, 0xFFFFFFFF, dtype=np.uint32)
    shift = 32 - (bins.bit_length() - 1)
    which = hashes >> np.uint32(shift)
    # Sorted input: the first hash of each bin is that bin's minimum.
    firsts = np.searchsorted(which, np.arange(bins, dtype=np.uint32))
    filled = np.zeros(bins, dtype=bool)
    filled[which] = True
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


# Kinds of key, in the top bits: whole-text bands, lead bands, exact text.
BAND, LEAD, EXACT = 1, 2, 3


def band_keys(sig: np.ndarray, bands: int, rows: int, kind: int) -> list[int]:
    """One int key per band (kind, band number, hash of the band's rows). Sharing a key makes a candidate."""
    view = sig[: bands * rows].reshape(bands, rows).astype(np.uint64)
    # A polynomial over the rows folds each band to 32 bits, for all bands at once.
    folded = np.zeros(bands, dtype=np.uint64)
    for r in range(rows):
        folded = folded * np.uint64(0x100000001B3) + view[:, r]
    folded = (folded ^ (folded >> np.uint64(32))) & _MASK32
    prefix = np.uint64(kind << 40) | (np.arange(bands, dtype=np.uint64) << np.uint64(32))
    return (prefix | folded).tolist()


def exact_key(content_hash: str) -> int:
    return (EXACT << 60) | int(content_hash[:14] or "0", 16)


# A capitalised word right after a lower-case letter, digit or comma and a space: inside a
# sentence, so a name, most of the time. (A pattern that starts with a character class is
# scanned fast; look-behinds are not.)
_MID_SENTENCE_CAPITAL = re.compile(r"[a-zß-ÿа-яёєіїґα-ω0-9,;] ([A-ZÀ-ÖØ-ÞА-ЯЁЄІЇҐΑ-Ω]\w+)")
_NUMBER = re.compile(r"\d[\d.,:/-]*\d|\d")


_YEAR = re.compile(r"(?:19|20)\d\d")


def number_tokens(text: str) -> list[str]:
    """Numbers as written (1.2, 34,500, 2024-01-03): what a next-day edition changes.
    Bare years are left out: they are background that tomorrow's edition repeats."""
    found = {m.replace(",", "").rstrip(".") for m in _NUMBER.findall(text)}
    return sorted(n for n in found if not _YEAR.fullmatch(n))


def name_tokens(text: str) -> list[str]:
    """Capitalised words inside sentences: the people and places a next edition swaps.
    All-caps words longer than five letters are shouting, not names."""
    return sorted({w for w in _MID_SENTENCE_CAPITAL.findall(text) if len(w) <= 5 or not w.isupper()})


@dataclass
class Features:
    """What near-duplicate detection needs of one document: small enough to shuffle."""
    id: str
    shingles: np.ndarray  # sorted distinct uint32
    numbers: list
    content_hash: str
    names: list = field(default_factory=list)
    published_at: object = None
    fetched_at: object = None
    history: bool = False  # kept by an earlier run: it stays the kept article
    cluster_id: str | None = None  # for history entries
    keys: list = field(default_factory=list)  # ints: LSH band keys and the exact-text key
    source: str | None = None  # for history entries: the signature file holding the whole row

    @property
    def size(self) -> int:
        return int(self.shingles.size)


def lsh(text: str, content_hash: str) -> tuple[np.ndarray, list[int]]:
    """Signatures and bucketing: the shingle set and the LSH keys (exact, whole-text bands, lead bands)."""
    hashes = word_hashes(text)
    sequence = shingle_sequence(hashes)
    shingles = distinct(sequence)
    keys = [exact_key(content_hash)]
    if hashes.size >= MIN_WORDS:
        keys += band_keys(signature(shingles), BANDS, ROWS, BAND)
        lead = distinct(sequence[: LEAD_WORDS - SHINGLE + 1])
        keys += band_keys(signature(lead, LEAD_PERM), LEAD_BANDS, LEAD_ROWS, LEAD)
    return shingles, keys


def features(doc_id: str, text: str, content_hash: str, published_at=None, fetched_at=None) -> Features:
    """LSH keys plus what verification compares: numbers and names."""
    shingles, keys = lsh(text, content_hash)
    return Features(doc_id, shingles, number_tokens(text), content_hash, name_tokens(text), published_at, fetched_at,
                    keys=keys)
