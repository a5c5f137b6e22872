"""trafilatura's readability comparison, skipped when readability provably cannot win.

After its own extractor, trafilatura runs a second one (a readability port) on a copy of the
page and takes that text instead when it is much longer, or when its own result is
structurally poor (`trafilatura.external._prefer_readability`). The copy, its pruning pass and
readability's scoring were a quarter of extraction time.

Readability only deletes, re-tags and moves text of the page, in document order; the one text
it adds is "VIDEO" in a kept video iframe. So the length of its (white-space folded) text is at
most `readability_ceiling(page)`: the page's folded text outside scripts and styles (which
readability drops first) plus six characters per iframe.
When the own result is not structurally poor (it has paragraph text, and no more tables than
paragraphs) readability wins only with more than `factor` times the own text (2, or 1 in recall
mode). If even the ceiling is not that long, the comparison is decided before it runs: it is
handed an empty page, on which readability finds nothing, and the rest (the justext rescue of a
short or unclean result) runs exactly as before. The output is the same as trafilatura's.
"""
from __future__ import annotations

from copy import copy

import trafilatura.core as core
from lxml.etree import XPath
from lxml.html import HtmlElement

# Characters readability may add per <iframe>: "VIDEO" and a separating space.
IFRAME_TEXT = 6
# Readability drops these elements before anything else (JSON-LD scripts are still in the page).
_READ_TEXT = XPath("//text()[not(parent::script or parent::style or parent::fencedframe)]", smart_strings=False)


def readability_ceiling(page) -> int:
    """An upper bound on the length of readability's folded text for `page` (an lxml tree)."""
    # text_content() is one call into libxml2; the XPath, a string per text node.
    dropped = next(page.iter("script", "style", "fencedframe"), None) is not None
    text = "".join(_READ_TEXT(page)) if dropped else page.text_content()
    return len(" ".join(text.split())) + IFRAME_TEXT * sum(1 for _ in page.iter("iframe"))


def readability_cannot_win(body, text: str, page, focus: str) -> bool:
    """True when trafilatura's heuristics would keep `text` (own extraction, `body` its tree)
    whatever readability returns on `page`."""
    if not text:
        return False
    paragraphs = body.findall(".//p")
    if not body.xpath(".//p//text()") or len(body.findall(".//table")) > len(paragraphs):
        return False
    factor = 1 if focus == "recall" else 2
    return readability_ceiling(page) <= factor * len(text)


SKIPPED = {"comparisons": 0, "skipped": 0}  # per process: what tests and profiling runs look at


def _extract_and_compare(cleaned_tree, cleaned_tree_backup, tree, options):
    """trafilatura.core._extract_and_compare, with the bound above before the comparison."""
    postbody, temp_text = core.extract_content(cleaned_tree, options)
    if options.fast:
        return postbody, temp_text
    SKIPPED["comparisons"] += 1
    if readability_cannot_win(postbody, temp_text, tree, options.focus):
        SKIPPED["skipped"] += 1
        page = HtmlElement()
    else:
        page = copy(tree)
    return core.compare_extraction(cleaned_tree_backup, page, postbody, temp_text, options)


_ORIGINAL = {}


def install() -> bool:
    """Puts the bounded comparison in place of trafilatura's; False (nothing changed) on a
    trafilatura without the function this replaces."""
    current = getattr(core, "_extract_and_compare", None)
    if current is None or current is _extract_and_compare:
        return False
    _ORIGINAL["_extract_and_compare"] = current
    core._extract_and_compare = _extract_and_compare
    return True


def uninstall() -> None:
    """Puts trafilatura's own comparison back (for checks against it)."""
    if "_extract_and_compare" in _ORIGINAL:
        core._extract_and_compare = _ORIGINAL.pop("_extract_and_compare")
