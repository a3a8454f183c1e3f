"""Excel's saved values as a second opinion: an engine that contradicts them is not believed.

In a workbook Excel calculated, every formula cell caches Excel's own value for the inputs in
the file; with the same inputs, an engine giving another value is wrong, so recalculation keeps
Excel's value and reports the cell. Cells downstream of a changed input, and volatile ones,
are recalculated as usual.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import xlroi
from xlroi.cli import main
from xlroi.engines.base import NotEvaluated
from xlroi.evaluation.excel_values import calculated_by_excel
from xlroi.workbook import values_match
from xlroi.xlsx.package import read_package

from conftest import CORPUS

CALC_CHAIN = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="B1" i="1"/></calcChain>')


def excel_calculated(tmp_path: Path, cached: dict[str, float], calc_pr: bytes = b"") -> Path:
    """A workbook that looks saved by Excel (calculation chain, Excel as the application), with
    the given cached values — some of them contradicting what the formulas give."""
    import openpyxl

    from xlroi.xlsx.cells import scan_sheet, write_cached_values

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws["A1"] = 2
    ws["B1"] = "=A1*3"          # 6
    ws["C1"] = "=B1+1"          # 7
    ws["D1"] = "=TODAY()"       # volatile: Excel's value is of its day
    ws["E1"] = "=D1-D1+A1"      # depends on a volatile cell
    ws["F1"] = "=A1+0"          # 2: nothing to do with the contradicted cells
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    package = read_package(plain)
    sheet = package.sheets[0]
    xml = package.parts[sheet.part]
    refs = {(1, col): name for col, name in enumerate("ABCDEF", start=1)}
    new, _ = write_cached_values(xml, scan_sheet(xml), lambda r, c: cached[refs[(r, c)] + "1"])
    path = tmp_path / "excel.xlsx"
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = new if info.filename == sheet.part else zin.read(info)
            if info.filename == "xl/workbook.xml":  # openpyxl asks for a full calculation on load
                data = re.sub(rb"<calcPr\b[^>]*/>", calc_pr or b'<calcPr calcId="191029"/>', data)
            zout.writestr(info.filename, data)
        zout.writestr("xl/calcChain.xml", CALC_CHAIN)
    assert b"Microsoft Excel" in zipfile.ZipFile(path).read("docProps/app.xml")
    return path


# As if the engine got B1 wrong: Excel saved 7 where the engine gives 6, so C1 = B1 + 1 is 8 in
# Excel and 7 in the engine; F1 does not read B1 and agrees.
EXCEL_SAYS = {"B1": 7, "C1": 8, "D1": 1, "E1": 2, "F1": 2}


def test_a_contradicted_value_is_kept_and_reported(tmp_path: Path):
    book = xlroi.open(excel_calculated(tmp_path, EXCEL_SAYS))
    assert isinstance(book["B1"], NotEvaluated) and "Excel saved" in book["B1"].reason
    assert isinstance(book["C1"], NotEvaluated) and book["C1"].reason.endswith("engine 7, Excel 8")
    assert book["F1"] == 2
    report = book.save(tmp_path / "out.xlsx")
    assert [ref for ref, _ in report.not_evaluated] == ["S!B1", "S!C1"]
    out = xlroi.open(tmp_path / "out.xlsx", excel_values=False)
    assert [c.cached for _, c in out.formula_cells()][:2] == [7, 8]  # Excel's values, as they were


def test_volatile_cells_and_their_dependents_are_recalculated(tmp_path: Path):
    import datetime

    book = xlroi.open(excel_calculated(tmp_path, EXCEL_SAYS))
    today = (datetime.date.today() - datetime.date(1899, 12, 30)).days
    assert book["D1"] == today and book["E1"] == 2


def test_a_changed_input_recalculates_everything_downstream(tmp_path: Path):
    book = xlroi.open(excel_calculated(tmp_path, EXCEL_SAYS))
    book.set("A1", 5)
    assert (book["B1"], book["C1"], book["F1"]) == (15, 16, 5)


def test_turned_off_the_engine_is_written(tmp_path: Path):
    path = excel_calculated(tmp_path, EXCEL_SAYS)
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(main, ["recalc", str(path), "-o", str(out), "--no-excel-values", "--json"])
    assert result.exit_code == 0, result.output
    assert "XLROI_EXCEL_VALUES" not in __import__("os").environ  # the choice does not outlive the command
    assert xlroi.open(out, excel_values=False)["B1"] == 6
    assert [c.cached for _, c in xlroi.open(out).formula_cells()][0] == 6


def test_the_cli_summarises_them_on_one_line(tmp_path: Path):
    result = CliRunner().invoke(main, ["recalc", str(excel_calculated(tmp_path, EXCEL_SAYS)), "-o", str(tmp_path / "o.xlsx")])
    assert "2  contradicts the value Excel saved for the same inputs (Excel's kept): S!B1, S!C1" in result.stderr


def test_check_still_reports_a_difference(tmp_path: Path):
    report = xlroi.open(excel_calculated(tmp_path, EXCEL_SAYS)).check()
    assert [(d.ref, d.status, d.computed) for d in report.differences if d.ref != "S!D1"] == [
        ("S!B1", "differs", 6), ("S!C1", "differs", 7)]


@pytest.mark.parametrize("calc_pr, excel", [
    (b"", True),
    (b'<calcPr calcId="191029" calcMode="manual"/>', False),
    (b'<calcPr calcId="191029" fullCalcOnLoad="1"/>', False),
], ids=["automatic calculation", "manual calculation: values may be stale", "Excel asked to recalculate on load"])
def test_which_workbooks_carry_excels_values(tmp_path: Path, calc_pr: bytes, excel: bool):
    assert calculated_by_excel(read_package(excel_calculated(tmp_path, EXCEL_SAYS, calc_pr))) is excel


def test_workbooks_other_tools_wrote_are_not_concerned(workbook_with_formulas: Path):
    assert not calculated_by_excel(read_package(workbook_with_formulas))
    assert calculated_by_excel(read_package(CORPUS / "phpspreadsheet__issue.2301.xlsx"))


def test_a_golden_workbook_keeps_every_value_excel_computed(tmp_path: Path):
    """Every formula cell of an Excel-saved workbook comes back as Excel's value, or reported."""
    src = CORPUS / "phpspreadsheet__issue.2301.xlsx"
    report = xlroi.open(src).save(tmp_path / "out.xlsx")
    reported = {ref for ref, _ in report.not_evaluated}
    before = {(s.name, c.row, c.col): c.cached for s, c in xlroi.open(src, excel_values=False).formula_cells()}
    after = xlroi.open(tmp_path / "out.xlsx", excel_values=False)
    for sheet, cell in after.formula_cells():
        assert values_match(before[(sheet.name, cell.row, cell.col)], cell.cached) or f"'{sheet.name}'!{cell.name}" in reported
