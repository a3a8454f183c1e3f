"""Which workbooks a command line names: files, folders (searched recursively) and globs.

A quoted glob reaches us unexpanded (and Windows shells never expand one), so ``*``, ``?``,
``[…]`` and ``**`` are expanded here, with :func:`glob.glob` (``recursive=True``). Each input
keeps the path as the user would write it (for messages and reports) and its path relative to
the folder or the glob's fixed prefix (for ``-o DIR``, which mirrors the inputs' layout).
"""
from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Iterable

from ..errors import WorkbookNotFound, XlroiError

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_MAGIC = re.compile(r"[*?[]")


@dataclass(frozen=True)
class Input:
    """One workbook to work on."""

    path: Path  # where to read it
    name: str  # how to show it: the path as given, or folder/relative for a folder's files
    relative: PurePath  # where it goes under ``-o DIR``

    @property
    def key(self) -> str:
        """Identity for de-duplication: the same file named twice is worked on once."""
        try:
            return os.path.realpath(self.path)
        except OSError:
            return os.path.abspath(self.path)


def is_workbook_name(path: str | os.PathLike) -> bool:
    """An .xlsx/.xlsm file that is not one of Excel's owner files (``~$Budget.xlsx``, which
    Excel leaves beside a workbook while it is open)."""
    name = os.path.basename(path)
    return name.lower().endswith(WORKBOOK_SUFFIXES) and not name.startswith("~$")


def has_magic(text: str) -> bool:
    return bool(_MAGIC.search(text))


def is_many(args: Iterable[str]) -> bool:
    """Whether the arguments name a batch (several workbooks, a folder or a glob) rather than
    one workbook file."""
    args = list(args)
    return len(args) != 1 or Path(args[0]).is_dir() or (has_magic(args[0]) and not Path(args[0]).exists())


def expand(args: Iterable[str]) -> list[Input]:
    """The workbooks the arguments name, in the order given (a folder's and a glob's files
    sorted by path), each once.

    A literal path is taken as given even when it does not exist (the work on it then reports
    "no such file" for that workbook alone). A glob that matches nothing, or a folder with no
    workbook in it, is refused at once: that is a typo, not a workbook to report on.
    """
    found: dict[str, Input] = {}
    for arg in args:
        for item in _expand_one(arg):
            found.setdefault(item.key, item)
    return list(found.values())


def _expand_one(arg: str) -> list[Input]:
    if not arg.strip():
        raise XlroiError("an empty workbook name was given")
    path = Path(arg)
    if path.is_dir():
        return _folder(path, arg)
    if path.exists() or not has_magic(arg):
        return [Input(path, arg, PurePath(path.name))]
    return _glob(arg)


def _folder(folder: Path, shown: str) -> list[Input]:
    books = []
    for root, dirs, files in os.walk(folder):
        # hidden folders (.git, .venv, .tox) hold no workbooks anyone means to check
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for file in sorted(files):
            if is_workbook_name(file) and not file.startswith("."):
                full = Path(root) / file
                relative = PurePath(os.path.relpath(full, folder))
                books.append(Input(full, os.path.join(shown, str(relative)), relative))
    if not books:
        raise WorkbookNotFound(f"{shown}: no .xlsx or .xlsm workbook in this folder (or its subfolders)")
    return sorted(books, key=lambda b: b.name)


def _glob(pattern: str) -> list[Input]:
    base = _fixed_prefix(pattern)
    books: list[Input] = []
    for match in sorted(glob.glob(pattern, recursive=True)):
        path = Path(match)
        if path.is_dir():
            if any(is_workbook_name(f) for _, _, files in os.walk(path) for f in files):
                books += [Input(b.path, b.name, PurePath(os.path.relpath(b.path, base))) for b in _folder(path, match)]
        elif path.is_file():
            books.append(Input(path, match, PurePath(os.path.relpath(path, base))))
    if not books:
        raise WorkbookNotFound(f"{pattern!r}: no file matches this pattern")
    return books


def _fixed_prefix(pattern: str) -> str:
    """The folder part of a glob before its first wildcard: ``finance/2026/**/*.xlsx`` →
    ``finance/2026``. Outputs under ``-o DIR`` keep the path below it."""
    parts = []
    for part in Path(pattern).parts[:-1]:
        if has_magic(part):
            break
        parts.append(part)
    return os.path.join(*parts) if parts else "."


__all__ = ["Input", "expand", "is_many", "is_workbook_name", "WORKBOOK_SUFFIXES"]
