"""Extract: HTML to article text and metadata, and the publication date chosen.

In: Documents whose `content` holds HTML (pages, feed-entry fragments) or whose `text` is
already set (text and JSONL inputs). Out: Documents with text, title, authors, site name,
description, published_at/date/date_source. Pages with no article text are rejected.
"""
from __future__ import annotations

import copy
import logging
import re
from urllib.parse import urlsplit

import lxml.html
import trafilatura
from trafilatura.settings import Extractor, use_config
from trafilatura.utils import load_html
from trafilatura.xml import delete_element

from schemas import Document
from transforms import dates, readability_bound, xpath_guards
from transforms.ids import normalise_text
from transforms.page_metadata import page_metadata
from transforms.stage import Rejected, StageTransform

# trafilatura warns "discarding data: None" for every page it finds no text in; here such a page
# is a reject with its stage, reason and path, so the warning would only repeat it, nameless.
logging.getLogger("trafilatura.core").setLevel(logging.ERROR)
xpath_guards.install()  # same selections, fewer calls into Python (see the module)
readability_bound.install()  # same results, no readability pass where it cannot win (see the module)

# Pathological pages (huge or deeply nested) are refused instead of stalling a worker.
MAX_HTML_BYTES = 10 << 20
MAX_TREE_SIZE = 500_000
# A page whose extracted text is shorter than this is navigation or an error page, not an article.
MIN_PAGE_LETTERS = 20


def _config():
    config = use_config()
    config.set("DEFAULT", "MAX_TREE_SIZE", str(MAX_TREE_SIZE))
    # trafilatura's timeout uses SIGALRM, which only works in a main thread; Beam runs DoFns in others.
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    return config


DATE_PARAMS = {"extensive_search": False, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M:%S%z"}
RECALL_CHECK_CHARS = 2000
RECALL_RATIO = 2.0
_BLOCKS = re.compile(r"\n\s*\n+")


def _extractor(config, precision: bool) -> Extractor:
    """trafilatura's options. Chosen on the article-extraction benchmark: precision-leaning
    settings, no comments, tables kept, beat the defaults for news. Metadata is not asked of
    trafilatura: page_metadata gives the same fields without the ones not kept."""
    return Extractor(output_format="python", config=config, precision=precision, comments=False, tables=True,
                     with_metadata=False)


# Built once: bare_extraction, given keyword arguments, builds them again on every call and reads
# each number from the config parser (4% of its time). Each page gets a copy with its URL.
_CONFIG = _config()
_PRECISION, _RECALL = _extractor(_CONFIG, precision=True), _extractor(_CONFIG, precision=False)


def extractor_for(template: Extractor, url: str | None) -> Extractor:
    """`template` with the page's URL, as bare_extraction(url=...) would build it."""
    options = copy.copy(template)
    options.url = url
    options.source = url and url.encode("utf-8", "replace").decode("utf-8")
    return options


def to_paragraphs(text: str) -> str:
    """One paragraph per line from trafilatura becomes paragraphs separated by blank lines."""
    lines = [line.strip() for line in text.splitlines()]
    return "\n\n".join(line for line in lines if line)


def split_authors(value: str | None) -> list[str]:
    if not value:
        return []
    return [a.strip() for a in re.split(r";|\s+and\s+|\s*&\s*", value) if a.strip()]


# Separators between a headline and the site or section appended to it in <title> or og:title.
_TITLE_SEPARATOR = re.compile(r"\s+[|–—-]\s+|\s*[｜：|]\s*|\s+::\s+|\s+[·•»]\s+")
_HOST_NOISE = {"www", "m", "amp", "news", "com", "co", "org", "net", "de", "uk", "fr", "jp", "ca", "za", "at", "ch",
               "it", "es", "au", "in", "il", "kr", "tz", "web"}


def _squash(value: str) -> str:
    return "".join(ch for ch in value.casefold() if ch.isalnum())


def _host_labels(url: str | None) -> list[str]:
    """The labels of a URL's host that can name a site ('citizen' of www.citizen.co.za)."""
    host = (urlsplit(url).hostname or "") if url else ""
    return [label for label in host.split(".") if label not in _HOST_NOISE and len(label) >= 4]


def _names_site(segment: str, site_name: str | None, url: str | None) -> bool:
    seg = _squash(segment)
    if not seg:
        return True
    site = _squash(site_name or "")
    if len(site) >= 3 and (site in seg or seg in site):
        return True
    return any(label in seg or seg in label for label in _host_labels(url))


def _is_site_name(squashed: str, site_name: str | None, url: str | None) -> bool:
    return squashed == _squash(site_name or "") or squashed in _host_labels(url)


def strip_site_suffix(title: str | None, site_name: str | None, url: str | None) -> str | None:
    """'Storm hits coast | The Citizen' -> 'Storm hits coast': trailing segments naming the site go."""
    if not title:
        return title
    title = " ".join(title.split())
    while True:
        cuts = list(_TITLE_SEPARATOR.finditer(title))
        if not cuts:
            return title
        last = cuts[-1]
        head, tail = title[:last.start()], title[last.end():]
        if len(_squash(head)) < 8 or not _names_site(tail, site_name, url):
            return title
        title = head


_HEADLINE_SOURCES = re.compile(
    r"<h1\b[^>]*>(.*?)</h1\s*>|<title\b[^>]*>(.*?)</title\s*>"
    r"|<meta\b[^>]*?(?:property|name)=[\"'](?:og:title|twitter:title)[\"'][^>]*?content=[\"']([^\"']*)",
    re.S | re.I)
_BODY_START = re.compile(r"<body\b", re.I)


def headlines(html) -> list[tuple[str, str]]:
    """Every headline-like string of the page as (kind, text): kind is 'h1', 'title' (the
    document's own <title>, not an SVG icon's in the body) or 'meta' (og:title, twitter:title).
    Texts are unescaped, with the page's own white space characters (no-break, ideographic) kept."""
    import html as html_lib
    html = (html.decode("utf-8", "replace") if isinstance(html, bytes) else html)[:2_000_000]
    body = _BODY_START.search(html)
    out = []
    for m in _HEADLINE_SOURCES.finditer(html):
        kind = "h1" if m.group(1) is not None else "title" if m.group(2) is not None else "meta"
        if kind == "title" and body and m.start() > body.start():
            continue
        raw = next(g for g in m.groups() if g is not None)
        text = re.sub(r"[ \t\r\n]+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", raw))).strip()
        if text:
            out.append((kind, text))
    return out


