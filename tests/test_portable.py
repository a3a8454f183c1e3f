"""The portable rewrite: the four functions as plain Excel, checked by our engine and LibreOffice."""
from __future__ import annotations

import math
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

import xlroi
from xlroi.errors import NotAWorkbook, OutputError, WorkbookNotFound
from xlroi.portable import PortableError, make_portable, portable_formula, split_arguments

from libreoffice_helper import convert, without_cached_values

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "workbook_templates"
_OUR_CALL = re.compile(r"(?<![\w.])(ROI|HR_COST|GOAL_VALUE|PRORATE)\s*\(", re.IGNORECASE)
_STRINGS = re.compile(r'"(?:[^"]|"")*"')


def close(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b or (a in (None, "") and b in (None, ""))


def calls_left(formula: str) -> list[str]:
    return _OUR_CALL.findall(_STRINGS.sub('""', formula))


# (id, formula on sheet Data, expected value). Data!A1:B3 holds rates {50;40;30} and hours {10;20;0}.
TRICKY = [
    ("plain call", "ROI(180000,65000)", 115000 / 65000),
    ("the method's goal value", "GOAL_VALUE(12000,1/10,150)", 180000),
    ("lower-case name", "roi(180000,65000)", 115000 / 65000),
    ("spaces around arguments", "ROI( 180000 , 65000 )", 115000 / 65000),
    ("nested parentheses in an argument", "ROI((100+(20*4)),(50+(10+5)))", (180 - 65) / 65),
    ("commas inside a nested call", "ROI(SUM(100000,80000),MAX(1,65000))", 115000 / 65000),
    ("call nested in its own argument", "ROI(ROI(3,1)*90000,65000)", (180000 - 65000) / 65000),
    ("two functions nested", "PRORATE(GOAL_VALUE(12000,0.1,150),1,4)", 45000),
    ("string containing ROI(", 'IF("ROI(1,2)"="x",0,ROI(180000,65000))', 115000 / 65000),
    ("string with quotes and comma", 'IF(LEN("a""ROI(,b")=8,PRORATE(1200,25%,1),0)', 300),
    ("text result mentioning ROI(", '"ROI("&ROI(2,1)', "ROI(1"),
    ("ranges for HR_COST", "HR_COST(Data!A1:A3,Data!B1:B3)", 50 * 10 + 40 * 20),
    ("quoted sheet name with a comma and a paren", "HR_COST('Rates, (x)'!A1:A2,'Rates, (x)'!B1:B2)", 50 * 10 + 40 * 20),
    ("array constants", "HR_COST({50;40},{10;20})", 1300),
    ("add-in qualified _xludf.", "_xludf.ROI(180000,65000)", 115000 / 65000),
    ("add-in qualified [1]!", "[1]!PRORATE(60000,3,12)", 15000),
    ("add-in qualified 'xlroi.xlam'!", "'xlroi.xlam'!GOAL_VALUE(1,75%,300)", 225),
    ("add-in qualified xlroi.xlam!", "xlroi.xlam!ROI(180000,65000)", 115000 / 65000),
    ("error propagates", "ROI(1/0,65000)", xlroi.ExcelError.DIV0),
    ("domain error", "ROI(1,-5)", xlroi.ExcelError.NUM),
    ("percent argument", "PRORATE(1200,25%,1)*2", 600),
    ("unary minus argument", "ROI(-65000,65000)", -2),
    ("inside another function", "ROUND(ROI(180000,65000),3)", 1.769),
]


@pytest.mark.parametrize("formula, expected", [t[1:] for t in TRICKY], ids=[t[0] for t in TRICKY])
def test_rewrite_leaves_no_call_and_computes_the_same(tmp_path, formula, expected):
    rewritten = portable_formula(formula)
    assert not calls_left(rewritten), rewritten
    for literal in _STRINGS.findall(formula):
        assert literal in rewritten  # text is never touched
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    for r, (rate, hours) in enumerate(((50, 10), (40, 20), (30, 0)), start=1):
        ws.cell(r, 1, rate)
        ws.cell(r, 2, hours)
    other = wb.create_sheet("Rates, (x)")
    for r, (rate, hours) in enumerate(((50, 10), (40, 20)), start=1):
        other.cell(r, 1, rate)
        other.cell(r, 2, hours)
    ws["D1"] = "=" + rewritten
    path = tmp_path / "tricky.xlsx"
    wb.save(path)
    value = xlroi.open(path)["Data!D1"]
    assert close(value, expected), f"{rewritten} -> {value!r}"


@pytest.mark.parametrize("formula", [
    "MYROI(1,2)", "ROI2+1", "SUM(ROI!A1:A3)", "'ROI(x)'!A1*2", '"=ROI(1,2)"', "Table1[ROI(%)]", "ROI_RATE*2",
], ids=["longer name", "name starting ROI", "sheet called ROI", "quoted sheet with ROI(", "only text",
        "structured reference", "defined name ROI_RATE"])
def test_things_that_are_not_calls_are_left_alone(formula):
    assert portable_formula(formula) == formula


@pytest.mark.parametrize("formula, args", [
    ("F(1,2)", ["1", "2"]),
    ('F("a,b",(1,2),{1,2;3,4})', ['"a,b"', "(1,2)", "{1,2;3,4}"]),
    ("F('a,b'!A1,G(1,2))", ["'a,b'!A1", "G(1,2)"]),
    ("F()", [""]),
], ids=["two numbers", "string, union and array", "quoted sheet and nested call", "no argument"])
def test_split_arguments(formula, args):
    found, close_index = split_arguments(formula, 1)
    assert found == args and close_index == len(formula) - 1


@pytest.mark.parametrize("formula", ["ROI(1)", "ROI(1,2,3)", "ROI(1,2", 'ROI("1,2)', "HR_COST({1,2)"],
                         ids=["too few arguments", "too many", "missing )", "unterminated string", "unbalanced array"])
def test_bad_formulas_raise_a_clear_error(formula):
    with pytest.raises(PortableError):
        portable_formula(formula)


def test_omitted_argument_counts_as_zero():
    assert portable_formula("ROI(,5)") == portable_formula("ROI(0,5)")


# -- whole workbooks ----------------------------------------------------------------------------

@pytest.fixture()
def small_book(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Campaign"
    ws["A1"], ws["A2"] = 180000, 65000
    ws["B1"] = "=ROI(A1,A2)"
    ws["B2"] = "=_xludf.PRORATE(1200,25%,1)"
    ws["B3"] = '="ROI(A1,A2) is "&TEXT(ROI(A1,A2),"0.0%")'
    ws["C1"] = "not a formula: ROI(A1,A2)"
    from openpyxl.workbook.defined_name import DefinedName
    wb.defined_names["Result"] = DefinedName("Result", attr_text="Campaign!$B$1")
    wb.defined_names["Doubled"] = DefinedName("Doubled", attr_text="ROI(Campaign!$A$1,Campaign!$A$2)*2")
    path = tmp_path / "small.xlsx"
    wb.save(path)
    xlroi.open(path).save(path, in_place=True)
    return path


def test_make_portable_rewrites_cells_and_names_and_keeps_the_rest(small_book, tmp_path):
    dest = tmp_path / "small-portable.xlsx"
    report = make_portable(small_book, dest)
    assert report.calls_rewritten == 4 and report.by_function == {"ROI": 3, "PRORATE": 1}
    assert report.formulas_changed == 4
    wb = openpyxl.load_workbook(dest)
    for ref in ("B1", "B2", "B3"):
        assert not calls_left(wb["Campaign"][ref].value)
    assert wb["Campaign"]["C1"].value == "not a formula: ROI(A1,A2)"
    assert not calls_left(wb.defined_names["Doubled"].attr_text)
    values = openpyxl.load_workbook(dest, data_only=True)["Campaign"]
    assert close(values["B1"].value, 115000 / 65000) and close(values["B2"].value, 300)
    assert values["B3"].value == "ROI(A1,A2) is 176.9%"
    with zipfile.ZipFile(small_book) as a, zipfile.ZipFile(dest) as b:
        for name in a.namelist():
            if name not in ("xl/worksheets/sheet1.xml", "xl/workbook.xml"):
                assert a.read(name) == b.read(name), name


def test_make_portable_without_calls_copies_the_workbook(tmp_path):
    wb = openpyxl.Workbook()
    wb.active["A1"] = "=1+1"
    src = tmp_path / "plain.xlsx"
    wb.save(src)
    report = make_portable(src, tmp_path / "copy.xlsx")
    assert report.calls_rewritten == 0
    assert (tmp_path / "copy.xlsx").read_bytes() == src.read_bytes()


@pytest.mark.parametrize("problem, error", [
    ("same file", OutputError), ("missing source", WorkbookNotFound), ("not a workbook", NotAWorkbook),
    ("destination is a folder", OutputError),
])
def test_make_portable_refuses_bad_input(small_book, tmp_path, problem, error):
    src, dest = small_book, tmp_path / "out.xlsx"
    if problem == "same file":
        dest = src
    elif problem == "missing source":
        src = tmp_path / "nope.xlsx"
    elif problem == "not a workbook":
        src = tmp_path / "notes.xlsx"
        src.write_text("a,b\n1,2\n")
    elif problem == "destination is a folder":
        dest = tmp_path
    with pytest.raises(error):
        make_portable(src, dest)


def test_portable_template_has_no_call_of_the_functions():
    wb = openpyxl.load_workbook(TEMPLATES / "xlroi-template-portable.xlsx")
    left = [f"{ws.title}!{c.coordinate}" for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and c.value.startswith("=") and calls_left(c.value)]
    assert not left
    for spreadsheet_only in ("LET(", "LAMBDA(", "_xlfn."):
        assert not any(spreadsheet_only in str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row)


# -- LibreOffice recalculates the portable template: same results as our engine on the original --

@pytest.mark.libreoffice
def test_libreoffice_agrees_with_our_engine_cell_by_cell(tmp_path):
    portable = without_cached_values(TEMPLATES / "xlroi-template-portable.xlsx", tmp_path / "portable.xlsx")
    assert not xlroi.open(portable).check().compared  # LibreOffice has no values to trust: it must calculate
    converted = convert(portable, tmp_path / "out", "xlsx", recalc=True)
    libre = openpyxl.load_workbook(converted, data_only=True)
    original = xlroi.open(TEMPLATES / "xlroi-template.xlsx", engine="fast")
    compared, equal, differences = 0, 0, []
    for sheet, cell in original.formula_cells():
        ours = original.value(sheet, cell.row, cell.col)
        theirs = libre[sheet.name][cell.name].value
        compared += 1
        if close(ours, theirs):
            equal += 1
        else:
            differences.append((sheet.name, cell.name, ours, theirs))
    assert compared > 600
    assert not differences, differences[:10]
    assert close(libre["Step 5 ROI"]["B15"].value, 115000 / 65000)
