"""The demo: the founding case's history and its status on chosen days, as text."""

from __future__ import annotations

from collections.abc import Sequence

from ._scope import Scope
from ._status import Period, Status
from ._timeline import Timeline

__all__ = [
    "DEMO_DATES",
    "describe_changes",
    "describe_events",
    "describe_history",
    "describe_status",
    "run_demo",
]

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


def _day(value: object) -> str:
    """A bare day as written; an instant as its local wall-clock time, minutes at most."""
    text = _when(value)
    return text[:16].replace("T00:00", "") if "T" in text else text


def describe_events(timeline: Timeline) -> list[str]:
    r"""The events as told: date, kind, id, then what the sources say and where.

    Examples:
        >>> from regtimeline.examples import twitter_russia
        >>> print("\n".join(describe_events(twitter_russia())[3:6]))
        2021-03-10  throttle_imposed  slowdown
            photos and videos slowed; text messages not limited
            source: https://tass.com/society/1264391
    """
    lines = []
    for e in timeline.events:
        lines.append(f"{_day(e.at)}  {e.kind}  {e.id}")
        said = getattr(e, "text", None)
        if said:
            lines.append(f"    {getattr(e, 'by', None) or 'said'}: {said}")
        if e.note:
            lines.append(f"    {e.note}")
        if e.source:
            lines.append(f"    source: {e.source}")
    return lines


def describe_changes(timeline: Timeline) -> list[str]:
    """Every change of phase or of what a restriction covers, with the phase after it.

    A partial lift that keeps the phase (fixed networks restored while mobile stays slowed)
    is a change here, though the history of phases does not show it.

    Examples:
        >>> from regtimeline.examples import twitter_russia
        >>> describe_changes(twitter_russia())[1]  # doctest: +NORMALIZE_WHITESPACE
        "2021-05-17  THROTTLED  throttle 'slowdown' now covers photos+videos on mobile
         (fixed-restored)"
    """
    zone = timeline.dispute.zone
    keys: dict[int, list[str]] = {}
    for e in timeline.events:
        if e.kind.split("_")[0] in ("throttle", "block", "delisting"):
            keys.setdefault(zone.key(e.at), []).append(e.id)
    changes: dict[int, list[str]] = {}
    covered: dict[str, Scope] = {}
    spells = timeline.restrictions()
    for spell in spells:
        r = spell.restriction
        kind = type(r).__name__.lower()
        at = zone.key(spell.start)
        if r.id in covered:
            what = f"{kind} {r.id!r} now covers {r.scope}"
        else:
            what = f"{kind} {r.id!r} on {r.scope}"
        covered[r.id] = r.scope
        changes.setdefault(at, []).append(what + _by(keys.get(at, []), r.id))
        if spell.end is not None and not any(
            s.restriction.id == r.id and s.start == spell.end for s in spells
        ):
            end = zone.key(spell.end)
            changes.setdefault(end, []).append(
                f"{kind} {r.id!r} lifted" + _by(keys.get(end, []), r.id)
            )
    for p in timeline.history():
        changes.setdefault(zone.key(p.start), [])
    lines = []
    for key in sorted(changes):
        moment = zone.to_datetime(key)
        phase = timeline.status_at(moment).phase.name
        told = "; ".join(changes[key]) or "(time)"
        lines.append(f"{_day(moment)}  {phase}  {told}")
    return lines


def _by(ids: list[str], restriction: str) -> str:
    others = [i for i in ids if i != restriction]
    return f" ({', '.join(others)})" if others else ""


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
        "Events (what the sources say, and where):",
        *(f"  {line}" for line in describe_events(timeline)),
        "",
        "Changes (of phase, or of what a restriction covers):",
        *(f"  {line}" for line in describe_changes(timeline)),
        "",
        "History (periods of one phase):",
        *(f"  {line}" for line in describe_history(timeline.history())),
    ]
    for day in dates:
        out += [
            "",
            f"Status on {day}:",
            *(f"  {x}" for x in describe_status(timeline.status_at(day))),
        ]
    return "\n".join(out)
