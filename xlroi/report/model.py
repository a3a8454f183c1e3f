"""The report's data model: figures that carry the cell they come from, and the tables,
charts and sentences made of them. Templates only lay these out; nothing is computed there.

A :class:`Figure` is one number (or text) as the report shows it: its value, how to format it,
and its provenance — the cell (``'Step 5 ROI'!B15``) or, for the few figures the report works
out itself (a change, a share, a run rate), a :class:`Derivation` naming the cells and the
formula. A figure with no data (an empty cost category, an empty previous period) has the
value ``None`` and shows "no data", never 0.
"""
from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field

MINUS = "\u2212"

KINDS = ("money", "money2", "percent", "change", "pp", "count", "decimal", "ratio", "date", "text", "days",
         "delta_money", "delta_money2", "delta_count", "delta_ratio")


@dataclass(frozen=True)
class Derivation:
    """How the report worked a figure out from cells: ``op`` over ``refs``; ``formula`` is the
    human-readable form shown on hover and in the appendix."""

    op: str
    refs: tuple[str, ...]
    formula: str


@dataclass(frozen=True)
class Figure:
    value: object                      # float | int | str | None (None = no data)
    kind: str = "text"
    ref: str | None = None             # the cell it comes from
    derived: Derivation | None = None  # or how it was worked out
    missing: str | None = None         # why there is no data
    shown: str = "no data"             # what the report prints instead of a number

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown figure kind {self.kind!r}")

    @property
    def has_data(self) -> bool:
        return self.value is not None and self.value != ""

    @property
    def number(self) -> float | None:
        v = self.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return None
        return float(v)

    @property
    def text(self) -> str:
        return format_value(self.value, self.kind) if self.has_data else self.shown

    @property
    def source(self) -> str:
        """The provenance as the reader sees it: a cell, or ``= formula over cells``."""
        if self.ref:
            return self.ref
        if self.derived:
            return "= " + self.derived.formula
        return ""

    @property
    def key(self) -> str:
        """What identifies the figure across the report: the cell, or the derivation."""
        return self.ref or (f"{self.derived.op}({'|'.join(self.derived.refs)})" if self.derived else "")

    def tooltip(self) -> str:
        tip = self.source
        if not self.has_data and self.missing:
            tip = f"{tip} — {self.missing}" if tip else self.missing
        return tip


def format_value(value: object, kind: str) -> str:
    """The figure as printed: ``$65,000``, ``176.9 %``, ``+32.7 %``, ``+43.6 pp``, ``2.77x``."""
    if kind == "text" or isinstance(value, str):
        return str(value)
    if kind == "date":
        return to_date(value).strftime("%d %b %Y").lstrip("0")
    x = float(value)
    if not math.isfinite(x):
        return "n/a"
    sign = MINUS if x < 0 and round(abs(x), _places(kind)) != 0 else ""
    a = abs(x)
    if kind == "money":
        return f"{sign}${a:,.0f}"
    if kind == "money2":
        return f"{sign}${a:,.2f}"
    if kind == "percent":
        return f"{sign}{a * 100:,.1f} %"
    if kind == "change":
        return f"{_signed(x * 100, 1)} %"
    if kind == "pp":
        return f"{_signed(x * 100, 1)} pp"
    if kind == "count":
        return f"{sign}{a:,.0f}"
    if kind in ("decimal",):
        return f"{sign}{a:,.1f}"
    if kind == "days":
        return f"{sign}{a:,.0f}"
    if kind == "ratio":
        return f"{sign}{a:,.2f}x"
    if kind.startswith("delta_"):
        base = kind[len("delta_"):]
        places = _places(base)
        if round(x, places) == 0:
            return format_value(0.0, base)
        return ("+" if x > 0 else "") + format_value(x, base)
    raise ValueError(kind)


def _places(kind: str) -> int:
    return {"money": 0, "money2": 2, "percent": 3, "count": 0, "decimal": 1, "days": 0, "ratio": 2}.get(kind, 3)


def _signed(x: float, places: int) -> str:
    rounded = round(x, places)
    if rounded == 0:
        return f"{0:.{places}f}"
    return ("+" if rounded > 0 else MINUS) + f"{abs(rounded):,.{places}f}"


def to_date(value: object) -> _dt.date:
    """An Excel serial number (or a date) as a date."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    return (_dt.datetime(1899, 12, 30) + _dt.timedelta(days=float(value))).date()


# -- what the report is made of ---------------------------------------------------------------

@dataclass(frozen=True)
class Mark:
    """A word with a style inside a table cell (``better``, ``worse``): never a number."""

    text: str
    css: str = ""


BREAK = "\n"  # a line break inside a table cell

Cell = "Figure | str"


@dataclass
class Table:
    id: str
    caption: str
    columns: list[str]
    rows: list[list[object]]            # Figure or str per cell; the first cell is the row header
    classes: dict[tuple[int, int], str] = field(default_factory=dict)   # (row, col) -> css class
    total_rows: set[int] = field(default_factory=set)
    note: str = ""

    def figures(self):
        for row in self.rows:
            for cell in row:
                for part in (cell if isinstance(cell, list) else [cell]):
                    if isinstance(part, Figure):
                        yield part


@dataclass
class Chart:
    id: str
    title: str
    description: str                     # the data in words (the SVG's <desc>)
    svg: str                             # inline SVG markup, role="img", <title>, <desc>
    table_id: str                        # the table holding the same data


@dataclass
class Sentence:
    """Literal text and figures; the literal parts may hold no digits (every number is a figure)."""

    parts: list[object]
    tone: str = ""                       # "", "good", "bad"

    @property
    def text(self) -> str:
        return "".join(p.text if isinstance(p, Figure) else str(p) for p in self.parts)

    def figures(self):
        return [p for p in self.parts if isinstance(p, Figure)]


@dataclass
class Scorecard:
    name: str
    definition: str
    better: str                          # "Higher", "Lower" or "" (neutral: judged through ROI)
    this: Figure
    previous: Figure
    last_year: Figure
    benchmark: Figure
    changes: dict[str, tuple[Figure, Figure, str]]   # vs -> (absolute change, % change, verdict)


@dataclass
class Check:
    label: Figure
    result: Figure

    @property
    def ok(self) -> bool:
        return isinstance(self.result.value, str) and self.result.value.startswith("OK")


@dataclass
class Section:
    id: str
    title: str
    intro: list[Sentence] = field(default_factory=list)
    items: list[Sentence] = field(default_factory=list)     # bullet points
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass
class Brand:
    client: str = ""
    title: str = "Social-media ROI report"
    prepared_by: str = ""
    logo_data_uri: str = ""
    primary: str = "#1F3864"
    accent: str = "#2E75B6"
    credit: bool = True                  # name xlroi in the appendix's provenance


@dataclass
class Report:
    source: str                          # the workbook's file name
    sha256: str
    engine: str
    built: str                           # ISO timestamp
    brand: Brand
    campaign: Figure
    period: tuple[Figure, Figure, Figure]   # start, end, report date
    headline: list[tuple[str, Figure, str]]  # (label, figure, note)
    summary: list[Sentence]
    scorecards: list[Scorecard]
    sections: list[Section]
    checks: list[Check]
    stale: list[str]
    not_evaluated: dict[str, str]
    formulas: list[tuple[str, str, str, Figure]]  # (label, cell, formula, figure)
    figure_index: list[Figure] = field(default_factory=list)
    formula_cells: int = 0

    @property
    def failing_checks(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def tables(self):
        for section in self.sections:
            yield from section.tables

    def charts(self):
        for section in self.sections:
            yield from section.charts
