"""Sentence boundaries for titles and abstracts without a parser.

The doc text of a paper is ``title + "\\n\\n" + abstract``; a blank line always
ends a sentence. Otherwise a sentence ends at ".", "!" or "?" when the next
token starts like a sentence (upper case, a digit, a quote or a bracket) and the
stop does not belong to "et al." or a one-letter initial.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

_ENDERS = frozenset({".", "!", "?"})
_NOT_ENDING_BEFORE = frozenset({"al", "vs", "cf", "Fig", "Eq", "Sec", "approx"})


def _starts_sentence(text: str) -> bool:
    first = text[0]
    return first.isupper() or first.isdigit() or first in "\"'([“‘"


def sentence_starts(words: list[str], spaces: list[bool]) -> list[bool]:
    """Which tokens start a sentence, from token texts and trailing-space flags.

    Example:
        >>> sentence_starts(["We", "win", ".", "It", "works", "."], [True, False, True, True, False, False])
        [True, False, False, True, False, False]
    """
    starts = [False] * len(words)
    if words:
        starts[0] = True
    for i in range(1, len(words)):
        prev, word = words[i - 1], words[i]
        if word.isspace() or not word:
            continue
        if "\n" in prev:
            starts[i] = True
        elif prev in _ENDERS and _starts_sentence(word):
            before = words[i - 2] if i >= 2 else ""
            starts[i] = not (before in _NOT_ENDING_BEFORE or (len(before) == 1 and before.isupper()))
        elif "\n" in words[i - 1] or (i >= 2 and prev.isspace() and "\n" in prev):
            starts[i] = True
    return starts


class SentenceSplitter:
    """Sets ``token.is_sent_start`` from :func:`sentence_starts`."""

    def __call__(self, doc: Doc) -> Doc:
        words = [t.text for t in doc]
        spaces = [bool(t.whitespace_) for t in doc]
        for token, start in zip(doc, sentence_starts(words, spaces)):
            token.is_sent_start = start
        return doc


@Language.factory("kg_sentences", default_config={})
def make_sentencizer(nlp: Language, name: str) -> SentenceSplitter:
    """Factory of the ``kg_sentences`` component."""
    return SentenceSplitter()
