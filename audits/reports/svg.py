"""Static SVG charts for the PDF, drawn by hand: WeasyPrint renders inline SVG,
so the archive copy needs neither a browser nor an image library.

Every number is formatted with fixed precision so that the same data always gives
the same bytes (the PDF's hash depends on it).
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

WIDTH, HEIGHT, PAD = 460, 240, 40
INK, GRID, ACCENT, SECOND = "#1f2933", "#d5dbe3", "#2f6fed", "#f29d38"


def _x(value: float, low: float, high: float) -> float:
    span = (high - low) or 1.0
    return PAD + (value - low) / span * (WIDTH - 2 * PAD)


def _y(value: float, low: float, high: float) -> float:
    span = (high - low) or 1.0
    return HEIGHT - PAD - (value - low) / span * (HEIGHT - 2 * PAD)


def _frame(title: str, body: list[str]) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">'
    )
    axes = (
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        f'stroke="{INK}"/><line x1="{PAD}" y1="{PAD}" x2="{PAD}" '
        f'y2="{HEIGHT - PAD}" stroke="{INK}"/>'
    )
    caption = (
        f'<text x="{WIDTH / 2:.0f}" y="18" text-anchor="middle" font-size="12" '
        f'fill="{INK}">{escape(title)}</text>'
    )
    return head + caption + axes + "".join(body) + "</svg>"


def _label(x: float, y: float, text: str, anchor: str = "middle") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="9" '
        f'fill="{INK}">{escape(text)}</text>'
    )


def line_chart(
    title: str,
    xs: Sequence[float],
    ys: Sequence[float],
    *,
    x_labels: Sequence[str] = (),
    y_range: tuple[float, float] = (0.0, 1.0),
    diagonal: bool = False,
) -> str:
    if not xs:
        return _frame(title, [_label(WIDTH / 2, HEIGHT / 2, "—")])
    low_x, high_x = min(xs), max(xs)
    points = " ".join(
        f"{_x(x, low_x, high_x):.1f},{_y(y, *y_range):.1f}"
        for x, y in zip(xs, ys, strict=True)
    )
    body = [
        f'<polyline points="{points}" fill="none" stroke="{ACCENT}" stroke-width="2"/>'
    ]
    if diagonal:
        x1, x2 = _x(low_x, low_x, high_x), _x(high_x, low_x, high_x)
        y1, y2 = _y(y_range[0], *y_range), _y(y_range[1], *y_range)
        body.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="{GRID}" stroke-dasharray="4 3"/>'
        )
    for tick in (y_range[0], (y_range[0] + y_range[1]) / 2, y_range[1]):
        body.append(_label(PAD - 4, _y(tick, *y_range) + 3, f"{tick:.2f}", "end"))
    for index, text in enumerate(x_labels):
        if len(x_labels) > 8 and index % (len(x_labels) // 8 + 1):
            continue
        body.append(_label(_x(xs[index], low_x, high_x), HEIGHT - PAD + 14, text))
    return _frame(title, body)


def interval_chart(title: str, rows: Sequence[tuple[str, float, float, float]]) -> str:
    """One row per group: (name, value, interval low, interval high)."""
    finite = [v for _, *values in rows for v in values if v is not None]
    if not finite:
        return _frame(title, [_label(WIDTH / 2, HEIGHT / 2, "—")])
    high = max(finite) * 1.1 or 1.0
    step = (HEIGHT - 2 * PAD) / max(len(rows), 1)
    body = []
    for index, (name, value, low_ci, high_ci) in enumerate(rows):
        y = PAD + step * (index + 0.5)
        body.append(_label(PAD - 4, y + 3, name, "end"))
        if value is None:
            continue
        body.append(
            f'<rect x="{PAD}" y="{y - step * 0.3:.1f}" width="'
            f'{_x(value, 0, high) - PAD:.1f}" height="{step * 0.6:.1f}" '
            f'fill="{ACCENT}" opacity="0.7"/>'
        )
        if low_ci is not None and high_ci is not None:
            body.append(
                f'<line x1="{_x(low_ci, 0, high):.1f}" y1="{y:.1f}" '
                f'x2="{_x(high_ci, 0, high):.1f}" y2="{y:.1f}" stroke="{SECOND}" '
                f'stroke-width="2"/>'
            )
        body.append(_label(_x(value, 0, high) + 4, y + 3, f"{value:.4f}", "start"))
    return _frame(title, body)
