"""Neo4j: connect, apply the schema, mirror a store or load a ``GraphData`` in batches, run read-only Cypher.

Why this shape: a load is a few statements run many times over ``UNWIND $rows``
batches, so the database plans each statement once and every row is a parameter,
never text (a name such as ``x'}) DETACH DELETE n //`` is only ever data).
Labels and relationship types come from the enums of ``kg.models`` and nothing
else is formatted into Cypher. Nodes are ``MERGE``d on their stable ids under
uniqueness constraints, so loading the same data twice changes nothing, and
loading a paper again replaces what was extracted from it before.

A database mirrors one embedded store: :func:`mirror_store` streams the store in
chunks of papers (bounded memory) and makes the database hold exactly its graph,
:func:`apply_changes` writes only the papers that ``kg add``/``kg remove`` changed,
and one ``(:KgMirror {id: 'mirror'})`` node records the store's id and content
fingerprint, which :func:`check_mirror` compares before the database answers for a
store. :func:`load_graph` writes a ``GraphData`` as it is (tests, tools).

Each batch is its own managed transaction (retried by the driver on transient
errors). A load that stops half-way leaves a partial graph that running the
same load again completes; a stopped mirror leaves ``KgMirror.state`` at
``loading``, so no reader mistakes it for a complete one.

Example:
    >>> settings = Neo4jSettings.from_env()                      # doctest: +SKIP
    >>> with connect(settings) as driver, kg.open_store("kg-out") as store:  # doctest: +SKIP
    ...     summary = mirror_store(driver, store, settings.database)
    ...     assert check_mirror(driver, store, settings.database) is None
"""

from __future__ import annotations

import contextlib
import gc
import importlib.resources
import json
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from enum import Enum
from itertools import groupby, islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import neo4j
from neo4j import exceptions as driver_errors
from pydantic import BaseModel, ConfigDict, SecretStr

import kg
from kg.errors import Neo4jError, SchemaError, StoreError, redact
from kg.models import Claim, Edge, EdgeType, Entity, EntityType, GraphData, NodeLabel, Paper, normalize_name

if TYPE_CHECKING:
    from kg.store.embedded import Store

CONNECT_TIMEOUT = 10.0
RETRY_TIME = 5.0  # seconds a transaction is retried on a lost connection (the driver's default is 30)
BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
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


def entity_row(entity: Entity) -> dict[str, Any]:
    """``{"id", "props"}`` of an entity node: its properties without ``type`` (the label), plus ``keys``."""
    props = {**_props(entity, ["type"]), "keys": entity_keys(entity.name, entity.aliases)}
    return {"id": entity.id, "props": props}


def node_rows(data: GraphData) -> dict[NodeLabel, list[dict[str, Any]]]:
    """``{label: [{"id", "props"}]}`` for every node of ``data``; props include the id."""
    rows: dict[NodeLabel, list[dict[str, Any]]] = {}
    for paper in data.papers:
        rows.setdefault(NodeLabel.PAPER, []).append({"id": paper.id, "props": _props(paper)})
    for entity in data.entities:
        rows.setdefault(entity.label, []).append(entity_row(entity))
    for claim in data.claims:
        rows.setdefault(NodeLabel.CLAIM, []).append({"id": claim.id, "props": _props(claim)})
    return rows


EdgeGroup = tuple[EdgeType, NodeLabel, NodeLabel]


def edge_rows(data: GraphData, *, check: bool = True) -> dict[EdgeGroup, list[dict[str, Any]]]:
    """``{(type, source label, target label): [{"source", "target", "props"}]}`` for every edge.

    Args:
        data: the graph whose edges to turn into rows.
        check: refuse an edge whose ends are not nodes of ``data``. A mirror turns
            off the check for its chunks, whose entity nodes were written before.

    Raises:
        SchemaError: (``check``) an edge names a node id that ``data`` does not contain.
    """
    known = {p.id for p in data.papers} | {e.id for e in data.entities} | {c.id for c in data.claims}
    rows: dict[EdgeGroup, list[dict[str, Any]]] = {}
    for edge in data.edges:
        if check:
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
    uri, user = redact(settings.uri), settings.username
    scheme = settings.uri.split("://", 1)[0].lower() if "://" in settings.uri else ""
    if scheme not in BOLT_SCHEMES:
        hint = " (http:// is the address of Neo4j Browser; Bolt listens on port 7687)" if scheme.startswith("http") else ""
        raise Neo4jError(f"NEO4J_URI {uri!r} is not a Bolt address: use bolt://HOST:7687 or neo4j://HOST:7687{hint}")
    try:
        driver = neo4j.GraphDatabase.driver(
            settings.uri,
            auth=(user, settings.password.get_secret_value()),
            connection_timeout=timeout,
            connection_acquisition_timeout=timeout,
            # a lost server fails a transaction after this long, not after the driver's 30 s of retries
            max_transaction_retry_time=RETRY_TIME,
        )
    except (ValueError, driver_errors.ConfigurationError) as e:
        raise Neo4jError(f"invalid Neo4j URI {uri!r}: {redact(str(e))}") from e
    try:
        driver.verify_connectivity()
    except driver_errors.AuthError as e:
        driver.close()
        raise Neo4jError(
            f"Neo4j refused the credentials for user {user!r} at {uri}: check NEO4J_USERNAME and NEO4J_PASSWORD"
        ) from e
    except (driver_errors.DriverError, driver_errors.Neo4jError, OSError) as e:
        driver.close()
        reason = redact(" ".join(str(e).split()))  # one line: the driver's messages span several
        if "AuthenticationRateLimit" in str(getattr(e, "code", "")) or "AuthenticationRateLimit" in reason:
            raise Neo4jError(
                f"Neo4j at {uri} refuses logins for a while after too many failed attempts for user {user!r}: "
                f"wait, then check NEO4J_USERNAME and NEO4J_PASSWORD"
            ) from e
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
    """What a load did: the input sizes and the database's own update counters.

    ``mode`` names the writer: ``load`` (:func:`load_graph`), ``mirror``
    (:func:`mirror_store`, also when :func:`apply_changes` fell back to it) or
    ``changes`` (:func:`apply_changes`). ``papers_removed`` counts the papers deleted
    because the store no longer holds them. The counters are those of the graph;
    the writes of the ``KgMirror`` metadata node are not counted.
    """

    model_config = ConfigDict(extra="forbid")

    mode: Literal["load", "mirror", "changes"] = "load"
    papers: int = 0
    entities: int = 0
    claims: int = 0
    edges: int = 0
    papers_removed: int = 0
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


