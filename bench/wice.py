"""How well `verifier.assess` judges support, on the WiCE test split, next to two baselines.

    python bench/wice.py              # the table, on the held-out half
    python bench/wice.py --rows 20    # smoke test on the first 20 rows (CI)
    python bench/wice.py --json       # the same figures as JSON
    python bench/wice.py --tune       # grid-search assess's thresholds on the tuning half

The rows are split once, by `random.Random(SEED).sample`, into a tuning half (the indices in
bench/wice_tune_rows.json, committed) and a held-out half. Thresholds, assess's and the word
overlap baseline's, are chosen on the tuning half only; every figure is on the held-out half.
`--tune` maximises macro F1 subject to not_supported precision of at least 0.8 on the tuning
half, both as predicted and as if every claim had a name or fact missing (`objective`): editors
act on that flag, so its precision comes before recall.
The source text of a row is its evidence sentences, one a line (no fetching).
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import math
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent.parent))

from verifier.assess import Signals, Thresholds, decide, measure  # noqa: E402
from verifier.assess_facts import stopwords  # noqa: E402
from verifier.models import Verdict  # noqa: E402

HERE = Path(__file__).parent
DATA = HERE.parent.parent / "shared" / "datasets" / "wice" / "test.jsonl.gz"
TUNE_ROWS = HERE / "wice_tune_rows.json"
SEED = 20240917  # the split's seed; changing it means a new split and new tuning
# The one place WiCE labels meet verdicts. WiCE has no "inconclusive": predicting it is a miss.
LABELS: dict[str, Verdict] = {
    "supported": Verdict.SUPPORTED,
    "partially_supported": Verdict.PARTIALLY_SUPPORTED,
    "not_supported": Verdict.NOT_SUPPORTED,
}
CLASSES = list(LABELS.values())
COLUMNS = [*CLASSES, Verdict.INCONCLUSIVE]
Row = dict[str, Any]


def load(path: Path = DATA) -> list[Row]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def split(n: int) -> list[int]:
    """The tuning half's row indices: written once, then read, so the split never moves."""
    if TUNE_ROWS.exists():
        return list(json.loads(TUNE_ROWS.read_text()))
    rows = sorted(random.Random(SEED).sample(range(n), n // 2))
    TUNE_ROWS.write_text(json.dumps(rows) + "\n")
    return rows


def source_of(row: Row) -> str:
    return "\n".join(row["evidence"])


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The Wilson score interval of a proportion k/n (95% by default)."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def macro_f1(gold: Sequence[Verdict], pred: Sequence[Verdict]) -> float:
    """The tuning objective: mean F1 over WiCE's three classes."""
    scores = []
    for c in CLASSES:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == p == c)
        npred = sum(1 for p in pred if p == c)
        ngold = sum(1 for g in gold if g == c)
        scores.append(2 * tp / (npred + ngold) if npred + ngold else 0.0)
    return sum(scores) / len(scores)


NS_PRECISION_FLOOR = 0.8


def ns_precision(gold: Sequence[Verdict], pred: Sequence[Verdict]) -> float | None:
    """The share of not_supported flags that are right (None: no flags)."""
    flagged = [g for g, p in zip(gold, pred, strict=True) if p is Verdict.NOT_SUPPORTED]
    hits = sum(1 for g in flagged if g is Verdict.NOT_SUPPORTED)
    return hits / len(flagged) if flagged else None


def objective(gold: Sequence[Verdict], pred: Sequence[Verdict],
              stressed: Sequence[Verdict] | None = None) -> float:
    """Macro F1, subject to not_supported precision >= `NS_PRECISION_FLOOR` on these rows.

    An editor must be able to trust a not_supported flag, so a grid point whose flags are wrong
    more than one time in five is disqualified, whatever its F1. So is one whose flags would be,
    were every claim missing a name or fact (`stressed`): that one condition is met by one stray
    name, and precision resting on it alone did not carry over to the held-out half.
    """
    for verdicts in (pred, stressed or pred):
        precision = ns_precision(gold, verdicts)
        if precision is not None and precision < NS_PRECISION_FLOOR:
            return -1.0
    return macro_f1(gold, pred)


# --- the baseline of word overlap ----------------------------------------------------------------

_WORD = re.compile(r"\w+")


def overlap(claim: str, source: str) -> float:
    """The share of the claim's content words (lowercased, no stemming) found in the source."""
    stop = stopwords("en")
    words = {w for w in _WORD.findall(claim.lower()) if w not in stop}
    present = set(_WORD.findall(source.lower()))
    return len(words & present) / len(words) if words else 0.0


def overlap_verdict(value: float, low: float, high: float) -> Verdict:
    if value >= high:
        return Verdict.SUPPORTED
    return Verdict.NOT_SUPPORTED if value < low else Verdict.PARTIALLY_SUPPORTED


Predict = Callable[[tuple[float, ...]], list[Verdict]]


def tune(gold: Sequence[Verdict], predict: Predict, grid: Sequence[tuple[float, ...]],
         stressed: Predict | None = None) -> tuple[float, ...]:
    """The grid point the objective likes best on the tuning rows (the first, on a tie)."""
    return max(grid, key=lambda point: objective(gold, predict(point),
                                                 stressed(point) if stressed else None))


_STEPS = [i / 20 for i in range(21)]


# --- the report ----------------------------------------------------------------------------------

def figures(gold: Sequence[Verdict], pred: Sequence[Verdict]) -> dict[str, Any]:
    """Confusion matrix, and precision and recall (Wilson 95%) of supported and not_supported."""
    matrix = {g.value: {p.value: sum(1 for a, b in zip(gold, pred, strict=True) if a == g
                                     and b == p) for p in COLUMNS} for g in CLASSES}
    out: dict[str, Any] = {"confusion": matrix, "rows": len(gold)}
    for c in (Verdict.NOT_SUPPORTED, Verdict.SUPPORTED):
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == p == c)
        npred = sum(1 for p in pred if p == c)
        ngold = sum(1 for g in gold if g == c)
        out[c.value] = {
            "precision": tp / npred if npred else None, "precision_ci": wilson(tp, npred),
            "recall": tp / ngold if ngold else None, "recall_ci": wilson(tp, ngold),
            "predicted": npred, "gold": ngold,
        }
    out["macro_f1"] = macro_f1(gold, pred)
    return out


