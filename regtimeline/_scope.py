"""`Scope`: the set of points (network, service, region, operator) a restriction covers.

A scope is a finite union of *boxes*. A box names, in each dimension, either a finite set of
values or "everything except" a finite set (networks are a finite universe, `mobile` and
`fixed`, and are always held as the set itself). Every operation (union, intersection,
difference, subset) is exact on the sets of points; two scopes are equal when they denote the
same points, however they were built.

The machinery (`_Dim`, boxes as tuples of dims, `region_*`) works for any number of
dimensions: a delisting uses the four of a scope plus the app stores.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Final, TypeAlias

import attrs

from ._fields import names
from .errors import InvalidValue

__all__ = ["EVERYTHING", "NETWORKS", "NOTHING", "Box", "Scope"]

#: The networks a scope can name.
NETWORKS: Final = frozenset({"mobile", "fixed"})
#: What a code-shaped region looks like (ISO 3166-2): checked against the ISO list.
REGION_CODE: Final = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")

#: One dimension of a box: (names, negated). Not negated: exactly `names`; negated: every
#: value except `names`. Finite universes (networks) are never negated.
_Dim: TypeAlias = tuple[frozenset[str], bool]
_Box: TypeAlias = tuple[_Dim, ...]
#: The finite universe of each dimension, or None for an open one.
_Universes: TypeAlias = tuple[frozenset[str] | None, ...]

_ALL: Final[_Dim] = (frozenset(), True)
_SCOPE_UNIVERSES: Final[_Universes] = (NETWORKS, None, None, None)
_DIMENSIONS: Final = ("networks", "services", "regions", "operators")


# --- one dimension ---------------------------------------------------------------------------


def _norm(d: _Dim, universe: frozenset[str] | None) -> _Dim:
    if universe is not None and d[1]:
        return (universe - d[0], False)
    return d


def dim_and(a: _Dim, b: _Dim) -> _Dim:
    """The values in both."""
    (an, aneg), (bn, bneg) = a, b
    if not aneg and not bneg:
        return (an & bn, False)
    if not aneg:
        return (an - bn, False)
    if not bneg:
        return (bn - an, False)
    return (an | bn, True)


def dim_minus(a: _Dim, b: _Dim) -> _Dim:
    """The values of `a` not in `b`."""
    return dim_and(a, (b[0], not b[1]))


def dim_or(a: _Dim, b: _Dim) -> _Dim:
    """The values in either."""
    (an, aneg), (bn, bneg) = a, b
    if not aneg and not bneg:
        return (an | bn, False)
    if aneg and bneg:
        return (an & bn, True)
    if aneg:
        return (an - bn, True)
    return (bn - an, True)


def dim_empty(d: _Dim) -> bool:
    """Whether no value is in it."""
    return not d[1] and not d[0]


def dim_has(d: _Dim, value: str) -> bool:
    """Whether `value` is in it."""
    return (value in d[0]) != d[1]


# --- boxes and unions of boxes -----------------------------------------------------------------


def box_and(a: _Box, b: _Box) -> _Box | None:
    """The intersection of two boxes, or None when empty."""
    if a == b:  # (restrictions repeat a few scopes: a box meets itself most often)
        return None if any(not d[1] and not d[0] for d in a) else a
    out = []
    for x, y in zip(a, b, strict=True):
        d = dim_and(x, y)
        if dim_empty(d):
            return None
        out.append(d)
    return tuple(out)


def box_minus(a: _Box, b: _Box, universes: _Universes) -> list[_Box]:
    """`a` minus `b`, as disjoint boxes."""
    if a == b:
        return []
    if box_and(a, b) is None:
        return [a]
    pieces: list[_Box] = []
    rest = list(a)
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        outside = _norm(dim_minus(x, y), universes[i])
        if not dim_empty(outside):
            pieces.append((*rest[:i], outside, *rest[i + 1 :]))
        rest[i] = _norm(dim_and(x, y), universes[i])
    return pieces


def region_minus(boxes: Sequence[_Box], other: Sequence[_Box], universes: _Universes) -> list[_Box]:
    """The points of `boxes` not in `other`."""
    out = list(boxes)
    for b in other:
        out = [piece for a in out for piece in box_minus(a, b, universes)]
    return out


def region_and(boxes: Sequence[_Box], other: Sequence[_Box]) -> list[_Box]:
    """The points in both."""
    return [c for a in boxes for b in other if (c := box_and(a, b)) is not None]


def region_or(boxes: Sequence[_Box], other: Sequence[_Box], universes: _Universes) -> list[_Box]:
    """The points in either (disjoint boxes when `boxes` are)."""
    return [*boxes, *region_minus(other, boxes, universes)]


def region_overlaps(boxes: Sequence[_Box], other: Sequence[_Box]) -> bool:
    """Whether some point is in both."""
    return any(box_and(a, b) is not None for a in boxes for b in other)


def merged(boxes: Sequence[_Box], universes: _Universes) -> tuple[_Box, ...]:
    """The same points in fewer boxes: disjoint boxes that differ in one dimension merge."""
    out = list(boxes)
    changed = True
    while changed:
        changed = False
        for i in range(len(out)):
            for j in range(i + 1, len(out)):
                a, b = out[i], out[j]
                differ = [k for k in range(len(a)) if a[k] != b[k]]
                if len(differ) <= 1:
                    k = differ[0] if differ else 0
                    joined = _norm(dim_or(a[k], b[k]), universes[k])
                    out[i] = (*a[:k], joined, *a[k + 1 :])
                    del out[j]
                    changed = True
                    break
            if changed:
                break
    return tuple(out)


_OTHER: Final = "\x00other"  # stands for every value a scope does not name


def canonical(
    boxes: Sequence[_Box], universes: _Universes
) -> tuple[tuple[frozenset[str], ...], frozenset[tuple[str, ...]]]:
    """The points as the names that matter and a set of cells over them.

    Each dimension's atoms are the names the boxes mention plus one "every other value";
    a name that behaves exactly like "every other value" is dropped, so the result depends on
    the points only, never on how the boxes were drawn. The names kept are part of the
    result: "every other value" means something else when they differ.
    """
    atoms: list[list[str]] = []
    for k, universe in enumerate(universes):
        if universe is not None:
            atoms.append(sorted(universe))
        else:
            mentioned = set().union(*(b[k][0] for b in boxes)) if boxes else set()
            atoms.append([*sorted(mentioned), _OTHER])

    def inside(d: _Dim, atom: str) -> bool:
        return d[1] if atom == _OTHER else dim_has(d, atom)

    cells: set[tuple[str, ...]] = set()
    for b in boxes:
        choices = [[a for a in atoms[k] if inside(b[k], a)] for k in range(len(universes))]
        cells.update(_product(choices))
    for k, universe in enumerate(universes):
        if universe is not None:
            continue
        for name in atoms[k][:-1]:
            with_name = {c[:k] + c[k + 1 :] for c in cells if c[k] == name}
            with_other = {c[:k] + c[k + 1 :] for c in cells if c[k] == _OTHER}
            if with_name == with_other:
                cells = {c for c in cells if c[k] != name}
                atoms[k].remove(name)
    kept = tuple(frozenset(a) - {_OTHER} for a in atoms)
    return kept, frozenset(cells)


def _product(choices: list[list[str]]) -> Iterator[tuple[str, ...]]:
    if not choices:
        yield ()
        return
    for head in choices[0]:
        for tail in _product(choices[1:]):
            yield (head, *tail)


# --- the public class --------------------------------------------------------------------------


def _dim_of(value: Iterable[str] | str | None, what: str) -> _Dim:
    if value is None:
        return _ALL
    chosen = names(value, what)
    if not chosen:
        msg = f"{what} must name at least one value; leave it out (None) for all {what}"
        raise InvalidValue(msg)
    return (chosen, False)


def _named(field: str, convert: Callable[[Any], _Dim], value: Any) -> _Dim:
    """`convert(value)`, an error naming the field as the event classes' errors do."""
    try:
        return convert(value)
    except InvalidValue as exc:
        msg = f"Scope.{field}: {exc}"
        raise InvalidValue(msg) from None


