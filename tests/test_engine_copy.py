"""The fast engine's throw-away copy: filled-down formulas as shared formulas, and the four
functions' simple calls as plain formulas in them (xlroi/xlsx/shared_formulas.py,
xlroi/engines/ironcalc_engine.py). Both only change how IronCalc is given the workbook, never
what it computes: every test here compares values with and without them, or with Python.
"""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import ironcalc
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import xlroi
from xlroi import FUNCTIONS, ExcelError
from xlroi.engines import ironcalc_engine
from xlroi.engines.ironcalc_engine import IronCalcEngine, inline_simple_calls, stdout_to_stderr
from xlroi.xlsx.cells import scan_sheet
from xlroi.xlsx.package import read_package
from xlroi.xlsx.refs import cell_name
from xlroi.xlsx.shared_formulas import LITERAL as L, RELATIVE_ROW as R, digit_kinds, share_formulas

from conftest import corpus_files

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = settings(max_examples=int(os.environ.get("XLROI_EXAMPLES", "40")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@pytest.mark.parametrize("text, kinds", [
    (b"B2*C2", (R, R)),
    (b"SUM($N$2:N57)", (L, R)),
    (b"$B$1*B2", (L, R)),
    (b"LOG10(A1)", (L, R)),                              # a function's digits are its name
    (b"Sheet1!A1+'Q 2'!B3", (L, R, L, R)),               # sheet names' digits are literal
    (b'A1&amp;"x1"', (R, L)),                            # digits in a string are text
    (b"1E5+A1", (L, L, R)),                              # a number's digits
    (b"SUM(2:2)+SUM($3:$3)", (R, R, L, L)),              # whole rows: relative or absolute
    (b"SUM(A:A)", ()),                                   # whole columns: no digits at all
    (b"TAX2024*2", (R, L)),                              # TAX2024 is a cell Excel has
    (b"_xlfn.STDEV.S(A1:A9)", (R, R)),
    (b"a1+1", None),                                     # lowercase: a name or a cell? never shared
    (b"XFE1", None),                                     # past the last column: a name
    (b"R1C1", None),                                     # R1C1 text
    (b"Table1[@Amount]", None),                          # structured references
    (b"[1]Sheet1!A1", None),                             # external references
    (b"&quot;x&quot;&amp;A1", None),                     # XML character references
])
def test_digit_kinds_tell_relative_rows_from_literal_digits(text, kinds):
    assert digit_kinds(text) == kinds


def _sheet(cells: dict[str, str]) -> bytes:
    """A worksheet part with the given formula cells, in document order, as openpyxl writes them."""
    rows: dict[int, list[str]] = {}
    for ref, formula in cells.items():
        row = int("".join(ch for ch in ref if ch.isdigit()))
        rows.setdefault(row, []).append(f'<c r="{ref}"><f>{formula}</f><v></v></c>')
    body = "".join(f'<row r="{r}">{"".join(cs)}</row>' for r, cs in sorted(rows.items()))
    return ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{body}</sheetData></worksheet>").encode()


def _groups(xml: bytes) -> list[set[str]]:
    """Which cells share a formula in ``xml``."""
    import re

    by_index: dict[bytes, set[str]] = {}
    for m in re.finditer(rb'<c r="([A-Z]+\d+)"[^>]*><f t="shared"(?: ref="[^"]*")? si="(\d+)"', xml):
        by_index.setdefault(m.group(2), set()).add(m.group(1).decode())
    return sorted(by_index.values(), key=sorted)


@pytest.mark.parametrize("cells, groups", [
    ({"K2": "B2*C2", "K3": "B3*C3", "K4": "B4*C4"}, [{"K2", "K3", "K4"}]),
    ({"K2": "B2*C2", "K3": "B3*C2", "K4": "B4*C4"}, [{"K2", "K4"}]),             # C2 is not C3
    ({"K2": "B2*C2", "L2": "C2*D2"}, []),                                          # other columns
    ({"K1": "A11", "K2": "A22"}, []),                                              # R[10] is not R[20]
    ({"K10": "A10+B0", "K11": "A11+B1"}, []),                                      # B0 is no row
    ({"K2": "$B$1*B2", "K3": "$B$1*B3"}, [{"K2", "K3"}]),
    ({"K2": "B2*2", "K3": "B3*3"}, []),                                            # a constant differs
    ({"K2": "B2*2", "K3": "B3*2"}, [{"K2", "K3"}]),
    ({"K2": "B1+B2", "K3": "B2+B3", "K4": "B3+B4"}, [{"K2", "K3", "K4"}]),         # rows above too
    ({"K9": "B9", "K10": "B10", "K11": "B11"}, [{"K10", "K11"}]),                  # grouped by row width
    ({"K2": "a2", "K3": "a3"}, []),                                                # never lowercase
    ({"K2": 'B2&amp;"x2"', "K3": 'B3&amp;"x3"'}, []),                              # the strings differ
    ({"K2": 'B2&amp;"x"', "K3": 'B3&amp;"x"'}, [{"K2", "K3"}]),
    ({"K2": "SUM(2:2)", "K3": "SUM(3:3)"}, [{"K2", "K3"}]),
])
def test_only_formulas_that_are_the_same_relative_to_their_cells_are_shared(cells, groups):
    shared = share_formulas(_sheet(cells))
    assert (_groups(shared) if shared is not None else []) == sorted(groups, key=sorted)


def test_existing_shared_formulas_keep_their_indices():
    xml = _sheet({"K2": "B2", "K3": "B3"}).replace(
        b"<sheetData>", b'<sheetData><row r="1"><c r="Z1"><f t="shared" ref="Z1:Z1" si="4">A1</f></c></row>')
    assert b'si="5"' in share_formulas(xml) and b'si="0"' not in share_formulas(xml)


# -- values: the shared copy computes what the plain one does ---------------------------------

def _workbook(sheet_xml: bytes) -> bytes:
    """A one-sheet package around ``sheet_xml`` (the sheet must be named Sheet1)."""
    import openpyxl

    buffer = io.BytesIO()
    book = openpyxl.Workbook()
    book.save(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = sheet_xml if info.filename == "xl/worksheets/sheet1.xml" else zin.read(info)
            zout.writestr(info, data)
    return out.getvalue()


def _ironcalc_values(data: bytes, tmp_path: Path, refs: list[tuple[int, int]]) -> list:
    path = tmp_path / f"copy-{len(list(tmp_path.iterdir()))}.xlsx"
    path.write_bytes(data)
    with stdout_to_stderr():
        model = ironcalc.load_from_xlsx(str(path), "en", "UTC", "en")
        model.evaluate()
    return [model.get_cell_value(0, row, col) for row, col in refs]


_INPUT_ROWS, _INPUT_COLS = 30, 5


_ref = st.tuples(st.integers(1, _INPUT_COLS), st.booleans(), st.integers(-2, 2), st.booleans(), st.integers(1, 30))


def _render(tokens: list, row: int) -> str:
    """One formula of the template at ``row``: references relative to it, the rest as given."""
    out = []
    for token in tokens:
        if isinstance(token, tuple):
            col, col_abs, offset, row_abs, absolute_row = token
            letter = cell_name(1, col)[:-1]
            r = absolute_row if row_abs else row + offset
            out.append(f"{'$' if col_abs else ''}{letter}{'$' if row_abs else ''}{r}")
        else:
            out.append(token)
    return "&amp;\"|\"&amp;".join(out)


_literal = st.sampled_from(['"x1"', '"7"', "12", "LOG10(100)", "ROW(3:3)", "ROW($4:$4)", "COLUMN(B:B)", "1.5E1"])
_template = st.lists(st.one_of(_ref, _ref, _literal), min_size=1, max_size=4)


@SETTINGS
@given(templates=st.lists(_template, min_size=1, max_size=3), rows=st.lists(st.integers(3, 28), min_size=2, max_size=12, unique=True),
       mixes=st.lists(st.integers(0, 2), min_size=12, max_size=12))
def test_shared_copy_computes_what_the_plain_copy_does(tmp_path_factory, templates, rows, mixes):
    tmp_path = tmp_path_factory.mktemp("share")
    formulas = {row: _render(templates[mix % len(templates)], row) for row, mix in zip(sorted(rows), mixes)}
    body = []
    for r in range(1, _INPUT_ROWS + 1):  # inputs in A:E, each with its own number; formulas in G
        cells = "".join(f'<c r="{cell_name(r, c)}"><v>{r * 100 + c}</v></c>' for c in range(1, _INPUT_COLS + 1))
        if r in formulas:
            cells += f'<c r="G{r}"><f>{formulas[r]}</f><v></v></c>'
        body.append(f'<row r="{r}">{cells}</row>')
    xml = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           f"<sheetData>{''.join(body)}</sheetData></worksheet>").encode()
    shared = share_formulas(xml)
    refs = [(row, 7) for row in sorted(formulas)]
    plain_values = _ironcalc_values(_workbook(xml), tmp_path, refs)
    if shared is not None:
        assert _ironcalc_values(_workbook(shared), tmp_path, refs) == plain_values, formulas


# -- values: the four functions inlined compute what Python does --------------------------------

NUMERIC_TEXT = ["12", " 65000 ", "1,200", "$1,200", "50%", "1e3", "-3.5", "0", ".25"]
OTHER_TEXT = ["abc", "", "1.2.3", "TRUE", "2O"]
ERRORS = [ExcelError.NA, ExcelError.DIV0, ExcelError.VALUE, ExcelError.NUM, ExcelError.REF]
numbers = st.one_of(st.integers(-1000, 200000).map(float), st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
                    st.sampled_from([0.0, 1.0, 0.25, 0.75, 1.5, -0.1, 12.0]))
cell_values = st.one_of(numbers, numbers, numbers, st.none(), st.booleans(),
                        st.sampled_from(NUMERIC_TEXT), st.sampled_from(OTHER_TEXT), st.sampled_from(ERRORS))


FIRST_ROW = 10  # rows 10 to 99: one row width, so one group (shapes are per row width)


def _write_rows(path: Path, name: str, rows: list[tuple]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    arity = len(FUNCTIONS[name].arguments)
    for i, args in enumerate(rows, start=FIRST_ROW):
        for j, value in enumerate(args, start=1):
            if value is not None:
                sheet.cell(i, j).value = str(value) if isinstance(value, ExcelError) else value
                if isinstance(value, ExcelError):
                    sheet.cell(i, j).data_type = "e"
        refs = ",".join(cell_name(i, j) for j in range(1, arity + 1))
        sheet.cell(i, arity + 1).value = f"={name}({refs})"
    book.save(path)
    return path


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == pytest.approx(b, rel=1e-12, abs=1e-12)
    return a == b


@SETTINGS
@pytest.mark.parametrize("layout", ["one formula a cell", "Excel's shared formulas"])
@pytest.mark.parametrize("name", ["ROI", "GOAL_VALUE", "PRORATE", "HR_COST"])
@given(data=st.data())
def test_inlined_calls_compute_what_python_does(tmp_path_factory, name, layout, data):
    arity = len(FUNCTIONS[name].arguments)
    values = cell_values if name != "HR_COST" else cell_values.filter(lambda v: not isinstance(v, float) or v == 0 or abs(v) > 1e-12)
    rows = data.draw(st.lists(st.tuples(*[values] * arity), min_size=ironcalc_engine.INLINE_MIN_CELLS,
                              max_size=ironcalc_engine.INLINE_MIN_CELLS + 12))
    path = _write_rows(tmp_path_factory.mktemp("inline") / "rows.xlsx", name, rows)
    if layout == "Excel's shared formulas":
        import sys

        sys.path.insert(0, str(ROOT / "benchmarks"))
        from workload import as_excel_lays_it_out

        assert b"<f>" not in read_package(as_excel_lays_it_out(path)).parts["xl/worksheets/sheet1.xml"]
    package = read_package(path)
    sheet_xml = IronCalcEngine.prepare_parts(package)[package.sheets[0].part]
    assert b'<f t="shared"' in sheet_xml and f"{name}(".encode() not in sheet_xml  # inlined indeed
    book = xlroi.open(path)
    for i, args in enumerate(rows, start=FIRST_ROW):
        got = book[cell_name(i, arity + 1)]
        assert _same(got, FUNCTIONS[name](*args)), (name, args, got)


@pytest.mark.parametrize("text, inlined", [
    (b"ROI(M2,N2)", True),
    (b"ROI(M2,N2)*100", True),
    (b"PRORATE(D2,0.25,1)", True),
    (b'IF(A1="ROI(B2,C2)",0,1)', False),                 # text in a string is left alone
    (b"'ROI(B2,C2)'!A1", False),                         # and in a quoted sheet name
    (b"ROI(A1:A2,B1)", False),                           # ranges broadcast: the LAMBDA does it
    (b"ROI(SUM(A1:A2),B1)", False),                      # a call as argument: evaluated once
    (b"ROI(Rate,B1)", False),                            # a name
    (b"_xludf.ROI(A1,B1)", False),
])
def test_only_calls_with_single_cells_or_numbers_are_inlined(text, inlined):
    new = inline_simple_calls(text, frozenset(FUNCTIONS))
    assert (new != text) is inlined


_GROUP = b'<c r="K2"><f t="shared" ref="K2:K9" si="0">ROI(M2,N2)</f><v>1</v></c><c r="K3"><f t="shared" si="0"/></c>'


@pytest.mark.parametrize("xml, rewritten", [
    (_GROUP, _GROUP.replace(b">ROI(M2,N2)<", b">[ROI(M2,N2) for 8 cells]<")),  # the group's text, its size
    (_GROUP.replace(b"K2:K9", b"K2:L5"), _GROUP.replace(b"K2:K9", b"K2:L5").replace(b">ROI(M2,N2)<", b">[ROI(M2,N2) for 8 cells]<")),
    (b'<dimension ref="A1:K9"/>' + _GROUP.replace(b"ROI(M2,N2)", b"B2"), None),  # the callback kept it; no <f>: no change
    (b'<c r="K2"><f t="array" ref="K2:K9">ROW(A1:A8)</f></c>', None),  # an array formula is no shared group
    (b'<c r="K2"><f ref="K2:K9" t="shared" si="3">ROI(M2,N2)</f></c>', b'<c r="K2"><f ref="K2:K9" t="shared" si="3">[ROI(M2,N2) for 8 cells]</f></c>'),
    (b'<c r="K2"><f t="shared" ref="K2:K9" si="0"/></c>', None),  # no text to rewrite
])
def test_the_workbooks_own_shared_groups_are_rewritten_with_their_size(xml, rewritten):
    from xlroi.xlsx.shared_formulas import rewrite_shared_anchors

    def rewrite(text: bytes, cells: int) -> bytes:
        return text if text == b"B2" else b"[%s for %d cells]" % (text, cells)

    assert rewrite_shared_anchors(xml, rewrite) == rewritten


def test_a_function_the_workbook_defines_itself_is_never_inlined(tmp_path):
    import openpyxl
    from openpyxl.workbook.defined_name import DefinedName

    book = openpyxl.Workbook()
    sheet = book.active
    for r in range(1, 12):
        sheet.cell(r, 1).value, sheet.cell(r, 2).value = 10 * r, 5
        sheet.cell(r, 3).value = f"=ROI(A{r},B{r})"
    book.defined_names["ROI"] = DefinedName("ROI", attr_text="LAMBDA(a,b,a+b)")
    book.save(tmp_path / "own.xlsx")
    package = read_package(tmp_path / "own.xlsx")
    sheet_xml = IronCalcEngine.prepare_parts(package)[package.sheets[0].part]
    assert b"ROI(A1,B1)" in sheet_xml


# -- the user's file never sees any of it ----------------------------------------------------------

def test_the_output_keeps_every_formula_as_it_was(tmp_path):
    import re
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from workload import build

    book = build(tmp_path / "w.xlsx", 40)
    xlroi.open(book).save(tmp_path / "out.xlsx")
    strip = re.compile(rb"<v>[^<]*</v>|<v/>| t=\"[a-zA-Z]+\"")
    with zipfile.ZipFile(book) as before, zipfile.ZipFile(tmp_path / "out.xlsx") as after:
        for name in before.namelist():
            assert strip.sub(b"", before.read(name)) == strip.sub(b"", after.read(name)), name
        assert b't="shared"' not in after.read("xl/worksheets/sheet1.xml")


# -- the corpus: every Excel-saved workbook computes the same with the copy as without it ----------

VOLATILE = ("RAND", "RANDBETWEEN", "RANDARRAY", "NOW", "TODAY")


@pytest.mark.slow
@pytest.mark.parametrize("path", [*corpus_files(), *sorted((ROOT / "workbook_templates").glob("*.xlsx"))], ids=lambda p: p.stem)
def test_corpus_computes_the_same_with_the_shared_copy(path, tmp_path, monkeypatch):
    package = read_package(path)
    with_sharing = IronCalcEngine.prepare_parts(package)
    monkeypatch.setattr(ironcalc_engine, "shared_formula_parts", lambda package, parts: {})
    without = IronCalcEngine.prepare_parts(read_package(path))
    cells = [(s, c) for s in package.sheets if s.part in package.parts for c in scan_sheet(package.parts[s.part]).formula_cells
             if not any(v in (c.formula or "").upper() for v in VOLATILE)]
    values = []
    for parts in (with_sharing, without):
        (tmp_path / "copy.xlsx").write_bytes(package.to_bytes(parts, compress=False))
        with stdout_to_stderr():
            model = ironcalc.load_from_xlsx(str(tmp_path / "copy.xlsx"), "en", "UTC", "en")
            model.evaluate()
        index = {p["name"]: i for i, p in enumerate(model.get_worksheets_properties())}
        values.append([model.get_cell_value(index[s.name], c.row, c.col) if s.name in index else None for s, c in cells])
    differ = [(s.name, c.name) for (s, c), a, b in zip(cells, *values) if not _same(a, b)]
    assert not differ
