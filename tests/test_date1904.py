"""Workbooks in the 1904 date system: every date result right, or declared not evaluated.

In a 1904 workbook serial 0 is 1904-01-01 and every date is 1,462 days below its 1900-system
serial. Excel's values below are worked out by hand from that (the comments say how); the two
known from the issue are DATE(2024,1,15) = 43844 and YEAR(0) = 1904.
"""
from __future__ import annotations

import datetime
import zipfile
from pathlib import Path

import pytest

import xlroi
from xlroi.engines import date1904
from xlroi.engines.base import NotEvaluated
from xlroi.errors import ExcelError

from rawbook import write_book

ENGINES = ["fast", "formulas"]
NUM = ExcelError.NUM

# formula → Excel's value in a 1904 workbook (A1 holds 43844, 2024-01-15 in the 1904 system)
EXCEL_1904 = {
    "DATE(2024,1,15)": 43844,            # from the issue (45306 − 1462)
    "YEAR(0)": 1904,                     # from the issue: serial 0 is 1904-01-01
    "MONTH(0)": 1, "DAY(0)": 1,
    "DATE(1904,1,1)": 0, "DATE(1904,1,2)": 1,
    "DATE(1903,12,31)": NUM,             # before serial 0
    "YEAR(-1)": NUM,                     # a negative serial
    "YEAR(A1)": 2024, "MONTH(A1)": 1, "DAY(A1)": 15,
    "WEEKDAY(0)": 6,                     # 1904-01-01 was a Friday (Sunday = 1)
    "WEEKDAY(A1)": 2,                    # 2024-01-15 was a Monday
    "WEEKNUM(0)": 1,
    "ISOWEEKNUM(0)": 53,                 # Friday 1 January 1904 is in ISO week 53 of 1903
    "EDATE(0,1)": 31,                    # 1904-02-01: 31 days after 1904-01-01
    "EOMONTH(0,1)": 59,                  # 1904-02-29 (a leap year): 31 + 28
    "EOMONTH(A1,0)": 43860,              # 2024-01-31: 16 days after the 15th
    'DATEVALUE("2024-01-15")': 43844,
    'TEXT(A1,"yyyy-mm-dd")': "2024-01-15",
    '"Week of "&TEXT(A1,"d/m/yyyy")': "Week of 15/1/2024",
    'DATEDIF(0,366,"y")': 1,             # 1904-01-01 → 1905-01-01 is 366 days (1904 is a leap year)
    'DATEDIF(0,59,"m")': 1,              # 1 January → 29 February
    "DAYS360(0,30)": 30,                 # 1 → 31 January
    "WORKDAY(0,1)": 3,                   # Friday → Monday 1904-01-04
    "NETWORKDAYS(0,3)": 2,               # Friday and Monday
    "DAYS(A1,0)": 43844,                 # a difference: no date system in it
    "HOUR(0.5)": 12, "TIME(12,0,0)": 0.5,
    "DATE(2024,1,15)+1": 43845,          # arithmetic on a serial stays arithmetic
}
# formulas' own YEARFRAC is not Excel's (basis 1 over a leap year); only the fast engine is held to it
FAST_ONLY = {"YEARFRAC(0,366,1)": 1}     # one whole year that holds 29 February: 366 / 366


def _book(tmp_path: Path, formulas: dict[str, str], flag: str = "1", extra: dict | None = None) -> Path:
    cells = {"A1": 43844} | {f"B{i}": "=" + f for i, f in enumerate(formulas, start=1)} | (extra or {})
    return write_book(tmp_path / "dates1904.xlsx", {"S": cells}, date1904=flag)


@pytest.mark.parametrize("engine", ENGINES)
def test_date_functions_give_excels_values_in_a_1904_workbook(tmp_path, engine):
    table = EXCEL_1904 | (FAST_ONLY if engine == "fast" else {})
    book = xlroi.open(_book(tmp_path, table), engine=engine, fallback=False)
    got = {formula: book[f"B{i}"] for i, formula in enumerate(table, start=1)}
    assert got == table


@pytest.mark.parametrize("engine", ENGINES)
def test_today_counts_from_1904(tmp_path, engine):
    book = xlroi.open(_book(tmp_path, {"TODAY()": 0, "INT(NOW())": 0}), engine=engine, fallback=False)
    today = (datetime.date.today() - datetime.date(1904, 1, 1)).days
    assert book["B1"] in (today, today + 1) and book["B2"] in (today, today + 1)  # (midnight)


def test_date1904_true_is_the_1904_system_too(tmp_path):
    assert xlroi.open(_book(tmp_path, {"DATE(2024,1,15)": 0}, flag="true"), fallback=False)["B1"] == 43844


def test_a_1900_workbook_is_left_alone(tmp_path):
    src = write_book(tmp_path / "dates1900.xlsx", {"S": {"B1": "=DATE(2024,1,15)"}})
    book = xlroi.open(src, fallback=False)
    assert book["B1"] == 45306
    assert date1904.engine_parts(book.package, {}) == ({}, {})


