// Papers that mention an entity (via = ""), entities it is EVALUATED_ON with (via = ""),
// and entities sharing a paper with it (via = that paper's id). A common entity stays bounded
// (kg.query.registry.NEIGHBORS_LIMIT): its 100 papers with the largest ids, and its 100
// EVALUATED_ON partners with the most papers (then the smallest id).
// $id: the entity id, e.g. "method:grpo".
MATCH (e:Dataset|Method|Model|Metric|Task {id: $id})
CALL (e) {
  MATCH (p:Paper)-->(e)
  WITH DISTINCT p ORDER BY p.id DESC LIMIT 100
  RETURN collect(p) AS papers
}
CALL (e, papers) {
  UNWIND papers AS p
  MATCH (p)-[r]->(e)
  RETURN p AS n, type(r) AS relation, '' AS via
  UNION
  MATCH (e)-[r:EVALUATED_ON]-(x)
  WITH x, r ORDER BY size(coalesce(r.paper_ids, [])) DESC, x.id LIMIT 100
  RETURN x AS n, type(r) AS relation, '' AS via
  UNION
  UNWIND papers AS p
  MATCH (p)-[r:PROPOSES|EVALUATES_ON|USES_DATASET|USES_MODEL|USES_METHOD|MEASURES|ADDRESSES]->(x)
  WHERE x <> e
  RETURN x AS n, type(r) AS relation, p.id AS via
}
WITH n, relation, via, [label IN labels(n) WHERE label IN ['Paper','Dataset','Model','Method','Metric','Task','Claim']][0] AS label
RETURN n.id AS id, label, coalesce(n.name, n.title) AS name, relation, via
ORDER BY via, label, id, relation
