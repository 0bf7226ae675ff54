// Papers that evaluate on, use or propose a dataset, with the sentence that says so.
// $id: the dataset id, e.g. "dataset:gsm8k"; $limit: at most this many rows, the first of this order
// (null: all), taken before titles and evidence are read.
MATCH (p:Paper)-[r:EVALUATES_ON|USES_DATASET|PROPOSES]->(:Dataset {id: $id})
WITH p, r, toLower(type(r)) AS role
ORDER BY p.id, role
LIMIT coalesce($limit, 4611686018427387904)
RETURN p.id AS id, p.title AS title, role, r.evidence AS evidence
ORDER BY id, role
