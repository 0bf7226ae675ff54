"""The one schema of kg: pydantic models for papers, extractions and the graph.

Every record that crosses a module boundary is one of these models. The
extraction record (``Extraction``) is the format of the gold guidelines
(``shared/gold/GUIDELINES.md``) with a few extra fields (offsets, field,
extractor, confidence) that the scorer ignores. The graph models (``Entity``,
``Edge``, ``Claim``) are what the linker produces and the stores persist; rows
for Neo4j come from ``model_dump()``.

Allowed (from-label, edge type, to-label) triples are checked here, in one
place, and a violation raises ``SchemaError``.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
import re
import unicodedata
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kg.errors import SchemaError

SCHEMA_VERSION = 1


class EntityType(StrEnum):
    """The five entity types of the guidelines; also the Neo4j node labels."""

    DATASET = "Dataset"
    MODEL = "Model"
    METHOD = "Method"
    METRIC = "Metric"
    TASK = "Task"


class NodeLabel(StrEnum):
    """Every node label of the graph."""

    PAPER = "Paper"
    DATASET = "Dataset"
    MODEL = "Model"
    METHOD = "Method"
    METRIC = "Metric"
    TASK = "Task"
    CLAIM = "Claim"


class Role(StrEnum):
    """Paper-level roles of an entity group (guidelines, "Paper-level roles")."""

    PROPOSES = "proposes"
    EVALUATES_ON = "evaluates_on"
    USES_DATASET = "uses_dataset"
    USES_MODEL = "uses_model"
    USES_METHOD = "uses_method"
    MEASURES = "measures"
    ADDRESSES = "addresses"


class EdgeType(StrEnum):
    """Every relationship type of the graph."""

    PROPOSES = "PROPOSES"
    EVALUATES_ON = "EVALUATES_ON"
    USES_DATASET = "USES_DATASET"
    USES_MODEL = "USES_MODEL"
    USES_METHOD = "USES_METHOD"
    MEASURES = "MEASURES"
    ADDRESSES = "ADDRESSES"
    EVALUATED_ON = "EVALUATED_ON"
    REPORTS = "REPORTS"
    ABOUT = "ABOUT"
    ON = "ON"
    IN_METRIC = "IN_METRIC"
    COMPARED_TO = "COMPARED_TO"


class TextField(StrEnum):
    """Which part of a paper a span or an edge's evidence comes from."""

    TITLE = "title"
    ABSTRACT = "abstract"


class ClaimKind(StrEnum):
    SCORE = "score"
    IMPROVEMENT = "improvement"
    COMPARISON = "comparison"


ClaimUnit = Literal["%", "points", "x"]


class ClaimDirection(StrEnum):
    """Which way a reported change goes: a drop, decrease, degradation or "fewer" is ``decrease``."""

    INCREASE = "increase"
    DECREASE = "decrease"


# What a number measures when it is not a benchmark result: kept as claims of their own
# quantity (``kg query claims`` shows them), never ranked on a leaderboard.
NON_RESULT_QUANTITIES: frozenset[str] = frozenset(
    {"gap share", "token share", "data share", "parameters", "budget", "hyper-parameter"})


# Metrics where less is better: ranked lowest first. Exact names (lower-cased) and words inside a name;
# ``cypher/leaderboard.cypher`` repeats both lists (tests/query/test_claim_queries.py checks).
LOWER_IS_BETTER_NAMES: tuple[str, ...] = ("wer", "cer", "eer", "fid", "ppl", "mae", "mse", "rmse", "latency")
LOWER_IS_BETTER_WORDS: tuple[str, ...] = ("error", "perplexity", "loss", "distance")


def lower_is_better(metric: str | None) -> bool:
    """Whether a smaller value of ``metric`` is the better result ("WER", "word error rate", "FID")."""
    name = (metric or "").lower()
    return name in LOWER_IS_BETTER_NAMES or any(w in name for w in LOWER_IS_BETTER_WORDS)


def ranks_on_leaderboard(kind: str, quantity: str | None, is_baseline: bool) -> bool:
    """Whether a claim is an absolute benchmark result: a score, not the "before" of a pair, not a non-result.

    The one rule every backend applies (``cypher/leaderboard.cypher`` spells it in Cypher;
    tests/query holds the two to the same rows).
    """
    return kind == ClaimKind.SCORE.value and not is_baseline and quantity not in NON_RESULT_QUANTITIES

ROLE_EDGE: dict[Role, EdgeType] = {
    Role.PROPOSES: EdgeType.PROPOSES,
    Role.EVALUATES_ON: EdgeType.EVALUATES_ON,
    Role.USES_DATASET: EdgeType.USES_DATASET,
    Role.USES_MODEL: EdgeType.USES_MODEL,
    Role.USES_METHOD: EdgeType.USES_METHOD,
    Role.MEASURES: EdgeType.MEASURES,
    Role.ADDRESSES: EdgeType.ADDRESSES,
}

