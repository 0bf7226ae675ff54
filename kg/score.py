"""Score an extraction against gold annotations: precision, recall and F1.

The measure is the one the team agreed on (``shared/gold/GUIDELINES.md``, "What the scorer
reads from an extraction"): kg computes the same figures as the team's ``eval/score.py`` —
same matching rules, same table, same ``--json`` keys, same ``--types`` / ``--map`` options —
so that a clone of kg alone can score itself (``tests/test_score.py`` holds the two to the
same output wherever the reference script is at hand).

Both files hold one paper a line (JSON), matched by ``id``; a gold paper missing from the
prediction counts as predicting nothing, and prediction ids unknown to the gold are counted
(``unknown_ids``) and otherwise ignored. A repeated id keeps its last line.

What is compared, paper by paper:

- **entities**: the set of (normalized name, type) pairs of each side, per type and overall.
  A name is normalized by case folding and dropping everything but letters and digits
  ("GSM-8K" and "gsm8k" are one name).
- **roles**: each role entry names a set of names, those of its ``group``'s surface forms or
  its one ``text``. A predicted role matches the first unmatched gold role with the same role
  label that shares a name with it (greedy, in file order, one to one).
- **links** (role-blind): the role entries reduced to one per entity (an entry is dropped when
  it shares a name with an earlier kept one), matched as above with the label ignored.
- **dataset usage** ("which papers use X"): the ``evaluates_on`` / ``uses_dataset`` /
  ``proposes`` entries naming one of the side's own Dataset entities, one per entity,
  matched role-blind.
- **claims**: a predicted claim matches the first unmatched gold claim with the same value
  (relative tolerance 1e-6) whose dataset, when the gold gives one, shares a name with the
  predicted dataset; names are widened to their gold alias group. Matched claims whose
  subjects share a name (or both have none) count towards ``claim_subject_agreement``.
- **claim fields** (with ``--claim-fields``, which ``kg eval`` passes, and only when the gold
  claims state them, as ``tests/data/claims_heldout.jsonl`` does; the figures above are unchanged): for each matched claim whose gold gives
  ``kind``, ``quantity``, ``direction``, ``baseline``, ``base_model`` or ``is_baseline``, whether
  the prediction agrees (names widened as above, values within the same tolerance).

Precision with nothing predicted is 1.0 when the gold is empty too, else 0.0 (and the same
for recall), so an empty-on-empty category scores 1.0. Figures are rounded to 4 places.

Usage::

    python -m kg.score GOLD.jsonl PRED.jsonl [--json] [--types T,...] [--map A=B,...]

Library use: :func:`score_files` (paths) or :func:`score` (records by id), then
:func:`format_report` or :func:`to_json`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import InputError, KGError

TYPES: tuple[str, ...] = ("Dataset", "Model", "Method", "Metric", "Task")
"""The scored entity types, in report order."""

USAGE_ROLES: frozenset[str] = frozenset({"evaluates_on", "uses_dataset", "proposes"})
"""The roles that make a paper one that "uses" a dataset."""

_NOT_WORD = re.compile(r"[\W_]+")

Names = frozenset[str]
RoleItem = tuple[Any, Names]  # (role label, the names it refers to)


def normalize(text: object) -> str:
    """The comparison key of a name: case-folded letters and digits only ('GSM-8K' -> 'gsm8k')."""
    return "" if text is None else _NOT_WORD.sub("", str(text).casefold())


# --------------------------------------------------------------------------- counts


@dataclass
class Tally:
    """True positives, predictions and gold items of one category, summed over papers."""

    tp: int = 0
    pred: int = 0
    gold: int = 0

    def add(self, tp: int, pred: int, gold: int) -> None:
        self.tp += tp
        self.pred += pred
        self.gold += gold

    def figures(self) -> dict[str, float | int]:
        """``p``, ``r``, ``f1`` (4 places) and the three counts."""
        precision = self.tp / self.pred if self.pred else float(self.gold == 0)
        recall = self.tp / self.gold if self.gold else float(self.pred == 0)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"p": round(precision, 4), "r": round(recall, 4), "f1": round(f1, 4),
                "tp": self.tp, "pred": self.pred, "gold": self.gold}


# --------------------------------------------------------------------------- one paper


@dataclass
class Annotation:
    """What the scorer reads of one paper record (gold or predicted)."""

    entities: set[tuple[str, Any]] = field(default_factory=set)
    groups: dict[Any, set[str]] = field(default_factory=dict)  # group -> names, first-seen order
    roles: list[tuple[Any, Any, Any]] = field(default_factory=list)  # (role, group, text) as given
    claims: list[dict] = field(default_factory=list)

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> Annotation:
        ann = cls(claims=list(record.get("claims") or []))
        for entity in record.get("entities") or []:
            name = normalize(entity.get("text"))
            if not name:
                continue
            ann.entities.add((name, entity.get("type")))
            if "group" in entity:
                ann.groups.setdefault(entity["group"], set()).add(name)
        for role in record.get("roles") or []:
            ann.roles.append((role.get("role"), role.get("group"), role.get("text")))
        return ann

    def names_of_type(self, entity_type: str) -> set[str]:
        return {name for name, t in self.entities if t == entity_type}

    def role_items(self, keep: Collection[str] | None = None) -> list[RoleItem]:
        """Each role entry with the names it refers to (its text, else its group's names);
        entries that name nothing are dropped."""
        items = []
        for role, group, text in self.roles:
            if keep is not None and role not in keep:
                continue
            if text is not None:
                names = {normalize(text)}
            else:
                try:
                    names = set(self.groups.get(group, ()))
                except TypeError:  # an unhashable group value names nothing
                    names = set()
            names.discard("")
            if names:
                items.append((role, frozenset(names)))
        return items

    def alias_of(self) -> dict[str, Names]:
        """Name -> every name of its group (the first group that has it)."""
        table: dict[str, Names] = {}
        for names in self.groups.values():
            group = frozenset(names)
            for name in names:
                table.setdefault(name, group)
        return table


def greedy_matches(gold: Sequence[RoleItem], pred: Sequence[RoleItem], *, role_blind: bool = False) -> int:
    """How many predicted items find a gold item: in prediction order, each takes the first
    unused gold item with the same role (unless ``role_blind``) sharing at least one name."""
    free = list(range(len(gold)))
    found = 0
    for role, names in pred:
        for k, g in enumerate(free):
            g_role, g_names = gold[g]
            if (role_blind or g_role == role) and not names.isdisjoint(g_names):
                del free[k]
                found += 1
                break
    return found


def one_per_entity(items: Iterable[RoleItem]) -> list[RoleItem]:
    """Keep an item only if it shares no name with an item kept before it."""
    kept: list[RoleItem] = []
    for _, names in items:
        if all(names.isdisjoint(seen) for _, seen in kept):
            kept.append((None, names))
    return kept


def same_value(pred: object, gold: object) -> bool:
    """Equal numbers within a relative 1e-6 of the predicted value; non-numbers never match."""
    try:
        p, g = float(pred), float(gold)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return False
    return abs(p - g) <= 1e-6 * max(1.0, abs(p))


def claim_pairs(gold: Sequence[Mapping], pred: Sequence[Mapping],
                aliases: Mapping[str, Names]) -> list[tuple[Mapping, Mapping]]:
    """The (gold, predicted) claims matched greedily; see the module docstring."""
    free = list(range(len(gold)))
    pairs = []
    for pc in pred:
        p_dataset = _widen(aliases, pc.get("dataset"))
        for k, g in enumerate(free):
            gc = gold[g]
            if not same_value(pc.get("value"), gc.get("value")):
                continue
            g_dataset = _widen(aliases, gc.get("dataset"))
            if g_dataset and g_dataset.isdisjoint(p_dataset):
                continue
            del free[k]
            pairs.append((gc, pc))
            break
    return pairs


def _widen(aliases: Mapping[str, Names], name: object) -> Names:
    key = normalize(name)
    return aliases.get(key, frozenset({key} if key else ()))


def _same_name(aliases: Mapping[str, Names], gold: object, pred: object) -> bool:
    """Names that share a gold alias, or both absent."""
    return not _widen(aliases, gold).isdisjoint(_widen(aliases, pred)) or (not gold and not pred)


def match_claims(gold: Sequence[Mapping], pred: Sequence[Mapping], aliases: Mapping[str, Names]) -> tuple[int, int]:
    """(claims matched, matched claims whose subjects agree); see the module docstring."""
    pairs = claim_pairs(gold, pred, aliases)
    return len(pairs), sum(_same_name(aliases, gc.get("subject"), pc.get("subject")) for gc, pc in pairs)


CLAIM_FIELDS: tuple[str, ...] = ("kind", "quantity", "direction", "baseline", "base_model", "is_baseline")
"""Claim fields beyond the guidelines' that a gold file may state (tests/data/claims_heldout.jsonl does)."""


def _field_agrees(name: str, gold: Any, pred: Any, aliases: Mapping[str, Names]) -> bool:
    if name == "baseline":
        return (gold is None and pred is None) or same_value(pred, gold)
    if name == "is_baseline":
        return bool(gold) == bool(pred)
    if name in ("quantity", "base_model"):
        return _same_name(aliases, gold, pred)
    return gold == pred


def claim_field_agreement(pairs: Iterable[tuple[Mapping, Mapping]], aliases: Mapping[str, Names],
                          tallies: dict[str, list[int]]) -> None:
    """Add to ``tallies[field] = [agree, stated]`` for each matched claim whose gold states ``field``."""
    for gc, pc in pairs:
        for name in CLAIM_FIELDS:
            if name in gc:
                tally = tallies.setdefault(name, [0, 0])
                tally[0] += _field_agrees(name, gc[name], pc.get(name), aliases)
                tally[1] += 1


# --------------------------------------------------------------------------- all papers


def score(gold: Mapping[str, Mapping], pred: Mapping[str, Mapping], *, claim_fields: bool = False) -> dict[str, Any]:
    """The figures for gold and predicted records keyed by paper id (the ``--json`` object).

    ``claim_fields`` adds ``claim_fields`` (agreement on the claim fields beyond the guidelines)
    when the gold states any; off, the figures are exactly the reference scorer's.
    """
    by_type = {t: Tally() for t in TYPES}
    roles, links, usage, claims = Tally(), Tally(), Tally(), Tally()
    subjects = 0
    fields: dict[str, list[int]] = {}
    for pid, g_record in gold.items():
        g, p = Annotation.of(g_record), Annotation.of(pred.get(pid, {}))
        for t, tally in by_type.items():
            g_ents, p_ents = {e for e in g.entities if e[1] == t}, {e for e in p.entities if e[1] == t}
            tally.add(len(g_ents & p_ents), len(p_ents), len(g_ents))

        g_roles, p_roles = g.role_items(), p.role_items()
        roles.add(greedy_matches(g_roles, p_roles), len(p_roles), len(g_roles))

        g_links, p_links = one_per_entity(g_roles), one_per_entity(p_roles)
        links.add(greedy_matches(g_links, p_links, role_blind=True), len(p_links), len(g_links))

        g_usage, p_usage = _dataset_usage(g), _dataset_usage(p)
        usage.add(greedy_matches(g_usage, p_usage, role_blind=True), len(p_usage), len(g_usage))

        aliases = g.alias_of()
        pairs = claim_pairs(g.claims, p.claims, aliases)
        claims.add(len(pairs), len(p.claims), len(g.claims))
        subjects += sum(_same_name(aliases, gc.get("subject"), pc.get("subject")) for gc, pc in pairs)
        claim_field_agreement(pairs, aliases, fields)

    overall = Tally()
    for tally in by_type.values():
        overall.add(tally.tp, tally.pred, tally.gold)
    result = {
        "papers": len(gold),
        "papers_predicted": len(gold.keys() & pred.keys()),
        "unknown_ids": len(pred.keys() - gold.keys()),
        "entities": overall.figures(),
        "entities_by_type": {t: tally.figures() for t, tally in by_type.items()},
        "roles": roles.figures(),
        "links": links.figures(),
        "dataset_usage": usage.figures(),
        "claims": claims.figures(),
        "claim_subject_agreement": round(subjects / claims.tp, 4) if claims.tp else None,
    }
    if claim_fields and set(fields) - {"kind"}:  # a gold file stating the fields beyond the guidelines
        result["claim_fields"] = {name: {"agreement": round(a / n, 4), "agree": a, "stated": n}
                                  for name, (a, n) in ((k, fields[k]) for k in CLAIM_FIELDS if k in fields)}
    return result


def _dataset_usage(ann: Annotation) -> list[RoleItem]:
    datasets = ann.names_of_type("Dataset")
    return one_per_entity(item for item in ann.role_items(USAGE_ROLES) if not item[1].isdisjoint(datasets))


# --------------------------------------------------------------------------- files


def retype(record: dict, types: Collection[str] | None, mapping: Mapping[str, str] | None) -> dict:
    """The record with entity types renamed by ``mapping``, then only ``types`` kept."""
    if not types and not mapping:
        return record
    entities = []
    for entity in record.get("entities") or []:
        entity_type = (mapping or {}).get(entity.get("type"), entity.get("type"))
        if types is None or entity_type in types:
            entities.append({**entity, "type": entity_type})
    return {**record, "entities": entities}


def read_records(path: Path | str, *, types: Collection[str] | None = None,
                 mapping: Mapping[str, str] | None = None) -> dict[str, dict]:
    """The records of a JSONL file by ``str(id)`` (a repeated id keeps its last line)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    records: dict[str, dict] = {}
    try:
        with path.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as e:
                    raise InputError(f"{path}:{n}: not JSON: {e}") from e
                if not isinstance(record, dict):
                    raise InputError(f"{path}:{n}: not a JSON object")
                if "id" not in record:
                    raise InputError(f"{path}:{n}: record has no id")
                records[str(record["id"])] = retype(record, types, mapping)
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 text") from e
    return records


def score_files(gold: Path | str, pred: Path | str, *, types: Collection[str] | None = None,
                mapping: Mapping[str, str] | None = None, claim_fields: bool = False) -> dict[str, Any]:
    """Score the prediction file ``pred`` against the gold file ``gold``.

    Args:
        gold: gold JSONL (GUIDELINES.md format).
        pred: predictions in the same shape (``kg extract`` writes it).
        types: keep only entities of these types (after ``mapping``), as ``--types``.
        mapping: rename entity types on both sides first, as ``--map`` (``{"Model": "Method"}``).
        claim_fields: also the agreement on the claim fields the gold states beyond the guidelines
            (``--claim-fields``; ``kg eval`` turns it on).
    """
    return score(read_records(gold, types=types, mapping=mapping), read_records(pred, types=types, mapping=mapping),
                 claim_fields=claim_fields)


# --------------------------------------------------------------------------- output


_ROW = "{:<22} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}"


def format_report(result: Mapping[str, Any]) -> str:
    """The result as the scorer's table (ends with a newline)."""
    lines = [(f"papers: {result['papers']} gold, {result['papers_predicted']} predicted, "
              f"{result['unknown_ids']} unknown ids"),
             _ROW.format("", "P", "R", "F1", "tp", "pred", "gold")]
    rows = [("entities", result["entities"])]
    rows += [(f"  {t}", m) for t, m in result["entities_by_type"].items()]
    rows += [("roles", result["roles"]), ("links (role-blind)", result["links"]),
             ("dataset usage", result["dataset_usage"]), ("claims", result["claims"])]
    for name, m in rows:
        lines.append(_ROW.format(name, f"{m['p']:.3f}", f"{m['r']:.3f}", f"{m['f1']:.3f}", m["tp"], m["pred"], m["gold"]))
    lines.append(f"claim subject agreement: {result['claim_subject_agreement']}")
    for name, m in (result.get("claim_fields") or {}).items():
        lines.append(f"claim {name} agreement: {m['agreement']} ({m['agree']}/{m['stated']} matched claims)")
    return "\n".join(lines) + "\n"


def to_json(result: Mapping[str, Any]) -> str:
    """The result as the scorer's one-line JSON object (ends with a newline)."""
    return json.dumps(result) + "\n"


# --------------------------------------------------------------------------- options


def parse_types(text: str | None) -> set[str] | None:
    """``"Dataset,Task"`` -> ``{"Dataset", "Task"}``; an unknown type is an error."""
    if not text:
        return None
    types = {t.strip() for t in text.split(",") if t.strip()}
    unknown = sorted(types - set(TYPES))
    if unknown or not types:
        raise InputError(f"--types: unknown entity type {', '.join(map(repr, unknown)) or repr(text)}"
                         f" (types: {', '.join(TYPES)})")
    return types


def parse_map(text: str | None) -> dict[str, str] | None:
    """``"Model=Method,Material=Dataset"`` -> a rename table; each target must be a scored type."""
    if not text:
        return None
    mapping = {}
    for pair in text.split(","):
        source, sep, target = (s.strip() for s in pair.partition("="))
        if not sep or not source or target not in TYPES:
            raise InputError(f"--map: {pair.strip()!r} is not FROM=TYPE with TYPE one of {', '.join(TYPES)}")
        mapping[source] = target
    return mapping


class _Parser(argparse.ArgumentParser):
    """An argument parser that raises InputError instead of exiting (for in-process callers)."""

    def error(self, message: str):  # type: ignore[override]
        raise InputError(message)


def build_parser(*, raising: bool = False) -> argparse.ArgumentParser:
    parser = (_Parser if raising else argparse.ArgumentParser)(
        prog="python -m kg.score", description="Score an extraction (PRED) against gold annotations (GOLD).")
    parser.add_argument("gold", type=Path, help="gold JSONL (shared/gold/GUIDELINES.md format)")
    parser.add_argument("pred", type=Path, help="predictions in the same shape (kg extract writes it)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--types", help="comma-separated entity types to keep, e.g. Dataset,Metric,Task")
    parser.add_argument("--map", help="comma-separated type renames applied to both files, e.g. Model=Method")
    parser.add_argument("--claim-fields", action="store_true",
                        help="also the agreement on claim fields the gold states beyond the guidelines "
                             "(quantity, direction, baseline, base_model, is_baseline; kind with them)")
    return parser


def parse_options(args: Sequence[str]) -> tuple[set[str] | None, dict[str, str] | None]:
    """``--types`` / ``--map`` from scorer arguments without the file names (``kg eval``'s extras)."""
    options = build_parser(raising=True).parse_args(["GOLD", "PRED", *args])
    if options.json:
        raise InputError("--json is chosen by the caller, not passed as a scorer option")
    return parse_types(options.types), parse_map(options.map)


def main(argv: Sequence[str] | None = None) -> int:
    options = build_parser().parse_args(argv)
    try:
        result = score_files(options.gold, options.pred, types=parse_types(options.types), mapping=parse_map(options.map),
                             claim_fields=options.claim_fields)
    except KGError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    sys.stdout.write(to_json(result) if options.json else format_report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
