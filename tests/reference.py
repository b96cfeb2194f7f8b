"""A naive reference: replay every event up to t from scratch. Slow, short, obviously right.

It shares nothing with the library's fold but the event classes: its own time handling
(zoneinfo and datetime in UTC, no integer keys), its own state (dicts), its own scope
arithmetic (finite sets of cells: each dimension's named values plus one "every other
value"), its own window membership, written from DESIGN.md's rules table. The differential
tests check the fast path against it.
"""

from __future__ import annotations

import calendar
import itertools
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, localcontext
from fractions import Fraction
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
    DelistingImposed,
    DelistingLifted,
    Dispute,
    DuplicateEvent,
    Event,
    FineCancelled,
    FineImposed,
    FinePaid,
    InvalidTransition,
    InvalidValue,
    Scope,
    Statement,
    Status,
    TakedownRequested,
    ThrottleImposed,
    ThrottleLifted,
    UnknownReference,
    WarningIssued,
    Window,
)

US = timedelta(microseconds=1)
NETWORKS = frozenset({"mobile", "fixed"})
OTHER = "*every other value*"  # stands for the values no event names in a dimension
CODE = re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}")
IMPOSE = {ThrottleImposed: "throttle", BlockImposed: "block", DelistingImposed: "delisting"}
LIFT = {ThrottleLifted: "throttle", BlockLifted: "block", DelistingLifted: "delisting"}
RANK = {"block": "BLOCKED", "throttle": "THROTTLED", "delisting": "DELISTED"}


