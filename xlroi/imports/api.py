"""``import_exports``: platform exports in, the template's input cells filled, a report out.

    >>> from xlroi.imports import import_exports
    >>> report = import_exports("roi.xlsx", ["meta.csv", "linkedin.csv"], "roi-filled.xlsx")
    >>> print(report.text())

Everything is read and checked before anything is written: on any error nothing is written, and
the input workbook is never modified unless ``in_place`` is given.
"""
from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ..errors import BadValue, ExportConflict, OutputError
from .channels import parse_channel_options, resolve
from .platforms import read_export
from .rows import CONVERSIONS, ExportRow, LeftOut, ParsedExport, Span
from .template_writer import (AdLine, Layout, Source, Tag, plan_table, read_layout, read_slots, replaced_slots,
                              workbook_currency, write_performance, write_table)

LEVELS = ("rows as exported", "summed per channel and campaign", "summed per channel")


@dataclass
class FileReport:
    """What one export gave: platform, rows used and left out (and why), spend per channel."""

    path: str
    platform: str
    layout: str
    rows_read: int = 0
    rows_used: int = 0
    left_out: dict[str, list] = field(default_factory=dict)        # reason -> [rows, spend]
    spend_by_channel: dict[str, Decimal] = field(default_factory=dict)  # in the workbook's currency
    currency: str | None = None
    fx: Decimal | None = None
    covered: Span | None = None
    metrics: dict[str, dict[str, Decimal]] = field(default_factory=dict)  # "Facebook Paid" -> metric -> value
    notes: list[str] = field(default_factory=list)

    @property
    def spend(self) -> Decimal:
        return sum(self.spend_by_channel.values(), Decimal(0))

    def as_dict(self) -> dict:
        return {
            "path": self.path, "platform": self.platform, "layout": self.layout, "rows_read": self.rows_read,
            "rows_used": self.rows_used,
            "left_out": [{"reason": r, "rows": n, "spend": _float(s)} for r, (n, s) in self.left_out.items()],
            "currency": self.currency, "fx": _float(self.fx) if self.fx is not None else None,
            "spend": _float(self.spend), "spend_by_channel": {c: _float(v) for c, v in self.spend_by_channel.items()},
            "period_covered": [self.covered.start.isoformat(), self.covered.end.isoformat()] if self.covered else None,
            "metrics": {k: {m: _float(v) for m, v in d.items()} for k, d in self.metrics.items()},
            "notes": self.notes,
        }


