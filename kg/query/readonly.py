"""Read-only ad-hoc Cypher for ``kg cypher``: Neo4j classifies the query, kg checks its plan.

A read transaction alone is not enough: Neo4j runs ``LOAD CSV`` (host files,
URLs), ``SHOW``/``TERMINATE TRANSACTIONS`` and read-mode procedures such as
``dbms.listConfig`` in it. So before a statement runs, kg asks the server to
plan it (``EXPLAIN``, which executes nothing) and accepts it only when

1. the server's own query type (``ResultSummary.query_type``) is ``"r"`` (read
   only: not ``"rw"``, ``"w"`` or ``"s"`` for schema and administration);
2. no operator of the plan reads outside the graph or acts on the server:
   ``LoadCSV``, administration commands, ``Terminate...``, and ``Show...``
   commands other than ``SHOW INDEXES`` / ``SHOW CONSTRAINTS``;
3. every procedure it calls is in ``ALLOWED_PROCEDURES``: the schema
   introspection procedures and the full-text index search.

Then it runs in a read access-mode transaction (``run_read``), so whatever the
plan check missed still cannot write. The server side also refuses file URLs in
``LOAD CSV`` (``dbms.security.allow_csv_import_from_file_urls=false`` in
``scripts/neo4j-local`` and ``docker-compose.yml``).

Example:
    >>> refusal("r", {"operatorType": "ProduceResults@neo4j", "args": {}, "children": [
    ...     {"operatorType": "LoadCSV@neo4j", "args": {"Details": "r"}, "children": []}]})
    'LOAD CSV reads files and URLs of the server'
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import neo4j
from neo4j import exceptions as driver_errors

from kg.errors import Neo4jError

# Read-only procedures that only describe the graph or search its full-text index.
ALLOWED_PROCEDURES = frozenset({
    "db.labels",
    "db.relationshipTypes",
    "db.propertyKeys",
    "db.schema.visualization",
    "db.schema.nodeTypeProperties",
    "db.schema.relTypeProperties",
    "db.index.fulltext.queryNodes",
    "db.index.fulltext.queryRelationships",
})
# SHOW commands that describe the graph's schema (the others show users, transactions, settings, servers).
ALLOWED_SHOW = frozenset({"ShowIndexes", "ShowConstraints"})
_REFUSED = {
    "LoadCSV": "LOAD CSV reads files and URLs of the server",
    "AdministrationCommand": "administration commands (users, roles, databases, servers) are not queries",
}
_PROCEDURE = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*\(")
_QUERY_TYPES = {"rw": "reads and writes", "w": "writes", "s": "changes the schema or administers the server"}


def plan_operators(plan: dict[str, Any] | None) -> Iterator[tuple[str, str]]:
    """``(operator, details)`` of every operator of a Bolt plan (``ResultSummary.plan``), depth first.

    ``"LoadCSV@neo4j"`` gives ``"LoadCSV"``. Walked with a stack, so a deep plan cannot recurse too far.
    """
    stack = [plan] if plan else []
    while stack:
        node = stack.pop()
        operator = str(node.get("operatorType", "")).split("@", 1)[0]
        details = str((node.get("args") or {}).get("Details", ""))
        yield operator, details
        stack.extend(reversed(node.get("children") or []))


def refusal(query_type: str | None, plan: dict[str, Any] | None) -> str | None:
    """Why a planned statement may not run in ``kg cypher``, or None when it is a plain read."""
    if query_type != "r":
        return f"the query {_QUERY_TYPES.get(str(query_type), f'is of type {query_type!r}')}"
    if not plan:
        return "Neo4j returned no plan to check"
    for operator, details in plan_operators(plan):
        if operator in _REFUSED:
            return _REFUSED[operator]
        if operator.startswith("Terminate"):
            return "TERMINATE acts on other users' transactions"
        if operator.startswith("Show") and operator not in ALLOWED_SHOW:
            words = re.sub(r"(?<!^)(?=[A-Z])", " ", operator).upper()
            return f"{words} shows the server's state, not the graph (allowed: SHOW INDEXES, SHOW CONSTRAINTS)"
        if "ProcedureCall" in operator:
            match = _PROCEDURE.match(details)
            name = match.group(1) if match else details.split("(")[0].strip()
            if name not in ALLOWED_PROCEDURES:
                return f"procedure {name or '?'} is not one kg cypher allows ({', '.join(sorted(ALLOWED_PROCEDURES))})"
    return None


def _first_line(statement: str) -> str:
    first = next((line.strip() for line in statement.splitlines() if line.strip()), "")
    return first if len(first) <= 80 else first[:79] + "…"


def check_read_only(driver: neo4j.Driver, statement: str, params: dict[str, Any] | None = None,
                    database: str | None = "neo4j") -> None:
    """Plan ``statement`` with ``EXPLAIN`` (nothing runs) and refuse it unless it only reads the graph.

    Raises:
        Neo4jError: "refused: ..." with the reason, or the server rejects the statement
            (syntax) or cannot be reached.
    """
    first = _first_line(statement)
    try:
        with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
            summary = session.run("EXPLAIN " + statement, params or {}).consume()
    except driver_errors.ClientError as e:
        raise Neo4jError(f"Neo4j rejected the query {first!r}: {' '.join(str(e.message).split())}") from e
    except (driver_errors.DriverError, driver_errors.Neo4jError, OSError) as e:
        raise Neo4jError(f"Neo4j read failed ({first!r}): {' '.join(str(e).split())}") from e
    reason = refusal(summary.query_type, summary.plan)
    if reason is not None:
        raise Neo4jError(f"refused: kg cypher runs read-only queries of the graph only; {reason}: {first!r}")


def run_read_only(driver: neo4j.Driver, statement: str, params: dict[str, Any] | None = None,
                  database: str | None = "neo4j") -> list[dict[str, Any]]:
    """Rows of an ad-hoc statement that ``check_read_only`` accepts, run in a read transaction.

    Raises:
        Neo4jError: the statement is refused or fails, or the server cannot be reached.
    """
    from kg.store.neo4j import run_read

    check_read_only(driver, statement, params, database)
    return run_read(driver, statement, params, database)
