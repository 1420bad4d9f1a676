"""``desk calibrate``: fit the match thresholds to labelled pairs."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click

from desk.cli.base import cli, echo_json, friendly_errors
from desk.errors import ValidationError

MAX_PAIRS_BYTES = 100_000_000


def read_pairs(path: Path) -> list[tuple[float, str]]:
    """``(score, label)`` pairs from a TSV (header row) or JSONL file.

    Each row has a ``label`` (same / related / none, or 1/0) and either a
    ``score`` in [0, 1] or the engine's signal columns (scored with the
    shipped fusion model, which scores each pair on its own).
    """
    from index.fusion import load_model

    raw = path.read_bytes()
    if len(raw) > MAX_PAIRS_BYTES:
        raise ValidationError(f"{path}: file too large ({len(raw)} bytes)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ValidationError(f"{path}: line {line}: not valid UTF-8") from exc
    rows: list[tuple[int, dict]] = []
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    if first.lstrip().startswith("{"):
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValidationError(f"{path}: line {n}: invalid JSON ({exc.msg})") from exc
            if not isinstance(obj, dict):
                raise ValidationError(f"{path}: line {n}: expected a JSON object")
            rows.append((n, obj))
    else:
        reader = csv.DictReader(io.StringIO(text), delimiter="\t")
        for n, row in enumerate(reader, 2):
            rows.append((n, row))
    if not rows:
        raise ValidationError(f"{path}: no labelled pairs")
    model = None
    out: list[tuple[float, str]] = []
    for n, row in rows:
        label = row.get("label")
        if label is None or str(label).strip() == "":
            raise ValidationError(f"{path}: line {n}: missing label")
        try:
            if row.get("score") not in (None, ""):
                score = float(row["score"])
            else:
                model = model or load_model()
                signals = {n for f in model.features for n in f.split("@")}
                if not any(f in row for f in signals):
                    raise ValidationError(f"{path}: line {n}: needs a score or signal columns")
                feats = {f: float(row.get(f) or 0.0) for f in signals}
                score = float(model.score_matrix(model.matrix([feats]))[0])
        except (TypeError, ValueError) as exc:
            if isinstance(exc, ValidationError):
                raise
            raise ValidationError(f"{path}: line {n}: {exc}") from exc
        out.append((score, str(label)))
    return out


@cli.command("calibrate")
@click.argument("pairs_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--precision", type=click.FloatRange(0.5, 1.0), default=0.95, show_default=True,
              help="Precision the 'same' tier must reach on the pairs.")
@friendly_errors
def calibrate_cmd(pairs_file: Path, as_json: bool, precision: float) -> None:
    """Fit the 'same' and 'related' thresholds to labelled pairs.

    PAIRS_FILE is a TSV (with a header row) or JSON Lines file; each row has a
    label (same, related or none; or 1/0) and a score in [0, 1] (or the
    engine's signal columns).  'same' is the lowest score whose pairs reach
    the precision; 'related' best separates same/related from none.

    Example:

        desk calibrate reviewed_pairs.tsv --json
    """
    from index.fusion import fit_thresholds, label_kind

    pairs = read_pairs(pairs_file)
    try:
        th = fit_thresholds(pairs, same_precision=precision)
        counts = {k: 0 for k in ("same", "related", "none")}
        for _, lab in pairs:
            counts[label_kind(lab)] += 1
    except ValueError as exc:
        raise ValidationError(f"{pairs_file}: {exc}") from exc
    if as_json:
        echo_json({"same": th.same, "related": th.related, "pairs": len(pairs), "labels": counts})
    else:
        click.echo(f"same     {th.same}\nrelated  {th.related}\n"
                   f"({len(pairs)} pairs: {counts['same']} same, {counts['related']} related, "
                   f"{counts['none']} none)")
