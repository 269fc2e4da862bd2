"""How a run ends, decided in one place for the whole of it: it completes, a signal stops it
(SIGTERM, Ctrl-C), its deadline passes (setting `run-deadline`), or an error fails it.

A stop means something different in each of a run's three phases:

- Before its row is written (reading the claims, waiting for the lock): the command ends at
  once, exit 3; nothing is recorded.
- From its row to its record: the stage in progress is cancelled (its task, and with it every
  request in flight and every text worker) and the stages left are skipped; the run is
  recorded as interrupted, or `deadline`, with every check it finished. An error records it as
  failed, with the error in one line.
- After its record (the summary, the reports): a signal ends the command at once; the
  deadline leaves the summary and the reports `GRACE` seconds more, then ends it.

The handlers are installed once, with `signal.signal`, for the whole run. An event loop's own
handlers (`loop.add_signal_handler`) last one stage, and removing them restores the default
action: a signal between two stages used to kill the process silently, or raise
KeyboardInterrupt. The deadline is SIGALRM (`setitimer`): the one timer that reaches an event
loop, a blocking wait (the lock, with --wait) and plain Python code alike. Signals reach only
the main thread: elsewhere no stop is watched.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import signal
import threading
from collections.abc import Callable, Coroutine, Iterator, Mapping
from dataclasses import dataclass
from types import FrameType, TracebackType
from typing import Any

from verifier.errors import InterruptedRun, VerifierError
from verifier.settings import Settings
from verifier.store import RunStatus, Store

GRACE = 60.0  # seconds the summary and the reports may still take once the deadline passed
_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class _Phase(enum.Enum):
    BEFORE = enum.auto()  # no run row yet: nothing to record
    RUNNING = enum.auto()  # from the run's row to its record
    AFTER = enum.auto()  # recorded: the summary and the reports


class _Stop(BaseException):
    """A stop that ends the command at once, raised wherever the signal found the main thread.

    A BaseException, as KeyboardInterrupt is, so that no `except Exception` on its way takes it
    for an error; RunEnd turns it into InterruptedRun on the way out."""


@dataclass(frozen=True)
class Stop:
    """What stopped a run: the status it is recorded with, and why, in words."""

    status: RunStatus  # INTERRUPTED or DEADLINE
    why: str  # "stopped by SIGTERM", "the run deadline (7200 s) passed"


def _one_line(text: str, width: int = 300) -> str:
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


class RunEnd:
    """Owns how a run ends, from before its claims are read to its last report: a context
    manager around the whole command."""

    def __init__(self, settings: Settings) -> None:
        self._deadline = settings.run_deadline
        self._clock = settings.current_time
        self.stop: Stop | None = None  # set once, by the first stop while the run is running
        self._phase = _Phase.BEFORE
        self._signal: str | None = None  # the first signal received, by name
        self._deadline_passed = False
        self._run_id: int | None = None
        self._recorded: RunStatus | None = None
        self._stage: tuple[asyncio.AbstractEventLoop, asyncio.Task[bool]] | None = None
        self._saved: dict[int, Any] = {}
        self._leaving = False

    def __enter__(self) -> RunEnd:
        if threading.current_thread() is not threading.main_thread():
            return self
        for number in _SIGNALS:
            self._saved[number] = signal.signal(number, self._on_signal)
        if self._deadline > 0:
            self._saved[signal.SIGALRM] = signal.signal(signal.SIGALRM, self._on_alarm)
            signal.setitimer(signal.ITIMER_REAL, self._deadline)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._leaving = True  # a signal from here on is the process's to take, not the run's
        if signal.SIGALRM in self._saved:
            signal.setitimer(signal.ITIMER_REAL, 0)
        for number, handler in self._saved.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)
        self._saved.clear()
        if isinstance(error, _Stop):
            raise InterruptedRun(str(error)) from None

    @property
    def why(self) -> str:
        return self.stop.why if self.stop else ""

    def stage(self, work: Callable[[], Coroutine[Any, Any, None]]) -> bool:
        """Run one stage in an event loop of its own; False when a stop came before it began or
        ended it early (its task is cancelled, and with it every request in flight)."""
        if self.stop is not None:
            return False

        async def main() -> bool:
            task = asyncio.current_task()
            assert task is not None
            self._stage = (asyncio.get_running_loop(), task)
            try:
                if self.stop is not None:  # it came as the loop started
                    return False
                await work()
                return True
            except asyncio.CancelledError:
                if self.stop is None:
                    raise
                return False
            finally:
                self._stage = None

        return asyncio.run(main())

    @contextlib.contextmanager
    def recording(self, store: Store, start: Callable[[], int]) -> Iterator[int]:
        """The run from its row (`start` writes it and gives its id) to its record (`finish`):
        a stop waits for the end of the stage in progress, and an error records the run as
        failed, with its reason."""
        self._phase = _Phase.RUNNING  # from before the row: a stop as it is written waits too
        try:
            self._run_id = run_id = start()
            try:
                yield run_id
            except Exception as exc:
                if self._recorded is None:
                    self._fail(store, run_id, exc)
                raise
        finally:
            self._phase = _Phase.AFTER
        if self._recorded is None:
            raise RuntimeError(f"run {run_id} ended without being recorded")
        if self._signal is not None and self._recorded is not RunStatus.INTERRUPTED:
            # The signal came after the deadline had stopped the run, or as it was recorded.
            raise _Stop(self._after(f"stopped by {self._signal}"))

    def finish(self, store: Store, run_id: int, counts: Mapping[str, int],
               finished: bool) -> RunStatus:
        """Record how the run ended (`finished`: every stage ran to its end): completed, or how
        it was stopped; returns that status. A deadline that passed once the work was done
        stopped nothing; a signal stops the run whenever it comes."""
        stop = self.stop  # read once: a signal may set it at any moment
        if stop is None or (finished and stop.status is RunStatus.DEADLINE):
            status, why = RunStatus.COMPLETED, None
        else:
            status, why = stop.status, stop.why
        store.finish_run(run_id, status, self._clock(), counts, why)
        self._recorded = status
        return status

    def _fail(self, store: Store, run_id: int, error: Exception) -> None:
        """Record the run as failed, with the error in one line. A database that cannot take
        even that leaves the run `running`, for the next run to close as abandoned."""
        reason = (str(error) if isinstance(error, VerifierError)
                  else f"internal error: {type(error).__name__}: {error}")
        with contextlib.suppress(VerifierError):
            store.finish_run(run_id, RunStatus.FAILED, self._clock(), store.check_counts(run_id),
                             _one_line(reason))
            self._recorded = RunStatus.FAILED

    # --- the handlers: they run in the main thread, between two of its bytecodes --------------

    def _on_signal(self, number: int, frame: FrameType | None) -> None:
        if self._leaving:
            return
        if self._signal is not None:
            # A second signal: whoever sent it does not want to wait for the first one's stop.
            signal.signal(number, signal.SIG_DFL)
            signal.raise_signal(number)
            return
        self._signal = signal.Signals(number).name
        self._halt(Stop(RunStatus.INTERRUPTED, f"stopped by {self._signal}"))

    def _on_alarm(self, number: int, frame: FrameType | None) -> None:
        if self._leaving:
            return
        limit = f"the run deadline ({self._deadline:g} s)"
        if self._deadline_passed:
            raise _Stop(f"{limit} passed, and run {self._run_id} was not over {GRACE:g} s later"
                        if self._recorded is None else
                        f"run {self._run_id} reached {limit}, and its summary and reports were "
                        f"not written {GRACE:g} s later; `verifier report --run "
                        f"{self._run_id}` writes them")
        self._deadline_passed = True
        signal.setitimer(signal.ITIMER_REAL, GRACE)
        self._halt(Stop(RunStatus.DEADLINE, f"{limit} passed"))

    def _halt(self, stop: Stop) -> None:
        """Act on a stop as the run's phase wants it."""
        if self._phase is _Phase.BEFORE:
            raise _Stop(f"{stop.why} before the run started; nothing was recorded")
        if self._phase is _Phase.AFTER:
            if stop.status is RunStatus.INTERRUPTED:
                raise _Stop(self._after(stop.why))
            return  # the deadline: the summary and the reports have GRACE seconds more
        if self.stop is None:
            self.stop = stop
        if self._stage is not None:
            loop, task = self._stage
            with contextlib.suppress(RuntimeError):  # the loop closed as the stop came
                loop.call_soon_threadsafe(task.cancel)

    def _after(self, why: str) -> str:
        if self._run_id is None or self._recorded is None:
            return f"{why}; nothing was recorded" if self._run_id is None else \
                f"{why}: run {self._run_id} could not be recorded"
        return (f"{why} after run {self._run_id} was recorded as {self._recorded.value}; "
                f"`verifier report --run {self._run_id}` writes its reports")
