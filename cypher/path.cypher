// The shortest chain of papers and entities linking two entities, edges taken both ways,
// at most 6 edges long (kg.query.registry.PATH_MAX_HOPS); none that short gives no rows.
// Among equally short paths, the one with the smallest node ids in order (then relation types).
// $a, $b: two different entity ids, e.g. "method:grpo", "dataset:math-500".
MATCH (a:Dataset|Method|Model|Metric|Task {id: $a}), (b:Dataset|Method|Model|Metric|Task {id: $b})
MATCH p = allShortestPaths((a)-[:PROPOSES|EVALUATES_ON|USES_DATASET|USES_MODEL|USES_METHOD|MEASURES|ADDRESSES*..6]-(b))
WITH p
ORDER BY [n IN nodes(p) | n.id], [r IN relationships(p) | type(r)]
LIMIT 1
UNWIND range(0, length(p)) AS step
WITH p, step, nodes(p)[step] AS n
RETURN step, n.id AS id, [label IN labels(n) WHERE label IN ['Paper','Dataset','Model','Method','Metric','Task','Claim']][0] AS label,
       coalesce(n.name, n.title) AS name,
       CASE WHEN step = 0 THEN null ELSE type(relationships(p)[step - 1]) END AS relation
ORDER BY step
