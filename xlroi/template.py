"""The six-step ROI template, built with openpyxl. This code is the source of truth.

The committed files in ``workbook_templates/`` are generated from it (``python -m xlroi.template``)
and a test proves they equal a fresh build, cell by cell. Layout (one sheet per step of the
method, see ``docs/method.md``)::

    Start                 settings (period, channels), key results, checks, legend
    Step 1 Goals          SMART goal register: targets, actual to date, forecast, status
    Step 2 Costs          tools (PRORATE), ad export, people (HR_COST), materials (PRORATE),
                          agencies (ad spend counted once), allocation to channels
    Step 3 Performance    per channel, organic and paid apart, this and the previous period
    Step 4 Goal values    value per goal (GOAL_VALUE), overall and per channel
    Step 5 ROI            ROI overall and per channel, with charts
    Step 6 KPIs           KPIs against the previous period, last year and benchmarks, charts

With the method's example: TotalInvestment = 65,000 (tools 6,000 + ads 24,000 + people
30,000 + agency 5,000), TotalReturn = 180,000 (12,000 subscribers x 1 in 10 x $150),
OverallROI = 1.769... (176.9 %).

Input cells share one fill (``INPUT_FILL``) and are the only unlocked cells; every input has a
data validation; every sheet is protected without a password.
"""
from __future__ import annotations

import datetime as _dt
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .errors import OutputError

SHEETS = {
    "start": "Start",
    "goals": "Step 1 Goals",
    "costs": "Step 2 Costs",
    "perf": "Step 3 Performance",
    "values": "Step 4 Goal values",
    "roi": "Step 5 ROI",
    "kpis": "Step 6 KPIs",
}
TITLES = {
    "goals": "Step 1 · Goals & metrics",
    "costs": "Step 2 · Costs",
    "perf": "Step 3 · Performance",
    "values": "Step 4 · Goal values",
    "roi": "Step 5 · ROI",
    "kpis": "Step 6 · KPIs",
}
CHANNELS = ("LinkedIn", "Instagram", "Facebook", "X", "YouTube", "Other")
ALL_CHANNELS = "All channels"
METRICS = ("Reach", "Impressions", "Engagements", "Clicks", "Subscribers", "Leads", "MQLs", "SQLs",
           "Customers", "Assisted conversions")
RULES = ("Ad spend", "Leads", "Equal", "Manual %")

# Colours: one fill for every input cell; formulas stay white.
INPUT_FILL_COLOR = "FFF2CC"
INPUT_FONT_COLOR = "1F4E79"
HEADER_FILL_COLOR = "D9E1F2"
RESULT_FILL_COLOR = "E2EFDA"
GOOD, WARN, BAD = "C6EFCE", "FFEB9C", "FFC7CE"
GOOD_FONT, WARN_FONT, BAD_FONT = "006100", "9C5700", "9C0006"

FONT = "Calibri"
MONEY = '"$"#,##0'
MONEY2 = '"$"#,##0.00'
PERCENT = "0.0%"
COUNT = "#,##0"
DATE = "d mmm yyyy"
RATIO = '0.00"x"'

EXAMPLE_NAME = "Example: B2B software, Q1 2024"


def _q(sheet_key: str) -> str:
    return "'" + SHEETS[sheet_key] + "'"


def _d(year: int, month: int, day: int) -> _dt.datetime:
    return _dt.datetime(year, month, day)


@dataclass
class _Built:
    workbook: object
    example_inputs: dict[str, object] = field(default_factory=dict)  # "'Sheet'!B4" -> example value
    input_cells: list[str] = field(default_factory=list)


class _Builder:
    """Writes cells with one consistent look: inputs, formulas, labels, headers, totals."""

    def __init__(self, example: bool):
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

        self.example = example
        self.wb = Workbook()
        self.ws_by_key = {}
        first = self.wb.active
        for i, (key, name) in enumerate(SHEETS.items()):
            ws = first if i == 0 else self.wb.create_sheet()
            ws.title = name
            self.ws_by_key[key] = ws
        self.built = _Built(self.wb)
        self.validations: dict[tuple[str, str], object] = {}
        thin = Side(style="thin", color="BFBFBF")
        self.s = {
            "input_fill": PatternFill("solid", fgColor=INPUT_FILL_COLOR),
            "input_font": Font(name=FONT, size=11, color=INPUT_FONT_COLOR),
            "box": Border(left=thin, right=thin, top=thin, bottom=thin),
            "unlocked": Protection(locked=False),
            "header_fill": PatternFill("solid", fgColor=HEADER_FILL_COLOR),
            "result_fill": PatternFill("solid", fgColor=RESULT_FILL_COLOR),
            "bold": Font(name=FONT, size=11, bold=True),
            "title": Font(name=FONT, bold=True, size=16, color="1F3864"),
            "heading": Font(name=FONT, bold=True, size=12, color="1F3864"),
            "note": Font(name=FONT, size=11, italic=True, color="595959"),
            "link": Font(name=FONT, size=11, color="0563C1", underline="single"),
            "total_border": Border(top=Side(style="thin", color="000000")),
            "wrap": Alignment(wrap_text=True, vertical="top"),
            "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
        }

    # -- cells -------------------------------------------------------------------------------
    def ws(self, key: str):
        return self.ws_by_key[key]

    def input(self, key: str, ref: str, example, kind: str, fmt: str | None = None, always: bool = False):
        """An input cell: the input fill, unlocked, validated by ``kind``; the example value
        is written in the example variant (``always``: in both, e.g. the channel names)."""
        ws = self.ws(key)
        cell = ws[ref]
        if example is not None and (self.example or always):
            cell.value = example
        cell.fill = self.s["input_fill"]
        cell.font = self.s["input_font"]
        cell.border = self.s["box"]
        cell.protection = self.s["unlocked"]
        if fmt:
            cell.number_format = fmt
        self._validate(key, ref, kind)
        full = f"{_q(key)}!{ref}"
        self.built.input_cells.append(full)
        if example is not None and not always:
            self.built.example_inputs[full] = example
        return cell

    def formula(self, key: str, ref: str, text: str, fmt: str | None = None, bold: bool = False, result: bool = False):
        cell = self.ws(key)[ref]
        cell.value = text if text.startswith("=") else "=" + text
        if fmt:
            cell.number_format = fmt
        if bold:
            cell.font = self.s["bold"]
        if result:
            cell.fill = self.s["result_fill"]
            cell.font = self.s["bold"]
        return cell

    def label(self, key: str, ref: str, text: str, style: str | None = None, fmt: str | None = None):
        cell = self.ws(key)[ref]
        cell.value = text
        if style:
            cell.font = self.s[style]
        if fmt:
            cell.number_format = fmt
        return cell

    def headers(self, key: str, row: int, first_col: int, titles) -> None:
        from openpyxl.utils import get_column_letter

        ws = self.ws(key)
        for i, title in enumerate(titles):
            cell = ws[f"{get_column_letter(first_col + i)}{row}"]
            cell.value = title
            cell.font = self.s["bold"]
            cell.fill = self.s["header_fill"]
            cell.alignment = self.s["center"]
            cell.border = self.s["box"]
        ws.row_dimensions[row].height = 30

    def total_row(self, key: str, row: int, first_col: int, last_col: int) -> None:
        from openpyxl.utils import get_column_letter

        ws = self.ws(key)
        for col in range(first_col, last_col + 1):
            cell = ws[f"{get_column_letter(col)}{row}"]
            cell.border = self.s["total_border"]
            cell.font = self.s["bold"]

    def link(self, key: str, ref: str, text: str, target_key: str, target_ref: str = "A1") -> None:
        from openpyxl.worksheet.hyperlink import Hyperlink

        cell = self.label(key, ref, text, "link")
        cell.hyperlink = Hyperlink(ref=ref, location=f"{_q(target_key)}!{target_ref}", display=text)

    def name(self, name: str, key: str, ref: str) -> None:
        from openpyxl.workbook.defined_name import DefinedName

        absolute = ":".join("$" + "".join(c for c in part if c.isalpha()) + "$" + "".join(c for c in part if c.isdigit())
                            for part in ref.split(":"))
        self.wb.defined_names[name] = DefinedName(name, attr_text=f"{_q(key)}!{absolute}")

    def widths(self, key: str, widths: dict[str, float]) -> None:
        ws = self.ws(key)
        for col, width in widths.items():
            ws.column_dimensions[col].width = width

    def page(self, key: str, area: str, freeze: str | None, landscape: bool = True) -> None:
        ws = self.ws(key)
        ws.print_area = area
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 1
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.5
        ws.print_options.horizontalCentered = True
        if freeze:
            ws.freeze_panes = freeze
        ws.protection.sheet = True  # no password: Review > Unprotect Sheet
        ws.sheet_view.zoomScale = 90

    def intro(self, key: str, lines: list[str], prev_key: str | None, next_key: str | None) -> None:
        self.label(key, "A1", TITLES.get(key, "xlroi · social-media ROI template"), "title")
        for i, line in enumerate(lines):
            self.label(key, f"A{2 + i}", line, "note")
        if prev_key:
            self.link(key, "A4", "◂ " + (TITLES.get(prev_key) or "Start"), prev_key)
        if next_key:
            self.link(key, "C4", "Next: " + TITLES[next_key] + " ▸", next_key)

    def heading(self, key: str, ref: str, text: str) -> None:
        self.label(key, ref, text, "heading")

    # -- validation ----------------------------------------------------------------------------
    _KINDS = {
        "amount": dict(type="decimal", operator="greaterThanOrEqual", formula1="0",
                       error="Enter an amount of 0 or more (no currency sign needed).", errorTitle="Amount"),
        "count": dict(type="decimal", operator="greaterThanOrEqual", formula1="0",
                      error="Enter a count of 0 or more.", errorTitle="Count"),
        "share": dict(type="decimal", operator="between", formula1="0", formula2="1",
                      error="Enter a share between 0% and 100% (e.g. 25%).", errorTitle="Share"),
        "date": dict(type="date", operator="between", formula1="DATE(2000,1,1)", formula2="DATE(2100,12,31)",
                     error="Enter a date (e.g. 2024-01-31).", errorTitle="Date"),
        "period_date": dict(type="date", operator="between", formula1="PeriodStart", formula2="PeriodEnd",
                            error="Enter a date inside the period set on the Start sheet.", errorTitle="Date in the period"),
        "text": dict(type="textLength", operator="lessThanOrEqual", formula1="255",
                     error="Keep it under 255 characters.", errorTitle="Text"),
        "channel": dict(type="list", formula1="Channels", error="Pick a channel from the list (set the list on the Start sheet).",
                        errorTitle="Channel"),
        "channel_or_all": dict(type="list", formula1="ChannelChoices",
                               error="Pick a channel or 'All channels'.", errorTitle="Channel"),
        "metric": dict(type="list", formula1="MetricNames", error="Pick a metric of step 3.", errorTitle="Metric"),
        "yes_no": dict(type="list", formula1='"Yes,No"', error="Pick Yes or No.", errorTitle="Yes or No"),
        "billing": dict(type="list", formula1='"Monthly,Annual"', error="Pick Monthly or Annual.", errorTitle="Billing"),
        "rule": dict(type="list", formula1='"' + ",".join(RULES) + '"', error="Pick a rule from the list.",
                     errorTitle="Allocation rule"),
    }

    def _validate(self, key: str, ref: str, kind: str) -> None:
        from openpyxl.worksheet.datavalidation import DataValidation

        if kind.startswith("custom:"):
            formula = kind[len("custom:"):]
            dv = DataValidation(type="custom", formula1=formula, allow_blank=True, showErrorMessage=True,
                                errorTitle="Check the value", error="This value does not fit: see the note next to it.")
            self.ws(key).add_data_validation(dv)
            dv.add(ref)
            return
        dv = self.validations.get((key, kind))
        if dv is None:
            spec = dict(self._KINDS[kind])
            dv = DataValidation(allow_blank=True, showErrorMessage=True, **spec)
            self.ws(key).add_data_validation(dv)
            self.validations[(key, kind)] = dv
        dv.add(ref)

    # -- conditional formats -------------------------------------------------------------------
    def colour_rule(self, key: str, area: str, formula: str, colour: str) -> None:
        from openpyxl.formatting.rule import FormulaRule
        from openpyxl.styles import Font, PatternFill

        fill, font = {GOOD: (GOOD, GOOD_FONT), WARN: (WARN, WARN_FONT), BAD: (BAD, BAD_FONT)}[colour]
        self.ws(key).conditional_formatting.add(
            area, FormulaRule(formula=[formula], fill=PatternFill("solid", fgColor=fill, bgColor=fill), font=Font(color=font)))


