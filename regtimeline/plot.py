r"""Pictures of disputes: one dispute as lanes, many as swimlanes (the ``plot`` extra).

`dispute` draws one timeline: a lane for each restriction (labelled with its id and kind,
coloured by kind, each spell of constant coverage labelled with its scope, narrower when a
partial lift left it covering less, drawn open where it is still in force), a lane for
each deadline (from when it was set to when it is due, the original due date and each
extension marked), and the events as marks with their ids. `disputes` draws an `Archive`:
a lane per dispute, coloured by phase. The axis is in the dispute's own zone (UTC for many
disputes), right across DST changes. `save` writes PNG or SVG, the same bytes for the same
input.

Matplotlib is imported when this module is (``pip install 'regtimeline[plot]'``); figures
are made with its object-oriented API (no pyplot, no GUI, no global state).

Examples:
    >>> from regtimeline import plot
    >>> from regtimeline.examples import twitter_russia
    >>> figure = plot.dispute(twitter_russia(), until="2022-06-01")
    >>> [t.get_text() for t in figure.axes[0].get_yticklabels()]  # doctest: +NORMALIZE_WHITESPACE
    ['slowdown\nthrottle', 'block-2022\nblock', 'deadline\nblock-threat', 'events']
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from regtimeline import (
    Archive,
    Block,
    Deadline,
    Delisting,
    Event,
    InvalidValue,
    Phase,
    Spell,
    Throttle,
    TimeError,
    Timeline,
)
from regtimeline.errors import MissingExtra

try:
    import matplotlib as mpl
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, Rectangle
except ImportError:  # pragma: no cover - the extra is installed where tested
    msg = "pictures need matplotlib: pip install 'regtimeline[plot]'"
    raise MissingExtra(msg) from None

__all__ = ["KIND_COLOURS", "PHASE_COLOURS", "dispute", "disputes", "save", "state_machine"]

#: The colour of each kind of restriction (colour-blind safe, from the Okabe-Ito palette).
KIND_COLOURS: Final = {"block": "#D55E00", "throttle": "#E69F00", "delisting": "#CC79A7"}
#: The colour of each phase.
PHASE_COLOURS: Final = {
    Phase.CLEAR: "#F0F0F0",
    Phase.WARNED: "#F0E442",
    Phase.DELISTED: "#CC79A7",
    Phase.THROTTLED: "#E69F00",
    Phase.BLOCKED: "#D55E00",
}
_DEADLINE: Final = "#0072B2"
_EVENT: Final = "#333333"
_MAX_EVENT_LABELS: Final = 40
_MARGIN: Final = 1.6  # inches of a figure's width that are not its axes (lane labels)


def _time_axis(ax: Any, tz: dt.tzinfo, label: str) -> None:
    """Dates on the x axis, in `tz`, with a light grid behind what is drawn."""
    locator = mdates.AutoDateLocator(tz=tz)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=tz))
    ax.set_xlabel(label, fontsize=8)
    ax.grid(axis="x", linewidth=0.3, color="#BBBBBB")
    ax.set_axisbelow(True)


def _open_arrow(ax: Any, x: float, y: float, length: float, colour: str) -> None:
    """An arrow on from (x, y): what is still so at the right edge is drawn open."""
    ax.annotate(
        "",
        xy=(x + length, y),
        xytext=(x, y),
        arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.5},
        annotation_clip=False,
    )


def _kind(r: Throttle | Block | Delisting) -> str:
    return {Block: "block", Throttle: "throttle", Delisting: "delisting"}[type(r)]


def _instant(timeline: Timeline, when: object) -> dt.datetime:
    """An instant, from what `status_at` takes (a day means its end)."""
    return timeline.status_at(when).at  # type: ignore[arg-type]  # it says what it takes


def _default_until(timeline: Timeline) -> dt.datetime:
    zone = timeline.dispute.zone
    moments = [zone.to_datetime(zone.key(e.at)) for e in timeline.events]
    moments += [spell.end or spell.start for spell in timeline.restrictions()]
    if timeline.events:  # every due date, as the deadlines stand after the last event
        settled = timeline.status_at(max(moments))
        moments += [d.due for d in settled.deadlines if d.due is not None]
    if not moments:
        return dt.datetime.now(dt.UTC)
    first, last = min(moments), max(moments)
    later = last + max((last - first) * 0.08, dt.timedelta(days=1))
    return _instant(timeline, later.in_timezone(timeline.dispute.timezone).date().isoformat())


def dispute(
    timeline: Timeline,
    *,
    until: object = None,
    since: object = None,
    title: str | None = None,
    width: float = 10.0,
) -> Figure:
    """One dispute as lanes: its restrictions, its deadlines and its events.

    Args:
        timeline: the dispute.
        until: the right edge (a day means its end; an instant as it is): restrictions
            still in force there are drawn open (an arrow), and nothing later is drawn.
            None: the end of the day a little after the last event, spell or due date.
        since: the left edge; None: a little before the first event.
        title: the figure's title; None: the dispute's platform, regulator and id.
        width: in inches (the height follows from the number of lanes).

    Raises:
        TimeError: `until` or `since` cannot be read as a time, or `since` is not before
            `until`.

    Examples:
        >>> from regtimeline.examples import twitter_russia
        >>> axes = dispute(twitter_russia(), until="2022-06-01").axes[0]
        >>> axes.get_xaxis().get_label().get_text()
        'Europe/Moscow'
    """
    zone = timeline.dispute.zone
    edge = _default_until(timeline) if until is None else _instant(timeline, until)
    spells = [s for s in timeline.restrictions() if s.start <= edge]
    deadlines = list(timeline.status_at(edge).deadlines)
    events = [
        (e, zone.to_datetime(zone.key(e.at)))
        for e in timeline.events
        if zone.to_datetime(zone.key(e.at)) <= edge
    ]
    lanes: dict[str, str] = {}  # key -> label, top to bottom
    for spell in spells:
        r = spell.restriction
        lanes.setdefault(r.id, f"{r.id}\n{_kind(r)}")
    for deadline in deadlines:
        lanes["deadline " + deadline.id] = f"deadline\n{deadline.id}"
    lanes["events"] = "events"
    if since is None:
        first = min(
            [*(at for _, at in events), *(s.start for s in spells)],
            default=edge - dt.timedelta(days=30),
        )
        start = first - max((edge - first) * 0.04, dt.timedelta(hours=12))
    else:
        start = _instant(timeline, since)
    if start >= edge:
        msg = f"since ({start.isoformat()}) must be before until ({edge.isoformat()})"
        raise TimeError(msg)
    levels = _label_levels(events, start, edge, width - _MARGIN)
    depth = 0.25 * (max(levels, default=0) + 1)  # the event labels, below the last lane
    figure = Figure(figsize=(width, 1.3 + 0.62 * (len(lanes) + depth)), layout="constrained")
    canvas = _Canvas(figure.add_subplot(), list(lanes), start, edge)
    _draw_spells(canvas, spells, width - _MARGIN)
    for deadline in deadlines:
        _draw_deadline(canvas, deadline)
    _draw_events(canvas, events, levels)
    canvas.finish(list(lanes.values()), timeline.dispute.timezone, depth)
    d = timeline.dispute
    canvas.ax.set_title(title if title is not None else f"{d.platform} / {d.regulator} ({d.id})")
    legend: list[Any] = [
        Patch(facecolor=c, edgecolor="black", label=k) for k, c in KIND_COLOURS.items()
    ]
    legend.append(Line2D([], [], color=_DEADLINE, marker="D", label="due (hollow: original)"))
    figure.legend(handles=legend, loc="outside lower center", fontsize=7, ncols=4, frameon=False)
    return figure


def _text_width(text: str, points: float) -> float:
    """About how wide a line of text is, in inches (DejaVu Sans: about 0.55 em a letter)."""
    return len(text) * 0.55 * points / 72


def _label_levels(
    events: Sequence[tuple[Event, dt.datetime]],
    start: dt.datetime,
    edge: dt.datetime,
    inches: float,
) -> list[int]:
    """A row for each event's label, the first where it does not run into another."""
    span = (edge - start).total_seconds() or 1.0
    ends: list[float] = []
    levels = []
    for event, at in events[:_MAX_EVENT_LABELS]:
        centre = (at - start).total_seconds() / span * inches
        half = _text_width(event.id, 6) / 2 + 0.04
        level = next((i for i, end in enumerate(ends) if end <= centre - half), len(ends))
        if level == len(ends):
            ends.append(0.0)
        ends[level] = centre + half
        levels.append(level)
    return levels


