"""Terminal output is data: paper and database text never becomes rich markup or terminal control.

Reproducers of issue 11: a title with ``[/]`` crashed ``kg query`` (MarkupError);
``[bold red]``, ``[link=...]`` and ``:x:`` were rendered as style, link and emoji;
ESC/OSC sequences reached stdout. ``--json`` stays exact.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from kg import cli
from kg.cli import app, json_text, terminal_safe

runner = CliRunner()
HOSTILE_TITLES = [
    "Paper [/] one",
    "[bold red]Red alert[/bold red] on GSM8K",
    "[link=https://evil.example]click here[/link]",
    ":x: :thumbs_up: emoji codes",
]
ABSTRACT = "We evaluate on GSM8K and reach 78.9% accuracy."
# (sequence, the text a reader sees of it): only an OSC 8 hyperlink has visible text, its label
ESCAPES = [("\x1b[2J", ""), ("\x1b]0;owned title\x07", ""), ("\x9b31m", ""), ("\x1bc", ""), ("\x07", ""),
           ("\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\", "link"), ("\x00", ""), ("\x85", ""),
           ("\u202e", "")]


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    rows = [{"id": f"h{i}", "title": t, "abstract": ABSTRACT} for i, t in enumerate(HOSTILE_TITLES)]
    path = root / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = runner.invoke(app, ["build", str(path), "--store", str(root / "s")])
    assert result.exit_code == 0, result.output
    return root / "s"


def test_kg_query_prints_markup_in_titles_as_text(hostile_store):
    result = runner.invoke(app, ["query", "papers-using", "GSM8K", "--store", str(hostile_store)], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    flat = " ".join(result.stdout.replace("│", " ").split())
    for text in ("[/]", "[bold red]Red alert[/bold red]", "[link=https://evil.example]click here[/link]", ":x:"):
        assert text in flat
    assert "❌" not in result.stdout and "👍" not in result.stdout


def test_kg_query_json_is_exact(hostile_store):
    result = runner.invoke(app, ["query", "papers-using", "GSM8K", "--store", str(hostile_store), "--json"])
    assert sorted({row["title"] for row in json.loads(result.stdout)}) == sorted(HOSTILE_TITLES)


def _render(rows, columns, monkeypatch) -> str:
    buf = io.StringIO()
    monkeypatch.setattr(cli, "_stdout", lambda: Console(file=buf, force_terminal=True, width=300,
                                                       color_system="truecolor", soft_wrap=False))
    cli._print_rows(rows, columns, as_json=False)
    return buf.getvalue()


@pytest.mark.parametrize(("escape", "visible"), ESCAPES)
def test_tables_strip_escape_sequences_and_controls(escape, visible, monkeypatch):
    out = _render([{"title": f"left{escape}right", f"col{escape}": "[/]"}], ["title", f"col{escape}"], monkeypatch)
    assert f"left{visible}right" in out
    for bad in ("\x1b]", "\x1b[2J", "\x1bc", "\x07", "\x9b", "\x00", "\x85", "\u202e"):
        assert bad not in out
    assert "[/]" in out


def test_terminal_safe_keeps_text_tabs_and_newlines():
    assert terminal_safe("a\tb\nc") == "a\tb\nc"
    assert terminal_safe("x\x1b]8;;https://e.example\x07y\x1b]8;;\x07z") == "xyz"
    assert terminal_safe("bad \ud800") == "bad ?"
    assert terminal_safe("naïve — 数据 🙂") == "naïve — 数据 🙂"


@pytest.mark.parametrize("value", ["\x1b[2J", "a\x85b", "\ud800", "line\u2028sep", "[/] :x:", "naïve"])
def test_json_output_is_exact_and_holds_no_raw_control(value):
    text = json_text([{"v": value}])
    assert json.loads(text) == [{"v": value}]
    assert not any(0x7F <= ord(c) <= 0x9F or 0xD800 <= ord(c) <= 0xDFFF or c in "\x1b\u2028" for c in text)


def test_an_error_naming_hostile_text_is_one_clean_line(hostile_store):
    name = "zz\x1b]0;owned\x07\x1b[2J[/]"
    result = runner.invoke(app, ["query", "papers-using", name, "--store", str(hostile_store)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "\x1b" not in result.output and "\x07" not in result.output
