"""Review: rebuttals waiting for review, with a diff against the previous version;
approve (four eyes, enforced by the service) or request changes with a comment;
publish what is approved."""
from __future__ import annotations

import difflib

import streamlit as st

from desk.domain import NoteTarget, Rebuttal, RebuttalStatus, RebuttalVersion
from desk.errors import DeskError
from desk.ui import lookups
from desk.ui.context import PageContext, current
from desk.ui.i18n import Translator
from desk.ui.safe import snippet
from desk.ui.widgets import (
    alert, caption, error_message, field, flash, guard, heading, link, plain, seen_version,
)


def _version_text(t: Translator, v: RebuttalVersion) -> list[str]:
    lines = [f"{t('review.verdict')}: {v.verdict.value}", f"{t('review.title_field')}: {v.title}",
             "", f"[{t('review.full_text')}]", *v.full_text.splitlines(), "",
             f"[{t('review.whatsapp_short')}]", *v.whatsapp_text.splitlines(), "",
             f"[{t('review.facts')}] " + ", ".join(f"#{f}" for f in v.fact_ids),
             f"[{t('review.links')}]", *[s.url for s in v.links]]
    for lang, parts in sorted((v.translations or {}).items()):
        lines += ["", f"[{t('review.translation', lang=lang)}]",
                  *str(parts.get("full_text", "")).splitlines(),
                  f"[{t('review.whatsapp_short')} · {lang}]",
                  *str(parts.get("whatsapp_text", "")).splitlines()]
    return lines


def diff_text(t: Translator, before: RebuttalVersion | None, after: RebuttalVersion) -> str:
    """A unified diff between two versions (empty ``before``: everything is new)."""
    old = _version_text(t, before) if before else []
    label = f"v{before.version_no}" if before else "-"
    return "\n".join(difflib.unified_diff(old, _version_text(t, after), fromfile=label,
                                          tofile=f"v{after.version_no}", lineterm="", n=2))


def _previous(versions: list[RebuttalVersion], rebuttal: Rebuttal) -> RebuttalVersion | None:
    """What the reviewer compares with: the published version if there is one
    (a correction), else the version before the current one."""
    by_no = {v.version_no: v for v in versions}
    if rebuttal.published_version_no and rebuttal.published_version_no != rebuttal.current_version_no:
        return by_no.get(rebuttal.published_version_no)
    return by_no.get(rebuttal.current_version_no - 1)


def _show(ctx: PageContext, rebuttal: Rebuttal) -> None:
    t = ctx.t
    v = rebuttal.current
    if v is None:
        return
    claims = ctx.svc.claims.get_many(ctx.actor, list(rebuttal.claim_ids))
    for claim in claims:
        caption(t("review.claim", id=claim.id))
        plain(claim.text)
    c1, c2, c3 = st.columns(3)
    with c1:
        field(t("review.verdict"), t.label("verdict", v.verdict))
        field(t("review.lang"), t.label("lang", v.lang))
    with c2:
        field(t("review.author"), lookups.name_of(ctx, v.author_id))
        field(t("review.version"), v.version_no)
    with c3:
        field(t("review.region"), lookups.region_label_by_id(ctx, rebuttal.region_id))
        field(t("review.topics"), ", ".join(lookups.topic_label(ctx, s) for s in rebuttal.topics))
    if v.title:
        field(t("review.title_field"), v.title)
    caption(t("review.full_text"))
    plain(v.full_text)
    caption(t("review.whatsapp", count=len(v.whatsapp_text)))
    st.code(v.whatsapp_text, language=None, wrap_lines=True)
    if v.fact_ids:
        caption(t("review.facts"))
        for fact in ctx.svc.facts.get_many(ctx.actor, list(v.fact_ids)):
            plain(f"#{fact.id} · {fact.statement}")
            for n, source in enumerate(fact.sources):
                link(source.url, source.title or source.publisher or source.url,
                     key=f"review.fact_{fact.id}_src_{n}")
    for n, source in enumerate(v.links):
        link(source.url, source.title or source.url, key=f"review.link_{n}")
    for lang, parts in sorted((v.translations or {}).items()):
        caption(t("review.translation", lang=t.label("lang", lang)))
        plain(parts.get("full_text", ""))
        if parts.get("whatsapp_text"):
            st.code(parts["whatsapp_text"], language=None, wrap_lines=True)


