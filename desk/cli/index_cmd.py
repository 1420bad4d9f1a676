"""``desk reindex`` and ``desk thresholds``: the matching index and its cut-offs."""
from __future__ import annotations

import click

from desk.cli.base import cli, echo_json, friendly_errors, settings_from
from desk.cli.progress import StageProgress, engines_for, services
from desk.errors import ValidationError


@cli.command("reindex")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
@friendly_errors
def reindex(ctx: click.Context, as_json: bool) -> None:
    """Rebuild the matching index from the database and save it atomically.

    Not needed in normal use (the desk keeps the index in step and rebuilds
    it after a restore, a model change or a damaged file); use it after
    changing the glossary.

    Example:

        desk reindex
    """
    settings = settings_from(ctx)
    engines = engines_for(settings, required=True)
    progress = StageProgress(enabled=not as_json)
    with services(settings, engines) as svc:
        try:
            result = svc.matching.reindex(svc.system_user_id(), progress=progress)
        finally:
            progress.close()
    if as_json:
        echo_json(result)
        return
    click.echo(f"Indexed {result['library']} library items and {result['claims']} claims with "
               f"{result['model']} in {result['seconds']} s.")


@cli.group("thresholds")
def thresholds_group() -> None:
    """Show, fit and set the match thresholds ('same' links automatically,
    'related' suggests to a person).

    Example:

        desk thresholds fit --save
    """


def _defaults() -> dict[str, float]:
    from index.fusion import load_model

    return load_model().thresholds.to_dict()


@thresholds_group.command("show")
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@click.pass_context
@friendly_errors
def show(ctx: click.Context, as_json: bool) -> None:
    """The thresholds in use (stored in the database, else the model's defaults).

    Example:

        desk thresholds show --json
    """
    with services(settings_from(ctx)) as svc:
        stored, version = svc.settings.thresholds(svc.system_user_id())
    defaults = _defaults()
    current = stored or defaults
    if as_json:
        echo_json({"same": current["same"], "related": current["related"],
                   "source": "stored" if stored else "default", "version": version,
                   "defaults": defaults})
        return
    source = f"stored, version {version}" if stored else "model defaults"
    click.echo(f"same {current['same']}, related {current['related']} ({source})")


@thresholds_group.command("fit")
@click.option("--save", is_flag=True, help="Store the fitted thresholds.")
@click.option("--json", "as_json", is_flag=True, help="Output JSON.")
@click.pass_context
@friendly_errors
def fit(ctx: click.Context, save: bool, as_json: bool) -> None:
    """Fit thresholds from reviewers' confirm/reject decisions in the database.

    Needs at least 5 confirmed and 5 rejected suggestions.

    Example:

        desk thresholds fit

        desk thresholds fit --save --json
    """
    with services(settings_from(ctx)) as svc:
        actor = svc.system_user_id()
        proposal = svc.matching.proposed_thresholds(actor)
        if proposal is None:
            raise ValidationError("too few reviewer decisions to fit thresholds (need at least "
                                  "5 confirmed and 5 rejected suggestions)")
        version = None
        if save:
            version = svc.matching.apply_thresholds(actor, same=proposal["same"],
                                                    related=proposal["related"],
                                                    expected_version=proposal["version"])
    if as_json:
        echo_json({**proposal, "saved": save, "saved_version": version})
        return
    click.echo(f"Fitted from {proposal['labels']} decisions ({proposal['confirmed']} confirmed, "
               f"{proposal['rejected']} rejected): same {proposal['same']}, "
               f"related {proposal['related']}")
    click.echo("Stored." if save else "Not stored (add --save).")


@thresholds_group.command("set")
@click.option("--same", type=click.FloatRange(0, 1), required=True,
              help="Score from which a match is linked automatically.")
@click.option("--related", type=click.FloatRange(0, 1), required=True,
              help="Score from which a match is suggested to a person.")
@click.pass_context
@friendly_errors
def set_thresholds(ctx: click.Context, same: float, related: float) -> None:
    """Store thresholds by hand (every running desk picks them up).

    Example:

        desk thresholds set --same 0.9 --related 0.55
    """
    with services(settings_from(ctx)) as svc:
        actor = svc.system_user_id()
        _, version = svc.settings.thresholds(actor)
        new_version = svc.matching.apply_thresholds(actor, same=same, related=related,
                                                    expected_version=version)
    click.echo(f"Thresholds set: same {same}, related {related} (version {new_version}).")