def _networks(value: Iterable[str] | str | None) -> _Dim:
    if value is None:
        return (NETWORKS, False)
    chosen = names(value, "networks")
    if not chosen or chosen - NETWORKS:
        msg = f"networks must be a non-empty subset of {sorted(NETWORKS)}, got {sorted(chosen)}"
        raise InvalidValue(msg)
    return (chosen, False)


@functools.lru_cache(maxsize=4096)
def _subdivision_country(code: str) -> str | None:
    import pycountry  # noqa: PLC0415 - its tables load on first use only

    found: Any = pycountry.subdivisions.get(code=code)  # type: ignore[no-untyped-call]
    return None if found is None else str(found.country_code)


def _regions(value: Iterable[str] | str | None) -> _Dim:
    dim = _dim_of(value, "regions")
    check_regions(dim[0])
    return dim


def check_regions(values: Iterable[str]) -> None:
    """Refuse a code-shaped region (``XX-...``) that is not in ISO 3166-2 (a typo)."""
    for region in values:
        if REGION_CODE.match(region) and _subdivision_country(region) is None:
            msg = (
                f"region {region!r} looks like an ISO 3166-2 code but is not one; give a real "
                "subdivision code (such as 'IN-JK') or a place name as written"
            )
            raise InvalidValue(msg)


