"""The history database: schema and migrations, runs, claim sets, URLs and checks, the run lock,
and what a killed writer leaves behind. Real SQLite files under tmp_path; real processes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from verifier import __version__
from verifier.claims import dump_document, load_claims
from verifier.errors import BusyError, ExitCode, InputError, NotADatabaseError, StoreError
from verifier.models import Article, CheckStatus, Claim, ClaimSet, Document, Reference, Tag
from verifier.schema_doc import schema_markdown
from verifier.store import CheckRecord, CheckRow, Redirect, RunStatus, Store, UrlState
from verifier.store_schema import DESCRIPTIONS, MIGRATION_NAMES, MIGRATIONS

T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc)
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "history.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    with Store.open(db_path) as opened:
        yield opened


def synthetic_claim_set(first_claim_text: str = "The bridge opened in 1932.") -> ClaimSet:
    """A made-up two-document claim set: inline URLs, references, tags, dates."""
    bridge = Document(
        claims=(
            Claim("bridge-1932", first_claim_text, section="History", sources=("nyt",)),
            Claim(
                "bridge-length",
                "It is 503 metres long.",
                sources=("nyt", "https://example.org/length"),
                tags=(Tag("failed verification", "March 2020"),),
            ),
            Claim("bridge-cost", "It cost a fortune.", citation_needed=True),
        ),
        references={
            "nyt": Reference(
                "nyt",
                title="Bridge opens",
                work="The Daily Example",
                date=dt.date(1932, 3, 19),
                url="https://news.example.com/bridge",
                access_date=dt.date(2020, 1, 2),
                tags=(Tag("dead link", "May 2021"),),
            )
        },
        article=Article(title="Example Bridge", url="https://en.wikipedia.org/wiki/Example_Bridge"),
    )
    notes = Document(
        claims=(Claim("note-1", "A note.", sources=("https://example.net/",)),),
        path=Path("notes.yaml"),
    )
    return ClaimSet((bridge, notes))


def row_counts(path: Path) -> dict[str, int]:
    db = sqlite_utils.Database(path)
    try:
        return {t.name: t.count for t in db.tables}
    finally:
        db.close()


def as_record(row: CheckRow) -> CheckRecord:
    """The CheckRecord part of a stored check."""
    return CheckRecord(**{f.name: getattr(row, f.name) for f in dataclasses.fields(CheckRecord)})


def run_python(code: str, *args: str) -> subprocess.Popen[str]:
    """Start `python -c code args...` with pipes, in this interpreter and checkout."""
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parent.parent,
    )


# --- opening -----------------------------------------------------------------------------------


def test_open_creates_a_migrated_wal_database(db_path: Path, store: Store) -> None:
    assert db_path.is_file()
    assert store.applied_migrations() == list(MIGRATION_NAMES)
    assert store.integrity_ok()
    # WAL is a property of the file: a plain connection sees it too.
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_foreign_keys_are_enforced(store: Store) -> None:
    url_id = store.url_id("https://example.com/", "example.com", T0)
    with pytest.raises(StoreError, match="FOREIGN KEY"):
        store.record_check(999, CheckRecord(url_id, T0, CheckStatus.OK))


def test_open_needs_an_existing_directory(tmp_path: Path) -> None:
    """A database path in a folder that does not exist is bad input (exit 2), not a failure."""
    with pytest.raises(InputError, match="does not exist") as caught:
        Store.open(tmp_path / "missing" / "history.db")
    assert caught.value.exit_code == ExitCode.BAD_INPUT
    assert not (tmp_path / "missing").exists()


def test_open_refuses_a_file_that_is_not_sqlite(db_path: Path) -> None:
    db_path.write_text("claims:\n  - id: x\n" * 50)
    with pytest.raises(NotADatabaseError, match="is not a verifier database"):
        Store.open(db_path)
    assert db_path.read_text().startswith("claims:")


def test_open_refuses_another_applications_database(db_path: Path) -> None:
    sqlite_utils.Database(db_path).table("people").insert({"name": "Cleo"})
    with pytest.raises(NotADatabaseError, match="is not a verifier database.*people"):
        Store.open(db_path)
    assert "runs" not in sqlite_utils.Database(db_path).table_names()


def test_open_refuses_a_database_from_a_newer_verifier(db_path: Path) -> None:
    Store.open(db_path).close()
    db = sqlite_utils.Database(db_path)
    db.table("_sqlite_migrations").insert(
        {"migration_set": "verifier", "name": "m003_from_the_future", "applied_at": "2030-01-01"}
    )
    db.close()
    with pytest.raises(StoreError, match="newer verifier.*m003_from_the_future"):
        Store.open(db_path)


def test_open_upgrades_a_database_made_by_the_first_migration(db_path: Path) -> None:
    db = sqlite_utils.Database(db_path)
    MIGRATIONS.apply(db, stop_before="m002_archives_and_assessments")
    assert "snapshots" not in db.table_names()
    db.table("runs").insert(
        {"id": 1, "started_at": "2024-05-01T12:00:00.000Z", "status": "completed",
         "command": "verifier run", "verifier_version": "0.0.1", "settings": "{}"}
    )
    db.table("urls").insert(
        {"id": 7, "url": "https://example.com/a", "host": "example.com",
         "first_seen_at": "2024-05-01T12:00:00.000Z"}
    )
    db.table("checks").insert(
        {"run_id": 1, "url_id": 7, "checked_at": "2024-05-01T12:00:05.000Z", "status": "ok",
         "http_status": 200}
    )
    db.close()

    with Store.open(db_path) as store:
        assert store.applied_migrations() == list(MIGRATION_NAMES)
        [run] = store.runs()
        assert (run.id, run.status, run.verifier_version) == (1, RunStatus.COMPLETED, "0.0.1")
        [check] = store.checks_for_url("https://example.com/a")
        assert (check.run_id, check.status, check.http_status) == (1, CheckStatus.OK, 200)
        assert check.url_state is None and check.reason is None  # columns added by m003
        assert store.integrity_ok()

    db = sqlite_utils.Database(db_path)
    assert {"snapshots", "assessments"} <= set(db.table_names())
    assert [r["url"] for r in db["latest_checks"].rows] == ["https://example.com/a"]


def test_opening_an_up_to_date_database_writes_nothing(db_path: Path) -> None:
    Store.open(db_path).close()
    before = list(sqlite_utils.Database(db_path)["_sqlite_migrations"].rows)
    # Another connection holds the write lock: an open that tried to write would time out.
    blocker = sqlite3.connect(db_path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with Store.open(db_path, busy_timeout=0.2) as store:
            assert store.runs() == []
            with pytest.raises(BusyError, match="more than 0.2s"):
                store.start_run("verifier run", "claims.yaml", T0, {})
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert list(sqlite_utils.Database(db_path)["_sqlite_migrations"].rows) == before


# --- runs and claim sets -----------------------------------------------------------------------


def test_runs_are_recorded_and_listed_newest_first(store: Store) -> None:
    first = store.start_run("verifier run", "claims.yaml", T0, {"timeout": 20.0, "db": Path("x")})
    second = store.start_run("verifier run --wait", "claims/", T0 + HOUR, {})
    store.finish_run(first, RunStatus.COMPLETED, T0 + dt.timedelta(minutes=5), {"dead": 2})

    newest, oldest = store.runs()
    assert [newest.id, oldest.id] == [second, first]
    assert (newest.status, newest.finished_at, newest.counts) == (RunStatus.RUNNING, None, None)
    assert oldest.status is RunStatus.COMPLETED
    assert oldest.started_at == T0 and oldest.started_at.tzinfo is not None
    assert oldest.finished_at == T0 + dt.timedelta(minutes=5)
    assert dict(oldest.settings) == {"timeout": 20.0, "db": "x"}
    assert dict(oldest.counts or {}) == {"dead": 2}
    assert oldest.verifier_version == __version__
    assert [r.id for r in store.runs(limit=1)] == [second]
    assert store.run(first) == oldest


def test_finish_run_refuses_unknown_finished_or_running(store: Store) -> None:
    run = store.start_run("verifier run", "claims.yaml", T0, {})
    with pytest.raises(ValueError):
        store.finish_run(run, RunStatus.RUNNING, T0, {})
    store.finish_run(run, RunStatus.FAILED, T0 + HOUR, {})
    with pytest.raises(StoreError, match="already finished"):
        store.finish_run(run, RunStatus.COMPLETED, T0 + HOUR, {})
    with pytest.raises(StoreError, match="no run 42"):
        store.finish_run(42, RunStatus.COMPLETED, T0, {})
    assert store.run(run).status is RunStatus.FAILED


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="naive"):
        store.start_run("verifier run", "claims.yaml", dt.datetime(2024, 5, 1), {})
    assert store.runs() == []


def test_claims_as_of_a_run_round_trip(store: Store) -> None:
    claim_set = synthetic_claim_set()
    run = store.start_run("verifier run", "claims.yaml", T0, {})
    set_id = store.record_claim_set(run, claim_set)

    assert store.run(run).claim_set_id == set_id
    rows = store.claims_as_of(run)
    assert [r.claim for r in rows] == list(claim_set.claims)
    assert [r.document for r in rows] == [
        "https://en.wikipedia.org/wiki/Example_Bridge"] * 3 + ["notes.yaml"]
    [ref] = store.references_as_of(run)
    assert ref.reference == claim_set.documents[0].references["nyt"]
    assert ref.document == "https://en.wikipedia.org/wiki/Example_Bridge"


def test_an_unchanged_claims_file_reuses_its_claim_set(db_path: Path, store: Store) -> None:
    first = store.start_run("verifier run", "claims.yaml", T0, {})
    set_id = store.record_claim_set(first, synthetic_claim_set())
    before = row_counts(db_path)

    second = store.start_run("verifier run", "claims.yaml", T0 + HOUR, {})
    assert store.record_claim_set(second, synthetic_claim_set()) == set_id

    after = row_counts(db_path)
    assert after == {**before, "runs": before["runs"] + 1}
    assert store.claims_as_of(second) == store.claims_as_of(first)


def test_a_changed_claim_adds_one_version_and_keeps_the_old(db_path: Path, store: Store) -> None:
    first = store.start_run("verifier run", "claims.yaml", T0, {})
    first_set = store.record_claim_set(first, synthetic_claim_set())
    before = row_counts(db_path)

    second = store.start_run("verifier run", "claims.yaml", T0 + HOUR, {})
    second_set = store.record_claim_set(second, synthetic_claim_set("The bridge opened in 1933."))

    after = row_counts(db_path)
    assert second_set != first_set
    assert after["claim_versions"] == before["claim_versions"] + 1
    assert after["reference_versions"] == before["reference_versions"]
    assert after["claim_sets"] == before["claim_sets"] + 1
    assert store.claims_as_of(first)[0].claim.text == "The bridge opened in 1932."
    assert store.claims_as_of(second)[0].claim.text == "The bridge opened in 1933."
    # Unchanged claims are the same stored versions in both sets.
    assert store.claims_as_of(first)[1:] == store.claims_as_of(second)[1:]


def test_claims_read_from_the_same_files_find_their_set_without_hashing(
        tmp_path: Path, db_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_text(dump_document(synthetic_claim_set().documents[0]), encoding="utf-8")
    first = store.start_run("verifier run", "claims.yaml", T0, {})
    set_id = store.record_claim_set(first, load_claims(claims))
    assert store.claim_version_ids(set_id) == [r.version_id for r in store.claims_as_of(first)]
    before = row_counts(db_path)

    def no_hashing(*args: object) -> None:
        raise AssertionError("claims hashed again")

    second = store.start_run("verifier run", "claims.yaml", T0 + HOUR, {})
    with monkeypatch.context() as patch:
        patch.setattr("verifier.store.claim_values", no_hashing)
        assert store.record_claim_set(second, load_claims(claims)) == set_id
    assert row_counts(db_path) == {**before, "runs": before["runs"] + 1}

    # The same content under another name: a second source of the same set.
    renamed = tmp_path / "renamed.yaml"
    renamed.write_bytes(claims.read_bytes())
    third = store.start_run("verifier run", "renamed.yaml", T0 + 2 * HOUR, {})
    assert load_claims(renamed).source != load_claims(claims).source
    assert store.record_claim_set(third, load_claims(renamed)) == set_id
    assert row_counts(db_path)["claim_set_sources"] == 2

    # One byte changed: another source, and the new content hashed and stored.
    claims.write_text(claims.read_text(encoding="utf-8").replace("1932", "1933"),
                      encoding="utf-8")
    fourth = store.start_run("verifier run", "claims.yaml", T0 + 3 * HOUR, {})
    changed = store.record_claim_set(fourth, load_claims(claims))
    assert changed != set_id
    assert store.claims_as_of(fourth)[0].claim.text == "The bridge opened in 1933."


def test_a_link_renamed_is_a_new_source_when_it_names_the_document(
        tmp_path: Path, store: Store) -> None:
    """With no article, a document is named after its file: the link's name, not its target's."""
    real = tmp_path / "real.yaml"
    real.write_text("version: 1\nclaims:\n  - {id: c1, text: The bridge opened in 1932.}\n",
                    encoding="utf-8")
    first_link = tmp_path / "a.yaml"
    first_link.symlink_to(real)
    first = store.start_run("verifier run", "a.yaml", T0, {})
    store.record_claim_set(first, load_claims(first_link))
    second_link = tmp_path / "b.yaml"
    first_link.rename(second_link)
    second = store.start_run("verifier run", "b.yaml", T0 + HOUR, {})
    store.record_claim_set(second, load_claims(second_link))
    assert [r.document for r in store.claims_as_of(first)] == ["a.yaml"]
    assert [r.document for r in store.claims_as_of(second)] == ["b.yaml"]


def test_claim_order_is_part_of_a_claim_set(store: Store) -> None:
    claim_set = synthetic_claim_set()
    bridge = claim_set.documents[0]
    shuffled = Document(tuple(reversed(bridge.claims)), bridge.references, bridge.article)
    first = store.start_run("verifier run", "claims.yaml", T0, {})
    second = store.start_run("verifier run", "claims.yaml", T0 + HOUR, {})
    assert store.record_claim_set(first, ClaimSet((bridge,))) != store.record_claim_set(
        second, ClaimSet((shuffled,))
    )
    assert [r.claim.id for r in store.claims_as_of(second)] == [
        "bridge-cost", "bridge-length", "bridge-1932"]


def test_claims_as_of_an_unknown_run_is_an_error(store: Store) -> None:
    with pytest.raises(StoreError, match="no run 3"):
        store.claims_as_of(3)


# --- URLs and checks ---------------------------------------------------------------------------


def test_url_id_gets_or_creates(store: Store) -> None:
    url_id = store.url_id("https://example.com/a", "example.com", T0)
    assert store.url_id("https://example.com/a", "example.com", T0 + HOUR) == url_id
    assert store.url_id("https://example.com/b", "example.com", T0) != url_id
    row = store.url("https://example.com/a")
    assert row is not None
    assert (row.id, row.host, row.first_seen_at) == (url_id, "example.com", T0)
    assert (row.state, row.strikes, row.last_checked_at) == (UrlState.UNKNOWN, 0, None)
    assert store.url("https://example.com/never") is None


def test_checks_are_recorded_once_per_run_and_read_oldest_first(store: Store) -> None:
    url = "https://example.com/moved"
    url_id = store.url_id(url, "example.com", T0)
    first = store.start_run("verifier run", "claims.yaml", T0, {})
    second = store.start_run("verifier run", "claims.yaml", T0 + HOUR, {})
    later = CheckRecord(url_id, T0 + HOUR, CheckStatus.NOT_FOUND, http_status=404, error=None, elapsed_ms=80)
    earlier = CheckRecord(
        url_id,
        T0,
        CheckStatus.OK,
        http_status=200,
        final_url="https://example.com/new",
        redirects=(Redirect(url, 301), Redirect("https://example.com/new", 200)),
        elapsed_ms=120,
        content_type="text/html",
        body_bytes=5120,
        body_sha256="ab" * 32,
    )
    store.record_check(second, later)
    store.record_check(first, earlier)

    checks = store.checks_for_url(url)
    assert [(c.run_id, c.status) for c in checks] == [(first, CheckStatus.OK), (second, CheckStatus.NOT_FOUND)]
    assert checks[0].redirects == earlier.redirects
    assert as_record(checks[0]) == earlier
    # Recorded out of order, the URL still shows its latest check time.
    row = store.url(url)
    assert row is not None and row.last_checked_at == T0 + HOUR
    with pytest.raises(StoreError, match="UNIQUE"):
        store.record_check(first, earlier)
    assert len(store.checks_for_url(url)) == 2


# --- transactions ------------------------------------------------------------------------------


def test_write_rolls_back_everything_on_error(store: Store) -> None:
    with pytest.raises(RuntimeError):
        with store.write():
            store.start_run("verifier run", "claims.yaml", T0, {})
            raise RuntimeError("boom")
    assert store.runs() == []


def test_nested_write_rolls_back_only_its_own_part(store: Store) -> None:
    with store.write():
        kept = store.start_run("verifier run", "claims.yaml", T0, {})
        with pytest.raises(RuntimeError):
            with store.write():
                store.start_run("verifier run", "claims.yaml", T0 + HOUR, {})
                raise RuntimeError("boom")
    assert [r.id for r in store.runs()] == [kept]


def test_a_second_writer_waits_for_the_first(db_path: Path) -> None:
    Store.open(db_path).close()
    inside = threading.Event()
    events: list[str] = []
    errors: list[BaseException] = []

    def first_writer() -> None:
        try:
            with Store.open(db_path) as first, first.write():
                first.start_run("first", "claims.yaml", T0, {})
                inside.set()
                time.sleep(0.3)
                events.append("first commits")
        except BaseException as e:  # reported by the assertion below
            errors.append(e)
            inside.set()

    thread = threading.Thread(target=first_writer)
    thread.start()
    inside.wait()
    with Store.open(db_path) as second:
        # Read, then write: with a deferred BEGIN this fails at once with "database is locked".
        with second.write():
            events.append(f"second sees {len(second.runs())} run")
            second.start_run("second", "claims.yaml", T0, {})
        assert [r.command for r in second.runs()] == ["second", "first"]
    thread.join()
    assert errors == []
    assert events == ["first commits", "second sees 1 run"]


# --- the run lock ------------------------------------------------------------------------------

HOLD_LOCK = """
import sys
from pathlib import Path
from verifier.store import Store
store = Store.open(Path(sys.argv[1]))
with store.lock():
    print("locked", flush=True)
    sys.stdin.readline()
