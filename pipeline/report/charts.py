"""The report's charts as inline SVG, drawn here from plain values: no plotting library, no
JavaScript, nothing fetched.

Each chart function takes plain values and returns a :class:`Chart`: title, a text alternative
that says what the chart shows, and the ``<svg>`` element. The SVG names itself for assistive
technology (``role="img"``, ``<title>`` and ``<desc>`` referenced by ``aria-labelledby``), keeps
its text as text (selectable, searchable, printable) and scales with the page (a viewBox, no
fixed size). Every text from the data is XML-escaped. Output is deterministic: coordinates are
rounded to 0.1, ids come from the chart's key.

There are no font metrics here: a text's width is estimated generously from its length
(:data:`CHAR_EM` of the font size per character), which is all the layout needs.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

STATUS_COLOURS = {  # colour-blind-safe (Okabe–Ito)
    "expiring": "#E69F00", "under renewal": "#56B4E9", "expired": "#D55E00",
    "active": "#009E73", "open-ended": "#999999",
}
BAR = "#0072B2"
INK, MUTED, GRID, AXIS = "#1b1b1b", "#555555", "#e2e2e2", "#333333"
FONT = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"
FONT_SIZE, SMALL = 12, 11
CHAR_EM = 0.6  # average glyph width of a sans-serif font, in em, rounded up
# viewBox widths: charts beside another on a laptop screen, charts across the page. The page
# scales them to its width, so these fix the text size relative to the chart.
NARROW, WIDE = 540, 800


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    alt: str
    svg: str


# --- charts --------------------------------------------------------------------------------


def bars(key: str, title: str, counts: Mapping[str, int], *,
         axis_label: str = "partners") -> Chart:
    """Horizontal bars of counts, largest first (ties by label), each with its value.

    The label column is as wide as the longest label; the chart widens rather than cut it.
    """
    items = sorted(((str(k), int(v)) for k, v in counts.items()), key=lambda kv: (-kv[1], kv[0]))
    if not items:
        return no_data(key, title, "No data to show.")
    alt = f"{title}: " + ", ".join(f"{k} {v}" for k, v in items) + "."
    row, bar, top = 22, 15, 8
    left = 10 + text_width(max((k for k, _ in items), key=len), FONT_SIZE) + 8
    plot = max(NARROW - left - 36, 260)
    width, axis_y = left + plot + 36, top + row * len(items)
    ticks = nice_ticks(0, max(v for _, v in items))
    x = Scale(ticks[0], ticks[-1], left, left + plot)
    parts = [*_x_grid(ticks, x, top, axis_y, str), _line(left, axis_y, left + plot, axis_y),
             _line(left, top, left, axis_y), f'<g fill="{BAR}">']
    for i, (label, value) in enumerate(items):
        y = top + i * row + (row - bar) / 2
        parts.append(_rect(left, y, x(value) - left, bar, tip=f"{label}: {value}"))
    parts.append("</g>")
    for i, (label, value) in enumerate(items):
        middle = top + i * row + row / 2
        parts.append(_text(left - 6, middle, label, anchor="end", middle=True))
        parts.append(_text(x(value) + 4, middle, value, size=SMALL, middle=True))
    parts.append(_text(left + plot / 2, axis_y + 34, axis_label, anchor="middle", fill=MUTED))
    return Chart(key, title, alt, svg_root(key, title, alt, width, axis_y + 42, parts))


def timeline(key: str, title: str, agreements: Sequence[Mapping], on: dt.date, *,
             total: int | None = None) -> Chart:
    """Every agreement as a bar from its initial to its expiration date, coloured by status,
    oldest at the top, with the reference date marked. The date axis runs from 1 January of
    the first initial date to 1 January after the last date plus six months; open-ended
    agreements run to that right edge. ``total``: how many agreements there are, when
    ``agreements`` is only a part of them (the chart then says so)."""
    ordered = sorted(agreements, key=lambda r: (r["initial_date"], r["name"].casefold()))
    if not ordered:
        return no_data(key, title, "No agreements to show.", width=WIDE)
    statuses: dict[str, int] = {}
    for row in ordered:
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    drawn = (f"{len(ordered)} of {total}" if total and total > len(ordered)
             else f"{len(ordered)}")
    alt = (f"{title}: {drawn} agreements from {ordered[0]['initial_date'].year} on, a "
           f"vertical line at {on.isoformat()}; "
           + ", ".join(f"{n} {s}" for s, n in statuses.items()) + ".")

    ends = [r["expiration_date"] for r in ordered if r["expiration_date"]]
    start = dt.date(ordered[0]["initial_date"].year, 1, 1)
    right = dt.date((max([*ends, on]) + dt.timedelta(days=180)).year + 1, 1, 1)
    row, bar, left, top = 6, 5, 34, 52
    axis_y = top + row * len(ordered) + 2
    x = Scale(start.toordinal(), right.toordinal(), left, WIDE - 16)
    parts = [*legend(STATUS_COLOURS, 10, 8), *_date_axis(start, right, x, top, axis_y)]
    for i, r in enumerate(ordered):
        begin, end = x(r["initial_date"].toordinal()), x(_end_of(r, right).toordinal())
        expires = r["expiration_date"]
        tip = (f"{r['name']} ({r.get('country') or 'no country'}): "
               f"{r['initial_date'].isoformat()} to "
               f"{expires.isoformat() if expires else 'no expiration date'}, {r['status']}")
        parts.append(_rect(begin, top + i * row + (row - bar) / 2, max(end - begin, 1), bar,
                           fill=STATUS_COLOURS[r["status"]], tip=tip))
    marker = x(on.toordinal())
    parts.append(_line(marker, top - 6, marker, axis_y, stroke=INK, width=1.5))
    near_right = marker > WIDE - 90
    parts.append(_text(marker + (-4 if near_right else 4), top - 8, on.isoformat(),
                       anchor="end" if near_right else "start"))
    parts.append(_text(14, (top + axis_y) / 2, f"{drawn} agreements, oldest at the top",
                       anchor="middle", rotate=True, fill=MUTED))
    return Chart(key, title, alt, svg_root(key, title, alt, WIDE, axis_y + 26, parts))


def quarters(key: str, title: str, counts: Mapping[str, Mapping[str, int]]) -> Chart:
    """Expirations per quarter (``counts``: quarter label → status → count), stacked by status
    in the order of :data:`STATUS_COLOURS`, each column topped by its total."""
    labels = list(counts)
    totals = [sum(counts[q].values()) for q in labels]
    live = [f"{q} {n}" for q, n in zip(labels, totals, strict=True) if n]
    alt = f"{title}: " + (", ".join(live) if live else "none") + "."
    if not live:
        return no_data(key, title, "No agreement expires in these quarters.", width=WIDE)
    statuses = {s: c for s, c in STATUS_COLOURS.items() if any(n.get(s) for n in counts.values())}
    left, top, plot_h = 58, 34, 220
    axis_y = top + plot_h
    ticks = nice_ticks(0, max(totals))
    y = Scale(ticks[0], ticks[-1], axis_y, top)
    slot = (WIDE - 16 - left) / len(labels)
    rotate = text_width(max(labels, key=len), SMALL) > slot - 6
    parts = [*legend(statuses, left, 8), *_y_grid(ticks, y, left, WIDE - 16)]
    for i, (quarter_label, total) in enumerate(zip(labels, totals, strict=True)):
        x0, stacked = left + i * slot + slot * 0.15, 0
        for status, colour in statuses.items():
            n = counts[quarter_label].get(status, 0)
            if n:
                parts.append(_rect(x0, y(stacked + n), slot * 0.7, y(stacked) - y(stacked + n),
                                   fill=colour, tip=f"{quarter_label}: {n} {status}"))
                stacked += n
        centre = x0 + slot * 0.35
        if total:
            parts.append(_text(centre, y(total) - 4, total, anchor="middle", size=SMALL))
        parts.append(_text(centre, axis_y + 16, quarter_label, size=SMALL,
                           anchor="end" if rotate else "middle", rotate=-40 if rotate else 0))
    parts.append(_line(left, axis_y, WIDE - 16, axis_y))
    parts.append(_text(14, (top + axis_y) / 2, "agreements expiring", anchor="middle",
                       rotate=True, fill=MUTED))
    height = axis_y + (70 if rotate else 26)
    return Chart(key, title, alt, svg_root(key, title, alt, WIDE, height, parts))


def line(key: str, title: str, points: Sequence[tuple[dt.date, int]]) -> Chart:
    """Partners listed in each version of the page, as a step line with a dot per version."""
    points = sorted(points)
    if not points:
        return no_data(key, title, "No versions to show.", width=WIDE)
    alt = f"{title}: " + ", ".join(f"{d.isoformat()} {n}" for d, n in points) + "."
    first, last = points[0][0], points[-1][0]
    pad = dt.timedelta(days=max((last - first).days // 30, 15))
    start, end = first - pad, last + pad
    left, top, plot_h = 58, 12, 180
    axis_y = top + plot_h
    ticks = nice_ticks(min(n for _, n in points), max(n for _, n in points))
    x = Scale(start.toordinal(), end.toordinal(), left, WIDE - 16)
    y = Scale(ticks[0], ticks[-1], axis_y, top)
    parts = [*_y_grid(ticks, y, left, WIDE - 16), *_date_axis(start, end, x, top, axis_y,
                                                              grid=False)]
    path = f"M{num(x(first.toordinal()))} {num(y(points[0][1]))}"
    for day, n in points[1:]:
        path += f"H{num(x(day.toordinal()))}V{num(y(n))}"
    parts.append(f'<path d="{path}" fill="none" stroke="{BAR}" stroke-width="2"/>')
    parts.append(f'<g fill="{BAR}">')
    for day, n in points:
        parts.append(f'<circle cx="{num(x(day.toordinal()))}" cy="{num(y(n))}" r="3.5">'
                     f"<title>{esc(f'{day.isoformat()}: {n}')}</title></circle>")
    parts.append("</g>")
    parts.append(_text(14, (top + axis_y) / 2, "partners listed", anchor="middle", rotate=True,
                       fill=MUTED))
    return Chart(key, title, alt, svg_root(key, title, alt, WIDE, axis_y + 26, parts))


def no_data(key: str, title: str, message: str, width: int = NARROW) -> Chart:
    """A chart that says plainly that there is nothing to draw (a framed message)."""
    alt = f"{title}: {message}"
    height = 90
    parts = [f'<rect x="1" y="1" width="{width - 2}" height="{height - 2}" fill="none" '
             f'stroke="{GRID}" stroke-width="2" stroke-dasharray="6 4"/>',
             _text(width / 2, height / 2, message, anchor="middle", middle=True, fill=MUTED)]
    return Chart(key, title, alt, svg_root(key, title, alt, width, height, parts))


def legend(colours: Mapping[str, str], x: float, y: float) -> list[str]:
    """A row of colour swatches with their labels, starting at (x, y) (top left)."""
    parts = []
    for label, colour in colours.items():
        parts.append(f'<rect x="{num(x)}" y="{num(y)}" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(x + 17, y + 6, label, size=SMALL, middle=True))
        x += 17 + text_width(label, SMALL) + 16
    return parts


# --- pieces --------------------------------------------------------------------------------


def svg_root(key: str, title: str, alt: str, width: float, height: float,
             parts: Sequence[str]) -> str:
    """The ``<svg>`` element: scales with the page, labelled by its title and description."""
    key = esc(key)
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {num(width)} {num(height)}" '
        f'role="img" aria-labelledby="{key}-title {key}-desc" font-family="{FONT}" '
        f'font-size="{FONT_SIZE}" fill="{INK}">',
        f'<title id="{key}-title">{esc(title)}</title>',
        f'<desc id="{key}-desc">{esc(alt)}</desc>',
        *parts, "</svg>"])


@dataclass(frozen=True)
class Scale:
    """A linear map from data values [lo, hi] to positions [start, end]."""

    lo: float
    hi: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        if self.hi == self.lo:
            return self.start
        return self.start + (value - self.lo) / (self.hi - self.lo) * (self.end - self.start)


def nice_ticks(low: float, high: float, most: int = 6) -> list[int]:
    """Whole-number ticks covering ``low``..``high`` in steps of 1, 2 or 5 times a power of
    ten, the smallest step giving at most ``most`` intervals.

    >>> nice_ticks(0, 13), nice_ticks(0, 48), nice_ticks(0, 66)
    ([0, 5, 10, 15], [0, 10, 20, 30, 40, 50], [0, 20, 40, 60, 80])
    >>> nice_ticks(0, 0), nice_ticks(0, 4), nice_ticks(94, 98)
    ([0, 1], [0, 1, 2, 3, 4], [94, 95, 96, 97, 98])
    """
    lo, hi = math.floor(low), math.ceil(high)
    hi = max(hi, lo + 1)
    magnitude = 1
    while True:
        for multiple in (1, 2, 5):
            step = multiple * magnitude
            first, last = lo // step * step, -(-hi // step) * step
            if (last - first) // step <= most:
                return list(range(first, last + 1, step))
        magnitude *= 10


def date_ticks(start: dt.date, end: dt.date, most: int = 8) -> list[tuple[dt.date, str]]:
    """Ticks for a date axis: 1 January of every 1, 2, 5, 10… years when at least two fall
    in range, else the first of every 1, 2, 3 or 6 months, else the two ends.

    >>> [label for _, label in date_ticks(dt.date(1997, 1, 1), dt.date(2030, 8, 1))]
    ['2000', '2005', '2010', '2015', '2020', '2025', '2030']
    >>> [label for _, label in date_ticks(dt.date(2024, 3, 10), dt.date(2024, 9, 1))]
    ['2024-04', '2024-05', '2024-06', '2024-07', '2024-08', '2024-09']
    """
    for step in (1, 2, 5, 10, 20, 50, 100):
        years = [dt.date(y, 1, 1) for y in range(start.year, end.year + 1)
                 if y % step == 0 and start <= dt.date(y, 1, 1) <= end]
        if len(years) <= most:
            break
    if len(years) >= 2:
        return [(day, str(day.year)) for day in years]
    months = [dt.date(y, m, 1) for y in range(start.year, end.year + 1) for m in range(1, 13)]
    months = [day for day in months if start <= day <= end]
    for step in (1, 2, 3, 6):
        picked = [day for day in months if (day.year * 12 + day.month - 1) % step == 0]
        if len(picked) <= most:
            break
    if len(picked) >= 2:
        return [(day, day.strftime("%Y-%m")) for day in picked]
    return [(day, day.isoformat()) for day in sorted({start, end})]


def text_width(text: str, size: float) -> float:
    """Estimated width of ``text`` at font ``size`` (generous: no font metrics here)."""
    return len(str(text)) * size * CHAR_EM


def esc(text: object) -> str:
    """Text for SVG/XML content or a quoted attribute: ``& < > " '`` escaped.

    >>> esc('Arts & "Sciences" <Tokyo>')
    'Arts &amp; &quot;Sciences&quot; &lt;Tokyo&gt;'
    """
    return escape(str(text), quote=True)


def num(value: float) -> str:
    """A coordinate rounded to 0.1, without a trailing ``.0``.

    >>> num(12.0), num(3.14159), num(-0.01)
    ('12', '3.1', '0')
    """
    text = f"{value:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


def _text(x: float, y: float, content: object, *, anchor: str = "start", size: int = 0,
          middle: bool = False, fill: str = "", rotate: float | bool = 0) -> str:
    """One ``<text>``; ``middle`` centres it vertically on ``y``; ``rotate=True`` turns it to
    read upwards (a vertical axis label)."""
    angle = -90 if rotate is True else rotate
    attrs = f'x="{num(x)}" y="{num(y)}"'
    if anchor != "start":
        attrs += f' text-anchor="{anchor}"'
    if middle:
        attrs += ' dy="0.35em"'
    if size:
        attrs += f' font-size="{size}"'
    if fill:
        attrs += f' fill="{fill}"'
    if angle:
        attrs += f' transform="rotate({num(angle)} {num(x)} {num(y)})"'
    return f"<text {attrs}>{esc(content)}</text>"


def _rect(x: float, y: float, width: float, height: float, *, fill: str = "",
          tip: str = "") -> str:
    """One ``<rect>``, with a tooltip (``<title>``) when ``tip`` is given."""
    fill_attr = f' fill="{fill}"' if fill else ""
    head = (f'<rect x="{num(x)}" y="{num(y)}" width="{num(width)}" height="{num(height)}"'
            f"{fill_attr}")
    return f"{head}><title>{esc(tip)}</title></rect>" if tip else f"{head}/>"


def _line(x1: float, y1: float, x2: float, y2: float, *, stroke: str = AXIS,
          width: float = 1) -> str:
    return (f'<line x1="{num(x1)}" y1="{num(y1)}" x2="{num(x2)}" y2="{num(y2)}" '
            f'stroke="{stroke}" stroke-width="{num(width)}"/>')


def _x_grid(ticks: Sequence[int], x: Scale, top: float, bottom: float, label) -> list[str]:
    """Vertical grid lines at ``ticks`` with their labels under ``bottom``."""
    parts = [_line(x(t), top, x(t), bottom, stroke=GRID) for t in ticks]
    parts += [_text(x(t), bottom + 16, label(t), anchor="middle", size=SMALL, fill=MUTED)
              for t in ticks]
    return parts


def _y_grid(ticks: Sequence[int], y: Scale, left: float, right: float) -> list[str]:
    """Horizontal grid lines at ``ticks`` with their labels left of ``left``."""
    parts = [_line(left, y(t), right, y(t), stroke=GRID) for t in ticks]
    parts += [_text(left - 6, y(t), t, anchor="end", size=SMALL, middle=True, fill=MUTED)
              for t in ticks]
    return parts


def _date_axis(start: dt.date, end: dt.date, x: Scale, top: float, bottom: float, *,
               grid: bool = True) -> list[str]:
    """A date axis along ``bottom``: ticks from :func:`date_ticks`, light grid lines up to
    ``top``."""
    ticks = date_ticks(start, end)
    parts = [_line(x(day.toordinal()), top, x(day.toordinal()), bottom, stroke=GRID)
             for day, _ in ticks] if grid else []
    parts.append(_line(x.start, bottom, x.end, bottom))
    for day, label in ticks:
        position = x(day.toordinal())
        parts.append(_line(position, bottom, position, bottom + 4))
        parts.append(_text(position, bottom + 16, label, anchor="middle", size=SMALL,
                           fill=MUTED))
    return parts


def _end_of(row: Mapping, right: dt.date) -> dt.date:
    """Where an agreement's bar ends: its expiration date, or the chart's right edge."""
    return row["expiration_date"] or right
