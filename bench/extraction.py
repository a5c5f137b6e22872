"""Extraction quality: the pipeline's output against gold data, with trafilatura 2.3.1 alone beside it.

    python -m bench.extraction [--shared ../shared] [--json bench/results/extraction.json]
                               [--in-process] [--parts tune,report] [--sets trafilatura-dev,aeb,fundus]

Sets (under SHARED/eval):
1. trafilatura-dev (482 pages): snippet precision, recall and F1 as its README defines them:
   output and snippets with white-space runs collapsed to one space and stripped; a `with` snippet
   found in the output (substring) is a TP, missing an FN; a `without` snippet found is an FP;
   TP, FP and FN summed over pages; a crash or no output finds nothing.
2. article-extraction-benchmark ("aeb", 181 pages), with that benchmark's metric: tokens are \\w+
   matches, 4-token shingles, per-page precision and recall from shingle multiset overlap,
   averaged over pages (pages with empty output left out of precision, counted in recall),
   and F1 of the two averages.
3. fundus: warc/ (fundus-news-html) and fundus-more/ (fundus-more-html) together, and each alone:
   body F1 (the aeb metric), title exact match (stripped), authors exact match (as sets of names
   case-folded with white-space runs collapsed), publication day (the pipeline's dates are UTC,
   so it is compared with the expected instant's UTC day; trafilatura gives the page's local
   date, compared with the local day fundus gives).

Split: every page is in part "tune" or "report" by `part_of(key)` (the first byte of the key's
SHA-256, even or odd), the key being the evaldata URL (trafilatura-dev), the page id (aeb) or the
publisher (fundus: all pages of a publisher on one side). Scores are given for tune, report and all.

The pipeline is run as users run it (`python -m pipeline run`, once per input folder over all its
pages) and its Parquet is read back: a page written as an article or as a duplicate is scored with
its text; a rejected page, or one with no row, scores as empty output. `--in-process` calls the
stages' functions in this process instead (read, extract, clean), for fast tuning: it has no
near-duplicate step, which only decides whether a page is an article or a duplicate, and both
tables hold the text. trafilatura alone: `extract(html, include_comments=False)` for text, and
`bare_extraction(html, with_metadata=True, include_comments=False)` on fundus pages.

Experiments can import the page lists (`pages_of`, `part_of`) and the scorers.
"""
from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import io
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import trafilatura

# trafilatura's author string split into names the way the pipeline splits it
from transforms.extract.page import split_authors

PARTS = ("tune", "report")
SETS = ("trafilatura-dev", "aeb", "fundus")
SET_TITLES = {"trafilatura-dev": "trafilatura-dev", "aeb": "article-extraction-benchmark", "fundus": "fundus"}
# fundus folders and their expected parses (each line names its HTML file)
FUNDUS_FOLDERS = {"warc": "fundus-news-expected.jsonl", "fundus-more": "fundus-more-expected.jsonl"}
# (set, metric, target): the targets.
TARGETS = [("trafilatura-dev", "snippet F1", 0.950), ("aeb", "body F1", 0.975),
           ("fundus", "body F1", 0.965), ("fundus", "title exact", 0.90),
           ("fundus", "authors exact", 0.90), ("fundus", "publication day", 0.97)]
PIPELINE, TRAFILATURA = "pipeline", "trafilatura"
DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared"


# ---------------------------------------------------------------------------------------------
# The pages and the split

def part_of(key: str) -> str:
    """The fixed split, shared with other experiments: never change it."""
    return "tune" if hashlib.sha256(key.encode("utf-8")).digest()[0] % 2 == 0 else "report"


@dataclass(eq=False)
class Page:
    set: str  # trafilatura-dev, aeb, fundus
    key: str  # what the split hashes: evaldata URL, page id, publisher
    path: Path  # the gzipped HTML
    gold: dict  # the set's own record for the page
    folder: str = ""  # fundus: warc or fundus-more
    part: str = field(init=False)

    def __post_init__(self):
        self.part = part_of(self.key)


