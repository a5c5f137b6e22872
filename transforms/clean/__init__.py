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
# The note on an author that closes an article is one of its last two paragraphs, of up to 600
# characters, with the author's full name in its first 20 ("Korrespondent Ulrich Exner ist ...").
BIO_LAST = 2
BIO_NAME_WITHIN = 20
BIO_MAX = 600
_SPACES = re.compile(r"[^\S\n]+")  # NBSP and friends too: patterns are written with plain spaces
_TERMINAL = re.compile(r"[.!?…\"”’»]\s*$")
_BYLINE = re.compile(r"^(?:by|von|par|por|di|от|від)\s+(.{3,120})$", re.I)
_NAME_JOIN = re.compile(r"(?<=[a-zà-ÿ]{4})(?=[A-ZÀ-Ý][a-zà-ÿ])")
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\be\b)\s*")


def _compile(scope: str, kind: str | None = None, floating: bool | None = None) -> re.Pattern:
    """`floating`: only the patterns that open with any text (True) or with their words (False)."""
    patterns = [p for _, k, s, p in boilerplate.rules() if s == scope and kind in (None, k)
                and floating in (None, p.startswith("."))]
    if scope == "strip":
        return re.compile(r"\s*(?:" + "|".join(patterns) + r")\s*$", re.I)
    return re.compile(r"^(?:" + "|".join(patterns) + r")[\s:.…»>›|-]*$", re.I)


_TAIL, _STRIP = _compile("tail"), _compile("strip")
_LINE_FIXED, _LINE_FLOATING = _compile("line", floating=False), _compile("line", floating=True)
_RELATED = _compile("tail", "related")
# Cheap searches first: a floating line rule, or a strip rule, needs one of these words to match.
_LINE_NEEDS = re.compile("|".join(boilerplate.LINE_NEEDS), re.I)
_STRIP_NEEDS = re.compile("|".join(boilerplate.STRIP_NEEDS), re.I)


def _is_whole_notice(line: str) -> bool:
    return bool((m := _strip_notice(line)) and m.start() == 0)


def _is_line_rule(line: str) -> bool:
    return bool(_LINE_FIXED.match(line) or (_LINE_NEEDS.search(line) and _LINE_FLOATING.match(line)))


def _strip_notice(line: str) -> re.Match | None:
    """The copyright notice at the end of `line` (it may be all of it)."""
    return _STRIP.search(line) if _STRIP_NEEDS.search(line) else None


def _compile_teaser() -> re.Pattern:
    """A related heading, a colon or bar, then the headline: 'READ MORE: Storm hits the coast'."""
    patterns = [p for _, k, s, p in boilerplate.rules() if k == "related" or s == "teaser"]
    return re.compile(r"^(?:" + "|".join(patterns) + r")\s*[:|»>›]+\s*(?P<headline>\S.*)$", re.I)


_TEASER = _compile_teaser()
_SENTENCE_END = re.compile(r"[.!…][\"”’»)]?\s*$")
# A line that says when the page was published or updated ("Stand: 22.04.2024, 06:00 Uhr",
# "Updated at 1:23 p.m.", "Uppdaterad 15.59 | Publicerad 14.14"): a label, then a date or a time,
# with at most a few words more.
DATELINE_MAX = 80
DATELINE_WORDS = 3
_DATE_LABEL = re.compile(r"^(?:" + "|".join(boilerplate.DATE_LABELS) + r")\b", re.I)
_WHEN = re.compile(r"\b\d{1,2}[:h.]\d{2}\b|\b\d{1,4}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d{1,2}\.? ?[^\W\d_]{3,12}\.?,? (?:19|20)\d\d\b"
                   r"|\b[^\W\d_]{3,12}\.? \d{1,2},? (?:19|20)\d\d\b")
_WORD = re.compile(r"[^\W\d_]{2,}")


