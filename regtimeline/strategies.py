"""Hypothesis strategies for regtimeline values, for your own property-based tests.

Install with ``pip install regtimeline[hypothesis]``. Every strategy shrinks towards small,
readable examples: few events, short gaps between them, whole days before exact instants,
one-character ids, UTC before other zones.

Examples:
    >>> from hypothesis import given
    >>> from regtimeline.strategies import timelines
    >>> @given(timelines(max_size=5))
    ... def test_history_starts_with_the_first_event(timeline):
    ...     periods = timeline.history()
    ...     assert not timeline.events or periods[0].start is not None
    >>> test_history_starts_with_the_first_event()
"""

from __future__ import annotations

import datetime as _dt
import decimal
import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final, Literal, TypeVar, overload

try:
    from hypothesis import assume
    from hypothesis import strategies as st
    from hypothesis.stateful import (
        RuleBasedStateMachine,
        initialize,
        invariant,
        precondition,
        rule,
    )
except ImportError as exc:  # pragma: no cover - exercised by hand, not in the suite
    msg = "regtimeline.strategies needs Hypothesis: pip install 'regtimeline[hypothesis]'"
    raise ImportError(msg) from exc

import attrs
import pendulum

from ._archive import Archive
from ._dispute import Dispute
from ._enums import Consequence, DeadlineState
from ._events import (
    EVENT_TYPES,
    BlockImposed,
    BlockLifted,
    ContentRemoved,
    DeadlineExtended,
    DeadlineMet,
    DeadlineSet,
    DeadlineWithdrawn,
    DelistingImposed,
    DelistingLifted,
    Event,
    EventCorrected,
    EventRetracted,
    FineCancelled,
    FineImposed,
    FinePaid,
    Statement,
    TakedownRequested,
    ThrottleImposed,
    ThrottleLifted,
    WarningIssued,
)
from ._imprecise import Imprecise, imprecise
from ._scope import NETWORKS, Box, Scope
from ._status import Block, Delisting, Status, Throttle
from ._time import MIN_KEY, Moment, zone
from ._timeline import Timeline
from ._window import Window
from ._window import edges as window_edges
from .errors import (
    DuplicateEvent,
    InvalidTransition,
    InvalidValue,
    RegTimelineError,
    TimeError,
    UnknownReference,
)

__all__ = [
    "TIMEZONES",
    "TimelineMachine",
    "archives",
    "boundaries",
    "dates",
    "disputes",
    "durations",
    "events",
    "imprecise_dates",
    "instants",
    "invalid_appends",
    "recorded_timelines",
    "scopes",
    "timelines",
    "windows",
]

T = TypeVar("T")

#: The zones `disputes()` draws from: UTC first (it shrinks there), then zones with DST
#: changes (Brussels, New York, Sao Paulo until 2019, Moscow until 2011 (timelines start
#: from 2008 so that both are reached), Lord Howe's half hour, Chatham),
#: zones with odd offsets, and Moscow of the founding case.
TIMEZONES: Final = (
    "UTC",
    "Europe/Moscow",
    "Europe/Brussels",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kolkata",
    "Asia/Tehran",
)

_SERVICES: Final = ("photos", "videos", "messages", "live", "search")
#: Region codes of each jurisdiction `disputes()` draws, and place names without a code.
_REGIONS: Final = {
    "RU": ("RU-MOW", "RU-SPE"),
    "GB": ("GB-ENG", "GB-SCT"),
    "TR": ("TR-34", "TR-06"),
    "BR": ("BR-SP", "BR-RJ"),
    "IN": ("IN-JK", "IN-LA"),
}
_PLACES: Final = ("Kashmir Valley", "Capital")
_OPERATORS: Final = ("AS12389", "MTS", "Vodafone")
_STORES: Final = ("apple", "google", "huawei")
#: Window edges: whole and half hours, the small hours where DST changes (02:00-03:00 in
#: Europe, 00:00 in Sao Paulo), and midnight.
_CLOCKS: Final = ("00:00", "01:30", "02:00", "02:30", "03:00", "06:00", "08:00", "22:00", "23:30")
_CATEGORIES: Final = ("csam", "drugs", "suicide", "extremism", "fakes", "lgbt")
_WORDS: Final = ("remove", "content", "Roskomnadzor", "court", "Twitter", "talks", "law")
_FIRST_DAY: Final = _dt.date(2000, 1, 1)
_LAST_DAY: Final = _dt.date(2035, 12, 31)


