"""A low-rank query adapter: one extra dense signal learned from labelled claim pairs.

The embedding model is fixed, but which directions of its space matter for
"is this the same claim" can be learned.  The adapter maps a claim vector to
``normalize(q + (q @ U) @ V.T)`` and the re-ranker uses its cosine with each
shortlisted document's stored view vectors as the ``dense_adapt`` signal.
Documents are never re-embedded and the search itself still uses the raw
vector, so a missing or mismatched adapter only removes one signal.

An adapter belongs to one model (``model_id``); the engine ignores it for any
other model.  ``fit_adapter`` trains it with a softmax over each claim's gold
document and hard negatives (PyTorch, CPU, a few seconds).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Sequence

import numpy as np


@dataclass(frozen=True)
class QueryAdapter:
    model_id: str
    u: np.ndarray  # (dim, rank)
    v: np.ndarray  # (dim, rank)
    meta: dict

    @property
    def dim(self) -> int:
        return int(self.u.shape[0])

    def apply(self, q: np.ndarray) -> np.ndarray:
        q = np.asarray(q, dtype=np.float32).reshape(-1, self.dim)
        out = q + (q @ self.u) @ self.v.T
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms

    def save(self, path: Path) -> None:
        path = Path(path)
        np.savez(path, u=self.u.astype("<f4"), v=self.v.astype("<f4"),
                 meta=np.array(json.dumps({"model_id": self.model_id, **self.meta})))


def load_adapter(model_id: str, path: Path | None = None) -> QueryAdapter | None:
    """The shipped adapter for ``model_id`` (or the one at ``path``); None if there is none."""
    try:
        if path is None:
            ref = resources.files("index") / "data" / "adapter.npz"
            if not ref.is_file():
                return None
            with resources.as_file(ref) as p:
                return _read(p, model_id)
        return _read(Path(path), model_id)
    except (OSError, ValueError, KeyError):
        return None


def _read(path: Path, model_id: str) -> QueryAdapter | None:
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        if meta.get("model_id") != model_id:
            return None
        u, v = np.asarray(z["u"], np.float32), np.asarray(z["v"], np.float32)
    if u.shape != v.shape or u.ndim != 2:
        raise ValueError("adapter matrices have the wrong shape")
    return QueryAdapter(model_id, u, v, {k: meta[k] for k in meta if k != "model_id"})


def fit_adapter(queries: np.ndarray, candidates: Sequence[np.ndarray], gold: Sequence[Sequence[int]], *,
                model_id: str, rank: int = 32, epochs: int = 60, lr: float = 3e-3,
                weight_decay: float = 1e-3, temperature: float = 0.05, seed: int = 0,
                valid: tuple[np.ndarray, Sequence[np.ndarray], Sequence[int]] | None = None
                ) -> QueryAdapter:
    """Train on claims ``queries[i]`` whose candidate vectors are ``candidates[i]``
    (rows; ``gold[i]`` lists the rows of the right document's views, all of which
    count as right).  With ``valid``, keeps the epoch with the best validation top-1
    accuracy."""
    import torch

    torch.manual_seed(seed)
    dim = queries.shape[1]
    u = torch.nn.Parameter(torch.randn(dim, rank) * 0.01)
    v = torch.nn.Parameter(torch.zeros(dim, rank))
    opt = torch.optim.Adam([u, v], lr=lr, weight_decay=weight_decay)
    qs = torch.tensor(np.asarray(queries, np.float32))
    cands = [torch.tensor(np.asarray(c, np.float32)) for c in candidates]

    def adapt(q):
        out = q + (q @ u) @ v.T
        return out / out.norm(dim=-1, keepdim=True).clamp_min(1e-8)

    def accuracy(data) -> float:
        vq, vc, vg = data
        with torch.no_grad():
            a = adapt(torch.tensor(np.asarray(vq, np.float32)))
            hits = [int(int(torch.argmax(torch.tensor(np.asarray(c, np.float32)) @ a[i])) in set(g))
                    for i, (c, g) in enumerate(zip(vc, vg))]
        return float(np.mean(hits)) if hits else 0.0

    best = (accuracy(valid) if valid else -1.0, u.detach().clone(), v.detach().clone(), 0)
    order = np.arange(len(qs))
    rng = np.random.default_rng(seed)
    for epoch in range(1, epochs + 1):
        rng.shuffle(order)
        for start in range(0, len(order), 64):
            idx = order[start:start + 64]
            a = adapt(qs[idx])
            loss = 0.0
            for row, i in enumerate(idx):
                logits = (cands[i] @ a[row]) / temperature
                loss = loss - (torch.logsumexp(logits[list(gold[i])], 0) - torch.logsumexp(logits, 0))
            opt.zero_grad()
            (loss / len(idx)).backward()
            opt.step()
        if valid:
            acc = accuracy(valid)
            if acc > best[0]:
                best = (acc, u.detach().clone(), v.detach().clone(), epoch)
    if not valid:
        best = (0.0, u.detach().clone(), v.detach().clone(), epochs)
    return QueryAdapter(model_id, best[1].numpy().astype(np.float32), best[2].numpy().astype(np.float32),
                        {"rank": rank, "epoch": best[3], "valid_top1": round(best[0], 4)})
