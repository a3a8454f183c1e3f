"""Hostile and broken workbooks (issue 5): every case is a file the test builds.

For each, every command gives one clear line on stderr and a documented exit status, never a
traceback; the input is untouched (sha256 before and after) and no partial output is left.
"""
from __future__ import annotations

import errno
import io
import os
import re
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner

import xlroi
from xlroi.cli import main
from xlroi.engines.base import NotEvaluated
from xlroi.errors import BadReference, BadValue, NotAWorkbook, OutputError, UnsafeWorkbook, XlroiError
from xlroi.xlsx.package import Limits, read_package

from conftest import sha256

# --------------------------------------------------------------------------------------------
# A minimal workbook written byte by byte (so each test controls exactly what is in it)
# --------------------------------------------------------------------------------------------
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b"</Types>"
)
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    b"</Relationships>"
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b"</Relationships>"
)


def workbook_xml(names: dict[str, str] | None = None, calc_pr: str = "") -> bytes:
    defined = "".join(f'<definedName name="{n}">{escape(f)}</definedName>' for n, f in (names or {}).items())
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets>'
        f"{'<definedNames>' + defined + '</definedNames>' if defined else ''}{calc_pr}</workbook>"
    ).encode()


def sheet_xml(cells: dict[str, object], dimension: str | None = None, head: str = "") -> bytes:
    """``cells``: ref → number, or "=formula" (no cached value)."""
    rows: dict[int, list[str]] = {}
    for ref, value in cells.items():
        row = int(re.sub(r"[A-Z]+", "", ref))
        if isinstance(value, str) and value.startswith("="):
            xml = f'<c r="{ref}"><f>{escape(value[1:])}</f></c>'
        else:
            xml = f'<c r="{ref}"><v>{value}</v></c>'
        rows.setdefault(row, []).append(xml)
    data = "".join(f'<row r="{r}">{"".join(c)}</row>' for r, c in sorted(rows.items()))
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{head}'
            f'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dim}'
            f"<sheetData>{data}</sheetData></worksheet>").encode()


def package_parts(cells: dict[str, object] | None = None, **replace: bytes | None) -> dict[str, bytes | None]:
    parts: dict[str, bytes | None] = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": workbook_xml(),
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet_xml(cells if cells is not None else {"A1": 2, "A2": "=A1*3"}),
    }
    for name, data in replace.items():  # xl__worksheets__sheet1_xml → xl/worksheets/sheet1.xml
        name = name.replace("__", "/")
        for suffix in ("xml", "rels"):
            if name.endswith("_" + suffix):
                name = name[: -len(suffix) - 1] + "." + suffix
        parts[name] = data
    return parts


