"""Scope v2: regions, operators, and the set algebra, against a deliberately naive model.

The model is a scope as a finite set of cells: each dimension's named values plus one
"everything else" value. Two scopes are compared over the union of the names both mention,
so the model is exact.
"""

from __future__ import annotations

import itertools
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regtimeline import Box, InvalidValue, Scope
from regtimeline._scope import canonical
from regtimeline.serialization import decode, encode

OTHER = "*else*"
DIMENSIONS = ("networks", "services", "regions", "operators")

# small pools, so that drawn scopes overlap often
SERVICES = ("photos", "videos", "sms")
REGIONS = ("IN-JK", "IN-LA", "Kashmir Valley")
OPERATORS = ("AS12389", "Jio")


@st.composite
def boxes(draw: st.DrawFn) -> Scope:
    """One box, with "all except" dimensions as well as named ones."""
    kwargs = {"networks": draw(st.sampled_from(({"mobile"}, {"fixed"}, {"mobile", "fixed"})))}
    scope = Scope(**kwargs)
    for name, pool in (("services", SERVICES), ("regions", REGIONS), ("operators", OPERATORS)):
        how = draw(st.sampled_from(("all", "named", "except")))
        values = draw(st.frozensets(st.sampled_from(pool), min_size=1, max_size=2))
        if how == "named":
            scope = scope & Scope(**{name: values})
        elif how == "except":
            scope = scope - Scope(**{name: values})
    return scope


@st.composite
def scopes(draw: st.DrawFn) -> Scope:
    """Unions, intersections and differences of up to three boxes."""
    result = draw(boxes())
    for _ in range(draw(st.integers(0, 2))):
        other = draw(boxes())
        op = draw(st.sampled_from(("|", "&", "-")))
        result = {"|": result | other, "&": result & other, "-": result - other}[op]
    return result


def names_of(*scopes: Scope) -> list[set[str]]:
    out = [{"mobile", "fixed"}, {OTHER}, {OTHER}, {OTHER}]
    for scope in scopes:
        for box in scope.boxes:
            for k, name in enumerate(DIMENSIONS[1:], start=1):
                out[k] |= getattr(box, name) or set()
                out[k] |= getattr(box, f"{name}_except")
    return out


def cells(scope: Scope, universe: list[set[str]]) -> set[tuple[str, ...]]:
    """The naive model: every cell of `universe` the scope's boxes contain."""
    out = set()
    for box in scope.boxes:
        choices = [[n for n in universe[0] if n in box.networks]]
        for k, name in enumerate(DIMENSIONS[1:], start=1):
            named, left_out = getattr(box, name), getattr(box, f"{name}_except")
            if named is not None:
                choices.append([n for n in universe[k] if n in named])
            else:
                choices.append([n for n in universe[k] if n not in left_out])
        out |= set(itertools.product(*choices))
    return out


class TestAgainstTheNaiveModel:
    @settings(max_examples=max(300, settings.default.max_examples))
    @given(scopes(), scopes())
    def test_the_algebra_is_the_algebra_of_cell_sets(self, a, b):
        """|, &, -, <=, ==, overlaps and is_empty agree with sets of cells."""
        u = names_of(a, b)
        ca, cb = cells(a, u), cells(b, u)
        assert cells(a | b, u) == ca | cb
        assert cells(a & b, u) == ca & cb
        assert cells(a - b, u) == ca - cb
        assert (a <= b) == (ca <= cb)
        assert (a == b) == (ca == cb)
        assert a.overlaps(b) == bool(ca & cb)
        assert (a - b).is_empty == (not ca - cb)

    @given(scopes(), scopes())
    def test_equal_sets_are_equal_scopes_however_built(self, a, b):
        """Scopes denoting the same points are equal and hash alike."""
        rebuilt = (a - b) | (a & b)
        assert rebuilt == a
        assert hash(rebuilt) == hash(a)
        assert Scope.from_boxes(a.boxes) == a

    def test_a_name_that_no_longer_matters_does_not_count(self):
        """IN-JK plus "all regions except IN-JK" is every region: equal to Scope(), same hash."""
        whole = Scope(regions={"IN-JK"}) | (Scope() - Scope(regions={"IN-JK"}))
        assert whole == Scope()
        assert hash(whole) == hash(Scope())
        assert Scope(networks={"mobile"}) != Scope(networks={"mobile"}) - Scope(operators="Jio")
        # the normal form itself, on boxes that merging would have joined first
        everything, jk = (frozenset(), True), (frozenset({"IN-JK"}), False)
        but_jk = (frozenset({"IN-JK"}), True)
        nets = (frozenset({"mobile", "fixed"}), False)
        split = [(nets, everything, jk, everything), (nets, everything, but_jk, everything)]
        whole = [(nets, everything, everything, everything)]
        universes = (frozenset({"mobile", "fixed"}), None, None, None)
        assert canonical(split, universes) == canonical(whole, universes)

    @given(scopes())
    def test_boxes_are_disjoint(self, a):
        """`boxes` never cover a point twice."""
        u = names_of(a)
        parts = [cells(Scope.from_boxes([box]), u) for box in a.boxes]
        assert sum(map(len, parts)) == len(set().union(*parts))

    @given(scopes())
    def test_a_scope_round_trips_through_json_and_pickle(self, a):
        """What a scope denotes survives the file format and pickling."""
        from regtimeline import ThrottleImposed

        if a.is_empty:
            return
        event = ThrottleImposed(at="2021-01-01", id="t", scope=a)
        assert decode(encode(event)).scope == a
        assert pickle.loads(pickle.dumps(a)) == a  # noqa: S301 - our own bytes


