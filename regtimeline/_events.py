"""The events: immutable, dated facts about a dispute. Class names are past tense."""

from __future__ import annotations

import datetime as _dt
import decimal
import enum
import hashlib
from typing import Any, ClassVar

import attrs

from . import _fields as f
from ._enums import Consequence
from ._imprecise import Imprecise
from ._scope import EVERYTHING, Scope, scope_boxes
from ._time import Moment, instant_key
from ._window import Window
from .errors import InvalidValue

__all__ = [
    "CORRECTION_TYPES",
    "EVENT_TYPES",
    "BlockImposed",
    "BlockLifted",
    "ContentRemoved",
    "DeadlineExtended",
    "DeadlineMet",
    "DeadlineSet",
    "DeadlineWithdrawn",
    "DelistingImposed",
    "DelistingLifted",
    "Event",
    "EventCorrected",
    "EventRetracted",
    "FineCancelled",
    "FineImposed",
    "FinePaid",
    "Statement",
    "TakedownRequested",
    "ThrottleImposed",
    "ThrottleLifted",
    "WarningIssued",
]


def _canonical(value: Any) -> str:
    """A text for `value` that is the same in every process (sets sorted, no hash order)."""
    if value is None:
        return "~"
    if isinstance(value, Scope):
        boxes = scope_boxes(value)
        plain = len(boxes) == 1 and boxes[0][2:] == ((frozenset(), True), (frozenset(), True))
        if plain and (not boxes[0][1][1] or not boxes[0][1][0]):  # as 0.1 wrote it: same ids
            return (
                f"Scope(networks={_canonical(value.networks)};"
                f"services={_canonical(value.services)})"
            )
        names, cells = value._key()
        return f"Scope({_canonical(names)}:" + ",".join(sorted(map("|".join, cells))) + ")"
    if isinstance(value, frozenset):
        return "{" + ",".join(sorted(_canonical(v) for v in value)) + "}"
    if attrs.has(type(value)):  # a Scope, or the event inside a correction
        inner = ";".join(
            f"{a.name}={_canonical(getattr(value, a.name))}"
            for a in attrs.fields(type(value))
            if a.init
        )
        return f"{type(value).__name__}({inner})"
    if isinstance(value, _dt.date | Imprecise):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value.normalize())
    if isinstance(value, enum.Enum):
        return str(value.value)
    return repr(value)


def _scope(value: Any) -> Scope:
    if not isinstance(value, Scope):
        msg = f"expected a Scope, such as Scope(networks={{'fixed'}}), got {value!r}"
        raise InvalidValue(msg)
    if value.is_empty:
        msg = "the scope is empty (it covers nothing): name what the event covers"
        raise InvalidValue(msg)
    return value


def _optional_scope(value: Scope | None) -> Scope | None:
    return None if value is None else _scope(value)


def _window(value: Window | None) -> Window | None:
    if value is None or isinstance(value, Window):
        return value
    msg = f"expected a Window, such as Window(start='06:00', end='08:00'), got {value!r:.80}"
    raise InvalidValue(msg)


def _stores(value: Any) -> frozenset[str] | None:
    if value is None:
        return None
    chosen = f.names(value, "stores")
    if not chosen:
        msg = "stores must name at least one app store; leave it out (None) for every store"
        raise InvalidValue(msg)
    return chosen


