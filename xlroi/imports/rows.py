"""The one row type every platform reader yields, and what a reader reports about a file.

A reader knows its platform's quirks (header synonyms, preamble, totals footer, encoding); what
leaves it is an :class:`ExportRow` (days covered, channel, campaign, spend, currency, step-3
metrics) or a :class:`LeftOut` (a row not counted, and why). The template writer only ever sees
these, so it knows nothing of platforms.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

# Step-3 metric names a reader may fill (the template's MetricNames), plus "Conversions": a
# platform's generic conversion count, written only where --conversions-as says which metric it is.
CONVERSIONS = "Conversions"

PAID, ORGANIC = "Paid", "Organic"


@dataclass(frozen=True, order=True)
class Span:
    """The days a row (or a file) covers, both ends included."""

    start: dt.date
    end: dt.date

    def within(self, other: "Span") -> bool:
        return other.start <= self.start and self.end <= other.end

    def overlaps(self, other: "Span") -> bool:
        return self.start <= other.end and other.start <= self.end

    def union(self, other: "Span") -> "Span":
        return Span(min(self.start, other.start), max(self.end, other.end))

    def __str__(self) -> str:
        return f"{self.start.isoformat()}/{self.end.isoformat()}"

    @classmethod
    def day(cls, day: dt.date) -> "Span":
        return cls(day, day)


@dataclass
class ExportRow:
    """One data row of an export, in the platform-neutral form."""

    line: int                      # line (CSV) or row (XLSX) number in the file, for messages
    platform: str                  # "Meta", "LinkedIn", "Google Ads", "TikTok", "X Ads", "GA4"
    channel: str                   # the channel as the export names it: Facebook, LinkedIn, YouTube…
    campaign: str
    span: Span
    spend: Decimal | None = None   # None: the row has no spend figure (GA4, or "--")
    currency: str | None = None    # ISO 4217, None when the export does not say
    kind: str = PAID               # step 3's row type: Paid or Organic
    metrics: dict[str, Decimal] = field(default_factory=dict)
    account: str = ""              # the ad account, when the export names it


@dataclass
class LeftOut:
    """A row the import does not count, and why (a totals row, outside the period, …)."""

    line: int
    reason: str
    spend: Decimal | None = None
    channel: str = ""


@dataclass
class ParsedExport:
    """What a platform reader made of one file."""

    path: str
    platform: str
    layout: str                    # how it was read: "UTF-16 tab-separated, header on line 6"
    rows: list[ExportRow] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    metric_sources: dict[str, str] = field(default_factory=dict)  # step-3 metric -> export column
