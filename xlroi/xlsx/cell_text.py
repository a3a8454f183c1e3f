"""String cells as the engines must see them: the text an ST_Xstring stands for.

Excel stores a carriage return in a cell as ``_x000D_``, a BEL as ``_x0007_`` and a literal
``_x0041_`` as ``_x005F_x0041_`` (see :mod:`.xstring`). The engines read these differently:
IronCalc and formulas decode shared strings (formulas only upper-case hex), neither decodes
inline strings. Measured on IronCalc 0.9.1 and formulas 1.3.4 (tests/test_strings.py).

So the engine's throw-away copy carries every such string in a form all of them read alike:

- a string whose text XML can carry (``\\r`` as ``&#13;``) becomes an inline string holding the
  decoded text, which every engine reads literally — also a shared string: its cells are turned
  into inline strings, because an engine that decodes shared strings would decode a literal
  ``_x0041_`` a second time;
- a string with a character XML 1.0 cannot carry at all (``CHAR(7)``) is left as it is in the
  copy and set through the engine's API once the copy is loaded (the "overrides").

Strings without any ``_xHHHH_`` are left alone: every engine reads them the same. So are cells of
type ``str`` without a formula: Excel writes the cells an array formula fills that way (their
cached values), and the engine computes those — as a constant such a cell would block the
array (``#SPILL!``; found by the fuzz run's output oracle).
"""
from __future__ import annotations

import re
from html import unescape
from xml.sax.saxutils import escape

from .package import Package, relationships
from .refs import column_number
from .xstring import decode_xstring

_ESCAPE = re.compile(rb"_x[0-9A-Fa-f]{4}_")
# What XML 1.0 cannot hold even as a character reference.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_SI = re.compile(rb"<(?:\w+:)?si\b[^>]*?(?:/>|>(?P<body>.*?)</(?:\w+:)?si>)", re.S)
_PHONETIC = re.compile(rb"<(?P<p>\w+:)?rPh\b.*?</(?P=p)?rPh>", re.S)
_T = re.compile(rb"<(?:\w+:)?t\b[^>]*?(?:/>|>(?P<text>[^<]*)</(?:\w+:)?t>)")
# A string cell (shared or inline); cells do not nest, so its body ends at the first end tag.
_STRING_CELL = re.compile(
    rb"<(?P<p>\w+:)?c\b(?P<attrs>[^>]*?\st\s*=\s*[\"'](?:s|inlineStr)[\"'][^>]*?)(?:/>|>(?P<body>.*?)</(?:\w+:)?c>)",
    re.S)
_F = re.compile(rb"<(?:\w+:)?f\b")
_T_ATTR = re.compile(rb'\st\s*=\s*["\']([^"\']*)["\']')
_R_ATTR = re.compile(rb'\sr\s*=\s*["\']\$?([A-Za-z]{1,3})\$?(\d+)["\']')
_V = re.compile(rb"<(?:\w+:)?v\b[^>]*>(?P<text>[^<]*)</(?:\w+:)?v>")
_IS = re.compile(rb"<(?:\w+:)?is\b[^>]*>(?P<body>.*?)</(?:\w+:)?is>", re.S)

Overrides = dict[tuple[str, int, int], str]  # (sheet name, row, column) → text


