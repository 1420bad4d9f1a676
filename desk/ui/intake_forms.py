"""New claims: the single-claim form and the file upload (WhatsApp export, CSV, JSON).

Used by the triage inbox (desk roles) and the field-report page (coordinators).
The intake service matches and deduplicates; these forms only collect input and
show the result.
"""
from __future__ import annotations

from pathlib import PurePath
from typing import Any

import pandas as pd
import streamlit as st

from desk.domain import Channel, NewClaim
from desk.ui import lookups
from desk.ui.context import PageContext
from desk.ui.widgets import (
    ProgressBar, alert, caption, flash, guard, optional_service, plain, table,
)

FORM_FIELDS = ("text", "channel", "region", "topics", "group", "url")
UPLOAD_FORMATS = ("whatsapp", "csv", "json")


def _reset_keys(prefix: str, fields: tuple[str, ...]) -> None:
    if st.session_state.pop(f"{prefix}.new_reset", False):
        for name in fields:
            st.session_state.pop(f"{prefix}.new_{name}", None)


def claim_form(ctx: PageContext, prefix: str, *, default_channel: Channel = Channel.WHATSAPP,
               default_region: str | None = None) -> int | None:
    """The one-claim form; returns the id of the claim it created or merged into."""
    t = ctx.t
    _reset_keys(prefix, FORM_FIELDS)
    regions = lookups.pickable_regions(ctx)
    region_codes = [""] + [r.code for r in regions]
    by_code = {r.code: r for r in regions}
    if default_region and f"{prefix}.new_region" not in st.session_state \
            and default_region in by_code:
        st.session_state[f"{prefix}.new_region"] = default_region
    with st.form(f"{prefix}.new_form"):
        text = st.text_area(t("intake.text"), key=f"{prefix}.new_text", height=120,
                            max_chars=ctx.settings.max_text_chars, help=t("intake.text_help"))
        c1, c2 = st.columns(2)
        channels = [c.value for c in Channel]
        channel = c1.selectbox(t("intake.channel"), options=channels,
                               index=channels.index(default_channel.value),
                               format_func=lambda v: t.label("channel", v),
                               key=f"{prefix}.new_channel")
        region = c2.selectbox(t("intake.region"), options=region_codes,
                              format_func=lambda c: lookups.region_label(ctx, by_code.get(c))
                              if c else t("common.none"),
                              key=f"{prefix}.new_region")
        topic_slugs = [tp.slug for tp in lookups.topics(ctx)]
        chosen_topics = st.multiselect(t("intake.topics"), options=topic_slugs,
                                       format_func=lambda s: lookups.topic_label(ctx, s),
                                       key=f"{prefix}.new_topics")
        c3, c4 = st.columns(2)
        group = c3.text_input(t("intake.group"), key=f"{prefix}.new_group", max_chars=200)
        url = c4.text_input(t("intake.url"), key=f"{prefix}.new_url", max_chars=2000,
                            help=t("intake.url_help"))
        submitted = st.form_submit_button(t("intake.submit"), key=f"{prefix}.new_submit",
                                          type="primary")
    if not submitted:
        return None
    new = NewClaim(text=text, channel=channel, source_url=url.strip() or None,
                   source_group=group.strip() or None, region_code=region or None,
                   topics=tuple(chosen_topics))
    intake = optional_service(ctx, "intake")
    with guard(t) as attempt:
        if intake is not None:
            result = intake.submit_claim(ctx.actor, new)
            claim_id = result.merged_into or result.claim.id
            if result.merged_into:
                message = t("intake.merged", id=result.merged_into)
            else:
                message = t("intake.created", id=result.claim.id,
                            count=len(result.suggestions or ()))
        else:
            claim_id = ctx.svc.claims.create(ctx.actor, new).id
            message = t("intake.created_unmatched", id=claim_id)
    if not attempt.ok:
        return None
    st.session_state[f"{prefix}.new_reset"] = True
    st.session_state[f"{prefix}.last_claim"] = claim_id
    flash("success", message)
    st.rerun()
    return claim_id  # pragma: no cover - st.rerun() does not return


def _guess_format(name: str) -> str:
    suffix = PurePath(name).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".json", ".jsonl", ".ndjson"):
        return "json"
    return "whatsapp"


