"""The named queries give the same rows on Neo4j (cypher/*.cypher) as on the embedded store (SQL)."""

from __future__ import annotations

import pytest

from kg.errors import QueryError
from kg.models import GraphData
from kg.query import QUERIES, Neo4jBackend, StoreBackend, run_query
from kg.query.registry import NEIGHBORS_LIMIT

pytestmark = pytest.mark.neo4j

CASES = [
    ("papers-using", {"dataset": "gsm-8k"}),
    ("papers-using", {"dataset": "GSM-Plus"}),
    ("benchmarks-of", {"entity": "Group Relative Policy Optimization"}),
    ("benchmarks-of", {"entity": "PPO"}),
    ("benchmarks-of", {"entity": "Qwen3-4B-Base"}),
    ("methods-on", {"dataset": "GSM8K"}),
    ("methods-on", {"dataset": "MATH500"}),
    ("methods-on", {"dataset": "GSM-Plus"}),
    ("neighbors", {"entity": "grpo"}),
    ("neighbors", {"entity": "GSM8K"}),
    ("neighbors", {"entity": "BLEU"}),
    ("path", {"a": "PPO", "b": "MATH-500"}),
    ("path", {"a": "qwen3-4b-base", "b": "mathematical reasoning"}),
    ("path", {"a": "GRPO", "b": "BLEU"}),
    ("claims", {"entity": "PPO"}),
    ("claims", {"entity": "gsm8k"}),
    ("claims", {"entity": "accuracy"}),
    ("leaderboard", {"dataset": "GSM8K"}),
    ("leaderboard", {"dataset": "GSM8K", "metric": "accuracy"}),
    ("leaderboard", {"dataset": "MATH-500", "metric": "pass@1"}),
    ("leaderboard", {"dataset": "GSM-Plus"}),
]

EMPTY = [  # cases whose right answer is no rows
    ("methods-on", {"dataset": "GSM-Plus"}),
    ("path", {"a": "GRPO", "b": "BLEU"}),
    ("leaderboard", {"dataset": "GSM-Plus"}),
]

MISSES = [
    ("GSM", ("Dataset",)),
    ("GSMK", ("Dataset",)),
    ("acuracy", ("Metric",)),
    ("Qwen3", ("Method", "Model")),
    ("zzz", ("Method", "Model")),
    ("---", ("Dataset",)),
    ("GSM8", ("Dataset", "Method", "Model", "Task")),
]


def _load(neo4j_db, neo4j_settings, data: GraphData) -> Neo4jBackend:
    from kg.store.neo4j import load_graph

    load_graph(neo4j_db, data, neo4j_settings.database)
    return Neo4jBackend(neo4j_db, neo4j_settings.database)


@pytest.fixture
def neo4j_backend(neo4j_db, neo4j_settings, data):
    return _load(neo4j_db, neo4j_settings, data)


def test_neo4j_parity_covers_every_query():
    assert {name for name, _ in CASES} == set(QUERIES)


@pytest.mark.parametrize(("name", "args"), CASES, ids=[f"{n}-{'-'.join(a.values())}" for n, a in CASES])
def test_neo4j_rows_equal_store_rows(neo4j_backend, store, name, args):
    rows = run_query(name, args, store)
    assert run_query(name, args, neo4j_backend) == rows
    assert bool(rows) == ((name, args) not in EMPTY)


@pytest.mark.parametrize(
    ("name", "labels", "expected"),
    [
        ("dataset:gsm8k", ("Dataset",), "dataset:gsm8k"),
        ("GSM-8K", ("Dataset",), "dataset:gsm8k"),
        ("gsm 8k", ("Dataset",), "dataset:gsm8k"),
        ("group relative policy optimization", ("Method", "Model"), "method:grpo"),
        ("MATH500", ("Dataset", "Method", "Model", "Metric", "Task"), "dataset:math-500"),
    ],
)
def test_neo4j_resolves_like_the_store(neo4j_backend, store, name, labels, expected):
    assert neo4j_backend.resolve(name, labels) == StoreBackend(store).resolve(name, labels) == expected


@pytest.mark.parametrize(("name", "labels"), MISSES)
def test_neo4j_resolution_error_matches_the_store(neo4j_backend, store, name, labels):
    messages = []
    for backend in (neo4j_backend, StoreBackend(store)):
        with pytest.raises(QueryError) as info:
            backend.resolve(name, labels)
        messages.append(str(info.value))
    assert messages[0] == messages[1]


def test_neo4j_bounds_a_hub_like_the_store(neo4j_db, neo4j_settings, hub_data, make_store):
    neo4j = _load(neo4j_db, neo4j_settings, hub_data)
    store = make_store(hub_data)
    for name, args in [("neighbors", {"entity": "accuracy"}), ("neighbors", {"entity": "hubset"}),
                       ("path", {"a": "method:m000", "b": "method:m149"})]:
        assert run_query(name, args, neo4j) == run_query(name, args, store)
    rows = run_query("neighbors", {"entity": "accuracy"}, neo4j)
    assert len({r["id"] for r in rows if r["label"] == "Paper"}) == NEIGHBORS_LIMIT
    partners = [r for r in run_query("neighbors", {"entity": "hubset"}, neo4j) if r["relation"] == "EVALUATED_ON"]
    assert len(partners) == NEIGHBORS_LIMIT


def test_neo4j_path_stops_at_the_hop_bound_like_the_store(neo4j_db, neo4j_settings, chain_data, make_store):
    neo4j, store = _load(neo4j_db, neo4j_settings, chain_data), make_store(chain_data)
    for b, steps in (("method:x3", 7), ("method:x4", 0)):
        rows = run_query("path", {"a": "method:x0", "b": b}, neo4j)
        assert rows == run_query("path", {"a": "method:x0", "b": b}, store)
        assert len(rows) == steps
