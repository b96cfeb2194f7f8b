"""The Archive: real cases on dated checkpoints, and every query against a naive loop."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from pathlib import Path

import pendulum
import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from regtimeline import (
    Archive,
    DeadlineState,
    Dispute,
    InvalidValue,
    Phase,
    SchemaError,
    ThrottleImposed,
    ThrottleLifted,
    TimeError,
    Timeline,
    UnknownReference,
    dump,
    load,
    open_store,
)
from regtimeline.examples import brazil_x, cases, jammu_kashmir, twitter_russia
from regtimeline.strategies import archives, boundaries

from . import reference as ref

DAY = dt.timedelta(days=1)
US = dt.timedelta(microseconds=1)


# --- real cases ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real() -> Archive:
    return Archive(cases())


def test_which_platforms_were_blocked_in_russia_on_5_march_2022(real):
    rows = real.restricted("2022-03-05", jurisdiction="RU")
    assert [(r.dispute.platform, r.phase) for r in rows] == [("Twitter", Phase.BLOCKED)]
    assert [r.id for r in rows[0].restrictions] == [rows[0].status.block.id]


def test_the_partial_lift_of_17_may_2021_shows_per_network(real):
    """Fixed lines were cleared on 17 May 2021, mobile stayed throttled (TASS, 17 May)."""
    fixed = real.status_at("2021-05-20", jurisdiction="RU", network="fixed")
    mobile = real.status_at("2021-05-20", jurisdiction="RU", network="mobile")
    assert [r.phase for r in fixed] == [Phase.WARNED]
    assert [r.phase for r in mobile] == [Phase.THROTTLED]
    assert [r.dispute.id for r in real.restricted("2021-05-20", network="fixed")] == [
        "in-meity-tiktok-2020"
    ]


def test_days_mobile_internet_was_cut_in_kashmir_in_2020(real):
    """Blocked to 24 January 2020, 2G only from 25 January (whitelisted sites), 4G back in
    Ganderbal from 16 August, 9 pm; still 2G in Srinagar to the end of the year."""
    days = real.durations(
        "2020-01-01",
        "2020-12-31",
        by="dispute",
        platform="internet",
        network="mobile",
        region="Srinagar",
    )
    srinagar = days[("in-jk-internet-2019",)]
    assert srinagar[Phase.BLOCKED] == 24 * DAY
    assert srinagar[Phase.THROTTLED] == 342 * DAY
    monthly = real.durations(
        "2020-01-01",
        "2020-12-31",
        by=("month",),
        platform="internet",
        region="Ganderbal",
        network="mobile",
    )
    august = monthly[("2020-08",)]
    assert august[Phase.CLEAR] == dt.timedelta(days=15, hours=3)
    assert august[Phase.THROTTLED] == dt.timedelta(days=15, hours=21)
    assert sum(monthly[("2020-02",)].values(), dt.timedelta()) == 29 * DAY


def test_which_deadlines_are_open(real):
    """Brazil: 24 hours from 28 August 2024 to name a legal representative (the whole day
    of 29 August); the founding case's deadline was left overdue from 16 May 2021."""
    rows = real.deadlines("2024-08-29T12:00:00-03:00")
    assert [(r.dispute.id, r.deadline.id, r.deadline.state) for r in rows] == [
        ("ru-roskomnadzor-twitter", "block-threat", DeadlineState.OVERDUE),
        ("br-stf-x-2024", "legal-representative", DeadlineState.PENDING),
    ]
    # the suspension from 30 August enforced it: no longer open
    assert real.deadlines("2024-08-30T06:00:00-03:00", jurisdiction="BR") == ()
    enforced = real.deadlines("2024-09-15", state=DeadlineState.ENFORCED, jurisdiction="BR")
    assert [r.deadline.state for r in enforced] == [DeadlineState.ENFORCED]
    # a month from 16 March: due 15 April, until moved to 15 May on 5 April
    before = real.deadlines("2021-04-01", due_before="2021-04-15")
    assert [r.deadline.due.date().isoformat() for r in before] == ["2021-04-15"]
    assert real.deadlines("2021-04-01", due_before="2021-04-14") == ()
    assert real.deadlines("2021-04-10", due_before="2021-04-30") == ()
    after = real.deadlines("2021-04-10", due_before="2021-05-15")
    assert [r.deadline.due.date().isoformat() for r in after] == ["2021-05-15"]


