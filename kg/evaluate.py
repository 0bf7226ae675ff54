"""Score kg's extraction against a gold file.

Extract the gold file's papers, then score the predictions with kg's own scorer
(:mod:`kg.score`, in process), which computes the figures of the team's shared
``eval/score.py``. ``--scorer PATH`` or ``$KG_SCORER`` runs an external scorer script
instead, as ``python SCRIPT GOLD PRED [--json] [options]``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from kg.errors import InputError, KGError

SCORER_ENV = "KG_SCORER"


def find_scorer(explicit: Path | None = None) -> Path | None:
    """The external scorer script to run: ``explicit``, else ``$KG_SCORER``; None (kg's own scorer)
    when neither is given. A script that is named but missing is an error, never a silent fallback."""
    if explicit is not None:
        path = explicit
    elif os.environ.get(SCORER_ENV):
        path = Path(os.environ[SCORER_ENV])
    else:
        return None
    if not path.is_file():
        source = "" if explicit is not None else f" (from ${SCORER_ENV})"
        raise InputError(f"scorer not found: {path}{source}")
    return path.resolve()


def read_gold_papers(gold: Path) -> list:
    """The papers of a gold file: id, title and abstract of each line.

    Unlike the general readers, a gold line may lack a title (sentence-level
    corpora have none); a line without id or without any text is an error.
    """
    from kg.models import Paper

    papers = []
    with gold.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise InputError(f"{gold}:{n}: not JSON: {e.msg}") from e
            title, abstract = str(record.get("title") or ""), str(record.get("abstract") or "")
            if "id" not in record or not (title or abstract):
                raise InputError(f"{gold}:{n}: a gold record needs an id and a title or an abstract")
            papers.append(Paper(id=str(record["id"]), title=title, abstract=abstract))
    return papers


def write_predictions(gold: Path, output: Path, *, mode: str = "fast") -> int:
    """Extract every paper of ``gold`` and write the predictions as JSONL; the number written."""
    from kg.io.atomic import atomic_file
    from kg.nlp import extract_papers

    papers = read_gold_papers(gold)
    with atomic_file(output) as fh:  # a failed run keeps an older predictions file whole
        for extraction in extract_papers(papers, mode=mode):
            fh.write(json.dumps(extraction.model_dump(mode="json"), ensure_ascii=False) + "\n")
    return len(papers)


def run_scorer(scorer: Path, gold: Path, pred: Path, *, as_json: bool = False, extra: list[str] | None = None) -> str:
    """The scorer's output (its table, or its JSON object with ``as_json``)."""
    command = [sys.executable, str(scorer), str(gold), str(pred), *(extra or [])]
    if as_json:
        command.append("--json")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise KGError(f"scorer failed ({scorer}): {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def evaluate(gold: Path, *, scorer: Path | None = None, mode: str = "fast", as_json: bool = False,
             keep: Path | None = None, extra: list[str] | None = None) -> str:
    """Extract ``gold``'s papers and return the score report.

    Args:
        gold: a gold JSONL file (shared/gold/GUIDELINES.md format).
        scorer: an external scorer script to run instead of :mod:`kg.score` (else ``$KG_SCORER``).
        mode: extraction mode ("fast" rules only, or "accurate" where available).
        as_json: return the scorer's JSON object instead of its table.
        keep: also keep the predictions in this file.
        extra: more scorer arguments (``--types T,...``, ``--map A=B,...``).
    """
    from kg import score

    if not gold.is_file():
        raise InputError(f"{gold}: no such gold file")
    script = find_scorer(scorer)
    # kg's scorer checks its options before the extraction runs; an external one gets them as given
    types, mapping = score.parse_options(extra or []) if script is None else (None, None)
    with tempfile.TemporaryDirectory(prefix="kg-eval-") as tmp:
        pred = keep or Path(tmp) / "pred.jsonl"
        write_predictions(gold, pred, mode=mode)
        if script is not None:
            return run_scorer(script, gold, pred, as_json=as_json, extra=extra)
        result = score.score_files(gold, pred, types=types, mapping=mapping, claim_fields=True)
    return score.to_json(result) if as_json else score.format_report(result)
