"""The named queries: their names, parameters, columns and descriptions, in one table.

Every backend, the CLI's help and the ``.cypher`` files follow this table, so a
query is added here first. Each parameter names an entity that is resolved to a
node id before the query runs (``kg.query.resolve``); the resolved id reaches
the query as ``$<cypher>`` (``$id``, ``$a``, ``$b``, ``$metric``).

The bounds that keep ``neighbors`` and ``path`` small on a large graph are
here too, stated in the descriptions (``kg query --help``); the ``.cypher``
files repeat them as literals (tests/query/test_cypher_files.py checks).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kg.errors import QueryError
from kg.models import EdgeType, NodeLabel

Row = dict[str, Any]

# Edges from a paper to an entity: the graph that neighbors and path walk.
PAPER_EDGES: tuple[str, ...] = tuple(
    e.value
    for e in (
        EdgeType.PROPOSES,
        EdgeType.EVALUATES_ON,
        EdgeType.USES_DATASET,
        EdgeType.USES_MODEL,
        EdgeType.USES_METHOD,
        EdgeType.MEASURES,
        EdgeType.ADDRESSES,
    )
)
# The roles papers-using lists.
USING_EDGES: tuple[str, ...] = tuple(e.value for e in (EdgeType.EVALUATES_ON, EdgeType.USES_DATASET, EdgeType.PROPOSES))

# neighbors: papers of the entity expanded (largest ids first: the newest arXiv ids),
# and entities it is EVALUATED_ON with (most supporting papers first, then id).
DEFAULT_QUERY_LIMIT = 200  # rows `kg query` shows unless --limit says otherwise (0: all)
NEIGHBORS_LIMIT = 100
# path: longest chain returned (6 edges = 3 papers between the two entities) ...
PATH_MAX_HOPS = 6
# ... and paper-entity links the embedded search may read before it gives up.
PATH_LINK_BUDGET = 20_000

_SUBJECT = (NodeLabel.METHOD, NodeLabel.MODEL)
_ENTITY = (NodeLabel.DATASET, NodeLabel.METHOD, NodeLabel.MODEL, NodeLabel.METRIC, NodeLabel.TASK)


@dataclass(frozen=True)
class Param:
    """One parameter of a named query: an entity name resolved to a node id.

    Attributes:
        name: the key in ``run_query``'s args (and the CLI's argument name).
        labels: the node labels the name may resolve to, in order of preference.
        cypher: the name of the ``$parameter`` that receives the resolved id.
        required: whether the query needs it (optional ones are CLI options).
        help: one line for the CLI.
    """

    name: str
    labels: tuple[NodeLabel, ...]
    cypher: str
    required: bool = True
    help: str = ""


@dataclass(frozen=True)
class QuerySpec:
    """A named query: what it answers, what it takes and the columns of its rows."""

    name: str
    params: tuple[Param, ...]
    description: str
    columns: tuple[str, ...]
    example: str
    table: tuple[str, ...] = ()  # the columns a terminal table shows, when not all (``--json`` has all)
    # Its Cypher takes ``$limit`` (at most this many rows, null: all) and applies it before the costly
    # part of the query; for the others the backend keeps the first rows of the full answer.
    cypher_limit: bool = False

    @property
    def shown(self) -> tuple[str, ...]:
        """The columns of ``kg query``'s table."""
        return self.table or self.columns

    @property
    def cypher_file(self) -> str:
        """The file under ``cypher/`` that holds the query for Neo4j."""
        return f"{self.name}.cypher"

    @property
    def positional(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.required)

    @property
    def options(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if not p.required)


def _dataset(help_: str = "dataset or benchmark name, id or alias") -> Param:
    return Param("dataset", (NodeLabel.DATASET,), "id", help=help_)