def start_of(day: date, tz: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


def end_of(day: date, tz: ZoneInfo) -> datetime:
    return start_of(day + timedelta(days=1), tz) - US


def plain(value: datetime) -> datetime:
    """The same instant as a stdlib datetime in UTC (pendulum's subclass behaves differently)."""
    u = value.astimezone(UTC)
    return datetime(u.year, u.month, u.day, u.hour, u.minute, u.second, u.microsecond, tzinfo=UTC)


# DESIGN "Imprecise times": `~` or `?` widens by one unit of the precision on each side
# (3 days for a day), `%` by two; unspecified digits X cover every value they allow.
PADDING = {"day": (0, 3), "month": (1, 0), "year": (12, 0)}


def _plus_months(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _month_end(day: date) -> date:
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def span_days(text: str) -> tuple[date, date]:
    """The first and last day an imprecise time spans, read from its text alone."""
    qualifier = text[-1] if text[-1] in "~?%" else ""
    parts = text.removesuffix(qualifier).split("-")
    first_year, last_year = int(parts[0].replace("X", "0")), int(parts[0].replace("X", "9"))
    low, high = date(first_year, 1, 1), date(last_year, 12, 31)
    unit = ("year", "month", "day")[len(parts) - 1]
    if len(parts) > 1 and parts[1] != "XX":
        low = date(first_year, int(parts[1]), 1)
        high = _month_end(low)
        if len(parts) > 2 and parts[2] != "XX":
            low = high = date(first_year, int(parts[1]), int(parts[2]))
    times = {"": 0, "~": 1, "?": 1, "%": 2}[qualifier]
    months, days = PADDING[unit]
    low = _plus_months(low, -months * times) - timedelta(days=days * times)
    high = _plus_months(high, months * times) + timedelta(days=days * times)
    if unit != "day":
        high = _month_end(high)
    return low, high


def vague(moment: object) -> bool:
    """Whether a time is imprecise (the library's type, known by its text)."""
    return hasattr(moment, "text")


def span_of(moment: Any, tz: ZoneInfo) -> tuple[datetime, datetime]:
    low, high = span_days(moment.text)
    return start_of(low, tz), end_of(high, tz)


def instant(moment: date, tz: ZoneInfo, *, end: bool = False) -> datetime:
    """An `at` from its earliest instant, a `due` or `ends` (`end`) to its latest."""
    if isinstance(moment, datetime):
        return plain(moment)
    if vague(moment):
        return span_of(moment, tz)[1 if end else 0]
    return end_of(moment, tz) if end else start_of(moment, tz)


def shift(when: datetime, span: str, tz: ZoneInfo) -> datetime:
    m = re.fullmatch(
        r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?",
        span,
    )
    assert m, span
    years, months, days, hours, minutes = (int(g or 0) for g in m.groups()[:5])
    seconds = Decimal(m.group(6) or 0)
    exact = timedelta(hours=hours, minutes=minutes, microseconds=int(seconds * 1_000_000))
    if not (years or months or days):  # exact time only: the wall clock plays no part
        return when.astimezone(UTC) + exact
    wall = when.astimezone(tz)
    total = wall.year * 12 + wall.month - 1 + years * 12 + months
    year, month = divmod(total, 12)
    month += 1
    day = min(wall.day, calendar.monthrange(year, month)[1])
    moved = wall.replace(tzinfo=None, year=year, month=month, day=day) + timedelta(days=days)
    calendar_part = moved.replace(tzinfo=tz, fold=0).astimezone(UTC)
    # a wall time that does not exist (a DST gap) moves forward by the gap, as pendulum does
    return calendar_part + exact


@dataclass
class State:
    deadlines: dict[str, dict[str, Any]] = field(default_factory=dict)
    # every active restriction, in the order imposed: kind, id, since, cells, ends, window...
    restrictions: list[dict[str, Any]] = field(default_factory=list)
    warnings: int = 0
    requested: int = 0
    removed: int = 0
    fines: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> the fine
    payments: list[tuple[str, Decimal]] = field(default_factory=list)
    last: Event | None = None
    imposed: dict[str, str] = field(default_factory=dict)  # id -> kind, for lifts
    requests: dict[str, dict[str, Any]] = field(default_factory=dict)
    # every item removed under a request: (request id, removal time), one entry per item
    removed_items: list[tuple[str, datetime]] = field(default_factory=list)

    def expire(self, t: datetime) -> None:
        self.restrictions = [r for r in self.restrictions if r["ends"] is None or r["ends"] >= t]

    def active(self, kind: str) -> list[dict[str, Any]]:
        return [r for r in self.restrictions if r["kind"] == kind]

    def phase(self, t: datetime, tz: ZoneInfo, point: dict[int, str] | None = None) -> str:
        for kind in ("block", "throttle", "delisting"):
            for r in self.active(kind):
                if r["window"] is not None and not in_window(r["window"], t, tz):
                    continue
                if point is not None and not any(
                    all(
                        c[k] == v or (c[k] == OTHER and v not in r["names"][k])
                        for k, v in point.items()
                    )
                    for c in r["cells"]
                ):
                    continue
                return RANK[kind]
        if any(d["closed"] is None for d in self.deadlines.values()):
            return "WARNED"
        return "CLEAR"


def in_window(w: Window, t: datetime, tz: ZoneInfo) -> bool:
    """DESIGN: local wall clock, half-open [start, end), end <= start wraps to the next day,
    `days` the local dates a window starts on."""
    local = t.astimezone(tz)
    day, clock = local.date(), local.time().replace(fold=0)
    starts_on = (lambda d: True) if w.days is None else (lambda d: d in w.days)
    if w.start < w.end:
        return w.start <= clock < w.end and starts_on(day)
    return (clock >= w.start and starts_on(day)) or (
        clock < w.end and starts_on(day - timedelta(days=1))
    )


# --- scopes as finite sets of cells ------------------------------------------------------------

Universe = tuple[
    tuple[str, ...], ...
]  # per dimension: networks, services, regions, operators, stores


def universe_of(events: list[Event]) -> Universe:
    names: list[set[str]] = [set(NETWORKS), {OTHER}, {OTHER}, {OTHER}, {OTHER}]
    for e in events:
        scope = getattr(e, "scope", None)
        if scope is not None:
            for box in scope.boxes:
                for k, name in ((1, "services"), (2, "regions"), (3, "operators")):
                    names[k] |= getattr(box, name) or set()
                    names[k] |= getattr(box, f"{name}_except")
        stores = getattr(e, "stores", None)
        if stores is not None:
            names[4] |= stores
    return tuple(tuple(sorted(n)) for n in names)


def cells_of(
    scope: Scope | None,
    universe: Universe,
    stores: frozenset[str] | None = None,
    *,
    with_stores: bool = False,
) -> frozenset[tuple[str, ...]]:
    """The cells a scope (times its stores, for delistings) covers, over `universe`."""
    scope = Scope() if scope is None else scope
    out = set()
    for box in scope.boxes:
        dims = [[n for n in universe[0] if n in box.networks]]
        for k, name in ((1, "services"), (2, "regions"), (3, "operators")):
            named, left_out = getattr(box, name), getattr(box, f"{name}_except")
            if named is not None:
                dims.append([n for n in universe[k] if n in named])
            else:
                dims.append([n for n in universe[k] if n not in left_out])
        if with_stores:
            dims.append(
                list(universe[4]) if stores is None else [n for n in universe[4] if n in stores]
            )
        out |= set(itertools.product(*dims))
    return frozenset(out)


def _rest(cells: set[tuple[str, ...]], k: int, value: str) -> set[tuple[str, ...]]:
    """The cells whose dimension k is `value`, without that dimension."""
    return {c[:k] + c[k + 1 :] for c in cells if c[k] == value}


def minimal(cells: frozenset[tuple[str, ...]], universe: Universe, n: int) -> Any:
    """A normal form: drop, per dimension, each name whose cells are those of OTHER; the
    names kept are part of it (OTHER means "none of them")."""
    cells = set(cells)
    kept = []
    for k in range(n):
        names = set(universe[k]) - {OTHER}
        if k:
            for name in sorted(names):
                if _rest(cells, k, name) == _rest(cells, k, OTHER):
                    cells = {c for c in cells if c[k] != name}
                    names.discard(name)
        kept.append(frozenset(names))
    return tuple(kept), frozenset(cells)


def library_universe(scopes: list[Scope], stores: set[str] | None = None) -> Universe:
    """The names library scopes mention, per dimension, with OTHER."""
    names: list[set[str]] = [set(NETWORKS), {OTHER}, {OTHER}, {OTHER}, {OTHER, *(stores or ())}]
    for box in (b for scope in scopes for b in scope.boxes):
        for k, name in ((1, "services"), (2, "regions"), (3, "operators")):
            names[k] |= getattr(box, name) or set()
            names[k] |= getattr(box, f"{name}_except")
    return tuple(tuple(sorted(n)) for n in names)


def _open(state: State, deadline_id: str, t: datetime, refs: type[Exception]) -> dict[str, Any]:
    if deadline_id not in state.deadlines:
        raise refs(deadline_id)
    d = state.deadlines[deadline_id]
    if d["closed"] is not None:
        raise InvalidTransition(deadline_id)
    return d


def _not_final(state: State, deadline_id: str) -> dict[str, Any]:
    if deadline_id not in state.deadlines:
        raise UnknownReference(deadline_id)
    d = state.deadlines[deadline_id]
    if d["closed"] in ("MET", "WITHDRAWN"):
        raise InvalidTransition(deadline_id)
    return d


def check_regions(e: Event, country: str) -> None:
    """DESIGN: a region code of another country than the dispute's is refused at append."""
    if e.scope is None:
        return
    for box in e.scope.boxes:
        for region in (box.regions or set()) | box.regions_except:
            if CODE.fullmatch(region) and region[:2] != country:
                raise InvalidValue(e.id)


def apply(
    state: State, e: Event, t: datetime, tz: ZoneInfo, universe: Universe, country: str
) -> None:
    """Apply one event at instant t (restrictions already expired to t)."""
    if isinstance(e, WarningIssued | DeadlineSet):
        if isinstance(e, WarningIssued):
            state.warnings += 1
        # DESIGN: a DeadlineSet without `due` is an open demand (PENDING, never OVERDUE)
        if e.due is not None or isinstance(e, DeadlineSet):
            due = None if e.due is None else instant(e.due, tz, end=True)
            if due is not None and due <= t:
                raise InvalidTransition(e.id)
            state.deadlines[e.id] = {
                "due": due,
                # DESIGN: a status is uncertain inside an open deadline's imprecise due
                "due_span": span_of(e.due, tz) if vague(e.due) else None,
                "due_from": e.id,
                "original_due": due,
                "set_at": t,
                "extensions": [],
                "closed": None,
                "closed_at": None,
                "closed_by": None,
                "enforced_by": [],
            }
    elif isinstance(e, DeadlineExtended):
        d = _open(state, e.deadline, t, UnknownReference)
        if e.by is not None:  # an open demand: `by` counts from the extension's own time
            new = shift(t if d["due"] is None else d["due"], e.by, tz)
        else:
            new = instant(e.due, tz, end=True)
        if new <= (t if d["due"] is None else d["due"]):
            raise InvalidTransition(e.id)
        d["extensions"].append((e.id, t, d["due"], new))
        # a precise new due replaces an imprecise one; a duration added to an imprecise due
        # (DESIGN is silent) is as imprecise: from the earliest due plus it, to the new due
        if e.due is not None:
            d["due_span"] = span_of(e.due, tz) if vague(e.due) else None
        elif d["due"] is None and vague(e.at):  # an open demand: from an imprecise `at`
            low, high = span_of(e.at, tz)
            d["due_span"] = (shift(low, e.by, tz), shift(high, e.by, tz))
        elif d["due_span"] is not None:
            d["due_span"] = (shift(d["due_span"][0], e.by, tz), shift(d["due_span"][1], e.by, tz))
        d["due"] = new
        d["due_from"] = e.id
    elif isinstance(e, DeadlineMet | DeadlineWithdrawn):
        # DESIGN v2: also accepted on an ENFORCED deadline; refused when MET or WITHDRAWN
        d = _not_final(state, e.deadline)
        d.update(
            closed="MET" if isinstance(e, DeadlineMet) else "WITHDRAWN", closed_at=t, closed_by=e.id
        )
        for fine in state.fines.values():  # DESIGN: its accruing fines stop
            if fine["deadline"] == e.deadline and fine["stopped"] is None:
                fine["stopped"] = t
    elif type(e) in IMPOSE:
        kind = IMPOSE[type(e)]
        check_regions(e, country)
        ends = None if e.ends is None else instant(e.ends, tz, end=True)
        if ends is not None and ends <= t:
            raise InvalidTransition(e.id)
        window = getattr(e, "window", None)
        cells = cells_of(
            e.scope, universe, getattr(e, "stores", None), with_stores=kind == "delisting"
        )
        rival = "delisting" if kind == "delisting" else "block"
        if window is None and any(
            r["window"] is None and r["cells"] & cells for r in state.active(rival)
        ):
            raise InvalidTransition(e.id)
        if e.enforces is not None:  # DESIGN v2: open or already ENFORCED (escalation)
            d = _not_final(state, e.enforces)
            d.update(closed="ENFORCED", closed_at=t, closed_by=e.id)
            d["enforced_by"].append(e.id)
        if kind == "block" and window is None:
            for r in state.active("throttle"):
                if r["window"] is None:
                    r["cells"] = r["cells"] - cells
            state.restrictions = [r for r in state.restrictions if r["cells"]]
        state.restrictions.append(
            {
                "kind": kind,
                "id": e.id,
                "ends_span": span_of(e.ends, tz) if vague(e.ends) else None,
                "since": t,
                "cells": cells,
                "ends": ends,
                "window": window,
                "by": e.by,
                "rate": getattr(e, "rate", None),
                "names": universe,
            }
        )
        state.imposed[e.id] = kind
    elif type(e) in LIFT:
        kind = LIFT[type(e)]
        check_regions(e, country)
        lifted = cells_of(
            e.scope, universe, getattr(e, "stores", None), with_stores=kind == "delisting"
        )
        target = getattr(e, kind)
        active = state.active(kind)
        if target is not None:
            if state.imposed.get(target) != kind:
                raise UnknownReference(e.id)
            found = [r for r in active if r["id"] == target]
            if not found:
                raise InvalidTransition(e.id)
            rest = found[0]["cells"]
            # the typo guard: every value the lift names must be in some cell of the remainder
            if e.scope is not None:
                for box in e.scope.boxes:
                    named = [(0, box.networks if box.networks != NETWORKS else set())]
                    named += [
                        (k, getattr(box, n) or set())
                        for k, n in ((1, "services"), (2, "regions"), (3, "operators"))
                    ]
                    for k, values in named:
                        if any(all(c[k] != v for c in rest) for v in values):
                            raise InvalidTransition(e.id)
            if not rest & lifted:
                raise InvalidTransition(e.id)
            targets = [found[0]]
        else:
            targets = [r for r in active if r["cells"] & lifted]
            if not targets:
                raise InvalidTransition(e.id)
        for r in targets:
            r["cells"] = r["cells"] - lifted
        state.restrictions = [r for r in state.restrictions if r["cells"]]
    elif isinstance(e, TakedownRequested):
        state.requested += e.items
        due = None if e.sla is None else shift(t, e.sla, tz)  # DESIGN: at + sla, calendar-aware
        state.requests[e.id] = {"at": t, "sla": e.sla, "due": due, "items": e.items, "removed": 0}
    elif isinstance(e, ContentRemoved):
        if e.request is not None:
            if e.request not in state.requests:
                raise UnknownReference(e.id)
            r = state.requests[e.request]
            if e.items > r["items"] - r["removed"]:  # DESIGN v2: no more than outstanding
                raise InvalidTransition(e.id)
            r["removed"] += e.items
            state.removed_items.extend([(e.request, t)] * e.items)
        state.removed += e.items
    elif isinstance(e, FineImposed):
        until = None if e.until is None else instant(e.until, tz, end=True)
        if until is not None and until <= t:
            raise InvalidTransition(e.id)
        if e.deadline is not None:
            _open(state, e.deadline, t, UnknownReference)
        state.fines[e.id] = {
            "at": t,
            "amount": e.amount,
            "currency": e.currency,
            "per": e.per,
            "until": until,
            "deadline": e.deadline,
            "paid": Decimal(0),
            "stopped": None,
            "cancelled": None,
        }
    elif isinstance(e, FinePaid):
        if e.fine not in state.fines:
            raise UnknownReference(e.id)
        fine = state.fines[e.fine]
        if e.currency != fine["currency"]:
            raise InvalidTransition(e.id)
        owed = Decimal(0) if fine["cancelled"] else accrued(fine, t, tz) - fine["paid"]
        if e.amount > owed:
            raise InvalidTransition(e.id)
        fine["paid"] += e.amount
        state.payments.append((e.currency, e.amount))
    elif isinstance(e, FineCancelled):
        if e.fine not in state.fines:
            raise UnknownReference(e.id)
        if state.fines[e.fine]["cancelled"] is not None:
            raise InvalidTransition(e.id)
        state.fines[e.fine]["cancelled"] = t
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
    universe = universe_of(events)
    state = State()
    for t, e in ordered(dispute, events):
        if until is not None and t > until:
            break
        state.expire(t)
        apply(state, e, t, tz, universe, dispute.jurisdiction)
    if until is not None:
        state.expire(until)
    return state


def validate(dispute: Dispute, events: list[Event]) -> None:
    """Raise what the library must raise for these events, or nothing."""
    replay(dispute, events)


def expected_uncertain(
    dispute: Dispute, events: list[Event], t: datetime, s: State | None = None
) -> list[str]:
    """DESIGN: the events whose imprecise time spans t: an `at` of any event so far, the
    `due` of a deadline still PENDING or OVERDUE, the `ends` of an active restriction.
    `s`: the replay to t, when the caller has it."""
    t = plain(t)
    tz = ZoneInfo(dispute.timezone)
    if s is None:
        s = replay(dispute, events, t)
    found = {
        e.id
        for at, e in ordered(dispute, events)
        if at <= t and vague(e.at) and span_of(e.at, tz)[1] >= t
    }
    for d in s.deadlines.values():
        span = d["due_span"]
        if d["closed"] is None and span is not None and span[0] <= t <= span[1]:
            found.add(d["due_from"])
    for r in s.restrictions:
        span = r["ends_span"]
        if span is not None and span[0] <= t <= span[1]:
            found.add(r["id"])
    return [e.id for _, e in ordered(dispute, events) if e.id in found]


def deadline_state(d: dict[str, Any], t: datetime) -> str:
    if d["closed"] is not None:
        return d["closed"]
    return "OVERDUE" if d["due"] is not None and t > d["due"] else "PENDING"


def _restriction(r: dict[str, Any]) -> tuple[Any, ...]:
    n = 5 if r["kind"] == "delisting" else 4
    cells = minimal(r["cells"], r["names"], n)
    return (r["id"], r["since"], cells, r["rate"], r["ends"], r["window"], r["by"])


def expected(dispute: Dispute, events: list[Event], t: datetime) -> dict[str, Any]:
    """The status at instant t, as plain comparable data."""
    t = plain(t)
    tz = ZoneInfo(dispute.timezone)
    s = replay(dispute, events, t)
    uncertain = expected_uncertain(dispute, events, t, s)
    in_force = [
        r for r in s.active("block") if r["window"] is None or in_window(r["window"], t, tz)
    ]
    return {
        "at": t,
        "phase": s.phase(t, tz),
        "throttles": [_restriction(r) for r in s.active("throttle")],
        "blocks": [_restriction(r) for r in s.active("block")],
        "delistings": [_restriction(r) for r in s.active("delisting")],
        "block": None if not in_force else _restriction(in_force[0]),
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
                tuple(d["enforced_by"]),
            )
            for k, d in s.deadlines.items()
        ],
        "warnings": s.warnings,
        "requested": s.requested,
        "removed": s.removed,
        "fines": expected_fines(s, t, tz),
        "takedowns": expected_takedowns(s, t),
        "last": None if s.last is None else s.last.id,
        "uncertain": uncertain,
        "certain": not uncertain,
    }