# ---------------------------------------------------------------------------------------------
# The sheets. Row numbers are constants so that sheets can refer to each other.

# Step 3 Performance
P_HEAD, P_FIRST = 7, 8            # this period: header row, first data row (12 rows: channel x type)
P_LAST = P_FIRST + 2 * len(CHANNELS) - 1
P_TOTAL = P_LAST + 1
PP_HEAD = P_TOTAL + 3             # previous period
PP_FIRST = PP_HEAD + 1
PP_LAST = PP_FIRST + 2 * len(CHANNELS) - 1
PP_TOTAL = PP_LAST + 1
PT_HEAD = PP_TOTAL + 3            # totals by channel, this period
PT_FIRST = PT_HEAD + 1            # channels, then Organic, Paid, All channels
PT_ORGANIC = PT_FIRST + len(CHANNELS)
PT_PAID, PT_ALL = PT_ORGANIC + 1, PT_ORGANIC + 2
PPT_HEAD = PT_ALL + 3             # totals by channel, previous period
PPT_FIRST = PPT_HEAD + 1
PPT_ORGANIC = PPT_FIRST + len(CHANNELS)
PPT_PAID, PPT_ALL = PPT_ORGANIC + 1, PPT_ORGANIC + 2
METRIC_COLS = [chr(ord("C") + i) for i in range(len(METRICS))]  # C..L
MCOL = dict(zip(METRICS, METRIC_COLS))

# Start
S_CHANNEL_FIRST = 21
S_CHANNEL_LAST = S_CHANNEL_FIRST + len(CHANNELS) - 1
S_ALL = S_CHANNEL_LAST + 1

# Step 2 Costs
T_FIRST, T_LAST = 8, 12           # tools
T_TOTAL = T_LAST + 1
A_HEAD = T_TOTAL + 3              # ad export
A_FIRST, A_LAST = A_HEAD + 1, A_HEAD + 20
A_TOTAL = A_LAST + 1
H_HEAD = A_TOTAL + 3              # people
H_FIRST, H_LAST = H_HEAD + 1, H_HEAD + 8
H_TOTAL = H_LAST + 1
M_HEAD = H_TOTAL + 3              # materials
M_FIRST, M_LAST = M_HEAD + 1, M_HEAD + 5
M_TOTAL = M_LAST + 1
G_HEAD = M_TOTAL + 3              # agencies
G_FIRST, G_LAST = G_HEAD + 1, G_HEAD + 5
G_TOTAL = G_LAST + 1
R_RULE = G_TOTAL + 3              # allocation
R_SHARED = R_RULE + 1
R_HEAD = R_SHARED + 2
R_FIRST = R_HEAD + 1
R_LAST = R_FIRST + len(CHANNELS) - 1
R_TOTAL = R_LAST + 1
R_INVEST = R_TOTAL + 1
R_CHECK = R_INVEST + 1
R_MANUAL_CHECK = R_CHECK + 1

# Step 4 Goal values
V_HEAD, V_FIRST, V_LAST = 6, 7, 12
V_TOTAL = V_LAST + 1
VC_HEAD = V_TOTAL + 3
VC_FIRST = VC_HEAD + 1
VC_LAST = VC_FIRST + (V_LAST - V_FIRST)
VC_TOTAL = VC_LAST + 1
VC_CHECK = VC_TOTAL + 1
V_LTV = VC_CHECK + 3

# Step 5 ROI
O_TOOLS = 7
O_INVEST = O_TOOLS + 5
O_RETURN, O_NET, O_ROI, O_EXPLAIN, O_PREV, O_CHANGE = O_INVEST + 1, O_INVEST + 2, O_INVEST + 3, O_INVEST + 4, O_INVEST + 5, O_INVEST + 6
OC_HEAD = O_CHANGE + 3
OC_FIRST = OC_HEAD + 1
OC_LAST = OC_FIRST + len(CHANNELS) - 1
OC_TOTAL = OC_LAST + 1
OC_CHECK = OC_TOTAL + 1
O_CHARTS = OC_CHECK + 2

# Step 6 KPIs
K_IN_HEAD = 7
K_ITEMS = ("Reach", "Impressions", "Engagements", "Clicks", "Paid clicks", "Leads", "Paid leads",
           "Customers", "Paid customers", "Total investment", "Ad spend", "Total return")
K_IN_FIRST = K_IN_HEAD + 1
KROW = {item: K_IN_FIRST + i for i, item in enumerate(K_ITEMS)}
K_IN_LAST = K_IN_FIRST + len(K_ITEMS) - 1
K_HEAD = K_IN_LAST + 3
K_FIRST = K_HEAD + 1
# name, definition, better when, formula over the inputs column {c} (and LTV)
KPIS = (
    ("ROI", "(return − investment) ÷ investment", "Higher",
     "IF({c}{inv}=0,\"\",ROI({c}{ret},{c}{inv}))", PERCENT),
    ("Engagement rate", "engagements ÷ reach", "Higher", "IF({c}{reach}=0,\"\",{c}{eng}/{c}{reach})", PERCENT),
    ("Click-through rate (CTR)", "clicks ÷ impressions", "Higher", "IF({c}{impr}=0,\"\",{c}{clicks}/{c}{impr})", PERCENT),
    ("Conversion rate", "leads ÷ clicks", "Higher", "IF({c}{clicks}=0,\"\",{c}{leads}/{c}{clicks})", PERCENT),
    ("Cost per click (CPC)", "ad spend ÷ paid clicks", "Lower", "IF({c}{pclicks}=0,\"\",{c}{ads}/{c}{pclicks})", MONEY2),
    ("Cost per acquisition (CPA)", "ad spend ÷ paid customers", "Lower", "IF({c}{pcust}=0,\"\",{c}{ads}/{c}{pcust})", MONEY2),
    ("Cost per lead", "total investment ÷ leads", "Lower", "IF({c}{leads}=0,\"\",{c}{inv}/{c}{leads})", MONEY2),
    ("Customer acquisition cost (CAC)", "total investment ÷ customers", "Lower", "IF({c}{cust}=0,\"\",{c}{inv}/{c}{cust})", MONEY2),
    ("LTV : CAC", "customer lifetime value ÷ CAC", "Higher",
     "IF(OR({c}{cust}=0,{c}{inv}=0),\"\",LTV/({c}{inv}/{c}{cust}))", RATIO),
    ("Return on ad spend (ROAS)", "total return ÷ ad spend", "Higher", "IF({c}{ads}=0,\"\",{c}{ret}/{c}{ads})", RATIO),
)
K_LAST = K_FIRST + len(KPIS) - 1
K_CPL = K_FIRST + [k[0] for k in KPIS].index("Cost per lead")
K_TARGET = K_LAST + 2
B_HEAD = K_TARGET + 3
B_FIRST = B_HEAD + 1
B_LAST = B_FIRST + len(KPIS) - 1
K_CHARTS = B_LAST + 2

