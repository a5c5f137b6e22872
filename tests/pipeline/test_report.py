"""`news-ingest report`: the text and the one-file HTML report over real outputs of the command."""
import json
import os
import random
import re
import shutil
from datetime import datetime

import pyarrow.parquet as pq
import pytest
from apache_beam.io.filesystems import FileSystems

from pipeline.report import SHORT_TEXT_CHARS, collect, write_report
from tests.conftest import SAMPLES, count, run_cli
from tests.transforms.write.test_commit_recovery import MemoryStore  # noqa: F401 - registers memtest://
from transforms.utils.health import problems, site_of

SECTION_CHARTS = ["chart-published", "chart-ingested", "chart-languages", "chart-sources", "chart-health",
                  "chart-rejects", "chart-clusters", "chart-mixed"]
DAY0, DAY1, DAY2 = "2025-02-01", "2025-03-01", "2025-03-02"
WORDS = ("harbour council budget school river bridge market train energy water court police festival museum "
         "farmers election hospital weather storm road tunnel library airport factory workers union price "
         "tourism fishing forest park housing rent tax trade port ferry grain wheat mayor minister").split()


def _stamp(folder, day):
    t = datetime.fromisoformat(f"{day}T12:00:00+00:00").timestamp()
    for path in folder.rglob("*"):
        os.utime(path, (t, t))


def _story(rng, n=120):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _jsonl(folder, day, records):
    folder.mkdir(parents=True)
    (folder / f"{day}.jsonl").write_text("".join(r if isinstance(r, str) else json.dumps(r) + "\n" for r in records),
                                         encoding="utf-8")
    _stamp(folder, day)
    return folder


def _article(rng, site, n, day, good=True):
    rec = {"url": f"https://www.{site}/{day}/story-{n}", "text": _story(rng), "published": f"{day}T08:00:00Z"}
    if good:
        rec.update(title=f"Story {n} from {site}", authors=["A. Writer"])
    return rec


@pytest.fixture(scope="module")
def several_runs(tmp_path_factory):
    """samples/html, then all the samples (captured on DAY0), then two days of JSONL: on the second, the
    pages of daily.example.com lose their title and authors (a layout change); one story is copied twice
    and one line is not JSON."""
    tmp = tmp_path_factory.mktemp("several")
    samples = tmp / "samples"
    shutil.copytree(SAMPLES, samples)
    _stamp(samples, DAY0)
    rng = random.Random(25)
    day1 = _jsonl(tmp / "day1", DAY1, [_article(rng, site, n, DAY1) for site in ("daily.example.com",
                                                                                  "steady.example.org")
                                       for n in range(3)])
    copied = _article(rng, "steady.example.org", 9, DAY2)
    copies = [dict(copied, url=f"https://copycat{i}.example.net/{DAY2}/reprint") for i in range(2)]
    day2 = _jsonl(tmp / "day2", DAY2, [*(_article(rng, "daily.example.com", n, DAY2, good=False) for n in range(3, 7)),
                                       *(_article(rng, "steady.example.org", n, DAY2) for n in range(3, 5)),
                                       copied, *copies, "{not json\n"])
    out = tmp / "out"
    for source in (samples / "html", samples, day1, day2):
        result = run_cli("run", "-q", "--input", source, "--output", out)
        assert result.returncode == 0, result.stderr
    return out


def _figures(page):
    return re.findall(r'<figure class="chart" id="([^"]+)">(.*?)</figure>', page, flags=re.S)


def _check_page(page):
    figures = _figures(page)
    assert figures
    for chart_id, body in figures:
        svg = re.search(r"<svg\b.*?</svg>", body, flags=re.S)
        assert svg, chart_id
        assert re.search(r"<(path|rect|line|use)\b", svg.group(0)), chart_id
        assert "<figcaption" in body, chart_id
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?\s*[a-z]*:?//""", page, flags=re.I)
    assert not re.search(r"""\b(?:src|href)\s*=\s*["']?[^"'>]*http""", page, flags=re.I)
    assert "<script" not in page and "@import" not in page and "url(http" not in page
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "ids of inline SVGs must not collide"
    return dict(figures)


def test_report_on_the_samples(samples_run, tmp_path):
    out, _ = samples_run
    page_path = tmp_path / "report.html"
    text = write_report(str(out), str(page_path))
    page = page_path.read_text(encoding="utf-8")
    figures = _check_page(page)
    assert set(SECTION_CHARTS) <= set(figures)
    assert ("chart-runs" in figures) != ("No run summaries yet." in page)
    again = tmp_path / "again.html"
    assert write_report(str(out), str(again)) == text
    assert again.read_bytes() == page_path.read_bytes()
    # The text names the sites, the reject, the cluster and the mixed languages.
    assert "articles 8, duplicates 2, rejects 1" in text
    for site in ("courier.example.com", "wire.example.org", "news.example.net", "(local)"):
        assert site in text and site in page
    assert "rejected at read: bad_json: 1" in text
    assert "near-duplicate clusters: 1 (sizes: 3x1)" in text
    assert "mixed-language articles: 1 (en+es=1)" in text


def test_health_shares_match_the_per_site_definition_of_the_run_metrics(samples_run):
    """The report's SQL counts what transforms/utils/health.py counts as Beam metrics during a run."""
    out, _ = samples_run
    expected = {}
    for path in sorted(out.glob("articles/*/*.parquet")):
        for row in pq.read_table(path).to_pylist():
            site = expected.setdefault(site_of(row["url"]), {"articles": 0, "no_title": 0, "no_date": 0,
                                                              "no_authors": 0, "short_text": 0})
            site["articles"] += 1
            for p in problems(row["title"], row["date_source"], row["authors"], row["text"]):
                site[p] += 1
    got = {s["site"]: {k: s[k] for k in ("articles", "no_title", "no_date", "no_authors", "short_text")}
           for s in collect(str(out)).sites}
    assert got == expected
    assert SHORT_TEXT_CHARS == 500