def zip_bytes(parts: dict[str, bytes | None], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in parts.items():
            if data is not None:
                archive.writestr(name, data)
    return buffer.getvalue()


def make_book(folder: Path, name: str = "book.xlsx", cells=None, **replace) -> Path:
    path = folder / name
    path.write_bytes(zip_bytes(package_parts(cells, **replace)))
    return path


# --------------------------------------------------------------------------------------------
# Running a command: one line, an exit status, no traceback, input untouched, nothing left over
# --------------------------------------------------------------------------------------------
def run_cli(*args, env: dict | None = None):
    runner = CliRunner()
    return runner.invoke(main, [str(a) for a in args], catch_exceptions=False, env=env)


def assert_clean_failure(result, code: int, *words: str) -> str:
    """The command failed with ``code`` and one line on stderr that contains ``words``."""
    assert result.exit_code == code, (result.exit_code, result.output)
    lines = result.stderr.strip().splitlines()
    if code == 2 and lines and lines[0].startswith("Usage:"):  # click's own usage error
        lines = [line for line in lines if line.startswith("Error:")]
        assert len(lines) == 1 and "Traceback" not in result.output, result.stderr
        return lines[0]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("xlroi: error: ") or (code == 2 and lines[0].startswith("Error:")), lines[0]
    assert "Traceback" not in result.output
    for word in words:
        assert word.lower() in lines[0].lower(), (word, lines[0])
    return lines[0]


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def every_command(book: Path, out: Path):
    """The commands that read a workbook, each as argument lists."""
    return {
        "recalc": ["recalc", book, "-o", out],
        "recalc-in-place": ["recalc", book, "--in-place"],
        "eval": ["eval", book, "A1"],
        "check": ["check", book],
        "compare": ["compare", book],
    }


# --------------------------------------------------------------------------------------------
# Not a workbook, or a damaged one
# --------------------------------------------------------------------------------------------
def _valid() -> bytes:
    return zip_bytes(package_parts(), method=zipfile.ZIP_STORED)


def _bad_crc() -> bytes:
    data = bytearray(_valid())
    marker = data.find(b"<sheetData>")  # stored, so the sheet's bytes are in the file as is
    data[marker + 1] ^= 0x20
    return bytes(data)


def _ole(*streams: str) -> bytes:
    # An OLE (Compound File) header followed by directory entries' UTF-16 names: enough for
    # the sniffing, and exactly how Excel's encrypted packages and .xls files start.
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + struct.pack("<HH", 0x3E, 3) + b"\x00" * 476
    return header + b"".join(s.encode("utf-16-le") + b"\x00\x00" for s in ("Root Entry", *streams)) + b"\x00" * 512


def _ods() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", b"<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", b"<manifest/>")
    return buffer.getvalue()


NOT_WORKBOOKS = {
    "empty-file": (b"", 4, ["not an .xlsx"]),
    "random-bytes": (bytes(range(256)) * 8, 4, ["not an .xlsx"]),
    "csv-renamed": (b"name,spend,return\nLinkedIn,1000,2500\n", 4, ["text", "csv"]),
    "truncated-zip": (_valid()[: len(_valid()) // 2], 4, ["damaged"]),
    "zip-header-only": (b"PK\x03\x04" + b"\x00" * 26, 4, ["damaged"]),
    "bad-crc": (_bad_crc(), 4, ["damaged", "sheet1.xml"]),
    "zip-without-workbook": (zip_bytes({"hello.txt": b"hi"}), 4, ["no workbook part"]),
    "xlsb": (zip_bytes({"xl/workbook.bin": b"\x00", "_rels/.rels": b"<Relationships/>"}), 4, [".xlsb"]),
    "ods": (_ods(), 4, [".ods"]),
    "xls-ole": (_ole("Workbook", "\x05SummaryInformation"), 4, [".xls"]),
    "encrypted-ole": (_ole("EncryptedInfo", "EncryptedPackage", "\x06DataSpaces"), 4, ["password-protected"]),
    "workbook-not-xml": (zip_bytes(package_parts(xl__workbook_xml=b"\x00\xff not xml")), 4, ["not well-formed"]),
    "zip-encrypted-entry": (None, 4, ["cannot be read"]),
}


def _zip_with_encrypted_entry() -> bytes:
    data = bytearray(_valid())
    # set the "encrypted" flag of every entry: zipfile then refuses to read without a password
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            data[start + offset] |= 0x01
            start += 4
    return bytes(data)


NOT_WORKBOOKS["zip-encrypted-entry"] = (_zip_with_encrypted_entry(), 4, ["cannot be read"])


@pytest.mark.parametrize("case", list(NOT_WORKBOOKS), ids=list(NOT_WORKBOOKS))
@pytest.mark.parametrize("command", ["recalc", "recalc-in-place", "eval", "check", "compare"])
def test_not_a_workbook(tmp_path, case, command):
    content, code, words = NOT_WORKBOOKS[case]
    book = tmp_path / "input.xlsx"
    book.write_bytes(content)
    before = sha256(book)
    out = tmp_path / "out.xlsx"
    result = run_cli(*every_command(book, out)[command])
    line = assert_clean_failure(result, code, *words)
    assert "input.xlsx" in line
    assert sha256(book) == before
    assert files_in(tmp_path) == {"input.xlsx"}


def test_missing_file_and_directory(tmp_path):
    assert_clean_failure(run_cli("recalc", tmp_path / "nope.xlsx", "-o", tmp_path / "o.xlsx"), 3, "no such file")
    (tmp_path / "dir.xlsx").mkdir()
    assert_clean_failure(run_cli("eval", tmp_path / "dir.xlsx", "A1"), 2)  # click: "is a directory"


# --------------------------------------------------------------------------------------------
# XML attacks
# --------------------------------------------------------------------------------------------
SECRET = "xlroi-secret-7f3a9c"


@pytest.fixture
def secret_file(tmp_path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


def _xxe_sheet(secret: Path) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file://{secret}"><!ENTITY net SYSTEM "http://127.0.0.1:9/x">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;&net;</t></is></c><c r="B1"><f>LEN(A1)</f></c></row>'
        "</sheetData></worksheet>"
    ).encode()


def _laughs(part_root: str) -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    return (f'<?xml version="1.0"?>\n<!DOCTYPE {part_root} [{entities}]>'
            f'<{part_root} xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">&lol9;</{part_root}>').encode()


def _xml_attacks(secret: Path) -> dict[str, dict[str, bytes]]:
    return {
        "xxe-in-sheet": {"xl__worksheets__sheet1.xml": _xxe_sheet(secret)},
        "xxe-in-workbook": {"xl__workbook.xml": workbook_xml().replace(
            b"?>\n", f'?>\n<!DOCTYPE workbook [<!ENTITY x SYSTEM "file://{secret}">]>'.encode(), 1)},
        "xxe-in-shared-strings": {"xl__sharedStrings.xml": (
            f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY x SYSTEM "file://{secret}">]>'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&x;</t></si></sst>').encode()},
        "xxe-in-rels": {"_rels__.rels": ROOT_RELS.replace(
            b"?>\n", f'?>\n<!DOCTYPE Relationships [<!ENTITY x SYSTEM "file://{secret}">]>'.encode(), 1)},
        "billion-laughs-sheet": {"xl__worksheets__sheet1.xml": _laughs("worksheet")},
        "billion-laughs-styles": {"xl__styles.xml": _laughs("styleSheet")},
        "lowercase-doctype": {"xl__worksheets__sheet1.xml": sheet_xml({"A1": 1}).replace(b"?>\n", b"?>\n<!doctype worksheet>")},
    }


XML_ATTACKS = ["xxe-in-sheet", "xxe-in-workbook", "xxe-in-shared-strings", "xxe-in-rels",
               "billion-laughs-sheet", "billion-laughs-styles", "lowercase-doctype"]


@pytest.mark.parametrize("case", XML_ATTACKS)
@pytest.mark.parametrize("engine", ["fast", "formulas"])
def test_xml_attacks_are_refused_and_read_nothing(tmp_path, secret_file, case, engine):
    book = make_book(tmp_path, "input.xlsx", **_xml_attacks(secret_file)[case])
    before = sha256(book)
    out = tmp_path / "out.xlsx"
    result = run_cli("recalc", book, "-o", out, "--engine", engine)
    assert_clean_failure(result, 5, "DTD", "refused")
    assert SECRET not in result.output
    assert not out.exists() and sha256(book) == before
    eval_result = run_cli("eval", book, "B1", "--engine", engine)
    assert eval_result.exit_code == 5 and SECRET not in eval_result.output


def test_xml_attack_in_a_part_xlroi_never_parses_is_refused_too(tmp_path, secret_file):
    """Even a part nobody needs (a custom XML part) may not declare a DTD: an engine or a later
    tool might parse it."""
    book = make_book(tmp_path, "input.xlsx", customXml__item1_xml=_xxe_sheet(secret_file))
    with pytest.raises(UnsafeWorkbook, match="customXml/item1.xml declares a DTD"):
        xlroi.open(book)


def test_api_reads_no_local_file_through_any_engine(tmp_path, secret_file):
    """Belt and braces: parsers themselves, if handed the XXE part, do not resolve it."""
    from xlroi.xlsx.package import parse_xml

    with pytest.raises(UnsafeWorkbook):
        parse_xml(_xxe_sheet(secret_file), "sheet1.xml")
    import defusedxml  # openpyxl (used by the formulas engine) is hardened when defusedxml is installed
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML and defusedxml


@pytest.mark.parametrize("depth", [300, 100_000])
def test_deeply_nested_elements(tmp_path, depth):
    nested = "<extLst>" * depth + "</extLst>" * depth
    book = make_book(tmp_path, "input.xlsx", xl__workbook_xml=workbook_xml().replace(b"</workbook>", nested.encode() + b"</workbook>"))
    before = sha256(book)
    result = run_cli("recalc", book, "-o", tmp_path / "out.xlsx")
    assert_clean_failure(result, 4, "not well-formed")
    assert sha256(book) == before and not (tmp_path / "out.xlsx").exists()


@pytest.mark.parametrize("engine", ["fast", "formulas"])
def test_deeply_nested_elements_in_a_sheet(tmp_path, engine):
    depth = 50_000
    nested = ("<x>" * depth + "</x>" * depth).encode()
    sheet = sheet_xml({"A1": 1, "A2": "=A1+1"}).replace(b"</sheetData>", b"</sheetData>" + nested)
    book = make_book(tmp_path, "input.xlsx", xl__worksheets__sheet1_xml=sheet)
    before = sha256(book)
    result = run_cli("recalc", book, "-o", tmp_path / "out.xlsx", "--engine", engine)
    if result.exit_code == 0:  # an engine may skip the unknown element: then the value is right
        assert run_cli("eval", tmp_path / "out.xlsx", "A2", "--engine", engine).stdout.strip() == "A2\t2"
    else:
        assert_clean_failure(result, 9)
        assert not (tmp_path / "out.xlsx").exists()
    assert sha256(book) == before


# --------------------------------------------------------------------------------------------
# Zip bombs and limits
# --------------------------------------------------------------------------------------------
def _bomb(part_bytes: int) -> bytes:
    """A workbook whose sheet part is ``part_bytes`` of spaces (valid XML, compresses ~1000×)."""
    parts = package_parts()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            if name != "xl/worksheets/sheet1.xml":
                archive.writestr(name, data)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as stream:
            chunk = b" " * (1 << 20)
            stream.write(parts["xl/worksheets/sheet1.xml"].replace(b"<sheetData>", b"<sheetData>" + b" " * 10))
            for _ in range(part_bytes >> 20):
                stream.write(chunk)
    return buffer.getvalue()


def _lying_sizes() -> bytes:
    """The central directory and local header claim the sheet is 200 bytes; it inflates to 64 MiB."""
    data = bytearray(_bomb(64 << 20))
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = data.find(signature + b"")
        while start >= 0:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at:name_at + len(name)] == name:
                extra_len_at = start + (28 if signature == b"PK\x03\x04" else 30)
                if struct.unpack_from("<I", data, start + size_at)[0] == 0xFFFFFFFF or struct.unpack_from("<H", data, extra_len_at)[0]:
                    # zip64 sizes live in the extra field: write the lie there too
                    extra_at = name_at + len(name)
                    (extra_len,) = struct.unpack_from("<H", data, extra_len_at)
                    field = data.find(b"\x01\x00", extra_at, extra_at + extra_len)
                    if field >= 0:
                        struct.pack_into("<Q", data, field + 4, 200)
                struct.pack_into("<I", data, start + size_at, 200)
            start = data.find(signature, start + 4)
    return bytes(data)


def _many_parts(count: int) -> bytes:
    parts = package_parts()
    parts.update({f"xl/media/p{i}.bin": b"" for i in range(count)})
    return zip_bytes(parts, method=zipfile.ZIP_STORED)


BOMBS = {
    "part-expands-1000x": (lambda: _bomb(40 << 20), {}, ["zip bomb"]),
    "part-over-size-limit": (lambda: _bomb(3 << 20), {"XLROI_MAX_PART_BYTES": str(2 << 20)}, ["over the limit"]),
    "total-over-limit": (lambda: _bomb(3 << 20), {"XLROI_MAX_TOTAL_BYTES": str(2 << 20)}, ["over the limit"]),
    "too-many-parts": (lambda: _many_parts(10_001), {}, ["parts, more than the limit of 10,000"]),
    "too-many-parts-env": (lambda: _many_parts(60), {"XLROI_MAX_PARTS": "50"}, ["more than the limit of 50"]),
    "lying-sizes": (_lying_sizes, {}, []),
}


@pytest.mark.parametrize("case", list(BOMBS), ids=list(BOMBS))
def test_zip_bombs_are_refused_before_the_memory_is_spent(tmp_path, case):
    import tracemalloc

    build, env, words = BOMBS[case]
    book = tmp_path / "input.xlsx"
    book.write_bytes(build())
    before = sha256(book)
    tracemalloc.start()
    try:
        result = run_cli("recalc", book, "-o", tmp_path / "out.xlsx", env=env)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # lying sizes: zipfile stops at the declared size and the CRC check fails (4), or our own
    # count of the bytes that come out does (5): refused either way, with little memory spent
    assert_clean_failure(result, 5 if case != "lying-sizes" else result.exit_code, *words)
    assert result.exit_code in (4, 5)
    assert peak < 16 * book.stat().st_size + (24 << 20), f"{peak:,} bytes allocated"
    assert sha256(book) == before and files_in(tmp_path) == {"input.xlsx"}


def test_limits_through_the_api_and_bad_environment_values(tmp_path, monkeypatch):
    book = make_book(tmp_path)
    with pytest.raises(UnsafeWorkbook, match="more than the limit of 3"):
        read_package(book, Limits(max_parts=3))
    with pytest.raises(UnsafeWorkbook, match="over the limit"):
        xlroi.open(book, limits=Limits(max_total_bytes=100))
    monkeypatch.setenv("XLROI_MAX_RATIO", "lots")
    with pytest.raises(XlroiError, match="XLROI_MAX_RATIO"):
        xlroi.open(book)
    result = run_cli("eval", book, "A2", env={"XLROI_MAX_RATIO": "-1"})
    assert_clean_failure(result, 2, "XLROI_MAX_RATIO", "positive")
    monkeypatch.setenv("XLROI_MAX_RATIO", "1_000")
    assert xlroi.open(book)["A2"] == 6


# --------------------------------------------------------------------------------------------
# Absurd dimensions and whole-column formulas
# --------------------------------------------------------------------------------------------
def _peak_rss_of(code: str) -> tuple[int, str]:
    """Run ``code`` in a child Python; its peak resident memory in bytes and its stdout."""
    # VmHWM is the peak of this process's own memory since exec. ru_maxrss is not: Linux keeps
    # the larger of it and the forking parent's resident size at exec, so a big test process
    # (pytest after hours of fuzzing) would be measured instead of the child.
    wrapper = code + ("\nimport re, resource\ntry:\n    kb = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))"
                      "\nexcept OSError:\n    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\nprint('RSS', kb)")
    out = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).parent)
    assert out.returncode == 0, out.stderr[-2000:]
    rss = int(re.search(r"RSS (\d+)", out.stdout).group(1)) * 1024
    return rss, out.stdout


