"""Injectable clocks and the one timestamp format the desk stores.

Timestamps in SQLite are ISO-8601 UTC strings with second precision
(``2026-11-22T10:15:00Z``): they sort as text, so range filters and
``ORDER BY`` work without parsing.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Protocol

ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc).replace(microsecond=0)


class FixedClock:
    """A clock that only moves when told to (tests, benchmarks, replays)."""

    def __init__(self, start: datetime | str = "2026-11-22T10:00:00Z") -> None:
        self._now = parse_iso(start) if isinstance(start, str) else _as_utc(start)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, **delta: float) -> datetime:
        """Move forward by ``timedelta(**delta)`` and return the new time."""
        with self._lock:
            self._now = self._now + timedelta(**delta)
            return self._now

    def set(self, when: datetime | str) -> None:
        with self._lock:
            self._now = parse_iso(when) if isinstance(when, str) else _as_utc(when)


def _as_utc(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def iso(dt: datetime) -> str:
    """Format a datetime as the stored UTC string (naive datetimes count as UTC)."""
    return _as_utc(dt).strftime(ISO_FORMAT)


def parse_iso(text: str) -> datetime:
    """Parse a stored timestamp (also accepts ``+00:00`` offsets and plain dates).

    Raises ``ValueError`` for anything else; services turn that into a
    :class:`desk.errors.ValidationError`.
    """
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    dt = datetime.fromisoformat(value)
    return _as_utc(dt).replace(microsecond=0)


def now_iso(clock: Clock) -> str:
    return iso(clock.now())
