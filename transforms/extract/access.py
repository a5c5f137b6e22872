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

import re

from transforms.extract import jsonld

PROPERTY = "isaccessibleforfree"
CONTENT_TIERS = {"free": True, "metered": False, "locked": False}
TIER_NAMES = ("article:content_tier", "og:article:content_tier")
# Where, inside a JSON-LD object, the article or its parts can stand.
NESTED = frozenset({"@graph", "mainentity", "haspart"})
# JSON-LD that json cannot read (trailing commas, comments) or that is too large to parse
# (jsonld.MAX_BLOCK_CHARS) is searched for the property itself.
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
    return jsonld.key_name(name) == PROPERTY


def _jsonld_flags(found_blocks: list[jsonld.Block], found: list) -> None:
    for block in found_blocks:
        if block.data is None:
            if "ccessibleforfree" in block.text.lower():
                found.extend(flag(m) for m in _LOOSE.findall(block.text))
            continue
        for obj in jsonld.objects(block.data, NESTED):
            found.extend(flag(value) for key, value in obj.items() if isinstance(key, str) and _is_property(key))


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


def accessible_for_free(tree, found_blocks: list[jsonld.Block] | None = None) -> bool | None:
    """What the page (`tree`, parsed) says of its article: False when any of its markup marks it,
    or a part of it, as not free; True when markup marks it free and none says otherwise; None
    when no markup says either. `found_blocks`: the page's JSON-LD, when already parsed."""
    found: list = []
    _jsonld_flags(jsonld.blocks(tree) if found_blocks is None else found_blocks, found)
    _markup_flags(tree, found)
    if False in found:
        return False
    return True if True in found else None
