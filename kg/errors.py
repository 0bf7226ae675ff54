"""One error hierarchy for kg.

Library code raises these with the offending value in the message; only the
CLI turns them into a one-line message and an exit code.
"""

from __future__ import annotations

import os
import re


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


# ``scheme://user:password@host``: the password part of a URI.
_URI_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:)(?P<secret>[^@\s/]+)(?=@)")
SECRET_ENV = ("NEO4J_PASSWORD", "NEO4J_AUTH")


def redact(text: str, env: dict[str, str] | None = None) -> str:
    """``text`` with secrets masked: a password written into a URI, and the values of ``SECRET_ENV``.

    Example:
        >>> redact("cannot reach bolt://neo4j:hunter22@db:7687", env={})
        'cannot reach bolt://neo4j:***@db:7687'
    """
    text = _URI_PASSWORD.sub(lambda m: f"{m['head']}***", text)
    values = os.environ if env is None else env
    for name in SECRET_ENV:
        secret = values.get(name, "")
        if name == "NEO4J_AUTH" and "/" in secret:
            secret = secret.split("/", 1)[1]
        if len(secret) >= 4:
            text = text.replace(secret, "***")
    return text