# Step 1 Goals
GL_HEAD, GL_FIRST, GL_LAST = 6, 7, 14


# ---------------------------------------------------------------------------------------------
# Example data (the method's worked example; every number traceable).

EXAMPLE_TOOLS = (  # tool, billing, cost per billing period, share for social
    ("Social-media management (scheduling, inbox)", "Monthly", 1000, 1.0),     # 1,000 x 3 months = 3,000
    ("Analytics and reporting (shared with web team)", "Annual", 9600, 0.5),   # 9,600 x 3/12 x 50% = 1,200
    ("Design software (shared with sales)", "Monthly", 1200, 0.5),             # 1,200 x 3 x 50% = 1,800
)
EXAMPLE_ADS = (  # date, channel, campaign, amount spent  (sum 24,000)
    (_d(2024, 1, 31), "LinkedIn", "Lead gen: whitepaper", 5000),
    (_d(2024, 2, 29), "LinkedIn", "Lead gen: whitepaper", 5000),
    (_d(2024, 3, 31), "LinkedIn", "Retargeting (run by the agency)", 4000),
    (_d(2024, 1, 31), "Facebook", "Webinar sign-ups", 3000),
    (_d(2024, 2, 29), "Facebook", "Webinar sign-ups", 3000),
    (_d(2024, 3, 31), "Instagram", "Brand awareness", 4000),
)
EXAMPLE_PEOPLE = (  # role, hourly rate, hours  (HR_COST = 30,000)
    ("Social media manager", 50, 400),
    ("Designer", 40, 150),
    ("Copywriter (contractor)", 40, 100),
)
EXAMPLE_AGENCIES = (  # agency, channel, invoice, includes ad spend?, ad spend inside
    ("Paid-social agency (strategy + LinkedIn retargeting)", "LinkedIn", 9000, "Yes", 4000),
)
# Step 3, this period: channel -> (organic row, paid row), in METRICS order
EXAMPLE_PERFORMANCE = {
    "LinkedIn": ((60000, 150000, 4500, 2400, 2000, 120, 60, 25, 200, 80),
                 (120000, 400000, 6000, 5600, 4000, 300, 150, 60, 400, 120)),
    "Instagram": ((40000, 90000, 3600, 600, 500, 10, 4, 1, 50, 20),
                  (80000, 200000, 4000, 1600, 1500, 30, 12, 4, 150, 30)),
    "Facebook": ((30000, 60000, 1500, 600, 1000, 20, 8, 3, 100, 25),
                 (100000, 250000, 3000, 3200, 3000, 80, 30, 12, 300, 45)),
    "X": ((10000, 25000, 400, 100, 0, 0, 0, 0, 0, 0), None),
}
# previous period (Q4 2023): this period's figures x a factor per metric, rounded
EXAMPLE_PREVIOUS_FACTORS = (0.8, 0.85, 0.7, 0.75, 0.8, 0.75, 0.8, 0.8, 0.8, 0.7)
EXAMPLE_GOAL_VALUES = (  # goal, counted from, conversion rate, value per conversion, include?
    ("Newsletter subscriber (1 in 10 becomes a customer, lifetime value $150)", "Subscribers", 0.1, 150, "Yes"),
    ("Demo booking (75% go on to spend $300; tracked from next quarter)", None, 0.75, 300, "No"),
)
EXAMPLE_LTV = 150
EXAMPLE_GOALS = (  # goal, metric, channel, target qty, target cost per unit, start, end
    ("500 leads in three months at $2.75 per lead", "Leads", ALL_CHANNELS, 500, 2.75, _d(2024, 1, 1), _d(2024, 3, 31)),
    ("20,000 newsletter subscribers from social by 30 June 2024, under $6 each", "Subscribers", ALL_CHANNELS, 20000, 6,
     _d(2024, 1, 1), _d(2024, 6, 30)),
    ("100 sales-qualified leads from LinkedIn in Q1 at $400 each", "SQLs", "LinkedIn", 100, 400,
     _d(2024, 1, 1), _d(2024, 3, 31)),
)
EXAMPLE_OTHER_PERIODS = {  # item -> (previous period, same period last year); None = formula
    "Reach": (None, 300000), "Impressions": (None, 800000), "Engagements": (None, 15000), "Clicks": (None, 9000),
    "Paid clicks": (None, 7000), "Leads": (None, 400), "Paid leads": (None, 280), "Customers": (None, 800),
    "Paid customers": (None, 560), "Total investment": (60000, 55000), "Ad spend": (20000, 18000),
    "Total return": (140000, 120000),
}
EXAMPLE_BENCHMARKS = {  # KPI -> example value (placeholders: replace with a sourced figure)
    "ROI": 1.0, "Engagement rate": 0.05, "Click-through rate (CTR)": 0.01, "Conversion rate": 0.05,
    "Cost per click (CPC)": 3.0, "Cost per acquisition (CPA)": 40.0, "Cost per lead": 100.0,
    "Customer acquisition cost (CAC)": 60.0, "LTV : CAC": 3.0, "Return on ad spend (ROAS)": 4.0,
}
BENCHMARK_SOURCE = "Example figure: replace it, cite the source"


# ---------------------------------------------------------------------------------------------

def _start(b: _Builder) -> None:
    k = "start"
    b.label(k, "A1", "Social-media ROI: a six-step template", "title")
    b.label(k, "A2", "Measure the return on investment of B2B social-media marketing: "
                     "ROI = (return − investment) ÷ investment, shown as a percentage.", "note")
    b.label(k, "A3", "Yellow cells are the inputs. Fill the steps in order; every other cell is calculated.", "note")
    b.heading(k, "A5", "The six steps")
    steps = (
        ("goals", "Write SMART goals and pick the metrics that prove them."),
        ("costs", "Track every cost: tools, ads, people (rate × hours), materials, agencies."),
        ("perf", "Quantify performance per channel, organic and paid apart."),
        ("values", "Put a value on each goal: count × conversion rate × value per conversion."),
        ("roi", "Add up costs and value: ROI overall and per channel."),
        ("kpis", "Evaluate the KPIs against history and benchmarks."),
    )
    for i, (key, text) in enumerate(steps):
        b.link(k, f"A{6 + i}", TITLES[key], key)
        b.label(k, f"B{6 + i}", text)
    b.heading(k, "A13", "Settings")
    b.label(k, "A14", "Campaign or report")
    b.input(k, "B14", EXAMPLE_NAME, "text")
    b.label(k, "A15", "Period start")
    b.input(k, "B15", _d(2024, 1, 1), "date", DATE)
    b.label(k, "A16", "Period end")
    b.input(k, "B16", _d(2024, 3, 31), "custom:AND(ISNUMBER(B16),B16>=B15)", DATE)
    b.label(k, "C16", "on or after the start", "note")
    b.label(k, "A17", "Report date (data up to)")
    b.input(k, "B17", _d(2024, 3, 31), "custom:AND(ISNUMBER(B17),B17>=B15)", DATE)
    b.label(k, "C17", "used for the goals' forecast at the current pace", "note")
    b.label(k, "A18", "Months in the period")
    b.formula(k, "B18", "IF(OR(B15=\"\",B16=\"\"),0,(YEAR(B16)-YEAR(B15))*12+MONTH(B16)-MONTH(B15)+1)", COUNT)
    b.label(k, "C18", "whole calendar months, for monthly and annual tool fees", "note")
    for name, ref in (("PeriodStart", "B15"), ("PeriodEnd", "B16"), ("ReportDate", "B17"), ("PeriodMonths", "B18")):
        b.name(name, k, ref)
    b.heading(k, "A20", "Channels (used in every step: rename them here)")
    for i, channel in enumerate(CHANNELS):
        b.label(k, f"A{S_CHANNEL_FIRST + i}", f"Channel {i + 1}")
        b.input(k, f"B{S_CHANNEL_FIRST + i}", channel, "text", always=True)
    b.label(k, f"A{S_ALL}", "Every channel together")
    b.label(k, f"B{S_ALL}", ALL_CHANNELS)
    b.name("Channels", k, f"B{S_CHANNEL_FIRST}:B{S_CHANNEL_LAST}")
    b.name("ChannelChoices", k, f"B{S_CHANNEL_FIRST}:B{S_ALL}")

    r = S_ALL + 2
    b.heading(k, f"A{r}", "Key results (from step 5)")
    rows = (("Total investment", "TotalInvestment", MONEY), ("Total return", "TotalReturn", MONEY),
            ("Net return", "NetReturn", MONEY), ("Overall ROI", "OverallROI", PERCENT))
    for i, (text, name, fmt) in enumerate(rows):
        b.label(k, f"A{r + 1 + i}", text)
        b.formula(k, f"B{r + 1 + i}", name, fmt, result=True)
    c = r + 6
    b.heading(k, f"A{c}", "Checks")
    checks = (
        ("Channels add up to the total investment", f"{_q('costs')}!G{R_CHECK}"),
        ("Manual allocation shares add up to 100%", f"{_q('costs')}!G{R_MANUAL_CHECK}"),
        ("Return by channel adds up to the total return", f"{_q('values')}!H{VC_CHECK}"),
        ("Agency invoices: ad spend counted once", f"IF(COUNTIF({_q('costs')}!F{G_FIRST}:F{G_LAST},\">0\")=0,\"OK\","
                                                    f"\"OK: ad spend inside agency invoices deducted (see step 2e)\")"),
    )
    for i, (text, formula) in enumerate(checks):
        b.label(k, f"A{c + 1 + i}", text)
        b.formula(k, f"B{c + 1 + i}", formula)
    b.colour_rule(k, f"B{c + 1}:B{c + len(checks)}", f'LEFT(B{c + 1},2)="OK"', GOOD)
    b.colour_rule(k, f"B{c + 1}:B{c + len(checks)}", f'AND(B{c + 1}<>"",LEFT(B{c + 1},2)<>"OK")', BAD)
    lg = c + len(checks) + 2
    b.heading(k, f"A{lg}", "Legend")
    cell = b.label(k, f"A{lg + 1}", "Input")
    cell.fill, cell.font, cell.border = b.s["input_fill"], b.s["input_font"], b.s["box"]
    b.label(k, f"B{lg + 1}", "Yellow: type here. These are the only cells you can change.")
    cell = b.label(k, f"A{lg + 2}", "Result")
    cell.fill, cell.font = b.s["result_fill"], b.s["bold"]
    b.label(k, f"B{lg + 2}", "Calculated. Sheets are protected without a password (Review ▸ Unprotect Sheet).")
    b.label(k, f"A{lg + 3}", "Functions: ROI, HR_COST, GOAL_VALUE and PRORATE come from the xlroi add-in; "
                             "the portable copy uses plain formulas instead.", "note")
    b.widths(k, {"A": 40, "B": 30, "C": 52})
    b.page(k, f"A1:C{lg + 3}", "A4", landscape=False)


