"""Shared formulas for an engine's throw-away copy: a filled-down column parsed once, not per row.

Excel saves a column of formulas that differ only by their row (``=B2*C2``, ``=B3*C3``, …) as
one *shared formula*: the first cell holds the text (``<f t="shared" ref="K2:K9" si="0">``),
the others point at it (``<f t="shared" si="0"/>``). Generators such as openpyxl write every
formula out in full instead, and IronCalc then parses each of them (about 4 µs a formula, most of
its load time at 250,000 formulas) although it keeps only one copy of each relative (R1C1) form.

:func:`share_formulas` groups the plain ``<f>`` formulas of a worksheet that are the same formula
relative to their cell — same column, same text once each relative row number is read as an
offset from the cell's row — and writes each group as a shared formula. Only an engine's copy
is ever rewritten; the user's package is not.

Grouping must never join two formulas that mean different things, so a formula is left alone
(written as it was) whenever its text holds anything whose reading as a reference is not
certain: lowercase or out-of-range references, a name that looks like a reference, XML
character references, structured references, R1C1-looking text. Within a column, equal
column letters are equal column offsets, so only rows need reading as offsets.
"""
from __future__ import annotations

import operator
import re
from collections import Counter
from itertools import compress
from typing import Callable

from .refs import column_number


MAX_ROW = 1_048_576
_DIGITS = re.compile(rb"\d+")
_DIGITS_TO_ZERO = bytes.maketrans(b"123456789", b"000000000")
_SHARED_INDEX = re.compile(rb"""\bsi\s*=\s*["'](\d+)["']""")
# One token of a formula (XML-escaped bytes, as stored in the part), in the order tried:
_TOKEN = re.compile(
    rb'(?P<string>"(?:[^"]|"")*")'                       # a string literal: text, never a reference
    rb"|(?P<quoted>'(?:[^']|'')*')"                      # a quoted sheet name
    rb"|(?P<cell>(?P<cabs>\$?)(?P<letters>[A-Za-z]{1,3})(?P<rabs>\$?)(?P<row>\d+))(?![\w.(\[!$])"
    rb"|(?P<rows>(?P<r1abs>\$?)(?P<r1>\d+):(?P<r2abs>\$?)(?P<r2>\d+))(?![\w.(\[!$])"
    rb"|(?P<number>\d+(?:\.\d*)?(?:[Ee][+-]?\d+)?|\.\d+(?:[Ee][+-]?\d+)?)"
    rb"|(?P<name>[A-Za-z_\\][\w.]*)"                     # a function, name, TRUE/FALSE, sheet name
    rb"|(?P<entity>&(?:amp|lt|gt);)"                     # the operators &, <, > as XML escapes them
    rb"|(?P<other>&|[^\w\"'&])",
)
_LETTERS_LIMIT = b"XFD"
_LIKE_A_CELL = re.compile(rb"[A-Za-z]{1,3}\$?\d")
_F_PREFIX = re.compile(rb"<(\w+:)?f")
_NOT_READ = object()
LITERAL, RELATIVE_ROW = 0, 1
Rewrite = Callable[[bytes, int], bytes]


def _reads_as_column(letters: bytes) -> bool:
    """Whether an uppercase run of letters is a column Excel has (A … XFD)."""
    return len(letters) < 3 or letters <= _LETTERS_LIMIT


def digit_kinds(text: bytes) -> tuple[int, ...] | None:
    """For each run of digits in ``text``, in order, whether it is the row of a relative
    reference (:data:`RELATIVE_ROW`) or literal text; None when the formula's references cannot
    be read with certainty (then it is never shared)."""
    kinds: list[int] = []
    position = 0
    for m in _TOKEN.finditer(text):
        if m.start() != position:  # a character no token accounts for
            return None
        position = m.end()
        kind = m.lastgroup
        if kind in ("string", "quoted", "number"):
            kinds += [LITERAL] * len(_DIGITS.findall(m.group(0)))
        elif kind == "cell":
            letters = m.group("letters")
            if not letters.isupper() or not _reads_as_column(letters):
                return None  # a lowercase or out-of-range "reference": a name? IronCalc decides
            kinds.append(LITERAL if m.group("rabs") else RELATIVE_ROW)
        elif kind == "rows":
            kinds.append(LITERAL if m.group("r1abs") else RELATIVE_ROW)
            kinds.append(LITERAL if m.group("r2abs") else RELATIVE_ROW)
        elif kind == "name":
            name = m.group(0)
            if text[m.end():m.end() + 1] not in (b"(", b"!") and _LIKE_A_CELL.match(name):
                return None  # R1C1, TAX2024, A1.5: a reference or a name? not certain
            kinds += [LITERAL] * len(_DIGITS.findall(name))  # LOG10(, Sheet2!: literal text
        elif kind == "other" and m.group(0) in (b"[", b"]", b"&"):
            return None  # structured or external references; a character reference (&#…;)
    if position != len(text):
        return None
    return tuple(kinds)


