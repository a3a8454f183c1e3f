"""What every platform reader shares: header vocabularies, cells by field, totals rows, spans.

A platform module declares a :class:`Vocabulary` (field -> the header texts that mean it, in the
languages seen) and turns a :class:`~xlroi.imports.sniff.Table` into a
:class:`~xlroi.imports.rows.ParsedExport` with the helpers here.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from ..errors import NotAnExport
from .rows import LeftOut, ParsedExport, Span
from .sniff import Table
from .values import BadNumber, currency_code, decimal_separator, is_no_data, parse_date, parse_number, split_currency


def norm(text: object) -> str:
    """A header as compared: Unicode NFC, case-folded, inner spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", str(text or "")).casefold().split())


@dataclass(frozen=True)
class Vocabulary:
    """Field -> the header texts that name it. ``money`` fields may carry a currency code in
    brackets (``Amount spent (USD)``); ``markers`` are fields only this platform writes."""

    fields: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    markers: tuple[str, ...] = ()
    money: tuple[str, ...] = ("spend",)
    translations: dict[str, tuple[str, ...]] = field(default_factory=dict)  # the same, in other languages

    def synonyms(self, name: str) -> tuple[str, ...]:
        return self.fields.get(name, ()) + self.translations.get(name, ())

    def translated(self, header: list[str]) -> bool:
        foreign = {norm(s) for names in self.translations.values() for s in names}
        return any(norm(split_currency(h)[0]) in foreign for h in header)

    def columns(self, header: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        normalised = [norm(split_currency(h)[0]) for h in header]
        for name in {**self.fields, **self.translations}:
            wanted = {norm(s) for s in self.synonyms(name)}
            for index, cell in enumerate(normalised):
                if cell in wanted and index not in found.values():
                    found[name] = index
                    break
        return found

    def score(self, header: list[str]) -> int:
        """How well ``header`` fits: 0 unless every required field and a marker is there, else
        the number of known columns (so the header row beats a title line)."""
        found = self.columns(header)
        if not all(r in found for r in self.required):
            return 0
        if self.markers and not any(m in found for m in self.markers):
            return 0
        return len(found) + (2 if self.markers else 0)


TOTAL_LABELS = ("total", "totals", "grand total", "gesamt", "insgesamt", "summe", "totale", "totaal",
                "tổng", "合計", "总计", "總計", "summary", "résumé")


def is_total_label(text: object) -> bool:
    """A footer/summary label: ``Total: Account``, ``Total: Video``, ``Grand total``, ``Totals``,
    ``Total of 3 campaigns``."""
    if not isinstance(text, str):
        return False
    t = norm(text)
    return any(t == label or t.startswith(label + ":") or t.startswith(label + " :") for label in TOTAL_LABELS) \
        or t.startswith("total of ")


@dataclass
class Reader:
    """Cells of one table by field name, with the file's number and date conventions."""

    table: Table
    vocabulary: Vocabulary
    platform: str
    date_order: str = "MDY"
    cols: dict[str, int] = field(default_factory=dict)
    decimal: str = "."
    header_currency: str | None = None

    def __post_init__(self) -> None:
        self.cols = self.vocabulary.columns(self.table.header)
        for name in self.vocabulary.money:
            if name in self.cols:
                self.header_currency = self.header_currency or split_currency(self.table.header[self.cols[name]])[1]
        numeric = [n for n in self.cols if n not in ("campaign", "date", "start", "end", "currency", "platform",
                                                      "account", "type", "source_medium", "source", "medium",
                                                      "result_type", "time", "channel_group")]
        samples = [c for _, cells in self.table.records[:500] for n in numeric
                   if isinstance(c := self.raw(cells, n), str) and c.strip()]
        default = "," if self.table.layout and "semicolon" in self.table.layout else "."
        self.decimal = decimal_separator(samples, default)
        if self.decimal == "," or self.vocabulary.translated(self.table.header):
            self.date_order = "DMY"  # 31/01/2024 outside the English-speaking exports

    def has(self, name: str) -> bool:
        return name in self.cols

    def raw(self, cells: list[object], name: str) -> object:
        index = self.cols.get(name)
        if index is None or index >= len(cells):
            return None
        value = cells[index]
        return value.strip() if isinstance(value, str) else value

    def text(self, cells: list[object], name: str) -> str:
        value = self.raw(cells, name)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def number(self, cells: list[object], name: str) -> Decimal | None:
        return parse_number(self.raw(cells, name), self.decimal)

    def date(self, cells: list[object], name: str) -> dt.date | None:
        value = self.raw(cells, name)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 < value < 80000:
            return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))  # an Excel serial in an .xlsx
        if isinstance(value, int) and 19000101 <= value <= 21001231:
            return parse_date(str(value))
        return parse_date(value, self.date_order)

    def currency(self, cells: list[object]) -> str | None:
        return currency_code(self.raw(cells, "currency")) or self.header_currency

    def metrics(self, cells: list[object], names: tuple[str, ...], line: int, parsed: ParsedExport) -> dict[str, Decimal]:
        out = {}
        for name in names:
            if name not in self.cols:
                continue
            try:
                value = self.number(cells, name)
            except BadNumber as exc:
                parsed.notes.append(f"line {line}: {self.table.header[self.cols[name]]} is not a number ({exc}): not counted")
                continue
            if value is not None:
                out[name] = value
                parsed.metric_sources.setdefault(name, self.table.header[self.cols[name]])
        return out

    def leave_out_totals(self, cells: list[object], line: int, parsed: ParsedExport, reason: str) -> None:
        """Leave a totals or summary row out, keeping its spend for the summary (never counted)."""
        _, spend = self.spend(cells, line, parsed)
        parsed.left_out.append(LeftOut(line, reason, spend))

    def spend(self, cells: list[object], line: int, parsed: ParsedExport) -> tuple[bool, Decimal | None]:
        """(ok, spend): ok is False when the spend cell holds text that is not a number (the row is
        then left out, with the reason)."""
        try:
            return True, self.number(cells, "spend")
        except BadNumber as exc:
            parsed.left_out.append(LeftOut(line, f"spend is not a number ({exc})"))
            return False, None

    def new_export(self) -> ParsedExport:
        return ParsedExport(self.table.path, self.platform, self.table.layout)


