"""Time semantics: parsing without guessing, day boundaries, zones, calendar arithmetic."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pendulum
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from regtimeline import DeadlineSet, Phase, Statement, TimeError
from regtimeline._imprecise import Imprecise
from regtimeline._time import (
    MAX_KEY,
    MIN_KEY,
    Zone,
    instant_key,
    key_of_text,
    moment_and_key,
    parse_span,
    to_moment,
    to_span,
    zone,
)
from regtimeline.strategies import instants

from .helpers import timeline


class TestParsing:
    @pytest.mark.parametrize(
        "value",
        ["2021-03-10", dt.date(2021, 3, 10), pendulum.Date(2021, 3, 10)],
    )
    def test_days_stay_days(self, value):
        """A date without a time is a day, resolved later in the dispute's zone."""
        assert to_moment(value) == pendulum.Date(2021, 3, 10)
        assert type(to_moment(value)) is pendulum.Date

    @pytest.mark.parametrize(
        "value",
        [
            "2021-03-10T10:00:00+03:00",
            "2021-03-10T07:00:00Z",
            dt.datetime(2021, 3, 10, 7, tzinfo=dt.UTC),
            pendulum.datetime(2021, 3, 10, 10, tz="Europe/Moscow"),
        ],
    )
    def test_instants_become_utc(self, value):
        """Every aware input is the same UTC instant."""
        assert to_moment(value) == pendulum.datetime(2021, 3, 10, 7)

    @pytest.mark.parametrize(
        "value",
        [
            "2021-03-10T10:00",
            "2021-03-10 10:00:00",
            dt.datetime(2021, 3, 10, 10),
            pendulum.naive(2021, 3, 10),
        ],
    )
    def test_naive_times_are_refused(self, value):
        """pendulum.parse would read these as UTC; we refuse them."""
        with pytest.raises(TimeError, match="offset|naive"):
            to_moment(value)

    @pytest.mark.parametrize("value", ["yesterday", "10:00", "2021-02-30", "", 1615334400, None])
    def test_garbage_is_refused(self, value):
        """Not a time: TimeError, never a TypeError."""
        with pytest.raises(TimeError):
            to_moment(value)

    @given(
        st.datetimes(
            min_value=dt.datetime(1, 1, 2),
            max_value=dt.datetime(9999, 12, 30),
            timezones=st.just(dt.UTC),
        ),
        st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59),
        st.sampled_from(["isoformat", "Z"]),
    )
    def test_text_reads_as_the_instant_it_writes(self, utc, offset_minutes, form):
        """moment_and_key (how decoding reads text) agrees with reading the datetime itself."""
        local = utc.astimezone(dt.timezone(dt.timedelta(minutes=offset_minutes)))
        text = local.isoformat() if form == "isoformat" else utc.isoformat()[:-6] + "Z"
        moment, key = moment_and_key(text)
        assert type(moment) is pendulum.DateTime
        assert moment.tzinfo is pendulum.UTC
        assert moment == to_moment(local) == utc
        assert (moment.year, moment.hour, moment.microsecond) == (
            utc.year,
            utc.hour,
            utc.microsecond,
        )
        assert key == instant_key(utc)
        assert key_of_text(text) == key  # the key alone, as recorded times are read

    def test_the_first_and_last_instants(self):
        """Years 1 and 9999 are read; an offset that leaves them is refused."""
        assert moment_and_key("0001-01-01T00:00:00+00:00")[1] == MIN_KEY
        assert moment_and_key("9999-12-31T23:59:59.999999Z")[1] == MAX_KEY
        for text in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"):
            with pytest.raises(TimeError, match="outside the years 1 to 9999"):
                moment_and_key(text)

    def test_an_aware_utc_datetime_is_kept_as_is(self):
        """What events already hold is not rebuilt (a pendulum UTC DateTime is immutable)."""
        held = pendulum.datetime(2021, 3, 10, 7)
        assert to_moment(held) is held
        assert to_moment(dt.datetime(2021, 3, 10, 7, tzinfo=dt.UTC)) == held

    def test_naive_event_time_names_the_field(self):
        """The error says which class and field."""
        with pytest.raises(TimeError, match=r"Statement\.at"):
            Statement(at="2021-03-10T10:00", by="x", text="y")


