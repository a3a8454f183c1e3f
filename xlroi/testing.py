"""Helpers for testing workbooks with pytest.

    from xlroi.testing import assert_valid_output, assert_workbook_is_fresh

    def test_the_budget_workbook_is_up_to_date():
        assert_workbook_is_fresh("finance/budget.xlsx")

    def test_the_recalculated_budget_is_valid(tmp_path):
        xlroi.open("finance/budget.xlsx").save(tmp_path / "out.xlsx")
        assert_valid_output("finance/budget.xlsx", tmp_path / "out.xlsx")
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


def output_problems(input_path: str | os.PathLike, output_path: str | os.PathLike, *, engine: str = "fast",
                    changed_parts=None, only_values: bool = True, inputs=(), libreoffice: bool = False,
                    idempotent: bool = True) -> list[str]:
    """What is wrong with ``output_path``, a workbook xlroi wrote from ``input_path`` (empty: nothing).

    The checks of :func:`xlroi.xlsx.validate.validate_output` (``inputs``: the cells you set,
    e.g. ``["'Step 2 Costs'!D17"]``); the idempotency check recalculates the output with
    ``engine``."""
    from pathlib import Path

    from .xlsx.validate import validate_output

    def recalc(src: Path, dest: Path) -> None:
        open_workbook(src, engine=engine).save(dest)

    return validate_output(input_path, output_path, changed_parts=changed_parts, only_values=only_values,
                           inputs=inputs, libreoffice=libreoffice, recalc=recalc if idempotent else None)


def assert_valid_output(input_path: str | os.PathLike, output_path: str | os.PathLike, **options) -> None:
    """Fail (AssertionError, one line per problem) unless ``output_path`` is a valid, whole and
    stable result of recalculating ``input_path``: every XML part well-formed, every part not
    meant to change byte for byte the input's, readable by openpyxl (and LibreOffice with
    ``libreoffice=True``), and the same bytes when recalculated again. Options as for
    :func:`output_problems`.

        from xlroi.testing import assert_valid_output

        def test_recalculated_budget_is_valid(tmp_path):
            xlroi.open("budget.xlsx").save(tmp_path / "out.xlsx")
            assert_valid_output("budget.xlsx", tmp_path / "out.xlsx")
    """
    problems = output_problems(input_path, output_path, **options)
    if problems:
        raise AssertionError(f"{output_path}: {len(problems)} problem(s)\n" + "\n".join(f"  {p}" for p in problems))
