"""A short fuzz run (the long one is benchmarks/fuzz.py): hypothesis picks a real workbook and a
mutation at the byte, zip-entry, XML-node or string level; open → recalc → check → save must
succeed or raise an XlroiError (one line), within a time limit, leaving the input untouched and
no partial output behind. Every output written must pass the oracle
(:func:`xlroi.testing.output_problems`: every part well-formed, nothing but cached values
changed, readable by openpyxl, the same bytes when recalculated again)."""
from __future__ import annotations

import hashlib
import random
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import fuzz  # noqa: E402

import xlroi  # noqa: E402
from xlroi.errors import XlroiError  # noqa: E402
from xlroi.testing import output_problems  # noqa: E402

SEEDS = [p.read_bytes() for p in fuzz.seeds()]
TIME_LIMIT = 20.0  # seconds a case may take, or twice what its unmutated seed takes if that is more
_SEED_SECONDS: dict[tuple[int, str], float] = {}


def time_limit(seed: int, engine: str, folder: Path) -> float:
    """The hang detector's limit for a mutation of ``SEEDS[seed]``: a mutation may not make the
    work much slower than the original (formulas__test.xlsx alone takes ~40 s with the
    reference-engine fallback and Excel's values as a second opinion)."""
    if (seed, engine) not in _SEED_SECONDS:
        book = folder / "seed.xlsx"
        book.write_bytes(SEEDS[seed])
        start = time.perf_counter()
        wb = xlroi.open(book, engine=engine)
        wb.recalc()
        wb.check()
        wb.save(folder / "seed-out.xlsx")
        _SEED_SECONDS[(seed, engine)] = time.perf_counter() - start
    return max(TIME_LIMIT, 2 * _SEED_SECONDS[(seed, engine)])



def test_there_are_workbooks_to_mutate():
    # the golden workbooks (tests/golden) and the template: a fuzz run on nothing proves nothing
    assert len(SEEDS) > 1


def check_case(data: bytes, folder: Path, engine: str, limit: float = TIME_LIMIT) -> None:
    book, out = folder / "case.xlsx", folder / "case-out.xlsx"
    book.write_bytes(data)
    out.unlink(missing_ok=True)
    before = hashlib.sha256(data).hexdigest()
    start = time.perf_counter()
    try:
        wb = xlroi.open(book, engine=engine)
        wb.recalc()
        wb.check()
        wb.save(out)
    except XlroiError as exc:
        assert "\n" not in str(exc), repr(str(exc))
        assert not out.exists(), "partial output left behind"
    elapsed = time.perf_counter() - start
    assert elapsed < limit, f"{elapsed:.1f} s (limit {limit:.0f} s)"
    assert hashlib.sha256(book.read_bytes()).hexdigest() == before, "input modified"
    if out.exists():
        assert output_problems(book, out, engine=engine) == []


SMALL = sorted(range(len(SEEDS)), key=lambda i: len(SEEDS[i]))[: max(1, len(SEEDS) // 2)]


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(seed=st.sampled_from(SMALL), kind=st.sampled_from(sorted(fuzz.MUTATORS)), salt=st.integers(0, 2**32))
def test_mutated_small_workbooks_quick(tmp_path_factory, seed, kind, salt):
    """The everyday run's share: a few cases on the smaller seeds, each output through the oracle."""
    folder = tmp_path_factory.mktemp("fuzz")
    check_case(fuzz.MUTATORS[kind](SEEDS[seed], random.Random(salt)), folder, "fast", time_limit(seed, "fast", folder))


@pytest.mark.slow
@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(seed=st.integers(0, len(SEEDS) - 1), kind=st.sampled_from(sorted(fuzz.MUTATORS)), salt=st.integers(0, 2**32))
def test_mutated_workbooks_fast_engine(tmp_path_factory, seed, kind, salt):
    folder = tmp_path_factory.mktemp("fuzz")
    check_case(fuzz.MUTATORS[kind](SEEDS[seed], random.Random(salt)), folder, "fast", time_limit(seed, "fast", folder))


@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(seed=st.sampled_from(SMALL), kind=st.sampled_from(["entry", "xml", "strings"]), salt=st.integers(0, 2**32))
def test_mutated_workbooks_formulas_engine(tmp_path_factory, seed, kind, salt):
    folder = tmp_path_factory.mktemp("fuzz")
    check_case(fuzz.MUTATORS[kind](SEEDS[seed], random.Random(salt)), folder, "formulas", time_limit(seed, "formulas", folder))


@pytest.mark.parametrize("kind", sorted(fuzz.MUTATORS))
def test_mutations_change_the_file(kind):
    rng = random.Random(1)
    assert any(fuzz.MUTATORS[kind](SEEDS[0], rng) != SEEDS[0] for _ in range(5))
