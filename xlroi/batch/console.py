"""What ``xlroi check`` and ``xlroi recalc`` print over many workbooks (the commands in
:mod:`xlroi.cli` parse the options and call these).

One progress bar for the batch (tqdm, only on a terminal), one line per workbook in the order
given, the totals table when there is more than one workbook, and a failed workbook as the
usual ``xlroi: error: …`` line on stderr — so one workbook reads exactly as before.
"""
from __future__ import annotations

import json
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Sequence

import click

from . import executors
from .inputs import expand
from .runs import check_many, make_folders, plan_outputs, recalc_many
from .summary import check_exit_status, recalc_exit_status, table, totals
from .work import CheckRecord, RecalcRecord, Sets


def check_command(books: Sequence[str], *, engine: str, as_json: bool, timeout: float | None, max_rows: int,
                  jobs: int | None, scheduler: str | None, junit_xml: str | None, fallback: bool = True) -> int:
    """Check the workbooks BOOKS name; print; return the exit status."""
    from ..cli import _format

    inputs = expand(books)
    jobs = _jobs(jobs, len(inputs))
    started = time.perf_counter()
    with _bar(len(inputs), "check") as advance:
        records = check_many(inputs, engine=engine, timeout=timeout, jobs=jobs, scheduler=scheduler, progress=advance,
                             fallback=fallback)
    seconds = time.perf_counter() - started
    if junit_xml:
        from .junit import write_junit_xml

        write_junit_xml(junit_xml, records, seconds)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in records], indent=2))
    else:
        for record in records:
            _echo_check(record, max_rows, _format)
        if len(records) > 1:
            click.echo(table(totals(records, seconds), how=_how(jobs, scheduler)))
    return check_exit_status(records)


def recalc_command(books: Sequence[str], *, output: str | None, in_place: bool, engine: str, sets: Sets,
                   as_json: bool, timeout: float | None, strict: bool, verbose: bool, jobs: int | None,
                   scheduler: str | None, fallback: bool = True) -> int:
    """Recalculate many workbooks into ``-o DIR`` (mirroring their layout) or in place."""
    from ..cli import _echo_not_evaluated

    inputs = expand(books)
    destinations = plan_outputs(inputs, output, in_place)
    make_folders(destinations)
    jobs = _jobs(jobs, len(inputs))
    started = time.perf_counter()
    with _bar(len(inputs), "recalc") as advance:
        records = recalc_many(inputs, destinations, engine=engine, sets=sets, timeout=timeout, jobs=jobs,
                              scheduler=scheduler, progress=advance, fallback=fallback)
    seconds = time.perf_counter() - started
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in records], indent=2))
    else:
        for record in records:
            if record.status == "failed":
                click.echo(f"xlroi: error: {record.error}", err=True)
                continue
            click.echo(f"{record.path} → {record.output}: {record.formula_cells} formula cells recalculated "
                       f"with the {engine} engine", err=True)
            _echo_not_evaluated(record.report.not_evaluated, verbose)
        click.echo(table(totals(records, seconds), with_stale=False, how=_how(jobs, scheduler)), err=True)
    return recalc_exit_status(records, strict)


def is_batch(books: Sequence[str], output: str | None, scheduler: str | None) -> bool:
    """Whether ``recalc`` works on many workbooks (``-o`` names a folder) or on one file as it
    always has (``-o`` names the output file)."""
    from .inputs import is_many

    return is_many(books) or bool(scheduler) or (output is not None and Path(output).is_dir())


def _echo_check(record: CheckRecord, max_rows: int, fmt) -> None:
    if record.status == "failed":
        click.echo(f"xlroi: error: {record.error}", err=True)
        return
    report = record.report
    verdict = "OK" if report.ok else "DIFFERS"
    click.echo(f"{verdict}  {report.path}: {report.matched}/{report.compared} formula cells match "
               f"({report.engine} engine; {report.not_evaluated} not evaluated, {report.no_cached_value} without a cached value)")
    for d in report.differences[:max_rows]:
        click.echo(f"  {d.ref}\t{d.status}\tcached={fmt(d.cached)}\tcomputed={fmt(d.computed)}\t={d.formula or ''}")
    if len(report.differences) > max_rows:
        click.echo(f"  … and {len(report.differences) - max_rows} more (--max-rows, or --json for all)")


def _jobs(jobs: int | None, count: int) -> int:
    if jobs is not None and jobs < 1:
        from ..errors import XlroiError

        raise XlroiError(f"-j {jobs}: give the number of worker processes (1 or more)")
    return max(1, min(jobs or executors.default_jobs(), count))


def _how(jobs: int, scheduler: str | None) -> str:
    if scheduler:
        return f"on the Dask cluster at {scheduler}"
    return f"with {jobs} worker processes" if jobs > 1 else "in one process"


@contextmanager
def _bar(total: int, label: str):
    from tqdm import tqdm

    bar = tqdm(total=total, desc=label, unit="workbook", leave=False, disable=not sys.stderr.isatty(), file=sys.stderr)

    def advance(record: CheckRecord | RecalcRecord) -> None:
        bar.set_postfix_str(Path(record.path).name, refresh=False)
        bar.update(1)

    try:
        yield advance
    finally:
        bar.close()


__all__ = ["check_command", "recalc_command", "is_batch"]
