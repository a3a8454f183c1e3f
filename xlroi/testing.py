"""Helpers for testing workbooks with pytest.

    from xlroi.testing import assert_workbook_is_fresh

    def test_the_budget_workbook_is_up_to_date():
        assert_workbook_is_fresh("finance/budget.xlsx")
"""
from __future__ import annotations

import os

from .workbook import open as open_workbook


def assert_workbook_is_fresh(path: str | os.PathLike, engine: str = "fast", max_listed: int = 20) -> None:
    """Fail (AssertionError) unless every formula cell's saved value is what its formula gives."""
    report = open_workbook(path, engine=engine).check()
    if report.ok:
        return
    lines = [f"{report.path}: {len(report.differences)} of {report.compared} formula cells are stale "
             f"or could not be evaluated ({engine} engine)"]
    lines += [f"  {d.ref}: {d.status}: cached {d.cached!r}, computed {d.computed!r}  ={d.formula or ''}"
              for d in report.differences[:max_listed]]
    raise AssertionError("\n".join(lines))
