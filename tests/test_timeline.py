"""The timeline: ordering, immutability, all-or-nothing appends, backfill, history."""

from __future__ import annotations

import contextlib
import functools
import random
import threading
from collections.abc import Callable

import pendulum
import pytest

import regtimeline._log
from regtimeline import (
    BlockImposed,
    BlockLifted,
    DeadlineExtended,
    DeadlineSet,
    DuplicateEvent,
    InvalidTransition,
    InvalidValue,
    Phase,
    RegTimelineError,
    Statement,
    TakedownRequested,
    ThrottleImposed,
    ThrottleLifted,
    TimeError,
    Timeline,
    UnknownReference,
)
from regtimeline._log import _AFTER_SPAN, _BEFORE_SPAN

from .helpers import MOSCOW, UTC_DISPUTE, refusal, timeline


def say(at: str, id: str) -> Statement:
    return Statement(at=at, id=id, by="x", text=id)


def run_together(*targets: Callable[[], None]) -> None:
    """Each target in a thread of its own, all started, then all joined."""
    threads = [threading.Thread(target=target) for target in targets]
    for th in threads:
        th.start()
    for th in threads:
        th.join()


class TestOrder:
    def test_events_are_ordered_by_time(self):
        """Given in any order, events come out in time order."""
        t = timeline(say("2021-03-12", "c"), say("2021-03-10", "a"), say("2021-03-11", "b"))
        assert [e.id for e in t.events] == ["a", "b", "c"]

    def test_same_instant_keeps_given_order(self):
        """Events at the same instant keep the order in which they were given."""
        t = timeline(
            say("2021-03-10", "z"),
            say("2021-03-10T00:00:00+03:00", "a"),
            say("2021-03-09T21:00:00Z", "m"),
        )
        assert [e.id for e in t.events] == ["z", "a", "m"]
        assert [e.id for e in t.append(say("2021-03-10", "b")).events] == ["z", "a", "m", "b"]

    def test_validation_follows_time_order(self):
        """A lift given before its throttle is fine: validation runs in time order."""
        t = timeline(
            ThrottleLifted(at="2021-03-12", id="l", throttle="t"),
            ThrottleImposed(at="2021-03-10", id="t"),
        )
        assert t.status_at("2021-03-12").phase is Phase.CLEAR

    def test_same_instant_state_is_after_all_of_them(self):
        """status_at an instant includes every event at it."""
        t = timeline(
            ThrottleImposed(at="2021-03-10", id="t"), ThrottleLifted(at="2021-03-10", id="l")
        )
        assert t.status_at("2021-03-10T00:00:00+03:00").phase is Phase.CLEAR
        assert [p.phase for p in t.history()] == [Phase.CLEAR]


class TestOneEventAtTheEnd:
    """A single fact appended at the end takes a short path; it refuses what the general
    path refuses, word for word (the property is in test_properties)."""

    @pytest.mark.parametrize("reused", ["a", "r", "c", "b"])
    def test_ids_spent_by_the_record_are_refused(self, reused):
        """A live fact's id, a retracted event's, a retraction's and a correction's."""
        from regtimeline import EventCorrected, EventRetracted

        t = timeline(say("2021-03-10", "a"), say("2021-03-10", "b"), say("2021-03-10", "x"))
        t = t.append(EventRetracted(at="2021-03-11", id="r", event="b"))
        t = t.append(
            EventCorrected(at="2021-03-11", id="c", event="x", replacement=say("2021-03-09", "x"))
        )
        for at in ("2021-03-12", "2021-03-12T10:00:00+03:00"):  # a day, and an instant
            with pytest.raises(DuplicateEvent, match=f"the id '{reused}' is already used"):
                t.append(say(at, reused))

    def test_a_sibling_that_grew_the_log_first_is_not_seen(self):
        """Two appends of one event each to one timeline: the second does not see the first."""
        a = timeline(say("2021-03-10T10:00:00+03:00", "a"))
        b = a.append(say("2021-03-11T10:00:00+03:00", "b"))
        c = a.append(say("2021-03-11T10:00:00+03:00", "c"))
        assert [e.id for e in c.events] == ["a", "c"]
        assert [e.id for e in b.events] == ["a", "b"]
        assert [e.id for e in b.append(say("2021-03-12", "c")).events] == ["a", "b", "c"]

    def test_a_refused_event_leaves_nothing_behind(self):
        """A refusal on the short path: the next append may use the refused id."""
        t = timeline(say("2021-03-10", "a"))
        with pytest.raises(UnknownReference):
            t.append(ThrottleLifted(at="2021-03-11", id="u", throttle="none"))
        assert len(t._log.keys) == 1
        assert [e.id for e in t.append(say("2021-03-12", "u")).events] == ["a", "u"]


