"""Running work in a child process that can be stopped: the time limit for untrusted workbooks.

IronCalc evaluates inside Rust holding the GIL, so no thread of ours can interrupt it, and a
crafted workbook (``=COUNT(A1:XFD5000)`` four times) runs for minutes. The only stop that
always works is a separate process: :func:`run_isolated` runs ``function(*args)`` in a child,
hands the (pickled) result back, and kills the child when the time limit passes. On Linux the
child is forked, so it starts in milliseconds with everything already imported; it leaves with
``os._exit`` right after sending its result, so nobody waits for an engine's model to be torn
down. Every command that evaluates (``recalc``, ``eval``, ``check``, ``compare``), the batch
runs and the reference-engine fallback go through here.
"""
from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any, Callable

from .errors import EngineUnavailable, EvaluationTimeout, XlroiError

DEFAULT_TIMEOUT = 300.0  # seconds; W(50,000) takes ~15 s, the 20,000-cell torture test ~160 s in `formulas`
TIMEOUT_ENV = "XLROI_TIMEOUT"


def default_timeout(environ: dict | None = None) -> float | None:
    """The time limit when none is given: ``XLROI_TIMEOUT`` (seconds, 0 = none) or 300 s."""
    environ = os.environ if environ is None else environ
    text = environ.get(TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_TIMEOUT
    return parse_timeout(text, TIMEOUT_ENV)


def parse_timeout(text: str | float | None, what: str = "--timeout") -> float | None:
    """Seconds as given (``0`` means no limit, returned as None)."""
    if text is None:
        return None
    try:
        seconds = float(str(text).strip().removesuffix("s"))
    except ValueError:
        seconds = -1.0
    if not seconds >= 0 or seconds != seconds or seconds == float("inf"):
        raise XlroiError(f"{what}={text!r}: give the number of seconds (0 for no limit)")
    return seconds or None


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


_DEADLINE: float | None = None  # in a child of run_isolated: time.monotonic() when it is stopped


def time_left() -> float | None:
    """Seconds before this process, a child of :func:`run_isolated`, is stopped (None outside
    one): work that can give up gracefully (the reference-engine fallback) keeps within it."""
    return None if _DEADLINE is None else _DEADLINE - time.monotonic()


def _child(send, function: Callable, args: tuple, kwargs: dict, tmp: str, deadline: float | None = None) -> None:
    global _DEADLINE
    _DEADLINE = deadline
    os.environ["TMPDIR"] = tmp
    tempfile.tempdir = tmp  # the engine's scratch copies land where the parent can remove them
    try:
        outcome: tuple = (True, function(*args, **kwargs))
    except XlroiError as exc:
        outcome = (False, (type(exc), str(exc), exc.exit_code))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which decides
        outcome = (False, (None, f"{type(exc).__name__}: {exc}", 70, traceback.format_exc()))
    try:
        send.send(outcome)
    except Exception as exc:  # noqa: BLE001 - e.g. a result that does not pickle
        send.send((False, (None, f"result could not be sent back ({type(exc).__name__}: {exc})", 70, "")))
    finally:
        send.close()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)  # no interpreter or engine teardown: the work is done and handed over


class ChildFailed(XlroiError):
    """The child raised something that is not an XlroiError (a bug, or an engine crash)."""

    exit_code = 70

    def __init__(self, message: str, details: str = ""):
        super().__init__(message)
        self.details = details


def run_isolated(function: Callable, *args: Any, timeout: float | None, what: str = "the work",
                 leftovers: Callable[[], None] | None = None, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)`` in a child process, stopped after ``timeout`` seconds.

    Raises :class:`EvaluationTimeout` past the limit (the child is killed, its temporary files
    removed and ``leftovers()`` called to remove what it may have half-written), the child's own
    :class:`XlroiError` as the same class, :class:`EngineUnavailable` when the child dies
    (e.g. an engine crash), :class:`ChildFailed` for any other exception.
    """
    context = _context()
    receive, send = context.Pipe(duplex=False)
    tmp = tempfile.mkdtemp(prefix="xlroi-run-")
    deadline = None if timeout is None else time.monotonic() + timeout
    process = context.Process(target=_child, args=(send, function, args, kwargs, tmp, deadline), name="xlroi-isolated")
    started = time.monotonic()
    try:
        process.start()
        send.close()
        ready = receive.poll(timeout)
        if not ready:
            _stop(process)
            if leftovers:
                leftovers()
            raise EvaluationTimeout(f"{what} was stopped after the time limit of {timeout:g} s "
                                    f"(--timeout; nothing was written)")
        try:
            ok, value = receive.recv()
        except EOFError:
            process.join(5)
            code = process.exitcode
            how = f"signal {-code}" if code is not None and code < 0 else f"exit status {code}"
            if leftovers:
                leftovers()
            raise EngineUnavailable(f"{what}: the engine's process died ({how}) after "
                                    f"{time.monotonic() - started:.1f} s; nothing was written") from None
        process.join(5)
        if ok:
            return value
        kind, message, code, *details = value
        if kind is not None and issubclass(kind, XlroiError):
            error = kind.__new__(kind)
            XlroiError.__init__(error, message)
            raise error
        raise ChildFailed(message, details[0] if details else "")
    except KeyboardInterrupt:
        _stop(process)
        if leftovers:
            leftovers()
        raise
    finally:
        receive.close()
        if process.is_alive():
            _stop(process)
        shutil.rmtree(tmp, ignore_errors=True)


def _stop(process) -> None:
    """Kill the child (SIGKILL: an engine inside Rust does not answer SIGTERM) and reap it."""
    try:
        if process.pid is not None:
            os.kill(process.pid, signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
    except (ProcessLookupError, OSError):
        pass
    process.join(10)


def remove_partial_outputs(dest: str | os.PathLike, since: float) -> Callable[[], None]:
    """A ``leftovers`` callback: remove the temporary files :func:`write_atomically` may have
    left beside ``dest`` when its writer was killed (the rename never happened, so ``dest``
    itself is as it was)."""
    dest = Path(dest)

    def remove() -> None:
        folder = dest.parent if str(dest.parent) else Path(".")
        for leftover in folder.glob(f".{dest.name}.*.tmp"):
            try:
                if leftover.stat().st_mtime >= since - 1:
                    leftover.unlink()
            except OSError:
                pass

    return remove


__all__ = ["run_isolated", "default_timeout", "parse_timeout", "remove_partial_outputs", "DEFAULT_TIMEOUT"]
