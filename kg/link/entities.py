"""Entity groups of one paper: forms split into full and short, and the alias-table canonical.

A *local entity* is one entity group of one paper (one type). ``kg.link.paper``
turns each into a stable entity id; this module decides which of its forms are
short (acronyms and truncations beside a long form, ``kg.link.names``) and
which alias-table canonical names it, trusting a short form only when safe
(``_resolve_canonical``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kg.link.names import (
    at_metric_name,
    forms_agree,
    is_acronym,
    short_forms,
    variant_key,
)
from kg.models import EntityType, Extraction, normalize_name

AliasTable = Mapping[tuple[EntityType, str], str]
Key = tuple[EntityType, str]
# (paper id, synthetic?, group, type): synthetic entities come from claim
# references that resolve through the alias table.
LocalKey = tuple[str, bool, int, EntityType]



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
        if form not in short:
            found = _lookup(type_, form, table)
            if found is not None:
                return found
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


def _lookup(type_: EntityType, form: str, table: AliasTable) -> str | None:
    """The canonical of a long form: by its key, else by its variant key (a plural, "training"
    for "learning"), else for an ``X@k`` metric the spelling of a known one of its family."""
    for key in dict.fromkeys((normalize_name(form), variant_key(type_, form))):
        if (type_, key) in table:
            return table[(type_, key)]
    if type_ is EntityType.METRIC and "@" in form:
        prefix = form.partition("@")[0]
        for probe in ("1", "k"):
            name = at_metric_name(form, table.get((type_, normalize_name(f"{prefix}@{probe}"))))
            if name is not None:
                return name
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
