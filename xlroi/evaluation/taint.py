"""Never a value known to be wrong: what depends on a cell no engine evaluated is not evaluated.

An engine reports the cells it cannot evaluate (:class:`~xlroi.engines.base.NotEvaluated`):
a function it lacks, an array result it does not fill, a formula it cannot parse, a circular
reference, a formula over Excel's length limit, a 1904-date formula it cannot shift. But the
formulas that read such a cell still get a value — ``=IFERROR(B3,0)`` is 0 when B3 is
``#N/IMPL!``, ``=ISERROR(B3)`` is TRUE — and that value is wrong. After every recalculation,
:func:`settle` finds those cells (the *seeds*: the engine's own reports, plus every formula
that calls a function the engine lacks, since the error can be swallowed inside the same
formula), marks every formula that depends on one of them, directly or not, as not evaluated
with the reason naming the seed, and lets the reference engine recompute what it can
(:mod:`xlroi.evaluation.fallback`).

When nothing is a seed — the common case — this costs one pass over the engine's values and a
scan of each sheet for the names of the functions it calls; the dependency analysis
(:mod:`xlroi.xlsx.dependencies`) runs only when there is something to propagate.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from ..engines.base import EngineValue, NotEvaluated
from ..xlsx.dependencies import CellKey, Dependencies
from ..xlsx.refs import cell_name, quote_sheet

# Reasons the reference engine shares: it cannot do better, so it is not asked.
HOPELESS = ("circular reference", "formula of ", "1904 date system")


@dataclass
class FallbackRun:
    """What the reference engine was asked to do and what came of it."""

    cells: int  # formula cells it was asked to compute
    recovered: int = 0  # of those, cells it computed
    seconds: float = 0.0
    status: str = "done"  # "done", "time limit", or "failed: …"
    refs: list[str] = field(default_factory=list)  # the recovered cells

    def as_dict(self) -> dict:
        return {"cells": self.cells, "recovered": self.recovered, "seconds": round(self.seconds, 3),
                "status": self.status, "refs": self.refs}


@dataclass
class Settlement:
    """The final word on formula cells whose value is not the engine's own."""

    values: dict[CellKey, EngineValue] = field(default_factory=dict)
    engines: dict[CellKey, str] = field(default_factory=dict)  # cells another engine computed
    fallback: FallbackRun | None = None


NOTHING = Settlement()


def ref_text(key: CellKey) -> str:
    sheet, row, col = key
    return f"{quote_sheet(sheet)}!{cell_name(row, col)}"


def engine_seeds(book) -> dict[CellKey, NotEvaluated]:
    """Every formula cell the engine reports as not evaluated (one pass over its values)."""
    found: dict[CellKey, NotEvaluated] = {}
    value = book._formula_value
    for sheet, cell in book.formula_cells():
        result = value(sheet, cell)
        if isinstance(result, NotEvaluated):
            found[(sheet.name, cell.row, cell.col)] = result
    return found


def calls_the_engine_lacks(book, dependencies: Callable[[], Dependencies]) -> dict[CellKey, NotEvaluated]:
    """Formula cells calling a function the engine cannot evaluate (whatever their value: the
    error may be swallowed inside the formula, ``=IFERROR(FORECAST.ETS(…),0)``)."""
    from ..engines.capabilities import lacking, sheets_called_names

    known = getattr(book, "_lacking", None)  # the formulas do not change between recalculations
    if known is None:
        names = sheets_called_names(book.package)
        defined = {n.name.upper() for n in book.package.defined_names}
        known = book._lacking = (lacking(book.engine_name, names, defined, may_call_udfs(book.package)),
                                 names_the_engine_lacks(book))
    missing, opaque = known
    if not missing and not opaque:
        return {}
    deps = dependencies()
    found = {}
    for key in deps.keys:
        called = deps.functions_called(key) & missing
        if called and not _unknown_to_excel_too(book, key):
            found[key] = NotEvaluated(f"calls {', '.join(sorted(called))}, which the {book.engine_name} engine does not implement")
            continue
        used = deps.names_used(key) & set(opaque) if opaque else None
        if used:
            found[key] = NotEvaluated(f"uses the name {', '.join(sorted(opaque[n] for n in used))}, whose formula the "
                                      f"{book.engine_name} engine does not evaluate")
    return found


