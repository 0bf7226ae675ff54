"""kg.store.neo4j against a real Neo4j (scripts/test.sh starts one), plus its pure helpers."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from kg.errors import Neo4jError, SchemaError
from kg.models import Claim, Edge, EdgeType, Entity, EntityType, GraphData, NodeLabel, Paper, entity_id
from kg.store.neo4j import (
    LoadSummary,
    _ahead,
    Neo4jSettings,
    apply_schema,
    connect,
    cypher_dir,
    edge_props,
    edge_rows,
    load_graph,
    node_rows,
    run_read,
    split_statements,
)

# ------------------------------------------------------------------ builders


def _entity(type_: EntityType, name: str, aliases: list[str] | None = None) -> Entity:
    return Entity(id=entity_id(type_, name), type=type_, name=name, aliases=aliases or [])


def _edge(type_: EdgeType, source: str, target: str, source_label: str, target_label: str, **kw) -> Edge:
    return Edge(type=type_, source=source, target=target, source_label=source_label,
                target_label=target_label, **kw)


def _paper_graph(pid: str, method: str, dataset: str, value: float | None = 81.5) -> GraphData:
    """One paper that proposes ``method``, evaluates on ``dataset`` and (optionally) reports a score."""
    m, d = _entity(EntityType.METHOD, method), _entity(EntityType.DATASET, dataset)
    paper = Paper(id=pid, title=f"{method} on {dataset}", abstract=f"We propose {method}. It is tested on {dataset}.",
                  source="test", year=2025, authors=["A. Author", "B. Author"])
    edges = [
        _edge(EdgeType.PROPOSES, pid, m.id, "Paper", "Method", evidence=f"We propose {method}.", start=0, end=12,
              field="abstract", extractor="test", confidence=0.9),
        _edge(EdgeType.EVALUATES_ON, pid, d.id, "Paper", "Dataset", evidence=f"It is tested on {dataset}."),
        _edge(EdgeType.EVALUATED_ON, m.id, d.id, "Method", "Dataset", paper_ids=[pid]),
    ]
    claims = []
    if value is not None:
        claim = Claim(id=f"{pid}#c0", paper_id=pid, value=value, unit="%", text=f"{method} scores {value}%.",
                      subject=method, dataset=dataset)
        claims.append(claim)
        edges += [
            _edge(EdgeType.REPORTS, pid, claim.id, "Paper", "Claim"),
            _edge(EdgeType.ABOUT, claim.id, m.id, "Claim", "Method"),
            _edge(EdgeType.ON, claim.id, d.id, "Claim", "Dataset"),
        ]
    return GraphData(papers=[paper], entities=[m, d], claims=claims, edges=edges)


def _merge(*parts: GraphData) -> GraphData:
    """Several papers' graphs as one, entities deduplicated, EVALUATED_ON paper ids joined."""
    entities = {e.id: e for part in parts for e in part.entities}
    edges: dict[tuple[str, str, str], Edge] = {}
    for edge in (e for part in parts for e in part.edges):
        if edge.key in edges and edge.type is EdgeType.EVALUATED_ON:
            old = edges[edge.key]
            edge = old.model_copy(update={"paper_ids": old.paper_ids + edge.paper_ids})
        edges[edge.key] = edge
    return GraphData(
        papers=[p for part in parts for p in part.papers],
        entities=list(entities.values()),
        claims=[c for part in parts for c in part.claims],
        edges=list(edges.values()),
    )


def _snapshot(driver, database: str) -> tuple[list[dict], list[dict]]:
    """Every node (labels, properties) and relationship (ends, type, properties), in a fixed order."""
    nodes = run_read(driver, "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props ORDER BY n.id", {},
                     database)
    rels = run_read(
        driver,
        "MATCH (a)-[r]->(b) RETURN a.id AS source, type(r) AS type, b.id AS target, properties(r) AS props "
        "ORDER BY source, type, target",
        {},
        database,
    )
    return nodes, rels


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------ pure helpers


def test_settings_from_env_missing_password_names_the_variable():
    with pytest.raises(Neo4jError, match="NEO4J_PASSWORD is not set"):
        Neo4jSettings.from_env({"NEO4J_URI": "bolt://example:7687"})


