"""The reference engine: the ``formulas`` package, running the library's Python functions.

Slow (about 75 s for 25,000 formulas) but it calls the very functions of
:mod:`xlroi.functions`, so it is the yardstick the fast engine is checked against.
"""
from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

from ..errors import EngineUnavailable, ExcelError
from ..functions import FUNCTIONS
from ..functions.coercion import Scalar, Value
from ..xlsx.package import Package, Sheet
from ..xlsx.refs import column_number
from .base import ENGINE_ONLY_ERRORS, Engine, EngineValue, NotEvaluated, error_or_not_evaluated

_KEY = re.compile(r"^'\[(?P<book>[^\]]+)\](?P<sheet>.+)'!(?P<col>[A-Z]+)(?P<row>\d+)$")
_RANGE_KEY = re.compile(r"^'\[(?P<book>[^\]]+)\](?P<sheet>.+)'!(?P<start>[A-Z]+\d+):(?P<end>[A-Z]+\d+)$")
MAX_SPREAD = 100_000  # cells of one range result spread to its cells


def _spread(values: dict, sheet: str, start: str, end: str, result: Any) -> None:
    """Give each cell of an array formula's range its element of the result (cells ``formulas``
    answered on their own keep that answer; so do the cells of a range a formula only reads)."""
    from ..xlsx.refs import parse_cell

    top, left = parse_cell(start)
    bottom, right = parse_cell(end)
    if (bottom - top + 1) * (right - left + 1) > MAX_SPREAD:
        return
    grid = getattr(result, "value", result)
    shape = getattr(grid, "shape", None)
    if shape is None or len(shape) != 2:
        return
    for i in range(min(shape[0], bottom - top + 1)):
        for j in range(min(shape[1], right - left + 1)):
            values.setdefault((sheet, top + i, left + j), grid[i, j])


def _from_formulas(value: Any) -> Value:
    """A formulas argument (Ranges, Array, XlError, numpy scalar, EMPTY) as a library value."""
    import numpy as np
    import schedula as sh
    from formulas.tokens.operand import XlError

    if hasattr(value, "value") and hasattr(value, "ranges"):  # a Ranges object
        value = value.value
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return _from_formulas(value.item())
        grid = value if value.ndim == 2 else value.reshape(1, -1)
        return [[_scalar(v, XlError, sh.EMPTY) for v in row] for row in grid.tolist()]
    return _scalar(value, XlError, sh.EMPTY)


def _scalar(value: Any, xl_error: type, empty: Any) -> Scalar:
    if value is empty or value is None:
        return None
    if isinstance(value, xl_error):
        return ExcelError.from_text(str(value)) or ExcelError.VALUE
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    return value


def _to_formulas(value: Value) -> Any:
    import numpy as np
    from formulas.tokens.operand import Error

    def convert(v: Scalar) -> Any:
        return Error.errors[str(v)] if isinstance(v, ExcelError) and str(v) in Error.errors else (
            Error.errors["#VALUE!"] if isinstance(v, ExcelError) else v)

    if isinstance(value, list):
        return np.array([[convert(v) for v in row] for row in value], dtype=object)
    return convert(value)


def _adapter(function):
    def call(*args):
        return _to_formulas(function(*(_from_formulas(a) for a in args)))

    call.__name__ = function.__name__
    return call


def register_functions() -> None:
    """Make the four functions known to ``formulas`` (it looks functions up while parsing)."""
    import formulas

    table = formulas.get_functions()
    for spec in FUNCTIONS.values():
        table[spec.name] = _adapter(spec.implementation)


MAX_UNPARSEABLE = 20  # distinct unparseable formulas taken out before giving up
_F_TEXT = re.compile(rb"(<(?:\w+:)?f\b[^>]*>)[^<]*(</(?:\w+:)?f>)")
_UNPARSEABLE = b"XLROI.UNPARSEABLE.FORMULA()"
CIRCULAR = "circular reference (this cell is on a cycle or depends on one; iterative calculation is not done)"


def _unparseable_formula(exc: Exception) -> str | None:
    """The formula text (without ``=``) a ``formulas`` parse error names, if it is one."""
    from formulas.errors import FormulaError

    if isinstance(exc, FormulaError) and len(exc.args) >= 2 and isinstance(exc.args[-1], str):
        text = exc.args[-1]
        return text[1:] if text.startswith("=") else text
    return None


def _is_circular(result: Any) -> bool:
    """Whether ``formulas`` answered a cell with its circular-reference marker."""
    import numpy as np
    from formulas.excel import XlCircular

    value = getattr(result, "value", result)
    if isinstance(value, np.ndarray):
        value = value.flat[0] if value.size else None
    return isinstance(value, XlCircular)


