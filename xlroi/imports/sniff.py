"""Turning an export file into a table: encoding, delimiter, preamble, header row, footer.

Exports come as UTF-8 (maybe with a BOM), UTF-16 with a BOM and tabs (LinkedIn's and Google Ads'
"Excel .csv"), a legacy code page after a re-save in Excel, or .xlsx. The encoding is read from
the BOM or the NUL-byte pattern of UTF-16, else strict UTF-8, else charset-normalizer decides
(a maintained detector; the one ``requests`` uses). The delimiter and the header row are found
together, by content: every candidate delimiter splits the first lines, and the line whose cells
are known column names (the platform readers' vocabulary) is the header. ``csv.Sniffer`` guesses
from character counts, which a title line, a ``"January 1, 2024 - March 31, 2024"`` line or
GA4's ``#`` comments mislead; it is used only to show the headers of a file nobody recognised.
"""
from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import ExportNotFound, NotAnExport

HEADER_SCAN = 60          # the header is looked for in the first lines only
DELIMITERS = ("\t", ",", ";", "|")
_NAMES = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}
MAX_BYTES = 200 * 1024 * 1024  # an export is a report, not a data lake


@dataclass
class Table:
    """A header row and the records under it, with what came before it."""

    path: str
    header: list[str]
    records: list[tuple[int, list[object]]]   # (line or row number, cells)
    preamble: list[str] = field(default_factory=list)
    layout: str = ""
    header_line: int = 0


Recognise = Callable[[list[str]], int]


def load_table(path: str | os.PathLike, recognise: Recognise) -> Table:
    """Read ``path`` (CSV/TSV in any common encoding, or .xlsx) and find its header row: the
    first-lines row ``recognise`` scores highest (at least 2 known column names)."""
    path = Path(path)
    if not path.is_file():
        raise ExportNotFound(f"{path}: no such file")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise NotAnExport(f"{path}: {size:,} bytes is more than an export xlroi reads ({MAX_BYTES:,})")
    data = path.read_bytes()
    if not data.strip(b"\x00\r\n\t \xef\xbb\xbf\xff\xfe"):
        raise NotAnExport(f"{path}: the file is empty")
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_table(path, recognise)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise NotAnExport(f"{path}: an old binary .xls workbook; export as .csv or .xlsx instead")
    text, encoding = decode(data)
    if "\x00" in text:
        raise NotAnExport(f"{path}: not a text export (binary data)")
    return _text_table(path, text, encoding, recognise)


def decode(data: bytes) -> tuple[str, str]:
    """The text of ``data`` and the name of its encoding."""
    for bom, encoding, label in ((b"\xef\xbb\xbf", "utf-8-sig", "UTF-8 with BOM"),
                                 (b"\xff\xfe\x00\x00", "utf-32", "UTF-32"),
                                 (b"\xff\xfe", "utf-16", "UTF-16"), (b"\xfe\xff", "utf-16", "UTF-16")):
        if data.startswith(bom):
            return _decode(data, encoding), label
    head = data[:4000]
    if len(head) >= 4 and head.count(b"\x00") * 3 > len(head):  # UTF-16 without a BOM
        even_nuls = head[0::2].count(b"\x00")
        encoding = "utf-16-be" if even_nuls > head[1::2].count(b"\x00") else "utf-16-le"
        return _decode(data, encoding), "UTF-16 (no BOM)"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise NotAnExport("not a text file in any known encoding")
    return str(best), best.encoding


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise NotAnExport(f"the file says it is {encoding} but is not ({exc.reason} at byte {exc.start})") from None