def _pct(value: float | None, ci: tuple[float, float]) -> str:
    return "   n/a          " if value is None else f"{value:4.0%} [{ci[0]:3.0%}-{ci[1]:4.0%}]"


def render(results: dict[str, Any]) -> str:
    lines = [f"WiCE test, held-out half: {results['rows']} rows; tuning half: "
             f"{results['tune_rows']} rows; {results['ms_per_row']:.1f} ms per assessment", ""]
    lines.append(f"{'method':<14}{'not_supported P':>22}{'R':>20}{'supported P':>22}"
                 f"{'R':>20}{'macro F1':>10}")
    for name, fig in results["methods"].items():
        ns, sp = fig["not_supported"], fig["supported"]
        lines.append(f"{name:<14}{_pct(ns['precision'], ns['precision_ci']):>22}"
                     f"{_pct(ns['recall'], ns['recall_ci']):>20}"
                     f"{_pct(sp['precision'], sp['precision_ci']):>22}"
                     f"{_pct(sp['recall'], sp['recall_ci']):>20}{fig['macro_f1']:>10.2f}")
    for name, fig in results["methods"].items():
        lines += ["", f"{name}: confusion (rows gold, columns predicted)",
                  f"{'':<22}" + "".join(f"{c.value[:13]:>15}" for c in COLUMNS)]
        for g, counts in fig["confusion"].items():
            lines.append(f"{g:<22}" + "".join(f"{counts[c.value]:>15}" for c in COLUMNS))
    lines += ["", f"tuned: assess {results['tuned']['assess']}, "
              f"overlap (low, high) {results['tuned']['overlap']}"]
    return "\n".join(lines)


def _assess_predict(signals: Sequence[Signals], stressed: bool = False) -> Predict:
    if stressed:  # as if every claim had a name or fact found nowhere in its source
        signals = [replace(s, missing=s.missing or ("?",)) for s in signals]

    def predict(point: tuple[float, ...]) -> list[Verdict]:
        thresholds = Thresholds(supported=point[0], partial=point[1], absent=point[2])
        return [decide(s, thresholds).verdict for s in signals]
    return predict


def run(rows: list[Row], tune_rows: set[int], retune: bool) -> dict[str, Any]:
    started = time.perf_counter()
    signals = [measure(r["claim"], source_of(r)) for r in rows]
    ms = (time.perf_counter() - started) * 1000 / max(len(rows), 1)
    gold = [LABELS[r["label"]] for r in rows]
    tuning = [i for i in range(len(rows)) if i in tune_rows]
    held = [i for i in range(len(rows)) if i not in tune_rows]
    tune_gold = [gold[i] for i in tuning]

    default = Thresholds()
    assess_point: tuple[float, ...] = (default.supported, default.partial, default.absent)
    if retune:
        # Floors: under half the claim in one passage is not "supported", under a fifth not
        # "partially", whatever the tuning half would prefer.
        grid = [p for p in itertools.product(_STEPS, _STEPS, [s / 2 for s in _STEPS])
                if 0.2 <= p[1] <= p[0] and p[0] >= 0.5]
        tune_signals = [signals[i] for i in tuning]
        assess_point = tune(tune_gold, _assess_predict(tune_signals), grid,
                            _assess_predict(tune_signals, stressed=True))
    values = [overlap(r["claim"], source_of(r)) for r in rows]
    tune_values = [values[i] for i in tuning]
    low, high = tune(tune_gold, lambda p: [overlap_verdict(v, p[0], p[1]) for v in tune_values],
                     [p for p in itertools.product(_STEPS, _STEPS) if p[0] <= p[1]])
    majority = max(CLASSES, key=tune_gold.count) if tune_gold else Verdict.PARTIALLY_SUPPORTED

    held_gold = [gold[i] for i in held]
    assess_pred = _assess_predict([signals[i] for i in held])(assess_point)
    methods = {
        "assess": figures(held_gold, assess_pred),
        "majority": figures(held_gold, [majority] * len(held)),
        "word overlap": figures(held_gold, [overlap_verdict(values[i], low, high) for i in held]),
    }
    return {"rows": len(held), "tune_rows": len(tuning), "ms_per_row": ms, "methods": methods,
            "tuned": {"assess": assess_point, "overlap": (low, high), "majority": majority.value}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, help="only the first ROWS rows (a smoke test)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--tune", action="store_true",
                        help="grid-search assess's thresholds on the tuning half, not the defaults")
    args = parser.parse_args()
    rows = load()
    tune_rows = set(split(len(rows)))
    if args.rows is not None:
        rows = rows[:args.rows]
    results = run(rows, tune_rows, args.tune)
    print(json.dumps(results, indent=2) if args.json else render(results))


if __name__ == "__main__":
    main()
