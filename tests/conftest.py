"""Shared fixtures.

The seed data (the trending-page listing and its dev gold annotations) comes from ../shared
when that folder sits beside the repository, and from the copies in tests/data/seed otherwise,
so a lone clone runs the same tests (see tests/data/README.md for their source).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = (REPO / ".." / "shared").resolve()
SEED = REPO / "tests" / "data" / "seed"

# Modules named *_shared.py compare the repository with the team's ../shared files (the reference
# scorer, the originals of the seed copies, the public name lists the resources are built from).
# Where ../shared is not beside the repository there is nothing to compare with, so they are not
# collected (the header of the run says so); every clone still checks the recorded reference
# outputs (tests/test_score_recorded.py) and the seed copies' checksums (tests/test_seed_data.py).
collect_ignore_glob = [] if SHARED.is_dir() else ["*_shared.py"]


def pytest_report_header(config) -> str:
    if SHARED.is_dir():
        return f"kg: ../shared found at {SHARED}: the *_shared.py comparisons run"
    return "kg: no ../shared beside the repository: the *_shared.py comparisons with it are not collected"


# fixture name -> (path under ../shared, copy under tests/data/seed)
SEED_FILES = {
    "seed_corpus": (Path("corpus") / "trending_papers.txt", SEED / "trending_papers.txt"),
    "dev_gold": (Path("gold") / "dev.jsonl", SEED / "dev.jsonl"),
}


def seed_file(name: str) -> Path:
    """The ../shared file when ../shared exists, else the in-repo copy; fails if neither is there."""
    shared_rel, local = SEED_FILES[name]
    path = SHARED / shared_rel if SHARED.is_dir() else local
    if not path.is_file():
        pytest.fail(f"{name}: {path} not found (the copy under tests/data/seed ships with the repository)")
    return path


@pytest.fixture(scope="session")
def seed_corpus() -> Path:
    """The seed listing: 119 papers of a trending page (title line, abstract line)."""
    return seed_file("seed_corpus")


@pytest.fixture(scope="session")
def dev_gold() -> Path:
    """The dev gold annotations of 60 seed papers (../shared/gold/GUIDELINES.md format)."""
    return seed_file("dev_gold")


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
