"""The scale benchmark's corpus generator, process measurement and target checks."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts"))

import bench_scale  # noqa: E402
import gen_corpus  # noqa: E402

from kg.io import read_papers  # noqa: E402


@pytest.fixture(scope="module")
def papers() -> list[dict[str, str]]:
    return list(gen_corpus.generate(400, seed=3))


def test_generated_abstracts_and_titles_are_distinct(papers):
    assert len({p["abstract"] for p in papers}) == len(papers)
    assert len({p["title"] for p in papers}) == len(papers)
    assert len({p["id"] for p in papers}) == len(papers)


def test_generated_abstracts_are_not_copies_of_seed_sentences(papers):
    seed = {s for p in read_papers(gen_corpus.seed_files()).papers for s in gen_corpus.split_sentences(p.abstract)}
    sentences = [s for p in papers for s in gen_corpus.split_sentences(p["abstract"])]
    copied = sum(s in seed for s in sentences)
    assert copied < 0.5 * len(sentences)


def test_a_smaller_corpus_is_the_start_of_a_larger_one(papers):
    assert list(gen_corpus.generate(50, seed=3)) == papers[:50]
    assert list(gen_corpus.generate(50, seed=4)) != papers[:50]


def test_a_later_start_continues_the_sequence_with_other_ids(papers):
    more = list(gen_corpus.generate(10, seed=3, start=390, id_prefix="add-"))
    assert [p["abstract"] for p in more] == [p["abstract"] for p in papers[390:400]]
    assert all(p["id"].startswith("add-") for p in more)


def test_generated_file_reads_as_arxiv_records(tmp_path):
    path = gen_corpus.write_corpus(tmp_path / "c.jsonl", 60, seed=3)
    result = read_papers([path])
    assert len(result.papers) == 60 and not result.skipped and not result.duplicates
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert set(first) == {"id", "title", "abstract", "categories", "update_date"}
    assert result.papers[0].categories == first["categories"].split()


def test_gsm8k_is_in_some_papers_but_not_most(papers):
    share = sum("GSM8K" in p["abstract"] for p in papers) / len(papers)
    assert 0.002 < share < 0.1


def test_new_names_are_unique_per_index():
    names = [gen_corpus.new_name(i) for i in range(5000)]
    assert len(set(names)) == len(names)


def test_run_measured_sees_the_memory_and_cpu_of_a_child():
    code = "b = bytearray(150 * 2**20); b[::4096] = b'x' * len(b[::4096]); sum(range(3_000_000))"
    m = bench_scale.run_measured([sys.executable, "-c", code])
    assert m.returncode == 0
    assert m.max_rss_mb >= 150
    assert m.cpu > 0


def test_run_measured_reports_a_failed_command():
    with pytest.raises(RuntimeError, match="exited 3"):
        bench_scale.run_measured([sys.executable, "-c", "import sys; sys.exit(3)"], sample=False)


def _size(n: int, peak: float, cpu_ms: float, ratio: float, seconds: float) -> dict:
    run = {"peak_mb": peak, "cpu_ms_per_abstract": cpu_ms}
    return {"papers": n, "build": run, "build_vs_extract": ratio,
            "queries": {q: {"seconds": seconds, "args": ["X"], "rows": 1} for q in bench_scale.QUERY_NAMES}}


RESULTS = {
    "sizes": [_size(1000, 300, 5.0, 0.9, 0.5), _size(10000, 800, 5.0, 0.9, 0.5), _size(100000, 900, 5.5, 0.9, 0.6)],
    "add": {"into": 100000, "papers": 100, "ratio": 1.5},
}


def test_targets_pass_when_every_figure_is_within_bounds():
    checks = bench_scale.targets(RESULTS)
    assert len(checks) == 8
    assert all(ok for _, ok, _ in checks)


@pytest.mark.parametrize(("path", "value", "failing"), [
    (("sizes", 2, "build", "peak_mb"), 1100, "build peak memory at 100k <= 1 GB"),
    (("sizes", 1, "build", "peak_mb"), 300, "build peak at 100k <= 1.5x at 10k"),
    (("sizes", 2, "build", "cpu_ms_per_abstract"), 6.5, "build CPU/abstract at 100k <= 1.2x at 10k"),
    (("sizes", 2, "build_vs_extract"), 0.7, "build throughput >= 0.75x extraction-only"),
    (("add", "ratio"), 3.5, "add 100 into the 100k store <= 3x building them fresh"),
])
def test_each_target_fails_on_its_own_figure(path, value, failing):
    results = copy.deepcopy(RESULTS)
    node = results
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    failed = [name for name, ok, _ in bench_scale.targets(results) if ok is False]
    assert failed == [failing]


def test_a_slow_query_at_100k_fails_the_query_targets():
    results = copy.deepcopy(RESULTS)
    results["sizes"][2]["queries"]["papers-using"]["seconds"] = 1.2
    failed = [name for name, ok, _ in bench_scale.targets(results) if ok is False]
    assert failed == ["papers-using GSM8K <= 1.0 s at 100k", "papers-using GSM8K <= 2x its 1k time",
                      "every named query <= 2x its 1k time"]
