"""Tests of kg.nlp.roles: span resolution, groups and the paper-level roles on written abstracts."""

from __future__ import annotations

import pytest

from kg.models import Paper, Role
from kg.nlp.pipeline import build_nlp, extract_paper
from kg.nlp.roles import groups_by_role

ABSTRACT = (
    "We propose HeliosRL, a method that aligns small models with sparse rewards. "
    "HeliosRL is trained on OpenWebText. "
    "We use supervised fine-tuning (SFT) before the reward stage. "
    "On GSM8K and HellaSwag, HeliosRL outperforms Llama-3.1-8B, reaching 71.2% accuracy. "
    "The method targets mathematical reasoning."
)


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(claims=False)


def _roles(nlp, title: str, abstract: str) -> dict[str, set[str]]:
    """Role → the surface forms of every group that takes it."""
    ex = extract_paper(Paper(id="r1", title=title, abstract=abstract), nlp=nlp)
    forms: dict[int, set[str]] = {}
    for ent in ex.entities:
        forms.setdefault(ent.group, set()).add(ent.text)
    out: dict[str, set[str]] = {}
    for role in ex.roles:
        out.setdefault(role.role.value, set()).update(forms.get(role.group, {role.text}))
    return out


@pytest.mark.parametrize(
    ("role", "name"),
    [
        ("proposes", "HeliosRL"),
        ("uses_dataset", "OpenWebText"),
        ("evaluates_on", "GSM8K"),
        ("evaluates_on", "HellaSwag"),
        ("uses_model", "Llama-3.1-8B"),
        ("measures", "accuracy"),
        ("uses_method", "supervised fine-tuning"),
        ("uses_method", "SFT"),
        ("addresses", "mathematical reasoning"),
    ],
)
def test_roles_on_written_abstract(nlp, role, name):
    assert name in _roles(nlp, "Sparse Rewards for Small Models", ABSTRACT).get(role, set())


@pytest.mark.parametrize(
    ("role", "name"),
    [("proposes", "SFT"), ("proposes", "GSM8K"), ("proposes", "Llama-3.1-8B"), ("evaluates_on", "HeliosRL")],
)
def test_roles_not_given(nlp, role, name):
    assert name not in _roles(nlp, "Sparse Rewards for Small Models", ABSTRACT).get(role, set())


def test_roles_title_colon_name_is_proposed(nlp):
    roles = _roles(nlp, "TideNet: Tidal Attention for Long Documents",
                   "TideNet replaces softmax attention. We evaluate TideNet on arXiv summaries.")
    assert "TideNet" in roles["proposes"]


def test_roles_new_benchmark_is_proposed_and_evaluated(nlp):
    roles = _roles(nlp, "Agents at Home",
                   "We introduce ChoreBench, a benchmark of household tasks. Agents score 31% on ChoreBench.")
    assert "ChoreBench" in roles["proposes"]
    assert "ChoreBench" in roles["evaluates_on"]


@pytest.mark.parametrize("verb", ["use", "adopt", "apply"])
def test_roles_known_method_with_we_use_is_not_proposed(nlp, verb):
    roles = _roles(nlp, "Cheap Alignment", f"We {verb} direct preference optimization to align a small chatbot.")
    assert "direct preference optimization" in roles.get("uses_method", set())
    assert "direct preference optimization" not in roles.get("proposes", set())


def test_roles_training_corpus_is_not_evaluated_on(nlp):
    roles = _roles(nlp, "Small Readers", "Our reader is pretrained on OpenWebText. It answers questions well.")
    assert "OpenWebText" in roles["uses_dataset"]
    assert "OpenWebText" not in roles.get("evaluates_on", set())


def test_roles_background_method_has_no_role(nlp):
    roles = _roles(nlp, "Planning Without Search",
                   "Unlike Monte Carlo tree search, our planner reads the board once.")
    assert "Monte Carlo tree search" not in roles.get("uses_method", set())


def test_roles_rows_are_valid_and_point_at_evidence(nlp):
    text = "Reader\n\nWe evaluate on GSM8K. Our reader reaches 80% accuracy."
    doc = nlp(text)
    assert doc._.kg_roles
    for row in doc._.kg_roles:
        Role(row["role"])
        assert text[row["start"] : row["end"]] == row["evidence"]
        assert row["text"] in row["evidence"] or row["role"] == "proposes"


def test_groups_by_role_collects_group_ids():
    rows = [{"role": "evaluates_on", "group": 1}, {"role": "evaluates_on", "group": 2}, {"role": "measures", "group": 3}]
    assert groups_by_role(rows) == {"evaluates_on": {1, 2}, "measures": {3}}


def test_roles_longest_span_wins(nlp):
    doc = nlp("We fine-tune Qwen3-4B-Base and test on MATH-500.")
    texts = [s.text for s in doc.spans["kg"]]
    assert "Qwen3-4B-Base" in texts and "Qwen3" not in texts
    assert "MATH-500" in texts and "MATH" not in texts


def test_roles_same_name_shares_one_group(nlp):
    doc = nlp("We test on GSM8K. Gains on GSM8K are large.")
    groups = {s._.kg_group for s in doc.spans["kg"] if s.text == "GSM8K"}
    assert len(groups) == 1
