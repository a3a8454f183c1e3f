"""``xlroi sweep`` and ``xlroi goal-seek``: a thin click layer over :mod:`xlroi.scenarios`.

Loaded by :mod:`xlroi.cli`, which registers both commands (it defines the shared options used
here). The work runs in a child process stopped at ``--timeout``, like every evaluating command.
"""
from __future__ import annotations

import csv
import io
import json
import sys

import click

from .cli import ENGINE_OPTION, JSON_OPTION, SET_OPTION, TIMEOUT_OPTION, _format, _parse_sets, _timeout


def _opened(book: str, engine: str, sets):
    from .workbook import open as open_workbook

    workbook = open_workbook(book, engine=engine)
    for ref, value in sets:
        workbook.set(ref, value)
    return workbook


def _run(function, *args, timeout: float | None, what: str, leftovers=None):
    from .isolation import run_isolated

    if timeout is None:
        return function(*args)
    return run_isolated(function, *args, timeout=timeout, what=what, leftovers=leftovers)


def _sweep_file(book: str, vary: list, watch: list, engine: str, sets: list) -> list[dict]:
    import math

    from tqdm import tqdm

    workbook = _opened(book, engine, sets)
    total = math.prod(len(values) for _, values in vary)
    with tqdm(total=total, desc="sweep", unit="scenario", leave=False, disable=not sys.stderr.isatty(),
              file=sys.stderr) as bar:
        return workbook.sweep(vary, watch, progress=lambda _: bar.update(1))


@click.command("sweep")
@click.argument("book", type=click.Path(dir_okay=False))
@click.argument("more_watched", nargs=-1, metavar="[REF]...")
@click.option("--vary", "varies", multiple=True, required=True, metavar="REF=START:STOP:STEP",
              help="An input cell and the values to give it (STOP included). Repeat for more cells: every combination is run.")
@click.option("--watch", "watched", multiple=True, metavar="REF...",
              help="A cell, range or defined name to read in each scenario (several may follow one --watch).")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (a header of the references as typed, one row per scenario).")
@JSON_OPTION
@ENGINE_OPTION
@SET_OPTION
@TIMEOUT_OPTION
def sweep(book: str, more_watched: tuple[str, ...], varies: tuple[str, ...], watched: tuple[str, ...], as_csv: bool,
          as_json: bool, engine: str, sets: tuple[str, ...], timeout: str | None) -> None:
    """Run every combination of the --vary values on BOOK and print the --watch values of each.

    The workbook is loaded once; each scenario only sets the inputs and recalculates. Nothing
    is written. --json prints a list with one object per scenario whose keys are the varied
    and watched references as typed.

    Example: xlroi sweep roi.xlsx --vary "'Step 2 Costs'!D17=0:20000:2000" --watch OverallROI TotalInvestment
    """
    from .errors import BadValue
    from .scenarios import parse_vary
    from .workbook import to_json_value

    if as_csv and as_json:
        raise BadValue("give --csv or --json, not both")
    vary = [parse_vary(text) for text in varies]
    watch = list(watched) + list(more_watched)
    if not watch:
        raise BadValue("say what to read in each scenario: --watch REF (e.g. --watch OverallROI)")
    rows = _run(_sweep_file, book, vary, watch, engine, _parse_sets(sets), timeout=_timeout(timeout),
                what=f"the sweep of {book}")
    columns = [ref for ref, _ in vary] + watch
    if as_json:
        click.echo(json.dumps([{ref: to_json_value(row[ref]) for ref in columns} for row in rows], indent=2))
    elif as_csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows([_cell_text(row[ref]) for ref in columns] for row in rows)
        click.echo(buffer.getvalue(), nl=False)
    else:
        click.echo(_table(columns, [[_cell_text(row[ref]) for ref in columns] for row in rows]))


def _cell_text(value: object) -> str:
    if isinstance(value, list):  # a watched range: its rows, as JSON
        from .workbook import to_json_value

        return json.dumps(to_json_value(value))
    return _format(value)


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(text) for text in column) for column in zip(header, *rows)]
    lines = ["  ".join(text.rjust(width) for text, width in zip(line, widths)) for line in [header, *rows]]
    return "\n".join(lines)


def _goal_seek_file(book: str, target: str, goal: float, changing: str, engine: str, sets: list,
                    tolerance: float, max_iterations: int, output: str | None):
    workbook = _opened(book, engine, sets)
    result = workbook.goal_seek(target, goal, changing, tolerance=tolerance, max_iterations=max_iterations)
    if output:
        workbook.save(output)
    return result


@click.command("goal-seek")
@click.argument("book", type=click.Path(dir_okay=False))
@click.option("--target", required=True, metavar="REF=VALUE", help="The formula cell and the value it should reach (150% or 1.5).")
@click.option("--by-changing", "changing", required=True, metavar="REF", help="The input cell to change.")
@click.option("--tolerance", type=float, default=0.001, show_default=True,
              help="How close the target must come (Excel's Maximum Change).")
@click.option("--max-iterations", type=click.IntRange(1, 10_000), default=100, show_default=True,
              help="Refining steps at most (Excel's Maximum Iterations).")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Also write the workbook with the value found (the input is never modified).")
@JSON_OPTION
@ENGINE_OPTION
@SET_OPTION
@TIMEOUT_OPTION
def goal_seek(book: str, target: str, changing: str, tolerance: float, max_iterations: int, output: str | None,
              as_json: bool, engine: str, sets: tuple[str, ...], timeout: str | None) -> None:
    """Excel's Goal Seek, headless: find the value of --by-changing that makes --target's formula
    equal VALUE. Exits 41 with the closest value tried when no value reaches it.

    --json prints an object whose key is --by-changing's reference as typed and whose value is
    the value found.

    Example: xlroi goal-seek roi.xlsx --target OverallROI=150% --by-changing "'Step 2 Costs'!D17"
    """
    from .errors import BadValue
    from .scenarios import parse_target

    if not tolerance > 0:
        raise BadValue(f"--tolerance {tolerance!r}: give a positive number")
    target_ref, goal = parse_target(target)
    cleanup = None
    if output:
        import time

        from .isolation import remove_partial_outputs

        cleanup = remove_partial_outputs(output, time.time())
    result = _run(_goal_seek_file, book, target_ref, goal, changing, engine, _parse_sets(sets), tolerance,
                  max_iterations, output, timeout=_timeout(timeout), what=f"the goal seek on {book}", leftovers=cleanup)
    if as_json:
        click.echo(json.dumps({changing: result.value}))
        return
    click.echo(f"{changing}\t{_format(result.value)}")
    click.echo(f"{target_ref} = {_format(result.target_value)} (goal {goal:g}, within {tolerance:g}; "
               f"{result.trials} evaluations)" + (f"; wrote {output}" if output else ""), err=True)


__all__ = ["sweep", "goal_seek"]
