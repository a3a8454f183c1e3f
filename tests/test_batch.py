"""Many workbooks (issue 12): files, folders and globs checked or recalculated in this process,
on a process pool and on a Dask cluster, with the same records from each; one bad workbook
never stops the others; exit status, JSON, JUnit XML, the pre-commit hook."""
from __future__ import annotations

import json
import re
import shlex
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

import xlroi
from xlroi.batch import CheckRecord, check_bytes, check_many, expand, recalc_bytes, recalc_many
from xlroi.batch.inputs import Input
from xlroi.cli import main

from conftest import ROOT, sha256

TEMPLATE = ROOT / "workbook_templates" / "xlroi-template.xlsx"
AD_SPEND = "'Step 2 Costs'!D17"  # LinkedIn ad spend, an input cell of the template
COSTS_PART = "xl/worksheets/sheet3.xml"  # the sheet 'Step 2 Costs'


# -- workbooks the tests build ------------------------------------------------------------------

def fresh_books(folder: Path, count: int, clients: int = 4) -> list[Path]:
    """``count`` copies of the template with different ad spends, recalculated (so fresh),
    spread over ``clients`` sub-folders as an agency keeps them: client-b/2026-03.xlsx."""
    book = xlroi.open(TEMPLATE)
    paths = []
    for i in range(count):
        book.set(AD_SPEND, 1000 + 250 * i)
        path = folder / f"client-{'abcdefgh'[i % clients]}" / f"2026-{i // clients + 1:02d}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        book.save(path)
        paths.append(path)
    return paths


def stale_copy(src: Path, dest: Path, ad_spend: int = 99999) -> Path:
    """A copy of ``src`` whose ad spend was typed over without recalculating (Excel with
    calculation set to manual): every formula that depends on it caches an old value."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == COSTS_PART:
                data, count = re.subn(rb'(<c r="D17"[^>]*><v>)[^<]*(</v>)', rb"\g<1>%d\g<2>" % ad_spend, data)
                assert count == 1
            zout.writestr(info, data)
    return dest


def slow_book(path: Path) -> Path:
    """A workbook whose four whole-grid COUNTs keep IronCalc busy for minutes."""
    from test_hostile import package_parts, zip_bytes

    cells = "".join(f'<c r="{c}1"><f>COUNT(A2:XFD5000)</f><v>0</v></c>' for c in "ABCD")
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns='
             '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
             f"{cells}</row></sheetData></worksheet>").encode()
    path.write_bytes(zip_bytes(package_parts(xl__worksheets__sheet1_xml=sheet)))
    return path


@pytest.fixture(scope="module")
def agency(tmp_path_factory) -> Path:
    """40 fresh workbooks in four client folders, plus one stale copy: the issue's folder."""
    folder = tmp_path_factory.mktemp("agency")
    books = fresh_books(folder, 40)
    stale_copy(books[7], folder / "client-d" / "2026-02-stale.xlsx")
    return folder


STALE_NAME = "client-d/2026-02-stale.xlsx"


@pytest.fixture
def mixed(tmp_path) -> list[Path]:
    """Fresh, stale and broken workbooks side by side, in a known order."""
    fresh = fresh_books(tmp_path / "fresh", 3, clients=1)
    stale = stale_copy(fresh[0], tmp_path / "stale.xlsx")
    csv = tmp_path / "notes.xlsx"
    csv.write_text("channel,spend\nLinkedIn,1200\n")
    return [*fresh, stale, csv, tmp_path / "missing.xlsx"]


def run(*args, env: dict | None = None):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, env=env)


def comparable(record) -> dict:
    """A record without its timing, which is the one field allowed to differ between runs."""
    data = record.as_dict()
    data.pop("seconds")
    return data


# -- which files -----------------------------------------------------------------------------

