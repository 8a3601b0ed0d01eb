"""How well the empathy rubric agrees with trained annotators: Spearman's rho against EPITOME's ratings.

EPITOME (Sharma et al., 2020) rates Reddit mental-health replies 0-2 on three dimensions: emotional
reactions, interpretations and explorations. The rubric is a customer-service rubric, so emotional
reactions is the dimension it should track (target rho >= 0.5); the other two are reported for
honesty. The rubric's weights were read off the first half of the rows; the second half is held out,
and both are reported. The data is read at run time from ``../shared/data`` and never copied
(its licence allows evaluation only).

    python -m evals.validate_empathy [DATA_DIR]
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from evals.adapters import DEFAULT_DATA_DIR
from evals.scorers.empathy import EmpathyScorer

DIMENSIONS = ("emotional-reactions", "interpretations", "explorations")
TARGET = 0.5


def average_ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks; tied values share the average of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rho: Pearson's correlation of the average ranks. NaN when either side is constant."""
    if len(x) != len(y):
        raise ValueError(f"spearman needs two sequences of one length, got {len(x)} and {len(y)}")
    rx, ry = average_ranks(x), average_ranks(y)
    n = len(rx)
    if n < 2:
        return math.nan
    mx, my = sum(rx) / n, sum(ry) / n
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    return cov / math.sqrt(vx * vy) if vx and vy else math.nan


@dataclass(frozen=True)
class Agreement:
    """Spearman's rho of the rubric against one EPITOME file: all rows, and each half."""

    dimension: str
    rows: int
    rho: float
    rho_first_half: float
    rho_second_half: float

    def to_dict(self) -> dict:
        return {"dimension": self.dimension, "rows": self.rows, "rho": round(self.rho, 4),
                "rho_first_half": round(self.rho_first_half, 4), "rho_second_half": round(self.rho_second_half, 4)}


def read_rows(path: Path) -> list[dict]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if line.strip():
            row = json.loads(line)
            if not {"seeker", "response", "level"} <= row.keys():
                raise ValueError(f"{path}:{number}: expected seeker, response and level, got {sorted(row)}")
            rows.append(row)
    return rows


def agreement(path: Path, scorer: EmpathyScorer | None = None) -> Agreement:
    """The rubric's agreement with one EPITOME file."""
    scorer = scorer or EmpathyScorer()
    rows = read_rows(path)
    ours = [scorer.score(r["seeker"], r["response"]).value for r in rows]
    levels = [float(r["level"]) for r in rows]
    half = len(rows) // 2
    dimension = path.stem.removeprefix("empathy_epitome_")
    return Agreement(dimension, len(rows), spearman(ours, levels), spearman(ours[:half], levels[:half]),
                     spearman(ours[half:], levels[half:]))


def validate(data_dir: Path | str = DEFAULT_DATA_DIR) -> dict[str, Agreement]:
    """Spearman's rho per EPITOME file (by dimension). Raises FileNotFoundError naming a missing file."""
    data_dir = Path(data_dir)
    scorer = EmpathyScorer()
    results = {}
    for dimension in DIMENSIONS:
        path = data_dir / f"empathy_epitome_{dimension}.jsonl"
        if not path.exists():
            raise FileNotFoundError(f"{path} not found: the EPITOME ratings live in ../shared/data beside the project")
        results[dimension] = agreement(path, scorer)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    data_dir = Path(args[0]) if args else DEFAULT_DATA_DIR
    try:
        results = validate(data_dir)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("Empathy rubric vs EPITOME annotators (Spearman's rho; weights read on the first half)")
    print(f"{'dimension':<22}{'rows':>6}{'all':>9}{'1st half':>10}{'2nd half':>10}")
    for a in results.values():
        print(f"{a.dimension:<22}{a.rows:>6}{a.rho:>9.3f}{a.rho_first_half:>10.3f}{a.rho_second_half:>10.3f}")
    er = results["emotional-reactions"]
    verdict = "meets" if er.rho >= TARGET else "misses"
    print(f"emotional reactions {verdict} the target rho >= {TARGET}")
    return 0 if er.rho >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
