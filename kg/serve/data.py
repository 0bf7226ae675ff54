"""What the explorer's pages show, read from an embedded store's indexes.

Each function takes an open store (read-only is enough) and returns plain
dicts for the templates; nothing here writes HTML, so escaping stays with the
templates (Jinja2 autoescape) and with displaCy, which escapes the text it
renders. The named queries come from ``kg.query`` (the rows of ``kg query``);
the rest reads the tables of ``kg.store.embedded`` through the same indexes
those queries use, and every list is bounded, so a page costs what it shows,
not what the store holds.

Example:
    >>> with open_store("kg-out") as store:  # doctest: +SKIP
    ...     page = entity_page(store, "dataset:gsm8k")
"""

from __future__ import annotations

import bisect
import json
import threading
from collections import Counter
from typing import TYPE_CHECKING, Any

from kg.errors import QueryError
from kg.models import EdgeType, EntityType, NodeLabel, normalize_name
from kg.query import StoreBackend, query
from kg.query.registry import DEFAULT_QUERY_LIMIT, PAPER_EDGES

if TYPE_CHECKING:
    from kg.store.embedded import Store

# Most nodes the neighbourhood graph draws (the centre included), and how they are picked.
GRAPH_LIMIT = 60
GRAPH_PAPERS = 24  # newest papers of the entity first ...
GRAPH_PARTNERS = 12  # ... then the entities it is EVALUATED_ON with, then those sharing most papers
PAPERS_PER_ROLE = 100  # papers listed under each role on an entity page
TABLE_ROWS = 100  # rows of a leaderboard or benchmark table on an entity page
SEARCH_LIMIT = 20  # results of each kind on the search page
SUGGEST_LIMIT = 8  # suggestions of the search box
_PREFIX_POOL = 200  # spellings read from the index range of a prefix before ranking

ENTITY_LABELS: tuple[str, ...] = tuple(t.value for t in EntityType)
PAPER = NodeLabel.PAPER.value

# Colours by node label: the graph, its legend and the displaCy spans share them.
COLORS: dict[str, str] = {
    "Paper": "#9aa5b1",
    "Dataset": "#f6bd60",
    "Method": "#84c5b7",
    "Model": "#f4978e",
    "Metric": "#b8c0ff",
    "Task": "#a3c4f3",
    "Claim": "#e9c46a",
}

# The paper -> entity edges an entity page lists, in this order, with their headings.
ROLE_HEADINGS: dict[str, str] = {
    EdgeType.PROPOSES.value: "Papers that propose it",
    EdgeType.EVALUATES_ON.value: "Papers that evaluate on it",
    EdgeType.USES_DATASET.value: "Papers that use it (dataset)",
    EdgeType.USES_MODEL.value: "Papers that use it (model)",
    EdgeType.USES_METHOD.value: "Papers that use it (method)",
    EdgeType.MEASURES.value: "Papers that measure it",
    EdgeType.ADDRESSES.value: "Papers that address it",
}
_CLAIM_LINKS = (EdgeType.ABOUT.value, EdgeType.ON.value, EdgeType.IN_METRIC.value)


