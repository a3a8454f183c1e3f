"""The ROI method's functions: ROI, HR_COST, GOAL_VALUE, PRORATE.

Each function is a short pure kernel on numbers; :func:`~.coercion.elementwise` adds Excel's
coercion, error propagation and broadcasting. Beside each kernel stands ``*_FORMULA``: the same
rules as a plain Excel formula over the argument names. It becomes the ``LAMBDA`` the fast
engine (IronCalc) evaluates and the plain formula the portable rewrite writes into workbooks;
``tests/test_lambda_agreement.py`` proves the two forms agree on generated inputs.

The formula forms coerce with ``--x`` (IronCalc coerces "1,200" or "50%" inside a range only
that way) and compare scalars through ``SIGN`` (IronCalc's ``=`` and ``<`` treat numbers within 2.2e-16 of
each other as equal; ``SIGN`` is exact, like Python). ``HR_COST`` compares its ranges with
``<`` because IronCalc applies implicit intersection to ``SIGN(range)`` in a formula loaded from a
file; so the fast engine takes a rate or hour count between -2.2e-16 and 0 for 0.

Errors propagate without ``ISERROR``: each formula's first condition evaluates the arguments
left to right (``x*0`` adds an argument's error, or 0), and an error in ``IF``'s condition is
``IF``'s result. Every function call inside a ``LAMBDA`` costs IronCalc memory that it keeps
until the workbook is closed (about 0.3 KB a call), so the forms use as few calls as they can.

Order of the checks (the same in every form): argument errors and uncoercible text, left to
right → that error; then ``#NUM!`` for a value outside its domain; then ``#DIV/0!``; then
the remaining ``#NUM!`` checks (``used`` above ``total``).
"""
from __future__ import annotations

from ..errors import ExcelError
from .coercion import Grid, Value, as_grid, elementwise, finite_or_num, first_error, shape, to_number

NUM, DIV0, VALUE = ExcelError.NUM, ExcelError.DIV0, ExcelError.VALUE


def _roi(return_: float, investment: float) -> float | ExcelError:
    if investment < 0:
        return NUM
    if investment == 0:
        return DIV0
    return (return_ - investment) / investment


ROI = elementwise(_roi)
ROI.__doc__ = """Return on investment as a ratio: (return − investment) / investment.

    =ROI(return, investment). Format the cell as 0.0% to read it as a percentage.
    Errors: #NUM! if investment < 0; #DIV/0! if investment = 0; an error argument propagates;
    non-numeric text → #VALUE!. Broadcasts over ranges.
    Example (the method's Step 5): ROI(180000, 65000) = 1.769… (176.9 %).
    """
ROI_FORMULA = (
    "IF(SIGN((--return_)*0+(--investment))<0,#NUM!,IF(SIGN(--investment)=0,#DIV/0!,"
    "((--return_)-(--investment))/(--investment)))"
)


def HR_COST(hourly_rates: Value, hours: Value) -> float | ExcelError:
    """Staff cost of a campaign: the sum of hourly rate × hours, one row per person.

    =HR_COST(hourly_rates, hours) with two numbers or two ranges of the same shape.
    Errors: #VALUE! if the ranges differ in shape or a cell holds non-numeric text;
    #NUM! if a rate or an hour count is negative; the first error in the rates (row by row),
    then in the hours, propagates.
    Example: HR_COST({50;40},{10;20}) = 50×10 + 40×20 = 1300.
    """
    rate_grid, hour_grid = as_grid(hourly_rates), as_grid(hours)
    if shape(rate_grid) != shape(hour_grid):
        return VALUE
    rates = [to_number(v) for row in rate_grid for v in row]
    hour_counts = [to_number(v) for row in hour_grid for v in row]
    error = first_error(rates) or first_error(hour_counts)
    if error is not None:
        return error
    if any(v < 0 for v in rates + hour_counts):
        return NUM
    return finite_or_num(float(sum(r * h for r, h in zip(rates, hour_counts))))


HR_COST_FORMULA = (
    "IF(OR(ROWS(hourly_rates)<>ROWS(hours),COLUMNS(hourly_rates)<>COLUMNS(hours)),#VALUE!,"
    "IF(SUMPRODUCT((--hourly_rates<0)*1)+SUMPRODUCT((--hours<0)*1)>0,#NUM!,"
    "SUMPRODUCT((--hourly_rates)*(--hours))))"
)


def _goal_value(actions: float, conversion_rate: float, value_per_conversion: float) -> float | ExcelError:
    if actions < 0 or conversion_rate < 0 or conversion_rate > 1:
        return NUM
    return actions * conversion_rate * value_per_conversion


GOAL_VALUE = elementwise(_goal_value)
GOAL_VALUE.__doc__ = """Value of a goal: actions × conversion rate × value per conversion.

    =GOAL_VALUE(actions, conversion_rate, value_per_conversion).
    Errors: #NUM! if actions < 0 or the rate is outside 0–100 %; an error argument propagates;
    non-numeric text → #VALUE!. Broadcasts over ranges.
    Examples (the method's Step 4): GOAL_VALUE(12000, 1/10, 150) = 180000;
    GOAL_VALUE(1, 75%, 300) = 225.
    """
GOAL_VALUE_FORMULA = (
    "IF((SIGN(--actions)<0)+(SIGN(--conversion_rate)<0)+(SIGN((--conversion_rate)-1)>0)"
    "+(--value_per_conversion)*0,#NUM!,(--actions)*(--conversion_rate)*(--value_per_conversion))"
)


def _prorate(amount: float, used: float, total: float) -> float | ExcelError:
    if used < 0 or total < 0:
        return NUM
    if total == 0:
        return DIV0
    if used > total:
        return NUM
    return amount * used / total


PRORATE = elementwise(_prorate)
PRORATE.__doc__ = """The share of a shared cost: amount × used / total.

    =PRORATE(amount, used, total): a tool's or material's share for social media, or a
    salary's share of a period.
    Errors: #NUM! if used or total is negative or used > total; #DIV/0! if total = 0; an error
    argument propagates; non-numeric text → #VALUE!. Broadcasts over ranges.
    Examples: PRORATE(1200, 25%, 1) = 300; PRORATE(60000, 3, 12) = 15000.
    """
PRORATE_FORMULA = (
    "IF((--amount)*0+(SIGN(--used)<0)+(SIGN(--total)<0),#NUM!,IF(SIGN(--total)=0,#DIV/0!,"
    "IF(SIGN((--used)-(--total))>0,#NUM!,(--amount)*(--used)/(--total))))"
)
