#!/usr/bin/env python3
"""Train, evaluate and apply kg's small statistical NER (``kg/nlp/trained/ner``).

Why: the rules and gazetteers are precise but miss task, method and metric
names they have never seen. A small spaCy ``ner`` (hash embeddings + CNN, no
vectors, a few MB) trained on SciERC train and 80% of TDMSci adds recall; the
``kg_ner`` component (kg/nlp/statistical.py) runs it in ``accurate`` mode.

The shipped model is reproduced from the public training data with:

    python scripts/train_ner.py train            # ../shared/data/train -> kg/nlp/trained/ner

Other commands:

    python scripts/train_ner.py evaluate         # token-level NER scores of the shipped model
    python scripts/train_ner.py predict GOLD.jsonl PRED.jsonl --mode accurate

``predict`` writes extractions of the papers of a gold file (score them with
``shared/eval/score.py``) and prints the speed in abstracts per second.
Training is CPU-only, single-threaded and seeded; it takes a few minutes.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.training import Example
from spacy.util import compounding, fix_random_seed, minibatch
from thinc.api import Optimizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
import convert_corpora  # noqa: E402  (sibling script: corpus readers and the type mapping)

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "kg" / "nlp" / "trained" / "ner"
LABELS = ("Dataset", "Method", "Metric", "Task")
NER_MODEL = {
    "@architectures": "spacy.TransitionBasedParser.v2",
    "state_type": "ner",
    "extra_state_tokens": False,
    "hidden_width": 64,
    "maxout_pieces": 2,
    "use_upper": True,
    "tok2vec": {
        "@architectures": "spacy.HashEmbedCNN.v2",
        "pretrained_vectors": None,
        "width": 96,
        "depth": 4,
        "embed_size": 2500,
        "window_size": 1,
        "maxout_pieces": 3,
        "subword_features": True,
    },
}


def blank_kg() -> Language:
    """``spacy.blank("en")`` with the kg tokenizer, the tokenization the pipeline sees."""
    import kg.nlp.tokenizer  # noqa: F401  (registers kg.tokenizer.v1)

    return spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "kg.tokenizer.v1"}}})


def load_corpora(data: Path) -> dict[str, list[convert_corpora.Record]]:
    """The four record sets: SciERC train/dev, TDMSci 80% train and 20% held out."""
    sets = {
        "scierc-train": convert_corpora.scierc_records(data / "scierc" / "train.json"),
        "scierc-dev": convert_corpora.scierc_records(data / "scierc" / "dev.json"),
    }
    sets["tdmsci-train80"], sets["tdmsci-heldout20"] = convert_corpora.tdmsci_records(
        data / "tdmsci" / "train_1500_v2.conll")
    return sets


def examples(nlp: Language, records: list[convert_corpora.Record]) -> list[Example]:
    """Training examples: gold spans aligned to kg tokens (overlaps resolved longest-first)."""
    db, _ = convert_corpora.docbin(records, nlp)
    return [Example(nlp.make_doc(doc.text), doc) for doc in db.get_docs(nlp.vocab)]


def build_model(nlp: Language) -> None:
    """Add the small ``ner`` (its own tok2vec, so the component is self-contained)."""
    ner = nlp.add_pipe("ner", config={"model": NER_MODEL})
    for label in LABELS:
        ner.add_label(label)


def train(nlp: Language, train_set: list[Example], dev_sets: dict[str, list[Example]], *,
          epochs: int, seed: int, dropout: float) -> Optimizer:
    """Plain spaCy update loop with compounding batches; logs dev F1 per epoch (no model selection).

    Returns the optimizer, whose parameter averages are the weights to evaluate and save.
    """
    fix_random_seed(seed)
    rng = random.Random(seed)
    optimizer = nlp.initialize(lambda: train_set)
    for epoch in range(epochs):
        rng.shuffle(train_set)
        losses: dict[str, float] = {}
        start = time.time()
        for batch in minibatch(train_set, size=compounding(4.0, 32.0, 1.001)):
            nlp.update(batch, drop=dropout, sgd=optimizer, losses=losses)
        with nlp.use_params(optimizer.averages):
            scores = {name: nlp.evaluate(exs)["ents_f"] for name, exs in dev_sets.items()}
        print(f"epoch {epoch + 1:2d} loss {losses.get('ner', 0.0):9.1f} "
              + " ".join(f"{k} F1 {v:.3f}" for k, v in scores.items()) + f" ({time.time() - start:.0f}s)",
              flush=True)
    return optimizer


def report(nlp: Language, dev_sets: dict[str, list[Example]]) -> dict:
    """Per-set, per-type token-level NER scores (spaCy's exact span match)."""
    out = {}
    for name, exs in dev_sets.items():
        scores = nlp.evaluate(exs)
        out[name] = {"p": round(scores["ents_p"], 4), "r": round(scores["ents_r"], 4),
                     "f1": round(scores["ents_f"], 4),
                     "by_type": {k: round(v["f"], 4) for k, v in (scores["ents_per_type"] or {}).items()}}
    return out


def save(nlp: Language, out: Path) -> None:
    """Write only what loading needs: config, meta and the ``ner`` weights (no vocab, no tokenizer)."""
    out.mkdir(parents=True, exist_ok=True)
    nlp.meta.update({"name": "kg_ner", "version": "0.1.0", "description":
                     "kg statistical NER: SciERC train + TDMSci 80%, see scripts/train_ner.py"})
    nlp.to_disk(out, exclude=["vocab", "tokenizer"])


def cmd_train(args: argparse.Namespace) -> None:
    nlp = blank_kg()
    sets = load_corpora(args.data)
    train_set = examples(nlp, sets["scierc-train"]) + examples(nlp, sets["tdmsci-train80"])
    dev_sets = {name: examples(nlp, sets[name]) for name in ("scierc-dev", "tdmsci-heldout20")}
    build_model(nlp)
    start = time.time()
    optimizer = train(nlp, train_set, dev_sets, epochs=args.epochs, seed=args.seed, dropout=args.dropout)
    print(f"trained in {time.time() - start:.0f}s")
    with nlp.use_params(optimizer.averages):
        save(nlp, args.out)
        print(json.dumps(report(nlp, dev_sets), indent=1))
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"saved to {args.out} ({size / 1e6:.2f} MB)")


