"""Which cells each formula reads, and the closures over those reads.

Used when something went wrong, never on the fast path: when a cell could not be evaluated, every
formula that reads it (directly or through others) is not evaluated either
(:meth:`Dependencies.dependents_closure`), and the reference engine recomputes those cells from
what they read (:meth:`Dependencies.precedents_closure`, :meth:`Dependencies.regions_read`).

Reads are over-approximated, never under: a formula may be said to read a cell it does not, but
never the other way round. So

* A1 refs, ranges, whole columns and rows, sheet-qualified and quoted-sheet refs, 3-D refs
  (``Sheet1:Sheet3!A1``), range chains (``A1:B2:C3``) and intersections are read as written;
* a spilled range (``A1#``) is read as everything from its anchor to the sheet's far corner;
* defined names are read through their formula (names of names too; a name whose formula is an
  expression contributes every reference in it); a name with relative parts is widened to the
  whole sheet in those directions;
* a structured reference reads its whole table (``Table1[Col]`` → the table's range); one whose
  table is unknown may read anything;
* ``OFFSET`` and a range operator joining function results (``A1:INDEX(…)``) widen the
  formula's references to their whole sheets; ``INDIRECT`` of a literal reference reads it, of
  anything else may read any cell of any sheet;
* a shared formula's children read the anchor's references moved by their offset; a cell an
  array formula fills reads its anchor.

Formulas are lexed with openpyxl's :class:`~openpyxl.formula.tokenizer.Tokenizer`; plain
formulas (no strings, quotes, brackets, braces or error literals) take a regex lexer that finds
the same operands about five times faster (tests/test_dependencies.py holds the two lexers to
the same answer). Cell keys are ``(sheet name, row, column)`` with the sheet's name as the
workbook spells it.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Iterator

from .cells import attributes  # the one reading of attributes: either quote, entities decoded
from .refs import MAX_COL, MAX_ROW, column_number
from .shared_formulas import RELATIVE_ROW, digit_kinds

CellKey = tuple[str, int, int]

# -- lexing ------------------------------------------------------------------------------------

# Anything that needs the real tokenizer: strings, quoted sheets, brackets, array constants,
# error literals and spill markers, implicit intersection, non-ASCII sheet names.
_NEEDS_TOKENIZER = re.compile(r"[\"'\[\]{}#@;]|[^\x00-\x7f]")
_PLAIN_WORD = re.compile(r"[A-Za-z0-9_.$:!\\?]+\(?")
_STRING_OR_QUOTED = re.compile(r"(\"(?:[^\"]|\"\")*\"|'(?:[^']|'')*')")
_SPILL_MARK = re.compile(r"(?<=[A-Za-z0-9$])#(?![A-Za-z/])")
_PREFIXES = ("_XLFN._XLWS.", "_XLFN.", "_XLWS.", "_XLUDF.", "_XLETA.", "_XLPM.")


def function_name(token: str) -> str:
    """``SUM`` from ``SUM(``, ``_xlfn.FORECAST.ETS(``, ``[1]!ROI(`` or ``'xlroi.xlam'!ROI(``."""
    name = token.rstrip("(")
    if "!" in name:
        name = name.rsplit("!", 1)[1]
    name = name.rsplit(":", 1)[-1].upper()  # "A1:INDEX(": a range operator before the call
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _despill(text: str) -> str:
    """``A1#`` (the range an array formula spills into) read as ``A1:$XFD$1048576``: everything
    from the anchor to the sheet's far corner, which holds the spill wherever it ends."""
    if "#" not in text:
        return text
    pieces = _STRING_OR_QUOTED.split(text)
    for i in range(0, len(pieces), 2):  # even pieces lie outside strings and quoted names
        pieces[i] = _SPILL_MARK.sub(":$XFD$1048576", pieces[i])
    return "".join(pieces)


def lex_with_tokenizer(text: str) -> tuple[list[str], list[str], list[list[str] | None], list]:
    """(operands, function tokens, the literal arguments of each INDIRECT call, the reference and
    whole-number arguments of each OFFSET call — None where they are computed) by openpyxl's
    tokenizer."""
    from openpyxl.formula.tokenizer import Tokenizer, TokenizerError

    try:
        # openpyxl's tokenizer takes only spaces and line feeds for white space: a CR or a tab
        # would stick to the next reference
        items = Tokenizer("=" + _despill(text).replace("\r", " ").replace("\t", " ")).items
    except TokenizerError:
        raise _Unreadable from None
    operands, functions, indirect, offsets = [], [], [], []
    shape_only: set[int] = set()  # ROWS(S15): the reference's shape, not its cells' values
    for i, token in enumerate(items):
        if token.type == "FUNC" and token.subtype == "OPEN" and function_name(token.value) in SHAPE_FUNCTIONS:
            shape_only.update(_lone_reference_arguments(items, i))
    for i, token in enumerate(items):
        if token.type == "OPERAND" and token.subtype == "RANGE" and i not in shape_only:
            operands.append(token.value)
        elif token.type == "FUNC" and token.subtype == "OPEN":
            functions.append(token.value)
            if function_name(token.value) == "INDIRECT":
                indirect.append(_literal_arguments(items, i))
            elif function_name(token.value) == "OFFSET":
                offsets.append(_offset_arguments(items, i))
    return operands, functions, indirect, offsets


def _arguments(items, start: int) -> list[list] | None:
    """The tokens of each argument of the call opened at ``items[start]`` (white space left out)."""
    arguments, current, depth = [], [], 0
    for token in items[start + 1:]:
        if token.type == "FUNC" and token.subtype == "CLOSE" and depth == 0:
            return arguments + [current]
        if token.type in ("FUNC", "PAREN", "ARRAY") and token.subtype == "OPEN":
            depth += 1
        elif token.type in ("FUNC", "PAREN", "ARRAY") and token.subtype == "CLOSE":
            depth -= 1
        if token.type == "SEP" and token.subtype == "ARG" and depth == 0:
            arguments.append(current)
            current = []
        elif token.type != "WHITE-SPACE":
            current.append(token)
    return None


def _lone_reference_arguments(items, start: int) -> list[int]:
    """Positions in ``items`` of the arguments of a call that are a reference and nothing else."""
    positions, depth, current = [], 0, []
    for i in range(start + 1, len(items)):
        token = items[i]
        if token.type == "FUNC" and token.subtype == "CLOSE" and depth == 0:
            break
        if token.type in ("FUNC", "PAREN", "ARRAY") and token.subtype == "OPEN":
            depth += 1
        elif token.type in ("FUNC", "PAREN", "ARRAY") and token.subtype == "CLOSE":
            depth -= 1
        if token.type == "SEP" and token.subtype == "ARG" and depth == 0:
            positions += current[:1] if len(current) == 1 else []
            current = []
        elif token.type != "WHITE-SPACE":
            current.append(i if token.type == "OPERAND" and token.subtype == "RANGE" else -1)
    else:
        return []
    positions += current[:1] if len(current) == 1 else []
    return [p for p in positions if p >= 0]


def _offset_arguments(items, start: int) -> tuple[str, list[int]] | None:
    """(reference, [rows, cols, height, width]) of ``OFFSET(B2,1,-1,2)`` when every argument is
    written out; None when one is computed."""
    arguments = _arguments(items, start)
    if not arguments or not 3 <= len(arguments) <= 5:
        return None
    base = arguments[0]
    if len(base) != 1 or base[0].type != "OPERAND" or base[0].subtype != "RANGE":
        return None
    numbers = []
    for argument in arguments[1:]:
        sign = 1
        if len(argument) == 2 and argument[0].type == "OPERATOR-PREFIX" and argument[0].value in "+-":
            sign = -1 if argument[0].value == "-" else 1
            argument = argument[1:]
        if len(argument) != 1 or argument[0].subtype != "NUMBER":
            return None
        try:
            number = float(argument[0].value)
        except ValueError:
            return None
        if not number.is_integer():
            return None
        numbers.append(sign * int(number))
    return base[0].value, numbers


def _literal_arguments(items, start: int) -> list[str] | None:
    """The text arguments of the call opened at ``items[start]`` if every argument is a literal."""
    texts, depth = [], 0
    for token in items[start + 1:]:
        if token.type == "FUNC" and token.subtype == "CLOSE" and depth == 0:
            return texts
        if token.type in ("FUNC", "PAREN") and token.subtype == "OPEN":
            depth += 1
        elif token.type in ("FUNC", "PAREN") and token.subtype == "CLOSE":
            depth -= 1
        elif token.type == "OPERAND" and token.subtype == "TEXT" and depth == 0:
            texts.append(token.value[1:-1].replace('""', '"'))
        elif token.type == "OPERAND" and token.subtype in ("LOGICAL", "NUMBER") and depth == 0:
            texts.append(token.value)
        elif token.type in ("SEP", "WHITE-SPACE"):
            continue
        else:
            return None
    return None


def lex_plain(text: str) -> tuple[list[str], list[str], list[list[str]]] | None:
    """The same as :func:`lex_with_tokenizer` for a formula without strings, quotes, brackets or
    error literals (most formulas), by one regex; None for any other formula."""
    if _NEEDS_TOKENIZER.search(text):
        return None
    operands, functions = [], []
    for word in _PLAIN_WORD.findall(text):
        if word[-1] == "(":
            functions.append(word)
        elif (not word[0].isdigit() or ":" in word) and word.upper() not in ("TRUE", "FALSE"):
            operands.append(word)
    names = [function_name(f) for f in functions]
    if "OFFSET" in names or SHAPE_FUNCTIONS.intersection(names):
        return None  # their arguments decide what they read: the tokenizer reads them
    # INDIRECT here can only have computed arguments (a literal would need a string)
    return operands, functions, [None] * names.count("INDIRECT"), []


class _Unreadable(Exception):
    """A formula neither lexer reads: it may read anything."""


# -- what a formula reads, before it is placed ---------------------------------------------------

# A corner of a reference as written: (row or None for a whole column, column or None for a
# whole row, row fixed with $, column fixed with $).
Corner = tuple[int | None, int | None, bool, bool]


@dataclass(frozen=True)
class RefPattern:
    """A reference as written in a formula: relative parts move with a shared formula's cell."""

    first_sheet: str | None  # None: the formula's own sheet
    last_sheet: str | None  # a 3-D reference's last sheet, else first_sheet
    corners: tuple[Corner, ...]
    whole_sheet: bool = False
    relative_name: bool = False  # from a defined name: relative parts widen instead of moving


@dataclass
class FormulaReads:
    """Everything one formula text reads."""

    refs: list[RefPattern] = field(default_factory=list)
    names: list[tuple[str | None, str]] = field(default_factory=list)  # (sheet qualifier, NAME)
    # structured references: (TABLE name, or "" for the table the formula is in; this row only)
    tables: list[tuple[str, bool]] = field(default_factory=list)
    functions: frozenset[str] = frozenset()
    anywhere: bool = False  # may read any cell of any sheet
    widen: bool = False  # every reference read as its whole sheet (OFFSET, A1:INDEX(…))
    external: bool = False  # reads another workbook (nothing here depends on it)


_CELL = re.compile(r"^(\$?)([A-Za-z]{1,3})(\$?)(\d{1,7})$")
_COL = re.compile(r"^(\$?)([A-Za-z]{1,3})$")
_ROW = re.compile(r"^(\$?)(\d{1,7})$")
_BOOK = re.compile(r"^\[(\d+)\]")
_BOOK_INDEX = re.compile(r"\[\d+\]")
_QUOTED = re.compile(r"'(?:[^']|'')*'")
_NAME = re.compile(r"^[A-Za-z_\\][\w.\\?]*$")
_TABLE = re.compile(r"^([A-Za-z_\\][\w.\\]*)?\[")
DYNAMIC_FUNCTIONS = frozenset({"INDIRECT", "OFFSET"})
# Functions that read where a reference is, not what its cells hold: ROWS(S15) does not depend
# on S15's value (FORMULATEXT and ISFORMULA do depend on its formula, so they are not here).
SHAPE_FUNCTIONS = frozenset({"ROW", "ROWS", "COLUMN", "COLUMNS", "AREAS", "ISREF", "SHEET"})
# XLM macro functions (in defined names) that read cells by computed address
_ANYWHERE_FUNCTIONS = frozenset({"EVALUATE", "GET.CELL", "GET.WORKBOOK", "GET.DOCUMENT", "CALL", "REGISTER", "EXEC"})


def _split_sheet(operand: str) -> tuple[str | None, str | None, str, bool]:
    """(first sheet, last sheet, the rest, external) of an operand such as ``'A b'!C1``."""
    external = False
    if operand.startswith("'"):
        end = 1
        while True:
            end = operand.find("'", end)
            if end < 0:
                raise _Unreadable
            if operand[end + 1:end + 2] == "'":
                end += 2
                continue
            break
        sheets, rest = operand[1:end].replace("''", "'"), operand[end + 1:]
        if not rest.startswith("!"):
            raise _Unreadable
        rest = rest[1:]
    elif "!" in operand:
        sheets, rest = operand.split("!", 1)
    else:
        return None, None, operand, False
    book = _BOOK.match(sheets)
    if book:
        external = book.group(1) != "0"
        sheets = sheets[book.end():]
    if not sheets:  # "[1]!Name": a name in another workbook
        return None, None, rest, external
    first, _, last = sheets.partition(":")
    return first, (last or first), rest, external


def _corner(text: str) -> Corner | None:
    m = _CELL.match(text)
    if m:
        row, col = int(m.group(4)), column_number(m.group(2))
        if 1 <= row <= MAX_ROW and 1 <= col <= MAX_COL:
            return row, col, bool(m.group(3)), bool(m.group(1))
        return None
    m = _COL.match(text)
    if m:
        col = column_number(m.group(2))
        return (None, col, True, bool(m.group(1))) if col <= MAX_COL else None
    m = _ROW.match(text)
    if m:
        row = int(m.group(2))
        return (row, None, bool(m.group(1)), True) if 1 <= row <= MAX_ROW else None
    return None


def _read_operand(operand: str, reads: FormulaReads) -> None:
    """Add what one RANGE operand reads: a reference, a defined name, a structured reference."""
    if operand.startswith("@"):
        operand = operand[1:]
    if operand.startswith(":"):  # the right side of a range operator after a function's result
        reads.widen = True
        operand = operand[1:]
    if not operand:
        return
    if "[" in operand and "[" in _BOOK_INDEX.sub("", _QUOTED.sub("", operand)):
        table = _TABLE.match(operand)
        this_row = "[@" in operand or "#this row" in operand.lower()
        reads.tables.append((table.group(1).upper() if table and table.group(1) else "", this_row))
        return
    parts = _split_range_chain(operand)
    corners, sheet = [], None
    for part in parts:
        first, last, rest, external = _split_sheet(part)
        if external:
            reads.external = True
            return
        if first is not None:
            if sheet is not None and (first, last) != sheet:
                reads.widen = True  # Sheet1!A1:Sheet2!B2 is not a reference Excel accepts
            sheet = (first, last)
        if rest.upper().startswith("#REF!"):
            return
        corner = _corner(rest)
        if corner is None:
            if len(parts) == 1 and _NAME.match(rest) and rest.upper() not in ("TRUE", "FALSE"):
                reads.names.append((first, rest.upper()))
                return
            if len(parts) > 1 and _NAME.match(rest):  # Name:B5 — a name in a range chain
                reads.names.append((first, rest.upper()))
                reads.widen = True
                continue
            return
        corners.append(corner)
    if not corners:
        return
    if len(corners) == 1 and (corners[0][0] is None or corners[0][1] is None):
        # a lone "x" or "1" is not a reference; "x" may be a defined name (or a LET variable)
        rest = parts[0].rsplit("!", 1)[-1]
        if _NAME.match(rest):
            reads.names.append((sheet[0] if sheet else None, rest.upper()))
        return
    first, last = sheet if sheet else (None, None)
    reads.refs.append(RefPattern(first, last, tuple(corners)))


def _is_cell(text: str) -> bool:
    corner = _corner(text)
    return corner is not None and corner[0] is not None and corner[1] is not None


def _split_range_chain(operand: str) -> list[str]:
    """``A1:B2``, ``Sheet1!A1:Sheet1!B2`` and ``'a:b'!C1`` split at the range operators only."""
    parts, current, quoted = [], [], False
    for ch in operand:
        if ch == "'":
            quoted = not quoted
        if ch == ":" and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    parts.append("".join(current))
    # "Sheet1:Sheet3!A1" is one 3-D reference, not a chain: glue a bare sheet name to the next part
    glued: list[str] = []
    for part in parts:
        if glued and "!" not in glued[-1] and "!" in part and not glued[-1].startswith("'") and not _is_cell(glued[-1]):
            glued[-1] = glued[-1] + ":" + part  # a sheet named like a column (T:V!A1) is still a sheet
        else:
            glued.append(part)
    return glued


@lru_cache(maxsize=65536)
def formula_reads(text: str) -> FormulaReads:
    """What the formula ``text`` (without ``=``) reads, as written (not yet placed on a sheet)."""
    reads = FormulaReads()
    try:
        lexed = lex_plain(text) or lex_with_tokenizer(text)
        operands, functions, indirect, offsets = lexed
        for operand in operands:
            _read_operand(operand, reads)
    except _Unreadable:
        return FormulaReads(anywhere=True)
    names = frozenset(function_name(f) for f in functions)
    reads.functions = names
    for f in functions:
        if ":" in f.rsplit("!", 1)[-1] or f.startswith(":"):
            # A1:INDEX(…) or INDEX(…):INDEX(…): a range between a reference and a function's
            # result lies anywhere on their sheet
            reads.widen = True
            left = f[: f.rfind(":")]
            if left:
                try:
                    _read_operand(left, reads)
                except _Unreadable:
                    reads.anywhere = True
    if "ANCHORARRAY" in names:  # ANCHORARRAY(A1) is A1#: its spilled range
        reads.widen = True
    for call in offsets:
        moved = _offset_refs(call) if call else None
        if moved is None:  # computed rows or columns: anywhere on the sheet
            reads.widen = True
        else:
            reads.refs.extend(moved)
    if names & _ANYWHERE_FUNCTIONS:
        reads.anywhere = True
    for arguments in indirect:
        if not arguments:
            reads.anywhere = True
            continue
        literal = FormulaReads()
        try:
            _read_operand(arguments[0], literal)
        except _Unreadable:
            literal.anywhere = True
        r1c1 = len(arguments) > 1 and arguments[1].upper() in ("FALSE", "0")
        if r1c1 or literal.anywhere or literal.tables or not (literal.refs or literal.names):
            reads.anywhere = True
        else:
            reads.refs.extend(literal.refs)
            reads.names.extend(literal.names)
    for f in functions:  # a defined name called like a function (LAMBDA names)
        if "[" not in f and "'" not in f:
            reads.names.append((None, function_name(f)))
    return reads


def _offset_refs(call: tuple[str, list[int]]) -> list[RefPattern] | None:
    """What ``OFFSET(ref, rows, cols[, height[, width]])`` with written-out numbers reads."""
    operand, numbers = call
    base = FormulaReads()
    try:
        _read_operand(operand, base)
    except _Unreadable:
        return None
    if len(base.refs) != 1 or base.names or base.tables:
        return None
    ref = base.refs[0]
    if any(r is None or c is None for r, c, _, _ in ref.corners):
        return None
    rows, cols = numbers[0], numbers[1]
    top = min(r for r, _, _, _ in ref.corners)
    left = min(c for _, c, _, _ in ref.corners)
    height = numbers[2] if len(numbers) > 2 else max(r for r, _, _, _ in ref.corners) - top + 1
    width = numbers[3] if len(numbers) > 3 else max(c for _, c, _, _ in ref.corners) - left + 1
    if height < 1 or width < 1:
        return None
    (_, _, row_fixed, col_fixed) = ref.corners[0]
    corners = ((top + rows, left + cols, row_fixed, col_fixed),
               (top + rows + height - 1, left + cols + width - 1, row_fixed, col_fixed))
    if min(corners[0][:2]) < 1:
        return []  # off the grid: #REF!, reads nothing
    return [RefPattern(ref.first_sheet, ref.last_sheet, corners)]


# -- placing references on the grid ----------------------------------------------------------------

# A placed region: (sheet index, top, left, bottom, right), inclusive, 1-based.
Region = tuple[int, int, int, int, int]


def _axis(at: int | None, fixed: bool, offset: int, limit: int, widen_relative: bool) -> tuple[int, int]:
    """A corner's span on one axis: the whole axis when absent (``C:C``) or relative and widened,
    else the position, moved by ``offset`` unless fixed (``$``)."""
    if at is None or (not fixed and widen_relative):
        return 1, limit
    position = at if fixed else at + offset
    return position, position


def _place(corners: tuple[Corner, ...], dr: int, dc: int, widen_relative: bool) -> tuple[int, int, int, int] | None:
    tops, lefts, bottoms, rights = [], [], [], []
    for row, col, row_fixed, col_fixed in corners:
        r0, r1 = _axis(row, row_fixed, dr, MAX_ROW, widen_relative)
        c0, c1 = _axis(col, col_fixed, dc, MAX_COL, widen_relative)
        tops.append(r0), bottoms.append(r1), lefts.append(c0), rights.append(c1)
    top, left, bottom, right = min(tops), min(lefts), max(bottoms), max(rights)
    if top < 1 or left < 1 or bottom > MAX_ROW or right > MAX_COL:
        return None  # moved off the grid: #REF!, reads nothing
    return top, left, bottom, right


class Dependencies:
    """The reads of every formula cell of a workbook, indexed for closures.

    ``cells`` yields ``(sheet, FormulaCell)`` as :meth:`xlroi.workbook.Workbook.formula_cells`
    does; shared formulas and array formulas are found from each cell's XML in the package.
    Building parses every distinct formula once (about 3 µs a formula on the plain path); the
    index of ranges for :meth:`dependents_closure` is built on its first use.
    """

    def __init__(self, package, cells: Iterable, parts: dict[str, bytes] | None = None):
        self.package = package
        self.sheet_names = [s.name for s in package.sheets]
        self._sheet_index = {s.name.upper(): i for i, s in enumerate(package.sheets)}
        self.keys: list[CellKey] = []
        self._id: dict[CellKey, int] = {}
        self._reads: list[tuple[FormulaReads, int, int] | int | None] = []  # reads + (dr, dc), or the anchor id
        self._position: list[tuple[int, int, int]] = []
        self._names = _NameTable(package)
        self._tables = _tables(package)
        self._array_ref: dict[int, tuple[int, int, int, int]] = {}
        self._compiled: dict[tuple[int, int], tuple] = {}
        self._build(cells, parts or {})
        self._by_column = self._index_positions()
        self._stabs = None

    # -- building ---------------------------------------------------------------------------
    def _build(self, cells: Iterable, parts: dict[str, bytes]) -> None:
        shared: dict[tuple[int, str], tuple[FormulaReads, int, int]] = {}
        pending_children = []
        arrays: dict[int, list[tuple[int, int, int, int, int]]] = {}
        spills = []
        shapes = _Shapes()
        for sheet, cell in cells:
            s = self._sheet_index[sheet.name.upper()]
            xml = parts.get(sheet.part) or self.package.parts.get(sheet.part, b"")
            key = (sheet.name, cell.row, cell.col)
            i = len(self.keys)
            self.keys.append(key)
            self._id[key] = i
            self._position.append((s, cell.row, cell.col))
            text = cell.formula
            attrs = _f_attributes(xml, cell.span) if cell.kind in ("shared", "array") else {}
            if cell.kind == "spill":
                self._reads.append(None)
                spills.append(i)
                continue
            if cell.kind == "array" and "ref" in attrs:
                area = _area(attrs["ref"])
                if area:
                    arrays.setdefault(s, []).append((*area, i))
                    self._array_ref[i] = area
            if text is None:
                si = attrs.get("si")
                self._reads.append(None)
                pending_children.append((i, s, cell.row, cell.col, si))
                continue
            reads, dr, dc = shapes.reads(text, cell.row, cell.col)
            self._reads.append((reads, dr, dc))
            if cell.kind == "shared" and "si" in attrs:
                shared[(s, attrs["si"])] = (reads, cell.row, cell.col)
        for i, s, row, col, si in pending_children:
            anchor = shared.get((s, si)) if si is not None else None
            if anchor is None:
                self._reads[i] = (FormulaReads(anywhere=True), 0, 0)
            else:
                reads, r0, c0 = anchor
                dr0, dc0 = self._reads[self._id[(self.sheet_names[s], r0, c0)]][1:]
                self._reads[i] = (reads, row - r0 + dr0, col - c0 + dc0)
        for i in spills:
            s, row, col = self._position[i]
            owner = next((a for t, l, b, r, a in arrays.get(s, ()) if t <= row <= b and l <= col <= r), None)
            self._reads[i] = owner if owner is not None else (FormulaReads(anywhere=True), 0, 0)

    def _index_positions(self) -> dict[tuple[int, int], tuple[list[int], list[int]]]:
        by_column: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for i, (s, row, col) in enumerate(self._position):
            by_column.setdefault((s, col), []).append((row, i))
        index = {}
        for key, items in by_column.items():
            items.sort()
            index[key] = ([r for r, _ in items], [i for _, i in items])
        self._columns_of_sheet = {}
        for s, col in sorted(index):
            self._columns_of_sheet.setdefault(s, []).append(col)
        return index

    # -- the reads of one cell ------------------------------------------------------------------
    def __contains__(self, key: CellKey) -> bool:
        return self._key(key) in self._id

    def _key(self, key: CellKey) -> CellKey:
        sheet, row, col = key
        i = self._sheet_index.get(sheet.upper())
        return (self.sheet_names[i], row, col) if i is not None else key

    def functions_called(self, key: CellKey) -> frozenset[str]:
        """The functions a formula cell calls (names upper-case, without ``_xlfn.`` prefixes)."""
        entry = self._entry(self._id[self._key(key)])
        return entry[0].functions if entry else frozenset()

    def reads_of(self, key: CellKey) -> FormulaReads | None:
        """What a formula cell's own text reads, as written (None for a cell an array fills)."""
        entry = self._entry(self._id[self._key(key)])
        return entry[0] if entry else None

    def names_used(self, key: CellKey) -> frozenset[str]:
        """The defined names a formula cell's own text uses (upper-case)."""
        entry = self._entry(self._id[self._key(key)])
        return frozenset(name for _, name in entry[0].names) if entry else frozenset()

    def anchor_of(self, key: CellKey) -> CellKey | None:
        """The anchor of the array formula that fills ``key`` (None for any other cell)."""
        i = self._id.get(self._key(key))
        entry = self._reads[i] if i is not None else None
        return self.keys[entry] if isinstance(entry, int) else None

    def _entry(self, i: int):
        entry = self._reads[i]
        if isinstance(entry, int):  # a cell an array formula fills: reads its anchor
            return None
        return entry

    def regions(self, i: int) -> list[Region] | None:
        """The regions formula cell ``i`` reads; None when it may read anything."""
        entry = self._reads[i]
        if isinstance(entry, int):
            s, row, col = self._position[entry]
            return [(s, row, col, row, col)]
        reads, dr, dc = entry
        s0, row, col = self._position[i]
        compiled = self._compiled.get((id(reads), s0))
        if compiled is None:
            compiled = self._compiled[(id(reads), s0)] = self._compile(reads, s0)
        moving, fixed = compiled
        if moving is None:  # reads that depend on where the cell is ([@Col]): the general path
            out: list[Region] = []
            return out if self._add_regions(reads, (s0, row, col), dr, dc, out, set(), False) else None
        if fixed is None:
            return None
        out = list(fixed)
        for sheets, corners in moving:
            if len(corners) == 1:
                r, c, row_fixed, col_fixed = corners[0]
                r, c = (r if row_fixed else r + dr), (c if col_fixed else c + dc)
                if 1 <= r <= MAX_ROW and 1 <= c <= MAX_COL:
                    out.extend([(s, r, c, r, c) for s in sheets])
                continue
            placed = _place(corners, dr, dc, False)
            if placed is not None:
                out.extend([(s, *placed) for s in sheets])
        return out

    def _compile(self, reads: FormulaReads, s0: int) -> tuple[list | None, list[Region] | None]:
        """(references that move with a shared formula's offset, regions that do not — None
        when the formula may read anything); (None, None) when the general path is needed."""
        if any(t == "" or this_row for t, this_row in reads.tables) or any(self._positional_name(q, n, s0) for q, n in reads.names):
            return None, None
        fixed: list[Region] = []
        rest = FormulaReads(tables=reads.tables, names=reads.names, widen=reads.widen, anywhere=reads.anywhere)
        if not self._add_regions(rest, (s0, 1, 1), 0, 0, fixed, set(), False):
            return [], None
        moving = []
        for ref in reads.refs:
            sheets = self._sheets(ref, s0)
            if sheets is None:
                continue
            if reads.widen or ref.whole_sheet:
                fixed.extend((s, 1, 1, MAX_ROW, MAX_COL) for s in sheets)
            else:
                moving.append((tuple(sheets), ref.corners))
        return moving, fixed

    def _positional_name(self, qualifier: str | None, name: str, s0: int, depth: int = 0) -> bool:
        """Whether a name's reads depend on the cell using it ([@Col] inside, at any depth)."""
        if depth > 20:
            return True
        scope = self._sheet_index.get(qualifier.upper()) if qualifier else s0
        for defined_sheet, name_reads in self._names.lookup(name, scope, qualifier is not None):
            if any(t == "" or this_row for t, this_row in name_reads.tables) or any(self._positional_name(q, n, s0, depth + 1) for q, n in name_reads.names):
                return True
        return False

    def _add_regions(self, reads: FormulaReads, cell: tuple[int, int, int], dr: int, dc: int, out: list,
                     seen_names: set, from_name: bool) -> bool:
        """Add the placed regions of ``reads`` (in a formula of ``cell``) to ``out``; False when
        it may read anything."""
        if reads.anywhere:
            return False
        own_sheet = cell[0]
        for ref in reads.refs:
            sheets = self._sheets(ref, own_sheet)
            if sheets is None:
                continue  # a sheet this workbook does not have: #REF!
            if reads.widen or ref.whole_sheet:
                out.extend((s, 1, 1, MAX_ROW, MAX_COL) for s in sheets)
                continue
            placed = _place(ref.corners, dr, dc, from_name)
            if placed is not None:
                out.extend((s, *placed) for s in sheets)
        for table, this_row in reads.tables:
            found = self._tables.get(table) if table else self._table_around(cell)
            if found is None:
                return False
            if this_row:  # [#This Row] / [@Col]: the table's part of the formula's own row
                if not found[1] <= cell[1] <= found[3]:
                    continue  # outside the table's rows: #VALUE!, reads nothing
                found = (found[0], cell[1], found[2], cell[1], found[4])
            out.append(found)
        for qualifier, name in reads.names:
            scope = self._sheet_index.get(qualifier.upper()) if qualifier else own_sheet
            if qualifier and scope is None:
                continue
            for defined_sheet, name_reads in self._names.lookup(name, scope, qualifier is not None):
                marker = (name, defined_sheet)
                if marker in seen_names:
                    continue  # a name that refers to itself
                seen_names.add(marker)
                sheet_of_name = defined_sheet if defined_sheet is not None else own_sheet
                through_name: list[Region] = []
                if not self._add_regions(name_reads, (sheet_of_name, *cell[1:]), 0, 0, through_name, seen_names, True):
                    return False
                if reads.widen:
                    through_name = [(r[0], 1, 1, MAX_ROW, MAX_COL) for r in through_name]
                out.extend(through_name)
        return True

    def _table_around(self, cell: tuple[int, int, int]) -> Region | None:
        """The table a ``[@Col]`` reference in ``cell`` belongs to."""
        s, row, col = cell
        return next((t for t in self._tables.values() if t[0] == s and t[1] <= row <= t[3] and t[2] <= col <= t[4]), None)

    def _sheets(self, ref: RefPattern, own_sheet: int) -> list[int] | None:
        if ref.first_sheet is None:
            return [own_sheet]
        first = self._sheet_index.get(ref.first_sheet.upper())
        last = self._sheet_index.get((ref.last_sheet or ref.first_sheet).upper())
        if first is None or last is None:
            return None
        return list(range(min(first, last), max(first, last) + 1))

    # -- formula cells inside regions ------------------------------------------------------------
    def formula_cells_in(self, region: Region) -> Iterator[int]:
        s, top, left, bottom, right = region
        columns = self._columns_of_sheet.get(s, [])
        for col in columns[bisect.bisect_left(columns, left):bisect.bisect_right(columns, right)]:
            rows, ids = self._by_column[(s, col)]
            yield from ids[bisect.bisect_left(rows, top):bisect.bisect_right(rows, bottom)]

    # -- closures ---------------------------------------------------------------------------------
    def precedents_closure(self, cells: Iterable[CellKey]) -> set[CellKey]:
        """Every formula cell the given cells read, directly or transitively (the given formula
        cells themselves only when they read each other)."""
        ids = self._precedent_ids([self._id[k] for k in map(self._key, cells) if k in self._id])
        return {self.keys[i] for i in ids}

    def _precedent_ids(self, start: list[int]) -> set[int]:
        visited = _Unvisited(self._by_column)
        found: set[int] = set()
        stack = list(start)
        everything = False
        while stack:
            i = stack.pop()
            regions = self.regions(i)
            if regions is None:
                everything = True
                break
            for region in regions:
                for j in visited.take(region, self._columns_of_sheet):
                    if j not in found:
                        found.add(j)
                        stack.append(j)
        if everything:
            return set(range(len(self.keys)))
        return found

    def regions_read(self, cells: Iterable[CellKey]) -> list[Region] | None:
        """The regions the given formula cells read directly; None when one may read anything."""
        out: list[Region] = []
        for key in map(self._key, cells):
            i = self._id.get(key)
            if i is None:
                continue
            regions = self.regions(i)
            if regions is None:
                return None
            out.extend(regions)
        return out

    def dependents_closure(self, cells: Iterable[CellKey]) -> set[CellKey]:
        """Every formula cell that reads any of the given cells, directly or transitively."""
        return set(self.dependents(cells))

    def dependents(self, cells: Iterable[CellKey]) -> dict[CellKey, CellKey]:
        """Each formula cell that reads the given cells (directly or transitively), mapped to the
        given cell its dependency starts from."""
        stabs = self._stab_index()
        origin: dict[int, CellKey] = {}
        frontier: list[tuple[int, int, int, CellKey]] = []
        given: set[int] = set()  # formula cells among the given ones: each spreads its own name
        for key in map(self._key, cells):
            i = self._sheet_index.get(key[0].upper())
            if i is not None:
                frontier.append((i, key[1], key[2], key))
                if key in self._id:
                    given.add(self._id[key])
        frontier.reverse()
        fired_anywhere = False
        while frontier:
            s, row, col, source = frontier.pop()
            readers = stabs.pop_containing(s, row, col)
            if not fired_anywhere:
                fired_anywhere = True
                readers.extend(stabs.anywhere)
            for j in readers:
                if j not in origin:
                    origin[j] = source
                    if j not in given:
                        js, jr, jc = self._position[j]
                        frontier.append((js, jr, jc, source))
        stabs.restore()
        return {self.keys[j]: src for j, src in origin.items()}

    def readers(self, cells: Iterable[CellKey]) -> dict[CellKey, CellKey]:
        """Each formula cell that reads one of the given cells directly, mapped to that cell."""
        stabs = self._stab_index()
        found: dict[int, CellKey] = {}
        keys = [k for k in map(self._key, cells) if k[0].upper() in self._sheet_index]
        for key in keys:
            s = self._sheet_index[key[0].upper()]
            for j in stabs.pop_containing(s, key[1], key[2]):
                found.setdefault(j, key)
        if keys:
            for j in stabs.anywhere:
                found.setdefault(j, keys[0])
        stabs.restore()
        return {self.keys[j]: src for j, src in found.items()}

    def _stab_index(self) -> "_StabIndex":
        if self._stabs is None:
            stabs = _StabIndex()
            for i in range(len(self.keys)):
                regions = self.regions(i)
                if regions is None:
                    stabs.anywhere.append(i)
                else:
                    for region in regions:
                        stabs.add(region, i)
            stabs.freeze()
            self._stabs = stabs
        return self._stabs


# -- formulas that differ only in their row numbers --------------------------------------------------

_DIGITS = re.compile(r"\d+")
_RELATIVE_COLUMN = re.compile(r"(?<![\w.$])[A-Za-z]{1,3}\$?\d")


class _Shapes:
    """Formulas written by a generator rather than Excel (no shared formulas) repeat one shape
    down a column: ``=HR_COST(B2,C2)``, ``=HR_COST(B3,C3)``… Each shape is parsed once; a
    formula of the same shape whose relative rows all move by the same offset reads what the
    first one reads, moved by that offset (the way a shared formula's children do)."""

    def __init__(self):
        self._known: dict[str, tuple] = {}

    def reads(self, text: str, row: int, col: int) -> tuple[FormulaReads, int, int]:
        if _NEEDS_TOKENIZER.search(text):
            return formula_reads(text), 0, 0
        shape = _DIGITS.sub("0", text)
        runs = _DIGITS.findall(text)
        known = self._known.get(shape)
        if known is not None:
            reads, row0, col0, roles, runs0, relative_columns = known
            if not relative_columns or col == col0:
                dr = row - row0
                if all((int(run) - int(run0) == dr) if role == RELATIVE_ROW else (run == run0)
                       for role, run, run0 in zip(roles, runs, runs0)):
                    return reads, dr, 0
        reads = formula_reads(text)
        if reads.anywhere or any(r.first_sheet != r.last_sheet for r in reads.refs) or len(self._known) > 100_000:
            return reads, 0, 0
        # role of each digit run: the row of a relative reference, or text that must match
        # (the reading the engine's copy groups shared formulas by)
        roles = digit_kinds(text.encode("utf-8"))
        if roles is None or len(roles) != len(runs):
            return reads, 0, 0
        self._known[shape] = (reads, row, col, roles, runs, bool(_RELATIVE_COLUMN.search(text)))
        return reads, 0, 0


# -- defined names and tables ---------------------------------------------------------------------

class _NameTable:
    def __init__(self, package):
        self._by_name: dict[str, list[tuple[int | None, str]]] = {}
        for name in package.defined_names:
            self._by_name.setdefault(name.name.upper(), []).append((name.sheet_index, name.formula))

    def lookup(self, name: str, scope: int | None, qualified: bool) -> list[tuple[int | None, FormulaReads]]:
        """The definitions a use of ``name`` on sheet ``scope`` may mean (local first, global)."""
        found = self._by_name.get(name)
        if not found:
            return []
        local = [(s, f) for s, f in found if s is not None and s == scope]
        glob = [(s, f) for s, f in found if s is None]
        chosen = local or glob if not qualified else local + glob
        return [(s, formula_reads(f.lstrip("="))) for s, f in chosen]


def _tables(package) -> dict[str, Region]:
    """TABLE NAME → the region of each table (Excel tables, for structured references)."""
    from .package import relationships

    found: dict[str, Region] = {}
    for s, sheet in enumerate(package.sheets):
        try:
            rels = relationships(package, sheet.part)
        except Exception:  # noqa: BLE001 - a damaged rels part: structured refs read anything
            continue
        for typ, target, mode in rels.values():
            if not typ.endswith("/table") or target not in package.parts:
                continue
            xml = package.parts[target]
            name = re.search(rb'\bdisplayName="([^"]+)"', xml) or re.search(rb'\bname="([^"]+)"', xml)
            ref = re.search(rb'\bref="([^"]+)"', xml)
            area = _area(ref.group(1).decode()) if ref else None
            if name and area:
                found[name.group(1).decode("utf-8", "replace").upper()] = (s, *area)
    return found


def _area(text: str) -> tuple[int, int, int, int] | None:
    first, _, last = text.replace("$", "").partition(":")
    a, b = _corner(first), _corner(last or first)
    if not a or not b or None in (a[0], a[1], b[0], b[1]):
        return None
    return min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])


_F_TAG = re.compile(rb"<(?:\w+:)?f\b([^>]*)>|<(?:\w+:)?f\b([^>]*)/>")


def _f_attributes(xml: bytes, span: tuple[int, int]) -> dict[str, str]:
    m = _F_TAG.search(xml, span[0], span[1])
    if not m:
        return {}
    return attributes(m.group(1) if m.group(1) is not None else m.group(2))


# -- indexes ---------------------------------------------------------------------------------------------

class _Unvisited:
    """Formula cells not yet visited, per column: each is handed out once (a union-find of the
    next unvisited row), so overlapping ranges cost what they add, not what they cover."""

    def __init__(self, by_column):
        self._by_column = by_column
        self._next: dict[tuple[int, int], list[int]] = {}

    def take(self, region: Region, columns_of_sheet) -> Iterator[int]:
        s, top, left, bottom, right = region
        columns = columns_of_sheet.get(s, [])
        for col in columns[bisect.bisect_left(columns, left):bisect.bisect_right(columns, right)]:
            rows, ids = self._by_column[(s, col)]
            nxt = self._next.get((s, col))
            if nxt is None:
                nxt = self._next[(s, col)] = list(range(len(rows) + 1))
            k = _find(nxt, bisect.bisect_left(rows, top))
            end = bisect.bisect_right(rows, bottom)
            while k < end:
                yield ids[k]
                nxt[k] = k + 1
                k = _find(nxt, k + 1)


def _find(nxt: list[int], k: int) -> int:
    root = k
    while nxt[root] != root:
        root = nxt[root]
    while nxt[k] != root:
        nxt[k], k = root, nxt[k]
    return root


NARROW = 256  # a range at most this wide is indexed per column, at most this tall per row


class _StabIndex:
    """Which ranges contain a point, each range handed out once per query run.

    Ranges at most NARROW columns wide are kept per (sheet, column), ranges at most NARROW rows
    tall per (sheet, row), others in a short list checked one by one. Each bucket is a
    segment tree of its intervals sorted by start, holding the largest end below each node, so
    a point finds its intervals in O(log n) each and a fired interval is taken out.
    """

    def __init__(self):
        self._columns: dict[tuple[int, int], list] = {}
        self._rows: dict[tuple[int, int], list] = {}
        self._big: list[tuple[Region, int]] = []
        self.anywhere: list[int] = []
        self._trees: dict = {}
        self._taken: list = []

    def add(self, region: Region, owner: int) -> None:
        s, top, left, bottom, right = region
        if right - left < NARROW:
            for col in range(left, right + 1):
                self._columns.setdefault((s, col), []).append((top, bottom, owner))
        elif bottom - top < NARROW:
            for row in range(top, bottom + 1):
                self._rows.setdefault((s, row), []).append((left, right, owner))
        else:
            self._big.append((region, owner))

    def freeze(self) -> None:
        self._trees = {("c",) + k: _IntervalTree(v) for k, v in self._columns.items()}
        self._trees.update({("r",) + k: _IntervalTree(v) for k, v in self._rows.items()})
        self._columns = self._rows = {}
        self._big_alive = [True] * len(self._big)

    def pop_containing(self, s: int, row: int, col: int) -> list[int]:
        owners = []
        tree = self._trees.get(("c", s, col))
        if tree is not None:
            owners += tree.pop(row, self._taken)
        tree = self._trees.get(("r", s, row))
        if tree is not None:
            owners += tree.pop(col, self._taken)
        for k, ((rs, top, left, bottom, right), owner) in enumerate(self._big):
            if self._big_alive[k] and rs == s and top <= row <= bottom and left <= col <= right:
                self._big_alive[k] = False
                owners.append(owner)
        return owners

    def restore(self) -> None:
        """Put back every interval taken by the last run of queries."""
        for tree, k in self._taken:
            tree.put_back(k)
        self._taken.clear()
        self._big_alive = [True] * len(self._big)


class _IntervalTree:
    """Intervals [start, end] sorted by start, with a max-of-ends segment tree over them."""

    __slots__ = ("starts", "ends", "owners", "size", "tree")

    def __init__(self, intervals: list[tuple[int, int, int]]):
        intervals.sort()
        self.starts = [a for a, _, _ in intervals]
        self.ends = [b for _, b, _ in intervals]
        self.owners = [o for _, _, o in intervals]
        size = 1
        while size < len(intervals):
            size *= 2
        self.size = size
        tree = [-1] * (2 * size)
        tree[size:size + len(intervals)] = self.ends
        for k in range(size - 1, 0, -1):
            tree[k] = max(tree[2 * k], tree[2 * k + 1])
        self.tree = tree

    def pop(self, x: int, taken: list) -> list[int]:
        """Owners of the intervals containing ``x`` (taken out until ``put_back``)."""
        limit = bisect.bisect_right(self.starts, x)  # intervals [0, limit) start at or before x
        if limit == 0 or self.tree[1] < x:
            return []
        found: list[int] = []
        stack = [(1, 0, self.size)]
        tree = self.tree
        while stack:
            node, lo, hi = stack.pop()
            if lo >= limit or tree[node] < x:
                continue
            if hi - lo == 1:
                found.append(self.owners[lo])
                taken.append((self, lo))
                self._set(lo, -1)
                continue
            mid = (lo + hi) // 2
            stack.append((2 * node + 1, mid, hi))
            stack.append((2 * node, lo, mid))
        return found

    def _set(self, k: int, value: int) -> None:
        node = self.size + k
        self.tree[node] = value
        node //= 2
        while node:
            self.tree[node] = max(self.tree[2 * node], self.tree[2 * node + 1])
            node //= 2

    def put_back(self, k: int) -> None:
        self._set(k, self.ends[k])


__all__ = ["Dependencies", "FormulaReads", "formula_reads", "function_name", "lex_plain", "lex_with_tokenizer",
           "CellKey", "Region", "DYNAMIC_FUNCTIONS"]
