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
from .xstring import decode_xstring, encode_xstring

KEEP = object()  # a value function's answer for "leave this cell's cached value as it is"


class _Ask:
    __slots__ = ()

    def __repr__(self) -> str:
        return "ASK"


ASK = _Ask()  # a bulk answer (see BulkValues): "ask this cell's value one by one"

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


class FormulaCell:
    """A cell a formula computes: its position, formula text and the value cached in the file.

    Text and cached value are decoded on first use: a 50,000-row log has 250,000 of these and a
    recalculation needs neither.
    """

    __slots__ = ("row", "col", "kind", "span", "_formula", "_t", "_v", "_decoded")

    def __init__(self, row: int, col: int, formula: bytes | None, t: bytes | None, v: bytes | None,
                 kind: str = "normal", span: tuple[int, int] = (0, 0)):
        self.row, self.col, self.kind, self.span = row, col, kind, span
        self._formula, self._t, self._v, self._decoded = formula, t, v, None

    @property
    def formula(self) -> str | None:
        """The formula text (None for a shared-formula child or a cell an array formula fills)."""
        return unescape(self._formula.decode("utf-8")) if self._formula else None

    @property
    def cached(self) -> Scalar:
        if self._decoded is None:
            text = unescape(self._v.decode("utf-8")) if self._v is not None else None
            self._decoded = (decode_cached(self._t.decode() if self._t else None, text),)
        return self._decoded[0]

    @property
    def name(self) -> str:
        return cell_name(self.row, self.col)

    def __repr__(self) -> str:
        return f"FormulaCell({self.name}, {self.formula!r}, cached={self.cached!r}, kind={self.kind!r})"


@dataclass
class SheetScan:
    formula_cells: list[FormulaCell] = field(default_factory=list)


def decode_cached(t: str | None, text: str | None) -> Scalar:
    if text is None or (text == "" and t in (None, "n")):
        return None
    if t == "b":
        return text.strip() in ("1", "true")
    if t == "e":
        return ExcelError.from_text(text) or text
    if t in ("str", "inlineStr"):
        return decode_xstring(text)
    if t == "s":
        return text
    if t == "d":  # Strict Open XML: ISO 8601 text; the engines give the serial (1900 date system)
        from .strict import iso_to_serial

        serial = iso_to_serial(text)
        return serial if serial is not None else text
    try:
        return float(text)
    except ValueError:
        return text


def encode_number(number: float) -> str:
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


_F_START = re.compile(rb"<(?:\w+:)?f[\s>/]")
_C_START = re.compile(rb"<(?P<p>\w+:)?c\b")
_R_ATTR = re.compile(rb'\sr\s*=\s*["\']([A-Za-z]{1,3})(\d+)["\']')
_T_VALUE = re.compile(rb'\st\s*=\s*["\']([^"\']*)["\']')


def _walk(xml: bytes) -> Iterator[tuple[re.Match, int, int]]:
    """Every ``<c>`` element of the sheet data with its (row, column), in document order.

    The slow, complete walk: used only when a formula cell has no ``r`` attribute or an
    array formula's range has to be found.
    """
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


def _formula_elements(xml: bytes) -> Iterator[tuple[re.Match, int, int]] | None:
    """The ``<c>`` elements that hold an ``<f>``, found from each ``<f``; None if one lacks ``r``."""
    found = []
    position = 0
    while True:
        f = _F_START.search(xml, position)
        if f is None:
            return found
        start = xml.rfind(b"<", 0, f.start())
        while start >= 0 and not _C_START.match(xml, start):
            start = xml.rfind(b"<", 0, start)
        if start < 0:
            return None
        m = _ROW_OR_CELL.match(xml, start)
        if m is None or m.group("row") or m.end() <= f.start():  # an <f> outside any <c>: the slow walk
            return None
        r = _R_ATTR.search(m.group("attrs"))
        if r is None:
            return None
        found.append((m, int(r.group(2)), column_number(r.group(1).decode())))
        position = m.end()


