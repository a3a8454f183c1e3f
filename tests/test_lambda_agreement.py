"""One source of truth, three forms: the Python function, its LAMBDA (the fast engine) and the
inline plain formula (the portable rewrite) must agree on generated inputs.

Inputs are written into real cells of an IronCalc model (numbers, numeric and other text,
booleans, errors, empty cells), so coercion is exercised the way a workbook exercises it.
"""
from __future__ import annotations

import os

import ironcalc
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from xlroi import FUNCTIONS, ExcelError
from xlroi.engines.base import error_or_not_evaluated
from xlroi.xlsx.refs import cell_name

NUMERIC_TEXT = ["12", " 65000 ", "1,200", "$1,200", "50%", "1e3", "-3.5", "0", ".25"]
OTHER_TEXT = ["abc", "", "1.2.3", "TRUE", "2O"]
ERRORS = [ExcelError.NA, ExcelError.DIV0, ExcelError.VALUE, ExcelError.NUM, ExcelError.REF]

numbers = st.one_of(
    st.integers(-1000, 200000).map(float),
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, 1.0, 0.25, 0.75, 1.5, -0.1, 12.0]),
)
cell_values = st.one_of(
    numbers, numbers, numbers,
    st.none(), st.booleans(),
    st.sampled_from(NUMERIC_TEXT), st.sampled_from(OTHER_TEXT), st.sampled_from(ERRORS),
)


def _put(model, row: int, col: int, value) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        model.update_cell_with_bool(0, row, col, value)
    elif isinstance(value, float):
        model.update_cell_with_number(0, row, col, value)
    elif isinstance(value, ExcelError):
        model.set_user_input(0, row, col, str(value))
    else:
        model.update_cell_with_text(0, row, col, value)


def _read(model, row: int, col: int):
    value = model.get_cell_value(0, row, col)
    if isinstance(value, str) and model.get_cell_type(0, row, col) == ironcalc.CellType.ErrorValue:
        return error_or_not_evaluated(value)
    return value


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-12, abs=1e-12)
    return a == b


def _evaluate_scalar_cases(name: str, cases: list[tuple]) -> None:
    spec = FUNCTIONS[name]
    model = ironcalc.create("agreement", "en", "UTC")
    model.new_defined_name(spec.name, None, spec.lambda_formula)
    arity = len(spec.arguments)
    for i, args in enumerate(cases, start=1):
        for j, value in enumerate(args, start=1):
            _put(model, i, j, value)
        refs = [cell_name(i, j) for j in range(1, arity + 1)]
        model.set_user_input(0, i, arity + 1, f"={spec.name}({','.join(refs)})")
        model.set_user_input(0, i, arity + 2, "=" + spec.inline_formula(refs))
    model.evaluate()
    for i, args in enumerate(cases, start=1):
        expected = spec(*args)
        via_lambda, via_inline = _read(model, i, arity + 1), _read(model, i, arity + 2)
        assert _same(via_lambda, expected), f"LAMBDA {spec.name}{args}: {via_lambda!r} != {expected!r}"
        assert _same(via_inline, expected), f"inline {spec.name}{args}: {via_inline!r} != {expected!r}"


SETTINGS = settings(max_examples=int(os.environ.get("XLROI_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(st.tuples(cell_values, cell_values), min_size=1, max_size=25))
def test_roi_agrees(cases):
    _evaluate_scalar_cases("ROI", cases)


@SETTINGS
@given(st.lists(st.tuples(cell_values, cell_values, cell_values), min_size=1, max_size=25))
def test_goal_value_agrees(cases):
    _evaluate_scalar_cases("GOAL_VALUE", cases)


@SETTINGS
@given(st.lists(st.tuples(cell_values, cell_values, cell_values), min_size=1, max_size=25))
def test_prorate_agrees(cases):
    _evaluate_scalar_cases("PRORATE", cases)


shapes = st.tuples(st.integers(1, 4), st.integers(1, 3))

# IronCalc's "<" takes numbers within 2.2e-16 of 0 for 0 and HR_COST's formula must compare
# ranges with "<" (see xlroi/functions/roi.py): a documented deviation, so HR_COST's numbers
# stay outside that sliver here.
hr_numbers = numbers.filter(lambda x: x == 0 or abs(x) > 1e-12)
hr_cell_values = st.one_of(
    hr_numbers, hr_numbers, hr_numbers,
    st.none(), st.booleans(),
    st.sampled_from(NUMERIC_TEXT), st.sampled_from(OTHER_TEXT), st.sampled_from(ERRORS),
)


@st.composite
def hr_cost_cases(draw):
    rate_shape = draw(shapes)
    hour_shape = rate_shape if draw(st.integers(0, 4)) else draw(shapes)  # mostly the same shape
    grid = lambda shape: [[draw(hr_cell_values) for _ in range(shape[1])] for _ in range(shape[0])]  # noqa: E731
    return grid(rate_shape), grid(hour_shape)


@SETTINGS
@given(hr_cost_cases())
def test_hr_cost_agrees(case):
    rates, hours = case
    spec = FUNCTIONS["HR_COST"]
    model = ironcalc.create("agreement", "en", "UTC")
    model.new_defined_name(spec.name, None, spec.lambda_formula)
    for i, row in enumerate(rates, start=1):
        for j, value in enumerate(row, start=1):
            _put(model, i, j, value)
    for i, row in enumerate(hours, start=1):
        for j, value in enumerate(row, start=1):
            _put(model, i, 5 + j, value)
    rate_ref = f"A1:{cell_name(len(rates), len(rates[0]))}"
    hour_ref = f"F1:{cell_name(len(hours), 5 + len(hours[0]))}"
    model.set_user_input(0, 10, 1, f"=HR_COST({rate_ref},{hour_ref})")
    model.set_user_input(0, 11, 1, "=" + spec.inline_formula([rate_ref, hour_ref]))
    model.evaluate()
    expected = spec(rates, hours)
    assert _same(_read(model, 10, 1), expected), (rates, hours)
    assert _same(_read(model, 11, 1), expected), (rates, hours)
