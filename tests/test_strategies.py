"""The public Hypothesis strategies: valid by construction, reaching everything, shrinking well."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

import regtimeline
from regtimeline import DeadlineState, Phase, RequestState, Timeline
from regtimeline._events import EVENT_TYPES
from regtimeline.examples import TWITTER_RUSSIA
from regtimeline.strategies import (
    boundaries,
    disputes,
    events,
    instants,
    invalid_appends,
    recorded_timelines,
    scopes,
    timelines,
)

THOUSAND = settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))


class TestReach:
    def test_a_thousand_timelines_are_valid_and_reach_everything(self):
        """Over 1,000 examples: every timeline rebuilds without error, every invalid append is
        refused with its stated error, and every kind, phase and deadline state occurs."""
        kinds: Counter[str] = Counter()
        phases: Counter[Phase] = Counter()
        states: Counter[DeadlineState] = Counter()
        refused: Counter[str] = Counter()
        seen = {
            "examples": 0,
            "same_instant": 0,
            "partial_lift": 0,
            "ran_out": 0,
            "extended_twice": 0,
            "window": 0,
            "wrapping_window": 0,
            "several_blocks": 0,
            "several_boxes": 0,
            "all_except": 0,
            "regions": 0,
            "operators": 0,
            "partial_block_lift": 0,
            "open_demand": 0,
            "met_after_enforced": 0,
            "escalation": 0,
        }
        request_states: Counter[RequestState] = Counter()

        @THOUSAND
        @given(timelines(), st.data())
        def check(timeline: Timeline, data: st.DataObject) -> None:
            seen["examples"] += 1
            rebuilt = Timeline(timeline.dispute, list(timeline.events))
            assert rebuilt == timeline
            event, error = data.draw(invalid_appends(timeline))
            try:
                timeline.append(event)
            except error:
                refused[error.__name__] += 1
            else:
                raise AssertionError(f"{event!r} was accepted; expected {error.__name__}")
            kinds.update(e.kind for e in timeline.events)
            z = timeline.dispute.zone
            keys = [z.key(e.at) for e in timeline.events]
            seen["same_instant"] += len(keys) != len(set(keys))
            for key in boundaries(timeline):
                status = timeline.status_at(z.to_datetime(key))
                phases[status.phase] += 1
                states.update(d.state for d in status.deadlines)
                seen["extended_twice"] += any(len(d.extensions) >= 2 for d in status.deadlines)
            seen["partial_lift"] += any(
                e.kind == "throttle_lifted" and e.scope is not None for e in timeline.events
            )
            seen["ran_out"] += any(p.cause is None for p in timeline.history())
            windows = [w for e in timeline.events if (w := getattr(e, "window", None))]
            seen["window"] += bool(windows)
            seen["wrapping_window"] += any(w.wraps for w in windows)
            scopes = [e.scope for e in timeline.events if getattr(e, "scope", None)]
            seen["regions"] += any(s.names(2) for s in scopes)
            seen["operators"] += any(s.names(3) for s in scopes)
            seen["partial_block_lift"] += any(
                e.kind == "block_lifted" and e.scope is not None for e in timeline.events
            )
            for key in boundaries(timeline):
                status = timeline.status_at(z.to_datetime(key))
                request_states.update(r.state for r in status.takedowns)
                for d in status.deadlines:
                    seen["open_demand"] += d.original_due is None
                    seen["met_after_enforced"] += d.state is DeadlineState.MET and bool(
                        d.enforced_by
                    )
                    seen["escalation"] += len(d.enforced_by) > 1
                seen["several_blocks"] += len(status.blocks) > 1
                remainders = [r.scope for r in (*status.throttles, *status.blocks)]
                seen["several_boxes"] += any(len(s.boxes) > 1 for s in remainders)
                seen["all_except"] += any(
                    b.services_except or b.regions_except or b.operators_except
                    for s in remainders
                    for b in s.boxes
                )

        check()
        assert seen["examples"] >= 1000
        assert set(kinds) == {k.kind for k in EVENT_TYPES}, kinds
        assert all(phases[p] > 0 for p in Phase), phases
        assert all(states[s] > 0 for s in DeadlineState), states
        assert all(
            refused[e] > 0
            for e in ("InvalidTransition", "UnknownReference", "DuplicateEvent", "InvalidValue")
        ), refused
        assert all(v > 0 for v in seen.values()), seen
        assert all(request_states[s] > 0 for s in RequestState), request_states

    def test_several_time_zones_with_dst(self):
        """Disputes come in several zones, including ones with daylight saving."""
        zones: set[str] = set()

        @settings(max_examples=200, deadline=None)
        @given(timelines(max_size=0))
        def check(timeline: Timeline) -> None:
            zones.add(timeline.dispute.timezone)

        check()
        assert {"UTC", "Europe/Brussels", "America/New_York"} <= zones


class TestShrinking:
    def test_a_false_property_shrinks_to_at_most_two_events(self):
        """'A timeline is never BLOCKED' is false; Hypothesis finds a counterexample of <= 2 events."""

        def blocked(timeline: Timeline) -> bool:
            z = timeline.dispute.zone
            return any(
                timeline.status_at(z.to_datetime(k)).phase is Phase.BLOCKED
                for k in boundaries(timeline)
            )

        example = find(
            timelines(),
            blocked,
            settings=settings(max_examples=2000, deadline=None, database=None, derandomize=True),
        )
        assert len(example) <= 2
        assert any(e.kind == "block_imposed" for e in example.events)


class TestEvents:
    def test_corrections_come_when_asked_for(self):
        """events() gives retractions and corrections (keeping the id) only when named."""
        fixed = find(events([regtimeline.EventCorrected]), lambda e: True)
        assert fixed.replacement.id == fixed.event
        assert find(events([regtimeline.EventRetracted]), lambda e: True).event

    @given(events())
    def test_by_default_only_facts(self, event):
        assert type(event) in EVENT_TYPES

    def test_what_is_not_an_event_class_is_refused(self):
        for kinds in ([], [str], [regtimeline.Event], -1, "Statement"):
            with pytest.raises(regtimeline.InvalidValue, match="events\\(\\) takes event classes"):
                events(kinds)


class TestBadArguments:
    def test_what_needs_a_timeline_refuses_anything_else(self):
        assert boundaries(Timeline(TWITTER_RUSSIA)) == []
        with pytest.raises(regtimeline.InvalidValue, match="boundaries takes a Timeline"):
            boundaries(None)
        with pytest.raises(regtimeline.InvalidValue, match="invalid_appends takes a Timeline"):
            find(invalid_appends(None), lambda x: True)
        with pytest.raises(regtimeline.InvalidValue, match="takes a Dispute"):
            find(timelines(dispute="ru"), lambda x: True)

    @pytest.mark.parametrize("kinds", [[], [str], [regtimeline.EventRetracted], -1, "Statement"])
    def test_timelines_take_fact_classes(self, kinds):
        with pytest.raises(regtimeline.InvalidValue, match="takes fact classes"):
            find(timelines(kinds=kinds), lambda x: True)

    @pytest.mark.parametrize(
        ("args", "words"),
        [
            ({"min_value": None}, "min_value=...\\) takes a date"),
            ({"max_value": "2021-01-01"}, "max_value=...\\) takes a date"),
            ({"timezones": None}, "zone names"),
            ({"timezones": "UTC"}, "zone names"),
            ({"timezones": []}, "zone names"),
            ({"timezones": ["Mars/Olympus"]}, "zone names"),
            ({"timezones": [5]}, "zone names"),
        ],
    )
    def test_instants_take_dates_and_zone_names(self, args, words):
        """These were TypeErrors and pendulum's InvalidTimezone. (Sizes and bounds that
        Hypothesis itself checks stay Hypothesis's InvalidArgument, as its users expect.)"""
        with pytest.raises(regtimeline.InvalidValue, match=words):
            instants(**args)

    def test_scopes_take_a_jurisdiction_code(self):
        with pytest.raises(regtimeline.InvalidValue, match="takes one of"):
            scopes(jurisdiction=["RU"])

    @pytest.mark.parametrize("zones", [None, "UTC", [], [5], ["Mars/Olympus"]])
    def test_disputes_take_zone_names(self, zones):
        with pytest.raises(regtimeline.InvalidValue, match="zone names"):
            disputes(zones)


