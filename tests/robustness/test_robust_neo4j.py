"""kg cypher is read-only by Neo4j's own plan; a killed ``kg load`` converges on the next run.

Reproducers of issue 11 against the real Neo4j of scripts/test.sh: ``LOAD CSV`` of
``file:///proc/self/environ`` printed the server's environment (NEO4J_PASSWORD),
``file:///etc/passwd`` and ``http://`` URLs were read, ``TERMINATE TRANSACTIONS``
ran. Error paths: an http:// URI, a password in the URI, a dead server.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kg
from kg.cli import app
from kg.errors import Neo4jError
from kg.query.readonly import ALLOWED_PROCEDURES, refusal
from kg.store.neo4j import Neo4jSettings, check_mirror, connect, run_read

pytestmark = pytest.mark.neo4j
runner = CliRunner()
REPO = Path(__file__).resolve().parents[2]

REFUSED = [
    ("LOAD CSV FROM 'file:///proc/self/environ' AS r RETURN r", "LOAD CSV"),
    ("LOAD CSV FROM 'file:///etc/passwd' AS r RETURN r", "LOAD CSV"),
    ("LOAD CSV FROM 'http://127.0.0.1:9/x.csv' AS r RETURN r", "LOAD CSV"),
    ("LOAD CSV WITH HEADERS FROM 'https://example.org/x.csv' AS r RETURN count(r)", "LOAD CSV"),
    ("TERMINATE TRANSACTIONS 'neo4j-transaction-1'", "TERMINATE"),
    ("SHOW TRANSACTIONS", "SHOW TRANSACTIONS"),
    ("SHOW SETTINGS", "SHOW SETTINGS"),
    ("SHOW USERS", "administers"),
    ("SHOW DATABASES", "administers"),
    ("CALL dbms.listConfig()", "administers"),
    ("CALL db.createLabel('X')", "writes"),
    ("CREATE (n:Oops) RETURN n", "writes"),
    ("MATCH (n) DETACH DELETE n", "writes"),
    ("CALL dbms.components() YIELD name RETURN name", "administers"),
]


@pytest.mark.parametrize(("statement", "why"), REFUSED)
def test_kg_cypher_refuses_what_reads_outside_the_graph_or_acts_on_the_server(neo4j_settings, statement, why):
    result = runner.invoke(app, ["cypher", statement])
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith("error: refused: ") and why in line
    assert "root:" not in result.output and neo4j_settings.password.get_secret_value() not in result.output


@pytest.mark.parametrize("statement", ["CALL db.labels() YIELD label RETURN count(label) AS n",
                                       "CALL db.schema.visualization() YIELD nodes RETURN size(nodes) AS n",
                                       "SHOW INDEXES YIELD name RETURN count(name) AS n",
                                       "MATCH (n) RETURN count(n) AS n"])
def test_kg_cypher_runs_plain_reads_and_allowed_procedures(neo4j_settings, statement):
    result = runner.invoke(app, ["cypher", statement, "--json"])
    assert result.exit_code == 0, result.output
    assert isinstance(json.loads(result.stdout)[0]["n"], int)


def test_the_server_itself_refuses_file_urls_in_load_csv(neo4j_driver, neo4j_settings):
    # past kg's own check (run_read directly), the server's setting still holds
    with pytest.raises(Neo4jError, match="allow_csv_import_from_file_urls"):
        run_read(neo4j_driver, "LOAD CSV FROM 'file:///etc/passwd' AS r RETURN r", {}, neo4j_settings.database)


def test_kg_cypher_prints_markup_and_escapes_as_text(neo4j_settings):
    statement = "RETURN 'a [/] b' AS x, '[bold red]r[/] :x: [link=https://evil.example]l[/link]' AS y, $z AS z"
    hostile = "t\x1b]0;owned\x07 \x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\ \x1b[2J\x9b1m end"
    result = runner.invoke(app, ["cypher", statement, "-p", f"z={hostile}"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert "a [/] b" in result.stdout and "[link=https://evil.example]l[/link]" in result.stdout and ":x:" in result.stdout
    assert "t link  end" in result.stdout
    assert not any(c in result.stdout for c in "\x1b\x07\x9b")
    exact = runner.invoke(app, ["cypher", statement, "-p", f"z={hostile}", "--json"])
    assert json.loads(exact.stdout)[0]["z"] == hostile


def test_refusal_needs_a_read_query_type_and_allowed_operators():
    plan = {"operatorType": "ProduceResults@neo4j", "args": {}, "children": [
        {"operatorType": "ProcedureCall@neo4j", "args": {"Details": "db.labels() :: (label :: STRING)"}}]}
    assert refusal("r", plan) is None
    assert "writes" in refusal("rw", plan) and "db.labels" in ALLOWED_PROCEDURES
    plan["children"][0]["args"]["Details"] = "dbms.killQuery('q') :: (x :: STRING)"
    assert "dbms.killQuery" in refusal("r", plan)


# ------------------------------------------------------------------ connection errors


@pytest.mark.parametrize(("uri", "expected"), [
    ("http://localhost:7687", "not a Bolt address"),
    ("bolt://user:s3cret-pw@127.0.0.1:1", "***"),
])
def test_connection_mistakes_are_one_line_without_secrets(uri, expected):
    result = runner.invoke(app, ["cypher", "RETURN 1"], env={"NEO4J_URI": uri, "NEO4J_PASSWORD": "env-secret-pw"})
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith("error: ") and expected in line
    assert "s3cret-pw" not in line and "env-secret-pw" not in line


def test_a_dead_server_is_reported_within_ten_seconds():
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = Neo4jSettings.from_env({"NEO4J_URI": f"bolt://127.0.0.1:{port}", "NEO4J_PASSWORD": "whatever-pw"})
    started = time.monotonic()
    with pytest.raises(Neo4jError, match="cannot reach Neo4j"):
        connect(settings)
    assert time.monotonic() - started < 10


# ------------------------------------------------------------------ a killed kg load


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from kg.cli import app; app()", *args]


def test_a_killed_load_converges_on_the_next_load(neo4j_db, neo4j_settings, tmp_path, seed_corpus):
    db = neo4j_settings.database
    kg.build([seed_corpus, REPO / "examples" / "sample_papers.jsonl"], store=tmp_path / "s")
    env = {**os.environ}
    proc = subprocess.Popen(_cli("load", "--store", str(tmp_path / "s"), "--batch-size", "5"), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # kill it once some papers are in
            n = run_read(neo4j_db, "MATCH (p:Paper) RETURN count(p) AS n", {}, db)[0]["n"]
            if n >= 5 or proc.poll() is not None:
                break
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    with kg.open_store(tmp_path / "s") as store:
        if proc.returncode == -signal.SIGKILL:
            assert check_mirror(neo4j_db, store, db) is not None  # a half load is never taken for a mirror
    result = runner.invoke(app, ["load", "--store", str(tmp_path / "s"), "--json"])
    assert result.exit_code == 0, result.output
    with kg.open_store(tmp_path / "s") as store:
        assert check_mirror(neo4j_db, store, db) is None
        papers = store.paper_count()
    assert run_read(neo4j_db, "MATCH (p:Paper) RETURN count(p) AS n", {}, db)[0]["n"] == papers