class _Canvas:
    """One dispute's axes: lanes from the top, time from `start` to `edge`."""

    def __init__(self, ax: Any, lanes: list[str], start: dt.datetime, edge: dt.datetime) -> None:
        self.ax, self.lanes, self.start, self.edge = ax, lanes, start, edge

    def y(self, lane: str) -> float:
        return len(self.lanes) - 1 - self.lanes.index(lane)

    def x(self, moment: dt.datetime) -> float:
        return float(mdates.date2num(min(max(moment, self.start), self.edge)))

    @property
    def span(self) -> float:
        return self.x(self.edge) - self.x(self.start)

    def finish(self, labels: list[str], zone_name: str, depth: float) -> None:
        ax, n, tz = self.ax, len(self.lanes), ZoneInfo(zone_name)
        edge = self.x(self.edge)
        ax.axvline(edge, color="black", linestyle="--", linewidth=0.8, gid="until")
        when = self.edge.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        ax.text(edge, n - 0.45, f"until {when} ", fontsize=7, ha="right", va="bottom")
        ax.set_xlim(self.x(self.start), edge + 0.03 * self.span)
        ax.set_ylim(-0.3 - depth, n - 0.3)
        ax.set_yticks([self.y(lane) for lane in self.lanes], labels, fontsize=8)
        _time_axis(ax, tz, zone_name)


