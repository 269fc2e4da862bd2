"""The store's assessment part: how well each source supported each claim, run by run.

A pair (claim version, URL) gets a new row only when something its verdict rests on changed
(the `inputs` hash: the assessor's version, the claim, the quote, the texts read): nightly runs
over unchanged pages add no rows, and the verdict of a run is the pair's latest row up to it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from verifier.models import Assessment, Drift, Judgement, Passage, Snapshot, SourceKind, Verdict
from verifier.store_part import StorePart
from verifier.store_rows import parse_timestamp, timestamp, to_json

@dataclass(frozen=True, slots=True)
class JudgementRecord:
    """One pair's verdict to store."""

    claim_version_id: int
    url_id: int
    snapshot_id: int | None  # the archived copy read, for the verdict or to compare with
    judgement: Judgement
    inputs: str


@dataclass(frozen=True, slots=True)
class JudgementRow:
    """A stored verdict, with the claim and URL it is about."""

    id: int
    run_id: int
    assessed_at: dt.datetime
    claim_version_id: int
    document: str
    claim_id: str
    claim_text: str
    url_id: int
    url: str
    judgement: Judgement
    inputs: str


@dataclass(frozen=True, slots=True)
class VerdictLine:
    """A pair's verdict as a report shows it: no facts, no languages, no claim text."""

    verdict: Verdict
    score: float
    reason: str
    evidence: Passage | None
    source: SourceKind
    drift_archived: Assessment | None  # the archived copy's verdict, when the pair drifted


_VERDICTS = {v.value: v for v in Verdict}  # Verdict(value) costs a microsecond a row
_SOURCES = {k.value: k for k in SourceKind}


def _passage(data: dict[str, Any] | None) -> Passage | None:
    return None if data is None else Passage(data["text"], data["start"], data["end"])


def passage_data(passage: Passage | None) -> dict[str, Any] | None:
    """A passage as JSON-ready data (text and offsets), or None."""
    return None if passage is None else {"text": passage.text, "start": passage.start,
                                         "end": passage.end}


def assessment_data(assessment: Assessment) -> dict[str, Any]:
    """An assessment as JSON-ready data (what `drift` stores of its two sides)."""
    return {
        "verdict": assessment.verdict.value, "score": assessment.score,
        "evidence": passage_data(assessment.evidence), "matched": list(assessment.matched),
        "missing": list(assessment.missing), "contradicted": list(assessment.contradicted),
        "languages": list(assessment.languages), "reason": assessment.reason,
    }


def _assessment(data: dict[str, Any]) -> Assessment:
    languages = data.get("languages") or [None, None]
    return Assessment(
        Verdict(data["verdict"]), data["score"], _passage(data.get("evidence")),
        tuple(data.get("matched", ())), tuple(data.get("missing", ())),
        tuple(data.get("contradicted", ())), (languages[0], languages[1]), data.get("reason", ""))


def _snapshot(row: dict[str, Any]) -> Snapshot | None:
    if row["snapshot_url"] is None:
        return None
    return Snapshot(archive=row["archive"], url=row["url"],
                    captured_at=parse_timestamp(row["captured_at"]), status=row["http_status"],
                    replay_url=row["snapshot_url"], raw_url=row["raw_url"])


def _row(row: dict[str, Any]) -> JudgementRow:
    facts = json.loads(row["facts"] or "{}")
    languages = json.loads(row["languages"] or "[null, null]")
    evidence = None
    if row["evidence"] is not None:
        evidence = Passage(row["evidence"], row["evidence_start"], row["evidence_end"])
    assessment = Assessment(
        Verdict(row["verdict"]), row["score"] or 0.0, evidence,
        tuple(facts.get("matched", ())), tuple(facts.get("missing", ())),
        tuple(facts.get("contradicted", ())), (languages[0], languages[1]), row["reason"] or "")
    snapshot = _snapshot(row)
    drift = None
    if row["drift"] and snapshot is not None:
        data = json.loads(row["drift"])
        drift = Drift(snapshot, _assessment(data["archived"]), _assessment(data["live"]))
    judgement = Judgement(assessment, SourceKind(row["source"] or "none"), row["text_sha256"],
                          snapshot, drift)
    return JudgementRow(
        id=row["id"], run_id=row["run_id"], assessed_at=parse_timestamp(row["assessed_at"]),
        claim_version_id=row["claim_version_id"], document=row["document"],
        claim_id=row["claim_id"], claim_text=row["claim_text"], url_id=row["url_id"],
        url=row["url"], judgement=judgement, inputs=row["inputs"] or "")


_SELECT = (
    "SELECT a.*, v.document, v.claim_id, v.text AS claim_text, urls.url,"
    " s.archive, s.captured_at, s.snapshot_url, s.raw_url, s.http_status"
    " FROM assessments AS a JOIN claim_versions AS v ON v.id = a.claim_version_id"
    " JOIN urls ON urls.id = a.url_id LEFT JOIN snapshots AS s ON s.id = a.snapshot_id"
)


