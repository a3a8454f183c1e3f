"""Nothing lost: recalculation changes only the cached values of formula cells.

The workbook under test has what openpyxl's load/save and IronCalc's writer lose: a chart, an
image, a VBA project, data validation, conditional formats, a comment and defined names.
"""
from __future__ import annotations

import errno
import io
import os
import re
import zipfile
from pathlib import Path

import pytest

import xlroi
from xlroi.errors import OutputError

from conftest import sha256, stale_copy

VBA_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"fake VBA project: must survive byte for byte" * 20


def _tiny_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def _add_vba(src: Path, dest: Path) -> None:
    """Turn an .xlsx into an .xlsm with a VBA project part, as Excel lays it out."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                ).replace(b"</Types>", b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdVBA" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/></Relationships>',
                )
            zout.writestr(info, data)
        zout.writestr("xl/vbaProject.bin", VBA_BYTES)


@pytest.fixture
def rich_workbook(tmp_path: Path) -> Path:
    import openpyxl
    from openpyxl.chart import BarChart, Reference
    from openpyxl.comments import Comment
    from openpyxl.drawing.image import Image
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import PatternFill
    from openpyxl.workbook.defined_name import DefinedName
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Step 5 ROI"
    ws.append(["Channel", "Return", "Investment", "ROI"])
    for i, (channel, ret, inv) in enumerate([("LinkedIn", 120000, 40000), ("Instagram", 60000, 25000)], start=2):
        ws.append([channel, ret, inv, f"=ROI(B{i},C{i})"])
        ws[f"B{i}"].fill = PatternFill("solid", fgColor="FFF2CC")
    ws["A4"], ws["B4"], ws["C4"], ws["D4"] = "Total", "=SUM(B2:B3)", "=SUM(C2:C3)", "=_xludf.ROI(B4,C4)"
    ws["D4"].number_format = "0.0%"
    ws["B4"].comment = Comment("Sum of the channels", "xlroi")
    dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
    ws.add_data_validation(dv)
    dv.add("B2:C3")
    ws.conditional_formatting.add("D2:D4", CellIsRule(operator="lessThan", formula=["0"], fill=PatternFill("solid", fgColor="FFC7CE")))
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=4, min_row=1, max_row=3), titles_from_data=True)
    ws.add_chart(chart, "F2")
    image_path = tmp_path / "logo.png"
    image_path.write_bytes(_tiny_png())
    ws.add_image(Image(str(image_path)), "F20")
    wb.defined_names["OverallROI"] = DefinedName("OverallROI", attr_text="'Step 5 ROI'!$D$4")
    xlsx = tmp_path / "rich.xlsx"
    wb.save(xlsx)
    xlsm = tmp_path / "rich.xlsm"
    _add_vba(xlsx, xlsm)
    return xlsm


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def _without_cached_values(xml: bytes) -> bytes:
    xml = re.sub(rb"<v>[^<]*</v>|<v/>", b"", xml)
    return re.sub(rb'(<c\b[^>]*?)\s+t="[^"]*"', rb"\1", xml)


@pytest.mark.parametrize("engine", ["fast", "formulas"])
def test_recalc_changes_only_cached_values(rich_workbook: Path, tmp_path: Path, engine: str):
    before = sha256(rich_workbook)
    out = tmp_path / "out.xlsm"
    xlroi.open(rich_workbook, engine=engine).save(out)

    assert sha256(rich_workbook) == before, "the input must never change"
    original, written = _parts(rich_workbook), _parts(out)
    assert list(written) == list(original), "same parts, same order"
    changed = [name for name in original if original[name] != written[name]]
    assert changed == ["xl/worksheets/sheet1.xml"]
    assert _without_cached_values(written[changed[0]]) == _without_cached_values(original[changed[0]])
    for part in ("xl/vbaProject.bin", "xl/charts/chart1.xml", "xl/media/image1.png", "xl/drawings/drawing1.xml",
                 "xl/comments/comment1.xml", "xl/styles.xml", "xl/workbook.xml"):
        assert written[part] == original[part], part

    result = xlroi.open(out, engine=engine)
    assert result["'Step 5 ROI'!D2"] == pytest.approx(2.0)  # (120000 - 40000) / 40000
    assert result["OverallROI"] == pytest.approx((180000 - 65000) / 65000)  # the method's 176.9 %
    assert result.check().ok


def test_zip_entries_keep_compression_and_timestamps(rich_workbook: Path, tmp_path: Path):
    out = tmp_path / "out.xlsm"
    xlroi.open(rich_workbook).save(out)
    with zipfile.ZipFile(rich_workbook) as a, zipfile.ZipFile(out) as b:
        for x, y in zip(a.infolist(), b.infolist()):
            assert (x.filename, x.compress_type, x.date_time) == (y.filename, y.compress_type, y.date_time)


def test_cached_values_are_written_with_excel_types(workbook_with_formulas: Path, tmp_path: Path):
    out = tmp_path / "out.xlsx"
    xlroi.open(workbook_with_formulas).save(out)
    sheet = _parts(out)["xl/worksheets/sheet1.xml"]
    assert b'<c r="B3"><f>ROI(B1,B2)</f><v>1.7692307692307692</v></c>' in sheet
    assert b'<c r="B4"><f>HR_COST(C1:C2,D1:D2)</f><v>1300</v></c>' in sheet
    assert b'<c r="B8" t="e"><f>B2/0</f><v>#DIV/0!</v></c>' in sheet


def test_save_refuses_to_overwrite_the_input_without_in_place(workbook_with_formulas: Path):
    before = sha256(workbook_with_formulas)
    with pytest.raises(OutputError, match="in_place"):
        xlroi.open(workbook_with_formulas).save(workbook_with_formulas)
    assert sha256(workbook_with_formulas) == before


def test_in_place_replaces_atomically(workbook_with_formulas: Path):
    book = xlroi.open(workbook_with_formulas)
    book.set("B1", 200000)
    book.save(in_place=True)
    assert xlroi.open(workbook_with_formulas)["'Step 5 ROI'!B3"] == pytest.approx(135000 / 65000)
    assert [p.name for p in workbook_with_formulas.parent.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize("failure", ["disk full", "crash before rename"])
def test_a_failed_write_leaves_the_original_intact(workbook_with_formulas: Path, monkeypatch, failure: str):
    before = sha256(workbook_with_formulas)
    book = xlroi.open(workbook_with_formulas)
    book.set("B1", 1)
    if failure == "disk full":
        real_fdopen = os.fdopen

        class FullDisk(io.RawIOBase):
            def __init__(self, fd):
                self.handle = real_fdopen(fd, "wb")

            def write(self, data):
                raise OSError(errno.ENOSPC, "No space left on device")

            def fileno(self):
                return self.handle.fileno()

            def close(self):
                self.handle.close()

        monkeypatch.setattr(os, "fdopen", lambda fd, mode="r": FullDisk(fd))
    else:
        def crash(*_):
            raise OSError(errno.EIO, "Input/output error")

        monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OutputError):
        book.save(in_place=True)
    monkeypatch.undo()
    assert sha256(workbook_with_formulas) == before
    assert sorted(p.name for p in workbook_with_formulas.parent.iterdir()) == ["campaign.xlsx"]


def test_set_on_an_empty_cell_adds_it(workbook_with_formulas: Path, tmp_path: Path):
    book = xlroi.open(workbook_with_formulas)
    book.set("'Step 5 ROI'!E7", "LinkedIn")
    book.set("F30", 12.5)
    out = tmp_path / "out.xlsx"
    book.save(out)
    import openpyxl

    ws = openpyxl.load_workbook(out)["Step 5 ROI"]
    assert (ws["E7"].value, ws["F30"].value, ws["B1"].value) == ("LinkedIn", 12.5, 180000)


def test_pytest_helper_reports_stale_cells(workbook_with_formulas: Path, tmp_path: Path):
    from xlroi.testing import assert_workbook_is_fresh

    out = tmp_path / "out.xlsx"
    xlroi.open(workbook_with_formulas).save(out)
    assert_workbook_is_fresh(out)
    with pytest.raises(AssertionError, match="1 of 6 formula cells are stale") as failure:
        assert_workbook_is_fresh(stale_copy(out, tmp_path / "stale.xlsx"))
    assert "'Step 5 ROI'!B4: differs: cached 1200.0, computed 1300.0" in str(failure.value)

