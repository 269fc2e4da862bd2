"""The scale suite runs end to end (`python -m bench scale --smoke`, as CI runs it: 300 URLs,
600 claims); its figures live in bench/results/, and no threshold is asserted here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parent.parent
STEPS = ["validate-1", "validate-2", "check-1", "check-2", "report", "report-in-process",
         "extract"]


def test_bench_scale_smoke_run(tmp_path: Path) -> None:
    out = tmp_path / "scale.json"
    result = subprocess.run([sys.executable, "-m", "bench", "scale", "--smoke", "--out", str(out)],
                            capture_output=True, text=True, timeout=300, cwd=REPO)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    figures = json.loads(out.read_text())
    for key in ("date", "command", "machine", "versions", "settings", "generated", "steps",
                "targets", "table"):
        assert key in figures, key
    assert figures["smoke"] is True
    assert figures["generated"]["claims"] == 2 * figures["generated"]["urls"]
    steps = {step["step"]: step for step in figures["steps"]}
    assert list(steps) == STEPS
    for step in steps.values():
        assert step["ok"], step
        assert {"wall_s", "peak_mb", "own_peak_mb", "tree_peak_mb", "cpu_s",
                "others_cpu_s", "irq_s"} <= set(step)
    assert steps["validate-1"]["claims"] == figures["generated"]["claims"]
    assert set(steps["check-1"]["seconds"]) >= {"check", "assess"}
    assert steps["check-1"]["checked"] == figures["generated"]["urls"]
    assert sum(steps["check-1"]["by_verdict"].values()) == figures["generated"]["claims"]
    assert steps["check-2"]["fresh"] == figures["generated"]["urls"]  # nothing was due
    assert len(steps["report"]["files"]) == 6
    assert set(steps["report-in-process"]["render_s"]) == {
        "markdown", "html", "json", "csv", "junit", "wikitext"}
    assert steps["extract"]["claims"] > 0
    assert len(figures["targets"]) == 3
    for step_name in STEPS:
        assert f"| {step_name} |" in result.stdout
