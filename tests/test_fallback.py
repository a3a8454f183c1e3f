"""Never a value known to be wrong: taint of what depends on a cell not evaluated, and the
reference engine's fallback for the cells the fast engine cannot evaluate.

The formulas and Excel's values come from tests/golden/formulas__test.xlsx (saved by Excel; see
tests/golden/SOURCES.md): TEXTAFTER with an array of delimiters, which IronCalc does not
implement, is ",6,7,8" there.
"""
from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import xlroi
import xlroi.jobs
from xlroi.cli import main
from xlroi.engines.base import NotEvaluated
from xlroi.errors import ExcelError
from xlroi.evaluation import fallback
from xlroi.evaluation.taint import FallbackRun
from xlroi.xlsx.cells import scan_sheet
from xlroi.xlsx.dependencies import Dependencies

from rawbook import write_book

TEXTAFTER = '_xlfn.TEXTAFTER("1,2,3,4,5,6,7,8",{"3","4","5"},-1)'  # Excel: ",6,7,8"
CACHED = 123  # what each dependent cached before: a stale value that must never pass as fresh


def _cached(value):
    return {"v": value}


def taint_book(tmp_path: Path) -> Path:
    """A1 fails in the fast engine; B1…B6 depend on it through the ways errors are swallowed."""
    def formula(text, v=CACHED):
        return {"f": text, "v": v}

    return write_book(tmp_path / "taint.xlsx", {"S": {
        "A1": formula(TEXTAFTER, ",6,7,8") | {"vt": "str"},
        "B1": formula("IFERROR(A1,0)", ",6,7,8") | {"vt": "str"},
        "B2": formula("ISERROR(A1)", 0) | {"vt": "b"},
        "B3": formula('IF(ISNA(A1),"none",LEN(A1))', 6),
        "B4": formula("ERROR.TYPE(A1)"),
        "B5": formula("COUNTA(A1:A3)", 1),
        "B6": formula("IFERROR(B1&\"!\",0)") | {"vt": "str"},  # depends through B1
        # FORECAST.ETS, which IronCalc does not implement, swallowed inside one formula
        "C1": formula('IFERROR(_xlfn.FORECAST.ETS(4,D1:D3,E1:E3),"caught")', 4) ,
        "D3": 7, "E1": 1, "E2": 2, "E3": 3,
        "D1": 5, "D2": formula("D1*2", 10),  # nothing to do with A1
    }})


DEPENDENTS = {  # cell → why it must not pass as fresh (the brief's silently wrong values)
    "B1": "IFERROR would give 0",
    "B2": "ISERROR would give TRUE",
    "B3": "IF(ISNA(…)) on an engine-only error",
    "B4": "ERROR.TYPE of an engine-only error",
    "B5": "COUNTA counts the engine's error as a value",
    "B6": "a dependent of a dependent",
}


@pytest.mark.parametrize("cell", list(DEPENDENTS), ids=list(DEPENDENTS.values()))
def test_a_cell_depending_on_one_not_evaluated_is_not_evaluated(tmp_path, cell):
    book = xlroi.open(taint_book(tmp_path), fallback=False)
    got = book[cell]
    assert isinstance(got, NotEvaluated), got
    # the engine's own report (its error reached the cell) or the dependency, named
    assert got.reason in ("function not implemented by the engine",
                          "depends on S!A1, not evaluated: function not implemented by the engine")


def test_a_function_the_engine_lacks_swallowed_in_the_same_formula_is_not_evaluated(tmp_path):
    book = xlroi.open(taint_book(tmp_path), fallback=False)
    got = book["C1"]
    assert isinstance(got, NotEvaluated) and got.reason == "calls FORECAST.ETS, which the fast engine does not implement"


def test_cells_that_depend_on_nothing_not_evaluated_keep_their_value(tmp_path):
    assert xlroi.open(taint_book(tmp_path), fallback=False)["D2"] == 10


def _cached_values(path: Path) -> dict[str, str | None]:
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    out = {}
    for cell in scan_sheet(xml).formula_cells:
        out[cell.name] = cell._v.decode() if cell._v is not None else None
    return out


def test_without_the_fallback_no_dependent_is_written_as_a_fresh_value(tmp_path):
    src = taint_book(tmp_path)
    out = tmp_path / "out.xlsx"
    report = xlroi.open(src, fallback=False).save(out)
    not_evaluated = {ref for ref, _ in report.not_evaluated}
    assert {f"S!{c}" for c in DEPENDENTS} | {"S!A1", "S!C1"} <= not_evaluated
    cached = _cached_values(out)
    assert cached["B1"] == ",6,7,8" and cached["B2"] == "0" and cached["B5"] == "1"  # as they were, not 0 / TRUE / 1
    assert cached["B4"] == str(CACHED)
    assert cached["D2"] == "10"
    assert report.computed_by == {"fast": 1} and report.fallback is None


