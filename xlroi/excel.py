"""The xlwings UDF module: ROI, HR_COST, GOAL_VALUE and PRORATE as Excel functions.

One module serves both xlwings hosts. On Windows desktop Excel it is the "UDF Modules" entry
(``xlroi.excel``) behind the VBA wrapper in ``addin/xlroi_udfs.bas``; in xlwings Lite,
``addin/lite/main.py`` declares the same wrappers with Lite's decorators. Every wrapper is made
from the registry (:data:`xlroi.functions.FUNCTIONS`): name, description, argument names and
help come from there, and the result is the library function's result.

What xlwings hands over and how it is read (each argument is declared ``ndim=2`` and
``err_to_str=True``):

* every argument arrives as a list of rows, a single cell as ``[[value]]``; a 1×1 grid is read
  as the value itself, which the library treats the same way (it broadcasts a 1×1 range);
* an empty cell is ``None``, numbers are floats (ints in Lite), TRUE/FALSE are bools, dates are
  ``datetime`` (read as Excel's serial number, as ``=A1*1`` does);
* an error cell arrives as its text, e.g. ``"#DIV/0!"`` (without ``err_to_str`` it would be
  ``None`` and silently count as 0). Errors xlwings has no text for (``#SPILL!``, ``#CALC!``,
  ``#GETTING_DATA``) arrive as the COM error code, an int, and are read too. A *text* cell
  holding exactly an error's text therefore also reads as that error; Excel itself turns such
  an entry into the error unless it is typed with a leading apostrophe.

The error marker: a result that is an Excel error is returned as the error's text
(``"#DIV/0!"``, ``"#NUM!"``, ``"#VALUE!"``, ``"#N/A"``, …; :data:`ERROR_NUMBERS` lists them).
The functions return no other text, so the marker is unambiguous. xlwings Lite turns these
texts into real error values itself; xlwings' COM UDFs cannot return errors (xlwings issue
#776), so the shipped VBA wrapper passes every result through ``XlroiErrors``, which replaces
each marker with ``CVErr(number)``.

Array results are returned as lists of rows and spill natively in Excel 365/2021 (no
``expand="table"``: that legacy mode overwrites neighbouring cells and breaks with volatile
arguments); in older Excel, enter a broadcasting call as an array formula (Ctrl+Shift+Enter).
"""
from __future__ import annotations

import datetime as dt
import inspect
from typing import Any, Callable

import xlwings as xw

from .errors import ExcelError
from .functions import FUNCTIONS, Value

CATEGORY = "xlroi"

# Excel's error numbers: CVErr(number) in VBA; COM passes an error as the SCODE number - 2146828288.
ERROR_NUMBERS: dict[ExcelError, int] = {
    ExcelError.NULL: 2000,
    ExcelError.DIV0: 2007,
    ExcelError.VALUE: 2015,
    ExcelError.REF: 2023,
    ExcelError.NAME: 2029,
    ExcelError.NUM: 2036,
    ExcelError.NA: 2042,
    ExcelError.GETTING_DATA: 2043,
    ExcelError.SPILL: 2045,
    ExcelError.CALC: 2050,
}
_BY_TEXT = {error.value: error for error in ExcelError}
_BY_SCODE = {number - 2146828288: error for error, number in ERROR_NUMBERS.items()}
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def from_xlwings(value: Any) -> Value:
    """One argument as xlwings hands it over → the library's value."""
    if isinstance(value, (list, tuple)):
        grid = [[_cell(v) for v in row] if isinstance(row, (list, tuple)) else _cell(row) for row in value]
        if len(grid) == 1 and isinstance(grid[0], list) and len(grid[0]) == 1:
            return grid[0][0]
        return grid  # type: ignore[return-value]
    return _cell(value)


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return _BY_TEXT.get(value, value)
    if isinstance(value, int) and not isinstance(value, bool) and value in _BY_SCODE:
        return _BY_SCODE[value]
    if isinstance(value, dt.datetime):
        return (value - _EXCEL_EPOCH) / dt.timedelta(days=1)
    if isinstance(value, dt.date):
        return float((value - _EXCEL_EPOCH.date()).days)
    return value


def to_xlwings(result: Value) -> Any:
    """The library's result → what the UDF returns: errors as their marker text."""
    if isinstance(result, list):
        return [[to_xlwings(v) for v in row] for row in result]
    return result.value if isinstance(result, ExcelError) else result


def declare(name: str, func: Callable = xw.func, arg: Callable = xw.arg) -> Callable:
    """The UDF for the registry's function ``name``, decorated with ``func`` and ``arg``.

    The defaults are the decorators of the xlwings that is running: the COM ones on Windows,
    Lite's in xlwings Lite, no-ops elsewhere.
    """
    function = FUNCTIONS[name]

    def udf(*args):  # no annotations: xlwings would read them as converters
        return to_xlwings(function(*(from_xlwings(a) for a in args)))

    udf.__name__ = udf.__qualname__ = name
    udf.__doc__ = function.summary  # the function wizard's description
    # xlwings reads argument names from the signature: give the wrapper the library's.
    udf.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(a.python_name, inspect.Parameter.POSITIONAL_OR_KEYWORD) for a in function.arguments]
    )
    for argument in function.arguments:
        udf = arg(argument.python_name, ndim=2, err_to_str=True, doc=argument.description)(udf)
    return func(category=CATEGORY)(udf)


globals().update({name: declare(name) for name in FUNCTIONS})
__all__ = [*FUNCTIONS, "declare", "from_xlwings", "to_xlwings", "ERROR_NUMBERS", "CATEGORY"]