ABSURD = {
    # engine: (formulas, expected values, peak memory allowed)
    "fast": ({"B1": "=SUM(A:A)", "B2": "=SUMPRODUCT(A:A,A:A)", "B3": "=MAX(A1:A1048576)"}, "1275.0 42925.0 50.0", 768 << 20),  # measured ~300 MB: SUMPRODUCT materialises 2 columns
    # ``formulas`` materialises a whole column as a 1,048,576-row array: ~800 MB, measured
    "formulas": ({"B1": "=SUM(A:A)", "B2": "=SUMPRODUCT(A1:A50,A1:A50)", "B3": "=MAX(A1:A50)"}, "1275.0 42925.0 50", 1200 << 20),
}


@pytest.mark.parametrize("engine", ["fast", "formulas"])
def test_absurd_dimension_and_whole_column_formula(tmp_path, engine):
    formulas, values, allowed = ABSURD[engine]
    cells = {f"A{r}": r for r in range(1, 51)} | formulas
    book = make_book(tmp_path, "input.xlsx", xl__worksheets__sheet1_xml=sheet_xml(cells, dimension="A1:XFD1048576"))
    before = sha256(book)
    code = (f"import xlroi; wb = xlroi.open({str(book)!r}, engine={engine!r});"
            f"print('VALUES', wb['B1'], wb['B2'], wb['B3']); wb.save({str(tmp_path / 'out.xlsx')!r})")
    rss, stdout = _peak_rss_of(code)
    assert f"VALUES {values}" in stdout, stdout
    assert rss < allowed, f"peak RSS {rss / 2**20:.0f} MiB"
    assert sha256(book) == before