def _draw_spells(canvas: _Canvas, spells: list[Spell], inches: float) -> None:
    """One bar per spell, narrower when a partial lift left it covering less."""
    heights: dict[str, float] = {}
    previous: dict[str, Spell] = {}
    for spell in spells:
        r = spell.restriction
        window = getattr(r, "window", None)
        before = previous.get(r.id)
        height = heights.get(r.id, 0.7)
        if before is not None and r.scope < before.restriction.scope:
            height *= 0.6
        heights[r.id], previous[r.id] = height, spell
        open_ = spell.end is None or spell.end > canvas.edge
        right_edge = canvas.edge if open_ or spell.end is None else spell.end
        left, right = canvas.x(spell.start), canvas.x(right_edge)
        lane = canvas.y(r.id)
        colour = KIND_COLOURS[_kind(r)]
        bar = Rectangle(
            (left, lane - height / 2),
            right - left,
            height,
            facecolor=colour,
            edgecolor="black",
            linewidth=0.6,
            hatch="//" if window is not None else None,
            label=f"{r.id}: {r.scope}",
            gid=f"spell {r.id} {spell.start.isoformat()}",
        )
        canvas.ax.add_patch(bar)
        words = str(r.scope) + (f", {window}" if window is not None else "")
        room = (right - left) / (canvas.span or 1.0) * inches - 0.08
        fits = int(room / _text_width("x", 7))
        if fits >= 4:  # else no room for words: the bar's label says what it covers
            shown = words if len(words) <= fits else words[: fits - 1] + "\u2026"
            text = canvas.ax.text(left + 0.003 * canvas.span, lane, shown, va="center", fontsize=7)
            text.set_clip_path(bar)
            text.set_in_layout(False)
        if open_:  # still in force at the edge: drawn open
            _open_arrow(canvas.ax, right, lane, 0.025 * canvas.span, colour)


def _draw_deadline(canvas: _Canvas, d: Deadline) -> None:
    """From when it was set to when it is due (or closed), its due dates as diamonds."""
    ax, x, lane = canvas.ax, canvas.x, canvas.y("deadline " + d.id)
    end = d.closed_at or d.due
    if end is not None:
        ax.plot([x(d.set_at), x(end)], [lane, lane], color=_DEADLINE, linewidth=2)
    if d.original_due is not None:
        ax.plot(
            [x(d.original_due)], [lane], marker="D", markerfacecolor="white", color=_DEADLINE,
            linestyle="none", gid=f"original due {d.id}",
        )  # fmt: skip
    for ext in d.extensions:
        ax.plot([x(ext.due)], [lane], marker="D", color=_DEADLINE, linestyle="none",
                gid=f"due {ext.id}")  # fmt: skip
        if ext.previous_due is not None:
            arrow = {"arrowstyle": "->", "color": _DEADLINE, "connectionstyle": "arc3,rad=-0.4"}
            ax.annotate("", xy=(x(ext.due), lane), xytext=(x(ext.previous_due), lane),
                        arrowprops=arrow)  # fmt: skip
    words = f"{d.state.name.lower()}: {d.demand}" if d.demand else d.state.name.lower()
    ax.text(x(d.set_at), lane + 0.22, words[:80], fontsize=7, color=_DEADLINE)


