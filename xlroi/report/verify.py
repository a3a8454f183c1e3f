"""The build-time check of the report's words against its tables.

Every number in a generated sentence must be a figure (the literal text of a sentence holds no
digit), and every figure in a sentence must appear in one of the report's tables — the same
cell or the same derivation — with the same value and the same printed text. A sentence that
says 176.9 % where the table shows 180.0 % stops the build with :class:`SummaryMismatch`.
"""
from __future__ import annotations

import math
import re

from ..errors import SummaryMismatch
from .model import Figure, Report, Sentence

_DIGIT = re.compile(r"\d")


def _same(a: object, b: object) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def table_figures(report: Report) -> dict[str, list[Figure]]:
    index: dict[str, list[Figure]] = {}
    for table in report.tables():
        for fig in table.figures():
            if fig.key:
                index.setdefault(fig.key, []).append(fig)
    return index


def sentences(report: Report) -> list[tuple[str, Sentence]]:
    found = [("summary", s) for s in report.summary]
    for section in report.sections:
        found += [(section.title, s) for s in section.intro + section.items]
    return found


def check_sentence(sentence: Sentence, index: dict[str, list[Figure]], where: str = "summary") -> None:
    """Raise :class:`SummaryMismatch` unless every number of ``sentence`` is a figure the tables show."""
    for part in sentence.parts:
        if isinstance(part, Figure):
            continue
        if _DIGIT.search(str(part)):
            raise SummaryMismatch(f"{where}: the sentence {sentence.text!r} has a number that is not a figure "
                                  f"from the workbook: {str(part)!r}")
    for fig in sentence.figures():
        if not fig.key:
            raise SummaryMismatch(f"{where}: {fig.text!r} in {sentence.text!r} has no cell of origin")
        shown = index.get(fig.key)
        if not shown:
            raise SummaryMismatch(f"{where}: {fig.text!r} ({fig.source}) in {sentence.text!r} is in none of the "
                                  f"report's tables")
        if not any(_same(fig.value, t.value) and fig.text == t.text for t in shown):
            raise SummaryMismatch(f"{where}: the sentence {sentence.text!r} says {fig.text} for {fig.source}, but the "
                                  f"table shows {shown[0].text}")


def verify_sentences(report: Report) -> None:
    index = table_figures(report)
    for where, sentence in sentences(report):
        check_sentence(sentence, index, where)
