"""Speed benchmark: `xlroi recalc` against the alternatives, side by side in one run.

For the campaign-log workload W(n) (benchmarks/workload.py: n rows × HR_COST, PRORATE,
GOAL_VALUE, SUM, ROI, plus a SUMIFS summary per channel) it measures wall time and peak memory
(max RSS, each run in its own process) of:

* xlroi recalc      read, evaluate (fast engine), lossless write-back — the product
* IronCalc alone    load + evaluate + IronCalc's own save_to_xlsx (loses charts/VBA; no xlroi)
* formulas alone    load + calculate + write, with our functions registered (n ≤ 5,000 only)
* LibreOffice       soffice --headless --convert-to xlsx on W(n) with the functions written as
                    plain formulas (the portable form), when soffice is installed

and prints a table with ratios to `xlroi recalc` (ratios, because these machines are noisy).

    python benchmarks/bench_recalc.py [--sizes 5000 50000] [--repeat 3] [--skip-formulas]
"""
from __future__ import annotations

import argparse
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


def measure(command: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one run of ``command`` in its own process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{command[:3]} failed: {process.stderr.read().decode()[-500:]}")
    return seconds, usage.ru_maxrss / 1024


def prepared_for_ironcalc(src: Path, dest: Path) -> Path:
    """The workbook with the LAMBDA names written in, as the fast engine hands it to IronCalc."""
    from xlroi.engines.ironcalc_engine import IronCalcEngine
    from xlroi.xlsx.package import read_package

    package = read_package(src)
    dest.write_bytes(package.to_bytes(IronCalcEngine.prepare_parts(package)))
    return dest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the median is shown)")
    parser.add_argument("--skip-formulas", action="store_true", help="skip the slow formulas engine")
    args = parser.parse_args()
    soffice = shutil.which("soffice")
    python = sys.executable
    rows = []
    with tempfile.TemporaryDirectory(prefix="xlroi-bench-") as folder:
        work = Path(folder)
        profile = (work / "lo-profile").as_uri()
        for n in args.sizes:
            book = build(work / f"w{n}.xlsx", n)
            plain = build(work / f"w{n}-plain.xlsx", n, portable=True)
            prepared = prepared_for_ironcalc(book, work / f"w{n}-ironcalc.xlsx")
            runs = {
                "xlroi recalc": [python, "-m", "xlroi", "recalc", str(book), "-o", str(work / "out.xlsx")],
                "IronCalc alone": [python, "-c", IRONCALC_ALONE, str(prepared), str(work / "ironcalc-out.xlsx")],
            }
            if n <= 5000 and not args.skip_formulas:
                (work / "formulas-out").mkdir(exist_ok=True)
                runs["formulas alone"] = [python, "-c", FORMULAS_ALONE, str(book), str(work / "formulas-out")]
            if soffice:
                (work / "lo-out").mkdir(exist_ok=True)
                runs["LibreOffice"] = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xlsx",
                                       "--outdir", str(work / "lo-out"), str(plain)]
                measure(runs["LibreOffice"], ROOT)  # first start creates the profile: not timed
            results = {}
            for name, command in runs.items():
                repeat = 1 if name == "formulas alone" else args.repeat
                samples = [measure(command, ROOT) for _ in range(repeat)]
                results[name] = (statistics.median(s for s, _ in samples), max(m for _, m in samples))
                print(f"  n={n:,} {name}: {results[name][0]:.2f} s, {results[name][1]:.0f} MB", file=sys.stderr, flush=True)
            base = results["xlroi recalc"][0]
            for name, (seconds, mb) in results.items():
                rows.append((n, name, seconds, mb, seconds / base))
    print(f"\nW(n) campaign log; median of {args.repeat} runs (formulas: 1); peak memory = max RSS\n")
    print("| rows | tool | wall time | peak memory | time ÷ xlroi recalc |")
    print("|---:|---|---:|---:|---:|")
    for n, name, seconds, mb, ratio in rows:
        print(f"| {n:,} | {name} | {seconds:.2f} s | {mb:.0f} MB | {ratio:.2f} |")
    if not soffice:
        print("\n(LibreOffice not installed: apt-get install -y libreoffice-calc-nogui)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
