"""The JSON form: exact round trips, upcasting, the JSON Schema, and refusals with a path."""

from __future__ import annotations

import datetime as dt
import json
import pathlib
from decimal import Decimal

import jsonschema
import orjson
import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

import regtimeline
import regtimeline.examples
from regtimeline import (
    EventCorrected,
    EventRetracted,
    FineImposed,
    SchemaError,
    Statement,
    TakedownRequested,
)
from regtimeline._events import EVENT_TYPES
from regtimeline._jsonschema import json_schema
from regtimeline._time import MAX_KEY, MIN_KEY
from regtimeline.examples import twitter_russia
from regtimeline.serialization import (
    SCHEMA_VERSION,
    decode,
    decode_dispute,
    dumps,
    encode,
    encode_dispute,
    loads,
    upcast,
)
from regtimeline.strategies import disputes, events, imprecise_dates, instants

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
VALIDATOR = jsonschema.Draft202012Validator(json_schema())

unicode_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
wide_dates = st.dates(min_value=pendulum.Date(1, 1, 1), max_value=pendulum.Date(9999, 12, 31)).map(
    lambda d: pendulum.Date(d.year, d.month, d.day)
)
wide_instants = st.builds(
    lambda d, tz: pendulum.instance(d.replace(tzinfo=pendulum.timezone(tz))),
    st.datetimes(min_value=pendulum.naive(2, 1, 1), max_value=pendulum.naive(9998, 12, 31)),
    st.sampled_from(
        [
            "UTC",
            "Europe/Moscow",
            "America/St_Johns",
            "Asia/Kathmandu",
            "Pacific/Kiritimati",
            "America/Sao_Paulo",
        ]
    ),
)


class TestRoundTrip:
    def test_founding_case(self):
        """Every event of the founding case comes back equal, and validates against the schema."""
        for event in twitter_russia().events:
            VALIDATOR.validate(encode(event))
            assert decode(encode(event)) == event
            assert loads(dumps(event)) == event

    @given(events([*EVENT_TYPES, EventRetracted, EventCorrected]))
    def test_every_kind(self, event):
        """decode(encode(x)) == x for every kind, corrections too; every encoding validates."""
        data = encode(event)
        VALIDATOR.validate(data)
        assert decode(data) == event
        assert decode(orjson.loads(orjson.dumps(data))) == event

    @given(st.one_of(wide_instants, instants()))
    def test_instants_are_written_as_isoformat_writes_them(self, when):
        """The short path for UTC instants writes what `isoformat` writes."""
        from regtimeline.serialization import _instant_text

        assert _instant_text(when) == when.isoformat()
        utc = when.in_timezone("UTC")
        assert _instant_text(utc) == utc.isoformat()

    @given(events([*EVENT_TYPES, EventRetracted, EventCorrected]))
    def test_encode_equals_cattrs_tagged_union(self, event):
        """encode's per-kind dispatch (a fast path) gives what cattrs' tagged union gives."""
        from regtimeline.serialization import _CONVERTER, _UNION

        assert encode(event) == _CONVERTER.unstructure(event, _UNION)
        assert list(encode(event)) == list(_CONVERTER.unstructure(event, _UNION))

    @given(
        unicode_text,
        unicode_text.filter(lambda s: s.strip()),
        st.one_of(wide_dates, wide_instants),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10) ** 30, places=2),
    )
    def test_extreme_values(self, text, an_id, at, amount):
        """Unicode, years 1 to 9999, instants in odd zones and large amounts survive exactly."""
        for event in (
            Statement(at=at, id=an_id, by=text, text=text, note=text),
            FineImposed(at=at, id=an_id, amount=amount, currency="RUB", by=text),
        ):
            data = encode(event)
            VALIDATOR.validate(data)
            assert decode(data) == event

    @given(disputes())
    def test_disputes(self, dispute):
        """Disputes round-trip too."""
        VALIDATOR.validate(
            {"format": "regtimeline", "schema": SCHEMA_VERSION, "dispute": encode_dispute(dispute)}
        )
        assert decode_dispute(encode_dispute(dispute)) == dispute

    def test_output_is_stable_text(self):
        """Keys are sorted, sets are sorted lists, amounts strings: files diff well."""
        line = dumps(
            FineImposed(
                at="2021-04-02T10:00:00+03:00", id="f", amount="1.50", currency="eur", by="court"
            )
        )
        assert line == (
            b'{"amount":"1.50","at":"2021-04-02T07:00:00+00:00","by":"court","currency":"EUR",'
            b'"deadline":null,"id":"f","note":null,"per":null,"source":null,'
            b'"type":"fine_imposed","until":null}'
        )


