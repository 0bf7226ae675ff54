"""The in-memory graph (networkx) that every store, export and embedded query shares."""

from kg.graph.builder import ENTITY_LABELS, build_graph, graph_counts, graph_to_data, node_label
from kg.graph.export import (
    export_csv,
    export_graphml,
    export_node_link,
    neo4j_admin_command,
    node_link_data,
    node_link_to_graph,
    read_csv_export,
    read_graphml,
    read_node_link,
)

__all__ = [
    "ENTITY_LABELS",
    "build_graph",
    "export_csv",
    "export_graphml",
    "export_node_link",
    "graph_counts",
    "graph_to_data",
    "neo4j_admin_command",
    "node_label",
    "node_link_data",
    "node_link_to_graph",
    "read_csv_export",
    "read_graphml",
    "read_node_link",
]
