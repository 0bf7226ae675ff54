"""Tests of the trending-page reader: chrome removal, title/abstract alternation, the seed corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.io import detect_format, read_papers
from kg.io.records import derive_paper_id
from kg.io.trending import is_chrome, looks_like_abstract, strip_subscribe

FIRST_TITLE = "A Type Theory for Probabilistic and Bayesian Reasoning"
LAST_TITLE = "Does Fine-Tuning LLMs on New Knowledge Encourage Hallucinations?"

# Invented abstracts, long enough (more than 40 words) to have an abstract's shape.
ABSTRACT_1 = (
    "We propose StepCheck, a verifier-guided method that re-derives each intermediate quantity "
    "before answering. On GSM8K it improves accuracy from 71.2% to 78.9% with Llama-3.1-8B-Instruct, "
    "and on MATH-500 from 38.4% to 43.0%. Most of the gain comes from the last two steps of each "
    "solution, which we analyse in detail."
)
ABSTRACT_2 = (
    "Code models trained with unit-test rewards receive a sparse signal. We reward programs by the "
    "fraction of tests they pass and train with PPO. pass@1 on HumanEval rises from 61.0% to 68.3%, "
    "and the gap to GPT-4o narrows on every split we evaluate, including the hardest problems."
)
CHROME = "Get trending papers in your email inbox once a day!\nGet trending papers in your email inbox!\n"


def _page(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "page.txt"
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------ pure helpers


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Get trending papers in your email inbox once a day!", True),
        ("Get trending papers in your email inbox!", True),
        ("Subscribe", True),
        ("Trending Papers Are Not Chrome: A Study", False),
        (FIRST_TITLE, False),
    ],
)
def test_is_chrome_lines(line: str, expected: bool) -> None:
    assert is_chrome(line) is expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("SubscribeA Type Theory", "A Type Theory"),
        ("Subscribeπ^{*}_{0.6}: a VLA", "π^{*}_{0.6}: a VLA"),
        ("Subscriber Churn Prediction with Graphs", "Subscriber Churn Prediction with Graphs"),
        ("A Type Theory", "A Type Theory"),
    ],
)
def test_strip_subscribe_only_glued_label(line: str, expected: str) -> None:
    assert strip_subscribe(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (LAST_TITLE, False),
        ("π^{*}_{0.6}: a VLA That Learns From Experience", False),
        ("X vs. Y: When Does Z Help? An Empirical Study", False),
        (ABSTRACT_1, True),
        (ABSTRACT_2, True),
        ("We study a thing here. It turns out to be a very useful thing. We release all code and data for anyone.", True),
    ],
)
def test_looks_like_abstract_by_shape(line: str, expected: bool) -> None:
    assert looks_like_abstract(line) is expected


# ------------------------------------------------------------ reader on inline pages


def test_read_papers_trending_removes_chrome_and_pairs(tmp_path: Path) -> None:
    path = _page(tmp_path, f"{CHROME}SubscribeStepCheck\n{ABSTRACT_1}\n\nSparse Rewards\n{ABSTRACT_2}\n")
    assert detect_format(path) == "trending"
    result = read_papers([path])
    assert [(p.title, p.abstract) for p in result.papers] == [("StepCheck", ABSTRACT_1), ("Sparse Rewards", ABSTRACT_2)]
    assert [p.id for p in result.papers] == [derive_paper_id("StepCheck"), derive_paper_id("Sparse Rewards")]
    assert result.records == 2 and not result.skipped


def test_read_papers_trending_chrome_repeated_between_pages(tmp_path: Path) -> None:
    path = _page(tmp_path, f"{CHROME}SubscribeFirst\n{ABSTRACT_1}\n{CHROME}SubscribeSecond\n{ABSTRACT_2}\n")
    assert [p.title for p in read_papers([path]).papers] == ["First", "Second"]


@pytest.mark.parametrize(
    ("lines", "titles", "skipped"),
    [
        # an abstract line doubled: the second has no title before it
        (["T1", ABSTRACT_1, ABSTRACT_2, "T2", ABSTRACT_2], ["T1", "T2"], [(3, "without a title")]),
        # an abstract line missing: T1 has no abstract after it
        (["T1", "T2", ABSTRACT_2, "T3", ABSTRACT_1], ["T2", "T3"], [(1, "without an abstract")]),
        # the last title has no abstract
        (["T1", ABSTRACT_1, "T2"], ["T1"], [(3, "end of file")]),
    ],
)
def test_read_papers_trending_reports_lines_breaking_alternation(
    tmp_path: Path, lines: list[str], titles: list[str], skipped: list[tuple[int, str]]
) -> None:
    result = read_papers([_page(tmp_path, "\n".join(lines) + "\n")])
    assert [p.title for p in result.papers] == titles
    assert [(s.line, reason in s.reason) for s, (_, reason) in zip(result.skipped, skipped)] == [
        (line, True) for line, _ in skipped
    ]
    assert len(result.skipped) == len(skipped)
    assert len(result.papers) + len(result.skipped) + len(result.duplicates) == result.records


def test_read_papers_trending_same_title_twice_is_duplicate(tmp_path: Path) -> None:
    result = read_papers([_page(tmp_path, f"Same Title\n{ABSTRACT_1}\nsame title\n{ABSTRACT_2}\n")])
    assert len(result.papers) == 1
    assert [(d.line, d.first_line) for d in result.duplicates] == [(3, 1)]


# ------------------------------------------------------------ the seed corpus


@pytest.fixture(scope="module")
def corpus_path(seed_corpus: Path) -> Path:
    return seed_corpus


def test_read_papers_trending_corpus_all_119_papers(corpus_path: Path) -> None:
    result = read_papers([corpus_path])
    assert len(result.papers) == 119
    assert not result.skipped and not result.duplicates
    assert result.records == 119
    assert result.papers[0].title == FIRST_TITLE
    assert result.papers[-1].title == LAST_TITLE
    assert len({p.id for p in result.papers}) == 119


def test_read_papers_trending_corpus_titles_are_exact_lines(corpus_path: Path) -> None:
    raw_lines = set(corpus_path.read_text(encoding="utf-8").splitlines())
    titles = [p.title for p in read_papers([corpus_path]).papers]
    assert all("Subscribe" not in t and "trending papers" not in t.lower() for t in titles)
    assert [t for t in titles[1:] if t not in raw_lines] == []
    assert "Subscribe" + titles[0] in raw_lines


def test_read_papers_trending_corpus_matches_gold_text(corpus_path: Path, dev_gold: Path) -> None:
    papers = {p.title: p for p in read_papers([corpus_path]).papers}
    with dev_gold.open(encoding="utf-8") as handle:
        gold = [json.loads(line) for line in handle if line.strip()]
    assert gold
    assert [g["title"] for g in gold if g["title"] not in papers] == []
    assert [g["title"] for g in gold if papers[g["title"]].abstract != g["abstract"]] == []


def test_read_papers_gold_file_reads_as_papers(dev_gold: Path) -> None:
    result = read_papers([dev_gold])
    assert len(result.papers) == result.records > 0
    assert not result.skipped
