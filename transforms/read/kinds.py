"""What kind of input a file is, from its name."""
from __future__ import annotations

import os

# Kind by extension (after an optional .gz). Anything else is read as a reject, not skipped.
KINDS = {
    ".txt": "text", ".text": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".xml": "feed", ".rss": "feed", ".atom": "feed", ".rdf": "feed",
    ".warc": "warc", ".arc": "unknown",
}


def kind_of(path: str) -> str:
    name = path.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return KINDS.get(os.path.splitext(name)[1], "unknown")
