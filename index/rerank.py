"""Features and explanations for a claim's shortlist of candidates."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from index.fuzzy import char_ngrams, fuzzy_scores, key_containment
from index.normalize import STOPWORDS
from index.specifics import Comparison, Specifics, compare

# Feature order is part of the fusion model (index/data/fusion.json).  Every feature is a
# property of the (claim, candidate) pair alone: nothing depends on the other candidates or
# on how many documents the collection holds, so a score means the same in a collection of
# three claims as in one of a million (see docs/MATCHING.md, "Absolute scores").
FEATURES = (
    "dense", "dense_adapt", "bm25", "concept", "concept_w", "coverage", "coverage_rev",
    "char3", "char3_rev", "token_set", "partial", "num_agree", "num_strong", "num_disagree",
    "place_agree", "place_disagree", "month_agree", "month_disagree", "cross_script", "en_pair",
)
K1 = 1.2
B = 0.75
# A claim term missing from the candidate still counts (partly) when most of its letter
# trigrams are there: "scientsits" for "scientists", "karega" for "krega".
SOFT_MIN_LEN = 5
SOFT_MIN_SHARE = 0.5


@dataclass(frozen=True)
class DocInfo:
    """What the engine keeps per document for re-ranking (no vectors, no raw text)."""

    kind: str
    lang: str
    script: str
    key: str
    concepts: frozenset[str]
    specifics: Specifics
    content: str  # hash of the embedded views, for the persistence checksum
    views: int = 1


@dataclass
class QueryInfo:
    key: str
    script: str
    lang: str
    concepts: frozenset[str]
    specifics: Specifics
    grams: frozenset[str] = field(default_factory=frozenset)
    bm25_self: float = 1.0
    # idf of each unique BM25 term of the claim (tokens, concepts, specifics)
    term_idf: dict[str, float] = field(default_factory=dict)


@dataclass
class Explanation:
    """Why a candidate was proposed, in terms a fact-checker can check."""

    fired: list[str]
    shared_terms: list[str]
    numbers_agree: list[str]
    numbers_disagree: list[str]
    places_agree: list[str]
    places_disagree: list[str]
    summary: str

    def to_dict(self) -> dict:
        return {
            "fired": list(self.fired), "shared_terms": list(self.shared_terms),
            "numbers_agree": list(self.numbers_agree), "numbers_disagree": list(self.numbers_disagree),
            "places_agree": list(self.places_agree), "places_disagree": list(self.places_disagree),
            "summary": self.summary,
        }


def _is_place(c: str) -> bool:
    return c.startswith("place:")


# Character-level signals (and the adapter) are computed only for candidates in the
# top FUZZY_DEPTH of either retriever: they are the costly ones and only refine the top.
FUZZY_DEPTH = 12


def _is_strong_number(x: str) -> bool:
    """Numbers that identify a claim (amounts, years); 1-31 are too common to count."""
    try:
        v = float(x)
    except ValueError:
        return False
    return v > 31 or not v.is_integer()


def near_top_ids(dense: Mapping[int, float], bm25: Mapping[int, float]) -> set[int]:
    """Candidates that get the costly signals (top FUZZY_DEPTH of either retriever)."""
    top_d = sorted(dense, key=lambda i: -dense[i])[:FUZZY_DEPTH]
    top_b = sorted(bm25, key=lambda i: -bm25[i])[:FUZZY_DEPTH]
    return set(top_d) | set(top_b)


def _plain_term(t: str) -> bool:
    return len(t) >= SOFT_MIN_LEN and t[0].isalpha()


def _soft_credit(term: str, padded_key: str) -> float:
    """Share of ``term``'s padded trigrams found in ``padded_key`` (0 below SOFT_MIN_SHARE)."""
    p = f" {term} "
    grams = [p[i:i + 3] for i in range(len(p) - 2)]
    share = sum(1 for g in grams if g in padded_key) / len(grams)
    return share if share >= SOFT_MIN_SHARE else 0.0


def padded(key: str) -> str:
    """``key`` with every word padded by one space each side (see ``fuzzy.key_containment``)."""
    return " " + key.replace(" ", "  ") + " "


def coverage(weights: Mapping[str, float], other_terms: set[str], other_padded: str | None) -> float:
    """idf-weighted share of one side's unique terms found on the other side.

    With ``other_padded`` (the other side's padded key), a missing plain word earns the
    share of its trigrams the other side has, so typos cost little.
    """
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    got = 0.0
    for t, w in weights.items():
        if t in other_terms:
            got += w
        elif other_padded is not None and _plain_term(t):
            got += w * _soft_credit(t, other_padded)
    return got / total


def pair_bm25(q_idf: Mapping[str, float], d_terms: Sequence[str], avgdl: float) -> float:
    """BM25 of one document for the claim's unique terms."""
    if not d_terms:
        return 0.0
    tf: dict[str, int] = {}
    for t in d_terms:
        if t in q_idf:
            tf[t] = tf.get(t, 0) + 1
    norm = K1 * (1 - B + B * len(d_terms) / max(avgdl, 1.0))
    return sum(q_idf[t] * c * (K1 + 1) / (c + norm) for t, c in tf.items())


