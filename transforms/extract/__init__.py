"""Extract: HTML to article text and metadata, and the publication date chosen.

In: Documents whose `content` holds HTML (pages, feed-entry fragments) or whose `text` is
already set (text and JSONL inputs). Out: Documents with text, title, authors, site name,
description, is_accessible_for_free, published_at/date/date_source. Pages with no article text
are rejected.

page.py runs trafilatura on one page, titles.py chooses the headline, access.py reads the paywall
flag, authors.py the authors, standfirst.py puts back the summary before the first paragraph;
jsonld.py parses the page's JSON-LD once for them. page_metadata, xpath_guards and
readability_bound adapt trafilatura and are installed where the stage sets up.
"""
from __future__ import annotations

import functools

from schemas import Document
from transforms.extract.page import extract_page, fragment_text, install_speedups
from transforms.extract.titles import choose_title, drop_title, headlines, refine_title, strip_site_suffix
from transforms.utils import dates
from transforms.utils.stage import Rejected, StageTransform


# Past this many characters a text is no article but a book, a dump or files run together.
MAX_TEXT_CHARS = 300_000


def check_size(text: str, max_text_chars: int) -> None:
    if len(text) > max_text_chars:
        raise Rejected("too_large", f"text of {len(text)} characters is over the limit of {max_text_chars} "
                                    "(--max-text-chars)")


def extract(doc: Document, max_text_chars: int = MAX_TEXT_CHARS) -> Document:
    """Fills text and metadata; page metadata wins, reader hints (feed, JSONL) fill what it lacks.
    A text longer than `max_text_chars` is rejected (too_large) before any more work on it."""
    check_size(doc.text, max_text_chars)
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
        if page.get("is_accessible_for_free") is not None:
            doc.is_accessible_for_free = page["is_accessible_for_free"]
        if html_date := dates.first_plausible(page.get("dates") or [], doc.fetched_at):
            doc.date_hints["html"] = html_date
        doc.content = None  # the raw page is not carried further: it would only cost memory
        check_size(doc.text, max_text_chars)
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
    warm_up = staticmethod(install_speedups)

    def __init__(self, max_text_chars: int = MAX_TEXT_CHARS):
        super().__init__()
        self._max_text_chars = max_text_chars

    def fn(self):
        return functools.partial(extract, max_text_chars=self._max_text_chars)
