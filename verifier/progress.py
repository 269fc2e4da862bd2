"""Progress of a long run: a live line on a terminal, a line a minute in a log, none if --quiet."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO


def _clock() -> float:
    return time.monotonic()


class Progress:
    """Counts finished items and reports count, rate and time left."""

    def __init__(
        self,
        total: int,
        out: TextIO | None,
        *,
        live: bool,
        label: str = "URLs",
        verb: str = "checked",
        every: float = 60.0,
        clock: Callable[[], float] = _clock,
    ) -> None:
        self.total = total
        self.done = 0
        self._out = out
        self._live = live
        self._label = label
        self._verb = verb
        self._every = 0.1 if live else every
        self._clock = clock
        self._start = clock()
        self._last = self._start

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = self._clock()
        if self._out is not None and now - self._last >= self._every:
            self._last = now
            self._write(self.line(now))

    def line(self, now: float | None = None) -> str:
        elapsed = max((now if now is not None else self._clock()) - self._start, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else None
        eta = "--:--" if left is None else _duration(left)
        return (f"{self._verb} {self.done}/{self.total} {self._label}  {rate:.1f}/s  "
                f"elapsed {_duration(elapsed)}  ETA {eta}")

    def close(self) -> None:
        if self._out is not None and self._live:
            self._out.write("\r\033[K")
            self._out.flush()

    def _write(self, text: str) -> None:
        assert self._out is not None
        if self._live:
            self._out.write("\r\033[K" + text)
        else:
            self._out.write(text + "\n")
        self._out.flush()


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
