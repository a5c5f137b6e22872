"""The standfirst: the summary many pages print between the headline and the first paragraph,
which trafilatura often leaves out because it stands outside the article's container.

Pages repeat it in their meta description (description, og:description, twitter:description) or
in the article's JSON-LD description. One of those is put back as the text's first paragraph when
the page shows it as a block of its own just before the text's first paragraph: a description
that is only in the meta tags, or shown elsewhere (a teaser, the footer), is not article text.
"""
from __future__ import annotations

import html as html_lib
from collections.abc import Iterator

# Elements that end a line of visible text.
BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "td", "th", "dd", "dt",
                    "figcaption", "div", "section", "article", "tr", "br", "table", "ul", "ol", "header"})
# Elements whose text readers do not see.
HIDDEN = frozenset({"script", "style", "noscript", "head", "template", "title", "meta", "link"})
# Shorter descriptions are labels or slogans, not a summary.
MIN_CHARS = 40
# How far before the first paragraph the standfirst may stand: a dateline, a byline, a caption.
MAX_BLOCKS_BETWEEN = 3
MAX_CHARS_BETWEEN = 300
# A block the first paragraph starts with must be this long to stand for it.
MIN_PREFIX_CHARS = 20


def _plain(value: str) -> str:
    return " ".join(html_lib.unescape(value).split())


def descriptions(tree, meta_description: str | None, article: dict | None) -> list[str]:
    """The page's descriptions (meta tags, then the JSON-LD article's), unescaped, white space
    folded, repeats and short ones left out."""
    found = [meta_description]
    for meta in tree.iter("meta"):
        name = (meta.get("property") or meta.get("name") or "").lower()
        if name in ("description", "og:description", "twitter:description"):
            found.append(meta.get("content"))
    if article and isinstance(article.get("description"), str):
        found.append(article["description"])
    return [d for d in dict.fromkeys(_plain(value) for value in found if value) if len(d) >= MIN_CHARS]


def visible_blocks(tree) -> Iterator[str]:
    """The text of the page's body split at block elements, white space folded, in page order;
    hidden elements left out (their tails kept). Walks the tree without copying it, and only as
    far as the caller reads."""
    line: list[str] = []

    def flush():
        text = " ".join("".join(line).split()) if line else ""
        line.clear()
        return text

    body = tree.find(".//body")
    root = body if body is not None else tree
    # (element, entering): an explicit stack, so a deeply nested page cannot exhaust recursion.
    stack = [(root, True)]
    while stack:
        element, entering = stack.pop()
        tag = element.tag if isinstance(element.tag, str) else ""
        if not entering:
            if tag in BLOCKS and (text := flush()):
                yield text
            if element.tail and element is not root:
                line.append(element.tail)
            continue
        if tag in HIDDEN:
            if element.tail and element is not root:
                line.append(element.tail)
            continue
        if tag in BLOCKS and (text := flush()):
            yield text
        if element.text:
            line.append(element.text)
        stack.append((element, False))
        stack.extend((child, True) for child in reversed(element))
    if text := flush():
        yield text


def blocks_before(tree, first: str) -> list[str] | None:
    """The page's visible blocks before the one that is `first` (the text's first paragraph), or,
    when no block is, before the first long block `first` starts with; None when neither is found."""
    seen = []
    for block in visible_blocks(tree):
        if block == first:
            return seen
        seen.append(block)
    start = next((i for i, block in enumerate(seen) if len(block) > MIN_PREFIX_CHARS and first.startswith(block)), None)
    return None if start is None else seen[:start]


def standfirst(text: str, tree, candidates: list[str], max_blocks: int = MAX_BLOCKS_BETWEEN,
               max_chars: int = MAX_CHARS_BETWEEN) -> str | None:
    """The description (of `candidates`) that the page (`tree`) shows as a block of its own at
    most `max_blocks` blocks and `max_chars` characters before the first paragraph of `text`,
    and that `text` does not hold already; None when there is none."""
    flat = " ".join(text.split())
    candidates = [d for d in candidates if d not in flat]
    if not candidates:
        return None
    first = next((" ".join(line.split()) for line in text.split("\n") if line.strip()), "")
    before = blocks_before(tree, first) if first else None
    if before is None:
        return None
    for candidate in candidates:
        at = [i for i, block in enumerate(before) if block == candidate]
        if at:
            between = before[at[-1] + 1:]
            if len(between) <= max_blocks and sum(map(len, between)) <= max_chars:
                return candidate
    return None
