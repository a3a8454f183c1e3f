"""The work on one workbook, as pure functions of its bytes: what every executor runs.

:func:`check_bytes` and :func:`recalc_bytes` take the workbook's name and content and return a
record (and, for recalc, the new content). They read and write no file of the caller's, so the
serial loop, the process pool and a Dask worker on another machine run exactly the same code on
exactly the same input, and give the same record.

The Workbook API opens a path, so each call writes the bytes to a private temporary folder
(removed afterwards) and opens that copy under the workbook's own file name; messages that
name the copy are rewritten to name the workbook. The work runs in a child process
(:func:`xlroi.isolation.run_isolated`), so a hostile workbook that hangs past ``timeout`` or
crashes an engine fails on its own record and never takes a worker (or the batch) down.
"""
from __future__ import annotations

import multiprocessing
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from ..errors import XlroiError
from ..isolation import run_isolated
from ..workbook import CheckReport, RecalcReport, Scalar
from ..workbook import open as open_workbook
from ..xlsx.package import DEFAULT_LIMITS, Limits

Sets = Sequence[tuple[str, Scalar]]


@dataclass
class CheckRecord:
    """One workbook's check: its report, or why it could not be checked."""

    path: str
    engine: str
    report: CheckReport | None = None
    error: str | None = None
    exit_code: int = 0  # the failure's class (xlroi's exit codes) when ``error`` is set
    seconds: float = 0.0

    @property
    def status(self) -> str:
        if self.error is not None:
            return "failed"
        return "ok" if self.report.ok else "differs"

    @property
    def stale(self) -> int:
        """Cells whose cached value differs from the computed one."""
        return 0 if self.report is None else sum(1 for d in self.report.differences if d.status == "differs")

    @property
    def not_evaluated(self) -> int:
        return 0 if self.report is None else self.report.not_evaluated

    @property
    def formula_cells(self) -> int:
        return 0 if self.report is None else self.report.formula_cells

    def as_dict(self) -> dict:
        """The JSON record: ``xlroi check --json``'s fields for one workbook, plus the status,
        the exit class and the time taken."""
        report = self.report or CheckReport(self.path, self.engine)
        record = {"path": self.path, "status": self.status,
                  "exit_code": self.exit_code if self.error is not None else (0 if report.ok else 1)}
        record.update({k: v for k, v in report.as_dict().items() if k != "path"})
        record.update(ok=self.status == "ok", stale=self.stale, error=self.error, seconds=round(self.seconds, 3))
        return record


@dataclass
class RecalcRecord:
    """One workbook's recalculation: its report and where it was written, or why it failed."""

    path: str
    engine: str
    report: RecalcReport | None = None
    error: str | None = None
    exit_code: int = 0
    seconds: float = 0.0
    output: str | None = None  # set by whoever writes the bytes

    @property
    def status(self) -> str:
        return "failed" if self.error is not None else "ok"

    @property
    def formula_cells(self) -> int:
        return 0 if self.report is None else self.report.formula_cells

    @property
    def not_evaluated(self) -> int:
        return 0 if self.report is None else len(self.report.not_evaluated)

    def as_dict(self) -> dict:
        report = self.report or RecalcReport(self.path, self.engine, 0, [])
        record = {"path": self.path, "status": self.status, "exit_code": self.exit_code}
        record.update({k: v for k, v in report.as_dict().items() if k != "path"})
        record.update(output=self.output, error=self.error, seconds=round(self.seconds, 3))
        return record


def check_bytes(name: str, data: bytes, *, engine: str = "fast", timeout: float | None = None,
                limits: Limits = DEFAULT_LIMITS, fallback: bool = True) -> CheckRecord:
    """Check the workbook ``data`` (named ``name`` in messages): every formula cell's cached
    value against the engine's. Never raises for a bad workbook: the record says what failed."""
    started = time.perf_counter()
    try:
        report = _isolated(_check_copy, name, data, engine, limits, fallback, timeout=timeout, what=f"checking {name}")
    except XlroiError as exc:
        return CheckRecord(name, engine, error=str(exc), exit_code=exc.exit_code, seconds=time.perf_counter() - started)
    return CheckRecord(name, engine, report=report, seconds=time.perf_counter() - started)


def recalc_bytes(name: str, data: bytes, *, engine: str = "fast", sets: Sets = (), timeout: float | None = None,
                 limits: Limits = DEFAULT_LIMITS, fallback: bool = True) -> tuple[RecalcRecord, bytes | None]:
    """Recalculate the workbook ``data`` (after ``sets``) and return its record and the new
    workbook's bytes (None when it failed). Writing them is the caller's business."""
    started = time.perf_counter()
    try:
        report, output = _isolated(_recalc_copy, name, data, engine, tuple(sets), limits, fallback, timeout=timeout,
                                   what=f"recalculating {name}")
    except XlroiError as exc:
        return RecalcRecord(name, engine, error=str(exc), exit_code=exc.exit_code,
                            seconds=time.perf_counter() - started), None
    return RecalcRecord(name, engine, report=report, seconds=time.perf_counter() - started), output


# -- inside the child process -------------------------------------------------------------------

def _check_copy(name: str, data: bytes, engine: str, limits: Limits, fallback: bool = True) -> CheckReport:
    with _private_copy(name, data) as path:
        report = _renaming(path, name, lambda: open_workbook(path, engine=engine, limits=limits, fallback=fallback).check())
    report.path = name
    return report


def _recalc_copy(name: str, data: bytes, engine: str, sets: Sets, limits: Limits,
                 fallback: bool = True) -> tuple[RecalcReport, bytes]:
    with _private_copy(name, data) as path:
        out = path.with_name("recalculated-" + path.name)

        def work() -> RecalcReport:
            book = open_workbook(path, engine=engine, limits=limits, fallback=fallback)
            for ref, value in sets:
                book.set(ref, value)
            return book.save(out)

        report = _renaming(path, name, work)
        report.path = name
        return report, out.read_bytes()


class _private_copy:
    """A temporary folder holding ``data`` under the workbook's own file name."""

    def __init__(self, name: str, data: bytes):
        self.name, self.data = name, data

    def __enter__(self) -> Path:
        self.folder = tempfile.TemporaryDirectory(prefix="xlroi-batch-")
        path = Path(self.folder.name) / (Path(self.name).name or "workbook.xlsx")
        path.write_bytes(self.data)
        return path

    def __exit__(self, *exc) -> None:
        self.folder.cleanup()


def _renaming(path: Path, name: str, work):
    """Run ``work()``; an error's message names the workbook, not the private copy."""
    try:
        return work()
    except XlroiError as exc:
        renamed = type(exc).__new__(type(exc))
        XlroiError.__init__(renamed, str(exc).replace(str(path), name))
        raise renamed from None


def _isolated(function, *args, timeout: float | None, what: str):
    # Dask's worker processes are daemonic by default (distributed.worker.daemon), and
    # multiprocessing refuses to start a child from a daemonic process. Ours is always killed
    # and reaped by run_isolated before it returns, so it can never be orphaned: clearing the
    # flag is what dask's own setting would do, scoped to the time limit's child.
    current = multiprocessing.current_process()
    if current.daemon:
        current.daemon = False
    return run_isolated(function, *args, timeout=timeout, what=what)


__all__ = ["CheckRecord", "RecalcRecord", "check_bytes", "recalc_bytes"]
