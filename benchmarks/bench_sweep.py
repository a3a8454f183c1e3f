"""Many scenarios: a 100-point sweep of the template's ad spend against 100 separate
`xlroi eval --set` runs, in one run.

* `xlroi sweep` — one command: the workbook is read and loaded once, each of the 100
  scenarios only sets 'Step 2 Costs'!D17 and recalculates;
* `xlroi eval --set` × 100 — what a script would do without sweep: a process per scenario,
  each reading, loading and evaluating the workbook;
* `book.sweep(...)` in Python — the same sweep without process start-up (for reference).

Every way must give the same OverallROI at every point. Prints the times and the ratio.

    python benchmarks/bench_sweep.py [--points 100] [--repeat 3]
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "workbook_templates" / "xlroi-template.xlsx"
AD_SPEND = "'Step 2 Costs'!D17"
XLROI = [sys.executable, "-m", "xlroi"]


def timed(function):
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def run(args: list[str]) -> str:
    return subprocess.run(XLROI + args, capture_output=True, text=True, check=True).stdout


def sweep_command(points: int, step: int) -> list[float]:
    out = run(["sweep", str(TEMPLATE), "--vary", f"{AD_SPEND}=0:{(points - 1) * step}:{step}",
               "--watch", "OverallROI", "--json"])
    return [row["OverallROI"] for row in json.loads(out)]


def eval_runs(points: int, step: int) -> list[float]:
    return [json.loads(run(["eval", str(TEMPLATE), "OverallROI", "--set", f"{AD_SPEND}={i * step}", "--json"]))["OverallROI"]
            for i in range(points)]


def api_sweep(points: int, step: int) -> list[float]:
    import xlroi

    book = xlroi.open(TEMPLATE)
    return [row["OverallROI"] for row in book.sweep({AD_SPEND: range(0, points * step, step)}, ["OverallROI"])]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100)
    parser.add_argument("--step", type=int, default=200, help="ad spend between two scenarios")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    step = args.step
    ways = {"xlroi sweep (one command)": sweep_command, "xlroi eval --set × points": eval_runs,
            "book.sweep() in Python": api_sweep}
    times, answers = {}, {}
    for name, way in ways.items():
        runs = [timed(lambda: way(args.points, step)) for _ in range(args.repeat)]
        times[name], answers[name] = statistics.median(t for t, _ in runs), runs[0][1]
        print(f"  {name}: {', '.join(f'{t:.2f} s' for t, _ in runs)}", flush=True)
    first = next(iter(answers.values()))
    assert all(a == first for a in answers.values()), "the ways disagree"
    sweep, evals = times["xlroi sweep (one command)"], times["xlroi eval --set × points"]
    print(f"\n{args.points} scenarios of {AD_SPEND} from 0 to {(args.points - 1) * step:,} (same OverallROI at every "
          f"point in every way); median of {args.repeat}, {time.strftime('%Y-%m-%d')}\n")
    print("| way | wall time | per scenario |")
    print("|---|---:|---:|")
    for name, seconds in times.items():
        print(f"| {name} | {seconds:.2f} s | {seconds / args.points * 1000:.1f} ms |")
    print(f"\n`xlroi sweep` is {evals / sweep:.0f}× faster than {args.points} `xlroi eval --set` runs.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
