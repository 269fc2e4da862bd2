"""Reading the history back: a URL's timeline, the list of runs. No network, no writes."""

from __future__ import annotations

from dataclasses import dataclass, replace

from verifier.errors import InputError
from verifier.settings import Settings
from verifier.models import CheckStatus, Passage
from verifier.store import CheckRow, JudgementRow, LookupRow, RunRow, Store, UrlRow
from verifier.store_assessments import passage_data
from verifier.urls import key as url_key


def _when(row_time: object) -> str:
    return str(row_time)[:19].replace("T", " ") if row_time else "-"


@dataclass(frozen=True)
class Timeline:
    url: UrlRow
    checks: tuple[CheckRow, ...]
    lookups: tuple[LookupRow, ...] = ()
    judgements: tuple[JudgementRow, ...] = ()  # verdicts of the claims resting on the URL

    def as_dict(self) -> dict[str, object]:
        url = self.url
        return {
            "url": url.url, "state": url.state.value, "state_since": _iso(url.state_since),
            "strikes": url.strikes, "first_failure_at": _iso(url.first_failure_at),
            "last_alive_at": _iso(url.last_alive_at),
            "checks": [{
                "run": c.run_id, "checked_at": _iso(c.checked_at), "status": c.status.value,
                "http_status": c.http_status, "final_url": c.final_url, "reason": c.reason,
                "state_after": c.url_state.value if c.url_state else None,
                "strikes_after": c.strikes, "elapsed_ms": c.elapsed_ms,
                "redirects": [{"url": r.url, "status": r.status} for r in c.redirects],
            } for c in self.checks],
            "archive_lookups": [{
                "looked_up_at": _iso(lk.looked_up_at), "run": lk.run_id,
                "outcome": lk.outcome.value, "anchor_date": _iso(lk.anchor_date),
                "why": lk.why,
                "snapshot": None if lk.snapshot is None else {
                    "archive": lk.snapshot.archive,
                    "captured_at": _iso(lk.snapshot.captured_at),
                    "url": lk.snapshot.replay_url, "raw_url": lk.snapshot.raw_url,
                },
            } for lk in self.lookups],
            "assessments": [_judgement_data(j) for j in self.judgements],
        }

    def as_text(self) -> str:
        url = self.url
        lines = [url.url, f"  state: {url.state.value} since {_when(url.state_since)}"
                 + (f" ({url.strikes} strikes since {_when(url.first_failure_at)})"
                    if url.strikes else "")]
        lines.append(f"  last alive: {_when(url.last_alive_at)}")
        lines.append("")
        lines.append(f"  {'run':>4}  {'checked at (UTC)':<19}  {'status':<17} {'http':>4}  "
                     f"{'state after':<22} reason")
        for c in self.checks:
            state = (f"{c.url_state.value} ({c.strikes})" if c.url_state and c.strikes
                     else c.url_state.value if c.url_state else "-")
            http = str(c.http_status) if c.http_status else "-"
            lines.append(f"  {c.run_id:>4}  {_when(c.checked_at):<19}  {c.status.value:<17} "
                         f"{http:>4}  {state:<22} {c.reason or ''}")
            if c.final_url and c.final_url != url.url:
                lines.append(f"  {'':>4}  {'':<19}  -> {c.final_url}")
        if self.lookups:
            lines.append("")
            lines.append("  archive lookups:")
        for lk in self.lookups:
            anchor = f" (anchor {lk.anchor_date.isoformat()})" if lk.anchor_date else ""
            lines.append(f"  {_when(lk.looked_up_at)}  {lk.outcome.value}{anchor}")
            if lk.snapshot is not None:
                lines.append(f"      {lk.snapshot.archive}, captured "
                             f"{_when(lk.snapshot.captured_at)}: {lk.snapshot.replay_url}")
            if lk.why:
                lines.append(f"      {lk.why}")
        if self.judgements:
            lines.append("")
            lines.append("  support (a new line only when what a verdict rests on changed):")
        for j in self.judgements:
            a = j.judgement.assessment
            lines.append(f"  {j.run_id:>4}  {_when(j.assessed_at):<19}  {j.claim_id}  "
                         f"{a.verdict.value} ({a.score:.2f}, {j.judgement.source.value})")
            lines.append(f"      {a.reason}")
            if a.evidence is not None:
                lines.append(f"      evidence {_passage_text(a.evidence)}")
            drift = j.judgement.drift
            if drift is not None:
                lines.append(f"      drift: {drift.snapshot.archive} captured "
                             f"{_when(drift.snapshot.captured_at)} was "
                             f"{drift.archived.verdict.value}: {drift.snapshot.replay_url}")
                then = drift.archived.evidence
                if then is not None:
                    lines.append(f"      archived evidence {_passage_text(then)}")
        return "\n".join(lines)