def _after(prefix: str) -> str:
    """The smallest string above every string that starts with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


# ------------------------------------------------------------------ look-ups


def entity_row(store: Store, ident: str) -> dict[str, Any] | None:
    """``{"id", "type", "name", "aliases"}`` of the entity with id ``ident``, else ``None``."""
    row = store.conn.execute("SELECT id, type, name, aliases FROM entities WHERE id = ?", (ident,)).fetchone()
    if row is None:
        return None
    return {"id": row["id"], "type": row["type"], "name": row["name"], "aliases": json.loads(row["aliases"])}


def paper_exists(store: Store, ident: str) -> bool:
    return store.conn.execute("SELECT 1 FROM papers WHERE id = ?", (ident,)).fetchone() is not None


def resolve_entity(store: Store, name: str) -> str:
    """The entity id a typed name means, of any entity type (``kg.query.resolve`` rules).

    Raises:
        QueryError: nothing matches; the message suggests close names.
    """
    return StoreBackend(store).resolve(name, ENTITY_LABELS)


def _entities_by_prefix(store: Store, key: str, limit: int) -> list[dict[str, Any]]:
    """Entities with a name or alias whose normalized spelling starts with ``key``, most papers first."""
    if not key:
        return []
    rows = store.conn.execute(
        "SELECT f.entity_id, f.norm, f.papers, e.type, e.name FROM entity_forms f "
        "JOIN entities e ON e.id = f.entity_id WHERE f.norm >= ? AND f.norm < ? ORDER BY f.norm LIMIT ?",
        (key, _after(key), _PREFIX_POOL),
    ).fetchall()
    best: dict[str, tuple[int, int, str, str]] = {}
    for r in rows:
        rank = (0 if r["norm"] == key else 1, -r["papers"])
        if r["entity_id"] not in best or rank < best[r["entity_id"]][:2]:
            best[r["entity_id"]] = (*rank, r["type"], r["name"])
    ordered = sorted(best.items(), key=lambda item: (item[1][:2], item[0]))
    return [{"id": i, "label": t, "name": n} for i, (_, _, t, n) in ordered[:limit]]


class TitleIndex:
    """Paper titles in memory, for the search box: a title scan in SQLite reads every abstract too.

    The ``papers`` table keeps each abstract beside its title, so ``title LIKE``
    reads the whole table (seconds at 100k papers). The index holds
    ``(casefolded title, id, title)`` newest id first, and the same sorted by
    folded title for prefixes; built once per store content (``Store.fingerprint``).
    """

    def __init__(self, store: Store) -> None:
        self.fingerprint = store.fingerprint()
        rows = store.conn.execute("SELECT id, title FROM papers ORDER BY id DESC").fetchall()
        self.newest = [(title.casefold(), ident, title) for ident, title in rows]
        self.by_title = sorted(self.newest)

    def containing(self, text: str, limit: int) -> list[dict[str, Any]]:
        """Papers whose title contains ``text`` (case-insensitive), newest ids first."""
        key = text.casefold()
        out = []
        for folded, ident, title in self.newest:
            if key in folded:
                out.append({"id": ident, "label": PAPER, "name": title})
                if len(out) >= limit:
                    break
        return out

    def starting(self, text: str, limit: int) -> list[dict[str, Any]]:
        """Papers whose title starts with ``text`` (case-insensitive), in title order."""
        key = text.casefold()
        i = bisect.bisect_left(self.by_title, (key,))
        out = []
        for folded, ident, title in self.by_title[i : i + limit]:
            if not folded.startswith(key):
                break
            out.append({"id": ident, "label": PAPER, "name": title})
        return out


_TITLE_INDEXES: dict[str, TitleIndex] = {}
_TITLE_LOCK = threading.Lock()


def title_index(store: Store) -> TitleIndex:
    """The title index of a store's current content (rebuilt after another process changed the store)."""
    key = str(store.path.resolve())
    index = _TITLE_INDEXES.get(key)
    if index is not None and index.fingerprint == store.fingerprint():
        return index
    with _TITLE_LOCK:
        index = _TITLE_INDEXES.get(key)
        if index is None or index.fingerprint != store.fingerprint():
            index = _TITLE_INDEXES[key] = TitleIndex(store)
    return index


def search(store: Store, text: str) -> dict[str, Any]:
    """The search page: the entity the text resolves to, entities by prefix, papers by title.

    Returns:
        ``{"query", "best", "entities", "papers"}``; ``best`` is the entity the
        text resolves to as ``kg query`` would resolve it (or ``None``), and
        ``suggestions`` the close names when it resolves to nothing.
    """
    text = text.strip()
    out: dict[str, Any] = {"query": text, "best": None, "entities": [], "papers": [], "suggestions": []}
    if not text:
        return out
    try:
        best = entity_row(store, resolve_entity(store, text))
    except QueryError as e:
        best = None
        out["suggestions"] = _suggestions_of(str(e))
    entities = _entities_by_prefix(store, normalize_name(text), SEARCH_LIMIT)
    if best is not None:
        out["best"] = {"id": best["id"], "label": best["type"], "name": best["name"]}
        entities = [e for e in entities if e["id"] != best["id"]]
    out["entities"] = entities
    out["papers"] = title_index(store).containing(text, SEARCH_LIMIT)
    return out


def _suggestions_of(message: str) -> list[str]:
    """The names a resolution error suggests ("...; did you mean: A, B?")."""
    marker = "did you mean: "
    if marker not in message:
        return []
    return [s.strip() for s in message.split(marker, 1)[1].rstrip("?").split(", ") if s.strip()]


