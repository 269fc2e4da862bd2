"""The only module that knows web archives' protocols: it finds a snapshot of a URL, checks an
archive link a reference already gives, and asks the Wayback Machine to save a page.

Written policy:
- Every request goes through the fetch layer: its deadline, retries (Retry-After honoured) and
  per-host limits. The Internet Archive serves CDX and TimeMaps from one rate-limited pool of about
  24 requests a minute (edgi-govdata-archiving/wayback v0.5.1 release notes, 2026) and blocks, for
  an hour, clients that keep going after 429s: web.archive.org wants a domain rule of one request
  at a time, 2.5 s apart. A lookup costs one CDX query, two when nothing precedes the anchor date.
- Outcomes: FOUND when a verified snapshot was chosen; NO_SNAPSHOT only when every archive
  answered cleanly with nothing usable; otherwise FAILED, which never proves absence. An archive
  that is down, hangs, refuses (5xx, 429 after retries) or answers HTML where JSON was expected
  has "lookup failed". The availability API is asked only when CDX failed, and its empty answer
  proves nothing.
- Verified: the archive says the capture answered 200, 203 or 206, or fetching it says so. A
  TimeMap's mementos have no status: each is fetched (raw form when known) before it is accepted,
  at most `verify_tries` per archive, the next best tried after a failure.
- The choice: the capture closest before the end of the anchor day, else the nearest after; with
  no anchor, the newest. Same moment: the archive listed first wins, then one serving raw bytes.
- Save Page Now is opt-in, and a failed save marks nothing dead.
- An archive that cannot be reached is given up for the rest of the run (archive_outages.py):
  its lookups, archive links and saves are then recorded at once as "could not be asked:
  <archive> unreachable", with no request and no pacing wait.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from time import monotonic
from typing import Literal, Protocol
from urllib.parse import quote, urlencode, urlsplit

from verifier.archive_formats import (
    DEFAULT_ARCHIVES, ArchiveEndpoint, ArchiveFormatError, ReplayUrl, cdx_queries, day_end,
    error_page_marker, parse_availability, parse_cdx, parse_http_date, parse_replay_url,
    parse_timemap, parse_timestamp, pywb_endpoint, same_page, to_timestamp, wayback_endpoint,
)
from verifier.archive_outages import UnreachableArchives
from verifier.fetch import FetchResult
from verifier.models import LookupOutcome, Snapshot

__all__ = [
    "DEFAULT_ARCHIVES", "SPN_NAME", "SPN_URL", "VERIFIED_STATUSES", "ArchiveClient",
    "ArchiveEndpoint", "ArchiveLinkCheck", "ArchiveLookup", "SaveClient", "SavePolling",
    "SaveResult", "UnreachableArchives", "check_archive_url", "choose", "lookup",
    "pywb_endpoint", "save_page_now", "wayback_endpoint",
]

VERIFIED_STATUSES = frozenset({200, 203, 206})  # a capture of any other status is never chosen
SPN_URL = "https://web.archive.org/save"  # SPN2 public API docs (V. Banos, 2022), "Capture request"
SPN_NAME = "Save Page Now"  # its name among the archives a run gives up on
_JSON = {"Accept": "application/json"}
_LINK_FORMAT = {"Accept": "application/link-format"}


class ArchiveClient(Protocol):
    """What lookups need of the fetch layer; verifier.fetch.Fetcher is one."""

    async def fetch(self, url: str, *, head_first: bool = False,
                    headers: Mapping[str, str] | None = None,
                    same_host_only: bool = False) -> FetchResult: ...


class SaveClient(ArchiveClient, Protocol):
    """A client that can also POST a form, as Save Page Now needs; verifier.fetch.Fetcher is one."""

    async def post(self, url: str, form: Mapping[str, str],
                   headers: Mapping[str, str] | None = None) -> FetchResult: ...


@dataclass(frozen=True)
class ArchiveLookup:
    """What asking the archives for one URL came to, and why."""

    outcome: LookupOutcome
    snapshot: Snapshot | None
    candidates: tuple[Snapshot, ...]  # every capture the archives listed
    notes: tuple[str, ...]  # one line per archive, e.g. "wayback: 12 captures, 9 verified"
    why: str
    # archives that could not be asked fully: asked again next run if the run gave them up
    unanswered: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArchiveLinkCheck:
    """Whether an archive link a reference gives still leads to a fitting capture."""

    ok: bool
    captured_at: dt.datetime | None
    problem: str | None
    inconclusive: bool = False  # the archive could not be asked: nothing is known of the link


@dataclass(frozen=True)
class SavePolling:
    """How long to wait for a Save Page Now job: `polls` polls `interval` apart, or `max_wait`."""

    interval: float = 5.0
    polls: int = 24
    max_wait: float = 120.0


@dataclass(frozen=True)
class SaveResult:
    """What a Save Page Now request came to; "failed" and "pending" say nothing of the page."""

    status: Literal["saved", "failed", "pending"]
    snapshot_url: str | None
    detail: str


# --- choosing ------------------------------------------------------------------------------------

def choose(snapshots: Iterable[Snapshot], anchor: dt.date | None, archive_order: Sequence[str],
           *, allow_unknown: bool = False) -> Snapshot | None:
    """The best verified snapshot for `anchor` (see the module's policy); None when none fits.

    `allow_unknown` also lets through captures of unknown status, for the caller to verify.
    """
    usable = [s for s in snapshots
              if s.status in VERIFIED_STATUSES or (allow_unknown and s.status is None)]
    if not usable:
        return None
    rank = {name: i for i, name in enumerate(archive_order)}

    def ties(s: Snapshot) -> tuple[int, bool, bool]:
        return rank.get(s.archive, len(rank)), s.status is None, s.raw_url is None

    if anchor is None:
        return min(usable, key=lambda s: (-s.captured_at.timestamp(), *ties(s)))
    cutoff = day_end(anchor)
    before = [s for s in usable if s.captured_at < cutoff]
    if before:
        return min(before, key=lambda s: (cutoff - s.captured_at, *ties(s)))
    return min(usable, key=lambda s: (s.captured_at - cutoff, *ties(s)))


def _why(snapshot: Snapshot, anchor: dt.date | None, anchor_name: str) -> str:
    day = f"{snapshot.captured_at.date().isoformat()} ({snapshot.archive})"
    if anchor is None:
        return f"no {anchor_name}: the newest capture, {day}"
    if snapshot.captured_at < day_end(anchor):
        return f"closest capture before the {anchor_name} {anchor.isoformat()}: {day}"
    return f"no capture before the {anchor_name} {anchor.isoformat()}; the nearest after: {day}"


# --- looking up ----------------------------------------------------------------------------------

class _NoAnswer(Exception):
    """A request got no usable answer (no response, or not 200)."""

    def __init__(self, message: str, no_connection: bool = False) -> None:
        super().__init__(message)
        self.no_connection = no_connection  # the request could not connect to the archive


@dataclass
class _Answer:
    """One archive's part of a lookup while it is being worked out."""

    archive: ArchiveEndpoint
    candidates: list[Snapshot] = field(default_factory=list)
    failed: str | None = None  # why the archive could not be asked
    unsure: bool = False  # a memento could not be fetched to verify it
    notes: list[str] = field(default_factory=list)
    no_connection: bool = False  # a request of it could not connect at all
    unreachable: bool = False  # the run gave the archive up (this lookup did, or one before it)

    def line(self) -> str:
        said = [f"lookup failed: {self.failed}"] if self.failed else []
        return f"{self.archive.name}: " + "; ".join(said + self.notes)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _body(result: FetchResult, what: str) -> str:
    if result.failure is not None or result.status != 200:
        raise _NoAnswer(f"{what}: {result.detail}", result.unreachable)
    return result.text()


def _query(base: str, params: Sequence[tuple[str, str]]) -> str:
    return f"{base}{'&' if '?' in base else '?'}{urlencode(params)}"


async def _ask_wayback(fetcher: ArchiveClient, archive: ArchiveEndpoint, url: str,
                       anchor: dt.date | None, limit: int) -> _Answer:
    answer = _Answer(archive)
    problem = "no CDX server is configured"
    if archive.cdx_url:
        try:
            for params in cdx_queries(archive, url, anchor, limit):
                result = await fetcher.fetch(_query(archive.cdx_url, params), headers=_JSON)
                captures = parse_cdx(_body(result, "CDX"))
                answer.candidates += [archive.snapshot(c) for c in captures]
                if any(c.status in VERIFIED_STATUSES for c in captures):
                    break
            verified = sum(s.status in VERIFIED_STATUSES for s in answer.candidates)
            answer.notes.append(f"{_count(len(answer.candidates), 'capture')}, {verified} verified")
            return answer
        except ArchiveFormatError as exc:
            problem = f"CDX: {exc}"
        except _NoAnswer as exc:
            problem = str(exc)
            answer.no_connection = exc.no_connection
    return await _availability(fetcher, answer, url, anchor, problem)


async def _availability(fetcher: ArchiveClient, answer: _Answer, url: str,
                        anchor: dt.date | None, problem: str) -> _Answer:
    """The fallback when CDX failed: a capture it names counts; its silence proves nothing."""
    archive = answer.archive
    answer.failed = problem
    if not archive.availability_url:
        return answer
    params = [("url", url)] + ([("timestamp", anchor.strftime("%Y%m%d"))] if anchor else [])
    try:
        result = await fetcher.fetch(_query(archive.availability_url, params), headers=_JSON)
        capture = parse_availability(_body(result, "availability API"), url)
    except (_NoAnswer, ArchiveFormatError) as exc:
        answer.failed = f"{problem}; {exc}"
        answer.no_connection |= isinstance(exc, _NoAnswer) and exc.no_connection
        return answer
    if capture is None:
        answer.failed = f"{problem}; the availability API names nothing (which proves nothing)"
        return answer
    answer.failed = None
    answer.candidates = [archive.snapshot(capture)]
    answer.notes.append(f"{problem}; the availability API names 1 capture instead")
    return answer


async def _ask_memento(fetcher: ArchiveClient, archive: ArchiveEndpoint, url: str) -> _Answer:
    answer = _Answer(archive)
    if not archive.timemap_url:
        answer.failed = "no TimeMap URL is configured"
        return answer
    result = await fetcher.fetch(archive.timemap_url.format(url=url), headers=_LINK_FORMAT)
    if result.failure is None and result.status == 404:  # Memento servers: no TimeMap, no captures
        answer.notes.append("no TimeMap for this URL (HTTP 404)")
        return answer
    try:
        mementos = parse_timemap(_body(result, "TimeMap"))
    except (_NoAnswer, ArchiveFormatError) as exc:
        answer.failed = str(exc)
        answer.no_connection = isinstance(exc, _NoAnswer) and exc.no_connection
        return answer
    answer.candidates = [archive.memento_snapshot(m, url) for m in mementos]
    answer.notes.append(f"{_count(len(mementos), 'memento')}, of unknown status until fetched")
    return answer


def _left(end: float | None) -> float | None:
    return None if end is None else max(0.0, end - monotonic())


def _given_up(archive: ArchiveEndpoint, why: str) -> _Answer:
    return _Answer(archive, failed=why, unreachable=True)


async def _ask(fetcher: ArchiveClient, archive: ArchiveEndpoint, url: str, anchor: dt.date | None,
               limit: int, end: float | None, outages: UnreachableArchives) -> _Answer:
    """One archive's answer; an archive the run gave up on is not asked (archive_outages.py)."""
    name = archive.name
    if (skipped := outages.given_up(name)) is not None:
        return _given_up(archive, skipped)
    try:
        async with asyncio.timeout(_left(end)) as scope:
            with outages.cut_short(name, scope):
                if archive.kind == "memento":
                    answer = await _ask_memento(fetcher, archive, url)
                else:
                    answer = await _ask_wayback(fetcher, archive, url, anchor, limit)
    except TimeoutError:
        if (skipped := outages.given_up(name)) is not None:  # given up while this one waited
            return _given_up(archive, skipped)
        answer = _Answer(archive, failed="no answer within the lookup's deadline")
    if answer.failed is None:
        outages.answered(name)
    else:
        outages.failed(name, answer.failed, no_connection=answer.no_connection)
        answer.unreachable = outages.given_up(name) is not None
    return answer


@dataclass(frozen=True)
class _Verdict:
    ok: bool | None  # None: the capture could not be fetched, so nothing is known
    detail: str
    status: int | None = None
    no_connection: bool = False  # fetching it could not connect to the archive at all


def _moved(asked: str, result: FetchResult, *, exact_time: bool) -> str | None:
    """How fetching a capture ended elsewhere: a redirect capture, or another capture's time."""
    want, got = parse_replay_url(asked), parse_replay_url(result.final_url)
    if not result.redirects or want is None:
        return None
    hop = f"HTTP {result.redirects[-1].status}"  # the capture's own, after any to the exact time
    if got is None:
        return f"is a redirect ({hop}) out of the archive, to {result.final_url}"
    if not same_page(want.original, got.original):
        return f"is a redirect ({hop}) to {got.original}"
    if exact_time and want.captured_at != got.captured_at:
        return f"is not there: the archive sends to another capture, {got.timestamp}"
    return None


def _no_answer(result: FetchResult) -> bool:
    """The archive did not answer: no response, rate limited after retries, or a 5xx."""
    return (result.failure is not None or result.status is None or result.status == 429
            or result.status >= 500)


async def _verify(fetcher: ArchiveClient, snapshot: Snapshot) -> _Verdict:
    """Fetch a capture of unknown status: 200/203/206 and no archive error page accepts it."""
    target = snapshot.raw_url or snapshot.replay_url
    result = await fetcher.fetch(target, same_host_only=True)
    moved = _moved(target, result, exact_time=True)
    if moved:
        return _Verdict(False, moved)
    if _no_answer(result) or result.status is None:
        return _Verdict(None, f"could not be fetched: {result.detail}",
                        no_connection=result.unreachable)
    if result.status not in VERIFIED_STATUSES:
        return _Verdict(False, f"answers {result.detail}")
    marker = error_page_marker(result.body)
    if marker:
        return _Verdict(False, f"is an archive error page ({marker!r})")
    return _Verdict(True, "verified", result.status)


async def _verify_within(fetcher: ArchiveClient, snapshot: Snapshot, end: float | None,
                         outages: UnreachableArchives) -> _Verdict:
    """`_verify` within the lookup's deadline, cut short when the run gives the archive up."""
    try:
        async with asyncio.timeout(_left(end)) as scope:
            with outages.cut_short(snapshot.archive, scope):
                verdict = await _verify(fetcher, snapshot)
    except TimeoutError:
        skipped = outages.given_up(snapshot.archive)
        return _Verdict(None, skipped or "could not be fetched within the lookup's deadline")
    if verdict.no_connection:
        outages.failed(snapshot.archive, verdict.detail, no_connection=True)
    return verdict


async def _settle(fetcher: ArchiveClient, pool: list[Snapshot], anchor: dt.date | None,
                  order: Sequence[str], answers: Mapping[str, _Answer], end: float | None,
                  verify_tries: int, outages: UnreachableArchives) -> Snapshot | None:
    """The best candidate, verifying unknown ones in turn until one holds."""
    tries: Counter[str] = Counter()
    while (pick := choose(pool, anchor, order, allow_unknown=True)) is not None:
        if pick.status is not None:
            return pick
        pool.remove(pick)
        answer = answers[pick.archive]
        skipped = outages.given_up(pick.archive)
        if skipped is not None or tries[pick.archive] >= verify_tries:
            pool[:] = [s for s in pool if s.archive != pick.archive or s.status is not None]
            if skipped is not None:
                answer.unsure = answer.unreachable = True
                answer.notes.append(f"its mementos {skipped}")
            else:
                answer.notes.append(f"{verify_tries} mementos failed verification; no more tried")
            continue
        tries[pick.archive] += 1
        verdict = await _verify_within(fetcher, pick, end, outages)
        if verdict.ok:
            return replace(pick, status=verdict.status)
        if verdict.ok is None:
            answer.unsure = True
            answer.unreachable |= outages.given_up(pick.archive) is not None
        answer.notes.append(f"memento {to_timestamp(pick.captured_at)} {verdict.detail}")
    return None


def _not_found_why(answers: Sequence[_Answer]) -> tuple[LookupOutcome, str]:
    """The outcome and its reason when no snapshot was chosen."""
    gone = [a.archive.name for a in answers if a.unreachable]
    troubled = [a.archive.name for a in answers
                if (a.failed or a.unsure) and a.archive.name not in gone]
    if gone:
        also = f", and {', '.join(troubled)} could not be asked fully" if troubled else ""
        return LookupOutcome.FAILED, (f"could not be asked: {', '.join(gone)} unreachable{also} "
                                      "(not proof of absence)")
    if troubled:
        return LookupOutcome.FAILED, (f"no verified snapshot, and {', '.join(troubled)} could "
                                      "not be asked fully: not proof of absence")
    return LookupOutcome.NO_SNAPSHOT, "every archive answered; none holds a usable capture"


async def lookup(
    fetcher: ArchiveClient, url: str, anchor: dt.date | None,
    archives: Sequence[ArchiveEndpoint], *, deadline: float | None = None,
    anchor_name: str = "access date", limit: int = 10, verify_tries: int = 3,
    outages: UnreachableArchives | None = None,
) -> ArchiveLookup:
    """Find the best verified snapshot of `url`; never raises for network reasons.

    `deadline` bounds the whole lookup (seconds); `limit` the captures one CDX query returns;
    `outages` is the run's record of the archives it gave up on (none by default).
    """
    if not archives:
        return ArchiveLookup(LookupOutcome.FAILED, None, (), (), "no archive is configured")
    outages = UnreachableArchives() if outages is None else outages
    end = None if deadline is None else monotonic() + deadline
    answers = await asyncio.gather(*(_ask(fetcher, a, url, anchor, limit, end, outages)
                                     for a in archives))
    pool = [s for a in answers for s in a.candidates]
    candidates = tuple(pool)
    by_name = {a.archive.name: a for a in answers}
    chosen = await _settle(fetcher, pool, anchor, [a.name for a in archives], by_name, end,
                           verify_tries, outages)
    notes = tuple(a.line() for a in answers)
    unanswered = tuple(a.archive.name for a in answers if a.failed or a.unsure)
    if chosen is not None:
        return ArchiveLookup(LookupOutcome.FOUND, chosen, candidates, notes,
                             _why(chosen, anchor, anchor_name), unanswered)
    outcome, why = _not_found_why(answers)
    return ArchiveLookup(outcome, None, candidates, notes, why, unanswered)


# --- checking an archive link --------------------------------------------------------------------

def _serving(parsed: ReplayUrl | None, archives: Sequence[ArchiveEndpoint]
             ) -> ArchiveEndpoint | None:
    """The configured archive a capture address belongs to (one with a raw form first)."""
    if parsed is None:
        return None
    where = parsed.prefix.split("://", 1)[-1].lower()
    matching = [a for a in archives if a.replay_prefix.split("://", 1)[-1].lower() == where]
    return next((a for a in matching if a.raw_url), matching[0] if matching else None)


def _raw_form(parsed: ReplayUrl | None, archive: ArchiveEndpoint | None) -> str | None:
    """The raw address of a capture, when the archive serving it has a raw form."""
    if parsed is None or archive is None or not archive.raw_url:
        return None
    return archive.raw_url.format(timestamp=parsed.timestamp, url=parsed.original)


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or url
    except ValueError:  # an address urlsplit refuses (a broken IPv6 bracket): the fetch says why
        return url


def _tell(outages: UnreachableArchives, name: str, result: FetchResult) -> None:
    """Count one request's outcome for or against `name` (archive_outages.py's rule)."""
    if result.failure == "invalid_url":  # nothing was sent: it says nothing of the archive
        return
    if _no_answer(result):
        outages.failed(name, result.detail, no_connection=result.unreachable)
    else:
        outages.answered(name)


async def _unless_given_up(outages: UnreachableArchives, name: str,
                           request: Callable[[], Awaitable[FetchResult]]) -> FetchResult | None:
    """`request()`'s result, counted for or against `name`; None when the run gives `name` up
    while it waits (its turn in the archive's pacing is not waited out)."""
    try:
        async with asyncio.timeout(None) as scope:
            with outages.cut_short(name, scope):
                result = await request()
    except TimeoutError:  # only giving the archive up expires this scope
        return None
    _tell(outages, name, result)
    return result


async def check_archive_url(
    fetcher: ArchiveClient, archive_url: str, access_date: dt.date | None,
    archives: Sequence[ArchiveEndpoint], *, max_gap_days: int = 365,
    outages: UnreachableArchives | None = None,
) -> ArchiveLinkCheck:
    """Check a reference's archive link: a real capture, taken near the access date.

    `outages` is the run's record of the archives it gave up on: a configured archive by its
    name, any other by its host.
    """
    outages = UnreachableArchives() if outages is None else outages
    parsed = parse_replay_url(archive_url)
    serving = _serving(parsed, archives)
    name = serving.name if serving else _host(archive_url)
    target = _raw_form(parsed, serving) or archive_url
    result = None
    if outages.given_up(name) is None:
        result = await _unless_given_up(
            outages, name, lambda: fetcher.fetch(target, same_host_only=True))
    if result is None:
        return ArchiveLinkCheck(False, parsed.captured_at if parsed else None,
                                outages.given_up(name), inconclusive=True)
    # An archive sends a short or inexact timestamp on to a capture: the last one reached counts.
    hops = [parse_replay_url(u) for u in [*(r.url for r in result.redirects), result.final_url]]
    shown = next((hop for hop in reversed(hops) if hop is not None), parsed)
    captured_at = shown.captured_at if shown else parse_http_date(
        result.headers.get("memento-datetime", ""))

    def bad(problem: str, inconclusive: bool = False) -> ArchiveLinkCheck:
        return ArchiveLinkCheck(False, captured_at, problem, inconclusive)

    moved = _moved(target, result, exact_time=False)
    if moved:
        return bad(f"the capture {moved}")
    if result.failure == "invalid_url":
        return bad(f"not a usable archive address: {result.detail}")
    if _no_answer(result) or result.status is None:
        return bad(f"the archive could not be asked: {result.detail}", inconclusive=True)
    if not 200 <= result.status < 300:
        return bad(f"the archive answers {result.detail} for this capture")
    marker = error_page_marker(result.body)
    if marker:
        return bad(f"the archive serves an error page, not a capture ({marker!r})")
    if access_date and captured_at:
        gap = (captured_at.date() - access_date).days
        if gap > max_gap_days:
            return bad(f"captured {captured_at.date().isoformat()}, {gap} days after the access "
                       f"date {access_date.isoformat()}")
    return ArchiveLinkCheck(True, captured_at, None)


# --- Save Page Now -------------------------------------------------------------------------------

def _json_object(result: FetchResult, what: str) -> dict[str, object]:
    try:
        data = json.loads(_body(result, what))
    except json.JSONDecodeError:
        raise ArchiveFormatError(f"{what}: the answer is not JSON") from None
    if not isinstance(data, dict):
        raise ArchiveFormatError(f"{what}: the answer is not a JSON object")
    return data


async def save_page_now(
    client: SaveClient, url: str, credentials: tuple[str, str] | None,
    spn_url: str = SPN_URL, poll: SavePolling = SavePolling(),
    outages: UnreachableArchives | None = None,
) -> SaveResult:
    """Ask Save Page Now 2 to capture `url`, then poll its job within `poll`'s bounds; `outages`
    gives Save Page Now up, by the name `SPN_NAME`, when it cannot be reached.

    The API (SPN2 public API docs draft, V. Banos, 2022-04-05; Internet Archive's sandcrawler
    tests): POST {spn_url} with `Authorization: LOW key:secret`, `Accept: application/json`
    and form `url=`, answered `{"url", "job_id"}`; GET {spn_url}/status/{job_id}, answered
    `status` "pending", "success" (with `timestamp`, `original_url`) or "error" (`status_ext`,
    `message`).
    """
    if credentials is None:
        return SaveResult("failed", None, "Save Page Now 2 needs archive.org S3 keys")
    outages = UnreachableArchives() if outages is None else outages
    headers = {**_JSON, "Authorization": f"LOW {credentials[0]}:{credentials[1]}"}
    posted = None
    if outages.given_up(SPN_NAME) is None:
        posted = await _unless_given_up(outages, SPN_NAME,
                                        lambda: client.post(spn_url, {"url": url}, headers))
    if posted is None:
        return SaveResult("failed", None, outages.given_up(SPN_NAME) or "not asked")
    try:
        job = _json_object(posted, "save request")
    except (_NoAnswer, ArchiveFormatError) as exc:
        return SaveResult("failed", None, str(exc))
    job_id = job.get("job_id")
    if not isinstance(job_id, str) or not job_id:
        return SaveResult("failed", None, f"no job started: {job.get('message') or job}")
    status_url = f"{spn_url.rstrip('/')}/status/{quote(job_id, safe='')}"
    give_up, last = monotonic() + poll.max_wait, "pending"
    for _ in range(poll.polls):
        wait = min(poll.interval, give_up - monotonic())
        if wait < 0:
            break
        await asyncio.sleep(wait)
        try:
            state = _json_object(await client.fetch(status_url, headers=headers), "status")
        except (_NoAnswer, ArchiveFormatError) as exc:
            last = str(exc)  # one failed poll is not the job's end: ask again next turn
            continue
        timestamp = str(state.get("timestamp") or "")
        if state.get("status") == "success" and parse_timestamp(timestamp):
            base = spn_url.rstrip("/").removesuffix("/save")
            original = str(state.get("original_url") or url)
            return SaveResult("saved", f"{base}/web/{timestamp}/{original}",
                              f"job {job_id} saved a capture at {timestamp}")
        if state.get("status") == "error":
            return SaveResult("failed", None, f"{state.get('status_ext') or 'error'}: "
                                              f"{state.get('message') or 'no message'}")
        last = f"status {state.get('status')!r}"
    return SaveResult("pending", None, f"job {job_id} not finished when polling stopped ({last})")
