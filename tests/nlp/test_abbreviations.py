"""Tests of kg.nlp.abbreviations: the Schwartz & Hearst pair finder, typing by head, the component."""

from __future__ import annotations

import pytest

from kg.models import EntityType
from kg.nlp.abbreviations import AbbreviationPair, find_pairs, head_type, is_short_form, long_form_start
from kg.nlp.pipeline import build_nlp
from kg.nlp.extensions import SPAN_KEY


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(claims=False)


def _spans(doc) -> list[tuple[str, str, int | None]]:
    return [(s.text, s.label_, s._.kg_group) for s in doc.spans[SPAN_KEY]]


@pytest.mark.parametrize(
    ("short", "long", "expected"),
    [
        ("FCP", "we introduce the feedback-conditional policy", "feedback-conditional policy"),
        ("SGA", "training uses sparse gradient accumulation", "sparse gradient accumulation"),
        ("HRM", "a Hierarchical Reward Model", "Hierarchical Reward Model"),
        ("CoT", "prompted with Chain of Thought", "Chain of Thought"),
        ("RL", "agents trained by reinforcement learning", "reinforcement learning"),
    ],
)
def test_long_form_start_finds_shortest_tail(short, long, expected):
    start = long_form_start(short, long)
    assert start is not None
    assert long[start:] == expected


@pytest.mark.parametrize(("short", "long"), [("XYZ", "the probe sat idle"), ("QK", "queries alone")])
def test_long_form_start_none_when_letters_missing(short, long):
    assert long_form_start(short, long) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("GRPO", True), ("RL", True), ("LLaMA-2", True), ("F1", True), ("2024", False), ("3.5", False),
     ("the", False), ("e.g.", False), ("Table", False), ("ABCDEFGHIJKLMN", False)],
)
def test_is_short_form(text, expected):
    assert is_short_form(text) is expected


@pytest.mark.parametrize(
    ("long_form", "expected"),
    [
        ("Group Relative Policy Optimization", EntityType.METHOD),
        ("Stepwise Preference Policy Optimization", EntityType.METHOD),
        ("Long Horizon Planning Benchmark", EntityType.DATASET),
        ("Token Edit Accuracy", EntityType.METRIC),
        ("Table Question Answering", EntityType.TASK),
        ("open-domain question answering", EntityType.TASK),
        ("Sparse Mixture Transformer", EntityType.METHOD),
        ("large language models", None),
        ("vision-language models", None),
        ("base models", None),
        ("Blue Sky", None),
    ],
)
def test_head_type(long_form, expected):
    assert head_type(long_form) is expected


def test_find_pairs_long_then_short():
    words = ["We", "use", "low", "-", "rank", "adaptation", "(", "LoRA", ")", "."]
    spaces = [" ", " ", "", "", " ", " ", "", "", " ", ""]
    pairs = find_pairs(words, spaces, [True] + [False] * 9)
    assert pairs == [AbbreviationPair(short_start=7, short_end=8, long_start=2, long_end=6)]


def test_find_pairs_short_then_long():
    words = ["LoRA", "(", "low", "-", "rank", "adaptation", ")", "helps", "."]
    spaces = [" ", "", "", "", " ", "", " ", "", ""]
    pairs = find_pairs(words, spaces, [True] + [False] * 8)
    assert pairs == [AbbreviationPair(short_start=0, short_end=1, long_start=2, long_end=6)]


def test_find_pairs_long_form_does_not_cross_sentence_start():
    words = ["Rewards", "help", ".", "Optimization", "(", "RHO", ")", "works"]
    spaces = [" ", "", " ", " ", "", "", " ", ""]
    starts = [True, False, False, True, False, False, False, False]
    assert find_pairs(words, spaces, starts) == []


@pytest.mark.parametrize("inner", [["see", "Table", "2"], ["2024"], ["e.g.", "above"]])
def test_find_pairs_ignores_non_abbreviations(inner):
    words = ["Results", "improve", "(", *inner, ")", "."]
    spaces = [" "] * len(words)
    assert find_pairs(words, spaces, [True] + [False] * (len(words) - 1)) == []


@pytest.mark.parametrize(
    ("text", "long_form", "short", "type_"),
    [
        ("We train agents with Stepwise Preference Policy Optimization (SPPO) on puzzles.",
         "Stepwise Preference Policy Optimization", "SPPO", "Method"),
        ("We build the Long Horizon Planning Benchmark (LHPB) from web tasks.",
         "Long Horizon Planning Benchmark", "LHPB", "Dataset"),
        ("Edits are scored by Token Edit Accuracy (TEA) per sample.", "Token Edit Accuracy", "TEA", "Metric"),
        ("We study Chart Question Answering (CQA) in detail.", "Chart Question Answering", "CQA", "Task"),
        ("Results for SPPO (Stepwise Preference Policy Optimization) are strong.",
         "Stepwise Preference Policy Optimization", "SPPO", "Method"),
    ],
)
def test_abbreviations_component_ties_forms_in_one_group(nlp, text, long_form, short, type_):
    doc = nlp(text)
    spans = {s.text: s for s in doc.spans[SPAN_KEY]}
    assert spans[long_form].label_ == type_
    assert spans[short].label_ == type_
    assert spans[long_form]._.kg_group == spans[short]._.kg_group
    pair = doc._.kg_abbreviations[0]
    assert text[slice(*pair["short"])] == short
    assert text[slice(*pair["long"])] == long_form


def test_abbreviations_component_tags_later_short_forms(nlp):
    text = "We propose Stepwise Preference Policy Optimization (SPPO). SPPO beats PPO. With SPPO, agents plan."
    doc = nlp(text)
    sppo = [s for s in doc.spans[SPAN_KEY] if s.text == "SPPO"]
    assert len(sppo) == 3
    assert {s.label_ for s in sppo} == {"Method"}
    assert len({s._.kg_group for s in sppo}) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Recent large language models (LLMs) reason well. LLMs still fail at counting.",
        "Modern vision-language models (VLMs) caption images.",
        "Progress in natural language processing (NLP) is fast.",
    ],
)
def test_abbreviations_component_generic_class_gives_no_entity(nlp, text):
    doc = nlp(text)
    assert doc._.kg_abbreviations  # the pair is seen...
    assert _spans(doc) == []  # ...but names no entity


def test_abbreviations_component_untyped_pair_gives_no_entity(nlp):
    doc = nlp("We ran a Blue Sky Study (BSS) last year.")
    assert not any(s.text in {"BSS", "Blue Sky Study"} for s in doc.spans[SPAN_KEY])


def test_abbreviations_component_no_parenthesis_sets_empty_list(nlp):
    doc = nlp("We evaluate probes on frozen encoders.")
    assert doc._.kg_abbreviations == []
