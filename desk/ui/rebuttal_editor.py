"""The rebuttal editor in the claim workspace: verdict, full text, a short WhatsApp
text with a live character count and preview, sources from the research library,
links, a translation; save (every save is a new version) and submit for review.

The form is seeded from the database once per loaded version; later reruns keep
what the user typed.  Saving sends the version the form was loaded from, so a
save on top of someone else's newer version is refused with "changed by X" and
the typed text stays on screen.
"""
from __future__ import annotations

from typing import Any

import streamlit as st

from desk.domain import Claim, Rebuttal, RebuttalStatus, Source, Verdict
from desk.services.rebuttals import RebuttalDraft
from desk.ui import lookups
from desk.ui.context import PageContext
from desk.ui.safe import snippet
from desk.ui.widgets import alert, caption, flash, guard, plain

P = "claim.rb_"
FIELDS = ("verdict", "title", "lang", "full", "whatsapp", "facts", "links", "tr_full",
          "tr_whatsapp", "note")
LOADED_KEY = "claim.rb_loaded"
NEXT_KEY = "claim.rb_next"          # widget changes wanted at the start of the next run
EDITOR_LANGS = ("hi", "en")


def _other(lang: str) -> str:
    return "en" if lang == "hi" else "hi"


def _links_text(links: tuple[Source, ...]) -> str:
    return "\n".join(" | ".join([s.url, s.title or "", s.publisher or "", s.date or ""]).rstrip(" |")
                     for s in links)


def parse_links(text: str) -> tuple[Source, ...]:
    """One source per line: ``URL | title | publisher | date`` (only the URL is required)."""
    out = []
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.split("|")]
        if not parts or not parts[0]:
            continue
        parts += [""] * (4 - len(parts))
        out.append(Source(url=parts[0], title=parts[1], publisher=parts[2],
                          date=parts[3] or None))
    return tuple(out)


def _seed(claim: Claim, rebuttal: Rebuttal | None) -> None:
    """Put the stored content (or an empty draft) into the editor's widgets."""
    version = rebuttal.current if rebuttal else None
    lang = (version.lang if version and version.lang in EDITOR_LANGS
            else claim.lang if claim.lang in EDITOR_LANGS else "hi")
    translation = dict((version.translations or {}).get(_other(lang), {})) if version else {}
    values: dict[str, Any] = {
        "verdict": (version.verdict.value if version else Verdict.FALSE.value),
        "title": version.title if version else "",
        "lang": lang,
        "full": version.full_text if version else "",
        "whatsapp": version.whatsapp_text if version else "",
        "facts": list(version.fact_ids) if version else [],
        "links": _links_text(version.links) if version else "",
        "tr_full": translation.get("full_text", ""),
        "tr_whatsapp": translation.get("whatsapp_text", ""),
        "note": "",
    }
    for name, value in values.items():
        st.session_state[P + name] = value
    st.session_state[LOADED_KEY] = (claim.id, rebuttal.id if rebuttal else 0,
                                    rebuttal.version if rebuttal else 0)


def _draft() -> RebuttalDraft:
    s = st.session_state
    lang = s.get(P + "lang") or "hi"
    translations = {}
    if (s.get(P + "tr_full") or "").strip():
        translations[_other(lang)] = {"full_text": s[P + "tr_full"],
                                      "whatsapp_text": s.get(P + "tr_whatsapp") or ""}
    return RebuttalDraft(verdict=s.get(P + "verdict") or "false", full_text=s.get(P + "full") or "",
                         whatsapp_text=s.get(P + "whatsapp") or "", title=s.get(P + "title") or "",
                         lang=lang, translations=translations,
                         fact_ids=tuple(int(f) for f in s.get(P + "facts") or ()),
                         links=parse_links(s.get(P + "links") or ""))


def _unsaved(rebuttal: Rebuttal | None) -> bool:
    if rebuttal is None or rebuttal.current is None:
        return True
    v, d = rebuttal.current, _draft()
    return (d.verdict != v.verdict.value or d.title != v.title or d.full_text != v.full_text
            or d.whatsapp_text != v.whatsapp_text or d.lang != v.lang
            or tuple(d.fact_ids) != tuple(v.fact_ids) or tuple(d.links) != tuple(v.links)
            or dict(d.translations) != {k: dict(x) for k, x in (v.translations or {}).items()})


