"""Record what the team's reference scorer (../shared/eval/score.py) prints for fixed inputs.

The reference is not part of the repository, so a lone clone cannot run it; these recordings let
every clone check that ``kg.score`` prints exactly what the reference printed
(tests/test_score_recorded.py). Beside ../shared, tests/test_score_reference_shared.py also checks
that the recordings still equal the live reference.

Example:
    python scripts/record_reference_scores.py          # rewrites tests/data/reference/scores.json
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REFERENCE = (REPO / ".." / "shared" / "eval" / "score.py").resolve()
GOLD = "tests/data/seed/dev.jsonl"
PRED = "tests/data/reference/dev.pred.jsonl"  # kg's dev predictions at the time of recording, frozen
OUT = REPO / "tests" / "data" / "reference" / "scores.json"

OPTIONS = [[], ["--types", "Dataset,Metric,Task"], ["--map", "Model=Method"], ["--map", "Model=Method", "--types", "Method"]]
CASES = [[GOLD, PRED, *o] for o in OPTIONS] + [[GOLD, GOLD], [PRED, GOLD]]


def run_reference(args: list[str]) -> str:
    return subprocess.run([sys.executable, str(REFERENCE), *args], cwd=REPO, capture_output=True, text=True,
                          check=True).stdout


def record() -> list[dict]:
    return [{"args": args, "text": run_reference(args), "json": json.loads(run_reference([*args, "--json"]))}
            for args in CASES]


def main() -> int:
    if not REFERENCE.is_file():
        print(f"error: the reference scorer {REFERENCE} is not beside the repository", file=sys.stderr)
        return 1
    OUT.write_text(json.dumps({"reference": "../shared/eval/score.py", "cases": record()}, indent=1) + "\n",
                   encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO)} ({len(CASES)} cases)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
