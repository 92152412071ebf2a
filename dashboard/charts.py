"""The numbers the dashboard's charts draw (static/js/dashboard.js): the same
as the tables beside them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reports.figures import PROGRESS

from .figures import STATES

if TYPE_CHECKING:
    from .figures import DashboardFigures

TREND_LINES = [
    ("on_time", "Đúng hạn (%)", "#198754"),
    ("late", "Muộn (%)", "#fd7e14"),
    ("missing", "Chưa nộp, quá hạn (%)", "#dc3545"),
    ("accepted", "Đã tiếp nhận (%)", "#0b4f8a"),
]


def chart_data(figures: DashboardFigures) -> dict:
    """The numbers the charts draw (static/js/dashboard.js), the same as the tables."""
    states = [{"key": k, "label": label, "color": color} for k, (label, _, color, _) in STATES.items()]
    outputs = figures.outputs
    # Periods still open are left out of the line: their rates are not comparable yet.
    trend = [(p, row) for p, row in figures.trend if p.due < figures.today or p == figures.period]
    palette = ["#0b4f8a", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51", "#6a4c93", "#1982c4", "#8ac926",
               "#ff595e", "#6c757d", "#b5838d", "#264653"]
    return {
        "states": states,
        "branches": {"labels": [b["name"] for b in figures.branches],
                     "series": {k: [b[k] for b in figures.branches] for k in STATES}},
        "kinds": {"labels": [r["name"] for r in figures.by_kind],
                  "series": {k: [r[k] for r in figures.by_kind] for k in STATES}},
        "trend": {
            "labels": [p.label for p, _ in trend],
            "series": [
                {"label": label, "color": color, "data": [round(r["rates"][key], 1) for _, r in trend]}
                for key, label, color in TREND_LINES
            ],
        },
        "progress": {
            "labels": [a["label"] for a in outputs["areas"]],
            "series": [{"label": label, "color": color, "data": [a["progress"][state] for a in outputs["areas"]]}
                       for state, (label, color) in PROGRESS.items()],
        },
        "channels": {
            "labels": [c["label"] for c in outputs["channels"]],
            "series": [{"label": "Tỷ lệ hoàn thành (%)", "color": "#198754",
                        "data": [round(c["done_rate"], 1) for c in outputs["channels"]]}],
        },
        "products": {
            "labels": [a["label"] for a in outputs["areas"]],
            "series": [
                {"label": name, "color": palette[i % len(palette)],
                 "data": [a["by_channel"].get(pk, 0) for a in outputs["areas"]]}
                for i, (pk, name, _) in enumerate(outputs["primary"])
            ],
        },
    }
