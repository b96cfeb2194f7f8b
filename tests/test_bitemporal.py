"""Bitemporal history: recorded time, corrections, and answers 'as known on' a date."""

from __future__ import annotations

import itertools

import attrs
import pendulum
import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from regtimeline import (
    BlockImposed,
    BlockLifted,
    DeadlineSet,
    DuplicateEvent,
    EventCorrected,
    EventRetracted,
    InvalidTransition,
    Phase,
    RegTimelineError,
    Statement,
    ThrottleImposed,
    ThrottleLifted,
    Timeline,
    UnknownReference,
)
from regtimeline._timeline import _or_unrecorded
from regtimeline.strategies import boundaries, recorded_timelines

from . import reference as ref
from .helpers import MOSCOW

MONDAY = "2021-03-08T09:00:00+03:00"
TUESDAY = "2021-03-09T09:00:00+03:00"

# a differential property of a fast path: worth more examples than the quick profile's
AT_LEAST_200 = max(200, settings.default.max_examples)


class TestScenarios:
    def test_a_block_reported_two_days_late(self):
        """Blocked since Saturday, learned on Monday: as known on Sunday, Sunday was clear."""
        t = Timeline(MOSCOW).append(BlockImposed(at="2021-03-06", id="b"), recorded_at=MONDAY)
        assert t.status_at("2021-03-07", as_of="2021-03-07").phase is Phase.CLEAR
        assert t.status_at("2021-03-07", as_of="2021-03-08").phase is Phase.BLOCKED
        assert t.status_at("2021-03-07").phase is Phase.BLOCKED
        (span,) = t.diff("2021-03-07", "2021-03-08")
        assert (span.start.isoformat(), span.end, span.before, span.after) == (
            "2021-03-06T00:00:00+03:00",
            None,
            Phase.CLEAR,
            Phase.BLOCKED,
        )

    def test_a_deadline_date_corrected(self):
        """A due date misreported as 10 April, corrected on Monday to 15 April."""
        t = Timeline(MOSCOW).append(
            DeadlineSet(at="2021-03-01", id="d", due="2021-04-10"), recorded_at="2021-03-02"
        )
        t = t.append(
            EventCorrected(
                at="2021-03-08",
                id="fix",
                event="d",
                replacement=DeadlineSet(at="2021-03-01", id="d", due="2021-04-15"),
                reason="misreported",
            ),
            recorded_at=MONDAY,
        )
        assert (
            t.status_at("2021-04-12", as_of="2021-03-07").deadlines.get("d").state.name == "OVERDUE"
        )
        assert (
            t.status_at("2021-04-12", as_of="2021-03-09").deadlines.get("d").state.name == "PENDING"
        )
        assert t.diff("2021-03-07", "2021-03-09") == ()  # the phase is WARNED either way
        assert [(r.by, r.event.due.isoformat()) for r in t.revisions("d")] == [
            ("d", "2021-04-10"),
            ("fix", "2021-04-15"),
        ]

    def test_a_false_report_retracted(self):
        """A 'block' that was a rumour: retracted on Tuesday, earlier answers unchanged."""
        t = Timeline(MOSCOW).append(BlockImposed(at="2021-03-05", id="rumour"), recorded_at=MONDAY)
        t = t.append(
            EventRetracted(at="2021-03-09", id="retraction", event="rumour", reason="a rumour"),
            recorded_at=TUESDAY,
        )
        assert t.status_at("2021-03-06", as_of=MONDAY).phase is Phase.BLOCKED
        assert t.status_at("2021-03-06").phase is Phase.CLEAR
        assert t.events == ()
        assert [e.event.id for e in t.entries] == ["rumour", "retraction"]
        (span,) = t.diff(MONDAY, TUESDAY)
        assert (span.before, span.after) == (Phase.BLOCKED, Phase.CLEAR)
        assert [r.event for r in t.revisions("rumour")][1] is None


