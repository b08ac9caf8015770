"""Charts drawn on the server as SVG: no script, nothing loaded from elsewhere. Each chart is an image with a
title and a description for screen readers (``role="img"``, ``<title>``, ``<desc>``); the page shows the same
figures as a table beside it, so no one depends on the picture."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from avrop.core import formatting

WIDTH = 640
BAR_AREA_HEIGHT = 200
COLOURS = ("#1f5f8b", "#c8553d", "#588b3c", "#8e6c8a")


@dataclass
class Series:
    label: str
    values: list[Decimal]


@dataclass
class Chart:
    """Grouped bars: one group per label, one bar per series."""

    title: str
    description: str
    labels: list[str]
    series: list[Series] = field(default_factory=list)
    element_id: str = "chart"
    # How a value reads (axis and tooltips): an amount unless the chart counts things.
    value_text: Callable[[Decimal], str] = field(default_factory=lambda: formatting.amount)

    def svg(self) -> SafeString:
        n_groups = max(1, len(self.labels))
        n_series = max(1, len(self.series))
        top = max([v for s in self.series for v in s.values if v is not None] + [Decimal(0)])
        scale = float(top) if top > 0 else 1.0
        left, bottom, legend = 70, 50, 24 * len(self.series)
        height = BAR_AREA_HEIGHT + bottom + legend + 10
        group_width = (WIDTH - left - 10) / n_groups
        bar_width = max(2.0, group_width * 0.8 / n_series)
        title_id, desc_id = f"{self.element_id}-title", f"{self.element_id}-desc"
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="100%" '
            f'viewBox="0 0 {WIDTH} {height}" aria-labelledby="{title_id} {desc_id}" '
            f'id="{escape(self.element_id)}">',
            f'<title id="{title_id}">{escape(self.title)}</title>',
            f'<desc id="{desc_id}">{escape(self.description)}</desc>',
            f'<line x1="{left}" y1="{BAR_AREA_HEIGHT + 5}" x2="{WIDTH - 5}" y2="{BAR_AREA_HEIGHT + 5}" '
            'stroke="#555" />',
            f'<text x="{left - 6}" y="15" text-anchor="end" font-size="11">'
            f"{escape(self.value_text(top))}</text>",
            f'<text x="{left - 6}" y="{BAR_AREA_HEIGHT + 5}" text-anchor="end" font-size="11">0</text>',
        ]
        for g, label in enumerate(self.labels):
            x0 = left + g * group_width + group_width * 0.1
            for s, series in enumerate(self.series):
                value = series.values[g] if g < len(series.values) else Decimal(0)
                h = max(0.0, float(value or 0) / scale * (BAR_AREA_HEIGHT - 10))
                x = x0 + s * bar_width
                parts.append(
                    f'<rect x="{x:.1f}" y="{BAR_AREA_HEIGHT + 5 - h:.1f}" width="{bar_width:.1f}" '
                    f'height="{h:.1f}" '
                    f'fill="{COLOURS[s % len(COLOURS)]}"><title>{escape(label)}, {escape(series.label)}: '
                    f"{escape(self.value_text(value))}</title></rect>"
                )
            if n_groups <= 24:
                parts.append(
                    f'<text x="{x0 + group_width * 0.4:.1f}" y="{BAR_AREA_HEIGHT + 20}" text-anchor="middle" '
                    f'font-size="10">{escape(label[:14])}</text>'
                )
        for s, series in enumerate(self.series):
            y = BAR_AREA_HEIGHT + bottom + 24 * s
            parts.append(
                f'<rect x="{left}" y="{y - 10}" width="12" height="12" fill="{COLOURS[s % len(COLOURS)]}" />'
            )
            parts.append(f'<text x="{left + 18}" y="{y}" font-size="12">{escape(series.label)}</text>')
        parts.append("</svg>")
        return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)
