"""Language detection quality and speed on generated sets (bench/language_corpus.py).

    python -m bench.language [--shared ../shared] [--seed N] [--json bench/results/language.json] [--langdetect]

Single-language accuracy by length bucket and by language (detect); mixed-language precision and
recall per document and whether the foreign paragraph's language was found (analyze), on the
tuning set (language_corpus.mixed_set, whose controls the rules were tuned on) and on the
held-out set (language_heldout.heldout_mixed_set: real pages no rule was written on); speed in
articles per CPU-second of one core (analyze on news article bodies, best of several rounds).
With --langdetect, langdetect's own detect_langs runs on the single set beside it (slow).
"""
from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict
from pathlib import Path

from bench.language_corpus import GRADED, mixed_set, news_paragraphs, single_set
from bench.language_heldout import heldout_mixed_set
from transforms.language import analyze, detect


def single_scores(samples, fn=detect) -> dict:
    """Accuracy over the graded languages (the 14 required, plus Czech and Slovak, the known trap),
    with every language measured reported beside it."""
    graded = [s for s in samples if s.lang in GRADED]
    report = _accuracy(graded, fn)
    report["all_languages"] = _accuracy(samples, fn)
    return report


def _accuracy(samples, fn) -> dict:
    by_bucket, by_lang = defaultdict(list), defaultdict(list)
    confusions = Counter()
    for s in samples:
        got = fn(s.text)[0]
        by_bucket[s.bucket].append(got == s.lang)
        if s.bucket == "short":
            by_bucket[f"short ({s.kind}s)"].append(got == s.lang)
        by_lang[s.lang].append(got == s.lang)
        if got != s.lang:
            confusions[f"{s.lang}->{got}"] += 1
    every = [ok for oks in by_lang.values() for ok in oks]
    return {
        "samples": len(samples),
        "accuracy": sum(every) / len(every),
        "by_bucket": {b: round(sum(v) / len(v), 4) for b, v in sorted(by_bucket.items())},
        "by_language": {lang: round(sum(v) / len(v), 4) for lang, v in sorted(by_lang.items())},
        "worst_language": min(((sum(v) / len(v), lang) for lang, v in by_lang.items()))[::-1],
        "confusions": dict(confusions.most_common(15)),
    }


def _found(result, sample) -> bool:
    """A segment labelled with the foreign language covers most of the spliced paragraph."""
    start, end = sample.span
    overlap = sum(max(0, min(end, seg["end"]) - max(start, seg["start"]))
                  for seg in result["segments"] if seg["lang"] == sample.foreign)
    return overlap >= 0.5 * (end - start)


def mixed_scores(samples, alarms: int = 10) -> dict:
    """Per document: precision and recall of the mixed flag, false positives among the controls,
    the controls' language, and whether the foreign paragraph's language was found. `alarms`:
    how many false alarms to list."""
    tp = fp = fn = found = lang_ok = 0
    by_kind = defaultdict(list)
    by_source = defaultdict(lambda: {"controls": 0, "false_positives": 0, "mixed": 0, "found_mixed": 0})
    false_alarms = []
    for s in samples:
        result = analyze(s.text)
        flagged = result["is_mixed"]
        by_kind[s.kind].append(flagged == s.mixed)
        src = by_source[s.source]
        if s.mixed:
            tp += flagged
            fn += not flagged
            found += _found(result, s)
            src["mixed"] += 1
            src["found_mixed"] += flagged
        else:
            src["controls"] += 1
            src["false_positives"] += flagged
            lang_ok += result["language"] == s.lang
        if flagged and not s.mixed:
            fp += 1
            other = [s.text[g["start"]:g["end"]][:80] for g in result["segments"] if g["lang"] != result["language"]]
            alarm = {"kind": s.kind, "lang": s.lang, "segments": other[:2]}
            if s.extra.get("page"):
                alarm = {"page": s.extra["page"], **alarm}
            false_alarms.append(alarm)
    mixed = sum(s.mixed for s in samples)
    controls = len(samples) - mixed
    return {
        "documents": len(samples),
        "mixed_documents": mixed,
        "controls": controls,
        "precision": tp / max(1, tp + fp),
        "recall": tp / max(1, tp + fn),
        "false_positives": fp,
        "false_positive_rate": fp / max(1, controls),
        "foreign_language_found": found / max(1, mixed),
        "control_language_accuracy": lang_ok / max(1, controls),
        "correct_by_kind": {k: round(sum(v) / len(v), 4) for k, v in sorted(by_kind.items())},
        "by_source": dict(sorted(by_source.items())),
        "false_alarms": false_alarms[:alarms],
    }


