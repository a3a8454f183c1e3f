"""xlroi: the return on social-media marketing, in Excel and headless.

Layers, dependencies pointing one way:
``functions`` (pure, the four functions and their registry) → ``engines`` (IronCalc, formulas)
→ ``xlsx`` (reading and lossless writing of workbook packages) → ``workbook`` (the Python API)
→ ``cli`` / ``excel`` (xlwings add-in).

Heavy packages (IronCalc, formulas, xlwings) are imported only inside their adapters.
"""
from __future__ import annotations

from .errors import ExcelError, XlroiError
from .functions import FUNCTIONS, GOAL_VALUE, HR_COST, PRORATE, ROI

__version__ = "0.1.0"

__all__ = [
    "ExcelError", "XlroiError", "FUNCTIONS", "ROI", "HR_COST", "GOAL_VALUE", "PRORATE",
    "open", "Workbook",
]


def __getattr__(name: str):
    if name in ("open", "Workbook"):
        from . import workbook

        return getattr(workbook, name)
    raise AttributeError(f"module 'xlroi' has no attribute {name!r}")