def trafilatura_dev_pages(eval_dir: Path) -> list[Page]:
    root = eval_dir / "trafilatura-dev"
    data = json.loads((root / "evaldata.json").read_text(encoding="utf-8"))
    return [Page("trafilatura-dev", url, root / "html" / (Path(entry["file"]).name + ".gz"), entry)
            for url, entry in data.items()]


def aeb_pages(eval_dir: Path) -> list[Page]:
    root = eval_dir / "article-extraction-benchmark"
    gold = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    return [Page("aeb", p.name.split(".")[0], p, gold[p.name.split(".")[0]])
            for p in sorted((root / "html").glob("*.html.gz"))]


def fundus_pages(eval_dir: Path) -> list[Page]:
    pages = []
    for folder, expected in FUNDUS_FOLDERS.items():
        root = eval_dir / folder
        for line in (root / expected).read_text(encoding="utf-8").splitlines():
            e = json.loads(line)
            pages.append(Page("fundus", e["publisher"], root / e["file"], e, folder))
    return pages


PAGE_LISTS = {"trafilatura-dev": trafilatura_dev_pages, "aeb": aeb_pages, "fundus": fundus_pages}


def pages_of(eval_dir: Path, sets=SETS) -> dict[str, list[Page]]:
    """{set: its pages, each with its part}. `eval_dir`: SHARED/eval."""
    return {name: PAGE_LISTS[name](Path(eval_dir)) for name in sets}


# ---------------------------------------------------------------------------------------------
# Metrics

_TOKEN = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")


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
    return _average_scores([page_scores(p, g) for p, g in pairs])


def _average_scores(scores: list[tuple[float | None, float]]) -> dict:
    precisions = [p for p, _ in scores if p is not None]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(r for _, r in scores) / len(scores) if scores else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "empty": sum(p is None for p, _ in scores), "pages": len(scores)}


def normalise_space(text: str) -> str:
    return _SPACE.sub(" ", text or "").strip()


def snippet_counts(output: str, entry: dict) -> tuple[int, int, int]:
    """(TP, FP, FN) of one trafilatura-dev page; `entry` its evaldata record."""
    text = normalise_space(output)
    found = [normalise_space(s) in text for s in entry["with"]] if text else [False] * len(entry["with"])
    leaked = sum(normalise_space(s) in text for s in entry["without"]) if text else 0
    return sum(found), leaked, len(found) - sum(found)


def snippet_scores(counts: list[tuple[int, int, int]]) -> dict:
    tp, fp, fn = (sum(c[i] for c in counts) for i in range(3))
    return {"precision": round(tp / (tp + fp), 4) if tp + fp else 0.0,
            "recall": round(tp / (tp + fn), 4) if tp + fn else 0.0,
            "f1": round(2 * tp / (2 * tp + fp + fn), 4) if tp + fp + fn else 0.0,
            "tp": tp, "fp": fp, "fn": fn, "pages": len(counts)}


def author_set(names) -> set[str]:
    return {normalise_space(n).casefold() for n in names or [] if normalise_space(n)}


def _expected_day(value: str | None, utc: bool) -> str:
    """The pipeline's dates are UTC (the output contract): compare the same instant's UTC day.
    trafilatura alone gives the page's local date: compare the local day as fundus gives it."""
    if not value:
        return ""
    if utc:
        when = datetime.fromisoformat(value)
        if when.tzinfo is not None:
            return when.astimezone(UTC).date().isoformat()
    return value[:10]


def _day(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UTC)  # duckdb hands timestamps back in its session's zone
    return value.isoformat()[:10] if hasattr(value, "isoformat") else str(value)[:10]


# ---------------------------------------------------------------------------------------------
# Outputs: what an extractor gave for each page, {"fate", "reason", "text", "title", "authors", "day"}

