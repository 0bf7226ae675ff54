"""Name resolution: the pure semantics (kg.query.resolve) and the store's index look-ups."""

from __future__ import annotations

import re

import pytest

from kg.errors import QueryError
from kg.models import Entity, EntityType, GraphData, NodeLabel, normalize_name
from kg.query import Candidate, GraphBackend, StoreBackend, resolve, resolve_name
from kg.query.resolve import candidates_from_graph, nearest, suggest

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


# ------------------------------------------------------------------ suggestion pool


def test_nearest_keeps_spellings_sharing_the_prefix_and_caps_each_side():
    rows = [(f"ab{i:02d}", f"d:{i}", f"AB{i}") for i in range(10)] + [("zz", "d:z", "ZZ")]
    pool = nearest(rows, "ab05", cap=2)
    assert [r[0] for r in pool] == ["ab03", "ab04", "ab05", "ab06"]


def test_suggestions_need_the_first_two_characters():
    with pytest.raises(QueryError, match=r"^no dataset named 'SGM8K'$"):
        resolve_name(POOL, "SGM8K", ["Dataset"])


def test_suggest_names_the_smallest_id_of_a_shared_spelling():
    rows = [("gsm8k", "dataset:b", "B"), ("gsm8k", "dataset:a", "A")]
    assert suggest(rows, "gsm8") == ["A"]


# ------------------------------------------------------------------ on a store


@pytest.mark.parametrize(
    ("name", "labels", "expected"),
    [
        ("dataset:gsm8k", ("Dataset",), "dataset:gsm8k"),
        ("GSM8K", ("Dataset",), "dataset:gsm8k"),
        ("GSM-8K", ("Dataset",), "dataset:gsm8k"),
        ("gsm 8k", ("Dataset",), "dataset:gsm8k"),
        ("Group Relative Policy Optimization", ("Method", "Model"), "method:grpo"),
        ("group-relative policy optimization", ("Method", "Model"), "method:grpo"),
        ("MATH500", ("Dataset", "Method", "Model", "Metric", "Task"), "dataset:math-500"),
        ("Mathematical Reasoning", ("Dataset", "Method", "Model", "Metric", "Task"), "task:mathematical-reasoning"),
    ],
)
def test_store_resolves_ids_names_aliases_and_normalized_forms(store, name, labels, expected):
    assert StoreBackend(store).resolve(name, labels) == expected


def test_store_resolves_only_within_the_asked_labels(store):
    with pytest.raises(QueryError, match=r"^no dataset named 'GRPO'$"):
        StoreBackend(store).resolve("GRPO", ("Dataset",))


def test_store_ties_go_to_the_earlier_label_then_the_smaller_id(make_store):
    data = GraphData(entities=[
        Entity(id="method:math", type=EntityType.METHOD, name="Math"),
        Entity(id="dataset:math", type=EntityType.DATASET, name="MATH"),
        Entity(id="dataset:math-b", type=EntityType.DATASET, name="Ma-th"),
    ])
    backend = StoreBackend(make_store(data))
    assert backend.resolve("math", ("Method", "Dataset")) == "method:math"
    assert backend.resolve("math", ("Dataset", "Method")) == "dataset:math"
    assert backend.resolve("Ma-th", ("Method", "Dataset")) == "dataset:math-b"
    assert backend.resolve("MA TH", ("Dataset",)) == "dataset:math"


@pytest.mark.parametrize(
    ("name", "labels", "message"),
    [
        ("GSMK", ("Dataset",), "no dataset named 'GSMK'; did you mean: GSM8K?"),
        ("GSM", ("Dataset",), "no dataset named 'GSM'; did you mean: GSM8K, GSM-Plus?"),
        ("acuracy", ("Metric",), "no metric named 'acuracy'; did you mean: accuracy?"),
        ("Qwen3", ("Method", "Model"), "no method or model named 'Qwen3'; did you mean: Qwen3-4B-Base?"),
        ("zzz", ("Method", "Model"), "no method or model named 'zzz'"),
        ("---", ("Dataset",), "no dataset named '---'"),
    ],
)
def test_store_misses_say_so_with_the_graph_s_suggestions(store, graph, name, labels, message):
    for backend in (StoreBackend(store), GraphBackend(graph)):
        with pytest.raises(QueryError) as info:
            backend.resolve(name, labels)
        assert str(info.value) == message


def _unwritten_canonical(store) -> tuple[str, str, str]:
    """An entity of the seed store named by the alias table in a spelling no paper wrote (key-wise)."""
    for row in store.conn.execute("SELECT id, type, name FROM entities WHERE canonical IS NOT NULL ORDER BY id"):
        key = normalize_name(row["name"])
        forms = {r[0] for r in store.conn.execute("SELECT norm FROM entity_forms WHERE entity_id = ?", (row["id"],))}
        if key not in forms:
            return row["id"], row["type"], key
    pytest.fail("the seed store has no canonical name missing from entity_forms: the test proves nothing")


def test_store_resolves_a_canonical_name_no_paper_wrote(seed_store):
    ident, label, key = _unwritten_canonical(seed_store)
    assert StoreBackend(seed_store).resolve(key, (label,)) == ident
    with pytest.raises(QueryError, match=rf"did you mean: .*{re.escape(seed_store.entity(ident).name)}"):
        StoreBackend(seed_store).resolve(key + "x", (label,))


def _spelling_variants(name: str) -> set[str]:
    """What users type: the name as written, in upper case, normalized, with a typo."""
    cut = len(name) // 2
    return {name, name.upper(), normalize_name(name), name[:cut] + name[cut + 1 :]}


def test_store_resolution_equals_the_reference_on_the_seed_corpus(seed_store, seed_graph):
    labels = ("Dataset", "Method", "Model", "Metric", "Task")
    every = candidates_from_graph(seed_graph, labels)
    backend = StoreBackend(seed_store)
    mismatches, resolved = [], 0
    names = sorted({v for c in every for form in (c.id, c.name, *c.aliases) for v in _spelling_variants(form)})
    for name in names:
        for asked in (labels, labels[1:3]):
            answers = []
            for resolver in (lambda: resolve_name(every, name, asked), lambda: backend.resolve(name, asked)):
                try:
                    answers.append(resolver())
                except QueryError as e:
                    answers.append(str(e))
            resolved += ":" in answers[0]
            if answers[0] != answers[1]:
                mismatches.append(f"{name!r} {asked}: {answers}")
    assert not mismatches, "\n".join(mismatches[:20])
    assert resolved > len(names)
