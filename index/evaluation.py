"""Evaluation on a benchmark directory in either of the two supported layouts.

* **CLEF CheckThat! 2020 task 2**: ``verified_claims.docs.tsv`` (id, vclaim, title)
  and ``<split>/tweets.queries.tsv`` with ``<split>/*.qrels`` (TREC, ids may be strings).
* **hi-dev**: ``facts.jsonl``, optional ``distractors.jsonl``, ``queries.jsonl``
  (``id``, ``text``, optional ``kind``/``lang``) and ``qrels.tsv`` (TREC).

``run_eval`` indexes the corpus fresh in a :class:`~index.engine.MatchEngine`
and computes MAP@5, MRR@10, Recall@1/5/10 (qrels deduplicated; queries without
gold excluded from ranking metrics), a per-``kind`` breakdown, and abstention
on queries without gold at the ``related`` threshold together with Recall@1
at that threshold.
"""
from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

from index.errors import DataFileError

MAX_FILE_BYTES = 500_000_000
csv.field_size_limit(10_000_000)


@dataclass
class Bench:
    layout: str
    split: str | None
    docs: list[tuple[str, str]]                 # (doc id, text)
    queries: list[tuple[str, str, str | None]]  # (query id, text, kind)
    qrels: dict[str, set[str]] = field(default_factory=dict)


def _read(path: Path) -> str:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DataFileError(f"cannot read: {exc.strerror}", path=path) from exc
    if size > MAX_FILE_BYTES:
        raise DataFileError(f"file too large ({size} bytes)", path=path)
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise DataFileError("not valid UTF-8", path=path, line=line) from exc


def read_qrels(path: Path) -> dict[str, set[str]]:
    """TREC qrels ``query 0 doc relevance``; duplicates collapse, relevance <= 0 is ignored."""
    out: dict[str, set[str]] = {}
    for lineno, line in enumerate(_read(path).splitlines(), 1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 4:
            raise DataFileError("expected 4 columns: query 0 doc relevance", path=path, line=lineno)
        try:
            rel = float(parts[3])
        except ValueError as exc:
            raise DataFileError(f"relevance {parts[3]!r} is not a number", path=path, line=lineno) from exc
        if rel > 0:
            out.setdefault(parts[0], set()).add(parts[2])
    return out


def _read_jsonl(path: Path, required: Sequence[str]) -> list[dict]:
    rows = []
    for lineno, line in enumerate(_read(path).splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataFileError(f"invalid JSON: {exc.msg}", path=path, line=lineno) from exc
        if not isinstance(obj, dict):
            raise DataFileError("each line must be a JSON object", path=path, line=lineno)
        for key in required:
            if not isinstance(obj.get(key), (str, int)) or obj.get(key) == "":
                raise DataFileError(f"missing or empty {key!r}", path=path, line=lineno)
        rows.append(obj)
    return rows


def _read_tsv(path: Path, ncols: int) -> list[list[str]]:
    reader = csv.reader(io.StringIO(_read(path)), delimiter="\t")
    rows = []
    for lineno, row in enumerate(reader, 1):
        if lineno == 1:
            continue  # header
        if not row:
            continue
        if len(row) < ncols:
            raise DataFileError(f"expected {ncols} tab-separated columns, got {len(row)}",
                                path=path, line=lineno)
        rows.append(row)
    return rows


def detect_layout(bench_dir: Path) -> str:
    if (bench_dir / "verified_claims.docs.tsv").is_file():
        return "clef"
    if (bench_dir / "facts.jsonl").is_file() and (bench_dir / "queries.jsonl").is_file():
        return "hi-dev"
    raise DataFileError("not a benchmark directory: expected verified_claims.docs.tsv "
                        "(CLEF layout) or facts.jsonl + queries.jsonl (hi-dev layout)", path=bench_dir)


def clef_splits(bench_dir: Path) -> list[str]:
    return sorted(p.parent.name for p in bench_dir.glob("*/tweets.queries.tsv"))


def load_bench(bench_dir: Path | str, split: str | None = None) -> Bench:
    """Read a benchmark directory in either layout (detected from its files)."""
    bench_dir = Path(bench_dir)
    if not bench_dir.is_dir():
        raise DataFileError("no such directory", path=bench_dir)
    layout = detect_layout(bench_dir)
    if layout == "clef":
        splits = clef_splits(bench_dir)
        if not splits:
            raise DataFileError("no <split>/tweets.queries.tsv found", path=bench_dir)
        if split is None:
            split = "test" if "test" in splits else ("dev" if "dev" in splits else splits[0])
        if split not in splits:
            raise DataFileError(f"unknown split {split!r}; available: {', '.join(splits)}", path=bench_dir)
        docs = [(r[0].strip(), "\n".join(x.strip() for x in r[1:3] if x.strip()))
                for r in _read_tsv(bench_dir / "verified_claims.docs.tsv", 2)]
        queries = [(r[0].strip(), r[1], None) for r in _read_tsv(bench_dir / split / "tweets.queries.tsv", 2)]
        qrels: dict[str, set[str]] = {}
        files = sorted((bench_dir / split).glob("*.qrels"))
        if not files:
            raise DataFileError("no .qrels file", path=bench_dir / split)
        for f in files:
            for q, ds in read_qrels(f).items():
                qrels.setdefault(q, set()).update(ds)
        return Bench("clef", split, docs, queries, qrels)
    if split not in (None, "", "all"):
        raise DataFileError(f"the hi-dev layout has no splits (got {split!r})", path=bench_dir)
    docs = []
    for name in ("facts.jsonl", "distractors.jsonl"):
        p = bench_dir / name
        if p.is_file():
            docs += [(str(o["id"]), str(o["text"])) for o in _read_jsonl(p, ("id", "text"))]
    queries = [(str(o["id"]), str(o["text"]), o.get("kind"))
               for o in _read_jsonl(bench_dir / "queries.jsonl", ("id", "text"))]
    qrels = read_qrels(bench_dir / "qrels.tsv") if (bench_dir / "qrels.tsv").is_file() else {}
    return Bench("hi-dev", None, docs, queries, qrels)


# -- metrics --------------------------------------------------------------------------

def average_precision(ranked: Sequence[str], relevant: set[str], k: int = 5) -> float:
    hits, total = 0, 0.0
    for i, d in enumerate(ranked[:k], 1):
        if d in relevant:
            hits += 1
            total += hits / i
    return total / min(len(relevant), k) if relevant else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: set[str], k: int = 10) -> float:
    for i, d in enumerate(ranked[:k], 1):
        if d in relevant:
            return 1.0 / i
    return 0.0


def ranking_metrics(runs: Iterable[tuple[Sequence[str], set[str]]]) -> dict[str, float]:
    runs = list(runs)
    n = len(runs)
    if n == 0:
        return {"queries": 0, "map@5": 0.0, "mrr@10": 0.0, "recall@1": 0.0, "recall@5": 0.0,
                "recall@10": 0.0}
    out = {
        "queries": n,
        "map@5": sum(average_precision(r, rel, 5) for r, rel in runs) / n,
        "mrr@10": sum(reciprocal_rank(r, rel, 10) for r, rel in runs) / n,
    }
    for k in (1, 5, 10):
        out[f"recall@{k}"] = sum(1 for r, rel in runs if set(r[:k]) & rel) / n
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in out.items()}


