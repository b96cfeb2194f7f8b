"""`Archive`: many disputes' timelines, keyed by dispute id, queried together.

The archive is immutable; every query is a loop over the timelines' own answers
(`Timeline.status_at`, `Timeline.history`), except `restricted`, which first asks an index of
the periods in which each dispute was restricted (built on first use, from `history()`), and
checks only the disputes the index names.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import os
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from ._dispute import Dispute
from ._enums import DeadlineState, Phase
from ._fields import nfc
from ._files import dump_all, load_all
from ._gc import paused_gc
from ._scope import Scope
from ._status import Deadline, Period, Status, slice_point
from ._time import MAX_KEY, Zone, instant_key, to_moment, zone
from ._timeline import Timeline
from ._window import in_force
from .errors import InvalidValue, SchemaError, TimeError, UnknownReference

if TYPE_CHECKING:
    import pendulum

    from ._status import Block, Delisting, Throttle
    from .stores import Store

__all__ = ["Archive", "DisputeDeadline", "DisputePeriod", "DisputeStatus"]

#: What `Archive.durations` can group by.
GROUPS: Final = ("dispute", "jurisdiction", "platform", "regulator", "year", "month")

_Point = tuple[str | None, str | None, str | None, str | None]
_ALL: Final[_Point] = (None, None, None, None)


class DisputeStatus:
    """One dispute's status in an archive query.

    Attributes:
        dispute: the dispute.
        phase: its phase for the query's slice (`Status.phase_for`; the dispute's phase
            when the query named no slice).
        status: its whole `Status` at the instant (computed when first read).
        restrictions: the restrictions in force at the instant whose scope overlaps the
            query's slice (blocks, then throttles, then delistings, each in the order
            imposed).
    """

    __slots__ = ("_key", "_point", "_source", "_status", "dispute", "phase")

    def __init__(
        self,
        dispute: Dispute,
        key: int,
        phase: Phase,
        point: _Point,
        source: Timeline | Callable[[], Timeline],
    ) -> None:
        self.dispute: Final = dispute
        self.phase: Final = phase
        self._source = source
        self._key = key
        self._point = point
        self._status: Status | None = None

    @property
    def status(self) -> Status:
        """The dispute's whole status at the query's instant.

        A row of a store's query reads the timeline from the store the first time.
        """
        if self._status is None:
            source = self._source
            timeline = source if isinstance(source, Timeline) else source()
            self._status = timeline._status_at_key(self._key)
        return self._status

    @property
    def restrictions(self) -> tuple[Block | Throttle | Delisting, ...]:
        """The restrictions in force at the instant that overlap the query's slice."""
        status = self.status
        zone = self.dispute.zone
        key = self._key
        piece = _slice_scope(self._point)
        found: list[Block | Throttle | Delisting] = []
        every: tuple[Block | Throttle | Delisting, ...] = (
            *status.blocks,
            *status.throttles,
            *status.delistings,
        )
        for r in every:
            window = getattr(r, "window", None)
            if window is not None and not in_force(window, zone, key):
                continue
            if piece is None or r.scope.overlaps(piece):
                found.append(r)
        return tuple(found)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DisputeStatus):
            return NotImplemented
        return (self.dispute, self.phase, self.status) == (other.dispute, other.phase, other.status)

    def __hash__(self) -> int:
        return hash((self.dispute, self.phase, self._key))

    def __repr__(self) -> str:
        return f"DisputeStatus(dispute={self.dispute.id!r}, phase={self.phase.name})"


@attrs.frozen(kw_only=True)
class DisputePeriod(Period):
    """One period of one dispute, as `Archive.periods` gives it (cut to the query's window).

    A `Period` with its dispute: `start` is the window's start when the period began
    before it, and `end` the window's end when it ran on past it (None when it is still
    open and the window has no end); a boundary cut by the window has no span. `phase` is
    the phase of the query's slice, if it named one.

    Attributes:
        dispute: the dispute.
    """

    dispute: Dispute

    @property
    def duration(self) -> _dt.timedelta | None:
        """How long it lasts; None while it is open."""
        return None if self.end is None else self.end - self.start


@attrs.frozen(kw_only=True)
class DisputeDeadline:
    """One deadline of one dispute, as `Archive.deadlines` gives it.

    Attributes:
        dispute: the dispute.
        deadline: the `Deadline` as it stands at the query's instant.
    """

    dispute: Dispute
    deadline: Deadline


def _slice_scope(point: _Point) -> Scope | None:
    if point == _ALL:
        return None
    network, service, region, operator = point
    return Scope(
        networks=None if network is None else {network},
        services=None if service is None else {service},
        regions=None if region is None else {region},
        operators=None if operator is None else {operator},
    )


def _names(caller: str, what: str, value: object) -> frozenset[str] | None:
    """A filter's values: one string or a collection of strings; None for no filter."""
    if value is None:
        return None
    items: tuple[object, ...]
    if isinstance(value, str):
        items = (value,)
    elif isinstance(value, Collection) and not isinstance(value, bytes | Mapping):
        items = tuple(value)
    else:
        msg = f"{caller}: {what} is a string or a collection of strings, got {value!r:.60}"
        raise InvalidValue(msg)
    for item in items:
        if not isinstance(item, str) or not item.strip():
            msg = f"{caller}: {what} must hold non-blank strings, got {item!r:.60}"
            raise InvalidValue(msg)
    if what == "jurisdiction":
        return frozenset(str(item).upper() for item in items)
    return frozenset(nfc(str(item)) for item in items)


