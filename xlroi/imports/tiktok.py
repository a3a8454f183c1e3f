"""TikTok Ads Manager exports (campaign, ad group or ad level; CSV or XLSX).

Documented columns: ``By Day`` (or ``Date``), ``Campaign name``, ``Ad group name``, ``Ad name``,
``Cost`` (``Cost (USD)`` in some), ``Impressions``, ``Reach``, ``Clicks (destination)``,
``CTR (destination)``, ``CPC (destination)``, ``Conversions``, ``Currency``; headers follow the UI's
language (Korean ``비용``, ``노출수``, ``클릭수(목적지)``, ``전환수``, ``일별`` seen). A ``Total of …``
row is never counted. TikTok is a channel of its own: it goes to a channel named TikTok in the
workbook, else to Other (or where ``--channel TikTok=…`` says).
"""
from __future__ import annotations

from .base import Reader, Vocabulary, empty_row, is_total_label, no_dates
from .rows import CONVERSIONS, ExportRow, LeftOut, ParsedExport, Span
from .sniff import Table
from .values import parse_date_range

PLATFORM = "TikTok"

VOCABULARY = Vocabulary(
    fields={
        "day": ("By Day", "Date", "Day"),
        "campaign": ("Campaign name", "Campaign"),
        "adgroup": ("Ad group name",),
        "ad": ("Ad name",),
        "account": ("Account name", "Advertiser name"),
        "spend": ("Cost", "Total cost", "Spend"),
        "currency": ("Currency",),
        "Impressions": ("Impressions",),
        "Reach": ("Reach",),
        "Clicks": ("Clicks (destination)",),
        "cpc_destination": ("CPC (destination)", "CTR (destination)"),
        CONVERSIONS: ("Conversions",),
    },
    translations={
        "day": ("일별",), "ad": ("광고 이름",), "spend": ("비용",), "Impressions": ("노출수",),
        "Clicks": ("클릭수(목적지)",), CONVERSIONS: ("전환수",),
    },
    required=("spend",),
    markers=("adgroup", "Clicks", "cpc_destination"),
)

METRICS = ("Impressions", "Reach", "Clicks", CONVERSIONS)


def score(header: list[str]) -> int:
    return VOCABULARY.score(header)


def read(table: Table, channel: str | None = None) -> ParsedExport:
    r = Reader(table, VOCABULARY, PLATFORM, date_order="MDY")
    parsed = r.new_export()
    if not r.has("day"):
        raise no_dates(table.path)
    for line, cells in table.records:
        if empty_row(cells):
            continue
        campaign = r.text(cells, "campaign")
        first = next((c for c in cells if isinstance(c, str) and c.strip()), "")
        if is_total_label(first) or is_total_label(campaign):
            r.leave_out_totals(cells, line, parsed, f"totals row ({first or campaign})")
            continue
        day = r.date(cells, "day")
        rng = parse_date_range(r.text(cells, "day"), r.date_order) if day is None else None
        span = Span.day(day) if day else (Span(*rng) if rng else None)
        if span is None:
            parsed.left_out.append(LeftOut(line, "no date"))
            continue
        ok, spend = r.spend(cells, line, parsed)
        if not ok:
            continue
        parsed.rows.append(ExportRow(line, PLATFORM, "TikTok", campaign or "TikTok ads", span, spend, r.currency(cells),
                                     metrics=r.metrics(cells, METRICS, line, parsed), account=r.text(cells, "account")))
    return parsed
