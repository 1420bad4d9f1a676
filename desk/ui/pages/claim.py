"""Claim workspace: the claim as plain text, its sightings, the engine's candidates,
workflow and assignment, notes, and the rebuttal editor."""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timezone

import pandas as pd
import streamlit as st

from desk.domain import CLAIM_TRANSITIONS, Claim, ClaimStatus, DismissReason, NoteTarget, Verdict
from desk.errors import DeskError
from desk.services.claims import MANUAL_TARGETS
from desk.ui import lookups
from desk.ui.candidates import candidates
from desk.ui.charts import bars
from desk.ui.context import PageContext, current
from desk.ui.rebuttal_editor import editor
from desk.ui.widgets import (
    alert, caption, error_message, field, flash, guard, heading, link, plain, seen_version,
    table,
)

ID_KEY = "claim.id"
URL_KEY = "claim.url"          # the ?claim= value last acted on
REOPENABLE = (ClaimStatus.DISMISSED, ClaimStatus.DUPLICATE, ClaimStatus.ANSWERED)


def _claim_id(ctx: PageContext) -> int | None:
    raw = st.query_params.get("claim")
    if raw != st.session_state.get(URL_KEY):
        # A link was followed (or the address typed): it names the claim to open.
        st.session_state[URL_KEY] = raw
        if raw and str(raw).isdigit():
            st.session_state[ID_KEY] = int(raw)
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    typed = c1.number_input(ctx.t("claim.goto"), min_value=1, step=1, value=None,
                            key="claim.goto")
    if c2.button(ctx.t("claim.goto_go"), key="claim.goto_go") and typed:
        st.session_state[ID_KEY] = int(typed)
    value = st.session_state.get(ID_KEY)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _details(ctx: PageContext, claim: Claim) -> None:
    t = ctx.t
    with st.container(border=True, key="claim.text_box"):
        caption(t("claim.text"))
        plain(claim.text)
    c1, c2, c3 = st.columns(3)
    with c1:
        field(t("claim.status"), t.label("status", claim.status)
              + (f" ({t.label('reason', claim.dismiss_reason)})" if claim.dismiss_reason else ""))
        field(t("claim.priority"), f"{claim.priority:.1f}")
        field(t("claim.lang"), t.label("lang", claim.lang))
        field(t("claim.channel"), t.label("channel", claim.channel))
    with c2:
        field(t("claim.region"), lookups.region_label_by_id(ctx, claim.region_id))
        field(t("claim.topics"), ", ".join(lookups.topic_label(ctx, s) for s in claim.topics))
        field(t("claim.assignee"), lookups.name_of(ctx, claim.assignee_id))
        field(t("claim.due"), (claim.due_at or "").replace("T", " ").rstrip("Z"))
    with c3:
        field(t("claim.first_seen"), claim.first_seen_at.replace("T", " ").rstrip("Z"))
        field(t("claim.last_seen"), claim.last_seen_at.replace("T", " ").rstrip("Z"))
        field(t("claim.spread"), t("claim.spread_value", sightings=claim.sighting_count,
                                   groups=claim.group_count, regions=claim.region_count,
                                   day=claim.sightings_24h))
        field(t("claim.group"), claim.source_group or "")
    if claim.duplicate_of:
        caption(t("claim.duplicate_of", id=claim.duplicate_of))
    if claim.answered_by:
        caption(t("claim.answered_by", id=claim.answered_by))
    if claim.source_url:
        link(claim.source_url, t("claim.open_source"), key="claim.source_link")


def _sightings(ctx: PageContext, claim: Claim) -> None:
    t = ctx.t
    sightings = ctx.svc.claims.sightings(ctx.actor, claim.id, limit=500)
    if not sightings:
        caption(t("claim.no_sightings"))
        return
    per_day = Counter(s.seen_at[:10] for s in sightings)
    days = sorted(per_day)
    bars(pd.DataFrame({"day": days, "n": [per_day[d] for d in days]}), x="day", y="n",
         x_title=t("claim.day"), y_title=t("claim.sightings"), height=180)
    c1, c2 = st.columns(2)
    groups = Counter(s.source_group or t("common.none") for s in sightings).most_common(15)
    table(pd.DataFrame({t("claim.group"): [g for g, _ in groups],
                        t("claim.sightings"): [n for _, n in groups]}), "claim.by_group", where=c1)
    regions = Counter(lookups.region_label_by_id(ctx, s.region_id) or t("common.none")
                      for s in sightings).most_common(15)
    table(pd.DataFrame({t("claim.region"): [r for r, _ in regions],
                        t("claim.sightings"): [n for _, n in regions]}), "claim.by_region",
          where=c2)
    if len(sightings) >= 500:
        caption(t("claim.sightings_capped"))


