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

__all__ = ["RULES", "Rule"]

_ANY: Final = frozenset(Phase)
_NOT_BLOCKED: Final = frozenset({Phase.CLEAR, Phase.WARNED, Phase.THROTTLED})
_OPEN: Final = frozenset({DeadlineState.PENDING, DeadlineState.OVERDUE})


@attrs.frozen(kw_only=True)
class Rule:
    """What one kind of event may do.

    Attributes:
        event: the event class.
        phases: the phases in which it is accepted (at its instant).
        leads_to: the phases the dispute may be in right after it (the phase is derived from
            the whole state, so an event can lead to several).
        deadline_from: for events that act on a deadline, the states it must be in.
        deadline_to: the state such an event moves the deadline to (None: opens none).
        effect: what it does, in words.
        refused_when: when it is refused, in words.

    Example:
        >>> RULES[BlockLifted].phases
        frozenset({<Phase.BLOCKED: 3>})
    """

    event: type[Event]
    phases: frozenset[Phase]
    leads_to: frozenset[Phase]
    deadline_from: frozenset[DeadlineState] = frozenset()
    deadline_to: DeadlineState | None = None
    effect: str
    refused_when: str


_TABLE: Final = (
    Rule(
        event=WarningIssued,
        phases=_ANY,
        leads_to=_ANY,
        deadline_to=DeadlineState.PENDING,
        effect="on the record; with `due` it opens a deadline whose id is the warning's id",
        refused_when="`due` is not after `at`",
    ),
    Rule(
        event=DeadlineSet,
        phases=_ANY,
        leads_to=_ANY - {Phase.CLEAR},
        deadline_to=DeadlineState.PENDING,
        effect="opens a deadline (PENDING)",
        refused_when="`due` is not after `at`",
    ),
    Rule(
        event=DeadlineExtended,
        phases=_ANY,
        leads_to=_ANY - {Phase.CLEAR},
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
        leads_to=_ANY,
        deadline_from=_OPEN,
        deadline_to=DeadlineState.MET,
        effect="closes the deadline as MET",
        refused_when="unknown deadline; deadline not open",
    ),
    Rule(
        event=DeadlineWithdrawn,
        phases=_ANY,
        leads_to=_ANY,
        deadline_from=_OPEN,
        deadline_to=DeadlineState.WITHDRAWN,
        effect="closes the deadline as WITHDRAWN",
        refused_when="unknown deadline; deadline not open",
    ),
    Rule(
        event=ThrottleImposed,
        phases=_NOT_BLOCKED,
        leads_to=frozenset({Phase.THROTTLED}),
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
        leads_to=frozenset({Phase.CLEAR, Phase.WARNED, Phase.THROTTLED}),
        effect=(
            "ends a throttle, or narrows it when `scope` names part of it; without "
            "`throttle`, every active one"
        ),
        refused_when="nothing active; the throttle is unknown or not active; a scope not covered",
    ),
    Rule(
        event=BlockImposed,
        phases=_NOT_BLOCKED,
        leads_to=frozenset({Phase.BLOCKED}),
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
        leads_to=frozenset({Phase.CLEAR, Phase.WARNED}),
        effect="the block ends",
        refused_when="not BLOCKED",
    ),
    Rule(
        event=TakedownRequested,
        phases=_ANY,
        leads_to=_ANY,
        effect="counted in `items_requested`",
        refused_when="never",
    ),
    Rule(
        event=ContentRemoved,
        phases=_ANY,
        leads_to=_ANY,
        effect="counted in `items_removed`",
        refused_when="`request` names no earlier TakedownRequested",
    ),
    Rule(
        event=FineImposed,
        phases=_ANY,
        leads_to=_ANY,
        effect="totalled per currency in `fines`",
        refused_when="never",
    ),
    Rule(
        event=Statement,
        phases=_ANY,
        leads_to=_ANY,
        effect="on the record (talks, public statements, rulings, laws)",
        refused_when="never",
    ),
)

#: The rule of each event class.
RULES: Final[dict[type[Event], Rule]] = {rule.event: rule for rule in _TABLE}
