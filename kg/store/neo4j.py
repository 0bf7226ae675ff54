"""Neo4j: connect, apply the schema, load a ``GraphData`` in batches, run read-only Cypher.

Why this shape: a load is a few statements run many times over ``UNWIND $rows``
batches, so the database plans each statement once and every row is a parameter,
never text (a name such as ``x'}) DETACH DELETE n //`` is only ever data).
Labels and relationship types come from the enums of ``kg.models`` and nothing
else is formatted into Cypher. Nodes are ``MERGE``d on their stable ids under
uniqueness constraints, so loading the same data twice changes nothing, and
loading a paper again replaces what was extracted from it before.

Each batch is its own managed transaction (retried by the driver on transient
errors). A load that stops half-way leaves a partial graph that running the
same load again completes.

Example:
    >>> settings = Neo4jSettings.from_env()                      # doctest: +SKIP
    >>> with connect(settings) as driver:                        # doctest: +SKIP
    ...     summary = load_graph(driver, data, settings.database)
"""

from __future__ import annotations

import contextlib
import gc
import importlib.resources
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from enum import Enum
from pathlib import Path
from typing import Any

import neo4j
from neo4j import exceptions as driver_errors
from pydantic import BaseModel, ConfigDict, SecretStr

import kg
from kg.errors import Neo4jError, SchemaError
from kg.models import Edge, EdgeType, EntityType, GraphData, NodeLabel, normalize_name

CONNECT_TIMEOUT = 10.0
ACCESS_MODE_CODE = "Neo.ClientError.Statement.AccessMode"
Progress = Callable[[int, int], None]


# ------------------------------------------------------------- pure helpers


def cypher_dir() -> Path:
    """The folder of the ``.cypher`` files: ``kg/_cypher`` in a wheel, else the repo's ``cypher/``.

    The wheel force-includes ``cypher/`` as ``kg/_cypher``; an editable install
    finds the top-level folder next to the package.
    """
    packaged = importlib.resources.files("kg") / "_cypher"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(kg.__file__).resolve().parent.parent / "cypher"


def split_statements(text: str) -> list[str]:
    """The statements of a Cypher script: ``//`` comment lines dropped, split on ``;``.

    Example:
        >>> split_statements("// c\\nRETURN 1;\\nRETURN 2;")
        ['RETURN 1', 'RETURN 2']
    """
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("//")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def batched(rows: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """Consecutive slices of ``rows`` of at most ``size`` items."""
    if size < 1:
        raise ValueError(f"batch_size must be at least 1, got {size}")
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _props(model: BaseModel, drop: Iterable[str] = ()) -> dict[str, Any]:
    """Neo4j properties of a model: enums as their values, ``None`` dropped (Neo4j stores no nulls)."""
    return model.model_dump(mode="json", exclude_none=True, exclude=set(drop))


_EDGE_ENDS = ("type", "source", "target", "source_label", "target_label")


def edge_props(edge: Edge) -> dict[str, Any]:
    """The properties of an edge, as ``_props`` gives them, without a pydantic dump per edge.

    Edges outnumber nodes many times over and their fields are flat (strings, numbers,
    an enum, a list of strings), so reading the field values directly is several times
    faster than ``model_dump(mode="json")`` and gives the same dict.
    """
    props: dict[str, Any] = {}
    for name, value in edge.__dict__.items():
        if value is None or name in _EDGE_ENDS:
            continue
        props[name] = value.value if isinstance(value, Enum) else list(value) if isinstance(value, list) else value
    return props


def entity_keys(name: str, aliases: Iterable[str]) -> str:
    """The ``keys`` property of an entity node: its normalized name and aliases as ``|k1|k2|``.

    One string, so that a TEXT index answers ``n.keys CONTAINS '|gsm8k|'`` (name
    resolution by any spelling) without reading every node of the label.

    Example:
        >>> entity_keys("GSM8K", ["GSM-8K", "gsm 8k"])
        '|gsm8k|'
    """
    keys = sorted({k for k in (normalize_name(f) for f in (name, *aliases)) if k})
    return "|" + "|".join(keys) + "|" if keys else ""


def node_rows(data: GraphData) -> dict[NodeLabel, list[dict[str, Any]]]:
    """``{label: [{"id", "props"}]}`` for every node of ``data``; props include the id."""
    rows: dict[NodeLabel, list[dict[str, Any]]] = {}
    for paper in data.papers:
        rows.setdefault(NodeLabel.PAPER, []).append({"id": paper.id, "props": _props(paper)})
    for entity in data.entities:
        props = {**_props(entity, ["type"]), "keys": entity_keys(entity.name, entity.aliases)}
        rows.setdefault(entity.label, []).append({"id": entity.id, "props": props})
    for claim in data.claims:
        rows.setdefault(NodeLabel.CLAIM, []).append({"id": claim.id, "props": _props(claim)})
    return rows


EdgeGroup = tuple[EdgeType, NodeLabel, NodeLabel]


def edge_rows(data: GraphData) -> dict[EdgeGroup, list[dict[str, Any]]]:
    """``{(type, source label, target label): [{"source", "target", "props"}]}`` for every edge.

    Raises:
        SchemaError: an edge names a node id that ``data`` does not contain.
    """
    known = {p.id for p in data.papers} | {e.id for e in data.entities} | {c.id for c in data.claims}
    rows: dict[EdgeGroup, list[dict[str, Any]]] = {}
    for edge in data.edges:
        for end in (edge.source, edge.target):
            if end not in known:
                raise SchemaError(f"edge {edge.key} names node {end!r}, which is not in the graph data")
        props = edge_props(edge)
        group = (edge.type, edge.source_label, edge.target_label)
        rows.setdefault(group, []).append({"source": edge.source, "target": edge.target, "props": props})
    return rows


def to_plain(value: Any) -> Any:
    """A driver value as plain JSON-able Python: nodes and relationships become property dicts.

    A relationship dict also carries its ``type``; a path becomes the list of its
    nodes and relationships in order; temporal values become ISO strings.
    """
    if isinstance(value, neo4j.graph.Node):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, neo4j.graph.Relationship):
        return {"type": value.type, **{k: to_plain(v) for k, v in value.items()}}
    if isinstance(value, neo4j.graph.Path):
        items: list[Any] = [to_plain(value.start_node)]
        for rel in value.relationships:
            items += [to_plain(rel), to_plain(rel.end_node)]
        return items
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value


