"""``desk queue``: the triage queue, highest priority first."""
from __future__ import annotations

import click

from desk.cli.base import cli, echo_json, friendly_errors, settings_from
from desk.cli.progress import services
from desk.domain import OPEN_CLAIM_STATUSES, Channel, ClaimStatus, QueueFilter
from desk.errors import NotFound, ValidationError


@cli.command("queue")
@click.option("--status", "statuses", multiple=True,
              type=click.Choice([s.value for s in ClaimStatus]),
              help="Statuses to show (repeatable; default: the open ones).")
@click.option("--topic", help="Topic slug.")
@click.option("--region", "region_code", help="Region code (with its sub-regions).")
@click.option("--lang", type=click.Choice(["hi", "hi-Latn", "en", "mixed"]), help="Language.")
@click.option("--assignee", help="Username of the person the claims are assigned to.")
@click.option("--unassigned", is_flag=True, help="Only claims nobody has taken.")
@click.option("--channel", type=click.Choice([c.value for c in Channel]), help="Channel.")
@click.option("--text", help="Literal text to look for (also in the normalised form).")
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@click.option("--page-size", type=click.IntRange(1, 500), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@click.pass_context
@friendly_errors
def queue(ctx: click.Context, statuses: tuple[str, ...], topic: str | None,
          region_code: str | None, lang: str | None, assignee: str | None, unassigned: bool,
          channel: str | None, text: str | None, page: int, page_size: int,
          as_json: bool) -> None:
    """Show the triage queue: claims by priority, with counts per status.

    Example:

        desk queue --region UP-LKO --unassigned

        desk queue --status new --status triaged --lang hi --json
    """
    if assignee and unassigned:
        raise click.UsageError("--assignee and --unassigned exclude each other")
    with services(settings_from(ctx)) as svc:
        actor = svc.system_user_id()
        region_id = assignee_id = None
        if region_code:
            region_id = svc.regions.by_code(actor, region_code).id
        if assignee:
            try:
                assignee_id = svc.users.by_username(actor, assignee).id
            except NotFound:
                raise ValidationError(f"no user called {assignee!r}") from None
        filters = QueueFilter(
            statuses=tuple(ClaimStatus(s) for s in statuses) or OPEN_CLAIM_STATUSES,
            topic=topic, region_id=region_id, lang=lang, assignee_id=assignee_id,
            unassigned=unassigned, channel=Channel(channel) if channel else None, text=text)
        svc.claims.age_if_due()          # priorities age even if nobody opens the desk
        result = svc.claims.queue(actor, filters, page=page, page_size=page_size)
    if as_json:
        echo_json({"total": result.total, "page": result.page, "page_size": result.page_size,
                   "pages": result.pages, "status_counts": result.status_counts,
                   "rows": [{"id": r.id, "status": r.status.value,
                             "priority": round(r.priority, 2), "lang": r.lang,
                             "channel": r.channel.value, "region_id": r.region_id,
                             "assignee_id": r.assignee_id, "due_at": r.due_at,
                             "last_seen_at": r.last_seen_at, "sightings": r.sighting_count,
                             "groups": r.group_count, "version": r.version, "text": r.text}
                            for r in result.rows]})
        return
    counts = ", ".join(f"{k} {v}" for k, v in result.status_counts.items() if v)
    click.echo(f"{result.total} claims (page {result.page} of {max(1, result.pages)}); "
               f"all statuses: {counts or 'none'}")
    for r in result.rows:
        snippet = " ".join(r.text.split())
        snippet = snippet if len(snippet) <= 70 else snippet[:69] + "…"
        click.echo(f"{r.id:>6}  {r.priority:5.1f}  {r.status.value:<11} {r.sighting_count:>4}x  "
                   f"{(r.lang or '-'):<7} {snippet}")
