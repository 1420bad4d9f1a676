"""The matching engine: one collection of documents, matched against incoming claims.

``MatchEngine`` combines a dense retriever (FAISS over several *views* of
each document: the cleaned text, its English pivot and, for multi-line
documents, each line) with BM25 over folded tokens, glossary concepts
and specifics; the union of both shortlists is re-ranked by a logistic
fusion model whose output is a calibrated score in [0, 1] and a tier.

State: the per-document analysis and the BM25 index live in one immutable
snapshot of flat arrays (``index.lexical``, ``index.segment``); updates build a new
snapshot and swap one reference, so searches never see a half-made one.  The
vector index updates in place under its own readers-writer lock (``index.vectors``).
Results are filtered against the snapshot current at the *end* of a match, so an
id whose ``remove`` returned before that point is never returned.

Persistence: the vector index, the lexical snapshot (``index.snapshot``) and one
manifest (model, dimension, count, watermark, checksums of both files, the analysis
version and the glossary and background fingerprints) are saved together after a
rebuild and then at most every ``save_every`` changes or ``save_interval`` seconds
(and on ``flush``).  ``load`` restores the saved state at its watermark; the caller
replays newer changes (the desk reads them from SQLite) instead of rebuilding.
"""
from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np

from index.adapter import QueryAdapter, load_adapter
from index.analysis import Analysis, analyze
from index.background import Background, load_background
from index.cache import EmbeddingCache, content_hash
from index.errors import BadInput
from index.fusion import FusionModel, Thresholds, load_model
from index.fuzzy import key_grams
from index.glossary import Glossary, load_glossary
from index.lexical import LexicalIndex
from index.persist import IndexWriteError, describe_os_error
from index.rerank import (FEATURES, Explanation, QueryInfo, Shortlist, doc_view,
                          explain_candidate, near_top_ids, pair_features)
from index.segment import Segment, SegmentBuilder
from index.snapshot import SnapshotError, read_snapshot, write_snapshot
from index.vectors import VectorIndex
from index.vocab import Vocab

__all__ = ["MatchEngine", "Doc", "Candidate", "Explanation", "Thresholds"]

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
VIEW_SLOTS = 4            # vector id = doc id * VIEW_SLOTS + view
MAX_DOC_ID = (1 << 62) // VIEW_SLOTS
MAX_TEXT_CHARS = 20_000
DENSE_K = 50
BM25_K = 50
# Each retriever contributes its top SHORTLIST_DEPTH to the re-ranked shortlist (15 and 30
# gave identical hi-dev and CLEF-dev results; 15 halves the re-ranking work).
SHORTLIST_DEPTH = 15
# Texts handed to the embedder per bulk call.  It sorts each call's texts by length
# before batching, so a larger call pads less: bf16 ingest of short claims ran at 320
# claims/s in calls of 256, 397 in calls of 1,024 and 410 in calls of 2,048
# (python -m benchmarks encode).  Progress is reported after each call.
ENCODE_BATCH = 2048
BUILD_CHUNK = 8192        # documents analysed and embedded per step of a rebuild
# Bump when normalisation, analysis or the snapshot layout change: saved snapshots
# made by another version are rebuilt, never misread.
ANALYSIS_VERSION = 1
SAVE_EVERY = 2_000        # changes
SAVE_INTERVAL = 60.0      # seconds
SCRIPTS = ("none", "Deva", "Latn", "mixed")
GRAM_CACHE_MAX = 200_000
LEXICAL_PREFIX = "lexical."
ENGINE_LOCK = ".engine.lock"


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
    lexical: LexicalIndex
    watermark: int


class _Labels:
    """Append-only string <-> small int table (document kinds, languages)."""

    def __init__(self, values: Sequence[str] = ()):
        self.values: list[str] = []
        self.codes: dict[str, int] = {}
        for v in values:
            self.code(v)

    def code(self, value: str) -> int:
        c = self.codes.get(value)
        if c is None:
            if len(self.values) >= 32_000:
                raise BadInput("too many distinct document kinds or languages")
            c = len(self.values)
            self.values.append(value)
            self.codes[value] = c
        return c

    def get(self, value: str) -> int:
        return self.codes.get(value, -1)

    def __getitem__(self, code: int) -> str:
        return self.values[code]


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