class TestRegions:
    def test_iso_codes_and_place_names(self):
        """ISO 3166-2 codes are checked; other text is a place name, kept as given."""
        scope = Scope(regions={"IN-JK", "Kashmir Valley"})
        assert scope.regions == frozenset({"IN-JK", "Kashmir Valley"})

    def test_names_have_no_hierarchy(self):
        """A block on IN-JK does not cover "Kashmir Valley": names are compared as given."""
        assert not Scope(regions={"IN-JK"}).overlaps(Scope(regions={"Kashmir Valley"}))

    def test_a_code_shaped_typo_is_refused(self):
        """`IN-XX` looks like a code and is not one: refused, not taken as a place name."""
        with pytest.raises(InvalidValue, match=r"Scope\.regions: region 'IN-XX' looks like"):
            Scope(regions={"IN-XX"})

    def test_all_regions_except(self):
        """The remainder "all regions except IN-JK" is a scope of its own, in words."""
        left = Scope(networks={"mobile"}, services={"photos", "videos"}) - Scope(regions={"IN-JK"})
        assert str(left) == "photos+videos on mobile, all regions except IN-JK"
        (box,) = left.boxes
        assert (box.regions, box.regions_except) == (None, frozenset({"IN-JK"}))
        with pytest.raises(InvalidValue, match="regions_except"):
            _ = left.regions


class TestWordsAndAttributes:
    def test_str_in_words(self):
        """Each dimension in words; several boxes joined with semicolons."""
        assert str(Scope()) == "all services on all networks"
        assert (
            str(Scope(networks={"mobile"}, regions={"IN-JK"}, operators={"AS55836"}))
            == "all services on mobile, in IN-JK, operators AS55836"
        )
        assert str(Scope() - Scope()) == "nothing"

    def test_attributes_of_several_boxes_point_to_boxes(self):
        """On a scope of several boxes, the four attributes refuse and name `boxes`."""
        two = Scope(networks={"mobile"}, services={"sms"}) | Scope(regions={"IN-JK"})
        assert len(two.boxes) > 1
        with pytest.raises(InvalidValue, match="boxes"):
            _ = two.networks

    def test_empty_sets_and_bad_networks_are_refused(self):
        """An empty set, or a network that is not mobile or fixed, is refused naming it."""
        with pytest.raises(InvalidValue, match=r"Scope\.operators"):
            Scope(operators=set())
        with pytest.raises(InvalidValue, match=r"Scope\.networks"):
            Scope(networks={"app-store"})

    def test_a_box_cannot_name_and_except_at_once(self):
        """`Box` values are checked when a scope is built from them."""
        bad = Box(
            networks=frozenset({"mobile"}),
            services=frozenset({"sms"}),
            regions=None,
            operators=None,
            services_except=frozenset({"sms"}),
        )
        with pytest.raises(InvalidValue, match="services_except"):
            Scope.from_boxes([bad])

    def test_scopes_are_immutable(self):
        """A Scope cannot be changed."""
        with pytest.raises(AttributeError):
            Scope().networks = frozenset()  # type: ignore[misc]