class FormulasEngine(Engine):
    name = "formulas"

    def __init__(self, package: Package, prepared: Path):
        super().__init__(package, prepared)
        os.environ.setdefault("TQDM_DISABLE", "1")  # formulas' own progress bars
        try:
            import formulas
        except ImportError as exc:  # pragma: no cover - formulas is a dependency
            raise EngineUnavailable(f"the formulas engine needs the formulas package ({exc})") from None
        register_functions()
        # formulas logs every unresolved external link while loading; xlroi reports per cell
        logging.getLogger("formulas").setLevel(logging.CRITICAL)
        # A formula ``formulas`` cannot parse fails the whole load: take it out of the engine's
        # copy (it and its dependents are then reported per cell) and load again.
        self.refused: dict[tuple[str, int, int], str] = dict(getattr(package, "_formulas_refused", {}))
        for _attempt in range(MAX_UNPARSEABLE + 1):
            try:
                self.model = formulas.ExcelModel().loads(str(prepared)).finish(circular=True)
                break
            except RecursionError:
                raise EngineUnavailable(f"{package.path.name}: the formulas engine cannot load this workbook "
                                        "(formulas nested too deeply for it); try --engine fast") from None
            except Exception as exc:
                bad = _unparseable_formula(exc)
                if bad is None or _attempt == MAX_UNPARSEABLE or not self._take_out(prepared, bad):
                    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                    raise EngineUnavailable(f"{package.path.name}: the formulas engine cannot load this workbook ({reason[:200]})") from None
        self.book = prepared.name
        self.inputs: dict[str, Scalar] = {}
        self.values: dict[tuple[str, int, int], Any] = {}
        self.apply_text_overrides()

    @classmethod
    def prepare_parts(cls, package: Package) -> dict[str, bytes]:
        """Formulas over Excel's 8,192 characters never reach ``formulas`` (a crafted one nested
        100,000 deep makes it recurse until the memory runs out)."""
        from .ironcalc_engine import _LONG_FORMULA, refuse_long_formulas

        from . import date1904

        parts = super().prepare_parts(package)
        dated, refused = date1904.engine_parts(package, parts)  # a 1904 workbook: its dates moved
        if dated:
            parts.update(dated)
            date1904.register_formulas_helpers()
        for sheet in package.sheets:
            xml = parts.get(sheet.part, package.parts.get(sheet.part))
            if xml is not None and _LONG_FORMULA.search(xml):
                parts[sheet.part] = refuse_long_formulas(xml, sheet, refused, _UNPARSEABLE)
        package._formulas_refused = {(s.upper(), r, c): why for (s, r, c), why in refused.items()}  # type: ignore[attr-defined]
        return parts

    def _take_out(self, prepared: Path, formula: str) -> bool:
        """Replace every cell whose formula is ``formula`` in the engine's copy by a call to an
        unknown function (its dependents become #NAME?, reported as not evaluated)."""
        import zipfile

        from ..xlsx.cells import scan_sheet
        from ..xlsx.package import write_parts

        with zipfile.ZipFile(prepared) as archive:
            infos = archive.infolist()
            parts = {info.filename: archive.read(info) for info in infos}
        replaced = {}
        for sheet in self.package.sheets:
            xml = parts.get(sheet.part)
            if xml is None:
                continue
            cells = [c for c in scan_sheet(xml).formula_cells if c.formula == formula]
            for cell in sorted(cells, key=lambda c: c.span, reverse=True):
                self.refused[(sheet.name.upper(), cell.row, cell.col)] = "formula could not be parsed by the formulas engine"
                start, end = cell.span
                xml = xml[:start] + _F_TEXT.sub(rb"\1" + _UNPARSEABLE + rb"\2", xml[start:end], count=1) + xml[end:]
            if cells:
                replaced[sheet.part] = xml
        if not replaced:
            return False
        with open(prepared, "wb") as handle:
            write_parts(handle, infos, parts, replaced, compress=False)
        return True

    def _key(self, sheet: Sheet, row: int, col: int) -> str:
        from ..xlsx.refs import cell_name

        return f"'[{self.book}]{sheet.name.upper()}'!{cell_name(row, col)}"

    def set_value(self, sheet: Sheet, row: int, col: int, value: Scalar) -> None:
        self.inputs[self._key(sheet, row, col)] = _to_formulas(value)

    def recalc(self) -> None:
        solution = self.model.calculate(inputs=dict(self.inputs))
        values, ranges = {}, []
        for key, result in solution.items():
            m = _KEY.match(key)
            if m:
                values[(m["sheet"], int(m["row"]), column_number(m["col"]))] = result
            elif (r := _RANGE_KEY.match(key)) is not None:
                ranges.append((r, result))
        for r, result in ranges:  # an array formula's result is kept under its range only
            _spread(values, r["sheet"], r["start"], r["end"], result)
        self.values = values

    def value(self, sheet: Sheet, row: int, col: int) -> EngineValue:
        key = (sheet.name.upper(), row, col)
        if key in self.refused:
            return NotEvaluated(self.refused[key])
        result = self.values.get(key)
        if result is None:
            return None
        if _is_circular(result):
            return NotEvaluated(CIRCULAR)
        value = _from_formulas(result)
        if isinstance(value, list):
            value = value[0][0] if value and value[0] else None
        if isinstance(value, ExcelError) and value is ExcelError.NAME:
            return value
        # formulas' own errors arrive as XlError (made ExcelError above); a plain str is text,
        # "#N/A#N/A" from ="#N/A"&"#N/A" included — only an engine-only marker means "cannot".
        if isinstance(value, str) and value in ENGINE_ONLY_ERRORS:
            return error_or_not_evaluated(value)
        return value
