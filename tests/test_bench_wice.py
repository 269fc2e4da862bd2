"""The WiCE benchmark runs (a 20-row smoke test, as CI runs it); its figures live in the README."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import require_extra

REPO = Path(__file__).parent.parent
DATA = REPO.parent / "shared" / "datasets" / "wice" / "test.jsonl.gz"


def test_wice_smoke_run_on_20_rows() -> None:
    require_extra(DATA.is_file(), f"needs the WiCE data at {DATA}")
    result = subprocess.run([sys.executable, str(REPO / "bench" / "wice.py"), "--rows", "20",
                             "--json"], capture_output=True, text=True, timeout=300, cwd=REPO)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert isinstance(figures, dict) and figures  # figures exist; none is asserted
