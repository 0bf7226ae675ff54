"""Names found by their shape: models, datasets and metrics.

Gazetteers know the names that existed when they were written; new papers
bring new ones. These rules find names by class instead:

- models: a family stem, then versions, sizes and variants
  (``Llama-3.1-8B-Instruct``, ``Qwen2.5-Math-7B``, ``GPT-4o-mini``,
  ``Claude 3.5 Sonnet``, ``ViT-L/14``), any name ending in a parameter count
  (``OLMo-1B``) or a variant (``Goedel-Prover``), and OpenAI's o-series;
- datasets: names ending in Bench/Eval/QA, "on the X benchmark", "the X
  dataset", "X and Y benchmarks";
- metrics: ``pass@k``, ``Acc@1``, ``nDCG@10``, ``ROUGE-L``, ``BLEU-4``.

Each rule is a pure function over the text that returns :class:`Hit` spans.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from kg.models import EntityType
from kg.nlp import lexicon as lx


@dataclass(frozen=True)
class Hit:
    """A character span found by a rule, with its type and the rule's name."""

    start: int
    end: int
    type: EntityType
    rule: str
    proposed: bool = False



# ---------------------------------------------------------------- models

_VERSION = r"v?\d+(?:\.\d+)*[a-z]?"
_SIZE = r"\d+(?:\.\d+)?[BMKbmk]|\d+x\d+[BbMm]"
_SPACE_PART = rf"(?:{_VERSION}|{_SIZE}|{lx.MODEL_VARIANTS})"
_HYPHEN_PART = rf"(?:{_SIZE}|{_VERSION}|{lx.MODEL_VARIANTS}|[A-Z][A-Za-z0-9.]*|[a-z]\d+)"
_END = r"(?![\w@])(?!-(?:[a-z]))"


def model_regex(families: Iterable[str]) -> re.Pattern[str]:
    """A regex for model names that start with one of ``families``.

    Example:
        >>> bool(model_regex(["Llama"]).fullmatch("Llama-3.1-8B-Instruct"))
        True
    """
    forms = sorted({f for f in families if f and not lx.starts_with_organisation(f)}, key=len, reverse=True)
    stems = [f"(?i:{re.escape(f)})" if len(f) >= 5 and f[0].isupper() else re.escape(f) for f in forms]
    family = "|".join(stems) or r"(?!x)x"
    return re.compile(
        rf"(?<![\w-])(?:{family})(?:-?{_VERSION})?(?:(?:-|_|\s)(?:{_SIZE}|{_VERSION})\b|-{_HYPHEN_PART}|/\d+|\s{_SPACE_PART}(?![\w-]))*{_END}"
    )


# A parameter count in billions ends a model name ("OLMo-1B"); counts in M or K more often end a
# dataset's name ("WebVid-10M", "LMSYS-Chat-1M"), so they do not make a model here.
_BILLIONS = r"\d+(?:\.\d+)?[Bb]|\d+x\d+[Bb]"
_SIZED_MODEL = re.compile(rf"(?<![\w-])[A-Z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*-(?:{_BILLIONS})(?:-[A-Za-z][A-Za-z0-9]*)*{_END}")
_SIZE_AFTER = re.compile(
    rf"(?: (?:{_SIZE})| (?:large|base|small|medium|tiny|mini)(?:-v\d+)?"
    rf"|(?:-(?:{_SIZE}|v\d+(?:\.\d+)*|{lx.MODEL_VARIANTS}|[A-Z]{{1,2}}\d+|[A-Z](?:/\d+)?)|/\d+)+)(?![\w-])"
)
_VARIANT_MODEL = re.compile(
    r"(?<![\w-])[A-Z][A-Za-z0-9]+(?:-[A-Z][A-Za-z0-9]*)*-(?:Prover|Coder|Instruct|Chat|Math|Base|VL|Omni|Reasoner|Distill|Zero|R1)"
    rf"(?:-[A-Za-z0-9.]+)*{_END}"
)
_LANGUAGE = r"(?:English|German|French|Chinese|Japanese|Korean|Romanian|Czech|Russian|Spanish|Arabic|Hindi|[A-Z][a-z])"
_DATASET_QUALIFIER = re.compile(
    r"(?:-(?:[A-Z]{1,3}\d+|v\d+(?:\.\d+)?)| (?:v\d+(?:\.\d+)?|level[- ]\d+|[A-Z]{2,5} v\d+(?:\.\d+)?"
    rf"|{_LANGUAGE}[-\u2013\u2192]{_LANGUAGE}))(?![\w-])"
)
_DATASET_PREFIX = re.compile(r"(?<![\w-])[A-Z][A-Za-z0-9]*-$")
_O_SERIES = re.compile(r"(?<![\w-])[oO][1-4](?:-(?:mini|pro|preview|high|low))?(?![\w-])")


