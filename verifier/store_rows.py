"""The store's row types and the conversions between them and column values; no SQL here.

Every type a `Store` method takes or returns is a frozen dataclass defined here (and
re-exported by `store`), so no dict crosses the store's boundary. Timestamps become
fixed-width ISO 8601 UTC text, dates "YYYY-MM-DD", lists and mappings JSON.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from verifier import models
from verifier.models import CheckStatus, Redirect, UrlState, is_inline_url
from verifier.urls import redact


class RunStatus(enum.Enum):
    """How a run stands: running until it ends one of the four other ways."""

    RUNNING = "running"
    COMPLETED = "completed"
    INTERRUPTED = "interrupted"  # stopped by a signal, or found abandoned by a later run
    DEADLINE = "deadline"  # stopped by its run deadline; its summary and reports were written
    FAILED = "failed"  # an error ended it; `reason` says which

    def is_finished(self) -> bool:
        return self is not RunStatus.RUNNING


@dataclass(frozen=True, slots=True)
class CheckRecord:
    """One URL checked in one run, as the fetch layer reports it; mirrors the `checks` columns."""

    url_id: int
    checked_at: dt.datetime
    status: CheckStatus
    http_status: int | None = None
    final_url: str | None = None
    redirects: tuple[Redirect, ...] = ()
    elapsed_ms: int | None = None
    error: str | None = None
    content_type: str | None = None
    body_bytes: int | None = None
    body_sha256: str | None = None
    reason: str | None = None  # why the check got its status, in words
    method: str | None = None  # the request method that gave the answer (HEAD or GET)
    attempts: int | None = None
    permanent_redirect: bool | None = None
    tls_ok_unverified: bool | None = None  # for tls_error: the content loads without verification
    url_state: UrlState | None = None  # the URL's state after this check
    strikes: int | None = None  # the URL's strikes after this check


@dataclass(frozen=True, kw_only=True, slots=True)
class CheckRow(CheckRecord):
    """A stored check, with its id, run and URL."""

    id: int
    run_id: int
    url: str


@dataclass(frozen=True, slots=True)
class RunRow:
    """A stored run."""

    id: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    status: RunStatus
    command: str
    claims_path: str | None
    verifier_version: str
    settings: Mapping[str, object]
    counts: Mapping[str, int] | None
    claim_set_id: int | None
    reason: str | None = None  # why a run that did not complete ended (one line)


@dataclass(frozen=True, slots=True)
class ClaimRow:
    """A claim as a run saw it, with the document it belongs to."""

    version_id: int
    document: str
    claim: models.Claim


@dataclass(frozen=True, slots=True)
class ReferenceRow:
    """A reference as a run saw it, with the document it belongs to."""

    version_id: int
    document: str
    reference: models.Reference


@dataclass(frozen=True, slots=True)
class UrlRow:
    """A stored URL and its state across runs."""

    id: int
    url: str
    host: str
    first_seen_at: dt.datetime
    last_checked_at: dt.datetime | None
    state: UrlState
    state_since: dt.datetime | None
    strikes: int
    last_alive_at: dt.datetime | None
    first_failure_at: dt.datetime | None


def timestamp(when: dt.datetime) -> str:
    """A fixed-width ISO 8601 UTC string ("2024-05-01T12:00:00.000Z"): text order is time order."""
    if when.tzinfo is None:
        raise ValueError(f"naive datetime {when!r}: the store needs timezone-aware times")
    text = when.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def parse_timestamp(text: str) -> dt.datetime:
    """The aware UTC datetime a `timestamp()` string stands for."""
    return dt.datetime.fromisoformat(text)


def _maybe_timestamp(text: str | None) -> dt.datetime | None:
    return None if text is None else parse_timestamp(text)


# One encoder, built once: json.dumps() with options builds a new one per call, and a claim
# set of 100,000 claims makes several calls per claim. default=str: settings may hold paths or
# durations; they are kept for reading, not replay.
_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=str)


def to_json(value: object) -> str:
    """Canonical JSON: sorted keys, so equal content gives equal text (and hash)."""
    return _ENCODER.encode(value)


def sha256_of(value: object) -> str:
    """Hex SHA-256 of a value's canonical JSON."""
    return hashlib.sha256(to_json(value).encode("utf-8")).hexdigest()


def _tags_json(tags: tuple[models.Tag, ...]) -> str:
    return to_json([{"name": t.name, "date": t.date} for t in tags])


def _tags(text: str) -> tuple[models.Tag, ...]:
    if text == "[]":  # most claims and references: no JSON parser for them
        return ()
    return tuple(models.Tag(t["name"], t["date"]) for t in json.loads(text))


