"""Quantitative claims: one reported number, what it is about, where it was measured.

The rules follow the "Claims" section of ``shared/gold/GUIDELINES.md``. A number
is a claim when it is a measured outcome (a score, a gain, a margin over a
competitor, a speed-up), never when it counts things, sizes a model, dates a
paper, numbers a table or belongs to a name ("GPT-4"). Unitless numbers need
evidence that they are results (a metric, "on <dataset>", "by", "+", a verb
such as "achieves"), because most bare numbers in abstracts are counts.

Structure is recovered with surface rules over typed entity mentions, not a
parser: numbers joined by "," / "and" form a list that aligns with a list of
datasets ("A, B and C on D, E and F"); "from X to Y" and "X->Y" are ranges
(baseline, then result); the subject is the closest subject-like phrase before
the number ("our method", "we achieve", a named model or method that is not a
competitor nor an instrument).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import KGError
from kg.models import ClaimKind, EntityType, ExtractedClaim, ExtractedEntity, TextField
from kg.nlp.extensions import SPAN_KEY, register_extensions
from kg.nlp.sentences import doc_text, sentence_bounds

_NUM = re.compile(r"\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_X_WORDS = {"doubles": 2.0, "doubled": 2.0, "doubling": 2.0, "triples": 3.0, "tripled": 3.0,
            "tripling": 3.0, "quadruples": 4.0, "quadrupled": 4.0, "quadrupling": 4.0,
            "halves": 2.0, "halved": 2.0, "halving": 2.0}
_X_WORD_RE = re.compile(r"\b(" + "|".join(_X_WORDS) + r")\b(?=\s+(?!(?:for|of|in|on|with|and|or|that|which|are|were|is|"
                        r"from|to|as)\b)[\w(])", re.I)
_MAGNITUDE_RE = re.compile(r"\b(an|one|two|three)\s+orders?\s+of\s+magnitude\b", re.I)
_MAGNITUDES = {"an": 10.0, "one": 10.0, "two": 100.0, "three": 1000.0}
_HALF_RE = re.compile(r"\b(?:solv\w*|answer\w*|pass\w*|succeed\w*|correct\w*|fail\w*)\s+(?:\w+\s+)?(half)\s+of\s+"
                      r"(?:the\s+)?(?!(?:parameters|data|tokens|compute|time|cost)\b)[a-z]+s\b", re.I)
_UNIT_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\s*(?:%|\\%)?\s*(?:percentage|percent|pct\.?)\s+points?\b", re.I), "points"),
    (re.compile(r"\s*(?:%|\\%|percent\b)"), "%"),
    (re.compile(r"\s*(?:absolute\s+|accuracy\s+)?(?:points?|pts|pp)\b", re.I), "points"),
    (re.compile(r"\s*(?:[x×X](?![A-Za-z0-9])|\$?\\times\$?)"), "x"),
    (re.compile(r"\s*-?\s*fold\b(?!\s*-?\s*cross)", re.I), "x"),
    (re.compile(r"\s+times\s+(?=(?:faster|slower|more|less|fewer|higher|lower|larger|smaller|better|as|the|"
                r"speed)\b)", re.I), "x"),
)
_SCALE_RE = re.compile(r"\s*(?:million|billion|trillion|thousand|hundred|[kKMBT])\b")
_SIZE_RANGE = re.compile(r"\s*(?:-|–|to)\s*\d[\d.,]*[A-Za-z]")
_BLOCK_BEFORE = frozenset({"table", "tab", "figure", "fig", "section", "sec", "appendix", "eq", "equation",
                           "chapter", "step", "stage", "phase", "level", "round", "version", "top", "rank",
                           "ranked", "no", "number", "layer", "layers"})
_FUNCTION_WORDS = frozenset({"on", "in", "for", "and", "or", "to", "over", "than", "vs", "versus", "compared",
                             "respectively", "with", "at", "across", "when", "while", "which", "as", "after",
                             "under", "using", "from", "by", "against", "relative", "where", "whereas",
                             "overall", "average", "avg", "accuracy", "score", "scores", "absolute", "relative",
                             "points", "point", "pp", "percent", "the", "is", "are", "was", "were", "vs."})
_CUE_BEFORE = re.compile(r"\b(?:by|of|at|from|reach\w*|achiev\w*|scor\w*|obtain\w*|attain\w*|gets?|getting|"
                         r"yield\w*|improv\w*|increas\w*|decreas\w*|boost\w*|rais\w*|drops?|dropp\w*|surpass\w*|"
                         r"outperform\w*|exceed\w*|beat\w*)\W*$", re.I)
_GAIN_AFTER = re.compile(r"^\W*(?:\w+\s+){0,2}?(?:improvements?|gains?|boosts?|increases?|reductions?|decreases?|"
                         r"drops?|degradations?|speed-?ups?|lift|less|more|fewer|lower|higher|reduction)\b", re.I)
_IMPROVE_BEFORE = re.compile(r"\b(?:improv\w*|increas\w*|boost\w*|reduc\w*|rais\w*|lift\w*|gain\w*|enhanc\w*|"
                             r"accelerat\w*|speed\w*|by)\b", re.I)
_COMPARE_CUE = re.compile(r"\b(?:over|than|surpass\w*|outperform\w*|compared\s+(?:to|with)|versus|vs\.?|"
                          r"beat\w*|exceed\w*|relative\s+to|against)(?=\W)", re.I)
_X_OF_CUE = re.compile(r"\s+the\s+\w+\s+of\s+", re.I)
_PRONOUN_NP = re.compile(r"\b(?:our|this|the\s+proposed)\s+(?:[\w-]+\s+){0,2}?(?:method|model|approach|framework|"
                         r"system|technique|algorithm|pipeline|agent|recipe|training\s+approach)s?\b", re.I)
_PRONOUN_VERB = re.compile(r"\b(?:we|it)\s+(?:\w+\s+){0,2}?(?:achiev\w*|obtain\w*|attain\w*|reach\w*|improv\w*|"
                           r"outperform\w*|surpass\w*|gets?|yield\w*|leads?|deliver\w*|boost\w*|scor\w*|sets?|"
                           r"exceed\w*|beats?|gain\w*|reduc\w*|increas\w*)\b", re.I)
_NP_WITH = re.compile(r"^\s+(?:with|based\s+on|using|built\s+on|on\s+top\s+of)\s+$", re.I)
_INSTRUMENT = re.compile(r"\b(?:with|via|through|using|employing|from|into|by|at|on|in)\s+(?:[\w-]+\s+){0,2}$", re.I)
_BASE_OF_IMPROVE = re.compile(r"\b(?:improv\w*|boost\w*|enhanc\w*)\s+$", re.I)
_DATASET_GAP = re.compile(r"^(?:[\s,;&()]|and\b|or\b|as\s+well\s+as\b|the\b|datasets?\b|benchmarks?\b|test\b|"
                          r"sets?\b|dev\b|splits?\b|subsets?\b)*$", re.I)
_LIST_GAP = re.compile(r"^[\s,;]*(?:and|or|&)?[\s,]*[+~]?$")
_RANGE_GAP = re.compile(r"^\s*(?:-|–|−|->|→|to)\s*[+~]?$")
_PREP_GAP = re.compile(r"\b(?:on|in|for|across|at|of)\b", re.I)
_EG_PAREN = re.compile(r"\((?:e\.g\.|i\.e\.|for example)[^()]*$", re.I)
_RESOURCE_AFTER = re.compile(r"\s*(?:%|\\%|percent)\s+of\s+(?:the\s+|all\s+|its\s+)?(?:\w+\s+){0,2}?"
                             r"(?:parameters|params|weights|data|tokens|compute|examples|samples|budget)\b", re.I)
_MODEL_TYPES = frozenset({EntityType.MODEL, EntityType.METHOD})


@dataclass
class _Num:
    """One candidate number: its value, unit, offsets and context flags."""

    value: float
    unit: str | None
    start: int
    end: int
    ctx_end: int
    plus: bool = False
    word: bool = False
    transition: bool = False


@dataclass
class _Group:
    """A list of slots ("8.43, 5.96 and 10.60"); a slot is one number or a range pair."""

    slots: list[list[_Num]] = field(default_factory=list)

    @property
    def start(self) -> int:
        return self.slots[0][0].start

    @property
    def end(self) -> int:
        return self.slots[-1][-1].ctx_end


def _unit_at(text: str, pos: int) -> tuple[str | None, int]:
    """The unit written right after a number at ``pos`` and where it ends."""
    for pattern, unit in _UNIT_PATTERNS:
        m = pattern.match(text, pos)
        if m:
            return unit, m.end()
    return None, pos


def _token_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The whitespace-delimited token around ``text[start:end]`` (split on em dashes too)."""
    left = start
    while left > 0 and not text[left - 1].isspace() and text[left - 1] != "—":
        left -= 1
    right = end
    while right < len(text) and not text[right].isspace() and text[right] != "—":
        right += 1
    return left, right


