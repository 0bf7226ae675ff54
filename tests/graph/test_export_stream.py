"""Exports streamed from a store (or any graph source) equal those of the in-memory graph."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest

import kg
from kg.graph import (
    build_graph,
    export_csv,
    export_graphml,
    export_node_link,
    is_graph_source,
    read_csv_export,
    read_graphml,
    read_node_link,
)
from kg.models import Edge, EdgeType, GraphData, NodeLabel, Paper
from kg.store import Store, open_store

SAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sample_papers.jsonl"


class _Source:
    """A graph source made of lists, as a store would yield them."""

    def __init__(self, data: GraphData, fail_on_edges: bool = False, source_first: bool = False) -> None:
        self.data = data
        self.fail_on_edges = fail_on_edges
        self.source_first = source_first

    def iter_papers(self):
        yield from self.data.papers

    def iter_entities(self):
        yield from self.data.entities

    def iter_claims(self):
        yield from self.data.claims

    def iter_edges(self):
        if self.fail_on_edges:
            raise RuntimeError("the database went away")
        if self.source_first:
            yield from sorted(self.data.edges, key=lambda e: (e.source, e.type.value, e.target))
        else:
            yield from sorted(self.data.edges, key=lambda e: (e.type.value, e.source, e.target))


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("store") / "s"
    kg.build([SAMPLE], store=path)
    return path


@pytest.fixture
def store(store_path):
    with open_store(store_path) as st:
        yield st


def _export(fmt: str, x, where: Path) -> nx.MultiDiGraph:
    """Write ``x`` in ``fmt`` under ``where`` and read it back."""
    if fmt == "csv":
        export_csv(x, where)
        return read_csv_export(where)
    if fmt == "graphml":
        return read_graphml(export_graphml(x, where / "g.graphml"))
    return read_node_link(export_node_link(x, where / "g.json"))


def _assert_same(G: nx.MultiDiGraph, H: nx.MultiDiGraph) -> None:
    assert dict(G.nodes(data=True)) == dict(H.nodes(data=True))
    assert sorted(G.edges(keys=True, data=True)) == sorted(H.edges(keys=True, data=True))


FORMATS = ["graphml", "json", "csv"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_store_export_reads_back_as_the_graph_export(fmt, store, tmp_path):
    from_store = _export(fmt, store, tmp_path / "store")
    from_graph = _export(fmt, store.graph, tmp_path / "graph")
    assert from_store.number_of_nodes() == sum(store.counts()["nodes"].values())
    assert from_store.number_of_edges() == sum(store.counts()["edges"].values())
    _assert_same(from_store, from_graph)
    _assert_same(from_store, store.graph)


@pytest.mark.parametrize("fmt", FORMATS)
def test_store_export_never_builds_the_whole_graph(fmt, store, tmp_path, monkeypatch):
    def refuse(*_args):
        raise AssertionError("the export built the whole graph")

    monkeypatch.setattr(Store, "to_data", refuse)
    monkeypatch.setattr(Store, "graph", property(refuse))
    H = _export(fmt, store, tmp_path)
    assert H.number_of_nodes() == sum(store.counts()["nodes"].values())


def test_streamed_graphml_has_the_keys_and_values_networkx_writes(store, tmp_path):
    ours = nx.read_graphml(export_graphml(store, tmp_path / "s.graphml"), force_multigraph=True)
    theirs = nx.read_graphml(export_graphml(store.graph, tmp_path / "g.graphml"), force_multigraph=True)
    _assert_same(ours, theirs)
    paper = next(iter(store.iter_papers()))
    assert ours.nodes[paper.id]["labels"] == ":Paper"
    assert json.loads(ours.nodes[paper.id]["categories"]) == paper.categories


def test_streamed_node_link_has_the_items_of_node_link_data(store, tmp_path):
    ours = json.loads(export_node_link(store, tmp_path / "s.json").read_text(encoding="utf-8"))
    theirs = json.loads(export_node_link(store.graph, tmp_path / "g.json").read_text(encoding="utf-8"))
    assert {k: v for k, v in ours.items() if k not in ("nodes", "edges")} == {
        k: v for k, v in theirs.items() if k not in ("nodes", "edges")
    }
    assert sorted(ours["nodes"], key=lambda n: n["id"]) == sorted(theirs["nodes"], key=lambda n: n["id"])
    key = lambda e: (e["source"], e["target"], e["key"])  # noqa: E731
    assert sorted(ours["edges"], key=key) == sorted(theirs["edges"], key=key)


def _with_repeated_edge(data: GraphData) -> GraphData:
    """``data`` with a second EVALUATED_ON edge of the same (source, target), from another paper."""
    extra = Edge(type=EdgeType.EVALUATED_ON, source="method:grpo", target="dataset:gsm8k",
                 source_label=NodeLabel.METHOD, target_label=NodeLabel.DATASET,
                 evidence="another sentence", paper_ids=["p9", "p1"])
    papers = [*data.papers, Paper(id="p9", title="T", abstract="A")]
    return data.model_copy(update={"papers": papers, "edges": [*data.edges, extra]})


@pytest.mark.parametrize("fmt", FORMATS)
def test_repeated_edges_of_a_source_merge_their_papers_as_build_graph_does(fmt, data, tmp_path):
    data = _with_repeated_edge(data)
    H = _export(fmt, _Source(data), tmp_path)
    attrs = H.edges["method:grpo", "dataset:gsm8k", "EVALUATED_ON"]
    assert attrs["paper_ids"] == ["p1", "2401.00001", "p9"]
    assert attrs["evidence"] == ""
    _assert_same(H, build_graph(data))


@pytest.mark.parametrize("fmt", FORMATS)
def test_edges_sorted_by_source_first_export_the_same_graph(fmt, data, tmp_path):
    data = _with_repeated_edge(data)
    H = _export(fmt, _Source(data, source_first=True), tmp_path)
    assert H.edges["method:grpo", "dataset:gsm8k", "EVALUATED_ON"]["paper_ids"] == ["p1", "2401.00001", "p9"]
    _assert_same(H, build_graph(data))


def test_repeated_edges_of_a_source_are_one_csv_row(data, tmp_path):
    export_csv(_Source(_with_repeated_edge(data)), tmp_path)
    lines = (tmp_path / "relationships_EVALUATED_ON.csv").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2
    assert "p1;2401.00001;p9" in lines[1]


@pytest.mark.parametrize("fmt", ["graphml", "json"])
def test_awkward_text_survives_the_streamed_export(fmt, data, tmp_path):
    title = 'a <b> & "c" \'d\' ]]> \r\nend\t☃'
    data.papers[0] = data.papers[0].model_copy(update={"title": title})
    H = _export(fmt, _Source(data), tmp_path)
    assert H.nodes["p1"]["title"] == title


def test_graphml_replaces_characters_xml_cannot_hold(data, tmp_path):
    data.papers[0] = data.papers[0].model_copy(update={"title": "bell\x07 here"})
    H = read_graphml(export_graphml(_Source(data), tmp_path / "g.graphml"))
    assert H.nodes["p1"]["title"] == "bell\ufffd here"


@pytest.mark.parametrize("fmt", ["graphml", "json"])
def test_empty_source_exports_an_empty_graph(fmt, tmp_path):
    H = _export(fmt, _Source(GraphData()), tmp_path)
    assert H.number_of_nodes() == 0 and H.number_of_edges() == 0


def test_empty_source_exports_no_csv_file(tmp_path):
    assert export_csv(_Source(GraphData()), tmp_path) == []
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("writer", [export_graphml, export_node_link])
def test_failed_export_leaves_no_file(writer, data, tmp_path):
    target = tmp_path / "out" / "g.file"
    with pytest.raises(RuntimeError):
        writer(_Source(data, fail_on_edges=True), target)
    assert not target.exists()
    assert list(target.parent.iterdir()) == []


@pytest.mark.parametrize("writer", [export_graphml, export_node_link, export_csv])
def test_export_refuses_what_is_neither_graph_nor_store(writer, tmp_path):
    with pytest.raises(TypeError):
        writer({"nodes": []}, tmp_path / "x")


def test_is_graph_source_tells_stores_from_graphs(store, data):
    assert is_graph_source(store)
    assert is_graph_source(_Source(data))
    assert not is_graph_source(build_graph(data))
    assert not is_graph_source(data)


def test_awkward_ids_survive_the_streamed_graphml(tmp_path):
    ident = "a\"b&<c>'d\te"
    data = GraphData(papers=[Paper(id=ident, title="T", abstract="A")])
    H = read_graphml(export_graphml(_Source(data), tmp_path / "g.graphml"))
    assert list(H.nodes) == [ident]
    assert H.nodes[ident]["id"] == ident
