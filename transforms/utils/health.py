"""Extraction health of one article, by site: what the run report (pipeline/report.py) shows per
site and what the run counts per site as Beam metrics, so a Flink or Dataflow dashboard shows a
publisher's layout change while it happens. One definition for both."""
from __future__ import annotations

from transforms.filters import url_host

SHORT_TEXT_CHARS = 500  # an article shorter than this was probably cut by extraction
HEALTH_PREFIX = "health."


def site_of(url: str | None, site_name: str | None = None) -> str:
    """The URL's host as the host filters compare it (lower-cased, no leading www.); for a local
    file (no host), the site name the page gives, else '(local)'."""
    return url_host(url or "") or " ".join((site_name or "").lower().split()) or "(local)"


def problems(title, date_source: str, authors, text: str) -> list[str]:
    """What an article lacks: no_title, no_date (the partition is the ingestion date), no_authors, short_text."""
    found = []
    if not (title or "").strip():
        found.append("no_title")
    if date_source in ("", "ingested"):
        found.append("no_date")
    if not authors:
        found.append("no_authors")
    if len(text or "") < SHORT_TEXT_CHARS:
        found.append("short_text")
    return found


def health_counters(doc) -> list[str]:
    """Counter names for one written article: health.<site>.articles and one per problem."""
    site = site_of(doc.url, doc.site_name)
    return [f"{HEALTH_PREFIX}{site}.articles"] + [
        f"{HEALTH_PREFIX}{site}.{p}" for p in problems(doc.title, doc.date_source, doc.authors, doc.text)]
