"""Paper-level roles of the resolved entities.

``kg_roles`` reads only the entities that ``kg_resolve`` wrote (``doc.spans["kg"]``,
their groups and flags: known to a curated list, introduced by the paper,
heading the title); it never looks at candidates or at component names. Each
group gets its roles for the paper (see the guidelines):

- ``proposes``: the title's named contribution, the first name after "we
  propose / introduce / present", names "called / named X", and a descriptive
  (multi-word) method later in the sentence that introduces the work, unless
  the sentence names it as an instrument ("based on X", "using X");
- datasets: ``uses_dataset`` where a sentence speaks of training or a corpus,
  ``evaluates_on`` where it speaks of results (the default);
- models ``uses_model``, methods ``uses_method`` unless every mention is
  background (prior work, motivation), metrics ``measures``;
- tasks ``addresses`` when the paper's own sentences (title, "we", "our", the
  proposed name) mention them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.models import EntityType, Role
from kg.nlp import lexicon as lx
from kg.nlp.extensions import register_extensions
from kg.nlp.patterns import is_name_like
from kg.nlp.resolve import Group, entity_flags, require_resolver, resolved_groups
from kg.nlp.sentences import doc_text, sentence_bounds, span_text

_TRAIN_CUES = re.compile(
    r"\b(?:train(?:ed|ing)?|pre-?train(?:ed|ing)?|fine-?tun(?:e|ed|ing)|corpus|corpora|distill(?:ed|ing)?|"
    r"collected|sourced|scraped|crawled|data from|instruction data|synthesi[sz]ed? from|built from|derived from)\b",
    re.IGNORECASE,
)
_EVAL_STRONG = re.compile(
    r"\b(?:evaluat\w*|benchmarks?|achiev\w*|outperform\w*|surpass\w*|accuracy|scores?|results?|experiments?|"
    r"tests?|improv\w*|state-of-the-art|sota|pass@\w+|gains?|reach\w*|attain\w*)\b|%",
    re.IGNORECASE,
)
_EVAL_CUES = re.compile(_EVAL_STRONG.pattern + r"|\bon\b", re.IGNORECASE)
_BACKGROUND = re.compile(r"\b(?:inspired by|unlike|rather than|instead of|not through|are often|is often)\b", re.IGNORECASE)
_OWN_WORK = re.compile(r"\b(?:we|our|us|this (?:paper|work|study)|here)\b", re.IGNORECASE)
_INTRO = re.compile(
    rf"\b(?:we|this (?:paper|work))\s+(?:\w+ly\s+)?(?:{lx.INTRO_VERBS})s?\b|\b(?:called|named|dubbed|termed)\b",
    re.IGNORECASE,
)


class Sentences:
    """Sentence boundaries of a doc, looked up by character offset (built once per doc)."""

    def __init__(self, doc: Doc) -> None:
        self.text = doc_text(doc)
        self.bounds = sentence_bounds(doc)
        self.title_len = doc._.kg_title_len  # read once: every ``doc._`` builds an accessor
        self._starts = [b[0] for b in self.bounds]

    def around(self, char: int) -> tuple[int, int, str]:
        """(start, end, text) of the sentence holding character ``char``."""
        i = max(0, bisect_right(self._starts, char) - 1)
        start, end = self.bounds[i]
        return start, end, self.text[start:end]


def _sentence_text(span: Span, sents: Sentences) -> str:
    return sents.around(span.start_char)[2]


def _known(group: Group) -> bool:
    return any(entity_flags(s).known for s in group.spans)


def _is_proposed(group: Group, sents: Sentences) -> Span | None:
    """The mention that makes a group the paper's contribution, if any.

    A name found by the contribution rules (title colon, "called X") counts;
    otherwise a mention that closely follows "we propose / introduce / ..."
    with nothing but determiners and adjectives between ("we propose the
    feedback-conditional policy"), never a name the gazetteer already knows
    (established methods are used, not proposed).
    """
    for span in group.spans:
        if entity_flags(span).owned:
            return span
    if _known(group):
        return None
    for span in group.spans:
        if entity_flags(span).introduces:
            return span
    for span in group.spans:
        s_start, _, s_text = sents.around(span.start_char)
        before = s_text[: span.start_char - s_start]
        intro = list(_INTRO.finditer(before))
        if intro and _CLOSE_GAP.fullmatch(before[intro[-1].end() :]):
            return span
        if intro and " " in span_text(span) and not _INSTRUMENT_BEFORE.search(before[intro[-1].end() :]):
            return span  # "we propose X, which combines a gated fusion module with ...": a part of ours
    return None


_INSTRUMENT_BEFORE = re.compile(r"\b(?:using|via|through|based on|built on|with|from|like|such as|than|over|of)\b",
                                re.IGNORECASE)


_CLOSE_GAP = re.compile(
    r"(?:\s+(?!(?:through|via|using|with|on|for|by|to|of|from|in|and|or|that|which|use|apply|adopt)\b)[\w-]+){0,6}\s*",
    re.IGNORECASE,
)


def _coined_contribution(groups: list[Group]) -> Group | None:
    """When no rule named the contribution: the coined name the abstract repeats most.

    A coined name is name-shaped (``TALAR``, ``PRefLexOR``), unknown to the
    gazetteer, and a method, model or dataset; it must occur at least twice.
    """
    best: Group | None = None
    best_count = 1
    for group in groups:
        if group.type not in (EntityType.METHOD, EntityType.MODEL, EntityType.DATASET):
            continue
        if _known(group):
            continue
        if not any(is_name_like(span_text(s)) and " " not in span_text(s) for s in group.spans):
            continue
        if len(group.spans) > best_count:
            best, best_count = group, len(group.spans)
    return best


def _first_matching(group: Group, pattern: re.Pattern[str], sents: Sentences, window: int | None = None) -> Span | None:
    """The first mention whose sentence (or, with ``window``, nearby text) matches ``pattern``."""
    for span in group.spans:
        if window is not None:
            s_start, _, s_text = sents.around(span.start_char)
            lo = max(0, span.start_char - s_start - window)
            near = s_text[lo : span.end_char - s_start + window]
            if pattern.search(near):
                return span
        elif pattern.search(_sentence_text(span, sents)):
            return span
    return None


def _in_title(span: Span, sents: Sentences) -> bool:
    return span.start_char < sents.title_len


def group_roles(group: Group, proposed_first: dict[int, int], sents: Sentences) -> list[tuple[Role, Span, str]]:
    """The roles of one group with the span that supports each and the rule's name."""
    roles: list[tuple[Role, Span, str]] = []
    first = group.spans[0]
    if group.id in proposed_first and group.type in (EntityType.METHOD, EntityType.MODEL, EntityType.DATASET):
        roles.append((Role.PROPOSES, group.spans[proposed_first[group.id]], "proposed"))
    if group.type is EntityType.DATASET:
        train = _first_matching(group, _TRAIN_CUES, sents, window=40)
        if train is not None:
            roles.append((Role.USES_DATASET, train, "train_cue"))
        evaluation = _first_matching(group, _EVAL_STRONG if train is not None else _EVAL_CUES, sents)
        if evaluation is not None or train is None:
            roles.append((Role.EVALUATES_ON, evaluation or first, "eval_cue"))
    elif group.id in proposed_first:
        pass
    elif group.type is EntityType.MODEL:
        roles.append((Role.USES_MODEL, first, "model"))
    elif group.type is EntityType.METRIC:
        roles.append((Role.MEASURES, first, "metric"))
    elif group.type in (EntityType.METHOD, EntityType.TASK):
        own = next((s for s in group.spans if _in_title(s, sents) or not _BACKGROUND.search(_sentence_text(s, sents))), None)
        if own is not None:
            role, rule = (Role.USES_METHOD, "method") if group.type is EntityType.METHOD else (Role.ADDRESSES, "task")
            roles.append((role, own, rule))
    return roles


class RoleAssigner:
    """spaCy component: writes ``doc._.kg_roles`` from the resolved entities of ``doc.spans["kg"]``."""

    def __init__(self, name: str = "kg_roles", *, confidence: float = 0.7) -> None:
        self.name = name
        self.confidence = confidence

    def initialize(self, get_examples=None, *, nlp: Language | None = None) -> None:
        """Check the lexicon; refuse a pipeline without ``kg_resolve`` before this component."""
        lx.load_lexicon()
        require_resolver(nlp, self.name)

    def __call__(self, doc: Doc) -> Doc:
        groups = resolved_groups(doc)
        sents = Sentences(doc)
        proposed_first: dict[int, int] = {}
        for group in groups:
            span = _is_proposed(group, sents)
            if span is not None:
                proposed_first[group.id] = group.spans.index(span)
        if not proposed_first:
            coined = _coined_contribution(groups)
            if coined is not None:
                proposed_first[coined.id] = 0
        doc._.kg_roles = [self._role_row(group, role, span, rule, sents)
                          for group in groups for role, span, rule in group_roles(group, proposed_first, sents)]
        return doc

    def _role_row(self, group: Group, role: Role, span: Span, rule: str, sents: Sentences) -> dict:
        """One ``ExtractedRole.model_dump(mode="json")`` row, built directly (every field is plain data);
        the extractor names the factory, so a renamed component writes the same rows."""
        start, end, text = sents.around(span.start_char)
        return {"role": role.value, "group": group.id, "text": span_text(group.spans[0]), "evidence": text.strip(),
                "start": start, "end": end, "field": None, "extractor": f"{FACTORY}:{rule}",
                "confidence": self.confidence}


def groups_by_role(roles: list[dict]) -> dict[str, set[int]]:
    """Role name → group ids, from ``doc._.kg_roles`` rows."""
    out: dict[str, set[int]] = defaultdict(set)
    for row in roles:
        out[row["role"]].add(row["group"])
    return out


FACTORY = "kg_roles"


@Language.factory(FACTORY, default_config={"confidence": 0.7})
def make_role_assigner(nlp: Language, name: str, *, confidence: float) -> RoleAssigner:
    """Factory of ``kg_roles``."""
    register_extensions()
    return RoleAssigner(name, confidence=confidence)
