"""The fold: events applied in time order to a compact, shared, append-only record.

A `_Log` keeps, for every applied event, its key (UTC microseconds), the event and a small
snapshot (`_Snap`) of the state right after it: active throttles and block, counters, fines
and how many deadlines exist. Deadlines, which only grow, live in `_Track`s (one per
deadline, holding its versions and the index of the event that made each). The status after
the first ``i`` events is therefore read, not replayed: ``snaps[i - 1]`` plus the version of
each of the first ``snaps[i - 1].n_tracks`` tracks made before event ``i``.

Timelines share a log and each reads only its own prefix ``[0, n)``. Appending in time order
to the newest timeline extends the log in place (O(1) amortised); any other append copies
the prefix it keeps and refolds from the insertion point only. A refused append truncates
what it added: nothing visible to any timeline changes.
"""

from __future__ import annotations

import array
import bisect
import decimal
import threading
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Final

import pendulum

from ._enums import Consequence, DeadlineState, Phase
from ._events import (
    BlockImposed,
    BlockLifted,
    ContentRemoved,
    DeadlineExtended,
    DeadlineMet,
    DeadlineSet,
    DeadlineWithdrawn,
    Event,
    FineImposed,
    Statement,
    TakedownRequested,
    ThrottleImposed,
    ThrottleLifted,
    WarningIssued,
)
from ._rules import RULES
from ._scope import Scope
from ._status import Block, Deadline, Extension, Period, Throttle
from ._time import Moment, Zone
from .errors import (
    InvalidTransition,
    InvalidValue,
    RegTimelineError,
    TimeError,
    UnknownReference,
)

__all__ = ["Log"]

_EMPTY_FINES: Final[Mapping[str, decimal.Decimal]] = types.MappingProxyType({})


class _ThrottleRec:
    """An active throttle (after partial lifts, its remaining scope)."""

    __slots__ = ("ends", "id", "public", "rate", "scope", "since")

    def __init__(
        self, id: str, since: int, scope: Scope, rate: str | None, ends: int | None
    ) -> None:
        self.id = id
        self.since = since
        self.scope = scope
        self.rate = rate
        self.ends = ends
        self.public: Throttle | None = None

    def narrowed(self, scope: Scope) -> _ThrottleRec:
        return _ThrottleRec(self.id, self.since, scope, self.rate, self.ends)


class _BlockRec:
    __slots__ = ("ends", "id", "public", "scope", "since")

    def __init__(self, id: str, since: int, scope: Scope, ends: int | None) -> None:
        self.id = id
        self.since = since
        self.scope = scope
        self.ends = ends
        self.public: Block | None = None


class _DeadlineRec:
    """One version of a deadline: made by one event, valid until the next version."""

    __slots__ = (
        "closed",
        "closed_at",
        "closed_by",
        "consequence",
        "demand",
        "due",
        "extensions",
        "id",
        "original_due",
        "public",
        "set_at",
    )

    def __init__(
        self,
        id: str,
        set_at: int,
        original_due: int,
        due: int,
        extensions: tuple[tuple[str, int, int, int], ...],
        demand: str,
        consequence: Consequence | None,
        closed: DeadlineState | None = None,
        closed_at: int | None = None,
        closed_by: str | None = None,
    ) -> None:
        self.id = id
        self.set_at = set_at
        self.original_due = original_due
        self.due = due
        self.extensions = extensions
        self.demand = demand
        self.consequence = consequence
        self.closed = closed
        self.closed_at = closed_at
        self.closed_by = closed_by
        self.public: dict[DeadlineState, Deadline] = {}

    def state_at(self, key: int) -> DeadlineState:
        if self.closed is not None:
            return self.closed
        return DeadlineState.OVERDUE if key > self.due else DeadlineState.PENDING

    def extended(self, by: str, at: int, due: int) -> _DeadlineRec:
        return _DeadlineRec(
            self.id,
            self.set_at,
            self.original_due,
            due,
            (*self.extensions, (by, at, self.due, due)),
            self.demand,
            self.consequence,
        )

    def closed_as(self, state: DeadlineState, at: int, by: str) -> _DeadlineRec:
        return _DeadlineRec(
            self.id,
            self.set_at,
            self.original_due,
            self.due,
            self.extensions,
            self.demand,
            self.consequence,
            state,
            at,
            by,
        )


