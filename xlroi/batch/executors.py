"""Where the work runs: this process, a local process pool, or a Dask distributed cluster.

Each executor takes one function and a lazy stream of ``(index, args)`` and yields
``(index, result)`` as results arrive, where a result is the function's return value or the
exception that stopped it (a worker that died, a lost connection): the caller turns that into
the workbook's failure, and the others go on. At most a window of tasks is in flight, so the
workbooks' bytes are read and sent as workers become free, not all held in memory at once.
"""
from __future__ import annotations

import os
from typing import Any, Callable, Iterable, Iterator

from ..errors import SchedulerUnavailable

Task = tuple[int, tuple]
CONNECT_TIMEOUT = 10.0  # seconds to reach a scheduler before saying it cannot be reached
CONNECT_TIMEOUT_ENV = "XLROI_SCHEDULER_TIMEOUT"


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def run_serial(function: Callable, tasks: Iterable[Task], **kwargs: Any) -> Iterator[tuple[int, Any]]:
    for index, args in tasks:
        try:
            yield index, function(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - one workbook's trouble, reported on its record
            yield index, exc


def run_pool(function: Callable, tasks: Iterable[Task], jobs: int, **kwargs: Any) -> Iterator[tuple[int, Any]]:
    """On ``jobs`` local worker processes (forked where the platform can)."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    pending = iter(tasks)
    window = 2 * jobs
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        in_flight: dict = {}
        try:
            while True:
                for index, args in _take(pending, window - len(in_flight)):
                    try:
                        in_flight[pool.submit(function, *args, **kwargs)] = index
                    except RuntimeError as exc:  # BrokenProcessPool: a worker was killed (e.g. out of memory)
                        yield index, exc
                if not in_flight:
                    return
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    index = in_flight.pop(future)
                    exc = future.exception()
                    yield index, (exc if exc is not None else future.result())
        finally:
            for future in in_flight:
                future.cancel()


def connect(address: str):
    """A ``dask.distributed.Client`` for the scheduler at ``address``, or one clear error."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise SchedulerUnavailable(
            f"--scheduler {address}: dask.distributed is not installed; pip install 'xlroi[dask]'") from None
    from ..isolation import parse_timeout

    seconds = parse_timeout(os.environ.get(CONNECT_TIMEOUT_ENV) or CONNECT_TIMEOUT, CONNECT_TIMEOUT_ENV) or CONNECT_TIMEOUT
    try:
        return Client(address, timeout=seconds, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SchedulerUnavailable(f"cannot reach the Dask scheduler at {address} ({reason})") from None


def run_dask(function: Callable, tasks: Iterable[Task], client, **kwargs: Any) -> Iterator[tuple[int, Any]]:
    """On the workers of a Dask cluster (``client.map`` and ``as_completed``); closes ``client``
    at the end. Only bytes travel: the workers need xlroi installed, not the caller's files.
    """
    from functools import partial

    from dask.distributed import as_completed

    function = partial(function, **kwargs)  # keyword names never clash with client.map's own
    try:
        window = max(4, 2 * sum(client.nthreads().values()))
        pending = iter(tasks)
        index_of: dict[str, int] = {}

        def submit(count: int) -> list:
            batch = _take(pending, count)
            if not batch:
                return []
            columns = list(zip(*(args for _, args in batch)))
            futures = client.map(function, *columns, pure=False)
            for future, (index, _) in zip(futures, batch):
                index_of[future.key] = index
            return futures

        running = as_completed(submit(window), loop=client.loop)
        for future in running:
            index = index_of.pop(future.key)
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker: that workbook's failure
                result = exc
            future.release()
            yield index, result
            running.update(submit(1))
    finally:
        client.close()


def _take(iterator: Iterator[Task], count: int) -> list[Task]:
    taken = []
    for _ in range(max(count, 0)):
        try:
            taken.append(next(iterator))
        except StopIteration:
            break
    return taken


def run(function: Callable, tasks: Iterable[Task], *, jobs: int = 1, scheduler: str | None = None,
        **kwargs: Any) -> Iterator[tuple[int, Any]]:
    """Pick the executor: a Dask scheduler if given, else a pool of ``jobs`` processes, else
    (one job) this process."""
    if scheduler:
        return run_dask(function, tasks, connect(scheduler), **kwargs)  # connect now: fail before any work
    if jobs > 1:
        return run_pool(function, tasks, jobs, **kwargs)
    return run_serial(function, tasks, **kwargs)


__all__ = ["run", "run_serial", "run_pool", "run_dask", "connect", "default_jobs", "CONNECT_TIMEOUT"]
