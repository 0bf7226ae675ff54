"""The kg spaCy pipeline and the extraction of papers with it.

The pipeline is ``spacy.blank("en")`` with the kg tokenizer and six components
(sentences, gazetteer, patterns, abbreviations, roles, claims). A paper becomes
one doc whose text is ``title + "\\n\\n" + abstract``; spans, roles and claims
found in it are mapped back to offsets in the title or the abstract.

Example:
    >>> from kg.models import Paper
    >>> nlp = build_nlp()
    >>> ex = extract_paper(Paper(id="p1", title="T", abstract="We evaluate on GSM8K."), nlp=nlp)
    >>> [(e.text, e.type.value) for e in ex.entities]
    [('GSM8K', 'Dataset')]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

import kg.nlp.abbreviations  # noqa: F401  (registers kg_abbreviations)
import kg.nlp.claims  # noqa: F401  (registers kg_claims)
import kg.nlp.gazetteer  # noqa: F401  (registers kg_gazetteer)
import kg.nlp.patterns  # noqa: F401  (registers kg_patterns)
import kg.nlp.roles  # noqa: F401  (registers kg_roles)
import kg.nlp.sentences  # noqa: F401  (registers kg_sentences)
import kg.nlp.tokenizer  # noqa: F401  (registers kg.tokenizer.v1)
from kg.errors import InputError
from kg.models import ExtractedClaim, ExtractedEntity, ExtractedRole, Extraction, Paper, TextField
from kg.nlp.extensions import SPAN_KEY, register_extensions, span_group
from kg.nlp.sentences import doc_text, span_text

SEPARATOR = "\n\n"
MODES = ("fast", "accurate")  # rules only; rules + kg_ner (kg/nlp/statistical.py)
COMPONENTS = ("kg_sentences", "kg_gazetteer", "kg_patterns", "kg_abbreviations", "kg_roles", "kg_claims")


def build_nlp(*, claims: bool = True, mode: str = "fast") -> Language:
    """A fresh, initialized kg pipeline (the name lists load from ``kg/resources``).

    Args:
        claims: add the claim extractor (``kg_claims``); off for entity-only runs.
        mode: ``"fast"`` (rules only) or ``"accurate"`` (rules + the trained ``kg_ner``
            before ``kg_roles``; see kg/nlp/statistical.py).

    Raises:
        InputError: an unknown ``mode``.
    """
    if mode not in MODES:  # --- statistical mode (kg_ner) ---
        raise InputError(f"unknown pipeline mode {mode!r}; expected one of {', '.join(MODES)}")
    register_extensions()
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "kg.tokenizer.v1"}}})
    for name in COMPONENTS:
        if name == "kg_claims" and not claims:
            continue
        if name == "kg_roles" and mode == "accurate":  # --- statistical mode (kg_ner) ---
            import kg.nlp.statistical  # noqa: F401  (registers kg_ner; loads the model only here)

            nlp.add_pipe("kg_ner")
        nlp.add_pipe(name)
    nlp.initialize()
    return nlp


@lru_cache(maxsize=4)
def default_nlp(claims: bool = True, mode: str = "fast") -> Language:
    """The shared pipeline of this process (built once per ``claims``/``mode``)."""
    return build_nlp(claims=claims, mode=mode)


def paper_text(paper: Paper) -> tuple[str, int]:
    """The doc text of a paper and the title's length in it."""
    title, abstract = paper.title.strip(), paper.abstract.strip()
    if title and abstract:
        return f"{title}{SEPARATOR}{abstract}", len(title)
    return (title or abstract), (len(title) if title else 0)


def make_doc(nlp: Language, paper: Paper) -> Doc:
    """Tokenize a paper into a doc that knows where its title ends."""
    text, title_len = paper_text(paper)
    doc = nlp.make_doc(text)
    doc._.kg_title_len = title_len
    doc.user_data["kg_text"] = text
    return doc


def _locate(doc: Doc, start: int | None, end: int | None) -> tuple[TextField, int | None, int | None]:
    """Doc character offsets → (field, offsets inside that field)."""
    title_len = doc._.kg_title_len
    text_len = len(doc_text(doc))
    if start is None or end is None:
        return TextField.ABSTRACT, start, end
    if title_len and start < title_len:
        return TextField.TITLE, start, min(end, title_len)
    shift = title_len + len(SEPARATOR) if title_len and text_len > title_len else 0
    return TextField.ABSTRACT, start - shift, end - shift


def doc_entities(doc: Doc) -> list[ExtractedEntity]:
    """One entity per distinct (surface form, type), at its first occurrence."""
    seen: set[tuple[str, str]] = set()
    out: list[ExtractedEntity] = []
    for span in doc.spans.get(SPAN_KEY, []):
        text = span_text(span)
        key = (text, span.label_)
        group = span_group(span)
        if key in seen or group is None:
            continue
        seen.add(key)
        field, start, end = _locate(doc, span.start_char, span.end_char)
        out.append(ExtractedEntity(text=text, type=span.label_, group=group, start=start, end=end,
                                   field=field, extractor=span._.kg_extractor or "", confidence=span._.kg_confidence))
    return out


def doc_to_extraction(doc: Doc, paper: Paper) -> Extraction:
    """The extraction record of one processed paper doc."""
    roles = []
    for row in doc._.kg_roles or []:
        field, start, end = _locate(doc, row.get("start"), row.get("end"))
        roles.append(ExtractedRole(**{**row, "field": field, "start": start, "end": end}))
    claims = []
    for row in doc._.kg_claims or []:
        field, start, end = _locate(doc, row.get("start"), row.get("end"))
        claims.append(ExtractedClaim(**{**row, "field": field, "start": start, "end": end}))
    return Extraction(id=paper.id, title=paper.title, abstract=paper.abstract, entities=doc_entities(doc),
                      roles=roles, claims=claims, source=paper.source, url=paper.url, year=paper.year)


def extract_paper(paper: Paper, nlp: Language | None = None) -> Extraction:
    """Extract one paper."""
    nlp = nlp or default_nlp()
    return doc_to_extraction(nlp(make_doc(nlp, paper)), paper)


def extract_papers(papers: Iterable[Paper], *, nlp: Language | None = None, batch_size: int = 64,
                   n_process: int = 1, mode: str = "fast") -> Iterator[Extraction]:
    """Extract papers in batches (``nlp.pipe``), in input order.

    Args:
        papers: the papers to extract (streamed).
        nlp: a kg pipeline; the shared default when omitted.
        batch_size: docs per batch of ``nlp.pipe``.
        n_process: worker processes (spans and extensions hold plain data, so docs cross processes).
        mode: ``"fast"`` or ``"accurate"`` for the default pipeline (ignored when ``nlp`` is given).
    """
    nlp = nlp or default_nlp(mode=mode)
    buffer: deque[Paper] = deque()

    def docs() -> Iterator[Doc]:
        for paper in papers:
            buffer.append(paper)
            yield make_doc(nlp, paper)

    for doc in nlp.pipe(docs(), batch_size=batch_size, n_process=n_process):
        yield doc_to_extraction(doc, buffer.popleft())