class _Track:
    """Every version of one deadline, with the index of the event that made each."""

    __slots__ = ("id", "made_by", "versions")

    def __init__(self, id: str) -> None:
        self.id = id
        self.versions: list[_DeadlineRec] = []
        self.made_by: list[int] = []

    def before(self, i: int) -> _DeadlineRec:
        """The version after the first `i` events (the track must exist by then)."""
        return self.versions[bisect.bisect_left(self.made_by, i) - 1]

    def copy_before(self, i: int) -> _Track:
        track = _Track(self.id)
        cut = bisect.bisect_left(self.made_by, i)
        track.versions = self.versions[:cut]
        track.made_by = self.made_by[:cut]
        return track


class _Keep:
    """Marks a part of a snapshot that `_Snap.but` keeps."""


_KEEP: Final = _Keep()


class _Snap:
    """The restrictions and deadlines right after one event.

    Restrictions are not yet pruned for later instants. A snapshot is shared by consecutive
    events that change neither restrictions nor deadlines: most events only count.
    """

    __slots__ = ("block", "fines", "n_tracks", "open_deadlines", "throttles")

    def __init__(
        self,
        throttles: tuple[_ThrottleRec, ...],
        block: _BlockRec | None,
        open_deadlines: int,
        n_tracks: int,
        fines: Mapping[str, decimal.Decimal],
    ) -> None:
        self.throttles = throttles
        self.block = block
        self.open_deadlines = open_deadlines
        self.n_tracks = n_tracks
        self.fines = fines

    def but(
        self,
        *,
        throttles: tuple[_ThrottleRec, ...] | None = None,
        block: _BlockRec | _Keep | None = _KEEP,
        open_deadlines: int | None = None,
        n_tracks: int | None = None,
        fines: Mapping[str, decimal.Decimal] | None = None,
    ) -> _Snap:
        """A copy with the given parts changed."""
        return _Snap(
            self.throttles if throttles is None else throttles,
            self.block if isinstance(block, _Keep) else block,
            self.open_deadlines if open_deadlines is None else open_deadlines,
            self.n_tracks if n_tracks is None else n_tracks,
            self.fines if fines is None else fines,
        )


_NO_COUNTS: Final = (0, 0, 0)
_START: Final = _Snap((), None, 0, 0, _EMPTY_FINES)


def _active_throttles(snap: _Snap, key: int) -> tuple[_ThrottleRec, ...]:
    throttles = snap.throttles
    if all(t.ends is None or key <= t.ends for t in throttles):
        return throttles
    return tuple(t for t in throttles if t.ends is None or key <= t.ends)


def _active_block(snap: _Snap, key: int) -> _BlockRec | None:
    block = snap.block
    if block is not None and (block.ends is None or key <= block.ends):
        return block
    return None


def _phase(snap: _Snap, key: int) -> Phase:
    """The phase at `key` of the state `snap` (its restrictions may have run out by then)."""
    block = snap.block
    if block is not None and (block.ends is None or key <= block.ends):
        return Phase.BLOCKED
    for throttle in snap.throttles:
        if throttle.ends is None or key <= throttle.ends:
            return Phase.THROTTLED
    return Phase.WARNED if snap.open_deadlines else Phase.CLEAR


