"""Number scanning for the claim extractor: values, units, lists, ranges, non-claims.

A number is a claim candidate when it is a measured outcome (a score, a gain, a
margin, a speed-up), never when it counts things, sizes a model, dates a paper,
numbers a table or belongs to a name ("GPT-4"). This module finds the numbers of
a sentence, reads their units, drops the non-claims that can be told from the
number and its neighbours alone, and chains the rest into lists and ranges.
Deciding what a group of numbers is *about* is ``kg.nlp.claims``'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.models import EntityType, ExtractedEntity

_NUM = re.compile(r"\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
X_WORDS = {"doubles": 2.0, "doubled": 2.0, "doubling": 2.0, "triples": 3.0, "tripled": 3.0,
           "tripling": 3.0, "quadruples": 4.0, "quadrupled": 4.0, "quadrupling": 4.0,
           "halves": 2.0, "halved": 2.0, "halving": 2.0}
_X_WORD_RE = re.compile(r"\b(" + "|".join(X_WORDS) + r")\b(?=\s+(?!(?:for|of|in|on|with|and|or|that|which|are|were|is|"
                        r"from|to|as)\b)[\w(])", re.I)
_MAGNITUDE_RE = re.compile(r"\b(an|one|two|three)\s+orders?\s+of\s+magnitude\b", re.I)
_MAGNITUDES = {"an": 10.0, "one": 10.0, "two": 100.0, "three": 1000.0}
_HALF_RE = re.compile(r"\b(?:solv\w*|answer\w*|pass\w*|succeed\w*|correct\w*|fail\w*)\s+(?:\w+\s+)?(half)\s+of\s+"
                      r"(?:the\s+)?(?!(?:parameters|data|tokens|compute|time|cost)\b)[a-z]+s\b", re.I)
# Cheap gate before the three word-number regexes above, which are slow on every sentence.
WORD_NUMBER_GATE = re.compile(r"doubl|tripl|quadrupl|halv|magnitude|half", re.I)
_UNIT_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\s*(?:%|\\%)?\s*(?:percentage|percent|pct\.?)\s+points?\b", re.I), "points"),
    (re.compile(r"\s*(?:%|\\%|percent\b)"), "%"),
    (re.compile(r"\s*(?:absolute\s+|accuracy\s+)?(?:points?|pts|pp)\b", re.I), "points"),
    (re.compile(r"\s*(?:[x×X](?![A-Za-z0-9])|\$?\\times\$?)"), "x"),
    (re.compile(r"\s*-?\s*fold\b(?!\s*-?\s*cross)", re.I), "x"),
    (re.compile(r"\s+times\s+(?=(?:faster|slower|more|less|fewer|higher|lower|larger|smaller|better|as|the|"
                r"speed)\b)", re.I), "x"),
)
_DEVIATION = re.compile(r"\s*\$?\s*(?:±|\\pm|\+/-|\+-)\s*\$?\s*\d+(?:\.\d+)?\$?")
_DEVIATION_BEFORE = re.compile(r"(?:±|\\pm|\+/-|\+-)\s*\$?\s*$")
# Math mode around a number ("$50.3\\%$", "$\\sim$2%"), unlike a price ("$500"): a closing "$" right after
# the number, or the "$" before it closes a LaTeX command.
_MATH_CLOSE_AFTER = re.compile(r"(?:\s|\\%|%|\\times|\\pm|\{\}|[\d.,])*\$")
_MATH_OPEN_BEFORE = re.compile(r"\\[A-Za-z]+\s*\$\s*$")
_CITATION = re.compile(r"\[\s*\d+(?:\s*[,–-]\s*\d+)*\s*\]")
_DIMENSION = re.compile(r"\s*[×x]\s*\d")
_DATA_SHARE_BEFORE = re.compile(r"\b(?:trained|pre-?trained|fine-?tuned|learn\w*|distill\w*)\s+(?:only\s+)?on\s+"
                                r"(?:only\s+|just\s+)?[~$\\a-z]*\s*$", re.I)
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
# "range from 0.61 to 0.74": a spread of results, not a before->after change
_SPREAD_BEFORE = re.compile(r"\b(?:rang\w*|var(?:y|ies|ied|ying)|spann\w*|between)\s+(?:from\s+)?[~$\\a-z]*\s*$", re.I)
_LIST_GAP = re.compile(r"^[\s,;]*(?:and|or|&)?[\s,]*[+~]?$")
_RANGE_GAP = re.compile(r"^\s*(?:-|–|−|->|→|to)\s*[+~]?$")
_EG_PAREN = re.compile(r"\((?:e\.g\.|i\.e\.|for example)[^()]*$", re.I)
_RESOURCE_AFTER = re.compile(r"\s*(?:%|\\%|percent)\s+(?:of\s+(?:the\s+|all\s+|its\s+)?(?:\w+\s+){0,2}?|"
                             r"(?:more\s+|additional\s+|extra\s+|of\s+)?)"
                             r"(?:parameters|params|weights|data|tokens|compute|examples|samples|budget)\b", re.I)
# Hyperparameters set, not results: "a beam of 5", "batch sizes up to 16", "k = 10".
_HYPERPARAMETER_BEFORE = re.compile(
    r"\b(?:beam(?: size| width)?|batch(?:es| sizes?)?|window(?: size)?|rank|temperature|learning rate|"
    r"k|top-k|epochs?|seeds?|steps?|horizon|context(?: length)?|chunks?(?: size)?|discount(?: factor)?|gamma|"
    r"dropout(?: rate)?|weight decay|warm-?up|threshold|lambda|alpha|beta|margin)\s*(?:of|=|up to|to|sizes? of)?\s*$",
    re.I,
)
_PREV_TOKEN = re.compile(r"(\S+)\s+$")
_LAST_WORD = re.compile(r"([\w#]+)\W*$")
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+")  # "$\\sim$2%": the command is no letter of a name
_IDENT_STRIP = re.compile(r"\d[\d.,]*\s*(?:[x×X](?![A-Za-z])|-?fold|pp|\\times)?")


@dataclass
class Num:
    """One candidate number: its value, unit, offsets and context flags."""

    value: float
    unit: str | None
    start: int
    end: int
    ctx_end: int
    plus: bool = False
    minus: bool = False  # a signed change: "(−4.1%)", "a -2.4% drop"
    word: bool = False
    transition: bool = False


@dataclass
class Group:
    """A list of slots ("8.43, 5.96 and 10.60"); a slot is one number or a range pair."""

    slots: list[list[Num]] = field(default_factory=list)

    @property
    def start(self) -> int:
        return self.slots[0][0].start

    @property
    def end(self) -> int:
        return self.slots[-1][-1].ctx_end


def _unit_at(text: str, pos: int) -> tuple[str | None, int]:
    """The unit written right after a number at ``pos`` and where it ends.

    A deviation between the two belongs to the number: "94.2 ± 0.6%" is 94.2 %.
    """
    deviation = _DEVIATION.match(text, pos)
    if deviation:
        pos = deviation.end()
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
    token = _IDENT_STRIP.sub("", text[left:right])
    token = _LATEX_COMMAND.sub("", token.replace("\\%", "").replace("$", ""))
    return any(ch.isalpha() for ch in token)


def previous_word(text: str, pos: int) -> str:
    """The word before ``pos``, lower-cased (a bounded window: the full prefix made this quadratic)."""
    m = _LAST_WORD.search(text, max(0, pos - 60), pos)
    return m.group(1).lower() if m else ""


def _is_blocked(text: str, sent_start: int, start: int, end: int, unit: str | None) -> bool:
    """Non-claims that can be told from the number and its neighbours alone."""
    raw = text[start:end]
    before = text[start - 1] if start > 0 else " "
    math = before == "$" and (_MATH_CLOSE_AFTER.match(text, end) is not None
                              or _MATH_OPEN_BEFORE.search(text, max(0, start - 12), start) is not None)
    if (before.isalnum() or (before in "@#_^{.$£€" and not math)) or _in_identifier(text, start, end):
        return True
    if _DEVIATION_BEFORE.search(text, max(sent_start, start - 8), start):
        return True  # the deviation of "94.2 ± 0.6%"
    if _DIMENSION.match(text, end) or re.search(r"\d\s*[×x]\s*$", text[max(sent_start, start - 8):start]):
        return True  # a size: "256×256"
    if any(m.start() <= start < m.end() for m in _CITATION.finditer(text, max(sent_start, start - 12), end + 12)):
        return True  # a citation marker: "[1]", "[3, 12]"
    if unit == "%" and _DATA_SHARE_BEFORE.search(text, max(sent_start, start - 50), start):
        return True  # a share of the training data: "trained on 2% of the PDB"
    if unit is None and re.fullmatch(r"(?:19|20)\d\d", raw):
        return True
    if previous_word(text, start) in _BLOCK_BEFORE or _SCALE_RE.match(text, end) or _SIZE_RANGE.match(text, end):
        return True
    if _EG_PAREN.search(text, sent_start, start) or (unit == "%" and _RESOURCE_AFTER.match(text, end)):
        return True
    if unit is None and _HYPERPARAMETER_BEFORE.search(text, max(sent_start, start - 40), start):
        return True
    left, right = _token_bounds(text, start, end)
    if unit is None and re.fullmatch(r"\(?\d+\)[,.;:]?", text[left:right]):
        return True  # an enumerator: "(1)", "1)"
    if unit is None and "." not in raw and int(raw.replace(",", "")) < 100:
        prev = _PREV_TOKEN.search(text, max(sent_start, start - 60), start)
        if prev and prev.group(1)[:1].isupper() and prev.start() > sent_start and prev.group(1).isalpha():
            return True  # part of a name: "Lean 4", "Llama 3"
    return False


def scan_numbers(text: str, s: int, e: int, masked: list[tuple[int, int]]) -> list[Num]:
    """Every number of the sentence ``text[s:e]`` that may be a claim value."""
    nums: list[Num] = []
    for m in _NUM.finditer(text, s, e):
        start, end = m.start(), m.end()
        if any(a < end and start < b for a, b in masked):
            continue
        unit, ctx_end = _unit_at(text, end)
        if _is_blocked(text, s, start, end, unit):
            continue
        value = float(m.group().replace(",", ""))
        sign = text[start - 1:start]
        minus = sign in ("-", "−") and not text[max(0, start - 2):start - 1].isalnum()
        nums.append(Num(value, unit, start, end, ctx_end, plus=sign == "+", minus=minus))
    if WORD_NUMBER_GATE.search(text, s, e):
        for regex, table in ((_X_WORD_RE, X_WORDS), (_MAGNITUDE_RE, _MAGNITUDES)):
            for m in regex.finditer(text, s, e):
                if not any(a < m.end() and m.start() < b for a, b in masked):
                    nums.append(Num(table[m.group(1).lower()], "x", m.start(), m.end(), m.end(), word=True))
        for m in _HALF_RE.finditer(text, s, e):
            nums.append(Num(0.5, None, m.start(1), m.end(1), m.end(1), word=True))
    return sorted(nums, key=lambda n: n.start)


def _followed_by_noun(text: str, num: Num, metric_starts: set[int]) -> bool:
    """A unitless number followed by a plain noun counts things ("32 premises", "15 models")."""
    m = re.match(r"\s*([A-Za-z][\w@-]*\.?)", text[num.ctx_end:num.ctx_end + 80])
    if not m or m.start(1) == 0 or "@" in m.group(1):
        return False  # "94.0 pass@1" names a metric
    word_start = num.ctx_end + m.start(1)
    return m.group(1).lower() not in _FUNCTION_WORDS and word_start not in metric_starts


def build_groups(text: str, nums: list[Num]) -> list[Group]:
    """Pair ranges ("from X to Y", "X->Y", "40-90%") and chain lists joined by "," or "and"."""
    slots: list[list[Num]] = []
    i = 0
    while i < len(nums):
        a = nums[i]
        b = nums[i + 1] if i + 1 < len(nums) else None
        if b is not None and not a.word and not b.word and _RANGE_GAP.match(text[a.ctx_end:b.start]):
            if a.unit is None:
                a.unit = b.unit
            gap = text[a.ctx_end:b.start]
            a.transition = ((not re.fullmatch(r"\s*[-–−]\s*", gap) or previous_word(text, a.start) == "from")
                            and not _SPREAD_BEFORE.search(text, max(0, a.start - 30), a.start))
            slots.append([a, b])
            i += 2
        else:
            slots.append([a])
            i += 1
    groups: list[Group] = []
    for slot in slots:
        if groups and _LIST_GAP.match(text[groups[-1].end:slot[0].start]):
            groups[-1].slots.append(slot)
        else:
            groups.append(Group([slot]))
    return groups


def accepted(text: str, s: int, group: Group, mentions: list[ExtractedEntity]) -> bool:
    """Whether a group of numbers reports results rather than counting things."""
    metric_starts = {m.start for m in mentions if m.type == EntityType.METRIC}
    members = [n for slot in group.slots for n in slot]
    if any(n.unit is None and not n.word and _followed_by_noun(text, n, metric_starts) for n in members):
        return False
    if any(n.unit is not None or n.plus or n.word for n in members):
        return True
    if _CUE_BEFORE.search(text, max(s, group.start - 40), group.start):
        return True
    after = text[group.end:group.end + 50]
    if any(m.type == EntityType.METRIC and group.end <= m.start <= group.end + 25 for m in mentions):
        return True
    if any(m.type == EntityType.METRIC and group.start - 30 <= m.end <= group.start for m in mentions):
        return True
    return bool(re.match(r"\s*(?:on|in|for|across)\b", after)) and any(
        m.type == EntityType.DATASET and group.end <= m.start <= group.end + 40 for m in mentions)
