"""Imprecise times (DESIGN.md "Imprecise times (v2)"): forms, spans, the reading, certainty."""

from __future__ import annotations

import pathlib

import attrs
import jsonschema
import pendulum
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from regtimeline import (
    BlockImposed,
    BlockLifted,
    DeadlineExtended,
    DeadlineMet,
    DeadlineSet,
    DeadlineState,
    Dispute,
    FineImposed,
    Imprecise,
    InvalidTransition,
    Phase,
    RegTimelineError,
    SchemaError,
    Statement,
    ThrottleImposed,
    TimeError,
    Timeline,
    dump,
    load,
)
from regtimeline._jsonschema import json_schema
from regtimeline.examples import india_tiktok
from regtimeline.serialization import decode, encode
from regtimeline.strategies import boundaries, imprecise_dates, timelines

from .helpers import refusal

VALIDATOR = jsonschema.Draft202012Validator(json_schema())

D = pendulum.Date
BRUSSELS = Dispute(
    id="be", regulator="BIPT", platform="X", jurisdiction="BE", timezone="Europe/Brussels"
)
INDIA = Dispute(
    id="in", regulator="MeitY", platform="TikTok", jurisdiction="IN", timezone="Asia/Kolkata"
)


def moment(text: str) -> Imprecise:
    """An event's `at` as read from text."""
    at = Statement(at=text, by="x", text="").at
    assert isinstance(at, Imprecise)
    return at


class TestForms:
    @pytest.mark.parametrize(
        ("text", "earliest", "latest", "precision", "qualifier"),
        [
            ("2021", D(2021, 1, 1), D(2021, 12, 31), "year", None),
            ("2021-09", D(2021, 9, 1), D(2021, 9, 30), "month", None),
            ("2021-02", D(2021, 2, 1), D(2021, 2, 28), "month", None),
            ("2024-02", D(2024, 2, 1), D(2024, 2, 29), "month", None),
            ("2021~", D(2020, 1, 1), D(2022, 12, 31), "year", "approximate"),
            ("2021?", D(2020, 1, 1), D(2022, 12, 31), "year", "uncertain"),
            ("2021%", D(2019, 1, 1), D(2023, 12, 31), "year", "approximate and uncertain"),
            ("2021-04~", D(2021, 3, 1), D(2021, 5, 31), "month", "approximate"),
            ("2021-04%", D(2021, 2, 1), D(2021, 6, 30), "month", "approximate and uncertain"),
            ("2021-01~", D(2020, 12, 1), D(2021, 2, 28), "month", "approximate"),
            ("2021-04-16~", D(2021, 4, 13), D(2021, 4, 19), "day", "approximate"),
            ("2021-04-16?", D(2021, 4, 13), D(2021, 4, 19), "day", "uncertain"),
            ("2021-04-16%", D(2021, 4, 10), D(2021, 4, 22), "day", "approximate and uncertain"),
            ("2020-02-29~", D(2020, 2, 26), D(2020, 3, 3), "day", "approximate"),
            ("2021-01-31?", D(2021, 1, 28), D(2021, 2, 3), "day", "uncertain"),
            ("2021-04-XX", D(2021, 4, 1), D(2021, 4, 30), "day", None),
            ("2021-XX", D(2021, 1, 1), D(2021, 12, 31), "month", None),
            ("2021-XX-XX", D(2021, 1, 1), D(2021, 12, 31), "day", None),
            ("202X", D(2020, 1, 1), D(2029, 12, 31), "year", None),
            ("20XX", D(2000, 1, 1), D(2099, 12, 31), "year", None),
        ],
    )
    def test_accepted(self, text, earliest, latest, precision, qualifier):
        m = moment(text)
        assert (m.text, m.earliest, m.latest, m.precision, m.qualifier) == (
            text,
            earliest,
            latest,
            precision,
            qualifier,
        )
        assert str(m) == text
        assert decode(encode(Statement(at=text, id="s", by="x", text=""))).at == m

    @pytest.mark.parametrize(
        ("text", "says"),
        [
            ("2021-W15", "ISO week and ordinal dates are refused"),
            ("2021-W15-1", "ISO week and ordinal dates are refused"),
            ("2021-102", "ISO week and ordinal dates are refused"),
            ("2021-W15-1T10:00:00+00:00", "ISO week and ordinal dates are refused"),
            ("2021-102T10:00:00Z", "ISO week and ordinal dates are refused"),
            ("2001-21", "seasons, intervals"),
            ("2004-06/2006-08", "seasons, intervals"),
            ("Y170000002", "seasons, intervals"),
            ("?2021-04", "seasons, intervals"),
            ("2021?-04", "seasons, intervals"),
            ("2021-04-1X", "unspecified digits"),
            ("202X-04", "unspecified digits"),
            ("2021-XX-16", "unspecified digits"),
            ("2023-02-29?", "not a date that exists"),
            ("2023-02-29", "no such day"),
            ("2021-13-01", "no such day"),
            ("0000", "not a date that exists"),
            ("9999~", "within the years 1 to 9999"),
            ("0001~", "within the years 1 to 9999"),
            ("March 2021", "is not a date this library reads"),
        ],
    )
    def test_refused_with_a_message_naming_the_text(self, text, says):
        with pytest.raises(TimeError) as caught:
            Statement(at=text, by="x", text="")
        assert repr(text) in str(caught.value)
        assert says in str(caught.value)

    def test_equal_when_written_the_same(self):
        assert moment("2021-04") == moment("2021-04")
        assert moment("2021-04") != moment("2021-04-XX")  # the same days, written otherwise
        assert len({moment("2021-04"), moment("2021-04")}) == 1

    def test_a_question_needs_a_day_or_an_instant(self):
        t = Timeline(INDIA, [])
        with pytest.raises(TimeError, match="span of days"):
            t.status_at("2021-03")

    def test_until_is_exact(self):
        with pytest.raises(TimeError, match="a day or an instant is needed here"):
            FineImposed(
                at="2021-01-01", amount="1", currency="INR", by="c", per="P1D", until="2021-03"
            )


