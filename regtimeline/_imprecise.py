"""Dates the sources don't pin down: reduced-precision ISO 8601 and EDTF levels 0 and 1.

A value such as ``"2021-03"``, ``"2021-04-16~"`` or ``"202X"`` is a *span* of whole local
days, kept exactly as written. The text is parsed with the `edtf` library (python-edtf); the
span is ours: the days the text names, widened for ``~`` (approximate) or ``?`` (uncertain)
by one unit of its precision on each side (3 days for a day), and for ``%`` (both) by two.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import functools
import itertools
import re
from typing import Final

import attrs
import pendulum

from .errors import TimeError

__all__ = ["Imprecise", "imprecise", "refusal"]

#: Padding per precision for ``~`` or ``?`` (``%`` doubles it): (months, days).
_PADDING: Final = {"day": (0, 3), "month": (1, 0), "year": (12, 0)}
#: What EDTF levels 0 and 1 allow for a date: a year (its last one or two digits may be
#: unspecified, ``X``), a month, a day (each may be ``XX``), one qualifier at the end.
_SHAPE: Final = re.compile(r"(?:\d{4}|\d{3}X|\d{2}XX)(?:-(?:\d{2}|XX)(?:-(?:\d{2}|XX))?)?[~?%]?")
_QUALIFIERS: Final = {"~": "approximate", "?": "uncertain", "%": "approximate and uncertain"}


@attrs.frozen(eq=False)
class Imprecise:
    """A date the sources give only to a month or a year, or qualify as approximate.

    Equal when written the same. `earliest` and `latest` are the first and last local day
    of its span; an event's imprecise `at` counts from the start of `earliest`, an imprecise
    `due` or `ends` lasts to the end of `latest` (the reading).

    Attributes:
        text: as written, e.g. ``"2021-03"``, ``"2021-04-16~"``, ``"2021-XX"``.
        earliest: the first day of the span.
        latest: the last day of the span.
        precision: ``"day"``, ``"month"`` or ``"year"``: the unit it names (``"202X"``: a
            year, unspecified in its last digit).
        qualifier: ``"approximate"``, ``"uncertain"``, ``"approximate and uncertain"``,
            or None.

    Examples:
        >>> m = imprecise("2021-04~")
        >>> m.earliest, m.latest
        (Date(2021, 3, 1), Date(2021, 5, 31))
        >>> imprecise("2021-04-16~").latest, imprecise("202X").earliest
        (Date(2021, 4, 19), Date(2020, 1, 1))
    """

    text: str
    earliest: pendulum.Date
    latest: pendulum.Date
    precision: str
    qualifier: str | None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Imprecise) and other.text == self.text

    def __hash__(self) -> int:
        return hash(("imprecise", self.text))

    def __str__(self) -> str:
        return self.text

    def isoformat(self) -> str:
        """The text as written (as dates and datetimes give theirs)."""
        return self.text


def _shift_months(day: _dt.date, months: int) -> _dt.date:
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    return _dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@functools.lru_cache(maxsize=65_536)
def imprecise(text: str) -> Imprecise:
    """Read a reduced-precision or EDTF level 0/1 date (cached: parsing takes milliseconds).

    Raises:
        TimeError: not one of those forms (seasons, intervals, times, level 2), a date that
            does not exist (``"2023-02-29?"``), or a span outside the years 1 to 9999.

    Examples:
        >>> imprecise("2021").latest
        Date(2021, 12, 31)
        >>> imprecise("2021-09").precision
        'month'
    """
    if not _SHAPE.fullmatch(text):
        raise TimeError(refusal(text))
    from edtf import parse_edtf  # noqa: PLC0415 - pyparsing grammar: built on first use
    from edtf.parser.edtf_exceptions import EDTFParseException  # noqa: PLC0415

    try:
        parsed = parse_edtf(text)
    except EDTFParseException:
        raise TimeError(refusal(text)) from None
    bare = text.rstrip("~?%")
    parts = bare.split("-")
    if len(parts) > 1 and "X" not in parts[1] and int(parts[1]) > 12:
        raise TimeError(refusal(text))  # a season ("2001-21")
    unspecified = ["X" in p for p in parts]
    if any(a and not b for a, b in itertools.pairwise(unspecified)):
        raise TimeError(refusal(text))  # "202X-04", "2021-XX-16": not level 1
    precision = ("year", "month", "day")[len(parts) - 1]
    qualifier = _QUALIFIERS.get(text[-1])
    lower, upper = parsed.lower_strict(), parsed.upper_strict()
    try:
        first = _dt.date(lower.tm_year, lower.tm_mon, lower.tm_mday)
        last = _dt.date(upper.tm_year, upper.tm_mon, upper.tm_mday)
        if len(parts) == 3 and "X" not in bare:  # the library reads 2023-02-29 as a day
            _dt.date(first.year, int(parts[1]), int(parts[2]))
        if qualifier is not None:
            first, last = _padded(first, last, precision, 2 if text.endswith("%") else 1)
    except (ValueError, OverflowError):  # no such day, or a span past the years 1 to 9999
        msg = f"{text!r} is not a date that exists within the years 1 to 9999"
        raise TimeError(msg) from None
    return Imprecise(
        text=text,
        earliest=pendulum.Date(first.year, first.month, first.day),
        latest=pendulum.Date(last.year, last.month, last.day),
        precision=precision,
        qualifier=qualifier,
    )


def _padded(
    first: _dt.date, last: _dt.date, precision: str, times: int
) -> tuple[_dt.date, _dt.date]:
    """Widen a span by `times` units of its precision on each side (whole months stay whole)."""
    months, days = _PADDING[precision]
    first = _shift_months(first, -months * times) - _dt.timedelta(days=days * times)
    last = _shift_months(last, months * times) + _dt.timedelta(days=days * times)
    if precision != "day":  # the last day of the last month
        last = _shift_months(last.replace(day=1), 1) - _dt.timedelta(days=1)
    return first, last


def refusal(text: str) -> str:
    """Why `text` is not read as a time, and what is."""
    return (
        f"{text!r} is not a date this library reads: give a day ('2021-03-10'), an instant "
        "with an offset ('2021-03-10T10:00:00+03:00'), a month or a year ('2021-03', "
        "'2021'), optionally qualified as EDTF allows ('2021-04-16~' approximate, "
        "'2021-04?' uncertain, '2021%' both) or with unspecified digits ('2021-04-XX', "
        "'2021-XX', '202X'); seasons, intervals, ISO week and ordinal dates are refused"
    )
