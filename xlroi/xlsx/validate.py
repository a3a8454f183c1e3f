"""The output oracle: is a workbook xlroi wrote valid, whole and stable?

:func:`validate_output` compares an output with the input it was written from and lists every
problem it finds (an empty list: the output is good):

- the zip: the same entries, in the same order, with the same compression and timestamps;
- nothing lost: every part not meant to change is byte for byte the input's; in the parts that
  did change (the worksheets), only cached values changed (``<v>``, ``<is>``, the cell's ``t``);
- well-formed: every XML part parses with a strict parser (lxml, no recovery), and no raw
  carriage return sits in a value (a parser would turn it into a line feed: it must be
  ``_x000D_``); a part that was already broken in the input and was left as it was is the
  input's problem, not the output's;
- readable: openpyxl loads the output whenever it loads the input, and sees the same cells
  (formulas and constants); optionally LibreOffice headless converts it as well as the input;
- stable: recalculating the output again (``recalc``, e.g. with :func:`xlroi.open`) gives the
  same bytes — or, when the workbook calls a volatile function (``RAND``, ``NOW``, …), the
  same parts apart from cached values.

Users get it as :func:`xlroi.testing.assert_valid_output`.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Callable, Iterable

from lxml import etree

Recalc = Callable[[Path, Path], None]  # recalculate the first workbook, write the second

_STRICT_PARSER = etree.XMLParser(recover=False, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
_XML_NAME = re.compile(r"\.(xml|rels|vml)$", re.IGNORECASE)
_VALUE_TEXT = re.compile(rb"<(?:\w+:)?(?:v|t)\b[^>]*>([^<]*)</(?:\w+:)?(?:v|t)>")
_CACHED = re.compile(rb"<(?:\w+:)?v\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?v>)|<(?:\w+:)?is\b.*?</(?:\w+:)?is>", re.S)
_CELL_T = re.compile(rb'(<(?:\w+:)?c\b[^>]*?)\s+t\s*=\s*("[^"]*"|\'[^\']*\')')
_BETWEEN_TAGS = re.compile(rb">\s+<")
_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?\sr\s*=\s*[\"']([A-Z]+\d+)[\"'][^>]*?(?:/>|>.*?</(?:\w+:)?c>)", re.S)
_VOLATILE = re.compile(rb"<(?:\w+:)?f\b[^>]*>[^<]*\b(?:_xlfn\.)?(?:RAND|RANDBETWEEN|RANDARRAY|NOW|TODAY)\s*\(", re.I)
MAX_LISTED = 5  # cells named per problem


def validate_output(
    input_path: str | os.PathLike,
    output_path: str | os.PathLike,
    *,
    changed_parts: Iterable[str] | None = None,
    only_values: bool = True,
    inputs: Iterable[str] = (),
    openpyxl: bool = True,
    libreoffice: bool = False,
    recalc: Recalc | None = None,
) -> list[str]:
    """Problems of ``output_path`` written from ``input_path`` (empty: valid).

    ``changed_parts``: the parts allowed to differ (default: the worksheets). ``only_values``:
    in those, only cached values may differ (False when cells were added, e.g. a ``--set`` on an
    empty cell, which re-serialises the sheet). ``inputs``: the cells set (``--set``), as
    ``Sheet!A1``, ``'My sheet'!A1:B2`` or ``A1`` (first sheet), whose values may change too.
    ``recalc``: how to recalculate a workbook, for the idempotency check (None skips it)."""
    source, output = Path(input_path), Path(output_path)
    try:
        before, infos_before = _read_zip(source)
    except (OSError, zipfile.BadZipFile) as exc:
        return [f"{source}: the input cannot be read as a zip ({exc})"]
    try:
        after, infos_after = _read_zip(output)
    except (OSError, zipfile.BadZipFile) as exc:
        return [f"{output}: not a readable zip ({exc})"]
    allowed = set(changed_parts) if changed_parts is not None else _worksheet_parts(source)
    problems = zip_problems(infos_before, infos_after)
    problems += unchanged_problems(before, after, allowed, only_values)
    problems += xml_problems(before, after)
    if openpyxl:
        problems += openpyxl_problems(source, output, compare_cells=only_values, inputs=inputs)
    if libreoffice:
        problems += libreoffice_problems(source, output)
    if recalc is not None:
        problems += idempotency_problems(output, after, recalc)
    return problems


def _read_zip(path: Path) -> tuple[dict[str, bytes], list[zipfile.ZipInfo]]:
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        return {info.filename: archive.read(info) for info in infos}, infos


def _worksheet_parts(path: Path) -> set[str]:
    """The parts recalculation may change: the worksheets the workbook part lists."""
    from .package import read_package

    try:
        return {sheet.part for sheet in read_package(path).sheets}
    except Exception:  # noqa: BLE001 - an input xlroi cannot read: nothing may change
        return set()


# ------------------------------------------------------------------------------ the zip
def zip_problems(before: list[zipfile.ZipInfo], after: list[zipfile.ZipInfo]) -> list[str]:
    names_before, names_after = [i.filename for i in before], [i.filename for i in after]
    if names_before != names_after:
        missing = [n for n in names_before if n not in names_after]
        added = [n for n in names_after if n not in names_before]
        if missing or added:
            return [f"zip entries differ: missing {missing[:MAX_LISTED]}, added {added[:MAX_LISTED]}"]
        return ["zip entries are in another order than the input's"]
    return [f"{a.filename}: compression or timestamp changed ({b.compress_type}, {b.date_time} → "
            f"{a.compress_type}, {a.date_time})"
            for b, a in zip(before, after) if (b.compress_type, b.date_time) != (a.compress_type, a.date_time)]


# ------------------------------------------------------------------------------ nothing lost
def without_cached_values(xml: bytes) -> bytes:
    """A worksheet with every cached value (``<v>``, ``<is>``, the cells' ``t``) and the
    whitespace between tags taken out: what recalculation must leave as it was."""
    return _BETWEEN_TAGS.sub(b"><", _CELL_T.sub(rb"\1", _CACHED.sub(b"", xml)))


def unchanged_problems(before: dict[str, bytes], after: dict[str, bytes], allowed: set[str], only_values: bool) -> list[str]:
    problems = []
    for name, data in before.items():
        if name not in after or after[name] == data:
            continue
        if name not in allowed:
            problems.append(f"{name}: changed, but it is not a part recalculation may change")
        elif only_values and without_cached_values(after[name]) != without_cached_values(data):
            problems.append(f"{name}: more than cached values changed")
    return problems


# ------------------------------------------------------------------------------ well-formed
def parse_error(data: bytes) -> str | None:
    """Why ``data`` is not well-formed XML (None when it is)."""
    try:
        etree.fromstring(data, _STRICT_PARSER)
    except etree.XMLSyntaxError as exc:
        return f"line {exc.lineno}, column {exc.offset}: {exc.msg}"
    return None


def _is_xml(name: str, data: bytes) -> bool:
    return bool(_XML_NAME.search(name)) or data.lstrip()[:5] == b"<?xml"


def _raw_carriage_returns(xml: bytes) -> int:
    return sum(m.group(1).count(b"\r") for m in _VALUE_TEXT.finditer(xml)) if b"\r" in xml else 0


def xml_problems(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    problems = []
    for name, data in after.items():
        if not _is_xml(name, data):
            continue
        error = parse_error(data)
        original = before.get(name)
        if error and not (data == original or (original is not None and parse_error(original))):
            problems.append(f"{name}: not well-formed XML ({error})")
        if original is not None and data != original and _raw_carriage_returns(data) > _raw_carriage_returns(original):
            problems.append(f"{name}: a raw carriage return in a value (a reader turns it into a line feed; "
                            "write it as _x000D_)")
    return problems


# ------------------------------------------------------------------------------ readers
def _openpyxl_cells(path: Path) -> dict[str, dict[str, object]]:
    import openpyxl as opx

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = opx.load_workbook(path, data_only=False)
    try:
        return {ws.title: {c.coordinate: _comparable(c.value) for row in ws.iter_rows() for c in row if c.value is not None}
                for ws in book.worksheets}
    finally:
        book.close()


def _comparable(value: object) -> object:
    text = getattr(value, "text", None)  # an ArrayFormula / DataTableFormula
    return text if text is not None else value


def formula_cells(path: Path) -> dict[str, set[str]]:
    """Sheet name → the cells whose cached value recalculation may change: the formula cells
    as xlroi finds them, with the cells array formulas fill. (openpyxl shows the cached value of
    a cell an array formula fills, or of one whose formula it does not see, as a constant.)"""
    from .cells import scan_sheet
    from .package import read_package

    try:
        package = read_package(path)
    except Exception:  # noqa: BLE001 - nothing xlroi can read: no cell may change
        return {}
    cells = {}
    for sheet in package.sheets:
        xml = package.parts.get(sheet.part)
        cells[sheet.name] = {c.name for c in scan_sheet(xml).formula_cells} if xml is not None else set()
    return cells


def input_cells(refs: Iterable[str], sheet_names: list[str]) -> dict[str, set[str]]:
    """Sheet name → the cells ``refs`` name (``Sheet!A1``, ``'My sheet'!A1:B2``, ``A1`` on the first sheet)."""
    from .refs import cell_name, parse_area, split_sheet

    cells: dict[str, set[str]] = {}
    for ref in refs:
        sheet, area = split_sheet(ref)
        name = next((n for n in sheet_names if sheet is not None and n.lower() == sheet.lower()),
                    sheet if sheet is not None else (sheet_names[0] if sheet_names else ""))
        found = parse_area(area.replace("$", ""), name)
        cells.setdefault(name, set()).update(cell_name(r, c) for r, c in found.cells())
    return cells


def openpyxl_problems(source: Path, output: Path, compare_cells: bool = True, inputs: Iterable[str] = ()) -> list[str]:
    """openpyxl must load the output whenever it loads the input, and (``compare_cells``) see
    the same formulas and constants; only formula cells' cached values and the ``inputs``
    (cells set, see :func:`input_cells`) may differ."""
    try:
        expected = _openpyxl_cells(source)
    except Exception:  # noqa: BLE001 - openpyxl cannot read the input (e.g. Strict): nothing to compare
        return []
    try:
        found = _openpyxl_cells(output)
    except Exception as exc:  # noqa: BLE001
        return [f"openpyxl cannot load the output ({type(exc).__name__}: {str(exc)[:200]})"]
    if not compare_cells or found == expected:
        return []
    recalculated = formula_cells(source)
    set_cells = input_cells(inputs, list(expected))
    problems = []
    for title in sorted(expected.keys() | found.keys()):
        a, b, free = expected.get(title, {}), found.get(title, {}), recalculated.get(title, set())
        differing = sorted(ref for ref in a.keys() | b.keys()
                           if a.get(ref) != b.get(ref) and ref not in set_cells.get(title, ())
                           and not (ref in free and not _is_formula(a.get(ref)) and not _is_formula(b.get(ref))))
        if differing:
            problems.append(f"openpyxl sees other cells in sheet {title!r}: {', '.join(differing[:MAX_LISTED])}"
                            f"{' …' if len(differing) > MAX_LISTED else ''}")
    return problems


def _is_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith("=")


# All sheets, UTF-8, quoted text (LibreOffice 7.2 and later: the 12th token -1 = every sheet).
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


# A private profile that never recalculates on load: LibreOffice shows the cached values, so
# the output and the input cover the same cells (a recalculation could spill arrays further).
_NEVER_RECALCULATE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>1</value></prop></item>
</oor:items>
"""


def libreoffice_csv(path: Path, folder: Path, timeout: float = 240) -> dict[str, str]:
    """``path`` converted by LibreOffice headless to CSV (cached values, no recalculation):
    sheet file suffix → text, one per sheet. Raises RuntimeError when LibreOffice is missing
    or converts nothing."""
    binary = soffice()
    if binary is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    out_dir, profile = folder / "csv", folder / "profile"
    out_dir.mkdir(parents=True, exist_ok=True)
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_NEVER_RECALCULATE)
    try:
        done = subprocess.run(
            [binary, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--norestore",
             "--convert-to", CSV_FILTER, "--outdir", str(out_dir), str(path)],
            capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"LibreOffice took more than {timeout:g} s") from None
    # bytes, decoded: read_text() would turn a CR inside a quoted field into a line feed
    found = {p.name.removeprefix(path.stem): p.read_bytes().decode("utf-8", "replace") for p in out_dir.glob("*.csv")}
    if not found:
        raise RuntimeError(f"LibreOffice converted nothing ({(done.stderr or done.stdout).strip()[:200]})")
    return found


