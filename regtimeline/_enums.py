"""The enumerations of the domain: phases, deadline states and consequences."""

from __future__ import annotations

import enum

__all__ = ["Consequence", "DeadlineState", "Phase", "RequestState"]


class Phase(enum.IntEnum):
    """What the platform is exposed to, ordered.

    ``CLEAR < WARNED < DELISTED < THROTTLED < BLOCKED``: a delisted app still works for
    those who have it; a throttled one works badly; a blocked one not at all.

    Examples:
        >>> Phase.WARNED < Phase.BLOCKED
        True
    """

    CLEAR = 0
    WARNED = 1
    DELISTED = 2
    THROTTLED = 3
    BLOCKED = 4

    def __str__(self) -> str:
        return self.name


class DeadlineState(enum.Enum):
    """Where a deadline stands at an instant.

    `PENDING` and `OVERDUE` are *open* (the second is reached by time alone, strictly after
    the due instant); `MET`, `WITHDRAWN` and `ENFORCED` are closed.

    Examples:
        >>> DeadlineState.OVERDUE.is_open, DeadlineState.MET.is_open
        (True, False)
    """

    PENDING = "pending"
    OVERDUE = "overdue"
    MET = "met"
    WITHDRAWN = "withdrawn"
    ENFORCED = "enforced"

    @property
    def is_open(self) -> bool:
        """Whether the deadline still runs (PENDING or OVERDUE)."""
        return self in (DeadlineState.PENDING, DeadlineState.OVERDUE)

    def __str__(self) -> str:
        return self.name


class Consequence(enum.Enum):
    """What a regulator threatens if a deadline is missed.

    Examples:
        >>> Consequence("block")
        <Consequence.BLOCK: 'block'>
    """

    BLOCK = "block"
    THROTTLE = "throttle"
    DELIST = "delist"
    FINE = "fine"
    OTHER = "other"

    def __str__(self) -> str:
        return self.name


class RequestState(enum.Enum):
    """Where a takedown request stands at an instant.

    `PENDING` while items are outstanding and the instant is at or before its SLA due
    instant (inclusive); `OVERDUE` strictly after it (time alone makes that change; a request
    without an SLA is never overdue); `DONE` once every item is removed.

    Examples:
        >>> RequestState.DONE.name
        'DONE'
    """

    PENDING = "pending"
    OVERDUE = "overdue"
    DONE = "done"

    def __str__(self) -> str:
        return self.name
