"""xlroi report: the figures in the HTML are the workbook's values, the sentences are checked
against the tables, the charts are accessible, bad input gets one line and an exit status.

Two workbooks: the committed example (the method's numbers: 65,000; 180,000; 176.9 %) and a
loss-making month made here from the blank template (worked out in LOSS_MONTH's comments).
"""
from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("jinja2", reason="the report extra: pip install -e '.[report]'")  # CI installs it through [test]
import lxml.html  # noqa: E402

import xlroi  # noqa: E402
from xlroi import template as T  # noqa: E402
from xlroi.errors import SummaryMismatch  # noqa: E402
from xlroi.report import make_report, report_html, write_reports  # noqa: E402
from xlroi.report import layout as L  # noqa: E402
from xlroi.report.model import Figure, Sentence  # noqa: E402
from xlroi.report.verify import verify_sentences  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "workbook_templates" / "xlroi-template.xlsx"
BLANK = ROOT / "workbook_templates" / "xlroi-template-blank.xlsx"
COSTS, PERF, VALUES, KPIS, GOALS = (f"'{T.SHEETS[k]}'" for k in ("costs", "perf", "values", "kpis", "goals"))
MAY_1, MAY_8, MAY_18, MAY_31 = 45413, 45420, 45430, 45443  # Excel serials of 2024 dates


def _metrics(reach, impressions, engagements, clicks, subscribers, leads, customers) -> dict[str, float]:
    return dict(Reach=reach, Impressions=impressions, Engagements=engagements, Clicks=clicks, Subscribers=subscribers,
                Leads=leads, Customers=customers)


def _perf_row(first: int, channel: int, paid: bool, values: dict) -> dict[str, float]:
    row = first + 2 * channel + (1 if paid else 0)
    return {f"{PERF}!{T.MCOL[m]}{row}": v for m, v in values.items()}


LOSS_MONTH = {
    "Start!B14": "Loss test: May 2024", "Start!B15": MAY_1, "Start!B16": MAY_31, "Start!B17": MAY_31,
    # tools: 500 a month, all for social -> 500
    f"{COSTS}!A{T.T_FIRST}": "Scheduler", f"{COSTS}!B{T.T_FIRST}": "Monthly", f"{COSTS}!C{T.T_FIRST}": 500,
    f"{COSTS}!D{T.T_FIRST}": 1,
    # ads: LinkedIn 6,000 + Facebook 2,000 = 8,000
    f"{COSTS}!A{T.A_FIRST}": MAY_8, f"{COSTS}!B{T.A_FIRST}": "LinkedIn", f"{COSTS}!C{T.A_FIRST}": "Awareness",
    f"{COSTS}!D{T.A_FIRST}": 6000,
    f"{COSTS}!A{T.A_FIRST + 1}": MAY_18, f"{COSTS}!B{T.A_FIRST + 1}": "Facebook", f"{COSTS}!C{T.A_FIRST + 1}": "Retargeting",
    f"{COSTS}!D{T.A_FIRST + 1}": 2000,
    # people: 50 x 100 h = 5,000; materials: a 400 ring light, all for social = 400; no agency
    f"{COSTS}!A{T.H_FIRST}": "Social media manager", f"{COSTS}!B{T.H_FIRST}": 50, f"{COSTS}!C{T.H_FIRST}": 100,
    f"{COSTS}!A{T.M_FIRST}": "Ring light", f"{COSTS}!B{T.M_FIRST}": 400, f"{COSTS}!C{T.M_FIRST}": 1,
    # -> total investment 500 + 8,000 + 5,000 + 400 = 13,900
    # this period: 500 subscribers (LinkedIn 100 organic + 300 paid, Facebook 100 paid), 60 leads
    **_perf_row(T.P_FIRST, 0, False, _metrics(20000, 40000, 800, 200, 100, 10, 5)),
    **_perf_row(T.P_FIRST, 0, True, _metrics(50000, 120000, 1000, 800, 300, 40, 10)),
    **_perf_row(T.P_FIRST, 2, True, _metrics(30000, 60000, 300, 400, 100, 10, 5)),
    # previous period: LinkedIn did better (1,000 subscribers, 110 leads); Facebook the same
    **_perf_row(T.PP_FIRST, 0, False, _metrics(25000, 50000, 1200, 300, 200, 20, 10)),
    **_perf_row(T.PP_FIRST, 0, True, _metrics(60000, 150000, 2000, 1500, 800, 90, 20)),
    **_perf_row(T.PP_FIRST, 2, True, _metrics(30000, 60000, 300, 400, 100, 10, 5)),
    # goal value: a subscriber is worth 10 % x $150 -> 500 x 15 = 7,500 = total return
    f"{VALUES}!A{T.V_FIRST}": "Newsletter subscriber", f"{VALUES}!B{T.V_FIRST}": "Subscribers",
    f"{VALUES}!C{T.V_FIRST}": 0.1, f"{VALUES}!D{T.V_FIRST}": 150, f"{VALUES}!F{T.V_FIRST}": "Yes",
    f"{VALUES}!B{T.V_LTV}": 150,
    # 6a: the previous period's money (ROI then (15,000 - 12,000) / 12,000 = 25 %); last year left empty
    f"{KPIS}!C{T.KROW['Total investment']}": 12000, f"{KPIS}!C{T.KROW['Ad spend']}": 7000,
    f"{KPIS}!C{T.KROW['Total return']}": 15000,
    # a goal of 200 leads in May: 60 -> off track
    f"{GOALS}!A{T.GL_FIRST}": "200 leads in May", f"{GOALS}!B{T.GL_FIRST}": "Leads",
    f"{GOALS}!C{T.GL_FIRST}": "All channels", f"{GOALS}!D{T.GL_FIRST}": 200, f"{GOALS}!E{T.GL_FIRST}": 50,
    f"{GOALS}!F{T.GL_FIRST}": MAY_1, f"{GOALS}!G{T.GL_FIRST}": MAY_31,
}
LOSS_ROI = (7_500 - 13_900) / 13_900  # -46.0 %


