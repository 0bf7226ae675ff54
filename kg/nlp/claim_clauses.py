"""Clauses of a claim sentence and the datasets each number group reports on.

Abstracts pack several results into one sentence ("on COCO it improves box AP by
2.1 over X, and on ADE20K it achieves 50.3 mIoU"). Cues are resolved within the
number's own clause first: a sentence is cut at ", and", "; ", ", while",
", whereas", ", but", ", which", " and on" and the like, and a piece holding no
number joins its neighbour, so "91% on GSM8K and on MATH500" stays one clause.
"""

from __future__ import annotations

import re

from kg.models import ExtractedEntity
from kg.nlp.claim_numbers import Group

# Used with match(text, pos, endpos), hence no "^" (it would only match at offset 0).
_DATASET_GAP = re.compile(r"(?:[\s,;&()]|and(?:\s+(?:on|in))?\b|or\b|as\s+well\s+as\b|the\b|datasets?\b|"
                          r"benchmarks?\b|test\b|sets?\b|dev\b|splits?\b|subsets?\b)*$", re.I)
_PREP_GAP = re.compile(r"\b(?:on|in|for|across|at|of)\b", re.I)
_VERB = (r"(?:also\s+)?(?:improv|tripl|doubl|quadrupl|halv|boost|achiev|reduc|outperform|surpass|reach|obtain|"
         r"increas|decreas|lower|rais|gain|cut|speed|attain|yield|deliver)\w*\b")
# Clause boundaries; ", and" before a number continues a list ("8.4, 5.9, and 10.6"); "and" before a verb
# starts another clause ("outperforming X on SuperGLUE and tripling the performance of Y").
_CLAUSE_SPLIT = re.compile(r";\s*|,\s*(?=(?:and\s+(?![+~]?\d)|but|while|whereas|which|although|though|yet)\b)|"
                           r"\s+(?=and\s+(?:on|in|for|across)\s)|\s+(?=(?:while|whereas)\s)|"
                           r"\s+(?=and\s+" + _VERB + ")", re.I)
_VERB_CUT = re.compile(r"\s*and\s+" + _VERB, re.I)
# "On COCO and LVIS, ...": a sentence-initial place that scopes all its clauses.
_SCOPE = re.compile(r"\s*(?:[A-Z]\w+,\s+)?(?:On|For|Across|In|Over)\s+(?:the\s+)?", re.I)
# An explicit reference to datasets named before: "on both benchmarks", "on the same benchmark".
_REFERENCE = re.compile(r"\b(?:on|across|for|in)\s+(?:both|all|these|those|each\s+of\s+the|the\s+same|"
                        r"(?:all\s+)?the\s+(?:two|three|four|five))\s+(?:[\w-]+\s+)?"
                        r"(?:benchmarks?|datasets?|tasks|test\s+sets?|sets|splits)\b", re.I)
# "... by 4.3 and MRR by 2.7 points respectively"
_RESPECTIVELY = re.compile(r"\W*(?:\w+\W+){0,2}?respectively\b", re.I)


def split_clauses(text: str, s: int, e: int, groups: list[Group]) -> list[tuple[int, int]]:
    """Clauses of ``text[s:e]`` that each hold a number group; a clause without one joins its neighbour.

    A numberless clause before a coordinated verb ("outperforming X on SuperGLUE | and tripling
    ...") is a statement of its own: it is dropped rather than joined, so its dataset is not
    the next clause's.
    """
    cuts = [m for m in _CLAUSE_SPLIT.finditer(text, s, e) if not any(g.start < m.start() < g.end for g in groups)]
    bounds = list(zip([s, *(m.start() for m in cuts)], [*(m.start() for m in cuts), e]))
    hard = [False, *(bool(_VERB_CUT.match(text, m.end())) for m in cuts)]  # the clause starts at a verb cut
    starts = [g.start for g in groups]
    merged: list[list[int]] = []
    pending: int | None = None
    for (cs, ce), at_verb in zip(bounds, hard):
        if at_verb and not merged:
            pending = None
        if not any(cs <= p < ce for p in starts):
            if merged:
                merged[-1][1] = ce
            elif pending is None:
                pending = cs
            continue
        merged.append([pending if pending is not None else cs, ce])
        pending = None
    return [(a, b) for a, b in merged] or [(s, e)]


def clause_index(clauses: list[tuple[int, int]], pos: int) -> int:
    """Index of the clause holding ``pos`` (the last one for a position past the end)."""
    return next((i for i, (cs, ce) in enumerate(clauses) if cs <= pos < ce), len(clauses) - 1)