def _passage_text(passage: Passage, width: int = 300) -> str:
    flat = " ".join(passage.text.split())
    shown = flat if len(flat) <= width else flat[: width - 1] + "\u2026"
    return f"(chars {passage.start}-{passage.end}): \u201c{shown}\u201d"


def _judgement_data(row: JudgementRow) -> dict[str, object]:
    j = row.judgement
    a = j.assessment
    drift = j.drift
    return {
        "run": row.run_id, "assessed_at": _iso(row.assessed_at), "document": row.document,
        "claim": row.claim_id, "claim_text": row.claim_text, "verdict": a.verdict.value,
        "score": a.score, "reason": a.reason, "source": j.source.value,
        "evidence": passage_data(a.evidence), "text_sha256": j.text_sha256,
        "matched": list(a.matched), "missing": list(a.missing),
        "contradicted": list(a.contradicted), "languages": list(a.languages),
        "snapshot": None if j.snapshot is None else {
            "archive": j.snapshot.archive, "captured_at": _iso(j.snapshot.captured_at),
            "url": j.snapshot.replay_url},
        "drift": None if drift is None else {
            "archived_verdict": drift.archived.verdict.value,
            "archived_evidence": passage_data(drift.archived.evidence),
            "live_verdict": drift.live.verdict.value,
            "live_evidence": passage_data(drift.live.evidence),
        },
    }


def _iso(value: object) -> str | None:
    return None if value is None else value.isoformat()  # type: ignore[attr-defined]


def url_history(url: str, settings: Settings) -> Timeline:
    """Every check of one URL (matched after the checker's normalisation)."""
    key = url_key(url)
    with Store.open_existing(settings.db_path()) as store:
        row = store.url(key)
        if row is None:
            raise InputError(f"{url}: never checked in {store.path}")
        return Timeline(row, tuple(store.checks_for_url(key)), tuple(store.lookups_for_url(key)),
                        tuple(store.judgements_for_url(key)))


_STATUSES = frozenset(status.value for status in CheckStatus)


def _checks(run: RunRow) -> int:
    return sum(n for name, n in (run.counts or {}).items() if name in _STATUSES)


@dataclass(frozen=True)
class RunListing:
    runs: tuple[RunRow, ...]

    def as_dict(self) -> dict[str, object]:
        return {"runs": [{
            "id": r.id, "started_at": _iso(r.started_at), "finished_at": _iso(r.finished_at),
            "status": r.status.value, "command": r.command, "claims_path": r.claims_path,
            "checks": _checks(r), "counts": dict(r.counts or {}), "reason": r.reason,
        } for r in self.runs]}

    def as_text(self) -> str:
        if not self.runs:
            return "no runs yet"
        lines = [f"{'id':>4}  {'started (UTC)':<19}  {'status':<11} {'checks':>6}  command"]
        for r in self.runs:
            lines.append(f"{r.id:>4}  {_when(r.started_at):<19}  {r.status.value:<11} "
                         f"{_checks(r):>6}  {r.command}")
            if r.reason:
                lines.append(f"{'':>4}  {r.reason}")
        return "\n".join(lines)


def list_runs(settings: Settings, limit: int) -> RunListing:
    """The latest runs. One without counts (still running, or closed as abandoned by an older
    verifier) shows the checks its rows hold."""
    with Store.open_existing(settings.db_path()) as store:
        return RunListing(tuple(r if r.counts is not None else
                                replace(r, counts=store.check_counts(r.id))
                                for r in store.runs(limit)))
