"""langdetect's n-gram profiles as arrays: n-gram keys and their hash table, log-probabilities
by language, and per-character tables (normal form, case, script). Built once from langdetect's
JSON profiles, which is slow, and cached on disk for every later process."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

SMOOTHING = 0.5 / 10000  # langdetect's ALPHA_DEFAULT / BASE_FREQ
SPACE = 32
TABLE_BITS = 18
KANA, HANGUL = 1, 2
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _slots(keys: np.ndarray) -> np.ndarray:
    """Fibonacci hashing of n-gram keys into the table."""
    return ((keys.astype(np.uint64) * _GOLDEN) >> np.uint64(64 - TABLE_BITS)).astype(np.int64)


def _pack(codes: np.ndarray, n: int) -> np.ndarray:
    """n-gram key: its length in the top bits, then up to three 16-bit code points."""
    key = np.full(codes.shape[:-1], n << 48, dtype=np.int64)
    for i in range(n):
        key |= codes[..., i].astype(np.int64) << (16 * (n - 1 - i))
    return key


def _hash_table(keys: np.ndarray) -> dict:
    """An open-addressing hash table of the n-gram keys (a third full): a few vectorised probes
    instead of a binary search whose random reads miss the cache."""
    size = 1 << TABLE_BITS
    table_keys = np.full(size, -1, dtype=np.int64)
    table_rows = np.full(size, -1, dtype=np.int64)
    for row, (key, slot) in enumerate(zip(keys.tolist(), _slots(keys).tolist())):
        while table_keys[slot] != -1:
            slot = (slot + 1) & (size - 1)
        table_keys[slot], table_rows[slot] = key, row
    return {"table_keys": table_keys, "table_rows": table_rows}


def _build_arrays() -> dict:
    """Everything the model needs, as arrays, from langdetect's JSON profiles (slow: cached on disk)."""
    from langdetect import detector_factory
    from langdetect.utils.ngram import NGram
    from langdetect.utils.unicode_block import unicode_block

    detector_factory.init_factory()
    factory = detector_factory._factory
    words = list(factory.word_lang_prob_map)
    lengths = np.array([len(w) for w in words])
    arr = np.array([[ord(c) for c in w] + [0] * (3 - len(w)) for w in words], dtype=np.int64)
    keys = np.empty(len(words), dtype=np.int64)
    for n in (1, 2, 3):
        sel = lengths == n
        keys[sel] = _pack(arr[sel], n)
    order = np.argsort(keys)
    logp = np.log(np.array([factory.word_lang_prob_map[w] for w in words], dtype=np.float64)[order] + SMOOTHING)
    out = {
        # Shifting each row by a constant changes no comparison between languages; centring keeps
        # n-grams every language shares near zero, so sums stay small and float32 is exact enough.
        "logp": (logp - logp.mean(axis=1, keepdims=True)).astype(np.float32),
        "keys": keys[order],
        "langs": np.array([("zh" if code.startswith("zh") else code) for code in factory.langlist]),
    }
    out.update(_hash_table(out["keys"]))
    chars = [chr(c) if not 0xD800 <= c <= 0xDFFF else " " for c in range(0x10000)]
    out["normal"] = np.array([ord(NGram.normalize(ch)) if ch != " " or c == 32 else SPACE
                              for c, ch in enumerate(chars)], dtype=np.uint32)
    out["upper"] = np.array([ch.isupper() for ch in chars])
    basic_latin = np.zeros(0x10000, dtype=bool)
    basic_latin[ord("A"):ord("z") + 1] = True
    out["basic_latin"] = basic_latin
    non_latin = np.zeros(0x10000, dtype=bool)
    non_latin[0x300:] = [unicode_block(chr(c)) != "Latin Extended Additional" for c in range(0x300, 0x10000)]
    # A character of Chinese, Japanese or Korean carries about a word: it weighs three Latin
    # letters when deciding whether Latin words are only embedded names ('Kindle for PC' in
    # a Japanese sentence).
    out["non_latin"] = non_latin.astype(np.int64) * np.where(np.arange(0x10000) >= 0x2E80, 3, 1)
    out["letter"] = np.array([ch.isalpha() for ch in chars])
    out["lower"] = np.array([ord(ch.lower()) if len(ch.lower()) == 1 else ord(ch) for ch in chars], dtype=np.uint32)
    out["is_lower"] = np.array([ch.islower() for ch in chars])
    # Token boundaries for blanking noise: white space, and every character of the scripts
    # written without spaces (a Japanese sentence with a number in it is not one token).
    out["boundary"] = np.array([ch.isspace() or ord(ch) >= 0x2E80 for ch in chars])
    script = np.zeros(0x10000, dtype=np.int8)
    script[0x3040:0x3100] = KANA
    script[0x1100:0x1200] = script[0x3130:0x3190] = script[0xAC00:0xD7B0] = HANGUL
    out["script"] = script
    out["noise"] = np.array([ch.isdigit() or ch in "@#/" for ch in chars], dtype=np.float64)
    return out


def _cache_file() -> Path | None:
    """Where the arrays are kept between processes: named by a hash of this file and of
    langdetect's version, so a change to either builds them anew."""
    import langdetect
    root = os.environ.get("NEWS_INGEST_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "news-ingest")
    digest = hashlib.sha256(Path(__file__).read_bytes()
                            + getattr(langdetect, "__version__", "1.0.9").encode()).hexdigest()[:16]
    return Path(root) / f"language-model-{digest}.npz"


def arrays() -> dict:
    """The arrays from the cache when it is there, else built and cached, so a worker does not
    build them at every start. A cache that cannot be read or written is only a slower start."""
    path = _cache_file()
    try:
        with np.load(path) as data:
            return {k: data[k] for k in data.files}
    except (OSError, ValueError, KeyError):
        pass
    built = _build_arrays()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(temp, "wb") as f:
            np.savez(f, **built)
        os.replace(temp, path)  # atomic: a worker never reads a half-written cache
    except OSError:
        pass
    return built
