"""Language: the document's language and the languages of its parts.

Public API (no Beam needed):
    detect(text)  -> (lang, confidence)        ISO 639-1 code or 'und'
    analyze(text) -> {'language', 'confidence', 'languages', 'segments', 'is_mixed'}

In the pipeline: Documents in, Documents out with language, language_confidence, languages,
segments and is_mixed_language set. Scores come from langdetect's own profiles summed over every
n-gram (transforms/language_model.py) instead of langdetect's random sampling, so every worker
gives the same answer by construction, and faster.
"""
from __future__ import annotations

import re

import numpy as np

from schemas import Document
from transforms.language.model import model
from transforms.language.words import WORDS
from transforms.utils.stage import StageTransform

MIN_LETTERS = 5  # below this there is no signal worth a guess
# A paragraph counts as another language only with real content in it: enough letters, a few
# words that are not names (names and titles are capitalised), and odds against the document's
# language that no chance run of n-grams gives.
FOREIGN_MIN_LETTERS = 16
FOREIGN_MIN_WORDS = 2  # different lower-case words
FOREIGN_MIN_LOWER_SHARE = 0.35
CASELESS_PROSE_LETTERS = 8
QUOTED_TITLE_MAX = 80
NAME_PARTICLES = {"de", "da", "do", "dos", "del", "della", "dei", "di", "du", "la", "le", "van",
                  "von", "der", "den", "ter", "ten", "zu", "y", "bin", "ibn", "al", "el", "af", "av"}
_QUOTES = "\"'“”„«»‘’‚「」『』"
FOREIGN_MIN_LOG_ODDS = 12.0
FOREIGN_MIN_ODDS_PER_NGRAM = 0.12
# Posterior confidence treats every n-gram as independent evidence, which they are not (an n-gram
# overlaps its neighbours); beyond this many the evidence is scaled down so confidence stays honest.
EVIDENCE_NGRAMS = 60
# Function words are consulted only when the n-grams leave the two best languages this close.
CLOSE_LOG_ODDS = 40.0
SHORT_LETTERS = 200  # paragraphs this short always consult function words
FUNCTION_WORDS = {lang: set(words.split()) - NAME_PARTICLES for lang, words in WORDS.items()}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Tokens with digits, links, handles, domains; a token stops at a Chinese, Japanese or Korean
# character, since those scripts do not separate words.
_NOISE = re.compile(r"[^\s\u2E80-\uFFFF]*(?:[\d@#/]|\w\.\w)[^\s\u2E80-\uFFFF]*")
_PARAGRAPH = re.compile(r"\n\s*\n")
_LINE = re.compile(r"\n")


def is_prose(text: str, lang: str | None = None) -> bool:
    """Whether a short paragraph reads as sentences rather than names, credits, titles or tables.

    Names, titles, clubs and places are capitalised and glued with particles ('van den',
    'de', 'von'); a credit repeats one small word ('Reporting by ..., Editing by ...'). Prose has
    several different lower-case words, and they are a fair share of its words; or, in `lang`,
    one of its function words beside another lower-case word (German capitalises its nouns:
    'Das Grundgesetz gestehe Meinungsfreiheit'). Scripts without case (Chinese, Japanese,
    Arabic, ...) count as prose once they carry a few characters.
    """
    body = _NOISE.sub(" ", text).strip()
    if body[:1] in _QUOTES and body[-1:] in _QUOTES and len(body) < QUOTED_TITLE_MAX:
        return False  # a quoted title
    words = [w for w in _WORD.findall(body) if w.lower() not in NAME_PARTICLES]
    caseless = sum(1 for w in words for ch in w if ch.lower() == ch.upper())
    if caseless >= CASELESS_PROSE_LETTERS:
        return True
    lower = [w for w in words if w.islower()]
    if len(set(lower)) >= FOREIGN_MIN_WORDS and len(lower) >= FOREIGN_MIN_LOWER_SHARE * max(1, len(words)):
        return True
    function = FUNCTION_WORDS.get(lang, set())
    return any(w.lower() in function for w in words) and any(w not in function for w in lower)


