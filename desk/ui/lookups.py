"""Reference data for widgets (regions, topics, colleagues), loaded once per run,
and how records are labelled in option lists.  Labels are plain text: option
lists never render Markdown."""
from __future__ import annotations

from typing import Sequence

from desk.domain import Region, RegionLevel, Topic
from desk.ui.context import PageContext
from desk.ui.safe import snippet

#: Region levels offered in filters and forms (blocks and booths are reached
#: through "including descendants" of their constituency).
PICKABLE_LEVELS = (RegionLevel.STATE, RegionLevel.DISTRICT, RegionLevel.AC)
_INDENT = {RegionLevel.STATE: "", RegionLevel.DISTRICT: "· ", RegionLevel.AC: "· · ",
           RegionLevel.BLOCK: "· · · ", RegionLevel.BOOTH: "· · · · "}


def regions(ctx: PageContext) -> list[Region]:
    return ctx.once("regions", lambda: ctx.svc.regions.list(ctx.actor))


def region_by_id(ctx: PageContext) -> dict[int, Region]:
    return ctx.once("regions_by_id", lambda: {r.id: r for r in regions(ctx)})


def pickable_regions(ctx: PageContext) -> list[Region]:
    return [r for r in regions(ctx) if r.level in PICKABLE_LEVELS]


def region_name(ctx: PageContext, region: Region | None) -> str:
    if region is None:
        return ""
    if ctx.lang == "hi" and region.name_hi:
        return region.name_hi
    return region.name


def region_label(ctx: PageContext, region: Region | None, *, indent: bool = True) -> str:
    if region is None:
        return ctx.t("common.none")
    prefix = _INDENT.get(region.level, "") if indent else ""
    return f"{prefix}{region_name(ctx, region)} ({region.code})"


def region_label_by_id(ctx: PageContext, region_id: int | None) -> str:
    if region_id is None:
        return ""
    region = region_by_id(ctx).get(region_id)
    return region_label(ctx, region, indent=False) if region else f"#{region_id}"


def topics(ctx: PageContext) -> list[Topic]:
    return ctx.once("topics", lambda: ctx.svc.regions.topics(ctx.actor))


def topic_label(ctx: PageContext, slug: str | None) -> str:
    if not slug:
        return ctx.t("common.any")
    for topic in topics(ctx):
        if topic.slug == slug:
            return (topic.name_hi if ctx.lang == "hi" and topic.name_hi else topic.name_en)
    return slug


def team(ctx: PageContext):
    return ctx.once("team", lambda: ctx.svc.dashboard.team(ctx.actor))


def names(ctx: PageContext, user_ids: Sequence[int | None]) -> dict[int, str]:
    """Display names for user ids (any role may read them)."""
    known: dict[int, str] = ctx.memo.setdefault("names", {})
    missing = sorted({u for u in user_ids if u is not None and u not in known})
    if missing:
        known.update(ctx.svc.users.display_names(ctx.actor, missing))
    return known


def name_of(ctx: PageContext, user_id: int | None) -> str:
    if user_id is None:
        return ""
    return names(ctx, [user_id]).get(user_id, f"#{user_id}")


def claim_option(claim_id: int, text: str, limit: int = 70) -> str:
    return f"#{claim_id} · {snippet(text, limit)}"
