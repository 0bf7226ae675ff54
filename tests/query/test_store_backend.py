"""The store's backend (kg.query.sqlite): index look-ups only, the bounds of neighbors and path,
and the same rows as the reference implementation on networkx (kg.query.graph)."""

from __future__ import annotations

import random
from itertools import combinations

import pytest

from kg.errors import QueryError
from kg.graph import build_graph
from kg.query import QUERIES, GraphBackend, StoreBackend, as_backend, query, run_query
from kg.query import sqlite as sqlite_backend
from kg.query.registry import NEIGHBORS_LIMIT, PATH_LINK_BUDGET

SAMPLE_CASES = [
    ("papers-using", {"dataset": "gsm8k"}),
    ("papers-using", {"dataset": "GSMK"}),
    ("benchmarks-of", {"entity": "GRPO"}),
    ("methods-on", {"dataset": "GSM8K"}),
    ("neighbors", {"entity": "grpo"}),
    ("path", {"a": "PPO", "b": "MATH-500"}),
    ("claims", {"entity": "accuracy"}),
    ("leaderboard", {"dataset": "GSM8K", "metric": "accuracy"}),
]


def _statements(store, cases) -> list[str]:
    """The SQL statements (values bound) that running ``cases`` on ``store`` executes."""
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    try:
        for name, args in cases:
            try:
                run_query(name, args, store)
            except QueryError:
                pass
    finally:
        store.conn.set_trace_callback(None)
    return list(dict.fromkeys(seen))


@pytest.mark.parametrize("which", ["sample", "seed"])
def test_every_statement_is_an_index_search_never_a_scan(request, which):
    store = request.getfixturevalue("store" if which == "sample" else "seed_store")
    cases = SAMPLE_CASES if which == "sample" else [
        ("papers-using", {"dataset": "gsm-8k"}), ("benchmarks-of", {"entity": "GRPO"}),
        ("methods-on", {"dataset": "GSM8K"}), ("neighbors", {"entity": "accuracy"}),
        ("path", {"a": "GRPO", "b": "BLEU"}), ("claims", {"entity": "GSM8K"}),
        ("leaderboard", {"dataset": "MATH-500"}), ("papers-using", {"dataset": "GSM8KK"}),
    ]
    statements = _statements(store, cases)
    plans = {sql: [r[3] for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql)] for sql in statements}
    scans = {sql: plan for sql, plan in plans.items() if any(step.startswith("SCAN") for step in plan)}
    assert len(statements) > 20
    assert not scans, scans


def test_query_is_run_query_on_a_store_with_keyword_arguments(store):
    rows = query(store, "leaderboard", dataset="GSM8K", metric=None)
    assert rows == run_query("leaderboard", {"dataset": "GSM8K"}, store)
    assert [r["value"] for r in rows][:2] == [91.2, 88.0]
    with pytest.raises(QueryError, match="takes no parameter 'year'"):
        query(store, "papers-using", dataset="GSM8K", year=2024)


def test_as_backend_wraps_stores_and_graphs_and_refuses_the_rest(store, graph):
    assert isinstance(as_backend(store), StoreBackend)
    assert isinstance(as_backend(graph), GraphBackend)
    backend = StoreBackend(store)
    assert as_backend(backend) is backend
    with pytest.raises(TypeError, match="cannot run a query on dict"):
        as_backend({})


# ------------------------------------------------------------------ bounds


@pytest.fixture
def hub(hub_data, make_store):
    """The hub graph as the reference graph and as a store."""
    return build_graph(hub_data), make_store(hub_data)


def test_neighbors_of_a_hub_takes_its_newest_papers_only(hub):
    graph, store = hub
    rows = run_query("neighbors", {"entity": "accuracy"}, store)
    assert rows == run_query("neighbors", {"entity": "accuracy"}, graph)
    papers = sorted({r["id"] for r in rows if r["label"] == "Paper"})
    assert papers == [f"p{i:03d}" for i in range(150 - NEIGHBORS_LIMIT, 150)]
    assert {r["via"] for r in rows} - {""} == set(papers)


def test_neighbors_takes_the_evaluated_on_partners_with_most_papers(hub):
    graph, store = hub
    rows = run_query("neighbors", {"entity": "HubSet"}, store)
    assert rows == run_query("neighbors", {"entity": "HubSet"}, graph)
    partners = {r["id"] for r in rows if r["relation"] == "EVALUATED_ON"}
    with_two_papers = {f"method:m{i:03d}" for i in range(0, 120, 7)}
    assert len(partners) == NEIGHBORS_LIMIT
    assert with_two_papers <= partners
    assert "method:m118" not in partners


def test_path_through_a_hub_does_not_expand_it(hub, monkeypatch):
    graph, store = hub
    monkeypatch.setattr(sqlite_backend, "PATH_LINK_BUDGET", 10)
    rows = run_query("path", {"a": "M000", "b": "M149"}, store)
    assert [r["id"] for r in rows] == ["method:m000", "p000", "metric:accuracy", "p149", "method:m149"]
    assert rows == run_query("path", {"a": "M000", "b": "M149"}, graph)


def test_path_past_the_link_budget_is_an_error(hub, monkeypatch):
    graph, store = hub
    assert run_query("path", {"a": "accuracy", "b": "HubSet"}, store) == run_query(
        "path", {"a": "accuracy", "b": "HubSet"}, graph
    )
    monkeypatch.setattr(sqlite_backend, "PATH_LINK_BUDGET", 100)
    message = r"^no path searched between metric:accuracy and dataset:hubset: it would read more than 100 "
    with pytest.raises(QueryError, match=message):
        run_query("path", {"a": "accuracy", "b": "HubSet"}, store)


