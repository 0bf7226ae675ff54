"""Contextual patterns: names found by their shape and their surroundings.

Gazetteers know the names that existed when they were written; new papers
bring new ones. These rules find names by class instead:

- models by shape: a family stem, then versions, sizes and variants
  (``Llama-3.1-8B-Instruct``, ``Qwen2.5-Math-7B``, ``GPT-4o-mini``,
  ``Claude 3.5 Sonnet``, ``ViT-L/14``), any name ending in a parameter count
  (``OLMo-1B``), and OpenAI's o-series (``o3-mini``);
- the named contribution before the colon of a title (``PretrainZero: ...``);
- "we propose / introduce / present / release X", "called / named / dubbed X";
- datasets by context: "on the X benchmark", "the X dataset", "X and Y
  benchmarks", and names listed together with a known dataset;
- metrics by shape: ``pass@k``, ``Acc@1``, ``nDCG@10``, ``ROUGE-L``, ``BLEU-4``;
- tasks and methods as noun phrases with a typical head ("... reasoning",
  "... question answering", "... fine-tuning", "... distillation").

Each rule is a pure function over the text that returns character spans; the
component at the bottom aligns them to tokens.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import ensure_path

from kg.models import EntityType
from kg.nlp import lexicon as lx
from kg.nlp.extensions import CONFIDENCE, SPAN_KEY, register_extensions
from kg.nlp.sentences import doc_text, sentence_bounds


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
    forms = sorted({f for f in families if f and not f.startswith(lx.ORGANISATIONS)}, key=len, reverse=True)
    stems = [f"(?i:{re.escape(f)})" if len(f) >= 5 and f[0].isupper() else re.escape(f) for f in forms]
    family = "|".join(stems) or r"(?!x)x"
    return re.compile(
        rf"(?<![\w-])(?:{family})(?:-?{_VERSION})?(?:(?:-|_|\s)(?:{_SIZE}|{_VERSION})\b|-{_HYPHEN_PART}|/\d+|\s{_SPACE_PART}(?![\w-]))*{_END}"
    )


_SIZED_MODEL = re.compile(rf"(?<![\w-])[A-Z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*-(?:{_SIZE})(?:-[A-Za-z][A-Za-z0-9]*)*{_END}")
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

    With ``prefixes`` (from :func:`family_prefixes`), one pass over the word
    starts tries each rule only where it can match (a family-like start, a
    hyphenated capitalized word, an "o" followed by a digit), which is much
    faster than scanning the text with each regex.
    """
    if prefixes is None:
        hits = [Hit(m.start(), m.end(), EntityType.MODEL, "model_shape") for m in pattern.finditer(text)]
        hits += [Hit(m.start(), m.end(), EntityType.MODEL, "model_size") for m in _SIZED_MODEL.finditer(text)]
        hits += [Hit(m.start(), m.end(), EntityType.MODEL, "o_series") for m in _O_SERIES.finditer(text)]
        hits += [Hit(m.start(), m.end(), EntityType.MODEL, "model_variant") for m in _VARIANT_MODEL.finditer(text)]
        return [h for h in hits if text[h.start : h.end].strip()]
    hits = []
    lowered = text.lower()
    for at in word_starts(text):
        if lowered[at : at + 3] in prefixes or lowered[at : at + 2] in prefixes:
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


# ------------------------------------------------------- contributions

_NAME = r"[A-Za-z][A-Za-z0-9]*(?:[-+][A-Za-z0-9]+)*"
_INTRO_VERB = re.compile(
    r"\b(?:[Ww]e|[Tt]his (?:paper|work))\s+(?:\w+ly\s+)?(?:propose|introduce|present|release|develop|design|build|"
    r"construct|create|curate|contribute|open-source|offer|devise|name|call|term|dub)s?\b"
)
_CALLED = re.compile(
    r"\b(?:called|named|dubbed|termed|coined|(?:refer(?:red)? to|denote[sd]?) (?:it|this|them|the [\w-]+(?: [\w-]+){0,4}) as)\s+"
)
# Words between "we propose" and a name that make the name an instrument, not the contribution
# ("we present a report for pre-training Llama-3", "we introduce X using Y").
_GAP_BREAK = re.compile(r"\b(?:for|using|with|on|to|via|through|by|from|in|into|use|apply|adopt)\b", re.IGNORECASE)
# "Self-Explore", "Pre-Finetuning": capitalized compounds in running text are names.
_TITLED_COMPOUND = re.compile(r"[A-Z][a-z]+(?:-[A-Z][a-z]*)+")
_NAME_RE = re.compile(_NAME)
_WINDOW_END = re.compile(r"[.;:]\s|\bthat\b|\bwhich\b|\bwhere\b")


