"""Excel's error values as one typed value, and the exceptions xlroi raises for bad input.

Every host (the Python library, the `formulas` engine, IronCalc, xlwings) maps its own
representation of an error to :class:`ExcelError` on the way in and back on the way out, so a
typo such as ``"#DIV0!"`` cannot slip through as a plain string.
"""
from __future__ import annotations

import enum


class ExcelError(enum.Enum):
    """An Excel error value. ``str(error)`` is the text Excel shows in the cell."""

    NULL = "#NULL!"
    DIV0 = "#DIV/0!"
    VALUE = "#VALUE!"
    REF = "#REF!"
    NAME = "#NAME?"
    NUM = "#NUM!"
    NA = "#N/A"
    SPILL = "#SPILL!"
    CALC = "#CALC!"
    GETTING_DATA = "#GETTING_DATA"

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"ExcelError({self.value!r})"

    @classmethod
    def from_text(cls, text: str) -> "ExcelError | None":
        """The error whose cell text is ``text`` (case-insensitive), or None."""
        return _BY_TEXT.get(text.strip().upper())


_BY_TEXT = {e.value: e for e in ExcelError}


class XlroiError(Exception):
    """Bad input or an operation that cannot be done: one clear line for the user.

    ``exit_code`` is the command line's exit status for this class of problem (documented in
    the README); the CLI prints ``str(error)`` and exits with it, never a traceback.
    """

    exit_code = 2


class WorkbookNotFound(XlroiError):
    exit_code = 3


class NotAWorkbook(XlroiError):
    exit_code = 4


class UnsafeWorkbook(XlroiError):
    """A package that breaks a safety limit (zip bomb, XML entity tricks)."""

    exit_code = 5


class BadReference(XlroiError):
    exit_code = 6


class BadValue(XlroiError):
    exit_code = 7


class OutputError(XlroiError):
    exit_code = 8


class EngineUnavailable(XlroiError):
    exit_code = 9


class EvaluationTimeout(XlroiError):
    """The work went past its time limit (``--timeout``); it was stopped and nothing written."""

    exit_code = 10


# -- the monthly report (xlroi report) ----------------------------------------------------------

class NotATemplate(XlroiError):
    """A workbook without the six-step template's defined names (or with them elsewhere)."""

    exit_code = 21


class NothingToReport(XlroiError):
    """A template whose steps 2-4 are still empty."""

    exit_code = 22


class TemplateChecksFail(XlroiError):
    """The template's own checks fail: the report is written, with the failures marked."""

    exit_code = 23


class MissingExtra(XlroiError):
    """An optional dependency group (pip extra) is not installed."""

    exit_code = 24


class SummaryMismatch(XlroiError):
    """A number in a generated sentence does not match the report's tables: the build stops."""

    exit_code = 70


# -- platform exports in (xlroi import) ---------------------------------------------------------

class ExportNotFound(WorkbookNotFound):
    """An export file named on the command line does not exist."""


class NotAnExport(XlroiError):
    """A file that is no known platform export (or is empty, or not text/xlsx)."""

    exit_code = 30


class ExportConflict(XlroiError):
    """An export that does not fit the workbook: another currency, no overlap with the period,
    mixed currencies, an unknown channel, rows that would be counted twice, a full table."""

    exit_code = 31


# -- many workbooks, many scenarios (xlroi check/recalc on a cluster, xlroi goal-seek) ----------

class SchedulerUnavailable(XlroiError):
    """The Dask scheduler given with ``--scheduler`` cannot be reached (or dask is not installed)."""

    exit_code = 40


class GoalNotReached(XlroiError):
    """Goal seek: no value of the changing cell brings the target cell to the value asked for."""

    exit_code = 41