def test_settings_from_env_reads_the_neo4j_names_with_defaults():
    s = Neo4jSettings.from_env({"NEO4J_PASSWORD": "secret-pw", "NEO4J_DATABASE": "kgdb"})
    assert (s.uri, s.username, s.database) == ("bolt://localhost:7687", "neo4j", "kgdb")
    assert s.password.get_secret_value() == "secret-pw"
    assert "secret-pw" not in repr(s)


def test_split_statements_drops_comments_and_empty_parts():
    text = "// head; with a semicolon\nCREATE INDEX a IF NOT EXISTS FOR (n:A) ON (n.x);\n\n  // c\nRETURN 1;\n"
    assert split_statements(text) == ["CREATE INDEX a IF NOT EXISTS FOR (n:A) ON (n.x)", "RETURN 1"]


def test_schema_file_has_an_id_constraint_for_every_label():
    statements = split_statements((cypher_dir() / "schema.cypher").read_text(encoding="utf-8"))
    for label in NodeLabel:
        assert any(f"(n:{label.value}) REQUIRE n.id IS UNIQUE" in s for s in statements), label
    for type_ in EntityType:
        assert any(f"(n:{type_.value}) ON (n.name)" in s for s in statements), type_
    assert all("IF NOT EXISTS" in s for s in statements)


def test_node_rows_drop_none_and_keep_lists():
    rows = node_rows(_paper_graph("p1", "GRPO", "GSM8K"))
    paper = rows[NodeLabel.PAPER][0]["props"]
    assert "url" not in paper and paper["authors"] == ["A. Author", "B. Author"]
    assert rows[NodeLabel.METHOD][0]["props"] == {"id": "method:grpo", "name": "GRPO", "aliases": [], "keys": "|grpo|"}


@pytest.mark.parametrize("extra", [{}, {"field": "title", "start": 3, "end": 9, "paper_ids": ["p1", "p2"]}])
def test_edge_props_equal_the_pydantic_dump(extra):
    edge = _edge(EdgeType.PROPOSES, "p1", "method:grpo", "Paper", "Method", evidence="We propose GRPO.", **extra)
    dumped = edge.model_dump(mode="json", exclude_none=True,
                             exclude={"type", "source", "target", "source_label", "target_label"})
    assert edge_props(edge) == dumped
    assert all(type(v) in (str, int, float, list) for v in edge_props(edge).values())


def test_edge_rows_refuse_an_edge_to_a_missing_node():
    data = _paper_graph("p1", "GRPO", "GSM8K")
    data.edges.append(_edge(EdgeType.USES_MODEL, "p1", "model:nowhere", "Paper", "Model"))
    with pytest.raises(SchemaError, match="model:nowhere"):
        edge_rows(data)


def test_ahead_yields_in_order_and_raises_the_workers_error():
    assert list(_ahead(iter(range(5)))) == [0, 1, 2, 3, 4]

    def broken():
        yield 1
        raise ValueError("bad row")

    with pytest.raises(ValueError, match="bad row"):
        list(_ahead(broken()))


def test_ahead_stops_its_worker_when_the_consumer_stops():
    made: list[int] = []

    def items():
        for i in range(1000):
            made.append(i)
            yield i

    ahead = _ahead(items())
    assert next(ahead) == 0
    ahead.close()
    assert len(made) <= 3  # one handed over, one waiting, one being made
    assert not any(t.name == "kg-mirror-reader" for t in threading.enumerate())


# ------------------------------------------------------------ live server


@pytest.mark.neo4j
def test_apply_schema_is_idempotent(neo4j_driver, neo4j_settings):
    db = neo4j_settings.database
    apply_schema(neo4j_driver, db)
    first = run_read(neo4j_driver, "SHOW CONSTRAINTS YIELD name, labelsOrTypes, properties RETURN * ORDER BY name",
                     {}, db)
    indexes = run_read(neo4j_driver, "SHOW INDEXES YIELD name, state RETURN * ORDER BY name", {}, db)
    apply_schema(neo4j_driver, db)
    assert run_read(neo4j_driver, "SHOW CONSTRAINTS YIELD name, labelsOrTypes, properties RETURN * ORDER BY name",
                    {}, db) == first
    assert run_read(neo4j_driver, "SHOW INDEXES YIELD name, state RETURN * ORDER BY name", {}, db) == indexes
    constrained = {row["labelsOrTypes"][0] for row in first if row["properties"] == ["id"]}
    assert constrained >= {label.value for label in NodeLabel}
    assert {"entity_names", "claim_paper_id"} <= {row["name"] for row in indexes}
    assert all(row["state"] == "ONLINE" for row in indexes)


