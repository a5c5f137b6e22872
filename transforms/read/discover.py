"""Which files to read, and what kind each one is."""
from __future__ import annotations

import os

from apache_beam.io.filesystems import FileSystems

# Kind by extension (after an optional .gz). Anything else is read as a reject, not skipped.
KINDS = {
    ".txt": "text", ".text": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".xml": "feed", ".rss": "feed", ".atom": "feed", ".rdf": "feed",
    ".warc": "warc", ".arc": "unknown",
}


class UsageError(Exception):
    """The user's mistake (bad flag, missing path): reported as one line, exit code 2."""


def kind_of(path: str) -> str:
    name = path.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    return KINDS.get(os.path.splitext(name)[1], "unknown")


def _is_remote(path: str) -> bool:
    return "://" in path and not path.startswith("file://")


def _local(path: str) -> str:
    return path[len("file://"):] if path.startswith("file://") else path


def expand_inputs(paths: list[str]) -> list[str]:
    """Files under the given files and folders (recursive), sorted; hidden files in folders skipped.

    Raises UsageError for a path that does not exist. Remote paths (gs://, s3://) are
    matched as patterns through Beam's FileSystems.
    """
    found: list[str] = []
    for raw in paths:
        if _is_remote(raw):
            pattern = raw if any(c in raw for c in "*?[") else raw.rstrip("/") + "/**"
            try:
                matches = FileSystems.match([pattern])[0].metadata_list
            except Exception as exc:  # noqa: BLE001 - any filesystem error is a usage problem here
                raise UsageError(f"cannot list input {raw}: {exc}") from exc
            found += [m.path for m in matches if not m.path.endswith("/")]
            continue
        path = os.path.abspath(_local(raw))
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
                found += [os.path.join(root, f) for f in sorted(files) if not f.startswith((".", "_"))]
        elif os.path.exists(path):
            found.append(path)
        else:
            raise UsageError(f"input not found: {raw}")
    return sorted(dict.fromkeys(found))