@f.with_context
@attrs.frozen(kw_only=True)
class Event:
    """An immutable fact about a dispute, valid at `at`.

    Attributes:
        at: when it happened: an ISO 8601 string, a date (that whole day in the dispute's
            zone: the event counts from the day's start) or an aware datetime.
        id: unique within a timeline. Left out, it is derived from the event's content
            (kind and every field), so the same fact gets the same id in every process and a
            fact imported twice is caught as a `DuplicateEvent`.
        source: a URL or citation.
        note: free text.

    Examples:
        >>> Statement(at="2021-04-01", by="Twitter", text="Constructive talks", id="s1").kind
        'statement'
    """

    kind: ClassVar[str] = "event"
    #: Fields added in format 4 (v2): left out of the content id while None, so that a fact
    #: written without them keeps the id 0.1 gave it.
    _V2_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"by", "window", "block", "scope", "stores", "delisting", "per", "until", "deadline"}
    )

    at: Moment = attrs.field(converter=f.moment)
    id: str = attrs.field(default="", converter=f.event_id)
    source: str | None = attrs.field(default=None, converter=f.optional_text)
    note: str | None = attrs.field(default=None, converter=f.optional_text)
    # The key of `at` when it is an exact instant (a day's key depends on the dispute's zone).
    _key: int | None = attrs.field(init=False, default=None, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        if type(self) is Event:
            msg = "Event is abstract: use one of its kinds, such as WarningIssued"
            raise InvalidValue(msg)
        if not self.id:
            object.__setattr__(self, "id", self._content_id())
        elif not self.id.strip():
            msg = f"{type(self).__name__}.id: an id must not be blank"
            raise InvalidValue(msg)
        if isinstance(self.at, _dt.datetime):
            object.__setattr__(self, "_key", instant_key(self.at))
        self._check()

    def _check(self) -> None:
        """Checks that span several fields; subclasses override."""

    def _content_id(self) -> str:
        parts = [self.kind] + [
            f"{a.name}={_canonical(getattr(self, a.name))}"
            for a in attrs.fields(type(self))
            if a.name not in ("id", "_key")
            and not (a.name in self._V2_FIELDS and getattr(self, a.name) is None)
        ]
        digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=6).hexdigest()
        return f"{self.kind}-{digest}"


@f.with_context
@attrs.frozen(kw_only=True)
class WarningIssued(Event):
    """A regulator warns the platform; with `due` it also opens a deadline of the same id.

    Examples:
        >>> w = WarningIssued(at="2021-03-16", id="w", due="2021-04-15", consequence="block")
        >>> w.consequence
        <Consequence.BLOCK: 'block'>
    """

    kind: ClassVar[str] = "warning_issued"

    categories: frozenset[str] = attrs.field(default=frozenset(), converter=f.categories)
    items: int = attrs.field(default=0, converter=f.count)
    text: str = attrs.field(default="", converter=f.text)
    due: Moment | None = attrs.field(default=None, converter=f.optional_moment)
    consequence: Consequence | None = attrs.field(default=None, converter=f.consequence)


@f.with_context
@attrs.frozen(kw_only=True)
class DeadlineSet(Event):
    """A deadline opens (PENDING until `due`, inclusive; a bare date means its whole day).

    Without `due` it is an open demand: PENDING, never OVERDUE, until met, withdrawn or
    enforced; a later `DeadlineExtended` may give it its first due date (conditions for
    lifting a suspension, announced with no date).

    Examples:
        >>> DeadlineSet(at="2021-03-16", id="d", due="2021-04-15").due
        Date(2021, 4, 15)
        >>> DeadlineSet(at="2021-06-05", id="conditions", demand="register locally").due is None
        True
    """

    kind: ClassVar[str] = "deadline_set"

    due: Moment | None = attrs.field(default=None, converter=f.optional_moment)
    demand: str = attrs.field(default="", converter=f.text)
    consequence: Consequence | None = attrs.field(default=None, converter=f.consequence)


@f.with_context
@attrs.frozen(kw_only=True)
class DeadlineExtended(Event):
    """An open deadline moves later: to a new `due`, or `by` a calendar-aware duration.

    `by` takes an ISO 8601 duration (``"P1M"``, ``"P14D"``, ``"PT48H"``), a
    `pendulum.Duration` or a `datetime.timedelta`, held as canonical ISO text. Months and days
    are calendar units in the dispute's zone: 16 April + ``P1M`` is 16 May.

    Examples:
        >>> DeadlineExtended(at="2021-04-05", deadline="d", by="P1M").by
        'P1M'
    """

    kind: ClassVar[str] = "deadline_extended"

    deadline: str = attrs.field(converter=f.reference)
    due: Moment | None = attrs.field(default=None, converter=f.optional_moment)
    by: str | None = attrs.field(default=None, converter=f.optional_span)

    def _check(self) -> None:
        if (self.due is None) == (self.by is None):
            msg = (
                f"DeadlineExtended {self.id!r}: give exactly one of `due` (a new date) "
                f"and `by` (a duration), got due={self.due!r}, by={self.by!r}"
            )
            raise InvalidValue(msg)


@f.with_context
@attrs.frozen(kw_only=True)
class DeadlineMet(Event):
    """The platform complied: the deadline closes as MET.

    Examples:
        >>> DeadlineMet(at="2021-05-10", deadline="d").deadline
        'd'
    """

    kind: ClassVar[str] = "deadline_met"

    deadline: str = attrs.field(converter=f.reference)