def _date_text(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


def claim_values(document: str, claim: models.Claim) -> dict[str, object]:
    """The `claim_versions` columns for a claim, its content hash included."""
    values: dict[str, object] = {
        "document": document,
        "claim_id": claim.id,
        "text": claim.text,
        "section": claim.section,
        # URL credentials are never stored (urls.redact): a URL is kept as written, less them.
        "sources": to_json([redact(s) if is_inline_url(s) else s for s in claim.sources]),
        "citation_needed": int(claim.citation_needed),
        "tags": _tags_json(claim.tags),
    }
    return {**values, "hash": sha256_of(values)}


def reference_values(document: str, ref: models.Reference) -> dict[str, object]:
    """The `reference_versions` columns for a reference, its content hash included."""
    values: dict[str, object] = {
        "document": document,
        "ref_key": ref.key,
        "title": ref.title,
        "publisher": ref.publisher,
        "work": ref.work,
        "date": _date_text(ref.date),
        "url": redact(ref.url) if ref.url else ref.url,
        "archive_url": redact(ref.archive_url) if ref.archive_url else ref.archive_url,
        "archive_date": _date_text(ref.archive_date),
        "access_date": _date_text(ref.access_date),
        "quote": ref.quote,
        "doi": ref.doi,
        "url_access": ref.url_access,
        "url_status": ref.url_status,
        "tags": _tags_json(ref.tags),
    }
    return {**values, "hash": sha256_of(values)}


def claim_row(row: Mapping[str, Any]) -> ClaimRow:
    """A `claim_versions` row as a ClaimRow."""
    claim = models.Claim(
        id=row["claim_id"],
        text=row["text"],
        section=row["section"],
        sources=tuple(json.loads(row["sources"])),
        citation_needed=bool(row["citation_needed"]),
        tags=_tags(row["tags"]),
    )
    return ClaimRow(row["id"], row["document"], claim)


def reference_row(row: Mapping[str, Any]) -> ReferenceRow:
    """A `reference_versions` row as a ReferenceRow."""
    reference = models.Reference(
        key=row["ref_key"],
        title=row["title"],
        publisher=row["publisher"],
        date=_date(row["date"]),
        url=row["url"],
        archive_url=row["archive_url"],
        archive_date=_date(row["archive_date"]),
        access_date=_date(row["access_date"]),
        quote=row["quote"],
        work=row["work"],
        doi=row["doi"],
        url_access=row["url_access"],
        url_status=row["url_status"],
        tags=_tags(row["tags"]),
    )
    return ReferenceRow(row["id"], row["document"], reference)


def run_row(row: Mapping[str, Any]) -> RunRow:
    """A `runs` row as a RunRow."""
    counts = row["counts"]
    return RunRow(
        id=row["id"],
        started_at=parse_timestamp(row["started_at"]),
        finished_at=_maybe_timestamp(row["finished_at"]),
        status=RunStatus(row["status"]),
        command=row["command"],
        claims_path=row["claims_path"],
        verifier_version=row["verifier_version"],
        settings=MappingProxyType(json.loads(row["settings"])),
        counts=None if counts is None else MappingProxyType(json.loads(counts)),
        claim_set_id=row["claim_set_id"],
        reason=row["reason"],
    )


def url_row(row: Mapping[str, Any]) -> UrlRow:
    """A `urls` row as a UrlRow."""
    return UrlRow(
        id=row["id"],
        url=row["url"],
        host=row["host"],
        first_seen_at=parse_timestamp(row["first_seen_at"]),
        last_checked_at=_maybe_timestamp(row["last_checked_at"]),
        state=_STATES[row["state"]],
        state_since=_maybe_timestamp(row["state_since"]),
        strikes=row["strikes"],
        last_alive_at=_maybe_timestamp(row["last_alive_at"]),
        first_failure_at=_maybe_timestamp(row["first_failure_at"]),
    )


def check_values(run_id: int, check: CheckRecord) -> dict[str, object]:
    """The `checks` columns for a check made in a run."""
    return {
        "run_id": run_id,
        "url_id": check.url_id,
        "checked_at": timestamp(check.checked_at),
        "status": check.status.value,
        "http_status": check.http_status,
        "final_url": check.final_url,
        "redirects": to_json([{"url": r.url, "status": r.status} for r in check.redirects]),
        "elapsed_ms": check.elapsed_ms,
        "error": check.error,
        "content_type": check.content_type,
        "body_bytes": check.body_bytes,
        "body_sha256": check.body_sha256,
        "reason": check.reason,
        "method": check.method,
        "attempts": check.attempts,
        "permanent_redirect": _maybe_int(check.permanent_redirect),
        "tls_ok_unverified": _maybe_int(check.tls_ok_unverified),
        "url_state": check.url_state.value if check.url_state else None,
        "strikes": check.strikes,
    }


def _maybe_int(value: bool | None) -> int | None:
    return None if value is None else int(value)


# Enum(value) costs a microsecond; 100,000 rows read several each.
_STATUSES = {s.value: s for s in CheckStatus}
_STATES = {s.value: s for s in UrlState}


def url_state(value: str) -> UrlState:
    """The UrlState a stored value names."""
    return _STATES[value]


def _maybe_bool(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def check_row(row: Mapping[str, Any]) -> CheckRow:
    """A `checks` row, joined with its URL, as a CheckRow."""
    return CheckRow(
        id=row["id"],
        run_id=row["run_id"],
        url=row["url"],
        url_id=row["url_id"],
        checked_at=parse_timestamp(row["checked_at"]),
        status=_STATUSES[row["status"]],
        http_status=row["http_status"],
        final_url=row["final_url"],
        redirects=() if row["redirects"] == "[]" else tuple(
            Redirect(r["url"], r["status"]) for r in json.loads(row["redirects"])),
        elapsed_ms=row["elapsed_ms"],
        error=row["error"],
        content_type=row["content_type"],
        body_bytes=row["body_bytes"],
        body_sha256=row["body_sha256"],
        reason=row["reason"],
        method=row["method"],
        attempts=row["attempts"],
        permanent_redirect=_maybe_bool(row["permanent_redirect"]),
        tls_ok_unverified=_maybe_bool(row["tls_ok_unverified"]),
        url_state=_STATES[row["url_state"]] if row["url_state"] else None,
        strikes=row["strikes"],
    )
