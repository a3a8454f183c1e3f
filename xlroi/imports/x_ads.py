"""X (Twitter) Ads: the campaign dashboard's "Export" CSV.

Documented columns ("Export .CSV definitions", X Business help): ``ID``, ``Campaign``,
``Campaign URL``, ``Time`` (the date of the row: daily or hourly segments), ``Campaign start
date``, ``Campaign end date``, ``Spend``, ``Impressions``, ``Engagements``, ``Billed engagements``,
``Reposts`` (``Retweets``), ``Replies``, ``Follows``, ``Clicks``, ``Media engagements``, ``Likes``,
``Card engagements``, ``Unfollows``, ``Engagement rate``; website-click campaigns add
``Link clicks``. The export does not say its currency unless a ``Currency`` column is there: the
spend is then taken to be in the workbook's currency, and the summary says so.
"""
from __future__ import annotations

from .base import Reader, Vocabulary, empty_row, is_total_label, spans_from_starts
from .rows import ExportRow, LeftOut, ParsedExport
from .sniff import Table

PLATFORM = "X Ads"

VOCABULARY = Vocabulary(
    fields={
        "campaign": ("Campaign", "Campaign name"),
        "url": ("Campaign URL",),
        "billed": ("Billed engagements",),
        "time": ("Time", "Date", "Day"),
        "cstart": ("Campaign start date",),
        "cend": ("Campaign end date",),
        "spend": ("Spend", "Billed charge"),
        "currency": ("Currency",),
        "Impressions": ("Impressions",),
        "Engagements": ("Engagements",),
        "Clicks": ("Link clicks",),
        "clicks_all": ("Clicks",),
    },
    required=("spend", "campaign"),
    markers=("url", "billed", "cstart"),
)

METRICS = ("Impressions", "Engagements", "Clicks")


def score(header: list[str]) -> int:
    return VOCABULARY.score(header)


def read(table: Table, channel: str | None = None) -> ParsedExport:
    from .base import no_dates

    r = Reader(table, VOCABULARY, PLATFORM, date_order="MDY")
    parsed = r.new_export()
    if not r.has("time"):
        raise no_dates(table.path)
    data = []
    for line, cells in table.records:
        if empty_row(cells):
            continue
        campaign = r.text(cells, "campaign")
        if is_total_label(campaign) or not campaign:
            r.leave_out_totals(cells, line, parsed, "totals row (no campaign name)")
            continue
        day = r.date(cells, "time")
        if day is None:
            parsed.left_out.append(LeftOut(line, "no date"))
            continue
        data.append((line, cells, campaign, day))
    spans = spans_from_starts([d for *_, d in data], None)
    clicks = "Clicks" if r.has("Clicks") else "clicks_all"
    for line, cells, campaign, day in data:
        ok, spend = r.spend(cells, line, parsed)
        if not ok:
            continue
        metrics = r.metrics(cells, ("Impressions", "Engagements", clicks), line, parsed)
        if clicks in metrics and clicks != "Clicks":
            metrics["Clicks"] = metrics.pop(clicks)
            parsed.metric_sources["Clicks"] = parsed.metric_sources.pop(clicks, "Clicks")
        parsed.rows.append(ExportRow(line, PLATFORM, "X", campaign, spans[day], spend, r.currency(cells),
                                     metrics=metrics))
    return parsed
