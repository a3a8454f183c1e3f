"""The pytest plugin (issue 12): --xlroi-check collects one test per workbook; xlroi_book opens
workbooks in hand-written tests. Run through pytester, as a user's pytest would run it."""
from __future__ import annotations

import re

import pytest

from test_batch import AD_SPEND, TEMPLATE, fresh_books, stale_copy

pytest_plugins = ["pytester"]


@pytest.fixture
def finance(pytester) -> "pytest.Pytester":
    """A user's repository: 40 fresh workbooks under finance/ and one stale copy."""
    books = fresh_books(pytester.path / "finance", 40)
    stale_copy(books[5], pytester.path / "finance" / "client-b" / "stale.xlsx")
    return pytester


def test_one_test_per_workbook_and_the_stale_one_fails_with_its_cells(finance):
    result = finance.runpytest("--xlroi-check", "finance/**/*.xlsx", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=40, failed=1)
    result.stdout.fnmatch_lines(["collected 41 items"])
    result.stdout.fnmatch_lines([
        "*finance/client-b/stale.xlsx: * stale and 0 not evaluated of * formula cells (fast engine)",
        "*cell*formula*cached*computed*",
    ])
    # one row per stale cell: the reference, its formula, the cached and the computed value
    assert re.search(r"'Step 5 ROI'!\w+\s+=\S.*\s+[\d.]+\s+[\d.]+", result.stdout.str())
    assert "FAILED finance/client-b/stale.xlsx::fresh" in result.stdout.str()


def test_items_are_named_after_the_workbooks_and_marked(finance):
    result = finance.runpytest("--xlroi-check", "finance/client-a", "--collect-only", "-q", "-m", "xlroi")
    names = [line for line in result.stdout.lines if "::fresh" in line]
    assert names[:2] == ["finance/client-a/2026-01.xlsx::fresh", "finance/client-a/2026-02.xlsx::fresh"]
    assert len(names) == 10


def test_workbooks_from_the_ini_file(finance):
    finance.makeini("[pytest]\nxlroi_check =\n    finance/client-b/*.xlsx\n")
    result = finance.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=10, failed=1)


def test_a_workbook_that_cannot_be_checked_fails_with_one_line(pytester):
    (pytester.path / "notes.xlsx").write_text("channel,spend\nLinkedIn,1200\n")
    result = pytester.runpytest("--xlroi-check", "notes.xlsx")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*notes.xlsx: is not an .xlsx/.xlsm workbook (it looks like text, e.g. a CSV)* (exit class 4)"])


def test_a_glob_that_matches_nothing_is_a_usage_error(pytester):
    result = pytester.runpytest("--xlroi-check", "finance/**/*.xlsx")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--xlroi-check: 'finance/**/*.xlsx': no file matches this pattern*"])


def test_xlroi_book_fixture_in_a_hand_written_test(pytester):
    pytester.makepyfile(f"""
        def test_more_ad_spend_lowers_the_roi(xlroi_book):
            book = xlroi_book({str(TEMPLATE)!r})
            before = book["OverallROI"]
            book.set({AD_SPEND!r}, 20000)
            assert book["OverallROI"] < before

        def test_the_reference_engine_too(xlroi_book):
            assert abs(xlroi_book({str(TEMPLATE)!r}, engine="formulas")["OverallROI"] - 115000 / 65000) < 1e-9

        def test_a_failing_expectation_fails(xlroi_book):
            assert xlroi_book({str(TEMPLATE)!r})["OverallROI"] > 2
    """)
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, failed=1)
