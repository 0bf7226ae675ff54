"""The named queries answered from an embedded store's SQLite indexes.

Every query starts from the resolved entity and follows the indexes of
``kg.store.embedded``: ``edges (target, type)`` to what points at a node,
``edges (source, type, target, paper_id)`` to what a node points at, the
primary keys of ``entities``, ``papers`` and ``claims`` for names and
attributes. Nothing reads a whole table, so a query costs what its answer
holds, not what the store holds. Rows are those of the reference
implementation (``kg.query.graph``) on the store's graph: same keys, values
and order; sorting happens in Python with the reference's keys.

``path`` loads only what it walks: a bidirectional breadth-first search over
the paper-entity links, from both entities at once, always expanding the side
whose next layer has fewer links, at most ``PATH_MAX_HOPS`` edges deep and
``PATH_LINK_BUDGET`` links wide (past that, a ``QueryError``; a common entity
between the two ends costs its whole degree). ``neighbors`` expands at most
``NEIGHBORS_LIMIT`` papers of the entity.

Example:
    >>> backend = StoreBackend(open_store("kg-out"))  # doctest: +SKIP
    >>> backend.run(get_query("papers-using"), {"id": backend.resolve("gsm8k", ("Dataset",))})  # doctest: +SKIP
"""

from __future__ import annotations

import json
import sqlite3
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kg.errors import QueryError
from kg.models import (
    NON_RESULT_QUANTITIES,
    ClaimKind,
    EdgeType,
    NodeLabel,
    lower_is_better,
    normalize_name,
)
from kg.query.registry import (
    NEIGHBORS_LIMIT,
    PAPER_EDGES,
    PATH_LINK_BUDGET,
    PATH_MAX_HOPS,
    QUERIES,
    USING_EDGES,
    QuerySpec,
    Row,
    leaderboard_group,
)
from kg.query.resolve import (
    SUGGESTION_POOL,
    Candidate,
    Spelling,
    not_found,
    pick,
    prefix_of,
    spellings,
    suggest,
)

if TYPE_CHECKING:
    from kg.store.embedded import Store

ABOUT, ON, IN_METRIC = EdgeType.ABOUT.value, EdgeType.ON.value, EdgeType.IN_METRIC.value
EVALUATED_ON = EdgeType.EVALUATED_ON.value
PAPER, CLAIM, SCORE = NodeLabel.PAPER.value, NodeLabel.CLAIM.value, ClaimKind.SCORE.value
CHUNK = 500  # ids per IN (...) list
DENSE_EDGES = 2000  # an entity with more edges has its newest papers read from its mentions index
_CLAIMS = QUERIES["claims"].columns
_LEADERBOARD = QUERIES["leaderboard"].columns[2:]  # after rank and group


def _in(values: Sequence[str]) -> str:
    """An SQL list of constant strings (edge types and labels of ``kg.models``, never user input)."""
    return ",".join(f"'{v}'" for v in values)


