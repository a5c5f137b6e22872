"""`news-ingest report OUTPUT [--html FILE] [--since YYYY-MM-DD]`: what the runs into an output folder did.

In: an output folder (local, or any Beam filesystem path: gs://, s3://, memory://) and, optionally, a first
ingestion date. Out: a short text on stdout and, with --html, one self-contained HTML file: styles and charts
inline (each chart an <svg> drawn by matplotlib's SVG backend, its text as paths in DejaVu Sans, which
matplotlib ships, so it looks the same on any machine), no script and no external URL, so it opens offline.

What it shows: articles per publication day (the `date` partition) and per ingestion day (`fetched_at`'s
UTC date: the schema has no column of its own for it), by language and by source kind; extraction health per
site (transforms/utils/health.py: the definition the runs count as Beam metrics), the sites whose shares moved
most between their last two ingestion days first; rejects by stage and reason with their top sites;
near-duplicate clusters; mixed-language articles; and the runs' records under OUTPUT/_state/ as a timeline.

Reading: DuckDB over the Parquet files (a local folder: read_parquet on the listed files; elsewhere: the
files listed and opened with Beam's FileSystems, read with pyarrow, and the Arrow tables queried). No DuckDB
extension is loaded, so nothing is downloaded. Readers' rules apply: `.` and `_` names are skipped.

Deterministic: the same folder gives the same bytes; the only dates inside come from the data.
"""
from __future__ import annotations

import html
import io
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timezone

from transforms.utils.health import SHORT_TEXT_CHARS, site_of
from transforms.utils.paths import is_local, local_path
from transforms.write.compact import list_files

PROG = "news-ingest"
TABLES = ("articles", "duplicates", "rejects")
# Run records: pipeline/summary.py writes one JSON file per run here; `runs` is the name first planned.
RUN_FOLDERS = ("_state/summaries", "_state/runs")
HEALTH = (("no_title", "no title"), ("no_date", "no date"), ("no_authors", "no authors"),
          ("short_text", "short text"))  # short: fewer than SHORT_TEXT_CHARS characters
TOP_SITES_TEXT = 10  # sites in the text version
TOP_SITES_CHART = 25  # sites in the health chart
TOP_SITES_TABLE = 200  # sites in the health table
TOP_CLUSTERS = 15
MONTHLY_AFTER_DAYS = 400  # a longer span of days is charted by month
SVG_SALT = "news-ingest-report"


@dataclass(frozen=True)
class ReportConfig:
    output: str
    html: str | None = None
    since: str | None = None
    quiet: bool = False


def run(config: ReportConfig) -> int:
    text = write_report(config.output, config.html, config.since)
    print(text)
    if config.html and not config.quiet:
        print(f"{PROG}: report written to {config.html}", file=sys.stderr)
    return 0


def write_report(output: str, html_path: str | None = None, since: str | None = None) -> str:
    """Reads the output folder; writes the HTML report to html_path when given; returns the text version."""
    data = collect(output, since)
    if html_path:
        page = render_html(data)
        if is_local(html_path):
            with open(local_path(html_path), "w", encoding="utf-8", newline="\n") as f:
                f.write(page)
        else:
            from apache_beam.io.filesystems import FileSystems
            with FileSystems.create(html_path) as f:
                f.write(page.encode("utf-8"))
    return render_text(data)


# Reading the output folder.

def _connect():
    import duckdb
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    con.execute("SET TimeZone = 'UTC'")
    try:
        from duckdb.sqltypes import VARCHAR
    except ImportError:  # duckdb < 1.4
        from duckdb.typing import VARCHAR
    con.create_function("site_of", site_of, [VARCHAR, VARCHAR], VARCHAR, null_handling="special",
                        side_effects=False)
    return con


def _list(output: str, pattern: str) -> list[str]:
    """Visible files (no `.` or `_` name) matching the pattern under output, as compaction lists them."""
    return [part.path for part in list_files(f"{output.rstrip('/')}/{pattern}")]


