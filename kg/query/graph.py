"""The named queries on a whole networkx graph: the reference implementation.

Each function takes the graph and resolved node ids and returns the rows that
the matching ``cypher/<name>.cypher`` returns on Neo4j and ``kg.query.sqlite``
returns from a store: same keys, same order. Orderings put ``None`` last, as
Cypher's ``ORDER BY`` does, and break every tie by id so that all backends
agree row for row. The code says what a query means in the plainest way, over
a graph held in memory (small graphs and tests); the store's backend answers
the same from its indexes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import networkx as nx

from kg.models import (
    ClaimKind,
    EdgeType,
    NodeLabel,
    lower_is_better,
    ranks_on_leaderboard,
)
from kg.query.registry import (
    NEIGHBORS_LIMIT,
    PAPER_EDGES,
    PATH_MAX_HOPS,
    QUERIES,
    USING_EDGES,
    QuerySpec,
    Row,
    leaderboard_group,
)
from kg.query.resolve import candidates_from_graph, resolve_name

# Plain strings: graph keys and attributes are JSON values, not enum members.
ABOUT, ON, IN_METRIC = EdgeType.ABOUT.value, EdgeType.ON.value, EdgeType.IN_METRIC.value
EVALUATED_ON = EdgeType.EVALUATED_ON.value
PAPER, CLAIM, SCORE = NodeLabel.PAPER.value, NodeLabel.CLAIM.value, ClaimKind.SCORE.value


def _nulls_last(value: Any) -> tuple[bool, Any]:
    return (value is None, "" if value is None else value)


def _name(G: nx.MultiDiGraph, node: str) -> str | None:
    attrs = G.nodes[node]
    return attrs.get("name") if attrs.get("name") is not None else attrs.get("title")


def _targets(G: nx.MultiDiGraph, node: str, edge_type: str) -> list[str]:
    return sorted(v for _, v, k in G.out_edges(node, keys=True) if k == edge_type)


def _sources(G: nx.MultiDiGraph, node: str, edge_type: str, label: str | None = None) -> list[str]:
    return sorted(
        u
        for u, _, k in G.in_edges(node, keys=True)
        if k == edge_type and (label is None or G.nodes[u]["label"] == label)
    )


def _linked_name(G: nx.MultiDiGraph, claim: str, edge_type: str, fallback: str) -> str | None:
    """The name of the entity a claim links to by ``edge_type``, else the claim's own text field."""
    targets = _targets(G, claim, edge_type)
    return _name(G, targets[0]) if targets else G.nodes[claim].get(fallback)


def papers_using(G: nx.MultiDiGraph, id: str) -> list[Row]:
    """Papers with EVALUATES_ON, USES_DATASET or PROPOSES to the dataset ``id``."""
    rows = [
        {"id": p, "title": G.nodes[p].get("title"), "role": k.lower(), "evidence": d.get("evidence")}
        for p, _, k, d in G.in_edges(id, keys=True, data=True)
        if k in USING_EDGES and G.nodes[p]["label"] == PAPER
    ]
    return sorted(rows, key=lambda r: (r["id"], r["role"]))


def _claim_subject_pairs(G: nx.MultiDiGraph, subject: str | None = None, dataset: str | None = None):
    """(claim, subject, dataset) for claims ABOUT ``subject`` and ON ``dataset`` (either may be free)."""
    claims = _sources(G, subject, ABOUT) if subject else _sources(G, dataset, ON)
    for c in claims:
        for s in [subject] if subject else _targets(G, c, ABOUT):
            for d in [dataset] if dataset else _targets(G, c, ON):
                if G.has_edge(c, s, ABOUT) and G.has_edge(c, d, ON):
                    yield c, s, d


def _evaluations(G: nx.MultiDiGraph, subject: str | None, dataset: str | None) -> dict[tuple[str, str], set[str]]:
    """Paper ids per (subject, dataset) from EVALUATED_ON edges and from claims ABOUT/ON them."""
    found: dict[tuple[str, str], set[str]] = {}
    edges = G.out_edges(subject, keys=True, data=True) if subject else G.in_edges(dataset, keys=True, data=True)
    for s, d, k, attrs in edges:
        if k == EVALUATED_ON:
            found.setdefault((s, d), set()).update(attrs.get("paper_ids") or [])
    for c, s, d in _claim_subject_pairs(G, subject, dataset):
        found.setdefault((s, d), set()).add(G.nodes[c]["paper_id"])
    return found


