"""Tests of the one lexicon file (kg/resources/lexicon.toml) and its loader (kg/nlp/lexicon.py)."""

from __future__ import annotations

import re

import pytest

from kg.errors import InputError
from kg.models import EntityType
from kg.nlp import lexicon as lx
from kg.nlp import patterns, roles
from kg.nlp.abbreviations import head_type


def _toml(lists: dict[str, list[str]], contradictions: list[list[str]] | None = None) -> dict:
    data: dict = {name: {"use": f"use of {name}", "words": words} for name, words in lists.items()}
    data["contradictions"] = contradictions or []
    return data


def test_shipped_lexicon_has_no_problems_and_every_list_has_a_use():
    lexicon = lx.load_lexicon()
    assert lx.lexicon_problems(lexicon) == []
    assert len(lexicon.lists) >= 20
    assert all(lexicon.uses[name].strip() for name in lexicon.lists)
    assert lexicon.contradictions


def test_a_word_listed_twice_fails():
    with pytest.raises(InputError, match=r"\[intro_verbs\] lists 'propose' twice"):
        lx.parse_lexicon(_toml({"intro_verbs": ["propose", "present", "propose"]}), "lex.toml")


def test_a_word_in_two_contradictory_lists_fails():
    data = _toml({"task_heads": ["generation", "detection"], "method_heads": ["generation", "search"]},
                 [["task_heads", "method_heads"]])
    with pytest.raises(InputError, match=r"\[task_heads\] and \[method_heads\] .* 'generation'"):
        lx.parse_lexicon(data, "lex.toml")


def test_unknown_list_in_a_contradiction_fails_and_an_overlap_without_one_is_fine():
    data = _toml({"common_verbs": ["propose"], "intro_verbs": ["propose"]}, [["task_heads", "intro_verbs"]])
    with pytest.raises(InputError, match="unknown list"):
        lx.parse_lexicon(data, "lex.toml")
    data["task_heads"] = {"use": "tasks", "words": ["detection"]}
    assert lx.parse_lexicon(data, "lex.toml").set("intro_verbs") == {"propose"}


@pytest.mark.parametrize("table", [{"words": ["a"]}, {"use": "x"}, {"use": "x", "words": ["a", ""]}])
def test_malformed_list_fails_with_the_file_name(table):
    with pytest.raises(InputError, match=r"^error: lex.toml: \[broken\]"):
        lx.parse_lexicon({"broken": table}, "lex.toml")


def test_missing_and_broken_files_fail_in_one_line(tmp_path):
    with pytest.raises(InputError, match="not found"):
        lx.load_lexicon(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[x\nwords = [", encoding="utf-8")
    with pytest.raises(InputError, match=str(bad)):
        lx.load_lexicon(bad)


def test_unknown_list_name_fails():
    with pytest.raises(InputError, match=r"no word list \[nope\]"):
        lx.load_lexicon().words("nope")


def test_intro_verbs_are_one_list_for_patterns_and_roles():
    for verb in lx.load_lexicon().words("intro_verbs"):
        sentence = f"We {verb} Zorp, a method."
        assert patterns._INTRO_VERB.search(sentence), verb
        assert roles._INTRO.search(sentence), verb
    for not_intro in ("evaluate", "use", "study"):
        assert not patterns._INTRO_VERB.search(f"We {not_intro} Zorp.")
        assert not roles._INTRO.search(f"We {not_intro} Zorp.")


@pytest.mark.parametrize("head", ["generation", "alignment", "estimation"])
def test_a_head_makes_one_type_in_phrases_and_long_forms(head):
    assert head in lx.TASK_HEAD_WORDS
    assert head not in lx.METHOD_LONG_FORM_HEADS
    assert re.fullmatch(lx.TASK_HEADS, head)
    assert not re.fullmatch(lx.METHOD_HEADS, head)
    assert head_type(f"Zorp Qux {head.title()}") is EntityType.TASK


def test_long_form_heads_type_by_the_lexicon():
    assert head_type("Group Relative Policy Optimization") is EntityType.METHOD
    assert head_type("Word Error Rate") is EntityType.METRIC
    assert head_type("Visual Question Answering") is EntityType.TASK
    assert head_type("Graduate Reasoning Benchmark") is EntityType.DATASET
    assert head_type("large language model") is None


def test_organisations_are_one_list_used_by_model_families_and_resources():
    from kg.resources import _derive

    assert _derive.ORGANISATIONS == lx.ORGANISATIONS
    assert "Meta" in lx.ORGANISATIONS and "Meta " not in lx.ORGANISATIONS
    assert lx.starts_with_organisation("Meta Llama") and not lx.starts_with_organisation("MetaMath")
