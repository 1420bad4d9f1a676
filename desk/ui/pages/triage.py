"""Triage inbox: the queue by priority with counts and filters, search by meaning,
bulk actions (take, assign, dismiss, mark duplicate) and intake of new claims."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from desk.domain import OPEN_CLAIM_STATUSES, Channel, ClaimStatus, DismissReason, QueueFilter
from desk.errors import DeskError
from desk.ui import lookups, resources
from desk.ui.context import PageContext, current
from desk.ui.intake_forms import claim_form, upload_form
from desk.ui.safe import snippet
from desk.ui.widgets import (
    alert, caption, error_message, flash, guard, live_matching, table,
)

PAGE_SIZE = 50
LANGS = ("hi", "hi-Latn", "en", "mixed")
SEEN_KEY = "triage.seen"


def _filters(ctx: PageContext) -> QueueFilter:
    t = ctx.t
    regions = lookups.pickable_regions(ctx)
    by_id = {r.id: r for r in regions}
    members = lookups.team(ctx)
    member_names = {f"u{m.id}": m.display_name for m in members}
    with st.expander(t("triage.filters"), expanded=True, icon=":material/filter_list:"):
        c1, c2, c3, c4 = st.columns(4)
        statuses = c1.multiselect(
            t("triage.filter_status"), options=[s.value for s in ClaimStatus],
            default=[s.value for s in OPEN_CLAIM_STATUSES],
            format_func=lambda v: t.label("status", v), key="triage.filter_status")
        topic = c2.selectbox(t("triage.filter_topic"),
                             options=[""] + [tp.slug for tp in lookups.topics(ctx)],
                             format_func=lambda s: lookups.topic_label(ctx, s),
                             key="triage.filter_topic")
        region_id = c3.selectbox(t("triage.filter_region"), options=[0, *by_id],
                                 format_func=lambda i: lookups.region_label(ctx, by_id.get(i))
                                 if i else t("common.any"),
                                 key="triage.filter_region", help=t("triage.filter_region_help"))
        lang = c4.selectbox(t("triage.filter_lang"), options=["", *LANGS],
                            format_func=lambda v: t.label("lang", v) if v else t("common.any"),
                            key="triage.filter_lang")
        c5, c6, c7, c8 = st.columns(4)
        assignee = c5.selectbox(
            t("triage.filter_assignee"), options=["", "me", "none", *member_names],
            format_func=lambda v: {"": t("common.any"), "me": t("triage.assignee_me"),
                                   "none": t("triage.assignee_none")}.get(v)
            or member_names.get(v, v), key="triage.filter_assignee")
        channel = c6.selectbox(t("triage.filter_channel"), options=["", *[c.value for c in Channel]],
                               format_func=lambda v: t.label("channel", v) if v else t("common.any"),
                               key="triage.filter_channel")
        dates = c7.date_input(t("triage.filter_dates"), value=(), key="triage.filter_dates",
                              help=t("triage.filter_dates_help"), format="YYYY-MM-DD")
        text = c8.text_input(t("triage.filter_text"), key="triage.filter_text", max_chars=200,
                             help=t("triage.filter_text_help"))
    seen_from = seen_to = None
    picked = [d for d in (dates or ()) if isinstance(d, date)]
    if picked:
        seen_from = f"{picked[0].isoformat()}T00:00:00Z"
        seen_to = f"{picked[-1].isoformat()}T23:59:59Z"
    assignee_id = None
    if assignee == "me":
        assignee_id = ctx.actor
    elif assignee.startswith("u"):
        assignee_id = int(assignee[1:])
    return QueueFilter(
        statuses=tuple(ClaimStatus(s) for s in statuses) or tuple(ClaimStatus),
        topic=topic or None, region_id=region_id or None, lang=lang or None,
        assignee_id=assignee_id, unassigned=assignee == "none",
        channel=Channel(channel) if channel else None, seen_from=seen_from, seen_to=seen_to,
        text=text.strip() or None)


def _counts(ctx: PageContext, page) -> None:
    t = ctx.t
    shown = [f"{t.label('status', s)}: {n}" for s, n in page.status_counts.items() if n]
    caption(" · ".join(shown) if shown else t("triage.empty"))


def _table(ctx: PageContext, rows) -> None:
    t = ctx.t
    names = lookups.names(ctx, [r.assignee_id for r in rows])
    frame = pd.DataFrame({
        "#": [r.id for r in rows],
        t("triage.col_priority"): [round(r.priority, 1) for r in rows],
        t("triage.col_status"): [t.label("status", r.status) for r in rows],
        t("triage.col_claim"): [snippet(r.text, 160) for r in rows],
        t("triage.col_lang"): [t.label("lang", r.lang) for r in rows],
        t("triage.col_channel"): [t.label("channel", r.channel) for r in rows],
        t("triage.col_region"): [lookups.region_label_by_id(ctx, r.region_id) for r in rows],
        t("triage.col_assignee"): [names.get(r.assignee_id, "") if r.assignee_id else ""
                                   for r in rows],
        t("triage.col_sightings"): [r.sighting_count for r in rows],
        t("triage.col_groups"): [r.group_count for r in rows],
        t("triage.col_last_seen"): [r.last_seen_at.replace("T", " ").rstrip("Z") for r in rows],
        t("triage.col_due"): [(r.due_at or "").replace("T", " ").rstrip("Z") for r in rows],
    })
    table(frame, "triage.table")


def _semantic_search(ctx: PageContext) -> list[int]:
    """Search claims and the library by meaning; returns claim ids found."""
    t = ctx.t
    matching = live_matching(ctx)
    if matching is None or not ctx.may("match.run"):
        return []
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    query = c1.text_input(t("triage.semantic"), key="triage.semantic", max_chars=2000,
                          help=t("triage.semantic_help"))
    if c2.button(t("triage.semantic_go"), key="triage.semantic_go", icon=":material/search:"):
        with guard(t) as attempt:
            hits = matching.search(ctx.actor, query, k=20, collections=("claims", "library"))
        st.session_state["triage.semantic_hits"] = (
            [(h.kind, h.ref_id, h.tier, round(float(h.score), 3), h.status, snippet(h.text, 140),
              (h.explanation or {}).get("summary", "")) for h in hits] if attempt.ok else [])
    hits = st.session_state.get("triage.semantic_hits") or []
    if not hits:
        return []
    frame = pd.DataFrame({
        t("triage.col_kind"): [t.label("kind", h[0]) for h in hits],
        "#": [h[1] for h in hits],
        t("triage.col_tier"): [t.label("tier", h[2]) for h in hits],
        t("triage.col_score"): [h[3] for h in hits],
        t("triage.col_status"): [str(h[4] or "") for h in hits],
        t("triage.col_text"): [h[5] for h in hits],
        t("triage.col_why"): [h[6] for h in hits],
    })
    table(frame, "triage.semantic_table")
    return [h[1] for h in hits if h[0] == "claim"]


def _bulk(ctx: PageContext, rows, seen: dict[int, int]) -> None:
    t = ctx.t
    options = [r.id for r in rows]
    labels = {r.id: lookups.claim_option(r.id, r.text) for r in rows}
    if "triage.selected" in st.session_state:
        st.session_state["triage.selected"] = [i for i in st.session_state["triage.selected"]
                                               if i in labels]
    selected = st.multiselect(t("triage.selected"), options=options,
                              format_func=lambda i: labels.get(i, f"#{i}"), key="triage.selected",
                              placeholder=t("triage.selected_placeholder"))
    versions = {r.id: r.version for r in rows}
    cols = st.columns(4, vertical_alignment="bottom")
    action = None
    if ctx.may("claim.take") and cols[0].button(t("triage.bulk_take"), key="triage.bulk_take",
                                                 icon=":material/back_hand:"):
        action = ("take", None)
    if ctx.may("claim.assign"):
        members = {m.id: m for m in lookups.team(ctx) if m.role.value != "coordinator"}
        who = cols[1].selectbox(t("triage.bulk_assignee"), options=list(members),
                                format_func=lambda i: t("triage.member", name=members[i].display_name,
                                                        count=members[i].open_claims),
                                key="triage.bulk_assignee")
        if cols[1].button(t("triage.bulk_assign"), key="triage.bulk_assign"):
            action = ("assign", who)
    if ctx.may("claim.dismiss"):
        reason = cols[2].selectbox(t("triage.bulk_reason"),
                                   options=[r.value for r in DismissReason],
                                   format_func=lambda v: t.label("reason", v),
                                   key="triage.bulk_reason")
        if cols[2].button(t("triage.bulk_dismiss"), key="triage.bulk_dismiss"):
            action = ("dismiss", reason)
        canonical = cols[3].number_input(t("triage.bulk_canonical"), min_value=1, step=1,
                                         value=None, key="triage.bulk_canonical")
        if cols[3].button(t("triage.bulk_duplicate"), key="triage.bulk_duplicate"):
            action = ("duplicate", canonical)
    if action is None:
        return
    if not selected:
        alert("warning", t("triage.bulk_none_selected"))
        return
    if action[0] == "duplicate" and not action[1]:
        alert("warning", t("triage.bulk_need_canonical"))
        return
    done, failures = 0, []
    claims = ctx.svc.claims
    for claim_id in selected:
        version = seen.get(claim_id, versions.get(claim_id))
        try:
            if action[0] == "take":
                claims.assign(ctx.actor, claim_id, ctx.actor, expected_version=version)
            elif action[0] == "assign":
                claims.assign(ctx.actor, claim_id, action[1], expected_version=version)
            elif action[0] == "dismiss":
                claims.dismiss(ctx.actor, claim_id, action[1], expected_version=version)
            else:
                claims.mark_duplicate(ctx.actor, claim_id, int(action[1]),
                                      expected_version=version)
            done += 1
        except DeskError as exc:
            failures.append(f"#{claim_id}: {error_message(t, exc)}")
    if done:
        flash("success", t("triage.bulk_done", count=done))
    for failure in failures:
        flash("error", failure)
    st.session_state.pop("triage.selected", None)
    st.rerun()


def _open_claim(ctx: PageContext, rows, extra_ids: list[int]) -> None:
    t = ctx.t
    labels = {r.id: lookups.claim_option(r.id, r.text) for r in rows}
    last = st.session_state.get("triage.last_claim")
    ids = list(dict.fromkeys([*([last] if isinstance(last, int) else []), *labels, *extra_ids]))
    if not ids:
        return
    if isinstance(last, int) and st.session_state.get("triage.offered") != last:
        # A claim was just logged: offer it, even over a claim picked here earlier
        # (a keyed selectbox keeps its old value when its options change).
        st.session_state["triage.offered"] = last
        st.session_state["triage.open_id"] = last
    c1, c2 = st.columns([4, 1], vertical_alignment="bottom")
    chosen = c1.selectbox(t("triage.open_pick"), options=ids,
                          format_func=lambda i: labels.get(i, f"#{i}"), key="triage.open_id")
    if c2.button(t("triage.open"), key="triage.open", type="primary",
                 icon=":material/open_in_new:") and chosen:
        st.session_state["claim.id"] = int(chosen)
        st.switch_page(ctx.pages["claim"])


def render(ctx: PageContext) -> None:
    t = ctx.t
    st.title(t("triage.title"))
    filters = _filters(ctx)
    signature = repr(filters)
    if st.session_state.get("triage.filter_sig") != signature:
        st.session_state["triage.filter_sig"] = signature
        st.session_state.pop("triage.page", None)   # new filters start on page 1
    wanted = st.session_state.get("triage.page", 1)
    wanted = wanted if isinstance(wanted, int) and not isinstance(wanted, bool) and wanted > 0 else 1
    try:
        # Priorities age without anyone pressing a button; the next run shows them.
        resources.age_in_background(ctx.settings, ctx.svc)
        page = ctx.svc.claims.queue(ctx.actor, filters, page=wanted, page_size=PAGE_SIZE)
        if not page.rows and page.total and wanted > page.pages:
            page = ctx.svc.claims.queue(ctx.actor, filters, page=page.pages, page_size=PAGE_SIZE)
    except DeskError as exc:
        alert("error", error_message(t, exc))
        return
    _counts(ctx, page)
    first = (page.page - 1) * PAGE_SIZE + 1 if page.total else 0
    last = min(page.total, page.page * PAGE_SIZE)
    st.metric(t("triage.total"), page.total,
              help=t("triage.showing", first=first, last=last, total=page.total))
    _table(ctx, page.rows)
    if page.pages > 1:
        if st.session_state.get("triage.page", 1) != page.page:
            st.session_state["triage.page"] = page.page     # clamped to the last page
        st.pagination(page.pages, key="triage.page", max_visible_pages=7)
    seen = st.session_state.get(SEEN_KEY) or {}
    st.session_state[SEEN_KEY] = {r.id: r.version for r in page.rows}
    claim_hits = _semantic_search(ctx)
    _open_claim(ctx, page.rows, claim_hits)
    with st.container(border=True):
        st.markdown(f"**{t('triage.bulk')}**")
        _bulk(ctx, page.rows, seen)
    if ctx.may("claim.create"):
        with st.expander(t("triage.new_claim"), icon=":material/add:"):
            claim_form(ctx, "triage")
    if ctx.may("claim.import"):
        with st.expander(t("triage.upload"), icon=":material/upload_file:"):
            upload_form(ctx, "triage")


if __name__ == "__main__":
    render(current())
