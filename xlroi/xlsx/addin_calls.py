"""How Excel stores calls of add-in functions, and rewriting them to plain calls for the engines.

Excel writes a call of ``ROI`` from an add-in in several ways, depending on how the add-in was
loaded when the file was saved: ``_xludf.ROI(...)`` (a user-defined function Excel did not
know), ``[1]!ROI(...)`` (an external link to ``xlroi.xlam``), ``'xlroi.xlam'!ROI(...)`` or
``xlroi.xlam!ROI(...)``. No engine evaluates those forms, so the engines get a copy of the
package in which they read ``ROI(...)``. The user's file is never changed.
"""
from __future__ import annotations

import re
from typing import Callable
from html import escape, unescape

from ..functions import FUNCTIONS
from .package import Package

_NAMES = "|".join(sorted(FUNCTIONS, key=len, reverse=True))
_QUALIFIED_CALL = re.compile(
    r"(?:_xludf\.|\[\d+\]!|'[^'!]*\.xla[mx]?'!|[\w.\-]+\.xla[mx]?!)(" + _NAMES + r")(?=\s*\()",
    re.IGNORECASE,
)
_STRING = re.compile(r'"(?:[^"]|"")*"')
_F_TEXT = re.compile(rb"(<(?:\w+:)?f\b[^>]*>)(.*?)(</(?:\w+:)?f>)", re.S)
_DEFINED_NAME = re.compile(rb"(<(?:\w+:)?definedName\b[^>]*>)(.*?)(</(?:\w+:)?definedName>)", re.S)
_MARKERS = (b"_xludf.", b"]!", b".xla")


def plain_calls(formula: str) -> str:
    """``formula`` with every add-in-qualified call of our functions written as a plain call."""
    pieces, last = [], 0
    for s in _STRING.finditer(formula):  # leave text inside string literals alone
        pieces.append(_QUALIFIED_CALL.sub(lambda m: m.group(1).upper(), formula[last:s.start()]))
        pieces.append(s.group(0))
        last = s.end()
    pieces.append(_QUALIFIED_CALL.sub(lambda m: m.group(1).upper(), formula[last:]))
    return "".join(pieces)


def _rewrite_elements(xml: bytes, pattern: re.Pattern, rewrite_formula: Callable[[str], str]) -> bytes:
    def rewrite(m: re.Match) -> bytes:
        text = unescape(m.group(2).decode("utf-8"))
        new = rewrite_formula(text)
        if new == text:
            return m.group(0)
        return m.group(1) + escape(new, quote=False).encode("utf-8") + m.group(3)

    return pattern.sub(rewrite, xml)


def rewrite_formula_parts(
    package: Package, rewrite_formula: Callable[[str], str], quick_test: Callable[[bytes], bool] = lambda xml: True
) -> dict[str, bytes]:
    """The parts that change when every formula (cells and defined names) goes through
    ``rewrite_formula``; ``quick_test`` skips parts that cannot need it. Often no part changes."""
    changed = {}
    targets = [(s.part, _F_TEXT) for s in package.sheets] + [(package.workbook_part, _DEFINED_NAME)]
    for part, pattern in targets:
        xml = package.parts.get(part)
        if xml is not None and quick_test(xml):
            new = _rewrite_elements(xml, pattern, rewrite_formula)
            if new != xml:
                changed[part] = new
    return changed


def plain_call_parts(package: Package) -> dict[str, bytes]:
    """The parts that change when add-in calls are written as plain calls (often none)."""
    return rewrite_formula_parts(package, plain_calls, lambda xml: any(m in xml for m in _MARKERS))
