"""JUnit XML for CI: one test case per claim, failing exactly when `--fail-on` says so.

A claim fails when one of its findings fails the run (`Report.fails`) or a failing change
concerns it; it is skipped when nothing was checked or nothing could be decided (every verdict
inconclusive or unverifiable); otherwise it passes. ElementTree escapes the markup, and
`escape.xml_text` drops the characters XML 1.0 forbids.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from verifier.models import Verdict
from verifier.report.escape import one_line, xml_text
from verifier.report.model import Change, Finding, Report, Row

NAME = "junit"
EXTENSION = "xml"

_UNDECIDED = frozenset({Verdict.INCONCLUSIVE.value, Verdict.UNVERIFIABLE.value})
_NAME_CHARS = 60  # of the claim's text in a test case's name


@dataclass(eq=False)
class _Claim:
    """One claim with everything the report says about it."""

    document: str
    claim_id: str
    rows: list[Row] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)  # failing ones only


def render(report: Report) -> str:
    """One `<testsuite name="verifier">`, a `<testcase>` per claim in report order."""
    return "".join(pieces(report))


def pieces(report: Report) -> Iterator[str]:
    """The text of `render`, a test case at a time (as ElementTree indents the whole suite)."""
    claims = _claims(report)
    outcomes = [_outcome(report, claim) for claim in claims]  # the counts come first
    suite = ET.Element("testsuite", name="verifier", tests=str(len(claims)),
                       failures=str(sum(failing is not None for failing, _ in outcomes)),
                       errors="0",
                       skipped=str(sum(failing is None and skip is not None
                                       for failing, skip in outcomes)))
    suite.text = "\n"
    opening = ET.tostring(suite, "unicode")
    yield '<?xml version="1.0" encoding="UTF-8"?>\n' + opening[:opening.index(">") + 1] + "\n"
    properties = ET.Element("properties")
    for name, value in (("run_id", report.run_id), ("run_status", report.run_status),
                        ("started_at", report.started_at), ("claims_path", report.claims_path),
                        ("previous_run_id", report.previous_run_id or ""),
                        ("fail_on", ",".join(f.value for f in report.fail_on))):
        _sub(properties, "property", name=name, value=str(value))
    yield _indented(properties)
    for claim, (failing, skip) in zip(claims, outcomes, strict=True):
        yield _indented(_case(claim, failing, skip))
    yield "</testsuite>\n"


def _outcome(report: Report, claim: _Claim) -> tuple[list[Finding] | None, str | None]:
    """(the findings that fail the run, None when the claim does not fail; why it is skipped)."""
    failing = [f for f in claim.findings if report.fails(f)]
    if failing or claim.changes:
        return failing, None
    return None, _skip_reason(claim.rows)


def _case(claim: _Claim, failing: list[Finding] | None, skip: str | None) -> ET.Element:
    case = ET.Element("testcase", {"classname": xml_text(claim.document),
                                   "name": xml_text(f"{claim.claim_id}: "
                                                    f"{_short(claim.rows[0].claim)}")})
    if failing is not None:
        lines = [*map(_finding_line, failing), *map(_change_line, claim.changes)]
        kinds = dict.fromkeys([*(f.kind.value for f in failing),
                               *(c.kind.value for c in claim.changes)])
        element = _sub(case, "failure", message=_short("; ".join(lines), 300),
                       type=",".join(kinds))
        element.text = xml_text("\n".join(lines))
    elif skip is not None:
        _sub(case, "skipped", message=skip)
    out = _sub(case, "system-out")
    # The claim in full, as written: the test case's name holds only its start.
    out.text = xml_text("\n".join([f"Claim: {claim.rows[0].claim}",
                                   *(_row_line(r) for r in claim.rows)]))
    return case


def _indented(element: ET.Element) -> str:
    """A child of the suite on its own lines, indented as ET.indent indents the whole."""
    ET.indent(element, level=1)
    return "  " + ET.tostring(element, "unicode") + "\n"


def _claims(report: Report) -> list[_Claim]:
    """The report's claims in order, each with its rows, findings and failing changes."""
    claims: dict[tuple[str, str], _Claim] = {}
    by_url: dict[str, dict[tuple[str, str], _Claim]] = {}
    by_id: dict[str, list[_Claim]] = {}
    for row in report.rows:
        key = (row.document, row.claim_id)
        claim = claims.get(key)
        if claim is None:
            claim = claims[key] = _Claim(row.document, row.claim_id)
            by_id.setdefault(row.claim_id, []).append(claim)
        claim.rows.append(row)
        if row.url is not None:
            by_url.setdefault(row.url, {})[key] = claim
    for finding in report.findings:
        found = claims.get((finding.row.document, finding.row.claim_id))
        if found is not None:
            found.findings.append(finding)
    for change in report.failing_changes():
        # A change naming a claim is about that claim; one naming only a URL, about all
        # claims citing it. Changes carry no document, so equal ids in two documents both get it.
        concerned = (by_id.get(change.claim_id, []) if change.claim_id
                     else by_url.get(change.url, {}).values())
        for claim in concerned:
            claim.changes.append(change)
    return list(claims.values())


def _skip_reason(rows: Sequence[Row]) -> str | None:
    if not any(r.url is not None and r.status is not None for r in rows):
        return "no checked source"
    verdicts = [r.verdict for r in rows if r.verdict is not None]
    if verdicts and all(v in _UNDECIDED for v in verdicts):
        return "undecided: " + ", ".join(dict.fromkeys(verdicts))
    return None


def _finding_line(finding: Finding) -> str:
    row = finding.row
    source = row.url or row.ref_title or row.ref_key or "no source"
    return f"{finding.kind.title}: {source}: {finding.detail} ({finding.action})"


def _change_line(change: Change) -> str:
    return f"{change.kind.title}: {change.url} ({change.before} -> {change.after})"


def _row_line(row: Row) -> str:
    source = row.url or (f"reference {row.ref_key} (no URL)" if row.ref_key else "no source")
    parts = (row.url_state, row.status, row.verdict)
    return f"{source}: " + (", ".join(p for p in parts if p) or "not checked")


def _short(text: str, limit: int = _NAME_CHARS) -> str:
    text = one_line(text)
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _sub(parent: ET.Element, tag: str, **attributes: str) -> ET.Element:
    return ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attributes.items()})
