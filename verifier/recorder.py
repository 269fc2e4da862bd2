"""Storing a run's outcomes as they arrive, from a writer thread, so fetching never waits on disk.

The event loop computes each URL's new state (pure and quick) and queues the outcome; the
writer commits whatever has queued up in one transaction, then caches the bodies. An outcome
is finished once committed: a run killed at any moment keeps every committed check, and loses
at most the few outcomes still queued, which the next run fetches again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import queue
import sqlite3
import threading
from collections import Counter
from dataclasses import dataclass

from verifier.cache import BodyCache, CachedBody
from verifier.checker import Outcome
from verifier.errors import StoreError
from verifier.progress import Progress
from verifier.settings import Settings
from verifier.state import StrikeRule, UrlHistory, advance
from verifier.store import CheckRecord, Store

_BATCH = 500  # most outcomes committed in one transaction


@dataclass(frozen=True)
class _Item:
    check: CheckRecord
    history: UrlHistory
    body: CachedBody | None


def check_record(url_id: int, outcome: Outcome, history: UrlHistory) -> CheckRecord:
    """The `checks` row of an outcome."""
    result, verdict = outcome.result, outcome.classification
    if result is None:  # judged without a request: invalid URL, ignored domain
        return CheckRecord(url_id=url_id, checked_at=outcome.checked_at, status=verdict.status,
                           reason=verdict.reason, url_state=history.state,
                           strikes=history.strikes)
    return CheckRecord(
        url_id=url_id,
        checked_at=outcome.checked_at,
        status=verdict.status,
        http_status=result.status,
        final_url=result.final_url,
        redirects=result.redirects,
        elapsed_ms=round(result.elapsed * 1000),
        error=result.failure,
        content_type=result.headers.get("content-type"),
        body_bytes=len(result.body) if result.body else None,
        body_sha256=hashlib.sha256(result.body).hexdigest() if result.body else None,
        reason=verdict.reason,
        method=result.method,
        attempts=result.attempts,
        permanent_redirect=verdict.permanent_redirect,
        tls_ok_unverified=result.tls_ok_unverified,
        url_state=history.state,
        strikes=history.strikes,
    )


class Recorder:
    """Call it with each outcome; `close()` waits until everything is stored."""

    def __init__(self, store: Store, run_id: int, ids: dict[str, int], settings: Settings,
                 cache: BodyCache, progress: Progress) -> None:
        self._store, self._run_id, self._ids = store, run_id, ids
        self._rule = StrikeRule(settings.dead_strikes, dt.timedelta(seconds=settings.dead_after))
        self._cache = cache
        self._progress = progress
        self.counts: Counter[str] = Counter()
        # The run holds the lock: nobody else changes these URLs' states while it runs.
        self._histories = store.url_histories(list(ids.values()))
        self._queue: queue.Queue[_Item | None] = queue.Queue()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._write, name="verifier-writer", daemon=True)
        self._thread.start()

    def __call__(self, outcome: Outcome) -> None:
        if self._failure is not None:
            raise StoreError(f"cannot record the run: {self._failure}")
        url_id = self._ids[outcome.target.url]
        status = outcome.classification.status
        history = advance(self._histories[url_id], status.evidence, outcome.checked_at,
                          self._rule)
        self._histories[url_id] = history
        result = outcome.result
        body = None
        if result is not None and status.is_alive() and result.status and result.body:
            body = CachedBody(result.url, result.final_url, result.status, dict(result.headers),
                              result.started_at, result.body)
        self._queue.put(_Item(check_record(url_id, outcome, history), history, body))
        self.counts[status.value] += 1
        self._progress.advance()

    def close(self) -> None:
        """Store what is queued, stop the writer, and raise what it failed with, if anything."""
        self._queue.put(None)
        self._thread.join()
        self._cache.close()
        if self._failure is not None:
            failure = self._failure
            raise failure if isinstance(failure, StoreError) else StoreError(str(failure))

    def _write(self) -> None:
        done = False
        while not done:
            batch = [self._queue.get()]
            while len(batch) < _BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            done = None in batch
            items = [item for item in batch if item is not None]
            try:
                self._store.record_results(self._run_id, [(i.check, i.history) for i in items])
            except BaseException as exc:  # noqa: BLE001 - handed to the event loop's thread
                self._failure = exc
                return
            try:
                self._cache.put_many(item.body for item in items if item.body is not None)
            except (OSError, sqlite3.Error):
                pass  # a cache that cannot be written is a cache miss later, no more
