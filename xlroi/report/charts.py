"""The report's charts: matplotlib's SVG backend, made accessible and safe to inline.

Each chart is drawn from the same figures as the table next to it, with the numbers written on
the bars (colour is never the only signal: a worse change also says "worse", a loss says
"loss", paid bars are hatched). The SVG is rewritten to be inlined in HTML: ``role="img"``,
a ``<title>`` and a ``<desc>`` that says the data in words, ids prefixed per chart (several
SVGs share one document), no fixed size (it scales with the page), no XML prolog.
"""
from __future__ import annotations

import io
import re
from contextlib import contextmanager
from html import escape

from .model import Chart, Figure

GOOD, BAD, RISK, NEUTRAL, GRID = "#1a7f37", "#b42318", "#b54708", "#667085", "#d0d5dd"
LABEL_BOX = {"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85}
WIDTH = 7.0
CLIP = 2.0  # inches: the A4 page's text width at 1:1, so the chart's text prints at its set size


@contextmanager
def _figure(height: float, salt: str):
    # matplotlib.figure.Figure, not pyplot: no GUI backend, no global figure registry
    import matplotlib
    from matplotlib.figure import Figure as MplFigure

    style = {"svg.fonttype": "none", "svg.hashsalt": salt, "font.family": "DejaVu Sans", "font.size": 8.5,
             "axes.spines.top": False, "axes.spines.right": False, "axes.edgecolor": "#98a2b3",
             "axes.titlesize": 9.5, "axes.titleweight": "bold", "axes.titlelocation": "left",
             "xtick.color": "#344054", "ytick.color": "#344054", "hatch.linewidth": 0.8}
    with matplotlib.rc_context(style):
        fig = MplFigure(figsize=(WIDTH, height))
        ax = fig.subplots()
        yield fig, ax


def _svg(fig, chart_id: str, title: str, description: str) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", pad_inches=0.05, metadata={"Date": None, "Creator": None})
    return accessible_svg(buffer.getvalue(), chart_id, title, description)


def accessible_svg(svg: str, chart_id: str, title: str, description: str) -> str:
    """Inline-ready SVG: prolog, comments, metadata and matplotlib's global style removed; ids
    prefixed with ``chart_id``; ``role="img"`` with a ``<title>`` and a ``<desc>``; no fixed size."""
    svg = re.sub(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->", "", svg, flags=re.S)
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r"<style[^>]*>.*?</style>", "", svg, flags=re.S)
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{chart_id}-{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{chart_id}-{m.group(1)})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{chart_id}-{m.group(1)}"', svg)
    match = re.search(r"<svg\b[^>]*>", svg)
    if match is None:
        raise ValueError("matplotlib wrote no <svg> element")
    head = match.group(0)
    width = re.search(r'width="([\d.]+)pt"', head)
    new_head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    style = f' style="max-width:{float(width.group(1)):.0f}pt"' if width else ""
    new_head = new_head[:-1] + (f' role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart"'
                                f'{style} preserveAspectRatio="xMidYMid meet">')
    inner = f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(description)}</desc>'
    return (svg[:match.start()] + new_head + inner + svg[match.end():]).strip()


def _label(ax, bars, texts, color: str = "#101828") -> None:
    """Each bar's number at its end, outside the bar (left of a negative bar)."""
    for bar, text in zip(bars, texts):
        width = bar.get_width()
        end = bar.get_x() + width
        ax.annotate(text, (end, bar.get_y() + bar.get_height() / 2), xytext=(4 if width >= 0 else -4, 0),
                    textcoords="offset points", ha="left" if width >= 0 else "right", va="center", color=color,
                    fontsize=8, bbox=LABEL_BOX)


def _names(figs) -> list[str]:
    return [f.text if isinstance(f, Figure) else str(f) for f in figs]


def _pad(ax, values: list[float], left_room: float = 0.45, right_room: float = 0.38) -> None:
    """Room beside the bars for their labels: on the right, and on the left when a bar is negative."""
    lo, hi = min([0.0] + values), max([0.0] + values)
    span = (hi - lo) or 1.0
    ax.set_xlim(lo - (span * left_room if lo < 0 else 0.0), hi + (span * right_room if hi > 0 else span * 0.05))


def _money_axis(ax) -> None:
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _p: f"${x:,.0f}" if x >= 0 else f"−${-x:,.0f}"))


def _percent_axis(ax) -> None:
    from matplotlib.ticker import FuncFormatter

    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _p: f"{x * 100:,.0f} %".replace("-", "−")))