def _fact_options(ctx: PageContext, claim: Claim) -> dict[int, str]:
    t = ctx.t
    chosen = [int(f) for f in st.session_state.get(P + "facts") or ()]
    query = st.text_input(t("claim.rb_fact_search"), key=P + "fact_search", max_chars=200,
                          help=t("claim.rb_fact_search_help"))
    found = ctx.svc.facts.list(ctx.actor, text=query.strip() or None, limit=30)
    confirmed = [link.target_id for link in ctx.svc.links.for_claim(ctx.actor, claim.id)
                 if link.target_kind == "fact"]
    facts = {f.id: f for f in ctx.svc.facts.get_many(ctx.actor, list({*chosen, *confirmed}))}
    facts.update({f.id: f for f in found})
    return {fid: f"#{fid} · {snippet(f.statement, 90)}" for fid, f in facts.items()}


def _pick(ctx: PageContext, claim: Claim, rebuttals: list[Rebuttal]) -> Rebuttal | None:
    t = ctx.t
    editable = [r for r in rebuttals if r.status != RebuttalStatus.RETRACTED]
    if not editable:
        return None
    options = [r.id for r in editable] + [0]
    labels = {r.id: t("claim.rb_option", id=r.id, status=t.label("rstatus", r.status),
                      version=r.current_version_no) for r in editable}
    chosen = st.selectbox(t("claim.rb_pick"), options=options,
                          format_func=lambda i: labels.get(i, t("claim.rb_new")),
                          key="claim.rb_pick")
    return next((r for r in editable if r.id == chosen), None)


def _later(**changes: Any) -> None:
    """Widget values can only change before the widgets are drawn: queue them."""
    st.session_state.setdefault(NEXT_KEY, {}).update(changes)


def editor(ctx: PageContext, claim: Claim) -> None:
    t = ctx.t
    pending = st.session_state.pop(NEXT_KEY, {}) or {}
    if "pick" in pending:
        st.session_state["claim.rb_pick"] = pending["pick"]
    if pending.get("clear_note"):
        st.session_state[P + "note"] = ""
    rebuttals = ctx.svc.rebuttals.for_claim(ctx.actor, claim.id)
    rebuttal = _pick(ctx, claim, rebuttals)
    marker = (claim.id, rebuttal.id if rebuttal else 0, rebuttal.version if rebuttal else 0)
    loaded = st.session_state.get(LOADED_KEY)
    if pending.get("reseed") or not loaded or tuple(loaded[:2]) != marker[:2]:
        _seed(claim, rebuttal)               # another claim or rebuttal, or a reload
        loaded = st.session_state[LOADED_KEY]
    base_version = loaded[2]
    if rebuttal is not None:
        plain(t("claim.rb_state", id=rebuttal.id, status=t.label("rstatus", rebuttal.status),
                version=rebuttal.current_version_no))
        if rebuttal.status == RebuttalStatus.PUBLISHED:
            alert("info", t("claim.rb_correction"))
        if base_version != rebuttal.version:
            alert("warning", t("claim.rb_stale", version=rebuttal.current_version_no))
    _fields(ctx, claim)
    _buttons(ctx, claim, rebuttal, base_version)