@pytest.mark.neo4j
def test_load_graph_twice_gives_the_same_graph(neo4j_db, neo4j_settings):
    db = neo4j_settings.database
    data = _merge(_paper_graph("p1", "GRPO", "GSM8K"), _paper_graph("p2", "GRPO", "GSM8K", value=90.0),
                  _paper_graph("p3", "DPO", "MATH-500"))
    first = load_graph(neo4j_db, data, db)
    nodes, rels = _snapshot(neo4j_db, db)
    second = load_graph(neo4j_db, data, db)
    assert _snapshot(neo4j_db, db) == (nodes, rels)
    assert len(nodes) == len(data.papers) + len(data.entities) + len(data.claims)
    assert len(rels) == len(data.edges)
    assert first.relationships_created == len(data.edges)
    assert (second.nodes_created, second.relationships_created, second.relationships_deleted) == (0, 0, 0)
    shared = next(r for r in rels if r["type"] == "EVALUATED_ON" and r["source"] == "method:grpo")
    assert shared["props"]["paper_ids"] == ["p1", "p2"]


@pytest.mark.neo4j
def test_load_graph_reload_replaces_the_papers_old_extraction(neo4j_db, neo4j_settings):
    db = neo4j_settings.database
    load_graph(neo4j_db, _merge(_paper_graph("p1", "GRPO", "GSM8K"), _paper_graph("p2", "GRPO", "GSM8K"),
                                _paper_graph("p3", "DPO", "MATH-500")), db)
    before = _snapshot(neo4j_db, db)
    load_graph(neo4j_db, _paper_graph("p3", "PPO", "AIME 2024", value=None), db)
    nodes, rels = _snapshot(neo4j_db, db)

    ids = {n["props"]["id"] for n in nodes}
    assert {"method:ppo", "dataset:aime-2024"} <= ids
    assert not {"method:dpo", "dataset:math-500", "p3#c0"} & ids  # old claim and orphaned entities gone
    p3 = {(r["type"], r["target"]) for r in rels if r["source"] == "p3"}
    assert p3 == {("PROPOSES", "method:ppo"), ("EVALUATES_ON", "dataset:aime-2024")}
    untouched = [r for r in before[1] if "p3" not in r["source"] and r["props"].get("paper_ids") != ["p3"]]
    assert all(r in rels for r in untouched)  # p1, p2 and their claims as they were


@pytest.mark.neo4j
def test_load_graph_reload_removes_the_paper_from_shared_evaluated_on(neo4j_db, neo4j_settings):
    db = neo4j_settings.database
    load_graph(neo4j_db, _merge(_paper_graph("p1", "GRPO", "GSM8K"), _paper_graph("p2", "GRPO", "GSM8K")), db)
    load_graph(neo4j_db, _paper_graph("p2", "GRPO", "SVAMP"), db)
    rows = run_read(neo4j_db, "MATCH (:Method {id: 'method:grpo'})-[r:EVALUATED_ON]->(d) "
                              "RETURN d.id AS dataset, r.paper_ids AS papers ORDER BY dataset", {}, db)
    assert rows == [{"dataset": "dataset:gsm8k", "papers": ["p1"]}, {"dataset": "dataset:svamp", "papers": ["p2"]}]


HOSTILE_NAMES = [
    "x'}) DETACH DELETE n //",
    'quote"d \'name\'',
    "back`tick`) MATCH (m) DELETE m",
    "{braces: $rows} ]]",
    "semi; colon // comment /* c */",
    "back\\slash \\u0027",
]


