"""Tests of the gazetteer files and their loader (kg.resources)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

import kg.resources as res
from kg.errors import KGError
from kg.models import EntityType, normalize_name
from kg.resources import (
    GazetteerEntry,
    alias_table,
    load_entries,
    resource_kinds,
    resource_meta,
)
from kg.resources._derive import (
    clean_benchmark_display_name,
    clean_model_display_name,
    clean_pwc_task,
)

REPO = Path(__file__).resolve().parents[2]
NAMES_DIR = REPO / ".." / "shared" / "data" / "names"
EXPECTED_KINDS = {"datasets", "models", "model_families", "methods", "metrics", "tasks", "tasks_pwc"}


def test_resource_kinds_lists_every_file():
    assert EXPECTED_KINDS <= set(resource_kinds())


@pytest.mark.parametrize("kind", sorted(EXPECTED_KINDS))
def test_resource_meta_has_license_and_sources(kind):
    meta = resource_meta()[kind]
    assert meta["license"]
    assert meta["sources"]
    assert meta["count"] == len(load_entries(kind))


def test_resource_meta_pwc_file_is_cc_by_sa():
    assert resource_meta()["tasks_pwc"]["license"] == "CC-BY-SA-4.0"


@pytest.mark.parametrize("kind", sorted(EXPECTED_KINDS))
def test_load_entries_no_duplicate_canonical_names(kind):
    counts = Counter(normalize_name(e.name.replace("+", " plus ")) for e in load_entries(kind))
    assert [k for k, c in counts.items() if c > 1] == []


def test_load_entries_no_duplicate_names_across_files_of_one_type():
    tasks = {normalize_name(e.name) for e in load_entries("tasks")}
    assert not tasks & {normalize_name(e.name) for e in load_entries("tasks_pwc")}


@pytest.mark.parametrize(
    ("type_", "form", "canonical"),
    [
        (EntityType.DATASET, "GSM-8K", "GSM8K"),
        (EntityType.DATASET, "gsm8k", "GSM8K"),
        (EntityType.DATASET, "AIME24", "AIME 2024"),
        (EntityType.DATASET, "MATH500", "MATH-500"),
        (EntityType.DATASET, "BBH", "BIG-Bench Hard"),
        (EntityType.DATASET, "HumanEval-Plus", "HumanEval+"),
        (EntityType.DATASET, "MS MARCO", "MS MARCO"),
        (EntityType.DATASET, "ImageNet-1K", "ImageNet"),
        (EntityType.MODEL, "Llama-3.1-8B-Instruct", "Llama 3.1 8B Instruct"),
        (EntityType.MODEL, "o1-mini", "o1-mini"),
        (EntityType.METHOD, "CoT", "chain-of-thought"),
        (EntityType.METHOD, "RLHF", "reinforcement learning from human feedback"),
        (EntityType.METRIC, "EM", "exact match"),
        (EntityType.METRIC, "normalized discounted cumulative gain", "nDCG"),
        (EntityType.TASK, "Text to SQL", "text-to-SQL"),
    ],
)
def test_alias_table_resolves_known_forms(type_, form, canonical):
    assert alias_table()[(type_, normalize_name(form))] == canonical


def test_alias_table_keys_are_typed():
    table = alias_table()
    assert (EntityType.METHOD, normalize_name("GSM8K")) not in table


@pytest.mark.parametrize("name", ["PretrainZero", "FCP", "TALAR", "PRefLexOR", "Reasoning-Table", "RoboFuME"])
def test_alias_table_has_no_corpus_introduced_names(name):
    assert all(key[1] != normalize_name(name) for key in alias_table())


def test_load_entries_ambiguous_entries_are_case_sensitive():
    loose = [e.name for e in load_entries() if e.ambiguous and not e.case_sensitive]
    assert loose == []


@pytest.mark.parametrize("name", ["MATH", "BIRD", "ARC", "Spider", "PubMed"])
def test_load_entries_word_like_benchmarks_are_ambiguous(name):
    entry = next(e for e in load_entries("datasets") if e.name == name)
    assert entry.ambiguous and entry.case_sensitive


def test_load_entries_families_are_marked():
    families = load_entries("model_families")
    assert families and all(e.family and e.type is EntityType.MODEL for e in families)
    assert {"Llama", "Qwen", "Mistral", "ResNet"} <= {e.name for e in families}


def test_load_entries_unknown_kind_raises():
    with pytest.raises(KGError, match="nope"):
        load_entries("nope")


def test_load_entries_broken_line_names_file_and_line(tmp_path, monkeypatch):
    (tmp_path / "broken.jsonl").write_text('{"_meta": {"license": "x"}}\n{"name": "A", "type": "Dataset"}\n{oops\n')
    monkeypatch.setattr(res, "_package_files", lambda: tmp_path)
    res._read_kind.cache_clear()
    try:
        with pytest.raises(KGError, match=r"broken\.jsonl:3"):
            load_entries("broken")
    finally:
        res._read_kind.cache_clear()


def test_load_entries_bad_type_raises(tmp_path, monkeypatch):
    (tmp_path / "bad.jsonl").write_text('{"name": "A", "type": "Animal"}\n')
    monkeypatch.setattr(res, "_package_files", lambda: tmp_path)
    res._read_kind.cache_clear()
    try:
        with pytest.raises(KGError, match=r"bad\.jsonl:1"):
            load_entries("bad")
    finally:
        res._read_kind.cache_clear()


def test_gazetteer_entry_forms_start_with_name():
    entry = GazetteerEntry(name="GSM8K", type=EntityType.DATASET, aliases=("Grade School Math 8K",))
    assert entry.forms == ("GSM8K", "Grade School Math 8K")


@pytest.mark.parametrize(
    ("display", "expected"),
    [
        ("Llama 3.1 Instruct (8B)", "Llama 3.1 8B Instruct"),
        ("Mixtral Instruct (8x7B)", "Mixtral 8x7B Instruct"),
        ("Claude 3.5 Sonnet (20241022)", "Claude 3.5 Sonnet"),
        ("GPT-3.5 (text-davinci-003)", "text-davinci-003"),
        ("Llama 4 Scout (17Bx16E) Instruct", "Llama 4 Scout 17Bx16E Instruct"),
    ],
)
def test_clean_model_display_name_moves_size_and_drops_dates(display, expected):
    assert clean_model_display_name(display)[0] == expected


@pytest.mark.parametrize("display", ["Mistral 7B Instruct on Amazon Bedrock", "Whisper-1 + GPT-4o (2024-11-20)"])
def test_clean_model_display_name_drops_deployments(display):
    assert clean_model_display_name(display) is None


def test_clean_benchmark_display_name_keeps_spelled_out_alias():
    assert clean_benchmark_display_name("QuAC (Question Answering in Context)") == (
        "QuAC",
        ["Question Answering in Context"],
    )


@pytest.mark.parametrize("display", ["Story generation", "Synthetic efficiency", "Flores"])
def test_clean_benchmark_display_name_rejects_descriptions(display):
    assert clean_benchmark_display_name(display) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('"Zero-Shot Image Classification"', "zero-shot image classification"),
        ("3D Object Detection", "3D object detection"),
        ("Gaussian Processes Regression", "Gaussian processes regression"),
        ("Speech Synthesis - Telugu", None),
        ("Homography", None),
        ("2D Semantic Segmentation task 2 (17 classes)", None),
    ],
)
def test_clean_pwc_task_running_text_case(raw, expected):
    assert clean_pwc_task(raw) == expected


def test_build_resources_merge_keeps_plus_variants_apart(build_script):
    build = build_script
    merged = build.merge_entries(
        [
            build.make_entry("HumanEval", "Dataset", [], source="a"),
            build.make_entry("HumanEval+", "Dataset", ["HumanEval-Plus"], source="b"),
            build.make_entry("Human-Eval", "Dataset", ["HE"], source="c"),
        ]
    )
    assert [(e["name"], e["aliases"], e["source"]) for e in merged] == [
        ("HumanEval", ["HE"], "a; c"),
        ("HumanEval+", ["HumanEval-Plus"], "b"),
    ]


def test_resource_files_are_sorted_jsonl():
    for kind in EXPECTED_KINDS:
        lines = (REPO / "kg" / "resources" / f"{kind}.jsonl").read_text(encoding="utf-8").splitlines()
        names = [json.loads(line)["name"] for line in lines[1:]]
        assert names == sorted(names, key=lambda n: (n.casefold(), n)), kind