def _goals(b: _Builder) -> None:
    k = "goals"
    b.intro(k, ["Goals come first (method step 1): awareness and leads for new brands; conversions, a new channel or cheaper "
                "leads for established ones.",
                "Write each goal SMART (specific, measurable, achievable, relevant, time-bound); the actual is read from step 3."],
            "start", "costs")
    b.headers(k, GL_HEAD, 1, ["Goal (SMART)", "Metric (step 3)", "Channel", "Target quantity", "Target cost per unit",
                             "Start date", "End date", "Actual to date", "Progress", "Forecast at current pace",
                             "Actual cost per unit", "Status"])
    perf = _q("perf")
    for i in range(GL_LAST - GL_FIRST + 1):
        r = GL_FIRST + i
        ex = EXAMPLE_GOALS[i] if i < len(EXAMPLE_GOALS) else (None,) * 7
        b.input(k, f"A{r}", ex[0], "text")
        b.input(k, f"B{r}", ex[1], "metric")
        b.input(k, f"C{r}", ex[2], "channel_or_all")
        b.input(k, f"D{r}", ex[3], "count", COUNT)
        b.input(k, f"E{r}", ex[4], "amount", MONEY2)
        b.input(k, f"F{r}", ex[5], "date", DATE)
        b.input(k, f"G{r}", ex[6], f"custom:AND(ISNUMBER(G{r}),G{r}>=F{r})", DATE)
        b.formula(k, f"H{r}", f'IF(OR(B{r}="",C{r}=""),"",INDEX({perf}!$C${PT_FIRST}:$L${PT_ALL},'
                              f'MATCH(C{r},{perf}!$A${PT_FIRST}:$A${PT_ALL},0),MATCH(B{r},MetricNames,0)))', COUNT)
        b.formula(k, f"I{r}", f'IF(OR(H{r}="",D{r}=0),"",H{r}/D{r})', PERCENT)
        b.formula(k, f"J{r}", f'IF(OR(H{r}="",F{r}="",G{r}=""),"",IF(ReportDate<F{r},"",'
                              f'H{r}*(G{r}-F{r}+1)/(MIN(ReportDate,G{r})-F{r}+1)))', COUNT)
        b.formula(k, f"K{r}", f'IF(OR(H{r}="",H{r}=0),"",IF(C{r}="{ALL_CHANNELS}",TotalInvestment,'
                              f'INDEX(ChannelInvestment,MATCH(C{r},Channels,0)))/H{r})', MONEY2)
        b.formula(k, f"L{r}", f'IF(OR(J{r}="",D{r}=0),"",IF(J{r}>=D{r},"On track",IF(J{r}>=0.8*D{r},"At risk","Off track")))')
    area = f"L{GL_FIRST}:L{GL_LAST}"
    b.colour_rule(k, area, f'L{GL_FIRST}="On track"', GOOD)
    b.colour_rule(k, area, f'L{GL_FIRST}="At risk"', WARN)
    b.colour_rule(k, area, f'L{GL_FIRST}="Off track"', BAD)
    b.colour_rule(k, f"K{GL_FIRST}:K{GL_LAST}", f'AND(ISNUMBER(K{GL_FIRST}),ISNUMBER(E{GL_FIRST}),E{GL_FIRST}>0,K{GL_FIRST}>E{GL_FIRST})', BAD)
    b.colour_rule(k, f"K{GL_FIRST}:K{GL_LAST}", f'AND(ISNUMBER(K{GL_FIRST}),ISNUMBER(E{GL_FIRST}),E{GL_FIRST}>0,K{GL_FIRST}<=E{GL_FIRST})', GOOD)
    b.name("GoalMetric", k, f"B{GL_FIRST}:B{GL_LAST}")
    b.name("GoalTargetCost", k, f"E{GL_FIRST}:E{GL_LAST}")
    n = GL_LAST + 2
    b.label(k, f"A{n}", "How it works: Actual to date = the metric's total for the channel in step 3 (this period). "
                        "Forecast = actual × goal days ÷ days elapsed up to the report date.", "note")
    b.label(k, f"A{n + 1}", "Status: On track when the forecast reaches the target, At risk from 80%, Off track below. "
                            "Actual cost per unit = the channel's investment (step 2) ÷ the actual.", "note")
    b.heading(k, f"A{n + 3}", "Which metrics prove which goal")
    for i, (goal, metrics) in enumerate((
        ("Awareness", "Reach, impressions, engagements (shares, comments), follower growth"),
        ("Lead generation", "Clicks, subscribers, leads, MQLs, SQLs; cost per lead"),
        ("Profitability", "Customers (conversions), customer acquisition cost (CAC), lifetime value (LTV)"),
    )):
        b.label(k, f"A{n + 4 + i}", goal, "bold")
        b.label(k, f"B{n + 4 + i}", metrics)
    b.widths(k, {"A": 64, "B": 14, "C": 13, "D": 11, "E": 11, "F": 12, "G": 12, "H": 11, "I": 10, "J": 12, "K": 11, "L": 11})
    b.page(k, f"A1:L{n + 6}", f"B{GL_FIRST}")


