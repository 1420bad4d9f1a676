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
from dataclasses import dataclass, field
from functools import lru_cache

from desk.intake import lexicon
from desk.intake.phrases import PhraseIndex, fold, tokens_of
from desk.intake.regions import PLACES, STATES
from desk.intake.whatsapp_lines import MEDIA_FIRST_LINE

BASE = 0.1
CLAIM_THRESHOLD = 0.3
MIN_WORDS = 3
# Letters and digits in the words, so emoji and punctuation do not count.
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
# A claim says something: one of these, or length.  Figures and dates alone
# ("kal shaam 5 baje") are arrangements, not claims.
_SUBSTANCE = _STRONG | {"civic_topic", "assertion", "long"}

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
        is_claim: ``score >= CLAIM_THRESHOLD``, at least one signal of
            substance (not only numbers, dates, places), not set aside as chatter.
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


_FORWARD_MARKERS = PhraseIndex({"forwarded": lexicon.FORWARD_MARKERS})
_SIGNAL_WORDS = PhraseIndex({
    "share_request": lexicon.SHARE_REQUESTS,
    "viral": lexicon.VIRAL_WORDS,
    "urgency": lexicon.URGENCY_WORDS,
    "official_source": lexicon.OFFICIAL_WORDS,
    "civic_topic": lexicon.CIVIC_WORDS,
    "assertion": lexicon.ASSERTION_WORDS,
    "verification_request": lexicon.VERIFY_REQUESTS,
    "number": lexicon.NUMBER_WORDS,
    "date": lexicon.MONTHS_AND_DAYS,
    "place": [*PLACES, *(n for names in STATES.values() for n in names if len(n) > 2)],
})
_GREETINGS = PhraseIndex({"greeting": lexicon.GREETING_PHRASES})
# State abbreviations only count in capitals: "UP" is Uttar Pradesh, "up" is not.
_STATE_ABBREVIATIONS = re.compile(r"(?<![\w&])(?:UP|MP|HP|J&K|NCR|WB|TN|AP)(?![\w&])")
_STRETCHED = re.compile(r"(.)\1{2,}")
_CHATTER = frozenset(fold(w) for w in lexicon.CHATTER_WORDS)
_REPEATS = re.compile(r"(.)\1+")


@lru_cache(maxsize=65_536)
def _squeeze(token: str) -> str:
    # "okkkk", "thanksss", "gooood": stretched letters cut to two.
    return _STRETCHED.sub(r"\1\1", token)


@lru_cache(maxsize=65_536)
def _is_chatter_word(token: str) -> bool:
    if token in _CHATTER or _LAUGH.fullmatch(token):
        return True
    return _squeeze(token) in _CHATTER or _REPEATS.sub(r"\1", token) in _CHATTER


def signals_of(text: str, tokens: list[str] | None = None) -> list[str]:
    """Every content signal that fires on ``text``, in ``SIGNAL_WEIGHTS`` order.

    ``tokens`` are the words of ``fold(text)`` when the caller has them already.
    """
    if tokens is None:
        tokens = tokens_of(fold(text))
    fired = _SIGNAL_WORDS.find(tokens)
    if any(_FORWARD_MARKERS.at_edges(tokens_of(fold(line))) for line in text.splitlines()):
        fired.add("forwarded")
    if _MONEY_OR_PERCENT.search(text):
        fired.add("number")
    if _DIGIT_DATE.search(text):
        fired.add("date")
    if _STATE_ABBREVIATIONS.search(text):
        fired.add("place")
    if _URL.search(text):
        fired.add("link")
    if len(tokens) >= LONG_WORDS:
        fired.add("long")
    if _EMPHASIS.search(text):
        fired.add("emphasis")
    return [name for name in SIGNAL_WEIGHTS if name in fired]


def assess(text: str) -> CheckWorthiness:
    """Decide whether ``text`` is a claim worth checking, with the signals behind it."""
    stripped = text.strip()
    folded = fold(stripped)
    if not folded:
        return CheckWorthiness(0.0, False, "empty", [])
    if "\n" not in stripped and MEDIA_FIRST_LINE.fullmatch(stripped):
        return CheckWorthiness(0.0, False, "chatter", ["media_only"])
    tokens = tokens_of(folded)
    if not tokens:
        return CheckWorthiness(0.0, False, "chatter", ["emoji_only"])
    unknown = [t for t in tokens if not _is_chatter_word(t)]
    if not unknown:
        if all(_LAUGH.fullmatch(t) for t in tokens):
            kind = "laughter"
        else:
            kind = "greeting" if _is_greeting(tokens) else "acknowledgement"
        return CheckWorthiness(0.0, False, "chatter", [kind])
    signals = signals_of(stripped, tokens)
    if (len(unknown) <= GREETING_EXTRA_WORDS and len(tokens) <= GREETING_MAX_WORDS
            and not _STRONG.intersection(signals) and _is_greeting(tokens)):
        return CheckWorthiness(0.0, False, "chatter", ["greeting"])
    # "Sach hai kya?" asks about some earlier forward; alone it claims nothing.
    if (len(tokens) < MIN_WORDS or len(unknown) < 2 or sum(map(len, tokens)) < MIN_LETTERS) \
            and "link" not in signals:
        return CheckWorthiness(0.0, False, "too_short", signals)
    score = round(min(1.0, BASE + sum(SIGNAL_WEIGHTS[s] for s in signals)), 3)
    is_claim = score >= CLAIM_THRESHOLD and not _SUBSTANCE.isdisjoint(signals)
    return CheckWorthiness(score, is_claim, None if is_claim else "chatter", signals)


def _is_greeting(tokens: list[str]) -> bool:
    return bool(_GREETINGS.find([_squeeze(t) for t in tokens]))