# The layout every writer we know uses for a formula cell: <c …><f …>…</f><v>…</v></c>. One
# regex pass over the part finds all of them at C speed; anything else takes the general path.
_FAST_FORMULA_CELL = re.compile(
    rb"<(?P<p>\w+:)?c\s+r=\"(?P<col>[A-Z]{1,3})(?P<row>\d+)\"(?P<attrs>[^>]*)>\s*"
    rb"(?P<f><(?:\w+:)?f(?P<fattrs>\s[^>]*)?(?:/>|>(?P<ftext>[^<]*)</(?:\w+:)?f>))\s*"
    rb"(?:<(?:\w+:)?v(?:\s[^>]*)?(?:/>|>(?P<v>[^<]*)</(?:\w+:)?v>))?\s*"
    rb"</(?:\w+:)?c>"
)
# The same for parts whose cells have no namespace prefix (nearly all): a literal start lets
# the regex engine skip to each "<c r=" instead of trying every "<" (40 % faster).
_FAST_FORMULA_CELL_UNPREFIXED = re.compile(
    rb"<c\s+r=\"(?P<col>[A-Z]{1,3})(?P<row>\d+)\"(?P<attrs>[^>]*)>\s*(?P<p>)"
    rb"(?P<f><(?:\w+:)?f(?P<fattrs>\s[^>]*)?(?:/>|>(?P<ftext>[^<]*)</(?:\w+:)?f>))\s*"
    rb"(?:<(?:\w+:)?v(?:\s[^>]*)?(?:/>|>(?P<v>[^<]*)</(?:\w+:)?v>))?\s*"
    rb"</c>"
)
_COLUMNS: dict[bytes, int] = {}


def _formula_cell_pattern(xml: bytes) -> re.Pattern:
    return _FAST_FORMULA_CELL if b":c " in xml or b":c\t" in xml or b":c\n" in xml else _FAST_FORMULA_CELL_UNPREFIXED


class _NotFastLayout(Exception):
    """An array formula: it owns more cells than its own, which only the general path finds."""


def _fast_cell(m: re.Match) -> FormulaCell:
    """The formula cell one match of :data:`_FAST_FORMULA_CELL` found."""
    letters, row, attrs, fattrs, ftext, v = m.group("col", "row", "attrs", "fattrs", "ftext", "v")
    col = _COLUMNS.get(letters)
    if col is None:
        col = _COLUMNS[letters] = column_number(letters.decode())
    kind = "normal"
    if fattrs and b"t=" in fattrs:
        kind = attributes(fattrs).get("t", "normal")
        if kind == "array":
            raise _NotFastLayout
        if kind != "shared":
            kind = "normal"
    t = _T_VALUE.search(attrs).group(1) if b"t=" in attrs else None
    return FormulaCell(int(row), col, ftext, t, v, kind, m.span())


def _covers_every_formula(xml: bytes, count: int) -> bool:
    return count == _formula_element_count(xml, count)


def _fast_scan(xml: bytes) -> SheetScan | None:
    """The scan by the one-regex path, or None when some formula cell is laid out otherwise."""
    try:
        scan = SheetScan([_fast_cell(m) for m in _formula_cell_pattern(xml).finditer(xml)])
    except _NotFastLayout:
        return None
    return scan if _covers_every_formula(xml, len(scan.formula_cells)) else None


def scan_sheet(xml: bytes) -> SheetScan:
    fast = _fast_scan(xml)
    if fast is not None:
        return fast
    scan = SheetScan()
    elements = _formula_elements(xml)
    if elements is None:  # a formula cell without r="A1": count cells the slow way
        elements = [(m, row, col) for m, row, col in _walk(xml) if m.group("body") and _F_START.search(m.group("body"))]
    arrays: list[tuple[int, int, int, int]] = []
    for m, row, col in elements:
        body = m.group("body") or b""
        f = _F.search(body)
        v = _V.search(body)
        t = _T_VALUE.search(m.group("attrs"))
        f_attrs = attributes(f.group("attrs")) if f.group("attrs").strip() else {}
        kind = f_attrs.get("t", "normal")
        if kind == "array" and "ref" in f_attrs:
            try:
                area = parse_area(f_attrs["ref"], "")
                arrays.append((area.top, area.left, area.bottom, area.right))
            except BadReference:
                pass
        if kind not in ("shared", "array"):
            kind = "normal"
        scan.formula_cells.append(FormulaCell(
            row, col, f.group("text"), t.group(1) if t else None, v.group("text") if v is not None else None, kind, m.span()))
    if any((b - t) or (r - l) for t, l, b, r in arrays):
        _add_spill_cells(xml, scan, arrays)
    return scan


