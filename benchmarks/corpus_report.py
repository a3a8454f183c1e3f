"""Fidelity report: how each engine's recalculation matches the values Excel saved.

Runs ``xlroi check --json`` with both engines on every workbook of tests/golden/
(saved by Microsoft Excel, with Excel's own cached values), each in its own process with a
time limit, and prints per workbook and engine the formula cells that match Excel, differ, or
could not be evaluated; then where the engines disagree and which one matches Excel.
``--write-baseline`` records every non-matching cell in tests/corpus_baseline.json, which
tests/test_corpus.py holds the engines to.

    python benchmarks/corpus_report.py [--write-baseline] [--timeout 300]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from xlroi.differential import check_with_time_limit, disagreements_from_checks  # noqa: E402

CORPUS = ROOT / "tests" / "golden"  # Excel-saved workbooks carried in the repository (see its SOURCES.md)
BASELINE = ROOT / "tests" / "corpus_baseline.json"
ENGINES = ("fast", "formulas")
# The baseline's runs: the fast engine alone, the fast engine with the reference engine's
# fallback (what `xlroi check` does by default), the reference engine alone.
RUNS = {"fast": ("fast", False), "fast+fallback": ("fast", True), "formulas": ("formulas", True)}
DEFAULT_TIMEOUT = 300.0


def baseline_entry(timed) -> dict:
    """What the baseline keeps of one engine's run on one workbook."""
    if timed.timed_out:
        return {"timed_out": True}
    if timed.report is None:
        return {"error": timed.error}
    return {"cells": {d["ref"]: d["status"] for d in timed.report["differences"]}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-baseline", action="store_true")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per workbook and engine")
    parser.add_argument("--files", nargs="*", help="only these workbooks (names in the corpus); "
                        "with --write-baseline their entries replace the old ones")
    args = parser.parse_args()
    print("| workbook | formula cells (cached) | fast: match / not evaluated / s | fast + fallback: match / not evaluated / s"
          " | formulas: match / not evaluated / s | engines disagree: fast right / formulas right / neither |")
    print("|---|---|---|---|---|---|")
    totals = {e: [0, 0] for e in RUNS}
    baseline = json.loads(BASELINE.read_text(encoding="utf-8")) if args.files and BASELINE.exists() else {}
    paths = sorted(CORPUS.glob("*.xlsx"))
    if args.files:
        paths = [p for p in paths if p.name in args.files]
    for path in paths:
        runs = {e: check_with_time_limit(path, engine, args.timeout, fallback) for e, (engine, fallback) in RUNS.items()}
        baseline[path.name] = {e: baseline_entry(t) for e, t in runs.items()}
        cells, compared = "", 0
        row = [path.name]
        for e, t in runs.items():
            if t.report is None:
                row.append(f"timed out after {t.seconds:.0f} s" if t.timed_out else f"failed: {t.error}")
                continue
            r = t.report
            compared = r["compared"]
            totals[e][0] += r["matched"]
            totals[e][1] += r["compared"]
            row.append(f"{r['matched']} / {r['not_evaluated']} / {t.seconds:.1f}")
        if runs["fast"].report and runs["formulas"].report:
            verdicts = [d["verdict"] for d in disagreements_from_checks(runs["fast"].report, runs["formulas"].report)]
            row.append(" / ".join(str(verdicts.count(v)) for v in ("fast matches Excel", "formulas matches Excel", "neither matches Excel")))
        else:
            row.append("n/a")
        print(f"| {row[0]} | {compared} | " + " | ".join(row[1:]) + " |", flush=True)
    for e in RUNS:
        matched, compared = totals[e]
        print(f"\n{e}: {matched}/{compared} cached formula cells match Excel ({100 * matched / max(compared, 1):.2f} %) "
              "over the workbooks it finished")
    if args.write_baseline:
        BASELINE.write_text(json.dumps(baseline, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {BASELINE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