def xml_text(raw: bytes) -> str:
    """The text an XML parser reads from raw element content: line ends normalised (a raw CRLF
    or CR is a line feed; Excel writes a line feed in a string as a raw CRLF), then entities
    and character references (``&#13;`` stays a carriage return)."""
    return unescape(raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").decode("utf-8"))


def item_text(body: bytes) -> str:
    """The stored text of a string item (``<si>`` or ``<is>``): its runs, without phonetic hints."""
    body = _PHONETIC.sub(b"", body)
    return "".join(xml_text(m.group("text") or b"") for m in _T.finditer(body))


def shared_strings_part(package: Package) -> str | None:
    for typ, target, mode in relationships(package, package.workbook_part).values():
        if typ.endswith("/sharedStrings") and mode != "External":
            return target
    return None


def decoded_shared_strings(sst: bytes) -> dict[int, str]:
    """Index → decoded text of the shared strings that hold an ``_xHHHH_`` escape."""
    if not _ESCAPE.search(sst):
        return {}
    found = {}
    for index, m in enumerate(_SI.finditer(sst)):
        body = m.group("body") or b""
        if _ESCAPE.search(body):
            found[index] = decode_xstring(item_text(body))
    return found


def carriable(text: str) -> bool:
    """Whether XML 1.0 can carry ``text`` (with ``\\r`` as a character reference)."""
    return not _NOT_XML.search(text)


def inline_string_cell(prefix: bytes, attrs: bytes, text: str) -> bytes:
    """A cell holding ``text`` as an inline string every engine reads literally."""
    attrs = _T_ATTR.sub(b"", attrs).rstrip()
    content = escape(text).replace("\r", "&#13;").encode("utf-8")
    return b'<%sc%s t="inlineStr"><%sis><%st xml:space="preserve">%s</%st></%sis></%sc>' % (
        prefix, attrs, prefix, prefix, content, prefix, prefix, prefix)


def _position(attrs: bytes) -> tuple[int, int] | None:
    m = _R_ATTR.search(attrs)
    return (int(m.group(2)), column_number(m.group(1).decode())) if m else None


def sheet_with_decoded_strings(xml: bytes, shared: dict[int, str]) -> tuple[bytes, dict[tuple[int, int], str]]:
    """The sheet with the cells whose text needs care (``shared``: decoded shared strings by
    index) rewritten as literal inline strings; and (row, column) → text of those XML cannot carry."""
    if not shared and not _ESCAPE.search(xml):
        return xml, {}
    overrides: dict[tuple[int, int], str] = {}

    def replace(m: re.Match) -> bytes:
        attrs, body = m.group("attrs"), m.group("body")
        t = _T_ATTR.search(attrs)
        if body is None or t is None or _F.search(body):  # formula cells: the engine computes them
            return m.group(0)
        text = _cell_text(t.group(1), body, shared)
        if text is None:
            return m.group(0)
        if carriable(text):
            return inline_string_cell(m.group("p") or b"", attrs, text)
        where = _position(attrs)
        if where is not None:
            overrides[where] = text
        return m.group(0)

    return _STRING_CELL.sub(replace, xml), overrides


def _cell_text(kind: bytes, body: bytes, shared: dict[int, str]) -> str | None:
    """The decoded text of a string cell that holds an ``_xHHHH_`` escape, else None."""
    if kind == b"s":
        v = _V.search(body)
        index = v.group("text").strip() if v else b""
        return shared.get(int(index)) if index.isdigit() else None
    inline = _IS.search(body)
    return decode_xstring(item_text(inline.group("body"))) if inline and _ESCAPE.search(inline.group("body")) else None


def decoded_text_parts(package: Package, parts: dict[str, bytes]) -> tuple[dict[str, bytes], Overrides]:
    """The sheets of the engine's copy that change so every engine reads each string cell as
    the text it stands for (``parts``: the copy's parts changed so far), and the cells whose
    text only the engine's API can carry."""
    sst_name = shared_strings_part(package)
    sst = parts.get(sst_name, package.parts.get(sst_name)) if sst_name else None
    shared = decoded_shared_strings(sst) if sst else {}
    changed: dict[str, bytes] = {}
    overrides: Overrides = {}
    for sheet in package.sheets:
        xml = parts.get(sheet.part, package.parts.get(sheet.part))
        if xml is None:
            continue
        new, cells = sheet_with_decoded_strings(xml, shared)
        if new != xml:
            changed[sheet.part] = new
        overrides.update({(sheet.name, row, col): text for (row, col), text in cells.items()})
    return changed, overrides


def engine_safe(text: str) -> str:
    """``text`` with surrogate pairs joined (``_xD83D__xDE00_`` decodes to two halves) and any
    lone half, which no engine can hold, as U+FFFD."""
    if not re.search("[\ud800-\udfff]", text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


__all__ = ["decoded_text_parts", "decoded_shared_strings", "item_text", "engine_safe", "shared_strings_part"]