def _in_identifier(text: str, start: int, end: int) -> bool:
    """True when the number sits in a token with letters: "GSM8K", "7B", "pass@32", "8-shot", "1st"."""
    left, right = _token_bounds(text, start, end)
    token = re.sub(r"\d[\d.,]*\s*(?:[x×X](?![A-Za-z])|-?fold|pp|\\times)?", "", text[left:right])
    token = token.replace("\\%", "").replace("$", "")
    return any(ch.isalpha() for ch in token)


def _previous_word(text: str, pos: int) -> str:
    m = re.search(r"([\w#]+)\W*$", text[:pos])
    return m.group(1).lower() if m else ""


def _is_blocked(text: str, sent_start: int, start: int, end: int, unit: str | None) -> bool:
    """Non-claims that can be told from the number and its neighbours alone."""
    raw = text[start:end]
    before = text[start - 1] if start > 0 else " "
    if before.isalnum() or before in "@#_^{.$£€" or _in_identifier(text, start, end):
        return True
    if unit is None and re.fullmatch(r"(?:19|20)\d\d", raw):
        return True
    if _previous_word(text, start) in _BLOCK_BEFORE or _SCALE_RE.match(text, end) or _SIZE_RANGE.match(text, end):
        return True
    if _EG_PAREN.search(text[sent_start:start]) or (unit == "%" and _RESOURCE_AFTER.match(text, end)):
        return True
    left, right = _token_bounds(text, start, end)
    if unit is None and re.fullmatch(r"\(?\d+\)[,.;:]?", text[left:right]):
        return True  # an enumerator: "(1)", "1)"
    if unit is None and "." not in raw and int(raw.replace(",", "")) < 100:
        prev = re.search(r"(\S+)\s+$", text[sent_start:start])
        if prev and prev.group(1)[:1].isupper() and prev.start() > 0 and prev.group(1).isalpha():
            return True
    return False


