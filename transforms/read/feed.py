"""RSS, Atom and RDF feed files: each entry becomes a document whose text is its content or summary."""
from __future__ import annotations

import warnings
from typing import Iterator
from urllib.parse import urljoin

import feedparser

from schemas import Document
from transforms.utils.dates import parse_date
from transforms.utils.ids import article_id, canonical_url
from transforms.utils.text import html_line
from transforms.utils.stage import Rejected


def _entry_html(entry) -> str:
    # content:encoded / atom:content carries the full story; the summary is a teaser.
    for item in entry.get("content") or []:
        if item.get("value", "").strip():
            return item["value"]
    return entry.get("summary", "") or ""


def _field_text(item, key: str) -> str | None:
    """A title or summary as text: feeds mark some as HTML (`<sup>2</sup>`, `&#x0024;`), which
    readers must not see as markup or entity references."""
    value = item.get(key)
    if not value or "html" not in (item.get(f"{key}_detail") or {}).get("type", ""):
        return value
    return html_line(value)


def _entry_authors(entry) -> list[str]:
    names = [a.get("name", "").strip() for a in entry.get("authors") or [] if isinstance(a, dict)]
    names = [n for n in names if n]
    if not names and entry.get("author"):
        names = [entry["author"].strip()]
    return names


ENTRY_WITHOUT_PAGE = "#entry="


def has_page(doc: Document) -> bool:
    """Whether an entry links to a web page; one that does not is used with its own content."""
    return ENTRY_WITHOUT_PAGE not in doc.url


def parse_feed(data: bytes, base: Document, headers: dict | None = None) -> list[Document]:
    """Entries of a feed; `headers` are the HTTP response headers of a fetched feed (for its charset)."""
    # feedparser resolves relative links against the feed's URL; a local file's URI is no base for them.
    web = base.url.startswith(("http://", "https://"))
    response_headers = dict(headers or {})
    if web:
        response_headers["content-location"] = base.url
    parsed = feedparser.parse(data, response_headers=response_headers or None)
    if not parsed.entries:
        why = str(parsed.get("bozo_exception", "")) or "no entries"
        raise Rejected("feed_parse_error" if parsed.get("bozo") else "feed_empty", why)
    feed_link = parsed.feed.get("link") or ""
    site = _field_text(parsed.feed, "title")
    docs = []
    for index, entry in enumerate(parsed.entries):
        link = entry.get("link") or ""
        if link and not link.startswith(("http://", "https://")):
            # Relative entry links: against the channel link, else against the feed's own URL.
            link = urljoin(feed_link if feed_link.startswith(("http://", "https://")) else base.url, link)
        url = canonical_url(link) if link.startswith(("http://", "https://")) else \
            f"{base.url}{ENTRY_WITHOUT_PAGE}{entry.get('id') or index}"
        hints = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # feedparser's updated/published alias notice
            when = entry.get("published_parsed") or entry.get("updated_parsed")
        if when:
            hints["feed"] = parse_date(when)
        docs.append(base.replace(
            url=url, record_number=index, content=_entry_html(entry), content_type="text/html-fragment",
            title=_field_text(entry, "title"), authors=_entry_authors(entry), site_name=site,
            description=_field_text(entry, "summary") if entry.get("content") else None, date_hints=hints, id=article_id(url)))
    return docs


def read_feed(data: bytes, doc: Document) -> Iterator[Document]:
    if not data.strip():
        raise Rejected("empty_input", "the input is empty")
    yield from parse_feed(data, doc.replace(source="feed"))