def _workflow(ctx: PageContext, claim: Claim, version: int) -> None:
    t = ctx.t
    allowed_next = CLAIM_TRANSITIONS[claim.status]
    cols = st.columns(4, vertical_alignment="bottom")
    action = None
    if ctx.may("claim.take") and claim.assignee_id != ctx.actor and cols[0].button(
            t("claim.take"), key="claim.take", icon=":material/back_hand:"):
        action = ("assign", ctx.actor)
    if ctx.may("claim.assign"):
        members = {m.id: m for m in lookups.team(ctx) if m.role.value != "coordinator"}
        options = [0, *members]
        who = cols[1].selectbox(
            t("claim.assign_to"), options=options,
            index=options.index(claim.assignee_id) if claim.assignee_id in members else 0,
            format_func=lambda i: t("triage.member", name=members[i].display_name,
                                    count=members[i].open_claims) if i else t("claim.unassigned"),
            key="claim.assignee")
        if cols[1].button(t("claim.assign"), key="claim.assign"):
            action = ("assign", who or None)
    if ctx.may("claim.triage"):
        for n, target in enumerate(s for s in (ClaimStatus.TRIAGED, ClaimStatus.IN_RESEARCH)
                                   if s in allowed_next and s in MANUAL_TARGETS):
            if cols[2 + n].button(t("claim.move_to", status=t.label("status", target)),
                                  key=f"claim.to_{target.value}"):
                action = ("move", target)
    d1, d2, d3 = st.columns(3, vertical_alignment="bottom")
    if ctx.may("claim.dismiss"):
        if ClaimStatus.DISMISSED in allowed_next:
            reason = d1.selectbox(t("claim.dismiss_reason"), key="claim.dismiss_reason",
                                  options=[r.value for r in DismissReason],
                                  format_func=lambda v: t.label("reason", v))
            if d1.button(t("claim.dismiss"), key="claim.dismiss", icon=":material/block:"):
                action = ("dismiss", reason)
        if ClaimStatus.DUPLICATE in allowed_next:
            canonical = d2.number_input(t("claim.duplicate_id"), min_value=1, step=1, value=None,
                                        key="claim.duplicate_id")
            if d2.button(t("claim.mark_duplicate"), key="claim.mark_duplicate") and canonical:
                action = ("duplicate", int(canonical))
        if claim.status in REOPENABLE and d3.button(t("claim.reopen"), key="claim.reopen",
                                                    icon=":material/undo:"):
            action = ("reopen", None)
    if action is None:
        return
    claims = ctx.svc.claims
    with guard(t) as attempt:
        kind, arg = action
        if kind == "assign":
            claims.assign(ctx.actor, claim.id, arg, expected_version=version)
        elif kind == "move":
            claims.transition(ctx.actor, claim.id, arg, expected_version=version)
        elif kind == "dismiss":
            claims.dismiss(ctx.actor, claim.id, arg, expected_version=version)
        elif kind == "duplicate":
            claims.mark_duplicate(ctx.actor, claim.id, arg, expected_version=version)
        else:
            claims.reopen(ctx.actor, claim.id, expected_version=version)
    if attempt.ok:
        flash("success", t("claim.saved"))
        st.rerun()