def test_folders_are_searched_recursively_skipping_owner_files_and_hidden_folders(tmp_path):
    for name in ("b.xlsx", "sub/a.xlsm", "sub/deeper/c.XLSX", "~$b.xlsx", ".git/d.xlsx", "notes.txt", "old.xls"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    found = expand([str(tmp_path)])
    assert [str(b.relative) for b in found] == ["b.xlsx", "sub/a.xlsm", "sub/deeper/c.XLSX"]
    assert [b.name for b in found] == [str(tmp_path / r) for r in ("b.xlsx", "sub/a.xlsm", "sub/deeper/c.XLSX")]


@pytest.mark.parametrize("patterns, names, relatives", [
    (["{d}/*.xlsx"], ["top.xlsx"], ["top.xlsx"]),
    (["{d}/**/*.xlsx"], ["a/b/two.xlsx", "a/one.xlsx", "top.xlsx"], ["a/b/two.xlsx", "a/one.xlsx", "top.xlsx"]),
    (["{d}/a/**/*.xlsx"], ["a/b/two.xlsx", "a/one.xlsx"], ["b/two.xlsx", "one.xlsx"]),
    (["{d}/a/*/two.xlsx"], ["a/b/two.xlsx"], ["b/two.xlsx"]),
    (["{d}/top.xlsx", "{d}/*.xlsx", "{d}"], ["top.xlsx", "a/b/two.xlsx", "a/one.xlsx"],
     ["top.xlsx", "a/b/two.xlsx", "a/one.xlsx"]),
], ids=["star", "double-star from the top", "double-star below a fixed folder", "star in a folder name",
        "a file named three times is checked once"])
def test_globs_are_expanded_here_with_double_star(tmp_path, patterns, names, relatives):
    for name in ("top.xlsx", "a/one.xlsx", "a/b/two.xlsx"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    found = expand([p.format(d=tmp_path) for p in patterns])
    assert [Path(b.name).relative_to(tmp_path).as_posix() for b in found] == names
    assert [b.relative.as_posix() for b in found] == relatives


# -- the folder -----------------------------------------------------------------------

def test_check_folder_on_two_processes_names_exactly_the_stale_workbook(agency):
    result = run("check", agency, "-j", "2")
    assert result.exit_code == 1, result.output
    differs = [line for line in result.stdout.splitlines() if line.startswith("DIFFERS")]
    ok = [line for line in result.stdout.splitlines() if line.startswith("OK  ")]
    assert differs == [line for line in differs if STALE_NAME in line] and len(differs) == 1
    assert len(ok) == 40 and not any("stale" in line for line in ok)
    assert f"'Step 2 Costs'!D17" not in result.stdout  # the input itself is not a formula
    assert re.search(r"^\s+41\s+[\d,]+\s+\d+ \(1\)\s+0 \(0\)\s+0\s+[\d.]+ s with 2 worker processes$", result.stdout, re.M), result.stdout


@pytest.mark.slow
def test_check_on_a_dask_cluster_gives_the_same_answer(agency):
    import distributed  # the test extra installs dask[distributed]
    local = run("check", agency, "-j", "2", "--json")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        remote = run("check", agency, "--scheduler", cluster.scheduler_address, "--json")
    assert remote.exit_code == local.exit_code == 1, remote.output
    strip = lambda records: [{k: v for k, v in r.items() if k != "seconds"} for r in json.loads(records)]
    assert strip(remote.stdout) == strip(local.stdout)
    assert [r["path"] for r in json.loads(remote.stdout) if r["status"] != "ok"] == [str(agency / STALE_NAME)]


# -- one function, three executors, one answer ---------------------------------------------------

def _inputs(paths: list[Path]) -> list[Input]:
    return expand([str(p) for p in paths])


def test_records_are_identical_whichever_executor_ran_them(mixed):
    import distributed
    inputs = _inputs(mixed)
    serial = check_many(inputs, jobs=1, timeout=60)
    pool = check_many(inputs, jobs=2, timeout=60)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        dask = check_many(inputs, scheduler=cluster.scheduler_address, timeout=60)
    assert [r.status for r in serial] == ["ok", "ok", "ok", "differs", "failed", "failed"]
    assert [r.exit_code for r in serial[4:]] == [4, 3]
    assert [comparable(r) for r in pool] == [comparable(r) for r in serial]
    assert [comparable(r) for r in dask] == [comparable(r) for r in serial]


def test_recalculated_bytes_are_identical_whichever_executor_ran_them(mixed, tmp_path):
    import distributed
    inputs = _inputs(mixed[:5])
    outputs = {}
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        for how, options in {"serial": {"jobs": 1}, "pool": {"jobs": 2},
                             "dask": {"scheduler": cluster.scheduler_address}}.items():
            dest = [tmp_path / how / f"{i}.xlsx" for i in range(len(inputs))]
            (tmp_path / how).mkdir()
            records = recalc_many(inputs, dest, sets=[(AD_SPEND, 1234)], timeout=60, **options)
            assert [r.status for r in records] == ["ok", "ok", "ok", "ok", "failed"]
            outputs[how] = ([comparable(r) | {"output": None} for r in records], [d.read_bytes() for d in dest[:4]])
    assert outputs["pool"] == outputs["serial"] and outputs["dask"] == outputs["serial"]
    assert all(xlroi.open(tmp_path / "dask" / f"{i}.xlsx")[AD_SPEND] == 1234 for i in range(4))


def test_check_bytes_names_the_workbook_not_its_private_copy():
    record = check_bytes("finance/notes.xlsx", b"channel,spend\n")
    assert record.status == "failed" and record.exit_code == 4
    assert record.error.startswith("finance/notes.xlsx: is not an .xlsx/.xlsm workbook")
    fresh = check_bytes("finance/template.xlsx", TEMPLATE.read_bytes())
    assert fresh.status == "ok" and fresh.report.path == "finance/template.xlsx"
    assert fresh.report.compared == fresh.report.matched > 600


def test_recalc_bytes_returns_the_new_workbook_and_writes_nothing(tmp_path):
    record, data = recalc_bytes("t.xlsx", TEMPLATE.read_bytes(), sets=[(AD_SPEND, 12000)])
    assert record.status == "ok" and record.output is None and data[:2] == b"PK"
    out = tmp_path / "t.xlsx"
    out.write_bytes(data)
    assert xlroi.open(out).check().ok and xlroi.open(out)["OverallROI"] == pytest.approx(1.5)


# -- one bad workbook never stops the others ----------------------------------------------------

def test_a_hostile_workbook_is_stopped_at_the_time_limit_and_the_others_finish(mixed, tmp_path):
    slow = slow_book(tmp_path / "slow.xlsx")
    fresh = mixed[:3]
    result = run("check", *fresh, slow, "-j", "2", "--timeout", "2", "--json")
    records = json.loads(result.stdout)
    assert [r["status"] for r in records] == ["ok", "ok", "ok", "failed"]
    assert records[3]["exit_code"] == 10 and "slow.xlsx was stopped after the time limit of 2 s" in records[3]["error"]
    assert result.exit_code == 10  # no stale workbook: the failure's own class


@pytest.mark.parametrize("which, code", [
    ([0, 1, 2], 0), ([0, 3], 1), ([0, 4], 4), ([0, 5], 3), ([4, 5], 4), ([3, 4, 5], 1),
], ids=["all fresh", "one stale", "a CSV: exit 4", "a missing file: exit 3",
        "two failures: the highest class", "stale wins over failures"])
def test_exit_status_of_a_batch(mixed, which, code):
    result = run("check", *[mixed[i] for i in which], "-j", "1")
    assert result.exit_code == code, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("xlroi: error: ")]
    assert len(errors) == sum(i >= 4 for i in which)
    assert "Traceback" not in result.output


def test_json_is_one_record_per_workbook_in_the_order_given(mixed):
    result = run("check", *mixed, "--json", "-j", "2")
    records = json.loads(result.stdout)
    assert [r["path"] for r in records] == [str(p) for p in mixed]
    stale = records[3]
    assert stale["status"] == "differs" and stale["exit_code"] == 1 and stale["stale"] > 0
    assert {"ref", "formula", "status", "cached", "computed"} <= set(stale["differences"][0])
    assert records[0]["ok"] is True and records[0]["formula_cells"] == records[0]["matched"] > 600
    assert records[5]["error"] == f"{mixed[5]}: no such file"


def test_junit_xml_has_a_case_per_workbook(mixed, tmp_path):
    report = tmp_path / "reports" / "xlroi.xml"
    report.parent.mkdir()
    result = run("check", *mixed, "--junit-xml", report)
    assert result.exit_code == 1
    suite = ET.parse(report).getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("6", "1", "2")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert list(cases) == [str(p) for p in mixed]
    failure = cases[str(mixed[3])].find("failure")
    assert "'Step 5 ROI'!" in failure.text and "cached=" in failure.text and "computed=" in failure.text
    assert cases[str(mixed[4])].find("error").get("type") == "exit 4"
    assert cases[str(mixed[0])].find("failure") is None and cases[str(mixed[0])].find("error") is None


# -- recalc over many workbooks -------------------------------------------------------------------

def test_recalc_many_mirrors_the_folder_under_the_output_and_leaves_the_inputs(agency, tmp_path):
    before = {p: sha256(p) for p in agency.rglob("*.xlsx")}
    out = tmp_path / "fresh"
    result = run("recalc", agency, "-o", out, "-j", "2", "--json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert len(records) == 41 and {r["status"] for r in records} == {"ok"}
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.xlsx")) == sorted(
        p.relative_to(agency).as_posix() for p in before)
    assert {p: sha256(p) for p in agency.rglob("*.xlsx")} == before
    assert run("check", out, "-j", "2").exit_code == 0  # the stale copy came out fresh


def test_recalc_in_place_over_a_glob(mixed):
    folder = mixed[0].parent
    stale = stale_copy(mixed[0], folder / "zz-stale.xlsx")
    assert run("check", folder).exit_code == 1
    result = run("recalc", f"{folder}/*.xlsx", "--in-place", "--set", f"{AD_SPEND}=8000")
    assert result.exit_code == 0, result.output
    assert "files" in result.stderr and "not evaluated" in result.stderr  # the summary table
    assert run("check", folder).exit_code == 0
    assert xlroi.open(stale)[AD_SPEND] == 8000


def test_single_file_recalc_into_an_existing_folder(mixed, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    result = run("recalc", mixed[3], "-o", out)
    assert result.exit_code == 0, result.output
    assert xlroi.open(out / "stale.xlsx").check().ok


# -- bad input: one clear line each ----------------------------------------------------------------

@pytest.mark.parametrize("args, code, message", [
    (["check", "{tmp}/nothing/**/*.xlsx"], 3, "'{tmp}/nothing/**/*.xlsx': no file matches this pattern"),
    (["check", "{tmp}/empty"], 3, "{tmp}/empty: no .xlsx or .xlsm workbook in this folder"),
    (["check", "{book}", "-j", "0"], 2, "-j 0: give the number of worker processes"),
    (["check", "{book}", "--scheduler", "tcp://127.0.0.1:9"], 40, "cannot reach the Dask scheduler at tcp://127.0.0.1:9"),
    (["recalc", "{book}", "{book2}"], 7, "give either -o OUTPUT or --in-place"),
    (["recalc", "{book}", "{book2}", "-o", "{book}"], 8, "is a file; with several workbooks, -o names a folder"),
    (["recalc", "{fresh}", "-o", "{fresh}"], 8, "is an input workbook; use --in-place"),
    (["recalc", "{book}", "{fresh}/2026-01.xlsx", "-o", "{tmp}/out"], 8, "would both be written to {tmp}/out/2026-01.xlsx"),
], ids=["glob matches nothing", "folder without workbooks", "no workers", "unreachable scheduler",
        "many without a destination", "many into a file", "output over the inputs", "two inputs, one output"])
def test_bad_batch_input_gets_one_line(tmp_path, mixed, args, code, message):
    (tmp_path / "empty").mkdir()
    other = tmp_path / "other"
    other.mkdir()
    book2 = (other / "2026-01.xlsx")
    book2.write_bytes(mixed[0].read_bytes())
    fill = {"tmp": tmp_path, "book": book2, "book2": mixed[1], "fresh": mixed[0].parent}
    result = run(*[a.format(**fill) for a in args], env={"XLROI_SCHEDULER_TIMEOUT": "1"})
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message.format(**fill) in lines[0], lines
    assert not (tmp_path / "out").exists()


# -- the pre-commit hook -------------------------------------------------------------------------

def test_pre_commit_hook_runs_check_on_the_staged_workbooks(mixed):
    import yaml  # PyYAML: installed with dask[distributed] in the test extra
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "xlroi-check")
    assert re.search(hook["files"], "finance/budget.xlsx") and re.search(hook["files"], "macro.xlsm")
    assert not re.search(hook["files"], "notes.csv")
    entry = shlex.split(hook["entry"])
    assert entry[0] == "xlroi" and hook["language"] == "python" and hook["require_serial"] is True
    # pre-commit runs: entry + args + the staged files that match
    assert run(*entry[1:], *hook.get("args", []), *mixed[:3]).exit_code == 0
    assert run(*entry[1:], *hook.get("args", []), *mixed[:4]).exit_code == 1


def test_records_pickle_as_plain_data():
    import pickle

    record = check_bytes("t.xlsx", TEMPLATE.read_bytes())
    again = pickle.loads(pickle.dumps(record))
    assert isinstance(again, CheckRecord) and comparable(again) == comparable(record)
