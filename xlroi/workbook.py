"""The Python API: open a workbook, change inputs, recalculate, read results, save losslessly.

    >>> import xlroi
    >>> book = xlroi.open("campaign.xlsx")            # the fast engine (IronCalc)
    >>> book.set("'Step 2 Costs'!D17", 20000)          # more ad spend
    >>> book["OverallROI"]                             # recalculates when needed
    1.23...
    >>> book.save("campaign-what-if.xlsx")             # only cached values change

A workbook is read once into memory; the user's file is never written unless ``save`` is asked
to write over it (``in_place=True``), and then atomically.
"""
from __future__ import annotations

import gc
import math
import os
import re
import tempfile
import zipfile
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Iterator

from .engines import ENGINES, engine_class
from .engines.base import ASK, EngineValue, NotEvaluated
from .evaluation.excel_values import VOLATILE, calculated_by_excel, changed_or_volatile, disagreement
from .errors import BadReference, BadValue, ExcelError, OutputError
from .functions.coercion import Scalar, parse_numeric_text
from .xlsx.cells import (KEEP, FormulaCell, SheetScan, insert_cells, rewrite_cached_values_in_one_pass,
                         scan_sheet, write_cached_values)
from .xlsx.package import DEFAULT_LIMITS, Limits, Package, Sheet, read_package, write_atomically
from .xlsx.refs import Area, cell_name, parse_area, split_sheet
from .xlsx.zipcopy import BackgroundDeflate, frequent_handovers

_DEFLATE_AHEAD_BYTES = 1 << 20  # sheets this big are compressed while they are rewritten
_AREA_TEXT = re.compile(r"^\$?[A-Za-z]{1,3}\$?\d+(:\$?[A-Za-z]{1,3}\$?\d+)?$")
_ENGINES_OWN = object()  # a cell whose value is the engine's own (not in the settlement)


EXCEL_VALUES_ENV = "XLROI_EXCEL_VALUES"


def open(path: str | os.PathLike, engine: str = "fast", limits: Limits = DEFAULT_LIMITS,  # noqa: A001
         fallback: bool = True, excel_values: bool | None = None) -> "Workbook":
    """Open a saved .xlsx/.xlsm workbook for recalculation. ``engine`` is "fast" or "formulas";
    with ``fallback`` the reference engine computes the cells the fast engine cannot; with
    ``excel_values`` (default: on, unless ``XLROI_EXCEL_VALUES=0``) a value that contradicts the
    one Excel saved for the same inputs is not used: Excel's is kept and the cell reported
    (see docs/engines.md)."""
    book = Workbook(path, engine=engine, limits=limits)
    book.fallback = fallback
    book.excel_values = excel_values_default() if excel_values is None else excel_values
    return book


def excel_values_default(environ: dict | None = None) -> bool:
    """``XLROI_EXCEL_VALUES``: 0/false/no/off turns the check against Excel's values off."""
    text = (os.environ if environ is None else environ).get(EXCEL_VALUES_ENV, "").strip().lower()
    return text not in ("0", "false", "no", "off")


def parse_input(text: str) -> Scalar:
    """A value typed on the command line: a number (12, 1,200, 50%, $3.5), TRUE/FALSE, an
    error (#N/A), nothing (clears the cell), or text in double quotes ("LinkedIn")."""
    stripped = text.strip()
    if stripped == "":
        return None
    if len(stripped) >= 2 and stripped[0] == stripped[-1] == '"':
        return stripped[1:-1].replace('""', '"')
    if stripped.upper() in ("TRUE", "FALSE"):
        return stripped.upper() == "TRUE"
    error = ExcelError.from_text(stripped)
    if error is not None:
        return error
    number = parse_numeric_text(stripped)
    if number is None:
        raise BadValue(f"{text!r} is not a number, TRUE/FALSE or an error; write text in double quotes, e.g. '\"{stripped}\"'")
    return number


@dataclass
class CellDifference:
    ref: str
    formula: str | None
    cached: Scalar
    computed: EngineValue

    @property
    def status(self) -> str:
        return "not evaluated" if isinstance(self.computed, NotEvaluated) else "differs"


