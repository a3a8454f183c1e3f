"""The UDF module (xlroi.excel) against the library: the same result for every input xlwings hands over.

Each case is given as the library's own arguments. ``as_xlwings`` turns them into what xlwings
passes for an argument declared ``ndim=2, err_to_str=True`` (a list of rows; an error cell as
its text, see xlwings' ``_clean_value_data_element``); ``as_lite_natural`` into what xlwings
passes without ``ndim`` (a scalar, a flat list for a one-column range). The UDF's result is
read back through the error marker (an error's text → the error) and must equal the library's.
"""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlroi import excel
from xlroi.errors import ExcelError as E
from xlroi.functions import FUNCTIONS


def _cell(value):
    return value.value if isinstance(value, E) else value


def as_xlwings(value):
    if isinstance(value, list):
        rows = value if value and all(isinstance(r, list) for r in value) else [[v] for v in value]
        return [[_cell(v) for v in row] for row in rows]
    return [[_cell(value)]]


def as_lite_natural(value):
    if isinstance(value, list):
        return [as_lite_natural(v) for v in value]
    return _cell(value)


def from_udf(result):
    """A UDF result as the cell sees it: marker texts become errors, a 1×1 array its value."""
    if isinstance(result, list):
        grid = [[from_udf(v) for v in row] for row in result]
        return grid[0][0] if len(grid) == 1 and len(grid[0]) == 1 else grid
    return E(result) if isinstance(result, str) else result


def library(name, args):
    return from_udf(excel.to_xlwings(FUNCTIONS[name](*args)))  # only the 1×1 → value step


def udf(name, args, form=as_xlwings):
    return from_udf(getattr(excel, name)(*(form(a) for a in args)))


# (function, args, error-table condition the case exercises or None, expected result or None)
CASES = [
    # ROI — docs/method.md step 5: (180000 − 65000) / 65000 = 1.769… (176.9 %)
    ("ROI", (180000, 65000), None, 115000 / 65000),
    ("ROI", ("$180,000", "65,000"), None, 115000 / 65000),
    ("ROI", (E.NA, 65000), "an argument is an error", E.NA),
    ("ROI", (E.REF, E.DIV0), "an argument is an error", E.REF),  # the first, left to right
    ("ROI", (180000, E.DIV0), "an argument is an error", E.DIV0),
    ("ROI", ("lots", 65000), "an argument is text that is not a number", E.VALUE),
    ("ROI", (180000, -1), "investment < 0", E.NUM),
    ("ROI", (180000, 0), "investment = 0", E.DIV0),
    ("ROI", (180000, None), "investment = 0", E.DIV0),  # an empty cell is 0
    ("ROI", (True, 1.0), None, 0.0),
    ("ROI", ([180000, 130000], 65000), None, [[115000 / 65000], [1.0]]),
    ("ROI", ([[180000, 130000]], [[65000], [130000]]), None, None),  # row × column broadcast
    ("ROI", ([[1, 2], [3, None]], [[1, 0], [-1, "x"]]), None, [[0.0, E.DIV0], [E.NUM, E.VALUE]]),
    ("ROI", ([1, 2, 3], [1, 2]), None, [[0.0], [0.0], [E.NA]]),  # outside the smaller range
    # HR_COST — docs/method.md step 2: 50×10 + 40×20 = 1300
    ("HR_COST", ([50, 40], [10, 20]), None, 1300.0),
    ("HR_COST", ([[50, 40]], [[10, 20]]), None, 1300.0),
    ("HR_COST", (50, 10), None, 500.0),
    ("HR_COST", ([50, None], [10, 20]), None, 500.0),
    ("HR_COST", ([50, 40], [10]), "the two ranges differ in shape", E.VALUE),
    ("HR_COST", ([[50, 40]], [50, 40]), "the two ranges differ in shape", E.VALUE),  # row vs column
    ("HR_COST", ([50, E.NA], [10, E.DIV0]), "a cell is an error (rates first, row by row, then hours)", E.NA),
    ("HR_COST", ([50, 40], [E.REF, 20]), "a cell is an error (rates first, row by row, then hours)", E.REF),
    ("HR_COST", ([50, "forty"], [10, 20]), "a cell is text that is not a number", E.VALUE),
    ("HR_COST", ([50, -40], [10, 20]), "a rate or an hour count < 0", E.NUM),
    ("HR_COST", ([50, 40], [10, -20]), "a rate or an hour count < 0", E.NUM),
    # GOAL_VALUE — docs/method.md step 4: 12000 × 1/10 × 150 = 180000; 1 × 75% × 300 = 225
    ("GOAL_VALUE", (12000, 1 / 10, 150), None, 180000.0),
    ("GOAL_VALUE", (1, 0.75, 300), None, 225.0),
    ("GOAL_VALUE", (1, "75%", 300), None, 225.0),
    ("GOAL_VALUE", (12000, E.NA, 150), "an argument is an error", E.NA),
    ("GOAL_VALUE", (12000, 0.1, "much"), "an argument is text that is not a number", E.VALUE),
    ("GOAL_VALUE", (-1, 0.1, 150), "actions < 0", E.NUM),
    ("GOAL_VALUE", (12000, 1.5, 150), "conversion_rate < 0 or > 1", E.NUM),
    ("GOAL_VALUE", (12000, -0.1, 150), "conversion_rate < 0 or > 1", E.NUM),
    ("GOAL_VALUE", ([[12000, 1]], [[0.1, 0.75]], [[150, 300]]), None, [[180000.0, 225.0]]),
    # PRORATE — docs/method.md step 2: 1200 × 25% / 1 = 300; 60000 × 3 / 12 = 15000
    ("PRORATE", (1200, 0.25, 1), None, 300.0),
    ("PRORATE", (60000, 3, 12), None, 15000.0),
    ("PRORATE", (E.NULL, 3, 12), "an argument is an error", E.NULL),
    ("PRORATE", (60000, "three", 12), "an argument is text that is not a number", E.VALUE),
    ("PRORATE", (60000, -3, 12), "used < 0 or total < 0", E.NUM),
    ("PRORATE", (60000, 3, -12), "used < 0 or total < 0", E.NUM),
    ("PRORATE", (60000, 0, 0), "total = 0", E.DIV0),
    ("PRORATE", (60000, 13, 12), "used > total", E.NUM),
    ("PRORATE", ([1200, 60000], [0.25, 3], [1, 12]), None, [[300.0], [15000.0]]),
]


