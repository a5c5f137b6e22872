"""Authors: the names of the article's JSON-LD `author` first, the page's (meta tags, byline)
when those name nobody but the site, and the same cleaning for both.

Publishers fill meta tags and bylines loosely ('By Ana Lima and Ben Ode, Reuters', a profile URL,
the site's own name), while their JSON-LD author is usually a list of Person objects. The cleaning
makes one name per entry out of either.
"""
from __future__ import annotations

import re

from transforms.extract import jsonld
from transforms.extract.titles import _squash, names_site

_URL_LIKE = re.compile(r"https?://|www\.|\.(com|de|org|net|co\.uk)\b", re.IGNORECASE)
# 'By', 'Von', 'Par', ... before a capital: a byline word, with whatever precedes it ('Text: Von Anna').
_BYLINE = re.compile(r"^(?:(.*?)\s)?(By|Von|Par|Por|Di|Door|Av|Af)\s+(?=[A-ZÀ-Ý])")
# 'Di' after a capitalised word is a surname particle ('Angel Di Maria'), not Italian's 'by'.
_NAME_PARTICLES = frozenset({"Di"})
_NAME_WORD = re.compile(r"(?:^|\s)[A-ZÀ-Ý][\w'’-]*$")
# Between two names: 'and' in the languages of the pipeline's publishers, or ; & | /
_BETWEEN = re.compile(r"\s+(?:and|und|og|och|et|y|e|i|en|ja|és|и|та|ve)\s+|\s*[;&|/]\s*")
# A short trailing note in parentheses: '(dpa)', '(Reuters)', '(Text)'.
_NOTE = re.compile(r"\s*\([^()]{1,12}\)\s*$")


def jsonld_names(article: dict | None, found: list | None = None) -> list[str]:
    """The names of a JSON-LD article's `author`: its Person objects (and untyped ones, and plain
    strings); when it names no person, its other objects (an Organization). An author given as a
    reference (`{"@id": ...}`) is looked up in the page's blocks (`found`)."""
    value = article.get("author") if article else None
    if not value:
        return []
    persons, others, index = [], [], None
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict) and "name" not in item and isinstance(item.get("@id"), str):
            index = jsonld.by_id(found or []) if index is None else index  # built only when a reference needs it
            item = index.get(item["@id"], item)
        if isinstance(item, str):
            persons.append(item)
        elif isinstance(item, dict):
            name = item.get("name")
            if isinstance(name, list):
                name = " ".join(map(str, name))
            if isinstance(name, str) and name.strip():
                kind = jsonld.types(item)
                (others if kind and "Person" not in kind else persons).append(name)
    return persons or others


def strip_byline_word(name: str) -> str:
    """'By Ana Lima' -> 'Ana Lima', 'Capital Von Anna Berg' -> 'Anna Berg'; 'Angel Di Maria' is kept."""
    match = _BYLINE.match(name)
    if not match:
        return name
    before, word = match.group(1, 2)
    if before and word in _NAME_PARTICLES and _NAME_WORD.search(before):
        return name
    return name[match.end():]


def split_names(value: str) -> list[str]:
    """One entry into names: at 'and' words and ; & | /, and at commas when the first part is
    two words or more ('Ana Lima, Reuters'; 'Lima, Ana' is one name)."""
    parts = []
    for piece in _BETWEEN.split(value):
        commas = [c.strip() for c in piece.split(",")]
        parts += commas if len(commas) > 1 and len(commas[0].split()) >= 2 else [piece]
    return parts


def clean_names(names: list[str], site_name: str | None, url: str | None) -> list[str]:
    """Names with URLs left out, byline words stripped, entries split into one name each, short
    parenthesised notes dropped and repeats removed; the site's own name goes when a person is
    named beside it."""
    out, seen = [], set()
    for name in names:
        name = " ".join(name.split())
        if not name or _URL_LIKE.search(name):
            continue
        for part in split_names(strip_byline_word(name).strip(" ,.")):
            part = _NOTE.sub("", part).strip(" ,.")
            key = _squash(part)
            if part and key not in seen:
                seen.add(key)
                out.append(part)
    persons = [n for n in out if not names_site(n, site_name, url)]
    return persons or out


def choose_authors(ld_names: list[str], page_names: list[str], site_name: str | None, url: str | None) -> list[str]:
    """The JSON-LD names (cleaned); the page's when those are none or only the site, unless the
    page's are only the site too."""
    def only_site(names):
        return all(names_site(n, site_name, url) for n in names)

    first = clean_names(ld_names, site_name, url)
    if first and not only_site(first):
        return first
    second = clean_names(page_names, site_name, url)
    return second if second and (not only_site(second) or not first) else (first or second)
