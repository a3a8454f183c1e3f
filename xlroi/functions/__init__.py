"""The function library: one registry that feeds the engines, the add-in, the docs and the CLI.

Every consumer reads :data:`FUNCTIONS`; nothing else lists the functions. A function's
``formula`` is the same rules as a plain Excel formula over its argument names: wrapped in
``LAMBDA`` it is a defined name IronCalc evaluates, substituted with the call's arguments it is
the portable formula for spreadsheets without the add-in.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from . import roi as _roi
from .coercion import Value


@dataclass(frozen=True)
class Argument:
    name: str  # the name Excel's function wizard shows
    python_name: str  # the name in the Python signature and in the formula form
    description: str


@dataclass(frozen=True)
class Example:
    call: str
    result: float
    source: str


@dataclass(frozen=True)
class ExcelFunction:
    name: str
    summary: str  # one line: the function wizard's description
    arguments: tuple[Argument, ...]
    implementation: Callable[..., Value]
    formula: str
    broadcasts: bool
    # (condition, result). Arguments coerce left to right and the first one that fails (an
    # error, or text that is not a number) decides the result; the domain checks follow in the
    # order listed.
    errors: tuple[tuple[str, str], ...]
    examples: tuple[Example, ...]

    @property
    def signature(self) -> str:
        return f"{self.name}({', '.join(a.name for a in self.arguments)})"

    @property
    def lambda_formula(self) -> str:
        """The function as an Excel ``LAMBDA`` (what a defined name ``ROI`` holds).

        Each argument's coercion ``--name`` is computed once with ``LET`` (30 % faster in
        IronCalc than repeating it); the rules are the formula's, unchanged.
        """
        names = [a.python_name for a in self.arguments]
        body = re.sub(r"--(" + "|".join(names) + r")\b", r"_\1", self.formula)
        bindings = ",".join(f"_{n},--{n}" for n in names)
        return f"LAMBDA({','.join(names)},LET({bindings},{body}))"

    def inline_formula(self, argument_texts: list[str]) -> str:
        """The call with each argument's text in place of its name: a plain Excel formula."""
        if len(argument_texts) != len(self.arguments):
            raise ValueError(f"{self.name} takes {len(self.arguments)} arguments")
        by_name = {
            a.python_name: _parenthesize(text) for a, text in zip(self.arguments, argument_texts)
        }
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, by_name)) + r")\b")
        return pattern.sub(lambda m: by_name[m.group(1)], self.formula)

    def __call__(self, *args: Value) -> Value:
        return self.implementation(*args)


_SIMPLE_OPERAND = re.compile(r"^\$?[A-Za-z_][\w.]*(\$?\d+)?(:\$?[A-Za-z]+\$?\d+)?$|^\d+(\.\d+)?$")


def _parenthesize(text: str) -> str:
    text = text.strip()
    return text if _SIMPLE_OPERAND.match(text) else f"({text})"


_ERR_PROPAGATE = ("an argument is an error", "that error (the first failing argument, left to right, wins)")
_ERR_TEXT = ("an argument is text that is not a number", "#VALUE!")

FUNCTIONS: dict[str, ExcelFunction] = {
    f.name: f
    for f in (
        ExcelFunction(
            name="ROI",
            summary="Return on investment as a ratio: (return - investment) / investment. Format as 0.0%.",
            arguments=(
                Argument("return", "return_", "The value the campaign brought in (e.g. 180000)."),
                Argument("investment", "investment", "What the campaign cost in total (e.g. 65000)."),
            ),
            implementation=_roi.ROI,
            formula=_roi.ROI_FORMULA,
            broadcasts=True,
            errors=(_ERR_PROPAGATE, _ERR_TEXT, ("investment < 0", "#NUM!"), ("investment = 0", "#DIV/0!")),
            examples=(Example("ROI(180000, 65000)", 115000 / 65000, "the method (docs/method.md), step 5: 176.9 %"),),
        ),
        ExcelFunction(
            name="HR_COST",
            summary="Staff cost: the sum of hourly rate x hours over everyone who worked on the campaign.",
            arguments=(
                Argument("hourly_rates", "hourly_rates", "Each person's hourly rate: a number or a range, one row per person."),
                Argument("hours", "hours", "Hours each person spent on the campaign: same shape as hourly_rates."),
            ),
            implementation=_roi.HR_COST,
            formula=_roi.HR_COST_FORMULA,
            broadcasts=False,
            errors=(
                ("the two ranges differ in shape", "#VALUE!"),
                ("a cell is an error (rates first, row by row, then hours)", "that error"),
                ("a cell is text that is not a number", "#VALUE!"),
                ("a rate or an hour count < 0", "#NUM!"),
            ),
            examples=(Example("HR_COST({50;40}, {10;20})", 1300.0, "the method (docs/method.md), step 2: rate x hours per person"),),
        ),
        ExcelFunction(
            name="GOAL_VALUE",
            summary="Value of a goal: actions x conversion rate x value per conversion.",
            arguments=(
                Argument("actions", "actions", "How many times the goal happened (subscribers, bookings, leads)."),
                Argument("conversion_rate", "conversion_rate", "Share of those that become customers, 0 to 100% (e.g. 1/10 or 75%)."),
                Argument("value_per_conversion", "value_per_conversion", "What one conversion is worth (e.g. lifetime value 150)."),
            ),
            implementation=_roi.GOAL_VALUE,
            formula=_roi.GOAL_VALUE_FORMULA,
            broadcasts=True,
            errors=(
                _ERR_PROPAGATE,
                _ERR_TEXT,
                ("actions < 0", "#NUM!"),
                ("conversion_rate < 0 or > 1", "#NUM!"),
            ),
            examples=(
                Example("GOAL_VALUE(12000, 1/10, 150)", 180000.0, "the method (docs/method.md), step 4: 12,000 subscribers"),
                Example("GOAL_VALUE(1, 75%, 300)", 225.0, "the method (docs/method.md), step 4: a booking"),
            ),
        ),
        ExcelFunction(
            name="PRORATE",
            summary="Share of a shared cost: amount x used / total (a tool's social share, a salary's share of a period).",
            arguments=(
                Argument("amount", "amount", "The whole cost (e.g. a tool's annual fee or a salary)."),
                Argument("used", "used", "The part used for social media (e.g. 25% or 3 months)."),
                Argument("total", "total", "The whole it is a part of (e.g. 1 or 12 months)."),
            ),
            implementation=_roi.PRORATE,
            formula=_roi.PRORATE_FORMULA,
            broadcasts=True,
            errors=(
                _ERR_PROPAGATE,
                _ERR_TEXT,
                ("used < 0 or total < 0", "#NUM!"),
                ("total = 0", "#DIV/0!"),
                ("used > total", "#NUM!"),
            ),
            examples=(
                Example("PRORATE(1200, 25%, 1)", 300.0, "the method (docs/method.md), step 2: a tool shared with other work"),
                Example("PRORATE(60000, 3, 12)", 15000.0, "the method (docs/method.md), step 2: a salary's share of a period"),
            ),
        ),
    )
}

ROI = _roi.ROI
HR_COST = _roi.HR_COST
GOAL_VALUE = _roi.GOAL_VALUE
PRORATE = _roi.PRORATE

__all__ = ["FUNCTIONS", "ExcelFunction", "Argument", "Example", "ROI", "HR_COST", "GOAL_VALUE", "PRORATE"]
