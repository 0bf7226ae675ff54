"""Atomic writes: an output appears whole or not at all; leftovers of killed runs go; permissions stay.

Reproducers of issue 11: on a full disk ``kg extract -o e.jsonl`` replaced a valid
file with a truncated one and ``kg export`` left a 0-byte GraphML and a half CSV
folder; a killed run left ``.NAME.tmp-*`` behind; a rebuild changed the store's mode.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kg
from kg.cli import app
from kg.graph import export
from kg.io.atomic import atomic_dir, atomic_file, clean_leftovers, leftovers

runner = CliRunner()
ABSTRACT = "We evaluate StepCheck on GSM8K and reach 78.9% accuracy."


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_atomic_file_keeps_the_old_file_when_the_write_fails(tmp_path):
    target = tmp_path / "e.jsonl"
    target.write_text("old\n")
    with pytest.raises(OSError, match="No space left"), atomic_file(target) as f:
        f.write("half a line")
        raise OSError(28, "No space left on device")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.jsonl"]


def test_atomic_file_keeps_permissions_of_the_file_it_replaces(tmp_path):
    target = tmp_path / "e.jsonl"
    target.write_text("old\n")
    os.chmod(target, 0o640)
    with atomic_file(target) as f:
        f.write("new\n")
    assert target.read_text() == "new\n" and _mode(target) == 0o640


def test_leftovers_of_dead_processes_are_removed_and_live_ones_kept(tmp_path):
    target = tmp_path / "e.jsonl"
    dead = tmp_path / f".e.jsonl.tmp-{_dead_pid()}-0a1b2c3d"
    dead.write_text("junk")
    live = tmp_path / f".e.jsonl.tmp-{os.getpid()}-0a1b2c3d"
    live.write_text("being written")
    other = tmp_path / f".f.jsonl.tmp-{_dead_pid()}-0a1b2c3d"
    other.write_text("another file's")
    assert leftovers(target) == [dead]
    with atomic_file(target) as f:
        f.write("x")
    assert not dead.exists() and live.exists() and other.exists()
    assert clean_leftovers(tmp_path / "f.jsonl") == [other]


def test_atomic_dir_replaces_an_export_folder_whole_or_not_at_all(tmp_path):
    owned = re.compile(r"^nodes_\w+\.csv$")
    folder = tmp_path / "import"
    with atomic_dir(folder, owned) as tmp:
        (tmp / "nodes_A.csv").write_text("a")
        (tmp / "nodes_B.csv").write_text("b")
    with pytest.raises(RuntimeError), atomic_dir(folder, owned) as tmp:
        (tmp / "nodes_A.csv").write_text("new a")
        raise RuntimeError("killed")
    assert {p.name: p.read_text() for p in folder.iterdir()} == {"nodes_A.csv": "a", "nodes_B.csv": "b"}
    with atomic_dir(folder, owned) as tmp:
        (tmp / "nodes_A.csv").write_text("new a")
    assert {p.name: p.read_text() for p in folder.iterdir()} == {"nodes_A.csv": "new a"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["import"]


def test_atomic_dir_leaves_a_users_other_files_alone(tmp_path):
    owned = re.compile(r"^nodes_\w+\.csv$")
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    (folder / "nodes_Old.csv").write_text("stale")
    with atomic_dir(folder, owned) as tmp:
        (tmp / "nodes_A.csv").write_text("a")
    assert sorted(p.name for p in folder.iterdir()) == ["nodes_A.csv", "notes.txt"]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("atomic")
    rows = [{"id": "a", "title": "Ctrl \x01 in a title? No: dropped", "abstract": ABSTRACT},
            {"id": "b", "title": "Second", "abstract": ABSTRACT}]
    path = root / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    kg.build([path], store=root / "s")
    return root / "s"


def test_a_failing_export_leaves_the_old_graphml_and_csv_folder(store, tmp_path, monkeypatch):
    graphml, folder = tmp_path / "kg.graphml", tmp_path / "csv"
    assert runner.invoke(app, ["export", "-f", "graphml", "-o", str(graphml), "--store", str(store)]).exit_code == 0
    assert runner.invoke(app, ["export", "-f", "csv", "-o", str(folder), "--store", str(store)]).exit_code == 0
    ET.parse(graphml)  # well-formed
    before = graphml.read_bytes(), {p.name: p.read_bytes() for p in folder.iterdir()}

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "_edge_csv", disk_full)
    monkeypatch.setattr(export, "_write_graphml_stream", lambda source, f: (f.write("<graphml>"), disk_full()))
    for fmt, out in (("graphml", graphml), ("csv", folder)):
        result = runner.invoke(app, ["export", "-f", fmt, "-o", str(out), "--store", str(store)])
        assert result.exit_code == 1 and result.output.startswith("error: ") and "No space left" in result.output
    assert (graphml.read_bytes(), {p.name: p.read_bytes() for p in folder.iterdir()}) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["csv", "kg.graphml"]


def test_a_failing_extract_keeps_the_old_output_file(tmp_path, monkeypatch):
    import kg.nlp

    rows = [{"id": f"p{i}", "title": f"Paper {i}", "abstract": ABSTRACT} for i in range(3)]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "e.jsonl"
    out.write_text('{"valid": "old output"}\n')

    def stops_midway(papers, **kwargs):
        real = kg.nlp.pipeline.extract_papers(papers, **kwargs)
        yield next(real)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(kg.nlp, "extract_papers", stops_midway)
    result = runner.invoke(app, ["extract", str(path), "-o", str(out)])
    assert result.exit_code == 1 and "No space left" in result.output
    assert out.read_text() == '{"valid": "old output"}\n'
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_graphml_of_a_graph_with_control_characters_is_well_formed(tmp_path):
    import networkx as nx

    G = nx.MultiDiGraph()
    G.add_node("paper:\x01x", label="Paper", title="bad \x01\x1b title \ud800", abstract="a")
    G.add_node("method:m", label="Method", name="m\x0b")
    G.add_edge("paper:\x01x", "method:m", key="USES_METHOD", type="USES_METHOD", evidence="e\x02")
    path = export.export_graphml(G, tmp_path / "g.graphml")
    root = ET.parse(path).getroot()
    assert root.tag.endswith("graphml")


def test_a_rebuilt_store_keeps_its_permissions(tmp_path):
    rows = [{"id": "a", "title": "A", "abstract": ABSTRACT}]
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(rows[0]) + "\n", encoding="utf-8")
    kg.build([path], store=tmp_path / "s")
    os.chmod(tmp_path / "s", 0o755)
    os.chmod(tmp_path / "s" / "kg.sqlite", 0o640)
    kg.build([path], store=tmp_path / "s", replace=True)
    assert _mode(tmp_path / "s") == 0o755 and _mode(tmp_path / "s" / "kg.sqlite") == 0o640