def _scan_numbers(text: str, s: int, e: int, masked: list[tuple[int, int]]) -> list[_Num]:
    """Every number of the sentence ``text[s:e]`` that may be a claim value."""
    nums: list[_Num] = []
    for m in _NUM.finditer(text, s, e):
        start, end = m.start(), m.end()
        if any(a < end and start < b for a, b in masked):
            continue
        unit, ctx_end = _unit_at(text, end)
        if _is_blocked(text, s, start, end, unit):
            continue
        value = float(m.group().replace(",", ""))
        nums.append(_Num(value, unit, start, end, ctx_end, plus=text[start - 1:start] == "+"))
    for regex, table in ((_X_WORD_RE, _X_WORDS), (_MAGNITUDE_RE, _MAGNITUDES)):
        for m in regex.finditer(text, s, e):
            if not any(a < m.end() and m.start() < b for a, b in masked):
                nums.append(_Num(table[m.group(1).lower()], "x", m.start(), m.end(), m.end(), word=True))
    for m in _HALF_RE.finditer(text, s, e):
        nums.append(_Num(0.5, None, m.start(1), m.end(1), m.end(1), word=True))
    return sorted(nums, key=lambda n: n.start)


def _followed_by_noun(text: str, num: _Num, metric_starts: set[int]) -> bool:
    """A unitless number followed by a plain noun counts things ("32 premises", "15 models")."""
    m = re.match(r"\s*([A-Za-z][\w@-]*\.?)", text[num.ctx_end:])
    if not m or m.start(1) == 0 or "@" in m.group(1):
        return False  # "94.0 pass@1" names a metric
    word_start = num.ctx_end + m.start(1)
    return m.group(1).lower() not in _FUNCTION_WORDS and word_start not in metric_starts