def doc_hash(doc: Doc) -> int:
    """64-bit hash of what a document is (text, kind, language)."""
    raw = f"{doc.kind}\x1f{doc.lang or ''}\x1f{doc.text}".encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "little")


def glossary_fingerprint(g: Glossary) -> str:
    h = hashlib.sha256()
    for cid in sorted(g.concepts):
        c = g.concepts[cid]
        h.update(f"{c.id}\x1f{c.type}\x1f{c.gloss}\x1f{c.state}\n".encode())
    for phrase in sorted(g.phrases):
        h.update(("\x1f".join(phrase) + "=" + ",".join(sorted(g.phrases[phrase])) + "\n").encode())
    for phrase in sorted(g.caps_only):
        h.update(("caps:" + "\x1f".join(phrase) + "\n").encode())
    return h.hexdigest()[:32]


def background_fingerprint(bg: Background) -> str:
    h = hashlib.sha256()
    for term in sorted(bg.zipf):
        h.update(f"{term}\t{bg.zipf[term]:.4f}\n".encode())
    h.update(repr(sorted(bg.concepts.items())).encode())
    return h.hexdigest()[:32]


def _spill(chunks: Iterable[tuple[np.ndarray, np.ndarray]], fh) -> list[tuple[int, int]]:
    """Write ``(ids, vecs)`` chunks to ``fh``; returns each chunk's (offset, count)."""
    layout = []
    for ids, vecs in chunks:
        layout.append((fh.tell(), len(ids)))
        fh.write(np.ascontiguousarray(ids, "<i8").tobytes())
        fh.write(np.ascontiguousarray(vecs, "<f4").tobytes())
    fh.flush()
    return layout


