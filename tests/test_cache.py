"""The body cache: successes kept with headers and time, failures never, damage is a miss."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from verifier.cache import BodyCache, CachedBody

NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)


def entry(status: int = 200, body: bytes = b"<html>hi</html>", url: str = "https://example.org/a"
          ) -> CachedBody:
    return CachedBody(url, "https://example.org/a/", status,
                      {"content-type": "text/html; charset=windows-1251"}, NOW, body)


def test_round_trip(tmp_path: Path) -> None:
    cache = BodyCache(tmp_path / "cache")
    assert cache.put(entry())
    assert cache.get("https://example.org/a") == entry()
    assert cache.get("https://example.org/other") is None
    # another process (the next run) reads what this one wrote
    cache.close()
    assert BodyCache(tmp_path / "cache").get("https://example.org/a") == entry()


def test_failures_are_never_cached(tmp_path: Path) -> None:
    cache = BodyCache(tmp_path / "cache")
    for status in (404, 500, 301, 429):
        assert not cache.put(entry(status))
    assert not cache.put(entry(body=b""))
    assert cache.get("https://example.org/a") is None
    assert not (tmp_path / "cache").exists()  # nothing to keep, nothing written


def test_a_batch_keeps_only_successes(tmp_path: Path) -> None:
    cache = BodyCache(tmp_path / "cache")
    kept = cache.put_many([entry(url=f"https://example.org/{i}", status=200 if i % 2 else 404)
                           for i in range(10)])
    assert kept == 5
    assert cache.get("https://example.org/1") is not None
    assert cache.get("https://example.org/2") is None


def test_a_tampered_entry_is_a_miss(tmp_path: Path) -> None:
    cache = BodyCache(tmp_path / "cache")
    cache.put(entry())
    cache.close()
    with sqlite3.connect(tmp_path / "cache" / "bodies.sqlite") as conn:
        conn.execute("UPDATE bodies SET body = ?", [b"torn"])
    assert BodyCache(tmp_path / "cache").get("https://example.org/a") is None


def test_a_damaged_cache_file_is_set_aside(tmp_path: Path) -> None:
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "bodies.sqlite").write_bytes(b"this is not a database" * 100)
    cache = BodyCache(tmp_path / "cache")
    assert cache.get("https://example.org/a") is None
    assert cache.put(entry())
    assert cache.get("https://example.org/a") == entry()
