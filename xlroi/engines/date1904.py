"""Workbooks in the 1904 date system (``<workbookPr date1904="1"/>``), for engines that only know 1900.

In a 1904 workbook serial 0 is 1904-01-01, so every date is 1,462 days below its 1900-system
serial: ``=DATE(2024,1,15)`` is 43844 there, 45306 in IronCalc and ``formulas``, which ignore
the flag. The values in the cells are the file's own serials and stay as they are; what must
change is the meaning of the functions that turn dates into serials and back. So the engine's
copy of each formula (never the user's file) is rewritten:

* a function that *produces* a serial gets its result moved down by 1,462 (``#NUM!`` below 0,
  which is before 1904-01-01): ``XLROI_TO1904(DATE(2024,1,15))``;
* a function that *reads* a serial gets its argument moved up by 1,462 (``#NUM!`` below 0):
  ``YEAR(XLROI_FROM1904(A1))``; text is handed on unchanged, since an engine reads the date in
  text itself (a number written as text is moved like a number);
* a function that works on differences of serials or on the time of day needs nothing.

Where the move cannot be made soundly the cell is **not evaluated**, with a reason starting
"1904 date system:", and so is every formula that depends on it (see
:mod:`xlroi.evaluation.taint`): a date argument given as a range or an array, holidays lists,
``TEXT`` with a format that is not written in the formula or mixes elapsed time with dates,
``VALUE`` and the financial functions that take dates, text that looks like a date anywhere an
engine would turn it into a 1900-system serial (``="2024-01-15"+1``, criteria like
``">1/1/2024"``), the text ``TEXT`` makes of a date when it is used as a number, and a formula
that reads a cell holding text that looks like a date. docs/engines.md has the whole table;
tests/test_date1904.py holds every date and time function to it.

``XLROI_TO1904`` and ``XLROI_FROM1904`` are LAMBDA names in IronCalc's copy and Python
functions registered in ``formulas``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from xml.sax.saxutils import escape

OFFSET = 1462  # days from 1900-01-00 (serial 0 in the 1900 system) to 1904-01-01
TO_1904 = "XLROI_TO1904"
FROM_1904 = "XLROI_FROM1904"
DECLARED = "1904 date system: "

# -- the table -------------------------------------------------------------------------------------
# Functions whose result is a serial: moved down by 1,462.
PRODUCES = frozenset({"DATE", "DATEVALUE", "TODAY", "NOW", "EDATE", "EOMONTH", "WORKDAY", "WORKDAY.INTL"})
# Functions reading serials, with the (0-based) positions of those arguments: moved up by 1,462.
READS = {
    "YEAR": (0,), "MONTH": (0,), "DAY": (0,), "WEEKDAY": (0,), "WEEKNUM": (0,), "ISOWEEKNUM": (0,),
    "EDATE": (0,), "EOMONTH": (0,), "WORKDAY": (0,), "WORKDAY.INTL": (0,),
    "DATEDIF": (0, 1), "YEARFRAC": (0, 1), "DAYS360": (0, 1), "NETWORKDAYS": (0, 1), "NETWORKDAYS.INTL": (0, 1),
    "TEXT": (0,),  # only when the format, written in the formula, shows a date
}
# Lists of holidays (ranges of serials): not moved — the cell is declared.
HOLIDAYS = {"WORKDAY": 2, "WORKDAY.INTL": 3, "NETWORKDAYS": 2, "NETWORKDAYS.INTL": 3}
# Functions that need nothing, and why.
UNCHANGED = {
    "DAYS": "a difference of two serials",
    "HOUR": "the time of day (the fraction of the serial)", "MINUTE": "the time of day", "SECOND": "the time of day",
    "TIME": "a time of day (a fraction, no date)", "TIMEVALUE": "a time of day (a fraction, no date)",
    "XIRR": "differences of dates only", "XNPV": "differences of dates only",
}
# Functions whose cells are declared not evaluated, and why.
NOT_SHIFTED = {
    "VALUE": "VALUE turns text that looks like a date into a 1900-system serial",
    "NUMBERVALUE": "NUMBERVALUE may read text as a date",
    "DATESTRING": "not an Excel function",
    **{name: f"{name} takes dates the engines read in the 1900 system" for name in (
        "ACCRINT", "ACCRINTM", "AMORDEGRC", "AMORLINC", "COUPDAYBS", "COUPDAYS", "COUPDAYSNC", "COUPNCD",
        "COUPNUM", "COUPPCD", "DISC", "DURATION", "INTRATE", "MDURATION", "ODDFPRICE", "ODDFYIELD",
        "ODDLPRICE", "ODDLYIELD", "PRICE", "PRICEDISC", "PRICEMAT", "RECEIVED", "TBILLEQ", "TBILLPRICE",
        "TBILLYIELD", "YIELD", "YIELDDISC", "YIELDMAT")},
}
# Where a date written as text is read as a date by the function itself (never converted by an
# engine into a 1900-system serial first): the arguments READS moves, DATEVALUE's, the time ones.
_TEXT_READ_AS_DATE = {"DATEVALUE": (0,), "TIMEVALUE": (0,), "HOUR": (0,), "MINUTE": (0,), "SECOND": (0,)}
# Where the text of a date (TEXT(…,"yyyy")) may go without being turned back into a number.
_TEXT_SAFE = frozenset({"CONCATENATE", "CONCAT", "TEXTJOIN", "IF", "IFS", "IFERROR", "IFNA", "CHOOSE", "SWITCH",
                        "T", "UPPER", "LOWER", "PROPER", "TRIM", "CLEAN", "LEFT", "RIGHT", "MID", "SUBSTITUTE",
                        "REPLACE", "REPT", "LET"})

LAMBDAS = {
    TO_1904: f"LAMBDA(s,IF(s<{OFFSET},#NUM!,s-{OFFSET}))",
    FROM_1904: (f"LAMBDA(x,IF(ISTEXT(x),IF(ISERROR(DATEVALUE(x)),VALUE(x)+{OFFSET},x),"
                f"IF(x<0,#NUM!,x+{OFFSET})))"),
}

_DATE1904 = re.compile(rb"<(?:\w+:)?workbookPr\b[^>]*\bdate1904\s*=\s*[\"'](?:1|true)[\"']", re.I)
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
_DATE_LIKE = re.compile(r"\d\s*[-/]\s*\d|\d{1,2}\.\d{1,2}\.\d{2,4}|\b%s\b.*\d|\d.*\b%s\b" % (_MONTHS, _MONTHS), re.I)


def is_1904(package) -> bool:
    """Whether the workbook counts dates from 1904 (``date1904="1"`` or ``"true"``)."""
    return bool(_DATE1904.search(package.parts.get(package.workbook_part, b"")))


def looks_like_a_date(text: str) -> bool:
    """Text an engine might turn into a date serial (over-approximated; plain numbers are not)."""
    if not _DATE_LIKE.search(text):
        return False
    try:
        float(text.replace(",", ""))
        return False
    except ValueError:
        return True


# -- formats -------------------------------------------------------------------------------------------
_FORMAT_QUOTED = re.compile(r'"[^"]*"|\\.|_.|\*.|\[[^\]]*\]')
_ELAPSED = re.compile(r"\[(?:h+|m+|s+)\]", re.I)


def format_shows_date(fmt: str) -> bool | None:
    """True if a number format shows a date (the serial must be moved), False if not, None if it
    mixes elapsed time ([h]) with a date (it cannot be moved soundly)."""
    elapsed = bool(_ELAPSED.search(fmt))
    bare = _FORMAT_QUOTED.sub("", fmt)
    bare = re.sub(r"general", "", bare, flags=re.I)
    bare = re.sub(r"[eE][+-]", "", bare)  # scientific notation
    dates = bool(re.search(r"[dyegbDYEGB]", bare))
    if elapsed:
        return None if dates else False
    return dates or bool(re.search(r"[mM]", bare))  # m is a month or a minute: moving is harmless for minutes


# -- reading a formula ---------------------------------------------------------------------------------

@dataclass
class _Node:
    kind: str  # "seq", "call", "paren", "array", "token"
    start: int
    end: int
    children: list["_Node"] = field(default_factory=list)
    token: object = None  # the openpyxl token of a leaf, or a call's opening token
    name: str = ""  # a call's function name (upper-case, no _xlfn.)
    parent: "_Node | None" = None
    wrap: tuple[str, str] | None = None


def _tokens_with_positions(text: str):
    """openpyxl's tokens of ``text`` with their (start, end) in it; None if they cannot be placed."""
    from openpyxl.formula.tokenizer import Tokenizer, TokenizerError

    try:
        # openpyxl's tokenizer takes only spaces and line feeds for white space (a CR or a tab
        # would stick to the next token): same length, so positions stay those of ``text``
        items = Tokenizer("=" + _plain_white_space(text)).items
    except TokenizerError:
        return None
    text = _plain_white_space(text)
    placed, pos = [], 0
    for token in items:
        if token.type == "WHITE-SPACE":
            start = pos
            while pos < len(text) and text[pos].isspace():
                pos += 1
            placed.append((token, start, pos))  # (the tokenizer splits some runs of white space)
            continue
        while pos < len(text) and text[pos].isspace() and not token.value[:1].isspace():
            pos += 1
        if not text.startswith(token.value, pos):
            return None
        placed.append((token, pos, pos + len(token.value)))
        pos += len(token.value)
    return placed if text[pos:].strip() == "" else None


