"""Bytes to text for text-based inputs, refusing binary and undecodable data."""
from __future__ import annotations

import codecs

from transforms.utils.stage import Rejected

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first 8 KB: not a text document."""
    head = data[:8192]
    if any(head.startswith(bom) for bom, enc in _BOMS if enc == "utf-16"):
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls > len(head) * 0.05


def decode_text(data: bytes) -> str:
    """UTF-8 (or UTF-16 with a BOM), strictly: a wrong guess would corrupt text silently."""
    if not data.strip():
        raise Rejected("empty_input", "the input is empty")
    if looks_binary(data):
        raise Rejected("binary_input", "the input is binary, not text")
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), "utf-8")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise Rejected("undecodable", f"not valid {encoding}: {exc.reason} at byte {exc.start}") from None
    if not text.strip():
        raise Rejected("empty_input", "the input is empty")
    return text


_SINGLE_BYTE_LABELS = {"iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii", "windows-1252", "cp1252"}


def html_payload(body: bytes, charset: str | None) -> bytes | str:
    """What to hand trafilatura: text when the encoding is certain, else the bytes (it reads meta tags and guesses).

    Certain means a BOM, or a declared charset the bytes decode under strictly. Servers often
    label UTF-8 pages as Latin-1 (which never fails to decode), so UTF-8 is tried first then.
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body.decode(encoding, "replace")
    if not charset:
        return body
    charset = charset.lower()
    if charset in _SINGLE_BYTE_LABELS:
        try:
            text = body.decode("utf-8")
            return text
        except UnicodeDecodeError:
            return body.decode("cp1252", "replace")  # what browsers do with these labels
    try:
        return body.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return body
