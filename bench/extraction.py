"""Extraction quality: the pipeline's text against gold text, with trafilatura alone beside it.

    python -m bench.extraction [--shared ../shared] [--json bench/results/extraction.json]

1. article-extraction-benchmark (181 pages), with that benchmark's metric: tokens are \\w+
   matches, 4-token shingles, per-page precision and recall from shingle multiset overlap,
   averaged over pages (pages with empty output left out of precision, counted in recall),
   and F1 of the two averages.
2. fundus pages (../shared/eval/warc): body F1 with the same metric, title exact match (and
   with white space runs taken as one space), publication-day accuracy (for the pipeline, whose
   dates are UTC, the UTC day of the expected instant).

The pipeline is run as users run it (news-ingest run on the HTML files), and its Parquet is read back.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import duckdb
import trafilatura

_TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i:i + n]) for i in range(max(0, len(tokens) - n + 1)))


def page_scores(predicted: str, gold: str) -> tuple[float | None, float]:
    p, g = shingles(predicted), shingles(gold)
    tp = sum((p & g).values())
    precision = tp / sum(p.values()) if p else None
    recall = tp / sum(g.values()) if g else 1.0
    return precision, recall


def f1_of_averages(pairs: list[tuple[str, str]]) -> dict:
    scores = [page_scores(p, g) for p, g in pairs]
    precisions = [p for p, _ in scores if p is not None]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(r for _, r in scores) / len(scores) if scores else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "empty": sum(p is None for p, _ in scores), "pages": len(scores)}


def run_pipeline(html_dir: Path, out: Path) -> dict[str, dict]:
    """news-ingest run over the pages; {file name: row}."""
    cmd = [sys.executable, "-m", "pipeline", "run", "--input", str(html_dir), "--output", str(out), "-q"]
    subprocess.run(cmd, check=True, capture_output=True)
    rows = duckdb.sql(f"select url, title, text, published_at from read_parquet('{out}/[ad]*/*/*.parquet', "
                      f"union_by_name=true)").fetchall()
    return {url.rsplit("/", 1)[-1]: {"title": t, "text": x, "published_at": p} for url, t, x, p in rows}


def read_html(path: Path) -> bytes:
    return gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()


def trafilatura_alone(path: Path, **options) -> str:
    return trafilatura.extract(read_html(path), **options) or ""


def article_benchmark(root: Path, tmp: Path) -> dict:
    gold = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    pages = sorted((root / "html").glob("*.html.gz"))
    ours = run_pipeline(root / "html", tmp / "aeb")
    key = lambda p: p.name.split(".")[0]  # noqa: E731
    result = {"pipeline": f1_of_averages([(ours.get(p.name, {}).get("text") or "", gold[key(p)]["articleBody"])
                                          for p in pages])}
    for name, options in (("trafilatura defaults", {}),
                          ("trafilatura best (no comments, precision)", {"include_comments": False, "favor_precision": True})):
        result[name] = f1_of_averages([(trafilatura_alone(p, **options), gold[key(p)]["articleBody"]) for p in pages])
    return result


def fundus(root: Path, tmp: Path) -> dict:
    expected = [json.loads(line) for line in open(root / "fundus-news-expected.jsonl", encoding="utf-8")]
    ours = run_pipeline(root / "fundus-news-html", tmp / "fundus")
    out = {}
    for name, get in (("pipeline", lambda e: ours.get(Path(e["file"]).name, {})),
                      ("trafilatura alone", lambda e: _trafilatura_row(root / e["file"]))):
        rows = [(get(e), e) for e in expected]
        body = f1_of_averages([(r.get("text") or "", e["body"]) for r, e in rows])
        titles = sum((r.get("title") or "").strip() == (e["title"] or "").strip() for r, e in rows) / len(rows)
        # The same, with runs of white space (NBSP, ideographic space) taken as one space.
        loose = sum(" ".join((r.get("title") or "").split()) == " ".join((e["title"] or "").split())
                    for r, e in rows) / len(rows)
        days = sum(_day(r.get("published_at")) == _expected_day(e["publishing_date"], utc=name == "pipeline")
                   for r, e in rows) / len(rows)
        out[name] = {"body": body, "title_exact": round(titles, 4), "title_same_words": round(loose, 4),
                     "publication_day": round(days, 4)}
    return out


def _trafilatura_row(path: Path) -> dict:
    doc = trafilatura.bare_extraction(read_html(path), with_metadata=True)
    return {"text": doc.text if doc else "", "title": doc.title if doc else "", "published_at": doc.date if doc else None}


def _expected_day(value: str | None, utc: bool) -> str:
    """The pipeline's dates are UTC (the output contract): compare the same instant's UTC day.
    trafilatura alone gives the page's local date: compare the local day as fundus gives it."""
    if not value:
        return ""
    if utc:
        from datetime import datetime, timezone
        when = datetime.fromisoformat(value)
        if when.tzinfo is not None:
            return when.astimezone(timezone.utc).date().isoformat()
    return value[:10]


def _day(value) -> str:
    if value is None:
        return ""
    return value.isoformat()[:10] if hasattr(value, "isoformat") else str(value)[:10]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[2] / "shared"))
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    shared = Path(args.shared) / "eval"
    with tempfile.TemporaryDirectory() as tmp:
        aeb = article_benchmark(shared / "article-extraction-benchmark", Path(tmp))
        fun = fundus(shared / "warc", Path(tmp))
    print("article-extraction-benchmark (181 pages)")
    print(f"{'extractor':44} {'precision':>9} {'recall':>7} {'F1':>7} {'empty':>6}")
    for name, r in aeb.items():
        print(f"{name:44} {r['precision']:9.4f} {r['recall']:7.4f} {r['f1']:7.4f} {r['empty']:6d}")
    print(f"\nfundus pages ({fun['pipeline']['body']['pages']})")
    print(f"{'extractor':44} {'body F1':>8} {'title exact':>12} {'same words':>11} {'pub. day':>9}")
    for name, r in fun.items():
        print(f"{name:44} {r['body']['f1']:8.4f} {r['title_exact']:12.4f} {r['title_same_words']:11.4f} "
              f"{r['publication_day']:9.4f}")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({"article_extraction_benchmark": aeb, "fundus": fun}, indent=1))


if __name__ == "__main__":
    main()
