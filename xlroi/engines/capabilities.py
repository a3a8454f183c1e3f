"""Which functions an engine cannot evaluate, and which functions a workbook calls.

An engine that lacks a function answers its call with an error (#N/IMPL!, #NAME?), which the
workbook layer reports. But the error can be swallowed inside the same formula —
``=IFERROR(FORECAST.ETS(…),0)`` gives IronCalc 0 — and then the cell's value is silently wrong.
So a formula that calls a function the engine lacks is not evaluated, whatever its value.

Finding the functions a sheet calls must cost nothing on the fast path: :func:`called_names`
reads the part backwards so that a regex jumps from one ``(`` to the next and stops once every
name has been seen (about 1 ms per MB of XML). It over-approximates (text in cached string
values counts too); the exact per-cell check runs only for names an engine lacks.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..functions import FUNCTIONS

_NAME_CHARS = rb"[A-Za-z0-9_.\\]"
_FIRST_CALL = re.compile(rb"\((" + _NAME_CHARS + rb"+)")


def called_names(xml: bytes) -> set[str]:
    """Every name followed by ``(`` in ``xml`` (upper-case, ``_xlfn.`` and similar prefixes removed)."""
    from ..xlsx.dependencies import function_name

    backwards = xml[::-1]
    seen: list[bytes] = []
    pattern = _FIRST_CALL
    position = 0
    while True:
        m = pattern.search(backwards, position)
        if m is None:
            break
        seen.append(m.group(1))
        position = m.start()
        # the next search skips every name already seen: one pass over the part in all
        pattern = re.compile(rb"\((?!(?:" + b"|".join(re.escape(s) for s in seen) + rb")(?!" + _NAME_CHARS + rb"))("
                             + _NAME_CHARS + rb"+)")
    return {function_name(name[::-1].decode("utf-8", "replace")) for name in seen if not name[::-1][:1].isdigit()}


def sheets_called_names(package) -> frozenset[str]:
    """:func:`called_names` over every worksheet of ``package``, worked out again only when a
    sheet part is replaced (at 50,000 rows each pass over the parts takes ~15 ms)."""
    sheets = tuple(package.parts.get(sheet.part) for sheet in package.sheets)
    known = getattr(package, "_called_names", None)
    if known is None or len(known[0]) != len(sheets) or any(a is not b for a, b in zip(known[0], sheets)):
        names: set[str] = set()
        for xml in sheets:
            if xml:
                names |= called_names(xml)
        known = package._called_names = (sheets, frozenset(names))
    return known[1]


def lacking(engine: str, names: set[str], defined_names: set[str] = frozenset(), udfs: bool = False) -> set[str]:
    """The ``names`` (upper-case function names) the engine cannot evaluate although Excel
    could: Excel's own functions, and — when the workbook may call user-defined functions
    (``udfs``: it has macros, add-in links or ``_xludf.`` calls) — any other name. A name
    neither Excel nor the engine knows is #NAME? in both, which is right. Names the workbook
    defines (LAMBDA names) and xlroi's own functions count as known."""
    unknown = {n for n in names if n not in FUNCTIONS and n not in defined_names}
    if not unknown:
        return set()
    has = _ironcalc_has if engine == "fast" else _formulas_has
    return {n for n in unknown if not has(n) and (udfs or excel_has(n))}


def excel_has(name: str) -> bool:
    """Whether ``name`` is one of Excel's worksheet functions (as far as openpyxl's list, the
    formulas engine's table and IronCalc's list of known-but-unimplemented functions tell)."""
    from openpyxl.utils import FORMULAE

    # cheapest first: importing formulas for its table takes a second
    return (name in FORMULAE or _ironcalc_answer(name) == "#N/IMPL!"
            or name in _formulas_functions() - {"DUMMYFUNCTION", "ARRAY", "ARRAYROW"})


def _ironcalc_has(name: str) -> bool:
    """Ask IronCalc itself: a function it knows answers ``=NAME()`` with a value or #ERROR! (wrong
    number of arguments); one it lacks with #NAME? (unknown) or #N/IMPL! (known, not implemented)."""
    return _ironcalc_answer(name) not in ("#NAME?", "#N/IMPL!")


@lru_cache(maxsize=4096)
def _ironcalc_answer(name: str) -> object:
    if not re.fullmatch(r"[A-Z_\\][A-Z0-9_.\\]*", name):
        return "#NAME?"
    import ironcalc

    from .ironcalc_engine import run_with_big_stack, stdout_to_stderr

    def probe() -> object:
        model = ironcalc.create("probe", "en", "UTC", "en")
        model.set_user_input(0, 1, 1, f"={name}()")
        model.evaluate()
        return model.get_cell_value(0, 1, 1)

    with stdout_to_stderr():
        return run_with_big_stack(probe)


# What formulas' parser handles itself rather than through its table of functions.
_FORMULAS_SYNTAX = frozenset({"LAMBDA", "LET", "ANCHORARRAY", "INDIRECT"})


@lru_cache(maxsize=1)
def _formulas_functions() -> frozenset[str]:
    import formulas

    names = set(_FORMULAS_SYNTAX)
    for key in formulas.get_functions():
        name = key.upper()
        for prefix in ("_XLFN._XLWS.", "_XLFN.", "_XLWS."):
            name = name.removeprefix(prefix)
        names.add(name)
    return frozenset(names)


# Functions of ``formulas`` that import an optional package when called; without it their cells
# come out #VALUE!, a value that is wrong, so they count as lacking.
_FORMULAS_NEEDS = {
    **dict.fromkeys(("FORECAST.ETS", "FORECAST.ETS.CONFINT", "FORECAST.ETS.SEASONALITY", "FORECAST.ETS.STAT"),
                    ("pandas", "statsmodels")),
    "GROUPBY": ("pandas",), "PIVOTBY": ("pandas",),
    "BAHTTEXT": ("bahttext",),
}


def _formulas_has(name: str) -> bool:
    return name in _formulas_functions() and all(_importable(m) for m in _FORMULAS_NEEDS.get(name, ()))


@lru_cache(maxsize=None)
def _importable(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(module) is not None


__all__ = ["called_names", "lacking"]