class Log:
    """The shared record behind timelines of one dispute (see the module docstring)."""

    __slots__ = (
        "counts",
        "events",
        "ids",
        "keys",
        "lock",
        "snaps",
        "tally",
        "track_of",
        "tracks",
        "zone",
    )

    def __init__(self, zone: Zone) -> None:
        self.zone = zone
        # the instants of the entries: int64s in one block (a status_at search over a
        # million of them touches 20 of its cache lines, not 20 scattered int objects)
        self.keys = array.array("q")
        self.events: list[Event] = []
        self.snaps: list[_Snap] = []
        # running totals after each event (plain integers, no objects to collect)
        # warnings, requested and removed items after each entry, three numbers an entry
        self.counts = array.array("q")
        self.tally = array.array("q", _NO_COUNTS)  # the three after the last entry
        self.ids: dict[str, int] = {}
        self.tracks: list[_Track] = []
        self.track_of: dict[str, _Track] = {}
        self.lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.keys)

    # --- building --------------------------------------------------------------------------

    def prefix(self, n: int) -> Log:
        """A new log holding a copy of the first `n` entries of this one."""
        log = Log(self.zone)
        log.keys = self.keys[:n]
        log.events = self.events[:n]
        log.snaps = self.snaps[:n]
        log.counts = self.counts[: 3 * n]
        log.tally = log.totals(n)
        if 2 * n > len(self.keys):
            log.ids = dict(self.ids)
            for event in self.events[n:]:
                log.ids.pop(event.id, None)
        else:
            log.ids = {e.id: i for i, e in enumerate(log.events)}
        n_tracks = self.snaps[n - 1].n_tracks if n else 0
        log.tracks = [t.copy_before(n) for t in self.tracks[:n_tracks]]
        log.track_of = {t.id: t for t in log.tracks}
        return log

    def truncate(self, n: int) -> None:
        """Forget every entry from index `n` on (undo of a refused append)."""
        for event in self.events[n:]:
            if self.ids.get(event.id, -1) >= n:
                del self.ids[event.id]
        del self.keys[n:], self.events[n:], self.snaps[n:]
        del self.counts[3 * n :]
        self.tally = self.totals(n)
        n_tracks = self.snaps[n - 1].n_tracks if n else 0
        for track in self.tracks[n_tracks:]:
            del self.track_of[track.id]
        del self.tracks[n_tracks:]
        for track in self.tracks:
            if track.made_by and track.made_by[-1] >= n:
                cut = bisect.bisect_left(track.made_by, n)
                del track.versions[cut:], track.made_by[cut:]

    def totals(self, n: int) -> array.array[int]:
        """Warnings, requested and removed items after the first `n` entries."""
        return self.counts[3 * n - 3 : 3 * n] if n else array.array("q", _NO_COUNTS)

    def fold(
        self,
        keys_in: Sequence[int],
        events_in: Sequence[Event],
        is_new: Callable[[Event], bool] | None = None,
    ) -> None:
        """Apply `events_in` at `keys_in`, already in order, at the end of this log.

        Raises the error of the first event refused; the caller truncates.
        """
        snaps, ids, counts, tally = self.snaps, self.ids, self.counts, self.tally
        snap = snaps[-1] if snaps else _START
        index = len(self.keys)
        # handlers look up earlier entries by id (set below, one at a time), never by
        # position from the end: keys and events can go in first, as one step each
        self.keys.extend(keys_in)
        self.events.extend(events_in)
        for key, event in zip(keys_in, events_in, strict=True):
            try:
                snap = _HANDLERS[type(event)](self, event, key, snap, index)
            except OverflowError:  # a count beyond what an int64 total holds
                msg = (
                    f"{self.describe(event, key)} refused: the total of items would pass 2**63 - 1"
                )
                error = InvalidValue(msg)
                error.event = event
                raise error from None
            except RegTimelineError as exc:
                if is_new is not None and not is_new(event):
                    msg = f"it would invalidate the later {self.describe(event, key)}: {exc}"
                    exc = type(exc)(msg)
                    exc.event = event
                    raise exc from None
                exc.event = event
                raise
            snaps.append(snap)
            counts.extend(tally)
            ids[event.id] = index
            index += 1

    # --- messages --------------------------------------------------------------------------

    def describe(self, event: Event, key: int) -> str:
        """``kind 'id' at 2021-03-10T00:00:00+03:00``: how errors name an event."""
        try:
            when = self.zone.to_datetime(key).isoformat()
        except TimeError:
            when = str(event.at)
        return f"{event.kind} {event.id!r} at {when}"

    def when(self, key: int) -> str:
        return self.zone.to_datetime(key).isoformat()

    def refuse(
        self, event: Event, key: int, state: str, why: str, error: type[RegTimelineError]
    ) -> RegTimelineError:
        return error(f"{self.describe(event, key)} refused: {state}; {why}")

    def check_phase(self, event: Event, key: int, snap: _Snap) -> Phase:
        phase = _phase(snap, key)
        allowed = RULES[type(event)].phases
        if phase not in allowed:
            names = " or ".join(p.name for p in sorted(allowed))
            raise self.refuse(
                event,
                key,
                f"the dispute is {phase.name} at that time",
                f"{event.kind} is accepted only when it is {names}",
                InvalidTransition,
            )
        return phase

    def check_after(self, event: Event, key: int, value: Moment, field: str) -> int:
        """The key of a `due` or `ends` (a bare day means its end), which must follow `key`."""
        target = self.zone.key(value, end=True)
        if target <= key:
            raise self.refuse(
                event,
                key,
                f"its {field} {value} is {self.when(target)}",
                f"{field} must be after the event's own time",
                InvalidTransition,
            )
        return target

    def open_deadline(
        self,
        event: Event,
        key: int,
        index: int,
        due: int,
        demand: str,
        consequence: Consequence | None,
    ) -> None:
        track = _Track(event.id)
        track.versions.append(_DeadlineRec(event.id, key, due, due, (), demand, consequence))
        track.made_by.append(index)
        self.tracks.append(track)
        self.track_of[event.id] = track

    def open_version(
        self, event: Event, key: int, deadline_id: str, field: str
    ) -> tuple[_Track, _DeadlineRec]:
        """The current version of an open deadline that `event` acts on, or a refusal."""
        track = self.track_of.get(deadline_id)
        if track is None:
            known = ", ".join(repr(t) for t in self.track_of) or "none"
            raise self.refuse(
                event,
                key,
                f"its {field} {deadline_id!r} names no deadline opened before it",
                f"known deadlines: {known}",
                UnknownReference,
            )
        version = track.versions[-1]
        state = version.state_at(key)
        if state not in RULES[type(event)].deadline_from:
            raise self.refuse(
                event,
                key,
                f"deadline {deadline_id!r} is {state.name} since {self.when(version.closed_at)}"
                if version.closed_at is not None
                else f"deadline {deadline_id!r} is {state.name}",
                "only an open (PENDING or OVERDUE) deadline can be acted on",
                InvalidTransition,
            )
        return track, version

    def close_deadline(
        self, event: Event, key: int, index: int, deadline_id: str, state: DeadlineState
    ) -> None:
        field = "deadline" if state is not DeadlineState.ENFORCED else "enforces"
        track, version = self.open_version(event, key, deadline_id, field)
        track.versions.append(version.closed_as(state, key, event.id))
        track.made_by.append(index)

    # --- reading ---------------------------------------------------------------------------

    # The `StatusSource` protocol: what a Status computes when a value is first read.

    def _snap(self, i: int) -> _Snap:
        return self.snaps[i - 1] if i else _START

    def status_at_key(self, key: int) -> pendulum.DateTime:
        return self.zone.to_datetime(key)

    def status_phase(self, i: int, key: int) -> Phase:
        return _phase(self._snap(i), key)

    def status_throttles(self, i: int, key: int) -> tuple[Throttle, ...]:
        return tuple(self._public_throttle(t) for t in _active_throttles(self._snap(i), key))

    def status_block(self, i: int, key: int) -> Block | None:
        block = _active_block(self._snap(i), key)
        return None if block is None else self._public_block(block)

    def status_deadlines(self, i: int, key: int) -> tuple[Deadline, ...]:
        public = self._public_deadline
        return tuple(public(t.before(i), key) for t in self.tracks[: self._snap(i).n_tracks])

    def status_counts(self, i: int) -> tuple[int, int, int, Mapping[str, decimal.Decimal]]:
        warnings, requested, removed = self.totals(i)
        return warnings, requested, removed, self._snap(i).fines

    def status_last_event(self, i: int) -> Event | None:
        return self.events[i - 1] if i else None

    def history(self, n: int) -> tuple[Period, ...]:
        """Periods of constant phase over the first `n` entries, the last one open."""
        keys, snaps, events = self.keys, self.snaps, self.events
        periods: list[tuple[int, Phase, str | None]] = []
        for i in range(n):
            key = keys[i]
            if i + 1 < n and keys[i + 1] == key:
                continue  # only the state after the last event at an instant is seen
            snap = snaps[i]
            phase = _phase(snap, key)
            if not periods or periods[-1][1] is not phase:
                periods.append((key, phase, events[i].id))
            horizon = keys[i + 1] if i + 1 < n else None
            runs_out = {
                r.ends + 1
                for r in (*snap.throttles, snap.block)
                if r is not None and r.ends is not None and r.ends >= key
            }
            for boundary in sorted(runs_out):
                if horizon is not None and boundary >= horizon:
                    break
                phase = _phase(snap, boundary)
                if periods[-1][1] is not phase:
                    periods.append((boundary, phase, None))
        to_dt = self.zone.to_datetime
        return tuple(
            Period(
                start=to_dt(start),
                end=to_dt(periods[j + 1][0]) if j + 1 < len(periods) else None,
                phase=phase,
                cause=cause,
            )
            for j, (start, phase, cause) in enumerate(periods)
        )

    def _public_throttle(self, rec: _ThrottleRec) -> Throttle:
        if rec.public is None:
            to_dt = self.zone.to_datetime
            rec.public = Throttle(
                id=rec.id,
                since=to_dt(rec.since),
                scope=rec.scope,
                rate=rec.rate,
                ends=None if rec.ends is None else to_dt(rec.ends),
            )
        return rec.public

    def _public_block(self, rec: _BlockRec) -> Block:
        if rec.public is None:
            to_dt = self.zone.to_datetime
            rec.public = Block(
                id=rec.id,
                since=to_dt(rec.since),
                scope=rec.scope,
                ends=None if rec.ends is None else to_dt(rec.ends),
            )
        return rec.public

    def _public_deadline(self, rec: _DeadlineRec, key: int) -> Deadline:
        state = rec.state_at(key)
        public = rec.public.get(state)
        if public is None:
            to_dt = self.zone.to_datetime
            public = rec.public[state] = Deadline(
                id=rec.id,
                state=state,
                due=to_dt(rec.due),
                original_due=to_dt(rec.original_due),
                extensions=tuple(
                    Extension(id=by, at=to_dt(at), previous_due=to_dt(prev), due=to_dt(due))
                    for by, at, prev, due in rec.extensions
                ),
                set_at=to_dt(rec.set_at),
                demand=rec.demand,
                consequence=rec.consequence,
                closed_at=None if rec.closed_at is None else to_dt(rec.closed_at),
                closed_by=rec.closed_by,
            )
        return public


