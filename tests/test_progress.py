"""Progress lines: live on a terminal, once a minute in logs."""

from __future__ import annotations

import io

from verifier.progress import Progress


class FakeClock:
    """A hand-moved clock: progress output depends on time, and the test sets the time."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_log_mode_writes_a_line_a_minute() -> None:
    clock, out = FakeClock(), io.StringIO()
    progress = Progress(120, out, live=False, clock=clock)
    for _ in range(60):
        clock.now += 1.0
        progress.advance()
    assert out.getvalue() == "checked 60/120 URLs  1.0/s  elapsed 1:00  ETA 1:00\n"
    clock.now += 30
    progress.advance()
    assert out.getvalue().count("\n") == 1  # not yet another minute


def test_live_mode_rewrites_one_line() -> None:
    clock, out = FakeClock(), io.StringIO()
    progress = Progress(10, out, live=True, clock=clock)
    clock.now = 2.0
    progress.advance(4)
    progress.close()
    assert out.getvalue() == "\r\033[Kchecked 4/10 URLs  2.0/s  elapsed 0:02  ETA 0:03\r\033[K"


def test_quiet_writes_nothing() -> None:
    progress = Progress(5, None, live=False)
    progress.advance(5)
    assert progress.done == 5
