"""The fast engine: IronCalc (Rust), with the four functions as LAMBDA defined names.

IronCalc has no hook for Python functions, but it evaluates ``LAMBDA``. Each function's
``lambda_formula`` from the registry is written into the prepared copy's ``workbook.xml`` as a
defined name before loading (adding names to a loaded model makes IronCalc re-parse every
formula: about 0.7 s per name at 50,000 rows). The user's file never gets these names.
"""
from __future__ import annotations

import os
import posixpath
import re
import sys
import threading
from contextlib import contextmanager
from itertools import repeat
from math import inf
from pathlib import Path
from xml.sax.saxutils import escape

from ..errors import BadReference, EngineUnavailable, ExcelError, NotAWorkbook
from ..functions import FUNCTIONS
from ..functions.coercion import Scalar
from ..xlsx.package import Package, Sheet
from . import date1904
from .base import ASK, Engine, EngineValue, NotEvaluated, error_or_not_evaluated

# Excel's own limit on a formula's length: files Excel writes never exceed it, and a longer one
# is a crafted file. IronCalc parses and evaluates recursively; such a formula ("((((…" a
# hundred thousand deep) would overflow the stack and kill the process, so it never reaches it.
MAX_FORMULA_CHARS = 8192
# IronCalc runs on a thread with this much stack (address space reserved, not memory used):
# Excel-sized formulas nest at most ~4,000 levels, which needs more than a main thread's 8 MiB.
ENGINE_STACK_BYTES = 256 * 1024 * 1024

# A stylesheet for packages that have none (it is optional; IronCalc refuses to load without one).
MINIMAL_STYLES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    b'<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    b'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    b'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    b'<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    b'<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)

class _AfterLongText:
    """A compiled pattern whose ``search`` first checks, in one quick pass, for what every match
    holds — a run of MAX_FORMULA_CHARS characters without markup — instead of trying the full
    pattern at every "<" of a 30 MB sheet (0.03 s instead of 0.12 s at W(50,000))."""

    _RUN = re.compile(rb">[^<]{%d}" % MAX_FORMULA_CHARS)

    def __init__(self, pattern: re.Pattern):
        self.pattern = pattern

    def search(self, data: bytes):
        return self.pattern.search(data) if self._RUN.search(data) else None

    def sub(self, repl, data: bytes) -> bytes:
        return self.pattern.sub(repl, data)


_LONG_FORMULA = _AfterLongText(re.compile(rb"(<(?:\w+:)?f\b[^>]*?>)([^<]{%d,})(</(?:\w+:)?f>)" % MAX_FORMULA_CHARS))
_LONG_NAME = re.compile(rb"<((?:\w+:)?)definedName\b[^>]*>[^<]{%d,}</(?:\w+:)?definedName>" % MAX_FORMULA_CHARS)
_ITERATE = re.compile(rb"<(?:\w+:)?calcPr\b[^>]*\biterate\s*=\s*[\"'](?:1|true)[\"']")
# What an over-long formula becomes in the engine's copy: a formula IronCalc cannot parse.
_REFUSED = b"#XLROI_REFUSED("


def run_with_big_stack(function, *args):
    """``function(*args)`` on a thread with ENGINE_STACK_BYTES of stack; its exception re-raised here."""
    result: list = []

    def target() -> None:
        try:
            result.append((True, function(*args)))
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller's thread
            result.append((False, exc))

    with _STACK_LOCK:
        previous = threading.stack_size(ENGINE_STACK_BYTES)
        try:
            thread = threading.Thread(target=target, name="xlroi-ironcalc", daemon=True)
            thread.start()
        finally:
            threading.stack_size(previous)
    thread.join()
    ok, value = result[0]
    if not ok:
        raise value
    return value


_STACK_LOCK = threading.Lock()


