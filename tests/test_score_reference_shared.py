"""kg.score gives the same output as the team's reference scorer, ../shared/eval/score.py.

The reference script is not part of the repository, so this module is collected only where
../shared sits beside it (tests/conftest.py ignores ``*_shared.py`` elsewhere). A lone clone
still compares kg.score with the reference's recorded outputs (tests/test_score_recorded.py);
this module also checks that those recordings still equal the live reference.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import score as kg_score
from kg.evaluate import write_predictions

REPO = Path(__file__).resolve().parents[1]
REFERENCE = (REPO / ".." / "shared" / "eval" / "score.py").resolve()
DEV_GOLD = REPO / "tests" / "data" / "seed" / "dev.jsonl"

RECORDED = REPO / "tests" / "data" / "reference" / "scores.json"


def test_the_recorded_outputs_are_the_live_reference_s(monkeypatch):
    monkeypatch.chdir(REPO)
    for case in json.loads(RECORDED.read_text(encoding="utf-8"))["cases"]:
        assert _reference(*case["args"]) == case["text"], case["args"]
        assert json.loads(_reference(*case["args"], "--json")) == case["json"], case["args"]


@pytest.fixture(scope="module")
def dev_pred(tmp_path_factory) -> Path:
    pred = tmp_path_factory.mktemp("reference") / "dev.pred.jsonl"
    assert write_predictions(DEV_GOLD, pred) == 60
    return pred


def _reference(*args) -> str:
    done = subprocess.run([sys.executable, str(REFERENCE), *map(str, args)], capture_output=True, text=True, check=True)
    return done.stdout


def _kg(*args, capsys) -> str:
    assert kg_score.main([str(a) for a in args]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("options", [[], ["--types", "Dataset,Metric,Task"], ["--map", "Model=Method"],
                                     ["--map", "Model=Method", "--types", "Method"]])
def test_dev_predictions_score_the_same(dev_pred, options, capsys):
    reference = json.loads(_reference(DEV_GOLD, dev_pred, "--json", *options))
    assert json.loads(_kg(DEV_GOLD, dev_pred, "--json", *options, capsys=capsys)) == reference
    assert reference["papers_predicted"] == 60 and reference["entities"]["tp"] > 0  # a real comparison
    assert _kg(DEV_GOLD, dev_pred, *options, capsys=capsys) == _reference(DEV_GOLD, dev_pred, *options)


def test_gold_against_itself_and_swapped_score_the_same(dev_pred, capsys):
    for gold, pred in [(DEV_GOLD, DEV_GOLD), (dev_pred, DEV_GOLD)]:
        assert json.loads(_kg(gold, pred, "--json", capsys=capsys)) == json.loads(_reference(gold, pred, "--json"))


# ---------------------------------------------------------------- random records, in process


@functools.cache
def _load_reference():
    spec = importlib.util.spec_from_file_location("reference_score", REFERENCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


NAMES = ["GSM8K", "gsm-8k", "MATH", "FCP", "feedback-conditional policy", "GRPO", "accuracy", "", "BIRD"]
name = st.sampled_from(NAMES)
entity = st.fixed_dictionaries({"text": name, "type": st.sampled_from([*kg_score.TYPES, "Other"])},
                                optional={"group": st.integers(0, 3)})
role = st.one_of(
    st.fixed_dictionaries({"role": st.sampled_from(["proposes", "evaluates_on", "uses_dataset", "uses_method"]),
                           "group": st.integers(0, 4)}),
    st.fixed_dictionaries({"role": st.sampled_from(["proposes", "evaluates_on", "uses_model"]), "text": name}))
claim = st.fixed_dictionaries({"value": st.sampled_from([1, 1.0000001, 2.5, 68.3, "68.3", None]),
                               "dataset": st.one_of(st.none(), name), "subject": st.one_of(st.none(), name)})
record = st.fixed_dictionaries({"entities": st.lists(entity, max_size=6), "roles": st.lists(role, max_size=5),
                                "claims": st.lists(claim, max_size=4)})
papers = st.dictionaries(st.sampled_from(["a", "b", "c"]), record, max_size=3)


@settings(max_examples=300, deadline=None)
@given(gold=papers, pred=papers)
def test_random_records_score_the_same(gold, pred):
    assert kg_score.score(gold, pred) == _load_reference().score(gold, pred)