def test_periods_are_cut_to_the_window(real):
    rows = real.periods("2024-08-01", "2024-12-31", jurisdiction="BR")
    got = [(p.start.date().isoformat(), p.end.date().isoformat(), p.phase.name) for p in rows]
    assert got == [
        ("2024-08-28", "2024-08-30", "WARNED"),
        ("2024-08-30", "2024-10-08", "BLOCKED"),
        ("2024-10-08", "2025-01-01", "CLEAR"),
    ]
    open_ended = real.periods("2024-01-01", platform="TikTok")
    assert open_ended[-1].end is None
    assert open_ended[0].start == pendulum.datetime(2024, 1, 1, tz="Asia/Kolkata")
    assert open_ended[0].start_span is None  # cut: the window's start is exact


def test_as_of_answers_as_the_records_stood():
    t = twitter_russia()
    late = Timeline(t.dispute).append(*t.events, recorded_at="2022-06-01T00:00:00Z")
    archive = Archive([late, brazil_x()])
    assert archive.restricted("2021-04-01", as_of="2021-12-31") == ()
    assert [r.dispute.id for r in archive.restricted("2021-04-01")] == [t.dispute.id]
    assert archive.as_of("2021-12-31")[t.dispute.id].events == ()


# --- building, files and stores -----------------------------------------------------------


def test_an_archive_is_immutable_and_keyed_by_dispute(real):
    assert len(real) == 5
    assert [t.dispute.id for t in real] == sorted(t.dispute.id for t in cases())
    assert "br-stf-x-2024" in real
    assert real["br-stf-x-2024"] == brazil_x()
    with pytest.raises(UnknownReference, match="no dispute 'nope'"):
        real["nope"]
    with pytest.raises(InvalidValue, match="two timelines of dispute 'br-stf-x-2024'"):
        real.add(brazil_x())
    shorter = Timeline(brazil_x().dispute, brazil_x().events[:2])
    replaced = real.replace(shorter)
    assert replaced["br-stf-x-2024"] == shorter
    assert real["br-stf-x-2024"] == brazil_x()  # untouched
    with pytest.raises(UnknownReference, match="add"):
        Archive().replace(shorter)
    with pytest.raises(InvalidValue, match="made of Timelines"):
        Archive([brazil_x().dispute])  # type: ignore[list-item]
    assert Archive().add(shorter) == Archive([shorter])


def test_one_file_holds_several_disputes(real, tmp_path):
    path = tmp_path / "cases.jsonl"
    real.dump(path)
    assert Archive.load(path) == real
    text = path.read_text()
    assert text.count('"format":"regtimeline"') == 5
    with pytest.raises(SchemaError, match=r"line \d+: a second header.*Archive.load"):
        load(path)


def test_a_directory_of_files(real, tmp_path):
    for t in real:
        dump(t, tmp_path / f"{t.dispute.id}.jsonl")
    (tmp_path / "notes.txt").write_text("not read")
    assert Archive.load(tmp_path) == real
    dump(brazil_x(), tmp_path / "zz-again.jsonl")
    with pytest.raises(SchemaError, match="'br-stf-x-2024' appears in .*br-stf-x-2024.jsonl and"):
        Archive.load(tmp_path)


def test_a_dispute_twice_in_one_file_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "twice.jsonl"
    dump(brazil_x(), path)
    path.write_bytes(path.read_bytes() * 2)
    with pytest.raises(SchemaError, match=r"line 18: the seal says this is part 1 of 1, but"):
        Archive.load(path)  # a sealed file's parts cannot be repeated unnoticed
    with pytest.raises(
        SchemaError, match=r"twice\.jsonl: line 10: dispute 'br-stf-x-2024' appears twice"
    ):
        Archive.load(path, verify=False)


def test_a_bad_line_in_the_second_dispute_names_its_line(tmp_path):
    path = tmp_path / "two.jsonl"
    Archive([brazil_x(), jammu_kashmir()]).dump(path)
    lines = path.read_text().splitlines(keepends=True)
    second = next(i for i, line in enumerate(lines) if i and '"format"' in line)
    lines[second + 1] = lines[second + 1].replace('"at":"', '"at":"x')
    path.write_text("".join(lines))
    with pytest.raises(SchemaError, match=rf"line {second + 2}:"):
        Archive.load(path)
    lines[second] = '{"format":"other"}\n'
    path.write_text("".join(lines))
    with pytest.raises(SchemaError, match=rf"line {second + 1}: a header must say"):
        Archive.load(path)


