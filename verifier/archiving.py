"""Find archived copies: which URLs to ask the archives about, and asking them; and check the
archive links that references already give.

When to look (written policy): a URL that is failing or confirmed dead needs a copy to replace
it; a live URL whose references give an access or publication date needs the copy from that
time, to compare with what the page says now. A lookup that found a snapshot is final; "no
snapshot" and "lookup failed" are asked again once older than `archive_expiry`, except a failed
lookup that missed an archive its run gave up as unreachable: that one is asked again at the
next run, since the outage, not the URL, decided it.

One `UnreachableArchives` serves a whole run, across its stages (lookups, archive links,
saves): an archive given up in one is not asked in the next (archive_outages.py has the rule).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from verifier.archive import (
    ArchiveLinkCheck,
    ArchiveLookup,
    SavePolling,
    SaveResult,
    UnreachableArchives,
    check_archive_url,
    lookup,
    save_page_now,
)
from verifier.fetch import Fetcher
from verifier.models import LookupOutcome
from verifier.settings import Settings
from verifier.store import LookupRow, UrlRow
from verifier.targets import ArchiveLink, Target


@dataclass(frozen=True)
class ArchiveJob:
    url_id: int
    url: str
    anchor: dt.date | None  # the copy should be from just before this date


def plan(
    targets: Sequence[Target],
    ids: Mapping[str, int],
    urls: Mapping[int, UrlRow],
    anchors: Mapping[str, dt.date | None],
    lookups: Mapping[int, LookupRow],
    now: dt.datetime,
    expiry: dt.timedelta,
    outages: Mapping[int, frozenset[str]],
) -> list[ArchiveJob]:
    """The URLs to ask the archives about in this run; `outages`: each run's archives given up
    as unreachable, by run id."""
    jobs = []
    for target in targets:
        if target.invalid or target.skip:
            continue
        url_id = ids[target.url]
        anchor = anchors.get(target.url)
        if not (urls[url_id].state.needs_attention() or anchor is not None):
            continue
        last = lookups.get(url_id)
        if last is not None and (last.outcome is LookupOutcome.FOUND or (
                now - last.looked_up_at < expiry and not _missed_an_outage(last, outages))):
            continue
        jobs.append(ArchiveJob(url_id, target.url, anchor))
    return jobs


def _missed_an_outage(last: LookupRow, outages: Mapping[int, frozenset[str]]) -> bool:
    """Whether `last` failed on an archive that its run gave up as unreachable."""
    given_up = outages.get(last.run_id, frozenset()) if last.run_id is not None else frozenset()
    return last.outcome is LookupOutcome.FAILED and not given_up.isdisjoint(last.unanswered)


async def find_copies(
    jobs: Sequence[ArchiveJob],
    settings: Settings,
    on_result: Callable[[ArchiveJob, ArchiveLookup], None],
    outages: UnreachableArchives | None = None,
) -> None:
    """Ask the archives about every job; the fetch layer keeps each archive's pace, and
    `outages` (the run's) stops asking an archive that cannot be reached."""
    archives = settings.archive_endpoints()
    slots = asyncio.Semaphore(max(1, settings.concurrency))
    outages = UnreachableArchives() if outages is None else outages

    async with Fetcher(settings) as fetcher:
        async def one(job: ArchiveJob) -> None:
            async with slots:
                try:
                    result = await lookup(fetcher, job.url, job.anchor, archives,
                                          deadline=settings.archive_deadline, outages=outages)
                except Exception as exc:  # noqa: BLE001 - the last resort: one URL, not the run
                    why = (f"verifier failed while asking the archives: {type(exc).__name__}: "
                           f"{exc} (a bug; not proof that no copy exists)")
                    result = ArchiveLookup(LookupOutcome.FAILED, None, (), (why,), why)
            on_result(job, result)

        await asyncio.gather(*(one(job) for job in jobs))


async def check_links(
    links: Sequence[ArchiveLink],
    settings: Settings,
    on_result: Callable[[ArchiveLink, ArchiveLinkCheck], None],
    outages: UnreachableArchives | None = None,
) -> None:
    """Check the archive links references give: real captures, near their access dates."""
    archives = settings.archive_endpoints()
    slots = asyncio.Semaphore(max(1, settings.concurrency))
    outages = UnreachableArchives() if outages is None else outages

    async with Fetcher(settings) as fetcher:
        async def one(link: ArchiveLink) -> None:
            async with slots:
                result = await check_archive_url(fetcher, link.url, link.access_date, archives,
                                                 outages=outages)
            on_result(link, result)

        await asyncio.gather(*(one(link) for link in links))


async def save_live(
    urls: Sequence[str],
    settings: Settings,
    credentials: tuple[str, str],
    on_result: Callable[[str, SaveResult], None],
    outages: UnreachableArchives | None = None,
) -> None:
    """Ask Save Page Now to capture live sources that no archive holds (opt-in)."""
    outages = UnreachableArchives() if outages is None else outages
    async with Fetcher(settings) as fetcher:
        async def one(url: str) -> None:
            poll = SavePolling(interval=settings.spn_poll_interval)
            on_result(url, await save_page_now(fetcher, url, credentials, settings.spn_url, poll,
                                               outages))

        # The archive's domain rule paces these requests and their polls.
        await asyncio.gather(*(one(url) for url in urls))