def _relative_key(text: bytes, row: bytes, kinds: tuple[int, ...]) -> tuple | None:
    """The text's digit runs with each relative row as an offset from ``row``; None when a row
    is not one Excel has (then IronCalc's reading is not certain)."""
    digits = _DIGITS.findall(text)
    if len(digits) != len(kinds):
        return None
    key = []
    row_number = None
    for digits_run, kind in zip(digits, kinds):
        if kind == LITERAL:
            key.append(digits_run)
        elif digits_run == row:
            key.append(0)
        else:
            if digits_run[0] == 48 or len(digits_run) > 7:  # "A01", or far beyond the last row
                return None
            value = int(digits_run)
            if value > MAX_ROW:
                return None
            if row_number is None:
                row_number = int(row)
            key.append(value - row_number)
    return tuple(key)


# A cell with a plain formula as generators write it: <c r="K2" …><f>B2*C2</f>. Splitting the
# part on it gives, at C speed, for each such cell: the text before it, its start tag, column,
# row and formula text (and the text after the last one at the end).
_PLAIN_FORMULA_CELL = re.compile(rb'(<c r="([A-Z]{1,3})(\d{1,7})"[^>]*>)<f>([^<]+)</f>')
_FIELDS = 5  # pieces per cell in the split: text before, start tag, column, row, formula


def share_formulas(xml: bytes, rewrite_anchor: Rewrite | None = None, min_group: int = 2) -> bytes | None:
    """``xml`` (a worksheet part) with every group of at least ``min_group`` plain formulas that
    are the same relative to their cells written as one shared formula; None when no group is
    found. ``rewrite_anchor(text, size)`` may replace the text a group's first cell carries (the
    one IronCalc parses for the whole group of ``size`` cells)."""
    if b"<f>" not in xml:  # no plain formula (Excel's own parts: shared ones, or none)
        return None
    pieces = _PLAIN_FORMULA_CELL.split(xml)
    if len(pieces) < 1 + _FIELDS * min_group:
        return None
    columns, rows, texts = pieces[2::_FIELDS], pieces[3::_FIELDS], pieces[4::_FIELDS]
    # Every digit as "0", all formulas at once: the formula's shape ("B0*C0" for row 2 to 9).
    shapes = b"<".join(texts).translate(_DIGITS_TO_ZERO).split(b"<")  # "<" is in no formula text
    keys = _group_keys(columns, rows, texts, shapes)
    sizes = Counter(keys)
    shared = [key for key, size in sizes.items() if size >= min_group]  # in document order
    if not shared:
        return None
    count = len(keys)
    first = dict(zip(reversed(keys), range(count - 1, -1, -1)))  # each group's first cell
    last = dict(zip(keys, range(count)))
    existing = [int(n) for n in _SHARED_INDEX.findall(xml)] if b"si=" in xml else []
    indices = range(max(existing, default=-1) + 1, max(existing, default=-1) + 1 + len(shared))
    daughters = {key: b'<f t="shared" si="%d"/>' % index for key, index in zip(shared, indices)}
    formulas = list(map(daughters.get, keys, map(b"<f>%s</f>".__mod__, texts)))
    for key, index in zip(shared, indices):
        top, bottom = first[key], last[key]
        text = texts[top] if rewrite_anchor is None else rewrite_anchor(texts[top], sizes[key])
        area = b"%s%s:%s%s" % (columns[top], rows[top], columns[top], rows[bottom])  # rows ascend
        formulas[top] = b'<f t="shared" ref="%s" si="%d">%s</f>' % (area, index, text)
    pieces[2::_FIELDS] = pieces[3::_FIELDS] = [b""] * count  # column and row stay in the start tag
    pieces[4::_FIELDS] = formulas
    return b"".join(pieces)


