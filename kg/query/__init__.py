"""Named queries with the same rows on an embedded store, on Neo4j and on a networkx graph.

Example:
    >>> from kg.store import open_store
    >>> with open_store("kg-out") as store:  # doctest: +SKIP
    ...     rows = query(store, "papers-using", dataset="gsm8k")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kg.errors import QueryError
from kg.query.backends import Backend, cypher_dir, load_cypher
from kg.query.neo4j import Neo4jBackend
from kg.query.registry import QUERIES, Param, QuerySpec, Row, get_query
from kg.query.resolve import Candidate, resolve, resolve_name
from kg.query.sqlite import StoreBackend

if TYPE_CHECKING:
    import networkx as nx

    from kg.query.graph import GraphBackend
    from kg.store.embedded import Store


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
        params[param.cypher] = backend.resolve(str(value), tuple(label.value for label in param.labels))
    if spec.name == "path" and params["a"] == params["b"]:
        raise QueryError(f"path needs two different entities; {args['a']!r} and {args['b']!r} are both {params['a']}")
    return params


def as_backend(backend: Backend | Store | nx.MultiDiGraph) -> Backend:
    """A backend for ``run_query``: a store gets a ``StoreBackend``, a networkx graph a ``GraphBackend``.

    Raises:
        TypeError: ``backend`` is none of these and has no ``resolve`` and ``run``.
    """
    if isinstance(backend, Backend):
        return backend
    from kg.store.embedded import Store

    if isinstance(backend, Store):
        return StoreBackend(backend)
    import networkx as nx

    if isinstance(backend, nx.MultiDiGraph):
        from kg.query.graph import GraphBackend

        return GraphBackend(backend)
    raise TypeError(f"cannot run a query on {type(backend).__name__}: give a Store, a backend or a networkx graph")


def run_query(
    name: str, args: dict[str, Any], backend: Backend | Store | nx.MultiDiGraph, limit: int | None = None
) -> list[Row]:
    """Run a named query: check its arguments, resolve entity names, return rows.

    Args:
        name: a key of ``QUERIES`` (``papers-using``, ``leaderboard``, ...).
        args: the query's parameters by ``Param.name`` (``{"dataset": "GSM8K"}``).
        backend: an open ``kg.store.embedded.Store``, a ``StoreBackend``, a
            ``Neo4jBackend``, or a networkx graph (the reference, for tests).
        limit: at most this many rows, the first of the fixed order (``None``: all).

    Returns:
        Rows as dicts with the keys of ``QUERIES[name].columns``, in a fixed order.

    Raises:
        QueryError: unknown query, missing or unknown parameter, an entity
            name that resolves to nothing (with suggestions), or a ``path``
            search past its bounds.
    """
    spec = get_query(name)
    _check_args(spec, args)
    if limit is not None and limit < 0:
        raise QueryError(f"limit must be 0 or more, not {limit}")
    backend = as_backend(backend)
    return backend.run(spec, _resolve_params(spec, args, backend), limit)


def query(store: Store, name: str, limit: int | None = None, **args: Any) -> list[Row]:
    """The rows of a named query on an embedded store: what ``kg query NAME ... --json`` prints.

    ``Store.query(name, **args)`` calls this.

    Args:
        store: an open store (read-only is enough).
        name: a key of ``QUERIES``.
        limit: at most this many rows, the first ones (``None``: all; ``kg query`` shows 200 by default).
        **args: the query's parameters by ``Param.name``; ``None`` means not given.

    Raises:
        QueryError: as ``run_query``.

    Example:
        >>> query(open_store("kg-out"), "leaderboard", dataset="GSM8K", metric="accuracy")  # doctest: +SKIP
    """
    return run_query(name, {k: v for k, v in args.items() if v is not None}, store, limit)


def __getattr__(name: str) -> Any:
    # GraphBackend pulls in networkx, which a query on a store does not need.
    if name == "GraphBackend":
        from kg.query.graph import GraphBackend

        return GraphBackend
    raise AttributeError(f"module 'kg.query' has no attribute {name!r}")


__all__ = [
    "QUERIES",
    "Backend",
    "Candidate",
    "GraphBackend",
    "Neo4jBackend",
    "Param",
    "QuerySpec",
    "Row",
    "StoreBackend",
    "as_backend",
    "cypher_dir",
    "get_query",
    "load_cypher",
    "query",
    "resolve",
    "resolve_name",
    "run_query",
]
