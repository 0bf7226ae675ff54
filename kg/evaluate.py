"""Score kg's extraction against a gold file with the shared scorer.

The scorer (``eval/score.py`` beside the gold annotations) is the one measure
the team and its users agree on, so kg runs it rather than re-implementing it:
extract the gold file's papers, write the predictions, run the scorer on both.
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


def find_scorer(explicit: Path | None = None, gold: Path | None = None) -> Path:
    """The scorer script: ``explicit``, else ``$KG_SCORER``, else ``eval/score.py`` next to the gold
    file's folder, else ``../shared/eval/score.py`` from the working directory or the repository."""
    candidates: list[Path] = []
    if explicit is not None:
        candidates.append(explicit)
    elif os.environ.get(SCORER_ENV):
        candidates.append(Path(os.environ[SCORER_ENV]))
    else:
        if gold is not None:
            candidates.append(gold.resolve().parent.parent / "eval" / "score.py")
        candidates.append(Path.cwd() / ".." / "shared" / "eval" / "score.py")
        candidates.append(Path(__file__).resolve().parents[1] / ".." / "shared" / "eval" / "score.py")
    for path in candidates:
        if path.is_file():
            return path.resolve()
    raise InputError(f"scorer not found (tried {', '.join(str(p) for p in candidates)}); pass --scorer PATH")


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
    from kg.nlp import extract_papers

    papers = read_gold_papers(gold)
    with output.open("w", encoding="utf-8") as fh:
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
    """Extract ``gold``'s papers and return the scorer's report.

    Args:
        gold: a gold JSONL file (shared/gold/GUIDELINES.md format).
        scorer: the scorer script (found automatically when omitted).
        mode: extraction mode ("fast" rules only, or "accurate" where available).
        as_json: return the scorer's JSON object instead of its table.
        keep: also keep the predictions in this file.
        extra: more scorer arguments (``--types``, ``--map``).
    """
    if not gold.is_file():
        raise InputError(f"{gold}: no such gold file")
    script = find_scorer(scorer, gold)
    with tempfile.TemporaryDirectory(prefix="kg-eval-") as tmp:
        pred = keep or Path(tmp) / "pred.jsonl"
        write_predictions(gold, pred, mode=mode)
        return run_scorer(script, gold, pred, as_json=as_json, extra=extra)
