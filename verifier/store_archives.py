"""The store's archive part: snapshots found for URLs, and every lookup with its outcome."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from verifier.models import LookupOutcome, Snapshot
from verifier.store_part import StorePart
from verifier.store_rows import parse_timestamp, timestamp, to_json

@dataclass(frozen=True, slots=True)
class LookupRow:
    """The latest lookup of a URL, with the snapshot it chose, if any."""

    url_id: int
    looked_up_at: dt.datetime
    outcome: LookupOutcome
    anchor_date: dt.date | None
    snapshot: Snapshot | None
    why: str | None
    run_id: int | None
    snapshot_id: int | None = None
    snapshot_body: str | None = None  # SHA-256 of the snapshot's bytes, once they were read
    unanswered: tuple[str, ...] = ()  # archives that could not be asked fully


def _snapshot(row: dict[str, Any]) -> Snapshot | None:
    if row["snapshot_id"] is None:
        return None
    return Snapshot(
        archive=row["archive"], url=row["original_url"],
        captured_at=parse_timestamp(row["captured_at"]), status=row["http_status"],
        replay_url=row["snapshot_url"], raw_url=row["raw_url"],
    )


def _lookup(row: dict[str, Any]) -> LookupRow:
    return LookupRow(
        url_id=row["url_id"], looked_up_at=parse_timestamp(row["looked_up_at"]),
        outcome=LookupOutcome(row["outcome"]),
        anchor_date=dt.date.fromisoformat(row["anchor_date"]) if row["anchor_date"] else None,
        snapshot=_snapshot(row), why=row["why"], run_id=row["run_id"],
        snapshot_id=row["snapshot_id"], snapshot_body=row["body_sha256"],
        unanswered=tuple(json.loads(row["unanswered"])),
    )


_SELECT = (
    "SELECT archive_lookups.*, snapshots.archive, snapshots.captured_at, snapshots.snapshot_url,"
    " snapshots.raw_url, snapshots.http_status, snapshots.body_sha256,"
    " urls.url AS original_url"
    " FROM archive_lookups JOIN urls ON urls.id = archive_lookups.url_id"
    " LEFT JOIN snapshots ON snapshots.id = archive_lookups.snapshot_id"
)


class ArchiveHistory(StorePart):
    """Archived snapshots and the lookups that found them (a part of Store)."""

    def record_lookup(
        self, run_id: int | None, url_id: int, at: dt.datetime, outcome: LookupOutcome,
        anchor: dt.date | None, snapshot: Snapshot | None, why: str | None,
        notes: Sequence[str], unanswered: Sequence[str] = (),
    ) -> int:
        """Store one lookup, and the snapshot it chose (once per URL and snapshot address);
        `unanswered`: the archives that could not be asked fully."""
        with self.write(), self._sql_errors(f"record an archive lookup of URL {url_id}"):
            snapshot_id = None
            if snapshot is not None:
                self._db.execute(
                    "INSERT INTO snapshots (url_id, archive, captured_at, snapshot_url, raw_url,"
                    " http_status, found_at, found_in_run_id, reason)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (url_id, snapshot_url) DO NOTHING",
                    [url_id, snapshot.archive, timestamp(snapshot.captured_at),
                     snapshot.replay_url, snapshot.raw_url, snapshot.status, timestamp(at),
                     run_id, why],
                )
                snapshot_id = self._db.execute(
                    "SELECT id FROM snapshots WHERE url_id = ? AND snapshot_url = ?",
                    [url_id, snapshot.replay_url]).fetchone()[0]
            cursor = self._db.execute(
                "INSERT INTO archive_lookups (url_id, run_id, looked_up_at, outcome, anchor_date,"
                " snapshot_id, why, notes, unanswered) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [url_id, run_id, timestamp(at), outcome.value,
                 anchor.isoformat() if anchor else None, snapshot_id, why, to_json(list(notes)),
                 to_json(list(unanswered))],
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def latest_lookups(self, url_ids: Sequence[int], as_of_run: int | None = None,
                       ) -> dict[int, LookupRow]:
        """Each URL's latest lookup that found a snapshot, else its latest lookup of any kind
        (made in `as_of_run` or before it, when given)."""
        found: dict[int, LookupRow] = {}
        limit = "" if as_of_run is None else " AND archive_lookups.run_id <= ?"
        for row in self._rows_in(
                _SELECT + " WHERE archive_lookups.url_id IN ({marks})" + limit +
                " ORDER BY archive_lookups.looked_up_at, archive_lookups.id", url_ids,
                after=[] if as_of_run is None else [as_of_run]):
            lookup = _lookup(row)
            previous = found.get(lookup.url_id)
            # A found snapshot is final: later failures do not hide it.
            if previous is None or previous.outcome is not LookupOutcome.FOUND:
                found[lookup.url_id] = lookup
            elif lookup.outcome is LookupOutcome.FOUND:
                found[lookup.url_id] = lookup
        return found

    def record_outage(self, run_id: int, archive: str, at: dt.datetime, reason: str) -> None:
        """Note that run `run_id` gave `archive` up as unreachable (once per run and archive)."""
        with self.write(), self._sql_errors(f"record that {archive} could not be reached"):
            self._db.execute(
                "INSERT INTO archive_outages (run_id, archive, noticed_at, reason)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (run_id, archive) DO NOTHING",
                [run_id, archive, timestamp(at), reason])

    def outages(self, run_id: int) -> dict[str, str]:
        """The archives run `run_id` gave up on as unreachable, in that order: name -> why."""
        rows = self._rows("SELECT archive, reason FROM archive_outages WHERE run_id = ?"
                          " ORDER BY noticed_at, rowid", [run_id])
        return {row["archive"]: row["reason"] for row in rows}

    def outages_by_run(self) -> dict[int, frozenset[str]]:
        """Every run's archives given up as unreachable (a few rows a run at most)."""
        runs: dict[int, set[str]] = {}
        for row in self._rows("SELECT run_id, archive FROM archive_outages"):
            runs.setdefault(row["run_id"], set()).add(row["archive"])
        return {run_id: frozenset(names) for run_id, names in runs.items()}

    def set_snapshot_body(self, snapshot_id: int, body_sha256: str) -> None:
        """Note the bytes of an archived copy once read: a snapshot never changes."""
        with self.write(), self._sql_errors(f"note the body of snapshot {snapshot_id}"):
            self._db.execute("UPDATE snapshots SET body_sha256 = ? WHERE id = ?",
                             [body_sha256, snapshot_id])

    def lookups_for_url(self, url: str) -> list[LookupRow]:
        """Every lookup of a URL, oldest first."""
        return [_lookup(row) for row in self._rows(
            _SELECT + " WHERE urls.url = ? ORDER BY archive_lookups.looked_up_at,"
            " archive_lookups.id", [url])]


