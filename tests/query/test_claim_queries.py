"""Issue 10: the leaderboard ranks benchmark results only, with who reached them, the baseline and the paper;
``claims`` shows every claim with its kind and quantity. The same rows from networkx, SQLite and Neo4j."""

from __future__ import annotations

import re

import pytest

from kg.graph import build_graph
from kg.models import (
    LOWER_IS_BETTER_NAMES,
    LOWER_IS_BETTER_WORDS,
    NON_RESULT_QUANTITIES,
    Claim,
    ClaimDirection,
    ClaimKind,
    Edge,
    EdgeType,
    Entity,
    EntityType,
    GraphData,
    NodeLabel,
    Paper,
)
from kg.query import QUERIES, Neo4jBackend, run_query
from kg.query.backends import load_cypher


def _claim(cid: str, value: float, unit: str | None, kind: ClaimKind = ClaimKind.SCORE, **fields) -> Claim:
    return Claim(id=cid, paper_id=fields.pop("paper", "q1"), value=value, unit=unit, kind=kind,
                 text=f"Sentence of {cid}.", **fields)


def _edge(type_: EdgeType, source: str, target: str, paper: str) -> Edge:
    labels = {"q": NodeLabel.PAPER, "k": NodeLabel.CLAIM, "dataset": NodeLabel.DATASET, "method": NodeLabel.METHOD,
              "metric": NodeLabel.METRIC}
    label = lambda x: labels[x.split(":")[0]] if ":" in x else labels[x[0]]
    return Edge(type=type_, source=source, target=target, source_label=label(source), target_label=label(target),
                evidence=f"{source} {type_.value} {target}.", paper_ids=[paper])


def _error_claims() -> tuple[list[Claim], list[Edge], list[Entity]]:
    """Two word error rates on LibriX: the lower is the better."""
    claims = [_claim("k7", 7.9, "%", paper="q1", metric="WER"), _claim("k8", 6.1, "%", paper="q2", metric="WER")]
    edges = [_edge(EdgeType.REPORTS, c.paper_id, c.id, c.paper_id) for c in claims]
    edges += [_edge(EdgeType.ON, c.id, "dataset:librix", c.paper_id) for c in claims]
    entities = [Entity(id="dataset:librix", type=EntityType.DATASET, name="LibriX")]
    return claims, edges, entities


def board_data() -> GraphData:
    """One benchmark, BenchX, and the claims of issue 10: a before -> after pair whose subject is "our
    approach", a share of a gap, a result without a metric, a gain, and a named method's accuracy."""
    papers = [Paper(id="q1", title="Models Can Self-Improve", abstract="A.", year=2022),
              Paper(id="q2", title="Hybrid Steering", abstract="B.", year=2025)]
    entities = [Entity(id="dataset:benchx", type=EntityType.DATASET, name="BenchX"),
                Entity(id="method:zeta", type=EntityType.METHOD, name="Zeta"),
                Entity(id="metric:accuracy", type=EntityType.METRIC, name="accuracy")]
    claims = [
        _claim("k1", 74.4, "%", is_baseline=True, dataset="BenchX"),
        _claim("k2", 82.1, "%", baseline=74.4, subject_phrase="our approach", dataset="BenchX"),
        _claim("k3", 91.0, "%", paper="q2", quantity="gap share", subject_phrase="our hybrid model", dataset="BenchX"),
        _claim("k4", 60.0, "%", paper="q2", metric="accuracy", quantity="accuracy"),
        _claim("k5", 5.2, "points", ClaimKind.IMPROVEMENT, paper="q2", direction=ClaimDirection.INCREASE),
        _claim("k6", 13.5, "%", ClaimKind.IMPROVEMENT, paper="q2", direction=ClaimDirection.DECREASE),
    ]
    edges = [_edge(EdgeType.REPORTS, c.paper_id, c.id, c.paper_id) for c in claims]
    edges += [_edge(EdgeType.ON, c.id, "dataset:benchx", c.paper_id) for c in claims]
    edges += [_edge(EdgeType.ABOUT, c, "method:zeta", "q2") for c in ("k4", "k5", "k6")]
    edges.append(_edge(EdgeType.IN_METRIC, "k4", "metric:accuracy", "q2"))
    more_claims, more_edges, more_entities = _error_claims()
    return GraphData(papers=papers, entities=entities + more_entities, claims=claims + more_claims,
                     edges=edges + more_edges)


@pytest.fixture(params=["graph", "store"])
def board(request, make_store):
    data = board_data()
    return build_graph(data) if request.param == "graph" else make_store(data)


def test_leaderboard_ranks_results_with_baseline_title_and_metric_groups(board):
    rows = run_query("leaderboard", {"dataset": "BenchX"}, board)
    shown = [(r["group"], r["rank"], r["subject"], r["baseline"], r["value"], r["title"], r["year"]) for r in rows]
    assert shown == [
        ("accuracy (%)", 1, "Zeta", None, 60.0, "Hybrid Steering", 2025),
        ("metric not stated (%)", 1, "our approach", 74.4, 82.1, "Models Can Self-Improve", 2022),
    ]
    assert rows[1]["kind"] == "score" and rows[1]["paper_id"] == "q1"


def test_leaderboard_leaves_out_gap_shares_baselines_and_changes(board):
    values = {r["value"] for r in run_query("leaderboard", {"dataset": "BenchX"}, board)}
    assert values.isdisjoint({91.0, 74.4, 5.2, 13.5})


