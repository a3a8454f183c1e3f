"""Two engines, one answer: recalculate a workbook with both and say where they disagree.

For every formula cell the fast engine (IronCalc + LAMBDA) and the reference engine
(``formulas`` + the Python functions) are compared with each other and with the value saved
in the file (Excel's own, for workbooks Excel saved).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from .engines.base import EngineValue, NotEvaluated
from .functions.coercion import Scalar
from .workbook import Workbook, to_json_value, values_match
from .xlsx.refs import quote_sheet


@dataclass
class Disagreement:
    ref: str
    formula: str | None
    cached: Scalar
    fast: EngineValue
    formulas: EngineValue

    @property
    def verdict(self) -> str:
        fast_ok = self.cached is not None and values_match(self.cached, self.fast)
        ref_ok = self.cached is not None and values_match(self.cached, self.formulas)
        if fast_ok and not ref_ok:
            return "fast matches Excel"
        if ref_ok and not fast_ok:
            return "formulas matches Excel"
        if self.cached is None:
            return "no cached value to decide"
        return "neither matches Excel"


@dataclass
class EngineComparison:
    path: str
    formula_cells: int = 0
    compared: int = 0  # cells with a cached value
    agree: int = 0
    matches_excel: dict[str, int] = field(default_factory=lambda: {"fast": 0, "formulas": 0})
    not_evaluated: dict[str, int] = field(default_factory=lambda: {"fast": 0, "formulas": 0})
    disagreements: list[Disagreement] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "path": self.path, "formula_cells": self.formula_cells, "compared": self.compared,
            "agree": self.agree, "matches_excel": self.matches_excel, "not_evaluated": self.not_evaluated,
            "disagreements": [
                {"ref": d.ref, "formula": d.formula, "cached": to_json_value(d.cached),
                 "fast": to_json_value(d.fast), "formulas": to_json_value(d.formulas), "verdict": d.verdict}
                for d in self.disagreements
            ],
        }


def compare_engines(path: str | os.PathLike, books: dict[str, Workbook] | None = None) -> EngineComparison:
    """Compare the engines on ``path`` (``books`` reuses workbooks already opened with each)."""
    if books is None:
        books = {name: Workbook(path, engine=name) for name in ("fast", "formulas")}
        books["fast"].fallback = False  # each engine on its own (the fallback would lend it the other's values)
    result = EngineComparison(str(path))
    fast = books["fast"]
    for sheet, cell in fast.formula_cells():
        result.formula_cells += 1
        values = {name: book.value(sheet, cell.row, cell.col) for name, book in books.items()}
        for name, value in values.items():
            if isinstance(value, NotEvaluated):
                result.not_evaluated[name] += 1
            if cell.cached is not None and values_match(cell.cached, value):
                result.matches_excel[name] += 1
        if cell.cached is not None:
            result.compared += 1
        if values_match(values["formulas"], values["fast"]) or (values["fast"] is None and values["formulas"] is None):
            result.agree += 1
        else:
            ref = f"{quote_sheet(sheet.name)}!{cell.name}"
            result.disagreements.append(Disagreement(ref, cell.formula, cell.cached, values["fast"], values["formulas"]))
    return result


@dataclass
class TimedCheck:
    """``xlroi check --json`` run in a separate process with a time limit."""

    path: str
    engine: str
    seconds: float
    timed_out: bool
    report: dict | None  # CheckReport.as_dict(), None when timed out or failed
    error: str | None = None


def check_with_time_limit(path: str | os.PathLike, engine: str, timeout: float, fallback: bool = True) -> TimedCheck:
    """Check ``path`` with ``engine`` in a child process, giving up after ``timeout`` seconds
    (``fallback``: the reference engine computes what the fast engine cannot).

    The reference engine can take minutes on whole-column ranges; a corpus run must still end.
    """
    import json
    import subprocess
    import sys
    import time

    start = time.perf_counter()
    command = [sys.executable, "-m", "xlroi", "check", str(path), "--engine", engine, "--json"]
    command += ([] if fallback else ["--no-fallback"]) + ["--timeout", f"{timeout + 30:g}"]  # our limit comes first
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return TimedCheck(str(path), engine, time.perf_counter() - start, True, None)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        return TimedCheck(str(path), engine, seconds, False, None, done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}")
    return TimedCheck(str(path), engine, seconds, False, json.loads(done.stdout)[0])


def disagreements_from_checks(fast: dict, formulas: dict) -> list[dict]:
    """Cells where the two engines' values differ, from two ``check`` reports of one workbook.

    A cell missing from one report's differences matched Excel's cached value there.
    """
    fast_cells = {d["ref"]: d for d in fast["differences"]}
    ref_cells = {d["ref"]: d for d in formulas["differences"]}
    result = []
    for ref in sorted(set(fast_cells) | set(ref_cells)):
        f, r = fast_cells.get(ref), ref_cells.get(ref)
        cached = (f or r)["cached"]
        fast_value = f["computed"] if f else cached
        ref_value = r["computed"] if r else cached
        if fast_value == ref_value:
            continue
        verdict = ("formulas matches Excel" if f and not r else "fast matches Excel" if r and not f
                   else "neither matches Excel")
        result.append({"ref": ref, "formula": (f or r)["formula"], "cached": cached,
                       "fast": fast_value, "formulas": ref_value, "verdict": verdict})
    return result
