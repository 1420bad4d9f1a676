"""Dashboard: intake per day by language and channel, the status funnel, time to a
published rebuttal, the most viral open claims, claims by region, reviewer load and
matching quality (share of suggestions reviewers confirmed)."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from desk.domain import RegionLevel
from desk.ui import lookups
from desk.ui.charts import bars, lines
from desk.ui.context import PageContext, current
from desk.ui.safe import snippet
from desk.ui.widgets import caption, heading, table

WINDOWS = (7, 14, 30, 90)


def _hours(value: float | None, t) -> str:
    if value is None:
        return "—"
    return t("dashboard.hours", hours=f"{value:.1f}")


def _intake(ctx: PageContext, days: int) -> None:
    t = ctx.t
    rows = ctx.svc.dashboard.intake(ctx.actor, days=days)
    heading(t("dashboard.intake"))
    if not rows:
        caption(t("dashboard.no_data"))
        return
    t_day, t_claims = t("dashboard.day"), t("dashboard.claims")
    frame = pd.DataFrame([{"day": r.day, "lang": t.label("lang", r.lang or None),
                           "channel": t.label("channel", r.channel), "n": r.claims} for r in rows])
    c1, c2 = st.columns(2)
    with c1:
        caption(t("dashboard.by_lang"))
        bars(frame.groupby(["day", "lang"], as_index=False)["n"].sum(), x="day", y="n",
             color="lang", x_title=t_day, y_title=t_claims, color_title=t("triage.col_lang"))
    with c2:
        caption(t("dashboard.by_channel"))
        bars(frame.groupby(["day", "channel"], as_index=False)["n"].sum(), x="day", y="n",
             color="channel", x_title=t_day, y_title=t_claims,
             color_title=t("triage.col_channel"))
    forwards = ctx.svc.dashboard.forwards(ctx.actor, days=days)
    if forwards:
        caption(t("dashboard.forwards"))
        ff = pd.DataFrame([{"day": r.day, "n": r.forwards} for r in forwards])
        lines(ff.groupby("day", as_index=False)["n"].sum(), x="day", y="n", x_title=t_day,
              y_title=t("dashboard.forwards_axis"))


def _funnel(ctx: PageContext, days: int) -> None:
    t = ctx.t
    heading(t("dashboard.funnel"))
    funnel = ctx.svc.dashboard.funnel(ctx.actor)
    frame = pd.DataFrame({"status": [t.label("status", s) for s, _ in funnel],
                          "n": [n for _, n in funnel]})
    c1, c2 = st.columns([2, 1])
    with c1:
        bars(frame, x="status", y="n", x_title=t("dashboard.status"), y_title=t("dashboard.claims"),
             horizontal=True, keep_order=True, height=300)
    delay_all = ctx.svc.dashboard.time_to_publish(ctx.actor)
    delay_window = ctx.svc.dashboard.time_to_publish(ctx.actor, days=days)
    c2.metric(t("dashboard.median_publish"), _hours(delay_window.median_hours, t),
              help=t("dashboard.median_help", count=delay_window.claims, days=days))
    c2.metric(t("dashboard.p90_publish"), _hours(delay_window.p90_hours, t))
    c2.metric(t("dashboard.median_all"), _hours(delay_all.median_hours, t),
              help=t("dashboard.median_all_help", count=delay_all.claims,
                     arrival=delay_all.answered_on_arrival))


def _viral(ctx: PageContext) -> None:
    t = ctx.t
    heading(t("dashboard.viral"))
    viral = ctx.svc.dashboard.viral_open(ctx.actor, limit=10)
    if not viral:
        caption(t("dashboard.no_data"))
        return
    table(pd.DataFrame({
        "#": [v.id for v in viral],
        t("dashboard.claim"): [snippet(v.text, 120) for v in viral],
        t("dashboard.status"): [t.label("status", v.status) for v in viral],
        t("dashboard.last_24h"): [v.sightings_24h for v in viral],
        t("dashboard.sightings"): [v.sightings for v in viral],
        t("dashboard.groups"): [v.groups for v in viral],
        t("dashboard.region"): [lookups.region_label_by_id(ctx, v.region_id) for v in viral],
    }), "dashboard.viral")


def _regions(ctx: PageContext) -> None:
    t = ctx.t
    heading(t("dashboard.regions"))
    c1, c2 = st.columns([1, 3])
    level = c1.selectbox(t("dashboard.level"), options=[lv.value for lv in RegionLevel][:3],
                         format_func=lambda v: t.label("level", v), key="dashboard.level")
    open_only = c1.toggle(t("dashboard.open_only"), value=True, key="dashboard.open_only")
    rows = ctx.svc.dashboard.by_region(ctx.actor, level=level, open_only=open_only)
    if not rows:
        c2.caption(t("dashboard.no_data"))
        return
    names = [lookups.region_label(ctx, lookups.region_by_id(ctx).get(r.region_id), indent=False)
             if r.region_id else t("dashboard.no_region") for r in rows]
    with c2:
        bars(pd.DataFrame({"region": names, "n": [r.claims for r in rows]}), x="region", y="n",
             x_title=t("dashboard.region"), y_title=t("dashboard.claims"), horizontal=True,
             keep_order=True, height=300)


def _reviewers(ctx: PageContext, days: int) -> None:
    t = ctx.t
    heading(t("dashboard.reviewers"))
    load = ctx.svc.dashboard.reviewer_load(ctx.actor, days=days)
    st.metric(t("dashboard.waiting"), load.waiting)
    if load.reviewers:
        table(pd.DataFrame({
            t("dashboard.person"): [r.display_name for r in load.reviewers],
            t("dashboard.role"): [t.label("role", r.role) for r in load.reviewers],
            t("dashboard.approved"): [r.approved for r in load.reviewers],
            t("dashboard.sent_back"): [r.sent_back for r in load.reviewers],
            t("dashboard.open_claims"): [r.open_claims for r in load.reviewers],
        }), "dashboard.reviewer_table")


def _matching(ctx: PageContext) -> None:
    t = ctx.t
    heading(t("dashboard.matching"))
    q = ctx.svc.dashboard.matching_quality(ctx.actor)
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(t("dashboard.share_confirmed"),
              f"{q.share_confirmed:.0%}" if q.share_confirmed is not None else "—",
              help=t("dashboard.share_help"))
    c2.metric(t.label("decision", "confirmed"), q.confirmed)
    c3.metric(t.label("decision", "rejected"), q.rejected)
    c4.metric(t.label("decision", "suggested"), q.pending)
    table(pd.DataFrame({
        t("dashboard.tier"): [t.label("tier", tier) for tier in q.by_tier],
        **{t.label("decision", d): [q.by_tier[tier].get(d, 0) for tier in q.by_tier]
           for d in ("confirmed", "rejected", "suggested", "auto")},
    }), "dashboard.matching_table")


def render(ctx: PageContext) -> None:
    t = ctx.t
    st.title(t("dashboard.title"))
    days = st.segmented_control(t("dashboard.window"), options=list(WINDOWS), default=30, required=True,
                                format_func=lambda d: t("dashboard.days", days=d),
                                key="dashboard.days") or 30
    _intake(ctx, days)
    _funnel(ctx, days)
    _viral(ctx)
    _regions(ctx)
    c1, c2 = st.columns(2)
    with c1:
        _reviewers(ctx, days)
    with c2:
        _matching(ctx)


if __name__ == "__main__":
    render(current())
