"""The portable rewrite: every call of ROI, HR_COST, GOAL_VALUE and PRORATE becomes plain Excel.

A workbook that uses the add-in's functions shows ``#NAME?`` wherever the add-in is missing
(LibreOffice, Google Sheets, Excel without Python). :func:`make_portable` writes a copy in which
each call, plain (``ROI(B12,B11)``) or add-in-qualified (``_xludf.ROI(``, ``[1]!ROI(``,
``'xlroi.xlam'!ROI(``), is replaced by the registry's plain-formula equivalent
(:meth:`xlroi.functions.ExcelFunction.inline_formula`), with the same results and errors.

    >>> from xlroi.portable import portable_formula
    >>> portable_formula("=ROI(B2,B1)*100")[:40]
    '=IF(ISERROR(B2+0),B2+0,IF(ISERROR(B1+0),'

The rewrite goes through a small tokenizer, not a regular expression, so that it finds each
call's arguments correctly: nested parentheses, string literals (``"ROI("`` is text, left
alone), quoted sheet names, array constants ``{1,2}``, commas inside nested calls, and calls of
our functions nested in each other's arguments (rewritten innermost first).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BadValue, OutputError
from .functions import FUNCTIONS

EXCEL_FORMULA_LIMIT = 8192  # characters Excel accepts in one formula

_NAME_CHAR = re.compile(r"[\w.\\]")
_CALL = re.compile(r"(" + "|".join(sorted(map(re.escape, FUNCTIONS), key=len, reverse=True)) + r")\s*\(", re.IGNORECASE)


class PortableError(BadValue):
    """A formula whose calls of the four functions cannot be written as plain Excel."""


@dataclass
class PortableReport:
    """What :func:`make_portable` did."""

    source: str
    dest: str
    calls_rewritten: int = 0
    formulas_changed: int = 0
    by_function: dict[str, int] = field(default_factory=dict)
    not_evaluated: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"source": self.source, "dest": self.dest, "calls_rewritten": self.calls_rewritten,
                "formulas_changed": self.formulas_changed, "by_function": dict(self.by_function),
                "not_evaluated": [{"ref": r, "reason": why} for r, why in self.not_evaluated]}


def _skip_quoted(text: str, i: int, quote: str) -> int:
    """Index just past the literal that starts at ``text[i] == quote`` (doubled quotes escape)."""
    j = i + 1
    while j < len(text):
        if text[j] == quote:
            if j + 1 < len(text) and text[j + 1] == quote:
                j += 2
                continue
            return j + 1
        j += 1
    raise PortableError(f"unterminated {'string' if quote == chr(34) else 'quoted name'} in formula {text!r}")


def _skip_brackets(text: str, i: int) -> int:
    """Index just past the ``[...]`` (possibly nested, as in structured references) at ``i``."""
    depth, j = 0, i
    while j < len(text):
        ch = text[j]
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return j + 1
        elif ch == "'" and j + 1 < len(text) and text[j + 1] in "[]#'@":
            j += 1  # an escaped character inside a structured reference
        j += 1
    raise PortableError(f"unbalanced [ in formula {text!r}")


def split_arguments(text: str, open_paren: int) -> tuple[list[str], int]:
    """The argument texts of the call whose ``(`` is at ``open_paren``, and the index of its ``)``.

    Commas separate arguments only at the call's own level: not inside nested parentheses,
    array constants, strings, quoted sheet names or brackets.
    """
    args, depth, start, i = [], 0, open_paren + 1, open_paren + 1
    while i < len(text):
        ch = text[i]
        if ch == '"' or ch == "'":
            i = _skip_quoted(text, i, ch)
            continue
        if ch == "[":
            i = _skip_brackets(text, i)
            continue
        if ch in "({":
            depth += 1
        elif ch in ")}":
            if depth == 0:
                if ch == "}":
                    raise PortableError(f"unbalanced }} in formula {text!r}")
                args.append(text[start:i])
                return args, i
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(text[start:i])
            start = i + 1
        i += 1
    raise PortableError(f"a call is missing its closing parenthesis in formula {text!r}")


def _atomic(formula: str) -> str:
    """``formula`` as an operand: as is when it is one function call, else in parentheses."""
    m = re.match(r"[A-Za-z_][\w.]*\(", formula)
    if m:
        try:
            _, close = split_arguments(formula, m.end() - 1)
        except PortableError:
            close = -1
        if close == len(formula) - 1:
            return formula
    return "(" + formula + ")"


def _rewrite(text: str, counts: dict[str, int]) -> str:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == '"' or ch == "'":
            j = _skip_quoted(text, i, ch)
            out.append(text[i:j])
            i = j
            continue
        if ch == "[":
            j = _skip_brackets(text, i)
            out.append(text[i:j])
            i = j
            continue
        m = _CALL.match(text, i)
        if m and (i == 0 or not _NAME_CHAR.match(text[i - 1])):
            name = m.group(1).upper()
            function = FUNCTIONS[name]
            raw_args, close = split_arguments(text, m.end() - 1)
            if raw_args == [""] and not function.arguments:
                raw_args = []
            if len(raw_args) != len(function.arguments):
                raise PortableError(
                    f"{name} takes {len(function.arguments)} arguments ({function.signature}), "
                    f"not {len(raw_args)}, in formula {text!r}")
            args = [_rewrite(a, counts).strip() or "0" for a in raw_args]  # an omitted argument counts as 0
            out.append(_atomic(function.inline_formula(args)))
            counts[name] = counts.get(name, 0) + 1
            i = close + 1
            continue
        # skip the rest of a name (so that MYROI( or ROI2( never match in the middle)
        if _NAME_CHAR.match(ch):
            j = i
            while j < len(text) and _NAME_CHAR.match(text[j]):
                j += 1
            out.append(text[i:j])
            i = j
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def portable_formula(formula: str, counts: dict[str, int] | None = None) -> str:
    """``formula`` with every call of the four functions (plain or add-in-qualified) replaced by
    its plain-Excel equivalent. Text in string literals is never touched. Raises
    :class:`PortableError` for a call with the wrong number of arguments or a result longer than
    Excel's 8,192 characters."""
    from .xlsx.addin_calls import plain_calls

    counts = {} if counts is None else counts
    before = sum(counts.values())
    plain = plain_calls(formula)
    rewritten = _rewrite(plain, counts)
    if sum(counts.values()) == before:
        return formula
    if len(rewritten) > EXCEL_FORMULA_LIMIT:
        raise PortableError(
            f"the plain-formula form of {formula[:80]!r}… is {len(rewritten):,} characters, more than Excel's "
            f"{EXCEL_FORMULA_LIMIT:,}: move nested calls of the functions into cells of their own")
    return rewritten


