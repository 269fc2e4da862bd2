"""Fetch and classify every due URL: the live-check stage, with no storage of its own.

Per run and host, one made-up sibling path is fetched the first time a page on that host
answers 2xx, and every 2xx page of the host is compared with it (soft-404 detection): a host
that answers any path with the same page cannot prove that a page exists.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from verifier.classify import Classification, classify, probe_path
from verifier.fetch import Fetcher, FetchResult
from verifier.models import CheckStatus
from verifier.settings import Settings
from verifier.targets import Target


@dataclass(frozen=True)
class Outcome:
    """One checked URL: what was fetched (None when nothing was) and what it means."""

    target: Target
    classification: Classification
    result: FetchResult | None
    checked_at: dt.datetime


class _Probes:
    """One soft-404 probe per host per run, fetched on first need and shared."""

    def __init__(self, fetcher: Fetcher) -> None:
        self._fetcher = fetcher
        self._token = secrets.token_hex(6)
        self._tasks: dict[str, asyncio.Task[FetchResult]] = {}

    async def for_url(self, url: str, host: str) -> FetchResult:
        task = self._tasks.get(host)
        if task is None:
            task = asyncio.create_task(self._fetcher.fetch(probe_path(url, self._token)))
            self._tasks[host] = task
        return await task


def _needs_probe(result: FetchResult) -> bool:
    return result.failure is None and result.status is not None and 200 <= result.status < 300


class _Scheduler:
    """Hands out targets so that no host gets more than its share and no worker waits for one.

    Hosts take turns; a host with as many requests in flight as it may have is set aside until
    one of them finishes. Workers are as many as the global limit, so a slow host holds no
    more than its own share, and a host's soft-404 probe queues behind at most `per_host`
    requests of that host, never behind its whole queue.
    """

    def __init__(self, targets: Sequence[Target], settings: Settings) -> None:
        self._queues: dict[str, deque[Target]] = defaultdict(deque)
        for target in targets:
            self._queues[target.host].append(target)
        self._limits = {host: self._limit(host, settings) for host in self._queues}
        self._active: dict[str, int] = defaultdict(int)
        self._ready: deque[str] = deque(self._queues)
        self._changed = asyncio.Condition()

    @staticmethod
    def _limit(host: str, settings: Settings) -> int:
        rule = settings.rule_for(host) if host else None
        return max(1, (rule.per_host if rule and rule.per_host else settings.per_host))

    async def next(self) -> Target | None:
        """The next target to check, or None when every target has been handed out."""
        async with self._changed:
            while not self._ready:
                if not any(self._queues.values()):
                    return None
                await self._changed.wait()
            host = self._ready.popleft()
            queue = self._queues[host]
            target = queue.popleft()
            self._active[host] += 1
            if queue and self._active[host] < self._limits[host]:
                self._ready.append(host)
            return target

    async def done(self, target: Target) -> None:
        async with self._changed:
            host = target.host
            self._active[host] -= 1
            # At its limit, the host was set aside; one request fewer makes it ready again.
            if self._queues[host] and self._active[host] == self._limits[host] - 1:
                self._ready.append(host)
            self._changed.notify_all()


async def check_targets(
    targets: Sequence[Target],
    settings: Settings,
    on_outcome: Callable[[Outcome], None],
    *,
    head_first: bool = False,
) -> None:
    """Check `targets` under the settings' limits, reporting each outcome as it is known."""
    scheduler = _Scheduler(targets, settings)

    async with Fetcher(settings) as fetcher:
        probes = _Probes(fetcher)

        async def worker() -> None:
            while (target := await scheduler.next()) is not None:
                try:
                    on_outcome(await _check(target, fetcher, probes, settings, head_first))
                finally:
                    await scheduler.done(target)

        workers = min(max(1, settings.concurrency), len(targets))
        await asyncio.gather(*(worker() for _ in range(workers)))


async def _check(
    target: Target, fetcher: Fetcher, probes: _Probes, settings: Settings, head_first: bool
) -> Outcome:
    """Check one target; whatever goes wrong with it is its outcome, never the run's end.

    The fetch layer and the classifier handle every input they are meant for (tests throw
    generated URLs at them and count this handler's runs: none). What still escapes is a bug:
    it is recorded as INTERNAL_ERROR, which is inconclusive, never a strike.
    """
    try:
        return await _check_target(target, fetcher, probes, settings, head_first)
    except Exception as exc:  # noqa: BLE001 - the last resort, see above
        reason = (f"verifier failed on this URL: {type(exc).__name__}: {exc} "
                  "(a bug; nothing is known of the source)")
        return Outcome(target, Classification(CheckStatus.INTERNAL_ERROR, reason), None,
                       settings.current_time())


async def _check_target(
    target: Target, fetcher: Fetcher, probes: _Probes, settings: Settings, head_first: bool
) -> Outcome:
    if target.invalid is not None:
        return Outcome(target, Classification(CheckStatus.INVALID_URL, target.invalid), None,
                       settings.current_time())
    if target.skip is not None:
        return Outcome(target, Classification(CheckStatus.SKIPPED, target.skip), None,
                       settings.current_time())
    rule = settings.rule_for(target.host)
    # The rule's headers are the fetch layer's to add, hop by hop, to the hosts it covers.
    result = await fetcher.fetch(target.request_url or target.url, head_first=head_first)
    probe = await probes.for_url(target.url, target.host) if _needs_probe(result) else None
    verdict = classify(result, probe=probe, accept=rule.accept if rule else ())
    alarming = verdict.status.is_dead_evidence() or verdict.status is CheckStatus.BLOCKED
    if target.paywalled and alarming:
        # A subscription source answers strangers with 401/403, a login page or a redirect to
        # its front page: what a bot sees says nothing about the article, so it is no alarm.
        verdict = Classification(
            CheckStatus.BLOCKED,
            f"paywalled source (url-access), seen as {verdict.status.value}: {verdict.reason}",
            verdict.permanent_redirect,
        )
    return Outcome(target, verdict, result, settings.current_time())