def _plain_white_space(text: str) -> str:
    return text.replace("\r", " ").replace("\t", " ") if ("\r" in text or "\t" in text) else text


def _tree(text: str) -> _Node | None:
    """The formula as nested calls, parentheses and arrays, each argument a sequence of items."""
    from ..xlsx.dependencies import function_name

    placed = _tokens_with_positions(text)
    if placed is None:
        return None
    root = _Node("seq", 0, len(text))
    stack = [root]
    current = root
    for token, start, end in placed:
        if token.type == "WHITE-SPACE":
            continue
        opens = token.subtype == "OPEN" and token.type in ("FUNC", "PAREN", "ARRAY")
        closes = token.subtype == "CLOSE" and token.type in ("FUNC", "PAREN", "ARRAY")
        if opens:
            kind = {"FUNC": "call", "PAREN": "paren", "ARRAY": "array"}[token.type]
            node = _Node(kind, start, end, token=token, parent=current,
                         name=function_name(token.value) if kind == "call" else "")
            current.children.append(node)
            argument = _Node("seq", end, end, parent=node)
            node.children.append(argument)
            stack.append(node)
            current = argument
        elif closes:
            if len(stack) < 2:
                return None
            node = stack.pop()
            current.end = max(current.end, start) if current.children else start
            node.end = end
            current = node.parent
        elif token.type == "SEP" and token.subtype == "ARG" and stack[-1] is not root:
            node = stack[-1]
            current.end = start if current.children else start
            argument = _Node("seq", end, end, parent=node)
            node.children.append(argument)
            current = argument
        else:
            leaf = _Node("token", start, end, token=token, parent=current)
            current.children.append(leaf)
        if not opens and not closes and current.children:
            current.end = max(current.end, current.children[-1].end)
        if current.children and current.start == current.end == current.children[0].start and False:
            pass
    if len(stack) != 1:
        return None
    _tighten(root)
    return root


