"""What a report says, built from the history database alone (no network): the data every
format renders, most actionable first.

A report is about one run: the claims that run read, each URL as of that run (its latest check
made in the run or before it), the archived copy chosen, and each claim's latest verdict up
to it. "Changes" compare it with the run before.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from verifier.models import Article, Claim, ClaimSet, Document, Reference, Verdict
from verifier.settings import Settings
from verifier.store import CheckRow, ClaimRow, LookupRow, RunRow, Store, UrlRow, VerdictLine
from verifier.store_rows import sha256_of
from verifier.targets import Target, collect

HISTORY_RUNS = 12  # runs shown in the chart of URL states


class FindingKind(enum.Enum):
    """What an editor is asked to act on, in the order the worklist shows them."""

    CITATION_NEEDED = "citation_needed"  # the article marks the claim as unsourced
    DEAD = "dead"  # the source is failing or confirmed dead
    UNSUPPORTED = "unsupported"  # the source does not say it, or lacks the quote
    NO_URL = "no_url"  # the reference gives nothing to check
    DRIFTED = "drifted"  # the archived copy supported the claim, the live page does not
    UNARCHIVED = "unarchived"  # a live source no archive holds

    @property
    def title(self) -> str:
        return _TITLES[self]


_TITLES = {
    FindingKind.CITATION_NEEDED: "Citation needed",
    FindingKind.DEAD: "Dead or failing sources",
    FindingKind.UNSUPPORTED: "Sources that do not support their claims",
    FindingKind.NO_URL: "References without a URL",
    FindingKind.DRIFTED: "Drifted sources",
    FindingKind.UNARCHIVED: "Live sources no archive holds",
}


class ChangeKind(enum.Enum):
    """What changed since the run before."""

    NEWLY_FAILING = "newly_failing"
    NEWLY_DEAD = "newly_dead"
    RECOVERED = "recovered"
    NEWLY_ARCHIVED = "newly_archived"
    VERDICT_CHANGED = "verdict_changed"

    @property
    def title(self) -> str:
        if self is ChangeKind.NEWLY_DEAD:
            return "Newly confirmed dead"
        return str(self.value).replace("_", " ").capitalize()


class FailOn(enum.Enum):
    """What makes a run exit 1 (`--fail-on`): a closed list."""

    NEW_FAILING = "new-failing"  # a source failing now that was not before
    NEW_DEAD = "new-dead"  # a source newly confirmed dead
    DEAD = "dead"  # any failing or confirmed dead source
    CITATION_NEEDED = "citation-needed"
    UNSUPPORTED = "unsupported"  # not supported, or the quote is not in the source
    DRIFT = "drift"
    NO_URL = "no-url"
    UNARCHIVED = "unarchived"


# Newly dead sources, claims their sources contradict, drift: each asks an editor to act, and
# none comes and goes with a flaky server.
DEFAULT_FAIL_ON = (FailOn.NEW_DEAD, FailOn.UNSUPPORTED, FailOn.DRIFT)

_FAILS_FINDING = {
    FailOn.DEAD: FindingKind.DEAD, FailOn.CITATION_NEEDED: FindingKind.CITATION_NEEDED,
    FailOn.UNSUPPORTED: FindingKind.UNSUPPORTED, FailOn.DRIFT: FindingKind.DRIFTED,
    FailOn.NO_URL: FindingKind.NO_URL, FailOn.UNARCHIVED: FindingKind.UNARCHIVED,
}
_FAILS_CHANGE = {FailOn.NEW_FAILING: ChangeKind.NEWLY_FAILING,
                 FailOn.NEW_DEAD: ChangeKind.NEWLY_DEAD}


@dataclass(frozen=True, slots=True)
class Row:
    """One claim resting on one source (or on none): the unit of the CSV and of the tables."""

    document: str
    claim_id: str
    claim: str
    section: str | None
    citation_needed: bool
    ref_key: str | None  # None for a URL written in the claim itself, or no source at all
    ref_title: str | None
    url: str | None  # None when the reference gives nothing to check
    host: str | None = None
    status: str | None = None  # the latest check's status
    http_status: int | None = None
    final_url: str | None = None
    reason: str | None = None
    checked_at: str | None = None
    url_state: str | None = None
    strikes: int | None = None
    last_alive_at: str | None = None
    first_failure_at: str | None = None
    archive: str | None = None  # the archive holding the chosen copy
    snapshot_url: str | None = None
    snapshot_date: str | None = None
    archive_lookup: str | None = None  # found, no_snapshot or failed; None if never asked
    verdict: str | None = None
    score: float | None = None
    verdict_reason: str | None = None
    read_from: str | None = None  # live or archive
    evidence: str | None = None
    evidence_start: int | None = None
    evidence_end: int | None = None
    drift_archived_verdict: str | None = None
    drift_archived_evidence: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing in the worklist."""

    kind: FindingKind
    row: Row
    detail: str  # what is wrong, in words
    action: str  # what to do about it
    acknowledged: bool = False


