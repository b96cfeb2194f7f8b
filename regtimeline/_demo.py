"""The demo: the founding case's history and its status on chosen days, as text."""

from __future__ import annotations

from collections.abc import Sequence

from ._scope import Scope
from ._status import Period, Status
from ._timeline import Timeline

__all__ = ["DEMO_DATES", "describe_history", "describe_status", "run_demo"]

#: The days the demo reports on.
DEMO_DATES = ("2021-03-01", "2021-03-12", "2021-04-10", "2021-05-16", "2021-05-20", "2022-03-10")


def _when(value: object) -> str:
    text = getattr(value, "isoformat", lambda: str(value))()
    return str(text)


def describe_history(periods: Sequence[Period]) -> list[str]:
    """One line per period: start, end, phase and what began it.

    Examples:
        >>> from regtimeline.examples import twitter_russia
        >>> describe_history(twitter_russia().history())[0]
        '2021-03-10T00:00:00+03:00 .. 2022-03-04T00:00:00+03:00  THROTTLED  (slowdown)'
    """
    lines = []
    for p in periods:
        end = "(open)" if p.end is None else _when(p.end)
        cause = "time ran out" if p.cause is None else p.cause
        lines.append(f"{_when(p.start)} .. {end}  {p.phase.name}  ({cause})")
    return lines


def describe_status(status: Status) -> list[str]:
    """The status as indented lines: phase, restrictions, deadlines, counts.

    Examples:
        >>> from regtimeline.examples import twitter_russia
        >>> describe_status(twitter_russia().status_at("2021-03-01"))[0]
        'phase: CLEAR'
    """
    lines = [f"phase: {status.phase.name}"]
    for b in status.blocks:
        ends = "" if b.ends is None else f" until {_when(b.ends)}"
        scope = "" if b.scope == Scope() else f": {b.scope}"
        lines.append(f"  block {b.id!r} since {_when(b.since)}{scope}{ends}")
    for t in status.throttles:
        ends = "" if t.ends is None else f" until {_when(t.ends)}"
        lines.append(f"  throttle {t.id!r} since {_when(t.since)}: {t.scope}{ends}")
    for d in status.delistings:
        stores = "every store" if d.stores is None else "+".join(sorted(d.stores))
        lines.append(f"  delisting {d.id!r} since {_when(d.since)}: {stores}, {d.scope}")
    for x in status.deadlines:
        due = "no due date" if x.due is None else f"due {_when(x.due)}"
        first = "no date" if x.original_due is None else _when(x.original_due)
        moved = f", extended {len(x.extensions)}x from {first}"
        lines.append(
            f"  deadline {x.id!r}: {x.state.name}, {due}" + (moved if x.extensions else "")
        )
    if status.items_requested or status.items_removed:
        lines.append(f"  items: {status.items_requested} requested, {status.items_removed} removed")
    lines.extend(f"  fines: {total} {currency}" for currency, total in status.fines.items())
    return lines


def run_demo(timeline: Timeline, dates: Sequence[str] = DEMO_DATES) -> str:
    """The demo's whole text for a timeline.

    Examples:
        >>> from regtimeline.examples import twitter_russia
        >>> "2022-03-10" in run_demo(twitter_russia())
        True
    """
    d = timeline.dispute
    out = [
        f"{d.regulator} vs {d.platform} ({d.jurisdiction}, {d.timezone}): {len(timeline)} events",
        "",
        "History:",
        *(f"  {line}" for line in describe_history(timeline.history())),
    ]
    for day in dates:
        out += [
            "",
            f"Status on {day}:",
            *(f"  {x}" for x in describe_status(timeline.status_at(day))),
        ]
    return "\n".join(out)
