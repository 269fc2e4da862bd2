"""`verifier check` finding archived copies in a real archive (pywb) over loopback.

The archive holds synthetic captures written for these tests, before, between and after the
references' access dates, including a 404 capture and a redirect capture that must never be
chosen.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from contextlib import ExitStack, closing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from archive_server import Capture, pywb_archive
from hostile import closed_port
from ia_server import ia_server
from servers import Reply, serve
from verifier.cli import cli

pytestmark = pytest.mark.needs_extra

UTC = dt.timezone.utc


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(tzinfo=UTC)


def page(text: str) -> bytes:
    return f"<html><head><title>Synthetic capture: {text}</title></head><body><p>{text}</p>" \
           f"</body></html>".encode()


def run_check(claims: Path, env: dict[str, str], *args: str) -> dict[str, object]:
    result = CliRunner().invoke(cli, ["check", str(claims), "--json", "--quiet", *args], env=env)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_check_chooses_the_copy_closest_before_the_access_date(tmp_path: Path) -> None:
    with serve({"/alive": Reply(200, page("alive now"), {"Content-Type": "text/html"}),
                "/dated": Reply(200, page("dated"), {"Content-Type": "text/html"}),
                "/unarchived": Reply(200, page("never archived"), {"Content-Type": "text/html"})},
               host="127.0.0.7") as site:
        live = f"http://news.test:{site.port}"
        gone = "http://gone.test/report"  # never resolves: the site is gone
        captures = [
            Capture(gone, at("2019-03-01T12:00:00"), body=page("report, March 2019")),
            Capture(gone, at("2020-09-20T08:00:00"), body=page("report, 20 September 2020")),
            Capture(gone, at("2020-09-22T08:00:00"), status=302, location="http://gone.test/"),
            Capture(gone, at("2020-09-23T08:00:00"), status=404, body=page("not found")),
            Capture(gone, at("2021-01-05T08:00:00"), body=page("report, January 2021")),
            Capture(f"{live}/dated", at("2022-02-02T10:00:00"), body=page("dated, later")),
            Capture(f"{live}/dated", at("2023-03-03T10:00:00"), body=page("dated, even later")),
        ]
        with pywb_archive(captures, tmp_path) as archive:
            claims = tmp_path / "claims.yaml"
            claims.write_text(f"""version: 1
references:
  "1": {{url: "{gone}", access_date: 2020-09-24}}
  "2": {{url: "{live}/dated", access_date: 2021-06-01}}
  "3": {{url: "{live}/unarchived", date: 2020-01-01}}
  "4": {{url: "{live}/alive"}}
claims:
  - {{id: a, text: "Claim on the gone report.", sources: ["1"]}}
  - {{id: b, text: "Claim on the dated page.", sources: ["2"]}}
  - {{id: c, text: "Claim on the page nobody archived.", sources: ["3"]}}
  - {{id: d, text: "Claim on a live page with no date.", sources: ["4"]}}
