"""Speed benchmark: `xlroi recalc` against LibreOffice and the engines alone, side by side.

For the campaign-log workload W(n) (benchmarks/workload.py: n rows × HR_COST, PRORATE,
GOAL_VALUE, SUM, ROI, plus a SUMIFS summary per channel) it runs, each as a whole process and
alternating (round 1: every tool once, round 2: every tool once, …), and reports the median wall
time, its spread, peak memory (max RSS of the process and its children) and CPU time of:

* xlroi recalc          `python -m xlroi recalc W.xlsx -o out.xlsx` — the product, as a user runs it
* … Excel's layout      the same rows with each filled-down column a shared formula, as Excel
                        saves them (W(n) as generators write it has one formula per cell)
* LibreOffice, plain    `soffice --headless --convert-to xlsx` on W(n) written with the simplest
                        formulas a user would type instead (=B2*C2, =(M2-N2)/N2): the target
* LibreOffice, portable the same with the functions' full plain formulas (`xlroi portable`)
* IronCalc alone        load + evaluate + IronCalc's own save of the copy xlroi hands it
* formulas alone        load + calculate + write with our functions registered (n ≤ 5,000)

and where xlroi's time goes, from an instrumented run of the same code in one process:
start-up (interpreter and imports), read (package and checks), engine copy (ours: the copy
IronCalc loads, with shared formulas), IronCalc load, evaluate, write-back (the lossless
write), and what is left of the whole command's time (the isolated child process, exit).

    python benchmarks/bench_recalc.py [--sizes 5000 50000] [--repeat 3] [--skip-formulas]

Machines are noisy: read the ratios of one run (measured alternately), not the absolutes.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from workload import build  # noqa: E402

XLROI = "xlroi recalc"
XLROI_SHARED = "xlroi recalc, Excel's layout"
LO_PLAIN = "LibreOffice, plain formulas"
LO_PORTABLE = "LibreOffice, portable formulas"
IRONCALC = "IronCalc alone (xlroi's copy)"
FORMULAS = "formulas alone"

IRONCALC_ALONE = """
import os, sys, ironcalc
if os.path.exists(sys.argv[2]):
    os.remove(sys.argv[2])  # IronCalc refuses to overwrite
model = ironcalc.load_from_xlsx(sys.argv[1], "en", "UTC", "en")
model.evaluate()
model.save_to_xlsx(sys.argv[2])
"""

FORMULAS_ALONE = """
import os, sys
os.environ["TQDM_DISABLE"] = "1"
import formulas
from xlroi.engines.formulas_engine import register_functions
register_functions()
model = formulas.ExcelModel().loads(sys.argv[1]).finish()
solution = model.calculate()
model.write(dirpath=sys.argv[2], solution=solution)
"""

# The recalculation `xlroi recalc` runs (xlroi.jobs._recalc), in this process, with each phase
# timed by wrapping the function that does it. Prints the phases as JSON on the last line.
PHASES = """
import json, os, sys, time
spawned = float(sys.argv[3])
import xlroi, xlroi.cli, xlroi.jobs, ironcalc
from xlroi import workbook
from xlroi.engines.ironcalc_engine import IronCalcEngine
phases = {"start-up": time.time() - spawned}
cpu = {"start-up": time.process_time()}

def timed(owner, name, phase):
    function = getattr(owner, name)
    def wrapper(*args, **kwargs):
        start, start_cpu = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            phases[phase] = phases.get(phase, 0.0) + time.perf_counter() - start
            cpu[phase] = cpu.get(phase, 0.0) + time.process_time() - start_cpu
    setattr(owner, name, wrapper)

