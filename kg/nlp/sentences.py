"""Sentence boundaries for titles and abstracts without a parser.

The doc text of a paper is ``title + "\\n\\n" + abstract``; a blank line always
ends a sentence. Otherwise a sentence ends at ".", "!" or "?" when the next
token starts like a sentence (upper case, a digit, a quote or a bracket) and the
stop does not belong to "et al." or a one-letter initial.
"""

from __future__ import annotations

import numpy
from spacy.attrs import IDX, LENGTH, ORTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span

_ENDERS = frozenset({".", "!", "?"})
_NOT_ENDING_BEFORE = frozenset({"al", "vs", "cf", "Fig", "Eq", "Sec", "approx", "Mr", "Ms", "Mrs", "Dr", "St", "No"})


def _starts_sentence(text: str) -> bool:
    first = text[0]
    return first.isupper() or first.isdigit() or first in "\"'([“‘"


def sentence_starts(words: list[str], spaces: list[bool]) -> list[bool]:
    """Which tokens start a sentence, from token texts and trailing-space flags.

    Example:
        >>> sentence_starts(["We", "win", ".", "It", "works", "."], [True, False, True, True, False, False])
        [True, False, False, True, False, False]
    """
    idx, offset = [], 0
    for word, space in zip(words, spaces):
        idx.append(offset)
        offset += len(word) + (1 if space else 0)
    text = "".join(w + (" " if sp else "") for w, sp in zip(words, spaces))
    return _starts_from_offsets(text, idx, [len(w) for w in words])


def _starts_from_offsets(text: str, idx: list[int], length: list[int]) -> list[bool]:
    """Sentence starts from token offsets: only stops and line breaks are looked at."""
    n = len(idx)
    starts = [False] * n
    if n:
        starts[0] = True
    for i in range(n - 1):
        char = text[idx[i]]
        if length[i] == 1 and char in _ENDERS:
            j = i + 1
            word = text[idx[j] : idx[j] + length[j]]
            if word.isspace() or not _starts_sentence(word):
                continue
            before = text[idx[i - 1] : idx[i - 1] + length[i - 1]] if i >= 1 else ""
            starts[j] = not (before in _NOT_ENDING_BEFORE or (len(before) == 1 and before.isupper()))
        elif char.isspace() and "\n" in text[idx[i] : idx[i] + length[i]]:
            j = i + 1
            if not text[idx[j] : idx[j] + length[j]].isspace():
                starts[j] = True
    return starts


class SentenceSplitter:
    """Sets sentence starts with the rules of :func:`sentence_starts`, from the doc's token offsets."""

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        flags = _starts_from_offsets(doc_text(doc), doc.to_array(IDX).tolist(), doc.to_array(LENGTH).tolist())
        values = numpy.array([1 if f else -1 for f in flags], dtype="int64").astype("uint64").reshape(-1, 1)
        doc.from_array([SENT_START], values)
        doc.user_data.pop("kg_sentence_bounds", None)
        return doc


def doc_text(doc: Doc) -> str:
    """``doc.text``, built once per doc (spaCy joins every token each time it is asked)."""
    text = doc.user_data.get("kg_text")
    if text is None:
        text = doc.user_data["kg_text"] = doc.text
    return text


def span_text(span: Span) -> str:
    """``span.text`` sliced from the cached doc text (spaCy rebuilds it from tokens each time)."""
    return doc_text(span.doc)[span.start_char : span.end_char]


def sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """(start_char, end_char) of each sentence, from the token arrays (no ``Token`` objects).

    Computed once per doc after ``kg_sentences`` has run and kept in ``doc.user_data``
    (plain data), since the patterns, roles and claims components all need it.
    """
    cached = doc.user_data.get("kg_sentence_bounds")
    if cached is not None:
        return cached
    bounds = _sentence_bounds(doc)
    if doc.has_annotation("SENT_START"):
        doc.user_data["kg_sentence_bounds"] = bounds
    return bounds


def _sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    text = doc_text(doc)
    if not len(doc) or not doc.has_annotation("SENT_START"):
        return [(0, len(text))]
    idx = doc.to_array(IDX).tolist()
    starts = [i for i, flag in enumerate(doc.to_array(SENT_START).tolist()) if flag == 1 or i == 0]
    bounds = []
    for n, first in enumerate(starts):
        end = idx[starts[n + 1]] if n + 1 < len(starts) else len(text)
        bounds.append((idx[first], len(text[:end].rstrip()) if end else end))
    return bounds


def token_texts(doc: Doc) -> list[str]:
    """Token texts without creating a ``Token`` object per token (the fast path)."""
    strings = doc.vocab.strings
    return [strings[h] for h in doc.to_array(ORTH).tolist()]


@Language.factory("kg_sentences", default_config={})
def make_sentencizer(nlp: Language, name: str) -> SentenceSplitter:
    """Factory of the ``kg_sentences`` component."""
    return SentenceSplitter()
