"""The report's words: rules that turn the numbers into sentences.

Each rule reads figures from the report's tables (so a sentence can only say what a table
shows) and returns :class:`~xlroi.report.model.Sentence` objects whose literal text holds no
digits: every number is a figure with its cell. :func:`xlroi.report.verify.verify_sentences`
holds the built report to that.

The suggestions are the method's own ("Improving ROI", METHOD.md): review every cost, review ad
spend, cut time spent, track performance; each tied to the numbers that call for it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .model import Figure, Scorecard, Section, Sentence, Table


@dataclass
class Context:
    key: dict
    scorecards: list[Scorecard]
    channels: list
    goals: list
    checks: list
    costs: list
    campaign: Figure
    period: tuple
    sections: list[Section]
    reader: object = None
    _tables: dict = field(default_factory=dict)

    def table(self, table_id: str) -> Table:
        if not self._tables:
            self._tables = {t.id: t for s in self.sections for t in s.tables}
        return self._tables[table_id]

    def card(self, name: str) -> Scorecard | None:
        return next((c for c in self.scorecards if c.name == name), None)


def S(*parts, tone: str = "") -> Sentence:  # noqa: N802 - reads like a sentence constructor
    return Sentence(list(parts), tone)


def _kpi(name: str) -> str:
    """A KPI's name inside a sentence: "conversion rate", but "ROI", "LTV : CAC" as they are."""
    name = name.split(" (")[0]  # "Customer acquisition cost (CAC)" -> "customer acquisition cost"
    return name if name[:2].isupper() else name[0].lower() + name[1:]


def _quoted(fig: Figure) -> list:
    return ["‘", fig, "’"]


def _rose(change: Figure, up: str = "rose", down: str = "fell", same: str = "held") -> str:
    x = change.number
    if x is None or round(x * 1000) == 0:
        return same
    return up if x > 0 else down


def _joined(groups: list[list]) -> list:
    """[[a, b], [c]] -> a b, c (parts of a sentence joined by commas and a final 'and')."""
    out: list = []
    for i, group in enumerate(groups):
        if i:
            out.append(" and " if i == len(groups) - 1 else ", ")
        out += group
    return out


# -- the executive summary ---------------------------------------------------------------------

def summary(ctx: Context, worse: list[Sentence]) -> list[Sentence]:
    sentences = [overall(ctx), against_previous(ctx), channels(ctx), goals(ctx), worse_in_brief(ctx), checks(ctx)]
    return [s for s in sentences if s is not None]


def overall(ctx: Context) -> Sentence:
    k = ctx.key
    start, end, _ = ctx.period
    who = [ctx.campaign, ": from "] if ctx.campaign.has_data else ["From "]
    when = [start, " to ", end] if start.has_data and end.has_data else ["the period"]
    if k["roi"].number is not None and k["roi"].number < 0:
        return S(*who, *when, " social media lost money: it returned ", k["return"], " on an investment of ",
                 k["investment"], ", an ROI of ", k["roi"], " (net return ", k["net"], ").", tone="bad")
    return S(*who, *when, " social media returned ", k["return"], " on an investment of ", k["investment"],
             ": an ROI of ", k["roi"], " and a net return of ", k["net"], ".", tone="good")


def against_previous(ctx: Context) -> Sentence:
    roi = ctx.card("ROI")
    if roi is None or not roi.previous.has_data or not roi.this.has_data:
        return S("There is no data for the previous period, so nothing is compared with it.")
    absolute, _pct, word = roi.changes["previous"]
    parts = ["Against the previous period, ROI ", _rose(absolute), " from ", roi.previous, " to ", roi.this,
             " (", absolute, ")"]
    ret, inv = ctx.card("Total return"), ctx.card("Total investment")
    if ret and inv and ret.changes["previous"][1].has_data and inv.changes["previous"][1].has_data:
        rp, ip = ret.changes["previous"][1], inv.changes["previous"][1]
        parts += ["; total return changed by ", rp, " and total investment by ", ip]
    return S(*parts, ".", tone={"better": "good", "worse": "bad"}.get(word, ""))


