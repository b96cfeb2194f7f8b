"""What a timeline answers: `Status` at an instant, its parts, and `Period`s of history."""

from __future__ import annotations

import datetime
import decimal
import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Protocol, overload

import attrs
import pendulum

from ._enums import Consequence, DeadlineState, Phase, RequestState
from ._events import Event
from ._fields import nfc
from ._scope import REGION_CODE, Box, Scope
from ._window import Window
from .errors import InvalidValue, UnknownReference

__all__ = [
    "Block",
    "Deadline",
    "Deadlines",
    "Delisting",
    "DelistingPart",
    "Extension",
    "FineState",
    "Period",
    "Request",
    "Status",
    "StatusSource",
    "Takedowns",
    "Throttle",
]


@attrs.frozen(kw_only=True)
class Extension:
    """One move of a deadline: by which event, when, from which due to which.

    `previous_due` is None when the extension gave an open demand its first due date.
    """

    id: str
    at: pendulum.DateTime
    previous_due: pendulum.DateTime | None
    due: pendulum.DateTime


@attrs.frozen(kw_only=True)
class Deadline:
    """A deadline as it stands at the status's instant.

    Attributes:
        id: the id of the `DeadlineSet` or `WarningIssued` that opened it.
        state: PENDING, OVERDUE (open), or MET, WITHDRAWN, ENFORCED (closed). An ENFORCED
            deadline may still be MET or WITHDRAWN later (the platform complies after the
            block), or enforced again (escalation).
        due: the current due instant (inclusive: still PENDING at it); None for an open
            demand that has no due date (PENDING, never OVERDUE).
        original_due: the due instant it was opened with (None for an open demand, and it
            stays None after an extension gives it a due date).
        extensions: every `DeadlineExtended` applied so far, oldest first.
        set_at: when it was opened.
        demand: what it demands (the warning's text for a warning's deadline).
        consequence: what is threatened, if known.
        closed_at: when it was met, withdrawn or enforced (None while open).
        closed_by: the id of the event that closed it.
        enforced_by: the ids of every event that enforced it, oldest first (kept when it
            is later met or withdrawn).
    """

    id: str
    state: DeadlineState
    due: pendulum.DateTime | None
    original_due: pendulum.DateTime | None
    extensions: tuple[Extension, ...]
    set_at: pendulum.DateTime
    demand: str
    consequence: Consequence | None
    closed_at: pendulum.DateTime | None
    closed_by: str | None
    enforced_by: tuple[str, ...] = ()

    @property
    def is_open(self) -> bool:
        """Whether it still runs (PENDING or OVERDUE)."""
        return self.state.is_open


@attrs.frozen(kw_only=True)
class Throttle:
    """An active throttle: its id, since when, what it still covers, until when if ordered.

    Attributes:
        id: the id of its `ThrottleImposed`.
        since: when it was imposed.
        scope: what it still covers (after partial lifts and blocks that superseded part).
        rate: how much, in words, if given.
        ends: the last instant it was ordered for (None: until lifted).
        window: its recurring `Window` (in force only inside it), or None.
        by: who ordered it.
    """

    id: str
    since: pendulum.DateTime
    scope: Scope
    rate: str | None
    ends: pendulum.DateTime | None
    window: Window | None = None
    by: str | None = None


@attrs.frozen(kw_only=True)
class Block:
    """An active block: its id, since when, what it still covers, until when if ordered.

    Attributes are those of `Throttle`, without `rate`.
    """

    id: str
    since: pendulum.DateTime
    scope: Scope
    ends: pendulum.DateTime | None
    window: Window | None = None
    by: str | None = None


@attrs.frozen(kw_only=True)
class DelistingPart:
    """Part of a delisting: where, and from which stores.

    `stores` None means every store except `stores_except`.
    """

    scope: Scope
    stores: frozenset[str] | None
    stores_except: frozenset[str] = frozenset()


