"""Fitting the fusion model from benchmark queries (reproducible; see docs/MATCHING.md).

``collect`` runs the engine's shortlist for labelled queries and returns the
raw features of every candidate with a 0/1 label; ``fit_fusion`` fits the
logistic model on several such sets with per-set weights; ``rerank_metrics``
scores a model on collected sets without re-running the engine, which makes
held-out (by fact) estimates cheap.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np

from index.evaluation import abstention_metrics, ranking_metrics
from index.fusion import FusionModel, fit_logistic
from index.rerank import FEATURES


def expand(raw: np.ndarray, names: Sequence[str]) -> np.ndarray:
    """Columns ``names`` from a raw ``FEATURES`` matrix (``"a@b"`` = a * b)."""
    cols = []
    for n in names:
        if "@" in n:
            a, b = n.split("@", 1)
            cols.append(raw[:, FEATURES.index(a)] * raw[:, FEATURES.index(b)])
        else:
            cols.append(raw[:, FEATURES.index(n)])
    return np.column_stack(cols) if cols else np.zeros((len(raw), 0))


def with_interactions(base: Sequence[str], cond: str = "en_pair") -> list[str]:
    """``base`` plus each feature's product with ``cond`` (one weight set per kind of pair)."""
    return list(base) + [f"{f}@{cond}" for f in base if f != cond]


@dataclass
class Collected:
    """Features of every shortlisted candidate of every query."""

    qids: list[str] = field(default_factory=list)
    kinds: list[str | None] = field(default_factory=list)
    gold: list[set[str]] = field(default_factory=list)
    cand_ids: list[list[str]] = field(default_factory=list)
    feats: list[np.ndarray] = field(default_factory=list)   # one (n_cands, n_features) per query

    def subset(self, keep: Sequence[bool]) -> "Collected":
        out = Collected()
        for i, k in enumerate(keep):
            if k:
                out.qids.append(self.qids[i])
                out.kinds.append(self.kinds[i])
                out.gold.append(self.gold[i])
                out.cand_ids.append(self.cand_ids[i])
                out.feats.append(self.feats[i])
        return out

    def xy(self) -> tuple[np.ndarray, np.ndarray]:
        xs, ys = [], []
        for f, cands, gold in zip(self.feats, self.cand_ids, self.gold):
            if len(f):
                xs.append(f)
                ys.append(np.array([c in gold for c in cands], dtype=np.float64))
        if not xs:
            return np.zeros((0, len(FEATURES))), np.zeros(0)
        return np.vstack(xs), np.concatenate(ys)


def collect(engine, queries: Iterable[tuple[str, str, str | None]], qrels: dict[str, set[str]],
            id_map: dict[int, str], *, depth: int = 15) -> Collected:
    out = Collected()
    queries = list(queries)
    found = engine.score_candidates_many([t for _, t, _ in queries], depth=depth)
    for (qid, text, kind), pairs in zip(queries, found):
        out.qids.append(qid)
        out.kinds.append(kind)
        out.gold.append(set(qrels.get(qid, set())))
        out.cand_ids.append([id_map[i] for i, _ in pairs])
        out.feats.append(np.array([[f[n] for n in FEATURES] for _, f in pairs], dtype=np.float64)
                         .reshape(-1, len(FEATURES)))
    return out


def fit_fusion(sets: Sequence[tuple[Collected, float]], *, features: Sequence[str] = FEATURES,
               l2: float = 1.0) -> FusionModel:
    """Fit on several collected sets; each set's rows are weighted so it counts ``weight`` in total."""
    xs, ys, ws = [], [], []
    for coll, weight in sets:
        x, y = coll.xy()
        if not len(x):
            continue
        xs.append(expand(x, features))
        ys.append(y)
        ws.append(np.full(len(y), weight * 1000.0 / len(y)))
    return fit_logistic(np.vstack(xs), np.concatenate(ys), features, l2=l2,
                        sample_weight=np.concatenate(ws))


