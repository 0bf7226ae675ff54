from __future__ import annotations

import json

import pytest

from kg.errors import StoreError
from kg.graph import build_graph
from kg.models import (
    SCHEMA_VERSION,
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
from kg.store import default_store_path, load_store, save_store


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


def test_save_store_writes_the_three_files(tmp_path):
    path = save_store(tmp_path / "store", _data(), [_extraction()], REPORT)
    assert sorted(p.name for p in path.iterdir()) == ["extractions.jsonl", "graph.json", "manifest.json"]
    lines = (path / "extractions.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [_extraction().model_dump(mode="json", exclude_none=False)]
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert manifest["report"] == REPORT
    assert manifest["counts"]["papers"] == 1
    assert manifest["counts"]["edges_by_type"] == {"EVALUATES_ON": 1}


def test_load_store_gives_back_what_was_saved(tmp_path):
    save_store(tmp_path / "store", _data(), [_extraction()], REPORT)
    store = load_store(tmp_path / "store")
    assert store.data == _data()
    assert store.extractions == [_extraction()]
    assert store.manifest["report"] == REPORT
    assert sorted(store.graph.edges(keys=True, data=True)) == sorted(build_graph(_data()).edges(keys=True, data=True))


def test_save_store_again_replaces_the_store(tmp_path):
    save_store(tmp_path / "store", _data("first"), [_extraction()], REPORT)
    save_store(tmp_path / "store", _data("second"), [], {})
    store = load_store(tmp_path / "store")
    assert store.data.papers[0].title == "second"
    assert store.extractions == []
    assert store.manifest["report"] == {}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_save_store_refuses_a_folder_that_is_not_a_store(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(StoreError, match="not a kg store"):
        save_store(tmp_path, _data(), [], {})
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_load_store_missing_folder_says_how_to_build(tmp_path):
    with pytest.raises(StoreError, match=r"no kg store at .*missing: run `kg build INPUT --store .*missing` first"):
        load_store(tmp_path / "missing")


def test_load_store_folder_without_manifest_is_not_a_store(tmp_path):
    (tmp_path / "graph.json").write_text("{}", encoding="utf-8")
    with pytest.raises(StoreError, match="no kg store"):
        load_store(tmp_path)


def test_load_store_other_schema_version_asks_to_rebuild(tmp_path):
    path = save_store(tmp_path / "store", _data(), [], {})
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    manifest["schema_version"] = SCHEMA_VERSION + 1
    (path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(StoreError, match="build it again"):
        load_store(path)


def test_load_store_broken_graph_file(tmp_path):
    path = save_store(tmp_path / "store", _data(), [], {})
    (path / "graph.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(StoreError, match="broken kg store"):
        load_store(path)


def test_default_store_path_follows_env(monkeypatch, tmp_path):
    monkeypatch.setenv("KG_STORE", str(tmp_path / "elsewhere"))
    assert default_store_path() == tmp_path / "elsewhere"
    monkeypatch.delenv("KG_STORE")
    assert default_store_path().name == "kg-out"


def test_save_store_failure_keeps_the_old_store(tmp_path, monkeypatch):
    import kg.store.embedded as embedded

    save_store(tmp_path / "store", _data("kept"), [], {})

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(embedded, "_write_files", broken)
    with pytest.raises(StoreError, match="disk full"):
        save_store(tmp_path / "store", _data("lost"), [], {})
    assert load_store(tmp_path / "store").data.papers[0].title == "kept"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]
