"""Diagrams drawn from the code: the state machine and a timeline, as Mermaid text.

Both are generated, never drawn by hand: `state_diagram` reads the same rules table
(`regtimeline.RULES`) that the timeline enforces, and `gantt` reads a timeline's history.
mkdocs-material renders Mermaid blocks; so do GitHub and most Markdown viewers.

Examples:
    >>> print(state_diagram().splitlines()[0])
    stateDiagram-v2
"""

from __future__ import annotations

import datetime as _dt
import re
from collections import defaultdict
from typing import Final

import pendulum

from ._enums import DeadlineState, Phase
from ._rules import RULES, RUN_OUT_MOVES, WINDOW_OPENS
from ._time import When
from ._timeline import Timeline
from .errors import InvalidValue

__all__ = ["deadline_edges", "gantt", "phase_edges", "rules_table", "state_diagram"]

_TIME: Final = "ends passes or window closes (no event)"
_OPENS: Final = "window opens (no event)"
_DUE_PASSES: Final = "due passes (no event)"


def phase_edges() -> dict[tuple[Phase, Phase], list[str]]:
    """Every phase change, with what causes it: event kinds, or time.

    Examples:
        >>> phase_edges()[(Phase.CLEAR, Phase.BLOCKED)]
        ['block_imposed', 'window opens (no event)']
    """
    edges: dict[tuple[Phase, Phase], list[str]] = defaultdict(list)
    for rule in RULES.values():
        for move in sorted(rule.moves):
            edges[move].append(rule.event.kind)
    for move in sorted(RUN_OUT_MOVES):
        edges[move].append(_TIME)
    for move in sorted(WINDOW_OPENS):
        edges[move].append(_OPENS)
    return dict(edges)


def deadline_edges() -> dict[tuple[DeadlineState | None, DeadlineState], list[str]]:
    """Every deadline transition, with what causes it (None stands for "no deadline yet").

    Examples:
        >>> deadline_edges()[(DeadlineState.PENDING, DeadlineState.OVERDUE)]
        ['due passes (no event)']
    """
    edges: dict[tuple[DeadlineState | None, DeadlineState], list[str]] = defaultdict(list)
    for rule in RULES.values():
        if rule.deadline_to is None:
            continue
        label = rule.event.kind + (
            " (enforces)" if rule.deadline_to is DeadlineState.ENFORCED else ""
        )
        label += " (with due)" if rule.event.kind == "warning_issued" else ""
        sources: list[DeadlineState | None] = [None]
        if rule.deadline_from:
            sources = [s for s in DeadlineState if s in rule.deadline_from]
        for source in sources:
            edges[(source, rule.deadline_to)].append(label)
    edges[(DeadlineState.PENDING, DeadlineState.OVERDUE)].append(_DUE_PASSES)
    return dict(edges)


def state_diagram() -> str:
    """The phases and the deadline lifecycle as a Mermaid state diagram.

    Returns:
        Mermaid source (``stateDiagram-v2``), one transition per line, labelled with the
        event kinds (or the passing of time) that cause it.

    Examples:
        >>> "CLEAR --> THROTTLED : throttle_imposed" in state_diagram()
        True
    """
    lines = ["stateDiagram-v2", "    direction LR", "    state Phase {"]
    lines.append("        [*] --> CLEAR")
    for (before, after), causes in phase_edges().items():
        lines.append(f"        {before.name} --> {after.name} : {', '.join(causes)}")
    lines.append("    }")
    lines.append("    state Deadline {")
    for (source, target), causes in deadline_edges().items():
        origin = "[*]" if source is None else source.name
        lines.append(f"        {origin} --> {target.name} : {', '.join(causes)}")
    lines.extend(f"        {s.name} --> [*]" for s in DeadlineState if not s.is_open)
    lines.append("    }")
    return "\n".join(lines)


