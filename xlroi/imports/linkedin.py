"""LinkedIn Campaign Manager: the campaign performance report.

Layout as downloaded: a preamble of five lines (the report's title, ``"Report Start: …"``,
``"Report End: …"``, ``"Date Generated: …"``, a blank line), then the header
(``Start Date (in UTC)``, ``Account Name``, ``Currency``, ``Campaign Name``, ``Total Spent``,
``Impressions``, ``Clicks``, ``Leads``, ``Conversions``, ``Reach``, …). The file is UTF-16 with a
BOM and tab-separated despite its ``.csv`` name; users often re-save it as UTF-8 CSV. Dates are
``M/D/YYYY``. Each row gives only its first day: a row runs to the day before the next time
bucket, the last to ``Report End``.
"""
from __future__ import annotations

from .base import Reader, Vocabulary, empty_row, is_total_label, no_dates, preamble_dates, spans_from_starts
from .rows import CONVERSIONS, ExportRow, LeftOut, ParsedExport, Span
from .sniff import Table
from .values import is_no_data

PLATFORM = "LinkedIn"

VOCABULARY = Vocabulary(
    fields={
        "start": ("Start Date (in UTC)", "Start Date"),
        "end": ("End Date (in UTC)", "End Date"),
        "account": ("Account Name",),
        "group": ("Campaign Group Name",),
        "campaign": ("Campaign Name",),
        "currency": ("Currency",),
        "spend": ("Total Spent", "Amount Spent"),
        "Impressions": ("Impressions",),
        "Clicks": ("Clicks",),
        "Reach": ("Reach", "Approximate Member Reach"),
        "Engagements": ("Total Engagements",),
        "Leads": ("Leads",),
        CONVERSIONS: ("Conversions",),
    },
    translations={
        "start": ("Data de início (em UTC)", "Date de début (en UTC)", "Startdatum (in UTC)", "Fecha de inicio (en UTC)"),
        "campaign": ("Nome da campanha", "Nom de la campagne", "Kampagnenname", "Nombre de la campaña"),
        "spend": ("Total gasto", "Total dépensé", "Ausgaben gesamt", "Total gastado"),
        "currency": ("Moeda", "Devise", "Währung", "Moneda"),
        "Impressions": ("Impressões", "Impressionen", "Impresiones"),
        "Clicks": ("Cliques", "Clics", "Klicks"),
    },
    required=("spend",),
    markers=("start", "group", "Engagements"),
)

METRICS = ("Impressions", "Clicks", "Reach", "Engagements", "Leads", CONVERSIONS)
PREAMBLE_KEYS = {"start": ("Report Start", "Report start date"), "end": ("Report End", "Report end date")}


def score(header: list[str]) -> int:
    return VOCABULARY.score(header)


def read(table: Table, channel: str | None = None) -> ParsedExport:
    r = Reader(table, VOCABULARY, PLATFORM, date_order="MDY")
    parsed = r.new_export()
    report = preamble_dates(table.preamble, PREAMBLE_KEYS, r.date_order)
    if not r.has("start") and not ("start" in report and "end" in report):
        raise no_dates(table.path)
    data = []
    for line, cells in table.records:
        if empty_row(cells):
            continue
        campaign = r.text(cells, "campaign")
        first = next((c for c in cells if isinstance(c, str) and c.strip()), "")
        if is_total_label(first) or is_total_label(campaign) or (r.has("campaign") and is_no_data(campaign)):
            r.leave_out_totals(cells, line, parsed, "totals row (no campaign name)")
            continue
        day = r.date(cells, "start") if r.has("start") else report["start"]
        if day is None:
            parsed.left_out.append(LeftOut(line, "no start date"))
            continue
        data.append((line, cells, campaign, day))
    spans = spans_from_starts([d for *_, d in data], report.get("end"))
    for line, cells, campaign, day in data:
        ok, spend = r.spend(cells, line, parsed)
        if not ok:
            continue
        end = r.date(cells, "end") if r.has("end") else None
        span = Span(day, end) if end is not None and end >= day else spans[day]
        parsed.rows.append(ExportRow(line, PLATFORM, "LinkedIn", campaign or "LinkedIn ads", span, spend,
                                     r.currency(cells), metrics=r.metrics(cells, METRICS, line, parsed),
                                     account=r.text(cells, "account")))
    return parsed
