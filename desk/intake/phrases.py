"""Whole-word phrase lookup over a token list, for the check-worthiness word lists.

One dictionary lookup per token instead of one large regex per list: the
import of a 50,000-message export assesses every message.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

WORD_CHARS = r"\w\u0900-\u0963\u0966-\u097f"
TOKEN = re.compile(rf"[{WORD_CHARS}]+(?:'[{WORD_CHARS}]+)*")
_FOLD = {0x093C: None, 0x0901: 0x0902, 0x200C: None, 0x200D: None, 0x200E: None, 0x200F: None}
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """NFC, nukta dropped, chandrabindu as anusvara, ZWJ/ZWNJ and LRM/RLM removed, casefolded."""
    text = unicodedata.normalize("NFC", text).translate(_FOLD).casefold()
    return _SPACES.sub(" ", text).strip()


def tokens_of(folded: str) -> list[str]:
    """Words of already folded text (Devanagari vowel signs stay inside words)."""
    return TOKEN.findall(folded)


class PhraseIndex:
    """Find which named word lists have an entry in a token sequence.

    Entries are folded and split into words like the text; an entry ending in
    ``*`` matches when its last word is a prefix of the text's word.
    """

    def __init__(self, lists: Mapping[str, Iterable[str]]):
        # first word -> (following words, last-word prefix or None, list name)
        self._by_first: dict[str, list[tuple[tuple[str, ...], str | None, str]]] = {}
        self._single_prefixes: list[tuple[str, str]] = []
        for name, entries in lists.items():
            for entry in entries:
                words = tuple(tokens_of(fold(entry.rstrip("*"))))
                if not words:
                    continue
                if not entry.endswith("*"):
                    self._by_first.setdefault(words[0], []).append((words[1:], None, name))
                elif len(words) == 1:
                    self._single_prefixes.append((words[0], name))
                else:
                    self._by_first.setdefault(words[0], []).append((words[1:-1], words[-1], name))
        self._single_starts = tuple(p for p, _ in self._single_prefixes)
        self._longest = max((1 + len(w) for e in self._by_first.values() for w, _, _ in e),
                            default=1)

    def at_edges(self, tokens: Sequence[str]) -> set[str]:
        """Names of the lists with an entry that starts or ends ``tokens``."""
        found: set[str] = set()
        if not tokens:
            return found
        for words, last, name in self._by_first.get(tokens[0], ()):
            if self._fits(tokens, 0, words, last):
                found.add(name)
        for start in range(max(0, len(tokens) - self._longest), len(tokens)):
            for words, last, name in self._by_first.get(tokens[start], ()):
                end = start + 1 + len(words)
                if last is None and end == len(tokens) and self._fits(tokens, start, words, last):
                    found.add(name)
        if tokens[0].startswith(self._single_starts) if self._single_starts else False:
            found.update(n for p, n in self._single_prefixes if tokens[0].startswith(p))
        return found

    @staticmethod
    def _fits(tokens: Sequence[str], i: int, rest: tuple[str, ...], last: str | None) -> bool:
        end = i + 1 + len(rest)
        if rest and tuple(tokens[i + 1:end]) != rest:
            return False
        return last is None or (end < len(tokens) and tokens[end].startswith(last))

    def find(self, tokens: Sequence[str]) -> set[str]:
        """Names of the lists with at least one entry in ``tokens``."""
        found: set[str] = set()
        n = len(tokens)
        by_first = self._by_first
        for i, token in enumerate(tokens):
            entries = by_first.get(token)
            if entries:
                for rest, last, name in entries:
                    if name in found:
                        continue
                    end = i + 1 + len(rest)
                    if rest and tuple(tokens[i + 1:end]) != rest:
                        continue
                    if last is None or (end < n and tokens[end].startswith(last)):
                        found.add(name)
            if self._single_starts and token.startswith(self._single_starts):
                found.update(name for prefix, name in self._single_prefixes
                             if token.startswith(prefix))
        return found
