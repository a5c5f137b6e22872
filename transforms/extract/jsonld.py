"""JSON-LD (<script type="application/ld+json">): the page's blocks parsed once, the walk over the
objects they nest, and the article object with the fields read from it.

Pages put the article at the top of a block, in a list, in an `@graph`, or under a WebPage's
`mainEntity`; `objects` walks only the keys a caller names, so what other things are said to be
(publisher, isPartOf) is not mistaken for the article. Keys are compared without a vocabulary
prefix and case (`schema:mainEntity`, `https://schema.org/mainEntity`).
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import NamedTuple

# A block larger than this is a data dump, not the page's article markup: it is not parsed.
MAX_BLOCK_CHARS = 1_000_000
# Deep enough for @graph > WebPage > mainEntity > hasPart > ...; the walk stops below it.
MAX_DEPTH = 8
# Where the article itself can stand (lower-case, no prefix).
ARTICLE_PLACES = frozenset({"@graph", "mainentity", "mainentityofpage", "itemlistelement"})
# schema.org's article types: NewsArticle, ReportageNewsArticle, BlogPosting, DiscussionForumPosting, Report...
ARTICLE_TYPES = re.compile(r"Article|Posting|Report|Blog", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f]+")


class Block(NamedTuple):
    text: str  # the script's text
    data: object  # its JSON, None when it was too large or not JSON


def key_name(key: str) -> str:
    """'https://schema.org/mainEntity', 'schema:mainEntity' -> 'mainentity'."""
    return key.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower()


def parse(text: str):
    """The JSON of one block, None when it is over MAX_BLOCK_CHARS or not JSON. HTML comment
    markers around it and raw control characters (which some sites leave in strings) are tolerated."""
    if len(text) > MAX_BLOCK_CHARS:
        return None
    text = text.strip().removeprefix("<!--").removesuffix("-->")
    try:
        return json.loads(text, strict=False)
    except RecursionError:
        return None
    except ValueError:
        try:
            return json.loads(_CONTROL.sub(" ", text))
        except (ValueError, RecursionError):
            return None


def blocks(tree) -> list[Block]:
    """Every JSON-LD block of a parsed page, in page order."""
    return [Block(text, parse(text)) for script in tree.iter("script")
            if (script.get("type") or "").strip().lower().startswith("application/ld+json")
            for text in [script.text or ""]]


def objects(node, places: frozenset, max_depth: int = MAX_DEPTH, depth: int = 0) -> Iterator[dict]:
    """Each object of `node` (a block's JSON), each before those nested in it, following lists
    and the keys named in `places` (lower-case, no prefix) to `max_depth` levels."""
    if depth > max_depth:
        return
    if isinstance(node, list):
        for item in node:
            yield from objects(item, places, max_depth, depth + 1)
    elif isinstance(node, dict):
        yield node
        for key, value in node.items():
            if isinstance(key, str) and key_name(key) in places:
                yield from objects(value, places, max_depth, depth + 1)


def types(obj: dict) -> str:
    """An object's @type(s) as one string."""
    value = obj.get("@type")
    return " ".join(map(str, value)) if isinstance(value, list) else str(value or "")


def article(found: list[Block]) -> dict | None:
    """The first object of an article type across the page's blocks, or None."""
    for block in found:
        for obj in objects(block.data, ARTICLE_PLACES):
            if ARTICLE_TYPES.search(types(obj)):
                return obj
    return None


def by_id(found: list[Block]) -> dict[str, dict]:
    """The objects of the page's blocks that carry an `@id` and say more than it, by that id: what
    an article's `{"@id": ...}` reference points to (an @graph's Person, for one)."""
    index: dict[str, dict] = {}
    for block in found:
        for obj in objects(block.data, ARTICLE_PLACES):
            ref = obj.get("@id")
            if isinstance(ref, str) and len(obj) > 1:
                index.setdefault(ref, obj)
    return index


def date_published(obj: dict | None) -> str | None:
    """The article's datePublished, when it is a string."""
    value = obj.get("datePublished") if obj else None
    if not isinstance(value, str):
        return None
    return value.strip() or None
