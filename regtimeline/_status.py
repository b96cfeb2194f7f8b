"""What a timeline answers: `Status` at an instant, its parts, and `Period`s of history."""

from __future__ import annotations

import decimal
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import overload

import attrs
import pendulum

from ._enums import Consequence, DeadlineState, Phase
from ._events import Event
from ._scope import Scope
from .errors import UnknownReference

__all__ = ["Block", "Deadline", "Deadlines", "Extension", "Period", "Status", "Throttle"]


@attrs.frozen(kw_only=True)
class Extension:
    """One move of a deadline: by which event, when, from which due to which."""

    id: str
    at: pendulum.DateTime
    previous_due: pendulum.DateTime
    due: pendulum.DateTime


@attrs.frozen(kw_only=True)
class Deadline:
    """A deadline as it stands at the status's instant.

    Attributes:
        id: the id of the `DeadlineSet` or `WarningIssued` that opened it.
        state: PENDING, OVERDUE (open), or MET, WITHDRAWN, ENFORCED (closed).
        due: the current due instant (inclusive: still PENDING at it).
        original_due: the due instant it was opened with.
        extensions: every `DeadlineExtended` applied so far, oldest first.
        set_at: when it was opened.
        demand: what it demands (the warning's text for a warning's deadline).
        consequence: what is threatened, if known.
        closed_at: when it was met, withdrawn or enforced (None while open).
        closed_by: the id of the event that closed it.
    """

    id: str
    state: DeadlineState
    due: pendulum.DateTime
    original_due: pendulum.DateTime
    extensions: tuple[Extension, ...]
    set_at: pendulum.DateTime
    demand: str
    consequence: Consequence | None
    closed_at: pendulum.DateTime | None
    closed_by: str | None

    @property
    def is_open(self) -> bool:
        """Whether it still runs (PENDING or OVERDUE)."""
        return self.state.is_open


@attrs.frozen(kw_only=True)
class Throttle:
    """An active throttle: its id, since when, what it still covers, until when if ordered."""

    id: str
    since: pendulum.DateTime
    scope: Scope
    rate: str | None
    ends: pendulum.DateTime | None


@attrs.frozen(kw_only=True)
class Block:
    """The active block: its id, since when, what it covers, until when if ordered."""

    id: str
    since: pendulum.DateTime
    scope: Scope
    ends: pendulum.DateTime | None


class Deadlines(Sequence[Deadline]):
    """The deadlines of a status, oldest first, built on first use.

    A status at one instant of a long timeline is answered in microseconds; its deadlines
    (possibly thousands) are only materialised when read. Compares equal to any sequence
    with the same deadlines.

    Example:
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
        for deadline in self._all():
            if deadline.id == deadline_id:
                return deadline
        known = ", ".join(repr(d.id) for d in self._all()) or "none"
        msg = f"no deadline {deadline_id!r} at that time (deadlines then: {known})"
        raise UnknownReference(msg)

    def open(self) -> tuple[Deadline, ...]:
        """The deadlines still running: PENDING or OVERDUE."""
        return tuple(d for d in self._all() if d.state.is_open)


@attrs.frozen(kw_only=True)
class Status:
    """The derived state of a dispute at one instant, after every event at or before it.

    Attributes:
        at: the instant, in the dispute's zone (for a day: its last instant).
        phase: CLEAR, WARNED, THROTTLED or BLOCKED.
        deadlines: every deadline opened so far, with its state at `at`, oldest first.
        throttles: the active throttles, with their remaining scope.
        block: the active block, or None.
        warnings: how many warnings were issued.
        items_requested: items the regulator asked to take down.
        items_removed: items the platform removed.
        fines: total fines per ISO 4217 currency.
        last_event: the last event applied (None before the first).
    """

    at: pendulum.DateTime
    phase: Phase
    deadlines: Deadlines = attrs.field(repr=False)
    throttles: tuple[Throttle, ...]
    block: Block | None
    warnings: int
    items_requested: int
    items_removed: int
    fines: Mapping[str, decimal.Decimal] = attrs.field(hash=False)
    last_event: Event | None


@attrs.frozen(kw_only=True)
class Period:
    """A span of constant phase: from `start` up to, not including, `end`.

    Attributes:
        start: its first instant, in the dispute's zone.
        end: the first instant of the next period; None for the last, still open, one.
        phase: the phase throughout.
        cause: the id of the event that began it; None when time alone did (a block that
            ran out at its `ends`).
    """

    start: pendulum.DateTime
    end: pendulum.DateTime | None
    phase: Phase
    cause: str | None
