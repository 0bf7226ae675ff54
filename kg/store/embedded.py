"""The embedded store: one indexed SQLite file in a folder, no server.

Layout of a store folder (default ``./kg-out``, or ``$KG_STORE``):

- ``kg.sqlite`` (WAL mode): papers with their extraction record and content
  hash, entities with every form seen, edges with their evidence, claims, a
  log of the commands that wrote the store and a small ``meta`` table (store
  id, versions, content fingerprint);
- ``.lock``: held by the one process that writes (``kg build``/``add``/``remove``).

Every paper's rows (mentions, edges, claims) carry its id, so a paper is
replaced or removed without touching other papers, and an entity's name and
aliases are recomputed from its ``entity_forms`` counts when its papers change.
``EVALUATED_ON`` rows are stored per supporting paper and merged on read.
Writes happen in transactions of whole papers; a reader never sees half a paper.

Example:
    >>> store = open_store("kg-out")  # doctest: +SKIP
    >>> store.counts()["nodes"]["Paper"]  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import sqlite3
import stat
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from enum import Enum
from itertools import groupby
from pathlib import Path
from typing import Any, NamedTuple

import kg
from kg.errors import StoreError
from kg.link.paper import PaperLink, entity_from_forms
from kg.models import (
    SCHEMA_VERSION,
    Claim,
    Edge,
    EdgeType,
    Entity,
    EntityType,
    Extraction,
    GraphData,
    NodeLabel,
    Paper,
    normalize_name,
)

DEFAULT_STORE = "kg-out"
STORE_ENV = "KG_STORE"
DB_FILE = "kg.sqlite"
LOCK_FILE = ".lock"
STORE_FORMAT = "kg-store"
# Version of the table layout; a store of another version is rebuilt, not migrated.
# 3: claims gained quantity, direction, baseline, is_baseline, base_model, subject_phrase.
STORE_VERSION = 3
_SEP = "\x1f"
EVALUATED_ON = EdgeType.EVALUATED_ON.value

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS papers (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, abstract TEXT NOT NULL, source TEXT NOT NULL DEFAULT '',
    url TEXT, year INTEGER, date TEXT, authors TEXT NOT NULL DEFAULT '[]', categories TEXT NOT NULL DEFAULT '[]',
    content_hash TEXT NOT NULL, extraction TEXT NOT NULL, run INTEGER
);
CREATE TABLE IF NOT EXISTS entities (
    id TEXT PRIMARY KEY, type TEXT NOT NULL, name TEXT NOT NULL, aliases TEXT NOT NULL DEFAULT '[]',
    canonical TEXT
);
CREATE TABLE IF NOT EXISTS mentions (
    paper_id TEXT NOT NULL, entity_id TEXT NOT NULL, form TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (paper_id, entity_id, form)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS entity_forms (
    entity_id TEXT NOT NULL, form TEXT NOT NULL, norm TEXT NOT NULL, papers INTEGER NOT NULL,
    mentions INTEGER NOT NULL, PRIMARY KEY (entity_id, form)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS edges (
    paper_id TEXT NOT NULL, type TEXT NOT NULL, source TEXT NOT NULL, target TEXT NOT NULL,
    source_label TEXT NOT NULL, target_label TEXT NOT NULL, evidence TEXT NOT NULL DEFAULT '',
    start INTEGER, "end" INTEGER, field TEXT, extractor TEXT NOT NULL DEFAULT '',
    confidence REAL NOT NULL DEFAULT 1.0
);
CREATE TABLE IF NOT EXISTS claims (
    id TEXT PRIMARY KEY, paper_id TEXT NOT NULL, value REAL NOT NULL, unit TEXT, kind TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '', subject TEXT, dataset TEXT, metric TEXT, compared_to TEXT,
    quantity TEXT, direction TEXT, baseline REAL, is_baseline INTEGER NOT NULL DEFAULT 0, base_model TEXT,
    subject_phrase TEXT, start INTEGER, "end" INTEGER, field TEXT
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, command TEXT NOT NULL, started TEXT NOT NULL, finished TEXT,
    batches INTEGER NOT NULL DEFAULT 0, report TEXT NOT NULL DEFAULT '{}'
);"""

# Secondary indexes: made with the tables for a store written in place, and
# after the rows for a new store (``fresh_store``), which is much faster.
_INDEXES = """
CREATE INDEX IF NOT EXISTS entities_name ON entities (name);
CREATE INDEX IF NOT EXISTS mentions_entity ON mentions (entity_id, paper_id);
CREATE INDEX IF NOT EXISTS entity_forms_norm ON entity_forms (norm);
CREATE INDEX IF NOT EXISTS edges_paper ON edges (paper_id);
CREATE INDEX IF NOT EXISTS edges_target ON edges (target, type);
CREATE INDEX IF NOT EXISTS edges_source ON edges (source, type, target, paper_id);
CREATE INDEX IF NOT EXISTS claims_paper ON claims (paper_id);
"""

