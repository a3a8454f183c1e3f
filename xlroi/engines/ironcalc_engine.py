"""The fast engine: IronCalc (Rust), with the four functions as LAMBDA defined names.

IronCalc has no hook for Python functions, but it evaluates ``LAMBDA``. Each function's
``lambda_formula`` from the registry is written into the prepared copy's ``workbook.xml`` as a
defined name before loading (adding names to a loaded model makes IronCalc re-parse every
formula: about 0.7 s per name at 50,000 rows). The user's file never gets these names.
"""
from __future__ import annotations

import posixpath
import re
from pathlib import Path
from xml.sax.saxutils import escape

from ..errors import EngineUnavailable, ExcelError, NotAWorkbook
from ..functions import FUNCTIONS
from ..functions.coercion import Scalar
from ..xlsx.package import Package, Sheet
from .base import Engine, EngineValue, error_or_not_evaluated

_DEFINED_NAMES_END = re.compile(rb"</(\w+:)?definedNames>")
_EMPTY_DEFINED_NAMES = re.compile(rb"<(\w+:)?definedNames\s*/>")
_SHEETS_END = re.compile(rb"</(\w+:)?sheets>")
_DEFINED_NAME = re.compile(rb"<(?:\w+:)?definedName\b([^>]*)>", re.S)


def with_lambda_names(workbook_xml: bytes) -> bytes:
    """``workbook.xml`` with a LAMBDA defined name for each function the workbook does not define."""
    existing = {
        m.group(1).decode().upper()
        for attrs in _DEFINED_NAME.findall(workbook_xml)
        if b"localSheetId" not in attrs and (m := re.search(rb'name="([^"]*)"', attrs))
    }
    names = b"".join(
        b'<definedName name="%s">%s</definedName>' % (f.name.encode(), escape(f.lambda_formula).encode())
        for f in FUNCTIONS.values()
        if f.name not in existing
    )
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

    def __init__(self, package: Package, prepared: Path):
        super().__init__(package, prepared)
        try:
            import ironcalc
        except ImportError as exc:  # pragma: no cover - ironcalc is a dependency
            raise EngineUnavailable(f"the fast engine needs the ironcalc package ({exc})") from None
        try:
            self.model = ironcalc.load_from_xlsx(str(prepared), "en", "UTC", "en")
        except BaseException as exc:  # IronCalc raises WorkbookError, or panics (PanicException)
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise EngineUnavailable(f"{package.path.name}: the fast engine cannot load this workbook ({reason}); try --engine formulas") from None
        self._error_type = ironcalc.CellType.ErrorValue
        self._index = {p["name"]: i for i, p in enumerate(self.model.get_worksheets_properties())}

    @classmethod
    def prepare_parts(cls, package: Package) -> dict[str, bytes]:
        parts = super().prepare_parts(package)
        workbook = parts.get(package.workbook_part, package.parts[package.workbook_part])
        parts[package.workbook_part] = with_lambda_names(workbook)
        for sheet in package.sheets:
            xml = parts.get(sheet.part, package.parts.get(sheet.part))
            if xml is not None and (b't="n"></c>' in xml or b't="n"/>' in xml):
                parts[sheet.part] = _EMPTY_NUMBER_CELL.sub(rb"\1\2", xml)
        for name, data in package.parts.items():
            if name.endswith(".rels") and b'Target="/' in data:
                folder = posixpath.dirname(posixpath.dirname(name))  # xl/worksheets/_rels → xl/worksheets
                parts[name] = with_relative_targets(parts.get(name, data), folder)
        return parts

    def set_value(self, sheet: Sheet, row: int, col: int, value: Scalar) -> None:
        index = self._index[sheet.name]
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
        self.model.evaluate()

    def value(self, sheet: Sheet, row: int, col: int) -> EngineValue:
        index = self._index[sheet.name]
        value = self.model.get_cell_value(index, row, col)
        if isinstance(value, str) and value.startswith("#"):
            if self.model.get_cell_type(index, row, col) == self._error_type:
                return error_or_not_evaluated(value)
        return value
