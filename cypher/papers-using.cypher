// Papers that evaluate on, use or propose a dataset, with the sentence that says so.
// $id: the dataset id, e.g. "dataset:gsm8k".
MATCH (p:Paper)-[r:EVALUATES_ON|USES_DATASET|PROPOSES]->(:Dataset {id: $id})
RETURN p.id AS id, p.title AS title, toLower(type(r)) AS role, r.evidence AS evidence
ORDER BY id, role
