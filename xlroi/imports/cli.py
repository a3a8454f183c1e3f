"""``xlroi import``: a thin click layer over :func:`xlroi.imports.import_exports`."""
from __future__ import annotations

import json
import sys

import click


@click.command("import")
@click.argument("book", type=click.Path(dir_okay=False))
@click.argument("exports", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Where to write the filled workbook.")
@click.option("--in-place", is_flag=True, help="Replace BOOK itself (atomically).")
@click.option("-n", "--dry-run", is_flag=True, help="Read and check everything, print the summary, write nothing.")
@click.option("--channel", "channels", multiple=True, metavar="CHANNEL|SOURCE=CHANNEL",
              help="The channel of a Meta export without a Platform column (Facebook or Instagram), or where a "
                   "platform's channel goes, e.g. TikTok=Other. Repeatable.")
@click.option("--currency", metavar="CODE", help="The workbook's currency (ISO code) when its money format does not "
                                                  "say it, or says $ for another dollar.")
@click.option("--fx", multiple=True, metavar="RATE|CODE=RATE",
              help="Convert an export in another currency: workbook currency per unit, e.g. --fx 1.08 or --fx EUR=1.08.")
@click.option("--conversions-as", metavar="METRIC",
              help="The step-3 metric the platforms' generic conversions count as (e.g. Leads); "
                   "without it they are reported, not written.")
@click.option("--engine", type=click.Choice(["fast", "formulas"]), default="fast", show_default=True,
              help="The engine that recalculates the workbook after the inputs change.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for machines.")
def import_command(book: str, exports: tuple[str, ...], output: str | None, in_place: bool, dry_run: bool,
                   channels: tuple[str, ...], currency: str | None, fx: tuple[str, ...], conversions_as: str | None,
                   engine: str, as_json: bool) -> None:
    """Fill the template's ad spend (step 2) and results (step 3) from platform exports.

    Reads Meta Ads Manager (CSV/XLSX), LinkedIn Campaign Manager, Google Ads (Video campaigns
    = YouTube), TikTok Ads Manager, X Ads and GA4 exports as downloaded; only rows inside the
    workbook's period are used. Importing the same export again replaces what it wrote before.
    BOOK is never modified unless --in-place is given; on any error nothing is written.

    Example: xlroi import roi.xlsx meta.csv linkedin.csv google-ads.csv -o roi-filled.xlsx
    """
    from .api import import_exports

    if not dry_run and output is None and not in_place:
        raise click.UsageError("say where to write: -o OUT, or --in-place (or --dry-run to only read)")
    report = import_exports(book, list(exports), output, in_place=in_place, channels=channels, fx=fx,
                            currency=currency, conversions_as=conversions_as, dry_run=dry_run, engine=engine)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(report.text())
    sys.stdout.flush()
