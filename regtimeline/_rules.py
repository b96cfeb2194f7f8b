"""The rules of each event, as data: where it is accepted, and where it leads.

The fold (`_log.py`) checks phases and deadline states against this table; docs render it.
"""

from __future__ import annotations

from typing import Final

import attrs

from ._enums import DeadlineState, Phase
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

__all__ = ["RULES", "TIME_MOVES", "Rule"]

_ANY: Final = frozenset(Phase)
_NOT_BLOCKED: Final = frozenset({Phase.CLEAR, Phase.WARNED, Phase.THROTTLED})
_OPEN: Final = frozenset({DeadlineState.PENDING, DeadlineState.OVERDUE})


@attrs.frozen(kw_only=True)
class Rule:
    """What one kind of event may do.

    Attributes:
        event: the event class.
        phases: the phases in which it is accepted (at its instant).
        moves: the phase changes it can cause, as (before, after) pairs; an event may also
            leave the phase as it was (the phase is derived from the whole state).
        deadline_from: for events that act on a deadline, the states it must be in.
        deadline_to: the state such an event moves the deadline to (None: opens none).
        effect: what it does, in words.
        refused_when: when it is refused, in words.

    Examples:
        >>> RULES[BlockLifted].phases
        frozenset({<Phase.BLOCKED: 3>})
    """

    event: type[Event]
    phases: frozenset[Phase]
    moves: frozenset[tuple[Phase, Phase]] = frozenset()
    deadline_from: frozenset[DeadlineState] = frozenset()
    deadline_to: DeadlineState | None = None
    effect: str
    refused_when: str


_TABLE: Final = (
    Rule(
        event=WarningIssued,
        phases=_ANY,
        moves=frozenset({(Phase.CLEAR, Phase.WARNED)}),
        deadline_to=DeadlineState.PENDING,
        effect="on the record; with `due` it opens a deadline whose id is the warning's id",
        refused_when="`due` is not after `at`",
    ),
    Rule(
        event=DeadlineSet,
        phases=_ANY,
        moves=frozenset({(Phase.CLEAR, Phase.WARNED)}),
        deadline_to=DeadlineState.PENDING,
        effect="opens a deadline (PENDING)",
        refused_when="`due` is not after `at`",
    ),
    Rule(
        event=DeadlineExtended,
        phases=_ANY,
        deadline_from=_OPEN,
        deadline_to=DeadlineState.PENDING,
        effect="moves the due date later (to `due`, or `by` a calendar-aware duration)",
        refused_when=(
            "unknown deadline; deadline not open at `at`; new due not later than the current"
        ),
    ),
    Rule(
        event=DeadlineMet,
        phases=_ANY,
        moves=frozenset({(Phase.WARNED, Phase.CLEAR)}),
        deadline_from=_OPEN,
        deadline_to=DeadlineState.MET,
        effect="closes the deadline as MET",
        refused_when="unknown deadline; deadline not open",
    ),
    Rule(
        event=DeadlineWithdrawn,
        phases=_ANY,
        moves=frozenset({(Phase.WARNED, Phase.CLEAR)}),
        deadline_from=_OPEN,
        deadline_to=DeadlineState.WITHDRAWN,
        effect="closes the deadline as WITHDRAWN",
        refused_when="unknown deadline; deadline not open",
    ),
    Rule(
        event=ThrottleImposed,
        phases=_NOT_BLOCKED,
        moves=frozenset({(Phase.CLEAR, Phase.THROTTLED), (Phase.WARNED, Phase.THROTTLED)}),
        deadline_from=_OPEN,
        deadline_to=DeadlineState.ENFORCED,
        effect="a throttle is active; with `enforces` the named deadline becomes ENFORCED",
        refused_when=(
            "while BLOCKED; `ends` not after `at`; `enforces` names an unknown or closed deadline"
        ),
    ),
    Rule(
        event=ThrottleLifted,
        phases=frozenset({Phase.THROTTLED}),
        moves=frozenset({(Phase.THROTTLED, Phase.WARNED), (Phase.THROTTLED, Phase.CLEAR)}),
        effect=(
            "ends a throttle, or narrows it when `scope` names part of it; without "
            "`throttle`, every active one"
        ),
        refused_when="nothing active; the throttle is unknown or not active; a scope not covered",
    ),
    Rule(
        event=BlockImposed,
        phases=_NOT_BLOCKED,
        moves=frozenset(
            {
                (Phase.CLEAR, Phase.BLOCKED),
                (Phase.WARNED, Phase.BLOCKED),
                (Phase.THROTTLED, Phase.BLOCKED),
            }
        ),
        deadline_from=_OPEN,
        deadline_to=DeadlineState.ENFORCED,
        effect="BLOCKED; active throttles end at that instant (superseded)",
        refused_when=(
            "already BLOCKED; `ends` not after `at`; `enforces` names an unknown or closed deadline"
        ),
    ),
    Rule(
        event=BlockLifted,
        phases=frozenset({Phase.BLOCKED}),
        moves=frozenset({(Phase.BLOCKED, Phase.WARNED), (Phase.BLOCKED, Phase.CLEAR)}),
        effect="the block ends",
        refused_when="not BLOCKED",
    ),
    Rule(
        event=TakedownRequested,
        phases=_ANY,
        effect="counted in `items_requested`",
        refused_when="never",
    ),
    Rule(
        event=ContentRemoved,
        phases=_ANY,
        effect="counted in `items_removed`",
        refused_when="`request` names no earlier TakedownRequested",
    ),
    Rule(
        event=FineImposed,
        phases=_ANY,
        effect="totalled per currency in `fines`",
        refused_when="never",
    ),
    Rule(
        event=Statement,
        phases=_ANY,
        effect="on the record (talks, public statements, rulings, laws)",
        refused_when="never",
    ),
)

#: Phase changes that no event causes: a throttle or block running out at its `ends`.
TIME_MOVES: Final = frozenset(
    {
        (Phase.THROTTLED, Phase.WARNED),
        (Phase.THROTTLED, Phase.CLEAR),
        (Phase.BLOCKED, Phase.WARNED),
        (Phase.BLOCKED, Phase.CLEAR),
    }
)

#: The rule of each event class.
RULES: Final[dict[type[Event], Rule]] = {rule.event: rule for rule in _TABLE}
