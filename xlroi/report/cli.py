"""``xlroi report``: the click layer over :func:`xlroi.report.write_reports`.

Only click is imported here, so ``xlroi --help`` works without the report's optional extra;
the command itself says in one line how to install it when it is missing.
"""
from __future__ import annotations

import sys

import click


@click.command("report")
@click.argument("books", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(),
              help="OUT.html or OUT.pdf for one workbook; a folder for several (one report each and an index.html).")
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), default=None,
              help="For a folder: write .html (default) or .pdf reports.")
@click.option("--brand", "brand_file", type=click.Path(dir_okay=False),
              help="A JSON (or TOML) file: client, title, prepared_by, logo, colors {primary, accent}, credit.")
@click.option("--engine", type=click.Choice(["fast", "formulas"]), default="fast", show_default=True,
              help="The engine that recalculates the workbook before it is read.")
@click.option("--timeout", metavar="SECONDS", default=None,
              help="Stop reading a workbook after SECONDS (nothing written). Default: $XLROI_TIMEOUT or 300; 0 = no limit.")
def report(books: tuple[str, ...], output: str, fmt: str | None, brand_file: str | None, engine: str,
           timeout: str | None) -> None:
    """Write the monthly ROI report of filled xlroi templates (HTML or PDF).

    The workbook is recalculated first; every figure carries the cell it comes from (hover in
    the HTML; listed in the appendix with the headline formulas and the file's SHA-256).
    Exits non-zero with one line for a blank template, a workbook that is not an xlroi
    template, failing template checks (the report is still written, marked) or an output
    that cannot be written.

    Examples:

    \b
      xlroi report campaign.xlsx -o march.html
      xlroi report campaign.xlsx -o march.pdf --brand acme.json
      xlroi report clients/*.xlsx -o reports/ --format pdf
    """
    from ..isolation import default_timeout, parse_timeout
    from . import write_reports
    from .brand import load_brand
    from .extra import require

    limit = default_timeout() if timeout is None else parse_timeout(timeout)
    require()
    brand = load_brand(brand_file) if brand_file else None
    from tqdm import tqdm

    with tqdm(total=len(books), desc="report", unit="workbook", leave=False, file=sys.stderr,
              disable=not sys.stderr.isatty() or len(books) < 2) as bar:
        written = write_reports(list(books), output, fmt=fmt, engine=engine, brand=brand, timeout=limit,
                                progress=lambda _book: bar.update(1))
    for path in written.paths:
        click.echo(f"wrote {path}", err=True)
    sys.stderr.flush()
