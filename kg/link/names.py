"""Pure name rules of the linker: acronyms, short forms, agreement, ranking.

These functions decide which surface forms of an entity are safe merge keys
across papers and which name a merged entity gets. They hold no state so
that every rule is unit-tested with the names that motivated it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from difflib import SequenceMatcher

from kg.models import EntityType, normalize_name
from kg.nlp import lexicon as lx

# A token of letters, digits and hyphens/dots without spaces, up to 12 chars.
_ACRONYM_SHAPE = re.compile(r"^[^\W\d_][\w.\-+&\\]{1,11}$")
# A short form must be this many key characters shorter than a long form of
# its group to count as a truncation ("Qwen" of "Qwen-7B"); plurals and
# spelling variants ("transformer"/"Transformers") stay full keys.
_MIN_TRUNCATION = 2
# Two multi-word expansions of one acronym agree at or above this similarity
# of their keys ("optimization" / "optimisation"); distinct expansions such
# as "transfer learning" / "triplet loss" score far below.
AGREEMENT_RATIO = 0.85


# Types whose names papers pluralize ("Transformers", "win rates", "Long CoTs") without naming
# another thing; dataset and model names keep a final "s" ("Natural Questions", "GPT-4s" is rare).
_PLURAL_TYPES = frozenset({EntityType.METHOD, EntityType.METRIC, EntityType.TASK})
_KEEP_S = ("ss", "us", "is", "ics", "ous", "sis")
_AT_METRIC = re.compile(r"([A-Za-z]+)@(\w+)")


def singular(word: str) -> str:
    """The singular of a name's last word: "Transformers" -> "Transformer", "CoTs" -> "CoT",
    "policies" -> "policy"; words whose "s" is not a plural ending ("loss", "dynamics",
    "analysis") and words under four letters are kept.

    Example:
        >>> [singular(w) for w in ("Transformers", "rates", "CoTs", "policies", "loss", "dynamics", "LLMs")]
        ['Transformer', 'rate', 'CoT', 'policy', 'loss', 'dynamics', 'LLM']
    """
    if len(word) < 4 or not word.endswith("s") or not word[:-1].replace("-", "").isalnum():
        return word
    low = word.lower()
    if low.endswith(_KEEP_S):
        return word
    if low.endswith("ies") and len(word) > 4:
        return word[:-3] + ("Y" if word[-4].isupper() else "y")
    if low.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    return word[:-1]


def variant_key(type_: EntityType, form: str) -> str:
    """The merge key of a surface form: ``normalize_name`` of the form with the variants of one
    name made equal.

    - case, hyphens and spaces (``normalize_name``): "PASS@80" / "pass@80";
    - for methods, metrics and tasks, the plural of the last word: "Transformers" / "Transformer",
      "win rates" / "win rate", "Long CoTs" / "Long CoT";
    - for methods, a last word that names the same technique as "learning"
      (``learning_heads`` of the lexicon): "multi-task training" / "multi-task learning".
    - for models, a slash-list of versions keys as its first model: "GPT2/3/4" / "GPT2".

    Example:
        >>> variant_key(EntityType.METHOD, "Transformers") == variant_key(EntityType.METHOD, "transformer")
        True
        >>> variant_key(EntityType.DATASET, "Natural Questions") == variant_key(EntityType.DATASET, "Natural Question")
        False
    """
    type_ = EntityType(type_)
    if type_ is EntityType.MODEL:
        return normalize_name(first_of_versions(form))
    if type_ not in _PLURAL_TYPES:
        return normalize_name(form)
    words = form.split()
    if not words:
        return normalize_name(form)
    last = singular(words[-1])
    if type_ is EntityType.METHOD and len(words) > 1 and last.lower() in lx.LEARNING_HEADS:
        last = "learning"
    return normalize_name(" ".join([*words[:-1], last]))


_VERSION_LIST = re.compile(r"(?<=\d)(?:/\d+(?:\.\d+)*[a-z]?)+$")


def first_of_versions(form: str) -> str:
    """The first model of a slash-list of versions ("GPT2/3/4" is GPT2 and more); a slash after
    a letter is part of one name ("ViT-L/14").

    Example:
        >>> first_of_versions("GPT2/3/4"), first_of_versions("Llama-3.1/3.2"), first_of_versions("ViT-L/14")
        ('GPT2', 'Llama-3.1', 'ViT-L/14')
    """
    return _VERSION_LIST.sub("", form)


def at_metric_name(form: str, known: str | None) -> str | None:
    """The conventional spelling of an ``X@k`` metric from a known one of its family:
    "PASS@80" with "pass@1" known is "pass@80".

    Example:
        >>> at_metric_name("PASS@80", "pass@1"), at_metric_name("nDCG@5", None)
        ('pass@80', None)
    """
    m, k = _AT_METRIC.fullmatch(form), _AT_METRIC.fullmatch(known or "")
    if m is None or k is None or m.group(1).lower() != k.group(1).lower():
        return None
    return f"{k.group(1)}@{m.group(2)}"


def is_acronym(form: str) -> bool:
    """Whether a surface form looks like an abbreviation ("GRPO", "CoT", "ExPO").

    At least two capitals, no fewer capitals than lower-case letters, and a
    single short token.

    Example:
        >>> is_acronym("GRPO"), is_acronym("CoT"), is_acronym("Qwen3-4B-Base")
        (True, True, False)
    """
    if not _ACRONYM_SHAPE.match(form):
        return False
    upper = sum(c.isupper() for c in form)
    lower = sum(c.islower() for c in form)
    return upper >= 2 and upper >= lower


def short_forms(forms: Iterable[str]) -> frozenset[str]:
    """The forms of one entity group that abbreviate or truncate another form.

    Why: a short form ("TL", "Qwen") names different things in different
    papers, so it must not act as a merge key on its own. A form is short when
    the group has a longer, non-short form and the form is acronym-like or its
    key is a strict truncation (substring, at least two characters shorter).

    Example:
        >>> sorted(short_forms(["Group Relative Policy Optimization", "GRPO"]))
        ['GRPO']
    """
    forms = list(dict.fromkeys(forms))
    keys = {f: normalize_name(f) for f in forms}
    short: set[str] = set()
    for form in forms:
        key = keys[form]
        for other in forms:
            okey = keys[other]
            if other == form or is_acronym(other) or len(okey) <= len(key):
                continue
            truncation = key in okey and len(okey) - len(key) >= _MIN_TRUNCATION
            if is_acronym(form) or truncation:
                short.add(form)
                break
    return frozenset(short)


def forms_agree(a: str, b: str) -> bool:
    """Whether two long forms name the same thing (same key, or a spelling variant).

    Fuzzy agreement applies only to multi-word forms without digits: versions
    in model names ("Llama-3.1-8B" vs "Llama-3-8B") must match exactly.

    Example:
        >>> forms_agree("Group Relative Policy Optimization", "group relative policy optimisation")
        True
    """
    ka, kb = normalize_name(a), normalize_name(b)
    if ka == kb:
        return True
    if any(c.isdigit() for c in ka + kb) or " " not in a.strip() or " " not in b.strip():
        return False
    return SequenceMatcher(None, ka, kb).ratio() >= AGREEMENT_RATIO


def rank_key(form: str, papers: Mapping[str, int], mentions: Mapping[str, int]) -> tuple:
    """Sort key choosing a canonical name among candidate forms (smallest wins).

    Order: used by more papers, more mentions, longer key (more content),
    fewer separators (the spelling closest to its key: "GSM8K" over
    "GSM-8K"), then the code-point order of the form itself. Every part
    depends only on the set of inputs, never on their order.

    Example:
        >>> sorted(["GSM-8K", "GSM8K"], key=lambda f: rank_key(f, {}, {}))[0]
        'GSM8K'
    """
    key = normalize_name(form)
    separators = sum(not c.isalnum() for c in form)
    return (-papers.get(form, 0), -mentions.get(form, 0), -len(key), separators, form)


def pick_name(forms: Iterable[str], papers: Mapping[str, int], mentions: Mapping[str, int]) -> str:
    """The best-ranked form (see ``rank_key``)."""
    return min(forms, key=lambda f: rank_key(f, papers, mentions))


def alias_list(
    name: str, forms: Iterable[str], papers: Mapping[str, int], mentions: Mapping[str, int]
) -> list[str]:
    """Surface forms other than the name, ranked, deduplicated case-insensitively.

    The first form of each case-folded spelling in rank order is kept, so the
    list does not depend on the order of the papers.

    Example:
        >>> alias_list("GSM8K", ["gsm8k", "GSM-8K", "GSM8K"], {}, {})
        ['GSM-8K']
    """
    seen = {name.casefold()}
    out: list[str] = []
    for form in sorted(set(forms), key=lambda f: rank_key(f, papers, mentions)):
        folded = form.casefold()
        if folded not in seen:
            seen.add(folded)
            out.append(form)
    return out
