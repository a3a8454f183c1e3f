"""The time limit: a runaway evaluation is stopped, says so in one line, and writes nothing."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from xlroi.cli import main
from xlroi.errors import BadReference, EngineUnavailable, EvaluationTimeout, XlroiError
from xlroi.isolation import default_timeout, parse_timeout, run_isolated

from conftest import sha256


@pytest.fixture(scope="module")
def runaway(tmp_path_factory) -> Path:
    """Four =COUNT over 16,384 columns × 5,000 rows: IronCalc needs minutes (measured > 2 min)."""
    import openpyxl

    wb = openpyxl.Workbook()
    for row in range(1, 5):
        wb.active[f"A{row}"] = "=COUNT(B1:XFD5000)"
    folder = tmp_path_factory.mktemp("runaway")
    wb.save(folder / "no-cache.xlsx")
    return with_cached_zeros(folder / "no-cache.xlsx", folder / "runaway.xlsx")


def with_cached_zeros(src: Path, dest: Path) -> Path:
    """``src`` with a cached 0 in every formula cell (so `check` has values to compare)."""
    from xlroi.xlsx.cells import scan_sheet, write_cached_values
    from xlroi.xlsx.package import read_package, write_atomically

    package = read_package(src)
    sheet = package.sheets[0]
    xml = package.parts[sheet.part]
    new, _ = write_cached_values(xml, scan_sheet(xml), lambda row, col: 0)
    write_atomically(dest, package.to_bytes({sheet.part: new}))
    return dest


@pytest.mark.parametrize("command", [
    pytest.param(["recalc", "{book}", "-o", "{out}"], id="recalc -o"),
    pytest.param(["recalc", "{book}", "--in-place"], id="recalc --in-place", marks=pytest.mark.slow),
    pytest.param(["eval", "{book}", "A1"], id="eval", marks=pytest.mark.slow),
    pytest.param(["check", "{book}"], id="check", marks=pytest.mark.slow),
])
def test_a_runaway_workbook_is_stopped_near_the_limit(runaway: Path, tmp_path: Path, command: list[str]):
    out = tmp_path / "out.xlsx"
    before = sha256(runaway)
    args = [a.format(book=runaway, out=out) for a in command] + ["--timeout", "2"]
    start = time.monotonic()
    result = CliRunner().invoke(main, args)
    elapsed = time.monotonic() - start
    assert result.exit_code == 10, result.output
    assert elapsed < 2 + 2.5, f"stopped after {elapsed:.1f} s"
    assert "time limit of 2 s" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists() and sha256(runaway) == before
    assert not list(runaway.parent.glob(".*.tmp")) and not list(tmp_path.glob(".*.tmp"))


def test_the_python_api_has_the_same_limit(runaway: Path, tmp_path: Path):
    from xlroi.jobs import check_file, recalc_file

    with pytest.raises(EvaluationTimeout):
        recalc_file(runaway, tmp_path / "out.xlsx", timeout=1)
    with pytest.raises(EvaluationTimeout):
        check_file(runaway, timeout=1)
    assert not (tmp_path / "out.xlsx").exists()


def test_work_within_the_limit_is_unchanged(workbook_with_formulas: Path, tmp_path: Path):
    from xlroi.jobs import evaluate_refs, recalc_file

    report = recalc_file(workbook_with_formulas, tmp_path / "out.xlsx", timeout=60)
    assert report.formula_cells == 6 and (tmp_path / "out.xlsx").exists()
    assert evaluate_refs(workbook_with_formulas, ["OverallROI"], timeout=60) == \
        evaluate_refs(workbook_with_formulas, ["OverallROI"], timeout=None)


def _raise_bad_reference() -> None:
    raise BadReference("no sheet named 'Nope'")


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)  # what a crash inside the engine looks like from outside


def test_errors_in_the_child_keep_their_class_and_message():
    with pytest.raises(BadReference, match="no sheet named 'Nope'"):
        run_isolated(_raise_bad_reference, timeout=30)


def test_a_crashing_engine_is_an_engine_error_not_a_hang():
    with pytest.raises(EngineUnavailable, match="died"):
        run_isolated(_die, timeout=30, what="the test")


@pytest.mark.parametrize("text, seconds", [("30", 30.0), ("2.5", 2.5), ("10s", 10.0), ("0", None)])
def test_timeouts_parse(text: str, seconds: float | None):
    assert parse_timeout(text) == seconds


@pytest.mark.parametrize("text", ["-1", "soon", "nan", "inf", ""])
def test_bad_timeouts_are_one_clear_line(text: str, workbook_with_formulas: Path):
    with pytest.raises(XlroiError, match="number of seconds"):
        parse_timeout(text)
    result = CliRunner().invoke(main, ["eval", str(workbook_with_formulas), "B3", "--timeout", text])
    assert result.exit_code == 2 and "number of seconds" in result.stderr


def test_the_default_is_documented_and_set_by_the_environment():
    assert default_timeout({}) == 300.0
    assert default_timeout({"XLROI_TIMEOUT": "45"}) == 45.0
    assert default_timeout({"XLROI_TIMEOUT": "0"}) is None
