"""The seed graph (tests/data/seed/trending_papers.txt, extracted and linked) holds none of the junk
or split entities of issue 12: each name below stands for a class that a rule now handles
(tests/nlp/test_name_classes.py and tests/link/test_link_variants.py pin the classes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.io import read_papers
from kg.link import link
from kg.models import EntityType
from kg.nlp.pipeline import extract_papers

SEED = Path(__file__).resolve().parents[1] / "data" / "seed" / "trending_papers.txt"


@pytest.fixture(scope="module")
def graph():
    papers = read_papers([SEED]).papers
    data = link(list(extract_papers(papers)), papers)
    return {(e.type, e.name): e for e in data.entities}


@pytest.mark.parametrize("name", [
    "although small transformers", "largest transformer", "mere accuracy", "GPT2/3/4", "OpenAI-o1",
    "grade school math word problems", "Transformers", "win rates", "multi-task training", "Long CoTs", "PASS@80",
])
def test_junk_and_variant_names_are_not_nodes(graph, name):
    assert not [key for key in graph if key[1] == name]


@pytest.mark.parametrize(("type_", "name", "alias"), [
    (EntityType.METHOD, "Transformer", "Transformers"),
    (EntityType.METRIC, "win rate", "win rates"),
    (EntityType.METHOD, "multi-task learning", "multi-task training"),
    (EntityType.METHOD, "long chain-of-thought", "Long CoTs"),
    (EntityType.MODEL, "GPT-2", "GPT2/3/4"),
])
def test_variants_are_aliases_of_one_node(graph, type_, name, alias):
    assert alias in graph[(type_, name)].aliases


def test_model_shaped_names_are_models(graph):
    assert (EntityType.MODEL, "o1") in graph
    assert (EntityType.MODEL, "Llama-3-SynE") in graph
    assert not [key for key in graph if key[1] == "Llama-3-SynE" and key[0] is not EntityType.MODEL]


def test_at_metrics_share_one_spelling(graph):
    names = [name for type_, name in graph if type_ is EntityType.METRIC and "@" in name]
    assert "pass@80" in names
    assert all(name.split("@")[0] == name.split("@")[0].lower() for name in names if name.lower().startswith("pass@"))
