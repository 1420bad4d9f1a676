"""Match latency and lexical-index scale on synthetic corpora.

    python -m index.scale --docs 100000 --queries 300 [--stub-encoder]
    python -m index.scale --docs 1000000 --queries 300 [--lexical-only]
    python -m index.scale --bench ../shared/bench/hi-dev [--split test] [--cache-dir DIR]

Documents are synthetic claims drawn (Zipf-weighted) from the glossary's own
English, Devanagari and romanised phrases, the gazetteer and random amounts,
so their term statistics resemble the desk's.  Document vectors come from a
cheap deterministic embedder of the real model's dimension (embedding a
million texts with the real model takes hours on 2 cores); each query is
encoded with the real model, so the timings include real query encoding,
vector search, BM25 and the re-ranking.  Prints JSON.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import zlib
from typing import Sequence

import numpy as np

from index.glossary import Glossary, load_glossary


class BulkFakeQueryReal:
    """Random unit vectors (seeded by the text) for bulk documents, the real model for queries."""

    def __init__(self, real, dim: int, model_id: str = "all-MiniLM-L6-v2"):
        self.real = real
        self.dim = dim
        self.model_id = model_id  # the real id, so the shipped query adapter is used

    def encode(self, texts: Sequence[str], *, batch: bool = False) -> np.ndarray:
        if not batch:
            return self.real.encode(texts)
        out = np.empty((len(texts), self.dim), np.float32)
        for i, t in enumerate(texts):
            rng = np.random.default_rng(zlib.crc32(t.encode("utf-8")))
            out[i] = rng.standard_normal(self.dim)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def synthetic_texts(g: Glossary, n: int, seed: int = 7) -> list[str]:
    rng = np.random.default_rng(seed)
    phrases: list[str] = []
    import importlib.resources as res

    for name in ("glossary.tsv", "gazetteer.tsv"):
        for line in (res.files("index") / "data" / name).read_text(encoding="utf-8").splitlines():
            if line.startswith("#") or "\t" not in line:
                continue
            for cell in line.split("\t")[2:]:
                phrases += [p for p in cell.split("|") if p and not p.startswith("place")]
    glue = ["का", "की", "के", "में", "से", "है", "नहीं", "the", "of", "is", "not", "ka", "ki", "me", "hai",
            "nahi", "se", "दावा", "गलत", "false", "claim"]
    ranks = np.arange(1, len(phrases) + 1)
    p = 1.0 / ranks
    p /= p.sum()
    order = rng.permutation(len(phrases))
    out = []
    for _ in range(n):
        k = int(rng.integers(6, 16))
        picks = [phrases[order[i]] for i in rng.choice(len(phrases), size=k, p=p)]
        words = []
        for w in picks:
            words.append(w)
            if rng.random() < 0.5:
                words.append(glue[int(rng.integers(len(glue)))])
        if rng.random() < 0.6:
            words.append(f"₹{int(rng.integers(1, 500)) * 100:,}")
        out.append(" ".join(words))
    return out


def own_time_on_bench(bench_dir: str, split: str | None, cache_dir: str | None) -> dict:
    """CPU time of ``match`` without query encoding and vector search, on a real benchmark.

    Claim vectors are computed up front with the real model, so the figure is the
    engine's own work (analysis, BM25, re-ranking, explanations) per claim.
    """
    from pathlib import Path

    from index.analysis import analyze
    from index.diskcache import DirEmbeddingCache
    from index.embedding import SentenceTransformerEmbedder
    from index.engine import query_text
    from index.evaluation import build_engine, load_bench

    real = SentenceTransformerEmbedder()

    class Precomputed:
        dim = real.dim
        model_id = real.model_id
        table: dict[str, np.ndarray] = {}

        def encode(self, texts, *, batch=False):
            if all(t in self.table for t in texts):
                return np.stack([self.table[t] for t in texts])
            return real.encode(texts, batch=True)

    bench = load_bench(bench_dir, split)
    pre = Precomputed()
    cache = DirEmbeddingCache(Path(cache_dir)) if cache_dir else None
    eng, _ = build_engine(bench, embedder=pre, cache=cache)
    if cache is not None:
        cache.flush()
    texts = [query_text(analyze(t, eng.glossary)) for _, t, _ in bench.queries]
    pre.table.update(zip(texts, real.encode(texts, batch=True)))
    search = eng._vectors.search
    spent = [0.0]

    def timed(*a, **kw):
        s0 = time.process_time()
        try:
            return search(*a, **kw)
        finally:
            spent[0] += time.process_time() - s0

    eng._vectors.search = timed
    cpu = []
    for _, t, _ in bench.queries:
        spent[0] = 0.0
        s0 = time.process_time()
        eng.match(t)
        cpu.append(time.process_time() - s0 - spent[0])
    return {"bench": str(bench_dir), "split": split, "documents": len(bench.docs),
            "queries": len(bench.queries), "own_cpu_p50_ms": _pct(cpu, 50), "own_cpu_p99_ms": _pct(cpu, 99)}


class _NoVectors:
    """An embedder for analysis-only runs (it must never be asked to encode)."""

    dim = 8
    model_id = "none"

    def encode(self, texts, *, batch=False):
        raise AssertionError("no encoding in an analysis-only run")


def _state_bytes(lex) -> int:
    """Bytes held by a lexical snapshot's arrays (vocabulary dict not included)."""
    total = int(lex.base_dead.nbytes)
    for seg in (lex.base, lex.delta):
        total += sum(int(a.nbytes) for a in seg.arrays().values())
    return total


