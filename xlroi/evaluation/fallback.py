"""The reference engine for the cells the fast engine cannot evaluate.

IronCalc lacks some functions (FORECAST.ETS, GROUPBY, …), does not fill some array results
and cannot parse some formulas. The ``formulas`` engine can do many of those, but loading a
whole workbook into it is slow (the corpus' 20,000-formula torture test takes ~160 s). So it
gets a *reduced* workbook: the cells to recompute — the fast engine's failures and every
formula that depends on them — keep their formulas, every cell they read is written as a
plain value (the fast engine's value for a formula cell: it is right, since nothing it depends
on failed), and nothing else is there. The reduced workbook keeps every other part of the
package (defined names, shared strings, the 1904 flag, links), so the reference engine reads
the formulas exactly as in the full workbook.

It runs in a child process (:func:`xlroi.isolation.run_isolated`) stopped at the time left
before the job's deadline; past it the cells stay not evaluated ("reference engine: time
limit"). What the reference engine itself cannot evaluate stays not evaluated, with both
engines' reasons. Cells recomputed are attributed to it in the reports.
"""
from __future__ import annotations

import bisect
import os
import re
import tempfile
import time
from pathlib import Path

from ..engines.base import NotEvaluated
from ..errors import EvaluationTimeout, XlroiError
from ..xlsx.dependencies import CellKey, Dependencies, Region, _f_attributes
from ..xlsx.refs import MAX_COL, MAX_ROW, cell_name
from .taint import HOPELESS, FallbackRun, Settlement, ref_text

MIN_SECONDS = 2.0  # with less time left the reference engine is not started
# formulas loads about 3,000 cells a second: a reduced workbook bigger than this (a summary
# reading whole columns of a 50,000-row log) would take minutes, so it is not started
MAX_REDUCED_CELLS = 100_000
KEEP_FOR_WRITING = 0.1  # share of the time left kept for writing the workbook afterwards
# Functions that read a cell's formula or format, which the reduced workbook does not keep
READS_MORE_THAN_VALUES = frozenset({"FORMULATEXT", "ISFORMULA", "CELL", "INFO"})


def recompute(book, deps: Dependencies, seeds: dict[CellKey, NotEvaluated], settlement: Settlement) -> None:
    """Let the reference engine compute what it can of the cells ``seeds`` make not evaluated;
    ``settlement`` gets its values (attributed to it) and the run's figures."""
    targets, skipped = cells_to_recompute(deps, seeds, {n.name.upper() for n in book.package.defined_names})
    for key, why in skipped.items():
        before = settlement.values.get(key)
        if isinstance(before, NotEvaluated):
            settlement.values[key] = NotEvaluated(f"{before.reason}; {why}")
    if not targets:
        return
    run = settlement.fallback = FallbackRun(cells=sum(1 for k in targets if k in settlement.values))
    started = time.monotonic()
    budget = time_left(book)
    if budget is not None and budget < MIN_SECONDS:
        _give_up(settlement, targets, run, "time limit", "reference engine: time limit")
        return
    try:
        data = reduced_package(book, deps, targets)
    except _TooBig:
        _give_up(settlement, targets, run, "too big", f"the reference engine is not asked: it would have to load "
                 f"more than {MAX_REDUCED_CELLS:,} cells")
        return
    try:
        with tempfile.TemporaryDirectory(prefix="xlroi-fallback-") as folder:
            path = Path(folder) / f"{book.path.stem}-reduced.xlsx"
            path.write_bytes(data)
            from ..isolation import run_isolated

            values = run_isolated(evaluate_reduced, str(path), sorted(targets), timeout=budget,
                                  what="the reference engine")
    except EvaluationTimeout:
        run.seconds = time.monotonic() - started
        _give_up(settlement, targets, run, "time limit", "reference engine: time limit")
        return
    except XlroiError as exc:
        run.seconds = time.monotonic() - started
        _give_up(settlement, targets, run, f"failed: {exc}", f"reference engine failed: {exc}")
        return
    run.seconds = time.monotonic() - started
    for key in sorted(targets):
        got = values.get(key)
        before = settlement.values.get(key)
        if not isinstance(before, NotEvaluated):
            continue  # an array's anchor, recomputed for the cells it fills: the fast engine's value stands
        if isinstance(got, NotEvaluated):
            settlement.values[key] = NotEvaluated(f"{before.reason}; the reference engine could not either: {got.reason}")
        else:
            settlement.values[key] = got
            settlement.engines[key] = "formulas"
            run.refs.append(ref_text(key))
    run.recovered = len(run.refs)