def _fields(ctx: PageContext, claim: Claim) -> None:
    t = ctx.t
    c1, c2, c3 = st.columns([1, 1, 2])
    c1.selectbox(t("claim.rb_verdict"), options=[v.value for v in Verdict],
                 format_func=lambda v: t.label("verdict", v), key=P + "verdict")
    c2.selectbox(t("claim.rb_lang"), options=list(EDITOR_LANGS),
                 format_func=lambda v: t.label("lang", v), key=P + "lang")
    c3.text_input(t("claim.rb_title"), key=P + "title", max_chars=500)
    st.text_area(t("claim.rb_full"), key=P + "full", height=200,
                 max_chars=ctx.settings.max_text_chars)
    limit = ctx.settings.whatsapp_max_chars
    st.text_area(t("claim.rb_whatsapp"), key=P + "whatsapp", height=140, max_chars=limit,
                 help=t("claim.rb_whatsapp_help", limit=limit))
    text = st.session_state.get(P + "whatsapp") or ""
    caption(t("claim.rb_count", count=len(text), limit=limit))
    if text:
        caption(t("claim.rb_preview"))
        st.code(text, language=None, wrap_lines=True)
    options = _fact_options(ctx, claim)
    if P + "facts" in st.session_state:
        st.session_state[P + "facts"] = [f for f in st.session_state[P + "facts"] if f in options]
    st.multiselect(t("claim.rb_facts"), options=list(options),
                   format_func=lambda i: options.get(i, f"#{i}"), key=P + "facts")
    st.text_area(t("claim.rb_links"), key=P + "links", height=90,
                 help=t("claim.rb_links_help"))
    other = _other(st.session_state.get(P + "lang") or "hi")
    with st.expander(t("claim.rb_translation", lang=t.label("lang", other)),
                     icon=":material/translate:"):
        st.text_area(t("claim.rb_tr_full"), key=P + "tr_full", height=150,
                     max_chars=ctx.settings.max_text_chars)
        st.text_area(t("claim.rb_tr_whatsapp"), key=P + "tr_whatsapp", height=110,
                     max_chars=limit)


def _buttons(ctx: PageContext, claim: Claim, rebuttal: Rebuttal | None, base_version: int) -> None:
    t = ctx.t
    if not ctx.may("rebuttal.draft"):
        return
    if rebuttal is not None:
        st.text_input(t("claim.rb_note"), key=P + "note", max_chars=1000)
    c1, c2, c3 = st.columns(3)
    save = c1.button(t("claim.rb_save") if rebuttal else t("claim.rb_create"), key=P + "save",
                     type="primary", icon=":material/save:")
    unsaved = _unsaved(rebuttal)
    submit = (rebuttal is not None and rebuttal.status == RebuttalStatus.DRAFT
              and ctx.may("rebuttal.submit")
              and c2.button(t("claim.rb_submit"), key=P + "submit", disabled=unsaved,
                            help=t("claim.rb_submit_help") if unsaved else None,
                            icon=":material/send:"))
    reload = rebuttal is not None and c3.button(t("claim.rb_reload"), key=P + "reload",
                                                icon=":material/refresh:")
    if reload:
        _later(reseed=True)
        st.rerun()
    if save:
        typed = {t("claim.rb_full"): st.session_state.get(P + "full"),
                 t("claim.rb_whatsapp"): st.session_state.get(P + "whatsapp"),
                 t("claim.rb_tr_full"): st.session_state.get(P + "tr_full")}
        with guard(t, unsaved=typed) as attempt:
            draft = _draft()
            if rebuttal is None:
                region = lookups.region_by_id(ctx).get(claim.region_id) if claim.region_id else None
                saved = ctx.svc.rebuttals.create(ctx.actor, draft, claim_ids=[claim.id],
                                                 region_code=region.code if region else None)
            else:
                saved = ctx.svc.rebuttals.save_version(
                    ctx.actor, rebuttal.id, draft, expected_version=base_version,
                    change_note=st.session_state.get(P + "note") or "")
        if attempt.ok:
            st.session_state[LOADED_KEY] = (claim.id, saved.id, saved.version)
            _later(pick=saved.id, clear_note=True)
            flash("success", t("claim.rb_saved", id=saved.id, version=saved.current_version_no))
            st.rerun()
    if submit:
        with guard(t) as attempt:
            saved = ctx.svc.rebuttals.submit(ctx.actor, rebuttal.id, expected_version=base_version)
        if attempt.ok:
            st.session_state[LOADED_KEY] = (claim.id, saved.id, saved.version)
            _later(pick=saved.id)
            flash("success", t("claim.rb_submitted", id=saved.id))
            st.rerun()