def rerank_metrics(model: FusionModel, coll: Collected, *, related: float | None = None) -> dict:
    runs, top, by_kind = [], [], {}
    for f, cands, gold, kind in zip(coll.feats, coll.cand_ids, coll.gold, coll.kinds):
        if len(f):
            s = model.score_matrix(expand(f, model.features))
            order = np.argsort(-s, kind="stable")
            ranked = [cands[j] for j in order]
            best = float(s[order[0]])
        else:
            ranked, best = [], None
        top.append((best, bool(gold), bool(ranked) and ranked[0] in gold))
        if gold:
            runs.append((ranked, gold))
            by_kind.setdefault(kind or "all", []).append((ranked, gold))
    out = ranking_metrics(runs)
    out["by_kind"] = {k: ranking_metrics(v) for k, v in sorted(by_kind.items())}
    out["abstention"] = abstention_metrics(top, model.thresholds.related if related is None else related)
    return out


def top1_pairs(model: FusionModel, coll: Collected) -> list[tuple[float, str]]:
    """(best score, same|none) per query: the pairs ``fit_thresholds`` calibrates tiers on."""
    out = []
    for f, cands, gold in zip(coll.feats, coll.cand_ids, coll.gold):
        if not len(f):
            continue
        s = model.score_matrix(expand(f, model.features))
        j = int(np.argmax(s))
        out.append((float(s[j]), "same" if cands[j] in gold else "none"))
    return out


def calibration_rows(model: FusionModel, coll: Collected) -> tuple[np.ndarray, np.ndarray]:
    """Second-stage input (the first-stage logit ``z``) and label for every candidate."""
    xs, ys = [], []
    for f, cands, gold in zip(coll.feats, coll.cand_ids, coll.gold):
        if not len(f):
            continue
        xs.append(model.logits(expand(f, model.features)).reshape(-1, 1))
        ys.append(np.array([c in gold for c in cands], dtype=np.float64))
    if not xs:
        return np.zeros((0, 1)), np.zeros(0)
    return np.vstack(xs), np.concatenate(ys)


def fit_calibration(pairs: Sequence[tuple[FusionModel, Collected, float]], *, l2: float = 1.0
                    ) -> tuple[float, float]:
    """Fit the second stage (Platt scaling) on (first-stage model, collected set, weight) triples.

    Pass out-of-fold first-stage models where the set was used to fit the first
    stage, so the second stage sees honest logits.
    """
    xs, ys, ws = [], [], []
    for model, coll, weight in pairs:
        x, y = calibration_rows(model, coll)
        if not len(y):
            continue
        xs.append(x)
        ys.append(y)
        ws.append(np.full(len(y), weight * 1000.0 / len(y)))
    m = fit_logistic(np.vstack(xs), np.concatenate(ys), ["z"], l2=l2,
                     sample_weight=np.concatenate(ws))
    return (m.weights[0], m.bias)


def adapter_data(engine, queries: Iterable[tuple[str, str, str | None]], qrels: dict[str, set[str]],
                 id_map: dict[int, str], *, negatives: int = 100):
    """(query vectors, candidate view vectors per query, gold row per query) for ``fit_adapter``.

    Candidates are the views of the ``negatives`` nearest documents plus the
    gold document's views; the gold rows are all of the gold document's views.
    """
    from index.analysis import analyze
    from index.engine import VIEW_SLOTS, query_text

    rev = {v: k for k, v in id_map.items()}
    qv, cands, gold = [], [], []
    items = [(qid, text) for qid, text, _ in queries if qrels.get(qid)]
    texts = [query_text(analyze(t, engine.glossary)) for _, t in items]
    vecs = engine.embedder.encode(texts, batch=True)
    st = engine._state
    for (qid, _), q in zip(items, vecs):
        golds = [rev[g] for g in qrels[qid] if g in rev]
        if not golds:
            continue
        hits = engine._vectors.search(q.reshape(1, -1), negatives * 3)[0]
        docs = list(dict.fromkeys([vid // VIEW_SLOTS for vid, _ in hits]))[:negatives]
        docs = [d for d in docs if d not in golds] + golds[:1]
        vids = [d * VIEW_SLOTS + v for d in docs for v in range(_views_of(st.lexical, d))]
        m = engine._vectors.reconstruct(vids)
        qv.append(q)
        cands.append(m)
        gold.append([r for r, vid in enumerate(vids) if vid // VIEW_SLOTS == golds[0]])
    return np.asarray(qv, np.float32), cands, gold


def _views_of(lexical, doc_id: int) -> int:
    """How many vectors the live document ``doc_id`` has in the vector index."""
    loc = lexical.locate(doc_id)
    return int(loc[0].views[loc[1]]) if loc is not None else 0
