// Benchmark results on a dataset, best first (lowest first for an error, a perplexity, a loss:
// kg.models.lower_is_better, whose two lists are repeated below), ranked within each (unit, metric) group so that
// % and points never mix and "metric not stated" is a group of its own. Only absolute scores
// rank: not the "before" of a before -> after pair (it is the baseline of its result), not
// numbers that are no benchmark result (the quantities of kg.models.NON_RESULT_QUANTITIES).
// $id: the dataset id, e.g. "dataset:gsm8k"; $metric: e.g. "metric:accuracy" or null.
MATCH (c:Claim)-[:ON]->(:Dataset {id: $id})
WHERE c.kind = 'score' AND NOT coalesce(c.is_baseline, false)
  AND NOT coalesce(c.quantity, '') IN ['budget', 'data share', 'gap share', 'hyper-parameter', 'parameters', 'token share']
  AND ($metric IS NULL OR (c)-[:IN_METRIC]->(:Metric {id: $metric}))
OPTIONAL MATCH (p:Paper {id: c.paper_id})
WITH c, p,
     coalesce(head([(c)-[:ABOUT]->(s) | s.name]), c.subject, c.subject_phrase) AS subject,
     coalesce(head([(c)-[:IN_METRIC]->(m) | m.name]), c.metric) AS metric
WITH c, p, subject, metric,
     CASE WHEN toLower(coalesce(metric, '')) IN ['wer', 'cer', 'eer', 'fid', 'ppl', 'mae', 'mse', 'rmse', 'latency']
            OR any(w IN ['error', 'perplexity', 'loss', 'distance'] WHERE toLower(coalesce(metric, '')) CONTAINS w)
          THEN c.value ELSE -c.value END AS better
ORDER BY c.unit, metric, better, subject, c.paper_id, c.id
WITH c.unit AS unit, metric,
     collect({subject: subject, value: c.value, baseline: c.baseline, title: p.title, year: p.year,
              paper_id: c.paper_id, kind: c.kind, quantity: c.quantity, base_model: c.base_model,
              evidence: c.text}) AS entries
UNWIND range(0, size(entries) - 1) AS i
WITH i, unit, metric, entries,
     coalesce(metric, 'metric not stated') + CASE WHEN unit IS NULL THEN '' ELSE ' (' + unit + ')' END AS label
RETURN i + 1 AS rank, label AS group,
       entries[i].subject AS subject, entries[i].baseline AS baseline, entries[i].value AS value, unit, metric,
       entries[i].title AS title, entries[i].year AS year, entries[i].paper_id AS paper_id, entries[i].kind AS kind,
       entries[i].quantity AS quantity, entries[i].base_model AS base_model, entries[i].evidence AS evidence
ORDER BY unit, metric, rank
