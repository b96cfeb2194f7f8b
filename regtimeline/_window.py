"""`Window`: a recurring daily window (exam-day or curfew shutdowns), in local wall-clock time.

Membership is decided on the wall clock of the dispute's zone: an instant is inside when its
local time of day lies in ``[start, end)`` (or, for a window that wraps past midnight,
``start`` or later on a day it starts, or before ``end`` on the next day). That one rule gives
the DST behaviour DESIGN.md asks for: a start or end inside a spring-forward gap takes effect
at the gap's end (no wall time in the gap exists), and in a fall-back hour both passes of a
wall-clock time are inside.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable
from typing import Final

import attrs
import pendulum

from ._fields import with_context
from ._time import EPOCH, ONE_US, Zone, instant_key
from .errors import InvalidValue

__all__ = ["Window"]

_CLOCK: Final = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d)(?:\.(\d{1,6}))?)?$")


def _clock(value: object) -> _dt.time:
    if isinstance(value, _dt.time):
        if value.tzinfo is not None:
            msg = f"a window's times are local wall-clock times: give {value!r} without a zone"
            raise InvalidValue(msg)
        return value.replace(fold=0)
    if isinstance(value, str):
        match = _CLOCK.match(value)
        if match is not None:
            hour, minute, second, fraction = match.groups()
            return _dt.time(
                int(hour), int(minute), int(second or 0), int((fraction or "").ljust(6, "0"))
            )
    msg = f"expected a local time of day such as '06:00' or '22:30:00', got {value!r:.60}"
    raise InvalidValue(msg)


def _day(value: object) -> pendulum.Date:
    if isinstance(value, _dt.datetime):
        msg = f"window days are dates, got the date-time {value!r:.60}"
        raise InvalidValue(msg)
    if isinstance(value, _dt.date):
        return pendulum.Date(value.year, value.month, value.day)
    if isinstance(value, str) and len(value) == 10:
        try:
            d = _dt.date.fromisoformat(value)
        except ValueError:
            pass
        else:
            return pendulum.Date(d.year, d.month, d.day)
    msg = f"window days are dates such as '2023-06-10', got {value!r:.60}"
    raise InvalidValue(msg)


def _days(value: Iterable[object] | None) -> frozenset[pendulum.Date] | None:
    if value is None:
        return None
    if isinstance(value, str | _dt.date):
        value = (value,)
    try:
        days = frozenset(_day(v) for v in value)
    except TypeError:
        msg = f"window days must be an iterable of dates, got {value!r:.60}"
        raise InvalidValue(msg) from None
    if not days:
        msg = "window days must name at least one date; leave them out (None) for every day"
        raise InvalidValue(msg)
    return days


def clock_text(value: _dt.time) -> str:
    """``06:00``, or with seconds (and microseconds) only when it has them."""
    if value.microsecond:
        return value.isoformat(timespec="microseconds")
    if value.second:
        return value.isoformat(timespec="seconds")
    return value.isoformat(timespec="minutes")


@with_context
@attrs.frozen(kw_only=True)
class Window:
    """A daily window in the dispute's local wall-clock time, half-open: ``[start, end)``.

    A restriction with a window is *active* from its `at` to its end, but *in force* only
    inside its windows. ``end <= start`` wraps past midnight: ``22:00``-``06:00`` belongs to
    the day it starts. With `days`, windows start only on those local dates (exam days);
    without, every day.

    Attributes:
        start: the local time it starts (``"06:00"``, a `datetime.time`).
        end: the local time it ends (not included).
        days: the local dates on which a window starts (dates or ISO date strings), or None
            for every day.

    Examples:
        >>> exams = Window(start="06:00", end="08:00", days=["2023-06-10", "2023-06-11"])
        >>> exams.start, exams.wraps
        (datetime.time(6, 0), False)
        >>> str(Window(start="22:00", end="06:00"))
        '22:00-06:00 every day'
    """

    start: _dt.time = attrs.field(converter=_clock)
    end: _dt.time = attrs.field(converter=_clock)
    days: frozenset[pendulum.Date] | None = attrs.field(default=None, converter=_days)

    @property
    def wraps(self) -> bool:
        """Whether it runs past midnight (``end <= start``)."""
        return self.end <= self.start

    def contains_local(self, day: _dt.date, clock: _dt.time) -> bool:
        """Whether the local wall-clock `clock` on `day` is inside a window.

        Examples:
            >>> night = Window(start="22:00", end="06:00", days=["2023-06-10"])
            >>> import datetime as dt
            >>> night.contains_local(dt.date(2023, 6, 11), dt.time(5, 59))
            True
        """
        days = self.days
        if not self.wraps:
            return self.start <= clock < self.end and (days is None or day in days)
        if clock >= self.start and (days is None or day in days):
            return True
        return clock < self.end and (
            days is None or _dt.date.fromordinal(day.toordinal() - 1) in days
        )

    def __str__(self) -> str:
        if self.days is None:
            when = "every day"
        else:
            when = "on " + ", ".join(d.isoformat() for d in sorted(self.days))
        return f"{clock_text(self.start)}-{clock_text(self.end)} {when}"


def local_of(zone: Zone, key: int) -> _dt.datetime:
    """The local wall-clock datetime of `key` in `zone` (aware, with its fold)."""
    return (EPOCH + ONE_US * key).astimezone(zone.tz)


def in_force(window: Window, zone: Zone, key: int) -> bool:
    """Whether the instant `key` is inside one of `window`'s windows in `zone`."""
    local = local_of(zone, key)
    return window.contains_local(local.date(), local.time())


def _wall_keys(zone: Zone, day: _dt.date, clock: _dt.time) -> set[int]:
    """The instants at which the wall clock in `zone` shows `clock` on `day`.

    One; both passes of a fall-back hour; or none inside a spring-forward gap (`edges` adds
    the gap's end).
    """
    naive = _dt.datetime.combine(day, clock)
    keys = {instant_key(naive.replace(tzinfo=zone.tz, fold=fold)) for fold in (0, 1)}
    return {k for k in keys if local_of(zone, k).replace(tzinfo=None) == naive}


def edges(window: Window, zone: Zone, lo: int, hi: int) -> list[int]:
    """Every instant in ``(lo, hi]`` at which `window` may start or stop being in force.

    Candidates only (each is checked by `in_force`): the wall-clock start and end on every
    local day concerned, midnight when `days` is given, and every change of UTC offset (a
    fall-back sets the wall clock back into a window; a gap may skip over an edge).
    """
    first = local_of(zone, lo).date()
    last = local_of(zone, hi).date()
    clocks = {window.start, window.end}
    if window.days is not None:
        clocks.add(_dt.time(0))
    out: set[int] = set()
    ordinal = first.toordinal() - 1
    while ordinal <= last.toordinal() + 1:
        day = _dt.date.fromordinal(ordinal)
        if (
            window.days is None
            or day in window.days
            or (_dt.date.fromordinal(ordinal - 1) in window.days)
        ):
            for clock in clocks:
                out.update(k for k in _wall_keys(zone, day, clock) if lo < k <= hi)
            change = _offset_change(zone, day)
            if change is not None and lo < change <= hi:
                out.add(change)
        ordinal += 1
    return sorted(out)


def _offset_change(zone: Zone, day: _dt.date) -> int | None:
    """The instant the UTC offset changes during local `day` (at most one), or None."""
    lo = zone.day_start(day)
    hi = zone.day_start(_dt.date.fromordinal(day.toordinal() + 1))
    before = local_of(zone, lo).utcoffset()
    if local_of(zone, hi).utcoffset() == before:
        return None
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if local_of(zone, mid).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return hi