def _tighten(node: _Node) -> None:
    """A sequence spans from its first item to its last (argument separators and white space
    around it stay outside the wrapper)."""
    for child in node.children:
        _tighten(child)
    if node.kind == "seq" and node.children:
        node.start, node.end = node.children[0].start, node.children[-1].end


def _write(node: _Node, text: str) -> str:
    if node.kind == "token":
        inner = text[node.start:node.end]
    else:
        pieces, pos = [], node.start
        for child in node.children:
            if child.kind == "seq" and not child.children:
                continue
            pieces.append(text[pos:child.start])
            pieces.append(_write(child, text))
            pos = child.end
        pieces.append(text[pos:node.end])
        inner = "".join(pieces)
    if node.wrap:
        return node.wrap[0] + inner + node.wrap[1]
    return inner


def _walk(node: _Node):
    yield node
    for child in node.children:
        yield from _walk(child)


# -- rewriting -----------------------------------------------------------------------------------------

class Declared(Exception):
    """A formula whose dates cannot be moved soundly: the reason (without the prefix)."""


def rewrite(text: str, single_cell_names: frozenset[str] = frozenset(), declared_names: frozenset[str] = frozenset()) -> str:
    """The formula ``text`` (no ``=``) for an engine of the 1900 system, in a 1904 workbook.
    Raises :class:`Declared` when that cannot be done soundly."""
    if not _MAY_MATTER.search(text):
        return text
    root = _tree(text)
    if root is None:
        raise Declared("the formula could not be read to move its dates")
    for node in _walk(root):
        if node.kind == "token":
            _check_token(node, declared_names)
        elif node.kind == "call":
            _check_call(node, single_cell_names)
    return _write(root, text)