def _draw_events(
    canvas: _Canvas, events: Sequence[tuple[Event, dt.datetime]], levels: list[int]
) -> None:
    """The events as marks on their own lane, with their ids (the first 40) in rows."""
    lane = canvas.y("events")
    xs = [canvas.x(at) for _, at in events]
    canvas.ax.plot(
        xs, [lane] * len(xs), linestyle="none", marker="|", markersize=14, color=_EVENT,
        gid="events",
    )  # fmt: skip
    for (event, _), x, level in zip(events, xs, levels, strict=False):
        text = canvas.ax.text(
            x, lane - 0.2 - 0.25 * level, event.id, fontsize=6, ha="center", va="top",
            gid=f"event {event.id}",
        )  # fmt: skip
        text.set_in_layout(False)


def disputes(
    archive: Archive | Iterable[Timeline],
    start: object = None,
    end: object = None,
    *,
    as_of: object = None,
    title: str | None = None,
    width: float = 10.0,
    **filters: Any,
) -> Figure:
    """Many disputes as swimlanes, one per dispute, coloured by phase, in UTC.

    Args:
        archive: an `Archive` (or timelines, made into one).
        start: the first day or instant shown; None: from each dispute's first event.
        end: the last day shown (up to its end in each dispute's zone), or the first
            instant after the window; None: a little after the last change.
        as_of: as the records stood then.
        title: the figure's title.
        width: in inches.
        **filters: as `Archive.periods` takes them (jurisdiction, platform, regulator, and a
            slice: network, service, region, operator).

    Raises:
        TimeError: a bound that cannot be read, or `end` before `start`.
        InvalidValue: a filter value `Archive.periods` refuses.

    Examples:
        >>> from regtimeline import Archive
        >>> from regtimeline.examples import cases
        >>> figure = disputes(Archive(cases()), "2021-01-01", "2022-12-31")
        >>> [t.get_text() for t in figure.axes[0].get_yticklabels()]
        ['internet (IN)', 'TikTok (IN)', 'Twitter (NG)', 'Twitter (RU)']
    """
    if not isinstance(archive, Archive):
        archive = Archive(archive)
    periods = archive.periods(start, end, as_of=as_of, **filters)
    names = sorted({p.dispute.id for p in periods})
    if not names:
        msg = "no dispute of the archive has a period in that window with those filters"
        raise InvalidValue(msg)
    left = min(p.start for p in periods)
    right = max(p.end or p.start for p in periods)
    if end is None:  # the last periods are open: a little past the last change
        right += max((right - left) * 0.05, dt.timedelta(days=1))
    n = len(names)
    figure = Figure(figsize=(width, 1.2 + 0.32 * n), layout="constrained")
    ax = figure.add_subplot()
    lane = {name: n - 1 - i for i, name in enumerate(names)}
    for p in periods:
        if p.phase is Phase.CLEAR:
            continue
        a = float(mdates.date2num(p.start))
        b = float(mdates.date2num(p.end if p.end is not None else right))
        ax.add_patch(
            Rectangle(
                (a, lane[p.dispute.id] - 0.35),
                b - a,
                0.7,
                facecolor=PHASE_COLOURS[p.phase],
                edgecolor="none",
                label=p.phase.name,
                gid=f"{p.dispute.id} {p.phase.name} {p.start.isoformat()}",
            )
        )
        if p.end is None and end is None:  # still so at the last change: drawn open
            length = 0.02 * (b - float(mdates.date2num(left)))
            _open_arrow(ax, b, lane[p.dispute.id], length, PHASE_COLOURS[p.phase])
        if p.start_span is not None:  # an imprecise start: the span it could be in
            s0, s1 = (float(mdates.date2num(t)) for t in p.start_span)
            ax.add_patch(
                Rectangle(
                    (s0, lane[p.dispute.id] - 0.35),
                    s1 - s0,
                    0.7,
                    facecolor="white",
                    alpha=0.5,
                    edgecolor="none",
                )
            )
    ax.set_xlim(float(mdates.date2num(left)), float(mdates.date2num(right)))
    ax.set_ylim(-0.6, n - 0.4)
    by_id = {t.dispute.id: t.dispute for t in archive}
    labels = [f"{by_id[name].platform} ({by_id[name].jurisdiction})" for name in names]
    ax.set_yticks([lane[name] for name in names], labels, fontsize=7)
    _time_axis(ax, dt.UTC, "UTC")
    ax.set_title(title or f"{n} disputes")
    shown = [ph for ph in Phase if ph is not Phase.CLEAR]
    figure.legend(
        handles=[Patch(facecolor=PHASE_COLOURS[ph], label=ph.name.lower()) for ph in shown],
        loc="outside lower center",
        fontsize=7,
        ncols=len(shown),
        frameon=False,
    )
    return figure


