"""The line shapes of WhatsApp text exports: message headers and the markers
WhatsApp writes instead of content (system events, media, deleted messages).

English-locale strings are the ones exports are known to contain; the Hindi
variants are best effort.  Everything here is data plus compiled patterns.
"""
from __future__ import annotations

import re

# Marks WhatsApp scatters through exports; they carry no content.
LRM_MARKS = dict.fromkeys(map(ord, "\u200e\u200f"))

_SP = r"[ \u00a0\u202f]"
_DATE = (r"(?P<a>\d{4}|\d{1,2})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{4}|\d{1,2})\.?")
_TIME = r"(?P<h>\d{1,2})[:.](?P<mi>\d{2})(?:[:.](?P<s>\d{2}))?"
_AMPM = rf"(?:{_SP}*(?P<ap>[aApP])\.?{_SP}?[mM]\.?)?"

# Android: "22/11/26, 9:05 pm - Name: text"; iOS: "[22/11/26, 9:05:12 PM] Name: text".
ANDROID_HEADER = re.compile(rf"{_DATE},?{_SP}{_TIME}{_AMPM}{_SP}[-–]{_SP}(?P<rest>.*)", re.DOTALL)
IOS_HEADER = re.compile(rf"\[{_DATE},?{_SP}{_TIME}{_AMPM}\]{_SP}?(?P<rest>.*)", re.DOTALL)
HEADERS = {"android": ANDROID_HEADER, "ios": IOS_HEADER}

EXPECTED_SHAPE = ("expected a WhatsApp export line such as "
                  "'22/11/26, 9:05 pm - Name: text' or '[22/11/26, 9:05:12 PM] Name: text'")

SENDER_SEPARATOR = ": "

# --- system events -------------------------------------------------------
# "who" never contains ": ", so "Ramesh: I left" stays a message from Ramesh.
_WHO = r"(?P<who>(?:(?!: ).)+?)"
_Q_OPEN, _Q_CLOSE = "[\"“”'‘]", "[\"“”'’]"

# Distinctive phrases: a system event wherever they appear as a whole line.
SYSTEM_STRICT = tuple(re.compile(p, re.IGNORECASE | re.DOTALL) for p in [
    r"Messages and calls are end-to-end encrypted\b.*",
    r"Messages to this group are now secured with end-to-end encryption\b.*",
    r"(?:Your )?security code with .+ changed\b.*",
    rf"{_WHO}'s security code changed\b.*",
    rf"{_WHO} joined using this group's invite link",
    rf"{_WHO} joined from the community",
    rf"{_WHO} (?:changed|deleted) this group's (?:icon|settings.*)",
    rf"{_WHO} changed the (?:subject|group name) (?:from {_Q_OPEN}.*{_Q_CLOSE} )?to "
    rf"{_Q_OPEN}(?P<subject>.*){_Q_CLOSE}",
    rf"{_WHO} created (?:the )?group {_Q_OPEN}(?P<created>.*){_Q_CLOSE}",
    rf"{_WHO} changed the group description",
    rf"{_WHO} deleted the group description",
    rf"{_WHO} changed (?:their|his|her) phone number.*",
    rf"{_WHO} changed to \+?[\d ()\-]+",
    rf"{_WHO} turned (?:on|off) disappearing messages\b.*",
    rf"{_WHO} (?:is|are) (?:now|no longer) an admin",
    r"You're (?:now|no longer) an admin",
    rf"{_WHO} pinned a message",
    rf"{_WHO} reset this group's invite link",
    r"Waiting for this message\b.*",
    r"Missed (?:group )?(?:voice|video) call\b.*",
])

# Broad phrases: only trusted when WhatsApp marked the line (U+200E) or no sender is present.
SYSTEM_LOOSE = tuple(re.compile(p, re.IGNORECASE | re.DOTALL) for p in [
    rf"{_WHO} (?:left|joined)",
    rf"{_WHO} added .+",
    rf"{_WHO} removed .+",
    r"You were (?:added|removed)\b.*",
])

# Cheap substring tests before the patterns; events are short, claims often are not.
_STRICT_KEYWORDS = ("encrypt", "security code", "invite link", "group's", "subject", "created",
                    "description", "phone number", "changed to", "disappearing", "admin",
                    "pinned", "waiting for this", "missed")
_LOOSE_KEYWORDS = ("left", "joined", "added", "removed")
MAX_EVENT_CHARS = 600


def system_match(text: str, *, trusted: bool) -> re.Match[str] | None:
    """Match ``text`` (a whole message) against the system-event phrases.

    ``trusted`` admits the broad phrases ("X left", "X added Y"): pass it when
    WhatsApp marked the line or there is no sender part.
    """
    if len(text) > MAX_EVENT_CHARS:
        return None
    low = text.lower()
    if any(k in low for k in _STRICT_KEYWORDS):
        for pattern in SYSTEM_STRICT:
            if m := pattern.fullmatch(text):
                return m
    if trusted and any(k in low for k in _LOOSE_KEYWORDS):
        for pattern in SYSTEM_LOOSE:
            if m := pattern.fullmatch(text):
                return m
    return None


# --- media and deleted markers -------------------------------------------
MEDIA_FIRST_LINE = re.compile("|".join([
    r"<Media omitted>",
    r"<[^<>]{0,40}(?:omitted|मीडिया)[^<>]{0,40}>",
    r"(?:image|video|audio|sticker|GIF|document|photo|voice message|Contact card|"
    r"view once (?:photo|video|voice message)?) omitted",
    r".{0,200}<attached: (?P<attached>[^<>]{1,255})>",
    r"(?P<file>[^<>]{1,255}\.[A-Za-z0-9]{2,5}) \(file attached\)",
    r"(?:location|Location): (?:https?://\S+|.{1,200})",
    r"live location shared",
    r"null",
]), re.IGNORECASE)

DELETED = re.compile("|".join([
    r"This message was deleted\.?",
    r"You deleted this message\.?",
    r"This message was deleted by (?:an )?admin.*",
    r"यह (?:मैसेज|संदेश) (?:हटा दिया गया|डिलीट कर दिया गया)(?: था)?।?",
    r"आपने यह (?:मैसेज|संदेश) (?:हटा दिया|डिलीट किया)।?",
]), re.IGNORECASE)

EDITED_SUFFIX = re.compile(r"[ \t]*<This message was edited>\s*$")
EDITED_MARKER = "<This message was edited>"

# --- file names ----------------------------------------------------------
FILENAME_GROUP = re.compile(
    r"^(?:WhatsApp Chat (?:with|-) (?P<en>.+?)|(?P<hi>.+?) के साथ WhatsApp चैट)"
    r"(?: \(\d+\))?\.(?:txt|zip)$",
    re.IGNORECASE)