def _read_remote(files: list[str]):
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    from apache_beam.io.filesystems import FileSystems
    tables = []
    for path in files:
        with FileSystems.open(path, compression_type="uncompressed") as f:
            parquet = pq.ParquetFile(pa.BufferReader(f.read()))
        # Texts and raw payloads are the bulk of an output: only a text's length is kept, one file at a time.
        names = parquet.schema_arrow.names
        table = parquet.read(columns=[n for n in names if n not in ("text", "payload")])
        if "text" in names:
            table = table.append_column("text_chars", pc.utf8_length(parquet.read(columns=["text"]).column("text")))
        day = re.search(r"/date=([^/]+)/[^/]+$", path)
        tables.append(table.append_column("date", pa.array([day.group(1) if day else None] * table.num_rows,
                                                            pa.string())))
    return pa.concat_tables(tables, promote_options="default")


def _load(con, output: str, since: str | None) -> None:
    """Views articles, duplicates and rejects: the rows (ingested on or after `since`), with `date` a DATE,
    `day` the ingestion date and `site` the URL's host."""
    import pyarrow as pa

    from schemas import TABLES as SCHEMAS
    for table in TABLES:
        files = _list(output, f"{table}/date=*/*.parquet")
        raw = f"{table}_raw"
        if not files:
            con.register(raw, pa.Table.from_batches([], SCHEMAS[table]))
        elif is_local(output):
            con.read_parquet(files, hive_partitioning=True, union_by_name=True).create_view(raw)
        else:
            con.register(raw, _read_remote(files))
        columns = {r[0] for r in con.execute(f"describe {raw}").fetchall()}
        ingested = "ingested" if "ingested" in columns else "fetched_at"
        site_name = "site_name" if "site_name" in columns else "NULL"
        text_chars = "length(text)" if "text" in columns else "text_chars" if "text_chars" in columns else "NULL"
        where = f"where day >= DATE '{since}'" if since else ""
        con.execute(f"""create view {table} as select * from (
            select * replace (try_cast(date as date) as date), cast({ingested} as date) as day,
                   site_of(url, {site_name}) as site, {text_chars} as text_length from {raw}) {where}""")


def _runs(output: str, since: str | None) -> tuple[list[dict], int]:
    """The runs' records, oldest first, and how many files could not be read."""
    from apache_beam.io.filesystems import FileSystems
    records, unreadable, seen = [], 0, set()
    for folder in RUN_FOLDERS:
        for path in _list(output, f"{folder}/*.json"):
            name = path.rsplit("/", 1)[-1]
            if name in seen:
                continue
            seen.add(name)
            try:
                with FileSystems.open(path, compression_type="uncompressed") as f:
                    record = json.loads(f.read().decode("utf-8"))
                started = _parse_time(record.get("started"))
            except (OSError, ValueError, AttributeError):
                unreadable += 1
                continue
            if started is None:
                unreadable += 1
                continue
            if since and started.date().isoformat() < since:
                continue
            records.append({"started": started, "file": name, **_run_numbers(record)})
    records.sort(key=lambda r: (r["started"], r["file"]))
    return records, unreadable


def _parse_time(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)


# What a run record calls each number: pipeline/summary.py's counter names first, then plainer ones.
RUN_SERIES = (
    ("read", "documents read", ("read.records", "documents_read", "documents", "read")),
    ("articles", "articles", ("write.articles.rows", "articles_written", "articles")),
    ("duplicates", "duplicates", ("write.duplicates.rows", "duplicates")),
    ("rejects", "rejects", ("write.rejects.rows", "rejects")),
    ("skipped", "already in output", ("dedup.skipped_existing", "skipped")),
)


def _run_numbers(record: dict) -> dict:
    flat: dict[str, float] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            flat.update({k: v for k, v in value.items() if isinstance(v, (int, float)) and not isinstance(v, bool)})
    flat.update({k: v for k, v in record.items() if isinstance(v, (int, float)) and not isinstance(v, bool)})
    out = {"seconds": flat.get("seconds", flat.get("elapsed")), "mode": record.get("mode")}
    counters = isinstance(record.get("counters"), dict)  # pipeline/summary.py's: a counter not there is 0
    for key, _, names in RUN_SERIES:
        out[key] = next((int(flat[n]) for n in names if n in flat), 0 if counters and names[0] not in flat else None)
    return out


