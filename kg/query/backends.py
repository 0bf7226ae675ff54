"""The two places a named query runs: the embedded graph and Neo4j.

A backend answers two questions: which entities could a name mean
(``candidates``) and what rows does a query give for resolved ids (``run``).
The Neo4j backend runs the query files of ``cypher/`` as they are, so what a
user pastes into Neo4j Browser is exactly what kg runs.
"""

from __future__ import annotations

import importlib.resources
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import networkx as nx

import kg
from kg.errors import QueryError
from kg.query.embedded import QUERY_FUNCTIONS, Row
from kg.query.registry import QuerySpec
from kg.query.resolve import Candidate, candidates_from_graph


class Backend(Protocol):
    """What ``run_query`` needs from a backend."""

    def candidates(self, labels: tuple[str, ...]) -> list[Candidate]: ...

    def run(self, spec: QuerySpec, params: dict[str, Any]) -> list[Row]: ...


class EmbeddedBackend:
    """Named queries on the networkx graph of an embedded store."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph

    def candidates(self, labels: tuple[str, ...]) -> list[Candidate]:
        return candidates_from_graph(self.graph, labels)

    def run(self, spec: QuerySpec, params: dict[str, Any]) -> list[Row]:
        return QUERY_FUNCTIONS[spec.name](self.graph, **params)


def cypher_dir() -> Path:
    """Where the query files are: ``kg/_cypher`` in a wheel, else the repo's ``cypher/``."""
    packaged = importlib.resources.files("kg") / "_cypher"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(kg.__file__).resolve().parent.parent / "cypher"


@cache
def load_cypher(name: str) -> str:
    """The text of ``cypher/<name>.cypher``.

    Raises:
        QueryError: the file is missing (a broken install).
    """
    path = cypher_dir() / f"{name}.cypher"
    try:
        return path.read_text(encoding="utf-8")
    except OSError as e:
        raise QueryError(f"no query file {path}: the kg install is incomplete") from e


ENTITY_CANDIDATES = """\
MATCH (n)
WHERE any(label IN labels(n) WHERE label IN $labels)
RETURN n.id AS id, [label IN labels(n) WHERE label IN $labels][0] AS label,
       coalesce(n.name, n.title, n.id) AS name, coalesce(n.aliases, []) AS aliases
ORDER BY id"""


class Neo4jBackend:
    """Named queries on Neo4j through ``kg.store.neo4j.run_read``.

    Entity candidates are fetched once per label set, so a query with two names
    (``path A B``) costs one round trip for resolution.
    """

    def __init__(self, driver: Any, database: str | None = None) -> None:
        self.driver = driver
        self.database = database
        self._candidates: dict[tuple[str, ...], list[Candidate]] = {}

    def _read(self, cypher: str, params: dict[str, Any]) -> list[Row]:
        from kg.store.neo4j import run_read

        return run_read(self.driver, cypher, params, self.database)

    def candidates(self, labels: tuple[str, ...]) -> list[Candidate]:
        key = tuple(sorted(labels))
        if key not in self._candidates:
            rows = self._read(ENTITY_CANDIDATES, {"labels": list(key)})
            self._candidates[key] = [
                Candidate(r["id"], r["label"], r["name"], tuple(r["aliases"] or ())) for r in rows
            ]
        return self._candidates[key]

    def run(self, spec: QuerySpec, params: dict[str, Any]) -> list[Row]:
        rows = self._read(load_cypher(spec.name), params)
        return [{column: row.get(column) for column in spec.columns} for row in rows]
