"""Plotly charts of the console, rendered as HTML fragments.

plotly.js itself is served from ``static/`` (``vendor/plotly.min.js``), never from a
CDN: platforms and their auditors often work without internet.
"""

from __future__ import annotations

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from console.dashboard import DayFigures

# Matches the console palette in static/console/console.css.
EXPOSURE_COLOUR = "#2f6fed"
CLICK_COLOUR = "#f29d38"
GMV_COLOUR = "#2a9d6f"


def _figure_html(figure: go.Figure, element_id: str) -> str:
    return figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=element_id,
        config={"displaylogo": False, "responsive": True},
    )


def daily_traffic_chart(figures: list[DayFigures]) -> str:
    """Exposures and clicks as bars, GMV as a line on its own axis."""
    days = [row.day.isoformat() for row in figures]
    figure = go.Figure()
    figure.add_bar(
        x=days,
        y=[row.exposures for row in figures],
        name=_("Exposures"),
        marker_color=EXPOSURE_COLOUR,
    )
    figure.add_bar(
        x=days,
        y=[row.clicks for row in figures],
        name=_("Clicks"),
        marker_color=CLICK_COLOUR,
    )
    figure.add_scatter(
        x=days,
        y=[float(row.gmv) for row in figures],
        name=_("GMV (CNY)"),
        mode="lines+markers",
        line={"color": GMV_COLOUR, "width": 3},
        yaxis="y2",
    )

    figure.update_layout(
        barmode="group",
        height=360,
        margin={"l": 50, "r": 60, "t": 30, "b": 40},
        legend={"orientation": "h", "y": -0.2},
        xaxis={"type": "category", "title": {"text": _("Day")}},
        yaxis={"title": {"text": _("Events")}, "rangemode": "tozero"},
        yaxis2={
            "title": {"text": _("GMV (CNY)")},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
        },
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
    )
    return _figure_html(figure, "daily-traffic-chart")
