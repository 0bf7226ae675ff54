"""Entity name resolution: what a user types ("gsm8k", "GSM-8K") to a node id.

Users write names as papers do, with any case and hyphenation, or use an alias
("Group Relative Policy Optimization" for GRPO). Resolution tries, in order: the
id itself, the exact name, an exact alias, then ``normalize_name`` of names and
aliases; ties at one step go to the earlier label, then to the smaller id. A
miss raises ``QueryError`` with the closest names, so a typo costs one more try
instead of a search.

These pure functions are the semantics; each backend only fetches the few
entities they need from its indexes (``kg.query.sqlite``, ``kg.query.neo4j``):

- ``pick`` needs every entity whose id or name is the typed name or one of
  whose normalized spellings is its key: one index look-up each;
- ``suggest`` needs the spellings that share the key's first
  ``SUGGESTION_PREFIX`` characters, at most ``SUGGESTION_POOL`` on each side of
  the key in sort order (``nearest``): one index range each. A typo in the
  first two characters therefore gets no suggestion, on every backend alike.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kg.errors import QueryError
from kg.models import NodeLabel, normalize_name

if TYPE_CHECKING:
    import networkx as nx

SUGGESTION_PREFIX = 2  # characters a suggested spelling shares with the typed key
SUGGESTION_POOL = 1000  # spellings considered on each side of the key, in sort order
SUGGESTIONS = 5

# (normalized spelling, entity id, entity name): one row of the suggestion pool.
Spelling = tuple[str, str, str]


@dataclass(frozen=True)
class Candidate:
    """An entity as resolution sees it."""

    id: str
    label: str
    name: str
    aliases: tuple[str, ...] = ()


def kind_word(labels: Sequence[NodeLabel | str]) -> str:
    """How an error names what was looked for: "dataset", "method or model", "entity"."""
    if len(labels) > 2:
        return "entity"
    return " or ".join(str(label).lower() for label in labels)


def pick(candidates: Iterable[Candidate], name: str, labels: Sequence[NodeLabel | str]) -> str | None:
    """The id ``name`` resolves to among ``candidates`` with one of ``labels``, else ``None``.

    ``candidates`` may be any superset of the entities that match a step (the
    whole graph, or what a backend's indexes return for ``name``).

    Example:
        >>> pick([Candidate("dataset:gsm8k", "Dataset", "GSM8K")], "gsm-8k", ["Dataset"])
        'dataset:gsm8k'
    """
    wanted = [str(label) for label in labels]
    order = {label: i for i, label in enumerate(wanted)}
    pool = [c for c in candidates if c.label in order]
    key = normalize_name(name)
    steps = (
        lambda c: c.id == name,
        lambda c: c.name == name,
        lambda c: name in c.aliases,
        lambda c: bool(key) and any(normalize_name(f) == key for f in (c.name, *c.aliases)),
    )
    for matches_step in steps:
        matches = [c for c in pool if matches_step(c)]
        if matches:
            return min(matches, key=lambda c: (order[c.label], c.id)).id
    return None


def spellings(candidates: Iterable[Candidate]) -> list[Spelling]:
    """Every normalized name and alias of ``candidates``, as suggestion pool rows."""
    rows = {
        (key, c.id, c.name)
        for c in candidates
        for key in (normalize_name(f) for f in (c.name, *c.aliases))
        if key
    }
    return sorted(rows)


def prefix_of(key: str) -> str:
    """The characters a suggested spelling must share with ``key``."""
    return key[:SUGGESTION_PREFIX]


def nearest(rows: Iterable[Spelling], key: str, cap: int = SUGGESTION_POOL) -> list[Spelling]:
    """The suggestion pool: rows sharing ``prefix_of(key)``, ``cap`` on each side of ``key`` in sort order.

    Example:
        >>> nearest([("gsm8k", "d:1", "GSM8K"), ("math", "d:2", "MATH")], "gsm")
        [('gsm8k', 'd:1', 'GSM8K')]
    """
    prefix = prefix_of(key)
    pool = sorted({r for r in rows if r[0].startswith(prefix)})
    below = [r for r in pool if r[0] < key]
    above = [r for r in pool if r[0] >= key]
    return below[len(below) - min(cap, len(below)) :] + above[:cap]


def suggest(rows: Iterable[Spelling], key: str, limit: int = SUGGESTIONS) -> list[str]:
    """Names whose spelling is close to ``key`` (difflib) or contains it, or is contained in it.

    Args:
        rows: spellings of the candidate entities; only ``nearest(rows, key)`` are used.
        key: the normalized name that matched nothing.
        limit: at most this many names.
    """
    if not key:
        return []
    by_key: dict[str, str] = {}
    for spelling, _id, name in nearest(rows, key):
        by_key.setdefault(spelling, name)
    close = difflib.get_close_matches(key, list(by_key), n=limit, cutoff=0.6)
    contains = sorted(k for k in by_key if len(key) >= 2 and (key in k or k in key))
    return list(dict.fromkeys(by_key[k] for k in [*close, *contains]))[:limit]


def not_found(name: str, labels: Sequence[NodeLabel | str], suggestions: Sequence[str]) -> QueryError:
    """The error for a name that resolves to nothing: one line, with suggestions when there are some."""
    message = f"no {kind_word(labels)} named {name!r}"
    if suggestions:
        message += f"; did you mean: {', '.join(suggestions)}?"
    return QueryError(message)


def resolve_name(candidates: Iterable[Candidate], name: str, labels: Sequence[NodeLabel | str]) -> str:
    """Resolve ``name`` to the id of one of ``candidates`` whose label is in ``labels``.

    Raises:
        QueryError: nothing matches; the message suggests close names.

    Example:
        >>> resolve_name([Candidate("dataset:gsm8k", "Dataset", "GSM8K")], "gsm-8k", ["Dataset"])
        'dataset:gsm8k'
    """
    wanted = {str(label) for label in labels}
    pool = [c for c in candidates if c.label in wanted]
    found = pick(pool, name, labels)
    if found is None:
        raise not_found(name, labels, suggest(spellings(pool), normalize_name(name)))
    return found


def candidates_from_graph(G: nx.MultiDiGraph, labels: Iterable[NodeLabel | str]) -> list[Candidate]:
    """The entities of a networkx graph with one of ``labels``."""
    wanted = {str(label) for label in labels}
    return [
        Candidate(n, attrs["label"], attrs.get("name") or attrs.get("title") or n, tuple(attrs.get("aliases") or ()))
        for n, attrs in G.nodes(data=True)
        if attrs.get("label") in wanted
    ]


def resolve(G: nx.MultiDiGraph, name: str, types: Sequence[NodeLabel | str]) -> str:
    """Resolve a user's entity name to a node id of a networkx graph.

    Example:
        >>> resolve(G, "GSM-8K", [NodeLabel.DATASET])  # doctest: +SKIP
        'dataset:gsm8k'
    """
    return resolve_name(candidates_from_graph(G, types), name, types)
