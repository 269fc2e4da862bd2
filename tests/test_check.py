"""`verifier check` end to end: real loopback servers standing in for many hosts, a real database.

Host names are sent to loopback addresses with the `resolve` setting, so the classifier and the
per-host limits see real, distinct host names.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import signal
import ssl
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from click.testing import CliRunner

from hostile import Conn, gzip_bomb, hostile
from servers import Reply, Server, serve
from verifier.cli import cli

REPO = Path(__file__).parent.parent
ARTICLE = (b"<html><head><title>Minsk helped Caracas build an air defence system</title></head>"
           b"<body><h1>Minsk helped Caracas</h1><p>" + b"The first ten military consultants "
           b"arrived in Venezuela in 2008. " * 20 + b"</p></body></html>")
HOME = b"<html><head><title>News front page</title></head><body>Latest news</body></html>"
SHELL = b"<html><head><title>Welcome</title></head><body>" + b"Our site. " * 50 + b"</body></html>"
CHALLENGE = (b"<html><head><title>Just a moment...</title></head><body>Checking your browser "
             b"before accessing the site.</body></html>")
HTML = {"Content-Type": "text/html; charset=utf-8"}


def page(body: bytes = ARTICLE, status: int = 200, **headers: str) -> Reply:
    return Reply(status, body, {**HTML, **headers})


def base_env(resolve: list[str], now: str = "2026-01-01T00:00:00Z") -> dict[str, str]:
    # nowhere.invalid stands for a host whose name is gone; no DNS server is asked about it.
    return {
        "VERIFIER_RESOLVE": ",".join([*resolve, "nowhere.invalid:-"]),
        "VERIFIER_NOW": now,
        "VERIFIER_TIMEOUT": "2s",
        "VERIFIER_RETRIES": "0",
        "VERIFIER_HOST_INTERVAL": "0",
        "VERIFIER_DEBUG": "",
    }


def write_claims(folder: Path, refs: dict[str, dict[str, str]]) -> Path:
    lines = ["version: 1", "references:"]
    for key, fields in refs.items():
        lines.append(f'  "{key}":')
        lines.extend(f"    {name}: {json.dumps(value)}" for name, value in fields.items())
    lines.append("claims:")
    for key in refs:
        lines.append(f"  - id: claim-{key}\n    text: Claim resting on reference {key}.\n"
                     f'    sources: ["{key}"]')
    path = folder / "claims.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def check(claims: Path, env: dict[str, str], *args: str) -> tuple[int, dict[str, object], str]:
    # No archive lookups unless a test serves an archive: the default archives are on the internet.
    if "--archive" in args:
        args = tuple(a for a in args if a != "--archive")
    else:
        args = ("--no-archive", *args)
    result = CliRunner().invoke(cli, ["check", str(claims), "--json", "--quiet", *args], env=env)
    data = json.loads(result.stdout) if result.exit_code == 0 else {}
    return result.exit_code, data, result.stderr


def statuses(db: Path, run_id: int | None = None) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        sql = "SELECT urls.url, checks.status FROM checks JOIN urls ON urls.id = checks.url_id"
        rows = conn.execute(sql + (" WHERE run_id = ?" if run_id else ""),
                            [run_id] if run_id else []).fetchall()
    return dict(rows)


@contextmanager
def hosts(**routes: dict[str, Reply]) -> Iterator[dict[str, Server]]:
    """One server per host name, each on its own loopback address."""
    with ExitStack() as stack:
        servers = {}
        for number, (name, table) in enumerate(routes.items(), start=2):
            servers[name] = stack.enter_context(serve(table, host=f"127.0.0.{number}"))
        yield servers


def url(servers: dict[str, Server], name: str, path: str) -> str:
    return f"http://{name}.test:{servers[name].port}{path}"


def resolve(servers: dict[str, Server]) -> list[str]:
    return [f"{name}.test:{s.port}:{s.host}" for name, s in servers.items()]


def test_every_status_from_real_servers(tmp_path: Path) -> None:
    (tmp_path / "verifier.toml").write_text(
        '[domains."ignored.test"]\nignore = "checked by hand"\n', encoding="utf-8")
    with hosts(
        news={"/ok": page(), "/gone": page(b"no", 404), "/moved": page(b"", 301, Location="/new"),
              "/new": page(), "/deep/story": page(b"", 302, Location="/"), "/": page(HOME),
              "/paper": page(b"subscribe", 403)},
        shell={"*": page(SHELL)},
        guarded={"/x": page(CHALLENGE, 403, Server="cloudflare")},
        broken={"/x": page(b"oops", 500)},
        ignored={"/x": page()},
    ) as servers:
        refs = {
            "1": {"url": url(servers, "news", "/ok")},
            "2": {"url": url(servers, "news", "/gone")},
            "3": {"url": url(servers, "news", "/moved")},
            "4": {"url": url(servers, "news", "/deep/story")},
            "5": {"url": url(servers, "shell", "/2019/11/11/minsk-helped-caracas")},
            "6": {"url": url(servers, "guarded", "/x")},
            "7": {"url": url(servers, "broken", "/x")},
            "8": {"url": "http://nowhere.invalid/page"},
            "9": {"url": "javascript:alert(1)"},
            "10": {"url": url(servers, "ignored", "/x")},
            "11": {"url": url(servers, "news", "/paper"), "url_access": "subscription"},
            "12": {"title": "A printed book"},
        }
        claims = write_claims(tmp_path, refs)
        code, summary, err = check(claims, base_env(resolve(servers)))
        assert code == 0, err

    found = statuses(tmp_path / "verifier.db")
    expected = {
        "1": "ok", "2": "not_found", "3": "redirected", "4": "redirect_to_root", "5": "soft_404",
        "6": "blocked", "7": "server_error", "8": "dns_error", "9": "invalid_url",
        "10": "skipped", "11": "blocked",
    }
    by_ref = {key: found[refs[key]["url"]] for key in expected}
    assert by_ref == expected
    # The ignored host and the invalid URL cost no request; every other URL exactly one.
    assert servers["ignored"].log == []
    news_hits = Counter(path for _, path in servers["news"].log)
    for path in ("/ok", "/gone", "/moved", "/deep/story", "/paper"):
        assert news_hits[path] == 1, path
    # One soft-404 probe per host that answered 2xx: news and shell, nothing else.
    for name in ("news", "shell"):
        probes = [p for _, p in servers[name].log if "verifier-probe-" in p]
        assert len(probes) == 1, (name, servers[name].log)
    assert not any("verifier-probe-" in p for _, p in servers["guarded"].log)

    failing = {u["url"]: u for u in summary["failing"]}  # type: ignore[union-attr]
    assert set(failing) == {refs[k]["url"] for k in ("2", "4", "5", "7", "8", "9")}
    assert all(u["state"] == "failing" and u["strikes"] == 1 for u in failing.values())
    assert "ref 12 (A printed book): claim-12" in summary["no_url"]  # type: ignore[operator]
    inconclusive = {u["url"] for u in summary["inconclusive"]}  # type: ignore[union-attr]
    assert inconclusive == {refs["6"]["url"]}  # the paywalled source (11) raises no alarm
    assert found[refs["11"]["url"]] == "blocked"


def test_confirmed_dead_takes_three_strikes_over_three_days_then_recovers(tmp_path: Path) -> None:
    state = {"alive": False}

    def flaky(_: object) -> Reply:
        return page() if state["alive"] else page(b"gone", 404)

    with hosts(site={"/a": flaky}) as servers:  # type: ignore[dict-item]
        target = url(servers, "site", "/a")
        claims = write_claims(tmp_path, {"1": {"url": target}})
        seen = []
        for day, alive in [("01", False), ("02", False), ("03", False), ("04", False),
                           ("05", True), ("06", True)]:
            state["alive"] = alive
            code, summary, err = check(claims, base_env(resolve(servers), f"2026-01-{day}T03:00Z"))
            assert code == 0, err
            seen.append(summary["by_state"])
    assert seen == [{"failing": 1}, {"failing": 1}, {"failing": 1}, {"confirmed_dead": 1},
                    {"recovered": 1}, {"alive": 1}]

    result = CliRunner().invoke(cli, ["history", target, "--claims", str(claims), "--json"])
    timeline = json.loads(result.stdout)
    assert [c["state_after"] for c in timeline["checks"]] == [
        "failing", "failing", "failing", "confirmed_dead", "recovered", "alive"]
    assert [c["checked_at"][:10] for c in timeline["checks"]] == [
        f"2026-01-0{d}" for d in range(1, 7)]
    text = CliRunner().invoke(cli, ["history", target, "--claims", str(claims), "--no-json"])
    assert "confirmed_dead (4)" in text.stdout


def test_max_age_skips_recently_alive_urls_only(tmp_path: Path) -> None:
    with hosts(site={"/ok": page(), "/gone": page(b"", 404)}) as servers:
        claims = write_claims(tmp_path, {"1": {"url": url(servers, "site", "/ok")},
                                         "2": {"url": url(servers, "site", "/gone")}})
        env = base_env(resolve(servers), "2026-01-01T00:00Z")
        assert check(claims, env)[0] == 0
        env["VERIFIER_NOW"] = "2026-01-03T00:00Z"
        code, summary, _ = check(claims, env, "--max-age", "7d")
        assert code == 0
        assert (summary["checked"], summary["fresh"]) == (1, 1)
        hits = Counter(p for _, p in servers["site"].log)
        assert (hits["/ok"], hits["/gone"]) == (1, 2)  # the failing URL is due every run
        env["VERIFIER_NOW"] = "2026-01-09T00:00Z"  # older than 7 days: due again
        assert check(claims, env, "--max-age", "7d")[1]["checked"] == 2


def test_the_seed_claims_run_offline_and_honestly(tmp_path: Path) -> None:
    claims = tmp_path / "claims.yaml"
    claims.write_bytes((REPO / "claims.yaml").read_bytes())
    code, summary, err = check(claims, base_env([]))
    assert code == 0, err
    assert summary["urls"] == 0 and summary["failing"] == []
    assert len(summary["no_url"]) == 6  # type: ignore[arg-type]
    assert len(summary["citation_needed"]) == 4  # type: ignore[arg-type]
    assert any("ref 5 (Минск помог Каракасу" in line for line in summary["no_url"])  # type: ignore[union-attr]


# --- runs in other processes: the lock, SIGKILL, SIGTERM -----------------------------------------

def slow(seconds: float) -> object:
    def reply(_: object) -> Reply:
        time.sleep(seconds)
        return page()
    return reply


def start_check(claims: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "verifier", "check", str(claims), "--no-json", "--no-archive",
         *args],
        env={**os.environ, **env, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def wait_for(condition: object, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def finished_checks(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM checks").fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # not created yet


def test_the_lock_holds_between_two_processes(tmp_path: Path) -> None:
    with hosts(site={"*": slow(1.5)}) as servers:  # type: ignore[dict-item]
        claims = write_claims(tmp_path, {"1": {"url": url(servers, "site", "/a")}})
        env = base_env(resolve(servers))
        env["VERIFIER_TIMEOUT"] = "5s"
        first = start_check(claims, env)
        wait_for(lambda: servers["site"].log)  # the first run is fetching, holding the lock
        code, _, err = check(claims, env)
        assert code == 4
        assert "another verifier run holds" in err
        assert first.wait(timeout=30) == 0
        assert check(claims, env)[0] == 0  # free again


def test_a_run_killed_at_any_moment_resumes_without_refetching(tmp_path: Path) -> None:
    paths = [f"/p{i}" for i in range(16)]
    with hosts(site={p: slow(0.15) for p in paths}) as servers:  # type: ignore[misc]
        claims = write_claims(tmp_path, {str(i): {"url": url(servers, "site", p)}
                                         for i, p in enumerate(paths)})
        env = {**base_env(resolve(servers)), "VERIFIER_PER_HOST": "1"}
        db = tmp_path / "verifier.db"
        for more in (3, 5):  # two kills, at different points of the run
            run = start_check(claims, env)
            target = finished_checks(db) + more
            wait_for(lambda target=target: finished_checks(db) >= target)
            run.send_signal(signal.SIGKILL)
            run.wait(timeout=10)
        before = finished_checks(db)
        assert 8 <= before < 16
        code, summary, err = check(claims, env)
        assert code == 0, err
        assert (summary["resumed"], summary["checked"]) == (before, 16 - before)
    with sqlite3.connect(db) as conn:
        # every URL has exactly one finished check: nothing finished was fetched again
        per_url = conn.execute("SELECT url_id, count(*) FROM checks GROUP BY url_id").fetchall()
        runs = conn.execute("SELECT status FROM runs ORDER BY id").fetchall()
    assert len(per_url) == 16 and all(count == 1 for _, count in per_url)
    assert [r[0] for r in runs] == ["interrupted", "interrupted", "completed"]
    hits = Counter(p for _, p in servers["site"].log if "verifier-probe" not in p)
    # a URL is fetched twice at most: once if it finished, again only if a kill cut it off
    assert all(hits[p] <= 2 for p in paths)
    assert sum(hits[p] == 2 for p in paths) <= 2  # at most one in flight per kill (per_host=1)


def test_sigterm_stops_cleanly_and_records_the_run_as_interrupted(tmp_path: Path) -> None:
    paths = [f"/p{i}" for i in range(10)]
    with hosts(site={p: slow(0.2) for p in paths}) as servers:  # type: ignore[misc]
        claims = write_claims(tmp_path, {str(i): {"url": url(servers, "site", p)}
                                         for i, p in enumerate(paths)})
        env = {**base_env(resolve(servers)), "VERIFIER_PER_HOST": "1"}
        db = tmp_path / "verifier.db"
        run = start_check(claims, env)
        wait_for(lambda: finished_checks(db) >= 2)
        run.send_signal(signal.SIGTERM)
        _, err = run.communicate(timeout=15)
        assert run.returncode == 3
        assert "recorded as interrupted" in err and "Traceback" not in err
        assert err.startswith("Error: stopped by SIGTERM: run 1 recorded as interrupted")
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT status, reason, finished_at IS NOT NULL FROM runs"
                                ).fetchall() == [("interrupted", "stopped by SIGTERM", 1)]
        listed = CliRunner().invoke(cli, ["runs", "--claims", str(claims), "--json"])
        assert json.loads(listed.stdout)["runs"][0]["checks"] == finished_checks(db) >= 2
        code, summary, _ = check(claims, env)
        assert code == 0
        assert summary["resumed"] + summary["checked"] == 10


# --- network failures through the whole command ----------------------------------------------------

SYNTHETIC_PARKED = (b"<html><head><title>example-history.test - This domain may be for sale!</title>"
                    b"</head><body><h1>example-history.test</h1><p>This domain may be for sale!</p>"
                    b"<a href=\"https://sedo.com/search/details/?domain=example-history.test\">Buy "
                    b"this domain</a></body></html>")


async def never_answer(conn: Conn) -> None:
    await conn.request()
    await asyncio.sleep(60)


async def reset(conn: Conn) -> None:
    await conn.request()
    conn.reset()


async def loop_between(conn: Conn) -> None:
    request = await conn.request()
    await conn.respond(302, headers={"Location": "/b" if request.path == "/a" else "/a"})


async def bomb(conn: Conn) -> None:
    await conn.request()
    await conn.respond(200, gzip_bomb(64), {"Content-Encoding": "gzip",
                                            "Content-Type": "text/html"})


async def too_many(conn: Conn) -> None:
    await conn.request()
    await conn.respond(429, b"slow down", {"Retry-After": "3600"})


async def parked(conn: Conn) -> None:
    await conn.request()
    await conn.respond(200, SYNTHETIC_PARKED, {"Content-Type": "text/html"})


async def doi_resolver(conn: Conn) -> None:
    request = await conn.request()
    if request.path == "/10.1000/182":
        await conn.respond(302, headers={"Location": "/article/182"})
    elif request.path == "/article/182":
        await conn.respond(200, ARTICLE, {"Content-Type": "text/html"})
    else:
        await conn.respond(404, b"no such DOI")


def test_network_failures_through_the_whole_command(
    tmp_path: Path, self_signed: ssl.SSLContext
) -> None:
    plays = {"silent": never_answer, "reset": reset, "loop": loop_between, "bomb": bomb,
             "limited": too_many, "parked": parked, "doi": doi_resolver}
    with ExitStack() as stack:
        servers = {name: stack.enter_context(hostile(play, f"127.0.1.{n}"))
                   for n, (name, play) in enumerate(plays.items(), start=1)}
        tls = stack.enter_context(hostile(parked, "127.0.1.99", tls=self_signed))
        refs = {name: {"url": f"http://{name}.test:{s.port}/a"} for name, s in servers.items()
                if name != "doi"}
        refs["doi"] = {"doi": "10.1000/182", "title": "A journal article"}
        refs["tls"] = {"url": f"https://127.0.1.99:{tls.port}/a"}
        claims = write_claims(tmp_path, refs)
        env = base_env([f"{name}.test:{s.port}:{s.host}" for name, s in servers.items()])
        env.update({"VERIFIER_TIMEOUT": "1s", "VERIFIER_MAX_BODY_BYTES": "1000000",
                    "VERIFIER_RETRY_AFTER_MAX": "5s",
                    "VERIFIER_DOI_RESOLVER": f"http://doi.test:{servers['doi'].port}"})
        started = time.monotonic()
        code, summary, err = check(claims, env)
        took = time.monotonic() - started
        assert code == 0, err

    found = statuses(tmp_path / "verifier.db")
    by_name = {name: found[ref.get("url", f"http://doi.test:{servers['doi'].port}/10.1000/182")]
               for name, ref in refs.items()}
    assert by_name == {
        "silent": "timeout", "reset": "connection_error", "loop": "redirect_loop",
        "bomb": "too_large", "limited": "rate_limited", "parked": "soft_404",
        "doi": "redirected", "tls": "tls_error",
    }
    assert took < 10  # the silent server cost one deadline (1 s), not a hang
    assert [r.path for r in servers["limited"].log] == ["/a"]  # Retry-After 3600 not waited for
    history = CliRunner().invoke(
        cli, ["history", f"https://127.0.1.99:{tls.port}/a", "--claims", str(claims), "--json"])
    (tls_check,) = json.loads(history.stdout)["checks"]
    assert tls_check["status"] == "tls_error"


def test_ctrl_c_is_an_interruption_too(tmp_path: Path) -> None:
    paths = [f"/p{i}" for i in range(6)]
    with hosts(site={p: slow(0.3) for p in paths}) as servers:  # type: ignore[misc]
        claims = write_claims(tmp_path, {str(i): {"url": url(servers, "site", p)}
                                         for i, p in enumerate(paths)})
        env = {**base_env(resolve(servers)), "VERIFIER_PER_HOST": "1"}
        run = start_check(claims, env)
        wait_for(lambda: finished_checks(tmp_path / "verifier.db") >= 1)
        run.send_signal(signal.SIGINT)
        _, err = run.communicate(timeout=15)
    assert run.returncode == 3
    assert "recorded as interrupted" in err and "Traceback" not in err


def test_internal_addresses_are_refused_and_credentials_never_stored(tmp_path: Path) -> None:
    async def answer(conn: Conn) -> None:
        await conn.request()
        await conn.respond(200, ARTICLE, HTML)

    seen: list[tuple[str, str | None]] = []

    def private(request: BaseHTTPRequestHandler) -> Reply:
        seen.append((request.path, request.headers.get("Authorization")))
        return page()

    with hostile(answer) as internal, hosts(site={  # type: ignore[dict-item]
        "/private": private,
        "/moved": Reply(302, b"", {"Location": f"http://[::ffff:127.0.0.1]:{internal.port}/m"}),
    }) as servers:
        site = servers["site"]
        claims = write_claims(tmp_path, {
            "1": {"url": f"http://editor:s3cret@site.test:{site.port}/private"},
            "2": {"url": f"http://127.1:{internal.port}/admin"},
            "3": {"url": url(servers, "site", "/moved")},
        })
        env = {**base_env(resolve(servers)), "VERIFIER_ALLOW_PRIVATE": ""}  # the default: off
        code, summary, err = check(claims, env)
        assert code == 0, err
        reports = CliRunner().invoke(cli, ["report", "--claims", str(claims), "--fail-on", "none",
                                           "--output", str(tmp_path / "reports")], env=env)
        assert reports.exit_code == 0, reports.stderr
        assert internal.connections == 0  # neither the URL nor the redirect reached it

    found = statuses(tmp_path / "verifier.db")
    assert found == {f"http://site.test:{site.port}/private": "ok",
                     f"http://127.1:{internal.port}/admin": "refused_address",
                     url(servers, "site", "/moved"): "refused_address"}
    assert summary["by_status"] == {"ok": 1, "refused_address": 2}
    assert not summary["failing"]  # refused is inconclusive: no strike
    # The site saw its own credentials, once per request of the cited URL.
    assert seen and all(auth == "Basic " + base64.b64encode(b"editor:s3cret").decode()
                        for _, auth in seen)
    # The history and every report hold the URL without its credentials, never the password.
    files = [tmp_path / "verifier.db", *tmp_path.glob("verifier.db-*"),
             *(tmp_path / "reports").iterdir()]
    assert len(files) >= 7
    for path in files:
        assert b"s3cret" not in path.read_bytes(), path
