"""A scheduled run against outputs of growing size: its wall time and peak memory.

    python -m bench.scale_history [--sizes 10000,100000,1000000] [--recent fixed proportional]
                                  [--repeat 3] [--work-dir DIR] [--json FILE]

A scheduled run reads back what earlier runs wrote (transforms/dedup/history.py) before it
starts. This bench builds synthetic earlier outputs of N articles and times one run of 1,000
new documents into a copy of each, to show how that run's cost follows N.

The earlier output of N articles (built once per N, variant and run date, cached under
--work-dir, default $TMPDIR/news-ingest-scale-history):
- articles/date=YYYY-MM-DD/: 365 publication-date partitions ending the day before the run date
  (today, UTC). Each partition's rows are sorted by id and split into FILES_PER_PARTITION files
  at least (fewer when it has fewer rows) of at most ROWS_PER_FILE rows, named like the
  pipeline's (part-<hash of ids>.parquet), zstd, with the project's schema. Ids are
  article_id(canonical URL). Texts are a sentence of random words, since the history step does
  not read texts; only the articles of the last REMEMBERED days carry whole stories (200-400
  words), because their signatures are made from them.
- duplicates/date=.../: a copy of every DUPLICATE_EVERY-th article, in its partition, on another
  site, linked to it (cluster_id, duplicate_of).
- _state/signatures/date=<day>/: the near-duplicate state of the last REMEMBERED days (articles
  and copies of those days, ingested the day they were published), computed with the project's
  own minhash.features and schemas.signature_row, in SIGNATURE_FILES_PER_DAY files a day (hourly runs).
Two variants of the recent days (--recent):
- fixed: the last REMEMBERED partitions hold RECENT_PER_DAY articles a day in every size (a year
  of backfill followed by hourly runs at a constant rate); the rest of N is spread over the
  other days. With their copies, 1.1 x 7 x RECENT_PER_DAY signature rows;
- proportional: N is spread evenly over the 365 days, so the recent days hold 7/365 of N
  articles, and 1.1 x 7/365 x N signature rows with their copies.

The new run (new.jsonl beside each cached output; fields url, title, text, published, authors),
published over the last NEW_DAYS days before the run date:
- NEW_FRESH new stories, the first NEW_COPIES of which have a light copy (the near-duplicate
  benchmark's `light` edit) in the run on another site: duplicates within the run;
- NEW_HISTORY_COPIES light copies of recent earlier articles (their signatures are in the state):
  duplicates linked to history;
- NEW_EXISTING records whose URL an earlier run wrote, published on that article's date: skipped.
Texts are random words of the bundled samples, with a few names and numbers, seeded.

Each measured run: the cached output is copied (cp -a, not timed) to a scratch folder, then
`python -m pipeline run --input new.jsonl --output SCRATCH -q` runs from this repository's root
(PYTHONPATH set to it) under GNU time (`/usr/bin/time -v`): wall time measured around the
command; CPU time is GNU time's user + system time; peak memory is its "Maximum resident set
size", the largest RSS of the command's process and of any of its descendants (not their sum;
the default local runner is one process). Without /usr/bin/time, a wrapper process reports
getrusage(RUSAGE_CHILDREN) of its child, the same measures. The points are run in --repeat
rounds, each point once a round, so a busy spell of a shared machine does not fall on one
point; the load average before each run is kept. Articles, duplicates and skips come from the
printed summary; the duplicates linked to earlier articles are read back from the Parquet the
run wrote. Printed: a Markdown table (median wall and CPU time, the largest peak RSS) and, per
variant, the ratio of the largest N to the smallest.
"""
from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import math
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.near_dup_corpus import light  # noqa: E402
from schemas import SIGNATURE_SCHEMA, SIGNATURES_FOLDER, file_schema, signature_row  # noqa: E402
from transforms.dedup.minhash import features  # noqa: E402
from transforms.utils.ids import article_id, canonical_url, content_hash  # noqa: E402
from transforms.write import file_name  # noqa: E402