@dataclass
class Data:
    output: str
    since: str | None
    totals: dict
    ingested_range: tuple
    published_range: tuple
    by_published: list
    by_ingested: list
    by_language: list
    by_source: list
    sites: list
    rejects: list
    cluster_sizes: list
    clusters: list
    clustered: int
    mixed: list
    mixed_total: int
    runs: list
    runs_unreadable: int


def collect(output: str, since: str | None = None) -> Data:
    output = output.rstrip("/") or output
    if since is not None and date.fromisoformat(since).isoformat() != since:
        raise ValueError(f"{since!r} is not a date (YYYY-MM-DD)")
    con = _connect()
    _load(con, output, since)
    q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
    totals = {t: q(f"select count(*) from {t}")[0][0] for t in TABLES}
    ingested_range = q("select min(day), max(day) from (select day from articles union all select day from duplicates"
                       " union all select day from rejects)")[0]
    published_range = q("select min(date), max(date) from articles")[0]
    by_published = q("select date, count(*) from articles where date is not null group by 1 order by 1")
    by_ingested = q("select day, count(*) from articles where day is not null group by 1 order by 1")
    by_language = q("select coalesce(language, 'und'), count(*) from articles group by 1 order by 2 desc, 1")
    by_source = q("select coalesce(source, '?'), count(*) from articles group by 1 order by 2 desc, 1")
    runs, unreadable = _runs(output, since)
    clusters, sizes, clustered = _clusters(q)
    mixed, mixed_total = _mixed(q)
    return Data(output=output, since=since, totals=totals, ingested_range=ingested_range,
                published_range=published_range, by_published=by_published, by_ingested=by_ingested,
                by_language=by_language, by_source=by_source, sites=_sites(q), rejects=_rejects(q),
                cluster_sizes=sizes, clusters=clusters, clustered=clustered, mixed=mixed, mixed_total=mixed_total,
                runs=runs, runs_unreadable=unreadable)


# The same tests as transforms.utils.health.problems, in SQL.
FLAGS = {
    "no_title": "regexp_full_match(coalesce(title, ''), '\\s*')",
    "no_date": "coalesce(date_source, '') in ('', 'ingested')",
    "no_authors": "coalesce(len(authors), 0) = 0",
    "short_text": f"coalesce(text_length, 0) < {SHORT_TEXT_CHARS}",
}


def _sites(q) -> list[dict]:
    """One dict per site: articles, count per problem, and the largest move of a share between the site's last
    two ingestion days (`change`, 0 to 1, with the problem and the days), largest first."""
    sums = ", ".join(f"sum(({sql})::int) as {name}" for name, sql in FLAGS.items())
    per_day = q(f"select site, day, count(*), {sums} from articles group by 1, 2 order by 1, 2")
    sites: dict[str, dict] = {}
    for site, day, n, *counts in per_day:
        s = sites.setdefault(site, {"site": site, "articles": 0, "days": [], **{k: 0 for k in FLAGS}})
        s["articles"] += n
        for key, c in zip(FLAGS, counts):
            s[key] += c
        if day is not None:
            s["days"].append((day, n, dict(zip(FLAGS, counts))))
    for s in sites.values():
        s["change"], s["changed"], s["compared"] = None, None, None
        if len(s["days"]) >= 2:
            (d0, n0, c0), (d1, n1, c1) = s["days"][-2:]
            moves = sorted(((abs(c1[k] / n1 - c0[k] / n0), k, c1[k] / n1 - c0[k] / n0) for k in FLAGS),
                           key=lambda m: (-m[0], list(FLAGS).index(m[1])))
            s["change"], s["changed"], s["compared"] = moves[0][0], (moves[0][1], moves[0][2]), (d0, d1)
        del s["days"]
    return sorted(sites.values(), key=lambda s: (s["change"] is None, -(s["change"] or 0), -s["articles"], s["site"]))


