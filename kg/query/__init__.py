"""Named queries with the same rows on the embedded store and on Neo4j.

Example:
    >>> from kg.store import load_store
    >>> rows = run_query("papers-using", {"dataset": "gsm8k"}, load_store("kg-out").graph)  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from kg.errors import QueryError
from kg.query.backends import Backend, EmbeddedBackend, Neo4jBackend, cypher_dir, load_cypher
from kg.query.embedded import Row
from kg.query.registry import QUERIES, Param, QuerySpec, get_query
from kg.query.resolve import Candidate, resolve, resolve_name


def _check_args(spec: QuerySpec, args: dict[str, Any]) -> None:
    known = {p.name for p in spec.params}
    unknown = sorted(set(args) - known)
    if unknown:
        raise QueryError(f"query {spec.name!r} takes no parameter {unknown[0]!r}; it takes: {', '.join(known)}")
    for param in spec.positional:
        if args.get(param.name) in (None, ""):
            usage = " ".join(p.name.upper() for p in spec.positional)
            raise QueryError(f"query {spec.name!r} needs {param.name.upper()}: kg query {spec.name} {usage}")


def _resolve_params(spec: QuerySpec, args: dict[str, Any], backend: Backend) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for param in spec.params:
        value = args.get(param.name)
        if value in (None, ""):
            params[param.cypher] = None
            continue
        labels = tuple(label.value for label in param.labels)
        params[param.cypher] = resolve_name(backend.candidates(labels), str(value), labels)
    if spec.name == "path" and params["a"] == params["b"]:
        raise QueryError(f"path needs two different entities; {args['a']!r} and {args['b']!r} are both {params['a']}")
    return params


def as_backend(backend: Backend | nx.MultiDiGraph) -> Backend:
    """Accept a graph for the embedded backend, or any backend object as it is."""
    return EmbeddedBackend(backend) if isinstance(backend, nx.MultiDiGraph) else backend


def run_query(name: str, args: dict[str, Any], backend: Backend | nx.MultiDiGraph) -> list[Row]:
    """Run a named query: check its arguments, resolve entity names, return rows.

    Args:
        name: a key of ``QUERIES`` (``papers-using``, ``leaderboard``, ...).
        args: the query's parameters by ``Param.name`` (``{"dataset": "GSM8K"}``).
        backend: an ``EmbeddedBackend``, a ``Neo4jBackend``, or a graph.

    Returns:
        Rows as dicts with the keys of ``QUERIES[name].columns``, in a fixed order.

    Raises:
        QueryError: unknown query, missing or unknown parameter, or an entity
            name that resolves to nothing (with suggestions).
    """
    spec = get_query(name)
    _check_args(spec, args)
    backend = as_backend(backend)
    return backend.run(spec, _resolve_params(spec, args, backend))


__all__ = [
    "QUERIES",
    "Backend",
    "Candidate",
    "EmbeddedBackend",
    "Neo4jBackend",
    "Param",
    "QuerySpec",
    "Row",
    "as_backend",
    "cypher_dir",
    "get_query",
    "load_cypher",
    "resolve",
    "resolve_name",
    "run_query",
]