"""


def test_the_lock_is_held_until_its_process_dies(db_path: Path, store: Store) -> None:
    holder = run_python(HOLD_LOCK, str(db_path))
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        with pytest.raises(BusyError, match=rf"another verifier run holds .*\(pid {holder.pid}\)"):
            with store.lock():
                pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert holder.returncode == -signal.SIGKILL
    with store.lock():
        assert (db_path.parent / "history.db.lock").read_text() == str(os.getpid())


def test_lock_with_wait_blocks_until_the_holder_is_done(db_path: Path, store: Store) -> None:
    holder = run_python(HOLD_LOCK, str(db_path))
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    assert holder.stdin is not None
    started = time.monotonic()
    releaser = threading.Timer(0.3, holder.stdin.close)  # EOF ends the holder's readline
    releaser.start()
    with store.lock(wait=True):
        waited = time.monotonic() - started
    releaser.join()
    holder.wait()
    assert holder.returncode == 0
    assert waited >= 0.25


def test_close_abandoned_runs_needs_the_lock(store: Store) -> None:
    abandoned = store.start_run("verifier run", "claims.yaml", T0, {})
    with pytest.raises(RuntimeError, match="needs the run lock"):
        store.close_abandoned_runs(T0 + HOUR)
    with store.lock():
        assert store.close_abandoned_runs(T0 + HOUR) == [abandoned]
    run = store.run(abandoned)
    assert (run.status, run.finished_at) == (RunStatus.INTERRUPTED, T0 + HOUR)


def test_a_run_closed_as_abandoned_keeps_its_checks_as_counts_and_says_why(store: Store) -> None:
    killed = store.start_run("verifier check", "claims.yaml", T0, {})
    ok, gone, other = (store.url_id(f"https://example.org/{n}", "example.org", T0)
                       for n in ("ok", "gone", "other"))
    store.record_check(killed, CheckRecord(ok, T0, CheckStatus.OK))
    store.record_check(killed, CheckRecord(gone, T0, CheckStatus.NOT_FOUND))
    assert store.check_counts(killed) == {"ok": 1, "not_found": 1}
    with store.lock():
        store.close_abandoned_runs(T0 + HOUR)
    run = store.run(killed)
    assert run.counts == {"ok": 1, "not_found": 1}
    assert run.reason == "its process ended without recording how (killed, or the machine stopped)"
    assert store.last_checked([ok, gone, other]) == {ok: T0, gone: T0}


def test_finish_run_keeps_the_reason_a_run_did_not_complete(store: Store) -> None:
    failed = store.start_run("verifier check", "claims.yaml", T0, {})
    store.finish_run(failed, RunStatus.FAILED, T0 + HOUR, {}, "cannot record 1 checks: disk full")
    done = store.start_run("verifier check", "claims.yaml", T0 + HOUR, {})
    store.finish_run(done, RunStatus.COMPLETED, T0 + 2 * HOUR, {"ok": 3})
    assert [(r.status, r.reason) for r in store.runs()] == [
        (RunStatus.COMPLETED, None), (RunStatus.FAILED, "cannot record 1 checks: disk full")]


# --- a writer killed mid-transaction -----------------------------------------------------------

SLOW_WRITER = """
import datetime as dt, sys, time
from pathlib import Path
from verifier.models import CheckStatus
from verifier.store import CheckRecord, Store
now = dt.datetime.now(dt.timezone.utc)
store = Store.open(Path(sys.argv[1]))
run = store.start_run("crash test", "claims.yaml", now, {})
for i in range(3):
    url_id = store.url_id(f"https://committed.example/{i}", "committed.example", now)
    store.record_check(run, CheckRecord(url_id, now, CheckStatus.OK))