def _rejects(q) -> list[dict]:
    rows = q("select coalesce(stage, '?'), coalesce(reason, '?'), site, count(*) from rejects group by 1, 2, 3")
    groups: dict[tuple, Counter] = {}
    for stage, reason, site, n in rows:
        groups.setdefault((stage, reason), Counter())[site] = n
    out = [{"stage": st, "reason": r, "count": sum(c.values()),
            "sites": sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))} for (st, r), c in groups.items()]
    return sorted(out, key=lambda g: (-g["count"], g["stage"], g["reason"]))


def _clusters(q):
    members = """select cluster_id, id, site, title, false as copy from articles where cluster_id is not null
                 union all select cluster_id, id, site, title, true from duplicates where cluster_id is not null"""
    big = q(f"""with m as ({members}) select cluster_id, count(*) n from m group by 1 having count(*) >= 2
                order by n desc, cluster_id""")
    sizes = sorted(Counter(n for _, n in big).items())
    top = [c for c, _ in big[:TOP_CLUSTERS]]
    clusters = []
    if top:
        listed = ", ".join("'" + c.replace("'", "''") + "'" for c in top)
        rows = q(f"with m as ({members}) select cluster_id, site, title, copy, id from m "
                 f"where cluster_id in ({listed}) order by cluster_id, copy, id")
        by_id: dict[str, dict] = {c: {"cluster_id": c, "size": 0, "sites": Counter(), "title": None} for c in top}
        for cid, site, title, copy, _ in rows:
            c = by_id[cid]
            c["size"] += 1
            c["sites"][site] += 1
            if c["title"] is None and title:
                c["title"] = title
        clusters = [by_id[c] for c in top]
    return clusters, sizes, sum(n for _, n in big)


def _mixed(q):
    rows = q("select languages, site from articles where is_mixed_language order by id")
    combos: dict[str, Counter] = {}
    for languages, site in rows:
        langs = sorted((x for x in languages or [] if x and x.get("lang")),
                       key=lambda x: (-(x.get("share") or 0), x["lang"]))
        combo = "+".join(x["lang"] for x in langs) or "?"
        combos.setdefault(combo, Counter())[site] += 1
    out = [{"languages": k, "count": sum(c.values()), "sites": sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))}
           for k, c in combos.items()]
    return sorted(out, key=lambda m: (-m["count"], m["languages"])), len(rows)


# The text version.

def _pct(part, whole) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def _sites_list(sites, n=3) -> str:
    shown = ", ".join(f"{s} {c}" for s, c in sites[:n])
    return shown + (f", +{len(sites) - n} more" if len(sites) > n else "")


def render_text(d: Data) -> str:
    t = d.totals
    lines = [f"report: {d.output}" + (f" (ingested since {d.since})" if d.since else ""),
             f"articles {t['articles']}, duplicates {t['duplicates']}, rejects {t['rejects']}; "
             f"ingested {_range(d.ingested_range)}; published {_range(d.published_range)}"]
    if d.by_language:
        lines.append("languages: " + ", ".join(f"{k}={v}" for k, v in d.by_language[:10])
                     + (f" (+{len(d.by_language) - 10} more)" if len(d.by_language) > 10 else ""))
    if d.by_source:
        lines.append("sources: " + ", ".join(f"{k}={v}" for k, v in d.by_source))
    if d.sites:
        lines.append(f"sites: {len(d.sites)}; most changed first (share of articles with each problem):")
        width = max(len(s["site"]) for s in d.sites[:TOP_SITES_TEXT])
        lines.append(f"  {'site':<{width}}  articles  " + "  ".join(label for _, label in HEALTH)
                     + "  change")
        for s in d.sites[:TOP_SITES_TEXT]:
            shares = "  ".join(f"{_pct(s[k], s['articles']):>{len(label)}}" for k, label in HEALTH)
            lines.append(f"  {s['site']:<{width}}  {s['articles']:>8}  {shares}  {_change(s)}")
        if len(d.sites) > TOP_SITES_TEXT:
            lines.append(f"  (+{len(d.sites) - TOP_SITES_TEXT} more sites)")
    for g in d.rejects[:10]:
        lines.append(f"rejected at {g['stage']}: {g['reason']}: {g['count']} ({_sites_list(g['sites'])})")
    lines.append(f"near-duplicate clusters: {sum(n for _, n in d.cluster_sizes)}"
                 + (" (sizes: " + ", ".join(f"{s}x{n}" for s, n in d.cluster_sizes) + ")" if d.cluster_sizes else ""))
    if d.clusters:
        c = d.clusters[0]
        sites = sorted(c["sites"].items(), key=lambda kv: (-kv[1], kv[0]))
        lines.append(f"  largest: {c['size']} rows, {_sites_list(sites)}")
    lines.append(f"mixed-language articles: {d.mixed_total}"
                 + (" (" + ", ".join(f"{m['languages']}={m['count']}" for m in d.mixed[:5]) + ")" if d.mixed else ""))
    if d.runs:
        last = d.runs[-1]
        lines.append(f"runs: {len(d.runs)}, {d.runs[0]['started']:%Y-%m-%d %H:%M} to {last['started']:%Y-%m-%d %H:%M} "
                     f"UTC; last: " + ", ".join(f"{label} {last[k]}" for k, label, _ in RUN_SERIES[:4]
                                                if last[k] is not None))
    else:
        lines.append("runs: no run summaries yet")
    return "\n".join(lines)