# --- the rule of each event -----------------------------------------------------------------

_Handler = Callable[[Log, Event, int, _Snap, int], _Snap]


def _warning(log: Log, ev: Event, key: int, snap: _Snap, index: int) -> _Snap:
    assert isinstance(ev, WarningIssued)
    if ev.due is None:
        log.tally[0] += 1
        return snap
    due = log.check_after(ev, key, ev.due, "due")
    log.open_deadline(ev, key, index, due, ev.text, ev.consequence)
    log.tally[0] += 1
    return snap.but(open_deadlines=snap.open_deadlines + 1, n_tracks=snap.n_tracks + 1)


def _deadline_set(log: Log, ev: Event, key: int, snap: _Snap, index: int) -> _Snap:
    assert isinstance(ev, DeadlineSet)
    due = log.check_after(ev, key, ev.due, "due")
    log.open_deadline(ev, key, index, due, ev.demand, ev.consequence)
    return snap.but(open_deadlines=snap.open_deadlines + 1, n_tracks=snap.n_tracks + 1)


def _deadline_extended(log: Log, ev: Event, key: int, snap: _Snap, index: int) -> _Snap:
    assert isinstance(ev, DeadlineExtended)
    track, version = log.open_version(ev, key, ev.deadline, "deadline")
    if ev.by is not None:
        try:
            due = log.zone.shift(version.due, ev.by)
        except TimeError as exc:
            raise log.refuse(ev, key, f"deadline {ev.deadline!r}", str(exc), TimeError) from None
        asked = f"by {ev.by}"
    else:
        assert ev.due is not None
        due = log.zone.key(ev.due, end=True)
        asked = f"to {ev.due}"
    if due <= version.due:
        raise log.refuse(
            ev,
            key,
            f"deadline {ev.deadline!r} is due {log.when(version.due)}",
            f"extending it {asked} gives {log.when(due)}, which is not later",
            InvalidTransition,
        )
    track.versions.append(version.extended(ev.id, key, due))
    track.made_by.append(index)
    return snap


