"""What a batch adds up to: the totals table and the exit status.

Exit status of ``xlroi check`` over many workbooks: **1** if any workbook's cached values
differ from its formulas' (or cells could not be evaluated); otherwise the **highest failure
class** among the workbooks that could not be checked (3 not found, 4 not a workbook, 5 unsafe,
9 engine, 10 time limit, 70 internal); otherwise **0**. ``xlroi recalc``: the highest failure
class if any workbook failed; otherwise 1 with ``--strict`` when cells were not evaluated;
otherwise 0.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .work import CheckRecord, RecalcRecord


@dataclass
class Totals:
    files: int = 0
    formula_cells: int = 0
    stale_cells: int = 0
    stale_files: int = 0
    not_evaluated_cells: int = 0
    not_evaluated_files: int = 0
    failed: int = 0
    seconds: float = 0.0  # wall-clock time of the whole batch
    work_seconds: float = 0.0  # the workbooks' own times added up (over every worker)

    def as_dict(self) -> dict:
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def totals(records: Sequence[CheckRecord | RecalcRecord], seconds: float) -> Totals:
    result = Totals(files=len(records), seconds=seconds)
    for record in records:
        result.formula_cells += record.formula_cells
        result.work_seconds += record.seconds
        stale = getattr(record, "stale", 0)
        result.stale_cells += stale
        result.stale_files += stale > 0
        result.not_evaluated_cells += record.not_evaluated
        result.not_evaluated_files += record.not_evaluated > 0
        result.failed += record.status == "failed"
    return result


def table(t: Totals, *, with_stale: bool = True, how: str = "") -> str:
    """A one-row table of the totals, with a header."""
    columns = [("files", f"{t.files:,}"), ("formula cells", f"{t.formula_cells:,}")]
    if with_stale:
        columns.append(("stale cells (files)", f"{t.stale_cells:,} ({t.stale_files:,})"))
    columns += [("not evaluated (files)", f"{t.not_evaluated_cells:,} ({t.not_evaluated_files:,})"),
                ("failed", f"{t.failed:,}"), ("time", f"{t.seconds:.2f} s" + (f" {how}" if how else ""))]
    widths = [max(len(name), len(value)) for name, value in columns]
    header = "  ".join(name.rjust(w) for (name, _), w in zip(columns, widths))
    row = "  ".join(value.rjust(w) for (_, value), w in zip(columns, widths))
    return f"{header}\n{row}"


def check_exit_status(records: Sequence[CheckRecord]) -> int:
    if any(r.status == "differs" for r in records):
        return 1
    return max((r.exit_code for r in records if r.status == "failed"), default=0)


def recalc_exit_status(records: Sequence[RecalcRecord], strict: bool) -> int:
    failed = max((r.exit_code for r in records if r.status == "failed"), default=0)
    if failed:
        return failed
    return 1 if strict and any(r.not_evaluated for r in records) else 0


__all__ = ["Totals", "totals", "table", "check_exit_status", "recalc_exit_status"]