def _add_spill_cells(xml: bytes, scan: SheetScan, arrays: list[tuple[int, int, int, int]]) -> None:
    """The cells an array formula fills (they hold a value but no formula) belong to it too."""
    anchors = {(c.row, c.col) for c in scan.formula_cells}
    for m, row, col in _walk(xml):
        if (row, col) in anchors or not any(t <= row <= b and l <= col <= r for t, l, b, r in arrays):
            continue
        body = m.group("body") or b""
        v = _V.search(body)
        t = _T_VALUE.search(m.group("attrs"))
        scan.formula_cells.append(FormulaCell(
            row, col, None, t.group(1) if t else None, v.group("text") if v is not None else None, "spill", m.span()))
    scan.formula_cells.sort(key=lambda c: c.span)


ValueFor = Callable[[int, int], object]


def write_cached_values(
    xml: bytes, scan: SheetScan, formula_value: ValueFor, inputs: dict[tuple[int, int], Scalar] | None = None
) -> tuple[bytes, set[tuple[int, int]]]:
    """Rewrite the cached values of ``scan``'s formula cells (and the values of ``inputs``).

    ``formula_value(row, col)`` gives a formula cell's new value, or :data:`KEEP`. Returns the
    new XML and the input cells that were not found in the part (the caller adds them).
    """
    edits: list[tuple[int, int, bytes]] = []
    for cell in scan.formula_cells:
        value = formula_value(cell.row, cell.col)
        if value is not KEEP:
            start, end = cell.span
            m = _FAST_FORMULA_CELL.match(xml, start, end) if cell.kind != "spill" else None
            edits.append((start, end, _fast_formula_cell(m, value) if m else _formula_cell(_ROW_OR_CELL.match(xml, start), value)))
    missing = set()
    for (row, col), value in (inputs or {}).items():
        m = _find_cell(xml, row, col)
        if m is None:
            missing.add((row, col))
        else:
            edits.append((m.start(), m.end(), _value_cell(m, value)))
    edits.sort()
    pieces, last = [], 0
    for start, end, replacement in edits:
        pieces += [xml[last:start], replacement]
        last = end
    pieces.append(xml[last:])
    return b"".join(pieces), missing


# (rows, columns, t attributes, cached value texts) → for each cell its new value, or ASK
BulkValues = Callable[[list[int], list[int], list, list], list]


def rewrite_cached_values_in_one_pass(
    xml: bytes, formula_value: Callable[[FormulaCell], object], sink: Callable[[bytes], None] | None = None,
    bulk_values: BulkValues | None = None,
) -> tuple[bytes, int] | None:
    """Scan and rewrite in one regex pass (the recalculation's hot path): the new XML and the
    number of formula cells, or None when a formula cell is laid out in a way only the general
    path (:func:`scan_sheet` + :func:`write_cached_values`) handles.

    ``sink``, when given, also receives the new XML piece by piece as it is made (in order, a
    few MB at a time), so that it can be compressed meanwhile. ``bulk_values``, when given, is
    asked first for many cells at once (their rows, columns, ``t`` attributes and cached value
    texts, as stored): an answer other than :data:`ASK` is that cell's new value,
    ``formula_value`` is asked for the others. After None, what the sink received and what the
    value functions were asked must be forgotten: the general path asks again. A part without
    any formula element is returned as it is, without a scan."""
    if b"<f" not in xml and b":f" not in xml:  # no formula element: nothing to scan
        if sink is not None:
            sink(xml)
        return xml, 0
    split = _rewrite_split(xml, formula_value, sink, bulk_values)
    if split is _GAVE_UP_MIDWAY:  # values asked and pieces fed already: the caller starts over
        return None
    if split is not None:
        return split
    pieces: list[bytes] = []
    append = pieces.append
    flushed, last, count = 0, 0, 0  # pieces already handed to sink; end of the last edit; cells
    next_flush = _SINK_CHUNK
    columns = _COLUMNS
    for m in _formula_cell_pattern(xml).finditer(xml):
        letters, row, attrs, prefix, f, fattrs, ftext, v = m.group("col", "row", "attrs", "p", "f", "fattrs", "ftext", "v")
        col = columns.get(letters)
        if col is None:
            col = columns[letters] = column_number(letters.decode())
        kind = "normal"
        if fattrs is not None and b"t=" in fattrs:
            kind = attributes(fattrs).get("t", "normal")
            if kind == "array":  # it owns more cells than its own: the general path
                return None
            if kind != "shared":
                kind = "normal"
        t = _T_VALUE.search(attrs).group(1) if b"t=" in attrs else None
        start, end = m.span()
        value = formula_value(FormulaCell(int(row), col, ftext, t, v, kind, (start, end)))
        count += 1
        if value is KEEP:
            continue
        if value.__class__ is float and t is None and not prefix and -_HUGE < value < _HUGE:
            # the common case, a number where there was none: <c r="K2" s="1"><f>…</f><v>…</v></c>
            number = b"%d" % value if value.is_integer() and -1e15 < value < 1e15 else repr(value).encode()
            cell = b"%s>%s<v>%s</v></c>" % (xml[start:m.end("attrs")], f, number)
        else:
            cell = _fast_formula_cell(m, value)
        append(xml[last:start])
        append(cell)
        last = end
        if sink is not None and end >= next_flush:
            sink(b"".join(pieces[flushed:]))
            flushed, next_flush = len(pieces), end + _SINK_CHUNK
    if count != _formula_element_count(xml, count):
        return None
    append(xml[last:])
    if sink is not None:
        sink(b"".join(pieces[flushed:]))
    return b"".join(pieces), count


