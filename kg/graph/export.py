"""Exports of the graph for other tools, and the readers that take them back.

Three formats, each for a different user:

- GraphML for Gephi and Cytoscape: typed attributes, no missing values written
  as ``None``, lists as JSON-encoded strings, and a ``labels`` node attribute
  (``":Dataset"``) as Neo4j's own GraphML export writes it.
- node-link JSON (networkx ``node_link_data`` with ``edges="edges"``) for
  programs and for the embedded store itself.
- CSV in the ``neo4j-admin database import`` layout, the fast path for loading
  a large graph into an empty Neo4j database: one ``nodes_<Label>.csv`` per
  label and one ``relationships_<TYPE>.csv`` per type, with typed headers.

The readers rebuild a graph equal to the one written, so tests (and users) can
check that nothing was lost on the way out.
"""

from __future__ import annotations

import csv
import json
import types
import typing
from pathlib import Path
from typing import Any

import networkx as nx
from pydantic import BaseModel

from kg.errors import InputError
from kg.graph.builder import build_graph, graph_to_data
from kg.models import Claim, Edge, Entity, GraphData, NodeLabel, Paper

ARRAY_DELIMITER = ";"
_EDGE_SPECIAL = ("source", "target", "type")


def _field_kind(model: type[BaseModel], name: str) -> str:
    """The neo4j-admin type of a model field: ``int``, ``float``, ``string[]`` or ``string``."""
    annotation = model.model_fields[name].annotation
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        annotation = args[0]
    if typing.get_origin(annotation) is list:
        return "string[]"
    if annotation is int:
        return "int"
    if annotation is float:
        return "float"
    return "string"


def _list_fields() -> frozenset[str]:
    """Names of list-valued properties of nodes and edges (JSON-encoded in GraphML)."""
    return frozenset(
        name
        for model in (Paper, Entity, Claim, Edge)
        for name in model.model_fields
        if _field_kind(model, name) == "string[]"
    )


LIST_FIELDS = _list_fields()


def _graphml_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    return {
        k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v
        for k, v in attrs.items()
        if v is not None
    }


def to_graphml_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``G`` that GraphML can hold: no ``None``, lists as JSON, a ``labels`` attr."""
    H = nx.MultiDiGraph()
    for n, attrs in G.nodes(data=True):
        H.add_node(n, **_graphml_attrs(attrs), labels=f":{attrs['label']}")
    for u, v, k, attrs in G.edges(keys=True, data=True):
        H.add_edge(u, v, key=k, **_graphml_attrs(attrs))
    return H


def export_graphml(G: nx.MultiDiGraph, path: str | Path) -> Path:
    """Write ``G`` as GraphML for Gephi or Cytoscape; returns the path written.

    Example:
        >>> export_graphml(G, "kg.graphml")  # doctest: +SKIP
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nx.write_graphml(to_graphml_graph(G), path, named_key_ids=True)
    return path


