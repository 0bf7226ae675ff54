"""Contextual patterns: the paper's own contribution and the names around it.

- the named contribution before the colon of a title (``PretrainZero: ...``);
- "we propose / introduce / present / release X", "called / named / dubbed X";
- coined names explained by an apposition ("PRESQUE, a framework that ...");
- compared systems by name ("outperforms TD3+BC and QuIP#").

With the shape rules of :mod:`kg.nlp.shapes` and the noun phrases of
:mod:`kg.nlp.phrases`, they make the ``kg_patterns`` component at the bottom,
which aligns every rule's character spans to tokens.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Callable

import srsly
from spacy.attrs import IDX, LENGTH
from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import ensure_path

from kg.models import EntityType
from kg.nlp import lexicon as lx
from kg.nlp.extensions import (
    Provenance,
    add_candidates,
    candidates,
    register_extensions,
)
from kg.nlp.phrases import (
    _modifier_ok,
    _modifiers_start,
    _word_before,
    find_methods,
    find_metrics,
    find_noun_phrases,
    find_tasks,
    task_modifiers,
)
from kg.nlp.sentences import doc_text, sentence_bounds
from kg.nlp.shapes import (
    _DATASET_PREFIX,
    _DATASET_QUALIFIER,
    _O_SERIES,
    _SIZE_AFTER,
    Hit,
    family_prefixes,
    find_datasets,
    find_metric_shapes,
    find_models,
    model_regex,
    word_starts,
)

# ------------------------------------------------------- contributions

# The rules of the three modules, so that ``kg.nlp.patterns`` is the one place to import them from.
__all__ = [
    "Hit", "PatternMatcher", "family_prefixes", "find_all", "find_appositions", "find_competitors",
    "find_datasets", "find_introduced", "find_methods", "find_metric_shapes", "find_metrics", "find_models",
    "find_noun_phrases", "find_tasks", "find_title_name", "is_name_like", "kind_from_context",
    "make_pattern_matcher", "metric_modifier_ok", "model_regex", "task_modifiers", "word_starts",
]

_NAME = r"[A-Za-z][A-Za-z0-9]*(?:[-+][A-Za-z0-9]+)*(?:\+\+|\+(?![\w-])|#)?"
_INTRO_VERB = re.compile(
    r"\b(?:[Ww]e|[Tt]his (?:paper|work))\s+(?:(?:\w+ly|also|further|then|first|here|now|therefore|thus)\s+)?"
    rf"(?:{lx.INTRO_VERBS})s?\b"
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


def metric_modifier_ok(word: str) -> bool:
    """A word that makes a metric name more specific ("answer accuracy", "joint F1", "tail latency").

    Example:
        >>> metric_modifier_ok("answer"), metric_modifier_ok("higher"), metric_modifier_ok("average")
        (True, False, False)
    """
    low = word.lower()
    return (word.islower() and low.replace("-", "").isalpha() and len(low) >= 4 and not low.endswith(("ly", "ing"))
            and low not in lx.FUNCTION_WORDS and low not in lx.COMMON_VERBS and low not in lx.NOT_METRIC_MODIFIERS
            and low not in lx.NEVER_MODIFIERS
            and not (low.endswith("s") and not low.endswith("ss"))
            and low.split("-")[-1] not in lx.ADJECTIVE_SUFFIX_WORDS)


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
    model = _TITLE_MODEL.match(rest)  # "X: A Foundation Model for Weather", "X: Open Language Models"
    if kind is EntityType.METHOD and model and _describes_a_model(model.group(1).split()):
        kind = EntityType.MODEL
    if kind is EntityType.METHOD and any(  # the abstract may say it is a dataset: "on X, a benchmark of ..."
            _apposition_kind(abstract, m.end()) is EntityType.DATASET
            for m in re.finditer(rf"{re.escape(head.strip())}(?!\w)", abstract)):
        kind = EntityType.DATASET
    return [Hit(start, start + len(head.strip()), kind, "title_colon", proposed=True)]


def _describes_a_model(words: list[str]) -> bool:
    """Whether the title words before "Model(s)" make a description of one ("A Foundation", "Open
    Language"), not a question or an action on models ("Can Large Language", "Improving Large Language")."""
    return not any(w.lower() in lx.FUNCTION_WORDS or w.lower() in lx.TITLE_STOPWORDS or w.lower() in lx.COMMON_VERBS
                   or w.lower() in _QUESTION_WORDS or w.lower().endswith("ing") for w in words)


_QUESTION_WORDS = frozenset({"can", "could", "do", "does", "did", "are", "is", "will", "should", "how", "why", "when",
                             "what", "which", "who", "where"})
# the first noun phrase after a title's colon is a model: title-case words ending in Model(s)/LLM(s)
_TITLE_MODEL = re.compile(r"\s*(?:An? |The )?((?:[A-Z0-9][\w.+-]*\s+){0,5}?)(?:Models?|LLMs?|VLMs?)(?![\w-])")


_TITLED_RUN = re.compile(r"[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*(?: [A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*){0,4}")


def _titled_name(window: str, at: int) -> str | None:
    """A capitalized name right after "we present": one word followed by punctuation
    ("Cadenza, a ..."), or a run of capitalized words ("Take-along Visual Conditioning (TVC)").
    A single capitalized word before a lower-case noun is an adjective ("Adaptive methods")."""
    m = _TITLED_RUN.match(window, at)
    if m is None:
        return None
    words = m.group().split()
    if words[0].lower() in lx.FUNCTION_WORDS or words[0].lower() in lx.TITLE_STOPWORDS:
        return None
    if any(w.lower().split("-")[-1] in lx.ADJECTIVE_SUFFIX_WORDS for w in words):
        return None
    if len(words) == 1 and not re.match(r"\s*(?:[,(;:.]|$|(?:is|that|which)\b)", window[m.end() :]):
        return None
    return m.group()


INTRODUCED_DATASET_RULE = "introduced_dataset"  # "we introduce X, a dataset/benchmark of ..."


def find_introduced(text: str, sentences: list[tuple[int, int]]) -> list[Hit]:
    """Names after "we propose/introduce/..." or "called/named X", within the verb's sentence.

    A name right after the verb and explained as a dataset or benchmark ("we introduce
    X, a dataset of ...") gets the rule ``introduced_dataset``: the paper owns it even
    when a gazetteer knows the name today.
    """
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
            titled = _titled_name(window, m.start()) if not window[: m.start()].strip() else None
            if titled:  # right after the verb: "we present Cadenza, a ...", "we introduce Take-along Visual Conditioning"
                name = titled
            if (is_name_like(name) or _TITLED_COMPOUND.fullmatch(name) or titled) and name not in lx.NOT_NAMES:
                at = verb.end() + m.start()
                named = verb.re is _CALLED or "name" in verb.group()
                lead = text[max(s_start, verb.start() - 40) : verb.start()] if named else ""
                apposed = _apposition_kind(text, at + len(name))
                kind = apposed or kind_from_context(lead + " " + window[: m.start()] + window[m.end() : m.end() + 60])
                # "we introduce X, a dataset of ...": the paper makes the dataset, even one a list knows today
                direct = verb.re is _INTRO_VERB and not window[: m.start()].strip()
                rule = INTRODUCED_DATASET_RULE if direct and apposed is EntityType.DATASET else "introduced"
                hits.append(Hit(at, at + len(name), kind, rule, proposed=True))
                break
    return hits


def _no_name_word(word: str) -> bool:
    """A lower-case word that never belongs to a descriptive name: a function word, a generic or
    grading modifier, a clause opener, a common verb, a number word or an adverb."""
    return (word in lx.FUNCTION_WORDS or word in lx.GENERIC_MODIFIERS or word in lx.COMMON_VERBS
            or word in lx.NUMBER_WORDS or word in lx.NEVER_MODIFIERS or word.endswith("ly"))


_LOWER_WORD = r"[a-z][a-z]+(?:-[a-z]+)*"
# a lower-case phrase right after "we propose" (no article): a technique named by what it does,
# then a clause, an apposition, a parenthesis or a purpose ("we propose uncertainty-aware
# pseudo-label refinement, which ...", "we introduce gated cross-modal fusion to combine ...")
_INTRODUCED_PHRASE = re.compile(rf"\s+((?:{_LOWER_WORD} ){{1,5}}{_LOWER_WORD})(?=,| \(| (?:which|that|to|for|as)\b)")


def find_introduced_phrases(text: str) -> list[Hit]:
    """Techniques a paper introduces under a lower-case descriptive name, with no article before it:
    "we propose test-time preference alignment, a lightweight method ...". An apposition gives the
    type; without one the last word is a method head ("fusion", "refinement", "regression",
    "scaling"). No word is a function word, a generic modifier, a verb or a number word ("we
    propose to learn", "we present several new methods"), and the first is no gerund ("we propose
    treating verbal feedback as ...")."""
    hits = []
    for verb in _INTRO_VERB.finditer(text):
        m = _INTRODUCED_PHRASE.match(text, verb.end())
        if m is None:
            continue
        words = m.group(1).split()
        head = words[-1].split("-")[-1]
        apposed = _apposition_kind(text, m.end(1))  # ", a lightweight method that ..." says what it is
        if (head not in lx.TITLED_METHOD_HEADS and apposed is None) or head in _MODEL_HEADS or words[0].endswith("ing"):
            continue  # a gerund first is a clause: "we propose treating verbal feedback as ..."
        if any(map(_no_name_word, words)):
            continue
        if m.group(1) in lx.GENERIC_LONG_FORMS:
            continue
        hits.append(Hit(m.start(1), m.end(1), apposed or EntityType.METHOD, "introduced_phrase", proposed=True))
    return hits


_EVAL_NAME = r"[A-Z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)*"
# "experiments on X and Y", "we evaluate on X", "results on X, Y and Z": the names a paper is run on
_EVALUATED_ON = re.compile(
    r"\b(?:[Ee]xperiments|[Rr]esults|[Ee]valuations?|[Ee]valuate[sd]?|[Tt]ested|[Bb]enchmarked)"
    rf" (?:(?:extensively|empirically|also|further|conducted|carried out|performed) )?on (?:the )?({_EVAL_NAME}"
    rf"(?:(?:, (?:and )?| and | or ){_EVAL_NAME})*)(?![\w-])"
)
_EVAL_SEP = re.compile(r", (?:and )?| and | or ")


def find_evaluated_names(text: str) -> list[Hit]:
    """Coined names a paper says it runs experiments on: "Experiments on ZuCo and GECO show ...",
    "We evaluate on IAM." Only name-shaped words (:func:`is_name_like`) not led by an organisation;
    the type is weak (rule ``evaluated_on``), so a name that a list or a model shape types as a
    method or model keeps that type in the resolver."""
    hits = []
    for m in _EVALUATED_ON.finditer(text):
        at = m.start(1)
        for part in _EVAL_SEP.split(m.group(1)):
            start = text.index(part, at)
            at = start + len(part)
            if is_name_like(part) and not lx.starts_with_organisation(part):
                hits.append(Hit(start, at, EntityType.DATASET, "evaluated_on"))
    return hits


# a technique named after people ("Bradley-Terry model", "Kalman filter", "Sinkhorn's algorithm"):
# the head is found first, then the name that ends right before it
_EPONYM_HEAD = re.compile(
    r" (?:model|algorithm|solver|filter|sampler|estimator|transform|iteration|decomposition|divergence)(?![\w-])"
)
_EPONYM_NAME = re.compile(r"(?<![\w-])([A-Z][a-z]{2,}(?:[-\u2013][A-Z][a-z]{2,})?)(?:'s)?$")


def find_eponym_methods(text: str, sentences: list[tuple[int, int]], model_pattern: re.Pattern[str]) -> list[Hit]:
    """Techniques named after people: a capitalized name (or two joined by a hyphen) before a method
    head ("the Bradley-Terry model", "a Kalman filter", "Sinkhorn's algorithm"). A single capitalized
    word that opens a sentence is no name ("Language model ..."), nor is a function or generic word
    ("Our model", "Each estimator"), nor a model family ("the Llama model")."""
    hits = []
    starts = {s for s, _ in sentences}
    for head in _EPONYM_HEAD.finditer(text):
        m = _EPONYM_NAME.search(text, max(0, head.start() - 50), head.start())
        if m is None:
            continue
        name = m.group(1)
        if name.lower() in lx.FUNCTION_WORDS or name.lower() in lx.GENERIC_MODIFIERS or name in lx.NOT_NAMES:
            continue
        if m.start() in starts and "-" not in name and "\u2013" not in name:
            continue
        if lx.starts_with_organisation(name) or model_pattern.fullmatch(name):
            continue
        hits.append(Hit(m.start(), head.end(), EntityType.METHOD, "eponym_method"))
    return hits


_APPOSITION_HEAD = re.compile(
    r", (?:a|an) (?:[\w-]+ ){0,4}?"
    r"(framework|method|approach|model|benchmark|dataset|algorithm|technique|system|pipeline|suite|corpus|"
    r"library|toolkit|agent|architecture|family|recipe|paradigm|strategy|metric)(?![\w-])"
)
_APPOSITION_KIND = {"metric": EntityType.METRIC, "model": EntityType.MODEL, "family": EntityType.MODEL,
                    "benchmark": EntityType.DATASET, "dataset": EntityType.DATASET, "suite": EntityType.DATASET,
                    "corpus": EntityType.DATASET}
_NAME_BEFORE = re.compile(rf"(?<![\w-])({_NAME})$")


def _apposition_kind(text: str, name_end: int) -> EntityType | None:
    """The type an apposition right after a name gives it (", a latent diffusion TTS model" is a Model)."""
    head = _APPOSITION_HEAD.match(text, name_end)
    if head is None:
        return None
    return _APPOSITION_KIND.get(head.group(1)) or kind_from_context(text[name_end : head.end() + 30])


_OWN_APPOSITION = re.compile(
    r"\b[Oo]ur (?:[\w-]+ ){0,3}?(framework|method|approach|model|system|algorithm|agent|architecture|pipeline|"
    r"benchmark|dataset|technique)(?:,| \(| called| named| termed| dubbed)\s*"
    rf"({_NAME})(?=[,)]|\s)"
)


def find_own_appositions(text: str) -> list[Hit]:
    """A coined name apposed to the paper's own thing: "Our model, HydraNet, ...", "our method (FooNet)".

    The noun gives the type (model/benchmark/dataset, else a method); the name is the paper's.
    """
    hits = []
    for m in _OWN_APPOSITION.finditer(text):
        name = m.group(2)
        if is_name_like(name.rstrip("+#")) or _TITLED_COMPOUND.fullmatch(name):
            kind = _APPOSITION_KIND.get(m.group(1), EntityType.METHOD)
            if name not in lx.NOT_NAMES and kind is not EntityType.METRIC:
                hits.append(Hit(m.start(2), m.end(2), kind, "own_apposition", proposed=True))
    return hits


_TITLE_WORD = r"[A-Z][a-z]+(?:-[A-Za-z][a-z]*)*"
_NAMED_THINGS = frozenset({EntityType.MODEL.value, EntityType.DATASET.value})
_MODEL_HEADS = frozenset({"model", "models"})  # "Segment Anything Model" names a model, not a method
_TITLE_CASE_RUN = re.compile(rf"(?<![\w-])(?:{_TITLE_WORD} ){{1,5}}{_TITLE_WORD}(?![\w-])")


def find_titled_methods(text: str, title_len: int) -> list[Hit]:
    """Coined method names written in title case in the abstract: "Cross-Scale Token Fusion",
    "the Gated Residual Memory Network" (2-6 capitalized words whose last is a method head), and
    dataset names whose last word is a dataset head ("the Open Graph Benchmark").

    Leading function words ("The", "Our") are dropped; names of fields and generic model
    classes ("Large Language Models") and runs of generic words are not names. The title is
    left to :func:`find_title_name` (every word of a title is capitalized).
    """
    hits = []
    for m in _TITLE_CASE_RUN.finditer(text, title_len):
        words = m.group().split(" ")
        lead = 0
        while lead < len(words) and (words[lead].lower() in lx.FUNCTION_WORDS or words[lead].lower() in lx.GENERIC_MODIFIERS):
            lead += 1
        words = words[lead:]
        head = words[-1].lower().split("-")[-1] if words else ""
        dataset = head in lx.TITLED_DATASET_HEADS  # "the Open Graph Benchmark": the head is part of the name
        if len(words) < 2 or (head not in lx.TITLED_METHOD_HEADS and not dataset) or head in _MODEL_HEADS:
            continue
        name = " ".join(words)
        if name.lower() in lx.GENERIC_LONG_FORMS or name in lx.NOT_NAMES:
            continue
        start = m.end() - len(name)
        hits.append(Hit(start, m.end(), EntityType.DATASET, "titled_dataset") if dataset
                    else Hit(start, m.end(), EntityType.METHOD, "titled_method", proposed=True))
    return hits


_NAMED_PROBLEM = re.compile(r"(?<=\bthe )((?:[a-z][a-z]+(?:-[a-z]+)? ){2,3})problems?\b")


def find_named_problems(text: str) -> list[Hit]:
    """Problems named by two or three nouns before "problem" ("the vehicle routing problem", "the
    traveling salesman problem", "the multi-armed bandit problem"): a Task, head included. One word
    before it is too often a description ("the optimization problem"), and so is any generic word,
    function word or verb in the run ("the same hard problem")."""
    hits = []
    if "problem" not in text:
        return hits
    for m in _NAMED_PROBLEM.finditer(text):
        words = m.group(1).split()
        if any(map(_no_name_word, words)):
            continue
        hits.append(Hit(m.start(), m.end(), EntityType.TASK, "named_problem"))
    return hits


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
            kind = _apposition_kind(text, at) or EntityType.METHOD
            hits.append(Hit(name.start(1), name.end(1), kind, "apposition", proposed=kind is not EntityType.METRIC))
        at = text.find(", a", at + 1)
    return hits


_RIVAL_CUE = re.compile(
    r"\b(?:outperform(?:s|ed|ing)?|surpass(?:es|ed|ing)?|beat(?:s|ing)?|over|than|versus|vs\.?|against|"
    r"compared (?:to|with)|baselines? (?:such as|like|including|include)|such as)\s+",
    re.IGNORECASE,  # "Compared with XGBoost, ...", "Baselines include ..." at a sentence start
)
_RIVAL_NAME_RE = r"[A-Za-z][A-Za-z0-9]*(?:[-+.][A-Za-z0-9]+)*(?:\+\+|\+|#)?"  # "TD3+BC", "QuIP#", "GraphMAE++"
_RIVAL_NAME = re.compile(rf"(?:the |strong )?({_RIVAL_NAME_RE})(?=[\s,;.)]|$)")
_RIVAL_SEP = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)")