_PLAIN_REFERENCE = re.compile(r"^\s*=?\s*(?:'(?:[^']|'')+'|[^'!:,()\s]+(?::[^'!:,()\s]+)?)!"
                              r"\$?[A-Za-z]{0,3}\$?\d*(?::\$?[A-Za-z]{0,3}\$?\d*)?\s*$")


def names_the_engine_lacks(book) -> dict[str, str]:
    """Defined names whose formula the engine answers #NAME? (upper-case → as spelt): IronCalc
    evaluates a name that is one reference (or a LAMBDA) only, not ``DATE(2024,1,1)`` or
    ``Sheet1!$A$1*2``."""
    if book.engine_name != "fast":
        return {}
    return {n.name.upper(): n.name for n in book.package.defined_names
            if not _PLAIN_REFERENCE.match(n.formula) and not n.formula.lstrip(" =").upper().startswith(("LAMBDA(", "_XLFN.LAMBDA("))
            and not n.name.startswith("_xlnm.")}


def reads_date_text(book, dependencies: Callable[[], Dependencies]) -> dict[CellKey, NotEvaluated]:
    """In a 1904 workbook, the formulas reading a cell whose text looks like a date: an engine
    may turn that text into a serial of the 1900 system (``=A1+1`` with A1 "2024-01-15")."""
    from ..engines.date1904 import is_1904, looks_like_a_date

    if not is_1904(book.package):
        return {}
    found = set(_date_text_constants(book))
    for sheet, cell in book.formula_cells():
        value = book._formula_value(sheet, cell)
        if isinstance(value, str) and looks_like_a_date(value):
            found.add((sheet.name, cell.row, cell.col))
    if not found:
        return {}
    return {key: NotEvaluated(f"1904 date system: reads text that looks like a date ({ref_text(source)}), "
                              "which an engine may read as a date of the 1900 system")
            for key, source in dependencies().readers(found).items()}


def _date_text_constants(book):
    """Cells holding text (not formulas) that looks like a date."""
    import re
    from html import unescape

    from ..engines.date1904 import looks_like_a_date
    from ..xlsx.cells import _walk
    from ..xlsx.xstring import decode_xstring

    def text_of(xml: bytes) -> str:
        return decode_xstring(unescape("".join(t.decode("utf-8", "replace") for t in re.findall(rb"<(?:\w+:)?t\b[^>]*>([^<]*)<", xml))))

    shared = book.package.parts.get("xl/sharedStrings.xml", b"")
    dates = {i for i, item in enumerate(re.findall(rb"<(?:\w+:)?si\b.*?</(?:\w+:)?si>", shared, re.S)) if looks_like_a_date(text_of(item))}
    for sheet in book.package.sheets:
        xml = book.package.parts.get(sheet.part)
        if not xml:
            continue
        for m, row, col in _walk(xml):
            attrs, body = m.group("attrs"), m.group("body") or b""
            if b"<f" in body:
                continue
            if re.search(rb'\bt\s*=\s*["\']s["\']', attrs):
                v = re.search(rb"<(?:\w+:)?v>\s*(\d+)\s*<", body)
                if v and int(v.group(1)) in dates:
                    yield sheet.name, row, col
            elif re.search(rb'\bt\s*=\s*["\'](?:inlineStr|str)["\']', attrs) and looks_like_a_date(text_of(body)):
                yield sheet.name, row, col


def may_call_udfs(package) -> bool:
    """Whether the workbook may call user-defined functions: it has macros, links to other
    workbooks (add-ins), or calls Excel marked as user-defined (``_xludf.``)."""
    if package.has_vba or any(name.startswith("xl/externalLinks/") for name in package.parts):
        return True
    return any(b"_xludf." in package.parts.get(s.part, b"") for s in package.sheets)