class TestRules:
    def test_recorded_time_never_goes_back(self):
        """An explicit recorded_at before the last entry's is refused."""
        t = Timeline(MOSCOW).append(
            Statement(at="2021-03-01", id="a", by="x", text="y"), recorded_at=TUESDAY
        )
        with pytest.raises(InvalidTransition, match="never goes back"):
            t.append(Statement(at="2021-03-02", id="b", by="x", text="y"), recorded_at=MONDAY)

    def test_appends_are_stamped_now(self):
        """Without recorded_at, an append is stamped with the current time."""
        before = pendulum.now("UTC")
        t = Timeline(MOSCOW).append(Statement(at="2021-03-01", id="a", by="x", text="y"))
        (entry,) = t.entries
        assert before <= entry.recorded_at <= pendulum.now("UTC")
        assert Timeline(MOSCOW, t.events).entries[0].recorded_at is None

    def test_corrections_name_what_they_break(self):
        """A correction that makes the history invalid is refused, naming both events."""
        t = Timeline(
            MOSCOW,
            [
                ThrottleImposed(at="2021-03-10", id="t"),
                DeadlineSet(at="2021-03-01", id="d", due="2021-04-01"),
            ],
        )
        t = t.append(ThrottleImposed(at="2021-03-12", id="t2", enforces="d"))
        with pytest.raises(
            InvalidTransition,
            match=r"event_retracted 'r' of deadline_set 'd' refused: .*throttle_imposed 't2'",
        ):
            t.append(EventRetracted(at="2021-03-13", id="r", event="d"))

    def test_unknown_and_twice_retracted(self):
        """Retracting nothing is an UnknownReference; retracting twice an InvalidTransition."""
        t = Timeline(MOSCOW, [Statement(at="2021-03-01", id="s", by="x", text="y")])
        with pytest.raises(UnknownReference):
            t.append(EventRetracted(at="2021-03-02", id="r", event="nope"))
        gone = t.append(EventRetracted(at="2021-03-02", id="r", event="s"))
        with pytest.raises(InvalidTransition, match="already retracted"):
            gone.append(EventRetracted(at="2021-03-03", id="r2", event="s"))
        with pytest.raises(DuplicateEvent):
            gone.append(Statement(at="2021-03-04", id="s", by="x", text="again"))

    def test_a_correction_must_keep_the_id(self):
        """The replacement carries the corrected event's id."""
        with pytest.raises(ValueError, match="keep the corrected event's id"):
            EventCorrected(
                at="2021-03-02",
                event="s",
                replacement=Statement(at="2021-03-01", id="other", by="x", text="y"),
            )

    def test_a_moved_event_comes_after_what_is_already_at_its_new_instant(self):
        """A correction moving an event to another instant places it like an event recorded
        then: after the events already at that instant. A correction that keeps the instant
        keeps the event's place."""
        first = Statement(at="2021-03-10T10:00:00+03:00", id="t", by="x", text="first")
        second = Statement(at="2021-03-10T09:00:00+03:00", id="e", by="x", text="second")
        third = Statement(at="2021-03-10T09:00:00+03:00", id="f", by="x", text="third")
        t = Timeline(MOSCOW, [first, second, third])
        moved = t.append(
            EventCorrected(
                at="2021-03-11",
                id="c",
                event="t",
                replacement=attrs.evolve(first, at="2021-03-10T09:00:00+03:00"),
            )
        )
        assert [e.id for e in moved.events] == ["e", "f", "t"]
        kept = t.append(
            EventCorrected(
                at="2021-03-11", id="c", event="e", replacement=attrs.evolve(second, text="2nd")
            )
        )
        assert [e.id for e in kept.events] == ["e", "f", "t"]

    def test_revisions_of_an_unknown_event(self):
        """Asking for the revisions of an id never recorded is an UnknownReference."""
        with pytest.raises(UnknownReference):
            Timeline(MOSCOW).revisions("x")


@st.composite
def recorded(draw: st.DrawFn) -> tuple[Timeline, list[int]]:
    """A timeline with a record (`recorded_timelines`), and the recorded times in it."""
    timeline = draw(recorded_timelines())
    zone = timeline.dispute.zone
    return timeline, sorted({zone.key(entry.recorded_at) for entry in timeline.entries})


