"""Neo4j mirrors one store: mirror_store, check_mirror, apply_changes against a real Neo4j.

The stores are built with kg.build / kg.add / kg.remove from files in the repository
(tests/data/synthetic_heldout.jsonl, examples/sample_papers.jsonl and a few papers
written here); the seed corpus (its copy in tests/data/seed) joins the first store.
"Equal" means the same node ids, the same (type, source, target) relationships, and
(where stated) the same properties, compared with what the store itself holds or with
a fresh mirror_store of it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

import kg
from kg.models import NodeLabel
from kg.store.embedded import Store
from kg.store.neo4j import (
    LoadSummary,
    _edge_key_rows,
    _StoreRows,
    edge_rows,
    node_rows,
    apply_changes,
    check_mirror,
    load_graph,
    mirror_info,
    mirror_store,
    paper_entities,
    run_read,
)

pytestmark = pytest.mark.neo4j

REPO = Path(__file__).resolve().parents[2]
HELDOUT = REPO / "tests" / "data" / "synthetic_heldout.jsonl"
SAMPLES = REPO / "examples" / "sample_papers.jsonl"
SEED = REPO / "tests" / "data" / "seed" / "trending_papers.txt"  # the copy of ../shared/corpus/trending_papers.txt

# Papers written for these tests. z-2 spells "supervised fine-tuning" as "SFT" and
# "supervised finetuning", so adding it changes that entity's aliases and removing it
# changes them back; z-3 and z-4 both back Qwen2.5-1.5B -[EVALUATED_ON]-> GSM8K; z-5
# mentions Q-learning only in a background sentence: an entity without any edge.
Z1, Z2, Z3, Z4, Z5 = ZORP = [
    {"id": "z-1", "title": "ZorpTune: Tuning Small Models for Math",
     "abstract": "We propose ZorpTune, a tuning method for small language models. ZorpTune reaches 61.2% "
                 "accuracy on GSM8K, improving over supervised fine-tuning by 4.1 points."},
    {"id": "z-2", "title": "Checking GSM-8K Answers with Verifiers",
     "abstract": "We study verifiers on GSM-8K. On GSM-8K, a verifier trained with SFT (supervised finetuning) "
                 "reaches 70.3% accuracy. GSM-8K remains hard for small models."},
    {"id": "z-3", "title": "Longer Rollouts for PPO on Math Word Problems",
     "abstract": "We train Qwen2.5-1.5B with PPO using longer rollouts. PPO with longer rollouts reaches 64.0% "
                 "accuracy on GSM8K and 31.5% on MATH."},
    {"id": "z-4", "title": "Reward Shaping for Small Math Models",
     "abstract": "We fine-tune Qwen2.5-1.5B with shaped rewards for grade-school math. With shaped rewards, "
                 "Qwen2.5-1.5B reaches 66.2% accuracy on GSM8K, 2.2 points above plain PPO."},
    {"id": "z-5", "title": "Flarb: Direct Policy Learning for Math Word Problems",
     "abstract": "Unlike Q-learning, Flarb learns a policy directly from verified answers. We propose Flarb and "
                 "train Qwen2.5-1.5B with it. Flarb reaches 58.1% accuracy on GSM8K."},
]
LONELY = "method:q-learning"
SFT = "method:supervised-fine-tuning"
SHARED = ("model:qwen2515b", "dataset:gsm8k")


# ------------------------------------------------------------------ inputs and stores


def _records(path: Path) -> list[dict]:
    """id, title and abstract of every record of a JSONL file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [{k: json.loads(line)[k] for k in ("id", "title", "abstract")} for line in lines if line.strip()]


def _jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _edited(record: dict) -> dict:
    """The same paper with another abstract: its first sentence, then new entities."""
    first = record["abstract"].split(". ")[0]
    return {**record, "abstract": f"{first}. We evaluate on GSM8K and MMLU with GPT-4o, reaching 71.5% accuracy."}