def channels(ctx: Context) -> Sentence | None:
    rows = [row for row in ctx.table("channel-roi").rows[:-1] if isinstance(row[4], Figure) and row[4].number is not None]
    if not rows:
        return S("No channel has investment yet, so no channel ROI can be compared.")
    rows.sort(key=lambda row: row[4].number, reverse=True)
    best, worst = rows[0], rows[-1]
    if len(rows) == 1:
        return S("Only ", best[0], " had investment: its ROI was ", best[4], ".")
    losing = [row for row in rows if row[4].number < 0]
    if len(losing) == len(rows):
        return S("Every channel with investment lost money: ",
                 *_joined([[row[0], " (", row[4], ")"] for row in rows]), ".", tone="bad")
    tail = [" and ", worst[0], " the weakest (", worst[4], ")"]
    if losing:
        tail = ["; ", *_joined([[row[0], " (", row[4], ")"] for row in losing]), " lost money"]
    return S("By channel, ", best[0], " had the best ROI (", best[4], ")", *tail, ".",
             tone="bad" if losing else "")


def goals(ctx: Context) -> Sentence:
    if not ctx.goals:
        return S("No SMART goals are set in step 1: set them to tie the results back to goals.")
    parts: list = []
    for status in ("On track", "At risk", "Off track"):
        named = [g for g in ctx.goals if g.status.value == status]
        if named:
            parts += [" " if parts else "", named[0].status, ": ", *_joined([_quoted(g.name) for g in named]), "."]
    unknown = [g for g in ctx.goals if g.status.value not in ("On track", "At risk", "Off track")]
    if unknown:
        parts += [" " if parts else "", "Not measurable yet: ", *_joined([_quoted(g.name) for g in unknown]), "."]
    return S("Goals — ", *parts, tone="bad" if any(g.status.value == "Off track" for g in ctx.goals) else "")


def worse_in_brief(ctx: Context) -> Sentence:
    prev = [c for c in ctx.scorecards if c.changes["previous"][2] == "worse"]
    channel_falls = _channel_falls(ctx)
    losing = [row for row in ctx.table("channel-roi").rows[:-1] if isinstance(row[4], Figure) and (row[4].number or 0) < 0]
    if prev or channel_falls:
        # the results first (ROI, return, each channel's counts), then the efficiency KPIs
        first = [c for c in prev if c.name in ("ROI", "Total return")]
        items = [[_kpi(c.name), " (", _change_for_summary(c), ")"] for c in first]
        items += [[name, ": ", metric.lower(), " (", pct, ")"] for name, metric, _b, _t, pct in channel_falls]
        items += [[_kpi(c.name), " (", _change_for_summary(c), ")"] for c in prev if c not in first]
        shown = items[:SUMMARY_ITEMS]
        more = ["; more under ‘What got worse’"] if len(items) > SUMMARY_ITEMS else []
        return S("What got worse against the previous period: ", *_joined(shown), *more, ".", tone="bad")
    last_year = [c for c in ctx.scorecards if c.changes["last_year"][2] == "worse"]
    bench = [c for c in ctx.scorecards if c.changes["benchmark"][2] == "worse"]
    if last_year or bench or losing:
        parts = ["Nothing got worse against the previous period."]
        if last_year:
            parts += [" Worse than the same period last year: ",
                      *_joined([[_kpi(c.name), " (", c.changes["last_year"][1], ")"] for c in last_year]), "."]
        if bench:
            parts += [" Worse than the benchmark: ",
                      *_joined([[_kpi(c.name), " (", c.changes["benchmark"][1], ")"] for c in bench]), "."]
        if losing:
            parts += [" Losing money: ", *_joined([[row[0], " (", row[4], ")"] for row in losing]), "."]
        return S(*parts, tone="bad" if losing else "")
    return S("Nothing got worse against the previous period, the same period last year or the benchmarks.", tone="good")


