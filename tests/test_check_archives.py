"""`verifier check` finding archived copies in a real archive (pywb) over loopback.

The archive holds synthetic captures written for these tests, before, between and after the
references' access dates, including a 404 capture and a redirect capture that must never be
chosen.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive_server import Capture, pywb_archive
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
    assert failing["archived"].startswith("the archives could not be asked")


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
