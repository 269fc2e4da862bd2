"""How fast `verifier check` gets through a simulated web, end to end (fetch, classify, store).

The assessment stage (reading each page's text and judging its claim) is timed apart: `seconds`
is the run's wall time without it, what a link checker does; `assess_seconds` is that stage.

    python bench/throughput.py --urls 3000 --hosts 200 --concurrency 128

Starts bench/simweb.py in its own process, writes a claims file citing --urls URLs spread
over --hosts loopback hosts (90% 200, 5% 404, 5% redirects), runs `verifier check` with no
politeness interval, and prints URLs/s next to the limit the latency allows. verifier next to
lychee and LinkChecker on the same simulated web: `python -m bench compare` (bench/compare.py).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from bench.simweb import SimWeb  # noqa: E402


def claims_file(folder: Path, urls: int, hosts: int, port: int) -> Path:
    lines = ["version: 1", "references:"]
    for i in range(urls):
        kind = "404" if i % 20 == 0 else "redirect" if i % 20 == 1 else "ok"
        lines.append(f'  "{i}": {{url: "http://127.0.0.{2 + i % hosts}:{port}/{kind}/page-{i}"}}')
    lines.append("claims:")
    lines.extend(f'  - {{id: c{i}, text: "Claim {i}.", sources: ["{i}"]}}' for i in range(urls))
    path = folder / "claims.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--urls", type=int, default=3000)
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=128)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    args = parser.parse_args()
    with SimWeb(args.hosts, args.latency, port=args.port) as server:
        with tempfile.TemporaryDirectory() as folder:
            claims = claims_file(Path(folder), args.urls, args.hosts, server.port)
            env = {**os.environ, "VERIFIER_HOST_INTERVAL": "0",
                   "VERIFIER_CONCURRENCY": str(args.concurrency),
                   "VERIFIER_PER_HOST": str(args.concurrency),
                   "VERIFIER_ALLOW_PRIVATE": "1"}  # the simulated web is on loopback
            started = time.monotonic()
            result = subprocess.run(
                [sys.executable, "-m", "verifier", "check", str(claims), "--json", "--quiet",
                 "--no-archive"],  # link checking alone; archives are another stage
                env=env, capture_output=True, text=True)
            took = time.monotonic() - started
        if result.returncode != 0:
            sys.exit(result.stderr)
        summary = json.loads(result.stdout)
        assess = summary.get("seconds", {}).get("assess", 0.0)
        took -= assess
        limit = min(args.concurrency / args.latency, args.hosts * args.concurrency / args.latency)
        print(json.dumps({
            "urls": args.urls, "hosts": args.hosts, "concurrency": args.concurrency,
            "latency_s": args.latency, "seconds": round(took, 2),
            "urls_per_s": round(args.urls / took, 1), "limit_per_s": limit,
            "fraction_of_limit": round(args.urls / took / limit, 3),
            "statuses": summary["by_status"],
            "assess_seconds": assess,
            "assessed_per_s": round(sum(summary["by_verdict"].values()) / assess, 1)
            if assess else None,
        }, indent=2))


if __name__ == "__main__":
    main()