def _name_shaped(name: str) -> bool:
    """A coined name by its shape (inner capitals, digits, a trailing "+" or "#"), not a stop name."""
    return (is_name_like(name.rstrip("+#")) or name.endswith(("+", "#"))) and name not in lx.NOT_NAMES


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
            if not _name_shaped(name):
                break
            hits.append(Hit(m.start(1), m.end(1), EntityType.METHOD, "competitor"))
            sep = _RIVAL_SEP.match(text, m.end())
            if not sep:
                break
            at = sep.end()
    return hits


# ------------------------------------------------------------ component


def find_all(text: str, sentences: list[tuple[int, int]], title_len: int, model_pattern: re.Pattern[str],
             modifiers: frozenset[str] = frozenset(), prefixes: frozenset[str] | None = None) -> list[Hit]:
    """Every rule of this module over one paper's text (title first, then abstract).

    Names found by context are then typed by shape: one that starts with an organisation
    ("OpenAI-o1") loses it, and one shaped like a model name is a Model (see :func:`typed_by_shape`).
    """
    models = find_models(text, model_pattern, prefixes)
    hits = find_title_name(text[:title_len], text[title_len:]) if title_len else []
    hits += find_introduced(text, sentences) + find_introduced_phrases(text) + find_appositions(text)
    hits += find_own_appositions(text) + find_evaluated_names(text) + find_eponym_methods(text, sentences, model_pattern)
    hits += find_competitors(text) + find_titled_methods(text, title_len) + find_named_problems(text)
    hits = typed_by_shape(text, hits, model_pattern, {(h.start, h.end) for h in models})
    return models + hits + find_datasets(text) + find_metric_shapes(text) + find_noun_phrases(text, modifiers)


