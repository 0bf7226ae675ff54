"""Exports of the graph for other tools, and the readers that take them back.

Three formats, each for a different user:

- GraphML for Gephi and Cytoscape: typed attributes, no missing values written
  as ``None``, lists as JSON-encoded strings, and a ``labels`` node attribute
  (``":Dataset"``) as Neo4j's own GraphML export writes it.
- node-link JSON (networkx ``node_link_data`` with ``edges="edges"``) for
  programs.
- CSV in the ``neo4j-admin database import`` layout, the fast path for loading
  a large graph into an empty Neo4j database: one ``nodes_<Label>.csv`` per
  label and one ``relationships_<TYPE>.csv`` per type, with typed headers.

Every ``export_*`` function takes either a networkx graph (``build_graph``'s)
or a *graph source*: an embedded ``Store`` or anything else with
``iter_papers``, ``iter_entities``, ``iter_claims`` and ``iter_edges`` (edges
in any order that keeps the rows of one (source, type, target) together, such
as the store's). A source is written as it streams, one node or edge at a time,
so exporting a store never builds the whole graph in memory.

The readers rebuild a graph equal to the one written, so tests (and users) can
check that nothing was lost on the way out.

Example:
    >>> with open_store("kg-out") as store:  # doctest: +SKIP
    ...     export_graphml(store, "kg.graphml")
"""

from __future__ import annotations

import contextlib
import csv
import functools
import json
import re
import types
import typing
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import IO, Any, Protocol, TextIO
from xml.sax.saxutils import escape, quoteattr

import networkx as nx
from pydantic import BaseModel

from kg.errors import InputError
from kg.graph.builder import build_graph, graph_to_data, node_label
from kg.io.atomic import atomic_dir, atomic_file
from kg.models import Claim, Edge, Entity, GraphData, NodeLabel, Paper

ARRAY_DELIMITER = ";"
_EDGE_SPECIAL = ("source", "target", "type")
_SOURCE_METHODS = ("iter_papers", "iter_entities", "iter_claims", "iter_edges")


class GraphSource(Protocol):
    """What the streaming writers read: a ``kg.store.Store``, or anything with these four iterators."""

    def iter_papers(self) -> Iterable[Paper]: ...

    def iter_entities(self) -> Iterable[Entity]: ...

    def iter_claims(self) -> Iterable[Claim]: ...

    def iter_edges(self) -> Iterable[Edge]:
        """Edges with the repeats of one (source, type, target) adjacent; they are merged as ``build_graph`` does."""
        ...


Exportable = nx.MultiDiGraph | GraphSource


def is_graph_source(x: Any) -> bool:
    """True for a store (or another object with the four iterators), False for a networkx graph."""
    return not isinstance(x, nx.Graph) and all(callable(getattr(x, name, None)) for name in _SOURCE_METHODS)


class _DataSource:
    """``GraphData`` (or a graph turned into it) seen as a graph source."""

    def __init__(self, data: GraphData) -> None:
        self.data = data

    def iter_papers(self) -> Iterator[Paper]:
        return iter(self.data.papers)

    def iter_entities(self) -> Iterator[Entity]:
        return iter(self.data.entities)

    def iter_claims(self) -> Iterator[Claim]:
        return iter(self.data.claims)

    def iter_edges(self) -> Iterator[Edge]:
        return iter(self.data.edges)


def _check_exportable(x: Any) -> None:
    if not is_graph_source(x) and not isinstance(x, nx.Graph):
        raise TypeError(f"cannot export {type(x).__name__}: expected a networkx graph or a kg store")


def _as_source(x: Exportable) -> GraphSource:
    _check_exportable(x)
    return x if is_graph_source(x) else _DataSource(graph_to_data(x))


def _nodes(source: GraphSource) -> Iterator[Paper | Entity | Claim]:
    return chain(source.iter_papers(), source.iter_entities(), source.iter_claims())


