"""The Excel-semantics table, row by row, through the Python functions and both engines.

Each row is one documented rule: the same formula text is evaluated by the library (with the
equivalent Python arguments), by the fast engine (IronCalc + LAMBDA) and by the reference
engine (formulas + the Python functions). The README's "Excel semantics" table lists exactly
these rows (``test_readme_table_lists_every_rule``).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from xlroi import FUNCTIONS, ExcelError as E

ROOT = Path(__file__).resolve().parent.parent
EMPTY = None  # an empty cell (Z99 is never filled)

# (rule, formula, python call (name, args), expected)
RULES = [
    # the method's worked examples
    ("ROI of the method's step 5: 176.9 %", "ROI(180000,65000)", ("ROI", (180000, 65000)), 115000 / 65000),
    ("HR_COST: rate × hours per person", "HR_COST({50;40},{10;20})", ("HR_COST", ([[50], [40]], [[10], [20]])), 1300.0),
    ("GOAL_VALUE: 12,000 subscribers × 1 in 10 × $150", "GOAL_VALUE(12000,1/10,150)", ("GOAL_VALUE", (12000, 0.1, 150)), 180000.0),
    ("GOAL_VALUE: a booking, 75 % × $300", "GOAL_VALUE(1,75%,300)", ("GOAL_VALUE", (1, 0.75, 300)), 225.0),
    ("PRORATE: a quarter of a $1,200 tool", "PRORATE(1200,25%,1)", ("PRORATE", (1200, 0.25, 1)), 300.0),
    ("PRORATE: 3 months of a $60,000 salary", "PRORATE(60000,3,12)", ("PRORATE", (60000, 3, 12)), 15000.0),
    # coercion, as in =A1*B1
    ("an empty cell is 0", "PRORATE(1200,Z99,1)", ("PRORATE", (1200, EMPTY, 1)), 0.0),
    ("TRUE is 1", "PRORATE(1200,TRUE,1)", ("PRORATE", (1200, True, 1)), 1200.0),
    ("FALSE is 0", "GOAL_VALUE(100,FALSE,5)", ("GOAL_VALUE", (100, False, 5)), 0.0),
    ("numeric text is its number", 'ROI("180000"," 65000 ")', ("ROI", ("180000", " 65000 ")), 115000 / 65000),
    ("text with thousands separators and a percent", 'PRORATE("1,200","25%",1)', ("PRORATE", ("1,200", "25%", 1)), 300.0),
    ("other text is #VALUE!", 'ROI("lots",65000)', ("ROI", ("lots", 65000)), E.VALUE),
    ("empty text is #VALUE!", 'GOAL_VALUE("",1,1)', ("GOAL_VALUE", ("", 1, 1)), E.VALUE),
    ("text in an HR_COST range is #VALUE!, never a silent 0", 'HR_COST({50;40},{10;"2O"})', ("HR_COST", ([[50], [40]], [[10], ["2O"]])), E.VALUE),
    # errors propagate, the first argument first
    ("an error argument propagates", "ROI(NA(),10)", ("ROI", (E.NA, 10)), E.NA),
    ("the first failing argument wins", "ROI(NA(),1/0)", ("ROI", (E.NA, E.DIV0)), E.NA),
    ("text before an error: #VALUE!", 'ROI("x",NA())', ("ROI", ("x", E.NA)), E.VALUE),
    ("an error in an HR_COST range propagates", "HR_COST({50;40},{10;#N/A})", ("HR_COST", ([[50], [40]], [[10], [E.NA]])), E.NA),
    # division by zero
    ("ROI with no investment is #DIV/0!", "ROI(180000,0)", ("ROI", (180000, 0)), E.DIV0),
    ("PRORATE over a total of 0 is #DIV/0!", "PRORATE(1200,0,0)", ("PRORATE", (1200, 0, 0)), E.DIV0),
    # domain: #NUM!
    ("a negative investment is #NUM!", "ROI(180000,-65000)", ("ROI", (180000, -65000)), E.NUM),
    ("a negative return is a loss, not an error", "ROI(-1000,65000)", ("ROI", (-1000, 65000)), -66000 / 65000),
    ("a negative hour is #NUM!", "HR_COST({50;40},{10;-1})", ("HR_COST", ([[50], [40]], [[10], [-1]])), E.NUM),
    ("a negative hourly rate is #NUM!", "HR_COST(-50,10)", ("HR_COST", (-50, 10)), E.NUM),
    ("a negative action count is #NUM!", "GOAL_VALUE(-1,0.5,300)", ("GOAL_VALUE", (-1, 0.5, 300)), E.NUM),
    ("a negative conversion rate is #NUM!", "GOAL_VALUE(100,-0.1,300)", ("GOAL_VALUE", (100, -0.1, 300)), E.NUM),
    ("a conversion rate above 100 % is #NUM!", "GOAL_VALUE(100,1.5,300)", ("GOAL_VALUE", (100, 1.5, 300)), E.NUM),
    ("a negative used share is #NUM!", "PRORATE(1200,-1,12)", ("PRORATE", (1200, -1, 12)), E.NUM),
    ("a negative total is #NUM!", "PRORATE(1200,1,-12)", ("PRORATE", (1200, 1, -12)), E.NUM),
    ("used above total is #NUM!", "PRORATE(60000,13,12)", ("PRORATE", (60000, 13, 12)), E.NUM),
    # shapes
    ("HR_COST ranges of different shapes are #VALUE!", "HR_COST({50;40},{10,20})", ("HR_COST", ([[50], [40]], [[10, 20]])), E.VALUE),
    ("HR_COST of two numbers", "HR_COST(50,10)", ("HR_COST", (50, 10)), 500.0),
    ("HR_COST over a grid (people × weeks)", "HR_COST({50,50;40,40},{10,5;20,0})", ("HR_COST", ([[50, 50], [40, 40]], [[10, 5], [20, 0]])), 1550.0),
    ("ROI broadcasts over a range", "INDEX(ROI({130000;180000},65000),2)", ("ROI", ([[130000], [180000]], 65000)), [[1.0], [115000 / 65000]]),
    ("GOAL_VALUE broadcasts row against column", "INDEX(GOAL_VALUE({100,200},{0.5;0.25},10),2,2)", ("GOAL_VALUE", ([[100, 200]], [[0.5], [0.25]], 10)), [[500.0, 1000.0], [250.0, 500.0]]),
    ("PRORATE broadcasts: each error stays in its cell", "INDEX(PRORATE(1200,{1;13},12),2)", ("PRORATE", (1200, [[1], [13]], 12)), [[100.0], [E.NUM]]),
]
IDS = [r[0] for r in RULES]


@pytest.mark.parametrize("rule, formula, call, expected", RULES, ids=IDS)
def test_python_function(rule, formula, call, expected):
    name, args = call
    result = FUNCTIONS[name](*args)
    if isinstance(expected, float):
        assert result == pytest.approx(expected, rel=1e-15)
    else:
        assert result == expected


def _cell_expected(formula: str, expected):
    """The value of the cell ``=formula``: for INDEX(...) the picked element of the array."""
    if not formula.startswith("INDEX(") or not isinstance(expected, list):
        return expected
    m = re.search(r",(\d+),(\d+)\)$", formula) or re.search(r",(\d+)\)$", formula)
    row = int(m.group(1)) - 1
    col = int(m.group(2)) - 1 if m.lastindex == 2 else 0
    return expected[row][col]


@pytest.fixture(scope="module")
def rules_workbook(tmp_path_factory):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Rules"
    for i, (_, formula, _, _) in enumerate(RULES, start=1):
        ws.cell(i, 1, "=" + formula)
    path = tmp_path_factory.mktemp("rules") / "rules.xlsx"
    wb.save(path)
    return path


@pytest.fixture(scope="module", params=["fast", "formulas"])
def engine_book(request, rules_workbook):
    import xlroi

    return xlroi.open(rules_workbook, engine=request.param)


@pytest.mark.parametrize("row, rule", list(enumerate(RULES, start=1)), ids=IDS)
def test_engine(engine_book, row, rule):
    _, formula, _, expected = rule
    value = engine_book[f"Rules!A{row}"]
    expected = _cell_expected(formula, expected)
    if isinstance(expected, float):
        assert value == pytest.approx(expected, rel=1e-15), formula
    else:
        assert value == expected, formula


def test_readme_table_lists_every_rule():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- semantics:start -->")[1].split("<!-- semantics:end -->")[0]
    rows = [line.split("|")[1:-1] for line in block.strip().splitlines()[2:]]
    documented = [(cells[0].strip(), cells[1].strip().strip("`").lstrip("=")) for cells in rows]
    assert documented == [(rule, formula) for rule, formula, _, _ in RULES]


def readme_semantics_table() -> str:
    """The README's table, generated from RULES (python -c 'from tests.test_semantics import ...')."""
    def show(value):
        if isinstance(value, E):
            return f"`{value}`"
        if isinstance(value, list):
            return " ".join("{" + ";".join(",".join(str(show(v)).strip("`") for v in row) for row in value) + "}")
        return f"{value:.6g}"

    lines = ["| rule | formula | result |", "|---|---|---|"]
    lines += [f"| {rule} | `={formula}` | {show(_cell_expected(formula, expected))} |" for rule, formula, _, expected in RULES]
    return "\n".join(lines)
