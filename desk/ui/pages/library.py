"""Rebuttal library: approved and published rebuttals for a region (with its
descendants), topic, language and dates.  Copy the WhatsApp text, download CSV,
JSON, ClaimReview JSON-LD or the Markdown bulletin.  Every pull is recorded, and a
rebuttal corrected or retracted since you pulled it is flagged."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from desk.domain import Rebuttal, RebuttalStatus
from desk.errors import DeskError
from desk.ui import lookups
from desk.ui.context import PageContext, current
from desk.ui.safe import snippet
from desk.ui.widgets import (
    alert, caption, error_message, field, flash, guard, link, optional_service, plain,
    seen_version, table,
)

FORMATS = ("whatsapp", "csv", "json", "claimreview", "bulletin")
LANGS = ("hi", "en")


def warning_text(warning: object) -> str:
    """An exporter warning (``ExportWarning`` or text) as one readable line."""
    message = getattr(warning, "message", None)
    if message is None:
        return str(warning)
    rid = getattr(warning, "rebuttal_id", None)
    where = " ".join(x for x in (f"#{rid}" if rid else "", getattr(warning, "field", None) or "") if x)
    return f"{where}: {message}" if where else str(message)


def _filters(ctx: PageContext) -> dict:
    t = ctx.t
    regions = lookups.pickable_regions(ctx)
    by_code = {r.code: r for r in regions}
    own = lookups.region_by_id(ctx).get(ctx.user.region_id) if ctx.user.region_id else None
    if "library.filter_region" not in st.session_state and own is not None:
        by_code.setdefault(own.code, own)
        st.session_state["library.filter_region"] = own.code
    c1, c2, c3, c4 = st.columns(4)
    region = c1.selectbox(t("library.filter_region"), options=["", *by_code],
                          format_func=lambda c: lookups.region_label(ctx, by_code.get(c))
                          if c else t("library.all_regions"),
                          key="library.filter_region", help=t("library.filter_region_help"))
    topic = c2.selectbox(t("library.filter_topic"),
                         options=[""] + [tp.slug for tp in lookups.topics(ctx)],
                         format_func=lambda s: lookups.topic_label(ctx, s),
                         key="library.filter_topic")
    lang = c3.selectbox(t("library.filter_lang"), options=["", *LANGS],
                        format_func=lambda v: t.label("lang", v) if v else t("common.any"),
                        key="library.filter_lang")
    dates = c4.date_input(t("library.filter_dates"), value=(), key="library.filter_dates",
                          format="YYYY-MM-DD", help=t("library.filter_dates_help"))
    picked = [d for d in (dates or ()) if isinstance(d, date)]
    return {"region_code": region or None, "topic": topic or None, "lang": lang or None,
            "since": f"{picked[0].isoformat()}T00:00:00Z" if picked else None,
            "until": f"{picked[-1].isoformat()}T23:59:59Z" if picked else None}


def _corrections(ctx: PageContext) -> set[int]:
    t = ctx.t
    notices = ctx.svc.pulls.corrections(ctx.actor)
    for n in notices:
        if n.status == RebuttalStatus.RETRACTED:
            alert("error", t("library.retracted_since", id=n.rebuttal_id,
                             version=n.pulled_version_no, at=n.pulled_at[:10]))
        else:
            alert("warning", t("library.corrected_since", id=n.rebuttal_id,
                               version=n.pulled_version_no, at=n.pulled_at[:10],
                               now=n.current_version_no))
    return {n.rebuttal_id for n in notices}


def _table(ctx: PageContext, rebuttals: list[Rebuttal], flagged: set[int]) -> None:
    t = ctx.t
    frame = pd.DataFrame({
        "#": [r.id for r in rebuttals],
        t("library.col_verdict"): [t.label("verdict", r.current.verdict if r.current else r.verdict)
                                   for r in rebuttals],
        t("library.col_title"): [snippet((r.current.title or r.current.whatsapp_text)
                                         if r.current else "", 90) for r in rebuttals],
        t("library.col_lang"): [t.label("lang", r.current.lang if r.current else r.lang)
                                for r in rebuttals],
        t("library.col_region"): [lookups.region_label_by_id(ctx, r.region_id)
                                  or t("library.nationwide") for r in rebuttals],
        t("library.col_topics"): [", ".join(lookups.topic_label(ctx, s) for s in r.topics)
                                  for r in rebuttals],
        t("library.col_status"): [t.label("rstatus", r.status) for r in rebuttals],
        t("library.col_version"): [r.live_version_no for r in rebuttals],
        t("library.col_updated"): [r.updated_at[:10] for r in rebuttals],
        t("library.col_flag"): [t("library.flag_corrected") if r.id in flagged else ""
                                for r in rebuttals],
    })
    table(frame, "library.table")


def _one(ctx: PageContext, rebuttal: Rebuttal, flagged: set[int]) -> None:
    t = ctx.t
    v = rebuttal.current
    if v is None:
        return
    if rebuttal.id in flagged:
        alert("warning", t("library.take_new"))
    with st.container(border=True, key="library.item"):
        field(t("library.col_verdict"), t.label("verdict", v.verdict))
        if v.title:
            field(t("library.col_title"), v.title)
        caption(t("library.full_text"))
        plain(v.full_text)
        for n, source in enumerate(v.links):
            link(source.url, source.title or source.url, key=f"library.link_{n}")
    publishing = optional_service(ctx, "publishing")
    langs = [v.lang or "hi", *[x for x in (v.translations or {}) if x != v.lang]]
    c1, c2 = st.columns([1, 3], vertical_alignment="bottom")
    lang = c1.selectbox(t("library.copy_lang"), options=langs,
                        format_func=lambda x: t.label("lang", x), key="library.copy_lang")
    if publishing is not None and c2.button(t("library.copy"), key="library.copy", type="primary",
                                            icon=":material/content_copy:"):
        with guard(t) as attempt:
            text = publishing.whatsapp_text(ctx.actor, rebuttal.id, lang=lang)
        if attempt.ok:
            st.session_state["library.copied"] = (rebuttal.id, rebuttal.live_version_no, lang, text)
    copied = st.session_state.get("library.copied")
    if copied and copied[0] == rebuttal.id and copied[1] == rebuttal.live_version_no \
            and copied[2] == lang:
        caption(t("library.copy_hint", count=len(copied[3])))
        st.code(copied[3], language=None, wrap_lines=True)
        st.download_button(t("library.download_whatsapp"), data=copied[3].encode("utf-8"),
                           file_name=f"rebuttal-{rebuttal.id}-{lang}.txt", mime="text/plain",
                           key="library.download_whatsapp", on_click="ignore")


def _export(ctx: PageContext, filters: dict, rebuttals: list[Rebuttal],
            chosen: Rebuttal | None) -> None:
    t = ctx.t
    publishing = optional_service(ctx, "publishing")
    if publishing is None:
        alert("info", t("library.export_unavailable"))
        return
    c1, c2, c3 = st.columns([1, 1, 1], vertical_alignment="bottom")
    fmt = c1.selectbox(t("library.export_format"), options=list(FORMATS),
                       format_func=lambda f: t(f"library.format_{f}"), key="library.export_format")
    scope = c2.radio(t("library.export_scope"), options=["one", "all"], horizontal=True,
                     format_func=lambda s: t(f"library.scope_{s}", count=len(rebuttals)),
                     key="library.export_scope")
    if c3.button(t("library.export_go"), key="library.export_go", icon=":material/download:"):
        ids = [chosen.id] if scope == "one" and chosen else [r.id for r in rebuttals]
        if not ids:
            alert("warning", t("library.nothing"))
        else:
            with guard(t) as attempt:
                made = publishing.export(ctx.actor, fmt, rebuttal_ids=ids, **filters)
                st.session_state["library.export"] = {
                    "filename": made.filename, "mime": made.mime, "data": made.data,
                    "count": made.count, "warnings": [warning_text(w) for w in made.warnings or ()]}
            if attempt.ok:
                st.rerun()
    made = st.session_state.get("library.export")
    if made:
        caption(t("library.export_ready", count=made["count"], name=made["filename"]))
        for warning in made["warnings"]:
            alert("warning", warning)
        st.download_button(t("library.download", name=made["filename"]), data=made["data"],
                           file_name=made["filename"], mime=made["mime"], key="library.download",
                           on_click="ignore", icon=":material/download:")


def _editor_actions(ctx: PageContext, rebuttal: Rebuttal) -> None:
    t = ctx.t
    if not ctx.may("rebuttal.retract") or rebuttal.status != RebuttalStatus.PUBLISHED:
        return
    version = seen_version(f"library.seen.{rebuttal.id}", rebuttal.version)
    with st.expander(t("library.retract_title"), icon=":material/report:"):
        reason = st.text_area(t("library.retract_reason"), key="library.retract_reason",
                              max_chars=2000)
        if st.button(t("library.retract"), key="library.retract"):
            with guard(t) as attempt:
                ctx.svc.rebuttals.retract(ctx.actor, rebuttal.id, expected_version=version,
                                          reason=reason)
            if attempt.ok:
                flash("success", t("library.retracted", id=rebuttal.id))
                st.rerun()


def _my_pulls(ctx: PageContext) -> None:
    t = ctx.t
    pulls = ctx.svc.pulls.mine(ctx.actor, limit=100)
    if not pulls:
        caption(t("library.no_pulls"))
        return
    table(pd.DataFrame({
        "#": [p.rebuttal_id for p in pulls],
        t("library.col_version"): [p.version_no for p in pulls],
        t("library.col_format"): [p.format for p in pulls],
        t("library.col_region"): [lookups.region_label_by_id(ctx, p.region_id) for p in pulls],
        t("library.col_pulled"): [p.pulled_at.replace("T", " ").rstrip("Z") for p in pulls],
    }), "library.pulls")


def render(ctx: PageContext) -> None:
    t = ctx.t
    st.title(t("library.title"))
    flagged = _corrections(ctx)
    filters = _filters(ctx)
    try:
        rebuttals = ctx.svc.pulls.available(ctx.actor, limit=200, **filters)
    except DeskError as exc:
        alert("error", error_message(t, exc))
        return
    caption(t("library.count", count=len(rebuttals)))
    _table(ctx, rebuttals, flagged)
    chosen = None
    if rebuttals:
        labels = {r.id: f"#{r.id} · {t.label('verdict', r.verdict)} · "
                        f"{snippet((r.current.title or r.current.whatsapp_text) if r.current else '', 70)}"
                  for r in rebuttals}
        pick = st.selectbox(t("library.pick"), options=list(labels), format_func=labels.get,
                            key="library.pick")
        chosen = next(r for r in rebuttals if r.id == pick)
        _one(ctx, chosen, flagged)
        _editor_actions(ctx, chosen)
    else:
        alert("info", t("library.empty"))
    st.divider()
    _export(ctx, filters, rebuttals, chosen)
    with st.expander(t("library.my_pulls"), icon=":material/history:"):
        _my_pulls(ctx)


if __name__ == "__main__":
    render(current())
