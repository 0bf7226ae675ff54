"""The build flow on a store that grows: build, add, remove, order independence, kills, two writers."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import kg
from kg.errors import StoreError
from kg.io import read_papers
from kg.store import open_store

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "examples" / "sample_papers.jsonl"
HELDOUT = REPO / "tests" / "data" / "synthetic_heldout.jsonl"


def _write_jsonl(path: Path, papers) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for p in papers:
            fh.write(json.dumps({"id": p.id, "title": p.title, "abstract": p.abstract}, ensure_ascii=False) + "\n")
    return path


def _snapshot(path: Path, *, sources: bool = True) -> dict:
    """Everything a store means: its papers, entities, claims and edges (not when or how it was written).

    ``sources=False`` leaves out which input file each paper came from.
    """
    with open_store(path) as store:
        data = store.to_data().model_dump(mode="json")
    if not sources:
        for paper in data["papers"]:
            paper.pop("source")
    return data


@pytest.fixture(scope="module")
def seed_papers(seed_corpus):
    papers = read_papers([seed_corpus]).papers
    assert len(papers) > 100
    return papers


@pytest.mark.parametrize("seed", [0, 1])
def test_union_build_equals_build_then_add_in_either_order(tmp_path, seed_papers, seed):
    papers = list(seed_papers)
    random.Random(seed).shuffle(papers)
    cut = len(papers) // 2 if seed == 0 else len(papers) // 3
    a = _write_jsonl(tmp_path / "a.jsonl", papers[:cut])
    b = _write_jsonl(tmp_path / "b.jsonl", papers[cut:])
    kg.build([a, b], store=tmp_path / "union")
    kg.build([a], store=tmp_path / "ab")
    report = kg.add([b], store=tmp_path / "ab", commit_every=7)
    assert (report.added, report.updated, report.unchanged) == (len(papers) - cut, 0, 0)
    kg.build([b], store=tmp_path / "ba")
    kg.add([a], store=tmp_path / "ba")
    union = _snapshot(tmp_path / "union")
    assert len(union["papers"]) == len(papers)
    assert _snapshot(tmp_path / "ab") == union
    assert _snapshot(tmp_path / "ba") == union
    with open_store(tmp_path / "union") as u, open_store(tmp_path / "ba") as ba:
        assert u.fingerprint() == ba.fingerprint()


def test_the_issue_example_ids_do_not_depend_on_other_papers(tmp_path):
    alone = {"id": "z1", "title": "Zorp-Bench: a benchmark", "abstract": "We evaluate models on Zorp-Bench."}
    others = [
        {"id": f"z{i}", "title": f"Study {i}", "abstract": "We evaluate our method on ZorpBench and report accuracy."}
        for i in (2, 3)
    ]
    (tmp_path / "one.jsonl").write_text(json.dumps(alone) + "\n", encoding="utf-8")
    (tmp_path / "all.jsonl").write_text("".join(json.dumps(r) + "\n" for r in [alone, *others]), encoding="utf-8")
    kg.build([tmp_path / "one.jsonl"], store=tmp_path / "s1")
    kg.build([tmp_path / "all.jsonl"], store=tmp_path / "s2")
    with open_store(tmp_path / "s1") as s1, open_store(tmp_path / "s2") as s2:
        ids1 = {e.id for e in s1.iter_entities() if e.type.value == "Dataset"}
        ids2 = {e.id for e in s2.iter_entities() if e.type.value == "Dataset"}
    assert "dataset:zorpbench" in ids1
    assert ids1 <= ids2


def test_add_skips_unchanged_papers_and_replaces_changed_ones(tmp_path, seed_papers):
    first = _write_jsonl(tmp_path / "first.jsonl", seed_papers[:20])
    kg.build([first], store=tmp_path / "s")
    changed = seed_papers[0].model_copy(update={"abstract": "We evaluate GRPO on MATH-500 and report pass@1."})
    again = _write_jsonl(tmp_path / "again.jsonl", [changed, *seed_papers[1:25]])
    report = kg.add([again], store=tmp_path / "s")
    assert (report.added, report.updated, report.unchanged) == (5, 1, 19)
    assert sorted(report.changed_ids) == sorted([changed.id, *(p.id for p in seed_papers[20:25])])
    fresh = _write_jsonl(tmp_path / "fresh.jsonl", [changed, *seed_papers[1:25]])
    kg.build([fresh], store=tmp_path / "fresh")
    assert _snapshot(tmp_path / "s", sources=False) == _snapshot(tmp_path / "fresh", sources=False)


def test_add_reports_the_entities_an_updated_paper_referred_to_before(tmp_path):
    first = tmp_path / "first.jsonl"
    first.write_text(
        json.dumps({"id": "q-1", "title": "Tuning", "abstract": "We fine-tune Llama-3 with SFT on GSM8K."}) + "\n"
        + json.dumps({"id": "p-1", "title": "ZorpBench", "abstract": "We train with supervised finetuning on MMLU."})
        + "\n", encoding="utf-8")
    later = tmp_path / "later.jsonl"
    later.write_text(
        json.dumps({"id": "p-1", "title": "ZorpBench", "abstract": "We report accuracy on ImageNet."}) + "\n"
        + json.dumps({"id": "n-1", "title": "New", "abstract": "We evaluate on COCO."}) + "\n", encoding="utf-8")
    kg.build([first], store=tmp_path / "s")
    with open_store(tmp_path / "s") as store:
        before = {e.id for e in store.iter_entities()}
    report = kg.add([later], store=tmp_path / "s")
    assert (report.added, report.updated) == (1, 1)
    # what p-1's first version named (its method and dataset), not what the new papers name
    assert {"dataset:mmlu", "method:supervised-fine-tuning"} <= report.replaced_entities
    assert report.replaced_entities <= before
    with open_store(tmp_path / "s") as store:
        sft = next(e for e in store.iter_entities({"method:supervised-fine-tuning"}))
    assert "supervised finetuning" not in [sft.name, *sft.aliases]  # the spelling went with p-1's old text


def test_remove_gives_the_store_built_without_those_papers(tmp_path, seed_papers):
    all_ = _write_jsonl(tmp_path / "all.jsonl", seed_papers[:30])
    kg.build([all_], store=tmp_path / "s")
    gone = [p.id for p in seed_papers[:30:3]]
    report = kg.remove([*gone, "no-such-paper"], store=tmp_path / "s")
    assert report.removed == len(gone) and report.not_found == ["no-such-paper"]
    rest = _write_jsonl(tmp_path / "rest.jsonl", [p for p in seed_papers[:30] if p.id not in gone])
    kg.build([rest], store=tmp_path / "rest")
    assert _snapshot(tmp_path / "s", sources=False) == _snapshot(tmp_path / "rest", sources=False)


def test_build_into_a_store_with_papers_refuses_unless_replace(tmp_path):
    kg.build([SAMPLE], store=tmp_path / "s")
    before = _snapshot(tmp_path / "s")
    with pytest.raises(StoreError, match=r"already holds \d+ papers.*kg add.*--replace"):
        kg.build([HELDOUT], store=tmp_path / "s")
    assert _snapshot(tmp_path / "s") == before
    kg.build([HELDOUT], store=tmp_path / "s", replace=True)
    kg.build([HELDOUT], store=tmp_path / "h")
    assert _snapshot(tmp_path / "s") == _snapshot(tmp_path / "h")


def test_build_that_fails_midway_leaves_the_old_store(tmp_path):
    kg.build([SAMPLE], store=tmp_path / "s")
    before = _snapshot(tmp_path / "s")

    def boom(done: int) -> None:
        if done == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        kg.build([HELDOUT], store=tmp_path / "s", replace=True, commit_every=2, progress=boom)
    assert _snapshot(tmp_path / "s") == before


def test_add_that_fails_midway_keeps_whole_batches_and_the_next_run_reports_it(tmp_path, seed_papers):
    kg.build([SAMPLE], store=tmp_path / "s")
    more = _write_jsonl(tmp_path / "more.jsonl", seed_papers[:40])

    def boom(done: int) -> None:
        if done == 25:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        kg.add([more], store=tmp_path / "s", commit_every=10, progress=boom)
    with open_store(tmp_path / "s") as store:
        stored = set(store.paper_ids())
        (run,) = store.interrupted_runs()
    assert run["batches"] == 2
    assert len(stored & {p.id for p in seed_papers[:40]}) == 20
    report = kg.add([more], store=tmp_path / "s")
    assert [r["batches_committed"] for r in report.interrupted_runs] == [2]
    assert (report.added, report.unchanged) == (20, 20)
    with open_store(tmp_path / "s") as store:
        assert store.interrupted_runs() == []


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-c", "from kg.cli import app; app()", *args]


def _wait_for_batches(store: Path, n: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the writer ended before it could be killed"
        try:
            with open_store(store) as st:
                if any(r["batches"] >= n for r in st.interrupted_runs()):
                    return
        except StoreError:
            pass
        time.sleep(0.05)
    pytest.fail(f"no {n} committed batches in {timeout} s")


def test_killed_add_leaves_whole_papers_and_a_second_writer_is_refused(tmp_path, seed_papers):
    base = kg.build([SAMPLE], store=tmp_path / "s").added
    copies = [p.model_copy(update={"id": f"{p.id}-{i}"}) for i in range(8) for p in seed_papers]
    papers = _write_jsonl(tmp_path / "more.jsonl", copies)  # long enough to be killed mid-way
    proc = subprocess.Popen(_cli("add", str(papers), "--store", str(tmp_path / "s"), "--commit-every", "5"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_batches(tmp_path / "s", 1, proc)
        second = subprocess.run(_cli("add", str(SAMPLE), "--store", str(tmp_path / "s")),
                                capture_output=True, text=True, check=False)
        assert second.returncode == 1
        assert "being written by another kg process" in second.stderr
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    with open_store(tmp_path / "s") as store:
        stored = [p.id for p in store.iter_papers()]
        for ex in store.iter_extractions():  # every stored paper is whole: its extraction and its edges
            assert ex.id in stored
        ids_with_edges = {e.paper_ids[0] for e in store.iter_edges() if e.source_label.value == "Paper"}
        (run,) = store.interrupted_runs()
    assert ids_with_edges <= set(stored)
    added = len(stored) - base
    assert added % 5 == 0 and added == run["batches"] * 5
    report = kg.add([papers], store=tmp_path / "s")
    assert report.added + report.unchanged == len(copies)
    assert [r["batches_committed"] for r in report.interrupted_runs] == [run["batches"]]


def test_build_with_two_workers_equals_one(tmp_path, seed_corpus):
    one = kg.build([seed_corpus], store=tmp_path / "one", commit_every=40)
    two = kg.build([seed_corpus], store=tmp_path / "two", workers=2, batch_size=16)
    assert one.added == two.added > 100
    assert _snapshot(tmp_path / "one") == _snapshot(tmp_path / "two")


def test_store_query_gives_the_rows_of_the_cli_json(tmp_path):
    from typer.testing import CliRunner

    from kg.cli import app

    kg.build([SAMPLE], store=tmp_path / "s")
    with kg.open_store(tmp_path / "s") as store:
        rows = store.query("papers-using", dataset="gsm8k")
        board = store.query("leaderboard", dataset="GSM8K", metric="accuracy")
    assert rows and {r["role"] for r in rows} <= {"evaluates_on", "uses_dataset", "proposes"}
    result = CliRunner().invoke(app, ["query", "papers-using", "GSM-8K", "--store", str(tmp_path / "s"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == rows
    assert all(r["metric"] == "accuracy" for r in board)
