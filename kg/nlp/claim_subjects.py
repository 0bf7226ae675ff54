"""Who a claim's number is about: the subject rules of the claim extractor.

The subject is the proposed method or model when the paper's own result is meant ("our
approach", "we achieve", "it improves"; "our model" prefers a proposed model, or the sized
checkpoint of a proposed name: "UL2 20B" of "UL2"), the named system when another one is
meant ("GPT-4o scores 55%", "4.05 for FastSpeech 2"), a name the entity rules missed when it
stands right before a result verb ("GraspFormer succeeds"), and never a competitor, an
instrument ("via behavior cloning") or the base model a method is applied to ("improves
Llama-3.1-8B from ..."), which is recorded as ``base_model``. When the text names no system
for its own result, the words it uses are kept (``subject_phrase``: "our approach").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kg.models import EntityType, ExtractedEntity
from kg.nlp.claim_clauses import clause_index
from kg.nlp.claim_numbers import Group

_PRONOUN_NP = re.compile(r"\b(?:our|this|the\s+proposed)\s+(?:[\w-]+\s+){0,2}?(?:method|model|approach|framework|"
                         r"system|technique|algorithm|pipeline|agent|recipe|training\s+approach)s?\b", re.I)
_PRONOUN_VERB = re.compile(r"\b(?:we|it)\s+(?:\w+\s+){0,2}?(?:achiev\w*|obtain\w*|attain\w*|reach\w*|improv\w*|"
                           r"outperform\w*|surpass\w*|gets?|yield\w*|leads?|deliver\w*|boost\w*|scor\w*|sets?|"
                           r"exceed\w*|beats?|gain\w*|reduc\w*|increas\w*)\b", re.I)
# "our model with Phi-3.5", "our model, GraphLinker," (an appositive names the phrase).
_NP_WITH = re.compile(r"(?:\s+(?:with|based\s+on|using|built\s+on|on\s+top\s+of)\s+|"
                      r"\s*,\s*(?:(?:called|named|dubbed)\s+)?)$", re.I)
_INSTRUMENT = re.compile(r"\b(?:with|via|through|using|employing|from|into|by|at|on|in)\s+(?:[\w-]+\s+){0,2}$", re.I)
# A name the entity rules missed, right before a result verb: "GraspFormer succeeds", "CAW improves".
_RESULT_VERB = (r"(?:achiev|obtain|attain|reach|improv|outperform|surpass|gets?\b|yield|deliver|boost|scor|sets?\b|"
                r"exceed|beats?\b|gain|reduc|increas|lower|lift|rais|runs?\b|serv|resolv|succeed|cuts?\b|speeds?\b|"
                r"keeps?\b|ranks?\b|trails?\b|match|lags?\b|answer|pass)")
_NAME_BEFORE_VERB = re.compile(r"(?<![\w-])([A-Z][a-z0-9]*[A-Z0-9][\w+.-]*[\w+]|[a-z]+[A-Z][\w+.-]*[\w+]|[A-Z]{2,})\s+"
                               r"(?:(?:also|further|consistently|still|even|only|then|now)\s+)?" + _RESULT_VERB)
_PLURAL_CLASS = re.compile(r"[A-Z]{2,}s")  # "LLMs", "VLMs": model classes, not names
# "Active data gathering further improves ...": a capitalised phrase opening a clause, before a result verb.
_PHRASE_BEFORE_VERB = re.compile(r"([A-Z][a-z][\w-]*(?:\s+(?!(?:also|further|consistently)\b)[a-z][\w-]*){1,3})\s+"
                                 r"(?:(?:also|further|consistently)\s+)?"
                                 r"(?:achieves|obtains|attains|reaches|improves|outperforms|surpasses|yields|boosts|"
                                 r"reduces|increases|lowers|delivers|exceeds)\b")
_GENERIC_HEADS = frozenset({"performance", "accuracy", "results", "result", "training", "fine-tuning", "pretraining",
                            "pre-training", "method", "approach", "model", "models", "framework", "experiments",
                            "evaluation", "analysis", "score", "scores", "quality", "error", "rate", "loss", "it",
                            "this", "which", "that", "scaling", "baseline", "baselines", "system"})
_FUNCTION_WORDS = frozenset({"the", "a", "an", "of", "on", "in", "for", "with", "and", "or", "to", "by", "our", "its",
                             "their", "this", "that", "these", "those", "we", "it", "each", "both", "all", "from",
                             "at", "as", "is", "are", "was", "were", "via", "through", "using", "after", "without"})
_OWN_WORK = "this paper's method"  # the subject phrase of "we achieve ..." when the paper names no method
_MODEL_HEADS = frozenset({"model", "system", "agent", "checkpoint", "network", "policy"})
# The model a method is applied to: "improves Llama-3.1-8B from", "speeds up GPT-J decoding", "Applied to ViViT,".
_BASE_BEFORE = re.compile(r"\b(?:improv\w*|boost\w*|enhanc\w*|speeds?\s+up|accelerat\w*|applied\s+to|"
                          r"appl(?:y|ies|ying)\s+(?:[\w-]+\s+){0,3}?to|serv(?:e|es|ing)|keeps?|lifts?|"
                          r"rais(?:e|es|ing)|on\s+top\s+of|built\s+on)\s+(?:the\s+)?"
                          r"(?:(?:[\w-]+\s+)?(?:accuracy|performance)\s+of\s+)?$", re.I)
_APPLIED_TO = re.compile(r"(?:^|[.;]\s*|\b)[Aa]pplied\s+to\s+$")
_FOR_AFTER = re.compile(r"\s*for\s+(?:the\s+)?")
SUBJECT_TYPES = frozenset({EntityType.MODEL, EntityType.METHOD})  # what a subject can be
# (position, competitor or None, is a base, is a preposition)
Cue = tuple[int, ExtractedEntity | None, bool, bool]


def key(name: str) -> str:
    """A name folded for comparison ("Zeta-2" and "zeta 2" are one name)."""
    return re.sub(r"[\W_]+", "", name.casefold())


@dataclass
class Sentence:
    """What the claim rules know about one sentence."""

    text: str
    s: int
    e: int
    mentions: list[ExtractedEntity]
    proposed: Sequence[str]
    cues: list[Cue]
    excluded: set[int]
    clauses: list[tuple[int, int]]
    proposed_types: Mapping[str, EntityType] = field(default_factory=dict)
    bases: dict[int, ExtractedEntity] = field(default_factory=dict)  # clause index -> base model
    known: frozenset[str] = frozenset()  # folded names of the text's methods and models
    own_model: str | None = None  # the sized checkpoint of a proposed name ("UL2 20B" of "UL2")

    def of(self, types: frozenset[EntityType]) -> list[ExtractedEntity]:
        return [m for m in self.mentions if m.type in types]

    def preferred(self, head: str = "") -> str | None:
        """The proposed name "our <head>" means: a proposed model for "our model", a method otherwise."""
        if not self.proposed:
            return None
        wanted = EntityType.MODEL if head.lower().rstrip("s") in _MODEL_HEADS else EntityType.METHOD
        if wanted == EntityType.MODEL and self.own_model:
            return self.own_model
        return next((p for p in self.proposed if self.proposed_types.get(p) == wanted), self.proposed[0])


@dataclass
class Subject:
    """Who a number is about: a name, and the words the text uses when they are a pronoun or "our X"."""

    found: bool = False
    name: str | None = None
    phrase: str | None = None

    @property
    def bare(self) -> bool:
        return self.found and self.name is None


def _name_candidates(sent: Sentence, start: int, pos: int) -> list[tuple[int, str | None, str | None]]:
    """Names the entity rules missed that stand before a result verb ("GraspFormer succeeds on ...")."""
    text, out = sent.text, []
    others = [m for m in sent.mentions if m.type not in SUBJECT_TYPES or id(m) in sent.excluded]
    for m in _NAME_BEFORE_VERB.finditer(text, start, pos):
        if not _PLURAL_CLASS.fullmatch(m.group(1)) and not any(o.start < m.end(1) and m.start(1) < o.end
                                                                  for o in others):
            out.append((m.start(1), m.group(1), None))
    head = _PHRASE_BEFORE_VERB.match(text, start, pos) if start in (sent.s, *(c for c, _ in sent.clauses)) else None
    if head is None and start == sent.s:
        head = _PHRASE_BEFORE_VERB.match(text, sent.s + len(text[sent.s:pos]) - len(text[sent.s:pos].lstrip()), pos)
    if head is not None:
        words = head.group(1).lower().split()
        known = key(head.group(1)) in sent.known  # "Conditional training" where "conditional training" is a method
        if known or (words[-1] not in _GENERIC_HEADS and not set(words) & _FUNCTION_WORDS):
            out.append((head.start(1), head.group(1), None))
    return out


def _subject_in(sent: Sentence, start: int, pos: int) -> Subject:
    """The closest subject-like phrase in ``text[start:pos]``."""
    text, cands = sent.text, []
    keys = {key(p) for p in sent.proposed}
    for m in _PRONOUN_NP.finditer(text, start, pos):
        named = next((x for x in sent.mentions if x.type in SUBJECT_TYPES and m.end() <= x.start < pos
                      and _NP_WITH.match(text, m.end(), x.start)), None)
        cands.append((named.start, named.text, None) if named else
                     (m.start(), sent.preferred(m.group().split()[-1]), m.group()))
    for m in _PRONOUN_VERB.finditer(text, start, pos):
        cands.append((m.start(), sent.preferred(), _OWN_WORK))  # "we achieve", "it improves"
    for x in sent.mentions:
        if x.start < start or x.end > pos or id(x) in sent.excluded:
            continue
        if key(x.text) in keys or (x.type in SUBJECT_TYPES and not _INSTRUMENT.search(text, max(start, x.start - 40),
                                                                                     x.start)):
            cands.append((x.start, x.text, None))
        elif x.type is EntityType.DATASET and start == sent.s and not text[sent.s : x.start].strip():
            cands.append((x.start, x.text, None))  # "SynLogic leads to ..., surpassing X by 6 points": data as actor
    cands.extend(_name_candidates(sent, start, pos))
    if not cands:
        return Subject()
    _, name, phrase = max(cands, key=lambda c: c[0])
    return Subject(True, name, phrase)


def subject_of(sent: Sentence, clause: int, pos: int, first_group: int) -> Subject:
    """The number's subject: from its own clause, else carried from the sentence's first clause.

    A bare "it"/"we" with no proposed name in a later clause also takes the first
    clause's subject ("On X, LIDR achieves 39.8, and on Y it improves ... by 3.1").
    """
    cs = sent.clauses[clause][0]
    own = _subject_in(sent, cs, pos)
    if (clause == 0 and cs == sent.s) or (own.found and not own.bare):
        return own
    # a later clause, or a first one after a dropped numberless clause ("Our model ..., outperforming X |
    # and tripling ..."): the sentence's subject
    carried = _subject_in(sent, sent.s, first_group if clause else pos)
    if carried.found and carried.name is not None:
        return carried
    return own if own.found else _subject_in(sent, sent.s, pos)


def find_bases(text: str, s: int, models: list[ExtractedEntity], clauses: list[tuple[int, int]]) -> dict[int, ExtractedEntity]:
    """Per clause, the model a method is applied to ("improves Llama-3.1-8B from", "Applied to ViViT, ...")."""
    out: dict[int, ExtractedEntity] = {}
    for x in models:
        if x.type == EntityType.MODEL and _BASE_BEFORE.search(text, max(s, x.start - 50), x.start):
            ci = clause_index(clauses, x.start)
            out.setdefault(ci, x)
            if _APPLIED_TO.search(text, max(s, x.start - 20), x.start):  # "Applied to X, ..." scopes the sentence
                for i in range(len(clauses)):
                    out.setdefault(i, x)
    return out


def for_subject(sent: Sentence, group: Group) -> ExtractedEntity | None:
    """The system a score is "for" ("compared with 4.05 for FastSpeech 2", "versus 3.60 for DDIM")."""
    m = _FOR_AFTER.match(sent.text, group.end)
    if not m:
        return None
    return next((x for x in sent.of(SUBJECT_TYPES) if x.start == m.end()), None)


_SIZE_SUFFIX = re.compile(r"[\s-]*\d+(?:\.\d+)?[BMK]", re.I)


def find_own_model(mentions: Sequence[ExtractedEntity], proposed: Sequence[str]) -> str | None:
    """The released checkpoint of a proposed name, which "our model" means: "UL2 20B" for "UL2"."""
    for m in mentions:
        if m.type == EntityType.MODEL and any(
                m.text.startswith(p) and _SIZE_SUFFIX.fullmatch(m.text[len(p):]) for p in proposed):
            return m.text
    return None
