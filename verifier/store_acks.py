"""The store's acknowledgement part: findings someone has seen, by fingerprint."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from verifier.store_part import StorePart
from verifier.store_rows import timestamp


class AckHistory(StorePart):
    """Acknowledged findings (a part of Store)."""

    def record_acks(self, target: str, acks: Sequence[tuple[str, str]], reason: str,
                    at: dt.datetime, run_id: int | None) -> None:
        """Acknowledge findings given as (kind, fingerprint) pairs."""
        with self.write(), self._sql_errors(f"acknowledge {target}"):
            self._db.conn.executemany(
                "INSERT INTO acks (target, kind, fingerprint, reason, acked_at, run_id)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [(target, kind, fingerprint, reason, timestamp(at), run_id)
                 for kind, fingerprint in acks])

    def acked_fingerprints(self) -> frozenset[str]:
        """The fingerprints of every acknowledged finding."""
        return frozenset(r["fingerprint"] for r in self._rows("SELECT fingerprint FROM acks"))