@f.with_context
@attrs.frozen(kw_only=True)
class DeadlineWithdrawn(Event):
    """The regulator dropped the demand: the deadline closes as WITHDRAWN.

    Examples:
        >>> DeadlineWithdrawn(at="2021-05-10", deadline="d").kind
        'deadline_withdrawn'
    """

    kind: ClassVar[str] = "deadline_withdrawn"

    deadline: str = attrs.field(converter=f.reference)


@f.with_context
@attrs.frozen(kw_only=True)
class ThrottleImposed(Event):
    """Traffic to the platform is slowed within `scope`, until lifted or until `ends`.

    Attributes:
        scope: what is slowed (default: everything).
        rate: how much, in words (``"100% of mobile, 50% of fixed traffic"``).
        ends: the last instant it is ordered for (inclusive); a bare date means its end.
        enforces: the id of an open deadline this carries out (it becomes ENFORCED).
        window: a recurring daily `Window`: in force only inside it.
        by: who ordered it (a regulator, a court, a ministry).

    Examples:
        >>> ThrottleImposed(at="2021-03-10", id="t", scope=Scope(services={"photos"})).scope
        Scope(networks=frozenset({...}), services=frozenset({'photos'}))
    """

    kind: ClassVar[str] = "throttle_imposed"

    scope: Scope = attrs.field(default=EVERYTHING, converter=_scope)
    rate: str | None = attrs.field(default=None, converter=f.optional_text)
    ends: Moment | None = attrs.field(default=None, converter=f.optional_moment)
    enforces: str | None = attrs.field(default=None, converter=f.optional_reference)
    window: Window | None = attrs.field(default=None, converter=_window)
    by: str | None = attrs.field(default=None, converter=f.optional_text)


@f.with_context
@attrs.frozen(kw_only=True)
class ThrottleLifted(Event):
    """A throttle ends, or is narrowed when `scope` names only part of it.

    Without `throttle`, it applies to every active throttle that `scope` overlaps. In
    `scope`, a dimension left at its default means all of it, so the lift takes away whatever
    the throttle has there: ``Scope(networks={"fixed"})`` lifts the throttle on fixed
    networks and keeps it on mobile ones. `by`: who ordered the lift.

    Examples:
        >>> ThrottleLifted(at="2021-05-17", throttle="t", scope=Scope(networks={"fixed"})).throttle
        't'
    """

    kind: ClassVar[str] = "throttle_lifted"

    throttle: str | None = attrs.field(default=None, converter=f.optional_reference)
    scope: Scope | None = attrs.field(default=None, converter=_optional_scope)
    by: str | None = attrs.field(default=None, converter=f.optional_text)


@f.with_context
@attrs.frozen(kw_only=True)
class BlockImposed(Event):
    """Access to the platform is blocked within `scope`.

    It ends the part of every active throttle that it covers (superseded). Several blocks
    may be active at once on scopes that do not overlap. Fields as for `ThrottleImposed`.

    Examples:
        >>> BlockImposed(at="2022-03-04", id="b", ends="2022-03-05").ends
        Date(2022, 3, 5)
    """

    kind: ClassVar[str] = "block_imposed"

    scope: Scope = attrs.field(default=EVERYTHING, converter=_scope)
    ends: Moment | None = attrs.field(default=None, converter=f.optional_moment)
    enforces: str | None = attrs.field(default=None, converter=f.optional_reference)
    window: Window | None = attrs.field(default=None, converter=_window)
    by: str | None = attrs.field(default=None, converter=f.optional_text)


@f.with_context
@attrs.frozen(kw_only=True)
class BlockLifted(Event):
    """A block ends, or is narrowed when `scope` names only part of it.

    Without `block`, it applies to every active block that `scope` overlaps (without
    `scope`, every active block). Scopes in a lift work as for `ThrottleLifted`.

    Examples:
        >>> BlockLifted(at="2022-03-06").kind
        'block_lifted'
        >>> BlockLifted(at="2020-01-25", block="jk", scope=Scope(regions={"IN-JK"})).block
        'jk'
    """

    kind: ClassVar[str] = "block_lifted"

    block: str | None = attrs.field(default=None, converter=f.optional_reference)
    scope: Scope | None = attrs.field(default=None, converter=_optional_scope)
    by: str | None = attrs.field(default=None, converter=f.optional_text)


