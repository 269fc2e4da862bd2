"""A URL's state across runs: how strikes add up to `confirmed_dead`, and how a URL recovers.

Policy (written once, here): one check is weak evidence; sites go down for a day, block a bot,
or answer 503 during a deploy. A strike is a check whose status is dead evidence. A URL is
`confirmed_dead` after `dead_strikes` strikes whose first and last are at least `dead_after`
apart with no alive check between them. Inconclusive checks (blocked, rate limited, TLS
problems) neither count nor reset. A failing URL that answers again is `recovered`, and `alive`
at its next alive check.

    unknown --alive--> alive --dead--> failing --(N strikes over D days)--> confirmed_dead
                                          |                                       |
                                          +-------------alive---------------------+
                                                          |
                                                          v
                                                      recovered --alive--> alive
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from verifier.models import Evidence, UrlState


@dataclass(frozen=True)
class StrikeRule:
    strikes: int = 3
    span: dt.timedelta = dt.timedelta(days=3)


@dataclass(frozen=True)
class UrlHistory:
    """What the state machine remembers of a URL between checks."""

    state: UrlState = UrlState.UNKNOWN
    state_since: dt.datetime | None = None
    strikes: int = 0
    first_failure_at: dt.datetime | None = None  # the first strike of the current failing spell
    last_alive_at: dt.datetime | None = None


def advance(
    history: UrlHistory, evidence: Evidence, at: dt.datetime, rule: StrikeRule
) -> UrlHistory:
    """The history after one more check with `evidence`, made at `at`."""
    if evidence is Evidence.INCONCLUSIVE:
        return history
    if evidence is Evidence.ALIVE:
        if history.state in (UrlState.FAILING, UrlState.CONFIRMED_DEAD):
            state = UrlState.RECOVERED
        else:
            state = UrlState.ALIVE
        # A clock set back (VERIFIER_NOW, a restored machine) must not make "last alive" older.
        last_alive = max(at, history.last_alive_at) if history.last_alive_at else at
        return _moved(
            replace(history, strikes=0, first_failure_at=None, last_alive_at=last_alive), state, at
        )
    strikes = history.strikes + 1
    first = history.first_failure_at or at
    confirmed = history.state is UrlState.CONFIRMED_DEAD or (
        strikes >= rule.strikes and at - first >= rule.span
    )
    state = UrlState.CONFIRMED_DEAD if confirmed else UrlState.FAILING
    return _moved(replace(history, strikes=strikes, first_failure_at=first), state, at)


def _moved(history: UrlHistory, state: UrlState, at: dt.datetime) -> UrlHistory:
    if state is history.state:
        return history
    return replace(history, state=state, state_since=at)