def is_name_like(word: str) -> bool:
    """A coined name: inner capitals, digits or all capitals (``PretrainZero``, ``UL2``, ``TALAR``).

    Capitals after a hyphen do not count ("Fine-Tuning" is a title word), and
    generic acronyms (LLM, NLP) are not names.

    Example:
        >>> is_name_like("PretrainZero"), is_name_like("Framework"), is_name_like("Fine-Tuning")
        (True, False, False)
    """
    if word in lx.NOT_NAMES:
        return False
    parts = [p for p in re.split(r"[-+]", word) if p]
    core = "".join(parts)
    if len(core) < 2 or not core[0].isalpha():
        return False
    inner_caps = any(c.isupper() for p in parts for c in p[1:])
    return inner_caps or (any(c.isdigit() for c in core) and core[0].isupper())


def kind_from_context(context: str) -> EntityType:
    """The type a contribution's surrounding words imply: benchmark/dataset, model, else method."""
    low = context.lower()
    if re.search(r"\b(?:benchmark|dataset|corpus|corpora|suite|testbed|test set|leaderboard|arena)s?\b", low):
        return EntityType.DATASET
    if re.search(r"\b(?:family of|series of)?\s*(?:language |foundation |vision-language |open )?models?\b(?! (?:for|to|of|that))", low) \
            and not re.search(r"\b(?:framework|method|approach|algorithm|technique|paradigm|recipe|pipeline)\b", low):
        return EntityType.MODEL
    return EntityType.METHOD


def find_title_name(title: str, abstract: str = "") -> list[Hit]:
    """The named contribution before the colon of a title (``PretrainZero: ...``).

    A one-word head must be capitalized and not a title word ("Towards",
    "Rethinking"); a longer head (up to four words) must contain a coined word
    (``UL2``, ``RoboFuME``) or be a short Title-Case name without generic words
    ("Masked Thought", not "Large Language Models").
    """
    if ":" not in title:
        return []
    head, _, rest = title.partition(":")
    words = head.split()
    if not words or len(words) > 4 or len(head) > 40 or "," in head:
        return []
    if len(words) > 1 and not any(is_name_like(w) for w in words):
        titled = all(w[:1].isupper() and w.replace("-", "").isalpha() for w in words)
        generic = words[0].lower() in lx.TITLE_STOPWORDS or any(w.lower() in lx.TITLE_GENERIC for w in words)
        repeated = head.strip().lower() in abstract.lower()
        if not (titled and not generic and (repeated or len(words) <= 3)):
            return []
    if len(words) == 1 and not (words[0][:1].isupper() and words[0].lower() not in lx.TITLE_STOPWORDS):
        return []
    start = title.index(words[0])
    kind = EntityType.DATASET if kind_from_context(rest) is EntityType.DATASET else EntityType.METHOD
    return [Hit(start, start + len(head.strip()), kind, "title_colon", proposed=True)]


def find_introduced(text: str, sentences: list[tuple[int, int]]) -> list[Hit]:
    """Names after "we propose/introduce/..." or "called/named X", within the verb's sentence."""
    hits = []
    starts = [s for s, _ in sentences]
    for verb in sorted([*_INTRO_VERB.finditer(text), *_CALLED.finditer(text)], key=lambda v: v.start()):
        i = max(0, bisect_right(starts, verb.start()) - 1)
        s_start, s_end = sentences[i] if sentences else (0, len(text))
        window = text[verb.end() : min(s_end, verb.end() + 120)]
        window = _WINDOW_END.split(window, maxsplit=1)[0]
        for m in _NAME_RE.finditer(window):
            if _GAP_BREAK.search(window, 0, m.start()):
                break
            name = m.group()
            if (is_name_like(name) or _TITLED_COMPOUND.fullmatch(name)) and name not in lx.NOT_NAMES:
                named = verb.re is _CALLED or "name" in verb.group()
                lead = text[max(s_start, verb.start() - 40) : verb.start()] if named else ""
                kind = kind_from_context(lead + " " + window[: m.start()] + window[m.end() : m.end() + 60])
                at = verb.end() + m.start()
                hits.append(Hit(at, at + len(name), kind, "introduced", proposed=True))
                break
    return hits


