"""The report's charts as inline SVG, drawn with matplotlib (no JavaScript, no network).

Each function takes plain values and returns a :class:`Chart`: title, a text alternative
that says what the chart shows, and the SVG markup. Output is deterministic: fixed ids
(``svg.hashsalt``), no date in the metadata, text kept as text (``svg.fonttype: none``, so it
is selectable, searchable and small).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

STATUS_COLOURS = {  # colour-blind-safe (Okabe–Ito)
    "expiring": "#E69F00", "under renewal": "#56B4E9", "expired": "#D55E00",
    "active": "#009E73", "open-ended": "#999999",
}
BAR = "#0072B2"
STYLE = {"svg.hashsalt": "naist-partners", "svg.fonttype": "none", "font.size": 9,
         "font.family": "sans-serif", "axes.spines.top": False, "axes.spines.right": False,
         "axes.titlesize": 10, "figure.dpi": 72}


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    alt: str
    svg: str


def bars(key: str, title: str, counts: Mapping[str, int], *, horizontal: bool = True,
         xlabel: str = "partners") -> Chart:
    """A bar chart of counts, largest first (horizontal bars for long labels)."""
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))

    def draw(fig):
        ax = fig.add_subplot()
        labels, values = [k for k, _ in items], [v for _, v in items]
        if horizontal:
            ax.barh(labels[::-1], values[::-1], color=BAR)
            ax.set_xlabel(xlabel)
            for y, v in enumerate(values[::-1]):
                ax.text(v, y, f" {v}", va="center", fontsize=8)
        else:
            ax.bar(labels, values, color=BAR)
            ax.set_ylabel(xlabel)
            for x, v in enumerate(values):
                ax.text(x, v, str(v), ha="center", va="bottom", fontsize=8)
        ax.margins(x=0.08) if horizontal else ax.margins(y=0.12)

    height = 0.9 + 0.2 * len(items) if horizontal else 2.6
    alt = f"{title}: " + ", ".join(f"{k} {v}" for k, v in items) + "."
    longest = max((len(k) for k, _ in items), default=4)
    left = 0.2 + 0.065 * longest if horizontal else 0.6
    return Chart(key, title, alt, _svg(draw, (6.4, height), left=left))


def timeline(key: str, title: str, agreements: Sequence[Mapping], on: dt.date) -> Chart:
    """Every agreement as a bar from its initial to its expiration date, coloured by status,
    with the reference date marked. Open-ended agreements run to the chart's right edge."""
    import matplotlib.dates as mdates

    ordered = sorted(agreements, key=lambda r: (r["initial_date"], r["name"].casefold()))
    ends = [r["expiration_date"] for r in ordered if r["expiration_date"]]
    right = max([*ends, on]) + dt.timedelta(days=180)

    def draw(fig):
        ax = fig.add_subplot()
        starts = [mdates.date2num(r["initial_date"]) for r in ordered]
        ends = [mdates.date2num(r["expiration_date"] or right) for r in ordered]
        ax.barh(range(len(ordered)), [e - s for s, e in zip(starts, ends, strict=True)],
                left=starts, height=0.75, color=[STATUS_COLOURS[r["status"]] for r in ordered])
        ax.axvline(mdates.date2num(on), color="black", linewidth=1)
        ax.text(mdates.date2num(on), -1.5, f" {on.isoformat()}", fontsize=8, va="bottom")
        ax.set_ylim(len(ordered), -2)
        ax.set_yticks([])
        ax.set_ylabel(f"{len(ordered)} agreements, oldest at the top")
        ax.xaxis_date()
        ax.xaxis.set_major_locator(mdates.YearLocator(base=5))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        handles = [_patch(colour, status) for status, colour in STATUS_COLOURS.items()]
        ax.legend(handles=handles, loc="lower left", fontsize=8, frameon=True)

    statuses = {}
    for row in ordered:
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    first = ordered[0]["initial_date"].year if ordered else on.year
    alt = (f"{title}: {len(ordered)} agreements from {first} on, a vertical line at "
           f"{on.isoformat()}; " + ", ".join(f"{n} {s}" for s, n in statuses.items()) + ".")
    return Chart(key, title, alt, _svg(draw, (7.2, 1.2 + 0.055 * len(ordered)), left=0.4))


def quarters(key: str, title: str, counts: Mapping[str, Mapping[str, int]]) -> Chart:
    """Expirations per quarter (``counts``: quarter label → status → count), stacked."""
    labels = list(counts)
    statuses = [s for s in STATUS_COLOURS if any(c.get(s) for c in counts.values())]

    def draw(fig):
        ax = fig.add_subplot()
        bottom = [0] * len(labels)
        for status in statuses:
            values = [counts[q].get(status, 0) for q in labels]
            ax.bar(labels, values, bottom=bottom, color=STATUS_COLOURS[status], label=status)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_ylabel("agreements expiring")
        ax.tick_params(axis="x", labelrotation=45, labelsize=8)
        ax.yaxis.get_major_locator().set_params(integer=True)
        if statuses:
            ax.legend(fontsize=8, frameon=False)

    totals = [f"{q} {sum(c.values())}" for q, c in counts.items() if sum(c.values())]
    alt = f"{title}: " + (", ".join(totals) if totals else "none") + "."
    return Chart(key, title, alt, _svg(draw, (7.2, 2.8), bottom=0.8))


def line(key: str, title: str, points: Sequence[tuple[dt.date, int]]) -> Chart:
    """Partners listed in each version of the page, as a step line."""

    def draw(fig):
        ax = fig.add_subplot()
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        ax.step(xs, ys, where="post", color=BAR, marker="o", markersize=3)
        ax.set_ylabel("partners listed")
        ax.yaxis.get_major_locator().set_params(integer=True)
        fig.autofmt_xdate()

    alt = f"{title}: " + ", ".join(f"{d.isoformat()} {n}" for d, n in points) + "."
    return Chart(key, title, alt, _svg(draw, (7.2, 2.6), bottom=0.8))


def _patch(colour: str, label: str):
    from matplotlib.patches import Patch

    return Patch(color=colour, label=label)


def _svg(draw, size: tuple[float, float], left: float = 0.6, bottom: float = 0.5) -> str:
    """Draw on a fresh figure and return its <svg> element (no XML prolog, no metadata).

    Margins (``left``, ``bottom``, inches) are set, not computed by a layout engine, which
    would draw every chart twice.
    """
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure

    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=size)
        fig.subplots_adjust(left=left / size[0], right=1 - 0.25 / size[0],
                            bottom=bottom / size[1], top=1 - 0.15 / size[1])
        FigureCanvasSVG(fig)
        draw(fig)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    # Scale with the page: keep the viewBox, drop the fixed size.
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", text, count=1)