# ----------------------------------------------------------- settings, connect


class Neo4jSettings(BaseModel):
    """Where Neo4j is and how to log in; the names are those of Neo4j's own tools."""

    model_config = ConfigDict(extra="forbid")

    uri: str = "bolt://localhost:7687"
    username: str = "neo4j"
    password: SecretStr
    database: str = "neo4j"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Neo4jSettings:
        """Settings from NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD and NEO4J_DATABASE.

        Raises:
            Neo4jError: NEO4J_PASSWORD is not set (auth is always on; there is no default).
        """
        env = dict(os.environ if env is None else env)
        password = env.get("NEO4J_PASSWORD")
        if not password:
            raise Neo4jError(
                "NEO4J_PASSWORD is not set: export the password of the Neo4j user "
                f"{env.get('NEO4J_USERNAME') or 'neo4j'!r} (and NEO4J_URI if not bolt://localhost:7687)"
            )
        values = {
            "uri": env.get("NEO4J_URI"),
            "username": env.get("NEO4J_USERNAME"),
            "database": env.get("NEO4J_DATABASE"),
        }
        return cls(password=SecretStr(password), **{k: v for k, v in values.items() if v})


def connect(settings: Neo4jSettings, *, timeout: float = CONNECT_TIMEOUT) -> neo4j.Driver:
    """A driver whose server answered and accepted the credentials within ``timeout`` seconds.

    Raises:
        Neo4jError: the URI is malformed, the server cannot be reached, or it refuses the login.
    """
    uri, user = settings.uri, settings.username
    try:
        driver = neo4j.GraphDatabase.driver(
            uri,
            auth=(user, settings.password.get_secret_value()),
            connection_timeout=timeout,
            connection_acquisition_timeout=timeout,
        )
    except (ValueError, driver_errors.ConfigurationError) as e:
        raise Neo4jError(f"invalid Neo4j URI {uri!r}: {e}") from e
    try:
        driver.verify_connectivity()
    except driver_errors.AuthError as e:
        driver.close()
        raise Neo4jError(
            f"Neo4j refused the credentials for user {user!r} at {uri}: check NEO4J_USERNAME and NEO4J_PASSWORD"
        ) from e
    except (driver_errors.DriverError, driver_errors.Neo4jError, OSError) as e:
        driver.close()
        reason = " ".join(str(e).split())  # one line: the driver's messages span several
        raise Neo4jError(f"cannot reach Neo4j at {uri} (is it running? scripts/neo4j-local start): {reason}") from e
    return driver


# ------------------------------------------------------------------ writes


