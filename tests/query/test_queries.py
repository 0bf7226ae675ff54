"""Every named query on the sample graph of tests/query/conftest.py, as a networkx graph and as a store."""

from __future__ import annotations

import pytest

from kg.errors import QueryError
from kg.query import QUERIES, run_query


@pytest.mark.parametrize("name", ["GSM8K", "gsm8k", "GSM-8K", "gsm 8k", "dataset:gsm8k"])
def test_papers_using_resolves_names_aliases_and_normalization(backend, name):
    rows = run_query("papers-using", {"dataset": name}, backend)
    assert [(r["id"], r["role"]) for r in rows] == [("p1", "evaluates_on"), ("p2", "uses_dataset")]
    assert rows[0]["evidence"] == "GRPO reaches 91.2% on GSM8K."
    assert rows[0]["title"] == "Paper 1"


def test_papers_using_includes_proposing_papers(backend):
    rows = run_query("papers-using", {"dataset": "GSM-Plus"}, backend)
    assert [(r["id"], r["role"]) for r in rows] == [("p2", "evaluates_on"), ("p2", "proposes")]


def test_papers_using_unknown_dataset_suggests_close_names(backend):
    with pytest.raises(QueryError, match=r"no dataset named 'GSM'; did you mean: GSM8K, GSM-Plus\?"):
        run_query("papers-using", {"dataset": "GSM"}, backend)


def test_papers_using_a_method_name_is_not_a_dataset(backend):
    with pytest.raises(QueryError, match="no dataset named 'GRPO'"):
        run_query("papers-using", {"dataset": "GRPO"}, backend)


def test_benchmarks_of_lists_datasets_papers_and_best_score(backend):
    rows = run_query("benchmarks-of", {"entity": "Group Relative Policy Optimization"}, backend)
    assert [r["dataset_id"] for r in rows] == ["dataset:math-500", "dataset:gsm8k"]
    math, gsm = rows
    assert math["papers"] == ["p1", "p3"]
    assert (math["best_value"], math["best_unit"], math["best_metric"]) == (60.0, "%", "pass@1")
    assert gsm["claims"] == 2
    assert gsm["best_value"] == 95.0


def test_benchmarks_of_a_model(backend):
    rows = run_query("benchmarks-of", {"entity": "qwen3-4b-base"}, backend)
    assert [(r["dataset"], r["papers"], r["best_value"]) for r in rows] == [("GSM8K", ["p1"], 85.0)]


def test_benchmarks_of_counts_datasets_known_only_from_claims(backend):
    rows = run_query("benchmarks-of", {"entity": "PPO"}, backend)
    assert [(r["dataset"], r["papers"], r["claims"], r["best_value"]) for r in rows] == [("GSM8K", ["p2"], 2, 88.0)]


def test_methods_on_lists_methods_and_models_most_papers_first(backend):
    rows = run_query("methods-on", {"dataset": "MATH500"}, backend)
    assert rows == [{"id": "method:grpo", "label": "Method", "name": "GRPO", "papers": ["p1", "p3"]}]
    rows = run_query("methods-on", {"dataset": "GSM8K"}, backend)
    assert [(r["id"], r["label"]) for r in rows] == [
        ("method:grpo", "Method"),
        ("method:ppo", "Method"),
        ("model:qwen3-4b-base", "Model"),
    ]


def test_neighbors_gives_papers_then_entities_by_shared_paper(backend):
    rows = run_query("neighbors", {"entity": "grpo"}, backend)
    direct = [(r["id"], r["relation"]) for r in rows if r["via"] == ""]
    assert direct == [
        ("dataset:gsm8k", "EVALUATED_ON"),
        ("dataset:math-500", "EVALUATED_ON"),
        ("p1", "PROPOSES"),
        ("p3", "USES_METHOD"),
    ]
    via_p3 = [(r["id"], r["label"], r["relation"]) for r in rows if r["via"] == "p3"]
    assert via_p3 == [
        ("dataset:math-500", "Dataset", "EVALUATES_ON"),
        ("task:mathematical-reasoning", "Task", "ADDRESSES"),
    ]
    assert "method:grpo" not in {r["id"] for r in rows}