def times(span: str, k: int) -> str:
    """The ISO 8601 duration `span` multiplied by k, as text."""
    m = re.fullmatch(
        r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?",
        span,
    )
    assert m, span
    y, mo, d, h, mi = (int(g or 0) * k for g in m.groups()[:5])
    sec = Decimal(m.group(6) or 0) * k
    return f"P{y}Y{mo}M{d}DT{h}H{mi}M{sec}S"


def accrued(fine: dict[str, Any], t: datetime, tz: ZoneInfo) -> Decimal:
    """DESIGN: `amount` at each at + k * per (from `at`, calendar-aware) at or before t and not
    after the fine stops (until, its deadline closing); a one-off fine is its amount."""
    if fine["per"] is None:
        return fine["amount"]
    end = min(x for x in (t, fine["until"], fine["stopped"]) if x is not None)
    k = 0
    while shift(fine["at"], times(fine["per"], k), tz) <= end:
        k += 1
    with localcontext(prec=200):
        return fine["amount"] * k


def expected_fines(s: State, t: datetime, tz: ZoneInfo) -> tuple[Any, ...]:
    imposed: dict[str, Decimal] = {}
    owed: dict[str, Decimal] = {}
    paid: dict[str, Decimal] = {}
    states = []
    with localcontext(prec=200):
        for currency, amount in s.payments:
            paid[currency] = paid.get(currency, Decimal(0)) + amount
        for fid, fine in s.fines.items():
            a = accrued(fine, t, tz)
            cancelled = fine["cancelled"] is not None
            states.append(
                (
                    fid,
                    fine["currency"],
                    a,
                    fine["paid"],
                    Decimal(0) if cancelled else a - fine["paid"],
                    cancelled,
                )
            )
            if not cancelled:
                c = fine["currency"]
                imposed[c] = imposed.get(c, Decimal(0)) + a
                owed[c] = owed.get(c, Decimal(0)) + a - fine["paid"]
    return imposed, owed, paid, states