class TestReading:
    def test_an_at_counts_from_the_start_of_its_earliest_day_in_the_zone(self):
        """In Brussels across the spring-forward change: 25 March 00:00 +01:00."""
        t = Timeline(BRUSSELS, [ThrottleImposed(at="2021-03-28~", id="t")])
        assert t.status_at("2021-03-24T23:59:59.999999+01:00").phase is Phase.CLEAR
        assert t.status_at("2021-03-25T00:00:00+01:00").phase is Phase.THROTTLED
        assert t.history()[0].start == pendulum.datetime(2021, 3, 25, tz="Europe/Brussels")

    def test_a_due_lasts_to_the_end_of_its_latest_day(self):
        t = Timeline(INDIA, [DeadlineSet(at="2021-03-15", id="d", due="2021-04")])
        due = t.status_at("2021-03-16").deadlines[0].due
        assert due == pendulum.datetime(2021, 4, 30, 23, 59, 59, 999999, tz="Asia/Kolkata")
        assert t.status_at("2021-04-30").deadlines[0].state is DeadlineState.PENDING
        assert t.status_at("2021-05-01").deadlines[0].state is DeadlineState.OVERDUE

    def test_ends_lasts_to_its_latest_day(self):
        t = Timeline(INDIA, [BlockImposed(at="2021-01-01", id="b", ends="2021-02~")])
        assert t.status_at("2021-03-31").phase is Phase.BLOCKED
        assert t.status_at("2021-04-01").phase is Phase.CLEAR

    def test_validation_follows_the_reading(self):
        """`due` "2021-03" after an event of 15 March: its latest day is later, accepted;
        an `ends` whose latest day is before the event is refused."""
        Timeline(INDIA, [DeadlineSet(at="2021-03-15", id="d", due="2021-03")])
        base = Timeline(INDIA, [])
        message = refusal(
            InvalidTransition, base, BlockImposed(at="2021-05-01", id="b", ends="2021-03~")
        )
        assert "2021-03~" in message

    def test_an_imprecise_at_orders_by_its_earliest_day(self):
        """A lift "around 16 April" comes after a block of 12 April: 13 April counts."""
        t = Timeline(
            INDIA,
            [
                BlockLifted(at="2021-04-16~", id="u", block="b"),
                BlockImposed(at="2021-04-12", id="b"),
            ],
        )
        assert [e.id for e in t.events] == ["b", "u"]
        assert t.status_at("2021-04-12").phase is Phase.BLOCKED
        assert t.status_at("2021-04-13").phase is Phase.CLEAR