class TestDurations:
    @pytest.mark.parametrize(
        ("given", "canonical"),
        [
            ("P1M", "P1M"),
            ("P12M", "P1Y"),
            ("P1W", "P7D"),
            ("PT48H", "PT48H"),
            ("PT1.5S", "PT1.5S"),
            (dt.timedelta(hours=48), "PT48H"),
            (pendulum.duration(months=1), "P1M"),
            (pendulum.duration(years=1, days=3), "P1Y3D"),
        ],
    )
    def test_canonical_text(self, given, canonical):
        """Durations are held as canonical ISO 8601 text; exact and calendar parts stay apart."""
        assert to_span(given) == canonical

    @pytest.mark.parametrize("value", ["P", "PT", "1M", "P-1D", dt.timedelta(seconds=-1), 30])
    def test_bad_durations_are_refused(self, value):
        """Malformed or negative durations raise TimeError."""
        with pytest.raises(TimeError):
            to_span(value)

    @given(st.integers(0, 50), st.integers(0, 400), st.integers(0, 10**12))
    def test_canonical_text_round_trips(self, months, days, micros):
        """Parsing the canonical text gives back the parts."""
        text = to_span(f"P{months}M{days}DT{micros // 10**6}.{micros % 10**6:06d}S")
        assert parse_span(text) == (months, days, micros)

    def test_calendar_arithmetic_happens_in_the_zone(self):
        """Brussels midnight 31 January plus one month is 28 February there, not 1 March."""
        z = zone("Europe/Brussels")
        start = z.day_start(pendulum.Date(2021, 1, 31))
        assert z.to_datetime(z.shift(start, "P1M")).isoformat() == "2021-02-28T00:00:00+01:00"

    def test_exact_hours_cross_dst_as_elapsed_time(self):
        """PT24H across the spring change is 24 real hours: 25 h on the wall clock... minus one."""
        z = zone("Europe/Brussels")
        start = instant_key(pendulum.datetime(2021, 3, 27, 12, tz="Europe/Brussels"))
        assert z.to_datetime(z.shift(start, "PT24H")).isoformat() == "2021-03-28T13:00:00+02:00"
        assert z.to_datetime(z.shift(start, "P1D")).isoformat() == "2021-03-28T12:00:00+02:00"


class TestDayBoundariesInMoscow:
    def test_an_evening_event_counts_in_that_day(self):
        """An event at 23:30 Moscow time counts in status_at of that day."""
        t = timeline(Statement(at="2021-04-15T23:30:00+03:00", id="s", by="x", text="y"))
        assert t.status_at("2021-04-15").last_event.id == "s"
        assert t.status_at("2021-04-14").last_event is None

    def test_due_date_covers_its_whole_day(self):
        """Due 2021-05-15: PENDING at 23:59:59 Moscow time, OVERDUE at midnight (21:00Z)."""
        t = timeline(DeadlineSet(at="2021-04-05", id="d", due="2021-05-15"))
        assert t.status_at("2021-05-15T23:59:59+03:00").deadlines.get("d").state.name == "PENDING"
        assert (
            t.status_at("2021-05-15T23:59:59.999999+03:00").deadlines.get("d").state.name
            == "PENDING"
        )
        assert t.status_at("2021-05-16T00:00:00+03:00").deadlines.get("d").state.name == "OVERDUE"
        assert t.status_at("2021-05-15T21:00:00Z").deadlines.get("d").state.name == "OVERDUE"
        assert t.status_at("2021-05-15").deadlines.get("d").state.name == "PENDING"

    def test_a_day_query_is_the_end_of_that_day(self):
        """status_at(date) reports at 23:59:59.999999 local, in the dispute's zone."""
        assert (
            timeline().status_at("2021-05-15").at.isoformat() == "2021-05-15T23:59:59.999999+03:00"
        )
        assert (
            timeline().status_at(dt.date(2021, 5, 15)).at == timeline().status_at("2021-05-15").at
        )

    @given(instants(timezones=["UTC", "Europe/Moscow", "America/New_York"]))
    def test_the_same_instant_in_any_zone_gives_the_same_answer(self, when):
        """UTC and Moscow (and any other) spellings of one instant are one query."""
        t = timeline(
            DeadlineSet(at="2021-04-05", id="d", due="2021-05-15"),
            Statement(at="2021-05-15T21:00:00Z", id="s", by="x", text="y"),
        )
        moscow = when.in_timezone("Europe/Moscow")
        utc = when.in_timezone("UTC")
        assert t.status_at(moscow) == t.status_at(utc) == t.status_at(utc.isoformat())

    def test_results_come_out_in_the_dispute_zone(self):
        """Times in a status are pendulum DateTimes in the dispute's zone."""
        s = timeline(DeadlineSet(at="2021-04-05T12:00:00Z", id="d", due="2021-05-15")).status_at(
            "2021-04-06"
        )
        assert isinstance(s.at, pendulum.DateTime)
        assert s.deadlines.get("d").set_at.timezone_name == "Europe/Moscow"
        assert s.deadlines.get("d").set_at.isoformat() == "2021-04-05T15:00:00+03:00"


