"""Run a benchmark suite: `python -m bench [SUITE] [--smoke | --full] [options]`.

    python -m bench                    # the comparison with lychee and LinkChecker (compare)
    python -m bench compare --smoke    # a tiny comparison, no thresholds (CI)
    python -m bench compare --help     # its options

Each suite is a module of this package with `main(argv, command) -> int` (its exit status);
every suite takes --smoke (tiny, no thresholds) and --full (the whole suite), through
`bench/suite.py`, which also gives it its working folder, its results file and how to run a
measured process. A new suite is one more entry in SUITES.
"""

from __future__ import annotations

import importlib
import sys

SUITES = {
    "compare": "bench.compare",  # verifier, lychee and LinkChecker on one simulated web
    "scale": "bench.scale",
}
DEFAULT = "compare"


def main(argv: list[str]) -> int:
    command = " ".join(["python -m bench", *argv])
    if argv and argv[0] in ("-h", "--help") and len(argv) == 1:
        print(__doc__)
        print("suites: " + ", ".join(SUITES) + f" (default: {DEFAULT})")
        return 0
    name = DEFAULT
    if argv and not argv[0].startswith("-"):
        name, argv = argv[0], argv[1:]
        if name not in SUITES:
            print(f"unknown suite {name!r}; suites: {', '.join(SUITES)}", file=sys.stderr)
            return 2
    module = importlib.import_module(SUITES[name])
    status: int = module.main(argv, command=command)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
