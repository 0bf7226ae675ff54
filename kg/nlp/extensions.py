"""Custom attributes kg's components read and write.

They hold plain data only (ints, strings, lists of dicts), never ``Span``
objects, so that ``nlp.pipe(n_process=...)`` and ``DocBin`` keep working.

- ``Span._.kg_group``: int, the entity group of a span in ``doc.spans["kg"]``
  (a long form and its abbreviation share one group). Stored in the span itself
  (``span.kb_id_``, the id of the entity the span refers to) for the same reason
  as the extractor below; :func:`span_group` reads it without the ``._`` overhead.
- ``Span._.kg_extractor``: str, the rule or component that found the span
  ("kg_gazetteer:GSM8K", "kg_patterns:model_shape"). It is stored in the span
  itself (``span.id_``, where spaCy's own ``SpanRuler`` keeps its pattern ids),
  not in ``doc.user_data``: spaCy keys span extensions by character offsets, so
  two candidate spans over the same text would otherwise share one value.
- ``Span._.kg_confidence``: float, from the extractor unless set explicitly.
- ``Doc._.kg_abbreviations``: list of ``{"short": [start_char, end_char],
  "long": [start_char, end_char]}`` pairs.
- ``Doc._.kg_roles``: list of ``ExtractedRole.model_dump(mode="json")`` dicts
  (offsets relative to ``doc.text``).
- ``Doc._.kg_claims``: list of ``ExtractedClaim.model_dump(mode="json")`` dicts
  (offsets relative to ``doc.text``).
- ``Doc._.kg_title_len``: int, length of the title at the start of ``doc.text``
  (the doc text is ``title + "\\n\\n" + abstract``); 0 when the doc has no title.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span

SPAN_KEY = "kg"


# Confidence of a span by the component that found it (when not set explicitly).
CONFIDENCE = {"kg_abbreviations": 0.9, "kg_gazetteer": 0.95, "kg_patterns": 0.8, "kg_ner": 0.6}


def span_group(span: Span) -> int | None:
    """The span's entity group (``span._.kg_group``), read directly from the span."""
    value = span.kb_id_
    return int(value) if value else None


def _set_group(span: Span, value: int | None) -> None:
    span.kb_id_ = "" if value is None else str(int(value))


def _get_extractor(span: Span) -> str:
    return span.id_


def _set_extractor(span: Span, value: str) -> None:
    span.id_ = value or ""


def _confidence_key(span: Span) -> tuple:
    return ("kg_confidence", span.start_char, span.end_char, span.label_, span.id_)


def _get_confidence(span: Span) -> float:
    value = span.doc.user_data.get(_confidence_key(span))
    if value is None:
        value = CONFIDENCE.get(span.id_.partition(":")[0], 1.0)
    return value


def _set_confidence(span: Span, value: float) -> None:
    span.doc.user_data[_confidence_key(span)] = float(value)


def register_extensions() -> None:
    """Register every kg extension once; safe to call many times."""
    if not Span.has_extension("kg_group"):
        Span.set_extension("kg_group", getter=span_group, setter=_set_group)
    if not Span.has_extension("kg_extractor"):
        Span.set_extension("kg_extractor", getter=_get_extractor, setter=_set_extractor)
    if not Span.has_extension("kg_confidence"):
        Span.set_extension("kg_confidence", getter=_get_confidence, setter=_set_confidence)
    for name in ("kg_abbreviations", "kg_roles", "kg_claims"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
    if not Doc.has_extension("kg_title_len"):
        Doc.set_extension("kg_title_len", default=0)


register_extensions()