@pytest.fixture(scope="module")
def heldout() -> list[dict]:
    records = _records(HELDOUT)
    assert len(records) >= 30
    return records


def _build(folder: Path, inputs: list[Path]) -> Store:
    kg.build(inputs, store=folder)
    return kg.open_store(folder)


@pytest.fixture(scope="module")
def store_a(tmp_path_factory, heldout) -> Store:
    """The first 24 held-out papers, z-1, z-3, z-4 and z-5, and the seed corpus."""
    tmp = tmp_path_factory.mktemp("a")
    inputs = [_jsonl(tmp / "a.jsonl", heldout[:24] + [Z1, Z3, Z4, Z5]), SEED]
    store = _build(tmp / "store", inputs)
    yield store
    store.close()


@pytest.fixture(scope="module")
def store_b(tmp_path_factory, heldout) -> Store:
    """Shares papers with A (held-out 12-23, same text), has four of A's papers with other
    abstracts (held-out 8-11) and papers A lacks (held-out 24-35, the samples)."""
    tmp = tmp_path_factory.mktemp("b")
    records = heldout[12:] + [_edited(r) for r in heldout[8:12]]
    store = _build(tmp / "store", [_jsonl(tmp / "b.jsonl", records), SAMPLES])
    yield store
    store.close()


# ------------------------------------------------------------------ what each side holds


def _digest(nodes: list[str], rels: list[tuple[str, str, str]]) -> dict:
    blob = json.dumps([sorted(nodes), sorted(rels)]).encode()
    return {"nodes": len(nodes), "relationships": len(rels), "sha256": hashlib.sha256(blob).hexdigest()}


def store_digest(store: Store) -> dict:
    """Node ids and relationship triples of the store's graph, counted and hashed."""
    nodes = [p.id for p in store.iter_papers()] + [e.id for e in store.iter_entities()]
    nodes += [c.id for c in store.iter_claims()]
    rels = [(e.type.value, e.source, e.target) for e in store.iter_edges()]
    return _digest(nodes, rels)


KG_LABELS = sorted(label.value for label in NodeLabel)


def db_digest(driver, db: str) -> dict:
    """The same for the database: nodes with a kg label (not KgMirror), relationships between them."""
    nodes = [r["id"] for r in run_read(
        driver, "MATCH (n) WHERE any(l IN labels(n) WHERE l IN $kg) RETURN n.id AS id", {"kg": KG_LABELS}, db)]
    rels = [(r["t"], r["a"], r["b"]) for r in run_read(
        driver, "MATCH (a)-[r]->(b) WHERE any(l IN labels(a) WHERE l IN $kg) AND any(l IN labels(b) WHERE l IN $kg) "
                "RETURN type(r) AS t, a.id AS a, b.id AS b", {"kg": KG_LABELS}, db)]
    return _digest(nodes, rels)


def db_counts(driver, db: str) -> dict:
    """Nodes per label and relationships per type, as ``Store.counts()`` gives them."""
    nodes = run_read(driver, "MATCH (n) WHERE NOT n:KgMirror RETURN labels(n)[0] AS k, count(*) AS n", {}, db)
    rels = run_read(driver, "MATCH ()-[r]->() RETURN type(r) AS k, count(*) AS n", {}, db)
    return {"nodes": dict(sorted((r["k"], r["n"]) for r in nodes)),
            "edges": dict(sorted((r["k"], r["n"]) for r in rels))}


def snapshot(driver, db: str) -> tuple[list, list]:
    """Every node and relationship of the graph with its properties, in a fixed order."""
    nodes = run_read(driver, "MATCH (n) WHERE NOT n:KgMirror RETURN labels(n) AS labels, properties(n) AS props "
                             "ORDER BY n.id", {}, db)
    rels = run_read(driver, "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS props "
                            "ORDER BY a, t, b", {}, db)
    return nodes, rels