def _costs(b: _Builder) -> None:
    k = "costs"
    b.intro(k, ["Track every cost, or the ROI is a lie (method step 2). The period is the one on the Start sheet. "
                "Shared tools and equipment count only their share for social.",
                "Staff time is hourly rate × hours on the campaign (not a whole year's salary). Never count ad spend twice."],
            "goals", "perf")
    # 2a tools
    b.heading(k, "A6", "2a · Tools and software (share used for social → PRORATE)")
    b.headers(k, 7, 1, ["Tool", "Billing", "Cost per billing period", "Share used for social", "Cost in the period",
                       "Counted for social"])
    for i, r in enumerate(range(T_FIRST, T_LAST + 1)):
        ex = EXAMPLE_TOOLS[i] if i < len(EXAMPLE_TOOLS) else (None,) * 4
        b.input(k, f"A{r}", ex[0], "text")
        b.input(k, f"B{r}", ex[1], "billing")
        b.input(k, f"C{r}", ex[2], "amount", MONEY)
        b.input(k, f"D{r}", ex[3], "share", PERCENT)
        b.formula(k, f"E{r}", f'IF(B{r}="Monthly",C{r}*PeriodMonths,C{r}*PeriodMonths/12)', MONEY)
        b.formula(k, f"F{r}", f"PRORATE(E{r},D{r},1)", MONEY)
    b.label(k, f"A{T_TOTAL}", "Tools")
    b.formula(k, f"F{T_TOTAL}", f"SUM(F{T_FIRST}:F{T_LAST})", MONEY)
    b.total_row(k, T_TOTAL, 1, 6)
    b.name("ToolsCost", k, f"F{T_TOTAL}")
    # 2b ads
    b.heading(k, f"A{A_HEAD - 1}", "2b · Advertising spend (paste each platform's export for the period)")
    b.headers(k, A_HEAD, 1, ["Date", "Channel", "Campaign", "Amount spent"])
    for i, r in enumerate(range(A_FIRST, A_LAST + 1)):
        ex = EXAMPLE_ADS[i] if i < len(EXAMPLE_ADS) else (None,) * 4
        b.input(k, f"A{r}", ex[0], "period_date", DATE)
        b.input(k, f"B{r}", ex[1], "channel")
        b.input(k, f"C{r}", ex[2], "text")
        b.input(k, f"D{r}", ex[3], "amount", MONEY)
    b.label(k, f"A{A_TOTAL}", "Advertising")
    b.formula(k, f"D{A_TOTAL}", f"SUM(D{A_FIRST}:D{A_LAST})", MONEY)
    b.total_row(k, A_TOTAL, 1, 6)
    b.name("AdsCost", k, f"D{A_TOTAL}")
    b.name("AdChannel", k, f"B{A_FIRST}:B{A_LAST}")
    b.name("AdSpend", k, f"D{A_FIRST}:D{A_LAST}")
    # 2c people
    b.heading(k, f"A{H_HEAD - 1}", "2c · People (HR cost = hourly rate × hours → HR_COST)")
    b.headers(k, H_HEAD, 1, ["Person or role", "Hourly rate", "Hours on the campaign", "HR cost"])
    for i, r in enumerate(range(H_FIRST, H_LAST + 1)):
        ex = EXAMPLE_PEOPLE[i] if i < len(EXAMPLE_PEOPLE) else (None,) * 3
        b.input(k, f"A{r}", ex[0], "text")
        b.input(k, f"B{r}", ex[1], "amount", MONEY2)
        b.input(k, f"C{r}", ex[2], "count", COUNT)
        b.formula(k, f"D{r}", f"HR_COST(B{r},C{r})", MONEY)
    b.label(k, f"A{H_TOTAL}", "People")
    b.formula(k, f"D{H_TOTAL}", f"HR_COST(B{H_FIRST}:B{H_LAST},C{H_FIRST}:C{H_LAST})", MONEY)
    b.total_row(k, H_TOTAL, 1, 6)
    b.name("PeopleCost", k, f"D{H_TOTAL}")
    # 2d materials
    b.heading(k, f"A{M_HEAD - 1}", "2d · Materials and equipment (photo kit, props; split if shared → PRORATE)")
    b.headers(k, M_HEAD, 1, ["Item", "Cost", "Share used for social", "Counted for social"])
    for r in range(M_FIRST, M_LAST + 1):
        b.input(k, f"A{r}", None, "text")
        b.input(k, f"B{r}", None, "amount", MONEY)
        b.input(k, f"C{r}", None, "share", PERCENT)
        b.formula(k, f"D{r}", f"PRORATE(B{r},C{r},1)", MONEY)
    b.label(k, f"A{M_TOTAL}", "Materials")
    b.formula(k, f"D{M_TOTAL}", f"SUM(D{M_FIRST}:D{M_LAST})", MONEY)
    b.total_row(k, M_TOTAL, 1, 6)
    b.name("MaterialsCost", k, f"D{M_TOTAL}")
    # 2e agencies
    b.heading(k, f"A{G_HEAD - 1}", "2e · Agencies and strategists (all fees; ad spend inside an invoice is counted once)")
    b.headers(k, G_HEAD, 1, ["Agency", "Channel", "Invoice total", "Fee includes ad spend?", "Ad spend inside the invoice",
                            "Also in 2b (deducted)", "Counted", "Warning"])
    for i, r in enumerate(range(G_FIRST, G_LAST + 1)):
        ex = EXAMPLE_AGENCIES[i] if i < len(EXAMPLE_AGENCIES) else (None,) * 5
        b.input(k, f"A{r}", ex[0], "text")
        b.input(k, f"B{r}", ex[1], "channel_or_all")
        b.input(k, f"C{r}", ex[2], "amount", MONEY)
        b.input(k, f"D{r}", ex[3], "yes_no")
        b.input(k, f"E{r}", ex[4], f"custom:AND(ISNUMBER(E{r}),E{r}>=0,E{r}<=C{r})", MONEY)
        b.formula(k, f"F{r}", f'IF(D{r}="Yes",MIN(E{r},IF(B{r}="{ALL_CHANNELS}",AdsCost,SUMIFS(AdSpend,AdChannel,B{r}))),0)', MONEY)
        b.formula(k, f"G{r}", f"C{r}-F{r}", MONEY)
        b.formula(k, f"H{r}", f'IF(F{r}>0,"Ad spend also in 2b: counted once (deducted here)",'
                              f'IF(AND(D{r}="Yes",E{r}=0),"Say how much ad spend the invoice includes",""))')
    b.colour_rule(k, f"H{G_FIRST}:H{G_LAST}", f'H{G_FIRST}<>""', WARN)
    b.label(k, f"A{G_TOTAL}", "Agencies (counted)")
    b.formula(k, f"G{G_TOTAL}", f"SUM(G{G_FIRST}:G{G_LAST})", MONEY)
    b.total_row(k, G_TOTAL, 1, 8)
    b.name("AgencyCost", k, f"G{G_TOTAL}")
    # 2f allocation
    b.heading(k, f"A{R_RULE - 1}", "2f · Total investment, with shared costs allocated to channels")
    b.label(k, f"A{R_RULE}", "Allocation rule for shared costs")
    b.input(k, f"B{R_RULE}", "Ad spend", "rule", always=True)
    b.label(k, f"C{R_RULE}", "Ad spend or Leads: in proportion; Equal; Manual %: type the shares below (they must add up to 100%)", "note")
    b.name("AllocationRule", k, f"B{R_RULE}")
    b.label(k, f"A{R_SHARED}", "Shared costs to allocate (2a + 2c + 2d + shared 2e)")
    b.formula(k, f"B{R_SHARED}", f"ToolsCost+PeopleCost+MaterialsCost+AgencyCost-SUM(C{R_FIRST}:C{R_LAST})", MONEY)
    b.name("SharedCosts", k, f"B{R_SHARED}")
    b.headers(k, R_HEAD, 1, ["Channel", "Ad spend (2b)", "Agency for the channel (2e)", "Manual share",
                            "Share of shared costs", "Shared costs allocated", "Channel investment"])
    perf = _q("perf")
    leads = MCOL["Leads"]
    leads_range = f"{perf}!${leads}${PT_FIRST}:${leads}${PT_ORGANIC - 1}"
    for i, r in enumerate(range(R_FIRST, R_LAST + 1)):
        b.formula(k, f"A{r}", f"{_q('start')}!B{S_CHANNEL_FIRST + i}")
        b.formula(k, f"B{r}", f"SUMIFS(AdSpend,AdChannel,A{r})", MONEY)
        b.formula(k, f"C{r}", f"SUMIFS($G${G_FIRST}:$G${G_LAST},$B${G_FIRST}:$B${G_LAST},A{r})", MONEY)
        b.input(k, f"D{r}", None, "share", PERCENT)
        b.formula(k, f"E{r}", (
            f'IF(AllocationRule="Ad spend",IF(AdsCost=0,1/ROWS(Channels),B{r}/SUM($B${R_FIRST}:$B${R_LAST})),'
            f'IF(AllocationRule="Leads",IF(SUM({leads_range})=0,1/ROWS(Channels),{perf}!{leads}{PT_FIRST + i}/SUM({leads_range})),'
            f'IF(AllocationRule="Equal",1/ROWS(Channels),D{r})))'), PERCENT)
        b.formula(k, f"F{r}", f"SharedCosts*E{r}", MONEY)
        b.formula(k, f"G{r}", f"B{r}+C{r}+F{r}", MONEY)
    b.label(k, f"A{R_TOTAL}", "All channels")
    for col, fmt in (("B", MONEY), ("C", MONEY), ("D", PERCENT), ("E", PERCENT), ("F", MONEY), ("G", MONEY)):
        b.formula(k, f"{col}{R_TOTAL}", f"SUM({col}{R_FIRST}:{col}{R_LAST})", fmt)
    b.total_row(k, R_TOTAL, 1, 7)
    b.name("ChannelInvestment", k, f"G{R_FIRST}:G{R_LAST}")
    b.label(k, f"A{R_INVEST}", "Total investment (2a + 2b + 2c + 2d + 2e)", "bold")
    b.formula(k, f"G{R_INVEST}", "ToolsCost+AdsCost+PeopleCost+MaterialsCost+AgencyCost", MONEY, result=True)
    b.label(k, f"A{R_CHECK}", "Check: the channels add up to the total")
    b.formula(k, f"G{R_CHECK}", f'IF(ABS(G{R_TOTAL}-G{R_INVEST})<0.005,"OK","Off by "&ROUND(G{R_INVEST}-G{R_TOTAL},2)'
                                f'&": give every ad row a channel")')
    b.label(k, f"A{R_MANUAL_CHECK}", "Check: manual shares add up to 100% (rule Manual %)")
    b.formula(k, f"G{R_MANUAL_CHECK}", f'IF(AllocationRule<>"Manual %","OK",IF(ABS(D{R_TOTAL}-1)<0.00001,"OK",'
                                       f'"Manual shares add up to "&ROUND(D{R_TOTAL}*100,1)&"%, not 100%"))')
    checks = f"G{R_CHECK}:G{R_MANUAL_CHECK}"
    b.colour_rule(k, checks, f'G{R_CHECK}="OK"', GOOD)
    b.colour_rule(k, checks, f'G{R_CHECK}<>"OK"', BAD)
    b.widths(k, {"A": 50, "B": 15, "C": 30, "D": 14, "E": 15, "F": 15, "G": 15, "H": 48})
    b.page(k, f"A1:H{R_MANUAL_CHECK}", "A6", landscape=False)