#: What a query keeps: jurisdictions, platforms, regulators (None: all).
Wanted = tuple[frozenset[str] | None, frozenset[str] | None, frozenset[str] | None]


def wanted_disputes(
    caller: str, jurisdiction: object, platform: object, regulator: object
) -> Wanted:
    """The filters of a query, checked (`_names`)."""
    return (
        _names(caller, "jurisdiction", jurisdiction),
        _names(caller, "platform", platform),
        _names(caller, "regulator", regulator),
    )


def _bound(value: object, what: str) -> _dt.date:
    """A window's bound read: an aware datetime (an instant), or a date (a whole day)."""
    if isinstance(value, _dt.datetime):
        return value
    moment = to_moment(value)
    if not isinstance(moment, _dt.date):
        msg = f"{what}: {value!r:.60} is a span of days; give a day or an instant"
        raise TimeError(msg)
    return moment


def _window_edge(zone_key: Zone, value: object, *, end: bool, what: str) -> int:
    """The key of a window's start or (exclusive) end: a date names a whole day."""
    moment = _bound(value, what)
    if isinstance(moment, _dt.datetime):
        return instant_key(moment)
    return zone_key.day_end(moment) + 1 if end else zone_key.day_start(moment)


class _Stab:
    """Intervals [start, end) of keys, each with a payload, and the ones containing a key.

    Sorted by start and cut into blocks that know their latest end: a query skips every
    block whose intervals have all ended (a few hundred comparisons for 100,000 intervals).
    """

    __slots__ = ("ends", "payloads", "starts", "top")
    BLOCK: Final = 64

    def __init__(self, intervals: list[tuple[int, int, Any]]) -> None:
        intervals.sort(key=lambda i: i[0])
        self.starts = [i[0] for i in intervals]
        self.ends = [i[1] for i in intervals]
        self.payloads = [i[2] for i in intervals]
        b = self.BLOCK
        self.top = [max(self.ends[j : j + b]) for j in range(0, len(self.ends), b)]

    def containing(self, key: int) -> list[Any]:
        n = bisect.bisect_right(self.starts, key)
        ends, payloads, b = self.ends, self.payloads, self.BLOCK
        found: list[Any] = []
        for block, top in enumerate(self.top):
            first = block * b
            if first >= n:
                break
            if top > key:
                last = min(first + b, n)
                found += [payloads[j] for j in range(first, last) if ends[j] > key]
        return found


class _Index:
    """Per time zone, the periods in which each dispute was DELISTED or worse."""

    __slots__ = ("always", "by_zone")

    def __init__(self, timelines: Sequence[Timeline]) -> None:
        intervals: dict[str, list[tuple[int, int, Any]]] = {}
        #: disputes with a recurring window: their history stops at the last instant an
        #: event names while the window recurs for ever, so they are always checked
        self.always: list[tuple[int, Timeline]] = []
        # payloads: (position by dispute id, timeline, phase); a dispute's periods are
        # disjoint, so positions in one answer are distinct and sort without ties
        for position, timeline in enumerate(timelines):
            if any(getattr(e, "window", None) is not None for e in timeline.events):
                self.always.append((position, timeline))
                continue
            mine = intervals.setdefault(timeline.dispute.timezone, [])
            starts = timeline._period_keys()  # history(), as keys
            for j, (start, phase, _, _) in enumerate(starts):
                if phase >= Phase.DELISTED:
                    end = starts[j + 1][0] if j + 1 < len(starts) else MAX_KEY + 1
                    mine.append((start, end, (position, timeline, phase)))
        self.by_zone = {name: _Stab(found) for name, found in intervals.items()}


