"""Tests of kg.nlp.tokenizer: ML names start and end on token boundaries."""

from __future__ import annotations

import pytest
import spacy

import kg.nlp.pipeline  # noqa: F401  (registers kg.tokenizer.v1)
from kg.nlp.tokenizer import NAME_JOINER_INFIX, kg_infixes, kg_suffixes


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "kg.tokenizer.v1"}}})


def _texts(nlp, text: str) -> list[str]:
    return [t.text for t in nlp(text)]


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("Our verifier lifts accuracy on GSM8K and SVAMP by a wide margin.", "GSM8K"),
        ("Gains on MMLU-Pro exceed those on the original suite.", "MMLU-Pro"),
        ("We start RL from Qwen3-4B-Base without any warm-up data.", "Qwen3-4B-Base"),
        ("The judge is Claude-3.7-Sonnet, prompted with a rubric.", "Claude-3.7-Sonnet"),
        ("Sampling eight answers raises pass@1 to a new high.", "pass@1"),
        ("Distilled traces from GPT-4o teach the student to plan.", "GPT-4o"),
        ("We adapt Llama-3.1-8B-Instruct with a small LoRA rank.", "Llama-3.1-8B-Instruct"),
        ("Problems from MATH-500 are harder after paraphrasing.", "MATH-500"),
        ("On AIME 2024 the model solves eleven problems.", "AIME 2024"),
        ("The retriever reaches 68.3% recall at ten passages.", "68.3"),
        ("A ~RoBERTa sized encoder suffices for the classifier.", "RoBERTa"),
        ("Our RL-based tuner converges quickly.", "RL"),
        ("Adding nDCG@10 shows the ranking improves too.", "nDCG@10"),
    ],
)
def test_tokenizer_name_has_exact_char_span(nlp, sentence, name):
    doc = nlp(sentence)
    start = sentence.index(name)
    span = doc.char_span(start, start + len(name))
    assert span is not None, [t.text for t in doc]
    assert span.text == name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Qwen3-4B-Base", ["Qwen3", "-", "4B", "-", "Base"]),
        ("MATH-500", ["MATH", "-", "500"]),
        ("RL-based", ["RL", "-", "based"]),
        ("GSM8K", ["GSM8K"]),
        ("100K", ["100K"]),
        ("7B", ["7B"]),
        ("pass@1", ["pass@1"]),
        ("Acc@5", ["Acc@5"]),
        ("nDCG@10", ["nDCG@10"]),
        ("68.3%", ["68.3", "%"]),
        ("3\u00d7 faster", ["3", "\u00d7", "faster"]),
        ("~RoBERTa", ["~", "RoBERTa"]),
        ("ViT-L/14", ["ViT", "-", "L", "/", "14"]),
        ("top\u20131", ["top", "\u2013", "1"]),
    ],
)
def test_tokenizer_docstring_token_texts(nlp, text, expected):
    assert _texts(nlp, text) == expected


def test_tokenizer_differs_from_default_on_gsm8k(nlp):
    # The reason the tokenizer exists: spaCy's own rules split the unit-like "K".
    assert _texts(spacy.blank("en"), "on GSM8K and") != _texts(nlp, "on GSM8K and")
    assert _texts(nlp, "on GSM8K and") == ["on", "GSM8K", "and"]


@pytest.mark.parametrize("text", ["Fine-tuned", "Phi-3-mini"])
def test_tokenizer_hyphen_tokens_rejoin_to_text(nlp, text):
    doc = nlp(text)
    assert doc.text == text
    assert "-" in [t.text for t in doc]


def test_kg_suffixes_adds_percent_and_drops_unit_rule():
    defaults = list(spacy.blank("en").Defaults.suffixes)
    suffixes = kg_suffixes(defaults)
    assert r"(?<=[0-9])%" in suffixes
    assert r"(?<=[0-9])\u00d7" in suffixes
    assert [p for p in suffixes if p in defaults] == [p for p in defaults if "km" not in p]


def test_kg_infixes_keeps_defaults_and_adds_joiner_rule():
    infixes = kg_infixes(["a"])
    assert infixes[0] == "a"
    assert NAME_JOINER_INFIX in infixes


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("We report accuracy on GSM8K.", "GSM8K"),
        ("The student is Qwen2.5-7B.", "7B"),
        ("The corpus holds 100K.", "100K"),
        ("Provers are tested on MiniF2F.", "MiniF2F"),
        ("We compare with GPT-4.", "4"),
    ],
)
def test_tokenizer_sentence_final_name_splits_period(nlp, sentence, name):
    doc = nlp(sentence)
    assert doc[-1].text == "."
    assert doc[-2].text == name


def test_tokenizer_times_sign_before_period_splits(nlp):
    assert _texts(nlp, "Decoding runs 3\u00d7.") == ["Decoding", "runs", "3", "\u00d7", "."]
