"""Strings in, exactly (issue 8, items 1–2): every control character, CR, CRLF, a literal
``_x0041_``, long and non-BMP text round-trip exactly through xlroi — read from a workbook by
both engines, set with ``--set``, computed by formulas, written back — and the output reads
back the same with a strict XML parser + ST_Xstring decoding, with openpyxl and with
LibreOffice.

Stored strings (shared or inline) reach the engines as the text they stand for (see
:mod:`xlroi.xlsx.cell_text`): without it IronCalc and formulas decode shared strings (formulas
only upper-case hex) and neither decodes inline strings.
"""
from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import xlroi
from xlroi.cli import main
from xlroi.testing import assert_valid_output
from xlroi.xlsx.cell_text import engine_safe
from xlroi.xlsx.package import NS_MAIN
from xlroi.xlsx.xstring import decode_xstring, encode_xstring

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import fuzz  # noqa: E402  (STRING_FRAGMENTS: the tricky texts the fuzz run uses too)

GOLDEN = Path(__file__).parent / "golden"
STRICT_PARSER = etree.XMLParser(recover=False, resolve_entities=False, no_network=True, huge_tree=True)
NS = {"m": NS_MAIN}

# ----------------------------------------------------------------------------------- workbooks
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>")
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>")
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Text" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
    "</Relationships>")


def write_book(path: Path, rows: list[list[tuple[str, str]]]) -> Path:
    """A workbook with one sheet "Text"; each cell is (kind, payload): "shared" / "inline" /
    "str" (stored text, already ST_Xstring-escaped, as raw XML), "formula" (formula text),
    "number"."""
    from xlroi.engines.ironcalc_engine import MINIMAL_STYLES

    shared: list[str] = []
    xml_rows = []
    for r, cells in enumerate(rows, start=1):
        xml_cells = []
        for c, (kind, payload) in enumerate(cells):
            ref = f"{chr(65 + c)}{r}"
            if kind == "shared":
                shared.append(payload)
                xml_cells.append(f'<c r="{ref}" t="s"><v>{len(shared) - 1}</v></c>')
            elif kind == "inline":
                xml_cells.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{payload}</t></is></c>')
            elif kind == "str":
                xml_cells.append(f'<c r="{ref}" t="str"><v>{payload}</v></c>')
            elif kind == "formula":
                xml_cells.append(f'<c r="{ref}"><f>{escape(payload)}</f></c>')
            else:
                xml_cells.append(f'<c r="{ref}"><v>{payload}</v></c>')
        xml_rows.append(f'<row r="{r}">{"".join(xml_cells)}</row>')
    sst = "".join(f'<si><t xml:space="preserve">{s}</t></si>' for s in shared)
    parts = {
        "[Content_Types].xml": _CONTENT_TYPES, "_rels/.rels": _ROOT_RELS, "xl/workbook.xml": _WORKBOOK,
        "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS, "xl/styles.xml": MINIMAL_STYLES.decode(),
        "xl/sharedStrings.xml": ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                                 f'<sst xmlns="{NS_MAIN}" count="{len(shared)}" uniqueCount="{len(shared)}">{sst}</sst>'),
        "xl/worksheets/sheet1.xml": ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                                     f'<worksheet xmlns="{NS_MAIN}"><sheetData>{"".join(xml_rows)}</sheetData></worksheet>'),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def stored(text: str) -> str:
    """``text`` as Excel stores it in a cell: ST_Xstring, then XML-escaped."""
    return escape(encode_xstring(text))


def cell_texts(path: Path) -> dict[str, str | None]:
    """ref → the text of each string cell of sheet 1, read with a strict XML parser (no
    recovery) and ST_Xstring decoding."""
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("xl/worksheets/sheet1.xml"), STRICT_PARSER)
    texts = {}
    for c in root.iterfind(".//m:sheetData/m:row/m:c", NS):
        if c.get("t") == "str":
            texts[c.get("r")] = decode_xstring(c.findtext("m:v", default="", namespaces=NS))
        elif c.get("t") == "inlineStr":
            texts[c.get("r")] = decode_xstring("".join(t.text or "" for t in c.iterfind(".//m:t", NS)))
    return texts