def suggest(store: Store, text: str, limit: int = SUGGEST_LIMIT) -> list[dict[str, Any]]:
    """Suggestions for the search box: entity names and aliases by prefix, then paper titles by prefix."""
    text = text.strip()
    if not text:
        return []
    found = _entities_by_prefix(store, normalize_name(text), limit)
    if len(found) < limit:
        found += title_index(store).starting(text, limit - len(found))
    return found


# ------------------------------------------------------------------ graph


def _node(ident: str, label: str, name: str, ring: int) -> dict[str, Any]:
    return {"id": ident, "type": label, "name": _short(name or ident), "full": name or ident,
            "color": COLORS.get(label, "#cccccc"), "ring": ring}


def _newest_linked_papers(store: Store, center: str, n: int) -> list[str]:
    """The ``n`` newest papers (largest ids) with an edge to ``center``, as ``neighbors`` orders them."""
    return StoreBackend(store).newest_papers(center, n)


def _partners(store: Store, center: str, n: int) -> list[str]:
    """Entities ``center`` is EVALUATED_ON with (either way), most papers first, then id: ``neighbors``' order."""
    counts: Counter[str] = Counter()
    for end, other in (("source", "target"), ("target", "source")):
        counts.update(dict(store.conn.execute(
            f"SELECT {other}, count(*) FROM edges WHERE {end} = ? AND type = ? GROUP BY {other}",
            (center, EdgeType.EVALUATED_ON.value),
        ).fetchall()))
    return [x for x, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:n]]


def _neighbour_rows(store: Store, center: str, n: int) -> tuple[list[dict[str, Any]], list[str], bool]:
    """Rows as the ``neighbors`` query gives them, for the ``n`` newest papers and ``n`` first partners only.

    The graph keeps at most ``n`` nodes besides the centre, and what it keeps
    from the query's rows only ever comes from these, so the graph is the one
    the whole query would give, read in a bounded time. Also returns whether the
    entity has more papers or partners than were read, and the partners most papers first.
    """
    papers = _newest_linked_papers(store, center, n + 1)
    partners = _partners(store, center, n + 1)
    more = len(papers) > n or len(partners) > n
    papers, partners = papers[:n], partners[:n]
    found: set[tuple[str, str, str]] = set()
    if papers:
        marks = ",".join("?" * len(papers))
        found |= {(r[0], r[1], "") for r in store.conn.execute(
            f"SELECT source, type FROM edges WHERE +target = ? AND source IN ({marks})", (center, *papers)
        )}
        found |= {(r[2], r[1], r[0]) for r in store.conn.execute(
            f"SELECT source, type, target FROM edges WHERE source IN ({marks}) "
            f"AND type IN ({','.join('?' * len(PAPER_EDGES))}) AND target != ?",
            (*papers, *PAPER_EDGES, center),
        )}
    found |= {(x, EdgeType.EVALUATED_ON.value, "") for x in partners}
    nodes = _labels(store, {node for node, _, _ in found})
    rows = [{**nodes[node], "relation": relation, "via": via} for node, relation, via in found if node in nodes]
    rows.sort(key=lambda r: (r["via"], r["label"], r["id"], r["relation"]))
    return rows, [x for x in partners if x in nodes], more


def _labels(store: Store, ids: set[str]) -> dict[str, dict[str, Any]]:
    """``{id: {"id", "label", "name"}}`` of entities and papers (a paper's name is its title)."""
    items = sorted(ids)
    out: dict[str, dict[str, Any]] = {}
    for i in range(0, len(items), 500):
        chunk = items[i : i + 500]
        marks = ",".join("?" * len(chunk))
        for r in store.conn.execute(f"SELECT id, type, name FROM entities WHERE id IN ({marks})", chunk):
            out[r[0]] = {"id": r[0], "label": r[1], "name": r[2]}
        for r in store.conn.execute(f"SELECT id, title FROM papers WHERE id IN ({marks})", chunk):
            out.setdefault(r[0], {"id": r[0], "label": PAPER, "name": r[1]})
    return out