def make_portable(src: str | os.PathLike, dest: str | os.PathLike, engine: str = "fast") -> PortableReport:
    """Write a copy of workbook ``src`` to ``dest`` in which every call of ROI, HR_COST,
    GOAL_VALUE and PRORATE (in cells and defined names) is a plain formula, so it calculates in
    any spreadsheet application without the xlroi add-in.

    Everything else in the file stays byte for byte (charts, styles, VBA); every formula cell's
    cached value is recalculated by xlroi's ``engine`` ("fast" or "formulas") from the original
    formulas, which the plain ones equal cell for cell.

    Example: ``make_portable("campaign.xlsx", "campaign-portable.xlsx")``.

    Raises :class:`xlroi.errors.WorkbookNotFound` / :class:`~xlroi.errors.NotAWorkbook` for a bad
    ``src``, :class:`~xlroi.errors.OutputError` when ``dest`` is ``src`` or cannot be written, and
    :class:`PortableError` (a :class:`~xlroi.errors.BadValue`) for a formula that cannot be rewritten.
    """
    from . import workbook as _workbook
    from .xlsx.addin_calls import rewrite_formula_parts
    from .xlsx.package import read_package, write_atomically

    src_path, dest_path = Path(src), Path(dest)
    if dest_path.exists() and src_path.exists() and dest_path.resolve() == src_path.resolve():
        raise OutputError(f"{dest_path}: is the input workbook; write the portable copy to another file")
    if dest_path.is_dir():
        raise OutputError(f"{dest_path}: is a folder; give the portable copy a file name")
    package = read_package(src_path)
    counts: dict[str, int] = {}
    changed_formulas = 0

    def rewrite(formula: str) -> str:
        nonlocal changed_formulas
        new = portable_formula(formula, counts)
        if new != formula:
            changed_formulas += 1
        return new

    needle = re.compile(rb"(" + b"|".join(n.encode() for n in FUNCTIONS) + rb")\s*\(", re.IGNORECASE)
    replaced = rewrite_formula_parts(package, rewrite, lambda xml: needle.search(xml) is not None)
    report = PortableReport(str(src_path), str(dest_path), sum(counts.values()), changed_formulas, counts)
    if not replaced:
        write_atomically(dest_path, package.to_bytes())
        return report
    # The cached values come from the engine evaluating the ORIGINAL formulas (the functions as
    # LAMBDA names or Python): the plain forms are equivalent cell for cell, and IronCalc
    # evaluates some plain forms differently from Excel (a scalar function over a range inside
    # SUMPRODUCT is implicitly intersected), which would cache wrong values.
    book = _workbook.open(src_path, engine=engine)
    book.package.parts.update(replaced)
    recalc = book.save(dest_path)
    report.not_evaluated = recalc.not_evaluated
    return report


__all__ = ["make_portable", "portable_formula", "split_arguments", "PortableError", "PortableReport"]
