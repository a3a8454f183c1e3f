"""From a snapshot of a filled template to the report's model: figures with their cells,
tables, sentences. Pure functions; the charts and the HTML come after (charts.py, render.py).
"""
from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass

from ..errors import NothingToReport
from . import layout as L
from .model import BREAK, Brand, Check, Derivation, Figure, Mark, Report, Scorecard, Section, Sentence, Table, to_date
from .snapshot import Snapshot

KPI_KIND = {"0.0%": "percent", '"$"#,##0.00': "money2", '0.00"x"': "ratio"}
DELTA_KIND = {"percent": "pp", "money": "delta_money", "money2": "delta_money2", "ratio": "delta_ratio",
              "count": "delta_count"}
# the scorecards, in the order a reader wants them (KPI names of step 6b, and two items of 6a)
SCORECARD_ORDER = ("ROI", "Total investment", "Total return", "Cost per lead", "Customer acquisition cost (CAC)",
                   "LTV : CAC", "Return on ad spend (ROAS)", "Engagement rate", "Click-through rate (CTR)",
                   "Conversion rate", "Cost per click (CPC)", "Cost per acquisition (CPA)")
GOAL_STATUS = 9  # the goals table's status column
COMPARISONS = (("previous", "previous period"), ("last_year", "same period last year"), ("benchmark", "benchmark"))


def _blank(value: object) -> bool:
    return value is None or value == ""


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


@dataclass
class Reader:
    """Figures out of a snapshot, each with its cell."""

    snap: Snapshot

    def __getitem__(self, ref: str) -> object:
        return self.snap[ref]

    def fig(self, ref: str, kind: str, missing: str = "empty in the workbook") -> Figure:
        value = self.snap[ref]
        if isinstance(value, bool):
            value = str(value).upper()
        if _blank(value):
            return Figure(None, kind, ref=ref, missing=self.snap.not_evaluated.get(ref, missing))
        if kind not in ("text",) and isinstance(value, str):
            return Figure(value, "text", ref=ref)  # an error value or text where a number belongs
        return Figure(value, kind, ref=ref)

    def num(self, ref: str) -> float | None:
        return _number(self.snap[ref])

    def filled(self, refs) -> bool:
        return any(not _blank(self.snap[r]) for r in refs)


def derived(op: str, refs: tuple[str, ...], formula: str, value: float | None, kind: str, missing: str = "",
            shown: str = "no data") -> Figure:
    d = Derivation(op, tuple(refs), formula)
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return Figure(None, kind, derived=d, missing=missing or "not computable: an input is empty or zero", shown=shown)
    return Figure(value, kind, derived=d)


def diff(a: Figure, b: Figure, kind: str) -> Figure:
    value = a.number - b.number if a.number is not None and b.number is not None else None
    return derived("diff", (a.ref, b.ref), f"{a.ref} − {b.ref}", value, kind)


def pct_change(a: Figure, b: Figure) -> Figure:
    value = None
    if a.number is not None and b.number:
        value = (a.number - b.number) / abs(b.number)
    return derived("pct_change", (a.ref, b.ref), f"({a.ref} − {b.ref}) ÷ |{b.ref}|", value, "change")


def share(a: Figure, total: Figure) -> Figure:
    value = a.number / total.number if a.number is not None and total.number else None
    return derived("share", (a.ref, total.ref), f"{a.ref} ÷ {total.ref}", value, "percent")


def ratio(a: Figure, b: Figure, kind: str) -> Figure:
    value = a.number / b.number if a.number is not None and b.number else None
    return derived("ratio", (a.ref, b.ref), f"{a.ref} ÷ {b.ref}", value, kind)


def total(figures: list[Figure], kind: str) -> Figure:
    refs = tuple(f.ref for f in figures)
    value = sum(f.number for f in figures if f.number is not None)
    shown = refs if len(refs) <= 3 else (refs[0], "…", refs[-1])
    return derived("sum", refs, "SUM(" + ", ".join(shown) + ")", value, kind)


def verdict(change: Figure, better: str) -> str:
    """better / worse / same / up / down / n/a: the change judged by the KPI's direction."""
    x = change.number
    if x is None:
        return "n/a"
    if round(x * 1000) == 0:
        return "same"
    if better == "Higher":
        return "better" if x > 0 else "worse"
    if better == "Lower":
        return "better" if x < 0 else "worse"
    return "up" if x > 0 else "down"


