"""What a claim's number measures and which way a change goes.

A leaderboard ranks benchmark results only, so each claim records its ``quantity``:
the metric when the text names one, else the quantity the words around the number
name ("of the performance gap" is a share of a gap, "faster" a speed-up, "output
length", "latency", "memory", ...); ``None`` when the text says nothing. Some
quantities are results of their own but not scores on a benchmark
(``kg.models.NON_RESULT_QUANTITIES``): a leaderboard leaves them out and
``kg query claims`` still shows them.

The ``direction`` of a change (an improvement or a margin) is ``decrease`` for a
drop, decrease, degradation, "fewer", "lower", "cheaper", a minus sign or a verb
such as "reduces", "falls", "trails"; ``increase`` for a gain; an improvement with
no word either way is an increase. Values stay the magnitudes as written (the
guidelines: a "2% drop" is 2).
"""

from __future__ import annotations

import re

from kg.models import ClaimDirection, ClaimKind

# Shares written right after the number ("87% of the performance gap"): what it is a share of
# decides, even with a metric in the clause.
_SHARES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p, re.I), q) for p, q in (
    (r"^\W*(?:\w+\s+){0,2}?of\s+(?:the\s+|its\s+)?(?:[\w-]+\s+){0,2}?gaps?\b", "gap share"),
    (r"^\W*(?:of\s+(?:the\s+|all\s+|its\s+)?(?:[\w-]+\s+)?tokens)\b", "token share"),
    (r"^\W*(?:of\s+(?:the\s+|all\s+|its\s+)?(?:[\w-]+\s+)?(?:data|examples|samples))\b", "data share"),
))
# Other quantities named after the number when no metric is ("40% fewer tokens", "a 15.7% decrease
# in output length", "5.8x faster"); the first that matches wins.
_AFTER: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p, re.I), q) for p, q in (
    (r"^\W*(?:fewer|less|more)\s+(?:\w+\s+)?tokens\b", "tokens"),
    (r"^\W*(?:\w+\s+){0,4}?(?:output|response|generation|reasoning)\s+length\b", "output length"),
    (r"^\W*(?:\w+\s+){0,3}?(?:latency|time\s+to\s+first\s+token|response\s+time|wall-?clock)\b", "latency"),
    (r"^\W*(?:\w+\s+){0,3}?(?:throughput)\b", "throughput"),
    (r"^\W*(?:\w+\s+){0,3}?(?:memory|footprint)\b", "memory"),
    (r"^\W*(?:\w+\s+){0,2}?(?:cheaper|costs?|compute)\b", "cost"),
    (r"^\W*(?:\w+\s+){0,2}?(?:faster|slower|speed-?ups?|acceleration)\b", "speed-up"),
    (r"^\W*(?:fewer|less|more)\s+(?:environment\s+)?(?:steps|samples|interactions)\b", "environment steps"),
    (r"^\W*(?:fewer|less|more)\s+(?:\w+\s+)?(?:parameters|params)\b", "parameters"),
))
# The same quantities named before the number ("reduces latency by 35%", "speeds up decoding by 2x").
_BEFORE: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p + r"\b(?:\W+\w+){0,5}?\W*$", re.I), q)
                                                          for p, q in (
    (r"\b(?:latency|time\s+to\s+first\s+token|response\s+time)", "latency"),
    (r"\bthroughput", "throughput"),
    (r"\b(?:output|response|generation)\s+length", "output length"),
    (r"\bmemory", "memory"),
    (r"\b(?:speeds?\s+up|accelerat\w*)", "speed-up"),
    (r"\bcosts?", "cost"),
))

_DECREASE_AFTER = re.compile(r"^\W*(?:\w+\s+){0,2}?(?:drops?|decreases?|degradations?|reductions?|declines?|"
                             r"fewer|less|lower|smaller|shorter|cheaper|slower|worse|loss|cuts?)\b", re.I)
_INCREASE_AFTER = re.compile(r"^\W*(?:\w+\s+){0,2}?(?:gains?|improvements?|increases?|boosts?|higher|more|larger|"
                             r"faster|better|speed-?ups?|lift|rise)\b", re.I)
_DECREASE_BEFORE = re.compile(r"\b(?:reduc\w*|decreas\w*|drops?|dropp\w*|degrad\w*|lower\w*|cuts?|cutting|falls?|"
                              r"fell|declin\w*|shrink\w*|shorten\w*|trails?|trailing|lags?|lagging|down)\b", re.I)
_INCREASE_BEFORE = re.compile(r"\b(?:improv\w*|increas\w*|boost\w*|rais\w*|rises?|gains?|lifts?|outperform\w*|"
                              r"surpass\w*|exceed\w*|beat\w*|speeds?|accelerat\w*|up(?!\s+to\b))\b", re.I)


def quantity_of(text: str, start: int, ctx_end: int, clause: tuple[int, int], metric: str | None) -> str | None:
    """What the number at ``text[start:ctx_end]`` measures: its metric, else a quantity the words name.

    Example:
        >>> t = "It recovers 91% of the performance gap."
        >>> quantity_of(t, 12, 15, (0, len(t)), None)
        'gap share'
    """
    after = text[ctx_end:min(clause[1], ctx_end + 60)]
    for pattern, name in _SHARES:
        if pattern.search(after):
            return name
    if metric:
        return metric
    for pattern, name in _AFTER:
        if pattern.search(after):
            return name
    before = text[max(clause[0], start - 60):start]
    for pattern, name in _BEFORE:
        if pattern.search(before):
            return name
    return None


def direction_of(text: str, start: int, ctx_end: int, clause: tuple[int, int], kind: ClaimKind) -> ClaimDirection | None:
    """Which way the change at ``text[start:ctx_end]`` goes; ``None`` for a score.

    Example:
        >>> t = "which is a 13.5% degradation"
        >>> direction_of(t, 11, 16, (0, len(t)), ClaimKind.IMPROVEMENT)
        <ClaimDirection.DECREASE: 'decrease'>
    """
    if kind == ClaimKind.SCORE:
        return None
    sign = text[max(0, start - 1):start]
    if sign in ("−", "-") and not re.search(r"[\d%]\s*[-−]$", text[max(0, start - 3):start]):
        return ClaimDirection.DECREASE
    after = text[ctx_end:min(clause[1], ctx_end + 40)]
    if _DECREASE_AFTER.search(after):
        return ClaimDirection.DECREASE
    if _INCREASE_AFTER.search(after):
        return ClaimDirection.INCREASE
    before = text[max(clause[0], start - 60):start]
    cues = [(m.start(), ClaimDirection.DECREASE) for m in _DECREASE_BEFORE.finditer(before)]
    cues += [(m.start(), ClaimDirection.INCREASE) for m in _INCREASE_BEFORE.finditer(before)]
    if cues:
        return max(cues)[1]
    return ClaimDirection.INCREASE if kind == ClaimKind.IMPROVEMENT or sign == "+" else None