def no_dates(path: str) -> NotAnExport:
    return NotAnExport(f"{path}: the export has no dates (no day column and no report range): "
                       "export it again with a day breakdown or the date columns")


def spans_from_starts(starts: list[dt.date], last_day: dt.date | None) -> dict[dt.date, Span]:
    """The days each bucket covers when an export gives only each row's first day (LinkedIn's
    ``Start Date (in UTC)``, X's ``Time``): a bucket runs to the day before the next bucket,
    the last one to ``last_day`` (the report's end) or for the usual bucket length."""
    distinct = sorted(set(starts))
    if not distinct:
        return {}
    gaps = [(b - a).days for a, b in zip(distinct, distinct[1:])]
    usual = min(gaps) if gaps else 1
    spans = {}
    for i, start in enumerate(distinct):
        if i + 1 < len(distinct):
            end = distinct[i + 1] - dt.timedelta(days=1)
        elif last_day is not None and last_day >= start:
            end = last_day
        else:
            end = start + dt.timedelta(days=usual - 1)
        if last_day is not None and last_day >= start:
            end = min(end, last_day)
        if usual >= 28 and start.day == 1 and i + 1 == len(distinct) and last_day is None:
            end = month_end(start)
        spans[start] = Span(start, end)
    return spans


def month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


_PREAMBLE_DATE = re.compile(r"^\s*#?\s*(?P<key>[^:]+?)\s*:\s*(?P<value>.+?)\s*$")


def preamble_dates(preamble: list[str], keys: dict[str, tuple[str, ...]], order: str = "MDY") -> dict[str, dt.date]:
    """Dates from ``Key: value`` preamble lines (``Report Start: Jan 1, 2024``, ``# Start date: 20240101``)."""
    found = {}
    wanted = {norm(s): key for key, synonyms in keys.items() for s in synonyms}
    for line in preamble:
        m = _PREAMBLE_DATE.match(line.strip().strip('"'))
        if not m:
            continue
        key = wanted.get(norm(m["key"]))
        day = parse_date(m["value"].strip().strip('"'), order) if key else None
        if key and day is not None:
            found.setdefault(key, day)
    return found


def empty_row(cells: list[object]) -> bool:
    return all(is_no_data(c) if not isinstance(c, (int, float)) else False for c in cells)
