"""The linker: per-paper extractions in, one typed graph (``GraphData``) out.

It resolves entity groups into corpus-wide nodes (``kg.link.entities``),
turns roles and claims into schema-checked edges (``kg.link.edges``) and
sorts everything, so that the same set of extractions always gives the same
graph whatever their order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from kg import resources
from kg.errors import InputError
from kg.link.edges import EdgeSet, EvaluatedOn, claim_nodes, claim_references, paper_index, role_edges
from kg.link.entities import (
    AliasTable,
    LocalEntity,
    Resolution,
    invert_alias_table,
    local_entities,
    resolve_entities,
    synthetic_entity,
)
from kg.link.stats import DroppedRole, LinkStats
from kg.models import Extraction, GraphData, NodeLabel, Paper, normalize_name


def _unique_extractions(extractions: Iterable[Extraction]) -> list[Extraction]:
    """The extractions as a list; two with one paper id would give clashing claim ids."""
    seen: set[str] = set()
    out = []
    for ex in extractions:
        if ex.id in seen:
            raise InputError(f"two extractions for paper id {ex.id!r}; deduplicate the papers before linking")
        seen.add(ex.id)
        out.append(ex)
    return out


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


def _local_entities_by_paper(exs: list[Extraction], table: AliasTable) -> dict[str, list[LocalEntity]]:
    """Each paper's entity groups plus the entities its claims need from the alias table."""
    inverse = invert_alias_table(table)
    per_paper = {}
    for ex in exs:
        own = local_entities(ex, table, inverse)
        per_paper[ex.id] = own + _claim_entities(ex, own, table)
    return per_paper


def _papers(extractions: list[Extraction], papers: Iterable[Paper] | None) -> list[Paper]:
    """Given papers (full metadata) plus any extracted paper they lack, sorted by id."""
    by_id: dict[str, Paper] = {}
    for paper in papers or ():
        by_id.setdefault(paper.id, paper)
    for ex in extractions:
        if ex.id not in by_id:
            by_id[ex.id] = Paper(
                id=ex.id, title=ex.title, abstract=ex.abstract, source=ex.source, url=ex.url, year=ex.year
            )
    return [by_id[k] for k in sorted(by_id)]


def _stats(data: GraphData, res: Resolution, dropped: list[DroppedRole], unresolved: int) -> LinkStats:
    return LinkStats(
        papers=len(data.papers),
        entities_by_type=dict(sorted(Counter(e.type.value for e in data.entities).items())),
        edges_by_type=dict(sorted(Counter(e.type.value for e in data.edges).items())),
        claims=len(data.claims),
        aliases=sum(len(e.aliases) for e in data.entities),
        cross_paper_entities=res.cross_paper,
        ambiguous_acronyms=res.ambiguous,
        dropped_roles=sorted(dropped, key=lambda d: (d.paper_id, d.group, d.role.value)),
        unresolved_claim_refs=unresolved,
    )


def link_with_stats(
    extractions: Iterable[Extraction],
    papers: Iterable[Paper] | None = None,
    *,
    alias_table: Mapping | None = None,
) -> tuple[GraphData, LinkStats]:
    """Link extractions into a graph and report what was merged and dropped.

    Args:
        extractions: one ``Extraction`` per paper (ids must be unique).
        papers: full paper records (authors, categories); papers missing here
            are built from their extraction.
        alias_table: ``(EntityType, normalize_name(alias)) -> canonical``;
            defaults to ``kg.resources.alias_table()``. Tests inject their own.

    Raises:
        InputError: two extractions share a paper id.
        SchemaError: an edge breaks the schema (a bug; the linker only makes allowed ones).

    Example:
        >>> data, stats = link_with_stats([], alias_table={})
        >>> stats.papers
        0
    """
    exs = _unique_extractions(extractions)
    table = resources.alias_table() if alias_table is None else alias_table
    per_paper = _local_entities_by_paper(exs, table)
    res = resolve_entities([le for les in per_paper.values() for le in les])
    labels = {e.id: NodeLabel(e.type.value) for e in res.entities}
    edges, derived, dropped, claims, unresolved = EdgeSet(), EvaluatedOn(), [], [], 0
    for ex in exs:
        index = paper_index(ex.id, per_paper[ex.id], res.node_of)
        roles = role_edges(ex, index, res.node_of, dropped)
        for _role, edge in roles:
            edges.add(edge)
        derived.add_paper(ex.id, roles)
        paper_claims, claim_edges, missing = claim_nodes(ex, index, res.by_key, labels)
        claims.extend(paper_claims)
        unresolved += missing
        for edge in claim_edges:
            edges.add(edge)
    for edge in derived.edges():
        edges.add(edge)
    data = GraphData(
        papers=_papers(exs, papers),
        entities=res.entities,
        claims=sorted(claims, key=lambda c: c.id),
        edges=edges.sorted(),
    )
    return data, _stats(data, res, dropped, unresolved)


def link(
    extractions: Iterable[Extraction],
    papers: Iterable[Paper] | None = None,
    *,
    alias_table: Mapping | None = None,
) -> GraphData:
    """Link extractions into a graph (see ``link_with_stats``)."""
    return link_with_stats(extractions, papers, alias_table=alias_table)[0]
