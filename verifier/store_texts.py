"""The store's text part: each distinct extracted source text once, compressed."""

from __future__ import annotations

import datetime as dt

from verifier.store_part import StorePart
from verifier.store_rows import timestamp
from verifier.text import SourceText, compress, decompress


class TextHistory(StorePart):
    """Extracted source texts (a part of Store)."""

    def keep_text(self, source: SourceText, at: dt.datetime) -> str:
        """Store a text unless the same text is there already; returns its key (SHA-256)."""
        with self.write(), self._sql_errors("store a source text"):
            self._db.execute(
                "INSERT INTO texts (sha256, chars, language, method, first_seen_at, compressed)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
                [source.sha256, len(source.text), source.language, source.method,
                 timestamp(at), compress(source.text)],
            )
        return source.sha256

    def text(self, sha256: str) -> str | None:
        """A stored text by its key, or None."""
        rows = self._rows("SELECT compressed FROM texts WHERE sha256 = ?", [sha256])
        return decompress(rows[0]["compressed"]) if rows else None
