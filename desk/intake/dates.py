"""Numeric dates whose field order (day-first, month-first, year-first) is inferred.

WhatsApp writes dates in the phone's locale and CSV files come from any
spreadsheet, so the order is decided from the whole file: a first field above
12 means day-first, a second field above 12 means month-first.  When no value
decides, the message order is used; failing that, day-first (India) is
assumed and the caller says so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Iterable, Literal, Sequence

from desk.errors import ImportFailed

DateOrder = Literal["DMY", "MDY", "YMD"]
# India has one time zone and no daylight saving.
IST = timezone(timedelta(hours=5, minutes=30), "IST")
Triple = tuple[int, int, int]


@dataclass(frozen=True)
class OrderDecision:
    """The date order chosen for a file and how it was decided."""

    order: DateOrder
    assumed: bool
    note: str | None = None


def expand_year(value: int, digits: int) -> int:
    """Two-digit years are this century's (exports predate nothing before 2009)."""
    return 2000 + value if digits <= 2 else value


def decide_order(triples: Sequence[Triple], lines: Sequence[int] | None = None) -> OrderDecision:
    """Decide the field order of ``(first, second, third)`` numeric dates.

    ``lines`` (same length) lets the error for a file that mixes orders name
    the lines; a four-digit first field means year-first.
    """
    if not triples:
        return OrderDecision("DMY", assumed=True)
    if all(a >= 1000 for a, _, _ in triples):
        return OrderDecision("YMD", assumed=False)
    day_first = next((i for i, (a, _, _) in enumerate(triples) if 12 < a <= 31), None)
    month_first = next((i for i, (_, b, _) in enumerate(triples) if 12 < b <= 31), None)
    if day_first is not None and month_first is not None:
        where = ""
        if lines is not None:
            where = f" (line {lines[day_first]} is day-first, line {lines[month_first]} month-first)"
        raise ImportFailed(f"the dates mix day-first and month-first order{where}")
    if day_first is not None:
        return OrderDecision("DMY", assumed=False)
    if month_first is not None:
        return OrderDecision("MDY", assumed=False)
    dmy, mdy = _inversions(triples, "DMY"), _inversions(triples, "MDY")
    if mdy < dmy:
        return OrderDecision("MDY", assumed=True, note="no day above 12, so month-first order "
                             "was inferred from the order of the messages")
    return OrderDecision("DMY", assumed=True, note="every date could be day-first or "
                         "month-first; assumed day-first (DD/MM)")


def _inversions(triples: Iterable[Triple], order: DateOrder) -> int:
    # How often time would run backwards under this order (exports are chronological).
    count, prev = 0, None
    for a, b, c in triples:
        key = (c, b, a) if order == "DMY" else (c, a, b)
        if prev is not None and key < prev:
            count += 1
        prev = key
    return count


def to_ymd(triple: Triple, order: DateOrder, year_digits: int) -> tuple[int, int, int]:
    """Reorder a triple to ``(year, month, day)``."""
    a, b, c = triple
    if order == "YMD":
        return a, b, c
    year = expand_year(c, year_digits)
    return (year, b, a) if order == "DMY" else (year, a, b)


_NUMERIC_DATE = re.compile(
    r"^(?P<a>\d{1,4})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{1,4})"
    r"(?:(?:,?\s+|T)(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?"
    r"(?:\s*(?P<ap>[aApP])\.?\s?[mM]\.?)?)?\s*$"
)


def parse_numeric_date(value: str) -> tuple[Triple, int, tuple[int, int, int, str | None] | None] | None:
    """Split ``22/11/2026 21:05`` into its triple, year digits and time, or ``None``."""
    m = _NUMERIC_DATE.match(value.strip())
    if not m:
        return None
    a, b, c = m["a"], m["b"], m["c"]
    triple = (int(a), int(b), int(c))
    time = None
    if m["h"] is not None:
        ap = m["ap"].lower() if m["ap"] else None
        time = (int(m["h"]), int(m["mi"]), int(m["s"] or 0), ap)
    digits = len(a) if len(a) == 4 else len(c)
    return triple, digits, time


def to_24h(hour: int, ampm: str | None) -> int:
    """Convert a 12-hour clock hour; raises ``ValueError`` for impossible hours."""
    if ampm is None:
        if not 0 <= hour <= 23:
            raise ValueError("hour out of range")
        return hour
    if not 1 <= hour <= 12:
        raise ValueError("hour out of range for a 12-hour clock")
    if ampm == "a":
        return 0 if hour == 12 else hour
    return 12 if hour == 12 else hour + 12


_ISO_Z = re.compile(r"[zZ]$")


def local_to_utc_iso(when: datetime, tz: tzinfo = IST) -> str:
    """The desk's stored form (``2026-11-22T15:35:00Z``) of a local time.

    Naive datetimes (WhatsApp timestamps, spreadsheet dates) are read as
    local time in ``tz``; aware ones are converted as they are.
    """
    if when.tzinfo is None:
        when = when.replace(tzinfo=tz)
    return when.astimezone(timezone.utc).replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def parse_datetime_value(value: str, order: DateOrder, local_tz: tzinfo | None = None) -> str:
    """Normalise a spreadsheet date/time to ISO-8601.

    Values with an offset (``2026-11-22T10:15:00+05:30``, ``…Z``) become UTC
    with a ``Z``.  Values without one are read in ``local_tz`` and returned
    as UTC too; with no ``local_tz`` they stay naive (``2026-11-22T10:15:00``)
    for the caller to place.  Raises ``ValueError`` when the value is not a date.
    """
    text = value.strip()
    parsed = parse_numeric_date(text)
    if parsed is not None:
        triple, digits, time = parsed
        if digits == 3:
            raise ValueError("three-digit year")
        year, month, day = to_ymd(triple, "YMD" if triple[0] >= 1000 else order, digits)
        hour = minute = second = 0
        if time is not None:
            hour = to_24h(time[0], time[3])
            minute, second = time[1], time[2]
        moment = datetime(year, month, day, hour, minute, second)
    else:
        moment = datetime.fromisoformat(_ISO_Z.sub("+00:00", text)).replace(microsecond=0)
    if moment.tzinfo is not None or local_tz is not None:
        return local_to_utc_iso(moment, local_tz or timezone.utc)
    return moment.isoformat()


def epoch_to_iso(seconds: float) -> str:
    """Unix seconds (or milliseconds, when implausibly large) to an ISO UTC string."""
    if abs(seconds) > 1e11:
        seconds /= 1000.0
    moment = datetime(1970, 1, 1) + timedelta(seconds=seconds)
    return moment.replace(microsecond=0).isoformat() + "Z"
