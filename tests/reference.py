"""A naive reference: replay every event up to t from scratch. Slow, short, obviously right.

It shares nothing with the library's fold but the event classes: its own time handling
(zoneinfo and datetime in UTC, no integer keys), its own state (dicts), its own scope
arithmetic (sets of network-service cells), written from DESIGN.md's rules table. The
differential tests check the fast path against it.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from regtimeline import (
    BlockImposed,
    BlockLifted,
    ContentRemoved,
    DeadlineExtended,
    DeadlineMet,
    DeadlineSet,
    DeadlineWithdrawn,
    Dispute,
    DuplicateEvent,
    Event,
    FineImposed,
    InvalidTransition,
    Scope,
    Statement,
    Status,
    TakedownRequested,
    ThrottleImposed,
    ThrottleLifted,
    UnknownReference,
    WarningIssued,
)

US = timedelta(microseconds=1)
NETWORKS = frozenset({"mobile", "fixed"})
OTHER = "*every other service*"  # stands for the services a scope does not name


def start_of(day: date, tz: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


def end_of(day: date, tz: ZoneInfo) -> datetime:
    return start_of(day + timedelta(days=1), tz) - US


def plain(value: datetime) -> datetime:
    """The same instant as a stdlib datetime in UTC (pendulum's subclass behaves differently)."""
    u = value.astimezone(UTC)
    return datetime(u.year, u.month, u.day, u.hour, u.minute, u.second, u.microsecond, tzinfo=UTC)


def instant(moment: date, tz: ZoneInfo, *, end: bool = False) -> datetime:
    if isinstance(moment, datetime):
        return plain(moment)
    return end_of(moment, tz) if end else start_of(moment, tz)


def shift(when: datetime, span: str, tz: ZoneInfo) -> datetime:
    m = re.fullmatch(
        r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?",
        span,
    )
    assert m, span
    years, months, days, hours, minutes = (int(g or 0) for g in m.groups()[:5])
    seconds = Decimal(m.group(6) or 0)
    wall = when.astimezone(tz)
    total = wall.year * 12 + wall.month - 1 + years * 12 + months
    year, month = divmod(total, 12)
    month += 1
    day = min(wall.day, calendar.monthrange(year, month)[1])
    moved = wall.replace(tzinfo=None, year=year, month=month, day=day) + timedelta(days=days)
    calendar_part = moved.replace(tzinfo=tz, fold=0).astimezone(UTC)
    # a wall time that does not exist (a DST gap) moves forward by the gap, as pendulum does
    exact = timedelta(hours=hours, minutes=minutes, microseconds=int(seconds * 1_000_000))
    return calendar_part + exact


@dataclass
class State:
    deadlines: dict[str, dict[str, Any]] = field(default_factory=dict)
    throttles: dict[str, dict[str, Any]] = field(default_factory=dict)
    block: dict[str, Any] | None = None
    warnings: int = 0
    requested: int = 0
    removed: int = 0
    fines: dict[str, Decimal] = field(default_factory=dict)
    last: Event | None = None
    throttle_ids: set[str] = field(default_factory=set)
    request_ids: set[str] = field(default_factory=set)

    def expire(self, t: datetime) -> None:
        for tid in [
            k for k, v in self.throttles.items() if v["ends"] is not None and v["ends"] < t
        ]:
            del self.throttles[tid]
        if self.block is not None and self.block["ends"] is not None and self.block["ends"] < t:
            self.block = None

    def phase(self) -> str:
        if self.block is not None:
            return "BLOCKED"
        if self.throttles:
            return "THROTTLED"
        if any(d["closed"] is None for d in self.deadlines.values()):
            return "WARNED"
        return "CLEAR"


def _cells(networks: frozenset[str], services: frozenset[str]) -> set[tuple[str, str]]:
    return {(n, s) for n in networks for s in services}


def lift(have: Scope, lifted: Scope, universe: frozenset[str]) -> Scope | None:
    """What remains of `have` after lifting `lifted` (None: nothing). Raises ValueError."""
    have_services = universe if have.services is None else have.services
    net = have.networks if lifted.networks == NETWORKS else lifted.networks
    svc = have_services if lifted.services is None else lifted.services
    if not net <= have.networks or not svc <= have_services:
        msg = "not covered"
        raise ValueError(msg)
    left = _cells(have.networks, have_services) - _cells(net, svc)
    if not left:
        return None
    nets = frozenset(n for n, _ in left)
    svcs = frozenset(s for _, s in left)
    if _cells(nets, svcs) != left:
        msg = "not a product"
        raise ValueError(msg)
    if OTHER in svcs:
        if svcs != universe:
            msg = "all but some services"
            raise ValueError(msg)
        return Scope(networks=nets, services=None)
    return Scope(networks=nets, services=svcs)


def _universe(events: list[Event]) -> frozenset[str]:
    names = {OTHER}
    for e in events:
        for scope in (getattr(e, "scope", None),):
            if scope is not None and scope.services is not None:
                names |= scope.services
    return frozenset(names)


def _open(state: State, deadline_id: str, t: datetime, refs: type[Exception]) -> dict[str, Any]:
    if deadline_id not in state.deadlines:
        raise refs(deadline_id)
    d = state.deadlines[deadline_id]
    if d["closed"] is not None:
        raise InvalidTransition(deadline_id)
    return d


def apply(state: State, e: Event, t: datetime, tz: ZoneInfo, universe: frozenset[str]) -> None:
    """Apply one event at instant t (restrictions already expired to t)."""
    if isinstance(e, WarningIssued | DeadlineSet):
        if isinstance(e, WarningIssued):
            state.warnings += 1
        if e.due is not None:
            due = instant(e.due, tz, end=True)
            if due <= t:
                raise InvalidTransition(e.id)
            state.deadlines[e.id] = {
                "due": due,
                "original_due": due,
                "set_at": t,
                "extensions": [],
                "closed": None,
                "closed_at": None,
                "closed_by": None,
            }
    elif isinstance(e, DeadlineExtended):
        d = _open(state, e.deadline, t, UnknownReference)
        new = shift(d["due"], e.by, tz) if e.by is not None else instant(e.due, tz, end=True)
        if new <= d["due"]:
            raise InvalidTransition(e.id)
        d["extensions"].append((e.id, t, d["due"], new))
        d["due"] = new
    elif isinstance(e, DeadlineMet | DeadlineWithdrawn):
        d = _open(state, e.deadline, t, UnknownReference)
        d.update(
            closed="MET" if isinstance(e, DeadlineMet) else "WITHDRAWN", closed_at=t, closed_by=e.id
        )
    elif isinstance(e, ThrottleImposed | BlockImposed):
        if state.phase() == "BLOCKED":
            raise InvalidTransition(e.id)
        ends = None if e.ends is None else instant(e.ends, tz, end=True)
        if ends is not None and ends <= t:
            raise InvalidTransition(e.id)
        if e.enforces is not None:
            d = _open(state, e.enforces, t, UnknownReference)
            d.update(closed="ENFORCED", closed_at=t, closed_by=e.id)
        if isinstance(e, ThrottleImposed):
            state.throttles[e.id] = {"since": t, "scope": e.scope, "rate": e.rate, "ends": ends}
            state.throttle_ids.add(e.id)
        else:
            state.throttles.clear()
            state.block = {"id": e.id, "since": t, "scope": e.scope, "ends": ends}
    elif isinstance(e, ThrottleLifted):
        if state.phase() != "THROTTLED":
            raise InvalidTransition(e.id)
        if e.throttle is not None and e.throttle not in state.throttles:
            raise (InvalidTransition if e.throttle in state.throttle_ids else UnknownReference)(
                e.id
            )
        targets = list(state.throttles) if e.throttle is None else [e.throttle]
        for tid in targets:
            if e.scope is None:
                del state.throttles[tid]
                continue
            try:
                left = lift(state.throttles[tid]["scope"], e.scope, universe)
            except ValueError:
                raise InvalidTransition(e.id) from None
            if left is None:
                del state.throttles[tid]
            else:
                state.throttles[tid]["scope"] = left
    elif isinstance(e, BlockLifted):
        if state.block is None:
            raise InvalidTransition(e.id)
        state.block = None
    elif isinstance(e, TakedownRequested):
        state.requested += e.items
        state.request_ids.add(e.id)
    elif isinstance(e, ContentRemoved):
        if e.request is not None and e.request not in state.request_ids:
            raise UnknownReference(e.id)
        state.removed += e.items
    elif isinstance(e, FineImposed):
        state.fines[e.currency] = state.fines.get(e.currency, Decimal(0)) + e.amount
    else:
        assert isinstance(e, Statement)
    state.last = e


def ordered(dispute: Dispute, events: list[Event]) -> list[tuple[datetime, Event]]:
    tz = ZoneInfo(dispute.timezone)
    seen: set[str] = set()
    for e in events:
        if e.id in seen:
            raise DuplicateEvent(e.id)
        seen.add(e.id)
    timed = [(instant(e.at, tz), e) for e in events]
    return sorted(timed, key=lambda pair: pair[0])  # stable


def replay(dispute: Dispute, events: list[Event], until: datetime | None = None) -> State:
    """The state after every event at or before `until` (all events if None), expired to
    `until`. Raises the library's error classes for a refused event (validating all)."""
    tz = ZoneInfo(dispute.timezone)
    universe = _universe(events)
    state = State()
    for t, e in ordered(dispute, events):
        if until is not None and t > until:
            break
        state.expire(t)
        apply(state, e, t, tz, universe)
    if until is not None:
        state.expire(until)
    return state


def validate(dispute: Dispute, events: list[Event]) -> None:
    """Raise what the library must raise for these events, or nothing."""
    replay(dispute, events)


def deadline_state(d: dict[str, Any], t: datetime) -> str:
    if d["closed"] is not None:
        return d["closed"]
    return "OVERDUE" if t > d["due"] else "PENDING"


def expected(dispute: Dispute, events: list[Event], t: datetime) -> dict[str, Any]:
    """The status at instant t, as plain comparable data."""
    t = plain(t)
    s = replay(dispute, events, t)
    return {
        "at": t,
        "phase": s.phase(),
        "throttles": [
            (k, v["since"], v["scope"], v["rate"], v["ends"]) for k, v in s.throttles.items()
        ],
        "block": None
        if s.block is None
        else (s.block["id"], s.block["since"], s.block["scope"], s.block["ends"]),
        "deadlines": [
            (
                k,
                deadline_state(d, t),
                d["due"],
                d["original_due"],
                d["extensions"],
                d["set_at"],
                d["closed_at"],
                d["closed_by"],
            )
            for k, d in s.deadlines.items()
        ],
        "warnings": s.warnings,
        "requested": s.requested,
        "removed": s.removed,
        "fines": dict(s.fines),
        "last": None if s.last is None else s.last.id,
    }


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else plain(value)


def actual(status: Status) -> dict[str, Any]:
    """The library's status as the same plain data as `expected`."""
    return {
        "at": _utc(status.at),
        "phase": status.phase.name,
        "throttles": [
            (t.id, _utc(t.since), t.scope, t.rate, _utc(t.ends)) for t in status.throttles
        ],
        "block": None
        if status.block is None
        else (
            status.block.id,
            _utc(status.block.since),
            status.block.scope,
            _utc(status.block.ends),
        ),
        "deadlines": [
            (
                d.id,
                d.state.name,
                _utc(d.due),
                _utc(d.original_due),
                [(x.id, _utc(x.at), _utc(x.previous_due), _utc(x.due)) for x in d.extensions],
                _utc(d.set_at),
                _utc(d.closed_at),
                d.closed_by,
            )
            for d in status.deadlines
        ],
        "warnings": status.warnings,
        "requested": status.items_requested,
        "removed": status.items_removed,
        "fines": dict(status.fines),
        "last": None if status.last_event is None else status.last_event.id,
    }


def expected_history(
    dispute: Dispute, events: list[Event]
) -> list[tuple[datetime, str, str | None]]:
    """Periods (start, phase, cause) by asking the phase at every instant that may change it."""
    tz = ZoneInfo(dispute.timezone)
    timed = ordered(dispute, events)
    if not timed:
        return []
    candidates: dict[datetime, str | None] = {}
    for t, e in timed:
        candidates[t] = e.id  # the last event at an instant is the cause
    for _, e in timed:
        ends = getattr(e, "ends", None)
        if ends is not None:
            candidates.setdefault(instant(ends, tz, end=True) + US, None)
    periods: list[tuple[datetime, str, str | None]] = []
    first = timed[0][0]
    for c in sorted(candidates):
        if c < first:
            continue
        phase = replay(dispute, events, c).phase()
        if not periods or periods[-1][1] != phase:
            periods.append((c, phase, candidates[c]))
    return periods
