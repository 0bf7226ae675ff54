"""Named queries and name resolution on Neo4j, through ``kg.store.neo4j.run_read``.

Queries run the files of ``cypher/`` unchanged. Names resolve from the indexes
of ``cypher/schema.cypher``, never by fetching a label's nodes: the id
constraint, the ``<label>_name`` indexes and the ``<label>_keys`` TEXT indexes
over ``keys`` (``"|k1|k2|"``, the normalized name and aliases, see
``kg.store.neo4j.entity_keys``), so ``n.keys CONTAINS '|gsm8k|'`` finds a
spelling and ``n.keys CONTAINS '|gs'`` the suggestion pool. One query per
resolution (a UNION of index seeks over the asked labels), a second one only
when nothing matches. A database loaded by a kg older than ``keys`` resolves
ids and exact names only, until ``kg load`` runs again. The full-text index ``entity_names`` is not used: its
fuzzy matches work on words, not on the normalized keys every backend
suggests from, so the same typo would get other suggestions than on the
embedded store.

Example:
    >>> backend = Neo4jBackend(driver, "neo4j")  # doctest: +SKIP
    >>> backend.resolve("gsm-8k", ("Dataset",))  # doctest: +SKIP
    'dataset:gsm8k'
"""

from __future__ import annotations

from functools import cache
from typing import Any

from kg.models import NodeLabel, normalize_name
from kg.query.backends import load_cypher
from kg.query.registry import QuerySpec, Row
from kg.query.resolve import SUGGESTION_POOL, Candidate, Spelling, not_found, pick, prefix_of, suggest

_MATCH = (
    "MATCH (n:{label}) WHERE n.id = $name",
    "MATCH (n:{label}) WHERE n.name = $name",
    "MATCH (n:{label}) WHERE n.keys CONTAINS $key",
)
_MATCH_RETURN = " RETURN n.id AS id, '{label}' AS label, n.name AS name, coalesce(n.aliases, []) AS aliases"
_POOL_SIDE = """\
CALL () {{
{branches}
}}
UNWIND split(n.keys, '|') AS k
WITH n, k WHERE k STARTS WITH $prefix AND k {op} $key
RETURN k AS key, n.id AS id, n.name AS name ORDER BY key {order}, id {order} LIMIT $cap"""


def _labels(labels: tuple[str, ...]) -> list[str]:
    """Labels as ``NodeLabel`` values: the only text formatted into resolution Cypher."""
    return [NodeLabel(label).value for label in labels]


@cache
def match_cypher(labels: tuple[str, ...]) -> str:
    """Entities of ``labels`` whose id or name is ``$name`` or whose keys hold ``$key`` (``|k|``).

    Example:
        >>> [line.split(" RETURN")[0] for line in match_cypher(("Task",)).splitlines()[::2]][2]
        'MATCH (n:Task) WHERE n.keys CONTAINS $key'
    """
    return "\nUNION\n".join(
        (branch + _MATCH_RETURN).format(label=label) for label in _labels(labels) for branch in _MATCH
    )


@cache
def pool_cypher(labels: tuple[str, ...]) -> str:
    """Spellings of ``labels`` that start with ``$prefix``: ``$cap`` from ``$key`` up, ``$cap`` below it."""
    branches = "\n  UNION\n".join(
        f"  MATCH (n:{label}) WHERE n.keys CONTAINS $start RETURN n" for label in _labels(labels)
    )
    return "\nUNION ALL\n".join(
        _POOL_SIDE.format(branches=branches, op=op, order=order) for op, order in ((">=", "ASC"), ("<", "DESC"))
    )


class Neo4jBackend:
    """Named queries on Neo4j: the ``cypher/`` files, and names resolved from the schema's indexes.

    Args:
        driver: a connected ``neo4j.Driver`` (``kg.store.neo4j.connect``).
        database: the database to read (``None``: the server's default).
    """

    def __init__(self, driver: Any, database: str | None = None) -> None:
        self.driver = driver
        self.database = database

    def _read(self, cypher: str, params: dict[str, Any]) -> list[Row]:
        from kg.store.neo4j import run_read

        return run_read(self.driver, cypher, params, self.database)

    def resolve(self, name: str, labels: tuple[str, ...]) -> str:
        """The id of ``name`` (see ``kg.query.resolve``), from the id, name and keys indexes.

        Raises:
            QueryError: nothing matches; the message suggests close names.
        """
        key = normalize_name(name)
        rows = self._read(match_cypher(tuple(labels)), {"name": name, "key": f"|{key}|"})
        found = pick([Candidate(r["id"], r["label"], r["name"], tuple(r["aliases"])) for r in rows], name, labels)
        if found is None:
            raise not_found(name, labels, suggest(self._spellings(key, labels), key))
        return found

    def _spellings(self, key: str, labels: tuple[str, ...]) -> list[Spelling]:
        if not key:
            return []
        prefix = prefix_of(key)
        params = {"start": f"|{prefix}", "prefix": prefix, "key": key, "cap": SUGGESTION_POOL}
        return [(r["key"], r["id"], r["name"]) for r in self._read(pool_cypher(tuple(labels)), params)]

    def run(self, spec: QuerySpec, params: dict[str, Any], limit: int | None = None) -> list[Row]:
        if spec.cypher_limit:
            params = {**params, "limit": limit}
        rows = self._read(load_cypher(spec.name), params)
        return [{column: row.get(column) for column in spec.columns} for row in rows[:limit]]