def dataset_groups(text: str, datasets: list[ExtractedEntity]) -> list[list[ExtractedEntity]]:
    """Coordinated dataset mentions ("GSM8K and MATH", "HVD dataset and QuRe"), one per entity."""
    out: list[list[ExtractedEntity]] = []
    last_end = -1
    for m in datasets:
        if out and _DATASET_GAP.match(text, last_end, m.start):
            if all(x.group != m.group for x in out[-1]):
                out[-1].append(m)
        else:
            out.append([m])
        last_end = m.end
    return out


def _assign_datasets(text: str, groups: list[Group], dsets: list[list[ExtractedEntity]]) -> list[list[ExtractedEntity]]:
    """For each number group of one clause, the dataset list it reports on (empty when unknown)."""
    bound: dict[int, int] = {}
    for gi, g in enumerate(groups):
        for di, d in enumerate(dsets):
            gap = text[g.end:d[0].start]
            if 0 <= len(gap) <= 60 and _PREP_GAP.search(gap) and not any(g.end < o.start < d[0].start for o in groups):
                bound[gi] = di
                break
    used = set(bound.values())
    single = {m.group for d in dsets for m in d}
    result: list[list[ExtractedEntity]] = []
    for gi, g in enumerate(groups):
        if gi in bound:
            result.append(dsets[bound[gi]])
            continue
        before = [di for di, d in enumerate(dsets) if d[-1].end <= g.start and di not in used]
        if before:
            result.append(dsets[before[-1]])
        elif len(single) == 1:
            result.append([dsets[0][0]])
        else:
            result.append([])
    return result


def _scope(text: str, s: int, dsets: list[list[ExtractedEntity]]) -> list[ExtractedEntity]:
    """The datasets of a sentence-initial "On X and Y," that scopes every clause of the sentence."""
    m = _SCOPE.match(text, s)
    if not m:
        return []
    comma = text.find(",", m.end())
    return next((d for d in dsets if m.end() <= d[0].start and (comma < 0 or d[-1].end <= comma)), [])


def clause_datasets(text: str, groups: list[Group], dsets: list[list[ExtractedEntity]],
                    clauses: list[tuple[int, int]], referenced: list[ExtractedEntity]) -> list[list[ExtractedEntity]]:
    """Datasets per group from the group's own clause only.

    A clause that names none takes a sentence-initial "On X," or, when it refers to an
    earlier sentence's datasets explicitly ("on both benchmarks", "on the same benchmark"),
    those (``referenced``); never the datasets of a neighbouring clause or sentence.
    """
    scope = _scope(text, clauses[0][0], dsets) if clauses else []
    result: list[list[ExtractedEntity]] = [[] for _ in groups]
    for cs, ce in clauses:
        idx = [gi for gi, g in enumerate(groups) if cs <= g.start < ce]
        if not idx:
            continue
        local = [d for d in dsets if cs <= d[0].start < ce]
        own = _assign_datasets(text, [groups[gi] for gi in idx], local) if local else [[] for _ in idx]
        refers = not local and _REFERENCE.search(text, cs, ce)
        for gi, ds in zip(idx, own):
            result[gi] = ds or scope or (list(referenced) if refers else [])
    return result


def pair_chains(text: str, groups: list[Group], metric_of: list[ExtractedEntity | None],
                 per_group: list[list[ExtractedEntity]]) -> None:
    """Value-metric pairs ("M1 by v1 and M2 by v2") sharing several datasets: align them or drop the datasets.

    The pairs align with the datasets only when they are as many and "respectively"
    follows; otherwise multiplying every value over every dataset would invent claims,
    so each value keeps no dataset.
    """
    i = 0
    while i < len(groups):
        j = i
        while (j + 1 < len(groups) and metric_of[j] is not None and metric_of[j + 1] is not None
               and metric_of[j].text != metric_of[j + 1].text and per_group[j + 1] is per_group[i]
               and len(text[groups[j].end:groups[j + 1].start]) <= 60
               and re.search(r"\band\b|,", text[groups[j].end:groups[j + 1].start])):
            j += 1
        shared = per_group[i]
        if j > i and len(shared) > 1 and all(len(g.slots) == 1 for g in groups[i:j + 1]):
            aligned = len(shared) == j - i + 1 and _RESPECTIVELY.match(text, groups[j].end)
            for k in range(i, j + 1):
                per_group[k] = [shared[k - i]] if aligned else []
        i = j + 1
