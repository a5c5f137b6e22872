"""The end-of-run summary, read from the pipeline's metrics."""
from __future__ import annotations

import sys
import threading
import uuid
from collections import defaultdict
from datetime import datetime, timezone

from apache_beam.metrics.metric import MetricsFilter

from transforms.filters import PREFIX as FILTER_PREFIX
from transforms.utils.health import HEALTH_PREFIX
from transforms.utils.json_files import save_json
from transforms.utils.stage import NAMESPACE


# Beam's local runners keep a stage's metrics as one lazy generator per bundle, each wrapping
# the one before (fn_runner.py, consolidate_monitoring_infos). A streaming job runs thousands of
# bundles, and reading them back recursed past Python's limit (RecursionError at the end of a
# 9-second run on the portable runner). They are read in a thread with room for that depth.
DEEP_RECURSION = 200_000
DEEP_STACK_BYTES = 512 << 20


def _in_deep_thread(fn):
    out: dict = {}

    def target():
        try:
            out["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            out["error"] = exc

    old_limit, old_stack = sys.getrecursionlimit(), threading.stack_size()
    sys.setrecursionlimit(max(old_limit, DEEP_RECURSION))  # before the thread starts recursing
    try:
        threading.stack_size(DEEP_STACK_BYTES)
        try:
            thread = threading.Thread(target=target, name="read-metrics")
            thread.start()
        finally:
            threading.stack_size(old_stack)  # only this thread gets the large stack
        thread.join()
    finally:
        sys.setrecursionlimit(old_limit)
    if "error" in out:
        raise out["error"]
    return out["value"]


def counters(result) -> dict[str, int]:
    found = _in_deep_thread(lambda: result.metrics().query(MetricsFilter().with_namespace(NAMESPACE))["counters"])
    out: dict[str, int] = defaultdict(int)
    for c in found:
        value = c.committed if c.committed is not None else c.attempted
        out[c.key.metric.name] += int(value or 0)
    return dict(out)


def add_up(totals: dict[str, int], counts: dict[str, int]) -> dict[str, int]:
    """Counters of one pipeline run (a window, a batch of files) added to the run's totals."""
    for k, v in counts.items():
        totals[k] = totals.get(k, 0) + v
    return totals


def filtered_counts(c: dict[str, int]) -> dict[str, int]:
    """Documents dropped by the user's filters (transforms/filters), by filter: {'host': n, ...}."""
    return {k[len(FILTER_PREFIX):]: v for k, v in sorted(c.items()) if k.startswith(FILTER_PREFIX) and v}


def summarize(c: dict[str, int], elapsed: float, output: str) -> str:
    read = c.get("read.records", 0)
    articles = c.get("write.articles.rows", 0)
    duplicates = c.get("write.duplicates.rows", 0)
    rejects = c.get("write.rejects.rows", 0)
    skipped = c.get("dedup.skipped_existing", 0)
    by_filter = filtered_counts(c)
    filtered = sum(by_filter.values())
    balance = "ok" if read == articles + duplicates + rejects + skipped + filtered else "MISMATCH"
    polls, seen = c.get("stream.polls", 0), c.get("stream.seen_before", 0)
    rate = read / elapsed if elapsed > 0 else 0.0
    lines = [
        f"output: {output}",
        f"documents read: {read} ({c.get('read.files', 0)} files, {c.get('fetch.feeds', 0)} feeds, "
        + (f"{c['fetch.sitemaps']} sitemaps, " if c.get("fetch.sitemaps") else "")
        + f"{c.get('fetch.pages', 0)} pages fetched)",
        f"articles written: {articles}",
        f"duplicates: {duplicates}",
        f"rejects: {rejects}",
    ]
    if skipped:
        lines.append(f"already in output (skipped): {skipped}")
    if by_filter:
        lines.append(f"filtered out: {filtered} (" + ", ".join(f"{k}={v}" for k, v in by_filter.items()) + ")")
    if c.get("fetch.sitemaps_unchanged") or c.get("fetch.sitemap_entries_old"):
        lines.append(f"sitemaps unchanged since the last run: {c.get('fetch.sitemaps_unchanged', 0)}; "
                     f"entries older than the last run's: {c.get('fetch.sitemap_entries_old', 0)}")
    if polls:
        lines.append(f"polls: {polls}; entries seen again and not fetched: {seen}")
    lines.append(f"balance: read = articles + duplicates + rejects + skipped + filtered: {balance}")
    by_reason = sorted((k[len("rejects."):], v) for k, v in c.items() if k.startswith("rejects."))
    for key, value in by_reason:
        stage, _, reason = key.partition(".")
        lines.append(f"  rejected at {stage}: {reason}: {value}")
    for title, prefix in (("languages", "out.language."), ("dates", "out.date.")):
        items = sorted(((k[len(prefix):], v) for k, v in c.items() if k.startswith(prefix)),
                       key=lambda kv: (-kv[1], kv[0]) if title == "languages" else kv)
        if items:
            shown = ", ".join(f"{k}={v}" for k, v in items[:20])
            more = f" (+{len(items) - 20} more)" if len(items) > 20 else ""
            lines.append(f"{title}: {shown}{more}")
    lines.append(f"elapsed: {elapsed:.1f} s, {rate:.1f} documents/s")
    return "\n".join(lines)


def sites_found(output: str, sites) -> str:
    """What --sites found on each site, as OUTPUT/_state/sites.json holds it after the run."""
    from transforms.fetch.discover import SITES_FILE
    from transforms.fetch.state import state_path
    from transforms.utils.json_files import load_json
    found = load_json(state_path(output, SITES_FILE))
    lines = ["sites:"]
    for site in sites:
        what = found.get(site)
        if not what or not (what["feeds"] or what["sitemaps"]):
            lines.append(f"  {site}: nothing found (see rejects)")
            continue
        lines.append(f"  {site}: {len(what['feeds'])} feeds, {len(what['sitemaps'])} sitemaps")
        lines += [f"    feed {url}" for url in what["feeds"]] + [f"    sitemap {url}" for url in what["sitemaps"]]
    return "\n".join(lines)


SUMMARIES = "_state/summaries"  # one record per run, for the run report's timeline


def save_record(output: str, counts: dict[str, int], started: datetime, seconds: float, mode: str) -> str:
    """Writes this run's record, OUTPUT/_state/summaries/<start>-<random>.json: when, how long, what
    it did (the counters, less the per-site ones). A file per run, since object stores do not append."""
    record = {"started": started.astimezone(timezone.utc).isoformat(timespec="seconds"), "seconds": round(seconds, 1),
              "mode": mode, "counters": {k: v for k, v in sorted(counts.items()) if not k.startswith(HEALTH_PREFIX)}}
    path = f"{output.rstrip('/')}/{SUMMARIES}/{started.strftime('%Y%m%dT%H%M%SZ')}-{uuid.uuid4().hex[:8]}.json"
    save_json(path, record)
    return path


def batch_line(c: dict[str, int]) -> str:
    """What one pipeline run of several (a window, a batch of files) did."""
    filtered = sum(filtered_counts(c).values())
    return (f"articles {c.get('write.articles.rows', 0)}, duplicates {c.get('write.duplicates.rows', 0)}, "
            f"rejects {c.get('write.rejects.rows', 0)}, " + (f"filtered {filtered}, " if filtered else "")
            + f"files {c.get('write.files', 0)}")


def window_line(start: float, end: float, c: dict[str, int]) -> str:
    """One line per window of a continuous run."""
    fmt = lambda t: datetime.fromtimestamp(t, timezone.utc).strftime("%H:%M:%S")  # noqa: E731
    return (f"news-ingest: window {fmt(start)}-{fmt(end)} UTC: polls {c.get('stream.polls', 0)}, "
            f"new entries {c.get('read.records', 0)}, {batch_line(c)}")