def _best_score(G: nx.MultiDiGraph, subject: str, dataset: str) -> tuple[int, dict[str, Any] | None]:
    claims = sorted({c for c, _, _ in _claim_subject_pairs(G, subject, dataset)})
    scores = [c for c in claims if G.nodes[c].get("kind") == SCORE]
    if not scores:
        return len(claims), None
    best = min(scores, key=lambda c: (-G.nodes[c]["value"], c))
    return len(claims), {
        "value": G.nodes[best]["value"],
        "unit": G.nodes[best].get("unit"),
        "metric": _linked_name(G, best, IN_METRIC, "metric"),
    }


def benchmarks_of(G: nx.MultiDiGraph, id: str) -> list[Row]:
    """Datasets the method or model ``id`` was evaluated on, its papers and best score there."""
    rows = []
    for (_, d), papers in _evaluations(G, id, None).items():
        n_claims, best = _best_score(G, id, d)
        best = best or {}
        rows.append(
            {
                "dataset_id": d,
                "dataset": _name(G, d),
                "papers": sorted(papers),
                "claims": n_claims,
                "best_value": best.get("value"),
                "best_unit": best.get("unit"),
                "best_metric": best.get("metric"),
            }
        )
    return sorted(rows, key=lambda r: (-len(r["papers"]), r["dataset_id"]))


def methods_on(G: nx.MultiDiGraph, id: str) -> list[Row]:
    """Methods and models evaluated on the dataset ``id``, with their papers."""
    rows = [
        {"id": s, "label": G.nodes[s]["label"], "name": _name(G, s), "papers": sorted(papers)}
        for (s, _), papers in _evaluations(G, None, id).items()
    ]
    return sorted(rows, key=lambda r: (-len(r["papers"]), r["id"]))


def _row(G: nx.MultiDiGraph, node: str, **extra: Any) -> Row:
    return {"id": node, "label": G.nodes[node]["label"], "name": _name(G, node), **extra}


def _evaluated_partners(G: nx.MultiDiGraph, id: str) -> list[str]:
    """Entities ``id`` is EVALUATED_ON with (either way), most papers first, at most ``NEIGHBORS_LIMIT``."""
    edges = [
        *((x, d) for _, x, k, d in G.out_edges(id, keys=True, data=True) if k == EVALUATED_ON),
        *((x, d) for x, _, k, d in G.in_edges(id, keys=True, data=True) if k == EVALUATED_ON),
    ]
    ranked = sorted(edges, key=lambda e: (-len(e[1].get("paper_ids") or []), e[0]))
    return [x for x, _ in ranked[:NEIGHBORS_LIMIT]]


def neighbors(G: nx.MultiDiGraph, id: str) -> list[Row]:
    """Papers of an entity, entities it is EVALUATED_ON with, entities sharing a paper with it.

    Only the ``NEIGHBORS_LIMIT`` papers with the largest ids and as many
    EVALUATED_ON partners (most papers first) are taken, so a common entity
    gives a bounded answer.
    """
    found: set[tuple[str, str, str]] = set()
    papers = sorted({u for u, _, k in G.in_edges(id, keys=True) if G.nodes[u]["label"] == PAPER}, reverse=True)
    for p in papers[:NEIGHBORS_LIMIT]:
        found.update((p, k, "") for u, _, k in G.in_edges(id, keys=True) if u == p)
        found.update((x, k, p) for _, x, k in G.out_edges(p, keys=True) if k in PAPER_EDGES and x != id)
    found.update((x, EVALUATED_ON, "") for x in _evaluated_partners(G, id))
    rows = [_row(G, node, relation=relation, via=via) for node, relation, via in found]
    return sorted(rows, key=lambda r: (r["via"], r["label"], r["id"], r["relation"]))


def _paper_graph(G: nx.MultiDiGraph) -> nx.Graph:
    """The undirected paper-entity graph; each edge keeps the set of relation types."""
    H = nx.Graph()
    H.add_nodes_from(G.nodes)
    for u, v, k in G.edges(keys=True):
        if k in PAPER_EDGES:
            if H.has_edge(u, v):
                H.edges[u, v]["types"].add(k)
            else:
                H.add_edge(u, v, types={k})
    return H


