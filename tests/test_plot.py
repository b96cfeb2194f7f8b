"""Pictures, read back from the drawn figure: lanes, bars where the spells are, colours per
kind, due dates, event ids, dates on the axis in the dispute's zone, the same bytes twice."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import matplotlib.dates as mdates
import pendulum
import pytest
from hypothesis import given, settings
from matplotlib.colors import to_hex
from matplotlib.patches import Rectangle

from regtimeline import (
    Archive,
    BlockImposed,
    BlockLifted,
    Dispute,
    InvalidValue,
    Phase,
    TimeError,
    Timeline,
    plot,
    strategies,
)
from regtimeline.examples import cases, twitter_russia

UTC = dt.UTC


def _bars(ax) -> dict[str, Rectangle]:
    return {p.get_gid(): p for p in ax.patches if isinstance(p, Rectangle) and p.get_gid()}


def _when(x: float) -> dt.datetime:
    return mdates.num2date(x, tz=UTC)


def _close(a: dt.datetime, b: dt.datetime) -> bool:
    return abs(a - b) <= dt.timedelta(milliseconds=1)  # day numbers are floats


@pytest.fixture(scope="module")
def founding():
    figure = plot.dispute(twitter_russia(), until="2022-06-01")
    return figure, figure.axes[0]


def test_the_founding_case_has_a_lane_per_restriction_deadline_and_the_events(founding):
    _, ax = founding
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["slowdown\nthrottle", "block-2022\nblock", "deadline\nblock-threat", "events"]
    assert ax.get_title() == "Twitter / Roskomnadzor (ru-roskomnadzor-twitter)"
    assert ax.get_xlabel() == "Europe/Moscow"


def test_bars_are_where_the_spells_are_coloured_by_kind_and_a_partial_lift_narrows(founding):
    _, ax = founding
    moscow = pendulum.timezone("Europe/Moscow")
    bars = _bars(ax)
    spells = twitter_russia().restrictions()
    assert len(bars) == len(spells) == 3
    for spell in spells:
        bar = bars[f"spell {spell.restriction.id} {spell.start.isoformat()}"]
        assert _close(_when(bar.get_x()), spell.start)
        kind = "block" if spell.restriction.id == "block-2022" else "throttle"
        assert to_hex(bar.get_facecolor()) == plot.KIND_COLOURS[kind].lower()
    first, second = (bars[f"spell slowdown {s.start.isoformat()}"] for s in spells[:2])
    # the partial lift of 17 May 2021 (fixed networks restored): the lane narrows
    assert _close(
        _when(first.get_x() + first.get_width()), pendulum.datetime(2021, 5, 17, tz=moscow)
    )
    assert second.get_height() < first.get_height()
    # the block is still in force at the edge: its bar reaches the edge, and an arrow goes on
    block = bars[f"spell block-2022 {spells[2].start.isoformat()}"]
    edge = pendulum.datetime(2022, 6, 1, 23, 59, 59, 999999, tz=moscow)
    assert _close(_when(block.get_x() + block.get_width()), edge)
    arrows = [a for a in ax.texts if getattr(a, "arrow_patch", None) is not None]
    assert any(abs(a.xy[1] - block.get_y() - block.get_height() / 2) < 1e-9 for a in arrows)
    texts = [t.get_text() for t in ax.texts]
    assert "photos+videos on mobile" in texts


def test_the_deadline_shows_its_original_and_extended_due_dates(founding):
    _, ax = founding
    moscow = pendulum.timezone("Europe/Moscow")
    lines = {line.get_gid(): line for line in ax.get_lines() if line.get_gid()}
    original = lines["original due block-threat"].get_xdata()[0]
    extended = lines["due extension-2021-04-05"].get_xdata()[0]
    day_end = dt.timedelta(days=1, microseconds=-1)
    assert _close(_when(original), pendulum.datetime(2021, 4, 15, tz=moscow) + day_end)
    assert _close(_when(extended), pendulum.datetime(2021, 5, 15, tz=moscow) + day_end)
    assert any(t.get_text().startswith("overdue: Remove the banned content") for t in ax.texts)


def test_every_event_is_marked_with_its_id(founding):
    _, ax = founding
    timeline = twitter_russia()
    marks = next(line for line in ax.get_lines() if line.get_gid() == "events")
    zone = timeline.dispute.zone
    expected = [zone.to_datetime(zone.key(e.at)) for e in timeline.events]
    assert all(_close(_when(x), w) for x, w in zip(marks.get_xdata(), expected, strict=True))
    ids = {t.get_gid(): t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("event")}
    assert sorted(ids.values()) == sorted(e.id for e in timeline.events)


def test_dates_on_the_axis(founding):
    figure, ax = founding
    figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert "2022" in ticks
    assert {"Mar", "May"} <= set(ticks)


def test_the_axis_is_in_the_disputes_zone_across_dst():
    """London, the night clocks went forward (28 March 2021, 01:00 GMT -> 02:00 BST): a
    block from 00:30 to 03:30 local time lasted two hours, and the axis says local time."""
    london = Dispute(
        id="uk", regulator="r", platform="p", jurisdiction="GB", timezone="Europe/London"
    )
    t = Timeline(london).append(
        BlockImposed(at="2021-03-28T00:30:00+00:00", id="b"),
        BlockLifted(at="2021-03-28T03:30:00+01:00", id="l", block="b"),
    )
    figure = plot.dispute(t, since="2021-03-27T22:00:00+00:00", until="2021-03-28T06:00:00+01:00")
    ax = figure.axes[0]
    (bar,) = _bars(ax).values()
    assert _close(_when(bar.get_x()), dt.datetime(2021, 3, 28, 0, 30, tzinfo=UTC))
    assert _close(_when(bar.get_x() + bar.get_width()), dt.datetime(2021, 3, 28, 2, 30, tzinfo=UTC))
    figure.canvas.draw()
    formatter = ax.xaxis.get_major_formatter()
    three_local = mdates.date2num(dt.datetime(2021, 3, 28, 3, tzinfo=ZoneInfo("Europe/London")))
    assert formatter.format_ticks([three_local - 1 / 24, three_local])[1] == "03:00"


def test_a_recurring_restriction_is_hatched_and_says_its_window():
    exams = next(t for t in cases() if t.dispute.id == "in-jk-internet-2019")
    figure = plot.dispute(exams)
    assert all(not p.get_hatch() for p in _bars(figure.axes[0]).values())
    from regtimeline import ThrottleImposed, Window

    d = Dispute(
        id="x", regulator="r", platform="internet", jurisdiction="SY", timezone="Asia/Damascus"
    )
    t = Timeline(d).append(
        ThrottleImposed(at="2021-06-01", id="exam", window=Window(start="06:00", end="10:00"))
    )
    ax = plot.dispute(t, until="2021-06-20").axes[0]
    (bar,) = _bars(ax).values()
    assert bar.get_hatch() == "//"
    assert any("06:00" in t.get_text() for t in ax.texts)


def test_the_same_input_gives_the_same_bytes(tmp_path):
    for suffix in (".png", ".svg"):
        a, b = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
        plot.save(plot.dispute(twitter_russia(), until="2022-06-01"), a)
        plot.save(plot.dispute(twitter_russia(), until="2022-06-01"), b)
        assert a.read_bytes() == b.read_bytes()
        c = tmp_path / f"c{suffix}"
        plot.save(plot.dispute(twitter_russia(), until="2022-07-01"), c)
        assert c.read_bytes() != a.read_bytes()


def test_many_disputes_as_swimlanes_coloured_by_phase():
    archive = Archive(cases())
    figure = plot.disputes(archive, "2021-01-01", "2022-12-31", jurisdiction=("RU", "NG"))
    ax = figure.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Twitter (NG)", "Twitter (RU)"]
    assert ax.get_xlabel() == "UTC"
    bars = _bars(ax)
    periods = [
        p
        for p in archive.periods("2021-01-01", "2022-12-31", jurisdiction=("RU", "NG"))
        if p.phase is not Phase.CLEAR
    ]
    assert len(bars) == len(periods)
    for p in periods:
        bar = bars[f"{p.dispute.id} {p.phase.name} {p.start.isoformat()}"]
        assert to_hex(bar.get_facecolor()) == plot.PHASE_COLOURS[p.phase].lower()
        assert _close(_when(bar.get_x()), p.start)


def test_refusals(tmp_path):
    figure = plot.dispute(twitter_russia(), until="2022-06-01")
    with pytest.raises(InvalidValue, match=r"\.png or \.svg"):
        plot.save(figure, tmp_path / "x.jpg")
    with pytest.raises(TimeError, match="since"):
        plot.dispute(twitter_russia(), since="2022-06-02", until="2022-06-01")
    with pytest.raises(TimeError):
        plot.dispute(twitter_russia(), until="not a date")
    with pytest.raises(InvalidValue, match="no dispute"):
        plot.disputes(Archive(cases()), "2021-01-01", "2021-12-31", jurisdiction="ZZ")


@settings(max_examples=15, deadline=None)
@given(strategies.timelines())
def test_any_timeline_draws_one_bar_per_spell(timeline):
    figure = plot.dispute(timeline)
    ax = figure.axes[0]
    edge = timeline.status_at(_default_edge(ax)).at
    spells = [s for s in timeline.restrictions() if s.start <= edge]
    bars = _bars(ax)
    assert len(bars) == len(spells)
    for s in spells:
        assert _close(
            _when(bars[f"spell {s.restriction.id} {s.start.isoformat()}"].get_x()), s.start
        )


def _default_edge(ax) -> dt.datetime:
    until = next(line for line in ax.get_lines() if line.get_gid() == "until")
    return _when(until.get_xdata()[0])


def test_importing_regtimeline_does_not_load_matplotlib():
    import subprocess
    import sys

    code = "import sys, regtimeline; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_by_default_the_picture_reaches_past_the_last_due_date():
    """A deadline due long after the last event is drawn whole, its due date inside."""
    from regtimeline import DeadlineSet

    d = Dispute(
        id="x", regulator="r", platform="p", jurisdiction="BR", timezone="America/Sao_Paulo"
    )
    t = Timeline(d).append(DeadlineSet(at="2024-08-28", id="rep", due="2024-12-31"))
    ax = plot.dispute(t).axes[0]
    edge = _default_edge(ax)
    assert edge > pendulum.datetime(2024, 12, 31, 23, 59, tz="America/Sao_Paulo")
