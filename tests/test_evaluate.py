"""kg.evaluate: extract a gold file, score it with kg.score in process, or with an external
script when --scorer / $KG_SCORER names one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import kg.evaluate as evaluate_mod
from kg.errors import InputError, KGError
from kg.evaluate import SCORER_ENV, evaluate, find_scorer
from kg.score import score_files

GOLD = [
    {"id": "g1", "title": "StepCheck: Verifying Reasoning Steps",
     "abstract": "We evaluate StepCheck on GSM8K and report accuracy.",
     "entities": [{"text": "StepCheck", "type": "Method", "group": 0}, {"text": "GSM8K", "type": "Dataset", "group": 1},
                  {"text": "accuracy", "type": "Metric", "group": 2}],
     "roles": [{"role": "proposes", "group": 0}, {"role": "evaluates_on", "group": 1}, {"role": "measures", "group": 2}],
     "claims": []},
    {"id": "g2", "title": "", "abstract": "Fine-tuning BERT on SQuAD improves exact match.",
     "entities": [{"text": "BERT", "type": "Model", "group": 0}, {"text": "SQuAD", "type": "Dataset", "group": 1},
                  {"text": "exact match", "type": "Metric", "group": 2}],
     "roles": [{"role": "uses_model", "group": 0}, {"role": "evaluates_on", "group": 1}, {"role": "measures", "group": 2}],
     "claims": []},
]


@pytest.fixture
def gold(tmp_path) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in GOLD), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def no_scorer_env(monkeypatch):
    monkeypatch.delenv(SCORER_ENV, raising=False)


@pytest.fixture
def no_subprocess(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"a subprocess was started: {args}")
    monkeypatch.setattr(subprocess, "run", refuse)


def test_evaluate_scores_in_process_by_default(gold, tmp_path, no_subprocess):
    keep = tmp_path / "pred.jsonl"
    result = json.loads(evaluate(gold, as_json=True, keep=keep))
    assert (result["papers"], result["papers_predicted"], result["unknown_ids"]) == (2, 2, 0)
    assert result == score_files(gold, keep)                 # the figures of kg.score on the kept predictions
    assert [json.loads(line)["id"] for line in keep.open(encoding="utf-8")] == ["g1", "g2"]
    assert result["entities_by_type"]["Dataset"]["tp"] >= 1  # GSM8K or SQuAD is found: a real extraction ran


def test_evaluate_table_is_the_scorer_table(gold, no_subprocess):
    table = evaluate(gold)
    lines = table.splitlines()
    assert lines[0] == "papers: 2 gold, 2 predicted, 0 unknown ids"
    assert lines[1].split() == ["P", "R", "F1", "tp", "pred", "gold"]
    assert [line.split()[0] for line in lines[2:8]] == ["entities", "Dataset", "Model", "Method", "Metric", "Task"]
    assert lines[-1].startswith("claim subject agreement: ")


def test_evaluate_applies_types_from_the_extra_arguments(gold, tmp_path, no_subprocess):
    keep = tmp_path / "pred.jsonl"
    result = json.loads(evaluate(gold, as_json=True, keep=keep, extra=["--types", "Dataset"]))
    assert result["entities"]["gold"] == 2  # GSM8K and SQuAD only; the 4 other gold entities are dropped
    assert result == score_files(gold, keep, types={"Dataset"})


def test_evaluate_rejects_bad_scorer_options_before_extracting(gold, monkeypatch):
    monkeypatch.setattr(evaluate_mod, "write_predictions", lambda *a, **k: pytest.fail("extraction ran"))
    with pytest.raises(InputError, match="Datset"):
        evaluate(gold, extra=["--types", "Datset"])


def test_evaluate_missing_gold_file(tmp_path):
    with pytest.raises(InputError, match="no such gold file"):
        evaluate(tmp_path / "nope.jsonl")


# ---------------------------------------------------------------- an external scorer


ECHO_SCORER = "import json, sys\nprint(json.dumps({'argv': sys.argv[1:]}))\n"


@pytest.fixture
def echo_scorer(tmp_path) -> Path:
    script = tmp_path / "echo_score.py"
    script.write_text(ECHO_SCORER, encoding="utf-8")
    return script


def test_evaluate_runs_an_explicit_scorer_script(gold, echo_scorer, tmp_path):
    keep = tmp_path / "pred.jsonl"
    out = json.loads(evaluate(gold, scorer=echo_scorer, as_json=True, keep=keep, extra=["--custom", "x"]))
    assert out["argv"] == [str(gold), str(keep), "--custom", "x", "--json"]  # options passed as given


def test_evaluate_runs_the_scorer_named_by_the_environment(gold, echo_scorer, monkeypatch):
    monkeypatch.setenv(SCORER_ENV, str(echo_scorer))
    out = json.loads(evaluate(gold))
    assert out["argv"][0] == str(gold) and "--json" not in out["argv"]


def test_find_scorer(tmp_path, echo_scorer, monkeypatch):
    assert find_scorer() is None                        # kg's own scorer
    assert find_scorer(echo_scorer) == echo_scorer.resolve()
    with pytest.raises(InputError, match="scorer not found"):
        find_scorer(tmp_path / "missing.py")
    monkeypatch.setenv(SCORER_ENV, str(tmp_path / "missing.py"))
    with pytest.raises(InputError, match=r"missing\.py \(from \$KG_SCORER\)"):
        find_scorer()


def test_a_failing_external_scorer_is_a_kg_error(gold, tmp_path):
    script = tmp_path / "broken.py"
    script.write_text("import sys\nsys.exit('cannot score this')\n", encoding="utf-8")
    with pytest.raises(KGError, match="cannot score this"):
        evaluate(gold, scorer=script)


# ---------------------------------------------------------------- the command line


def test_python_m_kg_score_on_the_dev_gold(dev_gold, tmp_path):
    """`python -m kg.score` as a user runs it, on the dev gold and kg's predictions for it."""
    pred = tmp_path / "dev.pred.jsonl"
    assert evaluate_mod.write_predictions(dev_gold, pred) == 60
    done = subprocess.run([sys.executable, "-m", "kg.score", str(dev_gold), str(pred), "--json"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["papers_predicted"] == 60
    assert result["entities"]["f1"] >= 0.75 and result["dataset_usage"]["f1"] >= 0.85
