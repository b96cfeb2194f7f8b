"""Differential and stateful properties: the fast path against the naive reference replay."""

from __future__ import annotations

import bisect
import contextlib
import itertools
from collections.abc import Iterator

import attrs
import pendulum
from hypothesis import given, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule

import regtimeline._log
from regtimeline import (
    RULES,
    BlockLifted,
    DelistingLifted,
    Event,
    EventCorrected,
    EventRetracted,
    Phase,
    RegTimelineError,
    Statement,
    Status,
    ThrottleLifted,
    Timeline,
)
from regtimeline._log import _AFTER_SPAN, _BEFORE_SPAN, _NO_STEP, _RAW, _UNCODED, _phase
from regtimeline._rules import TIME_MOVES
from regtimeline.strategies import (
    TimelineMachine,
    boundaries,
    events,
    invalid_appends,
    recorded_timelines,
    scopes,
    timelines,
)

from . import reference as ref
from .helpers import columns_of


def instants_near(timeline: Timeline) -> st.SearchStrategy[pendulum.DateTime]:
    """Instants exactly at, and one microsecond around, every boundary, and random ones."""
    z = timeline.dispute.zone
    keys = boundaries(timeline) or [z.day_start(pendulum.Date(2021, 1, 1))]
    near = st.tuples(st.sampled_from(keys), st.sampled_from((-1, 0, 1))).map(lambda p: p[0] + p[1])
    anywhere = st.integers(keys[0] - 10**11, keys[-1] + 10**11)
    return st.one_of(near, anywhere).map(z.to_datetime)