_APPOSITION_HEAD = re.compile(
    r", (?:a|an) (?:[\w-]+ ){0,4}?"
    r"(framework|method|approach|model|benchmark|dataset|algorithm|technique|system|pipeline|suite|corpus|"
    r"library|toolkit|agent|architecture|family|recipe|paradigm|strategy|metric)\b"
)
_APPOSITION_KIND = {"metric": EntityType.METRIC, "model": EntityType.MODEL, "family": EntityType.MODEL,
                    "benchmark": EntityType.DATASET, "dataset": EntityType.DATASET, "suite": EntityType.DATASET,
                    "corpus": EntityType.DATASET}
_NAME_BEFORE = re.compile(rf"(?<![\w-])({_NAME})$")


def find_appositions(text: str) -> list[Hit]:
    """Coined names explained by an apposition: "PRESQUE, a framework that ...", "QuizBank, a new benchmark".

    The head noun gives the type; such a name is a candidate contribution (the
    role assigner drops names a gazetteer knows).
    """
    hits = []
    at = text.find(", a")
    while at >= 0:
        head = _APPOSITION_HEAD.match(text, at)
        name = _NAME_BEFORE.search(text, max(0, at - 40), at) if head else None
        if name and is_name_like(name.group(1)) and name.group(1) not in lx.NOT_NAMES:
            word = head.group(1)
            kind = _APPOSITION_KIND.get(word) or kind_from_context(text[at : head.end() + 30])
            hits.append(Hit(name.start(1), name.end(1), kind, "apposition", proposed=kind is not EntityType.METRIC))
        at = text.find(", a", at + 1)
    return hits


_RIVAL_CUE = re.compile(
    r"\b(?:outperform(?:s|ed|ing)?|surpass(?:es|ed|ing)?|beat(?:s|ing)?|over|than|versus|vs\.?|against|"
    r"compared (?:to|with)|baselines? (?:such as|like|including)|such as)\s+"
)
_RIVAL_NAME = re.compile(r"(?:the |strong )?([A-Za-z][A-Za-z0-9]*(?:[-+.][A-Za-z0-9]+)*(?:\+\+|\+|#)?)(?=[\s,;.)]|$)")
_RIVAL_SEP = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)")


def find_competitors(text: str) -> list[Hit]:
    """Coined names of compared systems: "outperforms TD3+BC, IQL and QuIP#", "higher than SWE-agent".

    Only name-shaped words count (inner capitals, digits, "+", "#"), so "outperforms
    strong baselines" gives nothing. They are methods unless another rule types them.
    """
    hits = []
    for cue in _RIVAL_CUE.finditer(text):
        at = cue.end()
        for _ in range(6):
            m = _RIVAL_NAME.match(text, at)
            if not m:
                break
            name = m.group(1)
            if not (is_name_like(name.rstrip("+#")) or name.endswith(("+", "#"))) or name in lx.NOT_NAMES:
                break
            hits.append(Hit(m.start(1), m.end(1), EntityType.METHOD, "competitor"))
            sep = _RIVAL_SEP.match(text, m.end())
            if not sep:
                break
            at = sep.end()
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
            if _dataset_name_ok(m.group(1)):
                hits.append(Hit(m.start(1), m.end(1), EntityType.DATASET, "dataset_context"))
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


def find_metrics(text: str) -> list[Hit]:
    """Metrics by shape and rate phrases ("success rate")."""
    return find_metric_shapes(text) + _noun_phrases(text, "rates?|ratios?", EntityType.METRIC, "metric_rate", lx.RATE_MODIFIERS)


# ------------------------------------------------------ tasks and methods

_WORD = r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*"


def _noun_phrases(text: str, heads: str, type_: EntityType, rule: str, modifiers: frozenset[str] | None,
                  max_words: int = 2) -> list[Hit]:
    """``<modifier> <head>`` phrases; ``modifiers`` is an allow-list, or None for modifier-shaped words.

    Modifiers are read backwards from the head, at most ``max_words``, and stop
    at the first word that cannot be one ("ease the learning" gives nothing).
    """
    hits = []
    for m in _head_regex(heads).finditer(text):
        start = _modifiers_start(text, m.start(), modifiers, max_words)
        if start is not None:
            hits.append(Hit(start, m.end(), type_, rule))
    return hits