# --------------------------------------------------------------------------------------------
# Formulas: broken, unknown, circular, long, deep
# --------------------------------------------------------------------------------------------
LONG = "+".join(["A1"] * 2730)  # 8,189 characters
FORMULA_CASES = {
    # name: (cells, expectations ref → value, or a NotEvaluated reason's start)
    "does-not-parse": ({"A1": 1, "A2": "=A1+*(", "A3": "=A1+1"}, {"A2": "formula could not be parsed", "A3": 2}),
    "unknown-function": ({"A1": 1, "A2": "=NOSUCHFUNCTION(A1)", "A3": "=A1+1"}, {"A2": "#NAME?", "A3": 2}),
    "missing-sheet": ({"A1": 1, "A2": "=Nowhere!A1+1", "A3": "=A1+1"}, {"A2": "#REF!", "A3": 2}),
    "circular": ({"A1": "=A2+1", "A2": "=A1+1", "A3": "=A3", "A4": "=A1*2", "B1": 5, "B2": "=B1*2"},
                 {"A1": "circular reference", "A2": "circular reference", "A3": "circular reference",
                  "A4": "circular reference", "B2": 10}),
    "long-8192": ({"A1": 1, "A2": "=" + LONG}, {"A2": 2730}),
    "nesting-64": ({"A1": 1, "A2": "=" + "ABS(" * 64 + "A1" + ")" * 64, "A3": "=" + "(" * 64 + "A1" + ")" * 64},
                   {"A2": 1, "A3": 1}),
}