def _row_count(text: str) -> int:
    import csv
    import io

    return sum(1 for _ in csv.reader(io.StringIO(text, newline="")))


def libreoffice_problems(source: Path, output: Path) -> list[str]:
    """LibreOffice must convert the output whenever it converts the input, to the same sheets
    and at least as many rows: it stops reading a sheet at broken XML without a word. (More
    rows are no problem: LibreOffice recalculates some workbooks on load, e.g. with
    ``fullCalcOnLoad``, and its array results may reach further.)"""
    with tempfile.TemporaryDirectory(prefix="xlroi-validate-") as tmp:
        folder = Path(tmp)
        try:
            expected = libreoffice_csv(source, folder / "in")
        except RuntimeError as exc:
            if soffice() is None:
                return [str(exc)]
            return []  # LibreOffice cannot read the input either
        try:
            found = libreoffice_csv(output, folder / "out")
        except RuntimeError as exc:
            return [f"LibreOffice cannot convert the output: {exc}"]
    if sorted(found) != sorted(expected):
        return [f"LibreOffice sees other sheets in the output: {sorted(found)} instead of {sorted(expected)}"]
    return [f"LibreOffice reads {_row_count(found[name])} rows of {name.strip('-.') or 'the sheet'}, "
            f"{_row_count(expected[name])} in the input"
            for name in sorted(expected) if _row_count(found[name]) < _row_count(expected[name])]