def test_a_refused_event_in_the_second_dispute_names_its_line(tmp_path):
    path = tmp_path / "two.jsonl"
    d = Dispute(id="d", regulator="R", platform="P", jurisdiction="RU", timezone="UTC")
    Archive([brazil_x()]).dump(path)
    extra = tmp_path / "d.jsonl"
    dump(Timeline(d, [ThrottleImposed(at="2021-01-01", id="t")]), extra)
    lines = extra.read_text().splitlines(keepends=True)
    body = "".join([*lines[:-1], lines[1]])  # the event twice (and no seal: edited by hand)
    with path.open("a") as handle:
        handle.write(body)
    n = len(path.read_text().splitlines())
    with pytest.raises(Exception, match=rf"line {n}:") as error:
        Archive.load(path, verify=False)
    assert type(error.value).__name__ == "DuplicateEvent"


def test_from_a_store(real, tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'archive.db'}") as store:
        for t in real:
            store.create(t.dispute)
            store.append(t.dispute.id, t.events)
        loaded = Archive.from_store(store)
    assert [t.events for t in loaded] == [t.events for t in real]
    with pytest.raises(InvalidValue, match="takes a Store"):
        Archive.from_store("sqlite:///x.db")  # type: ignore[arg-type]


def test_refusals_are_specific(real):
    with pytest.raises(TimeError):
        real.status_at("2021-03-10T10:00")
    with pytest.raises(TimeError, match="span of days"):
        real.restricted("2021-03")
    with pytest.raises(InvalidValue, match="jurisdiction"):
        real.status_at("2021-03-10", jurisdiction=3)  # type: ignore[arg-type]
    with pytest.raises(InvalidValue, match="network"):
        real.restricted("2021-03-10", network="satellite")
    with pytest.raises(InvalidValue, match="cannot group by 'country'"):
        real.durations("2021-01-01", "2021-12-31", by="country")
    with pytest.raises(TimeError, match="before it starts"):
        real.periods("2021-02-01", "2021-01-01")
    with pytest.raises(TimeError, match="needs a window"):
        real.durations("2021-01-01", None)
    with pytest.raises(InvalidValue, match="DeadlineState"):
        real.deadlines("2021-01-01", state="OVERDUE")  # type: ignore[arg-type]


# --- properties: each query against a naive loop --------------------------------------------


def _when(archive: Archive, data: st.DataObject) -> object:
    """An instant at or around a boundary or period start of one of the timelines, or a day."""
    timelines = [t for t in archive if len(t)]
    if not timelines:
        return pendulum.datetime(2021, 1, 1, tz="UTC")
    t = data.draw(st.sampled_from(timelines))
    z = t.dispute.zone
    keys = sorted({*boundaries(t), *(z.key(p.start) for p in t.history())})
    key = data.draw(st.sampled_from(keys)) + data.draw(st.sampled_from((0, -1, 1)))
    instant = z.to_datetime(key)
    if data.draw(st.integers(0, 2)) == 0:
        return instant.date().isoformat()  # a day: its end in each dispute's own zone
    return instant


def _point(archive: Archive, data: st.DataObject) -> tuple[str | None, ...]:
    events = [e for t in archive for e in t.events]
    return data.draw(st.sampled_from(ref.slices(events)))


def _filters(archive: Archive, data: st.DataObject) -> dict[str, object]:
    disputes = archive.disputes
    if not disputes or data.draw(st.booleans()):
        return {}
    what = data.draw(st.sampled_from(("jurisdiction", "platform", "regulator")))
    values = sorted({getattr(d, what) for d in disputes})
    chosen = data.draw(st.lists(st.sampled_from(values), min_size=1, unique=True))
    return {what: chosen[0] if len(chosen) == 1 else chosen}


def _kept(archive: Archive, filters: dict[str, object]) -> list[Timeline]:
    def keep(t: Timeline) -> bool:
        for what, value in filters.items():
            wanted = {value} if isinstance(value, str) else set(value)  # type: ignore[arg-type]
            if getattr(t.dispute, what) not in wanted:
                return False
        return True

    return [t for t in sorted(archive, key=lambda t: t.dispute.id) if keep(t)]


def _slice(point: tuple[str | None, ...]) -> dict[str, str | None]:
    return dict(zip(("network", "service", "region", "operator"), point, strict=True))


