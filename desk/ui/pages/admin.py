"""Administration: users and roles, region import, topics, matching thresholds with
the calibration from reviewer decisions, reindex, backup and the audit log.
Each tab appears only for roles that may use it."""
from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from desk.domain import Role, User
from desk.services.users import generate_password
from desk.ui import lookups, resources
from desk.ui.context import PageContext, current
from desk.ui.i18n import LANGUAGES
from desk.ui.widgets import (
    ProgressBar, alert, caption, flash, guard, heading, live_matching, optional_service, plain,
    seen_version, table,
)

TABS = (
    ("users", "admin.tab_users", ("user.view",)),
    ("regions", "admin.tab_regions", ("region.import",)),
    ("topics", "admin.tab_topics", ("topic.manage",)),
    ("matching", "admin.tab_matching", ("match.calibrate", "settings.edit")),
    ("publishing", "admin.tab_publishing", ("settings.edit",)),
    ("maintenance", "admin.tab_maintenance", ("index.rebuild", "backup.create")),
    ("audit", "admin.tab_audit", ("audit.view",)),
)
NEW_USER_FIELDS = ("username", "display_name", "email", "role", "region", "language",
                   "password_mode")


def _show_secret(ctx: PageContext) -> None:
    """A generated password, shown once until the admin dismisses it."""
    shown = st.session_state.get("admin.generated")
    if not shown:
        return
    alert("warning", ctx.t("admin.password_once", username=shown[0]))
    st.code(shown[1], language=None)
    if st.button(ctx.t("admin.password_dismiss"), key="admin.password_dismiss"):
        st.session_state.pop("admin.generated", None)
        st.rerun()


def _users(ctx: PageContext) -> None:
    t = ctx.t
    _show_secret(ctx)
    users = ctx.svc.users.list(ctx.actor)
    table(pd.DataFrame({
        "#": [u.id for u in users],
        t("admin.username"): [u.username for u in users],
        t("admin.display_name"): [u.display_name for u in users],
        t("admin.role"): [t.label("role", u.role) for u in users],
        t("admin.email"): [u.email or "" for u in users],
        t("admin.region"): [lookups.region_label_by_id(ctx, u.region_id) for u in users],
        t("admin.active"): [t("common.yes") if u.active else t("common.no") for u in users],
        t("admin.sign_in_method"): [t("admin.method_password") if u.has_password
                                    else t("admin.method_sso") for u in users],
    }), "admin.users_table")
    _manage_user(ctx, users)
    _new_user(ctx)


def _manage_user(ctx: PageContext, users: list[User]) -> None:
    t = ctx.t
    if not users:
        return
    heading(t("admin.manage_user"), level=4)
    by_id = {u.id: u for u in users}
    c1, c2, c3 = st.columns([2, 2, 2], vertical_alignment="bottom")
    chosen = c1.selectbox(t("admin.user_pick"), options=list(by_id),
                          format_func=lambda i: f"{by_id[i].username} · {by_id[i].display_name}",
                          key="admin.user_pick")
    user = by_id[chosen]
    version = seen_version(f"admin.user_seen.{user.id}", user.version)
    roles = [r.value for r in Role]
    role = c2.selectbox(t("admin.role"), options=roles, index=roles.index(user.role.value),
                        format_func=lambda v: t.label("role", v), key=f"admin.user_role_{user.id}")
    action = None
    if c2.button(t("admin.set_role"), key="admin.set_role"):
        action = "role"
    if user.active:
        if c3.button(t("admin.deactivate"), key="admin.deactivate", icon=":material/block:"):
            action = "deactivate"
    elif c3.button(t("admin.reactivate"), key="admin.reactivate"):
        action = "reactivate"
    if c3.button(t("admin.reset_password"), key="admin.reset_password", icon=":material/key:"):
        action = "reset"
    if action is None:
        return
    with guard(t) as attempt:
        if action == "role":
            ctx.svc.users.set_role(ctx.actor, user.id, role, expected_version=version)
        elif action in ("deactivate", "reactivate"):
            ctx.svc.users.set_active(ctx.actor, user.id, action == "reactivate",
                                     expected_version=version)
        else:
            password = generate_password()
            ctx.svc.users.reset_password(ctx.actor, user.id, password)
            st.session_state["admin.generated"] = (user.username, password)
    if attempt.ok:
        flash("success", t("admin.user_saved", username=user.username))
        st.rerun()


