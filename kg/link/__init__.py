"""Linking: per-paper extractions -> entities with stable ids, typed edges, claims.

Public API:
    link(extractions, papers=None, *, alias_table=None) -> GraphData
    link_with_stats(extractions, papers=None, *, alias_table=None) -> (GraphData, LinkStats)
    link_paper(extraction, paper=None, *, table, inverse) -> PaperLink   (kg.link.paper)

The id and naming rules are documented in ``kg.link.paper``. The names are
imported on first use, so reading a store does not load the alias tables.
"""

from typing import Any

_LAZY = {
    "link": "kg.link.linker",
    "link_with_stats": "kg.link.linker",
    "DroppedRole": "kg.link.stats",
    "LinkStats": "kg.link.stats",
}

__all__ = ["DroppedRole", "LinkStats", "link", "link_with_stats"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'kg.link' has no attribute {name!r}")