@f.with_context
@attrs.frozen(kw_only=True)
class DelistingImposed(Event):
    """The app is removed from app stores within `scope`: DELISTED.

    Attributes:
        scope: where (default: everywhere).
        stores: the stores, by name as given, lower case by convention (``"apple"``,
            ``"google"``); default None, every store.
        ends: the last instant it is ordered for (inclusive).
        enforces: the id of an open deadline this carries out.
        by: who ordered it.

    Examples:
        >>> DelistingImposed(at="2024-08-30", stores={"apple", "google"}, by="STF").stores
        frozenset({...})
    """

    kind: ClassVar[str] = "delisting_imposed"

    scope: Scope = attrs.field(default=EVERYTHING, converter=_scope)
    stores: frozenset[str] | None = attrs.field(default=None, converter=_stores)
    ends: Moment | None = attrs.field(default=None, converter=f.optional_moment)
    enforces: str | None = attrs.field(default=None, converter=f.optional_reference)
    by: str | None = attrs.field(default=None, converter=f.optional_text)


@f.with_context
@attrs.frozen(kw_only=True)
class DelistingLifted(Event):
    """The app is restored to stores, wholly or in part (`scope` and `stores` narrow it).

    Without `delisting`, it applies to every active delisting it overlaps.

    Examples:
        >>> DelistingLifted(at="2024-10-08", delisting="stores", stores={"apple"}).stores
        frozenset({'apple'})
    """

    kind: ClassVar[str] = "delisting_lifted"

    delisting: str | None = attrs.field(default=None, converter=f.optional_reference)
    scope: Scope | None = attrs.field(default=None, converter=_optional_scope)
    stores: frozenset[str] | None = attrs.field(default=None, converter=_stores)
    by: str | None = attrs.field(default=None, converter=f.optional_text)


@f.with_context
@attrs.frozen(kw_only=True)
class TakedownRequested(Event):
    """The regulator asks the platform to remove `items` pieces of content.

    Attributes:
        sla: the time the law allows for removal, as a duration (``"PT24H"``).

    Examples:
        >>> TakedownRequested(at="2021-03-10", items=3168, sla="PT24H").sla
        'PT24H'
    """

    kind: ClassVar[str] = "takedown_requested"

    items: int = attrs.field(converter=f.count)
    categories: frozenset[str] = attrs.field(default=frozenset(), converter=f.categories)
    sla: str | None = attrs.field(default=None, converter=f.optional_span)


@f.with_context
@attrs.frozen(kw_only=True)
class ContentRemoved(Event):
    """The platform removed `items` pieces of content, optionally answering a request.

    Examples:
        >>> ContentRemoved(at="2021-04-05", items=1900).items
        1900
    """

    kind: ClassVar[str] = "content_removed"

    items: int = attrs.field(converter=f.count)
    request: str | None = attrs.field(default=None, converter=f.optional_reference)


@f.with_context
@attrs.frozen(kw_only=True)
class FineImposed(Event):
    """A fine of `amount` (exact Decimal) in `currency` (ISO 4217), imposed `by` someone.

    One-off, or accruing: with `per` (a duration, calendar-aware in the dispute's zone) it
    adds `amount` at ``at + k * per`` for k = 0, 1, 2, ... (each computed from `at`, so that
    a monthly fine from 31 January falls on 28 February, 31 March, 30 April), until `until`
    (inclusive; a bare date means the end of that day), until the deadline named by
    `deadline` is MET or WITHDRAWN, or until a `FineCancelled`.

    Raises:
        InvalidValue: `until` or `deadline` without `per`; a `per` of zero.

    Examples:
        >>> FineImposed(at="2021-04-02", amount="3200000", currency="rub", by="court").currency
        'RUB'
        >>> FineImposed(at="2024-08-30", id="vpn", amount="50000", currency="BRL",
        ...             by="STF", per="P1D").per
        'P1D'
    """

    kind: ClassVar[str] = "fine_imposed"

    amount: decimal.Decimal = attrs.field(converter=f.amount)
    currency: str = attrs.field(converter=f.currency)
    by: str = attrs.field(converter=f.text)
    per: str | None = attrs.field(default=None, converter=f.optional_span)
    until: Moment | None = attrs.field(default=None, converter=f.optional_exact_moment)
    deadline: str | None = attrs.field(default=None, converter=f.optional_reference)

    def _check(self) -> None:
        if self.per is None and (self.until is not None or self.deadline is not None):
            msg = (
                f"FineImposed {self.id!r}: `until` and `deadline` say when an accruing fine "
                "stops; give `per` (how often it accrues) with them, or leave them out"
            )
            raise InvalidValue(msg)
        if self.per == "PT0S":
            msg = f"FineImposed {self.id!r}: `per` must be a positive duration, got PT0S"
            raise InvalidValue(msg)