def _new_user(ctx: PageContext) -> None:
    t = ctx.t
    if not ctx.may("user.create"):
        return
    if st.session_state.pop("admin.new_reset", False):
        for name in NEW_USER_FIELDS:
            st.session_state.pop(f"admin.new_{name}", None)
    heading(t("admin.new_user"), level=4)
    regions = {r.code: r for r in lookups.pickable_regions(ctx)}
    with st.form("admin.new_user_form"):
        c1, c2, c3 = st.columns(3)
        username = c1.text_input(t("admin.username"), key="admin.new_username", max_chars=40,
                                 help=t("setup.username_help"))
        display = c2.text_input(t("admin.display_name"), key="admin.new_display_name",
                                max_chars=200)
        email = c3.text_input(t("admin.email"), key="admin.new_email", max_chars=254,
                              help=t("admin.email_help"))
        c4, c5, c6 = st.columns(3)
        role = c4.selectbox(t("admin.role"), options=[r.value for r in Role], index=2,
                            format_func=lambda v: t.label("role", v), key="admin.new_role")
        region = c5.selectbox(t("admin.region"), options=["", *regions],
                              format_func=lambda c: lookups.region_label(ctx, regions.get(c))
                              if c else t("common.none"), key="admin.new_region")
        language = c6.selectbox(t("app.language"), options=list(LANGUAGES),
                                format_func=lambda v: t.label("lang", v), key="admin.new_language")
        mode = st.radio(t("admin.password_mode"), options=["generate", "sso"], horizontal=True,
                        format_func=lambda m: t(f"admin.password_{m}"),
                        key="admin.new_password_mode")
        submitted = st.form_submit_button(t("admin.create_user"), key="admin.new_user_submit",
                                          type="primary")
    if not submitted:
        return
    password = generate_password() if mode == "generate" else None
    with guard(t) as attempt:
        user = ctx.svc.users.create(ctx.actor, username, role=role, display_name=display or None,
                                    email=email or None, language=language,
                                    region_code=region or None, password=password)
    if attempt.ok:
        if password:
            st.session_state["admin.generated"] = (user.username, password)
        st.session_state["admin.new_reset"] = True
        flash("success", t("admin.user_created", username=user.username))
        st.rerun()


def _regions(ctx: PageContext) -> None:
    t = ctx.t
    regions = lookups.regions(ctx)
    counts = pd.Series([t.label("level", r.level) for r in regions]).value_counts()
    caption(t("admin.region_count", count=len(regions)) + (
        " · " + ", ".join(f"{k}: {v}" for k, v in counts.items()) if len(counts) else ""))
    upload = st.file_uploader(t("admin.regions_file"), type=["csv"], key="admin.regions_file",
                              help=t("admin.regions_help"))
    if upload is not None and st.button(t("admin.regions_import"), key="admin.regions_import",
                                        icon=":material/upload:"):
        with guard(t) as attempt:
            report = ctx.svc.regions.import_csv(ctx.actor, upload.getvalue())
        if attempt.ok:
            flash("success", t("admin.regions_done", rows=report.rows, inserted=report.inserted,
                               updated=report.updated, unchanged=report.unchanged))
            st.rerun()


def _topics(ctx: PageContext) -> None:
    t = ctx.t
    topics = lookups.topics(ctx)
    table(pd.DataFrame({
        t("admin.topic_slug"): [tp.slug for tp in topics],
        t("admin.topic_en"): [tp.name_en for tp in topics],
        t("admin.topic_hi"): [tp.name_hi or "" for tp in topics],
    }), "admin.topics_table")
    with st.form("admin.topic_form", clear_on_submit=False):
        c1, c2, c3 = st.columns(3)
        slug = c1.text_input(t("admin.topic_slug"), key="admin.topic_slug", max_chars=64,
                             help=t("admin.topic_slug_help"))
        name_en = c2.text_input(t("admin.topic_en"), key="admin.topic_en", max_chars=200)
        name_hi = c3.text_input(t("admin.topic_hi"), key="admin.topic_hi", max_chars=200)
        submitted = st.form_submit_button(t("admin.topic_save"), key="admin.topic_save")
    if submitted:
        with guard(t) as attempt:
            topic = ctx.svc.regions.upsert_topic(ctx.actor, slug, name_en, name_hi or None)
        if attempt.ok:
            flash("success", t("admin.topic_saved", slug=topic.slug))
            st.rerun()


