from __future__ import annotations

import pytest

from kg.errors import SchemaError
from kg.graph import build_graph, graph_counts, graph_to_data
from kg.models import Edge, EdgeType, Entity, EntityType, GraphData, NodeLabel, Paper


def test_build_graph_nodes_keep_label_and_every_property(data):
    G = build_graph(data)
    assert G.number_of_nodes() == len(data.papers) + len(data.entities) + len(data.claims)
    for node in [*data.papers, *data.entities, *data.claims]:
        attrs = G.nodes[node.id]
        assert {k: v for k, v in attrs.items() if k != "label"} == node.model_dump(mode="json")
    assert G.nodes["p1"]["label"] == "Paper"
    assert G.nodes["dataset:gsm8k"]["label"] == "Dataset"
    assert G.nodes["p1#c0"]["label"] == "Claim"


def test_build_graph_edges_keyed_by_type_with_every_field(data):
    G = build_graph(data)
    assert G.number_of_edges() == len(data.edges)
    for edge in data.edges:
        assert G.has_edge(edge.source, edge.target, edge.type.value)
        assert G.edges[edge.source, edge.target, edge.type.value] == edge.model_dump(mode="json")


def _by_key(data: GraphData) -> GraphData:
    return data.model_copy(update={"edges": sorted(data.edges, key=lambda e: e.key)})


def test_graph_to_data_round_trip_is_equal(data):
    back = graph_to_data(build_graph(data))
    assert back.papers == data.papers
    assert back.entities == data.entities
    assert back.claims == data.claims
    assert _by_key(back) == _by_key(data)


def test_graph_to_data_is_stable_after_one_round_trip(data):
    once = graph_to_data(build_graph(data))
    assert graph_to_data(build_graph(once)) == once


def test_graph_to_data_of_empty_graph_is_empty():
    assert graph_to_data(build_graph(GraphData())) == GraphData()


def test_build_graph_merges_repeated_edges_paper_ids(data):
    repeat = data.edges[1].model_copy(update={"paper_ids": ["p9", "p1"]})
    G = build_graph(data.model_copy(update={"edges": [*data.edges, repeat]}))
    assert G.number_of_edges() == len(data.edges)
    assert G.edges["p1", "dataset:gsm8k", "EVALUATES_ON"]["paper_ids"] == ["p1", "p9"]


def test_build_graph_rejects_duplicate_node_id(data):
    twin = Entity(id="p1", type=EntityType.DATASET, name="P1")
    with pytest.raises(SchemaError, match="duplicate node id 'p1'"):
        build_graph(data.model_copy(update={"entities": [*data.entities, twin]}))


@pytest.mark.parametrize(
    ("target", "target_label", "message"),
    [
        ("dataset:missing", NodeLabel.DATASET, "no node 'dataset:missing'"),
        ("p1", NodeLabel.DATASET, "node 'p1' is Paper"),
    ],
)
def test_build_graph_rejects_edge_to_missing_or_mislabelled_node(target, target_label, message):
    paper = Paper(id="p1", title="T", abstract="A")
    edge = Edge(type=EdgeType.EVALUATES_ON, source="p1", target=target, source_label=NodeLabel.PAPER,
                target_label=target_label)
    with pytest.raises(SchemaError, match=message):
        build_graph(GraphData(papers=[paper], edges=[edge]))


def test_graph_to_data_rejects_node_without_label(data):
    G = build_graph(data)
    G.add_node("stray")
    with pytest.raises(SchemaError, match="'stray'"):
        graph_to_data(G)


def test_graph_counts_per_label_and_type(data):
    counts = graph_counts(build_graph(data))
    assert counts["nodes"] == {"Claim": 1, "Dataset": 1, "Metric": 1, "Method": 1, "Model": 1, "Paper": 2, "Task": 1}
    assert sum(counts["edges"].values()) == len(data.edges)
    assert counts["edges"]["EVALUATES_ON"] == 1