_PAPER_COLUMNS = ("id", "title", "abstract", "source", "url", "year", "date", "authors", "categories")
_CLAIM_COLUMNS = tuple(Claim.model_fields)
_EDGE_COLUMNS = (
    "type", "source", "target", "source_label", "target_label", "evidence", "start", "end", "field",
    "extractor", "confidence",
)


def default_store_path() -> Path:
    """The store folder when none is given: ``$KG_STORE``, else ``./kg-out``."""
    return Path(os.environ.get(STORE_ENV) or DEFAULT_STORE)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def content_hash(title: str, abstract: str) -> str:
    """What decides whether a paper changed: a digest of its title and abstract."""
    return hashlib.sha256(f"{title}\x00{abstract}".encode("utf-8", "surrogatepass")).hexdigest()


def _paper_token(paper_id: str, digest: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{paper_id}\x00{digest}".encode("utf-8", "surrogatepass")).digest()[:16])


def _q(n: int) -> str:
    return ",".join("?" * n)


def _chunks(items: Sequence[Any], size: int = 500) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# ------------------------------------------------------------------ opening


def _connect(db: Path, *, readonly: bool) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=30, check_same_thread=False)
    else:
        conn = sqlite3.connect(db, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA cache_size=-65536")
    conn.execute("PRAGMA temp_store=MEMORY")
    conn.row_factory = sqlite3.Row
    return conn


def _old_format(path: Path) -> bool:
    return (path / "graph.json").is_file() and (path / "manifest.json").is_file()


_NAMING_BATCH = 10_000  # entity renames per executemany in finish_bulk


class Store:
    """An open embedded store. Read methods stream rows; write methods need ``writable=True``.

    Use ``open_store`` to open one and ``create_store`` (or ``kg.build``) to make one.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection, *, writable: bool) -> None:
        self.path = path
        self.conn = conn
        self.writable = writable
        self._lock_fd: int | None = None
        # A new store being filled (fresh_store): no rows to replace, indexes and
        # entity names made once at the end (finish_bulk).
        self.bulk = False
        self._pinned: set[str] = set()  # entities written by write_data keep their given names

    # -------------------------------------------------------------- lifecycle

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            if self.writable:
                self.conn.execute("PRAGMA optimize")
            self.conn.close()
        if self._lock_fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
                os.close(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def db_path(self) -> Path:
        return self.path / DB_FILE

    # -------------------------------------------------------------- meta

    def meta(self) -> dict[str, Any]:
        """The ``meta`` table as a dict of JSON values."""
        # read every time (a few rows): another process may have written the store since
        return {r["key"]: json.loads(r["value"]) for r in self.conn.execute("SELECT key, value FROM meta")}

    def _set_meta(self, **values: Any) -> None:
        self.conn.executemany(
            "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [(k, json.dumps(v, ensure_ascii=False)) for k, v in values.items()],
        )

    @property
    def store_id(self) -> str:
        return str(self.meta().get("store_id", ""))

    def fingerprint(self) -> str:
        """A digest of the store's content (paper ids and texts), independent of the order they came in."""
        meta = self.meta()
        return f"{meta.get('paper_count', 0)}-{int(meta.get('fingerprint', '0'), 16):032x}"

    # -------------------------------------------------------------- counts

    def paper_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM papers").fetchone()[0])

    def counts(self) -> dict[str, dict[str, int]]:
        """Nodes per label and edges per type (EVALUATED_ON counted once per pair), sorted by name."""
        nodes: dict[str, int] = {}
        n = self.paper_count()
        if n:
            nodes[NodeLabel.PAPER.value] = n
        for row in self.conn.execute("SELECT type, count(*) AS n FROM entities GROUP BY type"):
            nodes[row["type"]] = row["n"]
        n = self.conn.execute("SELECT count(*) FROM claims").fetchone()[0]
        if n:
            nodes[NodeLabel.CLAIM.value] = n
        edges = {r["type"]: r["n"] for r in self.conn.execute(
            "SELECT type, count(*) AS n FROM edges WHERE type != ? GROUP BY type", (EVALUATED_ON,)
        )}
        n = self.conn.execute(
            "SELECT count(*) FROM (SELECT DISTINCT source, target FROM edges WHERE type = ?)", (EVALUATED_ON,)
        ).fetchone()[0]
        if n:
            edges[EVALUATED_ON] = n
        return {"nodes": dict(sorted(nodes.items())), "edges": dict(sorted(edges.items()))}

    # -------------------------------------------------------------- papers

    def stored_hashes(self, ids: Sequence[str]) -> dict[str, str]:
        """``paper id -> content hash`` for the given ids that the store holds."""
        out: dict[str, str] = {}
        for chunk in _chunks(list(ids)):
            for row in self.conn.execute(f"SELECT id, content_hash FROM papers WHERE id IN ({_q(len(chunk))})", chunk):
                out[row["id"]] = row["content_hash"]
        return out

    def has_paper(self, paper_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM papers WHERE id = ?", (paper_id,)).fetchone() is not None

    @staticmethod
    def _paper(row: sqlite3.Row) -> Paper:
        props = {
            "id": row["id"], "title": row["title"], "abstract": row["abstract"], "source": row["source"],
            "url": row["url"], "year": row["year"], "authors": json.loads(row["authors"]),
            "categories": json.loads(row["categories"]),
        }
        if "date" in Paper.model_fields:
            props["date"] = row["date"]
        return Paper(**props)

    def iter_papers(self, ids: Sequence[str] | None = None) -> Iterator[Paper]:
        """Papers in id order (all, or those of ``ids`` that are stored)."""
        cols = ", ".join(_PAPER_COLUMNS)
        if ids is None:
            for row in self.conn.execute(f"SELECT {cols} FROM papers ORDER BY id"):
                yield self._paper(row)
            return
        for chunk in _chunks(sorted(set(ids))):
            yield from (self._paper(r) for r in self.conn.execute(
                f"SELECT {cols} FROM papers WHERE id IN ({_q(len(chunk))}) ORDER BY id", chunk
            ))

    def paper_ids(self) -> Iterator[str]:
        for row in self.conn.execute("SELECT id FROM papers ORDER BY id"):
            yield row[0]

    def iter_extractions(self) -> Iterator[Extraction]:
        """Each paper's extraction record (the gold format), in id order."""
        for row in self.conn.execute("SELECT id, title, abstract, extraction FROM papers ORDER BY id"):
            record = json.loads(row["extraction"])
            yield Extraction.model_validate({**record, "id": row["id"], "title": row["title"], "abstract": row["abstract"]})

    # -------------------------------------------------------------- entities

    @staticmethod
    def _entity(row: sqlite3.Row) -> Entity:
        return Entity(id=row["id"], type=EntityType(row["type"]), name=row["name"], aliases=json.loads(row["aliases"]))

    def iter_entities(self, ids: Iterable[str] | None = None) -> Iterator[Entity]:
        """Entities in id order (all, or those of ``ids``)."""
        if ids is None:
            for row in self.conn.execute("SELECT id, type, name, aliases FROM entities ORDER BY id"):
                yield self._entity(row)
            return
        for chunk in _chunks(sorted(set(ids))):
            yield from (self._entity(r) for r in self.conn.execute(
                f"SELECT id, type, name, aliases FROM entities WHERE id IN ({_q(len(chunk))}) ORDER BY id", chunk
            ))

    def entity(self, ident: str) -> Entity | None:
        row = self.conn.execute("SELECT id, type, name, aliases FROM entities WHERE id = ?", (ident,)).fetchone()
        return self._entity(row) if row else None

    # -------------------------------------------------------------- claims and edges

    @staticmethod
    def _claim(row: sqlite3.Row) -> Claim:
        return Claim.model_validate({k: row[k] for k in _CLAIM_COLUMNS if row[k] is not None})

    def iter_claims(self, paper_ids: Sequence[str] | None = None) -> Iterator[Claim]:
        """Claims in id order (all, or those of the given papers)."""
        cols = ", ".join(f'"{c}"' for c in _CLAIM_COLUMNS)
        if paper_ids is None:
            yield from (self._claim(r) for r in self.conn.execute(f"SELECT {cols} FROM claims ORDER BY id"))
            return
        for chunk in _chunks(sorted(set(paper_ids))):
            yield from (self._claim(r) for r in self.conn.execute(
                f"SELECT {cols} FROM claims WHERE paper_id IN ({_q(len(chunk))}) ORDER BY id", chunk
            ))

    @staticmethod
    def _edge(row: sqlite3.Row, paper_ids: list[str]) -> Edge:
        props = {k: row[k] for k in _EDGE_COLUMNS if row[k] is not None}
        return Edge.model_validate({**props, "paper_ids": paper_ids})

    def iter_edges(self, paper_ids: Sequence[str] | None = None) -> Iterator[Edge]:
        """Edges sorted by (source, type, target) (the order of an index, so no sort in memory);
        EVALUATED_ON merged over its papers.

        With ``paper_ids``, the edges those papers support, EVALUATED_ON
        included with the paper ids of every stored paper that supports the
        pair (what a mirror must hold after those papers changed).
        """
        cols = ", ".join(f'"{c}"' for c in _EDGE_COLUMNS)
        if paper_ids is None:
            rows = self.conn.execute(f"SELECT {cols}, paper_id FROM edges ORDER BY source, type, target, paper_id")
            for _key, group in groupby(rows, key=lambda r: (r["type"], r["source"], r["target"])):
                members = list(group)
                yield self._edge(members[0], [m["paper_id"] for m in members])
            return
        pairs: set[tuple[str, str]] = set()
        out: list[Edge] = []
        for chunk in _chunks(sorted(set(paper_ids))):
            for row in self.conn.execute(f"SELECT {cols}, paper_id FROM edges WHERE paper_id IN ({_q(len(chunk))})", chunk):
                if row["type"] == EVALUATED_ON:
                    pairs.add((row["source"], row["target"]))
                else:
                    out.append(self._edge(row, [row["paper_id"]]))
        out.extend(self.evaluated_on(pairs))
        yield from sorted(out, key=lambda e: (e.type.value, e.source, e.target))

    def evaluated_on(self, pairs: Iterable[tuple[str, str]]) -> list[Edge]:
        """The merged EVALUATED_ON edges of the given (source, target) pairs that still exist."""
        cols = ", ".join(f'"{c}"' for c in _EDGE_COLUMNS)
        out = []
        for source, target in sorted(pairs):
            rows = self.conn.execute(
                f"SELECT {cols}, paper_id FROM edges WHERE source = ? AND type = ? AND target = ? ORDER BY paper_id",
                (source, EVALUATED_ON, target),
            ).fetchall()
            if rows:
                out.append(self._edge(rows[0], [r["paper_id"] for r in rows]))
        return out

    def to_data(self) -> GraphData:
        """The whole graph as ``GraphData`` (for small stores, tests and the in-memory tools)."""
        return GraphData(
            papers=list(self.iter_papers()),
            entities=list(self.iter_entities()),
            claims=list(self.iter_claims()),
            edges=sorted(self.iter_edges(), key=lambda e: (e.type.value, e.source, e.target)),
        )

    @property
    def graph(self) -> Any:
        """The whole graph as a networkx ``MultiDiGraph`` (small stores only: it is built in memory)."""
        from kg.graph.builder import build_graph

        return build_graph(self.to_data())

    def query(self, name: str, limit: int | None = None, **args: Any) -> list[dict[str, Any]]:
        """A named query on this store; the rows of ``kg query NAME ... --json --limit 0``.

        ``limit`` keeps the first rows (``None``: all; the CLI shows 200 unless told otherwise).

        Example:
            >>> open_store("kg-out").query("leaderboard", dataset="GSM8K", metric="accuracy")  # doctest: +SKIP
        """
        from kg.query import query

        return query(self, name, limit, **args)

    # -------------------------------------------------------------- runs

    def runs(self) -> list[dict[str, Any]]:
        """The log of the commands that wrote the store, oldest first."""
        return [
            {"id": r["id"], "command": r["command"], "started": r["started"], "finished": r["finished"],
             "batches": r["batches"], "report": json.loads(r["report"])}
            for r in self.conn.execute("SELECT * FROM runs ORDER BY id")
        ]

    def interrupted_runs(self) -> list[dict[str, Any]]:
        """Runs that never finished (killed): what they committed is in the store, whole papers only."""
        return [r for r in self.runs() if r["finished"] is None]

    def last_report(self) -> dict[str, Any]:
        rows = [r for r in self.runs() if r["finished"] is not None]
        return rows[-1]["report"] if rows else {}

    # -------------------------------------------------------------- writes

    def _check_writable(self) -> None:
        if not self.writable:
            raise StoreError(f"kg store at {self.path} is open read-only")

    def begin_run(self, command: str, report: dict[str, Any] | None = None) -> int:
        """Log a writing command; it stays unfinished until ``finish_run`` (a kill leaves it so)."""
        self._check_writable()
        cur = self.conn.execute(
            "INSERT INTO runs (command, started, report) VALUES (?, ?, ?)",
            (command, now(), json.dumps(report or {}, ensure_ascii=False)),
        )
        return int(cur.lastrowid)

    def finish_run(self, run: int, report: dict[str, Any]) -> None:
        self._check_writable()
        self.conn.execute(
            "UPDATE runs SET finished = ?, report = ? WHERE id = ?", (now(), json.dumps(report, ensure_ascii=False), run)
        )

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self._check_writable()
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def _fingerprint_update(self, added: Iterable[tuple[str, str]], removed: Iterable[tuple[str, str]]) -> None:
        meta = self.meta()
        value = int(meta.get("fingerprint", "0"), 16)
        count = int(meta.get("paper_count", 0))
        for pid, digest in added:
            value ^= _paper_token(pid, digest)
            count += 1
        for pid, digest in removed:
            value ^= _paper_token(pid, digest)
            count -= 1
        self._set_meta(fingerprint=f"{value:032x}", paper_count=count, modified=now())

    def _delete_papers(self, ids: Sequence[str]) -> tuple[set[str], list[tuple[str, str]]]:
        """Delete papers' rows; the entities they touched and the (id, hash) of what was stored."""
        touched: set[str] = set()
        removed: list[tuple[str, str]] = []
        c = self.conn
        for chunk in _chunks(list(ids)):
            q = _q(len(chunk))
            removed.extend((r[0], r[1]) for r in c.execute(f"SELECT id, content_hash FROM papers WHERE id IN ({q})", chunk))
            forms = c.execute(f"SELECT entity_id, form, n FROM mentions WHERE paper_id IN ({q})", chunk).fetchall()
            c.executemany(
                "UPDATE entity_forms SET papers = papers - 1, mentions = mentions - ? WHERE entity_id = ? AND form = ?",
                [(r["n"], r["entity_id"], r["form"]) for r in forms],
            )
            c.executemany(
                "DELETE FROM entity_forms WHERE entity_id = ? AND form = ? AND papers <= 0",
                [(r["entity_id"], r["form"]) for r in forms],
            )
            touched.update(r["entity_id"] for r in forms)
            touched.update(
                r[0] for r in c.execute(
                    f"SELECT DISTINCT target FROM edges WHERE paper_id IN ({q}) AND source_label = 'Paper'", chunk
                )
            )
            for table, column in (("mentions", "paper_id"), ("edges", "paper_id"), ("claims", "paper_id"), ("papers", "id")):
                c.execute(f"DELETE FROM {table} WHERE {column} IN ({q})", chunk)
        return {t for t in touched if ":" in t and not t.startswith("claim:")}, removed

    def _insert_rows(self, rows: Sequence[PaperRows], run: int | None) -> set[str]:
        c = self.conn
        c.executemany(
            f"INSERT INTO papers ({', '.join(_PAPER_COLUMNS)}, content_hash, extraction, run) "
            f"VALUES ({_q(len(_PAPER_COLUMNS) + 3)})",
            [(*r.paper, run) for r in rows],
        )
        mentions = [m for r in rows for m in r.mentions]
        self._insert_mentions(mentions)
        c.executemany(_INSERT_EDGE, [e for r in rows for e in r.edges])
        c.executemany(_INSERT_CLAIM, [cl for r in rows for cl in r.claims])
        c.executemany(
            "INSERT INTO entities (id, type, name, canonical) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO NOTHING",
            [(m[1], m[2], m[5] or m[3], m[5]) for m in mentions],
        )
        return {m[1] for m in mentions}

    def _insert_mentions(self, rows: Sequence[MentionRow]) -> None:
        self.conn.executemany(
            "INSERT INTO mentions (paper_id, entity_id, form, n) VALUES (?, ?, ?, ?)",
            [(m[0], m[1], m[3], m[4]) for m in rows],
        )
        self.conn.executemany(
            "INSERT INTO entity_forms (entity_id, form, norm, papers, mentions) VALUES (?, ?, ?, 1, ?) "
            "ON CONFLICT(entity_id, form) DO UPDATE SET papers = papers + 1, mentions = mentions + excluded.mentions",
            [(m[1], m[3], m[6], m[4]) for m in rows],
        )

    def _refresh_entities(self, ids: Iterable[str]) -> None:
        """Recompute name and aliases of entities from their form counts; drop those no paper mentions."""
        c = self.conn
        updates, gone = [], []
        for ident in sorted(ids):
            row = c.execute("SELECT type, canonical FROM entities WHERE id = ?", (ident,)).fetchone()
            if row is None:
                continue
            forms = {r["form"]: (r["papers"], r["mentions"]) for r in c.execute(
                "SELECT form, papers, mentions FROM entity_forms WHERE entity_id = ?", (ident,)
            )}
            if not forms:
                gone.append((ident,))
                continue
            updates.append(_naming(ident, row["type"], row["canonical"], forms))
        c.executemany("UPDATE entities SET name = ?, aliases = ? WHERE id = ?", updates)
        c.executemany("DELETE FROM entities WHERE id = ?", gone)

    def finish_bulk(self) -> None:
        """End the filling of a new store: make the secondary indexes, then name every entity in one pass."""
        if not self.bulk:
            return
        c = self.conn
        # The index sorts spill to temporary files: kept in memory (temp_store=MEMORY) the sort of
        # the edge indexes of a million papers took the build to 2 GB.
        c.execute("PRAGMA temp_store=FILE")
        c.executescript(_INDEXES)
        c.execute("PRAGMA temp_store=MEMORY")
        # Streamed in entity order, updates in batches: a million papers name about a million
        # entities, too many to hold with their type and forms at once.
        with self.transaction():
            rows = c.execute(
                "SELECT f.entity_id, f.form, f.papers, f.mentions, e.type, e.canonical FROM entity_forms f "
                "JOIN entities e ON e.id = f.entity_id ORDER BY f.entity_id"
            )
            updates = []
            for ident, group in groupby(rows, key=lambda r: r["entity_id"]):
                first = next(group)
                if ident in self._pinned:
                    continue
                forms = {r["form"]: (r["papers"], r["mentions"]) for r in (first, *group)}
                updates.append(_naming(ident, first["type"], first["canonical"], forms))
                if len(updates) >= _NAMING_BATCH:
                    c.executemany("UPDATE entities SET name = ?, aliases = ? WHERE id = ?", updates)
                    updates.clear()
            c.executemany("UPDATE entities SET name = ?, aliases = ? WHERE id = ?", updates)
        c.execute("ANALYZE")
        self.bulk = False

    def write_links(self, links: Sequence[PaperLink | PaperRows], run: int | None = None,
                    replaced_entities: set[str] | None = None) -> dict[str, int]:
        """Write linked papers in one transaction; a stored paper with the same id is replaced.

        Args:
            links: ``PaperLink``s, or their ``paper_rows`` (made in worker processes).
            run: the ``runs`` entry whose batch count this write advances.
            replaced_entities: if given, gets the ids of the entities that the replaced
                papers' stored versions mentioned or linked to (their names and aliases may
                change: a Neo4j mirror updates them, see ``apply_changes``).

        Returns:
            ``{"added": n, "updated": n}``.
        """
        self._check_writable()
        rows = [r if isinstance(r, PaperRows) else paper_rows(r) for r in links]
        ids = [r.id for r in rows]
        with self.transaction():
            touched, removed = self._delete_papers(ids) if not self.bulk else (set(), [])
            if replaced_entities is not None:
                replaced_entities |= touched
            touched |= self._insert_rows(rows, run)
            if not self.bulk:
                self._refresh_entities(touched)
            self._fingerprint_update([(r.id, r.hash) for r in rows], removed)
            if run is not None:
                self.conn.execute("UPDATE runs SET batches = batches + 1 WHERE id = ?", (run,))
        return {"added": len(ids) - len(removed), "updated": len(removed)}

    def remove_papers(self, ids: Sequence[str]) -> list[str]:
        """Remove papers with their edges and claims; entities no paper mentions any more go too.

        Returns:
            The ids that were stored (and are now removed).
        """
        self._check_writable()
        with self.transaction():
            touched, removed = self._delete_papers(list(dict.fromkeys(ids)))
            self._refresh_entities(touched)
            self._fingerprint_update([], removed)
        return [pid for pid, _ in removed]

    def write_data(self, data: GraphData, extractions: Sequence[Extraction] = ()) -> None:
        """Write a graph made elsewhere (tests, imports) as it is: entity names and aliases are kept.

        Each paper edge to an entity counts as that paper mentioning the
        entity by its name, so removing the paper later works as for built papers.
        """
        self._check_writable()
        by_id = {ex.id: ex for ex in extractions}
        entities = {e.id: e for e in data.entities}
        self._pinned.update(entities)
        with self.transaction():
            self.conn.executemany(
                f"INSERT INTO papers ({', '.join(_PAPER_COLUMNS)}, content_hash, extraction, run) "
                f"VALUES ({_q(len(_PAPER_COLUMNS) + 3)})",
                [(*_paper_row(p), content_hash(p.title, p.abstract),
                  _extraction_json(by_id.get(p.id) or Extraction(id=p.id, title=p.title, abstract=p.abstract)),
                  None) for p in data.papers],
            )
            self.conn.executemany(
                "INSERT INTO entities (id, type, name, aliases, canonical) VALUES (?, ?, ?, ?, ?)",
                [(e.id, e.type.value, e.name, json.dumps(e.aliases, ensure_ascii=False), None) for e in data.entities],
            )
            mentions = {
                (e.source, e.target)
                for e in data.edges
                if e.source_label is NodeLabel.PAPER and e.target in entities
            }
            self._insert_mentions([
                (pid, eid, entities[eid].type.value, entities[eid].name, 1, None, normalize_name(entities[eid].name))
                for pid, eid in sorted(mentions)
            ])
            for e in data.entities:
                self.conn.executemany(
                    "INSERT INTO entity_forms (entity_id, form, norm, papers, mentions) VALUES (?, ?, ?, 1, 1) "
                    "ON CONFLICT(entity_id, form) DO NOTHING",
                    [(e.id, f, normalize_name(f)) for f in (e.name, *e.aliases)],
                )
            self.conn.executemany(_INSERT_CLAIM, [_claim_row(cl) for cl in data.claims])
            rows = []
            for e in data.edges:
                for pid in e.paper_ids or [e.source if e.source_label is NodeLabel.PAPER else ""]:
                    rows.append(_edge_row(pid, e))
            self.conn.executemany(_INSERT_EDGE, rows)
            self._fingerprint_update([(p.id, content_hash(p.title, p.abstract)) for p in data.papers], [])


# ------------------------------------------------------------------ rows


def _naming(ident: str, type_: str, canonical: str | None, forms: dict[str, tuple[int, int]]) -> tuple[str, str, str]:
    """``(name, aliases JSON, id)`` of an entity from its forms' (papers, mentions) counts."""
    entity = entity_from_forms(ident, EntityType(type_), canonical, forms)
    return entity.name, json.dumps(entity.aliases, ensure_ascii=False), ident


# (paper id, entity id, entity type, form, count, alias-table canonical)
MentionRow = tuple[str, str, str, str, int, str | None, str]  # ..., canonical, normalized form
_INSERT_EDGE = (
    f"INSERT INTO edges (paper_id, {', '.join(chr(34) + c + chr(34) for c in _EDGE_COLUMNS)}) "
    f"VALUES ({_q(len(_EDGE_COLUMNS) + 1)})"
)
_INSERT_CLAIM = (
    f"INSERT INTO claims ({', '.join(chr(34) + c + chr(34) for c in _CLAIM_COLUMNS)}) VALUES ({_q(len(_CLAIM_COLUMNS))})"
)


class PaperRows(NamedTuple):
    """One linked paper as the rows the store inserts: plain tuples, cheap to send between processes."""

    id: str
    hash: str
    paper: tuple
    mentions: list[MentionRow]
    edges: list[tuple]
    claims: list[tuple]


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _paper_row(p: Paper) -> tuple:
    return (
        p.id, p.title, p.abstract, p.source, p.url, p.year, getattr(p, "date", None),
        json.dumps(p.authors, ensure_ascii=False), json.dumps(p.categories, ensure_ascii=False),
    )


def _edge_row(paper_id: str, e: Edge) -> tuple:
    d = e.__dict__
    return (paper_id, *(_plain(d[k]) for k in _EDGE_COLUMNS))


def _claim_row(c: Claim) -> tuple:
    d = c.__dict__
    return tuple(_plain(d[k]) for k in _CLAIM_COLUMNS)


def paper_rows(link: PaperLink) -> PaperRows:
    """The rows of one linked paper (``PaperLink``), as ``Store.write_links`` inserts them."""
    p = link.paper
    digest = content_hash(p.title, p.abstract)
    return PaperRows(
        id=p.id,
        hash=digest,
        paper=(*_paper_row(p), digest, _extraction_json(link.extraction)),
        mentions=[
            (p.id, m.entity_id, m.type.value, m.form, m.count, m.canonical, normalize_name(m.form)) for m in link.mentions
        ],
        edges=[_edge_row(p.id, e) for e in link.edges],
        claims=[_claim_row(c) for c in link.claims],
    )


def _extraction_json(ex: Extraction) -> str:
    return ex.model_dump_json(exclude={"id", "title", "abstract"})  # pydantic-core's serializer: 5x json.dumps


# ------------------------------------------------------------------ open / create


def _is_store(path: Path) -> bool:
    return (path / DB_FILE).is_file()


def _missing(path: Path) -> StoreError:
    return StoreError(f"no kg store at {path}: run `kg build INPUT --store {path}` first")


def _check_meta(store: Store) -> None:
    try:
        meta = store.meta()
    except sqlite3.DatabaseError as e:
        raise StoreError(f"broken kg store at {store.path}: {e}") from e
    if meta.get("format") != STORE_FORMAT:
        raise StoreError(f"broken kg store at {store.path}: {DB_FILE} is not a kg store")
    if meta.get("store_version") != STORE_VERSION or meta.get("schema_version") != SCHEMA_VERSION:
        raise StoreError(
            f"kg store at {store.path} has layout {meta.get('store_version')}/schema {meta.get('schema_version')}, "
            f"this kg reads {STORE_VERSION}/{SCHEMA_VERSION}: build it again with `kg build INPUT --store {store.path} --replace`"
        )


def open_store(path: str | Path | None = None, *, write: bool = False) -> Store:
    """Open an existing store, read-only unless ``write`` (which takes the writer lock).

    Raises:
        StoreError: no store at ``path``, an old or broken one, or (``write``)
            another process is writing it.
    """
    path = Path(path) if path is not None else default_store_path()
    if not _is_store(path):
        if _old_format(path):
            raise StoreError(
                f"kg store at {path} was written by an older kg (graph.json): "
                f"build it again with `kg build INPUT --store {path} --replace`"
            )
        raise _missing(path)
    lock = _take_lock(path) if write else None
    try:
        conn = _connect(path / DB_FILE, readonly=not write)
        store = Store(path, conn, writable=write)
        store._lock_fd = lock
        _check_meta(store)
    except sqlite3.Error as e:
        _release(lock)
        raise StoreError(f"broken kg store at {path}: {e}") from e
    except StoreError:
        _release(lock)
        raise
    return store


def _release(fd: int | None) -> None:
    if fd is not None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)


def _take_lock(path: Path) -> int:
    """The writer lock of a store folder; a second writer fails at once with a clear message."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd = os.open(path / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise StoreError(f"cannot write a kg store at {path}: {e}") from e
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = ""
        with contextlib.suppress(OSError, ValueError):
            holder = f" (pid {int(os.pread(fd, 32, 0).decode().strip())})"
        os.close(fd)
        raise StoreError(
            f"kg store at {path} is being written by another kg process{holder}; wait for it to finish"
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode(), 0)
    return fd


def _init_db(conn: sqlite3.Connection, store_id: str | None = None, *, indexes: bool = True) -> None:
    conn.executescript(_TABLES + (_INDEXES if indexes else ""))
    created = now()
    rows = {
        "format": STORE_FORMAT,
        "store_version": STORE_VERSION,
        "schema_version": SCHEMA_VERSION,
        "kg_version": kg.__version__,
        "store_id": store_id or uuid.uuid4().hex,
        "created": created,
        "modified": created,
        "fingerprint": "0",
        "paper_count": 0,
    }
    conn.executemany(
        "INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", [(k, json.dumps(v)) for k, v in rows.items()]
    )


def _check_folder(path: Path) -> None:
    if path.exists() and not path.is_dir():
        raise StoreError(f"cannot write a kg store at {path}: it is a file")
    if path.is_dir() and not _is_store(path) and not _old_format(path):
        others = [p for p in path.iterdir() if p.name != LOCK_FILE and not p.name.startswith(f"{DB_FILE}.")]
        if others:
            raise StoreError(f"cannot write a kg store at {path}: the folder is not empty and not a kg store")


def create_store(path: str | Path | None = None) -> Store:
    """Open a store for writing, creating an empty one when the folder has none.

    Raises:
        StoreError: the path is a file, a non-empty folder that is not a store,
            or another process is writing the store.
    """
    path = Path(path) if path is not None else default_store_path()
    _check_folder(path)
    if _is_store(path):
        return open_store(path, write=True)
    lock = _take_lock(path)
    try:
        conn = _connect(path / DB_FILE, readonly=False)
        _init_db(conn)
    except (sqlite3.Error, OSError) as e:
        _release(lock)
        raise StoreError(f"cannot write a kg store at {path}: {e}") from e
    store = Store(path, conn, writable=True)
    store._lock_fd = lock
    return store


@contextlib.contextmanager
def fresh_store(path: str | Path | None = None) -> Iterator[Store]:
    """A new, empty store that replaces the one at ``path`` only when the block ends without error.

    The new database is written beside the old one (``kg.sqlite.building-PID``)
    under the writer lock and renamed over it at the end, so a killed or failed
    ``kg build --replace`` leaves the old store as it was.
    """
    path = Path(path) if path is not None else default_store_path()
    _check_folder(path)
    created = not path.exists()
    lock = _take_lock(path)
    for stale in path.glob(f"{DB_FILE}.building-*"):
        with contextlib.suppress(OSError):
            stale.unlink()
    tmp = path / f"{DB_FILE}.building-{os.getpid()}"
    old_id = None
    if _is_store(path):
        with contextlib.suppress(sqlite3.Error, StoreError):
            old = _connect(path / DB_FILE, readonly=True)
            row = old.execute("SELECT value FROM meta WHERE key = 'store_id'").fetchone()
            old_id = json.loads(row[0]) if row else None
            old.close()
    try:
        conn = _connect(tmp, readonly=False)
        # A file that is thrown away if anything fails needs no journal and no syncs.
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute("PRAGMA cache_size=-131072")
        _init_db(conn, old_id, indexes=False)
    except (sqlite3.Error, OSError) as e:
        _release(lock)
        raise StoreError(f"cannot write a kg store at {path}: {e}") from e
    store = Store(path, conn, writable=True)
    store.bulk = True
    store._lock_fd = None  # the lock is released below, after the rename
    try:
        yield store
        store.finish_bulk()
        conn.execute("PRAGMA optimize")
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.close()
        _retire(path / DB_FILE)
        with contextlib.suppress(OSError):  # a rebuilt store keeps the permissions of the one it replaces
            os.chmod(tmp, stat.S_IMODE((path / DB_FILE).stat().st_mode))
        os.replace(tmp, path / DB_FILE)
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.close()
        for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm"), Path(f"{tmp}-journal")):
            with contextlib.suppress(OSError):
                p.unlink()
        if created:  # a failed first build leaves no folder behind
            with contextlib.suppress(OSError):
                (path / LOCK_FILE).unlink()
                path.rmdir()
        raise
    finally:
        _release(lock)


def _retire(db: Path) -> None:
    """Fold an old database's WAL into it and drop the WAL, so a renamed-in file never meets a stale WAL."""
    if not db.exists():
        return
    with contextlib.suppress(sqlite3.Error):
        conn = sqlite3.connect(db, isolation_level=None)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.close()
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(OSError):
            Path(f"{db}{suffix}").unlink()


def load_store(path: str | Path | None = None) -> Store:
    """Open a store read-only (kept for callers of the folder store; same as ``open_store``)."""
    return open_store(path)


def save_store(
    path: str | Path, data: GraphData, extractions: Sequence[Extraction] = (), report: dict[str, Any] | None = None
) -> Path:
    """Write a graph made elsewhere (``GraphData``) as a new store at ``path``, replacing one there.

    For tests and imports; ``kg.build`` makes stores from papers. The ``report``
    is logged as the store's one run.
    """
    path = Path(path)
    with fresh_store(path) as store:
        run = store.begin_run("import", {})
        store.write_data(data, extractions)
        store.finish_run(run, report or {})
    return path
