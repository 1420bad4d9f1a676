"""Research library: verified facts with sources, publishers, dates and valid-until
(expired facts flagged); correcting a fact (statement, language, topic, sources) and
adding new ones, both with near-duplicates from the engine; bulk import."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from desk.domain import Fact, FactStatus
from desk.errors import DeskError
from desk.services.facts import NewFact
from desk.ui import lookups
from desk.ui.context import PageContext, current
from desk.ui.rebuttal_editor import parse_links
from desk.ui.safe import snippet
from desk.ui.widgets import (
    ProgressBar, alert, caption, error_message, field, flash, guard, heading, link,
    live_matching, optional_service, plain, seen_version, table,
)

PAGE_SIZE = 50
LANGS = ("hi", "en")
NEW_FIELDS = ("statement", "lang", "topic", "valid_until", "sources")
EDIT_FIELDS = ("statement", "lang", "topic", "sources")


def _expired(ctx: PageContext, fact: Fact) -> bool:
    if not fact.valid_until:
        return False
    today = ctx.svc.clock.now().date().isoformat()
    return fact.valid_until[:10] < today


def _publishers(fact: Fact) -> str:
    return ", ".join(dict.fromkeys(s.publisher for s in fact.sources if s.publisher))


def _filters(ctx: PageContext) -> dict:
    t = ctx.t
    c1, c2, c3, c4 = st.columns(4)
    status = c1.selectbox(t("research.filter_status"), options=["active", "retired", ""],
                          format_func=lambda v: t.label("fstatus", v) if v else t("common.any"),
                          key="research.filter_status")
    topic = c2.selectbox(t("research.filter_topic"),
                         options=[""] + [tp.slug for tp in lookups.topics(ctx)],
                         format_func=lambda s: lookups.topic_label(ctx, s),
                         key="research.filter_topic")
    lang = c3.selectbox(t("research.filter_lang"), options=["", *LANGS],
                        format_func=lambda v: t.label("lang", v) if v else t("common.any"),
                        key="research.filter_lang")
    text = c4.text_input(t("research.filter_text"), key="research.filter_text", max_chars=200)
    return {"status": status or None, "topic": topic or None, "lang": lang or None,
            "text": text.strip() or None}


def _table(ctx: PageContext, facts: list[Fact]) -> None:
    t = ctx.t
    frame = pd.DataFrame({
        "#": [f.id for f in facts],
        t("research.col_statement"): [snippet(f.statement, 160) for f in facts],
        t("research.col_lang"): [t.label("lang", f.lang) for f in facts],
        t("research.col_topic"): [lookups.topic_label(ctx, f.topic) if f.topic else "" for f in facts],
        t("research.col_publisher"): [_publishers(f) for f in facts],
        t("research.col_dates"): [", ".join(s.date for s in f.sources if s.date) for f in facts],
        t("research.col_valid_until"): [(f.valid_until or "")[:10] for f in facts],
        t("research.col_status"): [(t("research.expired") if _expired(ctx, f) else "")
                                   or t.label("fstatus", f.status) for f in facts],
    })
    table(frame, "research.table")


def _detail(ctx: PageContext, facts: list[Fact]) -> None:
    t = ctx.t
    if not facts:
        return
    labels = {f.id: f"#{f.id} · {snippet(f.statement, 80)}" for f in facts}
    chosen = st.selectbox(t("research.pick"), options=list(labels), format_func=labels.get,
                          key="research.pick")
    fact = next(f for f in facts if f.id == chosen)
    version = seen_version(f"research.seen.{fact.id}", fact.version)
    with st.container(border=True, key="research.fact"):
        plain(fact.statement)
        if _expired(ctx, fact):
            alert("warning", t("research.expired_note", date=fact.valid_until[:10]))
        c1, c2 = st.columns(2)
        with c1:
            field(t("research.col_status"), t.label("fstatus", fact.status))
            field(t("research.col_valid_until"), (fact.valid_until or "")[:10])
        with c2:
            field(t("research.col_topic"), lookups.topic_label(ctx, fact.topic) if fact.topic else "")
            field(t("research.col_lang"), t.label("lang", fact.lang))
        for n, source in enumerate(fact.sources):
            caption(" · ".join(x for x in (source.publisher, source.date or "") if x))
            plain(source.title or source.url)
            link(source.url, t("research.open_source"), key=f"research.source_{fact.id}_{n}")
    if not ctx.may("fact.edit"):
        return
    _edit(ctx, fact, version)
    c1, c2, c3 = st.columns(3, vertical_alignment="bottom")
    action = None
    if fact.status == FactStatus.ACTIVE:
        if c1.button(t("research.retire"), key="research.retire", icon=":material/archive:"):
            action = "retire"
    elif c1.button(t("research.reactivate"), key="research.reactivate",
                   icon=":material/unarchive:"):
        action = "reactivate"
    if st.session_state.get("research.edit_loaded") != (fact.id, fact.version):
        st.session_state["research.edit_loaded"] = (fact.id, fact.version)
        st.session_state["research.edit_valid_until"] = (
            date.fromisoformat(fact.valid_until[:10]) if fact.valid_until else None)
    until = c2.date_input(t("research.col_valid_until"), key="research.edit_valid_until",
                          format="YYYY-MM-DD")
    if c3.button(t("research.save_valid_until"), key="research.save_valid_until"):
        action = "valid_until"
    if action is None:
        return
    with guard(t) as attempt:
        if action == "retire":
            ctx.svc.facts.retire(ctx.actor, fact.id, expected_version=version)
        elif action == "reactivate":
            ctx.svc.facts.reactivate(ctx.actor, fact.id, expected_version=version)
        else:
            ctx.svc.facts.update(ctx.actor, fact.id, expected_version=version,
                                 valid_until=until.isoformat() if until else None)
    if attempt.ok:
        flash("success", t("research.saved", id=fact.id))
        st.rerun()


def _sources_text(fact: Fact) -> str:
    """The sources as the editor shows them: ``URL | title | publisher | date`` lines."""
    return "\n".join(" | ".join([s.url, s.title or "", s.publisher or "", s.date or ""]).rstrip(" |")
                     for s in fact.sources)


def _edit_values(fact: Fact) -> dict[str, str]:
    return {"statement": fact.statement, "lang": fact.lang or "", "topic": fact.topic or "",
            "sources": _sources_text(fact)}


def _edit(ctx: PageContext, fact: Fact, version: int) -> None:
    """Correct a fact.  The fields are filled from the fact when another fact is picked, after
    a save, or when the fact changed and nothing was typed; typed text survives a change made
    meanwhile (the save is then refused as a conflict, and the next one applies it)."""
    t = ctx.t
    keys = {name: f"research.edit_{name}" for name in EDIT_FIELDS}
    loaded = st.session_state.get("research.edit_form")
    untouched = loaded is not None and all(
        st.session_state.get(keys[n]) == loaded[2][n] for n in EDIT_FIELDS)
    # Streamlit drops a widget's state when a run does not draw it (no fact listed).
    gone = any(keys[n] not in st.session_state for n in EDIT_FIELDS)
    if (loaded is None or loaded[0] != fact.id or st.session_state.pop("research.edit_reset", False)
            or gone or (loaded[1] != fact.version and untouched)):
        values = _edit_values(fact)
        for name in EDIT_FIELDS:
            st.session_state[keys[name]] = values[name]
        st.session_state["research.edit_form"] = (fact.id, fact.version, values)
    with st.expander(t("research.edit"), icon=":material/edit:"):
        statement = st.text_area(t("research.new_statement"), key=keys["statement"], height=110,
                                 max_chars=ctx.settings.max_text_chars)
        if statement.strip() != fact.statement:
            _near_duplicates(ctx, statement, exclude=fact.id, cache_key="research.edit_dupes")
        c1, c2 = st.columns(2)
        langs = list(dict.fromkeys(["", *LANGS, st.session_state[keys["lang"]]]))
        lang = c1.selectbox(t("research.col_lang"), options=langs, key=keys["lang"],
                            format_func=lambda v: t.label("lang", v) if v else t("common.none"))
        topics = list(dict.fromkeys(["", *(tp.slug for tp in lookups.topics(ctx)),
                                     st.session_state[keys["topic"]]]))
        topic = c2.selectbox(t("research.col_topic"), options=topics, key=keys["topic"],
                             format_func=lambda s: lookups.topic_label(ctx, s) if s
                             else t("common.none"))
        sources = st.text_area(t("research.new_sources"), key=keys["sources"], height=90,
                               help=t("claim.rb_links_help"))
        if not st.button(t("research.edit_save"), key="research.edit_save",
                         icon=":material/save:"):
            return
        with guard(t, unsaved={t("research.new_statement"): statement,
                               t("research.new_sources"): sources}) as attempt:
            ctx.svc.facts.update(ctx.actor, fact.id, expected_version=version,
                                 statement=statement, lang=lang or None, topic=topic or None,
                                 sources=parse_links(sources))
    if attempt.ok:
        st.session_state["research.edit_reset"] = True
        st.session_state.pop("research.edit_dupes", None)
        flash("success", t("research.saved", id=fact.id))
        st.rerun()


def _near_duplicates(ctx: PageContext, statement: str, *, exclude: int | None = None,
                     cache_key: str = "research.dupes") -> None:
    t = ctx.t
    matching = live_matching(ctx)
    if matching is None or len(statement.strip()) < 12:
        return
    cached = st.session_state.get(cache_key)
    if not cached or cached[0] != statement:
        try:
            hits = matching.similar_facts(ctx.actor, statement, k=6 if exclude else 5)
        except DeskError as exc:
            alert("warning", error_message(t, exc))
            return
        cached = (statement, [(h.ref_id, h.tier, float(h.score), h.text) for h in hits
                              if h.ref_id != exclude][:5])
        st.session_state[cache_key] = cached
    if not cached[1]:
        caption(t("research.no_dupes"))
        return
    alert("warning", t("research.dupes", count=len(cached[1])))
    for ref_id, tier, score, text in cached[1]:
        caption(f"#{ref_id} · {t.label('tier', tier)} · {score:.2f}")
        plain(text)


def _new_fact(ctx: PageContext) -> None:
    t = ctx.t
    if st.session_state.pop("research.new_reset", False):
        for name in NEW_FIELDS:
            st.session_state.pop(f"research.new_{name}", None)
    statement = st.text_area(t("research.new_statement"), key="research.new_statement",
                             height=110, max_chars=ctx.settings.max_text_chars)
    _near_duplicates(ctx, statement or "")
    c1, c2, c3 = st.columns(3)
    lang = c1.selectbox(t("research.col_lang"), options=list(LANGS),
                        format_func=lambda v: t.label("lang", v), key="research.new_lang")
    topic = c2.selectbox(t("research.col_topic"),
                         options=[""] + [tp.slug for tp in lookups.topics(ctx)],
                         format_func=lambda s: lookups.topic_label(ctx, s) if s else t("common.none"),
                         key="research.new_topic")
    until = c3.date_input(t("research.col_valid_until"), value=None,
                          key="research.new_valid_until", format="YYYY-MM-DD")
    sources = st.text_area(t("research.new_sources"), key="research.new_sources", height=90,
                           help=t("claim.rb_links_help"))
    if st.button(t("research.new_submit"), key="research.new_submit", type="primary",
                 icon=":material/add:"):
        with guard(t) as attempt:
            fact = ctx.svc.facts.create(ctx.actor, NewFact(
                statement=statement, lang=lang, topic=topic or None,
                valid_until=until.isoformat() if until else None,
                sources=parse_links(sources)))
        if attempt.ok:
            st.session_state["research.new_reset"] = True
            st.session_state.pop("research.dupes", None)
            flash("success", t("research.created", id=fact.id))
            st.rerun()


def _import(ctx: PageContext) -> None:
    t = ctx.t
    intake = optional_service(ctx, "intake")
    importer = getattr(intake, "import_facts", None)
    if importer is None:
        alert("info", t("research.import_cli"))
        return
    upload = st.file_uploader(t("research.import_file"), key="research.import_file",
                              type=["csv", "json", "jsonl"])
    if upload is not None and st.button(t("research.import_go"), key="research.import_go",
                                        icon=":material/upload:"):
        bar = ProgressBar(t("intake.importing", name=upload.name))
        with guard(t) as attempt:
            report = importer(ctx.actor, upload.getvalue(), filename=upload.name, progress=bar)
        if attempt.ok:
            bar.done()
            values = report.as_dict() if hasattr(report, "as_dict") else dict(report)
            st.session_state["research.import_report"] = {"name": upload.name, **values}
    report = st.session_state.get("research.import_report")
    if report:
        plain(report.get("name", ""))
        c1, c2, c3 = st.columns(3)
        c1.metric(t("research.import_rows"), report.get("rows", 0))
        c2.metric(t("research.import_created"), report.get("created", 0))
        c3.metric(t("research.import_present"), report.get("already_present", 0))
        for warning in report.get("warnings") or ():
            alert("warning", warning)


def render(ctx: PageContext) -> None:
    t = ctx.t
    st.title(t("research.title"))
    filters = _filters(ctx)
    page = st.number_input(t("research.page"), min_value=1, step=1, value=1, key="research.page")
    try:
        facts = ctx.svc.facts.list(ctx.actor, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE,
                                   **filters)
    except DeskError as exc:
        alert("error", error_message(t, exc))
        return
    more = len(facts) > PAGE_SIZE
    facts = facts[:PAGE_SIZE]
    caption(t("research.count", first=(page - 1) * PAGE_SIZE + 1 if facts else 0,
              last=(page - 1) * PAGE_SIZE + len(facts)) + (" · " + t("research.more") if more else ""))
    _table(ctx, facts)
    _detail(ctx, facts)
    if ctx.may("fact.edit"):
        st.divider()
        heading(t("research.new"))
        _new_fact(ctx)
        with st.expander(t("research.import"), icon=":material/upload_file:"):
            _import(ctx)


if __name__ == "__main__":
    render(current())