""", encoding="utf-8")
            env = {
                "VERIFIER_RESOLVE": f"news.test:{site.port}:{site.host},gone.test:-",
                "VERIFIER_ARCHIVES": json.dumps(
                    [{"name": "local", "pywb": f"{archive.base}/{archive.collection}"}]),
                "VERIFIER_NOW": "2026-01-01T00:00:00Z", "VERIFIER_TIMEOUT": "5s",
                "VERIFIER_RETRIES": "0", "VERIFIER_HOST_INTERVAL": "0",
            }
            summary = run_check(claims, env)
            lookups_after_first = summary["by_status"]
            second = run_check(claims, {**env, "VERIFIER_NOW": "2026-01-02T00:00:00Z"})
            history = CliRunner().invoke(cli, ["history", gone, "--claims", str(claims),
                                               "--json"], env=env)

    (failing,) = summary["failing"]  # type: ignore[misc]
    assert failing["url"] == gone
    # the closest verified capture before 2020-09-24: not the 404 (23rd) nor the redirect (22nd)
    assert "captured 2020-09-20" in failing["archived"]
    assert "/20200920080000/" in failing["archived"]
    assert summary["archive_now"] == [f"{live}/unarchived"]
    assert lookups_after_first == {"dns_error": 1, "ok": 3}

    timeline = json.loads(history.stdout)
    (lookup,) = timeline["archive_lookups"]  # found is final: the second run did not ask again
    assert lookup["outcome"] == "found"
    assert lookup["anchor_date"] == "2020-09-24"
    assert lookup["snapshot"]["archive"] == "local"
    assert lookup["snapshot"]["captured_at"].startswith("2020-09-20T08:00:00")
    assert lookup["snapshot"]["raw_url"].endswith("/20200920080000id_/http://gone.test/report")
    assert "2020-09-20" in lookup["why"]
    assert second["archive_now"] == [f"{live}/unarchived"]  # still listed, not asked again yet


def test_a_hanging_archive_does_not_stall_the_run(tmp_path: Path) -> None:
    import socket
    import time

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)  # accepts connections, never answers
    port = listener.getsockname()[1]
    try:
        claims = tmp_path / "claims.yaml"
        claims.write_text('version: 1\nreferences:\n  "1": {url: "http://gone.test/x", '
                          'access_date: 2020-01-01}\nclaims:\n  - {text: "A claim.", '
                          'sources: ["1"]}\n', encoding="utf-8")
        env = {"VERIFIER_ARCHIVES": json.dumps([{"name": "stuck",
                                                 "pywb": f"http://127.0.0.1:{port}/coll"}]),
               "VERIFIER_TIMEOUT": "1s", "VERIFIER_RETRIES": "0", "VERIFIER_ARCHIVE_DEADLINE": "3s",
               "VERIFIER_RESOLVE": "gone.test:-"}
        started = time.monotonic()
        summary = run_check(claims, env)
        took = time.monotonic() - started
    finally:
        listener.close()
    assert took < 8
    (failing,) = summary["failing"]  # type: ignore[misc]
    assert failing["archived"] == ("no verified snapshot, and stuck could not be asked fully: "
                                   "not proof of absence")


def test_archive_links_the_references_give_are_checked(tmp_path: Path) -> None:
    report = "http://gone.test/report"
    captures = [
        Capture(report, at("2020-09-20T08:00:00"), body=page("report, 20 September 2020")),
        Capture(report, at("2020-09-23T08:00:00"), status=404, body=page("not found")),
        Capture(report, at("2024-05-05T08:00:00"), body=page("report, May 2024")),
    ]
    with pywb_archive(captures, tmp_path) as archive:
        replay = f"{archive.base}/{archive.collection}/{{}}/{report}"
        claims = tmp_path / "claims.yaml"
        claims.write_text(f"""version: 1
references:
  "1": {{url: "{report}", access_date: 2020-09-24, archive_url: "{replay.format('20200920080000')}"}}
  "2": {{title: "Same report, a 404 capture", access_date: 2020-09-24,
         archive_url: "{replay.format('20200923080000')}"}}
  "3": {{title: "Same report, archived long after", access_date: 2020-09-24,
         archive_url: "{replay.format('20240505080000')}"}}
claims:
  - {{id: a, text: "A claim.", sources: ["1", "2", "3"]}}
