"""Charts as plain Vega-Lite specs.

``st.bar_chart`` and ``st.line_chart`` build their specs through Altair, which
validates the whole schema on every run (about 25 ms a chart here); a spec
written as a dict costs nothing.  Data is passed in long form: one row per bar
or point.  Labels in the data (region names, statuses) are drawn by Vega as
text, never as HTML.
"""
from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st


def _axis(field: str, kind: str, title: str, *, sort: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {"field": field, "type": kind, "title": title}
    if sort is not None:
        out["sort"] = sort
    return out


def bars(data: pd.DataFrame, *, x: str, y: str, x_title: str, y_title: str,
         color: str | None = None, color_title: str = "", horizontal: bool = False,
         keep_order: bool = False, height: int = 240) -> None:
    """A (stacked) bar chart; ``x`` is the category, ``y`` the count."""
    category = _axis(x, "nominal" if horizontal or keep_order else "ordinal", x_title,
                     sort=list(data[x].drop_duplicates()) if keep_order else None)
    value = _axis(y, "quantitative", y_title)
    encoding: dict[str, Any] = ({"y": category, "x": value} if horizontal
                                else {"x": category, "y": value})
    if color:
        encoding["color"] = _axis(color, "nominal", color_title)
    tooltip = [{"field": x, "title": x_title}, {"field": y, "title": y_title}]
    if color:
        tooltip.append({"field": color, "title": color_title})
    encoding["tooltip"] = tooltip
    st.vega_lite_chart(data, {"mark": {"type": "bar"}, "encoding": encoding, "height": height},
                       width="stretch")


def lines(data: pd.DataFrame, *, x: str, y: str, x_title: str, y_title: str,
          height: int = 180) -> None:
    st.vega_lite_chart(data, {
        "mark": {"type": "line", "point": True},
        "encoding": {"x": _axis(x, "ordinal", x_title), "y": _axis(y, "quantitative", y_title),
                     "tooltip": [{"field": x, "title": x_title}, {"field": y, "title": y_title}]},
        "height": height}, width="stretch")
