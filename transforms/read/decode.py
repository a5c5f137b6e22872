"""Bytes to text for text-based inputs, refusing binary and undecodable data."""
from __future__ import annotations

import codecs

from transforms.stage import Rejected

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
