"""Workbooks that store the add-in's functions the ways Excel does recalculate headless.

Excel writes ``_xludf.ROI(...)`` when it did not know the function, ``[1]!ROI(...)`` with an
external link to ``xlroi.xlam`` when the add-in was an .xlam, and ``'xlroi.xlam'!ROI(...)``.
The engines evaluate every form; the file keeps the form it had.
"""
from __future__ import annotations

import html
import zipfile
from pathlib import Path

import pytest

import xlroi
from xlroi.xlsx.addin_calls import plain_calls

EXTERNAL_LINK = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<externalBook r:id="rId1"><definedNames><definedName name="ROI" refersTo="#REF!"/></definedNames></externalBook></externalLink>'
)
EXTERNAL_LINK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" '
    b'Target="xlroi.xlam" TargetMode="External"/></Relationships>'
)

FORMS = [
    ("plain call", "ROI(B1,B2)"),
    ("_xludf prefix", "_xludf.ROI(B1,B2)"),
    ("external link to the add-in", "[1]!ROI(B1,B2)"),
    ("quoted add-in file", "'xlroi.xlam'!ROI(B1,B2)"),
    ("unquoted add-in file", "xlroi.xlam!ROI(B1,B2)"),
    ("lower case, nested", "ROUND(_xludf.roi(B1,B2),3)"),
]


def _with_external_link(src: Path, dest: Path) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/externalLinks/externalLink1.xml" '
                                    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml"/></Types>')
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdExt1" Type="http://schemas.openxmlformats.org/'
                                    b'officeDocument/2006/relationships/externalLink" Target="externalLinks/externalLink1.xml"/></Relationships>')
            elif info.filename == "xl/workbook.xml":
                data = data.replace(b"</sheets>", b'</sheets><externalReferences><externalReference '
                                    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rIdExt1"/></externalReferences>')
            zout.writestr(info, data)
        zout.writestr("xl/externalLinks/externalLink1.xml", EXTERNAL_LINK)
        zout.writestr("xl/externalLinks/_rels/externalLink1.xml.rels", EXTERNAL_LINK_RELS)


@pytest.fixture(scope="module")
def addin_workbook(tmp_path_factory) -> Path:
    import openpyxl

    folder = tmp_path_factory.mktemp("addin")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ROI"
    ws["B1"], ws["B2"] = 180000, 65000
    for row, (_, formula) in enumerate(FORMS, start=3):
        ws.cell(row, 2, "=" + formula)
    ws["C1"] = '="[1]!ROI(" & B1'  # a string that looks like a call stays a string
    plain = folder / "plain.xlsx"
    wb.save(plain)
    linked = folder / "addin-calls.xlsx"
    _with_external_link(plain, linked)
    return linked


@pytest.mark.parametrize("engine", ["fast", "formulas"])
@pytest.mark.parametrize("row, form", list(enumerate(FORMS, start=3)), ids=[f for f, _ in FORMS])
def test_every_stored_form_evaluates(addin_workbook, engine, row, form):
    book = xlroi.open(addin_workbook, engine=engine)
    expected = round(115000 / 65000, 3) if form[1].startswith("ROUND") else 115000 / 65000  # 176.9 %
    assert book[f"ROI!B{row}"] == pytest.approx(expected, rel=1e-15)


def test_the_saved_file_keeps_the_users_form(addin_workbook, tmp_path):
    out = tmp_path / "out.xlsx"
    xlroi.open(addin_workbook).save(out)
    with zipfile.ZipFile(out) as z:
        sheet = html.unescape(z.read("xl/worksheets/sheet1.xml").decode())
        assert z.read("xl/externalLinks/externalLink1.xml") == EXTERNAL_LINK
        assert "LAMBDA" not in z.read("xl/workbook.xml").decode()  # the engine's names stay in memory
    for _, formula in FORMS:
        assert f"<f>{formula}</f>" in sheet
    assert xlroi.open(out).check().ok


@pytest.mark.parametrize("stored, plain", [
    ("_xludf.ROI(A1,B1)", "ROI(A1,B1)"),
    ("[1]!HR_COST(A1:A2,B1:B2)", "HR_COST(A1:A2,B1:B2)"),
    ("'C:\\Addins\\xlroi.xlam'!PRORATE(1,2,3)", "PRORATE(1,2,3)"),
    ('CONCAT("[1]!ROI(",A1)', 'CONCAT("[1]!ROI(",A1)'),
    ("[1]!Sheet1!A1", "[1]!Sheet1!A1"),
    ("_xludf.SOMETHING_ELSE(1)", "_xludf.SOMETHING_ELSE(1)"),
], ids=["xludf", "external link", "full add-in path", "inside a string", "a real external reference", "someone else's UDF"])
def test_plain_calls(stored, plain):
    assert plain_calls(stored) == plain