def _performance(b: _Builder) -> None:
    k = "perf"
    b.intro(k, ["Per channel, from the platforms' analytics, Google Analytics goals and UTM-tagged links (method step 3). "
                "Keep organic and paid apart.",
                "Subscribers = e-mail or newsletter sign-ups. Assisted conversions = multi-touch conversions the channel helped."],
            "costs", "values")
    blocks = ((P_HEAD, P_FIRST, P_TOTAL, "This period (the period on the Start sheet)", True),
              (PP_HEAD, PP_FIRST, PP_TOTAL, "Previous period (the period just before, same length)", False))
    for head, first, total, title, this in blocks:
        b.heading(k, f"A{head - 1}", title)
        b.headers(k, head, 1, ["Channel", "Type", *METRICS])
        for i, channel in enumerate(CHANNELS):
            for j, kind in enumerate(("Organic", "Paid")):
                r = first + 2 * i + j
                b.formula(k, f"A{r}", f"{_q('start')}!$B${S_CHANNEL_FIRST + i}")
                b.label(k, f"B{r}", kind)
                ex = EXAMPLE_PERFORMANCE.get(channel)
                values = ex[j] if ex and ex[j] else None
                for m, col in enumerate(METRIC_COLS):
                    value = None
                    if values is not None:
                        value = values[m] if this else round(values[m] * EXAMPLE_PREVIOUS_FACTORS[m])
                    b.input(k, f"{col}{r}", value, "count", COUNT)
        b.label(k, f"A{total}", "Total")
        for col in METRIC_COLS:
            b.formula(k, f"{col}{total}", f"SUM({col}{first}:{col}{total - 1})", COUNT)
        b.total_row(k, total, 1, 2 + len(METRICS))
    b.name("MetricNames", k, f"C{P_HEAD}:L{P_HEAD}")
    sums = ((PT_HEAD, PT_FIRST, P_FIRST, P_LAST, "Totals by channel, organic + paid: this period (read by steps 1, 2, 4, 6)"),
            (PPT_HEAD, PPT_FIRST, PP_FIRST, PP_LAST, "Totals by channel, organic + paid: previous period (read by step 6)"))
    for head, first, src_first, src_last, title in sums:
        b.heading(k, f"A{head - 1}", title)
        b.headers(k, head, 1, ["Channel", "", *METRICS])
        for i in range(len(CHANNELS)):
            b.formula(k, f"A{first + i}", f"{_q('start')}!$B${S_CHANNEL_FIRST + i}")
        organic, paid, all_ = first + len(CHANNELS), first + len(CHANNELS) + 1, first + len(CHANNELS) + 2
        b.label(k, f"A{organic}", "Organic")
        b.label(k, f"A{paid}", "Paid")
        b.label(k, f"A{all_}", ALL_CHANNELS)
        for col in METRIC_COLS:
            rng = f"{col}${src_first}:{col}${src_last}"
            for i in range(len(CHANNELS)):
                b.formula(k, f"{col}{first + i}", f"SUMIFS({rng},$A${src_first}:$A${src_last},$A{first + i})", COUNT)
            b.formula(k, f"{col}{organic}", f'SUMIFS({rng},$B${src_first}:$B${src_last},"Organic")', COUNT)
            b.formula(k, f"{col}{paid}", f'SUMIFS({rng},$B${src_first}:$B${src_last},"Paid")', COUNT)
            b.formula(k, f"{col}{all_}", f"SUM({rng})", COUNT)
        b.total_row(k, all_, 1, 2 + len(METRICS))
    widths = {"A": 14, "B": 9}
    widths.update({col: 12 for col in METRIC_COLS})
    b.widths(k, widths)
    b.page(k, f"A1:L{PPT_ALL}", f"C{P_FIRST}", landscape=False)


def _goal_values(b: _Builder) -> None:
    k = "values"
    b.intro(k, ["What is each goal worth (method step 4)? From history: if 1 in 10 subscribers becomes a customer worth $150, "
                "12,000 subscribers are worth $180,000.",
                "Without history: competitors, benchmarks, an educated guess, or what you would pay per conversion. "
                "Value = count × conversion rate × value (GOAL_VALUE)."],
            "perf", "roi")
    b.heading(k, f"A{V_HEAD - 1}", "4a · What each goal is worth")
    b.headers(k, V_HEAD, 1, ["Goal (an action people take)", "Counted from (step 3)", "Conversion rate",
                            "Value per conversion", "Value per action", "Include in total return?", "Count this period",
                            "Goal value", "Counted in return"])
    perf = _q("perf")
    for i, r in enumerate(range(V_FIRST, V_LAST + 1)):
        ex = EXAMPLE_GOAL_VALUES[i] if i < len(EXAMPLE_GOAL_VALUES) else (None,) * 5
        b.input(k, f"A{r}", ex[0], "text")
        b.input(k, f"B{r}", ex[1], "metric")
        b.input(k, f"C{r}", ex[2], "share", PERCENT)
        b.input(k, f"D{r}", ex[3], "amount", MONEY2)
        b.formula(k, f"E{r}", f"GOAL_VALUE(1,C{r},D{r})", MONEY2)
        b.input(k, f"F{r}", ex[4], "yes_no")
        b.formula(k, f"G{r}", f'IF(B{r}="",0,INDEX({perf}!$C${PT_ALL}:$L${PT_ALL},MATCH(B{r},MetricNames,0)))', COUNT)
        b.formula(k, f"H{r}", f"GOAL_VALUE(G{r},C{r},D{r})", MONEY)
        b.formula(k, f"I{r}", f'IF(F{r}="Yes",H{r},0)', MONEY)
    b.label(k, f"A{V_TOTAL}", "Total return")
    b.formula(k, f"I{V_TOTAL}", f"SUM(I{V_FIRST}:I{V_LAST})", MONEY, result=True)
    b.total_row(k, V_TOTAL, 1, 8)
    b.label(k, f"A{V_TOTAL + 1}", "Include a goal only once: a lead that becomes a customer is counted either as a lead or as a customer.", "note")
    b.heading(k, f"A{VC_HEAD - 1}", "4b · Value by channel (the channel's count in step 3 × conversion rate × value)")
    b.headers(k, VC_HEAD, 1, ["Goal", *[""] * len(CHANNELS), "All channels"])
    for i in range(len(CHANNELS)):
        col = chr(ord("B") + i)
        b.formula(k, f"{col}{VC_HEAD}", f"{_q('start')}!$B${S_CHANNEL_FIRST + i}")
    for g, r in enumerate(range(VC_FIRST, VC_LAST + 1)):
        src = V_FIRST + g
        b.formula(k, f"A{r}", f'IF(A{src}="","",A{src})')
        for i in range(len(CHANNELS)):
            col = chr(ord("B") + i)
            count = f"INDEX({perf}!$C${PT_FIRST + i}:$L${PT_FIRST + i},MATCH($B{src},MetricNames,0))"
            b.formula(k, f"{col}{r}", f'IF(OR($F{src}<>"Yes",$B{src}=""),0,GOAL_VALUE({count},$C{src},$D{src}))', MONEY)
        b.formula(k, f"H{r}", f"SUM(B{r}:G{r})", MONEY)
    b.label(k, f"A{VC_TOTAL}", "Return by channel")
    for i in range(len(CHANNELS) + 1):
        col = chr(ord("B") + i)
        b.formula(k, f"{col}{VC_TOTAL}", f"SUM({col}{VC_FIRST}:{col}{VC_LAST})", MONEY)
    b.total_row(k, VC_TOTAL, 1, 8)
    b.name("ChannelReturn", k, f"B{VC_TOTAL}:G{VC_TOTAL}")
    b.label(k, f"A{VC_CHECK}", "Check: the channels add up to the total return")
    b.formula(k, f"H{VC_CHECK}", f'IF(ABS(H{VC_TOTAL}-I{V_TOTAL})<0.005,"OK","Off by "&ROUND(I{V_TOTAL}-H{VC_TOTAL},2))')
    b.colour_rule(k, f"H{VC_CHECK}", f'H{VC_CHECK}="OK"', GOOD)
    b.colour_rule(k, f"H{VC_CHECK}", f'H{VC_CHECK}<>"OK"', BAD)
    b.heading(k, f"A{V_LTV - 1}", "4c · Customer lifetime value (for LTV : CAC in step 6)")
    b.label(k, f"A{V_LTV}", "Average customer lifetime value (LTV)")
    b.input(k, f"B{V_LTV}", EXAMPLE_LTV, "amount", MONEY2)
    b.name("LTV", k, f"B{V_LTV}")
    b.widths(k, {"A": 62, "B": 14, "C": 12, "D": 12, "E": 12, "F": 12, "G": 12, "H": 13, "I": 13})
    b.page(k, f"A1:I{V_LTV}", f"A{V_FIRST}")


