#!/usr/bin/env python3
"""Convert SciERC and TDMSci into kg gold files and spaCy training data.

Why: kg's rules are tuned to the project's guidelines; public corpora annotated
by others measure how far they generalise, and they are the training data of
the optional statistical component (``kg_ner``). This script turns them into

- gold-format JSONL (``id``, ``title`` "", ``abstract``, ``entities`` with
  ``text``/``type``/``group``, ``roles`` [], ``claims`` []) that
  ``shared/eval/score.py`` reads, and
- spaCy ``DocBin`` files tokenized with kg's own tokenizer.

Third-party text never enters the repository: everything is written to the
output directory (default ``/tmp/kg-corpora``).

Type mapping (documented in docs/statistical.md):

- SciERC ``Task``/``Method``/``Metric`` keep their type; ``Material`` becomes
  ``Dataset`` only when it looks like a named resource (see
  :func:`material_is_dataset`); ``OtherScientificTerm`` and ``Generic`` are dropped.
- TDMSci ``TASK``/``DATASET``/``METRIC`` become ``Task``/``Dataset``/``Metric``.

TDMSci has only a train file here; it is split 80/20 into fixed chunks of ten
consecutive sentences (chunk ``k`` is held out when ``k % 5 == 4``), so that
neighbouring sentences of one paper mostly stay on one side.

Usage:
    python scripts/convert_corpora.py [--data ../shared/data/train] [--out /tmp/kg-corpora]
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import spacy
from spacy.tokens import DocBin
from spacy.util import filter_spans

import kg.nlp.tokenizer  # noqa: F401  (registers kg.tokenizer.v1)

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO / ".." / "shared" / "data" / "train"
DEFAULT_OUT = Path("/tmp/kg-corpora")

SCIERC_TYPES = {"Task": "Task", "Method": "Method", "Metric": "Metric"}
TDMSCI_TYPES = {"TASK": "Task", "DATASET": "Dataset", "METRIC": "Metric"}
PTB_TOKENS = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}",
              "``": '"', "''": '"'}
NO_SPACE_BEFORE = {".", ",", ")", "]", "}", "-RRB-", "-RSB-", "-RCB-", ":", ";", "%", "?", "!", "'s", "n't", "''"}
NO_SPACE_AFTER = {"(", "[", "{", "``"}
# Language and nationality words: "English", "Czech text" are SciERC Material but not datasets.
LANGUAGES = frozenset("""
english chinese japanese korean french german spanish italian portuguese russian arabic hindi urdu
czech dutch bulgarian finnish turkish turk ish swedish danish norwegian polish romanian hungarian greek hebrew
thai vietnamese indonesian malay persian basque catalan slavic latin european american british
mandarin cantonese tamil bengali swahili estonian latvian lithuanian slovak slovene croatian serbian
""".split())
HELDOUT_CHUNK = 10


@dataclass
class Record:
    """One gold unit: text plus typed character spans (start, end, type)."""

    id: str
    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)


def detokenize(tokens: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """Readable text from PTB-style tokens and each token's character offsets.

    Why: the rules see prose ("feedback (FCP)"), not "-LRB- FCP -RRB-".
    """
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    pos = 0
    prev = None
    for raw in tokens:
        tok = PTB_TOKENS.get(raw, raw)
        if prev is not None and not ({raw, tok} & NO_SPACE_BEFORE) and prev not in NO_SPACE_AFTER:
            parts.append(" ")
            pos += 1
        offsets.append((pos, pos + len(tok)))
        parts.append(tok)
        pos += len(tok)
        prev = tok if raw in PTB_TOKENS and raw not in ("``", "''") else raw
    return "".join(parts), offsets


def _name_like(token: str, sentence_initial: bool) -> bool:
    """A token that marks a proper name: inner capitals, letters with digits, or Title case mid-sentence."""
    parts = [p for p in re.split(r"[-/]", token.lower()) if p]
    if not any(c.isalpha() for c in token) or all(p in LANGUAGES or p == "to" for p in parts):
        return False
    if any(c.isupper() for c in token[1:]) or (any(c.isdigit() for c in token) and token[0].isalpha()):
        return True
    return token[:1].isupper() and not sentence_initial


def material_is_dataset(tokens: list[str], first_is_sentence_start: bool) -> bool:
    """SciERC Material that names a resource (Penn TreeBank, WordNet, UCF101), not a kind of data.

    Rule: some token of the span is name-like (see ``_name_like``) and is not a
    language word; ``images``, ``English``, ``parallel corpus`` stay out.
    """
    words = [PTB_TOKENS.get(t, t) for t in tokens]
    return any(_name_like(w, i == 0 and first_is_sentence_start) for i, w in enumerate(words))


def scierc_records(path: Path) -> list[Record]:
    """SciERC JSON lines (document-level inclusive token offsets) as records."""
    records = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            doc = json.loads(line)
            tokens = [t for sent in doc["sentences"] for t in sent]
            starts = {sum(len(s) for s in doc["sentences"][:i]) for i in range(len(doc["sentences"]))}
            text, offsets = detokenize(tokens)
            rec = Record(id=f"scierc-{doc['doc_key']}", text=text)
            for sent in doc["ner"]:
                for start, end, label in sent:
                    kind = SCIERC_TYPES.get(label)
                    if label == "Material" and material_is_dataset(tokens[start : end + 1], start in starts):
                        kind = "Dataset"
                    if kind:
                        rec.spans.append((offsets[start][0], offsets[end][1], kind))
            records.append(rec)
    return records


def _conll_blocks(path: Path) -> list[list[tuple[str, int, str]]]:
    blocks: list[list[tuple[str, int, str]]] = []
    current: list[tuple[str, int, str]] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 3:
                if current:
                    blocks.append(current)
                current = []
                continue
            current.append((cols[0], int(cols[1]), cols[2]))
    if current:
        blocks.append(current)
    return blocks


def _conll_record(rid: str, block: list[tuple[str, int, str]]) -> Record:
    """One CoNLL sentence: spacing from the character offsets, spans from BIO tags."""
    parts, offsets, pos = [], [], 0
    for i, (tok, off, _) in enumerate(block):
        if i and off > block[i - 1][1] + len(block[i - 1][0]):
            parts.append(" ")
            pos += 1
        offsets.append((pos, pos + len(tok)))
        parts.append(tok)
        pos += len(tok)
    rec = Record(id=rid, text="".join(parts))
    open_span: list | None = None
    for i, (_, _, tag) in enumerate(block + [("", 0, "O")]):
        prefix, _, label = tag.partition("-")
        if open_span and (prefix != "I" or label != open_span[2]):
            rec.spans.append((open_span[0], offsets[i - 1][1], TDMSCI_TYPES[open_span[2]]))
            open_span = None
        if prefix == "B" or (prefix == "I" and open_span is None and label):
            open_span = [offsets[i][0], i, label]
    return rec


def tdmsci_records(path: Path) -> tuple[list[Record], list[Record]]:
    """TDMSci CoNLL as (train 80%, held-out 20%) records."""
    train, heldout = [], []
    for i, block in enumerate(_conll_blocks(path)):
        rec = _conll_record(f"tdmsci-{i:04d}", block)
        (heldout if (i // HELDOUT_CHUNK) % 5 == 4 else train).append(rec)
    return train, heldout


def gold_json(rec: Record) -> dict:
    """A record in the gold format: distinct (surface form, type), one group each."""
    entities, seen = [], {}
    for start, end, kind in sorted(rec.spans):
        text = rec.text[start:end]
        key = (re.sub(r"[\W_]+", "", text.casefold()), kind)
        if key not in seen:
            seen[key] = len(seen)
            entities.append({"text": text, "type": kind, "group": seen[key]})
    return {"id": rec.id, "title": "", "abstract": rec.text, "entities": entities, "roles": [], "claims": []}


def write_jsonl(records: list[Record], path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(gold_json(rec), ensure_ascii=False) + "\n")


def docbin(records: list[Record], nlp) -> tuple[DocBin, int]:
    """Records as NER training docs on kg tokens; returns the DocBin and the spans lost to overlap."""
    db = DocBin(store_user_data=False)
    lost = 0
    for rec in records:
        doc = nlp.make_doc(rec.text)
        spans = [doc.char_span(s, e, label=k, alignment_mode="expand") for s, e, k in rec.spans]
        spans = [s for s in spans if s is not None]
        kept = filter_spans(spans)
        lost += len(spans) - len(kept)
        doc.ents = kept
        db.add(doc)
    return db, lost


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder with scierc/ and tdmsci/")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (outside the repo)")
    args = ap.parse_args()
    out = args.out.resolve()
    if REPO.resolve() in (out, *out.parents):
        raise SystemExit(f"refusing to write third-party text into the repository: {out}")
    out.mkdir(parents=True, exist_ok=True)
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "kg.tokenizer.v1"}}})
    sets = {
        "scierc-train": scierc_records(args.data / "scierc" / "train.json"),
        "scierc-dev": scierc_records(args.data / "scierc" / "dev.json"),
    }
    sets["tdmsci-train80"], sets["tdmsci-heldout20"] = tdmsci_records(args.data / "tdmsci" / "train_1500_v2.conll")
    for name, records in sets.items():
        write_jsonl(records, out / f"{name}.jsonl")
        db, lost = docbin(records, nlp)
        db.to_disk(out / f"{name}.spacy")
        print(f"{name}: {len(records)} records, {sum(len(r.spans) for r in records)} spans, "
              f"{lost} dropped as overlapping -> {out / name}.jsonl/.spacy")


if __name__ == "__main__":
    main()
