"""Find archived copies: which URLs to ask the archives about, and asking them; and check the
archive links that references already give.

When to look (written policy): a URL that is failing or confirmed dead needs a copy to replace
it; a live URL whose references give an access or publication date needs the copy from that
time, to compare with what the page says now. A lookup that found a snapshot is final; "no
snapshot" and "lookup failed" are asked again once older than `archive_expiry`.
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
) -> list[ArchiveJob]:
    """The URLs to ask the archives about in this run."""
    jobs = []
    for target in targets:
        if target.invalid or target.skip:
            continue
        url_id = ids[target.url]
        anchor = anchors.get(target.url)
        if not (urls[url_id].state.needs_attention() or anchor is not None):
            continue
        last = lookups.get(url_id)
        if last is not None and (last.outcome is LookupOutcome.FOUND
                                 or now - last.looked_up_at < expiry):
            continue
        jobs.append(ArchiveJob(url_id, target.url, anchor))
    return jobs


async def find_copies(
    jobs: Sequence[ArchiveJob],
    settings: Settings,
    on_result: Callable[[ArchiveJob, ArchiveLookup], None],
) -> None:
    """Ask the archives about every job; the fetch layer keeps each archive's pace."""
    archives = settings.archive_endpoints()
    slots = asyncio.Semaphore(max(1, settings.concurrency))

    async with Fetcher(settings) as fetcher:
        async def one(job: ArchiveJob) -> None:
            async with slots:
                result = await lookup(fetcher, job.url, job.anchor, archives,
                                      deadline=settings.archive_deadline)
            on_result(job, result)

        await asyncio.gather(*(one(job) for job in jobs))


async def check_links(
    links: Sequence[ArchiveLink],
    settings: Settings,
    on_result: Callable[[ArchiveLink, ArchiveLinkCheck], None],
) -> None:
    """Check the archive links references give: real captures, near their access dates."""
    archives = settings.archive_endpoints()
    slots = asyncio.Semaphore(max(1, settings.concurrency))

    async with Fetcher(settings) as fetcher:
        async def one(link: ArchiveLink) -> None:
            async with slots:
                result = await check_archive_url(fetcher, link.url, link.access_date, archives)
            on_result(link, result)

        await asyncio.gather(*(one(link) for link in links))


async def save_live(
    urls: Sequence[str],
    settings: Settings,
    credentials: tuple[str, str],
    on_result: Callable[[str, SaveResult], None],
) -> None:
    """Ask Save Page Now to capture live sources that no archive holds (opt-in)."""
    async with Fetcher(settings) as fetcher:
        async def one(url: str) -> None:
            poll = SavePolling(interval=settings.spn_poll_interval)
            on_result(url, await save_page_now(fetcher, url, credentials, settings.spn_url, poll))

        # The archive's domain rule paces these requests and their polls.
        await asyncio.gather(*(one(url) for url in urls))
