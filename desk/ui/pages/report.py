"""Report a claim from the field (coordinators): one form, the desk takes it from there."""
from __future__ import annotations

import streamlit as st

from desk.domain import Channel
from desk.ui import lookups
from desk.ui.context import PageContext, current
from desk.ui.intake_forms import claim_form
from desk.ui.widgets import alert


def render(ctx: PageContext) -> None:
    t = ctx.t
    st.title(t("report.title"))
    alert("info", t("report.intro"))
    own = lookups.region_by_id(ctx).get(ctx.user.region_id) if ctx.user.region_id else None
    claim_form(ctx, "report", default_channel=Channel.FIELD_REPORT,
               default_region=own.code if own else None)
    last = st.session_state.get("report.last_claim")
    if isinstance(last, int):
        alert("success", t("report.thanks", id=last))


if __name__ == "__main__":
    render(current())
