"""Check-worthiness: is a chat message a claim worth checking, and why.

The score is transparent: ``BASE`` plus the weight of every signal that fired
(``SIGNAL_WEIGHTS``), capped at 1.  Before scoring, chatter is set aside:
empty text, media-only markers, emoji-only replies, messages made only of
greetings and acknowledgements (``lexicon.CHATTER_WORDS``), greetings with a
name or two in them, and very short replies.  Word lists live in
``desk.intake.lexicon``.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Iterable

from desk.intake import lexicon
from desk.intake.regions import PLACES, STATES
from desk.intake.whatsapp_lines import MEDIA_FIRST_LINE

BASE = 0.1
CLAIM_THRESHOLD = 0.3
MIN_WORDS = 3
MIN_LETTERS = 10
LONG_WORDS = 12
# A greeting stays chatter with at most this many other words in it (a name, "ji").
GREETING_EXTRA_WORDS = 3
GREETING_MAX_WORDS = 15

SIGNAL_WEIGHTS: dict[str, float] = {
    "forwarded": 0.25,
    "share_request": 0.2,
    "viral": 0.1,
    "urgency": 0.1,
    "official_source": 0.15,
    "civic_topic": 0.1,
    "assertion": 0.1,
    "verification_request": 0.15,
    "number": 0.15,
    "date": 0.1,
    "place": 0.1,
    "link": 0.15,
    "long": 0.15,
    "emphasis": 0.05,
}
# Signals that mean "someone wants this believed or spread": never chatter.
_STRONG = frozenset({"forwarded", "share_request", "link", "official_source",
                     "verification_request", "urgency", "viral"})

_WORD_CHARS = r"\w\u0900-\u0963\u0966-\u097f"
_TOKEN = re.compile(rf"[{_WORD_CHARS}]+(?:'[{_WORD_CHARS}]+)*")
_FOLD = {0x093C: None, 0x0901: 0x0902, 0x200C: None, 0x200D: None, 0x200E: None,
         0x200F: None}
_SPACES = re.compile(r"\s+")
_LAUGH = re.compile(r"(?:(?:ha|he|hi|ho|ja)h?){2,}|l+o+l+|lmf?ao+|rofl|हा(?:हा)+|ही(?:ही)+")
_URL = re.compile(r"https?://\S+|www\.\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|in|org|net|co|info|xyz|"
                  r"ly|me|io|app|online|site|live|news|tk|ml|gq|page|link)\b(?:/\S*)?",
                  re.IGNORECASE)
_DIGIT_DATE = re.compile(r"(?<!\d)\d{1,2}[/.\-]\d{1,2}(?:[/.\-]\d{2,4})?(?!\d)|(?<!\d)(?:19|20)\d\d(?!\d)"
                         r"|(?<!\d)\d{1,2}(?:st|nd|rd|th)(?![a-z])", re.IGNORECASE)
_MONEY_OR_PERCENT = re.compile(r"[₹%]|\d")
_EMPHASIS = re.compile(r"!!|\b[A-Z]{3,}\b.*\b[A-Z]{3,}\b", re.DOTALL)


@dataclass(frozen=True)
class CheckWorthiness:
    """The verdict on one message.

    Attributes:
        score: 0..1, ``BASE`` plus the weights of ``signals``; 0 for text set
            aside before scoring (empty, too short, greetings and the like).
        is_claim: ``score >= CLAIM_THRESHOLD`` and not set aside as chatter.
        reason: why it is not a claim: ``empty``, ``too_short`` or ``chatter``;
            ``None`` for claims.
        signals: names of the signals that fired, in ``SIGNAL_WEIGHTS`` order;
            for chatter, what kind (``greeting``, ``acknowledgement``,
            ``emoji_only``, ``laughter``, ``media_only``).
    """

    score: float
    is_claim: bool
    reason: str | None
    signals: list[str] = field(default_factory=list)


def fold(text: str) -> str:
    """The form both texts and word lists are compared in."""
    text = unicodedata.normalize("NFC", text).translate(_FOLD).casefold()
    return _SPACES.sub(" ", text).strip()


def _phrase_regex(entries: Iterable[str]) -> re.Pattern[str]:
    alts = []
    for entry in sorted(set(entries), key=len, reverse=True):
        prefix = entry.endswith("*")
        body = re.escape(fold(entry.rstrip("*"))).replace(r"\ ", r"\s+")
        alts.append(body if prefix else rf"{body}(?![{_WORD_CHARS}])")
    return re.compile(rf"(?<![{_WORD_CHARS}])(?:{'|'.join(alts)})")


_PHRASES: dict[str, re.Pattern[str]] = {
    "forwarded": _phrase_regex(lexicon.FORWARD_MARKERS),
    "share_request": _phrase_regex(lexicon.SHARE_REQUESTS),
    "viral": _phrase_regex(lexicon.VIRAL_WORDS),
    "urgency": _phrase_regex(lexicon.URGENCY_WORDS),
    "official_source": _phrase_regex(lexicon.OFFICIAL_WORDS),
    "civic_topic": _phrase_regex(lexicon.CIVIC_WORDS),
    "assertion": _phrase_regex(lexicon.ASSERTION_WORDS),
    "verification_request": _phrase_regex(lexicon.VERIFY_REQUESTS),
}
_NUMBER_WORDS = _phrase_regex(lexicon.NUMBER_WORDS)
_DATE_WORDS = _phrase_regex(lexicon.MONTHS_AND_DAYS)
_PLACE_WORDS = _phrase_regex([*PLACES, *(n for names in STATES.values() for n in names
                                          if len(n) > 2)])
_GREETING = _phrase_regex(lexicon.GREETING_PHRASES)
# State abbreviations only count in capitals: "UP" is Uttar Pradesh, "up" is not.
_STATE_ABBREVIATIONS = re.compile(r"(?<![\w&])(?:UP|MP|HP|J&K|NCR|WB|TN|AP)(?![\w&])")
_STRETCHED = re.compile(r"(.)\1{2,}")
_CHATTER = frozenset(fold(w) for w in lexicon.CHATTER_WORDS)


def _is_chatter_word(token: str) -> bool:
    if token in _CHATTER or _LAUGH.fullmatch(token):
        return True
    # "okkkk", "thanksss", "gooood": squeeze stretched letters.
    squeezed = _STRETCHED.sub(r"\1\1", token)
    return squeezed in _CHATTER or re.sub(r"(.)\1+", r"\1", token) in _CHATTER


def signals_of(text: str) -> list[str]:
    """Every content signal that fires on ``text``, in ``SIGNAL_WEIGHTS`` order."""
    folded = fold(text)
    fired = {name for name, pattern in _PHRASES.items() if pattern.search(folded)}
    if _MONEY_OR_PERCENT.search(text) or _NUMBER_WORDS.search(folded):
        fired.add("number")
    if _DIGIT_DATE.search(text) or _DATE_WORDS.search(folded):
        fired.add("date")
    if _PLACE_WORDS.search(folded) or _STATE_ABBREVIATIONS.search(text):
        fired.add("place")
    if _URL.search(text):
        fired.add("link")
    if len(_TOKEN.findall(folded)) >= LONG_WORDS:
        fired.add("long")
    if _EMPHASIS.search(text):
        fired.add("emphasis")
    return [name for name in SIGNAL_WEIGHTS if name in fired]


def assess(text: str) -> CheckWorthiness:
    """Decide whether ``text`` is a claim worth checking, with the signals behind it."""
    stripped = text.strip()
    if not stripped or not stripped.translate(_FOLD).strip():
        return CheckWorthiness(0.0, False, "empty", [])
    if "\n" not in stripped and MEDIA_FIRST_LINE.fullmatch(stripped):
        return CheckWorthiness(0.0, False, "chatter", ["media_only"])
    folded = fold(stripped)
    tokens = _TOKEN.findall(folded)
    if not tokens:
        return CheckWorthiness(0.0, False, "chatter", ["emoji_only"])
    unknown = [t for t in tokens if not _is_chatter_word(t)]
    greeting = _GREETING.search(_STRETCHED.sub(r"\1\1", folded)) is not None
    if not unknown:
        if all(_LAUGH.fullmatch(t) for t in tokens):
            kind = "laughter"
        else:
            kind = "greeting" if greeting else "acknowledgement"
        return CheckWorthiness(0.0, False, "chatter", [kind])
    signals = signals_of(stripped)
    strong = _STRONG.intersection(signals)
    if (greeting and not strong and len(unknown) <= GREETING_EXTRA_WORDS
            and len(tokens) <= GREETING_MAX_WORDS):
        return CheckWorthiness(0.0, False, "chatter", ["greeting"])
    letters = sum(ch.isalpha() for ch in stripped)
    if (len(tokens) < MIN_WORDS or letters < MIN_LETTERS) and "link" not in signals:
        return CheckWorthiness(0.0, False, "too_short", signals)
    score = min(1.0, BASE + sum(SIGNAL_WEIGHTS[s] for s in signals))
    score = round(score, 3)
    is_claim = score >= CLAIM_THRESHOLD
    return CheckWorthiness(score, is_claim, None if is_claim else "chatter", signals)