_WORD_START = re.compile(r"(?<![\w-])[A-Za-z]")


@lru_cache(maxsize=8)
def word_starts(text: str) -> tuple[int, ...]:
    """Offsets where words start (not after a hyphen); shared by the rules that scan words."""
    return tuple(m.start() for m in _WORD_START.finditer(text))


def family_prefixes(families: Iterable[str]) -> frozenset[str]:
    """Lower-cased first three characters of every family form: a cheap filter before the regex."""
    return frozenset(f[:3].lower() for f in families if f)


def find_models(text: str, pattern: re.Pattern[str], prefixes: frozenset[str] | None = None) -> list[Hit]:
    """Model names by family shape, by a parameter-count suffix, by a variant suffix, and the o-series.

    One pass over the word starts tries each rule only where it can match (a
    family-like start, a hyphenated capitalized word, an "o" followed by a
    digit), which is much faster than scanning the text with each regex.
    ``prefixes`` (from :func:`family_prefixes`) filters the family starts;
    without it the family regex is tried at every word start.
    """
    hits = []
    lowered = text.lower()
    for at in word_starts(text):
        if prefixes is None or lowered[at : at + 3] in prefixes or lowered[at : at + 2] in prefixes:
            m = pattern.match(text, at)
            if m and m.end() > at:
                hits.append(Hit(at, m.end(), EntityType.MODEL, "model_shape"))
        first = text[at]
        if first in "oO" and text[at + 1 : at + 2] in ("1", "2", "3", "4"):
            m = _O_SERIES.match(text, at)
            if m:
                hits.append(Hit(at, m.end(), EntityType.MODEL, "o_series"))
        elif first.isupper():
            space = text.find(" ", at)
            if "-" in text[at : space if space >= 0 else len(text)]:
                for regex, rule in ((_SIZED_MODEL, "model_size"), (_VARIANT_MODEL, "model_variant")):
                    m = regex.match(text, at)
                    if m:
                        hits.append(Hit(at, m.end(), EntityType.MODEL, rule))
    return hits


# -------------------------------------------------------------- datasets

_DS_HEAD = r"(?:benchmarks?|datasets?|corpus|corpora|suites?|test[- ]sets?|leaderboards?|challenges?)"
_DS_NAME = r"(?:[A-Z][\w.+&'\-]*|[\w.\-]*\d[\w.\-]*)(?:[ \-](?:[A-Z0-9][\w.+&'\-]*))*"
_DS_BEFORE_HEAD = re.compile(rf"(?<![\w-])({_DS_NAME})(?:\s+(?:dev|test|validation|val|train|eval|held-out|hard|full))?\s+{_DS_HEAD}\b")
_DS_LIST = re.compile(rf"(?<![\w-])((?:{_DS_NAME}\s*,\s*)*{_DS_NAME},?\s+(?:and|or)\s+{_DS_NAME})\s+{_DS_HEAD}\b")


def _dataset_name_ok(name: str) -> bool:
    first = name.split()[0].split("-")[0]
    return (
        name.lower() not in lx.NOT_DATASETS
        and first.lower() not in lx.NOT_DATASETS
        and not name.replace(".", "").isdigit()
        and any(c.isupper() for c in name)
        and name not in lx.NOT_NAMES
        and len(name) >= 2
    )