class TestAgainstTheReference:
    @given(timelines(max_size=25), st.data())
    def test_status_at_agrees_with_the_naive_replay(self, timeline, data):
        """(a) status_at equals a replay of every event up to t: exactly at and one microsecond
        around every event time, due date and ends, and at random instants."""
        z = timeline.dispute.zone
        events = list(timeline.events)
        every_boundary = [z.to_datetime(k + d) for k in boundaries(timeline) for d in (-1, 0, 1)]
        anywhere = [data.draw(instants_near(timeline)) for _ in range(5)]
        for when in every_boundary + anywhere:
            note(f"at {when.isoformat()}")
            status = timeline.status_at(when)
            assert ref.actual(status) == ref.expected(timeline.dispute, events, when)
            assert ref.actual_slices(status, events) == ref.expected_slices(
                timeline.dispute, events, when
            )

    @given(timelines(max_size=25))
    def test_history_agrees_with_the_naive_replay(self, timeline):
        """history() equals the phase asked at every instant where it may change."""
        got = [
            (p.start.astimezone(pendulum.UTC), p.phase.name, p.cause) for p in timeline.history()
        ]
        assert got == ref.expected_history(timeline.dispute, list(timeline.events))
        ends = [p.end for p in timeline.history()]
        starts = [p.start for p in timeline.history()]
        assert ends[:-1] == starts[1:]
        assert not ends or ends[-1] is None

    @given(timelines(max_size=20), st.data())
    def test_history_of_a_slice_agrees_with_the_naive_replay(self, timeline, data):
        """history() of a slice equals the slice's phase asked wherever it may change."""
        point = data.draw(st.sampled_from(ref.slices(list(timeline.events))))
        network, service, region, operator = point
        periods = timeline.history(
            network=network, service=service, region=region, operator=operator
        )
        got = [(p.start.astimezone(pendulum.UTC), p.phase.name, p.cause) for p in periods]
        assert got == ref.expected_history(timeline.dispute, list(timeline.events), point=point)
        if point == (None, None, None, None):
            assert periods == timeline.history()

    @given(timelines(max_size=20), st.data())
    def test_history_columns_are_the_history(self, timeline, data):
        """history_columns() holds history()'s periods field by field, for the whole dispute
        or a slice, with or without `until`, asked once or again (the log keeps the answer
        for the whole dispute)."""
        z = timeline.dispute.zone
        point = data.draw(st.sampled_from(ref.slices(list(timeline.events))))
        keys = boundaries(timeline) or [z.day_start(pendulum.Date(2021, 1, 1))]
        until = data.draw(
            st.none() | st.integers(keys[0] - 86_400 * 10**6, keys[-1] + 86_400 * 10**6)
        )
        args = dict(zip(("network", "service", "region", "operator"), point, strict=True))
        if until is not None:
            args["until"] = z.to_datetime(until)
        for _ in range(2):
            assert timeline.history_columns(**args) == columns_of(
                timeline, timeline.history(**args)
            )
            assert timeline.history_columns() == columns_of(timeline, timeline.history())

    @given(timelines(max_size=20), st.data())
    def test_restriction_spells_are_the_active_restrictions(self, timeline, data):
        """restrictions(): at any instant, the spells holding it are the restrictions that
        status_at lists as active, as they stood; one restriction's spells do not overlap."""
        spells = timeline.restrictions()
        for _ in range(6):
            when = data.draw(instants_near(timeline))
            status = timeline.status_at(when)
            active = sorted(
                (r.id, r.scope, r.ends)
                for r in (*status.blocks, *status.throttles, *status.delistings)
            )
            holding = sorted(
                (s.restriction.id, s.restriction.scope, s.restriction.ends)
                for s in spells
                if s.start <= when and (s.end is None or when < s.end)
            )
            assert holding == active
        by_id: dict[str, list[object]] = {}
        for s in spells:
            by_id.setdefault(s.restriction.id, []).append(s)
        for mine in by_id.values():
            for a, b in itertools.pairwise(mine):
                assert a.end is not None
                assert a.end <= b.start
        assert [s.start for s in spells] == sorted(s.start for s in spells)
        # spells that start together are in the order status_at lists their restrictions
        for start in {s.start for s in spells}:
            status = timeline.status_at(start)
            listed = [r.id for r in (*status.blocks, *status.throttles, *status.delistings)]
            starting = [s.restriction.id for s in spells if s.start == start]
            assert starting == [i for i in listed if i in starting]

    @given(timelines(max_size=15), st.data())
    def test_history_until_agrees_with_the_naive_replay(self, timeline, data):
        """history(until=...) lists the periods that start at or before `until`, windows
        recurring up to it, the last one open."""
        z = timeline.dispute.zone
        keys = boundaries(timeline) or [z.day_start(pendulum.Date(2021, 1, 1))]
        until = z.to_datetime(
            data.draw(st.integers(keys[0] - 86_400 * 10**6, keys[-1] + 20 * 86_400 * 10**6))
        )
        periods = timeline.history(until=until)
        got = [(p.start.astimezone(pendulum.UTC), p.phase.name, p.cause) for p in periods]
        assert got == ref.expected_history(
            timeline.dispute, list(timeline.events), ref.plain(until)
        )
        assert all(p.start <= until for p in periods)
        assert not periods or periods[-1].end is None

    @settings(max_examples=max(200, settings.default.max_examples))
    @given(timelines(min_size=1, max_size=12), st.data())
    def test_lifts_agree_with_the_reference(self, timeline, data):
        """Lifts with any scope, naming an active restriction or not (typos, lifts that take
        nothing away, several boxes left): accepted or refused as the reference says, and
        the same status after."""
        z = timeline.dispute.zone
        last = max(z.key(e.at) for e in timeline.events)
        at = z.to_datetime(last + data.draw(st.sampled_from((0, 1, 3_600 * 10**6))))
        status = timeline.status_at(at)
        kind, field, active = data.draw(
            st.sampled_from(
                [
                    (ThrottleLifted, "throttle", status.throttles),
                    (BlockLifted, "block", status.blocks),
                    (DelistingLifted, "delisting", status.delistings),
                ]
            )
        )
        fields = {"scope": data.draw(st.none() | scopes(timeline.dispute.jurisdiction))}
        if active and data.draw(st.booleans()):
            fields[field] = data.draw(st.sampled_from(active)).id
        if kind is DelistingLifted:
            fields["stores"] = data.draw(st.none() | st.sampled_from(({"apple"}, {"google"})))
        lift = kind(at=at, id="the-lift", **fields)
        everything = [*timeline.events, lift]
        try:
            ref.validate(timeline.dispute, everything)
        except RegTimelineError as exc:
            expected_error: type[RegTimelineError] | None = type(exc)
        else:
            expected_error = None
        try:
            after = timeline.append(lift)
        except RegTimelineError as exc:
            assert type(exc) is expected_error, exc
            return
        assert expected_error is None
        for when in (at, z.to_datetime(z.key(at) + 1)):
            assert ref.actual(after.status_at(when)) == ref.expected(
                timeline.dispute, everything, when
            )

    @given(timelines(max_size=10), st.lists(events(), min_size=1, max_size=3))
    def test_acceptance_agrees_with_the_reference(self, timeline, extra):
        """Random (often invalid) events: accepted or refused with the same error class."""
        everything = [*timeline.events, *extra]
        try:
            ref.validate(timeline.dispute, everything)
        except RegTimelineError as exc:
            expected: type[RegTimelineError] | None = type(exc)
        else:
            expected = None
        try:
            grown = timeline.append(*extra)
        except RegTimelineError as exc:
            assert type(exc) is expected, str(exc)
            return
        assert expected is None
        assert grown == Timeline(timeline.dispute, everything)


