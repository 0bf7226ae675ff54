"""Tests of kg_ner, the trained component of the accurate mode (kg/nlp/statistical.py)."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Span

from kg.errors import InputError
from kg.models import EntityType, Paper
from kg.nlp.extensions import SPAN_KEY, Provenance, add_candidate, register_extensions
from kg.nlp.pipeline import build_nlp, extract_paper, make_doc
from kg.nlp.resolve import Resolver
from kg.nlp.statistical import (
    DEFAULT_LABELS,
    EXTRACTOR,
    is_plausible,
    load_trained,
    new_spans,
    trim_dataset_head,
)

# Written for these tests: a treebank name no gazetteer lists, in a context the trained model has learned.
SENTENCE = "Our parser is evaluated on the Alpino treebank and the Prague dependency treebank."  # names no rule finds


@pytest.fixture(scope="module")
def accurate():
    return build_nlp(mode="accurate")


@pytest.fixture(scope="module")
def fast():
    return build_nlp(mode="fast")


def _doc(nlp, text: str):
    return nlp(make_doc(nlp, Paper(id="t", title="", abstract=text)))


def _spans(nlp, text: str) -> list[tuple[str, str, str]]:
    doc = _doc(nlp, text)
    return [(s.text, s.label_, s._.kg_extractor) for s in doc.spans[SPAN_KEY]]


def _blank_doc(text: str):
    register_extensions()
    return spacy.blank("en")(text)


def test_build_nlp_accurate_inserts_kg_ner_before_resolve(accurate):
    names = accurate.pipe_names
    assert EXTRACTOR in names
    assert names.index(EXTRACTOR) == names.index("kg_resolve") - 1


def test_build_nlp_fast_has_no_trained_component(fast):
    assert EXTRACTOR not in fast.pipe_names


def test_build_nlp_unknown_mode_raises():
    with pytest.raises(InputError, match="turbo"):
        build_nlp(mode="turbo")


def test_load_trained_missing_folder_raises(tmp_path):
    with pytest.raises(InputError, match=str(tmp_path)):
        load_trained(tmp_path)


def test_load_trained_shares_vocab_and_has_kg_labels(fast):
    trained = load_trained(vocab=fast.vocab)
    assert trained.vocab is fast.vocab
    assert set(trained.get_pipe("ner").labels) <= {t.value for t in EntityType}


def test_kg_ner_adds_typed_spans_to_kg_group(accurate):
    doc = _doc(accurate, SENTENCE)
    ours = [s for s in doc.spans[SPAN_KEY] if s._.kg_extractor == EXTRACTOR]
    assert ours, [(s.text, s.label_, s._.kg_extractor) for s in doc.spans[SPAN_KEY]]
    assert all(s.label_ in DEFAULT_LABELS for s in ours)
    assert all(s._.kg_group is not None for s in ours)


def test_kg_ner_adds_recall_over_fast_mode(accurate, fast):
    fast_spans = {(t, label) for t, label, _ in _spans(fast, SENTENCE)}
    accurate_spans = {(t, label) for t, label, _ in _spans(accurate, SENTENCE)}
    assert len(accurate_spans) > len(fast_spans)


def test_kg_ner_keeps_every_rule_span(accurate, fast):
    text = "We fine-tune Llama-3.1-8B with DPO on GSM8K and report accuracy on MATH-500."
    fast_spans = {(t, label) for t, label, _ in _spans(fast, text)}
    accurate_spans = {(t, label) for t, label, _ in _spans(accurate, text)}
    assert fast_spans <= accurate_spans


def test_kg_ner_leaves_doc_ents_alone(accurate):
    assert _doc(accurate, SENTENCE).ents == ()


def test_new_spans_rule_span_wins_overlap():
    doc = _blank_doc("We use the Buckeye speech corpus and the TIMIT corpus.")
    add_candidate(doc, 3, 4, "Dataset", Provenance("kg_gazetteer", "Buckeye", 0.95, known=True))
    predicted = [Span(doc, 3, 6, label="Dataset"), Span(doc, 8, 10, label="Dataset")]
    assert [s.text for s in new_spans(doc, predicted, frozenset({"Dataset"}), 8)] == ["TIMIT"]


def test_new_spans_drops_a_name_a_rule_already_typed():
    doc = _blank_doc("Buckeye helps. We also study buckeye segmentation.")
    add_candidate(doc, 0, 1, "Dataset", Provenance("kg_patterns", "dataset_context", 0.8))
    predicted = [Span(doc, 6, 7, label="Method"), Span(doc, 6, 8, label="Task")]
    assert [s.text for s in new_spans(doc, predicted, frozenset({"Method", "Task"}), 8)] == ["buckeye segmentation"]


def test_new_spans_keeps_only_wanted_labels():
    doc = _blank_doc("We study speech segmentation with boundary F-score.")
    predicted = [Span(doc, 2, 4, label="Task"), Span(doc, 5, 8, label="Metric")]
    assert [s.label_ for s in new_spans(doc, predicted, frozenset({"Task"}), 8)] == ["Task"]


@pytest.mark.parametrize(("text", "start", "end", "expected"), [
    ("We use a hierarchical Bayesian model here.", 3, 6, True),
    ("We use our method here.", 2, 4, False),
    ("We use the approach here.", 3, 4, False),
    ("We improve training here.", 2, 3, False),
    ("Results on speech segmentation of the data.", 2, 5, False),
    ("See ( 2 ) here.", 1, 4, False),
])
def test_is_plausible_rejects_generic_and_clause_spans(text, start, end, expected):
    doc = _blank_doc(text)
    assert is_plausible(doc[start:end]) is expected


def test_is_plausible_rejects_overlong_spans():
    doc = _blank_doc("alpha beta gamma delta epsilon zeta eta theta iota kappa")
    assert is_plausible(doc[0:10], max_tokens=8) is False
    assert is_plausible(doc[0:10], max_tokens=10) is True


def test_resolve_rule_beats_kg_ner_on_equal_length():
    doc = _blank_doc("We evaluate on Buckeye today.")
    add_candidate(doc, 3, 4, "Method", Provenance(EXTRACTOR, "", 0.5))
    add_candidate(doc, 3, 4, "Dataset", Provenance("kg_patterns", "dataset_context", 0.8))
    kept = Resolver()(doc).spans[SPAN_KEY]
    assert [(s.label_, s._.kg_extractor) for s in kept] == [("Dataset", "kg_patterns:dataset_context")]


def test_kg_ner_round_trips_through_to_disk(accurate, tmp_path):
    accurate.to_disk(tmp_path / "pipe")
    loaded = spacy.load(tmp_path / "pipe")
    assert loaded.pipe_names == accurate.pipe_names
    before = _spans(accurate, SENTENCE)
    assert any(extractor == EXTRACTOR for _, _, extractor in before)
    assert _spans(loaded, SENTENCE) == before


def test_extract_paper_accurate_reports_kg_ner_entities(accurate):
    ex = extract_paper(Paper(id="t", title="", abstract=SENTENCE), nlp=accurate)
    assert any(e.extractor == EXTRACTOR for e in ex.entities)


@pytest.mark.parametrize(("text", "start", "end", "expected"), [
    ("We train on the Europarl parallel corpus today.", 4, 7, "Europarl"),
    ("Results on the WMT14 dataset today.", 3, 5, "WMT14"),
    ("We use a parallel corpus today.", 3, 5, "parallel corpus"),
    ("We use the Penn Treebank today.", 3, 5, "Penn Treebank"),
])
def test_trim_dataset_head_drops_generic_heads(text, start, end, expected):
    doc = _blank_doc(text)
    assert trim_dataset_head(Span(doc, start, end, label="Dataset")).text == expected


def test_trim_dataset_head_leaves_other_types():
    doc = _blank_doc("We use the Europarl parallel corpus today.")
    assert trim_dataset_head(Span(doc, 3, 6, label="Task")).text == "Europarl parallel corpus"