def _merged_edges(source: GraphSource) -> Iterator[Edge]:
    """The source's edges with consecutive repeats of one (source, type, target) merged.

    As in ``build_graph``, the first edge's attributes are kept and the paper
    ids of the others are appended (each once).
    """
    pending: Edge | None = None
    for edge in source.iter_edges():
        if pending is not None and edge.key == pending.key:
            merged = list(dict.fromkeys([*pending.paper_ids, *edge.paper_ids]))
            pending = pending.model_copy(update={"paper_ids": merged})
            continue
        if pending is not None:
            yield pending
        pending = edge
    if pending is not None:
        yield pending


def _node_attrs(node: Paper | Entity | Claim) -> dict[str, Any]:
    """A node's attributes exactly as ``build_graph`` sets them."""
    return {"label": node_label(node).value, **node.model_dump(mode="json")}


@contextlib.contextmanager
def _atomic_text(path: Path) -> Iterator[TextIO]:
    """A text file that appears at ``path`` only when the block ends without error (``kg.io.atomic``)."""
    with atomic_file(path, "w", encoding="utf-8", newline="") as f:
        yield f


def _field_kind(model: type[BaseModel], name: str) -> str:
    """The neo4j-admin type of a model field: ``int``, ``float``, ``boolean``, ``string[]`` or ``string``."""
    annotation = model.model_fields[name].annotation
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        annotation = args[0]
    if typing.get_origin(annotation) is list:
        return "string[]"
    if annotation is bool:
        return "boolean"
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


# --------------------------------------------------------------- GraphML


def _graphml_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    """Attributes GraphML can hold: no ``None``, lists as JSON, no code point XML 1.0 refuses."""
    out = {}
    for k, v in attrs.items():
        if v is None:
            continue
        if isinstance(v, list | dict):
            v = json.dumps(v, ensure_ascii=False)
        out[k] = _INVALID.sub("\ufffd", v) if isinstance(v, str) else v
    return out