class Archive:
    """Many disputes' timelines, keyed by dispute id: immutable, queried together.

    Build one from timelines, from a file or directory of JSON Lines (`Archive.load`), or
    from a store (`Archive.from_store`). Every query answers at any instant (a date means
    the end of that day in each dispute's zone, as in `Timeline.status_at`), for the
    disputes the filters keep: `jurisdiction`, `platform`, `regulator` (each a string or a
    collection of strings), and a slice (`network`, `service`, `region`, `operator`, as in
    `Status.phase_for`). With `as_of`, it answers as the records stood then.

    Examples:
        >>> from regtimeline import Archive
        >>> from regtimeline.examples import brazil_x, twitter_russia
        >>> archive = Archive([twitter_russia(), brazil_x()])
        >>> [(row.dispute.platform, row.phase.name) for row in archive.status_at("2021-04-01")]
        [('X', 'CLEAR'), ('Twitter', 'THROTTLED')]
        >>> [row.dispute.id for row in archive.restricted("2024-09-01")]
        ['br-stf-x-2024', 'ru-roskomnadzor-twitter']
    """

    __slots__ = ("_index", "_lock", "_timelines")

    def __init__(self, timelines: Iterable[Timeline] = ()) -> None:
        """An archive of `timelines`, one per dispute.

        Raises:
            InvalidValue: an item is not a Timeline, or two are of the same dispute.
        """
        by_id: dict[str, Timeline] = {}
        try:
            items = list(timelines)
        except TypeError:
            msg = f"an Archive is made of Timelines, got {timelines!r:.60}"
            raise InvalidValue(msg) from None
        for timeline in items:
            if not isinstance(timeline, Timeline):
                msg = f"an Archive is made of Timelines, got {timeline!r:.60}"
                raise InvalidValue(msg)
            if timeline.dispute.id in by_id:
                msg = (
                    f"two timelines of dispute {timeline.dispute.id!r}: an archive holds one "
                    "per dispute (use replace() to change one)"
                )
                raise InvalidValue(msg)
            by_id[timeline.dispute.id] = timeline
        self._timelines: Final = dict(sorted(by_id.items()))
        self._index: _Index | None = None
        self._lock = threading.Lock()

    # -- building ----------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, verify: bool = True) -> Archive:
        """Read an archive from a JSON Lines file or a directory of them.

        A file holds one dispute, or several one after another (each from its own header
        line, as `dump` writes them); a directory's ``*.jsonl`` files are read in name
        order (not its subdirectories). Each part's seal is checked (`regtimeline.load`);
        `verify=False` reads files edited by hand.

        Raises:
            SchemaError: a file is malformed (naming the file and line), or two parts hold
                the same dispute (naming both files).
            InvalidTransition, UnknownReference, DuplicateEvent, TimeError: as for
                `regtimeline.load`.
            OSError: the path cannot be read.
            InvalidValue: `path` is not a path.

        Examples:
            >>> import pathlib, tempfile
            >>> from regtimeline.examples import cases
            >>> path = pathlib.Path(tempfile.mkdtemp()) / "cases.jsonl"
            >>> Archive(cases()).dump(path)
            >>> Archive.load(path) == Archive(cases())
            True
        """
        if not isinstance(path, str | os.PathLike):
            msg = f"a path is a str or an os.PathLike such as pathlib.Path, got {path!r:.80}"
            raise InvalidValue(msg)
        root = Path(path)
        files = sorted(root.glob("*.jsonl")) if root.is_dir() else [root]
        seen: dict[str, Path] = {}
        timelines: list[Timeline] = []
        for file in files:
            for timeline in load_all(file, verify=verify):
                first = seen.setdefault(timeline.dispute.id, file)
                if len(seen) == len(timelines):  # seen before: in another file, or this one
                    where = f"in {first} and {file}" if first != file else f"twice in {file}"
                    msg = f"dispute {timeline.dispute.id!r} appears {where}"
                    raise SchemaError(msg)
                timelines.append(timeline)
        return cls(timelines)

    def dump(self, path: str | os.PathLike[str]) -> None:
        """Write every timeline to one JSON Lines file, atomically, by dispute id.

        Each dispute's part is what `regtimeline.dump` writes for it (header line first);
        `Archive.load` reads it back.

        Raises:
            OSError: the file cannot be written (the destination is then untouched).
            InvalidValue: `path` is not a path.
        """
        dump_all(self._timelines.values(), path)

    @classmethod
    def from_store(cls, store: Store) -> Archive:
        """Every dispute of a store, each timeline as stored when it is read.

        Each dispute's timeline is one consistent version (read in one transaction, as
        `Store.load` does); a dispute created while the archive is being read may be left
        out, and appends made meanwhile to a dispute already read are not seen.

        Raises:
            InvalidValue: `store` is not a Store.
            SchemaError: a stored event cannot be read.

        Examples:
            >>> from regtimeline import open_store
            >>> from regtimeline.examples import twitter_russia
            >>> store = open_store("memory://")
            >>> t = twitter_russia()
            >>> store.create(t.dispute)
            >>> store.append(t.dispute.id, t.events)
            10
            >>> len(Archive.from_store(store))
            1
        """
        from .stores import Store  # noqa: PLC0415 - stores build on the archive

        if not isinstance(store, Store):
            msg = f"from_store takes a Store (see open_store), got {store!r:.60}"
            raise InvalidValue(msg)
        return cls(store.load(dispute.id) for dispute in store.disputes())

    def save(self, store: Store) -> int:
        """Put every dispute and event into a store; returns how many events were new.

        Each dispute is created if the store does not have it; then the events of its
        timeline that the store does not hold yet (by id) are appended, in the order of
        the record, as one append (stamped with the time of the append). Saving the same
        archive again stores nothing.

        Raises:
            InvalidValue: `store` is not a Store.
            ConcurrencyError: the store has a dispute of the same id with other fields.
            InvalidTransition, UnknownReference, DuplicateEvent: the store's history and
                the archive's events do not make a valid timeline together.

        Examples:
            >>> from regtimeline import open_store
            >>> from regtimeline.examples import cases
            >>> store = open_store("memory://")
            >>> Archive(cases()).save(store), Archive(cases()).save(store)
            (31, 0)
        """
        from .stores import Store  # noqa: PLC0415 - stores build on the archive

        if not isinstance(store, Store):
            msg = f"save takes a Store (see open_store), got {store!r:.60}"
            raise InvalidValue(msg)
        added = 0
        for timeline in self._timelines.values():
            dispute = timeline.dispute
            store.create(dispute)
            stored = store.load(dispute.id)
            have = {entry.event.id for entry in stored.entries}
            new = [e.event for e in timeline.entries if e.event.id not in have]
            if new:
                store.append(dispute.id, new)
                added += len(new)
        return added

    def add(self, *timelines: Timeline) -> Archive:
        """A new archive with these timelines added.

        Raises:
            InvalidValue: a dispute is already in the archive (use `replace`).
        """
        return Archive([*self._timelines.values(), *timelines])

    def replace(self, *timelines: Timeline) -> Archive:
        """A new archive in which these timelines take the place of their disputes'.

        Raises:
            UnknownReference: a dispute is not in the archive (use `add`).
            InvalidValue: an item is not a Timeline, or two are of the same dispute.
        """
        new = dict(self._timelines)
        for timeline in Archive(timelines):
            if timeline.dispute.id not in new:
                msg = f"no dispute {timeline.dispute.id!r} in the archive to replace; add() it"
                raise UnknownReference(msg)
            new[timeline.dispute.id] = timeline
        return Archive(new.values())

    def as_of(self, when: object) -> Archive:
        """The archive as the records stood at `when` (see `Timeline.as_of`).

        Raises:
            TimeError: `when` is naive or malformed.
        """
        return Archive(t.as_of(when) for t in self._timelines.values())  # type: ignore[arg-type]

    # -- tables (the `arrow` extra; see regtimeline.tables) -----------------------------------

    def table(self, name: str, *, at: object = None) -> Any:
        """One table as a ``pyarrow.Table`` (see `regtimeline.tables.table`).

        The tables: ``disputes``, ``events``, ``periods``, ``restrictions``, ``deadlines``,
        ``takedowns``.

        Raises:
            MissingExtra: pyarrow is not installed (``pip install 'regtimeline[arrow]'``).
            InvalidValue: an unknown table name.
        """
        from . import tables  # noqa: PLC0415 - an optional extra, imported when asked for

        with paused_gc():  # a bulk build: objects made per row, kept or not (see _gc)
            return tables._table(self, name, at)

    def to_polars(self, name: str, *, at: object = None) -> Any:
        """One table as a polars DataFrame (the ``polars`` extra).

        Raises:
            MissingExtra: polars or pyarrow is not installed.
            InvalidValue: an unknown table name.
        """
        from . import tables  # noqa: PLC0415 - an optional extra, imported when asked for

        return tables.to_polars(self, name, at=at)

    def to_pandas(self, name: str, *, at: object = None) -> Any:
        """One table as a pandas DataFrame (the ``pandas`` extra).

        Raises:
            MissingExtra: pandas or pyarrow is not installed.
            InvalidValue: an unknown table name.
        """
        from . import tables  # noqa: PLC0415 - an optional extra, imported when asked for

        return tables.to_pandas(self, name, at=at)

    def write_parquet(self, directory: str | os.PathLike[str], *, at: object = None) -> Any:
        """Write every table to ``<directory>/<name>.parquet``; returns the paths by name.

        One table is made and written at a time (see `regtimeline.tables.write_parquet`).

        Raises:
            MissingExtra: pyarrow is not installed.
            TimeError: `at` is naive or malformed (nothing is written).
            OSError: a file cannot be written.
        """
        from . import tables  # noqa: PLC0415 - an optional extra, imported when asked for

        return tables.write_parquet(self, directory, at=at)

    @classmethod
    def read_parquet(cls, directory: str | os.PathLike[str]) -> Archive:
        """The archive `write_parquet` wrote, re-created equal from its events table.

        Raises:
            MissingExtra: pyarrow is not installed.
            SchemaError: a file is not a regtimeline table of a known version.
        """
        from . import tables  # noqa: PLC0415 - an optional extra, imported when asked for

        with paused_gc():  # a bulk load (see _gc)
            return tables._read_parquet(directory)

    # -- a collection ------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._timelines)

    def __iter__(self) -> Iterator[Timeline]:
        """The timelines, by dispute id."""
        return iter(self._timelines.values())

    def __contains__(self, dispute_id: object) -> bool:
        return isinstance(dispute_id, str) and nfc(dispute_id) in self._timelines

    def __getitem__(self, dispute_id: str) -> Timeline:
        """The timeline of a dispute.

        Raises:
            UnknownReference: no such dispute in the archive.
        """
        try:
            return self._timelines[nfc(dispute_id)]
        except (KeyError, TypeError, AttributeError):
            msg = f"no dispute {dispute_id!r:.60} in the archive"
            raise UnknownReference(msg) from None

    @property
    def disputes(self) -> tuple[Dispute, ...]:
        """The disputes, by id."""
        return tuple(t.dispute for t in self._timelines.values())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Archive):
            return NotImplemented
        return self._timelines == other._timelines

    def __hash__(self) -> int:
        return hash(tuple(self._timelines))

    def __repr__(self) -> str:
        ids = list(self._timelines)
        shown = ", ".join(repr(i) for i in ids[:3]) + (", ..." if len(ids) > 3 else "")
        return f"Archive({len(ids)} disputes: {shown})"

    # -- queries -----------------------------------------------------------------------------

    def _select(
        self, caller: str, jurisdiction: object, platform: object, regulator: object
    ) -> list[Timeline]:
        wanted = wanted_disputes(caller, jurisdiction, platform, regulator)
        if wanted == (None, None, None):
            return list(self._timelines.values())
        return [
            t
            for t in self._timelines.values()
            if (wanted[0] is None or t.dispute.jurisdiction in wanted[0])
            and (wanted[1] is None or t.dispute.platform in wanted[1])
            and (wanted[2] is None or t.dispute.regulator in wanted[2])
        ]

    def status_at(
        self,
        when: object,
        *,
        as_of: object = None,
        jurisdiction: str | Collection[str] | None = None,
        platform: str | Collection[str] | None = None,
        regulator: str | Collection[str] | None = None,
        network: str | None = None,
        service: str | None = None,
        region: str | None = None,
        operator: str | None = None,
    ) -> tuple[DisputeStatus, ...]:
        """Every selected dispute's status at `when`, by dispute id.

        Args:
            when: an instant, or a day (its end in each dispute's zone).
            as_of: answer as the records stood then.
            jurisdiction: keep only disputes in this jurisdiction (or these).
            platform: keep only disputes with this platform (or these).
            regulator: keep only disputes with this regulator (or these).
            network: the slice's network (``"mobile"`` or ``"fixed"``); None: both.
            service: the slice's service; None: all.
            region: the slice's region (an ISO 3166-2 code or a place name); None: all.
            operator: the slice's operator; None: all.

        Raises:
            TimeError: `when` or `as_of` is naive or malformed.
            InvalidValue: a filter or slice value that is not a (non-blank) string.

        Examples:
            >>> from regtimeline.examples import cases
            >>> rows = Archive(cases()).status_at("2021-05-20", jurisdiction="RU",
            ...                                   network="fixed")
            >>> [(row.dispute.platform, row.phase.name) for row in rows]
            [('Twitter', 'WARNED')]
        """
        archive = self._then(as_of)
        point = slice_point("status_at", network, service, region, operator)
        selected = archive._select("status_at", jurisdiction, platform, regulator)
        keys = _Keys(when)
        rows = []
        for t in selected:
            key = keys.of(t)
            status = t._status_at_key(key)
            phase = status.phase if point == _ALL else status.phase_for(*point)
            row = DisputeStatus(t.dispute, key, phase, point, t)
            row._status = status
            rows.append(row)
        return tuple(rows)

    def restricted(
        self,
        when: object,
        *,
        as_of: object = None,
        jurisdiction: str | Collection[str] | None = None,
        platform: str | Collection[str] | None = None,
        regulator: str | Collection[str] | None = None,
        network: str | None = None,
        service: str | None = None,
        region: str | None = None,
        operator: str | None = None,
    ) -> tuple[DisputeStatus, ...]:
        """The disputes whose phase (for the slice) is DELISTED or worse at `when`, by id.

        Each row's `restrictions` are the restrictions in force that overlap the slice.
        Asks an index of the restricted periods (built on the first call), not every
        dispute.

        Args and Raises: as `status_at`.

        Examples:
            >>> from regtimeline.examples import cases
            >>> archive = Archive(cases())
            >>> [row.dispute.id for row in archive.restricted("2021-05-20", jurisdiction="RU",
            ...                                                   network="mobile")]
            ['ru-roskomnadzor-twitter']
            >>> archive.restricted("2021-05-20", jurisdiction="RU", network="fixed")
            ()
            >>> [r.id for r in archive.restricted("2021-05-20", platform="TikTok")[0].restrictions]
            ['interim-ban']
        """
        archive = self._then(as_of)
        point = slice_point("restricted", network, service, region, operator)
        filtered = (jurisdiction, platform, regulator) != (None, None, None)
        wanted = (
            {id(t) for t in archive._select("restricted", jurisdiction, platform, regulator)}
            if filtered
            else None
        )
        index = archive._restricted_index()
        keys = _Keys(when)
        # (position, timeline, phase or None: ask the timeline), with the zone's key
        hits: list[tuple[int, Timeline, Phase | None, int]] = []
        for name, stab in index.by_zone.items():
            key = keys.in_zone(name)
            hits += [(i, t, phase, key) for i, t, phase in stab.containing(key)]
        hits += [(i, t, None, keys.of(t)) for i, t in index.always]
        hits.sort(key=_first)
        rows = []
        for _, t, known, key in hits:
            if wanted is not None and id(t) not in wanted:
                continue
            if known is None or point != _ALL:
                phase = t._status_at_key(key).phase_for(*point)
                if phase < Phase.DELISTED:
                    continue
            else:
                phase = known
            rows.append(DisputeStatus(t.dispute, key, phase, point, t))
        return tuple(rows)

    def _then(self, as_of: object) -> Archive:
        """This archive, or the archive as the records stood at `as_of` (see `as_of`)."""
        return self if as_of is None else self.as_of(as_of)

    def _restricted_index(self) -> _Index:
        with self._lock:
            if self._index is None:
                self._index = _Index(list(self._timelines.values()))
            return self._index

    def periods(
        self,
        start: object = None,
        end: object = None,
        *,
        as_of: object = None,
        jurisdiction: str | Collection[str] | None = None,
        platform: str | Collection[str] | None = None,
        regulator: str | Collection[str] | None = None,
        network: str | None = None,
        service: str | None = None,
        region: str | None = None,
        operator: str | None = None,
    ) -> tuple[DisputePeriod, ...]:
        """Every selected dispute's periods (`Timeline.history`), cut to [start, end).

        By dispute id, then time. A period that began before `start` starts at it; one
        that runs past `end` ends at it; an empty window has none. A recurring window
        recurs up to `end`; with no `end`, as `history()` runs it (up to the latest instant
        the events name), or up to `start` if that is later.

        Args:
            start: the window's first instant, or a day (from its start in each dispute's
                zone); None: from the beginning.
            end: the first instant after the window, or a day (the window includes it: up
                to its end); None: no end (the last period of each dispute stays open).
            as_of: answer as the records stood then.
            jurisdiction: keep only disputes in this jurisdiction (or these).
            platform: keep only disputes with this platform (or these).
            regulator: keep only disputes with this regulator (or these).
            network: the slice's network (``"mobile"`` or ``"fixed"``); None: both.
            service: the slice's service; None: all.
            region: the slice's region (an ISO 3166-2 code or a place name); None: all.
            operator: the slice's operator; None: all.

        Raises:
            TimeError: a bound is naive, malformed or a span, or `end` is before `start`.
            InvalidValue: a filter or slice value that is not a (non-blank) string.

        Examples:
            >>> from regtimeline.examples import cases
            >>> rows = Archive(cases()).periods("2021-05-01", "2021-05-31", jurisdiction="RU",
            ...                                 network="fixed")
            >>> [(p.start.date().isoformat(), p.end.date().isoformat(), p.phase.name)
            ...  for p in rows]
            [('2021-05-01', '2021-05-17', 'THROTTLED'), ('2021-05-17', '2021-06-01', 'WARNED')]
        """
        archive = self._then(as_of)
        point = slice_point("periods", network, service, region, operator)
        _check_window(start, end)
        rows: list[DisputePeriod] = []
        for t in archive._select("periods", jurisdiction, platform, regulator):
            rows.extend(_cut(t, start, end, point))
        return tuple(rows)

    def deadlines(
        self,
        when: object = None,
        *,
        state: DeadlineState | Collection[DeadlineState] | None = None,
        due_before: object = None,
        as_of: object = None,
        jurisdiction: str | Collection[str] | None = None,
        platform: str | Collection[str] | None = None,
        regulator: str | Collection[str] | None = None,
    ) -> tuple[DisputeDeadline, ...]:
        """Deadlines across the selected disputes at `when`, soonest due first.

        Ordered by due (open demands without a due date last), then dispute id, then
        deadline id.

        Args:
            when: an instant, or a day (its end in each dispute's zone); None: now.
            state: keep deadlines in this state (or these states); None: the open ones
                (PENDING and OVERDUE).
            due_before: keep deadlines due at or before this instant, or by the end of this
                day (which excludes open demands without a due date); None: any.
            as_of: answer as the records stood then.
            jurisdiction: keep only disputes in this jurisdiction (or these).
            platform: keep only disputes with this platform (or these).
            regulator: keep only disputes with this regulator (or these).

        Raises:
            TimeError: `when`, `due_before` or `as_of` is naive or malformed.
            InvalidValue: `state` is not a DeadlineState or a collection of them, or a
                filter is not a (non-blank) string.

        Examples:
            >>> from regtimeline.examples import cases
            >>> rows = Archive(cases()).deadlines("2021-04-10")
            >>> [(r.dispute.id, r.deadline.id, r.deadline.due.date().isoformat()) for r in rows]
            [('ru-roskomnadzor-twitter', 'block-threat', '2021-05-15')]
        """
        archive = self._then(as_of)
        states = _states(state)
        selected = archive._select("deadlines", jurisdiction, platform, regulator)
        keys = _Keys(_dt.datetime.now(_dt.UTC) if when is None else when)
        limits = None if due_before is None else _Keys(due_before)
        found: list[tuple[int, str, str, DisputeDeadline]] = []
        for t in selected:
            limit = None if limits is None else limits.of(t)
            for d in t._status_at_key(keys.of(t)).deadlines:
                if d.state not in states:
                    continue
                due = MAX_KEY + 1 if d.due is None else instant_key(d.due)
                if limit is not None and due > limit:
                    continue
                found.append(
                    (due, t.dispute.id, d.id, DisputeDeadline(dispute=t.dispute, deadline=d))
                )
        found.sort(key=lambda f: f[:3])
        return tuple(f[3] for f in found)

    def durations(
        self,
        start: object,
        end: object,
        *,
        by: str | Sequence[str] = ("jurisdiction",),
        as_of: object = None,
        jurisdiction: str | Collection[str] | None = None,
        platform: str | Collection[str] | None = None,
        regulator: str | Collection[str] | None = None,
        network: str | None = None,
        service: str | None = None,
        region: str | None = None,
        operator: str | None = None,
    ) -> dict[tuple[Any, ...], dict[Phase, _dt.timedelta]]:
        """Time spent in each phase within [start, end), summed by group.

        Each selected dispute counts its whole window: time before its first event is
        CLEAR, so a group's phases add up to the window's length times its disputes. By
        ``"year"`` or ``"month"``, time is cut exactly at the first instant of each year
        or month in each dispute's zone.

        Args:
            start: the window's first instant, or a day (from its start).
            end: the first instant after the window, or a day (included, to its end).
            by: what to group by: any of ``"dispute"`` (its id), ``"jurisdiction"``,
                ``"platform"``, ``"regulator"``, ``"year"`` (an int), ``"month"``
                (``"YYYY-MM"``); one name or a sequence (keys are tuples in that order;
                an empty sequence sums everything under ``()``).
            as_of: answer as the records stood then.
            jurisdiction: keep only disputes in this jurisdiction (or these).
            platform: keep only disputes with this platform (or these).
            regulator: keep only disputes with this regulator (or these).
            network: the slice's network (``"mobile"`` or ``"fixed"``); None: both.
            service: the slice's service; None: all.
            region: the slice's region (an ISO 3166-2 code or a place name); None: all.
            operator: the slice's operator; None: all.

        Returns:
            For each group, every phase's total time (zero included), groups sorted.

        Raises:
            TimeError: a bound is naive, malformed or a span, or `end` is before `start`.
            InvalidValue: an unknown group, or a filter or slice value that is not a
                (non-blank) string.

        Examples:
            >>> from regtimeline import Phase
            >>> from regtimeline.examples import cases
            >>> days = Archive(cases()).durations("2021-01-01", "2021-12-31", by="platform",
            ...                                   network="fixed")
            >>> days[("Twitter",)][Phase.THROTTLED].days
            68
        """
        archive = self._then(as_of)
        groups = _groups(by)
        _check_window(start, end)
        point = slice_point("durations", network, service, region, operator)
        if start is None or end is None:
            msg = "durations needs a window: give both start and end"
            raise TimeError(msg)
        totals: dict[tuple[Any, ...], dict[Phase, int]] = {}
        for t in archive._select("durations", jurisdiction, platform, regulator):
            zone = t.dispute.zone
            lo = _window_edge(zone, start, end=False, what="start")
            hi = _window_edge(zone, end, end=True, what="end")
            segments = _segments(t, lo, hi, point)
            for s, e, phase in _calendar_cuts(segments, zone, groups):
                local = zone.to_datetime(s)
                key = tuple(_group_value(g, t.dispute, local) for g in groups)
                mine = totals.setdefault(key, dict.fromkeys(Phase, 0))
                mine[phase] += e - s
        return {
            key: {phase: _dt.timedelta(microseconds=us) for phase, us in totals[key].items()}
            for key in sorted(totals)
        }