def typed_by_shape(text: str, hits: list[Hit], model_pattern: re.Pattern[str],
                   model_spans: set[tuple[int, int]]) -> list[Hit]:
    """Contextual hits typed consistently by their shape.

    - an organisation written before a model name is not part of it ("OpenAI-o1" is o1);
    - a Method by context whose text is a model name by shape (a family stem with a version:
      "Llama-3-SynE", the o-series), or a compound headed by a model family ("Med-PaLM 2", with
      its version), is a Model.

    Example:
        >>> [h.type.value for h in typed_by_shape("vs OpenAI-o1", [Hit(3, 12, EntityType.METHOD, "competitor")],
        ...                                        model_regex([]), set())]
        ['Model']
    """
    out = []
    for hit in hits:
        name = text[hit.start : hit.end]
        org = next((o for o in lx.ORGANISATIONS if name.startswith(o) and name[len(o) : len(o) + 1] in ("-", " ")), None)
        if org is not None:
            rest = name[len(org) + 1 :]
            if rest and (_O_SERIES.fullmatch(rest) or model_pattern.fullmatch(rest)):
                hit = replace(hit, start=hit.start + len(org) + 1, type=EntityType.MODEL)
        elif hit.type is EntityType.METHOD and ((hit.start, hit.end) in model_spans or _O_SERIES.fullmatch(name)):
            hit = replace(hit, type=EntityType.MODEL)
        elif hit.type is EntityType.METHOD and _family_headed(name, model_pattern):
            version = _BARE_VERSION.match(text, hit.end)  # "Med-PaLM 2"
            hit = replace(hit, end=version.end() if version else hit.end, type=EntityType.MODEL)
        out.append(hit)
    return out