class TestSchemaFile:
    def test_the_shipped_schema_is_the_generated_one(self):
        """regtimeline/schema.json is exactly what the classes generate (no drift)."""
        shipped = json.loads(
            (pathlib.Path(regtimeline.__file__).parent / "schema.json").read_text()
        )
        assert shipped == json_schema()

    @pytest.mark.parametrize(
        "bad",
        [
            {"type": "statement", "at": "2021-01-01", "id": "s", "by": "x"},
            {"type": "statement", "at": "2021-01-01T10:00", "id": "s", "by": "x", "text": "t"},
            {
                "type": "statement",
                "at": "2021-01-01",
                "id": "s",
                "by": "x",
                "text": "t",
                "extra": 1,
            },
            {
                "type": "fine_imposed",
                "at": "2021-01-01",
                "id": "f",
                "by": "x",
                "currency": "RUB",
                "amount": 5,
            },
            {"type": "content_removed", "at": "2021-01-01", "id": "c", "items": -1},
            {"type": "nuke", "at": "2021-01-01", "id": "n"},
        ],
    )
    def test_malformed_events_do_not_validate(self, bad):
        """The schema refuses what the decoder refuses."""
        with pytest.raises(jsonschema.ValidationError):
            VALIDATOR.validate(bad)
        with pytest.raises(SchemaError):
            decode(bad)


class TestUpcasting:
    def test_schema_1_hours_become_a_duration(self):
        """A takedown's deadline_hours (schema 1) is read as an ISO duration (schema 2)."""
        event = loads(
            b'{"type":"takedown_requested","at":"2021-03-10","id":"r","items":1,"deadline_hours":24}',
            schema=1,
        )
        assert isinstance(event, TakedownRequested)
        assert event.sla == "PT24H"

    def test_schema_1_file_loads(self):
        """The version-1 fixture file loads as a valid timeline."""
        timeline = regtimeline.load(FIXTURES / "schema-1.jsonl")
        assert [e.sla for e in timeline.events if isinstance(e, TakedownRequested)] == [
            "PT24H",
            None,
        ]
        assert timeline.status_at("2021-04-06").items_removed == 1900

    def test_schema_3_file_loads_and_is_written_in_the_current_schema(self, tmp_path):
        """A schema-3 file (the founding case as 0.1 wrote it) is upcast: scopes gain
        regions and operators, and everything else means what it meant."""
        old = regtimeline.load(FIXTURES / "schema-3.jsonl")
        new = regtimeline.examples.twitter_russia()
        assert [e.id for e in old] == [e.id for e in new]
        assert old.history() == new.history()
        for day in ("2021-03-10", "2021-05-16", "2021-05-20", "2022-03-05"):
            assert old.status_at(day).phase_for(network="fixed") == new.status_at(day).phase_for(
                network="fixed"
            )
        regtimeline.dump(old, tmp_path / "again.jsonl")
        again = (tmp_path / "again.jsonl").read_bytes().splitlines()
        assert f'"schema":{SCHEMA_VERSION}'.encode() in again[0]
        assert again[-1].startswith(b'{"seal":')
        throttle = upcast(
            {"type": "throttle_imposed", "scope": {"networks": ["fixed"], "services": None}}, 3
        )
        assert throttle["scope"] == {
            "networks": ["fixed"],
            "services": None,
            "regions": None,
            "operators": None,
        }

    @pytest.mark.parametrize("version", [0, SCHEMA_VERSION + 1, "2", True, None])
    def test_unknown_versions_are_refused(self, version):
        """A newer, or nonsensical, schema version is a SchemaError."""
        with pytest.raises(SchemaError):
            upcast({}, version)


