"""Sitemaps (sitemaps.org 0.9, Google News sitemaps, plain-text sitemaps): entries and child sitemaps.

`parse_sitemap(data, base_url)` turns one sitemap's bytes (gzipped or not) into a `Sitemap`:
either a `urlset` (article URLs with lastmod and, in a news sitemap, publication date, title
and language) or a `sitemapindex` (child sitemap URLs with their lastmod). Bounded: at most
MAX_UNZIPPED_BYTES after decompression (the protocol's 50 MB; a gzip bomb stops there) and
MAX_ENTRIES entries (the protocol's 50,000). The XML parser resolves no entities and fetches
nothing. Anything else raises Rejected with its reason.
"""
from __future__ import annotations

import io
import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Optional
from urllib.parse import urljoin

from lxml import etree

from transforms.utils.dates import parse_date
from transforms.utils.stage import Rejected

MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
MAX_ENTRIES = 50_000
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    lastmod: Optional[datetime] = None
    published: Optional[datetime] = None  # news:publication_date
    title: Optional[str] = None  # news:title
    language: Optional[str] = None  # news:language, as given (ISO 639)
    site_name: Optional[str] = None  # news:publication/news:name

    @property
    def newest(self) -> Optional[datetime]:
        """The entry's own date for 'newer than the last run': publication or modification."""
        dates = [d for d in (self.lastmod, self.published) if d is not None]
        return max(dates) if dates else None


@dataclass
class Sitemap:
    kind: str  # 'urlset' or 'index'
    entries: list = field(default_factory=list)  # SitemapEntry, for a urlset
    children: list = field(default_factory=list)  # (url, lastmod), for an index
    over_cap: int = 0  # entries past MAX_ENTRIES, not taken
    unusable: int = 0  # entries without an http(s) URL


def gunzip_bounded(data: bytes, limit: int = MAX_UNZIPPED_BYTES) -> bytes:
    """`data` decompressed, refusing past `limit` bytes without inflating more than that."""
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = decoder.decompress(data, limit + 1)
    except zlib.error as exc:
        raise Rejected("sitemap_parse_error", f"cannot decompress the gzipped sitemap: {exc}") from None
    if len(out) > limit or decoder.unconsumed_tail:
        raise Rejected("too_large", f"sitemap is over {limit} bytes once decompressed")
    return out


def looks_like_sitemap(data: bytes) -> bool:
    """Whether a body is a sitemap at all (gzipped, or XML whose root is <urlset> or <sitemapindex>),
    without parsing it: a site's usual sitemap locations often answer with an HTML page."""
    if data[:2] == _GZIP_MAGIC:
        return True
    head = data[:4096].lower()
    return b"<urlset" in head or b"<sitemapindex" in head


_DAY_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_lastmod(value: Optional[str]) -> Optional[datetime]:
    """A lastmod as a time; a day alone ('2026-12-07', as many sitemaps give it) is its last second:
    a sitemap changed that day may have changed after any earlier reading of it that day."""
    when = parse_date(value)
    if when is not None and _DAY_ONLY.fullmatch(value.strip()):
        when += timedelta(days=1, seconds=-1)
    return when


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child_text(element, name: str) -> Optional[str]:
    for child in element:
        if _local(child.tag) == name:
            return (child.text or "").strip() or None
    return None


def _web_url(value: Optional[str], base_url: str) -> Optional[str]:
    if not value:
        return None
    url = urljoin(base_url, value) if base_url.lower().startswith(("http://", "https://")) else value
    return url if url.lower().startswith(("http://", "https://")) else None


def _news(url_element) -> dict:
    for child in url_element:
        if _local(child.tag) != "news":
            continue
        out = {"published": parse_date(_child_text(child, "publication_date")),
               "title": _child_text(child, "title")}
        for part in child:
            if _local(part.tag) == "publication":
                out["language"] = _child_text(part, "language")
                out["site_name"] = _child_text(part, "name")
        return out
    return {}


def _parse_text(text: str) -> Sitemap:
    """A plain-text sitemap: one absolute URL per line."""
    site = Sitemap("urlset")
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("<"):
            raise Rejected("sitemap_parse_error", "markup in a plain-text sitemap (an XML sitemap in an unread encoding?)")
        url = _web_url(line, "")
        if url is None:
            site.unusable += bool(line)
        elif len(site.entries) >= MAX_ENTRIES:
            site.over_cap += 1
        else:
            site.entries.append(SitemapEntry(url))
    if not site.entries:
        raise Rejected("sitemap_parse_error", "neither an XML sitemap nor a list of URLs")
    return site


def parse_sitemap(data: bytes, base_url: str = "") -> Sitemap:
    if data[:2] == _GZIP_MAGIC:
        data = gunzip_bounded(data)
    elif len(data) > MAX_UNZIPPED_BYTES:
        raise Rejected("too_large", f"sitemap of {len(data)} bytes is over {MAX_UNZIPPED_BYTES} bytes")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16, which the XML parser reads from its BOM
        return _parse_xml_or_reject(data, base_url)
    head = data.removeprefix(b"\xef\xbb\xbf")[:2048].lstrip().lower()
    if not data.strip():
        raise Rejected("sitemap_empty", "the sitemap is empty")
    if not head.startswith(b"<"):
        return _parse_text(data.decode("utf-8", "replace").removeprefix("\ufeff"))
    return _parse_xml_or_reject(data, base_url)


def _parse_xml_or_reject(data: bytes, base_url: str) -> Sitemap:
    try:
        return _parse_xml(data, base_url)
    except etree.XMLSyntaxError as exc:
        raise Rejected("sitemap_parse_error", f"malformed XML: {exc}") from None


def _parse_xml(data: bytes, base_url: str) -> Sitemap:
    """Element by element, each <url> or <sitemap> freed once read: memory stays near the size of the
    entries kept, not of the parsed tree."""
    events = etree.iterparse(io.BytesIO(data), events=("start", "end"), resolve_entities=False, no_network=True,
                             huge_tree=False, recover=False)
    site = None
    for event, element in events:
        if site is None:
            kind = _local(element.tag)
            if kind not in ("urlset", "sitemapindex"):
                raise Rejected("sitemap_parse_error", f"root element <{kind}> is neither <urlset> nor <sitemapindex>")
            site = Sitemap("index" if kind == "sitemapindex" else "urlset")
            continue
        name = _local(element.tag)
        if event != "end" or name not in ("url", "sitemap") or element.getparent() is None \
                or element.getparent().getparent() is not None:
            continue
        url = _web_url(_child_text(element, "loc"), base_url)
        held = site.children if site.kind == "index" else site.entries
        if url is None or name != ("sitemap" if site.kind == "index" else "url"):
            site.unusable += 1
        elif len(held) >= MAX_ENTRIES:
            site.over_cap += 1
        elif site.kind == "index":
            held.append((url, parse_lastmod(_child_text(element, "lastmod"))))
        else:
            held.append(SitemapEntry(url, lastmod=parse_lastmod(_child_text(element, "lastmod")), **_news(element)))
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]
    if site is None:
        raise Rejected("sitemap_parse_error", "no XML element")
    return site
