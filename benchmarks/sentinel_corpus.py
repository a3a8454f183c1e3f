"""The sentinel run: does `xlroi recalc` really compute Excel's values, or only echo them?

For every golden workbook (tests/golden: saved by Microsoft Excel, with Excel's own cached
values) this script

1. writes a copy in which every formula cell's cached value is replaced by a sentinel text, so
   a cell that xlroi does not evaluate cannot pass by keeping Excel's value;
2. runs ``xlroi recalc`` on the copy, as a user would (its own process, with ``--timeout``);
3. checks the output is valid (every part strict XML, opens with openpyxl; see
   :mod:`xlroi.xlsx.validate`) and compares every formula cell of the output with the value
   Excel had cached in the original.

It prints one row per workbook and the totals (the README's table):

    python benchmarks/sentinel_corpus.py [--timeout 300] [--engine fast] [--files NAME ...] [--json] [--as-saved]

``--as-saved`` skips the sentinels: the workbooks are recalculated as Excel saved them, with the
defaults, and the table counts the cells that are neither Excel's value nor declared.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xlroi.workbook import values_match  # noqa: E402
from xlroi.xlsx.cells import scan_sheet, write_cached_values  # noqa: E402
from xlroi.xlsx.package import read_package, write_atomically  # noqa: E402

GOLDEN = ROOT / "tests" / "golden"
SENTINEL = "\u22a5xlroi-sentinel"  # "⊥": no formula of the corpus computes this text


def sheets_with_formulas(package):
    """(sheet, its XML, its scan) for every sheet part the package has."""
    for sheet in package.sheets:
        xml = package.parts.get(sheet.part)
        if xml is not None:
            yield sheet, xml, scan_sheet(xml)


def formula_values(path: Path) -> dict[tuple[str, int, int], object]:
    """(sheet, row, col) → cached value of every formula cell (array-filled cells included)."""
    return {(sheet.name, cell.row, cell.col): cell.cached
            for sheet, _, scan in sheets_with_formulas(read_package(path)) for cell in scan.formula_cells}


def with_sentinels(src: Path, dest: Path) -> None:
    """A copy of ``src`` whose formula cells all cache the sentinel (the lossless write-back)."""
    package = read_package(src)
    replaced = {sheet.part: write_cached_values(xml, scan, lambda r, c: SENTINEL)[0]
                for sheet, xml, scan in sheets_with_formulas(package) if scan.formula_cells}
    write_atomically(dest, package.to_bytes(replaced))


def run_one(path: Path, engine: str, timeout: float, folder: Path, as_saved: bool = False) -> dict:
    from xlroi.xlsx.validate import validate_output

    excel = {k: v for k, v in formula_values(path).items() if v is not None}
    blinded, out = folder / f"blind-{path.name}", folder / f"out-{path.name}"
    if as_saved:  # the workbook as Excel saved it, recalculated as a user would (defaults)
        blinded.write_bytes(path.read_bytes())
        options = []
    else:  # the engines alone: Excel's saved values are sentinels here, no second opinion
        with_sentinels(path, blinded)
        options = ["--no-excel-values"]
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "xlroi", "recalc", str(blinded), "-o", str(out), "--engine", engine,
                           "--timeout", str(timeout), "--json", *options], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    record = {"workbook": path.name, "cells": len(excel), "seconds": round(seconds, 2), "exit": done.returncode}
    if done.returncode != 0:
        record.update(matched=0, not_evaluated=0, valid=False,
                      problems=[done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"])
        return record
    report = json.loads(done.stdout)
    problems = validate_output(blinded, out)
    computed = formula_values(out)
    record["matched"] = sum(1 for key, value in excel.items() if values_match(value, computed.get(key)))
    record["not_evaluated"] = len(report.get("not_evaluated", []))
    declared = {(c["ref"]) for c in report.get("not_evaluated", [])}
    from xlroi.xlsx.refs import cell_name, quote_sheet

    record["silently_different"] = sum(
        1 for (sheet, row, col), value in excel.items()
        if not values_match(value, computed.get((sheet, row, col))) and f"{quote_sheet(sheet)}!{cell_name(row, col)}" not in declared)
    record["sentinels_left"] = sum(1 for v in computed.values() if v == SENTINEL)
    record["valid"] = not problems
    record["problems"] = problems[:5]
    return record


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="fast")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--files", nargs="*")
    parser.add_argument("--json", action="store_true", help="one JSON record per workbook instead of the table")
    parser.add_argument("--as-saved", action="store_true",
                        help="no sentinels: recalculate the workbooks as Excel saved them, with the defaults "
                             "(Excel's values as a second opinion), and count cells neither equal nor declared")
    args = parser.parse_args()
    paths = sorted(GOLDEN.glob("*.xlsx"))
    if args.files:
        paths = [p for p in paths if p.name in args.files]
    records = []
    if not args.json:
        print("| workbook | formula cells (Excel value) | equal to Excel | not evaluated | neither (silently different) | output valid | s |")
        print("|---|---:|---:|---:|---:|---|---:|")
    with tempfile.TemporaryDirectory(prefix="xlroi-sentinel-") as folder:
        for path in paths:
            r = run_one(path, args.engine, args.timeout, Path(folder), args.as_saved)
            records.append(r)
            if args.json:
                print(json.dumps(r), flush=True)
            else:
                valid = "yes" if r["valid"] else "NO: " + "; ".join(r.get("problems", []))[:120]
                print(f"| {r['workbook']} | {r['cells']:,} | {r['matched']:,} | {r['not_evaluated']:,} | "
                      f"{r.get('silently_different', 0):,} | {valid} | {r['seconds']:.1f} |", flush=True)
    cells = sum(r["cells"] for r in records)
    matched = sum(r["matched"] for r in records)
    valid = sum(1 for r in records if r["valid"])
    outside = [r for r in records if r["workbook"] != "formulas__test.xlsx"]
    summary = (f"total: {matched:,} of {cells:,} formula cells equal Excel's value ({100 * matched / max(cells, 1):.1f} %); "
               f"{sum(r.get('silently_different', 0) for r in records):,} neither equal nor declared; "
               f"{valid} of {len(records)} outputs valid; outside formulas__test.xlsx: "
               f"{sum(r['matched'] for r in outside):,} of {sum(r['cells'] for r in outside):,}")
    print(("" if args.json else "\n") + summary, file=sys.stderr if args.json else sys.stdout)
    return 0 if valid == len(records) else 1


if __name__ == "__main__":
    sys.exit(main())
