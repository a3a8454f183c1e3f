"""The dependency analysis (xlroi/xlsx/dependencies.py): what each formula reads, and the closures.

Reads may be over-approximated, never under: each row of the table is a formula and everything
it may read. The closures are checked on chains long enough to matter; the two lexers (regex for
plain formulas, openpyxl's tokenizer for the rest) are held to the same answer on every formula
of the golden workbooks.
"""
from __future__ import annotations

from pathlib import Path

import pytest

import xlroi
from xlroi.xlsx.dependencies import Dependencies, formula_reads, lex_plain, lex_with_tokenizer
from xlroi.xlsx.refs import MAX_COL, MAX_ROW, column_number

from rawbook import edit_parts, write_book

GOLDEN = Path(__file__).parent / "golden"
SHEETS = ["S", "T", "U", "V", "It's"]
NAMES = {
    "Total": "S!$B$1:$B$3",
    "Rate": "T!$A$1*12",
    "Twice": "Total*2",
    ("Local", 0): "S!$C$1",
    "Local": "T!$C$1",
}
TABLES = {"Sales": ("T", "A1:B5")}


def region(text: str) -> tuple:
    """ "S!A1", "S!A1:B2", "S!C:C", "S!3:3", "S!*" (the whole sheet) as a placed region."""
    sheet, _, area = text.rpartition("!")
    s = SHEETS.index(sheet)
    if area == "*":
        return (s, 1, 1, MAX_ROW, MAX_COL)
    first, _, last = area.partition(":")
    last = last or first

    def corner(part: str, bottom: bool) -> tuple[int, int]:
        letters = "".join(ch for ch in part if ch.isalpha())
        digits = "".join(ch for ch in part if ch.isdigit())
        row = int(digits) if digits else (MAX_ROW if bottom else 1)
        col = column_number(letters) if letters else (MAX_COL if bottom else 1)
        return row, col

    (top, left), (bottom, right) = corner(first, False), corner(last, True)
    return (s, top, left, bottom, right)


# what the formula is, where it is (sheet, cell), and every region it may read (None: anything)
READS = {
    "a cell": ("=A1", "S!Z100", {"S!A1"}),
    "a range": ("=SUM(A1:B2)", "S!Z100", {"S!A1:B2"}),
    "absolute and mixed references": ("=$A$1+A$2+$B3", "S!Z100", {"S!A1", "S!A2", "S!B3"}),
    "a whole column": ("=SUM(C:C)", "S!Z100", {"S!C:C"}),
    "a whole row": ("=SUM(3:3)", "S!Z100", {"S!3:3"}),
    "another sheet": ("=T!B2", "S!Z100", {"T!B2"}),
    "a quoted sheet with an apostrophe": ("='It''s'!A1", "S!Z100", {"It's!A1"}),
    "a 3-D reference": ("=SUM(T:V!A1)", "S!Z100", {"T!A1", "U!A1", "V!A1"}),
    "a range chain is its bounding box": ("=SUM(A1:B2:C3)", "S!Z100", {"S!A1:C3"}),
    "an intersection reads both ranges": ("=SUM(A1:A3 A2:B2)", "S!Z100", {"S!A1:A3", "S!A2:B2"}),
    "a defined name": ("=SUM(Total)", "S!Z100", {"S!B1:B3"}),
    "a name whose formula is an expression": ("=Rate*2", "S!Z100", {"T!A1"}),
    "a name of a name": ("=Twice", "S!Z100", {"S!B1:B3"}),
    "a sheet's own name before the workbook's": ("=Local", "S!Z100", {"S!C1"}),
    "the workbook's name on another sheet": ("=Local", "U!Z100", {"T!C1"}),
    "a structured reference reads its table": ("=SUM(Sales[C1])", "S!Z100", {"T!A1:B5"}),
    "this row of a table": ("=Sales[@C1]*2", "T!C3", {"T!A3:B3"}),
    "INDIRECT of a written reference": ('=INDIRECT("U!B3")', "S!Z100", {"U!B3"}),
    "INDIRECT of computed text reads anything": ("=INDIRECT(A1)", "S!Z100", None),
    "OFFSET with written numbers": ("=SUM(OFFSET(A1,2,1,3,1))", "S!Z100", {"S!A1", "S!B3:B5"}),
    "OFFSET with a computed number reads its whole sheet": ("=OFFSET(A1,B1,0)", "S!Z100", {"S!*"}),
    "a range up to a function's result reads the whole sheet": ("=SUM(A1:INDEX(B:B,3))", "S!Z100", {"S!*"}),
    "a spilled range reads to the sheet's corner": ("=SUM(A1#)", "S!Z100", {"S!A1:XFD1048576"}),
    "ANCHORARRAY (a spilled range in the file)": ("=SUM(_xlfn.ANCHORARRAY(A1))", "S!Z100", {"S!*"}),
    "another workbook is not read here": ("=[1]T!A1+B1", "S!Z100", {"S!B1"}),
    "the shape of a reference is not its values": ("=ROWS(A1:A9)+COLUMN(C3)+B1", "S!Z100", {"S!B1"}),
    "text is not a reference": ('="A1"&B2', "S!Z100", {"S!B2"}),
    "CR and tab are white space": ("=SUM(\r\nA1,\tB1)", "S!Z100", {"S!A1", "S!B1"}),
    "a LET variable is not a reference": ("=LET(x,A1,x+1)", "S!Z100", {"S!A1"}),
    "a sheet the workbook lacks is #REF!": ("=Nowhere!A1", "S!Z100", set()),
}


