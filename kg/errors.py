"""One error hierarchy for kg.

Library code raises these with the offending value in the message; only the
CLI turns them into a one-line message and an exit code.
"""

from __future__ import annotations


class KGError(Exception):
    """Base of every error kg raises on purpose (a user mistake or a bad input)."""


class InputError(KGError):
    """An input file cannot be read at all (missing, empty, binary, not UTF-8, unknown format)."""


class SchemaError(KGError):
    """A graph element breaks the schema: an edge between types the schema does not allow."""


class StoreError(KGError):
    """The embedded store is missing, incomplete or from an incompatible version."""


class QueryError(KGError):
    """A named query cannot run: unknown query name, unknown entity, bad parameter."""


class Neo4jError(KGError):
    """Neo4j cannot be reached, refuses the credentials, or rejects a statement."""
