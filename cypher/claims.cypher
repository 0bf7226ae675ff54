// Quantitative claims about a method or model, on a dataset, or in a metric, with their kind,
// quantity, direction and baseline. The subject is the linked method or model, else the claim's
// own subject, else the words the text uses for it ("our approach").
// $id: the entity id, e.g. "dataset:gsm8k".
MATCH (e:Method|Model|Dataset|Metric {id: $id})
MATCH (c:Claim)-[:ABOUT|ON|IN_METRIC]->(e)
WITH DISTINCT c
OPTIONAL MATCH (p:Paper {id: c.paper_id})
RETURN c.paper_id AS paper_id, p.title AS title, p.year AS year,
       coalesce(head([(c)-[:ABOUT]->(s) | s.name]), c.subject, c.subject_phrase) AS subject,
       coalesce(head([(c)-[:ON]->(d) | d.name]), c.dataset) AS dataset,
       coalesce(head([(c)-[:IN_METRIC]->(m) | m.name]), c.metric) AS metric,
       c.value AS value, c.baseline AS baseline, c.unit AS unit, c.kind AS kind, c.quantity AS quantity,
       c.direction AS direction, c.base_model AS base_model, coalesce(c.is_baseline, false) AS is_baseline,
       c.text AS evidence
ORDER BY paper_id, c.id