def cmd_evaluate(args: argparse.Namespace) -> None:
    from kg.nlp.statistical import load_trained

    nlp = blank_kg()
    trained = load_trained(args.model, nlp.vocab)
    sets = load_corpora(args.data)
    dev_sets = {name: examples(trained, sets[name]) for name in ("scierc-dev", "tdmsci-heldout20")}
    print(json.dumps(report(trained, dev_sets), indent=1))


def cmd_predict(args: argparse.Namespace) -> None:
    from kg.models import Paper
    from kg.nlp.pipeline import build_nlp, extract_papers

    papers = []
    with open(args.gold, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                papers.append(Paper(id=rec["id"], title=rec.get("title") or "", abstract=rec.get("abstract") or ""))
    nlp = build_nlp(mode=args.mode)
    if args.mode == "accurate" and args.labels:
        nlp.get_pipe("kg_ner").labels = frozenset(args.labels.split(","))
    start = time.time()
    with open(args.pred, "w", encoding="utf-8") as fh:
        for ex in extract_papers(papers, nlp=nlp):
            fh.write(ex.model_dump_json() + "\n")
    took = time.time() - start
    print(f"{args.mode}: {len(papers)} papers in {took:.2f}s ({len(papers) / took:.1f} abstracts/s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train and save the shipped model")
    t.add_argument("--data", type=Path, default=convert_corpora.DEFAULT_DATA)
    t.add_argument("--out", type=Path, default=DEFAULT_OUT)
    t.add_argument("--epochs", type=int, default=15)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--dropout", type=float, default=0.2)
    t.set_defaults(func=cmd_train)
    e = sub.add_parser("evaluate", help="NER scores of a saved model on SciERC dev and TDMSci 20%")
    e.add_argument("--data", type=Path, default=convert_corpora.DEFAULT_DATA)
    e.add_argument("--model", type=Path, default=DEFAULT_OUT)
    e.set_defaults(func=cmd_evaluate)
    p = sub.add_parser("predict", help="extract the papers of a gold file with the kg pipeline")
    p.add_argument("gold", type=Path)
    p.add_argument("pred", type=Path)
    p.add_argument("--mode", choices=("fast", "accurate"), default="accurate")
    p.add_argument("--labels", help="types kg_ner contributes, e.g. Dataset,Method,Metric,Task (default: its config)")
    p.set_defaults(func=cmd_predict)
    args = ap.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