def _grid(ax) -> None:
    ax.grid(axis="x", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", length=0)


# -- the charts ------------------------------------------------------------------------------------

def cost_stack(rows: list[tuple[str, Figure, Figure]], primary: str, table_id: str) -> Chart:
    """One bar per cost category; a category with no data says so instead of a zero bar."""
    title = "Where the money went: cost by category"
    labels = [r[0] for r in rows]
    values = [r[1].number or 0.0 for r in rows]
    with _figure(0.42 * len(rows) + 0.7, "cost-stack") as (fig, ax):
        bars = ax.barh(labels, values, color=primary, height=0.6)
        _label(ax, bars, [f"{r[1].text} ({r[2].text})" if r[1].has_data else "no data" for r in rows])
        ax.invert_yaxis()
        _money_axis(ax)
        _pad(ax, values, right_room=0.45)
        _grid(ax)
        ax.set_title(title)
        desc = "; ".join(f"{r[0]}: {r[1].text}" + (f", {r[2].text} of the investment" if r[1].has_data else "")
                         for r in rows)
        return Chart("chart-cost-stack", title, desc + ".", _svg(fig, "chart-cost-stack", title, desc + "."), table_id)


def channel_roi(rows: list[tuple[Figure, Figure]], primary: str, table_id: str) -> Chart:
    """ROI per channel; a loss is red, labelled with its number and the word loss."""
    title = "ROI by channel"
    names = _names(r[0] for r in rows)
    values = [r[1].number or 0.0 for r in rows]
    colors = [BAD if v < 0 else primary for v in values]
    with _figure(0.42 * len(rows) + 0.75, "channel-roi") as (fig, ax):
        bars = ax.barh(names, values, color=colors, height=0.6, hatch=["////" if v < 0 else "" for v in values],
                       edgecolor="white")
        _label(ax, bars, [(r[1].text + (" loss" if (r[1].number or 0) < 0 else "")) if r[1].has_data else "no data"
                          for r in rows])
        ax.axvline(0, color="#344054", linewidth=0.8)
        ax.invert_yaxis()
        _percent_axis(ax)
        _pad(ax, values)
        _grid(ax)
        ax.set_title(title)
        desc = "ROI by channel: " + "; ".join(f"{n} {r[1].text}" for n, r in zip(names, rows)) + "."
        return Chart("chart-channel-roi", title, desc, _svg(fig, "chart-channel-roi", title, desc), table_id)


def investment_and_return(rows: list[tuple[Figure, Figure, Figure]], primary: str, accent: str, table_id: str) -> Chart:
    """Investment and return per channel, side by side (return hatched, so no colour is needed)."""
    import numpy as np

    title = "Investment and return by channel"
    names = _names(r[0] for r in rows)
    inv = [r[1].number or 0.0 for r in rows]
    ret = [r[2].number or 0.0 for r in rows]
    y = np.arange(len(rows))
    with _figure(0.6 * len(rows) + 0.9, "invest-return") as (fig, ax):
        b1 = ax.barh(y - 0.2, inv, height=0.38, color=primary, label="Investment")
        b2 = ax.barh(y + 0.2, ret, height=0.38, color=accent, hatch="\\\\\\\\", edgecolor="white", label="Return")
        _label(ax, b1, [r[1].text for r in rows])
        _label(ax, b2, [r[2].text for r in rows])
        ax.set_yticks(y, names)
        ax.invert_yaxis()
        _money_axis(ax)
        _pad(ax, inv + ret, right_room=0.22)
        _grid(ax)
        ax.legend(loc="lower right", frameon=False, fontsize=8)
        ax.set_title(title)
        desc = "; ".join(f"{n}: investment {r[1].text}, return {r[2].text}" for n, r in zip(names, rows)) + "."
        return Chart("chart-invest-return", title, desc, _svg(fig, "chart-invest-return", title, desc), table_id)


def organic_and_paid(metric: str, rows: list[tuple[Figure, Figure, Figure]], primary: str, accent: str,
                     table_id: str) -> Chart:
    """A metric per channel, organic and paid stacked (paid hatched)."""
    title = f"{metric} by channel: organic and paid"
    names = _names(r[0] for r in rows)
    organic = [r[1].number or 0.0 for r in rows]
    paid = [r[2].number or 0.0 for r in rows]
    with _figure(0.42 * len(rows) + 0.9, "organic-paid") as (fig, ax):
        ax.barh(names, organic, height=0.6, color=accent, label="Organic")
        bars = ax.barh(names, paid, left=organic, height=0.6, color=primary, hatch="////", edgecolor="white", label="Paid")
        for bar, r in zip(bars, rows):
            ax.annotate(f"organic {r[1].text} + paid {r[2].text}", (bar.get_x() + bar.get_width(), bar.get_y() + 0.3),
                        xytext=(4, 0), textcoords="offset points", va="center", fontsize=8, bbox=LABEL_BOX)
        ax.invert_yaxis()
        _pad(ax, [o + p for o, p in zip(organic, paid)], right_room=0.75)
        from matplotlib.ticker import FuncFormatter

        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _p: f"{x:,.0f}"))
        _grid(ax)
        ax.legend(loc="lower right", frameon=False, fontsize=8)
        ax.set_title(title)
        desc = "; ".join(f"{n}: organic {r[1].text}, paid {r[2].text}" for n, r in zip(names, rows)) + "."
        return Chart("chart-organic-paid", title, desc, _svg(fig, "chart-organic-paid", title, desc), table_id)


