"""Filling the template's input cells: step 2's advertising table and step 3's paid/organic rows.

It knows the template (its defined names and the layout they point at) and nothing of platforms:
it receives spend lines (channel, campaign, last day, amount, source tag) and step-3 figures
(channel, Paid/Organic, metric, value).

**Where an imported row came from.** The template has no column for it, so the campaign cell
carries a tag at its end: ``Webinar sign-ups [Meta 2024-01-01/2024-03-31]`` (platform, the days
the export covered, and the ad account when the export names one). An import replaces every row
tagged with the same platform and account whose days lie inside the new export's days, so
importing the same export again (or an updated one over the same or more days) never counts
twice; rows of other exports, other days and the user's own rows stay where they are. A tagged
row that only partly overlaps the new export's days is an error (replacing it would lose days,
keeping it would count days twice).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from ..errors import ExportConflict, XlroiError
from ..xlsx.refs import cell_name, quote_sheet
from .rows import Span

REQUIRED_NAMES = ("PeriodStart", "PeriodEnd", "Channels", "AdChannel", "AdSpend", "MetricNames")
EXCEL_EPOCH = dt.date(1899, 12, 30)
MAX_CAMPAIGN_TEXT = 255  # the template's text validation

_TAG = re.compile(r"^(?P<campaign>.*?) ?\[(?P<platform>Meta|LinkedIn|Google Ads|TikTok|X Ads) "
                  r"(?P<start>\d{4}-\d{2}-\d{2})/(?P<end>\d{4}-\d{2}-\d{2})(?: · (?P<account>[^\]]*))?\]$")


def not_a_template(message: str) -> XlroiError:
    """The report helper's NotATemplate when it is there (one class for one problem), else ours."""
    try:
        from ..errors import NotATemplate
    except ImportError:  # pragma: no cover - depends on the report package being merged
        return ExportConflict(message)
    return NotATemplate(message)


@dataclass(frozen=True)
class Source:
    """Where imported rows came from: a platform and, when the export names it, an ad account."""

    platform: str
    account: str = ""


@dataclass(frozen=True)
class Tag:
    source: Source
    span: Span

    def text(self) -> str:
        account = self.source.account.replace("[", "(").replace("]", ")")
        return f"[{self.source.platform} {self.span}" + (f" · {account}" if account else "") + "]"


def tagged(campaign: str, tag: Tag) -> str:
    if campaign.startswith("="):
        campaign = " " + campaign  # text, never a formula (the write-back refuses values starting with =)
    suffix = " " + tag.text()
    room = MAX_CAMPAIGN_TEXT - len(suffix)
    name = campaign if len(campaign) <= room else campaign[: max(room - 1, 0)] + "…"
    return name + suffix


def parse_tag(text: object) -> tuple[str, Tag] | None:
    if not isinstance(text, str):
        return None
    m = _TAG.match(text.strip())
    if not m:
        return None
    try:
        span = Span(dt.date.fromisoformat(m["start"]), dt.date.fromisoformat(m["end"]))
    except ValueError:
        return None
    return m["campaign"], Tag(Source(m["platform"], m["account"] or ""), span)


@dataclass
class Layout:
    """Where the inputs are, read from the workbook's defined names."""

    ad_sheet: str
    ad_rows: list[int]
    date_col: int
    channel_col: int
    campaign_col: int
    amount_col: int
    perf_sheet: str
    metric_cols: dict[str, int]
    perf_rows: dict[tuple[str, str], int]          # (channel, "Paid"/"Organic") -> row
    channels: list[str]
    period: Span

    def ref(self, sheet: str, row: int, col: int) -> str:
        return f"{quote_sheet(sheet)}!{cell_name(row, col)}"


def read_layout(book) -> Layout:
    """The template's input layout; NotATemplate naming the missing names otherwise."""
    names = {n.name.lower() for n in book.package.defined_names}
    missing = [n for n in REQUIRED_NAMES if n.lower() not in names]
    if missing:
        raise not_a_template(f"{book.path.name} is not the xlroi template: it has no defined name"
                             f"{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
                             "(start from `xlroi template BOOK.xlsx --blank`)")
    channel_area, spend_area = book.area("AdChannel"), book.area("AdSpend")
    metrics_area = book.area("MetricNames")
    if (channel_area.top, channel_area.bottom) != (spend_area.top, spend_area.bottom) or channel_area.left < 2:
        raise not_a_template(f"{book.path.name}: AdChannel and AdSpend do not span the same rows of one table")
    channels = [str(c).strip() for row in book["Channels"] for c in row if isinstance(c, str) and c.strip()]
    if not channels:
        raise not_a_template(f"{book.path.name}: the Channels range on the Start sheet is empty")
    metric_names = book[str(metrics_area)][0]
    metric_cols = {str(name).strip(): metrics_area.left + i for i, name in enumerate(metric_names)
                   if isinstance(name, str) and name.strip()}
    perf_rows = _perf_rows(book, metrics_area)
    return Layout(channel_area.sheet, list(range(channel_area.top, channel_area.bottom + 1)),
                  channel_area.left - 1, channel_area.left, channel_area.left + 1, spend_area.left,
                  metrics_area.sheet, metric_cols, perf_rows, channels, _period(book))


