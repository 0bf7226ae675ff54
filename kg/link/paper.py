"""Linking one paper at a time: stable entity ids from each group alone.

A store that grows paper by paper (``kg add``) must give an entity the same id
whatever other papers it holds and in whatever order they came. So the id of
an entity group is a function of that group and of the static alias table
only (``group_key``):

1. a group the alias table resolves takes its canonical name:
   ``dataset:gsm8k``, ``model:qwen3-4b-base`` (a slug of the canonical);
2. else a group with an acronym of three or more characters beside its long
   form is keyed by the acronym ("GRPO" of "Group Relative Policy
   Optimization"), because papers that only cite a method mostly write the
   acronym; two-letter acronyms ("TL": transfer learning, triplet loss) name
   too many things, so such a group is keyed by its expansion;
3. else the group's most mentioned long form (first mentioned on a tie).

Outside the alias table the id is ``type:variant_key(form)`` (kg.link.names), so
spellings that differ only in case, hyphens or spaces ("Zorp-Bench", "ZorpBench"),
and for methods, metrics and tasks in a plural ("win rates") are one node. Groups of different papers with one id are one node; its display name is
chosen from every form seen (``entity_from_forms``) and may change as papers
are added, its id never does.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from kg.link.edges import (
    EVALUATED_ON_EXTRACTOR,
    PaperIndex,
    claim_nodes,
    claim_references,
    role_edges,
)
from kg.link.entities import (
    AliasTable,
    Key,
    LocalEntity,
    local_entities,
    synthetic_entity,
)
from kg.link.names import alias_list, is_acronym, pick_name, variant_key
from kg.link.stats import DroppedRole
from kg.models import (
    Claim,
    Edge,
    EdgeType,
    Entity,
    EntityType,
    Extraction,
    NodeLabel,
    Paper,
    Role,
    entity_id,
    normalize_name,
)

# Acronyms shorter than this (in key characters) do not key a group that spells them out.
_MIN_KEY_ACRONYM = 3


@dataclass(frozen=True)
class Mention:
    """One surface form of an entity in one paper, with how often the paper uses it."""

    entity_id: str
    type: EntityType
    form: str
    count: int
    canonical: str | None = None


@dataclass
class PaperLink:
    """Everything one paper adds to the graph; a function of the paper alone."""

    paper: Paper
    extraction: Extraction
    mentions: list[Mention] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    dropped: list[DroppedRole] = field(default_factory=list)
    unresolved: int = 0


def _ranked(forms: Sequence[str], counts: Sequence[int]) -> str:
    """The most mentioned form, the first mentioned on a tie."""
    best = max(range(len(forms)), key=lambda i: (counts[i], -i))
    return forms[best]


def key_form(le: LocalEntity) -> str:
    """The form a group is keyed by when the alias table does not know it (rules 2 and 3)."""
    counts = dict(zip(le.forms, le.mentions, strict=True))
    acronyms = [f for f in le.forms if f in le.short and is_acronym(f) and len(normalize_name(f)) >= _MIN_KEY_ACRONYM]
    pool = acronyms or list(le.long_forms) or list(le.forms)
    return _ranked(pool, [counts[f] for f in pool])


def id_for(type_: EntityType, canonical: str | None, form: str) -> str:
    """The stable id of an entity keyed by an alias-table ``canonical`` or by a ``form``.

    Example:
        >>> id_for(EntityType.DATASET, None, "Zorp-Bench") == id_for(EntityType.DATASET, None, "ZorpBench")
        True
    """
    if canonical is not None:
        return entity_id(type_, canonical)
    key = variant_key(type_, form)
    if not key:
        key = "x" + hashlib.sha1(form.encode("utf-8")).hexdigest()[:12]
    return f"{EntityType(type_).value.lower()}:{key}"


def group_key(le: LocalEntity) -> str:
    """The stable entity id of a local entity (see the module docstring)."""
    return id_for(le.type, le.canonical, le.canonical or key_form(le))


def entity_from_forms(
    ident: str, type_: EntityType, canonical: str | None, forms: Mapping[str, tuple[int, int]]
) -> Entity:
    """The node of an entity from every form seen: ``form -> (papers, mentions)``.

    The name is the canonical when the alias table gave one, else the best-ranked
    form whose key is the id's (so ``method:grpo`` is named "GRPO", never its
    expansion); every other form is an alias.
    """
    papers = {f: p for f, (p, _) in forms.items()}
    mentions = {f: m for f, (_, m) in forms.items()}
    if canonical is not None:
        name = canonical
    else:
        key = ident.partition(":")[2]
        matching = [f for f in forms if variant_key(type_, f) == key]
        name = pick_name(matching or list(forms), papers, mentions)
    return Entity(id=ident, type=type_, name=name, aliases=alias_list(name, forms, papers, mentions))


# ------------------------------------------------------------ one paper


def _claim_entities(extraction: Extraction, own: list[LocalEntity], table: AliasTable) -> list[LocalEntity]:
    """Entities for claim references the paper lacks but the alias table knows."""
    known = {(le.type, normalize_name(f)) for le in own for f in le.forms}
    out: list[LocalEntity] = []
    for claim in extraction.claims:
        for form, _edge, types in claim_references(claim):
            key = normalize_name(form)
            if any((t, key) in known for t in types):
                continue
            for type_ in types:
                if (type_, key) in table:
                    out.append(synthetic_entity(extraction.id, len(out), type_, form, table[(type_, key)]))
                    known.add((type_, key))
                    break
    return out


def _mentions(locals_: Sequence[LocalEntity], node_of: Mapping) -> list[Mention]:
    """One mention per (entity, form) of the paper, counts summed over its groups."""
    counts: Counter[tuple[str, str]] = Counter()
    info: dict[str, tuple[EntityType, str | None]] = {}
    for le in locals_:
        ident = node_of[le.key]
        info[ident] = (le.type, le.canonical)
        for form, n in zip(le.forms, le.mentions, strict=True):
            counts[(ident, form)] += n
    return [
        Mention(ident, info[ident][0], form, n, info[ident][1])
        for (ident, form), n in sorted(counts.items())
    ]


def _evaluated_on(paper_id: str, roles: Sequence[tuple[Role, Edge]]) -> list[Edge]:
    """EVALUATED_ON edges this paper supports: its subjects on its evaluation datasets.

    Subjects are what the paper proposes (methods and models); a paper that
    proposes none contributes the models it uses. The evidence is the paper's
    evaluates_on sentence.
    """
    subject_labels = {NodeLabel.METHOD, NodeLabel.MODEL}
    proposed = [e for r, e in roles if r is Role.PROPOSES and e.target_label in subject_labels]
    subjects = proposed or [e for r, e in roles if r is Role.USES_MODEL]
    targets: dict[str, Edge] = {}
    for role, edge in roles:
        if role is Role.EVALUATES_ON:
            targets.setdefault(edge.target, edge)
    out: dict[tuple[str, str], Edge] = {}
    for subject in subjects:
        for target, ev in targets.items():
            out.setdefault(
                (subject.target, target),
                Edge(
                    type=EdgeType.EVALUATED_ON,
                    source=subject.target,
                    target=target,
                    source_label=subject.target_label,
                    target_label=NodeLabel.DATASET,
                    evidence=ev.evidence,
                    start=ev.start,
                    end=ev.end,
                    field=ev.field,
                    extractor=EVALUATED_ON_EXTRACTOR,
                    confidence=ev.confidence,
                    paper_ids=[paper_id],
                ),
            )
    return list(out.values())


def _paper_record(extraction: Extraction, paper: Paper | None) -> Paper:
    if paper is not None:
        return paper
    return Paper(
        id=extraction.id,
        title=extraction.title,
        abstract=extraction.abstract,
        source=extraction.source,
        url=extraction.url,
        year=extraction.year,
    )


def link_paper(
    extraction: Extraction,
    paper: Paper | None = None,
    *,
    table: AliasTable,
    inverse: Mapping[Key, list[str]],
) -> PaperLink:
    """Link one paper: its entities' stable ids, its role, claim and EVALUATED_ON edges.

    Args:
        extraction: the paper's extraction.
        paper: the full paper record (authors, categories, date); built from
            the extraction when omitted.
        table: the alias table (``kg.resources.alias_table()``).
        inverse: ``kg.link.entities.invert_alias_table(table)``.
    """
    own = local_entities(extraction, table, inverse)
    locals_ = own + _claim_entities(extraction, own, table)
    node_of = {le.key: group_key(le) for le in locals_}
    labels = {node_of[le.key]: NodeLabel(le.type.value) for le in locals_}
    index = PaperIndex(extraction.id)
    for le in locals_:
        if not le.synthetic:
            index.groups.setdefault(le.group, []).append(le)
        for form in le.forms:
            index.by_key.setdefault((le.type, normalize_name(form)), node_of[le.key])
    link = PaperLink(paper=_paper_record(extraction, paper), extraction=extraction)
    roles = role_edges(extraction, index, node_of, link.dropped)
    seen: set[tuple[str, str, str]] = set()
    claims, claim_edges, link.unresolved = claim_nodes(extraction, index, {}, labels)
    for edge in [*(e for _, e in roles), *_evaluated_on(extraction.id, roles), *claim_edges]:
        if edge.key not in seen:
            seen.add(edge.key)
            link.edges.append(edge)
    link.claims = claims
    link.mentions = _mentions(locals_, node_of)
    return link


# ------------------------------------------------------------ merging papers


def merge_entities(mentions: Iterable[Mention]) -> list[Entity]:
    """Entity nodes, sorted by id, from the mentions of any set of papers.

    A form's paper count is the number of mentions rows carrying it (one per
    paper and form), so the result depends only on the set of papers.
    """
    forms: dict[str, dict[str, list[int]]] = defaultdict(dict)
    info: dict[str, tuple[EntityType, str | None]] = {}
    for m in mentions:
        info.setdefault(m.entity_id, (m.type, m.canonical))
        stats = forms[m.entity_id].setdefault(m.form, [0, 0])
        stats[0] += 1
        stats[1] += m.count
    return [
        entity_from_forms(ident, info[ident][0], info[ident][1], {f: (p, n) for f, (p, n) in forms[ident].items()})
        for ident in sorted(forms)
    ]


def merge_edges(edges: Iterable[Edge]) -> list[Edge]:
    """One edge per (source, type, target), sorted; paper ids merged, evidence of the smallest paper id.

    Paper edges are per paper already; EVALUATED_ON edges of several papers
    become one edge carrying all their paper ids.
    """
    by_key: dict[tuple[str, str, str], list[Edge]] = defaultdict(list)
    for edge in edges:
        by_key[edge.key].append(edge)
    out = []
    for _key, group in by_key.items():
        if len(group) == 1:
            out.append(group[0])
            continue
        first = min(group, key=lambda e: e.paper_ids[0] if e.paper_ids else "")
        paper_ids = sorted({p for e in group for p in e.paper_ids})
        out.append(first.model_copy(update={"paper_ids": paper_ids}))
    return sorted(out, key=lambda e: (e.type.value, e.source, e.target))