def _first(item: tuple[Any, ...]) -> Any:
    return item[0]


class _Keys:
    """The key of a query's `when` in each dispute's zone (a date means the day's end)."""

    __slots__ = ("by_zone", "key", "moment")

    def __init__(self, when: object) -> None:
        if isinstance(when, _dt.datetime):
            self.key: int | None = instant_key(when)
            self.moment: object = when
        else:
            moment = to_moment(when)
            self.moment = moment
            if isinstance(moment, _dt.datetime):
                self.key = instant_key(moment)
            elif isinstance(moment, _dt.date):
                self.key = None
            else:
                msg = f"{when!r:.60} is a span of days; ask about a day or an instant"
                raise TimeError(msg)
        self.by_zone: dict[str, int] = {}

    def in_zone(self, name: str) -> int:
        if self.key is not None:
            return self.key
        key = self.by_zone.get(name)
        if key is None:
            key = self.by_zone[name] = zone(name).query_key(self.moment)
        return key

    def of(self, timeline: Timeline) -> int:
        return self.in_zone(timeline.dispute.timezone)

    def of_zone(self, name: str) -> int:
        return self.in_zone(name)


def _states(state: object) -> frozenset[DeadlineState]:
    if state is None:
        return frozenset({DeadlineState.PENDING, DeadlineState.OVERDUE})
    if isinstance(state, DeadlineState):
        return frozenset({state})
    if isinstance(state, Collection) and not isinstance(state, str | bytes):
        items = tuple(state)
        if items and all(isinstance(s, DeadlineState) for s in items):
            return frozenset(items)
    msg = f"deadlines: state is a DeadlineState or a collection of them, got {state!r:.60}"
    raise InvalidValue(msg)


