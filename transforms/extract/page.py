"""trafilatura on one page: the page parsed once, metadata read, text extracted in precision
mode with a recall-mode check, what no step reads removed first."""
from __future__ import annotations

import copy
import logging
import re

import lxml.html
import trafilatura
from trafilatura.settings import Extractor, use_config
from trafilatura.utils import load_html
from trafilatura.xml import delete_element

from transforms.extract import jsonld, readability_bound, xpath_guards
from transforms.extract.access import accessible_for_free
from transforms.extract.authors import choose_authors, jsonld_names
from transforms.extract.page_metadata import page_metadata
from transforms.extract.standfirst import descriptions, standfirst
from transforms.utils.stage import Rejected

# Pathological pages (huge or deeply nested) are refused instead of stalling a worker.
MAX_HTML_BYTES = 10 << 20
MAX_TREE_SIZE = 500_000
# A page of more elements is no article page (news pages have a few thousand): trafilatura
# would copy and walk its tree several times, at hundreds of bytes per element.
MAX_PAGE_ELEMENTS = 50_000
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
# each number from the config parser. Each page gets a copy with its URL.
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
    """trafilatura on one page: {'text', 'title', 'authors', 'site_name', 'description', 'dates' (the
    page's publication date candidates, best first), 'is_accessible_for_free'}.
    The page is parsed once; metadata and each text extraction work from that tree (trafilatura
    copies a tree it is given before changing it), and its JSON-LD is parsed once for the paywall
    flag, the authors, the date and the standfirst. The text starts with the page's standfirst
    when it has one (standfirst.py)."""
    size = len(html)
    if size > MAX_HTML_BYTES:
        raise Rejected("too_large", f"HTML of {size} bytes is over the {MAX_HTML_BYTES} byte budget")
    # Two '<' an element: a page that cannot be under the element budget is not parsed at all.
    if (html.count(b"<") if isinstance(html, bytes) else html.count("<")) > 4 * MAX_PAGE_ELEMENTS:
        raise Rejected("too_large", f"HTML with more than {4 * MAX_PAGE_ELEMENTS} tags is over the "
                                    f"{MAX_PAGE_ELEMENTS} element budget")
    tree = load_html(html)
    if tree is None:
        raise Rejected("no_text", "the page could not be parsed as HTML")
    elements = sum(1 for _ in tree.iter())
    if elements > MAX_PAGE_ELEMENTS:
        raise Rejected("too_large", f"HTML of {elements} elements is over the {MAX_PAGE_ELEMENTS} element budget")
    found = jsonld.blocks(tree)
    article = jsonld.article(found)
    # Before page_metadata's byline search, which removes <link> (microdata can stand on one).
    free = accessible_for_free(tree, found)
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
    text = to_paragraphs(text)
    if lead := standfirst(text, tree, descriptions(tree, meta.description, article)):
        text = lead + "\n\n" + text
    authors = choose_authors(jsonld_names(article, found), split_authors(meta.author), meta.sitename, page_url)
    # The article's own datePublished is more often the publication date than htmldate's pick
    # among the page's dates (which may be an update's or a teaser's): it comes first.
    return {"text": text, "title": meta.title, "authors": authors, "site_name": meta.sitename,
            "description": meta.description, "dates": [jsonld.date_published(article), meta.date],
            "is_accessible_for_free": free}


def install_speedups() -> None:
    """Puts faster equivalents of trafilatura's hot paths in place (same selections, same
    results; see xpath_guards and readability_bound), once per process. Called where the
    Extract stage sets up, and by whoever calls extract_page outside it and wants the speed."""
    # trafilatura warns "discarding data: None" for every page it finds no text in; here such a
    # page is a reject with its stage, reason and path, so the warning would only repeat it.
    logging.getLogger("trafilatura.core").setLevel(logging.ERROR)
    xpath_guards.install()
    readability_bound.install()