def _book(tmp_path: Path, formula: str, where: str) -> tuple[Dependencies, tuple[str, int, int]]:
    sheet, cell = where.split("!")
    sheets = {name: {} for name in SHEETS}
    sheets[sheet][cell] = formula
    book = xlroi.open(write_book(tmp_path / "reads.xlsx", sheets, NAMES, tables=TABLES), fallback=False)
    deps = Dependencies(book.package, book.formula_cells())
    from xlroi.xlsx.refs import parse_cell

    row, col = parse_cell(cell)
    return deps, (sheet, row, col)


@pytest.mark.parametrize("case", list(READS), ids=list(READS))
def test_a_formula_reads(tmp_path, case):
    formula, where, expected = READS[case]
    deps, key = _book(tmp_path, formula, where)
    got = deps.regions_read([key])
    if expected is None:
        assert got is None
    else:
        assert got is not None and set(got) == {region(r) for r in expected}


def shared_and_array_book(tmp_path: Path) -> Path:
    return write_book(tmp_path / "shared.xlsx", {"S": {
        "A1": 1, "A2": 2, "A3": 3, "A4": 4,
        "C2": {"f": "A2*2", "t": "shared", "fref": "C2:C4", "si": "0", "v": 4},
        "C3": {"t": "shared", "si": "0", "v": 6},
        "C4": {"t": "shared", "si": "0", "v": 8},
        "D1": {"f": "A1:A3*10", "t": "array", "fref": "D1:D3", "v": 10},
        "D2": {"v": 20}, "D3": {"v": 30},
        "E1": "=D3+1",
    }})


def _single_quoted(path: Path) -> Path:
    """The workbook with its formulas' attributes in single quotes (t='array' ref='D1:D3'): as
    valid XML as double ones."""
    import re

    def requote(parts: dict) -> None:
        for name in parts:
            if name.startswith("xl/worksheets/"):
                parts[name] = re.sub(rb"<f [^>]*>", lambda m: m.group(0).replace(b'"', b"'"), parts[name])

    return edit_parts(path, requote)


QUOTES = {"double quotes": lambda path: path, "single quotes": _single_quoted}


@pytest.mark.parametrize("quotes", list(QUOTES))
def test_a_shared_formulas_children_read_the_anchors_references_moved(tmp_path, quotes):
    book = xlroi.open(QUOTES[quotes](shared_and_array_book(tmp_path)), fallback=False)
    deps = Dependencies(book.package, book.formula_cells())
    assert deps.regions_read([("S", 4, 3)]) == [region("S!A4")]
    assert deps.dependents_closure([("S", 3, 1)]) == {("S", 3, 3), ("S", 1, 4), ("S", 2, 4), ("S", 3, 4), ("S", 1, 5)}


