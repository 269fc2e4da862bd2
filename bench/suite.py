"""What every suite shares: its command line, its working folder and results file, and how it
runs a tool (in its own session, reaped with wait4, killed with its group past a timeout).

Every suite takes --smoke (tiny, no thresholds), --full (the whole suite), --out and --keep, and
writes its results, headed by the date, the command and the machine, to
`bench/results/SUITE-DATE.json` (with --smoke, nowhere unless --out is given).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import machine

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results"


def parser(name: str, description: str, smoke: str, full: str) -> argparse.ArgumentParser:
    """The suite's command line: --smoke and --full (`smoke`, `full`: what each runs), --out,
    --keep; the suite adds its own options."""
    parser = argparse.ArgumentParser(prog=f"python -m bench {name}", description=description)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--smoke", action="store_true", help=f"{smoke}, no thresholds")
    size.add_argument("--full", action="store_true", help=f"{full} (the default)")
    parser.add_argument("--out", type=Path,
                        help=f"where to write the JSON (default: bench/results/{name}-DATE.json; "
                             "with --smoke, nowhere unless given)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the working folder (inputs, outputs, logs)")
    return parser


def run(name: str, args: argparse.Namespace, argv: Sequence[str], command: str | None,
        work: Callable[[Path], dict[str, Any]]) -> tuple[dict[str, Any], Path | None]:
    """Run `work` in a fresh working folder (removed unless --keep); its results headed by the
    date, the command, the machine and the time taken, and where they are to be written."""
    folder = Path(tempfile.mkdtemp(prefix=f"verifier-{name}-"))
    folder.chmod(0o755)  # a peer may work as another user (LinkChecker, run as root: nobody)
    started = time.monotonic()
    try:
        results = work(folder)
    finally:
        if args.keep:
            print(f"working folder kept: {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    now = dt.datetime.now(dt.timezone.utc)
    results = {"date": now.isoformat(timespec="seconds"),
               "command": command or f"python -m bench {name} " + " ".join(argv),
               "machine": machine.describe(), "bench_seconds": round(time.monotonic() - started),
               **results}
    out = args.out or (None if args.smoke else RESULTS / f"{name}-{now:%Y-%m-%d}.json")
    return results, out


def write(results: dict[str, Any], out: Path | None) -> None:
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Reaped:
    exit_code: int | None  # None: killed at the timeout
    wall_s: float
    usage: Any  # wait4's resource usage: the process and the descendants it reaped


def spawn_and_reap(argv: Sequence[str], env: dict[str, str], cwd: Path, out: Path, err: Path,
                   timeout: float, tick: Callable[[int], None] | None = None,
                   every: float = 0.1) -> Reaped:
    """Run argv in its own session and wait4 for it, calling tick(pid) every `every` seconds
    while it runs; past the timeout, kill its whole process group."""
    with open(out, "wb") as stdout, open(err, "wb") as stderr:
        started = time.monotonic()
        process = subprocess.Popen(list(argv), env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                   stdout=stdout, stderr=stderr, start_new_session=True)
        box: list[tuple[float, int, Any]] = []

        def reap() -> None:
            _, status, usage = os.wait4(process.pid, 0)
            box.append((time.monotonic(), status, usage))

        reaper = threading.Thread(target=reap, daemon=True)
        reaper.start()
        deadline = started + timeout
        while reaper.is_alive() and time.monotonic() < deadline:
            if tick is not None:
                tick(process.pid)
            reaper.join(min(every if tick else timeout, max(0.0, deadline - time.monotonic())))
        timed_out = reaper.is_alive()
        if timed_out:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            reaper.join(30)
    if not box:
        raise RuntimeError(f"{argv[0]} could not be reaped")
    ended, status, usage = box[0]
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    return Reaped(None if timed_out else process.returncode, ended - started, usage)


def clean_env(extra: dict[str, str]) -> dict[str, str]:
    """The environment without proxies (they would sit between the tools and loopback)."""
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
           and not k.startswith("VERIFIER_")}
    env.setdefault("LANG", "C.UTF-8")
    return {**env, **extra}


def verifier_version() -> str:
    """What `verifier --version` says, as the results record it."""
    try:
        done = subprocess.run([sys.executable, "-m", "verifier", "--version"], cwd=REPO,
                              capture_output=True, text=True, timeout=60,
                              env=clean_env({"PYTHONPATH": str(REPO)}))
        return done.stdout.strip() or done.stderr.strip()[-200:]
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unknown ({error})"