timed(workbook, "read_package", "read")
timed(workbook.Workbook, "_load_engine", "engine copy")  # the copy, IronCalc's load, our set-up
timed(ironcalc, "load_from_xlsx", "IronCalc load")
timed(IronCalcEngine, "recalc", "evaluate")
timed(workbook.Workbook, "save", "write-back")
xlroi.jobs._recalc(sys.argv[1], sys.argv[2], False, "fast", ())
phases["engine copy"] -= phases["IronCalc load"]
cpu["engine copy"] -= cpu["IronCalc load"]
print(json.dumps({"phases": phases, "cpu": cpu, "done": time.time()}), flush=True)
os._exit(0)
"""


def measure(command: list[str], cwd: Path, env: dict | None = None) -> dict:
    """Wall seconds, peak RSS (MB, the process and its descendants) and CPU seconds of one run."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    stdout, stderr = process.stdout.read(), process.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{command[:4]} failed: {stderr.decode(errors='replace')[-800:]}")
    return {"wall": seconds, "mb": usage.ru_maxrss / 1024, "cpu": usage.ru_utime + usage.ru_stime, "stdout": stdout}


def prepared_for_ironcalc(src: Path, dest: Path) -> Path:
    """The copy the fast engine hands IronCalc: LAMBDA names, shared formulas, simple calls inlined."""
    from xlroi.engines.ironcalc_engine import IronCalcEngine
    from xlroi.xlsx.package import read_package

    package = read_package(src)
    dest.write_bytes(package.to_bytes(IronCalcEngine.prepare_parts(package), compress=False))
    return dest


def instrumented_phases(python: str, book: Path, out: Path) -> dict:
    """One instrumented in-process run: seconds per phase (see PHASES)."""
    spawned = time.time()
    run = measure([python, "-c", PHASES, str(book), str(out), repr(spawned)], ROOT)
    report = json.loads(run["stdout"].decode().strip().splitlines()[-1])
    phases = report["phases"]
    phases["exit"] = max(0.0, spawned + run["wall"] - report["done"])
    phases.update({f"{key} CPU": value for key, value in report["cpu"].items()})
    return phases


def _median(values: list[float]) -> float:
    return statistics.median(values)


