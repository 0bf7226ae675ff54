// Datasets a method or model was evaluated on (EVALUATED_ON, or a claim ABOUT it ON the
// dataset), the papers that show it, and its best score claim there (highest value).
// $id: the method or model id, e.g. "method:grpo".
MATCH (m:Method|Model {id: $id})
CALL (m) {
  MATCH (m)-[e:EVALUATED_ON]->(d:Dataset)
  UNWIND CASE WHEN size(coalesce(e.paper_ids, [])) = 0 THEN [null] ELSE e.paper_ids END AS pid
  RETURN d, pid
  UNION
  MATCH (c:Claim)-[:ABOUT]->(m)
  MATCH (c)-[:ON]->(d:Dataset)
  RETURN d, c.paper_id AS pid
}
WITH m, d, pid ORDER BY pid
WITH m, d, collect(DISTINCT pid) AS papers
CALL (m, d) {
  OPTIONAL MATCH (c:Claim)-[:ABOUT]->(m)
  WHERE (c)-[:ON]->(d)
  WITH c ORDER BY c.value DESC, c.id
  RETURN count(c) AS claims, head(collect(CASE WHEN c.kind = 'score' THEN c END)) AS best
}
RETURN d.id AS dataset_id, d.name AS dataset, papers, claims,
       best.value AS best_value, best.unit AS best_unit,
       CASE WHEN best IS NULL THEN null
            ELSE coalesce(head([(best)-[:IN_METRIC]->(x) | x.name]), best.metric) END AS best_metric
ORDER BY size(papers) DESC, dataset_id
