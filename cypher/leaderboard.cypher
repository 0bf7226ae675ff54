// Score claims on a dataset, best first, ranked within each (unit, metric) group so that
// % and points never mix. $metric (a metric id or null) keeps one metric only.
// $id: the dataset id, e.g. "dataset:gsm8k"; $metric: e.g. "metric:accuracy" or null.
MATCH (c:Claim)-[:ON]->(:Dataset {id: $id})
WHERE c.kind = 'score' AND ($metric IS NULL OR (c)-[:IN_METRIC]->(:Metric {id: $metric}))
WITH c,
     coalesce(head([(c)-[:ABOUT]->(s) | s.name]), c.subject) AS subject,
     coalesce(head([(c)-[:IN_METRIC]->(m) | m.name]), c.metric) AS metric
ORDER BY c.unit, metric, c.value DESC, subject, c.paper_id, c.id
WITH c.unit AS unit, metric,
     collect({subject: subject, value: c.value, paper_id: c.paper_id, evidence: c.text}) AS entries
UNWIND range(0, size(entries) - 1) AS i
RETURN i + 1 AS rank, entries[i].subject AS subject, entries[i].value AS value, unit, metric,
       entries[i].paper_id AS paper_id, entries[i].evidence AS evidence
ORDER BY unit, metric, rank