# Anything a rewrite could be about: a date function, text, a defined name (it might be declared)
_MAY_MATTER = re.compile(r"[A-Za-z_\\\"]")


def _check_token(node: _Node, declared_names: frozenset[str]) -> None:
    token = node.token
    if token.type == "OPERAND" and token.subtype == "TEXT":
        literal = token.value[1:-1].replace('""', '"')
        if looks_like_a_date(literal) and not _text_read_as_date(node):
            raise Declared(f'the text "{literal}" would be read as a date in the 1900 system')
    elif token.type == "OPERAND" and token.subtype == "RANGE":
        name = token.value.rsplit("!", 1)[-1].upper()
        if name in declared_names:
            raise Declared(f"the name {name} holds a date formula that cannot be moved")


def _argument_of(node: _Node) -> tuple[_Node, int] | None:
    """(the call, the argument's position) when ``node`` is the whole of a call's argument."""
    seq = node.parent
    if seq is None or seq.kind != "seq" or len(seq.children) != 1:
        return None
    call = seq.parent
    if call is None or call.kind != "call":
        return None
    return call, call.children.index(seq)


def _text_read_as_date(node: _Node) -> bool:
    found = _argument_of(node)
    if found is None:
        return False
    call, position = found
    if call.name == "TEXT" and position == 1:
        return True  # a format, not a date
    return position in READS.get(call.name, ()) + _TEXT_READ_AS_DATE.get(call.name, ())


def _check_call(node: _Node, single_cell_names: frozenset[str]) -> None:
    name = node.name
    arguments = [a for a in node.children]
    if name in NOT_SHIFTED and not (name == "VALUE" and _plain_number_argument(arguments)):
        raise Declared(NOT_SHIFTED[name])
    if name in HOLIDAYS and len(arguments) > HOLIDAYS[name] and arguments[HOLIDAYS[name]].children:
        raise Declared(f"{name} with a list of holidays")
    positions = READS.get(name, ())
    if name == "TEXT":
        positions = _text_positions(node, arguments)
    for position in positions:
        if position < len(arguments) and arguments[position].children:
            argument = arguments[position]
            _scalar_argument(name, argument, single_cell_names)
            argument.wrap = (f"{FROM_1904}(", ")")
    if name in PRODUCES:
        node.wrap = (f"{TO_1904}(", ")")


def _plain_number_argument(arguments: list[_Node]) -> bool:
    """VALUE("12.5") or VALUE(3): a number written out, which no date system changes."""
    if len(arguments) != 1 or len(arguments[0].children) != 1 or arguments[0].children[0].kind != "token":
        return False
    token = arguments[0].children[0].token
    if token.subtype == "NUMBER":
        return True
    return token.subtype == "TEXT" and not looks_like_a_date(token.value[1:-1]) and _is_number(token.value[1:-1])


