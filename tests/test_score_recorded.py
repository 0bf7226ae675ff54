"""kg.score prints exactly what the team's reference scorer printed for fixed inputs.

The reference (../shared/eval/score.py) is not part of the repository; its outputs for the dev
gold and a frozen prediction file were recorded by scripts/record_reference_scores.py into
tests/data/reference/scores.json, so this check runs in every clone. Beside ../shared,
tests/test_score_reference_shared.py also compares with the live reference.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg import score as kg_score

REPO = Path(__file__).resolve().parents[1]
RECORDED = json.loads((REPO / "tests" / "data" / "reference" / "scores.json").read_text(encoding="utf-8"))
CASES = RECORDED["cases"]


def test_the_recording_holds_real_comparisons():
    assert len(CASES) == 6
    first = CASES[0]["json"]
    assert first["papers_predicted"] == 60 and 0 < first["entities"]["tp"] < first["entities"]["gold"]


@pytest.mark.parametrize("case", CASES, ids=[" ".join(c["args"][2:]) or f"case{i}" for i, c in enumerate(CASES)])
def test_kg_score_prints_what_the_reference_printed(case, capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    assert kg_score.main([*case["args"], "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == case["json"]
    assert kg_score.main(case["args"]) == 0
    assert capsys.readouterr().out == case["text"]