@pytest.mark.neo4j
@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_load_graph_stores_hostile_names_as_data(neo4j_db, neo4j_settings, name):
    db = neo4j_settings.database
    bystander = _paper_graph("p0", "GRPO", "GSM8K")
    load_graph(neo4j_db, bystander, db)
    before = _snapshot(neo4j_db, db)
    hostile = _paper_graph("p9", name, f"{name} set")
    hostile.papers[0] = hostile.papers[0].model_copy(update={"title": name})
    load_graph(neo4j_db, hostile, db)
    found = run_read(neo4j_db, "MATCH (m:Method {name: $name}) RETURN m.name AS name", {"name": name}, db)
    assert found == [{"name": name}]
    titles = run_read(neo4j_db, "MATCH (p:Paper {id: 'p9'}) RETURN p.title AS title", {}, db)
    assert titles == [{"title": name}]
    nodes, rels = _snapshot(neo4j_db, db)
    assert all(n in nodes for n in before[0]) and all(r in rels for r in before[1])
    assert len(nodes) == len(before[0]) + 1 + len(hostile.entities) + len(hostile.claims)


@pytest.mark.neo4j
def test_load_graph_reports_progress_up_to_the_total(neo4j_db, neo4j_settings):
    data = _merge(*(_paper_graph(f"p{i}", f"Method {i}", "GSM8K") for i in range(7)))
    calls: list[tuple[int, int]] = []
    summary = load_graph(neo4j_db, data, neo4j_settings.database, batch_size=3,
                         progress=lambda done, total: calls.append((done, total)))
    total = len(data.papers) + len(data.entities) + len(data.claims) + len(data.edges)
    assert calls[-1] == (total, total)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert isinstance(summary, LoadSummary) and summary.papers == 7


@pytest.mark.neo4j
@pytest.mark.parametrize(
    "cypher",
    ["CREATE (n:Paper {id: 'intruder'}) RETURN n", "MATCH (n) DETACH DELETE n", "MERGE (n:Task {id: 'x'})",
     "MATCH (n:Method) SET n.name = 'changed'"],
)
def test_run_read_refuses_writes(neo4j_db, neo4j_settings, cypher):
    db = neo4j_settings.database
    load_graph(neo4j_db, _paper_graph("p1", "GRPO", "GSM8K"), db)
    before = _snapshot(neo4j_db, db)
    with pytest.raises(Neo4jError, match="^refused: the query writes"):
        run_read(neo4j_db, cypher, {}, db)
    assert _snapshot(neo4j_db, db) == before


@pytest.mark.neo4j
def test_run_read_returns_plain_values(neo4j_db, neo4j_settings):
    db = neo4j_settings.database
    load_graph(neo4j_db, _paper_graph("p1", "GRPO", "GSM8K"), db)
    rows = run_read(neo4j_db, "MATCH p = (:Paper {id: $id})-[:PROPOSES]->(m) RETURN m, p", {"id": "p1"}, db)
    assert rows[0]["m"] == {"id": "method:grpo", "name": "GRPO", "aliases": [], "keys": "|grpo|"}
    start, rel, end = rows[0]["p"]
    assert (start["id"], rel["type"], rel["evidence"], end) == ("p1", "PROPOSES", "We propose GRPO.", rows[0]["m"])


@pytest.mark.neo4j
def test_run_read_rejects_bad_cypher_with_neo4j_error(neo4j_driver, neo4j_settings):
    with pytest.raises(Neo4jError, match="rejected the query"):
        run_read(neo4j_driver, "MATCH (n RETURN n", {}, neo4j_settings.database)


@pytest.mark.neo4j
def test_connect_wrong_password_is_a_clear_error(neo4j_settings):
    # One wrong attempt only: Neo4j locks the user for 5 s after three.
    wrong = Neo4jSettings(uri=neo4j_settings.uri, username="neo4j", password="not-the-password")
    with pytest.raises(Neo4jError, match="refused the credentials for user 'neo4j'") as info:
        connect(wrong)
    assert neo4j_settings.uri in str(info.value)


@pytest.mark.neo4j
def test_connect_unreachable_port_fails_within_ten_seconds(neo4j_settings):
    uri = f"bolt://127.0.0.1:{_free_port()}"
    settings = neo4j_settings.model_copy(update={"uri": uri})
    started = time.monotonic()
    with pytest.raises(Neo4jError, match=f"cannot reach Neo4j at {uri}"):
        connect(settings)
    assert time.monotonic() - started < 10.5
