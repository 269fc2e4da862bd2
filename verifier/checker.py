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


async def check_targets(
    targets: Sequence[Target],
    settings: Settings,
    on_outcome: Callable[[Outcome], None],
    *,
    head_first: bool = False,
) -> None:
    """Check `targets` under the settings' limits, reporting each outcome as it is known.

    Each host gets as many workers as it may have requests in flight, each working through the
    host's queue; so a host never has more requests queued than it may run, a slow host holds
    only its own workers, and the soft-404 probe of a host waits behind at most `per_host`
    requests rather than the host's whole queue (outcomes are recorded without delay).
    """
    by_host: dict[str, deque[Target]] = defaultdict(deque)
    for target in targets:
        by_host[target.host].append(target)
    # Workers in existence at once: enough to keep every global slot busy.
    window = asyncio.Semaphore(max(64, settings.concurrency * 2))

    async with Fetcher(settings) as fetcher:
        probes = _Probes(fetcher)

        async def worker(queue: deque[Target]) -> None:
            try:
                while queue:
                    target = queue.popleft()
                    on_outcome(await _check(target, fetcher, probes, settings, head_first))
            finally:
                window.release()

        tasks = []
        for host, queue in by_host.items():
            rule = settings.rule_for(host) if host else None
            per_host = (rule.per_host if rule and rule.per_host else settings.per_host) or 1
            for _ in range(min(per_host, len(queue))):
                await window.acquire()
                tasks.append(asyncio.create_task(worker(queue)))
        await asyncio.gather(*tasks)


async def _check(
    target: Target, fetcher: Fetcher, probes: _Probes, settings: Settings, head_first: bool
) -> Outcome:
    if target.invalid is not None:
        return Outcome(target, Classification(CheckStatus.INVALID_URL, target.invalid), None,
                       settings.current_time())
    if target.skip is not None:
        return Outcome(target, Classification(CheckStatus.SKIPPED, target.skip), None,
                       settings.current_time())
    rule = settings.rule_for(target.host)
    result = await fetcher.fetch(target.url, head_first=head_first,
                                 headers=dict(rule.headers) if rule else None)
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