@pytest.mark.parametrize("engine", ["fast", "formulas"])
@pytest.mark.parametrize("case", list(FORMULA_CASES), ids=list(FORMULA_CASES))
def test_bad_formulas_are_reported_per_cell(tmp_path, case, engine):
    cells, expected = FORMULA_CASES[case]
    book = make_book(tmp_path, "input.xlsx", cells=cells)
    before = sha256(book)
    wb = xlroi.open(book, engine=engine)
    for ref, want in expected.items():
        got = wb[ref]
        if isinstance(want, str) and want.startswith("#"):
            assert str(got) == want, (ref, got)
        elif isinstance(want, str):
            assert isinstance(got, NotEvaluated) and got.reason.startswith(want), (ref, got)
        else:
            assert got == want, (ref, got)
    out = tmp_path / "out.xlsx"
    result = run_cli("recalc", book, "-o", out, "--engine", engine, "--strict", "--verbose")
    not_evaluated = [r for r, w in expected.items() if isinstance(w, str) and not w.startswith("#")]
    assert result.exit_code == (1 if not_evaluated else 0), result.output
    assert "Traceback" not in result.output
    for ref in not_evaluated:  # --verbose lists every cell (the default is a summary per reason)
        assert f"Data!{ref}: " in result.stderr
    assert sha256(book) == before and out.exists()