def fresh_mirror_snapshot(driver, db: str, store: Store) -> tuple[list, list]:
    """What a mirror_store of ``store`` into an emptied database holds."""
    driver.execute_query("MATCH (n) DETACH DELETE n", database_=db)
    mirror_store(driver, store, db)
    return snapshot(driver, db)


def _entity(driver, db: str, ident: str) -> dict | None:
    rows = run_read(driver, "MATCH (n:Method {id: $id}) RETURN properties(n) AS p", {"id": ident}, db)
    return rows[0]["p"] if rows else None


def _paper_ids(driver, db: str, source: str, target: str) -> list[str] | None:
    """The paper_ids of the EVALUATED_ON edge ``source -> target``, None when there is none."""
    rows = run_read(driver, "MATCH (:Model {id: $s})-[r:EVALUATED_ON]->(:Dataset {id: $t}) RETURN r.paper_ids AS ids",
                    {"s": source, "t": target}, db)
    return rows[0]["ids"] if rows else None


# ------------------------------------------------------------------ rows read from the store


def _sorted_rows(rows: dict) -> dict:
    return {k: sorted(v, key=lambda r: json.dumps(r, sort_keys=True)) for k, v in rows.items() if v}


def test_a_store_whose_tables_lack_a_column_is_refused(tmp_path):
    import shutil
    import sqlite3

    from kg.errors import StoreError

    folder = tmp_path / "s"
    kg.build([_jsonl(tmp_path / "z.jsonl", [Z1])], store=folder)
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    conn = sqlite3.connect(copy / "kg.sqlite")
    conn.execute("ALTER TABLE edges DROP COLUMN confidence")
    conn.commit()
    conn.close()
    with kg.open_store(folder) as store:
        assert _StoreRows(store).chunk(["z-1"], evaluated_on=True).rows > 0
    with kg.open_store(copy) as store, pytest.raises(StoreError, match="table edges has no column confidence"):
        _StoreRows(store)


def test_rows_read_from_the_tables_equal_those_of_the_stores_models(store_a):
    """The mirror reads the store's tables with SQL; its rows must be what the models give."""
    data = store_a.to_data()
    rows = _StoreRows(store_a).chunk(list(store_a.paper_ids()), evaluated_on=True)
    expected = node_rows(data)
    assert _sorted_rows(rows.nodes) == _sorted_rows({k: expected[k] for k in (NodeLabel.PAPER, NodeLabel.CLAIM)})
    assert _sorted_rows(rows.edges) == _sorted_rows(edge_rows(data))
    papers, claims, evaluated = _edge_key_rows(data)
    assert sorted(rows.stale_keys[2]) == sorted(evaluated)
    by_id = {r["id"]: r for r in papers}
    assert all(sorted(r["keep"]) == sorted(by_id[r["id"]]["keep"]) and r["claims"] == by_id[r["id"]]["claims"]
               for r in rows.stale_keys[0]) and len(rows.stale_keys[0]) == len(papers)


# ------------------------------------------------------------------ mirror_store


def test_mirror_store_holds_exactly_the_store(neo4j_db, neo4j_settings, store_a):
    db = neo4j_settings.database
    calls: list[tuple[int, int]] = []
    summary = mirror_store(neo4j_db, store_a, db, batch_size=100, progress=lambda d, t: calls.append((d, t)))

    assert db_digest(neo4j_db, db) == store_digest(store_a)
    assert db_counts(neo4j_db, db) == store_a.counts()
    total = sum(store_a.counts()["nodes"].values()) + sum(store_a.counts()["edges"].values())
    assert (summary.mode, summary.papers, summary.papers_removed) == ("mirror", store_a.paper_count(), 0)
    assert summary.nodes_created == sum(store_a.counts()["nodes"].values())
    assert summary.relationships_created == sum(store_a.counts()["edges"].values())
    assert calls[-1] == (total, total) and [d for d, _ in calls] == sorted(d for d, _ in calls)
    info = mirror_info(neo4j_db, db)
    assert info["store_id"] == store_a.store_id and info["fingerprint"] == store_a.fingerprint()
    assert (info["state"], info["papers"]) == ("complete", store_a.paper_count())
    assert info["store_path"] == str(store_a.path.resolve())
    assert check_mirror(neo4j_db, store_a, db) is None