def _node_cypher(label: NodeLabel, fresh: bool = False) -> str:
    """The MERGE of one node label; ``fresh``: the nodes are known to be new (a paper, or a claim of
    a paper, that the database did not hold), so a plain CREATE skips the look-up."""
    if fresh:
        return f"UNWIND $rows AS row CREATE (n:{NodeLabel(label).value}) SET n = row.props"
    return f"UNWIND $rows AS row MERGE (n:{NodeLabel(label).value} {{id: row.id}}) SET n = row.props"


def _edge_cypher(group: EdgeGroup, exact: bool = False, fresh: bool = False) -> str:
    """The MERGE of one edge group. ``exact``: EVALUATED_ON rows carry every supporting paper
    (they come from a store), so they replace the relationship's ``paper_ids`` instead of joining it.
    ``fresh``: the sources were created in this load (see :func:`_node_cypher`), so they have no
    relationship yet and a CREATE writes the edge without checking for one."""
    edge, source, target = EdgeType(group[0]).value, NodeLabel(group[1]).value, NodeLabel(group[2]).value
    head = (
        f"UNWIND $rows AS row MATCH (a:{source} {{id: row.source}}) MATCH (b:{target} {{id: row.target}}) "
        f"{'CREATE' if fresh else 'MERGE'} (a)-[r:{edge}]->(b) "
    )
    if group[0] is EdgeType.EVALUATED_ON and not exact:
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
# With empty `keep` and `claims` the first two delete all of a paper's edges and claims.
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
# none are left. With an empty $keep it takes removed papers out of every edge.
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
_DELETE_PAPERS = "UNWIND $rows AS id MATCH (p:Paper {id: id}) DETACH DELETE p"
_DELETE_NODES = "UNWIND $rows AS id MATCH (n:{label} {{id: id}}) DETACH DELETE n"
_DELETE_CLAIMS_WITHOUT_PAPER = "MATCH (c:Claim) WHERE NOT EXISTS { MATCH (:Paper {id: c.paper_id}) } DETACH DELETE c"
_PAGE_IDS = "MATCH (n:{label}) WHERE n.id > $after RETURN n.id AS id ORDER BY n.id LIMIT $limit"
_EVALUATED_ON_OF = (
    "MATCH (s)-[r:EVALUATED_ON]->(t) WHERE any(x IN r.paper_ids WHERE $papers[x] IS NOT NULL) "
    "RETURN s.id AS source, t.id AS target"
)
_ISOLATED = "MATCH (n:{label}) WHERE NOT EXISTS {{ (n)--() }} RETURN n.id AS id"


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


