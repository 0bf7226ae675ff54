"""The SQLite store: what it keeps, how it refuses, how writers exclude each other."""

from __future__ import annotations

import sqlite3

import pytest

from kg.errors import StoreError
from kg.graph import build_graph
from kg.models import (
    Edge,
    EdgeType,
    Entity,
    EntityType,
    ExtractedEntity,
    ExtractedRole,
    Extraction,
    GraphData,
    NodeLabel,
    Paper,
    Role,
)
from kg.store import create_store, default_store_path, fresh_store, open_store, save_store
from kg.store.embedded import DB_FILE


def _data(title: str = "GRPO on GSM8K") -> GraphData:
    return GraphData(
        papers=[Paper(id="p1", title=title, abstract="We evaluate on GSM8K.", year=2025)],
        entities=[Entity(id="dataset:gsm8k", type=EntityType.DATASET, name="GSM8K", aliases=["GSM-8K"])],
        edges=[
            Edge(type=EdgeType.EVALUATES_ON, source="p1", target="dataset:gsm8k", source_label=NodeLabel.PAPER,
                 target_label=NodeLabel.DATASET, evidence="We evaluate on GSM8K.", paper_ids=["p1"])
        ],
    )


def _extraction() -> Extraction:
    return Extraction(
        id="p1",
        title="GRPO on GSM8K",
        abstract="We evaluate on GSM8K.",
        entities=[ExtractedEntity(text="GSM8K", type=EntityType.DATASET, group=0, start=15, end=20)],
        roles=[ExtractedRole(role=Role.EVALUATES_ON, group=0, text="GSM8K")],
    )


REPORT = {"papers_read": 1, "skipped": [{"file": "in.jsonl", "line": 3, "reason": "no title"}], "duplicates": []}


def test_save_store_writes_one_database_and_gives_back_what_was_saved(tmp_path):
    path = save_store(tmp_path / "store", _data(), [_extraction()], REPORT)
    assert (path / DB_FILE).is_file()
    with open_store(path) as store:
        assert store.to_data() == _data()
        assert list(store.iter_extractions()) == [_extraction()]
        assert store.last_report() == REPORT
        assert store.counts() == {"nodes": {"Dataset": 1, "Paper": 1}, "edges": {"EVALUATES_ON": 1}}
        edges = sorted(store.graph.edges(keys=True, data=True))
    assert edges == sorted(build_graph(_data()).edges(keys=True, data=True))


def test_database_is_in_wal_mode_with_indexes_for_the_queries(tmp_path):
    path = save_store(tmp_path / "store", _data())
    conn = sqlite3.connect(path / DB_FILE)
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"edges_target", "edges_source", "edges_paper", "entity_forms_norm", "entities_name"} <= indexes
    conn.close()
    with create_store(path) as store:
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_save_store_again_replaces_the_store_and_keeps_its_id(tmp_path):
    save_store(tmp_path / "store", _data("first"), [_extraction()], REPORT)
    with open_store(tmp_path / "store") as store:
        first_id = store.store_id
    save_store(tmp_path / "store", _data("second"))
    with open_store(tmp_path / "store") as store:
        assert [p.title for p in store.iter_papers()] == ["second"]
        assert store.store_id == first_id
        assert store.last_report() == {}


def test_save_store_refuses_a_folder_that_is_not_a_store(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(StoreError, match="not empty and not a kg store"):
        save_store(tmp_path, _data())
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_open_store_missing_folder_says_how_to_build(tmp_path):
    with pytest.raises(StoreError, match=r"kg build INPUT --store"):
        open_store(tmp_path / "missing")


def test_open_store_of_the_old_json_layout_asks_to_rebuild(tmp_path):
    (tmp_path / "graph.json").write_text("{}", encoding="utf-8")
    (tmp_path / "manifest.json").write_text("{}", encoding="utf-8")
    with pytest.raises(StoreError, match="older kg.*--replace"):
        open_store(tmp_path)


def test_open_store_other_layout_version_asks_to_rebuild(tmp_path):
    path = save_store(tmp_path / "store", _data())
    conn = sqlite3.connect(path / DB_FILE)
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'store_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="build it again"):
        open_store(path)


def test_open_store_broken_database_is_one_store_error(tmp_path):
    (tmp_path / DB_FILE).write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="broken kg store"):
        open_store(tmp_path)


