from __future__ import annotations

import pytest

from kg.errors import QueryError
from kg.models import NodeLabel
from kg.query import Candidate, resolve, resolve_name

POOL = [
    Candidate("dataset:gsm8k", "Dataset", "GSM8K", ("GSM-8K", "Grade School Math 8K")),
    Candidate("dataset:gsm-plus", "Dataset", "GSM-Plus"),
    Candidate("dataset:math", "Dataset", "MATH"),
    Candidate("method:math", "Method", "Math"),
    Candidate("model:gpt-4", "Model", "GPT-4", ("gpt4",)),
]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("dataset:gsm8k", "dataset:gsm8k"),
        ("GSM8K", "dataset:gsm8k"),
        ("gsm8k", "dataset:gsm8k"),
        ("GSM-8K", "dataset:gsm8k"),
        ("gsm_8k", "dataset:gsm8k"),
        ("grade school math 8k", "dataset:gsm8k"),
        ("Gsm Plus", "dataset:gsm-plus"),
    ],
)
def test_resolve_name_through_ids_names_aliases_and_normalization(name, expected):
    assert resolve_name(POOL, name, ["Dataset"]) == expected


def test_resolve_name_only_within_the_asked_labels():
    assert resolve_name(POOL, "math", ["Method"]) == "method:math"
    assert resolve_name(POOL, "math", ["Dataset"]) == "dataset:math"


def test_resolve_name_exact_name_beats_normalized_match_of_another_label():
    assert resolve_name(POOL, "Math", ["Dataset", "Method"]) == "method:math"
    assert resolve_name(POOL, "MATH", ["Dataset", "Method"]) == "dataset:math"


def test_resolve_name_ties_go_to_the_earlier_label():
    assert resolve_name(POOL, "math", ["Method", "Dataset"]) == "method:math"
    assert resolve_name(POOL, "math", ["Dataset", "Method"]) == "dataset:math"


def test_resolve_name_unknown_suggests_close_names():
    with pytest.raises(QueryError, match=r"^no dataset named 'GSM'; did you mean: GSM8K, GSM-Plus\?$"):
        resolve_name(POOL, "GSM", ["Dataset"])


def test_resolve_name_unknown_without_close_names_has_no_suggestion():
    with pytest.raises(QueryError, match=r"^no method or model named 'zzz'$"):
        resolve_name(POOL, "zzz", ["Method", "Model"])


@pytest.mark.parametrize("name", ["", "---", "  "])
def test_resolve_name_empty_after_normalization_matches_nothing(name):
    with pytest.raises(QueryError, match="no dataset named"):
        resolve_name(POOL, name, ["Dataset"])


def test_resolve_on_graph(graph):
    assert resolve(graph, "MATH500", [NodeLabel.DATASET]) == "dataset:math-500"
    with pytest.raises(QueryError, match="no entity named 'GSM8'; did you mean: GSM8K"):
        resolve(graph, "GSM8", [NodeLabel.DATASET, NodeLabel.METHOD, NodeLabel.MODEL, NodeLabel.TASK])
