"""Linking: per-paper extractions -> entities with canonical names and stable ids, typed edges, claims.

Public API:
    link(extractions, papers=None, *, alias_table=None) -> GraphData
    link_with_stats(extractions, papers=None, *, alias_table=None) -> (GraphData, LinkStats)

The merge rules are documented in ``kg.link.entities``.
"""

from kg.link.linker import link, link_with_stats
from kg.link.stats import DroppedRole, LinkStats

__all__ = ["DroppedRole", "LinkStats", "link", "link_with_stats"]