class TestRulesTable:
    @given(timelines(max_size=20))
    def test_every_phase_change_is_in_the_rules_table(self, timeline):
        """Each event leaves the phase as it was or makes a move its rule lists; between
        events, only the time moves of the table happen. The table the docs draw is the truth."""
        z = timeline.dispute.zone
        events = list(timeline.events)
        for i, event in enumerate(events):
            key = z.key(event.at)
            when = z.to_datetime(key)
            before = Timeline(timeline.dispute, events[:i]).status_at(when).phase
            after = Timeline(timeline.dispute, events[: i + 1]).status_at(when).phase
            assert before in RULES[type(event)].phases
            assert before == after or (before, after) in RULES[type(event)].moves, (
                event.kind,
                before,
                after,
            )
        periods = timeline.history()
        for earlier, later in itertools.pairwise(periods):
            if later.cause is None:
                assert (earlier.phase, later.phase) in TIME_MOVES


class TestTimelineProperties:
    @settings(max_examples=max(200, settings.default.max_examples))
    @given(timelines(max_size=25))
    def test_restrictions_without_windows_never_overlap_where_the_rules_forbid(self, timeline):
        """At every boundary: no two blocks, no block and throttle, no two delistings (their
        stores included) cover a common point, windows aside; and phase_for of a slice is
        never above the phase."""
        z = timeline.dispute.zone
        for key in boundaries(timeline):
            s = timeline.status_at(z.to_datetime(key))
            plain_blocks = [b for b in s.blocks if b.window is None]
            plain_throttles = [t for t in s.throttles if t.window is None]
            for i, b in enumerate(plain_blocks):
                assert not any(b.scope.overlaps(c.scope) for c in plain_blocks[i + 1 :])
                assert not any(b.scope.overlaps(t.scope) for t in plain_throttles)
            for i, d in enumerate(s.delistings):
                for e in s.delistings[i + 1 :]:
                    assert not any(
                        p.scope.overlaps(q.scope)
                        and (p.stores is None or q.stores is None or p.stores & q.stores)
                        for p in d.parts
                        for q in e.parts
                        if not p.stores_except and not q.stores_except
                    )
            for network in ("mobile", "fixed"):
                assert s.phase_for(network=network) <= s.phase

    @given(timelines(max_size=15), st.data())
    def test_a_refused_append_leaves_the_timeline_equal(self, timeline, data):
        """(b) A refused append changes nothing."""
        event, error = data.draw(invalid_appends(timeline))
        before = (timeline.events, timeline.history())
        try:
            timeline.append(event)
        except error:
            pass
        assert (timeline.events, timeline.history()) == before

    @given(timelines(max_size=15), st.randoms(use_true_random=False))
    def test_any_order_gives_an_equal_timeline(self, timeline, random):
        """(c) The same events, given in any order, give an equal timeline (distinct instants)."""
        z = timeline.dispute.zone
        seen: set[int] = set()
        distinct: list[Event] = []
        for e in timeline.events:  # keep one event per instant, and only valid prefixes
            key = z.key(e.at)
            if key not in seen:
                seen.add(key)
                distinct.append(e)
        try:
            ordered = Timeline(timeline.dispute, distinct)
        except RegTimelineError:
            return  # dropping same-instant events can orphan a reference; nothing to compare
        shuffled = list(distinct)
        random.shuffle(shuffled)
        assert Timeline(timeline.dispute, shuffled) == ordered

    @given(timelines(max_size=15), st.integers(0, 15))
    def test_appending_in_pieces_equals_building_at_once(self, timeline, cut):
        """Appending a suffix later gives the same timeline and the same answers."""
        events = list(timeline.events)
        built = Timeline(timeline.dispute, events[:cut]).append(*events[cut:])
        assert built == timeline
        assert built.history() == timeline.history()

    @settings(max_examples=min(200, settings.default.max_examples))
    @given(recorded_timelines(max_size=12), st.integers(0, 15), st.data())
    def test_one_event_at_the_end_folds_as_the_general_path(self, timeline, cut, data):
        """An append of one event (a store's; `_one_at_end` when it is a new fact at the end)
        gives what the general path gives: an equal timeline with the same answers, or the
        same refusal, word for word; also when another timeline has grown the shared log
        past this one, and for ids used before (retracted ones too)."""
        entries = [entry.event for entry in timeline.entries]  # corrections too
        used = sorted({e.id for e in entries} | {"fresh"})
        last = max((timeline.dispute.zone.key(e.at) for e in entries), default=10**15)
        # the ids a new fact may not take although no fact holds them: retracted events' and
        # corrections' own
        spent = sorted(
            {e.id for e in entries if isinstance(e, EventRetracted | EventCorrected)}
            | {e.event for e in entries if isinstance(e, EventRetracted)}
        )
        statement_at_the_end = st.builds(
            Statement,
            at=st.just(timeline.dispute.zone.to_datetime(last)),
            id=st.sampled_from(spent or used),
            by=st.just("x"),
            text=st.just("y"),
        )
        extra = data.draw(
            st.lists(
                st.tuples(events(), st.sampled_from(used) | st.none()).map(
                    lambda p: p[0] if p[1] is None else attrs.evolve(p[0], id=p[1])
                )
                | statement_at_the_end,
                max_size=3,
            )
        )
        fast = general = Timeline(timeline.dispute).with_entries((e, None) for e in entries[:cut])
        recorded = 10**15
        for event in [*entries[cut:], *extra]:
            recorded += data.draw(st.sampled_from((0, 1, 10**12)))
            if data.draw(st.booleans()):  # a sibling grows the shared log first
                decoy = Statement(at=event.at, id=f"decoy-{recorded}", by="x", text="y")
                with contextlib.suppress(RegTimelineError):
                    fast._append_at((decoy,), recorded)
            try:
                fast = fast._append_at((event,), recorded)
            except RegTimelineError as exc:
                refused: RegTimelineError | None = exc
            else:
                refused = None
            try:
                general = Timeline._view(general.dispute, *general._grown((event,), [recorded]))
            except RegTimelineError as exc:
                assert refused is not None, str(exc)
                assert (type(refused), str(refused)) == (type(exc), str(exc))
                assert refused.event is exc.event
                assert event.id not in fast._log.ids or fast._log.ids[event.id] < fast._n
                continue
            assert refused is None, str(refused)
            assert fast == general
            assert fast.entries == general.entries
            assert fast.history() == general.history()
            if general._n:  # (a retraction may leave no event)
                at = general.dispute.zone.to_datetime(general._log.keys[general._n - 1])
                assert fast.status_at(at) == general.status_at(at)