""", encoding="utf-8")
        env = {"VERIFIER_RESOLVE": "gone.test:-", "VERIFIER_TIMEOUT": "5s",
               "VERIFIER_RETRIES": "0", "VERIFIER_NOW": "2026-01-01T00:00:00Z",
               "VERIFIER_ARCHIVES": json.dumps(
                   [{"name": "local", "pywb": f"{archive.base}/{archive.collection}"}])}
        summary = run_check(claims, env)

    to_fix = summary["archive_links_to_fix"]
    assert len(to_fix) == 2  # type: ignore[arg-type]
    first, second = to_fix  # type: ignore[misc]
    assert first.startswith("ref 2 (Same report, a 404 capture)") and "404" in first
    assert second.startswith("ref 3 (Same report, archived long after)")
    assert "days after the access date 2020-09-24" in second


def test_a_source_that_dies_between_runs_keeps_the_copy_found_while_it_lived(
    tmp_path: Path,
) -> None:
    state = {"alive": True}

    def source(_: object) -> Reply:
        if state["alive"]:
            return Reply(200, page("the article"), {"Content-Type": "text/html"})
        return Reply(404, b"gone", {"Content-Type": "text/html"})

    with serve({"/article": source}, host="127.0.0.9") as site:  # type: ignore[dict-item]
        article = f"http://paper.test:{site.port}/article"
        captures = [
            Capture(article, at("2021-05-01T09:00:00"), body=page("the article, May 2021")),
            Capture(article, at("2021-08-01T09:00:00"), body=page("the article, August 2021")),
        ]
        with pywb_archive(captures, tmp_path) as archive:
            claims = tmp_path / "claims.yaml"
            claims.write_text(f'version: 1\nreferences:\n  "1": {{url: "{article}", '
                              'access_date: 2021-06-15}\nclaims:\n  - {id: a, text: "A claim.", '
                              'sources: ["1"]}\n', encoding="utf-8")
            env = {  # the archive asked through Memento TimeMaps this time, not its CDX API
                "VERIFIER_ARCHIVES": json.dumps([{
                    "name": "local-memento", "kind": "memento",
                    "timemap_url": f"{archive.timemap_url}{{url}}",
                    "replay_url": archive.replay_url_template,
                    "raw_url": archive.raw_url_template}]),
                "VERIFIER_RESOLVE": f"paper.test:{site.port}:{site.host}",
                "VERIFIER_TIMEOUT": "5s", "VERIFIER_RETRIES": "0", "VERIFIER_HOST_INTERVAL": "0",
                "VERIFIER_NOW": "2026-01-01T00:00:00Z",
            }
            first = run_check(claims, env)
            state["alive"] = False
            second = run_check(claims, {**env, "VERIFIER_NOW": "2026-01-02T00:00:00Z"})
            history = CliRunner().invoke(cli, ["history", article, "--claims", str(claims),
                                               "--no-json"], env=env)

    assert first["failing"] == [] and first["by_state"] == {"alive": 1}
    (failing,) = second["failing"]  # type: ignore[misc]
    assert failing["status"] == "not_found"
    assert "local-memento, captured 2021-05-01" in failing["archived"]
    text = history.stdout
    assert "archive lookups:" in text and "found (anchor 2021-06-15)" in text
    assert "local-memento, captured 2021-05-01 09:00:00" in text


def dead_archive(how: str, stack: ExitStack) -> tuple[dict[str, str], dict[str, str], Any]:
    """An archive that cannot be reached, `how`: its configuration, the settings it needs, and
    the server it runs on (None when nothing listens)."""
    if how == "unresolvable":
        base, env, server = "http://dead.test", {"VERIFIER_RESOLVE": "dead.test:-"}, None
    elif how == "refused":
        base, env, server = f"http://127.0.0.1:{closed_port()}", {}, None
    else:  # "503": it answers, but only with errors
        server = stack.enter_context(ia_server([], host="127.0.0.11", modes={"cdx": "503"}))
        base, env = server.base, {}
    return {"name": "dead", "kind": "wayback", "cdx_url": f"{base}/cdx/search/cdx",
            "replay_url": f"{base}/web/{{timestamp}}/{{url}}"}, env, server


def lookups_by_run(database: str) -> dict[int, list[tuple[str, str, str, list[str]]]]:
    """Each run's lookups, in order: (URL, outcome, why, notes), as the database holds them."""
    with closing(sqlite3.connect(database)) as db:
        rows = db.execute("SELECT run_id, url, outcome, why, notes FROM archive_lookups JOIN urls"
                          " ON urls.id = url_id ORDER BY archive_lookups.id").fetchall()
    runs: dict[int, list[tuple[str, str, str, list[str]]]] = {}
    for run_id, url, outcome, why, notes in rows:
        runs.setdefault(run_id, []).append((url, outcome, why, json.loads(notes)))
    return runs


