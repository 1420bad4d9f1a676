"""The matching engine: one collection of documents, matched against incoming claims.

``MatchEngine`` combines a dense retriever (FAISS over several *views* of
each document: the cleaned text, its English pivot and, for multi-line
documents, the first line) with BM25 over folded tokens, glossary concepts
and specifics; the union of both shortlists is re-ranked by a logistic
fusion model whose output is a calibrated score in [0, 1] and a tier.

Concurrency: the per-document data and the BM25 index live in one immutable
``_State`` that updates replace with a single reference swap; the vector
index swaps on its own (see ``index.vectors``).  Results are filtered against
the state current at the *end* of a match, so an id whose ``remove`` returned
before that point is never returned.
"""
from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np

from index.adapter import QueryAdapter, load_adapter
from index.analysis import Analysis, analyze
from index.background import Background, load_background
from index.cache import EmbeddingCache, content_hash
from index.errors import BadInput
from index.fusion import FusionModel, Thresholds, load_model
from index.fuzzy import char_ngrams
from index.glossary import Glossary, load_glossary
from index.lexical import LexicalIndex
from index.rerank import (FEATURES, DocInfo, Explanation, QueryInfo, explain, features_for,
                          near_top_ids)
from index.vectors import VectorIndex

__all__ = ["MatchEngine", "Doc", "Candidate", "Explanation", "Thresholds"]

Progress = Callable[[int, int], None]
VIEW_SLOTS = 4            # vector id = doc id * VIEW_SLOTS + view
MAX_DOC_ID = (1 << 62) // VIEW_SLOTS
MAX_TEXT_CHARS = 20_000
DENSE_K = 50
BM25_K = 50
# Each retriever contributes its top SHORTLIST_DEPTH to the re-ranked shortlist (15 and 30
# gave identical hi-dev and CLEF-dev results; 15 halves the re-ranking work).
SHORTLIST_DEPTH = 15
ENCODE_BATCH = 256


@dataclass(frozen=True)
class Doc:
    """A document to index: ``id`` is a stable int64 chosen by the caller."""

    id: int
    text: str
    kind: str = "fact"
    lang: str | None = None


@dataclass
class Candidate:
    id: int
    kind: str
    score: float
    tier: str
    signals: dict[str, float]
    explanation: Explanation


@dataclass(frozen=True)
class _State:
    docs: Mapping[int, DocInfo]
    terms: Mapping[int, tuple[str, ...]]
    lexical: LexicalIndex
    watermark: int


def doc_views(an: Analysis) -> list[str]:
    """Texts embedded for one document (at most ``VIEW_SLOTS``)."""
    views = [an.dense_text]
    if an.norm.lang != "en" and an.pivot and an.pivot != an.dense_text.lower():
        views.append(an.pivot)
    # Multi-line documents (a claim and its headline, say) are also matched line by line.
    lines = [ln.strip() for ln in an.norm.display.splitlines() if ln.strip()]
    if len(lines) > 1:
        views.extend(lines[: VIEW_SLOTS - len(views)])
    return [v for v in views if v][:VIEW_SLOTS] or [an.norm.display[:1000] or " "]


def query_text(an: Analysis) -> str:
    """The one text encoded for a claim: the English pivot unless the claim is English."""
    return an.dense_text if an.norm.lang == "en" else (an.pivot or an.dense_text)


# -- persistence: one small seam, so the storage format can change in one place ----------

def _save_vectors(vectors: VectorIndex, directory: Path, *, model_id: str, watermark: int,
                  checksum: str, docs: int) -> None:
    vectors.save(directory, model_id=model_id, watermark=watermark,
                 extra={"docs_checksum": checksum, "docs": docs, "view_slots": VIEW_SLOTS})


def _load_vectors(directory: Path, *, model_id: str, dim: int):
    """``(VectorIndex, manifest)`` or ``(None, reason)``."""
    res = VectorIndex.load(directory, model_id=model_id, dim=dim)
    if not res.ok:
        return None, (res.reason.value if res.reason else "missing")
    return res.index, res.manifest


