// Quantitative claims about a method or model, on a dataset, or in a metric.
// $id: the entity id, e.g. "dataset:gsm8k".
MATCH (e:Method|Model|Dataset|Metric {id: $id})
MATCH (c:Claim)-[:ABOUT|ON|IN_METRIC]->(e)
WITH DISTINCT c
OPTIONAL MATCH (p:Paper {id: c.paper_id})
RETURN c.paper_id AS paper_id, p.title AS title,
       coalesce(head([(c)-[:ABOUT]->(s) | s.name]), c.subject) AS subject,
       coalesce(head([(c)-[:ON]->(d) | d.name]), c.dataset) AS dataset,
       coalesce(head([(c)-[:IN_METRIC]->(m) | m.name]), c.metric) AS metric,
       c.value AS value, c.unit AS unit, c.kind AS kind, c.text AS evidence
ORDER BY paper_id, c.id