def _id(case):
    name, args, condition, _ = case
    shown = ",".join(str(a).replace(" ", "") for a in args)
    return f"{name}({shown})" + (f" [{condition}]" if condition else "")


@pytest.mark.parametrize("form", [as_xlwings, as_lite_natural], ids=["ndim=2", "natural"])
@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_udf_equals_library(case, form):
    name, args, _, expected = case
    assert udf(name, args, form) == library(name, args)
    if isinstance(expected, float):
        assert udf(name, args, form) == pytest.approx(expected, rel=1e-15)
    elif expected is not None:
        assert udf(name, args, form) == expected


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_row_of_the_error_table_has_a_case(name):
    covered = {condition for n, _, condition, _ in CASES if n == name and condition}
    assert covered == {condition for condition, _ in FUNCTIONS[name].errors}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_worked_example_of_the_method_is_a_case(name):
    for example in FUNCTIONS[name].examples:
        assert any(n == name and e == pytest.approx(example.result) for n, _, c, e in CASES if not c)


def test_errors_xlwings_has_no_text_for_arrive_as_com_codes():
    # #SPILL! (2045) arrives as its COM SCODE, 2045 - 2146828288
    assert udf("ROI", (2045 - 2146828288, 1), form=lambda v: [[v]]) is E.SPILL


def test_dates_count_as_their_serial_number():
    # 2024-01-01 is serial 45292 in Excel's 1900 date system
    assert udf("ROI", (dt.date(2024, 1, 1), 45292.0)) == 0.0
    assert udf("ROI", (dt.datetime(2024, 1, 1, 12), 45292.5)) == 0.0


finite = st.floats(-1e6, 1e6, allow_nan=False)
scalars = st.one_of(
    finite, st.integers(-1000, 1000), st.none(), st.booleans(), st.sampled_from(list(E)),
    st.sampled_from(["12", " 1,200 ", "$5", "50%", "1e3", "abc", "", "-"]),
    finite.map(str),
)


@st.composite
def values(draw):
    kind = draw(st.sampled_from(["scalar", "column", "grid"]))
    if kind == "scalar":
        return draw(scalars)
    rows, cols = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    if kind == "column":
        return draw(st.lists(scalars, min_size=rows, max_size=rows))
    return [draw(st.lists(scalars, min_size=cols, max_size=cols)) for _ in range(rows)]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(list(FUNCTIONS)), st.data())
def test_generated_inputs_agree_with_the_library(name, data):
    args = [data.draw(values(), label=a.name) for a in FUNCTIONS[name].arguments]
    expected = library(name, args)
    assert _same(udf(name, args), expected)
    assert _same(udf(name, args, as_lite_natural), expected)


def _same(a, b):  # == that also holds for NaN-free floats compared exactly
    return a == b and type(a) is type(b)
