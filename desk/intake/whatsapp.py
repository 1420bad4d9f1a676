"""Parse WhatsApp chat exports (Android and iOS ``.txt``, or a ``.zip`` holding one)."""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from desk.errors import ImportFailed
from desk.intake.archive import extract_chat_txt, is_zip
from desk.intake.dates import DateOrder, decide_order, to_24h, to_ymd
from desk.intake.decoding import check_size, decode_text
from desk.intake.limits import IntakeLimits
from desk.intake.senders import mask_phones, normalize_sender, strip_bidi
from desk.intake.whatsapp_lines import (
    DELETED,
    EDITED_SUFFIX,
    EXPECTED_SHAPE,
    FILENAME_GROUP,
    HEADERS,
    LRM_MARKS,
    MEDIA_FIRST_LINE,
    SENDER_SEPARATOR,
    system_match,
)

MessageKind = Literal["message", "media", "system", "deleted"]
Platform = Literal["android", "ios"]

_REENCODE_HINT = "export the chat again from WhatsApp (it writes UTF-8)"
_MAX_SENDER_CHARS = 80
_MAX_LISTED_LINES = 20
_ORDER_WORDS = {"DMY": "day/month/year", "MDY": "month/day/year", "YMD": "year-month-day"}


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One message of an export.

    Attributes:
        timestamp: local time on the exporting phone, timezone-naive.
        sender: display name or, for phone numbers, ``+`` and digits (hash it
            before storing); ``None`` for system events.
        sender_is_phone: the sender is a phone number, not a saved name.
        text: the message as written, continuation lines joined with ``\\n``;
            WhatsApp's invisible U+200E/U+200F marks and the
            ``<This message was edited>`` marker are removed, nothing else.
            System events have phone numbers masked as ``[phone]``.
        line_no: 1-based line of the message header; ``end_line`` its last line.
        kind: ``message``, ``media``, ``system`` or ``deleted``.
        flags: any of ``edited``, ``multiline``, ``too_long``, ``caption``,
            ``unknown_system``.
        attachment: for media, the attached file name or the omitted-media marker.
        caption: for media, the text sent with it (``""`` when none).
    """

    timestamp: datetime
    sender: str | None
    sender_is_phone: bool
    text: str
    line_no: int
    end_line: int
    kind: MessageKind
    flags: tuple[str, ...] = ()
    attachment: str | None = None
    caption: str | None = None

    @property
    def iso(self) -> str:
        """The timestamp as ISO-8601 local time, ``2026-11-22T21:05:00``."""
        return self.timestamp.isoformat()

    @property
    def content(self) -> str:
        """The text that could carry a claim: the caption for media, else the text."""
        return (self.caption or "") if self.kind == "media" else self.text


@dataclass(frozen=True)
class ExportFormat:
    """How the export was written.

    ``date_order_assumed`` is true when no date decided between day-first and
    month-first; ``clock`` is the clock most lines use.
    """

    platform: Platform
    clock: Literal[12, 24]
    date_order: DateOrder
    date_order_assumed: bool
    seconds: bool


@dataclass
class WhatsAppExport:
    """A parsed export: messages in file order plus what was noticed on the way."""

    messages: list[ChatMessage]
    format: ExportFormat
    group_name: str | None = None
    source_name: str | None = None
    line_count: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Header:
    index: int
    a: str
    b: str
    c: str
    hour: int
    minute: int
    second: str | None
    ampm: str | None
    rest: str
    marked: bool


def parse_whatsapp(data: bytes | str, *, filename: str | None = None,
                   limits: IntakeLimits | None = None) -> WhatsAppExport:
    """Parse a WhatsApp chat export.

    Args:
        data: the uploaded bytes (``.txt`` or ``.zip``) or already decoded text.
        filename: the upload's name; ``WhatsApp Chat with <group>.txt`` (or
            ``.zip``) gives the group name.
        limits: size caps; defaults to ``IntakeLimits()``.

    Raises:
        ImportFailed: empty or oversized input, bad encoding, a bad zip, too
            many messages, an impossible date, or a line before the first
            message that is not a WhatsApp header (the error names the line);
            an unrecognised file is never "0 messages".
    """
    limits = limits or IntakeLimits()
    source = filename
    if isinstance(data, str):
        check_size(len(data.encode("utf-8", "surrogatepass")), limits.max_upload_bytes)
        text = data[1:] if data.startswith("\ufeff") else data
    else:
        if is_zip(data):
            member = extract_chat_txt(data, limits=limits)
            data = member.data
            source = filename or member.name
            if filename is None or not FILENAME_GROUP.match(posixpath.basename(filename)):
                filename = member.name
        text = decode_text(data, max_bytes=limits.max_upload_bytes, hint=_REENCODE_HINT)
    return _Parser(text, limits).run(filename, source)


class _Parser:
    def __init__(self, text: str, limits: IntakeLimits):
        self.lines = text.split("\n")
        if self.lines and self.lines[-1] == "":
            self.lines.pop()
        self.limits = limits
        self.warnings: list[str] = []

    def run(self, filename: str | None, source: str | None) -> WhatsAppExport:
        platform, headers = self._scan()
        decision = decide_order([(int(h.a), int(h.b), int(h.c)) for h in headers],
                                [h.index + 1 for h in headers])
        if decision.note:
            self.warnings.append(f"Date order: {decision.note}.")
        twelve = sum(1 for h in headers if h.ampm)
        if 0 < twelve < len(headers):
            self.warnings.append("Some lines use a 12-hour clock and others a 24-hour clock.")
        messages, subjects = self._build(headers, decision.order, platform)
        too_long = [m.line_no for m in messages if "too_long" in m.flags]
        if too_long:
            listed = ", ".join(map(str, too_long[:_MAX_LISTED_LINES]))
            self.warnings.append(
                f"{len(too_long)} message(s) longer than {self.limits.max_message_chars} "
                f"characters will not become claims (lines {listed}"
                f"{', …' if len(too_long) > _MAX_LISTED_LINES else ''}).")
        fmt = ExportFormat(
            platform=platform,
            clock=12 if twelve * 2 > len(headers) else 24,
            date_order=decision.order,
            date_order_assumed=decision.assumed,
            seconds=any(h.second is not None for h in headers),
        )
        return WhatsAppExport(
            messages=messages,
            format=fmt,
            group_name=_group_from_filename(filename) or (subjects[-1] if subjects else None),
            source_name=source,
            line_count=len(self.lines),
            warnings=self.warnings,
        )

    def _scan(self) -> tuple[Platform, list[_Header]]:
        headers: list[_Header] = []
        platform: Platform | None = None
        patterns = list(HEADERS.items())
        max_messages = self.limits.max_messages
        for index, raw in enumerate(self.lines):
            line = raw[:-1] if raw.endswith("\r") else raw
            marked = "\u200e" in line or "\u200f" in line
            if marked:
                line = line.translate(LRM_MARKS)
            self.lines[index] = line
            first = line[:1]
            m = None
            if first.isdigit() or first == "[":
                for name, pattern in patterns:
                    candidate = pattern.match(line)
                    if candidate is not None and _plausible(candidate):
                        m = candidate
                        if platform is None:
                            # The first header fixes the platform for the whole file.
                            platform = name  # type: ignore[assignment]
                            patterns = [(name, pattern)]
                        break
            if m is None:
                if platform is None and line.strip():
                    raise ImportFailed(f"not a WhatsApp chat export; {EXPECTED_SHAPE}",
                                       line=index + 1)
                continue
            if len(headers) >= max_messages:
                raise ImportFailed(f"the export has more than {max_messages} messages; "
                                   "split it into smaller exports", line=index + 1)
            headers.append(_Header(index, m["a"], m["b"], m["c"], int(m["h"]), int(m["mi"]),
                                   m["s"], m["ap"], m["rest"], marked))
        if platform is None:
            raise ImportFailed("the file is empty" if not any(s.strip() for s in self.lines)
                               else f"not a WhatsApp chat export; {EXPECTED_SHAPE}")
        return platform, headers

    def _build(self, headers: list[_Header], order: DateOrder,
               platform: Platform) -> tuple[list[ChatMessage], list[str]]:
        """Messages in file order, and group-name candidates (best last)."""
        lines = self.lines
        messages: list[ChatMessage] = []
        subjects: list[str] = []
        owners: list[str] = []
        senders: dict[str, tuple[str, bool]] = {}
        max_chars = self.limits.max_message_chars
        cache: dict[tuple[str, str, str], tuple[int, int, int]] = {}
        for pos, h in enumerate(headers):
            end = headers[pos + 1].index if pos + 1 < len(headers) else len(lines)
            while end - 1 > h.index and not lines[end - 1].strip():
                end -= 1
            key = (h.a, h.b, h.c)
            ymd = cache.get(key)
            if ymd is None:
                year_digits = len(h.a) if len(h.a) == 4 else len(h.c)
                ymd = cache[key] = to_ymd((int(h.a), int(h.b), int(h.c)), order, year_digits)
            try:
                when = datetime(*ymd, to_24h(h.hour, h.ampm.lower() if h.ampm else None),
                                h.minute, int(h.second or 0))
            except ValueError:
                raise ImportFailed("the date or time of this message is impossible "
                                   f"(read as {_ORDER_WORDS[order]})", line=h.index + 1) from None
            body = [h.rest, *lines[h.index + 1:end]] if end > h.index + 1 else [h.rest]
            msg, subject, owner = _message(when, h, body, end, max_chars, senders)
            if subject:
                subjects.append(subject)
            if owner and platform == "ios" and h.marked:
                owners.append(owner)
            messages.append(msg)
        # iOS names the current group on its event lines; subjects tell the history.
        return messages, owners[-1:] or subjects


def _plausible(m: re.Match[str]) -> bool:
    # The header regex is loose about digit counts; reject shapes no phone writes.
    a, c = m["a"], m["c"]
    if len(a) == 4:
        return len(c) <= 2
    return len(c) in (2, 4)


def _message(when: datetime, h: _Header, body: list[str], end: int, max_chars: int,
             senders: dict[str, tuple[str, bool]]) -> tuple[ChatMessage, str | None, str | None]:
    """Build one message; also return a group subject and an iOS group-name hint."""
    line_no = h.index + 1
    flags: list[str] = []
    if len(body) > 1:
        flags.append("multiline")
    rest = h.rest
    sender_raw, sep, text_first = rest.partition(SENDER_SEPARATOR)
    if not sep or len(sender_raw) > _MAX_SENDER_CHARS:
        # No "Name: " part: a system event (Android writes them without a sender).
        event = system_match(rest, trusted=True)
        return _system(when, "\n".join(body), line_no, end, flags, event), _subject(event), None
    # "who" in the patterns never spans ": ", so a match here has no sender part.
    event = system_match(rest, trusted=False)
    if event is not None:
        return _system(when, "\n".join(body), line_no, end, flags, event), _subject(event), None
    known_sender = senders.get(sender_raw)
    if known_sender is None:
        known_sender = senders[sender_raw] = normalize_sender(sender_raw)
    sender, is_phone = known_sender
    lines = [text_first, *body[1:]]
    text = "\n".join(lines)
    if "<" in lines[-1]:
        edited = EDITED_SUFFIX.sub("", lines[-1])
        if edited != lines[-1]:
            flags.append("edited")
            lines[-1] = edited
            text = "\n".join(lines).rstrip("\n")
    event = system_match(text, trusted=h.marked)
    if event is not None:
        # iOS writes group events as "<current group name>: ‎<event>".
        return _system(when, text, line_no, end, flags, event), _subject(event), sender
    if DELETED.fullmatch(text.strip()):
        return ChatMessage(when, sender, is_phone, text, line_no, end, "deleted",
                           tuple(flags)), None, None
    media = MEDIA_FIRST_LINE.fullmatch(lines[0].strip())
    if media is not None:
        caption = "\n".join(lines[1:]).strip()
        if caption:
            flags.append("caption")
        if len(caption) > max_chars:
            flags.append("too_long")
        attachment = media["attached"] or media["file"] or lines[0].strip()
        return ChatMessage(when, sender, is_phone, text, line_no, end, "media", tuple(flags),
                           attachment=attachment, caption=caption), None, None
    if len(text) > max_chars:
        flags.append("too_long")
    return ChatMessage(when, sender, is_phone, text, line_no, end, "message", tuple(flags)), \
        None, None


def _system(when: datetime, text: str, line_no: int, end: int, flags: list[str],
            known: re.Match[str] | None) -> ChatMessage:
    if known is None:
        flags.append("unknown_system")
    # Event lines name people by number; they are never claims, so keep no numbers.
    return ChatMessage(when, None, False, mask_phones(strip_bidi(text)), line_no, end, "system",
                       tuple(flags))


def _subject(m: re.Match[str] | None) -> str | None:
    if m is None:
        return None
    groups = m.re.groupindex
    for name in ("subject", "created"):
        if name in groups and m[name]:
            return m[name].strip()
    return None


def _group_from_filename(filename: str | None) -> str | None:
    if not filename:
        return None
    m = FILENAME_GROUP.match(posixpath.basename(filename.replace("\\", "/")))
    if not m:
        return None
    return (m["en"] or m["hi"]).strip() or None
