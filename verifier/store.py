"""The history database: every run, the claims it read, the URLs it checked.

All of verifier's SQL is here, and the schema's DDL in `store_schema`; the row types are in
`store_rows` and re-exported from here. One SQLite file through sqlite-utils, in WAL mode so
reports can read while a run writes. Writes go through `Store.write()`, which starts with
BEGIN IMMEDIATE: a deferred BEGIN takes the write lock only at the first write, and a
connection that read first then fails at once with "database is locked" instead of waiting.
A killed process leaves no partial transaction behind; the run it was making stays `running`
until the next run, holding the lock, calls `close_abandoned_runs()`.

Only one run per database at a time: `Store.lock()` holds an flock on `<db>.lock`, which the
kernel releases when the process dies, however it dies.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from sqlite_utils import Database

from verifier import __version__, models
from verifier.models import Redirect, UrlState
from verifier.state import UrlHistory
from verifier.errors import BusyError, InputError, NotADatabaseError, StoreError
from verifier.store_rows import (
    CheckRecord,
    CheckRow,
    ClaimRow,
    ReferenceRow,
    RunRow,
    RunStatus,
    UrlRow,
    check_row,
    url_state,
    check_values,
    claim_row,
    claim_values,
    reference_row,
    reference_values,
    run_row,
    sha256_of,
    timestamp,
    to_json,
    url_row,
    parse_timestamp,
)
from verifier.store_archives import ArchiveLinkHistory, ArchiveLinkRow, LookupRow
from verifier.store_acks import AckHistory
from verifier.store_part import IN_CHUNK
from verifier.store_assessments import (
    AssessmentHistory, JudgementRecord, JudgementRow, VerdictLine,
)
from verifier.store_texts import Reading, TextHistory
from verifier.store_schema import MIGRATION_NAMES, MIGRATIONS, TableInfo, describe

# The row types live in store_rows; callers import them from here.
__all__ = [
    "ArchiveLinkRow",
    "CheckRecord",
    "JudgementRecord",
    "JudgementRow",
    "VerdictLine",
    "Reading",
    "LookupRow",
    "CheckRow",
    "ClaimRow",
    "Redirect",
    "ReferenceRow",
    "RunRow",
    "RunStatus",
    "Store",
    "TableInfo",
    "UrlRow",
    "UrlState",
]


def _stamp(when: dt.datetime | None) -> str | None:
    return None if when is None else timestamp(when)


def _not_a_database(path: Path, why: str) -> NotADatabaseError:
    return NotADatabaseError(f"{path} is not a verifier database ({why})")


# Each URL's latest check (up to a run, in {limit}), joined to the URL; {{marks}} are the ids.
_LATEST_CHECK = (
    " FROM urls JOIN checks ON checks.id = ("
    " SELECT c.id FROM checks AS c WHERE c.url_id = urls.id{limit}"
    " ORDER BY c.checked_at DESC, c.id DESC LIMIT 1) WHERE urls.id IN ({{marks}})")


class Store(ArchiveLinkHistory, TextHistory, AssessmentHistory, AckHistory):
    """An open history database. Use `Store.open()`; close it, or use it as a context manager."""

    def __init__(self, path: Path, conn: sqlite3.Connection, busy_timeout: float) -> None:
        self.path = path
        self._conn = conn
        self._busy_timeout = busy_timeout
        # No plugins: what the store does must not depend on what else is installed.
        self._db = Database(conn, execute_plugins=False)
        self._locked = False

    @staticmethod
    def refuse_unusable(path: Path) -> None:
        """Bad input (exit 2) when no database can be at `path`: a run checks this before any
        work, so that it does not parse its claims only to fail at the end."""
        if not path.parent.is_dir():
            raise InputError(f"cannot open {path}: directory {path.parent} does not exist")
        if path.is_dir():
            raise _not_a_database(path, "it is a directory")

    @classmethod
    def open_existing(cls, path: Path) -> Store:
        """Open a database that must be there already (for commands that read the history)."""
        cls.refuse_unusable(path)
        if not path.is_file():
            raise InputError(f"no history database at {path}; run `verifier check` first")
        return cls.open(path)

    @classmethod
    def open(cls, path: Path, *, busy_timeout: float = 10.0) -> Store:
        """Open (creating if needed) the database at `path` and bring its schema up to date."""
        path = Path(path)
        cls.refuse_unusable(path)
        try:
            # isolation_level=None: the sqlite3 module must not open transactions on its own.
            # check_same_thread=False: a run hands the store to its writer thread while the event
            # loop fetches; one thread uses it at a time.
            conn = sqlite3.connect(path, isolation_level=None, timeout=busy_timeout,
                                   check_same_thread=False)
        except sqlite3.Error as e:
            raise StoreError(f"cannot open {path}: {e}") from e
        try:
            # Before sqlite-utils touches it: a garbage file fails here, with a clear message.
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as e:
            conn.close()
            if getattr(e, "sqlite_errorcode", 0) == sqlite3.SQLITE_NOTADB:
                raise _not_a_database(path, "not an SQLite file") from e
            raise StoreError(f"cannot read {path}: {e}") from e
        store = cls(path, conn, busy_timeout)
        try:
            store._configure()
            store._migrate()
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        """Close the connection; safe to call twice."""
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _sql_errors(self, doing: str) -> Iterator[None]:
        """Turn sqlite3's exceptions into the tool's own, naming what was being done."""
        try:
            yield
        except sqlite3.Error as e:
            # Extended codes (SQLITE_BUSY_SNAPSHOT...) keep the primary code in the low byte.
            code = getattr(e, "sqlite_errorcode", 0) & 0xFF
            if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise BusyError(
                    f"cannot {doing}: another process has held {self.path} for more than "
                    f"{self._busy_timeout:g}s"
                ) from e
            raise StoreError(f"cannot {doing} in {self.path}: {e}") from e

    def _configure(self) -> None:
        with self._sql_errors("configure the database"):
            self._db.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
            # Foreign keys are off by default and per connection: every connection turns them on.
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.enable_wal()
            # In WAL mode NORMAL still survives a killed process (every commit is in the WAL
            # before COMMIT returns); only a power cut may lose the last commits. FULL would
            # fsync on every commit, and a run commits once per URL.
            self._db.execute("PRAGMA synchronous = NORMAL")
            mode = self._db.journal_mode
        if mode != "wal":
            raise StoreError(f"cannot use WAL mode on {self.path} (journal mode is {mode})")

    def _pending_migrations(self) -> bool:
        """Whether migrations remain; refuses databases this code cannot or must not use."""
        applied = [m.name for m in MIGRATIONS.applied(self._db)]
        unknown = [name for name in applied if name not in MIGRATION_NAMES]
        if unknown:
            raise StoreError(
                f"{self.path} was written by a newer verifier (unknown migrations: "
                f"{', '.join(unknown)}); upgrade verifier to use it"
            )
        if not applied:
            # Never scribble verifier tables into some other application's database.
            other = [
                t
                for t in self._db.table_names()
                if t != MIGRATIONS.migrations_table and not t.startswith("sqlite_")
            ]
            if other:
                raise _not_a_database(self.path, f"it has other tables: {', '.join(other)}")
        return len(applied) < len(MIGRATION_NAMES)

    def _migrate(self) -> None:
        # Check before taking the write lock, so that opening an up-to-date database never waits
        # behind a writer; check again under the lock, in case another process just migrated.
        with self._sql_errors("read the schema"):
            if not self._pending_migrations():
                return
        with self.write(), self._sql_errors("migrate the schema"):
            if self._pending_migrations():
                MIGRATIONS.apply(self._db)

    @contextlib.contextmanager
    def write(self) -> Iterator[None]:
        """A write transaction (BEGIN IMMEDIATE ... COMMIT); nested, a savepoint."""
        if self._conn.in_transaction:
            with self._sql_errors("write"), self._db.atomic():
                yield
            return
        with self._sql_errors("start writing"):
            self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            with self._sql_errors("commit"):
                self._conn.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                # Keep the original error: a failed ROLLBACK is undone by SQLite's recovery.
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
            raise

    def _rows(self, sql: str, params: Sequence[object] = ()) -> list[Any]:
        # sqlite3.Row, read by column name like a dict, is built in C: a dict per row cost
        # seconds at 100,000 rows.
        with self._sql_errors("read"):
            cursor = self._conn.execute(sql, list(params))
            cursor.row_factory = sqlite3.Row
            return cursor.fetchall()

    def _require_run(self, run_id: int) -> None:
        if not self._rows("SELECT 1 FROM runs WHERE id = ?", [run_id]):
            raise StoreError(f"{self.path} has no run {run_id}")

    def start_run(
        self,
        command: str,
        claims_path: str,
        started_at: dt.datetime,
        settings: Mapping[str, object],
    ) -> int:
        """Record a new run as running; returns its id."""
        with self.write(), self._sql_errors("start a run"):
            cursor = self._db.execute(
                "INSERT INTO runs (started_at, status, command, claims_path, verifier_version,"
                " settings) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    timestamp(started_at),
                    RunStatus.RUNNING.value,
                    command,
                    claims_path,
                    __version__,
                    to_json(dict(settings)),
                ],
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def finish_run(
        self, run_id: int, status: RunStatus, finished_at: dt.datetime,
        counts: Mapping[str, int], reason: str | None = None,
    ) -> None:
        """Record how a running run ended; `reason` says why one that did not complete ended."""
        if not status.is_finished():
            raise ValueError("finish_run needs a finished status")
        with self.write(), self._sql_errors("finish the run"):
            cursor = self._db.execute(
                "UPDATE runs SET status = ?, finished_at = ?, counts = ?, reason = ?"
                " WHERE id = ? AND status = ?",
                [status.value, timestamp(finished_at), to_json(dict(counts)), reason, run_id,
                 RunStatus.RUNNING.value],
            )
            if cursor.rowcount == 0:
                self._require_run(run_id)
                raise StoreError(f"run {run_id} in {self.path} has already finished")

    def close_abandoned_runs(self, finished_at: dt.datetime) -> list[int]:
        """Mark runs left `running` by a dead process as interrupted, with the checks they
        finished as their counts; needs `lock()` held."""
        if not self._locked:
            # Without the lock, a `running` run may be alive in another process.
            raise RuntimeError("close_abandoned_runs() needs the run lock")
        with self.write(), self._sql_errors("close abandoned runs"):
            abandoned = [row["id"] for row in self._rows(
                "SELECT id FROM runs WHERE status = ? ORDER BY id", [RunStatus.RUNNING.value])]
            for run_id in abandoned:
                self._db.execute(
                    "UPDATE runs SET status = ?, finished_at = ?, counts = ?, reason = ?"
                    " WHERE id = ?",
                    [RunStatus.INTERRUPTED.value, timestamp(finished_at),
                     to_json(self.check_counts(run_id)),
                     "its process ended without recording how (killed, or the machine stopped)",
                     run_id])
        return abandoned

    def check_counts(self, run_id: int) -> dict[str, int]:
        """A run's checks by status, counted from its rows (for runs that recorded no counts)."""
        rows = self._rows("SELECT status, count(*) AS n FROM checks WHERE run_id = ?"
                          " GROUP BY status", [run_id])
        return {row["status"]: row["n"] for row in rows}

    def run(self, run_id: int) -> RunRow:
        """One run, by id."""
        run = self.find_run(run_id)
        if run is None:
            raise StoreError(f"{self.path} has no run {run_id}")
        return run

    def find_run(self, run_id: int) -> RunRow | None:
        """One run, by id; None when there is no such run."""
        rows = self._rows("SELECT * FROM runs WHERE id = ?", [run_id])
        return run_row(rows[0]) if rows else None

    def runs(self, limit: int | None = None) -> list[RunRow]:
        """Runs, newest first."""
        # LIMIT -1 is SQLite for "no limit".
        sql = "SELECT * FROM runs ORDER BY id DESC LIMIT ?"
        rows = self._rows(sql, [-1 if limit is None else limit])
        return [run_row(row) for row in rows]

    def record_claim_set(self, run_id: int, claim_set: models.ClaimSet) -> int:
        """Store what a run works on, reusing rows for unchanged content; returns the set's id.

        A claim set read from files it was read from before (`claim_set.source`) is found by
        that alone, without hashing its claims and references again."""
        if claim_set.source:
            with self.write(), self._sql_errors("record the claim set"):
                self._require_run(run_id)
                known = self._rows(
                    "SELECT s.claim_set_id AS id FROM claim_set_sources AS s"
                    " JOIN claim_sets AS c ON c.id = s.claim_set_id"
                    " WHERE s.source = ? AND c.claim_count = ?",
                    [claim_set.source, sum(len(d.claims) for d in claim_set.documents)])
                if known:
                    self._db.execute("UPDATE runs SET claim_set_id = ? WHERE id = ?",
                                     [known[0]["id"], run_id])
                    return int(known[0]["id"])
        documents = claim_set.documents
        claims = [claim_values(d.name, c) for d in documents for c in d.claims]
        refs = [reference_values(d.name, r) for d in documents for r in d.references.values()]
        # Order is part of the content: reports list claims as the article does.
        content = {"claims": [c["hash"] for c in claims], "references": [r["hash"] for r in refs]}
        set_hash = sha256_of(content)
        with self.write(), self._sql_errors("record the claim set"):
            self._require_run(run_id)
            found = self._rows("SELECT id FROM claim_sets WHERE hash = ?", [set_hash])
            if found:
                set_id: int = found[0]["id"]
            else:
                set_id = self._insert_claim_set(set_hash, claims, refs)
            self._db.execute("UPDATE runs SET claim_set_id = ? WHERE id = ?", [set_id, run_id])
            if claim_set.source:
                self._db.execute(
                    "INSERT INTO claim_set_sources (source, claim_set_id) VALUES (?, ?)"
                    " ON CONFLICT (source) DO UPDATE SET claim_set_id = excluded.claim_set_id",
                    [claim_set.source, set_id])
        return set_id

    def claim_version_ids(self, set_id: int) -> list[int]:
        """The claim versions a claim set holds, in input order (the order of its claims)."""
        with self._sql_errors("read the claim set"):
            return [row[0] for row in self._db.execute(
                "SELECT claim_version_id FROM claim_set_claims WHERE claim_set_id = ?"
                " ORDER BY position", [set_id])]

    def _insert_claim_set(
        self, set_hash: str, claims: list[dict[str, object]], refs: list[dict[str, object]]
    ) -> int:
        claim_ids = self._insert_versions("claim_versions", claims)
        ref_ids = self._insert_versions("reference_versions", refs)
        cursor = self._db.execute(
            "INSERT INTO claim_sets (hash, claim_count, reference_count, created_at)"
            " VALUES (?, ?, ?, ?)",
            [set_hash, len(claims), len(refs), timestamp(dt.datetime.now(dt.timezone.utc))],
        )
        set_id = cursor.lastrowid
        self._conn.executemany(
            "INSERT INTO claim_set_claims (claim_set_id, position, claim_version_id)"
            " VALUES (?, ?, ?)",
            [(set_id, i, v) for i, v in enumerate(claim_ids)],
        )
        self._conn.executemany(
            "INSERT INTO claim_set_references (claim_set_id, position, reference_version_id)"
            " VALUES (?, ?, ?)",
            [(set_id, i, v) for i, v in enumerate(ref_ids)],
        )
        assert set_id is not None
        return set_id

    def _insert_versions(
        self, table: Literal["claim_versions", "reference_versions"], rows: list[dict[str, object]]
    ) -> list[int]:
        """Insert the versions not stored yet; returns the id of every row, in order."""
        if not rows:
            return []
        columns = list(rows[0])
        self._conn.executemany(
            f"INSERT INTO {table} ({', '.join(columns)})"
            f" VALUES ({', '.join('?' for _ in columns)}) ON CONFLICT (hash) DO NOTHING",
            [[row[c] for c in columns] for row in rows],
        )
        hashes = list(dict.fromkeys(str(row["hash"]) for row in rows))
        ids: dict[str, int] = {}
        for start in range(0, len(hashes), IN_CHUNK):
            chunk = hashes[start : start + IN_CHUNK]
            marks = ", ".join("?" for _ in chunk)
            sql = f"SELECT id, hash FROM {table} WHERE hash IN ({marks})"
            ids.update((h, i) for i, h in self._db.execute(sql, chunk).fetchall())
        return [ids[str(row["hash"])] for row in rows]

    def claims_as_of(self, run_id: int) -> list[ClaimRow]:
        """The claims a run worked on, in input order, each with its document."""
        self._require_run(run_id)
        rows = self._rows(
            "SELECT v.* FROM runs JOIN claim_set_claims AS m ON m.claim_set_id = runs.claim_set_id"
            " JOIN claim_versions AS v ON v.id = m.claim_version_id"
            " WHERE runs.id = ? ORDER BY m.position",
            [run_id],
        )
        return [claim_row(row) for row in rows]

    def references_as_of(self, run_id: int) -> list[ReferenceRow]:
        """The references a run worked on, in input order, each with its document."""
        self._require_run(run_id)
        rows = self._rows(
            "SELECT v.* FROM runs"
            " JOIN claim_set_references AS m ON m.claim_set_id = runs.claim_set_id"
            " JOIN reference_versions AS v ON v.id = m.reference_version_id"
            " WHERE runs.id = ? ORDER BY m.position",
            [run_id],
        )
        return [reference_row(row) for row in rows]

    def url_id(self, url: str, host: str, seen_at: dt.datetime) -> int:
        """The id of a (normalized) URL, adding it if it is new."""
        sql = "SELECT id FROM urls WHERE url = ?"
        # Read first: a URL seen before needs no write lock.
        found = self._rows(sql, [url])
        if not found:
            with self.write(), self._sql_errors("add a URL"):
                self._db.execute(
                    "INSERT INTO urls (url, host, first_seen_at, state) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (url) DO NOTHING",
                    [url, host, timestamp(seen_at), UrlState.UNKNOWN.value],
                )
                found = self._rows(sql, [url])
        return int(found[0]["id"])

    def url(self, url: str) -> UrlRow | None:
        """A stored URL, or None if no run has met it."""
        rows = self._rows("SELECT * FROM urls WHERE url = ?", [url])
        return url_row(rows[0]) if rows else None

    def record_check(self, run_id: int, check: CheckRecord) -> int:
        """Store one URL's check in a run (one per URL per run); returns its id."""
        values = check_values(run_id, check)
        doing = f"record a check of URL {check.url_id} in run {run_id}"
        with self.write(), self._sql_errors(doing):
            marks = ", ".join("?" * len(values))
            cursor = self._db.execute(
                f"INSERT INTO checks ({', '.join(values)}) VALUES ({marks})", list(values.values())
            )
            # Checks may be recorded out of time order; keep the latest.
            self._db.execute(
                "UPDATE urls SET last_checked_at = ?1 WHERE id = ?2"
                " AND (last_checked_at IS NULL OR last_checked_at < ?1)",
                [values["checked_at"], check.url_id],
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def checks_for_url(self, url: str) -> list[CheckRow]:
        """Every check of a URL, oldest first."""
        rows = self._rows(
            "SELECT checks.*, urls.url FROM checks JOIN urls ON urls.id = checks.url_id"
            " WHERE urls.url = ? ORDER BY checks.checked_at, checks.id",
            [url],
        )
        return [check_row(row) for row in rows]

    def url_ids(self, urls: Sequence[tuple[str, str]], seen_at: dt.datetime) -> dict[str, int]:
        """Ids of many (url, host) pairs at once, adding the new ones in one transaction."""
        def known(wanted: Sequence[str]) -> None:
            for row in self._rows_in("SELECT id, url FROM urls WHERE url IN ({marks})", wanted):
                ids[row["url"]] = row["id"]

        ids: dict[str, int] = {}
        with self._sql_errors("read URLs"):
            known([url for url, _ in urls])  # most runs add no URL: no write lock for them
        new = [(url, host) for url, host in urls if url not in ids]
        if new:
            with self.write(), self._sql_errors("add URLs"):
                self._db.conn.executemany(
                    "INSERT INTO urls (url, host, first_seen_at, state) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (url) DO NOTHING",
                    [(url, host, timestamp(seen_at), UrlState.UNKNOWN.value) for url, host in new],
                )
                known([url for url, _ in new])
        return ids

    def url_histories(self, url_ids: Sequence[int]) -> dict[int, UrlHistory]:
        """What the state machine remembers of many URLs, read at once."""
        return {
            url_id: UrlHistory(
                state=row.state, state_since=row.state_since, strikes=row.strikes,
                first_failure_at=row.first_failure_at, last_alive_at=row.last_alive_at,
            )
            for url_id, row in self.url_rows(url_ids).items()
        }

    def record_results(
        self, run_id: int, results: Sequence[tuple[CheckRecord, UrlHistory]]
    ) -> None:
        """Store checks and each URL's state after its check, in one transaction."""
        if not results:
            return
        rows = [check_values(run_id, check) for check, _ in results]
        columns = list(rows[0])
        marks = ", ".join("?" * len(columns))
        with self.write(), self._sql_errors(f"record {len(rows)} checks of run {run_id}"):
            self._db.conn.executemany(
                f"INSERT INTO checks ({', '.join(columns)}) VALUES ({marks})",
                [list(row.values()) for row in rows],
            )
            self._db.conn.executemany(
                "UPDATE urls SET state = ?, state_since = ?, strikes = ?, first_failure_at = ?,"
                " last_alive_at = ?, last_checked_at = max(coalesce(last_checked_at, ''), ?)"
                " WHERE id = ?",
                [[history.state.value, _stamp(history.state_since), history.strikes,
                  _stamp(history.first_failure_at), _stamp(history.last_alive_at),
                  row["checked_at"], check.url_id]
                 for (check, history), row in zip(results, rows, strict=True)],
            )

    def last_checked(self, url_ids: Sequence[int]) -> dict[int, dt.datetime]:
        """When each URL was last checked, for those of `url_ids` ever checked."""
        return {row[0]: parse_timestamp(row[1]) for row in self._rows_in(
            "SELECT id, last_checked_at FROM urls WHERE id IN ({marks})"
            " AND last_checked_at IS NOT NULL", url_ids)}

    def checked_in_run(self, run_id: int) -> set[int]:
        """The URL ids that already have a check in a run."""
        rows = self._rows("SELECT url_id FROM checks WHERE run_id = ?", [run_id])
        return {row["url_id"] for row in rows}

    def states_after_run(self, run_id: int) -> dict[int, str]:
        """The URL state each check of a run left its URL in, by URL id (the last check wins)."""
        rows = self._rows("SELECT url_id, url_state FROM checks WHERE run_id = ? AND url_state"
                          " IS NOT NULL ORDER BY checked_at, id", [run_id])
        return {row["url_id"]: row["url_state"] for row in rows}

    def recently_alive(self, since: dt.datetime, alive_statuses: Sequence[str]) -> set[int]:
        """URLs in state alive whose latest check, made at or after `since`, found them alive."""
        marks = ", ".join("?" * len(alive_statuses))
        rows = self._rows(
            "SELECT url_id FROM latest_checks WHERE state = ? AND checked_at >= ?"
            f" AND status IN ({marks})",
            [UrlState.ALIVE.value, timestamp(since), *alive_statuses],
        )
        return {row["url_id"] for row in rows}

    def prune_checks(self, before: dt.datetime) -> int:
        """Drop checks made before `before`, except each URL's latest; returns how many.

        A URL's state, strikes, first failure and last alive time live on its `urls` row,
        so they survive; so do the runs, the archive lookups and the verdicts."""
        with self.write(), self._sql_errors("prune old checks"):
            cursor = self._db.execute(
                "DELETE FROM checks WHERE checked_at < ? AND id != ("
                " SELECT c.id FROM checks AS c WHERE c.url_id = checks.url_id"
                " ORDER BY c.checked_at DESC, c.id DESC LIMIT 1)", [timestamp(before)])
        return cursor.rowcount

    def vacuum(self) -> None:
        """Give the space of deleted rows back to the file system."""
        with self._sql_errors("vacuum the database"):
            self._conn.execute("VACUUM")

    def find_url_ids(self, urls: Sequence[str]) -> dict[str, int]:
        """The ids of those of `urls` that are stored (read only, unlike `url_ids`)."""
        return {row["url"]: row["id"] for row in self._rows_in(
            "SELECT id, url FROM urls WHERE url IN ({marks})", urls)}

    def url_rows(self, url_ids: Sequence[int]) -> dict[int, UrlRow]:
        """Stored URLs by id."""
        return {row["id"]: url_row(row) for row in self._rows_in(
            "SELECT * FROM urls WHERE id IN ({marks})", url_ids)}

    def url_states(self, url_ids: Sequence[int]) -> dict[int, tuple[UrlState, int]]:
        """Each URL's state and strikes, read without the rest of its row."""
        return {row[0]: (url_state(row[1]), row[2]) for row in self._rows_in(
            "SELECT id, state, strikes FROM urls WHERE id IN ({marks})", url_ids)}

    def latest_checks(
        self, url_ids: Sequence[int], as_of_run: int | None = None
    ) -> dict[int, CheckRow]:
        """Each URL's latest check (made in `as_of_run` or before it, when given)."""
        return {row["url_id"]: check_row(row) for row in self._rows_in(
            "SELECT checks.*, urls.url" + _LATEST_CHECK.format(
                limit="" if as_of_run is None else " AND c.run_id <= ?"),
            url_ids, before=[] if as_of_run is None else [as_of_run])}

    def latest_states(self, url_ids: Sequence[int], as_of_run: int) -> dict[int, str | None]:
        """The state each URL's latest check up to `as_of_run` left it in, read alone."""
        return {row[0]: row[1] for row in self._rows_in(
            "SELECT urls.id, checks.url_state" + _LATEST_CHECK.format(
                limit=" AND c.run_id <= ?"), url_ids, before=[as_of_run])}

    def previous_run(self, run_id: int) -> RunRow | None:
        """The run before `run_id`, if any."""
        rows = self._rows(
            "SELECT * FROM runs WHERE id < ? ORDER BY id DESC LIMIT 1", [run_id]
        )
        return run_row(rows[0]) if rows else None

    def integrity_ok(self) -> bool:
        """Whether SQLite finds the file sound and every foreign key points at a row."""
        with self._sql_errors("check integrity"):
            result = self._db.execute("PRAGMA integrity_check").fetchall()
            dangling = self._db.execute("PRAGMA foreign_key_check").fetchall()
        return result == [("ok",)] and not dangling

    def applied_migrations(self) -> list[str]:
        """Names of the migrations applied to this database, in order."""
        with self._sql_errors("read the migrations"):
            return [m.name for m in MIGRATIONS.applied(self._db)]

    def schema(self) -> list[TableInfo]:
        """The tables and views, with their columns and descriptions, for documentation."""
        with self._sql_errors("read the schema"):
            return describe(self._db)

    @contextlib.contextmanager
    def lock(self, wait: bool = False) -> Iterator[None]:
        """Hold the database's run lock: BusyError if another run has it, unless `wait`."""
        if self._locked:
            raise RuntimeError(f"the run lock on {self.path} is already held by this store")
        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            # The file stays after release: unlinking it would let a waiter lock a dead inode.
            handle = open(lock_path, "a+")
        except OSError as e:
            raise StoreError(f"cannot open the lock file {lock_path}: {e}") from e
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                handle.seek(0)
                holder = handle.read().strip() or "unknown"
                raise BusyError(
                    f"another verifier run holds {self.path} (pid {holder}); "
                    "wait for it to finish, or use --wait"
                ) from None
            # The pid is for the message above only; the flock itself is the lock.
            handle.truncate(0)
            handle.write(str(os.getpid()))
            handle.flush()
            self._locked = True
            try:
                yield
            finally:
                self._locked = False
                handle.truncate(0)
                fcntl.flock(handle, fcntl.LOCK_UN)
