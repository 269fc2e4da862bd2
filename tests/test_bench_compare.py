"""The comparison with lychee and LinkChecker runs end to end (`python -m bench compare --smoke`,
as CI runs it); its figures live in bench/results/, and no threshold is asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import require_extra

REPO = Path(__file__).parent.parent


def test_bench_compare_smoke_run(tmp_path: Path) -> None:
    out = tmp_path / "compare.json"
    result = subprocess.run([sys.executable, "-m", "bench", "compare", "--smoke", "--out", str(out)],
                            capture_output=True, text=True, timeout=600, cwd=REPO)
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(out.read_text())
    # The peers install themselves from PyPI into bench/.peers/; without PyPI they cannot.
    require_extra(not figures["peers_missing"],
                  f"needs lychee and LinkChecker from PyPI: {figures['peers_missing']}")
    for key in ("command", "machine", "versions", "settings", "truth", "ceiling", "results",
                "targets", "table", "runs"):
        assert key in figures, key
    assert {row["tool"] for row in figures["results"]} == {"verifier", "lychee", "linkchecker"}
    for row in figures["results"]:
        assert {"tool", "concurrency", "runs", "completed", "limit_per_s", "counts"} <= set(row)
        if row["completed"]:
            assert {"median_s", "urls_per_s", "fraction_of_limit", "peak_rss_mib",
                    "max_host_in_flight", "max_host_per_second", "agreement",
                    "coverage"} <= set(row)
    verifier = next(row for row in figures["results"] if row["tool"] == "verifier")
    assert verifier["completed"] == verifier["runs"], figures["runs"]
    assert "| verifier |" in result.stdout