def test_default_store_path_follows_env(monkeypatch, tmp_path):
    monkeypatch.setenv("KG_STORE", str(tmp_path / "elsewhere"))
    assert default_store_path() == tmp_path / "elsewhere"
    monkeypatch.delenv("KG_STORE")
    assert default_store_path().name == "kg-out"


def test_a_second_writer_is_refused_with_a_clear_message(tmp_path):
    with create_store(tmp_path / "store"):
        with pytest.raises(StoreError, match="being written by another kg process"):
            create_store(tmp_path / "store")
    with create_store(tmp_path / "store") as again:  # the lock goes with the first writer
        assert again.writable


def test_a_read_only_store_refuses_writes(tmp_path):
    save_store(tmp_path / "store", _data())
    with open_store(tmp_path / "store") as store, pytest.raises(StoreError, match="read-only"):
        store.remove_papers(["p1"])


def test_failed_replacement_keeps_the_old_store(tmp_path):
    save_store(tmp_path / "store", _data("kept"))
    with pytest.raises(RuntimeError, match="disk full"), fresh_store(tmp_path / "store") as store:
        store.write_data(_data("lost"))
        raise RuntimeError("disk full")
    with open_store(tmp_path / "store") as store:
        assert [p.title for p in store.iter_papers()] == ["kept"]
    assert sorted(p.name for p in (tmp_path / "store").iterdir() if not p.name.startswith(".")) == [DB_FILE]


def test_remove_papers_drops_their_rows_and_orphaned_entities(tmp_path):
    data = _data()
    data.papers.append(Paper(id="p2", title="Other", abstract="We use GSM8K and MATH."))
    data.entities.append(Entity(id="dataset:math", type=EntityType.DATASET, name="MATH"))
    for target in ("dataset:gsm8k", "dataset:math"):
        data.edges.append(Edge(type=EdgeType.USES_DATASET, source="p2", target=target, source_label=NodeLabel.PAPER,
                               target_label=NodeLabel.DATASET, evidence="We use GSM8K and MATH.", paper_ids=["p2"]))
    save_store(tmp_path / "store", data)
    with create_store(tmp_path / "store") as store:
        before = store.fingerprint()
        assert store.remove_papers(["p2", "nope"]) == ["p2"]
        assert [e.id for e in store.iter_entities()] == ["dataset:gsm8k"]
        assert store.counts()["edges"] == {"EVALUATES_ON": 1}
        assert store.fingerprint() != before
        assert store.fingerprint().startswith("1-")


def test_fingerprint_depends_on_content_not_on_order(tmp_path):
    a, b = _data(), _data()
    b.papers = [Paper(id="p1", title="GRPO on GSM8K", abstract="We evaluate on GSM8K.", year=2025)]
    save_store(tmp_path / "a", a)
    save_store(tmp_path / "b", b)
    save_store(tmp_path / "c", _data("another title"))
    with open_store(tmp_path / "a") as sa, open_store(tmp_path / "b") as sb, open_store(tmp_path / "c") as sc:
        assert sa.fingerprint() == sb.fingerprint() != sc.fingerprint()
        assert sa.store_id != sb.store_id


def test_runs_are_logged_and_an_unfinished_one_is_interrupted(tmp_path):
    save_store(tmp_path / "store", _data(), report=REPORT)
    with create_store(tmp_path / "store") as store:
        store.begin_run("add", {"files": ["x.jsonl"]})
    with open_store(tmp_path / "store") as store:
        runs = store.runs()
        assert [r["command"] for r in runs] == ["import", "add"]
        assert [r["command"] for r in store.interrupted_runs()] == ["add"]
        assert store.last_report() == REPORT
        meta = store.meta()
    assert meta["format"] == "kg-store" and meta["paper_count"] == 1