def abstention_metrics(top: Sequence[tuple[float | None, bool, bool]], related: float) -> dict:
    """``top``: per query (best score or None, has gold, best is relevant)."""
    no_gold = [s for s, has, _ in top if not has]
    gold = [(s, ok) for s, has, ok in top if has]
    return {
        "threshold": related,
        "no_match_queries": len(no_gold),
        "abstention": round(sum(1 for s in no_gold if s is None or s < related) / len(no_gold), 4)
        if no_gold else None,
        "recall@1_at_threshold": round(sum(1 for s, ok in gold if ok and s is not None and s >= related)
                                       / len(gold), 4) if gold else None,
    }


# -- the run --------------------------------------------------------------------------

def _stderr_progress(label: str) -> Callable[[int, int], None]:
    state = {"last": -1}

    def report(done: int, total: int) -> None:
        pct = int(100 * done / total) if total else 100
        if pct != state["last"] and (pct % 5 == 0 or done == total):
            state["last"] = pct
            print(f"\r{label}: {done}/{total} ({pct}%)", end="" if done < total else "\n",
                  file=sys.stderr, flush=True)

    return report


def build_engine(bench: Bench, *, embedder, thresholds=None, cache=None, glossary=None, model=None,
                 progress: Callable[[int, int], None] | None = None):
    """A fresh engine over the benchmark corpus; returns (engine, int id -> doc id)."""
    from index.engine import Doc, MatchEngine

    engine = MatchEngine(embedder, thresholds=thresholds, glossary=glossary, cache=cache, model=model)
    docs = [Doc(i, text) for i, (_, text) in enumerate(bench.docs)]
    engine.rebuild(docs, progress=progress)
    return engine, {i: did for i, (did, _) in enumerate(bench.docs)}


def run_eval(bench_dir: Path | str, *, split: str | None = None, embedder=None, thresholds=None,
             cache=None, glossary=None, model=None, progress: bool | Callable[[int, int], None] = True,
             per_query: bool = False) -> dict:
    """Index the corpus fresh, match every query, and return the metrics as a dict."""
    from index.embedding import SentenceTransformerEmbedder

    bench = load_bench(bench_dir, split)
    if embedder is None:
        embedder = SentenceTransformerEmbedder()
    report = _stderr_progress("indexing") if progress is True else (progress or None)
    engine, id_map = build_engine(bench, embedder=embedder, thresholds=thresholds, cache=cache,
                                  glossary=glossary, model=model, progress=report)
    results = engine.match_many([t for _, t, _ in bench.queries], k=10, include_none=True)
    runs_all, by_kind_runs, top, rows = [], {}, [], []
    for (qid, text, kind), cands in zip(bench.queries, results):
        ranked = [id_map[c.id] for c in cands]
        rel = bench.qrels.get(qid, set())
        best = cands[0].score if cands else None
        top.append((best, bool(rel), bool(ranked) and ranked[0] in rel))
        if rel:
            runs_all.append((ranked, rel))
        by_kind_runs.setdefault(kind or "all", []).append((ranked, rel))
        if per_query:
            rows.append({"id": qid, "kind": kind, "gold": sorted(rel), "ranked": ranked[:5],
                         "scores": [c.score for c in cands[:5]]})
    out = {
        "layout": bench.layout, "split": bench.split, "documents": len(bench.docs),
        "model": engine.model_id,
        **ranking_metrics(runs_all),
        "queries": len(bench.queries), "queries_with_gold": len(runs_all),
        "thresholds": engine.thresholds.to_dict(),
    }
    by_kind = {}
    for kind, runs in sorted(by_kind_runs.items()):
        gold_runs = [(r, rel) for r, rel in runs if rel]
        if gold_runs:
            by_kind[kind] = ranking_metrics(gold_runs)
        else:
            by_kind[kind] = {"queries": len(runs), "no_gold": True}
    if set(by_kind) != {"all"}:
        out["by_kind"] = by_kind
    else:
        out["by_kind"] = {}
    out["abstention"] = abstention_metrics(top, engine.thresholds.related)
    if per_query:
        out["per_query"] = rows
    return out