# -- reading the template's blocks -------------------------------------------------------------

@dataclass
class Channel:
    index: int
    name: Figure
    investment: Figure
    ret: Figure
    net: Figure
    roi: Figure
    share_investment: Figure
    share_return: Figure
    ad_spend: Figure
    leads: Figure
    leads_previous: Figure

    @property
    def has_data(self) -> bool:
        return bool(self.investment.number or self.ret.number or self.leads.number)


def _channels(r: Reader) -> list[Channel]:
    out = []
    for i, row in enumerate(L.CHANNEL_ROWS):
        cells = {c: L.ref("roi", f"{c}{row}") for c in "ABCDEFG"}
        out.append(Channel(
            index=i, name=r.fig(L.CHANNEL_NAMES[i], "text"),
            investment=r.fig(cells["B"], "money"), ret=r.fig(cells["C"], "money"), net=r.fig(cells["D"], "money"),
            roi=r.fig(cells["E"], "percent", "no investment in this channel"),
            share_investment=r.fig(cells["F"], "percent"), share_return=r.fig(cells["G"], "percent"),
            ad_spend=r.fig(L.ref("costs", f"B{L.ALLOCATION_ROWS[i]}"), "money"),
            leads=r.fig(L.perf_total(i, "Leads"), "count"),
            leads_previous=r.fig(L.perf_total(i, "Leads", previous=True), "count")))
    return out


@dataclass
class Goal:
    row: int
    name: Figure
    metric: Figure
    channel: Figure
    target: Figure
    target_cost: Figure
    start: Figure
    end: Figure
    actual: Figure
    progress: Figure
    forecast: Figure
    actual_cost: Figure
    status: Figure
    elapsed: Figure
    current_rate: Figure
    needed_rate: Figure


def _goals(r: Reader) -> list[Goal]:
    goals = []
    report_date = L.REPORT_DATE
    for row in L.GOAL_ROWS:
        g = {f: L.goal(row, f) for f in L.GOAL_COLUMNS}
        if _blank(r[g["name"]]) and _blank(r[g["target"]]):
            continue
        kinds = dict(name="text", metric="text", channel="text", target="count", target_cost="money2", start="date",
                     end="date", actual="count", progress="percent", forecast="count", actual_cost="money2", status="text")
        figs = {f: r.fig(ref, kinds[f], "not computable yet: fill the goal's metric, channel and dates") for f, ref in g.items()}
        start, end, today = r.num(g["start"]), r.num(g["end"]), r.num(report_date)
        actual, target = r.num(g["actual"]), r.num(g["target"])
        elapsed_days = current = needed = None
        if start is not None and end is not None and today is not None:
            elapsed_days = max(0.0, min(today, end) - start + 1)
            if actual is not None and elapsed_days > 0:
                current = actual / elapsed_days * 7
            remaining = end - today
            if actual is not None and target is not None:
                needed = 0.0 if actual >= target else ((target - actual) / remaining * 7 if remaining > 0 else None)
        fs, fe, fa, ft = g["start"], g["end"], g["actual"], g["target"]
        goals.append(Goal(
            row=row, **figs,
            elapsed=derived("days_elapsed", (fs, fe, report_date), f"MIN({report_date}, {fe}) − {fs} + 1",
                            elapsed_days, "days"),
            current_rate=derived("rate_per_week", (fa, fs, fe, report_date),
                                 f"{fa} ÷ (MIN({report_date}, {fe}) − {fs} + 1) × 7", current, "decimal"),
            needed_rate=derived("needed_per_week", (ft, fa, fe, report_date),
                                f"MAX(0, {ft} − {fa}) ÷ ({fe} − {report_date}) × 7", needed, "decimal",
                                missing="the deadline has passed", shown="deadline reached")))
    return goals


# -- the report ----------------------------------------------------------------------------------

