"""Tests of the candidate -> resolve contract (kg/nlp/extensions.py, kg/nlp/resolve.py)."""

from __future__ import annotations

import pytest
import spacy

import kg.nlp.pipeline  # noqa: F401  (registers the tokenizer and components)
from kg.errors import KGError
from kg.models import Paper
from kg.nlp.extensions import (
    CANDIDATES_KEY,
    SPAN_KEY,
    Provenance,
    add_candidate,
    provenance,
    register_extensions,
)
from kg.nlp.pipeline import COMPONENTS, extract_paper
from kg.nlp.resolve import (
    Resolver,
    entity_flags,
    longest_then_priority,
    priority_then_longest,
)

PAPERS = [
    Paper(id="grpo", title="Stable Policy Updates",
          abstract="We propose GRPO, a method for training reasoning models. GRPO improves accuracy on GSM8K."),
    Paper(id="fcp", title="Learning from Feedback",
          abstract="We introduce the feedback-conditional policy (FCP). FCP reaches 61.0% accuracy on MATH-500 "
                   "and outperforms PPO with Llama-3.1-8B."),
    Paper(id="quark", title="QuarkNet: Sparse Experts for Math",
          abstract="We propose QuarkNet. QuarkNet reaches 61.0% pass@1 on GSM8K, ahead of GPT-4o-mini."),
]


def _pipeline(names: dict[str, str] | None = None, drop: tuple[str, ...] = ()) -> spacy.Language:
    """The default components, each added under ``names.get(factory, factory)``, without ``drop``."""
    names = names or {}
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "kg.tokenizer.v1"}}})
    for factory in COMPONENTS:
        if factory not in drop:
            nlp.add_pipe(factory, name=names.get(factory, factory))
    nlp.initialize()
    return nlp


def _output(nlp, paper: Paper) -> tuple[list, list, list]:
    ex = extract_paper(paper, nlp=nlp)
    entities = sorted((e.text, e.type.value) for e in ex.entities)
    by_group = {e.group: e.text for e in ex.entities}
    roles = sorted((r.role.value, by_group.get(r.group, r.text)) for r in ex.roles)
    claims = sorted((c.value, c.dataset or "") for c in ex.claims)
    return entities, roles, claims


@pytest.fixture(scope="module")
def default():
    return _pipeline()


@pytest.mark.parametrize("factory", ["kg_gazetteer", "kg_patterns", "kg_abbreviations", "kg_resolve", "kg_roles",
                                     "kg_claims"])
def test_renaming_a_component_gives_the_same_output(default, factory):
    renamed = _pipeline({factory: "other"})
    assert "other" in renamed.pipe_names
    for paper in PAPERS:
        # the whole extraction, extractor names and confidences included
        assert extract_paper(paper, nlp=renamed) == extract_paper(paper, nlp=default), paper.id


def test_renamed_gazetteer_keeps_a_known_method_used_not_proposed(default):
    renamed = _pipeline({"kg_gazetteer": "names"})
    for nlp in (default, renamed):
        _, roles, _ = _output(nlp, PAPERS[0])
        assert ("uses_method", "GRPO") in roles
        assert ("proposes", "GRPO") not in roles


@pytest.mark.parametrize("factory", ["kg_gazetteer", "kg_patterns", "kg_abbreviations"])
def test_removing_a_proposer_gives_fewer_entities_of_the_same_kind(default, factory):
    smaller = _pipeline(drop=(factory,))
    fewer = False
    for paper in PAPERS:
        full, _, _ = _output(default, paper)
        part, roles, _ = _output(smaller, paper)
        assert part, paper.id
        assert roles, paper.id
        fewer |= len(part) < len(full)
    assert fewer


def test_removing_kg_resolve_fails_at_initialize():
    with pytest.raises(KGError, match="kg_resolve"):
        _pipeline(drop=("kg_resolve",))


