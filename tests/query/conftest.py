"""A small hand-made graph for the named queries: four papers, eight entities, seven claims."""

from __future__ import annotations

import networkx as nx
import pytest

from kg.graph import build_graph
from kg.models import Claim, ClaimKind, Edge, EdgeType, Entity, EntityType, GraphData, NodeLabel, Paper


def _entity(type_: EntityType, slug: str, name: str, *aliases: str) -> Entity:
    return Entity(id=f"{type_.value.lower()}:{slug}", type=type_, name=name, aliases=list(aliases))


def _label(node_id: str) -> NodeLabel:
    """p1 is a Paper, c1 a Claim, dataset:x a Dataset."""
    if ":" not in node_id:
        return NodeLabel.PAPER if node_id.startswith("p") else NodeLabel.CLAIM
    return NodeLabel(node_id.split(":")[0].capitalize())


def _edge(type_: EdgeType, source: str, target: str, *paper_ids: str, evidence: str = "") -> Edge:
    return Edge(
        type=type_,
        source=source,
        target=target,
        source_label=_label(source),
        target_label=_label(target),
        evidence=evidence or f"{source} {type_.value} {target}.",
        paper_ids=list(paper_ids),
    )


def _claim(cid: str, paper: str, value: float, unit, kind=ClaimKind.SCORE, **links: str) -> Claim:
    return Claim(id=cid, paper_id=paper, value=value, unit=unit, kind=kind, text=f"Sentence of {cid}.", **links)


def sample_data() -> GraphData:
    """p1 proposes GRPO (on GSM8K and MATH-500), p2 proposes GSM-Plus and uses PPO on GSM8K,
    p3 uses GRPO on MATH-500, p4 only measures BLEU (an island)."""
    E = EntityType
    entities = [
        _entity(E.DATASET, "gsm8k", "GSM8K", "GSM-8K"),
        _entity(E.DATASET, "gsm-plus", "GSM-Plus"),
        _entity(E.DATASET, "math-500", "MATH-500", "MATH500"),
        _entity(E.METHOD, "grpo", "GRPO", "Group Relative Policy Optimization"),
        _entity(E.METHOD, "ppo", "PPO"),
        _entity(E.MODEL, "qwen3-4b-base", "Qwen3-4B-Base"),
        _entity(E.METRIC, "accuracy", "accuracy"),
        _entity(E.METRIC, "pass@1", "pass@1"),
        _entity(E.METRIC, "bleu", "BLEU"),
        _entity(E.TASK, "mathematical-reasoning", "mathematical reasoning"),
    ]
    papers = [Paper(id=f"p{i}", title=f"Paper {i}", abstract=f"Abstract {i}.", source="test") for i in range(1, 5)]
    claims = [
        _claim("c1", "p1", 91.2, "%"),
        _claim("c2", "p1", 85.0, "%"),
        _claim("c3", "p2", 88.0, "%"),
        _claim("c4", "p2", 3.5, "points", ClaimKind.IMPROVEMENT),
        _claim("c5", "p1", 95.0, "points"),
        _claim("c6", "p3", 60.0, "%"),
        _claim("c7", "p3", 55.0, "%", subject="some baseline"),
    ]
    return GraphData(papers=papers, entities=entities, claims=claims, edges=[*_role_edges(), *_claim_edges(claims)])


def _role_edges() -> list[Edge]:
    T = EdgeType
    return [
        _edge(T.PROPOSES, "p1", "method:grpo", "p1", evidence="We propose GRPO."),
        _edge(T.EVALUATES_ON, "p1", "dataset:gsm8k", "p1", evidence="GRPO reaches 91.2% on GSM8K."),
        _edge(T.EVALUATES_ON, "p1", "dataset:math-500", "p1"),
        _edge(T.USES_MODEL, "p1", "model:qwen3-4b-base", "p1"),
        _edge(T.MEASURES, "p1", "metric:accuracy", "p1"),
        _edge(T.USES_METHOD, "p2", "method:ppo", "p2"),
        _edge(T.USES_DATASET, "p2", "dataset:gsm8k", "p2", evidence="We train on GSM8K."),
        _edge(T.PROPOSES, "p2", "dataset:gsm-plus", "p2"),
        _edge(T.EVALUATES_ON, "p2", "dataset:gsm-plus", "p2"),
        _edge(T.USES_METHOD, "p3", "method:grpo", "p3"),
        _edge(T.EVALUATES_ON, "p3", "dataset:math-500", "p3"),
        _edge(T.ADDRESSES, "p3", "task:mathematical-reasoning", "p3"),
        _edge(T.MEASURES, "p4", "metric:bleu", "p4"),
        _edge(T.EVALUATED_ON, "method:grpo", "dataset:gsm8k", "p1"),
        _edge(T.EVALUATED_ON, "method:grpo", "dataset:math-500", "p3", "p1"),
        _edge(T.EVALUATED_ON, "model:qwen3-4b-base", "dataset:gsm8k", "p1"),
    ]


def _claim_edges(claims: list[Claim]) -> list[Edge]:
    T = EdgeType
    edges = []
    about = {"c1": "method:grpo", "c2": "model:qwen3-4b-base", "c3": "method:ppo", "c4": "method:ppo",
             "c5": "method:grpo", "c6": "method:grpo"}
    on = {"c1": "dataset:gsm8k", "c2": "dataset:gsm8k", "c3": "dataset:gsm8k", "c4": "dataset:gsm8k",
          "c5": "dataset:gsm8k", "c6": "dataset:math-500", "c7": "dataset:gsm8k"}
    metric = {"c1": "metric:accuracy", "c2": "metric:accuracy", "c3": "metric:accuracy",
              "c5": "metric:accuracy", "c6": "metric:pass@1"}
    for claim in claims:
        edges.append(_edge(T.REPORTS, claim.paper_id, claim.id, claim.paper_id))
        for edge_type, table in ((T.ABOUT, about), (T.ON, on), (T.IN_METRIC, metric)):
            if claim.id in table:
                edges.append(_edge(edge_type, claim.id, table[claim.id], claim.paper_id))
    return edges


@pytest.fixture
def data() -> GraphData:
    return sample_data()


@pytest.fixture
def graph() -> nx.MultiDiGraph:
    return build_graph(sample_data())