DAYS = 365
REMEMBERED = 7  # days of signatures kept (the pipeline's default --remember-days)
RECENT_PER_DAY = 1_000  # articles a day in the last REMEMBERED partitions, variant `fixed`
DUPLICATE_EVERY = 10  # every tenth article has a copy in duplicates/
FILES_PER_PARTITION = 3
ROWS_PER_FILE = 2_000
SIGNATURE_FILES_PER_DAY = 24
SITES = 200
NEW_DAYS = 3
NEW_FRESH, NEW_COPIES, NEW_HISTORY_COPIES, NEW_EXISTING = 860, 100, 20, 20
SEED = 20261207
VARIANTS = ("fixed", "proportional")
SAMPLE_TEXTS = ["samples/text/harbour-bridge-reopens.txt", "samples/text/library-card-prose.txt"]
SAMPLE_JSONL = "samples/jsonl/wire-and-science.jsonl"
NAMES = ["Okafor", "Lindqvist", "Moreau", "Tanaka", "Alvarez", "Novak", "Haddad", "Brennan", "Kowalski",
         "Mensah", "Ferreira", "Castell", "Ivanova", "Dubois", "Nakamura", "Osei", "Bergstrom", "Rossi",
         "Quinlan", "Varga", "Hartmann", "Sato", "Mbeki", "Laurent", "Petrov", "Kaur", "Whitfield", "Ortega",
         "Halloran", "Eriksen", "Adeyemi", "Marchetti", "Delgado", "Fischer", "Olsen", "Carmody"]
TS = pa.timestamp("us", tz="UTC")


# ---- synthetic text -------------------------------------------------------------------------

def vocabulary() -> list[str]:
    """Lower-case words of the bundled English samples' texts: a fixed vocabulary."""
    texts = [(REPO / p).read_text(encoding="utf-8") for p in SAMPLE_TEXTS]
    for line in (REPO / SAMPLE_JSONL).read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(ValueError):  # the sample holds a line cut off on purpose
            texts.append(json.loads(line).get("text", ""))
    return sorted(set(re.findall(r"\b[a-z]{2,}\b", " ".join(texts))))


VOCAB = vocabulary()
VOCAB_ARRAY = np.array(VOCAB)


def sentence(rng: random.Random) -> str:
    words = [rng.choice(VOCAB) for _ in range(rng.randint(8, 18))]
    if rng.random() < 0.3:
        words.insert(rng.randint(1, len(words) - 1), rng.choice(NAMES))
    if rng.random() < 0.2:
        words.insert(rng.randint(1, len(words) - 1), str(rng.randrange(2, 5000)))
    words[0] = words[0].capitalize()
    return " ".join(words)


def story(key: str) -> tuple[str, list[str]]:
    """(title, paragraphs) of a seeded story of 200-400 words."""
    rng = random.Random(f"{SEED}:{key}")
    target, paragraphs, words = rng.randint(200, 400), [], 0
    while words < target:
        paragraph = ". ".join(sentence(rng) for _ in range(rng.randint(2, 5))) + "."
        paragraphs.append(paragraph)
        words += len(paragraph.split())
    title = " ".join(rng.choice(VOCAB) for _ in range(7)).capitalize()
    return title, paragraphs


def light_copy(key: str, paragraphs: list[str], title: str) -> str:
    """A syndicated copy: headline, copy edits, outlet boilerplate (bench/near_dup_corpus.light)."""
    return "\n\n".join(light(random.Random(f"{SEED}:copy:{key}"), paragraphs, title))


def short_texts(rng: np.random.Generator, n: int, words: int) -> list[str]:
    """n random sentences of `words` words (vectorised draw)."""
    picks = VOCAB_ARRAY[rng.integers(0, len(VOCAB), size=(n, words))]
    return [" ".join(row).capitalize() + "." for row in picks]


# ---- layout of the earlier output -----------------------------------------------------------