def openpyxl_texts(path: Path) -> dict[str, object]:
    """ref → the cached value openpyxl reads, decoded (openpyxl hands back ``_x000D_`` as it is)."""
    import openpyxl

    ws = openpyxl.load_workbook(path, data_only=True).worksheets[0]
    return {c.coordinate: decode_xstring(c.value) if isinstance(c.value, str) else c.value
            for row in ws.iter_rows() for c in row if c.value is not None}


# ----------------------------------------------------------------------------------- cases
LONG = "ab" * 16383 + "c"  # Excel's maximum: 32,767 characters
TEXTS = {
    **{f"CHAR({n})": chr(n) for n in range(1, 32)},
    "CR": "a\rb",
    "CRLF": "abc\r\ndef",
    "literal _x0041_": "_x0041_",
    "literal _x005F_x0041_": "p_x005F_x0041_q",
    "almost an escape": "_xABCD" + "\x07",
    "not hex": "_xZZZZ_",
    "non-BMP": "smile \U0001F600 and \U0010FFFD",
    "XML specials": "<a href=\"x\">&amp;</a> ]]>",
    "U+FFFE and U+FFFF": "\ufffe\uffff",
    "long": LONG,
}


# (as stored in the file, the text it stands for)
STORED = {
    "CR escaped": ("a_x000D_b", "a\rb"),
    "CR as a character reference": ("a&#13;b", "a\rb"),
    "BEL": ("x_x0007_y", "x\x07y"),
    "every control character": ("".join(f"_x{n:04X}_" for n in range(1, 32)), "".join(chr(n) for n in range(1, 32))),
    "CRLF": ("a_x000D__x000A_b", "a\r\nb"),
    "line feed written as a raw CRLF": ("a\r\nb_x000D_", "a\nb\r"),  # as Excel writes CHAR(10) (formulas__test TEXT!I8)
    "protected literal": ("p_x005F_x0041_q", "p_x0041_q"),
    "escaped letter": ("_x0041_", "A"),
    "lower-case hex": ("a_x000d_b", "a\rb"),
    "surrogate pair": ("_xD83D__xDE00_", "\U0001F600"),
    "plain": ("plain text", "plain text"),
}


@pytest.mark.parametrize("engine", ["fast", "formulas"])
@pytest.mark.parametrize("storage", ["shared", "inline"])
@pytest.mark.parametrize("case", list(STORED), ids=list(STORED))
def test_engines_read_stored_strings_as_the_text_they_stand_for(tmp_path, engine, storage, case):
    raw, text = STORED[case]
    book = xlroi.open(write_book(tmp_path / "in.xlsx", [[(storage, raw), ("formula", "A1"), ("formula", "LEN(A1)")]]),
                      engine=engine)
    assert (book["A1"], book["B1"]) == (text, text)
    if all(ord(ch) < 0x10000 for ch in text):  # LEN counts UTF-16 units in Excel: leave non-BMP aside
        assert book["C1"] == len(text)


def test_the_engines_need_the_decoding(tmp_path):
    """What the engines do on their own (IronCalc 0.9.1, formulas 1.3.4): why cell_text exists.
    If this changes, an engine upgrade changed how it reads strings."""
    import ironcalc

    path = write_book(tmp_path / "raw.xlsx", [[("shared", "a_x000D_b"), ("inline", "a_x000D_b")]])
    model = ironcalc.load_from_xlsx(str(path), "en", "UTC", "en")
    assert (model.get_cell_value(0, 1, 1), model.get_cell_value(0, 1, 2)) == ("a\rb", "a_x000D_b")


@pytest.mark.parametrize("engine", ["fast", "formulas"])
def test_formula_results_round_trip_exactly(tmp_path, engine):
    formulas = [f"CHAR({n})" for n in range(1, 32)] + [
        '"abc"&CHAR(13)&CHAR(10)&"def"', '"_x0041_"', '"p_x005F_x0041_"', 'REPT("ab",16383)&"c"',
        '"smile "&"\U0001F600"', '"<&>"&CHAR(7)&"_x000D_"']
    expected = [chr(n) for n in range(1, 32)] + ["abc\r\ndef", "_x0041_", "p_x005F_x0041_", LONG, "smile \U0001F600",
                                                 "<&>\x07_x000D_"]
    source = write_book(tmp_path / "in.xlsx", [[("formula", f)] for f in formulas])
    out = tmp_path / "out.xlsx"
    book = xlroi.open(source, engine=engine)
    assert [book[f"A{i}"] for i in range(1, len(formulas) + 1)] == expected
    book.save(out)
    refs = [f"A{i}" for i in range(1, len(formulas) + 1)]
    assert [cell_texts(out)[r] for r in refs] == expected
    assert [openpyxl_texts(out)[r] for r in refs] == expected
    again = xlroi.open(out, engine=engine)
    assert [again[r] for r in refs] == expected and again.check().ok
    assert_valid_output(source, out, engine=engine)