def cells_to_recompute(deps: Dependencies, seeds: dict[CellKey, NotEvaluated],
                       defined_names: set[str] = frozenset()) -> tuple[set[CellKey], dict[CellKey, str]]:
    """(cells the reference engine is asked for, cells it is not asked for although they fail
    for a reason it might not share → why). A seed whose reason the reference engine shares
    (:data:`~xlroi.evaluation.taint.HOPELESS`) and what depends on it are never asked for."""
    from ..engines.capabilities import lacking

    recoverable = {k for k, v in seeds.items() if not v.reason.startswith(HOPELESS)}
    if not recoverable:
        return set(), {}
    hopeless = set(seeds) - recoverable
    blocked = (hopeless | deps.dependents_closure(hopeless)) if hopeless else set()
    start = recoverable | {a for a in map(deps.anchor_of, recoverable) if a is not None}
    wanted = (start | deps.dependents_closure(start)) - blocked
    skipped: dict[CellKey, str] = {}
    called = set().union(*(deps.functions_called(k) for k in wanted))
    missing = lacking("formulas", called, defined_names, udfs=True)  # it lacks them too: no use asking
    for reason, unfit in (
            ("the reference engine is not asked (the formula reads formulas or formats, not only values)",
             {k for k in wanted if deps.functions_called(k) & READS_MORE_THAN_VALUES}),
            (None, {k for k in wanted if deps.functions_called(k) & missing})):
        if unfit:
            for key in unfit | deps.dependents_closure(unfit):
                if key in wanted and key not in skipped:
                    lacks = sorted(deps.functions_called(key) & missing) if reason is None else []
                    skipped[key] = reason or (f"the reference engine lacks {', '.join(lacks)} too" if lacks
                                              else "the reference engine is not asked (it depends on a function it lacks)")
    return wanted - set(skipped), skipped


def time_left(book) -> float | None:
    """Seconds the reference engine may take: what is left before the book's deadline or the
    time limit of the job this process runs (less a share kept for writing the workbook), or
    the default time limit (``XLROI_TIMEOUT``, 300 s) when there is neither."""
    from .. import isolation

    deadline = getattr(book, "deadline", None)
    left = deadline - time.monotonic() if deadline is not None else isolation.time_left()
    if left is None:
        return isolation.default_timeout()
    return left * (1 - KEEP_FOR_WRITING)


def _give_up(settlement: Settlement, targets: set[CellKey], run: FallbackRun, status: str, why: str) -> None:
    run.status = status
    for key in targets:
        before = settlement.values.get(key)
        if isinstance(before, NotEvaluated):
            settlement.values[key] = NotEvaluated(f"{before.reason}; {why}")


def evaluate_reduced(path: str, keys: list[CellKey]) -> dict[CellKey, object]:
    """(In the child process) the reference engine's values of ``keys`` in the reduced workbook."""
    _die_with_parent()
    # formulas draws progress bars on standard error; this process reports through its pipe only
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
    from ..workbook import Workbook

    book = Workbook(path, engine="formulas")
    book.fallback = False
    book.excel_values = False  # the reduced copy's cached values are the fast engine's: the caller judges
    out = {}
    for sheet_name, row, col in keys:
        out[(sheet_name, row, col)] = book.value(book.package.sheet(sheet_name), row, col)
    return out


def _die_with_parent() -> None:
    """Linux: the child is killed when its parent dies (a job stopped at its own time limit
    must not leave the reference engine running)."""
    try:
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError, ValueError):
        pass


# -- the reduced workbook -----------------------------------------------------------------------------

_ROOT = re.compile(rb"<((?:\w+:)?)worksheet\b[^>]*>")
_F_ELEMENT = re.compile(rb"<((?:\w+:)?)f\b[^>]*?(?:/>|>.*?</(?:\w+:)?f>)", re.S)
_EMPTY_RELS = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>')


def reduced_package(book, deps: Dependencies, targets: set[CellKey]) -> bytes:
    """The workbook with only ``targets`` as formulas and the cells they read as values."""
    regions = deps.regions_read(targets)
    by_sheet: dict[str, set[tuple[int, int]]] = {}
    for sheet, row, col in targets:
        by_sheet.setdefault(sheet, set()).add((row, col))
    cover: dict[int, list[Region]] = {}
    for region in regions or []:
        cover.setdefault(region[0], []).append(region)
    replaced: dict[str, bytes] = {}
    counted = [len(targets)]
    for s, sheet in enumerate(book.package.sheets):
        xml = book.package.parts.get(sheet.part)
        if xml is None or _ROOT.search(xml) is None:
            continue
        covered = _Cover(cover.get(s, [])) if regions is not None else _Cover.everything()
        replaced[sheet.part] = _reduced_sheet(book, sheet, xml, by_sheet.get(sheet.name, set()), covered, counted)
        rels = "/".join(sheet.part.split("/")[:-1] + ["_rels", sheet.part.split("/")[-1] + ".rels"])
        if rels in book.package.parts:  # tables, drawings, comments: not needed, not read
            replaced[rels] = _EMPTY_RELS
    return book.package.to_bytes(replaced, compress=False)