def to_graphml_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``G`` that GraphML can hold: no ``None``, lists as JSON, a ``labels`` attr."""
    H = nx.MultiDiGraph()

    def xml_id(node: Any) -> Any:
        return _INVALID.sub("\ufffd", node) if isinstance(node, str) else node

    for n, attrs in G.nodes(data=True):
        H.add_node(xml_id(n), **_graphml_attrs(attrs), labels=f":{attrs['label']}")
    for u, v, k, attrs in G.edges(keys=True, data=True):
        H.add_edge(xml_id(u), xml_id(v), key=k, **_graphml_attrs(attrs))
    return H


# GraphML attr.type of each neo4j-admin kind (networkx writes Python int as "long").
_GRAPHML_TYPES = {"int": "long", "float": "double", "boolean": "boolean", "string": "string", "string[]": "string"}
_GRAPHML_NS = (
    'xmlns="http://graphml.graphdrawing.org/xmlns" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"'
)
# Characters XML 1.0 cannot hold at all, not even as character references: they become U+FFFD.
_XML_INVALID = "\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff"
_INVALID = re.compile(f"[{_XML_INVALID}]")
_NEEDS_TEXT_ESCAPE = re.compile(f"[&<>\r{_XML_INVALID}]")
_NEEDS_ATTR_ESCAPE = re.compile(f"[&<>\"'\r\n\t{_XML_INVALID}]")
_TEXT_ENTITIES = {"\r": "&#13;"}
_ATTR_ENTITIES = {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}


def _graphml_keys() -> dict[str, dict[str, str]]:
    """``{"node"|"edge": {attribute name: GraphML type}}`` from the pydantic models."""
    node = {"label": "string", "labels": "string"}
    for model in (Paper, Entity, Claim):
        for name in model.model_fields:
            node.setdefault(name, _GRAPHML_TYPES[_field_kind(model, name)])
    edge = {name: _GRAPHML_TYPES[_field_kind(Edge, name)] for name in Edge.model_fields}
    return {"node": node, "edge": edge}


def _key_ids(keys: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """The id of each key: its name, or ``edge_<name>`` for an edge key a node key already names
    (key ids are unique in a GraphML file; readers go by ``attr.name``)."""
    ids = {"node": {name: name for name in keys["node"]}, "edge": {}}
    for name in keys["edge"]:
        ids["edge"][name] = f"edge_{name}" if name in keys["node"] else name
    return ids


def _xml_text(value: Any) -> str:
    """A property value as GraphML data text: lists and dicts as JSON, XML-escaped.

    Characters that XML 1.0 cannot carry (C0 controls other than tab, newline
    and carriage return; lone surrogates) become U+FFFD; a carriage return is
    written as ``&#13;`` so that parsers do not turn it into a newline.
    """
    if isinstance(value, int | float):
        return str(value)
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else str(value)
    if not _NEEDS_TEXT_ESCAPE.search(text):
        return text
    return escape(_INVALID.sub("\ufffd", text), _TEXT_ENTITIES)


def _xml_attr(value: str) -> str:
    """``value`` as a quoted XML attribute value."""
    if not _NEEDS_ATTR_ESCAPE.search(value):
        return f'"{value}"'
    return quoteattr(_INVALID.sub("\ufffd", value), _ATTR_ENTITIES)


def _data_openers(ids: dict[str, str]) -> dict[str, str]:
    """The opening ``<data key=...>`` tag of each attribute, made once."""
    return {name: f"\n      <data key={_xml_attr(key)}>" for name, key in ids.items()}


def _data_elements(attrs: dict[str, Any], openers: dict[str, str]) -> str:
    return "".join(f"{openers[k]}{_xml_text(v)}</data>" for k, v in attrs.items() if v is not None)


def _write_graphml_stream(source: GraphSource, f: IO[str]) -> None:
    keys = _graphml_keys()
    ids = _key_ids(keys)
    f.write(f"<?xml version='1.0' encoding='utf-8'?>\n<graphml {_GRAPHML_NS}>\n")
    for scope in ("node", "edge"):
        for name, kind in keys[scope].items():
            f.write(
                f"  <key id={_xml_attr(ids[scope][name])} for=\"{scope}\" "
                f"attr.name={_xml_attr(name)} attr.type=\"{kind}\" />\n"
            )
    f.write('  <graph edgedefault="directed">\n')
    node_data, edge_data = _data_openers(ids["node"]), _data_openers(ids["edge"])
    for node in _nodes(source):
        attrs = _node_attrs(node)
        attrs["labels"] = f":{attrs['label']}"
        f.write(f"    <node id={_xml_attr(node.id)}>{_data_elements(attrs, node_data)}\n    </node>\n")
    for edge in _merged_edges(source):
        f.write(
            f"    <edge source={_xml_attr(edge.source)} target={_xml_attr(edge.target)} "
            f"id={_xml_attr(edge.type.value)}>{_data_elements(edge.model_dump(mode='json'), edge_data)}\n    </edge>\n"
        )
    f.write("  </graph>\n</graphml>\n")


def export_graphml(x: Exportable, path: str | Path) -> Path:
    """Write a graph or a store as GraphML for Gephi or Cytoscape; returns the path written.

    A store is streamed: keys are declared from the models, then every node,
    then every edge, without building the graph. ``read_graphml`` reads either back.

    Example:
        >>> export_graphml(G, "kg.graphml")  # doctest: +SKIP
    """
    _check_exportable(x)
    path = Path(path)
    if is_graph_source(x):
        with _atomic_text(path) as f:
            _write_graphml_stream(x, f)
        return path
    with atomic_file(path, "wb") as f:
        nx.write_graphml(to_graphml_graph(x), f, named_key_ids=True)
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


# ------------------------------------------------------------ node-link


def node_link_data(G: nx.MultiDiGraph) -> dict[str, Any]:
    """The node-link dict of ``G`` (edges under ``"edges"``)."""
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


def _write_json_array(f: IO[str], items: Iterable[dict[str, Any]]) -> None:
    f.write("[")
    for i, item in enumerate(items):
        f.write(", " if i else "")
        f.write(json.dumps(item, ensure_ascii=False))
    f.write("]")


def _write_node_link_stream(source: GraphSource, f: IO[str]) -> None:
    """``json.dump(node_link_data(G))`` of the source's graph, one node or edge at a time."""
    f.write('{"directed": true, "multigraph": true, "graph": {}, "nodes": ')
    _write_json_array(f, (_node_attrs(node) for node in _nodes(source)))
    f.write(', "edges": ')
    _write_json_array(f, ({**e.model_dump(mode="json"), "key": e.type.value} for e in _merged_edges(source)))
    f.write("}")


