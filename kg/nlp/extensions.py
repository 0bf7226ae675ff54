"""Custom attributes kg's components read and write, and the candidate → resolve contract.

Rule and statistical components (``kg_gazetteer``, ``kg_patterns``,
``kg_abbreviations``, ``kg_ner``) never write entities: each adds *candidate*
spans to ``doc.spans["kg_candidates"]`` with :func:`add_candidate`, together
with a :class:`Provenance` record (the factory that made the component, the
rule, a confidence, whether the paper introduces the name, whether a curated
list knows it, the abbreviation pair it belongs to). ``kg_resolve``
(kg/nlp/resolve.py) alone turns candidates into the final entities of
``doc.spans["kg"]`` and gives each an entity group; ``kg_roles`` and
``kg_claims`` read only those.

Provenance is data, never parsed from a string: it lives in ``doc.user_data``
as plain tuples (so ``DocBin(store_user_data=True)`` and worker processes keep
it), keyed like spaCy's own span extensions by the span's character offsets
and label. Candidates over the same offsets and label share one key and keep
one record per component that proposed them.

- ``Span._.kg_provenance``: tuple of :class:`Provenance`, every record of the
  span's offsets and label (candidates and resolved entities alike).
- ``Span._.kg_group``: int, the entity group of a resolved span in
  ``doc.spans["kg"]`` (a long form and its abbreviation share one group);
  ``None`` for a span that no resolver grouped.
- ``Span._.kg_extractor``: str, "factory:rule" of the best provenance record,
  for output and display only (``ExtractedEntity.extractor``).
- ``Span._.kg_confidence``: float, the confidence of that record.
- ``Doc._.kg_abbreviations``: list of ``{"short": [start_char, end_char],
  "long": [start_char, end_char]}`` pairs.
- ``Doc._.kg_roles`` / ``Doc._.kg_claims``: lists of ``ExtractedRole`` /
  ``ExtractedClaim`` ``model_dump(mode="json")`` dicts (offsets relative to ``doc.text``).
- ``Doc._.kg_title_len``: int, length of the title at the start of ``doc.text``
  (the doc text is ``title + "\\n\\n" + abstract``); 0 when the doc has no title.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span

SPAN_KEY = "kg"  # resolved entities, written by kg_resolve only
CANDIDATES_KEY = "kg_candidates"  # candidate spans of every rule and statistical component
_PROVENANCE = "kg_provenance"  # doc.user_data key prefix of provenance records
_GROUP = "kg_group"  # doc.user_data key prefix of resolved groups

# Default confidence of a candidate by the factory that made its component.
CONFIDENCE = {"kg_abbreviations": 0.9, "kg_gazetteer": 0.95, "kg_patterns": 0.8, "kg_ner": 0.6}


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a candidate span comes from.

    Attributes:
        factory: the spaCy factory of the component that proposed it (``kg_gazetteer``),
            whatever name the component has in the pipeline.
        rule: the rule inside that component ("title_colon", "model_shape", a gazetteer entry's name).
        confidence: how reliable the rule is (0-1).
        introduces: the paper introduces the name (its own contribution: "we propose X", a title's head).
        known: a curated list knows the name (a gazetteer hit on it or on its paired form).
        pair: the abbreviation pair the span belongs to (both forms share it), else None.
    """

    factory: str
    rule: str = ""
    confidence: float = 1.0
    introduces: bool = False
    known: bool = False
    pair: int | None = None

    @property
    def label(self) -> str:
        """"factory:rule" (or the factory alone) for output; never parsed back."""
        return f"{self.factory}:{self.rule}" if self.rule else self.factory


def _prov_key(start_char: int, end_char: int, label: str) -> tuple:
    return (_PROVENANCE, start_char, end_char, label)


def provenance_rows(doc: Doc, start_char: int, end_char: int, label: str) -> list[list]:
    """The raw records of some offsets and label: ``[factory, rule, confidence, introduces, known, pair]``
    lists, the fields of :class:`Provenance` in order (a hot path reads them without building objects)."""
    return doc.user_data.get((_PROVENANCE, start_char, end_char, label)) or []


