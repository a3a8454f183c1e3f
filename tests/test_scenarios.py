"""Many scenarios on one loaded workbook (issue 12): xlroi sweep, xlroi goal-seek and the API's
book.sweep / book.goal_seek, checked against `xlroi eval --set` one scenario at a time."""
from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

import xlroi
from xlroi.cli import main
from xlroi.errors import BadReference, BadValue, GoalNotReached
from xlroi.scenarios import parse_vary, steps

from conftest import ROOT, sha256

TEMPLATE = ROOT / "workbook_templates" / "xlroi-template.xlsx"
AD_SPEND = "'Step 2 Costs'!D17"  # LinkedIn ad spend: 5,000 in the method's example


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def eval_json(*args) -> dict:
    result = run("eval", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# -- the two cases -------------------------------------------------------------------------

def test_sweep_of_ad_spend_equals_eval_with_set_at_every_point():
    result = run("sweep", TEMPLATE, "--vary", f"{AD_SPEND}=0:20000:2000", "--watch", "OverallROI", "TotalInvestment",
                 "--json")
    assert result.exit_code == 0, result.output
    scenarios = json.loads(result.stdout)
    assert [s[AD_SPEND] for s in scenarios] == list(range(0, 20001, 2000))
    assert all(list(s) == [AD_SPEND, "OverallROI", "TotalInvestment"] for s in scenarios)  # as typed, in order
    for scenario in scenarios:
        one = eval_json(TEMPLATE, "OverallROI", "TotalInvestment", "--set", f"{AD_SPEND}={scenario[AD_SPEND]:g}")
        assert scenario["OverallROI"] == one["OverallROI"] and scenario["TotalInvestment"] == one["TotalInvestment"]
    # the method's example: 180,000 return; 60,000 of costs besides this ad spend
    assert scenarios[0]["OverallROI"] == 2.0 and scenarios[-1]["OverallROI"] == (180000 - 80000) / 80000


def test_goal_seek_finds_the_ad_spend_for_an_roi_of_150_percent():
    result = run("goal-seek", TEMPLATE, "--target", "OverallROI=150%", "--by-changing", AD_SPEND, "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert list(found) == [AD_SPEND]
    # ROI = (180,000 − I) / I = 1.5  ⇔  I = 72,000 = 60,000 + ad spend  ⇔  ad spend = 12,000
    assert found[AD_SPEND] == 12000
    check = eval_json(TEMPLATE, "OverallROI", "--set", f"{AD_SPEND}={found[AD_SPEND]!r}")
    assert check["OverallROI"] == pytest.approx(1.5, abs=0.001)


# -- the API ---------------------------------------------------------------------------------

def test_book_sweep_loads_once_and_gives_the_varied_cell_its_value_back():
    book = xlroi.open(TEMPLATE)
    rows = book.sweep({AD_SPEND: "0:20000:5000", "'Step 2 Costs'!D18": [0, 1000]}, watch=["OverallROI"])
    assert len(rows) == 10 and [(r[AD_SPEND], r["'Step 2 Costs'!D18"]) for r in rows[:3]] == [(0, 0), (0, 1000), (5000, 0)]
    assert book[AD_SPEND] == 5000 and book["OverallROI"] == pytest.approx(115000 / 65000)


def test_book_goal_seek_leaves_the_value_found_in_the_cell(tmp_path):
    book = xlroi.open(TEMPLATE)
    result = book.goal_seek("OverallROI", 1.5, by_changing=AD_SPEND)
    assert (result.value, result.target_value, book[AD_SPEND]) == (12000, 1.5, 12000)
    assert result.trials < 20
    book.save(tmp_path / "seeked.xlsx")
    assert xlroi.open(tmp_path / "seeked.xlsx").check().ok


def _model(tmp_path: Path, formula: str, start: object) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"], wb.active["B1"] = start, formula
    path = tmp_path / "model.xlsx"
    wb.save(path)
    return path


@pytest.mark.parametrize("formula, start, goal, lowest, highest", [
    ("=A1*A1", 1, 2, 1.4142, 1.4143),  # secant from the start: √2
    ("=A1^3-2*A1-5", 0, 0, 2.0945, 2.0946),  # the classic secant example, from a flat start
    ("=1/A1", 0, 4, 0.2499, 0.2501),  # #DIV/0! at the start: searched outward, then along the edge
    ("=IF(A1<0,NA(),SQRT(A1))", -50, 3, 8.999, 9.001),  # errors on one side of the start
    ("=IF(A1>10,1,0)", 0, 1, 10, math.inf),  # a step: any value past 10
    ("=ROUND(A1,0)*2", 0.2, 8, 3.5, 4.5),  # flat pieces: the secant stalls, the bracket does not
    ("=ROI(180000,60000+A1)", 5000, 10, -43636.37, -43636.36),  # close to a zero investment (#DIV/0!, then #NUM!)
], ids=["square root", "cubic", "error at the start", "errors on one side", "a step", "flat pieces",
        "near a zero investment"])
def test_goal_seek_on_models(tmp_path, formula, start, goal, lowest, highest):
    book = xlroi.open(_model(tmp_path, formula, start))
    result = book.goal_seek("B1", goal, by_changing="A1")
    assert abs(book["B1"] - goal) <= 0.001 and result.target_value == book["B1"]
    assert lowest <= result.value <= highest and book["A1"] == result.value


@pytest.mark.parametrize("formula, goal, message", [
    ("=A1*A1", -1, "no value of A1 brings B1 to -1"),
    ("=7", 3, "B1 does not change when A1 changes"),
    ('=IF(A1>0,NA(),"x")', 3, "every one of"),
], ids=["never negative", "constant", "never a number"])
def test_goal_seek_says_clearly_when_no_value_reaches_the_target(tmp_path, formula, goal, message):
    book = xlroi.open(_model(tmp_path, formula, 1))
    with pytest.raises(GoalNotReached, match=message):
        book.goal_seek("B1", goal, by_changing="A1")
    assert book["A1"] == 1  # its old value back


# -- --vary ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, ref, values", [
    ("A1=0:10:5", "A1", [0, 5, 10]),
    ("'Step 2 Costs'!D17=0:20,000:10,000", AD_SPEND, [0, 10000, 20000]),
    ("A1=0:1:0.1", "A1", [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]),
    ("A1=10%:30%:10%", "A1", [0.1, 0.2, 0.3]),
    ("A1=10:0:-5", "A1", [10, 5, 0]),
    ("A1=0:10:4", "A1", [0, 4, 8]),
    ("A1=3:3:1", "A1", [3]),
    ("'a=b'!A1=1:2:1", "'a=b'!A1", [1, 2]),
], ids=["integers", "thousands separators", "tenths without drift", "percentages", "downwards",
        "stop not on a step", "one value", "a sheet name with ="])