def _write(driver: neo4j.Driver, cypher: str, params: dict[str, Any], database: str | None) -> Any:
    """Run one statement in its own write transaction; driver errors become ``Neo4jError``."""
    try:
        return driver.execute_query(
            cypher, params, routing_=neo4j.RoutingControl.WRITE, database_=database
        )
    except (driver_errors.DriverError, driver_errors.Neo4jError, OSError) as e:
        first = cypher.strip().splitlines()[0]
        raise Neo4jError(f"Neo4j write failed ({first} ...): {' '.join(str(e).split())}") from e


def apply_schema(driver: neo4j.Driver, database: str | None = "neo4j") -> int:
    """Create the constraints and indexes of ``cypher/schema.cypher`` and wait until they are online.

    Every statement is ``IF NOT EXISTS``, so this is safe to run before every load.
    Returns the number of statements run.
    """
    path = cypher_dir() / "schema.cypher"
    try:
        statements = split_statements(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise Neo4jError(f"cannot read the schema file {path}: {e}") from e
    for statement in statements:
        _write(driver, statement, {}, database)
    _write(driver, "CALL db.awaitIndexes(300)", {}, database)
    return len(statements)


class LoadSummary(BaseModel):
    """What a load did: the input sizes and the database's own update counters."""

    model_config = ConfigDict(extra="forbid")

    papers: int = 0
    entities: int = 0
    claims: int = 0
    edges: int = 0
    nodes_created: int = 0
    nodes_deleted: int = 0
    relationships_created: int = 0
    relationships_deleted: int = 0
    properties_set: int = 0
    batches: int = 0
    seconds: float = 0.0

    def add(self, counters: Any) -> None:
        """Add the counters of one statement's result summary."""
        self.nodes_created += counters.nodes_created
        self.nodes_deleted += counters.nodes_deleted
        self.relationships_created += counters.relationships_created
        self.relationships_deleted += counters.relationships_deleted
        self.properties_set += counters.properties_set
        self.batches += 1


def _node_cypher(label: NodeLabel) -> str:
    return f"UNWIND $rows AS row MERGE (n:{NodeLabel(label).value} {{id: row.id}}) SET n = row.props"


def _edge_cypher(group: EdgeGroup) -> str:
    edge, source, target = EdgeType(group[0]).value, NodeLabel(group[1]).value, NodeLabel(group[2]).value
    head = (
        f"UNWIND $rows AS row MATCH (a:{source} {{id: row.source}}) MATCH (b:{target} {{id: row.target}}) "
        f"MERGE (a)-[r:{edge}]->(b) "
    )
    if group[0] is EdgeType.EVALUATED_ON:
        # Other papers may back the same edge: keep their ids and add ours. $papers maps every
        # loaded paper id to true (a key lookup, not a list scan); ours are all loaded papers,
        # so none of them is among the others.
        return head + (
            "WITH r, row, [x IN coalesce(r.paper_ids, []) WHERE $papers[x] IS NULL] AS others "
            "SET r = row.props, r.paper_ids = others + coalesce(row.props.paper_ids, [])"
        )
    return head + "SET r = row.props"


# Re-loading a paper: after its new edges are merged, its outgoing edges (and those of
# its claims) that the new extraction no longer has are deleted, as are its claims
# that are gone. Each returns the far ends of what it deleted, to drop orphans later.
_STALE_PAPER_EDGES = """
UNWIND $rows AS row
MATCH (:Paper {id: row.id})-[r]->(t)
WHERE NOT [type(r), t.id] IN row.keep
WITH r, t DELETE r
RETURN DISTINCT labels(t)[0] AS label, t.id AS id"""

_STALE_CLAIMS = """
UNWIND $rows AS row
MATCH (c:Claim {paper_id: row.id})
WHERE NOT c.id IN row.claims
OPTIONAL MATCH (c)-->(t)
WITH c, collect(DISTINCT t) AS ends
DETACH DELETE c
WITH ends UNWIND ends AS t
RETURN DISTINCT labels(t)[0] AS label, t.id AS id"""

_STALE_CLAIM_EDGES = """
UNWIND $rows AS row
MATCH (:Claim {id: row.id})-[r]->(t)
WHERE NOT [type(r), t.id] IN row.keep
WITH r, t DELETE r
RETURN DISTINCT labels(t)[0] AS label, t.id AS id"""

# EVALUATED_ON edges carry the ids of the papers that back them. An edge that the
# loaded papers backed before but do not back now loses their ids, and goes when
# none are left.
_STALE_EVALUATED_ON = """
MATCH (s)-[r:EVALUATED_ON]->(t)
WHERE any(x IN r.paper_ids WHERE $papers[x] IS NOT NULL) AND $keep[s.id + '\\u001f' + t.id] IS NULL
WITH s, r, t, [x IN r.paper_ids WHERE $papers[x] IS NULL] AS rest
CALL (r, rest) {
  WITH r, rest WHERE size(rest) = 0 DELETE r
}
CALL (r, rest) {
  WITH r, rest WHERE size(rest) > 0 SET r.paper_ids = rest
}
UNWIND [s, t] AS n
RETURN DISTINCT labels(n)[0] AS label, n.id AS id"""

_ENTITY_LABELS = frozenset(t.value for t in EntityType)
_DROP_ORPHANS = "UNWIND $rows AS id MATCH (n:{label} {{id: id}}) WHERE NOT EXISTS {{ (n)--() }} DELETE n"


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building rows.

    Building hundreds of thousands of small dicts next to as many live models makes
    the collector rescan the whole heap again and again (two thirds of the row-building
    time for 100,000 edges); the rows hold no cycles, so nothing is lost by waiting.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _edge_key_rows(data: GraphData) -> tuple[list[dict], list[dict], list[str]]:
    """What each loaded paper and claim keeps: ``[type, target]`` pairs, claim ids, EVALUATED_ON keys."""
    keep: dict[str, list[list[str]]] = {p.id: [] for p in data.papers}
    claim_keep: dict[str, list[list[str]]] = {c.id: [] for c in data.claims}
    claims: dict[str, list[str]] = {p.id: [] for p in data.papers}
    evaluated: list[str] = []
    for claim in data.claims:
        claims.setdefault(claim.paper_id, []).append(claim.id)
    for edge in data.edges:
        pair = [edge.type.value, edge.target]
        if edge.source_label is NodeLabel.PAPER and edge.source in keep:
            keep[edge.source].append(pair)
        elif edge.source_label is NodeLabel.CLAIM:
            claim_keep.setdefault(edge.source, []).append(pair)
        elif edge.type is EdgeType.EVALUATED_ON:
            evaluated.append(f"{edge.source}\u001f{edge.target}")
    paper_of = {c.id: c.paper_id for c in data.claims}
    papers = [{"id": pid, "keep": pairs, "claims": claims.get(pid, [])} for pid, pairs in keep.items()]
    claim_rows = [{"id": cid, "keep": pairs, "paper": paper_of.get(cid)} for cid, pairs in claim_keep.items()]
    return papers, claim_rows, evaluated


_EXISTING_PAPERS = "UNWIND $rows AS id MATCH (p:Paper {id: id}) RETURN p.id AS paper"


def _existing_papers(driver: neo4j.Driver, paper_ids: list[str], database: str | None) -> set[str]:
    """Which of ``paper_ids`` are already stored: only those can have stale edges or claims."""
    found: set[str] = set()
    for batch in batched(paper_ids, 10_000):
        result = _write(driver, _EXISTING_PAPERS, {"rows": list(batch)}, database)
        found.update(record["paper"] for record in result.records)
    return found


class _Loader:
    """One load: runs batches, adds their counters, reports progress, remembers deleted ends."""

    def __init__(self, driver: neo4j.Driver, database: str | None, batch_size: int,
                 progress: Progress | None, total: int) -> None:
        self.driver, self.database, self.batch_size = driver, database, batch_size
        self.progress, self.total, self.done = progress, total, 0
        self.summary = LoadSummary()
        self.ends: set[tuple[str, str]] = set()

    def run(self, cypher: str, rows: Sequence[Any], count: bool = False, **params: Any) -> None:
        """Run ``cypher`` once per batch of ``rows``; ``count`` advances the progress by the rows."""
        for batch in batched(rows, self.batch_size):
            result = _write(self.driver, cypher, {"rows": list(batch), **params}, self.database)
            self._absorb(result)
            if count:
                self.done += len(batch)
                if self.progress is not None:
                    self.progress(self.done, self.total)

    def once(self, cypher: str, **params: Any) -> None:
        """Run ``cypher`` once, as one transaction."""
        self._absorb(_write(self.driver, cypher, params, self.database))

    def _absorb(self, result: Any) -> None:
        self.summary.add(result.summary.counters)
        for record in result.records:
            if record.get("label") and record.get("id"):
                self.ends.add((record["label"], record["id"]))


def load_graph(
    driver: neo4j.Driver,
    data: GraphData,
    database: str | None = "neo4j",
    batch_size: int = 1000,
    progress: Progress | None = None,
) -> LoadSummary:
    """Write ``data`` into Neo4j: schema first, then nodes, then edges, in ``UNWIND`` batches.

    Loading is idempotent, and loading a paper again replaces what was stored for it:
    its outgoing edges, its claims and their edges that the new data lacks are deleted,
    its ids leave the ``paper_ids`` of EVALUATED_ON edges it no longer backs, and
    entities left without any relationship are deleted. Other papers are untouched.

    Args:
        driver: from :func:`connect`.
        data: the graph to write; every edge must name nodes of ``data``.
        database: the Neo4j database (``None``: the server's default).
        batch_size: rows per transaction.
        progress: called as ``progress(rows_written, rows_total)`` after each batch.

    Raises:
        SchemaError: an edge names a node that is not in ``data``.
        Neo4jError: a statement fails on the server or the connection drops.
    """
    started = time.perf_counter()
    with _gc_paused():
        nodes, edges, stale_keys = node_rows(data), edge_rows(data), _edge_key_rows(data)
    total = sum(map(len, nodes.values())) + sum(map(len, edges.values()))
    loader = _Loader(driver, database, batch_size, progress, total)
    apply_schema(driver, database)
    paper_ids = [p.id for p in data.papers]
    existing = _existing_papers(driver, paper_ids, database)
    for label, rows in nodes.items():
        loader.run(_node_cypher(label), rows, count=True)
    for group, rows in edges.items():
        extra = {"papers": dict.fromkeys(paper_ids, True)} if group[0] is EdgeType.EVALUATED_ON else {}
        loader.run(_edge_cypher(group), rows, count=True, **extra)
    _remove_stale(loader, data, paper_ids, stale_keys, existing)
    loader.summary.papers, loader.summary.entities = len(data.papers), len(data.entities)
    loader.summary.claims, loader.summary.edges = len(data.claims), len(data.edges)
    loader.summary.seconds = round(time.perf_counter() - started, 3)
    return loader.summary


def _remove_stale(
    loader: _Loader, data: GraphData, paper_ids: list[str], stale_keys: tuple, existing: set[str]
) -> None:
    """Delete what the loaded papers had before and the new data lacks, then the orphaned entities.

    Papers that were not stored before the load (``existing``) have nothing stale and are skipped.
    """
    loaded = set(paper_ids)
    paper_rows = [row for row in stale_keys[0] if row["id"] in existing]
    claim_rows = [row for row in stale_keys[1] if row["paper"] in existing or row["paper"] not in loaded]
    evaluated = stale_keys[2]
    loader.run(_STALE_PAPER_EDGES, paper_rows)
    loader.run(_STALE_CLAIMS, paper_rows)
    loader.run(_STALE_CLAIM_EDGES, claim_rows)
    if paper_ids:
        # maps, not lists: a key lookup per paper id instead of a scan of every loaded id
        loader.once(_STALE_EVALUATED_ON, papers=dict.fromkeys(paper_ids, True), keep=dict.fromkeys(evaluated, True))
    keep = {e.id for e in data.entities} | {c.id for c in data.claims} | set(paper_ids)
    by_label: dict[str, list[str]] = {}
    for label, node_id in sorted(loader.ends):
        if node_id not in keep and label in _ENTITY_LABELS:
            by_label.setdefault(label, []).append(node_id)
    for label, ids in by_label.items():
        loader.run(_DROP_ORPHANS.format(label=NodeLabel(label).value), ids)


# ------------------------------------------------------------------- reads


def run_read(
    driver: neo4j.Driver, cypher: str, params: dict[str, Any] | None = None, database: str | None = "neo4j"
) -> list[dict[str, Any]]:
    """Rows of ``cypher`` as plain dicts, run in a read transaction so that it cannot write.

    The server rejects any write in a read transaction; that rejection becomes a
    ``Neo4jError`` starting with "refused". Driver values become plain Python (see
    :func:`to_plain`), so the rows compare equal to those of the embedded backend.

    Raises:
        Neo4jError: the query writes, is invalid, or the server cannot be reached.
    """

    def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
        return [{k: to_plain(v) for k, v in record.items()} for record in tx.run(cypher, params or {})]

    first = next((line.strip() for line in cypher.splitlines() if line.strip() and not line.strip().startswith("//")), "")
    try:
        with driver.session(database=database, default_access_mode=neo4j.READ_ACCESS) as session:
            return session.execute_read(work)
    except driver_errors.ClientError as e:
        if e.code == ACCESS_MODE_CODE or "AccessMode" in str(e.code):
            raise Neo4jError(f"refused: the query writes, and only reads are allowed here: {first!r}") from e
        raise Neo4jError(f"Neo4j rejected the query {first!r}: {e.message}") from e
    except (driver_errors.DriverError, driver_errors.Neo4jError, OSError) as e:
        raise Neo4jError(f"Neo4j read failed ({first!r}): {e}") from e