def export_node_link(x: Exportable, path: str | Path) -> Path:
    """Write a graph or a store as node-link JSON (a store is streamed); returns the path written."""
    _check_exportable(x)
    path = Path(path)
    with _atomic_text(path) as f:
        if is_graph_source(x):
            _write_node_link_stream(x, f)
        else:
            json.dump(node_link_data(x), f, ensure_ascii=False)
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
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ARRAY_DELIMITER.join(str(v) for v in value)
    return str(value)


_NODE_MODELS: dict[str, type[BaseModel]] = {NodeLabel.PAPER.value: Paper, NodeLabel.CLAIM.value: Claim}
_EDGE_COLUMNS = [n for n in Edge.model_fields if n not in _EDGE_SPECIAL]


class _CsvFiles:
    """The CSV files of one export, each opened with its header when its first row comes."""

    def __init__(self, directory: Path, stack: contextlib.ExitStack) -> None:
        self.directory = directory
        self.stack = stack
        self.writers: dict[str, Any] = {}

    def row(self, name: str, header: list[str], cells: list[str]) -> None:
        writer = self.writers.get(name)
        if writer is None:
            f = self.stack.enter_context((self.directory / name).open("w", encoding="utf-8", newline=""))
            writer = self.writers[name] = csv.writer(f)
            writer.writerow(header)
        writer.writerow(cells)

    def written(self) -> list[Path]:
        """Node files, then relationship files, each sorted by name."""
        names = sorted(self.writers, key=lambda n: (not n.startswith("nodes_"), n))
        return [self.directory / n for n in names]


@functools.cache
def _node_header(model: type[BaseModel]) -> tuple[list[str], list[str]]:
    """The property columns of a node file and its typed header."""
    columns = _node_columns(model)
    return columns, ["id:ID", *(_typed(model, c) for c in columns), ":LABEL"]


_EDGE_HEADER = [":START_ID", ":END_ID", ":TYPE", *(_typed(Edge, c) for c in _EDGE_COLUMNS)]


def _node_csv(files: _CsvFiles, node: Paper | Entity | Claim) -> None:
    label = node_label(node).value
    columns, header = _node_header(_NODE_MODELS.get(label, Entity))
    files.row(f"nodes_{label}.csv", header, [node.id, *(_cell(getattr(node, c)) for c in columns), label])


def _edge_csv(files: _CsvFiles, edge: Edge) -> None:
    edge_type = edge.type.value
    cells = [edge.source, edge.target, edge_type, *(_cell(getattr(edge, c)) for c in _EDGE_COLUMNS)]
    files.row(f"relationships_{edge_type}.csv", _EDGE_HEADER, cells)


# The files an export writes: a folder holding only these is replaced whole by the next export.
_CSV_EXPORT_FILE = re.compile(r"^(?:nodes|relationships)_\w+\.csv$")


def export_csv(x: Exportable, directory: str | Path) -> list[Path]:
    """Write a graph or a store as CSV files for ``neo4j-admin database import``; returns the files.

    A store is streamed row by row. One file per node label and per edge type
    that has rows; load them into an empty database with the command of
    ``neo4j_admin_command``. List properties use ``;`` (neo4j-admin's default
    array delimiter) between items. The files are written into a temporary folder
    beside ``directory`` and moved in at the end (``kg.io.atomic.atomic_dir``): a
    failed or killed export leaves the folder as it was.
    """
    directory = Path(directory)
    source = _as_source(x)
    with atomic_dir(directory, _CSV_EXPORT_FILE) as tmp, contextlib.ExitStack() as stack:
        files = _CsvFiles(tmp, stack)
        for node in _nodes(source):
            _node_csv(files, node)
        for edge in _merged_edges(source):
            _edge_csv(files, edge)
    return [directory / f.name for f in files.written()]


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
    if kind == "boolean":
        return text.lower() == "true"
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
