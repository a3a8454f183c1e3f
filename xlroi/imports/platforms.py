"""The platform readers, and which one a file is for (decided by its header row)."""
from __future__ import annotations

import os

from ..errors import NotAnExport
from . import ga4, google_ads, linkedin, meta, tiktok, x_ads
from .rows import ParsedExport
from .sniff import load_table

READERS = (meta, linkedin, google_ads, tiktok, x_ads, ga4)
PLATFORMS = tuple(module.PLATFORM for module in READERS)


def recognise(header: list[str]) -> int:
    """How well ``header`` fits the platform it fits best (0: none)."""
    return max(module.score(header) for module in READERS)


def read_export(path: str | os.PathLike, channel: str | None = None) -> ParsedExport:
    """Read one export file with the reader its header row calls for."""
    table = load_table(path, recognise)
    module = max(READERS, key=lambda m: m.score(table.header))
    if not table.records:
        raise NotAnExport(f"{path}: a {module.PLATFORM} export with a header but no rows")
    return module.read(table, channel)