print(run, flush=True)
with store.write():
    for i in range(1_000_000):
        url_id = store.url_id(f"https://uncommitted.example/{i}", "uncommitted.example", now)
        # Big rows, so that uncommitted pages spill into the WAL before the kill.
        store.record_check(run, CheckRecord(url_id, now, CheckStatus.OK, error="x" * 4000))
        if i == 3000:
            print("inside", flush=True)
        if i >= 3000:
            time.sleep(0.01)
"""


def test_a_writer_killed_mid_transaction_leaves_only_committed_rows(db_path: Path) -> None:
    writer = run_python(SLOW_WRITER, str(db_path))
    try:
        assert writer.stdout is not None
        crashed_run = int(writer.stdout.readline())
        assert writer.stdout.readline() == "inside\n"
        time.sleep(0.2)
        # Uncommitted pages are in the WAL: recovery has to discard them, not just never see them.
        assert Path(f"{db_path}-wal").stat().st_size > 4_000_000
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
    assert writer.returncode == -signal.SIGKILL

    with Store.open(db_path) as store:
        assert store.integrity_ok()
        assert store.url("https://uncommitted.example/0") is None
        for i in range(3):
            [check] = store.checks_for_url(f"https://committed.example/{i}")
            assert check.run_id == crashed_run
        assert row_counts(db_path)["checks"] == 3
        assert store.run(crashed_run).status is RunStatus.RUNNING
        with store.lock():
            assert store.close_abandoned_runs(T0) == [crashed_run]
            run = store.start_run("verifier run", "claims.yaml", T0, {})
            store.finish_run(run, RunStatus.COMPLETED, T0 + HOUR, {"checked": 0})
        assert [(r.id, r.status) for r in store.runs()] == [
            (run, RunStatus.COMPLETED), (crashed_run, RunStatus.INTERRUPTED)]


# --- the schema, documented --------------------------------------------------------------------


def test_every_table_and_column_is_described(store: Store) -> None:
    schema = store.schema()
    actual = {t.name: [c.name for c in t.columns] for t in schema}
    described = {name: list(doc.columns) for name, doc in DESCRIPTIONS.items()}
    # Same tables, same columns, same order: no undocumented column, no stale description.
    assert actual == described
    assert all(t.description and all(c.description for c in t.columns) for t in schema)
    assert all("\n" not in c.description for t in schema for c in t.columns)


def test_schema_markdown_renders_every_table_column_and_key(store: Store) -> None:
    text = schema_markdown()
    assert text == schema_markdown()
    assert f"Schema as of migration `{MIGRATION_NAMES[-1]}`" in text
    for table in store.schema():
        assert f"### `{table.name}`" in text
        assert table.description in text
        for column in table.columns:
            assert f"| `{column.name}` | {column.type}" in text
            assert column.description in text
    assert "### `latest_checks` (view)" in text
    assert "| `run_id` | INTEGER, not null → `runs.id` | The run that made the check. |" in text
    assert "Unique: `run_id`, `url_id`." in text


def test_archive_lookups_keep_a_found_snapshot_and_let_failures_expire(db_path: Path) -> None:
    from verifier.models import LookupOutcome, Snapshot

    with Store.open(db_path) as store:
        url = "https://example.org/gone"
        url_id = store.url_id(url, "example.org", T0)
        snapshot = Snapshot("wayback", url, T0 - dt.timedelta(days=400), 200,
                            "https://web.archive.example/web/2020/https://example.org/gone",
                            "https://web.archive.example/web/2020id_/https://example.org/gone")
        store.record_lookup(None, url_id, T0, LookupOutcome.FAILED, dt.date(2020, 9, 24), None,
                            None, ["wayback: lookup failed: timeout"])
        assert store.latest_lookups([url_id])[url_id].outcome is LookupOutcome.FAILED
        store.record_lookup(None, url_id, T0 + HOUR, LookupOutcome.FOUND, dt.date(2020, 9, 24),
                            snapshot, "closest capture before the access date", [])
        store.record_lookup(None, url_id, T0 + 2 * HOUR, LookupOutcome.FAILED, None, None, None, [])
        latest = store.latest_lookups([url_id])[url_id]
        assert latest.outcome is LookupOutcome.FOUND  # a later failure does not hide it
        assert latest.snapshot == snapshot
        assert latest.anchor_date == dt.date(2020, 9, 24)
        assert [lookup.outcome for lookup in store.lookups_for_url(url)] == [
            LookupOutcome.FAILED, LookupOutcome.FOUND, LookupOutcome.FAILED]
        # the same snapshot found again is stored once
        store.record_lookup(None, url_id, T0 + 3 * HOUR, LookupOutcome.FOUND, None, snapshot,
                            None, [])
        assert store._rows("SELECT count(*) AS n FROM snapshots")[0]["n"] == 1


def test_texts_are_stored_once_per_distinct_content(db_path: Path) -> None:
    import hashlib

    from verifier.text import SourceText, TextStatus

    text = "Минск помог Каракасу создать систему ПВО. " * 200
    source = SourceText(TextStatus.OK, text, "text/html", "cp1251", "trafilatura", "ru", "",
                        hashlib.sha256(text.encode()).hexdigest())
    with Store.open(db_path) as store:
        key = store.keep_text(source, T0)
        assert store.keep_text(source, T0 + HOUR) == key  # a second night: no new row
        assert store.text(key) == text
        assert store.text("0" * 64) is None
        (row,) = store._rows("SELECT chars, language, length(compressed) AS size FROM texts")
    assert row["chars"] == len(text) and row["language"] == "ru"
    assert row["size"] < len(text.encode()) / 10  # compressed