_NAME_PARTS = re.compile(r"[- ]")
_BARE_VERSION = re.compile(r" \d{1,2}(?:\.\d)?(?![\w%.\u00d7-])(?! (?:points?|pp|times|percent)\b)")


def _family_headed(name: str, model_pattern: re.Pattern[str]) -> bool:
    """A compound whose last part is a model family ("Med-PaLM", "Video-LLaVA", "Code Llama") names a
    model of that family; a family before another head ("CLIP-Adapter") names something else."""
    parts = _NAME_PARTS.split(name)
    return len(parts) > 1 and bool(parts[-1]) and model_pattern.fullmatch(parts[-1]) is not None


FACTORY = "kg_patterns"
REPEAT_RULE = "repeat"  # later mentions of a name the paper introduces
_QUALIFIED = frozenset({EntityType.METHOD.value, EntityType.TASK.value})


def _qualifier_ok(word: str) -> bool:
    """An adjective that narrows a known method or task name ("hierarchical variational inference",
    "biomedical named entity recognition"): adjective-like by :func:`phrases._modifier_ok`, and not a
    verb, a number word or a participle ("related", "called"), and in lower case (a name before it,
    "ADE20K semantic segmentation", is a name of its own)."""
    low = word.lower()
    if word == low and low in lx.SETTING_MODIFIERS:  # "few-shot named entity recognition"
        return True
    return (word == low and _modifier_ok(word, None) and low not in lx.COMMON_VERBS and low not in lx.NUMBER_WORDS
            and (not low.endswith("ed") or "-" in low or low in lx.METHOD_MODIFIERS))