EMPTY = {"text": "", "title": "", "authors": [], "day": ""}


def read_bytes(path: Path) -> bytes:
    return gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()


@functools.cache
def trafilatura_alone(path: Path, metadata: bool = False) -> dict:
    """trafilatura 2.3.1 alone on one page; kept for the life of the process (no cache file)."""
    try:
        html = read_bytes(path)
        if not metadata:
            text = trafilatura.extract(html, include_comments=False) or ""
            return {**EMPTY, "fate": "output" if text else "empty", "reason": "", "text": text}
        doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    except Exception as exc:  # noqa: BLE001 - a crash finds nothing
        return {**EMPTY, "fate": "crash", "reason": type(exc).__name__}
    if doc is None:
        return {**EMPTY, "fate": "empty", "reason": ""}
    return {"fate": "output" if doc.text else "empty", "reason": "", "text": doc.text or "",
            "title": doc.title or "", "authors": split_authors(doc.author), "day": _expected_day(doc.date, utc=False)}


def _row(fate: str, text, title, authors, published_at) -> dict:
    return {"fate": fate, "reason": "", "text": text or "", "title": title or "",
            "authors": list(authors or []), "day": _day(published_at)}


TABLE_FATES = {"articles": "article", "duplicates": "duplicate"}


def page_url(page: Page) -> str:
    """The page's own web address: pages reach the pipeline with their URL in production (fetched,
    or a WARC record's target), and extraction uses it (the site's name in its host)."""
    url = page.key if page.set == "trafilatura-dev" else page.gold["url"]
    # A few trafilatura-dev pages are named, not addressed ('hard::site-x.html'): an address that says nothing.
    return url if url.startswith(("http://", "https://")) else f"http://x.invalid/{hashlib.sha256(url.encode()).hexdigest()[:12]}"


# A fixed capture time for pages that do not say theirs: dates after it would count as in the future.
CAPTURED = "2026-12-01T00:00:00Z"


