"""Excel references: ``'Step 5 ROI'!C12``, ``Sheet1!A1:B3``, ``$B$4``, defined names."""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import BadReference

MAX_ROW, MAX_COL = 1_048_576, 16_384

_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
_SHEET_AND_AREA = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!(.+)$")


def column_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rem = divmod(number - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def parse_cell(text: str) -> tuple[int, int]:
    """(row, column), 1-based, of ``A1``-style text."""
    m = _CELL.match(text.strip())
    if not m:
        raise BadReference(f"{text!r} is not a cell reference like B4")
    row, col = int(m.group(2)), column_number(m.group(1))
    if not (1 <= row <= MAX_ROW and 1 <= col <= MAX_COL):
        raise BadReference(f"{text!r} is outside Excel's grid (A1:XFD1048576)")
    return row, col


def cell_name(row: int, col: int) -> str:
    return f"{column_letters(col)}{row}"


def quote_sheet(name: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name) and not _CELL.match(name):
        return name
    return "'" + name.replace("'", "''") + "'"


@dataclass(frozen=True)
class Area:
    """A rectangle of cells on one sheet (1-based, inclusive)."""

    sheet: str
    top: int
    left: int
    bottom: int
    right: int

    @property
    def is_cell(self) -> bool:
        return self.top == self.bottom and self.left == self.right

    @property
    def size(self) -> int:
        return (self.bottom - self.top + 1) * (self.right - self.left + 1)

    def cells(self):
        for row in range(self.top, self.bottom + 1):
            for col in range(self.left, self.right + 1):
                yield row, col

    def __str__(self) -> str:
        start = cell_name(self.top, self.left)
        text = start if self.is_cell else f"{start}:{cell_name(self.bottom, self.right)}"
        return f"{quote_sheet(self.sheet)}!{text}"


def split_sheet(text: str) -> tuple[str | None, str]:
    m = _SHEET_AND_AREA.match(text.strip())
    if not m:
        return None, text.strip()
    sheet = m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2)
    return sheet, m.group(3)


def parse_area(text: str, sheet: str) -> Area:
    """An ``A1`` or ``A1:B3`` area on ``sheet``."""
    first, _, last = text.partition(":")
    top, left = parse_cell(first)
    bottom, right = parse_cell(last) if last else (top, left)
    return Area(sheet, min(top, bottom), min(left, right), max(top, bottom), max(left, right))
