"""Golden workbooks saved by Microsoft Excel (tests/golden/, with their provenance and licences): recalculate, compare with
Excel's own cached values.

Every formula cell must match Excel except the cells listed in tests/corpus_baseline.json: the
known gaps of each engine (functions IronCalc or formulas get wrong or do not implement), each
with its status ("differs" or "not evaluated"). A new mismatch fails, and so does a gap that is
now fixed (update the baseline with ``python benchmarks/corpus_report.py --write-baseline``,
which also prints the README's fidelity table).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import xlroi
from xlroi.differential import check_with_time_limit, disagreements_from_checks

from conftest import corpus_files, sha256

BASELINE = json.loads((Path(__file__).parent / "corpus_baseline.json").read_text(encoding="utf-8"))
FILES = corpus_files()
IDS = [p.name.removesuffix(".xlsx") for p in FILES]


def test_the_corpus_and_the_baseline_name_the_same_workbooks():
    assert sorted(p.name for p in FILES) == sorted(BASELINE)
    assert len(FILES) >= 20


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_fast_engine_matches_excel_but_for_known_gaps(path: Path):
    before = sha256(path)
    report = xlroi.open(path, fallback=False).check()
    assert report.compared > 0
    found = {d.ref: d.status for d in report.differences}
    assert found == BASELINE[path.name]["fast"]["cells"]
    assert sha256(path) == before


WITH_FALLBACK = [p for p in FILES if "not evaluated" in BASELINE[p.name]["fast"]["cells"].values()]


@pytest.mark.parametrize("path", [pytest.param(p, marks=pytest.mark.slow) if p.name == "formulas__test.xlsx" else p
                                  for p in WITH_FALLBACK], ids=[p.name.removesuffix(".xlsx") for p in WITH_FALLBACK])
def test_fast_engine_with_the_fallback_matches_excel_but_for_known_gaps(path: Path):
    """The reference engine computes what the fast engine could not (``xlroi check``'s default)."""
    report = xlroi.open(path).check()
    found = {d.ref: d.status for d in report.differences}
    assert found == BASELINE[path.name]["fast+fallback"]["cells"]
    assert report.fallback is None or report.fallback["status"] == "done"  # (None: nothing it could do)


FINISHED_BY_FORMULAS = [p for p in FILES if "cells" in BASELINE[p.name]["formulas"]]


@pytest.mark.slow
@pytest.mark.parametrize("path", FINISHED_BY_FORMULAS, ids=[p.name.removesuffix(".xlsx") for p in FINISHED_BY_FORMULAS])
def test_reference_engine_matches_excel_but_for_known_gaps(path: Path):
    timed = check_with_time_limit(path, "formulas", timeout=600)
    assert not timed.timed_out and timed.report is not None, timed.error
    found = {d["ref"]: d["status"] for d in timed.report["differences"]}
    assert found == BASELINE[path.name]["formulas"]["cells"]


def test_disagreements_say_which_engine_matches_excel():
    fast = {"differences": [{"ref": "S!A1", "formula": "X()", "cached": 1.0, "computed": 2.0, "status": "differs"},
                            {"ref": "S!A3", "formula": "Z()", "cached": 5.0, "computed": 6.0, "status": "differs"}]}
    formulas = {"differences": [{"ref": "S!A2", "formula": "Y()", "cached": 3.0, "computed": 4.0, "status": "differs"},
                                {"ref": "S!A3", "formula": "Z()", "cached": 5.0, "computed": 7.0, "status": "differs"}]}
    assert [(d["ref"], d["fast"], d["formulas"], d["verdict"]) for d in disagreements_from_checks(fast, formulas)] == [
        ("S!A1", 2.0, 1.0, "formulas matches Excel"),
        ("S!A2", 3.0, 4.0, "fast matches Excel"),
        ("S!A3", 6.0, 7.0, "neither matches Excel"),
    ]


def test_compare_engines_on_a_workbook_of_ours(workbook_with_formulas):
    from xlroi.differential import compare_engines

    result = compare_engines(workbook_with_formulas)
    assert result.formula_cells == 6 and result.disagreements == []
