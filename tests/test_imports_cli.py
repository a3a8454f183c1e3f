"""``xlroi import`` on the command line: the summary, --json, and one line + an exit code per
class of bad input, with nothing written."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import xlroi
from xlroi.cli import main
from xlroi.template import write_template

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


def run(*args: str):
    return CliRunner().invoke(main, ["import", *map(str, args)])


def test_the_summary_names_platform_rows_spend_and_period(q1, tmp_path):
    out = tmp_path / "out.xlsx"
    result = run(q1, FIXTURES / "meta_platform_bom.csv", FIXTURES / "google_ads_campaigns.csv", "-o", out)
    assert result.exit_code == 0, result.output
    text = result.output
    assert "meta_platform_bom.csv: Meta export (UTF-8 with BOM" in text
    assert "rows: 5 read, 3 used, 2 left out" in text
    assert "1 outside the workbook's period (500.00 USD)" in text
    assert "spend: Facebook 5,999.50 USD, Instagram 4,000.25 USD" in text
    assert "period covered: 2024-01-01 to 2024-03-31" in text
    assert "1 not social media: Search campaign (only Video = YouTube) (900.00 USD)" in text
    assert "step 2 advertising table 'Step 2 Costs'!A17:D36: 5 rows written" in text
    assert out.exists()


def test_json_for_machines(q1, tmp_path):
    result = run(q1, FIXTURES / "linkedin_utf16.csv", "-o", tmp_path / "o.xlsx", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["files"][0]["platform"] == "LinkedIn"
    assert data["files"][0]["spend_by_channel"] == {"LinkedIn": 14000.0}
    assert data["advertising_table"]["rows_written"] == 3


# what, export(s), extra options, exit code, words of the one line
BAD_INPUT = [
    ("no known export: the file and the headers seen", ["not_an_export.csv"], [], 30,
     "not_an_export.csv: not an export xlroi knows (headers seen: 'name', 'colour')"),
    ("an empty file", ["empty.csv"], [], 30, "empty.csv: the file is empty"),
    ("a missing file", ["nope.csv"], [], 3, "nope.csv: no such file"),
    ("mixed currency", ["meta_mixed_currency.csv"], [], 31, "mixed currencies in one export (EUR: 1 row, USD: 1 row)"),
    ("a period that does not overlap", ["meta_2023.csv"], [], 31,
     "which does not overlap the workbook's period 2024-01-01 to 2024-03-31"),
    ("another currency without --fx", ["meta_fr.csv"], [], 31, "spend is in EUR, the workbook in USD"),
    ("Meta without a Platform column", ["meta_no_platform.csv"], [], 31, "--channel Facebook or --channel Instagram"),
    ("a channel the workbook lacks", ["tiktok.csv"], ["--channel", "TikTok=Snapchat"], 7, "not one of the workbook's channels"),
    ("the same export twice", ["x_ads.csv", "x_ads.csv"], [], 31, "would be counted twice"),
    ("a bad --fx", ["meta_fr.csv"], ["--fx", "abc"], 7, "give a positive rate"),
]


@pytest.mark.parametrize("what, exports, options, code, words", BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_one_line_an_exit_code_and_nothing_written(q1, tmp_path, what, exports, options, code, words):
    before = q1.read_bytes()
    out = tmp_path / "out.xlsx"
    result = CliRunner().invoke(main, ["import", str(q1), *[str(FIXTURES / e) for e in exports], "-o", str(out), *options])
    assert result.exit_code == code, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("xlroi: error: "), result.output
    assert words in lines[0]
    assert "Traceback" not in result.output
    assert not out.exists() and q1.read_bytes() == before


def test_a_workbook_that_is_not_the_template_names_what_is_missing(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = 1
    wb.save(tmp_path / "plain.xlsx")
    result = run(tmp_path / "plain.xlsx", FIXTURES / "meta_platform_bom.csv", "-o", tmp_path / "o.xlsx")
    assert result.exit_code != 0 and result.exit_code not in (1, 70), result.output
    assert "is not the xlroi template" in result.output and "PeriodStart" in result.output and "AdSpend" in result.output
    assert not (tmp_path / "o.xlsx").exists()


def test_a_template_without_a_period_is_refused(tmp_path):
    write_template(tmp_path / "blank.xlsx", blank=True)
    result = run(tmp_path / "blank.xlsx", FIXTURES / "meta_platform_bom.csv", "-o", tmp_path / "o.xlsx")
    assert result.exit_code == 31 and "the period is not set" in result.output


def test_an_output_is_required(q1):
    result = run(q1, FIXTURES / "meta_platform_bom.csv")
    assert result.exit_code == 2 and "-o OUT, or --in-place" in result.output


def test_dry_run_writes_nothing(q1):
    before = q1.read_bytes()
    result = run(q1, FIXTURES / "meta_platform_bom.csv", "--dry-run")
    assert result.exit_code == 0 and "dry run: nothing written" in result.output
    assert q1.read_bytes() == before