class TestCertainty:
    def test_an_imprecise_at_makes_its_span_uncertain(self):
        t = Timeline(
            INDIA,
            [
                BlockImposed(at="2020-06-29", id="b"),
                Statement(at="2021-01~", id="p", by="MeitY", text=""),
            ],
        )
        assert t.status_at("2020-11-30").certain
        assert [e.id for e in t.status_at("2020-12-01").uncertain] == ["p"]
        assert [e.id for e in t.status_at("2021-02-28").uncertain] == ["p"]
        assert t.status_at("2021-03-01").certain

    def test_an_open_deadlines_imprecise_due(self):
        """Uncertain while open inside the span; not once met, nor once a precise extension
        replaced the due."""
        d = DeadlineSet(at="2021-01-01", id="d", due="2021-03")
        t = Timeline(INDIA, [d])
        assert t.status_at("2021-03-10").uncertain == (d,)
        assert t.status_at("2021-02-28").certain
        met = t.append(DeadlineMet(at="2021-03-05", id="m", deadline="d"))
        assert not met.status_at("2021-03-04").certain
        assert met.status_at("2021-03-10").certain
        extended = t.append(
            DeadlineExtended(at="2021-03-05", id="x", deadline="d", due="2021-06-30")
        )
        assert extended.status_at("2021-03-10").certain
        by = t.append(DeadlineExtended(at="2021-03-05", id="y", deadline="d", by="P1M"))
        # a month after an imprecise due is as imprecise: from 1 April to 30 April
        assert [e.id for e in by.status_at("2021-04-10").uncertain] == ["y"]
        assert by.status_at("2021-03-31").certain

    def test_a_first_due_by_a_duration_from_an_imprecise_time(self):
        """An open demand given a due one month after "around 24 January": the due is as
        imprecise (21 February to the end of 27 February); found by the placement property."""
        t = Timeline(
            INDIA,
            [
                DeadlineSet(at="2021-01-10", id="d"),
                DeadlineExtended(at="2021-01-24?", id="x", deadline="d", by="P1M"),
            ],
        )
        s = t.status_at("2021-02-21T00:00:00.000001+05:30")
        assert s.deadlines[0].state is DeadlineState.OVERDUE  # the reading: from 21 January
        assert [e.id for e in s.uncertain] == ["x"]
        assert t.status_at("2021-02-28").certain

    def test_an_active_restrictions_imprecise_ends(self):
        b = BlockImposed(at="2021-01-01", id="b", ends="2021-06")
        t = Timeline(INDIA, [b])
        assert t.status_at("2021-06-15").uncertain == (b,)
        assert t.status_at("2021-05-31").certain
        lifted = t.append(BlockLifted(at="2021-06-10", id="u", block="b"))
        assert lifted.status_at("2021-06-15").certain

    def test_periods_say_which_boundaries_are_imprecise(self):
        t = Timeline(
            INDIA,
            [
                BlockImposed(at="2020-06-29", id="b", ends="2021-01~"),
                ThrottleImposed(at="2021-04", id="t"),
            ],
        )
        blocked, clear, throttled = t.history()
        z = "Asia/Kolkata"
        assert blocked.start_span is None
        assert blocked.end_span == (
            pendulum.datetime(2020, 12, 1, tz=z),
            pendulum.datetime(2021, 3, 1, tz=z),
        )
        assert not blocked.certain
        assert clear.start == pendulum.datetime(2021, 3, 1, tz=z)
        assert clear.start_span == blocked.end_span
        assert clear.end_span == (
            pendulum.datetime(2021, 4, 1, tz=z),
            pendulum.datetime(2021, 4, 30, 23, 59, 59, 999999, tz=z),
        )
        assert throttled.start_span == clear.end_span
        assert throttled.end is None
        assert throttled.end_span is None


class TestRoundTrip:
    def test_json_lines_keep_the_text(self, tmp_path):
        t = Timeline(
            INDIA,
            [
                BlockImposed(at="2020-06-29", id="b", ends="2021-XX~"),
                Statement(at="2021-01~", id="p", by="MeitY", text=""),
                DeadlineSet(at="2021-02-XX", id="d", due="2021%"),
            ],
        )
        path = tmp_path / "t.jsonl"
        dump(t, path)
        assert load(path) == t
        text = path.read_text()
        for written in ('"2021-XX~"', '"2021-01~"', '"2021-02-XX"', '"2021%"'):
            assert written in text
        for event in t.events:  # the JSON Schema takes them
            VALIDATOR.validate(encode(event))

    def test_a_schema_4_file_with_imprecise_times_keeps_loading(self):
        """tests/fixtures/schema-4-imprecise.jsonl, as this version wrote it: the texts and
        what they mean stay the same in later versions."""
        t = load(pathlib.Path(__file__).parent / "fixtures" / "schema-4-imprecise.jsonl")
        texts = [(e.id, getattr(e.at, "text", None)) for e in t.events]
        assert texts == [
            ("interim", None),
            ("notices", "2021-01"),
            ("reply", "2021-02-XX"),
            ("later", None),
            ("slow", "2021-03-10%"),
        ]
        status = t.status_at("2021-03-10")
        assert [e.id for e in status.uncertain] == ["interim", "later", "slow"]
        assert status.deadlines.get("reply").due == pendulum.datetime(
            2029, 12, 31, 23, 59, 59, 999999, tz="Asia/Kolkata"
        )

    def test_a_span_as_until_is_refused_by_the_loader_and_the_schema(self):
        data = encode(
            FineImposed(at="2021-01-01", id="f", amount="1", currency="INR", by="c", per="P1D")
        )
        data["until"] = "2021-03"
        with pytest.raises(SchemaError, match="a day or an instant is needed here"):
            decode(data)
        assert not VALIDATOR.is_valid(data)