def save(figure: Figure, path: str | os.PathLike[str], *, dpi: int = 150) -> Path:
    """Write a figure as PNG or SVG (by the file's suffix): the same bytes for the same input.

    Nothing that changes from run to run is written (no date, no software version, fixed
    SVG ids).

    Raises:
        InvalidValue: a suffix other than ``.png`` or ``.svg``.
        OSError: the file cannot be written.

    Examples:
        >>> import pathlib, tempfile
        >>> from regtimeline.examples import twitter_russia
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "case.svg"
        >>> save(dispute(twitter_russia(), until="2022-06-01"), out).read_bytes()[:5]
        b'<?xml'
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".png", ".svg"):
        msg = f"{target}: a picture is written as .png or .svg, not {suffix or 'no suffix'!r}"
        raise InvalidValue(msg)
    metadata: dict[str, Any] = (
        {"Software": None} if suffix == ".png" else {"Date": None, "Creator": None}
    )
    with mpl.rc_context({"svg.hashsalt": "regtimeline", "svg.fonttype": "path"}):
        figure.savefig(target, dpi=dpi, metadata=metadata, format=suffix[1:])
    return target


def _short(cause: str) -> str:
    return (
        cause.replace("ends passes or window closes (no event)", "runs out or window closes")
        .replace("window opens (no event)", "window opens")
        .replace("due passes (no event)", "due passes")
    )


def state_machine(*, width: float = 11.0) -> Figure:
    """The state machine as two charts, drawn from the rules the timeline enforces.

    What moves a dispute from phase to phase, and a deadline from state to state (rows:
    from; columns: to; each cell: the events that do it, or time), as `regtimeline.render`
    reads them from `regtimeline.RULES`.

    Examples:
        >>> axes = state_machine().axes
        >>> [ax.get_title() for ax in axes]
        ['phase (row: from, column: to)', 'deadline (row: from, column: to)']
    """
    from regtimeline import DeadlineState  # noqa: PLC0415
    from regtimeline.render import deadline_edges, phase_edges  # noqa: PLC0415

    figure = Figure(figsize=(width, width * 0.95), layout="constrained")
    top, bottom = figure.subplots(2, 1, height_ratios=[5, 6])
    phases = list(Phase)
    _matrix(
        top,
        [p.name for p in phases],
        [p.name for p in phases],
        {(a.name, b.name): causes for (a, b), causes in phase_edges().items()},
        {p.name: PHASE_COLOURS[p] for p in phases},
    )
    top.set_title("phase (row: from, column: to)")
    states = list(DeadlineState)
    _matrix(
        bottom,
        ["(none yet)", *(s.name for s in states)],
        [s.name for s in states],
        {
            (a.name if a is not None else "(none yet)", b.name): causes
            for (a, b), causes in deadline_edges().items()
        },
        {s.name: "#CFE3F3" for s in states},
    )
    bottom.set_title("deadline (row: from, column: to)")
    return figure


def _matrix(
    ax: Any,
    rows: list[str],
    columns: list[str],
    cells: dict[tuple[str, str], list[str]],
    colours: dict[str, str],
) -> None:
    ax.set_xlim(0, len(columns))
    ax.set_ylim(len(rows), 0)
    for i, row in enumerate(rows):
        for j, column in enumerate(columns):
            causes = cells.get((row, column))
            face = colours[column] if causes else ("#DDDDDD" if row == column else "white")
            ax.add_patch(
                Rectangle((j, i), 1, 1, facecolor=face, edgecolor="#999999", linewidth=0.5)
            )
            if causes:
                ax.text(
                    j + 0.5, i + 0.5, "\n".join(_short(c) for c in causes), ha="center",
                    va="center", fontsize=6.5, gid=f"{row} -> {column}",
                )  # fmt: skip
    ax.set_xticks([j + 0.5 for j in range(len(columns))], columns, fontsize=8)
    ax.set_yticks([i + 0.5 for i in range(len(rows))], rows, fontsize=8)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