def write_warc(pages: list[Page], path: Path) -> dict[str, Path]:
    """The pages as one WARC of HTTP responses, bytes unchanged, each with its URL and capture time
    (fundus: the crawl date); {canonical URL: page}. Two pages of one URL (one article in two site
    layouts) get a query parameter each, so neither replaces the other."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from transforms.utils.ids import canonical_url

    urls: dict[str, Path] = {}
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        for page in pages:
            url = page_url(page).replace(" ", "%20")  # as a WARC target must be written
            if canonical_url(url) in urls:
                url += ("&" if "?" in url else "?") + f"layout={len(urls)}"
            urls[canonical_url(url)] = page.path
            captured = page.gold.get("crawl_date")
            date = (datetime.fromisoformat(captured).replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                    if captured else CAPTURED)
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(read_bytes(page.path)),
                                                          http_headers=http, warc_headers_dict={"WARC-Date": date}))
    return urls


def run_pipeline(pages: list[Page], work: Path) -> dict[Path, dict]:
    """`python -m pipeline run` over the pages, as users run it on a crawl; {page path: output}.

    The pages go in as one WARC (write_warc), so each arrives with its URL as fetched pages do;
    rows are mapped back to pages by canonical URL."""
    work.mkdir(parents=True)
    archive, out = work / "pages.warc.gz", work / "out"
    urls = write_warc(pages, archive)
    cmd = [sys.executable, "-m", "pipeline", "run", "--input", str(archive), "--output", str(out), "-q"]
    done = subprocess.run(cmd, check=False, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    found, by_id, copies = {}, {}, {}
    for table in ("articles", "duplicates"):
        for url, title, text, authors, published_at, id_, duplicate_of in _read_table(
                out, table, "url, title, text, authors, published_at, id, duplicate_of"):
            path = urls[url]
            found[path] = _row(TABLE_FATES[table], text, title, authors, published_at)
            by_id[id_] = path
            if duplicate_of:
                copies[path] = duplicate_of
    for path, kept in copies.items():  # the page a duplicate was found a copy of
        found[path]["reason"] = f"of {by_id[kept].name}" if kept in by_id else f"of {kept}"
    for number, stage, reason in _read_table(out, "rejects", "record_number, stage, reason"):
        found[pages[number - 1].path] = {**EMPTY, "fate": "reject", "reason": f"{stage}.{reason}"}
    return {page.path: found.get(page.path, {**EMPTY, "fate": "missing", "reason": ""}) for page in pages}


def _read_table(out: Path, table: str, columns: str) -> list[tuple]:
    if not list((out / table).glob("*/*.parquet")):
        return []
    return duckdb.sql(f"select {columns} from read_parquet('{out}/{table}/*/*.parquet', "
                      "union_by_name=true)").fetchall()


def run_in_process(pages: list[Page]) -> dict[Path, dict]:
    """The stages' own functions in this process over the same WARC: the reader, extract, clean.
    Language detection is left out: it sets language fields only, and rejects nothing."""
    from schemas import Reject
    from transforms.clean import clean
    from transforms.extract import extract
    from transforms.extract.page import install_speedups
    from transforms.read.files import read_path
    from transforms.utils.stage import exception_reason

    install_speedups()  # as the Extract stage does when it sets up
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        write_warc(pages, Path(tmp) / "pages.warc.gz")
        docs = list(read_path(str(Path(tmp) / "pages.warc.gz")))
    for doc in docs:
        path = pages[doc.record_number - 1].path  # records are numbered from 1, in the pages' order
        if isinstance(doc, Reject):
            out[path] = {**EMPTY, "fate": "reject", "reason": f"read.{doc.reason}"}
            continue
        stage = "extract"
        try:
            doc = extract(doc)
            stage = "clean"
            doc = clean(doc)
        except Exception as exc:  # noqa: BLE001 - the stage would make it a reject
            out[path] = {**EMPTY, "fate": "reject", "reason": f"{stage}.{exception_reason(exc)[0]}"}
            continue
        out[path] = _row("article", doc.text, doc.title, doc.authors, doc.published_at)
    return {page.path: out.get(page.path, {**EMPTY, "fate": "missing", "reason": ""}) for page in pages}


# ---------------------------------------------------------------------------------------------
# One scorer per set: {part: scores} for one extractor's outputs; each also gives per-page scores.

def score_trafilatura_dev(pages: list[Page], outputs: dict[Path, dict], parts) -> tuple[dict, dict]:
    per_page = {p.path: snippet_counts(outputs[p.path]["text"], p.gold) for p in pages}
    scores = {part: snippet_scores([per_page[p.path] for p in _in(pages, part)]) for part in parts}
    return scores, {path: dict(zip(("tp", "fp", "fn"), c)) for path, c in per_page.items()}


def score_aeb(pages: list[Page], outputs: dict[Path, dict], parts) -> tuple[dict, dict]:
    per_page = {p.path: page_scores(outputs[p.path]["text"], p.gold["articleBody"]) for p in pages}
    scores = {part: _average_scores([per_page[p.path] for p in _in(pages, part)]) for part in parts}
    return scores, {path: {"precision": _round(pr), "recall": _round(r)} for path, (pr, r) in per_page.items()}


def score_fundus(pages: list[Page], outputs: dict[Path, dict], parts, utc_days: bool) -> tuple[dict, dict]:
    body = {p.path: page_scores(outputs[p.path]["text"], p.gold["body"]) for p in pages}
    per_page = {}
    for p in pages:
        got, e = outputs[p.path], p.gold
        per_page[p.path] = {
            "precision": _round(body[p.path][0]), "recall": _round(body[p.path][1]),
            "title": got["title"].strip() == (e["title"] or "").strip(),
            "authors": author_set(got["authors"]) == author_set(e["authors"]),
            "day": got["day"] == _expected_day(e["publishing_date"], utc=utc_days)}
    scores = {}
    for part in parts:
        for folder in ("", *FUNDUS_FOLDERS):
            chosen = [p for p in _in(pages, part) if not folder or p.folder == folder]
            rows = [per_page[p.path] for p in chosen]
            n = len(rows) or 1
            scores[part + (f"/{folder}" if folder else "")] = {
                "body": _average_scores([body[p.path] for p in chosen]),
                **{k: round(sum(r[k] for r in rows) / n, 4) for k in ("title", "authors", "day")},
                "pages": len(rows), "publishers": len({p.key for p in chosen})}
    return scores, per_page


def _in(pages: list[Page], part: str) -> list[Page]:
    return pages if part == "all" else [p for p in pages if p.part == part]


def _round(value):
    return None if value is None else round(value, 4)


def score(name: str, pages: list[Page], outputs: dict[Path, dict], parts, extractor: str) -> tuple[dict, dict]:
    if name == "trafilatura-dev":
        return score_trafilatura_dev(pages, outputs, parts)
    if name == "aeb":
        return score_aeb(pages, outputs, parts)
    return score_fundus(pages, outputs, parts, utc_days=extractor == PIPELINE)


# ---------------------------------------------------------------------------------------------
# Running and reporting

def pipeline_folders(pages: list[Page]) -> dict[str, list[Page]]:
    """The pages grouped by the folder they are in: the pipeline runs once per folder."""
    folders: dict[str, list[Page]] = {}
    for page in pages:
        folders.setdefault(str(page.path.parent), []).append(page)
    return folders


def trafilatura_outputs(name: str, pages: list[Page]) -> dict[Path, dict]:
    return {p.path: trafilatura_alone(p.path, metadata=name == "fundus") for p in pages}


def fates(pages: list[Page], outputs: dict[Path, dict]) -> dict:
    count = Counter(outputs[p.path]["fate"] for p in pages)
    reasons = Counter(outputs[p.path]["reason"] for p in pages if outputs[p.path]["fate"] == "reject")
    return {"articles": count["article"], "duplicates": count["duplicate"], "rejects": count["reject"],
            "no_row": count["missing"], "reject_reasons": dict(reasons),
            "not_articles": sorted(f"{outputs[p.path]['fate']}: {p.path.name} ({outputs[p.path]['reason'] or 'no row'})"
                                   for p in pages if outputs[p.path]["fate"] in ("duplicate", "reject", "missing"))}


def _fate_line(f: dict) -> str:
    reasons = ", ".join(f"{r} {n}" for r, n in sorted(f["reject_reasons"].items()))
    return (f"{f['articles']} articles, {f['duplicates']} duplicates, {f['rejects']} rejects"
            f"{f' ({reasons})' if reasons else ''}, {f['no_row']} with no row")


def _mark(value: float, target: float) -> str:
    return f"{value:.4f} {'met' if value >= target else 'NOT met':7}"


def print_set(name: str, every: list[Page], result: dict, parts) -> None:
    """`every`: all the set's pages, whichever parts are scored."""
    counts = Counter(p.part for p in every)
    print(f"\n{SET_TITLES[name]}: {len(every)} pages ({', '.join(f'{k} {counts[k]}' for k in PARTS)})")
    if name == "fundus":
        for folder in FUNDUS_FOLDERS:
            these = [p for p in every if p.folder == folder]
            c = Counter(p.part for p in these)
            print(f"  {folder}: {len(these)} pages, {len({p.key for p in these})} publishers "
                  f"({', '.join(f'{k} {c[k]}' for k in PARTS)})")
    for folder, f in result["fates"].items():
        print(f"  pipeline, {folder}: {_fate_line(f)}")
        for page in f["not_articles"]:
            print(f"    {page}")
    print(f"  trafilatura alone: {', '.join(f'{n} {k}' for k, n in sorted(result['trafilatura_fates'].items()))}")
    if name in ("trafilatura-dev", "aeb"):
        counts = ("tp", "fp", "fn") if name == "trafilatura-dev" else ("empty",)
        print(f"{'extractor':12} {'part':7} {'pages':>5} {'P':>7} {'R':>7} {'F1':>7} "
              + " ".join(f"{c.upper() if len(c) == 2 else c:>5}" for c in counts))
        for who in (PIPELINE, TRAFILATURA):
            for part in parts:
                r = result[who][part]
                print(f"{who:12} {part:7} {r['pages']:5d} {r['precision']:7.4f} {r['recall']:7.4f} {r['f1']:7.4f} "
                      + " ".join(f"{r[c]:5d}" for c in counts))
    else:
        print(f"{'extractor':12} {'part':19} {'pages':>5} {'body P':>7} {'body R':>7} {'body F1':>7} {'empty':>5} "
              f"{'title':>6} {'authors':>7} {'day':>6}")
        for who in (PIPELINE, TRAFILATURA):
            for part in parts:
                for key in (part, *(f"{part}/{folder}" for folder in FUNDUS_FOLDERS)):
                    r, b = result[who][key], result[who][key]["body"]
                    label = key if key == part else "  " + key
                    print(f"{who:12} {label:19} {r['pages']:5d} {b['precision']:7.4f} {b['recall']:7.4f} "
                          f"{b['f1']:7.4f} {b['empty']:5d} {r['title']:6.4f} {r['authors']:7.4f} {r['day']:6.4f}")