@pytest.mark.parametrize("quotes", list(QUOTES))
def test_cells_an_array_formula_fills_depend_on_its_anchor(tmp_path, quotes):
    book = xlroi.open(QUOTES[quotes](shared_and_array_book(tmp_path)), fallback=False)
    deps = Dependencies(book.package, book.formula_cells())
    assert deps.anchor_of(("S", 3, 4)) == ("S", 1, 4)
    assert deps.anchor_of(("S", 1, 4)) is None
    assert deps.dependents_closure([("S", 1, 4)]) == {("S", 2, 4), ("S", 3, 4), ("S", 1, 5)}
    assert deps.precedents_closure([("S", 1, 5)]) == {("S", 3, 4), ("S", 1, 4)}


def test_closures_follow_a_long_chain_of_cells(tmp_path):
    n = 3000
    cells = {"A1": 1} | {f"A{r}": f"=A{r - 1}+1" for r in range(2, n + 1)}
    book = xlroi.open(write_book(tmp_path / "chain.xlsx", {"S": cells}), fallback=False)
    deps = Dependencies(book.package, book.formula_cells())
    assert len(deps.dependents_closure([("S", 1, 1)])) == n - 1
    assert len(deps.precedents_closure([("S", n, 1)])) == n - 2
    assert deps.readers([("S", 1, 1)]) == {("S", 2, 1): ("S", 1, 1)}


def test_closures_follow_a_long_chain_of_ranges(tmp_path):
    n = 800  # each cell sums every cell above it: ranges that overlap, one hop per cell
    cells = {"B1": 1} | {f"B{r}": f"=SUM(B$1:B{r - 1})" for r in range(2, n + 1)}
    book = xlroi.open(write_book(tmp_path / "ranges.xlsx", {"S": cells}), fallback=False)
    deps = Dependencies(book.package, book.formula_cells())
    found = deps.dependents([("S", 1, 2)])
    assert len(found) == n - 1 and set(found.values()) == {("S", 1, 2)}
    assert len(deps.precedents_closure([("S", n, 2)])) == n - 2
    # the index is left as it was: a second question gets the same answer
    assert len(deps.dependents_closure([("S", 1, 2)])) == n - 1


def test_cells_reading_anything_depend_on_every_cell(tmp_path):
    book = xlroi.open(write_book(tmp_path / "any.xlsx", {"S": {"A1": 1, "B1": "=INDIRECT(C1)", "C1": "A1", "D1": "=B1"}}),
                      fallback=False)
    deps = Dependencies(book.package, book.formula_cells())
    assert deps.dependents_closure([("S", 9, 9)]) == {("S", 1, 2), ("S", 1, 4)}
    assert deps.precedents_closure([("S", 1, 4)]) == {("S", 1, 2), ("S", 1, 4)}


def _golden_formulas() -> list[str]:
    texts = set()
    for path in sorted(GOLDEN.glob("*.xlsx")):
        book = xlroi.open(path, fallback=False)
        texts |= {cell.formula for _, cell in book.formula_cells() if cell.formula}
        texts |= {name.formula for name in book.package.defined_names}
    return sorted(texts)


def test_the_plain_lexer_agrees_with_the_tokenizer_on_every_golden_formula():
    plain = 0
    for text in _golden_formulas():
        fast = lex_plain(text)
        if fast is None:
            continue
        plain += 1
        assert fast[:2] == lex_with_tokenizer(text)[:2], text
    assert plain > 2000  # most formulas take the fast path


def test_every_golden_formula_is_read():
    unreadable = [t for t in _golden_formulas() if formula_reads(t).anywhere]
    # only INDIRECT of something that is not a reference may read anything
    assert all("INDIRECT" in t.upper() for t in unreadable), unreadable