def _edit(ctx: PageContext, claim: Claim, version: int) -> None:
    """Region, topics, due date and verdict."""
    t = ctx.t
    if not ctx.may("claim.edit"):
        return
    regions = lookups.pickable_regions(ctx)
    by_code = {r.code: r for r in regions}
    current_code = next((r.code for r in lookups.regions(ctx) if r.id == claim.region_id), "")
    if current_code and current_code not in by_code:
        by_code[current_code] = lookups.region_by_id(ctx)[claim.region_id]
    codes = ["", *by_code]
    topics = [tp.slug for tp in lookups.topics(ctx)]
    due = datetime.fromisoformat(claim.due_at.replace("Z", "+00:00")) if claim.due_at else None
    verdicts = ["", *[v.value for v in Verdict]]
    if st.session_state.get("claim.edit_loaded") != (claim.id, claim.version):
        # Load the stored values once per version; later reruns keep what was typed.
        st.session_state.update({
            "claim.edit_loaded": (claim.id, claim.version), "claim.edit_region": current_code,
            "claim.edit_topics": [s for s in claim.topics if s in topics],
            "claim.edit_due_day": due.date() if due else None,
            "claim.edit_due_time": due.time() if due else time(18, 0),
            "claim.edit_verdict": claim.verdict.value if claim.verdict else ""})
    with st.form("claim.edit_form"):
        c1, c2 = st.columns(2)
        region = c1.selectbox(t("claim.region"), options=codes,
                              format_func=lambda c: lookups.region_label(ctx, by_code.get(c))
                              if c else t("common.none"), key="claim.edit_region")
        chosen = c2.multiselect(t("claim.topics"), options=topics,
                                format_func=lambda s: lookups.topic_label(ctx, s),
                                key="claim.edit_topics")
        c3, c4, c5 = st.columns(3)
        due_day = c3.date_input(t("claim.due_day"), key="claim.edit_due_day",
                                format="YYYY-MM-DD")
        due_time = c4.time_input(t("claim.due_time"), key="claim.edit_due_time")
        verdict = c5.selectbox(t("claim.verdict"), options=verdicts,
                               format_func=lambda v: t.label("verdict", v) if v else t("common.none"),
                               key="claim.edit_verdict")
        save = st.form_submit_button(t("claim.edit_save"), key="claim.edit_save")
    if not save:
        return
    due_at = None
    if isinstance(due_day, date):
        due_at = datetime.combine(due_day, due_time or time(18, 0), tzinfo=timezone.utc) \
            .strftime("%Y-%m-%dT%H:%M:%SZ")
    with guard(t) as attempt:
        ctx.svc.claims.update(ctx.actor, claim.id, expected_version=version,
                              region_code=region or None, topics=chosen, due_at=due_at,
                              verdict=verdict or None)
    if attempt.ok:
        flash("success", t("claim.saved"))
        st.rerun()


def _notes(ctx: PageContext, claim: Claim) -> None:
    t = ctx.t
    if st.session_state.pop("claim.note_reset", False):
        st.session_state["claim.note"] = ""
    notes = ctx.svc.notes.list(ctx.actor, NoteTarget.CLAIM, claim.id)
    names = lookups.names(ctx, [n.author_id for n in notes])
    for note in notes:
        caption(f"{names.get(note.author_id, '#' + str(note.author_id))} · "
                f"{note.created_at.replace('T', ' ').rstrip('Z')}")
        plain(note.body)
    if not ctx.may("note.add"):
        return
    st.text_area(t("claim.note"), key="claim.note", height=80, max_chars=10_000)
    if st.button(t("claim.note_add"), key="claim.note_add", icon=":material/add_comment:"):
        with guard(t) as attempt:
            ctx.svc.notes.add(ctx.actor, NoteTarget.CLAIM, claim.id,
                              st.session_state.get("claim.note") or "")
        if attempt.ok:
            st.session_state["claim.note_reset"] = True
            st.rerun()


def render(ctx: PageContext) -> None:
    t = ctx.t
    claim_id = _claim_id(ctx)
    if claim_id is None:
        st.title(t("claim.title_none"))
        alert("info", t("claim.pick_hint"))
        return
    try:
        claim = ctx.svc.claims.get(ctx.actor, claim_id)
    except DeskError as exc:
        st.title(t("claim.title", id=claim_id))
        alert("error", error_message(t, exc))
        return
    st.query_params["claim"] = st.session_state[URL_KEY] = str(claim.id)
    version = seen_version(f"claim.seen.{claim.id}", claim.version)
    st.title(t("claim.title", id=claim.id))
    _details(ctx, claim)
    with st.expander(t("claim.workflow"), expanded=True, icon=":material/account_tree:"):
        _workflow(ctx, claim, version)
        _edit(ctx, claim, version)
    with st.expander(t("claim.sightings_title", count=claim.sighting_count),
                     icon=":material/timeline:"):
        _sightings(ctx, claim)
    heading(t("claim.candidates"))
    candidates(ctx, claim, version)
    with st.expander(t("claim.notes"), icon=":material/forum:"):
        _notes(ctx, claim)
    heading(t("claim.rebuttal"))
    editor(ctx, claim)


if __name__ == "__main__":
    render(current())