def _nothing_to_report(r: Reader, path: str) -> None:
    empty = []
    cost_inputs = [L.ref("costs", f"{cat[4]}{row}") for cat in L.COST_CATEGORIES for row in cat[3]]
    if not r.filled(cost_inputs):
        empty.append("step 2 (costs)")
    this_period = [L.perf_row(i, paid, m) for i in range(L.CHANNEL_COUNT) for paid in (False, True) for m in L.METRICS]
    if not r.filled(this_period):
        empty.append("step 3 (performance)")
    if not any(not _blank(r[L.ref("values", f"B{row}")]) and r[L.ref("values", f"F{row}")] == "Yes" for row in L.VALUE_ROWS):
        empty.append("step 4 (goal values)")
    if empty:
        raise NothingToReport(f"{path}: nothing to report: fill steps 2–4 first ({', '.join(empty)} empty)")


def build_report(snap: Snapshot, brand: Brand | None = None, built: _dt.datetime | None = None) -> Report:
    """The report's model for ``snap``. Raises :class:`NothingToReport` for an empty template and
    :class:`SummaryMismatch` when a sentence's number is not what the tables show."""
    from . import rules
    from .verify import verify_sentences

    r = Reader(snap)
    _nothing_to_report(r, snap.path)
    brand = brand or Brand()
    channels = _channels(r)
    goals = _goals(r)
    scorecards = _scorecards(r)
    checks = _checks(r)
    campaign = r.fig(L.CAMPAIGN, "text", "no campaign name on the Start sheet")
    period = (r.fig(L.PERIOD_START, "date"), r.fig(L.PERIOD_END, "date"), r.fig(L.REPORT_DATE, "date"))
    key = {name: r.fig(ref, kind) for name, ref, kind in (
        ("investment", L.TOTAL_INVESTMENT, "money"), ("return", L.TOTAL_RETURN, "money"),
        ("net", L.NET_RETURN, "money"), ("roi", L.OVERALL_ROI, "percent"))}
    costs = _cost_lines(r)
    sections = [
        _kpi_section(scorecards),
        _money_section(r, costs, channels, key),
        _channel_section(r, channels),
        _goal_section(r, goals),
    ]
    details = Table("details", "Report details", ["Item", "Value"], [
        ["Campaign or report", campaign], ["Period start", period[0]], ["Period end", period[1]],
        ["Data up to", period[2]],
        ["Total investment", key["investment"]], ["Total return", key["return"]], ["Net return", key["net"]],
        ["Overall ROI", key["roi"]]])
    context = rules.Context(key=key, scorecards=scorecards, channels=channels, goals=goals, checks=checks,
                            costs=costs, campaign=campaign, period=period, sections=sections, reader=r)
    worse, improve = rules.what_got_worse(context), rules.where_to_improve(context)
    sections.append(Section("worse", "What got worse", items=worse))
    sections.append(Section("improve", "Where to improve", items=improve))
    sections.append(_completeness_section(r, snap, checks))
    summary = rules.summary(context, worse)
    report = Report(
        source=snap.path.replace("\\", "/").rsplit("/", 1)[-1], sha256=snap.sha256, engine=snap.engine,
        built=(built or _dt.datetime.now().astimezone()).strftime("%Y-%m-%d %H:%M %Z").strip(), brand=brand,
        campaign=campaign, period=period,
        headline=[("Overall ROI", key["roi"], "(return − investment) ÷ investment"),
                  ("Total investment", key["investment"], "tools, ads, people, materials, agencies"),
                  ("Total return", key["return"], "value of the goals reached"),
                  ("Net return", key["net"], "return − investment")],
        summary=summary, scorecards=scorecards, sections=sections, checks=checks, stale=list(snap.stale),
        not_evaluated=dict(snap.not_evaluated),
        formulas=_formulas(r, snap),
        formula_cells=snap.formula_cells)
    report.sections.append(Section("details", "Report details", tables=[details]))
    order = ("kpis", "goals", "worse", "improve", "money", "channels", "completeness", "details")
    report.sections.sort(key=lambda s: order.index(s.id) if s.id in order else len(order))
    report.figure_index = figure_index(report)
    verify_sentences(report)
    return report


def _formulas(r: Reader, snap: Snapshot) -> list[tuple[str, str, str, Figure]]:
    """The headline cells with their formulas; a cost category with no data shows "no data"."""
    categories = {fig.ref: fig for _label, fig in category_figures(r)}
    return [(label, ref, snap.formulas.get(ref, "(a value)"), categories.get(ref) or r.fig(ref, kind))
            for label, ref, kind in L.HEADLINE_CELLS if ref in snap.formulas or not _blank(snap[ref])]