_SINK_CHUNK = 4 << 20
# The layouts openpyxl, xlsxwriter and Excel write a formula cell in — a formula of its own or a
# shared formula's first cell or member — split over the whole part at once: for each such cell,
# the text before it, its start tag without ">" ('<c r="K2" s="1"'), column, row, formula element
# (<f>…</f>, <f t="shared" ref="K2:K9" si="0">…</f> or <f t="shared" si="0"/>), value element
# (<v>…</v>, <v xml:space="preserve">…</v>, <v/> or none) and value text.
_PLAIN_CELL_PIECES = re.compile(
    rb'(<c r="([A-Z]{1,3})(\d{1,7})"[^>]*)>(<f(?:\s[^>]*)?/?(?:(?<=/)>|>[^<]*</f>))((?:<v(?:\s[^>]*)?>([^<]*)</v>|<v/>)?)</c>')
_PIECES = 7


def _split_cell(row: int, col: int, f: bytes, t: bytes | None, cached: bytes | None) -> FormulaCell:
    """The formula cell one piece of :data:`_PLAIN_CELL_PIECES`'s split describes."""
    start_tag_end = f.index(b">")
    text = None if f.endswith(b"/>") else f[start_tag_end + 1:-4]
    shared = b"t=" in f[:start_tag_end] and attributes(f[2:start_tag_end]).get("t") == "shared"  # arrays never get here
    return FormulaCell(row, col, text, t, cached, "shared" if shared else "normal")


class _GaveUpMidway:
    """:func:`_rewrite_split`'s answer when it met a formula cell laid out otherwise after it
    had already asked for values and fed the sink: everything must be done again another way."""


_GAVE_UP_MIDWAY = _GaveUpMidway()
# A formula's start tag the split must not take as a plain or shared formula: an array formula
# (it owns more cells than its own, t="array" or t='array') or attributes written with character
# references (t="&#97;rray"). Searched for only when the part holds "array" or "&#" at all.
_UNUSUAL_FORMULA_TAG = re.compile(rb"""<(?:\w+:)?f\s[^>]*?(?:&\#|\bt\s*=\s*["']array["'])""")