def test_report_over_several_runs(several_runs, tmp_path):
    out = several_runs
    page_path = tmp_path / "report.html"
    text = write_report(str(out), str(page_path))
    page = page_path.read_text(encoding="utf-8")
    figures = _check_page(page)
    assert set(SECTION_CHARTS) | {"chart-runs"} <= set(figures)
    data = collect(str(out))
    assert data.totals == {t: count(out, t) for t in ("articles", "duplicates", "rejects")}
    # daily.example.com lost its titles and authors on DAY2: it comes first, as the likely layout change.
    first = data.sites[0]
    assert first["site"] == "daily.example.com" and first["changed"][0] == "no_title"
    assert first["change"] == 1.0 and first["compared"][1].isoformat() == DAY2
    assert [s["site"] for s in data.sites].index("steady.example.org") > 0
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.lstrip().startswith("site "))
    assert lines[header + 1].split()[0] == "daily.example.com"
    assert "no title +100 pts (2025-03-01 to 2025-03-02)" in lines[header + 1]
    # Two clusters: the samples' wire story and its two reprints, and the copied JSONL story.
    assert "near-duplicate clusters: 2 (sizes: 3x2)" in text
    assert {s for c in data.clusters for s in c["sites"]} >= {"copycat0.example.net", "steady.example.org",
                                                               "wire.example.org"}
    assert [(g["stage"], g["reason"], g["count"]) for g in data.rejects] == [("read", "bad_json", 2)]
    assert len(data.runs) == 4 and [r["articles"] for r in data.runs][2:] == [6, 7]
    assert "runs: 4, " in text


def test_since_keeps_rows_ingested_from_that_day(several_runs, tmp_path):
    out = several_runs
    later = collect(str(out), since=DAY2)
    assert later.totals == {"articles": 7, "duplicates": 2, "rejects": 1}
    assert later.ingested_range[0].isoformat() == DAY2
    assert {s["site"] for s in later.sites} == {"daily.example.com", "steady.example.org"}
    assert all(s["change"] is None for s in later.sites)  # one ingestion day left: nothing to compare
    assert len(later.runs) == 4  # the runs started today
    text = write_report(str(out), str(tmp_path / "later.html"), since=DAY2)
    assert text.startswith(f"report: {out} (ingested since {DAY2})")
    # Nothing ingested yet, and no run started, on a day far ahead: empty sections, no failure.
    empty = write_report(str(out), str(tmp_path / "empty.html"), since="2999-01-01")
    assert "articles 0, duplicates 0, rejects 0" in empty and "runs: no run summaries yet" in empty
    page = (tmp_path / "empty.html").read_text(encoding="utf-8")
    assert "No articles." in page and "No rejects." in page and "No run summaries yet." in page
    assert not _figures(page)


def test_an_empty_output_folder_is_reported(tmp_path):
    (tmp_path / "out").mkdir()
    text = write_report(str(tmp_path / "out"), str(tmp_path / "r.html"))
    assert "articles 0, duplicates 0, rejects 0" in text and "runs: no run summaries yet" in text
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_an_output_on_an_object_store_reads_the_same(several_runs, tmp_path):
    MemoryStore.objects.clear()
    try:
        for path in several_runs.rglob("*"):
            if path.is_file():
                with FileSystems.create(f"memtest://bucket/news/{path.relative_to(several_runs)}") as f:
                    f.write(path.read_bytes())
        remote = write_report("memtest://bucket/news", str(tmp_path / "remote.html"))
        local = write_report(str(several_runs), str(tmp_path / "local.html"))
        assert remote.splitlines()[1:] == local.splitlines()[1:]
        strip = lambda p: re.sub(r"<code>[^<]*</code>|<title>[^<]*</title>", "", p.read_text(encoding="utf-8"))  # noqa: E731
        assert strip(tmp_path / "remote.html") == strip(tmp_path / "local.html")
    finally:
        MemoryStore.objects.clear()


def test_the_command_prints_the_text_and_writes_the_page(several_runs, tmp_path):
    page = tmp_path / "r.html"
    result = run_cli("report", several_runs, "--html", page, "--since", DAY1)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"report: {several_runs} (ingested since {DAY1})")
    assert "daily.example.com" in result.stdout
    assert result.stderr.strip() == f"news-ingest: report written to {page}"
    assert page.read_text(encoding="utf-8").count('<figure class="chart"') >= 8
    quiet = run_cli("report", several_runs, "-q")
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout.startswith("report: ")


@pytest.mark.parametrize("args, message", [
    (["report"], "required: OUTPUT"),
    (["report", "{missing}"], "no such output folder"),
    (["report", "{out}", "--since", "2025-13-01"], "is not a date"),
    (["report", "{out}", "--since", "20250301"], "is not a date"),
    (["report", "{out}", "--html", "{missing}/r.html"], "no such folder"),
    (["report", "{out}", "--html", "{out}"], "it is a folder"),
])
def test_usage_errors_are_one_line_and_exit_2(tmp_path, args, message):
    (tmp_path / "out").mkdir()
    argv = [a.format(out=tmp_path / "out", missing=tmp_path / "missing") for a in args]
    result = run_cli(*argv)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("news-ingest: error: ") and message in lines[0], result.stderr