def _closer(state: DeadlineState) -> _Handler:
    def close(log: Log, ev: Event, key: int, snap: _Snap, index: int) -> _Snap:
        assert isinstance(ev, DeadlineMet | DeadlineWithdrawn)
        log.close_deadline(ev, key, index, ev.deadline, state)
        return snap.but(open_deadlines=snap.open_deadlines - 1)

    return close


def _enforce(log: Log, ev: ThrottleImposed | BlockImposed, key: int, index: int) -> int:
    if ev.enforces is None:
        return 0
    log.close_deadline(ev, key, index, ev.enforces, DeadlineState.ENFORCED)
    return 1


def _throttle_imposed(log: Log, ev: Event, key: int, snap: _Snap, index: int) -> _Snap:
    assert isinstance(ev, ThrottleImposed)
    log.check_phase(ev, key, snap)
    ends = None if ev.ends is None else log.check_after(ev, key, ev.ends, "ends")
    closed = _enforce(log, ev, key, index)
    throttle = _ThrottleRec(ev.id, key, ev.scope, ev.rate, ends)
    return snap.but(
        throttles=(*_active_throttles(snap, key), throttle),
        block=None,
        open_deadlines=snap.open_deadlines - closed,
    )


def _lift_scope(log: Log, ev: Event, key: int, rec: _ThrottleRec, lift: Scope) -> Scope | None:
    """What remains of `rec` after lifting `lift` (None: nothing), or a refusal."""
    have = rec.scope
    networks = have.networks if lift.covers_all_networks else lift.networks
    services = have.services if lift.services is None else lift.services
    problem = ""
    if not networks <= have.networks:
        problem = f"it names networks {sorted(networks - have.networks)} that it does not cover"
    elif have.services is None and services is not None:
        problem = (
            f"it lifts services {sorted(services)} from a throttle on all services, which "
            "would leave 'all but these', a scope that cannot be named"
        )
    elif have.services is not None and services is not None and not services <= have.services:
        problem = f"it names services {sorted(services - have.services)} that it does not cover"
    if problem:
        raise log.refuse(ev, key, f"throttle {rec.id!r} covers {have}", problem, InvalidTransition)
    all_networks = networks == have.networks
    all_services = services == have.services
    if all_networks and all_services:
        return None
    if all_networks:
        assert have.services is not None
        assert services is not None
        return Scope(networks=have.networks, services=have.services - services)
    if all_services:
        return Scope(networks=have.networks - networks, services=have.services)
    raise log.refuse(
        ev,
        key,
        f"throttle {rec.id!r} covers {have}",
        f"lifting {lift} would leave a scope that is not one set of networks times one set "
        "of services; lift whole networks or whole services, one event each",
        InvalidTransition,
    )