def test_mirror_keeps_entity_keys_and_evaluated_on_paper_ids(neo4j_db, neo4j_settings, store_a):
    db = neo4j_settings.database
    mirror_store(neo4j_db, store_a, db)
    stored = {e.key: e.paper_ids for e in store_a.iter_edges() if e.type.value == "EVALUATED_ON"}
    rows = run_read(neo4j_db, "MATCH (a)-[r:EVALUATED_ON]->(b) RETURN a.id AS a, b.id AS b, r.paper_ids AS ids",
                    {}, db)
    assert {(r["a"], "EVALUATED_ON", r["b"]): r["ids"] for r in rows} == stored
    assert stored[(SHARED[0], "EVALUATED_ON", SHARED[1])] == ["z-3", "z-4"]  # backed by two papers
    keys = run_read(neo4j_db, "MATCH (n:Dataset {id: 'dataset:gsm8k'}) RETURN n.keys AS keys", {}, db)
    assert keys == [{"keys": "|gsm8k|"}]
    lonely = run_read(neo4j_db, "MATCH (n:Method {id: $id}) RETURN count { (n)--() } AS degree", {"id": LONELY}, db)
    assert lonely == [{"degree": 0}]  # the store holds it without an edge, and so does the mirror


def test_mirror_the_same_store_twice_changes_nothing(neo4j_db, neo4j_settings, store_a):
    db = neo4j_settings.database
    mirror_store(neo4j_db, store_a, db)
    before = snapshot(neo4j_db, db)
    again = mirror_store(neo4j_db, store_a, db, papers_per_chunk=7)
    assert snapshot(neo4j_db, db) == before
    assert (again.nodes_created, again.nodes_deleted) == (0, 0)
    assert (again.relationships_created, again.relationships_deleted) == (0, 0)


def test_mirror_a_then_b_leaves_exactly_b(neo4j_db, neo4j_settings, store_a, store_b):
    db = neo4j_settings.database
    mirror_store(neo4j_db, store_a, db)
    summary = mirror_store(neo4j_db, store_b, db, papers_per_chunk=10)

    assert db_digest(neo4j_db, db) == store_digest(store_b)
    assert db_counts(neo4j_db, db) == store_b.counts()
    only_a = set(store_a.paper_ids()) - set(store_b.paper_ids())
    assert summary.papers_removed == len(only_a) > 0
    assert summary.relationships_deleted > 0 and summary.nodes_deleted > 0
    left = run_read(neo4j_db, "MATCH (p:Paper) WHERE p.id IN $ids RETURN p.id AS id", {"ids": sorted(only_a)}, db)
    assert left == []
    # B's papers with other abstracts than in A carry B's text and B's edges only
    assert snapshot(neo4j_db, db) == fresh_mirror_snapshot(neo4j_db, db, store_b)


def test_mirror_in_chunks_equals_mirror_in_one(neo4j_db, neo4j_settings, store_b):
    db = neo4j_settings.database
    mirror_store(neo4j_db, store_b, db, batch_size=3, papers_per_chunk=4)
    chunked = snapshot(neo4j_db, db)
    assert chunked == fresh_mirror_snapshot(neo4j_db, db, store_b)
    assert len(chunked[0]) == sum(store_b.counts()["nodes"].values())