class TestRefusals:
    @pytest.mark.parametrize(
        ("data", "where"),
        [
            ({"type": "x", "at": "2021-01-01"}, "$.type"),
            ({"at": "2021-01-01"}, "$.type"),
            ({"type": "statement", "at": "2021-01-01", "by": "x"}, "$.text"),
            ({"type": "statement", "at": "2021-01-01", "by": "x", "text": "t", "zz": 1}, "zz"),
            ({"type": "statement", "at": 5, "by": "x", "text": "t"}, "$.at"),
            ({"type": "statement", "at": "2021-01-01T10:00", "by": "x", "text": "t"}, "$.at"),
            ({"type": "statement", "at": "2021-01-01", "by": 3, "text": "t"}, "$.by"),
            ({"type": "content_removed", "at": "2021-01-01", "items": "5"}, "$.items"),
            ({"type": "content_removed", "at": "2021-01-01", "items": True}, "$.items"),
            ({"type": "warning_issued", "at": "2021-01-01", "categories": "abc"}, "$.categories"),
            (
                {
                    "type": "fine_imposed",
                    "at": "2021-01-01",
                    "by": "x",
                    "amount": 1.5,
                    "currency": "RUB",
                },
                "$.amount",
            ),
            (
                {
                    "type": "fine_imposed",
                    "at": "2021-01-01",
                    "by": "x",
                    "amount": "Infinity",
                    "currency": "RUB",
                },
                "amount",
            ),
            (
                {"type": "throttle_imposed", "at": "2021-01-01", "scope": {"networks": ["sat"]}},
                "$.scope",
            ),
            ({"type": "throttle_imposed", "at": "2021-01-01", "scope": "all"}, "$.scope"),
        ],
    )
    def test_bad_values_are_schema_errors_with_a_path(self, data, where):
        """Every malformed event is a SchemaError whose message points at the field."""
        with pytest.raises(SchemaError) as info:
            decode(data)
        assert where in str(info.value)

    @pytest.mark.parametrize(
        "text",
        [
            b"",
            b"{",
            b"[]",
            b"null",
            b"NaN",
            b'{"type": NaN}',
            b"\xff\xfe",
            b"[" * 5000 + b"]" * 5000,
        ],
    )
    def test_bad_json_is_a_schema_error(self, text):
        """Malformed JSON, NaN, invalid UTF-8 and deep nesting are SchemaErrors."""
        with pytest.raises(SchemaError):
            loads(text)

    @given(
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
            lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
            max_leaves=20,
        )
    )
    def test_random_json_values_only_raise_schema_errors(self, value):
        """Whatever JSON value the decoder meets, only SchemaError escapes."""
        for candidate in (
            value,
            {"type": "statement", "at": value, "by": value, "text": value},
            {"type": "throttle_imposed", "at": "2021-01-01", "scope": value},
        ):
            try:
                decode(candidate)
            except SchemaError:
                pass


# --- the generated writers (regtimeline._writers) --------------------------------------------


def _cattrs_path(event):
    """An event's dict by cattrs' tagged union: what `encode` gave before the writers."""
    from regtimeline.serialization import _CONVERTER, _UNION

    return _CONVERTER.unstructure(event, _UNION)


def test_every_kind_has_a_writer():
    """So `encode` is the writers' (TestRoundTrip holds encode to cattrs' path)."""
    from regtimeline.serialization import _WRITERS, ALL_EVENT_TYPES

    assert set(_WRITERS) == set(ALL_EVENT_TYPES)


def test_a_writer_takes_cattrs_text_for_an_instant_held_in_another_zone():
    """The constructors hold instants in UTC; one in another zone (set behind their back)
    is written as its own text, not from the key."""
    event = Statement(at="2021-03-10T10:00:00+03:00", id="s", by="x", text="t")
    moscow = pendulum.instance(event.at).in_timezone("Europe/Moscow")
    object.__setattr__(event, "at", moscow)
    assert encode(event)["at"] == "2021-03-10T10:00:00+03:00" == _cattrs_path(event)["at"]


@given(st.integers(MIN_KEY, MAX_KEY))
def test_key_text_is_isoformat(key):
    from regtimeline._time import EPOCH
    from regtimeline._writers import key_text

    expected = (EPOCH + dt.timedelta(microseconds=key)).isoformat()
    assert key_text(key) == expected
    assert key_text(key) == expected  # (the day's text kept)


def test_key_text_at_the_ends_and_past_its_store_of_days():
    from regtimeline import _writers
    from regtimeline._time import EPOCH

    keys = [MIN_KEY, MAX_KEY, 0, -1, 1, 86_400_000_000 * 5000 + 1]
    keys += [day * 86_400_000_000 + 59_999_999 for day in range(_writers._MAX_DAYS + 10)]
    for key in keys:
        assert _writers.key_text(key) == (EPOCH + dt.timedelta(microseconds=key)).isoformat()
    assert len(_writers._DAYS) <= _writers._MAX_DAYS


@given(imprecise_dates(), st.one_of(st.none(), imprecise_dates(), instants()))
def test_imprecise_times_are_written_as_cattrs_path_writes_them(at, later):
    """An imprecise time (EDTF text) in `at`, `due` or `ends`: its own text."""
    from regtimeline import DeadlineSet, ThrottleImposed

    for event in (
        Statement(at=at, id="s", by="x", text="t"),
        DeadlineSet(at=at, id="d", due=later),
        ThrottleImposed(at=at, id="t", ends=later),
    ):
        assert encode(event) == _cattrs_path(event)
        assert decode(encode(event)) == event