def _range(r) -> str:
    lo, hi = r
    return "-" if lo is None else (f"{lo}" if lo == hi else f"{lo} to {hi}")


def _change(s) -> str:
    if s["change"] is None:
        return "-"
    key, delta = s["changed"]
    label = dict(HEALTH)[key]
    return f"{label} {100 * delta:+.0f} pts ({s['compared'][0]} to {s['compared'][1]})"


# Charts: matplotlib's SVG backend, without pyplot (no global state), inlined with ids made unique.

def _rc():
    import matplotlib
    return matplotlib.rc_context({
        "svg.fonttype": "path", "svg.hashsalt": SVG_SALT, "font.family": "DejaVu Sans", "font.size": 9,
        "axes.spines.top": False, "axes.spines.right": False, "axes.titlesize": 10, "axes.titleweight": "bold",
        "path.simplify": False, "svg.image_inline": True, "axes.prop_cycle": matplotlib.cycler(
            color=["#3465a4", "#cc0000", "#73d216", "#f57900", "#75507b", "#c4a000"])})


def _figure(width: float, height: float, **kw):
    from matplotlib.figure import Figure
    return Figure(figsize=(width, height), layout="constrained", **kw)


def _svg(fig, chart_id: str) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>|<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", text, count=2)
    text = text.replace("xlink:href=", "href=")
    text = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{chart_id}-{m.group(1)}"', text)
    text = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{chart_id}-{m.group(1)}"', text)
    text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{chart_id}-{m.group(1)})", text)
    text = re.sub(r'<svg ', f'<svg role="img" aria-labelledby="{chart_id}-caption" ', text, count=1)
    return text.strip()