@contextmanager
def stdout_to_stderr():
    """IronCalc prints notes ("Unexpected type (empty) in Sheet1!A2") on the process's standard
    output, which would corrupt ``--json``; send file descriptor 1 to standard error meanwhile."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError, AttributeError):  # no real stdout (e.g. pythonw): nothing to guard
        yield
        return
    try:
        os.dup2(2, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__

_DEFINED_NAMES_END = re.compile(rb"</(\w+:)?definedNames>")
_EMPTY_DEFINED_NAMES = re.compile(rb"<(\w+:)?definedNames\s*/>")
_SHEETS_END = re.compile(rb"</(\w+:)?sheets>")
_DEFINED_NAME = re.compile(rb"<(?:\w+:)?definedName\b([^>]*)>", re.S)


def with_lambda_names(workbook_xml: bytes, extra: dict[str, str] | None = None) -> bytes:
    """``workbook.xml`` with a LAMBDA defined name for each function the workbook does not define
    (and the ``extra`` names → formulas, e.g. the 1904 date helpers)."""
    existing = {
        m.group(1).decode().upper()
        for attrs in _DEFINED_NAME.findall(workbook_xml)
        if b"localSheetId" not in attrs and (m := re.search(rb'name="([^"]*)"', attrs))
    }
    names = b"".join(
        b'<definedName name="%s">%s</definedName>' % (f.name.encode(), escape(f.lambda_formula).encode())
        for f in FUNCTIONS.values()
        if f.name not in existing
    ) + b"".join(b'<definedName name="%s">%s</definedName>' % (name.encode(), escape(formula).encode())
                 for name, formula in (extra or {}).items() if name not in existing)
    if not names:
        return workbook_xml
    end = _DEFINED_NAMES_END.search(workbook_xml)
    if end:
        return workbook_xml[: end.start()] + _prefixed(names, end.group(1)) + workbook_xml[end.start():]
    empty = _EMPTY_DEFINED_NAMES.search(workbook_xml)
    if empty:
        prefix = empty.group(1) or b""
        block = b"<%sdefinedNames>%s</%sdefinedNames>" % (prefix, _prefixed(names, prefix), prefix)
        return workbook_xml[: empty.start()] + block + workbook_xml[empty.end():]
    end = _SHEETS_END.search(workbook_xml)
    if not end:
        raise NotAWorkbook("workbook.xml has no list of sheets")
    prefix = end.group(1) or b""
    block = b"<%sdefinedNames>%s</%sdefinedNames>" % (prefix, _prefixed(names, prefix), prefix)
    return workbook_xml[: end.end()] + block + workbook_xml[end.end():]


def _prefixed(names: bytes, prefix: bytes | None) -> bytes:
    """The names written with the namespace prefix the workbook part uses (``x:`` in some tools)."""
    if not prefix:
        return names
    return names.replace(b"<definedName", b"<" + prefix + b"definedName").replace(b"</definedName", b"</" + prefix + b"definedName")


# A call of the four functions whose arguments are all single cells or numbers: ROI(M2,N2).
_SIMPLE_ARGUMENT = rb"(?:\$?[A-Z]{1,3}\$?[1-9][0-9]{0,6}|[0-9]+(?:\.[0-9]+)?)"
_SIMPLE_CALL = re.compile(
    rb"(?<![\w.!$\\])(" + "|".join(sorted(FUNCTIONS, key=len, reverse=True)).encode() + rb")\(("
    + _SIMPLE_ARGUMENT + rb"(?:," + _SIMPLE_ARGUMENT + rb")*)\)")
_LITERALS = re.compile(rb"(\"(?:[^\"]|\"\")*\"|'(?:[^']|'')*')")  # strings and quoted sheet names
# A shared formula's text is parsed once for all its cells, so from this many cells on the four
# functions' calls are written out as plain formulas (each LAMBDA call costs IronCalc ~8 µs and
# ~4 KB it keeps until the model is dropped; the plain formula ~2 µs and nothing — measured on
# W(50,000), docs/speed.md). Singletons keep the LAMBDA call: a long formula parses slowly.
INLINE_MIN_CELLS = 8


def inline_simple_calls(text: bytes, functions: frozenset[str]) -> bytes:
    """Formula text (as stored in XML) with each call of ``functions`` whose arguments are single
    cells or numbers replaced by the registry's plain formula (the portable form; the same rules,
    proven equal by tests/test_lambda_agreement.py and tests/test_engine_copy.py). Text inside
    string literals and quoted sheet names is left alone; calls with ranges, names, other calls
    or anything else as an argument stay LAMBDA calls."""
    if b"(" not in text:
        return text

    def plain(m: re.Match) -> bytes:
        name = m.group(1).decode()
        if name not in functions:
            return m.group(0)
        formula = FUNCTIONS[name].inline_formula(m.group(2).decode().split(","))
        return b"(" + escape(formula).encode() + b")"

    pieces = _LITERALS.split(text)
    pieces[::2] = [_SIMPLE_CALL.sub(plain, piece) for piece in pieces[::2]]
    inlined = b"".join(pieces)
    return inlined if len(inlined) <= MAX_FORMULA_CHARS else text


def shared_formula_parts(package: Package, parts: dict[str, bytes]) -> dict[str, bytes]:
    """The sheets of the engine's copy with their filled-down formulas written as shared formulas
    (IronCalc parses each group once) and, in groups of INLINE_MIN_CELLS or more — theirs or the
    ones the workbook already has, as Excel saves filled-down columns — the four
    functions' simple calls as plain formulas (see :func:`inline_simple_calls`). Functions the
    workbook defines a name for itself keep that name's meaning: they are never inlined."""
    from ..xlsx.shared_formulas import rewrite_shared_anchors, share_formulas

    own = {n.name.upper() for n in package.defined_names}
    functions = frozenset(name for name in FUNCTIONS if name not in own)

    def anchor(text: bytes, cells: int) -> bytes:
        return inline_simple_calls(text, functions) if cells >= INLINE_MIN_CELLS else text

    changed = {}
    for sheet in package.sheets:
        original = parts.get(sheet.part, package.parts.get(sheet.part))
        if not original:
            continue
        xml = rewrite_shared_anchors(original, anchor) or original  # the workbook's own groups
        xml = share_formulas(xml, anchor) or xml
        if xml is not original:
            changed[sheet.part] = xml
    return changed