def test_other_failures_taint_their_dependents_too(tmp_path):
    long = "+".join(["A1"] * 4200)  # 12,599 characters: over Excel's limit, refused per cell
    src = write_book(tmp_path / "other.xlsx", {"S": {
        "A1": 1, "A2": "=" + long, "A3": "=IFERROR(A2,0)",
        "B1": "=B2+1", "B2": "=B1+1", "B3": "=IFERROR(B1,4)",
        "C1": "=A1+*(", "C2": "=IFERROR(C1,0)",
    }})
    for engine in ("fast", "formulas"):
        book = xlroi.open(src, engine=engine, fallback=False)
        for cell, origin, why in (("A3", "A2", "over Excel's limit"), ("B3", "B1", "circular reference"),
                                  ("C2", "C1", "could not be parsed")):
            got = book[cell]
            assert isinstance(got, NotEvaluated) and got.reason.startswith(f"depends on S!{origin}") and why in got.reason, (engine, cell, got)


def test_a_function_neither_excel_nor_the_engine_knows_is_name_in_both(tmp_path):
    cells = {"A1": '=IFERROR(NOSUCHFUNCTION(1),"caught")', "A2": "=NOSUCHFUNCTION(1)"}
    book = xlroi.open(write_book(tmp_path / "plain.xlsx", {"S": cells}), fallback=False)
    assert book["A1"] == "caught" and str(book["A2"]) == "#NAME?"


