#!/usr/bin/env python3
"""Benchmark of the Neo4j mirror: ``mirror_store`` of a store against one transaction per row.

Why: the loader's design (a store streamed in chunks of papers, ``UNWIND $rows`` batches,
``MERGE`` on constrained ids, per-paper replace, a sweep of what the store no longer has)
is only worth its complexity if it is much faster than the obvious loop and if mirroring
the same store again costs about what the first mirror did. This script measures both
against a baseline in the same run and prints the ratios.

The store is ``--store DIR`` (any store, e.g. one built with ``kg build --workers 2`` from
``scripts/gen_corpus.py``'s corpus), else a synthetic store of ``--papers`` papers written
into a temporary folder: at least 14 relationships per paper over the entity names of the
gold dev set (``../shared/gold/dev.jsonl``, a built-in list without it), so name lengths
and overlaps are realistic. Then, on the Neo4j of NEO4J_URI / NEO4J_PASSWORD:

1. deletes everything (a fresh database) and mirrors the store with ``mirror_store``;
2. mirrors the same store again (every MERGE hits, nothing is created or deleted);
3. deletes a sample of ``--sample`` relationships and writes them back with one
   statement and one transaction per row (the naive loader).

Before step 1 an untimed mirror of a small synthetic store (``--warmup`` papers) warms
the server (Cypher plans, JIT); ``--warmup 0`` measures a cold server instead. The
peak RSS of this process is printed too: the mirror streams the store, so it should not
grow with the store's size.

Example:
    NEO4J_PASSWORD=... KG_NEO4J_PORT=7699 scripts/neo4j-local start
    NEO4J_URI=bolt://127.0.0.1:7699 NEO4J_PASSWORD=... python scripts/bench_load.py
    NEO4J_URI=... NEO4J_PASSWORD=... python scripts/bench_load.py --store corpus-10k-store
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import neo4j

from kg.models import Claim, Edge, EdgeType, Entity, EntityType, GraphData, Paper, entity_id
from kg.store.embedded import Store, create_store, open_store
from kg.store.neo4j import Neo4jSettings, connect, mirror_store

GOLD = Path(__file__).resolve().parents[1] / ".." / "shared" / "gold" / "dev.jsonl"
FALLBACK = {
    EntityType.DATASET: ["GSM8K", "MATH-500", "AIME 2024", "HumanEval", "MMLU", "SVAMP"],
    EntityType.MODEL: ["Qwen3-4B-Base", "Llama-3-8B", "GPT-4o", "Mistral-7B"],
    EntityType.METHOD: ["GRPO", "DPO", "PPO", "LoRA", "chain-of-thought prompting"],
    EntityType.METRIC: ["accuracy", "pass@1", "F1", "BLEU"],
    EntityType.TASK: ["mathematical reasoning", "code generation", "question answering"],
}


def entity_names(path: Path) -> dict[EntityType, list[str]]:
    """Distinct entity names per type from a gold JSONL file (the built-in list if it is missing)."""
    if not path.is_file():
        return FALLBACK
    names: dict[EntityType, set[str]] = {t: set() for t in EntityType}
    for line in path.read_text(encoding="utf-8").splitlines():
        for entity in json.loads(line).get("entities", []):
            names[EntityType(entity["type"])].add(entity["text"])
    return {t: sorted(v) or FALLBACK[t] for t, v in names.items()}


def _paper_part(i: int, rng: random.Random, pool: dict[EntityType, list[Entity]]):
    """The nodes and edges of synthetic paper ``i``: 6 role edges and 2 claims of 4 edges each."""
    pid = f"bench-{i:06d}"
    method, model = rng.choice(pool[EntityType.METHOD]), rng.choice(pool[EntityType.MODEL])
    datasets = rng.sample(pool[EntityType.DATASET], 2)
    metric, task = rng.choice(pool[EntityType.METRIC]), rng.choice(pool[EntityType.TASK])
    paper = Paper(id=pid, title=f"{method.name} with {model.name} on {datasets[0].name}",
                  abstract=f"We propose {method.name} and evaluate it on {datasets[0].name} and {datasets[1].name}.",
                  source="bench", year=2020 + i % 6)
    sentence = paper.abstract
    mine = [pid]  # the paper an edge comes from, as the linker records it
    edges = [
        Edge(type=EdgeType.PROPOSES, source=pid, target=method.id, source_label="Paper", target_label="Method",
             evidence=sentence, start=0, end=len(sentence), field="abstract", extractor="bench", paper_ids=mine),
        Edge(type=EdgeType.USES_MODEL, source=pid, target=model.id, source_label="Paper", target_label="Model",
             paper_ids=mine),
        Edge(type=EdgeType.MEASURES, source=pid, target=metric.id, source_label="Paper", target_label="Metric",
             paper_ids=mine),
        Edge(type=EdgeType.ADDRESSES, source=pid, target=task.id, source_label="Paper", target_label="Task",
             paper_ids=mine),
    ]
    claims = []
    for k, dataset in enumerate(datasets):
        edges.append(Edge(type=EdgeType.EVALUATES_ON, source=pid, target=dataset.id, source_label="Paper",
                          target_label="Dataset", evidence=sentence, paper_ids=mine))
        claim = Claim(id=f"{pid}#c{k}", paper_id=pid, value=round(rng.uniform(10, 95), 1), unit="%",
                      text=f"{method.name} reaches a score on {dataset.name}.", subject=method.name,
                      dataset=dataset.name, metric=metric.name)
        claims.append(claim)
        edges += [
            Edge(type=EdgeType.REPORTS, source=pid, target=claim.id, source_label="Paper", target_label="Claim",
                 paper_ids=mine),
            Edge(type=EdgeType.ABOUT, source=claim.id, target=method.id, source_label="Claim", target_label="Method",
                 paper_ids=mine),
            Edge(type=EdgeType.ON, source=claim.id, target=dataset.id, source_label="Claim", target_label="Dataset",
                 paper_ids=mine),
            Edge(type=EdgeType.IN_METRIC, source=claim.id, target=metric.id, source_label="Claim",
                 target_label="Metric", paper_ids=mine),
        ]
    return paper, claims, edges, [(method.id, d.id, pid) for d in datasets]


def synthetic_graph(n_papers: int, names: dict[EntityType, list[str]], seed: int = 7) -> GraphData:
    """A GraphData of ``n_papers`` papers over the given names, with derived EVALUATED_ON edges."""
    rng = random.Random(seed)
    pool = {t: [Entity(id=entity_id(t, n), type=t, name=n) for n in ns] for t, ns in names.items()}
    pool = {t: list({e.id: e for e in es}.values()) for t, es in pool.items()}
    papers, claims, edges = [], [], []
    evaluated: dict[tuple[str, str], list[str]] = {}
    for i in range(n_papers):
        paper, paper_claims, paper_edges, pairs = _paper_part(i, rng, pool)
        papers.append(paper)
        claims += paper_claims
        edges += paper_edges
        for source, target, pid in pairs:
            evaluated.setdefault((source, target), []).append(pid)
    edges += [Edge(type=EdgeType.EVALUATED_ON, source=s, target=t, source_label="Method", target_label="Dataset",
                   paper_ids=pids) for (s, t), pids in evaluated.items()]
    used = {e.target for e in edges} | {e.source for e in edges}
    entities = [e for es in pool.values() for e in es if e.id in used]
    return GraphData(papers=papers, entities=entities, claims=claims, edges=edges)


def synthetic_store(folder: Path, n_papers: int, seed: int) -> Store:
    """A store holding :func:`synthetic_graph` (written as it is, no extraction), opened read-only."""
    with create_store(folder) as store:
        store.write_data(synthetic_graph(n_papers, entity_names(GOLD), seed))
    return open_store(folder)


def wipe(driver, database: str) -> None:
    """Delete every relationship, then every node, in transactions of 10,000 (an auto-commit query
    is needed for that). Relationships first: one DETACH DELETE of a hub such as GSM8K with all its
    relationships can outgrow the server's transaction memory."""
    with driver.session(database=database) as session:
        session.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS").consume()
        session.run("MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def sample_edges(store: Store, k: int, seed: int) -> list[Edge]:
    """``k`` edges of the store other than EVALUATED_ON, drawn uniformly while streaming (reservoir)."""
    rng = random.Random(seed)
    sample: list[Edge] = []
    seen = 0
    for edge in store.iter_edges():
        if edge.type is EdgeType.EVALUATED_ON:
            continue
        seen += 1
        if len(sample) < k:
            sample.append(edge)
        elif (j := rng.randrange(seen)) < k:
            sample[j] = edge
    return sample


def naive_load(driver, database: str, edges: list[Edge]) -> float:
    """Write ``edges`` one statement and one transaction each; returns the seconds taken."""
    started = time.perf_counter()
    for edge in edges:
        props = edge.model_dump(mode="json", exclude_none=True,
                                exclude={"type", "source", "target", "source_label", "target_label"})
        driver.execute_query(
            f"MATCH (a:{edge.source_label.value} {{id: $source}}) MATCH (b:{edge.target_label.value} {{id: $target}}) "
            f"MERGE (a)-[r:{edge.type.value}]->(b) SET r = $props",
            {"source": edge.source, "target": edge.target, "props": props},
            database_=database,
        )
    return time.perf_counter() - started


def delete_edges(driver, database: str, edges: list[Edge]) -> None:
    """Delete the given relationships (so that the naive loader creates them, as the first load did)."""
    groups: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for e in edges:
        key = (e.type.value, e.source_label.value, e.target_label.value)
        groups.setdefault(key, []).append({"source": e.source, "target": e.target})
    for (type_, source, target), rows in groups.items():
        driver.execute_query(
            f"UNWIND $rows AS row MATCH (:{source} {{id: row.source}})-[r:{type_}]->(:{target} {{id: row.target}}) "
            "DELETE r",
            {"rows": rows}, database_=database,
        )


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="the store to mirror (default: a synthetic one)")
    parser.add_argument("--papers", type=int, default=7500,
                        help="papers of the synthetic store (14 relationships each)")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--papers-per-chunk", type=int, default=2000, help="papers read from the store per round")
    parser.add_argument("--sample", type=int, default=2000, help="relationships for the naive loader")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--warmup", type=int, default=500, help="papers of an untimed mirror first (0: none)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="kg-bench-load-") as tmp:
        store = open_store(args.store) if args.store else synthetic_store(Path(tmp) / "store", args.papers, args.seed)
        counts = store.counts()
        n_rels = sum(counts["edges"].values())
        n_nodes = sum(counts["nodes"].values())
        print(f"store: {store.path if args.store else f'synthetic, {args.papers:,} papers'}: "
              f"{n_nodes:,} nodes, {n_rels:,} relationships ({counts['nodes'].get('Paper', 0):,} papers)")
        print(f"driver: neo4j {neo4j.__version__}, packstream in "
              f"{'Rust (neo4j-rust-ext)' if importlib.util.find_spec('neo4j._rust') else 'pure Python'}; "
              f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
        settings = Neo4jSettings.from_env()
        with connect(settings) as driver:
            db = settings.database
            if args.warmup:
                # A freshly started JVM compiles Cypher and JIT-compiles the write path on first use;
                # a small untimed mirror first keeps that out of the steady-state figures.
                wipe(driver, db)
                with synthetic_store(Path(tmp) / "warmup", args.warmup, args.seed + 1) as small:
                    mirror_store(driver, small, db)
            wipe(driver, db)
            rss_before = peak_rss_mb()
            first = mirror_store(driver, store, db, batch_size=args.batch_size,
                                 papers_per_chunk=args.papers_per_chunk)
            rss_after = peak_rss_mb()
            again = mirror_store(driver, store, db, batch_size=args.batch_size, papers_per_chunk=args.papers_per_chunk)
            sample = sample_edges(store, min(args.sample, n_rels), args.seed)
            delete_edges(driver, db, sample)
            naive_seconds = naive_load(driver, db, sample)
        store.close()
    batched_rate = n_rels / first.seconds
    naive_rate = len(sample) / naive_seconds
    print(f"mirror, empty db:   {first.seconds:.2f} s, {batched_rate:,.0f} rel/s "
          f"({first.nodes_created:,} nodes, {first.relationships_created:,} relationships created); "
          f"peak RSS {rss_before:,.0f} -> {rss_after:,.0f} MiB")
    print(f"mirror again:       {again.seconds:.2f} s ({again.nodes_created + again.relationships_created} created, "
          f"{again.nodes_deleted + again.relationships_deleted} deleted), "
          f"{again.seconds / first.seconds:.2f}x the first")
    print(f"naive (1 tx/row):   {naive_seconds:.2f} s for {len(sample):,} rel, {naive_rate:,.0f} rel/s")
    print(f"batched / naive:    {batched_rate / naive_rate:.1f}x")
    unchanged = again.nodes_created + again.nodes_deleted + again.relationships_created + again.relationships_deleted
    ok = (batched_rate >= 20_000 and batched_rate / naive_rate >= 30 and again.seconds <= 1.5 * first.seconds
          and unchanged == 0)
    print("targets (>= 20,000 rel/s, >= 30x naive, again <= 1.5x and changing nothing):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
