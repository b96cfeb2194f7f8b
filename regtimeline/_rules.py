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

__all__ = ["RULES", "RUN_OUT_MOVES", "TIME_MOVES", "WINDOW_OPENS", "Rule"]

_ANY: Final = frozenset(Phase)
_OPEN: Final = frozenset({DeadlineState.PENDING, DeadlineState.OVERDUE})
#: Open, or ENFORCED: a platform may comply after the block, and a block may follow a throttle.
_OPEN_OR_ENFORCED: Final = _OPEN | {DeadlineState.ENFORCED}


def _up_to(phase: Phase) -> frozenset[tuple[Phase, Phase]]:
    return frozenset((p, phase) for p in Phase if p < phase)


def _down_from(phase: Phase) -> frozenset[tuple[Phase, Phase]]:
    return frozenset((phase, p) for p in Phase if p < phase)


#: An imposition that `enforces` the last open deadline with its window shut: WARNED -> CLEAR.
_ENFORCED_WHILE_SHUT: Final = frozenset({(Phase.WARNED, Phase.CLEAR)})


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
        >>> sorted(RULES[BlockLifted].moves)[0]
        (<Phase.BLOCKED: 4>, <Phase.CLEAR: 0>)
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
        effect="opens a deadline (PENDING); without `due`, an open demand (never OVERDUE)",
        refused_when="`due` is not after `at`",
    ),
    Rule(
        event=DeadlineExtended,
        phases=_ANY,
        deadline_from=_OPEN,
        deadline_to=DeadlineState.PENDING,
        effect=(
            "moves the due date later (to `due`, or `by` a calendar-aware duration); gives an "
            "open demand its first due date (`by` counts from the extension's `at`)"
        ),
        refused_when=(
            "unknown deadline; deadline not open at `at`; new due not later than the current "
            "one (for an open demand: not after the extension's `at`)"
        ),
    ),
    Rule(
        event=DeadlineMet,
        phases=_ANY,
        moves=frozenset({(Phase.WARNED, Phase.CLEAR)}),
        deadline_from=_OPEN_OR_ENFORCED,
        deadline_to=DeadlineState.MET,
        effect="closes the deadline as MET (also after it was ENFORCED)",
        refused_when="unknown deadline; deadline MET or WITHDRAWN already",
    ),
    Rule(
        event=DeadlineWithdrawn,
        phases=_ANY,
        moves=frozenset({(Phase.WARNED, Phase.CLEAR)}),
        deadline_from=_OPEN_OR_ENFORCED,
        deadline_to=DeadlineState.WITHDRAWN,
        effect="closes the deadline as WITHDRAWN (also after it was ENFORCED)",
        refused_when="unknown deadline; deadline MET or WITHDRAWN already",
    ),
    Rule(
        event=ThrottleImposed,
        phases=_ANY,
        moves=_up_to(Phase.THROTTLED) | _ENFORCED_WHILE_SHUT,
        deadline_from=_OPEN_OR_ENFORCED,
        deadline_to=DeadlineState.ENFORCED,
        effect=(
            "a throttle is active on its scope (in force inside its window, if it has one); "
            "with `enforces` the named deadline becomes ENFORCED"
        ),
        refused_when=(
            "its scope overlaps an active block (neither with a window); `ends` not after "
            "`at`; `enforces` names an unknown, MET or WITHDRAWN deadline"
        ),
    ),
    Rule(
        event=ThrottleLifted,
        phases=_ANY,
        moves=_down_from(Phase.THROTTLED),
        effect=(
            "ends a throttle, or narrows it to what remains outside `scope`; without "
            "`throttle`, every active throttle that `scope` overlaps"
        ),
        refused_when=(
            "the throttle is unknown or not active; it takes nothing away, or names a value "
            "the throttle does not have; without an id, it overlaps no active throttle"
        ),
    ),
    Rule(
        event=BlockImposed,
        phases=_ANY,
        moves=_up_to(Phase.BLOCKED) | _ENFORCED_WHILE_SHUT,
        deadline_from=_OPEN_OR_ENFORCED,
        deadline_to=DeadlineState.ENFORCED,
        effect=(
            "a block is active on its scope; it ends the part of every active throttle it "
            "covers (neither with a window)"
        ),
        refused_when=(
            "its scope overlaps an active block (neither with a window); `ends` not after "
            "`at`; `enforces` names an unknown, MET or WITHDRAWN deadline"
        ),
    ),
    Rule(
        event=BlockLifted,
        phases=_ANY,
        moves=_down_from(Phase.BLOCKED),
        effect="ends a block, or narrows it; without `block`, every active block it overlaps",
        refused_when="as for `throttle_lifted`, for blocks",
    ),
    Rule(
        event=DelistingImposed,
        phases=_ANY,
        moves=_up_to(Phase.DELISTED),
        deadline_from=_OPEN_OR_ENFORCED,
        deadline_to=DeadlineState.ENFORCED,
        effect="the app is out of the named app stores on its scope: DELISTED",
        refused_when=(
            "its scope and stores overlap an active delisting; `ends` not after `at`; "
            "`enforces` names an unknown, MET or WITHDRAWN deadline"
        ),
    ),
    Rule(
        event=DelistingLifted,
        phases=_ANY,
        moves=_down_from(Phase.DELISTED),
        effect=(
            "restores the app, wholly or where `scope` and `stores` say; without "
            "`delisting`, every active delisting it overlaps"
        ),
        refused_when="as for `throttle_lifted`, for delistings",
    ),
    Rule(
        event=TakedownRequested,
        phases=_ANY,
        effect=(
            "opens a request: PENDING until `at + sla`, OVERDUE after it while items are "
            "outstanding, DONE when all are removed; counted in `items_requested`"
        ),
        refused_when="never",
    ),
    Rule(
        event=ContentRemoved,
        phases=_ANY,
        effect=(
            "counted in `items_removed`; with `request`, removes that many of its items, with "
            "their latency"
        ),
        refused_when=(
            "`request` names no earlier TakedownRequested; more items than the request still "
            "has outstanding"
        ),
    ),
    Rule(
        event=FineImposed,
        phases=_ANY,
        deadline_from=_OPEN,  # `deadline`: the demand it presses (no change to its state)
        effect=(
            "a one-off fine, or one that accrues `amount` per `per` until `until`, the named "
            "deadline's closing, or its cancellation; totalled per currency in `fines`"
        ),
        refused_when="`until` not after `at`; `deadline` unknown or not open at `at`",
    ),
    Rule(
        event=FinePaid,
        phases=_ANY,
        effect="reduces what is owed on that fine (`fines_owed`); counted in `fines_paid`",
        refused_when="unknown fine; another currency; more than is owed at `at`",
    ),
    Rule(
        event=FineCancelled,
        phases=_ANY,
        effect="the fine counts no longer (in `fines` and `fines_owed`); payments stay paid",
        refused_when="unknown fine; cancelled already",
    ),
    Rule(
        event=Statement,
        phases=_ANY,
        effect="on the record (talks, public statements, rulings, laws)",
        refused_when="never",
    ),
)

#: Phase changes that no event causes, down: a restriction running out at its `ends`, or a
#: recurring window closing.
RUN_OUT_MOVES: Final = (
    _down_from(Phase.BLOCKED) | _down_from(Phase.THROTTLED) | _down_from(Phase.DELISTED)
)
#: Phase changes that no event causes, up: a recurring window of a throttle or block opening.
WINDOW_OPENS: Final = _up_to(Phase.THROTTLED) | _up_to(Phase.BLOCKED)
#: Every phase change that no event causes.
TIME_MOVES: Final = RUN_OUT_MOVES | WINDOW_OPENS

#: The rule of each event class.
RULES: Final[dict[type[Event], Rule]] = {rule.event: rule for rule in _TABLE}