def _decide(ctx: PageContext, rebuttal: Rebuttal, version: int) -> None:
    t = ctx.t
    wrote_it = ctx.actor in (rebuttal.author_id, rebuttal.current.author_id if rebuttal.current else None)
    if wrote_it:
        alert("info", t("review.four_eyes"))
    c1, c2 = st.columns(2)
    approve = (ctx.may("rebuttal.approve") and not wrote_it
               and c1.button(t("review.approve"), key="review.approve", type="primary",
                             icon=":material/verified:"))
    with c2:
        comment = st.text_area(t("review.comment"), key="review.comment", height=90,
                               max_chars=2000)
        send_back = ctx.may("rebuttal.send_back") and st.button(
            t("review.send_back"), key="review.send_back", icon=":material/undo:")
    if approve:
        with guard(t) as attempt:
            ctx.svc.rebuttals.approve(ctx.actor, rebuttal.id, expected_version=version)
        if attempt.ok:
            flash("success", t("review.approved", id=rebuttal.id))
            st.rerun()
    if send_back:
        if not comment.strip():
            alert("warning", t("review.comment_needed"))
            return
        with guard(t) as attempt:
            # One transaction: the reason goes to the audit log and, as a note, to the author.
            with ctx.svc.store.write():
                ctx.svc.rebuttals.send_back(ctx.actor, rebuttal.id, expected_version=version,
                                            reason=comment)
                ctx.svc.notes.add(ctx.actor, NoteTarget.REBUTTAL, rebuttal.id, comment)
                for claim_id in rebuttal.claim_ids:
                    ctx.svc.notes.add(ctx.actor, NoteTarget.CLAIM, claim_id,
                                      t("review.note_on_claim", id=rebuttal.id, comment=comment))
        if attempt.ok:
            st.session_state["review.comment_reset"] = True
            flash("success", t("review.sent_back", id=rebuttal.id))
            st.rerun()


def _publish_queue(ctx: PageContext) -> None:
    t = ctx.t
    if not ctx.may("rebuttal.publish"):
        return
    approved = ctx.svc.rebuttals.list(ctx.actor, statuses=[RebuttalStatus.APPROVED], limit=100)
    heading(t("review.approved_title", count=len(approved)))
    if not approved:
        caption(t("review.none_approved"))
        return
    labels = {r.id: f"#{r.id} · {t.label('verdict', r.verdict)} · "
                    f"{snippet(r.current.title or r.current.whatsapp_text if r.current else '', 70)}"
              for r in approved}
    chosen = st.selectbox(t("review.publish_pick"), options=list(labels),
                          format_func=labels.get, key="review.publish_pick")
    target = next(r for r in approved if r.id == chosen)
    version = seen_version(f"review.seen.{target.id}", target.version)
    if st.button(t("review.publish"), key="review.publish", icon=":material/campaign:"):
        with guard(t) as attempt:
            ctx.svc.rebuttals.publish(ctx.actor, target.id, expected_version=version)
        if attempt.ok:
            flash("success", t("review.published", id=target.id))
            st.rerun()


def render(ctx: PageContext) -> None:
    t = ctx.t
    st.title(t("review.title"))
    if st.session_state.pop("review.comment_reset", False):
        st.session_state["review.comment"] = ""
    try:
        waiting = ctx.svc.rebuttals.list(ctx.actor, statuses=[RebuttalStatus.IN_REVIEW], limit=200)
    except DeskError as exc:
        alert("error", error_message(t, exc))
        return
    st.metric(t("review.waiting"), len(waiting))
    if waiting:
        labels = {r.id: f"#{r.id} · {t.label('verdict', r.verdict)} · "
                        f"{lookups.name_of(ctx, r.author_id)} · "
                        f"{snippet(r.current.title or r.current.whatsapp_text if r.current else '', 60)}"
                  for r in waiting}
        chosen = st.selectbox(t("review.pick"), options=list(labels), format_func=labels.get,
                              key="review.pick")
        rebuttal = next(r for r in waiting if r.id == chosen)
        version = seen_version(f"review.seen.{rebuttal.id}", rebuttal.version)
        with st.container(border=True, key="review.item"):
            _show(ctx, rebuttal)
        versions = ctx.svc.rebuttals.versions(ctx.actor, rebuttal.id)
        previous = _previous(versions, rebuttal)
        with st.expander(t("review.diff", before=previous.version_no if previous else "—",
                           after=rebuttal.current_version_no), expanded=previous is not None,
                         icon=":material/difference:"):
            st.code(diff_text(t, previous, rebuttal.current) if rebuttal.current else "",
                    language="diff")
        notes = ctx.svc.notes.list(ctx.actor, NoteTarget.REBUTTAL, rebuttal.id)
        if notes:
            with st.expander(t("review.notes", count=len(notes)), icon=":material/forum:"):
                names = lookups.names(ctx, [n.author_id for n in notes])
                for note in notes:
                    caption(f"{names.get(note.author_id, '')} · "
                            f"{note.created_at.replace('T', ' ').rstrip('Z')}")
                    plain(note.body)
        _decide(ctx, rebuttal, version)
    else:
        alert("info", t("review.empty"))
    st.divider()
    _publish_queue(ctx)


if __name__ == "__main__":
    render(current())
