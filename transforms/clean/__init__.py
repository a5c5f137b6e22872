"""Clean: text-level boilerplate removal, a byline turned into authors, metadata as plain text
(no markup or control characters in title, authors, site name, description), and the content hash.

In: Documents with text. Out: Documents whose text holds the article only, with
boilerplate_removed_chars and content_hash set; a document left with no text is rejected.
The rules are data (transforms/boilerplate.py); this module only applies them.
"""
from __future__ import annotations

import re
from itertools import takewhile
from dataclasses import dataclass, field

from schemas import Document
from transforms.clean import boilerplate
from transforms.utils.ids import content_hash
from transforms.utils.stage import Rejected, StageTransform
from transforms.utils.text import plain_line

# A tail heading in the later part of the text cuts everything after it; earlier it only
# takes the teaser lines that follow it.
TAIL_FROM = 0.5
TEASER_MAX = 160
SENTENCE_MIN = 60  # a paragraph that ends as a sentence does, and is longer than a headline
REPEAT_MIN = 25  # shorter repeated lines ("Share", "Photo") are handled by the line rules
REPEAT_WINDOW = 3
_SPACES = re.compile(r"[^\S\n]+")  # NBSP and friends too: patterns are written with plain spaces
_TERMINAL = re.compile(r"[.!?…\"”’»]\s*$")
_BYLINE = re.compile(r"^(?:by|von|par|por|di|от|від)\s+(.{3,120})$", re.I)
_NAME_JOIN = re.compile(r"(?<=[a-zà-ÿ]{4})(?=[A-ZÀ-Ý][a-zà-ÿ])")
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\be\b)\s*")


def _compile(scope: str, kind: str | None = None) -> re.Pattern:
    patterns = [p for _, k, s, p in boilerplate.rules() if s == scope and kind in (None, k)]
    if scope == "strip":
        return re.compile(r"\s*(?:" + "|".join(patterns) + r")\s*$", re.I)
    return re.compile(r"^(?:" + "|".join(patterns) + r")[\s:.…»>›|-]*$", re.I)


_TAIL, _LINE, _STRIP = _compile("tail"), _compile("line"), _compile("strip")
_RELATED = _compile("tail", "related")


def split_names(text: str) -> list[str]:
    """'Naira DavlashyanOrlando Crowcroft' and 'A, B and C' are several people."""
    names = []
    for part in _NAME_SPLIT.split(_NAME_JOIN.sub(", ", text.strip())):
        part = part.strip(" .")
        if part and len(part.split()) <= 5:
            names.append(part)
    return names


def byline_authors(line: str) -> list[str] | None:
    m = _BYLINE.match(line)
    if not m or _TERMINAL.search(line) or len(m.group(1).split()) > 12:
        return None
    names = split_names(m.group(1))
    # Every part must look like a name: capitalised words only.
    if names and all(all(w[:1].isupper() for w in n.split()) for n in names):
        return names
    return None


@dataclass
class Cleaned:
    text: str
    removed_chars: int
    authors: list = field(default_factory=list)


def _is_teaser(line: str) -> bool:
    return len(line) <= TEASER_MAX and not _TERMINAL.search(line)


def _story_goes_on(lines: list[str]) -> bool:
    """Whether the lines after a related block are the story's own paragraphs: mostly sentences,
    unlike a list of headlines."""
    sentences = [s for s in lines if len(s) >= SENTENCE_MIN and _TERMINAL.search(s)]
    return len(sentences) >= 2 and sum(map(len, sentences)) >= 0.5 * sum(map(len, lines))


def clean_text(text: str) -> Cleaned:
    """Removes boilerplate lines and trailing blocks; returns the text and what was removed."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    keep = [True] * len(lines)
    removed = 0
    authors: list[str] = []
    stripped = []
    for line in lines:
        s = _SPACES.sub(" ", line).strip()
        m = _STRIP.search(s)
        if m and m.start() > 0:  # the match takes the spaces before the notice too
            removed += len(s) - m.start()
            s = s[:m.start()]
        stripped.append(s)

    def drop(i):
        nonlocal removed
        if keep[i]:
            keep[i] = False
            removed += len(stripped[i])

    total = sum(len(s) for s in stripped) or 1
    before = 0
    nonblank = [i for i, s in enumerate(stripped) if s]
    for pos, i in enumerate(nonblank):
        s = stripped[i]
        if _TAIL.match(s):
            teasers = list(takewhile(lambda j: _is_teaser(stripped[j]), nonblank[pos + 1:]))
            rest = nonblank[pos + 1 + len(teasers):]
            # A "related" block inside the article (Don't miss, Read also, then the story goes
            # on) is only its heading and teaser headlines; at the end it takes what follows.
            inside = _RELATED.match(s) and _story_goes_on([stripped[j] for j in rest])
            if before / total >= TAIL_FROM and not inside:
                for j in range(i, len(lines)):
                    drop(j)
                break
            for j in [i] + teasers:
                drop(j)
        elif _LINE.match(s) or _STRIP.match(s):  # a notice the strip rules cut, alone on its line
            drop(i)
        elif not authors and (found := byline_authors(s)):
            authors = found
            drop(i)
        before += len(s)
    # Captions and credits are often printed twice in a row (image alt text, then caption).
    for pos, i in enumerate(nonblank):
        if not keep[i] or len(stripped[i]) < REPEAT_MIN:
            continue
        for j in nonblank[pos + 1:pos + 1 + REPEAT_WINDOW]:
            if keep[j] and stripped[j] == stripped[i]:
                drop(i)
                drop(j)
    out = "\n".join(s for s, k in zip(stripped, keep) if k)
    out = re.sub(r"\n{3,}", "\n\n", out).strip()
    return Cleaned(out, removed, authors)


def clean(doc: Document) -> Document:
    result = clean_text(doc.text)
    if not result.text:
        raise Rejected("empty_after_clean", "nothing but boilerplate in the text")
    doc.text = result.text
    doc.boilerplate_removed_chars = result.removed_chars
    if result.authors and not doc.authors:
        doc.authors = result.authors
    doc.title, doc.site_name, doc.description = map(plain_line, (doc.title, doc.site_name, doc.description))
    doc.authors = [name for name in map(plain_line, doc.authors) if name]
    doc.content_hash = content_hash(doc.text)
    return doc


class Clean(StageTransform):
    """Documents -> Documents with boilerplate removed ({'main', 'rejects'})."""

    stage = "clean"

    def fn(self):
        return clean