@attrs.frozen(kw_only=True)
class Delisting:
    """An active delisting: the app is out of some stores somewhere.

    Attributes:
        id: the id of its `DelistingImposed`.
        since: when it was imposed.
        scope: where the app is missing from at least one store.
        stores: the stores it is missing from anywhere (None: every store except
            `stores_except`).
        stores_except: see `stores`.
        ends: the last instant it was ordered for.
        by: who ordered it.
        parts: where it is missing from which stores, when that differs by place (after a
            partial lift); one part otherwise.
    """

    id: str
    since: pendulum.DateTime
    scope: Scope
    stores: frozenset[str] | None
    ends: pendulum.DateTime | None
    by: str | None = None
    stores_except: frozenset[str] = frozenset()
    parts: tuple[DelistingPart, ...] = ()


class Deadlines(Sequence[Deadline]):
    """The deadlines of a status, oldest first, built on first use.

    A status at one instant of a long timeline is answered in microseconds; its deadlines
    (possibly thousands) are only materialised when read. Compares equal to any sequence
    with the same deadlines.

    Examples:
        >>> Deadlines(lambda: ()) == ()
        True
    """

    __slots__ = ("_items", "_make")

    def __init__(self, make: Callable[[], tuple[Deadline, ...]]) -> None:
        self._make: Callable[[], tuple[Deadline, ...]] | None = make
        self._items: tuple[Deadline, ...] = ()

    def _all(self) -> tuple[Deadline, ...]:
        if self._make is not None:
            self._items = self._make()
            self._make = None
        return self._items

    @overload
    def __getitem__(self, index: int) -> Deadline: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Deadline, ...]: ...
    def __getitem__(self, index: int | slice) -> Deadline | tuple[Deadline, ...]:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self) -> Iterator[Deadline]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            return self._all() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._all())

    def __repr__(self) -> str:
        return f"Deadlines({list(self._all())!r})"

    def get(self, deadline_id: str) -> Deadline:
        """The deadline with this id.

        Raises:
            UnknownReference: no deadline with this id had been opened at that time.
        """
        wanted = nfc(deadline_id) if isinstance(deadline_id, str) else deadline_id
        for deadline in self._all():
            if deadline.id == wanted:
                return deadline
        known = ", ".join(repr(d.id) for d in self._all()) or "none"
        msg = f"no deadline {deadline_id!r} at that time (deadlines then: {known})"
        raise UnknownReference(msg)

    def open(self) -> tuple[Deadline, ...]:
        """The deadlines still running: PENDING or OVERDUE."""
        return tuple(d for d in self._all() if d.state.is_open)


class _Cached:
    """`functools.cached_property` without the lock that Python 3.11 takes on every read."""

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn
        self.name = fn.__name__
        self.__doc__ = fn.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.fn(instance)
        return value


if TYPE_CHECKING:
    cached = functools.cached_property
else:
    cached = _Cached

_new: Final = object.__new__


@attrs.frozen(kw_only=True)
class FineState:
    """One fine as it stands at the status's instant.

    Attributes:
        id: the id of its `FineImposed`.
        currency: ISO 4217.
        accrued: what it amounts to by then (the amount, or the amount times the accrual
            instants so far).
        paid: what was paid on it.
        owed: accrued minus paid; 0 once cancelled.
        cancelled: whether a `FineCancelled` annulled it.
    """

    id: str
    currency: str
    accrued: decimal.Decimal
    paid: decimal.Decimal
    owed: decimal.Decimal
    cancelled: bool


@attrs.frozen(kw_only=True)
class Request:
    """One takedown request as it stands at the status's instant.

    Attributes:
        id: the id of its `TakedownRequested`.
        state: PENDING, OVERDUE (items outstanding after its due instant) or DONE.
        at: when it was made.
        sla: the time allowed, as ISO 8601 text, or None.
        due: ``at + sla`` (calendar-aware in the dispute's zone), or None without an SLA.
        requested: items asked for.
        removed: items removed under it so far.
        outstanding: items still to remove.
    """

    id: str
    state: RequestState
    at: pendulum.DateTime
    sla: str | None
    due: pendulum.DateTime | None
    requested: int
    removed: int
    outstanding: int


