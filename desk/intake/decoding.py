"""Strict text decoding for uploads: UTF-8 only (a BOM is fine), errors name the line."""
from __future__ import annotations

import codecs

from desk.errors import ImportFailed

DEFAULT_HINT = "save the file again as UTF-8"

# Checked longest first: the UTF-32-LE BOM begins with the UTF-16-LE one.
_FOREIGN_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


def format_size(n: int) -> str:
    """Human size for limit messages: ``"61.2 MB"``, ``"900 bytes"``."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    if n >= 10_000:
        return f"{n / 1_000:.0f} kB"
    return f"{n} bytes"


def check_size(n: int, max_bytes: int, what: str = "the file") -> None:
    """Raise ``ImportFailed`` when ``n`` bytes exceed ``max_bytes``."""
    if n > max_bytes:
        raise ImportFailed(f"{what} is {format_size(n)}, over the {format_size(max_bytes)} limit")


def line_of(data: bytes, offset: int) -> int:
    """1-based line number of byte ``offset``."""
    return data.count(b"\n", 0, offset) + 1


def decode_text(data: bytes, *, max_bytes: int, hint: str = DEFAULT_HINT) -> str:
    """Decode an upload as strict UTF-8.

    A UTF-8 byte-order mark is dropped.  UTF-16/UTF-32 files, binary files
    (NUL bytes), zip archives and bytes that are not UTF-8 (Windows-1252,
    Latin-1, truncated sequences) raise ``ImportFailed`` naming the line and
    the offending byte, e.g. ``line 12: not valid UTF-8 (byte 0x92); export
    the chat again as UTF-8``.  Line endings are kept as they are.

    Args:
        data: the uploaded bytes.
        max_bytes: refuse larger input before looking at it.
        hint: what the user should do, appended to encoding errors.
    """
    data = bytes(data)
    check_size(len(data), max_bytes)
    for bom, name in _FOREIGN_BOMS:
        if data.startswith(bom):
            raise ImportFailed(f"the file is {name} text, not UTF-8; {hint}")
    if data.startswith(_ZIP_MAGIC):
        raise ImportFailed("this is a zip archive (or an Excel .xlsx file), not a text file")
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    nul = data.find(b"\x00", start)
    if nul >= 0:
        if _looks_like_utf16(data[start:start + 4096]):
            raise ImportFailed(f"the file is UTF-16 text, not UTF-8; {hint}")
        raise ImportFailed("contains a NUL byte; this looks like a binary file, not text",
                           line=line_of(data, nul))
    try:
        return data[start:].decode("utf-8")
    except UnicodeDecodeError as exc:
        pos = start + exc.start
        raise ImportFailed(f"not valid UTF-8 (byte 0x{data[pos]:02X}); {hint}",
                           line=line_of(data, pos)) from None


def _looks_like_utf16(head: bytes) -> bool:
    # UTF-16 without a BOM: ASCII-heavy text puts NULs on every other byte.
    even = head[0::2].count(0)
    odd = head[1::2].count(0)
    half = len(head) // 2
    return max(even, odd) >= max(4, 0.3 * half) and min(even, odd) <= 0.05 * half
