"""Language: the document's language and the languages of its parts.

Public API (no Beam needed):
    detect(text)  -> (lang, confidence)        ISO 639-1 code or 'und'
    analyze(text) -> {'language', 'confidence', 'languages', 'segments', 'is_mixed'}

In the pipeline: Documents in, Documents out with language, language_confidence, languages,
segments and is_mixed_language set. langdetect is seeded, so every worker gives the same answer.
"""
from __future__ import annotations

import re
import threading

from schemas import Document
from transforms.stage import StageTransform

SEED = 0
MIN_LETTERS = 12  # below this there is no signal worth a guess
SEGMENT_MIN_LETTERS = 40  # shorter paragraphs (datelines, credits, one-word tags) join a neighbour
MIXED_MIN_LETTERS = 60  # a foreign segment must carry this much to make the document mixed
MIXED_MIN_CONFIDENCE = 0.90
_NOISE = re.compile(r"https?://\S+|www\.\S+|\S+\.(?:com|org|net)/\S*|[@#][\w.]+|\S*\d\S*", re.I)
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_PARAGRAPH = re.compile(r"\n\s*\n")
_LINE = re.compile(r"\n")
_LOCK = threading.Lock()
_factory = None


def _detector_factory():
    """langdetect's profiles, loaded once per process (they are large: never pickled with a DoFn)."""
    global _factory
    if _factory is None:
        with _LOCK:
            if _factory is None:
                from langdetect import DetectorFactory, detector_factory
                DetectorFactory.seed = SEED
                detector_factory.init_factory()
                _factory = detector_factory._factory
    return _factory


def _normalise_code(code: str) -> str:
    return "zh" if code.startswith("zh") else code


def _signal(text: str) -> str:
    """The text with URLs, handles, hashtags and numbers taken out: they say nothing of language."""
    return _NOISE.sub(" ", text)


def letters(text: str) -> int:
    return len(_LETTER.findall(text))


def detect(text: str) -> tuple[str, float]:
    """(ISO 639-1 code, confidence); ('und', 0.0) when the text carries too little signal."""
    from langdetect.lang_detect_exception import LangDetectException

    clean = _signal(text)
    if letters(clean) < MIN_LETTERS:
        return "und", 0.0
    detector = _detector_factory().create()
    detector.append(clean)
    try:
        best = detector.get_probabilities()[0]
    except (LangDetectException, IndexError):
        return "und", 0.0
    return _normalise_code(best.lang), round(float(best.prob), 4)


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of paragraphs covering the text; single newlines split when there are no blank lines."""
    splitter = _PARAGRAPH if _PARAGRAPH.search(text) else _LINE
    spans, start = [], 0
    for m in splitter.finditer(text):
        spans.append((start, m.start()))
        start = m.start()
    spans.append((start, len(text)))
    return [(s, e) for s, e in spans if e > s]


def _merge_short(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Short paragraphs join the one before them (the first one joins the one after)."""
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and letters(text[s:e]) < SEGMENT_MIN_LETTERS:
            merged[-1][1] = e
        else:
            merged.append([s, e])
    if len(merged) > 1 and letters(text[merged[0][0]:merged[0][1]]) < SEGMENT_MIN_LETTERS:
        merged[1][0] = merged.pop(0)[0]
    return [(s, e) for s, e in merged]


def analyze(text: str) -> dict:
    """Document language plus per-segment languages, character shares and the mixed flag."""
    lang, conf = detect(text)
    if not text:
        return {"language": lang, "confidence": conf, "languages": [], "segments": [], "is_mixed": False}
    spans = _merge_short(text, paragraphs(text))
    labelled = []
    mixed = False
    for s, e in spans:
        seg_lang, seg_conf = detect(text[s:e]) if len(spans) > 1 else (lang, conf)
        if seg_lang == "und" or (seg_lang != lang and seg_conf < MIXED_MIN_CONFIDENCE):
            seg_lang = lang  # an uncertain segment belongs to the document's language
        if seg_lang != lang and letters(_signal(text[s:e])) >= MIXED_MIN_LETTERS:
            mixed = True
        elif seg_lang != lang:
            seg_lang = lang
        labelled.append([s, e, seg_lang])
    segments: list[dict] = []
    for s, e, seg_lang in labelled:
        if segments and segments[-1]["lang"] == seg_lang:
            segments[-1]["end"] = e
        else:
            if segments:
                segments[-1]["end"] = s  # segments are contiguous and cover the text
            segments.append({"start": 0 if not segments else s, "end": e, "lang": seg_lang})
    segments[-1]["end"] = len(text)
    shares: dict[str, int] = {}
    for seg in segments:
        shares[seg["lang"]] = shares.get(seg["lang"], 0) + seg["end"] - seg["start"]
    languages = [{"lang": k, "share": round(v / len(text), 4)}
                 for k, v in sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))]
    return {"language": lang, "confidence": conf, "languages": languages, "segments": segments, "is_mixed": mixed}


def detect_language(doc: Document) -> Document:
    result = analyze(doc.text)
    doc.language, doc.language_confidence = result["language"], result["confidence"]
    doc.languages, doc.segments, doc.is_mixed_language = result["languages"], result["segments"], result["is_mixed"]
    return doc


class DetectLanguage(StageTransform):
    """Documents -> Documents with language fields ({'main', 'rejects'})."""

    stage = "language"

    def fn(self):
        return detect_language