def test_concurrent_writers_leave_what_one_writer_leaves(neo4j_db, neo4j_settings, store_b):
    """Three chunks written side by side (small chunks and batches: many transactions in flight)."""
    db = neo4j_settings.database
    neo4j_db.execute_query("MATCH (n) DETACH DELETE n", database_=db)
    mirror_store(neo4j_db, store_b, db, batch_size=5, papers_per_chunk=3, writers=1)
    one = snapshot(neo4j_db, db)
    neo4j_db.execute_query("MATCH (n) DETACH DELETE n", database_=db)
    summary = mirror_store(neo4j_db, store_b, db, batch_size=5, papers_per_chunk=3, writers=3)
    assert snapshot(neo4j_db, db) == one
    assert db_digest(neo4j_db, db) == store_digest(store_b)
    assert summary.relationships_created == sum(store_b.counts()["edges"].values())


def test_writers_below_one_are_refused(neo4j_db, neo4j_settings, store_b):
    with pytest.raises(ValueError, match="writers must be at least 1"):
        mirror_store(neo4j_db, store_b, neo4j_settings.database, writers=0)


def test_mirror_removes_what_no_store_has(neo4j_db, neo4j_settings, store_b):
    """Left-overs of other loads (an old paper, an entity, a claim without its paper) go; other labels stay."""
    db = neo4j_settings.database
    neo4j_db.execute_query(
        "CREATE (:Paper {id: 'old-1'})-[:USES_MODEL]->(:Model {id: 'model:ghost', name: 'Ghost'}), "
        "(:Claim {id: 'old-2#c0', paper_id: 'old-2'}), (:Task {id: 'task:lonely', name: 'lonely'}), "
        "(:Note {id: 'not-kg'})", database_=db)
    mirror_store(neo4j_db, store_b, db)
    assert db_digest(neo4j_db, db) == store_digest(store_b)
    found = run_read(neo4j_db, "MATCH (n) WHERE n.id IN ['old-1', 'model:ghost', 'old-2#c0', 'task:lonely', 'not-kg'] "
                               "RETURN n.id AS id", {}, db)
    assert found == [{"id": "not-kg"}]


def test_mirror_of_a_store_written_from_graph_data(neo4j_db, neo4j_settings, tmp_path):
    """A store written by Store.write_data (claim edges without paper ids) is mirrored whole."""
    from kg.models import Claim, Edge, Entity, EntityType, GraphData, Paper
    from kg.store.embedded import create_store

    db = neo4j_settings.database
    method = Entity(id="method:grpo", type=EntityType.METHOD, name="GRPO", aliases=["group relative PO"])
    dataset = Entity(id="dataset:gsm8k", type=EntityType.DATASET, name="GSM8K")
    claim = Claim(id="p1#c0", paper_id="p1", value=81.5, unit="%", text="GRPO scores 81.5%.")
    edge = {"source_label": "Paper"}
    data = GraphData(
        papers=[Paper(id="p1", title="GRPO on GSM8K", abstract="We propose GRPO.", year=2025)],
        entities=[method, dataset], claims=[claim],
        edges=[
            Edge(type="PROPOSES", source="p1", target=method.id, target_label="Method", **edge),
            Edge(type="EVALUATES_ON", source="p1", target=dataset.id, target_label="Dataset", **edge),
            Edge(type="REPORTS", source="p1", target=claim.id, target_label="Claim", **edge),
            Edge(type="ABOUT", source=claim.id, target=method.id, source_label="Claim", target_label="Method"),
            Edge(type="ON", source=claim.id, target=dataset.id, source_label="Claim", target_label="Dataset"),
            Edge(type="EVALUATED_ON", source=method.id, target=dataset.id, source_label="Method",
                 target_label="Dataset", paper_ids=["p1"]),
        ],
    )
    with create_store(tmp_path / "s") as writer:
        writer.write_data(data)
    with kg.open_store(tmp_path / "s") as store:
        first = mirror_store(neo4j_db, store, db)
        assert db_digest(neo4j_db, db) == store_digest(store)
        assert first.relationships_created == len(data.edges) == 6
        again = mirror_store(neo4j_db, store, db)
        assert (again.relationships_created, again.relationships_deleted) == (0, 0)