class TakedownSource(Protocol):
    """What `Takedowns` reads its figures from (the timeline's log)."""

    def takedown_counts(self, i: int) -> tuple[int, int, int, int, int, int, int, int]: ...
    def takedown_overdue(self, i: int, key: int) -> int: ...
    def takedown_median(self, i: int) -> datetime.timedelta | None: ...
    def takedown_requests(self, i: int, key: int) -> tuple[Request, ...]: ...


class Takedowns:
    """Takedown requests and removals at one instant: counts, latency, the SLA.

    Counts are ints; the latency figures are over the items removed under a request (each
    item weighted equally; latency = removal time minus request time) and are None when no
    item was removed under a request; `within_sla` is the share, 0 to 1, of the items
    removed under a request with an SLA that were removed at or before its due instant.
    Mean and median are rounded to the microsecond (half to even).

    Examples:
        >>> from regtimeline import ContentRemoved, Dispute, TakedownRequested, Timeline
        >>> d = Dispute(id="d", regulator="R", platform="P", jurisdiction="RU",
        ...             timezone="Europe/Moscow")
        >>> t = Timeline(d, [
        ...     TakedownRequested(at="2021-03-10T10:00:00+03:00", id="r", items=3, sla="PT24H"),
        ...     ContentRemoved(at="2021-03-11T09:00:00+03:00", id="a", items=2, request="r"),
        ...     ContentRemoved(at="2021-03-14T10:00:00+03:00", id="b", items=1, request="r"),
        ... ])
        >>> tk = t.status_at("2021-03-15").takedowns
        >>> tk.requested, tk.removed, tk.outstanding, tk.latency_max.days, tk.within_sla
        (3, 3, 0, 4, 0.6666666666666666)
        >>> str(tk.latency_median)
        '23:00:00'
    """

    __slots__ = ("__dict__", "_i", "_key", "_source")

    def __init__(self, source: TakedownSource, i: int, key: int) -> None:
        self._source = source
        self._i = i
        self._key = key

    @cached
    def _counts(self) -> tuple[int, int, int, int, int, int, int, int]:
        return self._source.takedown_counts(self._i)

    @property
    def requests(self) -> int:
        """How many requests were made."""
        return self._counts[0]

    @property
    def requested(self) -> int:
        """Items requested, over every request."""
        return self._counts[1]

    @property
    def removed(self) -> int:
        """Items removed, with or without a request."""
        return self._counts[2]

    @property
    def outstanding(self) -> int:
        """Items of requests not yet removed."""
        return self._counts[1] - self._counts[3]

    @cached
    def overdue(self) -> int:
        """Outstanding items of OVERDUE requests."""
        return self._source.takedown_overdue(self._i, self._key)

    @property
    def latency_mean(self) -> datetime.timedelta | None:
        """Mean latency of the items removed under a request."""
        removed, total = self._counts[3], self._counts[4]
        if not removed:
            return None
        whole, rest = divmod(total, removed)  # rounded half to even, in integers
        if 2 * rest > removed or (2 * rest == removed and whole % 2):
            whole += 1
        return datetime.timedelta(microseconds=whole)

    @cached
    def latency_median(self) -> datetime.timedelta | None:
        """Median latency (the mean of the two middle values for an even count)."""
        return self._source.takedown_median(self._i)

    @property
    def latency_max(self) -> datetime.timedelta | None:
        """Longest latency of an item removed under a request."""
        if not self._counts[3]:
            return None
        return datetime.timedelta(microseconds=self._counts[5])

    @property
    def within_sla(self) -> float | None:
        """Share of the items removed under a request with an SLA that met it."""
        with_sla, within = self._counts[6], self._counts[7]
        return None if not with_sla else within / with_sla

    @cached
    def _all(self) -> tuple[Request, ...]:
        return self._source.takedown_requests(self._i, self._key)

    def __iter__(self) -> Iterator[Request]:
        return iter(self._all)

    def __len__(self) -> int:
        return self.requests

    def get(self, request_id: str) -> Request:
        """One request, as it stands.

        Raises:
            UnknownReference: no request with this id had been made by then.
        """
        wanted = nfc(request_id) if isinstance(request_id, str) else request_id
        for request in self._all:
            if request.id == wanted:
                return request
        msg = f"no takedown request {request_id!r} at that time"
        raise UnknownReference(msg)

    def _values(self) -> tuple[object, ...]:
        return (
            self._counts,
            self.overdue,
            self.latency_median,
            self._all,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Takedowns):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._counts)

    def __repr__(self) -> str:
        return (
            f"Takedowns(requests={self.requests}, requested={self.requested}, "
            f"removed={self.removed}, outstanding={self.outstanding}, overdue={self.overdue})"
        )


