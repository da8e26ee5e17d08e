"""Charts drawn on the server as SVG text: nothing is downloaded by the page, and the desk's
content policy (no inline styles) holds, since only presentation attributes are used."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH, HEIGHT, MARGIN = 560, 200, 36
INK, GRID, BAR, LINE = "#1f2933", "#d9dee3", "#3b7dd8", "#2f855a"


def _svg(title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _axis(top: float) -> list[str]:
    base = HEIGHT - MARGIN
    return [
        f'<line x1="{MARGIN}" y1="{base}" x2="{WIDTH - 8}" y2="{base}" stroke="{GRID}"/>',
        f'<text x="4" y="{MARGIN - 8}" font-size="11" fill="{INK}">{escape(_label(top))}</text>',
        f'<text x="4" y="{base}" font-size="11" fill="{INK}">0</text>',
    ]


def _label(value: float) -> str:
    return f"{value:.0%}" if 0 < value <= 1 else f"{value:g}"


def line_chart(title: str, labels: Sequence[str], values: Sequence[float | None]) -> str:
    """One point per day; a day without a figure (None) breaks the line."""
    known = [v for v in values if v is not None]
    top = max(known, default=0) or 1
    plot_w, plot_h = WIDTH - MARGIN - 16, HEIGHT - 2 * MARGIN
    step = plot_w / max(len(values) - 1, 1)
    body = _axis(top)
    segment: list[str] = []
    segments: list[list[str]] = []
    for i, value in enumerate(values):
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
            continue
        x = MARGIN + i * step
        y = HEIGHT - MARGIN - plot_h * value / top
        segment.append(f"{x:.1f},{y:.1f}")
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{LINE}"/>')
    if segment:
        segments.append(segment)
    for points in segments:
        body.append(
            f'<polyline class="trend" points="{" ".join(points)}" fill="none" '
            f'stroke="{LINE}" stroke-width="2"/>'
        )
    for i in (0, len(labels) - 1) if labels else ():
        x = MARGIN + i * step
        anchor = "start" if i == 0 else "end"
        body.append(
            f'<text x="{x:.1f}" y="{HEIGHT - 12}" font-size="11" text-anchor="{anchor}" '
            f'fill="{INK}">{escape(labels[i])}</text>'
        )
    return _svg(title, body)


def bar_chart(title: str, bars: Sequence[tuple[str, float]]) -> str:
    top = max((v for _, v in bars), default=0) or 1
    plot_w, plot_h = WIDTH - MARGIN - 16, HEIGHT - 2 * MARGIN
    slot = plot_w / max(len(bars), 1)
    body = _axis(top)
    for i, (label, value) in enumerate(bars):
        h = plot_h * value / top
        x = MARGIN + i * slot + slot * 0.15
        y = HEIGHT - MARGIN - h
        body.append(
            f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{h:.1f}" fill="{BAR}"><title>{escape(label)}: {value:g}</title></rect>'
        )
        body.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - 12}" font-size="10" '
            f'text-anchor="middle" fill="{INK}">{escape(label)}</text>'
        )
    return _svg(title, body)