class TestRecordedTimelines:
    @given(recorded_timelines())
    def test_facts_are_recorded_when_they_happen_or_later(self, timeline):
        """The record never learns a fact before it happened, and as of its last recorded
        time it is the whole timeline."""
        zone = timeline.dispute.zone
        for entry in timeline.entries:
            if type(entry.event) in EVENT_TYPES:
                assert zone.key(entry.recorded_at) >= zone.key(entry.event.at)
        if timeline.entries:
            assert timeline.as_of(timeline.entries[-1].recorded_at) == timeline

    def test_it_reaches_retractions_corrections_and_late_recording(self):
        def late(t):
            zone = t.dispute.zone
            return any(
                zone.key(e.recorded_at) > zone.key(e.event.at)
                for e in t.entries
                if type(e.event) in EVENT_TYPES
            )

        for wanted in (
            lambda t: any(isinstance(e.event, regtimeline.EventRetracted) for e in t.entries),
            lambda t: any(isinstance(e.event, regtimeline.EventCorrected) for e in t.entries),
            late,
        ):
            find(recorded_timelines(), wanted)


class TestRegistration:
    def test_from_type_knows_our_types(self):
        """st.from_type works for Timeline, Dispute and each event class, with no import."""

        @settings(max_examples=20, deadline=None)
        @given(
            st.from_type(regtimeline.Timeline),
            st.from_type(regtimeline.Dispute),
            st.from_type(regtimeline.DeadlineExtended),
            st.from_type(regtimeline.Event),
        )
        def check(timeline, dispute, extension, event) -> None:
            assert isinstance(timeline, regtimeline.Timeline)
            assert isinstance(dispute, regtimeline.Dispute)
            assert isinstance(extension, regtimeline.DeadlineExtended)
            assert isinstance(event, regtimeline.Event)

        check()

    def test_importing_without_hypothesis_says_what_to_install(self):
        """Without Hypothesis, the ImportError names the extra to install."""
        code = (
            "import sys; sys.modules['hypothesis'] = None\n"
            "try:\n    import regtimeline.strategies\n"
            "except ImportError as e:\n    print(e)\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert "pip install 'regtimeline[hypothesis]'" in out.stdout

    def test_the_core_never_imports_hypothesis(self):
        """Importing regtimeline does not import Hypothesis."""
        code = "import sys, regtimeline, regtimeline.examples; print('hypothesis' in sys.modules)"
        out = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"HYPOTHESIS_NO_PLUGINS": "1", "PATH": ""},
        )
        assert out.stdout.strip() == "False"
