"""Stores of the graph: the embedded folder store here, Neo4j in ``kg.store.neo4j``.

``kg.store.neo4j`` is imported only by the code that talks to Neo4j, so the
embedded store works without a server or a driver connection.
"""

from kg.store.embedded import (
    DEFAULT_STORE,
    STORE_ENV,
    Store,
    default_store_path,
    load_store,
    read_manifest,
    save_store,
)

__all__ = [
    "DEFAULT_STORE",
    "STORE_ENV",
    "Store",
    "default_store_path",
    "load_store",
    "read_manifest",
    "save_store",
]
