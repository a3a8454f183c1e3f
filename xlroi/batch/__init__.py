"""Many workbooks at once: check or recalculate files, folders and globs on this process, a
local process pool or a Dask distributed cluster, with the same answer from each.

    >>> from xlroi import batch
    >>> books = batch.expand(["finance/", "clients/**/*.xlsm"])          # doctest: +SKIP
    >>> records = batch.check_many(books, jobs=4, timeout=60)             # doctest: +SKIP
    >>> [r.path for r in records if r.status == "differs"]                # doctest: +SKIP
    >>> batch.check_many(books, scheduler="tcp://scheduler:8786")         # doctest: +SKIP

The work on one workbook is one pure function of its bytes (:func:`check_bytes`,
:func:`recalc_bytes`), used by the serial loop, the pool and Dask alike: workbooks travel as
bytes, so Dask workers need xlroi installed (``pip install 'xlroi[dask]'``) but no shared file
system. Each workbook runs in its own killable child process with the ``timeout``, so one
hostile workbook fails its own record and never stops the others.

Layout: :mod:`.inputs` (which files), :mod:`.work` (one workbook), :mod:`.executors` (where it
runs), :mod:`.runs` (reading, running, writing), :mod:`.summary` (totals, exit status),
:mod:`.junit` (JUnit XML), :mod:`.console` (what the commands print).
"""
from __future__ import annotations

from .executors import default_jobs
from .inputs import Input, expand
from .runs import check_many, plan_outputs, recalc_many
from .summary import check_exit_status, recalc_exit_status, totals
from .work import CheckRecord, RecalcRecord, check_bytes, recalc_bytes

__all__ = ["Input", "expand", "check_bytes", "recalc_bytes", "CheckRecord", "RecalcRecord", "check_many",
           "recalc_many", "plan_outputs", "totals", "check_exit_status", "recalc_exit_status", "default_jobs"]
