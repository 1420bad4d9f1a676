"""One pass over a text that gives every view the engine needs.

A claim and a document are analysed the same way: the normalised key, the
glossary concepts, the specifics, the BM25 terms, the English pivot text and
the text the dense model sees.
"""
from __future__ import annotations

from dataclasses import dataclass

from index.glossary import Glossary
from index.normalize import Normalized, normalize
from index.specifics import Specifics, extract


@dataclass(frozen=True)
class Analysis:
    norm: Normalized
    concepts: frozenset[str]          # concept ids (places included)
    specifics: Specifics
    terms: tuple[str, ...]            # BM25 terms
    pivot: str                        # glossary-English rendering
    dense_text: str                   # cleaned display text

    @property
    def key(self) -> str:
        return self.norm.key


def analyze(text: str, glossary: Glossary) -> Analysis:
    norm = normalize(text)
    tokens, words = list(norm.tokens), list(norm.words)
    matches = glossary.annotate(tokens, words)
    concepts = frozenset(m.concept.id for m in matches)
    spec = extract(tokens, words, norm.lang, matches)
    terms = tuple(tokens) + tuple("@" + c for c in sorted(concepts)) + tuple(spec.tokens())
    pivot = glossary.pivot(tokens, words, matches)
    return Analysis(norm, concepts, spec, terms, pivot, norm.cleaned)