def _metric(scores: dict, metric: str) -> float:
    if metric in ("snippet F1", "body F1"):
        return scores["body"]["f1"] if "body" in scores else scores["f1"]
    return scores[{"title exact": "title", "authors exact": "authors", "publication day": "day"}[metric]]


def target_rows(results: dict, parts) -> list[dict]:
    rows = []
    for name, metric, target in TARGETS:
        if name not in results:
            continue
        for part in parts:
            got = {who: _metric(results[name][who][part], metric) for who in (PIPELINE, TRAFILATURA)}
            rows.append({"set": name, "metric": metric, "part": part, "target": target, **got,
                         "pipeline_met": got[PIPELINE] >= target})
    return rows


def collect(all_pages: dict, wanted: dict, in_process: bool) -> tuple[dict, dict, float]:
    """({set: pipeline outputs}, {set: trafilatura outputs}, seconds the pipeline took)."""
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=1) as runner:
        def run_all():
            t = time.monotonic()
            runs = {name: {path: row for i, folder in enumerate(pipeline_folders(pages).values())
                           for path, row in run_pipeline(folder, Path(tmp) / f"{name}-{i}").items()}
                    for name, pages in all_pages.items()}
            return runs, time.monotonic() - t
        # The pipeline runs in processes of its own while trafilatura alone runs here.
        pending = None if in_process else runner.submit(run_all)
        # trafilatura alone before the in-process pipeline, whose stage set-up replaces some of
        # trafilatura's internals in this process (equivalent by design, but the baseline is
        # trafilatura untouched).
        tra_out = {name: trafilatura_outputs(name, pages) for name, pages in wanted.items()}
        if pending is not None:
            pipeline_out, seconds = pending.result()
            return pipeline_out, tra_out, seconds
        t = time.monotonic()
        pipeline_out = {name: run_in_process(pages) for name, pages in wanted.items()}
        return pipeline_out, tra_out, time.monotonic() - t