def test_path_goes_through_papers_both_ways(backend):
    rows = run_query("path", {"a": "PPO", "b": "math-500"}, backend)
    assert [r["step"] for r in rows] == [0, 1, 2, 3, 4]
    assert [r["id"] for r in rows] == ["method:ppo", "p2", "dataset:gsm8k", "p1", "dataset:math-500"]
    assert [r["relation"] for r in rows] == [None, "USES_METHOD", "USES_DATASET", "EVALUATES_ON", "EVALUATES_ON"]
    assert rows[1]["label"] == "Paper" and rows[1]["name"] == "Paper 2"


def test_path_between_unconnected_entities_is_empty(backend):
    assert run_query("path", {"a": "GRPO", "b": "BLEU"}, backend) == []


def test_path_from_an_entity_to_itself_is_refused(backend):
    with pytest.raises(QueryError, match="two different entities"):
        run_query("path", {"a": "GSM8K", "b": "gsm-8k"}, backend)


def test_claims_about_a_method(backend):
    rows = run_query("claims", {"entity": "PPO"}, backend)
    assert [(r["value"], r["unit"], r["kind"]) for r in rows] == [(88.0, "%", "score"), (3.5, "points", "improvement")]
    assert rows[0] == {
        "paper_id": "p2",
        "title": "Paper 2",
        "year": None,
        "subject": "PPO",
        "dataset": "GSM8K",
        "metric": "accuracy",
        "value": 88.0,
        "baseline": None,
        "unit": "%",
        "kind": "score",
        "quantity": None,
        "direction": None,
        "base_model": None,
        "is_baseline": False,
        "evidence": "Sentence of c3.",
    }


def test_claims_on_a_dataset_keeps_unlinked_subject_text(backend):
    rows = run_query("claims", {"entity": "GSM8K"}, backend)
    assert [r["paper_id"] for r in rows] == ["p1", "p1", "p1", "p2", "p2", "p3"]
    assert rows[-1]["subject"] == "some baseline"
    assert rows[-1]["metric"] is None


def test_leaderboard_never_mixes_units_and_ranks_best_first(backend):
    rows = run_query("leaderboard", {"dataset": "gsm8k"}, backend)
    groups = [(r["unit"], r["metric"], r["rank"], r["subject"], r["value"]) for r in rows]
    assert groups == [
        ("%", "accuracy", 1, "GRPO", 91.2),
        ("%", "accuracy", 2, "PPO", 88.0),
        ("%", "accuracy", 3, "Qwen3-4B-Base", 85.0),
        ("%", None, 1, "some baseline", 55.0),
        ("points", "accuracy", 1, "GRPO", 95.0),
    ]


def test_leaderboard_leaves_out_improvements(backend):
    rows = run_query("leaderboard", {"dataset": "gsm8k"}, backend)
    assert 3.5 not in [r["value"] for r in rows]


def test_leaderboard_metric_filter(backend):
    rows = run_query("leaderboard", {"dataset": "MATH-500", "metric": "Pass@1"}, backend)
    assert [(r["rank"], r["subject"], r["value"], r["metric"]) for r in rows] == [(1, "GRPO", 60.0, "pass@1")]
    assert run_query("leaderboard", {"dataset": "MATH-500", "metric": "accuracy"}, backend) == []


def test_leaderboard_unknown_metric_suggests(backend):
    with pytest.raises(QueryError, match="no metric named 'acuracy'; did you mean: accuracy"):
        run_query("leaderboard", {"dataset": "GSM8K", "metric": "acuracy"}, backend)


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("no-such-query", {}, "unknown query 'no-such-query'; known queries: papers-using"),
        ("papers-using", {}, "needs DATASET"),
        ("papers-using", {"dataset": "GSM8K", "year": 2024}, "takes no parameter 'year'"),
        ("path", {"a": "GRPO"}, "needs B"),
    ],
)
def test_run_query_bad_calls_raise_query_error(backend, name, args, message):
    with pytest.raises(QueryError, match=message):
        run_query(name, args, backend)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_rows_have_the_registered_columns(backend, name):
    spec = QUERIES[name]
    args = {p.name: value for p, value in zip(spec.params, ["GRPO", "GSM8K"]) if p.required}
    if name in ("papers-using", "methods-on", "leaderboard"):
        args = {"dataset": "GSM8K"}
    rows = run_query(name, args, backend)
    assert rows
    assert all(tuple(r) == spec.columns for r in rows)
