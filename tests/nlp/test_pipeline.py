"""Tests of kg.nlp.pipeline: components, save/load, offsets, batching, DocBin."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import DocBin

from kg.models import Extraction, Paper, TextField
from kg.nlp.extensions import SPAN_KEY
from kg.nlp.pipeline import COMPONENTS, build_nlp, extract_paper, extract_papers, make_doc, paper_text

TEXT = ("We fine-tune Llama-3.1-8B with low-rank adaptation (LoRA) on GSM8K. "
        "It reaches 74.5% pass@1, ahead of GPT-4o-mini.")

PAPERS = [
    Paper(id="a", title="QuarkNet: Sparse Experts for Math",
          abstract="We propose QuarkNet. QuarkNet reaches 61.0% accuracy on GSM8K and MATH-500."),
    Paper(id="b", title="Probing Encoders", abstract="We probe RoBERTa and BERT-base on SQuAD with exact match."),
    Paper(id="c", title="Speech at Scale", abstract="Word error rate on LibriSpeech falls by 12% with SpecAugment."),
    Paper(id="d", title="", abstract="We evaluate GPT-4o on HumanEval and report pass@1."),
]


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()


def _entities(doc) -> list[tuple[int, int, str]]:
    return [(s.start_char, s.end_char, s.label_) for s in doc.spans[SPAN_KEY]]


def test_build_nlp_components_in_order(nlp):
    assert tuple(nlp.pipe_names) == COMPONENTS
    assert nlp.pipe_names == ["kg_sentences", "kg_gazetteer", "kg_patterns", "kg_abbreviations", "kg_resolve",
                              "kg_roles", "kg_claims"]


def test_build_nlp_without_claims():
    assert build_nlp(claims=False).pipe_names == [c for c in COMPONENTS if c != "kg_claims"]


def test_pipeline_to_disk_and_spacy_load_round_trip(nlp, tmp_path):
    nlp.to_disk(tmp_path)
    loaded = spacy.load(tmp_path)
    assert loaded.pipe_names == nlp.pipe_names
    ours, theirs = nlp(TEXT), loaded(TEXT)
    assert [t.text for t in theirs] == [t.text for t in ours]
    assert _entities(theirs) == _entities(ours)
    assert theirs._.kg_roles == ours._.kg_roles
    assert theirs._.kg_claims == ours._.kg_claims
    assert ("GSM8K", "Dataset") in [(s.text, s.label_) for s in theirs.spans[SPAN_KEY]]


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.id)
def test_extract_paper_offsets_point_at_text(nlp, paper):
    ex = extract_paper(paper, nlp=nlp)
    assert ex.entities
    for ent in ex.entities:
        source = paper.title if ent.field is TextField.TITLE else paper.abstract
        assert source[ent.start : ent.end] == ent.text
    for claim in ex.claims:
        source = paper.title if claim.field is TextField.TITLE else paper.abstract
        assert source[claim.start : claim.end] in claim.evidence


def test_extract_paper_title_entity_is_in_title_field(nlp):
    ex = extract_paper(PAPERS[0], nlp=nlp)
    fields = {(e.text, e.field) for e in ex.entities}
    assert ("QuarkNet", TextField.TITLE) in fields
    assert ("GSM8K", TextField.ABSTRACT) in fields


def test_extract_paper_returns_extraction_with_paper_fields(nlp):
    paper = Paper(id="x9", title="T", abstract="We evaluate on GSM8K.", source="unit", year=2025)
    ex = extract_paper(paper, nlp=nlp)
    assert isinstance(ex, Extraction)
    assert (ex.id, ex.title, ex.abstract, ex.source, ex.year) == ("x9", "T", "We evaluate on GSM8K.", "unit", 2025)
    assert [(e.text, e.type.value) for e in ex.entities] == [("GSM8K", "Dataset")]


@pytest.mark.parametrize(
    ("title", "abstract", "text", "title_len"),
    [("T", "A.", "T\n\nA.", 1), ("", "A.", "A.", 0), ("T", "", "T", 1), ("  T ", " A. ", "T\n\nA.", 1)],
)
def test_paper_text_joins_title_and_abstract(title, abstract, text, title_len):
    assert paper_text(Paper(id="p", title=title, abstract=abstract)) == (text, title_len)


def test_make_doc_records_title_length(nlp):
    doc = make_doc(nlp, Paper(id="p", title="Short Title", abstract="Body."))
    assert doc._.kg_title_len == len("Short Title")
    assert doc.text == "Short Title\n\nBody."


def test_extract_papers_keeps_input_order(nlp):
    out = list(extract_papers(reversed(PAPERS), nlp=nlp, batch_size=2))
    assert [e.id for e in out] == ["d", "c", "b", "a"]


def test_extract_papers_with_two_processes_matches_one(nlp):
    one = list(extract_papers(PAPERS, nlp=nlp))
    two = list(extract_papers(PAPERS, nlp=nlp, batch_size=1, n_process=2))
    assert [e.id for e in two] == [p.id for p in PAPERS]
    assert [e.model_dump() for e in two] == [e.model_dump() for e in one]


def test_docbin_keeps_spans_and_plain_extensions(nlp):
    doc = nlp(TEXT)
    bin_ = DocBin(store_user_data=True)
    bin_.add(doc)
    [back] = list(DocBin(store_user_data=True).from_bytes(bin_.to_bytes()).get_docs(nlp.vocab))
    assert _entities(back) == _entities(doc)
    assert [s._.kg_group for s in back.spans[SPAN_KEY]] == [s._.kg_group for s in doc.spans[SPAN_KEY]]
    assert [dict(r) for r in back._.kg_roles] == [dict(r) for r in doc._.kg_roles]
    assert [dict(c) for c in back._.kg_claims] == [dict(c) for c in doc._.kg_claims]


@pytest.mark.parametrize("attr", ["kg_abbreviations", "kg_roles", "kg_claims"])
def test_doc_extensions_hold_plain_data(nlp, attr):
    value = nlp(TEXT)._.get(attr)
    assert isinstance(value, list) and value
    assert all(isinstance(row, dict) for row in value)
    assert all(isinstance(v, (str, int, float, list, type(None))) for row in value for v in row.values())
