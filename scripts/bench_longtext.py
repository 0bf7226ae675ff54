#!/usr/bin/env python
"""Extraction time per character as one abstract grows: is the pipeline linear in text length?

One abstract is made of sentences with numbers, entities and comparisons (the
kind that made claim extraction quadratic before), repeated with varied numbers
up to each length; the full default pipeline extracts it (``extract_paper``),
best of ``--runs`` timings per length. Printed: seconds, microseconds per
character and claims per length, and the ratio of the time per character at the
longest length to that at the shortest (the target is at most 1.5). Times are
CPU seconds of this process (``time.process_time``), so that other jobs on a
shared machine disturb the ratio less than they would wall-clock time.

The lengths default to 10,000, 100,000 and 1,000,000 characters: 1,000,000 is
the longest abstract kg's readers keep (``kg.io.records.MAX_ABSTRACT_CHARS``).

Example:
    nice -n 10 python scripts/bench_longtext.py
    python scripts/bench_longtext.py --lengths 10000 100000 --runs 3 --json
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time

from kg.io.records import MAX_ABSTRACT_CHARS
from kg.models import Paper
from kg.nlp.pipeline import build_nlp, extract_paper

TARGET_RATIO = 1.5
_SENTENCES = (
    "Our method StepCheck reaches {a}.{b}% accuracy on GSM8K, +{c}.{d} points over SFT with {e}x faster training.",
    "On MATH-500 it scores {a}.{b} and improves pass@1 by {c}% over the baseline of {d}.{e}.",
    "We fine-tune Llama-3-8B with GRPO and compare against PPO on HumanEval, where it reaches {a}.{c}.",
    "The WER drops from {a}.{b} to {c}.{d} on LibriSpeech while the model runs {e}x faster.",
    "These results suggest that careful data curation matters more than scale for reasoning tasks.",
)


def long_abstract(length: int) -> str:
    """An abstract of exactly ``length`` characters of varied sentences with numbers."""
    parts: list[str] = []
    size = 0
    i = 0
    while size < length:
        template = _SENTENCES[i % len(_SENTENCES)]
        n = i // len(_SENTENCES)
        sentence = template.format(a=10 + n % 89, b=n % 10, c=1 + n % 9, d=(n * 7) % 10, e=2 + n % 5)
        parts.append(sentence)
        size += len(sentence) + 1
        i += 1
    return " ".join(parts)[:length].rstrip()


def measure(nlp, length: int, runs: int) -> dict[str, float]:
    paper = Paper(id=f"long-{length}", title="A long abstract", abstract=long_abstract(length))
    best = float("inf")
    claims = 0
    for _ in range(runs):
        started = time.process_time()  # CPU time of this process: other jobs on the machine count less
        extraction = extract_paper(paper, nlp=nlp)
        best = min(best, time.process_time() - started)
        claims = len(extraction.claims)
    return {"chars": length, "cpu_seconds": best, "us_per_char": best / length * 1e6, "claims": claims}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[10_000, 100_000, MAX_ABSTRACT_CHARS],
                        help="abstract lengths in characters (default: 10k, 100k, 1M)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per length; the best counts")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if any(n < 100 or n > MAX_ABSTRACT_CHARS for n in args.lengths) or args.runs < 1:
        parser.error(f"lengths must be within 100..{MAX_ABSTRACT_CHARS} and --runs at least 1")
    nlp = build_nlp()
    extract_paper(Paper(id="warm", title="Warm up", abstract=long_abstract(2_000)), nlp=nlp)
    rows = [measure(nlp, n, args.runs) for n in sorted(args.lengths)]
    ratio = rows[-1]["us_per_char"] / rows[0]["us_per_char"]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.json:
        print(json.dumps({"rows": rows, "ratio": ratio, "target": TARGET_RATIO, "peak_rss_mb": peak_mb}))
    else:
        for row in rows:
            print(f"{row['chars']:>9,} chars  {row['cpu_seconds']:8.2f} s CPU {row['us_per_char']:6.2f} us/char  "
                  f"{row['claims']:>6,} claims")
        print(f"time per character, {rows[-1]['chars']:,} vs {rows[0]['chars']:,}: {ratio:.2f}x "
              f"(target <= {TARGET_RATIO}x); peak RSS {peak_mb:.0f} MB")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