def _modifiers_start(text: str, head_start: int, modifiers: frozenset[str] | None, max_words: int = 2,
                     check: Callable[[str], bool] | None = None) -> int | None:
    """Where the modifiers before a head begin, or None when the head has none."""
    cursor, taken = head_start, 0
    while taken < max_words:
        word_start = _word_before(text, cursor)
        word = text[word_start : cursor - 1] if word_start is not None else ""
        if word_start is None or not (check(word) if check else _modifier_ok(word, modifiers)):
            break
        cursor = word_start
        taken += 1
    return cursor if taken else None


def _word_before(text: str, cursor: int) -> int | None:
    """Start of the word that ends one space before ``cursor`` (letters, digits, inner hyphens), or None."""
    end = cursor - 1
    if end < 1 or text[end] != " ":
        return None
    i = end
    while i > 0 and (text[i - 1].isascii() and (text[i - 1].isalnum() or text[i - 1] == "-")):
        i -= 1
    word = text[i:end]
    if not word or not word[0].isalpha() or word.endswith("-") or "--" in word:
        return None
    return i


_HEAD_CACHE: dict[str, re.Pattern[str]] = {}


def _head_regex(heads: str) -> re.Pattern[str]:
    if heads not in _HEAD_CACHE:
        _HEAD_CACHE[heads] = re.compile(rf"(?<=[A-Za-z0-9] )(?:{heads})(?![\w-])", re.IGNORECASE)
    return _HEAD_CACHE[heads]


_ADJ_SUFFIXES = ("ed", "al", "ive", "ic", "ar", "ous", "ent", "ant", "ion", "ment", "ity", "ory", "ary", "ful", "ian", "ical")


def _modifier_ok(word: str, allowed: frozenset[str] | None) -> bool:
    low = word.lower()
    if allowed is not None:
        return low in allowed or low.split("-")[-1] in allowed
    if low in lx.GENERIC_MODIFIERS or low.endswith("ly") or low.isdigit() or len(low) < 3:
        return False
    if word[0].isupper() and not word.isupper() and "-" not in word:
        return False
    if "-" in low:
        if any(c.isdigit() for c in word) or any(c.isupper() for c in word[1:]):
            return False
        first, last = low.split("-")[0], low.split("-")[-1]
        return first not in lx.GENERIC_MODIFIERS and last not in lx.ADJECTIVE_SUFFIX_WORDS
    if low in lx.METHOD_MODIFIERS:
        return True
    if low.endswith("s") and not low.endswith(("ss", "ous", "sis")):
        return False
    return low.endswith(_ADJ_SUFFIXES) or word.isupper()


def _noun_modifier_ok(word: str) -> bool:
    """Modifiers of a nominal method head ("sharpness regularization", "advantage conditioning").

    Before a noun such as "regularization" or "distillation" a plain noun is a
    name part, so any lower-case word passes that is not generic, an adverb or a
    verb form; heads that verbs often precede ("learning", "training",
    "attention": ``lexicon.VERB_LED_HEADS``) keep the stricter :func:`_modifier_ok`
    ("require training").
    """
    if _modifier_ok(word, None):
        return True
    low = word.lower()
    return (word.islower() and word.isalpha() and len(low) >= 4 and low not in lx.GENERIC_MODIFIERS
            and low not in lx.COMMON_VERBS and not low.endswith(("ly", "ing"))
            and (not low.endswith("s") or low.endswith(("ss", "sis"))))


def find_tasks(text: str, modifiers: frozenset[str] = frozenset()) -> list[Hit]:
    """Tasks as noun phrases: "mathematical reasoning", "code generation", "object detection".

    ``modifiers`` are the words that start known task names (from the task
    gazetteers), so that "anomaly segmentation" is found from "anomaly detection"
    and "semantic segmentation", while "conditional generation" is not.
    """
    hits = _noun_phrases(text, "reasoning", EntityType.TASK, "task_reasoning", lx.REASONING_MODIFIERS)
    hits += _noun_phrases(text, lx.TASK_HEADS, EntityType.TASK, "task_head", modifiers)
    return hits