def _unspill(fh, layout: Sequence[tuple[int, int]], dim: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The chunks ``_spill`` wrote, read back one at a time."""
    for offset, n in layout:
        fh.seek(offset)
        ids = np.empty(n, "<i8")
        vecs = np.empty((n, dim), "<f4")
        for buf in (ids, vecs):
            view = memoryview(buf).cast("B")
            if fh.readinto(view) != len(view):
                raise IndexWriteError("the rebuild's temporary vector file was cut short")
        yield ids, vecs


@contextlib.contextmanager
def _engine_lock(directory: Path) -> Iterator[None]:
    """Serialise whole-engine saves across processes (the vector index has its own lock)."""
    fd = os.open(directory / ENGINE_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


class MatchEngine:
    """One collection (e.g. the library of facts and rebuttals) and its matcher."""

    def __init__(self, embedder, *, thresholds: Thresholds | None = None,
                 glossary: Glossary | None = None, cache: EmbeddingCache | None = None,
                 store_dir: Path | None = None, model: FusionModel | None = None,
                 adapter: QueryAdapter | None | bool = True, max_text_chars: int = MAX_TEXT_CHARS,
                 background: Background | None = None, save_every: int = SAVE_EVERY,
                 save_interval: float = SAVE_INTERVAL):
        self.embedder = embedder
        self.glossary = glossary if glossary is not None else load_glossary()
        self.cache = cache
        self.store_dir = Path(store_dir) if store_dir is not None else None
        self.model = model if model is not None else load_model()
        self._thresholds = thresholds if thresholds is not None else self.model.thresholds
        self.max_text_chars = int(max_text_chars)
        self.save_every = int(save_every)
        self.save_interval = float(save_interval)
        self._write = threading.Lock()
        self._vectors: VectorIndex | None = None
        if background is None:
            background = load_background()
        if not background.concepts:
            background = background.with_glossary(self.glossary.phrases)
        self.background = background
        self._kinds = _Labels()
        self._langs = _Labels(("hi", "hi-Latn", "en", "mixed"))
        self._state = _State(LexicalIndex(Vocab(background, self.glossary)), 0)
        self._gloss = {cid: c.gloss for cid, c in self.glossary.concepts.items()}
        self._fingerprints: dict[str, str] | None = None
        self._grams: dict[str, frozenset[str]] = {}
        #: Saved with the state and required by ``load``: the owner's name for where the
        #: documents came from (the desk uses its index epoch, which a restore changes).
        self.source_tag = ""
        self._unsaved = 0
        self._last_save = time.monotonic()
        #: Why the last ``load`` found nothing usable ("" after a successful load).
        self.load_reason = ""
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
        return len(self._state.lexical)

    def ids(self) -> set[int]:
        return set(self._state.lexical.id_array().tolist())

    @property
    def vocab(self) -> Vocab:
        return self._state.lexical.vocab

    @property
    def unsaved_changes(self) -> int:
        """Documents upserted or removed since the state was last saved."""
        return self._unsaved

    # -- input checks ---------------------------------------------------------------

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
            if not isinstance(d.kind, str) or (d.lang is not None and not isinstance(d.lang, str)):
                raise BadInput(f"document {d.id}: kind and lang must be strings")
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

    # -- analysis and embedding -------------------------------------------------------

    def _analyse_into(self, builder: SegmentBuilder, vocab: Vocab, docs: Sequence[Doc],
                      views: list[tuple[int, str]]) -> None:
        """Analyse ``docs`` into ``builder`` rows; their views go to ``views``."""
        for d in docs:
            an = analyze(d.text, self.glossary)
            vs = doc_views(an)
            counts: dict[str, int] = {}
            for t in an.terms:
                counts[t] = counts.get(t, 0) + 1
            builder.add(int(d.id), kind=self._kinds.code(d.kind),
                        lang=self._langs.code(d.lang or an.norm.lang),
                        script=SCRIPTS.index(an.norm.script) if an.norm.script in SCRIPTS else 0,
                        views=len(vs), content=doc_hash(d), key=an.key,
                        term_ids=vocab.ids(list(counts)), term_tf=list(counts.values()),
                        dl=len(an.terms))
            views.extend((int(d.id) * VIEW_SLOTS + v, text) for v, text in enumerate(vs))

    def _embed(self, texts: Sequence[str], progress: Progress | None = None,
               done: int = 0, total: int | None = None) -> np.ndarray:
        """Encode through the cache, in batches, reporting progress."""
        n = len(texts)
        total = n if total is None else total
        dim = int(self.embedder.dim)
        out = np.zeros((n, dim), dtype=np.float32)
        hashes = [content_hash(t) for t in texts]
        cached = self.cache.get_many(self.model_id, list(dict.fromkeys(hashes))) if self.cache else {}
        missing = [i for i, h in enumerate(hashes) if h not in cached]
        for i, h in enumerate(hashes):
            if h in cached:
                out[i] = cached[h]
        done += n - len(missing)
        if progress:
            progress(min(done, total), total)
        for start in range(0, len(missing), ENCODE_BATCH):
            idx = missing[start:start + ENCODE_BATCH]
            vecs = self.embedder.encode([texts[i] for i in idx], batch=True)
            out[idx] = vecs
            if self.cache is not None:
                self.cache.put_many(self.model_id, {hashes[i]: out[i] for i in idx})
            done += len(idx)
            if progress:
                progress(min(done, total), total)
        return out

    # -- building -----------------------------------------------------------------

    def rebuild(self, docs: Iterable[Doc], *, watermark: int = 0, progress: Progress | None = None) -> None:
        """Index ``docs`` from scratch (embedding through the cache) and save if persistent.

        Documents are analysed and embedded in chunks that stream into the vector
        index, so memory holds the compact analysis and one chunk of vectors, never a
        matrix of every vector.
        """
        docs = self._check_docs(docs)
        with self._write:
            vocab = Vocab(self.background, self.glossary)
            builder = SegmentBuilder()
            vectors = VectorIndex(int(self.embedder.dim))
            state = {"done": 0, "total": 0}
            first: list[tuple[int, str]] = []
            self._analyse_into(builder, vocab, docs[:BUILD_CHUNK], first)
            # Views per document in the first chunk predict the total (it picks exact vs IVF).
            per_doc = len(first) / max(min(len(docs), BUILD_CHUNK), 1)
            state["total"] = len(first) if len(docs) <= BUILD_CHUNK else int(per_doc * len(docs))

            def chunks() -> Iterator[tuple[np.ndarray, np.ndarray]]:
                pending = first
                for start in range(BUILD_CHUNK, len(docs) + BUILD_CHUNK, BUILD_CHUNK):
                    if pending:
                        vecs = self._embed([t for _, t in pending], progress, state["done"],
                                           max(state["total"], state["done"] + len(pending)))
                        state["done"] += len(pending)
                        yield np.fromiter((i for i, _ in pending), np.int64, len(pending)), vecs
                    pending = []
                    if start < len(docs):
                        self._analyse_into(builder, vocab, docs[start:start + BUILD_CHUNK], pending)

            self._vectors = None  # free the old index before the new one grows
            if state["total"] <= vectors.exact_max:
                vectors.build_chunks(chunks(), total=max(state["total"], 1))
            else:
                # An IVF build that can read its chunks again sizes every inverted list
                # exactly (a one-shot stream leaves lists up to half empty: ~a third of
                # the index).  The vectors go to a temporary file once and are read back
                # from it, never all held in memory.
                spill_dir = self.store_dir if self.store_dir is not None and self.store_dir.is_dir() \
                    else None
                try:
                    with tempfile.TemporaryFile(dir=spill_dir, prefix="rebuild-") as spill:
                        layout = _spill(chunks(), spill)
                        vectors.build_chunks(lambda: _unspill(spill, layout, int(self.embedder.dim)),
                                             total=max(sum(n for _, n in layout), 1))
                except OSError as exc:
                    raise IndexWriteError(f"could not write the rebuild's temporary vector file: "
                                          f"{describe_os_error(exc)}", errno_=exc.errno) from exc
            if progress:
                progress(state["done"], state["done"])
            lexical = LexicalIndex.from_columns(vocab, builder.columns())
            del builder
            self._vectors = vectors
            self._state = _State(lexical, int(watermark))
            self._unsaved = len(docs) or 1
            self._save_locked()

    def open(self, docs: Iterable[Doc], *, watermark: int = 0, progress: Progress | None = None) -> str:
        """Load the saved state if it holds exactly ``docs`` at ``watermark`` with this model;
        otherwise rebuild.  Returns ``"loaded"`` or ``"rebuilt"``.

        Checking needs no analysis: ids and a hash of every document are compared.
        """
        docs = self._check_docs(docs)
        if self.store_dir is not None and self.load() == int(watermark):
            lex = self._state.lexical
            ids = np.fromiter((int(d.id) for d in docs), np.int64, len(docs))
            hashes = np.fromiter((doc_hash(d) for d in docs), np.uint64, len(docs))
            order = np.argsort(ids)
            ids, hashes = ids[order], hashes[order]
            if np.array_equal(lex.id_array(), ids) and np.array_equal(self._content_of(ids), hashes):
                if progress:
                    progress(len(docs), len(docs))
                return "loaded"
            self.load_reason = "the saved documents differ from the given ones"
        self.rebuild(docs, watermark=watermark, progress=progress)
        return "rebuilt"

    def _content_of(self, ids: np.ndarray) -> np.ndarray:
        """Content hashes of the live documents ``ids`` (0 where absent)."""
        lex = self._state.lexical
        out = np.zeros(len(ids), np.uint64)
        for seg in (lex.base, lex.delta):   # the delta, written last, wins
            if not seg.n:
                continue
            rows = seg.rows_of(ids)
            ok = rows >= 0
            if seg is lex.base and lex.any_dead:
                ok &= ~lex.base_dead[np.maximum(rows, 0)]
            out[ok] = seg.content[rows[ok]]
        return out

    def upsert(self, docs: Iterable[Doc], *, watermark: int | None = None) -> None:
        """Add or replace documents; searches keep running on the previous snapshot meanwhile."""
        docs = self._check_docs(docs)
        if not docs:
            return
        with self._write:
            old = self._state
            builder = SegmentBuilder()
            views: list[tuple[int, str]] = []
            self._analyse_into(builder, old.lexical.vocab, docs, views)
            vecs = self._embed([t for _, t in views])
            if self._vectors is None:
                self._vectors = VectorIndex(int(self.embedder.dim))
            replaced = [int(d.id) for d in docs if int(d.id) in old.lexical]
            lexical = old.lexical.with_changes(builder.columns())
            if lexical.needs_compaction():
                lexical = lexical.compacted()
            # Vectors first for new ids (not yet visible: the snapshot does not list them),
            # then the swap makes them visible at once.
            if replaced:
                self._vectors.remove([i * VIEW_SLOTS + v for i in replaced for v in range(VIEW_SLOTS)])
            self._vectors.add([i for i, _ in views], vecs)
            self._state = _State(lexical, old.watermark if watermark is None else int(watermark))
            self._changed(len(docs))

    def remove(self, ids: Iterable[int], *, watermark: int | None = None) -> None:
        """Delete documents; unknown ids are ignored."""
        ids = [int(i) for i in ids]
        with self._write:
            old = self._state
            gone = [i for i in ids if i in old.lexical]
            lexical = old.lexical.with_changes(None, gone) if gone else old.lexical
            if gone and lexical.needs_compaction():
                lexical = lexical.compacted()
            # Snapshot first: from here on no search returns these ids.
            self._state = _State(lexical, old.watermark if watermark is None else int(watermark))
            if self._vectors is not None and gone:
                self._vectors.remove([i * VIEW_SLOTS + v for i in gone for v in range(VIEW_SLOTS)])
            self._changed(len(gone) or (watermark is not None and watermark != old.watermark))

    # -- persistence --------------------------------------------------------------

    def _changed(self, n: int) -> None:
        if not n:
            return
        self._unsaved += int(n)
        if self._unsaved >= self.save_every or \
                time.monotonic() - self._last_save >= self.save_interval:
            self._save_locked()

    def save(self) -> None:
        """Save now (raises ``IndexWriteError`` if the files cannot be written)."""
        with self._write:
            self._unsaved = max(self._unsaved, 1)
            self._save_locked()

    def flush(self) -> None:
        """Save if anything changed since the last save (e.g. at shutdown)."""
        with self._write:
            if self._unsaved:
                self._save_locked()

    def _fingerprint(self) -> dict[str, str]:
        if self._fingerprints is None:
            self._fingerprints = {"glossary": glossary_fingerprint(self.glossary),
                                  "background": background_fingerprint(self.background)}
        return self._fingerprints

    def _save_locked(self) -> None:
        if self.store_dir is None or self._vectors is None or not self._unsaved:
            return
        st = self._state
        lex = st.lexical
        directory = self.store_dir
        arrays: dict[str, np.ndarray] = {"vocab": np.frombuffer(lex.vocab.blob(), np.uint8),
                                         "base_dead": lex.base_dead}
        for prefix, seg in (("base.", lex.base), ("delta.", lex.delta)):
            arrays.update({prefix + k: v for k, v in seg.arrays().items()})
        meta = {"watermark": st.watermark, "kinds": self._kinds.values, "langs": self._langs.values,
                "base_avgdl": lex.base.avgdl, "delta_avgdl": lex.delta.avgdl,
                "docs": len(lex), "analysis": ANALYSIS_VERSION}
        token = hashlib.sha256(os.urandom(16)).hexdigest()[:16]
        name = f"{LEXICAL_PREFIX}{token}.bin"
        try:
            directory.mkdir(parents=True, exist_ok=True)
            with _engine_lock(directory):
                checksum, size = write_snapshot(directory / name, arrays, meta)
                try:
                    self._vectors.save(directory, model_id=self.model_id, watermark=st.watermark,
                                       extra={"lexical_file": name, "lexical_checksum": checksum,
                                              "lexical_size": size, "docs": len(lex),
                                              "analysis": ANALYSIS_VERSION,
                                              "view_slots": VIEW_SLOTS, "source": self.source_tag,
                                              **self._fingerprint()})
                except BaseException:
                    with contextlib.suppress(OSError):
                        (directory / name).unlink()
                    raise
                # Committed (the manifest names the new file): older snapshots can go.
                for entry in directory.iterdir():
                    if entry.name.startswith(LEXICAL_PREFIX) and entry.name != name:
                        with contextlib.suppress(OSError):
                            entry.unlink()
        except OSError as exc:
            raise IndexWriteError(
                f"could not save the lexical snapshot in {directory}: {describe_os_error(exc)}; "
                "the previous index is unchanged", errno_=exc.errno) from exc
        self._unsaved = 0
        self._last_save = time.monotonic()

    def load(self) -> int | None:
        """Restore the saved state; returns its watermark, or None (``load_reason`` says why).

        Nothing is re-analysed or re-embedded.  On any mismatch (another model, analysis
        version, glossary, background table or ``source_tag``; a missing, truncated or
        damaged file) the engine is left as it was.
        """
        if self.store_dir is None:
            self.load_reason = "the engine has no directory"
            return None
        with self._write:
            res = VectorIndex.load(self.store_dir, model_id=self.model_id, dim=int(self.embedder.dim))
            if not res.ok:
                self.load_reason = res.detail or (res.reason.value if res.reason else "missing")
                return None
            manifest = res.manifest
            extra = manifest.extra or {}
            expected = {"analysis": ANALYSIS_VERSION, "view_slots": VIEW_SLOTS,
                        "source": self.source_tag, **self._fingerprint()}
            stale = [k for k, v in expected.items() if extra.get(k) != v]
            if stale:
                self.load_reason = f"saved with another {', '.join(stale)}"
                return None
            name = extra.get("lexical_file")
            if not isinstance(name, str) or not name.startswith(LEXICAL_PREFIX) or "/" in name:
                self.load_reason = "the manifest names no lexical snapshot"
                return None
            try:
                arrays, meta = read_snapshot(self.store_dir / name,
                                             checksum=str(extra.get("lexical_checksum")),
                                             size=int(extra.get("lexical_size", -1)))
                state, kinds, langs = self._state_from(arrays, meta)
            except (SnapshotError, ValueError, KeyError, TypeError) as exc:
                self.load_reason = f"lexical snapshot unusable: {exc}"
                return None
            if int(meta.get("watermark", -1)) != int(manifest.watermark):
                self.load_reason = "the lexical snapshot and the vectors disagree on the watermark"
                return None
            views = sum(int(seg.views[~state.lexical.base_dead].sum()) if seg is state.lexical.base
                        else int(seg.views.sum()) for seg in (state.lexical.base, state.lexical.delta))
            if views != int(manifest.count):
                self.load_reason = f"the snapshot lists {views} views, the vector index holds {manifest.count}"
                return None
            self._vectors = res.index
            self._state = state
            self._kinds, self._langs = kinds, langs
            self._unsaved = 0
            self._last_save = time.monotonic()
            self.load_reason = ""
            return state.watermark

    def _state_from(self, arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any]
                    ) -> tuple[_State, _Labels, _Labels]:
        vocab = Vocab.from_blob(bytes(arrays["vocab"]), self.background, self.glossary)
        segs = []
        for prefix, avg in (("base.", meta["base_avgdl"]), ("delta.", meta["delta_avgdl"])):
            seg = Segment.from_arrays({k[len(prefix):]: v for k, v in arrays.items()
                                       if k.startswith(prefix)}, float(avg))
            if seg.n_terms > len(vocab):
                raise ValueError("a segment refers to terms the vocabulary does not hold")
            segs.append(seg)
        dead = np.asarray(arrays["base_dead"], bool)
        if len(dead) != segs[0].n:
            raise ValueError("the dead-row mask does not fit the base segment")
        kinds, langs = _Labels(meta["kinds"]), _Labels(meta["langs"])
        for seg in segs:
            if seg.n and (seg.kind.max() >= len(kinds.values) or seg.lang.max() >= len(langs.values)):
                raise ValueError("kind or language codes out of range")
        lexical = LexicalIndex(vocab, segs[0], segs[1], dead)
        return _State(lexical, int(meta["watermark"])), kinds, langs

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
        ans, qvecs = self._analyse_and_encode(texts)
        return [self._match_one(a, v, k=k, kinds=kinds, exclude=(), include_none=include_none)
                for a, v in zip(ans, qvecs)]

    def score_candidates(self, text: str, *,
                         depth: int = SHORTLIST_DEPTH) -> list[tuple[int, dict[str, float]]]:
        """Shortlist and raw features, without fusion (for fitting the fusion model)."""
        return self.score_candidates_many([text], depth=depth)[0]

    def score_candidates_many(self, texts: Sequence[str], *, depth: int = SHORTLIST_DEPTH
                              ) -> list[list[tuple[int, dict[str, float]]]]:
        """``score_candidates`` for many claims with one batched encode."""
        ans, qvecs = self._analyse_and_encode(texts)
        out = []
        for a, v in zip(ans, qvecs):
            sl, x, _, _ = self._shortlist(a, v, kinds=None, exclude=(), depth=depth)
            out.append([(i, dict(zip(FEATURES, row.tolist()))) for i, row in zip(sl.ids, x)])
        return out

    def _analyse_and_encode(self, texts: Sequence[str]) -> tuple[list[Analysis], np.ndarray]:
        """Check and analyse claims, then encode their query texts in one batch."""
        texts = list(texts)
        for t in texts:
            self._check_text(t)
        ans = [analyze(t, self.glossary) for t in texts]
        if not ans:
            return [], np.empty((0, 0), np.float32)   # nothing to encode: never load the model
        return ans, self.embedder.encode([query_text(a) for a in ans], batch=True)

    def _query_info(self, an: Analysis, lex: LexicalIndex) -> QueryInfo:
        uniq = list(dict.fromkeys(an.terms))
        vocab = lex.vocab
        tids = np.array([vocab.get(t) for t in uniq], np.int64)
        idfs = lex.idf_of(tids)
        unknown = np.flatnonzero(tids < 0)
        for j in unknown:   # terms the collection never saw: background only
            idfs[j] = lex.idf(uniq[j])
        term_idf = dict(zip(uniq, idfs.tolist()))
        known = tids >= 0
        order = np.argsort(tids[known])
        script = an.norm.script
        grams = frozenset(key_grams(an.key, self._gram_cache()))
        return QueryInfo(an.key, script, an.norm.lang, an.concepts, an.specifics, grams,
                         float(idfs.sum()) or 1.0, term_idf, tids[known][order], idfs[known][order],
                         SCRIPTS.index(script) if script in SCRIPTS else 0, an.norm.lang == "en")

    def _shortlist(self, an: Analysis, qvec: np.ndarray, *, kinds, exclude, depth: int):
        st = self._state
        lex = st.lexical
        kind_codes = {self._kinds.get(k) for k in kinds} if kinds is not None else None
        excl = set(int(i) for i in exclude)
        dense: dict[int, float] = {}
        vectors = self._vectors
        if vectors is not None and len(vectors):
            for vid, s in vectors.search(qvec.reshape(1, -1), DENSE_K * 2)[0]:
                did = vid // VIEW_SLOTS
                if s > dense.get(did, -2.0):
                    dense[did] = s
        bm25 = dict(lex.search(an.terms, BM25_K))
        located: dict[int, tuple[Segment, int]] = {}

        def ok(i: int) -> bool:
            if i in excl:
                return False
            loc = located.get(i)
            if loc is None:
                loc = lex.locate(i)
                if loc is None:
                    return False
                located[i] = loc
            return kind_codes is None or int(loc[0].kind[loc[1]]) in kind_codes

        def top(scores: Mapping[int, float]) -> list[int]:
            out = []
            for i, _ in sorted(scores.items(), key=lambda kv: -kv[1]):
                if ok(i):
                    out.append(i)
                    if len(out) >= depth:
                        break
            return out

        top_dense, top_bm = top(dense), top(bm25)
        ids = list(dict.fromkeys(top_dense + top_bm))
        sl = Shortlist(ids, [located[i][0] for i in ids], [located[i][1] for i in ids])
        q = self._query_info(an, lex)
        near = near_top_ids({i: dense[i] for i in top_dense}, {i: bm25[i] for i in top_bm})
        costly = np.array([i in near for i in ids], bool)
        cos, adapted = self._pair_scores(qvec, sl, dense, costly)
        x = pair_features(q, sl, vocab=lex.vocab, idf_of=lex.idf_of, avgdl=lex.avgdl,
                          dense=cos, adapted=adapted, costly=costly,
                          en_code=self._langs.get("en"), gram_cache=self._gram_cache())
        return sl, x, q, lex

    def _gram_cache(self) -> dict[str, frozenset[str]]:
        """Word -> trigrams, kept between matches (words repeat across documents); dropped
        when it grows past ``GRAM_CACHE_MAX`` words, so it stays bounded."""
        cache = self._grams
        if len(cache) > GRAM_CACHE_MAX:
            cache = self._grams = {}
        return cache

    def _pair_scores(self, qvec: np.ndarray, sl: Shortlist, dense: Mapping[int, float],
                     costly: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each candidate's best view cosine with the claim and with the adapted claim.

        Candidates among the dense hits already have their cosine; the others' views
        are read back from the vector index.  The adapted cosine (the costly one) is
        computed for the ``costly`` candidates; the rest get the plain cosine.
        """
        n = len(sl.ids)
        cos = np.array([dense.get(i, np.nan) for i in sl.ids], np.float64)
        adapted = cos.copy()
        need = [j for j in range(n) if np.isnan(cos[j]) or (self.adapter is not None and costly[j])]
        vectors = self._vectors
        if need and vectors is not None:
            vids, owner = [], []
            for j in need:
                base = sl.ids[j] * VIEW_SLOTS
                for v in range(int(sl.segs[j].views[sl.rows[j]])):
                    vids.append(base + v)
                    owner.append(j)
            try:
                vecs = vectors.reconstruct(vids)
            except KeyError:  # a concurrent removal: score what the search saw
                vecs = None
            if vecs is not None:
                qs = [qvec] if self.adapter is None else [qvec, self.adapter.apply(qvec)[0]]
                sims = vecs @ np.stack(qs).T
                owner_a = np.asarray(owner)
                best = np.full((n, len(qs)), -2.0)
                np.maximum.at(best, owner_a, sims)
                for j in need:
                    if np.isnan(cos[j]):
                        cos[j] = best[j, 0]
                    if self.adapter is not None and costly[j]:
                        adapted[j] = best[j, 1]
        cos = np.nan_to_num(cos, nan=0.0)
        adapted = np.where(np.isnan(adapted), cos, adapted)
        if self.adapter is not None:
            adapted = np.where(costly, adapted, cos)
        return cos, adapted

    def _match_one(self, an: Analysis, qvec: np.ndarray, *, k: int, kinds, exclude,
                   include_none: bool) -> list[Candidate]:
        if k <= 0:
            return []
        sl, x, q, lex = self._shortlist(an, qvec, kinds=kinds, exclude=exclude,
                                        depth=max(k, SHORTLIST_DEPTH))
        if not sl.ids:
            return []
        scores = self.model.score_matrix(self.model.expand(x, FEATURES))
        order = np.argsort(-scores, kind="stable")
        th = self._thresholds
        live = self._state.lexical  # re-read: ids removed meanwhile must not be returned
        out: list[Candidate] = []
        for j in order:
            doc_id = sl.ids[j]
            if live is not lex and doc_id not in live:
                continue
            score = float(scores[j])
            tier = th.tier(score)
            if tier == "none" and not include_none:
                continue
            seg, row = sl.segs[j], sl.rows[j]
            feats = dict(zip(FEATURES, x[j].tolist()))
            kind = self._kinds[int(seg.kind[row])]
            view = doc_view(seg, row, lex.vocab, self.glossary, kind,
                            self._langs[int(seg.lang[row])], SCRIPTS[int(seg.script[row])])
            exp = explain_candidate(q, view, feats, self.model.contributions(feats), score, tier,
                                    self._gloss)
            out.append(Candidate(int(doc_id), kind, round(score, 6), tier,
                                 {n: round(float(v), 6) for n, v in feats.items()}, exp))
            if len(out) >= k:
                break
        return out
