"""Stores of the graph: the embedded SQLite store here, Neo4j in ``kg.store.neo4j``.

``kg.store.neo4j`` is imported only by the code that talks to Neo4j, so the
embedded store works without a server or a driver connection.
"""

from kg.store.embedded import (
    DEFAULT_STORE,
    STORE_ENV,
    Store,
    create_store,
    default_store_path,
    fresh_store,
    load_store,
    open_store,
    save_store,
)

__all__ = [
    "DEFAULT_STORE",
    "STORE_ENV",
    "Store",
    "create_store",
    "default_store_path",
    "fresh_store",
    "load_store",
    "open_store",
    "save_store",
]