def task_modifiers(task_names: Iterable[str]) -> frozenset[str]:
    """Words that precede the head of known task names, without generic words.

    Example:
        >>> sorted(task_modifiers(["object detection", "semantic segmentation", "the task"]))
        ['object', 'semantic']
    """
    words = set()
    for name in task_names:
        parts = name.lower().split()
        words.update(p for p in parts[:-1] if p not in lx.GENERIC_MODIFIERS and len(p) > 2 and p.isascii())
    return frozenset(words)


def find_methods(text: str) -> list[Hit]:
    """Methods as noun phrases: "supervised fine-tuning", "rejection sampling", "knowledge distillation"."""
    return _noun_phrases(text, lx.METHOD_HEADS, EntityType.METHOD, "method_head", None)


_ALL_HEADS = re.compile(
    rf"(?<=[A-Za-z0-9] )(?:(?P<reasoning>reasoning)|(?P<rate>rates?|ratios?)|(?P<task>{lx.TASK_HEADS})"
    rf"|(?P<method>{lx.METHOD_HEADS}))(?![\w-])",
    re.IGNORECASE,
)


_HEAD_PREFIXES = frozenset(
    alt[:4] for alt in re.split(r"\|", "reasoning|rates|ratios|" + lx.TASK_HEADS + "|" + lx.METHOD_HEADS)
)


def find_noun_phrases(text: str, task_words: frozenset[str] = frozenset()) -> list[Hit]:
    """Tasks, methods and rate metrics as noun phrases, in one pass over the text.

    The same rules as :func:`find_tasks`, :func:`find_methods` and the rate part
    of :func:`find_metrics`; one regex with a group per head class is much
    faster than four passes.
    """
    classes = {
        "reasoning": (EntityType.TASK, "task_reasoning", lx.REASONING_MODIFIERS),
        "rate": (EntityType.METRIC, "metric_rate", lx.RATE_MODIFIERS),
        "task": (EntityType.TASK, "task_head", task_words),
        "method": (EntityType.METHOD, "method_head", None),
    }
    hits = []
    lowered = text.lower()
    for at in word_starts(text):
        if lowered[at : at + 4] not in _HEAD_PREFIXES:
            continue
        m = _ALL_HEADS.match(text, at)
        if m is None:
            continue
        type_, rule, allowed = classes[m.lastgroup]
        if m.lastgroup == "method" and m.group().lower() not in lx.VERB_LED_HEADS:
            start = _modifiers_start(text, m.start(), None, check=_noun_modifier_ok)
        else:
            start = _modifiers_start(text, m.start(), allowed)
        if start is not None:
            hits.append(Hit(start, m.end(), type_, rule))
    return hits


# ------------------------------------------------------------ component


def find_all(text: str, sentences: list[tuple[int, int]], title_len: int, model_pattern: re.Pattern[str],
             modifiers: frozenset[str] = frozenset(), prefixes: frozenset[str] | None = None) -> list[Hit]:
    """Every rule of this module over one paper's text (title first, then abstract)."""
    hits = find_models(text, model_pattern, prefixes)
    hits += find_title_name(text[:title_len], text[title_len:]) if title_len else []
    hits += find_introduced(text, sentences) + find_appositions(text) + find_competitors(text)
    hits += find_datasets(text) + find_metric_shapes(text) + find_noun_phrases(text, modifiers)
    return hits


def _span_for(doc: Doc, hit: Hit) -> Span | None:
    span = doc.char_span(hit.start, hit.end, label=hit.type.value, alignment_mode="strict")
    if span is None:
        return None
    return span