def figure_index(report: Report) -> list[Figure]:
    """Every figure taken from a cell, once, in sheet order then cell order."""
    from ..xlsx.refs import parse_cell

    seen: dict[str, Figure] = {}
    for table in report.tables():
        for f in table.figures():
            if f.ref and f.ref not in seen:
                seen[f.ref] = f
    order = {name: i for i, name in enumerate(L.SHEET.values())}

    def key(f: Figure):
        sheet, cell = f.ref.rsplit("!", 1)
        row, col = parse_cell(cell)
        return order.get(sheet.strip("'"), 99), row, col

    return sorted(seen.values(), key=key)


# -- KPI scorecards ------------------------------------------------------------------------------

def _scorecards(r: Reader) -> list[Scorecard]:
    from .. import template as T

    cards = {}
    for i, row in enumerate(L.KPI_ROWS):
        name, definition, better, _formula, fmt = T.KPIS[i]
        kind = KPI_KIND[fmt]
        cell = {c: L.ref("kpis", f"{c}{row}") for c in "DEFGHIJ"}
        this = r.fig(cell["D"], kind, "not computable: an input of 6a is empty or zero")
        others = {"previous": r.fig(cell["E"], kind, "no data for the previous period (step 3 / 6a)"),
                  "last_year": r.fig(cell["F"], kind, "no data for the same period last year (6a)"),
                  "benchmark": r.fig(cell["G"], kind, "no benchmark in 6c")}
        pct_cells = {"previous": cell["H"], "last_year": cell["I"], "benchmark": cell["J"]}
        changes = {}
        for vs, other in others.items():
            absolute = diff(this, other, DELTA_KIND[kind])
            pct = r.fig(pct_cells[vs], "change", "no data to compare with")
            changes[vs] = (absolute, pct, verdict(absolute, better))
        cards[name] = Scorecard(name, definition, better, this, others["previous"], others["last_year"],
                                others["benchmark"], changes)
    for item, better, definition in (("Total investment", "", "tools + ads + people + materials + agencies"),
                                     ("Total return", "Higher", "value of the goals (step 4)")):
        row = L.KPI_ITEM_ROW[item]
        this = r.fig(L.ref("kpis", f"B{row}"), "money")
        others = {"previous": r.fig(L.ref("kpis", f"C{row}"), "money", "no data for the previous period (6a)"),
                  "last_year": r.fig(L.ref("kpis", f"D{row}"), "money", "no data for the same period last year (6a)"),
                  "benchmark": Figure(None, "money", missing="the template has no benchmark for this item")}
        changes = {}
        for vs, other in others.items():
            absolute = diff(this, other, "delta_money") if other.ref else Figure(None, "delta_money", missing=other.missing)
            pct = pct_change(this, other) if other.ref else Figure(None, "change", missing=other.missing)
            changes[vs] = (absolute, pct, verdict(absolute, better))
        cards[item] = Scorecard(item, definition, better, this, others["previous"], others["last_year"],
                                others["benchmark"], changes)
    return [cards[name] for name in SCORECARD_ORDER if name in cards] + \
           [c for name, c in cards.items() if name not in SCORECARD_ORDER]


def _kpi_section(cards: list[Scorecard]) -> Section:
    rows, classes = [], {}
    for i, card in enumerate(cards):
        row = [card.name, {"Higher": "higher", "Lower": "lower"}.get(card.better, "neutral"), card.this]
        for j, (vs, _label) in enumerate(COMPARISONS):
            other = {"previous": card.previous, "last_year": card.last_year, "benchmark": card.benchmark}[vs]
            absolute, pct, word = card.changes[vs]
            row.append(other)
            row.append(_change_cell(absolute, pct, word))
            classes[(i, 4 + 2 * j)] = "v-" + word.replace("/", "")
        rows.append(row)
    table = Table("kpis", "KPI scorecards: this period against the previous period, the same period last year "
                  "and the benchmark (step 6)",
                  ["KPI", "Better when", "This period", "Previous period", "Change", "Same period last year", "Change",
                   "Benchmark", "Against benchmark"], rows, classes=classes,
                  note="Change: in % of the other value, then the difference. Better or worse is judged by the KPI's "
                       "direction: for a cost, rising is worse. Total investment is neutral (it is judged through ROI).")
    return Section("kpis", "KPI scorecards", tables=[table])