@dataclass(frozen=True, slots=True)
class Change:
    kind: ChangeKind
    url: str
    claim_id: str | None
    before: str | None
    after: str | None


@dataclass(frozen=True, slots=True)
class DomainLine:
    host: str
    urls: int
    failing: int
    dead: int
    unsupported: int


@dataclass(frozen=True, slots=True)
class RunPoint:
    """URL states as of one run, for the chart."""

    run_id: int
    started_at: str
    states: dict[str, int]


@dataclass(frozen=True, slots=True)
class Report:
    run_id: int
    run_status: str
    started_at: str
    finished_at: str | None
    claims_path: str
    previous_run_id: int | None
    documents: tuple[str, ...]
    findings: tuple[Finding, ...]
    changes: tuple[Change, ...]
    rows: tuple[Row, ...]
    by_status: dict[str, int] = field(default_factory=dict)
    by_state: dict[str, int] = field(default_factory=dict)
    by_verdict: dict[str, int] = field(default_factory=dict)
    by_domain: tuple[DomainLine, ...] = ()
    history: tuple[RunPoint, ...] = ()
    fail_on: tuple[FailOn, ...] = DEFAULT_FAIL_ON

    def fails(self, finding: Finding) -> bool:
        """The finding makes the run fail: `--fail-on` names its kind, and nobody has
        acknowledged it (as it is now)."""
        return not finding.acknowledged and any(
            _FAILS_FINDING.get(f) is finding.kind for f in self.fail_on)

    def failing_changes(self) -> tuple[Change, ...]:
        kinds = {_FAILS_CHANGE[f] for f in self.fail_on if f in _FAILS_CHANGE}
        return tuple(c for c in self.changes if c.kind in kinds)

    def failures(self) -> tuple[Finding | Change, ...]:
        """Everything that makes the run fail, under `fail_on`."""
        return (*(f for f in self.findings if self.fails(f)), *self.failing_changes())

    def findings_of(self, kind: FindingKind) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.kind is kind)

    def changes_of(self, kind: ChangeKind) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.kind is kind)


def fingerprint(finding: Finding) -> str:
    """What a finding says, hashed: an acknowledgement holds until this changes (a failing
    source confirmed dead, another verdict or reason, another archived copy)."""
    r = finding.row
    said: tuple[object, ...] = {
        FindingKind.CITATION_NEEDED: (r.claim,),
        FindingKind.DEAD: (r.url_state, r.snapshot_url),
        FindingKind.UNSUPPORTED: (r.claim, r.verdict, r.verdict_reason),
        FindingKind.NO_URL: (r.ref_title,),
        FindingKind.DRIFTED: (r.claim, r.verdict, r.snapshot_url, r.drift_archived_verdict),
        FindingKind.UNARCHIVED: (r.archive_lookup,),
    }[finding.kind]
    return sha256_of([finding.kind.value, r.document, r.claim_id, r.ref_key, r.url, *said])


def matching(report: Report, target: str) -> tuple[Finding, ...]:
    """The findings about a claim (by id) or a source (by URL, as the report spells it)."""
    return tuple(f for f in report.findings if target in (f.row.claim_id, f.row.url))


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def claim_set_of(store: Store, run_id: int,
                 claim_rows: Sequence[ClaimRow] | None = None) -> ClaimSet:
    """The claims and references a run read, as documents again."""
    claims: dict[str, list[Claim]] = {}
    for row in claim_rows if claim_rows is not None else store.claims_as_of(run_id):
        claims.setdefault(row.document, []).append(row.claim)
    refs: dict[str, dict[str, Reference]] = {}
    for ref_row in store.references_as_of(run_id):
        refs.setdefault(ref_row.document, {})[ref_row.reference.key] = ref_row.reference
    names = list(dict.fromkeys([*claims, *refs]))
    # A document's name is its article's URL or title, else its file name: a title keeps it.
    return ClaimSet(tuple(
        Document(tuple(claims.get(name, ())), dict(refs.get(name, {})), Article(title=name))
        for name in names))


