"""xlroi import, end to end: exports fill the blank template; re-importing changes nothing.

The blank template (xlroi.template.write_template) with the period set to Q1 2024; the sums
below are worked out in tests/fixtures/imports/make_fixtures.py next to each file.
"""
from __future__ import annotations

import csv
import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

import xlroi
from xlroi.errors import BadValue, ExportConflict
from xlroi.imports import import_exports
from xlroi.imports.template_writer import serial
from xlroi.template import write_template

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
META, LINKEDIN, GOOGLE = (FIXTURES / n for n in ("meta_platform_bom.csv", "linkedin_utf16.csv", "google_ads_campaigns.csv"))
# spend inside Q1 per channel (the Meta December row is outside the period)
EXPECTED = {"Facebook": 5999.50, "Instagram": 4000.25, "LinkedIn": 14000.00, "YouTube": 3734.50}
ADS = "'Step 2 Costs'!A17:D36"


@pytest.fixture(scope="module")
def imported(q1, tmp_path_factory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("out") / "out.xlsx"
    report = import_exports(q1, [META, LINKEDIN, GOOGLE], out)
    return out, report


def per_channel(book) -> dict[str, float]:
    names = [row[0] for row in book["Channels"]]
    return {name: row[0] for name, row in zip(names, book["ChannelInvestment"])}


def test_ads_cost_and_channel_investment_are_the_exports_sums(imported):
    out, report = imported
    book = xlroi.open(out)
    assert book["AdsCost"] == pytest.approx(sum(EXPECTED.values()), abs=1e-9)
    investment = per_channel(book)
    for channel, amount in EXPECTED.items():
        assert investment[channel] == pytest.approx(amount, abs=1e-9), channel
    assert investment["X"] == 0 and investment["Other"] == 0
    assert report.table_rows == 8 and report.aggregation == "rows as exported"


def test_rows_carry_date_channel_campaign_with_source_and_amount(imported):
    out, _ = imported
    rows = [r for r in xlroi.open(out)[ADS] if r[0] is not None]
    assert rows[0] == [serial(dt.date(2024, 1, 31)), "Facebook", "Webinar sign-ups [Meta 2024-01-01/2024-03-31]", 3000]
    assert rows[3][2] == "Lead gen: whitepaper (Jan) [LinkedIn 2024-01-01/2024-03-31 · Acme Ltd]"
    assert {r[1] for r in rows} == set(EXPECTED)


def test_step_3_paid_rows_get_the_platforms_results(imported):
    out, _ = imported
    book = xlroi.open(out)
    # 'Step 3 Performance': rows 8.. are channel x (Organic, Paid); C = Reach, D = Impressions, E = Engagements,
    # F = Clicks, H = Leads. LinkedIn is channel 1 (rows 8, 9), Facebook channel 3 (rows 12, 13).
    linkedin_paid = book["'Step 3 Performance'!C9:H9"][0]
    assert linkedin_paid == [160000, 550000, 7500, 6800, None, 300]
    facebook_paid = book["'Step 3 Performance'!C13:H13"][0]
    assert facebook_paid == [115000, 290000, None, 2900, None, 40]
    assert book["'Step 3 Performance'!C8:L8"][0] == [None] * 10  # organic untouched


def test_a_second_import_of_the_same_files_changes_nothing(imported, tmp_path):
    """Byte-identical: the same tagged rows are replaced by the same values in the same rows, the
    write-back is deterministic (same XML, same zip entries and timestamps)."""
    out, _ = imported
    again = tmp_path / "again.xlsx"
    report = import_exports(out, [META, LINKEDIN, GOOGLE], again)
    assert report.replaced_rows == 8
    assert again.read_bytes() == out.read_bytes()


def test_only_the_changed_sheets_change_and_the_output_opens(imported, q1):
    import openpyxl

    out, _ = imported
    with zipfile.ZipFile(q1) as before, zipfile.ZipFile(out) as after:
        assert before.namelist() == after.namelist()
        changed = {n for n in before.namelist() if before.read(n) != after.read(n)}
    assert changed and all(n.startswith("xl/worksheets/sheet") for n in changed)
    wb = openpyxl.load_workbook(out)
    assert wb["Step 2 Costs"]["B17"].value == "Facebook"


def test_the_users_own_rows_stay_and_a_second_export_adds(q1, tmp_path):
    mine = tmp_path / "mine.xlsx"
    book = xlroi.open(q1)
    book.set("'Step 2 Costs'!A17", serial(dt.date(2024, 2, 1)))
    book.set("'Step 2 Costs'!B17", "X")
    book.set("'Step 2 Costs'!C17", "Typed by hand")
    book.set("'Step 2 Costs'!D17", 50)
    book.save(mine)
    first = tmp_path / "first.xlsx"
    import_exports(mine, [LINKEDIN], first)
    second = tmp_path / "second.xlsx"
    import_exports(first, [FIXTURES / "x_ads.csv", LINKEDIN], second)
    result = xlroi.open(second)
    assert result["'Step 2 Costs'!C17"] == "Typed by hand"
    assert per_channel(result)["X"] == pytest.approx(150.0)   # 50 by hand + 100 from X
    assert per_channel(result)["LinkedIn"] == pytest.approx(14000.0)  # replaced, not doubled


def test_more_rows_than_the_table_are_summed_per_campaign_and_said(q1, tmp_path):
    export = tmp_path / "meta_daily.csv"
    lines = ["Campaign name,Platform,Day,Amount spent (USD)"]
    total = Decimal(0)
    for day in range(60):
        for campaign in ("Alpha", "Beta"):
            amount = Decimal(day) + Decimal("0.25")
            total += amount
            lines.append(f"{campaign},facebook,{dt.date(2024, 1, 1) + dt.timedelta(days=day)},{amount}")
    export.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.xlsx"
    report = import_exports(q1, [export], out)
    assert report.aggregation == "summed per channel and campaign" and report.table_rows == 2
    assert "120 spend rows are more than the 20 free rows" in report.text()
    assert xlroi.open(out)["AdsCost"] == pytest.approx(float(total))


def test_a_partly_overlapping_reimport_is_refused(imported, tmp_path):
    out, _ = imported
    february = tmp_path / "meta_feb.csv"
    february.write_text("Campaign name,Platform,Day,Amount spent (USD)\nX,facebook,2024-02-10,10.00\n")
    with pytest.raises(ExportConflict, match="overlaps this export's 2024-02-10/2024-02-10 without lying inside it"):
        import_exports(out, [february], tmp_path / "never.xlsx")
    assert not (tmp_path / "never.xlsx").exists()


def test_another_currency_needs_a_rate(q1, tmp_path):
    fr = FIXTURES / "meta_fr.csv"
    with pytest.raises(ExportConflict, match=r"spend is in EUR, the workbook in USD .*--fx RATE"):
        import_exports(q1, [fr], tmp_path / "no.xlsx")
    report = import_exports(q1, [fr], tmp_path / "fx.xlsx", fx=("EUR=1.1",))
    assert xlroi.open(tmp_path / "fx.xlsx")["AdsCost"] == pytest.approx(2200.0)
    assert report.files[0].fx == Decimal("1.1")
    import_exports(q1, [fr], tmp_path / "eur.xlsx", currency="EUR")
    assert xlroi.open(tmp_path / "eur.xlsx")["AdsCost"] == pytest.approx(2000.0)


def test_channels_options_and_fallbacks(q1, tmp_path):
    report = import_exports(q1, [FIXTURES / "meta_no_platform.csv", FIXTURES / "tiktok.csv"], tmp_path / "c.xlsx",
                            channels=("Instagram",))
    investment = per_channel(xlroi.open(tmp_path / "c.xlsx"))
    assert investment["Instagram"] == pytest.approx(220.0) and investment["Other"] == pytest.approx(200.0)
    assert any("TikTok -> Other" in n for n in report.files[1].notes)
    import_exports(q1, [FIXTURES / "tiktok.csv"], tmp_path / "d.xlsx", channels=("TikTok=YouTube",))
    assert per_channel(xlroi.open(tmp_path / "d.xlsx"))["YouTube"] == pytest.approx(200.0)
    with pytest.raises(BadValue, match="not one of the workbook's channels"):
        import_exports(q1, [FIXTURES / "tiktok.csv"], tmp_path / "e.xlsx", channels=("TikTok=Snapchat",))


def test_ga4_fills_organic_rows_and_conversions_need_a_metric(q1, tmp_path):
    out = tmp_path / "ga4.xlsx"
    report = import_exports(q1, [FIXTURES / "ga4_source_medium.csv"], out, conversions_as="Leads")
    book = xlroi.open(out)
    assert book["'Step 3 Performance'!F8"] == 350   # LinkedIn organic sessions (linkedin.com + lnkd.in)
    assert book["'Step 3 Performance'!H8"] == 12    # key events as Leads
    assert book["'Step 3 Performance'!F13"] == 400  # Facebook paid (facebook / cpc)
    assert book["AdsCost"] == 0 and report.table_rows == 0


def test_dry_run_and_in_place(q1, tmp_path):
    before = q1.read_bytes()
    report = import_exports(q1, [META], dry_run=True)
    assert report.output is None and q1.read_bytes() == before
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(before)
    import_exports(copy, [META], in_place=True)
    assert xlroi.open(copy)["AdsCost"] == pytest.approx(9999.75)


def test_a_meta_xlsx_export_fills_the_template(q1, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    with open(META, encoding="utf-8-sig", newline="") as handle:
        for cells in csv.reader(handle):
            wb.active.append(cells)
    wb.save(tmp_path / "meta.xlsx")
    import_exports(q1, [tmp_path / "meta.xlsx"], tmp_path / "out.xlsx")
    assert xlroi.open(tmp_path / "out.xlsx")["AdsCost"] == pytest.approx(9999.75)
