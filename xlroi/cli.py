"""The ``xlroi`` command: a thin layer over the Python API (:mod:`xlroi.workbook`).

Every problem with the input becomes one line on stderr and a documented exit status
(``xlroi --help`` lists them); ``--debug`` shows the traceback instead.
"""
from __future__ import annotations

import json
import re
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from . import __version__
from .errors import BadValue, XlroiError

EXIT_CODES = """\b
Exit status:
  0  success
  1  check: cells differ from the cached values (or were not evaluated)
  2  bad usage or bad input
  3  workbook not found        4  not an .xlsx/.xlsm workbook
  5  unsafe workbook (limits)  6  unknown sheet, cell or name
  7  a value that does not parse or fit
  8  output cannot be written  9  engine cannot load the workbook
 10  stopped at the time limit (--timeout; nothing written)
 21  report: not an xlroi template  22  report: nothing to report
 23  report: the template's checks fail (written, marked)
 24  report: the 'report' extra is not installed
 30  import: not a known platform export
 31  import: the export does not fit the workbook
 40  Dask scheduler cannot be reached (--scheduler)
 41  goal-seek: no value reaches the target
 70  internal error (rerun with --debug and report it)"""


class XlroiGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except XlroiError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"xlroi: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:
            # the reader (e.g. `| head`) went away: not an error of ours
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except KeyboardInterrupt:
            click.echo("xlroi: interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: never a traceback
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"xlroi: internal error: {type(exc).__name__}: {exc} (rerun with --debug and report it)", err=True)
            ctx.exit(70)