class TestImmutability:
    def test_append_returns_a_new_timeline(self):
        """The old timeline is untouched."""
        a = timeline(say("2021-03-10", "a"))
        b = a.append(say("2021-03-11", "b"))
        assert (len(a), len(b)) == (1, 2)
        assert a.status_at("2021-03-12").last_event.id == "a"

    def test_two_appends_to_one_timeline_do_not_see_each_other(self):
        """Branching: both children are right and the parent is unchanged."""
        a = timeline(say("2021-03-10", "a"))
        b = a.append(say("2021-03-11", "b"))
        c = a.append(say("2021-03-11", "c"))
        d = b.append(say("2021-03-12", "d"))
        assert [e.id for e in b.events] == ["a", "b"]
        assert [e.id for e in c.events] == ["a", "c"]
        assert [e.id for e in d.events] == ["a", "b", "d"]
        assert c.status_at("2021-03-20").last_event.id == "c"
        assert a.status_at("2021-03-20").last_event.id == "a"

    def test_the_dispute_cannot_be_replaced(self):
        """A timeline is immutable."""
        with pytest.raises(AttributeError):
            timeline().dispute = UTC_DISPUTE  # type: ignore[misc]

    def test_equal_timelines(self):
        """Timelines are equal when dispute and ordered events are."""
        a = timeline(say("2021-03-10", "a"), say("2021-03-11", "b"))
        b = timeline(say("2021-03-11", "b")).append(say("2021-03-10", "a"))
        assert a == b
        assert hash(a) == hash(b)
        assert a != timeline(say("2021-03-10", "a"))
        assert a != Timeline(UTC_DISPUTE, a.events)

    def test_statuses_are_equal_when_all_their_values_are(self):
        """A status is found by its timeline, entry and instant: equal statuses need not
        share them, and sharing one of them is not enough."""
        a = timeline(say("2021-03-10", "a"))
        b = timeline(say("2021-03-10", "b"))  # the same entry of another dispute's log
        assert a.status_at("2021-03-12") == a.status_at("2021-03-12")
        assert a.status_at("2021-03-12") == timeline(say("2021-03-10", "a")).status_at("2021-03-12")
        assert a.status_at("2021-03-12") != b.status_at("2021-03-12")
        assert a.status_at("2021-03-12") != a.status_at("2021-03-13")  # (another `at`)
        assert a.status_at("2021-03-12") != "2021-03-12"

    def test_len_iter_and_lookup(self):
        """len, iteration and event(id)."""
        t = timeline(say("2021-03-10", "a"), say("2021-03-11", "b"))
        assert len(t) == 2
        assert [e.id for e in t] == ["a", "b"]
        assert t.event("b").text == "b"
        with pytest.raises(UnknownReference):
            t.event("zz")
        with pytest.raises(UnknownReference):
            timeline(say("2021-03-10", "a")).event("b")