def _roi(b: _Builder) -> None:
    from openpyxl.chart import BarChart, Reference

    k = "roi"
    b.intro(k, ["ROI = (return − investment) × 100 ÷ investment (method step 5). The method's example: "
                "(180,000 − 65,000) × 100 ÷ 65,000 = 176.9 %.",
                "Compare channels (is LinkedIn better than Instagram?) and periods. Expect ROI to look low at first "
                "(tools, photography, animation)."],
            "values", "kpis")
    b.heading(k, f"A{O_TOOLS - 1}", "5a · Overall")
    costs = _q("costs")
    rows = (("Tools (2a)", "ToolsCost"), ("Advertising (2b)", "AdsCost"), ("People (2c)", "PeopleCost"),
            ("Materials (2d)", "MaterialsCost"), ("Agencies, ad spend counted once (2e)", "AgencyCost"))
    for i, (text, name) in enumerate(rows):
        b.label(k, f"A{O_TOOLS + i}", text)
        b.formula(k, f"B{O_TOOLS + i}", name, MONEY)
    b.label(k, f"A{O_INVEST}", "Total investment", "bold")
    b.formula(k, f"B{O_INVEST}", f"SUM(B{O_TOOLS}:B{O_INVEST - 1})", MONEY, result=True)
    b.label(k, f"A{O_RETURN}", "Total return (step 4)", "bold")
    b.formula(k, f"B{O_RETURN}", f"{_q('values')}!I{V_TOTAL}", MONEY, result=True)
    b.label(k, f"A{O_NET}", "Net return")
    b.formula(k, f"B{O_NET}", f"B{O_RETURN}-B{O_INVEST}", MONEY)
    b.label(k, f"A{O_ROI}", "Overall ROI", "bold")
    cell = b.formula(k, f"B{O_ROI}", f'IF(B{O_INVEST}=0,"",ROI(B{O_RETURN},B{O_INVEST}))', PERCENT, result=True)
    from openpyxl.styles import Font
    cell.font = Font(name=FONT, bold=True, size=14)
    b.label(k, f"A{O_EXPLAIN}", "ROI as a ratio: 1.769 shows as 176.9 % (the cell's percent format does the × 100).", "note")
    b.label(k, f"A{O_PREV}", "Previous period ROI (step 6a)")
    kin = _q("kpis")
    b.formula(k, f"B{O_PREV}", f'IF({kin}!C{KROW["Total investment"]}=0,"",ROI({kin}!C{KROW["Total return"]},'
                               f'{kin}!C{KROW["Total investment"]}))', PERCENT)
    b.label(k, f"A{O_CHANGE}", "Change in percentage points")
    b.formula(k, f"B{O_CHANGE}", f'IF(OR(B{O_ROI}="",B{O_PREV}=""),"",B{O_ROI}-B{O_PREV})', '+0.0%;-0.0%;0.0%')
    for name, ref in (("TotalInvestment", f"B{O_INVEST}"), ("TotalReturn", f"B{O_RETURN}"), ("NetReturn", f"B{O_NET}"),
                      ("OverallROI", f"B{O_ROI}")):
        b.name(name, k, ref)
    b.colour_rule(k, f"B{O_ROI}", f'AND(ISNUMBER(B{O_ROI}),B{O_ROI}>=0)', GOOD)
    b.colour_rule(k, f"B{O_ROI}", f'AND(ISNUMBER(B{O_ROI}),B{O_ROI}<0)', BAD)
    b.heading(k, f"A{OC_HEAD - 1}", "5b · ROI by channel")
    b.headers(k, OC_HEAD, 1, ["Channel", "Investment (2f)", "Return (4b)", "Net return", "ROI",
                             "Share of investment", "Share of return"])
    values = _q("values")
    for i, r in enumerate(range(OC_FIRST, OC_LAST + 1)):
        b.formula(k, f"A{r}", f"{_q('start')}!$B${S_CHANNEL_FIRST + i}")
        b.formula(k, f"B{r}", f"{costs}!G{R_FIRST + i}", MONEY)
        b.formula(k, f"C{r}", f"{values}!{chr(ord('B') + i)}{VC_TOTAL}", MONEY)
        b.formula(k, f"D{r}", f"C{r}-B{r}", MONEY)
        b.formula(k, f"E{r}", f'IF(B{r}=0,"",ROI(C{r},B{r}))', PERCENT)
        b.formula(k, f"F{r}", f'IF(B${OC_TOTAL}=0,"",B{r}/B${OC_TOTAL})', PERCENT)
        b.formula(k, f"G{r}", f'IF(C${OC_TOTAL}=0,"",C{r}/C${OC_TOTAL})', PERCENT)
    b.label(k, f"A{OC_TOTAL}", "All channels")
    for col in "BCD":
        b.formula(k, f"{col}{OC_TOTAL}", f"SUM({col}{OC_FIRST}:{col}{OC_LAST})", MONEY)
    b.formula(k, f"E{OC_TOTAL}", f'IF(B{OC_TOTAL}=0,"",ROI(C{OC_TOTAL},B{OC_TOTAL}))', PERCENT)
    b.total_row(k, OC_TOTAL, 1, 7)
    b.label(k, f"A{OC_CHECK}", "Check: channels add up to the totals")
    b.formula(k, f"E{OC_CHECK}", f'IF(AND(ABS(B{OC_TOTAL}-TotalInvestment)<0.005,ABS(C{OC_TOTAL}-TotalReturn)<0.005),"OK","Check steps 2f and 4b")')
    b.colour_rule(k, f"E{OC_FIRST}:E{OC_TOTAL}", f'AND(ISNUMBER(E{OC_FIRST}),E{OC_FIRST}>=0)', GOOD)
    b.colour_rule(k, f"E{OC_FIRST}:E{OC_TOTAL}", f'AND(ISNUMBER(E{OC_FIRST}),E{OC_FIRST}<0)', BAD)
    b.colour_rule(k, f"E{OC_CHECK}", f'E{OC_CHECK}="OK"', GOOD)
    b.colour_rule(k, f"E{OC_CHECK}", f'E{OC_CHECK}<>"OK"', BAD)

    cats = Reference(b.ws(k), min_col=1, min_row=OC_FIRST, max_row=OC_LAST)
    chart = BarChart()
    chart.type = "col"
    chart.title = "ROI by channel"
    chart.y_axis.title = "ROI"
    chart.y_axis.numFmt = "0%"
    chart.y_axis.majorGridlines = None
    chart.add_data(Reference(b.ws(k), min_col=5, min_row=OC_HEAD, max_row=OC_LAST), titles_from_data=True)
    chart.set_categories(cats)
    chart.legend = None
    chart.height, chart.width = 7.5, 11.5
    b.ws(k).add_chart(chart, f"A{O_CHARTS}")
    chart2 = BarChart()
    chart2.type = "col"
    chart2.title = "Investment and return by channel"
    chart2.y_axis.numFmt = '"$"#,##0'
    chart2.add_data(Reference(b.ws(k), min_col=2, max_col=3, min_row=OC_HEAD, max_row=OC_LAST), titles_from_data=True)
    chart2.set_categories(cats)
    chart2.legend.position = "b"
    chart2.height, chart2.width = 7.5, 13
    b.ws(k).add_chart(chart2, f"C{O_CHARTS}")
    b.widths(k, {"A": 40, "B": 16, "C": 16, "D": 16, "E": 14, "F": 14, "G": 14})
    b.page(k, f"A1:G{O_CHARTS + 16}", f"A{O_TOOLS - 1}", landscape=False)