def _is_number(text: str) -> bool:
    try:
        float(text.strip().replace(",", "").rstrip("%"))
        return True
    except ValueError:
        return False


def _text_positions(node: _Node, arguments: list[_Node]) -> tuple[int, ...]:
    if len(arguments) < 2 or not arguments[1].children:
        return ()
    fmt = arguments[1]
    if len(fmt.children) != 1 or fmt.children[0].kind != "token" or fmt.children[0].token.subtype != "TEXT":
        raise Declared("TEXT with a format that is not written in the formula")
    shows = format_shows_date(fmt.children[0].token.value[1:-1].replace('""', '"'))
    if shows is None:
        raise Declared("TEXT with a format mixing elapsed time and dates")
    if not shows:
        return ()
    if not _only_as_text(node):
        raise Declared("the text TEXT makes of a date is used as a number")
    return (0,)


def _only_as_text(node: _Node) -> bool:
    """Whether a call's result (text) only ever goes into text: joined with &, handed through
    IF/CHOOSE/…, or the formula's result (the cell's value is then checked when it is read)."""
    while True:
        seq = node.parent
        index = seq.children.index(node)
        for neighbour in (seq.children[index - 1] if index else None,
                          seq.children[index + 1] if index + 1 < len(seq.children) else None):
            if neighbour is not None and not (neighbour.kind == "token" and neighbour.token.value == "&"):
                return False
        owner = seq.parent
        if owner is None:
            return True  # the whole formula
        if owner.kind == "paren":
            node = owner
            continue
        if owner.kind == "call" and owner.name in _TEXT_SAFE:
            node = owner
            continue
        return False


def _scalar_argument(name: str, argument: _Node, single_cell_names: frozenset[str]) -> None:
    """A date argument must be one value: not a range, an array or a name of a range."""
    for node in _walk(argument):
        if node.kind == "array":
            raise Declared(f"{name} with dates given as an array")
        if node.kind == "call" and node is not argument:
            continue
    if len(argument.children) == 1 and argument.children[0].kind == "token":
        token = argument.children[0].token
        if token.type == "OPERAND" and token.subtype == "RANGE":
            value = token.value.rsplit("!", 1)[-1]
            if ":" in value or "[" in value:
                raise Declared(f"{name} with dates given as a range")
            if not re.fullmatch(r"\$?[A-Za-z]{1,3}\$?\d+", value) and value.upper() not in single_cell_names:
                raise Declared(f"{name} with dates given as a name that is not one cell")


# -- the engine's copy -------------------------------------------------------------------------------------

def engine_parts(package, parts: dict[str, bytes]) -> tuple[dict[str, bytes], dict[tuple[str, int, int], str]]:
    """(the sheets and workbook part of the engine's copy with every formula rewritten, the cells
    declared not evaluated and why) — both empty for a 1900 workbook."""
    if not is_1904(package):
        return {}, {}
    from ..xlsx.cells import scan_sheet
    from ..xlsx.dependencies import _f_attributes

    single = _single_cell_names(package)
    changed: dict[str, bytes] = {}
    declared_names = _declared_names(package, single)
    workbook = parts.get(package.workbook_part, package.parts[package.workbook_part])
    changed[package.workbook_part] = _rewrite_names(workbook, single, declared_names)
    declared: dict[tuple[str, int, int], str] = {}
    for sheet in package.sheets:
        xml = parts.get(sheet.part, package.parts.get(sheet.part))
        if not xml:
            continue
        edits, anchors, children = [], {}, []
        for cell in scan_sheet(xml).formula_cells:
            attrs = _f_attributes(xml, cell.span) if cell.kind == "shared" else {}
            text = cell.formula
            if text is None:
                if cell.kind == "shared" and "si" in attrs:
                    children.append((cell, attrs["si"]))
                continue
            try:
                new = rewrite(text, single, declared_names)
            except Declared as why:
                declared[(sheet.name, cell.row, cell.col)] = DECLARED + str(why)
                if "si" in attrs:
                    anchors[attrs["si"]] = DECLARED + str(why)
                continue
            if new != text:
                edits.append((cell.span, new))
        for cell, si in children:
            if si in anchors:
                declared[(sheet.name, cell.row, cell.col)] = anchors[si]
        if edits:
            changed[sheet.part] = _apply(xml, edits)
    return changed, declared


