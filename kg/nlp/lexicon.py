"""kg's closed word lists, loaded from the one resource file ``kg/resources/lexicon.toml``.

The file holds one list per concept (intro verbs, heads that make a Task /
Method / Metric / Dataset, generic modifiers, organisations, stop words of
names ...), each with a ``use`` line, and the pairs of lists that must not share
a word. :func:`load_lexicon` reads and checks it (a word twice in one list, or
in two contradictory lists, is an error); the rule components call it in their
``initialize()`` so that a broken file stops the pipeline before any paper is
read. The names below are the shipped file's lists in the shapes the rules use
(frozensets of words, regex alternations), made once at import.

Example:
    >>> "propose" in load_lexicon().words("intro_verbs")
    True
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.errors import InputError

LEXICON_PATH = Path(__file__).resolve().parents[1] / "resources" / "lexicon.toml"


@dataclass(frozen=True)
class Lexicon:
    """The word lists of one lexicon file: ``name -> words`` in file order, their uses, the contradictions."""

    path: str
    lists: dict[str, tuple[str, ...]]
    uses: dict[str, str]
    contradictions: tuple[tuple[str, str], ...]

    def words(self, name: str) -> tuple[str, ...]:
        """The words of one list.

        Raises:
            InputError: the file has no list ``name``.
        """
        if name not in self.lists:
            raise InputError(f"error: {self.path}: no word list [{name}]")
        return self.lists[name]

    def set(self, name: str) -> frozenset[str]:
        """The words of one list as a frozenset."""
        return frozenset(self.words(name))


def lexicon_problems(lexicon: Lexicon) -> list[str]:
    """Everything wrong with a lexicon: words listed twice, words in two contradictory lists."""
    problems = []
    for name, words in lexicon.lists.items():
        seen: set[str] = set()
        for word in words:
            if word in seen:
                problems.append(f"[{name}] lists {word!r} twice")
            seen.add(word)
    for a, b in lexicon.contradictions:
        for name in (a, b):
            if name not in lexicon.lists:
                problems.append(f"contradiction names an unknown list [{name}]")
        shared = sorted(set(lexicon.lists.get(a, ())) & set(lexicon.lists.get(b, ())))
        if shared:
            problems.append(f"[{a}] and [{b}] contradict each other but share {', '.join(map(repr, shared))}")
    return problems


def parse_lexicon(data: dict, path: str) -> Lexicon:
    """A :class:`Lexicon` from the parsed TOML of a lexicon file.

    Raises:
        InputError: a list without ``use`` or ``words``, a word that is not a non-empty
            string, a malformed contradiction, or any problem of :func:`lexicon_problems`.
    """
    lists: dict[str, tuple[str, ...]] = {}
    uses: dict[str, str] = {}
    for name, table in data.items():
        if name == "contradictions":
            continue
        if not isinstance(table, dict) or not isinstance(table.get("use"), str) or not isinstance(table.get("words"), list):
            raise InputError(f"error: {path}: [{name}] needs a 'use' string and a 'words' list")
        bad = [w for w in table["words"] if not isinstance(w, str) or not w.strip()]
        if bad:
            raise InputError(f"error: {path}: [{name}] holds a word that is not a non-empty string: {bad[0]!r}")
        lists[name], uses[name] = tuple(table["words"]), table["use"]
    pairs = data.get("contradictions", [])
    if not all(isinstance(p, list) and len(p) == 2 for p in pairs):
        raise InputError(f"error: {path}: contradictions must be pairs of list names")
    lexicon = Lexicon(path, lists, uses, tuple((a, b) for a, b in pairs))
    problems = lexicon_problems(lexicon)
    if problems:
        raise InputError(f"error: {path}: {problems[0]}" + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    return lexicon


@lru_cache(maxsize=4)
def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Read and check a lexicon file (the shipped ``kg/resources/lexicon.toml`` by default).

    Raises:
        InputError: the file is missing, not TOML, or fails a check (see :func:`parse_lexicon`).
    """
    file = Path(path) if path is not None else LEXICON_PATH
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"error: {file}: lexicon file not found") from None
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"error: {file}: {e}") from None
    return parse_lexicon(data, str(file))