# ------------------------------------------------------------------ check_mirror


def test_check_mirror_says_what_the_database_holds(neo4j_db, neo4j_settings, store_a, store_b, tmp_path):
    db = neo4j_settings.database
    empty = check_mirror(neo4j_db, store_a, db)
    assert empty.startswith("the Neo4j database is empty") and f"kg load --store {store_a.path}" in empty

    load_graph(neo4j_db, store_b.to_data(), db)
    unknown = check_mirror(neo4j_db, store_a, db)
    assert "does not record which store" in unknown and f"kg load --store {store_a.path}" in unknown

    mirror_store(neo4j_db, store_a, db)
    assert check_mirror(neo4j_db, store_a, db) is None
    other = check_mirror(neo4j_db, store_b, db)
    assert other.startswith("the Neo4j database mirrors another store")
    assert str(store_a.path.resolve()) in other and f"kg load --store {store_b.path}" in other
    assert "\n" not in other

    load_graph(neo4j_db, store_b.to_data(), db)  # other data into a mirror
    changed = check_mirror(neo4j_db, store_a, db)
    assert "changed after it mirrored" in changed
    assert mirror_info(neo4j_db, db)["state"] == "modified"


def test_check_mirror_sees_an_older_state_of_the_store(neo4j_db, neo4j_settings, tmp_path):
    db = neo4j_settings.database
    folder = tmp_path / "s"
    kg.build([_jsonl(tmp_path / "z1.jsonl", [Z1])], store=folder)
    with kg.open_store(folder) as store:
        mirror_store(neo4j_db, store, db)
        assert check_mirror(neo4j_db, store, db) is None
        kg.add([_jsonl(tmp_path / "z2.jsonl", [Z2])], store=folder)
        older = check_mirror(neo4j_db, store, db)  # the same open store: it must see the change
    assert older.startswith(f"the Neo4j database mirrors an older state of the store at {folder}")
    assert "(1 paper," in older and "has 2 now" in older and older.endswith(f"run `kg load --store {folder}`")


def test_an_interrupted_mirror_is_never_taken_for_a_complete_one(neo4j_db, neo4j_settings, store_a, store_b):
    db = neo4j_settings.database
    mirror_store(neo4j_db, store_a, db)

    def stop(done: int, total: int) -> None:
        if done > total // 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        mirror_store(neo4j_db, store_b, db, batch_size=50, progress=stop)
    for store in (store_a, store_b):
        message = check_mirror(neo4j_db, store, db)
        assert "did not finish" in message and str(store_b.path.resolve()) in message
    summary = apply_changes(neo4j_db, store_b, [], [], db)  # not in sync: a full mirror instead
    assert summary.mode == "mirror"
    assert db_digest(neo4j_db, db) == store_digest(store_b)
    assert check_mirror(neo4j_db, store_b, db) is None


# ------------------------------------------------------------------ apply_changes


def _changed(store: Store, before: dict[str, str], ids: list[str]) -> list[str]:
    after = store.stored_hashes(ids)
    return sorted(i for i in ids if after.get(i) != before.get(i))


@pytest.fixture
def growing(tmp_path, heldout):
    """A store of 14 held-out papers, z-1 and z-3, and the file of what ``kg add`` brings later:
    12 new held-out papers, z-2 and z-4, 3 of the 14 with other abstracts, 2 unchanged."""
    folder = tmp_path / "store"
    kg.build([_jsonl(tmp_path / "first.jsonl", heldout[:14] + [Z1, Z3])], store=folder)
    later = heldout[14:26] + [Z2, Z4] + [_edited(r) for r in heldout[3:6]] + heldout[:2]
    return folder, _jsonl(tmp_path / "later.jsonl", later), [r["id"] for r in later]


