"""The output oracle (xlroi.xlsx.validate, xlroi.testing.assert_valid_output): it accepts what
xlroi writes — every golden workbook recalculated — and catches each way an output can be
wrong: a part that does not parse, a raw control character or carriage return, a part changed
that should not be, more than cached values changed, entries dropped, reordered or recompressed,
an output openpyxl or LibreOffice cannot read, a result that changes when recalculated again."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

import xlroi
from xlroi.testing import assert_valid_output, output_problems
from xlroi.xlsx.validate import validate_output, without_cached_values

from conftest import stale_copy

GOLDEN = Path(__file__).parent / "golden"
SHEET = "xl/worksheets/sheet1.xml"


def _entries(path: Path) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(path) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


def _write(path: Path, entries: list[tuple[zipfile.ZipInfo, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in entries:
            archive.writestr(info, data)
    return path


def _edit(part: str, old: bytes, new: bytes):
    def edit(entries):
        changed = [(i, d.replace(old, new, 1) if i.filename == part else d) for i, d in entries]
        assert changed != entries, f"{old!r} not in {part}"
        return changed
    return edit


def _drop(part: str):
    return lambda entries: [(i, d) for i, d in entries if i.filename != part]


def _swap_first_two(entries):
    return [entries[1], entries[0], *entries[2:]]


def _stored(entries):
    for info, _ in entries:
        info.compress_type = zipfile.ZIP_STORED
    return entries


@pytest.fixture
def good(workbook_with_formulas: Path, tmp_path: Path) -> tuple[Path, Path]:
    out = tmp_path / "out.xlsx"
    xlroi.open(workbook_with_formulas).save(out)
    return workbook_with_formulas, out


def test_a_good_output_has_no_problems(good):
    source, out = good
    assert output_problems(source, out) == []
    assert_valid_output(source, out)


CORRUPTIONS = {
    "a raw control character": (_edit(SHEET, b"<v>1300</v>", b"<v>\x07</v>"), "not well-formed XML"),
    "a raw carriage return": (_edit(SHEET, b"<v>1300</v>", b"<v>13\r00</v>"), "raw carriage return"),
    "a part not meant to change": (_edit("xl/styles.xml", b"<fonts", b"<fonts "), "not a part recalculation may change"),
    "a formula changed": (_edit(SHEET, b"SUM(C1:D2)", b"SUM(C1:D3)"), "more than cached values changed"),
    "a cell dropped": (_edit(SHEET, b'<c r="B1" t="n"><v>180000</v></c>', b""), "more than cached values changed"),
    "a part dropped": (_drop("docProps/app.xml"), "zip entries differ"),
    "entries reordered": (_swap_first_two, "another order"),
    "entries recompressed": (_stored, "compression or timestamp changed"),
    "openpyxl cannot read it": (_edit("xl/workbook.xml", b"<sheets>", b"<sheets><sheet/>"), "openpyxl cannot load the output"),
    "a stale cached value": (_edit(SHEET, b"<v>1300</v>", b"<v>1200</v>"), "recalculating the output again changes "
                                                                           "xl/worksheets/sheet1.xml (cells B4)"),
}


@pytest.mark.parametrize("case", list(CORRUPTIONS), ids=list(CORRUPTIONS))
def test_the_oracle_catches(good, tmp_path, case):
    corrupt, expected = CORRUPTIONS[case]
    source, out = good
    bad = _write(tmp_path / "bad.xlsx", corrupt(_entries(out)))
    problems = output_problems(source, bad)
    assert any(expected in p for p in problems), problems
    with pytest.raises(AssertionError, match="problem"):
        assert_valid_output(source, bad)


def test_a_part_broken_in_the_input_is_not_blamed_on_the_output(workbook_with_formulas, tmp_path):
    entries = _entries(workbook_with_formulas) + [(zipfile.ZipInfo("customXml/item1.xml"), b"<broken")]
    source = _write(tmp_path / "broken.xlsx", entries)
    out = tmp_path / "out.xlsx"
    xlroi.open(source).save(out)
    assert output_problems(source, out) == []
    fixed_in_output = _write(tmp_path / "changed.xlsx", _edit("customXml/item1.xml", b"<broken", b"<broken/>")(_entries(out)))
    assert any("customXml/item1.xml: changed" in p for p in output_problems(source, fixed_in_output))


def test_volatile_results_may_change_on_recalculation_but_nothing_else(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"], wb.active["A2"], wb.active["A3"] = "=RAND()", "=A1*2", "=1+1"
    source, out = tmp_path / "volatile.xlsx", tmp_path / "out.xlsx"
    wb.save(source)
    xlroi.open(source).save(out)
    assert output_problems(source, out) == []


def test_only_cells_added_needs_only_values_off(workbook_with_formulas, tmp_path):
    out = tmp_path / "out.xlsx"
    book = xlroi.open(workbook_with_formulas)
    book.set("Z99", "new")  # a cell the sheet does not have: the part is re-serialised
    book.save(out)
    assert any("more than cached values changed" in p for p in output_problems(workbook_with_formulas, out))
    assert output_problems(workbook_with_formulas, out, only_values=False) == []


def test_a_stale_input_gives_a_valid_output(workbook_with_formulas, tmp_path):
    stale = stale_copy(workbook_with_formulas, tmp_path / "stale.xlsx", b"<v>1300</v>", b"<v>1200</v>")
    out = tmp_path / "out.xlsx"
    xlroi.open(stale).save(out)
    assert output_problems(stale, out) == []


@pytest.mark.parametrize("xml, stripped", [
    (b'<c r="A1" t="str"><f>A2</f><v>x</v></c>', b'<c r="A1"><f>A2</f></c>'),
    (b'<c r="A1" s="2" t="inlineStr"><is><t>x</t></is></c>', b'<c r="A1" s="2"></c>'),
    (b'<row r="1">\n  <c r="A1"><f>1</f><v/></c>\n</row>', b'<row r="1"><c r="A1"><f>1</f></c></row>'),
    (b'<x:c r="A1" t="e"><x:f>1/0</x:f><x:v>#DIV/0!</x:v></x:c>', b'<x:c r="A1"><x:f>1/0</x:f></x:c>'),
], ids=["str", "inline", "whitespace", "prefixed"])
def test_without_cached_values(xml, stripped):
    assert without_cached_values(xml) == stripped


def test_validate_output_without_recalc_or_readers(good):
    source, out = good
    assert validate_output(source, out, openpyxl=False) == []


def _golden():
    heavy = {"formulas__test.xlsx"}  # 20,000 formula cells: tens of seconds with the reference fallback
    files = sorted(GOLDEN.glob("*.xlsx")) + sorted(GOLDEN.glob("strict/*.xlsx"))
    return [pytest.param(p, id=p.name.removesuffix(".xlsx"), marks=[pytest.mark.slow] if p.name in heavy else [])
            for p in files]


@pytest.mark.parametrize("path", _golden())
def test_every_golden_workbook_recalculated_is_valid(path, tmp_path):
    out = tmp_path / path.name
    xlroi.open(path).save(out)
    assert_valid_output(path, out)


@pytest.mark.slow
@pytest.mark.libreoffice
@pytest.mark.parametrize("path", [p for p in _golden() if "formulas__test" not in p.id])
def test_libreoffice_reads_every_golden_workbook_recalculated(path, tmp_path):
    out = tmp_path / path.name
    xlroi.open(path).save(out)
    assert_valid_output(path, out, libreoffice=True, idempotent=False)


@pytest.mark.slow
@pytest.mark.libreoffice
def test_libreoffice_notices_a_truncated_sheet(good, tmp_path):
    """LibreOffice reads a sheet with a raw control character without a word — up to that
    cell: the oracle notices the missing rows."""
    from xlroi.xlsx.validate import libreoffice_problems

    source, out = good
    bad = _write(tmp_path / "bad.xlsx", _edit(SHEET, b"<v>1300</v>", b"<v>\x07</v>")(_entries(out)))
    problems = libreoffice_problems(source, bad)
    assert problems and "rows" in problems[0], problems


def test_cells_set_must_be_named(workbook_with_formulas, tmp_path):
    out = tmp_path / "out.xlsx"
    book = xlroi.open(workbook_with_formulas)
    book.set("'Step 5 ROI'!B1", 200000)
    book.save(out)
    assert any("openpyxl sees other cells in sheet 'Step 5 ROI': B1" in p for p in output_problems(workbook_with_formulas, out))
    assert output_problems(workbook_with_formulas, out, inputs=["'Step 5 ROI'!B1"]) == []
    assert output_problems(workbook_with_formulas, out, inputs=["B1:B2"]) == []  # first sheet, a range
