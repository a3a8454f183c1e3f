"""The six-step template: the committed files, the method's numbers, what-ifs, the blank variant.

Every expected number is worked out in a comment from docs/method.md's example as the template lays
it out (xlroi/template.py, "Example data"): tools 6,000 + ads 24,000 + people 30,000 + agency
5,000 = 65,000; 12,000 subscribers x 1 in 10 x $150 = 180,000.
"""
from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pytest

import xlroi
from xlroi import template
from xlroi.template import TEMPLATE_FILES, write_template
from xlroi.xlsx.cells import scan_sheet
from xlroi.xlsx.package import read_package

from libreoffice_helper import convert

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "workbook_templates"
EXAMPLE = TEMPLATES / "xlroi-template.xlsx"
BLANK = TEMPLATES / "xlroi-template-blank.xlsx"
ENGINES = ("fast", "formulas")

COSTS, VALUES, ROI_SHEET, KPIS, GOALS = (f"'{template.SHEETS[k]}'" for k in ("costs", "values", "roi", "kpis", "goals"))


def close(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b or (a in (None, "") and b in (None, ""))


@pytest.fixture(scope="module", params=ENGINES)
def example_book(request):
    return xlroi.open(EXAMPLE, engine=request.param)


# -- the committed files are the code's output ------------------------------------------------

def _style(cell) -> tuple:
    return (cell.number_format, repr(cell.font), repr(cell.fill), repr(cell.border), repr(cell.alignment),
            repr(cell.protection))


def _describe(path: Path) -> dict:
    """Everything the template promises, read back with openpyxl (not the bytes)."""
    wb = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    out = {"sheets": wb.sheetnames,
           "names": sorted((n, d.attr_text) for n, d in wb.defined_names.items())}
    for ws in wb.worksheets:
        cached = values[ws.title]
        out[ws.title] = {
            "cells": {c.coordinate: (c.value, cached[c.coordinate].value, _style(c))
                      for row in ws.iter_rows() for c in row if c.value is not None or c.has_style},
            "validations": sorted((str(dv.sqref), dv.type, dv.operator, dv.formula1, dv.formula2, dv.error)
                                  for dv in ws.data_validations.dataValidation),
            "conditional": sorted((str(rng.sqref), tuple(r.formula or ())) for rng in ws.conditional_formatting
                                  for r in rng.rules),
            "freeze": ws.freeze_panes, "print_area": ws.print_area, "protected": ws.protection.sheet,
            "widths": {k: d.width for k, d in ws.column_dimensions.items()},
            "charts": len(ws._charts), "merged": sorted(map(str, ws.merged_cells.ranges)),
            "hyperlinks": sorted((h.ref, h.location) for h in ws._hyperlinks),
        }
    return out


@pytest.mark.parametrize("name", list(TEMPLATE_FILES), ids=[n.removesuffix(".xlsx") for n in TEMPLATE_FILES])
def test_committed_template_equals_a_fresh_build(name, tmp_path):
    blank, portable = TEMPLATE_FILES[name]
    fresh = write_template(tmp_path / name, blank=blank, portable=portable)
    committed, rebuilt = _describe(TEMPLATES / name), _describe(fresh)
    assert committed.keys() == rebuilt.keys()
    for key in committed:
        if isinstance(committed[key], dict):
            for part in committed[key]:
                if part == "cells":
                    diff = {ref: (committed[key]["cells"].get(ref), rebuilt[key]["cells"].get(ref))
                            for ref in committed[key]["cells"].keys() | rebuilt[key]["cells"].keys()
                            if committed[key]["cells"].get(ref) != rebuilt[key]["cells"].get(ref)}
                    assert not diff, f"{key}: cells differ (regenerate with `python -m xlroi.template`): {list(diff.items())[:3]}"
                else:
                    assert committed[key][part] == rebuilt[key][part], f"{key}: {part} differs"
        else:
            assert committed[key] == rebuilt[key], key


# -- the method's numbers, with both engines ----------------------------------------------------

METHOD_NUMBERS = [
    # (reference, expected, how it is worked out)
    ("TotalInvestment", 65_000, "tools 6,000 + ads 24,000 + people 30,000 + agency 5,000 (METHOD step 5)"),
    ("TotalReturn", 180_000, "12,000 subscribers / 10 x $150 (METHOD step 4)"),
    ("OverallROI", 115_000 / 65_000, "(180,000 - 65,000) / 65,000 = 1.769 -> 176.9 % (METHOD step 5)"),
    ("NetReturn", 115_000, "180,000 - 65,000"),
    ("ToolsCost", 6_000, "PRORATE: 1,000 x 3 months + 9,600 x 3/12 x 50% + 1,200 x 3 x 50%"),
    ("AdsCost", 24_000, "the ad export: 5,000 + 5,000 + 4,000 + 3,000 + 3,000 + 4,000"),
    ("PeopleCost", 30_000, "HR_COST: 50 x 400 + 40 x 150 + 40 x 100 (rate x hours, METHOD step 2)"),
    ("AgencyCost", 5_000, "invoice 9,000 includes 4,000 of LinkedIn ads also in the export: counted once"),
    (f"{VALUES}!E8", 225, "a booking: 0.75 x $300 (METHOD step 4)"),
    (f"{VALUES}!H7", 180_000, "GOAL_VALUE(12,000, 10%, 150)"),
    (f"{ROI_SHEET}!E22", (90_000 - 40_000) / 40_000, "LinkedIn: return 6,000 subs -> 90,000; cost 14,000 ads + 5,000 agency + 21,000 shared"),
    (f"{ROI_SHEET}!E23", (30_000 - 10_000) / 10_000, "Instagram: 2,000 subs -> 30,000; 4,000 ads + 6,000 shared"),
    (f"{ROI_SHEET}!E24", (60_000 - 15_000) / 15_000, "Facebook: 4,000 subs -> 60,000; 6,000 ads + 9,000 shared"),
    (f"{ROI_SHEET}!B28", 65_000, "the channels add back up to the total investment"),
    (f"{GOALS}!H7", 560, "leads to date for the goal '500 leads in three months at $2.75 per lead'"),
    (f"{GOALS}!L7", "On track", "560 >= 500"),
    (f"{GOALS}!J8", 12_000 * 182 / 91, "forecast: 12,000 in 91 of the goal's 182 days"),
    (f"{GOALS}!L9", "At risk", "85 SQLs of 100: between 80 % and 100 %"),
    (f"{KPIS}!D24", 23_000 / 440_000, "engagement rate = engagements / reach"),
    (f"{KPIS}!D27", 24_000 / 10_400, "CPC = ad spend / paid clicks"),
    (f"{KPIS}!D29", 65_000 / 560, "cost per lead = investment / leads"),
    (f"{KPIS}!D30", 65_000 / 1_200, "CAC = investment / customers"),
    (f"{KPIS}!D31", 150 / (65_000 / 1_200), "LTV:CAC = 150 / CAC"),
    (f"{KPIS}!D32", 180_000 / 24_000, "ROAS = return / ad spend"),
    (f"{KPIS}!G34", 2.75, "cost-per-lead target of the goal in step 1"),
    ("Start!B36", "OK", "check: channels add up to the total investment"),
]


@pytest.mark.parametrize("ref, expected, why", METHOD_NUMBERS, ids=[row[2].split(":")[0].split("(")[0].strip()[:40] + f" [{row[0]}]" for row in METHOD_NUMBERS])
def test_example_reproduces_the_methods_numbers(example_book, ref, expected, why):
    assert close(example_book[ref], expected), f"{ref}: {example_book[ref]!r}, expected {expected!r} ({why})"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", list(TEMPLATE_FILES), ids=[n.removesuffix(".xlsx") for n in TEMPLATE_FILES])
def test_cached_values_are_what_the_engine_computes(name, engine):
    report = xlroi.open(TEMPLATES / name, engine=engine).check()
    assert report.formula_cells > 500
    assert report.no_cached_value == 0
    assert report.ok, report.differences[:5]


@pytest.mark.parametrize("name", list(TEMPLATE_FILES), ids=[n.removesuffix(".xlsx") for n in TEMPLATE_FILES])
def test_every_formula_cell_carries_a_cached_value(name):
    package = read_package(TEMPLATES / name)
    missing = [f"{sheet.name}!{cell.name}" for sheet in package.sheets
               for cell in scan_sheet(package.parts[sheet.part]).formula_cells if cell.cached is None]
    assert not missing


# -- what-ifs: book.set on an input moves ROI and the KPIs as expected --------------------------

R = template
WHAT_IFS = [
    # (id, {input: new value}, {result: expected})
    ("10,000 more LinkedIn ad spend lowers ROI",
     {f"{COSTS}!D{R.A_FIRST}": 15_000},
     {"TotalInvestment": 75_000, "OverallROI": (180_000 - 75_000) / 75_000,        # 1.4 = 140 %
      f"{KPIS}!D27": 34_000 / 10_400, f"{KPIS}!D32": 180_000 / 34_000,            # CPC up, ROAS down
      f"{ROI_SHEET}!B22": 40_000 + 10_000 + 36_000 * 24 / 34 - 21_000}),           # LinkedIn: 24 of 34 ads
    ("1,000 more LinkedIn paid subscribers raises return",
     {f"'{R.SHEETS['perf']}'!G{R.P_FIRST + 1}": 5_000},
     {"TotalReturn": 195_000, "OverallROI": (195_000 - 65_000) / 65_000,           # 2.0 = 200 %
      f"{ROI_SHEET}!E22": (105_000 - 40_000) / 40_000}),
    ("agency invoice without ad spend inside counts in full",
     {f"{COSTS}!D{R.G_FIRST}": "No"},
     {"AgencyCost": 9_000, "TotalInvestment": 69_000, "OverallROI": (180_000 - 69_000) / 69_000,
      f"{COSTS}!H{R.G_FIRST}": ""}),
    ("100 more hours of the social media manager",
     {f"{COSTS}!C{R.H_FIRST}": 500},
     {"PeopleCost": 35_000, "TotalInvestment": 70_000, "OverallROI": 110_000 / 70_000,
      f"{KPIS}!D30": 70_000 / 1_200}),
    ("equal allocation moves channel ROI, not the total",
     {"AllocationRule": "Equal"},
     {"TotalInvestment": 65_000, "OverallROI": 115_000 / 65_000,
      f"{ROI_SHEET}!B22": 14_000 + 5_000 + 6_000, f"{ROI_SHEET}!E22": (90_000 - 25_000) / 25_000,
      f"{ROI_SHEET}!B28": 65_000}),
    ("manual shares that miss 100% raise a check",
     {"AllocationRule": "Manual %", f"{COSTS}!D{R.R_FIRST}": 0.5},
     {f"{COSTS}!G{R.R_MANUAL_CHECK}": "Manual shares add up to 50%, not 100%"}),
    ("an ad row without a channel breaks the channel check",
     {f"{COSTS}!B{R.A_FIRST}": None},
     {"TotalInvestment": 65_000, f"{COSTS}!G{R.R_CHECK}": "Off by 5000: give every ad row a channel"}),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("changes, expected", [w[1:] for w in WHAT_IFS], ids=[w[0] for w in WHAT_IFS])
def test_setting_an_input_moves_roi_and_kpis(engine, changes, expected):
    book = xlroi.open(EXAMPLE, engine=engine)
    for ref, value in changes.items():
        book.set(ref, value)
    for ref, value in expected.items():
        assert close(book[ref], value), f"{ref}: {book[ref]!r}, expected {value!r}"


def test_set_refuses_formula_cells():
    book = xlroi.open(EXAMPLE)
    with pytest.raises(xlroi.XlroiError):
        book.set("TotalInvestment", 1)


# -- the blank template, filled through the Python API ------------------------------------------

@pytest.mark.parametrize("engine", ENGINES)
def test_blank_template_filled_with_the_example_gives_the_examples_results(engine):
    inputs = template.example_inputs()
    assert len(inputs) > 250
    blank = xlroi.open(BLANK, engine=engine)
    assert blank["TotalInvestment"] == 0 and blank["OverallROI"] == ""
    for ref, value in inputs.items():
        blank.set(ref, value)
    assert close(blank["TotalInvestment"], 65_000)
    assert close(blank["TotalReturn"], 180_000)
    assert close(blank["OverallROI"], 115_000 / 65_000)
    example = xlroi.open(EXAMPLE, engine="fast")
    compared = 0
    for sheet, cell in example.formula_cells():
        ref = f"'{sheet.name}'!{cell.name}"
        assert close(blank[ref], example[ref]), ref
        compared += 1
    assert compared > 500


# -- what a finance team expects of the workbook -------------------------------------------------

@pytest.fixture(scope="module")
def built():
    return openpyxl.load_workbook(EXAMPLE)


def test_sheets_follow_the_six_steps(built):
    assert built.sheetnames == ["Start", "Step 1 Goals", "Step 2 Costs", "Step 3 Performance", "Step 4 Goal values",
                                "Step 5 ROI", "Step 6 KPIs"]


@pytest.mark.parametrize("name", ["TotalInvestment", "TotalReturn", "OverallROI", "NetReturn", "Channels",
                                  "PeriodStart", "PeriodEnd", "ChannelInvestment", "ChannelReturn", "LTV"])
def test_defined_names_for_key_results(built, name):
    assert name in built.defined_names


def test_inputs_are_the_only_unlocked_cells_and_all_share_one_fill(built):
    for ws in built.worksheets:
        assert ws.protection.sheet and not ws.protection.password, ws.title
        for row in ws.iter_rows():
            for c in row:
                is_input = c.fill.fgColor.rgb.endswith(template.INPUT_FILL_COLOR) if c.fill and c.fill.fill_type else False
                if c.coordinate in ("A42",) and ws.title == "Start":  # the legend's sample
                    continue
                assert (not c.protection.locked) == is_input, f"{ws.title}!{c.coordinate}"
                if is_input:
                    assert not (isinstance(c.value, str) and c.value.startswith("=")), f"{ws.title}!{c.coordinate}"


def test_every_input_has_a_data_validation(built):
    for ws in built.worksheets:
        covered = set()
        for dv in ws.data_validations.dataValidation:
            for rng in dv.sqref.ranges:
                for row in ws[rng.coord] if ":" in rng.coord else [[ws[rng.coord]]]:
                    covered.update(c.coordinate for c in row)
        unlocked = {c.coordinate for row in ws.iter_rows() for c in row if not c.protection.locked}
        assert unlocked <= covered, f"{ws.title}: no validation on {sorted(unlocked - covered)[:5]}"


@pytest.mark.parametrize("sheet", list(template.SHEETS.values()))
def test_each_sheet_prints_on_one_page_with_frozen_headers(built, sheet):
    ws = built[sheet]
    assert ws.print_area and ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 1)
    assert ws.freeze_panes
    assert ws.conditional_formatting or sheet in ("Step 3 Performance",)


@pytest.mark.parametrize("sheet, charts", [("Step 5 ROI", 2), ("Step 6 KPIs", 2)])
def test_charts_on_roi_and_kpis(built, sheet, charts):
    assert len(built[sheet]._charts) == charts


def test_kpi_definitions_are_written_on_the_sheet(built):
    ws = built["Step 6 KPIs"]
    definitions = {ws[f"A{r}"].value: ws[f"B{r}"].value for r in range(template.K_FIRST, template.K_LAST + 1)}
    assert definitions["Engagement rate"] == "engagements ÷ reach"
    assert definitions["Click-through rate (CTR)"] == "clicks ÷ impressions"
    assert all(definitions.values())


def test_the_functions_are_used(built):
    formulas = " ".join(c.value for ws in built.worksheets for row in ws.iter_rows() for c in row
                        if isinstance(c.value, str) and c.value.startswith("="))
    for name in ("ROI(", "HR_COST(", "GOAL_VALUE(", "PRORATE("):
        assert name in formulas


@pytest.mark.parametrize("bad", ["notes.txt", "missing-folder/roi.xlsx"])
def test_write_template_refuses_bad_paths(tmp_path, bad):
    with pytest.raises(xlroi.XlroiError):
        write_template(tmp_path / bad)


def test_write_template_into_a_folder(tmp_path):
    assert write_template(tmp_path, blank=True).name == "xlroi-template-blank.xlsx"


# -- LibreOffice: the files open, every page shows numbers, no #NAME? or #REF! ------------------

@pytest.mark.libreoffice
@pytest.mark.parametrize("name", list(TEMPLATE_FILES), ids=[n.removesuffix(".xlsx") for n in TEMPLATE_FILES])
def test_libreoffice_prints_every_sheet_without_errors(name, tmp_path):
    import subprocess

    _blank, portable = TEMPLATE_FILES[name]
    pdf = convert(TEMPLATES / name, tmp_path, "pdf", recalc=portable)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.count("\f")
    assert pages == len(template.SHEETS), "one page per sheet"
    for error in ("#NAME?", "#REF!", "#VALUE!", "#DIV/0!", "#N/A", "Err:"):
        assert error not in text
    if not _blank:
        assert "176.9%" in text and "$65,000" in text and "$180,000" in text