def test_claims_keep_every_number_with_its_kind_quantity_and_direction(board):
    rows = run_query("claims", {"entity": "BenchX"}, board)
    by_value = {r["value"]: r for r in rows}
    assert set(by_value) == {74.4, 82.1, 91.0, 60.0, 5.2, 13.5}
    assert (by_value[91.0]["kind"], by_value[91.0]["quantity"]) == ("score", "gap share")
    assert by_value[74.4]["is_baseline"] and by_value[82.1]["baseline"] == 74.4
    assert (by_value[13.5]["kind"], by_value[13.5]["direction"]) == ("improvement", "decrease")


def test_leaderboard_ranks_an_error_rate_lowest_first(board):
    rows = run_query("leaderboard", {"dataset": "LibriX"}, board)
    assert [(r["rank"], r["value"], r["group"]) for r in rows] == [(1, 6.1, "WER (%)"), (2, 7.9, "WER (%)")]


def test_leaderboard_cypher_repeats_the_python_rules():
    """cypher/leaderboard.cypher spells kg.models' lists as literals: the two must not drift apart."""
    statement = load_cypher("leaderboard")
    lists = [sorted(re.findall(r"'([^']*)'", m)) for m in re.findall(r"IN \[([^\]]*)\]", statement)]
    assert sorted(NON_RESULT_QUANTITIES) in lists
    assert sorted(LOWER_IS_BETTER_NAMES) in lists
    assert sorted(LOWER_IS_BETTER_WORDS) in lists


@pytest.mark.neo4j
@pytest.mark.parametrize(("name", "args"), [("leaderboard", {"dataset": "BenchX"}), ("claims", {"entity": "BenchX"}),
                                            ("claims", {"entity": "Zeta"}), ("leaderboard", {"dataset": "LibriX"}),
                                            ("leaderboard", {"dataset": "BenchX", "metric": "accuracy"})])
def test_claim_queries_neo4j_rows_equal_store_rows(neo4j_db, neo4j_settings, make_store, name, args):
    from kg.store.neo4j import load_graph

    data = board_data()
    load_graph(neo4j_db, data, neo4j_settings.database)
    rows = run_query(name, args, make_store(data))
    assert rows
    assert run_query(name, args, Neo4jBackend(neo4j_db, neo4j_settings.database)) == rows


def _long_board() -> GraphData:
    """BenchY with nine absolute results in two groups (accuracy %, then a metric not stated), so a
    limit can cut inside the first group, at its end, or inside the second; nine papers evaluate on
    it, and claims of five of them are about one of three methods."""
    papers = [Paper(id=f"q{i}", title=f"Paper {i}", abstract="A.", year=2020 + i) for i in range(9)]
    entities = [Entity(id="dataset:benchy", type=EntityType.DATASET, name="BenchY"),
                Entity(id="metric:accuracy", type=EntityType.METRIC, name="accuracy"),
                *(Entity(id=f"method:m{j}", type=EntityType.METHOD, name=f"M{j}") for j in range(3))]
    claims = [_claim(f"k{i}", 50.0 + 3 * i, "%", paper=f"q{i}") for i in range(9)]
    edges = [_edge(EdgeType.REPORTS, c.paper_id, c.id, c.paper_id) for c in claims]
    edges += [_edge(EdgeType.ON, c.id, "dataset:benchy", c.paper_id) for c in claims]
    edges += [_edge(EdgeType.EVALUATES_ON, c.paper_id, "dataset:benchy", c.paper_id) for c in claims]
    edges += [_edge(EdgeType.IN_METRIC, f"k{i}", "metric:accuracy", f"q{i}") for i in range(5)]
    edges += [_edge(EdgeType.ABOUT, f"k{i}", f"method:m{i % 3}", f"q{i}") for i in range(5)]
    return GraphData(papers=papers, entities=entities, claims=claims, edges=edges)


@pytest.mark.neo4j
def test_limit_applied_inside_cypher_keeps_the_first_rows_and_ranks(neo4j_db, neo4j_settings, make_store):
    """The queries whose Cypher takes $limit (leaderboard: before it reads titles and evidence and
    collects the groups) give, for every limit, the first rows of the full answer, ranks included,
    as the store does."""
    from kg.store.neo4j import load_graph

    data = _long_board()
    load_graph(neo4j_db, data, neo4j_settings.database)
    neo4j, store = Neo4jBackend(neo4j_db, neo4j_settings.database), make_store(data)
    board = run_query("leaderboard", {"dataset": "BenchY"}, neo4j)
    assert [(r["group"], r["rank"], r["value"]) for r in board] == (
        [("accuracy (%)", i + 1, 62.0 - 3 * i) for i in range(5)]
        + [("metric not stated (%)", i + 1, 74.0 - 3 * i) for i in range(4)])
    limited = sorted(name for name, spec in QUERIES.items() if spec.cypher_limit)
    assert {"leaderboard", "papers-using", "methods-on"} <= set(limited)
    for name in limited:
        full = run_query(name, {"dataset": "BenchY"}, neo4j)
        assert len(full) >= 3, name
        assert full == run_query(name, {"dataset": "BenchY"}, store), name
        for limit in (0, 1, 2, 4, 5, 7, 9, 20):
            rows = run_query(name, {"dataset": "BenchY"}, neo4j, limit)
            assert rows == full[:limit], (name, limit)
            assert rows == run_query(name, {"dataset": "BenchY"}, store, limit), (name, limit)
