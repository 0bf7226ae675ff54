"""The command line keeps a Neo4j mirror of a growing store, and refuses to answer from another store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.store import open_store

pytestmark = pytest.mark.neo4j

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "examples" / "sample_papers.jsonl"
HELDOUT = REPO / "tests" / "data" / "synthetic_heldout.jsonl"
runner = CliRunner()


def _json(args: list[str]) -> dict | list:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _database_ids(driver, database) -> tuple[list[str], int]:
    records, _, _ = driver.execute_query(
        "MATCH (p:Paper) RETURN p.id AS id ORDER BY id", database_=database
    )
    rels, _, _ = driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS n", database_=database)
    return [r["id"] for r in records], rels[0]["n"]


def test_build_add_remove_with_neo4j_keep_the_mirror_equal_to_the_store(neo4j_db, neo4j_settings, tmp_path):
    store = str(tmp_path / "s")
    built = _json(["build", str(SAMPLE), "--store", store, "--neo4j", "--json"])
    assert built["neo4j"]["mode"] == "full"
    added = _json(["add", str(HELDOUT), "--store", store, "--neo4j", "--json"])
    assert added["neo4j"]["mode"] == "incremental"
    removed = _json(["remove", "ex-001", "--store", store, "--neo4j", "--json"])
    assert removed["neo4j"]["mode"] == "incremental" and removed["removed"] == 1
    with open_store(store) as st:
        stored = list(st.paper_ids())
    incremental = _database_ids(neo4j_db, neo4j_settings.database)
    assert incremental[0] == stored and "ex-001" not in stored
    rows = _json(["query", "papers-using", "GSM8K", "--backend", "neo4j", "--store", store, "--json"])
    assert rows == _json(["query", "papers-using", "GSM8K", "--store", store, "--json"])
    _json(["load", "--store", store, "--json"])  # a full mirror of the same store changes nothing
    assert _database_ids(neo4j_db, neo4j_settings.database) == incremental


def test_query_on_neo4j_mirroring_another_store_is_refused(neo4j_db, tmp_path):
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    _json(["build", str(SAMPLE), "--store", a, "--json"])
    _json(["build", str(HELDOUT), "--store", b, "--json"])
    _json(["load", "--store", a, "--json"])
    refused = runner.invoke(app, ["query", "papers-using", "GSM8K", "--backend", "neo4j", "--store", b])
    assert refused.exit_code == 1
    line = refused.stderr.strip()
    assert line.startswith("error: ") and "\n" not in line
    cypher = runner.invoke(app, ["cypher", "MATCH (p:Paper) RETURN count(p) AS n", "--store", b])
    assert cypher.exit_code == 1 and cypher.stderr.startswith("error: ")
    assert _json(["query", "papers-using", "GSM8K", "--backend", "neo4j", "--store", a, "--json"])
