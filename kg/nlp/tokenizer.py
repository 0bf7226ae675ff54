"""A tokenizer that keeps ML names matchable.

spaCy's English rules split some names in the middle of what a reader sees
as one token ("GSM8K" becomes "GSM8" + "K", because "K" is a unit suffix)
and split hyphenated names inconsistently ("MATH-500" stays whole while
"Qwen3-4B-Base" splits before "Base" only). kg wants every name of the form
family-version-size-variant to start and end on a token boundary, wherever
it stands, so that a span can cover exactly the name:

- hyphens, en dashes and slashes between letters or digits are always their
  own token ("Qwen3", "-", "4B", "-", "Base"), so a pattern made from the same
  tokenizer matches, and "RL-based" still yields "RL";
- numbers keep their unit-like suffixes ("GSM8K", "100K", "7B") except "%" and
  "×", which claims need apart;
- a sentence's full stop leaves a name that ends in a capital or a digit
  ("... on MiniF2F." gives "MiniF2F" and ".");
- "pass@1", "Acc@5" and "nDCG@10" stay one token;
- a LaTeX non-breaking "~" is its own token ("e.g.~RoBERTa").
"""

from __future__ import annotations

from typing import Callable

from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex, registry

# Joined parts of a name: letters/digits on both sides of a hyphen, en dash or slash.
NAME_JOINER_INFIX = r"(?<=[0-9A-Za-z])[-\u2013/](?=[0-9A-Za-z])"
# A LaTeX non-breaking space left in abstracts ("e.g.~RoBERTa").
LATEX_TILDE_INFIX = r"~"
# Prefixes that split from a name: "~RoBERTa", "≈3x".
EXTRA_PREFIXES = (r"~", "\u2248")
# Suffixes that split from a number: percent and the multiplication sign.
NUMBER_SUFFIXES = (r"(?<=[0-9])%", r"(?<=[0-9])\u00d7")
# A full stop after a name that ends in a capital or digit ("... on MiniF2F.", "... GSM8K.").
NAME_STOP_SUFFIX = r"(?<=[0-9A-Z\u00d7])(?<=[0-9A-Za-z\u00d7]{2})\."


def _is_unit_suffix(pattern: str) -> bool:
    """True for spaCy's rule that splits unit symbols (km, K, MB, ...) off numbers."""
    return pattern.startswith("(?<=[0-9])(?:") and "km" in pattern


def kg_suffixes(defaults: list[str]) -> list[str]:
    """spaCy's suffixes without the unit-symbol rule, plus ``%`` and ``×`` after numbers and "." after names."""
    return [p for p in defaults if not _is_unit_suffix(p)] + list(NUMBER_SUFFIXES) + [NAME_STOP_SUFFIX]


def kg_infixes(defaults: list[str]) -> list[str]:
    """spaCy's infixes plus rules that always split name joiners and LaTeX's "~"."""
    return list(defaults) + [NAME_JOINER_INFIX, LATEX_TILDE_INFIX]


def build_tokenizer(nlp: Language) -> Tokenizer:
    """The English tokenizer with kg's suffix and infix rules."""
    defaults = nlp.Defaults
    suffixes = kg_suffixes(list(defaults.suffixes or []))
    infixes = kg_infixes(list(defaults.infixes or []))
    tokenizer = Tokenizer(
        nlp.vocab,
        rules=dict(defaults.tokenizer_exceptions),
        prefix_search=compile_prefix_regex(list(defaults.prefixes or []) + list(EXTRA_PREFIXES)).search,
        suffix_search=compile_suffix_regex(suffixes).search,
        infix_finditer=compile_infix_regex(infixes).finditer,
        token_match=defaults.token_match,
        url_match=defaults.url_match,
    )
    return tokenizer


@registry.tokenizers("kg.tokenizer.v1")
def create_tokenizer() -> Callable[[Language], Tokenizer]:
    """Registered tokenizer factory; use it in a config as ``@tokenizers = "kg.tokenizer.v1"``."""
    return build_tokenizer
