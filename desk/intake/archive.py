"""Safe reading of the chat ``.txt`` inside an uploaded WhatsApp ``.zip``.

Only the chosen member is ever decompressed, in chunks, against a cap, so a
zip bomb is refused however its headers lie.  Nothing is written to disk.
"""
from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

from desk.errors import ImportFailed
from desk.intake.decoding import check_size, format_size
from desk.intake.limits import IntakeLimits

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_CHUNK = 1 << 20
_NESTED_ARCHIVES = (".zip", ".7z", ".rar", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".jar")
_DRIVE = re.compile(r"^[A-Za-z]:")
_CHAT_NAME = re.compile(r"^(_chat|whatsapp chat.*|.*whatsapp चैट.*)\.txt$", re.IGNORECASE)
# Everything zipfile and its decompressors raise on a corrupt archive.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, struct.error, EOFError,
               OSError, ValueError, NotImplementedError, RuntimeError, IndexError, KeyError,
               OverflowError)


@dataclass(frozen=True)
class ChatFile:
    """The chat member of a zip: its name inside the archive and its bytes."""

    name: str
    data: bytes


def is_zip(data: bytes) -> bool:
    """True when ``data`` starts like a zip archive."""
    return bytes(data[:4]) in ZIP_MAGIC


def extract_chat_txt(data: bytes, *, limits: IntakeLimits | None = None) -> ChatFile:
    """Return the single chat ``.txt`` in a WhatsApp export zip.

    Refused with ``ImportFailed``: a corrupt archive, too many entries, any entry
    whose name is absolute or climbs with ``..``, nested archives, encrypted
    entries, no ``.txt`` or several without one named ``_chat.txt`` /
    ``WhatsApp Chat….txt``, and a chat whose declared or actual uncompressed
    size exceeds ``limits.max_upload_bytes``.
    """
    limits = limits or IntakeLimits()
    check_size(len(data), limits.max_upload_bytes, "the zip file")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > limits.max_zip_members:
                raise ImportFailed(f"the zip holds {len(infos)} entries, over the "
                                   f"{limits.max_zip_members} limit")
            for info in infos:
                _check_member(info)
            chosen = _choose(infos)
            if chosen.flag_bits & 0x1:
                raise ImportFailed(f"the chat file {chosen.filename!r} in the zip is encrypted")
            cap = limits.max_upload_bytes
            if chosen.file_size > cap:
                raise ImportFailed(f"the chat file in the zip would unpack to "
                                   f"{format_size(chosen.file_size)}, over the "
                                   f"{format_size(cap)} limit")
            return ChatFile(chosen.filename, _read_capped(zf, chosen, cap))
    except ImportFailed:
        raise
    except _ZIP_ERRORS as exc:
        raise ImportFailed(f"the zip file is damaged or unsupported ({_describe(exc)})") from None


def _check_member(info: zipfile.ZipInfo) -> None:
    name = info.filename
    parts = re.split(r"[\\/]", name)
    if (name.startswith(("/", "\\")) or _DRIVE.match(name) or ".." in parts
            or "\x00" in name):
        raise ImportFailed(f"the zip contains an unsafe path {name!r}; refusing the archive")
    if info.flag_bits & 0x1:
        raise ImportFailed(f"the zip contains an encrypted entry {name!r}; "
                           "export the chat again without a password")
    if name.lower().endswith(_NESTED_ARCHIVES):
        raise ImportFailed(f"the zip contains another archive {name!r}; "
                           "upload the WhatsApp export itself")


def _choose(infos: list[zipfile.ZipInfo]) -> zipfile.ZipInfo:
    texts = [i for i in infos if not i.is_dir() and i.filename.lower().endswith(".txt")]
    if len(texts) == 1:
        return texts[0]
    if not texts:
        raise ImportFailed("the zip holds no .txt chat file; export the chat from WhatsApp again")
    preferred = [i for i in texts if _CHAT_NAME.match(posixpath.basename(i.filename))]
    if len(preferred) == 1:
        return preferred[0]
    names = ", ".join(repr(i.filename) for i in texts[:5])
    more = "" if len(texts) <= 5 else f" and {len(texts) - 5} more"
    raise ImportFailed(f"the zip holds {len(texts)} text files ({names}{more}); "
                       "upload one chat at a time")


def _read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    # The declared size can lie, so count what actually comes out.
    out = bytearray()
    with zf.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            out += chunk
            if len(out) > cap:
                raise ImportFailed(f"the chat file in the zip unpacks to more than "
                                   f"{format_size(cap)}; refusing it as a possible zip bomb")
    return bytes(out)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:120]
