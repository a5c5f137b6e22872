"""Whether a page says its article is free to read: the `is_accessible_for_free` column.

Read from, in a parsed page:
- schema.org `isAccessibleForFree` in JSON-LD (<script type="application/ld+json">): on a top-level
  object, on the members of an `@graph`, on the `mainEntity` of a WebPage, and on the `hasPart`
  elements of any of these, as Google's markup for paywalled content puts it
  (`"hasPart": {"@type": "WebPageElement", "isAccessibleForFree": false, "cssSelector": ".paywall"}`).
  What other things are said to be (`publisher`, `isPartOf`, list items) is not read;
- schema.org `isAccessibleForFree` in microdata (`itemprop`, on <meta content>, <link href> or as
  text) and RDFa (`property`);
- meta tags: `<meta name="isAccessibleForFree" content="false">` (or property=), and Facebook's
  `<meta property="article:content_tier" content="free|metered|locked">`, where metered and locked
  are paywalled (as Google asks metered content to be marked with isAccessibleForFree false).

Values: booleans; "true"/"false" in any case; the schema.org enumeration members
(https://schema.org/True, schema:False). A page that says both is paywalled (False wins: Google's
markup says false on the part behind the paywall); a page that says nothing gives None.
"""
from __future__ import annotations

import json
import re

PROPERTY = "isaccessibleforfree"
CONTENT_TIERS = {"free": True, "metered": False, "locked": False}
TIER_NAMES = ("article:content_tier", "og:article:content_tier")
# Where, inside a JSON-LD object, the article or its parts can stand.
NESTED = ("@graph", "mainentity", "haspart")
MAX_DEPTH = 8
# JSON-LD that json cannot read (trailing commas, raw newlines in strings, comments) is searched for
# the property itself.
_LOOSE = re.compile(r'"(?:[a-z]+:|https?://schema\.org/)?isAccessibleForFree"\s*:\s*"?([A-Za-z:/.]+)"?', re.I)


def flag(value) -> bool | None:
    """True, False or None (not a boolean) from a JSON-LD, microdata or meta value."""
    if isinstance(value, bool):
        return value
    if isinstance(value, dict):  # a JSON-LD value object: {"@value": "false"}
        return flag(value.get("@value", value.get("@id")))
    if isinstance(value, list) and len(value) == 1:
        return flag(value[0])
    if isinstance(value, str):
        word = value.strip().rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower()
        return {"true": True, "false": False}.get(word)
    return None


def _is_property(name: str) -> bool:
    """isAccessibleForFree, with or without a vocabulary prefix (schema:, https://schema.org/)."""
    return name.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower() == PROPERTY


def _jsonld(node, found: list, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        return
    if isinstance(node, list):
        for item in node:
            _jsonld(item, found, depth + 1)
    elif isinstance(node, dict):
        for key, value in node.items():
            if not isinstance(key, str):
                continue
            if _is_property(key):
                found.append(flag(value))
            elif key.rsplit("/", 1)[-1].rsplit(":", 1)[-1].lower() in NESTED:
                _jsonld(value, found, depth + 1)


def _jsonld_flags(tree, found: list) -> None:
    for script in tree.iter("script"):
        if not (script.get("type") or "").strip().lower().startswith("application/ld+json"):
            continue
        text = script.text or ""
        if "ccessibleforfree" not in text.lower():
            continue
        try:
            _jsonld(json.loads(text.strip().removeprefix("<!--").removesuffix("-->"), strict=False), found)
        except (ValueError, RecursionError):
            found.extend(flag(m) for m in _LOOSE.findall(text))


def _element_value(element) -> str | None:
    for attribute in ("content", "href", "value", "resource"):
        if element.get(attribute) is not None:
            return element.get(attribute)
    return element.text_content()


def _markup_flags(tree, found: list) -> None:
    """Microdata (itemprop), RDFa (property) and meta tags (name, property)."""
    for element in tree.xpath("//*[@itemprop or @property or (self::meta and @name)]"):
        names = " ".join(element.get(a) or "" for a in ("itemprop", "property", "name")).split()
        for name in names:
            if _is_property(name):
                found.append(flag(_element_value(element)))
            elif name.lower() in TIER_NAMES and element.tag == "meta":
                found.append(CONTENT_TIERS.get((element.get("content") or "").strip().lower()))


def accessible_for_free(tree) -> bool | None:
    """What the page (`tree`, parsed) says of its article: False when any of its markup marks it,
    or a part of it, as not free; True when markup marks it free and none says otherwise; None
    when no markup says either."""
    found: list = []
    _jsonld_flags(tree, found)
    _markup_flags(tree, found)
    if False in found:
        return False
    return True if True in found else None
