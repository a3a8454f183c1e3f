"""Strict Open XML workbooks saved by Excel (tests/golden/strict/, see SOURCES.md there): they
are read, recalculated to Excel's own values by both engines, and written back valid and still
Strict (only cached values change; the namespaces stay ``http://purl.oclc.org/ooxml/…``)."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

import xlroi
from xlroi.cli import main
from xlroi.testing import assert_valid_output
from xlroi.xlsx.package import NS_MAIN, NS_MAIN_STRICT, read_package
from xlroi.xlsx.strict import is_strict, iso_to_serial, to_transitional, transitional_parts, transitional_uri

from conftest import sha256

STRICT = Path(__file__).parent / "golden" / "strict"
TRANSITIONAL_MAIN = NS_MAIN.encode()

# file → (sheet names, formula cells with a cached value Excel computed)
WORKBOOKS = {
    "sample.strict.xlsx": (["Sheet1", "rich test", "Sheet3"], 1),
    "sharedformula-strict-format.xlsx": (["Sheet1"], 10),
    "data_types-strict-ooxml.xlsx": (["TestSheet1"], 0),
    "numbers.strict.xlsx": (["FirstSheet", "SecondSheet"], 0),
}


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def test_the_strict_workbooks_are_excels_and_strict():
    assert sorted(p.name for p in STRICT.glob("*.xlsx")) == sorted(WORKBOOKS)
    for name in WORKBOOKS:
        parts = _parts(STRICT / name)
        assert b"<Application>Microsoft" in parts["docProps/app.xml"]
        assert b'conformance="strict"' in parts["xl/workbook.xml"]


@pytest.mark.parametrize("name", sorted(WORKBOOKS))
def test_strict_workbooks_are_read(name):
    package = read_package(STRICT / name)
    assert is_strict(package)
    assert [s.name for s in package.sheets] == WORKBOOKS[name][0]
    assert all(s.part in package.parts for s in package.sheets)


@pytest.mark.parametrize("engine", ["fast", "formulas"])
@pytest.mark.parametrize("name", sorted(WORKBOOKS))
def test_strict_workbooks_recalculate_to_excels_values(name, engine):
    before = sha256(STRICT / name)
    report = xlroi.open(STRICT / name, engine=engine).check()
    assert (report.compared, report.differences) == (WORKBOOKS[name][1], [])
    assert sha256(STRICT / name) == before


@pytest.mark.parametrize("engine", ["fast", "formulas"])
def test_a_what_if_on_a_strict_workbook_is_valid_and_still_strict(tmp_path, engine):
    source, out = STRICT / "sample.strict.xlsx", tmp_path / "what-if.xlsx"
    book = xlroi.open(source, engine=engine)
    book.set("B1", 1000)  # was 111: SUM(B1:B9) goes from 4995 to 5884
    book.save(out)
    assert_valid_output(source, out, changed_parts=["xl/worksheets/sheet1.xml"], engine=engine)
    sheet = _parts(out)["xl/worksheets/sheet1.xml"]
    assert b'<c r="B10"><f>SUM(B1:B9)</f><v>5884</v></c>' in sheet
    assert etree.QName(etree.fromstring(sheet)).namespace == NS_MAIN_STRICT
    for part, data in _parts(out).items():
        assert TRANSITIONAL_MAIN not in data, part
    assert xlroi.open(out, engine=engine)["B10"] == 5884


def test_cells_added_to_a_strict_sheet_are_strict(tmp_path):
    source, out = STRICT / "sample.strict.xlsx", tmp_path / "added.xlsx"
    book = xlroi.open(source)
    book.set("D20", "new\r")
    book.set("B12", 5)
    book.save(out)
    assert_valid_output(source, out, changed_parts=["xl/worksheets/sheet1.xml"], only_values=False)
    root = etree.fromstring(_parts(out)["xl/worksheets/sheet1.xml"])
    cells = {c.get("r"): c for c in root.iter(f"{{{NS_MAIN_STRICT}}}c")}
    assert cells["D20"].get("t") == "inlineStr" and cells["B12"].findtext(f"{{{NS_MAIN_STRICT}}}v") == "5"
    again = xlroi.open(out)
    assert (again["D20"], again["B12"]) == ("new\r", 5)


def test_recalc_of_a_strict_workbook_on_the_command_line(tmp_path):
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(main, ["recalc", str(STRICT / "sharedformula-strict-format.xlsx"), "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert_valid_output(STRICT / "sharedformula-strict-format.xlsx", out)
    assert _parts(out) == _parts(STRICT / "sharedformula-strict-format.xlsx")  # Excel's values: nothing to change


@pytest.mark.parametrize("engine", ["fast", "formulas"])
@pytest.mark.parametrize("name, ref, serial", [
    ("data_types-strict-ooxml.xlsx", "B5", 41640),              # <v>2014-01-01</v>
    ("numbers.strict.xlsx", "SecondSheet!A1", 44255),           # <v>2021-02-28</v>
    ("numbers.strict.xlsx", "SecondSheet!B1", 0.5),             # <v>12:00:00.000</v>
], ids=["date", "date-on-second-sheet", "time"])
def test_iso_dates_reach_the_engines_as_serial_numbers(name, ref, serial, engine):
    assert xlroi.open(STRICT / name, engine=engine)[ref] == serial


@pytest.mark.parametrize("text, date1904, serial", [
    ("2014-01-01", False, 41640),
    ("2024-01-15", False, 45306),
    ("2024-01-15", True, 43844),                 # 1,462 days fewer in the 1904 system
    ("1900-01-01", False, 1),
    ("1900-02-28", False, 59),
    ("1900-03-01", False, 61),                   # Excel counts 1900-02-29, which never was
    ("2021-02-28T18:00:00", False, 44255.75),
    ("2021-02-28T12:00:00.500", False, 44255.5 + 0.5 / 86400),
    ("12:00:00.000", False, 0.5),
    ("06:00", False, 0.25),
    ("1899-12-31", False, 0),                    # Excel's day 0 ("1900-01-00")
    ("1899-12-30", False, None),                 # before it: no serial
    ("1903-12-31", True, None),
    ("2021-02-30", False, None),
    ("yesterday", False, None),
], ids=lambda v: str(v))
def test_iso_to_serial(text, date1904, serial):
    got = iso_to_serial(text, date1904)
    assert got == (pytest.approx(serial) if serial is not None else None)


@pytest.mark.parametrize("strict, transitional", [
    ("http://purl.oclc.org/ooxml/spreadsheetml/main", "http://schemas.openxmlformats.org/spreadsheetml/2006/main"),
    ("http://purl.oclc.org/ooxml/officeDocument/relationships", "http://schemas.openxmlformats.org/officeDocument/2006/relationships"),
    ("http://purl.oclc.org/ooxml/officeDocument/relationships/worksheet",
     "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"),
    ("http://purl.oclc.org/ooxml/officeDocument/relationships/extendedProperties",
     "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"),
    ("http://purl.oclc.org/ooxml/drawingml/spreadsheetDrawing", "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"),
    ("http://purl.oclc.org/ooxml/officeDocument/extendedProperties",
     "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"),
    ("http://purl.oclc.org/ooxml/unknown/thing", "http://purl.oclc.org/ooxml/unknown/thing"),
], ids=["main", "relationships", "worksheet-relationship", "renamed-relationship", "drawing", "renamed-namespace", "unknown"])
def test_strict_uris_map_to_transitional(strict, transitional):
    assert transitional_uri(strict) == transitional
    assert to_transitional(f'<x xmlns="{strict}"/>'.encode()) == f'<x xmlns="{transitional}"/>'.encode()


def test_the_engines_copy_of_a_strict_workbook_is_transitional():
    package = read_package(STRICT / "numbers.strict.xlsx")
    mapped = transitional_parts(package, {})
    assert {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/worksheets/sheet2.xml"} <= set(mapped)
    for name, data in mapped.items():
        assert b"purl.oclc.org/ooxml/spreadsheetml" not in data, name
        etree.fromstring(data)  # still well-formed
    assert b'<c r="A1" s="1"><v>44255</v></c>' in mapped["xl/worksheets/sheet2.xml"]
    assert package.parts["xl/workbook.xml"].count(b"purl.oclc.org") > 0  # the user's package is not touched


def test_a_transitional_workbook_is_not_mapped(workbook_with_formulas):
    assert transitional_parts(read_package(workbook_with_formulas), {}) == {}


@pytest.mark.slow
@pytest.mark.libreoffice
def test_libreoffice_reads_the_strict_output(tmp_path):
    source, out = STRICT / "sample.strict.xlsx", tmp_path / "what-if.xlsx"
    book = xlroi.open(source)
    book.set("B1", 1000)
    book.save(out)
    assert_valid_output(source, out, changed_parts=["xl/worksheets/sheet1.xml"], libreoffice=True)


@pytest.mark.parametrize("engine", ["fast", "formulas"])
def test_a_date_result_cached_as_iso_text_is_excels_value(tmp_path, engine):
    """Strict lets a formula's cached date be ISO text (``t="d"``); none of the Excel files above
    has one, so this copy of data_types-strict-ooxml.xlsx gets one: =B5+1 cached as 2014-01-02."""
    source, out = tmp_path / "date-result.xlsx", tmp_path / "out.xlsx"
    with zipfile.ZipFile(STRICT / "data_types-strict-ooxml.xlsx") as zin, zipfile.ZipFile(source, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b'<v>2014-01-01</v></c>', b'<v>2014-01-01</v></c><c r="C5" s="2" t="d"><f>B5+1</f><v>2014-01-02</v></c>')
            zout.writestr(info, data)
    book = xlroi.open(source, engine=engine)
    report = book.check()
    assert (report.compared, report.differences) == (1, [])
    book.set("B5", 41700)
    book.save(out)
    assert b'<c r="C5" s="2"><f>B5+1</f><v>41701</v></c>' in _parts(out)["xl/worksheets/sheet1.xml"]
    assert_valid_output(source, out, inputs=["B5"], engine=engine)
