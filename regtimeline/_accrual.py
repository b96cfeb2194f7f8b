"""Accruing fines summed at any instant without visiting each fine.

A fine of `a` per period `P` from `s` has accrued ``a * count`` at `K`, where ``count`` is
the number of instants ``s + k * P`` (k = 0, 1, ...) at or before `K`. On a *grid*, an
instant maps to a coordinate `c` in which that count is plain division:
``count = (c(K) - c(s)) // unit + 1``.

- exact periods (``PT24H``): the coordinate is the instant itself;
- whole days (``P1D``, ``P7D``): the local wall-clock time in microseconds (calendar days
  keep the wall clock across a DST change);
- whole months (``P1M``): month number, day of the month and time of day, with a month
  31 days long. On the last day of a shorter month, fines from its missing days (a fine
  from 31 January, on 28 February) fall due at their own time of day: the query adds, for
  each missing day, the fines of that day whose time of day has come (a rank query each).

Writing ``c = q * unit + r``, the sum of ``w * count`` over many fines is
``(q(K) + 1) * sum(w) - sum(w * q) - sum(w for r > r(K))``: two prefix sums and one
weighted rank query, O(log n) for n fines. Local coordinates are exact only where the UTC
offset is steady around `K` (`steady_offset`); elsewhere the caller counts fine by fine.

Fines change in two ways the sums must follow: by event (imposed, stopped, cancelled: an
*entry* counted once the log holds that event) and by time (a fine with ``until`` stops
accruing after its last instant: an entry counted from the first instant after it). Each
entry is a weight on a grid origin plus a constant; amounts are integers in units of the
smallest exponent an amount can have (`SCALE`), so every sum is exact.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import decimal
import functools
from typing import Final

from ._fields import EXACT, MAX_AMOUNT_DIGITS, MIN_AMOUNT_EXPONENT
from ._time import EPOCH, ONE_US, Zone, parse_span
from ._wavelet import WeightedWavelet

__all__ = ["Group", "amount", "grid_of", "scaled", "steady_offset"]

_DAY: Final = 86_400_000_000
_MONTH: Final = 31 * _DAY
_EPOCH_ORDINAL: Final = _dt.date(1970, 1, 1).toordinal()
EXACT_GRID: Final = 0
DAY_GRID: Final = 1
MONTH_GRID: Final = 2
#: Amounts are counted in units of 10**SCALE: no amount has a smaller exponent.
SCALE: Final = MIN_AMOUNT_EXPONENT - MAX_AMOUNT_DIGITS + 1
#: Unbuilt entries a query may scan before the index is rebuilt.
_PENDING: Final = 16
#: Samples of the UTC offset around an instant, a day apart (tzdata never changes the offset
#: twice within 95 hours, so equal samples mean no change between them).
_STEADY_DAYS: Final = range(-3, 5)


def scaled(amount: decimal.Decimal) -> int:
    """An amount as an integer number of units of 10**SCALE.

    Examples:
        >>> scaled(decimal.Decimal("2.5")) == 25 * 10 ** (-SCALE - 1)
        True
    """
    return int(amount.scaleb(-SCALE, EXACT))


def amount(total: int) -> decimal.Decimal:
    """The amount of `total` units of 10**SCALE (exact; trailing zeros are the caller's)."""
    return decimal.Decimal(total).scaleb(SCALE, EXACT)


def grid_of(per: str) -> tuple[int, int] | None:
    """The grid (kind, unit) of a period, or None for mixed periods such as ``P1DT2H``.

    Examples:
        >>> grid_of("P1D"), grid_of("PT1H"), grid_of("P2M"), grid_of("P1M2D")
        ((1, 86400000000), (0, 3600000000), (2, 5356800000000), None)
    """
    months, days, micros = parse_span(per)
    if not months and not days:
        return EXACT_GRID, micros
    if not months and not micros:
        return DAY_GRID, days * _DAY
    if not days and not micros:
        return MONTH_GRID, months * _MONTH
    return None


def steady_offset(zone: Zone, key: int, cache: dict[int, int | None]) -> int | None:
    """The UTC offset (us) at `key` if it is the same for three days either side, else None."""
    day = key // _DAY
    if day in cache:
        return cache[day]
    offsets = set()
    try:
        for d in _STEADY_DAYS:
            offset = (EPOCH + ONE_US * ((day + d) * _DAY)).astimezone(zone.tz).utcoffset()
            assert offset is not None
            offsets.add(offset // ONE_US)
    except OverflowError:  # within three days of the years 1 or 9999: count fine by fine
        offsets.add(0)
        offsets.add(1)
    if len(cache) > 100_000:
        cache.clear()
    result = cache[day] = offsets.pop() if len(offsets) == 1 else None
    return result


@functools.lru_cache(maxsize=4096)
def _month_day(days: int) -> tuple[int, int]:
    """The month coordinate of the start of a local day (days from 1970-01-01).

    Also how many days its month is short of 31 if it is the month's last day (else 0).
    """
    date = _dt.date.fromordinal(_EPOCH_ORDINAL + days)
    short = 0
    if (date + _dt.timedelta(days=1)).month != date.month:
        short = 31 - date.day  # fines from those later days fall due on this one
    return ((date.year * 12 + date.month - 1) * 31 + date.day - 1) * _DAY, short


def _month_coordinate(wall: int) -> tuple[int, int]:
    """The month coordinate of a wall-clock instant, and its day's shortfall (above)."""
    days, clock = divmod(wall, _DAY)
    start, short = _month_day(days)
    return start + clock, short


def origin(kind: int, zone: Zone, key: int) -> int:
    """The coordinate of a fine's first instant `key` (its wall clock, exactly)."""
    if kind == EXACT_GRID:
        return key
    offset = (EPOCH + ONE_US * key).astimezone(zone.tz).utcoffset()
    assert offset is not None
    wall = key + offset // ONE_US
    return wall if kind == DAY_GRID else _month_coordinate(wall)[0]


class _Built:
    """Entries sorted by gate, with prefix sums and a rank index on residues."""

    __slots__ = ("count", "gates", "ranks", "sum_rest", "sum_w")

    def __init__(self, entries: list[tuple[int, int, int, int, int, int]]) -> None:
        ordered = sorted(e[1:] for e in entries)
        self.count = len(entries)
        self.gates = [e[0] for e in ordered]
        self.sum_w = [0]  # w
        self.sum_rest = [0]  # c - w * q
        for _, q, _, w, c in ordered:
            self.sum_w.append(self.sum_w[-1] + w)
            self.sum_rest.append(self.sum_rest[-1] + c - w * q)
        self.ranks = WeightedWavelet([e[2] for e in ordered], [e[3] for e in ordered])


class Group:
    """The accruing fines of one currency and one grid period, as entries.

    An entry ``(made, gate, q, r, w, c)`` is made by event `made` and counts at instants
    from `gate` on, adding ``w * (q(K) - q - (r(K) < r) + 1) + c`` at a query coordinate
    `K`. Entries made by events count from their event's instant; those that take back what
    accrues after `until`, from the first instant after it (always after the event that made
    them). So a query at `K` after every event at or before `K` counts exactly the entries
    of those events.
    """

    __slots__ = ("_built", "entries", "kind", "unit")

    def __init__(self, kind: int, unit: int) -> None:
        self.kind = kind
        self.unit = unit
        self.entries: list[tuple[int, int, int, int, int, int]] = []
        self._built: _Built | None = None

    def add(self, made: int, gate: int, coordinate: int, w: int, c: int) -> None:
        q, r = divmod(coordinate, self.unit)
        self.entries.append((made, gate, q, r, w, c))

    def before(self, n: int) -> Group:
        """The entries made by the first `n` events."""
        group = Group(self.kind, self.unit)
        group.entries = [e for e in self.entries if e[0] < n]
        return group

    def total(self, key: int, offset: int) -> int:
        """The sum at `key` after every event at or before it, in units of 10**SCALE.

        `offset` is the steady UTC offset at `key` (us).
        """
        coordinate = key  # exact periods count in instants, calendar ones on the wall clock
        short = 0
        if self.kind != EXACT_GRID:
            coordinate += offset
            if self.kind == MONTH_GRID:
                coordinate, short = _month_coordinate(coordinate)
        q, r = divmod(coordinate, self.unit)
        clock = r % _DAY
        entries = self.entries
        built = self._built
        if built is None or len(entries) - built.count > _PENDING:
            built = self._built = _Built(entries)
        p = bisect.bisect_right(built.gates, key)
        # sum of w * (q + 1) - w * q_e + c, less w for each entry with a larger residue
        ranks = built.ranks
        total = q * built.sum_w[p] + built.sum_rest[p] + ranks.weight_below(p, r + 1)
        # on the last day of a month shorter than 31 days, fines from its missing days (a
        # fine from 31 January, on 28 February) fall due at their time of day on it
        for j in range(1, short + 1):
            later = r - clock + j * _DAY  # that missing day's first instant
            total += ranks.weight_below(p, later + clock + 1) - ranks.weight_below(p, later)
        if built.count < len(entries):
            for _, gate, eq, er, w, c in entries[built.count :]:
                if gate <= key:
                    due = er <= r or (0 < (er - r + clock) // _DAY <= short and er % _DAY <= clock)
                    total += w * (q - eq - (not due) + 1) + c
        return total
