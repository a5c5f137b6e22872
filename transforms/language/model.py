"""langdetect's n-gram profiles, scored in one vectorised pass.

langdetect draws n-grams at random and multiplies their probabilities until one language passes
0.99999, several times over: slow (Python loops per n-gram) and, without a seed, not repeatable.
Here every n-gram of the text is looked up at once and its log-probability added, which is the
sum langdetect samples from (same profiles, same smoothing: alpha/BASE_FREQ added to each
probability), so the answer is deterministic by construction and costs a few numpy calls.

Per-position rows make segment scores cheap: the score of any character range is the sum of the
rows that end inside it (`np.add.reduceat`), so a document and all its paragraphs are scored
from one n-gram extraction.
"""
from __future__ import annotations

import threading
from typing import NamedTuple

import numpy as np

from transforms.language import words as language_words
from transforms.language.profiles import HANGUL, KANA, SPACE, TABLE_BITS, _pack, _slots, arrays

# N-gram rows summed at once: bounds the memory of one long span (65,536 rows of 55 languages).
ROWS_AT_ONCE = 1 << 16
CAPS_SHARE, CAPS_MIN_LETTERS = 0.7, 4
# Languages that are never written without their own script: Korean without Hangul is Chinese
# (langdetect's Korean profile holds Hanja), Japanese without kana is Chinese.
NEEDS_SCRIPT = {"ko": HANGUL, "ja": KANA}
_LOCK = threading.Lock()
_model = None


# Prior: roughly each language's share of web content, in percent (W3Techs-style surveys; the
# languages below 0.1% get 0.05). Short texts in close pairs (nl/af, bg/mk, cs/sk, es/ca) are
# decided by a few n-grams; the language far more text is written in is the better bet. Square
# root, so the prior breaks near-ties and never overrides clear evidence.
WEB_SHARE = {"en": 49.0, "es": 6.0, "de": 5.6, "ja": 5.0, "fr": 4.4, "ru": 4.0, "pt": 3.8, "it": 2.6, "nl": 2.1,
             "pl": 1.7, "tr": 1.7, "fa": 1.3, "zh": 1.3, "vi": 1.1, "id": 1.0, "cs": 0.9, "ko": 0.8, "uk": 0.6,
             "ar": 0.6, "hu": 0.5, "sv": 0.5, "ro": 0.5, "el": 0.5, "he": 0.4, "da": 0.4, "th": 0.3, "fi": 0.3,
             "sk": 0.3, "bg": 0.3, "no": 0.3, "hr": 0.2, "lt": 0.2, "sl": 0.1, "ca": 0.1, "et": 0.1, "lv": 0.1,
             "hi": 0.1, "sr": 0.1}
PRIOR_WEIGHT = 0.5
WORD_LOG_ODDS = 4.0  # evidence of one function word for each language that has it
OTHER_SHARE = 0.05


class Scores(NamedTuple):
    """Summed log-probabilities by langdetect language, with the n-gram and letter counts behind them."""
    total: np.ndarray  # [languages]
    ngrams: int
    letters: int
    span_totals: np.ndarray  # [spans, languages]
    span_ngrams: np.ndarray
    span_letters: np.ndarray