def region_countries(values: Iterable[str]) -> frozenset[str]:
    """The ISO 3166-1 countries of the ISO 3166-2 codes among `values` (names have none)."""
    out = set()
    for region in values:
        if REGION_CODE.match(region):
            country = _subdivision_country(region)
            if country is not None:
                out.add(country)
    return frozenset(out)


def _set_words(d: _Dim, plural: str, every: str) -> str:
    names_ = "+".join(sorted(d[0]))
    if d[1]:
        return f"{every} except {names_}" if d[0] else every
    return names_


@attrs.frozen(kw_only=True)
class Box:
    """One box of a scope: a set (or "every value except a set") in each dimension.

    Attributes:
        networks: the networks (a subset of ``{"mobile", "fixed"}``).
        services, regions, operators: the values named, or None for every value except
            those in the matching ``*_except`` set (empty: every value).
        services_except, regions_except, operators_except: the values left out when the
            dimension is None.

    Examples:
        >>> (Scope(regions={"IN-JK"}) - Scope(services={"sms"})).boxes[0].services_except
        frozenset({'sms'})
    """

    networks: frozenset[str]
    services: frozenset[str] | None
    regions: frozenset[str] | None
    operators: frozenset[str] | None
    services_except: frozenset[str] = frozenset()
    regions_except: frozenset[str] = frozenset()
    operators_except: frozenset[str] = frozenset()


def _box_public(b: _Box) -> Box:
    def pos(d: _Dim) -> frozenset[str] | None:
        return None if d[1] else d[0]

    def neg(d: _Dim) -> frozenset[str]:
        return d[0] if d[1] else frozenset()

    return Box(
        networks=b[0][0],
        services=pos(b[1]),
        regions=pos(b[2]),
        operators=pos(b[3]),
        services_except=neg(b[1]),
        regions_except=neg(b[2]),
        operators_except=neg(b[3]),
    )


def box_words(b: _Box) -> str:
    """One box in words: ``photos+videos on mobile, all regions except IN-JK``."""
    nets = "all networks" if b[0][0] == NETWORKS else "+".join(sorted(b[0][0]))
    text = f"{_set_words(b[1], 'services', 'all services')} on {nets}"
    if b[2] != _ALL:
        text += ", " + (
            _set_words(b[2], "regions", "all regions")
            if b[2][1]
            else f"in {'+'.join(sorted(b[2][0]))}"
        )
    if b[3] != _ALL:
        text += ", " + (
            _set_words(b[3], "operators", "all operators")
            if b[3][1]
            else f"operators {'+'.join(sorted(b[3][0]))}"
        )
    return text


