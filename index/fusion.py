"""Fusion: one calibrated score per candidate, tiers, and fitting both from labelled data.

The score is a logistic model over pairwise signals (dense cosine, BM25, concept
overlap, coverage in both directions, character similarity, specifics agreement),
so it reads as a probability that the candidate addresses the claim.  It depends
on the claim and the candidate alone: not on the other candidates, nor on the
collection's size.  Weights live in ``index/data/fusion.json`` (fitted by
``python -m index.fit``: :func:`fit_logistic` on CLEF train and hi-dev, see
docs/MATCHING.md).  Tiers come from :class:`Thresholds`:
``same`` (safe to link automatically), ``related`` (suggest to a human),
otherwise ``none``.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np

from index.errors import DataFileError

TIERS = ("same", "related", "none")


@dataclass(frozen=True)
class Thresholds:
    """Score cut-offs: ``score >= same`` -> same, ``score >= related`` -> related."""

    same: float = 0.9
    related: float = 0.5

    def __post_init__(self) -> None:
        for name in ("same", "related"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or math.isnan(v) or not 0.0 <= v <= 1.0:
                raise ValueError(f"threshold {name} must be a number in [0, 1], got {v!r}")
        if self.related > self.same:
            raise ValueError(f"related threshold {self.related} is above same {self.same}")

    def tier(self, score: float) -> str:
        if score >= self.same:
            return "same"
        if score >= self.related:
            return "related"
        return "none"

    def to_dict(self) -> dict[str, float]:
        return {"same": self.same, "related": self.related}


@dataclass(frozen=True)
class FusionModel:
    """A logistic model: ``sigmoid(bias + sum(w_i * x_i))`` over named features."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    thresholds: Thresholds = field(default_factory=Thresholds)
    meta: dict = field(default_factory=dict, hash=False, compare=False)
    # Second stage (a, bias): sigmoid(a*z + bias) over the first-stage logit z, fitted on
    # held-out logits (Platt scaling).  Still pairwise: no other candidate takes part.
    calib: tuple[float, float] | None = None

    def matrix(self, rows: Sequence[Mapping[str, float]]) -> np.ndarray:
        """Feature matrix for this model; ``"a@b"`` is the product of features a and b."""
        base, left, right = self._layout()
        raw = np.array([[r.get(n, 0.0) for n in base] for r in rows], dtype=np.float64)
        raw = raw.reshape(len(rows), len(base))
        raw[:, 0] = 1.0
        return raw[:, left] * raw[:, right]

    def expand(self, x: np.ndarray, names: Sequence[str]) -> np.ndarray:
        """Model columns from a matrix whose columns are the base features ``names``
        (``"a@b"`` = column a times column b; a feature not in ``names`` is 0)."""
        key = tuple(names)
        cache = self.__dict__.setdefault("_expand_cache", {})
        plan = cache.get(key)
        if plan is None:
            pos = {n: i for i, n in enumerate(key)}
            zero = len(key)        # an all-zero column appended below
            one = len(key) + 1     # an all-one column
            left, right = [], []
            for f in self.features:
                a, b = f.split("@", 1) if "@" in f else (f, None)
                left.append(pos.get(a, zero))
                right.append(one if b is None else pos.get(b, zero))
            plan = cache[key] = (np.array(left), np.array(right))
        x = np.asarray(x, dtype=np.float64)
        full = np.hstack([x, np.zeros((len(x), 1)), np.ones((len(x), 1))])
        return full[:, plan[0]] * full[:, plan[1]]

    def _layout(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Base feature names, and per model column the two base columns it multiplies
        (a plain feature multiplies by a constant-one column)."""
        cached = self.__dict__.get("_layout_cache")
        if cached is None:
            base = ["__one__"]
            pos = {"__one__": 0}
            left, right = [], []
            for f in self.features:
                a, b = f.split("@", 1) if "@" in f else (f, "__one__")
                for n in (a, b):
                    if n not in pos:
                        pos[n] = len(base)
                        base.append(n)
                left.append(pos[a])
                right.append(pos[b])
            cached = (base, np.array(left, dtype=np.int64), np.array(right, dtype=np.int64))
            object.__setattr__(self, "_layout_cache", cached)
        base, left, right = cached
        return base, left, right

    def logits(self, x: np.ndarray) -> np.ndarray:
        """First-stage logits for a ``(n, len(features))`` matrix."""
        return self.bias + np.asarray(x, dtype=np.float64) @ np.asarray(self.weights, dtype=np.float64)

    def score_matrix(self, x: np.ndarray) -> np.ndarray:
        """Calibrated scores, one per row of ``x`` (each row scored on its own)."""
        z = self.logits(x)
        if self.calib is not None and len(z):
            z = self.calibrate(z)
        return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))

    def calibrate(self, z: np.ndarray) -> np.ndarray:
        a, bias = self.calib
        return a * np.asarray(z, dtype=np.float64) + bias

    def contributions(self, feats: Mapping[str, float]) -> dict[str, float]:
        out: dict[str, float] = {}
        for f, w in zip(self.features, self.weights):
            base = f.split("@", 1)[0]
            out[base] = out.get(base, 0.0) + w * feature_value(feats, f)
        return out

    def to_dict(self) -> dict:
        return {"features": list(self.features), "weights": [round(w, 6) for w in self.weights],
                "bias": round(self.bias, 6),
                "calib": [round(v, 6) for v in self.calib] if self.calib else None,
                "thresholds": self.thresholds.to_dict(), "meta": self.meta}

    @classmethod
    def from_dict(cls, d: Mapping) -> "FusionModel":
        try:
            th = d.get("thresholds") or {}
            calib = d.get("calib")
            if calib is not None and len(calib) != 2:
                raise ValueError("calib needs 2 numbers (a, bias)")
            if len(d["features"]) != len(d["weights"]):
                raise ValueError("features and weights differ in length")
            return cls(tuple(d["features"]), tuple(float(w) for w in d["weights"]), float(d["bias"]),
                       Thresholds(float(th.get("same", 0.9)), float(th.get("related", 0.5))),
                       dict(d.get("meta") or {}),
                       tuple(float(v) for v in calib) if calib is not None else None)
        except (KeyError, TypeError, ValueError) as exc:
            raise DataFileError(f"bad fusion model: {exc}") from exc

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n",
                              encoding="utf-8")


def load_model(path: Path | None = None) -> FusionModel:
    """The shipped fusion weights (``index/data/fusion.json``) or those at ``path``."""
    if path is None:
        text = (resources.files("index") / "data" / "fusion.json").read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return FusionModel.from_dict(json.loads(text))


def feature_value(row: Mapping[str, float], name: str) -> float:
    if "@" in name:
        base, cond = name.split("@", 1)
        return float(row.get(base, 0.0)) * float(row.get(cond, 0.0))
    return float(row.get(name, 0.0))


def feature_matrix(rows: Sequence[Mapping[str, float]], names: Sequence[str]) -> np.ndarray:
    return np.array([[feature_value(r, n) for n in names] for r in rows], dtype=np.float64) \
        .reshape(len(rows), len(names))


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def fit_logistic(x: np.ndarray, y: np.ndarray, features: Sequence[str], *, l2: float = 1.0,
                 sample_weight: np.ndarray | None = None, iters: int = 50) -> FusionModel:
    """L2-regularised logistic regression by Newton's method (IRLS); the bias is not penalised."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, d = x.shape
    sw = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    xb = np.hstack([x, np.ones((n, 1))])
    w = np.zeros(d + 1)
    reg = np.full(d + 1, l2)
    reg[-1] = 0.0
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(xb @ w, -40, 40)))
        g = xb.T @ (sw * (p - y)) + reg * w
        h = (xb * (sw * p * (1 - p))[:, None]).T @ xb + np.diag(reg) + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(h, g)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return FusionModel(tuple(features), tuple(float(v) for v in w[:-1]), float(w[-1]))