@dataclass
class CheckReport:
    """How the engine's values compare with the values Excel (or whoever saved it) cached."""

    path: str
    engine: str
    formula_cells: int = 0
    compared: int = 0
    matched: int = 0
    no_cached_value: int = 0
    differences: list[CellDifference] = field(default_factory=list)
    computed_by: dict[str, int] = field(default_factory=dict)  # engine → formula cells it computed
    fallback: dict | None = None  # the reference engine's run (FallbackRun.as_dict()), if any

    @property
    def ok(self) -> bool:
        return not self.differences

    @property
    def not_evaluated(self) -> int:
        return sum(1 for d in self.differences if d.status == "not evaluated")

    def as_dict(self) -> dict:
        return {
            "path": self.path, "engine": self.engine, "ok": self.ok,
            "formula_cells": self.formula_cells, "compared": self.compared, "matched": self.matched,
            "no_cached_value": self.no_cached_value, "not_evaluated": self.not_evaluated,
            "computed_by": self.computed_by, "fallback": self.fallback,
            "differences": [
                {"ref": d.ref, "formula": d.formula, "status": d.status,
                 "cached": to_json_value(d.cached), "computed": to_json_value(d.computed)}
                for d in self.differences
            ],
        }


@dataclass
class RecalcReport:
    path: str
    engine: str
    formula_cells: int
    not_evaluated: list[tuple[str, str]]  # (ref, reason)
    computed_by: dict[str, int] = field(default_factory=dict)  # engine → formula cells it computed
    fallback: dict | None = None  # the reference engine's run (FallbackRun.as_dict()), if any

    def as_dict(self) -> dict:
        return {"path": self.path, "engine": self.engine, "formula_cells": self.formula_cells,
                "computed_by": self.computed_by, "fallback": self.fallback,
                "not_evaluated": [{"ref": r, "reason": why} for r, why in self.not_evaluated]}


def to_json_value(value: object) -> object:
    if isinstance(value, ExcelError):
        return {"error": str(value)}
    if isinstance(value, NotEvaluated):
        return {"not_evaluated": value.reason}
    if isinstance(value, float) and not math.isfinite(value):
        return {"error": "#NUM!"}
    if isinstance(value, list):
        return [[to_json_value(v) for v in row] for row in value]
    return value


def values_match(cached: Scalar, computed: EngineValue, rel: float = 1e-9, abs_: float = 1e-9) -> bool:
    if isinstance(computed, NotEvaluated):
        return False
    if cached in (None, "") and computed in (None, ""):
        return True
    if isinstance(cached, bool) or isinstance(computed, bool):
        return cached is computed or (isinstance(cached, bool) and isinstance(computed, bool) and cached == computed)
    if isinstance(cached, (int, float)) and isinstance(computed, (int, float)):
        return math.isclose(cached, computed, rel_tol=rel, abs_tol=abs_)
    return cached == computed


