"""Per run, stop asking an archive that cannot be reached: a circuit breaker for each archive.

An archive outage lasts hours or days (the Internet Archive was down for most of October 2024).
Without this, every lookup would still be asked of the dead archive, each waiting its turn under
the archive's pacing rule (2.5 s apart for the Internet Archive) only to fail: a night's run
spent on an archive that answers nobody.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

# Three: each failed lookup already made every attempt the fetch layer allows (`retries`, with
# backoff), so one failure can be a URL the archive chokes on and two a passing blip; three
# different URLs failing in a row is an outage, and stopping there caps its cost at three
# lookups' deadlines however many URLs remain.
FAILURES_IN_A_ROW = 3


@dataclass(frozen=True)
class Outage:
    """An archive this run stopped asking, and what made it stop."""

    archive: str
    reason: str


class UnreachableArchives:
    """The archives a run has given up on as unreachable, and the rule that gives up on them.

    - At once, when a lookup of an archive failed and one of its requests got no connection at
      all: the host does not resolve, refuses the connection, or has no route. Asking again
      within the run cannot help.
    - After `FAILURES_IN_A_ROW` (3) lookups of it in a row failed otherwise: timeouts, 5xx, 429
      after the fetch layer's retries, answers that are not the protocol's. Any lookup it
      answers cleanly starts the count again.
    - Once given up, for the rest of the run: a lookup of it is recorded at once as "could not
      be asked: <archive> unreachable", with no request and no pacing wait, and the lookups
      already waiting on it are cut short the same way. Its outcome stays "failed", never "no
      snapshot": it proves nothing, and the planner asks it again at the next run rather than
      after `archive-expiry`. Archive links and Save Page Now follow the same rule.
    - Nothing carries over: each run starts by asking every archive.
    """

    def __init__(self, on_outage: Callable[[Outage], None] | None = None) -> None:
        self._failures: Counter[str] = Counter()
        self._outages: dict[str, Outage] = {}
        self._waiting: dict[str, set[asyncio.Timeout]] = {}
        self._on_outage = on_outage

    def given_up(self, archive: str) -> str | None:
        """What to record instead of asking `archive`, once the run gave it up; else None."""
        if archive not in self._outages:
            return None
        return f"could not be asked: {archive} unreachable"

    def outages(self) -> tuple[Outage, ...]:
        """The archives given up so far, in the order they were."""
        return tuple(self._outages.values())

    def answered(self, archive: str) -> None:
        """`archive` answered a lookup cleanly: its count of failures starts again."""
        self._failures[archive] = 0

    def failed(self, archive: str, why: str, *, no_connection: bool) -> None:
        """A lookup of `archive` failed; `no_connection`: a request of it could not connect."""
        if archive in self._outages:
            return
        self._failures[archive] += 1
        if no_connection:
            self._give_up(Outage(archive, why))
        elif self._failures[archive] >= FAILURES_IN_A_ROW:
            self._give_up(Outage(archive, f"{FAILURES_IN_A_ROW} lookups in a row failed, the "
                                          f"last: {why}"))

    @contextmanager
    def cut_short(self, archive: str, scope: asyncio.Timeout) -> Iterator[None]:
        """While in the block, giving `archive` up expires `scope` at once (a TimeoutError)."""
        waiting = self._waiting.setdefault(archive, set())
        waiting.add(scope)
        try:
            yield
        finally:
            waiting.discard(scope)

    def _give_up(self, outage: Outage) -> None:
        self._outages[outage.archive] = outage
        for scope in self._waiting.pop(outage.archive, set()):
            if not scope.expired():  # one expiring already ends on its own
                scope.reschedule(asyncio.get_running_loop().time())
        if self._on_outage is not None:
            self._on_outage(outage)