@dataclass
class _Sources:
    """Everything stored about the run's URLs."""

    ids: dict[str, int]
    checks: dict[int, CheckRow]
    urls: dict[int, UrlRow]
    lookups: dict[int, LookupRow]
    judged: dict[tuple[int, int], VerdictLine]


def _url_fields(target: Target, s: _Sources) -> tuple[int | None, dict[str, Any]]:
    """A URL's id and the fields of its rows that are the URL's, made once for all its claims
    (the strings are then shared by every row citing it)."""
    url_id = s.ids.get(target.url)
    check = s.checks.get(url_id) if url_id is not None else None
    url = s.urls.get(url_id) if url_id is not None else None
    lookup = s.lookups.get(url_id) if url_id is not None else None
    snapshot = lookup.snapshot if lookup else None
    return url_id, dict(
        url=target.url, host=target.host or None,
        status=check.status.value if check else None,
        http_status=check.http_status if check else None,
        final_url=check.final_url if check and check.final_url != target.url else None,
        reason=check.reason if check else None,
        checked_at=_iso(check.checked_at) if check else None,
        url_state=(check.url_state.value if check and check.url_state
                   else url.state.value if url else None),
        strikes=check.strikes if check and check.strikes is not None else
        (url.strikes if url else None),
        last_alive_at=_iso(url.last_alive_at) if url else None,
        first_failure_at=_iso(url.first_failure_at) if url else None,
        archive=snapshot.archive if snapshot else None,
        snapshot_url=snapshot.replay_url if snapshot else None,
        snapshot_date=_iso(snapshot.captured_at.date()) if snapshot else None,
        archive_lookup=lookup.outcome.value if lookup else None,
    )


def _row(document: str, claim: Claim, ref_key: str | None, ref_title: str | None,
         url: tuple[int | None, dict[str, Any]] | None, s: _Sources, version: int | None,
         ) -> Row:
    """A claim's row for one of its sources (`url`: from _url_fields; None: no URL)."""
    if url is None:
        return Row(document=document, claim_id=claim.id, claim=claim.text,
                   section=claim.section, citation_needed=claim.citation_needed, ref_key=ref_key,
                   ref_title=ref_title, url=None)
    url_id, url_fields = url
    judged = s.judged.get((version, url_id)) if url_id is not None and version else None
    drift = judged.drift_archived if judged else None
    return Row(  # built whole: dataclasses.replace costs as much again, 100,000 times
        document=document, claim_id=claim.id, claim=claim.text, section=claim.section,
        citation_needed=claim.citation_needed, ref_key=ref_key, ref_title=ref_title,
        **url_fields,
        verdict=judged.verdict.value if judged else None,
        score=judged.score if judged else None,
        verdict_reason=judged.reason if judged else None,
        read_from=judged.source.value if judged else None,
        evidence=judged.evidence.text if judged and judged.evidence else None,
        evidence_start=judged.evidence.start if judged and judged.evidence else None,
        evidence_end=judged.evidence.end if judged and judged.evidence else None,
        drift_archived_verdict=drift.verdict.value if drift else None,
        drift_archived_evidence=drift.evidence.text if drift and drift.evidence else None,
    )


def build(store: Store, run_id: int, settings: Settings,
          fail_on: tuple[FailOn, ...] = DEFAULT_FAIL_ON) -> Report:
    """The report of one run, from the store alone."""
    acked = store.acked_fingerprints()
    run = store.run(run_id)
    documents, rows, ids = _rows_of(store, run_id, settings)
    previous = _previous(store, run)
    return Report(
        run_id=run.id, run_status=run.status.value, started_at=_iso(run.started_at) or "",
        finished_at=_iso(run.finished_at), claims_path=run.claims_path or "",
        previous_run_id=previous.id if previous else None,
        documents=documents,
        findings=tuple(replace(f, acknowledged=fingerprint(f) in acked)
                       for f in _findings(rows)),
        changes=tuple(_changes(store, previous, rows, ids)),
        rows=tuple(rows),
        by_status=_count(r.status for r in _per_url(rows)),
        by_state=_count(r.url_state for r in _per_url(rows)),
        by_verdict=_count(r.verdict or ("unverifiable" if r.url is None and r.ref_key else None)
                          for r in rows),
        by_domain=_domains(rows),
        history=tuple(_history(store, run_id, list(ids.values()))),
        fail_on=fail_on,
    )


_BATCH = 2000  # URLs whose checks and verdicts are held at once while their rows are built


