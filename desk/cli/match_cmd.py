"""``desk match``: what the desk already knows about a claim."""
from __future__ import annotations

import click

from desk.cli.base import cli, echo_json, friendly_errors, settings_from
from desk.cli.progress import engines_for, services

WHERE = {"all": ("library", "claims"), "library": ("library",), "claims": ("claims",)}


@cli.command("match")
@click.argument("text")
@click.option("--k", "k", type=click.IntRange(1, 100), default=10, show_default=True,
              help="How many candidates.")
@click.option("--in", "where", type=click.Choice(list(WHERE)), default="all", show_default=True,
              help="Search the library (facts, live rebuttals), open claims, or both.")
@click.option("--all-tiers", is_flag=True, help="Also show candidates below 'related'.")
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@click.pass_context
@friendly_errors
def match(ctx: click.Context, text: str, k: int, where: str, all_tiers: bool,
          as_json: bool) -> None:
    """Match a claim against facts, live rebuttals and open claims.

    Each line: tier, score, what matched (fact, rebuttal or claim and its id),
    its status and text; then why, in one line.

    Example:

        desk match "vote nahi diya to bank se 350 rupaye katenge" --k 5

        desk match "EVM hacked in Jaipur" --in library --json
    """
    settings = settings_from(ctx)
    engines = engines_for(settings, required=True)
    with services(settings, engines) as svc:
        hits = svc.matching.search(svc.system_user_id(), text, k=k, collections=WHERE[where],
                                   include_none=all_tiers)
    if as_json:
        echo_json([{"kind": h.kind, "id": h.ref_id, "match_item_id": h.match_item_id,
                    "score": round(h.score, 4), "tier": h.tier, "status": h.status,
                    "text": h.text, "explanation": h.explanation, "signals": h.signals}
                   for h in hits])
        return
    if not hits:
        click.echo("No match at tier related or above.")
        return
    for h in hits:
        snippet = " ".join(h.text.split())
        snippet = snippet if len(snippet) <= 90 else snippet[:89] + "…"
        click.echo(f"{h.tier:<8} {h.score:.3f}  {h.kind} {h.ref_id} ({h.status})  {snippet}")
        summary = (h.explanation or {}).get("summary")
        if summary:
            click.echo(f"         why: {summary}")
