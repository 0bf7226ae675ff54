"""Tests of kg.nlp.sentences: blank lines, abbreviations with stops, sentence bounds."""

from __future__ import annotations

import pytest
import spacy

import kg.nlp.pipeline  # noqa: F401  (registers the tokenizer and kg_sentences)
from kg.nlp.sentences import doc_text, sentence_bounds, sentence_starts, token_texts


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "kg.tokenizer.v1"}}})
    nlp.add_pipe("kg_sentences")
    return nlp


def _sents(nlp, text: str) -> list[str]:
    return [s.text.strip() for s in nlp(text).sents]


def test_sentence_starts_splits_at_stop_before_capital():
    words = ["We", "win", ".", "It", "works", "."]
    assert sentence_starts(words, [True] * 6) == [True, False, False, True, False, False]


def test_sentence_starts_empty_input():
    assert sentence_starts([], []) == []


def test_sentence_starts_lower_case_after_stop_continues():
    words = ["Gains", "hold", ".", "and", "more"]
    assert sentence_starts(words, [True] * 5) == [True, False, False, False, False]


@pytest.mark.parametrize("title", ["Sparse Probes for Dense Retrievers", "ProbeKit: Tools for Probing", "lower case title"])
def test_sentences_blank_line_ends_title(nlp, title):
    text = f"{title}\n\nWe train probes on frozen encoders. They reveal lexical bias."
    sents = _sents(nlp, text)
    assert sents[0] == title
    assert sents[1:] == ["We train probes on frozen encoders.", "They reveal lexical bias."]


def test_sentences_blank_line_before_lower_case_abstract(nlp):
    sents = _sents(nlp, "A Title\n\nwe study probes.")
    assert sents == ["A Title", "we study probes."]


@pytest.mark.parametrize(
    "sentence",
    [
        "Following Chen et al. Our probes use a linear head.",
        "Several encoders (e.g. BERT and T5) show the same bias.",
        "Dense vs. Sparse retrieval differs in recall.",
        "Recall improves sharply (see Fig. 3 for the curve).",
        "Gains follow the trend in Eq. 2 closely.",
        "The prior work of J. Doe trained a linear probe.",
        "Wider beams help, cf. Table 2 and the appendix.",
        "Calibration error falls, i.e. The probe becomes reliable.",
    ],
)
def test_sentences_abbreviation_stop_does_not_end_sentence(nlp, sentence):
    assert _sents(nlp, sentence) == [sentence]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("Probes work. Heads matter! Why? Because 2 layers suffice.", 4),
        ("We release code. \"Probes\" are cheap.", 2),
        ("Scores rise. (Details follow.)", 2),
        ("Accuracy hits 91.5 on the test split.", 1),
    ],
)
def test_sentences_count(nlp, text, count):
    assert len(_sents(nlp, text)) == count


def test_sentence_bounds_cover_each_sentence(nlp):
    text = "Title Words\n\nProbes work. Heads matter."
    doc = nlp(text)
    bounds = sentence_bounds(doc)
    assert [text[s:e] for s, e in bounds] == ["Title Words", "Probes work.", "Heads matter."]


def test_sentence_bounds_without_annotation_is_whole_text():
    doc = spacy.blank("en")("One. Two.")
    assert sentence_bounds(doc) == [(0, len("One. Two."))]


def test_token_texts_and_doc_text_match_doc(nlp):
    doc = nlp("Probes on GSM8K work.")
    assert token_texts(doc) == [t.text for t in doc]
    assert doc_text(doc) == doc.text
    assert doc.user_data["kg_text"] == doc.text


def test_sentences_empty_doc(nlp):
    assert len(nlp("")) == 0
