"""Strict Open XML (ISO/IEC 29500 Strict, Excel's "Strict Open XML Spreadsheet") for the engines.

A Strict workbook is the same SpreadsheetML under other namespace URIs
(``http://purl.oclc.org/ooxml/spreadsheetml/main`` for ``…/spreadsheetml/2006/main``, and so on)
and other relationship types; dates may be stored as ISO 8601 text in cells of type ``t="d"``
instead of serial numbers. Package relationships and content types are shared with
Transitional.

Neither engine reads Strict (IronCalc stops at ``Missing "r:id" XML attribute``), so the
engine's throw-away copy is mapped to Transitional here: namespace URIs and relationship types
by an explicit table, ``t="d"`` cells to the serial numbers the engines calculate with. The
user's package is never mapped: the write-back edits only ``<v>`` and ``t`` in the original
parts, so the output stays Strict.
"""
from __future__ import annotations

import datetime as dt
import re

from .package import NS_MAIN, NS_MAIN_STRICT, NS_REL, NS_REL_STRICT, Package

_STRICT = "http://purl.oclc.org/ooxml/"
_TRANSITIONAL = "http://schemas.openxmlformats.org/"

# Strict namespace (ISO/IEC 29500-1:2016 Annex A) → the Transitional one (ECMA-376 Part 4).
NAMESPACES: dict[str, str] = {
    NS_MAIN_STRICT: NS_MAIN,
    NS_REL_STRICT: NS_REL,
    _STRICT + "drawingml/chart": _TRANSITIONAL + "drawingml/2006/chart",
    _STRICT + "drawingml/chartDrawing": _TRANSITIONAL + "drawingml/2006/chartDrawing",
    _STRICT + "drawingml/diagram": _TRANSITIONAL + "drawingml/2006/diagram",
    _STRICT + "drawingml/lockedCanvas": _TRANSITIONAL + "drawingml/2006/lockedCanvas",
    _STRICT + "drawingml/main": _TRANSITIONAL + "drawingml/2006/main",
    _STRICT + "drawingml/picture": _TRANSITIONAL + "drawingml/2006/picture",
    _STRICT + "drawingml/spreadsheetDrawing": _TRANSITIONAL + "drawingml/2006/spreadsheetDrawing",
    _STRICT + "drawingml/wordprocessingDrawing": _TRANSITIONAL + "drawingml/2006/wordprocessingDrawing",
    _STRICT + "officeDocument/bibliography": _TRANSITIONAL + "officeDocument/2006/bibliography",
    _STRICT + "officeDocument/characteristics": _TRANSITIONAL + "officeDocument/2006/characteristics",
    _STRICT + "officeDocument/customProperties": _TRANSITIONAL + "officeDocument/2006/custom-properties",
    _STRICT + "officeDocument/customXml": _TRANSITIONAL + "officeDocument/2006/customXml",
    _STRICT + "officeDocument/docPropsVTypes": _TRANSITIONAL + "officeDocument/2006/docPropsVTypes",
    _STRICT + "officeDocument/extendedProperties": _TRANSITIONAL + "officeDocument/2006/extended-properties",
    _STRICT + "officeDocument/math": _TRANSITIONAL + "officeDocument/2006/math",
    _STRICT + "presentationml/main": _TRANSITIONAL + "presentationml/2006/main",
    _STRICT + "schemaLibrary/main": _TRANSITIONAL + "schemaLibrary/2006/main",
    _STRICT + "wordprocessingml/main": _TRANSITIONAL + "wordprocessingml/2006/main",
}
# Relationship types are "<relationships namespace>/<name>"; two names differ between the two.
RELATIONSHIP_NAMES = {"extendedProperties": "extended-properties", "customProperties": "custom-properties"}

_STRICT_URI = re.compile(rb"http://purl\.oclc\.org/ooxml/[A-Za-z0-9_./-]+")
_XML_PART = re.compile(r"\.(xml|rels|vml)$", re.IGNORECASE)


def is_strict(package: Package) -> bool:
    """Whether the workbook part is Strict SpreadsheetML."""
    head = package.parts.get(package.workbook_part, b"")[:4096]
    return NS_MAIN_STRICT.encode() in head


def transitional_uri(uri: str) -> str:
    """The Transitional form of a Strict namespace URI or relationship type (others unchanged)."""
    if uri in NAMESPACES:
        return NAMESPACES[uri]
    if uri.startswith(NS_REL_STRICT + "/"):
        name = uri[len(NS_REL_STRICT) + 1:]
        return f"{NS_REL}/{RELATIONSHIP_NAMES.get(name, name)}"
    return uri