def _batches(store: Store, run_id: int, targets: Sequence[Target], ids: dict[str, int],
             ) -> Iterator[tuple[Target, _Sources]]:
    """Each target with what is stored about its batch of URLs, read a batch at a time."""
    for start in range(0, len(targets), _BATCH):
        batch = targets[start:start + _BATCH]
        id_list = [ids[t.url] for t in batch if t.url in ids]
        sources = _Sources(ids, store.latest_checks(id_list, as_of_run=run_id),
                           store.url_rows(id_list),
                           store.latest_lookups(id_list, as_of_run=run_id),
                           store.latest_verdict_lines(id_list, as_of_run=run_id))
        for target in batch:
            yield target, sources


def _rows_of(store: Store, run_id: int, settings: Settings,
             ) -> tuple[tuple[str, ...], list[Row], dict[str, int]]:
    """The run's documents, a row per claim and source in the claims' order, and the URLs' ids.

    What the rows are built from is held a batch of URLs at a time (checks, verdicts) or let
    go on return (claims): at 100,000 claims it weighs as much as the rows."""
    claim_rows = store.claims_as_of(run_id)
    claim_set = claim_set_of(store, run_id, claim_rows)
    targets = collect(claim_set, settings)
    url_list = [t.url for t in targets.urls]
    ids = store.find_url_ids(url_list)
    versions = {(r.document, r.claim.id): r.version_id for r in claim_rows}
    claims = {(d.name, c.id): c for d in claim_set.documents for c in d.claims}
    order = {key: i for i, key in enumerate(claims)}
    refs = {(d.name, k): r for d in claim_set.documents for k, r in d.references.items()}

    rows: list[Row] = []
    cited: set[tuple[str, str]] = set()
    for target, sources in _batches(store, run_id, targets.urls, ids):
        url = _url_fields(target, sources)
        for citation in target.citations:
            ref = refs.get((citation.document, citation.ref_key)) if citation.ref_key else None
            for claim_id in citation.claim_ids:
                key = (citation.document, claim_id)
                cited.add(key)
                rows.append(_row(citation.document, claims[key], citation.ref_key,
                                 ref.title if ref else None, url, sources, versions.get(key)))
    sources = _Sources(ids, {}, {}, {}, {})  # the rows below have no URL
    for citation in targets.no_url:
        ref = refs.get((citation.document, citation.ref_key or ""))
        for claim_id in citation.claim_ids:
            cited.add((citation.document, claim_id))
            rows.append(_row(citation.document, claims[(citation.document, claim_id)],
                             citation.ref_key, ref.title if ref else None, None, sources, None))
    for key in claims:
        if key not in cited:  # no source at all
            rows.append(_row(key[0], claims[key], None, None, None, sources, None))
    rows.sort(key=lambda r: order.get((r.document, r.claim_id), 0))
    return tuple(d.name for d in claim_set.documents), rows, ids


def _previous(store: Store, run: RunRow) -> RunRow | None:
    previous = store.previous_run(run.id)
    while previous is not None and not previous.status.is_finished():
        previous = store.previous_run(previous.id)
    return previous


def _per_url(rows: Sequence[Row]) -> list[Row]:
    seen: dict[str, Row] = {}
    for row in rows:
        if row.url is not None and row.url not in seen:
            seen[row.url] = row
    return list(seen.values())


def _count(values: Iterable[str | None]) -> dict[str, int]:
    counts: Counter[str] = Counter(v for v in values if v)
    return dict(counts.most_common())


def _findings(rows: Sequence[Row]) -> list[Finding]:
    found: list[Finding] = []
    seen_claims: set[tuple[str, str]] = set()
    for row in rows:
        key = (row.document, row.claim_id)
        if row.citation_needed and key not in seen_claims:
            seen_claims.add(key)
            found.append(Finding(FindingKind.CITATION_NEEDED, row, "marked citation needed",
                                 "find a reliable source, or remove the claim"))
    for row in rows:
        if row.url_state in ("failing", "confirmed_dead"):
            copy = (f"use the archived copy {row.snapshot_url} ({row.archive}, "
                    f"{row.snapshot_date})" if row.snapshot_url else "no copy found")
            what = "confirmed dead" if row.url_state == "confirmed_dead" else (
                f"failing ({row.strikes or 0} strikes)")
            found.append(Finding(FindingKind.DEAD, row, f"{what}: {row.reason or row.status}",
                                 copy))
    for row in rows:
        if row.verdict in (Verdict.NOT_SUPPORTED.value, Verdict.QUOTE_MISMATCH.value) \
                and row.drift_archived_verdict is None:
            found.append(Finding(FindingKind.UNSUPPORTED, row, row.verdict_reason or "",
                                 "check the source; replace it or correct the claim"))
    for row in rows:
        if row.url is None and row.ref_key is not None:
            found.append(Finding(FindingKind.NO_URL, row, "the reference gives no URL or DOI",
                                 "add a URL, a DOI or an archived copy"))
    for row in rows:
        if row.drift_archived_verdict is not None:
            found.append(Finding(
                FindingKind.DRIFTED, row,
                f"the copy of {row.snapshot_date} {row.drift_archived_verdict}; the live page "
                f"now: {row.verdict}", f"cite the archived copy {row.snapshot_url}"))
    for row in _per_url(rows):
        if row.archive_lookup == "no_snapshot" and row.status is not None and \
                row.url_state in ("alive", "recovered"):
            found.append(Finding(FindingKind.UNARCHIVED, row, "no archive holds a copy",
                                 "archive it now (verifier check --save-live)"))
    return found


