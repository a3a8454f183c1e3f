"""Where the report reads each figure in the template: cell addresses from the template's own
layout constants (:mod:`xlroi.template`, the single source of truth), and the defined names a
workbook must carry to count as an xlroi template.

Every address is a string in Excel's form (``'Step 5 ROI'!B15``): that is the provenance the
report prints next to each figure, and what ``xlroi eval BOOK REF`` reads back.
"""
from __future__ import annotations

from .. import template as T

SHEET = T.SHEETS  # key -> sheet name
METRICS = T.METRICS
CHANNEL_COUNT = len(T.CHANNELS)


def ref(sheet_key: str, cell: str) -> str:
    """``ref("roi", "B15")`` -> ``'Step 5 ROI'!B15``."""
    return f"'{SHEET[sheet_key]}'!{cell}"


def col(index: int) -> str:
    """Column letters of a 0-based index from A."""
    from ..xlsx.refs import column_letters

    return column_letters(index + 1)


# -- the names a workbook must have, and where this version of the template puts them ---------
REQUIRED_NAMES = {
    "TotalInvestment": ref("roi", f"$B${T.O_INVEST}"),
    "TotalReturn": ref("roi", f"$B${T.O_RETURN}"),
    "NetReturn": ref("roi", f"$B${T.O_NET}"),
    "OverallROI": ref("roi", f"$B${T.O_ROI}"),
    "ToolsCost": ref("costs", f"$F${T.T_TOTAL}"),
    "AdsCost": ref("costs", f"$D${T.A_TOTAL}"),
    "PeopleCost": ref("costs", f"$D${T.H_TOTAL}"),
    "MaterialsCost": ref("costs", f"$D${T.M_TOTAL}"),
    "AgencyCost": ref("costs", f"$G${T.G_TOTAL}"),
    "ChannelInvestment": ref("costs", f"$G${T.R_FIRST}:$G${T.R_LAST}"),
    "ChannelReturn": ref("values", f"$B${T.VC_TOTAL}:$G${T.VC_TOTAL}"),
    "Channels": ref("start", f"$B${T.S_CHANNEL_FIRST}:$B${T.S_CHANNEL_LAST}"),
    "MetricNames": ref("perf", f"$C${T.P_HEAD}:$L${T.P_HEAD}"),
    "GoalMetric": ref("goals", f"$B${T.GL_FIRST}:$B${T.GL_LAST}"),
    "LTV": ref("values", f"$B${T.V_LTV}"),
    "PeriodStart": ref("start", "$B$15"),
    "PeriodEnd": ref("start", "$B$16"),
    "ReportDate": ref("start", "$B$17"),
}

# -- Start ---------------------------------------------------------------------------------
CAMPAIGN = ref("start", "B14")
PERIOD_START, PERIOD_END, REPORT_DATE, PERIOD_MONTHS = (ref("start", f"B{r}") for r in (15, 16, 17, 18))
CHANNEL_NAMES = [ref("start", f"B{T.S_CHANNEL_FIRST + i}") for i in range(CHANNEL_COUNT)]
_CHECKS_ROW = T.S_ALL + 2 + 6 + 1  # _start(): key results at S_ALL + 2, checks heading 6 rows below
START_CHECKS = [(ref("start", f"A{_CHECKS_ROW + i}"), ref("start", f"B{_CHECKS_ROW + i}")) for i in range(4)]
START_CHECK_LABELS = ("Channels add up to the total investment", "Manual allocation shares add up to 100%",
                      "Return by channel adds up to the total return", "Agency invoices: ad spend counted once")

# -- Step 1 goals: one row per goal, columns A..L --------------------------------------------
GOAL_ROWS = range(T.GL_FIRST, T.GL_LAST + 1)
GOAL_COLUMNS = dict(name="A", metric="B", channel="C", target="D", target_cost="E", start="F", end="G",
                    actual="H", progress="I", forecast="J", actual_cost="K", status="L")


def goal(row: int, field: str) -> str:
    return ref("goals", f"{GOAL_COLUMNS[field]}{row}")


# -- Step 2 costs ------------------------------------------------------------------------------
TOOL_ROWS = range(T.T_FIRST, T.T_LAST + 1)        # A tool, B billing, C cost, D share, E in period, F counted
AD_ROWS = range(T.A_FIRST, T.A_LAST + 1)          # A date, B channel, C campaign, D amount
PEOPLE_ROWS = range(T.H_FIRST, T.H_LAST + 1)      # A role, B rate, C hours, D cost
MATERIAL_ROWS = range(T.M_FIRST, T.M_LAST + 1)    # A item, B cost, C share, D counted
AGENCY_ROWS = range(T.G_FIRST, T.G_LAST + 1)      # A agency, B channel, C invoice, D includes ads, E ads inside, F deducted, G counted, H warning
ALLOCATION_ROWS = range(T.R_FIRST, T.R_LAST + 1)  # A channel, B ad spend, C agency, ..., G channel investment
# (category, defined name, total cell, rows, the input column that says a row is filled, cost column)
COST_CATEGORIES = (
    ("Tools", "ToolsCost", ref("costs", f"F{T.T_TOTAL}"), TOOL_ROWS, "C", "F"),
    ("Advertising", "AdsCost", ref("costs", f"D{T.A_TOTAL}"), AD_ROWS, "D", "D"),
    ("People", "PeopleCost", ref("costs", f"D{T.H_TOTAL}"), PEOPLE_ROWS, "C", "D"),
    ("Materials", "MaterialsCost", ref("costs", f"D{T.M_TOTAL}"), MATERIAL_ROWS, "B", "D"),
    ("Agencies (ad spend counted once)", "AgencyCost", ref("costs", f"G{T.G_TOTAL}"), AGENCY_ROWS, "C", "G"),
)
ALLOCATION_RULE = ref("costs", f"B{T.R_RULE}")
COST_CHECKS = ((ref("costs", f"A{T.R_CHECK}"), ref("costs", f"G{T.R_CHECK}")),
               (ref("costs", f"A{T.R_MANUAL_CHECK}"), ref("costs", f"G{T.R_MANUAL_CHECK}")))

