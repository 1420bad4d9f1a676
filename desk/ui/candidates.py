"""The claim workspace's candidate list: facts, rebuttals and claims the engine
matched, with tier, score and explanation; confirm, reject, answer, fold."""
from __future__ import annotations

from typing import Any

import streamlit as st

from desk.domain import Claim, LinkDecision, LinkKind, MatchLink
from desk.errors import DeskError
from desk.ui.context import PageContext
from desk.ui.safe import md_escape
from desk.ui.widgets import caption, flash, guard, live_matching, plain, seen_version


def _targets(ctx: PageContext, links: list[MatchLink]) -> dict[tuple[str, int], Any]:
    """The records the links point at, for display (missing ones are skipped)."""
    out: dict[tuple[str, int], Any] = {}
    ids = {k: [link.target_id for link in links if link.target_kind == k] for k in LinkKind}
    if ids[LinkKind.FACT]:
        for fact in ctx.svc.facts.get_many(ctx.actor, ids[LinkKind.FACT]):
            out[("fact", fact.id)] = fact
    if ids[LinkKind.CLAIM]:
        for claim in ctx.svc.claims.get_many(ctx.actor, ids[LinkKind.CLAIM]):
            out[("claim", claim.id)] = claim
    for rid in ids[LinkKind.REBUTTAL]:
        try:
            out[("rebuttal", rid)] = ctx.svc.rebuttals.get(ctx.actor, rid)
        except DeskError:
            continue
    return out


#: How many of the engine's candidates for a claim get their explanation shown.
EXPLAINED = 25


def _explanations(ctx: PageContext, claim: Claim) -> dict[tuple[str, int], dict]:
    """The engine's explanation per candidate, from a live search of the claim text."""
    matching = live_matching(ctx)
    if matching is None or not ctx.may("match.run"):
        return {}
    try:
        # The claim finds itself first: ask for one more and drop it, so it does not
        # take a real candidate's slot.
        hits = matching.search(ctx.actor, claim.text, k=EXPLAINED + 1,
                               collections=("library", "claims"), include_none=True)
        hits = not_itself(ctx, claim, hits)[:EXPLAINED]
    except DeskError:
        return {}
    return {(str(h.kind), int(h.ref_id)): dict(h.explanation or {}) for h in hits}


def not_itself(ctx: PageContext, claim: Claim, hits: list[Any]) -> list[Any]:
    """``hits`` without the claim and the claims folded into it as duplicates."""
    others = [int(h.ref_id) for h in hits if h.kind == "claim" and int(h.ref_id) != claim.id]
    folded = {c.id for c in ctx.svc.claims.get_many(ctx.actor, others)
              if c.duplicate_of == claim.id} if others else set()
    return [h for h in hits
            if not (h.kind == "claim" and (int(h.ref_id) == claim.id or int(h.ref_id) in folded))]


def _target_text(target: Any) -> str:
    if target is None:
        return ""
    if hasattr(target, "statement"):
        return target.statement
    if hasattr(target, "current"):
        version = target.current
        return version.whatsapp_text or version.full_text if version else ""
    return getattr(target, "text", "")


def _explain(ctx: PageContext, explanation: dict) -> None:
    t = ctx.t
    if not explanation:
        return
    if explanation.get("summary"):
        plain(explanation["summary"])
    details = [(key, explanation.get(name)) for key, name in (
        ("claim.why_shared", "shared_terms"), ("claim.why_numbers_agree", "numbers_agree"),
        ("claim.why_numbers_disagree", "numbers_disagree"),
        ("claim.why_places_agree", "places_agree"),
        ("claim.why_places_disagree", "places_disagree"), ("claim.why_signals", "fired"))]
    shown = [f"{t(key)}: {', '.join(map(str, values))}" for key, values in details if values]
    if shown:
        caption(" · ".join(shown))


def candidates(ctx: PageContext, claim: Claim, claim_version: int) -> None:
    """``claim_version``: the claim's version as the user saw it (for answering/folding)."""
    t = ctx.t
    matching = live_matching(ctx)
    if matching is not None and ctx.may("match.run"):
        if st.button(t("claim.match"), key="claim.match", icon=":material/manage_search:"):
            with guard(t) as attempt:
                found = matching.suggest_for_claim(ctx.actor, claim.id)
            if attempt.ok:
                flash("success", t("claim.match_done", count=len(found)))
                st.rerun()
    links = ctx.svc.links.for_claim(ctx.actor, claim.id)
    if not links:
        caption(t("claim.no_candidates"))
        return
    targets = _targets(ctx, links)
    explanations = _explanations(ctx, claim)
    for link in links:
        kind = LinkKind(link.target_kind).value
        target = targets.get((kind, link.target_id))
        version = seen_version(f"claim.link_seen.{link.id}", link.version)
        with st.container(border=True, key=f"claim.candidate_{link.id}"):
            st.markdown(md_escape(t("claim.candidate_head", kind=t.label("kind", kind),
                                    id=link.target_id, tier=t.label("tier", link.tier),
                                    score=f"{link.score:.2f}",
                                    decision=t.label("decision", link.decision))))
            if target is None:
                caption(t("claim.candidate_gone"))
            else:
                plain(_target_text(target))
                status = getattr(target, "status", None)
                if status is not None:
                    caption(t.label("rstatus" if kind == "rebuttal" else
                                    "fstatus" if kind == "fact" else "status", status))
            _explain(ctx, explanations.get((kind, link.target_id), {}))
            _actions(ctx, claim, claim_version, link, version, target)


def _actions(ctx: PageContext, claim: Claim, claim_version: int, link: MatchLink, version: int,
             target: Any) -> None:
    t = ctx.t
    cols = st.columns(4)
    clicked = None
    if ctx.may("match.decide"):
        if link.decision != LinkDecision.CONFIRMED and cols[0].button(
                t("claim.confirm"), key=f"claim.confirm_{link.id}", icon=":material/check:"):
            clicked = ("decide", LinkDecision.CONFIRMED)
        if link.decision != LinkDecision.REJECTED and cols[1].button(
                t("claim.reject"), key=f"claim.reject_{link.id}", icon=":material/close:"):
            clicked = ("decide", LinkDecision.REJECTED)
    kind = LinkKind(link.target_kind)
    live = kind == LinkKind.REBUTTAL and target is not None and target.live_version_no is not None
    if ctx.may("claim.dismiss") and live and cols[2].button(
            t("claim.answer"), key=f"claim.answer_{link.id}", type="primary",
            icon=":material/task_alt:"):
        clicked = ("answer", None)
    if ctx.may("claim.dismiss") and kind == LinkKind.CLAIM and target is not None and cols[3].button(
            t("claim.fold"), key=f"claim.fold_{link.id}", icon=":material/call_merge:"):
        clicked = ("fold", None)
    if clicked is None:
        return
    with guard(t) as attempt:
        if clicked[0] == "decide":
            ctx.svc.links.decide(ctx.actor, link.id, clicked[1], expected_version=version)
            message = t("claim.decided", decision=t.label("decision", clicked[1]))
        elif clicked[0] == "answer":
            ctx.svc.claims.mark_answered(ctx.actor, claim.id, link.target_id,
                                         expected_version=claim_version)
            message = t("claim.answered", id=link.target_id)
        else:
            ctx.svc.claims.mark_duplicate(ctx.actor, claim.id, link.target_id,
                                          expected_version=claim_version)
            message = t("claim.folded", id=link.target_id)
    if attempt.ok:
        flash("success", message)
        st.rerun()
