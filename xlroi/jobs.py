"""Whole jobs on one workbook file — recalculate, evaluate, check — each with a time limit.

These are the Python API's answer for untrusted workbooks and for CI: each job runs in a child
process (:mod:`xlroi.isolation`) that is stopped when ``timeout`` seconds pass, so a crafted
or pathological workbook cannot hang the caller. The CLI commands are thin layers over them,
and the batch runs use them per workbook. ``timeout=None`` runs in this process, unlimited.

    >>> import xlroi.jobs
    >>> xlroi.jobs.recalc_file("in.xlsx", "out.xlsx", timeout=60)        # doctest: +SKIP
    >>> xlroi.jobs.check_file("finance/budget.xlsx", timeout=60).ok       # doctest: +SKIP
"""
from __future__ import annotations

import os
import time
from typing import Sequence

from .isolation import remove_partial_outputs, run_isolated
from .workbook import CheckReport, RecalcReport, Scalar
from .workbook import open as open_workbook

Sets = Sequence[tuple[str, Scalar]]


def _opened(book: str | os.PathLike, engine: str, sets: Sets, fallback: bool = True):
    workbook = open_workbook(book, engine=engine, fallback=fallback)
    for ref, value in sets:
        workbook.set(ref, value)
    return workbook


def _recalc(book, output, in_place, engine, sets, fallback=True) -> RecalcReport:
    workbook = _opened(book, engine, sets, fallback)
    workbook.recalc()
    return workbook.save(output, in_place=in_place)


def _check(book, engine, fallback=True) -> CheckReport:
    return _opened(book, engine, (), fallback).check()


def _evaluate(book, refs, engine, sets, fallback=True) -> dict:
    workbook = _opened(book, engine, sets, fallback)
    return {ref: workbook[ref] for ref in refs}


def recalc_file(book: str | os.PathLike, output: str | os.PathLike | None = None, *, in_place: bool = False,
                engine: str = "fast", sets: Sets = (), timeout: float | None = None,
                fallback: bool = True) -> RecalcReport:
    """Recalculate ``book`` (after ``sets``) and write it to ``output`` (or in place). With
    ``fallback`` the reference engine computes what the fast engine cannot, in the time left
    (see docs/engines.md)."""
    if timeout is None:
        return _recalc(book, output, in_place, engine, sets, fallback)
    dest = book if in_place else output
    cleanup = remove_partial_outputs(dest, time.time()) if dest is not None else None
    return run_isolated(_recalc, book, output, in_place, engine, tuple(sets), timeout=timeout,
                        what=f"recalculating {os.fspath(book)}", leftovers=cleanup, fallback=fallback)


def check_file(book: str | os.PathLike, *, engine: str = "fast", timeout: float | None = None,
               fallback: bool = True) -> CheckReport:
    """Recalculate ``book`` and compare every formula cell with its cached value."""
    if timeout is None:
        return _check(book, engine, fallback)
    return run_isolated(_check, book, engine, timeout=timeout, what=f"checking {os.fspath(book)}", fallback=fallback)


def evaluate_refs(book: str | os.PathLike, refs: Sequence[str], *, engine: str = "fast", sets: Sets = (),
                  timeout: float | None = None, fallback: bool = True) -> dict:
    """The values of ``refs`` after recalculation (with ``sets`` applied first); nothing written."""
    if timeout is None:
        return _evaluate(book, tuple(refs), engine, sets, fallback)
    return run_isolated(_evaluate, book, tuple(refs), engine, tuple(sets), timeout=timeout,
                        what=f"evaluating {os.fspath(book)}", fallback=fallback)


__all__ = ["recalc_file", "check_file", "evaluate_refs"]
