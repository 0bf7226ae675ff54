"""Filters applied while reading: keep the papers of some categories, or since a date.

The arXiv metadata snapshot holds millions of papers; a build usually wants a
few categories of recent years. ``PaperFilter`` says which papers to keep, and
``kg.io.iter_outcomes`` reports every paper it leaves out as a
``FilteredRecord`` with the reason, so the read still accounts for every record.

Example:
    >>> from kg.models import Paper
    >>> keep = PaperFilter.parse(categories="cs.CL,stat.*", since="2024-01-01")
    >>> keep.reason(Paper(id="p", title="T", abstract="A.", categories=["stat.ML"], date="2024-03-01")) is None
    True
    >>> keep.reason(Paper(id="p", title="T", abstract="A.", categories=["cs.CL"], year=2023))
    'year 2023 before 2024-01-01'
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from kg.errors import InputError
from kg.models import Paper

_SPLIT = re.compile(r"[\s,]+")
# A category (``cs.CL``, ``hep-th``, ``math.AG``) or a prefix form ``cs.*``.
_CATEGORY = re.compile(r"^[A-Za-z][\w-]*(?:\.[\w-]+)*(?:\.\*)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PREFIX_WILDCARD = ".*"


# ------------------------------------------------------------ parsing


def parse_categories(values: str | Iterable[str] | None) -> frozenset[str]:
    """Categories from CLI strings: comma- or space-separated, one string or several.

    ``cs.*`` is a prefix form that matches every ``cs.X`` category.

    Example:
        >>> sorted(parse_categories(["cs.CL,cs.LG", "stat.*"]))
        ['cs.CL', 'cs.LG', 'stat.*']

    Raises:
        InputError: a category that is neither a name like ``cs.CL`` nor a prefix like ``cs.*``.
    """
    if values is None:
        return frozenset()
    texts = [values] if isinstance(values, str) else list(values)
    names = [name for text in texts for name in _SPLIT.split(text) if name]
    for name in names:
        if not _CATEGORY.match(name):
            raise InputError(f"bad category {name!r}: expected a name like cs.CL or a prefix like cs.*")
    return frozenset(names)


def parse_since(value: str | datetime.date | None) -> datetime.date | None:
    """A ``--since`` date from an ISO ``YYYY-MM-DD`` string (a ``date`` passes through).

    Example:
        >>> parse_since("2024-01-01")
        datetime.date(2024, 1, 1)

    Raises:
        InputError: not a valid ``YYYY-MM-DD`` date.
    """
    if value is None or isinstance(value, datetime.date):
        return value
    text = value.strip()
    try:
        if not _ISO_DATE.match(text):
            raise ValueError("wrong shape")
        return datetime.date.fromisoformat(text)
    except ValueError as e:
        raise InputError(f"bad date {value!r} for since: expected YYYY-MM-DD, e.g. 2024-01-01") from e


# ------------------------------------------------------------ matching


def _as_date(text: str | None) -> datetime.date | None:
    """A paper's ISO date as a ``date``; None when absent or not a valid date."""
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def category_matches(category: str, wanted: str) -> bool:
    """True when a paper's category is a wanted one (any case) or under a wanted ``X.*`` prefix.

    Example:
        >>> category_matches("cs.CL", "cs.*"), category_matches("cs", "cs.*"), category_matches("cs.cl", "cs.CL")
        (True, False, True)
    """
    category, wanted = category.casefold(), wanted.casefold()
    if wanted.endswith(PREFIX_WILDCARD):
        return category.startswith(wanted[:-1])
    return category == wanted


@dataclass(frozen=True)
class PaperFilter:
    """Which papers to keep while reading; the empty filter keeps every paper.

    A paper passes when (no categories are given, or one of its categories
    matches one of them, see ``category_matches``) and (no ``since`` is given,
    or its date is on or after ``since``). A paper with a year but no date
    passes when its year is ``since``'s year or later (it may be from a day on
    or after ``since``); a paper with neither never passes a ``since`` filter.

    Attributes:
        categories: category names (``cs.CL``) and prefixes (``cs.*``).
        since: the first date kept.
    """

    categories: frozenset[str] = frozenset()
    since: datetime.date | None = None

    @classmethod
    def parse(
        cls, categories: str | Iterable[str] | None = None, since: str | datetime.date | None = None
    ) -> PaperFilter:
        """The filter of the CLI options ``--category cs.CL,cs.LG`` and ``--since 2024-01-01``.

        Args:
            categories: one comma-separated string or several (a repeated option); None for all.
            since: an ISO ``YYYY-MM-DD`` date; None for any date.

        Raises:
            InputError: a malformed category or date.
        """
        return cls(categories=parse_categories(categories), since=parse_since(since))

    @property
    def active(self) -> bool:
        """True when the filter can leave a paper out."""
        return bool(self.categories) or self.since is not None

    def reason(self, paper: Paper) -> str | None:
        """Why the paper is left out, or None when it passes."""
        return self._category_reason(paper) or self._since_reason(paper)

    def accepts(self, paper: Paper) -> bool:
        """True when the paper passes the filter."""
        return self.reason(paper) is None

    def _category_reason(self, paper: Paper) -> str | None:
        if not self.categories:
            return None
        if any(category_matches(c, w) for c in paper.categories for w in self.categories):
            return None
        has = ", ".join(paper.categories) if paper.categories else "none"
        return f"no category in {', '.join(sorted(self.categories))} (has {has})"

    def _since_reason(self, paper: Paper) -> str | None:
        if self.since is None:
            return None
        date = _as_date(paper.date)
        if date is not None:
            return None if date >= self.since else f"date {paper.date} before {self.since.isoformat()}"
        if paper.year is not None:
            return None if paper.year >= self.since.year else f"year {paper.year} before {self.since.isoformat()}"
        return f"no date or year to compare with {self.since.isoformat()}"