def filled_blank(dest: Path, inputs: dict) -> Path:
    book = xlroi.open(BLANK)
    for ref, value in inputs.items():
        book.set(ref, value)
    book.save(dest)
    return dest


@pytest.fixture(scope="module")
def loss_book(tmp_path_factory) -> Path:
    return filled_blank(tmp_path_factory.mktemp("loss") / "loss-may.xlsx", LOSS_MONTH)


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    report = make_report(EXAMPLE)
    return report, report_html(report)


@pytest.fixture(scope="module")
def loss(loss_book):
    report = make_report(loss_book)
    return report, report_html(report)


def _doc(html: str):
    return lxml.html.fromstring(html.encode("utf-8"))


def _text(node) -> str:
    return " ".join(node.text_content().split())


def close(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def _value(text: str):
    try:
        return float(text)
    except ValueError:
        return text


# -- the method's numbers, and every figure equal to its cell -------------------------------------

def test_example_shows_the_methods_numbers(example):
    report, html = example
    headline = _text(_doc(html).find_class("headline")[0])
    for number in ("176.9 %", "$65,000", "$180,000", "$115,000"):
        assert number in headline
    summary = _text(_doc(html).get_element_by_id("summary"))
    assert "an ROI of 176.9 %" in summary and "$180,000 on an investment of $65,000" in summary


@pytest.mark.parametrize("which", ["example", "loss"])
def test_every_figure_from_a_cell_equals_the_workbook(which, request):
    report, html = request.getfixturevalue(which)
    book = xlroi.open(EXAMPLE if which == "example" else request.getfixturevalue("loss_book"))
    figures = _doc(html).xpath("//span[@data-ref]")
    assert len(figures) > 200
    for span in figures:
        ref, shown = span.get("data-ref"), span.get("data-value")
        actual = book[ref]
        assert span.get("title", "").startswith(ref), ref
        if shown == "":  # no data: an empty cell, an empty text or a zero from an empty category, never shown as 0
            assert actual in (None, "", 0), f"{ref}: shown as no data but the workbook has {actual!r}"
            assert span.text_content() in ("no data", "deadline reached")
            continue
        if isinstance(actual, float) and float(actual).is_integer() and span.get("data-kind") == "date":
            assert close(float(shown), actual)
            continue
        assert close(_value(shown), actual) or str(actual) == shown, f"{ref}: report {shown!r}, workbook {actual!r}"


OPS = {
    "diff": lambda a, b: a - b,
    "pct_change": lambda a, b: (a - b) / abs(b),
    "share": lambda a, b: a / b,
    "ratio": lambda a, b: a / b,
}


@pytest.mark.parametrize("which", ["example", "loss"])
def test_derived_figures_are_worked_out_from_their_cells(which, request):
    """A change, a share, a ratio, a sum: recomputed here from the workbook's cells."""
    report, html = request.getfixturevalue(which)
    book = xlroi.open(EXAMPLE if which == "example" else request.getfixturevalue("loss_book"))
    checked = 0
    for span in _doc(html).xpath("//span[@data-op]"):
        op, refs, shown = span.get("data-op"), span.get("data-refs").split("|"), span.get("data-value")
        if shown == "" or op not in (*OPS, "sum"):
            continue
        values = [book[r] or 0 for r in refs if r != "…"]
        expected = sum(values) if op == "sum" else OPS[op](*values)
        assert close(float(shown), expected), f"{op}({refs}) = {shown}, expected {expected}"
        checked += 1
    assert checked > 50


def test_goal_run_rates_by_hand(example):
    report, _ = example
    goals = next(s for s in report.sections if s.id == "goals").tables[0]
    subscribers = next(row for row in goals.rows if "subscribers" in row[0][0].text)
    needed, current = subscribers[6], subscribers[7]
    assert close(current.value, 12_000 / 91 * 7)          # 12,000 in the 91 days of Q1 -> 923.1 a week
    assert close(needed.value, (20_000 - 12_000) / 91 * 7)  # 8,000 in the 91 days to 30 June -> 615.4 a week
    assert current.text == "923.1" and needed.text == "615.4"


def test_no_data_is_never_zero(example, loss):
    _, html = example
    stack = _doc(html).get_element_by_id("table-cost-stack")
    materials = next(tr for tr in stack.iter("tr") if "Materials" in _text(tr))
    assert "no data" in _text(materials) and "$0" not in _text(materials)
    _, html = loss
    agencies = next(tr for tr in _doc(html).get_element_by_id("table-cost-stack").iter("tr") if "Agencies" in _text(tr))
    assert "no data" in _text(agencies)
    benchmarks = _doc(html).get_element_by_id("table-kpis")
    assert "no data" in _text(benchmarks)


# -- the sentences are checked against the tables ------------------------------------------------

def test_the_build_fails_when_a_sentences_number_does_not_match(example):
    report, _ = example
    roi = next(p for p in report.summary[0].parts if isinstance(p, Figure) and p.ref == L.OVERALL_ROI)
    wrong = Figure(1.8, roi.kind, ref=roi.ref)                           # 180.0 % where the table shows 176.9 %
    report.summary.append(Sentence(["ROI was ", wrong, "."]))
    try:
        with pytest.raises(SummaryMismatch, match="180.0 %"):
            verify_sentences(report)
    finally:
        report.summary.pop()


@pytest.mark.parametrize("sentence, why", [
    (Sentence(["ROI was 176.9 %."]), "a number typed into the text"),
    (Sentence(["Reach ", Figure(440_000, "count", ref="'Step 3 Performance'!Z99"), "."]), "a cell in no table"),
    (Sentence(["Net ", Figure(115_000, "money"), "."]), "a figure without a cell"),
], ids=["literal number", "cell in no table", "no cell"])
def test_the_build_fails_on_unchecked_numbers(example, sentence, why):
    report, _ = example
    report.summary.append(sentence)
    try:
        with pytest.raises(SummaryMismatch):
            verify_sentences(report)
    finally:
        report.summary.pop()


def test_a_rule_that_misquotes_a_number_stops_the_build(monkeypatch):
    from xlroi.report import rules

    def overall(ctx):
        return Sentence(["ROI: ", Figure(ctx.key["roi"].value + 0.01, "percent", ref=L.OVERALL_ROI), "."])

    monkeypatch.setattr(rules, "overall", overall)
    with pytest.raises(SummaryMismatch, match="'Step 5 ROI'!B15"):
        make_report(EXAMPLE)


# -- the loss-making month -------------------------------------------------------------------------

def test_loss_month_reads_right(loss, loss_book):
    report, html = loss
    book = xlroi.open(loss_book)
    assert close(book["TotalInvestment"], 13_900) and close(book["TotalReturn"], 7_500)
    assert close(book["OverallROI"], LOSS_ROI)
    headline = _text(_doc(html).find_class("headline")[0])
    assert "−46.0 %" in headline and "$13,900" in headline and "$7,500" in headline and "−$6,400" in headline
    summary = _text(_doc(html).get_element_by_id("summary"))
    assert "lost money" in summary
    assert "What got worse against the previous period: ROI (" in summary
    assert "total return (−50.0 %)" in summary                     # 15,000 -> 7,500
    assert "LinkedIn: leads (−54.5 %)" in summary                  # 110 -> 50
    assert "Off track: ‘200 leads in May’" in summary
    worse = _text(_doc(html).get_element_by_id("worse"))
    assert "ROI: −46.0 % against 25.0 % in the previous period" in worse
    assert "LinkedIn lost money" in worse and "Facebook lost money" in worse


def test_the_example_says_nothing_got_worse_against_the_previous_period_but_names_what_did(example):
    _, html = example
    summary = _text(_doc(html).get_element_by_id("summary"))
    assert "Nothing got worse against the previous period." in summary
    assert "Worse than the same period last year: conversion rate (−10.6 %)" in summary
    worse = _text(_doc(html).get_element_by_id("worse"))
    assert "At risk" in worse and "Cost per lead is worse than the benchmark" in worse


def test_costs_are_never_green_for_rising(example):
    report, html = example
    doc = _doc(html)
    rows = {_text(tr.find("th")): tr for tr in doc.get_element_by_id("table-kpis").iter("tr") if tr.find("th") is not None}
    cpl = rows["Cost per lead"].findall("td")
    assert "v-worse" in cpl[-1].get("class") and "worse" in _text(cpl[-1]).lower()   # +16.1 % above the benchmark
    assert "v-better" in cpl[3].get("class") and "−18.8 %" in _text(cpl[3])            # cheaper than last period
    investment = rows["Total investment"].findall("td")
    assert "v-up" in investment[3].get("class")                                       # neutral, not green


# -- how it is made ------------------------------------------------------------------------------------

def test_charts_are_accessible_svg_with_the_same_data_in_tables(example):
    _, html = example
    doc = _doc(html)
    svgs = doc.xpath("//svg")
    assert len(svgs) >= 3
    ids = doc.xpath("//@id")
    assert len(ids) == len(set(ids)), "duplicate ids across the inline SVGs"
    for svg in svgs:
        assert svg.get("role") == "img"
        title_id, desc_id = svg.get("aria-labelledby").split()
        title, desc = doc.get_element_by_id(title_id), doc.get_element_by_id(desc_id)
        assert title.tag == "title" and desc.tag == "desc" and _text(title) and len(_text(desc)) > 20
        assert svg.get("width") is None and svg.get("viewbox") or svg.get("viewBox")
        caption = _text(svg.getparent().find("figcaption"))
        assert "the same data is in the table" in caption


def test_html_is_self_contained_and_prints_with_page_numbers(example):
    _, html = example
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)=["'](?!data:|#)""", html), "an external resource"
    assert "url(http" not in html and "@import" not in html
    assert "@page" in html and "counter(page)" in html and "counter(pages)" in html
    assert "break-inside: avoid" in html