class _Rows(list):
    """The ``$rows`` of a batch: a list whose repr is its length. The driver writes the repr of every
    statement's parameters for its debug log whether or not that log is on (``Bolt5x5.run``), and
    for thousands of rows with evidence sentences that repr cost as much as packing them."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} rows>"


class _Loader:
    """One load: runs batches, adds their counters, reports progress, remembers deleted ends."""

    def __init__(self, driver: neo4j.Driver, database: str | None, batch_size: int,
                 progress: Progress | None, total: int) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self.driver, self.database, self.batch_size = driver, database, batch_size
        self.progress, self.total, self.done = progress, total, 0
        self.summary = LoadSummary()
        self.ends: set[tuple[str, str]] = set()
        self._lock = threading.Lock()  # writer threads of a mirror share one loader

    def run(self, cypher: str, rows: Sequence[Any], count: bool = False, **params: Any) -> None:
        """Run ``cypher`` once per batch of ``rows``; ``count`` advances the progress by the rows."""
        for batch in batched(rows, self.batch_size):
            result = _write(self.driver, cypher, {"rows": _Rows(batch), **params}, self.database)
            self._absorb(result)
            if count:
                self.advance(len(batch))

    def advance(self, n: int) -> None:
        """Count ``n`` more rows done (never past the total) and report progress."""
        with self._lock:
            self.done = min(self.done + n, self.total)
            if self.progress is not None:
                self.progress(self.done, self.total)

    def once(self, cypher: str, **params: Any) -> None:
        """Run ``cypher`` once, as one transaction."""
        self._absorb(_write(self.driver, cypher, params, self.database))

    def read(self, cypher: str, **params: Any) -> list[dict[str, Any]]:
        """Rows of a read-only statement (not counted)."""
        return run_read(self.driver, cypher, params, self.database)

    def _absorb(self, result: Any) -> None:
        with self._lock:
            self.summary.add(result.summary.counters)
            for record in result.records:
                if record.get("label") and record.get("id"):
                    self.ends.add((record["label"], record["id"]))

    def finish(self, started: float) -> LoadSummary:
        """The summary, with the elapsed time; the progress ends at the total."""
        if self.progress is not None and self.done < self.total:
            self.done = self.total
            self.progress(self.done, self.total)
        self.summary.seconds = round(time.perf_counter() - started, 3)
        return self.summary


class _Prepared:
    """Rows ready to write: nodes by label, edges by group, what each paper and claim keeps.

    Built before anything is written (a bad edge fails first), from a ``GraphData``
    (:meth:`from_data`) or straight from a store's tables (:class:`_StoreRows`).
    ``stale_keys`` is ``(paper rows, claim rows, EVALUATED_ON keys)`` as
    :func:`_edge_key_rows` gives them; an empty EVALUATED_ON key list with
    ``evaluated_on=False`` means the caller syncs EVALUATED_ON edges itself.
    """

    def __init__(self, nodes: dict[NodeLabel, list[dict[str, Any]]], edges: dict[EdgeGroup, list[dict[str, Any]]],
                 stale_keys: tuple[list[dict], list[dict], list[str]], paper_ids: list[str],
                 *, evaluated_on: bool = True) -> None:
        self.nodes, self.edges, self.stale_keys, self.paper_ids = nodes, edges, stale_keys, paper_ids
        self.evaluated_on = evaluated_on
        self.rows = sum(map(len, nodes.values())) + sum(map(len, edges.values()))

    @classmethod
    def from_data(cls, data: GraphData, *, check: bool = True) -> _Prepared:
        with _gc_paused():
            return cls(node_rows(data), edge_rows(data, check=check), _edge_key_rows(data), [p.id for p in data.papers])


# The property that ties a node to its paper, for the labels a paper owns.
_PAPER_KEYS = {NodeLabel.PAPER: "id", NodeLabel.CLAIM: "paper_id"}


def _split(rows: list[dict[str, Any]], is_new: Callable[[dict[str, Any]], bool]) -> tuple[list, list]:
    """The rows for which ``is_new`` holds, and the others, each in their order."""
    new: list[dict[str, Any]] = []
    old: list[dict[str, Any]] = []
    for row in rows:
        (new if is_new(row) else old).append(row)
    return new, old


def _write_data(loader: _Loader, prepared: _Prepared, *, exact: bool) -> set[str]:
    """Merge nodes, then edges, then delete what the papers had before and no longer have.

    Args:
        loader: the load in progress.
        prepared: the rows of the data to write.
        exact: EVALUATED_ON rows list every supporting paper (see :func:`_edge_cypher`).

    Returns:
        The papers of the data that the database held before (the re-loaded ones).
    """
    existing = _existing_papers(loader.driver, prepared.paper_ids, loader.database)
    # Papers the database does not hold are new, and so are their claims and the edges of both:
    # they are CREATEd (no look-up); the rest is MERGEd as before.
    new_papers = {pid for pid in prepared.paper_ids if pid not in existing}
    new_sources = set(new_papers)
    for label, rows in prepared.nodes.items():
        new: list[dict[str, Any]] = []
        if label in _PAPER_KEYS:
            new, rows = _split(rows, lambda row, key=_PAPER_KEYS[label]: row["props"].get(key) in new_papers)
            new_sources.update(row["id"] for row in new)
        loader.run(_node_cypher(label, fresh=True), new, count=True)
        loader.run(_node_cypher(label), rows, count=True)
    for group, rows in prepared.edges.items():
        merging = group[0] is EdgeType.EVALUATED_ON and not exact
        extra = {"papers": dict.fromkeys(prepared.paper_ids, True)} if merging else {}
        new, rows = _split(rows, lambda row: row["source"] in new_sources)
        loader.run(_edge_cypher(group, exact, fresh=True), new, count=True, **extra)
        loader.run(_edge_cypher(group, exact), rows, count=True, **extra)
    _remove_stale(loader, prepared.paper_ids, prepared.stale_keys, existing, evaluated_on=prepared.evaluated_on)
    return existing


def _remove_stale(loader: _Loader, paper_ids: list[str], stale_keys: tuple, existing: set[str], *,
                  evaluated_on: bool = True) -> None:
    """Delete what the loaded papers had before and the new data lacks (orphans are the caller's).

    Papers that were not stored before the load (``existing``) have nothing stale and
    are skipped; a first load skips the whole pass. ``evaluated_on=False`` leaves
    EVALUATED_ON edges to the caller (a mirror syncs them all at the end).
    """
    loaded = set(paper_ids)
    paper_rows = [row for row in stale_keys[0] if row["id"] in existing]
    claim_rows = [row for row in stale_keys[1] if row["paper"] in existing or row["paper"] not in loaded]
    loader.run(_STALE_PAPER_EDGES, paper_rows)
    loader.run(_STALE_CLAIMS, paper_rows)
    loader.run(_STALE_CLAIM_EDGES, claim_rows)
    if existing and evaluated_on:
        # maps, not lists: a key lookup per paper id instead of a scan of every loaded id.
        # Only papers stored before can be in an edge's paper_ids that the data does not keep.
        loader.once(_STALE_EVALUATED_ON, papers=dict.fromkeys(existing, True),
                    keep=dict.fromkeys(stale_keys[2], True))


def _drop_orphans(loader: _Loader, keep: set[str]) -> None:
    """Delete the entities among the ends of deleted edges that are not in ``keep`` and have no relationship."""
    by_label: dict[str, list[str]] = {}
    for label, node_id in sorted(loader.ends):
        if node_id not in keep and label in _ENTITY_LABELS:
            by_label.setdefault(label, []).append(node_id)
    for label, ids in by_label.items():
        loader.run(_DROP_ORPHANS.format(label=NodeLabel(label).value), ids)


def _delete_papers(loader: _Loader, ids: Sequence[str], *, evaluated_on: bool = True) -> None:
    """Delete papers with their edges and claims and take them out of EVALUATED_ON ``paper_ids``.

    The ``paper_ids`` go first, so that a load stopped half-way never leaves an
    EVALUATED_ON edge naming a paper that is not in the database (``evaluated_on=False``:
    the caller syncs EVALUATED_ON edges itself). The far ends of what was deleted are
    remembered in ``loader.ends``.
    """
    if not ids:
        return
    rows = [{"id": pid, "keep": [], "claims": []} for pid in ids]
    if evaluated_on:
        loader.once(_STALE_EVALUATED_ON, papers=dict.fromkeys(ids, True), keep={})
    loader.run(_STALE_PAPER_EDGES, rows)
    loader.run(_STALE_CLAIMS, rows)
    before = loader.summary.nodes_deleted
    loader.run(_DELETE_PAPERS, list(ids))
    loader.summary.papers_removed += loader.summary.nodes_deleted - before


def _mark_mirror_modified(driver: neo4j.Driver, database: str | None) -> None:
    """A load of other data: the database no longer equals the store it mirrored (if any)."""
    _write(driver, _MIRROR_MODIFIED, {"id": MIRROR_ID, "at": _now()}, database)


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
    A database that mirrored a store (:func:`mirror_store`) is marked as modified, so
    :func:`check_mirror` no longer reports it as in sync.

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
    prepared = _Prepared.from_data(data)
    loader = _Loader(driver, database, batch_size, progress, prepared.rows)
    apply_schema(driver, database)
    _mark_mirror_modified(driver, database)
    _write_data(loader, prepared, exact=False)
    keep = {e.id for e in data.entities} | {c.id for c in data.claims} | set(prepared.paper_ids)
    _drop_orphans(loader, keep)
    summary = loader.finish(started)
    summary.papers, summary.entities = len(data.papers), len(data.entities)
    summary.claims, summary.edges = len(data.claims), len(data.edges)
    return summary


# ------------------------------------------------------------------ mirrors
#
# A database mirrors one store: mirror_store makes it hold exactly the store's graph and
# records which store (and which state of it) in one KgMirror node; apply_changes keeps it
# in step with kg add / kg remove; check_mirror tells a reader whether it may trust it.

MIRROR_ID = "mirror"
MIRROR_CHUNK = 2000
"""Papers read from the store and written per round of a mirror (their rows go in ``batch_size`` batches)."""
MIRROR_WRITERS = 2
"""Chunks a mirror writes at the same time (``kg load --writers``); see :func:`_write_chunks`."""

_MIRROR_GET = "MATCH (m:KgMirror {id: $id}) RETURN properties(m) AS props"
_MIRROR_BEGIN = (
    "MERGE (m:KgMirror {id: $id}) "
    "SET m.state = $state, m.writing_store_id = $store_id, m.writing_store_path = $store_path, m.writing_since = $at"
)
_MIRROR_SET = "MERGE (m:KgMirror {id: $id}) SET m = $props"
_MIRROR_MODIFIED = "MATCH (m:KgMirror {id: $id}) SET m.state = 'modified', m.updated_at = $at"
_COUNT_NODES = "MATCH (n) RETURN count(n) AS n"

_WRITING = ("loading", "updating")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _fingerprint(store: Store) -> str:
    """The store's current fingerprint (``Store.meta`` reads the table each time)."""
    return store.fingerprint()


def _ahead(items: Iterator[Any]) -> Iterator[Any]:
    """The items of ``items``, each made in a worker thread while the consumer handles the one before.

    A mirror alternates reading the store (Python work) and waiting for Neo4j (server
    work); making the next chunk of rows while the server writes this one overlaps them.
    At most two items exist at a time. An error in the worker is raised in the consumer;
    a consumer that stops early stops the worker.
    """
    slot: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(kind: str, value: Any) -> bool:
        while not stop.is_set():
            try:
                slot.put((kind, value), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not put("item", item):
                    return
            put("done", None)
        except BaseException as e:  # handed to the consumer, which raises it
            put("error", e)

    worker = threading.Thread(target=work, name="kg-mirror-reader", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = slot.get()
            if kind == "done":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        worker.join()


def _chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Lists of at most ``size`` consecutive items of a stream."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def paper_entities(store: Store, paper_ids: Iterable[str]) -> set[str]:
    """Ids of the entities the stored papers mention or link to (edges and claims included).

    Call it before ``kg add``/``kg remove`` changes those papers and pass the result
    to :func:`apply_changes` as ``touched_entities``: an entity a removed paper only
    mentioned (without an edge) may change its name or aliases, and the database has
    no other way to know. Papers the store does not hold give nothing.

    Raises:
        StoreError: the store's tables lack a column the mirror reads.
    """
    return _StoreRows(store).entities_of(paper_ids)


def mirror_info(driver: neo4j.Driver, database: str | None = "neo4j") -> dict[str, Any] | None:
    """The ``KgMirror`` node's properties, or ``None`` when the database records no mirror.

    Keys: ``store_id``, ``store_path``, ``fingerprint``, ``papers``, ``state``
    (``complete``; ``loading``/``updating`` while a write runs or after one stopped
    half-way; ``modified`` after :func:`load_graph` wrote other data), ``loaded_at``
    (the last full mirror), ``updated_at`` (the last write) and ``kg_version``.

    Raises:
        Neo4jError: the server cannot be reached or rejects the read.
    """
    rows = run_read(driver, _MIRROR_GET, {"id": MIRROR_ID}, database)
    return rows[0]["props"] if rows else None


def _where(store: Store) -> str:
    """The store's folder as an absolute path (what the KgMirror node records)."""
    return str(Path(store.path).resolve())


def _short(store_id: Any) -> str:
    return str(store_id or "?")[:8]


def check_mirror(driver: neo4j.Driver, store: Store, database: str | None = "neo4j") -> str | None:
    """Why the database cannot answer for ``store``, in one line, or ``None`` when it mirrors it as it is now.

    The line says what the database holds instead (nothing, an unrecorded graph,
    an unfinished load, another store, an older state of this store) and ends with the
    command that fixes it (`kg load --store PATH`). The CLI prints it and refuses to
    answer a query from Neo4j for ``--store PATH`` while it is not ``None``.

    Raises:
        Neo4jError: the server cannot be reached or rejects the read.
    """
    fix = f"run `kg load --store {store.path}`"
    info = mirror_info(driver, database)
    if info is None:
        if run_read(driver, _COUNT_NODES, {}, database)[0]["n"] == 0:
            return f"the Neo4j database is empty: {fix} to load the store into it"
        return (
            "the Neo4j database does not record which store it holds (loaded by an older kg or by load_graph): "
            f"{fix} to make it mirror {store.path}"
        )
    state = info.get("state")
    if state in _WRITING:
        return (
            f"the Neo4j database is incomplete: a write of the store at {info.get('writing_store_path')} "
            f"started {info.get('writing_since')} did not finish: {fix}"
        )
    if info.get("store_id") != store.store_id:
        return (
            f"the Neo4j database mirrors another store ({info.get('store_path')}, id {_short(info.get('store_id'))}), "
            f"not the store at {store.path} (id {_short(store.store_id)}): {fix} to replace it"
        )
    if state != "complete":
        return (f"the Neo4j database was changed after it mirrored the store at {store.path} "
                f"(other data was loaded): {fix}")
    if info.get("fingerprint") != _fingerprint(store):
        then = info.get("papers")
        return (
            f"the Neo4j database mirrors an older state of the store at {store.path} "
            f"({then} paper{'s' * (then != 1)}, written {info.get('updated_at')}; "
            f"the store has {store.paper_count()} now): {fix}"
        )
    return None


def _begin(driver: neo4j.Driver, database: str | None, store: Store, state: str) -> None:
    """Mark the mirror as being written: a stopped write leaves it marked, never 'complete'."""
    _write(driver, _MIRROR_BEGIN, {"id": MIRROR_ID, "state": state, "store_id": store.store_id,
                                   "store_path": _where(store), "at": _now()}, database)


def _complete(driver: neo4j.Driver, database: str | None, store: Store, fingerprint: str, papers: int,
              loaded_at: str | None = None) -> None:
    """Record that the database now mirrors ``store`` at ``fingerprint``."""
    at = _now()
    props = {
        "id": MIRROR_ID, "store_id": store.store_id, "store_path": _where(store), "fingerprint": fingerprint,
        "papers": papers, "state": "complete", "loaded_at": loaded_at or at, "updated_at": at,
        "kg_version": kg.__version__,
    }
    _write(driver, _MIRROR_SET, {"id": MIRROR_ID, "props": props}, database)


def _write_entities(loader: _Loader, entities: Iterable[Entity], count: bool = True) -> None:
    """MERGE entity nodes with their current name, aliases and keys, grouped by label."""
    by_label: dict[NodeLabel, list[dict[str, Any]]] = {}
    for entity in entities:
        by_label.setdefault(entity.label, []).append(entity_row(entity))
    for label, rows in by_label.items():
        loader.run(_node_cypher(label), rows, count=count)


def _delete_missing(loader: _Loader, label: NodeLabel, present: Callable[[list[str]], set[str]],
                    delete: Callable[[list[str]], None], page: int = 10_000) -> None:
    """Page through the ids of ``label`` in the database and delete those ``present`` does not return."""
    after = ""
    while True:
        ids = [r["id"] for r in loader.read(_PAGE_IDS.format(label=NodeLabel(label).value), after=after, limit=page)]
        if not ids:
            return
        missing = sorted(set(ids) - present(ids))
        if missing:
            delete(missing)
        after = ids[-1]


def _delete_entities(loader: _Loader, ids: Sequence[str]) -> None:
    """Delete entity nodes by id whatever their label (an id lookup per label)."""
    for type_ in EntityType:
        loader.run(_DELETE_NODES.format(label=NodeLabel(type_.value).value), list(ids))


# The store's tables are read directly (kg/store/embedded.py): building a pydantic model per
# edge costs more than Neo4j takes to write it. The rows equal those that node_rows/edge_rows
# make from the store's models (tests/store/test_neo4j_mirror.py checks); the columns read are
# checked when the reader opens, so a store whose tables lack one is refused, never misread.
_EDGE_SQL_COLUMNS = ('type', 'source', 'target', 'source_label', 'target_label', 'evidence', 'start', '"end"',
                     'field', 'extractor', 'confidence', 'paper_id')
_EDGE_PROPS = ("evidence", "start", "end", "field", "extractor", "confidence")
_JSON_COLUMNS = frozenset({"authors", "categories", "aliases"})
_BOOL_COLUMNS = frozenset({"is_baseline"})  # SQLite keeps 0/1; Neo4j gets the boolean a GraphData load writes
_SQL_CHUNK = 500


class _StoreRows:
    """Neo4j rows of a store's papers, claims and edges, read with SQL from its tables.

    Raises:
        StoreError: a table lacks a column the reader needs (a store layout it does not know).
    """

    def __init__(self, store: Store) -> None:
        self.conn = store.conn
        columns = {table: {row[1] for row in self.conn.execute(f"PRAGMA table_info({table})")}
                   for table in ("papers", "claims", "edges", "entities", "mentions")}
        needed = {
            "papers": {"id", "title", "abstract"},
            "claims": set(Claim.model_fields),
            "edges": {c.strip('"') for c in _EDGE_SQL_COLUMNS},
            "entities": {"id"},
            "mentions": {"paper_id", "entity_id"},
        }
        for table, names in needed.items():
            if missing := sorted(names - columns[table]):
                raise StoreError(
                    f"kg store at {store.path}: table {table} has no column {', '.join(missing)}; "
                    "this kg cannot mirror it into Neo4j (build the store again with this kg)"
                )
        self.paper_columns = [c for c in Paper.model_fields if c in columns["papers"]]
        self.claim_columns = list(Claim.model_fields)
        self._groups: dict[tuple[str, str, str], EdgeGroup] = {}

    def _select(self, sql: str, ids: Sequence[str], *first: Any) -> Iterator[Any]:
        """Rows of ``sql`` as tuples (one ``{ids}`` placeholder for ``IN (...)``, after the ``first``
        parameters) over ``ids`` in chunks."""
        cursor = self.conn.cursor()
        cursor.row_factory = None  # plain tuples: the store's sqlite3.Row costs more per row
        for chunk in batched(list(ids), _SQL_CHUNK):
            yield from cursor.execute(sql.format(ids=",".join("?" * len(chunk))), [*first, *chunk])

    @staticmethod
    def _props(columns: Sequence[str], values: Sequence[Any]) -> dict[str, Any]:
        return {c: json.loads(v) if c in _JSON_COLUMNS else bool(v) if c in _BOOL_COLUMNS else v
                for c, v in zip(columns, values) if v is not None}

    def _edge(self, row: Sequence[Any], paper_ids: list[str]) -> tuple[EdgeGroup, dict[str, Any]]:
        props = {k: v for k, v in zip(_EDGE_PROPS, row[5:11]) if v is not None}
        props["paper_ids"] = paper_ids
        key = (row[0], row[3], row[4])
        group = self._groups.get(key)
        if group is None:  # the enums check the type and labels once per kind of edge
            group = self._groups[key] = (EdgeType(row[0]), NodeLabel(row[3]), NodeLabel(row[4]))
        return group, {"source": row[1], "target": row[2], "props": props}

    def chunk(self, paper_ids: Sequence[str], *, evaluated_on: bool) -> _Prepared:
        """The rows of the given papers: nodes, their edges and claims, what each keeps.

        ``evaluated_on``: also the EVALUATED_ON edges these papers back, each with every
        stored paper that backs it (else they are left to :meth:`evaluated_on`).
        """
        ids = sorted(set(paper_ids))
        with _gc_paused():
            nodes: dict[NodeLabel, list[dict[str, Any]]] = {NodeLabel.PAPER: [], NodeLabel.CLAIM: []}
            cols = self.paper_columns
            for row in self._select(f"SELECT {', '.join(cols)} FROM papers WHERE id IN ({{ids}})", ids):
                nodes[NodeLabel.PAPER].append({"id": row[0], "props": self._props(cols, row)})
            keep: dict[str, list[list[str]]] = {r["id"]: [] for r in nodes[NodeLabel.PAPER]}
            claims_of: dict[str, list[str]] = {pid: [] for pid in keep}
            claim_keep: dict[str, list[list[str]]] = {}
            paper_of: dict[str, str] = {}
            cols = self.claim_columns
            quoted = ", ".join(f'"{c}"' for c in cols)
            for row in self._select(f"SELECT {quoted} FROM claims WHERE paper_id IN ({{ids}}) ORDER BY id", ids):
                props = self._props(cols, row)
                nodes[NodeLabel.CLAIM].append({"id": props["id"], "props": props})
                claims_of.setdefault(props["paper_id"], []).append(props["id"])
                claim_keep[props["id"]] = []
                paper_of[props["id"]] = props["paper_id"]
            edges: dict[EdgeGroup, list[dict[str, Any]]] = {}
            # The edges of a paper are those from it and from its claims, merged over their rows as
            # Store.iter_edges merges them: the first row's properties, every row's paper id.
            sources = sorted([*keep, *claim_keep])
            # (a source's rows all come from one SQL chunk, in index order: equal keys are adjacent)
            sql = (f"SELECT {', '.join(_EDGE_SQL_COLUMNS)} FROM edges WHERE source IN ({{ids}}) "
                   "ORDER BY source, type, target, paper_id")
            for _key, group in groupby(self._select(sql, sources), key=lambda r: (r[0], r[1], r[2])):
                members = list(group)
                row = members[0]
                edge_group, edge = self._edge(row, [m[11] for m in members])
                edges.setdefault(edge_group, []).append(edge)
                if row[3] == NodeLabel.PAPER.value:
                    keep.setdefault(row[1], []).append([row[0], row[2]])
                else:
                    claim_keep.setdefault(row[1], []).append([row[0], row[2]])
            sql = "SELECT DISTINCT source, target FROM edges WHERE type = ? AND paper_id IN ({ids})"
            pairs = {(r[0], r[1]) for r in self._select(sql, ids, EdgeType.EVALUATED_ON.value)}
            if evaluated_on:
                for group, edge in self.evaluated_on(sorted(pairs)):
                    edges.setdefault(group, []).append(edge)
        nodes = {label: rows for label, rows in nodes.items() if rows}
        stale = (
            [{"id": pid, "keep": pairs_, "claims": claims_of.get(pid, [])} for pid, pairs_ in keep.items()],
            [{"id": cid, "keep": pairs_, "paper": paper_of.get(cid)} for cid, pairs_ in claim_keep.items()],
            [f"{a}\u001f{b}" for a, b in sorted(pairs)],
        )
        return _Prepared(nodes, edges, stale, list(keep), evaluated_on=evaluated_on)

    def evaluated_on(self, pairs: Sequence[tuple[str, str]] | None = None) -> Iterator[tuple[EdgeGroup, dict]]:
        """EVALUATED_ON rows as the store merges them: the first paper's properties, every paper's id.

        All of them in (source, target) order, or those of ``pairs`` that still exist.
        """
        cols = ", ".join(_EDGE_SQL_COLUMNS)
        cursor = self.conn.cursor()
        cursor.row_factory = None
        if pairs is None:
            rows: Iterable[Any] = cursor.execute(
                f"SELECT {cols} FROM edges WHERE type = ? ORDER BY source, target, paper_id",
                (EdgeType.EVALUATED_ON.value,))
        else:
            rows = (row for source, target in pairs for row in cursor.execute(
                f"SELECT {cols} FROM edges WHERE source = ? AND type = ? AND target = ? ORDER BY paper_id",
                (source, EdgeType.EVALUATED_ON.value, target)))
        for _key, group in groupby(rows, key=lambda r: (r[1], r[2])):
            members = list(group)
            yield self._edge(members[0], [m[11] for m in members])

    def has_evaluated_on(self, source: str, target: str) -> bool:
        return self.conn.execute(
            "SELECT 1 FROM edges WHERE source = ? AND type = ? AND target = ? LIMIT 1",
            (source, EdgeType.EVALUATED_ON.value, target)).fetchone() is not None

    def stored(self, table: Literal["papers", "entities"], ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` the store's papers or entities table holds."""
        return {r[0] for r in self._select(f"SELECT id FROM {table} WHERE id IN ({{ids}})", ids)}

    def entities_of(self, paper_ids: Iterable[str]) -> set[str]:
        """Ids of the entities the given papers mention, or reach by an edge of theirs or of their claims."""
        ids = sorted(set(paper_ids))
        out = {r[0] for r in self._select("SELECT DISTINCT entity_id FROM mentions WHERE paper_id IN ({ids})", ids)}
        sql = "SELECT DISTINCT source, target, source_label, target_label FROM edges WHERE paper_id IN ({ids})"
        for source, target, source_label, target_label in self._select(sql, ids):
            out.update(node for node, label in ((source, source_label), (target, target_label))
                       if label in _ENTITY_LABELS)
        return out


_ALL_EVALUATED_ON = (
    "MATCH (s)-[:EVALUATED_ON]->(t) RETURN labels(s)[0] AS source_label, s.id AS source, "
    "labels(t)[0] AS target_label, t.id AS target"
)
_DELETE_EVALUATED_ON = (
    "UNWIND $rows AS row MATCH (:{source} {{id: row.source}})-[r:EVALUATED_ON]->(:{target} {{id: row.target}}) "
    "DELETE r"
)


def _sync_evaluated_on(loader: _Loader, rows: _StoreRows) -> None:
    """Make the EVALUATED_ON edges those of the store: each written once with its complete
    ``paper_ids``, and those the store does not have deleted."""
    batch: dict[EdgeGroup, list[dict[str, Any]]] = {}
    for group, edge in rows.evaluated_on():
        batch.setdefault(group, []).append(edge)
        if len(batch[group]) >= loader.batch_size:
            loader.run(_edge_cypher(group, exact=True), batch.pop(group), count=True)
    for group, edges in batch.items():
        loader.run(_edge_cypher(group, exact=True), edges, count=True)
    stale: dict[tuple[NodeLabel, NodeLabel], list[dict[str, str]]] = {}

    def collect(tx: neo4j.ManagedTransaction) -> None:
        # streamed record by record: only the edges to delete are kept
        for r in tx.run(_ALL_EVALUATED_ON):
            if not rows.has_evaluated_on(r["source"], r["target"]):
                ends = (NodeLabel(r["source_label"]), NodeLabel(r["target_label"]))
                stale.setdefault(ends, []).append({"source": r["source"], "target": r["target"]})

    try:
        with loader.driver.session(database=loader.database, default_access_mode=neo4j.READ_ACCESS) as session:
            session.execute_read(collect)
    except (driver_errors.DriverError, driver_errors.Neo4jError, OSError) as e:
        raise Neo4jError(f"Neo4j read failed (EVALUATED_ON edges): {' '.join(str(e).split())}") from e
    for (source, target), edges in stale.items():
        loader.run(_DELETE_EVALUATED_ON.format(source=source.value, target=target.value), edges)


def _write_chunks(loader: _Loader, chunks: Iterator[_Prepared], writers: int) -> None:
    """Write the chunks of a mirror, ``writers`` of them at a time, each by :func:`_write_data`.

    One transaction runs on one core of the server, so a single writer leaves the other
    cores (and the time this process spends making rows) idle; chunks of different papers
    can go side by side. They share only entity nodes, the targets of their edges. Each
    batch takes its locks in row order, so the rows of every edge group are sorted by
    target: two transactions then meet on shared nodes in the same order and do not
    deadlock; the rare deadlock left (the server's dense-node locks) is a transient error
    the driver retries. The store is read in another thread, one chunk ahead.
    """
    with contextlib.closing(_ahead(chunks)) as ahead, ThreadPoolExecutor(
            writers, thread_name_prefix="kg-mirror-writer") as pool:
        pending: set[Future[set[str]]] = set()
        for prepared in ahead:
            for edge_rows_ in prepared.edges.values():
                edge_rows_.sort(key=lambda row: row["target"])
            pending.add(pool.submit(_write_data, loader, prepared, exact=True))
            if len(pending) >= writers:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    future.result()  # a failed chunk stops the mirror (its error is raised here)
        for future in pending:
            future.result()


def mirror_store(
    driver: neo4j.Driver,
    store: Store,
    database: str | None = "neo4j",
    batch_size: int = 1000,
    progress: Progress | None = None,
    *,
    papers_per_chunk: int = MIRROR_CHUNK,
    writers: int = MIRROR_WRITERS,
) -> LoadSummary:
    """Make the database hold exactly the graph of ``store``, and record that it does.

    Streams the store, never holding more than ``papers_per_chunk`` papers' rows:

    1. papers the database holds and the store does not are deleted, with their edges
       and claims (as are claims whose paper is not there; their ids leave EVALUATED_ON
       edges in step 4);
    2. every entity of the store is merged with its current name, aliases and keys;
    3. the store's papers, ``papers_per_chunk`` at a time, are written as
       :func:`load_graph` writes them (same statements, same replacement of a
       re-loaded paper's stale edges and claims), ``writers`` chunks at a time
       (see :func:`_write_chunks`);
    4. every EVALUATED_ON edge of the store is written once with its complete
       ``paper_ids``, and those the store does not have are deleted;
    5. entities the store does not have are deleted (with any relationship left);
    6. the ``KgMirror`` node records the store's id, path and fingerprint
       (``state`` is ``loading`` from the start until this last step).

    Loading store A then store B leaves exactly B; mirroring the same store twice
    creates and deletes nothing the second time. Nodes of labels that are not kg's
    are left alone.

    Args:
        driver: from :func:`connect`.
        store: an open store (``kg.open_store``).
        database: the Neo4j database (``None``: the server's default).
        batch_size: rows per transaction.
        progress: called as ``progress(rows_written, rows_total)``; the total is the
            store's nodes and edges.
        papers_per_chunk: papers read from the store per round.
        writers: chunks written at the same time, each in its own transactions.

    Raises:
        Neo4jError: a statement fails on the server or the connection drops.
        StoreError: the store's tables lack a column the mirror reads.
        ValueError: ``batch_size``, ``papers_per_chunk`` or ``writers`` is below 1.
    """
    if papers_per_chunk < 1:
        raise ValueError(f"papers_per_chunk must be at least 1, got {papers_per_chunk}")
    if writers < 1:
        raise ValueError(f"writers must be at least 1, got {writers}")
    started = time.perf_counter()
    rows = _StoreRows(store)
    fingerprint, counts = _fingerprint(store), store.counts()
    nodes, edges = counts["nodes"], counts["edges"]
    loader = _Loader(driver, database, batch_size, progress, sum(nodes.values()) + sum(edges.values()))
    apply_schema(driver, database)
    _begin(driver, database, store, "loading")

    _delete_missing(loader, NodeLabel.PAPER, lambda ids: rows.stored("papers", ids),
                    lambda ids: _delete_papers(loader, ids, evaluated_on=False))
    loader.once(_DELETE_CLAIMS_WITHOUT_PAPER)
    for entities in _chunked(store.iter_entities(), batch_size):
        _write_entities(loader, entities)
    chunks = (rows.chunk(ids, evaluated_on=False) for ids in _chunked(store.paper_ids(), papers_per_chunk))
    _write_chunks(loader, chunks, writers)
    _sync_evaluated_on(loader, rows)
    for type_ in EntityType:
        label = NodeLabel(type_.value)
        _delete_missing(loader, label, lambda ids: rows.stored("entities", ids),
                        lambda ids, label=label: loader.run(_DELETE_NODES.format(label=label.value), ids))
    _complete(driver, database, store, fingerprint, nodes.get(NodeLabel.PAPER.value, 0))
    summary = loader.finish(started)
    summary.mode = "mirror"
    summary.papers, summary.claims = nodes.get(NodeLabel.PAPER.value, 0), nodes.get(NodeLabel.CLAIM.value, 0)
    summary.entities = sum(n for label, n in nodes.items() if label in _ENTITY_LABELS)
    summary.edges = sum(edges.values())
    return summary


def apply_changes(
    driver: neo4j.Driver,
    store: Store,
    changed_ids: Iterable[str],
    removed_ids: Iterable[str],
    database: str | None = "neo4j",
    batch_size: int = 1000,
    progress: Progress | None = None,
    *,
    previous_fingerprint: str | None = None,
    touched_entities: Iterable[str] = (),
    papers_per_chunk: int = MIRROR_CHUNK,
) -> LoadSummary:
    """Bring a mirror of ``store`` up to date after ``kg add``/``kg remove``, writing only the changed papers.

    Only when the database mirrors this store (same ``store_id``, state ``complete``)
    and, if ``previous_fingerprint`` is given, mirrors it as it was before the change
    (the store's ``fingerprint()`` taken before ``kg add``/``kg remove``). Otherwise it
    falls back to a full :func:`mirror_store` (``summary.mode == "mirror"``): the
    result is the same database, only slower. Callers that ran :func:`check_mirror`
    before the change and got ``None`` may leave ``previous_fingerprint`` out.

    What it writes:

    - papers of ``changed_ids`` the store holds (added or updated): their nodes,
      claims and edges as :func:`mirror_store` writes them, replacing what an updated
      paper had; EVALUATED_ON edges they back get the store's current ``paper_ids``;
    - papers of ``removed_ids`` (and of ``changed_ids``) the store no longer holds:
      deleted with their edges and claims, and taken out of EVALUATED_ON edges, which
      go when no paper backs them any more and otherwise take their properties from
      the store's first remaining paper;
    - entities: those the changed papers mention or link to, the far ends of every
      deleted edge, ``touched_entities``, and (after a removal or an update) the
      entities left without any relationship are set to the store's current name,
      aliases and keys, or deleted when the store no longer has them;
    - the ``KgMirror`` node gets the store's new fingerprint.

    Afterwards the database equals a fresh ``mirror_store`` of the store (same nodes,
    relationships and properties). One gap without ``touched_entities``: an entity
    that a removed or updated paper only mentioned, without an edge, and that other
    papers still link to keeps its old name and aliases until the next full mirror;
    pass ``paper_entities(store, ids)`` taken before the change, or after ``kg.add`` its
    ``WriteReport.replaced_entities`` (``kg add --neo4j`` and ``kg remove --neo4j`` do), to close it.

    Args:
        driver: from :func:`connect`.
        store: the store after the change, opened read-only.
        changed_ids: ids of the papers added or updated (``WriteReport`` of ``kg.add``).
        removed_ids: ids of the papers removed (``kg.remove``).
        database: the Neo4j database (``None``: the server's default).
        batch_size: rows per transaction.
        progress: called as ``progress(papers_done, papers_total)``.
        previous_fingerprint: the store's fingerprint before the change.
        touched_entities: entity ids the changed and removed papers mentioned before
            the change (:func:`paper_entities`).
        papers_per_chunk: changed papers read from the store per round.

    Raises:
        Neo4jError: a statement fails on the server or the connection drops.
        StoreError: the store's tables lack a column the mirror reads.
        ValueError: ``batch_size`` or ``papers_per_chunk`` is below 1.
    """
    if papers_per_chunk < 1:
        raise ValueError(f"papers_per_chunk must be at least 1, got {papers_per_chunk}")
    info = mirror_info(driver, database)
    in_sync = (
        info is not None
        and info.get("state") == "complete"
        and info.get("store_id") == store.store_id
        and (previous_fingerprint is None or info.get("fingerprint") == previous_fingerprint)
    )
    if not in_sync:
        return mirror_store(driver, store, database, batch_size, progress, papers_per_chunk=papers_per_chunk)
    started = time.perf_counter()
    rows = _StoreRows(store)
    fingerprint = _fingerprint(store)
    asked = list(dict.fromkeys([*changed_ids, *removed_ids]))
    stored = set(store.stored_hashes(asked))
    to_write = sorted(pid for pid in asked if pid in stored)
    to_delete = sorted(pid for pid in asked if pid not in stored)
    loader = _Loader(driver, database, batch_size, None, len(asked))
    _begin(driver, database, store, "updating")
    # EVALUATED_ON edges the stored versions of these papers back: when some of their papers
    # go, the rest keep the edge, whose properties must then come from the store's new first paper.
    before = _existing_papers(driver, asked, database)
    backed = [(r["source"], r["target"]) for r in loader.read(_EVALUATED_ON_OF, papers=dict.fromkeys(before, True))
              ] if before else []

    def advance(n: int) -> None:
        loader.done = min(loader.done + n, loader.total)
        if progress is not None:
            progress(loader.done, loader.total)

    for ids in _chunked(to_delete, 2000):
        _delete_papers(loader, ids)
        advance(len(ids))
    written: set[str] = set()
    for ids in _chunked(to_write, papers_per_chunk):
        prepared = rows.chunk(ids, evaluated_on=True)
        wanted = paper_entities(store, ids)
        entities = list(store.iter_entities(wanted))
        _write_entities(loader, entities, count=False)
        _write_data(loader, prepared, exact=True)
        written.update(e.id for e in entities)
        loader.summary.entities += len(entities)
        loader.summary.claims += len(prepared.nodes.get(NodeLabel.CLAIM, []))
        loader.summary.edges += sum(map(len, prepared.edges.values()))
        advance(len(ids))
    for pairs in _chunked(backed, 10_000):
        by_group: dict[EdgeGroup, list[dict[str, Any]]] = {}
        for group, edge in rows.evaluated_on(pairs):
            by_group.setdefault(group, []).append(edge)
        for group, edges in by_group.items():
            loader.run(_edge_cypher(group, exact=True), edges)
    candidates = {node for label, node in loader.ends if label in _ENTITY_LABELS} | set(touched_entities)
    if before:  # a paper the database held was removed or updated: it may have left an entity without edges
        for type_ in EntityType:
            found = loader.read(_ISOLATED.format(label=NodeLabel(type_.value).value))
            candidates.update(r["id"] for r in found)
    candidates -= written
    present = list(store.iter_entities(candidates))
    _write_entities(loader, present, count=False)
    _delete_entities(loader, sorted(candidates - {e.id for e in present}))
    _complete(driver, database, store, fingerprint, store.paper_count(), info.get("loaded_at"))
    summary = loader.finish(started)
    summary.mode = "changes"
    summary.papers = len(to_write)
    return summary


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