def _perf_rows(book, metrics_area) -> dict[tuple[str, str], int]:
    """Step 3's rows under the metric names: channel in the column two left of the first metric,
    Organic/Paid in the column just left of it, down to the first row that is neither."""
    first, col = metrics_area.top + 1, metrics_area.left
    area = f"{quote_sheet(metrics_area.sheet)}!{cell_name(first, col - 2)}:{cell_name(first + 99, col - 1)}"
    rows = {}
    for offset, (channel, kind) in enumerate(book[area]):
        if kind not in ("Organic", "Paid"):
            break
        if isinstance(channel, str) and channel.strip():
            rows.setdefault((channel.strip(), kind), first + offset)
    return rows


def _period(book) -> Span:
    start, end = (_as_date(book["PeriodStart"]), _as_date(book["PeriodEnd"]))
    if start is None or end is None:
        raise ExportConflict(f"{book.path.name}: the period is not set: type the start and end dates on the Start "
                             "sheet (PeriodStart, PeriodEnd) first; rows are kept only inside it")
    if end < start:
        raise ExportConflict(f"{book.path.name}: the period ends ({end}) before it starts ({start})")
    return Span(start, end)


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, str):  # a date typed as text ("2024-01-01"): read it rather than refuse it
        from .values import parse_date

        return parse_date(value, "MDY")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 1 <= value < 2958466:
        return None
    return EXCEL_EPOCH + dt.timedelta(days=int(value))


def serial(day: dt.date) -> int:
    return (day - EXCEL_EPOCH).days


# -- step 2: the advertising table ---------------------------------------------------------------

@dataclass
class AdLine:
    """One line to write into the advertising table."""

    last_day: dt.date
    channel: str
    campaign: str
    amount: Decimal
    tag: Tag


@dataclass
class Slot:
    row: int
    values: tuple                     # (date, channel, campaign, amount) as in the workbook
    tag: Tag | None = None

    @property
    def empty(self) -> bool:
        return all(v is None or (isinstance(v, str) and not v.strip()) for v in self.values)


@dataclass
class TablePlan:
    writes: dict[int, AdLine] = field(default_factory=dict)   # row -> line
    clears: list[int] = field(default_factory=list)
    replaced: list[Slot] = field(default_factory=list)
    free_rows: int = 0


def read_slots(book, layout: Layout) -> list[Slot]:
    area = (f"{quote_sheet(layout.ad_sheet)}!{cell_name(layout.ad_rows[0], layout.date_col)}:"
            f"{cell_name(layout.ad_rows[-1], layout.amount_col)}")
    slots = []
    offset = layout.campaign_col - layout.date_col
    for row, values in zip(layout.ad_rows, book[area]):
        values = tuple(None if v == "" else v for v in values)
        parsed = parse_tag(values[offset])
        slots.append(Slot(row, (values[0], values[1], values[offset], values[-1]), parsed[1] if parsed else None))
    return slots


def replaced_slots(slots: list[Slot], sources: dict[Source, list[Span]]) -> list[Slot]:
    """The tagged rows the new exports replace: same source, days inside a new export's days.
    A partial overlap is an error (see the module's docstring)."""
    out = []
    for slot in slots:
        if slot.tag is None or slot.tag.source not in sources:
            continue
        spans = sources[slot.tag.source]
        if any(slot.tag.span.within(span) for span in spans):
            out.append(slot)
        elif any(slot.tag.span.overlaps(span) for span in spans):
            new = ", ".join(str(s) for s in spans)
            raise ExportConflict(
                f"row {slot.row} of the advertising table came from an earlier {slot.tag.source.platform} export "
                f"covering {slot.tag.span}, which overlaps this export's {new} without lying inside it: import an "
                f"export covering at least {slot.tag.span}, or clear those rows first")
    return out