def _is_dateline(line: str) -> bool:
    if len(line) > DATELINE_MAX or not (m := _DATE_LABEL.match(line)) or not _WHEN.search(line):
        return False
    rest = _WHEN.sub(" ", line[m.end():])
    return len(_WORD.findall(rest)) <= DATELINE_WORDS


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


def _is_teaser_line(line: str) -> bool:
    """'READ MORE: Storm hits the coast', 'Les også: ...': a related heading with its headline."""
    m = _TEASER.match(line)
    return bool(m) and len(m.group("headline")) <= TEASER_MAX and not _SENTENCE_END.search(line)


def _is_author_note(line: str, names: list[str]) -> bool:
    """A closing paragraph that opens with one of the page's authors' full names."""
    head = line[:BIO_NAME_WITHIN + 40].casefold()
    return len(line) <= BIO_MAX and any(0 <= head.find(n.casefold()) <= BIO_NAME_WITHIN for n in names)


def _links_left_out(heading: str, following: list[str]) -> bool:
    """A related heading followed straight by a long paragraph ending as a sentence: its links were
    not extracted and the story goes on, so only the heading goes."""
    return bool(_RELATED.match(heading)) and bool(following) and len(following[0]) > TEASER_MAX \
        and bool(_TERMINAL.search(following[0]))


def _story_goes_on(lines: list[str]) -> bool:
    """Whether the lines after a related block are the story's own paragraphs: mostly sentences,
    unlike a list of headlines."""
    sentences = [s for s in lines if len(s) >= SENTENCE_MIN and _TERMINAL.search(s)]
    return len(sentences) >= 2 and sum(map(len, sentences)) >= 0.5 * sum(map(len, lines))


def clean_text(text: str, authors: list[str] | tuple = ()) -> Cleaned:
    """Removes boilerplate lines and trailing blocks; returns the text and what was removed.
    `authors`, the page's own, let the author's box at the end go (see _is_author_note)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    keep = [True] * len(lines)
    removed = 0
    authors_found: list[str] = []
    stripped = []
    for line in lines:
        s = _SPACES.sub(" ", line).strip()
        m = _strip_notice(s)
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
        key = s.strip("| ") if s.startswith("|") else s  # a table cell's bars
        if _TAIL.match(key):
            if _links_left_out(key, [stripped[j] for j in nonblank[pos + 1:pos + 2]]):
                drop(i)
                before += len(s)
                continue
            teasers = list(takewhile(lambda j: _is_teaser(stripped[j]), nonblank[pos + 1:]))
            rest = nonblank[pos + 1 + len(teasers):]
            # A "related" block inside the article (Don't miss, Read also, then the story goes
            # on) is only its heading and teaser headlines; at the end it takes what follows.
            inside = _RELATED.match(key) and _story_goes_on([stripped[j] for j in rest])
            if before / total >= TAIL_FROM and not inside:
                for j in range(i, len(lines)):
                    drop(j)
                break
            for j in [i] + teasers:
                drop(j)
        elif _is_line_rule(key) or _is_whole_notice(key) or _is_teaser_line(key) or _is_dateline(key):
            drop(i)  # (a notice the strip rules cut, alone on its line, too)
        elif not authors_found and (found := byline_authors(s)):
            authors_found = found
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
    # The note on the author that closes many articles ("Jane Roe is a reporter at ...").
    names = [n for n in list(authors) + authors_found if len(n.split()) >= 2]
    kept = [i for i in nonblank if keep[i]]
    if names and len(kept) > 2 * BIO_LAST:  # never most of a short text
        for i in kept[-BIO_LAST:]:
            if _is_author_note(stripped[i], names):
                drop(i)
    out = "\n".join(s for s, k in zip(stripped, keep) if k)
    out = re.sub(r"\n{3,}", "\n\n", out).strip()
    return Cleaned(out, removed, authors_found)


def clean(doc: Document) -> Document:
    result = clean_text(doc.text, doc.authors or [])
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