def effective(entries, zone) -> list:
    """The naive reading of a record: facts in, retractions out; a correction takes the
    corrected event's place, or, if it moves it to another instant, comes after what is
    already at that instant (as an event recorded then would)."""
    facts: dict[str, object] = {}
    for entry in entries:
        e = entry.event
        if isinstance(e, EventRetracted):
            del facts[e.event]
        elif isinstance(e, EventCorrected):
            if zone.key(e.replacement.at) != zone.key(facts[e.event].at):
                del facts[e.event]
            facts[e.event] = e.replacement
        else:
            facts[e.id] = e
    return list(facts.values())


class TestProperties:
    @given(recorded(), st.data())
    def test_as_of_is_the_sub_record_and_agrees_with_the_reference(self, pair, data):
        """as_of(k) equals the timeline rebuilt from the entries recorded by k, and its
        statuses agree with the naive replay of that sub-record."""
        timeline, stamps = pair
        z = timeline.dispute.zone
        k = data.draw(
            st.sampled_from(
                [*stamps, *(s - 1 for s in stamps), z.day_start(pendulum.Date(2023, 1, 1))]
            )
        )
        known = [e for e in timeline.entries if e.recorded_at is None or z.key(e.recorded_at) <= k]
        rebuilt = Timeline(timeline.dispute)
        for entry in known:
            rebuilt = rebuilt.append(entry.event, recorded_at=entry.recorded_at)
        past = timeline.as_of(z.to_datetime(k))
        assert past == rebuilt
        assert past.entries == rebuilt.entries
        facts = effective(known, z)
        assert list(past.events) == sorted(facts, key=lambda e: z.key(e.at)) or sorted(
            past.events, key=lambda e: e.id
        ) == sorted(facts, key=lambda e: e.id)
        for key in boundaries(past)[:6]:
            when = z.to_datetime(key)
            note(f"k={z.to_datetime(k).isoformat()} t={when.isoformat()}")
            assert ref.actual(timeline.status_at(when, as_of=z.to_datetime(k))) == ref.expected(
                timeline.dispute, facts, when
            )

    @given(recorded(), st.data())
    def test_a_correction_never_changes_an_earlier_answer(self, pair, data):
        """A retraction or correction recorded later leaves every answer as of an earlier
        time exactly as it was."""
        timeline, stamps = pair
        if not timeline.events:
            return
        z = timeline.dispute.zone
        target = data.draw(st.sampled_from(timeline.events))
        if data.draw(st.booleans()):
            correction = EventRetracted(at="2024-06-01", id="late-correction", event=target.id)
        else:
            moved = attrs.evolve(
                target,
                at=z.to_datetime(z.key(target.at) + data.draw(st.integers(1, 86_400)) * 10**6),
            )
            correction = EventCorrected(
                at="2024-06-01", id="late-correction", event=target.id, replacement=moved
            )
        try:
            later = timeline.append(correction, recorded_at=z.to_datetime(stamps[-1] + 1))
        except (InvalidTransition, UnknownReference):
            return  # refused: nothing recorded, nothing to compare
        for k in stamps:
            when = z.to_datetime(k)
            assert later.as_of(when) == timeline.as_of(when)
            assert later.history(as_of=when) == timeline.history(as_of=when)
        assert later.entries[:-1] == timeline.entries


class TestPersistence:
    @given(recorded())
    def test_files_keep_the_whole_record(self, pair):
        """dump/load keeps every entry, correction and recorded time: as_of answers survive."""
        import pathlib
        import tempfile

        from regtimeline import dump, load

        timeline, stamps = pair
        path = pathlib.Path(tempfile.mkdtemp()) / "t.jsonl"
        dump(timeline, path)
        again = load(path)
        assert again.entries == timeline.entries
        assert again == timeline
        z = timeline.dispute.zone
        for k in stamps[:3]:
            assert again.history(as_of=z.to_datetime(k)) == timeline.history(as_of=z.to_datetime(k))


