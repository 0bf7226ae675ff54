"""``kg_resolve``: from candidate spans to the paper's entities.

Every rule and statistical component adds candidates with structured
provenance (kg/nlp/extensions.py). This one component

1. keeps one span where candidates overlap, with a registered, swappable
   *overlap policy* (like the ``spans_filter`` of spaCy's ``span_ruler``):
   ``"overlap_policy": {"@misc": "kg.longest_then_priority.v1"}`` by default;
   the policy ranks candidates with priorities keyed by the FACTORY of the
   component that proposed them (so renaming a component changes nothing);
2. gives one type per name in the paper (the type its strongest mentions give);
3. assigns entity groups (an abbreviation pair shares one, equal normalized
   names of one type share one) and writes the entities to ``doc.spans["kg"]``,
   with flags that ``kg_roles`` reads: whether a curated list knows the name,
   whether the paper introduces it, whether it owns it even if known (title head,
   "we introduce X, a dataset of ...").

Example:
    >>> import spacy
    >>> from kg.nlp.extensions import Provenance, add_candidate
    >>> nlp = spacy.blank("en")
    >>> res = nlp.add_pipe("kg_resolve")
    >>> doc = nlp.make_doc("We evaluate on MATH 500 today.")
    >>> _ = add_candidate(doc, 3, 4, "Dataset", Provenance("kg_gazetteer", "MATH", 0.95, known=True))
    >>> _ = add_candidate(doc, 3, 5, "Dataset", Provenance("kg_gazetteer", "MATH 500", 0.95, known=True))
    >>> [(s.text, s._.kg_group) for s in res(doc).spans["kg"]]
    [('MATH 500', 0)]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import registry

from kg.errors import KGError
from kg.models import EntityType, normalize_name
from kg.nlp.extensions import (
    SPAN_KEY,
    Provenance,
    add_provenance,
    candidates,
    provenance_rows,
    register_extensions,
    set_group,
    span_group,
)
from kg.nlp.sentences import span_text

FACTORY = "kg_resolve"
# Rules of kg_patterns whose introduced name is the paper's own even when a curated list knows it:
# the name before a title's colon, and "we introduce X, a dataset/benchmark of ...".
TITLE_RULE = "title_colon"
OWNING_RULES = frozenset({TITLE_RULE, "introduced_dataset"})

# Factories whose components add candidates, with their default priority: on equal length, an
# abbreviation pair beats a gazetteer entry, which beats a contextual pattern, which beats kg_ner.
DEFAULT_PRIORITIES: dict[str, int] = {"kg_abbreviations": 4, "kg_gazetteer": 3, "kg_patterns": 1, "kg_ner": 0}
INTRODUCED_BONUS = 2  # a name the paper introduces ranks as a gazetteer entry does

Rank = tuple[int, float]
RankFn = Callable[[Span], Rank]
OverlapPolicy = Callable[[list[Span], RankFn], list[Span]]


def _rank_rows(rows: Iterable[list], priorities: dict[str, int], default: int) -> Rank:
    """(priority, confidence) of the strongest record: the factory's priority, raised for a name
    the paper introduces, then the rule's confidence."""
    best: Rank = (-1, 0.0)
    for row in rows:  # [factory, rule, confidence, introduces, known, pair]
        rank = (priorities.get(row[0], default) + (INTRODUCED_BONUS if row[3] else 0), row[2])
        best = max(best, rank)
    return best


@registry.misc("kg.longest_then_priority.v1")
def make_longest_then_priority() -> OverlapPolicy:
    """The default overlap policy: longest span first, then the higher rank, then the earliest.

    ``Qwen3-4B-Base`` beats ``Qwen3``; on equal length an abbreviation pair beats a
    gazetteer hit, which beats a pattern, which beats ``kg_ner``.
    """
    return longest_then_priority


@registry.misc("kg.priority_then_longest.v1")
def make_priority_then_longest() -> OverlapPolicy:
    """An alternative policy: the higher rank first, then the longer span (a curated name is never
    swallowed by a longer pattern match)."""
    return priority_then_longest


def _greedy(spans: list[Span], key: Callable[[int, Span], tuple]) -> list[Span]:
    ordered = sorted(((key(i, s), s) for i, s in enumerate(spans)), key=lambda pair: pair[0])
    taken: set[int] = set()
    kept: list[Span] = []
    for _, span in ordered:
        tokens = range(span.start, span.end)
        if any(t in taken for t in tokens):
            continue
        taken.update(tokens)
        kept.append(span)
    return sorted(kept, key=lambda s: s.start)