class _TooBig(Exception):
    """The reduced workbook would hold more than MAX_REDUCED_CELLS cells."""


def _reduced_sheet(book, sheet, xml: bytes, targets: set[tuple[int, int]], covered: "_Cover", counted: list[int]) -> bytes:
    from ..xlsx.cells import _value_xml, _walk

    root = _ROOT.search(xml)
    prefix = root.group(1)
    shared = _shared_anchors(book, sheet, xml) if targets else {}
    rows: dict[int, list[tuple[int, bytes]]] = {}
    for m, row, col in _walk(xml):
        if (row, col) in targets:
            rows.setdefault(row, []).append((col, _target_cell(book, sheet, xml, m, row, col, shared)))
            continue
        if not covered.contains(row, col):
            continue
        counted[0] += 1
        if counted[0] > MAX_REDUCED_CELLS:
            raise _TooBig
        formula = book._formula_cell(sheet, row, col)
        if formula is None:
            rows.setdefault(row, []).append((col, m.group(0)))  # a value, as it is
            continue
        value = book._formula_value(sheet, formula)
        if isinstance(value, NotEvaluated) or value is None:
            continue
        t, children = _value_xml(prefix, value, formula=False)
        t_attr = b' t="%s"' % t if t else b""
        rows.setdefault(row, []).append((col, b'<%sc r="%s"%s>%s</%sc>' % (
            prefix, cell_name(row, col).encode(), t_attr, children, prefix)))
    body = b"".join(
        b'<%srow r="%d">%s</%srow>' % (prefix, row, b"".join(x for _, x in sorted(cells)), prefix)
        for row, cells in sorted(rows.items()))
    head = xml[:root.end()]
    return head + b"<%ssheetData>%s</%ssheetData></%sworksheet>" % (prefix, body, prefix, prefix)


def _shared_anchors(book, sheet, xml: bytes) -> dict[str, tuple[str, int, int]]:
    """si → (formula, row, column) of each shared formula's anchor on the sheet."""
    anchors = {}
    for cell in book.scan(sheet).formula_cells:
        if cell.kind == "shared" and cell.formula is not None:
            si = _f_attributes(xml, cell.span).get("si")
            if si is not None:
                anchors[si] = (cell.formula, cell.row, cell.col)
    return anchors


def _target_cell(book, sheet, xml: bytes, m, row: int, col: int, shared: dict) -> bytes:
    """A cell to recompute: as it is, but a shared formula written out in full."""
    from xml.sax.saxutils import escape

    element = m.group(0)
    cell = book._formula_cell(sheet, row, col)
    if cell is None or cell.kind != "shared":
        return element
    text = cell.formula
    if text is None:
        si = _f_attributes(xml, cell.span).get("si")
        anchor = shared.get(si)
        if anchor is None:
            return element
        from openpyxl.formula.translate import Translator

        formula, r0, c0 = anchor
        text = Translator("=" + formula, origin=cell_name(r0, c0)).translate_formula(cell_name(row, col))[1:]
    f = _F_ELEMENT.search(element)
    if f is None:
        return element
    p = f.group(1)
    return element[:f.start()] + b"<%sf>%s</%sf>" % (p, escape(text).encode("utf-8"), p) + element[f.end():]


class _Cover:
    """Whether a cell lies in one of a sheet's regions (per column for narrow regions)."""

    def __init__(self, regions: list[Region], everything: bool = False):
        self.all = everything or any(r[1] == 1 and r[2] == 1 and r[3] == MAX_ROW and r[4] == MAX_COL for r in regions)
        columns: dict[int, list[tuple[int, int]]] = {}
        self.wide = []
        for _, top, left, bottom, right in regions:
            if right - left < 1024:
                for col in range(left, right + 1):
                    columns.setdefault(col, []).append((top, bottom))
            else:
                self.wide.append((top, left, bottom, right))
        self.columns = {col: _merged(spans) for col, spans in columns.items()}

    @classmethod
    def everything(cls) -> "_Cover":
        return cls([], everything=True)

    def contains(self, row: int, col: int) -> bool:
        if self.all:
            return True
        spans = self.columns.get(col)
        if spans:
            starts, ends = spans
            k = bisect.bisect_right(starts, row) - 1
            if k >= 0 and ends[k] >= row:
                return True
        return any(t <= row <= b and l <= col <= r for t, l, b, r in self.wide)


def _merged(spans: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    spans.sort()
    starts, ends = [], []
    for top, bottom in spans:
        if ends and top <= ends[-1] + 1:
            ends[-1] = max(ends[-1], bottom)
        else:
            starts.append(top)
            ends.append(bottom)
    return starts, ends


__all__ = ["recompute", "cells_to_recompute", "reduced_package", "evaluate_reduced", "time_left"]