QUERIES: dict[str, QuerySpec] = {
    spec.name: spec
    for spec in (
        QuerySpec(
            "papers-using",
            (_dataset(),),
            "Papers that evaluate on, use or propose a dataset, with the sentence that says so.",
            ("id", "title", "role", "evidence"),
            "kg query papers-using GSM8K",
            cypher_limit=True,
        ),
        QuerySpec(
            "benchmarks-of",
            (Param("entity", _SUBJECT, "id", help="method or model name, id or alias"),),
            "Datasets a method or model was evaluated on, its papers and its best reported score there.",
            ("dataset_id", "dataset", "papers", "claims", "best_value", "best_unit", "best_metric"),
            "kg query benchmarks-of GRPO",
        ),
        QuerySpec(
            "methods-on",
            (_dataset(),),
            "Methods and models evaluated on a dataset, with the papers that show it.",
            ("id", "label", "name", "papers"),
            "kg query methods-on MATH-500",
            cypher_limit=True,
        ),
        QuerySpec(
            "neighbors",
            (Param("entity", _ENTITY, "id", help="entity name, id or alias"),),
            "Papers that mention an entity, entities it is evaluated on or with, "
            "and entities sharing a paper with it (via = that paper). "
            f"A common entity shows its {NEIGHBORS_LIMIT} newest papers (largest ids) and "
            f"{NEIGHBORS_LIMIT} EVALUATED_ON partners (most papers first).",
            ("id", "label", "name", "relation", "via"),
            "kg query neighbors GRPO",
        ),
        QuerySpec(
            "path",
            (
                Param("a", _ENTITY, "a", help="first entity name, id or alias"),
                Param("b", _ENTITY, "b", help="second entity name, id or alias"),
            ),
            "The shortest chain of papers and entities linking two entities (edges taken both ways), "
            f"at most {PATH_MAX_HOPS} edges long, else no rows. The embedded store searches from both ends "
            f"and stops with an error past {PATH_LINK_BUDGET:,} paper-entity links (very common entities).",
            ("step", "id", "label", "name", "relation"),
            "kg query path GRPO MATH-500",
        ),
        QuerySpec(
            "claims",
            (Param("entity", (*_SUBJECT, NodeLabel.DATASET, NodeLabel.METRIC), "id", help="entity name"),),
            "Quantitative claims about a method or model, on a dataset, or in a metric, each with its kind "
            "(score, improvement, comparison), the quantity it measures (a metric, or e.g. speed-up, latency, "
            "gap share) and, for a change, its direction; a result keeps its baseline (before -> after). "
            "Subject: the method or model, else the words the text uses (\"our approach\").",
            ("paper_id", "title", "year", "subject", "dataset", "metric", "value", "baseline", "unit", "kind",
             "quantity", "direction", "base_model", "is_baseline", "evidence"),
            "kg query claims GSM8K",
            ("title", "subject", "dataset", "metric", "baseline", "value", "unit", "kind", "quantity", "direction",
             "evidence"),
        ),
        QuerySpec(
            "leaderboard",
            (
                _dataset(),
                Param("metric", (NodeLabel.METRIC,), "metric", required=False, help="only claims in this metric"),
            ),
            "Benchmark results on a dataset, best first, ranked within each (metric, unit) group so that "
            "% and points never mix and a result whose metric is not stated is never ranked against one "
            "that states it (group \"metric not stated\"). Only absolute scores rank: gains, margins, "
            "the \"before\" of a before -> after pair (shown as the baseline of its result) and numbers "
            "that are no benchmark result (shares of a gap, of tokens or data, parameters, budgets) do not.",
            ("rank", "group", "subject", "baseline", "value", "unit", "metric", "title", "year", "paper_id", "kind",
             "quantity", "base_model", "evidence"),
            "kg query leaderboard GSM8K --metric accuracy",
            ("rank", "group", "subject", "baseline", "value", "title", "year", "evidence"),
            cypher_limit=True,
        ),
    )
}


METRIC_NOT_STATED = "metric not stated"


def leaderboard_group(metric: str | None, unit: str | None) -> str:
    """The label of a leaderboard group: ``accuracy (%)``, ``metric not stated (%)``, ``BLEU``.

    ``cypher/leaderboard.cypher`` builds the same label.
    """
    return f"{metric or METRIC_NOT_STATED}" + (f" ({unit})" if unit else "")


def get_query(name: str) -> QuerySpec:
    """The spec of a named query.

    Raises:
        QueryError: no query has that name; the message lists the known ones.
    """
    try:
        return QUERIES[name]
    except KeyError:
        known = ", ".join(QUERIES)
        raise QueryError(f"unknown query {name!r}; known queries: {known}") from None