_DS_SHAPE = re.compile(
    r"(?<![\w-])(?:[A-Z][A-Za-z0-9]*[A-Za-z0-9]-?(?:Bench|BENCH|bench|Eval|EVAL|QA|Arena)|[A-Z][A-Za-z0-9]+-bench)"
    r"(?:[-+][A-Za-z0-9]+|\+)*(?![\w])"
)


_DS_HEAD_RE = re.compile(rf"\s{_DS_HEAD}\b")
_DS_NAME_RE = re.compile(_DS_NAME)


def _context_windows(text: str, reach: int = 160) -> list[tuple[int, int]]:
    """Text windows that end at a dataset head word ("... benchmark"), merged where they overlap."""
    windows: list[tuple[int, int]] = []
    for head in _DS_HEAD_RE.finditer(text):
        start, end = max(0, head.start() - reach), head.end()
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


def _leading_count(name: str) -> int:
    """Length of a count in front of a name ("13 " in "13 BEIR"), 0 when there is none."""
    m = re.match(r"\d+\s+(?=\D)", name)
    return m.end() if m else 0


def find_datasets(text: str) -> list[Hit]:
    """Datasets by shape ("LiveCodeBench", "SciEval", "HotpotQA") and by context
    ("on the X benchmark", "X and Y datasets").

    The context rules run only on windows that end at a head word, so a text
    without "benchmark", "dataset" or the like costs one scan.
    """
    shaped = any(anchor in text for anchor in ("Bench", "BENCH", "bench", "Eval", "EVAL", "QA", "Arena"))
    hits = [Hit(m.start(), m.end(), EntityType.DATASET, "dataset_shape") for m in _DS_SHAPE.finditer(text)
            if m.group() not in lx.NOT_NAMES] if shaped else []
    for w_start, w_end in _context_windows(text):
        for m in _DS_BEFORE_HEAD.finditer(text, w_start, w_end):
            start = m.start(1) + _leading_count(m.group(1))  # "13 BEIR datasets" names BEIR
            if _dataset_name_ok(text[start : m.end(1)]):
                hits.append(Hit(start, m.end(1), EntityType.DATASET, "dataset_context"))
        for m in _DS_LIST.finditer(text, w_start, w_end):
            for item in _DS_NAME_RE.finditer(m.group(1)):
                name = item.group()
                if name not in {"and", "or"} and _dataset_name_ok(name):
                    at = m.start(1) + item.start()
                    hits.append(Hit(at, at + len(name), EntityType.DATASET, "dataset_list"))
    return hits


# --------------------------------------------------------------- metrics

_AT_METRIC = re.compile(
    r"(?<![\w-])(?:[Pp]ass|PASS|[Aa]cc|Top|top|Recall|R|Hits|HITS|hits|nDCG|NDCG|MRR|P|Precision|mAP|AP|HR|EM)"
    r"@(?:\d+(?:\.\d+)?|k|K)(?![\w-])"
)
_NAMED_METRIC = re.compile(r"(?<![\w-])(?:ROUGE-(?:1|2|L|Lsum)|BLEU-[1-4]|F1-score)(?![\w-])")
_ACCURACY = re.compile(r"(?<![\w-])(?:top-[1-9]|(?!state-of-the-art)[a-z]+(?:-[a-z]+)+) accuracy(?![\w-])")


def find_metric_shapes(text: str) -> list[Hit]:
    """Metrics by shape: ``pass@1``, ``Acc@5``, ``ROUGE-L``, ``BLEU-4``, ``top-1 accuracy``.

    Each shape is only looked for where its anchor occurs ("@", the metric
    name, the word "accuracy").
    """
    found = []
    if "@" in text:
        found += _AT_METRIC.finditer(text)
    if "ROUGE" in text or "BLEU" in text or "F1-score" in text:
        found += _NAMED_METRIC.finditer(text)
    at = text.find(" accuracy")
    while at >= 0:
        found += _ACCURACY.finditer(text, max(0, at - 40), at + len(" accuracy") + 1)
        at = text.find(" accuracy", at + 1)
    spans = sorted({(m.start(), m.end()) for m in found})
    return [Hit(start, end, EntityType.METRIC, "metric_shape") for start, end in spans]
