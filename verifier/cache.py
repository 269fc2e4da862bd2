"""The disposable cache of fetched bodies (`cache/`): what text extraction and assessment read.

Policy: only successful answers (2xx with a body) are kept, with their headers and fetch time;
failures are never cached, so a failing link is always fetched again. Deleting the folder
loses nothing but time, and a damaged cache is set aside and started afresh, never an error.

The bodies live in one SQLite file, `cache/bodies.sqlite`, written in batches: a run stores
thousands of bodies, and one file per body cost more than the fetching on slow file systems.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """CREATE TABLE IF NOT EXISTS bodies (
    url TEXT PRIMARY KEY,
    final_url TEXT NOT NULL,
    status INTEGER NOT NULL,
    headers TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    body BLOB NOT NULL
)"""


@dataclass(frozen=True)
class CachedBody:
    url: str
    final_url: str
    status: int
    headers: Mapping[str, str]
    fetched_at: dt.datetime
    body: bytes


class BodyCache:
    """Bodies keyed by the URL that was asked for. Use from one thread at a time."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._conn: sqlite3.Connection | None = None

    @property
    def path(self) -> Path:
        return self.root / "bodies.sqlite"

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if self._conn is not None:
            return self._conn
        if not create and not self.path.exists():
            return None
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = OFF")  # a cache: losing the tail costs time only
            conn.execute(_SCHEMA)
        except sqlite3.DatabaseError:
            # Damaged: set it aside (for a curious user) and start again.
            self.path.replace(self.path.with_suffix(".damaged"))
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute(_SCHEMA)
        self._conn = conn
        return conn

    def put_many(self, entries: Iterable[CachedBody]) -> int:
        """Keep the successful answers among `entries`; returns how many were kept."""
        rows = [
            (e.url, e.final_url, e.status, json.dumps(dict(e.headers)), e.fetched_at.isoformat(),
             hashlib.sha256(e.body).hexdigest(), e.body)
            for e in entries if 200 <= e.status < 300 and e.body
        ]
        if not rows:
            return 0
        conn = self._connect(create=True)
        assert conn is not None
        with conn:
            conn.execute("BEGIN")
            conn.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        return len(rows)

    def put(self, entry: CachedBody) -> bool:
        """Keep one successful answer; anything else is refused (returns False)."""
        return self.put_many([entry]) == 1

    def get(self, url: str) -> CachedBody | None:
        """The cached answer for `url`, or None (missing, or damaged: treated as missing)."""
        conn = self._connect(create=False)
        if conn is None:
            return None
        try:
            row = conn.execute(
                "SELECT url, final_url, status, headers, fetched_at, sha256, body FROM bodies"
                " WHERE url = ?", [url]).fetchone()
        except sqlite3.DatabaseError:
            return None
        if row is None or hashlib.sha256(row[6]).hexdigest() != row[5]:
            return None
        return CachedBody(url=row[0], final_url=row[1], status=row[2],
                          headers=json.loads(row[3]),
                          fetched_at=dt.datetime.fromisoformat(row[4]), body=bytes(row[6]))

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