def _by_code(scores: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Columns merged per ISO code ('zh-cn' and 'zh-tw' are one 'zh', with one language's prior)."""
    m = model()
    out = scores[..., m.keep]
    for j, cols in m.merged:
        out[..., j] = np.logaddexp.reduce(scores[..., cols], axis=-1) - np.log(len(cols))
    return m.codes, out


def _with_words(text: str, scores: np.ndarray, always: bool = False) -> np.ndarray:
    """Scores plus function-word evidence, when the n-grams leave two languages close."""
    top = np.partition(scores, -2)[-2:]
    if not always and top[1] - top[0] >= CLOSE_LOG_ODDS:
        return scores
    words = model().words
    evidence = [words[w] for w in _WORD.findall(text.lower()) if w in words]
    return scores + np.sum(evidence, axis=0) if evidence else scores


def _decide(codes: list[str], scores: np.ndarray, ngrams: int, n_letters: int, text: str) -> tuple[str, float]:
    if ngrams == 0 or n_letters < MIN_LETTERS:
        return "und", 0.0
    scores = _with_words(text, scores)
    scaled = scores / max(1.0, ngrams / EVIDENCE_NGRAMS) + model().log_prior
    p = np.exp(scaled - scaled.max())
    p /= p.sum()
    best = int(p.argmax())
    return codes[best], round(float(p[best]), 4)


def detect(text: str) -> tuple[str, float]:
    """(ISO 639-1 code, confidence); ('und', 0.0) when the text carries too little signal."""
    scored = model().score(text, [(0, len(text))])
    codes, total = _by_code(scored.total)
    return _decide(codes, total, scored.ngrams, scored.letters, text)


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of paragraphs covering the text; single newlines split when there are no blank lines."""
    splitter = _PARAGRAPH if _PARAGRAPH.search(text) else _LINE
    spans, start = [], 0
    for m in splitter.finditer(text):
        spans.append((start, m.start()))
        start = m.start()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if e > s]


def _foreign(part: str, doc: int, scores: np.ndarray, ngrams: int, n_letters: int) -> int | None:
    """The column of a paragraph's language when it really is another language, else None."""
    if ngrams == 0 or n_letters < FOREIGN_MIN_LETTERS:
        return None
    prior = model().log_prior
    posterior = scores + prior
    first, second = np.partition(posterior, -2)[[-1, -2]]
    if int(posterior.argmax()) == doc and first - second >= CLOSE_LOG_ODDS:
        return None  # clearly the document's language: the common case, kept cheap
    scores = _with_words(part, scores, always=n_letters < SHORT_LETTERS)
    best = int((scores + prior).argmax())
    if best == doc:
        return None
    odds = scores[best] - scores[doc]
    if odds < FOREIGN_MIN_LOG_ODDS or odds / ngrams < FOREIGN_MIN_ODDS_PER_NGRAM:
        return None
    if not is_prose(part, model().codes[best]):
        return None
    return best


def analyze(text: str) -> dict:
    """Document language plus per-segment languages, character shares and the mixed flag.

    Segments are runs of paragraphs in one language; they are contiguous and cover the text.
    """
    spans = paragraphs(text)
    scored = model().score(text, spans or [(0, 0)])
    codes, total = _by_code(scored.total)
    lang, conf = _decide(codes, total, scored.ngrams, scored.letters, text)
    if not text:
        return {"language": lang, "confidence": conf, "languages": [], "segments": [], "is_mixed": False}
    _, span_scores = _by_code(scored.span_totals)
    labelled = []
    for k, (s, e) in enumerate(spans):
        col = None
        if lang != "und" and len(spans) > 1:
            col = _foreign(text[s:e], codes.index(lang), span_scores[k], int(scored.span_ngrams[k]),
                           int(scored.span_letters[k]))
        labelled.append((s, codes[col] if col is not None else lang))
    segments: list[dict] = []
    for start, seg_lang in labelled:
        if segments and segments[-1]["lang"] == seg_lang:
            continue
        if segments:
            segments[-1]["end"] = start
        segments.append({"start": 0 if not segments else start, "end": len(text), "lang": seg_lang})
    shares: dict[str, int] = {}
    for seg in segments:
        shares[seg["lang"]] = shares.get(seg["lang"], 0) + seg["end"] - seg["start"]
    languages = [{"lang": k, "share": round(v / len(text), 4)}
                 for k, v in sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))]
    return {"language": lang, "confidence": conf, "languages": languages, "segments": segments,
            "is_mixed": len(shares) > 1}


def hinted_language(hint: str | None) -> str | None:
    """A sitemap's news:language ('de', 'zh-cn') as the code this stage writes ('de', 'zh')."""
    code = (hint or "").strip().lower().split("-", 1)[0]
    return code if code.isalpha() and 2 <= len(code) <= 3 else None


def detect_language(doc: Document) -> Document:
    result = analyze(doc.text)
    doc.language, doc.language_confidence = result["language"], result["confidence"]
    if doc.language == "und" and (hint := hinted_language(doc.language_hint)):
        doc.language = hint  # too little text to tell: the publisher's word, with no confidence of ours
    doc.languages, doc.segments, doc.is_mixed_language = result["languages"], result["segments"], result["is_mixed"]
    return doc


class DetectLanguage(StageTransform):
    """Documents -> Documents with language fields ({'main', 'rejects'})."""

    stage = "language"
    warm_up = staticmethod(model)  # langdetect's profiles as arrays: built once per worker

    def fn(self):
        return detect_language