def to_transitional(xml: bytes) -> bytes:
    """``xml`` with every Strict namespace URI and relationship type in the table mapped."""
    if b"purl.oclc.org/ooxml/" not in xml:
        return xml
    return _STRICT_URI.sub(lambda m: transitional_uri(m.group(0).decode("ascii")).encode("ascii"), xml)


# --------------------------------------------------------------------------- ISO 8601 dates
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*$")
_ISO_TIME = re.compile(r"^\s*(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*$")


def _day_fraction(hours: str | None, minutes: str | None, seconds: str | None, fraction: str | None) -> float:
    total = int(hours or 0) * 3600 + int(minutes or 0) * 60 + int(seconds or 0) + float(f"0.{fraction or 0}")
    return total / 86400


def iso_to_serial(text: str, date1904: bool = False) -> float | None:
    """The serial number Excel calculates with for an ISO 8601 cell value (``2014-01-01``,
    ``2021-02-28T12:00:00.000``, ``12:00:00.000``), or None when Excel has no serial for it.

    1900 system: Excel counts 1900-02-29 (which never was), so from 1900-03-01 on a serial is the
    day count since 1899-12-30, before that since 1899-12-31; dates before 1900 have none.
    1904 system: the day count since 1904-01-01."""
    time_only = _ISO_TIME.match(text)
    if time_only:
        return _day_fraction(*time_only.groups())
    m = _ISO_DATE.match(text)
    if not m:
        return None
    try:
        day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    if date1904:
        base = dt.date(1904, 1, 1)
    else:
        base = dt.date(1899, 12, 30) if day >= dt.date(1900, 3, 1) else dt.date(1899, 12, 31)
    days = (day - base).days
    if days < 0:
        return None
    fraction = _day_fraction(*m.groups()[3:])
    return days + fraction


_NOT_CELL_END = rb"(?:(?!</(?:\w+:)?c>).)*?"  # within one cell: never past its end tag
_DATE_CELL = re.compile(
    rb"<(?P<p>\w+:)?c\b(?P<before>[^>]*?)\s+t\s*=\s*[\"']d[\"'](?P<after>[^>]*?)(?<!/)>"
    rb"(?P<body>" + _NOT_CELL_END + rb")<(?P<vp>\w+:)?v>(?P<v>[^<]*)</(?:\w+:)?v>"
    rb"(?P<rest>" + _NOT_CELL_END + rb")</(?:\w+:)?c>",
    re.S,
)
_DATE1904 = re.compile(rb"<(?:\w+:)?workbookPr\b[^>]*\bdate1904\s*=\s*[\"'](?:1|true)[\"']")


def uses_1904(package: Package) -> bool:
    return bool(_DATE1904.search(package.parts.get(package.workbook_part, b"")))


def with_serial_dates(xml: bytes, date1904: bool) -> bytes:
    """Cells of type ``t="d"`` (ISO 8601 text) as the numbers the engines calculate with.

    A date Excel has no serial for (before 1900) stays as it is: the engine sees text."""
    def replace(m: re.Match) -> bytes:
        serial = iso_to_serial(m.group("v").decode("utf-8", "replace"), date1904)
        if serial is None:
            return m.group(0)
        p, vp = m.group("p") or b"", m.group("vp") or b""
        number = repr(serial).removesuffix(".0").encode()
        return b"<%sc%s%s>%s<%sv>%s</%sv>%s</%sc>" % (
            p, m.group("before"), m.group("after"), m.group("body"), vp, number, vp, m.group("rest"), p)

    return _DATE_CELL.sub(replace, xml)


def transitional_parts(package: Package, parts: dict[str, bytes]) -> dict[str, bytes]:
    """The parts of the engine's copy of a Strict ``package`` that change to make it
    Transitional (``parts`` are the copy's parts changed so far); empty for a Transitional one."""
    if not is_strict(package):
        return {}
    date1904 = uses_1904(package)
    sheet_parts = {sheet.part for sheet in package.sheets}
    changed = {}
    for name, data in package.parts.items():
        if not _XML_PART.search(name):
            continue
        current = parts.get(name, data)
        mapped = to_transitional(current)
        if name in sheet_parts and (b't="d"' in mapped or b"t='d'" in mapped):
            mapped = with_serial_dates(mapped, date1904)
        if mapped != current:
            changed[name] = mapped
    return changed


__all__ = ["NAMESPACES", "is_strict", "iso_to_serial", "to_transitional", "transitional_parts", "with_serial_dates"]
