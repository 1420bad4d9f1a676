"""Features and explanations for a claim's shortlist of candidates.

Features are computed for the whole shortlist at once from the segments' arrays
(``index.segment``): the candidates' term ids are gathered into one flat array and
every sum over terms (BM25, coverage both ways, concept, number, month and place
agreement) is one ``np.bincount``.  Only the character-level signals (rapidfuzz,
trigram containment, typo credit) run per candidate in Python, and only for the
top few of each retriever.  Explanations are built for the returned candidates only.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from rapidfuzz import fuzz

from index.fuzzy import key_grams, word_grams
from index.glossary import Glossary
from index.normalize import STOPWORDS
from index.segment import Segment
from index.specifics import Comparison, Specifics, compare
from index.vocab import (CONCEPT, DISTRICT, MONTH, NO_STATE, NUM, NUM_STRONG, STATE, WORD)

# Feature order is part of the fusion model (index/data/fusion.json).  Every feature is a
# property of the (claim, candidate) pair alone: nothing depends on the other candidates or
# on how many documents the collection holds, so a score means the same in a collection of
# three claims as in one of a million (see docs/MATCHING.md, "Absolute scores").
FEATURES = (
    "dense", "dense_adapt", "bm25", "concept", "concept_w", "coverage", "coverage_rev",
    "char3", "char3_rev", "token_set", "partial", "num_agree", "num_strong", "num_disagree",
    "place_agree", "place_disagree", "month_agree", "month_disagree", "cross_script", "en_pair",
)
COL = {name: i for i, name in enumerate(FEATURES)}
K1 = 1.2
B = 0.75
# A word missing on the other side still counts (partly) when most of its letter
# trigrams are there: "scientsits" for "scientists", "karega" for "krega".
SOFT_MIN_LEN = 5
SOFT_MIN_SHARE = 0.5
# Character-level signals (and the typo credit) are computed only for candidates in the
# top FUZZY_DEPTH of either retriever: they are the costly ones and only refine the top.
FUZZY_DEPTH = 12


@dataclass
class QueryInfo:
    """The claim, analysed once per match."""

    key: str
    script: str
    lang: str
    concepts: frozenset[str]
    specifics: Specifics
    grams: frozenset[str] = field(default_factory=frozenset)
    bm25_self: float = 1.0
    # idf of each unique BM25 term of the claim (tokens, concepts, specifics)
    term_idf: dict[str, float] = field(default_factory=dict)
    tids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))   # sorted known ids
    tid_idf: np.ndarray = field(default_factory=lambda: np.zeros(0))        # their idf
    script_code: int = -1
    is_en: bool = False


@dataclass
class DocView:
    """One candidate as the explanation needs it (built for returned candidates only)."""

    kind: str
    lang: str
    script: str
    key: str
    concepts: frozenset[str]
    specifics: Specifics


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


def _credit(grams: frozenset[str], other: frozenset[str]) -> float:
    """Share of a word's trigrams found on the other side (0 below SOFT_MIN_SHARE)."""
    share = len(grams & other) / len(grams)
    return share if share >= SOFT_MIN_SHARE else 0.0


def _plain(term: str) -> bool:
    return len(term) >= SOFT_MIN_LEN and term[0].isalpha()


@dataclass
class Shortlist:
    """Candidates located in the snapshot: parallel lists of (segment, row)."""

    ids: list[int]
    segs: list[Segment]
    rows: list[int]