def test_pdf_has_pages_from_the_same_html(example):
    import weasyprint

    from xlroi.report.render import render_pdf

    report, html = example
    data = render_pdf(html)
    assert data.startswith(b"%PDF")
    assert len(weasyprint.HTML(string=html).render().pages) >= 2


def test_appendix_has_the_hash_and_the_headline_formulas(example):
    import hashlib

    report, html = example
    appendix = _text(_doc(html).get_element_by_id("appendix"))
    assert hashlib.sha256(EXAMPLE.read_bytes()).hexdigest() in appendix
    assert "=IF(B12=0,\"\",ROI(B13,B12))" in appendix and "'Step 5 ROI'!B15" in appendix
    assert "'Step 6 KPIs'!D23:D32" in appendix   # the KPI table's this-period column, as one range


def test_stale_cached_values_are_never_reported(tmp_path):
    from conftest import stale_copy

    stale = stale_copy(EXAMPLE, tmp_path / "stale.xlsx", b"<v>65000</v>", b"<v>1</v>")
    report = make_report(stale)
    assert report.stale, "the copy caches a wrong total investment on the Start sheet"
    html = report_html(report)
    assert "$65,000" in _text(_doc(html).find_class("headline")[0])


# -- the command ----------------------------------------------------------------------------------------