def test_path_budget_is_stated_in_the_query_description():
    assert f"{PATH_LINK_BUDGET:,}" in QUERIES["path"].description
    assert f"{NEIGHBORS_LIMIT} newest papers" in QUERIES["neighbors"].description


@pytest.mark.parametrize(("b", "steps"), [("X1", 3), ("X3", 7), ("X4", 0)])
def test_path_longer_than_the_hop_bound_gives_no_rows(chain_data, make_store, b, steps):
    store, graph = make_store(chain_data), build_graph(chain_data)
    rows = run_query("path", {"a": "X0", "b": b}, store)
    assert len(rows) == steps
    assert rows == run_query("path", {"a": "X0", "b": b}, graph)


def test_path_takes_the_smallest_ids_then_the_smallest_relation(tie_data, make_store):
    rows = run_query("path", {"a": "A", "b": "Z"}, make_store(tie_data))
    steps = [(r["id"], r["relation"]) for r in rows]
    assert steps == [("method:a", None), ("pa1", "PROPOSES"), ("dataset:z", "EVALUATES_ON")]
    rows = run_query("path", {"a": "Z", "b": "A"}, make_store(tie_data))
    steps = [(r["id"], r["relation"]) for r in rows]
    assert steps == [("dataset:z", None), ("pa1", "EVALUATES_ON"), ("method:a", "PROPOSES")]
    assert rows == run_query("path", {"a": "Z", "b": "A"}, build_graph(tie_data))


# ------------------------------------------------------------------ seed corpus


def _answer(name: str, args: dict[str, str], backend) -> object:
    try:
        return run_query(name, args, backend)
    except QueryError as e:
        return str(e)


def test_every_single_entity_query_equals_the_reference_on_the_seed_corpus(seed_store, seed_graph):
    mismatches, answered = [], 0
    for name, spec in QUERIES.items():
        param = spec.positional[0]
        labels = {label.value for label in param.labels}
        names = sorted(a["name"] for _, a in seed_graph.nodes(data=True) if a["label"] in labels)
        cases = [{param.name: n} for n in names]
        if spec.options:
            cases += [{param.name: n, "metric": "accuracy"} for n in names]
        for args in cases if len(spec.positional) == 1 else []:
            store_rows, graph_rows = _answer(name, args, seed_store), _answer(name, args, seed_graph)
            answered += bool(store_rows) and isinstance(store_rows, list)
            if store_rows != graph_rows:
                mismatches.append(f"{name} {args}: store={store_rows!r:.200} graph={graph_rows!r:.200}")
    assert not mismatches, "\n".join(mismatches[:10])
    assert answered > 500


def test_paths_equal_the_reference_on_the_seed_corpus(seed_store, seed_graph):
    entities = sorted(n for n, a in seed_graph.nodes(data=True) if a["label"] not in ("Paper", "Claim"))
    pairs = random.Random(8).sample(list(combinations(entities, 2)), 150)
    # and pairs one paper apart (two entities of one paper), whatever the sample drew
    papers = sorted(n for n, a in seed_graph.nodes(data=True) if a["label"] == "Paper")
    entity_set = set(entities)
    for paper in papers[:40]:
        near = sorted(n for n in seed_graph.successors(paper) if n in entity_set)
        pairs += list(combinations(near, 2))[:1]
    mismatches = [
        (a, b) for a, b in pairs
        if _answer("path", {"a": a, "b": b}, seed_store) != _answer("path", {"a": a, "b": b}, seed_graph)
    ]
    lengths = {len(_answer("path", {"a": a, "b": b}, seed_store)) for a, b in pairs}
    assert not mismatches
    assert {0, 3, 5, 7} <= lengths


@pytest.mark.parametrize("limit", [0, 1, 2, 5])
def test_a_limit_keeps_the_first_rows_of_every_query_on_both_implementations(seed_store, seed_graph, limit):
    cases = [
        ("methods-on", {"dataset": "GSM8K"}), ("methods-on", {"dataset": "MATH-500"}),
        ("papers-using", {"dataset": "GSM8K"}), ("benchmarks-of", {"entity": "GRPO"}),
        ("claims", {"entity": "GSM8K"}), ("leaderboard", {"dataset": "MATH-500"}),
        ("neighbors", {"entity": "GRPO"}),
    ]
    sizes = []
    for name, args in cases:
        full = run_query(name, args, seed_store)
        sizes.append(len(full))
        assert run_query(name, args, seed_store, limit) == full[:limit]
        assert run_query(name, args, seed_graph, limit) == full[:limit]
    assert sum(size > 5 for size in sizes) >= 3
    assert query(seed_store, "methods-on", dataset="GSM8K", limit=limit) == query(
        seed_store, "methods-on", dataset="GSM8K")[:limit]


def test_a_negative_limit_is_an_error(seed_store):
    with pytest.raises(QueryError, match="limit must be 0 or more"):
        run_query("methods-on", {"dataset": "GSM8K"}, seed_store, -1)


def test_neighbors_of_a_hub_read_from_its_mentions_equal_those_read_from_its_edges(seed_store, monkeypatch):
    """Past DENSE_EDGES edges an entity's newest papers come from its mentions index: same rows."""
    ids = [r[0] for r in seed_store.conn.execute("SELECT id FROM entities ORDER BY id")]
    by_edges = {i: StoreBackend(seed_store).neighbors(i) for i in ids}
    monkeypatch.setattr(sqlite_backend, "CHUNK", 3)  # several batches of the mentions walk
    monkeypatch.setattr(sqlite_backend, "DENSE_EDGES", 0)
    by_mentions = {i: StoreBackend(seed_store).neighbors(i) for i in ids}
    assert by_mentions == by_edges
    assert sum(len(rows) > 10 for rows in by_edges.values()) > 20