# A range attribute; for a shared formula's first cell: <f t="shared" ref="K2:K50001" si="0">…</f>.
# Searched for literally (a few hits: the groups, the dimension, merged cells) rather than from
# every "<f" of the part.
_RANGE_ATTR = re.compile(rb'ref="([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})"')  # a literal start: fast
_F_START_TAG = re.compile(rb"<(?:\w+:)?f\s")
_SHARED_TYPE = re.compile(rb"""\st\s*=\s*["']shared["']""")
_SPACE = (b" ", b"\t", b"\n", b"\r")


def rewrite_shared_anchors(xml: bytes, rewrite_anchor: Rewrite) -> bytes | None:
    """``xml`` with the text of each shared formula the part already has (Excel's filled-down
    columns) replaced by ``rewrite_anchor(text, cells in its range)``; None when nothing changed."""
    if b"shared" not in xml:
        return None
    pieces, last = [], 0
    for m in _RANGE_ATTR.finditer(xml):
        tag_start, tag_end = xml.rfind(b"<", 0, m.start()), xml.find(b">", m.end())
        if xml[m.start() - 1:m.start()] not in _SPACE or b">" in xml[tag_start:m.start()] \
                or not _F_START_TAG.match(xml, tag_start) or not _SHARED_TYPE.search(xml, tag_start, tag_end) \
                or xml[tag_end - 1] == 47:
            continue  # not an attribute of a shared formula's first cell (47: "/>", no text)
        text_end = xml.find(b"<", tag_end)
        text = xml[tag_end + 1:text_end]
        cells = (int(m.group(4)) - int(m.group(2)) + 1) * (column_number(m.group(3).decode()) - column_number(m.group(1).decode()) + 1)
        rewritten = rewrite_anchor(text, cells)
        if rewritten != text:
            pieces += (xml[last:tag_end + 1], rewritten)
            last = text_end
    if not pieces:
        return None
    pieces.append(xml[last:])
    return b"".join(pieces)


def _group_keys(columns: list[bytes], rows: list[bytes], texts: list[bytes], shapes: list[bytes]) -> list:
    """Each formula's group key: formulas with equal keys are the same relative to their cells.
    A formula never shared gets its own index as key.

    The common case — every digit run is the row of a reference on the cell's own row — costs
    no Python code per cell: with ``map`` over C methods, each cell whose text comes back when
    its row is put into every row-wide run of zeros of its shape is keyed (column, shape, row
    width). Members of one such group have the same runs, so checking once per group that every
    run is exactly one row wide (not "11" for row 1) makes it exact. Other cells take
    :func:`_relative_key`, one by one.
    """
    kinds_of = {shape: digit_kinds(text) for shape, text in dict(zip(shapes, texts)).items()}
    zeros = [b"0" * n for n in range(9)]
    widths = list(map(len, rows))
    keys: list = list(zip(columns, shapes, widths))
    on_row = map(bytes.__eq__, map(bytes.replace, shapes, map(zeros.__getitem__, widths), rows), texts)
    exact = set()
    for key in set(keys):
        column, shape, width = key
        kinds = kinds_of[shape]
        if kinds and min(kinds) == RELATIVE_ROW and shape.count(b"0") == width * len(kinds) \
                and zeros[width + 1] not in shape:
            exact.add(key)
    common = map(operator.and_, on_row, map(exact.__contains__, keys))
    for index in compress(range(len(keys)), map(operator.not_, common)):
        kinds = kinds_of[shapes[index]]
        relative = None if kinds is None else _relative_key(texts[index], rows[index], kinds)
        keys[index] = index if relative is None else (columns[index], shapes[index], relative)
    return keys


__all__ = ["share_formulas", "rewrite_shared_anchors", "digit_kinds"]