class TestDaylightSaving:
    def test_fall_back_hour_orders_by_real_time(self):
        """Inside a fall-back hour, 02:45+02:00 comes before 02:00+01:00 (15 minutes later)."""
        from regtimeline import Dispute

        brussels = Dispute(
            id="be", regulator="BIPT", platform="X", jurisdiction="BE", timezone="Europe/Brussels"
        )
        later = Statement(at="2021-10-31T02:00:00+01:00", id="later", by="x", text="")
        earlier = Statement(at="2021-10-31T02:45:00+02:00", id="earlier", by="x", text="")
        t = timeline(later, earlier, dispute=brussels)
        assert [e.id for e in t.events] == ["earlier", "later"]

    def test_a_day_that_starts_in_a_dst_gap_starts_when_it_exists(self):
        """In Sao Paulo on 2018-11-04 midnight did not exist: the day began at 01:00."""
        z = zone("America/Sao_Paulo")
        assert (
            z.to_datetime(z.day_start(pendulum.Date(2018, 11, 4))).isoformat()
            == "2018-11-04T01:00:00-02:00"
        )
        assert (
            z.to_datetime(z.day_end(pendulum.Date(2018, 11, 3))).isoformat()
            == "2018-11-03T23:59:59.999999-03:00"
        )

    def test_unknown_zone_is_refused(self):
        """A zone name that is not IANA raises TimeError."""
        with pytest.raises(TimeError, match="IANA"):
            zone("Mars/Olympus")

    def test_naive_query_is_refused(self):
        """status_at refuses a naive datetime."""
        with pytest.raises(TimeError):
            timeline().status_at(dt.datetime(2021, 3, 10, 12))
        assert timeline().status_at("2021-03-10T12:00:00+03:00").phase is Phase.CLEAR


_TEXTS = st.one_of(
    instants().map(lambda w: w.isoformat()),
    instants().map(lambda w: w.in_timezone("Asia/Kolkata").isoformat(" ")),
    st.dates(min_value=dt.date(1, 1, 2)).map(lambda d: d.isoformat()),
    st.sampled_from(
        [
            "2021-W10-3T10:00:00+03:00",  # a week date: refused, on every path
            "20210310T100000+0300",
            "2021-03-10T10+03:00",
            "2021-03-10T10:00:00.1234567+03:00",
            "2021-03-10T10:00:00",  # naive
            "2021-03",  # a span
            "2021-03-10Tnonsense",
            "0001-01-01T00:00:00+01:00",  # before the year 1 in UTC
        ]
    ),
    st.text(max_size=30),
)


@given(_TEXTS)
def test_a_string_instant_is_read_as_to_moment_reads_it(text):
    """`key_of_text` and `Zone.query_key` (their short path skips building the moment) give
    the key `moment_and_key` / `to_moment` give, or the same refusal."""
    zone = Zone("Europe/Moscow")

    def outcome(f):
        try:
            return f()
        except TimeError as exc:
            return ("refused", str(exc))

    assert outcome(lambda: key_of_text(text)) == outcome(lambda: moment_and_key(text)[1])

    def general():
        moment = to_moment(text)
        if isinstance(moment, Imprecise):
            return zone.query_key(moment.text)  # the span's own refusal
        return zone.key(moment, end=True)

    assert outcome(lambda: zone.query_key(text)) == outcome(general)