def provenance(span: Span) -> tuple[Provenance, ...]:
    """Every provenance record of the span's offsets and label (read without the ``._`` overhead)."""
    rows = span.doc.user_data.get(_prov_key(span.start_char, span.end_char, span.label_))
    return tuple(Provenance(*row) for row in rows) if rows else ()


def add_provenance(span: Span, prov: Provenance) -> None:
    """Attach ``prov`` to the span's offsets and label (kept once per distinct record)."""
    rows = span.doc.user_data.setdefault(_prov_key(span.start_char, span.end_char, span.label_), [])
    row = [prov.factory, prov.rule, prov.confidence, prov.introduces, prov.known, prov.pair]
    if row not in rows:
        rows.append(row)


def add_candidates(doc: Doc, items: list[tuple[int, int, int, int, str, Provenance]]) -> None:
    """Add many candidates at once: ``(start, end, start_char, end_char, label, provenance)`` with
    token offsets ``[start, end)`` and their character offsets (the fast path of the rule components)."""
    if not items:
        return
    user_data = doc.user_data
    spans = []
    for start, end, start_char, end_char, label, prov in items:
        spans.append(Span(doc, start, end, label=label))
        rows = user_data.setdefault((_PROVENANCE, start_char, end_char, label), [])
        row = [prov.factory, prov.rule, prov.confidence, prov.introduces, prov.known, prov.pair]
        if row not in rows:
            rows.append(row)
    if CANDIDATES_KEY in doc.spans:
        doc.spans[CANDIDATES_KEY].extend(spans)
    else:
        doc.spans[CANDIDATES_KEY] = spans


def add_candidate(doc: Doc, start: int, end: int, label: str, prov: Provenance) -> Span:
    """Add a candidate span over tokens ``[start, end)`` to ``doc.spans["kg_candidates"]``."""
    span = Span(doc, start, end, label=label)
    add_candidate_span(span, prov)
    return span


def add_candidate_span(span: Span, prov: Provenance) -> None:
    """Add an existing span of the doc as a candidate with ``prov``."""
    doc = span.doc
    if CANDIDATES_KEY not in doc.spans:
        doc.spans[CANDIDATES_KEY] = []
    doc.spans[CANDIDATES_KEY].append(span)
    add_provenance(span, prov)


def candidates(doc: Doc) -> list[Span]:
    """The candidate spans of the doc (empty when no component proposed any)."""
    return list(doc.spans[CANDIDATES_KEY]) if CANDIDATES_KEY in doc.spans else []


def span_group(span: Span) -> int | None:
    """The span's entity group (``span._.kg_group``), read without the ``._`` overhead."""
    value = span.doc.user_data.get((_GROUP, span.start_char, span.end_char))
    return None if value is None else int(value)


def set_group(span: Span, value: int | None) -> None:
    """Set the span's entity group (resolved spans do not overlap, so offsets identify them)."""
    key = (_GROUP, span.start_char, span.end_char)
    if value is None:
        span.doc.user_data.pop(key, None)
    else:
        span.doc.user_data[key] = int(value)


def best_provenance(span: Span) -> Provenance | None:
    """The most confident provenance record of the span, if any."""
    records = provenance(span)
    return max(records, key=lambda p: p.confidence) if records else None


def _get_extractor(span: Span) -> str:
    best = best_provenance(span)
    return best.label if best else ""


def _get_confidence(span: Span) -> float:
    best = best_provenance(span)
    return best.confidence if best else 1.0


def register_extensions() -> None:
    """Register every kg extension once; safe to call many times."""
    if not Span.has_extension("kg_group"):
        Span.set_extension("kg_group", getter=span_group, setter=set_group)
    if not Span.has_extension("kg_provenance"):
        Span.set_extension("kg_provenance", getter=provenance)
    if not Span.has_extension("kg_extractor"):
        Span.set_extension("kg_extractor", getter=_get_extractor)
    if not Span.has_extension("kg_confidence"):
        Span.set_extension("kg_confidence", getter=_get_confidence)
    for name in ("kg_abbreviations", "kg_roles", "kg_claims"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
    if not Doc.has_extension("kg_title_len"):
        Doc.set_extension("kg_title_len", default=0)


register_extensions()
