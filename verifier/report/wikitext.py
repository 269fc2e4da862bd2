"""Wikitext an editor can paste on a talk page: the worklist, changes, a sortable table.

Every string from a claims file or the web goes through `escape.wikitext`, so nothing in it
expands (templates, links, signatures, magic words) or breaks the table; only http(s) URLs
become external links.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from verifier.report.escape import wikitext as wt
from verifier.report.escape import wikitext_link as link
from verifier.report.model import (
    Change,
    ChangeKind,
    Finding,
    FindingKind,
    Report,
    Row,
    RunPoint,
)

NAME = "wikitext"
EXTENSION = "wiki"

# States in the order a reader scans them, healthy first; others follow alphabetically.
_STATE_ORDER = ("alive", "recovered", "failing", "confirmed_dead", "unknown")


def render(report: Report) -> str:
    """The whole report, as one talk-page section with subsections."""
    parts = [*_header(report), *_worklist(report), *_changes(report), *_references(report),
             *_summary(report)]
    return "\n".join(parts) + "\n"


def _header(report: Report) -> Iterator[str]:
    failures = report.failures()
    fail_on = ", ".join(f.value for f in report.fail_on) or "nothing"
    yield f"== Citation report: run {report.run_id} =="
    yield f"* Run: {report.run_id} ({wt(report.run_status)})"
    yield f"* Started: {wt(report.started_at)}; finished: {wt(report.finished_at or 'not yet')}"
    yield f"* Claims file: {wt(report.claims_path) or '(unknown)'}"
    yield f"* Documents: {'; '.join(wt(d) for d in report.documents) or '(none)'}"
    yield f"* Previous run: {report.previous_run_id or '(none)'}"
    yield (f"* Result: '''fails''', {len(failures)} item(s) under --fail-on {wt(fail_on)}"
           if failures else f"* Result: passes under --fail-on {wt(fail_on)}")
    yield ""


def _worklist(report: Report) -> Iterator[str]:
    yield "=== Editor worklist ==="
    for kind in FindingKind:
        findings = report.findings_of(kind)
        yield f"==== {kind.title} ({len(findings)}) ===="
        if not findings:
            yield "None."
        for finding in findings:
            yield from _finding(report, finding)
        yield ""


def _finding(report: Report, finding: Finding) -> Iterator[str]:
    row = finding.row
    marks = "".join((" (acknowledged)" if finding.acknowledged else "",
                     " '''(fails the run)'''" if report.fails(finding) else ""))
    where = "; ".join(wt(p) for p in (row.document, row.section or "") if p)
    yield f"* '''{wt(row.claim_id)}'''{marks}: {wt(row.claim)} ({where})"
    yield f"** Reference: {wt(_reference(row))}"
    yield f"** URL: {link(row.url, row.url) if row.url else '(none)'}"
    yield f"** What is wrong: {wt(finding.detail)}"
    yield f"** What to do: {wt(finding.action)}"
    if row.snapshot_url and finding.kind in (FindingKind.DEAD, FindingKind.DRIFTED):
        yield f"** Snapshot: {_snapshot(row)}"
    if finding.kind is FindingKind.DRIFTED and row.drift_archived_evidence:
        yield f"** Evidence in the archived copy: “{wt(row.drift_archived_evidence)}”"
    if row.evidence:
        label = "Evidence on the live page now" if finding.kind is FindingKind.DRIFTED else (
            f"Evidence (read from {wt(row.read_from)})" if row.read_from else "Evidence")
        yield f"** {label}: “{wt(row.evidence)}”"


def _reference(row: Row) -> str:
    if row.ref_title or row.ref_key:
        return row.ref_title or row.ref_key or ""
    return "(inline URL)" if row.url else "(none)"


def _snapshot(row: Row) -> str:
    if not row.snapshot_url:
        return ""
    text = ", ".join(p for p in (row.archive, row.snapshot_date) if p) or "snapshot"
    return link(text, row.snapshot_url)


def _changes(report: Report) -> Iterator[str]:
    if report.previous_run_id is None:
        yield "=== Changes since the previous run ==="
        yield "No previous finished run to compare with."
        yield ""
        return
    yield f"=== Changes since run {report.previous_run_id} ==="
    for kind in ChangeKind:
        changes = report.changes_of(kind)
        yield f"==== {kind.title} ({len(changes)}) ===="
        yield from (_change(c) for c in changes) if changes else ("None.",)
        yield ""


def _change(change: Change) -> str:
    claim = f"claim '''{wt(change.claim_id)}''', " if change.claim_id else ""
    if change.kind is ChangeKind.NEWLY_ARCHIVED:
        after = link(change.after, change.after) if change.after else "(none)"
        return f"* {claim}{link(change.url, change.url)}: archived copy {after}"
    before, after = wt(change.before or "unknown"), wt(change.after or "unknown")
    return f"* {claim}{link(change.url, change.url)}: {before} → {after}"


def _table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """Cells must already be escaped: a raw pipe would split one, a raw `|}` end the table."""
    yield '{| class="wikitable sortable"'
    yield "! " + " !! ".join(head)
    for cells in rows:
        yield "|-"
        yield "| " + " || ".join(cells)
    yield "|}"
    yield ""


def _references(report: Report) -> Iterator[str]:
    yield f"=== Every reference ({len(report.rows)}) ==="
    yield from _table(
        ("Claim", "Reference", "URL", "Status", "URL state", "HTTP", "Final URL", "Last alive",
         "First failure", "Strikes", "Snapshot", "Verdict"),
        (_reference_cells(row, len(report.documents) > 1) for row in report.rows))


def _reference_cells(row: Row, documents: bool) -> list[str]:
    claim = wt(f"{row.document}: {row.claim_id}" if documents else row.claim_id)
    verdict = row.verdict or ""
    if row.verdict and row.score is not None:
        verdict = f"{row.verdict} ({row.score:.2f})"
    return [claim, wt(_reference(row)), link(row.url, row.url) if row.url else "",
            wt(row.status or ""), wt(row.url_state or ""), _number(row.http_status),
            link(row.final_url, row.final_url) if row.final_url else "",
            wt(row.last_alive_at or ""), wt(row.first_failure_at or ""), _number(row.strikes),
            _snapshot(row), wt(verdict)]


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _summary(report: Report) -> Iterator[str]:
    yield "=== Summary ==="
    for title, name, counts in (("URLs by check status", "Status", report.by_status),
                                ("URLs by state", "State", report.by_state),
                                ("Claim-source pairs by verdict", "Verdict", report.by_verdict)):
        yield f"==== {title} ===="
        yield from _table((name, "Count"), ((wt(k), str(v)) for k, v in counts.items()))
    yield "==== By domain, worst first ===="
    yield from _table(("Domain", "URLs", "Failing", "Dead", "Unsupported"),
                      ((wt(d.host), str(d.urls), str(d.failing), str(d.dead), str(d.unsupported))
                       for d in report.by_domain))
    yield "==== URL states over the runs ===="
    states = _states(report.history)
    yield from _table(("Run", "Started", *(wt(s) for s in states)),
                      ((str(p.run_id), wt(p.started_at), *(str(p.states.get(s, 0))
                                                          for s in states))
                       for p in report.history))


def _states(history: Sequence[RunPoint]) -> list[str]:
    """Every state any run shows, in `_STATE_ORDER`, then the rest alphabetically."""
    seen = {s for p in history for s in p.states}
    return [s for s in _STATE_ORDER if s in seen] + sorted(seen.difference(_STATE_ORDER))