# Which entity types a role may point at. A role on any other type is dropped
# by the role assigner and refused by the schema.
ROLE_TARGETS: dict[Role, frozenset[EntityType]] = {
    Role.PROPOSES: frozenset({EntityType.METHOD, EntityType.MODEL, EntityType.DATASET}),
    Role.EVALUATES_ON: frozenset({EntityType.DATASET}),
    Role.USES_DATASET: frozenset({EntityType.DATASET}),
    Role.USES_MODEL: frozenset({EntityType.MODEL}),
    Role.USES_METHOD: frozenset({EntityType.METHOD}),
    Role.MEASURES: frozenset({EntityType.METRIC}),
    Role.ADDRESSES: frozenset({EntityType.TASK}),
}

_P = NodeLabel.PAPER
_SUBJECT = frozenset({NodeLabel.METHOD, NodeLabel.MODEL})

ALLOWED_EDGES: dict[EdgeType, tuple[frozenset[NodeLabel], frozenset[NodeLabel]]] = {
    EdgeType.PROPOSES: (frozenset({_P}), frozenset({NodeLabel.METHOD, NodeLabel.MODEL, NodeLabel.DATASET})),
    EdgeType.EVALUATES_ON: (frozenset({_P}), frozenset({NodeLabel.DATASET})),
    EdgeType.USES_DATASET: (frozenset({_P}), frozenset({NodeLabel.DATASET})),
    EdgeType.USES_MODEL: (frozenset({_P}), frozenset({NodeLabel.MODEL})),
    EdgeType.USES_METHOD: (frozenset({_P}), frozenset({NodeLabel.METHOD})),
    EdgeType.MEASURES: (frozenset({_P}), frozenset({NodeLabel.METRIC})),
    EdgeType.ADDRESSES: (frozenset({_P}), frozenset({NodeLabel.TASK})),
    EdgeType.EVALUATED_ON: (_SUBJECT, frozenset({NodeLabel.DATASET})),
    EdgeType.REPORTS: (frozenset({_P}), frozenset({NodeLabel.CLAIM})),
    EdgeType.ABOUT: (frozenset({NodeLabel.CLAIM}), _SUBJECT),
    EdgeType.ON: (frozenset({NodeLabel.CLAIM}), frozenset({NodeLabel.DATASET})),
    EdgeType.IN_METRIC: (frozenset({NodeLabel.CLAIM}), frozenset({NodeLabel.METRIC})),
    EdgeType.COMPARED_TO: (frozenset({NodeLabel.CLAIM}), _SUBJECT),
}


def check_triple(source: NodeLabel, edge: EdgeType, target: NodeLabel) -> None:
    """Raise ``SchemaError`` unless ``(source)-[edge]->(target)`` is allowed by the schema.

    Example:
        >>> check_triple(NodeLabel.PAPER, EdgeType.EVALUATES_ON, NodeLabel.DATASET)
    """
    sources, targets = ALLOWED_EDGES[EdgeType(edge)]
    if NodeLabel(source) not in sources or NodeLabel(target) not in targets:
        raise SchemaError(f"edge not allowed by the schema: ({source})-[:{edge}]->({target})")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False)


# ---------------------------------------------------------------- input


class Paper(_Model):
    """One paper as read from an input file.

    ``date`` is ISO ``YYYY-MM-DD`` when the record has one (arXiv's ``update_date``);
    the readers' filters (``kg.io.PaperFilter``) use it.
    """

    id: str
    title: str
    abstract: str
    source: str = ""
    url: str | None = None
    year: int | None = None
    date: str | None = None
    authors: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)