class StatusSource(Protocol):
    """What a `Status` reads its values from (the timeline's log)."""

    def status_at_key(self, key: int) -> pendulum.DateTime: ...
    def status_phase(self, i: int, key: int) -> Phase: ...
    def status_phase_for(self, i: int, key: int, point: tuple[str | None, ...]) -> Phase: ...
    def status_restrictions(
        self, i: int, key: int, kind: int
    ) -> tuple[Throttle | Block | Delisting, ...]: ...
    def status_block(self, i: int, key: int) -> Block | None: ...
    def status_deadlines(self, i: int, key: int) -> tuple[Deadline, ...]: ...
    def status_counts(self, i: int) -> tuple[int, int, int]: ...
    def status_fines(
        self, i: int, key: int
    ) -> tuple[Mapping[str, decimal.Decimal], Mapping[str, decimal.Decimal]]: ...
    def status_fine_states(self, i: int, key: int) -> tuple[FineState, ...]: ...
    def status_fines_paid(self, i: int) -> Mapping[str, decimal.Decimal]: ...
    def status_last_event(self, i: int) -> Event | None: ...
    def status_uncertain(self, i: int, key: int) -> tuple[Event, ...]: ...
    def status_takedowns(self, i: int, key: int) -> Takedowns: ...


def slice_point(
    caller: str,
    network: str | None = None,
    service: str | None = None,
    region: str | None = None,
    operator: str | None = None,
) -> tuple[str | None, str | None, str | None, str | None]:
    """A slice as a point (None: all of a dimension), its values checked.

    Raises:
        InvalidValue: a value that is not a non-blank string, a network other than mobile or
            fixed, or a code-shaped region not in ISO 3166-2; the message names `caller`.
    """
    point = (network, service, region, operator)
    for what, value in zip(("network", "service", "region", "operator"), point, strict=True):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            msg = f"{caller}: {what} must be a non-blank string or None, got {value!r:.60}"
            raise InvalidValue(msg)
    if network is not None and network not in ("mobile", "fixed"):
        msg = f"{caller}: network must be 'mobile' or 'fixed', got {network!r}"
        raise InvalidValue(msg)
    if region is not None and REGION_CODE.match(region):
        Scope(regions={region})  # a code-shaped typo is refused, as in a scope
    if any(v is not None and not v.isascii() for v in point):
        return tuple(None if v is None else nfc(v) for v in point)  # type: ignore[return-value]
    return point


