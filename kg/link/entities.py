"""Entity resolution: per-paper entity groups merged into corpus-wide nodes.

A *local entity* is one entity group of one paper (one type). Local entities
merge across papers through a union-find over ``(type, normalize_name(form))``
keys, in two passes:

1. **Full keys.** Every form that is not a short form of its group, plus the
   alias-table canonical name, is a full key; local entities sharing a full
   key merge (transitively).
2. **Short keys.** Acronyms and truncations that sit beside a long form in
   their group ("GRPO" beside "Group Relative Policy Optimization", "Qwen"
   beside "Qwen-2.5-3B") are short keys. For each short key the components
   that carry it are sorted into classes whose long forms agree
   (``forms_agree``); components of one class merge. Components where the
   short form stands alone (no long form in that paper) merge with the
   class only when it is the single class, or *dominant* (used by at least
   twice as many papers as all other classes together). Otherwise the
   acronym is *ambiguous*: the bare uses keep it as their own node, and the
   other classes are named by their long forms. A bare truncation ("Llama"
   alone) names the family, not the checkpoint, so it never joins a class.

Types never merge. Decisions of pass 2 are taken on the components of pass
1 and then applied, so the result is a function of the set of inputs only.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from kg.link.names import alias_list, forms_agree, is_acronym, pick_name, short_forms
from kg.models import Entity, EntityType, Extraction, entity_id, normalize_name

AliasTable = Mapping[tuple[EntityType, str], str]
Key = tuple[EntityType, str]
# (paper id, synthetic?, group, type): synthetic entities come from claim
# references that resolve through the alias table.
LocalKey = tuple[str, bool, int, EntityType]

_DOMINANCE = 2


@dataclass(frozen=True)
class LocalEntity:
    """One entity group of one paper, with its forms split into full and short."""

    paper_id: str
    group: int
    type: EntityType
    forms: tuple[str, ...]
    mentions: tuple[int, ...]
    short: frozenset[str]
    canonical: str | None = None
    synthetic: bool = False

    @property
    def key(self) -> LocalKey:
        return (self.paper_id, self.synthetic, self.group, self.type)

    @property
    def long_forms(self) -> tuple[str, ...]:
        return tuple(f for f in self.forms if f not in self.short)

    def full_keys(self) -> set[Key]:
        keys = {(self.type, normalize_name(f)) for f in self.long_forms}
        if self.canonical is not None:
            keys.add((self.type, normalize_name(self.canonical)))
        return {k for k in keys if k[1]}

    def short_keys(self) -> set[Key]:
        return {(self.type, normalize_name(f)) for f in self.short} - {(self.type, "")}


@dataclass
class Resolution:
    """The outcome of entity resolution: nodes and how local entities map to them."""

    entities: list[Entity]
    node_of: dict[LocalKey, str]
    by_key: dict[Key, set[str]] = field(default_factory=dict)
    ambiguous: list[str] = field(default_factory=list)
    cross_paper: int = 0


# ------------------------------------------------------------ alias table


def invert_alias_table(table: AliasTable) -> dict[Key, list[str]]:
    """Inverse alias table: (type, canonical) -> the alias keys that map to it."""
    inverse: dict[Key, list[str]] = defaultdict(list)
    for (type_, alias_key), canonical in table.items():
        inverse[(type_, canonical)].append(alias_key)
    return inverse


def _resolve_canonical(
    type_: EntityType,
    forms: Sequence[str],
    short: frozenset[str],
    table: AliasTable,
    inverse: Mapping[Key, list[str]],
) -> str | None:
    """The alias-table canonical of a group, trusting a short form only when safe.

    A long form that resolves wins. An acronym that resolves is accepted
    unless the table knows a long alias for that canonical and none of the
    group's long forms agrees with it ("TL" -> "transfer learning" is refused
    for a group that spells TL out as "task language"). A truncation never
    names its group: "Llama" must not turn "Llama-3.2-3B" into the family.
    """
    for form in forms:
        if form not in short and (type_, normalize_name(form)) in table:
            return table[(type_, normalize_name(form))]
    longs = [f for f in forms if f not in short]
    for form in forms:
        skey = normalize_name(form)
        canonical = table.get((type_, skey))
        if form not in short or canonical is None or not is_acronym(form):
            continue
        known = [k for k in inverse.get((type_, canonical), []) if len(k) > len(skey) + 2]
        if not longs or not known or any(forms_agree(lf, k) for lf in longs for k in known):
            return canonical
    return None


# ------------------------------------------------------------ local entities


def local_entities(
    extraction: Extraction, table: AliasTable, inverse: Mapping[Key, list[str]]
) -> list[LocalEntity]:
    """The entity groups of one paper, split by type, in order of first mention."""
    forms: dict[tuple[int, EntityType], Counter[str]] = {}
    for ent in extraction.entities:
        forms.setdefault((ent.group, ent.type), Counter())[ent.text] += 1
    out = []
    for (group, type_), counts in forms.items():
        names = tuple(counts)
        short = short_forms(names)
        out.append(
            LocalEntity(
                paper_id=extraction.id,
                group=group,
                type=type_,
                forms=names,
                mentions=tuple(counts[n] for n in names),
                short=short,
                canonical=_resolve_canonical(type_, names, short, table, inverse),
            )
        )
    return out


def synthetic_entity(paper_id: str, index: int, type_: EntityType, form: str, canonical: str) -> LocalEntity:
    """A local entity for a claim reference that only the alias table knows."""
    return LocalEntity(
        paper_id=paper_id,
        group=index,
        type=type_,
        forms=(form,),
        mentions=(1,),
        short=frozenset(),
        canonical=canonical,
        synthetic=True,
    )


# ------------------------------------------------------------ union-find


class _UnionFind:
    """Disjoint sets over hashable items, with path halving."""

    def __init__(self, items: Iterable[LocalKey]) -> None:
        self.parent: dict[LocalKey, LocalKey] = {item: item for item in items}

    def find(self, item: LocalKey) -> LocalKey:
        parent = self.parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: LocalKey, b: LocalKey) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb, key=repr)] = min(ra, rb, key=repr)

    def components(self) -> dict[LocalKey, list[LocalKey]]:
        comps: dict[LocalKey, list[LocalKey]] = defaultdict(list)
        for item in self.parent:
            comps[self.find(item)].append(item)
        return comps


def _agreement_classes(roots: Sequence[LocalKey], longs: Mapping[LocalKey, set[str]]) -> list[list[LocalKey]]:
    """Components carrying one short key, grouped where some long forms agree."""
    uf = _UnionFind(roots)
    for i, a in enumerate(roots):
        for b in roots[i + 1 :]:
            if any(forms_agree(x, y) for x in longs[a] for y in longs[b]):
                uf.union(a, b)
    return sorted((sorted(c, key=repr) for c in uf.components().values()), key=repr)


def _class_papers(cls: Sequence[LocalKey], carriers: Mapping[LocalKey, set[str]]) -> int:
    return len(set().union(*(carriers[root] for root in cls)))


def _short_key_decisions(
    locals_: Sequence[LocalEntity], uf: _UnionFind, full: Mapping[Key, list[LocalKey]]
) -> tuple[list[list[LocalKey]], dict[Key, set[LocalKey]]]:
    """Pass 2: which components merge on short keys; which short keys are ambiguous.

    Returns the groups of roots to merge and, for each ambiguous key, the
    roots of the non-dominant classes (named by their long forms later).
    """
    longs: dict[Key, dict[LocalKey, set[str]]] = defaultdict(lambda: defaultdict(set))
    carriers: dict[Key, dict[LocalKey, set[str]]] = defaultdict(lambda: defaultdict(set))
    acronym_keys: set[Key] = set()
    for le in locals_:
        root = uf.find(le.key)
        acronym_keys.update((le.type, normalize_name(f)) for f in le.short if is_acronym(f))
        for key in le.short_keys():
            longs[key][root].update(le.long_forms)
            carriers[key][root].add(le.paper_id)
    merges: list[list[LocalKey]] = []
    ambiguous: dict[Key, set[LocalKey]] = {}
    for key in sorted(longs):
        classes = _agreement_classes(sorted(longs[key], key=repr), longs[key])
        merges.extend(classes)
        bare_keys = full.get(key, []) if key in acronym_keys else []
        bare = sorted({uf.find(k) for k in bare_keys} - set(longs[key]), key=repr)
        sizes = [_class_papers(c, carriers[key]) for c in classes]
        best = max(range(len(classes)), key=lambda i: (sizes[i], -i))
        if len(classes) == 1 or sizes[best] >= _DOMINANCE * (sum(sizes) - sizes[best]):
            merges.append(classes[best] + bare)
            others = [r for i, c in enumerate(classes) if i != best for r in c]
        else:
            others = [r for c in classes for r in c]
        if others:
            ambiguous[key] = set(others)
    return merges, ambiguous


# ------------------------------------------------------------ naming


@dataclass
class _Component:
    """The local entities of one node, with the statistics that pick its name."""

    type: EntityType
    members: list[LocalEntity]

    def form_stats(self) -> tuple[dict[str, int], dict[str, int]]:
        papers: dict[str, set[str]] = defaultdict(set)
        mentions: Counter[str] = Counter()
        for le in self.members:
            for form, count in zip(le.forms, le.mentions, strict=True):
                papers[form].add(le.paper_id)
                mentions[form] += count
        return {f: len(p) for f, p in papers.items()}, dict(mentions)

    def canonical_stats(self) -> tuple[dict[str, int], dict[str, int]]:
        papers: dict[str, set[str]] = defaultdict(set)
        for le in self.members:
            if le.canonical is not None:
                papers[le.canonical].add(le.paper_id)
        return {c: len(p) for c, p in papers.items()}, {}


def _name_component(
    comp: _Component, ambiguous: Mapping[Key, set[LocalKey]], root_of: Mapping[LocalKey, LocalKey]
) -> str:
    """Alias-table canonical, else an unambiguous acronym, else the best full form."""
    cpapers, cmentions = comp.canonical_stats()
    if cpapers:
        return pick_name(cpapers, cpapers, cmentions)
    papers, mentions = comp.form_stats()
    acronyms = set()
    for le in comp.members:
        for form in le.short:
            key = (comp.type, normalize_name(form))
            carriers = {root_of[m.key] for m in comp.members if key in m.short_keys()}
            if is_acronym(form) and not carriers <= ambiguous.get(key, set()):
                acronyms.add(form)
    if acronyms:
        return pick_name(acronyms, papers, mentions)
    all_short = set().union(*(le.short for le in comp.members))
    full = [f for f in papers if f not in all_short]
    return pick_name(full or papers, papers, mentions)


def _assign_ids(named: Sequence[tuple[_Component, str]]) -> list[str]:
    """Ids from ``entity_id``; a rare slug collision gets a hash suffix, order-free."""
    ids = [entity_id(comp.type, name) for comp, name in named]
    by_id: dict[str, list[int]] = defaultdict(list)
    for i, ident in enumerate(ids):
        by_id[ident].append(i)
    for ident, idx in by_id.items():
        if len(idx) < 2:
            continue
        sig = {
            i: (named[i][1], tuple(sorted({f for le in named[i][0].members for f in le.forms}))) for i in idx
        }
        ordered = sorted(idx, key=lambda i: (normalize_name(sig[i][0]), sig[i]))
        for i in ordered[1:]:
            digest = hashlib.sha1(repr(sig[i]).encode("utf-8")).hexdigest()[:8]
            ids[i] = f"{ident}-{digest}"
    return ids


# ------------------------------------------------------------ resolution


def resolve_entities(locals_: Sequence[LocalEntity]) -> Resolution:
    """Merge local entities into nodes (see the module docstring for the rules).

    Example:
        >>> a = LocalEntity("p1", 0, EntityType.DATASET, ("GSM-8K",), (1,), frozenset())
        >>> b = LocalEntity("p2", 0, EntityType.DATASET, ("GSM8K",), (1,), frozenset())
        >>> [e.id for e in resolve_entities([a, b]).entities]
        ['dataset:gsm8k']
    """
    uf = _UnionFind(le.key for le in locals_)
    full: dict[Key, list[LocalKey]] = defaultdict(list)
    for le in locals_:
        for key in le.full_keys():
            full[key].append(le.key)
    for members in full.values():
        for other in members[1:]:
            uf.union(members[0], other)
    root_of = {le.key: uf.find(le.key) for le in locals_}
    merges, ambiguous = _short_key_decisions(locals_, uf, full)
    for group in merges:
        for other in group[1:]:
            uf.union(group[0], other)
    by_local = {le.key: le for le in locals_}
    comps = [
        _Component(by_local[keys[0]].type, [by_local[k] for k in keys]) for keys in uf.components().values()
    ]
    named = [(comp, _name_component(comp, ambiguous, root_of)) for comp in comps]
    ids = _assign_ids(named)
    return _resolution(named, ids, ambiguous)


def _resolution(
    named: Sequence[tuple[_Component, str]], ids: Sequence[str], ambiguous: Mapping[Key, set]
) -> Resolution:
    """Entities sorted by id, the local-to-node map and the global name index."""
    entities, node_of, by_key, cross = [], {}, defaultdict(set), 0
    for (comp, name), ident in zip(named, ids, strict=True):
        papers, mentions = comp.form_stats()
        aliases = alias_list(name, papers, papers, mentions)
        entities.append(Entity(id=ident, type=comp.type, name=name, aliases=aliases))
        cross += len({le.paper_id for le in comp.members}) > 1
        for le in comp.members:
            node_of[le.key] = ident
            for form in (*le.forms, name):
                by_key[(comp.type, normalize_name(form))].add(ident)
    entities.sort(key=lambda e: e.id)
    labels = sorted(f"{t.value}:{k}" for t, k in ambiguous)
    return Resolution(
        entities=entities, node_of=node_of, by_key=dict(by_key), ambiguous=labels, cross_paper=cross
    )
