"""Graphs for the named queries, each as a networkx graph (the reference) and as a SQLite store.

``sample_data`` is a small hand-made graph: four papers, ten entities, seven
claims. ``seed_store`` is the seed corpus built with ``kg.build`` (once per session).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import networkx as nx
import pytest

import kg
from kg.graph import build_graph
from kg.models import Claim, ClaimKind, Edge, EdgeType, Entity, EntityType, GraphData, NodeLabel, Paper
from kg.store.embedded import Store, create_store, open_store


def _entity(type_: EntityType, slug: str, name: str, *aliases: str) -> Entity:
    return Entity(id=f"{type_.value.lower()}:{slug}", type=type_, name=name, aliases=list(aliases))


def _label(node_id: str) -> NodeLabel:
    """p1 is a Paper, c1 a Claim, dataset:x a Dataset."""
    if ":" not in node_id:
        return NodeLabel.PAPER if node_id.startswith("p") else NodeLabel.CLAIM
    return NodeLabel(node_id.split(":")[0].capitalize())


def edge(type_: EdgeType, source: str, target: str, *paper_ids: str, evidence: str = "") -> Edge:
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
        edge(T.PROPOSES, "p1", "method:grpo", "p1", evidence="We propose GRPO."),
        edge(T.EVALUATES_ON, "p1", "dataset:gsm8k", "p1", evidence="GRPO reaches 91.2% on GSM8K."),
        edge(T.EVALUATES_ON, "p1", "dataset:math-500", "p1"),
        edge(T.USES_MODEL, "p1", "model:qwen3-4b-base", "p1"),
        edge(T.MEASURES, "p1", "metric:accuracy", "p1"),
        edge(T.USES_METHOD, "p2", "method:ppo", "p2"),
        edge(T.USES_DATASET, "p2", "dataset:gsm8k", "p2", evidence="We train on GSM8K."),
        edge(T.PROPOSES, "p2", "dataset:gsm-plus", "p2"),
        edge(T.EVALUATES_ON, "p2", "dataset:gsm-plus", "p2"),
        edge(T.USES_METHOD, "p3", "method:grpo", "p3"),
        edge(T.EVALUATES_ON, "p3", "dataset:math-500", "p3"),
        edge(T.ADDRESSES, "p3", "task:mathematical-reasoning", "p3"),
        edge(T.MEASURES, "p4", "metric:bleu", "p4"),
        edge(T.EVALUATED_ON, "method:grpo", "dataset:gsm8k", "p1"),
        edge(T.EVALUATED_ON, "method:grpo", "dataset:math-500", "p3", "p1"),
        edge(T.EVALUATED_ON, "model:qwen3-4b-base", "dataset:gsm8k", "p1"),
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
        edges.append(edge(T.REPORTS, claim.paper_id, claim.id, claim.paper_id))
        for edge_type, table in ((T.ABOUT, about), (T.ON, on), (T.IN_METRIC, metric)):
            if claim.id in table:
                edges.append(edge(edge_type, claim.id, table[claim.id], claim.paper_id))
    return edges


def paper(pid: str) -> Paper:
    return Paper(id=pid, title=f"Paper {pid}", abstract=f"Abstract {pid}.", source="test")


def hub_data() -> GraphData:
    """150 papers p000..p149 that all measure accuracy, each using its own method m000..m149;
    the first 120 evaluate on hubset, which each of their methods is EVALUATED_ON (every
    seventh with a second paper)."""
    E, T = EntityType, EdgeType
    n, evaluated = 150, 120
    entities = [_entity(E.METRIC, "accuracy", "accuracy"), _entity(E.DATASET, "hubset", "HubSet")]
    entities += [_entity(E.METHOD, f"m{i:03d}", f"M{i:03d}") for i in range(n)]
    edges = []
    for i in range(n):
        p = f"p{i:03d}"
        edges += [edge(T.MEASURES, p, "metric:accuracy", p), edge(T.USES_METHOD, p, f"method:m{i:03d}", p)]
        if i < evaluated:
            edges.append(edge(T.EVALUATES_ON, p, "dataset:hubset", p))
            more = [f"p{i + 1:03d}"] if i % 7 == 0 else []
            edges.append(edge(T.EVALUATED_ON, f"method:m{i:03d}", "dataset:hubset", p, *more))
    return GraphData(papers=[paper(f"p{i:03d}") for i in range(n)], entities=entities, edges=edges)


def chain_data() -> GraphData:
    """Methods x0..x4 in a chain: paper pc<i> uses x<i-1> and x<i>, so x0 to x<k> is 2k edges."""
    entities = [_entity(EntityType.METHOD, f"x{i}", f"X{i}") for i in range(5)]
    edges = [
        edge(EdgeType.USES_METHOD, f"pc{i}", f"method:x{j}", f"pc{i}") for i in range(1, 5) for j in (i - 1, i)
    ]
    return GraphData(papers=[paper(f"pc{i}") for i in range(1, 5)], entities=entities, edges=edges)


def write_store(path: Path, data: GraphData) -> Store:
    """``data`` written into a new store at ``path``, closed, and opened again read-only."""
    with create_store(path) as store:
        store.write_data(data)
    return open_store(path)


@pytest.fixture
def data() -> GraphData:
    return sample_data()


@pytest.fixture
def graph() -> nx.MultiDiGraph:
    return build_graph(sample_data())


def tie_data() -> GraphData:
    """Two papers link method:a and dataset:z; pa1 both uses and evaluates on z, pa2 only uses it."""
    T = EdgeType
    entities = [_entity(EntityType.METHOD, "a", "A"), _entity(EntityType.DATASET, "z", "Z")]
    edges = [
        edge(T.USES_METHOD, "pa2", "method:a", "pa2"),
        edge(T.USES_DATASET, "pa2", "dataset:z", "pa2"),
        edge(T.PROPOSES, "pa1", "method:a", "pa1"),
        edge(T.USES_DATASET, "pa1", "dataset:z", "pa1"),
        edge(T.EVALUATES_ON, "pa1", "dataset:z", "pa1"),
    ]
    return GraphData(papers=[paper("pa2"), paper("pa1")], entities=entities, edges=edges)


@pytest.fixture(name="tie_data")
def tie_data_fixture() -> GraphData:
    return tie_data()


@pytest.fixture(name="hub_data")
def hub_data_fixture() -> GraphData:
    return hub_data()


@pytest.fixture(name="chain_data")
def chain_data_fixture() -> GraphData:
    return chain_data()


@pytest.fixture
def make_store(tmp_path: Path) -> Iterator[Callable[[GraphData], Store]]:
    """A function writing ``GraphData`` into a new store under ``tmp_path``; stores close at teardown."""
    opened: list[Store] = []

    def make(data: GraphData) -> Store:
        opened.append(write_store(tmp_path / f"store{len(opened)}", data))
        return opened[-1]

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def store(make_store) -> Store:
    """``sample_data`` in a SQLite store."""
    return make_store(sample_data())


@pytest.fixture(params=["graph", "store"])
def backend(request, graph, store) -> nx.MultiDiGraph | Store:
    """The sample graph as ``run_query`` takes it: a networkx graph (the reference) or a store."""
    return graph if request.param == "graph" else store


@pytest.fixture(scope="session")
def seed_store(seed_corpus, tmp_path_factory) -> Iterator[Store]:
    """The seed corpus built into a store with ``kg.build``."""
    path = tmp_path_factory.mktemp("seed") / "store"
    report = kg.build([seed_corpus], store=path)
    assert report.papers > 100, "the seed corpus gave too few papers"
    store = open_store(path)
    yield store
    store.close()


@pytest.fixture(scope="session")
def seed_graph(seed_store) -> nx.MultiDiGraph:
    """The seed store's whole graph, for the reference implementation."""
    return seed_store.graph