def test_with_macros_an_unknown_function_may_be_a_user_defined_one(tmp_path):
    src = write_book(tmp_path / "macros.xlsm", {"S": {"A1": '=IFERROR(MYUDF(1),"caught")'}})
    with zipfile.ZipFile(src, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not a real project")
    got = xlroi.open(src, fallback=False)["A1"]
    assert isinstance(got, NotEvaluated) and "MYUDF" in got.reason


# -- the fallback -------------------------------------------------------------------------------------

def test_the_reference_engine_computes_what_the_fast_engine_cannot(tmp_path):
    book = xlroi.open(taint_book(tmp_path))
    assert book["A1"] == ",6,7,8"  # Excel's value
    assert book["B1"] == ",6,7,8" and book["B2"] is False and book["B3"] == 6 and book["B6"] == ",6,7,8!"
    assert book["D2"] == 10
    assert isinstance(book["C1"], (float, ExcelError))  # FORECAST.ETS, by statsmodels (the 'reference' extra)
    out = tmp_path / "out.xlsx"
    report = book.save(out)
    assert report.not_evaluated == []
    assert report.computed_by == {"fast": 1, "formulas": 8}
    assert report.fallback["status"] == "done" and report.fallback["cells"] == 8 == report.fallback["recovered"]
    assert set(report.fallback["refs"]) == {"S!A1", "S!C1"} | {f"S!{c}" for c in DEPENDENTS}
    assert _cached_values(out)["B1"] == ",6,7,8" and _cached_values(out)["B3"] == "6"


def test_without_its_optional_package_a_reference_engine_function_counts_as_lacking(tmp_path, monkeypatch):
    from xlroi.engines import capabilities

    monkeypatch.setattr(capabilities, "_importable", lambda module: module not in ("statsmodels", "pandas"))
    book = xlroi.open(taint_book(tmp_path))
    # formulas' FORECAST.ETS would answer #VALUE! without statsmodels: not asked, both reasons given
    assert book["C1"] == NotEvaluated("calls FORECAST.ETS, which the fast engine does not implement; "
                                      "the reference engine lacks FORECAST.ETS too")
    assert book["B1"] == ",6,7,8"


def test_the_reduced_workbook_holds_only_what_the_cells_read(tmp_path):
    cells = {f"A{r}": r for r in range(1, 201)} | {f"B{r}": f"=A{r}*2" for r in range(1, 201)}
    cells |= {"C1": "=" + TEXTAFTER, "C2": "=C1&B7", "C3": "=SUM(B1:B3)"}
    book = xlroi.open(write_book(tmp_path / "big.xlsx", {"S": cells})).recalc()
    deps = Dependencies(book.package, book.formula_cells())
    targets, skipped = fallback.cells_to_recompute(deps, {("S", 1, 3): NotEvaluated("function not implemented by the engine")})
    assert targets == {("S", 1, 3), ("S", 2, 3)} and not skipped
    with zipfile.ZipFile(__import__("io").BytesIO(fallback.reduced_package(book, deps, targets))) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    refs = {cell.name for cell in scan_sheet(xml).formula_cells}
    assert refs == {"C1", "C2"}  # B7, which C2 reads, comes as its value
    assert b'r="B7"' in xml and b'r="B8"' not in xml and b'r="A7"' not in xml
    assert book["C2"] == ",6,7,814"


def test_a_shared_formula_is_written_out_in_full_in_the_reduced_workbook(tmp_path):
    src = write_book(tmp_path / "shared.xlsx", {"S": {
        "A1": "=" + TEXTAFTER, "A2": "x", "A3": "y",
        "B1": {"f": 'A1&"."', "t": "shared", "fref": "B1:B3", "si": "0"},
        "B2": {"t": "shared", "si": "0"}, "B3": {"t": "shared", "si": "0"},
        "C3": "=B3&B1",
    }})
    book = xlroi.open(src)
    assert book["B1"] == ",6,7,8." and book["B3"] == "y." and book["C3"] == "y.,6,7,8."
    deps = Dependencies(book.package, book.formula_cells())
    data = fallback.reduced_package(book, deps, {("S", 1, 1), ("S", 1, 2), ("S", 3, 3)})
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    assert b"<f>A1&amp;&quot;.&quot;</f>" in xml or b"<f>A1&amp;\".\"</f>" in xml


def test_an_array_formula_reading_a_failed_cell_is_recomputed_whole(tmp_path):
    src = write_book(tmp_path / "array.xlsx", {"S": {
        "A1": "=" + TEXTAFTER, "A2": "a", "A3": "b",
        "B1": {"f": 'A1:A3&"!"', "t": "array", "fref": "B1:B3", "v": 0},
        "B2": {"v": 0}, "B3": {"v": 0},
    }})
    book = xlroi.open(src)
    assert [book[f"B{r}"] for r in (1, 2, 3)] == [",6,7,8!", "a!", "b!"]
    assert set(book.settlement().engines) == {("S", r, c) for r, c in ((1, 1), (1, 2), (2, 2), (3, 2))}


def test_what_the_reference_engine_cannot_do_either_stays_not_evaluated(tmp_path):
    book = xlroi.open(write_book(tmp_path / "neither.xlsx", {"S": {"A1": 1, "A2": "=A1+*(", "A3": "=IFERROR(A2,0)"}}))
    got = book["A3"]
    assert isinstance(got, NotEvaluated) and "the reference engine could not either" in got.reason
    assert book.settlement().fallback.recovered == 0


def test_with_too_little_time_left_the_reference_engine_is_not_started(tmp_path):
    book = xlroi.open(taint_book(tmp_path))
    book.deadline = time.monotonic() + 0.5
    got = book["B1"]
    assert isinstance(got, NotEvaluated) and got.reason.endswith("reference engine: time limit")
    assert book.settlement().fallback.status == "time limit"


def test_a_reduced_workbook_too_big_for_the_reference_engine_is_not_built(tmp_path, monkeypatch):
    monkeypatch.setattr(fallback, "MAX_REDUCED_CELLS", 5)
    cells = {"A1": "=" + TEXTAFTER} | {f"B{r}": r for r in range(1, 20)} | {"C1": "=SUM(B:B)&A1"}
    book = xlroi.open(write_book(tmp_path / "wide.xlsx", {"S": cells}))
    got = book["C1"]
    assert isinstance(got, NotEvaluated) and got.reason.endswith("it would have to load more than 5 cells")
    assert book.settlement().fallback.status == "too big"


def _slow(path, keys):
    time.sleep(60)


def test_a_reference_engine_past_the_time_left_is_stopped(tmp_path, monkeypatch):
    monkeypatch.setattr(fallback, "evaluate_reduced", _slow)
    monkeypatch.setattr(fallback, "MIN_SECONDS", 0.1)
    book = xlroi.open(taint_book(tmp_path))
    book.deadline = time.monotonic() + 3
    started = time.monotonic()
    got = book["A1"]
    assert time.monotonic() - started < 10
    assert isinstance(got, NotEvaluated) and got.reason == "function not implemented by the engine; reference engine: time limit"
    run: FallbackRun = book.settlement().fallback
    assert run.status == "time limit" and run.recovered == 0


def test_the_api_the_jobs_and_the_command_take_the_same_path(tmp_path):
    src = taint_book(tmp_path)
    direct = xlroi.open(src).save(tmp_path / "direct.xlsx")
    isolated = xlroi.jobs.recalc_file(src, tmp_path / "job.xlsx", timeout=120)
    result = CliRunner().invoke(main, ["recalc", str(src), "-o", str(tmp_path / "cli.xlsx"), "--json"], catch_exceptions=False)
    from_cli = json.loads(result.stdout)
    assert direct.computed_by == isolated.computed_by == from_cli["computed_by"] == {"fast": 1, "formulas": 8}
    assert (tmp_path / "direct.xlsx").read_bytes() == (tmp_path / "job.xlsx").read_bytes() == (tmp_path / "cli.xlsx").read_bytes()
    off = CliRunner().invoke(main, ["recalc", str(src), "-o", str(tmp_path / "off.xlsx"), "--no-fallback", "--json"])
    assert json.loads(off.stdout)["fallback"] is None and len(json.loads(off.stdout)["not_evaluated"]) == 8
    checked = CliRunner().invoke(main, ["check", str(src), "--json"])
    assert json.loads(checked.stdout)[0]["computed_by"]["formulas"] >= 1
    evaluated = CliRunner().invoke(main, ["eval", str(src), "B3", "--no-fallback"])
    assert "not evaluated" in evaluated.stdout
