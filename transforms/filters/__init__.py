"""Filters: only the documents the user asked for, dropped as early as what they test is known.

    --hosts / --exclude-hosts   the URL's host, before any request or HTML parse
    --since / --until           the publication date: a date known before the fetch (feed entry,
                                input record, URL) filters then; the resolved date after extraction
    --languages                 the detected language, after language detection

Pure functions decide (`host_allowed`, `keep_before_fetch`, `keep_dated`, `keep_language`); the
composites below apply them in the graph (pipeline/graph.py) and count what each drops as
`filter.host`, `filter.date` and `filter.language`. A dropped document is not written; the
summary counts it (pipeline/summary.py), and its balance includes it.

Hosts are compared lower-cased, without a port, a trailing dot or a leading 'www.'; a host matches
itself and its subdomains ('example.com' matches 'news.example.com'). --exclude-hosts wins over
--hosts. A document with no web URL (a local text or HTML file) has no host: --hosts drops it,
--exclude-hosts keeps it.

Dates are days (UTC), both ends inclusive. A document with no plausible publication date
(date_source 'ingested') is kept, unless `drop_undated` (--drop-undated). Before the fetch only
a known date can drop an entry; one without a date yet is decided after extraction. The date known
before the fetch is the one extraction would choose if the page gave none (feed, input, header,
URL, by transforms/utils/dates.py's priority): an entry whose feed date is out of range is not
fetched even if its page would have given another date.

Languages are the codes the language stage writes (ISO 639-1, e.g. 'en', 'de', 'zh'); a text too
short to tell is 'und', dropped by --languages unless 'und' is listed.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from typing import Optional
from urllib.parse import urlsplit

import apache_beam as beam

from schemas import Document
from transforms.utils import dates
from transforms.utils.stage import counter

HOST, DATE, LANGUAGE = "host", "date", "language"
PREFIX = "filter."
UNDETERMINED = "und"

_LANGUAGE = re.compile(r"[a-z]{2,3}")
_HOST = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*|[0-9a-f:.]*:[0-9a-f:.]*")


@dataclass(frozen=True)
class Filters:
    """What the user wants kept; the defaults keep everything."""
    languages: frozenset = frozenset()  # ISO 639-1 codes (or 'und'); empty: any
    since: Optional[date] = None  # publication date, inclusive
    until: Optional[date] = None  # publication date, inclusive
    drop_undated: bool = False  # documents with no publication date are dropped (else kept)
    hosts: tuple = ()  # normalised hosts: only these and their subdomains; empty: any
    exclude_hosts: tuple = ()  # normalised hosts: never these nor their subdomains

    @property
    def by_host(self) -> bool:
        return bool(self.hosts or self.exclude_hosts)

    @property
    def by_date(self) -> bool:
        return self.since is not None or self.until is not None or self.drop_undated

    @property
    def by_language(self) -> bool:
        return bool(self.languages)


# --- hosts ---------------------------------------------------------------------------------

def normal_host(host: str) -> str:
    """Lower-cased, without a trailing dot or a leading 'www.'."""
    host = host.strip().lower().rstrip(".")
    return host[4:] if host.startswith("www.") and len(host) > 4 else host


def parse_host(value: str) -> str:
    """A host as the user gives it ('Example.com', 'www.example.com', 'https://example.com/x')
    -> its normal form; ValueError when it is no host."""
    text = value.strip()
    if "://" in text:
        try:
            text = urlsplit(text).hostname or ""
        except ValueError:
            text = ""
    host = normal_host(text.strip("[]"))
    if not host or not _HOST.fullmatch(host):
        raise ValueError(f"{value!r} is not a host name")
    return host


def url_host(url: str) -> Optional[str]:
    """The normal host of an http(s) URL; None for anything else (local files, feed-entry ids)."""
    if not url.startswith(("http://", "https://")):
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return normal_host(host) if host else None


def host_matches(host: str, patterns) -> bool:
    return any(host == p or host.endswith("." + p) for p in patterns)


def host_allowed(url: str, f: Filters) -> bool:
    host = url_host(url)
    if host is None:
        return not f.hosts
    if f.hosts and not host_matches(host, f.hosts):
        return False
    return not host_matches(host, f.exclude_hosts)


# --- dates ---------------------------------------------------------------------------------

def in_range(day: date, f: Filters) -> bool:
    return (f.since is None or day >= f.since) and (f.until is None or day <= f.until)


def known_date(doc: Document) -> Optional[date]:
    """The publication day known before the page is fetched or parsed: the hints a feed entry or
    input record carries, and a date in its URL; None when there is none (yet)."""
    hints = dict(doc.date_hints)
    if doc.url.startswith(("http://", "https://")) and "url" not in hints:
        from_url = dates.date_from_url(doc.url)
        if from_url:
            hints["url"] = from_url
    if not hints:
        return None
    published, _, source = dates.resolve(hints, doc.fetched_at)
    return published.date() if published is not None and source != "ingested" else None


def keep_before_fetch(doc: Document, f: Filters) -> bool:
    """The date filter before the fetch: only a known date out of range drops a document."""
    day = known_date(doc)
    return day is None or in_range(day, f)


def resolved_date(doc: Document) -> Optional[date]:
    """The publication day extraction chose; None for an undated document."""
    if doc.published_at is None or doc.date_source in ("", "ingested"):
        return None
    return date.fromisoformat(doc.date) if doc.date else doc.published_at.date()


def keep_dated(doc: Document, f: Filters) -> bool:
    """The date filter after extraction, on the resolved date; undated: kept unless drop_undated."""
    day = resolved_date(doc)
    return not f.drop_undated if day is None else in_range(day, f)


# --- languages -----------------------------------------------------------------------------

def parse_language(value: str) -> str:
    code = value.strip().lower()
    if not _LANGUAGE.fullmatch(code):
        raise ValueError(f"{value!r} is not an ISO 639-1 language code (such as en, de, zh; or und)")
    return code


def keep_language(doc: Document, f: Filters) -> bool:
    return not f.languages or doc.language in f.languages


# --- in the graph --------------------------------------------------------------------------

def _keep_host(doc: Document, f: Filters) -> bool:
    return host_allowed(doc.url, f)


def checks_before_fetch(f: Filters) -> list:
    """(filter name, keep) pairs for documents not fetched or parsed yet."""
    out = []
    if f.by_host:
        out.append((HOST, functools.partial(_keep_host, f=f)))
    if f.since is not None or f.until is not None:
        out.append((DATE, functools.partial(keep_before_fetch, f=f)))
    return out


def checks_after_analysis(f: Filters) -> list:
    """(filter name, keep) pairs for extracted documents with their language. The host is checked
    again: a page may have been redirected to another host."""
    out = []
    if f.by_host:
        out.append((HOST, functools.partial(_keep_host, f=f)))
    if f.by_date:
        out.append((DATE, functools.partial(keep_dated, f=f)))
    if f.by_language:
        out.append((LANGUAGE, functools.partial(keep_language, f=f)))
    return out


def first_failed(doc: Document, checks) -> Optional[str]:
    """The name of the first check `doc` fails, or None when it passes them all."""
    return next((name for name, keep in checks if not keep(doc)), None)


class _FilterFn(beam.DoFn):
    def __init__(self, checks):
        self._checks = checks

    def setup(self):
        self._counters = {name: counter(PREFIX + name) for name, _ in self._checks}

    def process(self, doc: Document):
        failed = first_failed(doc, self._checks)
        if failed is None:
            yield doc
        else:
            self._counters[failed].inc()


class _Filter(beam.PTransform):
    def __init__(self, checks):
        super().__init__()
        self._checks = checks

    def expand(self, docs):
        return docs | "Keep" >> beam.ParDo(_FilterFn(self._checks))


def before_fetch(docs, f: Filters, label: str):
    """`docs` (not fetched or parsed yet) less those the host or a known date filters out; `docs`
    itself, with no step added, when no such filter is on."""
    checks = checks_before_fetch(f)
    return docs | label >> _Filter(checks) if checks else docs


def after_analysis(docs, f: Filters, label: str = "Filter"):
    """Analysed documents less those the host, resolved date or language filters out; `docs`
    itself when no filter is on."""
    checks = checks_after_analysis(f)
    return docs | label >> _Filter(checks) if checks else docs