def _rounded(us: Fraction) -> timedelta:
    return timedelta(microseconds=round(us))


def expected_takedowns(s: State, t: datetime) -> tuple[Any, ...]:
    """DESIGN's takedown figures, by listing every item removed under a request."""
    latencies = sorted(int((when - s.requests[rid]["at"]) / US) for rid, when in s.removed_items)
    n = len(latencies)
    if n:
        mean = _rounded(Fraction(sum(latencies), n))
        median = (
            _rounded(Fraction(latencies[n // 2]))
            if n % 2
            else _rounded(Fraction(latencies[n // 2 - 1] + latencies[n // 2], 2))
        )
        longest = timedelta(microseconds=latencies[-1])
    else:
        mean = median = longest = None
    with_sla = [(rid, when) for rid, when in s.removed_items if s.requests[rid]["due"] is not None]
    within = (
        None
        if not with_sla
        else sum(when <= s.requests[rid]["due"] for rid, when in with_sla) / len(with_sla)
    )

    def state_of(r: dict[str, Any]) -> str:
        if r["removed"] == r["items"]:
            return "DONE"
        return "OVERDUE" if r["due"] is not None and t > r["due"] else "PENDING"

    requests = [
        (
            rid,
            state_of(r),
            r["at"],
            r["sla"],
            r["due"],
            r["items"],
            r["removed"],
            r["items"] - r["removed"],
        )
        for rid, r in s.requests.items()
    ]
    outstanding = sum(r["items"] - r["removed"] for r in s.requests.values())
    overdue = sum(q[7] for q in requests if q[1] == "OVERDUE")
    return (
        len(requests),
        s.requested,
        s.removed,
        outstanding,
        overdue,
        mean,
        median,
        longest,
        within,
        requests,
    )


def actual_takedowns(status: Status) -> tuple[Any, ...]:
    tk = status.takedowns
    return (
        tk.requests,
        tk.requested,
        tk.removed,
        tk.outstanding,
        tk.overdue,
        tk.latency_mean,
        tk.latency_median,
        tk.latency_max,
        tk.within_sla,
        [
            (
                r.id,
                r.state.name,
                _utc(r.at),
                r.sla,
                _utc(r.due),
                r.requested,
                r.removed,
                r.outstanding,
            )
            for r in tk
        ],
    )


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else plain(value)


def delisting_cells(delisting: Any) -> Any:
    """A library delisting's parts as cells (scope times stores), in normal form."""
    stores: set[str] = set()
    for part in delisting.parts:
        stores |= (part.stores or set()) | part.stores_except
    universe = library_universe([part.scope for part in delisting.parts], stores)
    out: set[tuple[str, ...]] = set()
    for part in delisting.parts:
        chosen = (
            [v for v in universe[4] if v in part.stores]
            if part.stores is not None
            else [v for v in universe[4] if v not in part.stores_except]
        )
        out |= {(*c, v) for c in cells_of(part.scope, universe) for v in chosen}
    return minimal(frozenset(out), universe, 5)


def _public(r: Any) -> tuple[Any, ...]:
    if hasattr(r, "parts"):
        cells = delisting_cells(r)
    else:
        universe = library_universe([r.scope])
        cells = minimal(cells_of(r.scope, universe), universe, 4)
    return (
        r.id,
        _utc(r.since),
        cells,
        getattr(r, "rate", None),
        _utc(r.ends),
        getattr(r, "window", None),
        r.by,
    )


def actual(status: Status) -> dict[str, Any]:
    """The library's status as the same plain data as `expected`."""
    return {
        "at": _utc(status.at),
        "phase": status.phase.name,
        "throttles": [_public(r) for r in status.throttles],
        "blocks": [_public(r) for r in status.blocks],
        "delistings": [_public(r) for r in status.delistings],
        "block": None if status.block is None else _public(status.block),
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
                d.enforced_by,
            )
            for d in status.deadlines
        ],
        "warnings": status.warnings,
        "requested": status.items_requested,
        "removed": status.items_removed,
        "fines": (
            dict(status.fines),
            dict(status.fines_owed),
            dict(status.fines_paid),
            [
                (f.id, f.currency, f.accrued, f.paid, f.owed, f.cancelled)
                for f in status.fine_states
            ],
        ),
        "takedowns": actual_takedowns(status),
        "last": None if status.last_event is None else status.last_event.id,
        "uncertain": [e.id for e in status.uncertain],
        "certain": status.certain,
    }


def slices(events: list[Event]) -> list[tuple[str | None, ...]]:
    """Slices to ask `phase_for` about: each named value alone, and one no event names."""
    universe = universe_of(events)
    points: list[tuple[str | None, ...]] = [(None, None, None, None)]
    for k in range(4):
        for value in [*universe[k], "unnamed"]:
            if value != OTHER and not (k == 0 and value == "unnamed"):
                point = [None, None, None, None]
                point[k] = value
                points.append(tuple(point))
    return points


def expected_slices(dispute: Dispute, events: list[Event], t: datetime) -> list[str]:
    """phase_for at every slice of `slices`, by the reference."""
    t = plain(t)
    tz = ZoneInfo(dispute.timezone)
    s = replay(dispute, events, t)
    return [
        s.phase(t, tz, {k: v for k, v in enumerate(p) if v is not None}) for p in slices(events)
    ]


def actual_slices(status: Status, events: list[Event]) -> list[str]:
    return [status.phase_for(*p).name for p in slices(events)]


def _transition_days(tz: ZoneInfo, day: date) -> bool:
    """Whether the UTC offset changes between noon the day before and noon the day after."""
    noon = [
        datetime(d.year, d.month, d.day, 12, tzinfo=tz).utcoffset()
        for d in (day - timedelta(days=1), day + timedelta(days=1))
    ]
    return noon[0] != noon[1]


def window_candidates(w: Window, tz: ZoneInfo, lo: datetime, hi: datetime) -> set[datetime]:
    """Instants in (lo, hi] where `w` may open or close: on ordinary days the wall-clock
    start and end (and midnight), on days with a DST change every whole minute."""
    out: set[datetime] = set()
    day = lo.astimezone(tz).date() - timedelta(days=1)
    last = hi.astimezone(tz).date() + timedelta(days=1)
    while day <= last:
        if _transition_days(tz, day):
            start = start_of(day, tz).replace(second=0, microsecond=0)
            minute = start
            while minute < start + timedelta(days=1, hours=2):
                if lo < minute <= hi:
                    out.add(minute)
                minute += timedelta(minutes=1)
        else:
            for clock in (w.start, w.end, time(0)):
                c = datetime.combine(day, clock).replace(tzinfo=tz).astimezone(UTC)
                if lo < c <= hi:
                    out.add(c)
        day += timedelta(days=1)
    return out


def expected_history(
    dispute: Dispute,
    events: list[Event],
    until: datetime | None = None,
    point: tuple[str | None, ...] = (None, None, None, None),
) -> list[tuple[datetime, str, str | None]]:
    """Periods (start, phase, cause) by asking the phase at every instant that may change it.

    DESIGN: windows recur up to `until`, or without it up to the latest instant any event
    names; a restriction running out always counts. With `point`, the phase of that slice
    (`phase_for`).
    """
    tz = ZoneInfo(dispute.timezone)
    timed = ordered(dispute, events)
    if until is not None:
        timed = [(t, e) for t, e in timed if t <= until]
    if not timed:
        return []
    candidates: dict[datetime, str | None] = {}
    for t, e in timed:
        candidates[t] = e.id  # the last event at an instant is the cause
    named = [t for t, _ in timed]  # DESIGN: the latest instant any event names...
    for _, e in timed:
        due = getattr(e, "due", None)
        if due is not None:
            named.append(instant(due, tz, end=True))
        ends = getattr(e, "ends", None)
        if ends is not None:  # ... an `ends` names the instant after it, when it is over
            named.append(instant(ends, tz, end=True) + US)
            candidates.setdefault(instant(ends, tz, end=True) + US, None)
    horizon = until if until is not None else max(named)
    for t, e in timed:
        window = getattr(e, "window", None)
        if window is not None:
            top = horizon
            if e.ends is not None:
                top = min(top, instant(e.ends, tz, end=True))
            for c in window_candidates(window, tz, t, top):
                candidates.setdefault(c, None)
    periods: list[tuple[datetime, str, str | None]] = []
    first = timed[0][0]
    # one pass: the state after every event at or before c, expired to c (as `replay` gives)
    universe = universe_of([e for _, e in timed])
    state = State()
    pending = list(timed)
    for c in sorted(candidates):
        if c < first or (until is not None and c > until):
            continue
        while pending and pending[0][0] <= c:
            t, e = pending.pop(0)
            state.expire(t)
            apply(state, e, t, tz, universe, dispute.jurisdiction)
        state.expire(c)
        phase = state.phase(c, tz, {k: v for k, v in enumerate(point) if v is not None})
        if not periods or periods[-1][1] != phase:
            periods.append((c, phase, candidates[c]))
    return periods