def test_apply_changes_after_add_equals_a_fresh_mirror(neo4j_db, neo4j_settings, growing):
    db = neo4j_settings.database
    folder, later, ids = growing
    with kg.open_store(folder) as store:
        mirror_store(neo4j_db, store, db)
        previous, before = store.fingerprint(), store.stored_hashes(ids)
    assert _entity(neo4j_db, db, SFT)["aliases"] == []

    report = kg.add([later], store=folder)
    assert (report.added, report.updated, report.unchanged) == (14, 3, 2)
    with kg.open_store(folder) as store:
        changed = _changed(store, before, ids)
        assert len(changed) == 17
        assert report.replaced_entities  # the 3 edited papers named entities before
        summary = apply_changes(neo4j_db, store, changed, [], db, previous_fingerprint=previous,
                                touched_entities=report.replaced_entities)
        assert (summary.mode, summary.papers) == ("changes", 17)
        assert summary.relationships_deleted > 0  # the edited papers lost edges
        assert check_mirror(neo4j_db, store, db) is None
        assert db_digest(neo4j_db, db) == store_digest(store)
        assert db_counts(neo4j_db, db) == store.counts()
        applied = snapshot(neo4j_db, db)
        assert sorted(_entity(neo4j_db, db, SFT)["aliases"]) == ["SFT", "supervised finetuning"]
        assert _paper_ids(neo4j_db, db, *SHARED) == ["z-3", "z-4"]  # z-4 joined the edge z-3 made
        assert applied == fresh_mirror_snapshot(neo4j_db, db, store)


def test_apply_changes_after_remove_equals_a_fresh_mirror(neo4j_db, neo4j_settings, growing, heldout):
    db = neo4j_settings.database
    folder, later, _ids = growing
    kg.add([later], store=folder)
    with kg.open_store(folder) as store:
        mirror_store(neo4j_db, store, db)
        previous = store.fingerprint()
        gone = ["z-2", "z-3", heldout[0]["id"], heldout[4]["id"], heldout[20]["id"], "not-a-paper"]
        touched = paper_entities(store, gone)
    assert SFT in touched and sorted(_entity(neo4j_db, db, SFT)["aliases"]) == ["SFT", "supervised finetuning"]

    report = kg.remove(gone, store=folder)
    assert report.removed == 5
    with kg.open_store(folder) as store:
        summary = apply_changes(neo4j_db, store, [], gone, db, previous_fingerprint=previous,
                                touched_entities=touched)
        assert (summary.mode, summary.papers_removed) == ("changes", 5)
        assert summary.nodes_deleted > 5  # claims and orphaned entities went with the papers
        assert check_mirror(neo4j_db, store, db) is None
        assert db_digest(neo4j_db, db) == store_digest(store)
        assert _entity(neo4j_db, db, SFT)["aliases"] == []
        assert _paper_ids(neo4j_db, db, *SHARED) == ["z-4"]
        assert snapshot(neo4j_db, db) == fresh_mirror_snapshot(neo4j_db, db, store)


def test_apply_changes_without_touched_entities_still_gives_the_stores_ids(neo4j_db, neo4j_settings, growing,
                                                                            heldout):
    db = neo4j_settings.database
    folder, later, _ids = growing
    kg.add([later], store=folder)
    with kg.open_store(folder) as store:
        mirror_store(neo4j_db, store, db)
    gone = [r["id"] for r in heldout[14:22]]
    kg.remove(gone, store=folder)
    with kg.open_store(folder) as store:
        assert apply_changes(neo4j_db, store, [], gone, db).mode == "changes"
        assert db_digest(neo4j_db, db) == store_digest(store)
        assert db_counts(neo4j_db, db) == store.counts()