# -- Step 3 performance: totals by channel (this and previous period), and the organic/paid rows
METRIC_COLUMN = dict(T.MCOL)  # metric -> column letter


def perf_total(channel_index: int, metric: str, previous: bool = False) -> str:
    first = T.PPT_FIRST if previous else T.PT_FIRST
    return ref("perf", f"{METRIC_COLUMN[metric]}{first + channel_index}")


def perf_all(metric: str, previous: bool = False, which: str = "all") -> str:
    rows = {"all": (T.PT_ALL, T.PPT_ALL), "organic": (T.PT_ORGANIC, T.PPT_ORGANIC), "paid": (T.PT_PAID, T.PPT_PAID)}[which]
    return ref("perf", f"{METRIC_COLUMN[metric]}{rows[1] if previous else rows[0]}")


def perf_row(channel_index: int, paid: bool, metric: str, previous: bool = False) -> str:
    first = T.PP_FIRST if previous else T.P_FIRST
    return ref("perf", f"{METRIC_COLUMN[metric]}{first + 2 * channel_index + (1 if paid else 0)}")


PERF_INPUTS = {"this": ref("perf", f"C{T.P_FIRST}:L{T.P_LAST}"), "previous": ref("perf", f"C{T.PP_FIRST}:L{T.PP_LAST}")}

# -- Step 4 goal values ------------------------------------------------------------------------
VALUE_ROWS = range(T.V_FIRST, T.V_LAST + 1)  # A goal, B counted from, C rate, D value, F include, G count, H value, I counted
RETURN_CHECK = (ref("values", f"A{T.VC_CHECK}"), ref("values", f"H{T.VC_CHECK}"))

# -- Step 5 ROI --------------------------------------------------------------------------------
COST_LINES_ROI = [ref("roi", f"B{T.O_TOOLS + i}") for i in range(5)]
TOTAL_INVESTMENT, TOTAL_RETURN, NET_RETURN, OVERALL_ROI = (ref("roi", f"B{r}") for r in (T.O_INVEST, T.O_RETURN, T.O_NET, T.O_ROI))
PREVIOUS_ROI, ROI_CHANGE_PP = ref("roi", f"B{T.O_PREV}"), ref("roi", f"B{T.O_CHANGE}")
CHANNEL_ROWS = range(T.OC_FIRST, T.OC_LAST + 1)  # A channel, B investment, C return, D net, E ROI, F share inv, G share ret
CHANNEL_TOTAL_ROW = T.OC_TOTAL
CHANNEL_CHECK = (ref("roi", f"A{T.OC_CHECK}"), ref("roi", f"E{T.OC_CHECK}"))

# -- Step 6 KPIs -------------------------------------------------------------------------------
KPI_ITEM_ROW = dict(T.KROW)          # item -> row of 6a (B this, C previous, D last year)
KPI_ROWS = range(T.K_FIRST, T.K_LAST + 1)  # A name, C better when, D this, E previous, F last year, G benchmark, H/I/J changes
KPI_NAMES = [k[0] for k in T.KPIS]
KPI_TARGET_ROW = T.K_TARGET
BENCHMARK_SOURCE_ROWS = range(T.B_FIRST, T.B_LAST + 1)  # B source, C benchmark

# Every rectangle the report reads (one engine read each).
REGIONS = (
    ref("start", f"A14:C{_CHECKS_ROW + 3}"),
    ref("goals", f"A{T.GL_FIRST}:L{T.GL_LAST}"),
    ref("costs", f"A{T.T_FIRST}:H{T.R_MANUAL_CHECK}"),
    ref("perf", f"A{T.P_FIRST}:L{T.PPT_ALL}"),
    ref("values", f"A{T.V_FIRST}:I{T.V_LTV}"),
    ref("roi", f"A{T.O_TOOLS}:G{T.OC_CHECK}"),
    ref("kpis", f"A{T.K_IN_FIRST}:J{T.B_LAST}"),
)

# The formulas printed in the appendix: the headline results and how they are built.
HEADLINE_CELLS = (  # (label, cell, kind)
    ("Total investment", TOTAL_INVESTMENT, "money"), ("Total return", TOTAL_RETURN, "money"),
    ("Net return", NET_RETURN, "money"), ("Overall ROI", OVERALL_ROI, "percent"),
    ("Previous period ROI", PREVIOUS_ROI, "percent"),
    ("Tools", COST_CATEGORIES[0][2], "money"), ("Advertising", COST_CATEGORIES[1][2], "money"),
    ("People", COST_CATEGORIES[2][2], "money"), ("Materials", COST_CATEGORIES[3][2], "money"),
    ("Agencies", COST_CATEGORIES[4][2], "money"),
    ("Goal value (first goal)", ref("values", f"H{T.V_FIRST}"), "money"),
    ("Return counted (total)", ref("values", f"I{T.V_TOTAL}"), "money"),
    ("Channel investment (first channel)", ref("costs", f"G{T.R_FIRST}"), "money"),
    ("Cost per lead", ref("kpis", f"D{T.K_CPL}"), "money2"),
)
