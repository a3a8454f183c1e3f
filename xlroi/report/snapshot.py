"""Read a filled template once, recalculated, into a plain snapshot the report is built from.

The snapshot is what the workbook says *after* recalculation (the report never shows a stale
cached value): every cell the report may show, by its Excel address, plus the formulas of the
headline cells, the cells whose cached values were stale in the file, and the file's SHA-256.
It is plain data (picklable), so the reading can run in a child process with a time limit
(:func:`xlroi.isolation.run_isolated`) while the rendering runs here.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import NotATemplate
from . import layout as L


@dataclass
class Snapshot:
    path: str
    sha256: str
    engine: str
    values: dict[str, object]                 # "'Step 5 ROI'!B15" -> value (None = empty cell)
    formulas: dict[str, str] = field(default_factory=dict)   # headline cell -> "=formula"
    stale: list[str] = field(default_factory=list)           # cells whose cached value was stale
    not_evaluated: dict[str, str] = field(default_factory=dict)  # cell -> reason
    formula_cells: int = 0

    def __getitem__(self, ref: str) -> object:
        return self.values.get(ref)


def _unquoted(text: str) -> str:
    return text.replace("$", "").replace("'", "").lower()


def check_names(book) -> None:
    """Raise :class:`NotATemplate` unless ``book`` has the template's names where this version puts them."""
    names = {n.name.lower(): n.formula for n in book.package.defined_names if n.sheet_index is None}
    missing = [name for name in L.REQUIRED_NAMES if name.lower() not in names]
    if missing:
        raise NotATemplate(f"{book.path}: not an xlroi template: defined names missing: {', '.join(missing)}")
    moved = [f"{name} is {names[name.lower()]} (expected {target})" for name, target in L.REQUIRED_NAMES.items()
             if _unquoted(names[name.lower()]) != _unquoted(target)]
    if moved:
        raise NotATemplate(f"{book.path}: an xlroi template of another layout: {'; '.join(moved[:3])}")


def read_snapshot(path: str | os.PathLike, engine: str = "fast") -> Snapshot:
    """Open ``path``, check it is an xlroi template, recalculate, and read every region the
    report shows. Raises the workbook API's errors for unreadable files and
    :class:`NotATemplate` for a workbook without the template's defined names."""
    from ..engines.base import NotEvaluated
    from ..workbook import open as open_workbook
    from ..xlsx.refs import cell_name

    path = Path(path)
    book = open_workbook(path, engine=engine)
    check_names(book)
    values: dict[str, object] = {}
    not_evaluated: dict[str, str] = {}
    for region in L.REGIONS:
        area = book.area(region)
        rows = book[region]
        prefix = region.split("!")[0]
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                ref = f"{prefix}!{cell_name(area.top + r, area.left + c)}"
                if isinstance(value, NotEvaluated):
                    not_evaluated[ref] = value.reason
                    value = None
                values[ref] = value
    check = book.check()
    formulas = {}
    index = {f"'{sheet.name}'!{cell.name}": cell.formula for sheet, cell in book.formula_cells()}
    for _label, ref, _kind in L.HEADLINE_CELLS:
        if ref in index:
            formulas[ref] = "=" + index[ref]
    return Snapshot(
        path=str(path), sha256=hashlib.sha256(path.read_bytes()).hexdigest(), engine=engine, values=values,
        formulas=formulas, stale=[d.ref for d in check.differences if d.status == "differs"],
        not_evaluated=not_evaluated, formula_cells=check.formula_cells)