def evaluate(all_pages: dict, wanted: dict, pipeline_out: dict, tra_out: dict, parts) -> tuple[dict, list]:
    """Scores of every set, printed as they come, and one record per page."""
    results, page_records = {}, []
    for name, pages in wanted.items():
        result = {"fates": {}}
        groups = {"all": pages} if name != "fundus" else {f: [p for p in pages if p.folder == f] for f in FUNDUS_FOLDERS}
        for folder, these in groups.items():
            result["fates"][folder] = fates(these, pipeline_out[name])
        result["trafilatura_fates"] = dict(Counter(tra_out[name][p.path]["fate"] for p in pages))
        per_page = {}
        for who, outputs in ((PIPELINE, pipeline_out[name]), (TRAFILATURA, tra_out[name])):
            result[who], per_page[who] = score(name, pages, outputs, parts, who)
        results[name] = result
        print_set(name, all_pages[name], result, parts)
        for p in pages:
            page_records.append({"set": name, "key": p.key, "file": p.path.name, "part": p.part,
                                 **({"folder": p.folder} if p.folder else {}),
                                 **{who: {"fate": out[name][p.path]["fate"], "reason": out[name][p.path]["reason"],
                                          **per_page[who][p.path]}
                                    for who, out in ((PIPELINE, pipeline_out), (TRAFILATURA, tra_out))}})
    return results, page_records