def pair_features(q: QueryInfo, cands: Shortlist, *, vocab, idf_of, avgdl: float,
                  dense: np.ndarray, adapted: np.ndarray, costly: np.ndarray,
                  en_code: int, gram_cache: dict[str, frozenset[str]] | None = None) -> np.ndarray:
    """The ``(candidates, FEATURES)`` matrix.

    ``dense``/``adapted``: each candidate's best view cosine (plain / adapted claim);
    ``costly``: which candidates get the character-level signals; ``idf_of(tids)`` the
    snapshot's blended idf; ``en_code`` the lang code of English documents;
    ``gram_cache`` (word -> trigrams) may be kept between calls.
    """
    if gram_cache is None:
        gram_cache = {}
    n = len(cands.ids)
    x = np.zeros((n, len(FEATURES)))
    if n == 0:
        return x
    lens = np.empty(n, np.int64)
    parts_t, parts_f = [], []
    dl = np.empty(n, np.float64)
    for j, (seg, row) in enumerate(zip(cands.segs, cands.rows)):
        a, b = int(seg.term_ptr[row]), int(seg.term_ptr[row + 1])
        parts_t.append(seg.term_ids[a:b])
        parts_f.append(seg.term_tf[a:b])
        lens[j] = b - a
        dl[j] = seg.dl[row]
    t = np.concatenate(parts_t).astype(np.int64)
    tf = np.concatenate(parts_f).astype(np.float64)
    c = np.repeat(np.arange(n), lens)
    kinds, _, states = vocab.arrays()
    tk = kinds[t]
    idf = idf_of(t)
    if len(q.tids):
        pos = np.minimum(np.searchsorted(q.tids, t), len(q.tids) - 1)
        hit = q.tids[pos] == t
    else:
        hit = np.zeros(len(t), bool)
    hit_f = hit.astype(np.float64)

    def per_cand(weights: np.ndarray) -> np.ndarray:
        return np.bincount(c, weights=weights, minlength=n)

    q_total = sum(q.term_idf.values())
    d_total = per_cand(idf)
    matched = per_cand(idf * hit_f)
    norm = K1 * (1 - B + B * dl[c] / max(avgdl, 1.0))
    bm = per_cand(idf * hit_f * tf * (K1 + 1) / (tf + norm))
    x[:, COL["bm25"]] = np.minimum(bm / q.bm25_self if q.bm25_self > 0 else 0.0, 1.5)

    # Costly, per candidate: character signals and typo credit on both sides, all from
    # one trigram set per candidate (set membership = substring search in the padded key).
    fwd_soft = np.zeros(n)
    rev_soft = np.zeros(n)
    q_grams = q.grams
    q_plain = [(vocab.get(tt), w, g, len(g)) for tt, w in q.term_idf.items() if _plain(tt)
               for g in (word_grams(tt),)]
    starts = np.concatenate([[0], np.cumsum(lens)])
    rev_credit: dict[int, float] = {}    # a candidate word's credit against this claim
    is_word = tk == WORD
    for j in np.flatnonzero(costly).tolist():
        key = cands.segs[j].key(cands.rows[j])
        if key and q.key:
            x[j, COL["token_set"]] = fuzz.token_set_ratio(q.key, key, processor=None) / 100.0
            x[j, COL["partial"]] = fuzz.partial_ratio(q.key, key, processor=None) / 100.0
        d_grams = key_grams(key, gram_cache)
        if q_grams and d_grams:
            shared = len(q_grams & d_grams)
            x[j, COL["char3"]] = shared / len(q_grams)
            x[j, COL["char3_rev"]] = shared / len(d_grams)
        a, b = int(starts[j]), int(starts[j + 1])
        hit_j = hit[a:b]
        if q_plain:
            have = set(t[a:b][hit_j].tolist())
            soft = 0.0
            for tid, w, grams, ng in q_plain:   # _credit, inlined (the hot loop)
                if tid < 0 or tid not in have:
                    share = len(grams & d_grams) / ng
                    if share >= SOFT_MIN_SHARE:
                        soft += w * share
            fwd_soft[j] = soft
        miss = a + np.flatnonzero(~hit_j & is_word[a:b])
        soft = 0.0
        for tid, w in zip(t[miss].tolist(), idf[miss].tolist()):
            cr = rev_credit.get(tid)
            if cr is None:
                term = vocab.term(tid)
                cr = 0.0
                if _plain(term):
                    grams = gram_cache.get(term)
                    if grams is None:
                        grams = gram_cache[term] = word_grams(term)
                    cr = _credit(grams, q_grams)
                rev_credit[tid] = cr
            soft += w * cr
        rev_soft[j] = soft
    x[:, COL["coverage"]] = (matched + fwd_soft) / q_total if q_total > 0 else 0.0
    with np.errstate(invalid="ignore", divide="ignore"):
        x[:, COL["coverage_rev"]] = np.where(d_total > 0, (matched + rev_soft) / d_total, 0.0)

    # Concepts (places apart).
    is_concept = (tk == CONCEPT)
    q_concepts = [cc for cc in q.concepts if not _is_place(cc)]
    if q_concepts:
        c_idf = sum(q.term_idf.get("@" + cc, 0.0) for cc in q_concepts)
        x[:, COL["concept"]] = per_cand((hit & is_concept).astype(np.float64)) / len(q_concepts)
        if c_idf > 0:
            x[:, COL["concept_w"]] = per_cand(idf * (hit & is_concept)) / c_idf

    # Numbers: the claim's numbers found in the candidate; missing ones count against a
    # candidate that states numbers (facts often add the true figure, so extras are fine).
    q_numbers = q.specifics.numbers
    if q_numbers:
        is_num = (tk == NUM) | (tk == NUM_STRONG)
        agree = per_cand((hit & is_num).astype(np.float64))
        has_num = per_cand(is_num.astype(np.float64)) > 0
        nq = len(q_numbers)
        x[:, COL["num_agree"]] = agree / nq
        x[:, COL["num_disagree"]] = np.where(has_num, (nq - agree) / nq, 0.0)
        strong_q = sum(1 for v in q_numbers if _is_strong_number(str(v)))
        x[:, COL["num_strong"]] = per_cand((hit & (tk == NUM_STRONG)).astype(np.float64)) / max(strong_q, 1)
    if q.specifics.months:
        is_month = tk == MONTH
        m_agree = per_cand((hit & is_month).astype(np.float64)) > 0
        x[:, COL["month_agree"]] = m_agree
        x[:, COL["month_disagree"]] = (per_cand(is_month.astype(np.float64)) > 0) & ~m_agree
    if q.specifics.places:
        is_place = (tk == STATE) | (tk == DISTRICT)
        x[:, COL["place_agree"]] = per_cand((hit & is_place).astype(np.float64)) > 0
        q_districts = {vocab.get("@" + p) for p in q.specifics.districts}
        q_states = {vocab.get("@" + p) for p in q.specifics.states}
        for j in np.flatnonzero(per_cand(is_place.astype(np.float64)) > 0):
            sl = slice(starts[j], starts[j + 1])
            tids = t[sl][is_place[sl]]
            kk = tk[sl][is_place[sl]]
            d_districts = set(tids[kk == DISTRICT].tolist())
            d_states = set(tids[kk == STATE].tolist()) | {
                int(s) for s in states[tids[kk == DISTRICT]] if s != NO_STATE}
            if q.specifics.districts and d_districts:
                x[j, COL["place_disagree"]] = not (q_districts & d_districts)
            elif q.specifics.states and d_states:
                x[j, COL["place_disagree"]] = not (q_states & d_states)

    dense = np.asarray(dense, np.float64)
    x[:, COL["dense"]] = dense
    x[:, COL["dense_adapt"]] = adapted
    scripts = np.fromiter((seg.script[row] for seg, row in zip(cands.segs, cands.rows)), np.int64, n)
    x[:, COL["cross_script"]] = scripts != q.script_code
    if q.is_en:
        langs = np.fromiter((seg.lang[row] for seg, row in zip(cands.segs, cands.rows)), np.int64, n)
        x[:, COL["en_pair"]] = langs == en_code
    return x