def _change_cell(absolute: Figure, pct: Figure, word: str) -> list:
    if word == "n/a":
        return [pct if pct.has_data or pct.ref else absolute]
    return [pct, " ", Mark(word, "verdict v-" + word), BREAK, absolute]


# -- where the money went ----------------------------------------------------------------------

@dataclass
class CostLine:
    category: str
    label: Figure
    amount: Figure
    detail: str = ""


def _cost_lines(r: Reader) -> list[CostLine]:
    lines = []
    for row in L.TOOL_ROWS:
        if r.filled([L.ref("costs", f"A{row}"), L.ref("costs", f"C{row}")]):
            lines.append(CostLine("Tools", r.fig(L.ref("costs", f"A{row}"), "text"), r.fig(L.ref("costs", f"F{row}"), "money")))
    for i, row in enumerate(L.ALLOCATION_ROWS):
        spend = r.fig(L.ref("costs", f"B{row}"), "money")
        if spend.number:
            lines.append(CostLine("Advertising", r.fig(L.CHANNEL_NAMES[i], "text"), spend, "ad spend (2b)"))
    for row in L.PEOPLE_ROWS:
        if r.filled([L.ref("costs", f"A{row}"), L.ref("costs", f"C{row}")]):
            lines.append(CostLine("People", r.fig(L.ref("costs", f"A{row}"), "text"), r.fig(L.ref("costs", f"D{row}"), "money")))
    for row in L.MATERIAL_ROWS:
        if r.filled([L.ref("costs", f"A{row}"), L.ref("costs", f"B{row}")]):
            lines.append(CostLine("Materials", r.fig(L.ref("costs", f"A{row}"), "text"), r.fig(L.ref("costs", f"D{row}"), "money")))
    for row in L.AGENCY_ROWS:
        if r.filled([L.ref("costs", f"A{row}"), L.ref("costs", f"C{row}")]):
            lines.append(CostLine("Agencies", r.fig(L.ref("costs", f"A{row}"), "text"), r.fig(L.ref("costs", f"G{row}"), "money"),
                                  "fees; ad spend inside counted once"))
    return lines


def category_figures(r: Reader) -> list[tuple[str, Figure]]:
    """Each cost category's total, or no data when none of its input rows is filled."""
    out = []
    for label, _name, total_ref, rows, input_col, _cost_col in L.COST_CATEGORIES:
        fig = r.fig(total_ref, "money")
        if not r.filled([L.ref("costs", f"{input_col}{row}") for row in rows]):
            fig = Figure(None, "money", ref=total_ref, missing="no cost entered in this category (step 2)")
        out.append((label, fig))
    return out


