"""The command line, end to end: exit codes, output, one clear line for bad input."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from xlroi.cli import main

from conftest import sha256, stale_copy


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


def test_recalc_writes_output_and_leaves_input(run, workbook_with_formulas, tmp_path):
    before = sha256(workbook_with_formulas)
    out = tmp_path / "out.xlsx"
    result = run("recalc", workbook_with_formulas, "-o", out, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["formula_cells"] == 6 and report["not_evaluated"] == []
    assert sha256(workbook_with_formulas) == before
    assert run("check", out).exit_code == 0


def test_recalc_with_set_and_in_place(run, workbook_with_formulas):
    result = run("recalc", workbook_with_formulas, "--in-place", "--set", "'Step 5 ROI'!B2=100000")
    assert result.exit_code == 0, result.output
    assert json.loads(run("eval", workbook_with_formulas, "OverallROI", "--json").stdout) == {"OverallROI": 0.8}


def test_recalc_needs_exactly_one_destination(run, workbook_with_formulas):
    result = run("recalc", workbook_with_formulas)
    assert result.exit_code == 7 and "give either -o OUTPUT or --in-place" in result.stderr


def test_eval_prints_values_and_what_if(run, workbook_with_formulas):
    result = run("eval", workbook_with_formulas, "OverallROI", "'Step 5 ROI'!B4", "B8", "--set", "B1=1,200,000")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"OverallROI\t{(1200000 - 65000) / 65000!r}"
    assert lines[1:] == ["'Step 5 ROI'!B4\t1300", "B8\t#DIV/0!"]


def test_eval_json_range_and_errors(run, workbook_with_formulas):
    result = run("eval", workbook_with_formulas, "B3:B8", "--json")
    values = json.loads(result.stdout)["B3:B8"]
    sum_of_c1_d2 = 50 + 40 + 10 + 20
    assert values == [[115000 / 65000], [1300.0], [180000.0], [15000.0], [sum_of_c1_d2], [{"error": "#DIV/0!"}]]


def test_check_fails_with_a_table_when_a_cached_value_is_stale(run, workbook_with_formulas, tmp_path):
    out = tmp_path / "out.xlsx"
    run("recalc", workbook_with_formulas, "-o", out)
    stale = stale_copy(out, tmp_path / "stale.xlsx")
    result = run("check", out, stale)
    assert result.exit_code == 1
    assert "OK  " in result.stdout and "DIFFERS  " in result.stdout
    assert "'Step 5 ROI'!B4\tdiffers\tcached=1200\tcomputed=1300" in result.stdout


def test_functions_lists_the_registry(run):
    result = run("functions")
    for signature in ("ROI(return, investment)", "HR_COST(hourly_rates, hours)",
                      "GOAL_VALUE(actions, conversion_rate, value_per_conversion)", "PRORATE(amount, used, total)"):
        assert signature in result.stdout
    as_json = json.loads(run("functions", "--json").stdout)
    assert [f["name"] for f in as_json] == ["ROI", "HR_COST", "GOAL_VALUE", "PRORATE"]


def _not_a_workbook(tmp_path: Path) -> Path:
    path = tmp_path / "notes.xlsx"
    path.write_text("channel,spend\nLinkedIn,1200\n")
    return path


@pytest.mark.parametrize("args, code, message", [
    (["eval", "{missing}", "A1"], 3, "no such file"),
    (["eval", "{csv}", "A1"], 4, "is not an .xlsx/.xlsm workbook (it looks like text, e.g. a CSV)"),
    (["eval", "{book}", "Nope!A1"], 6, "no sheet named 'Nope'"),
    (["eval", "{book}", "NoSuchName"], 6, "neither a cell, a range nor a defined name"),
    (["eval", "{book}", "A0"], 6, "outside Excel's grid"),
    (["eval", "{book}", "B1", "--set", "B1=lots"], 7, "is not a number"),
    (["eval", "{book}", "B1", "--set", "B1"], 7, "write REF=VALUE"),
    (["eval", "{book}", "B1", "--set", "B3=5"], 6, "holds a formula"),
    (["recalc", "{book}", "-o", "{tmp}/no/such/folder/out.xlsx"], 8, "does not exist"),
    (["recalc", "{book}", "-o", "{book}"], 8, "is the input workbook"),
    (["check", "{book}", "--engine", "turbo"], 2, "Invalid value for '--engine'"),
], ids=["missing file", "csv renamed", "unknown sheet", "unknown name", "bad cell", "set not a number",
        "set without value", "set a formula cell", "output folder missing", "output is input", "unknown engine"])
def test_bad_input_gets_one_line_and_an_exit_code(run, workbook_with_formulas, tmp_path, args, code, message):
    fill = {"missing": tmp_path / "missing.xlsx", "csv": _not_a_workbook(tmp_path), "book": workbook_with_formulas, "tmp": tmp_path}
    before = sha256(workbook_with_formulas)
    result = run(*[a.format(**fill) for a in args])
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    if code != 2:
        assert len(result.stderr.strip().splitlines()) == 1
    assert sha256(workbook_with_formulas) == before


@pytest.mark.parametrize("command", ["recalc", "eval", "check", "compare", "functions", "template", "portable", "addin"])
def test_every_command_has_help_with_an_example(run, command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert len(result.stdout) > 200
    if command != "addin":
        assert "Example:" in result.stdout


@pytest.mark.parametrize("engine", ["fast", "formulas"])
@pytest.mark.parametrize("sets, only_values", [
    ([], True),
    (["'Step 5 ROI'!B1=200000", "C2=45"], True),                      # existing cells: only values change
    (['E9="a\rb\x07 _x0041_ \U0001F600"', "F30=12.5"], False),        # cells added: the sheet is re-serialised
], ids=["plain", "set existing cells", "set new cells"])
def test_recalc_outputs_pass_the_oracle(run, workbook_with_formulas, tmp_path, engine, sets, only_values):
    from xlroi.testing import assert_valid_output

    out = tmp_path / "out.xlsx"
    result = run("recalc", workbook_with_formulas, "-o", out, "--engine", engine, *[a for s in sets for a in ("--set", s)])
    assert result.exit_code == 0, result.output
    inputs = [s.partition("=")[0] for s in sets]
    assert_valid_output(workbook_with_formulas, out, engine=engine, only_values=only_values, inputs=inputs)


def test_recalc_in_place_output_passes_the_oracle(run, workbook_with_formulas, tmp_path):
    from xlroi.testing import assert_valid_output

    original = tmp_path / "original.xlsx"
    original.write_bytes(workbook_with_formulas.read_bytes())
    result = run("recalc", workbook_with_formulas, "--in-place", "--set", "B2=100000")
    assert result.exit_code == 0, result.output
    assert_valid_output(original, workbook_with_formulas, inputs=["B2"])
