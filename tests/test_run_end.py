"""How a run ends (run_end): signals at every point of a run, its deadline, an internal error.

Every run here is a real `verifier` process against real loopback servers and a real database;
signals are real signals. Each test waits for an event that puts the run where the test wants
it (a claims file that is a FIFO the test holds, a run row in the database, a text worker busy
reading, a lock the test holds), then asserts on the outcome, never on how long it took.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from hostile import Conn, Server, hostile
from test_check import ARTICLE, REPO, base_env, start_check, wait_for, write_claims
from test_text import slow_html

STOPS = [pytest.param(signal.SIGTERM, id="SIGTERM"), pytest.param(signal.SIGINT, id="Ctrl-C")]


def run_rows(db: Path) -> list[sqlite3.Row]:
    """The runs table, read as another process writes it (nothing yet: no rows)."""
    if not db.exists():
        return []
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            conn.row_factory = sqlite3.Row
            return conn.execute("SELECT * FROM runs ORDER BY id").fetchall()
    except sqlite3.OperationalError:
        return []  # not created or migrated yet


def checks_of(db: Path, run_id: int) -> dict[str, str]:
    """URL path -> status of a run's checks."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT urls.url, checks.status FROM checks JOIN urls"
                            " ON urls.id = checks.url_id WHERE run_id = ?", [run_id]).fetchall()
    return {url.split("/", 3)[3]: status for url, status in rows}


def verifier(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "verifier", *args], capture_output=True,
                          text=True, env={**os.environ, **env, "PYTHONPATH": str(REPO)},
                          timeout=120)


def listed_runs(claims: Path, env: dict[str, str]) -> list[dict[str, object]]:
    """`verifier runs --json`, oldest first."""
    listing = verifier("runs", "--claims", str(claims), "--json", env=env)
    assert listing.returncode == 0, listing.stderr
    return list(reversed(json.loads(listing.stdout)["runs"]))


def assert_one_line(err: str, expected: str) -> None:
    """What a stopped run prints: one line, starting as expected, and no traceback."""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {expected}"), err


@contextmanager
def holding(paths: set[str]) -> Iterator[Server]:
    """A host that answers every request but those for `paths`, which it holds open until the
    client gives up; the held ones are answered too once `paths` is emptied."""

    async def play(conn: Conn) -> None:
        request = await conn.request()
        if request.path.split("?")[0] in paths:
            await conn.reader.read()  # until the client closes the connection
            return
        known = request.path in ("/a", "/b", "/c", "/d") or request.path.startswith("/slow")
        if request.path == "/gone" or not known:  # made-up soft-404 probe paths too
            await conn.respond(404, b"gone", {"Content-Type": "text/html"})
        else:
            await conn.respond(200, ARTICLE, {"Content-Type": "text/html"})

    with hostile(play, "127.0.3.1") as server:
        yield server


# --- signals -------------------------------------------------------------------------------------

@pytest.mark.parametrize("stop", STOPS)
def test_a_signal_while_the_claims_are_read_ends_the_command_and_records_nothing(
        tmp_path: Path, stop: signal.Signals) -> None:
    claims = tmp_path / "claims.yaml"
    os.mkfifo(claims)  # the run blocks reading it until the test writes: a window held open
    run = start_check(claims, base_env([]))
    with open(claims, "w"):  # returns once the run has opened the claims to read them
        run.send_signal(stop)
        _, err = run.communicate(timeout=60)
    assert run.returncode == 3
    assert_one_line(err, f"stopped by {stop.name} before the run started; nothing was recorded")
    assert run_rows(tmp_path / "verifier.db") == []


@pytest.mark.parametrize("stop", STOPS)
def test_a_signal_just_after_the_run_row_is_written_records_the_run_as_interrupted(
        tmp_path: Path, stop: signal.Signals) -> None:
    # 8,000 new claims and URLs: the run spends a while recording them after its row is
    # written, before its first request. The test signals as soon as the row is there.
    with holding({f"/slow{i}" for i in range(8000)}) as server:
        claims = write_claims(tmp_path, {str(i): {"url": f"http://site.test:{server.port}/slow{i}"}
                                         for i in range(8000)})
        env = {**base_env([f"site.test:{server.port}:{server.host}"]), "VERIFIER_TIMEOUT": "120s"}
        db = tmp_path / "verifier.db"
        run = start_check(claims, env, "--quiet")
        wait_for(lambda: run_rows(db), timeout=120)
        run.send_signal(stop)
        _, err = run.communicate(timeout=120)
    assert run.returncode == 3
    assert_one_line(err, f"stopped by {stop.name}: run 1 recorded as interrupted after ")
    assert err.rstrip().endswith("of 8000 URLs; the next run completes what is missing")
    (row,) = run_rows(db)
    assert (row["status"], row["reason"]) == ("interrupted", f"stopped by {stop.name}")
    assert row["finished_at"] is not None
    (listed,) = listed_runs(claims, env)
    assert listed["status"] == "interrupted"
    assert listed["checks"] == len(checks_of(db, 1))


