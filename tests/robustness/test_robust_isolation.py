"""Per-paper fault isolation: a paper that raises in extraction or linking costs only itself.

Modelled on spaCy's ``Language.set_error_handler``: ``extract_papers(on_error=...)``
hands each failing paper to the handler as a ``FailedPaper`` and goes on, in this
process and in the fork-pool workers; ``kg build`` counts them and exits 3.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import kg
import kg.flow
from kg.cli import EXIT_FAILED, app
from kg.models import Extraction, Paper
from kg.nlp.pipeline import MAX_TEXT_CHARS, build_nlp, extract_papers

ABSTRACT = "We propose StepCheck. It reaches 78.9% accuracy on GSM8K."
runner = CliRunner()


def _papers() -> list[Paper]:
    return [
        Paper(id="a", title="First", abstract=ABSTRACT),
        Paper(id="surrogate", title="Bad \ud800 title", abstract=ABSTRACT),  # built directly, not read: unchecked
        Paper(id="b", title="Second", abstract=ABSTRACT),
        Paper(id="huge", title="Huge", abstract="word " * (MAX_TEXT_CHARS // 5 + 10)),
        Paper(id="c", title="Third", abstract=ABSTRACT),
    ]


def fail_on_b(extraction: Extraction, paper: Paper) -> str:
    """A ``then`` step (module level, so worker processes can run it) that raises for paper b."""
    if paper.id == "b":
        raise RuntimeError("linking exploded\non two lines")
    return extraction.id


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()


@pytest.mark.parametrize("n_process", [1, 2])
def test_failing_papers_go_to_the_handler_and_the_rest_go_on(nlp, n_process):
    failed = []
    out = list(extract_papers(_papers(), nlp=nlp, batch_size=2, n_process=n_process, then=fail_on_b,
                              on_error=failed.append))
    assert out == ["a", "c"]
    by_id = {f.paper_id: f for f in failed}
    assert set(by_id) == {"surrogate", "b", "huge"}
    assert by_id["b"].stage == "link" and "linking exploded on two lines" in by_id["b"].reason
    assert by_id["huge"].stage == "tokenize" and "longer than" in by_id["huge"].reason
    assert all("\n" not in f.reason and len(f.reason) <= 300 for f in failed)


def test_without_a_handler_the_error_raises(nlp):
    with pytest.raises(RuntimeError, match="linking exploded"):
        list(extract_papers(_papers()[2:3], nlp=nlp, then=fail_on_b))


def test_a_component_that_raises_for_one_doc_costs_only_that_paper():
    nlp = build_nlp(claims=False)

    @nlp.component("explode_on_marker")
    def explode(doc):
        if "EXPLODE" in doc.text:
            raise ValueError("component failed")
        return doc

    nlp.add_pipe("explode_on_marker")
    papers = [Paper(id=str(i), title=f"T{i}", abstract=ABSTRACT + (" EXPLODE" if i == 2 else "")) for i in range(5)]
    failed = []
    got = [e.id for e in extract_papers(papers, nlp=nlp, batch_size=3, on_error=failed.append)]
    assert got == ["0", "1", "3", "4"]
    assert [(f.paper_id, f.stage) for f in failed] == [("2", "extract")]


def _boom_link(extraction: Extraction, paper: Paper):
    if paper.id == "b":
        raise RuntimeError("cannot link")
    return _real_link(extraction, paper)


_real_link = kg.flow.link_rows


def test_build_counts_a_failed_paper_and_the_cli_exits_3(tmp_path, monkeypatch):
    monkeypatch.setattr(kg.flow, "link_rows", _boom_link)
    rows = [{"id": pid, "title": f"Paper {pid}", "abstract": ABSTRACT} for pid in ("a", "b", "c")]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = kg.build([path], store=tmp_path / "s")
    assert [f.paper_id for f in report.failed] == ["b"] and report.added == 2
    assert "1 failed" in report.read_summary()
    result = runner.invoke(app, ["build", str(path), "--store", str(tmp_path / "t"), "--json"])
    assert result.exit_code == EXIT_FAILED
    summary = json.loads(result.stdout)
    assert [(f["paper_id"], f["stage"]) for f in summary["failed"]] == [("b", "link")]
    with kg.open_store(tmp_path / "t") as store:
        assert sorted(store.paper_ids()) == ["a", "c"]


def test_extract_exits_3_and_keeps_the_other_papers(tmp_path, monkeypatch):
    from kg.nlp import pipeline

    real = pipeline.doc_to_extraction

    def fails_for_b(doc, paper):
        if paper.id == "b":
            raise KeyError("no such span")
        return real(doc, paper)

    monkeypatch.setattr(pipeline, "doc_to_extraction", fails_for_b)
    rows = [{"id": pid, "title": f"Paper {pid}", "abstract": ABSTRACT} for pid in ("a", "b", "c")]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(path), "-o", str(out)])
    assert result.exit_code == EXIT_FAILED
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["a", "c"]
    assert "b: extract failed: KeyError" in result.output and "1 failed" in result.output


def test_a_text_the_readers_cut_is_never_too_long_for_the_pipeline(tmp_path):
    big = "word " * (MAX_TEXT_CHARS // 5 + 10)
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"id": "big", "title": "Big " * 1000, "abstract": big}) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["extract", str(path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "cut to" in result.output and json.loads(out.read_text())["id"] == "big"


def test_the_dask_engine_isolates_failing_papers_too():
    import distributed

    from kg.nlp.dask_engine import map_partitions

    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        failed = []
        out = list(map_partitions(client, _papers(), partition_size=2, then=fail_on_b, on_error=failed.append))
    assert out == ["a", "c"]
    assert sorted((f.paper_id, f.stage) for f in failed) == [("b", "link"), ("huge", "tokenize"),
                                                             ("surrogate", "tokenize")]