def _placed(event, zone, draw):
    """`event` with each imprecise time moved to an instant drawn inside its span."""
    changes = {}
    for name in ("at", "due", "ends"):
        value = getattr(event, name, None)
        if isinstance(value, Imprecise):
            low, high = zone.key(value), zone.key(value, end=True)
            changes[name] = zone.to_datetime(draw(st.integers(low, high)))
    return attrs.evolve(event, **changes) if changes else event


def _state(status):
    """What a placement inside the spans must not change where the status is certain (the
    amounts accrued from a start are left out: they count from wherever it falls)."""
    return (  # as sets: moving a fact may change the order things were opened in
        status.phase,
        {(r.id, r.scope) for r in (*status.throttles, *status.blocks, *status.delistings)},
        {(d.id, d.state) for d in status.deadlines},
        (status.warnings, status.items_requested, status.items_removed),
    )


@settings(
    max_examples=min(150, max(60, settings.default.max_examples)),
    deadline=None,
    # one whole day in eight is drawn imprecise: most short timelines have none
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(st.data())
def test_a_certain_status_is_the_same_wherever_the_facts_fall_in_their_spans(data):
    timeline = data.draw(timelines(min_size=4, max_size=16))
    vague = [
        e
        for e in timeline.events
        if any(isinstance(getattr(e, n, None), Imprecise) for n in ("at", "due", "ends"))
    ]
    assume(vague)
    zone = timeline.dispute.zone
    # DESIGN's claim holds where the order of events is known: no other event inside the
    # span of an imprecise `at` (else which came first is itself a guess; the reading puts
    # the imprecise one first, and `certain` does not look at what follows from that order)
    keys = [zone.key(e.at) for e in timeline.events]
    for e in timeline.events:
        if isinstance(e.at, Imprecise):
            low, high = zone.key(e.at), zone.key(e.at, end=True)
            assume(sum(low <= k <= high for k in keys) == 1)
    moved_events = [_placed(e, zone, data.draw) for e in timeline.events]
    try:
        moved = Timeline(timeline.dispute, moved_events)
    except RegTimelineError:
        assume(False)  # this placement breaks a rule (a lift before what it lifts)
    checked = 0
    for key in boundaries(timeline):
        for k in (key - 1, key, key + 1):
            when = zone.to_datetime(k)
            status = timeline.status_at(when)
            if status.certain:
                assert _state(moved.status_at(when)) == _state(status), when
                checked += 1
    assert checked or not timeline.events


class TestIndiaTikTok:
    """The real case of the how-to: an interim ban, made permanent in January 2021."""

    def test_every_event_cites_its_source(self):
        assert all(e.source and e.source.startswith("https://") for e in india_tiktok().events)

    @pytest.mark.parametrize(
        ("day", "phase", "uncertain"),
        [
            ("2020-06-28", Phase.CLEAR, []),
            ("2020-06-29", Phase.BLOCKED, []),
            ("2020-12-31", Phase.BLOCKED, []),
            ("2021-01-01", Phase.BLOCKED, ["permanent-notices"]),
            ("2021-01-22", Phase.BLOCKED, ["permanent-notices"]),
            ("2021-01-31", Phase.BLOCKED, ["permanent-notices"]),
            ("2021-02-01", Phase.BLOCKED, []),
        ],
    )
    def test_checkpoints(self, day, phase, uncertain):
        status = india_tiktok().status_at(day)
        assert status.phase is phase
        assert [e.id for e in status.uncertain] == uncertain
        assert status.certain is (not uncertain)

    def test_the_notices_are_a_month(self):
        notices = india_tiktok().event("permanent-notices").at
        assert (notices.text, notices.precision, notices.qualifier) == ("2021-01", "month", None)


@given(imprecise_dates())
def test_generated_imprecise_times_round_trip_exactly(value):
    """Every form the strategy writes reads back the same, through an event's JSON."""
    event = DeadlineSet(at="1999-12-31", id="d", due=value)
    again = decode(encode(event))
    assert again == event
    assert again.due.text == value.text
    assert (again.due.earliest, again.due.latest) == (value.earliest, value.latest)