def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "xlroi", *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


def test_cli_writes_html_and_pdf(tmp_path):
    html, pdf = tmp_path / "march.html", tmp_path / "march.pdf"
    assert run("report", EXAMPLE, "-o", html).returncode == 0
    result = run("report", EXAMPLE, "-o", pdf)
    assert result.returncode == 0, result.stderr
    assert pdf.read_bytes().startswith(b"%PDF") and "176.9 %" in html.read_text(encoding="utf-8")


def test_several_workbooks_make_a_folder_with_an_index(tmp_path, loss_book):
    out = tmp_path / "reports"
    written = write_reports([EXAMPLE, loss_book], out)
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "loss-may.html", "xlroi-template.html"]
    assert written.paths[-1].name == "index.html"
    index = _doc((out / "index.html").read_text(encoding="utf-8"))
    assert sorted(a.get("href") for a in index.xpath("//a")) == ["loss-may.html", "xlroi-template.html"]
    assert "176.9 %" in _text(index) and "−46.0 %" in _text(index)
    assert not list(tmp_path.glob(".reports.*")), "no staging folder left behind"


def test_brand_file(tmp_path):
    from PIL import Image

    Image.new("RGB", (40, 20), (11, 61, 145)).save(tmp_path / "logo.png")
    (tmp_path / "acme.json").write_text(json.dumps({
        "client": "Acme Corp", "title": "Monthly social-media ROI", "logo": "logo.png",
        "colors": {"primary": "#0B3D91", "accent": "#F28C28"}, "credit": False}))
    book = shutil.copy(EXAMPLE, tmp_path / "acme-march.xlsx")
    out = tmp_path / "acme.html"
    result = run("report", book, "-o", out, "--brand", tmp_path / "acme.json")
    assert result.returncode == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    assert "Acme Corp" in html and "Monthly social-media ROI" in html and "#0B3D91" in html
    assert 'src="data:image/png;base64,' in html
    assert "xlroi" not in html.lower(), "credit: false leaves xlroi's name out"


