"""`Timeline`: the immutable, validated, time-ordered log of one dispute's events."""

from __future__ import annotations

import bisect
import contextlib
import datetime as _dt
import heapq
import itertools
import operator
import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Final

import pendulum

from ._dispute import Dispute
from ._enums import Phase
from ._events import CORRECTION_TYPES, EVENT_TYPES, Event, EventCorrected, EventRetracted
from ._fields import nfc
from ._gc import paused_gc
from ._log import Log, _Restr
from ._record import UNRECORDED, Difference, Entry, Record, Revision
from ._status import (
    Block,
    Delisting,
    Period,
    PeriodColumns,
    Spell,
    Status,
    Throttle,
    slice_point,
)
from ._time import (
    EPOCH,
    MAX_KEY,
    MIN_KEY,
    When,
    Zone,
    datetime_sub,
    instant_key,
    now_key,
    to_moment,
)
from .errors import (
    DuplicateEvent,
    InvalidTransition,
    InvalidValue,
    RegTimelineError,
    TimeError,
    UnknownReference,
)

__all__ = ["Timeline"]


_UTC: Final = _dt.UTC
#: Above this many events, building a timeline pauses the cyclic collector (see `_gc`).
_BULK: Final = 1_000
_NO_PERIODS: Final = PeriodColumns(
    start=(), end=(), phase=(), cause=(), start_span=(), end_span=(), certain=()
)


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
        <Phase.THROTTLED: 3>
    """

    __slots__ = ("_events", "_log", "_m", "_n", "_record", "dispute")

    def __init__(
        self,
        dispute: Dispute,
        events: Iterable[Event] = (),
        *,
        recorded_at: When | None = None,
    ) -> None:
        if not isinstance(dispute, Dispute):
            msg = f"Timeline needs a Dispute first, got {dispute!r}"
            raise InvalidValue(msg)
        self.dispute: Final = dispute
        self._log = Log(dispute.zone, dispute.jurisdiction)
        self._n = 0
        self._record = Record()
        self._m = 0
        self._events: tuple[Event, ...] | None = ()
        try:
            given = tuple(events)
        except TypeError:
            msg = f"Timeline takes an iterable of events, got {events!r}"
            raise InvalidValue(msg) from None
        key = UNRECORDED if recorded_at is None else self._recorded_key(recorded_at)
        # a bulk build: the collector would walk the growing log again and again (see _gc)
        with paused_gc() if len(given) > _BULK else contextlib.nullcontext():
            grown = self._grown(given, [key] * len(given))
        self._log, self._n, self._record, self._m = grown
        self._events = None

    @classmethod
    def _view(cls, dispute: Dispute, log: Log, n: int, record: Record, m: int) -> Timeline:
        timeline = cls.__new__(cls)
        # (the slots directly: __setattr__ is Python code, and this runs on every append)
        _set(timeline, "dispute", dispute)
        _set(timeline, "_log", log)
        _set(timeline, "_n", n)
        _set(timeline, "_record", record)
        _set(timeline, "_m", m)
        _set(timeline, "_events", None)
        return timeline

    # --- growing ---------------------------------------------------------------------------

    def append(self, *events: Event, recorded_at: When | None = None) -> Timeline:
        """A new timeline with `events` added; this one is left unchanged.

        All or nothing: if any event is refused, the error says which and why, and no
        timeline changes. Events may be earlier than those already here (a backfill); the
        whole history is then validated again from the earliest new event on, and an error
        names the later event the backfill would invalidate. Corrections
        (`EventRetracted`, `EventCorrected`) change what the record says from now on.

        Args:
            events: facts and corrections; corrections act in the order given.
            recorded_at: when the record learned them (importing old data); default now.
                It never goes back: an earlier time than the last entry's is refused.

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
            2021-03-11T00:00:00+03:00 refused: no active block overlaps all services on all
            networks; active blocks: none
        """
        if recorded_at is None:
            key = max(now_key(), self._last_recorded())
        else:
            key = self._recorded_key(recorded_at)
        return self._append_at(events, key)

    def _append_at(self, events: tuple[Event, ...], key: int) -> Timeline:
        if not events:
            return self
        last = self._last_recorded()
        if key < last:
            zone = self.dispute.zone
            given = "unknown" if key == UNRECORDED else zone.to_datetime(key).isoformat()
            msg = (
                f"recorded_at {given} is before the record's last entry "
                f"({zone.to_datetime(last).isoformat()}): recorded time never goes back"
            )
            error = InvalidTransition(msg)
            error.event = events[0]  # the first entry that would go back
            raise error
        if len(events) == 1:
            at_end = self._one_at_end(events[0], key)
            if at_end is not None:
                return at_end
        return Timeline._view(self.dispute, *self._grown(events, [key] * len(events)))

    def _one_at_end(self, event: Event, key: int) -> Timeline | None:
        """`_append_at` of one fact at or after the last instant, with a new id, in one step.

        The most common append (a store's, one event at a time) without the general path's
        set-up; None when anything is other than that (the general path decides). The
        event is folded exactly as the general path folds it: the same handler, the same
        refusals, the same undo.
        """
        if type(event) not in _FACTS:
            return None
        log, n, record, m = self._log, self._n, self._record, self._m
        try:
            at = _key(log.zone, event)
        except TimeError:
            return None
        event_id = event.id
        if (
            event_id in log.ids  # (or in a later entry of a shared log: look closer)
            or event_id in record.corrections
            or event_id in record.gone
        ):
            return None
        with log.lock:
            if n != len(log.keys) or (n and at < log.keys[n - 1]):
                return None  # a backfill, or a branch off a log appended to already
            try:
                log.fold((at,), (event,))
            except BaseException:
                log.truncate(n)
                raise
        with record.lock:
            if len(record.keys) != m:  # someone else extended it: branch off a copy
                record = record.prefix(m)
            record.extend((key,), (event,), corrections=False)
        return Timeline._view(self.dispute, log, n + 1, record, m + 1)

    @classmethod
    def from_entries(
        cls, dispute: Dispute, entries: Iterable[Entry | tuple[Event, When | None]]
    ) -> Timeline:
        """A timeline from a record: entries in recorded order, each with its recorded time.

        For importing old data, or reading a file or store. An entry is an `Entry` or an
        ``(event, recorded_at)`` pair; ``None`` means "recorded at an unknown time" and may
        only come first.

        Raises:
            InvalidTransition: the recorded times go back, or an entry is refused.
            UnknownReference, DuplicateEvent, TimeError, InvalidValue: as for `append`.

        Examples:
            >>> from regtimeline import BlockImposed
            >>> from regtimeline.examples import TWITTER_RUSSIA
            >>> t = Timeline.from_entries(TWITTER_RUSSIA, [
            ...     (BlockImposed(at="2022-03-04", id="b"), "2022-03-05T10:00:00+03:00")])
            >>> t.entries[0].recorded_at.isoformat()
            '2022-03-05T10:00:00+03:00'
        """
        return cls(dispute).with_entries(entries)

    def with_entries(self, entries: Iterable[Entry | tuple[Event, When | None]]) -> Timeline:
        """This timeline with more of the record: entries in recorded order, with times.

        Raises:
            InvalidTransition: the recorded times go back, or an entry is refused.
            UnknownReference, DuplicateEvent, TimeError, InvalidValue: as for `append`.
        """
        try:
            given = iter(entries)
        except TypeError:
            msg = f"entries must be an iterable of entries, got {entries!r:.80}"
            raise InvalidValue(msg) from None
        keyed = (
            (event, None if when is None else self._recorded_key(when))
            for event, when in map(_entry, given)
        )
        return self._with_keyed(keyed)

    def _with_keyed(self, rows: Iterable[tuple[Event, int | None]]) -> Timeline:
        """More of the record, given as (event, recorded-time key or None)."""
        given = list(rows)
        return self._with_recorded(list(map(_first, given)), list(map(_second, given)))

    def _with_recorded(self, events: list[Event], recorded: list[int | None]) -> Timeline:
        """More of the record: `events`, each recorded at its key in `recorded`.

        None means unknown. Each run of one recorded time is one append, as it was written.
        """
        keys: list[int]
        if None not in recorded:
            keys = typing.cast("list[int]", recorded)
        elif recorded.count(None) == len(recorded):  # none known: one run, from the start
            keys = [UNRECORDED] * len(recorded)
        else:
            keys = [_or_unrecorded(k) for k in recorded]
        at_once = self._at_once(tuple(events), keys)
        if at_once is not None:
            return at_once
        timeline = self
        for key, run in itertools.groupby(zip(keys, events, strict=True), key=_first):
            timeline = timeline._append_at(tuple(map(_second, run)), key)
        return timeline

    def _at_once(self, events: tuple[Event, ...], recorded: list[int]) -> Timeline | None:
        """Appends of facts in time order, folded in one pass; None if they must go one by one.

        A record grown one append at a time (a file, a store) has a recorded time per
        append; folding each append on its own costs some microseconds each. When every
        append only extends the end (facts, in time order, recorded in order, ids new), the
        one fold validates exactly what the appends would, event by event, and stops at the
        same first refusal. Anything else (a correction, a backfill, recorded time going
        back, a repeated id) goes one append at a time, which gives the error each would.
        """
        if not events or recorded[0] < self._last_recorded() or recorded != sorted(recorded):
            return None
        kinds = set(map(type, events))
        if not all(issubclass(k, Event) for k in kinds) or not kinds.isdisjoint(CORRECTION_TYPES):
            return None
        if self._ids_may_clash(events):
            return None
        try:
            keys = _keys(self._log, events)
        except TimeError:
            return None
        last = self._log.keys[self._n - 1] if self._n else MIN_KEY
        if keys[0] < last or keys != sorted(keys):
            return None
        grown = self._folded(events, recorded, corrections=False, keys=keys)
        return Timeline._view(self.dispute, *grown)

    @property
    def recorded_until(self) -> pendulum.DateTime | None:
        """When the record's last entry was recorded (None: empty, or unknown)."""
        key = self._last_recorded()
        return None if key == UNRECORDED else self.dispute.zone.to_datetime(key)

    def _last_recorded(self) -> int:
        return self._record.keys[self._m - 1] if self._m else UNRECORDED

    def _recorded_key(self, when: When) -> int:
        zone = self.dispute.zone
        return zone.key(to_moment(when))

    def _grown(
        self, events: tuple[Event, ...], recorded: Sequence[int]
    ) -> tuple[Log, int, Record, int]:
        """The log and record after `events`, each recorded at its key in `recorded`.

        Nothing changes on error.
        """
        if not events:
            return self._log, self._n, self._record, self._m
        kinds = set(map(type, events))
        if not all(issubclass(k, Event) for k in kinds):
            other = next(e for e in events if not isinstance(e, Event))
            msg = f"a timeline holds events, got {other!r}"
            raise InvalidValue(msg)
        if self._ids_may_clash(events):
            self._check_ids(events)
        return self._folded(events, recorded, corrections=not kinds.isdisjoint(CORRECTION_TYPES))

    def _folded(
        self,
        events: tuple[Event, ...],
        recorded: Sequence[int],
        *,
        corrections: bool,
        keys: list[int] | None = None,
    ) -> tuple[Log, int, Record, int]:
        """`_grown` once the events are known to be events with ids of their own."""
        record, m = self._record, self._m
        n = self._n
        if not corrections:
            log, n = _with_facts(self._log, n, events, keys=keys)
        else:
            log, n = _applied(self._log, n, events, lambda i: record.gone.get(i, m) < m)
        with record.lock:
            if len(record.keys) != m:  # someone else extended it: branch off a copy
                record = record.prefix(m)
            record.extend(recorded, events, corrections=corrections)
        return log, n, record, m + len(events)

    def _ids_may_clash(self, events: tuple[Event, ...]) -> bool:
        """Whether an id of `events` repeats, or may be one this record used.

        The indexes also hold ids of entries after this timeline's, in a shared log: a
        clash here means "look closer" (`_check_ids`).
        """
        ids = set(map(_event_id, events))
        # (a dict's keys view against a set walks the smaller of the two: a set against a
        # dict would walk the whole dict, on every append)
        log = self._log
        return (
            len(ids) < len(events)
            or (len(log) > 0 and not log.ids.keys().isdisjoint(ids))  # (ids: made if not)
            or not self._record.corrections.keys().isdisjoint(ids)
            or not self._record.gone.keys().isdisjoint(ids)
        )

    def _check_ids(self, events: tuple[Event, ...]) -> None:
        """Refuse the first of `events` whose id this timeline's record has already used."""
        record, m = self._record, self._m
        log_ids, n = self._log.ids, self._n
        seen: set[str] = set()
        for event in events:
            if event.id in seen or log_ids.get(event.id, n) < n or record.used(event.id, m):
                msg = (
                    f"{event.kind} {event.id!r} at {event.at}: the id {event.id!r} is already "
                    "used in this timeline's record; give distinct facts distinct ids"
                )
                duplicate = DuplicateEvent(msg)
                duplicate.event = event
                raise duplicate
            seen.add(event.id)

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
            InvalidValue: `event_id` is not a string.
        """
        index = self._log.ids.get(_id_argument(event_id), self._n)
        if index >= self._n:
            msg = f"no event {event_id!r} in the timeline of dispute {self.dispute.id!r}"
            raise UnknownReference(msg)
        return self._log.events[index]

    def status_at(self, when: When, *, as_of: When | None = None) -> Status:
        """The status at an instant, after every event at or before it.

        Args:
            when: an aware datetime or an ISO 8601 string with an offset (that instant), or
                a date or ``"YYYY-MM-DD"`` (the end of that day in the dispute's zone, after
                all of that day's events).
            as_of: answer as the record stood then (see `as_of`); default: as it is now.

        Raises:
            TimeError: a naive datetime, a time without an offset, or a malformed value.

        Examples:
            >>> from regtimeline.examples import twitter_russia
            >>> twitter_russia().status_at("2021-03-09").phase
            <Phase.CLEAR: 0>
            >>> twitter_russia().status_at("2021-03-10T09:00:00+03:00").throttles[0].id
            'slowdown'
        """
        if as_of is not None:
            return self.as_of(as_of).status_at(when)
        log = self._log
        if type(when) is _dt.datetime and when.tzinfo is _UTC:  # (as `instant_key`, inline)
            d = datetime_sub(when, EPOCH)
            key = (d.days * 86_400 + d.seconds) * 1_000_000 + d.microseconds
        elif isinstance(when, _dt.datetime):
            key = instant_key(when)  # raises TimeError for a naive datetime
        else:
            key = log.zone.query_key(when)
        return log.status(key, self._n)

    def restrictions(self) -> tuple[Spell, ...]:
        """Every restriction over time: one `Spell` for each span in which it covered the same.

        A restriction's first spell starts when it was imposed; a partial lift (or a block
        that takes over part of a throttle) ends one spell and starts the next with what
        remains; the last ends when it is lifted or runs out at its `ends` (None: still
        active). A restriction with a recurring window is active for its whole spell, in
        force only inside its windows. Ordered by start, then as `Status` lists them
        (blocks, throttles, delistings, each in the order imposed). A restriction imposed
        and lifted at the same instant has no spell.

        Examples:
            >>> from regtimeline.examples import twitter_russia
            >>> [(s.restriction.id, s.start.date().isoformat(), str(s.restriction.scope))
            ...  for s in twitter_russia().restrictions()]  # doctest: +NORMALIZE_WHITESPACE
            [('slowdown', '2021-03-10', 'photos+videos on all networks'),
             ('slowdown', '2021-05-17', 'photos+videos on mobile'),
             ('block-2022', '2022-03-04', 'all services on all networks')]
        """
        log, n = self._log, self._n
        zone, keys, public = log.zone, log.keys, log.public
        kinds = RESTRICTION_KINDS
        # restrictions change only at restriction events, and when one runs out at `ends`
        # (the log's keys are the events' times: a day's is its start in the zone)
        events = self.events
        checkpoints = sorted({keys[i] for i, e in enumerate(events) if e.kind in kinds})
        spells: list[tuple[int, int, int | None, Throttle | Block | Delisting]] = []
        # (the log's records, not public objects: a record is the same object while its
        # restriction covers the same, so most checkpoints compare identities only)
        open_: dict[str, tuple[int, int, _Restr]] = {}
        seen: set[int] = set()
        last: tuple[_Restr, ...] = ()
        while checkpoints:
            k = heapq.heappop(checkpoints)
            if k in seen:
                continue
            seen.add(k)
            active = log.restrictions_at(bisect.bisect_right(keys, k, 0, n), k)
            if active == last:  # the same records (compared by identity): no change
                continue
            last = active
            now = {r.id: r for r in active}
            for rid, (start, order, r) in list(open_.items()):
                rec = now.get(rid)
                if rec is None or (rec is not r and _shape(public(rec)) != _shape(public(r))):
                    spells.append((start, order, k, public(r)))
                    del open_[rid]
            for order, r in enumerate(active):
                if r.id not in open_:
                    open_[r.id] = (k, order, r)
                    if r.ends is not None:
                        heapq.heappush(checkpoints, r.ends + 1)
        spells.extend((start, order, None, public(r)) for start, order, r in open_.values())
        spells.sort(key=lambda s: (s[0], s[1]))
        to_dt = zone.to_datetime
        return tuple(
            Spell(restriction=r, start=to_dt(start), end=None if end is None else to_dt(end))
            for start, _, end, r in spells
        )

    def _status_at_key(self, key: int) -> Status:
        """The status at an instant given as a key (for the archive's queries)."""
        return self._log.status(key, self._n)

    def history(
        self,
        *,
        until: When | None = None,
        as_of: When | None = None,
        network: str | None = None,
        service: str | None = None,
        region: str | None = None,
        operator: str | None = None,
    ) -> tuple[Period, ...]:
        """The periods of constant phase, from the first event on; the last one is open.

        Changes that no event caused (a restriction that ran out at its `ends`, a recurring
        window opening or closing) start periods of their own, with `cause` None. A window
        with no end recurs for ever: with `until`, the periods are those that start at or
        before it (events after it are left out), the one containing it open; without, they
        stop at the latest instant any event names (its time, a due date, the instant after
        an `ends`). With
        `as_of`, the history as the record told it then. With a slice (`network`, `service`,
        `region`, `operator`, as in `Status.phase_for`), the periods of that slice's phase:
        a partial lift that keeps the dispute's phase can still end one for the slice.

        Args:
            until: the last instant of interest (a date means its end).
            as_of: answer as the record stood then.
            network: the slice's network (``"mobile"`` or ``"fixed"``); None: both.
            service: the slice's service; None: all.
            region: the slice's region (an ISO 3166-2 code or a place name); None: all.
            operator: the slice's operator; None: all.

        Raises:
            TimeError: `until` is naive or malformed.
            InvalidValue: a slice value that `Status.phase_for` refuses.

        Examples:
            >>> from regtimeline.examples import twitter_russia
            >>> [(p.start.date().isoformat(), p.phase.name) for p in twitter_russia().history()]
            [('2021-03-10', 'THROTTLED'), ('2022-03-04', 'BLOCKED')]
            >>> [(p.start.date().isoformat(), p.phase.name)
            ...  for p in twitter_russia().history(network="fixed")][:3]
            [('2021-03-10', 'THROTTLED'), ('2021-05-17', 'WARNED'), ('2022-03-04', 'BLOCKED')]
        """
        point = slice_point("history", network, service, region, operator)
        if as_of is not None:
            return self.as_of(as_of).history(
                until=until, network=network, service=service, region=region, operator=operator
            )
        key = None if until is None else self._log.zone.query_key(until)
        return self._log.history(self._n, key, point)

    def history_columns(
        self,
        *,
        until: When | None = None,
        as_of: When | None = None,
        network: str | None = None,
        service: str | None = None,
        region: str | None = None,
        operator: str | None = None,
    ) -> PeriodColumns:
        """`history()` as columns of plain values, for tables of many periods.

        The same periods, with the same arguments, but one tuple per field and instants as
        microseconds since 1970-01-01 UTC (see `PeriodColumns`): no object per period.
        The whole dispute's periods for every instant (no argument) are kept once found, so
        asking again costs only the tuples.

        Raises:
            TimeError: `until` is naive or malformed.
            InvalidValue: a slice value that `Status.phase_for` refuses.

        Examples:
            >>> from regtimeline.examples import twitter_russia
            >>> t = twitter_russia()
            >>> columns = t.history_columns()
            >>> [phase.name for phase in columns.phase]
            ['THROTTLED', 'BLOCKED']
            >>> t.dispute.zone.to_datetime(columns.start[1]).isoformat()
            '2022-03-04T00:00:00+03:00'
            >>> columns.end, columns.certain
            ((1646341200000000, None), (True, True))
        """
        point = slice_point("history_columns", network, service, region, operator)
        if as_of is not None:
            return self.as_of(as_of).history_columns(
                until=until, network=network, service=service, region=region, operator=operator
            )
        key = None if until is None else self._log.zone.query_key(until)
        periods = self._log._period_starts(self._n, key, point)
        if not periods:
            return _NO_PERIODS
        start, phase, cause, start_span = zip(*periods, strict=True)
        end_span = (*start_span[1:], None)
        return PeriodColumns(
            start=start,
            end=(*start[1:], None),
            phase=phase,
            cause=cause,
            start_span=start_span,
            end_span=end_span,
            certain=tuple(a is b is None for a, b in zip(start_span, end_span, strict=True)),
        )

    def _period_keys(self) -> tuple[tuple[int, Phase, str | None, tuple[int, int] | None], ...]:
        """`history()` as (start key, phase, cause, span keys of an imprecise start)."""
        return self._log._period_starts(self._n, None, (None, None, None, None))

    def _last_key(self) -> int | None:
        """The key of the latest event's time (None: no event)."""
        return self._log.keys[self._n - 1] if self._n else None

    def _horizon(self) -> int | None:
        """The latest instant the events name (how far `history()` runs windows)."""
        return self._log.horizon(self._n)

    # --- the record: recorded time ---------------------------------------------------------

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Every entry of the record, in the order recorded, with its recorded time.

        Unlike `events` (the history as it stands now), the record keeps everything: events
        later retracted or corrected, and the corrections themselves.
        """
        zone = self.dispute.zone
        return tuple(
            Entry(event=e, recorded_at=None if k == UNRECORDED else zone.to_datetime(k))
            for k, e in zip(
                self._record.keys[: self._m], self._record.events[: self._m], strict=True
            )
        )

    def _record_items(self) -> Iterator[tuple[Event, int | None]]:
        """(event, recorded-time key or None) of every entry, cheaply (for writers)."""
        keys, events = self._record.keys[: self._m], self._record.events[: self._m]
        for key, event in zip(keys, events, strict=True):
            yield event, None if key == UNRECORDED else key

    def as_of(self, when: When) -> Timeline:
        """The timeline as the record stood at `when`: only entries recorded by then.

        Entries without a recorded time count as known from the start. Costs one pass over
        those entries.

        Args:
            when: an instant, or a day (the record at the end of that day, in the
                dispute's zone).

        Examples:
            >>> from regtimeline import BlockImposed, Dispute, Timeline
            >>> d = Dispute(id="x", regulator="R", platform="P", jurisdiction="RU",
            ...             timezone="Europe/Moscow")
            >>> t = Timeline(d).append(BlockImposed(at="2021-03-06", id="b"),
            ...                        recorded_at="2021-03-08T09:00:00+03:00")
            >>> t.as_of("2021-03-07").status_at("2021-03-07").phase.name
            'CLEAR'
            >>> t.status_at("2021-03-07").phase.name
            'BLOCKED'
        """
        key = self.dispute.zone.query_key(when)
        m = bisect.bisect_right(self._record.keys, key, 0, self._m)
        if m == self._m:
            return self
        entries = tuple(self._record.events[:m])
        log, n = _applied(
            Log(self.dispute.zone, self.dispute.jurisdiction), 0, entries, lambda _: False
        )
        return Timeline._view(self.dispute, log, n, self._record, m)

    def revisions(self, event_id: str) -> tuple[Revision, ...]:
        """Every version of an event in the record, oldest first, with when it was recorded.

        Raises:
            UnknownReference: no event with this id was recorded.
            InvalidValue: `event_id` is not a string.

        Examples:
            >>> from regtimeline import EventCorrected, ThrottleImposed, Timeline
            >>> from regtimeline.examples import TWITTER_RUSSIA
            >>> t = Timeline(TWITTER_RUSSIA, [ThrottleImposed(at="2021-03-11", id="t")])
            >>> t = t.append(EventCorrected(at="2021-03-12", id="fix", event="t",
            ...     replacement=ThrottleImposed(at="2021-03-10", id="t")),
            ...     recorded_at="2021-03-12T10:00:00+03:00")
            >>> [(r.by, r.event.at.isoformat()) for r in t.revisions("t")]
            [('t', '2021-03-11'), ('fix', '2021-03-10')]
        """
        _id_argument(event_id)
        zone = self.dispute.zone
        out: list[Revision] = []
        keys, events = self._record.keys[: self._m], self._record.events[: self._m]
        for k, e in zip(keys, events, strict=True):
            at = None if k == UNRECORDED else zone.to_datetime(k)
            if e.id == event_id and not isinstance(e, CORRECTION_TYPES):
                out.append(Revision(recorded_at=at, event=e, by=e.id))
            elif isinstance(e, EventRetracted) and e.event == event_id:
                out.append(Revision(recorded_at=at, event=None, by=e.id))
            elif isinstance(e, EventCorrected) and e.event == event_id:
                out.append(Revision(recorded_at=at, event=e.replacement, by=e.id))
        if not out:
            msg = f"no event {event_id!r} in the record of dispute {self.dispute.id!r}"
            raise UnknownReference(msg)
        return tuple(out)

    def diff(self, as_of_a: When, as_of_b: When) -> tuple[Difference, ...]:
        """Where two states of the record disagree: spans of valid time, with both phases.

        Args:
            as_of_a: the first state of the record (an instant, or the end of a day).
            as_of_b: the second.

        Examples:
            >>> from regtimeline.examples import twitter_russia
            >>> twitter_russia().diff("2021-01-01", "2030-01-01") == ()
            True
        """
        a, b = self.as_of(as_of_a).history(), self.as_of(as_of_b).history()
        starts = sorted({p.start for p in a} | {p.start for p in b})

        def phase(periods: tuple[Period, ...], t: pendulum.DateTime) -> Phase:
            current = Phase.CLEAR
            for p in periods:
                if p.start > t:
                    break
                current = p.phase
            return current

        spans: list[Difference] = []
        for i, start in enumerate(starts):
            before, after = phase(a, start), phase(b, start)
            end = starts[i + 1] if i + 1 < len(starts) else None
            if before == after:
                continue
            last = spans[-1] if spans else None
            if (
                last is not None
                and last.end == start
                and (last.before, last.after) == (before, after)
            ):
                spans[-1] = Difference(start=last.start, end=end, before=before, after=after)
            else:
                spans.append(Difference(start=start, end=end, before=before, after=after))
        return tuple(spans)

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


def _keys(log: Log, events: Sequence[Event]) -> list[int]:
    """The keys of `events`' times (a day's is its start in the dispute's zone)."""
    keys: list[int] = list(map(_event_key, events))  # an instant's is computed already
    if None in keys or (keys and not MIN_KEY <= min(keys) <= max(keys) <= MAX_KEY):
        keys = [_key(log.zone, event) for event in events]  # days, or a refusal
    return keys


def _key(zone: Zone, event: Event) -> int:
    key = event._key
    if key is None:
        key = zone.key(event.at)  # a day's start; an imprecise time's earliest instant
    if not MIN_KEY <= key <= MAX_KEY:
        msg = f"{event.kind} {event.id!r}: {event.at} is outside the years 1 to 9999"
        error = TimeError(msg)
        error.event = event
        raise error
    return key


def _with_facts(
    log: Log,
    n: int,
    events: tuple[Event, ...],
    *,
    copy: bool = False,
    keys: list[int] | None = None,
) -> tuple[Log, int]:
    """The fold of the first `n` entries of `log` and `events` (in place when it can).

    `keys` are the events' keys, when the caller has them already.
    """
    if not events:
        return log, n
    if keys is None:
        keys = _keys(log, events)
    with log.lock:
        start = bisect.bisect_right(log.keys, min(keys), 0, n)
        if not copy and start == n == len(log):
            new_keys, new_events = _in_order(keys, events)
            try:
                log.fold(new_keys, new_events)
            except BaseException:
                log.truncate(n)
                raise
            return log, len(log)
        # a backfill, or an append to a timeline that was appended to already: copy the
        # prefix that stays (under the lock: another thread may be appending in place), and
        # refold the rest (the events after `start` go first at equal instants: they were
        # given earlier)
        old_keys, old_events = log.keys[start:n], log.events[start:n]
        base = log.prefix(start)
    new = {id(e) for e in events}
    merged_keys, merged_events = _in_order([*old_keys, *keys], (*old_events, *events))
    base.fold(merged_keys, merged_events, is_new=lambda e: id(e) in new)
    return base, len(base)


_set: Final = object.__setattr__
#: The kinds of fact (not corrections), exactly: a subclass goes the general way.
_FACTS: Final = frozenset(EVENT_TYPES)
_event_id: Final = operator.attrgetter("id")
_event_key: Final = operator.attrgetter("_key")
_first: Final = operator.itemgetter(0)
_second: Final = operator.itemgetter(1)


def _id_argument(value: object) -> str:
    if not isinstance(value, str):
        msg = f"an event id is a string, got {value!r:.80}"
        raise InvalidValue(msg)
    return nfc(value)


def _entry(value: object) -> tuple[Event, When | None]:
    """An entry given to `with_entries`: an `Entry`, or an (event, recorded_at) pair."""
    if isinstance(value, Entry):
        return value.event, value.recorded_at
    if isinstance(value, tuple | list) and len(value) == 2:
        return value[0], value[1]
    msg = f"an entry is an Entry or an (event, recorded_at) pair, got {value!r:.80}"
    raise InvalidValue(msg)


def _or_unrecorded(key: int | None) -> int:
    return UNRECORDED if key is None else key


def _applied(
    log: Log, n: int, events: tuple[Event, ...], retracted_before: Callable[[str], bool]
) -> tuple[Log, int]:
    """The fold after facts and corrections, in order.

    Facts go in runs, corrections one by one; always on copies, so that a refusal leaves
    `log` as it was.
    """
    retracted: set[str] = set()
    facts: list[Event] = []
    for event in events:
        if isinstance(event, CORRECTION_TYPES):
            log, n = _with_facts(log, n, tuple(facts), copy=True)
            facts = []
            log, n = _corrected(log, n, event, lambda i: retracted_before(i) or i in retracted)
            if isinstance(event, EventRetracted):
                retracted.add(event.event)
        else:
            facts.append(event)
    return _with_facts(log, n, tuple(facts), copy=True)


def _corrected(
    log: Log, n: int, correction: Event, retracted: Callable[[str], bool]
) -> tuple[Log, int]:
    """The fold after retracting or replacing one event, refolded from where it changes."""
    assert isinstance(correction, EventRetracted | EventCorrected)
    target_id = correction.event
    index = log.ids.get(target_id, n)
    if index >= n:
        if retracted(target_id):
            why = f"event {target_id!r} was already retracted"
            error: RegTimelineError = InvalidTransition(
                f"{correction.kind} {correction.id!r} refused: {why}"
            )
        else:
            error = UnknownReference(
                f"{correction.kind} {correction.id!r} refused: no event {target_id!r} was "
                "recorded before it"
            )
        error.event = correction
        raise error
    target = log.events[index]
    start = index
    before: list[Event] = []  # the replacement, when it keeps the corrected event's place
    after: list[Event] = []  # the replacement, when it moves: after what is already there
    if isinstance(correction, EventCorrected):
        moved_to = _keys(log, [correction.replacement])[0]
        if moved_to == log.keys[index]:
            before = [correction.replacement]
        else:
            after = [correction.replacement]
            start = min(index, bisect.bisect_right(log.keys, moved_to, 0, n))
    events = [*log.events[start:index], *before, *log.events[index + 1 : n], *after]
    with log.lock:
        base = log.prefix(start)
    try:
        merged_keys, merged_events = _in_order(_keys(log, events), events)
        base.fold(merged_keys, merged_events)
    except RegTimelineError as exc:
        msg = (
            f"{correction.kind} {correction.id!r} of {target.kind} {target.id!r} refused: "
            f"the corrected history is not valid: {exc}"
        )
        error = InvalidTransition(msg) if not isinstance(exc, TimeError) else TimeError(msg)
        error.event = correction
        raise error from None
    return base, len(base)


def _in_order(keys: list[int], events: Sequence[Event]) -> tuple[list[int], list[Event]]:
    """Keys and events sorted by key, stably (same-instant events keep their order)."""
    if keys == sorted(keys):  # in order already (a sorted run costs one pass to check)
        return keys, list(events)
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return [keys[i] for i in order], [events[i] for i in order]


#: The kinds of event that change restrictions (with time, at `ends`).
RESTRICTION_KINDS: Final = frozenset(
    {
        "throttle_imposed",
        "throttle_lifted",
        "block_imposed",
        "block_lifted",
        "delisting_imposed",
        "delisting_lifted",
    }
)


def _shape(r: Throttle | Block | Delisting) -> tuple[object, ...]:
    """What a restriction covers now: a change starts a new spell."""
    return (r.scope, getattr(r, "stores", None), getattr(r, "parts", None))