@dataclass(frozen=True, slots=True)
class ArchiveLinkRow:
    archive_url: str
    checked_at: dt.datetime
    ok: bool
    inconclusive: bool
    captured_at: dt.datetime | None
    problem: str | None


class ArchiveLinkHistory(ArchiveHistory):
    """Checks of the archive links references give; mixed into Store."""

    def record_archive_link(self, run_id: int, archive_url: str, at: dt.datetime, ok: bool,
                            inconclusive: bool, captured_at: dt.datetime | None,
                            problem: str | None) -> None:
        with self.write(), self._sql_errors("record an archive link check"):
            self._db.execute(
                "INSERT INTO archive_link_checks (run_id, archive_url, checked_at, ok,"
                " inconclusive, captured_at, problem) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (run_id, archive_url) DO NOTHING",
                [run_id, archive_url, timestamp(at), int(ok), int(inconclusive),
                 timestamp(captured_at) if captured_at else None, problem],
            )

    def archive_links_as_of(self, run_id: int) -> dict[str, ArchiveLinkRow]:
        """Each archive link's latest check made in `run_id` or before it."""
        rows = self._rows(
            "SELECT * FROM archive_link_checks WHERE run_id <= ? ORDER BY checked_at, id",
            [run_id])
        return {row["archive_url"]: ArchiveLinkRow(
            archive_url=row["archive_url"], checked_at=parse_timestamp(row["checked_at"]),
            ok=bool(row["ok"]), inconclusive=bool(row["inconclusive"]),
            captured_at=parse_timestamp(row["captured_at"]) if row["captured_at"] else None,
            problem=row["problem"]) for row in rows}
