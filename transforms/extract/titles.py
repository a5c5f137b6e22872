"""Headlines: the title readers see, chosen from trafilatura's and the page's own headlines."""
from __future__ import annotations

import html as html_lib
import re
from urllib.parse import urlsplit

from transforms.utils.ids import normalise_text

# Separators between a headline and the site or section appended to it in <title> or og:title.
_TITLE_SEPARATOR = re.compile(r"\s+[|–—-]\s+|\s*[｜：|]\s*|\s+::\s+|\s+[·•»]\s+")
_HOST_NOISE = {"www", "m", "amp", "news", "com", "co", "org", "net", "de", "uk", "fr", "jp", "ca", "za", "at", "ch",
               "it", "es", "au", "in", "il", "kr", "tz", "web"}


def _squash(value: str) -> str:
    return "".join(ch for ch in value.casefold() if ch.isalnum())


def _host_labels(url: str | None) -> list[str]:
    """The labels of a URL's host that can name a site ('citizen' of www.citizen.co.za)."""
    host = (urlsplit(url).hostname or "") if url else ""
    return [label for label in host.split(".") if label not in _HOST_NOISE and len(label) >= 4]


def names_site(segment: str, site_name: str | None, url: str | None) -> bool:
    """Whether a title segment or a name is the site's own (its name, or a label of its host)."""
    seg = _squash(segment)
    if not seg:
        return True
    site = _squash(site_name or "")
    if len(site) >= 3 and (site in seg or seg in site):
        return True
    return any(label in seg or seg in label for label in _host_labels(url))


def _is_site_name(squashed: str, site_name: str | None, url: str | None) -> bool:
    return squashed == _squash(site_name or "") or squashed in _host_labels(url)


def strip_site_suffix(title: str | None, site_name: str | None, url: str | None) -> str | None:
    """'Storm hits coast | The Citizen' -> 'Storm hits coast': trailing segments naming the site go."""
    if not title:
        return title
    title = " ".join(title.split())
    while True:
        cuts = list(_TITLE_SEPARATOR.finditer(title))
        if not cuts:
            return title
        last = cuts[-1]
        head, tail = title[:last.start()], title[last.end():]
        if len(_squash(head)) < 8 or not names_site(tail, site_name, url):
            return title
        title = head


_HEADLINE_SOURCES = re.compile(
    r"<h1\b[^>]*>(.*?)</h1\s*>|<title\b[^>]*>(.*?)</title\s*>"
    r"|<meta\b[^>]*?(?:property|name)=[\"'](?:og:title|twitter:title)[\"'][^>]*?content=[\"']([^\"']*)",
    re.S | re.I)
_BODY_START = re.compile(r"<body\b", re.I)
# Inside a headline, a line break or a block ends a word; inline markup (<span>, <a>, <em>) does not.
_BREAK_TAG = re.compile(r"</?(?:br|div|p|h[1-6]|li|ul|ol|section|header|time|figure)\b[^>]*>", re.I)
_INLINE_TAG = re.compile(r"<[^>]+>")


def headlines(html) -> list[tuple[str, str]]:
    """Every headline-like string of the page as (kind, text): kind is 'h1', 'title' (the
    document's own <title>, not an SVG icon's in the body) or 'meta' (og:title, twitter:title).
    Texts are unescaped, with the page's own white space characters (no-break, ideographic) kept."""
    html = (html.decode("utf-8", "replace") if isinstance(html, bytes) else html)[:2_000_000]
    body = _BODY_START.search(html)
    out = []
    for m in _HEADLINE_SOURCES.finditer(html):
        kind = "h1" if m.group(1) is not None else "title" if m.group(2) is not None else "meta"
        if kind == "title" and body and m.start() > body.start():
            continue
        raw = next(g for g in m.groups() if g is not None)
        text = re.sub(r"[ \t\r\n]+", " ", html_lib.unescape(_INLINE_TAG.sub("", _BREAK_TAG.sub(" ", raw)))).strip()
        if text:
            out.append((kind, text))
    return out


def refine_title(title: str | None, found: list[tuple[str, str]]) -> str | None:
    """The headline with the page's own white space (`found`: the page's headlines): trafilatura
    folds every space to a plain one, and the page's no-break and ideographic spaces are put
    back ('Emmanuel\xa0Macron', '調査\u3000巨大地震')."""
    if not title:
        return title
    pattern = re.compile(r"\s+".join(re.escape(word) for word in title.split()))
    for _, source in found:
        if (m := pattern.search(source)) and m.group(0) != title:
            return m.group(0)
    return title


# A label appended to a headline ('... - National', '... | Sport') is a few words at most.
MAX_LABEL_WORDS = 5


def choose_title(title: str | None, found: list[tuple[str, str]], site_name: str | None, url: str | None) -> str | None:
    """The headline readers see (`found`: the page's headlines). trafilatura prefers og:title,
    which editors often write for social cards (shorter, reworded, a kicker dropped). The page's
    h1 wins over it when the document's <title> says the same as the h1 (two independent places
    agree), or when the chosen title is that h1 with a short label appended."""
    if not title:
        return title
    h1s = [text for kind, text in found if kind == "h1"]
    doc_title = next((text for kind, text in found if kind == "title"), None)
    key = _squash(title)
    confirmed = _squash(strip_site_suffix(doc_title, site_name, url) or "")
    for h1 in h1s:
        h1_key = _squash(h1)
        if h1_key and h1_key == confirmed and h1_key != key and not _is_site_name(h1_key, site_name, url):
            return h1  # (a logo h1 matching a <title> that is only the site's name is no headline)
    for h1 in h1s:
        if len(h1.split()) < 2 or len(_squash(h1)) < 8 or not title.startswith(h1):
            continue
        tail = title[len(h1):]
        if (m := _TITLE_SEPARATOR.match(tail)) and m.start() == 0 and len(tail[m.end():].split()) <= MAX_LABEL_WORDS:
            return h1
    return title


def drop_title(text: str, title: str | None) -> str:
    """Pages repeat their headline as the first block; it belongs in `title`, not in the text."""
    first, sep, rest = text.partition("\n\n")
    if title and sep and normalise_text(first) == normalise_text(title):
        return rest
    return text