def test_sigterm_between_two_stages_stops_before_the_next(tmp_path: Path) -> None:
    # The archive stage holds its one request open; the signal reaches the run between the
    # check stage (finished: the check is recorded) and the end of the archive stage.
    with holding(set()) as site, holding({"/cdx"}) as archive:
        claims = write_claims(tmp_path, {"1": {"url": f"http://site.test:{site.port}/b",
                                               "access_date": "2020-01-01"}})
        env = {**base_env([f"site.test:{site.port}:{site.host}"]), "VERIFIER_TIMEOUT": "120s",
               "VERIFIER_ARCHIVES": json.dumps([{
                   "name": "held", "kind": "wayback",
                   "cdx-url": f"http://127.0.3.1:{archive.port}/cdx",
                   "replay-url": f"http://127.0.3.1:{archive.port}/{{timestamp}}/{{url}}"}])}
        run = subprocess.Popen(
            [sys.executable, "-m", "verifier", "check", str(claims), "--quiet", "--no-json"],
            env={**os.environ, **env, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        wait_for(lambda: any(r.path.startswith("/cdx") for r in archive.log), timeout=60)
        run.send_signal(signal.SIGTERM)
        _, err = run.communicate(timeout=60)
    assert run.returncode == 3
    assert_one_line(err, "stopped by SIGTERM: run 1 recorded as interrupted after 1 of 1 URLs")
    db = tmp_path / "verifier.db"
    assert checks_of(db, 1) == {"b": "ok"}
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM archive_lookups").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM assessments").fetchone() == (0,)
    assert listed_runs(claims, env)[0]["checks"] == 1


def cpu_seconds(pid: int) -> float:
    """User and system time a process has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (FileNotFoundError, ProcessLookupError):
            continue  # a process that just ended
    return found


def test_sigterm_while_a_text_worker_reads_stops_the_run_and_the_worker_at_once(
        tmp_path: Path) -> None:
    slow = slow_html(60_000)  # minutes of trafilatura's time

    async def play(conn: Conn) -> None:
        request = await conn.request()
        if request.path == "/long":
            await conn.respond(200, slow, {"Content-Type": "text/html"})
        else:
            await conn.respond(404, b"no such page")

    with hostile(play, "127.0.3.1") as server:
        claims = write_claims(tmp_path, {"1": {"url": f"http://site.test:{server.port}/long"}})
        # The document's time limit is far beyond the test's: only killing the worker ends it.
        env = {**base_env([f"site.test:{server.port}:{server.host}"]),
               "VERIFIER_TEXT_TIMEOUT": "900s", "VERIFIER_TEXT_WORKERS": "1"}
        run = start_check(claims, env, "--quiet")
        reader: list[int] = []

        def reading() -> bool:
            # The worker is the spawned child that is not multiprocessing's resource tracker;
            # more CPU than its start takes means it is deep in the document.
            for pid in children(run.pid):
                try:
                    tracker = b"resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes()
                    if not tracker and cpu_seconds(pid) > 5:
                        reader.append(pid)
                        return True
                except FileNotFoundError:  # a process that just ended
                    continue
            return False

        wait_for(reading, timeout=180)
        run.send_signal(signal.SIGTERM)
        # The worker shares the run's stderr: reading it to its end waits for the worker too.
        _, err = run.communicate(timeout=60)
    assert run.returncode == 3
    assert_one_line(err, "stopped by SIGTERM: run 1 recorded as interrupted after 1 of 1 URLs")
    assert not Path(f"/proc/{reader[0]}").exists() or "Z" in Path(
        f"/proc/{reader[0]}/stat").read_text().rsplit(")", 1)[1].split()[0]
    (row,) = run_rows(tmp_path / "verifier.db")
    assert (row["status"], row["reason"]) == ("interrupted", "stopped by SIGTERM")


# --- an internal error ---------------------------------------------------------------------------

def test_an_error_mid_run_records_the_run_as_failed_with_its_reason(tmp_path: Path) -> None:
    with holding(set()) as server:
        claims = write_claims(tmp_path, {"1": {"url": f"http://site.test:{server.port}/a"}})
        env = base_env([f"site.test:{server.port}:{server.host}"])
        assert verifier("check", str(claims), "--no-archive", "--quiet", env=env).returncode == 0
        db = tmp_path / "verifier.db"
        # Someone froze the checks table (as a full disk would refuse the writes): the run can
        # start and record its row, and cannot record a check.
        with sqlite3.connect(db) as conn:
            conn.execute("CREATE TRIGGER frozen BEFORE INSERT ON checks"
                         " BEGIN SELECT RAISE(ABORT, 'the checks table is frozen'); END")
        failed = verifier("check", str(claims), "--no-archive", "--quiet", env=env)
    assert failed.returncode == 3
    reason = f"cannot record 1 checks of run 2 in {db}: the checks table is frozen"
    assert_one_line(failed.stderr, reason)
    first, second = run_rows(db)
    assert first["status"] == "completed" and first["reason"] is None
    assert (second["status"], second["reason"]) == ("failed", reason)
    assert second["finished_at"] is not None
    listed = listed_runs(claims, env)
    assert [(r["status"], r["checks"], r["reason"]) for r in listed] == [
        ("completed", 1, None), ("failed", 0, reason)]


# --- the run deadline ----------------------------------------------------------------------------

def test_the_run_deadline_cancels_what_is_in_flight_records_what_finished_and_reports(
        tmp_path: Path) -> None:
    held = {"/slow1", "/slow2"}
    order = ["/a", "/gone", "/slow1", "/b", "/slow2", "/c"]
    with holding(held) as server:
        claims = write_claims(tmp_path, {str(i): {"url": f"http://site.test:{server.port}{p}"}
                                         for i, p in enumerate(order, start=1)})
        # One request at a time, in the run's order; a request timeout far beyond the test's.
        env = {**base_env([f"site.test:{server.port}:{server.host}"]), "VERIFIER_TIMEOUT": "300s",
               "VERIFIER_PER_HOST": "1", "VERIFIER_CONCURRENCY": "1"}
        audit = verifier("audit", str(claims), "--no-archive", "--quiet", "--no-json",
                         "--run-deadline", "2s", "--fail-on", "dead", env=env)
        db = tmp_path / "verifier.db"
        # The run reached /slow1 and stopped there: what it finished is recorded, nothing else.
        assert checks_of(db, 1) == {"a": "ok", "gone": "not_found"}
        (row,) = run_rows(db)
        assert (row["status"], row["reason"]) == ("deadline", "the run deadline (2 s) passed")
        assert row["finished_at"] is not None
        # The summary and the reports are written, and --fail-on decides the exit code.
        assert audit.returncode == 1, audit.stderr
        assert "Traceback" not in audit.stderr
        assert audit.stdout.startswith("run 1 deadline: 2 of 6 URLs checked")
        assert "FAILING THE RUN (1), by --fail-on:" in audit.stdout
        report = json.loads((tmp_path / "reports" / "report.json").read_text(encoding="utf-8"))
        assert report["run"]["status"] == "deadline"
        assert verifier("report", "--claims", str(claims), "--fail-on", "none", "--no-json",
                        env=env).returncode == 0

        # The next run starts with the URLs the deadline left unchecked, in the claims' order,
        # then the ones checked longest ago; nothing is skipped as "already checked".
        held.clear()
        before = len(server.log)
        check = verifier("check", str(claims), "--no-archive", "--quiet", "--json", env=env)
        assert check.returncode == 0, check.stderr
        paths = [r.path for r in server.log[before:] if "verifier-probe" not in r.path]
    assert paths == ["/slow1", "/b", "/slow2", "/c", "/a", "/gone"]
    summary = json.loads(check.stdout)
    assert (summary["run_status"], summary["checked"], summary["resumed"]) == ("completed", 6, 0)


def test_the_run_deadline_ends_a_run_still_waiting_for_the_lock(tmp_path: Path) -> None:
    claims = write_claims(tmp_path, {"1": {"url": "http://nowhere.invalid/a"}})
    with open(tmp_path / "verifier.db.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as another run would
        run = start_check(claims, base_env([]), "--wait", "--run-deadline", "2s")
        _, err = run.communicate(timeout=120)
    assert run.returncode == 3
    assert_one_line(err, "the run deadline (2 s) passed before the run started; "
                         "nothing was recorded")
    assert run_rows(tmp_path / "verifier.db") == []


def test_a_run_deadline_that_nothing_reaches_changes_nothing(tmp_path: Path) -> None:
    with holding(set()) as server:
        claims = write_claims(tmp_path, {"1": {"url": f"http://site.test:{server.port}/a"}})
        env = base_env([f"site.test:{server.port}:{server.host}"])
        done = verifier("check", str(claims), "--no-archive", "--quiet", "--json",
                        "--run-deadline", "1h", env=env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["run_status"] == "completed"
    (row,) = run_rows(tmp_path / "verifier.db")
    assert (row["status"], row["reason"]) == ("completed", None)
    assert json.loads(row["settings"])["run_deadline"] == 3600.0


def test_a_bad_run_deadline_is_bad_input(tmp_path: Path) -> None:
    claims = write_claims(tmp_path, {"1": {"url": "http://nowhere.invalid/a"}})
    bad = verifier("check", str(claims), "--run-deadline", "soon", env=base_env([]))
    assert bad.returncode == 2
    assert "--run-deadline" in bad.stderr and "not a duration" in bad.stderr
    assert run_rows(tmp_path / "verifier.db") == []
