"""The main job end to end on the seed corpus through the CLI: `kg build`, then the questions
users ask of it (which papers use GSM8K, the GSM8K leaderboard), then `kg extract` scored.

Expected answers come from the issue's statement (8 corpus papers use GSM8K) and from the
dev gold annotations (../shared/gold/dev.jsonl, or its copy in tests/data/seed), never from a run of the code under test.
"""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from kg.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def seed_store(tmp_path_factory, seed_corpus):
    store = tmp_path_factory.mktemp("seed") / "store"
    result = runner.invoke(app, ["build", str(seed_corpus), "--store", str(store),
                                 "--json"])
    assert result.exit_code == 0, result.output
    return store, json.loads(result.stdout)


def _gold(dev_gold) -> list[dict]:
    with open(dev_gold, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _gold_gsm8k_titles(dev_gold) -> set[str]:
    """Titles of gold papers with an evaluates_on / uses_dataset / proposes role on GSM8K."""
    titles = set()
    for paper in _gold(dev_gold):
        groups = {e["group"] for e in paper["entities"] if re.sub(r"\W", "", e["text"]).lower() == "gsm8k"}
        if any(r["role"] in {"evaluates_on", "uses_dataset", "proposes"} and r["group"] in groups
               for r in paper["roles"]):
            titles.add(paper["title"])
    return titles


def test_build_seed_corpus_reads_all_119_papers(seed_store):
    _, summary = seed_store
    assert (summary["records"], summary["papers"], summary["skipped"]) == (119, 119, [])
    assert all(summary["entities"].get(t, 0) > 0 for t in ("Dataset", "Model", "Method", "Metric", "Task"))


def test_papers_using_gsm8k_lists_the_eight_seed_papers(seed_store, seed_corpus, dev_gold):
    store, _ = seed_store
    result = runner.invoke(app, ["query", "papers-using", "GSM8K", "--store", str(store), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    ids = {row["id"] for row in rows}
    assert len(ids) == 8
    titles = {row["title"] for row in rows}
    assert _gold_gsm8k_titles(dev_gold) <= titles
    with open(seed_corpus, encoding="utf-8") as fh:
        corpus = fh.read()
    for row in rows:  # every answer names GSM8K in its evidence: no paper that merely mentions math
        assert re.search(r"GSM-?8K", row["evidence"], re.IGNORECASE), row
        assert row["title"] in corpus


@pytest.mark.parametrize("spelling", ["gsm8k", "GSM-8K", "GSM8K"])
def test_papers_using_resolves_spellings_to_the_same_answer(seed_store, spelling):
    store, _ = seed_store
    result = runner.invoke(app, ["query", "papers-using", spelling, "--store", str(store), "--json"])
    assert result.exit_code == 0, result.output
    assert len({row["id"] for row in json.loads(result.stdout)}) == 8


def test_leaderboard_gsm8k_has_the_self_improve_numbers(seed_store):
    store, _ = seed_store
    result = runner.invoke(app, ["query", "leaderboard", "GSM8K", "--store", str(store), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    values = {(row["baseline"], row["value"], row["unit"]) for row in rows}
    assert (74.4, 82.1, "%") in values  # "Large Language Models Can Self-Improve": 74.4% -> 82.1%, one result
    for row in rows:
        assert row["evidence"] and row["paper_id"]


def test_extract_gold_file_meets_the_entity_floor(tmp_path, dev_gold):
    pred = tmp_path / "dev.pred.jsonl"
    result = runner.invoke(app, ["eval", str(dev_gold), "--json", "--keep", str(pred)])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout)
    assert scores["papers_predicted"] == 60
    assert scores["entities"]["f1"] >= 0.75
    assert scores["dataset_usage"]["f1"] >= 0.85
    assert scores["claims"]["f1"] >= 0.75
    assert sum(1 for _ in pred.open(encoding="utf-8")) == 60