def refine_title(title: str | None, found: list[tuple[str, str]]) -> str | None:
    """The headline with the page's own white space (`found`: the page's headlines): trafilatura
    folds every space to a plain one, and the page's no-break and ideographic spaces are put
    back ('Emmanuel\xa0Macron', '調査\u3000巨大地震')."""
    if not title:
        return title
    pattern = re.compile(r"\s+".join(re.escape(word) for word in title.split()))
    for _, source in found:
        if (m := pattern.search(source)) and m.group(0) != title:
            return m.group(0)
    return title


# A label appended to a headline ('... - National', '... | Sport') is a few words at most.
MAX_LABEL_WORDS = 5


def choose_title(title: str | None, found: list[tuple[str, str]], site_name: str | None, url: str | None) -> str | None:
    """The headline readers see (`found`: the page's headlines). trafilatura prefers og:title,
    which editors often write for social cards (shorter, reworded, a kicker dropped). The page's
    h1 wins over it when the document's <title> says the same as the h1 (two independent places
    agree), or when the chosen title is that h1 with a short label appended."""
    if not title:
        return title
    h1s = [text for kind, text in found if kind == "h1"]
    doc_title = next((text for kind, text in found if kind == "title"), None)
    key = _squash(title)
    confirmed = _squash(strip_site_suffix(doc_title, site_name, url) or "")
    for h1 in h1s:
        h1_key = _squash(h1)
        if h1_key and h1_key == confirmed and h1_key != key and not _is_site_name(h1_key, site_name, url):
            return h1  # (a logo h1 matching a <title> that is only the site's name is no headline)
    for h1 in h1s:
        if len(h1.split()) < 2 or len(_squash(h1)) < 8 or not title.startswith(h1):
            continue
        tail = title[len(h1):]
        if (m := _TITLE_SEPARATOR.match(tail)) and m.start() == 0 and len(tail[m.end():].split()) <= MAX_LABEL_WORDS:
            return h1
    return title


def drop_title(text: str, title: str | None) -> str:
    """Pages repeat their headline as the first block; it belongs in `title`, not in the text."""
    first, sep, rest = text.partition("\n\n")
    if title and sep and normalise_text(first) == normalise_text(title):
        return rest
    return text


def fragment_text(html: str) -> str:
    """Feed entries carry a few paragraphs of HTML: their text, block by block."""
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return html.strip()
    for bad in root.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    for block in root.xpath("//p|//div|//br|//li|//h1|//h2|//h3|//h4|//blockquote|//tr"):
        block.tail = "\n\n" + (block.tail or "")
    return _BLOCKS.sub("\n\n", root.text_content()).strip()


def has_letters(text: str, n: int) -> bool:
    """At least n letters; counting stops there (texts are long, the bar is low)."""
    found = 0
    for ch in text:
        if ch.isalpha():
            found += 1
            if found >= n:
                return True
    return False


def prose_chars(root) -> int:
    """Characters of text in the page's paragraphs (`root`: the parsed page): <p> and
    <blockquote> elements, and text standing directly in a <div> (pages that break lines with
    <br> instead of paragraphs)."""
    total = 0
    for element in root.iter("p", "blockquote"):
        total += len(" ".join(element.text_content().split()))
    for div in root.iter("div"):
        total += sum(len(part.strip()) for part in [div.text or ""] + [child.tail or "" for child in div])
    return total


def needs_recall(text: str, root) -> bool:
    """Precision mode sometimes keeps only the lead of a long article: a short result is
    checked against recall mode, whose text wins when it is much longer. Recall mode cannot
    find much more text than the page's paragraphs hold, so most short pages (briefs, videos)
    skip that second extraction."""
    return len(text) < RECALL_CHECK_CHARS and prose_chars(root) > RECALL_RATIO * len(text)


