"""How Excel stores calls of add-in functions, and rewriting them to plain calls for the engines.

Excel writes a call of ``ROI`` from an add-in in several ways, depending on how the add-in was
loaded when the file was saved: ``_xludf.ROI(...)`` (a user-defined function Excel did not
know), ``[1]!ROI(...)`` (an external link to ``xlroi.xlam``), ``'xlroi.xlam'!ROI(...)`` or
``xlroi.xlam!ROI(...)``. No engine evaluates those forms, so the engines get a copy of the
package in which they read ``ROI(...)``. The user's file is never changed.
"""
from __future__ import annotations

import re
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


def _rewrite_elements(xml: bytes, pattern: re.Pattern) -> bytes:
    if not any(marker in xml for marker in _MARKERS):
        return xml

    def rewrite(m: re.Match) -> bytes:
        text = unescape(m.group(2).decode("utf-8"))
        new = plain_calls(text)
        if new == text:
            return m.group(0)
        return m.group(1) + escape(new, quote=False).encode("utf-8") + m.group(3)

    return pattern.sub(rewrite, xml)


def plain_call_parts(package: Package) -> dict[str, bytes]:
    """The parts that change when add-in calls are written as plain calls (often none)."""
    changed = {}
    for sheet in package.sheets:
        xml = package.parts.get(sheet.part)
        if xml is not None:
            new = _rewrite_elements(xml, _F_TEXT)
            if new is not xml:
                changed[sheet.part] = new
    workbook = package.parts[package.workbook_part]
    new = _rewrite_elements(workbook, _DEFINED_NAME)
    if new is not workbook:
        changed[package.workbook_part] = new
    return changed
