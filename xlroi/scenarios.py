"""Many scenarios on one loaded workbook: sweeps ("what if ad spend were 0, 2,000, … 20,000?")
and Goal Seek ("what ad spend makes the ROI 150 %?"), headless.

The workbook is read and loaded into the engine once; each scenario only sets the input cells
(:meth:`Workbook.set`) and reads the watched values, which costs one evaluation of the
loaded model — no reading, parsing or writing of the file per scenario.

    >>> book = xlroi.open("workbook_templates/xlroi-template.xlsx")               # doctest: +SKIP
    >>> book.sweep({"'Step 2 Costs'!D17": "0:20000:5000"}, watch=["OverallROI"])  # doctest: +SKIP
    [{"'Step 2 Costs'!D17": 0.0, 'OverallROI': 2.0}, …]
    >>> book.goal_seek("OverallROI", 1.5, by_changing="'Step 2 Costs'!D17").value  # doctest: +SKIP
    12000.0

References are returned exactly as typed, so a caller can look results up by what it asked.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

from .engines.base import EngineValue
from .errors import BadReference, BadValue, GoalNotReached
from .functions.coercion import Scalar, parse_numeric_text
from .xlsx.refs import cell_name, quote_sheet

MAX_SCENARIOS = 1_000_000
EXCEL_MAX_ITERATIONS = 100  # Excel's Goal Seek: File ▸ Options ▸ Formulas ▸ Maximum Iterations
EXCEL_MAX_CHANGE = 0.001  # … and Maximum Change: how close the target must come
SEARCH_LIMIT = 1e15  # how far from the start the search for a bracket goes (Excel keeps 15 digits)


# -- parsing what the command line gives --------------------------------------------------------

def parse_assignment(text: str, option: str, example: str) -> tuple[str, str]:
    """``REF=VALUE`` split at the last ``=`` (a sheet name may hold one, a range never does)."""
    ref, sep, value = text.rpartition("=")
    if not sep or not ref.strip() or not value.strip():
        raise BadValue(f"{option} {text!r}: write {example}")
    return ref.strip(), value.strip()


def parse_vary(text: str) -> tuple[str, list[float]]:
    """``REF=START:STOP:STEP`` → the reference and its values, STOP included when a whole
    number of steps reaches it: ``D17=0:20000:5000`` → 0, 5000, 10000, 15000, 20000."""
    example = "REF=START:STOP:STEP, e.g. --vary \"'Step 2 Costs'!D17=0:20000:2000\""
    ref, spec = parse_assignment(text, "--vary", example)
    parts = spec.split(":")
    numbers = [parse_numeric_text(p.strip()) if p.strip() else None for p in parts]
    if len(parts) != 3 or any(n is None for n in numbers):
        raise BadValue(f"--vary {text!r}: {spec!r} is not START:STOP:STEP (three numbers); write {example}")
    try:
        return ref, steps(*numbers)
    except BadValue as exc:
        raise BadValue(f"--vary {text!r}: {exc}") from None


def steps(start: float, stop: float, step: float) -> list[float]:
    """START, START+STEP, … up to STOP (included, within rounding): computed as START + i·STEP,
    so 0.1 steps do not drift."""
    if not all(math.isfinite(v) for v in (start, stop, step)):
        raise BadValue("START, STOP and STEP must be finite numbers")
    if step == 0:
        raise BadValue("STEP cannot be 0")
    count = (stop - start) / step
    if count < -1e-9:
        raise BadValue(f"a STEP of {step:g} never goes from {start:g} to {stop:g}")
    n = math.floor(count + 1e-9) + 1
    if n > MAX_SCENARIOS:
        raise BadValue(f"{n:,} values is more than {MAX_SCENARIOS:,}; take a larger STEP")
    return [_tidy(start + i * step) for i in range(n)]


def _tidy(x: float) -> float:
    """0.1 + 2·0.1 is 0.30000000000000004; a value typed with 12 significant digits is what
    the user meant."""
    return float(f"{x:.12g}")


def parse_target(text: str) -> tuple[str, float]:
    from .workbook import parse_input

    ref, value = parse_assignment(text, "--target", "REF=VALUE, e.g. --target OverallROI=150%")
    number = parse_input(value)
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        raise BadValue(f"--target {text!r}: the value must be a number (e.g. 1.5 or 150%)")
    return ref, float(number)


# -- sweeps ----------------------------------------------------------------------------------

def sweep(book, vary: Mapping[str, Iterable[Scalar] | str] | Sequence[tuple[str, Iterable[Scalar] | str]],
          watch: Sequence[str], progress: Callable[[int], None] | None = None) -> list[dict]:
    """Every combination of the ``vary`` values (the last reference varies fastest), each as a
    dict of the varied and watched references, as typed, to their values. A value list may be
    given as ``"START:STOP:STEP"``. The varied cells get their original values back at the end.
    """
    pairs = list(vary.items()) if isinstance(vary, Mapping) else list(vary)
    if not pairs:
        raise BadValue("nothing to vary: give at least one reference and its values")
    if not watch:
        raise BadValue("nothing to watch: give at least one reference to read in each scenario")
    refs = [ref for ref, _ in pairs]
    values = [_values(ref, v) for ref, v in pairs]
    count = math.prod(len(v) for v in values)
    if count > MAX_SCENARIOS:
        raise BadValue(f"{count:,} scenarios is more than {MAX_SCENARIOS:,}; take larger steps")
    for ref in watch:
        book.area(ref)  # an unknown reference fails before any work
    originals = _originals(book, refs)
    rows = []
    try:
        for number, combination in enumerate(itertools.product(*values), 1):
            for ref, value in zip(refs, combination):
                book.set(ref, value)
            rows.append({**dict(zip(refs, combination)), **{ref: book[ref] for ref in watch}})
            if progress:
                progress(number)
    finally:
        for cell, value in originals:
            book.set(cell, value)
    return rows


def _values(ref: str, given: Iterable[Scalar] | str) -> list[Scalar]:
    if isinstance(given, str):
        return parse_vary(f"{ref}={given}")[1]
    values = list(given)
    if not values:
        raise BadValue(f"{ref}: no values to try")
    return values


def _originals(book, refs: Sequence[str]) -> list[tuple[str, EngineValue]]:
    """Each varied cell and the value it holds now (also proves every one is an input cell)."""
    formulas = {(sheet.name, cell.row, cell.col) for sheet, cell in book.formula_cells()}
    originals = []
    for ref in refs:
        area = book.area(ref)
        sheet = book.package.sheet(area.sheet)
        for row, col in area.cells():
            cell = f"{quote_sheet(area.sheet)}!{cell_name(row, col)}"
            if (sheet.name, row, col) in formulas:
                raise BadReference(f"{ref}: {cell} holds a formula; vary input cells only")
            originals.append((cell, book.value(sheet, row, col)))
    return originals


# -- goal seek --------------------------------------------------------------------------------

@dataclass
class GoalSeekResult:
    changing: str  # as typed
    value: float  # the value found for the changing cell (left in it, as Excel does)
    target: str
    target_value: EngineValue  # what the target shows with it
    trials: int  # evaluations of the workbook


def goal_seek(book, target: str, value: float, by_changing: str, *, tolerance: float = EXCEL_MAX_CHANGE,
              max_iterations: int = EXCEL_MAX_ITERATIONS) -> GoalSeekResult:
    """Excel's Goal Seek: the value of the input cell ``by_changing`` that brings the formula
    cell ``target`` within ``tolerance`` of ``value``.

    From the cell's current value: secant steps (Excel's own method, fast on smooth models);
    failing that, a search outward from the start for a pair of values on either side of the
    goal, then regula falsi (Illinois) inside that bracket, which cannot diverge. At most
    ``max_iterations`` refining steps, like Excel. The value found stays in the cell (the
    workbook can then be saved); when no value reaches the goal, :class:`GoalNotReached` says
    how close the search came, and the cell gets its old value back.
    """
    changing_cell = _one_cell(book, by_changing, "--by-changing")
    _one_cell(book, target, "--target")
    [(_, original)] = _originals(book, [by_changing])
    start = original if isinstance(original, (int, float)) and not isinstance(original, bool) else 0.0
    search = _Search(lambda x: _gap(book, by_changing, target, value, x), tolerance)
    found = search.secant(float(start), max_iterations)
    if found is None:
        found = search.bracketed(float(start), max_iterations)
    if found is None:
        book.set(changing_cell, original)
        raise GoalNotReached(search.why_not(by_changing, target, value))
    found = _excel_digits(search, search.polish(found))
    book.set(by_changing, found)
    return GoalSeekResult(by_changing, found, target, book[target], search.trials)


def _excel_digits(search: "_Search", x: float) -> float:
    """``x`` to Excel's 15 significant digits (11999.999999999996 → 12000), unless that moves
    the target outside the tolerance."""
    rounded = float(f"{x:.15g}")
    return rounded if rounded == x or search.done(search.f(rounded)) else x


def _one_cell(book, ref: str, option: str) -> str:
    area = book.area(ref)
    if not area.is_cell:
        raise BadReference(f"{option} {ref}: give one cell, not a range")
    return f"{quote_sheet(area.sheet)}!{cell_name(area.top, area.left)}"


def _gap(book, changing: str, target: str, goal: float, x: float) -> float | None:
    """target − goal with ``changing`` set to ``x``; None where the target is not a number
    (an error such as #NUM!, text, an empty result)."""
    book.set(changing, x)
    result = book[target]
    if isinstance(result, bool) or not isinstance(result, (int, float)) or not math.isfinite(result):
        return None
    return result - goal


class _Search:
    """One goal-seek search: the function, its tolerance and every point tried."""

    def __init__(self, gap: Callable[[float], float | None], tolerance: float):
        self.gap, self.tolerance = gap, tolerance
        self.tried: list[tuple[float, float | None]] = []

    @property
    def trials(self) -> int:
        return len(self.tried)

    def f(self, x: float) -> float | None:
        y = self.gap(x)
        self.tried.append((x, y))
        return y

    def done(self, y: float | None) -> bool:
        return y is not None and abs(y) <= self.tolerance

    def secant(self, x0: float, iterations: int) -> float | None:
        y0 = self.f(x0)
        if self.done(y0):
            return x0
        x1 = x0 + max(abs(x0) * 0.01, 1.0)
        for _ in range(min(iterations, 20)):  # secant either converges fast or not at all
            y1 = self.f(x1)
            if self.done(y1):
                return x1
            if y0 is None or y1 is None or y1 == y0:
                return None
            x0, y0, x1 = x1, y1, x1 - y1 * (x1 - x0) / (y1 - y0)
            if not math.isfinite(x1) or abs(x1) > SEARCH_LIMIT:
                return None
        return None

    def polish(self, x: float) -> float:
        """A few more secant steps from a value within the tolerance, while each halves the gap:
        Goal Seek's answer to "what spend makes the ROI 150 %" should read 12000, not 11999.4."""
        y = next(y for tx, y in reversed(self.tried) if tx == x)
        neighbour = min(((tx, ty) for tx, ty in self.tried if ty is not None and tx != x),
                        key=lambda p: abs(p[0] - x), default=None)
        if neighbour is None:
            return x
        x0, y0 = neighbour
        for _ in range(8):
            if y == 0 or y == y0:
                break
            candidate = x - y * (x - x0) / (y - y0)
            if not math.isfinite(candidate):
                break
            y_candidate = self.f(candidate)
            if y_candidate is None or abs(y_candidate) > abs(y) / 2:
                break
            x0, y0, x, y = x, y, candidate, y_candidate
        return x

    def bracketed(self, start: float, iterations: int) -> float | None:
        bracket = self._known_bracket() or self._find_bracket(start)
        if bracket is None:
            return None
        (a, fa), (b, fb) = bracket
        if self.done(fa):
            return a
        side = 0
        for _ in range(iterations):
            x = (a * fb - b * fa) / (fb - fa)
            if not (min(a, b) < x < max(a, b)):
                x = (a + b) / 2
            y = self.f(x)
            if y is None:  # a hole (an error) inside the bracket: halve around it
                x = (a + b) / 2
                y = self.f(x)
                if y is None:
                    return None
            if self.done(y):
                return x
            if (y > 0) == (fb > 0):
                b, fb = x, y
                if side == -1:
                    fa /= 2  # Illinois: stop the stale end from holding the estimate back
                side = -1
            else:
                a, fa = x, y
                if side == 1:
                    fb /= 2
                side = 1
        return None

    def _known_bracket(self):
        usable = sorted((x, y) for x, y in self.tried if y is not None)
        for (x0, y0), (x1, y1) in zip(usable, usable[1:]):
            if (y0 > 0) != (y1 > 0):
                return (x0, y0), (x1, y1)
        return None

    def _find_bracket(self, start: float):
        """Step outward from the start, four times further each time, on both sides, until the
        gap changes sign; where a number and an error meet, look along the edge between them."""
        step = max(abs(start) * 0.1, 1.0)
        y_start = next((y for x, y in self.tried if x == start), None)
        last = {+1: (start, y_start), -1: (start, y_start)}
        while step <= SEARCH_LIMIT:
            for direction in (+1, -1):
                x = start + direction * step
                y = self.f(x)
                if self.done(y):
                    return (x, y), (x, y)
                px, py = last[direction]
                last[direction] = (x, y)
                if y is not None and py is not None and (y > 0) != (py > 0):
                    return tuple(sorted([(px, py), (x, y)]))
                if (y is None) != (py is None):
                    edge = self._edge((x, y), px) if py is None else self._edge((px, py), x)
                    if edge is not None:
                        return edge
            step *= 4
        return None

    def _edge(self, good: tuple[float, float], bad: float):
        """Walk from a value that gives a number towards one that gives an error (ROI near a
        zero investment grows without bound): a bracket, if the gap changes sign on the way."""
        (x_good, y_good) = good
        for _ in range(40):
            middle = (x_good + bad) / 2
            y = self.f(middle)
            if y is None:
                bad = middle
            elif (y > 0) != (y_good > 0) or self.done(y):
                return tuple(sorted([(x_good, y_good), (middle, y)]))
            else:
                x_good, y_good = middle, y
        return None

    def why_not(self, changing: str, target: str, goal: float) -> str:
        usable = [(x, y) for x, y in self.tried if y is not None]
        if not usable:
            return (f"no value of {changing} gives {target} a number to bring to {goal:g} "
                    f"(every one of {self.trials} values tried gave an error)")
        if len({y for _, y in usable}) == 1:
            return (f"{target} does not change when {changing} changes (tried {self.trials} values "
                    f"from {min(x for x, _ in usable):g} to {max(x for x, _ in usable):g}): no value reaches {goal:g}")
        x, y = min(usable, key=lambda p: abs(p[1]))
        return (f"no value of {changing} brings {target} to {goal:g}: tried {self.trials} values from "
                f"{min(x for x, _ in usable):g} to {max(x for x, _ in usable):g}; the closest, {x:g}, gives {y + goal:g}")


__all__ = ["sweep", "goal_seek", "GoalSeekResult", "parse_vary", "parse_target", "steps",
           "EXCEL_MAX_ITERATIONS", "EXCEL_MAX_CHANGE"]
