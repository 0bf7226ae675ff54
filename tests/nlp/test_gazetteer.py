"""Tests of kg.nlp.gazetteer: written variants, cues for ambiguous names, the component."""

from __future__ import annotations

import pytest
import spacy

import kg.nlp.pipeline  # noqa: F401  (registers the tokenizer and components)
from kg.models import EntityType
from kg.nlp.extensions import CANDIDATES_KEY, SPAN_KEY
from kg.nlp.gazetteer import has_cue, pattern_rows, types_of, written_variants
from kg.nlp.pipeline import build_nlp

ENTRIES = [
    {"name": "MATH", "type": "Dataset", "aliases": [], "ambiguous": True},
    {"name": "BIRD", "type": "Dataset", "aliases": ["BIRD-SQL"], "ambiguous": True},
    {"name": "ARC", "type": "Dataset", "aliases": [], "ambiguous": True},
    {"name": "ARC-Challenge", "type": "Dataset", "aliases": ["ARC-C"]},
    {"name": "reinforcement learning", "type": "Method", "aliases": ["RL"]},
    {"name": "exact match", "type": "Metric", "aliases": ["EM"]},
    {"name": "TriviaQA", "type": "Dataset", "aliases": []},
    {"name": "chain-of-thought", "type": "Method", "aliases": ["CoT"]},
]


@pytest.fixture(scope="module")
def small():
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "kg.tokenizer.v1"}}})
    nlp.add_pipe("kg_sentences")
    nlp.add_pipe("kg_gazetteer").initialize(entries=ENTRIES)
    return nlp


@pytest.fixture(scope="module")
def full():
    return build_nlp(claims=False)


def _found(nlp, text: str) -> list[tuple[str, str]]:
    """The resolved entities of a full pipeline, the candidates of the gazetteer-only one."""
    doc = nlp(text)
    key = SPAN_KEY if "kg_resolve" in nlp.pipe_names else CANDIDATES_KEY
    return [(s.text, s.label_) for s in doc.spans[key]] if key in doc.spans else []


@pytest.mark.parametrize(
    ("form", "type_", "expected"),
    [
        ("CIFAR-10", "", ["CIFAR-10", "CIFAR10"]),
        ("MATH500", "Dataset", ["MATH500", "MATH-500"]),
        ("chain-of-thought", "", ["chain-of-thought", "chain of thought"]),
        ("fine-tuning", "Method", ["fine-tuning", "fine tuning", "finetuning"]),
        ("world model", "Method", ["world model", "world models"]),
        ("RL", "Method", ["RL"]),
        ("TriviaQA", "Dataset", ["TriviaQA"]),
    ],
)
def test_written_variants(form, type_, expected):
    variants = written_variants(form, type_)
    assert variants[0] == form
    assert set(expected) <= set(variants)


@pytest.mark.parametrize(
    ("form", "type_", "absent"),
    [("fine-tuning", "Method", "fine-tunings"), ("RL", "Method", "RLs"), ("GSM8K", "Dataset", "GSM8Ks"),
     ("TriviaQA", "Dataset", "TriviaQAs")],
)
def test_written_variants_no_odd_plurals(form, type_, absent):
    assert absent not in written_variants(form, type_)


@pytest.mark.parametrize(
    ("words", "start", "end", "sent_start", "expected"),
    [
        (["results", "on", "MATH", "and"], 2, 3, False, True),
        (["the", "Pile", "corpus"], 1, 2, False, True),
        (["the", "Arena", "is"], 1, 2, False, True),
        (["Math", "is", "hard"], 0, 1, True, False),
        (["Arena", "is", "loud"], 0, 1, True, False),
        (["in", "Arena", "games"], 1, 2, False, False),
    ],
)
def test_has_cue(words, start, end, sent_start, expected):
    assert has_cue(words, start, end, sent_start) is expected


def test_pattern_rows_case_rules():
    rows = {r["text"]: r for r in pattern_rows(ENTRIES)}
    assert rows["RL"]["case_sensitive"] and not rows["RL"]["ambiguous"]
    assert rows["MATH"]["case_sensitive"] and rows["MATH"]["ambiguous"]
    assert not rows["reinforcement learning"]["case_sensitive"]
    assert rows["ARC-C"]["name"] == "ARC-Challenge"
    assert rows["chain of thought"]["type"] == "Method"
    assert types_of(list(rows.values())) == {EntityType.DATASET, EntityType.METHOD, EntityType.METRIC}