def test_resolve_refuses_a_proposer_after_it():
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "kg.tokenizer.v1"}}})
    for factory in ("kg_sentences", "kg_resolve", "kg_gazetteer"):
        nlp.add_pipe(factory)
    with pytest.raises(KGError, match="kg_gazetteer"):
        nlp.initialize()


def test_unresolved_doc_is_an_error_not_empty_output():
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "kg.tokenizer.v1"}}})
    nlp.add_pipe("kg_sentences")
    nlp.add_pipe("kg_gazetteer")
    nlp.initialize()
    with pytest.raises(KGError, match="kg_resolve"):
        extract_paper(Paper(id="x", title="", abstract="We evaluate on GSM8K."), nlp=nlp)


def test_candidates_carry_structured_provenance_by_factory():
    nlp = _pipeline({"kg_gazetteer": "names", "kg_patterns": "rules"})
    doc = nlp("We propose QuarkNet and evaluate on GSM8K.")
    by_text = {s.text: provenance(s) for s in doc.spans[CANDIDATES_KEY]}
    gsm = next(p for p in by_text["GSM8K"] if p.factory == "kg_gazetteer")  # patterns may add "evaluate on X"
    assert (gsm.known, gsm.introduces) == (True, False)
    assert all(not p.known for p in by_text["GSM8K"] if p.factory != "kg_gazetteer")
    quark = by_text["QuarkNet"]
    assert any(p.factory == "kg_patterns" and p.introduces and not p.known for p in quark)
    flags = {s.text: entity_flags(s) for s in doc.spans[SPAN_KEY]}
    assert flags["QuarkNet"].introduces and not flags["QuarkNet"].known
    assert flags["GSM8K"].known and not flags["GSM8K"].introduces


def _blank_doc(text: str):
    register_extensions()
    return spacy.blank("en")(text)


def test_overlap_policy_is_swappable():
    def doc_with_candidates():
        doc = _blank_doc("We test the Zorp Bench suite today.")
        add_candidate(doc, 3, 5, "Dataset", Provenance("kg_gazetteer", "Zorp Bench", 0.95, known=True))
        add_candidate(doc, 3, 6, "Dataset", Provenance("kg_patterns", "dataset_context", 0.8))
        return doc

    longest = Resolver(overlap_policy=longest_then_priority)(doc_with_candidates())
    assert [s.text for s in longest.spans[SPAN_KEY]] == ["Zorp Bench suite"]
    ranked = Resolver(overlap_policy=priority_then_longest)(doc_with_candidates())
    assert [s.text for s in ranked.spans[SPAN_KEY]] == ["Zorp Bench"]


def test_overlap_policy_from_config_registry():
    nlp = spacy.blank("en")
    pipe = nlp.add_pipe("kg_resolve", config={"overlap_policy": {"@misc": "kg.priority_then_longest.v1"}})
    assert pipe.overlap_policy is priority_then_longest


def test_priorities_are_keyed_by_factory_and_configurable():
    def resolve(priorities):
        doc = _blank_doc("Results on Zorp today.")
        add_candidate(doc, 2, 3, "Dataset", Provenance("kg_patterns", "dataset_context", 0.8))
        add_candidate(doc, 2, 3, "Method", Provenance("kg_ner", "", 0.5))
        return [s.label_ for s in Resolver(priorities=priorities)(doc).spans[SPAN_KEY]]

    assert resolve(None) == ["Dataset"]
    assert resolve({"kg_patterns": 0, "kg_ner": 5}) == ["Method"]


def test_abbreviation_pair_shares_one_group():
    doc = _blank_doc("We use the feedback conditional policy ( FCP ) here. FCP helps.")
    prov = Provenance("kg_abbreviations", "pair", 0.9, pair=7)
    for start, end in ((3, 6), (7, 8), (11, 12)):
        add_candidate(doc, start, end, "Method", prov)
    spans = Resolver()(doc).spans[SPAN_KEY]
    assert len({s._.kg_group for s in spans}) == 1
    assert [s.text for s in spans] == ["feedback conditional policy", "FCP", "FCP"]
