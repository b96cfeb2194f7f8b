"""Events and values: immutable, normalised at the edge, refused with a named field."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import attrs
import pytest
from hypothesis import given

from regtimeline import (
    ContentRemoved,
    DeadlineExtended,
    Dispute,
    Event,
    FineImposed,
    InvalidValue,
    Scope,
    Statement,
    TakedownRequested,
    ThrottleImposed,
    TimeError,
    WarningIssued,
)
from regtimeline.strategies import events


class TestIds:
    def test_a_given_id_is_kept(self):
        """An explicit id is the event's id."""
        assert Statement(at="2021-04-01", id="s1", by="x", text="y").id == "s1"

    def test_generated_ids_come_from_the_content(self):
        """The same fact gets the same id; another fact another id."""
        a = WarningIssued(at="2021-03-16", categories=["a", "b"], due="2021-04-15")
        b = WarningIssued(at="2021-03-16", categories=("b", "a"), due="2021-04-15")
        c = WarningIssued(at="2021-03-17", categories=("b", "a"), due="2021-04-15")
        assert a.id == b.id != c.id
        assert a.id.startswith("warning_issued-")

    def test_generated_ids_are_the_same_in_another_process(self):
        """No hash randomisation leaks into ids (sets are sorted first)."""
        code = (
            "from regtimeline import WarningIssued;"
            "print(WarningIssued(at='2021-03-16', categories=['x','y','z','w']).id)"
        )
        ids = {
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
            for _ in range(3)
        }
        here = WarningIssued(at="2021-03-16", categories=["x", "y", "z", "w"]).id
        assert ids == {here + "\n"}

    def test_a_blank_id_is_refused(self):
        """An id of spaces is refused."""
        with pytest.raises(InvalidValue, match="blank"):
            Statement(at="2021-04-01", id="  ", by="x", text="y")


class TestValues:
    def test_events_are_frozen(self):
        """Events cannot be changed; evolve makes a new one."""
        s = Statement(at="2021-04-01", id="s", by="x", text="y")
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            s.text = "z"  # type: ignore[misc]
        assert attrs.evolve(s, text="z").text == "z"

    def test_the_base_class_is_abstract(self):
        """Event itself is not a fact."""
        with pytest.raises(InvalidValue, match="abstract"):
            Event(at="2021-04-01")

    @pytest.mark.parametrize(
        ("build", "error", "where"),
        [
            (
                lambda: FineImposed(at="2021-04-02", amount=1.5, currency="RUB", by="c"),
                InvalidValue,
                "amount",
            ),
            (
                lambda: FineImposed(at="2021-04-02", amount="NaN", currency="RUB", by="c"),
                InvalidValue,
                "amount",
            ),
            (
                lambda: FineImposed(at="2021-04-02", amount=-5, currency="RUB", by="c"),
                InvalidValue,
                "amount",
            ),
            (
                lambda: FineImposed(at="2021-04-02", amount=5, currency="RUBLE", by="c"),
                InvalidValue,
                "currency",
            ),
            (lambda: ContentRemoved(at="2021-04-02", items=-1), InvalidValue, "items"),
            (lambda: ContentRemoved(at="2021-04-02", items=True), InvalidValue, "items"),
            (lambda: ContentRemoved(at="2021-04-02", items=2**53), InvalidValue, "items"),
            (
                lambda: WarningIssued(at="2021-04-02", categories={"\ud800"}),
                InvalidValue,
                "categories",
            ),
            (lambda: Scope(services={"ok", "\ud800"}), InvalidValue, "services"),
            (lambda: TakedownRequested(at="2021-04-02", items=1, sla="a day"), TimeError, "sla"),
            (
                lambda: WarningIssued(at="2021-04-02", consequence="nuke"),
                InvalidValue,
                "consequence",
            ),
            (lambda: WarningIssued(at="2021-04-02", categories=[1]), InvalidValue, "categories"),
            (lambda: ThrottleImposed(at="2021-04-02", scope="fixed"), InvalidValue, "scope"),
            (lambda: ThrottleImposed(at="2021-04-02", ends="soon"), TimeError, "ends"),
            (lambda: Statement(at="2021-04-02", by=None, text="y"), InvalidValue, "by"),
            (lambda: Scope(networks={"satellite"}), InvalidValue, "networks"),
            (lambda: Scope(networks=()), InvalidValue, "networks"),
            (lambda: Scope(services=()), InvalidValue, "services"),
            (lambda: Scope(services=5), InvalidValue, "services"),
            (
                lambda: Dispute(
                    id="", regulator="r", platform="p", jurisdiction="RU", timezone="UTC"
                ),
                InvalidValue,
                "id",
            ),
            (
                lambda: Dispute(
                    id="d", regulator="r", platform="p", jurisdiction="RUS", timezone="UTC"
                ),
                InvalidValue,
                "jurisdiction",
            ),
            (
                lambda: Dispute(
                    id="d", regulator="r", platform="p", jurisdiction="RU", timezone="Moscow"
                ),
                TimeError,
                "timezone",
            ),
        ],
    )
    def test_malformed_values_name_their_field(self, build, error, where):
        """Every malformed value raises a RegTimelineError that names the class and field."""
        with pytest.raises(error, match=rf"\.{where}: "):
            build()

    def test_extension_needs_exactly_one_of_due_and_by(self):
        """Both or neither of `due` and `by` is refused."""
        with pytest.raises(InvalidValue, match="exactly one"):
            DeadlineExtended(at="2021-04-05", deadline="d")
        with pytest.raises(InvalidValue, match="exactly one"):
            DeadlineExtended(at="2021-04-05", deadline="d", due="2021-05-15", by="P1M")

    def test_scope_takes_any_iterable_and_holds_frozensets(self):
        """Lists, tuples, generators and a lone string all become frozensets."""
        s = Scope(networks=["fixed"], services=(x for x in ("photos", "videos")))
        assert s.networks == frozenset({"fixed"})
        assert s.services == frozenset({"photos", "videos"})
        assert Scope(services="photos").services == frozenset({"photos"})
        assert str(Scope()) == "all services on all networks"

    def test_amounts_are_exact(self):
        """Amounts are Decimals from strings and ints."""
        assert FineImposed(
            at="2021-04-02", amount="0.10", currency="eur", by="c"
        ).amount == Decimal("0.10")

    @given(events())
    def test_every_generated_event_equals_its_copy(self, event):
        """Events are values: rebuilt from their fields, they are equal and hash alike."""
        fields = {a.alias: getattr(event, a.name) for a in attrs.fields(type(event)) if a.init}
        again = type(event)(**fields)
        assert again == event
        assert hash(again) == hash(event)