def _changes(store: Store, previous: RunRow | None, rows: Sequence[Row],
             ids: dict[str, int]) -> list[Change]:
    if previous is None:
        return []
    id_list = list(ids.values())
    before = store.latest_states(id_list, as_of_run=previous.id)
    before_lookups = store.latest_lookups(id_list, as_of_run=previous.id)
    before_verdicts = store.latest_verdicts(id_list, as_of_run=previous.id)
    changes: list[Change] = []
    for row in _per_url(rows):
        url_id = ids.get(row.url or "")
        if url_id is None:
            continue
        old_state = before.get(url_id) or "unknown"
        new_state = row.url_state or "unknown"
        if new_state != old_state:
            kind = {"failing": ChangeKind.NEWLY_FAILING, "confirmed_dead": ChangeKind.NEWLY_DEAD,
                    "recovered": ChangeKind.RECOVERED}.get(new_state)
            if kind is ChangeKind.NEWLY_FAILING and old_state == "confirmed_dead":
                kind = None
            if kind is not None:
                changes.append(Change(kind, row.url or "", None, old_state, new_state))
        had = before_lookups.get(url_id)
        if row.snapshot_url and (had is None or had.snapshot is None):
            changes.append(Change(ChangeKind.NEWLY_ARCHIVED, row.url or "", None, None,
                                  row.snapshot_url))
    for row in rows:
        url_id = ids.get(row.url or "")
        if url_id is None or row.verdict is None:
            continue
        old_verdict = before_verdicts.get((row.document, row.claim_id, url_id))
        # A source that died or came back is reported as such: unverifiable is no new verdict.
        if old_verdict not in (None, Verdict.UNVERIFIABLE.value, row.verdict) \
                and row.verdict != Verdict.UNVERIFIABLE.value:
            changes.append(Change(ChangeKind.VERDICT_CHANGED, row.url or "", row.claim_id,
                                  old_verdict, row.verdict))
    return changes


def _domains(rows: Sequence[Row]) -> tuple[DomainLine, ...]:
    per: dict[str, list[int]] = {}
    for row in _per_url(rows):
        counts = per.setdefault(row.host or "(none)", [0, 0, 0, 0])
        counts[0] += 1
        counts[1] += row.url_state == "failing"
        counts[2] += row.url_state == "confirmed_dead"
    for row in rows:
        if row.url and row.verdict in (Verdict.NOT_SUPPORTED.value, Verdict.QUOTE_MISMATCH.value):
            per.setdefault(row.host or "(none)", [0, 0, 0, 0])[3] += 1
    lines = [DomainLine(host, *counts) for host, counts in per.items()]
    lines.sort(key=lambda d: (-(d.dead + d.failing), -d.unsupported, -d.urls, d.host))
    return tuple(lines)


def _history(store: Store, run_id: int, url_ids: list[int]) -> list[RunPoint]:
    """URL states after each of the last runs: the states before the first of them, then each
    run's checks applied in turn (one pass over each run's checks, not one query per URL)."""
    runs = [r for r in store.runs(limit=None) if r.id <= run_id][:HISTORY_RUNS]
    if not runs:
        return []
    wanted = set(url_ids)
    first = runs[-1]
    states: dict[int, str] = {}
    if store.previous_run(first.id) is not None:
        before = store.latest_states(url_ids, as_of_run=first.id - 1)
        states = {u: s for u, s in before.items() if s}
    points = []
    for run in reversed(runs):
        states.update((u, s) for u, s in store.states_after_run(run.id).items() if u in wanted)
        counts: Counter[str] = Counter(states.values())
        counts["unknown"] += len(wanted) - len(states)
        points.append(RunPoint(run.id, _iso(run.started_at) or "",
                               {k: v for k, v in counts.items() if v}))
    return points