def _matching(ctx: PageContext) -> None:
    t = ctx.t
    current_values, version = ctx.svc.settings.thresholds(ctx.actor)
    engines = ctx.engines
    defaults = dict(current_values or {})
    if not defaults and engines is not None:
        fallback = getattr(engines, "default_thresholds", None)
        defaults = fallback.to_dict() if fallback is not None else {}
    caption(t("admin.th_current", same=defaults.get("same", "—"),
              related=defaults.get("related", "—"),
              source=t("admin.th_stored") if current_values else t("admin.th_default")))
    matching = optional_service(ctx, "matching")
    proposal = None
    if matching is not None and ctx.may("match.calibrate"):
        with guard(t):
            proposal = matching.proposed_thresholds(ctx.actor)
        if proposal:
            alert("info", t("admin.th_proposal", same=f"{proposal.get('same', 0):.3f}",
                            related=f"{proposal.get('related', 0):.3f}"))
            caption(t("admin.th_labels", confirmed=proposal.get("confirmed", "—"),
                      rejected=proposal.get("rejected", "—")))
        else:
            caption(t("admin.th_no_proposal"))
    if not ctx.may("settings.edit"):
        return
    start = proposal or defaults
    c1, c2, c3 = st.columns(3, vertical_alignment="bottom")
    same = c1.number_input(t("admin.th_same"), min_value=0.0, max_value=1.0, step=0.01,
                           value=float(start.get("same", 0.85)), format="%.3f", key="admin.th_same")
    related = c2.number_input(t("admin.th_related"), min_value=0.0, max_value=1.0, step=0.01,
                              value=float(start.get("related", 0.5)), format="%.3f",
                              key="admin.th_related")
    if c3.button(t("admin.th_apply"), key="admin.th_apply", type="primary"):
        with guard(t) as attempt:
            if matching is not None:
                matching.apply_thresholds(ctx.actor, same=same, related=related,
                                          expected_version=version)
            else:
                ctx.svc.settings.set_thresholds(ctx.actor, same=same, related=related,
                                                expected_version=version)
        if attempt.ok:
            flash("success", t("admin.th_applied"))
            st.rerun()


#: Shared settings the exports use (ClaimReview needs the public address).
PUBLISH_SETTINGS = (("publish.base_url", "admin.pub_base_url", "admin.pub_base_url_help"),
                    ("publish.organisation", "admin.pub_org", "admin.pub_org_help"),
                    ("publish.organisation_url", "admin.pub_org_url", "admin.pub_org_url_help"))


def _publishing(ctx: PageContext) -> None:
    t = ctx.t
    stored = ctx.svc.settings.all(ctx.actor)
    values = {}
    for key, label, hint in PUBLISH_SETTINGS:
        value, _version = stored.get(key, ("", 0))
        values[key] = st.text_input(t(label), value=str(value or ""), max_chars=500,
                                    key=f"admin.{key}", help=t(hint))
    if not st.button(t("admin.pub_save"), key="admin.pub_save", type="primary"):
        return
    with guard(t) as attempt:
        with ctx.svc.store.write():          # all three or none
            for key, _label, _hint in PUBLISH_SETTINGS:
                old, version = stored.get(key, ("", 0))
                if (values[key] or "").strip() != str(old or ""):
                    ctx.svc.settings.set(ctx.actor, key, values[key].strip(),
                                         expected_version=version)
    if attempt.ok:
        flash("success", t("admin.pub_saved"))
        st.rerun()


