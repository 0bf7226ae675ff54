"""Entity name resolution: what a user types ("gsm8k", "GSM-8K") to a node id.

Users write names as papers do, with any case and hyphenation, or use an alias
("Group Relative Policy Optimization" for GRPO). Resolution tries, in order: the
id itself, the exact name, an exact alias, then ``normalize_name`` of names and
aliases. A miss raises ``QueryError`` with the closest names, so a typo costs one
more try instead of a search. The same pure function serves both backends: the
embedded one hands it the graph's entities, the Neo4j one the rows of one small
query over names and aliases.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import networkx as nx

from kg.errors import QueryError
from kg.models import NodeLabel, normalize_name


@dataclass(frozen=True)
class Candidate:
    """An entity as resolution sees it."""

    id: str
    label: str
    name: str
    aliases: tuple[str, ...] = ()


def candidates_from_graph(G: nx.MultiDiGraph, labels: Iterable[NodeLabel | str]) -> list[Candidate]:
    """The entities of the embedded graph with one of ``labels``."""
    wanted = {str(label) for label in labels}
    return [
        Candidate(n, attrs["label"], attrs.get("name") or attrs.get("title") or n, tuple(attrs.get("aliases") or ()))
        for n, attrs in G.nodes(data=True)
        if attrs.get("label") in wanted
    ]


def kind_word(labels: Sequence[NodeLabel | str]) -> str:
    """How an error names what was looked for: "dataset", "method or model", "entity"."""
    if len(labels) > 2:
        return "entity"
    return " or ".join(str(label).lower() for label in labels)


def _best(matches: list[Candidate], labels: Sequence[str]) -> str:
    order = {label: i for i, label in enumerate(labels)}
    return min(matches, key=lambda c: (order.get(c.label, len(order)), c.id)).id


def _suggestions(candidates: list[Candidate], key: str, limit: int = 5) -> list[str]:
    """Canonical names whose name or alias is close to ``key`` (normalized)."""
    by_key: dict[str, str] = {}
    for c in sorted(candidates, key=lambda c: c.id):
        for form in (c.name, *c.aliases):
            by_key.setdefault(normalize_name(form), c.name)
    close = difflib.get_close_matches(key, list(by_key), n=limit, cutoff=0.6) if key else []
    contains = sorted(k for k in by_key if key and len(key) >= 2 and (key in k or k in key))
    names = [by_key[k] for k in [*close, *contains]]
    return list(dict.fromkeys(names))[:limit]


def resolve_name(candidates: Iterable[Candidate], name: str, labels: Sequence[NodeLabel | str]) -> str:
    """Resolve ``name`` to the id of one of ``candidates`` whose label is in ``labels``.

    Ties at one step go to the earlier label in ``labels``, then to the smaller id.

    Raises:
        QueryError: nothing matches; the message suggests close names.

    Example:
        >>> resolve_name([Candidate("dataset:gsm8k", "Dataset", "GSM8K")], "gsm-8k", ["Dataset"])
        'dataset:gsm8k'
    """
    wanted = [str(label) for label in labels]
    pool = [c for c in candidates if c.label in wanted]
    key = normalize_name(name)
    steps = (
        lambda c: c.id == name,
        lambda c: c.name == name,
        lambda c: name in c.aliases,
        lambda c: bool(key) and (normalize_name(c.name) == key or any(normalize_name(a) == key for a in c.aliases)),
    )
    for matches_step in steps:
        matches = [c for c in pool if matches_step(c)]
        if matches:
            return _best(matches, wanted)
    message = f"no {kind_word(wanted)} named {name!r}"
    suggestions = _suggestions(pool, key)
    if suggestions:
        message += f"; did you mean: {', '.join(suggestions)}?"
    raise QueryError(message)


def resolve(G: nx.MultiDiGraph, name: str, types: Sequence[NodeLabel | str]) -> str:
    """Resolve a user's entity name to a node id of the embedded graph.

    Example:
        >>> resolve(G, "GSM-8K", [NodeLabel.DATASET])  # doctest: +SKIP
        'dataset:gsm8k'
    """
    return resolve_name(candidates_from_graph(G, types), name, types)