# Elements trafilatura's own cleaning deletes, with their content, before its main extractor
# reads the page (trafilatura.settings.MANUALLY_CLEANED), and which never hold article text:
# navigation, page chrome, form controls, media and vector graphics. Left in the page: the
# elements of that list that do hold article text on some sites (<aside>, <noscript>, <time>,
# <dialog>, <textarea>), or that trafilatura treats specially (<head>, <form>, <figure>, <math>).
NEVER_TEXT = ("nav", "footer", "menu", "menuitem", "svg", "use", "canvas", "map", "area", "picture", "source",
              "video", "audio", "track", "object", "embed", "param", "applet", "iframe", "fencedframe", "frame",
              "frameset", "button", "input", "select", "option", "optgroup", "datalist", "label", "legend",
              "fieldset", "output", "progress", "link", "marquee", "blink", "noindex", "rp", "rt", "rtc")


UNUSED = ("script", "style", *NEVER_TEXT)
# What the byline search of page_metadata can do without: all of it but <footer>, where an
# article's author box often stands (<article><footer><div class="author-name">).
NO_BYLINE = tuple(tag for tag in UNUSED if tag != "footer")


def drop_unused(tree, tags: tuple = UNUSED) -> None:
    """Removes what no extraction step reads once metadata has been taken: <script> (except
    JSON-LD, which trafilatura reads to find forum threads and article bodies), <style>, and the
    NEVER_TEXT elements, their tails kept as trafilatura keeps them. Its main extractor would
    delete them anyway; removed once here, they are no longer walked by each of its pruning
    passes, copied for each of its stages, nor scored by its readability fallback. `tags`: the
    elements to remove (a part of UNUSED)."""
    dead = [e for e in tree.iter(*tags)
            if e.tag != "script" or e.get("type") != "application/ld+json"]
    for element in dead:
        delete_element(element)


def extract_page(html, url: str | None) -> dict:
    """trafilatura on one page: {'text', 'title', 'authors', 'site_name', 'description', 'date'}.
    The page is parsed once; metadata and each text extraction work from that tree (trafilatura
    copies a tree it is given before changing it)."""
    size = len(html)
    if size > MAX_HTML_BYTES:
        raise Rejected("too_large", f"HTML of {size} bytes is over the {MAX_HTML_BYTES} byte budget")
    tree = load_html(html)
    if tree is None:
        raise Rejected("no_text", "the page could not be parsed as HTML")
    meta = page_metadata(tree, url, DATE_PARAMS, before_author_search=lambda page: drop_unused(page, NO_BYLINE))
    drop_unused(tree, ("footer",))
    page_url = url or meta.url
    result = trafilatura.bare_extraction(tree, options=extractor_for(_PRECISION, page_url))
    text = (result.text or "") if result is not None else ""
    if needs_recall(text, tree):
        other = trafilatura.bare_extraction(tree, options=extractor_for(_RECALL, page_url))
        if other is not None and len(other.text or "") > RECALL_RATIO * len(text):
            text = other.text
    if not has_letters(text, MIN_PAGE_LETTERS):
        raise Rejected("no_text", "no article text found in the page")
    return {"text": to_paragraphs(text), "title": meta.title, "authors": split_authors(meta.author),
            "site_name": meta.sitename, "description": meta.description, "date": meta.date}


def extract(doc: Document) -> Document:
    """Fills text and metadata; page metadata wins, reader hints (feed, JSONL) fill what it lacks."""
    if doc.content is not None:
        url = doc.url if doc.url.startswith(("http://", "https://")) else None
        if doc.content_type == "text/html-fragment":
            html = doc.content.decode("utf-8", "replace") if isinstance(doc.content, bytes) else doc.content
            page = {"text": fragment_text(html)}
        else:
            page = extract_page(doc.content, url)
        title = strip_site_suffix(page.get("title"), page.get("site_name"), url)
        found = headlines(doc.content) if title else []
        doc.title = refine_title(choose_title(title, found, page.get("site_name"), url), found) or doc.title
        doc.text = drop_title(page["text"], doc.title)
        doc.authors = page.get("authors") or doc.authors
        doc.site_name = page.get("site_name") or doc.site_name
        doc.description = page.get("description") or doc.description
        if page.get("date"):
            doc.date_hints["html"] = page["date"]
        doc.content = None  # the raw page is not carried further: it would only cost memory
    if not doc.text.strip():
        raise Rejected("no_text", "the document has no text")
    url_date = dates.date_from_url(doc.url) if doc.url.startswith(("http://", "https://")) else None
    if url_date:
        doc.date_hints.setdefault("url", url_date)
    doc.published_at, doc.date, doc.date_source = dates.resolve(doc.date_hints, doc.fetched_at)
    return doc


class Extract(StageTransform):
    """Documents -> Documents with text and metadata ({'main', 'rejects'})."""

    stage = "extract"

    def fn(self):
        return extract
