// Methods and models evaluated on a dataset (EVALUATED_ON, or a claim ABOUT them ON it),
// with the papers that show it; most papers first.
// $id: the dataset id, e.g. "dataset:math-500"; $limit: at most this many rows, the first of this order
// (null: all).
MATCH (d:Dataset {id: $id})
CALL (d) {
  MATCH (m)-[e:EVALUATED_ON]->(d)
  UNWIND CASE WHEN size(coalesce(e.paper_ids, [])) = 0 THEN [null] ELSE e.paper_ids END AS pid
  RETURN m, pid
  UNION
  MATCH (c:Claim)-[:ON]->(d)
  MATCH (c)-[:ABOUT]->(m)
  RETURN m, c.paper_id AS pid
}
WITH m, pid ORDER BY pid
WITH m, collect(DISTINCT pid) AS papers
RETURN m.id AS id, [label IN labels(m) WHERE label IN ['Method', 'Model']][0] AS label,
       m.name AS name, papers
ORDER BY size(papers) DESC, id
LIMIT coalesce($limit, 4611686018427387904)