def _build_groups(text: str, nums: list[_Num]) -> list[_Group]:
    """Pair ranges ("from X to Y", "X->Y", "40-90%") and chain lists joined by "," or "and"."""
    slots: list[list[_Num]] = []
    i = 0
    while i < len(nums):
        a = nums[i]
        b = nums[i + 1] if i + 1 < len(nums) else None
        if b is not None and not a.word and not b.word and _RANGE_GAP.match(text[a.ctx_end:b.start]):
            if a.unit is None:
                a.unit = b.unit
            gap = text[a.ctx_end:b.start]
            a.transition = not re.fullmatch(r"\s*[-–−]\s*", gap) or _previous_word(text, a.start) == "from"
            slots.append([a, b])
            i += 2
        else:
            slots.append([a])
            i += 1
    groups: list[_Group] = []
    for slot in slots:
        if groups and _LIST_GAP.match(text[groups[-1].end:slot[0].start]):
            groups[-1].slots.append(slot)
        else:
            groups.append(_Group([slot]))
    return groups


def _accepted(text: str, s: int, group: _Group, mentions: list[ExtractedEntity]) -> bool:
    """Whether a group of numbers reports results rather than counting things."""
    metric_starts = {m.start for m in mentions if m.type == EntityType.METRIC}
    members = [n for slot in group.slots for n in slot]
    if any(n.unit is None and not n.word and _followed_by_noun(text, n, metric_starts) for n in members):
        return False
    if any(n.unit is not None or n.plus or n.word for n in members):
        return True
    if _CUE_BEFORE.search(text[max(s, group.start - 40):group.start]):
        return True
    after = text[group.end:group.end + 50]
    if any(m.type == EntityType.METRIC and group.end <= m.start <= group.end + 25 for m in mentions):
        return True
    if any(m.type == EntityType.METRIC and group.start - 30 <= m.end <= group.start for m in mentions):
        return True
    return bool(re.match(r"\s*(?:on|in|for|across)\b", after)) and any(
        m.type == EntityType.DATASET and group.end <= m.start <= group.end + 40 for m in mentions)


def _dataset_groups(text: str, datasets: list[ExtractedEntity]) -> list[list[ExtractedEntity]]:
    """Coordinated dataset mentions ("GSM8K and MATH", "HVD dataset and QuRe"), one per entity."""
    out: list[list[ExtractedEntity]] = []
    last_end = -1
    for m in datasets:
        if out and _DATASET_GAP.match(text[last_end:m.start]):
            if all(x.group != m.group for x in out[-1]):
                out[-1].append(m)
        else:
            out.append([m])
        last_end = m.end
    return out


def _assign_datasets(text: str, groups: list[_Group], dsets: list[list[ExtractedEntity]],
                     fallback: ExtractedEntity | None) -> list[list[ExtractedEntity]]:
    """For each number group, the dataset list it reports on (empty when unknown)."""
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
        elif not dsets and fallback is not None:
            result.append([fallback])
        else:
            result.append([])
    return result


_Cue = tuple[int, ExtractedEntity | None, bool]


def _compared(text: str, s: int, e: int, models: list[ExtractedEntity]) -> list[_Cue]:
    """(cue position, competitor or None, is a base model) for each comparison cue of the sentence."""
    out: list[_Cue] = []
    hedge = re.compile(r"\s*(?:[~+]?\d|(?:" + "|".join(_X_WORDS) + r")\b)", re.I)
    for m in _COMPARE_CUE.finditer(text, s, e):
        if m.group().lower() in ("than", "over") and hedge.match(text, m.end()):
            continue  # a hedge: "more than 90%", "over 2%", "more than doubles"
        target = next((x for x in models if m.end() <= x.start <= m.end() + 70
                       and not re.search(r"[;:%]", text[m.end():x.start])), None)
        out.append((m.start(), target, False))
    for x in models:
        if _BASE_OF_IMPROVE.search(text[s:x.start]) and re.match(r"\s+by\b", text[x.end:]):
            out.append((x.start, x, True))
    return out


