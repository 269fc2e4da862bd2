"""The body cache: successes kept with headers and time, failures never, damage is a miss."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from verifier.cache import BodyCache, CachedBody

NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)


def entry(status: int = 200, body: bytes = b"<html>hi</html>") -> CachedBody:
    return CachedBody("https://example.org/a", "https://example.org/a/", status,
                      {"content-type": "text/html; charset=windows-1251"}, NOW, body)


def test_round_trip(tmp_path: Path) -> None:
    cache = BodyCache(tmp_path / "cache")
    assert cache.put(entry())
    assert cache.get("https://example.org/a") == entry()
    assert cache.get("https://example.org/other") is None


def test_failures_are_never_cached(tmp_path: Path) -> None:
    cache = BodyCache(tmp_path / "cache")
    for status in (404, 500, 301, 429):
        assert not cache.put(entry(status))
    assert not cache.put(entry(body=b""))
    assert cache.get("https://example.org/a") is None
    assert not (tmp_path / "cache").exists()


def test_a_damaged_entry_is_a_miss(tmp_path: Path) -> None:
    cache = BodyCache(tmp_path / "cache")
    cache.put(entry())
    (body_file,) = (tmp_path / "cache").rglob("*.body")
    body_file.write_bytes(b"torn")
    assert cache.get("https://example.org/a") is None
