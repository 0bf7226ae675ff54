"""Abbreviation pairs: "long form (SHORT)" and "SHORT (long form)".

The pair finder is the Schwartz & Hearst (2003) algorithm on token spans: the
short form's characters must appear, in order, in the long form, the first one
at the start of a word; the long form is the shortest tail of the words before
the parenthesis that satisfies this. Both forms name one entity, so they share
one group; their type comes from a gazetteer hit on either form, else from the
head word of the long form (``...Policy Optimization`` is a Method,
``...Benchmark`` a Dataset, ``...Accuracy`` a Metric, ``...Question Answering``
a Task). Every later occurrence of a typed short form is tagged too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.attrs import IDX, LENGTH, SENT_START, SPACY
from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.models import EntityType
from kg.nlp import lexicon as lx
from kg.nlp.extensions import (
    Provenance,
    add_candidates,
    candidates,
    provenance,
    register_extensions,
)
from kg.nlp.sentences import doc_text, token_texts

_SHORT_RE = re.compile(r"^(?=.*[A-Z])[A-Za-z0-9][A-Za-z0-9&+\-./]{0,11}$")
_NOT_SHORT = frozenset({"e.g.", "i.e.", "etc.", "cf.", "vs.", "Fig.", "Table", "Appendix", "Section", "Eq."})

# Long forms that name a field or a generic class of models: not entities.
GENERIC_LONG_FORMS = lx.GENERIC_LONG_FORMS

# The type that the head of a long form gives (the lists of kg/resources/lexicon.toml).
_HEADS: tuple[tuple[EntityType, frozenset[str]], ...] = (
    (EntityType.DATASET, lx.DATASET_LONG_FORM_HEADS),
    (EntityType.METRIC, lx.METRIC_LONG_FORM_HEADS),
    (EntityType.TASK, lx.TASK_HEAD_WORDS),
    (EntityType.METHOD, lx.METHOD_LONG_FORM_HEADS),
)


@dataclass(frozen=True)
class AbbreviationPair:
    """Token offsets ``[start, end)`` of a short form and its long form."""

    short_start: int
    short_end: int
    long_start: int
    long_end: int


def is_short_form(text: str) -> bool:
    """Whether ``text`` can be an abbreviation: 1-12 characters, one capital, not a number.

    Example:
        >>> is_short_form("GRPO"), is_short_form("2024"), is_short_form("the")
        (True, False, False)
    """
    return bool(_SHORT_RE.match(text)) and text not in _NOT_SHORT and not text.replace(".", "").isdigit()


def long_form_start(short: str, long: str) -> int | None:
    """Schwartz & Hearst: where in ``long`` the shortest long form of ``short`` starts.

    Returns a character offset into ``long``, or ``None`` if ``long`` cannot be
    expanded to ``short``.

    Example:
        >>> long = "we introduce the feedback-conditional policy"
        >>> long[long_form_start("FCP", long):]
        'feedback-conditional policy'
    """
    s_idx, l_idx = len(short) - 1, len(long) - 1
    while s_idx >= 0:
        char = short[s_idx].lower()
        if not char.isalnum():
            s_idx -= 1
            continue
        while l_idx >= 0 and (
            long[l_idx].lower() != char or (s_idx == 0 and l_idx > 0 and long[l_idx - 1].isalnum())
        ):
            l_idx -= 1
        if l_idx < 0:
            return None
        l_idx -= 1
        s_idx -= 1
    return long.rfind(" ", 0, l_idx + 1) + 1


def head_type(long_form: str) -> EntityType | None:
    """The entity type that the head (last word) of a long form implies, if any.

    Example:
        >>> head_type("Group Relative Policy Optimization")
        <EntityType.METHOD: 'Method'>
    """
    words = re.findall(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*", long_form.lower())
    if not words or long_form.lower() in GENERIC_LONG_FORMS:
        return None
    head = words[-1]
    if head in {"model", "models"} and len(words) >= 2 and words[-2] in lx.GENERIC_MODEL_MODIFIERS:
        return None
    last_two = " ".join(words[-2:])
    for type_, heads in _HEADS:
        if last_two in heads or head in heads or head.split("-")[-1] in heads:
            return type_
    return None


def _close_paren(words: list[str], open_i: int, limit: int = 14) -> int | None:
    for j in range(open_i + 1, min(len(words), open_i + limit)):
        if words[j] == ")":
            return j
        if words[j] in {"(", ".", ";"} or "\n" in words[j]:
            return None
    return None


def _long_before(words: list[str], spaces: list[str], open_i: int, short: str, sent_start: int) -> tuple[int, int] | None:
    """Token span of the long form in the words before ``(``, or None."""
    n_short = len(re.sub(r"[^A-Za-z0-9]", "", short))
    first = max(sent_start, open_i - min(n_short + 5, 2 * n_short + 2))
    for k in range(open_i - 1, first - 1, -1):
        if words[k] in {",", ";", ":", ")", "("} or "\n" in words[k]:
            first = k + 1
            break
    if first >= open_i:
        return None
    text = "".join(words[k] + spaces[k] for k in range(first, open_i)).rstrip()
    start_char = long_form_start(short, text)
    if start_char is None:
        return None
    offset = 0
    for k in range(first, open_i):
        if offset >= start_char:
            return (k, open_i) if k < open_i else None
        offset += len(words[k]) + len(spaces[k])
    return None


def find_pairs(words: list[str], spaces: list[str], sent_starts: list[bool]) -> list[AbbreviationPair]:
    """All abbreviation pairs in a tokenized text.

    ``spaces`` holds each token's trailing whitespace; ``sent_starts`` flags the
    first token of each sentence (long forms do not cross a sentence start).
    """
    pairs: list[AbbreviationPair] = []
    sent_start = 0
    for i, word in enumerate(words):
        if sent_starts[i]:
            sent_start = i
        if word != "(" or i == 0:
            continue
        close = _close_paren(words, i)
        if close is None:
            continue
        inner = "".join(words[k] + spaces[k] for k in range(i + 1, close)).strip()
        if close - i - 1 <= 3 and is_short_form(inner) and " " not in inner:
            long_span = _long_before(words, spaces, i, inner, sent_start)
            if long_span:
                pairs.append(AbbreviationPair(i + 1, close, *long_span))
        elif close - i - 1 >= 2 and is_short_form(words[i - 1]):
            if long_form_start(words[i - 1], inner) is not None and inner[0].lower() == words[i - 1][0].lower():
                pairs.append(AbbreviationPair(i - 1, i, i + 1, close))
    return pairs


# ------------------------------------------------------------ component


def _pair_type(by_offsets: dict[tuple[int, int], list[Span]], doc: Doc,
               pair: AbbreviationPair) -> tuple[EntityType | None, bool]:
    """The pair's type and whether a gazetteer already knew one of its forms.

    A gazetteer hit on either form decides; else any other rule's hit; else the
    head word of the long form. ``by_offsets`` indexes the spans found so far by
    token offsets.
    """
    found = by_offsets.get((pair.long_start, pair.long_end), []) + by_offsets.get((pair.short_start, pair.short_end), [])
    known = [s for s in found if any(p.known for p in provenance(s))]
    if known:
        return EntityType(known[0].label_), True
    if found:
        return EntityType(found[0].label_), False
    return head_type(doc[pair.long_start : pair.long_end].text), False


class AbbreviationDetector:
    """Finds pairs, types them, and adds both forms and later uses of the short form as candidates
    that share the pair's id (``Provenance.pair``)."""

    def __init__(self, name: str = "kg_abbreviations", *, max_group: int = 10_000, confidence: float = 0.9) -> None:
        self.name = name
        self.max_group = max_group
        self.confidence = confidence

    def initialize(self, get_examples=None, *, nlp: Language | None = None) -> None:
        """Check the lexicon whose head lists type the long forms."""
        lx.load_lexicon()

    def __call__(self, doc: Doc) -> Doc:
        if "(" not in doc_text(doc):
            doc._.kg_abbreviations = []
            return doc
        words = token_texts(doc)
        spaces = [" " if x else "" for x in doc.to_array(SPACY).tolist()]
        starts = [x == 1 for x in doc.to_array(SENT_START).tolist()]
        pairs = find_pairs(words, spaces, starts)
        doc._.kg_abbreviations = [
            {
                "short": [doc[p.short_start].idx, doc[p.short_end - 1].idx + len(doc[p.short_end - 1])],
                "long": [doc[p.long_start].idx, doc[p.long_end - 1].idx + len(doc[p.long_end - 1])],
            }
            for p in pairs
        ]
        if not pairs:
            return doc
        by_offsets: dict[tuple[int, int], list[Span]] = {}
        for span in candidates(doc):
            by_offsets.setdefault((span.start, span.end), []).append(span)
        idx, length = doc.to_array(IDX).tolist(), doc.to_array(LENGTH).tolist()
        found: list[tuple[int, int, int, int, str, Provenance]] = []
        for n, pair in enumerate(pairs):
            type_, known = _pair_type(by_offsets, doc, pair)
            if type_ is None:
                continue
            prov = Provenance(FACTORY, "pair", self.confidence, known=known, pair=self.max_group + n)
            found.append((pair.long_start, pair.long_end, idx[pair.long_start],
                          idx[pair.long_end - 1] + length[pair.long_end - 1], type_.value, prov))
            short = words[pair.short_start : pair.short_end]
            width = len(short)
            for i in range(len(words) - width + 1):
                if words[i : i + width] == short:
                    found.append((i, i + width, idx[i], idx[i + width - 1] + length[i + width - 1], type_.value, prov))
        add_candidates(doc, found)
        return doc


FACTORY = "kg_abbreviations"


@Language.factory(FACTORY, default_config={"max_group": 10_000, "confidence": 0.9})
def make_abbreviation_detector(nlp: Language, name: str, *, max_group: int, confidence: float) -> AbbreviationDetector:
    """Factory of ``kg_abbreviations``; pairs are numbered from ``max_group``."""
    register_extensions()
    return AbbreviationDetector(name, max_group=max_group, confidence=confidence)