def _rewrite_split(xml: bytes, formula_value: Callable[[FormulaCell], object], sink,
                   bulk_values: BulkValues | None = None) -> tuple[bytes, int] | None | _GaveUpMidway:
    """:func:`rewrite_cached_values_in_one_pass` when every formula cell has one of the usual
    layouts: the part split slice by slice (about 1 MB of whole rows each, so that the sink gets
    the first after milliseconds, not after a split of the whole part), each slice's cells
    rewritten together, with no regex match per cell. Each slice's formula elements are counted
    before any of its cells is asked for: None when the first slice holds one laid out otherwise
    (array, prefixed, spaced, pretty-printed), :data:`_GAVE_UP_MIDWAY` when a later one does."""
    if b":c " in xml or b"<c r=" not in xml:
        return None
    if (b"array" in xml or b"&#" in xml) and _UNUSUAL_FORMULA_TAG.search(xml):
        return None
    columns = _COLUMNS
    chunks: list[bytes] = []
    out: list[bytes] = []
    count, offset = 0, 0  # cells so far; where the slice starts in the part
    data_start, data_end = _cell_data(xml)
    for piece in _row_slices(xml):
        pieces = _PLAIN_CELL_PIECES.split(piece)
        cells = (len(pieces) - 1) // _PIECES
        if _formula_elements_between(xml, cells, max(offset, data_start), min(offset + len(piece), data_end)) != cells:
            return _GAVE_UP_MIDWAY if chunks else None
        offset += len(piece)
        count += cells
        out.append(pieces[0])
        tags, letters, rows, formulas = pieces[1::_PIECES], pieces[2::_PIECES], pieces[3::_PIECES], pieces[4::_PIECES]
        elements, cached, after = pieces[5::_PIECES], pieces[6::_PIECES], pieces[7::_PIECES]
        for new in set(letters).difference(columns):
            columns[new] = column_number(new.decode())
        types = [_T_VALUE.search(tag).group(1) if b"t=" in tag else None for tag in tags]
        row_numbers, column_numbers = list(map(int, rows)), list(map(columns.__getitem__, letters))
        if bulk_values is None:
            values = list(map(formula_value, map(_split_cell, row_numbers, column_numbers, formulas, types, cached)))
        else:
            values = bulk_values(row_numbers, column_numbers, types, cached) if cells else []
            for i in [i for i, value in enumerate(values) if value is ASK]:
                values[i] = formula_value(_split_cell(row_numbers[i], column_numbers[i], formulas[i], types[i], cached[i]))
        for tag, f, element, t, value, following in zip(tags, formulas, elements, types, values, after):
            if value is KEEP:
                out += (tag, b">", f, element, b"</c>", following)
            elif value.__class__ is float and t is None and -_HUGE < value < _HUGE:
                number = b"%d" % value if value.is_integer() and -1e15 < value < 1e15 else repr(value).encode()
                out += (tag, b">", f, b"<v>", number, b"</v></c>", following)
            else:
                new_t, v = _value_xml(b"", value, formula=True)
                start = _T_ATTR.sub(b"", tag) if t is not None else tag
                out += (start, b' t="%s"' % new_t if new_t else b"", b">", f, v, b"</c>", following)
        chunks.append(b"".join(out))
        out.clear()
        if sink is not None:
            sink(chunks[-1])
    return b"".join(chunks), count  # no formula cell at all (count 0): the part as it was


_SLICE_BYTES = 1 << 20  # as _DEFLATE_AHEAD_BYTES in workbook.py: a sheet big enough to deflate aside is two slices or more


def _row_slices(xml: bytes) -> Iterator[bytes]:
    """``xml`` in consecutive slices of about :data:`_SLICE_BYTES`, each ending after a ``</row>``
    (no cell is cut in two: a cell a cut did cut would be found by neither slice's split, and
    the count of the slice's formula elements then sends the part to another path)."""
    start, size = 0, _SLICE_BYTES
    while start < len(xml):
        end = xml.find(b"</row>", start + size)
        end = len(xml) if end < 0 else end + len(b"</row>")
        yield xml[start:end]
        start = end


_HUGE = float("inf")


def _formula_element_count(xml: bytes, found: int) -> int:
    """How many ``<f>`` elements the part's cell data (``<sheetData>``) holds, given that
    ``found`` were found. Formulas after the cell data (Excel's ``<xm:f>`` in extensions: lists
    and conditional formats referring to other sheets) are no cell's."""
    return _formula_elements_between(xml, found, *_cell_data(xml))


def _formula_elements_between(xml: bytes, found: int, start: int, end: int) -> int:
    """How many ``<f>`` elements ``xml[start:end]`` holds, given that ``found`` were found: one
    count of "<f" settles it when nothing else there starts so."""
    if start >= end:
        return 0
    if xml.find(b":f", start, end) < 0 and xml.count(b"<f", start, end) == found:
        return found
    return len(_F_START.findall(xml, start, end))