@pytest.mark.parametrize("case", list(TEXTS), ids=list(TEXTS))
def test_set_text_round_trips_exactly(tmp_path, case):
    """``--set`` text into an existing cell and into an empty one (a cell added to the sheet),
    picked up by a formula, written back and read again."""
    text = TEXTS[case]
    source = write_book(tmp_path / "in.xlsx", [[("shared", "old"), ("formula", "A1&\"\"")], [("number", "1")]])
    out = tmp_path / "out.xlsx"
    quoted = '"' + text.replace('"', '""') + '"'
    result = CliRunner().invoke(main, ["recalc", str(source), "-o", str(out), "--set", f"A1={quoted}",
                                       "--set", f"C5={quoted}"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert {r: cell_texts(out).get(r) for r in ("A1", "B1", "C5")} == {"A1": text, "B1": text, "C5": text}
    assert {r: openpyxl_texts(out).get(r) for r in ("A1", "B1", "C5")} == {"A1": text, "B1": text, "C5": text}
    for engine in ("fast", "formulas"):
        again = xlroi.open(out, engine=engine)
        assert (again["A1"], again["B1"], again["C5"]) == (text, text, text)
    assert_valid_output(source, out, only_values=False)


texts = st.lists(
    st.one_of(st.sampled_from(fuzz.STRING_FRAGMENTS),
              st.text(st.characters(min_codepoint=1, blacklist_categories=("Cs",)), max_size=4)),
    min_size=1, max_size=10,
).map("".join).filter(lambda s: s and not s.startswith("="))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(first=texts, second=texts)
def test_any_text_round_trips_exactly(tmp_path_factory, first, second):
    folder = tmp_path_factory.mktemp("text")
    source = write_book(folder / "in.xlsx", [[("inline", stored(first)), ("formula", "A1"), ("formula", 'A1&"|"&A3')],
                                             [("number", "1")], [("shared", stored(second))]])
    out = folder / "out.xlsx"
    book = xlroi.open(source)
    assert (book["A1"], book["A3"], book["B1"], book["C1"]) == (first, second, first, f"{first}|{second}")
    book.set("A3", first)   # an existing cell
    book.set("D7", second)  # a cell the sheet does not have yet
    book.save(out)
    expected = {"A1": first, "B1": first, "C1": f"{first}|{first}", "A3": first, "D7": second}
    assert {r: cell_texts(out).get(r) for r in expected} == expected
    assert {r: openpyxl_texts(out).get(r) for r in expected} == expected
    again = xlroi.open(out)
    assert {r: again[r] for r in expected} == expected
    assert again.check().ok
    assert_valid_output(source, out, only_values=False)


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(text=texts)
def test_both_engines_see_the_same_text(tmp_path_factory, text):
    """The differential test for strings: both engines read each storage alike."""
    folder = tmp_path_factory.mktemp("differential")
    source = write_book(folder / "in.xlsx", [[("shared", stored(text)), ("inline", stored(text)), ("formula", "A1&B1")]])
    fast, reference = xlroi.open(source), xlroi.open(source, engine="formulas")
    assert [fast[r] for r in ("A1", "B1", "C1")] == [reference[r] for r in ("A1", "B1", "C1")] == [text, text, text * 2]


@pytest.mark.parametrize("text, safe", [
    ("plain", "plain"),
    ("\ud83d\ude00", "\U0001F600"),  # two escaped halves of one character: joined
    ("a\ud83db", "a\ufffdb"),         # a lone half no engine can hold
], ids=["plain", "pair", "lone"])
def test_engine_safe_text(text, safe):
    assert engine_safe(text) == safe


@pytest.mark.slow
def test_the_issue_workbook_recalculates_to_well_formed_xml(tmp_path):
    """Issue 8's case: formulas__test.xlsx (TEXT!Y7 = CHAR(1)) used to come back with a raw
    control character in xl/worksheets/sheet14.xml."""
    source, out = GOLDEN / "formulas__test.xlsx", tmp_path / "out.xlsx"
    book = xlroi.open(source)
    book.save(out)
    with zipfile.ZipFile(out) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(archive.read(name), STRICT_PARSER)
        sheet = archive.read("xl/worksheets/sheet14.xml")
    root = etree.fromstring(sheet, STRICT_PARSER)
    y7 = root.find(".//m:c[@r='Y7']", NS)
    assert (y7.get("t"), y7.findtext("m:v", namespaces=NS)) == ("str", "_x0001_")
    assert book["TEXT!Y7"] == "\x01"
    assert_valid_output(source, out)


@pytest.mark.slow
@pytest.mark.libreoffice
def test_libreoffice_reads_the_texts_back(tmp_path):
    """LibreOffice (headless, cached values) shows every text xlroi wrote, exactly — with one
    difference of its own: in a text cell (not a formula result) it keeps a CRLF line break as
    LF, also when Excel stored it (``a_x000D_`` + LF in sharedStrings.xml; measured on
    LibreOffice 7.4). There CRLF is compared as LF; a lone CR and formula results are exact."""
    from xlroi.xlsx.validate import libreoffice_csv

    import csv

    formulas = [f"CHAR({n})" for n in range(1, 32)] + ['"abc"&CHAR(13)&CHAR(10)&"def"', '"_x0041_"', '"p_x005F_x0041_"']
    source = write_book(tmp_path / "in.xlsx", [[("formula", f), ("number", "0")] for f in formulas])
    book = xlroi.open(source)
    names = list(TEXTS)
    for i, name in enumerate(names, start=1):
        book.set(f"B{i}", TEXTS[name])
    out = tmp_path / "out.xlsx"
    book.save(out)
    expected_a = [chr(n) for n in range(1, 32)] + ["abc\r\ndef", "_x0041_", "p_x005F_x0041_"]
    expected_b = [TEXTS[n] for n in names]
    (text,) = libreoffice_csv(out, tmp_path / "lo").values()
    rows = list(csv.reader(io.StringIO(text, newline="")))
    got_a = [row[0] if row else "" for row in rows][: len(expected_a)]
    got_b = [row[1] if len(row) > 1 else "" for row in rows][: len(expected_b)]
    assert got_a == expected_a  # formula results: exact, CRLF included
    assert [(n, g) for n, g, t in zip(names, got_b, expected_b) if g != t.replace("\r\n", "\n")] == []
    assert_valid_output(source, out, only_values=False, libreoffice=True)


@pytest.mark.parametrize("engine", ["fast", "formulas"])
def test_an_array_result_holding_escaped_text_recalculates_the_same_again(tmp_path, engine):
    """Found by the fuzz run's oracle: an array formula whose result holds a control character
    (C44:C47 = IFERROR(G4:G7/H4:H7, F4:F7) over an escaped shared string). Its cells are cached
    as t="str" without a formula; read as constants they would block the array (#SPILL!) on the
    second recalculation."""
    source, out = tmp_path / "iferror.xlsx", tmp_path / "out.xlsx"
    with zipfile.ZipFile(GOLDEN / "ironcalc__IFERROR.xlsx") as zin, zipfile.ZipFile(source, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/sharedStrings.xml":
                data = data.replace(b"<t>Date</t>", b"<t>Da_x0007_te_x005F_xD83D_</t>", 1)
            zout.writestr(info, data)
    # The input was edited behind Excel's back: the cached values are no longer Excel's own
    # results for the file's inputs, so they are no second opinion (excel_values=False).
    book = xlroi.open(source, engine=engine, excel_values=False)
    assert [book[f"C{r}"] for r in (44, 47)] == [20, "Da\x07te_xD83D_"]
    book.save(out)
    again = xlroi.open(out, engine=engine, excel_values=False)
    assert [again[f"C{r}"] for r in (44, 47)] == [20, "Da\x07te_xD83D_"]
    assert_valid_output(source, out, engine=engine)