def label_kind(label: object) -> str:
    """Map a label to same / related / none."""
    if isinstance(label, bool):
        return "same" if label else "none"
    if isinstance(label, (int, float)):
        return "same" if label >= 1 else "none"
    s = str(label).strip().lower()
    if s in ("same", "1", "true", "yes", "match", "linked", "duplicate"):
        return "same"
    if s in ("related", "suggest", "suggested", "partial"):
        return "related"
    if s in ("none", "0", "false", "no", "no_match", "rejected", "unrelated"):
        return "none"
    raise ValueError(f"unknown label {label!r} (use same, related or none)")


def fit_thresholds(pairs: Iterable[tuple[float, object]], *, same_precision: float = 0.95,
                   min_same_support: int = 3) -> Thresholds:
    """Fit ``Thresholds`` from labelled ``(score, label)`` pairs.

    Labels are ``same``/``related``/``none`` (or booleans/0-1: true means same).
    ``same`` is the lowest score at which pairs scoring at least that much are
    ``same`` with precision >= ``same_precision`` (and at least
    ``min_same_support`` of them); if no such score exists, 1.0 (never link
    automatically).  ``related`` maximises balanced accuracy between pairs
    labelled same or related and pairs labelled none (ties: the lower score),
    and is capped at ``same``.
    """
    data = [(float(s), label_kind(lab)) for s, lab in pairs]
    if not data:
        raise ValueError("no labelled pairs to fit thresholds on")
    for s, _ in data:
        if math.isnan(s) or not 0.0 <= s <= 1.0:
            raise ValueError(f"score {s} is not in [0, 1]")
    scores = np.array([s for s, _ in data])
    is_same = np.array([lab == "same" for _, lab in data])
    is_pos = np.array([lab != "none" for _, lab in data])
    cands = np.unique(scores)

    same_t = 1.0
    for t in cands:  # ascending: the first that reaches the precision wins
        sel = scores >= t
        if sel.sum() >= min_same_support and is_same[sel].mean() >= same_precision:
            same_t = float(t)
            break

    n_pos, n_neg = int(is_pos.sum()), int((~is_pos).sum())
    if n_pos == 0 or n_neg == 0:
        related_t = min(same_t, float(cands.min()) if n_pos else same_t)
    else:
        best, related_t = -1.0, same_t
        # Midpoints between neighbouring scores generalise better than the scores themselves.
        edges = np.concatenate([cands[:1], (cands[:-1] + cands[1:]) / 2, cands[-1:] + 1e-9])
        for t in edges:
            tpr = (scores[is_pos] >= t).mean()
            tnr = (scores[~is_pos] < t).mean()
            bal = (tpr + tnr) / 2
            if bal > best + 1e-12:
                best, related_t = bal, float(t)
        related_t = min(related_t, same_t, 1.0)
    return Thresholds(same=round(same_t, 4), related=round(min(related_t, same_t), 4))
