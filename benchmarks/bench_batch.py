"""Many workbooks: `xlroi check` over 1,000 template workbooks, serially, with -j 2 and on a
2-worker Dask LocalCluster, side by side in one run.

The workbooks are copies of the example template, each with different inputs (ad spend,
people's hours, a tool's price, subscribers — so every one has its own numbers), written fresh
by the lossless write-back. Each mode is one `xlroi check FOLDER` command in its own process,
timed from start to exit (Python start-up included); every mode must find all of them fresh,
and the records (less their timings) must be identical across modes. The cluster is started
before the clock starts, as a real cluster would already be running.

    python benchmarks/bench_batch.py [--count 1000] [--repeat 1] [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "workbook_templates" / "xlroi-template.xlsx"
INPUTS = {  # an input cell of the template → the values cycled through
    "'Step 2 Costs'!D17": [1000 + 250 * i for i in range(40)],  # LinkedIn ad spend
    "'Step 2 Costs'!D18": [0, 500, 1500, 3000, 4500],  # another channel's ad spend
}


def build(folder: Path, count: int) -> list[Path]:
    """``count`` fresh workbooks, 50 per client folder."""
    import xlroi

    book = xlroi.open(TEMPLATE)
    paths = []
    for i in range(count):
        for ref, values in INPUTS.items():
            book.set(ref, values[(i * 7 + len(ref) * (i // len(values))) % len(values)])
        path = folder / f"client-{i // 50:03d}" / f"book-{i:04d}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        book.save(path)
        paths.append(path)
    return paths


def check(folder: Path, *options: str) -> tuple[float, int, list[dict]]:
    """(seconds, exit status, records) of one `xlroi check FOLDER --json` run."""
    command = [sys.executable, "-m", "xlroi", "check", str(folder), "--json", *options]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    records = json.loads(done.stdout)
    return seconds, done.returncode, [{k: v for k, v in r.items() if k != "seconds"} for r in records]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=1, help="runs per mode; the median is shown")
    parser.add_argument("--keep", type=Path, help="build the workbooks here (and keep them)")
    args = parser.parse_args()

    from dask.distributed import LocalCluster

    with tempfile.TemporaryDirectory(prefix="xlroi-bench-batch-") as scratch:
        folder = args.keep or Path(scratch)
        started = time.perf_counter()
        build(folder, args.count)
        print(f"built {args.count} fresh template workbooks in {time.perf_counter() - started:.1f} s "
              f"({sum(p.stat().st_size for p in folder.rglob('*.xlsx')) / 2**20:.1f} MiB) in {folder}", flush=True)
        cores = len(os.sched_getaffinity(0))
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            modes = {
                "serial (-j 1)": ["-j", "1"],
                "process pool (-j 2)": ["-j", "2"],
                "Dask LocalCluster, 2 workers": ["--scheduler", cluster.scheduler_address],
            }
            results = {}
            for name, options in modes.items():
                runs = [check(folder, *options) for _ in range(args.repeat)]
                results[name] = (statistics.median(r[0] for r in runs), runs[0][1], runs[0][2])
                print(f"  {name}: {', '.join(f'{r[0]:.1f} s' for r in runs)}", flush=True)
    reference = results["serial (-j 1)"]
    for name, (_, status, records) in results.items():
        assert status == 0, f"{name}: exit {status}"
        assert records == reference[2], f"{name}: records differ from the serial run's"
    cells = sum(r["formula_cells"] for r in reference[2])
    print(f"\n{args.count:,} workbooks, {cells:,} formula cells, all fresh in every mode, identical records; "
          f"{cores} cores, median of {args.repeat}, {time.strftime('%Y-%m-%d')}\n")
    print("| mode | wall time | workbooks / s | speed-up over serial |")
    print("|---|---:|---:|---:|")
    for name, (seconds, _, _) in results.items():
        print(f"| {name} | {seconds:.1f} s | {args.count / seconds:.0f} | {reference[0] / seconds:.2f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