def _throttle_lifted(log: Log, ev: Event, key: int, snap: _Snap, index: int) -> _Snap:
    assert isinstance(ev, ThrottleLifted)
    log.check_phase(ev, key, snap)
    active = _active_throttles(snap, key)
    if ev.throttle is None:
        targets = active
    else:
        targets = tuple(t for t in active if t.id == ev.throttle)
        if not targets:
            at = log.ids.get(ev.throttle)
            if at is None or not isinstance(log.events[at], ThrottleImposed):
                raise log.refuse(
                    ev,
                    key,
                    f"no throttle {ev.throttle!r} was imposed before it",
                    "active throttles: " + ", ".join(repr(t.id) for t in active),
                    UnknownReference,
                )
            raise log.refuse(
                ev,
                key,
                f"throttle {ev.throttle!r} is no longer active (lifted, run out or superseded)",
                "active throttles: " + ", ".join(repr(t.id) for t in active),
                InvalidTransition,
            )
    remaining: list[_ThrottleRec] = []
    for rec in active:
        if rec not in targets:
            remaining.append(rec)
        elif ev.scope is not None:
            left = _lift_scope(log, ev, key, rec, ev.scope)
            if left is not None:
                remaining.append(rec.narrowed(left))
    return snap.but(throttles=tuple(remaining))


