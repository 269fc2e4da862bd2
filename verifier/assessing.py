"""Does each source still say what its claims say: read the text of every source the run can
read, assess each claim resting on it, and compare with the archived copy when the live page
falls short.

Written policy:
- The live page is read when its latest check found it alive with a body. The bytes are the
  ones the check cached; each distinct body is read once, and what reading it gave is stored
  under the body's hash, so a page that did not change is never read again.
- The archived copy the archive stage chose is read when the live page cannot be (failing,
  dead, blocked, unreadable), and when the live page falls short of supporting one of its
  claims and the copy is from before the references' date. Then both are assessed, and the
  claim has drifted when the archived copy supported it and the live page does not. A live
  page that supports every claim is not compared: drift is impossible, and the archive is
  spared a request.
- An archived copy never changes: its bytes are fetched and read once, ever.
- A pair (claim, URL) is assessed again only when what its verdict rests on changed: the
  assessor, the claim, the quote, the live body, the snapshot. A verdict that could not be
  reached for a passing reason (the archive did not answer) is tried again next run.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TypeVar

from verifier.assess import assess
from verifier.cache import BodyCache
from verifier.fetch import Fetcher
from verifier.models import Assessment, Drift, Judgement, Snapshot, SourceKind, Verdict
from verifier.settings import Settings
from verifier.store import CheckRow, JudgementRecord, LookupRow, Reading, Store
from verifier.store_rows import sha256_of
from verifier.text import SourceText, TextExtractor, TextStatus

# Raise when `assess` changes what it decides: every pair is then assessed again.
ASSESSOR_VERSION = "2"
_RETRY = "retry:"  # an `inputs` prefix: the verdict is not final, assess again next run

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Pair:
    """One claim resting on one URL."""

    claim_version_id: int
    claim_text: str
    quote: str | None  # the citing reference's quote, when it gives one


@dataclass(frozen=True, slots=True)
class Source:
    """One URL to assess its claims against, with what the run knows of it."""

    url_id: int
    url: str
    pairs: tuple[Pair, ...]
    check: CheckRow | None  # the latest check
    lookup: LookupRow | None  # the latest archive lookup
    unfetchable: str | None = None  # why the URL is never fetched (invalid, ignored by a rule)


@dataclass(frozen=True, slots=True)
class Copy:
    """A readable text of a source: the live page or an archived snapshot."""

    kind: SourceKind
    text: str
    sha256: str
    language: str | None
    snapshot: Snapshot | None = None
    snapshot_id: int | None = None


def drifted(archived: Assessment, live: Assessment) -> bool:
    """The archived copy supported the claim and the live page does not any more: it turned
    into a finding, lost a date, number or name the copy had, or (from a full match) no longer
    supports the claim at all. Precision first: a partial match merely becoming inconclusive
    is not drift."""
    if not archived.verdict.supports():
        return False
    lost = set(archived.matched) & {*live.missing, *live.contradicted}
    if live.verdict.is_finding() or lost:
        return True
    return archived.verdict is Verdict.SUPPORTED and not live.verdict.supports()


def judge(pair: Pair, live: Copy | None, archived: Copy | None, why: str) -> Judgement:
    """The verdict of one pair from the copies read (pure); `why` says why none could be."""
    return combine(live, _assess(pair, live) if live else None,
                   archived, _assess(pair, archived) if archived else None, why)


def combine(live: Copy | None, live_a: Assessment | None, archived: Copy | None,
            archived_a: Assessment | None, why: str) -> Judgement:
    """One verdict from the assessments of the live and archived copies (either may be None)."""
    if live is not None and live_a is not None:
        drift = None
        if archived is not None and archived_a is not None and archived.snapshot is not None \
                and drifted(archived_a, live_a):
            drift = Drift(archived.snapshot, archived_a, live_a)
        return Judgement(live_a, SourceKind.LIVE, live.sha256,
                         archived.snapshot if archived else None, drift)
    if archived is not None and archived_a is not None:
        return Judgement(archived_a, SourceKind.ARCHIVE, archived.sha256, archived.snapshot)
    return Judgement(Assessment(Verdict.UNVERIFIABLE, 0.0, None, reason=why), SourceKind.NONE)


def _assess(pair: Pair, copy: Copy) -> Assessment:
    return assess(pair.claim_text, copy.text, quote=pair.quote, source_language=copy.language)


def inputs_of(pair: Pair, source: Source) -> str:
    """What a pair's verdict rests on, hashed: the same inputs give the same verdict."""
    check = source.check
    live = (check.body_sha256 if check is not None and check.status.is_alive()
            else check.status.value if check is not None else source.unfetchable)
    lookup = source.lookup
    snapshot = lookup.snapshot_id if lookup is not None else None
    anchor = lookup.anchor_date.isoformat() if lookup and lookup.anchor_date else None
    return sha256_of([ASSESSOR_VERSION, pair.claim_text, pair.quote, live, snapshot, anchor])