def _money_section(r: Reader, lines: list[CostLine], channels: list[Channel], key: dict) -> Section:
    invest = key["investment"]
    cats = category_figures(r)
    stack = Table("cost-stack", "The cost stack (step 2, totals in step 5)", ["Cost category", "Amount", "Share of investment"],
                  [[label, fig, share(fig, invest) if fig.has_data else Figure(None, "percent", missing=fig.missing)]
                   for label, fig in cats] + [["Total investment", invest, share(invest, invest)]],
                  total_rows={len(cats)})
    detail = Table("cost-lines", "Every cost line, largest first", ["Category", "Line", "Amount", "Share of investment"],
                   [[line.category, line.label, line.amount, share(line.amount, invest)]
                    for line in sorted(lines, key=lambda l: -(l.amount.number or 0))])
    agency_rows = []
    for row in L.AGENCY_ROWS:
        if r.filled([L.ref("costs", f"A{row}"), L.ref("costs", f"C{row}")]):
            c = {x: L.ref("costs", f"{x}{row}") for x in "ABCDEFG"}
            agency_rows.append([r.fig(c["A"], "text"), r.fig(c["B"], "text"), r.fig(c["C"], "money"), r.fig(c["E"], "money"),
                                r.fig(c["F"], "money"), r.fig(c["G"], "money")])
    agencies = Table("agencies", "Agencies: the invoice, the ad spend inside it, and what is counted (ad spend counted once)",
                     ["Agency", "Channel", "Invoice", "Ad spend inside", "Also in the ad export (deducted)", "Counted"],
                     agency_rows or [["No agency in step 2e", "", "", "", "", ""]])
    people_rows = []
    hours = []
    for row in L.PEOPLE_ROWS:
        if r.filled([L.ref("costs", f"A{row}"), L.ref("costs", f"C{row}")]):
            h = r.fig(L.ref("costs", f"C{row}"), "count")
            hours.append(h)
            people_rows.append([r.fig(L.ref("costs", f"A{row}"), "text"), r.fig(L.ref("costs", f"B{row}"), "money2"), h,
                                r.fig(L.ref("costs", f"D{row}"), "money")])
    people = Table("people", "People: hourly rate × hours (HR_COST)", ["Person or role", "Hourly rate", "Hours", "HR cost"],
                   people_rows + ([["All people", "", total(hours, "count"), r.fig(L.COST_CATEGORIES[2][2], "money")]]
                                  if people_rows else [["No people in step 2c", "", Figure(None, "count", missing="no hours entered"),
                                                        Figure(None, "money", missing="no hours entered")]]),
                   total_rows={len(people_rows)} if people_rows else set())
    ads = Table("ad-channels", "Ad spend by channel (step 2b, counted once)", ["Channel", "Ad spend", "Share of ad spend"],
                [[c.name, c.ad_spend, share(c.ad_spend, r.fig(L.COST_CATEGORIES[1][2], "money"))]
                 for c in channels if c.ad_spend.number] +
                [["All channels", r.fig(L.COST_CATEGORIES[1][2], "money"), Figure(1.0, "percent", derived=Derivation(
                    "share", (L.COST_CATEGORIES[1][2],) * 2, f"{L.COST_CATEGORIES[1][2]} ÷ {L.COST_CATEGORIES[1][2]}"))]])
    ads.total_rows = {len(ads.rows) - 1}
    return Section("money", "Where the money went", tables=[stack, detail, agencies, people, ads])


# -- channels --------------------------------------------------------------------------------------

def _channel_section(r: Reader, channels: list[Channel]) -> Section:
    with_data = [c for c in channels if c.has_data]
    rows = [[c.name, c.investment, c.ret, c.net, c.roi, c.share_investment, c.share_return] for c in with_data]
    tr = L.CHANNEL_TOTAL_ROW
    rows.append(["All channels", r.fig(L.ref("roi", f"B{tr}"), "money"), r.fig(L.ref("roi", f"C{tr}"), "money"),
                 r.fig(L.ref("roi", f"D{tr}"), "money"), r.fig(L.ref("roi", f"E{tr}"), "percent"), "", ""])
    roi = Table("channel-roi", "ROI by channel (step 5b)", ["Channel", "Investment", "Return", "Net return", "ROI",
                                                            "Share of investment", "Share of return"], rows,
                total_rows={len(rows) - 1})
    roi.classes = {(i, 4): ("v-worse" if (c.roi.number or 0) < 0 else "") for i, c in enumerate(with_data)}
    without = [c for c in channels if not c.has_data]
    if without:
        roi.note = "No data (no investment, return or leads): " + ", ".join(str(c.name.value or "—") for c in without) + "."
    # cost per lead by channel: channel investment (2f) ÷ leads (3)
    cpl_rows = []
    for c in with_data:
        inv_ref = L.ref("costs", f"G{L.ALLOCATION_ROWS[c.index]}")
        cpl_rows.append([c.name, r.fig(inv_ref, "money"), c.leads, ratio(r.fig(inv_ref, "money"), c.leads, "money2")])
    cpl = Table("channel-cpl", "Cost per lead by channel: channel investment (2f) ÷ leads (step 3)",
                ["Channel", "Channel investment", "Leads", "Cost per lead"], cpl_rows)
    # organic vs paid (step 3 keeps them apart); this period with the previous period's leads
    metrics = ("Reach", "Engagements", "Clicks", "Leads", "Subscribers", "Customers")
    op_rows = []
    for c in with_data:
        for paid in (False, True):
            figs = [r.fig(L.perf_row(c.index, paid, m), "count", "no data entered") for m in metrics]
            if any(f.has_data for f in figs):
                op_rows.append([c.name, "Paid" if paid else "Organic", *figs])
    for which in ("organic", "paid", "all"):
        op_rows.append([{"organic": "All organic", "paid": "All paid", "all": "All channels"}[which], "",
                        *[r.fig(L.perf_all(m, which=which), "count") for m in metrics]])
    organic_paid = Table("organic-paid", "Organic and paid apart (step 3, this period)", ["Channel", "Type", *metrics], op_rows,
                         total_rows=set(range(len(op_rows) - 3, len(op_rows))))
    # results by channel against the previous period
    prev_rows = []
    key_metrics = ("Leads", "Subscribers", "Customers")
    for c in with_data:
        row = [c.name]
        for m in key_metrics:
            this = r.fig(L.perf_total(c.index, m), "count")
            before = r.fig(L.perf_total(c.index, m, previous=True), "count")
            if not r.filled([L.perf_row(c.index, p, m, previous=True) for p in (False, True)]):
                before = Figure(None, "count", ref=before.ref, missing="no data for the previous period in step 3")
            row += [this, before, pct_change(this, before) if before.has_data else Figure(None, "change", missing=before.missing)]
        prev_rows.append(row)
    previous = Table("channel-previous", "Results by channel against the previous period (step 3)",
                     ["Channel"] + [f"{m} {w}" for m in key_metrics for w in ("this period", "previous", "change")], prev_rows)
    previous.classes = {(i, j): ("v-worse" if isinstance(cell, Figure) and (cell.number or 0) < 0 else "")
                        for i, row in enumerate(prev_rows) for j, cell in enumerate(row) if j % 3 == 0 and j}
    return Section("channels", "ROI per channel", tables=[roi, cpl, organic_paid, previous])