def _competitor(group: _Group, text: str, cues: list[_Cue],
                models: list[ExtractedEntity]) -> tuple[str, ExtractedEntity | None]:
    """("comparison" | "base" | "", competitor): whether the group is a margin over something."""
    first = group.slots[0][0]
    if first.word:
        x_of = _X_OF_CUE.match(text, first.end)
        target = next((x for x in models if x_of and 0 <= x.start - x_of.end() <= 2), None)
        if target is not None:
            return "comparison", target
    reach = 80 if re.match(r"\s*(?:better|worse|higher|lower|faster|slower)\b", text[group.end:]) else 40
    near = [c for c in cues if group.start - 130 <= c[0] < group.start
            or (group.end <= c[0] <= group.end + reach and not re.search(r"[,;]", text[group.end:c[0]]))]
    if not near:
        return "", None
    _, target, is_base = min(near, key=lambda c: abs(c[0] - group.start))
    return ("base" if is_base else "comparison"), target


def _kind(text: str, group: _Group, s: int, relation: str) -> ClaimKind:
    """A margin over a competitor is a comparison, except a gain over a base ("5% improvement over SFT")."""
    first = group.slots[0][0]
    window = text[s:group.end + 40]
    gain_after = bool(_GAIN_AFTER.match(text[group.end:group.end + 40])) or (first.word and first.unit == "x")
    rivalry = re.search(r"\b(?:outperform|surpass|better|worse|vs|versus|beat|exceed)", window, re.I)
    if relation == "comparison" and (rivalry or not gain_after):
        return ClaimKind.COMPARISON
    if relation or gain_after or first.plus or _IMPROVE_BEFORE.search(text[max(s, group.start - 60):group.start]):
        return ClaimKind.IMPROVEMENT
    return ClaimKind.SCORE


def _subject(text: str, s: int, pos: int, mentions: list[ExtractedEntity], proposed: Sequence[str],
             excluded: set[int], proposed_keys: set[str]) -> tuple[bool, str | None]:
    """The closest subject-like phrase before ``pos``: (found, name); found with None blocks fallbacks."""
    cands: list[tuple[int, str | None]] = []
    preferred = proposed[0] if proposed else None
    for m in _PRONOUN_NP.finditer(text, s, pos):
        named = next((x for x in mentions if x.type in _MODEL_TYPES and x.start < pos
                      and _NP_WITH.match(text[m.end():x.start])), None)
        cands.append((named.start, named.text) if named else (m.start(), preferred))
    for m in _PRONOUN_VERB.finditer(text, s, pos):
        cands.append((m.start(), preferred))
    for x in mentions:
        if x.end > pos or id(x) in excluded:
            continue
        own = _key(x.text) in proposed_keys
        if own or (x.type in _MODEL_TYPES and not _INSTRUMENT.search(text[max(s, x.start - 40):x.start])):
            cands.append((x.start, x.text))
    if not cands:
        return False, None
    return True, max(cands, key=lambda c: c[0])[1]


def _key(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.casefold())


def _metric(group: _Group, metrics: list[ExtractedEntity]) -> str | None:
    """The nearest metric mention, preferring one written after the number."""
    best: tuple[float, str] | None = None
    for m in metrics:
        dist = m.start - group.end if m.start >= group.end else 1.5 * (group.start - m.end) + 5
        if dist >= 0 and (best is None or dist < best[0]):
            best = (dist, m.text)
    return best[1] if best else None


@dataclass
class _Sentence:
    """What the claim rules know about one sentence."""

    text: str
    s: int
    e: int
    mentions: list[ExtractedEntity]
    proposed: Sequence[str]
    cues: list[_Cue]
    excluded: set[int]

    def of(self, types: frozenset[EntityType]) -> list[ExtractedEntity]:
        return [m for m in self.mentions if m.type in types]