def path(G: nx.MultiDiGraph, a: str, b: str) -> list[Row]:
    """The shortest path between entities ``a`` and ``b`` through papers, at most ``PATH_MAX_HOPS`` edges.

    Among several shortest paths the one whose node ids are smallest in order is
    taken, and between two nodes the smallest relation type, as the Cypher does.
    """
    H = _paper_graph(G)
    try:
        nodes = min(nx.all_shortest_paths(H, a, b))
    except nx.NetworkXNoPath:
        return []
    if len(nodes) - 1 > PATH_MAX_HOPS:
        return []
    rows = []
    for step, node in enumerate(nodes):
        relation = min(H.edges[nodes[step - 1], node]["types"]) if step else None
        rows.append({"step": step, **_row(G, node), "relation": relation})
    return rows


def _claim_row(G: nx.MultiDiGraph, c: str) -> Row:
    attrs = G.nodes[c]
    paper = attrs["paper_id"]
    return {
        "paper_id": paper,
        "title": G.nodes[paper].get("title") if paper in G else None,
        "year": G.nodes[paper].get("year") if paper in G else None,
        "subject": _linked_name(G, c, ABOUT, "subject") or attrs.get("subject_phrase"),
        "dataset": _linked_name(G, c, ON, "dataset"),
        "metric": _linked_name(G, c, IN_METRIC, "metric"),
        "value": attrs["value"],
        "baseline": attrs.get("baseline"),
        "unit": attrs.get("unit"),
        "kind": attrs.get("kind"),
        "quantity": attrs.get("quantity"),
        "direction": attrs.get("direction"),
        "base_model": attrs.get("base_model"),
        "is_baseline": bool(attrs.get("is_baseline")),
        "evidence": attrs.get("text"),
    }


def claims(G: nx.MultiDiGraph, id: str) -> list[Row]:
    """Claims ABOUT a method or model, ON a dataset or IN_METRIC a metric ``id``."""
    linked = {
        u
        for u, _, k in G.in_edges(id, keys=True)
        if k in (ABOUT, ON, IN_METRIC) and G.nodes[u]["label"] == CLAIM
    }
    ordered = sorted(linked, key=lambda c: (G.nodes[c]["paper_id"], c))
    return [{k: row[k] for k in QUERIES["claims"].columns} for row in (_claim_row(G, c) for c in ordered)]


def leaderboard(G: nx.MultiDiGraph, id: str, metric: str | None = None) -> list[Row]:
    """Score claims ON the dataset ``id``, ranked within each (unit, metric) group, best first."""
    entries = []
    for c in _sources(G, id, ON, CLAIM):
        attrs = G.nodes[c]
        if not ranks_on_leaderboard(attrs.get("kind"), attrs.get("quantity"), bool(attrs.get("is_baseline"))):
            continue
        if metric and not G.has_edge(c, metric, IN_METRIC):
            continue
        row = _claim_row(G, c)
        entries.append((c, row))
    entries.sort(
        key=lambda e: (
            _nulls_last(e[1]["unit"]),
            _nulls_last(e[1]["metric"]),
            e[1]["value"] if lower_is_better(e[1]["metric"]) else -e[1]["value"],
            _nulls_last(e[1]["subject"]),
            e[1]["paper_id"],
            e[0],
        )
    )
    rows: list[Row] = []
    for _, r in entries:
        same_group = rows and (rows[-1]["unit"], rows[-1]["metric"]) == (r["unit"], r["metric"])
        rank = rows[-1]["rank"] + 1 if same_group else 1
        rows.append({"rank": rank, "group": leaderboard_group(r["metric"], r["unit"]),
                     **{k: r[k] for k in QUERIES["leaderboard"].columns[2:]}})
    return rows


QUERY_FUNCTIONS: dict[str, Callable[..., list[Row]]] = {
    "papers-using": papers_using,
    "benchmarks-of": benchmarks_of,
    "methods-on": methods_on,
    "neighbors": neighbors,
    "path": path,
    "claims": claims,
    "leaderboard": leaderboard,
}


class GraphBackend:
    """Named queries on a whole networkx graph (``kg.graph.build_graph``): the reference for tests.

    Example:
        >>> rows = GraphBackend(build_graph(data)).run(get_query("claims"), {"id": "method:grpo"})  # doctest: +SKIP
    """

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph

    def resolve(self, name: str, labels: tuple[str, ...]) -> str:
        """The id of ``name`` among all the graph's entities with one of ``labels``."""
        return resolve_name(candidates_from_graph(self.graph, labels), name, labels)

    def run(self, spec: QuerySpec, params: dict[str, Any], limit: int | None = None) -> list[Row]:
        return QUERY_FUNCTIONS[spec.name](self.graph, **params)[:limit]
