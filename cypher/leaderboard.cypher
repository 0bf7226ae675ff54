// Benchmark results on a dataset, best first (lowest first for an error, a perplexity, a loss:
// kg.models.lower_is_better, whose two lists are repeated below), ranked within each (unit, metric) group so that
// % and points never mix and "metric not stated" is a group of its own. Only absolute scores
// rank: not the "before" of a before -> after pair (it is the baseline of its result), not
// numbers that are no benchmark result (the quantities of kg.models.NON_RESULT_QUANTITIES).
// $id: the dataset id, e.g. "dataset:gsm8k"; $metric: e.g. "metric:accuracy" or null; $limit: at most this many
// rows, the first of this order (null: all). The limit applies before titles and evidence are read and before
// the groups are collected, so a dataset with a million results sorts its keys once and holds only $limit rows.
MATCH (c:Claim)-[:ON]->(:Dataset {id: $id})
WHERE c.kind = 'score' AND NOT coalesce(c.is_baseline, false)
  AND NOT coalesce(c.quantity, '') IN ['budget', 'data share', 'gap share', 'hyper-parameter', 'parameters', 'token share']
  AND ($metric IS NULL OR (c)-[:IN_METRIC]->(:Metric {id: $metric}))
WITH c,
     coalesce(head([(c)-[:ABOUT]->(s) | s.name]), c.subject, c.subject_phrase) AS subject,
     coalesce(head([(c)-[:IN_METRIC]->(m) | m.name]), c.metric) AS metric
WITH c, subject, metric,
     CASE WHEN toLower(coalesce(metric, '')) IN ['wer', 'cer', 'eer', 'fid', 'ppl', 'mae', 'mse', 'rmse', 'latency']
            OR any(w IN ['error', 'perplexity', 'loss', 'distance'] WHERE toLower(coalesce(metric, '')) CONTAINS w)
          THEN c.value ELSE -c.value END AS better
ORDER BY c.unit, metric, better, subject, c.paper_id, c.id
LIMIT coalesce($limit, 4611686018427387904)
WITH c.unit AS unit, metric, collect({claim: c, subject: subject}) AS entries
UNWIND range(0, size(entries) - 1) AS i
WITH i, unit, metric, entries[i].claim AS c, entries[i].subject AS subject,
     coalesce(metric, 'metric not stated') + CASE WHEN unit IS NULL THEN '' ELSE ' (' + unit + ')' END AS label
OPTIONAL MATCH (p:Paper {id: c.paper_id})
RETURN i + 1 AS rank, label AS group,
       subject, c.baseline AS baseline, c.value AS value, unit, metric,
       p.title AS title, p.year AS year, c.paper_id AS paper_id, c.kind AS kind,
       c.quantity AS quantity, c.base_model AS base_model, c.text AS evidence
ORDER BY unit, metric, rank
