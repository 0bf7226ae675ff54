"""Reproducers of issue 11 for the readers: odd line endings, nesting, code points, long text, ids.

Each input here once crashed or misled a build; now a bad record costs only itself
(skipped with file:line and a reason) and a repairable one is used and reported.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kg.cli import app
from kg.errors import InputError
from kg.io import detect_format, iter_records, read_papers
from kg.io.jsonl import MAX_JSON_DEPTH, json_depth
from kg.io.records import MAX_ABSTRACT_CHARS, MAX_ID_CHARS, MAX_TITLE_CHARS, TITLE_WORDS

ABSTRACT = "We propose StepCheck, a verifier. It reaches 78.9% accuracy on GSM8K, up from 71.2%."
runner = CliRunner()


def _jsonl(path: Path, *rows: object) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def _good(pid: str = "ok") -> dict[str, str]:
    return {"id": pid, "title": "A good paper", "abstract": ABSTRACT}


# ------------------------------------------------------------ line endings


@pytest.mark.parametrize("newline", ["\r", "\n", "\r\n"])
def test_trending_text_with_any_line_ending_and_a_comma_in_the_first_title(tmp_path, newline):
    text = newline.join(["A title, with a comma", ABSTRACT * 3, "Second title", ABSTRACT * 3]) + newline
    path = tmp_path / "page.txt"
    path.write_bytes(text.encode("utf-8"))
    assert detect_format(path) == "trending"
    result = read_papers([path])
    assert [p.title for p in result.papers] == ["A title, with a comma", "Second title"]
    assert not result.skipped


def test_csv_with_cr_only_line_endings(tmp_path):
    path = tmp_path / "papers.csv"
    path.write_bytes(f'id,title,abstract\rc1,T one,"{ABSTRACT}"\rc2,T two,"{ABSTRACT}"\r'.encode())
    assert [p.id for p in read_papers([path]).papers] == ["c1", "c2"]


# ------------------------------------------------------------ nesting


def _deep(n: int) -> str:
    return '{"a":' * n + "1" + "}" * n


def test_json_depth_counts_brackets_outside_strings_without_recursion():
    assert json_depth('{"a": "[[[{{{", "b": [1, [2]]}') == 3
    assert json_depth(_deep(100_000)) == 100_000
    assert json_depth('"\\"[["') == 0


def test_a_deeply_nested_jsonl_line_is_skipped_alone(tmp_path):
    path = _jsonl(tmp_path / "in.jsonl", _good("a"), _deep(100_000), _good("b"))
    result = read_papers([path])
    assert [p.id for p in result.papers] == ["a", "b"]
    (skip,) = result.skipped
    assert skip.line == 2 and f"deeper than {MAX_JSON_DEPTH}" in skip.reason


def test_a_deeply_nested_first_line_does_not_break_format_detection(tmp_path):
    path = _jsonl(tmp_path / "in.json", _deep(100_000), _good("b"))
    assert detect_format(path) == "jsonl"
    result = read_papers([path])
    assert [p.id for p in result.papers] == ["b"] and result.skipped[0].line == 1


def test_a_deeply_nested_element_of_a_json_array_is_skipped_alone(tmp_path):
    path = tmp_path / "in.json"
    path.write_text("[\n" + json.dumps(_good("a")) + ",\n" + _deep(100_000) + ",\n[[\"]]]\"]],\n"
                    + json.dumps(_good("b")) + "\n]", encoding="utf-8")
    result = read_papers([path])
    assert [p.id for p in result.papers] == ["a", "b"]
    assert [(s.line, s.reason.split(" (")[0]) for s in result.skipped] == [
        (3, f"JSON nested deeper than {MAX_JSON_DEPTH} levels"), (4, "not a JSON object")]


def test_a_deeply_nested_single_json_object_is_one_error_line(tmp_path):
    path = tmp_path / "in.json"
    path.write_text(" \n" + _deep(100_000) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="nested deeper than"):
        list(iter_records(path, "json"))


# ------------------------------------------------------------ code points and long text


def test_lone_surrogates_and_controls_are_replaced_and_reported(tmp_path):
    path = _jsonl(tmp_path / "in.jsonl", '{"id": "s1", "title": "Bad \\ud800 \\u0001title", "abstract": "x \\udfff y."}')
    result = read_papers([path])
    (paper,) = result.papers
    assert paper.title == "Bad \ufffd title" and paper.abstract == "x \ufffd y."
    paper.title.encode("utf-8")  # encodable now
    (note,) = result.repaired
    assert (note.line, note.paper_id) == (1, "s1")
    assert any("invalid code point" in r for r in note.repairs) and any("control" in r for r in note.repairs)
    assert result.records == 1  # a repair is a note, not a record


def test_a_title_or_abstract_over_the_limit_is_cut_with_a_note(tmp_path):
    path = _jsonl(tmp_path / "in.jsonl", {"id": "l", "title": "word " * 1_000, "abstract": "text " * 300_000})
    result = read_papers([path])
    (paper,) = result.papers
    assert len(paper.title) <= MAX_TITLE_CHARS and len(paper.abstract) <= MAX_ABSTRACT_CHARS
    assert paper.abstract.endswith("text")  # cut at a word boundary
    assert any("cut to" in r for r in result.repaired[0].repairs)


def test_a_csv_field_longer_than_csvs_default_limit_is_read(tmp_path):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerows([["id", "title", "abstract"], ["c1", "Long", "word " * 60_000], ["c2", "Short", ABSTRACT]])
    path = tmp_path / "in.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    result = read_papers([path])
    assert [p.id for p in result.papers] == ["c1", "c2"]
    assert len(result.papers[0].abstract) > 131_072 + 100_000


def test_a_record_with_an_abstract_but_no_title_is_built_with_its_first_words(tmp_path):
    abstract = "Sparse attention scales to long documents without loss. We show it on three benchmarks."
    path = _jsonl(tmp_path / "in.jsonl", {"id": "n1", "abstract": abstract}, {"abstract": "One two three " * 10})
    result = read_papers([path])
    first, second = result.papers
    assert first.title == "Sparse attention scales to long documents without loss."
    assert second.title.endswith("…") and len(second.title.split()) == TITLE_WORDS + 1
    assert second.id.startswith("t-")
    assert [r.paper_id for r in result.repaired] == ["n1", second.id]


def test_ids_over_the_limit_or_with_controls_are_refused(tmp_path):
    path = _jsonl(tmp_path / "in.jsonl", {**_good(), "id": "x" * 1_000_000}, {**_good(), "id": "a\x01b"}, _good())
    result = read_papers([path])
    assert [p.id for p in result.papers] == ["ok"]
    reasons = [s.reason for s in result.skipped]
    assert f"limit of {MAX_ID_CHARS}" in reasons[0] and "control" in reasons[1]
    assert all(len(r) < 200 for r in reasons)  # the 1 MB id is not echoed


# ------------------------------------------------------------ whole runs


def test_an_all_broken_file_is_an_error_and_leaves_no_store(tmp_path):
    path = _jsonl(tmp_path / "in.jsonl", "{broken", '{"id": 1.5}', "[1]")
    store = tmp_path / "s"
    result = runner.invoke(app, ["build", str(path), "--store", str(store)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: no usable paper") and "in.jsonl:1" in lines[0]
    assert not (store / "kg.sqlite").exists()


def test_an_all_broken_file_keeps_the_old_store_on_replace(tmp_path):
    store = tmp_path / "s"
    assert runner.invoke(app, ["build", str(_jsonl(tmp_path / "ok.jsonl", _good())), "--store", str(store)]).exit_code == 0
    before = (store / "kg.sqlite").read_bytes()
    bad = _jsonl(tmp_path / "bad.jsonl", "{broken")
    assert runner.invoke(app, ["build", str(bad), "--store", str(store), "--replace"]).exit_code == 1
    assert (store / "kg.sqlite").read_bytes() == before


def test_build_summary_counts_repaired_records_in_text_and_json(tmp_path):
    path = _jsonl(tmp_path / "in.jsonl", _good("a"), {"id": "n1", "abstract": ABSTRACT}, "{broken")
    result = runner.invoke(app, ["build", str(path), "--store", str(tmp_path / "s"), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["papers"] == 2 and summary["records"] == 3
    assert [r["paper_id"] for r in summary["repaired"]] == ["n1"]
    text = runner.invoke(app, ["build", str(path), "--store", str(tmp_path / "t")])
    assert "1 repaired" in text.output.splitlines()[0]