class AssessmentHistory(StorePart):
    """Support verdicts (a part of Store)."""

    def record_judgements(self, run_id: int, at: dt.datetime,
                          records: Sequence[JudgementRecord]) -> None:
        """Store the verdicts of one source's claims, in one transaction."""
        rows = []
        for r in records:
            a, j = r.judgement.assessment, r.judgement
            evidence = a.evidence
            drift = None if j.drift is None else to_json(
                {"archived": assessment_data(j.drift.archived),
                 "live": assessment_data(j.drift.live)})
            rows.append([
                run_id, r.claim_version_id, r.url_id, r.snapshot_id, a.verdict.value, a.score,
                evidence.text if evidence else None, evidence.start if evidence else None,
                evidence.end if evidence else None,
                to_json({"matched": list(a.matched), "missing": list(a.missing),
                         "contradicted": list(a.contradicted)}),
                drift, timestamp(at), j.source.value, j.text_sha256, a.reason,
                to_json(list(a.languages)), r.inputs,
            ])
        with self.write(), self._sql_errors("record assessments"):
            self._db.conn.executemany(
                "INSERT INTO assessments (run_id, claim_version_id, url_id, snapshot_id, verdict,"
                " score, evidence, evidence_start, evidence_end, facts, drift, assessed_at,"
                " source, text_sha256, reason, languages, inputs)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def latest_judgements(self, url_ids: Sequence[int], as_of_run: int | None = None,
                          ) -> dict[tuple[int, int], JudgementRow]:
        """Each (claim version, URL) pair's latest verdict, up to `as_of_run` if given."""
        latest: dict[tuple[int, int], JudgementRow] = {}
        limit = "" if as_of_run is None else " AND a.run_id <= ?"
        for row in self._rows_in(_SELECT + " WHERE a.url_id IN ({marks})" + limit +
                                 " ORDER BY a.id", url_ids,
                                 after=[] if as_of_run is None else [as_of_run]):
            judged = _row(row)
            latest[(judged.claim_version_id, judged.url_id)] = judged
        return latest

    def latest_verdict_lines(self, url_ids: Sequence[int], as_of_run: int,
                             ) -> dict[tuple[int, int], VerdictLine]:
        """Each pair's latest verdict up to a run, by (claim version, URL), with only what a
        report shows: a report of 100,000 claims reads 100,000 of them."""
        latest: dict[tuple[int, int], VerdictLine] = {}
        for (version, url_id, verdict, score, reason, evidence, start, end, source,
             drift) in self._rows_in(
                "SELECT claim_version_id, url_id, verdict, score, reason, evidence,"
                " evidence_start, evidence_end, source, drift FROM assessments"
                " WHERE url_id IN ({marks}) AND run_id <= ? ORDER BY id", url_ids,
                after=[as_of_run]):
            latest[(version, url_id)] = VerdictLine(
                _VERDICTS[verdict], score or 0.0, reason or "",
                None if evidence is None else Passage(evidence, start, end),
                _SOURCES[source or "none"],
                _assessment(json.loads(drift)["archived"]) if drift else None)
        return latest

    def latest_verdict_ids(self, url_ids: Sequence[int], as_of_run: int,
                           ) -> dict[tuple[int, int], tuple[int, str, bool]]:
        """Each pair's latest verdict up to a run, by (claim version, URL): (row id, verdict,
        drifted), read without the evidence; `judgements_by_id` reads the ones wanted whole."""
        latest: dict[tuple[int, int], tuple[int, str, bool]] = {}
        for row in self._rows_in(
                "SELECT id, claim_version_id, url_id, verdict, drift IS NOT NULL FROM assessments"
                " WHERE url_id IN ({marks}) AND run_id <= ? ORDER BY id", url_ids,
                after=[as_of_run]):
            latest[(row[1], row[2])] = (row[0], row[3], bool(row[4]))
        return latest

    def judgements_by_id(self, ids: Sequence[int]) -> list[JudgementRow]:
        """Stored verdicts, whole, by row id."""
        return [_row(row) for row in self._rows_in(
            _SELECT + " WHERE a.id IN ({marks}) ORDER BY a.id", ids)]

    def latest_inputs(self, url_ids: Sequence[int]) -> dict[tuple[int, int], str]:
        """Each pair's latest `inputs` hash, by (claim version, URL): what decides whether a
        pair is assessed again, read without the verdicts' evidence."""
        return {(row[0], row[1]): row[2] or "" for row in self._rows_in(
            "SELECT claim_version_id, url_id, inputs FROM assessments"
            " WHERE url_id IN ({marks}) ORDER BY id", url_ids)}

    def latest_verdicts(self, url_ids: Sequence[int], as_of_run: int,
                        ) -> dict[tuple[str, str, int], str]:
        """Each pair's latest verdict up to a run, by (document, claim id, URL id): what a
        report compares with, without reading evidence back."""
        return {(row[0], row[1], row[2]): row[3] for row in self._rows_in(
            "SELECT v.document, v.claim_id, a.url_id, a.verdict FROM assessments AS a"
            " JOIN claim_versions AS v ON v.id = a.claim_version_id"
            " WHERE a.url_id IN ({marks}) AND a.run_id <= ? ORDER BY a.id", url_ids,
            after=[as_of_run])}

    def judgements_for_url(self, url: str) -> list[JudgementRow]:
        """Every verdict stored for a URL, oldest first."""
        return [_row(row) for row in self._rows(_SELECT + " WHERE urls.url = ? ORDER BY a.id",
                                                [url])]