def test_pattern_rows_drop_generic_classes():
    rows = pattern_rows([{"name": "large language model", "type": "Method", "aliases": ["LLM", "GFlowNet"]}])
    texts = [r["text"] for r in rows]
    assert "large language model" not in texts and "large language models" not in texts
    assert "GFlowNet" in texts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Agents trained with Reinforcement Learning adapt.", [("Reinforcement Learning", "Method")]),
        ("We train agents with RL on grid worlds.", [("RL", "Method")]),
        ("We train agents with rl on grid worlds.", []),
        ("Answers are scored by exact match and EM.", [("exact match", "Metric"), ("EM", "Metric")]),
        ("Retrieval helps on triviaqa too.", [("triviaqa", "Dataset")]),
        ("Prompting with chain of thought helps.", [("chain of thought", "Method")]),
    ],
)
def test_gazetteer_case_rules(small, text, expected):
    assert sorted(_found(small, text)) == sorted(expected)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Our solver reports results on MATH and on word problems.", "MATH"),
        ("Accuracy on the MATH benchmark rises.", "MATH"),
        ("Text-to-SQL accuracy on BIRD improves by a wide margin.", "BIRD"),
        ("The planner is tested on ARC-Challenge with few shots.", "ARC-Challenge"),
    ],
)
def test_gazetteer_ambiguous_name_with_cue(small, text, name):
    assert (name, "Dataset") in _found(small, text)


@pytest.mark.parametrize(
    "text",
    [
        "The model excels at math benchmarks and logic puzzles.",
        "Math is the language of science.",
        "A bird in the hand is worth two in the bush.",
        "The arc of the learning curve flattens.",
        "Bird calls are classified by a small network.",
    ],
)
def test_gazetteer_ambiguous_name_without_cue_is_not_matched(small, text):
    assert _found(small, text) == []


def test_gazetteer_longer_name_and_part_both_matched_before_resolution(small):
    # The roles component keeps the longest; the gazetteer reports every hit.
    found = _found(small, "The planner is tested on ARC-Challenge with few shots.")
    assert ("ARC-Challenge", "Dataset") in found


def test_gazetteer_to_disk_round_trip(small, tmp_path):
    pipe = small.get_pipe("kg_gazetteer")
    pipe.to_disk(tmp_path)
    fresh = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "kg.tokenizer.v1"}}})
    other = fresh.add_pipe("kg_gazetteer").from_disk(tmp_path)
    assert other.rows == pipe.rows
    assert _found(fresh, "We train agents with RL.") == [("RL", "Method")]


@pytest.mark.parametrize(
    ("text", "name", "type_"),
    [
        ("Our prover solves most problems of GSM8K in one pass.", "GSM8K", "Dataset"),
        ("Code agents are tested on HumanEval with unit tests.", "HumanEval", "Dataset"),
        ("Linear probes are trained on ImageNet features.", "ImageNet", "Dataset"),
        ("Word error falls on LibriSpeech clean audio.", "LibriSpeech", "Dataset"),
        ("We report accuracy for every split.", "accuracy", "Metric"),
        ("Translations are scored with BLEU against references.", "BLEU", "Metric"),
        ("We align the policy with DPO on paired answers.", "DPO", "Method"),
        ("Adapters trained with LoRA match full tuning.", "LoRA", "Method"),
        ("Our backbone transfers to object detection with few labels.", "object detection", "Task"),
    ],
)
def test_gazetteer_shipped_resources_find_names(full, text, name, type_):
    assert (name, type_) in _found(full, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Our cache lowers latency by 40% on long prompts.", True),
        ("Human judges rated helpfulness and harmlessness.", True),
        ("Search adds high latency to each call.", False),
    ],
)
def test_gazetteer_ambiguous_metric_needs_a_measure_cue(text, expected):
    from kg.nlp import build_nlp

    doc = build_nlp(claims=False)(text)
    found = {(s.text, s.label_) for s in doc.spans["kg"]}
    assert any(label == "Metric" for _, label in found) is expected, found


def test_gazetteer_short_camel_case_names_match_only_as_written():
    rows = pattern_rows([{"name": "MuTual", "type": "Dataset", "aliases": [], "case_sensitive": False,
                          "ambiguous": False}])
    assert rows and all(r["case_sensitive"] for r in rows)


@pytest.mark.parametrize(
    ("text", "name", "label"),
    [
        ("Our model reaches 61.2% on GQA and 80.1 on VQAv2.", "GQA", "Dataset"),
        ("The GQA benchmark tests compositional reasoning.", "GQA", "Dataset"),
        ("We replace multi-head attention with GQA to cut memory.", "GQA", "Method"),
        ("The MAE of our forecaster is 0.31 on ETTh1.", "MAE", "Metric"),
        ("It reduces MAE by 12% over the baseline.", "MAE", "Metric"),
        ("We pretrain the encoder with MAE on ImageNet.", "MAE", "Method"),
        ("The attack reaches an ASR of 92% on AdvBench.", "ASR", "Metric"),
        ("We evaluate ASR on LibriSpeech.", "ASR", "Task"),
    ],
)
def test_a_name_of_two_types_takes_the_type_its_context_asks_for(text, name, label):
    from kg.nlp.pipeline import default_nlp

    doc = default_nlp()(text)
    assert [(s.text, s.label_) for s in doc.spans["kg"] if s.text == name] == [(name, label)]