_SHEET_DATA_START = re.compile(rb"<(?:\w+:)?sheetData\b[^>]*>")


def _cell_data(xml: bytes) -> tuple[int, int]:
    """Where the content of the part's ``<sheetData>`` starts and ends (an empty span if none)."""
    opening = _SHEET_DATA_START.search(xml)
    if opening is None or opening.group(0).endswith(b"/>"):
        return 0, 0
    closing = xml.rfind(b"sheetData>")
    closing = xml.rfind(b"<", 0, closing) if closing > opening.end() else len(xml)
    return opening.end(), closing


def _find_cell(xml: bytes, row: int, col: int) -> re.Match | None:
    ref = cell_name(row, col).encode()
    for candidate in re.finditer(rb'<(?:\w+:)?c\b[^>]*?\sr\s*=\s*["\']' + ref + rb'["\']', xml):
        m = _ROW_OR_CELL.match(xml, candidate.start())
        if m is not None and not m.group("row"):
            return m
    for m, r, c in _walk(xml):  # cells written without r="…"
        if (r, c) == (row, col) and not _R_ATTR.search(m.group("attrs")):
            return m
    return None


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
    # ST_Xstring first (control characters and CR as _xHHHH_), then XML's own &, <, >.
    text = escape(encode_xstring(str(value))).encode("utf-8")
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
    # The new value takes the old one's place (else it follows the formula): nothing else
    # moves (the output oracle found <f> moved out of an element it was nested in).
    body = _IS.sub(b"", body)
    old_v = _V.search(body)
    if old_v:
        body = body[:old_v.start()] + v + _V.sub(b"", body[old_v.end():])
    else:
        body = body.replace(f_xml, f_xml + v, 1) if f_xml else v + body
    return _start_tag(prefix, m.group("attrs"), t) + body + b"</%sc>" % prefix


def _fast_formula_cell(m: re.Match, value: Scalar) -> bytes:
    prefix = m.group("p") or b""
    t, v = _value_xml(prefix, value, formula=True)
    start_tag = m.string[m.start(): m.start("attrs")] + m.group("attrs")  # '<c r="B3" s="1"'
    if b"t=" in start_tag:
        start_tag = _T_ATTR.sub(b"", start_tag)
    if t:
        return b'%s t="%s">%s%s</%sc>' % (start_tag, t, m.group("f"), v, prefix)
    return b"%s>%s%s</%sc>" % (start_tag, m.group("f"), v, prefix)


def _value_cell(m: re.Match, value: Scalar) -> bytes:
    prefix = m.group("p") or b""
    t, v = _value_xml(prefix, value, formula=False)
    return _start_tag(prefix, m.group("attrs"), t) + v + b"</%sc>" % prefix


def insert_cells(xml: bytes, values: dict[tuple[int, int], Scalar], prefix: bytes = b"") -> bytes:
    """Add cells that do not exist yet (a ``--set`` on an empty cell), keeping rows in order."""
    from lxml import etree

    from .package import NS_MAIN, parse_xml

    root = parse_xml(xml, "worksheet")
    main = etree.QName(root).namespace or NS_MAIN  # the transitional or the Strict namespace: keep the part's
    ns = {"m": main}
    sheet_data = root.find("m:sheetData", ns)
    if sheet_data is None:
        raise BadReference("the sheet has no cell data to add a value to")
    rows = {int(r.get("r")): r for r in sheet_data.findall("m:row", ns) if (r.get("r") or "").isdigit()}
    for (row, col), value in sorted(values.items()):
        row_el = rows.get(row)
        if row_el is None:
            row_el = etree.Element(f"{{{main}}}row", r=str(row))
            later = [r for n, r in rows.items() if n > row]
            if later:
                min(later, key=lambda e: int(e.get("r"))).addprevious(row_el)
            else:
                sheet_data.append(row_el)
            rows[row] = row_el
        cell = etree.Element(f"{{{main}}}c", r=cell_name(row, col))
        t, v = _value_xml(b"", value, formula=False)
        if t:
            cell.set("t", t.decode())
        if v:
            wrapper = etree.fromstring(b'<w xmlns="%s">%s</w>' % (main.encode(), v))
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
