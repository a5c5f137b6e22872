"""Page metadata: trafilatura's metadata extraction, limited to the fields the pipeline keeps.

`trafilatura.metadata.extract_metadata` also finds categories, tags and a license, which the
output schema does not hold, and those three scan every link of the page. This runs the same steps for title, author, URL, site name,
description and date, so those fields come out as trafilatura gives them; the one difference is
the byline search, which the caller may run on a page stripped of menus, buttons and the like
(see page_metadata).
"""
from __future__ import annotations

from typing import Callable

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import (META_URL, examine_meta, extract_author, extract_domain, extract_meta_json,
                                  extract_sitename, extract_title, extract_url)
from trafilatura.settings import Document


def page_metadata(tree: HtmlElement, url: str | None, date_params: dict,
                  before_author_search: Callable[[HtmlElement], None] | None = None) -> Document:
    """Title, author, url, hostname, sitename, description and date of a parsed page (`tree`,
    from trafilatura's `load_html`; not changed unless `before_author_search` changes it).
    `date_params` are htmldate's options.

    The search of the page's body for a byline, when the meta tags and JSON-LD name no author,
    copies the whole page and runs three expressions over it. It comes last (no other field
    reads the author), after `before_author_search(tree)`: the caller can strip the page there
    of what holds no byline first, so less is copied and searched."""
    metadata = examine_meta(tree)
    if metadata.author and " " not in metadata.author:
        metadata.author = None  # a single word is a handle or a site, not a byline
    try:
        metadata = extract_meta_json(tree, metadata)
    except Exception:  # noqa: BLE001 - trafilatura guards its JSON-LD reader the same way
        pass
    if not metadata.title:
        metadata.title = extract_title(tree)
    if not metadata.url:
        metadata.url = extract_url(tree, url)
    if metadata.url:
        metadata.hostname = extract_domain(metadata.url, fast=True)
    metadata.date = find_date(tree, **{**date_params, "url": metadata.url})
    if not metadata.sitename:
        metadata.sitename = extract_sitename(tree)
    if metadata.sitename:
        metadata.sitename = metadata.sitename.lstrip("@")
        if metadata.sitename and "." not in metadata.sitename and not metadata.sitename[0].isupper():
            metadata.sitename = metadata.sitename.title()
    elif metadata.url and (match := META_URL.match(metadata.url)):
        metadata.sitename = match[1]
    if before_author_search is not None:
        before_author_search(tree)
    if not metadata.author:
        metadata.author = extract_author(tree)
    metadata.filedate = date_params.get("max_date")
    metadata.clean_and_trim()
    return metadata