BAD_BRANDS = [
    ({"colors": {"primary": "blue"}}, "is not a colour"),
    ({"logo": "missing.png"}, "not found"),
    ({"client": 3}, "client must be text"),
    ({"colour": "#000000"}, "unknown keys"),
]


@pytest.mark.parametrize("brand, message", BAD_BRANDS, ids=[m for _, m in BAD_BRANDS])
def test_bad_brand_file_is_one_line(tmp_path, brand, message):
    (tmp_path / "b.json").write_text(json.dumps(brand))
    result = run("report", EXAMPLE, "-o", tmp_path / "r.html", "--brand", tmp_path / "b.json")
    assert result.returncode != 0 and message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r.html").exists()


def _not_a_template(tmp_path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["A1"] = "budget"
    path = tmp_path / "budget.xlsx"
    wb.save(path)
    return path


def _failing_checks(tmp_path) -> Path:
    book = xlroi.open(EXAMPLE)
    book.set(f"{COSTS}!B{T.A_FIRST}", None)   # an ad row without a channel: the channels no longer add up
    book.save(tmp_path / "unchecked.xlsx")
    return tmp_path / "unchecked.xlsx"


BAD_INPUT = [
    # (id, make the workbook, output name, exit status, words in the one line, is a report written)
    ("blank template", lambda tmp: BLANK, "r.html", 22, "nothing to report: fill steps 2–4 first", False),
    ("not an xlroi template", _not_a_template, "r.html", 21, "defined names missing: TotalInvestment", False),
    ("failing checks", _failing_checks, "r.html", 23, "the template's checks fail", True),
    ("missing workbook", lambda tmp: tmp / "nope.xlsx", "r.html", 3, "nope.xlsx", False),
    ("output folder missing", lambda tmp: EXAMPLE, "no/such/folder/r.html", 8, "does not exist", False),
    ("output not html or pdf", lambda tmp: EXAMPLE, "r.docx", 7, "written as .html or .pdf", False),
]


@pytest.mark.parametrize("make, name, status, words, written", [b[1:] for b in BAD_INPUT], ids=[b[0] for b in BAD_INPUT])
def test_bad_input_is_one_line_and_an_exit_status(tmp_path, make, name, status, words, written):
    out = tmp_path / name
    result = run("report", make(tmp_path), "-o", out)
    assert result.returncode == status, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], lines
    assert out.exists() == written
    assert not [p for p in tmp_path.rglob(".*.tmp")], "a half-written file was left behind"
    if written:
        html = out.read_text(encoding="utf-8")
        assert 'role="alert"' in html and "✗" in html