# formula → the reason it is not evaluated in a 1904 workbook (A1: 43844, C1: "yyyy", C2: "2024-01-15")
DECLARED = {
    "TEXT(A1,C1)": "TEXT with a format that is not written in the formula",
    'TEXT(A1,"[h] d")': "TEXT with a format mixing elapsed time and dates",
    'TEXT(A1,"yyyy")+1': "the text TEXT makes of a date is used as a number",
    'VALUE("2024-01-15")': "VALUE turns text that looks like a date",
    '"2024-01-15"+1': 'the text "2024-01-15" would be read as a date',
    'COUNTIF(A1:A9,">1/1/2024")': 'the text ">1/1/2024" would be read as a date',
    'DATEDIF(A1:A2,A1,"d")': "DATEDIF with dates given as a range",
    "YEAR({1,2})": "YEAR with dates given as an array",
    "WORKDAY(A1,5,A3:A4)": "WORKDAY with a list of holidays",
    "PRICE(A1,A1+365,0.05,0.06,100,2)": "PRICE takes dates",
    "C2+1": "reads text that looks like a date (S!C2)",
    "LEN(C2)": "reads text that looks like a date (S!C2)",
}


@pytest.mark.parametrize("engine", ENGINES)
def test_what_cannot_be_moved_soundly_is_not_evaluated(tmp_path, engine):
    book = xlroi.open(_book(tmp_path, DECLARED, extra={"C1": "yyyy", "C2": "2024-01-15", "D1": "=B1&\"!\""}),
                      engine=engine, fallback=False)
    for i, (formula, why) in enumerate(DECLARED.items(), start=1):
        got = book[f"B{i}"]
        assert isinstance(got, NotEvaluated) and got.reason.startswith("1904 date system: ") and why in got.reason, (formula, got)
    dependent = book["D1"]  # and what depends on one of them
    assert isinstance(dependent, NotEvaluated) and dependent.reason.startswith("depends on S!B1, not evaluated: 1904 date system:")


# Every date and time function of Excel, and the other functions that take or make dates
EXCEL_DATE_AND_TIME = [
    "DATE", "DATEDIF", "DATEVALUE", "DAY", "DAYS", "DAYS360", "EDATE", "EOMONTH", "HOUR", "ISOWEEKNUM",
    "MINUTE", "MONTH", "NETWORKDAYS", "NETWORKDAYS.INTL", "NOW", "SECOND", "TIME", "TIMEVALUE", "TODAY",
    "WEEKDAY", "WEEKNUM", "WORKDAY", "WORKDAY.INTL", "YEAR", "YEARFRAC",
]
TAKES_OR_MAKES_DATES = [
    "TEXT", "VALUE", "NUMBERVALUE", "XIRR", "XNPV",
    "ACCRINT", "ACCRINTM", "AMORDEGRC", "AMORLINC", "COUPDAYBS", "COUPDAYS", "COUPDAYSNC", "COUPNCD", "COUPNUM",
    "COUPPCD", "DISC", "DURATION", "INTRATE", "MDURATION", "ODDFPRICE", "ODDFYIELD", "ODDLPRICE", "ODDLYIELD",
    "PRICE", "PRICEDISC", "PRICEMAT", "RECEIVED", "TBILLEQ", "TBILLPRICE", "TBILLYIELD", "YIELD", "YIELDDISC", "YIELDMAT",
]


@pytest.mark.parametrize("name", EXCEL_DATE_AND_TIME + TAKES_OR_MAKES_DATES)
def test_every_function_of_dates_is_moved_unchanged_or_declared(name):
    handled = set(date1904.PRODUCES) | set(date1904.READS) | set(date1904.UNCHANGED) | set(date1904.NOT_SHIFTED)
    assert name in handled


def test_the_ironcalc_functions_of_dates_are_all_in_the_table():
    """Every function IronCalc knows among Excel's date ones: none slips through untreated."""
    from xlroi.engines.capabilities import _ironcalc_answer

    known = [name for name in EXCEL_DATE_AND_TIME + TAKES_OR_MAKES_DATES if _ironcalc_answer(name) not in ("#NAME?",)]
    assert len(known) > 25
    handled = set(date1904.PRODUCES) | set(date1904.READS) | set(date1904.UNCHANGED) | set(date1904.NOT_SHIFTED)
    assert set(known) <= handled


