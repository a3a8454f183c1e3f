"""Google Analytics 4 exports: sessions and key events per session source / medium.

Layout: ``#`` comment lines first (``# Traffic acquisition: Session source / medium``,
``# Account: …``, ``# Property: …``, ``# Start date: 20240101``, ``# End date: 20240331``), then
the header (``Session source / medium``, ``Sessions``, ``Engaged sessions``, ``Key events``, …);
dates as ``YYYYMMDD``; rates as fractions; explorations add a ``Grand total`` row (never
counted); a file may hold more tables, each after its own ``#`` lines (the first one with a
source / medium column is read). Headers follow the UI's language.

Sources map to channels (``linkedin.com``, ``lnkd.in``, ``l.facebook.com``, ``t.co``,
``youtube.com`` …, table ``SOURCES``); other sources are not social media and are left out. The
medium decides paid vs organic, with GA4's own rule for paid traffic (``cpc``, ``ppc``,
``retargeting``, ``paid…``, anything with ``cp``). Sessions go to step 3's Clicks (visits from
the channel); key events are conversions.
"""
from __future__ import annotations

import re

from .base import Reader, Vocabulary, empty_row, is_total_label, no_dates, norm, preamble_dates
from .rows import CONVERSIONS, ORGANIC, PAID, ExportRow, LeftOut, ParsedExport, Span
from .sniff import Table

PLATFORM = "GA4"

VOCABULARY = Vocabulary(
    fields={
        "source_medium": ("Session source / medium", "Session source/medium", "Source / medium"),
        "source": ("Session source",),
        "medium": ("Session medium",),
        "date": ("Date",),
        "Clicks": ("Sessions",),
        CONVERSIONS: ("Key events", "Conversions"),
    },
    translations={
        "source_medium": ("Source/support de la session", "Source / support de la session", "Sitzungsquelle/-medium",
                          "Fuente/medio de la sesión", "Origem/mídia da sessão"),
        "source": ("Source de la session", "Sitzungsquelle", "Fuente de la sesión", "Origem da sessão"),
        "medium": ("Support de la session", "Sitzungsmedium", "Medio de la sesión", "Mídia da sessão"),
        "Clicks": ("Sessions", "Sitzungen", "Sesiones", "Sessões"),
        CONVERSIONS: ("Événements clés", "Schlüsselereignisse", "Eventos clave", "Eventos principais"),
    },
    required=("Clicks",),
    markers=("source_medium", "source"),
    money=(),
)

# source (lower case, without www./m./l./lm.) -> channel
SOURCES = {
    "linkedin.com": "LinkedIn", "lnkd.in": "LinkedIn", "linkedin": "LinkedIn",
    "facebook.com": "Facebook", "fb.com": "Facebook", "fb.me": "Facebook", "facebook": "Facebook", "fb": "Facebook",
    "instagram.com": "Instagram", "instagram": "Instagram", "ig": "Instagram",
    "t.co": "X", "twitter.com": "X", "x.com": "X", "twitter": "X",
    "youtube.com": "YouTube", "youtu.be": "YouTube", "youtube": "YouTube", "yt": "YouTube",
    "tiktok.com": "TikTok", "tiktok": "TikTok",
}
PAID_MEDIUM = re.compile(r"^(.*cp.*|ppc|retargeting|paid.*)$")  # GA4's default channel group rule
PREAMBLE_KEYS = {"start": ("Start date", "Date de début", "Startdatum", "Fecha de inicio"),
                 "end": ("End date", "Date de fin", "Enddatum", "Fecha de finalización")}
METRICS = ("Clicks", CONVERSIONS)


def score(header: list[str]) -> int:
    return VOCABULARY.score(header)


def source_channel(source: str) -> str | None:
    key = norm(source)
    key = re.sub(r"^(www|m|l|lm|mobile)\.", "", key)
    return SOURCES.get(key)


def read(table: Table, channel: str | None = None) -> ParsedExport:
    r = Reader(table, VOCABULARY, PLATFORM, date_order="YMD")
    parsed = r.new_export()
    report = preamble_dates(table.preamble, PREAMBLE_KEYS)
    if not r.has("date") and not ("start" in report and "end" in report):
        raise no_dates(table.path)
    for line, cells in table.records:
        if empty_row(cells):
            continue
        first = next((c for c in cells if isinstance(c, str) and c.strip()), "")
        if is_total_label(first):
            parsed.left_out.append(LeftOut(line, f"totals row ({first})"))
            continue
        source, medium = _source_medium(r, cells)
        row_channel = source_channel(source)
        if row_channel is None:
            parsed.left_out.append(LeftOut(line, "not a social-media source (e.g. google / organic, (direct))"))
            continue
        span = Span.day(r.date(cells, "date")) if r.has("date") and r.date(cells, "date") else (
            Span(report["start"], report["end"]) if "start" in report and "end" in report else None)
        if span is None:
            parsed.left_out.append(LeftOut(line, "no date"))
            continue
        kind = PAID if PAID_MEDIUM.match(norm(medium)) else ORGANIC
        parsed.rows.append(ExportRow(line, PLATFORM, row_channel, f"{source} / {medium}", span, None, None, kind,
                                     r.metrics(cells, METRICS, line, parsed)))
    return parsed


def _source_medium(r: Reader, cells: list[object]) -> tuple[str, str]:
    if r.has("source_medium"):
        source, _, medium = r.text(cells, "source_medium").partition("/")
        return source.strip(), medium.strip()
    return r.text(cells, "source"), r.text(cells, "medium")
