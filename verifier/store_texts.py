"""The store's text part: each distinct extracted source text once, compressed, and what
reading each distinct fetched body gave."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from verifier.store_part import StorePart
from verifier.store_rows import timestamp
from verifier.text import SourceText, TextStatus, compress, decompress


@dataclass(frozen=True)
class Reading:
    """What reading one fetched body gave (its text is stored apart, once per content)."""

    body_sha256: str
    status: TextStatus
    content_type: str | None
    charset: str | None
    method: str | None
    language: str | None
    detail: str | None
    text_sha256: str | None  # None unless status is ok

    @classmethod
    def of(cls, body_sha256: str, source: SourceText) -> Reading:
        """What reading a body gave, as `keep_reading` stores it."""
        return cls(body_sha256, source.status, source.content_type, source.charset,
                   source.method or None, source.language, source.detail or None,
                   source.sha256 if source.status.is_readable() else None)


class TextHistory(StorePart):
    """Extracted source texts and readings (a part of Store)."""

    def keep_text(self, source: SourceText, at: dt.datetime) -> str:
        """Store a text unless the same text is there already; returns its key (SHA-256)."""
        with self.write(), self._sql_errors("store a source text"):
            self._insert_text(source, at)
        return source.sha256

    def _insert_text(self, source: SourceText, at: dt.datetime) -> None:
        self._db.execute(
            "INSERT INTO texts (sha256, chars, language, method, first_seen_at, compressed)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
            [source.sha256, len(source.text), source.language, source.method,
             timestamp(at), compress(source.text)],
        )

    def text(self, sha256: str) -> str | None:
        """A stored text by its key, or None."""
        rows = self._rows("SELECT compressed FROM texts WHERE sha256 = ?", [sha256])
        return decompress(rows[0]["compressed"]) if rows else None

    def keep_reading(self, body_sha256: str, source: SourceText, at: dt.datetime) -> Reading:
        """Store what reading a body gave, and its text when there is one."""
        reading = Reading.of(body_sha256, source)
        with self.write(), self._sql_errors("store a reading"):
            if reading.text_sha256 is not None:
                self._insert_text(source, at)
            self._db.execute(
                "INSERT OR REPLACE INTO readings (body_sha256, status, content_type, charset,"
                " method, language, detail, text_sha256, read_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [body_sha256, reading.status.value, reading.content_type, reading.charset,
                 reading.method, reading.language, reading.detail, reading.text_sha256,
                 timestamp(at)],
            )
        return reading

    def reading(self, body_sha256: str) -> Reading | None:
        """What reading this body gave before, or None if it was never read."""
        rows = self._rows("SELECT * FROM readings WHERE body_sha256 = ?", [body_sha256])
        if not rows:
            return None
        row = rows[0]
        return Reading(row["body_sha256"], TextStatus(row["status"]), row["content_type"],
                       row["charset"], row["method"], row["language"], row["detail"],
                       row["text_sha256"])
