"""``kg load --bulk``: the database made by neo4j-admin import answers every named query as a Bolt load does.

Two servers: the test command's Neo4j (NEO4J_* env) gets the seed store by the Bolt
mirror (``mirror_store``); a second, private local Neo4j (scripts/neo4j-local with its
own KG_NEO4J_HOME under the test's temporary folder and a free port) gets it by
``kg load --bulk``, whose import stops and restarts that server only. The session's
server is never stopped, so other tests keep it. Then every node and relationship of
the two databases, every named query's answer and the CLI's acceptance of the bulk
database as the store's mirror are compared.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
from itertools import combinations
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kg
from kg.errors import QueryError
from kg.query import QUERIES, Neo4jBackend, run_query
from kg.store import open_store
from kg.store.neo4j import Neo4jSettings, connect, mirror_store, run_read

pytestmark = pytest.mark.neo4j

REPO = Path(__file__).resolve().parents[2]
NEO4J_LOCAL = REPO / "scripts" / "neo4j-local"
PER_PARAM = 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def seed_store_path(seed_corpus, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bulk") / "store"
    assert kg.build([seed_corpus], store=path).papers > 100
    return path


@pytest.fixture(scope="module")
def second_neo4j(tmp_path_factory, neo4j_settings):
    """A private local Neo4j for the import: (settings, the environment its script needs)."""
    home = tmp_path_factory.mktemp("bulk-neo4j")
    port = _free_port()
    env = {**os.environ, "KG_NEO4J_HOME": str(home), "KG_NEO4J_PORT": str(port),
           "NEO4J_PASSWORD": neo4j_settings.password.get_secret_value()}
    started = subprocess.run([str(NEO4J_LOCAL), "start"], env=env, capture_output=True, text=True, check=False)
    assert started.returncode == 0, started.stderr + started.stdout
    settings = Neo4jSettings(uri=f"bolt://127.0.0.1:{port}", username=neo4j_settings.username,
                             password=env["NEO4J_PASSWORD"], database="neo4j")
    try:
        yield settings, env
    finally:
        subprocess.run([str(NEO4J_LOCAL), "stop"], env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def loaded(seed_store_path, neo4j_driver, neo4j_settings, second_neo4j):
    """The seed store loaded both ways: (bolt driver and database, bulk settings, bulk summary)."""
    from kg.store.neo4j_bulk import bulk_load

    settings, env = second_neo4j
    with open_store(seed_store_path) as store:
        mirror_store(neo4j_driver, store, neo4j_settings.database)
        command = ["env", f"KG_NEO4J_HOME={env['KG_NEO4J_HOME']}", f"KG_NEO4J_PORT={env['KG_NEO4J_PORT']}",
                   f"NEO4J_PASSWORD={env['NEO4J_PASSWORD']}", str(NEO4J_LOCAL), "import"]
        summary = bulk_load(store, settings, import_command=command)
    return settings, summary


def _dump(driver, database) -> tuple[list, list]:
    """Every node (labels, properties) and relationship (type, end ids, properties), sorted."""
    nodes = run_read(driver, "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props", {}, database)
    rels = run_read(driver, "MATCH (a)-[r]->(b) RETURN type(r) AS type, a.id AS a, b.id AS b, "
                    "properties(r) AS props", {}, database)
    for row in nodes:
        if "KgMirror" in row["labels"]:  # when and from where it was written differ by design
            for key in ("loaded_at", "updated_at"):
                row["props"].pop(key, None)
    key = lambda row: json.dumps(row, sort_keys=True, default=str)
    return sorted(nodes, key=key), sorted(rels, key=key)


def test_bulk_database_holds_exactly_the_bolt_mirror(loaded, neo4j_driver, neo4j_settings, seed_store_path):
    settings, summary = loaded
    with open_store(seed_store_path) as store:
        counts = store.counts()
    assert summary.papers == counts["nodes"]["Paper"] > 100
    assert summary.relationships > summary.papers
    bolt_nodes, bolt_rels = _dump(neo4j_driver, neo4j_settings.database)
    with connect(settings) as driver:
        bulk_nodes, bulk_rels = _dump(driver, settings.database)
    assert len(bulk_nodes) == len(bolt_nodes) == sum(counts["nodes"].values()) + 1  # + the KgMirror node
    assert bulk_nodes == bolt_nodes
    assert bulk_rels == bolt_rels


def _top(store, labels, n: int = PER_PARAM) -> list[str]:
    graph = store.graph
    wanted = {str(getattr(label, "value", label)) for label in labels}
    nodes = [(node, attrs) for node, attrs in graph.nodes(data=True) if str(attrs.get("label")) in wanted]
    nodes.sort(key=lambda item: (-graph.degree(item[0]), item[0]))
    return [attrs.get("name") or node for node, attrs in nodes[:n]]


def _cases(store) -> list[tuple[str, dict[str, str]]]:
    cases: list[tuple[str, dict[str, str]]] = []
    for name, spec in QUERIES.items():
        required = [p for p in spec.params if p.required]
        if len(required) == 1:
            cases += [(name, {required[0].name: v}) for v in _top(store, required[0].labels)]
        elif len(required) == 2:
            a, b = required
            pool = _top(store, tuple(a.labels) + tuple(b.labels))
            cases += [(name, {a.name: x, b.name: y}) for x, y in combinations(pool, 2)]
        for optional in (p for p in spec.params if not p.required):
            first = _top(store, required[0].labels, 1)[0]
            cases += [(name, {required[0].name: first, optional.name: v}) for v in _top(store, optional.labels, 2)]
    return cases


def _answer(name, args, backend):
    try:
        return "rows", run_query(name, args, backend)
    except QueryError as e:
        return "error", str(e)


def test_bulk_database_answers_every_named_query_as_the_bolt_load(loaded, neo4j_driver, neo4j_settings,
                                                                   seed_store_path):
    settings, _ = loaded
    with open_store(seed_store_path) as store:
        cases = _cases(store)
    assert {name for name, _ in cases} == set(QUERIES)
    bolt = Neo4jBackend(neo4j_driver, neo4j_settings.database)
    answered = 0
    mismatches = []
    with connect(settings) as driver:
        bulk = Neo4jBackend(driver, settings.database)
        for name, args in cases:
            a, b = _answer(name, args, bolt), _answer(name, args, bulk)
            answered += a[0] == "rows" and bool(a[1])
            if a != b:
                mismatches.append(f"{name} {args}: bolt={a!r:.300} bulk={b!r:.300}")
    assert not mismatches, "\n".join(mismatches)
    assert answered >= len(cases) // 2


def test_cli_query_accepts_the_bulk_database_as_the_store_mirror(loaded, seed_store_path, monkeypatch):
    from kg.cli import app

    settings, _ = loaded
    monkeypatch.setenv("NEO4J_URI", settings.uri)
    with open_store(seed_store_path) as store:
        dataset = _top(store, ["Dataset"], 1)[0]
    result = CliRunner().invoke(app, ["query", "papers-using", dataset, "--backend", "neo4j",
                                      "--store", str(seed_store_path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)


def test_bulk_load_refuses_a_server_the_import_did_not_write(seed_store_path, neo4j_settings, tmp_path):
    """The import command 'succeeds' but the Bolt server is another one: refused by its paper count."""
    from kg.errors import Neo4jError
    from kg.store.neo4j_bulk import bulk_load

    with connect(neo4j_settings) as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n", database_=neo4j_settings.database)
    with open_store(seed_store_path) as store, pytest.raises(Neo4jError, match="holds 0 papers after the import"):
        bulk_load(store, neo4j_settings, import_command=["true"], csv_dir=tmp_path / "csv")
    assert min(p.name for p in (tmp_path / "csv").iterdir()).startswith("nodes_")


def test_failing_import_command_is_one_error_line(seed_store_path, tmp_path, monkeypatch):
    from kg.cli import app

    monkeypatch.setenv("KG_NEO4J_IMPORT", f"{NEO4J_LOCAL} import --no-such-option")
    monkeypatch.setenv("KG_NEO4J_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(app, ["load", "--bulk", "--store", str(seed_store_path)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("error: kg load --bulk: the import command") and len(lines) == 1, result.output