def _pct(xs: list[float], q: float) -> float:
    return round(float(np.percentile(np.array(xs) * 1000, q)), 2)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--lexical-only", action="store_true",
                    help="only build the BM25 index and time its searches")
    ap.add_argument("--stub-encoder", action="store_true",
                    help="encode queries with the cheap stub too, and report the engine's own "
                         "time per match (match minus encoding minus vector search)")
    ap.add_argument("--bench", help="measure the engine's own CPU time per claim on this benchmark")
    ap.add_argument("--split")
    ap.add_argument("--cache-dir")
    args = ap.parse_args(argv)
    if args.bench:
        json.dump(own_time_on_bench(args.bench, args.split, args.cache_dir), sys.stdout, indent=2)
        print()
        return 0

    from index.analysis import analyze
    from index.engine import Doc, MatchEngine
    from index.lexical import LexicalIndex

    g = load_glossary()
    t0 = time.perf_counter()
    texts = synthetic_texts(g, args.docs)
    queries = synthetic_texts(g, args.queries, seed=11)
    out: dict = {"docs": args.docs, "queries": args.queries}
    t1 = time.perf_counter()
    out["generate_s"] = round(t1 - t0, 1)
    if args.lexical_only:
        from index.segment import SegmentBuilder

        eng = MatchEngine(_NoVectors(), glossary=g)
        builder = SegmentBuilder()
        vocab = eng.vocab
        views: list = []
        for start in range(0, len(texts), 10_000):
            eng._analyse_into(builder, vocab, [Doc(i, t) for i, t in
                                               enumerate(texts[start:start + 10_000], start)], views)
            views.clear()   # only the analysis is measured here
        t2 = time.perf_counter()
        lex = LexicalIndex.from_columns(vocab, builder.columns())
        del builder
        t3 = time.perf_counter()
        qterms = [analyze(q, g).terms for q in queries]
        times = []
        for qt in qterms:
            s0 = time.perf_counter()
            lex.search(qt, 50)
            times.append(time.perf_counter() - s0)
        out.update(analyze_s=round(t2 - t1, 1), build_s=round(t3 - t2, 1), vocab=len(vocab),
                   postings=int(len(lex.base.post_rows)), state_mb=round(_state_bytes(lex) / 2**20),
                   bm25_p50_ms=_pct(times, 50), bm25_p99_ms=_pct(times, 99))
    else:
        from index.embedding import SentenceTransformerEmbedder

        real = SentenceTransformerEmbedder()
        emb = BulkFakeQueryReal(real, real.dim)
        if args.stub_encoder:
            stub = BulkFakeQueryReal(None, real.dim)
            real = type("Stub", (), {"encode": lambda self, t, batch=False: stub.encode(t, batch=True),
                                     "dim": real.dim, "model_id": real.model_id})()
            emb = BulkFakeQueryReal(real, real.dim)
        eng = MatchEngine(emb, glossary=g)
        eng.rebuild([Doc(i, t) for i, t in enumerate(texts)])
        t2 = time.perf_counter()
        out["index_s"] = round(t2 - t1, 1)
        out["state_mb"] = round(_state_bytes(eng._state.lexical) / 2**20)
        for q in queries[:10]:
            eng.match(q)  # warm-up (model load, caches)
        times, own, own_cpu = [], [], []
        vec_search = eng._vectors.search
        enc = eng.embedder.encode
        spent = [0.0, 0.0]

        def timed_search(*a, **kw):
            s0, c0 = time.perf_counter(), time.process_time()
            try:
                return vec_search(*a, **kw)
            finally:
                spent[0] += time.perf_counter() - s0
                spent[1] += time.process_time() - c0

        def timed_encode(*a, **kw):
            s0, c0 = time.perf_counter(), time.process_time()
            try:
                return enc(*a, **kw)
            finally:
                spent[0] += time.perf_counter() - s0
                spent[1] += time.process_time() - c0

        eng._vectors.search = timed_search
        eng.embedder.encode = timed_encode
        for q in queries:
            spent[0] = spent[1] = 0.0
            s0, c0 = time.perf_counter(), time.process_time()
            eng.match(q, k=10)
            times.append(time.perf_counter() - s0)
            own.append(times[-1] - spent[0])
            own_cpu.append(time.process_time() - c0 - spent[1])
        del eng._vectors.search, eng.embedder.encode
        # "own": normalise + lexical retrieval + re-rank + explanations, without the
        # query encode and the vector search (wall and CPU time).
        out.update(own_p50_ms=_pct(own, 50), own_p99_ms=_pct(own, 99),
                   own_cpu_p50_ms=_pct(own_cpu, 50), own_cpu_p99_ms=_pct(own_cpu, 99))
        from index.analysis import analyze as _an
        from index.engine import query_text
        ana, lex_t, vec_t = [], [], []
        for q in queries:
            s0 = time.perf_counter()
            a = _an(q, g)
            ana.append(time.perf_counter() - s0)
            s0 = time.perf_counter()
            eng._state.lexical.search(a.terms, 50)
            lex_t.append(time.perf_counter() - s0)
            v = real.encode([query_text(a)])
            s0 = time.perf_counter()
            eng._vectors.search(v, 100)
            vec_t.append(time.perf_counter() - s0)
        out.update(analyze_p50_ms=_pct(ana, 50), bm25_p50_ms=_pct(lex_t, 50), bm25_p99_ms=_pct(lex_t, 99),
                   vector_search_p50_ms=_pct(vec_t, 50), vector_search_p99_ms=_pct(vec_t, 99),
                   vector_index=getattr(eng._vectors, "kind", "?"))
        enc_t = []
        for q in queries:
            s0 = time.perf_counter()
            real.encode([q])
            enc_t.append(time.perf_counter() - s0)
        out.update(match_p50_ms=_pct(times, 50), match_p99_ms=_pct(times, 99),
                   encode_only_p50_ms=_pct(enc_t, 50), encode_only_p99_ms=_pct(enc_t, 99))
    # Peak resident memory of this process (VmHWM), everything included.
    out["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    json.dump(out, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