def _maintenance(ctx: PageContext) -> None:
    t = ctx.t
    c1, c2, c3 = st.columns(3)
    matching = live_matching(ctx)
    if ctx.engines is None and ctx.may("index.rebuild") and c1.button(
            t("admin.retry_engines"), key="admin.retry_engines", icon=":material/restart_alt:"):
        # The next run loads the engines again instead of waiting out the back-off.
        resources.retry_engines(ctx.settings)
        st.rerun()
    if ctx.may("index.rebuild") and matching is not None and c1.button(
            t("admin.reindex"), key="admin.reindex", icon=":material/refresh:"):
        bar = ProgressBar(t("admin.reindexing"))
        with guard(t) as attempt:
            result = matching.reindex(ctx.actor, progress=bar)
        if attempt.ok:
            bar.done()
            alert("success", t("admin.reindexed"))
            st.json(result, expanded=False)
    if ctx.may("backup.create") and c2.button(t("admin.backup"), key="admin.backup",
                                               icon=":material/backup:"):
        with guard(t) as attempt:
            report = ctx.svc.admin.backup(ctx.actor)
        if attempt.ok:
            alert("success", t("admin.backed_up", bytes=report.bytes))
            plain(str(report.path))
    if ctx.may("stats.view") and c3.button(t("admin.check"), key="admin.check",
                                            icon=":material/health_and_safety:"):
        with guard(t) as attempt:
            check = ctx.svc.admin.check(ctx.actor)
            matching_check = matching.check(ctx.actor) if matching is not None else None
        if attempt.ok:
            if matching_check is not None:
                check = {**check, "index": matching_check}
            healthy = (check.get("integrity") == "ok" and not check.get("index_problems")
                       and _index_consistent(matching_check))
            alert("success" if healthy else "error",
                  t("admin.check_ok") if healthy else t("admin.check_bad"))
            st.code(json.dumps(check, ensure_ascii=False, indent=2, default=str), language="json")
    # Counting every table takes a while on a big desk: only when asked.
    if st.button(t("admin.stats"), key="admin.stats", icon=":material/query_stats:"):
        st.code(json.dumps(ctx.svc.admin.stats(ctx.actor), ensure_ascii=False, indent=2,
                           default=str), language="json")


def _index_consistent(report: object) -> bool:
    """The matching bridge's check: every collection's index ids equal the database's."""
    if not isinstance(report, dict):
        return True
    if "consistent" in report:
        return bool(report["consistent"])
    return all(not isinstance(v, dict) or v.get("consistent", True) for v in report.values())


def _audit(ctx: PageContext) -> None:
    t = ctx.t
    c1, c2 = st.columns(2)
    action = c1.text_input(t("admin.audit_action"), key="admin.audit_action", max_chars=100)
    outcome = c2.selectbox(t("admin.audit_outcome"), options=["", "ok", "denied", "failed"],
                           format_func=lambda v: v or t("common.any"), key="admin.audit_outcome")
    entries = ctx.svc.settings.audit_log(ctx.actor, action=action.strip() or None,
                                         outcome=outcome or None, limit=200)
    table(pd.DataFrame({
        t("admin.audit_at"): [e.at.replace("T", " ").rstrip("Z") for e in entries],
        t("admin.audit_who"): [e.actor_name or "" for e in entries],
        t("admin.audit_what"): [e.action for e in entries],
        t("admin.audit_record"): [f"{e.entity or ''} {e.entity_id or ''}".strip() for e in entries],
        t("admin.audit_outcome"): [e.outcome for e in entries],
        t("admin.audit_detail"): [json.dumps(e.detail, ensure_ascii=False)[:200]
                                  if e.detail else "" for e in entries],
    }), "admin.audit_table")


RENDER = {"users": _users, "regions": _regions, "topics": _topics, "matching": _matching,
          "publishing": _publishing,
          "maintenance": _maintenance, "audit": _audit}


def render(ctx: PageContext) -> None:
    t = ctx.t
    st.title(t("admin.title"))
    tabs = [(name, key) for name, key, actions in TABS if any(ctx.may(a) for a in actions)]
    if not tabs:
        alert("info", t("admin.nothing"))
        return
    for (name, _key), tab in zip(tabs, st.tabs([t(key) for _name, key in tabs])):
        with tab:
            RENDER[name](ctx)


if __name__ == "__main__":
    render(current())
