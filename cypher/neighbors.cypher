// Papers that mention an entity (via = ""), entities it is EVALUATED_ON with (via = ""),
// and entities sharing a paper with it (via = that paper's id).
// $id: the entity id, e.g. "method:grpo".
MATCH (e:Dataset|Method|Model|Metric|Task {id: $id})
CALL (e) {
  MATCH (p:Paper)-[r]->(e)
  RETURN p AS n, type(r) AS relation, '' AS via
  UNION
  MATCH (e)-[r:EVALUATED_ON]-(x)
  RETURN x AS n, type(r) AS relation, '' AS via
  UNION
  MATCH (p:Paper)-->(e)
  MATCH (p)-[r:PROPOSES|EVALUATES_ON|USES_DATASET|USES_MODEL|USES_METHOD|MEASURES|ADDRESSES]->(x)
  WHERE x <> e
  RETURN x AS n, type(r) AS relation, p.id AS via
}
WITH n, relation, via, [label IN labels(n) WHERE label IN ['Paper','Dataset','Model','Method','Metric','Task','Claim']][0] AS label
RETURN n.id AS id, label, coalesce(n.name, n.title) AS name, relation, via
ORDER BY via, label, id, relation
