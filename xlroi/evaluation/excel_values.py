"""Excel's own values as a second opinion: never replace what Excel computed by something else.

A workbook Excel calculated and saved carries, in every formula cell, the value Excel computed
from the inputs in the file. When xlroi recalculates it with those same inputs, an engine that
gives another value is wrong — an engine bug (IronCalc's TEXT formats, an array formula it
evaluates as a scalar), not news. Writing the engine's value would replace Excel's right value
with a wrong one. So, for such cells, xlroi keeps Excel's value and reports the cell as not
evaluated, naming both values; the cells whose inputs *did* change (``--set``, and everything
depending on them) and volatile cells (``TODAY()``, ``RAND()``…, and what depends on them) are
recalculated as usual, since their saved values are stale by design.

"Calculated by Excel" is read from the package: the calculation chain (``xl/calcChain.xml``,
which only Excel writes), Excel named as the application in ``docProps/app.xml``, automatic
calculation (``calcMode`` not ``manual``) and no request to recalculate on opening
(``fullCalcOnLoad``). Workbooks written by other tools (openpyxl, pandas, xlroi's template)
have no calculation chain and are not concerned.

``check`` does not use this: its job is to compare the engine with the saved values.
"""
from __future__ import annotations

import re

from ..engines.base import EngineValue, NotEvaluated
from ..functions.coercion import Scalar

_APPLICATION = re.compile(rb"<(?:\w+:)?Application>\s*Microsoft[^<]*Excel", re.I)
_MANUAL = re.compile(rb"<(?:\w+:)?calcPr\b[^>]*\bcalcMode\s*=\s*[\"']manual[\"']")
_FULL_CALC_ON_LOAD = re.compile(rb"<(?:\w+:)?calcPr\b[^>]*\bfullCalcOnLoad\s*=\s*[\"'](?:1|true)[\"']")
DETAIL = " — "  # a reason's kind, then this cell's details (grouped by kind in summaries)
# Functions whose value changes without any input changing: Excel's cached value is of its day.
VOLATILE = frozenset({"TODAY", "NOW", "RAND", "RANDBETWEEN", "RANDARRAY", "CELL", "INFO"})


def calculated_by_excel(package) -> bool:
    """Whether the cached values in ``package`` are Excel's own, for the inputs in the file."""
    if not any(name.lower().endswith("calcchain.xml") for name in package.parts):
        return False
    if not _APPLICATION.search(package.parts.get("docProps/app.xml", b"")):
        return False
    workbook = package.parts.get(package.workbook_part, b"")
    return not _MANUAL.search(workbook) and not _FULL_CALC_ON_LOAD.search(workbook)


def disagreement(cached: Scalar, value: EngineValue, matches) -> NotEvaluated | None:
    """The report for a cell whose fresh ``value`` differs from Excel's ``cached`` one, or None."""
    if cached is None or isinstance(value, NotEvaluated) or matches(cached, value):
        return None
    # " — " separates the kind of problem (the summary's line) from this cell's details
    return NotEvaluated(f"contradicts the value Excel saved for the same inputs (Excel's kept){DETAIL}"
                        f"engine {_show(value)}, Excel {_show(cached)}")


def _show(value: EngineValue) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "…"
        return repr(text)
    return str(value)


def changed_or_volatile(book, deps) -> set:
    """Formula cells whose saved value is stale by design: those depending on a cell set since
    loading, the volatile ones, and those depending on a volatile one."""
    starts = {(sheet, row, col) for sheet, row, col in book._inputs}
    for key in deps.keys:
        if deps.functions_called(key) & VOLATILE:
            starts.add(key)
    if not starts:
        return set()
    return set(deps.dependents_closure(starts)) | {k for k in starts if k in deps}


__all__ = ["calculated_by_excel", "disagreement", "changed_or_volatile", "VOLATILE"]