def doc_view(seg: Segment, row: int, vocab, glossary: Glossary, kind: str, lang: str,
             script: str) -> DocView:
    """A candidate's concepts and specifics, read back from its terms."""
    tids, _ = seg.terms_of(row)
    kinds, _, _ = vocab.arrays()
    concepts: set[str] = set()
    numbers: set[float] = set()
    months: set[int] = set()
    places: set[str] = set()
    districts: set[str] = set()
    states: set[str] = set()
    names: dict[str, str] = {}
    for tid, k in zip(tids.tolist(), kinds[tids].tolist()):
        term = vocab.term(tid)
        if k in (NUM, NUM_STRONG):
            numbers.add(float(term[1:]))
        elif k == MONTH:
            months.add(int(term[2:]))
        elif k in (CONCEPT, STATE, DISTRICT):
            cid = term[1:]
            concepts.add(cid)
            if k != CONCEPT:
                concept = glossary.concepts.get(cid)
                places.add(cid)
                names[cid] = concept.gloss if concept else cid
                if k == STATE:
                    states.add(cid)
                else:
                    districts.add(cid)
                    if concept is not None and concept.state:
                        states.add(concept.state)
    spec = Specifics(frozenset(numbers), frozenset(months), frozenset(places), frozenset(districts),
                     frozenset(states), names)
    return DocView(kind, lang, script, seg.key(row), frozenset(concepts), spec)


_SIGNAL_LABELS = {
    "dense": "meaning (embedding)", "dense_adapt": "meaning (embedding)", "bm25": "shared words (BM25)",
    "concept": "shared concepts", "concept_w": "shared concepts",
    "coverage": "claim terms covered", "coverage_rev": "candidate terms covered",
    "char3": "spelling overlap", "char3_rev": "spelling overlap", "token_set": "near-duplicate text",
    "partial": "near-duplicate text", "num_agree": "same numbers", "num_strong": "same numbers",
    "place_agree": "same place", "month_agree": "same month",
}


def explain(q: QueryInfo, d: DocView, feats: Mapping[str, float], comp: Comparison,
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


def explain_candidate(q: QueryInfo, d: DocView, feats: Mapping[str, float],
                      contributions: Mapping[str, float], score: float, tier: str,
                      concept_gloss: Mapping[str, str]) -> Explanation:
    return explain(q, d, feats, compare(q.specifics, d.specifics), contributions, score, tier,
                   concept_gloss)


def logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))