def _claim(sent: _Sentence, num: _Num, kind: ClaimKind, subject: str | None, dataset: ExtractedEntity | None,
           metric: str | None, compared_to: str | None) -> ExtractedClaim:
    return ExtractedClaim(value=num.value, unit=num.unit, kind=kind, subject=subject,
                          dataset=dataset.text if dataset else None, metric=metric,
                          compared_to=compared_to if kind != ClaimKind.SCORE else None,
                          evidence=sent.text[sent.s:sent.e].strip(), start=num.start, end=num.end)


def _group_claims(sent: _Sentence, group: _Group, datasets: list[ExtractedEntity]) -> list[ExtractedClaim]:
    """Claims of one number group: aligned with its datasets, ranges split into baseline and result."""
    relation, rival = _competitor(group, sent.text, sent.cues, sent.of(_MODEL_TYPES))
    kind = _kind(sent.text, group, sent.s, relation)
    keys = {_key(p) for p in sent.proposed}
    found, subject = _subject(sent.text, sent.s, group.start, sent.mentions, sent.proposed, sent.excluded, keys)
    if not found and relation == "comparison" and sent.proposed:
        subject = sent.proposed[0]  # "improvements are seen over X": the paper's own method is the better one
    metric = _metric(group, sent.of(frozenset({EntityType.METRIC})))
    rival_name = rival.text if rival is not None else None
    out: list[ExtractedClaim] = []
    for i, slot in enumerate(group.slots):
        targets: list[ExtractedEntity | None] = list(datasets) if len(group.slots) == 1 else (
            [datasets[i]] if i < len(datasets) else [])
        for dataset in targets or [None]:
            if len(slot) == 2 and slot[0].transition:
                out.append(_claim(sent, slot[0], ClaimKind.SCORE, rival_name, dataset, metric, None))
                out.append(_claim(sent, slot[1], ClaimKind.SCORE, subject, dataset, metric, None))
            else:
                out.extend(_claim(sent, n, kind, subject, dataset, metric, rival_name) for n in slot)
    return out


def _sentence_claims(text: str, s: int, e: int, mentions: Sequence[ExtractedEntity], proposed: Sequence[str],
                     fallback: ExtractedEntity | None) -> list[ExtractedClaim]:
    """Claims of the sentence ``text[s:e]``."""
    inside = sorted((m for m in mentions if m.start is not None and m.end is not None and s <= m.start and m.end <= e),
                    key=lambda m: m.start)
    nums = _scan_numbers(text, s, e, [(m.start, m.end) for m in inside])
    groups = [g for g in _build_groups(text, nums) if _accepted(text, s, g, inside)]
    if not groups:
        return []
    datasets = [m for m in inside if m.type == EntityType.DATASET]
    per_group = _assign_datasets(text, groups, _dataset_groups(text, datasets), fallback)
    cues = _compared(text, s, e, [m for m in inside if m.type in _MODEL_TYPES])
    excluded = {id(t) for _, t, _ in cues if t is not None} | {id(d) for ds in per_group for d in ds}
    sent = _Sentence(text, s, e, inside, proposed, cues, excluded)
    claims: list[ExtractedClaim] = []
    for group, ds in zip(groups, per_group):
        claims.extend(_group_claims(sent, group, ds))
    return claims


def _single_dataset(mentions: Sequence[ExtractedEntity], s: int, e: int) -> ExtractedEntity | None:
    """The one dataset entity a sentence names, or None when it names none or several."""
    found = [m for m in mentions if m.type == EntityType.DATASET and m.start is not None and s <= m.start < e]
    return found[0] if found and len({m.group for m in found}) == 1 else None