def _day_bars(rows, title: str, color: str, chart_id: str) -> str:
    import matplotlib.dates as mdates
    with _rc():
        fig = _figure(7.5, 2.6)
        ax = fig.add_subplot()
        days = [r[0] for r in rows]
        span = (days[-1] - days[0]).days + 1
        if span > MONTHLY_AFTER_DAYS:  # bars of a day would be too thin to see: months
            months = Counter()
            for day, n in rows:
                months[day.replace(day=1)] += n
            rows = sorted(months.items())
            days, title = [r[0] for r in rows], title.replace(" day", " month")
        ax.bar(days, [r[1] for r in rows], width=25 if span > MONTHLY_AFTER_DAYS else max(0.8, span / 250),
               align="edge" if span > MONTHLY_AFTER_DAYS else "center", color=color)
        locator = mdates.AutoDateLocator(maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        if span < 7:
            middle = mdates.date2num(days[0]) + span / 2
            ax.set_xlim(middle - 4, middle + 4)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_ylabel("articles")
        ax.set_title(title, loc="left")
        return _svg(fig, chart_id)


def _hbars(items, title: str, chart_id: str, xlabel: str, color="#3465a4", limit=20) -> str:
    items = items[:limit]
    with _rc():
        fig = _figure(7.5, 0.9 + 0.24 * len(items))
        ax = fig.add_subplot()
        y = range(len(items))
        bars = ax.barh(list(y), [v for _, v in items], color=color, height=0.7)
        ax.bar_label(bars, padding=2, fontsize=8)
        ax.set_yticks(list(y), [_short(str(k), 40) for k, _ in items])
        ax.invert_yaxis()
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel(xlabel)
        ax.set_title(title, loc="left")
        return _svg(fig, chart_id)


def _health_chart(sites, chart_id: str) -> str:
    sites = sites[:TOP_SITES_CHART]
    with _rc():
        fig = _figure(7.5, 1.1 + 0.24 * len(sites))
        axes = fig.subplots(1, len(HEALTH), sharey=True)
        y = list(range(len(sites)))
        colors = ["#3465a4", "#cc0000", "#75507b", "#f57900"]
        for ax, (key, label), color in zip(axes, HEALTH, colors):
            ax.barh(y, [100 * s[key] / s["articles"] for s in sites], color=color, height=0.7)
            ax.set_xlim(0, 100)
            ax.set_xticks([0, 50, 100])
            ax.set_title(label, fontsize=9)
            ax.grid(axis="x", color="#dddddd", linewidth=0.6)
            ax.set_axisbelow(True)
        axes[0].set_yticks(y, [_short(f"{s['site']} ({s['articles']})", 34) for s in sites])
        axes[0].invert_yaxis()
        fig.supxlabel("% of the site's articles", fontsize=9)
        return _svg(fig, chart_id)


def _cluster_chart(sizes, chart_id: str) -> str:
    with _rc():
        fig = _figure(7.5, 2.4)
        ax = fig.add_subplot()
        bars = ax.bar([str(s) for s, _ in sizes], [n for _, n in sizes], color="#75507b", width=0.6)
        ax.bar_label(bars, padding=2, fontsize=8)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.set_xlabel("rows in the cluster (kept article and its copies)")
        ax.set_ylabel("clusters")
        ax.set_title("Near-duplicate clusters by size", loc="left")
        return _svg(fig, chart_id)


def _runs_chart(runs, chart_id: str) -> str:
    import matplotlib.dates as mdates
    with _rc():
        fig = _figure(7.5, 3.6)
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[2, 1])
        x = [r["started"].replace(tzinfo=None) for r in runs]
        for (key, label, _), marker in zip(RUN_SERIES[:4], "osD^"):
            points = [(t, r[key]) for t, r in zip(x, runs) if r[key] is not None]
            if points:
                top.plot([p[0] for p in points], [p[1] for p in points], marker=marker, markersize=4,
                         linewidth=1.2, label=label)
        top.set_ylabel("rows")
        top.legend(fontsize=8, frameon=False, ncols=4, loc="upper left")
        top.set_title("Runs (start time, UTC)", loc="left")
        seconds = [(t, r["seconds"]) for t, r in zip(x, runs) if r["seconds"] is not None]
        if seconds:
            bottom.plot([p[0] for p in seconds], [p[1] for p in seconds], marker="o", markersize=4,
                        linewidth=1.2, color="#555753")
        bottom.set_ylabel("seconds")
        bottom.set_ylim(bottom=0)
        locator = mdates.AutoDateLocator(maxticks=8)
        bottom.xaxis.set_major_locator(locator)
        bottom.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        if len(x) == 1 or x[0] == x[-1]:
            bottom.set_xlim(mdates.date2num(x[0]) - 0.5, mdates.date2num(x[0]) + 0.5)
        return _svg(fig, chart_id)


def _short(s: str, n: int) -> str:
    return s if len(s) <= n else s[:n - 1] + "…"