_F_TEXT = re.compile(rb"(<(?:\w+:)?f\b[^>]*>)([^<]*)(</(?:\w+:)?f>)")


def _apply(xml: bytes, edits: list[tuple[tuple[int, int], str]]) -> bytes:
    pieces, last = [], 0
    for (start, end), text in sorted(edits):
        cell = xml[start:end]
        m = _F_TEXT.search(cell)
        if m is None:
            continue
        pieces += [xml[last:start], cell[:m.start(2)], escape(text).encode("utf-8"), cell[m.end(2):]]
        last = end
    pieces.append(xml[last:])
    return b"".join(pieces)


_DEFINED_NAME = re.compile(rb"(<(?:\w+:)?definedName\b[^>]*>)([^<]*)(</(?:\w+:)?definedName>)")


def _rewrite_names(workbook: bytes, single: frozenset[str], declared_names: frozenset[str]) -> bytes:
    def one(m: re.Match) -> bytes:
        text = unescape(m.group(2).decode("utf-8"))
        try:
            new = rewrite(text, single, frozenset())
        except Declared:
            return m.group(0)  # the cells that use it are declared
        return m.group(1) + escape(new).encode("utf-8") + m.group(3) if new != text else m.group(0)

    return _DEFINED_NAME.sub(one, workbook)


def _single_cell_names(package) -> frozenset[str]:
    """Names that stand for one value: one cell, or a formula reading single cells only."""
    from ..xlsx.dependencies import formula_reads

    def one_value(formula: str) -> bool:
        reads = formula_reads(formula.strip().lstrip("="))
        names = {name for _, name in reads.names} - reads.functions  # calls are listed as names too
        return not (reads.anywhere or reads.widen or names or reads.tables) and all(
            len(set(r.corners)) == 1 and None not in r.corners[0][:2] for r in reads.refs)

    return frozenset(n.name.upper() for n in package.defined_names if one_value(n.formula))


def _declared_names(package, single: frozenset[str]) -> frozenset[str]:
    out = set()
    for n in package.defined_names:
        try:
            rewrite(n.formula.lstrip("="), single, frozenset())
        except Declared:
            out.add(n.name.upper())
    return frozenset(out)


# -- the helpers in the formulas engine -------------------------------------------------------------------

def register_formulas_helpers() -> None:
    """XLROI_TO1904 and XLROI_FROM1904 as functions of the ``formulas`` engine."""
    import formulas
    from formulas.functions import Error, wrap_ufunc

    def to_1904(serial):
        value = float(serial)
        return Error.errors["#NUM!"] if value < OFFSET else value - OFFSET

    def from_1904(value):
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                return value  # a date written as text: the function reading it parses it
        value = float(value)
        return Error.errors["#NUM!"] if value < 0 else value + OFFSET

    table = formulas.get_functions()
    table[TO_1904] = wrap_ufunc(to_1904, input_parser=lambda *a: a)
    table[FROM_1904] = wrap_ufunc(from_1904, input_parser=lambda *a: a)


__all__ = ["is_1904", "rewrite", "engine_parts", "Declared", "looks_like_a_date", "format_shows_date",
           "PRODUCES", "READS", "HOLIDAYS", "UNCHANGED", "NOT_SHIFTED", "LAMBDAS", "OFFSET",
           "register_formulas_helpers"]