@dataclass
class ImportReport:
    """What an import read, decided and wrote."""

    book: str
    output: str | None
    currency: str | None
    currency_source: str
    period: Span
    files: list[FileReport] = field(default_factory=list)
    table_rows: int = 0
    table_range: str = ""
    replaced_rows: int = 0
    cleared_rows: int = 0
    aggregation: str = LEVELS[0]
    performance: list[tuple[str, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "book": self.book, "output": self.output, "currency": self.currency,
            "currency_source": self.currency_source, "period": [self.period.start.isoformat(), self.period.end.isoformat()],
            "files": [f.as_dict() for f in self.files],
            "advertising_table": {"range": self.table_range, "rows_written": self.table_rows,
                                  "rows_replaced": self.replaced_rows, "rows_cleared": self.cleared_rows,
                                  "aggregation": self.aggregation},
            "performance": [{"ref": ref, "value": value} for ref, value in self.performance],
            "notes": self.notes,
        }

    def text(self) -> str:
        from .summary import render

        return render(self)


def import_exports(book: str | os.PathLike, exports: list[str | os.PathLike], output: str | os.PathLike | None = None,
                   *, in_place: bool = False, channels: tuple[str, ...] = (), fx: tuple[str, ...] = (),
                   currency: str | None = None, conversions_as: str | None = None, dry_run: bool = False,
                   engine: str = "fast") -> ImportReport:
    """Read ``exports`` and fill the template ``book``'s step 2 advertising table and step 3
    rows; write the result to ``output`` (or over ``book`` with ``in_place``; nothing with
    ``dry_run``).

    ``channels``: ``"Facebook"`` (the channel of a Meta export without a Platform column) and
    ``"TikTok=Other"`` mappings. ``fx``: ``"1.08"`` or ``"EUR=1.08"``: workbook currency per unit
    of an export's currency. ``currency``: the workbook's currency when its format does not say
    (or says ``$`` for another dollar). ``conversions_as``: the step-3 metric the platforms'
    generic conversions count as (e.g. ``"Leads"``); without it they are reported, not written.
    """
    if not exports:
        raise BadValue("name at least one export file")
    if not dry_run and output is None and not in_place:
        raise OutputError("say where to write: -o OUT, or --in-place to replace the workbook")
    if in_place and output is not None:
        raise BadValue("give -o OUT or --in-place, not both")
    from ..workbook import open as open_workbook

    wb = open_workbook(book, engine=engine)
    layout = read_layout(wb)
    plain, mapping = parse_channel_options(channels, layout.channels)
    if conversions_as is not None and conversions_as not in layout.metric_cols:
        match = next((m for m in layout.metric_cols if m.casefold() == conversions_as.casefold()), None)
        if match is None:
            raise BadValue(f"--conversions-as {conversions_as!r}: not a step-3 metric ({', '.join(layout.metric_cols)})")
        conversions_as = match
    parsed = [read_export(path, plain) for path in exports]
    wb_currency, currency_source = (currency.strip().upper(), "--currency") if currency else workbook_currency(wb, layout)
    report = ImportReport(str(book), None, wb_currency, currency_source, layout.period)
    rates = _parse_fx(fx)
    used_by_file = []
    for export in parsed:
        file_report = FileReport(export.path, export.platform, export.layout, notes=list(export.notes))
        report.files.append(file_report)
        rate, wb_currency = _currency(export, file_report, wb_currency, report, rates)
        report.currency = wb_currency
        used = _in_period(export, file_report, layout.period)
        for row in used:
            row.channel = _channel(row, layout, mapping, file_report)
        used_by_file.append((export, file_report, used, rate))
    _check_overlaps(used_by_file)
    indexed = _spend_lines(used_by_file)
    slots = read_slots(wb, layout)
    sources: dict[Source, list[Span]] = defaultdict(list)
    for _, line in indexed:
        if line.tag.span not in sources[line.tag.source]:
            sources[line.tag.source].append(line.tag.span)
    replaced = replaced_slots(slots, sources)
    free = len({s.row for s in replaced} | {s.row for s in slots if s.empty})
    level, fitted = _fit(indexed, free)
    if level:
        report.notes.append(f"{len(indexed)} spend rows are more than the {free} free rows of the advertising table: "
                            f"{LEVELS[level]} ({len(fitted)} rows)")
    report.aggregation = LEVELS[level]
    plan = plan_table(slots, replaced, fitted)
    report.table_rows, report.replaced_rows, report.cleared_rows = len(plan.writes), len(replaced), len(plan.clears)
    report.table_range = (f"{layout.ref(layout.ad_sheet, layout.ad_rows[0], layout.date_col)}:"
                          f"{layout.ref(layout.ad_sheet, layout.ad_rows[-1], layout.amount_col).split('!')[1]}")
    figures = _performance(used_by_file, layout, conversions_as, report)
    write_table(wb, layout, plan)
    report.performance = write_performance(wb, layout, figures)
    if rates.unused(report):
        report.notes.append("--fx was given but no export needed it")
    if dry_run:
        return report
    result = wb.save(in_place=True) if in_place else wb.save(output)
    report.output = result.path
    return report


# -- steps of the import -----------------------------------------------------------------------

@dataclass
class _Rates:
    single: Decimal | None = None
    per: dict[str, Decimal] = field(default_factory=dict)
    used: bool = False

    def unused(self, report: ImportReport) -> bool:
        return (self.single is not None or bool(self.per)) and not self.used


def _parse_fx(options: tuple[str, ...]) -> _Rates:
    rates = _Rates()
    for option in options:
        code, sep, value = option.rpartition("=")
        try:
            number = Decimal(value.strip().replace(",", "."))
        except InvalidOperation:
            number = Decimal(-1)
        if not number > 0 or not number.is_finite():
            raise BadValue(f"--fx {option!r}: give a positive rate, e.g. --fx 1.08 or --fx EUR=1.08")
        if sep:
            rates.per[code.strip().upper()] = number
        elif rates.single is not None:
            raise BadValue("--fx RATE given twice: give one rate per currency as CODE=RATE")
        else:
            rates.single = number
    return rates


def _currency(export: ParsedExport, file_report: FileReport, wb_currency: str | None, report: ImportReport,
              rates: _Rates) -> tuple[Decimal, str | None]:
    """(rate to the workbook's currency, the workbook's currency) for one export."""
    counts: dict[str, int] = defaultdict(int)
    for row in export.rows:
        if row.spend is not None and row.currency:
            counts[row.currency] += 1
    if len(counts) > 1:
        listed = ", ".join(f"{code}: {n} row{'s' if n > 1 else ''}" for code, n in sorted(counts.items()))
        raise ExportConflict(f"{export.path}: mixed currencies in one export ({listed}): export each currency apart")
    code = next(iter(counts), None)
    file_report.currency = code
    if code is None:
        if any(row.spend for row in export.rows):
            file_report.notes.append(f"the export does not say its currency: taken as the workbook's ({wb_currency or 'unknown'})")
        return Decimal(1), wb_currency
    if wb_currency is None:
        report.currency_source = f"{export.path} (the workbook's money cells show no currency)"
        return Decimal(1), code
    if code == wb_currency:
        return Decimal(1), wb_currency
    rate = rates.per.get(code, rates.single)
    if rate is None:
        raise ExportConflict(f"{export.path}: spend is in {code}, the workbook in {wb_currency} (from {report.currency_source}): "
                             f"give --fx RATE ({wb_currency} per 1 {code}), or --currency {code} if the workbook is in {code}")
    rates.used = True
    file_report.fx = rate
    file_report.notes.append(f"spend converted from {code} at {rate} {wb_currency} per {code} (--fx)")
    return rate, wb_currency


def _in_period(export: ParsedExport, file_report: FileReport, period: Span) -> list[ExportRow]:
    """The rows inside ``period``; the others are left out and counted. An export with rows but
    none inside is an error."""
    used, outside, straddling = [], 0, 0
    file_report.rows_read = len(export.rows) + len(export.left_out)
    for row in export.rows:
        if row.span.within(period):
            used.append(row)
        elif not row.span.overlaps(period):
            outside += 1
            export.left_out.append(LeftOut(row.line, "outside the workbook's period", row.spend))
        else:
            straddling += 1
            export.left_out.append(LeftOut(row.line, "covers days on both sides of the period's edge (its spend "
                                                     "cannot be split): export by day", row.spend))
    file_report.rows_used = len(used)
    for item in export.left_out:
        entry = file_report.left_out.setdefault(item.reason, [0, Decimal(0)])
        entry[0] += 1
        entry[1] += item.spend or 0
    if export.rows and not used:
        hull = export.rows[0].span
        for row in export.rows:
            hull = hull.union(row.span)
        if not straddling:
            raise ExportConflict(f"{export.path}: its rows cover {hull.start} to {hull.end}, which does not overlap the "
                                 f"workbook's period {period.start} to {period.end}")
        raise ExportConflict(f"{export.path}: every row covers days outside the workbook's period {period.start} to "
                             f"{period.end} (the export runs {hull.start} to {hull.end}): export by day or for the period")
    if used:
        covered = used[0].span
        for row in used:
            covered = covered.union(row.span)
        file_report.covered = covered
    return used


def _channel(row: ExportRow, layout: Layout, mapping: dict[str, str], file_report: FileReport) -> str:
    channel, how = resolve(row.channel, layout.channels, mapping, file_report.path)
    if how and how not in file_report.notes:
        file_report.notes.append(how)
    return channel


def _check_overlaps(used_by_file) -> None:
    seen: dict[Source, list[tuple[str, Span]]] = defaultdict(list)
    for export, file_report, used, _ in used_by_file:
        for source, span in _file_sources(export.platform, used).items():
            for other_path, other in seen[source]:
                if other.overlaps(span):
                    who = source.platform + (f" ({source.account})" if source.account else "")
                    raise ExportConflict(f"{other_path} and {export.path} are both {who} exports with overlapping days "
                                         f"({other} and {span}): their spend would be counted twice")
            seen[source].append((export.path, span))


def _file_sources(platform: str, used: list[ExportRow]) -> dict[Source, Span]:
    spans: dict[Source, Span] = {}
    for row in used:
        if row.spend is None:
            continue
        source = Source(platform, row.account)
        spans[source] = spans[source].union(row.span) if source in spans else row.span
    return spans


def _spend_lines(used_by_file) -> list[tuple[int, AdLine]]:
    """(file index, line) for every used row with spend, tagged with its export's source and days."""
    lines = []
    for index, (export, file_report, used, rate) in enumerate(used_by_file):
        spans = _file_sources(export.platform, used)
        for row in used:
            if row.spend is None:
                continue
            amount = row.spend * rate
            file_report.spend_by_channel[row.channel] = file_report.spend_by_channel.get(row.channel, Decimal(0)) + amount
            if amount == 0:
                continue
            source = Source(export.platform, row.account)
            lines.append((index, AdLine(row.span.end, row.channel, row.campaign, amount, Tag(source, spans[source]))))
    return lines


def _fit(indexed: list[tuple[int, AdLine]], free: int) -> tuple[int, list[AdLine]]:
    """The finest level (rows as exported, per channel × campaign, per channel) that fits."""
    lines = [line for _, line in indexed]
    for level in (0, 1, 2):
        fitted = lines if level == 0 else _aggregate(indexed, level)
        if len(fitted) <= free:
            return level, fitted
    return 2, _aggregate(indexed, 2)


def _aggregate(indexed: list[tuple[int, AdLine]], level: int) -> list[AdLine]:
    groups: dict[tuple, list[AdLine]] = {}
    for index, line in indexed:
        key = (index, line.tag, line.channel) + ((line.campaign,) if level == 1 else ())
        groups.setdefault(key, []).append(line)
    out = []
    for key, members in groups.items():
        campaigns = sorted({m.campaign for m in members})
        name = campaigns[0] if len(campaigns) == 1 else f"{len(campaigns)} campaigns"
        out.append(AdLine(max(m.last_day for m in members), key[2], name, sum((m.amount for m in members), Decimal(0)),
                          key[1]))
    return out


def _performance(used_by_file, layout: Layout, conversions_as: str | None,
                 report: ImportReport) -> dict[tuple[str, str, str], Decimal]:
    """Step-3 figures: ad platforms' counts first; GA4 fills only cells no ad platform gave."""
    sums: dict[str, dict[tuple[str, str, str], Decimal]] = {"ads": defaultdict(Decimal), "ga4": defaultdict(Decimal)}
    unwritten: dict[str, Decimal] = defaultdict(Decimal)
    for export, file_report, used, _ in used_by_file:
        bucket = "ga4" if export.platform == "GA4" else "ads"
        for row in used:
            for metric, value in row.metrics.items():
                name = conversions_as if metric == CONVERSIONS else metric
                target = file_report.metrics.setdefault(f"{row.channel} {row.kind}", {})
                target[metric] = target.get(metric, Decimal(0)) + value
                if name is None:
                    unwritten[file_report.path] += value
                    continue
                if name not in layout.metric_cols:
                    note = f"{metric}: the workbook has no step-3 metric of that name: not written"
                    if note not in file_report.notes:
                        file_report.notes.append(note)
                    continue
                sums[bucket][(row.channel, row.kind, name)] += value
        if sum(1 for row in used if "Reach" in row.metrics) > len({(r.channel, r.kind) for r in used if "Reach" in r.metrics}):
            file_report.notes.append("Reach is summed over rows (days, campaigns): people reached in several rows "
                                     "are counted more than once")
    for path, value in unwritten.items():
        next(f for f in report.files if f.path == path).notes.append(
            f"{_plain(value)} conversions not written to step 3: say which metric they are with --conversions-as (e.g. Leads)")
    figures = dict(sums["ads"])
    for key, value in sums["ga4"].items():
        if key in figures:
            report.notes.append(f"GA4's {key[2]} for {key[0]} {key[1]} ({_plain(value)}) not written: the ad platform's "
                                f"count ({_plain(figures[key])}) is used")
        else:
            figures[key] = value
    return figures


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _plain(value: Decimal) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value != value.to_integral_value() else f"{int(value):,}"
