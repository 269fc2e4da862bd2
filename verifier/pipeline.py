"""Where the stages are wired together. Commands call one function here each."""

from __future__ import annotations

import datetime as dt
import gc
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from verifier.claims import dump_document, load_claims
from verifier.errors import ExtractError, OutputExistsError
from verifier.extract import detect_format, extract_article
from verifier.extract.merge import merge
from verifier.files import write_atomic
from verifier.cache import BodyCache
from verifier.archive import ArchiveLinkCheck, ArchiveLookup, SaveResult, UnreachableArchives
from verifier.archiving import ArchiveJob, check_links, find_copies, plan, save_live
from verifier.assessing import Pair, Source, assess_sources, due
from verifier.checker import check_targets
from verifier.errors import InterruptedRun
from verifier.models import (
    Article,
    CheckStatus,
    ClaimSet,
    Judgement,
    LookupOutcome,
    Passage,
    Reference,
    Snapshot,
    Verdict,
)
from verifier.printable import printable
from verifier.progress import Progress
from verifier.settings import Settings
from verifier.recorder import Recorder
from verifier.reporting import ReportRequest, ReportResult, write_reports
from verifier.run_end import RunEnd
from verifier.store import CheckRow, JudgementRow, LookupRow, RunStatus, Store
from verifier.summary import CheckSummary, Quoted, SupportLine, UrlLine
from verifier.targets import ArchiveLink, Citation, Target, Targets, collect


@dataclass(frozen=True)
class ExtractRequest:
    article: str  # a path, "-" for standard input, or a Wikipedia page URL
    output: Path | None = None
    fmt: str | None = None
    force: bool = False
    merge: bool = False
    title: str | None = None
    url: str | None = None