# -- goals -----------------------------------------------------------------------------------------

def _goal_section(r: Reader, goals: list[Goal]) -> Section:
    rows, classes = [], {}
    for i, g in enumerate(goals):
        rows.append([[g.name, BREAK, g.metric, " · ", g.channel], g.target, g.actual, g.progress, g.end, g.forecast,
                     g.needed_rate, g.current_rate, [g.target_cost, " /", BREAK, g.actual_cost], g.status])
        status = str(g.status.value or "")
        classes[(i, GOAL_STATUS)] = {"On track": "v-better", "At risk": "v-risk", "Off track": "v-worse"}.get(status, "")
        if g.actual_cost.number is not None and g.target_cost.number and g.actual_cost.number > g.target_cost.number:
            classes[(i, GOAL_STATUS - 1)] = "v-worse"
    table = Table("goals", "SMART goals (step 1): target, actual, pace to the deadline, run rate needed",
                  ["Goal (metric · channel)", "Target", "Actual", "Progress", "Deadline", "Forecast at current pace",
                   "Needed per week", "Current per week", "Cost per unit: target / actual", "Status"],
                  rows or [["No goals in step 1"] + [""] * GOAL_STATUS], classes=classes,
                  note="Forecast = actual × the goal's days ÷ days elapsed up to the report date (step 1). Needed per "
                       "week = what is left of the target ÷ weeks left to the deadline. Status (step 1): on track when "
                       "the forecast reaches the target, at risk from 80 %, off track below.")
    row = L.KPI_TARGET_ROW
    cpl = Table("cpl-target", "Cost per lead against the goal's target (step 6)", ["Measure", "Cost per lead", "Target",
                                                                                     "Against the target"],
                [["Cost per lead", r.fig(L.ref("kpis", f"D{row}"), "money2"), r.fig(L.ref("kpis", f"G{row}"), "money2",
                                                                                  "no goal measured in leads"),
                  r.fig(L.ref("kpis", f"J{row}"), "change", "no goal measured in leads")]])
    if (r.num(L.ref("kpis", f"J{row}")) or 0) > 0:
        cpl.classes = {(0, 3): "v-worse"}
    return Section("goals", "SMART goals", tables=[table, cpl])


# -- completeness ------------------------------------------------------------------------------

def _checks(r: Reader) -> list[Check]:
    # the Start sheet's four checks gather steps 2 and 4's own; step 5's channel check is the fifth
    pairs = list(L.START_CHECKS) + [L.CHANNEL_CHECK]
    return [Check(r.fig(label, "text"), r.fig(result, "text", "the check gave no result")) for label, result in pairs]


