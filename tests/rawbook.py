"""Workbooks written as raw XML for the tests: shared and array formulas, several sheets, defined
names (local and global), tables, the 1904 date system, cached values — what openpyxl cannot
write or writes differently from Excel."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _row(ref: str) -> int:
    return int(re.sub(r"[A-Z]+", "", ref))


def _col(ref: str) -> int:
    n = 0
    for ch in re.sub(r"\d+", "", ref):
        n = n * 26 + ord(ch) - 64
    return n


def _cell(ref: str, spec) -> str:
    """``spec``: a number, True/False, "text", "=formula", or a dict with any of ``f`` (formula
    text), ``t`` ("shared"/"array"), ``si``, ``fref`` (the formula's ref=), ``v`` (cached value),
    ``vt`` (the cell's t= for the cached value)."""
    if isinstance(spec, dict):
        f_attrs = "".join(f" {k}={quoteattr(str(spec[key]))}" for k, key in (("t", "t"), ("ref", "fref"), ("si", "si")) if key in spec)
        f = spec.get("f")
        f_xml = f"<f{f_attrs}>{escape(f)}</f>" if f is not None else (f"<f{f_attrs}/>" if f_attrs else "")
        t = f' t="{spec["vt"]}"' if "vt" in spec else ""
        v = f"<v>{escape(str(spec['v']))}</v>" if "v" in spec else ""
        return f'<c r="{ref}"{t}>{f_xml}{v}</c>'
    if isinstance(spec, bool):
        return f'<c r="{ref}" t="b"><v>{int(spec)}</v></c>'
    if isinstance(spec, (int, float)):
        return f'<c r="{ref}"><v>{spec}</v></c>'
    if isinstance(spec, str) and spec.startswith("="):
        return f'<c r="{ref}"><f>{escape(spec[1:])}</f></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(spec))}</t></is></c>'


def sheet_xml(cells: dict[str, object], extra: str = "") -> bytes:
    rows: dict[int, list[tuple[int, str]]] = {}
    for ref, spec in cells.items():
        rows.setdefault(_row(ref), []).append((_col(ref), _cell(ref, spec)))
    data = "".join(f'<row r="{r}">{"".join(x for _, x in sorted(c))}</row>' for r, c in sorted(rows.items()))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS}" xmlns:r="{NS_R}">'
            f"<sheetData>{data}</sheetData>{extra}</worksheet>").encode()


def write_book(path: Path, sheets: dict[str, dict[str, object]], names: dict | None = None, *,
               date1904: str | None = None, tables: dict[str, tuple[str, str]] | None = None) -> Path:
    """``sheets``: name → cells; ``names``: name → formula, or (name, sheet index) → formula for a
    sheet-local name; ``date1904``: the workbookPr attribute's value ("1", "true"); ``tables``:
    table name → (sheet name, ref)."""
    parts: dict[str, bytes] = {}
    overrides = ['<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>']
    sheet_entries, workbook_rels = [], []
    table_parts: dict[str, list[tuple[str, str, str]]] = {}
    for i, (tname, (sname, ref)) in enumerate((tables or {}).items(), start=1):
        table_parts.setdefault(sname, []).append((f"rId{i}", f"../tables/table{i}.xml", tname))
        first, last = ref.split(":")
        columns = "".join(f'<tableColumn id="{k + 1}" name="C{k + 1}"/>' for k in range(_col(last) - _col(first) + 1))
        parts[f"xl/tables/table{i}.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<table xmlns="{NS}" id="{i}" name="{tname}" '
            f'displayName="{tname}" ref="{ref}"><tableColumns count="{_col(last) - _col(first) + 1}">{columns}'
            f"</tableColumns></table>").encode()
        overrides.append(f'<Override PartName="/xl/tables/table{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"/>')
    for i, (name, cells) in enumerate(sheets.items(), start=1):
        extra = ""
        if name in table_parts:
            extra = f'<tableParts count="{len(table_parts[name])}">' + "".join(
                f'<tablePart r:id="{rid}"/>' for rid, _, _ in table_parts[name]) + "</tableParts>"
            parts[f"xl/worksheets/_rels/sheet{i}.xml.rels"] = (
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{NS_PKG}">'
                + "".join(f'<Relationship Id="{rid}" Type="{REL}/table" Target="{target}"/>' for rid, target, _ in table_parts[name])
                + "</Relationships>").encode()
        parts[f"xl/worksheets/sheet{i}.xml"] = sheet_xml(cells, extra)
        sheet_entries.append(f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>')
        workbook_rels.append(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>')
        overrides.append(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
    defined = ""
    for key, formula in (names or {}).items():
        name, local = (key if isinstance(key, tuple) else (key, None))
        attr = f' localSheetId="{local}"' if local is not None else ""
        defined += f'<definedName name="{name}"{attr}>{escape(formula)}</definedName>'
    pr = f'<workbookPr date1904="{date1904}"/>' if date1904 else ""
    parts["xl/workbook.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{NS}" xmlns:r="{NS_R}">{pr}'
        f'<sheets>{"".join(sheet_entries)}</sheets>{"<definedNames>" + defined + "</definedNames>" if defined else ""}'
        "</workbook>").encode()
    parts["xl/_rels/workbook.xml.rels"] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                           f'<Relationships xmlns="{NS_PKG}">{"".join(workbook_rels)}</Relationships>').encode()
    parts["_rels/.rels"] = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{NS_PKG}">'
                            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>').encode()
    parts["[Content_Types].xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>' + "".join(overrides) + "</Types>").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"] + sorted(
                n for n in parts if n.startswith("xl/") and n not in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")):
            archive.writestr(name, parts[name])
    return path


def edit_parts(path: Path, edit) -> Path:
    """Rewrite the package at ``path`` in place: ``edit(parts)`` changes the dict of part name →
    bytes as it likes (replace, add); every part is then written back, deflated."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    edit(parts)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path