SUMMARY_ITEMS = 6  # what got worse, in the summary: the first few (all of them are in the section)


def _change_for_summary(card: Scorecard) -> Figure:
    """ROI's change in percentage points (a relative change of a ratio that changes sign says
    little); any other KPI's change in % (or its difference when there is no % change)."""
    absolute, pct, _word = card.changes["previous"]
    if card.name == "ROI" or not pct.has_data:
        return absolute
    return pct


def checks(ctx: Context) -> Sentence | None:
    failing = [c for c in ctx.checks if not c.ok]
    if not failing:
        return None
    return S("Check the workbook before relying on these numbers: ",
             *_joined([[c.label, " — ", c.result] for c in failing]), ".", tone="bad")


# -- what got worse ------------------------------------------------------------------------------

def _channel_falls(ctx: Context) -> list[tuple]:
    """(channel name, metric, before, this, % change) for each channel result that fell."""
    table = ctx.table("channel-previous")
    metrics = [c.split(" this period")[0] for c in table.columns[1::3]]
    out = []
    for row in table.rows:
        for m, metric in enumerate(metrics):
            this, before, pct = row[1 + 3 * m], row[2 + 3 * m], row[3 + 3 * m]
            if isinstance(pct, Figure) and pct.number is not None and round(pct.number * 1000) < 0:
                out.append((row[0], metric, before, this, pct))
    return out


def what_got_worse(ctx: Context) -> list[Sentence]:
    items = []
    for c in ctx.scorecards:
        absolute, pct, word = c.changes["previous"]
        if word == "worse":
            items.append(S(c.name, ": ", c.this, " against ", c.previous, " in the previous period (", absolute,
                           *([", ", pct] if pct.has_data else []), ").", tone="bad"))
    for name, metric, before, this, pct in _channel_falls(ctx):
        items.append(S(name, ": ", metric.lower(), " fell from ", before, " to ", this, " (", pct,
                       ") against the previous period.", tone="bad"))
    for row in ctx.table("channel-roi").rows[:-1]:
        if isinstance(row[4], Figure) and (row[4].number or 0) < 0:
            items.append(S(row[0], " lost money: ROI ", row[4], ", net return ", row[3], ".", tone="bad"))
    for g in ctx.goals:
        if g.status.value in ("At risk", "Off track"):
            parts = ["Goal ", *_quoted(g.name), " — ", g.status, ": forecast ", g.forecast, " against a target of ",
                     g.target]
            if g.needed_rate.has_data and g.current_rate.has_data:
                parts += ["; it needs ", g.needed_rate, " a week, against ", g.current_rate, " a week so far"]
            items.append(S(*parts, ".", tone="bad"))
        if g.actual_cost.number is not None and g.target_cost.number and g.actual_cost.number > g.target_cost.number:
            items.append(S("Goal ", *_quoted(g.name), " costs ", g.actual_cost, " a unit against a target of ",
                           g.target_cost, ".", tone="bad"))
    for c in ctx.scorecards:
        absolute, pct, word = c.changes["last_year"]
        if word == "worse":
            items.append(S(c.name, " is worse than the same period last year: ", c.this, " against ", c.last_year,
                           *([" (", pct, ")"] if pct.has_data else []), ".", tone="bad"))
    for c in ctx.scorecards:
        absolute, pct, word = c.changes["benchmark"]
        if word == "worse":
            items.append(S(c.name, " is worse than the benchmark: ", c.this, " against ", c.benchmark,
                           *([" (", pct, ")"] if pct.has_data else []), ".", tone="bad"))
    for check in ctx.checks:
        if not check.ok:
            items.append(S("Template check failing: ", check.label, " — ", check.result, ".", tone="bad"))
    if not items:
        items.append(S("Nothing got worse: every KPI held or improved against the previous period, the same period last "
                       "year and the benchmarks, and every goal is on track.", tone="good"))
    return items