def ad_spend_by_month(r: Reader) -> list[tuple[_dt.date, Figure]]:
    """Each calendar month of the period with the ad export's spend dated in it; a month with no
    ad row is no data (never 0)."""
    start, end = r.num(L.PERIOD_START), r.num(L.PERIOD_END)
    if start is None or end is None or end < start:
        return []
    first, last = to_date(start), to_date(end)
    months, y, m = [], first.year, first.month
    while (y, m) <= (last.year, last.month) and len(months) < 36:
        months.append(_dt.date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    out = []
    for month in months:
        refs, amount = [], 0.0
        for row in L.AD_ROWS:
            date, spend = r.num(L.ref("costs", f"A{row}")), r.num(L.ref("costs", f"D{row}"))
            if date is not None and spend is not None and to_date(date).replace(day=1) == month:
                refs.append(L.ref("costs", f"D{row}"))
                amount += spend
        formula = "SUM(" + ", ".join(refs) + ")" if refs else "no ad row dated in this month"
        d = Derivation("sum", tuple(refs), formula)
        out.append((month, Figure(amount, "money", derived=d) if refs else
                    Figure(None, "money", derived=d, missing="no ad spend dated in this month (step 2b)")))
    return out


def _completeness_section(r: Reader, snap: Snapshot, checks: list[Check]) -> Section:
    rows = []
    for label, fig in category_figures(r):
        rows.append([label, fig, "entered" if fig.has_data else "no data: add the costs or confirm there were none"])
    prev_filled = r.filled([L.perf_row(i, p, m, previous=True) for i in range(L.CHANNEL_COUNT) for p in (False, True)
                            for m in L.METRICS])
    rows.append(["Previous period (step 3)", r.fig(L.perf_all("Leads", previous=True), "count") if prev_filled else
                 Figure(None, "count", ref=L.perf_all("Leads", previous=True), missing="the previous period is empty in step 3"),
                 "leads entered" if prev_filled else "no data: the comparison with the previous period is missing"])
    ly = r.fig(L.ref("kpis", f"D{L.KPI_ITEM_ROW['Total investment']}"), "money", "no data for the same period last year (6a)")
    rows.append(["Same period last year (6a)", ly, "entered" if ly.has_data else "no data"])
    bench = [r.fig(L.ref("kpis", f"C{row}"), "decimal") for row in L.BENCHMARK_SOURCE_ROWS]
    filled = sum(1 for b in bench if b.has_data)
    rows.append(["Benchmarks (6c)", derived("count_filled", tuple(b.ref for b in bench),
                                            f"COUNT({bench[0].ref}:{bench[-1].ref.split('!')[1]})", filled, "count"),
                 f"of {len(bench)} KPIs have a benchmark"])
    coverage = Table("coverage", "What the workbook holds (empty is no data, never 0)", ["Data", "Value", "Status"], rows)
    months = ad_spend_by_month(r)
    month_table = Table("months", "Ad spend by month of the period (step 2b)", ["Month", "Ad spend", "Status"],
                        [[m.strftime("%B %Y"), f, "entered" if f.has_data else "no data"] for m, f in months])
    check_table = Table("checks", "The template's own checks", ["Check", "Result"],
                        [[c.label, [("✓ " if c.ok else "✗ "), c.result]] for c in checks],
                        classes={(i, 1): ("v-better" if c.ok else "v-worse") for i, c in enumerate(checks)})
    recalc = Table("recalc", "Recalculation", ["Item", "Value"], [
        ["Formula cells recalculated before reading", Figure(snap.formula_cells, "count", derived=Derivation(
            "count", (), "formula cells in the workbook"))],
        ["Cached values that were stale in the file (not used)", Figure(len(snap.stale), "count", derived=Derivation(
            "count", tuple(snap.stale[:20]), "cells whose saved value differed from the recalculated one"))],
        ["Cells the engine could not evaluate (shown as no data)", Figure(len(snap.not_evaluated), "count", derived=Derivation(
            "count", tuple(snap.not_evaluated)[:20], "cells not evaluated"))]])
    if snap.stale:
        recalc.note = "Stale in the file: " + ", ".join(snap.stale[:12]) + (" …" if len(snap.stale) > 12 else "")
    return Section("completeness", "Completeness and checks", tables=[coverage, month_table, check_table, recalc])