def day_counts(n: int, variant: str) -> list[int]:
    """Articles per partition, oldest first (DAYS partitions)."""
    def spread(total: int, days: int) -> list[int]:
        return [total * (d + 1) // days - total * d // days for d in range(days)]

    if variant == "proportional":
        return spread(n, DAYS)
    recent = min(RECENT_PER_DAY * REMEMBERED, n)
    return spread(n - recent, DAYS - REMEMBERED) + spread(recent, REMEMBERED)


def partition_days(run_date: date) -> list[date]:
    return [run_date - timedelta(days=DAYS - d) for d in range(DAYS)]


def day_us(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp()) * 10**6


class Layout:
    """Where each of the N articles (indexed oldest first) lives, and which are recent."""

    def __init__(self, n: int, variant: str, run_date: date):
        self.n, self.variant, self.run_date = n, variant, run_date
        self.days = partition_days(run_date)
        counts = day_counts(n, variant)
        self.starts = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self.day_of = np.repeat(np.arange(DAYS), counts)
        self.first_recent = int(self.starts[DAYS - REMEMBERED])

    def url(self, i: int) -> str:
        day = self.days[self.day_of[i]]
        return f"https://www.site{i % SITES:03d}.example/{day:%Y/%m/%d}/story-{i:07d}.html"

    def copy_url(self, i: int) -> str:
        return f"https://news.outlet{(i * 7) % SITES:03d}.example/wire/{i:07d}"

    def is_recent(self, i: int) -> bool:
        return i >= self.first_recent


# ---- article and duplicate tables -----------------------------------------------------------

def list_column(values, typ: pa.DataType) -> pa.Array:
    """One-element lists, one per row."""
    values = pa.array(values) if not isinstance(values, pa.Array) else values
    return pa.ListArray.from_arrays(pa.array(np.arange(len(values) + 1, dtype=np.int32)), values).cast(typ)


def article_table(cols: dict) -> pa.Table:
    """A table of file_schema('articles') from the varying columns; the rest are constants of an
    English article."""
    schema = file_schema("articles")
    n = len(cols["id"])
    lengths = np.array([len(t) for t in cols["text"]], dtype=np.int32)
    languages = pa.StructArray.from_arrays([pa.array(["en"] * n), pa.array(np.ones(n, dtype=np.float32))],
                                           names=["lang", "share"])
    segments = pa.StructArray.from_arrays([pa.array(np.zeros(n, dtype=np.int32)), pa.array(lengths),
                                           pa.array(["en"] * n)], names=["start", "end", "lang"])
    data = {
        **{k: cols[k] for k in ("id", "url", "title", "text", "content_hash", "cluster_id", "duplicate_of",
                                "site_name")},
        "source": ["feed"] * n,
        "authors": list_column(cols["author"], schema.field("authors").type),
        "published_at": pa.array(cols["published_us"], type=TS),
        "date_source": ["feed"] * n,
        "fetched_at": pa.array(cols["fetched_us"], type=TS),
        "description": pa.nulls(n, pa.string()),
        "is_accessible_for_free": pa.nulls(n, pa.bool_()),
        "language": ["en"] * n,
        "language_confidence": pa.array(np.full(n, 0.99, dtype=np.float32)),
        "languages": list_column(languages, schema.field("languages").type),
        "is_mixed_language": pa.array(np.zeros(n, dtype=bool)),
        "segments": list_column(segments, schema.field("segments").type),
        "boilerplate_removed_chars": pa.array(np.zeros(n, dtype=np.int32)),
    }
    return pa.table({name: pa.array(data[name], type=schema.field(name).type)
                     if not isinstance(data[name], pa.Array) else data[name] for name in schema.names}, schema=schema)


def times(layout: Layout, index: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Publication and capture times (µs) of the articles `index`: within their day, captured up to
    two hours later, and within the day too, so the ingestion day is the publication day."""
    starts = np.array([day_us(d) for d in layout.days], dtype=np.int64)[layout.day_of[index]]
    published = starts + rng.integers(0, 20 * 3600, size=index.size) * 10**6
    return published, published + rng.integers(60, 2 * 3600, size=index.size) * 10**6


def article_columns(layout: Layout, stories: dict) -> dict:
    """Columns of the N articles; `stories` holds the whole text of the recent ones by index."""
    rng = np.random.default_rng(SEED)
    index = np.arange(layout.n)
    urls = [layout.url(i) for i in range(layout.n)]
    ids = [article_id(canonical_url(u)) for u in urls]
    texts = short_texts(rng, layout.n, 14)
    for i, (_, paragraphs) in stories.items():
        texts[i] = "\n\n".join(paragraphs)
    titles = short_texts(rng, layout.n, 6)
    for i, (title, _) in stories.items():
        titles[i] = title
    published, fetched = times(layout, index, rng)
    return {"id": ids, "url": urls, "title": titles, "text": texts, "content_hash": [content_hash(t) for t in texts],
            "cluster_id": ids, "duplicate_of": [None] * layout.n, "site_name": [f"Site {i % SITES}" for i in index],
            "author": [NAMES[i % len(NAMES)] for i in index], "published_us": published, "fetched_us": fetched}


def duplicate_columns(layout: Layout, articles: dict, stories: dict) -> dict:
    """A copy of every DUPLICATE_EVERY-th article, in its partition; copies of recent articles are
    light copies of the whole story, the others short texts."""
    rng = np.random.default_rng(SEED + 1)
    of = np.arange(0, layout.n, DUPLICATE_EVERY)
    urls = [layout.copy_url(int(i)) for i in of]
    texts = short_texts(rng, of.size, 14)
    for k, i in enumerate(of):
        if int(i) in stories:
            title, paragraphs = stories[int(i)]
            texts[k] = light_copy(str(i), paragraphs, title)
    delay = rng.integers(60, 3600, size=of.size) * 10**6
    ids = [article_id(canonical_url(u)) for u in urls]
    kept = [articles["id"][i] for i in of]
    return {"id": ids, "url": urls, "title": [articles["title"][i] for i in of], "text": texts,
            "content_hash": [content_hash(t) for t in texts], "cluster_id": kept, "duplicate_of": kept,
            "site_name": [f"Outlet {(i * 7) % SITES}" for i in of], "author": [articles["author"][i] for i in of],
            "published_us": articles["published_us"][of] + delay, "fetched_us": articles["fetched_us"][of] + delay,
            "of": of}


# ---- writing --------------------------------------------------------------------------------

def file_sizes(rows: int) -> list[int]:
    """Rows of each file of a partition: FILES_PER_PARTITION files at least, ROWS_PER_FILE rows at most."""
    files = max(min(FILES_PER_PARTITION, rows), math.ceil(rows / ROWS_PER_FILE))
    return [rows * (k + 1) // files - rows * k // files for k in range(files)]


def write_sorted(table: pa.Table, folder: Path, chunks: list[int], schema: pa.Schema) -> int:
    """Writes `table` in files of `chunks` rows, each sorted by id and named by its ids."""
    folder.mkdir(parents=True, exist_ok=True)
    start = 0
    for rows in chunks:
        part = table.slice(start, rows)
        part = part.take(np.argsort(np.array(part.column("id").to_pylist(), dtype=object), kind="stable"))
        pq.write_table(part.cast(schema), folder / file_name(part.column("id").to_pylist()), compression="zstd")
        start += rows
    return len(chunks)


def write_partitioned(out: Path, folder: str, table: pa.Table, day_index: np.ndarray, days: list[date]) -> int:
    """Rows of `table` (ordered by day) into folder/date=YYYY-MM-DD/ files; returns the file count."""
    schema, files = file_schema("articles"), 0
    bounds = np.searchsorted(day_index, np.arange(DAYS + 1))
    for d in range(DAYS):
        rows = int(bounds[d + 1] - bounds[d])
        if rows:
            files += write_sorted(table.slice(int(bounds[d]), rows), out / folder / f"date={days[d]}",
                                  file_sizes(rows), schema)
    return files


def signature_rows(cols: dict, pick: list[int]) -> list[dict]:
    """Signature rows (the project's features and signature_row) of rows `pick` of a table's columns."""
    out = []
    for k in pick:
        published = datetime.fromtimestamp(cols["published_us"][k] / 1e6, timezone.utc)
        fetched = datetime.fromtimestamp(cols["fetched_us"][k] / 1e6, timezone.utc)
        feats = features(cols["id"][k], cols["text"][k], cols["content_hash"][k], published, fetched)
        feats.cluster_id = cols["cluster_id"][k]
        out.append(signature_row(feats))
    return out


def write_signatures(out: Path, rows_by_day: dict) -> int:
    """Each day's signature rows in SIGNATURE_FILES_PER_DAY files (by capture time, as hourly runs
    write them), under _state/signatures/date=<day>/."""
    files = 0
    for day, rows in sorted(rows_by_day.items()):
        rows.sort(key=lambda r: r["fetched_at"])
        chunks = [rows[len(rows) * k // SIGNATURE_FILES_PER_DAY: len(rows) * (k + 1) // SIGNATURE_FILES_PER_DAY]
                  for k in range(SIGNATURE_FILES_PER_DAY)]
        table = pa.Table.from_pylist([r for chunk in chunks for r in chunk], schema=SIGNATURE_SCHEMA)
        files += write_sorted(table, out / SIGNATURES_FOLDER / f"date={day}", [len(c) for c in chunks if c],
                              SIGNATURE_SCHEMA)
    return files


# ---- the earlier output and the new run -----------------------------------------------------

def recent_stories(layout: Layout) -> dict:
    return {i: story(f"article-{i}") for i in range(layout.first_recent, layout.n)}


def build_earlier(layout: Layout, out: Path) -> dict:
    """Writes the earlier output under `out`; returns its file counts and the article columns."""
    stories = recent_stories(layout)
    articles = article_columns(layout, stories)
    duplicates = duplicate_columns(layout, articles, stories)
    files = {"articles": write_partitioned(out, "articles", article_table(articles), layout.day_of, layout.days),
             "duplicates": write_partitioned(out, "duplicates", article_table(duplicates),
                                             layout.day_of[duplicates["of"]], layout.days)}
    by_day: dict = {}
    recent = list(range(layout.first_recent, layout.n))
    recent_copies = [k for k, i in enumerate(duplicates["of"]) if layout.is_recent(int(i))]
    for rows, of in ((signature_rows(articles, recent), recent),
                     (signature_rows(duplicates, recent_copies), duplicates["of"][recent_copies])):
        for row, i in zip(rows, of):
            by_day.setdefault(layout.days[layout.day_of[i]], []).append(row)  # ingested the day it was published
    files["signatures"] = write_signatures(out, by_day)
    return {"files": files, "rows": {"articles": layout.n, "duplicates": len(duplicates["id"]),
                                     "signatures": sum(len(r) for r in by_day.values())}}, articles


def published_iso(us: int) -> str:
    return datetime.fromtimestamp(us / 1e6, timezone.utc).isoformat()


def new_time(rng: random.Random, run_date: date) -> str:
    day = run_date - timedelta(days=rng.randint(1, NEW_DAYS))
    return published_iso(day_us(day) + rng.randrange(0, 20 * 3600) * 10**6)


def record(url: str, title: str, text: str, published: str, author: str) -> dict:
    return {"url": url, "title": title, "text": text, "published": published, "authors": [author]}


def new_documents(layout: Layout, articles: dict) -> list[dict]:
    """The run's records (see the module docstring), shuffled with a fixed seed."""
    rng = random.Random(SEED)
    out = []
    for j in range(NEW_FRESH):
        title, paragraphs = story(f"new-{j}")
        author, when = rng.choice(NAMES), new_time(rng, layout.run_date)
        out.append(record(f"https://www.daily{j % 50:02d}.example/news/new-{j:04d}", title, "\n\n".join(paragraphs),
                          when, author))
        if j < NEW_COPIES:
            out.append(record(f"https://www.regional{j % 30:02d}.example/wire/new-{j:04d}-copy", title,
                              light_copy(f"new-{j}", paragraphs, title), new_time(rng, layout.run_date), author))
    recent = range(layout.first_recent, layout.n)
    for k in range(NEW_HISTORY_COPIES):
        i = recent[(k * len(recent)) // NEW_HISTORY_COPIES]
        title, paragraphs = story(f"article-{i}")
        out.append(record(f"https://www.regional{k:02d}.example/wire/old-{i:07d}-copy", title,
                          light_copy(f"old-{i}", paragraphs, title), new_time(rng, layout.run_date), NAMES[k]))
    for k in range(NEW_EXISTING):
        i = (k * layout.n) // NEW_EXISTING + layout.n // (2 * NEW_EXISTING)
        title, paragraphs = story(f"again-{i}")
        out.append(record(layout.url(i), title, "\n\n".join(paragraphs),
                          published_iso(int(articles["published_us"][i])), articles["author"][i]))
    random.Random(SEED).shuffle(out)
    return out


def disk_usage(folder: Path) -> dict:
    """Files and bytes per top-level table folder (and _state/signatures)."""
    out = {}
    for name, sub in (("articles", "articles"), ("duplicates", "duplicates"), ("signatures", SIGNATURES_FOLDER)):
        files = list((folder / sub).rglob("*.parquet"))
        out[name] = {"files": len(files), "bytes": sum(f.stat().st_size for f in files)}
    return out


def generator_digest() -> str:
    """A hash of this file and the sample texts: a cache made by another version is not reused."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for path in [*SAMPLE_TEXTS, SAMPLE_JSONL]:
        digest.update((REPO / path).read_bytes())
    return digest.hexdigest()[:8]


def prepared(work: Path, n: int, variant: str, run_date: date) -> Path:
    """The cached earlier output and new.jsonl for (n, variant, run date), built when missing;
    caches of the same (n, variant) for another date or generator are deleted."""
    home = work / f"n{n}-{variant}-{run_date}-{generator_digest()}"
    if (home / "built.json").is_file():
        return home
    for stale in work.glob(f"n{n}-{variant}-*"):
        shutil.rmtree(stale)
    building = work / f".building-{home.name}-{os.getpid()}"
    shutil.rmtree(building, ignore_errors=True)
    started = time.monotonic()
    layout = Layout(n, variant, run_date)
    summary, articles = build_earlier(layout, building / "earlier")
    with open(building / "new.jsonl", "w", encoding="utf-8") as f:
        for rec in new_documents(layout, articles):
            f.write(json.dumps(rec) + "\n")
    summary.update(n=n, variant=variant, run_date=str(run_date), build_seconds=round(time.monotonic() - started, 1),
                   disk=disk_usage(building / "earlier"))
    (building / "built.json").write_text(json.dumps(summary, indent=1) + "\n")
    shutil.rmtree(home, ignore_errors=True)
    building.rename(home)
    print(f"built {home} in {summary['build_seconds']} s", file=sys.stderr, flush=True)
    return home


# ---- measuring ------------------------------------------------------------------------------

_WRAPPER = ("import resource, subprocess, sys; rc = subprocess.call(sys.argv[1:]); "
            "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
            "print(u.ru_maxrss, u.ru_utime + u.ru_stime, file=sys.stderr); sys.exit(rc)")


def child_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    return env


def gnu_time(report: str) -> tuple[int, float]:
    """(maximum RSS in kB, user + system seconds) from `/usr/bin/time -v` output."""
    def field(label: str) -> str:
        return re.search(re.escape(label) + r": ([\d.]+)", report).group(1)

    return (int(field("Maximum resident set size (kbytes)")),
            float(field("User time (seconds)")) + float(field("System time (seconds)")))


def timed(command: list[str], scratch: Path) -> dict:
    """Wall seconds, CPU seconds (user + system, the process and its children), peak RSS (MB) and
    stdout of `command`, run from the repository root."""
    report = scratch.with_suffix(".time")
    gnu = Path("/usr/bin/time").exists()
    wrapped = (["/usr/bin/time", "-v", "-o", str(report), *command] if gnu
               else [sys.executable, "-c", _WRAPPER, *command])
    load = os.getloadavg()[0]
    started = time.monotonic()
    proc = subprocess.run(wrapped, cwd=REPO, env=child_env(), capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    if proc.returncode != 0:
        raise RuntimeError(f"run failed ({proc.returncode}): {proc.stderr[-2000:]}")
    if gnu:
        kb, cpu = gnu_time(report.read_text())
        report.unlink()
    else:
        kb, cpu = proc.stderr.strip().splitlines()[-1].split()
    return {"seconds": round(wall, 2), "cpu_seconds": round(float(cpu), 2), "peak_rss_mb": round(int(kb) / 1024, 1),
            "load_before": round(load, 2), "stdout": proc.stdout}


def summary_counts(stdout: str) -> dict:
    def count(pattern: str) -> int:
        found = re.search(pattern + r": (\d+)", stdout)
        return int(found.group(1)) if found else 0

    return {"read": count("documents read"), "articles": count("articles written"), "duplicates": count("duplicates"),
            "rejects": count("rejects"), "skipped": count(r"already in output \(skipped\)"),
            "balance_ok": "balance: read = articles + duplicates + rejects + skipped + filtered: ok" in stdout}


def linked_to_earlier(earlier: Path, scratch: Path) -> int:
    """Duplicates the run wrote whose kept article is not one of the run's own articles."""
    def new_files(table: str) -> list[Path]:
        return [f for f in (scratch / table).rglob("*.parquet") if not (earlier / f.relative_to(scratch)).exists()]

    own = {i for f in new_files("articles") for i in pq.read_table(f, columns=["id"]).column("id").to_pylist()}
    kept = [i for f in new_files("duplicates") for i in pq.read_table(f, columns=["duplicate_of"])
            .column("duplicate_of").to_pylist()]
    return sum(1 for i in kept if i not in own)


def measure_once(home: Path, scratch: Path) -> dict:
    shutil.rmtree(scratch, ignore_errors=True)
    subprocess.run(["cp", "-a", str(home / "earlier"), str(scratch)], check=True)
    command = [sys.executable, "-m", "pipeline", "run", "--input", str(home / "new.jsonl"), "--output", str(scratch),
               "-q"]
    result = timed(command, scratch)
    result.update(summary_counts(result.pop("stdout")), linked_to_earlier=linked_to_earlier(home / "earlier", scratch))
    shutil.rmtree(scratch)
    return result


def point(home: Path, runs: list[dict]) -> dict:
    """One row of the table: medians of time, the largest peak RSS, the last run's counts."""
    built = json.loads((home / "built.json").read_text())
    last = runs[-1]
    return {"n": built["n"], "recent": built["variant"], "signatures": built["rows"]["signatures"],
            "seconds_median": round(statistics.median(r["seconds"] for r in runs), 2),
            "cpu_seconds_median": round(statistics.median(r["cpu_seconds"] for r in runs), 2),
            "peak_rss_mb_max": max(r["peak_rss_mb"] for r in runs),
            **{k: last[k] for k in ("articles", "duplicates", "skipped", "rejects", "linked_to_earlier")},
            "same_counts_every_run": all(r[k] == last[k] for r in runs for k in ("articles", "duplicates", "skipped")),
            "runs": runs, "earlier_output": built}


def measure_all(homes: list[Path], scratch: Path, repeat: int) -> list[dict]:
    """`repeat` rounds, each running every point once, so a busy spell of the machine is spread
    over the points rather than falling on one of them."""
    runs: dict = {home: [] for home in homes}
    for k in range(repeat):
        for home in homes:
            runs[home].append(measure_once(home, scratch))
            print(f"{home.name} round {k + 1}/{repeat}: {runs[home][-1]}", file=sys.stderr, flush=True)
    return [point(home, runs[home]) for home in homes]


# ---- report ---------------------------------------------------------------------------------

COLUMNS = ["N", "recent signatures", "time s (median of {repeat})", "CPU s (median)", "peak RSS MB",
           "articles written", "duplicates", "skipped existing", "of the duplicates, linked to earlier"]


def table(points: list[dict], repeat: int) -> str:
    lines = ["| " + " | ".join(COLUMNS).format(repeat=repeat) + " |", "|---" * len(COLUMNS) + "|"]
    for p in points:
        cells = [f"{p['n']:,}", f"{p['recent']}: {p['signatures']:,}", f"{p['seconds_median']:.2f}",
                 f"{p['cpu_seconds_median']:.2f}", f"{p['peak_rss_mb_max']:.0f}", p["articles"], p["duplicates"],
                 p["skipped"], p["linked_to_earlier"]]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def ratios(points: list[dict]) -> dict:
    """Per variant: largest N over smallest N, for wall time, CPU time and peak memory."""
    out = {}
    for variant in VARIANTS:
        mine = sorted((p for p in points if p["recent"] == variant), key=lambda p: p["n"])
        if len(mine) >= 2:
            small, large = mine[0], mine[-1]
            out[variant] = {"from_n": small["n"], "to_n": large["n"],
                            "time": round(large["seconds_median"] / small["seconds_median"], 2),
                            "cpu": round(large["cpu_seconds_median"] / small["cpu_seconds_median"], 2),
                            "peak_rss": round(large["peak_rss_mb_max"] / small["peak_rss_mb_max"], 2)}
    return out


def code_info() -> dict:
    probe = subprocess.run([sys.executable, "-c", "import transforms; print(transforms.__file__)"], cwd=REPO,
                           env=child_env(), capture_output=True, text=True)
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True)
    return {"repo": str(REPO), "commit": commit.stdout.strip(), "modified_files": dirty.stdout.splitlines(),
            "transforms_module": probe.stdout.strip()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000", help="earlier articles N, comma-separated (1e6 works)")
    ap.add_argument("--recent", nargs="+", choices=VARIANTS, default=["fixed"], help="signature variants")
    ap.add_argument("--repeat", type=int, default=3, help="measured runs per point")
    ap.add_argument("--work-dir", default=str(Path(tempfile.gettempdir()) / "news-ingest-scale-history"))
    ap.add_argument("--json", default="")
    args = ap.parse_args(argv)
    started = time.monotonic()
    work = Path(args.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    run_date = datetime.now(timezone.utc).date()
    code = code_info()
    print(f"code: {code}", file=sys.stderr, flush=True)
    homes = [prepared(work, n, variant, run_date) for variant in args.recent
             for n in sorted(int(float(s)) for s in args.sizes.split(","))]
    points = measure_all(homes, work / f"scratch-{os.getpid()}", args.repeat)
    found = ratios(points)
    print(table(points, args.repeat))
    for variant, r in found.items():
        print(f"{variant}: N {r['to_n']:,} vs {r['from_n']:,}: time {r['time']}x, CPU {r['cpu']}x, "
              f"peak RSS {r['peak_rss']}x")
    if datetime.now(timezone.utc).date() != run_date:
        print("warning: the date changed during the bench; later runs had another run date", file=sys.stderr)
    results = {"run_date": str(run_date), "code": code, "machine": {"cores": os.cpu_count(),
               "python": platform.python_version()}, "repeat": args.repeat, "points": points, "ratios": found,
               "bench_seconds": round(time.monotonic() - started, 1)}
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
