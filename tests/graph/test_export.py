from __future__ import annotations

import csv
import json

import networkx as nx
import pytest

from kg.errors import InputError
from kg.graph import (
    build_graph,
    export_csv,
    export_graphml,
    export_node_link,
    neo4j_admin_command,
    read_csv_export,
    read_graphml,
    read_node_link,
)


def _same_graph(G: nx.MultiDiGraph, H: nx.MultiDiGraph) -> bool:
    """Isomorphic with equal node and edge attributes, and the same node ids."""
    same = nx.is_isomorphic(G, H, node_match=lambda a, b: a == b, edge_match=lambda a, b: dict(a) == dict(b))
    edges = sorted(G.edges(keys=True, data=True)) == sorted(H.edges(keys=True, data=True))
    return same and edges and dict(G.nodes(data=True)) == dict(H.nodes(data=True))


def _without_none(attrs: dict) -> dict:
    return {k: v for k, v in attrs.items() if v is not None}


def test_export_graphml_read_by_networkx_has_typed_attributes(data, tmp_path):
    G = build_graph(data)
    H = nx.read_graphml(export_graphml(G, tmp_path / "g.graphml"), force_multigraph=True)
    assert nx.is_isomorphic(G, H)
    assert H.nodes["p1"]["year"] == 2024
    assert H.nodes["p1"]["labels"] == ":Paper"
    assert H.nodes["p1#c0"]["value"] == pytest.approx(91.2)
    assert json.loads(H.nodes["dataset:gsm8k"]["aliases"]) == ["GSM-8K", "gsm8k"]
    assert "url" not in H.nodes["2401.00001"]
    assert H.edges["p1", "method:grpo", "PROPOSES"]["confidence"] == pytest.approx(0.9)


def test_export_graphml_same_attributes_after_decoding_lists(data, tmp_path):
    G = build_graph(data)
    H = nx.read_graphml(export_graphml(G, tmp_path / "g.graphml"), force_multigraph=True)
    for n, attrs in G.nodes(data=True):
        decoded = {k: json.loads(v) if isinstance(attrs.get(k), list) else v for k, v in H.nodes[n].items()}
        assert decoded == {**_without_none(attrs), "labels": f":{attrs['label']}"}
    for u, v, k, attrs in G.edges(keys=True, data=True):
        decoded = {a: json.loads(x) if a == "paper_ids" else x for a, x in H.edges[u, v, k].items()}
        assert decoded == _without_none(attrs)


def test_read_graphml_gives_back_the_same_graph(data, tmp_path):
    G = build_graph(data)
    assert _same_graph(G, read_graphml(export_graphml(G, tmp_path / "g.graphml")))


def test_export_node_link_read_by_networkx(data, tmp_path):
    G = build_graph(data)
    path = export_node_link(G, tmp_path / "g.json")
    raw = json.loads(path.read_text(encoding="utf-8"))
    assert len(raw["edges"]) == len(data.edges)
    H = nx.node_link_graph(raw, edges="edges")
    assert H.is_multigraph() and H.is_directed()
    assert nx.is_isomorphic(G, H)
    assert H.nodes["2401.00001"]["title"] == "Über résumé × ☃"
    assert H.edges["method:grpo", "dataset:gsm8k", "EVALUATED_ON"]["paper_ids"] == ["p1", "2401.00001"]


def test_read_node_link_gives_back_the_same_graph(data, tmp_path):
    G = build_graph(data)
    assert _same_graph(G, read_node_link(export_node_link(G, tmp_path / "g.json")))


def _rows(path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    return header, rows


def test_export_csv_writes_neo4j_admin_headers(data, tmp_path):
    export_csv(build_graph(data), tmp_path)
    header, _ = _rows(tmp_path / "nodes_Dataset.csv")
    assert header == ["id:ID", "name", "type", "aliases:string[]", ":LABEL"]
    header, _ = _rows(tmp_path / "nodes_Paper.csv")
    assert header[0] == "id:ID" and header[-1] == ":LABEL"
    assert {"year:int", "authors:string[]", "categories:string[]", "title"} <= set(header)
    header, _ = _rows(tmp_path / "nodes_Claim.csv")
    assert {"value:float", "start:int", "end:int", "unit"} <= set(header)
    header, _ = _rows(tmp_path / "relationships_EVALUATED_ON.csv")
    assert header[:3] == [":START_ID", ":END_ID", ":TYPE"]
    assert {"confidence:float", "paper_ids:string[]", "evidence", "start:int"} <= set(header)


def test_export_csv_one_row_per_node_and_edge(data, tmp_path):
    files = export_csv(build_graph(data), tmp_path)
    names = sorted(p.name for p in files)
    assert names == sorted(
        [f"nodes_{label}.csv" for label in ("Paper", "Dataset", "Method", "Model", "Metric", "Task", "Claim")]
        + [f"relationships_{e.type.value}.csv" for e in data.edges]
    )
    assert sum(len(_rows(tmp_path / f"nodes_{n}.csv")[1]) for n in ("Paper", "Claim")) == 3
    _, rows = _rows(tmp_path / "relationships_EVALUATED_ON.csv")
    assert len(rows) == 1
    assert rows[0][:3] == ["method:grpo", "dataset:gsm8k", "EVALUATED_ON"]
    assert "p1;2401.00001" in rows[0]
    _, rows = _rows(tmp_path / "nodes_Dataset.csv")
    assert rows == [["dataset:gsm8k", "GSM8K", "Dataset", "GSM-8K;gsm8k", "Dataset"]]


def test_read_csv_export_gives_back_the_same_graph(data, tmp_path):
    G = build_graph(data)
    export_csv(G, tmp_path)
    assert _same_graph(G, read_csv_export(tmp_path))


def test_neo4j_admin_command_names_every_file(data, tmp_path):
    files = export_csv(build_graph(data), tmp_path)
    command = neo4j_admin_command(tmp_path)
    assert command.startswith("neo4j-admin database import full neo4j")
    assert all(str(p) in command for p in files)


@pytest.mark.parametrize("reader", [read_graphml, read_node_link, read_csv_export])
def test_readers_raise_input_error_on_missing_file(reader, tmp_path):
    with pytest.raises(InputError):
        reader(tmp_path / "missing")