@pytest.mark.parametrize("how", ["unresolvable", "refused", "503"])
def test_an_unreachable_archive_is_given_up_for_the_run_and_asked_again_next_run(
        tmp_path: Path, how: str) -> None:
    reports = [f"http://gone.test/report-{n}" for n in range(5)]
    captures = [Capture(url, at("2020-09-20T08:00:00"), body=page(f"report {n}"))
                for n, url in enumerate(reports[3:], start=3)]  # the live archive holds two
    claims = tmp_path / "claims.yaml"
    claims.write_text("version: 1\nreferences:\n" + "".join(
        f'  "{n}": {{url: "{url}", access_date: 2020-09-24}}\n' for n, url in enumerate(reports))
        + "claims:\n" + "".join(f'  - {{id: c{n}, text: "Claim {n}.", sources: ["{n}"]}}\n'
                                for n in range(5)), encoding="utf-8")
    with ExitStack() as stack:
        dead, dead_env, server = dead_archive(how, stack)
        live = stack.enter_context(pywb_archive(captures, tmp_path))
        env = {
            "VERIFIER_ARCHIVES": json.dumps(
                [dead, {"name": "local", "pywb": f"{live.base}/{live.collection}"}]),
            "VERIFIER_RESOLVE": ",".join(["gone.test:-", *dead_env.values()]),
            "VERIFIER_NOW": "2026-01-01T00:00:00Z", "VERIFIER_TIMEOUT": "5s",
            "VERIFIER_RETRIES": "0", "VERIFIER_HOST_INTERVAL": "0",
            "VERIFIER_CONCURRENCY": "1",  # one lookup at a time: the dead archive's count is exact
        }
        first = CliRunner().invoke(cli, ["check", str(claims), "--no-json", "--quiet"], env=env)
        asked_first = len(server.asked("/cdx/search/cdx")) if server else None
        # A day later, well within archive-expiry: the lookups the outage spoilt are asked again.
        second = run_check(claims, {**env, "VERIFIER_NOW": "2026-01-02T00:00:00Z"})
        asked_second = len(server.asked("/cdx/search/cdx")) if server else None

    assert first.exit_code == 0, first.stderr
    text = first.stdout.splitlines()
    assert text[1] == "  unreachable archives (given up for this run, asked again next run):"
    assert text[2].startswith("    dead: ") and text[3].startswith("  statuses: ")
    assert first.stdout.count("unreachable archives") == 1
    assert list(second["unreachable_archives"]) == ["dead"]  # type: ignore[call-overload]

    runs = lookups_by_run(str(second["database"]))
    one, two = runs[1], runs[2]
    # Run 1 asked the dead archive until it gave it up: at once when nothing connects, after
    # three failed lookups when it answers 503; after that, no request, no turn waited.
    tries = 1 if how in ("unresolvable", "refused") else 3
    if server is not None:
        assert (asked_first, asked_second) == (3, 6)
    given_up = "dead: lookup failed: could not be asked: dead unreachable"
    dead_notes = [notes[0] for _, _, _, notes in one]
    assert dead_notes[tries:] == [given_up] * (5 - tries)
    assert all(note != given_up for note in dead_notes[:tries])
    # The live archive's copies are found all the same; the rest failed, never "no snapshot".
    assert [(url, outcome) for url, outcome, _, _ in one] == [
        (url, "failed") for url in reports[:3]] + [(url, "found") for url in reports[3:]]
    assert one[2][2] == "could not be asked: dead unreachable (not proof of absence)"
    # Run 2 asked again the three URLs with no copy yet, not the two found.
    assert [url for url, _, _, _ in two] == reports[:3]
    assert all(outcome == "failed" for _, outcome, _, _ in two)
    failing = {line["url"]: line["archived"] for line in second["failing"]}  # type: ignore[attr-defined]
    assert "local, captured 2020-09-20" in failing[reports[3]]
    assert failing[reports[2]] == "could not be asked: dead unreachable (not proof of absence)"
