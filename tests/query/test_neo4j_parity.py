"""The named queries give the same rows on Neo4j (cypher/*.cypher) as on the embedded graph."""

from __future__ import annotations

import pytest

from kg.query import QUERIES, Neo4jBackend, run_query

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


@pytest.fixture
def neo4j_backend(neo4j_db, neo4j_settings, data):
    from kg.store.neo4j import load_graph

    load_graph(neo4j_db, data, neo4j_settings.database)
    return Neo4jBackend(neo4j_db, neo4j_settings.database)


def test_neo4j_parity_covers_every_query():
    assert {name for name, _ in CASES} == set(QUERIES)


@pytest.mark.parametrize(("name", "args"), CASES, ids=[f"{n}-{'-'.join(a.values())}" for n, a in CASES])
def test_neo4j_rows_equal_embedded_rows(neo4j_backend, graph, name, args):
    assert run_query(name, args, neo4j_backend) == run_query(name, args, graph)


def test_neo4j_resolution_error_matches_embedded(neo4j_backend, graph):
    from kg.errors import QueryError

    messages = []
    for backend in (neo4j_backend, graph):
        with pytest.raises(QueryError) as info:
            run_query("papers-using", {"dataset": "GSM"}, backend)
        messages.append(str(info.value))
    assert messages[0] == messages[1] == "no dataset named 'GSM'; did you mean: GSM8K, GSM-Plus?"