def test_vary_parses(text, ref, values):
    assert parse_vary(text) == (ref, values)


@pytest.mark.parametrize("text, message", [
    ("A1", "write REF=START:STOP:STEP"),
    ("A1=0:10", "is not START:STOP:STEP"),
    ("A1=0:ten:1", "is not START:STOP:STEP"),
    ("A1=0:10:0", "STEP cannot be 0"),
    ("A1=0:10:-1", "never goes from 0 to 10"),
    ("A1=0:1e9:1", "more than 1,000,000"),
], ids=["no values", "two numbers", "not a number", "zero step", "wrong direction", "too many"])
def test_vary_that_does_not_parse(text, message):
    with pytest.raises(BadValue, match=message):
        parse_vary(text)


def test_steps_include_stop_within_rounding():
    assert steps(0, 0.3, 0.1) == [0, 0.1, 0.2, 0.3]


# -- output formats ------------------------------------------------------------------------------

def test_sweep_table_and_csv():
    table = run("sweep", TEMPLATE, "--vary", f"{AD_SPEND}=0:20000:10000", "--watch", "OverallROI")
    assert table.exit_code == 0, table.output
    assert table.stdout.splitlines()[0] == f"{AD_SPEND}  {'OverallROI':>18}"  # right-aligned columns
    assert [line.split() for line in table.stdout.splitlines()[1:]] == [["0", "2"], ["10000", "1.5714285714285714"],
                                                                        ["20000", "1.25"]]
    as_csv = run("sweep", TEMPLATE, "--vary", f"{AD_SPEND}=0:20000:10000", "--watch", "OverallROI", "TotalReturn", "--csv")
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows == [[AD_SPEND, "OverallROI", "TotalReturn"], ["0", "2", "180000"],
                    ["10000", "1.5714285714285714", "180000"], ["20000", "1.25", "180000"]]