def run_size(n: int, work: Path, args, soffice: str | None) -> tuple[dict, dict]:
    python = sys.executable
    book = build(work / f"w{n}.xlsx", n)
    excel_layout = build(work / f"w{n}-shared.xlsx", n, shared=True)
    runs = {XLROI: [python, "-m", "xlroi", "recalc", str(book), "-o", str(work / "out.xlsx")],
            XLROI_SHARED: [python, "-m", "xlroi", "recalc", str(excel_layout), "-o", str(work / "out-shared.xlsx")]}
    if soffice:
        profile = (work / "lo-profile").as_uri()
        for name, form in ((LO_PLAIN, "plain"), (LO_PORTABLE, "portable")):
            source = build(work / f"w{n}-{form}.xlsx", n, form=form)
            (work / f"lo-{form}").mkdir(exist_ok=True)
            runs[name] = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xlsx",
                          "--outdir", str(work / f"lo-{form}"), str(source)]
        measure(runs[LO_PLAIN], ROOT)  # the first start creates the profile: not timed
    prepared = prepared_for_ironcalc(book, work / f"w{n}-ironcalc.xlsx")
    runs[IRONCALC] = [python, "-c", IRONCALC_ALONE, str(prepared), str(work / "ironcalc-out.xlsx")]
    samples: dict[str, list[dict]] = {name: [] for name in runs}
    names = list(runs)
    for round_ in range(args.repeat):
        for name in names[round_ % len(names):] + names[:round_ % len(names)]:  # alternate, rotated
            samples[name].append(measure(runs[name], ROOT))
            last = samples[name][-1]
            print(f"  n={n:,} round {round_ + 1} {name}: {last['wall']:.2f} s, {last['mb']:.0f} MB", file=sys.stderr, flush=True)
    if n <= 5000 and not args.skip_formulas:
        (work / "formulas-out").mkdir(exist_ok=True)
        samples[FORMULAS] = [measure([python, "-c", FORMULAS_ALONE, str(book), str(work / "formulas-out")], ROOT)]
        print(f"  n={n:,} {FORMULAS}: {samples[FORMULAS][0]['wall']:.2f} s", file=sys.stderr, flush=True)
    by_layout = {}
    for layout, source in ((XLROI, book), (XLROI_SHARED, excel_layout)):
        phases = [instrumented_phases(python, source, work / "phases-out.xlsx") for _ in range(args.repeat)]
        by_layout[layout] = {key: _median([p.get(key, 0.0) for p in phases]) for key in phases[0]}
    return samples, by_layout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per tool (alternating; the median is shown)")
    parser.add_argument("--skip-formulas", action="store_true", help="skip the slow formulas engine (minutes)")
    args = parser.parse_args()
    soffice = shutil.which("soffice")
    results = {}
    with tempfile.TemporaryDirectory(prefix="xlroi-bench-") as folder:
        for n in args.sizes:
            results[n] = run_size(n, Path(folder), args, soffice)
    print(f"\nW(n) campaign log; each tool a whole process, {args.repeat} alternating rounds, median "
          f"(min–max); peak memory = max RSS; formulas: 1 run\n")
    print("| rows | tool | wall time | peak memory | CPU time | time ÷ xlroi recalc |")
    print("|---:|---|---:|---:|---:|---:|")
    for n, (samples, _) in results.items():
        base = _median([s["wall"] for s in samples[XLROI]])
        for name, runs in samples.items():
            walls = [s["wall"] for s in runs]
            spread = f" ({min(walls):.2f}–{max(walls):.2f})" if len(walls) > 1 else ""
            print(f"| {n:,} | {name} | {_median(walls):.2f} s{spread} | {max(s['mb'] for s in runs):,.0f} MB "
                  f"| {_median([s['cpu'] for s in runs]):.2f} s | {_median(walls) / base:.2f} |")
    if soffice:
        print("\nxlroi recalc ÷ LibreOffice, per round (the targets: ≤ 0.6 at 5,000 rows, ≤ 1.0 at 50,000):\n")
        for n, (samples, _) in results.items():
            for ours in (XLROI, XLROI_SHARED):
                for name in (LO_PLAIN, LO_PORTABLE):
                    ratios = [x["wall"] / y["wall"] for x, y in zip(samples[ours], samples[name])]
                    print(f"- {n:,} rows, {ours} ÷ {name}: median {_median(ratios):.2f} "
                          f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)})")
    else:
        print("\n(LibreOffice not installed: apt-get install -y libreoffice-calc-nogui)")
    print(f"\nWhere xlroi's time goes (an instrumented run of the same work in one process, median of "
          f"{args.repeat}; wall time, with the CPU time of the process — all its threads — in brackets; "
          "exit = from the last line to the end of the process; the command's own time also holds its "
          "isolated child process):\n")
    keys = ["start-up", "read", "engine copy", "IronCalc load", "evaluate", "write-back", "exit"]
    print("| rows | layout | " + " | ".join(keys) + " | sum | Python side (read + engine copy + write-back) | the command |")
    print("|---:|---|" + "---:|" * (len(keys) + 3))
    for n, (samples, by_layout) in results.items():
        for layout, phases in by_layout.items():
            total = _median([s["wall"] for s in samples[layout]])
            python_side = phases["read"] + phases["engine copy"] + phases["write-back"]
            python_cpu = phases["read CPU"] + phases["engine copy CPU"] + phases["write-back CPU"]
            name = "shared (Excel's)" if layout == XLROI_SHARED else "one formula a cell"
            print(f"| {n:,} | {name} | " + " | ".join(f"{phases[k]:.2f} s" + (f" ({phases[k + ' CPU']:.2f})" if k + " CPU" in phases else "")
                                                    for k in keys)
                  + f" | {sum(phases[k] for k in keys):.2f} s | {python_side:.2f} s ({python_cpu:.2f}) | {total:.2f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