def test_apply_changes_updates_shared_evaluated_on_paper_ids(neo4j_db, neo4j_settings, growing):
    db = neo4j_settings.database
    folder, later, _ids = growing
    kg.add([later], store=folder)
    with kg.open_store(folder) as store:
        mirror_store(neo4j_db, store, db)
    assert _paper_ids(neo4j_db, db, *SHARED) == ["z-3", "z-4"]
    kg.remove(["z-3"], store=folder)
    with kg.open_store(folder) as store:
        apply_changes(neo4j_db, store, [], ["z-3"], db)
        assert _paper_ids(neo4j_db, db, *SHARED) == ["z-4"]
        evidence = run_read(neo4j_db, "MATCH (:Model {id: $s})-[r:EVALUATED_ON]->(:Dataset {id: $t}) "
                                      "RETURN r.evidence AS e", {"s": SHARED[0], "t": SHARED[1]}, db)
        assert "shaped rewards" in evidence[0]["e"]  # z-4's sentence now, as the store has it
        assert _paper_ids(neo4j_db, db, "model:qwen2515b", "dataset:math") is None  # only z-3 backed it
        kg.remove(["z-4"], store=folder)
        apply_changes(neo4j_db, store, [], ["z-4"], db)
        assert _paper_ids(neo4j_db, db, *SHARED) is None
        assert db_digest(neo4j_db, db) == store_digest(store)


def test_apply_changes_deletes_an_entity_no_paper_mentions_any_more(neo4j_db, neo4j_settings, tmp_path):
    db = neo4j_settings.database
    folder = tmp_path / "store"
    kg.build([_jsonl(tmp_path / "z.jsonl", [Z1, Z3, Z5])], store=folder)
    with kg.open_store(folder) as store:
        mirror_store(neo4j_db, store, db)
        assert store.entity(LONELY) is not None and _entity(neo4j_db, db, LONELY) is not None
    kg.remove(["z-5"], store=folder)
    with kg.open_store(folder) as store:
        assert store.entity(LONELY) is None
        summary = apply_changes(neo4j_db, store, [], ["z-5"], db)
        assert summary.mode == "changes"
        assert _entity(neo4j_db, db, LONELY) is None  # it had no edge to lead to it
        assert _entity(neo4j_db, db, "method:flarb") is None
        assert db_digest(neo4j_db, db) == store_digest(store)


def test_apply_changes_falls_back_to_a_full_mirror_when_not_in_sync(neo4j_db, neo4j_settings, store_a, store_b,
                                                                     growing):
    db = neo4j_settings.database
    mirror_store(neo4j_db, store_a, db)
    other = apply_changes(neo4j_db, store_b, ["ex-001"], [], db)  # the database mirrors A, not B
    assert other.mode == "mirror" and db_digest(neo4j_db, db) == store_digest(store_b)

    folder, later, _ids = growing
    with kg.open_store(folder) as store:
        mirror_store(neo4j_db, store, db)
    kg.add([later], store=folder)
    kg.remove(["z-1"], store=folder)  # a change the caller does not pass on
    with kg.open_store(folder) as store:
        stale = apply_changes(neo4j_db, store, ["z-2", "z-4"], [], db, previous_fingerprint="0-0")
        assert stale.mode == "mirror"
        assert db_digest(neo4j_db, db) == store_digest(store)
        assert check_mirror(neo4j_db, store, db) is None


def test_apply_changes_with_nothing_to_do_changes_nothing(neo4j_db, neo4j_settings, store_b):
    db = neo4j_settings.database
    mirror_store(neo4j_db, store_b, db)
    before = snapshot(neo4j_db, db)
    summary = apply_changes(neo4j_db, store_b, [], [], db, previous_fingerprint=store_b.fingerprint())
    assert isinstance(summary, LoadSummary)
    assert (summary.mode, summary.papers, summary.papers_removed) == ("changes", 0, 0)
    assert (summary.nodes_created, summary.nodes_deleted, summary.relationships_created,
            summary.relationships_deleted, summary.properties_set) == (0, 0, 0, 0, 0)
    assert snapshot(neo4j_db, db) == before