def rules_table() -> str:
    """The rules of every event kind as a Markdown table, from `regtimeline.RULES`.

    Examples:
        >>> rules_table().splitlines()[0]
        '| event | accepted when | effect | refused when |'
    """
    lines = ["| event | accepted when | effect | refused when |", "|---|---|---|---|"]
    for rule in RULES.values():
        phases = (
            "any phase"
            if len(rule.phases) == len(Phase)
            else ", ".join(p.name for p in sorted(rule.phases))
        )
        lines.append(
            f"| `{rule.event.__name__}` | {phases} | {rule.effect} | {rule.refused_when} |"
        )
    return "\n".join(lines)


def _label(text: str) -> str:
    """A task name Mermaid's gantt grammar accepts (no colon, hash or semicolon)."""
    return re.sub(r"[:#;]", " ", text).strip() or "-"


def gantt(timeline: Timeline, *, until: When | None = None) -> str:
    """A timeline's history as a Mermaid gantt chart: phases, then deadlines.

    Times are wall-clock times in the dispute's zone (named in the title). A boundary that
    comes from an imprecise time is drawn at its reading, its phase labelled "(imprecise
    boundary)", and the span it could fall in is drawn in a section of its own.

    Args:
        timeline: the timeline to draw.
        until: where to end the last, open period (default: a tenth of the history's span
            after its start, at least one day).

    Returns:
        Mermaid source (``gantt``).

    Examples:
        >>> from regtimeline.examples import twitter_russia
        >>> print(gantt(twitter_russia()).splitlines()[5])
            THROTTLED :active, p0, 2021-03-10 00:00, 2022-03-04 00:00

    Raises:
        InvalidValue: `timeline` is not a Timeline.
        TimeError: `until` is not a time.
    """
    if not isinstance(timeline, Timeline):
        msg = f"gantt takes a Timeline, got {timeline!r:.80}"
        raise InvalidValue(msg)
    d = timeline.dispute
    periods = timeline.history()
    zone = d.zone
    lines = [
        "gantt",
        f"    title {_label(f'{d.regulator} vs {d.platform} ({d.jurisdiction})')}, {d.timezone}",
        "    dateFormat YYYY-MM-DD HH:mm",
        "    axisFormat %Y-%m-%d",
        "    section Phase",
    ]
    if not periods:
        return "\n".join(lines)
    if until is not None:
        end_of_last = zone.to_datetime(zone.query_key(until))
    else:
        first, last = periods[0].start, periods[-1].start
        end_of_last = last + max(_dt.timedelta(days=1), (last - first) / 10)
    fmt = "%Y-%m-%d %H:%M"
    tags = {
        Phase.BLOCKED: "crit, ",
        Phase.THROTTLED: "active, ",
        Phase.DELISTED: "",
        Phase.WARNED: "",
        Phase.CLEAR: "done, ",
    }
    spans: dict[tuple[pendulum.DateTime, pendulum.DateTime], None] = {}
    for n, p in enumerate(periods):
        end = p.end if p.end is not None else end_of_last
        name = p.phase.name if p.certain else f"{p.phase.name} (imprecise boundary)"
        lines.append(
            f"    {name} :{tags[p.phase]}p{n}, {p.start.strftime(fmt)}, {end.strftime(fmt)}"
        )
        spans.update(dict.fromkeys(s for s in (p.start_span, p.end_span) if s is not None))
    if spans:  # each imprecise boundary as the span it could fall in
        lines.append("    section Imprecise")
        for n, (low, high) in enumerate(spans):
            lines.append(
                f"    between {low.strftime('%Y-%m-%d')} and {high.strftime('%Y-%m-%d')} "
                f":u{n}, {low.strftime(fmt)}, {high.strftime(fmt)}"
            )
    status = timeline.status_at(end_of_last)
    if status.deadlines:
        lines.append("    section Deadlines")
        for n, deadline in enumerate(status.deadlines):
            end = deadline.closed_at or deadline.due or end_of_last  # an open demand: to now
            name = _label(f"{deadline.id} ({deadline.state.name})")
            tag = "crit, " if deadline.state is DeadlineState.OVERDUE else ""
            lines.append(
                f"    {name} :{tag}d{n}, {deadline.set_at.strftime(fmt)}, {end.strftime(fmt)}"
            )
    return "\n".join(lines)