def one_append_at_a_time(dispute, rows):
    """The reference for reading a record: each run of one recorded time appended on its own."""
    timeline = Timeline(dispute)
    for key, run in itertools.groupby(rows, key=lambda row: row[1]):
        timeline = timeline._append_at(tuple(e for e, _ in run), _or_unrecorded(key))
    return timeline


def outcome(build):
    try:
        timeline = build()
    except RegTimelineError as exc:
        return type(exc), str(exc), getattr(exc, "event", None)
    return timeline, timeline.entries


@st.composite
def record_rows(draw):
    """The rows of a recorded timeline, (event, recorded key), as a file or store holds
    them; often spoiled, once or twice: rows swapped, a recorded time going back, an id
    repeated, an event the history refuses, a recorded time unknown."""
    timeline = draw(recorded_timelines(max_corrections=draw(st.sampled_from([0, 3]))))
    zone = timeline.dispute.zone
    rows = [(e.event, zone.key(e.recorded_at)) for e in timeline.entries]
    spoils = st.sampled_from(["swap", "back", "repeat", "refused", "unknown"])
    for how in draw(st.lists(spoils, max_size=2)) if rows else ():
        i = draw(st.integers(0, len(rows) - 1))
        if how == "swap":
            j = draw(st.integers(0, len(rows) - 1))
            rows[i], rows[j] = (rows[j][0], rows[i][1]), (rows[i][0], rows[j][1])
        elif how == "back" and i > 0 and rows[i - 1][1] is not None:
            rows[i] = (rows[i][0], rows[i - 1][1] - 1)  # before the row above it
        elif how == "repeat":
            rows.append((rows[i][0], rows[-1][1]))
        elif how == "refused":
            rows.insert(i, (BlockLifted(at=rows[i][0].at, id="refused"), rows[i][1]))
        elif how == "unknown":
            rows[i] = (rows[i][0], None)
    return timeline.dispute, rows


class TestReadingARecord:
    @settings(max_examples=AT_LEAST_200)
    @given(record_rows())
    def test_folding_appends_at_once_is_appending_them_one_by_one(self, given_rows):
        """Reading a record (a file, a store) folds its appends in one pass when it can;
        the timeline, or the error, is what appending them one by one gives."""
        dispute, rows = given_rows
        fast = outcome(lambda: Timeline(dispute)._with_keyed(rows))
        slow = outcome(lambda: one_append_at_a_time(dispute, rows))
        assert fast == slow

    def test_a_later_append_that_backfills_is_read_as_a_backfill(self):
        """A lift recorded before the throttle it lifts is refused, as its append was:
        reading the record must not sort the two appends into a valid history."""
        lift = ThrottleLifted(at="2021-03-12", id="lift")
        throttle = ThrottleImposed(at="2021-03-10", id="t")
        with pytest.raises(InvalidTransition, match="throttle_lifted 'lift'"):
            Timeline.from_entries(MOSCOW, [(lift, MONDAY), (throttle, TUESDAY)])

    def test_recorded_time_going_back_is_refused_when_reading(self):
        first = Statement(at="2021-03-01", id="a", by="x", text="y")
        second = Statement(at="2021-03-02", id="b", by="x", text="y")
        with pytest.raises(InvalidTransition, match="never goes back"):
            Timeline.from_entries(MOSCOW, [(first, TUESDAY), (second, MONDAY)])

    def test_the_first_refusal_wins_over_a_later_repeated_id(self):
        """Appends one by one stop at the first refused one, before a later repeated id."""
        refused = BlockLifted(at="2021-03-01", id="u")
        entries = [
            (refused, MONDAY),
            (Statement(at="2021-03-02", id="s", by="x", text="y"), TUESDAY),
            (Statement(at="2021-03-03", id="s", by="x", text="z"), TUESDAY),
        ]
        with pytest.raises(InvalidTransition, match="block_lifted 'u'"):
            Timeline.from_entries(MOSCOW, entries)