class MatchEngine:
    """One collection (e.g. the library of facts and rebuttals) and its matcher."""

    def __init__(self, embedder, *, thresholds: Thresholds | None = None,
                 glossary: Glossary | None = None, cache: EmbeddingCache | None = None,
                 store_dir: Path | None = None, model: FusionModel | None = None,
                 adapter: QueryAdapter | None | bool = True, max_text_chars: int = MAX_TEXT_CHARS,
                 background: Background | None = None):
        self.embedder = embedder
        self.glossary = glossary if glossary is not None else load_glossary()
        self.cache = cache
        self.store_dir = Path(store_dir) if store_dir is not None else None
        self.model = model if model is not None else load_model()
        self._thresholds = thresholds if thresholds is not None else self.model.thresholds
        self.max_text_chars = int(max_text_chars)
        self._write = threading.Lock()
        self._vectors: VectorIndex | None = None
        self.background = (background if background is not None else load_background()) \
            .with_glossary(self.glossary.phrases)
        self._state = _State({}, {}, LexicalIndex(background=self.background), 0)
        self._gloss = {cid: c.gloss for cid, c in self.glossary.concepts.items()}
        # True: the shipped adapter if it was trained for this model; False/None: none.
        if adapter is True:
            adapter = load_adapter(self.model_id)
        self.adapter = adapter if isinstance(adapter, QueryAdapter) and \
            adapter.model_id == self.model_id else None

    # -- properties ---------------------------------------------------------------

    @property
    def model_id(self) -> str:
        return str(self.embedder.model_id)

    @property
    def thresholds(self) -> Thresholds:
        return self._thresholds

    @thresholds.setter
    def thresholds(self, value: Thresholds) -> None:
        if not isinstance(value, Thresholds):
            raise TypeError("thresholds must be a Thresholds(same, related)")
        self._thresholds = value

    @property
    def watermark(self) -> int:
        return self._state.watermark

    def __len__(self) -> int:
        return len(self._state.docs)

    def ids(self) -> set[int]:
        return set(self._state.docs)

    # -- building -----------------------------------------------------------------

    def _check_docs(self, docs: Iterable[Doc]) -> list[Doc]:
        out, seen = [], set()
        for d in docs:
            if not isinstance(d, Doc):
                raise BadInput(f"expected Doc, got {type(d).__name__}")
            if not isinstance(d.id, (int, np.integer)) or isinstance(d.id, bool) \
                    or not 0 <= int(d.id) < MAX_DOC_ID:
                raise BadInput(f"document id must be an int in [0, {MAX_DOC_ID}), got {d.id!r}")
            if int(d.id) in seen:
                raise BadInput(f"document id {d.id} appears twice")
            seen.add(int(d.id))
            self._check_text(d.text, what=f"document {d.id}")
            out.append(d)
        return out

    def _check_text(self, text: object, *, what: str = "claim") -> str:
        if not isinstance(text, str):
            raise BadInput(f"{what}: text must be a string, got {type(text).__name__}")
        if not text.strip():
            raise BadInput(f"{what}: text is empty")
        if len(text) > self.max_text_chars:
            raise BadInput(f"{what}: text has {len(text)} characters, the limit is {self.max_text_chars}")
        return text

    def _prepare(self, docs: Sequence[Doc]) -> tuple[dict[int, DocInfo], dict[int, tuple[str, ...]],
                                                    list[tuple[int, str]]]:
        infos: dict[int, DocInfo] = {}
        terms: dict[int, tuple[str, ...]] = {}
        views: list[tuple[int, str]] = []
        for d in docs:
            an = analyze(d.text, self.glossary)
            vs = doc_views(an)
            h = hashlib.sha256("\x1f".join(vs).encode("utf-8")).hexdigest()[:16]
            infos[int(d.id)] = DocInfo(d.kind, d.lang or an.norm.lang, an.norm.script, an.key,
                                       an.concepts, an.specifics, h, len(vs))
            terms[int(d.id)] = an.terms
            views.extend((int(d.id) * VIEW_SLOTS + v, text) for v, text in enumerate(vs))
        return infos, terms, views

    def _embed(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Encode through the cache, in batches, reporting progress."""
        n = len(texts)
        dim = int(self.embedder.dim)
        out = np.zeros((n, dim), dtype=np.float32)
        hashes = [content_hash(t) for t in texts]
        cached = self.cache.get_many(self.model_id, list(dict.fromkeys(hashes))) if self.cache else {}
        missing = [i for i, h in enumerate(hashes) if h not in cached]
        for i, h in enumerate(hashes):
            if h in cached:
                out[i] = cached[h]
        done = n - len(missing)
        if progress:
            progress(done, n)
        for start in range(0, len(missing), ENCODE_BATCH):
            idx = missing[start:start + ENCODE_BATCH]
            vecs = self.embedder.encode([texts[i] for i in idx], batch=True)
            out[idx] = vecs
            if self.cache is not None:
                self.cache.put_many(self.model_id, {hashes[i]: out[i] for i in idx})
            done += len(idx)
            if progress:
                progress(done, n)
        return out

    @staticmethod
    def _checksum(docs: Mapping[int, DocInfo]) -> str:
        h = hashlib.sha256()
        for i in sorted(docs):
            h.update(f"{i}:{docs[i].content};".encode())
        return h.hexdigest()

    def rebuild(self, docs: Iterable[Doc], *, watermark: int = 0, progress: Progress | None = None) -> None:
        """Index ``docs`` from scratch (embedding through the cache) and save if persistent."""
        docs = self._check_docs(docs)
        with self._write:
            infos, terms, views = self._prepare(docs)
            vecs = self._embed([t for _, t in views], progress)
            vectors = VectorIndex(int(self.embedder.dim))
            vectors.build([i for i, _ in views], vecs)
            lexical = LexicalIndex.build(terms.items(), background=self.background)
            self._vectors = vectors
            self._state = _State(infos, terms, lexical, int(watermark))
            self._save_locked()

    def open(self, docs: Iterable[Doc], *, watermark: int = 0, progress: Progress | None = None) -> str:
        """Load persisted vectors if they match ``docs`` and the model; otherwise rebuild.

        Returns ``"loaded"`` or ``"rebuilt"``.
        """
        docs = self._check_docs(docs)
        if self.store_dir is not None:
            with self._write:
                infos, terms, views = self._prepare(docs)
                vectors, manifest = _load_vectors(self.store_dir, model_id=self.model_id,
                                                  dim=int(self.embedder.dim))
                if vectors is not None:
                    extra = getattr(manifest, "extra", {}) or {}
                    if (extra.get("docs_checksum") == self._checksum(infos)
                            and int(manifest.watermark) == int(watermark)
                            and int(manifest.count) == len(views)
                            and extra.get("view_slots") == VIEW_SLOTS):
                        self._vectors = vectors
                        self._state = _State(infos, terms, LexicalIndex.build(terms.items(), background=self.background),
                                             int(watermark))
                        if progress:
                            progress(len(views), len(views))
                        return "loaded"
        self.rebuild(docs, watermark=watermark, progress=progress)
        return "rebuilt"

    def upsert(self, docs: Iterable[Doc], *, watermark: int | None = None) -> None:
        """Add or replace documents; searches keep running on the previous snapshot meanwhile."""
        docs = self._check_docs(docs)
        if not docs:
            return
        with self._write:
            infos, terms, views = self._prepare(docs)
            vecs = self._embed([t for _, t in views])
            if self._vectors is None:
                self._vectors = VectorIndex(int(self.embedder.dim))
            old = self._state
            stale = [i * VIEW_SLOTS + v for i in infos if i in old.docs for v in range(VIEW_SLOTS)]
            new_docs = dict(old.docs)
            new_docs.update(infos)
            new_terms = dict(old.terms)
            new_terms.update(terms)
            lexical = old.lexical.with_changes(terms)
            if lexical.needs_compaction():
                lexical = LexicalIndex.build(new_terms.items(), background=self.background)
            # Vectors first for new ids (not yet visible: the state does not list them),
            # then the state swap makes them visible at once.
            if stale:
                self._vectors.remove(stale)
            self._vectors.add([i for i, _ in views], vecs)
            self._state = _State(new_docs, new_terms, lexical,
                                 old.watermark if watermark is None else int(watermark))
            self._save_locked()

    def remove(self, ids: Iterable[int], *, watermark: int | None = None) -> None:
        """Delete documents; unknown ids are ignored."""
        ids = [int(i) for i in ids]
        with self._write:
            old = self._state
            gone = [i for i in ids if i in old.docs]
            new_docs = {k: v for k, v in old.docs.items() if k not in set(gone)}
            new_terms = {k: v for k, v in old.terms.items() if k not in set(gone)}
            lexical = old.lexical.with_changes({}, gone)
            if lexical.needs_compaction():
                lexical = LexicalIndex.build(new_terms.items(), background=self.background)
            # State first: from here on no search returns these ids.
            self._state = _State(new_docs, new_terms, lexical,
                                 old.watermark if watermark is None else int(watermark))
            if self._vectors is not None and gone:
                self._vectors.remove([i * VIEW_SLOTS + v for i in gone for v in range(VIEW_SLOTS)])
            self._save_locked()

    def save(self) -> None:
        with self._write:
            self._save_locked()

    def _save_locked(self) -> None:
        if self.store_dir is None or self._vectors is None:
            return
        st = self._state
        _save_vectors(self._vectors, self.store_dir, model_id=self.model_id,
                      watermark=st.watermark, checksum=self._checksum(st.docs), docs=len(st.docs))

    # -- matching -----------------------------------------------------------------

    def match(self, text: str, *, k: int = 10, kinds: Iterable[str] | None = None,
              exclude: Iterable[int] = (), include_none: bool = False) -> list[Candidate]:
        """Candidates for one claim, best first (tier ``none`` dropped unless asked for)."""
        self._check_text(text)
        an = analyze(text, self.glossary)
        qvec = self.embedder.encode([query_text(an)])
        return self._match_one(an, qvec[0], k=k, kinds=kinds, exclude=exclude,
                               include_none=include_none)

    def match_many(self, texts: Sequence[str], *, k: int = 10, kinds: Iterable[str] | None = None,
                   include_none: bool = False) -> list[list[Candidate]]:
        """``match`` for many claims with one batched encode."""
        texts = list(texts)
        for t in texts:
            self._check_text(t)
        ans = [analyze(t, self.glossary) for t in texts]
        if not ans:
            return []
        qvecs = self.embedder.encode([query_text(a) for a in ans], batch=True)
        return [self._match_one(a, v, k=k, kinds=kinds, exclude=(), include_none=include_none)
                for a, v in zip(ans, qvecs)]

    def score_candidates(self, text: str, *,
                         depth: int = SHORTLIST_DEPTH) -> list[tuple[int, dict[str, float]]]:
        """Shortlist and raw features, without fusion (for fitting the fusion model)."""
        self._check_text(text)
        an = analyze(text, self.glossary)
        qvec = self.embedder.encode([query_text(an)])[0]
        return self._shortlist(an, qvec, kinds=None, exclude=(), depth=depth)[0]

    def score_candidates_many(self, texts: Sequence[str], *, depth: int = SHORTLIST_DEPTH
                              ) -> list[list[tuple[int, dict[str, float]]]]:
        """``score_candidates`` for many claims with one batched encode."""
        texts = list(texts)
        for t in texts:
            self._check_text(t)
        ans = [analyze(t, self.glossary) for t in texts]
        if not ans:
            return []
        qvecs = self.embedder.encode([query_text(a) for a in ans], batch=True)
        return [self._shortlist(a, v, kinds=None, exclude=(), depth=depth)[0]
                for a, v in zip(ans, qvecs)]

    def _shortlist(self, an: Analysis, qvec: np.ndarray, *, kinds, exclude, depth: int):
        st = self._state
        kind_set = set(kinds) if kinds is not None else None
        excl = set(int(i) for i in exclude)
        dense: dict[int, float] = {}
        if self._vectors is not None and len(self._vectors):
            hits = self._vectors.search(qvec.reshape(1, -1), DENSE_K * 2)[0]
            for vid, s in hits:
                did = vid // VIEW_SLOTS
                if s > dense.get(did, -2.0):
                    dense[did] = s
        bm25 = dict(st.lexical.search(an.terms, BM25_K))

        def ok(i: int) -> bool:
            info = st.docs.get(i)
            return info is not None and i not in excl and (kind_set is None or info.kind in kind_set)

        top_dense = [i for i, _ in sorted(dense.items(), key=lambda kv: -kv[1]) if ok(i)][:depth]
        top_bm = [i for i, _ in sorted(bm25.items(), key=lambda kv: -kv[1]) if ok(i)][:depth]
        ids = list(dict.fromkeys(top_dense + top_bm))
        idf_cache: dict[str, float] = {}

        def idf_of(t: str) -> float:
            v = idf_cache.get(t)
            if v is None:
                v = idf_cache[t] = st.lexical.idf(t)
            return v

        term_idf = {t: idf_of(t) for t in dict.fromkeys(an.terms)}
        q = QueryInfo(an.key, an.norm.script, an.norm.lang, an.concepts, an.specifics, char_ngrams(an.key),
                      sum(term_idf.values()) or 1.0, term_idf)
        cands = [(i, st.docs[i]) for i in ids]
        near = near_top_ids({i: dense[i] for i in top_dense}, {i: bm25[i] for i in top_bm})
        # Every candidate's own cosine (a BM25-only candidate was not among the dense hits).
        cos, adapted = self._pair_scores(qvec, cands)
        for i in ids:
            if i not in cos and i in dense:
                cos[i] = dense[i]
        feats, comps = features_for(q, cands, cos, st.terms, idf_of, st.lexical.avgdl, adapted, near)
        return list(zip(ids, feats)), cands, comps, q

    def _pair_scores(self, qvec: np.ndarray, cands: Sequence[tuple[int, DocInfo]]
                     ) -> tuple[dict[int, float], dict[int, float] | None]:
        """Cosine of the claim (and of the adapted claim) with each candidate's best view."""
        vectors = self._vectors
        if vectors is None or not cands:
            return {}, None
        vids = [i * VIEW_SLOTS + v for i, info in cands for v in range(info.views)]
        try:
            vecs = vectors.reconstruct(vids)
        except KeyError:  # a concurrent removal: score what the search saw
            return {}, None
        qs = [qvec] if self.adapter is None else [qvec, self.adapter.apply(qvec)[0]]
        sims = vecs @ np.stack(qs).T
        outs: list[dict[int, float]] = [{} for _ in qs]
        for row, vid in enumerate(vids):
            did = vid // VIEW_SLOTS
            for k, out in enumerate(outs):
                s = float(sims[row, k])
                if s > out.get(did, -2.0):
                    out[did] = s
        return outs[0], (outs[1] if len(outs) > 1 else None)

    def _match_one(self, an: Analysis, qvec: np.ndarray, *, k: int, kinds, exclude,
                   include_none: bool) -> list[Candidate]:
        if k <= 0:
            return []
        pairs, cands, comps, q = self._shortlist(an, qvec, kinds=kinds, exclude=exclude,
                                                 depth=max(k, SHORTLIST_DEPTH))
        if not pairs:
            return []
        scores = self.model.score_matrix(self.model.matrix([f for _, f in pairs]))
        order = np.argsort(-scores, kind="stable")
        th = self._thresholds
        live = self._state.docs  # re-read: ids removed meanwhile must not be returned
        out: list[Candidate] = []
        for j in order:
            doc_id, feats = pairs[j]
            if doc_id not in live:
                continue
            score = float(scores[j])
            tier = th.tier(score)
            if tier == "none" and not include_none:
                continue
            info = cands[j][1]
            contrib = self.model.contributions(feats)
            exp = explain(q, info, feats, comps[j], contrib, score, tier, self._gloss)
            out.append(Candidate(int(doc_id), info.kind, round(score, 6), tier,
                                 {n: round(float(feats[n]), 6) for n in FEATURES}, exp))
            if len(out) >= k:
                break
        return out
