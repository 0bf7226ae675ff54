"""Pure name rules of the linker: acronyms, short forms, agreement, ranking.

These functions decide which surface forms of an entity are safe merge keys
across papers and which name a merged entity gets. They hold no state so
that every rule is unit-tested with the names that motivated it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from difflib import SequenceMatcher

from kg.models import normalize_name

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
