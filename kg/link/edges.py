"""Edges of the graph: paper roles, derived EVALUATED_ON, claims and their references.

Every edge is a ``kg.models.Edge``, so its (from, type, to) triple is checked
by the schema when it is made. Edges from a paper carry ``paper_ids=[paper
id]`` so that a store can replace the edges of one paper when it is re-loaded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from kg.link.entities import Key, LocalEntity, LocalKey
from kg.link.stats import DroppedRole
from kg.models import (
    ROLE_EDGE,
    ROLE_TARGETS,
    Claim,
    Edge,
    EdgeType,
    EntityType,
    Extraction,
    ExtractedClaim,
    ExtractedRole,
    NodeLabel,
    Role,
    normalize_name,
)

EVALUATED_ON_EXTRACTOR = "link.evaluated_on"
CLAIM_REF_EXTRACTOR = "link.claim"

_SUBJECT_TYPES = (EntityType.METHOD, EntityType.MODEL)
# Claim field -> (edge type, entity types it may point at, in lookup order).
CLAIM_REFS: dict[str, tuple[EdgeType, tuple[EntityType, ...]]] = {
    "subject": (EdgeType.ABOUT, _SUBJECT_TYPES),
    "dataset": (EdgeType.ON, (EntityType.DATASET,)),
    "metric": (EdgeType.IN_METRIC, (EntityType.METRIC,)),
    "compared_to": (EdgeType.COMPARED_TO, _SUBJECT_TYPES),
}


@dataclass
class PaperIndex:
    """The entities of one paper: its groups and its names mapped to node ids."""

    paper_id: str
    groups: dict[int, list[LocalEntity]] = field(default_factory=dict)
    by_key: dict[Key, str] = field(default_factory=dict)


# ------------------------------------------------------------ roles


def _role_target(role: ExtractedRole, index: PaperIndex) -> tuple[LocalEntity | None, str]:
    """The entity a role names (by group, else by its text) and why none, if none."""
    candidates = index.groups.get(role.group, [])
    if not candidates and role.text:
        key = normalize_name(role.text)
        candidates = [
            le for les in index.groups.values() for le in les if key in {normalize_name(f) for f in le.forms}
        ]
    if not candidates:
        return None, "no entity group with this number or text"
    fitting = [le for le in candidates if le.type in ROLE_TARGETS[role.role]]
    if not fitting:
        return None, f"type {candidates[0].type.value} is not a target of {role.role.value}"
    return fitting[0], ""


def role_edges(
    extraction: Extraction, index: PaperIndex, node_of: Mapping[LocalKey, str], dropped: list[DroppedRole]
) -> list[tuple[Role, Edge]]:
    """Paper -[ROLE_EDGE[role]]-> entity for each role; unusable roles go to ``dropped``."""
    out = []
    for role in extraction.roles:
        target, reason = _role_target(role, index)
        if target is None:
            dropped.append(
                DroppedRole(paper_id=extraction.id, role=role.role, group=role.group, reason=reason)
            )
            continue
        edge = Edge(
            type=ROLE_EDGE[role.role],
            source=extraction.id,
            target=node_of[target.key],
            source_label=NodeLabel.PAPER,
            target_label=NodeLabel(target.type.value),
            evidence=role.evidence,
            start=role.start,
            end=role.end,
            field=role.field,
            extractor=role.extractor,
            confidence=role.confidence,
            paper_ids=[extraction.id],
        )
        out.append((role.role, edge))
    return out


# ------------------------------------------------------------ claims


def claim_references(claim: ExtractedClaim) -> list[tuple[str, EdgeType, tuple[EntityType, ...]]]:
    """The (surface form, edge type, target types) a claim refers to."""
    out = []
    for name, (edge_type, types) in CLAIM_REFS.items():
        form = getattr(claim, name)
        if form and normalize_name(form):
            out.append((form, edge_type, types))
    return out


def _resolve_reference(
    form: str, types: Sequence[EntityType], index: PaperIndex, by_key: Mapping[Key, set[str]]
) -> str | None:
    """A node id for a claim's surface form: the paper's own entity, else a unique global one."""
    key = normalize_name(form)
    for type_ in types:
        if (type_, key) in index.by_key:
            return index.by_key[(type_, key)]
    found = set().union(*(by_key.get((t, key), set()) for t in types))
    return found.pop() if len(found) == 1 else None


def claim_nodes(
    extraction: Extraction, index: PaperIndex, by_key: Mapping[Key, set[str]], labels: Mapping[str, NodeLabel]
) -> tuple[list[Claim], list[Edge], int]:
    """Claim nodes of one paper with REPORTS and reference edges; also the unresolved count."""
    claims, edges, unresolved = [], [], 0
    for i, ext in enumerate(extraction.claims):
        claim = Claim(
            id=f"claim:{extraction.id}:{i}",
            paper_id=extraction.id,
            value=ext.value,
            unit=ext.unit,
            kind=ext.kind,
            text=ext.evidence,
            subject=ext.subject,
            dataset=ext.dataset,
            metric=ext.metric,
            compared_to=ext.compared_to,
            quantity=ext.quantity,
            direction=ext.direction,
            baseline=ext.baseline,
            is_baseline=ext.is_baseline,
            base_model=ext.base_model,
            subject_phrase=ext.subject_phrase,
            start=ext.start,
            end=ext.end,
            field=ext.field,
        )
        claims.append(claim)
        provenance = dict(evidence=ext.evidence, start=ext.start, end=ext.end, field=ext.field)
        edges.append(
            Edge(
                type=EdgeType.REPORTS,
                source=extraction.id,
                target=claim.id,
                source_label=NodeLabel.PAPER,
                target_label=NodeLabel.CLAIM,
                extractor=ext.extractor,
                paper_ids=[extraction.id],
                **provenance,
            )
        )
        for form, edge_type, types in claim_references(ext):
            target = _resolve_reference(form, types, index, by_key)
            if target is None:
                unresolved += 1
                continue
            edges.append(
                Edge(
                    type=edge_type,
                    source=claim.id,
                    target=target,
                    source_label=NodeLabel.CLAIM,
                    target_label=labels[target],
                    extractor=CLAIM_REF_EXTRACTOR,
                    paper_ids=[extraction.id],
                    **provenance,
                )
            )
    return claims, edges, unresolved
