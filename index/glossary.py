"""A bilingual civic glossary and gazetteer, shipped as data in ``index/data/``.

Each concept (``ration_card``, ``paper_leak``, ``lucknow`` ...) lists English,
Devanagari and romanised spellings.  Every spelling is folded with the same
key function as claims (:func:`index.normalize.words_of` + ``fold_words``), so
"ration card", "राशन कार्ड" and "rashan card" all become the phrase
``rasan kard`` and map to ``@ration_card``.  Concept tokens are added to both
claims and documents, which lets an English claim meet a Hindi fact.

Users extend the glossary with their own TSV in the same format (the desk
passes ``Settings.glossary_path``).  Two-column files (``english<TAB>hindi``)
are accepted too: the concept id is taken from the English term.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from index.errors import DataFileError
from index.normalize import fold_words, words_of

MAX_PHRASE = 5
MAX_EXTRA_BYTES = 20_000_000
_ENGLISH_SUFFIXES = ("ies", "es", "s", "ed", "d", "ing", "ly")


@dataclass(frozen=True)
class Concept:
    id: str
    type: str
    gloss: str  # English head word, used in the pivot text and in explanations
    state: str = ""  # gazetteer only: the parent state's id


@dataclass(frozen=True)
class Match:
    """A concept found at token positions ``start:end`` of a folded token list."""

    concept: Concept
    start: int
    end: int


@dataclass
class Glossary:
    """Phrase table from folded token tuples to concepts, plus the gazetteer."""

    concepts: dict[str, Concept] = field(default_factory=dict)
    phrases: dict[tuple[str, ...], set[str]] = field(default_factory=dict)
    # Short Latin variants ("UP", "MP") that only count when typed in capitals.
    caps_only: set[tuple[str, ...]] = field(default_factory=set)
    max_len: int = 1
    # first token -> longest phrase starting with it (prunes the scan in ``annotate``)
    starts: dict[str, int] = field(default_factory=dict)
    _single: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.concepts)

    def add(self, concept: Concept, variants: list[str], *, place: bool = False) -> None:
        existing = self.concepts.get(concept.id)
        if existing is None:
            self.concepts[concept.id] = concept
        for variant in variants:
            variant = variant.strip()
            if not variant:
                continue
            words = words_of(variant)
            toks = tuple(fold_words(words))
            if not toks or len(toks) > MAX_PHRASE:
                continue
            if all(t.isdigit() for t in toks):
                # A bare number is an amount, a date, a booth or a helpline depending on
                # the sentence; numbers are compared as specifics.  "dial 112" or
                # "108 ambulance" say which one is meant, so phrases with words stay.
                continue
            self.phrases.setdefault(toks, set()).add(concept.id)
            self.starts[toks[0]] = max(self.starts.get(toks[0], 0), len(toks))
            self._single.clear()
            if len(toks) == 1 and len(variant) <= 3 and variant.isascii() and \
                    (place or variant.isupper()):
                # "UP", "MP", and any short variant the file writes in capitals ("AC",
                # assembly constituency): as a lower-case word it is something else.
                self.caps_only.add(toks)
            self.max_len = max(self.max_len, len(toks))

    def lookup(self, toks: tuple[str, ...]) -> set[str] | frozenset[str]:
        if len(toks) == 1:
            return self._lookup_single(toks[0])
        return self.phrases.get(toks) or frozenset()

    def _lookup_single(self, t: str) -> frozenset[str]:
        hit = self._single.get(t)
        if hit is None:
            found = self.phrases.get((t,))
            if not found:
                for suf in _ENGLISH_SUFFIXES:
                    if len(t) > len(suf) + 3 and t.endswith(suf):
                        found = self.phrases.get((t[: -len(suf)],))
                        if found:
                            break
            hit = frozenset(found or ())
            if len(self._single) < 500_000:
                self._single[t] = hit
        return hit

    def annotate(self, tokens: list[str] | tuple[str, ...],
                 words: list[str] | tuple[str, ...] | None = None) -> list[Match]:
        """Every concept occurrence (overlapping phrases included) in folded ``tokens``.

        ``words`` (the unfolded words, same length as ``tokens`` when given) lets
        capitals-only variants such as "UP" be told apart from the English "up".
        """
        out: list[Match] = []
        n = len(tokens)
        aligned = words is not None and len(words) == n
        for i in range(n):
            longest = self.starts.get(tokens[i], 1)
            for j in range(min(n, i + longest), i, -1):
                key = tuple(tokens[i:j])
                ids = self.lookup(key)
                if not ids:
                    continue
                if key in self.caps_only and (not aligned or not words[i].isupper()):
                    continue
                for cid in sorted(ids):
                    out.append(Match(self.concepts[cid], i, j))
        return out

    def pivot(self, tokens: list[str], words: list[str], matches: list[Match]) -> str:
        """An English rendering: glossary phrases replaced by their English head.

        The dense model understands English and barely understands Devanagari,
        so this view lets it compare a Hindi claim with an English fact.
        """
        best: dict[int, Match] = {}
        for m in matches:
            cur = best.get(m.start)
            if cur is None or (m.end - m.start) > (cur.end - cur.start):
                best[m.start] = m
        out: list[str] = []
        i, n = 0, len(tokens)
        aligned = len(words) == n
        while i < n:
            m = best.get(i)
            if m is not None:
                out.append(m.concept.gloss)
                i = m.end
                continue
            w = words[i] if aligned else tokens[i]
            out.append(tokens[i] if not w.isascii() else w.lower())
            i += 1
        return " ".join(out)


def _split(cell: str) -> list[str]:
    return [v.strip() for v in cell.split("|") if v.strip()]


def _concept_id(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _read_rows(text: str, path: object) -> list[tuple[int, list[str]]]:
    rows = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = line.rstrip("\r\n").split("\t")
        if cols[0] in ("concept", "place") and not rows:
            continue  # header row
        rows.append((lineno, cols))
    return rows


def _add_glossary_rows(g: Glossary, text: str, path: object) -> None:
    for lineno, cols in _read_rows(text, path):
        if len(cols) >= 5:
            cid, ctype, en, hi, latn = cols[:5]
        elif len(cols) in (2, 3):
            en, hi = cols[0], cols[1]
            latn = cols[2] if len(cols) == 3 else ""
            cid, ctype = _concept_id(_split(en)[0] if _split(en) else ""), "user"
        else:
            raise DataFileError(
                "expected 5 tab-separated columns (concept, type, english, devanagari, "
                "romanised) or 2-3 (english, hindi[, romanised])", path=path, line=lineno)
        english = _split(en)
        cid = cid.strip()
        if not cid or not english:
            raise DataFileError("a concept needs an id and at least one English term",
                                path=path, line=lineno)
        gloss = english[0]
        existing = g.concepts.get(cid)
        concept = existing or Concept(cid, ctype.strip() or "user", gloss)
        g.add(concept, english + _split(hi) + _split(latn))


def _add_gazetteer_rows(g: Glossary, text: str, path: object) -> None:
    for lineno, cols in _read_rows(text, path):
        if len(cols) < 6:
            raise DataFileError("expected 6 tab-separated columns (place, type, state, "
                                "english, devanagari, romanised)", path=path, line=lineno)
        pid, ptype, state, en, hi, latn = cols[:6]
        english = _split(en)
        if not pid.strip() or not english:
            raise DataFileError("a place needs an id and an English name", path=path, line=lineno)
        concept = Concept("place:" + pid.strip(), "place:" + ptype.strip(), english[0].title(),
                          ("place:" + state.strip()) if state.strip() else "")
        g.add(concept, english + _split(hi) + _split(latn), place=True)


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DataFileError(f"cannot read glossary: {exc.strerror}", path=path) from exc
    if size > MAX_EXTRA_BYTES:
        raise DataFileError(f"glossary file too large ({size} bytes, limit {MAX_EXTRA_BYTES})",
                            path=path)
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataFileError(f"not valid UTF-8 (byte {exc.start})", path=path) from exc


def load_glossary(extra_path: Path | None = None) -> Glossary:
    """The bundled glossary and gazetteer, extended by ``extra_path`` when it exists.

    A missing ``extra_path`` is ignored (the desk passes its default location
    whether or not the user created it); a malformed one raises
    :class:`~index.errors.DataFileError` naming the line.
    """
    g = Glossary()
    data = resources.files("index") / "data"
    _add_glossary_rows(g, (data / "glossary.tsv").read_text(encoding="utf-8"), "glossary.tsv")
    _add_gazetteer_rows(g, (data / "gazetteer.tsv").read_text(encoding="utf-8"), "gazetteer.tsv")
    if extra_path is not None:
        extra_path = Path(extra_path)
        if extra_path.is_file():
            _add_glossary_rows(g, _read_text(extra_path), extra_path)
    return g
