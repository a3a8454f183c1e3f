"""Google Ads: the campaign report (YouTube ads are bought here).

Layout as downloaded: a title line (``Campaign report``), a date-range line
(``"January 1, 2024 - March 31, 2024"``), then the header (``Campaign``, ``Campaign type``,
``Currency code``, ``Impr.``, ``Clicks``, ``Cost``, ``Conversions``, …). Counts may be quoted with
thousands separators (``"1,414,877"``); no data is `` --``; footer rows ``Total: Account``,
``Total: Search``, ``Total: Video``, … are never counted. The ".csv" download is UTF-8, the
"Excel .csv" one UTF-16 and tab-separated. With a ``Day`` segment, a campaign's row with a blank
day is its subtotal and is not counted either.

Only Video campaigns are social media (YouTube); Search, Display, Performance Max and the other
types are left out, and the summary says how much.
"""
from __future__ import annotations

from .base import Reader, Vocabulary, empty_row, is_total_label, month_end, no_dates, norm
from .rows import CONVERSIONS, ExportRow, LeftOut, ParsedExport, Span
from .sniff import Table
from .values import parse_date, parse_date_range

PLATFORM = "Google Ads"

VOCABULARY = Vocabulary(
    fields={
        "campaign": ("Campaign",),
        "type": ("Campaign type",),
        "currency": ("Currency code", "Currency"),
        "spend": ("Cost",),
        "day": ("Day", "Date"),
        "month": ("Month",),
        "account": ("Account name", "Account"),
        "Impressions": ("Impr.", "Impressions"),
        "Clicks": ("Clicks",),
        CONVERSIONS: ("Conversions",),
    },
    translations={
        "campaign": ("Campagne", "Kampagne", "Campaña", "Campanha", "Chiến dịch"),
        "type": ("Type de campagne", "Kampagnentyp", "Tipo de campaña", "Tipo de campanha", "Loại chiến dịch"),
        "currency": ("Code de la devise", "Code devise", "Währungscode", "Código de moneda", "Código da moeda",
                     "Mã đơn vị tiền tệ"),
        "spend": ("Coût", "Kosten", "Coste", "Custo", "Chi phí"),
        "day": ("Jour", "Tag", "Día", "Dia", "Ngày"),
        "Impressions": ("Impressionen", "Impresiones", "Impressões", "Số lượt hiển thị"),
        "Clicks": ("Clics", "Klicks", "Cliques", "Lượt nhấp"),
        CONVERSIONS: ("Conversiones", "Conversões", "Lượt chuyển đổi"),
    },
    required=("spend", "campaign"),
    markers=("type", "currency"),
)

METRICS = ("Impressions", "Clicks", CONVERSIONS)
VIDEO = {"video", "vidéo", "vídeo"}


def score(header: list[str]) -> int:
    return VOCABULARY.score(header)


def read(table: Table, channel: str | None = None) -> ParsedExport:
    r = Reader(table, VOCABULARY, PLATFORM, date_order="MDY")
    parsed = r.new_export()
    report = next((rng for line in table.preamble if (rng := parse_date_range(line, r.date_order))), None)
    if not (r.has("day") or r.has("month") or report):
        raise no_dates(table.path)
    if not r.has("type"):
        parsed.notes.append("no Campaign type column: cannot tell YouTube (Video) campaigns from the others")
    for line, cells in table.records:
        if empty_row(cells):
            continue
        campaign = r.text(cells, "campaign")
        first = next((c for c in cells if isinstance(c, str) and c.strip()), "")
        if is_total_label(first) or is_total_label(campaign) or not campaign:
            ok, spend = r.spend(cells, line, parsed)
            label = first if is_total_label(first) else "blank campaign"
            parsed.left_out.append(LeftOut(line, f"totals row ({label})", spend))
            continue
        if (r.has("day") or r.has("month")) and not (r.text(cells, "day") or r.text(cells, "month")):
            r.leave_out_totals(cells, line, parsed, "campaign subtotal (blank day)")
            continue
        kind = r.text(cells, "type")
        ok, spend = r.spend(cells, line, parsed)
        if not ok:
            continue
        if norm(kind) not in VIDEO:
            parsed.left_out.append(LeftOut(line, f"not social media: {kind or 'unknown'} campaign (only Video = YouTube)",
                                           spend))
            continue
        span = _span(r, cells, report)
        if span is None:
            parsed.left_out.append(LeftOut(line, "no date"))
            continue
        parsed.rows.append(ExportRow(line, PLATFORM, "YouTube", campaign, span, spend, r.currency(cells),
                                     metrics=r.metrics(cells, METRICS, line, parsed), account=r.text(cells, "account")))
    return parsed


def _span(r: Reader, cells: list[object], report: tuple | None) -> Span | None:
    if r.has("day"):
        day = r.date(cells, "day")
        return Span.day(day) if day else None
    if r.has("month"):
        text = r.text(cells, "month")
        first = parse_date(text, r.date_order) or parse_date(f"1 {text}", r.date_order)
        if first is None:
            return None
        return Span(first.replace(day=1), month_end(first))
    return Span(*report) if report else None
