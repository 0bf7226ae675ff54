"""Regenerate the gazetteers in kg/resources/ from public name lists and hand-written seeds.

Why a script: the raw name lists under ``shared/data/names`` are material, not a
gazetteer (``gsm8k_cot_zeroshot`` is not what papers write). The curated part lives
in ``kg/resources/seed/*.txt`` (one entry a line: ``NAME | ALIASES | FLAGS | SOURCE KEYS``);
this script checks every source key against the list it names, adds the entries it
can derive mechanically (HELM model display names, transformers architecture names,
HELM run-group and OpenCompass benchmark names, Papers with Code task names),
merges duplicates and writes sorted, deterministic JSONL with a ``_meta`` header.

Seed lines may also cite spans of the training corpora (``scierc:``, ``tdmsci:``): the
build checks that the corpus annotates that text with the seed file's type in at least two
documents (SciERC) or sentences (TDMSci, its kg held-out chunks excluded).

Usage:
    python scripts/build_resources.py [NAMES_DIR] [--train TRAIN_DIR] [--out kg/resources]

NAMES_DIR defaults to ``../shared/data/names`` and TRAIN_DIR to ``../shared/data/train``,
relative to the repository.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kg.errors import KGError
from kg.models import normalize_name
from kg.resources._derive import (
    SOURCE_LABELS,
    SourceLists,
    acronym_plurals,
    build_key,
    collides,
    derive_helm_datasets,
    derive_helm_models,
    derive_hf_models,
    derive_opencompass_datasets,
    derive_pwc_tasks,
    plural_key,
    pwc_non_tasks,
    redundant_plural_aliases,
    strip_organisation,
    with_british_aliases,
)

REPO = Path(__file__).resolve().parents[1]

FLAG_NAMES = {"cs": "case_sensitive", "amb": "ambiguous"}

LICENSE_OWN = "Apache-2.0"

META = {
    "datasets": {
        "license": "Apache-2.0 AND MIT",
        "sources": ["lm-evaluation-harness", "opencompass", "helm", "nlp-tdms-kb", "kg-team"],
        "note": "Benchmarks and datasets: curated names from lm-evaluation-harness task families (MIT), "
        "OpenCompass dataset configs and HELM scenarios/run groups (Apache-2.0), IBM NLP-TDMS datasetKB "
        "(Apache-2.0), and well-known datasets of vision, speech, RL, graphs, retrieval and code written by "
        "the kg team (Apache-2.0).",
    },
    "models": {
        "license": "Apache-2.0",
        "sources": ["helm", "transformers", "kg-team"],
        "note": "Released models: HELM model_metadata display names cleaned (organisation, dates and "
        "deployment notes removed, size moved after the family), transformers architecture display names "
        "(class names and generic names removed), and hand-written entries (Apache-2.0). No form starts "
        "with an organisation; derived names that a dataset, method, metric or task also has are left out; "
        "every version, size or variant is its own entry.",
    },
    "model_families": {
        "license": "Apache-2.0",
        "sources": ["kg-team"],
        "note": "Family stems for the model-name shape matcher (family + version + size + variant); "
        "written by the kg team. Every entry has family=true. Only stems: versioned forms are models.",
    },
    "metrics": {
        "license": "Apache-2.0",
        "sources": ["nlp-tdms-kb", "tdmsci-train", "kg-team"],
        "note": "Evaluation measures across sub-fields written by the kg team; entries that IBM NLP-TDMS "
        "evaMatrixKB (Apache-2.0) lists, or that TDMSci train (Apache-2.0) annotates as METRIC in at least "
        "two sentences, carry that source.",
    },
    "methods": {
        "license": "Apache-2.0",
        "sources": ["scierc-train", "kg-team"],
        "note": "Established techniques, algorithms, training recipes, losses and architectures across "
        "sub-fields, written by the kg team from general knowledge; the few that SciERC train annotates as "
        "Method in at least two abstracts carry that source (SciERC: research use, cite Luan et al. 2018; "
        "scibert repository Apache-2.0).",
    },
    "tasks": {
        "license": "Apache-2.0",
        "sources": ["nlp-tdms-kb", "tdmsci-train", "scierc-train", "kg-team"],
        "note": "Research tasks written by the kg team; entries that IBM NLP-TDMS taskKB (Apache-2.0) lists, "
        "or that TDMSci train (TASK, Apache-2.0) or SciERC train (Task; research use, cite Luan et al. 2018) "
        "annotate at least twice, carry that source.",
    },
    "tasks_pwc": {
        "license": "CC-BY-SA-4.0",
        "sources": ["pwc-archive-tasks"],
        "note": "Multi-word task names (2-5 words, lower case as written in running text) from the Papers "
        "with Code task hierarchy (archive of July 2025), kept when at least 3 datasets are listed for the "
        "task, or fewer when the name ends in a task head and brings no new adjective; a spelled-out "
        "abbreviation is an alias; names that tasks.jsonl or methods.jsonl already has (also in the plural), names of another "
        "type, and names of things rather than tasks (model classes, environments, datasets, learning "
        "paradigms, generic words) are left out. Derived from a CC-BY-SA-4.0 list, so this "
        "file is CC-BY-SA-4.0.",
    },
}

KIND_TYPE = {
    "datasets": "Dataset",
    "models": "Model",
    "model_families": "Model",
    "metrics": "Metric",
    "methods": "Method",
    "tasks": "Task",
    "tasks_pwc": "Task",
}


def parse_seed(path: Path, etype: str, lists: SourceLists) -> list[dict]:
    """Parse one seed file; every source key must exist in the list it names.

    Raises:
        KGError: a malformed line or an unknown source key, with file:line.
    """
    entries = []
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 4 or not parts[0]:
            raise KGError(f"{path}:{lineno}: expected 'NAME | ALIASES | FLAGS | SOURCE KEYS', got {raw!r}")
        name, aliases, flags, keys = parts
        try:
            sources = lists.check_keys(keys, etype)
        except KeyError as e:
            raise KGError(f"{path}:{lineno}: unknown source key {e.args[0]!r}") from e
        flag_set = {f.strip() for f in flags.split(",") if f.strip()}
        if flag_set - FLAG_NAMES.keys():
            raise KGError(f"{path}:{lineno}: unknown flags {sorted(flag_set - FLAG_NAMES.keys())}")
        entries.append(
            make_entry(
                name,
                etype,
                [a.strip() for a in aliases.split(";") if a.strip()],
                case_sensitive="cs" in flag_set,
                ambiguous="amb" in flag_set,
                source="; ".join(sources) if sources else SOURCE_LABELS["kg"],
            )
        )
    return entries


def make_entry(
    name: str,
    etype: str,
    aliases: list[str],
    *,
    case_sensitive: bool = False,
    ambiguous: bool = False,
    source: str,
    family: bool = False,
) -> dict:
    """One gazetteer record; an ambiguous name is always matched case-sensitively."""
    return {
        "name": name,
        "type": etype,
        "aliases": aliases,
        "case_sensitive": case_sensitive or ambiguous,
        "ambiguous": ambiguous,
        "family": family,
        "source": source,
    }


def merge_entries(entries: list[dict], taken: set[str] | None = None) -> list[dict]:
    """Merge entries that name one thing (first wins) and clean the aliases.

    An entry whose name normalizes like an earlier entry's name or alias is merged
    into that entry (its aliases and source are added). An alias is dropped when it
    normalizes like its own name (the matcher folds case and punctuation already) or
    is owned by another entry. ``taken`` holds normalized forms owned by an earlier
    file of the same type; entries named like them are left out.
    """
    taken = set(taken or ())
    merged: dict[str, dict] = {}
    owner: dict[str, str] = {}
    for entry in entries:
        key = build_key(entry["name"])
        if not key or key in taken:
            continue
        if key in owner:
            first = merged[owner[key]]
            first["aliases"] += [entry["name"], *entry["aliases"]]
            if entry["source"] not in first["source"].split("; "):
                first["source"] = f"{first['source']}; {entry['source']}"
        else:
            merged[key] = {**entry, "aliases": list(entry["aliases"])}
            owner[key] = key
        for alias in entry["aliases"]:
            owner.setdefault(build_key(alias), owner[key])
    for key, entry in merged.items():
        seen = {normalize_name(entry["name"])}
        aliases = []
        for alias in entry["aliases"]:
            match_key = normalize_name(alias)
            if match_key and match_key not in seen and owner.get(build_key(alias)) == key:
                seen.add(match_key)
                aliases.append(alias)
        entry["aliases"] = aliases
    return sorted(merged.values(), key=lambda e: (e["name"].casefold(), e["name"]))


def write_jsonl(path: Path, kind: str, entries: list[dict], commits: dict[str, str]) -> None:
    """Write the ``_meta`` header and one sorted entry a line."""
    meta = dict(META[kind])
    meta = {"kind": kind, **meta, "sources": [commits.get(s, s) for s in meta["sources"]], "count": len(entries)}
    lines = [json.dumps({"_meta": meta}, ensure_ascii=False)]
    lines += [json.dumps(e, ensure_ascii=False) for e in entries]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def without_organisations(entries: list[dict]) -> list[dict]:
    """Model entries with the organisation taken off every form ("OpenAI o1" -> "o1")."""
    return [
        {**e, "name": strip_organisation(e["name"]), "aliases": [strip_organisation(a) for a in e["aliases"]]}
        for e in entries
    ]


def without_plural_aliases(entries: list[dict]) -> list[dict]:
    """Method and Task entries without aliases that are a plural the matcher writes itself.

    Method acronyms get their plural as an alias instead ("GNN" -> "GNNs"), since the matcher
    leaves all-capital forms as written and papers write "GNNs", "CNNs", "VAEs".
    """
    out = []
    for e in entries:
        aliases = list(e["aliases"])
        if e["type"] == "Method":
            aliases += [p for p in acronym_plurals([e["name"], *aliases]) if p not in aliases]
        plurals = set(redundant_plural_aliases(e["name"], aliases, e["type"]))
        out.append({**e, "aliases": [a for a in aliases if a not in plurals]})
    return out


def _forms_keys(entries: list[dict], key=build_key) -> set[str]:
    return {key(f) for e in entries for f in [e["name"], *e["aliases"]]}


def build_files(lists: SourceLists, seed_dir: Path, report: dict[str, int] | None = None) -> dict[str, list[dict]]:
    """Every gazetteer file's entries, keyed by file stem (nothing written).

    Derived model names (HELM, transformers) that another type also names are left
    out ("SuperGlue" the matcher is not the benchmark SuperGLUE); the hand-written
    model seeds keep theirs. Papers with Code tasks named like a Task or Method, even
    in the plural, or like a Dataset, Model or Metric, are left out too. ``report``
    receives how many names each filter removed.
    """
    report = {} if report is None else report

    def seed(stem: str, etype: str) -> list[dict]:
        return parse_seed(seed_dir / f"{stem}.txt", etype, lists)

    files = {
        "datasets": merge_entries(
            seed("datasets", "Dataset") + derive_helm_datasets(lists) + derive_opencompass_datasets(lists)
        ),
        "metrics": merge_entries(with_british_aliases(seed("metrics", "Metric"))),
        "methods": merge_entries(without_plural_aliases(with_british_aliases(seed("methods", "Method")))),
        "tasks": merge_entries(without_plural_aliases(with_british_aliases(seed("tasks", "Task")))),
    }
    non_model = _forms_keys([e for k in ("datasets", "metrics", "methods", "tasks") for e in files[k]])
    all_derived = derive_helm_models(lists) + derive_hf_models(lists)
    derived = [e for e in all_derived if not collides(e, non_model)]
    report["models dropped: named like another type"] = len(all_derived) - len(derived)
    files["models"] = merge_entries(without_organisations(seed("models", "Model") + derived))
    families = [{**e, "family": True} for e in seed("model_families", "Model")]
    files["model_families"] = merge_entries(without_organisations(families))
    own = _forms_keys(files["tasks"] + files["methods"], plural_key)
    others = _forms_keys([e for k in ("datasets", "models", "model_families", "metrics") for e in files[k]])
    candidates = with_british_aliases(derive_pwc_tasks(lists))
    pwc = [e for e in candidates if plural_key(e["name"]) not in own and not collides(e, others)]
    report["tasks_pwc dropped: not a task (model, environment, paradigm, generic)"] = pwc_non_tasks(lists)
    report["tasks_pwc dropped: named like a Task/Method or another type"] = len(candidates) - len(pwc)
    files["tasks_pwc"] = merge_entries(pwc)
    return {kind: files[kind] for kind in META}


def build(names_dir: Path, out_dir: Path, train_dir: Path | None = None) -> dict[str, int]:
    """Build every resource file; return the entry count per file stem.

    ``train_dir`` (default: ``train`` beside ``names_dir``) holds the SciERC and TDMSci files
    that ``scierc:`` and ``tdmsci:`` seed keys are checked against.
    """
    lists = SourceLists.load(names_dir, train_dir or names_dir.parent / "train")
    report: dict[str, int] = {}
    files = build_files(lists, out_dir / "seed", report)
    for kind, entries in files.items():
        write_jsonl(out_dir / f"{kind}.jsonl", kind, entries, lists.commits)
    return {**{kind: len(entries) for kind, entries in files.items()}, **report}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names_dir", nargs="?", default=str(REPO / ".." / "shared" / "data" / "names"))
    parser.add_argument("--train", default=None, help="SciERC/TDMSci folder (default: NAMES_DIR/../train)")
    parser.add_argument("--out", default=str(REPO / "kg" / "resources"))
    args = parser.parse_args(argv)
    try:
        counts = build(Path(args.names_dir), Path(args.out), Path(args.train) if args.train else None)
    except KGError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    for kind, count in counts.items():
        print(f"{kind}.jsonl\t{count}" if kind in META else f"{kind}\t{count}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
