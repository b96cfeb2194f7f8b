"""`Timeline`: the immutable, validated, time-ordered log of one dispute's events."""

from __future__ import annotations

import bisect
import datetime as _dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Final

from ._dispute import Dispute
from ._events import Event
from ._log import Log
from ._status import Period, Status
from ._time import EPOCH, MAX_KEY, MIN_KEY, ONE_US, When, datetime_sub, instant_key
from .errors import DuplicateEvent, InvalidValue, TimeError, UnknownReference

__all__ = ["Timeline"]


class Timeline:
    """The validated, time-ordered events of one dispute, answering the status at any time.

    A timeline never changes: `append` returns a new one and leaves this one as it was.
    Events may be given in any order; they are ordered by `at`, events at the same instant
    keeping the order in which they were given, and validated in that order. Building and
    in-order appends cost O(1) per event; `status_at` is a binary search, not a replay.

    Args:
        dispute: whose events these are; bare dates are days in its time zone.
        events: the events, in any order.

    Raises:
        InvalidTransition: an event is not allowed in the state it meets.
        UnknownReference: an event names a deadline, throttle or request that does not exist.
        DuplicateEvent: two events share an id.
        TimeError: an event's time lies outside the years 1 to 9999.
        InvalidValue: something that is not an event was given.

    Examples:
        >>> from regtimeline import Dispute, ThrottleImposed, Timeline
        >>> ru = Dispute(id="ru-twitter", regulator="Roskomnadzor", platform="Twitter",
        ...              jurisdiction="RU", timezone="Europe/Moscow")
        >>> timeline = Timeline(ru, [ThrottleImposed(at="2021-03-10", id="slowdown")])
        >>> timeline.status_at("2021-03-12").phase
        <Phase.THROTTLED: 2>
    """

    __slots__ = ("_events", "_log", "_n", "dispute")

    def __init__(self, dispute: Dispute, events: Iterable[Event] = ()) -> None:
        if not isinstance(dispute, Dispute):
            msg = f"Timeline needs a Dispute first, got {dispute!r}"
            raise InvalidValue(msg)
        self.dispute: Final = dispute
        self._log = Log(dispute.zone)
        self._n = 0
        self._events: tuple[Event, ...] | None = ()
        try:
            given = tuple(events)
        except TypeError:
            msg = f"Timeline takes an iterable of events, got {events!r}"
            raise InvalidValue(msg) from None
        self._log, self._n = self._appended(given)
        self._events = None

    @classmethod
    def _view(cls, dispute: Dispute, log: Log, n: int) -> Timeline:
        timeline = cls.__new__(cls)
        object.__setattr__(timeline, "dispute", dispute)
        timeline._log = log
        timeline._n = n
        timeline._events = None
        return timeline

    # --- growing ---------------------------------------------------------------------------

    def append(self, *events: Event) -> Timeline:
        """A new timeline with `events` added; this one is left unchanged.

        All or nothing: if any event is refused, the error says which and why, and no
        timeline changes. Events may be earlier than those already here (a backfill); the
        whole history is then validated again from the earliest new event on, and an error
        names the later event the backfill would invalidate.

        Raises:
            InvalidTransition, UnknownReference, DuplicateEvent, TimeError, InvalidValue:
                as for the constructor.

        Examples:
            >>> from regtimeline import BlockLifted, Statement
            >>> from regtimeline.examples import twitter_russia
            >>> case = twitter_russia()
            >>> len(case.append(Statement(at="2021-03-11", by="Twitter", text="We comply")))
            11
            >>> case.append(BlockLifted(at="2021-03-11", id="unblock"))
            Traceback (most recent call last):
            ...
            regtimeline.errors.InvalidTransition: block_lifted 'unblock' at
            2021-03-11T00:00:00+03:00 refused: the dispute is THROTTLED at that time;
            block_lifted is accepted only when it is BLOCKED
        """
        log, n = self._appended(events)
        return Timeline._view(self.dispute, log, n)

    def _appended(self, events: tuple[Event, ...]) -> tuple[Log, int]:
        if not events:
            return self._log, self._n
        zone = self._log.zone
        keys: list[int] = []
        seen: dict[str, Event] = {}
        log_ids, n = self._log.ids, self._n
        for event in events:
            if not isinstance(event, Event):
                msg = f"a timeline holds events, got {event!r}"
                raise InvalidValue(msg)
            key = event._key
            if key is None:
                key = zone.day_start(event.at)
            if not MIN_KEY <= key <= MAX_KEY:
                msg = f"{event.kind} {event.id!r}: {event.at} is outside the years 1 to 9999"
                error = TimeError(msg)
                error.event = event
                raise error
            if event.id in seen or log_ids.get(event.id, n) < n:
                msg = (
                    f"{event.kind} {event.id!r} at {event.at}: the id {event.id!r} is already "
                    "used in this timeline; give distinct facts distinct ids"
                )
                duplicate = DuplicateEvent(msg)
                duplicate.event = event
                raise duplicate
            seen[event.id] = event
            keys.append(key)
        with self._log.lock:
            log = self._log
            start = bisect.bisect_right(log.keys, min(keys), 0, n)
            if start == n == len(log):
                new_keys, new_events = _in_order(keys, events)
                try:
                    log.fold(new_keys, new_events)
                except BaseException:
                    log.truncate(n)
                    raise
                return log, len(log)
            # a backfill, or an append to a timeline that was appended to already: copy the
            # prefix that stays (under the lock: another thread may be appending in place),
            # and refold the rest (the events after `start` go first at equal instants: they
            # were given earlier)
            old_keys, old_events = log.keys[start:n], log.events[start:n]
            base = log.prefix(start)
        merged_keys, merged_events = _in_order(old_keys + keys, (*old_events, *events))
        base.fold(merged_keys, merged_events, is_new=lambda e: seen.get(e.id) is e)
        return base, len(base)

    # --- reading ---------------------------------------------------------------------------

    @property
    def events(self) -> tuple[Event, ...]:
        """Every event, in time order (same-instant events in the order given)."""
        if self._events is None:
            self._events = tuple(self._log.events[: self._n])
        return self._events

    def event(self, event_id: str) -> Event:
        """The event with this id.

        Raises:
            UnknownReference: no event has this id.
        """
        index = self._log.ids.get(event_id, self._n)
        if index >= self._n:
            msg = f"no event {event_id!r} in the timeline of dispute {self.dispute.id!r}"
            raise UnknownReference(msg)
        return self._log.events[index]

    def status_at(self, when: When) -> Status:
        """The status at an instant, after every event at or before it.

        Args:
            when: an aware datetime or an ISO 8601 string with an offset (that instant), or
                a date or ``"YYYY-MM-DD"`` (the end of that day in the dispute's zone, after
                all of that day's events).

        Raises:
            TimeError: a naive datetime, a time without an offset, or a malformed value.

        Examples:
            >>> from regtimeline.examples import twitter_russia
            >>> twitter_russia().status_at("2021-03-09").phase
            <Phase.CLEAR: 0>
            >>> twitter_russia().status_at("2021-03-10T09:00:00+03:00").throttles[0].id
            'slowdown'
        """
        log = self._log
        if isinstance(when, _dt.datetime):  # the common case, inlined: see _time.instant_key
            try:
                key = datetime_sub(when, EPOCH) // ONE_US
            except TypeError:
                key = instant_key(when)  # raises TimeError for a naive datetime
        else:
            key = log.zone.query_key(when)
        return Status(log, bisect.bisect_right(log.keys, key, 0, self._n), key)

    def history(self) -> tuple[Period, ...]:
        """The periods of constant phase, from the first event on; the last one is open.

        Changes that no event caused (a throttle or block that ran out at its `ends`) start
        periods of their own, with `cause` None.

        Examples:
            >>> from regtimeline.examples import twitter_russia
            >>> [(p.start.date().isoformat(), p.phase.name) for p in twitter_russia().history()]
            [('2021-03-10', 'THROTTLED'), ('2022-03-04', 'BLOCKED')]
        """
        return self._log.history(self._n)

    def __len__(self) -> int:
        return self._n

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Timeline):
            return NotImplemented
        return (
            self.dispute == other.dispute
            and self._n == other._n
            and (self._log is other._log or self.events == other.events)
        )

    def __hash__(self) -> int:
        return hash((self.dispute, self._n))

    def __repr__(self) -> str:
        return f"Timeline({self.dispute!r}, <{self._n} events>)"

    def __setattr__(self, name: str, value: object) -> None:
        if name == "dispute" and hasattr(self, "dispute"):
            msg = "a Timeline is immutable: append() returns a new one"
            raise AttributeError(msg)
        object.__setattr__(self, name, value)


def _in_order(keys: list[int], events: Sequence[Event]) -> tuple[list[int], list[Event]]:
    """Keys and events sorted by key, stably (same-instant events keep their order)."""
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return [keys[i] for i in order], [events[i] for i in order]
