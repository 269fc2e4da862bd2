"""`verifier check` reading archived copies from a real archive (pywb) over loopback: a dead
source assessed from its copy, and a drifted page caught against its archived twin.

Every page and capture here is synthetic, written for these tests.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from archive_server import Capture, pywb_archive
from servers import Reply, serve
from verifier.cli import cli

pytestmark = pytest.mark.needs_extra

UTC = dt.timezone.utc
HTML = {"Content-Type": "text/html; charset=utf-8"}


def page(title: str, *paragraphs: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{body}"
            "</body></html>").encode()


MUSEUM_THEN = page(
    "Synthetic city news: the Hall of Maps",
    "The Hall of Maps museum opened on 12 May 2015 with forty rooms of paintings, according "
    "to the city council.",
    "Its collection of sea charts was given by the families of the harbour pilots.")
MUSEUM_NOW = page(
    "Synthetic city news: culture pages",
    "This page has moved. The council's culture pages are being rebuilt and will return "
    "later this year.")
FERRY = page(
    "Synthetic city news: the ferry",
    "The night ferry to the islands was withdrawn in 2019 after forty years of service.")
CLAIMS = """version: 1
references:
  museum: {url: "LIVE/museum", access_date: 2020-01-01}
  ferry: {url: "LIVE/ferry", access_date: 2020-06-01}
  kept: {url: "LIVE/kept", access_date: 2020-01-01}
claims:
  - id: museum
    text: The Hall of Maps museum opened on 12 May 2015 with forty rooms of paintings.
    sources: [museum]
  - id: museum-1990
    text: The Hall of Maps museum opened on 12 May 1990 with forty rooms of paintings.
    sources: [museum]
  - id: ferry
    text: The night ferry to the islands was withdrawn in 2019 after forty years of service.
    sources: [ferry]
  - id: kept
    text: The night ferry to the islands was withdrawn in 2019 after forty years of service.
    sources: [kept]
"""


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(tzinfo=UTC)


def test_drift_against_the_archived_twin_and_dead_sources_read_from_their_copy(
        tmp_path: Path) -> None:
    routes: dict[str, Any] = {
        "/museum": Reply(200, MUSEUM_NOW, HTML),  # rewritten since the access date
        "/kept": Reply(200, FERRY, HTML),  # unchanged: still supports its claim
        # /ferry is gone: 404
    }
    with serve(routes, host="127.0.0.7") as site:
        live = f"http://city.test:{site.port}"
        captures = [
            Capture(f"{live}/museum", at("2019-11-02T10:00:00"), body=MUSEUM_THEN),
            Capture(f"{live}/museum", at("2021-03-01T10:00:00"), body=MUSEUM_NOW),
            Capture(f"{live}/ferry", at("2020-05-20T10:00:00"), body=FERRY),
            Capture(f"{live}/kept", at("2019-12-01T10:00:00"), body=FERRY),
        ]
        with pywb_archive(captures, tmp_path) as archive:
            claims = tmp_path / "claims.yaml"
            claims.write_text(CLAIMS.replace("LIVE", live), encoding="utf-8")
            env = {
                "VERIFIER_RESOLVE": f"city.test:{site.port}:{site.host}",
                "VERIFIER_ARCHIVES": json.dumps(
                    [{"name": "local", "pywb": f"{archive.base}/{archive.collection}"}]),
                "VERIFIER_NOW": "2026-01-01T00:00:00Z", "VERIFIER_TIMEOUT": "5s",
                "VERIFIER_RETRIES": "0", "VERIFIER_HOST_INTERVAL": "0",
            }
            result = CliRunner().invoke(cli, ["check", str(claims), "--json", "--quiet"],
                                        env=env)
            assert result.exit_code == 0, result.output
            summary = json.loads(result.stdout)
            text = CliRunner().invoke(cli, ["check", str(claims), "--no-json", "--quiet"],
                                      env={**env, "VERIFIER_NOW": "2026-01-02T00:00:00Z"})
            history = CliRunner().invoke(cli, ["history", f"{live}/museum", "--claims",
                                               str(claims), "--json"], env=env)
            report = CliRunner().invoke(cli, ["report", "--claims", str(claims), "--format",
                                              "json", "--fail-on", "none"], env=env)

    # drift: the copy from before the access date supported the claim; the live page does not
    (drifted,) = summary["drifted"]
    assert drifted["claim"] == "museum"
    assert drifted["drift_archived"] == "supported"
    assert "12 May 2015" in drifted["drift_evidence"]["text"]
    assert drifted["verdict"] == "not_supported"
    assert "/20191102100000/" in drifted["snapshot"]  # the copy from before, not the 2021 one
    # the negative control was never supported: it is no drift, it is a finding
    flagged = {line["claim"]: line for line in summary["unsupported"]}
    assert set(flagged) == {"museum-1990"}
    # the dead source was read from its copy, and supports its claim there
    assert summary["by_verdict"] == {"supported": 2, "not_supported": 2}

    with sqlite3.connect(tmp_path / "verifier.db") as conn:
        rows = dict(conn.execute(
            "SELECT v.claim_id, a.source FROM assessments AS a"
            " JOIN claim_versions AS v ON v.id = a.claim_version_id").fetchall())
        read = dict(conn.execute(
            "SELECT urls.url, snapshots.body_sha256 IS NOT NULL FROM snapshots"
            " JOIN urls ON urls.id = snapshots.url_id").fetchall())
    assert rows == {"museum": "live", "museum-1990": "live", "ferry": "archive", "kept": "live"}
    # a live page that supports its claim is not compared: its copy was never fetched
    assert read == {f"{live}/museum": 1, f"{live}/ferry": 1, f"{live}/kept": 0}

    assert text.exit_code == 0, text.output
    assert "DRIFTED (1): the archived copy supported the claim" in text.stdout
    assert "archived copy (local, captured 2019-11-02: " in text.stdout

    # the report reads the same verdicts back from the database
    assert report.exit_code == 0, report.output
    rows = json.loads((tmp_path / "reports" / "report.json").read_text(encoding="utf-8"))["rows"]
    museum_row = next(r for r in rows if r["claim_id"] == "museum")
    assert museum_row["verdict"] == "not_supported"
    assert museum_row["drift_archived_verdict"] == "supported"
    assert "12 May 2015" in museum_row["drift_archived_evidence"]
    assert museum_row["read_from"] == "live"
    ferry_row = next(r for r in rows if r["claim_id"] == "ferry")
    assert (ferry_row["verdict"], ferry_row["read_from"]) == ("supported", "archive")
    assert ferry_row["drift_archived_verdict"] is None

    timeline = json.loads(history.stdout)
    museum = next(a for a in timeline["assessments"] if a["claim"] == "museum")
    assert museum["drift"]["archived_verdict"] == "supported"
    assert museum["drift"]["live_verdict"] == "not_supported"
    assert museum["snapshot"]["captured_at"].startswith("2019-11-02")
