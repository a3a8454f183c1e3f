"""Finding formula cells in a worksheet part and writing their cached values back in place.

The worksheet XML is edited as text: only the ``<v>`` element and the ``t`` attribute of the
cells we recalculate change; every other byte of the part (styles, attributes we do not know,
whitespace, extension lists) stays as it was. A full XML round trip would re-serialise the part.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from html import unescape
from typing import Callable, Iterator
from xml.sax.saxutils import escape

from ..errors import BadReference, ExcelError
from ..functions.coercion import Scalar
from .refs import cell_name, column_number, parse_area

KEEP = object()  # a value function's answer for "leave this cell's cached value as it is"

_SHEET_DATA = re.compile(rb"<(?:\w+:)?sheetData\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?sheetData>)", re.S)
_ROW_OR_CELL = re.compile(
    rb"<(?P<p>\w+:)?(?:(?P<row>row)\b(?P<rowattrs>[^>]*)>"
    rb"|c\b(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</(?:\w+:)?c>))",
    re.S,
)
_ATTR = re.compile(rb'([\w:]+)\s*=\s*("[^"]*"|\'[^\']*\')')
_F = re.compile(rb"<(?:\w+:)?f\b(?P<attrs>[^>]*?)(?:/>|>(?P<text>.*?)</(?:\w+:)?f>)", re.S)
_V = re.compile(rb"<(?:\w+:)?v\b[^>]*?(?:/>|>(?P<text>.*?)</(?:\w+:)?v>)", re.S)
_IS = re.compile(rb"<(?:\w+:)?is\b.*?</(?:\w+:)?is>", re.S)
_T_ATTR = re.compile(rb'\s+t\s*=\s*("[^"]*"|\'[^\']*\')')
_CELL_REF = re.compile(r"^([A-Za-z]{1,3})(\d+)$")


def attributes(raw: bytes) -> dict[str, str]:
    return {k.decode(): unescape(v[1:-1].decode("utf-8")) for k, v in _ATTR.findall(raw)}


@dataclass
class FormulaCell:
    row: int
    col: int
    formula: str | None  # None for a shared-formula child or a cell inside an array result
    cached: Scalar
    kind: str = "normal"  # normal | shared | array | spill (a cell an array formula fills)

    @property
    def name(self) -> str:
        return cell_name(self.row, self.col)


@dataclass
class SheetScan:
    formula_cells: list[FormulaCell] = field(default_factory=list)
    value_cells: set[tuple[int, int]] = field(default_factory=set)


def decode_cached(t: str | None, text: str | None) -> Scalar:
    if text is None or (text == "" and t in (None, "n")):
        return None
    if t == "b":
        return text.strip() in ("1", "true")
    if t == "e":
        return ExcelError.from_text(text) or text
    if t in ("str", "inlineStr", "s"):
        return text
    try:
        return float(text)
    except ValueError:
        return text


def encode_number(number: float) -> str:
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


def _walk(xml: bytes) -> Iterator[tuple[re.Match, int, int]]:
    """Every ``<c>`` element of the sheet data with its (row, column), in document order."""
    data = _SHEET_DATA.search(xml)
    if not data or data.group(1) is None:
        return
    row, col = 0, 0
    for m in _ROW_OR_CELL.finditer(xml, data.start(1), data.end(1)):
        if m.group("row"):
            r = attributes(m.group("rowattrs")).get("r")
            row = int(r) if r and r.isdigit() else row + 1
            col = 0
            continue
        ref = attributes(m.group("attrs")).get("r")
        ref_match = _CELL_REF.match(ref) if ref else None
        if ref_match:
            col, row = column_number(ref_match.group(1)), int(ref_match.group(2))
        else:
            col += 1
        yield m, row, col


def scan_sheet(xml: bytes) -> SheetScan:
    scan = SheetScan()
    arrays: list[tuple[int, int, int, int]] = []
    for m, row, col in _walk(xml):
        attrs = attributes(m.group("attrs"))
        body = m.group("body") or b""
        f = _F.search(body)
        v = _V.search(body)
        cached = decode_cached(attrs.get("t"), unescape(v.group("text").decode("utf-8")) if v and v.group("text") is not None else None)
        if f:
            f_attrs = attributes(f.group("attrs"))
            text = unescape(f.group("text").decode("utf-8")) if f.group("text") else None
            kind = f_attrs.get("t", "normal")
            if kind == "array" and "ref" in f_attrs:
                try:
                    area = parse_area(f_attrs["ref"], "")
                    arrays.append((area.top, area.left, area.bottom, area.right))
                except BadReference:
                    pass
            if kind not in ("shared", "array"):
                kind = "normal"
            scan.formula_cells.append(FormulaCell(row, col, text, cached, kind))
        elif any(t <= row <= b and l <= col <= r for t, l, b, r in arrays):
            scan.formula_cells.append(FormulaCell(row, col, None, cached, "spill"))
        elif v is not None or _IS.search(body):
            scan.value_cells.add((row, col))
    return scan


ValueFor = Callable[[int, int], object]


def write_cached_values(xml: bytes, formula_value: ValueFor, inputs: dict[tuple[int, int], Scalar] | None = None) -> tuple[bytes, set[tuple[int, int]]]:
    """Rewrite the cached values of formula cells (and the values of ``inputs``).

    ``formula_value(row, col)`` gives a formula cell's new value, or :data:`KEEP`. Returns the
    new XML and the input cells that were not found in the part (the caller adds them).
    """
    inputs = dict(inputs or {})
    owned: set[tuple[int, int]] = {(c.row, c.col) for c in scan_sheet(xml).formula_cells}
    pieces: list[bytes] = []
    last = 0
    for m, row, col in _walk(xml):
        key = (row, col)
        if key in owned:
            value = formula_value(row, col)
            if value is KEEP:
                continue
            replacement = _formula_cell(m, value)
        elif key in inputs:
            replacement = _value_cell(m, inputs.pop(key))
        else:
            continue
        pieces += [xml[last:m.start()], replacement]
        last = m.end()
    pieces.append(xml[last:])
    return b"".join(pieces), set(inputs)


def _value_xml(prefix: bytes, value: Scalar, formula: bool) -> tuple[bytes | None, bytes]:
    """(t attribute or None, child elements) for a value."""
    if value is None:
        return None, b""
    if isinstance(value, bool):
        return b"b", b"<%sv>%s</%sv>" % (prefix, b"1" if value else b"0", prefix)
    if isinstance(value, ExcelError):
        return b"e", b"<%sv>%s</%sv>" % (prefix, str(value).encode(), prefix)
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            return b"e", b"<%sv>#NUM!</%sv>" % (prefix, prefix)
        return None, b"<%sv>%s</%sv>" % (prefix, encode_number(float(value)).encode(), prefix)
    text = escape(str(value)).encode("utf-8")
    if formula:
        return b"str", b"<%sv>%s</%sv>" % (prefix, text, prefix)
    return b"inlineStr", b'<%sis><%st xml:space="preserve">%s</%st></%sis>' % (prefix, prefix, text, prefix, prefix)


def _start_tag(prefix: bytes, attrs: bytes, t: bytes | None) -> bytes:
    attrs = _T_ATTR.sub(b"", attrs).rstrip()
    if attrs.endswith(b"/"):
        attrs = attrs[:-1].rstrip()
    t_attr = b' t="%s"' % t if t else b""
    return b"<%sc%s%s>" % (prefix, attrs, t_attr)


def _formula_cell(m: re.Match, value: Scalar) -> bytes:
    prefix = m.group("p") or b""
    body = m.group("body") or b""
    t, v = _value_xml(prefix, value, formula=True)
    f = _F.search(body)
    f_xml = f.group(0) if f else b""
    rest = _IS.sub(b"", _V.sub(b"", body.replace(f_xml, b"", 1) if f_xml else body))
    return _start_tag(prefix, m.group("attrs"), t) + f_xml + v + rest + b"</%sc>" % prefix


def _value_cell(m: re.Match, value: Scalar) -> bytes:
    prefix = m.group("p") or b""
    t, v = _value_xml(prefix, value, formula=False)
    return _start_tag(prefix, m.group("attrs"), t) + v + b"</%sc>" % prefix


def insert_cells(xml: bytes, values: dict[tuple[int, int], Scalar], prefix: bytes = b"") -> bytes:
    """Add cells that do not exist yet (a ``--set`` on an empty cell), keeping rows in order."""
    from lxml import etree

    from .package import NS_MAIN, parse_xml

    root = parse_xml(xml, "worksheet")
    ns = {"m": NS_MAIN}
    sheet_data = root.find("m:sheetData", ns)
    if sheet_data is None:
        raise BadReference("the sheet has no cell data to add a value to")
    rows = {int(r.get("r")): r for r in sheet_data.findall("m:row", ns) if (r.get("r") or "").isdigit()}
    for (row, col), value in sorted(values.items()):
        row_el = rows.get(row)
        if row_el is None:
            row_el = etree.Element(f"{{{NS_MAIN}}}row", r=str(row))
            later = [r for n, r in rows.items() if n > row]
            if later:
                min(later, key=lambda e: int(e.get("r"))).addprevious(row_el)
            else:
                sheet_data.append(row_el)
            rows[row] = row_el
        cell = etree.Element(f"{{{NS_MAIN}}}c", r=cell_name(row, col))
        t, v = _value_xml(b"", value, formula=False)
        if t:
            cell.set("t", t.decode())
        if v:
            wrapper = etree.fromstring(b'<w xmlns="%s">%s</w>' % (NS_MAIN.encode(), v))
            for child in wrapper:
                cell.append(child)
        later_cells = [c for c in row_el.findall("m:c", ns) if _col_of(c.get("r")) > col]
        if later_cells:
            later_cells[0].addprevious(cell)
        else:
            row_el.append(cell)
        spans = row_el.get("spans")
        if spans:
            del row_el.attrib["spans"]  # optional hint; a stale one would mislead readers
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _col_of(ref: str | None) -> int:
    m = _CELL_REF.match(ref or "")
    return column_number(m.group(1)) if m else 0