def longest_then_priority(spans: list[Span], rank: RankFn) -> list[Span]:
    """Non-overlapping spans: longest first, then higher rank, then earliest."""
    return _greedy(spans, lambda i, s: (-(s.end_char - s.start_char), tuple(-x for x in rank(s)), s.start, i))


def priority_then_longest(spans: list[Span], rank: RankFn) -> list[Span]:
    """Non-overlapping spans: higher rank first, then longest, then earliest."""
    return _greedy(spans, lambda i, s: (tuple(-x for x in rank(s)), -(s.end_char - s.start_char), s.start, i))


@dataclass
class Group:
    """The mentions of one entity in a paper, in document order."""

    id: int
    type: EntityType
    spans: list[Span] = field(default_factory=list)


def _relabel(span: Span, label: str) -> Span:
    out = Span(span.doc, span.start, span.end, label=label)
    for row in provenance_rows(span.doc, span.start_char, span.end_char, span.label_):
        add_provenance(out, Provenance(*row))
    return out


def unify_types(spans: list[Span], rank: RankFn) -> list[Span]:
    """One type per name in a paper: the type its strongest mentions give it.

    Each mention votes for its label with weight ``1 + 10 * priority`` (ties: the summed
    confidence); "FLD" typed Method by one rule and Dataset by another becomes one entity.
    """
    votes: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0]))
    names = [normalize_name(span_text(s)) for s in spans]
    for span, name in zip(spans, names):
        priority, confidence = rank(span)
        ballot = votes[name][span.label_]
        ballot[0] += 1 + 10 * priority
        ballot[1] += confidence
    out = []
    for span, name in zip(spans, names):
        ballot = votes[name]
        if len(ballot) > 1:
            best = max(sorted(ballot), key=lambda label: tuple(ballot[label]))
            if best != span.label_:
                span = _relabel(span, best)
        out.append(span)
    return out


def _pair(span: Span) -> int | None:
    for row in provenance_rows(span.doc, span.start_char, span.end_char, span.label_):
        if row[5] is not None:
            return row[5]
    return None


def assign_groups(spans: list[Span], names: list[str] | None = None) -> list[Group]:
    """Groups of one entity: abbreviation pairs and equal normalized names of one type.

    ``names`` are the spans' normalized names when the caller has them.
    """
    by_key: dict[tuple[str, str], int] = {}
    groups: dict[int, Group] = {}
    pair_of: dict[int, int] = {}
    if names is None:
        names = [normalize_name(span_text(s)) for s in spans]
    for span, name in zip(spans, names, strict=True):
        key = (span.label_, name)
        pair = _pair(span)
        gid = by_key.get(key)
        if gid is None and pair is not None:
            gid = pair_of.get(pair)
        if gid is None:
            gid = len(groups)
            groups[gid] = Group(gid, EntityType(span.label_))
        by_key.setdefault(key, gid)
        if pair is not None:
            pair_of.setdefault(pair, gid)
        groups[gid].spans.append(span)
    return list(groups.values())


@dataclass(frozen=True, slots=True)
class EntityFlags:
    """What kg_roles needs to know of a resolved mention, from every candidate of the doc.

    Attributes:
        known: a curated list knows the name (any candidate with this normalized name was known),
            even when another rule's span won the overlap.
        introduces: a candidate over exactly this mention says the paper introduces the name.
        owned: the paper presents the name as its own in a way that holds even for a known name
            (a title's head "PretrainZero: ...", "we introduce X, a dataset of ...").
    """

    known: bool = False
    introduces: bool = False
    owned: bool = False


_FLAGS = "kg_entity_flags"


def entity_flags(span: Span) -> EntityFlags:
    """The flags ``kg_resolve`` gave a resolved mention (all false for other spans)."""
    row = span.doc.user_data.get((_FLAGS, span.start_char, span.end_char))
    return EntityFlags(*row) if row else EntityFlags()


def _set_flags(span: Span, flags: EntityFlags) -> None:
    span.doc.user_data[(_FLAGS, span.start_char, span.end_char)] = [flags.known, flags.introduces, flags.owned]


def resolved_groups(doc: Doc) -> list[Group]:
    """The entity groups of a resolved doc, from ``doc.spans["kg"]`` (in order of first mention).

    Raises:
        KGError: the doc was not resolved (no ``kg_resolve`` ran before the caller).
    """
    if SPAN_KEY not in doc.spans:
        raise KGError(f"doc has no resolved entities (doc.spans[{SPAN_KEY!r}]): add {FACTORY!r} to the pipeline "
                      f"after the components that propose candidates")
    groups: dict[int, Group] = {}
    for span in doc.spans[SPAN_KEY]:
        gid = span_group(span)
        if gid is None:
            continue
        group = groups.get(gid)
        if group is None:
            group = groups[gid] = Group(gid, EntityType(span.label_))
        group.spans.append(span)
    return [groups[k] for k in sorted(groups)]


