"""`recalc` summarises the cells it could not evaluate: one line per reason, not one per cell."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from xlroi.cli import main

UNKNOWN = 12  # cells calling a function no engine knows


@pytest.fixture
def unknown_functions(tmp_path: Path) -> Path:
    import openpyxl

    from test_timeout import with_cached_zeros

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in range(1, UNKNOWN + 1):
        ws[f"A{row}"] = f"=NOSUCHFUNCTION({row})"
    ws["B1"] = "=1+1"
    wb.save(tmp_path / "plain.xlsx")
    return with_cached_zeros(tmp_path / "plain.xlsx", tmp_path / "unknown.xlsx")


def test_summary_is_one_line_per_reason_with_a_count_and_the_first_cells(unknown_functions: Path, tmp_path: Path):
    result = CliRunner().invoke(main, ["recalc", str(unknown_functions), "-o", str(tmp_path / "out.xlsx"), "--no-fallback"])
    assert result.exit_code == 0, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3, lines  # the result line, the header, one reason
    assert f"{UNKNOWN} cells not evaluated" in lines[1]
    assert "unknown function or name" in lines[2] and "Sheet!A1, Sheet!A2, Sheet!A3" in lines[2]
    assert f"({UNKNOWN - 3} more)" in lines[2]


def test_verbose_lists_every_cell(unknown_functions: Path, tmp_path: Path):
    result = CliRunner().invoke(main, ["recalc", str(unknown_functions), "-o", str(tmp_path / "out.xlsx"), "--verbose"])
    listed = [line for line in result.stderr.splitlines() if "not evaluated (cached value kept)" in line]
    assert len(listed) == UNKNOWN


def test_json_keeps_the_full_list(unknown_functions: Path, tmp_path: Path):
    result = CliRunner().invoke(main, ["recalc", str(unknown_functions), "-o", str(tmp_path / "out.xlsx"), "--json"])
    report = json.loads(result.stdout)
    assert [c["ref"] for c in report["not_evaluated"]] == [f"Sheet!A{row}" for row in range(1, UNKNOWN + 1)]


def test_strict_fails_when_a_cell_was_not_evaluated(unknown_functions: Path, tmp_path: Path):
    result = CliRunner().invoke(main, ["recalc", str(unknown_functions), "-o", str(tmp_path / "out.xlsx"), "--strict"])
    assert result.exit_code == 1