# openpyxl writes a styled empty cell as <c r="B10" s="5" t="n"></c>; IronCalc reads that as
# the number 0 (so B10="" is FALSE). Without the t it is the empty cell Excel sees.
_EMPTY_NUMBER_CELL = re.compile(rb'(<(?:\w+:)?c\b[^>]*?)\s+t="n"((?:></(?:\w+:)?c>)|/>)')
_ABSOLUTE_TARGET = re.compile(rb'Target="/([^"]+)"')


def with_relative_targets(rels_xml: bytes, folder: str) -> bytes:
    """IronCalc joins an absolute relationship target (``/xl/comments/comment1.xml``, as openpyxl
    writes them) to the sheet's folder and then cannot find the part; make them relative."""
    return _ABSOLUTE_TARGET.sub(
        lambda m: b'Target="%s"' % posixpath.relpath(m.group(1).decode(), folder or ".").encode(), rels_xml
    )


class IronCalcEngine(Engine):
    name = "fast"
    reads_copy_once = True  # the copy is read by load_from_xlsx and never again (it may be in memory)

    def __init__(self, package: Package, prepared: Path):
        super().__init__(package, prepared)
        try:
            import ironcalc
        except ImportError as exc:  # pragma: no cover - ironcalc is a dependency
            raise EngineUnavailable(f"the fast engine needs the ironcalc package ({exc})") from None
        try:
            with stdout_to_stderr():
                self.model = run_with_big_stack(ironcalc.load_from_xlsx, str(prepared), "en", "UTC", "en")
            self._index = {p["name"]: i for i, p in enumerate(self.model.get_worksheets_properties())}
        except BaseException as exc:  # IronCalc raises WorkbookError, or panics (PanicException)
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            raise EngineUnavailable(f"{package.path.name}: the fast engine cannot load this workbook ({_reason(exc)}); try --engine formulas") from None
        self._error_type = ironcalc.CellType.ErrorValue
        workbook = package.parts.get(package.workbook_part, b"")
        self.iterate = bool(_ITERATE.search(workbook))
        self.refused: dict[tuple[str, int, int], str] = getattr(package, "_ironcalc_refused", {})
        self.apply_text_overrides()

    @classmethod
    def prepare_parts(cls, package: Package) -> dict[str, bytes]:
        parts = super().prepare_parts(package)
        dated, refused = date1904.engine_parts(package, parts)  # a 1904 workbook: its dates moved
        parts.update(dated)
        workbook = parts.get(package.workbook_part, package.parts[package.workbook_part])
        if _LONG_NAME.search(workbook):  # a defined name no Excel could write: dropped from the copy
            workbook = _LONG_NAME.sub(b"", workbook)
        parts[package.workbook_part] = with_lambda_names(workbook, date1904.LAMBDAS if dated else None)
        if "xl/styles.xml" not in package.parts:
            parts["xl/styles.xml"] = MINIMAL_STYLES
        for sheet in package.sheets:
            xml = parts.get(sheet.part, package.parts.get(sheet.part))
            if xml is not None and (b't="n"></c>' in xml or b't="n"/>' in xml):
                parts[sheet.part] = xml = _EMPTY_NUMBER_CELL.sub(rb"\1\2", xml)
            if xml is not None and _LONG_FORMULA.search(xml):
                parts[sheet.part] = refuse_long_formulas(xml, sheet, refused)
        package._ironcalc_refused = refused  # type: ignore[attr-defined]  # read back by __init__
        for name, data in package.parts.items():
            if name.endswith(".rels") and b'Target="/' in data:
                folder = posixpath.dirname(posixpath.dirname(name))  # xl/worksheets/_rels → xl/worksheets
                parts[name] = with_relative_targets(parts.get(name, data), folder)
        parts.update(shared_formula_parts(package, parts))  # last: it sees every other change
        return parts

    def set_value(self, sheet: Sheet, row: int, col: int, value: Scalar) -> None:
        index = self._index.get(sheet.name)
        if index is None:
            raise BadReference(f"{self.package.path.name}: the fast engine did not load a sheet named {sheet.name!r}")
        if value is None:
            self.model.clear_cell_contents(index, row, col)
        elif isinstance(value, bool):
            self.model.update_cell_with_bool(index, row, col, value)
        elif isinstance(value, (int, float)):
            self.model.update_cell_with_number(index, row, col, float(value))
        elif isinstance(value, ExcelError):
            self.model.set_user_input(index, row, col, str(value))
        else:
            self.model.update_cell_with_text(index, row, col, str(value))

    def recalc(self) -> None:
        try:
            with stdout_to_stderr():
                run_with_big_stack(self.model.evaluate)
        except BaseException as exc:  # a panic inside IronCalc (PanicException)
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            raise EngineUnavailable(f"{self.package.path.name}: the fast engine failed while calculating ({_reason(exc)}); try --engine formulas") from None

    def numbers(self, sheet: Sheet, rows: list[int], cols: list[int]) -> list:
        index = self._index.get(sheet.name)
        if index is None or any(s == sheet.name for s, _, _ in self.refused):
            return super().numbers(sheet, rows, cols)
        # One C-level map over IronCalc's getter: ~0.2 µs a cell instead of ~2 µs through value().
        found = map(self.model.get_cell_value, repeat(index), rows, cols)
        return [v if v.__class__ is float and -inf < v < inf else ASK for v in found]  # no NaN, no ±inf

    def value(self, sheet: Sheet, row: int, col: int) -> EngineValue:
        if self.refused and (sheet.name, row, col) in self.refused:
            return NotEvaluated(self.refused[(sheet.name, row, col)])
        index = self._index.get(sheet.name)
        if index is None:  # a damaged workbook part names the sheet differently than IronCalc read it
            return NotEvaluated(f"the fast engine did not load a sheet named {sheet.name!r}")
        value = self.model.get_cell_value(index, row, col)
        if isinstance(value, str) and value.startswith("#"):
            if self.model.get_cell_type(index, row, col) == self._error_type:
                result = error_or_not_evaluated(value)
                if self.iterate and isinstance(result, NotEvaluated) and result.reason.startswith("circular reference"):
                    return NotEvaluated("circular reference (the workbook turns on iterative calculation, "
                                        "which xlroi's engines do not do)")
                return result
        return value


def refuse_long_formulas(xml: bytes, sheet: Sheet, refused: dict[tuple[str, int, int], str], marker: bytes = _REFUSED) -> bytes:
    """The sheet with every formula over MAX_FORMULA_CHARS replaced by one IronCalc cannot parse
    (so it and the cells depending on it are reported, not evaluated); ``refused`` gets their cells."""
    from html import unescape

    from ..xlsx.cells import scan_sheet

    for cell in scan_sheet(xml).formula_cells:
        text = cell.formula
        if text is not None and len(text) > MAX_FORMULA_CHARS:
            refused[(sheet.name, cell.row, cell.col)] = (
                f"formula of {len(text):,} characters, over Excel's limit of {MAX_FORMULA_CHARS:,}")
    def replace(m: re.Match) -> bytes:
        too_long = len(unescape(m.group(2).decode("utf-8", "replace"))) > MAX_FORMULA_CHARS
        return m.group(1) + marker + m.group(3) if too_long else m.group(0)

    return _LONG_FORMULA.sub(replace, xml)
