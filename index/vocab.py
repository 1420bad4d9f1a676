"""The engine's term table: every BM25 term gets a small integer id, once.

Terms are folded words, ``@concept`` tokens, ``#number`` tokens and ``!mN`` month
tokens (see ``index.analysis``).  Per term the table keeps its kind (so the
re-ranker can tell concepts, places, numbers and months apart with numpy), its
background probability (``index.background``) and, for a district, the id of its
state's term.

The table is append-only and shared by every snapshot of one engine: a writer
(holding the engine's write lock) appends; readers only look at ids below the
size they were created with, so they never see a half-written entry.  Arrays grow
by reallocation, never in place, so an array a reader holds stays valid.
"""
from __future__ import annotations

import threading
from typing import Iterable, Sequence

import numpy as np

from index.background import Background
from index.glossary import Glossary

WORD, NUMBER_WORD, CONCEPT, STATE, DISTRICT, NUM, NUM_STRONG, MONTH = range(8)
PLACES = (STATE, DISTRICT)
NO_STATE = -1


def _is_strong(value: str) -> bool:
    """Numbers that identify a claim (amounts, years); 1-31 are too common to count."""
    try:
        v = float(value)
    except ValueError:
        return False
    return v > 31 or not v.is_integer()


class Vocab:
    """Append-only term -> id table with per-term kind, background probability and state."""

    def __init__(self, background: Background, glossary: Glossary):
        self.background = background
        self.glossary = glossary
        self._ids: dict[str, int] = {}
        self._terms: list[str] = []
        self._kind = np.zeros(1024, np.int8)
        self._p = np.zeros(1024, np.float64)
        self._state = np.full(1024, NO_STATE, np.int32)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._terms)

    def get(self, term: str) -> int:
        """The term's id, or -1."""
        return self._ids.get(term, -1)

    def term(self, tid: int) -> str:
        return self._terms[tid]

    def terms(self, tids: Iterable[int]) -> list[str]:
        t = self._terms
        return [t[i] for i in tids]

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(kind, background p, state id) arrays, at least ``len(self)`` long."""
        return self._kind, self._p, self._state

    def ids(self, terms: Sequence[str]) -> np.ndarray:
        """Ids of ``terms``, adding the new ones (writers only)."""
        out = np.empty(len(terms), np.int32)
        ids = self._ids
        for n, t in enumerate(terms):
            i = ids.get(t)
            out[n] = i if i is not None else self._add(t)
        return out

    def _add(self, term: str) -> int:
        with self._lock:
            i = self._ids.get(term)
            if i is not None:
                return i
            kind, state = self._classify(term)   # may add the term of a district's state first
            i = len(self._terms)
            if i >= len(self._kind):
                self._grow(2 * len(self._kind))
            self._kind[i] = kind
            self._p[i] = self.background.p(term)
            self._state[i] = state
            self._terms.append(term)
            self._ids[term] = i   # last: readers never find an id whose entry is unwritten
            return i

    def _grow(self, size: int) -> None:
        kind = np.zeros(size, np.int8)
        p = np.zeros(size, np.float64)
        state = np.full(size, NO_STATE, np.int32)
        n = len(self._terms)
        kind[:n], p[:n], state[:n] = self._kind[:n], self._p[:n], self._state[:n]
        # New arrays replace the old ones; a reader holding the old ones keeps valid data.
        self._kind, self._p, self._state = kind, p, state

    def _classify(self, term: str) -> tuple[int, int]:
        first = term[:1]
        if first == "#":
            return (NUM_STRONG if _is_strong(term[1:]) else NUM), NO_STATE
        if first == "!":
            return MONTH, NO_STATE
        if first.isdigit():
            return NUMBER_WORD, NO_STATE
        if first == "@":
            c = self.glossary.concepts.get(term[1:])
            if c is not None and c.type == "place:state":
                return STATE, NO_STATE
            if c is not None and c.type.startswith("place:"):
                state = NO_STATE
                if c.state:
                    state = self._ids.get("@" + c.state)
                    if state is None:
                        state = self._add_unlocked("@" + c.state)
                return DISTRICT, state
            return CONCEPT, NO_STATE
        return WORD, NO_STATE

    def _add_unlocked(self, term: str) -> int:
        # Called from _classify while _lock is held: a state term for a district.
        i = len(self._terms)
        if i >= len(self._kind):
            self._grow(2 * len(self._kind))
        self._kind[i] = STATE
        self._p[i] = self.background.p(term)
        self._state[i] = NO_STATE
        self._terms.append(term)
        self._ids[term] = i
        return i

    # -- persistence ----------------------------------------------------------------

    def blob(self) -> bytes:
        """All terms, newline-separated (terms never contain whitespace)."""
        return "\n".join(self._terms).encode("utf-8")

    @classmethod
    def from_blob(cls, blob: bytes, background: Background, glossary: Glossary) -> "Vocab":
        v = cls(background, glossary)
        terms = blob.decode("utf-8").split("\n") if blob else []
        for t in terms:
            if t in v._ids:
                continue  # a district's state term was added early; order still matches
            v._add(t)
        if v._terms != terms:
            raise ValueError("vocabulary does not round-trip (the glossary changed?)")
        return v