class TestAgainstANaiveLoop:
    @given(archives(), st.data())
    def test_status_at_and_restricted(self, archive, data):
        """status_at is phase_for in a loop; restricted keeps DELISTED or worse."""
        when = _when(archive, data)
        point = _point(archive, data)
        filters = _filters(archive, data)
        note(f"when={when} point={point} filters={filters}")
        expected = [
            (t.dispute.id, t.status_at(when).phase_for(*point)) for t in _kept(archive, filters)
        ]
        rows = archive.status_at(when, **filters, **_slice(point))
        assert [(r.dispute.id, r.phase) for r in rows] == expected
        assert [r.status for r in rows] == [archive[i].status_at(when) for i, _ in expected]
        restricted = archive.restricted(when, **filters, **_slice(point))
        assert [(r.dispute.id, r.phase) for r in restricted] == [
            (i, p) for i, p in expected if p >= Phase.DELISTED
        ]
        for row in restricted:
            assert row.restrictions, "a restricted dispute has a restriction in force"
            assert all(r.id for r in row.restrictions)

    @given(archives(), st.data())
    def test_periods(self, archive, data):
        """Each dispute's history of the slice, cut to the window, and each period's phase
        is what status_at says at its first and last instant."""
        point = _point(archive, data)
        when = _when(archive, data)
        start = data.draw(st.sampled_from((None, when)))
        end = data.draw(st.sampled_from((None, _when(archive, data))))
        kept = _kept(archive, {})
        try:
            rows = archive.periods(start, end, **_slice(point))
        except TimeError:  # the window ends before it starts in some dispute's zone
            assert start is not None
            assert end is not None
            return
        by_dispute: dict[str, list[object]] = defaultdict(list)
        for row in rows:
            by_dispute[row.dispute.id].append(row)
        for t in kept:
            z = t.dispute.zone
            lo = None if start is None else _edge(z, start, end=False)
            hi = None if end is None else _edge(z, end, end=True)
            until = None if hi is None else z.to_datetime(hi - 1)
            if hi is None and lo is not None and lo > _latest_named(t):
                until = z.to_datetime(lo)  # windows run up to start, past every event
            expected = []
            for p in t.history(until=until, **_slice(point)):
                s, e = z.key(p.start), None if p.end is None else z.key(p.end)
                if lo is not None and e is not None and e <= lo:
                    continue
                if hi is not None and s >= hi:
                    continue
                s = s if lo is None else max(s, lo)
                e = hi if e is None else (e if hi is None else min(e, hi))
                expected.append((s, e, p.phase, p.cause))
            if lo is not None and lo == hi:
                expected = []  # an empty window holds no instant
            got = [
                (z.key(r.start), None if r.end is None else z.key(r.end), r.phase, r.cause)
                for r in by_dispute.get(t.dispute.id, [])
            ]
            assert got == expected
            for s, e, phase, _ in got:
                assert t.status_at(z.to_datetime(s)).phase_for(*point) is phase
                if e is not None:
                    assert t.status_at(z.to_datetime(e - 1)).phase_for(*point) is phase

    @settings(max_examples=max(20, settings.default.max_examples // 2))
    @given(archives(max_events=8), st.data())
    def test_durations(self, archive, data):
        """Time in each phase, from the phase status_at gives at the start of every piece
        between two boundaries; before a dispute's first event it is CLEAR."""
        point = _point(archive, data)
        a, b = _when(archive, data), _when(archive, data)
        by = data.draw(
            st.sampled_from((("jurisdiction",), ("platform", "year"), ("month",), ("dispute",)))
        )
        try:
            got = archive.durations(a, b, by=by, **_slice(point))
        except TimeError:
            return
        expected: dict[tuple[object, ...], dict[Phase, dt.timedelta]] = {}
        for t in _kept(archive, {}):
            z = t.dispute.zone
            lo, hi = _edge(z, a, end=False), _edge(z, b, end=True)
            cuts = {lo, hi}
            for p in t.history(until=z.to_datetime(hi - 1), **_slice(point)):
                cuts.update(k for k in (z.key(p.start),) if lo < k < hi)
                if p.end is not None and lo < z.key(p.end) < hi:
                    cuts.add(z.key(p.end))
            if "year" in by or "month" in by:
                day = z.to_datetime(lo).date().replace(day=1)
                while z.day_start(day) < hi:
                    if "month" in by or day.month == 1:
                        cuts.add(max(lo, z.day_start(day)))
                    day = (day + dt.timedelta(days=32)).replace(day=1)
            ordered = sorted(cuts)
            for s, e in itertools.pairwise(ordered):
                local = z.to_datetime(s)
                values = {
                    "dispute": t.dispute.id,
                    "jurisdiction": t.dispute.jurisdiction,
                    "platform": t.dispute.platform,
                    "year": local.year,
                    "month": f"{local.year:04d}-{local.month:02d}",
                }
                key = tuple(values[g] for g in by)
                phase = t.status_at(z.to_datetime(s)).phase_for(*point)
                totals = expected.setdefault(key, dict.fromkeys(Phase, dt.timedelta()))
                totals[phase] += dt.timedelta(microseconds=e - s)
        assert got == dict(sorted(expected.items()))

    @given(archives(), st.data())
    def test_deadlines(self, archive, data):
        when = _when(archive, data)
        states = data.draw(
            st.sampled_from(
                (None, DeadlineState.MET, (DeadlineState.OVERDUE,), tuple(DeadlineState))
            )
        )
        due_before = data.draw(st.sampled_from((None, _when(archive, data))))
        wanted = (
            {DeadlineState.PENDING, DeadlineState.OVERDUE}
            if states is None
            else {states}
            if isinstance(states, DeadlineState)
            else set(states)
        )
        expected = []
        for t in _kept(archive, {}):
            limit = None if due_before is None else t.dispute.zone.query_key(due_before)
            for d in t.status_at(when).deadlines:
                if d.state not in wanted:
                    continue
                if limit is not None and (d.due is None or t.dispute.zone.key(d.due) > limit):
                    continue
                due = (1, 0) if d.due is None else (0, t.dispute.zone.key(d.due))
                expected.append((due, t.dispute.id, d.id, d))
        expected.sort(key=lambda e: e[:3])
        got = archive.deadlines(when, state=states, due_before=due_before)
        assert [(r.dispute.id, r.deadline) for r in got] == [(e[1], e[3]) for e in expected]

    @settings(max_examples=max(20, settings.default.max_examples // 2))
    @given(archives(max_size=3, max_events=6, recorded=True), st.data())
    def test_as_of(self, archive, data):
        """Every query with as_of equals the same query on each timeline as of then."""
        when = _when(archive, data)
        as_of = _when(archive, data)
        then = Archive(t.as_of(as_of) for t in archive)
        assert archive.status_at(when, as_of=as_of) == then.status_at(when)
        assert archive.restricted(when, as_of=as_of) == then.restricted(when)
        assert archive.periods(as_of=as_of) == then.periods()
        assert archive.deadlines(when, as_of=as_of) == then.deadlines(when)

    @settings(max_examples=max(20, settings.default.max_examples // 2))
    @given(archives(max_size=4, max_events=8))
    def test_files_round_trip(self, archive):
        import tempfile

        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "archive.jsonl"
            archive.dump(path)
            assert Archive.load(path) == archive


def _latest_named(t) -> int:
    """The latest instant a timeline's events name (Timeline.history's docs): their times,
    due dates, and the instant after each `ends`; -inf for none."""
    z = t.dispute.zone
    keys = [z.key(e.at) for e in t.events]
    keys += [z.key(e.due, end=True) for e in t.events if getattr(e, "due", None) is not None]
    keys += [z.key(e.ends, end=True) + 1 for e in t.events if getattr(e, "ends", None) is not None]
    return max(keys, default=-(10**30))


def _edge(z, value, *, end: bool) -> int:
    """DESIGN: a window's bound given as a day is the whole day (its start, or after its end)."""
    if isinstance(value, str) and "T" not in value:
        day = dt.date.fromisoformat(value)
        return z.day_end(day) + 1 if end else z.day_start(day)
    return z.key(value)


def test_restricted_at_the_edges_of_many_periods():
    """The index's answer at, and one microsecond around, every lift of 200 disputes whose
    throttles end at different instants (one index block holds periods of many lengths)."""
    lifted = pendulum.datetime(2021, 1, 1, tz="UTC")
    timelines = []
    for i in range(200):
        d = Dispute(id=f"d{i:03}", regulator="R", platform="P", jurisdiction="RU", timezone="UTC")
        events = [ThrottleImposed(at="2021-01-01", id="t")]
        if i % 3:
            end = lifted.add(hours=i)
            events.append(ThrottleLifted(at=end, id="l", throttle="t"))
        timelines.append(Timeline(d, events))
    archive = Archive(timelines)
    for i in range(1, 200, 7):
        end = lifted.add(hours=i)
        for when in (end - US, end, end + US):
            expected = [
                t.dispute.id for t in timelines if t.status_at(when).phase >= Phase.DELISTED
            ]
            assert [r.dispute.id for r in archive.restricted(when)] == expected


def test_a_reversed_window_is_refused_even_without_disputes():
    for start, end in (
        ("2021-02-01", "2021-01-01"),
        ("2021-02-01T00:00:00Z", "2021-01-31T23:59:59Z"),
    ):
        with pytest.raises(TimeError, match="before it starts"):
            Archive().periods(start, end)
        with pytest.raises(TimeError, match="before it starts"):
            Archive().durations(start, end)
    assert Archive().periods("2021-01-01", "2021-01-01") == ()
