"""The command's inputs as lists: --input paths as files, --feeds and --urls as URLs.

A path that does not exist, or a list that cannot be read, is the user's mistake (UsageError).
"""
from __future__ import annotations

import gzip
import os
import re

from apache_beam.io.filesystems import FileSystems

from pipeline.errors import UsageError
from transforms.fetch.feeds import is_feed_document
from transforms.read.kinds import kind_of
from transforms.read.sitemap import gunzip_bounded, looks_like_sitemap
from transforms.utils.ids import is_web_url
from transforms.utils.paths import is_local, local_path

_REMOTE = ("gs://", "s3://")
_OPML_URL = re.compile(r"""xmlUrl\s*=\s*["']([^"']+)["']""", re.I)


def parse_feed_list(text: str) -> list[str]:
    """URLs from a feed list: OPML (xmlUrl attributes) or one URL per line with # comments."""
    if "<opml" in text[:2000].lower():
        import html
        return [html.unescape(u).strip() for u in _OPML_URL.findall(text)]
    urls = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            urls.append(line.split()[0])
    return urls


def _remote_list(path: str, what: str) -> list[str]:
    """The URLs a remote list holds; for --sitemaps, a remote sitemap itself is its own root."""
    try:
        with FileSystems.open(path, compression_type="uncompressed") as f:
            data = f.read()
        if what == "sitemap" and looks_like_sitemap(data[:4096]):
            return [path]
        if data[:2] == b"\x1f\x8b":
            data = gunzip_bounded(data)
        return parse_feed_list(data.decode("utf-8-sig"))
    except Exception as exc:  # noqa: BLE001 - each filesystem raises its own kinds; all are a usage error here
        raise UsageError(f"cannot read {what} list {path}: {str(exc).splitlines()[0] if str(exc) else exc}") from None


def expand_url_args(values: list[str], what: str) -> tuple[list[str], list[str]]:
    """--feeds/--urls/--sitemaps/--sites values -> (URLs, local feed or sitemap files). URLs stay as
    they are; a local file is either a feed or sitemap itself or a list of URLs; a gs:// or s3:// path is a list of URLs
    (how a deployed job gets its feeds). Raises UsageError for a missing or unreadable file."""
    out, local_feeds = [], []
    for value in values:
        if is_web_url(value):
            out.append(value)
            continue
        if not is_local(value):
            out += _remote_list(value, what)
            continue
        path = local_path(value)
        try:
            with (gzip.open if path.lower().endswith(".gz") else open)(path, "rb") as f:
                head = f.read(4096)
            if what == "feed" and b"<opml" not in head.lower() and (kind_of(path) == "feed" or is_feed_document(head)):
                local_feeds.append(path)
                continue
            if what == "sitemap" and looks_like_sitemap(head):
                local_feeds.append(os.path.abspath(path))  # a sitemap file itself, read by the sitemap step
                continue
            with open(path, encoding="utf-8-sig") as f:
                out += parse_feed_list(f.read())
        except FileNotFoundError:
            if what == "site":
                raise UsageError(f"--sites takes http(s) URLs, or files listing them: {value}") from None
            raise UsageError(f"{what} list not found: {value}") from None
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read {what} list {value}: {exc}") from None
    out = list(dict.fromkeys(out))
    # Sites are web addresses; a sitemap may also be a file in a bucket.
    allowed = _REMOTE if what == "sitemap" else ()
    if what in ("sitemap", "site") and (bad := [u for u in out if not is_web_url(u) and not u.startswith(allowed)]):
        raise UsageError(f"{what} lists hold http(s) URLs: {bad[0]!r} is none")
    return out, local_feeds


def expand_inputs(paths: list[str]) -> list[str]:
    """Files under the given files and folders (recursive), sorted; hidden files in folders skipped.

    Raises UsageError for a path that does not exist. Remote paths (gs://, s3://) are
    matched as patterns through Beam's FileSystems.
    """
    found: list[str] = []
    for raw in paths:
        if not is_local(raw):
            pattern = raw if any(c in raw for c in "*?[") else raw.rstrip("/") + "/**"
            try:
                matches = FileSystems.match([pattern])[0].metadata_list
            except Exception as exc:  # noqa: BLE001 - any filesystem error is a usage problem here
                raise UsageError(f"cannot list input {raw}: {exc}") from exc
            found += [m.path for m in matches if not m.path.endswith("/")]
            continue
        path = os.path.abspath(local_path(raw))
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
                found += [os.path.join(root, f) for f in sorted(files) if not f.startswith((".", "_"))]
        elif os.path.exists(path):
            found.append(path)
        else:
            raise UsageError(f"input not found: {raw}")
    return sorted(dict.fromkeys(found))