def _method_qualifier_ok(word: str) -> bool:
    """A qualifier of a known method name (:func:`_qualifier_ok`), or a participle that names a
    variant of the technique ("annealed importance sampling", "gated attention", "physics-informed
    neural network"): before a method name a participle is a name part more often than not,
    unless it says what was done to the thing ("learned attention", "the proposed loss":
    ``lexicon.DESCRIPTIVE_PARTICIPLES``) or is generic or evaluative ("improved").
    """
    if _qualifier_ok(word):
        return True
    low = word.lower()
    return (word == low and low.endswith("ed") and len(low) >= 5 and low not in lx.DESCRIPTIVE_PARTICIPLES
            and low.rpartition("-")[2] not in lx.DESCRIPTIVE_PARTICIPLES
            and low not in lx.GENERIC_MODIFIERS and low not in lx.NEVER_MODIFIERS)


_COORDINATED = frozenset({EntityType.METHOD.value, EntityType.MODEL.value, EntityType.DATASET.value})
_LIST_SEP_RE = r", (?:and |or )?| (?:and|or) "
_LIST_SEP = re.compile(_LIST_SEP_RE)
_LIST_SEP_ENDS = (", ", " and ", " or ")  # how every match of _LIST_SEP_RE ends
_LIST_NAME = re.compile(rf"{_RIVAL_NAME_RE}(?![\w-])")
_LIST_NAME_BEFORE = re.compile(rf"({_RIVAL_NAME_RE})({_LIST_SEP_RE})$")  # a member, then a separator