def _block_imposed(log: Log, ev: Event, key: int, snap: _Snap, index: int) -> _Snap:
    assert isinstance(ev, BlockImposed)
    log.check_phase(ev, key, snap)
    ends = None if ev.ends is None else log.check_after(ev, key, ev.ends, "ends")
    closed = _enforce(log, ev, key, index)
    return snap.but(
        throttles=(),
        block=_BlockRec(ev.id, key, ev.scope, ends),
        open_deadlines=snap.open_deadlines - closed,
    )


def _block_lifted(log: Log, ev: Event, key: int, snap: _Snap, index: int) -> _Snap:
    log.check_phase(ev, key, snap)
    return snap.but(block=None)


def _takedown(log: Log, ev: Event, key: int, snap: _Snap, index: int) -> _Snap:
    assert isinstance(ev, TakedownRequested)
    log.tally[1] += ev.items
    return snap


def _removed(log: Log, ev: Event, key: int, snap: _Snap, index: int) -> _Snap:
    assert isinstance(ev, ContentRemoved)
    if ev.request is not None:
        at = log.ids.get(ev.request)
        if at is None or not isinstance(log.events[at], TakedownRequested):
            raise log.refuse(
                ev,
                key,
                f"its request {ev.request!r} names no takedown request made before it",
                "link it to an earlier TakedownRequested id, or leave `request` out",
                UnknownReference,
            )
    log.tally[2] += ev.items
    return snap


def _fine(log: Log, ev: Event, key: int, snap: _Snap, index: int) -> _Snap:
    assert isinstance(ev, FineImposed)
    fines = dict(snap.fines)
    fines[ev.currency] = fines.get(ev.currency, decimal.Decimal(0)) + ev.amount
    return snap.but(fines=types.MappingProxyType(fines))


def _statement(log: Log, ev: Event, key: int, snap: _Snap, index: int) -> _Snap:
    return snap


_HANDLERS: Final[dict[type[Event], _Handler]] = {
    WarningIssued: _warning,
    DeadlineSet: _deadline_set,
    DeadlineExtended: _deadline_extended,
    DeadlineMet: _closer(DeadlineState.MET),
    DeadlineWithdrawn: _closer(DeadlineState.WITHDRAWN),
    ThrottleImposed: _throttle_imposed,
    ThrottleLifted: _throttle_lifted,
    BlockImposed: _block_imposed,
    BlockLifted: _block_lifted,
    TakedownRequested: _takedown,
    ContentRemoved: _removed,
    FineImposed: _fine,
    Statement: _statement,
}