def neighbourhood(store: Store, entity: dict[str, Any], limit: int = GRAPH_LIMIT) -> dict[str, Any]:
    """The graph around an entity: the rows of the ``neighbors`` query, at most ``limit`` nodes.

    Kept in this order until ``limit``: the entity, its newest papers (up to
    ``GRAPH_PAPERS``), the entities it is EVALUATED_ON with (up to
    ``GRAPH_PARTNERS``, most papers first), the entities that share most kept papers with it, then
    the remaining papers and partners. An edge is drawn when both ends are kept.
    The rows are read for the newest ``limit - 1`` papers and partners only
    (``_neighbour_rows``), which is all this choice can keep.

    Returns:
        ``{"nodes", "edges", "shown", "more", "limit"}``; ``more`` says whether
        neighbours were left out.
    """
    center = entity["id"]
    rows, partners, more = _neighbour_rows(store, center, limit - 1)
    info = {r["id"]: r for r in rows}
    papers = sorted({r["id"] for r in rows if r["via"] == "" and r["label"] == PAPER}, reverse=True)
    budget = limit - 1
    kept_papers = papers[: min(GRAPH_PAPERS, budget)]
    kept_partners = partners[: min(GRAPH_PARTNERS, budget - len(kept_papers))]
    kept = set(kept_papers) | set(kept_partners)
    shared = Counter(r["id"] for r in rows if r["via"] in kept and r["id"] not in kept and r["id"] != center)
    for ident, _ in sorted(shared.items(), key=lambda item: (-item[1], item[0])):
        if len(kept) >= budget:
            break
        kept.add(ident)
    for ident in [*papers, *partners]:
        if len(kept) >= budget:
            break
        kept.add(ident)
    nodes = [_node(center, entity["type"], entity["name"], 3)]
    nodes += [_node(i, info[i]["label"], info[i]["name"], 2 if info[i]["label"] == PAPER else 1) for i in sorted(kept)]
    edges: set[tuple[str, str, str]] = set()
    for r in rows:
        if r["id"] not in kept:
            continue
        if r["via"] == "" and r["relation"] == EdgeType.EVALUATED_ON.value:
            subject_first = r["label"] in (NodeLabel.METHOD.value, NodeLabel.MODEL.value)
            edges.add((r["id"], center, r["relation"]) if subject_first else (center, r["id"], r["relation"]))
        elif r["via"] == "":
            edges.add((r["id"], center, r["relation"]))
        elif r["via"] in kept:
            edges.add((r["via"], r["id"], r["relation"]))
    return {
        "nodes": nodes,
        "edges": [{"source": s, "target": t, "label": label} for s, t, label in sorted(edges)],
        "shown": len(nodes) - 1,
        "more": more or len(info) > len(kept),
        "limit": limit,
    }


def paper_graph(store: Store, paper: dict[str, Any], links: list[dict[str, Any]]) -> dict[str, Any]:
    """The graph of one paper: the paper and the entities its roles link it to."""
    nodes = [_node(paper["id"], PAPER, paper["title"], 3)]
    seen: set[str] = set()
    edges = []
    for link in links[: GRAPH_LIMIT * 4]:
        if link["target"] not in seen:
            if len(seen) >= GRAPH_LIMIT - 1:
                continue
            seen.add(link["target"])
            nodes.append(_node(link["target"], link["label"], link["name"], 1))
        edges.append({"source": paper["id"], "target": link["target"], "label": link["type"]})
    unique = {(e["source"], e["target"], e["label"]): e for e in edges}
    more = len({link["target"] for link in links}) > len(nodes) - 1
    return {"nodes": nodes, "edges": list(unique.values()), "shown": len(nodes) - 1, "more": more,
            "limit": GRAPH_LIMIT}


# ------------------------------------------------------------------ pages


_DENSE = 2000  # a role with more papers than this is listed from the newest mentions, not from the edge index
_MENTION_BATCH = 500


def _newest_by_target(store: Store, ident: str, edge_type: str) -> list[dict[str, Any]]:
    """The newest papers with an ``edge_type`` edge to ``ident``, from the ``(target, type)`` index (a rare role)."""
    rows = store.conn.execute(
        "SELECT e.source, e.evidence, min(e.rowid) FROM edges e WHERE e.target = ? AND e.type = ? "
        "AND e.source_label = ? GROUP BY e.source ORDER BY e.source DESC LIMIT ?",
        (ident, edge_type, PAPER, PAPERS_PER_ROLE),
    ).fetchall()
    return [{"id": r["source"], "evidence": r["evidence"]} for r in rows]


