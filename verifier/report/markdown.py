"""Markdown for people: the editor worklist first, then changes, every reference, the summary.

GitHub-flavoured (pipe tables). Every string from a claims file or the web goes through
`escape.markdown`; only http(s) URLs become links.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from verifier.report.escape import markdown as md
from verifier.report.escape import markdown_link as link
from verifier.report.model import (
    Change,
    ChangeKind,
    Finding,
    FindingKind,
    Report,
    Row,
    RunPoint,
)

NAME = "markdown"
EXTENSION = "md"

# States in the order a reader scans them, healthy first; others follow alphabetically.
_STATE_ORDER = ("alive", "recovered", "failing", "confirmed_dead", "unknown")


def render(report: Report) -> str:
    """The whole report, as one Markdown document."""
    parts = [*_header(report), *_worklist(report), *_changes(report), *_references(report),
             *_summary(report)]
    return "\n".join(parts) + "\n"


def _header(report: Report) -> Iterator[str]:
    failures = report.failures()
    fail_on = ", ".join(f.value for f in report.fail_on) or "nothing"
    yield f"# Citation report: run {report.run_id}"
    yield ""
    yield f"- Run: {report.run_id} ({md(report.run_status)})"
    yield f"- Started: {md(report.started_at)}; finished: {md(report.finished_at or 'not yet')}"
    yield f"- Claims file: {md(report.claims_path) or '(unknown)'}"
    yield f"- Documents: {'; '.join(md(d) for d in report.documents) or '(none)'}"
    yield f"- Previous run: {report.previous_run_id or '(none)'}"
    yield (f"- Result: **fails**, {len(failures)} item(s) under --fail-on {md(fail_on)}"
           if failures else f"- Result: passes under --fail-on {md(fail_on)}")
    yield ""


def _worklist(report: Report) -> Iterator[str]:
    yield "## Editor worklist"
    yield ""
    for kind in FindingKind:
        findings = report.findings_of(kind)
        yield f"### {kind.title} ({len(findings)})"
        yield ""
        if not findings:
            yield "None."
            yield ""
            continue
        for finding in findings:
            yield from _finding(report, finding)
        yield ""


def _finding(report: Report, finding: Finding) -> Iterator[str]:
    row = finding.row
    marks = "".join((" (acknowledged)" if finding.acknowledged else "",
                     " **(fails the run)**" if report.fails(finding) else ""))
    where = "; ".join(md(p) for p in (row.document, row.section or "") if p)
    yield f"- **{md(row.claim_id)}**{marks}: {md(row.claim)} ({where})"
    yield f"  - Reference: {md(_reference(row))}"
    yield f"  - URL: {link(row.url, row.url) if row.url else '(none)'}"
    yield f"  - What is wrong: {md(finding.detail)}"
    yield f"  - What to do: {md(finding.action)}"
    if row.snapshot_url and finding.kind in (FindingKind.DEAD, FindingKind.DRIFTED):
        yield f"  - Snapshot: {_snapshot(row)}"
    if finding.kind is FindingKind.DRIFTED and row.drift_archived_evidence:
        yield from _quote("Evidence in the archived copy", row.drift_archived_evidence)
    if row.evidence:
        label = "Evidence on the live page now" if finding.kind is FindingKind.DRIFTED else (
            f"Evidence (read from {row.read_from})" if row.read_from else "Evidence")
        yield from _quote(label, row.evidence)


def _quote(label: str, text: str) -> Iterator[str]:
    yield f"  - {label}:"
    yield f"    > {md(text)}"


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
        yield "## Changes since the previous run"
        yield ""
        yield "No previous finished run to compare with."
        yield ""
        return
    yield f"## Changes since run {report.previous_run_id}"
    yield ""
    for kind in ChangeKind:
        changes = report.changes_of(kind)
        yield f"### {kind.title} ({len(changes)})"
        yield ""
        yield from (_change(c) for c in changes) if changes else ("None.",)
        yield ""


def _change(change: Change) -> str:
    claim = f"claim **{md(change.claim_id)}**, " if change.claim_id else ""
    if change.kind is ChangeKind.NEWLY_ARCHIVED:
        after = link(change.after, change.after) if change.after else "(none)"
        return f"- {claim}{link(change.url, change.url)}: archived copy {after}"
    before, after = md(change.before or "unknown"), md(change.after or "unknown")
    return f"- {claim}{link(change.url, change.url)}: {before} → {after}"


def _table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """Cells must already be escaped: a raw pipe would split one."""
    yield "| " + " | ".join(head) + " |"
    yield "|" + "---|" * len(head)
    for cells in rows:
        yield "| " + " | ".join(cells) + " |"
    yield ""


def _references(report: Report) -> Iterator[str]:
    yield f"## Every reference ({len(report.rows)})"
    yield ""
    yield from _table(
        ("Claim", "Reference", "URL", "Status", "URL state", "HTTP", "Final URL", "Last alive",
         "First failure", "Strikes", "Snapshot", "Verdict"),
        (_reference_cells(row, len(report.documents) > 1) for row in report.rows))


def _reference_cells(row: Row, documents: bool) -> list[str]:
    claim = md(f"{row.document}: {row.claim_id}" if documents else row.claim_id)
    verdict = row.verdict or ""
    if row.verdict and row.score is not None:
        verdict = f"{row.verdict} ({row.score:.2f})"
    return [claim, md(_reference(row)), link(row.url, row.url) if row.url else "",
            md(row.status or ""), md(row.url_state or ""), _number(row.http_status),
            link(row.final_url, row.final_url) if row.final_url else "",
            md(row.last_alive_at or ""), md(row.first_failure_at or ""), _number(row.strikes),
            _snapshot(row), md(verdict)]


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _summary(report: Report) -> Iterator[str]:
    yield "## Summary"
    yield ""
    for title, name, counts in (("URLs by check status", "Status", report.by_status),
                                ("URLs by state", "State", report.by_state),
                                ("Claim-source pairs by verdict", "Verdict", report.by_verdict)):
        yield f"### {title}"
        yield ""
        yield from _table((name, "Count"), ((md(k), str(v)) for k, v in counts.items()))
    yield "### By domain, worst first"
    yield ""
    yield from _table(("Domain", "URLs", "Failing", "Dead", "Unsupported"),
                      ((md(d.host), str(d.urls), str(d.failing), str(d.dead), str(d.unsupported))
                       for d in report.by_domain))
    yield "### URL states over the runs"
    yield ""
    states = _states(report.history)
    yield from _table(("Run", "Started", *(md(s) for s in states)),
                      ((str(p.run_id), md(p.started_at), *(str(p.states.get(s, 0))
                                                          for s in states))
                       for p in report.history))


def _states(history: Sequence[RunPoint]) -> list[str]:
    """Every state any run shows, in `_STATE_ORDER`, then the rest alphabetically."""
    seen = {s for p in history for s in p.states}
    return [s for s in _STATE_ORDER if s in seen] + sorted(seen.difference(_STATE_ORDER))
