"""Gazetteer matching of known benchmarks, models, metrics, methods and tasks.

Names come from the curated lists in ``kg/resources`` (see its SOURCES.md).
Matching is token based (spaCy ``PhraseMatcher``), so names match only on token
boundaries, which the kg tokenizer puts around every part of a hyphenated name.

Three rules keep ordinary words from becoming entities:

- short forms written with capitals (``RL``, ``EM``, ``SFT``) and entries marked
  case-sensitive match only as written;
- entries marked ``ambiguous`` (names that are also English words: MATH, BIRD,
  ARC, Pile, Arena) must match as written *and* show a cue: written in capitals,
  or followed by a word such as "benchmark" or "dataset", or preceded by "the"
  or "on" in the middle of a sentence;
- a match inside a longer match is dropped later (longest name wins).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Callable

import srsly
from spacy.attrs import IDX, LENGTH
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.util import ensure_path

from kg.models import EntityType
from kg.nlp import lexicon as lx
from kg.nlp.abbreviations import GENERIC_LONG_FORMS
from kg.nlp.extensions import Provenance, add_candidates, register_extensions
from kg.nlp.sentences import doc_text, token_texts

CUE_AFTER = lx.DATASET_CUES_AFTER
CUE_BEFORE = lx.DATASET_CUES_BEFORE
# Head words that the guidelines leave out of names ("BIRD dev dataset" is BIRD).
GENERIC_HEADS = lx.GENERIC_HEADS


def _is_generic(form: str) -> bool:
    """Generic classes of models ("large language models") are never entities, nor
    forms that end in a generic head word."""
    low = form.lower()
    if low in GENERIC_LONG_FORMS or (low.endswith("s") and low[:-1] in GENERIC_LONG_FORMS):
        return True
    words = low.split()
    return len(words) > 1 and words[-1] in GENERIC_HEADS


def _is_description(form: str) -> bool:
    """A dataset alias that describes the data rather than naming it: a phrase of three or more
    ordinary words in sentence case ("Grade school math word problems"); a name capitalizes its
    words or holds a digit ("Grade School Math 8K").

    Example:
        >>> _is_description("Grade school math word problems"), _is_description("Natural Questions")
        (True, False)
    """
    words = form.split()
    return (len(words) >= 3 and words[0][:1].isupper() and words[0][1:].islower()
            and all(w.isalpha() and w.islower() for w in words[1:]))


def _camel_word(form: str) -> bool:
    """A short one-word name with inner capitals ("MiniMax", "MuTual"): written only that way,
    while its lower-case form is an ordinary word ("minimax", "mutual")."""
    return form.isalpha() and len(form) <= 7 and any(c.isupper() for c in form[1:]) and not form.isupper()


def pattern_rows(entries: Iterable[Any]) -> list[dict[str, Any]]:
    """One row per written form of every gazetteer entry.

    Entries are ``kg.resources.GazetteerEntry`` objects or dicts with ``name``,
    ``type``, ``aliases``, ``case_sensitive`` and ``ambiguous``.
    """
    rows: list[dict[str, Any]] = []
    for entry in entries:
        data = entry if isinstance(entry, dict) else entry.model_dump(mode="json")
        strict = bool(data.get("case_sensitive")) or bool(data.get("ambiguous"))
        seen: set[str] = set()
        for base in (f.strip() for f in [data["name"], *data.get("aliases", [])]):
            # a variant is as case-sensitive as the form it comes from ("ALIGN" and "ALIGNs", not "aligns")
            base_strict = strict or (len(base) <= 5 and any(c.isupper() for c in base)) or _camel_word(base)
            if str(data["type"]) == "Dataset" and _is_description(base):
                continue
            for form in written_variants(base, str(data["type"])):
                if not form or form in seen or _is_generic(form):
                    continue
                seen.add(form)
                rows.append({"text": form, "type": str(data["type"]), "name": data["name"],
                             "case_sensitive": base_strict, "ambiguous": bool(data.get("ambiguous"))})
    return rows


_JOIN_PREFIXES = ("pre", "post", "fine", "multi", "self", "semi", "non", "co", "re", "sub", "meta", "cross", "inter", "intra")


def written_variants(form: str, type_: str = "") -> list[str]:
    """A name and the ways papers also write it.

    - with a hyphen, a space or nothing before a number ("CIFAR-10" / "CIFAR10" / "CIFAR 10",
      "Llama 3" / "Llama-3", "MATH500" / "MATH-500");
    - lower-case hyphenated names with spaces, and joined after a short prefix
      ("chain-of-thought" / "chain of thought", "fine-tuning" / "finetuning");
    - plurals of method, model and task names ("Transformers", "world models").

    Example:
        >>> written_variants("CIFAR-10")
        ['CIFAR-10', 'CIFAR10', 'CIFAR 10']
        >>> written_variants("fine-tuning", "Method")
        ['fine-tuning', 'fine tuning', 'finetuning']
    """
    out = [form]
    if re.search(r"[A-Za-z] \d", form):
        out.append(re.sub(r"(?<=[A-Za-z]) (?=\d)", "-", form))
    if re.search(r"[A-Za-z]-\d", form):
        out.append(re.sub(r"(?<=[A-Za-z])-(?=\d)", "", form))
        out.append(re.sub(r"(?<=[A-Za-z])-(?=\d)", " ", form))
    elif re.fullmatch(r"[A-Z][A-Za-z]*[A-Z]\d+", form):
        out.append(re.sub(r"(?<=[A-Za-z])(?=\d)", "-", form, count=1))
    if "-" in form and form.islower() and re.search(r"[a-z]-[a-z]", form):
        out.append(form.replace("-", " "))
        head, _, rest = form.partition("-")
        if head in _JOIN_PREFIXES and rest:
            out.append(head + rest)
    if type_ in ("Method", "Model", "Task") and re.search(r"[A-Za-z]$", form) and not form.endswith(("s", "ing", "ion")):
        if not form.isupper():
            out.append(form + "s")
    return out


def has_cue(words: list[str], start: int, end: int, sent_start: bool) -> bool:
    """Whether an ambiguous name at tokens ``[start, end)`` has a dataset cue.

    Example:
        >>> has_cue(["results", "on", "MATH", "and"], 2, 3, False)
        True
        >>> has_cue(["Math", "is", "hard"], 0, 1, True)
        False
    """
    text = "".join(words[start:end])
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 3 and all(c.isupper() for c in letters):
        return True
    after = words[end].lower() if end < len(words) else ""
    if after in CUE_AFTER:
        return True
    before = words[start - 1].lower() if start > 0 else ""
    return not sent_start and before in CUE_BEFORE and text[:1].isupper()


# Words right before a name that make a name of two types (GQA: a dataset and grouped-query attention)
# the dataset: "results on GQA", "gains across GQA". Weaker cues (the, of, and) do not decide a type.
_TYPE_CUES_BEFORE = frozenset({"on", "from", "across"})
_NUMBER = re.compile(r"\d|%")


def _pick_type(rows: list[dict[str, Any]], doc: Doc, words: list[str], start: int, end: int) -> dict[str, Any]:
    """The row of a name listed under several types that fits its context.

    A Dataset reading needs a dataset cue next to it ("on GQA", "GQA benchmark"), a Metric
    reading a number close by ("MAE of 0.31", "an ASR of 92%"); otherwise the other type is
    meant ("attention with GQA", "pretrain with MAE", "evaluate ASR on LibriSpeech"). Rows
    are taken in a fixed order, so the choice never depends on the order of the lists.
    """
    rows = sorted(rows, key=lambda r: (r["type"], r["name"]))
    types = {r["type"] for r in rows}
    if EntityType.DATASET.value in types:
        before = words[start - 1].lower() if start > 0 else ""
        after = words[end].lower() if end < len(words) else ""
        want = after in CUE_AFTER or before in _TYPE_CUES_BEFORE
        return next(r for r in rows if (r["type"] == EntityType.DATASET.value) == want)
    if EntityType.METRIC.value in types:
        char_start, char_end = doc[start].idx, doc[end - 1].idx + len(doc[end - 1])
        text = doc_text(doc)
        want = bool(_NUMBER.search(text[max(0, char_start - 15):char_start] + " " + text[char_end:char_end + 25]))
        return next(r for r in rows if (r["type"] == EntityType.METRIC.value) == want)
    return rows[0]


_MEASURE_CUE = re.compile(
    r"\d|%|\u00d7|\b(?:improv\w*|reduc\w*|lower\w*|higher|increas\w*|decreas\w*|measur\w*|evaluat\w*|"
    r"report\w*|achiev\w*|gains?|drops?|better|worse|score\w*|metrics?|terms of|judged|rated)\b",
    re.IGNORECASE,
)


def has_measure_cue(text: str, start: int, end: int, reach: int = 60) -> bool:
    """Whether a metric name that is also an ordinary noun is used as a measure here:
    a number or a measuring word near it ("improves faithfulness", "latency of 20 ms").

    Example:
        >>> has_measure_cue("it lowers latency by 2x", 10, 17)
        True
        >>> has_measure_cue("the high latency of search", 9, 16)
        False
    """
    return bool(_MEASURE_CUE.search(text, max(0, start - reach), min(len(text), end + reach)))


def default_entries() -> list[Any]:
    """All entries of the shipped resources (the default data of ``initialize``)."""
    from kg.resources import load_entries

    return [e for e in load_entries() if not getattr(e, "family", False)]


class GazetteerMatcher:
    """spaCy component: adds a candidate per gazetteer hit to ``doc.spans["kg_candidates"]`` (known names)."""

    def __init__(self, nlp: Language, name: str = "kg_gazetteer", *, confidence: float = 0.95) -> None:
        self.nlp = nlp
        self.name = name
        self.confidence = confidence
        self.rows: list[dict[str, Any]] = []
        self._provenances: dict[str, Provenance] = {}
        self._lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._orth = PhraseMatcher(nlp.vocab, attr="ORTH")

    def initialize(self, get_examples: Callable | None = None, *, nlp: Language | None = None,
                   entries: Iterable[Any] | None = None) -> None:
        """Load the name lists (the shipped resources unless ``entries`` is given) and check the lexicon."""
        lx.load_lexicon()
        self.set_rows(pattern_rows(default_entries() if entries is None else entries))

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.rows = rows
        self._lower = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self._orth = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        texts = [r["text"] for r in rows]
        for i, (row, doc) in enumerate(zip(rows, self.nlp.tokenizer.pipe(texts))):
            matcher = self._orth if row["case_sensitive"] else self._lower
            matcher.add(str(i), [doc])

    def __call__(self, doc: Doc) -> Doc:
        words: list[str] | None = None
        seen: set[tuple[int, int]] = set()
        found: list[tuple[int, int, int, int, str, Provenance]] = []
        idx: list[int] | None = None
        length: list[int] = []
        matches = [*self._orth(doc), *self._lower(doc)]
        rows_at: dict[tuple[int, int], list[dict[str, Any]]] = {}
        for match_id, start, end in matches:
            rows_at.setdefault((start, end), []).append(self.rows[int(self.nlp.vocab.strings[match_id])])
        for match_id, start, end in matches:
            row = self.rows[int(self.nlp.vocab.strings[match_id])]
            if (start, end) in seen:
                continue
            if len({r["type"] for r in rows_at[(start, end)]}) > 1:  # GQA, MAE, ASR, Alpaca: the context decides
                words = words or token_texts(doc)
                row = _pick_type(rows_at[(start, end)], doc, words, start, end)
            if row["ambiguous"]:
                if row["type"] == EntityType.METRIC.value:
                    text = doc_text(doc)
                    char_start, char_end = doc[start].idx, doc[end - 1].idx + len(doc[end - 1])
                    if not has_measure_cue(text, char_start, char_end):
                        continue
                else:
                    words = words or token_texts(doc)
                    if not has_cue(words, start, end, bool(doc[start].is_sent_start)):
                        continue
            seen.add((start, end))
            if idx is None:
                idx, length = doc.to_array(IDX).tolist(), doc.to_array(LENGTH).tolist()
            end_char = idx[end - 1] + length[end - 1]
            found.append((start, end, idx[start], end_char, row["type"], self._provenance(row["name"])))
        add_candidates(doc, found)
        return doc

    def _provenance(self, name: str) -> Provenance:
        prov = self._provenances.get(name)
        if prov is None:
            prov = self._provenances[name] = Provenance(FACTORY, name, self.confidence, known=True)
        return prov

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_jsonl(path / "patterns.jsonl", self.rows)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> GazetteerMatcher:
        self.set_rows(list(srsly.read_jsonl(ensure_path(path) / "patterns.jsonl")))
        return self


def types_of(rows: list[dict[str, Any]]) -> set[EntityType]:
    """The entity types present in pattern rows (used by tests and stats)."""
    return {EntityType(r["type"]) for r in rows}


FACTORY = "kg_gazetteer"


@Language.factory(FACTORY, default_config={"confidence": 0.95})
def make_gazetteer(nlp: Language, name: str, *, confidence: float) -> GazetteerMatcher:
    """Factory of ``kg_gazetteer``; the name lists load in ``initialize()``."""
    register_extensions()
    return GazetteerMatcher(nlp, name, confidence=confidence)