class Resolver:
    """spaCy component: resolves ``doc.spans["kg_candidates"]`` into ``doc.spans["kg"]``."""

    def __init__(self, name: str = FACTORY, *, overlap_policy: OverlapPolicy = longest_then_priority,
                 priorities: dict[str, int] | None = None, default_priority: int = 1) -> None:
        self.name = name
        self.overlap_policy = overlap_policy
        self.priorities = dict(DEFAULT_PRIORITIES if priorities is None else priorities)
        self.default_priority = default_priority

    def initialize(self, get_examples: Callable | None = None, *, nlp: Language | None = None) -> None:
        """Refuse a pipeline where a component that proposes candidates runs after this one."""
        if nlp is None:
            return
        names = list(nlp.pipe_names)
        if self.name not in names:
            return
        after = names[names.index(self.name) + 1 :]
        late = [n for n in after if nlp.get_pipe_meta(n).factory in self.priorities]
        if late:
            raise KGError(f"{self.name}: components {late} propose candidates but run after it; "
                          f"add them before {self.name!r}")

    def rank(self, span: Span) -> Rank:
        rows = provenance_rows(span.doc, span.start_char, span.end_char, span.label_)
        return _rank_rows(rows, self.priorities, self.default_priority)

    def __call__(self, doc: Doc) -> Doc:
        spans = _distinct(candidates(doc))
        known, owned = set(), set()
        ranks: dict[tuple[int, int, str], Rank] = {}
        for span in spans:
            key = (span.start_char, span.end_char, span.label_)
            rows = provenance_rows(doc, *key)
            ranks[key] = _rank_rows(rows, self.priorities, self.default_priority)
            if any(row[4] for row in rows):
                known.add(normalize_name(span_text(span)))
            if any(row[3] and row[1] in OWNING_RULES for row in rows):
                owned.add(normalize_name(span_text(span)))

        def rank(span: Span) -> Rank:
            key = (span.start_char, span.end_char, span.label_)
            found = ranks.get(key)
            return found if found is not None else self.rank(span)

        resolved = unify_types(self.overlap_policy(spans, rank), rank)
        names = [normalize_name(span_text(s)) for s in resolved]
        for group in assign_groups(resolved, names):
            for span in group.spans:
                set_group(span, group.id)
        for span, name in zip(resolved, names, strict=True):
            rows = provenance_rows(doc, span.start_char, span.end_char, span.label_)
            flags = EntityFlags(known=name in known, owned=name in owned, introduces=any(row[3] for row in rows))
            _set_flags(span, flags)
        doc.spans[SPAN_KEY] = resolved
        return doc


def _distinct(spans: list[Span]) -> list[Span]:
    """One candidate per (offsets, label): their provenance records are already shared."""
    seen: set[tuple[int, int, str]] = set()
    out = []
    for span in spans:
        key = (span.start, span.end, span.label_)
        if key not in seen:
            seen.add(key)
            out.append(span)
    return out


def require_resolver(nlp: Language | None, name: str) -> None:
    """Raise at ``initialize`` when ``name`` (a reader of resolved entities) has no ``kg_resolve`` before it.

    Raises:
        KGError: no component made by the ``kg_resolve`` factory runs before ``name``.
    """
    if nlp is None or name not in nlp.pipe_names:
        return
    before = nlp.pipe_names[: nlp.pipe_names.index(name)]
    if not any(nlp.get_pipe_meta(n).factory == FACTORY for n in before):
        raise KGError(f"{name}: needs resolved entities; add {FACTORY!r} to the pipeline before it "
                      f"(nlp.add_pipe({FACTORY!r}, before={name!r}))")


@Language.factory(
    FACTORY,
    assigns=["doc.spans"],
    default_config={"overlap_policy": {"@misc": "kg.longest_then_priority.v1"}, "priorities": DEFAULT_PRIORITIES,
                    "default_priority": 1},
)
def make_resolver(nlp: Language, name: str, *, overlap_policy: OverlapPolicy, priorities: dict[str, int],
                  default_priority: int) -> Resolver:
    """Factory of ``kg_resolve`` (entry point ``kg.nlp.resolve:make_resolver``)."""
    register_extensions()
    return Resolver(name, overlap_policy=overlap_policy, priorities=priorities, default_priority=default_priority)