# The moves, checked against the same engine in a 1900 workbook: the 1904 formula with 1904
# serials gives the 1900 formula's value with 1900 serials (less 1,462 for a date result).
MOVES = [  # (1904 formula, 1900 formula, the result is a serial)
    ("YEAR(43844)", "YEAR(45306)", False), ("MONTH(43844)", "MONTH(45306)", False),
    ("DAY(43844)", "DAY(45306)", False), ("WEEKDAY(43844,2)", "WEEKDAY(45306,2)", False),
    ("WEEKNUM(43844,2)", "WEEKNUM(45306,2)", False), ("ISOWEEKNUM(43844)", "ISOWEEKNUM(45306)", False),
    ('DATEDIF(43000,43844,"md")', 'DATEDIF(44462,45306,"md")', False),
    ("YEARFRAC(43000,43844,1)", "YEARFRAC(44462,45306,1)", False),
    ("DAYS360(43000,43844)", "DAYS360(44462,45306)", False),
    ("NETWORKDAYS(43000,43844)", "NETWORKDAYS(44462,45306)", False),
    ("NETWORKDAYS.INTL(43000,43844,11)", "NETWORKDAYS.INTL(44462,45306,11)", False),
    ('TEXT(43844,"dddd d mmmm yyyy")', 'TEXT(45306,"dddd d mmmm yyyy")', False),
    ("DATE(2031,7,4)", "DATE(2031,7,4)", True), ('DATEVALUE("4 July 2031")', 'DATEVALUE("4 July 2031")', True),
    ("EDATE(43844,7)", "EDATE(45306,7)", True), ("EOMONTH(43844,-3)", "EOMONTH(45306,-3)", True),
    ("WORKDAY(43844,10)", "WORKDAY(45306,10)", True), ("WORKDAY.INTL(43844,10,7)", "WORKDAY.INTL(45306,10,7)", True),
]


@pytest.mark.parametrize("engine", ENGINES)
def test_each_move_matches_the_1900_system_in_the_same_engine(tmp_path, engine):
    in1904 = write_book(tmp_path / "in1904.xlsx", {"S": {f"B{i}": "=" + m[0] for i, m in enumerate(MOVES, 1)}}, date1904="1")
    in1900 = write_book(tmp_path / "in1900.xlsx", {"S": {f"B{i}": "=" + m[1] for i, m in enumerate(MOVES, 1)}})
    a, b = xlroi.open(in1904, engine=engine, fallback=False), xlroi.open(in1900, engine=engine, fallback=False)
    for i, (f1904, f1900, serial) in enumerate(MOVES, 1):
        want = b[f"B{i}"]
        if isinstance(want, NotEvaluated):
            continue  # the engine cannot do it in 1900 either
        want = want - date1904.OFFSET if serial and isinstance(want, (int, float)) else want
        assert a[f"B{i}"] == want, (engine, f1904)


def test_shared_formulas_and_names_are_moved_too(tmp_path):
    src = write_book(tmp_path / "shared1904.xlsx", {"S": {
        "A1": 43844, "A2": 43845, "A3": 43846,
        "B1": {"f": "YEAR(A1)*100+DAY(A1)", "t": "shared", "fref": "B1:B3", "si": "0"},
        "B2": {"t": "shared", "si": "0"}, "B3": {"t": "shared", "si": "0"},
        "C1": "=Start", "C2": "=YEAR(Start)", "C3": "=TEXT(Start,C9)",
        "D1": {"f": "TEXT(A1,C9)", "t": "shared", "fref": "D1:D2", "si": "1"}, "D2": {"t": "shared", "si": "1"},
        "C9": "yyyy",
    }}, names={"Start": "DATE(2024,1,1)"}, date1904="1")
    for engine in ENGINES:
        book = xlroi.open(src, engine=engine)  # IronCalc cannot evaluate a name's formula: the fallback does
        assert [book[f"B{r}"] for r in (1, 2, 3)] == [202415, 202416, 202417]
        assert book["C1"] == 43830 and book["C2"] == 2024  # 2024-01-01 is 14 days before the 15th
        assert isinstance(book["C3"], NotEvaluated)
        assert isinstance(book["D1"], NotEvaluated) and book["D2"] == book["D1"]  # a child follows its anchor


def test_the_users_file_keeps_its_formulas(tmp_path):
    src = _book(tmp_path, {"DATE(2024,1,15)": 0, "YEAR(A1)": 0})
    before = src.read_bytes()
    out = tmp_path / "out.xlsx"
    xlroi.open(src, fallback=False).save(out)
    assert src.read_bytes() == before
    with zipfile.ZipFile(out) as archive:
        sheet, workbook = archive.read("xl/worksheets/sheet1.xml"), archive.read("xl/workbook.xml")
    assert b"XLROI" not in sheet + workbook
    assert b"<f>DATE(2024,1,15)</f><v>43844</v>" in sheet and b"<f>YEAR(A1)</f><v>2024</v>" in sheet


def test_the_reference_engine_fallback_keeps_the_1904_system(tmp_path):
    textafter = '_xlfn.TEXTAFTER("1,2,3,4,5,6,7,8",{"3","4","5"},-1)'  # IronCalc lacks this form: ",6,7,8"
    src = write_book(tmp_path / "fallback1904.xlsx", {"S": {"A1": "=" + textafter, "B1": "=LEN(A1)+DATE(2024,1,15)"}},
                     date1904="1")
    book = xlroi.open(src)
    assert book["B1"] == 6 + 43844
    assert book.settlement().engines[("S", 1, 2)] == "formulas"
