"""The kg command line through typer's CliRunner: exit codes, one-line errors, JSON output, files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.graph import read_csv_export, read_graphml, read_node_link
from kg.models import (
    Claim,
    Edge,
    EdgeType,
    Entity,
    EntityType,
    GraphData,
    NodeLabel,
    Paper,
)
from kg.query import run_query
from kg.store import load_store, open_store, save_store

runner = CliRunner()


def _edge(type_: EdgeType, source: str, source_label: NodeLabel, target: str, target_label: NodeLabel) -> Edge:
    return Edge(type=type_, source=source, target=target, source_label=source_label, target_label=target_label,
                evidence=f"{source} {type_.value} {target}", paper_ids=["p1"])


def _data() -> GraphData:
    P, D, M, C = NodeLabel.PAPER, NodeLabel.DATASET, NodeLabel.METHOD, NodeLabel.CLAIM
    return GraphData(
        papers=[Paper(id="p1", title="GRPO for math", abstract="We propose GRPO. It reaches 91.2% on GSM8K.")],
        entities=[
            Entity(id="dataset:gsm8k", type=EntityType.DATASET, name="GSM8K", aliases=["GSM-8K"]),
            Entity(id="dataset:gsm-plus", type=EntityType.DATASET, name="GSM-Plus"),
            Entity(id="method:grpo", type=EntityType.METHOD, name="GRPO"),
        ],
        claims=[Claim(id="c1", paper_id="p1", value=91.2, unit="%", text="It reaches 91.2% on GSM8K.")],
        edges=[
            _edge(EdgeType.PROPOSES, "p1", P, "method:grpo", M),
            _edge(EdgeType.EVALUATES_ON, "p1", P, "dataset:gsm8k", D),
            _edge(EdgeType.EVALUATED_ON, "method:grpo", M, "dataset:gsm8k", D),
            _edge(EdgeType.REPORTS, "p1", P, "c1", C),
            _edge(EdgeType.ABOUT, "c1", C, "method:grpo", M),
            _edge(EdgeType.ON, "c1", C, "dataset:gsm8k", D),
        ],
    )


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return save_store(tmp_path / "store", _data(), [], {"papers_read": 1})


def _one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize(
    "command", [["query", "papers-using", "GSM8K"], ["stats"], ["export", "-f", "json", "-o", "x"]]
)
def test_cli_missing_store_exits_1_with_one_line(tmp_path, command):
    result = runner.invoke(app, [*command, "--store", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    line = _one_error_line(result)
    assert line.startswith("error: no kg store at ")
    assert "kg build INPUT --store" in line


def test_cli_store_from_env(store):
    result = runner.invoke(app, ["stats", "--json"], env={"KG_STORE": str(store)})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["store"] == str(store)


def test_cli_unknown_query_exits_1(store):
    result = runner.invoke(app, ["query", "papers-by", "GSM8K", "--store", str(store)])
    assert result.exit_code == 1
    assert _one_error_line(result).startswith("error: unknown query 'papers-by'; known queries: papers-using")


def test_cli_unknown_entity_suggests_names(store):
    result = runner.invoke(app, ["query", "papers-using", "GSM", "--store", str(store)])
    assert result.exit_code == 1
    assert _one_error_line(result) == "error: no dataset named 'GSM'; did you mean: GSM8K, GSM-Plus?"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "papers-using", "GSM8K", "MATH"], "takes 1 argument(s)"),
        (["query", "papers-using"], "needs DATASET"),
        (["query", "claims", "GRPO", "--metric", "accuracy"], "takes no --metric"),
    ],
)
def test_cli_query_argument_mistakes_exit_1(store, args, message):
    result = runner.invoke(app, [*args, "--store", str(store)])
    assert result.exit_code == 1
    assert message in _one_error_line(result)


def test_cli_query_json_is_the_rows_of_run_query(store):
    result = runner.invoke(app, ["query", "papers-using", "gsm-8k", "--store", str(store), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert rows == run_query("papers-using", {"dataset": "GSM8K"}, load_store(store).graph)
    assert rows[0]["id"] == "p1" and rows[0]["role"] == "evaluates_on"


def test_cli_query_table_shows_rows(store):
    result = runner.invoke(app, ["query", "leaderboard", "GSM8K", "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert "GRPO" in result.stdout and "91.2" in result.stdout and "rank" in result.stdout


def test_cli_query_without_name_lists_queries(store):
    result = runner.invoke(app, ["query", "--json"])
    assert result.exit_code == 0
    names = [row["name"] for row in json.loads(result.stdout)]
    assert "papers-using" in names and "leaderboard" in names


def test_cli_query_empty_result_is_an_empty_json_array(store):
    result = runner.invoke(app, ["query", "papers-using", "GSM-Plus", "--store", str(store), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


@pytest.mark.parametrize(
    ("fmt", "name", "reader"),
    [("graphml", "kg.graphml", read_graphml), ("json", "kg.json", read_node_link), ("csv", "csv", read_csv_export)],
)
def test_cli_export_writes_readable_files(store, tmp_path, fmt, name, reader):
    output = tmp_path / "out" / name
    result = runner.invoke(app, ["export", "--format", fmt, "--output", str(output), "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert output.exists()
    graph = reader(output)
    assert sorted(graph.nodes) == sorted(load_store(store).graph.nodes)
    if fmt == "csv":
        assert "neo4j-admin database import full" in result.stdout


def test_cli_export_unknown_format_is_a_usage_error(store, tmp_path):
    result = runner.invoke(app, ["export", "--format", "xml", "--output", str(tmp_path / "x"), "--store", str(store)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_cli_stats_json_counts(store):
    result = runner.invoke(app, ["stats", "--store", str(store), "--json"])
    assert result.exit_code == 0
    stats = json.loads(result.stdout)
    assert stats["nodes"] == {"Claim": 1, "Dataset": 2, "Method": 1, "Paper": 1}
    assert stats["edges"]["EVALUATES_ON"] == 1
    assert sum(stats["edges"].values()) == 6


def test_cli_stats_table(store):
    result = runner.invoke(app, ["stats", "--store", str(store)])
    assert result.exit_code == 0
    assert "Dataset" in result.stdout and "EVALUATED_ON" in result.stdout


@pytest.mark.parametrize("command", ["build", "add", "remove", "extract", "query", "export", "stats", "load", "cypher"])
def test_cli_help_gives_an_example(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.stdout
    assert f"kg {command}" in result.stdout or (command == "load" and "kg load" in result.stdout)


def test_cli_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("kg ")


def test_cli_cypher_bad_param_exits_1():
    result = runner.invoke(app, ["cypher", "RETURN $x", "--param", "no-equals-sign"])
    assert result.exit_code == 1
    assert "--param needs key=value" in _one_error_line(result)


# -------------------------------------------------------------- build / extract


@pytest.fixture
def papers_file(tmp_path: Path) -> Path:
    """A small JSONL input (written here) with a duplicate id, a record without abstract and a broken line."""
    lines = [
        {"id": "a1", "title": "Paper one", "abstract": "We evaluate on GSM8K."},
        {"id": "a2", "title": "Paper two", "abstract": "We also test on GSM8K."},
        {"id": "a1", "title": "Paper one again", "abstract": "Same id."},
        {"id": "a3", "title": "No abstract here."},
    ]
    path = tmp_path / "papers.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines) + "{broken\n", encoding="utf-8")
    return path


def test_cli_build_json_summary_and_store(papers_file, tmp_path):
    store = tmp_path / "built"
    result = runner.invoke(app, ["build", str(papers_file), "--store", str(store), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["papers"] == 2
    assert summary["records"] == 5
    assert len(summary["duplicates"]) == 1
    assert [s["line"] for s in summary["skipped"]] == [4, 5]
    assert summary["entities"] == {"Dataset": 1}
    with open_store(store) as loaded:
        assert [p.id for p in loaded.iter_papers()] == ["a1", "a2"]
        assert len(list(loaded.iter_extractions())) == 2
        assert loaded.last_report()["skipped"] == summary["skipped"]
        rows = run_query("papers-using", {"dataset": "gsm8k"}, loaded)
    assert [r["id"] for r in rows] == ["a1", "a2"]


def test_cli_build_refuses_a_store_with_papers_then_add_and_remove_change_it(papers_file, tmp_path):
    store = str(tmp_path / "s")
    assert runner.invoke(app, ["build", str(papers_file), "--store", store]).exit_code == 0
    again = runner.invoke(app, ["build", str(papers_file), "--store", store])
    assert again.exit_code == 1
    assert "already holds 2 papers" in _one_error_line(again) and "--replace" in _one_error_line(again)
    more = tmp_path / "more.jsonl"
    more.write_text(json.dumps({"id": "a9", "title": "Paper nine", "abstract": "We use MATH-500."}) + "\n", encoding="utf-8")
    added = runner.invoke(app, ["add", str(papers_file), str(more), "--store", store])
    assert added.exit_code == 0, added.output
    assert "papers: 1 added, 0 updated, 2 unchanged" in added.stdout
    removed = runner.invoke(app, ["remove", "a1", "zz", "--store", store, "--json"])
    assert removed.exit_code == 0, removed.output
    summary = json.loads(removed.stdout)
    assert (summary["removed"], summary["not_found"], summary["nodes"]["Paper"]) == (1, ["zz"], 2)
    replaced = runner.invoke(app, ["build", str(more), "--store", store, "--replace", "--json"])
    assert replaced.exit_code == 0, replaced.output
    assert json.loads(replaced.stdout)["nodes"]["Paper"] == 1


def test_cli_build_text_summary_lists_skipped_records(papers_file, tmp_path):
    result = runner.invoke(app, ["build", str(papers_file), "--store", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output
    assert f"{papers_file}:4:" in result.stdout
    assert "duplicate id 'a1'" in result.stdout
    assert "entities: Dataset 1" in result.stdout


def test_cli_build_missing_input_exits_1(tmp_path):
    result = runner.invoke(app, ["build", str(tmp_path / "none.jsonl"), "--store", str(tmp_path / "s")])
    assert result.exit_code == 1
    assert _one_error_line(result).startswith("error: ")
    assert not (tmp_path / "s").exists()


def test_cli_extract_to_stdout_is_gold_shaped_jsonl(papers_file):
    result = runner.invoke(app, ["extract", str(papers_file), "-o", "-"])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["a1", "a2"]
    assert {"id", "title", "abstract", "entities", "roles", "claims"} <= set(records[0])
    assert records[0]["entities"][0]["text"] == "GSM8K"


def test_cli_extract_to_file(papers_file, tmp_path):
    output = tmp_path / "out" / "ex.jsonl"
    result = runner.invoke(app, ["extract", str(papers_file), "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert len(output.read_text(encoding="utf-8").splitlines()) == 2
    assert "wrote 2 extractions" in result.stderr


def test_cli_query_limit_shows_the_first_rows_and_says_so_on_stderr(store):
    args = ["query", "neighbors", "GRPO", "--store", str(store), "--json"]
    full = json.loads(runner.invoke(app, [*args, "--limit", "0"]).stdout)
    assert len(full) >= 2
    result = runner.invoke(app, [*args, "--limit", "1"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == full[:1]
    assert "showing the first 1 rows; --limit 0 shows all" in result.stderr
    exact = runner.invoke(app, [*args, "--limit", str(len(full))])
    assert json.loads(exact.stdout) == full and "showing the first" not in exact.stderr


def test_cli_query_limit_must_not_be_negative(store):
    result = runner.invoke(app, ["query", "papers-using", "GSM8K", "--store", str(store), "--limit", "-1"])
    assert result.exit_code == 2
