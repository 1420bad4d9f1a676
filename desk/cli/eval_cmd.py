"""``desk eval``: run the matching engine on a benchmark directory and print its metrics."""
from __future__ import annotations

from pathlib import Path

import click

from desk.cli.base import cli, echo_json, friendly_errors, settings_from
from desk.errors import ValidationError


def make_embedder(settings):
    """The configured embedding model (``FACTDESK_MODEL`` / ``FACTDESK_BACKEND``)."""
    from index.embedding import load_embedder

    return load_embedder(settings.model, settings.backend)


def _fmt(v) -> str:
    return f"{v:.4f}" if isinstance(v, float) else str(v)


def format_report(r: dict) -> str:
    lines = [
        f"layout {r['layout']}" + (f", split {r['split']}" if r.get("split") else "")
        + f": {r['documents']} documents, {r['queries']} queries ({r['queries_with_gold']} with gold), "
        f"model {r['model']}",
        "",
        f"  MAP@5      {_fmt(r['map@5'])}",
        f"  MRR@10     {_fmt(r['mrr@10'])}",
        f"  Recall@1   {_fmt(r['recall@1'])}",
        f"  Recall@5   {_fmt(r['recall@5'])}",
        f"  Recall@10  {_fmt(r['recall@10'])}",
    ]
    if r.get("by_kind"):
        lines += ["", f"  {'kind':<16}{'queries':>8}{'MAP@5':>9}{'MRR@10':>9}{'R@1':>8}{'R@5':>8}"]
        for kind, m in r["by_kind"].items():
            if m.get("no_gold"):
                lines.append(f"  {kind:<16}{m['queries']:>8}   (no gold: see abstention)")
            else:
                lines.append(f"  {kind:<16}{m['queries']:>8}{m['map@5']:>9.4f}{m['mrr@10']:>9.4f}"
                             f"{m['recall@1']:>8.4f}{m['recall@5']:>8.4f}")
    a = r["abstention"]
    th = r["thresholds"]
    lines += ["", f"  thresholds: same {th['same']}, related {th['related']}"]
    if a.get("no_match_queries"):
        lines.append(f"  abstention on {a['no_match_queries']} queries without gold: {_fmt(a['abstention'])} "
                     f"(Recall@1 at the related threshold: {_fmt(a['recall@1_at_threshold'])})")
    else:
        lines.append(f"  no queries without gold; Recall@1 at the related threshold: "
                     f"{_fmt(a['recall@1_at_threshold'])}")
    return "\n".join(lines)


@cli.command("eval")
@click.argument("bench_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--split", help="CLEF layout: train, dev or test (default: test, else dev).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Keep document vectors here between runs (keyed by model and text hash).")
@click.option("--same", type=float, help="Override the 'same' threshold.")
@click.option("--related", type=float, help="Override the 'related' threshold.")
@click.pass_context
@friendly_errors
def eval_cmd(ctx: click.Context, bench_dir: Path, split: str | None, as_json: bool,
             cache_dir: Path | None, same: float | None, related: float | None) -> None:
    """Evaluate the matching engine on a benchmark directory.

    BENCH_DIR is in the CLEF CheckThat! layout (verified_claims.docs.tsv,
    <split>/tweets.queries.tsv, <split>/*.qrels) or the hi-dev layout
    (facts.jsonl, distractors.jsonl, queries.jsonl, qrels.tsv), detected
    automatically.  The corpus is indexed fresh with the configured model;
    progress goes to stderr.

    Example:

        desk eval ../shared/bench/hi-dev --json
        desk eval ../shared/bench/clef2020-checkthat-task2-en --split test --cache-dir /tmp/vecs
    """
    from index.diskcache import DirEmbeddingCache
    from index.errors import EngineError
    from index.evaluation import run_eval
    from index.fusion import Thresholds, load_model
    from index.glossary import load_glossary

    settings = settings_from(ctx)
    try:
        model = load_model()
        th = model.thresholds
        if same is not None or related is not None:
            th = Thresholds(same if same is not None else th.same,
                            related if related is not None else min(th.related, same or 1.0))
        glossary = load_glossary(settings.glossary_path)
        cache = DirEmbeddingCache(cache_dir) if cache_dir is not None else None
        result = run_eval(bench_dir, split=split, embedder=make_embedder(settings), thresholds=th,
                          cache=cache, glossary=glossary, model=model, progress=True)
        if cache is not None:
            cache.flush()
    except EngineError as exc:
        raise ValidationError(str(exc)) from exc
    if as_json:
        echo_json(result)
    else:
        click.echo(format_report(result))