def _list_members(text: str, start: int, end: int, reach: int = 5) -> list[tuple[int, int]]:
    """Coined names listed with a known name: "XGBoost, LightGBM and CatBoost" gives CatBoost the type
    of the others. Only name-shaped words (inner capitals, digits, "+", "#": :func:`is_name_like`) in a
    list that an "and" or "or" closes; common words end the list."""
    members: list[tuple[int, int]] = []
    closed = False
    at = end
    for _ in range(reach):  # the members after the known name
        sep = _LIST_SEP.match(text, at)
        name = _LIST_NAME.match(text, sep.end()) if sep else None
        if name is None or not _coined(name.group()):
            break
        closed = closed or "and" in sep.group() or "or" in sep.group()
        members.append((name.start(), name.end()))
        at = name.end()
    if not closed:  # the known name may close the list itself: "TabPFN, XGBoost and LightGBM"
        before = text[max(0, start - 6) : start]
        closed = before.endswith((" and ", " or "))
        if not closed:
            members = []
    cursor = start
    for _ in range(reach):  # the members before it
        if not text.endswith(_LIST_SEP_ENDS, 0, cursor):
            break  # no separator before: the regex below would try every start in the window
        head = text[max(0, cursor - 60) : cursor]
        m = _LIST_NAME_BEFORE.search(head)
        if m is None or not _coined(m.group(1)) or (not closed and "and" not in m.group(2) and "or" not in m.group(2)):
            break
        closed = True
        first = cursor - len(head) + m.start(1)
        members.append((first, first + len(m.group(1))))
        cursor = first
    return members