class TestAllOrNothing:
    def test_a_refused_batch_changes_nothing(self):
        """If one event of a batch is refused, none is added, and the log is reusable."""
        base = timeline(say("2021-03-10", "a"))
        with pytest.raises(InvalidTransition):
            base.append(say("2021-03-11", "b"), BlockLifted(at="2021-03-12", id="bad"))
        assert [e.id for e in base.events] == ["a"]
        after = base.append(say("2021-03-11", "b"))
        assert [e.id for e in after.events] == ["a", "b"]
        assert base.status_at("2021-03-20").last_event.id == "a"

    def test_a_refused_batch_leaves_deadlines_as_they_were(self):
        """Deadline versions written by a refused batch are undone."""
        base = timeline(DeadlineSet(at="2021-03-10", id="d", due="2021-04-10"))
        with pytest.raises(InvalidTransition):
            base.append(
                DeadlineExtended(at="2021-03-11", id="x", deadline="d", by="P1M"),
                BlockLifted(at="2021-03-12", id="bad"),
            )
        assert base.status_at("2021-05-01").deadlines.get("d").extensions == ()
        assert (
            base.append(say("2021-03-12", "s"))
            .status_at("2021-05-01")
            .deadlines.get("d")
            .state.name
            == "OVERDUE"
        )

    def test_duplicate_ids_are_refused(self):
        """An id used twice, in one batch or against the timeline, is a DuplicateEvent."""
        base = timeline(say("2021-03-10", "a"))
        message = refusal(DuplicateEvent, base, say("2021-03-11", "a"))
        assert "already used" in message
        with pytest.raises(DuplicateEvent):
            timeline(say("2021-03-10", "x"), say("2021-03-11", "x"))

    def test_the_same_fact_twice_is_a_duplicate(self):
        """Generated ids are content-derived: importing a fact twice is caught."""
        fact = Statement(at="2021-03-10", by="x", text="y")
        with pytest.raises(DuplicateEvent):
            timeline(fact, Statement(at="2021-03-10", by="x", text="y"))

    def test_only_events_are_accepted(self):
        """Anything else is an InvalidValue, not a TypeError."""
        with pytest.raises(InvalidValue):
            timeline().append("2021-03-10")  # type: ignore[arg-type]
        with pytest.raises(InvalidValue):
            Timeline("ru-twitter", [])  # type: ignore[arg-type]

    def test_totals_too_large_for_a_count_are_refused(self):
        """Counts add up in int64: a total past 2**63 - 1 is refused, naming the event."""
        most = 2**53 - 1
        requests = [
            TakedownRequested(at=f"2021-03-10T00:{i // 60:02}:{i % 60:02}Z", id=f"r{i}", items=most)
            for i in range(1025)
        ]
        base = timeline(*requests[:1024])
        assert base.status_at("2021-03-11").items_requested == 1024 * most
        message = refusal(InvalidValue, base, requests[1024])
        assert "takedown_requested 'r1024'" in message
        assert "2**63 - 1" in message
        assert len(base) == 1024

    def test_instants_outside_the_years_1_to_9999_are_refused(self):
        """A day whose start in the zone has no UTC datetime is refused clearly."""
        with pytest.raises(TimeError, match="outside"):
            timeline(say("0001-01-01", "a"))

    def test_concurrent_appends_branch_safely(self):
        """Threads appending to one timeline each get their own branch."""
        base = timeline(say("2021-03-10", "a"))
        results: dict[int, Timeline] = {}

        def grow(n: int) -> None:
            t = base
            for i in range(50):
                t = t.append(say(f"2021-04-{1 + i % 28:02d}T{n:02d}:{i:02d}:00+03:00", f"{n}-{i}"))
            results[n] = t

        threads = [threading.Thread(target=grow, args=(n,)) for n in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        for n, t in results.items():
            assert len(t) == 51
            assert {e.id for e in t.events} == {"a"} | {f"{n}-{i}" for i in range(50)}
        assert len(base) == 1

    def test_readers_and_a_writer_share_one_log(self):
        """Readers look events up by id and try repeated ids while a writer appends in
        place, one event at a time, with refused appends in between (each truncates the
        log): every lookup finds its event, every repeated id is refused, and the log's
        id index is its events by position at the end."""
        base = timeline(say("2021-03-10", "a"))
        published = [base]
        done = threading.Event()
        problems: list[str] = []

        def write() -> None:
            t = base
            for i in range(300):
                at = pendulum.datetime(2021, 4, 1, tz="Europe/Moscow").add(seconds=i)
                t = t.append(Statement(at=at, id=f"w{i}", by="x", text="y"))
                published.append(t)
                with contextlib.suppress(RegTimelineError):  # refused: the log is truncated
                    t.append(ThrottleLifted(at=t.events[-1].at, id=f"bad{i}", throttle="none"))
            done.set()

        def read() -> None:
            while not done.is_set():
                t = published[-1]
                for e in t.events[-5:]:
                    if t.event(e.id) is not e:
                        problems.append(f"event({e.id!r}) is not the event")
                    try:
                        t.append(say("2021-05-01", e.id))
                    except DuplicateEvent:
                        pass
                    else:
                        problems.append(f"{e.id!r} was taken twice")

        run_together(write, read, read)
        assert problems == []
        last = published[-1]
        assert len(last) == 301
        assert last._log.ids == {e.id: i for i, e in enumerate(last._log.events)}

    def test_readers_ask_statuses_while_a_writer_appends(self):
        """Readers ask the status of timelines of every length over one log while a writer
        appends to it in place, with refused appends in between: the phase codes and the
        sample of keys, made by whichever thread asks first, give every reader the phase
        of its own timeline."""
        start = pendulum.datetime(2021, 4, 1, tz="Europe/Moscow")
        base = timeline(ThrottleImposed(at=start, id="t0"))
        published = [base]
        done = threading.Event()
        problems: list[str] = []

        def write() -> None:
            t = base
            for i in range(1, 400):
                at = start.add(seconds=i)
                if i % 2:
                    t = t.append(ThrottleLifted(at=at, id=f"l{i}", throttle=f"t{i - 1}"))
                else:
                    t = t.append(ThrottleImposed(at=at, id=f"t{i}"))
                published.append(t)
                with contextlib.suppress(RegTimelineError):  # refused: the log is truncated
                    t.append(BlockLifted(at=at, id=f"bad{i}", block="none"))
            done.set()

        def read(seed: int) -> None:
            rng = random.Random(seed)
            while not done.is_set() or rng.random() < 0.999:
                t = rng.choice(published)
                s = rng.randrange(len(t) + 3)  # the last event is at len(t) - 1 seconds
                want = Phase.THROTTLED if min(s, len(t) - 1) % 2 == 0 else Phase.CLEAR
                got = t.status_at(start.add(seconds=s)).phase
                if got is not want:
                    problems.append(f"{len(t)} events, {s} s: {got.name}, not {want.name}")

        run_together(write, *(functools.partial(read, seed) for seed in range(3)))
        assert problems == []
        log = published[-1]._log
        assert list(log.key_sample) == list(
            log.keys[:: regtimeline._log._SAMPLE_EVERY][: len(log.key_sample)]
        )

    def test_a_lift_of_a_throttle_imposed_later_in_the_batch_names_none(self):
        """Within one batch, a lift before the throttle it names (same instant, given first)
        is refused as naming no throttle imposed before it, as in separate appends."""
        with pytest.raises(UnknownReference, match="no throttle 't' was imposed before it"):
            timeline(
                ThrottleLifted(at="2021-03-10", id="l", throttle="t"),
                ThrottleImposed(at="2021-03-10", id="t"),
            )


class TestBackfill:
    def test_an_earlier_event_is_accepted_when_history_stays_valid(self):
        """A backfilled event is validated with everything after it."""
        t = timeline(ThrottleImposed(at="2021-03-10", id="t"), say("2021-03-20", "s"))
        t2 = t.append(ThrottleLifted(at="2021-03-15", id="l"))
        assert t2.status_at("2021-03-16").phase is Phase.CLEAR
        assert t.status_at("2021-03-16").phase is Phase.THROTTLED

    def test_a_backfill_that_breaks_a_later_event_names_it(self):
        """A block backfilled before a throttle makes the throttle invalid: the error says so."""
        t = timeline(ThrottleImposed(at="2021-03-10", id="t"))
        with pytest.raises(InvalidTransition) as info:
            t.append(BlockImposed(at="2021-03-05", id="b"))
        message = str(info.value)
        assert "invalidate the later throttle_imposed 't'" in message
        assert len(t) == 1

    def test_status_is_right_on_both_sides_of_a_backfill(self):
        """Statuses before, at and after the insertion point are recomputed."""
        t = timeline(
            DeadlineSet(at="2021-03-10", id="d", due="2021-04-10"), say("2021-04-20", "late")
        )
        t2 = t.append(DeadlineExtended(at="2021-03-20", id="x", deadline="d", due="2021-05-10"))
        assert t2.status_at("2021-04-15").deadlines.get("d").state.name == "PENDING"
        assert t.status_at("2021-04-15").deadlines.get("d").state.name == "OVERDUE"


class TestPhaseCodes:
    """`status_at` reads the phase from codes the log makes on the first question."""

    def test_a_block_that_runs_out_is_a_step_at_its_ends(self):
        """Blocked up to and including the block's last microsecond, warned after it."""
        t = timeline(
            DeadlineSet(at="2021-03-10", id="d", due="2021-04-10"),
            BlockImposed(at="2021-03-11T10:00:00+03:00", id="b", ends="2021-03-11T12:00:00+03:00"),
        )
        ends = pendulum.parse("2021-03-11T12:00:00+03:00")
        assert t.status_at(ends).phase is Phase.BLOCKED
        assert t.status_at(ends.add(microseconds=1)).phase is Phase.WARNED
        assert t._log.phase_codes[2] == Phase.BLOCKED << 3 | Phase.WARNED  # a step

    def test_a_step_marked_for_its_entry_s_span_is_unmarked_in_a_copy(self):
        """A step whose cut lies past its entry's span (up to the next entry) is marked
        with the phase throughout it; a branch copies the log up to that entry and ends
        its span elsewhere, so the copy reads the cut again."""
        block = BlockImposed(
            at="2021-03-11T10:00:00+03:00", id="b", ends="2021-03-11T12:00:00+03:00"
        )
        one = timeline(block)
        two = one.append(say("2021-03-11T11:00:00+03:00", "s"))  # in place
        assert two.status_at("2021-03-11T10:30:00+03:00").phase is Phase.BLOCKED
        code = two._log.phase_codes[1]
        assert code == _BEFORE_SPAN | Phase.BLOCKED << 3 | Phase.CLEAR
        assert one._log is two._log  # for `one` the entry is its last: its span has no end
        assert one.status_at("2021-03-11T12:30:00+03:00").phase is Phase.CLEAR
        assert one.status_at("2021-03-11T11:30:00+03:00").phase is Phase.BLOCKED
        other = one.append(say("2021-03-11T13:00:00+03:00", "later"))  # a branch
        assert other._log is not two._log
        assert other.status_at("2021-03-11T12:30:00+03:00").phase is Phase.CLEAR
        assert other.status_at("2021-03-11T11:59:00+03:00").phase is Phase.BLOCKED
        assert two.status_at("2021-03-11T10:59:00+03:00").phase is Phase.BLOCKED

    def test_a_step_is_marked_only_when_its_cut_is_outside_the_whole_span(self):
        """At the microsecond: a cut one before the next entry's key is past the span's last
        key, one more is not; a cut at the entry's own key is inside its span."""
        ends = pendulum.parse("2021-03-11T12:00:00+03:00")
        block = BlockImposed(at="2021-03-11T10:00:00+03:00", id="b", ends=ends)
        at = {
            "past": ends.add(microseconds=1),  # the span ends at the cut: all before it
            "inside": ends.add(microseconds=2),  # its last key is after the cut
            "at": ends,  # the span starts at the cut: blocked there, then not
        }
        for name, next_at in at.items():
            s = say(next_at.isoformat(), "s")
            last = say(next_at.add(hours=1).isoformat(), "last")
            t = timeline(block, s, last) if name == "at" else timeline(block, s)
            for key in (ends, ends.add(microseconds=1)):
                want = Phase.BLOCKED if key <= ends else Phase.CLEAR
                assert t.status_at(key).phase is want, (name, key)
            i = 2 if name == "at" else 1  # the entry whose span holds both keys
            assert bool(t._log.phase_codes[i] & (_BEFORE_SPAN | _AFTER_SPAN)) is (name == "past")

    def test_codes_made_before_a_backfill_are_not_the_new_timeline_s(self):
        """A backfill refolds from a copy of the log's prefix: codes after it are made anew."""
        t = timeline(ThrottleImposed(at="2021-03-10", id="t"), say("2021-03-20", "s"))
        assert t.status_at("2021-03-21").phase is Phase.THROTTLED  # codes every entry
        t2 = t.append(ThrottleLifted(at="2021-03-15", id="l"))
        assert t2.status_at("2021-03-21").phase is Phase.CLEAR
        assert t2.status_at("2021-03-12").phase is Phase.THROTTLED
        assert t.status_at("2021-03-21").phase is Phase.THROTTLED

    def test_appends_in_place_are_coded_when_asked_about(self):
        """Entries appended to a log already coded get codes of their own when first asked."""
        t = timeline(ThrottleImposed(at="2021-03-10", id="t"))
        assert t.status_at("2021-03-11").phase is Phase.THROTTLED
        for day in range(12, 30):  # more entries than a chunk, one at a time
            t = t.append(say(f"2021-03-{day}", f"s{day}"))
        t = t.append(ThrottleLifted(at="2021-03-30", id="l"))
        assert t.status_at("2021-03-29").phase is Phase.THROTTLED
        assert t.status_at("2021-03-30").phase is Phase.CLEAR
        assert len(t._log.phase_codes) == len(t) + 1


class TestHistory:
    def test_empty(self):
        """No events, no periods."""
        assert timeline().history() == ()

    def test_periods_with_a_change_no_event_caused(self):
        """A block that runs out ends its period by itself."""
        t = timeline(
            DeadlineSet(at="2021-03-01", id="d", due="2021-06-01"),
            BlockImposed(at="2021-03-10T10:00:00+03:00", id="b", ends="2021-03-12T10:00:00+03:00"),
        )
        periods = [
            (p.start.isoformat(), p.end and p.end.isoformat(), p.phase.name, p.cause)
            for p in t.history()
        ]
        assert periods == [
            ("2021-03-01T00:00:00+03:00", "2021-03-10T10:00:00+03:00", "WARNED", "d"),
            ("2021-03-10T10:00:00+03:00", "2021-03-12T10:00:00.000001+03:00", "BLOCKED", "b"),
            ("2021-03-12T10:00:00.000001+03:00", None, "WARNED", None),
        ]

    def test_an_event_right_when_a_block_runs_out_is_the_cause(self):
        """A block over at the end of 12 March and a statement at the start of 13 March: one
        new period, begun by the statement's instant, with the statement as its cause."""
        t = timeline(
            BlockImposed(at="2021-03-10", id="b", ends="2021-03-12"), say("2021-03-13", "s")
        )
        assert [(p.start.isoformat(), p.phase.name, p.cause) for p in t.history()] == [
            ("2021-03-10T00:00:00+03:00", "BLOCKED", "b"),
            ("2021-03-13T00:00:00+03:00", "CLEAR", "s"),
        ]

    def test_history_merges_equal_phases(self):
        """Consecutive events in one phase make one period."""
        t = timeline(
            ThrottleImposed(at="2021-03-10", id="t"),
            say("2021-03-11", "s"),
            ThrottleImposed(at="2021-03-12", id="t2"),
        )
        assert [(p.phase, p.end) for p in t.history()] == [(Phase.THROTTLED, None)]


class TestBadInput:
    def test_events_must_be_iterable(self):
        """Timeline(dispute, 5) is an InvalidValue, not a TypeError."""
        with pytest.raises(InvalidValue, match="iterable"):
            Timeline(MOSCOW, 5)  # type: ignore[arg-type]

    def test_an_extension_past_the_year_9999_is_refused_with_its_event(self):
        """Calendar arithmetic out of range names the extension."""
        t = timeline(DeadlineSet(at="9999-01-01", id="d", due="9999-11-30"))
        with pytest.raises(TimeError, match="deadline_extended 'x'"):
            t.append(DeadlineExtended(at="9999-02-01", id="x", deadline="d", by="P2M"))

    @pytest.mark.parametrize("entries", [None, 5, [5], [("a",)], [(1, 2, 3)], ["ab"], [None]])
    def test_malformed_entries_are_refused(self, entries):
        """from_entries takes Entries or (event, recorded_at) pairs: anything else is an
        InvalidValue, never a bare TypeError or ValueError from unpacking."""
        with pytest.raises(InvalidValue):
            Timeline.from_entries(MOSCOW, entries)  # type: ignore[arg-type]

    @pytest.mark.parametrize("event_id", [None, 5, [], {}])
    def test_ids_asked_for_are_strings(self, event_id):
        """event() and revisions() refuse what is not an id, even unhashable values."""
        t = timeline(say("2021-03-10", "a"))
        with pytest.raises(InvalidValue, match="an event id is a string"):
            t.event(event_id)  # type: ignore[arg-type]
        with pytest.raises(InvalidValue, match="an event id is a string"):
            t.revisions(event_id)  # type: ignore[arg-type]
