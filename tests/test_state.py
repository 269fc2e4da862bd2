"""The URL state machine: strikes, the 3-day rule, recovery; inconclusive checks change nothing."""

from __future__ import annotations

import datetime as dt

from verifier.models import Evidence, UrlState
from verifier.state import StrikeRule, UrlHistory, advance

DAY = dt.timedelta(days=1)
T0 = dt.datetime(2026, 1, 1, 3, 0, tzinfo=dt.timezone.utc)
RULE = StrikeRule(strikes=3, span=dt.timedelta(days=3))


def play(*steps: tuple[float, Evidence]) -> list[UrlHistory]:
    history, seen = UrlHistory(), []
    for days, evidence in steps:
        history = advance(history, evidence, T0 + days * DAY, RULE)
        seen.append(history)
    return seen


def states(histories: list[UrlHistory]) -> list[UrlState]:
    return [h.state for h in histories]


def test_three_strikes_over_three_days_confirm() -> None:
    seen = play((0, Evidence.DEAD), (1, Evidence.DEAD), (3, Evidence.DEAD))
    assert states(seen) == [UrlState.FAILING, UrlState.FAILING, UrlState.CONFIRMED_DEAD]
    assert seen[-1].strikes == 3
    assert seen[-1].first_failure_at == T0
    assert seen[-1].state_since == T0 + 3 * DAY


def test_many_strikes_in_one_day_do_not_confirm() -> None:
    seen = play(*[(h / 24, Evidence.DEAD) for h in range(10)])
    assert seen[-1].state is UrlState.FAILING and seen[-1].strikes == 10
    # ... until the spell has lasted three days
    more = advance(seen[-1], Evidence.DEAD, T0 + 3 * DAY, RULE)
    assert more.state is UrlState.CONFIRMED_DEAD


def test_two_strikes_over_a_week_do_not_confirm() -> None:
    seen = play((0, Evidence.DEAD), (7, Evidence.DEAD))
    assert seen[-1].state is UrlState.FAILING


def test_an_alive_check_resets_the_spell() -> None:
    seen = play((0, Evidence.DEAD), (1, Evidence.DEAD), (2, Evidence.ALIVE),
                (3, Evidence.DEAD), (4, Evidence.DEAD), (5, Evidence.DEAD))
    assert states(seen)[2] is UrlState.RECOVERED
    assert seen[-1].state is UrlState.FAILING  # first strike of the new spell was day 3
    assert seen[-1].first_failure_at == T0 + 3 * DAY


def test_inconclusive_neither_counts_nor_resets() -> None:
    seen = play((0, Evidence.DEAD), (1, Evidence.INCONCLUSIVE), (2, Evidence.DEAD),
                (2.5, Evidence.INCONCLUSIVE), (3, Evidence.DEAD))
    assert [h.strikes for h in seen] == [1, 1, 2, 2, 3]
    assert seen[-1].state is UrlState.CONFIRMED_DEAD
    assert play((0, Evidence.INCONCLUSIVE))[0] == UrlHistory()  # still unknown


def test_recovered_then_alive() -> None:
    seen = play((0, Evidence.DEAD), (1, Evidence.DEAD), (3, Evidence.DEAD),
                (4, Evidence.ALIVE), (5, Evidence.ALIVE))
    assert states(seen)[2:] == [UrlState.CONFIRMED_DEAD, UrlState.RECOVERED, UrlState.ALIVE]
    assert seen[-1].strikes == 0 and seen[-1].first_failure_at is None
    assert seen[-1].last_alive_at == T0 + 5 * DAY


def test_first_alive_check() -> None:
    (history,) = play((0, Evidence.ALIVE))
    assert history.state is UrlState.ALIVE and history.state_since == T0


def test_a_clock_set_back_does_not_make_last_alive_older() -> None:
    later = advance(UrlHistory(), Evidence.ALIVE, T0 + 5 * DAY, RULE)
    earlier = advance(later, Evidence.ALIVE, T0, RULE)
    assert earlier.last_alive_at == T0 + 5 * DAY