def _newest_by_mentions(store: Store, ident: str, edge_types: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The newest papers of each (common) role, walking the entity's mentions newest first.

    A hub's role edges number in the tens of thousands; reading them all to
    keep the newest hundred costs seconds, while the mentions index is ordered
    by paper, so the walk stops once each role has ``PAPERS_PER_ROLE`` papers.
    """
    found: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in edge_types}
    marks = ",".join("?" * len(edge_types))
    cursor = store.conn.execute(
        "SELECT DISTINCT paper_id FROM mentions WHERE entity_id = ? ORDER BY paper_id DESC", (ident,)
    )
    while any(len(papers) < PAPERS_PER_ROLE for papers in found.values()):
        batch = [r[0] for r in cursor.fetchmany(_MENTION_BATCH)]
        if not batch:
            break
        rows = store.conn.execute(
            f"SELECT source, type, evidence FROM edges WHERE source IN ({','.join('?' * len(batch))}) "
            f"AND type IN ({marks}) AND target = ? ORDER BY source DESC, rowid",
            (*batch, *edge_types, ident),
        ).fetchall()
        for r in rows:
            papers = found[r["type"]]
            if len(papers) < PAPERS_PER_ROLE and r["source"] not in papers:
                papers[r["source"]] = {"id": r["source"], "evidence": r["evidence"]}
    return {t: list(papers.values()) for t, papers in found.items()}


def _papers_by_role(store: Store, ident: str) -> list[dict[str, Any]]:
    """For each role edge type: how many papers have it to ``ident`` and the newest ``PAPERS_PER_ROLE``."""
    counts = dict(store.conn.execute(
        f"SELECT type, count(*) FROM edges WHERE target = ? AND type IN ({','.join('?' * len(ROLE_HEADINGS))}) "
        "GROUP BY type",
        (ident, *ROLE_HEADINGS),
    ).fetchall())
    dense = [t for t in ROLE_HEADINGS if counts.get(t, 0) > _DENSE]
    listed = _newest_by_mentions(store, ident, dense) if dense else {}
    for edge_type in ROLE_HEADINGS:
        if counts.get(edge_type) and edge_type not in listed:
            listed[edge_type] = _newest_by_target(store, ident, edge_type)
    titles = _titles(store, {p["id"] for papers in listed.values() for p in papers})
    sections = []
    for edge_type, heading in ROLE_HEADINGS.items():
        if not counts.get(edge_type):
            continue
        papers = [{**p, "title": titles.get(p["id"], p["id"])} for p in listed[edge_type]]
        sections.append({"type": edge_type, "heading": heading, "total": counts[edge_type], "papers": papers})
    return sections


def _titles(store: Store, ids: set[str]) -> dict[str, str]:
    """Titles of papers by id."""
    items = sorted(ids)
    out: dict[str, str] = {}
    for i in range(0, len(items), 500):
        chunk = items[i : i + 500]
        out.update(store.conn.execute(
            f"SELECT id, title FROM papers WHERE id IN ({','.join('?' * len(chunk))})", chunk
        ).fetchall())
    return out


def entity_page(store: Store, ident: str) -> dict[str, Any] | None:
    """Everything the entity page shows, or ``None`` when no entity has id ``ident``."""
    entity = entity_row(store, ident)
    if entity is None:
        return None
    page: dict[str, Any] = {"kind": "entity", "entity": entity, "roles": _papers_by_role(store, ident)}
    page["paper_count"] = store.conn.execute(
        "SELECT count(DISTINCT paper_id) FROM mentions WHERE entity_id = ?", (ident,)
    ).fetchone()[0]
    if entity["type"] == EntityType.DATASET.value:
        rows = query(store, "leaderboard", limit=TABLE_ROWS + 1, dataset=ident)
        page["leaderboard"] = {"rows": rows[:TABLE_ROWS], "more": len(rows) > TABLE_ROWS}
    if entity["type"] in (EntityType.METHOD.value, EntityType.MODEL.value):
        rows = query(store, "benchmarks-of", limit=TABLE_ROWS + 1, entity=ident)
        page["benchmarks"] = {"rows": rows[:TABLE_ROWS], "more": len(rows) > TABLE_ROWS}
    page["graph"] = neighbourhood(store, entity)
    return page


def _spans(extraction: dict[str, Any], field: str, text: str) -> list[dict[str, Any]]:
    """Non-overlapping entity spans of one field, as displaCy's manual format wants them."""
    spans = sorted(
        (e["start"], e["end"], e["type"])
        for e in extraction.get("entities", [])
        if e.get("field") == field and e.get("start") is not None and e.get("end") is not None
        and 0 <= e["start"] < e["end"] <= len(text)
    )
    out: list[dict[str, Any]] = []
    for start, end, label in spans:
        if out and start < out[-1]["end"]:
            continue
        out.append({"start": start, "end": end, "label": label})
    return out


def render_spans(text: str, spans: list[dict[str, Any]]) -> str:
    """``text`` with its entity spans marked by displaCy (``style="ent"``, ``manual=True``); escaped by displaCy."""
    from spacy import displacy

    colors = {label.upper(): color for label, color in COLORS.items()}
    return displacy.render(
        {"text": text, "ents": spans, "title": None}, style="ent", manual=True, jupyter=False,
        options={"colors": colors},
    )


def paper_page(store: Store, ident: str) -> dict[str, Any] | None:
    """Everything the paper page shows, or ``None`` when no paper has id ``ident``."""
    row = store.conn.execute(
        "SELECT id, title, abstract, source, url, year, date, authors, extraction FROM papers WHERE id = ?", (ident,)
    ).fetchone()
    if row is None:
        return None
    extraction = json.loads(row["extraction"])
    paper = {
        "id": row["id"], "title": row["title"], "abstract": row["abstract"], "source": row["source"],
        "url": row["url"], "year": row["year"], "date": row["date"], "authors": json.loads(row["authors"]),
    }
    links = [
        {"type": r["type"], "target": r["target"], "label": r["target_label"], "name": r["name"] or r["target"],
         "evidence": r["evidence"]}
        for r in store.conn.execute(
            "SELECT x.type, x.target, x.target_label, x.evidence, e.name FROM edges x "
            "LEFT JOIN entities e ON e.id = x.target WHERE x.source = ? AND x.paper_id = ? "
            "ORDER BY x.type, e.name, x.target",
            (ident, ident),
        )
    ]
    return {
        "kind": "paper",
        "paper": paper,
        "title_html": render_spans(paper["title"], _spans(extraction, "title", paper["title"])),
        "abstract_html": render_spans(paper["abstract"], _spans(extraction, "abstract", paper["abstract"])),
        "roles": [link for link in links if link["label"] != NodeLabel.CLAIM.value],
        "claims": _paper_claims(store, ident),
        "graph": paper_graph(store, paper, [link for link in links if link["label"] in ENTITY_LABELS]),
    }


def _paper_claims(store: Store, ident: str) -> list[dict[str, Any]]:
    """The claims of a paper with the entities they are about, on and in (ids and names)."""
    claims = [dict(r) for r in store.conn.execute(
        "SELECT id, value, unit, kind, text, subject, dataset, metric, compared_to, quantity, direction, baseline, "
        "is_baseline, base_model, subject_phrase FROM claims "
        "WHERE paper_id = ? ORDER BY start, id",
        (ident,),
    )]
    if not claims:
        return []
    marks = ",".join("?" * len(claims))
    linked: dict[tuple[str, str], tuple[str, str]] = {}
    for r in store.conn.execute(
        f"SELECT x.source, x.type, x.target, e.name FROM edges x JOIN entities e ON e.id = x.target "
        f"WHERE x.source IN ({marks}) AND x.type IN ({','.join('?' * len(_CLAIM_LINKS))}) ORDER BY x.target",
        (*[c["id"] for c in claims], *_CLAIM_LINKS),
    ):
        linked.setdefault((r["source"], r["type"]), (r["target"], r["name"]))
    for c in claims:
        for key, edge_type in (("subject", "ABOUT"), ("dataset", "ON"), ("metric", "IN_METRIC")):
            found = linked.get((c["id"], edge_type))
            c[key] = {"id": found[0], "name": found[1]} if found else ({"id": None, "name": c[key]} if c[key] else None)
    return claims


def run_named_query(
    store: Store, name: str, args: dict[str, str], limit: int = DEFAULT_QUERY_LIMIT
) -> tuple[list[dict[str, Any]], bool]:
    """The rows ``kg query NAME ... --limit LIMIT --json`` prints, and whether rows were left out.

    ``limit`` 0 means all rows, as for ``kg query``.

    Raises:
        QueryError: as ``kg.query.run_query``.
    """
    given = {k: v for k, v in args.items() if v not in (None, "")}
    rows = query(store, name, limit=limit + 1 if limit else None, **given)
    if limit and len(rows) > limit:
        return rows[:limit], True
    return rows, False