class SkippedRecord(_Model):
    """A record of an input file that could not be used, with where and why."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class FilteredRecord(_Model):
    """A record whose paper was read but left out by a filter (category, date), with why."""

    file: str
    line: int
    paper_id: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.paper_id!r} filtered out: {self.reason}"


class DuplicateRecord(_Model):
    """A record whose paper id was already read; the first one is kept."""

    file: str
    line: int
    paper_id: str
    first_file: str
    first_line: int

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line}: duplicate id {self.paper_id!r} "
            f"(first at {self.first_file}:{self.first_line}), merged"
        )


class RepairedRecord(_Model):
    """A record whose paper was used after a change that made it usable, with where and what.

    Not an outcome of its own: the paper is read as well (``kg.io.iter_outcomes``
    yields this note just before it), so it does not count as a record.
    """

    file: str
    line: int
    paper_id: str
    repairs: list[str]

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.paper_id!r} repaired: {'; '.join(self.repairs)}"


class FailedPaper(_Model):
    """A paper that was read but whose extraction or linking raised; it is left out of the output."""

    paper_id: str
    stage: str
    reason: str

    def __str__(self) -> str:
        return f"{self.paper_id}: {self.stage} failed: {self.reason}"


# ----------------------------------------------------------- extraction


class ExtractedEntity(_Model):
    """One surface form of an entity in a paper (a gold-format entity with offsets)."""

    text: str
    type: EntityType
    group: int
    start: int | None = None
    end: int | None = None
    field: TextField | None = None
    extractor: str = ""
    confidence: float = 1.0


class ExtractedRole(_Model):
    """A paper-level role of an entity group, with the sentence that supports it."""

    role: Role
    group: int
    text: str | None = None
    evidence: str = ""
    start: int | None = None
    end: int | None = None
    field: TextField | None = None
    extractor: str = ""
    confidence: float = 1.0


class ExtractedClaim(_Model):
    """A quantitative claim: one number, what it is about and where it was measured.

    Beyond the guidelines' fields: ``quantity`` is what the number measures (the metric when
    the text names one, else "latency", "speed-up", "gap share", ...), ``direction`` which way
    a change goes, ``baseline`` the "before" value of a before->after pair (on the "after"
    claim; the "before" claim has ``is_baseline``), ``base_model`` the model a method was
    applied to ("improves Llama-3.1-8B from ..."), and ``subject_phrase`` the words naming
    the subject when the text gives no name ("our approach").
    """

    value: float
    unit: ClaimUnit | None = None
    kind: ClaimKind = ClaimKind.SCORE
    subject: str | None = None
    dataset: str | None = None
    metric: str | None = None
    compared_to: str | None = None
    quantity: str | None = None
    direction: ClaimDirection | None = None
    baseline: float | None = None
    is_baseline: bool = False
    base_model: str | None = None
    subject_phrase: str | None = None
    evidence: str = ""
    start: int | None = None
    end: int | None = None
    field: TextField | None = None
    extractor: str = "kg_claims"


class Extraction(_Model):
    """What kg extracts from one paper; the gold JSONL shape plus provenance."""

    id: str
    title: str
    abstract: str
    entities: list[ExtractedEntity] = Field(default_factory=list)
    roles: list[ExtractedRole] = Field(default_factory=list)
    claims: list[ExtractedClaim] = Field(default_factory=list)
    source: str = ""
    url: str | None = None
    year: int | None = None


# ---------------------------------------------------------------- graph


@lru_cache(maxsize=1 << 16)
def normalize_name(text: str) -> str:
    """The matching key of a name: NFKC, case-folded, letters and digits only (memoized).

    Example:
        >>> normalize_name("GSM-8K") == normalize_name("gsm8k")
        True
    """
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[\W_]+", "", text.casefold())


def slugify(text: str) -> str:
    """A readable id fragment: lower case, runs of other characters become one hyphen.

    Example:
        >>> slugify("Qwen3-4B-Base")
        'qwen3-4b-base'
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    slug = re.sub(r"[^a-z0-9.@]+", "-", text).strip("-")
    if not slug:
        slug = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
    return slug


def entity_id(type_: EntityType, name: str) -> str:
    """The stable id of an entity: ``dataset:gsm8k``, ``model:qwen3-4b-base``."""
    return f"{EntityType(type_).value.lower()}:{slugify(name)}"


class Entity(_Model):
    """A node for a method, dataset, model, metric or task, merged across papers."""

    id: str
    type: EntityType
    name: str
    aliases: list[str] = Field(default_factory=list)

    @property
    def label(self) -> NodeLabel:
        return NodeLabel(self.type.value)


class Claim(_Model):
    """A claim node: one reported number with its evidence (fields as ``ExtractedClaim``)."""

    id: str
    paper_id: str
    value: float
    unit: ClaimUnit | None = None
    kind: ClaimKind = ClaimKind.SCORE
    text: str = ""
    subject: str | None = None
    dataset: str | None = None
    metric: str | None = None
    compared_to: str | None = None
    quantity: str | None = None
    direction: ClaimDirection | None = None
    baseline: float | None = None
    is_baseline: bool = False
    base_model: str | None = None
    subject_phrase: str | None = None
    start: int | None = None
    end: int | None = None
    field: TextField | None = None


class Edge(_Model):
    """A typed relationship with the evidence that supports it.

    ``source_label`` and ``target_label`` are checked against ``ALLOWED_EDGES``
    when the edge is made; a violation raises ``SchemaError``.
    """

    type: EdgeType
    source: str
    target: str
    source_label: NodeLabel
    target_label: NodeLabel
    evidence: str = ""
    start: int | None = None
    end: int | None = None
    field: TextField | None = None
    extractor: str = ""
    confidence: float = 1.0
    paper_ids: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_schema(self) -> Edge:
        check_triple(self.source_label, self.type, self.target_label)
        return self

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.source, self.type.value, self.target)


class GraphData(_Model):
    """Everything the linker produces: the input of the graph builder and the stores."""

    papers: list[Paper] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    claims: list[Claim] = Field(default_factory=list)
    edges: list[Edge] = Field(default_factory=list)