@pytest.mark.parametrize("engine", ["fast", "formulas"])
def test_iterative_calculation_setting_is_reported_per_cell(tmp_path, engine):
    """Excel iterates a cycle when <calcPr iterate="1"/> is on; neither engine can, and each
    cell of the cycle says so (its cached value is kept)."""
    book = make_book(tmp_path, "input.xlsx", cells={"A1": "=A2/2+1", "A2": "=A1"},
                     xl__workbook_xml=workbook_xml(calc_pr='<calcPr iterate="1" iterateCount="100" iterateDelta="0.001"/>'))
    wb = xlroi.open(book, engine=engine)
    for ref in ("A1", "A2"):
        assert isinstance(wb[ref], NotEvaluated) and "iterative calculation" in wb[ref].reason


def test_stdout_stays_clean_for_json(tmp_path):
    """IronCalc prints notes on standard output while loading; --json output must stay JSON."""
    import json

    book = make_book(tmp_path, "input.xlsx", cells={"A1": 1, "A2": "=A1+1", "A3": "=A2+1"})
    code = ("import sys; from xlroi.cli import main; sys.argv = ['xlroi', 'eval', %r, 'A3', '--json']; main()" % str(book))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"A3": 3.0}


@pytest.mark.parametrize("engine", ["fast", "formulas"])
def test_formula_beyond_excel_limits_does_not_kill_the_process(tmp_path, engine):
    """A formula nested 100,000 deep (no Excel writes that: 8,192 characters is its limit)
    would overflow IronCalc's stack and kill the process; it is refused per cell instead."""
    deep = "=" + "(" * 100_000 + "A1" + ")" * 100_000
    book = make_book(tmp_path, "input.xlsx", cells={"A1": 1, "A2": deep, "A3": "=A1+1", "B1": "=" + "(" * 4000 + "A1" + ")" * 4000})
    code = (f"import xlroi; wb = xlroi.open({str(book)!r}, engine={engine!r}); r = wb.save({str(tmp_path / 'o.xlsx')!r});"
            "print('A3', wb['A3']); print('A2', wb['A2']); print('B1', wb['B1'])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    if engine == "formulas" and proc.returncode != 0:
        assert "EngineUnavailable" in proc.stderr  # the formulas engine may refuse the whole book
        return
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "A3 2" in proc.stdout
    if engine == "fast":
        assert "8,192" in proc.stdout and "B1 1.0" in proc.stdout


# --------------------------------------------------------------------------------------------
# --set values, names, sheets
# --------------------------------------------------------------------------------------------
SET_CASES = {
    "text-too-long": ('A1="' + "x" * 40_000 + '"', 7, ["32,767"]),
    "not-a-number": ("A1=lots", 7, ["not a number"]),
    "infinite": ("A1=1e400", 7, []),
    "no-equals": ("A1", 7, ["REF=VALUE"]),
    "empty-ref": ("=5", 7, ["REF=VALUE"]),
    "formula-value": ('A1="=1+1"', 7, ["values, not formulas"]),
    "unknown-name": ("NoSuchName=5", 6, ["NoSuchName"]),
    "bad-sheet": ("'No Such Sheet'!A1=5", 6, ["No Such Sheet", "sheets:"]),
    "unbalanced-quote": ("'Data!A1=5", 6, []),
    "column-past-xfd": ("XFE1=5", 6, []),
    "row-past-limit": ("A1048577=5", 6, []),
    "row-zero": ("A0=5", 6, []),
    "formula-cell": ("A2=5", 6, ["holds a formula"]),
    "huge-range": ("A1:XFD1048576=5", 6, []),
}


@pytest.mark.parametrize("case", list(SET_CASES), ids=list(SET_CASES))
def test_set_values_that_do_not_fit(tmp_path, case):
    setting, code, words = SET_CASES[case]
    book = make_book(tmp_path, "input.xlsx")
    before = sha256(book)
    for command in (["eval", book, "A2", "--set", setting], ["recalc", book, "--in-place", "--set", setting]):
        result = run_cli(*command)
        if code is None:
            assert result.exit_code == 0, result.output
            continue
        assert_clean_failure(result, code, *words)
        assert sha256(book) == before
    if code is not None:
        assert files_in(tmp_path) == {"input.xlsx"}


@pytest.mark.parametrize("ref", ["NoSuchName", "'Missing'!A1", "Data!ZZZZ1", "", "Data!", "A1:B", "!!"])
def test_eval_bad_references(tmp_path, ref):
    book = make_book(tmp_path, "input.xlsx", xl__workbook_xml=workbook_xml({"Formula": "SUM(1,2)"}))
    result = run_cli("eval", book, ref)
    assert result.exit_code in (2, 6), result.output
    assert_clean_failure(result, result.exit_code)


def test_name_that_is_a_formula_and_api_errors(tmp_path):
    book = make_book(tmp_path, "input.xlsx", xl__workbook_xml=workbook_xml({"Formula": "SUM(1,2)"}))
    wb = xlroi.open(book)
    with pytest.raises(BadReference, match="not a range"):
        wb.set("Formula", 1)
    with pytest.raises(BadValue):
        wb.set("A1", float("nan"))
    with pytest.raises(BadValue):
        wb.set("A1", object())  # type: ignore[arg-type]
    with pytest.raises(BadValue):
        wb.set("A1", "=A2")


# --------------------------------------------------------------------------------------------
# Output: missing folder, read-only, disk full, output = input
# --------------------------------------------------------------------------------------------
def _read_only_target(tmp_path: Path) -> Path:
    """A folder that cannot be written in, even by root: /proc is a read-only pseudo-filesystem
    for new files. (chmod does not stop root, so a chmod-ed folder proves nothing there.)"""
    if os.geteuid() != 0:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)
        return folder / "out.xlsx"
    return Path("/proc/out.xlsx")


