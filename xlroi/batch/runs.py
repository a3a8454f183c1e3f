"""Many workbooks at once: read each, run the pure work function on an executor, collect the
records in the order the workbooks were named, and (for recalc) write the outputs here.

Reading and writing happen only in this process; the executors see bytes in and bytes out.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Callable, Iterator, Sequence

from ..errors import NotAWorkbook, OutputError, UnsafeWorkbook, WorkbookNotFound, XlroiError
from ..xlsx.package import Limits, write_atomically
from . import executors
from .inputs import Input
from .work import CheckRecord, RecalcRecord, Sets, check_bytes, recalc_bytes

Progress = Callable[[object], None]


def check_many(inputs: Sequence[Input], *, engine: str = "fast", timeout: float | None = None, jobs: int = 1,
               scheduler: str | None = None, limits: Limits | None = None,
               progress: Progress | None = None, fallback: bool = True) -> list[CheckRecord]:
    """Check every workbook; one record each, in the order given. A workbook that cannot be
    read or checked gets a failed record; the others go on."""
    limits = Limits.from_env() if limits is None else limits
    records: dict[int, CheckRecord] = {}

    def failed(index: int, exc: BaseException) -> CheckRecord:
        message, code = _failure(inputs[index], exc)
        return CheckRecord(inputs[index].name, engine, error=message, exit_code=code)

    tasks = _read_all(inputs, limits, lambda i, exc: _done(records, i, failed(i, exc), progress))
    for index, result in executors.run(check_bytes, tasks, jobs=jobs, scheduler=scheduler,
                                       engine=engine, timeout=timeout, limits=limits, fallback=fallback):
        _done(records, index, result if isinstance(result, CheckRecord) else failed(index, result), progress)
    return [records[i] for i in range(len(inputs))]


def recalc_many(inputs: Sequence[Input], destinations: Sequence[Path], *, engine: str = "fast", sets: Sets = (),
                timeout: float | None = None, jobs: int = 1, scheduler: str | None = None,
                limits: Limits | None = None, progress: Progress | None = None,
                fallback: bool = True) -> list[RecalcRecord]:
    """Recalculate every workbook and write each to its destination (atomically; a workbook that
    fails writes nothing). ``destinations[i]`` is where ``inputs[i]`` goes (itself for in-place)."""
    limits = Limits.from_env() if limits is None else limits
    records: dict[int, RecalcRecord] = {}

    def failed(index: int, exc: BaseException) -> RecalcRecord:
        message, code = _failure(inputs[index], exc)
        return RecalcRecord(inputs[index].name, engine, error=message, exit_code=code)

    def finish(index: int, result) -> RecalcRecord:
        if not isinstance(result, tuple):
            return failed(index, result)
        record, data = result
        if data is not None:
            try:
                write_atomically(destinations[index], data)
                record.output = str(destinations[index])
            except OutputError as exc:
                record.error, record.exit_code = str(exc), exc.exit_code
        return record

    tasks = _read_all(inputs, limits, lambda i, exc: _done(records, i, failed(i, exc), progress))
    for index, result in executors.run(recalc_bytes, tasks, jobs=jobs, scheduler=scheduler,
                                       engine=engine, sets=tuple(sets), timeout=timeout, limits=limits,
                                       fallback=fallback):
        _done(records, index, finish(index, result), progress)
    return [records[i] for i in range(len(inputs))]


def plan_outputs(inputs: Sequence[Input], output_dir: str | os.PathLike | None, in_place: bool) -> list[Path]:
    """Where each recalculated workbook goes: over itself (``in_place``), or under
    ``output_dir`` at its path relative to the folder or glob it came from. Two workbooks bound
    for one file, or an output that would replace an input, are refused before any work."""
    if in_place:
        return [item.path for item in inputs]
    if output_dir is None:
        raise XlroiError("give either -o OUTPUT_FOLDER or --in-place")
    folder = Path(output_dir)
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder}: is a file; with several workbooks, -o names a folder")
    plan = [folder / item.relative for item in inputs]
    seen: dict[str, Input] = {}
    sources = {item.key for item in inputs}
    for item, dest in zip(inputs, plan):
        key = os.path.realpath(dest)
        if key in seen:
            raise OutputError(f"{seen[key].name} and {item.name} would both be written to {dest}")
        if key in sources:
            raise OutputError(f"{dest}: is an input workbook; use --in-place to replace the inputs")
        seen[key] = item
    return plan


def make_folders(destinations: Sequence[Path]) -> None:
    for folder in sorted({dest.parent for dest in destinations}):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{folder}: cannot create the output folder ({exc.strerror})") from None


def read_input(path: Path, limits: Limits) -> bytes:
    """A workbook's bytes, refusing what the single-workbook commands refuse before reading:
    a missing file, a folder, a device or pipe (``/dev/zero`` never ends), a file over the size
    limit."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise WorkbookNotFound(f"{path}: no such file") from None
    except OSError as exc:
        raise WorkbookNotFound(f"{path}: cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise NotAWorkbook(f"{path}: is a directory, not a workbook")
    if not stat.S_ISREG(info.st_mode):
        raise NotAWorkbook(f"{path}: is not a regular file (a device, pipe or socket), not a workbook")
    if info.st_size > limits.max_total_bytes:
        raise UnsafeWorkbook(f"{path}: is {info.st_size:,} bytes, over the limit of {limits.max_total_bytes:,}")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise WorkbookNotFound(f"{path}: cannot be read ({exc.strerror})") from None


def _read_all(inputs: Sequence[Input], limits: Limits,
              unreadable: Callable[[int, XlroiError], None]) -> Iterator[tuple[int, tuple]]:
    """``(index, (name, bytes))`` for each input, read only when an executor asks for it."""
    for index, item in enumerate(inputs):
        try:
            data = read_input(item.path, limits)
        except XlroiError as exc:
            unreadable(index, exc)
            continue
        yield index, (item.name, data)


def _failure(item: Input, exc: BaseException) -> tuple[str, int]:
    """The message and exit class for an exception that reached us instead of a record."""
    if isinstance(exc, XlroiError):
        text = str(exc)
        return (text if item.name in text else f"{item.name}: {text}"), exc.exit_code
    from concurrent.futures.process import BrokenProcessPool

    if isinstance(exc, BrokenProcessPool):
        return f"{item.name}: the worker process running it died ({exc})", 9
    return f"{item.name}: {type(exc).__name__}: {exc} (rerun with --debug and report it)", 70


def _done(records: dict, index: int, record, progress: Progress | None) -> None:
    records[index] = record
    if progress is not None:
        progress(record)


__all__ = ["check_many", "recalc_many", "plan_outputs", "make_folders", "read_input"]