def test_unwritable_output_folder(tmp_path):
    import os

    if os.geteuid() == 0:   # root writes into a read-only folder; nobody creates files in /proc
        target = Path("/proc/xlroi-report.html")
    else:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)
        target = folder / "r.html"
    result = run("report", EXAMPLE, "-o", target)
    assert result.returncode == 8, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "cannot write" in result.stderr
    assert not target.exists()


def test_without_the_extra_the_command_says_how_to_install_it(tmp_path):
    code = ("import sys; sys.modules['jinja2'] = None; sys.modules['matplotlib'] = None; "
            "from xlroi.cli import main; main(['report', sys.argv[1], '-o', sys.argv[2]])")
    result = subprocess.run([sys.executable, "-c", code, str(EXAMPLE), str(tmp_path / "r.html")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 24
    assert result.stderr.strip().splitlines() == [
        "xlroi: error: xlroi report needs the optional 'report' dependencies (jinja2, matplotlib): "
        "pip install 'xlroi[report]'"]


def test_the_cli_without_the_extra_still_imports(tmp_path):
    code = ("import sys; sys.modules['jinja2'] = None; sys.modules['matplotlib'] = None; "
            "sys.modules['weasyprint'] = None; from xlroi.cli import main; main(['eval', sys.argv[1], 'OverallROI'])")
    result = subprocess.run([sys.executable, "-c", code, str(EXAMPLE)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.startswith("OverallROI\t1.769"), result.stderr


PROVENANCE = [
    # (refs, compressed, why)
    (["'S'!D19", "'S'!D20", "'S'!D21"], "'S'!D19:D21", "a column of consecutive cells is one range"),
    (["'S'!E22", "'S'!E23", "'S'!E28"], "'S'!E22:E23, E28", "a total row apart from the channels"),
    (["'S'!D19", "'T'!B4", "'S'!D20"], "'S'!D19:D20, 'T'!B4", "sheets apart, in order of first appearance"),
]


@pytest.mark.parametrize("refs, compressed, why", PROVENANCE, ids=[p[2] for p in PROVENANCE])
def test_appendix_writes_cells_as_ranges(refs, compressed, why):
    from xlroi.report.provenance import compress_refs

    assert compress_refs(refs) == compressed


def test_appendix_writes_a_repeated_derivation_once_with_its_fixed_cells():
    from xlroi.report.provenance import describe_derived

    shares = [f"'Step 2 Costs'!D{r} ÷ 'Step 5 ROI'!B12" for r in (41, 42, 43)]
    assert describe_derived(shares) == "= 'Step 2 Costs'!D{row} ÷ 'Step 5 ROI'!B12 for row 41–43"