class ReferenceMachine(TimelineMachine):
    """(d) The library's own state machine, checked against the reference at every query.

    It also goes back to earlier timelines of the same log and appends from there (a
    branch), and asks histories between appends and refusals: what the log keeps of a
    history must be the history of the timeline that asks.
    """

    def __init__(self):
        super().__init__()
        self.earlier: list[Timeline] = []

    def on_valid(self, event):
        self.earlier.append(self.timeline)

    @precondition(lambda self: self.earlier)
    @rule(data=st.data())
    def go_back(self, data):
        """Carry on from an earlier timeline: the next append branches off the log."""
        self.timeline = data.draw(st.sampled_from(self.earlier))

    @rule()
    def the_id_index_is_the_log(self):
        """The log's index of event ids (made when first asked for, then brought up to date
        after appends, refusals and branches) is every entry of the log by position."""
        log = self.timeline._log
        assert log.ids == {e.id: i for i, e in enumerate(log.events)}

    @rule(data=st.data())
    def history_of_any(self, data):
        """The history of this or an earlier timeline equals the naive replay's."""
        t = data.draw(st.sampled_from([self.timeline, *self.earlier[-4:]]))
        got = [(p.start.astimezone(pendulum.UTC), p.phase.name, p.cause) for p in t.history()]
        assert got == ref.expected_history(t.dispute, list(t.events))
        assert t.history_columns() == columns_of(t, t.history())

    @invariant()
    def matches_the_reference_at_the_end(self):
        if len(self.timeline):
            z = self.timeline.dispute.zone
            last = z.to_datetime(max(z.key(e.at) for e in self.timeline.events))
            self.on_status(last)

    def on_status(self, when):
        got = ref.actual(self.timeline.status_at(when))
        assert got == ref.expected(self.timeline.dispute, list(self.timeline.events), when)


