"""Custom attributes kg's components read and write.

They hold plain data only (ints, strings, lists of dicts), never ``Span``
objects, so that ``nlp.pipe(n_process=...)`` and ``DocBin`` keep working.

- ``Span._.kg_group``: int, the entity group of a span in ``doc.spans["kg"]``
  (a long form and its abbreviation share one group).
- ``Span._.kg_extractor``: str, the rule or component that found the span.
- ``Span._.kg_confidence``: float.
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


def register_extensions() -> None:
    """Register every kg extension once; safe to call many times."""
    for name, default in (("kg_group", None), ("kg_extractor", ""), ("kg_confidence", 1.0)):
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)
    for name in ("kg_abbreviations", "kg_roles", "kg_claims"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
    if not Doc.has_extension("kg_title_len"):
        Doc.set_extension("kg_title_len", default=0)


register_extensions()