def kpi_changes(rows: list[tuple[str, Figure, str]], table_id: str, against: str = "the previous period") -> Chart:
    """% change of each KPI against the previous period, coloured and labelled better / worse by
    the KPI's direction (a cost that rises is worse, whatever the sign)."""
    title = f"KPIs against {against}"
    names = [r[0] for r in rows]
    # a bar beyond ±200 % is drawn to the edge (its label keeps the true number), so one KPI
    # whose base was tiny does not flatten every other bar
    values = [max(-CLIP, min(CLIP, r[1].number or 0.0)) for r in rows]
    palette = {"better": GOOD, "worse": BAD, "same": NEUTRAL, "up": NEUTRAL, "down": NEUTRAL, "n/a": NEUTRAL}
    words = {"better": "better", "worse": "worse", "same": "same", "up": "up", "down": "down", "n/a": "no data"}
    with _figure(0.3 * len(rows) + 0.8, "kpi-changes") as (fig, ax):
        bars = ax.barh(names, values, height=0.6, color=[palette[r[2]] for r in rows],
                       hatch=["////" if r[2] == "worse" else "" for r in rows], edgecolor="white")
        _label(ax, bars, [(f"{r[1].text} {words[r[2]]}" + (" (beyond the scale)" if abs(r[1].number) > CLIP else ""))
                          if r[1].has_data else "no data" for r in rows])
        ax.axvline(0, color="#344054", linewidth=0.8)
        ax.invert_yaxis()
        _percent_axis(ax)
        _pad(ax, values, left_room=0.6, right_room=0.55)
        _grid(ax)
        ax.set_title(title)
        desc = f"Change against {against}: " + "; ".join(
            f"{n} {r[1].text} ({words[r[2]].strip('▲▼= ')})" for n, r in zip(names, rows)) + "."
        return Chart("chart-kpi-changes", title, desc, _svg(fig, "chart-kpi-changes", title, desc), table_id)


def goal_progress(rows: list[tuple[Figure, Figure, Figure]], primary: str, table_id: str) -> Chart:
    """Each goal's actual as a share of its target, with the target line and the status in words."""
    title = "SMART goals: progress to target"
    names = [_short(r[0].text) for r in rows]
    values = [min(r[1].number or 0.0, 2.0) for r in rows]
    colors = {"On track": GOOD, "At risk": RISK, "Off track": BAD}
    with _figure(0.55 * len(rows) + 0.8, "goal-progress") as (fig, ax):
        bars = ax.barh(names, values, height=0.55, color=[colors.get(str(r[2].value), NEUTRAL) for r in rows])
        _label(ax, bars, [f"{r[1].text} · {r[2].text}" if r[1].has_data else f"no data · {r[2].text}" for r in rows])
        ax.axvline(1.0, color="#101828", linewidth=1, linestyle="--")
        ax.annotate("target", (1.0, 1.0), xycoords=("data", "axes fraction"), xytext=(3, 2), textcoords="offset points",
                    fontsize=7.5, va="bottom")
        ax.invert_yaxis()
        _percent_axis(ax)
        _pad(ax, values + [1.0], right_room=0.45)
        _grid(ax)
        ax.set_title(title)
        desc = "; ".join(f"{r[0].text}: {r[1].text} of target, {r[2].text}" for r in rows) + "."
        return Chart("chart-goal-progress", title, desc, _svg(fig, "chart-goal-progress", title, desc), table_id)


def _short(text: str, width: int = 34, lines: int = 2) -> str:
    """A long goal name on at most two lines (the table beside the chart has it in full)."""
    import textwrap

    wrapped = textwrap.wrap(text, width)
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1].rstrip() + "…"
    return "\n".join(wrapped)