def _zone_names(value: object) -> tuple[str, ...]:
    """The zone names of `value`, all known; empty when any is not one."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        return ()
    names = tuple(value)
    for name in names:
        if not isinstance(name, str):
            return ()
        try:
            zone(name)
        except TimeError:
            return ()
    return names


def disputes(timezones: Sequence[str] = TIMEZONES) -> st.SearchStrategy[Dispute]:
    """Disputes in the given zones (shrinks to a UTC dispute with short names).

    Examples:
        >>> from hypothesis import find
        >>> find(disputes(), lambda d: True).timezone
        'UTC'

    Raises:
        InvalidValue: `timezones` is not a non-empty sequence of IANA zone names.
    """
    names = _zone_names(timezones)
    if not names:
        msg = f"timezones is a non-empty sequence of zone names, got {timezones!r:.80}"
        raise InvalidValue(msg)
    return st.builds(
        Dispute,
        id=st.text("abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=12),
        regulator=st.sampled_from(("Roskomnadzor", "Ofcom", "BTK", "ANATEL", "MeitY")),
        platform=st.sampled_from(("Twitter", "WhatsApp", "Telegram", "YouTube", "TikTok")),
        jurisdiction=st.sampled_from(("RU", "GB", "TR", "BR", "IN")),
        timezone=st.sampled_from(names),
    )


@overload
def dates(
    min_value: _dt.date = ..., max_value: _dt.date = ..., *, imprecise: Literal[False] = ...
) -> st.SearchStrategy[pendulum.Date]: ...
@overload
def dates(
    min_value: _dt.date = ..., max_value: _dt.date = ..., *, imprecise: Literal[True]
) -> st.SearchStrategy[pendulum.Date | Imprecise]: ...
def dates(
    min_value: _dt.date = _FIRST_DAY, max_value: _dt.date = _LAST_DAY, *, imprecise: bool = False
) -> st.SearchStrategy[pendulum.Date] | st.SearchStrategy[pendulum.Date | Imprecise]:
    """Calendar days (a bare date means that whole day in the dispute's zone).

    With `imprecise`, also imprecise times within the same days (`imprecise_dates`).

    Examples:
        >>> from hypothesis import find
        >>> find(dates(), lambda d: True)
        Date(2000, 1, 1)
        >>> find(dates(imprecise=True), lambda d: isinstance(d, Imprecise)).text
        '2000'
    """
    days = st.dates(min_value, max_value).map(lambda d: pendulum.Date(d.year, d.month, d.day))
    if imprecise:
        return st.one_of(days, imprecise_dates(min_value, max_value))
    return days


def imprecise_dates(
    min_value: _dt.date = _FIRST_DAY, max_value: _dt.date = _LAST_DAY
) -> st.SearchStrategy[Imprecise]:
    """Imprecise times whose whole span lies between two days.

    Months, years and EDTF dates (approximate, uncertain or both, unspecified digits), as
    written in real reporting.

    Examples:
        >>> from hypothesis import find
        >>> find(imprecise_dates(), lambda d: True).text
        '2000'
        >>> find(imprecise_dates(), lambda d: d.precision == "month").text
        '2000-01'
    """

    def written(day: _dt.date, form: int) -> str:
        text = day.isoformat()
        return (
            text[:4],
            text[:7],
            text[:4] + "~",
            text[:7] + "?",
            text + "~",
            text + "?",
            text + "%",
            text[:7] + "-XX",
            text[:4] + "-XX",
            text[:3] + "X",
            text[:4] + "%",
        )[form]

    @st.composite
    def draw_one(draw: st.DrawFn) -> Imprecise:
        text = written(draw(st.dates(min_value, max_value)), draw(st.integers(0, 10)))
        try:
            value = imprecise(text)
        except RegTimelineError:  # padded past the years 1 to 9999
            value = None
        assume(value is not None and min_value <= value.earliest)
        assert value is not None
        assume(value.latest <= max_value)
        return value

    return draw_one()


def _kinds(kinds: object, default: Sequence[type[Event]]) -> tuple[Any, ...]:
    """`kinds` as a tuple (`default` for None; empty when it is not a collection)."""
    if kinds is None:
        return tuple(default)
    if isinstance(kinds, str) or not isinstance(kinds, Iterable):
        return ()
    return tuple(kinds)


def instants(
    min_value: _dt.date = _FIRST_DAY,
    max_value: _dt.date = _LAST_DAY,
    timezones: Sequence[str] = TIMEZONES,
) -> st.SearchStrategy[pendulum.DateTime]:
    """Aware instants, in any of `timezones`, to the microsecond (DST folds included).

    Raises:
        InvalidValue: a bound that is not a date, or `timezones` not a collection of IANA
            zone names.

    Examples:
        >>> from hypothesis import find
        >>> find(instants(), lambda t: True).isoformat()
        '2000-01-01T00:00:00+00:00'
    """
    for what, day in (("min_value", min_value), ("max_value", max_value)):
        if not isinstance(day, _dt.date) or isinstance(day, _dt.datetime):
            msg = f"instants({what}=...) takes a date, got {day!r:.60}"
            raise InvalidValue(msg)
    names = _zone_names(timezones)
    if not names:
        msg = (
            f"instants(timezones=...) takes IANA zone names, such as ['UTC'], got {timezones!r:.60}"
        )
        raise InvalidValue(msg)
    return st.builds(
        lambda local, name, fold: pendulum.instance(
            local.replace(tzinfo=pendulum.timezone(name), fold=fold)
        ),
        st.datetimes(
            _dt.datetime.combine(min_value, _dt.time()),
            _dt.datetime.combine(max_value, _dt.time.max),
        ),
        st.sampled_from(names),
        st.sampled_from((0, 1)),
    )


def moments(*, imprecise: bool = False) -> st.SearchStrategy[Moment]:
    """What an event's `at` holds: a day or an exact instant.

    With `imprecise`, also imprecise times (`imprecise_dates`).
    """
    if imprecise:
        return st.one_of(dates(), instants(), imprecise_dates())
    return st.one_of(dates(), instants())


def durations() -> st.SearchStrategy[str]:
    """Positive ISO 8601 durations, calendar (``P1M``, ``P3D``) or exact (``PT48H``).

    Examples:
        >>> from hypothesis import find
        >>> find(durations(), lambda d: True)
        'P1M'
    """
    return st.one_of(
        st.integers(1, 24).map(lambda n: f"P{n}M"),
        st.integers(1, 60).map(lambda n: f"P{n}D"),
        st.integers(1, 96).map(lambda n: f"PT{n}H"),
        st.integers(1, 10**6).map(lambda n: f"PT{n // 10**6}.{n % 10**6:06d}S"),
        st.sampled_from(("P1Y", "P1M1D", "P1DT12H")),
    )


def scopes(jurisdiction: str | None = None) -> st.SearchStrategy[Scope]:
    """Scopes: everything first, then named networks, services, regions and operators.

    Regions are ISO 3166-2 codes of `jurisdiction` (default: of any country `disputes()`
    draws) and place names; a timeline only takes codes of its own country. Scopes of
    several boxes and "all except" come from lifts in `timelines()`.

    Raises:
        InvalidValue: `jurisdiction` is not one `disputes()` draws.

    Examples:
        >>> from hypothesis import find
        >>> find(scopes(), lambda s: True) == Scope()
        True
        >>> find(scopes("IN"), lambda s: s.regions is not None).regions
        frozenset({'IN-JK'})
    """
    if jurisdiction is not None and (
        not isinstance(jurisdiction, str) or jurisdiction not in _REGIONS
    ):
        msg = f"scopes(jurisdiction=...) takes one of {sorted(_REGIONS)}, got {jurisdiction!r:.40}"
        raise InvalidValue(msg)
    codes = (
        _REGIONS[jurisdiction]
        if jurisdiction is not None
        else tuple(c for cs in _REGIONS.values() for c in cs)
    )
    networks = st.sampled_from((NETWORKS, frozenset({"mobile"}), frozenset({"fixed"})))
    services = st.none() | st.frozensets(st.sampled_from(_SERVICES), min_size=1, max_size=3)
    regions = st.none() | st.frozensets(st.sampled_from((*codes, *_PLACES)), min_size=1, max_size=2)
    operators = st.none() | st.frozensets(st.sampled_from(_OPERATORS), min_size=1, max_size=2)
    return st.builds(
        Scope, networks=networks, services=services, regions=regions, operators=operators
    )


def windows() -> st.SearchStrategy[Window]:
    """Recurring windows: every day or on some days, wrapping past midnight or not.

    Their edges are in the small hours where clocks change for DST, and at midnight.

    Examples:
        >>> from hypothesis import find
        >>> str(find(windows(), lambda w: True))
        '00:00-00:00 every day'
        >>> find(windows(), lambda w: w.wraps and w.days is not None).wraps
        True
    """
    days = st.none() | st.frozensets(
        dates(_dt.date(2008, 1, 1), _dt.date(2024, 12, 31)), min_size=1, max_size=3
    )
    clock = st.sampled_from(_CLOCKS)
    return st.builds(Window, start=clock, end=clock, days=days)


def _words() -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(_WORDS), max_size=4).map(" ".join)


def _ids() -> st.SearchStrategy[str]:
    return st.text("abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=1, max_size=10)


def _common() -> dict[str, st.SearchStrategy[Any]]:
    return {
        "at": moments(),
        "id": _ids(),
        "source": st.none() | st.just("https://example.org/report"),
        "note": st.none() | _words(),
    }


def events(kinds: Sequence[type[Event]] | None = None) -> st.SearchStrategy[Event]:
    """Single well-formed events of the given kinds (every fact by default).

    Each is a valid value; whether a timeline accepts it depends on that timeline (a
    `DeadlineMet` needs its deadline). Use `timelines` for valid histories. Corrections
    (`EventRetracted`, `EventCorrected`, whose replacement is any fact) come only when
    named in `kinds`.

    Raises:
        InvalidValue: `kinds` names something that is not an event class.

    Examples:
        >>> from hypothesis import find
        >>> find(events([Statement]), lambda e: True).kind
        'statement'
        >>> fixed = find(events([EventCorrected]), lambda e: True)
        >>> fixed.replacement.id == fixed.event
        True
    """
    chosen = _kinds(kinds, EVENT_TYPES)
    unknown = [k for k in chosen if k not in (*EVENT_TYPES, EventRetracted, EventCorrected)]
    if unknown or not chosen:
        msg = f"events() takes event classes, such as [Statement], got {unknown or kinds!r:.80}"
        raise InvalidValue(msg)
    common = _common()
    later = st.one_of(st.none(), moments())
    categories = st.frozensets(st.sampled_from(_CATEGORIES), max_size=3)
    consequence = st.none() | st.sampled_from(Consequence)
    _by = st.sampled_from(("court", "Roskomnadzor", "ministry"))
    _stores = st.frozensets(st.sampled_from(_STORES), min_size=1, max_size=2)
    fields: dict[type[Event], dict[str, st.SearchStrategy[Any]]] = {
        WarningIssued: {
            "categories": categories,
            "items": st.integers(0, 5000),
            "text": _words(),
            "due": later,
            "consequence": consequence,
        },
        DeadlineSet: {"due": later, "demand": _words(), "consequence": consequence},
        DeadlineExtended: {"deadline": _ids(), "by": durations()},
        DeadlineMet: {"deadline": _ids()},
        DeadlineWithdrawn: {"deadline": _ids()},
        ThrottleImposed: {
            "scope": scopes(),
            "rate": st.none() | st.just("50%"),
            "ends": later,
            "enforces": st.none() | _ids(),
            "window": st.none() | windows(),
            "by": st.none() | _by,
        },
        ThrottleLifted: {
            "throttle": st.none() | _ids(),
            "scope": st.none() | scopes(),
            "by": st.none() | _by,
        },
        BlockImposed: {
            "scope": scopes(),
            "ends": later,
            "enforces": st.none() | _ids(),
            "window": st.none() | windows(),
            "by": st.none() | _by,
        },
        BlockLifted: {
            "block": st.none() | _ids(),
            "scope": st.none() | scopes(),
            "by": st.none() | _by,
        },
        DelistingImposed: {
            "scope": scopes(),
            "stores": st.none() | _stores,
            "ends": later,
            "enforces": st.none() | _ids(),
            "by": st.none() | _by,
        },
        DelistingLifted: {
            "delisting": st.none() | _ids(),
            "scope": st.none() | scopes(),
            "stores": st.none() | _stores,
            "by": st.none() | _by,
        },
        TakedownRequested: {
            "items": st.integers(0, 5000),
            "categories": categories,
            "sla": st.none() | st.just("PT24H"),
        },
        ContentRemoved: {"items": st.integers(0, 5000), "request": st.none() | _ids()},
        FineImposed: {
            "amount": st.decimals(min_value=1, max_value=10**9, places=2),
            "currency": st.sampled_from(("RUB", "EUR", "USD", "TRY")),
            "by": st.sampled_from(("court", "regulator")),
            "per": st.none() | st.sampled_from(_FINE_PERIODS),
        },
        FinePaid: {
            "fine": _ids(),
            "amount": st.decimals(min_value=1, max_value=10**9, places=2),
            "currency": st.sampled_from(("RUB", "EUR", "USD", "TRY")),
        },
        FineCancelled: {"fine": _ids(), "by": st.sampled_from(("appeal court", "regulator"))},
        Statement: {"by": st.sampled_from(("Twitter", "Roskomnadzor")), "text": _words()},
        EventRetracted: {"event": _ids(), "reason": _words()},
    }
    built = {kind: st.builds(kind, **common, **fields[kind]) for kind in fields}
    # a correction's replacement keeps the id of the event it corrects
    built[EventCorrected] = st.builds(
        lambda given, replacement, reason: EventCorrected(
            **given, event=replacement.id, replacement=replacement, reason=reason
        ),
        st.fixed_dictionaries(common),
        st.one_of(*(built[kind] for kind in EVENT_TYPES)),
        _words(),
    )
    return st.one_of(*(built[kind] for kind in chosen))


# --- valid timelines -----------------------------------------------------------------------

_GAPS: Final = (
    0,  # the same instant
    60 * 10**6,
    3_600 * 10**6,
    6 * 3_600 * 10**6,
    86_400 * 10**6,
    3 * 86_400 * 10**6,
    20 * 86_400 * 10**6,
    90 * 86_400 * 10**6,
)


_BOOL: Final = st.booleans()
_GAP: Final = st.sampled_from(_GAPS)
_EXTRA_GAP: Final = st.integers(0, 3_600 * 10**6)
_DAYS: Final = st.integers(0, 60)
_HOURS: Final = st.integers(1, 23)
_EXTENSION_DAYS: Final = st.integers(1, 40)
_ITEMS: Final = st.integers(0, 3000)
_CATEGORY_SETS: Final = st.frozensets(st.sampled_from(_CATEGORIES), max_size=2)
_CONSEQUENCES: Final = st.none() | st.sampled_from(Consequence)
_RATES: Final = st.none() | st.just("50%")
_SLAS: Final = st.none() | st.just("PT24H")
_AMOUNTS: Final = st.decimals(min_value=1, max_value=10**7, places=0)
_WORDS_TEXT: Final = _words()
_DURATIONS: Final = durations()
_SCOPES: Final = {country: scopes(country) for country in _REGIONS}
_ANY_SCOPES: Final = scopes()
_WINDOWS: Final = windows()
_WINDOWED: Final = st.integers(0, 4)
_NEAR_DAYS: Final = st.integers(0, 4)
_OPEN_DEMAND: Final = st.integers(0, 3)
#: One time in eight, a whole day drawn for `at`, `due` or `ends` is written imprecisely
#: (in one of six forms, 0 to 5; 6 and over: precise).
_FORMS: Final = 6
_CYCLE: Final = 48


def _imprecise_from(day: _dt.date, form: int, *, earliest: bool) -> Imprecise | None:
    """An imprecise time whose earliest (or latest) day is `day`, in one of a few forms."""
    shift = {0: 3, 1: 3, 2: 6}.get(form)
    if shift is not None:  # approximate, uncertain, both: centred `shift` days away
        centre = day + _dt.timedelta(days=shift if earliest else -shift)
        text = centre.isoformat() + "~?%"[form]
    elif form == 3:
        text = day.isoformat()[:7]
    elif form == 4:
        text = day.isoformat()[:7] + "-XX"
    else:  # a month, approximate
        month = _dt.date(day.year, day.month, 1)
        text = (month + _dt.timedelta(days=40 if earliest else -1)).isoformat()[:7] + "~"
    try:
        value = imprecise(text)
    except RegTimelineError:
        return None  # past the years 1 to 9999
    return value if (value.earliest if earliest else value.latest) == day else None


_FINE_PERIODS: Final = ("P1D", "PT24H", "P1M", "PT1H")
_CENT: Final = decimal.Decimal("0.01")
_FINAL: Final = frozenset(
    {DeadlineState.MET, DeadlineState.WITHDRAWN}
)  # one restriction in five gets a window
_STORE_SETS: Final = st.none() | st.frozensets(st.sampled_from(_STORES), min_size=1, max_size=2)
_BYS: Final = st.none() | st.sampled_from(("court", "regulator"))
_DISPUTES: Final = disputes()
_FIRST_DAYS: Final = dates(_dt.date(2008, 1, 1), _dt.date(2023, 12, 31))


@functools.lru_cache(maxsize=512)
def _index(size: int) -> st.SearchStrategy[int]:
    return st.integers(0, size - 1)


class _Next:
    """What drawing one valid event needs to know: the state at its instant."""

    def __init__(self, draw: st.DrawFn, timeline: Timeline, key: int, at: Moment) -> None:
        self.draw = draw
        self.timeline = timeline
        self.zone = timeline.dispute.zone
        self.scopes = _SCOPES.get(timeline.dispute.jurisdiction, _ANY_SCOPES)
        self.key = key
        self.local = self.zone.to_datetime(key)
        self.status = timeline.status_at(self.local)
        self.open = self.status.deadlines.open()
        # fines with something owed (a payment takes at most that)
        self.owed = [f for f in self.status.fine_states if f.owed > 0]
        # what DeadlineMet, DeadlineWithdrawn and `enforces` may name: open or ENFORCED
        self.closable = [d for d in self.status.deadlines if d.state not in _FINAL]
        # requests with items still to remove (a removal under one takes at most those)
        self.requests = [r for r in self.status.takedowns if r.outstanding]
        self.at = at
        self.number = len(timeline) + 1

    def possible(self, kind: type[Event]) -> bool:
        if kind is DeadlineExtended:
            return bool(self.open)
        if kind in (DeadlineMet, DeadlineWithdrawn):
            return bool(self.closable)
        if kind is ThrottleLifted:
            return bool(self.status.throttles)
        if kind is BlockLifted:
            return bool(self.status.blocks)
        if kind is DelistingLifted:
            return bool(self.status.delistings)
        if kind is FinePaid:
            return bool(self.owed)
        if kind is FineCancelled:
            return any(not f.cancelled for f in self.status.fine_states)
        return True

    def accepted(self, event: Event) -> bool:
        """Whether the timeline takes `event` (for restrictions that may overlap others)."""
        try:
            self.timeline.append(event)
        except InvalidTransition:
            return False
        return True

    def base(self, kind: type[Event]) -> dict[str, Any]:
        return {"at": self.at, "id": f"{kind.kind.split('_')[0]}-{self.number}"}

    def after(self) -> Moment:
        """A due or ends moment strictly after the event: a day or an instant."""
        days = self.draw(_DAYS)
        if self.draw(_BOOL):
            day = self.local.date().add(days=days)
            if self.zone.day_end(day) > self.key:
                return pendulum.Date(day.year, day.month, day.day)
        span = (days * 24 + self.draw(_HOURS)) * 3_600 * 10**6
        return self.zone.to_datetime(self.key + span)

    def pick(self, options: Sequence[T]) -> T:
        """One of `options` (shrinks to the first)."""
        return options[self.draw(_index(len(options)))]

    def maybe_pick(self, options: Sequence[T]) -> T | None:
        """None, or one of `options` (None when there are none)."""
        if not options or not self.draw(_BOOL):
            return None
        return self.pick(options)

    def window(self) -> Window:
        """A window: every day, or on days near this event (where queries land)."""
        window = self.draw(_WINDOWS)
        if window.days is None or not self.draw(_BOOL):
            return window
        today = self.local.date()
        days = {today.add(days=self.draw(_NEAR_DAYS)) for _ in range(self.draw(_index(3)) + 1)}
        return Window(start=window.start, end=window.end, days=days)

    def maybe_after(self) -> Moment | None:
        return self.after() if self.draw(_BOOL) else None

    def enforces(self) -> str | None:
        if not self.closable:
            return None
        return self.maybe_pick([d.id for d in self.closable])


def _warning(n: _Next) -> Event:
    return WarningIssued(
        **n.base(WarningIssued),
        categories=n.draw(_CATEGORY_SETS),
        items=n.draw(_ITEMS),
        due=n.maybe_after(),
        consequence=n.draw(_CONSEQUENCES),
    )


def _deadline_set(n: _Next) -> Event:
    due = None if n.draw(_OPEN_DEMAND) == 0 else n.after()  # one in four: an open demand
    return DeadlineSet(**n.base(DeadlineSet), due=due, demand=n.draw(_WORDS_TEXT))


def _deadline_extended(n: _Next) -> Event:
    deadline = n.pick(n.open)
    if n.draw(_BOOL):
        by = n.draw(_DURATIONS)
        return DeadlineExtended(**n.base(DeadlineExtended), deadline=deadline.id, by=by)
    if deadline.due is None:  # an open demand gets its first due date
        return DeadlineExtended(**n.base(DeadlineExtended), deadline=deadline.id, due=n.after())
    due = deadline.due.add(days=n.draw(_EXTENSION_DAYS))
    day = pendulum.Date(due.year, due.month, due.day)
    return DeadlineExtended(**n.base(DeadlineExtended), deadline=deadline.id, due=day)


def _closing(kind: type[DeadlineMet | DeadlineWithdrawn]) -> Any:
    def build(n: _Next) -> Event:
        return kind(**n.base(kind), deadline=n.pick(n.closable).id)

    return build


def _imposed(kind: type[ThrottleImposed | BlockImposed | DelistingImposed]) -> Any:
    def build(n: _Next) -> Event:
        fields: dict[str, Any] = {
            "scope": n.draw(n.scopes),
            "ends": n.maybe_after(),
            "enforces": n.enforces(),
            "by": n.draw(_BYS),
        }
        if kind is ThrottleImposed:
            fields["rate"] = n.draw(_RATES)
        if kind is DelistingImposed:
            fields["stores"] = n.draw(_STORE_SETS)
        elif n.draw(_WINDOWED) == 0:
            fields["window"] = n.window()
        event = kind(**n.base(kind), **fields)
        if n.accepted(event):
            return event
        # it overlaps an active block (or delisting): a window conflicts with nothing
        if kind is not DelistingImposed:
            return kind(**n.base(kind), **{**fields, "window": n.window()})
        return Statement(**n.base(Statement), by="Roskomnadzor", text="no room")

    return build


def _values_in(box: Box, dimension: int) -> list[str]:
    """Values that some point of `box` has in `dimension` (a sample for open ones)."""
    name = ("networks", "services", "regions", "operators")[dimension]
    named = getattr(box, name)
    if named is not None:
        return sorted(named)
    left_out = getattr(box, f"{name}_except")
    pool = {1: _SERVICES, 2: (*_PLACES, "Elsewhere"), 3: _OPERATORS}[dimension]
    return [v for v in pool if v not in left_out]


def _lifted(kind: type[ThrottleLifted | BlockLifted | DelistingLifted]) -> Any:
    word = {ThrottleLifted: "throttle", BlockLifted: "block", DelistingLifted: "delisting"}[kind]

    def build(n: _Next) -> Event:
        active: Sequence[Throttle | Block | Delisting]
        if kind is ThrottleLifted:
            active = n.status.throttles
        elif kind is BlockLifted:
            active = n.status.blocks
        else:
            active = n.status.delistings
        target = active[n.draw(_index(len(active)))]
        named = n.draw(_BOOL)
        fields: dict[str, Any] = {word: target.id if named else None, "by": n.draw(_BYS)}
        if n.draw(_BOOL):  # a partial lift: one value that some part of it has
            box = n.pick(target.scope.boxes)
            dimension = n.draw(_index(4))
            values = _values_in(box, dimension)
            if values:
                name = ("networks", "services", "regions", "operators")[dimension]
                fields["scope"] = Scope(**{name: {n.pick(values)}})
        if kind is DelistingLifted and n.draw(_BOOL):
            assert isinstance(target, Delisting)
            part = n.pick(target.parts)
            stores = (
                sorted(part.stores)
                if part.stores is not None
                else [s for s in _STORES if s not in part.stores_except]
            )
            if stores:
                fields["stores"] = {n.pick(stores)}
        event = kind(**n.base(kind), **fields)
        if n.accepted(event):
            return event
        whole: dict[str, Any] = {word: target.id}
        return kind(**n.base(kind), **whole)  # the whole of it

    return build


def _takedown(n: _Next) -> Event:
    return TakedownRequested(
        **n.base(TakedownRequested),
        items=n.draw(_ITEMS),
        sla=n.draw(_SLAS),
    )


def _removed(n: _Next) -> Event:
    request = n.maybe_pick(n.requests)
    if request is None:
        return ContentRemoved(**n.base(ContentRemoved), items=n.draw(_ITEMS))
    # all of what is outstanding, or part of it
    items = request.outstanding if n.draw(_BOOL) else n.draw(_index(request.outstanding + 1))
    return ContentRemoved(**n.base(ContentRemoved), items=items, request=request.id)


def _fine(n: _Next) -> Event:
    if n.draw(_BOOL):  # one-off
        return FineImposed(
            **n.base(FineImposed),
            amount=n.draw(_AMOUNTS),
            currency=n.pick(("RUB", "EUR")),
            by="court",
        )
    return FineImposed(  # accruing: daily, monthly, hourly; until a date, or a deadline
        **n.base(FineImposed),
        amount=n.draw(_AMOUNTS),
        currency=n.pick(("RUB", "EUR")),
        by="court",
        per=n.pick(_FINE_PERIODS),
        until=n.maybe_after(),
        deadline=n.maybe_pick([d.id for d in n.open]),
    )


def _fine_paid(n: _Next) -> Event:
    fine = n.pick(n.owed)
    part = fine.owed if n.draw(_BOOL) else max(fine.owed / 2, _CENT).quantize(_CENT)
    amount = min(part, fine.owed)
    return FinePaid(**n.base(FinePaid), fine=fine.id, amount=amount, currency=fine.currency)


def _fine_cancelled(n: _Next) -> Event:
    fine = n.pick([f for f in n.status.fine_states if not f.cancelled])
    return FineCancelled(**n.base(FineCancelled), fine=fine.id, by="appeal court")


def _statement(n: _Next) -> Event:
    return Statement(**n.base(Statement), by="Roskomnadzor", text=n.draw(_WORDS_TEXT))


_BUILDERS: Final[dict[type[Event], Any]] = {
    WarningIssued: _warning,
    DeadlineSet: _deadline_set,
    DeadlineExtended: _deadline_extended,
    DeadlineMet: _closing(DeadlineMet),
    DeadlineWithdrawn: _closing(DeadlineWithdrawn),
    ThrottleImposed: _imposed(ThrottleImposed),
    ThrottleLifted: _lifted(ThrottleLifted),
    BlockImposed: _imposed(BlockImposed),
    BlockLifted: _lifted(BlockLifted),
    DelistingImposed: _imposed(DelistingImposed),
    DelistingLifted: _lifted(DelistingLifted),
    TakedownRequested: _takedown,
    ContentRemoved: _removed,
    FineImposed: _fine,
    FinePaid: _fine_paid,
    FineCancelled: _fine_cancelled,
    Statement: _statement,
}


@st.composite
def _next_event(
    draw: st.DrawFn, timeline: Timeline, cursor: int, kinds: Sequence[type[Event]]
) -> tuple[Event, int]:
    """An event at or after `cursor` that `timeline` accepts, and its key."""
    z = timeline.dispute.zone
    gap = draw(_GAP)
    if gap and draw(_BOOL):
        gap += draw(_EXTRA_GAP)
    key = cursor + gap
    local = z.to_datetime(key)
    at: Moment = local
    day_start = z.day_start(local.date())
    whole_day = key == day_start or (gap >= 86_400 * 10**6 and draw(_BOOL))
    if whole_day and day_start >= cursor:  # a day that began before the cursor won't do
        at, key = pendulum.Date(local.year, local.month, local.day), day_start
    n = _Next(draw, timeline, key, at)
    possible = [k for k in kinds if n.possible(k)] or [Statement]
    event = _BUILDERS[n.pick(possible)](n)
    # one event in eight (by its day and place, not by a draw of its own: an extra choice
    # per event would make counterexamples shrink less well)
    form = (local.date().toordinal() * 31 + len(timeline)) % _CYCLE
    return (event if form >= _FORMS else _vaguer(event, form)), key


def _vaguer(event: Event, form: int) -> Event:
    """`event` with its whole-day `at`, `due` and `ends` written imprecisely.

    Each keeps its earliest (`at`) or latest (`due`, `ends`) day: the same instants for the
    fold, so the timeline takes it as it took the precise one.
    """
    changes: dict[str, Any] = {}
    for name in ("at", "due", "ends"):
        value = getattr(event, name, None)
        if type(value) is pendulum.Date:
            vague = _imprecise_from(value, form, earliest=name == "at")
            if vague is not None:
                changes[name] = vague
    return attrs.evolve(event, **changes) if changes else event


@st.composite
def timelines(
    draw: st.DrawFn,
    dispute: Dispute | None = None,
    min_size: int = 0,
    max_size: int = 20,
    kinds: Sequence[type[Event]] | None = None,
) -> Timeline:
    """Valid timelines: every event is accepted, in the order drawn.

    They reach every kind, phase and deadline state: same-instant events, whole days and
    exact instants, deadlines extended several times and left overdue, throttles partly
    lifted, blocks that run out by `ends`, in zones with DST changes. Shrinks towards fewer
    events, earlier kinds of the rules table and shorter gaps.

    Args:
        draw: supplied by Hypothesis.
        dispute: the dispute (default: drawn from `disputes()`).
        min_size: fewest events.
        max_size: most events.
        kinds: the event kinds to draw from (default: all).

    Examples:
        >>> from hypothesis import find
        >>> len(find(timelines(), lambda t: len(t) >= 2))
        2
    """
    chosen = _kinds(kinds, EVENT_TYPES)
    if not chosen or any(kind not in EVENT_TYPES for kind in chosen):
        msg = f"timelines(kinds=...) takes fact classes, such as [Statement], got {kinds!r:.80}"
        raise InvalidValue(msg)
    if dispute is not None and not isinstance(dispute, Dispute):
        msg = f"timelines(dispute=...) takes a Dispute, got {dispute!r:.80}"
        raise InvalidValue(msg)
    the_dispute = draw(_DISPUTES) if dispute is None else dispute
    timeline = Timeline(the_dispute)
    first = draw(_FIRST_DAYS)
    cursor = the_dispute.zone.day_start(first)
    size = draw(st.integers(min_size, max_size))
    for _ in range(size):
        # one strategy (one span of choices) per event, so that the shrinker can drop events
        event, cursor = draw(_next_event(timeline, cursor, chosen))
        timeline = timeline.append(event)
    return timeline


def _timeline_argument(value: object, where: str) -> Timeline:
    if not isinstance(value, Timeline):
        msg = f"{where} takes a Timeline, got {value!r:.80}"
        raise InvalidValue(msg)
    return value


#: How long after an event happened the record learns it: at once, hours, days.
_DELAYS: Final = st.sampled_from((0, 3_600 * 10**6, 86_400 * 10**6, 3 * 86_400 * 10**6))
#: How long after the last entry a correction is recorded.
_LATER: Final = st.sampled_from((3_600 * 10**6, 86_400 * 10**6, 30 * 86_400 * 10**6))
#: How far a correction moves an event, in seconds (either way, up to a day).
_SHIFTS: Final = st.integers(-86_400, 86_400)


@st.composite
def archives(
    draw: st.DrawFn,
    min_size: int = 0,
    max_size: int = 5,
    max_events: int = 10,
    *,
    recorded: bool = False,
) -> Archive:
    """Archives of disputes with distinct ids, each timeline drawn by `timelines`.

    Disputes share jurisdictions, platforms and regulators (so that filters keep some and
    leave others); their timelines start anywhere from 2008 to 2023. Shrinks towards fewer
    disputes and fewer events.

    Args:
        draw: supplied by Hypothesis.
        min_size: fewest disputes.
        max_size: most disputes.
        max_events: most events per dispute.
        recorded: draw `recorded_timelines` (with recorded times and corrections, to query
            ``as_of``) instead.

    Examples:
        >>> from hypothesis import find
        >>> len(find(archives(), lambda a: len(a) >= 2))
        2
    """
    chosen = draw(
        st.lists(_DISPUTES, min_size=min_size, max_size=max_size, unique_by=lambda d: d.id)
    )
    if recorded:
        return Archive(draw(recorded_timelines(dispute=d, max_size=max_events)) for d in chosen)
    return Archive(draw(timelines(dispute=d, max_size=max_events)) for d in chosen)


@st.composite
def recorded_timelines(
    draw: st.DrawFn,
    dispute: Dispute | None = None,
    max_size: int = 10,
    max_corrections: int = 3,
) -> Timeline:
    """Valid timelines with a record to query as of earlier times, corrections included.

    Each event is recorded when it happened or some hours or days later (recorded time
    never goes back), one append each; then up to `max_corrections` retractions and
    corrections (moving an event by up to a day either way) are recorded later still. A
    correction the record would refuse (it would break the history) is left out. Shrinks
    towards fewer corrections, fewer events and no delays.

    Args:
        draw: supplied by Hypothesis.
        dispute: the dispute (default: drawn from `disputes()`).
        max_size: most events (facts) before the corrections.
        max_corrections: most corrections.

    Examples:
        >>> from hypothesis import find
        >>> from regtimeline import EventCorrected
        >>> t = find(recorded_timelines(), lambda t: any(
        ...     isinstance(e.event, EventCorrected) for e in t.entries))
        >>> first = t.entries[0].recorded_at
        >>> len(t.as_of(first).entries) < len(t.entries)
        True
    """
    facts = draw(timelines(dispute=dispute, max_size=max_size))
    zone = facts.dispute.zone
    record = Timeline(facts.dispute)
    clock = MIN_KEY
    for event in facts.events:  # in time order: each append extends the record at its end
        clock = max(clock, zone.key(event.at) + draw(_DELAYS))
        record = record.append(event, recorded_at=zone.to_datetime(clock))
    for n in range(draw(st.integers(0, max_corrections))):
        if not record.events:
            break
        target = draw(st.sampled_from(record.events))
        clock += draw(_LATER)
        issued = zone.to_datetime(clock)
        correction: Event
        if draw(_BOOL):
            correction = EventRetracted(at=issued, id=f"retraction-{n}", event=target.id)
        else:
            moved_to = zone.to_datetime(zone.key(target.at) + draw(_SHIFTS) * 10**6)
            correction = EventCorrected(
                at=issued,
                id=f"correction-{n}",
                event=target.id,
                replacement=attrs.evolve(target, at=moved_to),
            )
        try:
            record = record.append(correction, recorded_at=issued)
        except RegTimelineError:
            continue  # the record refuses it (it would break the history): left out
    return record


_Refusal = tuple[Event, type[RegTimelineError]]
_LIFT_OF: Final[dict[type[Event], tuple[type[Event], str]]] = {
    ThrottleImposed: (ThrottleLifted, "throttle"),
    BlockImposed: (BlockLifted, "block"),
    DelistingImposed: (DelistingLifted, "delisting"),
}


def _restriction_refusals(
    timeline: Timeline, status: Status, fresh: Callable[[str], str]
) -> list[_Refusal]:
    """Appends at `status.at` that the rules of restrictions refuse, with their errors."""
    at = status.at
    missing = fresh("no-such-id")
    options: list[_Refusal] = []
    for lift, field in _LIFT_OF.values():
        options.append((lift(at=at, id=fresh("invalid-ref"), **{field: missing}), UnknownReference))
    for active, lift in (
        (status.throttles, ThrottleLifted),
        (status.blocks, BlockLifted),
        (status.delistings, DelistingLifted),
    ):
        if not active:  # a lift without an id that overlaps nothing
            options.append((lift(at=at, id=fresh("invalid-lift")), InvalidTransition))
    other = next(
        c
        for country, cs in _REGIONS.items()
        if country != timeline.dispute.jurisdiction
        for c in cs
    )
    region = Scope(regions={other})
    options.append((BlockImposed(at=at, id=fresh("invalid-region"), scope=region), InvalidValue))
    for block in status.blocks:
        if block.window is None:  # a second block, or a throttle, on the same points
            options.extend(
                (imposed(at=at, id=fresh("invalid-overlap"), scope=block.scope), InvalidTransition)
                for imposed in (BlockImposed, ThrottleImposed)
            )
    return options + _more_refusals(timeline, status, fresh)


def _more_refusals(
    timeline: Timeline, status: Status, fresh: Callable[[str], str]
) -> list[_Refusal]:
    """`_restriction_refusals`, continued: delistings, typos, restrictions no longer active."""
    at = status.at
    options: list[_Refusal] = []
    for delisting in status.delistings:
        part = delisting.parts[0]
        if part.stores is not None:
            again = DelistingImposed(
                at=at, id=fresh("invalid-delisting"), scope=part.scope, stores=part.stores
            )
            options.append((again, InvalidTransition))
    for throttle in status.throttles:
        gone = NETWORKS - throttle.scope.names(0)
        if gone:  # a partial lift naming a network no part of it has (the typo guard)
            typo = Scope(networks=gone)
            options.append(
                (
                    ThrottleLifted(
                        at=at, id=fresh("invalid-typo"), throttle=throttle.id, scope=typo
                    ),
                    InvalidTransition,
                )
            )
            break
    active_ids = {t.id for t in status.throttles} | {b.id for b in status.blocks}
    active_ids |= {d.id for d in status.delistings}
    for event in timeline.events:
        if type(event) in _LIFT_OF and event.id not in active_ids:
            lift, field = _LIFT_OF[type(event)]
            options.append(
                (lift(at=at, id=fresh("invalid-gone"), **{field: event.id}), InvalidTransition)
            )
            break
    return options


@st.composite
def invalid_appends(draw: st.DrawFn, timeline: Timeline) -> tuple[Event, type[RegTimelineError]]:
    """An event that `timeline` must refuse, with the error class it must raise.

    Examples:
        >>> from hypothesis import find
        >>> from regtimeline import Dispute
        >>> empty = Timeline(Dispute(id="d", regulator="r", platform="p",
        ...                          jurisdiction="RU", timezone="UTC"))
        >>> event, error = find(invalid_appends(empty), lambda pair: True)
        >>> error.__name__
        'UnknownReference'
    """
    z = _timeline_argument(timeline, "invalid_appends").dispute.zone
    last = max((z.key(e.at) for e in timeline.events), default=z.day_start(_FIRST_DAY))
    key = last + draw(st.sampled_from(_GAPS[1:]))
    at = z.to_datetime(key)
    status = timeline.status_at(at)
    taken = {e.id for e in timeline.events}

    def fresh(name: str) -> str:
        while name in taken:
            name += "'"
        return name

    missing = fresh("no-such-id")
    options: list[tuple[Event, type[RegTimelineError]]] = [
        (DeadlineMet(at=at, id=fresh("invalid-met"), deadline=missing), UnknownReference),
        (
            DeadlineSet(at=at, id=fresh("invalid-due"), due=z.to_datetime(key - 1)),
            InvalidTransition,
        ),
        (
            ContentRemoved(at=at, id=fresh("invalid-removal"), items=1, request=missing),
            UnknownReference,
        ),
    ]
    options.append(
        (
            ThrottleImposed(at=at, id=fresh("invalid-ends"), ends=z.to_datetime(key)),
            InvalidTransition,
        )
    )
    options += _restriction_refusals(timeline, status, fresh)
    for request in status.takedowns:  # removing more than a request has outstanding
        too_many = ContentRemoved(
            at=at, id=fresh("invalid-too-many"), items=request.outstanding + 1, request=request.id
        )
        options.append((too_many, InvalidTransition))
        break
    closed = [d for d in status.deadlines if d.state in _FINAL]
    if closed:
        options.append(
            (
                DeadlineMet(at=at, id=fresh("invalid-closed"), deadline=closed[0].id),
                InvalidTransition,
            )
        )
    if timeline.events:
        again = draw(st.sampled_from(timeline.events)).id
        options.append((Statement(at=at, id=again, by="x", text="again"), DuplicateEvent))
    return draw(st.sampled_from(options))


def boundaries(timeline: Timeline, window_days: int = 8) -> list[int]:
    """The keys where something may change, sorted.

    Event times, due dates, ends, the first and last instant of imprecise times, and the
    edges of recurring windows.

    Due dates are taken as given and as extended. Window edges are those of the first
    `window_days` local days of each window (DST gaps and folds included). Query at these and
    one microsecond around them: that is where an off-by-one hides.
    """
    z = _timeline_argument(timeline, "boundaries").dispute.zone
    keys = {z.key(e.at) for e in timeline.events}
    for event in timeline.events:
        for name in ("at", "due", "ends"):
            value = getattr(event, name, None)
            if value is not None and (name != "at" or isinstance(value, Imprecise)):
                keys.add(z.key(value, end=True))
            if isinstance(value, Imprecise):
                keys.add(z.key(value))
    if timeline.events:
        for deadline in timeline.status_at(z.to_datetime(max(keys))).deadlines:
            if deadline.due is not None:
                keys.add(z.key(deadline.due))
    for event in timeline.events:
        window = getattr(event, "window", None)
        if window is not None:
            start = z.key(event.at)
            first = min((z.day_start(d) for d in window.days or ()), default=start)
            lo = max(start, first - 86_400 * 10**6)
            keys.update(window_edges(window, z, lo - 1, lo + window_days * 86_400 * 10**6))
    return sorted(keys)


class TimelineMachine(RuleBasedStateMachine):
    """A state machine that grows a timeline with valid and invalid events and queries it.

    Subclass it and add `@invariant()` or `@rule()` methods of your own, or override the
    hooks `on_valid` and `on_status`; `self.timeline` is the current timeline and
    `self.refused` counts refused appends. The machine checks that a refused append leaves
    the timeline as it was and raises the promised error.

    Examples:
        >>> from hypothesis import settings
        >>> class Mine(TimelineMachine):
        ...     @invariant()
        ...     def a_block_never_overlaps_a_throttle(self):
        ...         status = self.timeline.status_at(pendulum.now())
        ...         assert not any(
        ...             b.scope.overlaps(t.scope) for b in status.blocks for t in status.throttles
        ...             if b.window is None and t.window is None)
        >>> Mine.TestCase.settings = settings(max_examples=5, stateful_step_count=5)
        >>> Mine.TestCase().runTest()
    """

    timeline: Timeline
    cursor: int

    def __init__(self) -> None:
        super().__init__()
        self.refused = 0

    @initialize(dispute=disputes(), first=dates(_dt.date(2008, 1, 1), _dt.date(2023, 12, 31)))
    def start(self, dispute: Dispute, first: pendulum.Date) -> None:
        """Begin with an empty timeline (the first step; invariants run after it)."""
        self.timeline = Timeline(dispute)
        self.cursor = dispute.zone.day_start(first)

    @rule(data=st.data())
    def append_valid(self, data: st.DataObject) -> None:
        """Append an event the timeline must accept."""
        event, self.cursor = data.draw(_next_event(self.timeline, self.cursor, EVENT_TYPES))
        self.on_valid(event)
        self.timeline = self.timeline.append(event)

    @rule(data=st.data())
    def append_invalid(self, data: st.DataObject) -> None:
        """Append an event the timeline must refuse, with the promised error."""
        event, error = data.draw(invalid_appends(self.timeline))
        before = self.timeline
        try:
            self.timeline.append(event)
        except error:
            self.refused += 1
        else:
            msg = f"{event!r} was accepted; expected {error.__name__}"
            raise AssertionError(msg)
        assert self.timeline == before

    @rule(data=st.data())
    def query(self, data: st.DataObject) -> None:
        """Ask the status at an instant near the events, due dates and ends."""
        z = self.timeline.dispute.zone
        key = data.draw(st.integers(self.cursor - 90 * 86_400 * 10**6, self.cursor + 10**12))
        self.on_status(z.to_datetime(key))

    @precondition(lambda self: len(self.timeline) > 0)
    @rule(data=st.data(), offset=st.sampled_from((-1, 0, 1)))
    def query_boundary(self, data: st.DataObject, offset: int) -> None:
        """Ask the status exactly at, or one microsecond around, a time where things change."""
        key = data.draw(st.sampled_from(boundaries(self.timeline)))
        self.on_status(self.timeline.dispute.zone.to_datetime(key + offset))

    def on_valid(self, event: Event) -> None:
        """Hook: called with each valid event before it is appended."""

    def on_status(self, when: pendulum.DateTime) -> None:
        """Hook: called with each instant queried; by default it just asks."""
        self.timeline.status_at(when)

    @invariant()
    def events_and_length_agree(self) -> None:
        """The timeline's events are as many as its length, in time order."""
        z = self.timeline.dispute.zone
        keys = [z.key(e.at) for e in self.timeline.events]
        assert len(keys) == len(self.timeline)
        assert keys == sorted(keys)
