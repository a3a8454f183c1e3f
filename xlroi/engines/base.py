"""What every recalculation engine offers the workbook layer."""
from __future__ import annotations

import abc
from dataclasses import dataclass
from pathlib import Path

from ..errors import ExcelError
from ..functions.coercion import Scalar
from ..xlsx.cells import ASK
from ..xlsx.package import Package, Sheet


@dataclass(frozen=True)
class NotEvaluated:
    """A cell the engine could not evaluate (never to be shown or saved as a fresh value)."""

    reason: str

    def __str__(self) -> str:
        return f"not evaluated: {self.reason}"


EngineValue = Scalar | NotEvaluated

# Error texts engines produce that are not Excel errors but "I cannot do this".
ENGINE_ONLY_ERRORS = {
    "#N/IMPL!": "function not implemented by the engine",
    "#N/IMPL": "function not implemented by the engine",
    "#CIRC!": "circular reference (this cell is on a cycle or depends on one)",
    "#ERROR!": "formula could not be parsed by the engine (this one, or one it depends on)",
}


def error_or_not_evaluated(text: str) -> EngineValue:
    if text in ENGINE_ONLY_ERRORS:
        return NotEvaluated(ENGINE_ONLY_ERRORS[text])
    error = ExcelError.from_text(text)
    return error if error is not None else NotEvaluated(f"engine error {text}")


class Engine(abc.ABC):
    """A workbook loaded into a calculation engine.

    ``prepared`` is a copy of the package in which add-in calls are plain calls (see
    :mod:`xlroi.xlsx.addin_calls`); ``package`` is the user's file as read.
    """

    name: str = "?"

    def __init__(self, package: Package, prepared: Path):
        self.package = package
        self.prepared = prepared

    @classmethod
    def prepare_parts(cls, package: Package) -> dict[str, bytes]:
        """The parts of the engine's copy that differ from the user's package: add-in calls as
        plain calls, a Strict workbook mapped to Transitional, string cells as the text they
        stand for (texts XML cannot carry are kept for :meth:`apply_text_overrides`)."""
        from ..xlsx.addin_calls import plain_call_parts
        from ..xlsx.cell_text import decoded_text_parts
        from ..xlsx.strict import transitional_parts

        parts = plain_call_parts(package)
        parts.update(transitional_parts(package, parts))
        texts, overrides = decoded_text_parts(package, parts)
        parts.update(texts)
        package._text_overrides = overrides  # type: ignore[attr-defined]  # read back after loading
        return parts

    def apply_text_overrides(self) -> None:
        """Set the cells whose text XML cannot carry (``CHAR(7)`` in a string) through the
        engine's API; each engine calls this once its copy is loaded."""
        from ..xlsx.cell_text import engine_safe

        for (sheet_name, row, col), text in getattr(self.package, "_text_overrides", {}).items():
            self.set_value(self.package.sheet(sheet_name), row, col, engine_safe(text))

    @abc.abstractmethod
    def set_value(self, sheet: Sheet, row: int, col: int, value: Scalar) -> None: ...

    @abc.abstractmethod
    def recalc(self) -> None: ...

    @abc.abstractmethod
    def value(self, sheet: Sheet, row: int, col: int) -> EngineValue: ...

    def numbers(self, sheet: Sheet, rows: list[int], cols: list[int]) -> list:
        """For many cells at once, each cell's value when it is a finite number (a float, the
        same :meth:`value` gives) and :data:`ASK` otherwise: the caller then asks :meth:`value`
        for that cell. The write-back's hot path (250,000 cells in a 50,000-row log); an engine
        that cannot do better says ASK for every cell."""
        return [ASK] * len(rows)