UNKNOWN_NAME = "unknown function or name"


def name_errors_inherited(book, seeds: dict[CellKey, NotEvaluated], dependencies: Callable[[], Dependencies]) -> dict:
    """The #NAME? answers that come from a cell the formula reads, not from its own text: a
    formula of known functions, cell references and names that are plain references or not
    defined at all (#NAME? in Excel too). Its #NAME? is the value (if the cell it comes from
    was not evaluated, the formula is tainted by it like any other)."""
    from ..engines.capabilities import lacking
    from ..errors import ExcelError

    candidates = [k for k, v in seeds.items() if v.reason == UNKNOWN_NAME]
    if not candidates:
        return {}
    deps = dependencies()
    opaque = set(names_the_engine_lacks(book))
    defined = {n.name.upper() for n in book.package.defined_names}
    out = {}
    for key in candidates:
        source = deps.anchor_of(key) or key
        reads = deps.reads_of(source)
        if reads is None or reads.anywhere or reads.external or reads.tables:
            continue
        names = {name for _, name in reads.names} - reads.functions
        if names & opaque or lacking(book.engine_name, set(reads.functions), defined, True):
            continue
        out[key] = ExcelError.NAME
    return out


def _unknown_to_excel_too(book, key: CellKey) -> bool:
    """#NAME? from the engine where Excel cached #NAME? too: the function is unknown to both."""
    from ..errors import ExcelError

    sheet = book.package.sheet(key[0])
    cell = book._formula_cell(sheet, key[1], key[2])
    return cell is not None and cell.cached is ExcelError.NAME and book._formula_value(sheet, cell) is ExcelError.NAME


def propagate(deps: Dependencies, seeds: dict[CellKey, NotEvaluated]) -> dict[CellKey, NotEvaluated]:
    """The seeds, and every formula cell depending on one, not evaluated with the reason."""
    out: dict[CellKey, NotEvaluated] = dict(seeds)
    for key, origin in deps.dependents(seeds).items():
        if key not in seeds:
            out[key] = NotEvaluated(f"depends on {ref_text(origin)}, not evaluated: {seeds[origin].reason}")
    return out


def book_dependencies(book) -> Dependencies:
    """The workbook's dependency analysis, built once per workbook: setting values changes no
    formula (the index is left as found)."""
    if getattr(book, "_dependencies", None) is None:
        book._dependencies = Dependencies(book.package, book.formula_cells())
    return book._dependencies


def settle(book, seeds: dict[CellKey, NotEvaluated] | None = None) -> Settlement:
    """The cells whose value is not the engine's: not evaluated (seeds and what depends on
    them) or computed by the reference engine. ``seeds`` are the engine's own reports when the
    caller has already gathered them in a pass over every formula cell."""
    seeds = dict(engine_seeds(book) if seeds is None else seeds)

    def dependencies() -> Dependencies:
        return book_dependencies(book)

    for key, why in calls_the_engine_lacks(book, dependencies).items():
        seeds.setdefault(key, why)
    for key, why in reads_date_text(book, dependencies).items():
        seeds.setdefault(key, why)
    inherited = name_errors_inherited(book, seeds, dependencies)
    for key in inherited:
        del seeds[key]
    if not seeds:
        return Settlement(dict(inherited)) if inherited else NOTHING
    deps = dependencies()
    settlement = Settlement(propagate(deps, seeds))
    for key, value in inherited.items():
        settlement.values.setdefault(key, value)
    if getattr(book, "fallback", False) and book.engine_name == "fast":
        from .fallback import recompute

        recompute(book, deps, seeds, settlement)
    return settlement


__all__ = ["settle", "propagate", "Settlement", "FallbackRun", "engine_seeds", "calls_the_engine_lacks", "HOPELESS"]