def features_for(q: QueryInfo, cands: Sequence[tuple[int, DocInfo]], dense: Mapping[int, float],
                 doc_terms: Mapping[int, Sequence[str]], idf_of, avgdl: float,
                 adapted: Mapping[int, float] | None = None, near_top: set[int] | None = None,
                 ) -> tuple[list[dict[str, float]], list[Comparison]]:
    """One feature dict per candidate (same order), plus the specifics comparisons.

    ``dense`` holds each candidate's best view cosine, ``idf_of(term)`` the collection's
    (background-blended) idf; costly character signals only for ``near_top`` ids
    (all candidates when None).
    """
    q_concepts = frozenset(c for c in q.concepts if not _is_place(c))
    cidf = {c: q.term_idf.get("@" + c, 0.0) for c in q_concepts}
    cidf_total = sum(cidf.values())
    strong_q = [x for x in q.specifics.numbers if _is_strong_number(str(x))]
    q_terms = set(q.term_idf)
    q_padded = padded(q.key)
    out, comps = [], []
    for doc_id, d in cands:
        dv = dense.get(doc_id, 0.0)
        comp = compare(q.specifics, d.specifics)
        costly = near_top is None or doc_id in near_top
        fz = fuzzy_scores(q.key, d.key) if costly else {"token_set": 0.0, "partial": 0.0}
        dterms_seq = doc_terms.get(doc_id, ())
        dterms = set(dterms_seq)
        d_padded = padded(d.key) if costly else None
        bm = pair_bm25(q.term_idf, dterms_seq, avgdl) / q.bm25_self if q.bm25_self > 0 else 0.0
        d_idf = {t: idf_of(t) for t in dterms}
        shared_c = q_concepts & d.concepts
        strong_agree = sum(1 for x in comp.numbers_agree if _is_strong_number(x))
        f = {
            "dense": dv,
            # Without an adapter for this model the signal falls back to the plain cosine.
            "dense_adapt": adapted.get(doc_id, dv) if adapted is not None else dv,
            "bm25": min(bm, 1.5),
            "concept": (len(shared_c) / len(q_concepts)) if q_concepts else 0.0,
            "concept_w": sum(cidf[c] for c in shared_c) / cidf_total if cidf_total > 0 else 0.0,
            "coverage": coverage(q.term_idf, dterms, d_padded),
            "coverage_rev": coverage(d_idf, q_terms, q_padded if costly else None),
            "num_strong": strong_agree / max(len(strong_q), 1),
            "char3": key_containment(q.grams, d.key) if costly else 0.0,
            "char3_rev": key_containment(char_ngrams(d.key), q.key) if costly else 0.0,
            "token_set": fz["token_set"],
            "partial": fz["partial"],
            "cross_script": float(q.script != d.script),
            # English claim against an English document: the dense model is at home there,
            # so the fusion model may weigh signals differently (features named "x@en_pair").
            "en_pair": float(q.lang == "en" and d.lang == "en"),
        }
        f.update(comp.features(q.specifics))
        out.append(f)
        comps.append(comp)
    return out, comps


_SIGNAL_LABELS = {
    "dense": "meaning (embedding)", "dense_adapt": "meaning (embedding)", "bm25": "shared words (BM25)",
    "concept": "shared concepts", "concept_w": "shared concepts",
    "coverage": "claim terms covered", "coverage_rev": "candidate terms covered",
    "char3": "spelling overlap", "char3_rev": "spelling overlap", "token_set": "near-duplicate text",
    "partial": "near-duplicate text", "num_agree": "same numbers", "num_strong": "same numbers",
    "place_agree": "same place", "month_agree": "same month",
}


def explain(q: QueryInfo, d: DocInfo, feats: Mapping[str, float], comp: Comparison,
            contributions: Mapping[str, float], score: float, tier: str,
            concept_gloss: Mapping[str, str]) -> Explanation:
    fired = []
    if feats["dense"] >= 0.5:
        fired.append("dense")
    if feats["bm25"] >= 0.2:
        fired.append("bm25")
    if feats["concept"] >= 0.3:
        fired.append("concept")
    if feats["char3"] >= 0.5:
        fired.append("char3")
    if feats["token_set"] >= 0.7:
        fired.append("token_set")
    for name in ("num_agree", "num_disagree", "place_agree", "place_disagree", "month_agree",
                 "month_disagree"):
        if feats.get(name, 0.0) > 0:
            fired.append(name)
    shared = [concept_gloss.get(c, c) for c in sorted(q.concepts & d.concepts) if not _is_place(c)]
    q_words = [t for t in q.key.split() if len(t) >= 3 and t not in STOPWORDS and not t[0].isdigit()]
    d_words = set(d.key.split())
    for t in dict.fromkeys(q_words):
        if t in d_words and t not in shared:
            shared.append(t)
    shared = shared[:15]
    parts = [f"{tier} ({score:.2f})"]
    strong = [_SIGNAL_LABELS.get(n, n.replace("_", " "))
              for n, v in sorted(contributions.items(), key=lambda kv: -kv[1]) if v > 0.3]
    strong = list(dict.fromkeys(strong))[:3]
    if strong:
        parts.append("driven by " + ", ".join(strong))
    if comp.numbers_agree:
        parts.append("same numbers: " + ", ".join(comp.numbers_agree))
    if comp.numbers_disagree:
        parts.append("claim's numbers missing: " + ", ".join(comp.numbers_disagree))
    if comp.places_agree:
        parts.append("same place: " + ", ".join(comp.places_agree))
    if comp.places_disagree:
        parts.append("different places: " + ", ".join(comp.places_disagree))
    if comp.months_disagree:
        parts.append("different month")
    return Explanation(fired, shared, list(comp.numbers_agree), list(comp.numbers_disagree),
                       list(comp.places_agree), list(comp.places_disagree), "; ".join(parts))


def logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))
