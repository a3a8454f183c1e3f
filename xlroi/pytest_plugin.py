"""The xlroi pytest plugin (installed with xlroi; a ``pytest11`` entry point).

Prove in CI that every workbook's saved numbers are what its formulas give, one test per
workbook::

    pytest --xlroi-check 'finance/**/*.xlsx'

or, in ``pyproject.toml``, ``[tool.pytest.ini_options] xlroi_check = ["finance/**/*.xlsx"]``.
Each workbook is a test item (``finance/budget.xlsx::fresh``, marked ``xlroi``) that fails with
its stale cells listed — cell, formula, cached value, computed value — or with the one line
that says why the workbook could not be checked. Each check runs in its own process with the
time limit (``--xlroi-timeout``, default ``$XLROI_TIMEOUT`` or 300 s).

For hand-written tests, the ``xlroi_book`` fixture opens workbooks::

    def test_more_ad_spend_lowers_the_roi(xlroi_book):
        book = xlroi_book("finance/q3.xlsx")
        before = book["OverallROI"]
        book.set("'Step 2 Costs'!D17", 20000)
        assert book["OverallROI"] < before

This module is imported by every pytest run in an environment where xlroi is installed, so it
imports nothing heavy until an option or the fixture is used.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("xlroi", "xlroi: workbooks whose cached values must match their formulas")
    group.addoption("--xlroi-check", action="append", default=[], metavar="GLOB",
                    help="Check these workbooks (files, folders, globs with ** — quote them), one test each. Repeatable.")
    group.addoption("--xlroi-engine", default="fast", choices=["fast", "formulas"],
                    help="Engine for --xlroi-check (default: fast).")
    group.addoption("--xlroi-timeout", default=None, metavar="SECONDS",
                    help="Time limit per workbook (default: $XLROI_TIMEOUT or 300; 0 = none).")
    parser.addini("xlroi_check", type="linelist", default=[],
                  help="Workbooks (files, folders, globs) to check as with --xlroi-check.")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "xlroi: a workbook checked by --xlroi-check (cached values must be fresh)")


@pytest.hookimpl(tryfirst=True)  # before -k/-m deselection, so those select workbooks too
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    patterns = list(config.getoption("xlroi_check")) or list(config.getini("xlroi_check"))
    if not patterns:
        return
    from .batch.inputs import expand
    from .errors import XlroiError

    try:
        books = expand(patterns)
    except XlroiError as exc:
        raise pytest.UsageError(f"--xlroi-check: {exc}") from None
    for book in books:
        workbook = WorkbookFile.from_parent(session, path=Path(os.path.abspath(book.path)))
        workbook.shown = book.name
        # collected through the hooks pytest uses for its own files, so reports count them
        workbook.ihook.pytest_collectstart(collector=workbook)
        report = workbook.ihook.pytest_make_collect_report(collector=workbook)
        workbook.ihook.pytest_collectreport(report=report)
        items.extend(report.result)


class WorkbookFile(pytest.File):
    """A workbook named by --xlroi-check."""

    shown: str = ""

    def collect(self):
        item = WorkbookItem.from_parent(self, name="fresh")
        item.add_marker("xlroi")
        return [item]


class WorkbookFailure(Exception):
    """A workbook that is stale or could not be checked; ``str`` is the report."""


class WorkbookItem(pytest.Item):
    """Passes when every formula cell's cached value is what the formula gives."""

    def runtest(self) -> None:
        from .batch.runs import read_input
        from .batch.work import check_bytes
        from .errors import XlroiError
        from .isolation import default_timeout, parse_timeout
        from .xlsx.package import Limits

        config = self.config
        text = config.getoption("xlroi_timeout")
        shown = self.parent.shown or str(self.path)
        try:
            timeout = default_timeout() if text is None else parse_timeout(text, "--xlroi-timeout")
            limits = Limits.from_env()
            record = check_bytes(shown, read_input(self.path, limits), engine=config.getoption("xlroi_engine"),
                                 timeout=timeout, limits=limits)
        except XlroiError as exc:
            raise WorkbookFailure(str(exc)) from None
        if record.status == "failed":
            raise WorkbookFailure(f"{record.error} (exit class {record.exit_code})")
        if record.status == "differs":
            raise WorkbookFailure(stale_report(record))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, WorkbookFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"xlroi check {self.parent.shown or self.path}"


def stale_report(record) -> str:
    """The stale cells as a table: cell, formula, cached, computed."""
    from .cli import _format

    report = record.report
    rows = [("cell", "formula", "cached", "computed")]
    rows += [(d.ref, _clip("=" + (d.formula or "")), _format(d.cached), _format(d.computed)) for d in report.differences]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [f"{record.path}: {record.stale} stale and {record.not_evaluated} not evaluated of "
             f"{report.compared} formula cells ({report.engine} engine)"]
    lines += ["  " + "  ".join(value.ljust(w) for value, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines)


def _clip(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@pytest.fixture
def xlroi_book():
    """A factory: ``xlroi_book(path, engine="fast")`` opens a workbook (:func:`xlroi.open`)."""
    from .workbook import open as open_workbook

    def open_book(path: str | os.PathLike, engine: str = "fast"):
        return open_workbook(path, engine=engine)

    return open_book
