"""Unit tests of the pure name rules of the linker."""

from __future__ import annotations

import pytest

from kg.link.names import alias_list, forms_agree, is_acronym, pick_name, short_forms


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ("GRPO", True),
        ("CoT", True),
        ("ExPO", True),
        ("GSM8K", True),
        ("TL", True),
        ("Qwen3-4B-Base", False),
        ("accuracy", False),
        ("reinforcement learning", False),
        ("A", False),
    ],
)
def test_is_acronym_shapes(form: str, expected: bool) -> None:
    assert is_acronym(form) is expected


@pytest.mark.parametrize(
    ("forms", "expected"),
    [
        (["Group Relative Policy Optimization", "GRPO"], {"GRPO"}),
        (["Qwen-2.5-3B", "Qwen"], {"Qwen"}),
        (["sequential decision-making", "decision-making"], {"decision-making"}),
        (["Transformers", "transformer"], set()),
        (["GSM8K", "GSM-8K"], set()),
        (["instrumental variables", "IVs", "IV"], {"IVs", "IV"}),
    ],
)
def test_short_forms_marks_abbreviations_and_truncations(forms: list[str], expected: set[str]) -> None:
    assert short_forms(forms) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Group Relative Policy Optimization", "group relative policy optimisation", True),
        ("transfer learning", "Transfer-Learning", True),
        ("transfer learning", "triplet loss", False),
        ("Llama 3.1 8B", "Llama 3 8B", False),
    ],
)
def test_forms_agree_spelling_variants_only(a: str, b: str, expected: bool) -> None:
    assert forms_agree(a, b) is expected


def test_pick_name_prefers_frequency_then_unseparated_spelling() -> None:
    assert pick_name(["GSM-8K", "GSM8K"], {"GSM-8K": 2, "GSM8K": 1}, {}) == "GSM-8K"
    assert pick_name(["GSM-8K", "GSM8K"], {"GSM-8K": 1, "GSM8K": 1}, {}) == "GSM8K"


def test_alias_list_dedupes_case_insensitively_and_drops_name() -> None:
    aliases = alias_list("GSM8K", ["gsm8k", "GSM-8K", "gsm-8k", "GSM8K"], {"gsm-8k": 2}, {})
    assert aliases == ["gsm-8k"]