def _groups(by: object) -> tuple[str, ...]:
    groups: tuple[object, ...]
    if isinstance(by, str):
        groups = (by,)
    elif isinstance(by, Sequence):
        groups = tuple(by)
    else:
        msg = f"durations: by is a group name or a sequence of them, got {by!r:.60}"
        raise InvalidValue(msg)
    for g in groups:
        if g not in GROUPS:
            msg = f"durations: cannot group by {g!r:.40}; choose from {', '.join(GROUPS)}"
            raise InvalidValue(msg)
    return groups  # type: ignore[return-value]


def _group_value(group: str, dispute: Dispute, local: pendulum.DateTime) -> Any:
    if group == "year":
        return local.year
    if group == "month":
        return f"{local.year:04d}-{local.month:02d}"
    if group == "dispute":
        return dispute.id
    return getattr(dispute, group)


def _check_window(start: object, end: object) -> None:
    """Refuse a window that ends before it starts, whatever the disputes (and their zones).

    Raises:
        TimeError: a bound is naive, malformed or a span; or both are days, or both
            instants, and the end comes first (mixed, it depends on each dispute's zone).
    """
    lo = None if start is None else _bound(start, "start")
    hi = None if end is None else _bound(end, "end")
    if lo is None or hi is None:
        return
    # two days, or two instants, compare alike in every zone; a day and an instant do not
    instants = isinstance(lo, _dt.datetime), isinstance(hi, _dt.datetime)
    if instants[0] == instants[1] and hi < lo:
        msg = f"the window ends ({end!r:.40}) before it starts ({start!r:.40})"
        raise TimeError(msg)


