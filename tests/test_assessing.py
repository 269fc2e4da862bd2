"""The assessment stage's pure parts: combining live and archived verdicts, drift, and when a
pair needs assessing again. The stage itself runs end to end in test_check_assess.py and
test_check_drift.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from verifier.assessing import Copy, Pair, Source, drifted, due, inputs_of, judge
from verifier.models import (
    Assessment,
    CheckStatus,
    LookupOutcome,
    Snapshot,
    SourceKind,
    Verdict,
)
from verifier.store import CheckRow, LookupRow

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
SNAPSHOT = Snapshot("local", "http://example.test/a", dt.datetime(2019, 5, 1, tzinfo=dt.timezone.utc),
                    200, "http://archive.test/web/20190501000000/http://example.test/a", None)
CLAIM = Pair(1, "The bridge over the river opened on 3 June 1961.", None)
THEN = "The bridge over the river opened on 3 June 1961, the city council said."
NOW_TEXT = "The council now publishes its notices in the weekly bulletin."


def copy(kind: SourceKind, text: str) -> Copy:
    snapshot = SNAPSHOT if kind is SourceKind.ARCHIVE else None
    return Copy(kind, text, f"sha-{len(text)}", "en", snapshot, 7 if snapshot else None)


def verdict(v: Verdict, matched: tuple[str, ...] = (), missing: tuple[str, ...] = ()) -> Assessment:
    return Assessment(v, 0.5, None, matched=matched, missing=missing)


def test_live_text_gives_the_verdict_and_a_supporting_copy_is_no_drift() -> None:
    j = judge(CLAIM, copy(SourceKind.LIVE, THEN), copy(SourceKind.ARCHIVE, THEN), "")
    assert j.assessment.verdict is Verdict.SUPPORTED
    assert j.source is SourceKind.LIVE and j.drift is None
    assert j.snapshot == SNAPSHOT  # compared with


def test_drift_when_the_copy_supported_and_the_live_page_does_not() -> None:
    j = judge(CLAIM, copy(SourceKind.LIVE, NOW_TEXT), copy(SourceKind.ARCHIVE, THEN), "")
    assert j.assessment.verdict is Verdict.NOT_SUPPORTED
    assert j.drift is not None
    assert j.drift.archived.verdict is Verdict.SUPPORTED
    assert j.drift.archived.evidence is not None
    assert "3 June 1961" in j.drift.archived.evidence.text
    assert j.drift.snapshot == SNAPSHOT


def test_a_dead_source_is_judged_on_its_copy() -> None:
    j = judge(CLAIM, None, copy(SourceKind.ARCHIVE, THEN), "the source is not_found")
    assert (j.assessment.verdict, j.source, j.drift) == (Verdict.SUPPORTED, SourceKind.ARCHIVE,
                                                         None)


def test_nothing_to_read_is_unverifiable_and_says_why() -> None:
    j = judge(CLAIM, None, None, "the source is not_found: HTTP 404; no archive holds a copy")
    assert j.assessment.verdict is Verdict.UNVERIFIABLE
    assert j.source is SourceKind.NONE
    assert j.assessment.reason == "the source is not_found: HTTP 404; no archive holds a copy"


def test_what_counts_as_drift() -> None:
    date = ("3 June 1961",)
    S, P, U, N, Q = (Verdict.SUPPORTED, Verdict.PARTIALLY_SUPPORTED, Verdict.INCONCLUSIVE,
                     Verdict.NOT_SUPPORTED, Verdict.QUOTE_MISMATCH)
    assert drifted(verdict(S), verdict(N))
    assert drifted(verdict(S), verdict(U))
    assert drifted(verdict(P), verdict(Q))
    assert drifted(verdict(S, matched=date), verdict(P, missing=date))  # the date is gone
    assert not drifted(verdict(S), verdict(P))  # still partly there, nothing it had lost
    assert not drifted(verdict(P), verdict(U))  # too weak either way: precision first
    assert not drifted(verdict(U), verdict(N))  # the copy never supported it
    assert not drifted(verdict(N), verdict(N))
    assert not drifted(verdict(S), verdict(S))


def source(body: str | None = "aaa", snapshot_id: int | None = None,
           status: CheckStatus = CheckStatus.OK) -> Source:
    check = CheckRow(id=1, run_id=1, url="http://example.test/a", url_id=3, checked_at=NOW, status=status,
                     body_sha256=body)
    lookup = None if snapshot_id is None else LookupRow(
        3, NOW, LookupOutcome.FOUND, dt.date(2020, 1, 1), SNAPSHOT, None, 1, snapshot_id)
    return Source(3, "http://example.test/a", (CLAIM,), check, lookup)


def test_a_pair_is_due_only_when_its_inputs_changed() -> None:
    base = source()
    key = (CLAIM.claim_version_id, 3)
    assert due([base], {}) == [base]  # never assessed
    assert due([base], {key: inputs_of(CLAIM, base)}) == []
    for changed in (source(body="bbb"), source(snapshot_id=9),
                    source(status=CheckStatus.NOT_FOUND, body=None),
                    replace(base, pairs=(replace(CLAIM, quote="opened on 3 June"),)),
                    replace(base, pairs=(replace(CLAIM, claim_text="Another claim."),))):
        assert inputs_of(changed.pairs[0], changed) != inputs_of(CLAIM, base)
        assert due([changed], {key: inputs_of(CLAIM, base)}) != []
    # a verdict reached without the archive's answer is tried again
    assert due([base], {key: "retry:" + inputs_of(CLAIM, base)}) == [base]
