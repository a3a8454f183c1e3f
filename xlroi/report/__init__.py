"""The monthly ROI report (step 6 of the method): a filled template as a page a client reads.

    >>> from xlroi.report import make_report, report_html, write_reports
    >>> report = make_report("campaign.xlsx")                 # doctest: +SKIP
    >>> html = report_html(report)                             # one self-contained HTML file
    >>> write_reports(["jan.xlsx", "feb.xlsx"], "reports/")    # doctest: +SKIP

The workbook is recalculated before anything is read (a stale cached value is never shown),
read through the template's defined names and layout (:mod:`xlroi.report.layout`), turned into
figures that carry their cell (:mod:`xlroi.report.model`), sentences made by rules whose
numbers are checked against the tables (:mod:`xlroi.report.rules`, :mod:`xlroi.report.verify`),
charts (matplotlib, :mod:`xlroi.report.charts`) and HTML (Jinja2) or PDF (WeasyPrint).
The charts, HTML and PDF need the optional extra: ``pip install 'xlroi[report]'``.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import BadValue, OutputError, TemplateChecksFail
from .model import Brand, Report

FORMATS = ("html", "pdf")


def make_report(book: str | os.PathLike, *, engine: str = "fast", brand: Brand | None = None,
                timeout: float | None = None) -> Report:
    """Recalculate ``book``, read it and build the report's model with its charts.

    ``timeout``: seconds for reading and recalculating (in a child process that is stopped past
    the limit); None reads in this process. Raises ``NotATemplate``, ``NothingToReport`` and the
    workbook API's errors for bad input."""
    from .build import build_report
    from .extra import require
    from .snapshot import read_snapshot

    require()
    from .render import add_charts
    if timeout is None:
        snap = read_snapshot(book, engine)
    else:
        from ..isolation import run_isolated

        snap = run_isolated(read_snapshot, os.fspath(book), engine, timeout=timeout, what=f"reading {os.fspath(book)}")
    report = build_report(snap, brand)
    add_charts(report)
    return report


def report_html(report: Report) -> str:
    from .extra import require

    require()
    from .render import render_html

    return render_html(report)


def report_pdf(report: Report) -> bytes:
    from .extra import require

    require(pdf=True)
    from .render import render_html, render_pdf

    return render_pdf(render_html(report))


@dataclass
class Written:
    """What :func:`write_reports` wrote, and the workbooks whose template checks fail."""

    paths: list[Path] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    failing: list[tuple[str, list[str]]] = field(default_factory=list)   # (workbook, failing check labels)


def output_format(output: str | os.PathLike, books: int, fmt: str | None) -> tuple[str, bool]:
    """(format, is_folder) for ``-o output``: a file ending in .html/.pdf for one workbook, a
    folder for several (or for one when OUTPUT is an existing folder or ends with a slash)."""
    text = os.fspath(output)
    suffix = Path(text).suffix.lower().lstrip(".")
    folder = books > 1 or text.endswith(("/", os.sep)) or Path(text).is_dir()
    if fmt is not None and fmt not in FORMATS:
        raise BadValue(f"--format {fmt!r}: choose html or pdf")
    if folder:
        if suffix in FORMATS and not Path(text).is_dir():
            raise BadValue(f"-o {text}: with {books} workbooks the output is a folder (one report each and an "
                           f"index.html); give a folder name")
        return fmt or "html", True
    if suffix not in FORMATS:
        raise BadValue(f"-o {text}: the report is written as .html or .pdf; give a name ending in one of them")
    if fmt is not None and fmt != suffix:
        raise BadValue(f"-o {text} is .{suffix} but --format is {fmt}")
    return suffix, False


def write_reports(books: list[str | os.PathLike], output: str | os.PathLike, *, fmt: str | None = None,
                  engine: str = "fast", brand: Brand | None = None, timeout: float | None = None,
                  progress=None) -> Written:
    """Build every report first, then write them (each file atomically; a new folder appears
    whole or not at all). Raises :class:`TemplateChecksFail` *after* writing when a workbook's
    own checks fail (the report shows them, marked)."""
    from ..xlsx.package import write_atomically
    from .extra import require

    if not books:
        raise BadValue("give at least one workbook")
    kind, folder = output_format(output, len(books), fmt)
    require(pdf=kind == "pdf")
    from .render import render_html, render_pdf
    result = Written()
    rendered: list[tuple[str, bytes]] = []
    names: set[str] = set()
    for book in books:
        report = make_report(book, engine=engine, brand=brand, timeout=timeout)
        html = render_html(report)
        data = render_pdf(html) if kind == "pdf" else html.encode("utf-8")
        stem = Path(book).stem
        name, n = f"{stem}.{kind}", 2
        while name.lower() in names:
            name, n = f"{stem}-{n}.{kind}", n + 1
        names.add(name.lower())
        rendered.append((name, data))
        result.reports.append(report)
        if report.failing_checks:
            result.failing.append((os.fspath(book), [f"{c.label.text}: {c.result.text}" for c in report.failing_checks]))
        if progress:
            progress(os.fspath(book))
    out = Path(output)
    if not folder:
        write_atomically(out, rendered[0][1])
        result.paths.append(out)
    else:
        rendered.append(("index.html", _index_html(result.reports, [n for n, _ in rendered], brand).encode("utf-8")))
        result.paths = _write_folder(out, rendered)
    if result.failing:
        book, labels = result.failing[0]
        more = f" (and {len(result.failing) - 1} more workbooks)" if len(result.failing) > 1 else ""
        raise TemplateChecksFail(f"{book}: the template's checks fail ({'; '.join(labels)}){more}; the report was "
                                 f"written with them marked: {result.paths[0] if not folder else out}")
    return result


def _write_folder(out: Path, files: list[tuple[str, bytes]]) -> list[Path]:
    from ..xlsx.package import write_atomically

    if out.exists() and not out.is_dir():
        raise OutputError(f"{out}: exists and is not a folder")
    if out.is_dir():
        for name, data in files:
            write_atomically(out / name, data)
        return [out / name for name, _ in files]
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"{out}: the folder {parent} does not exist")
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=parent))
    except OSError as exc:
        raise OutputError(f"{out}: cannot write in {parent} ({exc.strerror})") from None
    try:
        for name, data in files:
            (staging / name).write_bytes(data)
        staging.chmod(0o777 & ~_umask())
        os.replace(staging, out)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(f"{out}: cannot write the reports ({exc.strerror})") from None
    return [out / name for name, _ in files]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _index_html(reports: list[Report], names: list[str], brand: Brand | None) -> str:
    from .render import index_html

    return index_html(reports, names, brand or Brand())


__all__ = ["make_report", "report_html", "report_pdf", "write_reports", "Written", "Brand", "Report"]
