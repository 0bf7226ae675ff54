"""Tasks, methods and rate metrics as noun phrases with a typical head.

"mathematical reasoning", "code generation", "supervised fine-tuning",
"channel pruning", "success rate": a head word from a closed list, and the
modifiers before it read backwards while they can start a name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Callable

from kg.models import EntityType
from kg.nlp import lexicon as lx
from kg.nlp.shapes import Hit, find_metric_shapes, word_starts


def _modifiers_start(text: str, head_start: int, modifiers: frozenset[str] | None, max_words: int = 2,
                     check: Callable[[str], bool] | None = None) -> int | None:
    """Where the modifiers before a head begin, or None when the head has none.

    A modifier right after a size ("a 67 million parameter transformer", "7B token
    training") measures the thing rather than naming it, so it is left out; a word right
    after a subject pronoun is a verb ("we target long-form question answering").
    """
    cursor, taken = head_start, 0
    starts: list[int] = []
    while taken < max_words:
        word_start = _word_before(text, cursor)
        word = text[word_start : cursor - 1] if word_start is not None else ""
        if word_start is None or not (check(word) if check else _modifier_ok(word, modifiers)):
            break
        if _after_subject(text, word_start):
            break  # "we target long-form QA": a word right after "we" is its verb, not a modifier
        cursor = word_start
        starts.append(cursor)
        taken += 1
    while starts and _after_size(text, starts[-1]):
        starts.pop()
    return starts[-1] if starts else None


_SUBJECTS = frozenset({"we", "they", "it", "i"})


def _after_subject(text: str, word_start: int) -> bool:
    """Whether the word before ``word_start`` is a subject pronoun ("we", "they", "it")."""
    before = _word_before(text, word_start)
    return before is not None and text[before : word_start - 1].lower() in _SUBJECTS


def _after_size(text: str, word_start: int) -> bool:
    """Whether the word before ``word_start`` is a number or a size word ("67", "7B", "million")."""
    before = _word_before(text, word_start)
    if before is None:
        if text[word_start - 1 : word_start] != " ":
            return False
        number = text[max(0, word_start - 12) : word_start - 1].rpartition(" ")[2]
        return bool(_SIZE_NUMBER.fullmatch(number))
    return text[before : word_start - 1].lower() in lx.SIZE_WORDS


_SIZE_NUMBER = re.compile(r"\d+(?:[.,]\d+)*[KMBTkmbt]?")


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


_ADJ_SUFFIXES = ("ed", "al", "ive", "ic", "ar", "ous", "ent", "ant", "ion", "ment", "ity", "ory", "ary", "ful", "ian", "ical")


def _modifier_ok(word: str, allowed: frozenset[str] | None) -> bool:
    low = word.lower()
    if low in lx.NEVER_MODIFIERS:
        return False
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
    if low.endswith("ed"):
        return False  # a participle describes the thing ("learned value network", "proposed loss")
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
            and low not in lx.NEVER_MODIFIERS
            and low not in lx.COMMON_VERBS and not low.endswith(("ly", "ing"))
            and (not low.endswith("s") or low.endswith(("ss", "sis"))))


def find_tasks(text: str, modifiers: frozenset[str] = frozenset()) -> list[Hit]:
    """Tasks as noun phrases: "mathematical reasoning", "code generation", "object detection".

    ``modifiers`` are the words that start known task names (from the task
    gazetteers), so that "anomaly segmentation" is found from "anomaly detection"
    and "semantic segmentation", while "conditional generation" is not.
    """
    return [h for h in find_noun_phrases(text, modifiers) if h.type is EntityType.TASK]


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
    return [h for h in find_noun_phrases(text) if h.type is EntityType.METHOD]


_ALL_HEADS = re.compile(
    rf"(?<=[A-Za-z0-9] )(?:(?P<reasoning>reasoning)|(?P<rate>rates?|ratios?)|(?P<task>{lx.TASK_HEADS})"
    rf"|(?P<method>{lx.METHOD_HEADS}))(?![\w-])",
    re.IGNORECASE,
)


_HEAD_PREFIXES = frozenset(
    head.lower()[:4] for head in ("reasoning", "rates", "ratios", *lx.TASK_HEAD_WORDS, *lx.METHOD_HEAD_WORDS)
)


def find_noun_phrases(text: str, task_words: frozenset[str] = frozenset()) -> list[Hit]:
    """Tasks, methods and rate metrics as noun phrases, in one pass over the text.

    One regex with a group per head class, tried only where a word starts like
    a head; :func:`find_tasks`, :func:`find_methods` and :func:`find_metrics`
    are views of its result by type.
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
        if start is None:
            continue
        if m.lastgroup == "method" and m.group().lower() in lx.DESCRIBING_HEADS and _describes(text[start : m.start() - 1]):
            continue
        hits.append(Hit(start, m.end(), type_, rule))
    return hits


def _describes(modifiers: str) -> bool:
    """Whether the modifiers of a describing head ("learning", "supervision") are one plain adjective
    that is no known name part: "efficient learning" describes, "contrastive learning" and
    "reward-free learning" name."""
    return " " not in modifiers and "-" not in modifiers and modifiers.lower() not in lx.METHOD_MODIFIERS


def find_metrics(text: str) -> list[Hit]:
    """Metrics by shape and rate phrases ("success rate")."""
    return find_metric_shapes(text) + [h for h in find_noun_phrases(text) if h.type is EntityType.METRIC]