def _kpis(b: _Builder) -> None:
    from openpyxl.chart import BarChart, Reference

    k = "kpis"
    b.intro(k, ["ROI is never the only measure (method step 6). Compare with your own history (allow for seasonality), "
                "competitors and industry benchmarks.",
                "Report monthly with visuals, highlight achievements, suggest improvements, and tie every result back to the goals."],
            "roi", None)
    b.heading(k, f"A{K_IN_HEAD - 1}", "6a · The numbers behind the KPIs (previous period counts come from step 3)")
    b.headers(k, K_IN_HEAD, 1, ["Item", "This period", "Previous period", "Same period last year", "Where it comes from"])
    perf = _q("perf")
    sources = {
        "Reach": ("Reach", "all"), "Impressions": ("Impressions", "all"), "Engagements": ("Engagements", "all"),
        "Clicks": ("Clicks", "all"), "Paid clicks": ("Clicks", "paid"), "Leads": ("Leads", "all"),
        "Paid leads": ("Leads", "paid"), "Customers": ("Customers", "all"), "Paid customers": ("Customers", "paid"),
    }
    money = {"Total investment": "TotalInvestment", "Ad spend": "AdsCost", "Total return": "TotalReturn"}
    for item in K_ITEMS:
        r = KROW[item]
        b.label(k, f"A{r}", item)
        prev_ex, last_year_ex = EXAMPLE_OTHER_PERIODS[item]
        fmt = MONEY if item in money else COUNT
        if item in sources:
            metric, which = sources[item]
            col = MCOL[metric]
            this_row, prev_row = (PT_ALL, PPT_ALL) if which == "all" else (PT_PAID, PPT_PAID)
            b.formula(k, f"B{r}", f"{perf}!{col}{this_row}", fmt)
            b.formula(k, f"C{r}", f"{perf}!{col}{prev_row}", fmt)
            b.label(k, f"E{r}", f"Step 3, {which if which == 'paid' else 'all'} rows", "note")
        else:
            b.formula(k, f"B{r}", money[item], fmt)
            b.input(k, f"C{r}", prev_ex, "amount", fmt)
            b.label(k, f"E{r}", "Steps 2, 4 / your previous report", "note")
        b.input(k, f"D{r}", last_year_ex, "amount" if item in money else "count", fmt)
    b.heading(k, f"A{K_HEAD - 1}", "6b · KPIs (definitions in column B; green = better, red = worse)")
    b.headers(k, K_HEAD, 1, ["KPI", "Definition", "Better when", "This period", "Previous period", "Same period last year",
                            "Benchmark (6c)", "vs previous", "vs last year", "vs benchmark"])
    refs = dict(inv=KROW["Total investment"], ret=KROW["Total return"], reach=KROW["Reach"], eng=KROW["Engagements"],
                impr=KROW["Impressions"], clicks=KROW["Clicks"], leads=KROW["Leads"], pclicks=KROW["Paid clicks"],
                ads=KROW["Ad spend"], pcust=KROW["Paid customers"], cust=KROW["Customers"])
    for i, (name, definition, better, template, fmt) in enumerate(KPIS):
        r = K_FIRST + i
        b.label(k, f"A{r}", name, "bold")
        b.label(k, f"B{r}", definition)
        b.label(k, f"C{r}", better)
        for out_col, in_col in (("D", "B"), ("E", "C"), ("F", "D")):
            b.formula(k, f"{out_col}{r}", template.format(c=in_col, **refs), fmt)
        b.formula(k, f"G{r}", f'IF(C{B_FIRST + i}="","",C{B_FIRST + i})', fmt)
        for out_col, other in (("H", "E"), ("I", "F"), ("J", "G")):
            b.formula(k, f"{out_col}{r}", f'IF(OR(D{r}="",{other}{r}="",{other}{r}=0),"",(D{r}-{other}{r})/ABS({other}{r}))',
                      "+0.0%;-0.0%;0.0%")
    area = f"H{K_FIRST}:J{K_LAST}"
    top = f"H{K_FIRST}"
    b.colour_rule(k, area, f'AND(ISNUMBER({top}),{top}<>0,({top}>0)=($C{K_FIRST}="Higher"))', GOOD)
    b.colour_rule(k, area, f'AND(ISNUMBER({top}),{top}<>0,({top}>0)<>($C{K_FIRST}="Higher"))', BAD)
    b.label(k, f"A{K_TARGET}", "Cost per lead vs goal target", "bold")
    b.label(k, f"B{K_TARGET}", "target: the first goal measured in leads", "note")
    b.formula(k, f"D{K_TARGET}", f'IF(D{K_CPL}="","",D{K_CPL})', MONEY2)
    b.formula(k, f"G{K_TARGET}", 'IFERROR(INDEX(GoalTargetCost,MATCH("Leads",GoalMetric,0)),"")', MONEY2)
    b.formula(k, f"J{K_TARGET}", f'IF(OR(D{K_TARGET}="",G{K_TARGET}="",G{K_TARGET}=0),"",(D{K_TARGET}-G{K_TARGET})/G{K_TARGET})',
              "+0.0%;-0.0%;0.0%")
    b.colour_rule(k, f"J{K_TARGET}", f'AND(ISNUMBER(J{K_TARGET}),J{K_TARGET}>0)', BAD)
    b.colour_rule(k, f"J{K_TARGET}", f'AND(ISNUMBER(J{K_TARGET}),J{K_TARGET}<=0)', GOOD)
    b.heading(k, f"A{B_HEAD - 1}", "6c · Benchmarks (edit: industry reports, competitors; write down the source)")
    b.headers(k, B_HEAD, 1, ["KPI", "Source of the benchmark", "Benchmark"])
    for i, (name, *_rest) in enumerate(KPIS):
        r = B_FIRST + i
        fmt = KPIS[i][4]
        b.formula(k, f"A{r}", f"A{K_FIRST + i}")
        b.input(k, f"B{r}", BENCHMARK_SOURCE, "text")
        b.input(k, f"C{r}", EXAMPLE_BENCHMARKS[name], "amount", fmt)

    ws = b.ws(k)
    chart = BarChart()
    chart.type = "bar"
    chart.title = "Change vs previous period"
    chart.y_axis.numFmt = "0%"
    chart.add_data(Reference(ws, min_col=8, min_row=K_HEAD, max_row=K_LAST), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=K_FIRST, max_row=K_LAST))
    chart.legend = None
    chart.x_axis.tickLblPos = "low"
    chart.x_axis.scaling.orientation = "maxMin"  # ROI at the top, as in the table
    chart.height, chart.width = 8, 13
    ws.add_chart(chart, f"A{K_CHARTS}")
    # rows K_FIRST+1 .. K_FIRST+3: engagement rate, CTR, conversion rate (skip ROI on row K_FIRST)
    chart2 = BarChart()
    chart2.type = "col"
    chart2.title = "Rates: this period, previous, last year"
    chart2.y_axis.numFmt = "0%"
    data = Reference(ws, min_col=4, max_col=6, min_row=K_FIRST + 1, max_row=K_FIRST + 3)
    chart2.add_data(data, titles_from_data=False)
    chart2.set_categories(Reference(ws, min_col=1, min_row=K_FIRST + 1, max_row=K_FIRST + 3))
    from openpyxl.chart.series import SeriesLabel
    for series, title_col in zip(chart2.series, "DEF"):
        series.tx = SeriesLabel(v=ws[f"{title_col}{K_HEAD}"].value)
    chart2.legend.position = "b"
    chart2.height, chart2.width = 8, 13
    ws.add_chart(chart2, f"E{K_CHARTS}")
    b.widths(k, {"A": 34, "B": 42, "C": 12, "D": 13, "E": 13, "F": 13, "G": 13, "H": 11, "I": 11, "J": 12})
    b.page(k, f"A1:J{K_CHARTS + 17}", f"B{K_IN_FIRST}")


def build(example: bool = True):
    """The template as an openpyxl ``Workbook`` (no cached values yet), with the example's
    inputs when ``example`` is true, else blank. Returns ``(workbook, example_inputs)``:
    ``example_inputs`` maps each filled input cell (``'Step 2 Costs'!C8``) to its example value."""
    b = _Builder(example)
    _start(b)
    _goals(b)
    _costs(b)
    _performance(b)
    _goal_values(b)
    _roi(b)
    _kpis(b)
    b.wb.active = 0
    props = b.wb.properties
    props.title = "Social-media ROI template (xlroi)"
    props.creator = "xlroi"
    props.created = props.modified = _dt.datetime(2024, 1, 1)
    return b.wb, b.built.example_inputs


def example_inputs(as_serials: bool = True) -> dict[str, object]:
    """Every input cell of the example and its value (dates as Excel serial numbers when
    ``as_serials``): set these on the blank template to get the example's results."""
    _, inputs = build(example=True)
    if not as_serials:
        return dict(inputs)
    return {ref: _serial(v) if isinstance(v, _dt.datetime) else v for ref, v in inputs.items()}


def _serial(moment: _dt.datetime) -> float:
    return float((moment - _dt.datetime(1899, 12, 30)).days)


def write_template(path: str | os.PathLike, blank: bool = False, portable: bool = False,
                   engine: str = "fast") -> Path:
    """Write a copy of the six-step ROI template to ``path`` and return the path.

    ``blank``: no example data (only the channel names and the allocation rule are filled).
    ``portable``: every call of ROI, HR_COST, GOAL_VALUE and PRORATE replaced by its plain-formula
    equivalent, for spreadsheets without the xlroi add-in (LibreOffice, Google Sheets).
    Every formula cell carries its cached value, computed by xlroi's ``engine``.

    Example: ``write_template("roi.xlsx")`` then open roi.xlsx in Excel.

    Raises :class:`xlroi.errors.OutputError` when ``path`` is a folder that does not exist or
    cannot be written.
    """
    from . import workbook as _workbook

    dest = Path(path)
    if dest.is_dir():
        dest = dest / ("xlroi-template-blank.xlsx" if blank else "xlroi-template.xlsx")
    if dest.suffix.lower() not in (".xlsx", ""):
        raise OutputError(f"{dest}: the template is an .xlsx workbook; give a path ending in .xlsx")
    if dest.suffix == "":
        dest = dest.with_suffix(".xlsx")
    if not dest.parent.is_dir():
        raise OutputError(f"{dest}: the folder {dest.parent} does not exist")
    wb, _ = build(example=not blank)
    with tempfile.TemporaryDirectory(prefix="xlroi-template-") as folder:
        raw = Path(folder) / "template.xlsx"
        wb.save(raw)
        _drop_empty_number_types(raw)
        if portable:
            from .portable import make_portable

            make_portable(raw, dest, engine=engine)
        else:
            _workbook.open(raw, engine=engine).save(dest)
    return dest


_EMPTY_NUMBER_CELL = re.compile(rb'<c ([^>]*?) t="n"(?: [^>]*)?></c>|<c ([^>]*?) t="n"(?: [^>]*)?/>')


def _drop_empty_number_types(path: Path) -> None:
    """openpyxl writes a styled empty cell as ``<c r="B10" s="5" t="n"></c>``; Excel writes
    ``<c r="B10" s="5"/>``. IronCalc reads the former as the number 0 (so ``B10=""`` is FALSE),
    so write the empty cells the way Excel does."""
    from .xlsx.package import read_package, write_atomically

    package = read_package(path)
    replaced = {}
    for sheet in package.sheets:
        xml = package.parts[sheet.part]
        new = _EMPTY_NUMBER_CELL.sub(lambda m: b"<c " + (m.group(1) or m.group(2)) + b"/>", xml)
        if new != xml:
            replaced[sheet.part] = new
    if replaced:
        write_atomically(path, package.to_bytes(replaced))


TEMPLATE_FILES = {  # file name -> (blank, portable)
    "xlroi-template.xlsx": (False, False),
    "xlroi-template-blank.xlsx": (True, False),
    "xlroi-template-portable.xlsx": (False, True),
}


def regenerate(folder: str | os.PathLike = "workbook_templates") -> list[Path]:
    """Write the committed template files into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [write_template(folder / name, blank=blank, portable=portable)
            for name, (blank, portable) in TEMPLATE_FILES.items()]


def main(argv: list[str] | None = None) -> int:
    import sys

    args = sys.argv[1:] if argv is None else argv
    folder = args[0] if args else str(Path(__file__).resolve().parent.parent / "workbook_templates")
    for written in regenerate(folder):
        print(written)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