def _bounds(t: Timeline, start: object, end: object) -> tuple[int | None, int | None]:
    zone = t.dispute.zone
    lo = None if start is None else _window_edge(zone, start, end=False, what="start")
    hi = None if end is None else _window_edge(zone, end, end=True, what="end")
    if lo is not None and hi is not None and hi < lo:
        msg = f"the window ends ({end!r:.40}) before it starts ({start!r:.40})"
        raise TimeError(msg)
    return lo, hi


def _history(t: Timeline, hi: int | None, point: _Point, lo: int | None = None) -> Sequence[Any]:
    """The history up to `hi` (not included).

    With no `hi`: up to the latest instant the events name, or to `lo` if that is later
    (so that the period at `lo` is the one in force then).
    """
    until = None if hi is None else t.dispute.zone.to_datetime(hi - 1)
    if hi is None and lo is not None:
        horizon = t._horizon()
        if horizon is None or lo > horizon:
            until = t.dispute.zone.to_datetime(lo)
    network, service, region, operator = point
    return t.history(
        until=until, network=network, service=service, region=region, operator=operator
    )


def _cut(t: Timeline, start: object, end: object, point: _Point) -> list[DisputePeriod]:
    lo, hi = _bounds(t, start, end)
    if lo is not None and lo == hi:  # an empty window holds no instant, and no period
        return []
    to_dt = t.dispute.zone.to_datetime
    rows = []
    for p in _history(t, hi, point, lo):
        s = instant_key(p.start)
        e = None if p.end is None else instant_key(p.end)
        if (e is not None and lo is not None and e <= lo) or (hi is not None and s >= hi):
            continue
        cut_start = lo is not None and s < lo
        cut_end = hi is not None and (e is None or e > hi)
        rows.append(
            DisputePeriod(
                dispute=t.dispute,
                start=to_dt(lo) if cut_start else p.start,  # type: ignore[arg-type]
                end=to_dt(hi) if cut_end else p.end,  # type: ignore[arg-type]
                phase=p.phase,
                cause=p.cause,
                start_span=None if cut_start else p.start_span,
                end_span=None if cut_end else p.end_span,
            )
        )
    return rows


