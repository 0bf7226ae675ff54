#!/usr/bin/env python
"""Throughput of the kg extraction pipeline against spaCy's bare tokenizer.

Timing the pipeline alone says little on a shared machine; its ratio to
spaCy's own tokenizer over the same texts, measured in the same process, does.
Three runs over one list of papers (title + "\\n\\n" + abstract each):

a. ``spacy.blank("en")`` tokenizer through ``nlp.pipe`` (the baseline);
b. the full kg pipeline through ``kg.nlp.extract_papers`` (default mode);
c. the rules only (``build_nlp(claims=False)``).

Each run is warmed up on a few papers first. Peak RSS comes from
``resource.getrusage`` at the end (of this process; worker processes not counted).

``--workers N`` adds two runs of the full pipeline in the same process, with
1 and with N worker processes (``extract_papers(n_process=...)``), and prints
their ratio. ``--distinct N`` benchmarks N distinct abstracts made by
recombining the input's sentences with a fixed seed, rather than copies of the
input (repeated texts could flatter caches).

Example:
    python scripts/bench_extract.py --repeat 10
    python scripts/bench_extract.py --input papers.jsonl --n-process 2 --json
    python scripts/bench_extract.py --distinct 3000 --workers 2
    python scripts/bench_extract.py --cpu-time   # ratios by CPU time on a loaded machine
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

import spacy

from kg.io import read_papers
from kg.models import Paper
from kg.nlp.pipeline import SEPARATOR, build_nlp, extract_papers

DEFAULT_INPUT = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus" / "trending_papers.txt"
MIN_PAPERS = 1000
WARMUP = 16
SEED = 8
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")


def load_papers(paths: list[Path], repeat: int | None) -> list[Paper]:
    """Papers from ``paths``, replicated ``repeat`` times (default: enough for MIN_PAPERS)."""
    papers = read_papers(paths).papers
    if not papers:
        sys.exit(f"no papers in {', '.join(map(str, paths))}")
    times = repeat if repeat is not None else max(1, -(-MIN_PAPERS // len(papers)))
    return [p.model_copy(update={"id": f"{p.id}#{n}"}) for n in range(times) for p in papers]


def recombine(papers: list[Paper], n: int, seed: int = SEED) -> list[Paper]:
    """``n`` papers with distinct abstracts: sentences of ``papers`` shuffled across them.

    Each new paper takes the title of a random input paper and as many random
    sentences (from every abstract) as that paper's abstract has, so lengths stay
    like the input's. The same seed gives the same corpus.
    """
    rng = random.Random(seed)
    sentences = [s for p in papers for s in _SENTENCE_END.split(p.abstract) if s.strip()]
    seen: set[str] = set()
    out: list[Paper] = []
    while len(out) < n:
        model = rng.choice(papers)
        k = max(1, len(_SENTENCE_END.split(model.abstract)))
        abstract = " ".join(rng.sample(sentences, min(k, len(sentences))))
        if abstract in seen:
            continue
        seen.add(abstract)
        out.append(Paper(id=f"r{len(out)}", title=model.title, abstract=abstract, source="recombined"))
    return out


# The clock of the single-process runs: wall time by default; ``--cpu-time`` takes this
# process's CPU time instead, which other processes' load on a shared machine does not inflate.
_CLOCK: Callable[[], float] = time.perf_counter


def _timed(run: Callable[[list[Paper]], int], papers: list[Paper]) -> float:
    """Seconds for one run over ``papers``, after a warm-up on the first few."""
    run(papers[:WARMUP])
    start = _CLOCK()
    count = run(papers)
    elapsed = _CLOCK() - start
    assert count == len(papers), (count, len(papers))
    return elapsed


def _tokenizer_run(batch_size: int) -> Callable[[list[Paper]], int]:
    nlp = spacy.blank("en")

    def run(papers: list[Paper]) -> int:
        texts = (f"{p.title.strip()}{SEPARATOR}{p.abstract.strip()}" for p in papers)
        return sum(1 for _ in nlp.pipe(texts, batch_size=batch_size))

    return run


def _kg_run(claims: bool, batch_size: int, n_process: int) -> Callable[[list[Paper]], int]:
    nlp = build_nlp(claims=claims)

    def run(papers: list[Paper]) -> int:
        return sum(1 for _ in extract_papers(papers, nlp=nlp, batch_size=batch_size, n_process=n_process))

    return run


def _machine_busy_s() -> float | None:
    """CPU seconds the whole machine has been busy since boot (Linux ``/proc/stat``); None elsewhere."""
    try:
        ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait


def _own_cpu_s() -> float:
    """CPU seconds of this process and of its finished children (the pool's workers)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _timed_with_load(run: Callable[[list[Paper]], int], papers: list[Paper]) -> tuple[float, float | None]:
    """``_timed`` and the CPU seconds other processes used meanwhile (None when unknown).

    On a shared machine another process's load makes the N-worker run look slow;
    this says when a ratio was measured under such load.
    """
    busy, own = _machine_busy_s(), _own_cpu_s()
    seconds = _timed(run, papers)
    after = _machine_busy_s()
    others = None if busy is None or after is None else max(0.0, after - busy - (_own_cpu_s() - own))
    return seconds, others


def bench_workers(papers: list[Paper], *, workers: int, batch_size: int, rounds: int = 1) -> dict:
    """Abstracts per second of the full pipeline with 1 and with ``workers`` processes, and their ratio.

    The two are timed in turn ``rounds`` times and the best time of each is kept,
    so that a burst of load from other processes does not decide the ratio. Each
    run gets a fresh pipeline, as a build does (a pipeline used before has a
    warmer vocabulary). The N-worker time includes starting the pool.
    """
    times: dict[int, list[tuple[float, float | None]]] = {1: [], workers: []}
    for _ in range(rounds):
        for n in times:
            times[n].append(_timed_with_load(_kg_run(True, batch_size, n), papers))
    best = {n: min(t, key=lambda run: run[0]) for n, t in times.items()}
    seconds = {n: b[0] for n, b in best.items()}
    rate = {n: len(papers) / v for n, v in seconds.items()}
    return {
        "workers": workers,
        "rounds": rounds,
        "seconds": {str(n): round(v, 3) for n, v in seconds.items()},
        "others_cpu_s": {str(n): None if b[1] is None else round(b[1], 1) for n, b in best.items()},
        "abstracts_per_s": {str(n): round(v, 1) for n, v in rate.items()},
        "speedup": round(rate[workers] / rate[1], 2),
    }


def bench(papers: list[Paper], *, n_process: int, batch_size: int, claims: bool, workers: int | None = None,
          rounds: int = 1) -> dict:
    """Abstracts per second of each run, the ratios to the tokenizer, and peak RSS.

    ``claims=False`` skips run (b), for when only the entity rules matter;
    ``workers`` adds the 1-vs-N-workers comparison (``bench_workers``, best of ``rounds``).
    """
    n = len(papers)
    seconds = {"tokenizer": _timed(_tokenizer_run(batch_size), papers)}
    if claims:
        seconds["pipeline"] = _timed(_kg_run(True, batch_size, n_process), papers)
    seconds["rules_only"] = _timed(_kg_run(False, batch_size, n_process), papers)
    rate = {k: n / v for k, v in seconds.items()}
    scaling = bench_workers(papers, workers=workers, batch_size=batch_size, rounds=rounds) if workers else None
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {
        "papers": n,
        "n_process": n_process,
        "batch_size": batch_size,
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
        "abstracts_per_s": {k: round(v, 1) for k, v in rate.items()},
        "time_ratio_vs_tokenizer": {k: round(seconds[k] / seconds["tokenizer"], 2) for k in seconds if k != "tokenizer"},
        "peak_rss_mb": round(peak_kb / 1024, 1),
    }
    if scaling is not None:
        result["workers"] = scaling
    return result


def _print_table(result: dict) -> None:
    print(f"{result['papers']} papers, n_process={result['n_process']}, batch_size={result['batch_size']}")
    for name, per_s in result["abstracts_per_s"].items():
        ratio = result["time_ratio_vs_tokenizer"].get(name)
        extra = f"  ({ratio:.1f}x the tokenizer's time)" if ratio is not None else "  (baseline)"
        print(f"  {name:<11} {per_s:>10.1f} abstracts/s  {result['seconds'][name]:>7.2f} s{extra}")
    print(f"  peak RSS    {result['peak_rss_mb']:.1f} MB")
    scaling = result.get("workers")
    if scaling:
        n = scaling["workers"]
        print(f"workers (full pipeline, {result['papers']} papers, best of {scaling['rounds']})")
        for key, per_s in scaling["abstracts_per_s"].items():
            label = f"{key} worker" + ("" if key == "1" else "s")
            others = scaling["others_cpu_s"][key]
            load = f"  (other processes: {others:.1f} CPU s)" if others is not None else ""
            print(f"  {label:<11} {per_s:>10.1f} abstracts/s  {scaling['seconds'][key]:>7.2f} s{load}")
        print(f"  {n} workers / 1 worker: {scaling['speedup']:.2f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", type=Path, action="append", help="paper file(s); default: the shared trending corpus")
    parser.add_argument("--repeat", type=int, default=None, help=f"copies of the input (default: >= {MIN_PAPERS} papers)")
    parser.add_argument("--n-process", type=int, default=1, help="worker processes for the kg runs")
    parser.add_argument("--batch-size", type=int, default=64, help="docs per nlp.pipe batch")
    parser.add_argument("--workers", type=int, default=None, help="also time the full pipeline with 1 and N workers")
    parser.add_argument("--rounds", type=int, default=1, help="with --workers: best of this many alternating runs")
    parser.add_argument("--distinct", type=int, default=None,
                        help="N distinct abstracts recombined from the input's sentences (instead of copies)")
    parser.add_argument("--no-claims", action="store_true", help="skip the full run (b) with claims; time (a) and (c) only")
    parser.add_argument("--cpu-time", action="store_true",
                        help="time runs (a)-(c) by this process's CPU time, not wall time (with --n-process 1)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.cpu_time and args.n_process != 1:
        parser.error("--cpu-time needs --n-process 1 (worker processes' CPU is not this process's)")
    if args.repeat is not None and args.repeat < 1:
        parser.error("--repeat must be >= 1")
    if args.workers is not None and args.workers < 2:
        parser.error("--workers must be >= 2")
    if args.rounds < 1:
        parser.error("--rounds must be >= 1")
    if args.distinct is not None and args.distinct < 1:
        parser.error("--distinct must be >= 1")
    if args.cpu_time:
        global _CLOCK
        _CLOCK = time.process_time
    if args.distinct is not None:
        papers = recombine(load_papers(args.input or [DEFAULT_INPUT], 1), args.distinct)
    else:
        papers = load_papers(args.input or [DEFAULT_INPUT], args.repeat)
    result = bench(papers, n_process=args.n_process, batch_size=args.batch_size, claims=not args.no_claims,
                   workers=args.workers, rounds=args.rounds)
    if args.json:
        print(json.dumps(result))
    else:
        _print_table(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