def _text_table(path: Path, text: str, encoding: str, recognise: Recognise) -> Table:
    lines = text.splitlines()
    forced = None
    if lines and lines[0].strip().lower().startswith("sep=") and len(lines[0].strip()) == 5:
        forced = lines[0].strip()[4]  # Excel's "sep=," hint line
        lines = lines[1:]
    skipped = 1 if forced else 0
    best: tuple[int, str, int] | None = None  # (score, delimiter, record index)
    parsed: dict[str, list[tuple[int, list[str]]]] = {}
    for delimiter in ([forced] if forced else DELIMITERS):
        records = _records(lines, delimiter, skipped)
        parsed[delimiter] = records
        for index, (_, cells) in enumerate(records[:HEADER_SCAN]):
            if not cells or cells[0].lstrip().startswith("#"):
                continue
            score = recognise([c.strip() for c in cells])
            if score >= 2 and (best is None or score > best[0]):
                best = (score, delimiter, index)
    if best is None:
        raise NotAnExport(f"{path}: not an export xlroi knows (headers seen: {_headers_seen(lines)})")
    _, delimiter, index = best
    records = parsed[delimiter]
    line, header = records[index]
    body = _body(records[index + 1:])
    preamble = [" ".join(c.strip() for c in cells if c.strip()) for _, cells in records[:index]]
    layout = f"{encoding}, {_NAMES[delimiter]}-separated, header on line {line}"
    return Table(str(path), [c.strip() for c in header], body, preamble, layout, line)


def _records(lines: list[str], delimiter: str, skipped: int) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    out = []
    try:
        start = 1
        for cells in reader:
            out.append((start + skipped, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise NotAnExport(f"not a readable CSV ({exc})") from None
    return out


def _body(records: list[tuple[int, list[object]]]) -> list[tuple[int, list[object]]]:
    """The records under the header, up to the next ``#`` section (GA4 puts several tables in one
    file); blank records are dropped."""
    body = []
    for line, cells in records:
        filled = [c for c in cells if not (c is None or (isinstance(c, str) and not c.strip()))]
        if len(filled) == 1 and isinstance(filled[0], str) and filled[0].lstrip().startswith("#"):
            break  # "# ----" / "# Date range": the next section (a campaign "#BlackFriday" has more cells)
        if not filled:
            continue
        body.append((line, cells))
    return body


def _headers_seen(lines: list[str]) -> str:
    """The first non-comment line, split as ``csv.Sniffer`` thinks it is (for the error)."""
    candidates = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not candidates:
        return "none: the file has only comments"
    sample = "\n".join(candidates[:20])
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        delimiter = ","
    cells = next(csv.reader([candidates[0]], delimiter=delimiter))
    shown = ", ".join(repr(c.strip()) for c in cells[:12] if c.strip())
    return shown + (", …" if len(cells) > 12 else "")


def _xlsx_table(path: Path, recognise: Recognise) -> Table:
    """The header and rows of the best-recognised sheet of an .xlsx export (Meta and TikTok offer
    one). The package is checked with xlroi's own limits (zip bombs, DTDs) before openpyxl reads it."""
    import openpyxl

    from ..xlsx.package import read_package

    read_package(path)
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any openpyxl failure is "not a workbook we can read"
        raise NotAnExport(f"{path}: the .xlsx cannot be read ({type(exc).__name__}: {exc})") from None
    best = None
    first_rows: list[list[object]] = []
    try:
        for ws in wb.worksheets:
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            if not first_rows:
                first_rows = rows
            for index, cells in enumerate(rows[:HEADER_SCAN]):
                header = [str(c).strip() if c is not None else "" for c in cells]
                score = recognise(header)
                if score >= 2 and (best is None or score > best[0]):
                    best = (score, ws.title, index, rows)
    finally:
        wb.close()
    if best is None:
        seen = next((r for r in first_rows if any(c is not None for c in r)), [])
        shown = ", ".join(repr(str(c)) for c in seen[:12] if c is not None) or "none: the sheets are empty"
        raise NotAnExport(f"{path}: not an export xlroi knows (headers seen: {shown})")
    _, title, index, rows = best
    header = [str(c).strip() if c is not None else "" for c in rows[index]]
    records = [(index + 2 + i, [c.strip() if isinstance(c, str) else c for c in cells])
               for i, cells in enumerate(rows[index + 1:])]
    preamble = [" ".join(str(c) for c in r if c is not None) for r in rows[:index]]
    layout = f"xlsx, sheet {title!r}, header on row {index + 1}"
    return Table(str(path), header, _body(records), preamble, layout, index + 1)