# ------------------------------------------------------------------------------ stable
def idempotency_problems(output: Path, parts: dict[str, bytes], recalc: Recalc) -> list[str]:
    """Recalculating ``output`` again must give the same bytes (the same parts apart from
    cached values when a volatile function is called)."""
    with tempfile.TemporaryDirectory(prefix="xlroi-validate-") as tmp:
        again = Path(tmp) / ("again" + output.suffix)
        try:
            recalc(output, again)
        except Exception as exc:  # noqa: BLE001 - any failure on our own output is a finding
            return [f"the output cannot be recalculated again ({type(exc).__name__}: {str(exc)[:200]})"]
        if again.read_bytes() == output.read_bytes():
            return []
        second, infos = _read_zip(again)
    volatile = any(_VOLATILE.search(data) for data in parts.values())
    problems = []
    for name, data in parts.items():
        other = second.get(name)
        if other == data:
            continue
        if other is None:
            problems.append(f"recalculating the output again drops {name}")
        elif volatile and without_cached_values(other) == without_cached_values(data):
            continue
        else:
            cells = _differing_cells(data, other)
            problems.append(f"recalculating the output again changes {name}"
                            + (f" (cells {', '.join(cells[:MAX_LISTED])})" if cells else ""))
    if not problems and not volatile:
        added = sorted(set(second) - set(parts))
        problems.append(f"recalculating the output again adds parts {added[:MAX_LISTED]}" if added else
                        "recalculating the output again gives the same parts in a different zip "
                        f"({[(i.filename, i.compress_type) for i in infos][:MAX_LISTED]})")
    return problems


def _differing_cells(a: bytes, b: bytes) -> list[str]:
    first = {m.group(1).decode(): m.group(0) for m in _CELL.finditer(a)}
    second = {m.group(1).decode(): m.group(0) for m in _CELL.finditer(b)}
    return sorted((ref for ref in first.keys() | second.keys() if first.get(ref) != second.get(ref)), key=_cell_order)


def _cell_order(ref: str) -> tuple[int, int, str]:
    m = re.match(r"([A-Z]+)(\d+)", ref)
    return (int(m.group(2)), len(m.group(1)), m.group(1)) if m else (0, 0, ref)


__all__ = ["validate_output", "without_cached_values", "parse_error", "libreoffice_csv", "CSV_FILTER"]