class Model:
    """The 55 langdetect languages: sorted n-gram keys, log-probabilities, a normalisation table."""

    def __init__(self):
        self.__dict__.update(arrays())
        self.langs = [str(lang) for lang in self.langs]
        # One column per ISO code: the first of each code's columns stands for all of them.
        self.codes = sorted(set(self.langs))
        self.keep = [self.langs.index(code) for code in self.codes]
        self.log_prior = PRIOR_WEIGHT * np.log([WEB_SHARE.get(code, OTHER_SHARE) for code in self.codes])
        self.words = {}
        for word, langs in language_words.table().items():
            vector = np.zeros(len(self.codes))
            vector[[self.codes.index(lang) for lang in langs]] = WORD_LOG_ODDS
            self.words[word] = vector
        self.merged = [(j, [i for i, c in enumerate(self.langs) if c == code])
                       for j, code in enumerate(self.codes) if self.langs.count(code) > 1]

    def rows(self, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(positions, vocabulary indices, basic-Latin flags) of the known n-grams in `raw` (code points).

        A position is the index of the n-gram's last character. N-grams follow langdetect's
        NGram: words padded with one space each side, 1- to 3-grams inside them, none ending on
        the second of two capitals in a row.
        """
        padded = np.concatenate(([SPACE], self.normal[raw], [SPACE])).astype(np.int64)
        space = padded == SPACE
        idx = np.arange(padded.size)
        upper = self.upper[padded]
        # langdetect skips an n-gram that ends on a capital right after a capital (acronyms,
        # shouting); the next lower-case letter counts again.
        shouting = np.zeros(padded.size, dtype=bool)
        shouting[1:] = upper[1:] & upper[:-1]
        latin = self.basic_latin[padded]
        c = padded
        uni = ~space & ~shouting
        bi = ~(space[1:] & space[:-1]) & ~shouting[1:]
        tri = ~space[1:-1] & ~shouting[2:]  # the middle character of a trigram is never a space
        keys = np.concatenate((
            _pack(c[:, None], 1)[uni],
            _pack(np.stack((c[:-1], c[1:]), axis=-1), 2)[bi],
            _pack(np.stack((c[:-2], c[1:-1], c[2:]), axis=-1), 3)[tri]))
        pos = np.concatenate((idx[uni], idx[1:][bi], idx[2:][tri])) - 1  # back to unpadded positions
        lat = np.concatenate((latin[uni], (latin[:-1] | latin[1:])[bi],
                              (latin[:-2] | latin[1:-1] | latin[2:])[tri]))
        at = self.lookup(keys)
        known = at >= 0
        order = np.argsort(pos[known], kind="stable")
        return np.minimum(pos[known][order], raw.size - 1), at[known][order], lat[known][order]

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """Row of each key in the model, or -1 for n-grams no language has."""
        slot = _slots(keys)
        found = np.full(keys.size, -1, dtype=np.int64)
        todo = np.arange(keys.size)
        while todo.size:
            at = slot[todo]
            stored = self.table_keys[at]
            hit = stored == keys[todo]
            found[todo[hit]] = self.table_rows[at[hit]]
            todo = todo[~hit & (stored != -1)]
            slot[todo] = (slot[todo] + 1) & ((1 << TABLE_BITS) - 1)
        return found

    def code_points(self, text: str) -> np.ndarray:
        """The text as BMP code points, with tokens holding digits, '@', '#', '/' or an inner dot blanked.

        Numbers, URLs, domains, handles and hashtags say nothing of the language; blanking them in place
        (same length) keeps every offset valid for segments.
        """
        raw = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()
        raw[raw > 0xFFFF] = SPACE
        if raw.size == 0:
            return raw
        blank = self.boundary[raw]
        token = np.cumsum(blank)
        noise = self.noise[raw].copy()
        inner_dot = np.zeros(raw.size, dtype=bool)
        inner_dot[1:-1] = (raw[1:-1] == ord(".")) & self.letter[raw[:-2]] & self.letter[raw[2:]]
        noise[inner_dot] = 1.0
        noisy = np.bincount(token, weights=noise, minlength=token[-1] + 1) > 0
        raw[noisy[token] & ~blank] = SPACE
        upper, lower = int(self.upper[raw].sum()), int(self.is_lower[raw].sum())
        if upper >= CAPS_MIN_LETTERS and upper >= CAPS_SHARE * (upper + lower):
            raw = self.lower[raw]  # a text in capitals (a headline, a shouted post) is read in lower case
        return raw

    def sum_rows(self, vocab: np.ndarray, dtype=None) -> np.ndarray:
        """The sum of the model's rows for the n-grams `vocab`, taken ROWS_AT_ONCE at a time: the
        rows of a long text at once would cost hundreds of bytes per character."""
        if vocab.size <= ROWS_AT_ONCE:
            return self.logp.take(vocab, axis=0).sum(axis=0, dtype=dtype)  # take: faster than fancy indexing
        parts = [self.logp.take(vocab[i:i + ROWS_AT_ONCE], axis=0).sum(axis=0, dtype=dtype)
                 for i in range(0, vocab.size, ROWS_AT_ONCE)]
        return np.sum(parts, axis=0, dtype=dtype)

    def score(self, text: str, spans: list[tuple[int, int]]) -> Scores:
        """Scores of the whole text and of each span; spans must be contiguous and cover the text.

        As langdetect does, text written mostly in another script has its basic-Latin n-grams
        left out (a Latin brand name in a Russian paragraph says nothing of Russian).
        """
        raw = self.code_points(text)
        langs = len(self.langs)
        letter = np.concatenate(([0], np.cumsum(self.letter[raw])))
        lat_chars = np.concatenate(([0], np.cumsum(self.basic_latin[raw])))
        other_chars = np.concatenate(([0], np.cumsum(self.non_latin[raw])))
        bounds = np.array([s for s, _ in spans] + [len(text)], dtype=np.int64)
        span_letters = np.diff(letter[bounds])
        if raw.size == 0:
            return Scores(np.zeros(langs), 0, 0, np.zeros((len(spans), langs)), np.zeros(len(spans), int), span_letters)
        pos, vocab, lat = self.rows(raw)
        cut = np.searchsorted(pos, bounds)
        counts = np.diff(cut)
        totals = np.zeros((len(spans), langs))
        # One sum per span, not np.add.reduceat over axis 0: that walks the rows column by column.
        for k, (start, end) in enumerate(zip(cut[:-1].tolist(), cut[1:].tolist())):
            if end > start:
                totals[k] = self.sum_rows(vocab[start:end], np.float64)
        doc_total, doc_count = totals.sum(axis=0), int(counts.sum())

        def latin_heavy(s, e):
            return (lat_chars[e] - lat_chars[s]) * 2 < other_chars[e] - other_chars[s]

        if latin_heavy(0, raw.size) and lat.any():
            doc_total = doc_total - self.sum_rows(vocab[lat])
            doc_count -= int(lat.sum())
        for k in range(len(spans)):
            s, e = int(bounds[k]), int(bounds[k + 1])
            if counts[k] and latin_heavy(s, e):
                part = slice(cut[k], cut[k + 1])
                totals[k] -= self.sum_rows(vocab[part][lat[part]])
                counts[k] -= int(lat[part].sum())
        script = self.script[raw]
        for lang, needed in NEEDS_SCRIPT.items():
            present = np.concatenate(([0], np.cumsum(script == needed)))
            col = self.langs.index(lang)
            totals[np.diff(present[bounds]) == 0, col] = -np.inf
            if present[-1] == 0:
                doc_total[col] = -np.inf
        return Scores(doc_total, doc_count, int(letter[-1]), totals, counts, span_letters)


def model() -> Model:
    """One model per process, built on first use (about a second; never pickled with a DoFn)."""
    global _model
    if _model is None:
        with _LOCK:
            if _model is None:
                _model = Model()
    return _model