@f.with_context
@attrs.frozen(kw_only=True)
class FinePaid(Event):
    """A payment of `amount` in `currency` on the fine `fine`: it reduces what is owed.

    Examples:
        >>> FinePaid(at="2024-10-04", fine="f", amount="28600000", currency="BRL").amount
        Decimal('28600000')
    """

    kind: ClassVar[str] = "fine_paid"

    fine: str = attrs.field(converter=f.reference)
    amount: decimal.Decimal = attrs.field(converter=f.amount)
    currency: str = attrs.field(converter=f.currency)


@f.with_context
@attrs.frozen(kw_only=True)
class FineCancelled(Event):
    """The fine no longer counts from `at` (annulled on appeal); what was paid stays paid.

    Examples:
        >>> FineCancelled(at="2022-01-10", fine="f", by="appeal court").fine
        'f'
    """

    kind: ClassVar[str] = "fine_cancelled"

    fine: str = attrs.field(converter=f.reference)
    by: str = attrs.field(converter=f.text)


@f.with_context
@attrs.frozen(kw_only=True)
class Statement(Event):
    """On the record: talks, public statements, rulings, laws. Changes no state.

    Examples:
        >>> Statement(at="2021-04-01", by="Twitter", text="Talks were constructive").by
        'Twitter'
    """

    kind: ClassVar[str] = "statement"

    by: str = attrs.field(converter=f.text)
    text: str = attrs.field(converter=f.text)


def _replacement(value: Any) -> Event:
    if not isinstance(value, Event) or isinstance(value, EventRetracted | EventCorrected):
        msg = f"expected the corrected event (a fact, not a correction), got {value!r:.80}"
        raise InvalidValue(msg)
    return value


@f.with_context
@attrs.frozen(kw_only=True)
class EventRetracted(Event):
    """The record withdraws an earlier event: from this record on, it never happened.

    A correction acts on the recorded-time axis: `at` says when it was issued; what it
    changes is what the record says from its `recorded_at` on. Before that, every answer
    stays as it was.

    Examples:
        >>> EventRetracted(at="2021-03-08", event="rumoured-block", reason="a rumour").event
        'rumoured-block'
    """

    kind: ClassVar[str] = "event_retracted"

    event: str = attrs.field(converter=f.reference)
    reason: str = attrs.field(default="", converter=f.text)


@f.with_context
@attrs.frozen(kw_only=True)
class EventCorrected(Event):
    """The record replaces an earlier event by a corrected version of the same fact.

    The replacement keeps the corrected event's id (other events may refer to it).

    Examples:
        >>> fixed = BlockImposed(at="2021-03-06", id="block")
        >>> EventCorrected(at="2021-03-09", event="block", replacement=fixed).replacement.at
        Date(2021, 3, 6)
    """

    kind: ClassVar[str] = "event_corrected"

    event: str = attrs.field(converter=f.reference)
    replacement: Event = attrs.field(converter=_replacement)
    reason: str = attrs.field(default="", converter=f.text)

    def _check(self) -> None:
        if self.replacement.id != self.event:
            msg = (
                f"EventCorrected {self.id!r}: the replacement must keep the corrected event's "
                f"id {self.event!r}, got {self.replacement.id!r}"
            )
            raise InvalidValue(msg)


#: The corrections: events about the record rather than about the dispute.
CORRECTION_TYPES: tuple[type[Event], ...] = (EventRetracted, EventCorrected)

#: Every concrete event class, in the order of DESIGN.md's table.
EVENT_TYPES: tuple[type[Event], ...] = (
    WarningIssued,
    DeadlineSet,
    DeadlineExtended,
    DeadlineMet,
    DeadlineWithdrawn,
    ThrottleImposed,
    ThrottleLifted,
    BlockImposed,
    BlockLifted,
    DelistingImposed,
    DelistingLifted,
    TakedownRequested,
    ContentRemoved,
    FineImposed,
    FinePaid,
    FineCancelled,
    Statement,
)