OUTPUT_CASES = {
    "folder-missing": lambda tmp: tmp / "no" / "such" / "folder" / "out.xlsx",
    "folder-is-a-file": lambda tmp: tmp / "input.xlsx" / "out.xlsx",
    "read-only-folder": _read_only_target,
    "output-is-input": lambda tmp: tmp / "input.xlsx",
    "output-is-input-other-spelling": lambda tmp: tmp / "." / "input.xlsx",
    "output-is-a-directory": lambda tmp: tmp,
}


@pytest.mark.parametrize("case", list(OUTPUT_CASES), ids=list(OUTPUT_CASES))
def test_output_that_cannot_be_written(tmp_path, case):
    book = make_book(tmp_path, "input.xlsx")
    before = sha256(book)
    out = OUTPUT_CASES[case](tmp_path)
    result = run_cli("recalc", book, "-o", out)
    assert result.exit_code in (2, 8), result.output
    assert_clean_failure(result, result.exit_code)
    assert sha256(book) == before
    assert files_in(tmp_path) == {"input.xlsx"}  # no temporary file left


@pytest.mark.parametrize("in_place", [False, True], ids=["to-new-file", "in-place"])
def test_disk_full_simulated(tmp_path, monkeypatch, in_place):
    """The write fails with ENOSPC half-way: the input (or the file being replaced) survives."""
    book = make_book(tmp_path, "input.xlsx")
    existing = tmp_path / "out.xlsx"
    existing.write_bytes(b"previous output")
    before, before_out = sha256(book), sha256(existing)

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    import xlroi.xlsx.package as package

    monkeypatch.setattr(package.os, "fsync", full)
    result = run_cli("recalc", book, *(["--in-place"] if in_place else ["-o", existing]))
    assert_clean_failure(result, 8, "No space left on device")
    assert sha256(book) == before and sha256(existing) == before_out
    assert files_in(tmp_path) == {"input.xlsx", "out.xlsx"}


