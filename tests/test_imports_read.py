"""xlroi import, the reading side: each platform's export as downloaded becomes the common rows.

The fixtures are in tests/fixtures/imports/ (layouts and where they were seen: its README.md).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlroi.errors import ExportConflict, ExportNotFound, NotAnExport
from xlroi.imports import read_export
from xlroi.imports.api import _aggregate, _fit
from xlroi.imports.rows import Span
from xlroi.imports.template_writer import AdLine, Source, Tag, parse_tag, tagged
from xlroi.imports.values import decimal_separator, parse_date, parse_date_range, parse_number

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
D = Decimal


def spend_by_channel(export) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for row in export.rows:
        if row.spend is not None:
            out[row.channel] = out.get(row.channel, D(0)) + row.spend
    return out


# fixture, platform, how it was read (part of the layout), spend per channel of its data rows,
# reasons rows were left out
READ_CASES = [
    ("meta_platform_bom.csv", "Meta", "UTF-8 with BOM, comma", {"Facebook": D("6499.50"), "Instagram": D("4000.25")},
     {"summary row (blank campaign name): Meta's totals"}),
    ("meta_fr.csv", "Meta", "semicolon", {"Facebook": D("2000.00")}, {"summary row (blank campaign name): Meta's totals"}),
    ("linkedin_utf16.csv", "LinkedIn", "UTF-16, tab-separated, header on line 6", {"LinkedIn": D("14000.00")},
     {"totals row (no campaign name)"}),
    ("linkedin_resaved.csv", "LinkedIn", "UTF-8, comma-separated, header on line 6", {"LinkedIn": D("4750.75")}, set()),
    ("google_ads_campaigns.csv", "Google Ads", "header on line 3", {"YouTube": D("3734.50")},
     {"not social media: Search campaign (only Video = YouTube)",
      "not social media: Performance Max campaign (only Video = YouTube)", "totals row (Total: Account)",
      "totals row (Total: Search)", "totals row (Total: Video)", "totals row (Total: Performance Max)"}),
    ("google_ads_excel_utf16.csv", "Google Ads", "UTF-16, tab", {"YouTube": D("250.00")},
     {"campaign subtotal (blank day)", "totals row (Total: Account)"}),
    ("tiktok.csv", "TikTok", "comma", {"TikTok": D("200.00")}, {"totals row (Total of 1 campaign)"}),
    ("x_ads.csv", "X Ads", "comma", {"X": D("100.00")}, set()),
    ("ga4_source_medium.csv", "GA4", "header on line 9", {},
     {"totals row (Grand total)", "not a social-media source (e.g. google / organic, (direct))"}),
]


@pytest.mark.parametrize("name, platform, layout, spend, reasons", READ_CASES, ids=[c[0] for c in READ_CASES])
def test_each_export_reads_to_the_sum_of_its_data_rows(name, platform, layout, spend, reasons):
    export = read_export(FIXTURES / name, channel="Facebook")
    assert export.platform == platform
    assert layout in export.layout
    assert spend_by_channel(export) == spend
    assert {item.reason for item in export.left_out} == reasons


def test_a_meta_summary_row_and_footers_are_never_counted():
    # the summary row states 10,499.75; the data rows (4, one outside Q1) add up to the same
    export = read_export(FIXTURES / "meta_platform_bom.csv")
    summary = [item for item in export.left_out if item.reason.startswith("summary")]
    assert [s.spend for s in summary] == [D("10499.75")]
    assert sum(r.spend for r in export.rows) == D("10499.75")


# what, cells of a row -> the common row's fields
DETAIL_CASES = [
    ("LinkedIn 'All' breakdown runs to Report End", "linkedin_utf16.csv", 0, "span", Span(dt.date(2024, 1, 1), dt.date(2024, 3, 31))),
    ("LinkedIn monthly rows end before the next month", "linkedin_resaved.csv", 1, "span",
     Span(dt.date(2024, 2, 1), dt.date(2024, 2, 29))),
    ("LinkedIn '--' leads are no data, not 0", "linkedin_utf16.csv", 2, "metrics",
     {"Impressions": D(150000), "Clicks": D(1200), "Reach": D(40000), "Engagements": D(1500)}),
    ("Google quoted thousands", "google_ads_campaigns.csv", 0, "metrics",
     {"Impressions": D(1414877), "Clicks": D(3210), "Conversions": D("12.00")}),
    ("Google ' --' is no data", "google_ads_campaigns.csv", 1, "metrics", {"Impressions": D(402118), "Clicks": D(988)}),
    ("Google date range line", "google_ads_campaigns.csv", 0, "span", Span(dt.date(2024, 1, 1), dt.date(2024, 3, 31))),
    ("French day-first dates", "meta_fr.csv", 1, "span", Span.day(dt.date(2024, 2, 15))),
    ("French decimal comma and no-break-space thousands", "meta_fr.csv", 0, "spend", D("1234.56")),
    ("French currency from the header", "meta_fr.csv", 0, "currency", "EUR"),
    ("French lead results ('Prospects') are leads", "meta_fr.csv", 0, "metrics",
     {"Reach": D(15000), "Impressions": D(20000), "Clicks": D(200), "Leads": D(5)}),
    ("Meta lead results are leads", "meta_platform_bom.csv", 0, "metrics",
     {"Reach": D(60000), "Impressions": D(150000), "Clicks": D(1500), "Leads": D(40)}),
    ("GA4 paid medium", "ga4_source_medium.csv", 3, "kind", "Paid"),
    ("GA4 l.facebook.com is Facebook", "ga4_source_medium.csv", 2, "channel", "Facebook"),
    ("GA4 lnkd.in is LinkedIn", "ga4_source_medium.csv", 1, "channel", "LinkedIn"),
    ("GA4 t.co is X", "ga4_source_medium.csv", 4, "channel", "X"),
    ("GA4 YYYYMMDD preamble dates", "ga4_source_medium.csv", 0, "span", Span(dt.date(2024, 1, 1), dt.date(2024, 3, 31))),
    ("X export states no currency", "x_ads.csv", 0, "currency", None),
    ("X link clicks are the clicks", "x_ads.csv", 0, "metrics", {"Impressions": D(8000), "Engagements": D(400), "Clicks": D(90)}),
]


@pytest.mark.parametrize("what, name, index, attribute, expected", DETAIL_CASES, ids=[c[0] for c in DETAIL_CASES])
def test_row_details(what, name, index, attribute, expected):
    row = read_export(FIXTURES / name).rows[index]
    assert getattr(row, attribute) == expected


BAD_FILES = [
    ("not_an_export.csv", NotAnExport, "headers seen: 'name', 'colour'"),
    ("empty.csv", NotAnExport, "is empty"),
    ("meta_no_platform.csv", ExportConflict, "--channel Facebook or --channel Instagram"),
    ("no_such_file.csv", ExportNotFound, "no such file"),
]


@pytest.mark.parametrize("name, error, message", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_files_are_named_with_the_reason(name, error, message):
    with pytest.raises(error, match=None) as info:
        read_export(FIXTURES / name)
    assert message in str(info.value) and name in str(info.value)


def test_a_meta_xlsx_export_reads_like_its_csv(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Raw Data Report"
    with open(FIXTURES / "meta_platform_bom.csv", encoding="utf-8-sig", newline="") as handle:
        for cells in csv.reader(handle):
            ws.append([_typed(c) for c in cells])
    path = tmp_path / "meta.xlsx"
    wb.save(path)
    export = read_export(path)
    assert export.layout.startswith("xlsx")
    assert spend_by_channel(export) == spend_by_channel(read_export(FIXTURES / "meta_platform_bom.csv"))


def _typed(text: str):
    try:
        return float(text)
    except ValueError:
        return text


# -- values --------------------------------------------------------------------------------------

NUMBER_CASES = [
    ("quoted thousands", "1,414,877", ".", D(1414877)),
    ("decimal point", "1234.56", ".", D("1234.56")),
    ("decimal comma with dot thousands", "1.234,56", ",", D("1234.56")),
    ("no-break space thousands", "1\u00a0234,56", ",", D("1234.56")),
    ("currency sign", "$3.50", ".", D("3.50")),
    ("percent is a fraction", "12.5%", ".", D("0.125")),
    ("-- is no data", "--", ".", None),
    ("' --' is no data", " --", ".", None),
    ("- is no data", "-", ".", None),
    ("empty is no data", "", ".", None),
    ("accounting negative", "(12.00)", ".", D("-12.00")),
]


@pytest.mark.parametrize("what, text, decimal, expected", NUMBER_CASES, ids=[c[0] for c in NUMBER_CASES])
def test_numbers_as_platforms_write_them(what, text, decimal, expected):
    assert parse_number(text, decimal) == expected


@pytest.mark.parametrize("samples, expected", [
    (["1,234.56", "12"], "."), (["1.234,56"], ","), (["12,5"], ","), (["1,234"], "."), (["1,234,567"], "."),
], ids=["comma thousands", "dot thousands", "decimal comma", "undecided: default", "two commas"])
def test_the_decimal_separator_of_a_file(samples, expected):
    assert decimal_separator(samples) == expected


DATE_CASES = [
    ("ISO", "2024-01-31", "MDY", dt.date(2024, 1, 31)),
    ("ISO with time", "2024-01-31T00:00:00", "MDY", dt.date(2024, 1, 31)),
    ("GA4", "20240131", "MDY", dt.date(2024, 1, 31)),
    ("LinkedIn M/D/YYYY", "1/31/2024", "MDY", dt.date(2024, 1, 31)),
    ("day first when asked", "01/02/2024", "DMY", dt.date(2024, 2, 1)),
    ("day first when it must be", "31/01/2024", "MDY", dt.date(2024, 1, 31)),
    ("TikTok slashes", "2024/01/31", "MDY", dt.date(2024, 1, 31)),
    ("English words", "Jan 31, 2024", "MDY", dt.date(2024, 1, 31)),
    ("French words", "31 janv. 2024", "DMY", dt.date(2024, 1, 31)),
    ("not a date", "Campaign", "MDY", None),
]


@pytest.mark.parametrize("what, text, order, expected", DATE_CASES, ids=[c[0] for c in DATE_CASES])
def test_dates_as_platforms_write_them(what, text, order, expected):
    assert parse_date(text, order) == expected


def test_date_ranges():
    assert parse_date_range("January 1, 2024 - March 31, 2024") == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert parse_date_range("Jan 1 - Mar 31, 2024") == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert parse_date_range("2024-01-01 ~ 2024-01-31") == (dt.date(2024, 1, 1), dt.date(2024, 1, 31))


def test_the_source_tag_round_trips():
    tag = Tag(Source("Meta", "Acme [EU]"), Span(dt.date(2024, 1, 1), dt.date(2024, 3, 31)))
    text = tagged("Webinar sign-ups", tag)
    assert text == "Webinar sign-ups [Meta 2024-01-01/2024-03-31 · Acme (EU)]"
    campaign, parsed = parse_tag(text)
    assert campaign == "Webinar sign-ups" and parsed.span == tag.span and parsed.source.platform == "Meta"
    assert parse_tag("[Q1] Brand push") is None
    assert len(tagged("x" * 400, tag)) == 255


# -- the property: spend imported = the sum of the file's data rows, never its totals ---------------

money = st.decimals(min_value=0, max_value=99999, places=2, allow_nan=False, allow_infinity=False)
campaign_names = st.text(alphabet=st.characters(whitelist_categories=("L", "N"), whitelist_characters=" -:"),
                         min_size=1, max_size=20).map(str.strip).filter(bool)
rows_strategy = st.lists(st.tuples(campaign_names, st.sampled_from(["facebook", "instagram"]), st.one_of(money, st.none()),
                                   st.integers(0, 89)), min_size=1, max_size=30)


def _meta_text(rows, thousands: bool, summary: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Campaign name", "Platform", "Day", "Amount spent (USD)", "Impressions"])
    total = sum((s for _, _, s, _ in rows if s is not None), D(0))
    if summary:
        writer.writerow(["", "", "", f"{total:,.2f}" if thousands else f"{total:.2f}", ""])
    for name, platform, spend, day in rows:
        text = "--" if spend is None else (f"{spend:,.2f}" if thousands else f"{spend:.2f}")
        writer.writerow([name, platform, (dt.date(2024, 1, 1) + dt.timedelta(days=day)).isoformat(), text, "1,000"])
    return out.getvalue()


@settings(max_examples=60, deadline=None)
@given(rows=rows_strategy, thousands=st.booleans(), summary=st.booleans(),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]), tabs=st.booleans())
def test_property_spend_read_is_the_sum_of_data_rows(tmp_path_factory, rows, thousands, summary, encoding, tabs):
    text = _meta_text(rows, thousands, summary)
    if tabs:
        text = "\n".join("\t".join(cells) for cells in csv.reader(io.StringIO(text))) + "\n"
    path = tmp_path_factory.mktemp("prop") / "meta.csv"
    path.write_bytes(text.encode(encoding))
    export = read_export(path)
    expected = sum((s for _, _, s, _ in rows if s is not None), D(0))
    assert sum((r.spend for r in export.rows if r.spend is not None), D(0)) == expected
    assert len(export.rows) == len(rows)


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(0, 2), st.sampled_from(["LinkedIn", "YouTube"]),
                               st.sampled_from(["a", "b", "c", "d"]), money.filter(lambda m: m > 0)), max_size=80),
       free=st.integers(1, 20))
def test_property_aggregation_keeps_the_sum(rows, free):
    span = Span(dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    indexed = [(i, AdLine(dt.date(2024, 1, 31), channel, campaign, amount, Tag(Source("Meta"), span)))
               for i, channel, campaign, amount in rows]
    level, fitted = _fit(indexed, free)
    assert sum((line.amount for line in fitted), D(0)) == sum((r[3] for r in rows), D(0))
    if len(_aggregate(indexed, 2)) <= free:
        assert len(fitted) <= free


# campaign names that look like something else are still campaigns
NAME_CASES = [
    ("a hashtag is not a GA4 section line", "#BlackFriday"),
    ("'Total' in a name is not a totals row", "Total awareness push"),
    ("a leading = stays text", "=Promo"),
]


@pytest.mark.parametrize("what, name", NAME_CASES, ids=[c[0] for c in NAME_CASES])
def test_campaign_names_that_look_like_something_else(tmp_path, what, name):
    path = tmp_path / "meta.csv"
    path.write_text(f"Campaign name,Platform,Day,Amount spent (USD)\n{name},facebook,2024-01-02,10.00\n"
                    f"Other,instagram,2024-01-03,5.00\n", encoding="utf-8")
    export = read_export(path)
    assert [r.campaign for r in export.rows] == [name, "Other"]
    tag = Tag(Source("Meta"), Span(dt.date(2024, 1, 2), dt.date(2024, 1, 3)))
    assert not tagged(name, tag).startswith("=") and parse_tag(tagged(name, tag))[1] == tag