class Scope:
    """What a restriction covers: a set of (network, service, region, operator) points.

    ``Scope(...)`` builds one box; a dimension left out means all of it. Scopes combine
    with ``|``, ``&`` and ``-``, compare with ``<=`` (subset) and ``==`` (same points, however
    built), and say whether they are empty or overlap another.

    Args:
        networks: a non-empty subset of ``{"mobile", "fixed"}``; default both.
        services: named services such as ``{"photos", "videos"}``; default all.
        regions: ISO 3166-2 codes of the dispute's country (``{"IN-JK"}``), or place names
            as written where no code fits (``{"Kashmir Valley"}``); names are compared as
            given, with no hierarchy. A code-shaped value (``XX-...``) that is not in ISO
            3166-2 is refused as a typo. Default: the whole jurisdiction.
        operators: network operators by name or autonomous system (``{"AS12389"}``);
            default all.

    Any iterable of strings is accepted and held as a frozenset; a single string names one.

    Raises:
        InvalidValue: an empty set, a network other than mobile or fixed, a blank name, or a
            code-shaped region that is not an ISO 3166-2 code.

    Examples:
        >>> photos = Scope(services={"photos", "videos"}, networks={"mobile"})
        >>> str(photos - Scope(regions={"IN-JK"}))
        'photos+videos on mobile, all regions except IN-JK'
        >>> Scope(regions={"IN-JK"}) | Scope(regions={"IN-LA"}) == Scope(regions={"IN-JK", "IN-LA"})
        True
        >>> Scope(networks={"fixed"}) <= Scope(), Scope().overlaps(Scope(services={"sms"}))
        (True, True)
    """

    __slots__ = ("_boxes", "_canonical")
    _boxes: tuple[_Box, ...]
    _canonical: tuple[tuple[frozenset[str], ...], frozenset[tuple[str, ...]]] | None

    def __init__(
        self,
        *,
        networks: Iterable[str] | str | None = NETWORKS,
        services: Iterable[str] | str | None = None,
        regions: Iterable[str] | str | None = None,
        operators: Iterable[str] | str | None = None,
    ) -> None:
        box = (
            _named("networks", _networks, networks),
            _named("services", lambda v: _dim_of(v, "services"), services),
            _named("regions", _regions, regions),
            _named("operators", lambda v: _dim_of(v, "operators"), operators),
        )
        object.__setattr__(self, "_boxes", (box,))
        object.__setattr__(self, "_canonical", None)

    @classmethod
    def _of(cls, boxes: Sequence[_Box]) -> Scope:
        scope = cls.__new__(cls)
        object.__setattr__(scope, "_boxes", merged(boxes, _SCOPE_UNIVERSES))
        object.__setattr__(scope, "_canonical", None)
        return scope

    @classmethod
    def from_boxes(cls, boxes: Iterable[Box]) -> Scope:
        """The union of `boxes` (as `Scope.boxes` gives them).

        Raises:
            InvalidValue: something that is not a `Box`, or a box with bad values.

        Examples:
            >>> s = Scope() - Scope(regions={"IN-JK"})
            >>> Scope.from_boxes(s.boxes) == s
            True
        """
        out: list[_Box] = []
        for b in boxes:
            if not isinstance(b, Box):
                msg = f"expected Box values, got {b!r:.80}"
                raise InvalidValue(msg)
            out.append(_box_private(b))
        return cls._of(_disjoint(out))

    def __setattr__(self, name: str, value: object) -> None:
        msg = f"a Scope is immutable; cannot set {name!r}"
        raise AttributeError(msg)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Scope.from_boxes, (self.boxes,))

    # --- the set algebra -----------------------------------------------------------------

    def __or__(self, other: Scope) -> Scope:
        if not isinstance(other, Scope):
            return NotImplemented
        return Scope._of(region_or(self._boxes, other._boxes, _SCOPE_UNIVERSES))

    def __and__(self, other: Scope) -> Scope:
        if not isinstance(other, Scope):
            return NotImplemented
        return Scope._of(region_and(self._boxes, other._boxes))

    def __sub__(self, other: Scope) -> Scope:
        if not isinstance(other, Scope):
            return NotImplemented
        return Scope._of(region_minus(self._boxes, other._boxes, _SCOPE_UNIVERSES))

    def __le__(self, other: Scope) -> bool:
        if not isinstance(other, Scope):
            return NotImplemented
        return not region_minus(self._boxes, other._boxes, _SCOPE_UNIVERSES)

    def __ge__(self, other: Scope) -> bool:
        if not isinstance(other, Scope):
            return NotImplemented
        return other <= self

    def __lt__(self, other: Scope) -> bool:
        if not isinstance(other, Scope):
            return NotImplemented
        return self <= other and self != other

    def __gt__(self, other: Scope) -> bool:
        if not isinstance(other, Scope):
            return NotImplemented
        return other < self

    @property
    def is_empty(self) -> bool:
        """Whether it covers no point at all."""
        return not self._boxes

    def overlaps(self, other: Scope) -> bool:
        """Whether some point is in both.

        Examples:
            >>> Scope(networks={"fixed"}).overlaps(Scope(networks={"mobile"}))
            False
        """
        if not isinstance(other, Scope):
            msg = f"overlaps takes a Scope, got {other!r:.80}"
            raise InvalidValue(msg)
        return region_overlaps(self._boxes, other._boxes)

    def _key(self) -> tuple[tuple[frozenset[str], ...], frozenset[tuple[str, ...]]]:
        key = self._canonical
        if key is None:
            key = canonical(self._boxes, _SCOPE_UNIVERSES)
            object.__setattr__(self, "_canonical", key)
        return key

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scope):
            return NotImplemented
        return self._boxes == other._boxes or self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    # --- reading it --------------------------------------------------------------------------

    @property
    def boxes(self) -> tuple[Box, ...]:
        """The boxes whose union it is (disjoint; none for the empty scope)."""
        return tuple(_box_public(b) for b in self._boxes)

    def _one(self, dimension: int) -> _Dim:
        if len(self._boxes) != 1:
            msg = (
                f"this scope ({self}) is {len(self._boxes)} boxes, not one: read its "
                f"{_DIMENSIONS[dimension]} from `scope.boxes`"
            )
            raise InvalidValue(msg)
        d = self._boxes[0][dimension]
        if d[1] and d[0]:
            msg = (
                f"this scope's {_DIMENSIONS[dimension]} are all except "
                f"{sorted(d[0])}: read `scope.boxes` (each box has "
                f"`{_DIMENSIONS[dimension]}_except`)"
            )
            raise InvalidValue(msg)
        return d

    @property
    def networks(self) -> frozenset[str]:
        """The networks of a one-box scope.

        Raises:
            InvalidValue: the scope is several boxes (read `boxes`).
        """
        return self._one(0)[0]

    @property
    def services(self) -> frozenset[str] | None:
        """The services of a one-box scope; None for all.

        Raises:
            InvalidValue: the scope is several boxes, or "all services except ..." (read
                `boxes`).
        """
        d = self._one(1)
        return None if d[1] else d[0]

    @property
    def regions(self) -> frozenset[str] | None:
        """The regions of a one-box scope; None for the whole jurisdiction.

        Raises:
            InvalidValue: as for `services`.
        """
        d = self._one(2)
        return None if d[1] else d[0]

    @property
    def operators(self) -> frozenset[str] | None:
        """The operators of a one-box scope; None for all.

        Raises:
            InvalidValue: as for `services`.
        """
        d = self._one(3)
        return None if d[1] else d[0]

    @property
    def covers_all_networks(self) -> bool:
        """Whether every network is covered (for every other value it covers)."""
        return all(b[0][0] == NETWORKS for b in self._boxes)

    @property
    def covers_all_services(self) -> bool:
        """Whether every service is covered (for every other value it covers)."""
        return all(b[1] == _ALL for b in self._boxes)

    def names(self, dimension: int) -> frozenset[str]:
        """Every value the boxes name in `dimension` (0 networks ... 3 operators)."""
        return frozenset().union(*(b[dimension][0] for b in self._boxes))

    def __str__(self) -> str:
        if not self._boxes:
            return "nothing"
        return "; ".join(box_words(b) for b in self._boxes)

    def __repr__(self) -> str:
        if len(self._boxes) == 1 and not any(d[1] and d[0] for d in self._boxes[0]):
            b = self._boxes[0]
            parts = [f"networks={b[0][0]!r}"]
            for k, name in ((1, "services"), (2, "regions"), (3, "operators")):
                if b[k] != _ALL or k == 1:
                    parts.append(f"{name}={None if b[k][1] else b[k][0]!r}")
            return f"Scope({', '.join(parts)})"
        return f"Scope.from_boxes({list(self.boxes)!r})"


def _box_private(b: Box) -> _Box:
    def dim(pos: frozenset[str] | None, neg: frozenset[str], what: str) -> _Dim:
        if pos is not None:
            if neg:
                msg = f"a box names {what} and {what}_except at once"
                raise InvalidValue(msg)
            return _dim_of(pos, what)
        return (names(neg, what), True) if neg else _ALL

    check_regions(b.regions or ())
    check_regions(b.regions_except)
    return (
        _networks(b.networks),
        dim(b.services, b.services_except, "services"),
        dim(b.regions, b.regions_except, "regions"),
        dim(b.operators, b.operators_except, "operators"),
    )


def _disjoint(boxes: list[_Box]) -> list[_Box]:
    out: list[_Box] = []
    for b in boxes:
        out = region_or(out, [b], _SCOPE_UNIVERSES)
    return out


def scope_boxes(scope: Scope) -> tuple[_Box, ...]:
    """The private boxes of a scope (for the fold)."""
    return scope._boxes


def scope_of(boxes: Sequence[_Box]) -> Scope:
    """A scope from private boxes (for the fold)."""
    return Scope._of(boxes)


#: The scope that covers everything.
EVERYTHING: Final = Scope()
#: The scope that covers nothing.
NOTHING: Final = Scope._of(())
