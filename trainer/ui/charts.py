"""The History progress chart: several 0-100 lines over calls, axes labelled, a legend.

Plain SVG in an HTML string, like the smaller charts in ``trainer.ui.render``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

SERIES_COLOURS = ["#1565c0", "#2e7d32", "#ef8f00", "#6a1b9a", "#c62828", "#00838f"]


def progress_chart(
    series: Mapping[str, Sequence[float | None]], *, title: str, x_label: str, y_label: str
) -> str:
    """An SVG chart of several 0-100 lines over the same x (call 1, 2, ...), with both axes
    labelled and a legend; ``None`` values are gaps (e.g. an unscored call)."""
    if not any(v is not None for values in series.values() for v in values):
        return f'<div class="fl-chart"><b>{escape(title)}</b><p>No scored calls yet.</p></div>'
    width, height, left, bottom, top, right = 520, 220, 46, 36, 10, 12
    count = max(len(v) for v in series.values())
    span = max(1, count - 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        x = left + (width - left - right) * (i / span if count > 1 else 0.5)
        return round(x, 1), round(top + (height - top - bottom) * (1 - v / 100), 1)

    parts = [f'<line x1="{left}" x2="{left}" y1="{top}" y2="{height - bottom}" stroke="#999"/>']
    for g in (0, 50, 100):
        y = xy(0, g)[1]
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y}" y2="{y}" stroke="#eee"/>'
            f'<text x="{left - 26}" y="{y + 4}">{g}</text>'
        )
    for i in sorted({0, count - 1, span // 2}):
        parts.append(f'<text x="{xy(i, 0)[0] - 3}" y="{height - bottom + 14}">{i + 1}</text>')
    legend = []
    for n, (name, values) in enumerate(series.items()):
        colour = SERIES_COLOURS[n % len(SERIES_COLOURS)]
        pts = [(xy(i, v), v) for i, v in enumerate(values) if v is not None]
        line = " ".join(f"{x},{y}" for (x, y), _ in pts)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{line}"/>')
        parts += [
            f'<circle cx="{x}" cy="{y}" r="3" fill="{colour}"><title>{escape(name)}: {v:.0f}'
            "</title></circle>"
            for (x, y), v in pts
        ]
        legend.append(f'<span style="color:{colour}">&#9632; {escape(name)}</span>')
    parts.append(
        f'<text x="{width // 2 - 20}" y="{height - 4}">{escape(x_label)}</text>'
        f'<text transform="rotate(-90)" x="{-(height // 2) - 40}" y="12">{escape(y_label)}</text>'
    )
    return (
        f'<div class="fl-chart"><b>{escape(title)}</b><br><svg width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}">{"".join(parts)}</svg>'
        f'<div class="fl-legend">{" &nbsp; ".join(legend)}</div></div>'
    )
