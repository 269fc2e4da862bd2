"""The one walk over a report that the text formats share: a header, the editor worklist by
finding kind, the changes by change kind, every reference, the summary tables.

A format supplies only its `Markup`: how it spells a heading, a list item, a quote, a link and a
table, and how it escapes. Every string from a claims file or the web goes through
`markup.escape` (or `markup.link`) here, before any markup function sees it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain
from dataclasses import dataclass

from verifier.report.model import Change, ChangeKind, Finding, FindingKind, Report, Row, RunPoint

# States in the order a reader scans them, healthy first; others follow alphabetically.
_STATE_ORDER = ("alive", "recovered", "failing", "confirmed_dead", "unknown")

_REFERENCE_HEAD = ("Claim", "Reference", "URL", "Status", "URL state", "HTTP", "Final URL",
                   "Last alive", "First failure", "Strikes", "Snapshot", "Verdict")


@dataclass(frozen=True)
class Markup:
    """How one format spells the outline. Apart from `escape` and `link`, every function is
    given text that is already escaped, and adds markup only."""

    escape: Callable[[str], str]  # outside text -> inert inline text
    link: Callable[[str, str | None], str]  # (text, url): a link for http(s) URLs only
    heading: Callable[[int, str], str]  # level 1 is the report's title
    blank_after_heading: bool
    bullet: Callable[[int, str], str]  # depth 0 is a top-level list item
    strong: Callable[[str], str]
    quote: Callable[[str, str], Iterable[str]]  # (label, text): a quotation in a finding
    table: Callable[[Sequence[str], Iterable[Sequence[str]]], Iterator[str]]  # head, rows


def render(report: Report, markup: Markup) -> str:
    """The whole report in one format; every block ends with a blank line."""
    return "".join(pieces(report, markup))


def pieces(report: Report, markup: Markup) -> Iterator[str]:
    """The text of `render`, a line at a time."""
    for line in chain(_header(report, markup), _worklist(report, markup),
                      _changes(report, markup), _references(report, markup),
                      _summary(report, markup)):
        yield line + "\n"


def _heading(m: Markup, level: int, text: str) -> Iterator[str]:
    yield m.heading(level, text)
    if m.blank_after_heading:
        yield ""


def _group(m: Markup, title: str, count: int, items: Iterable[str]) -> Iterator[str]:
    """A worklist or changes subsection: its items, or "None."."""
    yield from _heading(m, 3, f"{title} ({count})")
    yield from items if count else ("None.",)
    yield ""


def _url(m: Markup, url: str | None, missing: str = "") -> str:
    return m.link(url, url) if url else missing


def _header(report: Report, m: Markup) -> Iterator[str]:
    e = m.escape
    failures = report.failures()
    fail_on = e(", ".join(f.value for f in report.fail_on) or "nothing")
    yield from _heading(m, 1, f"Citation report: run {report.run_id}")
    for line in (
        f"Run: {report.run_id} ({e(report.run_status)})",
        f"Started: {e(report.started_at)}; finished: {e(report.finished_at or 'not yet')}",
        f"Claims file: {e(report.claims_path) or '(unknown)'}",
        f"Documents: {'; '.join(e(d) for d in report.documents) or '(none)'}",
        f"Previous run: {report.previous_run_id or '(none)'}",
        (f"Result: {m.strong('fails')}, {len(failures)} item(s) under --fail-on {fail_on}"
         if failures else f"Result: passes under --fail-on {fail_on}"),
    ):
        yield m.bullet(0, line)
    yield ""


def _worklist(report: Report, m: Markup) -> Iterator[str]:
    yield from _heading(m, 2, "Editor worklist")
    for kind in FindingKind:
        findings = report.findings_of(kind)
        yield from _group(m, kind.title, len(findings),
                          (line for f in findings for line in _finding(report, f, m)))


def _finding(report: Report, finding: Finding, m: Markup) -> Iterator[str]:
    e, row = m.escape, finding.row
    marks = "".join((" (acknowledged)" if finding.acknowledged else "",
                     " " + m.strong("(fails the run)") if report.fails(finding) else ""))
    where = "; ".join(e(p) for p in (row.document, row.section or "") if p)
    yield m.bullet(0, f"{m.strong(e(row.claim_id))}{marks}: {e(row.claim)} ({where})")
    yield m.bullet(1, f"Reference: {e(_reference(row))}")
    yield m.bullet(1, f"URL: {_url(m, row.url, '(none)')}")
    yield m.bullet(1, f"What is wrong: {e(finding.detail)}")
    yield m.bullet(1, f"What to do: {e(finding.action)}")
    drifted = finding.kind is FindingKind.DRIFTED
    if row.snapshot_url and (drifted or finding.kind is FindingKind.DEAD):
        yield m.bullet(1, f"Snapshot: {_snapshot(row, m)}")
    if drifted and row.drift_archived_evidence:
        yield from m.quote("Evidence in the archived copy", e(row.drift_archived_evidence))
    if row.evidence:
        label = "Evidence on the live page now" if drifted else (
            f"Evidence (read from {e(row.read_from)})" if row.read_from else "Evidence")
        yield from m.quote(label, e(row.evidence))


def _reference(row: Row) -> str:
    if row.ref_title or row.ref_key:
        return row.ref_title or row.ref_key or ""
    return "(inline URL)" if row.url else "(none)"


def _snapshot(row: Row, m: Markup) -> str:
    if not row.snapshot_url:
        return ""
    text = ", ".join(p for p in (row.archive, row.snapshot_date) if p) or "snapshot"
    return m.link(text, row.snapshot_url)


def _changes(report: Report, m: Markup) -> Iterator[str]:
    if report.previous_run_id is None:
        yield from _heading(m, 2, "Changes since the previous run")
        yield "No previous finished run to compare with."
        yield ""
        return
    yield from _heading(m, 2, f"Changes since run {report.previous_run_id}")
    for kind in ChangeKind:
        changes = report.changes_of(kind)
        yield from _group(m, kind.title, len(changes), (_change(c, m) for c in changes))


def _change(change: Change, m: Markup) -> str:
    claim = f"claim {m.strong(m.escape(change.claim_id))}, " if change.claim_id else ""
    if change.kind is ChangeKind.NEWLY_ARCHIVED:
        after = _url(m, change.after, "(none)")
        return m.bullet(0, f"{claim}{_url(m, change.url)}: archived copy {after}")
    before, after = m.escape(change.before or "unknown"), m.escape(change.after or "unknown")
    return m.bullet(0, f"{claim}{_url(m, change.url)}: {before} → {after}")


def _table(m: Markup, head: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    yield from m.table(head, rows)
    yield ""


def _references(report: Report, m: Markup) -> Iterator[str]:
    yield from _heading(m, 2, f"Every reference ({len(report.rows)})")
    documents = len(report.documents) > 1
    yield from _table(m, _REFERENCE_HEAD,
                      (_reference_cells(row, documents, m) for row in report.rows))


def _reference_cells(row: Row, documents: bool, m: Markup) -> list[str]:
    e = m.escape
    claim = e(f"{row.document}: {row.claim_id}" if documents else row.claim_id)
    verdict = row.verdict or ""
    if row.verdict and row.score is not None:
        verdict = f"{row.verdict} ({row.score:.2f})"
    return [claim, e(_reference(row)), _url(m, row.url), e(row.status or ""),
            e(row.url_state or ""), _number(row.http_status), _url(m, row.final_url),
            e(row.last_alive_at or ""), e(row.first_failure_at or ""), _number(row.strikes),
            _snapshot(row, m), e(verdict)]


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _summary(report: Report, m: Markup) -> Iterator[str]:
    e = m.escape
    yield from _heading(m, 2, "Summary")
    for title, name, counts in (("URLs by check status", "Status", report.by_status),
                                ("URLs by state", "State", report.by_state),
                                ("Claim-source pairs by verdict", "Verdict", report.by_verdict)):
        yield from _heading(m, 3, title)
        yield from _table(m, (name, "Count"), ((e(k), str(v)) for k, v in counts.items()))
    yield from _heading(m, 3, "By domain, worst first")
    yield from _table(m, ("Domain", "URLs", "Failing", "Dead", "Unsupported"),
                      ((e(d.host), str(d.urls), str(d.failing), str(d.dead), str(d.unsupported))
                       for d in report.by_domain))
    yield from _heading(m, 3, "URL states over the runs")
    states = _states(report.history)
    yield from _table(m, ("Run", "Started", *(e(s) for s in states)),
                      ((str(p.run_id), e(p.started_at), *(str(p.states.get(s, 0))
                                                         for s in states))
                       for p in report.history))


def _states(history: Sequence[RunPoint]) -> list[str]:
    """Every state any run shows, in `_STATE_ORDER`, then the rest alphabetically."""
    seen = {s for p in history for s in p.states}
    return [s for s in _STATE_ORDER if s in seen] + sorted(seen.difference(_STATE_ORDER))