class Workbook:
    """A workbook loaded into one engine. See the module's docstring for an example."""

    fallback = True  # the reference engine computes what the fast engine cannot (xlroi.evaluation)
    excel_values = True  # Excel's saved values overrule an engine that contradicts them (evaluation.excel_values)
    _stale_cache: tuple | None = None
    deadline: float | None = None  # time.monotonic() by which the fallback must be done
    _settlement = None  # xlroi.evaluation.taint.Settlement of the last recalculation

    def __init__(self, path: str | os.PathLike, engine: str = "fast", limits: Limits = DEFAULT_LIMITS):
        self.path = Path(path)
        self.package: Package = read_package(self.path, limits)
        self.engine_name = engine
        self._scans: dict[str, SheetScan] = {}
        self._formula_index: dict[str, dict[tuple[int, int], FormulaCell]] = {}
        self._inputs: dict[tuple[str, int, int], Scalar] = {}
        self._engine = self._load_engine(engine_class(engine))
        self._dirty = True

    # -- loading ------------------------------------------------------------------------
    def _load_engine(self, cls):
        with paused_gc():
            return self._load_engine_now(cls)

    def _load_engine_now(self, cls):
        replaced = cls.prepare_parts(self.package)
        if getattr(cls, "reads_copy_once", False) and hasattr(os, "memfd_create"):
            # An engine that reads its copy once, while loading, gets it in memory (Linux): no
            # file on disk, nothing to remove; the parts it did not change are copied as stored.
            data = self.package.to_bytes(replaced, compress=False)
            try:
                fd = os.memfd_create("xlroi-engine-copy")
            except OSError as exc:
                raise OutputError(f"cannot make the engine's copy in memory ({exc.strerror})") from None
            try:
                try:
                    _write_all(fd, data)
                except OSError as exc:
                    raise OutputError(f"cannot make the engine's copy in memory ({exc.strerror})") from None
                del data
                return cls(self.package, Path(f"/proc/self/fd/{fd}"))
            finally:
                os.close(fd)
        with tempfile.TemporaryDirectory(prefix="xlroi-") as folder:
            prepared = Path(folder) / (self.path.stem + ".xlsx")
            try:
                prepared.write_bytes(self.package.to_bytes(replaced, compress=False))
            except OSError as exc:
                raise OutputError(f"cannot write the engine's temporary copy in {folder} ({exc.strerror})") from None
            return cls(self.package, prepared)

    def scan(self, sheet: Sheet) -> SheetScan:
        if sheet.name not in self._scans:
            xml = self.package.parts.get(sheet.part)
            self._scans[sheet.name] = scan_sheet(xml) if xml is not None else SheetScan()
        return self._scans[sheet.name]

    @property
    def sheet_names(self) -> list[str]:
        return [s.name for s in self.package.sheets]

    @property
    def engine(self) -> str:
        return self.engine_name

    # -- references -----------------------------------------------------------------------
    def area(self, ref: str) -> Area:
        """Resolve ``'Step 5 ROI'!C12``, ``Sheet1!A1:B3``, ``B4`` (first sheet) or a defined name."""
        sheet_name, rest = split_sheet(ref)
        if not rest:
            raise BadReference(f"{ref!r} is not a reference")
        if _AREA_TEXT.match(rest):
            sheet = self.package.sheet(sheet_name) if sheet_name else self.package.sheets[0]
            return parse_area(rest.replace("$", ""), sheet.name)
        scope = self.package.sheet(sheet_name).index if sheet_name else None
        candidates = [n for n in self.package.defined_names if n.name.lower() == rest.lower()]
        chosen = next((n for n in candidates if n.sheet_index == scope), None) or next(
            (n for n in candidates if n.sheet_index is None), None)
        if chosen is None:
            where = f"sheet {sheet_name!r}" if sheet_name else self.path.name
            raise BadReference(f"{ref!r} is neither a cell, a range nor a defined name in {where}")
        target_sheet, target = split_sheet(chosen.formula.split(",")[0])
        if target_sheet is None or not _AREA_TEXT.match(target.replace("$", "")):
            raise BadReference(f"the name {chosen.name!r} is the formula {chosen.formula!r}, not a range of cells")
        self.package.sheet(target_sheet)
        return parse_area(target.replace("$", ""), self.package.sheet(target_sheet).name)

    # -- values ---------------------------------------------------------------------------
    def set(self, ref: str, value: Scalar) -> None:
        """Set an input cell (or every cell of a range) to ``value``; formulas cannot be overwritten."""
        area = self.area(ref)
        if isinstance(value, str) and value.startswith("="):
            raise BadValue(f"{ref}: xlroi sets values, not formulas ({value!r})")
        if isinstance(value, float) and not math.isfinite(value):
            raise BadValue(f"{ref}: {value!r} is not a number Excel can store")
        if not isinstance(value, (int, float, str, bool, ExcelError, type(None))):
            raise BadValue(f"{ref}: cannot store a {type(value).__name__} in a cell")
        if isinstance(value, str) and len(value) > 32767:
            raise BadValue(f"{ref}: text longer than Excel's 32,767 characters")
        sheet = self.package.sheet(area.sheet)
        for row, col in area.cells():
            if self._formula_cell(sheet, row, col) is not None:
                raise BadReference(f"{area.sheet}!{cell_name(row, col)} holds a formula; set input cells only")
        for row, col in area.cells():
            self._engine.set_value(sheet, row, col, value)
            self._inputs[(sheet.name, row, col)] = value
        self._dirty = True
        self._stale_cache = None  # the cells downstream of the inputs change

    def recalc(self) -> "Workbook":
        self._engine.recalc()
        self._dirty = False
        self._settlement = None
        return self

    def settlement(self, seeds: dict | None = None):
        """Which formula cells' values are not the engine's own: not evaluated because they
        depend on a cell no engine evaluated, or computed by the reference engine (see
        :mod:`xlroi.evaluation`). Worked out once per recalculation."""
        if self._dirty:
            self.recalc()
        if self._settlement is None:
            from .evaluation.taint import settle

            self._settlement = settle(self, seeds)
        return self._settlement

    def value(self, sheet: Sheet, row: int, col: int) -> EngineValue:
        if self._dirty:
            self.recalc()
        cell = self._formula_cell(sheet, row, col)
        if cell is None:
            value = self._engine.value(sheet, row, col)
            if isinstance(value, NotEvaluated):
                return self._inputs.get((sheet.name, row, col))
            return value
        return self._against_excel(sheet, cell, self._settled_value(sheet, cell))

    def _settled_value(self, sheet: Sheet, cell: FormulaCell) -> EngineValue:
        """The formula cell's value as the engines settled it (see :meth:`settlement`)."""
        settled = self.settlement().values
        if settled:
            found = settled.get((sheet.name, cell.row, cell.col), _ENGINES_OWN)
            if found is not _ENGINES_OWN:
                return found
        return self._formula_value(sheet, cell)

    def _against_excel(self, sheet: Sheet, cell: FormulaCell, value: EngineValue) -> EngineValue:
        """``value``, or not evaluated when it contradicts the value Excel itself saved for the
        same inputs (see :mod:`xlroi.evaluation.excel_values`)."""
        stale = self._stale_by_design()
        if stale is None or cell.cached is None or (sheet.name, cell.row, cell.col) in stale:
            return value
        return disagreement(cell.cached, value, values_match) or value

    def _stale_by_design(self) -> set | None:
        """None when Excel's saved values are no second opinion (off, or not Excel's); else the
        formula cells whose saved value is stale by design (inputs set, volatile functions)."""
        if not self.excel_values:
            return None
        if self._stale_cache is None:  # worked out once per set of inputs (set() clears it)
            stale = None
            if calculated_by_excel(self.package):
                from .evaluation.taint import book_dependencies

                stale = changed_or_volatile(self, book_dependencies(self)) if self._inputs or self._has_volatile() else set()
            self._stale_cache = (stale,)
        return self._stale_cache[0]

    def _has_volatile(self) -> bool:
        from .engines.capabilities import sheets_called_names

        return bool(sheets_called_names(self.package) & VOLATILE)

    def _formula_value(self, sheet: Sheet, cell: FormulaCell) -> EngineValue:
        value = self._engine.value(sheet, cell.row, cell.col)
        if value is ExcelError.NAME and cell.cached is not ExcelError.NAME and cell.cached is not None:
            return NotEvaluated("unknown function or name")
        if value is None and cell.kind in ("spill", "array") and cell.cached is not None:
            # Excel fills every cell of an array formula's range (#N/A past the result's
            # edge), its first cell too; an empty cell there means the engine did not fill it.
            return NotEvaluated("array formula result not filled by the engine")
        return value

    def _formula_cell(self, sheet: Sheet, row: int, col: int) -> FormulaCell | None:
        index = self._formula_index.get(sheet.name)
        if index is None:
            index = self._formula_index[sheet.name] = {(c.row, c.col): c for c in self.scan(sheet).formula_cells}
        return index.get((row, col))

    def __getitem__(self, ref: str) -> EngineValue | list[list[EngineValue]]:
        area = self.area(ref)
        if area.size > 1_000_000:
            raise BadReference(f"{ref}: {area.size:,} cells is more than xlroi returns at once")
        sheet = self.package.sheet(area.sheet)
        if area.is_cell:
            return self.value(sheet, area.top, area.left)
        return [[self.value(sheet, r, c) for c in range(area.left, area.right + 1)]
                for r in range(area.top, area.bottom + 1)]

    def formula_cells(self) -> Iterator[tuple[Sheet, FormulaCell]]:
        for sheet in self.package.sheets:
            for cell in self.scan(sheet).formula_cells:
                yield sheet, cell

    # -- checking and saving ----------------------------------------------------------------
    def check(self, rel_tol: float = 1e-9, abs_tol: float = 1e-9) -> CheckReport:
        """Recalculate and compare every formula cell with the value cached in the file."""
        report = CheckReport(str(self.path), self.engine_name)
        for sheet, cell in self.formula_cells():
            report.formula_cells += 1
            if cell.cached is None:
                report.no_cached_value += 1
                continue
            if self._dirty:
                self.recalc()
            computed = self._settled_value(sheet, cell)  # the engines' own: comparing is check's job
            report.compared += 1
            if values_match(cell.cached, computed, rel_tol, abs_tol):
                report.matched += 1
            else:
                ref = f"{_quote(sheet.name)}!{cell.name}"
                report.differences.append(CellDifference(ref, cell.formula, cell.cached, computed))
        engines = self.settlement().engines
        by_fallback = sum(1 for s, c in self.formula_cells() if c.cached is not None and (s.name, c.row, c.col) in engines) if engines else 0
        report.computed_by, report.fallback = self._attribution(report.compared - report.not_evaluated, by_fallback)
        return report

    def save(self, path: str | os.PathLike | None = None, *, in_place: bool = False) -> RecalcReport:
        """Write the workbook with fresh cached values (and the cells you ``set``).

        Only the ``<v>`` elements and ``t`` attributes of formula cells (and the set cells)
        change; every other part stays byte for byte. Cells the engine could not evaluate
        keep their old cached value and are listed in the returned report.
        """
        if path is None and not in_place:
            raise OutputError("say where to save: a path, or in_place=True")
        dest = self.path if path is None else Path(path)
        if not in_place and dest.exists() and dest.resolve() == self.path.resolve():
            raise OutputError(f"{dest}: is the input workbook; use in_place=True (--in-place) to replace it")
        if self._dirty:
            self.recalc()
        with paused_gc():
            return self._save(dest, path, in_place)

    def _save(self, dest: Path, path, in_place: bool) -> RecalcReport:
        # The first pass writes the engine's own values and gathers the cells it did not
        # evaluate; only if the settlement then changes some value is the pass done again.
        settled = self._settlement.values if self._settlement is not None else None
        seeds: dict = {}
        replaced, not_evaluated, count = {}, [], 0
        for sheet in self.package.sheets:
            xml = self.package.parts.get(sheet.part)
            if xml is None:
                continue
            inputs = {(r, c): v for (s, r, c), v in self._inputs.items() if s == sheet.name}

            def fresh(cell: FormulaCell, sheet: Sheet = sheet) -> object:
                if settled:
                    value = settled.get((sheet.name, cell.row, cell.col), _ENGINES_OWN)
                    if value is _ENGINES_OWN:
                        value = self._formula_value(sheet, cell)
                else:
                    value = self._formula_value(sheet, cell)
                if isinstance(value, NotEvaluated):
                    if settled is None:
                        seeds[(sheet.name, cell.row, cell.col)] = value
                    not_evaluated.append((f"{_quote(sheet.name)}!{cell.name}", value.reason))
                    return KEEP
                value = self._against_excel(sheet, cell, value)
                if isinstance(value, NotEvaluated):  # contradicts Excel's own value: Excel's is kept
                    not_evaluated.append((f"{_quote(sheet.name)}!{cell.name}", value.reason))
                    return KEEP
                return value

            before = len(not_evaluated)
            deflate = None if inputs or sheet.name in self._scans else self._background_deflate(sheet.part, xml)
            with frequent_handovers() if deflate is not None else nullcontext():  # zlib on the other thread
                one_pass = None if inputs or sheet.name in self._scans else rewrite_cached_values_in_one_pass(
                    xml, fresh, deflate and deflate.feed, self._bulk_values(sheet, settled))
            if one_pass is not None:
                new_xml, cells = one_pass
            else:
                if deflate is not None:
                    deflate.cancel()
                    deflate = None
                del not_evaluated[before:]  # what a one pass that gave up had listed
                scan = self.scan(sheet)
                if not scan.formula_cells and not inputs:
                    continue
                cells = len(scan.formula_cells)
                index = self._formula_index.setdefault(sheet.name, {(c.row, c.col): c for c in scan.formula_cells})
                new_xml, missing = write_cached_values(xml, scan, lambda r, c: fresh(index[(r, c)]), inputs)
                if missing:
                    new_xml = insert_cells(new_xml, {k: inputs[k] for k in missing})
            count += cells
            if new_xml != xml:
                replaced[sheet.part] = deflate.finish(new_xml) if deflate is not None else new_xml
            elif deflate is not None:
                deflate.cancel()
        if settled is None and self.settlement(seeds).values:
            return self.save(path, in_place=in_place)  # again, with what the settlement changed
        write_atomically(dest, self.package.to_bytes(replaced))
        computed_by, fallback = self._attribution(count - len(not_evaluated), len(self.settlement().engines))
        return RecalcReport(str(dest), self.engine_name, count, not_evaluated, computed_by, fallback)

    def _bulk_values(self, sheet: Sheet, settled: dict | None):
        """The engine's numbers for many cells at once (see :func:`.xlsx.cells.rewrite_cached_values_in_one_pass`)
        when no settled value overrides the engine's: ``fresh`` per cell would give the same
        (tests/test_rewrite_paths.py), at several times the cost."""
        if settled:
            return None
        return partial(self._numbers_in_bulk, sheet, self._stale_by_design())

    def _numbers_in_bulk(self, sheet: Sheet, stale: set | None, rows: list[int], cols: list[int],
                         types: list, cached: list) -> list:
        """The engine's number for each cell, or ASK (ask ``fresh``) — also where Excel's saved
        value is a second opinion (``stale`` not None) and the cell's saved value is not the same
        number: only ``fresh`` decides a disagreement."""
        values = self._engine.numbers(sheet, rows, cols)
        if stale is None:
            return values
        for i, (value, t, text) in enumerate(zip(values, types, cached)):
            if value is ASK or text is None:
                continue  # no saved value: nothing to disagree with (as in _against_excel)
            try:
                if t is None and float(text) == value:
                    continue  # the very number Excel saved
            except ValueError:
                pass
            values[i] = ASK  # a near miss, another type, stale by design: fresh decides
        return values

    def _background_deflate(self, part: str, xml: bytes) -> BackgroundDeflate | None:
        """A compressor for a big deflated sheet, fed while the sheet is rewritten (the second
        core compresses what the first has written; see :mod:`.xlsx.zipcopy`)."""
        if len(xml) < _DEFLATE_AHEAD_BYTES:
            return None
        info = next((i for i in self.package.infos if i.filename == part), None)
        return BackgroundDeflate() if info is not None and info.compress_type == zipfile.ZIP_DEFLATED else None

    def _attribution(self, computed: int, by_fallback: int) -> tuple[dict[str, int], dict | None]:
        """(engine → formula cells it computed, the reference engine's run): ``computed`` cells
        have a fresh value, ``by_fallback`` of them from the reference engine."""
        settlement = self.settlement()
        computed_by = {self.engine_name: computed - by_fallback}
        if by_fallback:
            computed_by["formulas"] = by_fallback
        return computed_by, settlement.fallback.as_dict() if settlement.fallback else None

    # -- scenarios (xlroi.scenarios): many what-ifs on this one loaded model ------------------
    def sweep(self, vary, watch, progress=None) -> list[dict]:
        """Every combination of ``vary`` ({ref: values or "START:STOP:STEP"}), each a dict of
        the varied and ``watch`` references (as typed) to their values. See :mod:`xlroi.scenarios`."""
        from .scenarios import sweep

        return sweep(self, vary, watch, progress)

    def goal_seek(self, target: str, value: float, by_changing: str, **options):
        """Excel's Goal Seek: the value of ``by_changing`` that makes ``target`` equal ``value``
        (left in the cell). See :func:`xlroi.scenarios.goal_seek`."""
        from .scenarios import goal_seek

        return goal_seek(self, target, value, by_changing, **options)


@contextmanager
def paused_gc():
    """No cyclic garbage collection meanwhile: the hot paths allocate a few objects per formula
    cell (none in cycles), and at 250,000 cells the collector's repeated passes over them took
    more time than the work (measured: 0.21 s instead of 0.04 s to make the cells)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _quote(name: str) -> str:
    from .xlsx.refs import quote_sheet

    return quote_sheet(name)


__all__ = ["open", "Workbook", "CheckReport", "RecalcReport", "parse_input", "ENGINES"]
