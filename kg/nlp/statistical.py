"""The statistical entity recognizer of kg's ``accurate`` mode (``kg_ner``).

The rules and gazetteers are precise but only know the names and shapes they
were written for. ``kg_ner`` runs a small trained spaCy ``ner`` (hash
embeddings + CNN, trained on SciERC and TDMSci by ``scripts/train_ner.py``,
shipped in ``kg/nlp/trained/ner``) on the same kg tokens and adds what it
finds as candidates (``doc.spans["kg_candidates"]``, provenance factory ``kg_ner``).

It only adds recall the rules cannot reach: it runs after the rule components
and before ``kg_resolve``, and drops a predicted span that overlaps a rule span
or repeats a name a rule already typed, so rule spans always win. Spans that
the guidelines exclude (generic heads like "our method", pronouns, stage
words, overlong phrases) are filtered by :func:`is_plausible`.

Example:
    >>> from kg.nlp.pipeline import build_nlp
    >>> nlp = build_nlp(mode="accurate")   # rules + kg_ner
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import minibatch
from spacy.vocab import Vocab

from kg.errors import InputError
from kg.models import EntityType, normalize_name
from kg.nlp.extensions import Provenance, add_candidate, candidates, register_extensions

TRAINED_DIR = Path(__file__).resolve().parent / "trained" / "ner"
EXTRACTOR = "kg_ner"
ALL_LABELS = ("Dataset", "Method", "Metric", "Task")
# What kg_ner contributes by default: on the project's gold dev set (gold/dev.jsonl) predicted
# Method/Task/Metric spans follow SciERC's broader notion ("declarative framework", "sampling")
# and lower entity F1 (0.792 -> 0.617); Dataset alone leaves it unchanged and adds recall on
# TDMSci. See docs/statistical.md; pass labels=ALL_LABELS for SciERC-style extraction.
DEFAULT_LABELS = ("Dataset",)

# Heads and words the guidelines never annotate alone (see gold/GUIDELINES.md).
GENERIC_WORDS = frozenset("""
approach approaches method methods model models framework frameworks system systems technique techniques
algorithm algorithms task tasks problem problems data dataset datasets corpus corpora benchmark benchmarks
performance score scores result results measure measures metric metrics evaluation training pretraining
pre-training fine-tuning finetuning post-training inference learning reasoning analysis study experiments
module modules component components architecture procedure process strategy scheme formulation baseline
baselines accuracy-based it they this that these those we our their its paper work
""".split())
# Generic heads after a dataset name: "Europarl parallel corpus" is Europarl (guidelines: no generic heads).
DATASET_HEADS = frozenset("corpus corpora dataset datasets data benchmark benchmarks set sets collection suite".split())
LEADING_STOPWORDS = frozenset("a an the our this that these those their its his her such each any some both".split())


def load_trained(path: str | Path | None = None, vocab: Vocab | None = None) -> Language:
    """The trained mini pipeline (only ``ner``) saved by ``scripts/train_ner.py``.

    Args:
        path: the model folder; the shipped ``kg/nlp/trained/ner`` when omitted.
        vocab: a vocab to share (the kg pipeline's), so predicted labels are its strings.

    Raises:
        InputError: the folder is missing or does not hold a spaCy ``ner``.
    """
    folder = Path(path) if path is not None else TRAINED_DIR
    if not (folder / "config.cfg").is_file():
        raise InputError(f"no trained kg_ner model at {folder} (run scripts/train_ner.py train)")
    try:
        return spacy.load(folder, vocab=vocab if vocab is not None else True, exclude=["tokenizer", "vocab"])
    except (OSError, ValueError, KeyError) as e:
        raise InputError(f"cannot load the trained kg_ner model at {folder}: {e}") from e


def is_plausible(span: Span, max_tokens: int = 8) -> bool:
    """Whether a predicted span could be a guideline entity (not generic, not a clause).

    Rejects spans longer than ``max_tokens``, with no letter, that start with
    a determiner or pronoun, that are one generic word ("approach",
    "training"), or that end in punctuation or a function word (a sign the
    model ran past the name).
    """
    words = [t for t in span if not t.is_space]
    if not words or len(words) > max_tokens or not any(c.isalpha() for c in span.text):
        return False
    first, last = words[0], words[-1]
    if first.lower_ in LEADING_STOPWORDS or first.is_punct or last.is_punct:
        return False
    if last.is_stop and last.lower_ not in {"a", "i"}:
        return False
    if len(words) == 1 and first.lower_ in GENERIC_WORDS:
        return False
    return not all(t.lower_ in GENERIC_WORDS or t.is_stop for t in words)


def _strip_space(span: Span) -> Span | None:
    """The span without leading/trailing whitespace tokens (the title separator), None if empty."""
    start, end = span.start, span.end
    while start < end and span.doc[start].is_space:
        start += 1
    while end > start and span.doc[end - 1].is_space:
        end -= 1
    return Span(span.doc, start, end, label=span.label_) if end > start else None


def trim_dataset_head(span: Span) -> Span:
    """A Dataset span without its generic head and the lowercase words before it.

    "Europarl parallel corpus" becomes "Europarl", "WMT14 dataset" becomes
    "WMT14"; a span with no capitalized or digit-bearing word before the head
    ("parallel corpus") or one ending in a name ("Penn Treebank") is unchanged.
    """
    if span.label_ != "Dataset" or len(span) < 2 or span[-1].lower_ not in DATASET_HEADS:
        return span
    end = span.end - 1
    while end > span.start and span.doc[end - 1].is_lower:
        end -= 1
    name = span.doc[span.start : end]
    if end == span.start or not any(t.text[:1].isupper() or any(c.isdigit() for c in t.text) for t in name):
        return span
    return Span(span.doc, span.start, end, label=span.label_)


def new_spans(doc: Doc, predicted: Iterable[Span], labels: frozenset[str], max_tokens: int) -> list[Span]:
    """Predicted spans that add something: wanted label, plausible, not overlapping or repeating a rule span."""
    existing = candidates(doc)
    taken = {i for span in existing for i in range(span.start, span.end)}
    known = {normalize_name(span.text) for span in existing}
    out = []
    for ent in predicted:
        ent = _strip_space(ent)
        if ent is not None:
            ent = trim_dataset_head(ent)
        if ent is None or ent.label_ not in labels or not is_plausible(ent, max_tokens):
            continue
        if taken.intersection(range(ent.start, ent.end)) or normalize_name(ent.text) in known:
            continue
        out.append(ent)
    return out


class StatisticalNER:
    """spaCy component: the trained ``ner``'s entities as candidate spans of kg types.

    The trained pipeline shares the kg pipeline's vocab and reads the kg
    tokens as they are; ``doc.ents`` is left as it was.
    """

    def __init__(self, nlp: Language, name: str = EXTRACTOR, *, model_path: str | None = None,
                 labels: Iterable[str] = DEFAULT_LABELS, confidence: float = 0.5, max_tokens: int = 8) -> None:
        self.name = name
        self.vocab = nlp.vocab
        self.model_path = model_path
        self.labels = frozenset(EntityType(label).value for label in labels)
        self.confidence = confidence
        self.max_tokens = max_tokens
        self.trained: Language | None = None

    def initialize(self, get_examples=None, *, nlp: Language | None = None) -> None:
        """Load the trained model (``model_path``, or the shipped one): data loads here, not in the factory."""
        self.trained = load_trained(self.model_path, self.vocab)

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        """Predict a batch at once (the CNN is much faster on batches)."""
        if self.trained is None:
            self.initialize()
        ner = self.trained.get_pipe("ner")
        for batch in minibatch(docs, size=batch_size):
            kept_ents = [doc.ents for doc in batch]
            for doc in batch:
                doc.ents = []
            ner.set_annotations(batch, ner.predict(batch))
            for doc, ents in zip(batch, kept_ents):
                self._add(doc)
                doc.ents = ents
                yield doc

    def _add(self, doc: Doc) -> None:
        for ent in new_spans(doc, doc.ents, self.labels, self.max_tokens):
            add_candidate(doc, ent.start, ent.end, ent.label_, Provenance(EXTRACTOR, "", self.confidence))

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Write the trained ``ner`` beside the pipeline, so a saved pipeline is self-contained."""
        if self.trained is None:
            self.initialize()
        self.trained.to_disk(path, exclude=["vocab", "tokenizer"])

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> StatisticalNER:
        """Load the trained ``ner`` written by :meth:`to_disk`."""
        self.trained = load_trained(path, self.vocab)
        return self


@Language.factory(
    EXTRACTOR,
    default_config={"model_path": None, "labels": list(DEFAULT_LABELS), "confidence": 0.5, "max_tokens": 8},
)
def make_statistical_ner(nlp: Language, name: str, *, model_path: str | None, labels: list[str],
                         confidence: float, max_tokens: int) -> StatisticalNER:
    """Factory of ``kg_ner``; ``model_path`` None means the model shipped in ``kg/nlp/trained/ner``.

    The model loads in ``initialize()`` (or ``from_disk`` for a saved pipeline), not here.
    """
    register_extensions()
    return StatisticalNER(nlp, name, model_path=model_path, labels=labels, confidence=confidence,
                          max_tokens=max_tokens)
