"""Shared fixtures: workbooks built by the tests, the corpus of Excel-saved workbooks."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "golden"  # Excel-saved workbooks carried in the repository (see its SOURCES.md)


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def stale_copy(src: Path, dest: Path, old: bytes = b"<v>1300</v>", new: bytes = b"<v>1200</v>") -> Path:
    """A copy of ``src`` whose first sheet caches a wrong value (``old`` replaced by ``new``)."""
    import zipfile

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(old, new)
            zout.writestr(info, data)
    return dest


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.xlsx"))


@pytest.fixture
def workbook_with_formulas(tmp_path: Path) -> Path:
    """A small campaign workbook using the four functions and built-ins."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Step 5 ROI"
    ws["A1"], ws["B1"] = "Return", 180000
    ws["A2"], ws["B2"] = "Investment", 65000
    ws["A3"], ws["B3"] = "ROI", "=ROI(B1,B2)"
    ws["C1"], ws["C2"], ws["D1"], ws["D2"] = 50, 40, 10, 20
    ws["B4"] = "=HR_COST(C1:C2,D1:D2)"
    ws["B5"] = "=GOAL_VALUE(12000,1/10,150)"
    ws["B6"] = "=PRORATE(60000,3,12)"
    ws["B7"] = "=SUM(C1:D2)"
    ws["B8"] = "=B2/0"
    from openpyxl.workbook.defined_name import DefinedName

    wb.defined_names["OverallROI"] = DefinedName("OverallROI", attr_text="'Step 5 ROI'!$B$3")
    path = tmp_path / "campaign.xlsx"
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def q1(tmp_path_factory) -> Path:
    """The blank template with the period set to 1 January - 31 March 2024 (for imports)."""
    import datetime as dt

    import xlroi
    from xlroi.imports.template_writer import serial
    from xlroi.template import write_template

    folder = tmp_path_factory.mktemp("template")
    write_template(folder / "blank.xlsx", blank=True)
    book = xlroi.open(folder / "blank.xlsx")
    book.set("PeriodStart", serial(dt.date(2024, 1, 1)))
    book.set("PeriodEnd", serial(dt.date(2024, 3, 31)))
    book.save(folder / "q1.xlsx")
    return folder / "q1.xlsx"
