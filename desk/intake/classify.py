"""Split a parsed export into candidate claims and counted, skipped chatter."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from desk.intake.checkworthiness import CheckWorthiness, assess
from desk.intake.fingerprint import message_key
from desk.intake.whatsapp import ChatMessage, WhatsAppExport

SKIP_REASONS: tuple[str, ...] = ("system", "media", "deleted", "chatter", "too_short", "empty",
                                 "too_long")


@dataclass(frozen=True)
class CandidateClaim:
    """A message that looks like a claim.

    Attributes:
        message: the parsed message (timestamp, sender, line, flags…).
        text: the claim text: the message text, or a media message's caption.
        assessment: score, signals.
        key: ``message_key(group, timestamp, sender, message.text)``; equal keys
            mean the same message seen in another (overlapping) export.
    """

    message: ChatMessage
    text: str
    assessment: CheckWorthiness
    key: str


@dataclass
class Classification:
    """Candidates in file order and what was skipped, by reason.

    ``skipped`` has every reason in ``SKIP_REASONS`` (zero included);
    ``skipped_lines`` holds the header line of each skipped message.
    """

    candidates: list[CandidateClaim]
    skipped: dict[str, int]
    skipped_lines: dict[str, list[int]] = field(default_factory=dict)
    group_name: str | None = None

    @property
    def total(self) -> int:
        """Messages looked at: candidates plus skipped."""
        return len(self.candidates) + sum(self.skipped.values())


def classify_messages(export: WhatsAppExport, *, group: str | None = None,
                      assessor: Callable[[str], CheckWorthiness] = assess) -> Classification:
    """Assess every message of ``export``; only claims become candidates.

    Args:
        export: from ``parse_whatsapp``.
        group: the group the keys are scoped to; defaults to
            ``export.group_name``.  Pass the same value for every export of one
            group (e.g. the name the user confirmed) so keys match across exports.
        assessor: check-worthiness function, ``assess`` unless testing.
    """
    group = export.group_name if group is None else group
    candidates: list[CandidateClaim] = []
    lines: dict[str, list[int]] = {reason: [] for reason in SKIP_REASONS}
    for msg in export.messages:
        reason, verdict = _verdict(msg, assessor)
        if reason is not None:
            lines[reason].append(msg.line_no)
            continue
        assert verdict is not None
        key = message_key(group, msg.timestamp, msg.sender, msg.text)
        candidates.append(CandidateClaim(msg, msg.content.strip(), verdict, key))
    return Classification(
        candidates=candidates,
        skipped={reason: len(found) for reason, found in lines.items()},
        skipped_lines=lines,
        group_name=group,
    )


def _verdict(msg: ChatMessage, assessor: Callable[[str], CheckWorthiness]
             ) -> tuple[str | None, CheckWorthiness | None]:
    if msg.kind in ("system", "deleted"):
        return msg.kind, None
    if "too_long" in msg.flags:
        return "too_long", None
    content = msg.content
    if msg.kind == "media" and not content.strip():
        return "media", None
    verdict = assessor(content)
    if not verdict.is_claim:
        return verdict.reason or "chatter", None
    return None, verdict