def find_claims(text: str, sentences: Sequence[tuple[int, int]], mentions: Sequence[ExtractedEntity],
                proposed: Sequence[str] = (), *, max_sentence_chars: int | None = None) -> list[ExtractedClaim]:
    """Extract the quantitative claims of ``text``.

    Args:
        text: the text the offsets refer to (title + abstract, or an abstract).
        sentences: ``(start, end)`` character offsets of the sentences.
        mentions: typed entity mentions with ``start``/``end`` offsets into ``text``;
            numbers inside a mention ("GPT-4") are never claim values.
        proposed: surface forms of the paper's own method or model, preferred name first;
            "our method", "we achieve" and "it leads to" resolve to ``proposed[0]``.
        max_sentence_chars: sentences longer than this are skipped (tables, run-on text).

    Returns:
        One claim per value and dataset, in text order; ``start``/``end`` locate the number.

    Example:
        >>> text = "It achieves 94.0 pass@1 on MATH-500."
        >>> ds = ExtractedEntity(text="MATH-500", type="Dataset", group=0, start=27, end=35)
        >>> [(c.value, c.dataset) for c in find_claims(text, [(0, len(text))], [ds])]
        [(94.0, 'MATH-500')]
    """
    claims: list[ExtractedClaim] = []
    seen: set[tuple[int | None, str | None]] = set()
    fallback: ExtractedEntity | None = None
    for s, e in sentences:
        if max_sentence_chars is None or e - s <= max_sentence_chars:
            for claim in _sentence_claims(text, s, e, mentions, proposed, fallback):
                if (claim.start, claim.dataset) not in seen:
                    seen.add((claim.start, claim.dataset))
                    claims.append(claim)
        fallback = _single_dataset(mentions, s, e)
    return claims


# ------------------------------------------------------------ spaCy component


def _doc_mentions(doc: Doc, span_key: str) -> list[ExtractedEntity]:
    """Typed mentions from ``doc.spans[span_key]``; a span without a group gets one of its own."""
    mentions: list[ExtractedEntity] = []
    labels = {t.value for t in EntityType}
    spans = doc.spans[span_key] if span_key in doc.spans else []
    for i, span in enumerate(spans):
        if span.label_ not in labels:
            continue
        group = span._.kg_group if span._.kg_group is not None else 1_000_000 + i
        mentions.append(ExtractedEntity(text=span.text, type=EntityType(span.label_), group=group,
                                        start=span.start_char, end=span.end_char))
    return mentions


def _doc_proposed(doc: Doc, mentions: list[ExtractedEntity]) -> list[str]:
    """Surface forms of the groups with a ``proposes`` role, first by position."""
    groups = {r.get("group") for r in (doc._.kg_roles or []) if r.get("role") == "proposes"}
    names: list[str] = []
    for m in sorted((m for m in mentions if m.group in groups), key=lambda m: m.start or 0):
        if m.text not in names:
            names.append(m.text)
    return names


class ClaimExtractor:
    """Writes ``doc._.kg_claims`` from the typed spans and roles set by earlier components."""

    def __init__(self, name: str = "kg_claims", *, max_sentence_chars: int = 2000, span_key: str = SPAN_KEY) -> None:
        if max_sentence_chars <= 0:
            raise KGError(f"kg_claims: max_sentence_chars must be positive, got {max_sentence_chars!r}")
        register_extensions()
        self.name = name
        self.max_sentence_chars = max_sentence_chars
        self.span_key = span_key

    def __call__(self, doc: Doc) -> Doc:
        mentions = _doc_mentions(doc, self.span_key)
        if doc.has_annotation("SENT_START"):
            sentences = sentence_bounds(doc)
        else:
            sentences = [(0, len(doc_text(doc)))]
        claims = find_claims(doc_text(doc), sentences, mentions, _doc_proposed(doc, mentions),
                             max_sentence_chars=self.max_sentence_chars)
        title_len = doc._.kg_title_len or 0
        doc._.kg_claims = [
            c.model_copy(update={"field": TextField.TITLE if (c.start or 0) < title_len else TextField.ABSTRACT})
            .model_dump(mode="json") for c in claims]
        return doc


@Language.factory("kg_claims", default_config={"max_sentence_chars": 2000, "span_key": SPAN_KEY})
def make_claim_extractor(nlp: Language, name: str, *, max_sentence_chars: int, span_key: str) -> ClaimExtractor:
    """Factory of the ``kg_claims`` component (entry point ``kg.nlp.claims:make_claim_extractor``)."""
    return ClaimExtractor(name, max_sentence_chars=max_sentence_chars, span_key=span_key)