def print_targets(rows: list[dict], in_process: bool) -> None:
    print(f"\ntargets (pipeline{' in process' if in_process else ''}; trafilatura 2.3.1 alone beside it)")
    print(f"{'set':16} {'metric':16} {'part':7} {'target':>6}  {'pipeline':16} {'trafilatura':16}")
    for r in rows:
        print(f"{r['set']:16} {r['metric']:16} {r['part']:7} {r['target']:6.3f}  {_mark(r[PIPELINE], r['target']):16} "
              f"{_mark(r[TRAFILATURA], r['target']):16}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(DEFAULT_SHARED))
    ap.add_argument("--json", default=None, help="write every figure, page fates and per-page scores here")
    ap.add_argument("--in-process", action="store_true",
                    help="call the stages' functions in this process instead of `pipeline run` (fast tuning)")
    ap.add_argument("--parts", default="tune,report,all", help="parts to score: tune, report, all")
    ap.add_argument("--sets", default=",".join(SETS), help="sets to score: " + ", ".join(SETS))
    args = ap.parse_args(argv)
    parts = [p for p in args.parts.split(",") if p]
    sets = [s for s in args.sets.split(",") if s]
    if set(parts) - {*PARTS, "all"} or set(sets) - set(SETS):
        ap.error(f"parts are {PARTS + ('all',)}, sets are {SETS}")
    started = time.monotonic()
    all_pages = pages_of(Path(args.shared) / "eval", sets)
    # Only the pages of the parts asked for are extracted; a pipeline run still takes every page
    # of its folder, so that a page's fate does not depend on which others were run beside it.
    wanted = {name: (pages if "all" in parts else [p for p in pages if p.part in parts])
              for name, pages in all_pages.items()}
    pipeline_out, tra_out, pipeline_seconds = collect(all_pages, wanted, args.in_process)

    if args.in_process:
        print("note: --in-process: the stages' functions (read, extract, clean) ran in this process, not "
              "`pipeline run`; no language step (it changes no scored field) and no near-duplicate step, "
              "so every page with text counts as an article")
    print(f"split: part_of(key) = tune if sha256(key)[0] is even, else report; parts scored: {', '.join(parts)}")
    results, page_records = evaluate(all_pages, wanted, pipeline_out, tra_out, parts)
    rows = target_rows(results, parts)
    print_targets(rows, args.in_process)
    print(f"pipeline meets {sum(r['pipeline_met'] for r in rows)} of {len(rows)} targets; "
          f"elapsed {time.monotonic() - started:.0f} s "
          f"(pipeline {'in process' if args.in_process else 'runs'} {pipeline_seconds:.0f} s)")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({
            "mode": "in-process" if args.in_process else "pipeline run", "trafilatura": trafilatura.__version__,
            "parts": parts, "split": "tune if sha256(key.encode('utf-8')).digest()[0] % 2 == 0 else report",
            "part_sizes": {n: dict(Counter(p.part for p in ps)) for n, ps in all_pages.items()},
            "sets": results, "targets": rows, "pages": page_records}, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