class PatternMatcher:
    """spaCy component: runs the rules and adds their spans to ``doc.spans["kg"]``.

    Proposed names (title colon, "we propose X") are recorded with the extractor
    name ``kg_patterns:proposed`` so that the role assigner can see them; every
    later occurrence of such a name in the doc is tagged too.
    """

    def __init__(self, nlp: Language, name: str = "kg_patterns", *, confidence: float = 0.8) -> None:
        self.name = name
        self.confidence = confidence
        self.families: list[str] = []
        self._family_set: frozenset[str] = frozenset()
        self._prefixes: frozenset[str] = frozenset()
        self.task_modifiers: frozenset[str] = frozenset()
        self._model_re = model_regex([])

    def initialize(self, get_examples: Callable | None = None, *, nlp: Language | None = None,
                   families: Iterable[str] | None = None, task_names: Iterable[str] | None = None) -> None:
        """Load model family stems and task-name words (from ``kg/resources`` unless given)."""
        from kg.resources import load_entries

        entries = load_entries()
        if families is None:
            families = [f for e in entries if e.family for f in [e.name, *e.aliases]]
        if task_names is None:
            task_names = [f for e in entries if e.type == EntityType.TASK for f in [e.name, *e.aliases]]
        self.set_families(list(families))
        self.task_modifiers = task_modifiers(task_names)

    def set_families(self, families: list[str]) -> None:
        self.families = sorted(set(families))
        self._family_set = frozenset(self.families)
        self._prefixes = family_prefixes(self.families)
        self._model_re = model_regex(self.families)

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        sentences = sentence_bounds(doc)
        spans = list(doc.spans.get(SPAN_KEY, []))
        proposed_texts: dict[str, EntityType] = {}
        for hit in find_all(text, sentences, doc._.kg_title_len, self._model_re, self.task_modifiers, self._prefixes):
            span = _span_for(doc, hit)
            if span is None:
                continue
            proposed = hit.proposed and (hit.rule == "title_colon" or text[hit.start : hit.end] not in self._family_set)
            rule = ("proposed_title" if hit.rule == "title_colon" else "proposed") if proposed else hit.rule
            span.id_ = f"{self.name}:{rule}"  # what span._.kg_extractor reads
            if self.confidence != CONFIDENCE.get(self.name):
                span._.kg_confidence = self.confidence
            spans.append(span)
            if proposed:
                proposed_texts.setdefault(text[hit.start : hit.end], hit.type)
        spans += self._repeat_mentions(doc, text, proposed_texts)
        spans += self._extensions(doc, text, spans)
        doc.spans[SPAN_KEY] = spans
        return doc

    def _extensions(self, doc: Doc, text: str, spans: list[Span]) -> list[Span]:
        """Longer spans for model and dataset names that continue past a rule's match.

        - a model name followed by a parameter count or a variant ("Flan-UL2 20B", "T5-base");
        - a dataset name followed by a subset, version or language pair ("ANLI-A3", "WMT14 English-German");
        - a dataset name glued to a capitalized word before it ("Video-MME", not "MME").
        """
        found: list[tuple[int, int, str, str]] = []
        for span in spans:
            label, start, end = span.label_, span.start_char, span.end_char
            if label == EntityType.MODEL.value:
                m = _SIZE_AFTER.match(text, end)
                if m:
                    found.append((start, m.end(), label, "model_shape"))
            elif label == EntityType.DATASET.value:
                m = _DATASET_QUALIFIER.match(text, end)
                if m:
                    found.append((start, m.end(), label, "dataset_qualifier"))
                m = _DATASET_PREFIX.search(text, max(0, start - 30), start)
                if m:
                    found.append((m.start(), end, label, "dataset_prefix"))
        out = []
        for start, end, label, rule in found:
            longer = doc.char_span(start, end, label=label)
            if longer is not None:
                longer.id_ = f"{self.name}:{rule}"
                out.append(longer)
        return out

    def _repeat_mentions(self, doc: Doc, text: str, names: dict[str, EntityType]) -> list[Span]:
        out = []
        for name, type_ in names.items():
            for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w])", text):
                span = doc.char_span(m.start(), m.end(), label=type_.value)
                if span is not None:
                    span._.kg_extractor = f"{self.name}:proposed"
                    span._.kg_confidence = self.confidence
                    out.append(span)
        return out

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "families.json", self.families)
        srsly.write_json(path / "task_modifiers.json", sorted(self.task_modifiers))

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> PatternMatcher:
        path = ensure_path(path)
        self.set_families(list(srsly.read_json(path / "families.json")))
        self.task_modifiers = frozenset(srsly.read_json(path / "task_modifiers.json"))
        return self


@Language.factory("kg_patterns", default_config={"confidence": 0.8})
def make_pattern_matcher(nlp: Language, name: str, *, confidence: float) -> PatternMatcher:
    """Factory of ``kg_patterns``; model families load in ``initialize()``."""
    register_extensions()
    return PatternMatcher(nlp, name, confidence=confidence)


def describe(hits: list[Hit], text: str) -> list[dict[str, Any]]:
    """Plain-data view of hits (for debugging and tests)."""
    return [{"text": text[h.start : h.end], "type": h.type.value, "rule": h.rule, "proposed": h.proposed} for h in hits]