# The HTML page.

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:2em auto;max-width:62em;
padding:0 1em;color:#222;line-height:1.4}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:2em;border-bottom:1px solid #ccc}
.meta{color:#555}figure.chart{margin:1em 0}figure.chart svg{max-width:100%;height:auto;display:block}
figcaption{color:#555;font-size:.9em}table{border-collapse:collapse;font-size:.9em;margin:.5em 0 1em}
th,td{border-bottom:1px solid #e5e5e5;padding:.25em .6em;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f4f4f4}
tr.moved td{background:#fff4e0}p.none{color:#777;font-style:italic}
"""


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def _table(headers, rows, numeric=(), row_class=None) -> str:
    head = "".join(f'<th{" class=n" if i in numeric else ""}>{_e(h)}</th>' for i, h in enumerate(headers))
    body = []
    for r_i, row in enumerate(rows):
        cls = f' class="{row_class(r_i)}"' if row_class and row_class(r_i) else ""
        body.append(f"<tr{cls}>" + "".join(f'<td{" class=n" if i in numeric else ""}>{_e(v)}</td>'
                                           for i, v in enumerate(row)) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _chart(chart_id: str, svg: str, caption: str) -> str:
    return (f'<figure class="chart" id="{chart_id}">{svg}'
            f'<figcaption id="{chart_id}-caption">{_e(caption)}</figcaption></figure>')


def _none(text: str) -> str:
    return f'<p class="none">{_e(text)}</p>'


def render_html(d: Data) -> str:
    t = d.totals
    parts = [f"<h1>news-ingest report</h1><p class=meta>Output <code>{_e(d.output)}</code>"
             + (f", rows ingested since {_e(d.since)}" if d.since else "") + ". Ingested "
             + _e(_range(d.ingested_range)) + "; published " + _e(_range(d.published_range)) + ".</p>",
             _table(["articles", "duplicates", "rejects", "sites", "near-duplicate clusters",
                     "mixed-language articles", "runs"],
                    [[t["articles"], t["duplicates"], t["rejects"], len(d.sites),
                      sum(n for _, n in d.cluster_sizes), d.mixed_total, len(d.runs)]], numeric=range(7))]

    parts.append('<section id="articles"><h2>Articles</h2>')
    if d.by_published:
        parts.append(_chart("chart-published", _day_bars(d.by_published, "Articles per publication day", "#3465a4",
                                                         "chart-published"),
                            "Articles by the date partition: the publication date, else the ingestion date."))
    if d.by_ingested:
        parts.append(_chart("chart-ingested", _day_bars(d.by_ingested, "Articles per ingestion day", "#73d216",
                                                        "chart-ingested"),
                            "Articles by the UTC date of fetched_at (when the document was captured; a local "
                            "file's modification time)."))
    if d.by_language:
        parts.append(_chart("chart-languages", _hbars(d.by_language, "Articles by language", "chart-languages",
                                                      "articles"),
                            "Main language of each article (ISO 639-1; und: undetermined)."
                            + (" The 20 most frequent." if len(d.by_language) > 20 else "")))
    if d.by_source:
        parts.append(_chart("chart-sources", _hbars(d.by_source, "Articles by source kind", "chart-sources",
                                                    "articles", color="#f57900"),
                            "Kind of input: feed, http (a fetched page), warc, file, jsonl."))
    if not t["articles"]:
        parts.append(_none("No articles."))
    parts.append("</section>")

    parts.append('<section id="health"><h2>Extraction health per site</h2>')
    if d.sites:
        parts.append(_chart("chart-health", _health_chart(d.sites, "chart-health"),
                            "Share of each site's articles with no title, no publication date (the partition is the "
                            f"ingestion date), no authors, and text shorter than {SHORT_TEXT_CHARS} characters. "
                            "Sites whose shares moved most between their last two ingestion days first, then by "
                            "articles" + (f"; the first {TOP_SITES_CHART}" if len(d.sites) > TOP_SITES_CHART else "")
                            + "."))
        rows = [[s["site"], s["articles"], *(_pct(s[k], s["articles"]) for k, _ in HEALTH), _change(s)]
                for s in d.sites[:TOP_SITES_TABLE]]
        moved = lambda i: "moved" if (d.sites[i]["change"] or 0) >= 0.2 else ""  # noqa: E731
        parts.append(_table(["site", "articles", *(label for _, label in HEALTH),
                             "largest change between the last two ingestion days"], rows,
                            numeric=range(1, 6), row_class=moved))
        if len(d.sites) > TOP_SITES_TABLE:
            parts.append(f"<p>+{len(d.sites) - TOP_SITES_TABLE} more sites.</p>")
    else:
        parts.append(_none("No articles."))
    parts.append("</section>")

    parts.append('<section id="rejects"><h2>Rejects</h2>')
    if d.rejects:
        parts.append(_chart("chart-rejects", _hbars([(f"{g['stage']}: {g['reason']}", g["count"]) for g in d.rejects],
                                                    "Rejects by stage and reason", "chart-rejects", "rejects",
                                                    color="#cc0000"),
                            "Records that failed a stage, by stage and reason."))
        parts.append(_table(["stage", "reason", "rejects", "top sites"],
                            [[g["stage"], g["reason"], g["count"], _sites_list(g["sites"], 5)] for g in d.rejects],
                            numeric=(2,)))
    else:
        parts.append(_none("No rejects."))
    parts.append("</section>")

    parts.append('<section id="duplicates"><h2>Near-duplicate clusters</h2>')
    if d.cluster_sizes:
        n = sum(c for _, c in d.cluster_sizes)
        parts.append(f"<p>{n} clusters of two or more rows (articles and their copies), {d.clustered} rows in all.</p>")
        parts.append(_chart("chart-clusters", _cluster_chart(d.cluster_sizes, "chart-clusters"),
                            "Clusters by their number of rows: a kept article and its copies share a cluster_id."))
        parts.append(_table(["cluster", "rows", "title", "sites"],
                            [[c["cluster_id"], c["size"], _short(c["title"] or "", 80),
                              _sites_list(sorted(c["sites"].items(), key=lambda kv: (-kv[1], kv[0])), 6)]
                             for c in d.clusters], numeric=(1,)))
    else:
        parts.append(_none("No near-duplicate clusters."))
    parts.append("</section>")

    parts.append('<section id="mixed"><h2>Mixed-language articles</h2>')
    if d.mixed:
        parts.append(f"<p>{d.mixed_total} of {t['articles']} articles ({_pct(d.mixed_total, t['articles'])}) carry "
                     "real content in more than one language.</p>")
        parts.append(_chart("chart-mixed", _hbars([(m["languages"], m["count"]) for m in d.mixed],
                                                  "Mixed-language articles by languages", "chart-mixed", "articles",
                                                  color="#c4a000"),
                            "Languages of each mixed-language article, the largest share first."))
        parts.append(_table(["languages", "articles", "sites"],
                            [[m["languages"], m["count"], _sites_list(m["sites"], 5)] for m in d.mixed],
                            numeric=(1,)))
    else:
        parts.append(_none("No mixed-language articles."))
    parts.append("</section>")

    parts.append('<section id="runs"><h2>Runs</h2>')
    if d.runs:
        parts.append(_chart("chart-runs", _runs_chart(d.runs, "chart-runs"),
                            "Each run's record under _state/: rows it wrote and how long it took."))
        parts.append(_table(["started (UTC)", "mode", "seconds", *(label for _, label, _ in RUN_SERIES)],
                            [[f"{r['started']:%Y-%m-%d %H:%M:%S}", r["mode"] or "", r["seconds"],
                              *(r[k] for k, _, _ in RUN_SERIES)] for r in reversed(d.runs)],
                            numeric=range(2, 3 + len(RUN_SERIES))))
    else:
        parts.append(_none("No run summaries yet."))
    if d.runs_unreadable:
        parts.append(f"<p>{d.runs_unreadable} run records could not be read.</p>")
    parts.append("</section>")

    return ("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
            "<meta name=viewport content=\"width=device-width, initial-scale=1\">"
            f"<title>news-ingest report: {_e(d.output)}</title><style>{STYLE}</style></head><body>\n"
            + "\n".join(parts) + "\n</body></html>\n")