@given(
    st.sampled_from(
        ["Europe/Berlin", "America/Sao_Paulo", "Asia/Kolkata", "UTC", "Australia/Lord_Howe"]
    ),
    st.one_of(
        st.integers(MIN_KEY, MAX_KEY),
        # around the DST changes of 2021 in Europe and Lord Howe's half hour
        st.integers(1616893200000000 - 7200 * 10**6, 1616893200000000 + 7200 * 10**6),
        st.integers(1635642000000000 - 7200 * 10**6, 1635642000000000 + 7200 * 10**6),
        st.integers(1617510600000000 - 7200 * 10**6, 1617510600000000 + 7200 * 10**6),
    ),
)
@example("Europe/Berlin", 1635643800000000)  # 02:30 the second time (fold 1), 31 Oct 2021
@example("Europe/Berlin", 1635640200000000)  # 02:30 the first time (fold 0)
def test_to_datetime_is_the_instant_with_its_fold(name, key):
    """`Zone.to_datetime` (made from datetime's pickled state) is the pendulum DateTime of
    the instant in the zone: the same fields, fold and offset as one made field by field, and
    its key is `key`."""
    z = Zone(name)
    try:
        d = (dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=key)).astimezone(
            z.tz
        )
    except OverflowError:
        return  # shown in no zone west or east of UTC at the years' edges: refused there
    expected = pendulum.DateTime(
        d.year, d.month, d.day, d.hour, d.minute, d.second, d.microsecond, tzinfo=z.tz, fold=d.fold
    )
    got = z.to_datetime(key)
    assert type(got) is pendulum.DateTime
    assert (got, got.fold, got.isoformat(), got.tzinfo) == (
        expected,
        expected.fold,
        expected.isoformat(),
        expected.tzinfo,
    )
    assert instant_key(got) == key


@given(
    st.sampled_from(
        ["Europe/Berlin", "America/Sao_Paulo", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]
    ),
    st.one_of(
        st.datetimes(min_value=dt.datetime(2, 1, 1), max_value=dt.datetime(9998, 12, 31)),
        # the DST changes of 2021 in Europe (a gap, a repeated hour) and Lord Howe's
        st.datetimes(min_value=dt.datetime(2021, 3, 28, 1), max_value=dt.datetime(2021, 3, 28, 4)),
        st.datetimes(
            min_value=dt.datetime(2021, 10, 31, 1), max_value=dt.datetime(2021, 10, 31, 4)
        ),
        st.datetimes(min_value=dt.datetime(2021, 4, 4, 1), max_value=dt.datetime(2021, 4, 4, 3)),
    ),
    st.sampled_from([0, 1]),
)
@example("Europe/Berlin", dt.datetime(2021, 3, 28, 2, 30), 0)  # in the spring gap
@example("Europe/Berlin", dt.datetime(2021, 10, 31, 2, 30), 1)  # the second 02:30
def test_the_key_of_a_datetime_in_a_zone_is_datetimes_own(name, local, fold):
    """instant_key's fast paths (a pendulum DateTime in a zone read from a plain copy of its
    fields; a standard datetime less the wall clock's 1970 in its own zone, then the
    offset) give the same key as datetime's own subtraction, fold, gaps and all; so does
    `status_at`'s inline path for a standard UTC datetime."""
    tz = pendulum.timezone(name)
    fields = (local.year, local.month, local.day, local.hour, local.minute, local.second)
    value = pendulum.DateTime(*fields, local.microsecond, tzinfo=tz, fold=fold)
    plain = dt.datetime(*fields, local.microsecond, tzinfo=tz, fold=fold)
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    expected = (plain - epoch) // dt.timedelta(microseconds=1)
    assert type(value) is pendulum.DateTime
    assert instant_key(value) == expected
    assert instant_key(plain) == expected  # a standard datetime in pendulum's zone
    std = dt.datetime(*fields, local.microsecond, tzinfo=zoneinfo.ZoneInfo(name), fold=fold)
    assert instant_key(std) == expected
    fresh = zoneinfo.ZoneInfo.no_cache(name)  # (another object for the same zone)
    assert instant_key(std.replace(tzinfo=fresh)) == expected
    try:
        utc = plain.astimezone(dt.UTC)
    except OverflowError:
        return  # (the instant is outside the years a UTC datetime has)
    t = timeline(Statement(at="2000-01-01", id="s", by="RKN", text="a statement"))
    assert t.status_at(utc).at == t.dispute.zone.to_datetime(expected)


def test_instant_key_keeps_a_wall_epoch_for_each_zone_object():
    """The wall-clock epochs `instant_key` keeps are per zone object (two objects for one
    zone, or another zone taking a freed object's id, never share one) and at most 64."""
    from regtimeline import _time

    at = dt.datetime(2021, 6, 1, 12)
    for k in range(200):
        name = ("Europe/Berlin", "Asia/Kolkata", "America/Sao_Paulo")[k % 3]
        tz = zoneinfo.ZoneInfo.no_cache(name)
        want = (at.replace(tzinfo=tz) - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(
            microseconds=1
        )
        assert instant_key(at.replace(tzinfo=tz)) == want
        assert len(_time._WALL_EPOCHS) <= 64
        del tz  # (its id is free for the next zone object)
