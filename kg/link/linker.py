"""The linker: per-paper extractions in, one typed graph (``GraphData``) out.

Each paper is linked alone (``kg.link.paper``): its entity groups get ids
that depend on the group and the alias table only, its roles and claims become
schema-checked edges (``kg.link.edges``). Merging papers is then a union of
their mentions and edges, so the same set of extractions always gives the same
graph whatever their order, whether linked at once or added to a store one by one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from kg import resources
from kg.errors import InputError
from kg.link.entities import invert_alias_table
from kg.link.paper import PaperLink, link_paper, merge_edges, merge_entities
from kg.link.stats import LinkStats
from kg.models import Extraction, GraphData, Paper


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


def _stats(data: GraphData, links: list[PaperLink]) -> LinkStats:
    papers_of: dict[str, set[str]] = {}
    for pl in links:
        for m in pl.mentions:
            papers_of.setdefault(m.entity_id, set()).add(pl.paper.id)
    return LinkStats(
        papers=len(data.papers),
        entities_by_type=dict(sorted(Counter(e.type.value for e in data.entities).items())),
        edges_by_type=dict(sorted(Counter(e.type.value for e in data.edges).items())),
        claims=len(data.claims),
        aliases=sum(len(e.aliases) for e in data.entities),
        cross_paper_entities=sum(len(p) > 1 for p in papers_of.values()),
        ambiguous_acronyms=[],
        dropped_roles=sorted(
            (d for pl in links for d in pl.dropped), key=lambda d: (d.paper_id, d.group, d.role.value)
        ),
        unresolved_claim_refs=sum(pl.unresolved for pl in links),
    )


def link_with_stats(
    extractions: Iterable[Extraction],
    papers: Iterable[Paper] | None = None,
    *,
    alias_table: Mapping | None = None,
) -> tuple[GraphData, LinkStats]:
    """Link extractions into a graph and report what was merged and dropped.

    Each paper is linked alone (``kg.link.paper.link_paper``): an entity's id
    depends on its group and the alias table only, so linking a set of papers
    at once gives the graph that adding them one by one to a store gives.

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
    inverse = invert_alias_table(table)
    records = {p.id: p for p in _papers(exs, papers)}
    links = [link_paper(ex, records.get(ex.id), table=table, inverse=inverse) for ex in exs]
    data = GraphData(
        papers=[records[k] for k in sorted(records)],
        entities=merge_entities(m for pl in links for m in pl.mentions),
        claims=sorted((c for pl in links for c in pl.claims), key=lambda c: c.id),
        edges=merge_edges(e for pl in links for e in pl.edges),
    )
    return data, _stats(data, links)


def link(
    extractions: Iterable[Extraction],
    papers: Iterable[Paper] | None = None,
    *,
    alias_table: Mapping | None = None,
) -> GraphData:
    """Link extractions into a graph (see ``link_with_stats``)."""
    return link_with_stats(extractions, papers, alias_table=alias_table)[0]
