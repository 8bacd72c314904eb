"""Report charts: interactive plotly for HTML, hand-drawn SVG for the PDF.

Both read the run's stored series only, so a re-render draws the same charts.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from audits.reports import svg

ACCENT = "#2f6fed"
SECOND = "#f29d38"
GROUP_METRICS = ("diversity", "satisfaction", "ctr", "cvr")


def _html(figure: go.Figure, element_id: str) -> str:
    figure.update_layout(
        height=340,
        margin={"l": 60, "r": 30, "t": 50, "b": 50},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
    )
    return figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=element_id,
        config={"displaylogo": False, "responsive": True},
    )


def _lorenz(series: dict[str, Any]) -> tuple[list[float], list[float]]:
    lorenz = series.get("lorenz") or {}
    return list(lorenz.get("population", [])), list(lorenz.get("traffic", []))


def _group_rows(comparison: dict[str, Any]) -> list[tuple[str, Any, Any, Any]]:
    intervals = comparison.get("intervals", {})
    return [
        (name, value, *(intervals.get(name) or (None, None)))
        for name, value in sorted(comparison.get("values", {}).items())
    ]


def plotly_charts(series: dict[str, Any]) -> dict[str, str]:
    charts = {}
    population, traffic = _lorenz(series)
    if population:
        figure = go.Figure()
        figure.add_scatter(
            x=population, y=traffic, name=_("Traffic"), line_color=ACCENT
        )
        figure.add_scatter(
            x=[0, 1], y=[0, 1], name=_("Equal share"), line={"dash": "dash"}
        )
        figure.update_layout(
            title=_("Lorenz curve of merchant exposure"),
            xaxis_title=_("Share of merchants"),
            yaxis_title=_("Share of exposures"),
        )
        charts["lorenz"] = _html(figure, "chart-lorenz")

    figure = go.Figure()
    for metric in GROUP_METRICS:
        for grouping, comparison in (
            series.get("groups", {}).get(metric) or {}
        ).items():
            rows = _group_rows(comparison)
            if not rows:
                continue
            figure.add_bar(
                x=[f"{metric} · {name}" for name, *_ in rows],
                y=[value for _, value, *_ in rows],
                name=f"{metric} / {grouping}",
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [(high or value) - value for _, value, _low, high in rows],
                    "arrayminus": [
                        value - (low or value) for _, value, low, _h in rows
                    ],
                },
            )
    if figure.data:
        figure.update_layout(
            title=_("Viewer groups with 95% bootstrap intervals"), showlegend=True
        )
        charts["groups"] = _html(figure, "chart-groups")

    daily = series.get("daily") or []
    if daily:
        figure = go.Figure()
        days = [row["day"] for row in daily]
        figure.add_bar(
            x=days, y=[row["exposures"] for row in daily], name=_("Exposures")
        )
        figure.add_scatter(
            x=days,
            y=[row["quality_share"] for row in daily],
            name=_("Quality content share"),
            yaxis="y2",
            line_color=SECOND,
        )
        figure.update_layout(
            title=_("Exposure share of quality content over time"),
            xaxis={"type": "category"},
            yaxis2={"overlaying": "y", "side": "right", "range": [0, 1]},
        )
        charts["daily"] = _html(figure, "chart-daily")

    credit = series.get("credit") or {}
    if credit.get("tiers"):
        figure = go.Figure()
        figure.add_bar(
            x=credit["tiers"], y=credit["mean_exposures"], name=_("Exposures")
        )
        figure.update_layout(
            title=_("Mean exposures per merchant by credit tier"),
            xaxis={"type": "category", "title": {"text": _("Credit tier")}},
        )
        charts["credit"] = _html(figure, "chart-credit")
    return charts


def svg_charts(series: dict[str, Any]) -> dict[str, str]:
    charts = {}
    population, traffic = _lorenz(series)
    if population:
        charts["lorenz"] = svg.line_chart(
            _("Lorenz curve of merchant exposure"), population, traffic, diagonal=True
        )
    groups = series.get("groups", {})
    for metric in GROUP_METRICS:
        rows = []
        for grouping, comparison in sorted((groups.get(metric) or {}).items()):
            rows += [
                (f"{grouping}: {n}", *rest) for n, *rest in _group_rows(comparison)
            ]
        if rows:
            title = _("%(metric)s by viewer group, 95%% interval") % {"metric": metric}
            charts[f"groups-{metric}"] = svg.interval_chart(title, rows)
    daily = series.get("daily") or []
    if daily:
        charts["daily"] = svg.line_chart(
            _("Exposure share of quality content over time"),
            list(range(len(daily))),
            [row["quality_share"] for row in daily],
            x_labels=[row["day"][5:] for row in daily],
        )
    credit = series.get("credit") or {}
    if credit.get("tiers"):
        rows = [
            (tier, mean, None, None)
            for tier, mean in zip(
                credit["tiers"], credit["mean_exposures"], strict=True
            )
        ]
        charts["credit"] = svg.interval_chart(
            _("Mean exposures per merchant by credit tier"), rows
        )
    return charts