def due(sources: Sequence[Source], latest: Mapping[tuple[int, int], str]) -> list[Source]:
    """The sources with pairs whose inputs changed since their latest verdict (`latest`: the
    inputs hash of each pair's latest verdict), with only those pairs."""
    out = []
    for source in sources:
        changed = tuple(pair for pair in source.pairs
                        if latest.get((pair.claim_version_id, source.url_id))
                        != inputs_of(pair, source))
        if changed:
            out.append(replace(source, pairs=changed))
    return out


_FLUSH_EVERY = 500  # sources whose verdicts are committed together


@dataclass
class _Stage:
    store: Store
    run_id: int
    settings: Settings
    cache: BodyCache
    extractor: TextExtractor
    fetcher: Fetcher
    pool: ThreadPoolExecutor
    on_done: Callable[[Source, list[Judgement]], None]
    # Written in batches: one transaction per source made the database the stage's bottleneck
    # (2-3 ms a commit, mostly WAL checkpoints). A run killed between two batches loses only
    # verdicts, which the next run reaches again.
    readings: dict[str, SourceText] = field(default_factory=dict)
    snapshot_bodies: list[tuple[int, str]] = field(default_factory=list)
    records: list[JudgementRecord] = field(default_factory=list)
    sources_pending: int = 0

    def flush(self) -> None:
        """Commit what the stage has found so far, in one transaction."""
        if not (self.readings or self.snapshot_bodies or self.records):
            return
        now = self.settings.current_time()
        with self.store.write():
            for body_sha256, text in self.readings.items():
                self.store.keep_reading(body_sha256, text, now)
            for snapshot_id, body_sha256 in self.snapshot_bodies:
                self.store.set_snapshot_body(snapshot_id, body_sha256)
            self.store.record_judgements(self.run_id, now, self.records)
        self.readings, self.snapshot_bodies, self.records = {}, [], []
        self.sources_pending = 0

    async def _in_thread(self, work: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.pool, work)

    async def _read(self, body_sha256: str, body: bytes | None, content_type: str | None,
                    url: str) -> tuple[Reading | None, str | None]:
        """The reading of a body, and its text when just read: stored or read earlier in this
        run, else read now (None when the bytes are not at hand)."""
        pending = self.readings.get(body_sha256)
        if pending is not None:
            return Reading.of(body_sha256, pending), pending.text
        known = self.store.reading(body_sha256)
        if known is not None or body is None:
            return known, None
        text: SourceText = await self._in_thread(
            lambda: self.extractor.extract(body, content_type, url))
        self.readings[body_sha256] = text
        return Reading.of(body_sha256, text), text.text

    def _copy(self, reading: Reading, kind: SourceKind, lookup: LookupRow | None = None,
              text: str | None = None) -> Copy | None:
        if reading.text_sha256 is None:
            return None
        text = text if text is not None else self.store.text(reading.text_sha256)
        if text is None:
            return None
        snapshot = lookup.snapshot if lookup else None
        return Copy(kind, text, reading.text_sha256, reading.language, snapshot,
                    lookup.snapshot_id if lookup else None)

    async def live(self, source: Source) -> tuple[Copy | None, str, bool]:
        """The live page's text, or why there is none; and whether to try again next run."""
        check = source.check
        if check is None:
            return None, source.unfetchable or "the source was not checked", False
        if not check.status.is_alive():
            return None, f"the source is {check.status.value}: {check.reason or ''}".rstrip(
                ": "), False
        if not check.body_sha256:
            return None, "the last check did not fetch the page's body", False
        cached = self.cache.get(source.url)
        body = cached.body if cached is not None and check.body_sha256 == _sha(cached.body) \
            else None
        content_type = cached.headers.get("content-type") if cached else check.content_type
        reading, text = await self._read(check.body_sha256, body, content_type, source.url)
        if reading is None:
            return None, "the page's body is no longer cached; the next check reads it", True
        copy = self._copy(reading, SourceKind.LIVE, text=text)
        return copy, f"the page {_unreadable(reading)}", False

    async def archived(self, lookup: LookupRow) -> tuple[Copy | None, str, bool]:
        """The archived copy's text, or why there is none; and whether to try again."""
        snapshot = lookup.snapshot
        assert snapshot is not None and lookup.snapshot_id is not None
        where = f"the archived copy ({snapshot.archive}, {snapshot.captured_at.date()})"
        if lookup.snapshot_body and lookup.snapshot_body not in self.readings:
            reading = self.store.reading(lookup.snapshot_body)
            if reading is not None:
                copy = self._copy(reading, SourceKind.ARCHIVE, lookup)
                return copy, f"{where} {_unreadable(reading)}", False
        result = await self.fetcher.fetch(snapshot.raw_url or snapshot.replay_url,
                                          same_host_only=True)
        if result.failure or not result.status or not 200 <= result.status < 300:
            return None, f"{where} could not be fetched: {result.detail}", True
        body_sha = _sha(result.body)
        reading, text = await self._read(body_sha, result.body,
                                         result.headers.get("content-type"), snapshot.url)
        assert reading is not None
        self.snapshot_bodies.append((lookup.snapshot_id, body_sha))
        return (self._copy(reading, SourceKind.ARCHIVE, lookup, text),
                f"{where} {_unreadable(reading)}", False)

    async def source(self, source: Source) -> None:
        pairs = source.pairs
        live, why, retry = await self.live(source)
        live_as: list[Assessment | None] = [None] * len(pairs)
        if live is not None:
            copy = live
            live_as = await self._in_thread(lambda: [_assess(p, copy) for p in pairs])
        lookup = source.lookup
        archived: Copy | None = None
        archived_as: list[Assessment | None] = [None] * len(pairs)
        if lookup is not None and lookup.snapshot is not None and (live is None or (
                _before_anchor(lookup)
                and any(a is not None and a.verdict is not Verdict.SUPPORTED for a in live_as))):
            archived, archived_why, archived_retry = await self.archived(lookup)
            retry = retry or archived_retry  # without the copy, drift could not be looked for
            if live is None:
                why = f"{why}; {archived_why}"
            if archived is not None:
                old = archived
                archived_as = await self._in_thread(lambda: [_assess(p, old) for p in pairs])
        judgements = [combine(live, la, archived, aa, why)
                      for la, aa in zip(live_as, archived_as, strict=True)]
        for pair, judgement in zip(pairs, judgements, strict=True):
            inputs = inputs_of(pair, source)
            self.records.append(JudgementRecord(
                pair.claim_version_id, source.url_id,
                archived.snapshot_id if archived is not None else None, judgement,
                _RETRY + inputs if retry else inputs))
        self.sources_pending += 1
        if self.sources_pending >= _FLUSH_EVERY:
            self.flush()
        self.on_done(source, judgements)


    def failed(self, source: Source, exc: Exception) -> None:
        """The last resort: verifier failed on this source (a bug). Each pair is unverifiable,
        says why, and is assessed again next run; the stage goes on with the others."""
        why = (f"verifier failed while assessing this source: {type(exc).__name__}: {exc} "
               "(a bug; nothing is known of the claim's support)")
        judgement = combine(None, None, None, None, why)
        for pair in source.pairs:
            self.records.append(JudgementRecord(pair.claim_version_id, source.url_id, None,
                                                judgement, _RETRY + inputs_of(pair, source)))
        self.sources_pending += 1
        self.on_done(source, [judgement] * len(source.pairs))