def test_goal_seek_text_and_output_file(tmp_path):
    before = sha256(TEMPLATE)
    out = tmp_path / "goal.xlsx"
    result = run("goal-seek", TEMPLATE, "--target", "OverallROI=1.5", "--by-changing", AD_SPEND, "-o", out)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{AD_SPEND}\t12000\n"
    assert "OverallROI = 1.5 (goal 1.5, within 0.001" in result.stderr
    assert xlroi.open(out)[AD_SPEND] == 12000 and xlroi.open(out).check().ok
    assert sha256(TEMPLATE) == before


# -- bad input: one clear line each ------------------------------------------------------------------

@pytest.mark.parametrize("args, code, message", [
    (["sweep", "{t}", "--vary", "D17=0-100", "--watch", "OverallROI"], 7, "--vary 'D17=0-100': '0-100' is not START:STOP:STEP"),
    (["sweep", "{t}", "--vary", "'Step 5 ROI'!B12=0:10:5", "--watch", "OverallROI"], 6, "'Step 5 ROI'!B12 holds a formula; vary input cells only"),
    (["sweep", "{t}", "--vary", "{ad}=0:10:5", "--watch", "NoSuchName"], 6, "'NoSuchName' is neither a cell"),
    (["sweep", "{t}", "--vary", "{ad}=0:10:5"], 7, "say what to read in each scenario"),
    (["sweep", "{t}", "--vary", "{ad}=0:10:5", "--watch", "OverallROI", "--csv", "--json"], 7, "give --csv or --json"),
    (["goal-seek", "{t}", "--target", "OverallROI=-200%", "--by-changing", "{ad}"], 41, "no value of 'Step 2 Costs'!D17 brings OverallROI to -2"),
    (["goal-seek", "{t}", "--target", "OverallROI=150%", "--by-changing", "TotalInvestment"], 6, "holds a formula"),
    (["goal-seek", "{t}", "--target", "OverallROI=lots", "--by-changing", "{ad}"], 7, "is not a number"),
    (["goal-seek", "{t}", "--target", "OverallROI", "--by-changing", "{ad}"], 7, "write REF=VALUE"),
    (["goal-seek", "{t}", "--target", "'Step 5 ROI'!B5:E8=1", "--by-changing", "{ad}"], 6, "give one cell, not a range"),
    (["goal-seek", "{t}", "--target", "OverallROI=1", "--by-changing", "{ad}", "--tolerance", "0"], 7, "--tolerance 0.0: give a positive number"),
    (["sweep", "{missing}", "--vary", "A1=0:1:1", "--watch", "A1"], 3, "no such file"),
], ids=["vary does not parse", "vary a formula cell", "watch an unknown name", "nothing watched", "two formats",
        "no value reaches the target", "change a formula cell", "target not a number", "target without a value",
        "target a range", "zero tolerance", "missing workbook"])
def test_bad_scenario_input_gets_one_line(tmp_path, args, code, message):
    fill = {"t": TEMPLATE, "ad": AD_SPEND, "missing": tmp_path / "missing.xlsx"}
    result = run(*[a.format(**fill) for a in args])
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], lines
    assert "Traceback" not in result.output


def test_api_errors_are_xlroi_errors():
    book = xlroi.open(TEMPLATE)
    with pytest.raises(BadReference, match="holds a formula"):
        book.sweep({"OverallROI": [1, 2]}, watch=["TotalReturn"])
    with pytest.raises(BadValue, match="nothing to watch"):
        book.sweep({AD_SPEND: [1, 2]}, watch=[])
