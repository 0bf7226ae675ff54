"""The one graph builder: ``GraphData`` in, a ``networkx.MultiDiGraph`` out, and back.

Every store, export and embedded query works on this graph, so it keeps every
property of every model: a node is keyed by its id and carries ``label`` (a
``NodeLabel`` value) plus the ``model_dump(mode="json")`` of its Paper, Entity
or Claim; an edge is keyed by its ``EdgeType`` value and carries every field of
its ``Edge``. ``graph_to_data`` is the exact inverse, so a store can keep only
the graph and still give back the linker's output.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx
from pydantic import ValidationError

from kg.errors import SchemaError
from kg.models import Claim, Edge, Entity, GraphData, NodeLabel, Paper

ENTITY_LABELS: frozenset[str] = frozenset(
    {NodeLabel.DATASET, NodeLabel.MODEL, NodeLabel.METHOD, NodeLabel.METRIC, NodeLabel.TASK}
)


def node_label(node: Paper | Entity | Claim) -> NodeLabel:
    """The label of a model instance, so callers never branch on Python types themselves."""
    if isinstance(node, Paper):
        return NodeLabel.PAPER
    if isinstance(node, Claim):
        return NodeLabel.CLAIM
    return node.label


def _add_node(G: nx.MultiDiGraph, node: Paper | Entity | Claim) -> None:
    if node.id in G:
        raise SchemaError(
            f"duplicate node id {node.id!r} ({G.nodes[node.id]['label']} and {node_label(node).value})"
        )
    G.add_node(node.id, label=node_label(node).value, **node.model_dump(mode="json"))


def _add_edge(G: nx.MultiDiGraph, edge: Edge) -> None:
    """Add one edge; a repeated (source, type, target) merges its paper ids into the first."""
    for end, label in ((edge.source, edge.source_label), (edge.target, edge.target_label)):
        if end not in G:
            raise SchemaError(f"edge {edge.source!r} -[:{edge.type.value}]-> {edge.target!r}: no node {end!r}")
        if G.nodes[end]["label"] != label.value:
            raise SchemaError(
                f"edge {edge.source!r} -[:{edge.type.value}]-> {edge.target!r}: node {end!r} is "
                f"{G.nodes[end]['label']}, the edge says {label.value}"
            )
    key = edge.type.value
    if G.has_edge(edge.source, edge.target, key):
        attrs = G.edges[edge.source, edge.target, key]
        attrs["paper_ids"] = list(dict.fromkeys([*attrs["paper_ids"], *edge.paper_ids]))
        return
    G.add_edge(edge.source, edge.target, key=key, **edge.model_dump(mode="json"))


def build_graph(data: GraphData) -> nx.MultiDiGraph:
    """Build the typed multigraph of papers, entities, claims and their edges.

    Args:
        data: the linker's output.

    Returns:
        A ``MultiDiGraph`` with one node per paper, entity and claim and one edge
        per distinct (source, type, target); repeated edges merge their paper ids.

    Raises:
        SchemaError: a duplicate node id, or an edge whose end is missing or has
            another label than the edge says.

    Example:
        >>> G = build_graph(GraphData(papers=[Paper(id="p1", title="T", abstract="A")]))
        >>> G.nodes["p1"]["label"]
        'Paper'
    """
    G = nx.MultiDiGraph()
    for node in [*data.papers, *data.entities, *data.claims]:
        _add_node(G, node)
    for edge in data.edges:
        _add_edge(G, edge)
    return G


_NODE_MODELS: dict[str, type[Paper] | type[Entity] | type[Claim]] = {
    NodeLabel.PAPER.value: Paper,
    NodeLabel.CLAIM.value: Claim,
    **{label: Entity for label in ENTITY_LABELS},
}


def _node_model(node_id: str, attrs: dict[str, Any]) -> Paper | Entity | Claim:
    label = attrs.get("label")
    if label not in _NODE_MODELS:
        raise SchemaError(f"node {node_id!r} has no known label: {label!r}")
    props = {k: v for k, v in attrs.items() if k not in ("label", "labels")}
    props.setdefault("id", node_id)
    try:
        return _NODE_MODELS[label].model_validate(props)
    except ValidationError as e:
        raise SchemaError(f"node {node_id!r} ({label}) does not fit the schema: {e}") from e


def _edge_model(u: str, v: str, key: str, attrs: dict[str, Any]) -> Edge:
    props = {"source": u, "target": v, "type": key, **attrs}
    try:
        return Edge.model_validate(props)
    except ValidationError as e:
        raise SchemaError(f"edge {u!r} -[:{key}]-> {v!r} does not fit the schema: {e}") from e


def graph_to_data(G: nx.MultiDiGraph) -> GraphData:
    """Turn a graph made by ``build_graph`` (or read back from a store) into ``GraphData``.

    Nodes come back in insertion order; edges grouped by source node (networkx's
    adjacency order), so ``graph_to_data(build_graph(d))`` equals ``d`` up to the
    order of its edges, and exactly after one round trip.

    Raises:
        SchemaError: a node without a known label, or a node or edge whose
            attributes no longer fit the models.
    """
    papers: list[Paper] = []
    entities: list[Entity] = []
    claims: list[Claim] = []
    for node_id, attrs in G.nodes(data=True):
        node = _node_model(node_id, attrs)
        target = papers if isinstance(node, Paper) else claims if isinstance(node, Claim) else entities
        target.append(node)
    edges = [_edge_model(u, v, k, d) for u, v, k, d in G.edges(keys=True, data=True)]
    return GraphData(papers=papers, entities=entities, claims=claims, edges=edges)


def graph_counts(G: nx.MultiDiGraph) -> dict[str, dict[str, int]]:
    """Nodes per label and edges per type, sorted by name, for stats and manifests."""
    nodes = Counter(attrs.get("label", "") for _, attrs in G.nodes(data=True))
    edges = Counter(key for _, _, key in G.edges(keys=True))
    return {"nodes": dict(sorted(nodes.items())), "edges": dict(sorted(edges.items()))}