ReferenceMachine.TestCase.settings = settings(stateful_step_count=30)
TestReferenceMachine = ReferenceMachine.TestCase


@contextlib.contextmanager
def short_logs() -> Iterator[None]:
    """Every log searched and asked about as a short one (the suite makes every log long)."""
    was = regtimeline._log._LONG_LOG
    regtimeline._log._LONG_LOG = 2**62
    try:
        yield
    finally:
        regtimeline._log._LONG_LOG = was


class TestPhaseCodes:
    @given(timelines(max_size=25), st.data())
    def test_the_phase_read_from_codes_is_the_phase_computed(self, timeline, data):
        """`status_at` sets a status's phase from the log's phase codes (a byte, and a cut
        for one that runs out): it equals the phase `Status` computes from the entry's
        snapshot when read (the general path), at and around every boundary. Only a code
        that cannot say (a window counts, or two kinds run out) has it computed from the
        snapshot at once. A step marked with the phase throughout its entry's span has its
        cut outside that span."""
        log, z = timeline._log, timeline.dispute.zone
        instants = [z.to_datetime(k + d) for k in boundaries(timeline) for d in (-1, 0, 1)]
        instants += [data.draw(instants_near(timeline)) for _ in range(5)]
        for when in data.draw(st.permutations(instants)):  # chunks coded in any order
            key = z.key(when)
            i = bisect.bisect_right(log.keys, key, 0, timeline._n)
            fast = timeline.status_at(when)
            code = log.phase_codes[i]
            note(f"at {when.isoformat()}: entry {i}, code {code:#x}")
            assert code != _UNCODED
            cut = log.phase_cuts[i]
            if code < 8:  # the same phase at every instant
                assert fast.phase is Phase(code)
            elif code != _NO_STEP:  # one phase up to the cut, another after it
                step = code & _RAW
                assert fast.phase is Phase(step >> 3 if key <= cut else step & 7)
                if code & _BEFORE_SPAN:  # marked: the cut is past the entry's span
                    assert i < len(log.keys)
                    assert cut >= log.keys[i] - 1
                if code & _AFTER_SPAN:  # or before it
                    assert i > 0
                    assert cut < log.keys[i - 1]
            assert fast.phase is Status(log, i, key).phase
            assert fast.phase is _phase(log._snap(i), key, z)
            with short_logs():  # the way of a log too short to code: the same
                short = timeline.status_at(when)
            assert short.phase is fast.phase

    @given(timelines(max_size=25), st.data())
    def test_the_search_by_sample_is_a_binary_search(self, timeline, data):
        """`Log.find` (a sample of the keys, then a stretch of them) counts the entries at
        or before an instant as one binary search over all the keys does, for any length
        of timeline over the log, searched in any order."""
        log = timeline._log
        keys = [k + d for k in boundaries(timeline) for d in (-1, 0, 1)] or [0]
        every = [(key, n) for key in keys for n in range(len(log) + 1)]
        for key, n in data.draw(st.permutations(every)):
            assert log.find(key, n) == bisect.bisect_right(log.keys, key, 0, n)
            with short_logs():
                assert log.find(key, n) == bisect.bisect_right(log.keys, key, 0, n)
        assert list(log.key_sample) == list(
            log.keys[:: regtimeline._log._SAMPLE_EVERY][: len(log.key_sample)]
        )
