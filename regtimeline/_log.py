"""The fold: events applied in time order to a compact, shared, append-only record.

A `_Log` keeps, for every applied event, its key (UTC microseconds), the event and a small
snapshot (`_Snap`) of the state right after it: the active restrictions, counters
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
import datetime as _dt
import decimal
import fractions
import functools
import operator
import threading
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Final, TypeAlias

import attrs
import pendulum

from ._accrual import EXACT_GRID, Group, amount, grid_of, origin, scaled, steady_offset
from ._enums import Consequence, DeadlineState, Phase, RequestState
from ._events import (
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
    FineCancelled,
    FineImposed,
    FinePaid,
    Statement,
    TakedownRequested,
    ThrottleImposed,
    ThrottleLifted,
    WarningIssued,
)
from ._fields import EXACT
from ._imprecise import Imprecise
from ._rules import RULES
from ._scope import (
    EVERYTHING,
    NETWORKS,
    Scope,
    box_words,
    dim_has,
    dim_or,
    merged,
    region_and,
    region_countries,
    region_minus,
    region_overlaps,
    scope_boxes,
    scope_of,
)
from ._status import (
    Block,
    Deadline,
    Delisting,
    DelistingPart,
    Extension,
    FineState,
    Period,
    Request,
    Status,
    Takedowns,
    Throttle,
)
from ._time import MAX_KEY, Moment, Zone, parse_span, span_text
from ._wavelet import WeightedWavelet
from ._window import Window, edges, in_force
from .errors import (
    InvalidTransition,
    InvalidValue,
    RegTimelineError,
    TimeError,
    UnknownReference,
)

__all__ = ["Log"]

_EMPTY_FINES: Final[Mapping[str, decimal.Decimal]] = types.MappingProxyType({})
_ZERO: Final = decimal.Decimal(0)
_ONE: Final = decimal.Decimal(1)
_Money: TypeAlias = Mapping[str, decimal.Decimal]


_Dim: TypeAlias = tuple[frozenset[str], bool]
_Box: TypeAlias = tuple[_Dim, ...]
_THROTTLE: Final = 0
_BLOCK: Final = 1
_DELIST: Final = 2
#: The phase each kind of restriction gives, strongest first: the order phase() checks.
_KIND_PHASES: Final = (
    (_BLOCK, Phase.BLOCKED),
    (_THROTTLE, Phase.THROTTLED),
    (_DELIST, Phase.DELISTED),
)
_KIND_WORDS: Final = ("throttle", "block", "delisting")
#: The order `Status` lists restrictions in, by kind.
_STATUS_ORDER: Final = (_BLOCK, _THROTTLE, _DELIST)
_PHASE_OF_KIND: Final = (Phase.THROTTLED, Phase.BLOCKED, Phase.DELISTED)
_NEVER: Final = -(2**63)
#: Phase codes (see `_phase_code`): a phase below `_STEP`, a step from `_STEP` on.
_STEP: Final = 8
_NO_STEP: Final = 0xFF
_UNCODED: Final = 0xFE
_UNCODED_BYTE: Final = bytes((_UNCODED,))
_PHASE_OF: Final = tuple(sorted(Phase))  # by value
#: A step whose cut lies past the end of its entry's span (up to the next entry's key), or
#: before its start, marked so (`Log._code_chunk`): the phase before, or after, the cut
#: throughout that span. The step itself is `code & _RAW`.
_BEFORE_SPAN: Final = 0x80
_AFTER_SPAN: Final = 0x40
_RAW: Final = 0x3F
#: The phase a code gives without its cut: for an entry inside a timeline (`i < n`: the next
#: entry's key ends its span), or for its last entry; None where the cut or the snapshot
#: must say.
_PHASE_LAST: Final = tuple(_PHASE_OF[c] if c < len(_PHASE_OF) else None for c in range(256))


def _phase_inside(code: int) -> Phase | None:
    """`_PHASE_INSIDE` of one code."""
    before, after = _PHASE_LAST[(code & _RAW) >> 3], _PHASE_LAST[code & 7]
    if code >= _UNCODED or before is None or after is None or (code & _RAW) < _STEP:
        return _PHASE_LAST[code]
    if code & _BEFORE_SPAN:
        return before
    return after if code & _AFTER_SPAN else None


_PHASE_INSIDE: Final = tuple(_phase_inside(c) for c in range(256))
#: A log of at least `_LONG_LOG` entries is searched by a sample of every `_SAMPLE_EVERY`-th
#: key first (see `Log.find`) and reads phases from its phase codes (see `Log.status`); a
#: shorter one fits in the processor's caches, and a question about it (one of an archive's
#: thousands of short timelines, say) would pay more to code its entries than it saves.
#: (These sizes and `_PHASE_CHUNK` are not Final: the test suite makes them small, so that
#: its short timelines cross their edges.)
_LONG_LOG = 1 << 16
_SAMPLE_EVERY = 128
_bisect_right: Final = bisect.bisect_right
#: Entries of `Log.phase_codes` coded at once: a first question codes only the chunk it
#: falls in, so one question about a long log stays cheap.
_PHASE_CHUNK = 4096
_NO_RESTRICTIONS: Final[
    tuple[tuple[bool, ...], tuple[int, ...], tuple[tuple[_Restr, ...], ...]]
] = ((False, False, False), (_NEVER, _NEVER, _NEVER), ((), (), ()))
_STORE_UNIVERSES: Final = (NETWORKS, None, None, None, None)
_SCOPE_UNIVERSES: Final = (NETWORKS, None, None, None)
_ALL_DIM: Final[tuple[frozenset[str], bool]] = (frozenset(), True)


class _Restr:
    """An active restriction (after partial lifts, its remaining boxes).

    Delistings have a fifth dimension, the app stores.
    """

    __slots__ = (
        "boxes",
        "by",
        "ends",
        "ends_span",
        "id",
        "kind",
        "named",
        "public",
        "rate",
        "since",
        "window",
    )

    def __init__(
        self,
        kind: int,
        id: str,
        since: int,
        boxes: tuple[_Box, ...],
        ends: int | None,
        window: Window | None,
        by: str | None,
        rate: str | None,
    ) -> None:
        self.kind = kind
        self.id = id
        self.since = since
        self.boxes = boxes
        self.ends = ends
        self.window = window
        self.by = by
        self.rate = rate
        self.public: Throttle | Block | Delisting | None = None
        self.ends_span: tuple[int, int] | None = None  # an imprecise `ends`: its span
        # per dimension, every value its boxes name when none says "all except" (else None):
        # phase_for rejects most restrictions with one set lookup
        self.named = _named(boxes)

    def narrowed(self, boxes: tuple[_Box, ...]) -> _Restr:
        r = _Restr(
            self.kind, self.id, self.since, boxes, self.ends, self.window, self.by, self.rate
        )
        r.ends_span = self.ends_span
        return r

    def active(self, key: int) -> bool:
        ends = self.ends
        return ends is None or key <= ends


class _DeadlineRec:
    """One version of a deadline: made by one event, valid until the next version.

    `due` is None for an open demand (a `DeadlineSet` without a due date).
    """

    __slots__ = (
        "closed",
        "closed_at",
        "closed_by",
        "consequence",
        "demand",
        "due",
        "due_span",
        "enforced_by",
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
        original_due: int | None,
        due: int | None,
        extensions: tuple[tuple[str, int, int | None, int], ...],
        demand: str,
        consequence: Consequence | None,
        closed: DeadlineState | None = None,
        closed_at: int | None = None,
        closed_by: str | None = None,
        enforced_by: tuple[str, ...] = (),
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
        self.enforced_by = enforced_by
        # the public Deadline of each state asked for, made on first request (most records
        # are never asked for: no dict until one is)
        self.public: dict[DeadlineState, Deadline] | None = None
        self.due_span: tuple[int, int] | None = None  # an imprecise `due`: its span

    def state_at(self, key: int) -> DeadlineState:
        if self.closed is not None:
            return self.closed
        due = self.due
        return DeadlineState.OVERDUE if due is not None and key > due else DeadlineState.PENDING

    def extended(
        self, by: str, at: int, due: int, due_span: tuple[int, int] | None
    ) -> _DeadlineRec:
        rec = _DeadlineRec(
            self.id,
            self.set_at,
            self.original_due,
            due,
            (*self.extensions, (by, at, self.due, due)),
            self.demand,
            self.consequence,
        )
        rec.due_span = due_span
        return rec

    def closed_as(self, state: DeadlineState, at: int, by: str) -> _DeadlineRec:
        enforced_by = self.enforced_by
        if state is DeadlineState.ENFORCED:
            enforced_by = (*enforced_by, by)
        rec = _DeadlineRec(
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
            enforced_by,
        )
        rec.due_span = self.due_span
        return rec


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


class _Request:
    """One takedown request: its fixed facts, and the items removed after each removal."""

    __slots__ = ("at", "due", "id", "items", "made_by", "removed", "sla")

    def __init__(self, id: str, at: int, sla: str | None, due: int | None, items: int) -> None:
        self.id = id
        self.at = at
        self.sla = sla
        self.due = due
        self.items = items
        self.removed: list[int] = []  # cumulative items removed, one per removal
        self.made_by: list[int] = []  # the event index of each removal

    def removed_before(self, i: int) -> int:
        """Items removed under it by the first `i` events."""
        cut = bisect.bisect_left(self.made_by, i)
        return self.removed[cut - 1] if cut else 0

    def copy_before(self, i: int) -> _Request:
        request = _Request(self.id, self.at, self.sla, self.due, self.items)
        cut = bisect.bisect_left(self.made_by, i)
        request.removed = self.removed[:cut]
        request.made_by = self.made_by[:cut]
        return request


#: After each removal under a request, the running totals: items removed under requests,
#: their latency summed (us), the longest latency (us), items removed under a request with
#: an SLA, and those removed within it.
_NO_REMOVALS: Final = (0, 0, 0, 0, 0)


class _Fine:
    """One fine: its fixed facts, and its versions.

    A version says what was paid so far, when it stopped accruing (its deadline closed) and
    when it was cancelled; each is made by one event.
    """

    __slots__ = (
        "after",
        "amount",
        "at",
        "currency",
        "deadline",
        "group",
        "id",
        "made_by",
        "per",
        "until",
        "versions",
    )

    def __init__(
        self,
        id: str,
        at: int,
        amount: decimal.Decimal,
        currency: str,
        per: str | None,
        until: int | None,
        deadline: str | None,
    ) -> None:
        self.id = id
        self.at = at
        self.amount = amount
        self.currency = currency
        self.per = per
        self.until = until
        self.deadline = deadline
        # (paid, stopped at, cancelled at)
        self.versions: list[tuple[decimal.Decimal, int | None, int | None]] = []
        self.made_by: list[int] = []
        # an accruing fine on a grid: its group's key, and with `until`, the first instant
        # after it (None past the year 9999) and the number of instants at or before it
        self.group: tuple[str, int, int] | None = None
        self.after: tuple[int | None, int] | None = None

    def before(self, i: int) -> tuple[decimal.Decimal, int | None, int | None]:
        """The version after the first `i` events (the fine exists by then)."""
        return self.versions[bisect.bisect_left(self.made_by, i) - 1]

    def but(self, index: int, **changes: object) -> None:
        paid, stopped, cancelled = self.versions[-1]
        values = {"paid": paid, "stopped": stopped, "cancelled": cancelled, **changes}
        self.versions.append((values["paid"], values["stopped"], values["cancelled"]))  # type: ignore[arg-type]
        self.made_by.append(index)

    def copy_before(self, i: int) -> _Fine:
        fine = _Fine(
            self.id, self.at, self.amount, self.currency, self.per, self.until, self.deadline
        )
        cut = bisect.bisect_left(self.made_by, i)
        fine.versions = self.versions[:cut]
        fine.made_by = self.made_by[:cut]
        fine.group = self.group
        fine.after = self.after
        return fine

    def accrued(self, zone: Zone, key: int, stopped: int | None) -> decimal.Decimal:
        """What it amounts to at `key`: `amount` times the accrual instants by then."""
        if self.per is None:
            return self.amount
        end = key
        if self.until is not None:
            end = min(end, self.until)
        if stopped is not None:
            end = min(end, stopped)
        return EXACT.multiply(self.amount, _accruals(zone, self.at, self.per, end))

    def ends_by(self, key: int) -> bool:
        """Whether it stops accruing by `key` whatever else happens (its `until`)."""
        return self.until is not None and self.until <= key


def _accruals(zone: Zone, start: int, per: str, end: int) -> int:
    """How many of start + k * per (k = 0, 1, ...) are at or before `end`.

    Each instant is computed from `start` by calendar addition in the zone (never step by
    step). On a grid the wall-clock count is right but near a change of UTC offset, so it is
    checked against the instants either side and moved until they bracket `end`; otherwise
    the count is found by doubling, then halving, over k.
    """
    if end < start:
        return 0
    months, days, micros = parse_span(per)
    if not months and not days:  # exact time: plain division
        return (end - start) // micros + 1

    def at(k: int) -> int:
        try:
            return zone.shift(start, span_text(months * k, days * k, micros * k))
        except TimeError:
            return MAX_KEY + 1  # past the years 1 to 9999: after any end

    grid = grid_of(per)
    if grid is not None:
        kind, unit = grid
        low = max(0, (origin(kind, zone, end) - origin(kind, zone, start)) // unit)
        while low and at(low) > end:
            low -= 1
        while at(low + 1) <= end:
            low += 1
        return low + 1
    return _search(at, end)


def _search(at: Callable[[int], int], end: int) -> int:
    """How many k have ``at(k) <= end``, `at` increasing and ``at(0) <= end``."""
    low, high = 0, 1  # at(low) <= end < at(high)
    while at(high) <= end:
        low, high = high, high * 2
    while high - low > 1:
        mid = (low + high) // 2
        if at(mid) <= end:
            low = mid
        else:
            high = mid
    return low + 1


def _exponents_before(
    exponents: dict[str, tuple[list[int], list[int]]], n: int
) -> dict[str, tuple[list[int], list[int]]]:
    out = {}
    for currency, (made, values) in exponents.items():
        cut = bisect.bisect_left(made, n)
        if cut:
            out[currency] = (made[:cut], values[:cut])
    return out


def _vague_tracks(tracks: list[_Track]) -> dict[str, _Track]:
    return {t.id: t for t in tracks if any(v.due_span is not None for v in t.versions)}


class _Vague:
    """The events with an imprecise `at`, in event order: index, first and last instant."""

    __slots__ = ("first", "index", "last", "scanned", "width")

    def __init__(self) -> None:
        self.index: list[int] = []
        self.first: list[int] = []
        self.last: list[int] = []
        self.width = 0  # the longest span
        self.scanned = 0  # events looked at so far

    def scan(self, log: Log, n: int) -> None:
        """Look at the events up to `n` not seen yet."""
        for j in range(self.scanned, n):
            span = log.span(log.events[j].at)
            if span is not None:
                self.index.append(j)
                self.first.append(span[0])
                self.last.append(span[1])
                self.width = max(self.width, span[1] - span[0])
        self.scanned = max(self.scanned, n)

    def before(self, n: int) -> _Vague:
        vague = _Vague()
        cut = bisect.bisect_left(self.index, n)
        vague.index, vague.first, vague.last = self.index[:cut], self.first[:cut], self.last[:cut]
        vague.width = max((b - a for a, b in zip(vague.first, vague.last, strict=True)), default=0)
        vague.scanned = min(self.scanned, n)
        return vague


#: Below this many requests and removals, takedown figures are scanned, not indexed.
_SCAN_BELOW: Final = 512


@attrs.frozen
class _TakedownIndex:
    """Wavelet matrices over a log's first `requests` requests and `removals` removals.

    `dues` holds both in event order (`made` gives each one's event index), valued by the
    due instant of the request: a request weighs its items, a removal under it minus its
    items, so the weight below an instant is what is outstanding on requests due before it.
    """

    requests: int
    removals: int
    made: array.array[int]
    dues: WeightedWavelet
    latencies: WeightedWavelet


class _Snap:
    """The restrictions and deadlines right after one event.

    Restrictions are not yet pruned for later instants. A snapshot is shared by consecutive
    events that change neither restrictions nor deadlines: most events only count. For a
    phase in O(1), each kind's restrictions without a window are summed up as "one runs for
    ever" (`perm`) and "the latest `ends`" (`until`); those with a window are listed.
    """

    __slots__ = (
        "n_tracks",
        "open_deadlines",
        "perm",
        "restrictions",
        "static",
        "until",
        "windowed",
    )

    perm: tuple[bool, ...]
    until: tuple[int, ...]
    windowed: tuple[tuple[_Restr, ...], ...]

    def __init__(
        self,
        restrictions: tuple[_Restr, ...],
        open_deadlines: int,
        n_tracks: int,
    ) -> None:
        self.restrictions = restrictions
        self.open_deadlines = open_deadlines
        self.n_tracks = n_tracks
        if not restrictions:
            self.perm, self.until, self.windowed = _NO_RESTRICTIONS
            self.static = True
            return
        perm = [False, False, False]
        until = [_NEVER, _NEVER, _NEVER]
        windowed: list[list[_Restr]] = [[], [], []]
        for r in restrictions:
            if r.window is not None:
                windowed[r.kind].append(r)
            elif r.ends is None:
                perm[r.kind] = True
            elif r.ends > until[r.kind]:
                until[r.kind] = r.ends
        self.perm = tuple(perm)
        self.until = tuple(until)
        self.windowed = tuple(map(tuple, windowed))
        #: whether its phase is the same at every later instant: no restriction runs out
        #: and none has a window (history() passes over the events that keep such a state)
        self.static = self.until == _NO_RESTRICTIONS[1] and not any(windowed)

    def but(
        self,
        *,
        restrictions: tuple[_Restr, ...] | None = None,
        open_deadlines: int | None = None,
        n_tracks: int | None = None,
    ) -> _Snap:
        """A copy with the given parts changed."""
        if restrictions is None:  # the restriction summary stays: no need to count again
            snap = _Snap.__new__(_Snap)
            snap.restrictions = self.restrictions
            snap.perm, snap.until, snap.windowed = self.perm, self.until, self.windowed
            snap.static = self.static
            snap.open_deadlines = self.open_deadlines if open_deadlines is None else open_deadlines
            snap.n_tracks = self.n_tracks if n_tracks is None else n_tracks
            return snap
        return _Snap(
            restrictions,
            self.open_deadlines if open_deadlines is None else open_deadlines,
            self.n_tracks if n_tracks is None else n_tracks,
        )


_NO_COUNTS: Final = (0, 0, 0)
_event_id: Final = operator.attrgetter("id")
_EVERYWHERE: Final = (None, None, None, None)  # the slice of the whole dispute
#: a period of `history()` as keys: (start, phase, cause, span of an imprecise start)
_PeriodStart = tuple[int, Phase, str | None, tuple[int, int] | None]
_START: Final = _Snap((), 0, 0)


def _active(snap: _Snap, key: int) -> tuple[_Restr, ...]:
    restrictions = snap.restrictions
    if all(r.ends is None or key <= r.ends for r in restrictions):
        return restrictions
    return tuple(r for r in restrictions if r.ends is None or key <= r.ends)


def _phase(snap: _Snap, key: int, zone: Zone) -> Phase:
    """The phase at `key` of the state `snap` (its restrictions may have run out by then)."""
    if not snap.restrictions:
        return Phase.WARNED if snap.open_deadlines else Phase.CLEAR
    perm, until, windowed = snap.perm, snap.until, snap.windowed
    for kind, phase in _KIND_PHASES:
        if perm[kind] or key <= until[kind]:
            return phase
        for r in windowed[kind]:
            if (r.ends is None or key <= r.ends) and in_force(r.window, zone, key):  # type: ignore[arg-type]
                return phase
    return Phase.WARNED if snap.open_deadlines else Phase.CLEAR


def _phase_code(snap: _Snap) -> tuple[int, int]:
    """`_phase` of `snap` at every key, as a byte and a cut (for `Log.phase_codes`).

    A byte below `_STEP` is the phase at every key. Otherwise the phase is `byte >> 3` up to
    and including the cut and `byte & 7` after it: one kind of restriction without a window
    runs out at the cut and, before any kind that runs for ever, no other kind counts. A
    byte `_NO_STEP`: the phase has no such form (a window counts, or two kinds run out).
    """
    after = Phase.WARNED if snap.open_deadlines else Phase.CLEAR
    if not snap.restrictions:
        return after, _NEVER
    cut: int | None = None
    before = after
    for kind, phase in _KIND_PHASES:  # what `_phase` looks at, in its order
        if snap.perm[kind]:
            after = phase
            break
        if snap.windowed[kind]:
            return _NO_STEP, _NEVER
        if snap.until[kind] != _NEVER:
            if cut is not None:
                return _NO_STEP, _NEVER
            cut, before = snap.until[kind], phase
    if cut is None:
        return after, _NEVER
    return before << 3 | after, cut


def _phase_for(snap: _Snap, key: int, zone: Zone, point: tuple[str | None, ...]) -> Phase:
    """The phase at `key` of `snap` for one slice (`point`: None for all of a dimension)."""
    if point == (None, None, None, None):
        return _phase(snap, key, zone)
    # the dimension most likely to tell restrictions apart: regions, operators, services,
    # networks (two values only); one set lookup in it rejects most restrictions
    k = next(k for k in (2, 3, 1, 0) if point[k] is not None)
    v = point[k]
    best = Phase.CLEAR
    for r in snap.restrictions:
        values = r.named[k]
        if values is not None and v not in values:
            continue
        phase = _PHASE_OF_KIND[r.kind]
        if phase > best and _touches(r, point) and _in_force(r, key, zone):
            best = phase
            if best is Phase.BLOCKED:
                return best
    if best is Phase.CLEAR and snap.open_deadlines:
        return Phase.WARNED
    return best


def _in_force(r: _Restr, key: int, zone: Zone) -> bool:
    if r.ends is not None and key > r.ends:
        return False
    return r.window is None or in_force(r.window, zone, key)


def _changes(snap: _Snap, key: int, top: int | None, zone: Zone) -> list[int]:
    """Instants after `key` where time alone may change the phase of `snap`.

    Restrictions running out, and the edges of windows up to `top`.
    """
    changes = {r.ends + 1 for r in snap.restrictions if r.ends is not None and r.ends >= key}
    for r in snap.restrictions:
        if r.window is None or (r.ends is not None and r.ends < key):
            continue
        last = top if r.ends is None else (r.ends if top is None else min(top, r.ends))
        if last is not None and last > key:
            changes.update(edges(r.window, zone, key, last))
    return sorted(changes)


def _ends_span(snap: _Snap, boundary: int) -> tuple[int, int] | None:
    """The span of the imprecise `ends` of the restrictions that run out at `boundary`."""
    spans = [
        r.ends_span
        for r in snap.restrictions
        if r.ends_span is not None and r.ends is not None and r.ends + 1 == boundary
    ]
    if not spans:
        return None
    return min(s[0] for s in spans), max(s[1] for s in spans) + 1


def _touches(r: _Restr, point: tuple[str | None, ...]) -> bool:
    """Whether a restriction's boxes meet the slice `point` (None: all of a dimension)."""
    for box in r.boxes:
        for dim, value in zip(box, point, strict=False):
            if value is not None and (value in dim[0]) == dim[1]:
                break
        else:
            return True
    return False


class Log:
    """The shared record behind timelines of one dispute (see the module docstring)."""

    __slots__ = (
        "accrual",
        "accruing",
        "calendar_groups",
        "country",
        "counts",
        "events",
        "fine_at",
        "fine_of",
        "fine_totals",
        "fines",
        "fines_of_deadline",
        "id_index",
        "ids_upto",
        "key_sample",
        "keys",
        "lock",
        "money_exponents",
        "off_grid",
        "periods",
        "phase_codes",
        "phase_cuts",
        "removal_at",
        "removal_latency",
        "removal_totals",
        "request_at",
        "request_of",
        "requests",
        "snaps",
        "steady",
        "takedown_index",
        "tally",
        "track_of",
        "tracks",
        "vague",
        "vague_tracks",
        "zone",
    )

    def __init__(self, zone: Zone, country: str = "") -> None:
        self.zone = zone
        self.country = country  # the dispute's ISO 3166-1 code: region codes must be of it
        # the instants of the entries: int64s in one block (a status_at search over a
        # million of them touches 20 of its cache lines, not 20 scattered int objects)
        self.keys = array.array("q")
        self.events: list[Event] = []
        self.snaps: list[_Snap] = []
        # running totals after each event (plain integers, no objects to collect)
        # warnings, requested and removed items after each entry, three numbers an entry
        self.counts = array.array("q")
        self.tally = array.array("q", _NO_COUNTS)  # the three after the last entry
        # each entry's index by event id (see `ids`), for the first `ids_upto` entries; -1:
        # not made yet. A bulk fold into a log nobody asked about does not make it (at a
        # million entries a dict costs ~0.5 us an insert and ~80 bytes an event, and a
        # timeline that is only queried never needs it); once made, folds keep it up
        self.id_index: dict[str, int] = {}
        self.ids_upto = -1
        self.tracks: list[_Track] = []
        self.track_of: dict[str, _Track] = {}
        # takedown requests in the order made, with the event index that made each; removals
        # under a request, with their index, (latency, items) and the running totals after
        self.requests: list[_Request] = []
        self.request_of: dict[str, _Request] = {}
        self.request_at = array.array("q")
        self.removal_at = array.array("q")
        self.removal_latency: list[tuple[int, int]] = []
        self.removal_totals: list[tuple[int, int, int, int, int]] = []
        # fines in the order imposed, with the event index of each; payments in event order
        # with the running totals per currency after each
        self.fines: list[_Fine] = []
        self.fine_of: dict[str, _Fine] = {}
        self.fines_of_deadline: dict[str, list[_Fine]] = {}
        # after each event that imposes a one-off fine, pays or cancels one: running totals per
        # currency of one-off fines not cancelled, of payments on fines not cancelled, and of
        # every payment (accruing fines are counted at each read, from `fines`)
        self.accruing: list[_Fine] = []  # the fines with `per`, each counted on a slow read
        # the accruing fines on a grid, summed by group (see _accrual), and a cache of UTC
        # offsets steady around a day
        self.accrual: dict[tuple[str, int, int], Group] = {}
        self.calendar_groups = False  # some group counts days or months (needs the offset)
        self.steady: dict[int, int | None] = {}
        self.off_grid: list[_Fine] = []  # accruing fines on no grid (P1M2D): one by one
        # per currency, the event indexes at which the smallest exponent of its amounts
        # went down, and that exponent: totals are shown with that many decimals
        self.money_exponents: dict[str, tuple[list[int], list[int]]] = {}
        self.fine_at = array.array("q")
        self.fine_totals: list[tuple[_Money, _Money, _Money]] = []
        # built on demand for large logs (see `_takedown_index`); dropped on truncate
        self.takedown_index: _TakedownIndex | None = None
        # events with an imprecise `at`, found on the first question about certainty; the
        # deadlines that ever had an imprecise due, in the order opened
        self.vague = _Vague()
        self.vague_tracks: dict[str, _Track] = {}
        # held by appends in place; re-entrant: a refusal inside a fold reads `ids`
        self.lock = threading.RLock()
        # `_period_starts` of the first n events for every instant and slice: (n, periods);
        # the first n entries of a log never change while a timeline holds them (appends
        # in place go at the end; a refused one is truncated back to where it began)
        self.periods: tuple[int, tuple[_PeriodStart, ...]] | None = None
        # the phase after each number of entries, as `_phase_code` gives it (the first: no
        # entries), made a chunk at a time on the first question about it (see `status`):
        # a question reads a byte and perhaps an int64 here, not the entry's snapshot
        self.phase_codes = bytearray()
        self.phase_cuts = array.array("q")
        # every `_SAMPLE_EVERY`-th key, made on the first search of a long log (see `find`)
        self.key_sample = array.array("q")

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def ids(self) -> dict[str, int]:
        """Each entry's index by event id, over every entry of the log.

        In a shared log that includes entries after a timeline's own: callers bound by
        their `n`. Inside a fold, the batch's events are in it as well.
        """
        if self.ids_upto == len(self.events):
            return self.id_index
        with self.lock:  # (a fold or a truncation in another thread waits)
            upto, n = max(self.ids_upto, 0), len(self.events)
            found = map(_event_id, self.events[upto:n])
            self.id_index.update(zip(found, range(upto, n), strict=True))
            self.ids_upto = n
        return self.id_index

    # --- building --------------------------------------------------------------------------

    def prefix(self, n: int) -> Log:
        """A new log holding a copy of the first `n` entries of this one."""
        log = Log(self.zone, self.country)
        log.keys = self.keys[:n]
        log.events = self.events[:n]
        log.snaps = self.snaps[:n]
        log.counts = self.counts[: 3 * n]
        log.tally = log.totals(n)
        # (its ids are made from its events when first asked for)
        n_tracks = self.snaps[n - 1].n_tracks if n else 0
        log.tracks = [t.copy_before(n) for t in self.tracks[:n_tracks]]
        log.track_of = {t.id: t for t in log.tracks}
        log.vague_tracks = _vague_tracks(log.tracks)
        r = bisect.bisect_left(self.request_at, n)
        log.requests = [q.copy_before(n) for q in self.requests[:r]]
        log.request_of = {q.id: q for q in log.requests}
        log.request_at = self.request_at[:r]
        m = bisect.bisect_left(self.removal_at, n)
        log.removal_at = self.removal_at[:m]
        log.removal_latency = self.removal_latency[:m]
        log.removal_totals = self.removal_totals[:m]
        log.fines = [f.copy_before(n) for f in self.fines if f.made_by[0] < n]
        log.fine_of = {f.id: f for f in log.fines}
        log.accruing = [f for f in log.fines if f.per is not None]
        log.accrual = {k: g.before(n) for k, g in self.accrual.items()}
        log.calendar_groups = self.calendar_groups
        log.off_grid = [f for f in log.accruing if f.group is None]
        log.money_exponents = _exponents_before(self.money_exponents, n)
        for fine in log.fines:
            if fine.deadline is not None:
                log.fines_of_deadline.setdefault(fine.deadline, []).append(fine)
        cut = bisect.bisect_left(self.fine_at, n)
        log.fine_at = self.fine_at[:cut]
        log.fine_totals = self.fine_totals[:cut]
        log.vague = self.vague.before(n)
        log.phase_codes = self.phase_codes[: n + 1]
        log.phase_cuts = self.phase_cuts[: n + 1]
        if len(log.phase_codes) > n and _STEP <= log.phase_codes[n] < _UNCODED:
            log.phase_codes[n] &= _RAW  # (its span ended at an entry the copy has not)
        log.key_sample = self.key_sample[: -(-n // _SAMPLE_EVERY)]
        return log

    def truncate(self, n: int) -> None:
        """Forget every entry from index `n` on (undo of a refused append)."""
        if self.ids_upto >= 0:  # (a refused fold may have indexed some of its events)
            ids = self.id_index
            for event in self.events[n:]:
                if ids.get(event.id, -1) >= n:
                    del ids[event.id]
            self.ids_upto = min(self.ids_upto, n)
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
        if self.vague_tracks:
            self.vague_tracks = _vague_tracks(self.tracks)
        self._truncate_takedowns(n)
        self._truncate_fines(n)
        self.vague = self.vague.before(n)
        # (`periods`, `phase_codes` and `key_sample` stay: `n` is the length the log had
        # when the refused append began, and no timeline holds more, so none can have asked
        # about the entries forgotten)

    def _truncate_takedowns(self, n: int) -> None:
        r = bisect.bisect_left(self.request_at, n)
        for request in self.requests[r:]:
            del self.request_of[request.id]
        del self.requests[r:], self.request_at[r:]
        for request in self.requests:
            if request.made_by and request.made_by[-1] >= n:
                cut = bisect.bisect_left(request.made_by, n)
                del request.removed[cut:], request.made_by[cut:]
        m = bisect.bisect_left(self.removal_at, n)
        del self.removal_at[m:], self.removal_latency[m:], self.removal_totals[m:]
        self.takedown_index = None

    def _truncate_fines(self, n: int) -> None:
        for fine in [f for f in self.fines if f.made_by[0] >= n]:
            del self.fine_of[fine.id]
            if fine.deadline is not None:
                self.fines_of_deadline[fine.deadline].remove(fine)
        self.fines = [f for f in self.fines if f.made_by[0] < n]
        self.accruing = [f for f in self.accruing if f.made_by[0] < n]
        self.accrual = {k: g.before(n) for k, g in self.accrual.items()}
        self.off_grid = [f for f in self.off_grid if f.made_by[0] < n]
        self.money_exponents = _exponents_before(self.money_exponents, n)
        for fine in self.fines:
            if fine.made_by[-1] >= n:
                cut = bisect.bisect_left(fine.made_by, n)
                del fine.versions[cut:], fine.made_by[cut:]
        cut = bisect.bisect_left(self.fine_at, n)
        del self.fine_at[cut:], self.fine_totals[cut:]

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
        snaps, ids, counts, tally = self.snaps, self.id_index, self.counts, self.tally
        snap = snaps[-1] if snaps else _START
        index = len(self.keys)
        live = self.ids_upto == index  # the id index is made and current: keep it so
        # handlers never look up entries by position from the end: keys and events can go
        # in first, as one step each
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
            if live:
                ids[event.id] = index
            index += 1
        if live:
            self.ids_upto = index

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

    def check_regions(self, event: Event, key: int, scope: Scope | None) -> None:
        """Refuse region codes of another country than the dispute's."""
        if scope is None or not self.country:
            return
        foreign = _foreign_regions(scope._boxes, self.country)
        if foreign:
            raise self.refuse(
                event,
                key,
                f"its scope names {', '.join(foreign)}",
                f"the dispute is in {self.country}: regions must be of that country "
                "(ISO 3166-2 codes beginning with it) or place names",
                InvalidValue,
            )

    def check_after(self, event: Event, key: int, value: Moment, field: str) -> int:
        """The key of a `due` or `ends` (a bare day means its end), which must follow `key`."""
        try:
            target = self.zone.key(value, end=True)
        except TimeError as exc:
            raise self.refuse(event, key, f"its {field} {value}", str(exc), TimeError) from None
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
        due: int | None,
        demand: str,
        consequence: Consequence | None,
    ) -> None:
        track = _Track(event.id)
        rec = _DeadlineRec(event.id, key, due, due, (), demand, consequence)
        rec.due_span = self.span(getattr(event, "due", None))
        track.versions.append(rec)
        track.made_by.append(index)
        self.tracks.append(track)
        self.track_of[event.id] = track
        if rec.due_span is not None:
            self.vague_tracks[track.id] = track

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
        allowed = RULES[type(event)].deadline_from
        if state not in allowed:
            names = ", ".join(s.name for s in DeadlineState if s in allowed)
            raise self.refuse(
                event,
                key,
                f"deadline {deadline_id!r} is {state.name} since {self.when(version.closed_at)}"
                if version.closed_at is not None
                else f"deadline {deadline_id!r} is {state.name}",
                f"{event.kind} acts only on a deadline that is {names}",
                InvalidTransition,
            )
        return track, version

    def close_deadline(
        self, event: Event, key: int, index: int, deadline_id: str, state: DeadlineState
    ) -> int:
        """Close (or enforce again) a deadline; 1 if it was open until now, else 0."""
        field = "deadline" if state is not DeadlineState.ENFORCED else "enforces"
        track, version = self.open_version(event, key, deadline_id, field)
        track.versions.append(version.closed_as(state, key, event.id))
        track.made_by.append(index)
        if state is not DeadlineState.ENFORCED:  # met or withdrawn: its fines stop accruing
            for fine in self.fines_of_deadline.get(deadline_id, ()):
                if fine.versions[-1][1] is None:
                    fine.but(index, stopped=key)
                    self.accrual_stopped(fine, index, key)
        return 1 if version.closed is None else 0

    # --- reading ---------------------------------------------------------------------------

    # The `StatusSource` protocol: what a Status computes when a value is first read.

    def _snap(self, i: int) -> _Snap:
        return self.snaps[i - 1] if i else _START

    def find(self, key: int, n: int) -> int:
        """How many of the first `n` entries are at or before `key` (`bisect_right`).

        A long log is searched in two steps, its sample of keys and then one stretch of
        `_SAMPLE_EVERY` keys: at ten million entries that touches fewer cache lines far
        apart than one search over all of them.
        """
        keys = self.keys
        if n < _LONG_LOG:
            return _bisect_right(keys, key, 0, n)
        every = _SAMPLE_EVERY
        top = -(-n // every)  # the sample's keys of the first n: keys[every * j] for j < top
        sample = self.key_sample
        if len(sample) < top:
            with self.lock:
                sample.extend(keys[len(sample) * every : n : every])
        j = _bisect_right(sample, key, 0, top)  # keys[every * (j - 1)] <= key < keys[every * j]
        return _bisect_right(
            keys, key, every * (j - 1) + 1 if j else 0, every * j if j < top else n
        )

    def status(self, key: int, n: int) -> Status:
        """The status at `key` of a timeline of the first `n` entries (after those `find`s).

        In a long log its phase is read from the phase codes, or computed from the entry's
        snapshot where they cannot say (a restriction with a window may count); in a short
        one, computed from the snapshot.
        """
        i = self.find(key, n)
        if n < _LONG_LOG:
            return Status._at(self, i, key, self.status_phase(i, key))
        codes = self.phase_codes
        if len(codes) <= n:
            codes = self._grow_codes(n)
        code = codes[i]
        if code == _UNCODED:
            code = self._code_chunk(i)
        phase = (_PHASE_INSIDE if i < n else _PHASE_LAST)[code]
        if phase is not None:
            return Status._at(self, i, key, phase)
        if code == _NO_STEP:
            return Status._at(self, i, key, self.status_phase(i, key))
        code &= _RAW
        if key <= self.phase_cuts[i]:
            return Status._at(self, i, key, _PHASE_OF[code >> 3])
        return Status._at(self, i, key, _PHASE_OF[code & 7])

    def _grow_codes(self, n: int) -> bytearray:
        """`phase_codes` long enough for `n` entries, the new ones not coded yet."""
        with self.lock:
            codes = self.phase_codes
            more = n + 1 - len(codes)
            if more > 0:
                codes.extend(_UNCODED_BYTE * more)
                self.phase_cuts.frombytes(bytes(8 * more))
            return codes

    def _code_chunk(self, i: int) -> int:
        """Code the chunk of `phase_codes` that holds `i`; the code at `i`.

        A step is marked when its cut lies outside its entry's span, from the entry's key to
        the next one's: an entry of the log never changes once its append is done (a log
        only grows, and a refused append is undone under this lock), so neither does the
        span of any entry but the last. `prefix` unmarks its last code.
        """
        with self.lock:
            codes, cuts, snaps, keys = self.phase_codes, self.phase_cuts, self.snaps, self.keys
            start = i - i % _PHASE_CHUNK
            last: _Snap | None = None
            code = cut = 0
            for j in range(start, min(start + _PHASE_CHUNK, len(codes))):
                snap = snaps[j - 1] if j else _START
                if snap is not last:  # (consecutive entries often share their snapshot)
                    last = snap
                    code, cut = _phase_code(snap)
                cuts[j] = cut  # (before the code: a reader that sees a step finds its cut)
                if _STEP <= code < _NO_STEP and 0 < j < len(keys):
                    if cut >= keys[j] - 1:  # (a key in the span is below the next entry's)
                        codes[j] = code | _BEFORE_SPAN
                        continue
                    if cut < keys[j - 1]:
                        codes[j] = code | _AFTER_SPAN
                        continue
                codes[j] = code
            return codes[i]

    def status_at_key(self, key: int) -> pendulum.DateTime:
        return self.zone.to_datetime(key)

    def status_phase(self, i: int, key: int) -> Phase:
        return _phase(self.snaps[i - 1] if i else _START, key, self.zone)

    def status_phase_for(self, i: int, key: int, point: tuple[str | None, ...]) -> Phase:
        return _phase_for(self._snap(i), key, self.zone, point)

    def status_restrictions(
        self, i: int, key: int, kind: int
    ) -> tuple[Throttle | Block | Delisting, ...]:
        return tuple(self.public(r) for r in _active(self._snap(i), key) if r.kind == kind)

    def restrictions_at(self, i: int, key: int) -> tuple[_Restr, ...]:
        """The records active at `key` after `i` events, in `Status`'s order.

        Blocks, throttles, delistings, each in the order imposed; `public` makes each one
        public. A record is never changed once folded: what narrows a restriction (a
        partial lift, a superseding block) makes a new record, so two checkpoints with the
        same record have the same restriction.
        """
        active = _active(self._snap(i), key)
        if len({r.kind for r in active}) < 2:  # one kind: already in order
            return active
        return tuple(r for kind in _STATUS_ORDER for r in active if r.kind == kind)

    def status_block(self, i: int, key: int) -> Block | None:
        zone = self.zone
        for r in self._snap(i).restrictions:
            if r.kind == _BLOCK and _in_force(r, key, zone):
                block = self.public(r)
                assert isinstance(block, Block)
                return block
        return None

    def status_deadlines(self, i: int, key: int) -> tuple[Deadline, ...]:
        public = self._public_deadline
        return tuple(public(t.before(i), key) for t in self.tracks[: self._snap(i).n_tracks])

    def status_counts(self, i: int) -> tuple[int, int, int]:
        warnings, requested, removed = self.totals(i)
        return warnings, requested, removed

    def _fine_totals(self, i: int) -> tuple[_Money, _Money, _Money]:
        cut = bisect.bisect_left(self.fine_at, i)
        return self.fine_totals[cut - 1] if cut else (_EMPTY_FINES, _EMPTY_FINES, _EMPTY_FINES)

    def status_fines(self, i: int, key: int) -> tuple[_Money, _Money]:
        """Fines imposed (accrued to `key`) and owed per currency, after the first `i` events.

        One-off fines and payments are running totals; accruing fines are counted here.
        """
        one_off, paid_live, _ = self._fine_totals(i)
        imposed = dict(one_off)
        zone = self.zone
        slow = self._accrue_groups(i, key, imposed)
        for fine in slow:
            if fine.made_by[0] >= i:
                break
            _, stopped, cancelled = fine.before(i)
            if cancelled is None:
                c = fine.currency
                imposed[c] = EXACT.add(imposed.get(c, _ZERO), fine.accrued(zone, key, stopped))
        owed = {}
        for c, total in imposed.items():
            # shown with the decimals of the most precise amount in that currency so far,
            # whichever way it was counted (payments have no more: `owed` needs no quantize)
            imposed[c] = value = total.quantize(_ONE.scaleb(self._exponent(c, i)), context=EXACT)
            owed[c] = EXACT.subtract(value, paid_live.get(c, _ZERO))
        return types.MappingProxyType(imposed), types.MappingProxyType(owed)

    def _accrue_groups(self, i: int, key: int, imposed: dict[str, decimal.Decimal]) -> list[_Fine]:
        """Add what the grouped fines accrued to `imposed`; the fines left to count one by one.

        Groups answer after every event at or before `key` (not for an older timeline
        sharing this log with events it does not hold), calendar groups where the UTC offset
        is steady. Under the lock, so that an append in place cannot slip in between.
        """
        offset = 0
        if self.calendar_groups:
            steady = steady_offset(self.zone, key, self.steady)
            if steady is None:
                return self.accruing
            offset = steady
        totals: dict[str, int] = {}
        with self.lock:
            if not self.accrual or not (i == len(self.keys) or self.keys[i] > key):
                return self.accruing
            for (currency, _, _), group in self.accrual.items():
                totals[currency] = totals.get(currency, 0) + group.total(key, offset)
        for currency, total in totals.items():
            if total:
                imposed[currency] = EXACT.add(imposed.get(currency, _ZERO), amount(total))
        return self.off_grid

    def _exponent(self, currency: str, i: int) -> int:
        made, exponents = self.money_exponents[currency]
        return exponents[bisect.bisect_left(made, i) - 1]

    def note_exponent(self, currency: str, amount: decimal.Decimal, index: int) -> None:
        """Remember the smallest exponent of the amounts in `currency` so far."""
        exponent = amount.as_tuple().exponent
        assert isinstance(exponent, int)
        made, exponents = self.money_exponents.setdefault(currency, ([], []))
        if not exponents or exponent < exponents[-1]:
            made.append(index)
            exponents.append(exponent)

    # Accruing fines on a grid: entries that keep each group's sums (see _accrual).

    def _group(self, fine: _Fine) -> tuple[Group, int, int] | None:
        """The fine's group, its scaled amount and its origin; None off the grids."""
        if fine.group is None:
            return None
        group = self.accrual[fine.group]
        return group, scaled(fine.amount), origin(group.kind, self.zone, fine.at)

    def accrual_imposed(self, fine: _Fine, index: int) -> None:
        assert fine.per is not None
        grid = grid_of(fine.per)
        if grid is None:
            self.off_grid.append(fine)
            return
        fine.group = (fine.currency, *grid)
        if fine.group not in self.accrual:
            self.accrual[fine.group] = Group(*grid)
            self.calendar_groups |= grid[0] != EXACT_GRID
        found = self._group(fine)
        assert found is not None
        group, a, c = found
        group.add(index, fine.at, c, a, 0)
        if fine.until is not None:
            n = _accruals(self.zone, fine.at, fine.per, fine.until)
            months, days, micros = parse_span(fine.per)
            try:
                after: int | None = self.zone.shift(
                    fine.at, span_text(months * n, days * n, micros * n)
                )
            except TimeError:
                after = None
            fine.after = (after, n)
            if after is not None:  # from then on, take back what accrues after `until`
                group.add(index, after, c, -a, a * n)

    def accrual_stopped(self, fine: _Fine, index: int, key: int) -> None:
        found = self._group(fine)
        if found is None or fine.ends_by(key) or fine.versions[-1][2] is not None:
            return  # off the grids, ended by `until` already, or cancelled: nothing changes
        group, a, c = found
        assert fine.per is not None
        n = _accruals(self.zone, fine.at, fine.per, key)
        group.add(index, key, c, -a, a * n)  # from running to n instants
        self._drop_after(fine, group, index, key, a, c)

    def accrual_cancelled(self, fine: _Fine, index: int, key: int, stopped: int | None) -> None:
        found = self._group(fine)
        if found is None:
            return
        group, a, c = found
        assert fine.per is not None
        if stopped is not None and not fine.ends_by(stopped):  # it stands at n instants
            n = _accruals(self.zone, fine.at, fine.per, stopped)
            group.add(index, key, c, 0, -a * n)
            return
        group.add(index, key, c, -a, 0)
        self._drop_after(fine, group, index, key, a, c)

    @staticmethod
    def _drop_after(fine: _Fine, group: Group, index: int, key: int, a: int, c: int) -> None:
        """Undo the entry that takes back what accrues after `until`, as of event `index`."""
        if fine.after is None:
            return
        after, n = fine.after
        if after is not None:  # from the later of that instant and this event
            group.add(index, max(key, after), c, a, -a * n)

    def status_fine_states(self, i: int, key: int) -> tuple[FineState, ...]:
        states = []
        for fine in self.fines:
            if fine.made_by[0] >= i:
                break
            paid, stopped, cancelled = fine.before(i)
            accrued = fine.accrued(self.zone, key, stopped)
            states.append(
                FineState(
                    id=fine.id,
                    currency=fine.currency,
                    accrued=accrued,
                    paid=paid,
                    owed=_ZERO if cancelled is not None else EXACT.subtract(accrued, paid),
                    cancelled=cancelled is not None,
                )
            )
        return tuple(states)

    def status_fines_paid(self, i: int) -> _Money:
        return self._fine_totals(i)[2]

    def add_to_fines(
        self,
        index: int,
        one_off: _Money | None = None,
        paid_live: _Money | None = None,
        paid: _Money | None = None,
    ) -> None:
        """Record running totals after event `index`, changed by the given amounts."""
        totals = list(self.fine_totals[-1] if self.fine_totals else (_EMPTY_FINES,) * 3)
        for n, change in enumerate((one_off, paid_live, paid)):
            if change:
                merged = dict(totals[n])
                for c, amount in change.items():
                    value = EXACT.add(merged.get(c, _ZERO), amount)
                    if value:
                        merged[c] = value
                    else:
                        merged.pop(c, None)
                totals[n] = types.MappingProxyType(merged)
        self.fine_at.append(index)
        self.fine_totals.append((totals[0], totals[1], totals[2]))

    def status_last_event(self, i: int) -> Event | None:
        return self.events[i - 1] if i else None

    def span(self, moment: Moment | None) -> tuple[int, int] | None:
        """The first and last instant of an imprecise time; None for any other."""
        if not isinstance(moment, Imprecise):
            return None
        return self.zone.day_start(moment.earliest), self.zone.day_end(moment.latest)

    def status_uncertain(self, i: int, key: int) -> tuple[Event, ...]:
        found: set[int] = set()  # event indexes
        with self.lock:
            self.vague.scan(self, len(self.events))
            vague = self.vague
            p = bisect.bisect_left(vague.index, i)
        floor = key - vague.width
        for j in range(p - 1, -1, -1):
            if vague.first[j] < floor:
                break
            if vague.last[j] >= key:
                found.add(vague.index[j])
        snap = self._snap(i)
        ids = self.ids
        for track in list(self.vague_tracks.values()):
            if track.made_by[0] >= i:
                continue
            version = track.before(i)
            span = version.due_span
            if span is not None and version.closed is None and span[0] <= key <= span[1]:
                found.add(ids[version.extensions[-1][0] if version.extensions else version.id])
        for r in _active(snap, key):
            if r.ends_span is not None and r.ends_span[0] <= key:
                found.add(ids[r.id])
        return tuple(self.events[j] for j in sorted(found))

    def status_takedowns(self, i: int, key: int) -> Takedowns:
        return Takedowns(self, i, key)

    # The `TakedownSource` protocol.

    def takedown_counts(self, i: int) -> tuple[int, int, int, int, int, int, int, int]:
        requests = bisect.bisect_left(self.request_at, i)
        m = bisect.bisect_left(self.removal_at, i)
        items, total, longest, with_sla, within = self.removal_totals[m - 1] if m else _NO_REMOVALS
        _, requested, removed = self.totals(i)
        return (requests, requested, removed, items, total, longest, with_sla, within)

    def takedown_overdue(self, i: int, key: int) -> int:
        r = bisect.bisect_left(self.request_at, i)
        m = bisect.bisect_left(self.removal_at, i)
        index = self._takedown_index(r, m)
        if index is None:  # a short log: a scan is cheaper than an index
            overdue = 0
            for request in self.requests[:r]:
                if request.due is not None and key > request.due:
                    overdue += request.items - request.removed_before(i)
            return overdue
        # items of requests due before `key`, less the items removed under them by then
        return index.dues.weight_below(bisect.bisect_left(index.made, i), key)

    def takedown_median(self, i: int) -> _dt.timedelta | None:
        m = bisect.bisect_left(self.removal_at, i)
        count = self.removal_totals[m - 1][0] if m else 0
        if not count:
            return None
        index = self._takedown_index(bisect.bisect_left(self.request_at, i), m)
        if index is None:
            weighted = sorted(p for p in self.removal_latency[:m] if p[1])

            def nth(k: int) -> int:  # the k-th smallest latency, counting each item
                for latency, items in weighted:
                    if k < items:
                        return latency
                    k -= items
                raise AssertionError  # k < count
        else:
            if count % 2:
                return _dt.timedelta(microseconds=index.latencies.kth(m, count // 2))
            low, high = index.latencies.kth_pair(m, count // 2 - 1)
            return _dt.timedelta(microseconds=round(fractions.Fraction(low + high, 2)))
        if count % 2:
            middle = nth(count // 2)
        else:
            middle = round(fractions.Fraction(nth(count // 2 - 1) + nth(count // 2), 2))
        return _dt.timedelta(microseconds=middle)

    def _takedown_index(self, r: int, m: int) -> _TakedownIndex | None:
        """Wavelet matrices over requests and removals, for prefixes of a large log."""
        if r + m < _SCAN_BELOW:
            return None
        index = self.takedown_index
        if index is None or index.requests < r or index.removals < m:
            requests = self.requests
            never = MAX_KEY + 1  # no SLA: never overdue
            entries = sorted(
                [
                    (made, never if q.due is None else q.due, q.items)
                    for q, made in zip(requests, self.request_at, strict=True)
                ]
                + [
                    (made, never if q.due is None else q.due, -(now - before))
                    for q in requests
                    for made, before, now in zip(
                        q.made_by, [0, *q.removed], q.removed, strict=False
                    )
                ]
            )
            latencies = self.removal_latency
            index = _TakedownIndex(
                requests=len(requests),
                removals=len(latencies),
                made=array.array("q", [made for made, _, _ in entries]),
                dues=WeightedWavelet([due for _, due, _ in entries], [w for _, _, w in entries]),
                latencies=WeightedWavelet(
                    [lat for lat, _ in latencies], [items for _, items in latencies]
                ),
            )
            self.takedown_index = index
        return index

    def takedown_requests(self, i: int, key: int) -> tuple[Request, ...]:
        to_dt = self.zone.to_datetime
        out = []
        for request in self.requests[: bisect.bisect_left(self.request_at, i)]:
            removed = request.removed_before(i)
            outstanding = request.items - removed
            if not outstanding:
                state = RequestState.DONE
            elif request.due is not None and key > request.due:
                state = RequestState.OVERDUE
            else:
                state = RequestState.PENDING
            out.append(
                Request(
                    id=request.id,
                    state=state,
                    at=to_dt(request.at),
                    sla=request.sla,
                    due=None if request.due is None else to_dt(request.due),
                    requested=request.items,
                    removed=removed,
                    outstanding=outstanding,
                )
            )
        return tuple(out)

    def horizon(self, n: int) -> int | None:
        """The latest instant the first `n` events name.

        Their times, due dates, and the instant after each `ends` (when it is over).
        """
        if not n:
            return None
        latest = self.keys[n - 1]
        zone = self.zone
        for event in self.events[:n]:
            due = getattr(event, "due", None)
            if due is not None:
                latest = max(latest, zone.key(due, end=True))
            ends = getattr(event, "ends", None)
            if ends is not None:
                latest = max(latest, zone.key(ends, end=True) + 1)
        return latest

    def history(
        self,
        n: int,
        until: int | None = None,
        point: tuple[str | None, ...] = (None, None, None, None),
    ) -> tuple[Period, ...]:
        """Periods of constant phase over the first `n` entries, the last one open.

        Windows recur up to `until` (the periods that start at or before it), or without it
        up to the latest instant any event names; a restriction running out counts always.
        With `point`, the phase of that slice (see `_phase_for`).
        """
        periods = self._period_starts(n, until, point)
        to_dt = self.zone.to_datetime

        def span(
            keys: tuple[int, int] | None,
        ) -> tuple[pendulum.DateTime, pendulum.DateTime] | None:
            return None if keys is None else (to_dt(keys[0]), to_dt(keys[1]))

        return tuple(
            Period(
                start=to_dt(start),
                end=to_dt(periods[j + 1][0]) if j + 1 < len(periods) else None,
                phase=phase,
                cause=cause,
                start_span=span(boundary),
                end_span=span(periods[j + 1][3]) if j + 1 < len(periods) else None,
            )
            for j, (start, phase, cause, boundary) in enumerate(periods)
        )

    def _period_starts(
        self, n: int, until: int | None, point: tuple[str | None, ...]
    ) -> tuple[_PeriodStart, ...]:
        """`history`'s periods as (start key, phase, cause, span of an imprecise start).

        Those for every instant and the whole dispute are kept for the last `n` asked.
        """
        whole = until is None and point == _EVERYWHERE
        if whole:
            kept = self.periods
            if kept is not None and kept[0] == n:
                return kept[1]
        found = tuple(self._periods_of(n, until, point))
        if whole:
            self.periods = (n, found)
        return found

    def _periods_of(
        self, n: int, until: int | None, point: tuple[str | None, ...]
    ) -> list[_PeriodStart]:
        keys, snaps, events, zone = self.keys, self.snaps, self.events, self.zone
        if until is not None:
            n = bisect.bisect_right(keys, until, 0, n)
        periods: list[_PeriodStart] = []
        first = 0  # the first event at the current instant
        seen = None  # the state last looked at
        for i in range(n):
            key = keys[i]
            if i + 1 < n and keys[i + 1] == key:
                continue  # only the state after the last event at an instant is seen
            snap = snaps[i]
            if snap is seen and snap.static:  # (an event that changed neither restrictions
                first = i + 1  # nor deadlines, in a state time does not change: nothing new)
                continue
            seen = snap
            phase = _phase_for(snap, key, zone, point)
            if not periods or periods[-1][1] is not phase:
                periods.append((key, phase, events[i].id, self._at_span(first, i + 1)))
            first = i + 1
            if not snap.static:  # a restriction runs out or has a window
                last = keys[i + 1] - 1 if i + 1 < n else None
                self._time_changes(periods, snap, key, last, n, until, point)
        return periods

    def _time_changes(
        self,
        periods: list[_PeriodStart],
        snap: _Snap,
        key: int,
        last: int | None,
        n: int,
        until: int | None,
        point: tuple[str | None, ...],
    ) -> None:
        """Add the periods that time alone starts in `snap` after `key`, up to `last`.

        `last` None: `snap` is the last event's state; its windows recur up to `until`, or
        up to the latest instant the first `n` events name.
        """
        zone = self.zone
        if last is not None:
            top: int | None = last
        else:  # (only windows use the horizon: a pass over the events, so only if any)
            top = until if until is not None or not any(snap.windowed) else self.horizon(n)
        for boundary in _changes(snap, key, top, zone):
            if last is not None and boundary > last:
                break
            if until is not None and boundary > until:
                break
            phase = _phase_for(snap, boundary, zone, point)
            if periods[-1][1] is not phase:
                periods.append((boundary, phase, None, _ends_span(snap, boundary)))

    def _at_span(self, first: int, end: int) -> tuple[int, int] | None:
        """The span of the imprecise `at`s among events `first` to `end` (one instant)."""
        if end == first + 1 and not isinstance(self.events[first].at, Imprecise):
            return None
        spans = [s for s in (self.span(e.at) for e in self.events[first:end]) if s is not None]
        if not spans:
            return None
        return min(s[0] for s in spans), max(s[1] for s in spans)

    def public(self, rec: _Restr) -> Throttle | Block | Delisting:
        """The public restriction of a record (made once, kept on it)."""
        if rec.public is None:
            to_dt = self.zone.to_datetime
            since = to_dt(rec.since)
            ends = None if rec.ends is None else to_dt(rec.ends)
            if rec.kind == _THROTTLE:
                rec.public = Throttle(
                    id=rec.id,
                    since=since,
                    scope=scope_of(rec.boxes),
                    rate=rec.rate,
                    ends=ends,
                    window=rec.window,
                    by=rec.by,
                )
            elif rec.kind == _BLOCK:
                rec.public = Block(
                    id=rec.id,
                    since=since,
                    scope=scope_of(rec.boxes),
                    ends=ends,
                    window=rec.window,
                    by=rec.by,
                )
            else:
                rec.public = _public_delisting(rec, since, ends)
        return rec.public

    def _public_deadline(self, rec: _DeadlineRec, key: int) -> Deadline:
        state = rec.state_at(key)
        made = rec.public
        if made is None:
            made = rec.public = {}
        public = made.get(state)
        if public is None:
            to_dt = self.zone.to_datetime
            public = made[state] = Deadline(
                id=rec.id,
                state=state,
                due=None if rec.due is None else to_dt(rec.due),
                original_due=None if rec.original_due is None else to_dt(rec.original_due),
                extensions=tuple(
                    Extension(
                        id=by,
                        at=to_dt(at),
                        previous_due=None if prev is None else to_dt(prev),
                        due=to_dt(due),
                    )
                    for by, at, prev, due in rec.extensions
                ),
                set_at=to_dt(rec.set_at),
                demand=rec.demand,
                consequence=rec.consequence,
                closed_at=None if rec.closed_at is None else to_dt(rec.closed_at),
                closed_by=rec.closed_by,
                enforced_by=rec.enforced_by,
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
    due = None if ev.due is None else log.check_after(ev, key, ev.due, "due")
    log.open_deadline(ev, key, index, due, ev.demand, ev.consequence)
    return snap.but(open_deadlines=snap.open_deadlines + 1, n_tracks=snap.n_tracks + 1)


def _deadline_extended(log: Log, ev: Event, key: int, snap: _Snap, index: int) -> _Snap:
    assert isinstance(ev, DeadlineExtended)
    track, version = log.open_version(ev, key, ev.deadline, "deadline")
    if ev.by is not None:
        start = key if version.due is None else version.due  # an open demand: from now
        try:
            due = log.zone.shift(start, ev.by)
        except TimeError as exc:
            raise log.refuse(ev, key, f"deadline {ev.deadline!r}", str(exc), TimeError) from None
        asked = f"by {ev.by}"
    else:
        assert ev.due is not None
        due = log.zone.key(ev.due, end=True)
        asked = f"to {ev.due}"
    if version.due is None:
        if due <= key:
            raise log.refuse(
                ev,
                key,
                f"deadline {ev.deadline!r} is an open demand with no due date",
                f"giving it one {asked} gives {log.when(due)}, which is not after the "
                "extension's own time",
                InvalidTransition,
            )
    elif due <= version.due:
        raise log.refuse(
            ev,
            key,
            f"deadline {ev.deadline!r} is due {log.when(version.due)}",
            f"extending it {asked} gives {log.when(due)}, which is not later",
            InvalidTransition,
        )
    # a duration from an imprecise due, or from the extension's own imprecise time (an open
    # demand), is as imprecise: the same duration from each end of that span
    base = version.due_span if version.due is not None else log.span(ev.at)
    if ev.by is None:
        span = log.span(ev.due)
    elif base is not None:
        try:
            span = (log.zone.shift(base[0], ev.by), log.zone.shift(base[1], ev.by))
        except TimeError:
            span = (due, due)
    else:
        span = None
    track.versions.append(version.extended(ev.id, key, due, span))
    if span is not None:
        log.vague_tracks[track.id] = track
    track.made_by.append(index)
    return snap


def _closer(state: DeadlineState) -> _Handler:
    def close(log: Log, ev: Event, key: int, snap: _Snap, index: int) -> _Snap:
        assert isinstance(ev, DeadlineMet | DeadlineWithdrawn)
        was_open = log.close_deadline(ev, key, index, ev.deadline, state)
        return snap.but(open_deadlines=snap.open_deadlines - was_open)

    return close


def _enforce(
    log: Log, ev: ThrottleImposed | BlockImposed | DelistingImposed, key: int, index: int
) -> int:
    if ev.enforces is None:
        return 0
    return log.close_deadline(ev, key, index, ev.enforces, DeadlineState.ENFORCED)


@functools.lru_cache(maxsize=4096)
def _foreign_regions(boxes: tuple[_Box, ...], country: str) -> tuple[str, ...]:
    """The region codes `boxes` name (included or excepted) of another country, sorted."""
    names = frozenset().union(*(b[2][0] for b in boxes))
    return tuple(sorted(r for r in names if region_countries((r,)) - {country}))


@functools.lru_cache(maxsize=4096)
def _named(boxes: tuple[_Box, ...]) -> tuple[frozenset[str] | None, ...]:
    """`_Restr.named` of `boxes` (restrictions repeat a few scopes: computed once each)."""
    return tuple(
        None if any(b[k][1] for b in boxes) else frozenset().union(*(b[k][0] for b in boxes))
        for k in range(4)
    )


def _coverage(ev: Event, scope: Scope | None) -> tuple[_Box, ...]:
    """The boxes an imposition or a lift covers (delistings: times their stores)."""
    boxes = scope_boxes(EVERYTHING if scope is None else scope)
    if isinstance(ev, DelistingImposed | DelistingLifted):
        stores: _Dim = _ALL_DIM if ev.stores is None else (ev.stores, False)
        return tuple((*b, stores) for b in boxes)
    return boxes


def _universes(kind: int) -> tuple[frozenset[str] | None, ...]:
    return _STORE_UNIVERSES if kind == _DELIST else _SCOPE_UNIVERSES


def _words(kind: int, boxes: Sequence[_Box]) -> str:
    if kind != _DELIST:
        return str(scope_of(boxes))
    parts = []
    for b in boxes:
        stores = b[4]
        if stores[1]:
            which = "every store" + (f" except {'+'.join(sorted(stores[0]))}" if stores[0] else "")
        else:
            which = "+".join(sorted(stores[0]))
        parts.append(f"{which}: {box_words(b[:4])}")
    return "; ".join(parts)


def _imposed(log: Log, ev: Event, key: int, snap: _Snap, index: int) -> _Snap:
    """ThrottleImposed, BlockImposed and DelistingImposed."""
    assert isinstance(ev, ThrottleImposed | BlockImposed | DelistingImposed)
    kind = _KIND_OF[type(ev)]
    log.check_regions(ev, key, ev.scope)
    ends = None if ev.ends is None else log.check_after(ev, key, ev.ends, "ends")
    window = getattr(ev, "window", None)
    boxes = _coverage(ev, ev.scope)
    active = _active(snap, key)
    if window is None:
        rival = _BLOCK if kind != _DELIST else _DELIST
        for r in active:
            if r.kind == rival and r.window is None and region_overlaps(boxes, r.boxes):
                overlap = region_and(boxes, r.boxes)
                raise log.refuse(
                    ev,
                    key,
                    f"{_KIND_WORDS[rival]} {r.id!r} is active on {_words(rival, r.boxes)}",
                    f"the new {_KIND_WORDS[kind]} overlaps it on {_words(rival, overlap)}; lift "
                    "that part first, or give the new one a scope that does not overlap",
                    InvalidTransition,
                )
    closed = _enforce(log, ev, key, index)
    kept: list[_Restr] = []
    for r in active:
        if kind == _BLOCK and window is None and r.kind == _THROTTLE and r.window is None:
            left = region_minus(r.boxes, boxes, _SCOPE_UNIVERSES)  # superseded where blocked
            if not left:
                continue
            if left != list(r.boxes):
                r = r.narrowed(merged(left, _SCOPE_UNIVERSES))
        kept.append(r)
    rate = ev.rate if isinstance(ev, ThrottleImposed) else None
    restriction = _Restr(kind, ev.id, key, boxes, ends, window, ev.by, rate)
    restriction.ends_span = log.span(ev.ends)
    kept.append(restriction)
    return snap.but(restrictions=tuple(kept), open_deadlines=snap.open_deadlines - closed)


def _named_target(
    log: Log,
    ev: Event,
    key: int,
    index: int,
    kind: int,
    target: str,
    active: tuple[_Restr, ...],
    lift: tuple[_Box, ...],
) -> _Restr:
    """The active restriction a lift names, or the refusal.

    Refused: unknown, no longer active, a value no part of it has (a typo guard), or
    nothing to take away.
    """
    word = _KIND_WORDS[kind]
    found = [r for r in active if r.id == target]
    if not found:
        listed = ", ".join(f"{r.id!r} ({_words(kind, r.boxes)})" for r in active) or "none"
        at = log.ids.get(target, index)  # (later events of the batch are in it too)
        if at >= index or not isinstance(log.events[at], _IMPOSING[kind]):
            raise log.refuse(
                ev,
                key,
                f"no {word} {target!r} was imposed before it",
                f"active {word}s: {listed}",
                UnknownReference,
            )
        raise log.refuse(
            ev,
            key,
            f"{word} {target!r} is no longer active (lifted, run out or superseded)",
            f"active {word}s: {listed}",
            InvalidTransition,
        )
    rec = found[0]
    # a lift is one box; the values it names in the four scope dimensions must exist
    why = None
    for k, d in enumerate(lift[0][:4]):
        if d[1] or (k == 0 and d[0] == NETWORKS):
            continue
        missing = sorted(v for v in d[0] if not any(dim_has(b[k], v) for b in rec.boxes))
        if missing:
            why = f"it names {_DIM_WORDS[k]} {', '.join(missing)} that no part of it has"
            break
    if why is None and not region_overlaps(rec.boxes, lift):
        why = "the lift takes nothing away from it"
    if why is not None:
        have = f"{word} {target!r} covers {_words(kind, rec.boxes)}"
        raise log.refuse(ev, key, have, why, InvalidTransition)
    return rec


def _lifted(log: Log, ev: Event, key: int, snap: _Snap, index: int) -> _Snap:
    """ThrottleLifted, BlockLifted and DelistingLifted."""
    assert isinstance(ev, ThrottleLifted | BlockLifted | DelistingLifted)
    kind = _KIND_OF[type(ev)]
    word = _KIND_WORDS[kind]
    target: str | None = getattr(ev, word)
    log.check_regions(ev, key, ev.scope)
    lift = _coverage(ev, ev.scope)
    live = _active(snap, key)
    active = tuple(r for r in live if r.kind == kind)
    if target is not None:
        targets = {_named_target(log, ev, key, index, kind, target, active, lift).id}
    else:
        targets = {r.id for r in active if region_overlaps(r.boxes, lift)}
        if not targets:
            listed = ", ".join(f"{r.id!r} ({_words(kind, r.boxes)})" for r in active) or "none"
            raise log.refuse(
                ev,
                key,
                f"no active {word} overlaps {_words(kind, lift)}",
                f"active {word}s: {listed}",
                InvalidTransition,
            )
    universes = _universes(kind)
    kept: list[_Restr] = []
    for r in live:
        if r.kind == kind and r.id in targets:
            left = region_minus(r.boxes, lift, universes)
            if not left:
                continue
            r = r.narrowed(merged(left, universes))
        kept.append(r)
    return snap.but(restrictions=tuple(kept))


def _takedown(log: Log, ev: Event, key: int, snap: _Snap, index: int) -> _Snap:
    assert isinstance(ev, TakedownRequested)
    due = None
    if ev.sla is not None:
        try:
            due = log.zone.shift(key, ev.sla)
        except TimeError as exc:
            raise log.refuse(ev, key, f"its sla {ev.sla}", str(exc), TimeError) from None
    request = _Request(ev.id, key, ev.sla, due, ev.items)
    log.requests.append(request)
    log.request_of[ev.id] = request
    log.request_at.append(index)
    log.tally[1] += ev.items
    return snap


def _removed(log: Log, ev: Event, key: int, snap: _Snap, index: int) -> _Snap:
    assert isinstance(ev, ContentRemoved)
    if ev.request is not None:
        request = log.request_of.get(ev.request)
        if request is None:
            raise log.refuse(
                ev,
                key,
                f"its request {ev.request!r} names no takedown request made before it",
                "link it to an earlier TakedownRequested id, or leave `request` out",
                UnknownReference,
            )
        done = request.removed[-1] if request.removed else 0
        outstanding = request.items - done
        if ev.items > outstanding:
            raise log.refuse(
                ev,
                key,
                f"request {ev.request!r} has {outstanding} of its {request.items} items "
                "outstanding",
                f"it removes {ev.items}: more than the request still has",
                InvalidTransition,
            )
        request.removed.append(done + ev.items)
        request.made_by.append(index)
        latency = key - request.at
        items, total, longest, with_sla, within = (
            log.removal_totals[-1] if log.removal_totals else _NO_REMOVALS
        )
        if ev.items:
            longest = max(longest, latency)
        if request.due is not None:
            with_sla += ev.items
            within += ev.items if key <= request.due else 0
        log.removal_at.append(index)
        log.removal_latency.append((latency, ev.items))
        log.removal_totals.append(
            (items + ev.items, total + latency * ev.items, longest, with_sla, within)
        )
    log.tally[2] += ev.items
    return snap


def _fine(log: Log, ev: Event, key: int, snap: _Snap, index: int) -> _Snap:
    assert isinstance(ev, FineImposed)
    until = None if ev.until is None else log.check_after(ev, key, ev.until, "until")
    if ev.deadline is not None:
        log.open_version(ev, key, ev.deadline, "deadline")
    fine = _Fine(ev.id, key, ev.amount, ev.currency, ev.per, until, ev.deadline)
    fine.versions.append((_ZERO, None, None))
    fine.made_by.append(index)
    log.fines.append(fine)
    log.fine_of[ev.id] = fine
    if ev.deadline is not None:
        log.fines_of_deadline.setdefault(ev.deadline, []).append(fine)
    log.note_exponent(ev.currency, ev.amount, index)
    if ev.per is None:
        log.add_to_fines(index, one_off={ev.currency: ev.amount})
    else:
        log.accruing.append(fine)
        log.accrual_imposed(fine, index)
    return snap


def _named_fine(log: Log, ev: FinePaid | FineCancelled, key: int) -> _Fine:
    fine = log.fine_of.get(ev.fine)
    if fine is None:
        raise log.refuse(
            ev,
            key,
            f"its fine {ev.fine!r} names no fine imposed before it",
            "known fines: " + (", ".join(repr(f) for f in log.fine_of) or "none"),
            UnknownReference,
        )
    return fine


def _fine_paid(log: Log, ev: Event, key: int, snap: _Snap, index: int) -> _Snap:
    assert isinstance(ev, FinePaid)
    fine = _named_fine(log, ev, key)
    paid, stopped, cancelled = fine.versions[-1]
    if ev.currency != fine.currency:
        raise log.refuse(
            ev,
            key,
            f"fine {ev.fine!r} is in {fine.currency}",
            f"a payment in {ev.currency} cannot reduce it",
            InvalidTransition,
        )
    owed = (
        _ZERO
        if cancelled is not None
        else EXACT.subtract(fine.accrued(log.zone, key, stopped), paid)
    )
    if ev.amount > owed:
        raise log.refuse(
            ev,
            key,
            f"{owed} {fine.currency} is owed on fine {ev.fine!r} at that time"
            + (" (it was cancelled)" if cancelled is not None else ""),
            f"a payment of {ev.amount} is more than is owed",
            InvalidTransition,
        )
    fine.but(index, paid=EXACT.add(paid, ev.amount))
    log.note_exponent(ev.currency, ev.amount, index)
    change = {ev.currency: ev.amount}
    log.add_to_fines(index, paid_live=change, paid=change)
    return snap


def _fine_cancelled(log: Log, ev: Event, key: int, snap: _Snap, index: int) -> _Snap:
    assert isinstance(ev, FineCancelled)
    fine = _named_fine(log, ev, key)
    cancelled = fine.versions[-1][2]
    if cancelled is not None:
        raise log.refuse(
            ev,
            key,
            f"fine {ev.fine!r} was cancelled at {log.when(cancelled)}",
            "a fine is cancelled once",
            InvalidTransition,
        )
    paid, stopped, _ = fine.versions[-1]
    fine.but(index, cancelled=key)
    log.accrual_cancelled(fine, index, key, stopped)
    log.add_to_fines(
        index,
        one_off={fine.currency: -fine.amount} if fine.per is None else None,
        paid_live={fine.currency: -paid} if paid else None,
    )
    return snap


def _statement(log: Log, ev: Event, key: int, snap: _Snap, index: int) -> _Snap:
    return snap


_KIND_OF: Final[dict[type[Event], int]] = {
    ThrottleImposed: _THROTTLE,
    ThrottleLifted: _THROTTLE,
    BlockImposed: _BLOCK,
    BlockLifted: _BLOCK,
    DelistingImposed: _DELIST,
    DelistingLifted: _DELIST,
}
_IMPOSING: Final = (ThrottleImposed, BlockImposed, DelistingImposed)
_DIM_WORDS: Final = ("networks", "services", "regions", "operators", "stores")


def _public_delisting(
    rec: _Restr, since: pendulum.DateTime, ends: pendulum.DateTime | None
) -> Delisting:
    by_stores: dict[_Dim, list[_Box]] = {}
    for b in rec.boxes:
        by_stores.setdefault(b[4], []).append(b[:4])
    parts = tuple(
        DelistingPart(
            scope=scope_of(boxes),
            stores=None if stores[1] else stores[0],
            stores_except=stores[0] if stores[1] else frozenset(),
        )
        for stores, boxes in by_stores.items()
    )
    everywhere = scope_of([b[:4] for b in rec.boxes])
    union: _Dim = (frozenset(), False)
    for stores in by_stores:
        union = dim_or(union, stores)
    return Delisting(
        id=rec.id,
        since=since,
        scope=everywhere,
        stores=None if union[1] else union[0],
        stores_except=union[0] if union[1] else frozenset(),
        ends=ends,
        by=rec.by,
        parts=parts,
    )


_HANDLERS: Final[dict[type[Event], _Handler]] = {
    WarningIssued: _warning,
    DeadlineSet: _deadline_set,
    DeadlineExtended: _deadline_extended,
    DeadlineMet: _closer(DeadlineState.MET),
    DeadlineWithdrawn: _closer(DeadlineState.WITHDRAWN),
    ThrottleImposed: _imposed,
    ThrottleLifted: _lifted,
    BlockImposed: _imposed,
    BlockLifted: _lifted,
    DelistingImposed: _imposed,
    DelistingLifted: _lifted,
    TakedownRequested: _takedown,
    ContentRemoved: _removed,
    FineImposed: _fine,
    FinePaid: _fine_paid,
    FineCancelled: _fine_cancelled,
    Statement: _statement,
}
