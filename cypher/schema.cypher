// kg schema for Neo4j 5.26: run before any write (kg.store.neo4j.apply_schema does).
// Statements end with a semicolon. Every statement is IF NOT EXISTS, so running the file
// again changes nothing. Labels are the NodeLabel enum of kg/models.py.

// Stable ids: MERGE on id is an index lookup and can never create a duplicate.
CREATE CONSTRAINT paper_id IF NOT EXISTS FOR (n:Paper) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT dataset_id IF NOT EXISTS FOR (n:Dataset) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT model_id IF NOT EXISTS FOR (n:Model) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT method_id IF NOT EXISTS FOR (n:Method) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT metric_id IF NOT EXISTS FOR (n:Metric) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT task_id IF NOT EXISTS FOR (n:Task) REQUIRE n.id IS UNIQUE;
CREATE CONSTRAINT claim_id IF NOT EXISTS FOR (n:Claim) REQUIRE n.id IS UNIQUE;

// Look-ups by canonical name (the named queries start from an entity name).
CREATE INDEX dataset_name IF NOT EXISTS FOR (n:Dataset) ON (n.name);
CREATE INDEX model_name IF NOT EXISTS FOR (n:Model) ON (n.name);
CREATE INDEX method_name IF NOT EXISTS FOR (n:Method) ON (n.name);
CREATE INDEX metric_name IF NOT EXISTS FOR (n:Metric) ON (n.name);
CREATE INDEX task_name IF NOT EXISTS FOR (n:Task) ON (n.name);

// Look-ups by any spelling: `keys` is "|k1|k2|", the normalized name and aliases
// (kg.store.neo4j.entity_keys); `n.keys CONTAINS "|gsm8k|"` is answered by these indexes.
CREATE TEXT INDEX dataset_keys IF NOT EXISTS FOR (n:Dataset) ON (n.keys);
CREATE TEXT INDEX model_keys IF NOT EXISTS FOR (n:Model) ON (n.keys);
CREATE TEXT INDEX method_keys IF NOT EXISTS FOR (n:Method) ON (n.keys);
CREATE TEXT INDEX metric_keys IF NOT EXISTS FOR (n:Metric) ON (n.keys);
CREATE TEXT INDEX task_keys IF NOT EXISTS FOR (n:Task) ON (n.keys);

// The one node that records which store the database mirrors (kg.store.neo4j.mirror_store):
// (:KgMirror {id: 'mirror', store_id, store_path, fingerprint, papers, state, loaded_at, updated_at, kg_version}).
CREATE CONSTRAINT kg_mirror_id IF NOT EXISTS FOR (n:KgMirror) REQUIRE n.id IS UNIQUE;

// Re-loading a paper deletes its old claims by paper id.
CREATE INDEX claim_paper_id IF NOT EXISTS FOR (n:Claim) ON (n.paper_id);

// Fuzzy search over names and aliases:
//   CALL db.index.fulltext.queryNodes("entity_names", "gsm8k") YIELD node, score
CREATE FULLTEXT INDEX entity_names IF NOT EXISTS
FOR (n:Dataset|Model|Method|Metric|Task) ON EACH [n.name, n.aliases];