def plan_table(slots: list[Slot], replaced: list[Slot], lines: list[AdLine]) -> TablePlan:
    """Put ``lines`` into the replaced and the empty rows, top to bottom; clear replaced rows
    left over. The caller has made ``lines`` fit (aggregating when needed)."""
    free = sorted({s.row for s in replaced} | {s.row for s in slots if s.empty})
    plan = TablePlan(free_rows=len(free), replaced=replaced)
    if len(lines) > len(free):
        raise ExportConflict(f"the advertising table has {len(free)} free rows and the exports need {len(lines)} "
                             "even per channel: clear rows of step 2b first")
    for row, line in zip(free, lines):
        plan.writes[row] = line
    plan.clears = [s.row for s in replaced if s.row not in plan.writes]
    return plan


def write_table(book, layout: Layout, plan: TablePlan) -> list[str]:
    """Set the cells of ``plan``; returns the refs set."""
    refs = []
    for row, line in sorted(plan.writes.items()):
        values = {layout.date_col: serial(line.last_day), layout.channel_col: line.channel,
                  layout.campaign_col: tagged(line.campaign, line.tag), layout.amount_col: _number(line.amount)}
        for col, value in values.items():
            ref = layout.ref(layout.ad_sheet, row, col)
            book.set(ref, value)
            refs.append(ref)
    for row in plan.clears:
        for col in (layout.date_col, layout.channel_col, layout.campaign_col, layout.amount_col):
            ref = layout.ref(layout.ad_sheet, row, col)
            book.set(ref, None)
            refs.append(ref)
    return refs


# -- step 3: results per channel ------------------------------------------------------------------

def write_performance(book, layout: Layout, figures: dict[tuple[str, str, str], Decimal]) -> list[tuple[str, float]]:
    """Set step 3's cells: (channel, Paid/Organic, metric) -> value. Returns (ref, value) set."""
    written = []
    for (channel, kind, metric), value in sorted(figures.items()):
        row, col = layout.perf_rows.get((channel, kind)), layout.metric_cols.get(metric)
        if row is None or col is None:
            continue
        ref = layout.ref(layout.perf_sheet, row, col)
        number = _number(value)
        book.set(ref, number)
        written.append((ref, number))
    return written


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() and abs(value) < 2 ** 53 else float(value)


# -- the workbook's currency ----------------------------------------------------------------------

BUILTIN_CURRENCY_FORMATS = {5: "$#,##0_);($#,##0)", 6: "$#,##0_);[Red]($#,##0)", 7: "$#,##0.00_);($#,##0.00)",
                            8: "$#,##0.00_);[Red]($#,##0.00)"}


def workbook_currency(book, layout: Layout) -> tuple[str | None, str]:
    """(ISO code, where it was read) of the workbook's money: a ``Currency`` defined name when
    there is one, else the number format of the first ad-spend cell (the template's ``"$"#,##0``
    is USD); (None, why) when neither says."""
    from .values import currency_code, currency_of_format

    if any(n.name.lower() == "currency" for n in book.package.defined_names):
        code = currency_code(book["Currency"])
        if code:
            return code, "the workbook's Currency cell"
    fmt = _number_format(book, layout.ad_sheet, layout.ad_rows[0], layout.amount_col)
    code = currency_of_format(fmt) if fmt else None
    if code:
        return code, f"the money format {fmt!r} of {layout.ref(layout.ad_sheet, layout.ad_rows[0], layout.amount_col)}"
    return None, "the workbook's money cells show no currency"


def _number_format(book, sheet_name: str, row: int, col: int) -> str | None:
    from ..xlsx.package import NS_MAIN, parse_xml

    package = book.package
    sheet = package.sheet(sheet_name)
    xml = package.parts.get(sheet.part, b"")
    m = re.search(rb'<(?:\w+:)?c\b[^>]*\br="' + cell_name(row, col).encode() + rb'"[^>]*>', xml) or \
        re.search(rb'<(?:\w+:)?c\b[^>]*\br="' + cell_name(row, col).encode() + rb'"[^>]*/>', xml)
    style = re.search(rb'\bs="(\d+)"', m.group(0)) if m else None
    styles_part = next((p for p in package.parts if p.lower().endswith("styles.xml")), None)
    if style is None or styles_part is None:
        return None
    root = parse_xml(package.parts[styles_part], styles_part)
    ns = {"m": NS_MAIN}
    xfs = root.findall("m:cellXfs/m:xf", ns)
    index = int(style.group(1))
    if index >= len(xfs):
        return None
    fmt_id = int(xfs[index].get("numFmtId", "0"))
    for fmt in root.findall("m:numFmts/m:numFmt", ns):
        if int(fmt.get("numFmtId", "-1")) == fmt_id:
            return fmt.get("formatCode")
    return BUILTIN_CURRENCY_FORMATS.get(fmt_id)
