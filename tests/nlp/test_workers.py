"""Tests of extraction in worker processes: same output as one process, in order, streamed, shut down cleanly."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.io import read_papers
from kg.models import Paper
from kg.nlp.pipeline import CHUNKS_PER_WORKER, build_nlp, extract_papers, pipeline_spec

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def papers() -> list[Paper]:
    result = read_papers([
        REPO / "examples" / "sample_papers.jsonl",
        REPO / "tests" / "data" / "synthetic_heldout.jsonl",
    ])
    assert len(result.papers) >= 40
    return result.papers


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()


def _no_workers_left() -> bool:
    return not multiprocessing.active_children()


class Counting:
    """An iterable of papers that counts how many were taken."""

    def __init__(self, papers: list[Paper], fail_at: int | None = None) -> None:
        self.papers, self.fail_at, self.taken = papers, fail_at, 0

    def __iter__(self) -> Iterator[Paper]:
        for paper in self.papers:
            if self.taken == self.fail_at:
                raise RuntimeError("input broke")
            self.taken += 1
            yield paper


@pytest.mark.parametrize("batch_size", [1, 5, 64])
def test_two_workers_give_the_same_extractions_in_order(nlp, papers: list[Paper], batch_size: int) -> None:
    one = [e.model_dump() for e in extract_papers(papers, nlp=nlp, batch_size=batch_size)]
    two = [e.model_dump() for e in extract_papers(iter(papers), nlp=nlp, batch_size=batch_size, n_process=2)]
    assert [e["id"] for e in two] == [p.id for p in papers]
    assert two == one
    assert sum(len(e["entities"]) for e in two) > 100  # a real comparison, not of empty extractions
    assert _no_workers_left()


def test_default_pipeline_in_workers(papers: list[Paper]) -> None:
    one = [e.model_dump() for e in extract_papers(papers[:12], batch_size=4)]
    two = [e.model_dump() for e in extract_papers(papers[:12], batch_size=4, n_process=2)]
    assert two == one


def test_pipeline_without_claims_is_used_by_workers(papers: list[Paper]) -> None:
    rules = build_nlp(claims=False)
    assert pipeline_spec(rules) == (False, "fast")
    two = list(extract_papers(papers, nlp=rules, batch_size=8, n_process=2))
    assert not any(e.claims for e in two)
    assert [e.model_dump() for e in two] == [e.model_dump() for e in extract_papers(papers, nlp=rules)]


def test_workers_stream_the_input(nlp, papers: list[Paper]) -> None:
    source = Counting(papers * 3)
    stream = extract_papers(source, nlp=nlp, batch_size=2, n_process=2)
    assert source.taken == 0  # nothing read before the first result is asked for
    first = next(stream)
    assert first.id == papers[0].id
    assert source.taken <= (CHUNKS_PER_WORKER * 2 + 1) * 2 < len(source.papers)
    stream.close()
    assert _no_workers_left()


def test_closing_early_terminates_the_pool(nlp, papers: list[Paper]) -> None:
    stream = extract_papers(papers, nlp=nlp, batch_size=1, n_process=2)
    taken = [next(stream) for _ in range(3)]
    assert multiprocessing.active_children()
    stream.close()
    assert [e.id for e in taken] == [p.id for p in papers[:3]]
    assert _no_workers_left()


def test_input_error_propagates_and_terminates_the_pool(nlp, papers: list[Paper]) -> None:
    with pytest.raises(RuntimeError, match="input broke"):
        list(extract_papers(Counting(papers, fail_at=7), nlp=nlp, batch_size=2, n_process=2))
    assert _no_workers_left()


def test_custom_pipeline_refused_with_workers(papers: list[Paper]) -> None:
    custom = build_nlp()
    custom.add_pipe("sentencizer", first=True)
    with pytest.raises(ValueError, match="n_process=1"):
        extract_papers(papers, nlp=custom, n_process=2)
    assert len(list(extract_papers(papers[:2], nlp=custom))) == 2  # one process takes any pipeline


@pytest.mark.parametrize("n_process", [0, -2])
def test_bad_n_process_raises(nlp, n_process: int) -> None:
    with pytest.raises(ValueError, match="n_process"):
        extract_papers([], nlp=nlp, n_process=n_process)


def test_all_cpus_and_empty_input(nlp, papers: list[Paper]) -> None:
    assert list(extract_papers([], nlp=nlp, n_process=2)) == []
    assert [e.id for e in extract_papers(papers[:3], nlp=nlp, n_process=-1)] == [p.id for p in papers[:3]]
    assert _no_workers_left()


def test_spawned_workers_build_the_same_pipeline(nlp, papers: list[Paper], monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.nlp.pipeline as pipeline

    monkeypatch.setattr(pipeline, "_start_method", lambda: "spawn")  # what platforms without fork use
    two = [e.model_dump() for e in extract_papers(papers[:6], nlp=nlp, batch_size=2, n_process=2)]
    assert two == [e.model_dump() for e in extract_papers(papers[:6], nlp=nlp)]
    assert _no_workers_left()


def _die_on_the_fifth(extraction, paper):
    """A ``then`` step whose worker is killed from outside (as the OOM killer does) on one paper."""
    import os
    import signal

    if paper.id == _die_on_the_fifth.victim:
        os.kill(os.getpid(), signal.SIGKILL)
    return extraction.id


def test_a_worker_killed_from_outside_ends_the_run_with_an_error_not_a_hang(nlp, papers: list[Paper]) -> None:
    from kg.errors import KGError

    _die_on_the_fifth.victim = papers[4].id  # set before the fork: the workers inherit it
    with pytest.raises(KGError, match="an extraction worker process died"):
        list(extract_papers(papers, nlp=nlp, n_process=2, batch_size=2, then=_die_on_the_fifth))
    assert _no_workers_left()