def _after(prefix: str) -> str:
    """The smallest string above every string that starts with ``prefix`` (an index range's end)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _nulls_last(value: Any) -> tuple[bool, Any]:
    return (value is None, "" if value is None else value)


@dataclass
class _Front:
    """One side of the path search: its newest layer, whether that layer holds papers, its depth."""

    nodes: list[str]
    papers: bool = False
    depth: int = 0


class StoreBackend:
    """Named queries and name resolution on an open embedded store, from its indexes.

    Args:
        store: an open ``kg.store.embedded.Store`` (read-only is enough).
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.conn: sqlite3.Connection = store.conn
        self._queries: dict[str, Callable[..., list[Row]]] = {
            "papers-using": self.papers_using,
            "benchmarks-of": self.benchmarks_of,
            "methods-on": self.methods_on,
            "neighbors": self.neighbors,
            "path": self.path,
            "claims": self.claims,
            "leaderboard": self.leaderboard,
        }

    def run(self, spec: QuerySpec, params: dict[str, Any], limit: int | None = None) -> list[Row]:
        if spec.name in ("methods-on", "leaderboard"):
            return self._queries[spec.name](**params, limit=limit)
        return self._queries[spec.name](**params)[:limit]

    # -------------------------------------------------------------- reading

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        return self.conn.execute(sql, params).fetchall()

    def _rows_in(
        self, sql: str, ids: Iterable[str], before: Sequence[Any] = (), after: Sequence[Any] = ()
    ) -> Iterator[sqlite3.Row]:
        """Rows of ``sql`` with ``{ids}`` filled by chunks of ``ids``; ``before``/``after`` bind around them."""
        items = sorted(set(ids))
        for i in range(0, len(items), CHUNK):
            chunk = items[i : i + CHUNK]
            yield from self.conn.execute(sql.format(ids=",".join("?" * len(chunk))), (*before, *chunk, *after))

    def _nodes(self, ids: Iterable[str]) -> dict[str, Row]:
        """``{id: {"id", "label", "name"}}`` of papers and entities (a paper's name is its title)."""
        ids = set(ids)
        out = {
            r["id"]: {"id": r["id"], "label": r["type"], "name": r["name"]}
            for r in self._rows_in("SELECT id, type, name FROM entities WHERE id IN ({ids})", ids)
        }
        out.update(
            (r["id"], {"id": r["id"], "label": PAPER, "name": r["title"]})
            for r in self._rows_in("SELECT id, title FROM papers WHERE id IN ({ids})", ids - set(out))
        )
        return out

    def _claims(self, ids: Iterable[str]) -> dict[str, Row]:
        """Claim rows as ``claims`` gives them, plus ``_id`` for sorting, by claim id."""
        ids = set(ids)
        linked: dict[tuple[str, str], tuple[str, str | None]] = {}
        for r in self._rows_in(
            "SELECT x.source, x.type, x.target, e.name FROM edges x LEFT JOIN entities e ON e.id = x.target "
            f"WHERE x.source IN ({{ids}}) AND x.type IN ({_in((ABOUT, ON, IN_METRIC))})",
            ids,
        ):
            key = (r["source"], r["type"])
            if key not in linked or r["target"] < linked[key][0]:
                linked[key] = (r["target"], r["name"])
        out: dict[str, Row] = {}
        sql = (
            "SELECT c.id, c.paper_id, p.title, p.year, c.subject, c.subject_phrase, c.dataset, c.metric, c.value, "
            "c.baseline, c.unit, c.kind, c.quantity, c.direction, c.base_model, c.is_baseline, c.text "
            "FROM claims c LEFT JOIN papers p ON p.id = c.paper_id WHERE c.id IN ({ids})"
        )
        for r in self._rows_in(sql, ids):
            def name(edge_type: str, fallback: str, r: sqlite3.Row = r) -> str | None:
                found = linked.get((r["id"], edge_type))
                return found[1] if found else r[fallback]

            out[r["id"]] = {
                "paper_id": r["paper_id"], "title": r["title"], "year": r["year"],
                "subject": name(ABOUT, "subject") or r["subject_phrase"],
                "dataset": name(ON, "dataset"), "metric": name(IN_METRIC, "metric"), "value": r["value"],
                "baseline": r["baseline"], "unit": r["unit"], "kind": r["kind"], "quantity": r["quantity"],
                "direction": r["direction"], "base_model": r["base_model"], "is_baseline": bool(r["is_baseline"]),
                "evidence": r["text"], "_id": r["id"],
            }
        return out

    # -------------------------------------------------------------- resolution

    def resolve(self, name: str, labels: tuple[str, ...]) -> str:
        """The id of ``name`` (see ``kg.query.resolve``), from the id, name and spelling indexes.

        Raises:
            QueryError: nothing matches; the message suggests close names.
        """
        key = normalize_name(name)
        canonical = self._canonical(labels, key[:1]) if key else []
        found = pick([*self._matching(name, key, labels), *canonical], name, labels)
        if found is None:
            raise not_found(name, labels, suggest(self._spellings(key, labels, canonical), key))
        return found

    @staticmethod
    def _candidate(row: sqlite3.Row) -> Candidate:
        return Candidate(row["id"], row["type"], row["name"], tuple(json.loads(row["aliases"])))

    def _matching(self, name: str, key: str, labels: tuple[str, ...]) -> list[Candidate]:
        """Entities whose id or name is ``name`` or one of whose spellings normalizes to ``key``."""
        sql = (
            f"SELECT id, type, name, aliases FROM entities WHERE type IN ({_in(labels)}) AND "
            "(id = ? OR name = ? OR id IN (SELECT entity_id FROM entity_forms WHERE norm = ?))"
        )
        return [self._candidate(r) for r in self._rows(sql, (name, name, key))]

    def _canonical(self, labels: tuple[str, ...], first: str) -> list[Candidate]:
        """Entities named by the alias table whose id starts with ``first`` (an id range per label).

        Their name is the table's canonical, which ``entity_forms`` lacks when no
        paper wrote it in a spelling with the same key. Their id is
        ``type:slug(canonical)`` (``kg.link``), so a canonical whose key starts
        with ``first`` has its id in this range, for names that start with an
        ASCII letter or digit. The range holds a label's ids that start with one
        character; only the alias table's entities (a curated list) are returned.
        """
        out: list[Candidate] = []
        for label in labels:
            low = f"{label.lower()}:{first}"
            rows = self._rows(
                "SELECT id, type, name, aliases FROM entities WHERE id >= ? AND id < ? AND canonical IS NOT NULL",
                (low, _after(low)),
            )
            out += [self._candidate(r) for r in rows if r["type"] == label]
        return out

    def _spellings(self, key: str, labels: tuple[str, ...], canonical: list[Candidate]) -> list[Spelling]:
        """The suggestion pool of ``key``: spellings sharing its prefix, nearest to it in sort order."""
        if not key:
            return []
        prefix = prefix_of(key)
        head = (
            "SELECT DISTINCT f.norm, f.entity_id, e.name FROM entity_forms f JOIN entities e ON e.id = f.entity_id "
            f"WHERE e.type IN ({_in(labels)}) AND "
        )
        above = self._rows(head + "f.norm >= ? AND f.norm < ? ORDER BY f.norm, f.entity_id LIMIT ?",
                           (key, _after(prefix), SUGGESTION_POOL))
        below = self._rows(head + "f.norm >= ? AND f.norm < ? ORDER BY f.norm DESC, f.entity_id DESC LIMIT ?",
                           (prefix, key, SUGGESTION_POOL))
        return [*(tuple(r) for r in [*above, *below]), *spellings(canonical)]

    # -------------------------------------------------------------- queries

    def papers_using(self, id: str) -> list[Row]:
        """Papers with EVALUATES_ON, USES_DATASET or PROPOSES to the dataset ``id``."""
        sql = (
            "SELECT e.source, e.type, p.title, e.evidence FROM edges e JOIN papers p ON p.id = e.source "
            f"WHERE e.target = ? AND e.type IN ({_in(USING_EDGES)}) AND e.source_label = '{PAPER}' "
            "ORDER BY e.source, e.type, e.paper_id, e.rowid"
        )
        rows: dict[tuple[str, str], Row] = {}
        for r in self._rows(sql, (id,)):
            rows.setdefault((r["source"], r["type"]), {
                "id": r["source"], "title": r["title"], "role": r["type"].lower(), "evidence": r["evidence"],
            })
        return sorted(rows.values(), key=lambda r: (r["id"], r["role"]))

    def _claim_links(self, edge: str, node: str, other: str) -> list[tuple[str, str, str]]:
        """(claim, its paper, x) for the claims with ``edge`` to ``node`` and ``other`` to x."""
        sql = (
            "SELECT DISTINCT a.source AS claim, c.paper_id, o.target FROM edges a "
            "JOIN edges o ON o.source = a.source AND o.type = ? JOIN claims c ON c.id = a.source "
            f"WHERE a.target = ? AND a.type = ? AND a.source_label = '{CLAIM}'"
        )
        return [(r["claim"], r["paper_id"], r["target"]) for r in self._rows(sql, (other, node, edge))]

    def _evaluations(self, node: str, *, subject: bool) -> dict[tuple[str, str], set[str]]:
        """Paper ids per (subject, dataset) from EVALUATED_ON edges and claims ABOUT/ON them; ``node`` is one end."""
        end, edge, other = ("source", ABOUT, ON) if subject else ("target", ON, ABOUT)
        found: dict[tuple[str, str], set[str]] = {}
        sql = f"SELECT source, target, paper_id FROM edges WHERE {end} = ? AND type = '{EVALUATED_ON}'"
        for r in self._rows(sql, (node,)):
            found.setdefault((r["source"], r["target"]), set()).add(r["paper_id"])
        for _, paper, x in self._claim_links(edge, node, other):
            found.setdefault((node, x) if subject else (x, node), set()).add(paper)
        return found

    def benchmarks_of(self, id: str) -> list[Row]:
        """Datasets the method or model ``id`` was evaluated on, its papers and best score there."""
        found = self._evaluations(id, subject=True)
        links = self._claim_links(ABOUT, id, ON)
        claims = self._claims(c for c, _, _ in links)
        per_dataset: dict[str, list[Row]] = {}
        for c, _, d in sorted(links):
            per_dataset.setdefault(d, []).append(claims[c])
        names = self._nodes(d for _, d in found)
        rows = []
        for (_, d), papers in found.items():
            listed = per_dataset.get(d, [])
            scores = [c for c in listed if c["kind"] == SCORE]
            best = min(scores, key=lambda c: (-c["value"], c["_id"])) if scores else {}
            rows.append({
                "dataset_id": d, "dataset": names.get(d, {}).get("name"), "papers": sorted(papers),
                "claims": len(listed), "best_value": best.get("value"), "best_unit": best.get("unit"),
                "best_metric": best.get("metric"),
            })
        return sorted(rows, key=lambda r: (-len(r["papers"]), r["dataset_id"]))

    def methods_on(self, id: str, limit: int | None = None) -> list[Row]:
        """Methods and models evaluated on the dataset ``id``, with their papers.

        One index scan gives the (subject, paper) pairs; with ``limit`` only the first ``limit``
        subjects of the ranking get their names looked up and their rows built.
        """
        papers: dict[str, list[str]] = {}
        for (s, p) in self.conn.execute(
            f"SELECT source, paper_id FROM edges WHERE target = ?1 AND type = '{EVALUATED_ON}' "
            "UNION SELECT o.target, c.paper_id FROM edges a "
            "JOIN edges o ON o.source = a.source AND o.type = ?2 JOIN claims c ON c.id = a.source "
            f"WHERE a.target = ?1 AND a.type = ?3 AND a.source_label = '{CLAIM}' ORDER BY 1, 2",
            (id, ABOUT, ON),
        ):
            papers.setdefault(s, []).append(p)
        ranked = sorted(papers, key=lambda s: (-len(papers[s]), s))[:limit]
        nodes = self._nodes(ranked)
        return [
            {"id": s, "label": nodes[s]["label"], "name": nodes[s]["name"], "papers": papers[s]} for s in ranked
        ]

    def newest_papers(self, id: str, n: int) -> list[str]:
        """The ``n`` newest papers (largest ids) with an edge to the entity ``id``, newest first.

        A rare entity's come from the ``edges (target, type)`` index, sorted. A hub's (more
        than ``DENSE_EDGES`` edges) come from its ``mentions`` index, which is ordered by
        paper: walked newest first, each batch checked for an edge to ``id`` through the
        source index, it stops after ``n`` papers instead of sorting all of them.
        """
        dense = self.conn.execute(  # is there an edge past the first DENSE_EDGES?
            "SELECT 1 FROM edges WHERE target = ? LIMIT 1 OFFSET ?", (id, DENSE_EDGES)
        ).fetchone()
        if dense is None:
            return [r[0] for r in self._rows(
                f"SELECT DISTINCT source FROM edges WHERE target = ? AND source_label = '{PAPER}' "
                "ORDER BY source DESC LIMIT ?",
                (id, n),
            )]
        out: list[str] = []
        cursor = self.conn.execute(
            "SELECT DISTINCT paper_id FROM mentions WHERE entity_id = ? ORDER BY paper_id DESC", (id,)
        )
        while len(out) < n:
            batch = [r[0] for r in cursor.fetchmany(CHUNK)]
            if not batch:
                break
            linked = {r[0] for r in self.conn.execute(
                # "+target": each paper looked up in the source index, not the hub's whole target range
                f"SELECT DISTINCT source FROM edges WHERE source IN ({','.join('?' * len(batch))}) AND +target = ?",
                (*batch, id),
            )}
            out += [p for p in batch if p in linked]
        return out[:n]

    def neighbors(self, id: str) -> list[Row]:
        """Papers of an entity, its EVALUATED_ON partners and entities sharing its papers (bounded, see the module)."""
        papers = self.newest_papers(id, NEIGHBORS_LIMIT)
        found = {(r["source"], r["type"], "") for r in self._rows_in(
            "SELECT source, type FROM edges WHERE target = ? AND source IN ({ids})", papers, before=(id,)
        )}
        found |= {(r["target"], r["type"], r["source"]) for r in self._rows_in(
            f"SELECT source, type, target FROM edges WHERE source IN ({{ids}}) AND type IN ({_in(PAPER_EDGES)}) "
            "AND target != ?",
            papers, after=(id,),
        )}
        found |= {(x, EVALUATED_ON, "") for x in self._evaluated_partners(id)}
        nodes = self._nodes(node for node, _, _ in found)
        rows = [{**nodes[node], "relation": relation, "via": via} for node, relation, via in found]
        return sorted(rows, key=lambda r: (r["via"], r["label"], r["id"], r["relation"]))

    def _evaluated_partners(self, id: str) -> list[str]:
        """Entities ``id`` is EVALUATED_ON with (either way), most papers first, at most ``NEIGHBORS_LIMIT``."""
        counts = [
            (r["n"], r["partner"])
            for end, other in (("source", "target"), ("target", "source"))
            for r in self._rows(
                f"SELECT {other} AS partner, count(*) AS n FROM edges WHERE {end} = ? AND type = '{EVALUATED_ON}' "
                f"GROUP BY {other}",
                (id,),
            )
        ]
        return [x for _, x in sorted(counts, key=lambda c: (-c[0], c[1]))[:NEIGHBORS_LIMIT]]

    def claims(self, id: str) -> list[Row]:
        """Claims ABOUT a method or model, ON a dataset or IN_METRIC a metric ``id``."""
        ids = [r[0] for r in self._rows(
            f"SELECT DISTINCT source FROM edges WHERE target = ? AND type IN ({_in((ABOUT, ON, IN_METRIC))}) "
            f"AND source_label = '{CLAIM}'",
            (id,),
        )]
        ordered = sorted(self._claims(ids).values(), key=lambda c: (c["paper_id"], c["_id"]))
        return [{k: c[k] for k in _CLAIMS} for c in ordered]

    def leaderboard(self, id: str, metric: str | None = None, limit: int | None = None) -> list[Row]:
        """Benchmark results ON the dataset ``id``, ranked within each (unit, metric) group, best first
        (lowest first for an error, a perplexity, a loss: ``kg.models.lower_is_better``).

        The ranking reads one row of sort keys per claim (the subject's and the metric's entity
        names looked up in SQL); only the first ``limit`` claims get their full rows (title,
        evidence, ...), so a dataset with 10,000 results costs one scan, not 10,000 rows.
        """
        def linked(edge_type: str) -> str:  # the name of the smallest-id entity the claim links to
            return (
                "(SELECT e.name FROM edges x LEFT JOIN entities e ON e.id = x.target "
                f"WHERE x.source = c.id AND x.type = '{edge_type}' ORDER BY x.target LIMIT 1)"
            )

        sql = (
            f"SELECT DISTINCT c.id, c.paper_id, c.unit, c.value, coalesce({linked(IN_METRIC)}, c.metric), "
            f"coalesce({linked(ABOUT)}, c.subject, c.subject_phrase) "
            "FROM edges o JOIN claims c ON c.id = o.source "
            f"WHERE o.target = ? AND o.type = '{ON}' AND o.source_label = '{CLAIM}' AND c.kind = '{SCORE}' "
            f"AND NOT c.is_baseline AND (c.quantity IS NULL OR c.quantity NOT IN ({_in(sorted(NON_RESULT_QUANTITIES))}))"
        )
        params: tuple[str, ...] = (id,)
        if metric:
            sql += (
                " AND EXISTS (SELECT 1 FROM edges m "
                f"WHERE m.source = c.id AND m.type = '{IN_METRIC}' AND m.target = ?)"
            )
            params += (metric,)
        keys = sorted(
            (
                (_nulls_last(unit), _nulls_last(metric_name), value if lower_is_better(metric_name) else -value,
                 _nulls_last(subject), paper, claim)
                for claim, paper, unit, value, metric_name, subject in self._rows(sql, params)
            ),
        )
        rows: list[Row] = []
        for key in keys:
            group = (key[0], key[1])
            rows.append({"rank": rows[-1]["rank"] + 1 if rows and rows[-1]["_group"] == group else 1, "_group": group,
                         "_id": key[-1]})
        rows = rows[:limit]
        claims = self._claims(r["_id"] for r in rows)
        out: list[Row] = []
        for r in rows:
            c = claims[r["_id"]]
            out.append({"rank": r["rank"], "group": leaderboard_group(c["metric"], c["unit"]),
                        **{k: c[k] for k in _LEADERBOARD}})
        return out

    # -------------------------------------------------------------- path

    def path(self, a: str, b: str) -> list[Row]:
        """The shortest path between entities ``a`` and ``b`` through papers (see the module docstring).

        Raises:
            QueryError: the search would read more than ``PATH_LINK_BUDGET`` links.
        """
        links = self._walk(a, b)
        if links is None:
            return []
        nodes = _smallest_shortest_path(links, a, b)
        info = self._nodes(nodes)
        return [
            {"step": step, **info[node], "relation": min(links[nodes[step - 1]][node]) if step else None}
            for step, node in enumerate(nodes)
        ]

    def _walk(self, a: str, b: str) -> dict[str, dict[str, set[str]]] | None:
        """The links read by a bidirectional search from ``a`` and ``b`` until the two sides meet.

        Returns ``None`` when there is no path of at most ``PATH_MAX_HOPS`` edges.
        Once a node is reached from both sides, every shortest path has each of
        its edges at a node some side expanded, so the links read hold all shortest paths.
        """
        links: dict[str, dict[str, set[str]]] = {a: {}, b: {}}
        side_of = {a: 0, b: 1}
        fronts = (_Front([a]), _Front([b]))
        degrees: dict[str, int] = {}
        read = 0
        while fronts[0].depth + fronts[1].depth < PATH_MAX_HOPS and fronts[0].nodes and fronts[1].nodes:
            costs = [self._cost(front, degrees) for front in fronts]
            side = 0 if costs[0] <= costs[1] else 1
            if read + costs[side] > PATH_LINK_BUDGET:
                raise QueryError(
                    f"no path searched between {a} and {b}: it would read more than {PATH_LINK_BUDGET:,} "
                    "paper-entity links (very common entities lie between them)"
                )
            read += costs[side]
            front, met, layer = fronts[side], False, []
            for u, v, edge_type in self._links(front):
                links.setdefault(u, {}).setdefault(v, set()).add(edge_type)
                links.setdefault(v, {}).setdefault(u, set()).add(edge_type)
                if v not in side_of:
                    side_of[v] = side
                    layer.append(v)
                elif side_of[v] != side:
                    met = True
            if met:
                return links
            front.nodes, front.papers, front.depth = sorted(layer), not front.papers, front.depth + 1
        return None

    def _link_sql(self, front: _Front, select: str) -> str:
        """SQL over the links of a front's nodes: papers point at entities, entities are pointed at."""
        end, other = ("source", "target") if front.papers else ("target", "source")
        return select.format(end=end, other=other) + (
            f" FROM edges WHERE {end} IN ({{ids}}) AND type IN ({_in(PAPER_EDGES)})"
        )

    def _cost(self, front: _Front, degrees: dict[str, int]) -> int:
        """How many links expanding ``front`` reads (counted on the covering indexes, cached in ``degrees``)."""
        missing = [n for n in front.nodes if n not in degrees]
        sql = self._link_sql(front, "SELECT {end} AS node, count(*) AS n") + " GROUP BY node"
        degrees.update((r["node"], r["n"]) for r in self._rows_in(sql, missing))
        degrees.update((n, 0) for n in missing if n not in degrees)
        return sum(degrees[n] for n in front.nodes)

    def _links(self, front: _Front) -> Iterator[tuple[str, str, str]]:
        """(front node, node it links to, edge type) for every paper-entity link of the front."""
        sql = self._link_sql(front, "SELECT {end} AS u, {other} AS v, type")
        for r in self._rows_in(sql, front.nodes):
            yield r["u"], r["v"], r["type"]


def _smallest_shortest_path(links: dict[str, dict[str, set[str]]], a: str, b: str) -> list[str]:
    """Among the shortest paths from ``a`` to ``b`` in ``links``, the one whose node ids are smallest in order.

    Distances to ``b`` first; then from ``a`` each step takes the smallest
    neighbour one step closer to ``b``, which gives the lexicographic minimum.
    """
    distance = {b: 0}
    queue = deque([b])
    while queue:
        u = queue.popleft()
        for v in links[u]:
            if v not in distance:
                distance[v] = distance[u] + 1
                queue.append(v)
    nodes = [a]
    while nodes[-1] != b:
        u = nodes[-1]
        nodes.append(min(v for v in links[u] if distance.get(v) == distance[u] - 1))
    return nodes