# -- where to improve ------------------------------------------------------------------------------

def where_to_improve(ctx: Context) -> list[Sentence]:
    items = []
    lines = [row for row in ctx.table("cost-lines").rows if isinstance(row[2], Figure) and row[2].number]
    if lines:
        top = lines[:3]
        items.append(S("Review every cost: the largest lines are ",
                       *_joined([[row[1], " ads" if row[0] == "Advertising" else "", " (", row[2], ", ", row[3], ")"]
                                 for row in top]), "."))
    cpl_rows = [row for row in ctx.table("channel-cpl").rows if isinstance(row[3], Figure) and row[3].number is not None]
    overall = ctx.card("Cost per lead")
    if cpl_rows:
        cpl_rows.sort(key=lambda row: row[3].number, reverse=True)
        worst = cpl_rows[0]
        parts = ["Leads cost most on ", worst[0], ": ", worst[3], " a lead (", worst[1], " for ", worst[2], " leads)"]
        if overall and overall.this.has_data:
            parts += [", against ", overall.this, " overall"]
        if len(cpl_rows) > 1:
            parts += ["; least on ", cpl_rows[-1][0], " (", cpl_rows[-1][3], ")"]
        items.append(S(*parts, ": move budget towards the cheaper channel or fix the dearer one."))
    no_leads = [row for row in ctx.table("channel-cpl").rows if isinstance(row[1], Figure) and row[1].number
                and not (isinstance(row[2], Figure) and row[2].number)]
    for row in no_leads:
        items.append(S(row[0], " cost ", row[1], " and brought no leads in step 3: check its tracking or its budget."))
    stack = {row[0]: row for row in ctx.table("cost-stack").rows}
    ads = stack.get("Advertising")
    channels_ads = [row for row in ctx.table("ad-channels").rows[:-1]]
    if ads and ads[1].has_data:
        parts = ["Review ad spend: it is ", ads[2], " of the investment (", ads[1], ")"]
        if channels_ads:
            top = max(channels_ads, key=lambda row: row[1].number or 0)
            parts += ["; ", top[0], " takes ", top[2], " of it"]
        roas = ctx.card("Return on ad spend (ROAS)")
        if roas and roas.this.has_data:
            parts += ["; return on ad spend is ", roas.this]
        items.append(S(*parts, "."))
    people = ctx.table("people").rows
    people_cat = stack.get("People")
    if people and people_cat and people_cat[1].has_data and isinstance(people[-1][2], Figure):
        items.append(S("Cut time spent (scheduling, approvals, reporting): the team logged ", people[-1][2],
                       " hours costing ", people_cat[1], ", ", people_cat[2], " of the investment."))
    elif people_cat:
        items.append(S("No staff hours are entered in step 2c: add them (hourly rate × hours), or the ROI leaves out "
                       "what the team's time costs."))
    tools = stack.get("Tools")
    if tools and tools[1].has_data:
        items.append(S("Track performance with tools, and check what they cost: tools are ", tools[1], " (", tools[2],
                       " of the investment)."))
    for g in ctx.goals:
        if g.needed_rate.number and g.current_rate.number is not None and g.needed_rate.number > g.current_rate.number:
            items.append(S("To reach ", *_quoted(g.name), " by ", g.end, ", raise the pace from ", g.current_rate,
                           " to ", g.needed_rate, " a week."))
    target = ctx.table("cpl-target").rows[0]
    if isinstance(target[3], Figure) and (target[3].number or 0) > 0:
        items.append(S("Cost per lead is ", target[1], " against the goal's target of ", target[2], " (", target[3],
                       "): the largest cost lines and the dearest channel above are where it comes from."))
    missing = [row for row in ctx.table("cost-stack").rows if isinstance(row[1], Figure) and not row[1].has_data]
    if missing:
        items.append(S("Complete the cost stack: ", *_joined([[row[0].lower()] for row in missing]),
                       " show no data; if there were such costs, the ROI above is too high."))
    return items
