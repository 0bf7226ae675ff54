"""Shared fixtures. ../shared (third-party data) sits beside the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ../shared folder; fails (never skips) when it is not beside the repository."""
    if not SHARED.is_dir():
        pytest.fail(f"../shared not found beside the repository at {SHARED}")
    return SHARED


# ------------------------------------------------------------------ Neo4j
#
# Neo4j tests never skip: scripts/test.sh starts a server and exports NEO4J_*; a run
# without one fails with a message that says how to get one.

_HOW = "run the suite with scripts/test.sh (it starts Neo4j), or export NEO4J_URI and NEO4J_PASSWORD"


@pytest.fixture(scope="session")
def neo4j_settings():
    """Connection settings from NEO4J_URI / NEO4J_USERNAME / NEO4J_PASSWORD / NEO4J_DATABASE."""
    from kg.errors import Neo4jError
    from kg.store.neo4j import Neo4jSettings

    if not os.environ.get("NEO4J_URI"):
        pytest.fail(f"NEO4J_URI is not set: {_HOW}")
    try:
        return Neo4jSettings.from_env()
    except Neo4jError as e:
        pytest.fail(f"{e}: {_HOW}")


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_settings):
    """One driver for the session, connected and authenticated, closed at the end."""
    from kg.errors import Neo4jError
    from kg.store.neo4j import connect

    try:
        driver = connect(neo4j_settings)
    except Neo4jError as e:
        pytest.fail(f"{e}: {_HOW}")
    yield driver
    driver.close()


@pytest.fixture
def neo4j_db(neo4j_driver, neo4j_settings):
    """The driver over an emptied database, for tests that count nodes and relationships."""
    neo4j_driver.execute_query("MATCH (n) DETACH DELETE n", database_=neo4j_settings.database)
    return neo4j_driver