def _segments(t: Timeline, lo: int, hi: int, point: _Point) -> list[tuple[int, int, Phase]]:
    """[lo, hi) cut into (start, end, phase), time before the first period CLEAR."""
    if hi < lo:
        msg = "the window ends before it starts"
        raise TimeError(msg)
    out: list[tuple[int, int, Phase]] = []
    at = lo
    for p in _history(t, hi, point):
        s = instant_key(p.start)
        e = hi if p.end is None else min(hi, instant_key(p.end))
        if e <= at:
            continue
        if s > at:
            out.append((at, min(s, hi), Phase.CLEAR))
            at = min(s, hi)
        if at < e:
            out.append((at, e, p.phase))
            at = e
        if at >= hi:
            break
    if at < hi:
        out.append((at, hi, Phase.CLEAR))
    return out


def _calendar_cuts(
    segments: list[tuple[int, int, Phase]], zone: Zone, groups: tuple[str, ...]
) -> Iterator[tuple[int, int, Phase]]:
    """The segments, cut at every local month (or year) start when grouping by one."""
    if "month" not in groups and "year" not in groups:
        yield from segments
        return
    monthly = "month" in groups
    for s, e, phase in segments:
        at = s
        while at < e:
            local = zone.to_datetime(at)
            if monthly:
                nxt = (
                    _dt.date(local.year + 1, 1, 1)
                    if local.month == 12
                    else _dt.date(local.year, local.month + 1, 1)
                )
            else:
                nxt = _dt.date(local.year + 1, 1, 1)
            boundary = zone.day_start(nxt) if nxt.year <= 9999 else e
            yield at, min(e, boundary), phase
            at = min(e, boundary)