def _read_article(source: str, stdin: TextIO) -> str:
    path = Path(source)
    try:
        data = stdin.buffer.read() if source == "-" else path.read_bytes()
    except FileNotFoundError:
        raise ExtractError(f"{source}: no such file") from None
    except IsADirectoryError:
        raise ExtractError(f"{source}: is a directory, not an article") from None
    except OSError as exc:
        raise ExtractError(f"{source}: cannot read: {exc.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ExtractError(f"{source}:{line}: not UTF-8 text (byte {exc.start})") from None


def run_extract(request: ExtractRequest, settings: Settings, stdout: TextIO | None = None,
                stdin: TextIO | None = None) -> str:
    """Extract an article's claims and write them; returns a one-line summary."""
    if request.output and request.output.exists() and not (request.force or request.merge):
        raise OutputExistsError(
            f"{request.output} exists; use --merge to update it or --force to replace it"
        )
    note_format = ""
    if request.article.startswith(("http://", "https://")):
        from verifier.extract.remote import extract_url

        document = extract_url(request.article, settings)
    else:
        text = _read_article(request.article, stdin or sys.stdin)
        document = extract_article(text, request.fmt)
        detected = detect_format(text)
        if not document.claims and request.fmt and request.fmt != detected:
            note_format = f"; no claims: read as {request.fmt}, but it looks like {detected}"
    if request.title or request.url:
        old = document.article or Article()
        article = Article(request.title or old.title, request.url or old.url)
        document = replace(document, article=article)

    note = note_format
    if request.merge and request.output and request.output.exists():
        # an invalid file raises ClaimsError here, before anything is written
        existing = load_claims(request.output).documents[0]
        document, stats = merge(existing, document)
        note = f" (merged: {stats.kept} kept, {stats.added} added, {stats.removed} removed)"
    text = dump_document(document)
    if request.output:
        write_atomic(request.output, text)
    else:
        (stdout or sys.stdout).write(text)
    flagged = sum(c.citation_needed for c in document.claims)
    where = request.output or "standard output"
    return (f"extracted {len(document.claims)} claims ({flagged} citation needed) and "
            f"{len(document.references)} references to {where}{note}")




# --- check ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckRequest:
    command: str = "verifier check"
    head_first: bool = False  # --no-assess: bodies are not needed, HEAD may answer
    archive: bool = True  # --no-archive turns the search for archived copies off
    save_credentials: tuple[str, str] | None = None  # --save-live: archive.org keys
    wait: bool = False  # wait for another run's lock instead of exiting 4
    progress: TextIO | None = None  # where progress goes; None with --quiet
    live_progress: bool = False  # a terminal: one line rewritten in place


def _citation_text(citation: Citation, refs: dict[tuple[str, str], Reference]) -> str:
    if citation.ref_key is None:
        return f"inline in {', '.join(citation.claim_ids)}"
    ref = refs.get((citation.document, citation.ref_key))
    title = f" ({ref.title})" if ref and ref.title else ""
    claims = ", ".join(citation.claim_ids) or "no claim"
    return f"ref {citation.ref_key}{title}: {claims}"


def _archived_text(found: LookupRow | None) -> str:
    if found is None:
        return ""
    if found.snapshot is not None:
        when = found.snapshot.captured_at.date().isoformat()
        return f"{found.snapshot.archive}, captured {when}: {found.snapshot.replay_url}"
    if found.outcome is LookupOutcome.NO_SNAPSHOT:
        return "no copy found in any archive"
    return _one_line(found.why or "the archives could not be asked")


def _one_line(text: str, width: int = 300) -> str:
    """Reasons from servers can span lines and carry control characters: one printable line,
    the controls and bidi characters shown (`printable`), not lost."""
    text = " ".join(text.split())  # line breaks of every kind
    if not text.isprintable():  # most are: skip the walk over every character
        shown = "".join(ch if ch.isprintable() else " " for ch in printable(text))
        text = " ".join(shown.split())
    return _shorten(text, width)


def _shorten(text: str, width: int = 90) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _settings_record(settings: Settings) -> dict[str, object]:
    """The settings worth keeping with a run (no credentials are settings)."""
    keep = ("timeout", "concurrency", "per_host", "host_interval", "retries", "max_age",
            "dead_strikes", "dead_after", "max_body_bytes", "run_deadline")
    return {name: getattr(settings, name) for name in keep}


def _lap(started: float) -> float:
    return round(time.monotonic() - started, 3)


RESUME_WITHIN = dt.timedelta(days=1)  # an interrupted run older than this is not continued


def _anchors(targets: Targets, claim_set: ClaimSet) -> dict[str, dt.date | None]:
    """Each URL's anchor date: the earliest access (else publication) date of its references."""
    refs = {(d.name, k): r for d in claim_set.documents for k, r in d.references.items()}
    anchors: dict[str, dt.date | None] = {}
    for target in targets.urls:
        dates = [ref.anchor_date for c in target.citations if c.ref_key is not None
                 and (ref := refs.get((c.document, c.ref_key))) is not None and ref.anchor_date]
        anchors[target.url] = min(dates) if dates else None
    return anchors


def _find_copies(store: Store, run_id: int, targets: Targets, ids: dict[str, int],
                 claim_set: ClaimSet, settings: Settings,
                 save_credentials: tuple[str, str] | None,
                 end: RunEnd) -> tuple[bool, Counter[str]]:
    """Ask the archives about the URLs that need a copy, check the archive links references
    give, and save what no archive holds when asked to; (finished, counts)."""
    url_ids = list(ids.values())
    jobs = plan(targets.urls, ids, store.url_rows(url_ids), _anchors(targets, claim_set),
                store.latest_lookups(url_ids), settings.current_time(),
                dt.timedelta(seconds=settings.archive_expiry), store.outages_by_run())
    counts: Counter[str] = Counter()
    unarchived: list[str] = []
    # One for every stage below: an archive given up as unreachable is not asked again this run.
    outages = UnreachableArchives(lambda outage: store.record_outage(
        run_id, outage.archive, settings.current_time(), outage.reason))

    def record(job: ArchiveJob, found: ArchiveLookup) -> None:
        store.record_lookup(run_id, job.url_id, settings.current_time(), found.outcome,
                            job.anchor, found.snapshot, found.why, found.notes,
                            found.unanswered)
        counts["archive_lookups"] += 1
        if found.outcome is LookupOutcome.NO_SNAPSHOT:
            unarchived.append(job.url)

    finished = end.stage(lambda: find_copies(jobs, settings, record, outages))
    if not finished:
        return finished, counts

    # Archive links: checked until one check finds them sound, then again after the expiry.
    known = store.archive_links_as_of(run_id)
    now = settings.current_time()
    expiry = dt.timedelta(seconds=settings.archive_expiry)
    due = {link.url: link for link in targets.archive_links
           if link.url not in known or not known[link.url].ok
           or now - known[link.url].checked_at >= expiry}

    def record_link(link: ArchiveLink, result: ArchiveLinkCheck) -> None:
        store.record_archive_link(run_id, link.url, settings.current_time(), result.ok,
                                  result.inconclusive, result.captured_at, result.problem)

    finished = end.stage(lambda: check_links(list(due.values()), settings, record_link,
                                             outages))
    if not finished or save_credentials is None:
        return finished, counts

    # Save Page Now, opt-in: live sources no archive holds. A failed save marks nothing dead.
    latest = store.latest_checks([ids[url] for url in unarchived], as_of_run=run_id)
    live = [url for url in unarchived if (c := latest.get(ids[url])) and c.status.is_alive()]

    def record_save(url: str, saved: SaveResult) -> None:
        counts[f"save_{saved.status}"] += 1
        if saved.status == "saved" and saved.snapshot_url:
            now = settings.current_time()
            snapshot = Snapshot("Save Page Now", url, now, 200, saved.snapshot_url, None)
            store.record_lookup(run_id, ids[url], now, LookupOutcome.FOUND, None, snapshot,
                                f"saved on request: {saved.detail}", [saved.detail])

    return end.stage(lambda: save_live(live, settings, save_credentials, record_save,
                                       outages)), counts


def _versions(store: Store, set_id: int, claim_set: ClaimSet) -> dict[tuple[str, str], int]:
    """This run's claim versions, by (document, claim id)."""
    claims = [(d.name, c.id) for d in claim_set.documents for c in d.claims]
    return dict(zip(claims, store.claim_version_ids(set_id), strict=True))


def _sources(store: Store, versions: dict[tuple[str, str], int], targets: Targets,
             ids: dict[str, int], claim_set: ClaimSet, checks: dict[int, CheckRow],
             ) -> list[Source]:
    """Every URL with the claims resting on it (as this run's claim versions)."""
    texts = {(d.name, c.id): c.text for d in claim_set.documents for c in d.claims}
    refs = {(d.name, k): r for d in claim_set.documents for k, r in d.references.items()}
    lookups = store.latest_lookups(list(ids.values()))
    sources = []
    for target in targets.urls:
        pairs: dict[int, Pair] = {}
        for citation in target.citations:
            ref = refs.get((citation.document, citation.ref_key)) if citation.ref_key else None
            quote = ref.quote if ref is not None else None
            for claim_id in citation.claim_ids:
                version = versions.get((citation.document, claim_id))
                if version is not None and (version not in pairs or quote):
                    pairs[version] = Pair(version, texts[(citation.document, claim_id)], quote)
        if not pairs:
            continue
        url_id = ids[target.url]
        unfetchable = (f"the URL is not valid: {target.invalid}" if target.invalid
                       else target.skip)
        sources.append(Source(url_id, target.url, tuple(pairs.values()), checks.get(url_id),
                              lookups.get(url_id), unfetchable))
    return sources


def _assess(store: Store, run_id: int, sources: list[Source], ids: dict[str, int],
            settings: Settings, request: CheckRequest, end: RunEnd) -> tuple[bool, Counter[str]]:
    """Judge every claim against the text of its sources; (finished, counts)."""
    todo = due(sources, store.latest_inputs(list(ids.values())))
    counts: Counter[str] = Counter()
    counts["assessments_unchanged"] = sum(len(s.pairs) for s in sources) - sum(
        len(s.pairs) for s in todo)
    progress = Progress(len(todo), request.progress, live=request.live_progress,
                        label="sources", verb="assessed")

    def done(source: Source, judgements: list[Judgement]) -> None:
        counts["assessments"] += len(judgements)
        progress.advance()

    cache = BodyCache(settings.cache_path())
    try:
        finished = end.stage(lambda: assess_sources(todo, store, run_id, settings, cache, done))
    finally:
        cache.close()
        progress.close()
    return finished, counts


def run_check(request: CheckRequest, settings: Settings) -> CheckSummary:
    """Check every source of the claims, record the run, and summarise what needs attention."""
    with RunEnd(settings) as end:
        return _run(request, settings, end)


def run_audit(request: CheckRequest, report: ReportRequest,
              settings: Settings) -> tuple[CheckSummary, ReportResult]:
    """`run_check`, then the reports of that run, under the same signals and deadline."""
    with RunEnd(settings) as end:
        summary = _run(request, settings, end)
        return summary, write_reports(replace(report, run_id=summary.run_id), settings)


def _run(request: CheckRequest, settings: Settings, end: RunEnd) -> CheckSummary:
    Store.refuse_unusable(settings.db_path())
    claim_set = load_claims(settings.claims, cache=settings.cache_path())
    # The claims live as long as the run: out of the cycle collector's sight, so that its
    # passes do not rescan 100,000 claims again and again; back in it afterwards.
    gc.freeze()
    try:
        return _check(request, settings, claim_set, collect(claim_set, settings), end)
    finally:
        gc.unfreeze()


def _oldest_first(store: Store, due: list[Target], ids: dict[str, int]) -> list[Target]:
    """The due URLs, the never checked first, then by their last check, oldest first: a run
    its deadline cut short leaves the newest checked, and over several runs none starves. The
    scheduler keeps this order within each host as hosts take turns."""
    last = store.last_checked([ids[t.url] for t in due])
    return sorted(due, key=lambda t: (ids[t.url] in last, last.get(ids[t.url], _NEVER)))


_NEVER = dt.datetime.min.replace(tzinfo=dt.timezone.utc)  # a never-checked URL's sort key


def _check(request: CheckRequest, settings: Settings, claim_set: ClaimSet,
           targets: Targets, end: RunEnd) -> CheckSummary:
    with Store.open(settings.db_path()) as store, store.lock(wait=request.wait):
        now = settings.current_time()
        store.close_abandoned_runs(now)

        def start() -> int:
            return store.start_run(request.command, str(settings.claims), now,
                                   _settings_record(settings))

        with end.recording(store, start) as run_id:
            set_id = store.record_claim_set(run_id, claim_set)
            ids = store.url_ids([(t.url, t.host) for t in targets.urls], now)

            # Interrupted runs over the same claims, back to the last finished one, are
            # continued: what they checked is not fetched again.
            resumed: set[int] = set()
            previous = store.previous_run(run_id)
            while (previous and previous.status is RunStatus.INTERRUPTED
                   and previous.claim_set_id == set_id
                   and now - previous.started_at < RESUME_WITHIN):
                resumed |= store.checked_in_run(previous.id)
                previous = store.previous_run(previous.id)
            fresh: set[int] = set()  # found alive within --max-age: not due
            if settings.max_age > 0:
                since = now - dt.timedelta(seconds=settings.max_age)
                alive = [s.value for s in CheckStatus if s.is_alive()]
                fresh = store.recently_alive(since, alive) - resumed
            skip = resumed | fresh
            due = _oldest_first(store, [t for t in targets.urls if ids[t.url] not in skip], ids)

            seconds: dict[str, float] = {}
            started = time.monotonic()
            progress = Progress(len(due), request.progress, live=request.live_progress)
            recorder = Recorder(store, run_id, {t.url: ids[t.url] for t in due}, settings,
                                BodyCache(settings.cache_path()), progress)
            try:
                finished = end.stage(
                    lambda: check_targets(due, settings, recorder, head_first=request.head_first))
            finally:
                recorder.close()
                progress.close()
            counts = dict(recorder.counts)
            seconds["check"] = _lap(started)
            if finished and request.archive:
                started = time.monotonic()
                finished, archive_counts = _find_copies(
                    store, run_id, targets, ids, claim_set, settings, request.save_credentials,
                    end)
                counts.update(archive_counts)
                seconds["archives"] = _lap(started)
            checks = store.latest_checks(list(ids.values()), as_of_run=run_id)
            versions = _versions(store, set_id, claim_set)
            sources = _sources(store, versions, targets, ids, claim_set, checks)
            if finished and not request.head_first:
                started = time.monotonic()
                finished, assess_counts = _assess(store, run_id, sources, ids, settings, request,
                                                  end)
                counts.update(assess_counts)
                seconds["assess"] = _lap(started)
            status = end.finish(store, run_id, counts, finished)
        checked = sum(recorder.counts.values())
        if status is RunStatus.INTERRUPTED:
            raise InterruptedRun(
                f"{end.why}: run {run_id} recorded as interrupted after {checked} of "
                f"{len(due)} URLs; the next run completes what is missing")
        summary = _check_summary(store, run_id, status, targets, ids, claim_set, settings,
                                 checked=checked, fresh=len(fresh),
                                 resumed=len(resumed & set(ids.values())), sources=sources,
                                 checks=checks)
    return replace(summary, seconds=seconds)


def _check_summary(store: Store, run_id: int, status: RunStatus, targets: Targets,
                   ids: dict[str, int], claim_set: ClaimSet, settings: Settings, *,
                   checked: int, fresh: int, resumed: int,
                   sources: list[Source], checks: dict[int, CheckRow]) -> CheckSummary:
    """`checks`: each URL's latest check up to this run; `sources`: this run's pairs."""
    refs = {(d.name, k): r for d in claim_set.documents for k, r in d.references.items()}
    url_ids = list(ids.values())
    latest = checks
    states = store.url_states(url_ids)
    lookups = store.latest_lookups(url_ids)
    archive_now = []
    failing: list[UrlLine] = []
    inconclusive: list[UrlLine] = []
    by_status: Counter[str] = Counter()
    by_state: Counter[str] = Counter()
    for target in targets.urls:
        url_id = ids[target.url]
        check, (state, strikes) = latest.get(url_id), states[url_id]
        by_state[state.value] += 1
        if check is None:
            continue
        by_status[check.status.value] += 1
        found = lookups.get(url_id)
        if (found is not None and found.outcome is LookupOutcome.NO_SNAPSHOT
                and check.status.is_alive()):
            archive_now.append(target.url)
        attention = state.needs_attention()
        if not attention and not (check.status.is_inconclusive()
                                  and check.status is not CheckStatus.SKIPPED
                                  and not target.paywalled):  # a paywall turns bots away
            continue
        line = UrlLine(target.url, check.status.value, _one_line(check.reason or ""),
                       check.http_status, state.value, strikes,
                       tuple(_citation_text(c, refs) for c in target.citations),
                       _archived_text(found))
        (failing if attention else inconclusive).append(line)
    no_url = tuple(_citation_text(c, refs) for c in targets.no_url)
    checked_links = store.archive_links_as_of(run_id)
    links_to_fix = tuple(
        f"{_citation_text(link.citation, refs)}: {link.url}: {known.problem}"
        for link in targets.archive_links
        if (known := checked_links.get(link.url)) is not None
        and not known.ok and not known.inconclusive)
    unsourced = tuple(f"{c.id}: {_shorten(c.text)}" for c in claim_set.claims if c.citation_needed)
    by_verdict, unsupported, drifted = _support(store, run_id, targets, ids, claim_set, sources)
    return CheckSummary(
        run_id=run_id, run_status=status.value, database=str(store.path),
        urls=len(targets.urls), checked=checked, fresh=fresh, resumed=resumed,
        by_status=dict(by_status), by_state=dict(by_state),
        failing=tuple(sorted(failing, key=lambda u: (u.state != "confirmed_dead", u.url))),
        inconclusive=tuple(inconclusive), no_url=no_url, citation_needed=unsourced,
        archive_now=tuple(archive_now), archive_links_to_fix=links_to_fix,
        strikes_to_confirm=settings.dead_strikes, days_to_confirm=settings.dead_after / 86400,
        by_verdict=by_verdict, unsupported=unsupported, drifted=drifted,
        unreachable_archives={archive: _one_line(reason)
                              for archive, reason in store.outages(run_id).items()},
    )


def _quoted(passage: Passage | None) -> Quoted | None:
    if passage is None:
        return None
    return Quoted(_one_line(passage.text, 400), passage.start, passage.end)


def _snapshot_text(snapshot: Snapshot | None) -> str:
    if snapshot is None:
        return ""
    return (f"{snapshot.archive}, captured {snapshot.captured_at.date().isoformat()}: "
            f"{snapshot.replay_url}")


_READ_BACK = 500  # verdicts read back whole at a time: their evidence is most of their weight


def _read_back(store: Store, row_ids: list[int]) -> Iterator[JudgementRow]:
    """Stored verdicts, whole, in the order of `row_ids`, a few hundred held at a time."""
    for start in range(0, len(row_ids), _READ_BACK):
        chunk = row_ids[start:start + _READ_BACK]
        order = {row_id: i for i, row_id in enumerate(chunk)}
        yield from sorted(store.judgements_by_id(chunk), key=lambda row: order[row.id])


def _support(store: Store, run_id: int, targets: Targets, ids: dict[str, int],
             claim_set: ClaimSet, sources: list[Source],
             ) -> tuple[dict[str, int], tuple[SupportLine, ...], tuple[SupportLine, ...]]:
    """Verdicts of this run's pairs (their latest, up to this run): counts, findings, drift."""
    several = len(claim_set.documents) > 1
    latest = store.latest_verdict_ids(list(ids.values()), as_of_run=run_id)
    by_verdict: Counter[str] = Counter()
    url_of = {source.url_id: source.url for source in sources}
    wanted = []  # only findings and drift are read back whole, in the order the claims cite
    for source in sources:
        for pair in source.pairs:
            found = latest.get((pair.claim_version_id, source.url_id))
            if found is None:
                continue
            row_id, verdict, drift = found
            by_verdict[verdict] += 1
            if drift or Verdict(verdict).is_finding():
                wanted.append(row_id)
    unsupported, drifted = [], []
    for row in _read_back(store, wanted):
        j = row.judgement
        a = j.assessment
        name = f"{row.document}: {row.claim_id}" if several else row.claim_id
        line = SupportLine(name, _shorten(row.claim_text, 200), url_of[row.url_id],
                           a.verdict.value, a.score, _one_line(a.reason), j.source.value,
                           _quoted(a.evidence), _snapshot_text(j.snapshot))
        if j.drift is not None:
            drifted.append(replace(line, drift_archived=j.drift.archived.verdict.value,
                                   drift_evidence=_quoted(j.drift.archived.evidence)))
        elif a.verdict.is_finding():
            unsupported.append(line)
    unfetchable = sum(len(c.claim_ids) for c in targets.no_url)
    if unfetchable:  # references with nothing to fetch support nothing either
        by_verdict[Verdict.UNVERIFIABLE.value] += unfetchable
    return dict(by_verdict), tuple(unsupported), tuple(drifted)
