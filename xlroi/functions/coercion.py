"""Excel arithmetic coercion, error propagation and broadcasting, written once for every function.

The rules (the README's "Excel semantics" table lists them with examples):

* an argument coerces as in ``=A1*B1``: empty → 0, TRUE/FALSE → 1/0, numeric text → its number
  (``" 12 "``, ``"1,200"``, ``"$1,200"``, ``"50%"``, ``"1e3"``), any other text → ``#VALUE!``;
* an error argument propagates; the first failing argument, left to right, wins (within a
  range: row by row);
* a range argument broadcasts like Excel arithmetic: a 1-row or 1-column range is repeated
  along the other axis, and cells outside a smaller range are ``#N/A``.
"""
from __future__ import annotations

import functools
import math
import re
from typing import Any, Callable, Sequence, Union

from ..errors import ExcelError

Scalar = Union[float, int, bool, str, None, ExcelError]
Grid = list[list[Scalar]]
Value = Union[Scalar, Grid]

_NUMERIC_TEXT = re.compile(
    r"""^\s*(?P<sign>[+-]?)\s*\$?\s*
        (?P<num>(\d{1,3}(,\d{3})+|\d+)(\.\d*)?|\.\d+)
        (?P<exp>[eE][+-]?\d+)?\s*(?P<pct>%?)\s*$""",
    re.VERBOSE,
)


def parse_numeric_text(text: str) -> float | None:
    """The number Excel reads from ``text`` in arithmetic, or None when it is not numeric."""
    m = _NUMERIC_TEXT.match(text)
    if not m:
        return None
    number = float(m["num"].replace(",", "") + (m["exp"] or ""))
    if m["sign"] == "-":
        number = -number
    if m["pct"]:
        number /= 100
    return number


def to_number(value: Scalar) -> float | ExcelError:
    """Coerce one cell value to a number the way Excel arithmetic does."""
    if isinstance(value, ExcelError):
        return value
    if value is None:
        return 0.0
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        number = float(value)
        return number if math.isfinite(number) else ExcelError.NUM
    if isinstance(value, str):
        number = parse_numeric_text(value)
        return ExcelError.VALUE if number is None else number
    return ExcelError.VALUE


def is_grid(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def as_grid(value: Value) -> Grid:
    """A scalar as a 1×1 grid; a flat list as one column (one row per person); a grid as is."""
    if not is_grid(value):
        return [[value]]
    if value and all(is_grid(row) for row in value):
        return [list(row) for row in value]
    if any(is_grid(item) for item in value):
        raise TypeError("a range must be a list of rows, not a mix of rows and cells")
    return [[item] for item in value]


def shape(grid: Grid) -> tuple[int, int]:
    return len(grid), (len(grid[0]) if grid else 0)


def first_error(values: Sequence[float | ExcelError]) -> ExcelError | None:
    return next((v for v in values if isinstance(v, ExcelError)), None)


def finite_or_num(result: float | ExcelError) -> float | ExcelError:
    """Excel shows ``#NUM!`` where a result overflows to infinity."""
    if isinstance(result, float) and not math.isfinite(result):
        return ExcelError.NUM
    return result


def elementwise(kernel: Callable[..., float | ExcelError]) -> Callable[..., Value]:
    """Lift a pure numeric kernel to an Excel function that coerces and broadcasts its arguments.

    ``kernel`` receives floats only and returns a float or an :class:`ExcelError`.
    """

    @functools.wraps(kernel)
    def excel_function(*args: Value) -> Value:
        if not any(is_grid(a) for a in args):
            return _apply(kernel, args)
        grids = [as_grid(a) for a in args]
        shapes = [shape(g) for g in grids]
        rows = max(r for r, _ in shapes)
        cols = max(c for _, c in shapes)
        return [
            [_apply(kernel, [_broadcast_cell(g, s, i, j) for g, s in zip(grids, shapes)])
             for j in range(cols)]
            for i in range(rows)
        ]

    excel_function.kernel = kernel  # type: ignore[attr-defined]
    return excel_function


def _apply(kernel: Callable[..., float | ExcelError], args: Sequence[Scalar]) -> Scalar:
    numbers = [to_number(a) for a in args]
    error = first_error(numbers)
    if error is not None:
        return error
    return finite_or_num(kernel(*numbers))


def _broadcast_cell(grid: Grid, grid_shape: tuple[int, int], i: int, j: int) -> Scalar:
    rows, cols = grid_shape
    if rows == 0 or cols == 0:
        return ExcelError.NA
    i = 0 if rows == 1 else i
    j = 0 if cols == 1 else j
    if i >= rows or j >= cols:
        return ExcelError.NA
    return grid[i][j]