class Status:
    """The derived state of a dispute at one instant, after every event at or before it.

    A status is immutable. Its phase is found with it; its other values are computed when
    first read and then kept, so that asking for the status at an instant costs a binary
    search and little more, whatever the size of the timeline. Two statuses are equal when
    all their values are.

    Attributes:
        at: the instant, in the dispute's zone (for a day: its last instant).
        phase: CLEAR, WARNED, DELISTED, THROTTLED or BLOCKED.
        deadlines: every deadline opened so far, with its state at `at`, oldest first.
        throttles: the active throttles, with their remaining scope.
        blocks: the active blocks, with their remaining scope.
        delistings: the active delistings.
        block: the first block in force, in the order imposed, or None.
        warnings: how many warnings were issued.
        items_requested: items the regulator asked to take down.
        items_removed: items the platform removed.
        fines: total fines per ISO 4217 currency, accrued to `at`.
        fines_owed: what is owed per currency.
        fines_paid: what was paid per currency.
        last_event: the last event applied (None before the first).
        certain: False when `at` lies inside the span of an imprecise time that matters
            (see `uncertain`): the answer could differ with the facts placed elsewhere in
            their spans.
        uncertain: the events whose imprecise time makes it uncertain, in event order.

    Examples:
        >>> from regtimeline.examples import twitter_russia
        >>> status = twitter_russia().status_at("2021-05-20")
        >>> status.phase.name, [str(t.scope) for t in status.throttles]
        ('THROTTLED', ['photos+videos on mobile'])
    """

    __slots__ = ("__dict__", "_ref", "phase")
    _ref: tuple[StatusSource, int, int]  # where it is found: the source, entry and key
    # (the one value set at once: `status_at` reads it from the log's phase codes, and a
    # slot reads faster than a value kept on first read)
    phase: Phase

    def __init__(self, source: StatusSource, i: int, key: int) -> None:
        object.__setattr__(self, "_ref", (source, i, key))
        object.__setattr__(self, "phase", source.status_phase(i, key))

    @classmethod
    def _at(cls, source: StatusSource, i: int, key: int, phase: Phase) -> Status:
        """`Status(source, i, key)` with its `phase` known, as `status_at` makes it: in one step."""
        status = _new(cls)
        _SET_REF(status, (source, i, key))  # (one slot: a setter call fewer than three)
        _SET_PHASE(status, phase)
        return status

    def __setattr__(self, name: str, value: object) -> None:
        msg = f"a Status is immutable; cannot set {name!r}"
        raise AttributeError(msg)

    @cached
    def at(self) -> pendulum.DateTime:
        """The instant, in the dispute's zone (for a day: its last instant)."""
        source, _, key = self._ref
        return source.status_at_key(key)

    def phase_for(
        self,
        network: str | None = None,
        service: str | None = None,
        region: str | None = None,
        operator: str | None = None,
    ) -> Phase:
        """The phase for one slice: counting only restrictions whose scope overlaps it.

        A dimension not given is all of it; ``phase_for()`` is `phase`. Regions are compared
        as given: a block on ``IN-JK`` does not cover ``"Kashmir Valley"``.

        Raises:
            InvalidValue: a value that is not a non-blank string, or a network other than
                mobile or fixed.

        Examples:
            >>> from regtimeline.examples import twitter_russia
            >>> may = twitter_russia().status_at("2021-05-20")
            >>> may.phase_for(network="fixed").name, may.phase_for(network="mobile").name
            ('WARNED', 'THROTTLED')
        """
        point = slice_point("phase_for", network, service, region, operator)
        source, i, key = self._ref
        return source.status_phase_for(i, key, point)

    @cached
    def throttles(self) -> tuple[Throttle, ...]:
        """The active throttles, with their remaining scope, in the order imposed.

        Active means imposed and neither lifted nor run out; one with a window is active
        between its windows too (see `Window`).
        """
        source, i, key = self._ref
        return source.status_restrictions(i, key, 0)  # type: ignore[return-value]

    @cached
    def blocks(self) -> tuple[Block, ...]:
        """The active blocks, with their remaining scope, in the order imposed."""
        source, i, key = self._ref
        return source.status_restrictions(i, key, 1)  # type: ignore[return-value]

    @cached
    def delistings(self) -> tuple[Delisting, ...]:
        """The active delistings, in the order imposed."""
        source, i, key = self._ref
        return source.status_restrictions(i, key, 2)  # type: ignore[return-value]

    @cached
    def block(self) -> Block | None:
        """The first block in force at `at`, in the order imposed, or None."""
        source, i, key = self._ref
        return source.status_block(i, key)

    @cached
    def deadlines(self) -> Deadlines:
        """Every deadline opened so far, with its state at `at`, oldest first."""
        source, i, key = self._ref
        return Deadlines(functools.partial(source.status_deadlines, i, key))

    @cached
    def _counts(self) -> tuple[int, int, int]:
        source, i, _ = self._ref
        return source.status_counts(i)

    @cached
    def _fines(self) -> tuple[Mapping[str, decimal.Decimal], Mapping[str, decimal.Decimal]]:
        source, i, key = self._ref
        return source.status_fines(i, key)

    @property
    def warnings(self) -> int:
        """How many warnings were issued."""
        return self._counts[0]

    @property
    def items_requested(self) -> int:
        """Items the regulator asked to take down."""
        return self._counts[1]

    @property
    def items_removed(self) -> int:
        """Items the platform removed."""
        return self._counts[2]

    @property
    def fines(self) -> Mapping[str, decimal.Decimal]:
        """Total fines imposed per ISO 4217 currency, accrued to `at`.

        A cancelled fine no longer counts from its cancellation on.
        """
        return self._fines[0]

    @property
    def fines_owed(self) -> Mapping[str, decimal.Decimal]:
        """What is owed per currency: over fines not cancelled, accrued minus paid (>= 0)."""
        return self._fines[1]

    @cached
    def fines_paid(self) -> Mapping[str, decimal.Decimal]:
        """Every payment made so far, per currency (cancelled fines included)."""
        source, i, _ = self._ref
        return source.status_fines_paid(i)

    @cached
    def fine_states(self) -> tuple[FineState, ...]:
        """Each fine imposed so far, in the order imposed: accrued, paid, owed, cancelled."""
        source, i, key = self._ref
        return source.status_fine_states(i, key)

    @cached
    def takedowns(self) -> Takedowns:
        """Takedown requests at `at`: counts, outstanding and overdue items, latency, SLA."""
        source, i, key = self._ref
        return source.status_takedowns(i, key)

    @cached
    def last_event(self) -> Event | None:
        """The last event applied (None before the first)."""
        source, i, _ = self._ref
        return source.status_last_event(i)

    @cached
    def uncertain(self) -> tuple[Event, ...]:
        """The events whose imprecise time spans `at`, in event order.

        An imprecise `at` of any event so far; the imprecise `due` of a deadline still
        PENDING or OVERDUE (the event that gave that due); the imprecise `ends` of an
        active restriction (the event that imposed it). Under the reading (an `at` counts
        from its earliest day, a `due` or `ends` lasts to its latest) the answer is the
        one given; placed elsewhere in their spans these facts could change it.
        """
        source, i, key = self._ref
        return source.status_uncertain(i, key)

    @property
    def certain(self) -> bool:
        """True when no imprecise time spans `at`.

        The answer then holds wherever the facts fall inside their spans.

        Examples:
            >>> from regtimeline import Dispute, ThrottleImposed, Timeline
            >>> d = Dispute(id="in", regulator="MeitY", platform="TikTok", jurisdiction="IN",
            ...             timezone="Asia/Kolkata")
            >>> t = Timeline(d, [ThrottleImposed(at="2021-01~", id="t")])
            >>> t.status_at("2021-01-15").certain, t.status_at("2021-03-01").certain
            (False, True)
        """
        return not self.uncertain

    def _values(self) -> tuple[object, ...]:
        return (
            self.at,
            self.phase,
            tuple(self.deadlines),
            self.throttles,
            self.blocks,
            self.delistings,
            self.block,
            self.warnings,
            self.items_requested,
            self.items_removed,
            frozenset(self.fines.items()),
            frozenset(self.fines_paid.items()),
            self.fine_states,
            self.takedowns,
            self.last_event,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Status):
            return NotImplemented
        if self._ref == other._ref:
            return True
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((self.at, self.phase, self.last_event))

    def __repr__(self) -> str:
        return (
            f"Status(at={self.at.isoformat()}, phase={self.phase.name}, "
            f"throttles={list(self.throttles)!r}, blocks={list(self.blocks)!r}, "
            f"delistings={list(self.delistings)!r}, "
            f"deadlines={len(self.deadlines)}, warnings={self.warnings}, "
            f"items_requested={self.items_requested}, items_removed={self.items_removed}, "
            f"fines={dict(self.fines)!r}, last_event={getattr(self.last_event, 'id', None)!r})"
        )