def alternation(words: tuple[str, ...]) -> str:
    """A regex alternation of words and phrases; a space in a phrase also matches a hyphen.

    Example:
        >>> alternation(("question answering", "fine-tuning"))
        'question[- ]answering|fine\\\\-tuning'
    """
    return "|".join(re.escape(w).replace(r"\ ", "[- ]") for w in words)


_LEX = load_lexicon()

INTRO_VERBS = alternation(_LEX.words("intro_verbs"))
MODEL_VARIANTS = "(?:" + alternation(_LEX.words("model_variants")) + r"|V\d)"
TITLE_STOPWORDS = _LEX.set("title_stopwords")
TITLE_GENERIC = _LEX.set("title_generic")
NOT_NAMES = _LEX.set("not_names")
NOT_DATASETS = _LEX.set("not_datasets")
GENERIC_MODIFIERS = _LEX.set("generic_modifiers")
REASONING_MODIFIERS = _LEX.set("reasoning_modifiers")
TASK_HEAD_WORDS = _LEX.set("task_heads")
METHOD_HEAD_WORDS = _LEX.set("method_heads")
TASK_HEADS = alternation(_LEX.words("task_heads"))
METHOD_HEADS = alternation(_LEX.words("method_heads"))
METHOD_LONG_FORM_HEADS = METHOD_HEAD_WORDS | _LEX.set("method_long_form_heads")
TITLED_METHOD_HEADS = METHOD_LONG_FORM_HEADS | _LEX.set("titled_method_heads")
TITLED_DATASET_HEADS = _LEX.set("titled_dataset_heads")
SETTING_MODIFIERS = _LEX.set("setting_modifiers")
METRIC_LONG_FORM_HEADS = _LEX.set("metric_long_form_heads")
DATASET_LONG_FORM_HEADS = _LEX.set("dataset_long_form_heads")
GENERIC_MODEL_MODIFIERS = _LEX.set("generic_model_modifiers")
GENERIC_LONG_FORMS = _LEX.set("generic_long_forms")
GENERIC_HEADS = _LEX.set("generic_heads")
DATASET_CUES_AFTER = _LEX.set("dataset_cues_after")
DATASET_CUES_BEFORE = _LEX.set("dataset_cues_before")
METHOD_MODIFIERS = _LEX.set("method_modifiers")
ADJECTIVE_SUFFIX_WORDS = _LEX.set("adjective_suffix_words")
RATE_MODIFIERS = _LEX.set("rate_modifiers")
NOT_METRIC_MODIFIERS = _LEX.set("not_metric_modifiers")
COMMON_VERBS = _LEX.set("common_verbs")
VERB_LED_HEADS = _LEX.set("verb_led_heads")
DESCRIPTIVE_PARTICIPLES = _LEX.set("descriptive_participles")
DESCRIBING_HEADS = _LEX.set("describing_heads")
FUNCTION_WORDS = _LEX.set("function_words")
SUBORDINATORS = _LEX.set("subordinators")
EVALUATIVE_MODIFIERS = _LEX.set("evaluative_modifiers")
# Words that never start or qualify a name: clause openers and grading adjectives.
NEVER_MODIFIERS = SUBORDINATORS | EVALUATIVE_MODIFIERS
SIZE_WORDS = _LEX.set("size_words")
NUMBER_WORDS = _LEX.set("number_words")
LEARNING_HEADS = _LEX.set("learning_heads")
# Longest first, so that "Mistral AI" is tried before "Mistral" could be.
ORGANISATIONS = tuple(sorted(_LEX.words("organisations"), key=len, reverse=True))
_ORG_SEPARATORS = ("'s ", "\u2019s ", " ", "/")


def starts_with_organisation(name: str) -> bool:
    """Whether a name is an organisation or starts with one and a separator ("OpenAI o1", "Meta's Llama").

    Example:
        >>> starts_with_organisation("OpenAI o1"), starts_with_organisation("MetaMath")
        (True, False)
    """
    return any(name == org or any(name.startswith(org + sep) for sep in _ORG_SEPARATORS) for org in ORGANISATIONS)