@click.group(cls=XlroiGroup, epilog=EXIT_CODES, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="xlroi")
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Measure the ROI of social-media marketing in Excel workbooks, with no Excel needed.

    Recalculate any saved .xlsx/.xlsm (Excel's built-in functions and xlroi's ROI, HR_COST,
    GOAL_VALUE, PRORATE), read results, check cached values in CI, and get the six-step
    template.
    """
    ctx.obj = {"debug": debug}


def _progress(total: int, label: str):
    from tqdm import tqdm

    return tqdm(total=total, desc=label, unit="step", leave=False, disable=not sys.stderr.isatty(), file=sys.stderr)


@contextmanager
def _phases(label: str, names: list[str]):
    bar = _progress(len(names), label)

    def step(name: str) -> None:
        bar.set_postfix_str(name)
        bar.update(1)

    try:
        yield step
    finally:
        bar.close()


def _parse_sets(sets: tuple[str, ...]) -> list[tuple[str, object]]:
    from .workbook import parse_input

    parsed = []
    for item in sets:
        ref, sep, text = item.partition("=")
        if not sep or not ref.strip():
            raise BadValue(f"--set {item!r}: write REF=VALUE, e.g. --set \"'Step 2 Costs'!D17=20000\"")
        parsed.append((ref.strip(), parse_input(text)))
    return parsed


ENGINE_OPTION = click.option(
    "--engine", type=click.Choice(["fast", "formulas"]), default="fast", show_default=True,
    help="fast: IronCalc (Rust). formulas: the Python reference engine (slow, exact library code).",
)
SET_OPTION = click.option("--set", "sets", multiple=True, metavar="REF=VALUE",
                          help='Change an input first: a number (1,200 / 50%), TRUE/FALSE, #N/A, or "text" in double quotes. Repeatable.')
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
FALLBACK_OPTION = click.option(
    "--fallback/--no-fallback", default=True, show_default=True,
    help="Let the reference engine (formulas) compute the cells the fast engine cannot, within the time limit.")
EXCEL_VALUES_OPTION = click.option(
    "--excel-values/--no-excel-values", default=None,
    help="For a workbook Excel calculated: where an engine contradicts the value Excel saved for the same "
         "inputs, keep Excel's value and report the cell (default; --no-excel-values: write the engine's). "
         "Also XLROI_EXCEL_VALUES=0.")


def _excel_values(flag: bool | None) -> None:
    """Pass the choice to every process the work runs in (child, pool, fallback) via the environment."""
    import os

    from .workbook import EXCEL_VALUES_ENV

    if flag is None:
        return
    before = os.environ.get(EXCEL_VALUES_ENV)
    os.environ[EXCEL_VALUES_ENV] = "1" if flag else "0"

    def restore() -> None:  # the command may run inside a longer-lived process (tests, scripts)
        if before is None:
            os.environ.pop(EXCEL_VALUES_ENV, None)
        else:
            os.environ[EXCEL_VALUES_ENV] = before

    click.get_current_context().call_on_close(restore)


TIMEOUT_OPTION = click.option(
    "--timeout", metavar="SECONDS", default=None,
    help="Stop the work after SECONDS (exit 10, nothing written). Default: $XLROI_TIMEOUT or 300; 0 = no limit.")


JOBS_OPTION = click.option("-j", "--jobs", type=int, default=None, metavar="N",
                           help="Work on N workbooks at once, each in its own process. Default: the number of cores.")
SCHEDULER_OPTION = click.option(
    "--scheduler", metavar="ADDRESS", default=None,
    help="Run on the Dask cluster whose scheduler is at ADDRESS (e.g. tcp://10.0.0.5:8786); "
         "needs pip install 'xlroi[dask]'. Workbooks travel as bytes: no shared file system needed.")


def _timeout(text: str | None) -> float | None:
    from .isolation import default_timeout, parse_timeout

    return default_timeout() if text is None else parse_timeout(text)


def _format(value: object) -> str:
    from .engines.base import NotEvaluated

    if isinstance(value, NotEvaluated):
        return f"<{value}>"
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


@main.command()
@click.argument("books", nargs=-1, required=True, metavar="BOOK...")
@click.option("-o", "--output", type=click.Path(), help="Where to write the recalculated workbook (a folder for several workbooks).")
@click.option("--in-place", is_flag=True, help="Replace BOOK itself (atomically).")
@ENGINE_OPTION
@SET_OPTION
@JSON_OPTION
@TIMEOUT_OPTION
@click.option("--strict", is_flag=True, help="Exit 1 if any cell could not be evaluated.")
@click.option("-v", "--verbose", is_flag=True, help="List every cell not evaluated (default: a summary per reason).")
@JOBS_OPTION
@SCHEDULER_OPTION
@FALLBACK_OPTION
@EXCEL_VALUES_OPTION
def recalc(books: tuple[str, ...], output: str | None, in_place: bool, engine: str, sets: tuple[str, ...], as_json: bool,
           timeout: str | None, strict: bool, verbose: bool, jobs: int | None, scheduler: str | None,
           fallback: bool, excel_values: bool | None) -> None:
    """Recalculate every formula of BOOK and write the results as cached values.

    Only the cached values of formula cells (and cells given with --set) change; charts,
    images, styles, VBA and everything else stay byte for byte. BOOK is never modified
    unless --in-place is given. Cells no engine can evaluate keep their cached value and are
    reported as not evaluated, with the reason.

    BOOK may also be several files, folders (searched for .xlsx/.xlsm) or quoted globs
    ('clients/**/*.xlsx'): then -o names a folder, where each workbook is written at its path
    relative to its folder or glob, and a summary table follows (--json: one record each).

    Example: xlroi recalc campaign.xlsx -o campaign-recalculated.xlsx --timeout 60

    Example: xlroi recalc 'clients/**/*.xlsx' -o fresh/ -j 4
    """
    from .jobs import recalc_file

    if bool(output) == in_place:
        raise BadValue("give either -o OUTPUT or --in-place")
    changes = _parse_sets(sets)  # parse before the (slow) load: a typo fails fast
    _excel_values(excel_values)
    from .batch.console import is_batch, recalc_command

    if is_batch(books, None if in_place else output, scheduler):
        sys.exit(recalc_command(books, output=output, in_place=in_place, engine=engine, sets=changes, as_json=as_json,
                                timeout=_timeout(timeout), strict=strict, verbose=verbose, jobs=jobs, scheduler=scheduler,
                                fallback=fallback))
    book = books[0]
    with _phases("recalc", ["read, evaluate, write"]) as step:
        report = recalc_file(book, output, in_place=in_place, engine=engine, sets=changes, timeout=_timeout(timeout),
                             fallback=fallback)
        step("done")
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        click.echo(f"{report.path}: {report.formula_cells} formula cells recalculated with the {engine} engine", err=True)
        _echo_fallback(report.fallback)
        _echo_not_evaluated(report.not_evaluated, verbose)
    if strict and report.not_evaluated:
        sys.exit(1)


def _echo_fallback(run: dict | None) -> None:
    """What the reference engine computed for the fast engine (--fallback)."""
    if run:
        click.echo(f"  {run['recovered']} of {run['cells']} cells the fast engine could not evaluate computed by the "
                   f"reference engine in {run['seconds']:.1f} s ({run['status']})", err=True)


_DEPENDS_ON = re.compile(r"^depends on (?:'(?:[^']|'')*'|[^'!,]+)![A-Z]+\d+, not evaluated: ")


def _echo_not_evaluated(cells: list[tuple[str, str]], verbose: bool, shown: int = 3) -> None:
    """One line per reason with its count and the first few cells (every cell with --verbose)."""
    from .evaluation.excel_values import DETAIL

    if verbose:
        for ref, reason in cells:
            click.echo(f"  not evaluated (cached value kept): {ref}: {reason}", err=True)
        return
    by_reason: dict[str, list[str]] = {}
    for ref, reason in cells:  # cells depending on different cells for one reason: one line
        kind = reason.split(DETAIL)[0]  # "… — engine 3, Excel 4": one line for the kind
        by_reason.setdefault(_DEPENDS_ON.sub("depends on a cell not evaluated: ", kind), []).append(ref)
    if by_reason:
        click.echo(f"  {len(cells)} cells not evaluated (cached value kept); --verbose or --json lists them all:", err=True)
    for reason, refs in sorted(by_reason.items(), key=lambda item: -len(item[1])):
        more = f", … ({len(refs) - shown} more)" if len(refs) > shown else ""
        click.echo(f"  {len(refs):>6}  {reason}: {', '.join(refs[:shown])}{more}", err=True)


@main.command("eval")
@click.argument("book", type=click.Path(dir_okay=False))
@click.argument("refs", nargs=-1, required=True)
@ENGINE_OPTION
@SET_OPTION
@JSON_OPTION
@TIMEOUT_OPTION
@FALLBACK_OPTION
@EXCEL_VALUES_OPTION
def eval_(book: str, refs: tuple[str, ...], engine: str, sets: tuple[str, ...], as_json: bool, timeout: str | None,
          fallback: bool, excel_values: bool | None) -> None:
    """Print the values of REFS after recalculation (a what-if: nothing is written).

    REFS are Excel references or defined names: 'Step 5 ROI'!C12, Sheet1!A1:B3, OverallROI.

    Example: xlroi eval template.xlsx OverallROI --set "'Step 2 Costs'!D17=20000"
    """
    from .jobs import evaluate_refs
    from .workbook import to_json_value

    _excel_values(excel_values)
    results = evaluate_refs(book, refs, engine=engine, sets=_parse_sets(sets), timeout=_timeout(timeout), fallback=fallback)
    if as_json:
        click.echo(json.dumps({ref: to_json_value(v) for ref, v in results.items()}, indent=2))
        return
    for ref, value in results.items():
        if isinstance(value, list):
            click.echo(f"{ref}:")
            for row in value:
                click.echo("\t" + "\t".join(_format(v) for v in row))
        else:
            click.echo(f"{ref}\t{_format(value)}")


@main.command()
@click.argument("books", nargs=-1, required=True, metavar="BOOK...")
@ENGINE_OPTION
@JSON_OPTION
@TIMEOUT_OPTION
@click.option("--max-rows", default=50, show_default=True, help="Differing cells to list per workbook.")
@JOBS_OPTION
@SCHEDULER_OPTION
@click.option("--junit-xml", metavar="FILE", type=click.Path(dir_okay=False),
              help="Also write a JUnit XML report (one test case per workbook) for CI systems.")
@FALLBACK_OPTION
def check(books: tuple[str, ...], engine: str, as_json: bool, timeout: str | None, max_rows: int,
          jobs: int | None, scheduler: str | None, junit_xml: str | None, fallback: bool) -> None:
    """Recalculate BOOKS and compare every formula cell with the value saved in the file.

    BOOKS are files, folders (searched for .xlsx/.xlsm) or quoted globs ('finance/**/*.xlsx'),
    checked N at a time (-j) or on a Dask cluster (--scheduler), each in its own process with
    the time limit. Exits 1 and lists the cells when any differ (or could not be evaluated):
    use it in CI to prove a workbook's saved numbers are what its formulas give. A workbook
    that cannot be checked is reported on its own line and the others go on; the exit status
    is then its class (the highest, if several) unless some workbook is stale (1).

    Example: xlroi check workbook_templates/*.xlsx

    Example: xlroi check finance/ -j 4 --junit-xml xlroi-check.xml
    """
    from .batch.console import check_command

    sys.exit(check_command(books, engine=engine, as_json=as_json, timeout=_timeout(timeout), max_rows=max_rows,
                           jobs=jobs, scheduler=scheduler, junit_xml=junit_xml, fallback=fallback))


@main.command()
@click.argument("book", type=click.Path(dir_okay=False))
@JSON_OPTION
@TIMEOUT_OPTION
@click.option("--max-rows", default=50, show_default=True, help="Disagreeing cells to list.")
def compare(book: str, as_json: bool, timeout: str | None, max_rows: int) -> None:
    """Recalculate BOOK with both engines; list the cells where they disagree and which one
    matches the value Excel saved.

    Example: xlroi compare campaign.xlsx
    """
    from .differential import compare_engines
    from .isolation import run_isolated

    limit = _timeout(timeout)
    result = compare_engines(book) if limit is None else run_isolated(
        compare_engines, book, timeout=limit, what=f"comparing the engines on {book}")
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
        return
    click.echo(f"{book}: {result.formula_cells} formula cells; engines agree on {result.agree}; "
               f"disagree on {len(result.disagreements)}")
    for name, count in result.matches_excel.items():
        click.echo(f"  {name}: matches Excel's cached value on {count}/{result.compared} cells")
    for d in result.disagreements[:max_rows]:
        click.echo(f"  {d.ref}\tfast={_format(d.fast)}\tformulas={_format(d.formulas)}\texcel={_format(d.cached)}\t→ {d.verdict}")


@main.command()
@JSON_OPTION
def functions(as_json: bool) -> None:
    """List xlroi's Excel functions with their arguments, errors and examples.

    Example: xlroi functions --json
    """
    from .functions import FUNCTIONS

    if as_json:
        click.echo(json.dumps([
            {"name": f.name, "signature": f.signature, "summary": f.summary,
             "arguments": [{"name": a.name, "description": a.description} for a in f.arguments],
             "errors": [{"when": w, "result": r} for w, r in f.errors],
             "examples": [{"call": e.call, "result": e.result, "source": e.source} for e in f.examples],
             "broadcasts": f.broadcasts}
            for f in FUNCTIONS.values()], indent=2))
        return
    for f in FUNCTIONS.values():
        click.echo(click.style(f.signature, bold=True))
        click.echo(f"  {f.summary}")
        for a in f.arguments:
            click.echo(f"    {a.name:22s}{a.description}")
        click.echo("  Errors:")
        for when, result in f.errors:
            click.echo(f"    if {when}: {result}")
        for e in f.examples:
            click.echo(f"  Example: ={e.call} → {e.result:g}   ({e.source})")
        click.echo()


@main.command()
@click.argument("path", required=False, default="xlroi-template.xlsx", type=click.Path(dir_okay=False))
@click.option("--blank", is_flag=True, help="Without the method's example data.")
@click.option("--portable", is_flag=True, help="Plain formulas only: works without the add-in (LibreOffice, Google Sheets).")
def template(path: str, blank: bool, portable: bool) -> None:
    """Write a copy of the six-step ROI template to PATH.

    Example: xlroi template my-roi.xlsx --blank
    """
    from .template import write_template

    write_template(Path(path), blank=blank, portable=portable)
    click.echo(f"wrote {path}", err=True)


@main.command()
@click.argument("book", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Where to write the portable copy.")
def portable(book: str, output: str) -> None:
    """Write a copy of BOOK with every ROI/HR_COST/GOAL_VALUE/PRORATE call replaced by the
    equivalent plain formula, so it works in any spreadsheet without the add-in.

    Example: xlroi portable campaign.xlsx -o campaign-portable.xlsx
    """
    from .portable import make_portable

    make_portable(Path(book), Path(output))
    click.echo(f"wrote {output}", err=True)


@main.group()
def addin() -> None:
    """Install the functions in Excel (Windows desktop, via xlwings) or print the VBA wrapper."""


@addin.command("install")
def addin_install() -> None:
    """Install the xlwings add-in and register xlroi's functions (Windows desktop Excel)."""
    from .addin import install

    install()


@addin.command("uninstall")
def addin_uninstall() -> None:
    """Remove what `xlroi addin install` set up."""
    from .addin import uninstall

    uninstall()


@addin.command("vba")
def addin_vba() -> None:
    """Print the generated VBA wrapper module (for importing by hand)."""
    from .addin import generate_vba

    # bytes, so Windows does not double the module's CRLF line ends
    sys.stdout.buffer.write(generate_vba().encode("utf-8"))
    sys.stdout.flush()


# Capability commands: each lives in its own package (a thin click layer over that package's
# Python API) and is registered here, one line each.
# (registrations below)
from .imports.cli import import_command; main.add_command(import_command)  # noqa: E402,E702
from .report.cli import report; main.add_command(report)  # noqa: E402,E702
from .scenarios_cli import goal_seek, sweep; main.add_command(sweep); main.add_command(goal_seek)  # noqa: E402,E702


if __name__ == "__main__":  # pragma: no cover
    main()