def speed(texts, rounds: int = 5) -> dict:
    """Articles per CPU-second of this process (one core), best of `rounds`."""
    analyze(texts[0])  # the model loads once per process; not part of the per-article cost
    best = {}
    for name, fn in (("analyze", analyze), ("detect", detect)):
        times = []
        for _ in range(rounds):
            t = time.process_time()
            for text in texts:
                fn(text)
            times.append(time.process_time() - t)
        best[name] = round(len(texts) / min(times), 1)
    best["articles"] = len(texts)
    best["mean_characters"] = round(sum(map(len, texts)) / len(texts))
    return best


def langdetect_detect(text: str):
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException
    DetectorFactory.seed = 0
    try:
        best = detect_langs(text)[0]
    except LangDetectException:
        return "und", 0.0
    return ("zh" if best.lang.startswith("zh") else best.lang), best.prob


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared"))
    ap.add_argument("--json", default="")
    ap.add_argument("--seed", type=int, default=0, help="added to the generators' seeds: other texts, same sources")
    ap.add_argument("--langdetect", action="store_true", help="also score langdetect alone (slow)")
    args = ap.parse_args(argv)
    shared = Path(args.shared)
    single = single_set(shared, seed=7 + args.seed)
    mixed = mixed_set(shared, seed=11 + args.seed)
    heldout = heldout_mixed_set(shared, seed=13 + args.seed)
    articles = ["\n\n".join(a) for arts in news_paragraphs(shared).values() for a in arts]
    # "mixed": the tuning set (the rules were tuned on its controls); "mixed_heldout": pages no rule
    # was written on, every false alarm listed.
    report = {"single": single_scores(single), "mixed": mixed_scores(mixed),
              "mixed_heldout": mixed_scores(heldout, alarms=len(heldout)), "speed": speed(articles)}
    if args.langdetect:
        report["langdetect_single"] = single_scores(single, langdetect_detect)
    s, m, v = report["single"], report["mixed"], report["speed"]
    for title, part in (("graded languages", s), ("all languages (for information)", s["all_languages"])):
        print(f"single-language, {title}: {part['samples']} texts, {len(part['by_language'])} languages")
        print(f"  accuracy {part['accuracy']:.4f}; by length: "
              + ", ".join(f"{b} {a:.4f}" for b, a in part["by_bucket"].items()))
        print(f"  worst language: {part['worst_language'][0]} {part['worst_language'][1]:.4f}")
        print("  by language: " + ", ".join(f"{k} {a:.3f}" for k, a in part["by_language"].items()))
        print(f"  confusions: {part['confusions']}")
    if "langdetect_single" in report:
        ld = report["langdetect_single"]
        print(f"  langdetect alone, graded languages: accuracy {ld['accuracy']:.4f}, by length "
              + ", ".join(f"{b} {a:.4f}" for b, a in ld["by_bucket"].items()))
    for title, part in (("tuning set (the rules were tuned on these controls)", m),
                        ("held-out set (real pages no rule was written on)", report["mixed_heldout"])):
        print(f"mixed, {title}: {part['documents']} documents ({part['mixed_documents']} mixed, "
              f"{part['controls']} controls)")
        print(f"  precision {part['precision']:.4f}, recall {part['recall']:.4f}, false positives "
              f"{part['false_positives']}/{part['controls']} (rate {part['false_positive_rate']:.4f}), "
              f"foreign language found {part['foreign_language_found']:.4f}, "
              f"controls' language right {part['control_language_accuracy']:.4f}")
        print(f"  correct by kind: {part['correct_by_kind']}")
        print(f"  by source: {part['by_source']}")
        for fa in part["false_alarms"]:
            print(f"  false alarm: {fa}")
    print(f"speed (one core, {v['articles']} articles, mean {v['mean_characters']} characters): "
          f"analyze {v['analyze']}/s, detect {v['detect']}/s")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