def test_disk_full_for_real_with_a_file_size_limit(tmp_path):
    """The operating system refuses the write (RLIMIT_FSIZE: EFBIG, as a full disk would give
    ENOSPC) in a child process saving in place. The limit is set after loading: the engine's
    temporary copy is bigger than the output."""
    book = make_book(tmp_path, "input.xlsx", cells={f"A{r}": r for r in range(1, 400)} | {"B1": "=SUM(A:A)"})
    before = sha256(book)
    code = (
        "import resource, signal, sys, xlroi\n"
        f"wb = xlroi.open({str(book)!r}); wb.set('A1', 5); wb.recalc()\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))\n"
        "try:\n    wb.save(in_place=True)\nexcept xlroi.errors.OutputError as exc:\n"
        "    print(exc); sys.exit(exc.exit_code)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 8, proc.stderr
    assert "File too large" in proc.stdout and "Traceback" not in proc.stderr
    assert sha256(book) == before and files_in(tmp_path) == {"input.xlsx"}


def test_in_place_replaces_atomically_and_keeps_the_mode(tmp_path):
    book = make_book(tmp_path, "input.xlsx", cells={"A1": 2, "A2": "=A1*3"})
    book.chmod(0o640)
    result = run_cli("recalc", book, "--in-place", "--set", "A1=5")
    assert result.exit_code == 0, result.output
    assert xlroi.open(book)["A2"] == 15 and (book.stat().st_mode & 0o777) == 0o640
    assert files_in(tmp_path) == {"input.xlsx"}
