"""What a backend of the named queries is, and where the Cypher of each query lives.

A backend answers two questions: which entity id does a typed name mean
(``resolve``, from the backend's own indexes) and what rows does a query give
for resolved ids (``run``). Three implement it: ``kg.query.sqlite.StoreBackend``
(an embedded store), ``kg.query.neo4j.Neo4jBackend`` (the files of ``cypher/``,
run as they are, so what a user pastes into Neo4j Browser is exactly what kg
runs) and ``kg.query.graph.GraphBackend`` (a networkx graph: the reference).
"""

from __future__ import annotations

import importlib.resources
from functools import cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import kg
from kg.errors import QueryError
from kg.query.registry import QuerySpec, Row


@runtime_checkable
class Backend(Protocol):
    """What ``run_query`` needs from a backend."""

    def resolve(self, name: str, labels: tuple[str, ...]) -> str:
        """The id of the entity ``name`` means among ``labels`` (see ``kg.query.resolve``).

        Raises:
            QueryError: nothing matches; the message suggests close names.
        """
        ...

    def run(self, spec: QuerySpec, params: dict[str, Any], limit: int | None = None) -> list[Row]:
        """The rows of ``spec`` for resolved ids (``params`` by ``Param.cypher``).

        ``limit`` keeps the first rows of the query's fixed order (``None``: all); a backend may
        stop early (the store does for ``methods-on``), never give other rows than the first ones.
        """
        ...


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
