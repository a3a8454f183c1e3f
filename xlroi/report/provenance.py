"""Where each figure of the report comes from, written compactly for the appendix: per table and
column, the cells in row order as ranges (``'Step 6 KPIs'!D19:D30``), and the report's own
derivations as one pattern per column when every row follows it."""
from __future__ import annotations

import re

from .model import Figure, Report

_REF = re.compile(r"^(?P<sheet>'(?:[^']|'')+'|[^'!]+)!(?P<col>[A-Z]{1,3})(?P<row>\d+)$")
_ROW = re.compile(r"(!\$?[A-Z]{1,3}\$?)(\d+)")


def compress_refs(refs: list[str]) -> str:
    """["'S'!D19", "'S'!D20", "'S'!D21", "'S'!E7"] -> "'S'!D19:D21, 'S'!E7" (order of first appearance)."""
    groups: dict[tuple[str, str], list[int]] = {}
    loose: list[str] = []
    for ref in dict.fromkeys(refs):
        m = _REF.match(ref)
        if not m:
            loose.append(ref)
            continue
        groups.setdefault((m["sheet"], m["col"]), []).append(int(m["row"]))
    parts = []
    for (sheet, col), rows in groups.items():
        rows.sort()
        runs, start = [], rows[0]
        for prev, cur in zip(rows, rows[1:] + [None]):
            if cur != prev + 1:
                runs.append(f"{col}{start}" if start == prev else f"{col}{start}:{col}{prev}")
                start = cur
        parts.append(f"{sheet}!" + ", ".join(runs))
    return ", ".join(parts + loose)


def _pattern(formula: str) -> str:
    return _ROW.sub(lambda m: m.group(1) + "#", formula)


def describe_derived(formulas: list[str]) -> str:
    """The formulas grouped by shape: one pattern per shape that repeats row by row, with
    ``{row}`` where the row changes from one figure to the next (a fixed cell, such as the total
    a share divides by, stays as it is): ``= 'S'!D{row} ÷ 'S'!B12 for row 41–43``."""
    shapes: dict[str, list[str]] = {}
    for formula in dict.fromkeys(formulas):
        shapes.setdefault(_pattern(formula), []).append(formula)
    out = []
    for members in shapes.values():
        if len(members) == 1:
            out.append("= " + members[0])
            continue
        rows_at = [[int(m.group(2)) for m in _ROW.finditer(f)] for f in members]
        varying = [i for i in range(len(rows_at[0])) if len({r[i] for r in rows_at}) > 1]
        positions = iter(range(len(rows_at[0])))

        def keep_or_vary(m: re.Match) -> str:
            return m.group(1) + ("{row}" if next(positions) in varying else m.group(2))

        pattern = _ROW.sub(keep_or_vary, members[0])
        rows = sorted({r[varying[0]] for r in rows_at}) if varying else []
        out.append(f"= {pattern} for row {_runs(rows)}" if rows else "= " + members[0])
    return "; ".join(out)


def _runs(rows: list[int]) -> str:
    runs, start = [], rows[0]
    for prev, cur in zip(rows, rows[1:] + [None]):
        if cur != prev + 1:
            runs.append(str(start) if start == prev else f"{start}–{prev}")
            start = cur
    return ", ".join(runs)


def provenance_map(report: Report) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(table caption, [(column, where its figures come from)])] for every table of the report."""
    out = []
    for table in report.tables():
        columns = []
        for j, name in enumerate(table.columns):
            refs, formulas = [], []
            for row in table.rows:
                cell = row[j] if j < len(row) else None
                for part in (cell if isinstance(cell, list) else [cell]):
                    if isinstance(part, Figure):
                        if part.ref:
                            refs.append(part.ref)
                        elif part.derived:
                            formulas.append(part.derived.formula)
            text = "; ".join(x for x in (compress_refs(refs), describe_derived(formulas)) if x)
            if text:
                columns.append((name, text))
        if columns:
            out.append((table.caption, columns))
    return out
