"""Recalculation engines: "fast" (IronCalc + LAMBDA names) and "formulas" (the Python reference)."""
from __future__ import annotations

from ..errors import BadValue

ENGINES = ("fast", "formulas")


def engine_class(name: str):
    if name == "fast":
        from .ironcalc_engine import IronCalcEngine

        return IronCalcEngine
    if name == "formulas":
        from .formulas_engine import FormulasEngine

        return FormulasEngine
    raise BadValue(f"unknown engine {name!r}: choose one of {', '.join(ENGINES)}")
