"""The generated readers against cattrs' path: whatever a reader returns, cattrs' path returns.

`decode` reads plainly well-formed data with a generated reader and leaves everything else to
cattrs' path (`_structured`). These tests feed both the encodings of random events, and the
same encodings with one field replaced, removed or added, and check that a reader never
returns an event that cattrs' path would refuse or build differently.
"""

from __future__ import annotations

import attrs
import pendulum
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from regtimeline import BlockImposed, EventCorrected, EventRetracted, Statement, ThrottleImposed
from regtimeline._events import EVENT_TYPES
from regtimeline.serialization import _READERS, _structured, decode, encode
from regtimeline.strategies import events

# values a field may meet: JSON's types, and texts that are nearly right
json_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-2, max_value=2),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.sampled_from(
        [
            "",
            " ",
            "\ud800",  # a lone surrogate: only a Python dict can hold one
            "Роскомнадзор",
            "2021-03-10",
            "20210310",
            "2021-03-10T10:00:00",
            "2021-03-10T10:00:00Z",
            "2021-03-10T10:00:00+03:00",
            "2021-03-10T10:00:00.000001-00:00",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00",
            "P1M",
            "PT48H",
            "P0D",
            "PT1.5S",
            "block",
            "throttle",
            "BLOCK",
            "1000.00",
            "-1",
            "NaN",
            "rub",
            "RUB",
        ]
    ),
    st.lists(st.sampled_from(["a", "", " ", "extremism", "\ud800", 3]), max_size=3),
    st.sampled_from(
        [
            {},
            {"networks": ["fixed", "mobile"], "services": None},
            {"networks": ["mobile", "fixed"], "services": None},
            {"networks": ["fixed"], "services": None},
            {"networks": ["fixed", "mobile"]},
            {"networks": ["fixed", "mobile"], "services": ["photos"]},
        ]
    ),
)

# a differential property of a fast path: worth more examples than the quick profile's
AT_LEAST_200 = max(200, settings.default.max_examples)


def outcome(read, data):
    """What `read` makes of `data`: an event, or None for a refusal."""
    try:
        return read(data)
    except Exception:  # any refusal counts as "not read"
        return None


def same(fast, slow):
    """Equal, and equal in every detail equality does not look at."""
    assert type(fast) is type(slow)
    assert fast == slow
    for field in attrs.fields(type(fast)):  # the _key too, which equality leaves out
        mine, theirs = getattr(fast, field.name), getattr(slow, field.name)
        assert type(mine) is type(theirs)  # Date or DateTime, frozenset, Consequence
        assert mine == theirs
        assert getattr(mine, "tzinfo", None) is getattr(theirs, "tzinfo", None)


ALL_KINDS = events([*EVENT_TYPES, EventRetracted, EventCorrected])


@st.composite
def mutated(draw):
    """An event's encoding with one field replaced, removed, or one unknown field added."""
    data = encode(draw(ALL_KINDS))
    how = draw(st.sampled_from(["replace", "remove", "add", "keep"]))
    if how == "replace":
        data[draw(st.sampled_from(sorted(data)))] = draw(json_values)
    elif how == "remove":
        del data[draw(st.sampled_from(sorted(data)))]
    elif how == "add":
        data[draw(st.sampled_from(["extra", "recorded_at", "Type"]))] = draw(json_values)
    return data


class TestReaders:
    def test_every_kind_but_corrections_has_a_reader(self):
        """Facts and retractions are read by generated readers (a correction nests an event)."""
        assert set(_READERS) == {cls.kind for cls in EVENT_TYPES} | {EventRetracted.kind}

    @given(ALL_KINDS)
    def test_readers_read_what_encode_writes(self, event):
        """The encoding of any event with an id and a default scope takes the fast path."""
        assume(getattr(event, "scope", None) in (None, ThrottleImposed(at="2021-01-01").scope))
        assume(getattr(event, "window", None) is None)  # windows take cattrs' path
        assume(event.kind in _READERS)
        data = encode(event)
        fast = _READERS[event.kind](data)
        assert fast is not None
        same(fast, _structured(data))
        same(fast, event)

    @settings(max_examples=AT_LEAST_200)
    @given(mutated())
    def test_a_reader_returns_only_what_cattrs_returns(self, data):
        """Whenever a reader accepts data, cattrs' path accepts it and builds the same event."""
        kind = data.get("type")
        reader = _READERS.get(kind) if isinstance(kind, str) else None
        assume(reader is not None)
        fast = outcome(reader, data)
        if fast is not None:
            same(fast, _structured(data))

    @pytest.mark.parametrize(
        "data",
        [
            {"type": "statement", "at": "2021-03-10", "by": "x", "text": "t"},  # no id
            {"type": "statement", "at": "2021-03-10", "id": " ", "by": "x", "text": "t"},
            {"type": "statement", "at": "2021-03-10", "id": "s", "by": "x", "text": "\ud800"},
            {"type": "statement", "at": "2021-03-10T10:00", "id": "s", "by": "x", "text": "t"},
            {"type": "statement", "at": "2021-03-10", "id": "s", "by": "x", "text": "t", "x": 1},
            {
                "type": "block_imposed",
                "at": "2021-03-10",
                "id": "b",
                "scope": {"networks": ["fixed"], "services": None},
            },
            {"type": "deadline_extended", "at": "2021-03-10", "deadline": "d"},  # no due or by
            {"type": "content_removed", "at": "2021-03-10", "id": "c", "items": -1},
            {"type": "content_removed", "at": "2021-03-10", "id": "c", "items": True},
            {"type": "deadline_met", "at": "2021-03-10", "id": "m", "deadline": " "},
        ],
    )
    def test_what_readers_leave_to_cattrs(self, data):
        """Derived ids, refusals and scopes other than everything go to cattrs' path."""
        assert outcome(_READERS[data["type"]], data) is None

    def test_decode_still_gives_what_readers_leave(self):
        """decode takes cattrs' path for what a reader leaves: the same events, or errors."""
        derived = decode({"type": "statement", "at": "2021-03-10", "by": "x", "text": "t"})
        assert derived == Statement(at="2021-03-10", by="x", text="t")
        fixed = {"networks": ["fixed"], "services": None}
        block = decode({"type": "block_imposed", "at": "2021-03-10", "id": "b", "scope": fixed})
        assert block.scope.networks == {"fixed"}
        assert block == BlockImposed(at="2021-03-10", id="b", scope=block.scope)

    def test_instants_are_utc_datetimes_with_their_key(self):
        """An instant with an offset is converted to UTC, its key computed once."""
        event = decode(
            {"type": "block_lifted", "at": "2021-03-10T10:00:00.5+03:00", "id": "u", "note": None}
        )
        assert event.at == pendulum.datetime(2021, 3, 10, 7, 0, 0, 500000)
        assert event.at.tzinfo is pendulum.UTC
        assert event._key == _structured({**encode(event), "note": None})._key