def _before_anchor(lookup: LookupRow) -> bool:
    snapshot = lookup.snapshot
    return (snapshot is not None and lookup.anchor_date is not None
            and snapshot.captured_at.date() <= lookup.anchor_date)


def _unreadable(reading: Reading) -> str:
    if reading.status is TextStatus.OK:
        return "was read"
    return f"has no readable text ({reading.status.value}: {reading.detail or 'no detail'})"


def _sha(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


async def assess_sources(sources: Sequence[Source], store: Store, run_id: int,
                         settings: Settings, cache: BodyCache,
                         on_done: Callable[[Source, list[Judgement]], None]) -> None:
    """Assess every pair of every source, reading texts in worker processes; records each
    source's verdicts as soon as they are reached."""
    workers = max(1, settings.text_workers)
    # The extractor closes first: a stopped stage kills the workers still reading, so that the
    # pool's threads waiting on them return at once instead of after the time limit.
    with ThreadPoolExecutor(workers, thread_name_prefix="verifier-assess") as pool, \
            TextExtractor(settings.text_timeout, settings.text_memory, workers) as extractor:
        async with Fetcher(settings) as fetcher:
            stage = _Stage(store, run_id, settings, cache, extractor, fetcher, pool, on_done)
            queue = list(reversed(sources))

            async def worker() -> None:
                while queue:
                    source = queue.pop()
                    try:
                        await stage.source(source)
                    except Exception as exc:  # noqa: BLE001 - the last resort, see failed()
                        stage.failed(source, exc)

            # Archive fetches wait on politeness intervals: more sources in flight than readers.
            try:
                await asyncio.gather(*(worker() for _ in range(min(len(sources), workers * 4))))
            finally:
                stage.flush()  # an interrupted run keeps every verdict it reached
