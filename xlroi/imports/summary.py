"""The import's summary as people read it (``--json`` gives ``ImportReport.as_dict()``)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path


def money(value: Decimal, currency: str | None) -> str:
    return f"{value:,.2f}" + (f" {currency}" if currency else "")


def count(value: Decimal) -> str:
    return f"{int(value):,}" if value == value.to_integral_value() else f"{value:,.2f}"


def render(report) -> str:
    lines = []
    for f in report.files:
        name = Path(f.path).name
        currency = f"; spend in {f.currency}" if f.currency else ""
        lines.append(f"{name}: {f.platform} export ({f.layout}{currency})")
        left = sum(n for n, _ in f.left_out.values())
        lines.append(f"  rows: {f.rows_read} read, {f.rows_used} used, {left} left out")
        for reason, (n, spend) in f.left_out.items():
            amount = f" ({money(spend, f.currency)})" if spend else ""
            lines.append(f"    {n} {reason}{amount}")
        if f.spend_by_channel:
            spent = ", ".join(f"{c} {money(v, report.currency)}" for c, v in f.spend_by_channel.items())
            lines.append(f"  spend: {spent}")
        if f.covered:
            lines.append(f"  period covered: {f.covered.start} to {f.covered.end}")
        for key, metrics in f.metrics.items():
            lines.append(f"  {key}: " + ", ".join(f"{m} {count(v)}" for m, v in metrics.items()))
        lines.extend(f"  note: {note}" for note in f.notes)
    where = f" -> {report.output}" if report.output else " (dry run: nothing written)"
    lines.append(f"{Path(report.book).name}{where}: period {report.period.start} to {report.period.end}, "
                 f"currency {report.currency or 'not stated'}")
    replaced = f", {report.replaced_rows} replaced from an earlier import" if report.replaced_rows else ""
    lines.append(f"  step 2 advertising table {report.table_range}: {report.table_rows} rows written "
                 f"({report.aggregation}){replaced}")
    lines.append(f"  step 3: {len(report.performance)} cells set")
    lines.extend(f"  note: {note}" for note in report.notes)
    return "\n".join(lines)
