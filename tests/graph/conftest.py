"""A small graph with every node label, list properties, missing values and non-ASCII text."""

from __future__ import annotations

import pytest

from kg.models import Claim, ClaimKind, Edge, EdgeType, Entity, EntityType, GraphData, NodeLabel, Paper, TextField


def _edge(type_: EdgeType, source: tuple[str, NodeLabel], target: tuple[str, NodeLabel], **kw) -> Edge:
    return Edge(type=type_, source=source[0], target=target[0], source_label=source[1], target_label=target[1], **kw)


@pytest.fixture
def data() -> GraphData:
    p1 = ("p1", NodeLabel.PAPER)
    p2 = ("2401.00001", NodeLabel.PAPER)
    gsm = ("dataset:gsm8k", NodeLabel.DATASET)
    grpo = ("method:grpo", NodeLabel.METHOD)
    qwen = ("model:qwen3-4b-base", NodeLabel.MODEL)
    acc = ("metric:accuracy", NodeLabel.METRIC)
    task = ("task:mathematical-reasoning", NodeLabel.TASK)
    c1 = ("p1#c0", NodeLabel.CLAIM)
    return GraphData(
        papers=[
            Paper(id="p1", title="GRPO for math", abstract="We propose GRPO; it reaches 91.2% on GSM8K.",
                  source="a.jsonl", url="https://example.org/p1", year=2024, authors=["Ada", "Bo"]),
            Paper(id="2401.00001", title="Über résumé × ☃", abstract="A study.", categories=["cs.CL", "cs.LG"]),
        ],
        entities=[
            Entity(id=gsm[0], type=EntityType.DATASET, name="GSM8K", aliases=["GSM-8K", "gsm8k"]),
            Entity(id=grpo[0], type=EntityType.METHOD, name="GRPO"),
            Entity(id=qwen[0], type=EntityType.MODEL, name="Qwen3-4B-Base"),
            Entity(id=acc[0], type=EntityType.METRIC, name="accuracy"),
            Entity(id=task[0], type=EntityType.TASK, name="mathematical reasoning"),
        ],
        claims=[
            Claim(id=c1[0], paper_id="p1", value=91.2, unit="%", kind=ClaimKind.SCORE, text="it reaches 91.2% on GSM8K",
                  subject="GRPO", dataset="GSM8K", start=20, end=43, field=TextField.ABSTRACT),
        ],
        edges=[
            _edge(EdgeType.PROPOSES, p1, grpo, evidence="We propose GRPO;", start=0, end=16,
                  field=TextField.ABSTRACT, extractor="kg_roles", confidence=0.9, paper_ids=["p1"]),
            _edge(EdgeType.EVALUATES_ON, p1, gsm, evidence="it reaches 91.2% on GSM8K.", paper_ids=["p1"]),
            _edge(EdgeType.USES_DATASET, p2, gsm, paper_ids=["2401.00001"]),
            _edge(EdgeType.USES_MODEL, p2, qwen),
            _edge(EdgeType.MEASURES, p1, acc),
            _edge(EdgeType.ADDRESSES, p2, task),
            _edge(EdgeType.EVALUATED_ON, grpo, gsm, paper_ids=["p1", "2401.00001"]),
            _edge(EdgeType.REPORTS, p1, c1),
            _edge(EdgeType.ABOUT, c1, grpo),
            _edge(EdgeType.ON, c1, gsm),
            _edge(EdgeType.IN_METRIC, c1, acc),
        ],
    )