@attrs.frozen(kw_only=True)
class PeriodColumns:
    """`Timeline.history()` as columns: one tuple per field, one item per period.

    Instants are integers: microseconds since 1970-01-01T00:00:00 UTC (Arrow's and
    Parquet's ``timestamp[us, UTC]``; `Zone.key` makes one from an instant,
    `Zone.to_datetime` the instant from one). For tables of many periods, where a
    `Period` object per row would cost more than the row.

    Attributes:
        start: each period's first instant.
        end: the first instant of the next period; None for the last, still open, one.
        phase: the phase throughout.
        cause: the id of the event that began it; None when time alone did.
        start_span: when `start` comes from an imprecise time, its first and last instant;
            None when it is exact.
        end_span: the same for `end`.
        certain: both boundaries are exact.
    """

    start: tuple[int, ...]
    end: tuple[int | None, ...]
    phase: tuple[Phase, ...]
    cause: tuple[str | None, ...]
    start_span: tuple[tuple[int, int] | None, ...]
    end_span: tuple[tuple[int, int] | None, ...]
    certain: tuple[bool, ...]

    def __len__(self) -> int:
        return len(self.start)


_SET_REF: Final = Status._ref.__set__  # type: ignore[attr-defined]
_SET_PHASE: Final = Status.phase.__set__  # type: ignore[attr-defined]