def _coined(name: str) -> bool:
    """A coined name that a list can type: name-shaped, not a stop name, not led by an organisation
    ("OpenAI-o1" is left to :func:`typed_by_shape`, which strips the organisation)."""
    return _name_shaped(name) and not any(name.startswith(o) and name[len(o) : len(o) + 1] == "-"
                                          for o in lx.ORGANISATIONS)


# Rules whose shape makes a name more reliable than the component's other rules (model names by
# family stem or o-series): their candidates carry a higher confidence, which the resolver ranks by;
# a type taken from a list's other members is less reliable than any rule's own evidence.
_WEAK_RULES = frozenset({"coordinated", "evaluated_on"})
_STRONG_RULES = frozenset({"model_shape", "o_series"})
_STRONG_BONUS = 0.05


class PatternMatcher:
    """spaCy component: runs the rules and adds their spans as candidates (``doc.spans["kg_candidates"]``).

    Names the paper introduces (title colon, "we propose X") carry
    ``Provenance.introduces``, and so does every later occurrence of such a name
    in the doc (rule ``repeat``).
    """

    def __init__(self, nlp: Language, name: str = "kg_patterns", *, confidence: float = 0.8) -> None:
        self.name = name
        self.confidence = confidence
        self.families: list[str] = []
        self._family_set: frozenset[str] = frozenset()
        self._prefixes: frozenset[str] = frozenset()
        self.task_modifiers: frozenset[str] = frozenset()
        self._model_re = model_regex([])
        self._provenances: dict[tuple[str, bool], Provenance] = {}

    def initialize(self, get_examples: Callable | None = None, *, nlp: Language | None = None,
                   families: Iterable[str] | None = None, task_names: Iterable[str] | None = None) -> None:
        """Load model family stems and task-name words (from ``kg/resources`` unless given)."""
        from kg.resources import load_entries

        lx.load_lexicon()
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

    def _provenance(self, rule: str, introduces: bool = False) -> Provenance:
        key = (rule, introduces)
        prov = self._provenances.get(key)
        if prov is None:
            confidence = (min(1.0, self.confidence + _STRONG_BONUS) if rule in _STRONG_RULES
                          else self.confidence - _STRONG_BONUS if rule in _WEAK_RULES else self.confidence)
            prov = self._provenances[key] = Provenance(FACTORY, rule, confidence, introduces=introduces)
        return prov

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        sentences = sentence_bounds(doc)
        idx = doc.to_array(IDX).tolist()
        token_of_start = {char: i for i, char in enumerate(idx)}
        token_of_end = {char + n: i + 1 for i, (char, n) in enumerate(zip(idx, doc.to_array(LENGTH).tolist()))}
        # (start_char, end_char, label) of every candidate so far, then of this component's
        spans = [(s.start_char, s.end_char, s.label_) for s in candidates(doc)]
        new: list[tuple[int, int, int, int, str, Provenance]] = []

        def add(start: int, end: int, label: str, prov: Provenance) -> bool:
            first, last = token_of_start.get(start), token_of_end.get(end)
            if first is None or last is None or last <= first:
                return False  # not on token boundaries (strict alignment)
            new.append((first, last, start, end, label, prov))
            return True

        proposed_texts: dict[str, EntityType] = {}
        ours = []
        named = [(a, b) for a, b, label in spans if label in _NAMED_THINGS]
        for hit in find_all(text, sentences, doc._.kg_title_len, self._model_re, self.task_modifiers, self._prefixes):
            if hit.rule == "titled_method" and any(hit.start <= a and b <= hit.end for a, b in named):
                continue  # "Swin Transformer Block" holds a model name: not a coined method of its own
            proposed = hit.proposed and (hit.rule == "title_colon" or text[hit.start : hit.end] not in self._family_set)
            if add(hit.start, hit.end, hit.type.value, self._provenance(hit.rule, introduces=proposed)):
                ours.append((hit.start, hit.end, hit.type.value))
                if proposed and hit.rule != "titled_method":  # its other mentions are already title case
                    proposed_texts.setdefault(text[hit.start : hit.end], hit.type)
        for name, type_ in proposed_texts.items():
            for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w])", text):
                if add(m.start(), m.end(), type_.value, self._provenance(REPEAT_RULE, introduces=True)):
                    ours.append((m.start(), m.end(), type_.value))
        for start, end, label, rule in self._extensions(text, spans + ours):
            add(start, end, label, self._provenance(rule))
        add_candidates(doc, new)
        return doc

    def _extensions(self, text: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str, str]]:
        """Longer spans for names that continue past a rule's match, as ``(start, end, label, rule)``.

        - a model name followed by a parameter count or a variant ("Flan-UL2 20B", "T5-base");
        - a dataset name followed by a subset, version or language pair ("ANLI-A3", "WMT14 English-German");
        - a dataset name glued to a capitalized word before it ("Video-MME", not "MME");
        - a metric name after a noun that qualifies it ("answer accuracy", "tail latency");
        - two model names in a row ("CLIP ViT-L/14").
        """
        found: list[tuple[int, int, str, str]] = []
        model, metric, dataset = EntityType.MODEL.value, EntityType.METRIC.value, EntityType.DATASET.value
        model_ends = {start: end for start, end, label in spans if label == model}
        for start, end, label in spans:
            if label in _QUALIFIED and text[start:end].islower():
                check = _method_qualifier_ok if label == EntityType.METHOD.value else _qualifier_ok
                first = _modifiers_start(text, start, None, check=check)
                if first is not None:
                    found.append((first, end, label, "qualified_name"))
            if label in _COORDINATED:
                found.extend((a, b, label, "coordinated") for a, b in _list_members(text, start, end))
            if label == metric and " " not in text[start:end] and "-" not in text[start:end]:
                before = _word_before(text, start)
                if before is not None and metric_modifier_ok(text[before : start - 1]):
                    found.append((before, end, label, "metric_modifier"))
            elif label == model:
                if text[end : end + 1] == " " and end + 1 in model_ends:  # "CLIP ViT-L/14" is one model
                    found.append((start, model_ends[end + 1], label, "model_pair"))
                m = _SIZE_AFTER.match(text, end)
                if m:
                    found.append((start, m.end(), label, "model_shape"))
            elif label == dataset:
                m = _DATASET_QUALIFIER.match(text, end)
                if m:
                    found.append((start, m.end(), label, "dataset_qualifier"))
                m = _DATASET_PREFIX.search(text, max(0, start - 30), start)
                if m:
                    found.append((m.start(), end, label, "dataset_prefix"))
        return found

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


@Language.factory(FACTORY, default_config={"confidence": 0.8})
def make_pattern_matcher(nlp: Language, name: str, *, confidence: float) -> PatternMatcher:
    """Factory of ``kg_patterns``; model families load in ``initialize()``."""
    register_extensions()
    return PatternMatcher(nlp, name, confidence=confidence)
