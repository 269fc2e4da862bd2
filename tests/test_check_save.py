"""`verifier check --save-live`: Save Page Now for live sources no archive holds, against a
local server written from the Internet Archive's documented API shapes (tests/ia_server.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from ia_server import KEYS, ia_server
from servers import Reply, serve
from verifier.cli import cli


def claims_citing(folder: Path, url: str) -> Path:
    path = folder / "claims.yaml"
    path.write_text(f'version: 1\nreferences:\n  "1": {{url: "{url}", access_date: 2024-01-01}}\n'
                    'claims:\n  - {text: "A claim.", sources: ["1"]}\n', encoding="utf-8")
    return path


def archive_env(base: str) -> dict[str, str]:
    return {
        "VERIFIER_ARCHIVES": json.dumps([{
            "name": "wayback", "kind": "wayback", "cdx_url": f"{base}/cdx/search/cdx",
            "timemap_url": f"{base}/web/timemap/link/{{url}}",
            "replay_url": f"{base}/web/{{timestamp}}/{{url}}",
            "raw_url": f"{base}/web/{{timestamp}}id_/{{url}}", "cdx_dialect": "ia"}]),
        "VERIFIER_SPN_URL": f"{base}/save", "VERIFIER_TIMEOUT": "3s", "VERIFIER_RETRIES": "0",
        "VERIFIER_HOST_INTERVAL": "0",
    }


@contextmanager
def save_live_run(tmp_path: Path, **ia_options: object) -> Iterator[tuple[str, Any, Any]]:
    """`check --save-live` over one live page no archive holds; yields (page, result, archive)."""
    with serve({"/page": Reply(200, b"<html><title>Synthetic page</title>A page.</html>",
                               {"Content-Type": "text/html"})}, host="127.0.0.8") as site, \
            ia_server([], **ia_options) as archive:
        page = f"{site.base}/page"
        claims = claims_citing(tmp_path, page)
        env = {**archive_env(archive.base), "VERIFIER_IA_ACCESS_KEY": KEYS[0],
               "VERIFIER_IA_SECRET_KEY": KEYS[1], "VERIFIER_SPN_POLL_INTERVAL": "50ms"}
        result = CliRunner().invoke(cli, ["check", str(claims), "--json", "--quiet",
                                          "--save-live"], env=env)
        assert result.exit_code == 0, result.stderr
        yield page, result, archive


def test_save_live_captures_a_live_source_no_archive_holds(tmp_path: Path) -> None:
    with save_live_run(tmp_path, spn_pending=1) as (page, _, archive):
        history = CliRunner().invoke(cli, ["history", page, "--claims",
                                           str(tmp_path / "claims.yaml"), "--json"])
    assert archive.forms == [{"url": [page]}]
    lookups = json.loads(history.stdout)["archive_lookups"]
    assert [lk["outcome"] for lk in lookups] == ["no_snapshot", "found"]
    assert lookups[1]["snapshot"]["archive"] == "Save Page Now"
    assert lookups[1]["snapshot"]["url"].startswith(f"{archive.base}/web/")


def test_save_live_without_keys_is_a_usage_error(tmp_path: Path) -> None:
    claims = claims_citing(tmp_path, "http://127.0.0.1:9/page")
    result = CliRunner().invoke(cli, ["check", str(claims), "--save-live"],
                                env={"VERIFIER_IA_ACCESS_KEY": "", "VERIFIER_IA_SECRET_KEY": ""})
    assert result.exit_code == 2
    assert "VERIFIER_IA_ACCESS_KEY" in result.stderr
    assert not (tmp_path / "verifier.db").exists()


def test_a_failed_save_marks_nothing_dead(tmp_path: Path) -> None:
    with save_live_run(tmp_path, spn_pending=0, spn_outcome="error") as (page, result, _):
        summary = json.loads(result.stdout)
    assert summary["by_state"] == {"alive": 1}
    assert summary["archive_now"] == [page]  # still unarchived, still listed