@attrs.frozen(kw_only=True)
class Period:
    """A span of constant phase: from `start` up to, not including, `end`.

    Attributes:
        start: its first instant, in the dispute's zone.
        end: the first instant of the next period; None for the last, still open, one.
        phase: the phase throughout.
        cause: the id of the event that began it; None when time alone did (a block that
            ran out at its `ends`).
        start_span: when `start` comes from an imprecise time (an event's `at`, or an
            `ends`), the first and last instant it could be; None when it is exact.
        end_span: the same for `end`.
        certain: both boundaries are exact.
    """

    start: pendulum.DateTime
    end: pendulum.DateTime | None
    phase: Phase
    cause: str | None
    start_span: tuple[pendulum.DateTime, pendulum.DateTime] | None = None
    end_span: tuple[pendulum.DateTime, pendulum.DateTime] | None = None

    @property
    def certain(self) -> bool:
        """Both boundaries are exact."""
        return self.start_span is None and self.end_span is None


@attrs.frozen(kw_only=True)
class Spell:
    """A span in which one restriction covered the same thing (see `Timeline.restrictions`).

    Attributes:
        restriction: the restriction as it stood throughout (its `scope` is what remained
            of it then).
        start: the first instant of the spell (its imposition, or the partial lift or
            superseding block that changed what it covers).
        end: the first instant after it (lifted, narrowed, or run out at its `ends`); None
            while it is still active.
    """

    restriction: Throttle | Block | Delisting
    start: pendulum.DateTime
    end: pendulum.DateTime | None

    def pieces(self) -> tuple[tuple[Box, Scope, frozenset[str] | None, frozenset[str]], ...]:
        """What the restriction covers, box by box: (box, its scope, stores, stores_except).

        A delisting whose stores differ by place gives each part's boxes with that part's
        stores (None: every store except `stores_except`); throttles and blocks have None
        and an empty set.

        Examples:
            >>> from regtimeline.examples import twitter_russia
            >>> spell = twitter_russia().restrictions()[1]
            >>> [(sorted(box.networks), stores) for box, _, stores, _ in spell.pieces()]
            [(['mobile'], None)]
        """
        r = self.restriction
        if isinstance(r, Delisting):
            parts = r.parts or (
                DelistingPart(scope=r.scope, stores=r.stores, stores_except=r.stores_except),
            )
            return tuple(
                (box, p.scope, p.stores, p.stores_except) for p in parts for box in p.scope.boxes
            )
        return tuple((box, r.scope, None, frozenset()) for box in r.scope.boxes)
