"""The in-memory graph (networkx) and the exports, which also stream straight from a store."""

from kg.graph.builder import ENTITY_LABELS, build_graph, graph_counts, graph_to_data, node_label
from kg.graph.export import (
    GraphSource,
    export_csv,
    export_graphml,
    export_node_link,
    is_graph_source,
    neo4j_admin_command,
    node_link_data,
    node_link_to_graph,
    read_csv_export,
    read_graphml,
    read_node_link,
)

__all__ = [
    "ENTITY_LABELS",
    "GraphSource",
    "build_graph",
    "export_csv",
    "export_graphml",
    "export_node_link",
    "graph_counts",
    "graph_to_data",
    "is_graph_source",
    "neo4j_admin_command",
    "node_label",
    "node_link_data",
    "node_link_to_graph",
    "read_csv_export",
    "read_graphml",
    "read_node_link",
]