def _mapping_step(ctx: PageContext, prefix: str, intake: Any, data: bytes,
                  fmt: str) -> dict | None:
    """Show the detected columns and let the user adjust the proposed mapping."""
    t = ctx.t
    with guard(t) as attempt:
        preview = intake.preview_tabular(ctx.actor, data, fmt=fmt)
    if not attempt.ok:
        return None
    columns = [str(c) for c in preview.get("columns", [])]
    proposed = dict(preview.get("mapping") or {})
    rows = preview.get("rows") or []
    for problem in [*(preview.get("errors") or ()), *(preview.get("warnings") or ())][:10]:
        alert("warning", problem)
    if rows:
        caption(t("intake.preview"))
        table(pd.DataFrame(rows).astype(str), f"{prefix}.upload_preview")
    mapping: dict[str, str] = {}
    fields = list(proposed) or list(preview.get("fields", []))
    cols = st.columns(min(4, max(1, len(fields))))
    for n, name in enumerate(fields):
        current = proposed.get(name)
        options = [""] + columns
        chosen = cols[n % len(cols)].selectbox(
            t("intake.map_field", field=name), options=options,
            index=options.index(current) if current in options else 0,
            format_func=lambda c: c or t("common.none"), key=f"{prefix}.map_{name}")
        if chosen:
            mapping[name] = chosen
    return mapping


def upload_form(ctx: PageContext, prefix: str) -> None:
    """Upload a WhatsApp export (.txt/.zip) or a CSV/JSON file of claims."""
    t = ctx.t
    intake = optional_service(ctx, "intake")
    if intake is None:
        alert("info", t("intake.upload_unavailable"))
        return
    limit_mb = max(1, ctx.settings.max_upload_bytes // 1_000_000)
    upload = st.file_uploader(t("intake.upload", mb=limit_mb), key=f"{prefix}.upload",
                              type=["txt", "zip", "csv", "json", "jsonl"])
    if upload is None:
        _show_report(ctx, prefix)
        return
    guessed = _guess_format(upload.name)
    fmt = st.radio(t("intake.format"), options=list(UPLOAD_FORMATS),
                   index=UPLOAD_FORMATS.index(guessed), horizontal=True,
                   format_func=lambda f: t(f"intake.format_{f}"), key=f"{prefix}.upload_format")
    data = upload.getvalue()
    mapping = None
    group = region = None
    if fmt == "whatsapp":
        c1, c2 = st.columns(2)
        group = c1.text_input(t("intake.upload_group"), key=f"{prefix}.upload_group",
                              max_chars=200, help=t("intake.upload_group_help"))
        regions = lookups.pickable_regions(ctx)
        by_code = {r.code: r for r in regions}
        region = c2.selectbox(t("intake.region"), options=[""] + list(by_code),
                              format_func=lambda c: lookups.region_label(ctx, by_code.get(c))
                              if c else t("common.none"), key=f"{prefix}.upload_region")
    else:
        mapping = _mapping_step(ctx, prefix, intake, data, fmt)
        if mapping is None:
            return
    if st.button(t("intake.upload_go"), key=f"{prefix}.upload_go", type="primary",
                 icon=":material/upload:"):
        bar = ProgressBar(t("intake.importing", name=upload.name))
        with guard(t) as attempt:
            if fmt == "whatsapp":
                report = intake.import_whatsapp(ctx.actor, data, filename=upload.name,
                                                group=(group or "").strip() or None,
                                                region_code=region or None, progress=bar)
            else:
                report = intake.import_tabular(ctx.actor, data, fmt=fmt, mapping=mapping or None,
                                               progress=bar)
        if attempt.ok:
            bar.done()
            st.session_state[f"{prefix}.import_report"] = {"name": upload.name,
                                                           **report.as_dict()}
    _show_report(ctx, prefix)


def _show_report(ctx: PageContext, prefix: str) -> None:
    report = st.session_state.get(f"{prefix}.import_report")
    if not report:
        return
    t = ctx.t
    st.markdown(f"**{t('intake.report')}**")
    plain(report.get("name", ""))
    figures = [("messages", "intake.r_messages"), ("claims_created", "intake.r_created"),
               ("merged_into_existing", "intake.r_merged"),
               ("folded_within_import", "intake.r_folded"),
               ("sightings_added", "intake.r_sightings"), ("already_imported", "intake.r_already")]
    cols = st.columns(len(figures))
    for col, (name, key) in zip(cols, figures):
        value = report.get(name, 0)
        col.metric(t(key), value if isinstance(value, int) else len(value or ()))
    skipped = report.get("skipped") or {}
    if skipped:
        caption(t("intake.r_skipped"))
        table(pd.DataFrame({t("intake.r_reason"): list(skipped),
                            t("intake.r_count"): list(skipped.values())}),
              f"{prefix}.import_skipped")
    for warning in report.get("warnings") or ():
        alert("warning", warning)
    suggestions = report.get("suggestions")
    if suggestions:
        caption(t("intake.r_suggestions", count=suggestions if isinstance(suggestions, int)
                  else len(suggestions)))
    if st.button(t("intake.r_clear"), key=f"{prefix}.import_clear"):
        st.session_state.pop(f"{prefix}.import_report", None)
        st.rerun()