def decode_graphml_graph(H: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Undo the GraphML encoding: JSON lists decoded, ``labels`` dropped, ``None`` restored."""
    G = nx.MultiDiGraph()
    for n, attrs in H.nodes(data=True):
        decoded = {k: json.loads(v) if k in LIST_FIELDS else v for k, v in attrs.items() if k != "labels"}
        G.add_node(n, **decoded)
    for u, v, k, attrs in H.edges(keys=True, data=True):
        G.add_edge(u, v, key=k, **{a: json.loads(x) if a in LIST_FIELDS else x for a, x in attrs.items()})
    return build_graph(graph_to_data(G))


def read_graphml(path: str | Path) -> nx.MultiDiGraph:
    """Read a GraphML file written by ``export_graphml`` back into the kg graph."""
    try:
        H = nx.read_graphml(Path(path), force_multigraph=True)
    except (OSError, nx.NetworkXError, SyntaxError) as e:
        raise InputError(f"cannot read GraphML {path}: {e}") from e
    return decode_graphml_graph(H)


def node_link_data(G: nx.MultiDiGraph) -> dict[str, Any]:
    """The node-link dict of ``G`` (edges under ``"edges"``), as the store writes it."""
    return nx.node_link_data(G, edges="edges")


def node_link_to_graph(data: dict[str, Any]) -> nx.MultiDiGraph:
    """Rebuild the kg graph from node-link data, restoring the ``id``/``source``/``target``
    attributes that networkx keeps only as structure."""
    H = nx.node_link_graph(data, directed=True, multigraph=True, edges="edges")
    G = nx.MultiDiGraph()
    for n, attrs in H.nodes(data=True):
        G.add_node(n, **{**attrs, "id": n})
    for u, v, k, attrs in H.edges(keys=True, data=True):
        G.add_edge(u, v, key=k, **{**attrs, "source": u, "target": v})
    return G


def export_node_link(G: nx.MultiDiGraph, path: str | Path) -> Path:
    """Write ``G`` as node-link JSON; returns the path written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        json.dump(node_link_data(G), f, ensure_ascii=False)
    return path


def read_node_link(path: str | Path) -> nx.MultiDiGraph:
    """Read a node-link JSON file written by ``export_node_link``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return node_link_to_graph(data)
    except (OSError, ValueError, KeyError, TypeError, nx.NetworkXError) as e:
        raise InputError(f"cannot read node-link JSON {path}: {e}") from e


# ------------------------------------------------------------------- CSV


def _node_columns(model: type[BaseModel]) -> list[str]:
    names = [n for n in model.model_fields if n != "id"]
    if "name" in names:
        names.remove("name")
        names.insert(0, "name")
    return names


def _typed(model: type[BaseModel], name: str) -> str:
    kind = _field_kind(model, name)
    return name if kind == "string" else f"{name}:{kind}"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ARRAY_DELIMITER.join(str(v) for v in value)
    return str(value)


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def _node_files(data: GraphData) -> dict[str, tuple[type[BaseModel], list[BaseModel]]]:
    groups: dict[str, tuple[type[BaseModel], list[BaseModel]]] = {}
    if data.papers:
        groups[NodeLabel.PAPER.value] = (Paper, list(data.papers))
    for entity in data.entities:
        groups.setdefault(entity.label.value, (Entity, []))[1].append(entity)
    if data.claims:
        groups[NodeLabel.CLAIM.value] = (Claim, list(data.claims))
    return groups


def export_csv(G: nx.MultiDiGraph, directory: str | Path) -> list[Path]:
    """Write the graph as CSV files for ``neo4j-admin database import``; returns the files.

    Load them into an empty database with the command of ``neo4j_admin_command``.
    List properties use ``;`` (neo4j-admin's default array delimiter) between items.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    data = graph_to_data(G)
    written: list[Path] = []
    for label, (model, nodes) in sorted(_node_files(data).items()):
        columns = _node_columns(model)
        header = ["id:ID", *(_typed(model, c) for c in columns), ":LABEL"]
        rows = [[n.id, *(_cell(getattr(n, c)) for c in columns), label] for n in nodes]
        path = directory / f"nodes_{label}.csv"
        _write_csv(path, header, rows)
        written.append(path)
    columns = [n for n in Edge.model_fields if n not in _EDGE_SPECIAL]
    header = [":START_ID", ":END_ID", ":TYPE", *(_typed(Edge, c) for c in columns)]
    for edge_type in sorted({e.type.value for e in data.edges}):
        edges = [e for e in data.edges if e.type.value == edge_type]
        rows = [[e.source, e.target, edge_type, *(_cell(getattr(e, c)) for c in columns)] for e in edges]
        path = directory / f"relationships_{edge_type}.csv"
        _write_csv(path, header, rows)
        written.append(path)
    return written


def neo4j_admin_command(directory: str | Path, database: str = "neo4j") -> str:
    """The ``neo4j-admin database import full`` command line for an ``export_csv`` folder."""
    directory = Path(directory)
    parts = ["neo4j-admin database import full", database, "--overwrite-destination"]
    parts += [f"--nodes={p}" for p in sorted(directory.glob("nodes_*.csv"))]
    parts += [f"--relationships={p}" for p in sorted(directory.glob("relationships_*.csv"))]
    return " ".join(parts)


def _parse_cell(model: type[BaseModel], name: str, kind: str, text: str) -> Any:
    if text == "":
        if kind == "string[]":
            return []
        field = model.model_fields[name]
        return None if not field.is_required() and field.default is None else ""
    if kind == "string[]":
        return text.split(ARRAY_DELIMITER)
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text)
    return text


_SPECIAL_COLUMNS = {"id:ID": "id", ":START_ID": "source", ":END_ID": "target", ":TYPE": "type", ":LABEL": None}


def _read_rows(path: Path, model: type[BaseModel]) -> list[dict[str, Any]]:
    """Parse one CSV file of ``export_csv`` into dicts that ``model`` validates."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = []
        for cells in reader:
            row: dict[str, Any] = {}
            for column, text in zip(header, cells, strict=True):
                if column in _SPECIAL_COLUMNS:
                    if _SPECIAL_COLUMNS[column]:
                        row[_SPECIAL_COLUMNS[column]] = text
                    continue
                name, _, kind = column.partition(":")
                row[name] = _parse_cell(model, name, kind or "string", text)
            rows.append(row)
        return rows


def read_csv_export(directory: str | Path) -> nx.MultiDiGraph:
    """Read a folder written by ``export_csv`` back into the kg graph."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InputError(f"no CSV export folder at {directory}")
    data = GraphData()
    for path in sorted(directory.glob("nodes_*.csv")):
        label = path.stem.removeprefix("nodes_")
        if label == NodeLabel.PAPER.value:
            data.papers.extend(Paper.model_validate(r) for r in _read_rows(path, Paper))
        elif label == NodeLabel.CLAIM.value:
            data.claims.extend(Claim.model_validate(r) for r in _read_rows(path, Claim))
        else:
            data.entities.extend(Entity.model_validate(r) for r in _read_rows(path, Entity))
    for path in sorted(directory.glob("relationships_*.csv")):
        data.edges.extend(Edge.model_validate(r) for r in _read_rows(path, Edge))
    return build_graph(data)
