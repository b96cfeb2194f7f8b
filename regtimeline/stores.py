"""Stores: durable event logs behind one interface, opened by URL.

``open_store("sqlite:///disputes.db")`` (the default kind; ``sqlite://`` is in memory),
``open_store("memory://")``, or ``open_store("postgresql://user@host/db")`` (needs
``pip install 'regtimeline[postgresql]'``). Every store keeps, per dispute, the events in the
order they were appended, each with a version 1, 2, 3, ... An append names the version it
expects to follow (optimistic concurrency): if another writer got there first, it raises
`ConcurrencyError` and stores nothing; read the new version and try again. Each append is
validated against the stored timeline first (an invalid event is never stored) and is one
transaction: all of its events are stored, or none.

Examples:
    >>> from regtimeline import Statement
    >>> from regtimeline.examples import TWITTER_RUSSIA
    >>> with open_store("sqlite://") as store:
    ...     store.create(TWITTER_RUSSIA)
    ...     store.append(TWITTER_RUSSIA.id, [Statement(at="2021-04-01", by="x", text="y")],
    ...                  expected_version=0)
    ...     len(store.load(TWITTER_RUSSIA.id))
    1
    1
"""

from __future__ import annotations

import abc
import contextlib
import functools
import os
import sqlite3
import threading
import time
import urllib.parse
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Self

import attrs
import orjson
import pendulum

from . import _projection
from ._archive import Archive, DisputePeriod, DisputeStatus, _Keys, wanted_disputes
from ._dispute import Dispute
from ._enums import Phase
from ._events import CORRECTION_TYPES, Event
from ._fields import nfc
from ._gc import paused_gc
from ._status import slice_point
from ._time import instant_key, now_key, zone
from ._timeline import Timeline
from .errors import (
    ConcurrencyError,
    InvalidValue,
    RegTimelineError,
    SchemaError,
    StoreError,
    UnknownReference,
)
from .serialization import SCHEMA_VERSION, decode_dispute, dumps, encode_dispute, loads

#: A stored event and its recorded-time key (microseconds since the epoch; None: unknown).
_Row = tuple[Event, int | None]
#: (position, dispute id, version, event, recorded-time key or None) of a stored event.
_FeedRow = tuple[int, str, int, Event, int | None]

__all__ = [
    "STORE_SCHEMA",
    "MemoryStore",
    "PostgresStore",
    "SqliteStore",
    "Store",
    "StoredEvent",
    "open_store",
]

#: The version of the stores' own tables (for migrations).
STORE_SCHEMA: Final = 5
#: The largest position or version a store holds (SQLite's and PostgreSQL's 64-bit ints).
_MAX_POSITION: Final = 2**63 - 1


@attrs.frozen
class StoredEvent:
    """One event of a store's change feed (`Store.changes`).

    Attributes:
        position: its place among every append to the store, across disputes: positions
            only grow, in the order the appends were committed.
        dispute: the id of its dispute.
        version: its place in its dispute's log (the first event is 1).
        event: the event.
        recorded_at: when the store recorded it, in UTC (None: stored before stores kept
            the time).
    """

    position: int
    dispute: str
    version: int
    event: Event
    recorded_at: pendulum.DateTime | None


class Store(abc.ABC):
    """What every store offers. Open one with `open_store`.

    A store keeps a cache of the timelines it has read or written, and on each append reads
    only the events other writers added since: appending one event to a long log does not
    reread it.
    """

    #: Whether an append to a cached timeline may skip reading the version: the store
    #: refuses, without storing anything, an event at a version another writer has taken
    #: (see `_append_to_cached`).
    _optimistic: bool = False

    def __init__(self) -> None:
        self._cache: dict[str, tuple[int, Timeline]] = {}
        self._lock = threading.RLock()
        self._closed = False

    def _check_open(self) -> None:
        """Refuse any use of a store after `close` (every backend's way in calls this)."""
        if self._closed:
            msg = f"this {type(self).__name__} was closed; open it again with open_store to use it"
            raise StoreError(msg)

    # -- what each backend provides --------------------------------------------------------

    @abc.abstractmethod
    def _transaction(self) -> contextlib.AbstractContextManager[Any]:
        """A write transaction that serialises writers of the store (or of a dispute)."""

    @abc.abstractmethod
    def _dispute(self, tx: Any, dispute_id: str) -> Dispute | None: ...

    @abc.abstractmethod
    def _insert_dispute(self, tx: Any, dispute: Dispute) -> bool:
        """Insert the dispute; False when another writer inserted one of its id first."""

    @abc.abstractmethod
    def _version(self, tx: Any, dispute_id: str, *, lock: bool) -> int: ...

    @abc.abstractmethod
    def _entries_after(self, tx: Any, dispute_id: str, version: int) -> list[_Row]:
        """(event, recorded-time key or None) of every event after `version`, in order."""

    @abc.abstractmethod
    def _insert_events(
        self,
        tx: Any,
        dispute_id: str,
        first_version: int,
        events: Sequence[Event],
        recorded: int,
        along: Sequence[_projection.Along] = (),
    ) -> None: ...

    @abc.abstractmethod
    def _all_disputes(self, tx: Any) -> list[Dispute]: ...

    @abc.abstractmethod
    def _feed(self, tx: Any, after: int, limit: int) -> list[_FeedRow]:
        """The stored events after position `after`, by position, at most `limit`."""

    def _insert_atomically(
        self, dispute_id: str, first_version: int, events: Sequence[Event], recorded: int
    ) -> None:
        """`_insert_events` in a transaction of its own."""
        with self._transaction() as tx:
            self._insert_events(tx, dispute_id, first_version, events, recorded)

    def _project(
        self,
        tx: Any,
        version: int,
        after: int,
        batch: Sequence[Event],
        timeline: Timeline,
        along: list[_projection.Along],
    ) -> Callable[[], None] | None:
        """Bring the dispute's projections from `version` to `after`; none here.

        `batch` is what was appended, `timeline` what it made. Small changes are added to
        `along`, for `_insert_events` to send with the events; what to remember once the
        transaction has committed is returned.
        """
        return None

    def close(self) -> None:
        """Release the connection; any later use raises `StoreError`. Closing twice is fine."""
        self._closed = True

    def _writing(self) -> None:
        """Refuse a write to a store open for reading only (none here)."""

    # -- the interface --------------------------------------------------------------------

    def create(self, dispute: Dispute) -> None:
        """Add a dispute. Creating the same dispute again does nothing.

        Of several writers creating one id at once, in any processes, the first to commit
        wins; each other one finds its dispute and returns if it is the same, or raises.

        Raises:
            ConcurrencyError: a dispute with this id exists with other fields.
            InvalidValue: `dispute` is not a Dispute.
        """
        if not isinstance(dispute, Dispute):
            msg = f"create takes a Dispute, got {dispute!r:.60}"
            raise InvalidValue(msg)
        self._writing()
        with self._lock, self._transaction() as tx:
            existing = self._dispute(tx, dispute.id)
            if existing is None and not self._insert_dispute(tx, dispute):
                existing = self._dispute(tx, dispute.id)  # another creator came first
            if existing is not None and existing != dispute:
                msg = f"dispute {dispute.id!r} already exists as {existing!r}, not {dispute!r}"
                raise ConcurrencyError(msg)

    def version(self, dispute_id: str) -> int:
        """How many events the dispute has (0 for none).

        Raises:
            UnknownReference: no such dispute.
        """
        dispute_id = _dispute_key(dispute_id)
        with self._lock, self._transaction() as tx:
            self._require(tx, dispute_id)
            return self._version(tx, dispute_id, lock=False)

    def load(self, dispute_id: str) -> Timeline:
        """The dispute's timeline, as stored now.

        Raises:
            UnknownReference: no such dispute.
            SchemaError: a stored event cannot be read.
        """
        dispute_id = _dispute_key(dispute_id)
        with self._lock, self._transaction() as tx:
            dispute = self._require(tx, dispute_id)
            version = self._version(tx, dispute_id, lock=False)
            return self._timeline(tx, dispute, version)

    def append(
        self,
        dispute_id: str,
        events: Iterable[Event],
        *,
        expected_version: int | None = None,
    ) -> int:
        """Append events in one transaction; returns the dispute's new version.

        Args:
            dispute_id: the dispute.
            events: the events, in any order (they are validated like `Timeline.append`).
            expected_version: the version this append must follow; None appends after
                whatever is there. Repeating an append whose outcome was unknown (a
                connection lost after the commit) is safe: when exactly these events are
                stored right after `expected_version`, nothing is written and the current
                version is returned.

        Raises:
            ConcurrencyError: the dispute's version is not `expected_version` (another
                writer appended first); nothing was stored.
            UnknownReference: no such dispute, or an event names what does not exist.
            InvalidTransition, DuplicateEvent, TimeError, InvalidValue: as for
                `Timeline.append`; nothing was stored. InvalidValue also for an id that
                is not a string, events that are not iterable, or an `expected_version`
                that is not a whole number.
        """
        self._writing()
        dispute_id = _dispute_key(dispute_id)
        try:
            batch = tuple(events)
        except TypeError:
            msg = f"append takes an iterable of events, got {events!r:.60}"
            raise InvalidValue(msg) from None
        if expected_version is not None and (
            isinstance(expected_version, bool)
            or not isinstance(expected_version, int)
            or expected_version < 0
        ):
            msg = f"expected_version is a whole number, 0 or more, got {expected_version!r:.60}"
            raise InvalidValue(msg)
        with self._lock:
            cached = self._cache.get(dispute_id)  # a dispute, once stored, stays
            if (
                self._optimistic
                and cached is not None
                and batch
                and (expected_version is None or expected_version == cached[0])
            ):
                try:
                    return self._append_to_cached(dispute_id, batch, *cached)
                except StoreError:
                    raise  # the store cannot be written now: the general way could not either
                except RegTimelineError:
                    pass  # another writer came first, or a refusal: the general way tells
            return self._append(dispute_id, batch, expected_version)

    def _append_to_cached(
        self, dispute_id: str, batch: tuple[Event, ...], current: int, timeline: Timeline
    ) -> int:
        """Append `batch` after version `current`, believing the cached `timeline` is current.

        Validated against the cached timeline, then stored at the versions after `current`;
        if another writer stored any of them first, the store refuses (ConcurrencyError,
        nothing stored) and the caller goes the general way. Versions have no gaps, so an
        insert at `current + 1` that succeeds proves nobody appended since.
        """
        recorded = max(now_key(), timeline._last_recorded())
        grown = timeline._append_at(batch, recorded)
        self._insert_atomically(dispute_id, current + 1, batch, recorded)
        new_version = current + len(batch)
        self._cache[dispute_id] = (new_version, grown)
        return new_version

    def _append(
        self, dispute_id: str, batch: tuple[Event, ...], expected_version: int | None
    ) -> int:
        """`append`, reading the dispute's version in the transaction."""
        with self._transaction() as tx:
            cached = self._cache.get(dispute_id)
            dispute = cached[1].dispute if cached is not None else self._require(tx, dispute_id)
            current = self._version(tx, dispute_id, lock=True)
            if expected_version is not None and expected_version != current:
                timeline = self._timeline(tx, dispute, current)
                if _already_there(timeline, expected_version, batch):
                    return current  # a retry of an append that was stored: nothing to do
                msg = (
                    f"dispute {dispute_id!r} is at version {current}, not {expected_version}: "
                    "another writer appended first; reload and try again"
                )
                raise ConcurrencyError(msg)
            timeline = self._timeline(tx, dispute, current)
            # stamped now; recorded time never goes back, whatever the clock says
            recorded = max(now_key(), timeline._last_recorded())
            grown = timeline._append_at(batch, recorded)
            remember = None
            if batch:
                along: list[_projection.Along] = []
                remember = self._project(tx, current, current + len(batch), batch, grown, along)
                self._insert_events(tx, dispute_id, current + 1, batch, recorded, along)
        if remember is not None:
            remember()
        new_version = current + len(batch)
        self._cache[dispute_id] = (new_version, grown)
        return new_version

    def changes(self, after: int = 0, *, limit: int = 1000) -> tuple[StoredEvent, ...]:
        """The events stored after position `after`, across disputes, in the order stored.

        A change feed: a follower (a projection, an export, another process) keeps the last
        position it saw and asks again from there; nothing committed is ever skipped,
        because positions grow in the order appends are committed. At most `limit` events
        are returned; fewer (or none) means the follower has caught up for now.

        Raises:
            InvalidValue: `after` is not a whole number (0 or more), or `limit` is not a
                whole number (1 or more).
            SchemaError: a stored event cannot be read.

        Examples:
            >>> from regtimeline import open_store
            >>> from regtimeline.examples import twitter_russia
            >>> store = open_store("memory://")
            >>> store.create(twitter_russia().dispute)
            >>> store.append("ru-roskomnadzor-twitter", twitter_russia().events[:3])
            3
            >>> page = store.changes(after=0, limit=2)
            >>> [(c.position, c.version, c.event.id) for c in page]
            [(1, 1, 'unremoved-2021-03'), (2, 2, 'slowdown')]
            >>> [c.event.id for c in store.changes(after=page[-1].position)]
            ['block-threat']
        """
        for what, value, least in (("after", after, 0), ("limit", limit, 1)):
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                msg = f"{what} is a whole number, {least} or more, got {value!r:.60}"
                raise InvalidValue(msg)
        # (positions are 64-bit: a larger `after` asks for nothing, a larger `limit` for all)
        after, limit = min(after, _MAX_POSITION), min(limit, _MAX_POSITION)
        with self._lock, self._transaction() as tx:
            rows = self._feed(tx, after, limit)
        return tuple(
            StoredEvent(
                position=position,
                dispute=dispute_id,
                version=version,
                event=e,
                recorded_at=None if at is None else zone("UTC").to_datetime(at),
            )
            for position, dispute_id, version, e, at in rows
        )

    def disputes(self) -> list[Dispute]:
        """Every dispute in the store, by id."""
        with self._lock, self._transaction() as tx:
            return sorted(self._all_disputes(tx), key=lambda d: d.id)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- shared machinery -----------------------------------------------------------------

    def _require(self, tx: Any, dispute_id: str) -> Dispute:
        """The dispute of an id `_dispute_key` has checked, or a refusal."""
        dispute = self._dispute(tx, dispute_id)
        if dispute is None:
            msg = f"no dispute {dispute_id!r} in this store; create() it first"
            raise UnknownReference(msg)
        return dispute

    def _timeline(self, tx: Any, dispute: Dispute, version: int) -> Timeline:
        cached = self._cache.get(dispute.id)
        if cached is not None and cached[1].dispute == dispute and cached[0] <= version:
            known, timeline = cached
        else:
            known, timeline = 0, Timeline(dispute)
        if known < version:
            with paused_gc():  # a bulk load (see _gc)
                timeline = timeline._with_keyed(self._entries_after(tx, dispute.id, known))
        self._cache[dispute.id] = (version, timeline)
        return timeline


# --- memory ----------------------------------------------------------------------------------


class MemoryStore(Store):
    """Everything in this process's memory: for tests and scratch work (``memory://``)."""

    def __init__(self) -> None:
        super().__init__()
        self._disputes: dict[str, Dispute] = {}
        self._events: dict[str, list[_Row]] = {}
        self._stored: list[tuple[str, int, Event, int | None]] = []  # the feed, in order

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        # Writes are the last step of every operation, after all its checks, and cannot
        # fail: there is nothing to roll back. The store's lock serialises operations.
        self._check_open()
        yield None

    def _dispute(self, tx: Any, dispute_id: str) -> Dispute | None:
        return self._disputes.get(dispute_id)

    def _insert_dispute(self, tx: Any, dispute: Dispute) -> bool:
        self._disputes[dispute.id] = dispute
        self._events[dispute.id] = []
        return True  # the store's lock serialises creators

    def _version(self, tx: Any, dispute_id: str, *, lock: bool) -> int:
        return len(self._events[dispute_id])

    def _entries_after(self, tx: Any, dispute_id: str, version: int) -> list[_Row]:
        return self._events[dispute_id][version:]

    def _insert_events(
        self,
        tx: Any,
        dispute_id: str,
        first_version: int,
        events: Sequence[Event],
        recorded: int,
        along: Sequence[_projection.Along] = (),
    ) -> None:
        self._events[dispute_id].extend((e, recorded) for e in events)
        self._stored.extend(
            (dispute_id, first_version + n, e, recorded) for n, e in enumerate(events)
        )

    def _all_disputes(self, tx: Any) -> list[Dispute]:
        return list(self._disputes.values())

    def _feed(self, tx: Any, after: int, limit: int) -> list[_FeedRow]:
        return [
            (after + 1 + n, dispute_id, version, e, at)
            for n, (dispute_id, version, e, at) in enumerate(self._stored[after : after + limit])
        ]


# --- SQL ---------------------------------------------------------------------------------


def _dispute_key(dispute_id: object) -> str:
    """A dispute id given to a store, as ids are compared (NFC)."""
    if not isinstance(dispute_id, str):
        msg = f"a dispute id is a string, got {dispute_id!r:.60}"
        raise InvalidValue(msg)
    return nfc(dispute_id)


def _decode_row(dispute_id: str, version: int, schema: int, body: bytes) -> Event:
    try:
        return loads(body, schema=schema)
    except SchemaError as exc:
        msg = f"stored event {version} of dispute {dispute_id!r} cannot be read: {exc}"
        raise SchemaError(msg) from None


@functools.lru_cache(maxsize=1024)
def _decode_dispute_row(body: bytes | str) -> Dispute:
    """The dispute stored as `body`, decoded once for the same bytes.

    Each append reads the dispute again; a Dispute is immutable, and a refusal is not cached.
    """
    try:
        return decode_dispute(orjson.loads(body))
    except (orjson.JSONDecodeError, SchemaError) as exc:
        msg = f"a stored dispute cannot be read: {exc}"
        raise SchemaError(msg) from None


def _dispute_body(dispute: Dispute) -> bytes:
    return orjson.dumps(encode_dispute(dispute), option=orjson.OPT_SORT_KEYS)


def _upgrade(
    run: Callable[..., Any], steps: Mapping[int, Sequence[str]], set_version: str, where: str
) -> None:
    """Bring a SQL store's tables to `STORE_SCHEMA`, in the caller's transaction.

    `steps[v]` are the statements (in the store's dialect) that make schema `v` from `v - 1`;
    `set_version` records the new version.
    """
    run("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
    row = run("SELECT value FROM meta WHERE key = 'store_schema'").fetchone()
    found = int(row[0]) if row else 0
    if found > STORE_SCHEMA:
        msg = (
            f"{where}store schema {found} is newer than this regtimeline ({STORE_SCHEMA}): "
            "upgrade regtimeline"
        )
        raise SchemaError(msg)
    for version in range(found + 1, STORE_SCHEMA + 1):
        for statement in steps[version]:
            run(statement)
    if found < STORE_SCHEMA:
        run(set_version, (str(STORE_SCHEMA),))


#: The store schema's versions in SQLite: 1, the tables; 2, when each event was recorded
#: (NULL for events stored before: unknown, so known from the start).
_SQLITE_STEPS: Final = {
    1: (
        "CREATE TABLE disputes (id TEXT PRIMARY KEY, body BLOB NOT NULL) STRICT",
        (
            "CREATE TABLE events ("
            " dispute_id TEXT NOT NULL REFERENCES disputes(id),"
            " version INTEGER NOT NULL,"
            " event_id TEXT NOT NULL,"
            " schema INTEGER NOT NULL,"
            " body BLOB NOT NULL,"
            " PRIMARY KEY (dispute_id, version),"
            " UNIQUE (dispute_id, event_id)) STRICT"
        ),
    ),
    2: ("ALTER TABLE events ADD COLUMN recorded_at INTEGER",),
    3: (),  # PostgreSQL's projections; SQLite has none
    4: (),  # the change feed: SQLite's rowid is its position
    5: (  # the position a column of its own (an INTEGER PRIMARY KEY: VACUUM keeps it), and
        # no second index of event ids (see `Store.append`: the fold refuses a repeated id
        # before anything is written; a random insert into that index cost an append ~6 us)
        (
            "CREATE TABLE events_5 ("
            " position INTEGER PRIMARY KEY,"
            " dispute_id TEXT NOT NULL REFERENCES disputes(id),"
            " version INTEGER NOT NULL,"
            " event_id TEXT NOT NULL,"
            " schema INTEGER NOT NULL,"
            " body BLOB NOT NULL,"
            " recorded_at INTEGER,"
            " UNIQUE (dispute_id, version)) STRICT"
        ),
        (
            "INSERT INTO events_5 SELECT rowid, dispute_id, version, event_id, schema, body,"
            " recorded_at FROM events ORDER BY rowid"
        ),
        "DROP TABLE events",
        "ALTER TABLE events_5 RENAME TO events",
    ),
}

#: The same in PostgreSQL. Ids are kept as UTF-8 bytes: PostgreSQL text cannot hold NUL.
_POSTGRES_STEPS: Final = {
    1: (
        "CREATE TABLE disputes (id BYTEA PRIMARY KEY, body BYTEA NOT NULL)",
        (
            "CREATE TABLE events ("
            " dispute_id BYTEA NOT NULL REFERENCES disputes(id),"
            " version INTEGER NOT NULL,"
            " event_id BYTEA NOT NULL,"
            " schema INTEGER NOT NULL,"
            " body BYTEA NOT NULL,"
            " PRIMARY KEY (dispute_id, version),"
            " UNIQUE (dispute_id, event_id))"
        ),
    ),
    2: ("ALTER TABLE events ADD COLUMN recorded_at BIGINT",),
    3: _projection.DDL,  # periods and restriction spells with tstzrange columns
    4: (  # the change feed: a position per event, handed out in commit order
        "CREATE TABLE feed (one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one), last BIGINT)",
        "ALTER TABLE events ADD COLUMN position BIGINT",
        (
            "UPDATE events SET position = o.n FROM (SELECT dispute_id, version, row_number()"
            " OVER (ORDER BY recorded_at NULLS FIRST, dispute_id, version) AS n FROM events)"
            " AS o WHERE events.dispute_id = o.dispute_id AND events.version = o.version"
        ),
        "INSERT INTO feed (last) SELECT count(*) FROM events",
        "ALTER TABLE events ALTER COLUMN position SET NOT NULL",
        "CREATE UNIQUE INDEX events_position ON events (position)",
    ),
    5: (),  # SQLite's position column; PostgreSQL has one since 4
}


def _write_ahead(db: sqlite3.Connection) -> None:
    """Put the database in WAL mode (it stays so: a no-op for a store that is).

    SQLite refuses the switch at once, without its busy wait, while another connection is
    making the same new database (eight openers at once: about one in seventy tries):
    try again for up to the store's 60-second wait.
    """
    deadline = time.monotonic() + 60.0
    while True:
        try:
            db.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            busy = getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_BUSY
            if not busy or time.monotonic() > deadline:
                raise
            time.sleep(0.002)
        else:
            return


def _unavailable(path: str, error: sqlite3.Error) -> StoreError:
    """The refusal of a SQLite store that cannot be written now (nothing was stored)."""
    why = str(error)
    if "locked" in why or "busy" in why:
        why += " (another writer held it past the 60-second wait)"
    return StoreError(f"the SQLite store {path!r} cannot be written now: {why}; nothing was stored")


_INSERT_EVENT: Final = (
    "INSERT INTO events (dispute_id, version, event_id, schema, body, recorded_at)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)


class _SqliteTransaction:
    """A SQLite transaction: begun on entry, committed on a normal exit, else rolled back.

    (A class rather than a generator-based context manager: a single-event append pays
    for its set-up on every call.)
    """

    __slots__ = ("_begin", "_db", "_path")

    def __init__(self, db: sqlite3.Connection, begin: str, path: str) -> None:
        self._db = db
        self._begin = begin
        self._path = path

    def __enter__(self) -> sqlite3.Connection:
        try:
            self._db.execute(self._begin)
        except sqlite3.OperationalError as error:  # locked past the wait, a disk error
            raise _unavailable(self._path, error) from None
        return self._db

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        if kind is not None:
            self._db.execute("ROLLBACK")
            return
        try:
            self._db.execute("COMMIT")
        except sqlite3.Error as error:  # pragma: no cover - a failed commit is rolled back
            self._db.execute("ROLLBACK")
            msg = f"the append could not be committed: {error}"
            raise ConcurrencyError(msg) from None


class SqliteStore(Store):
    """SQLite, the default: one file, many readers, writers one at a time.

    The database runs in WAL mode with ``synchronous=NORMAL``: a committed append survives
    the writing process crashing (killed, or raising) at any point; after a power loss or an
    operating-system crash the last appends committed before it may be lost, but the
    database stays consistent. Pass ``durable=True`` (or ``?durable=1`` in the URL) for
    ``synchronous=FULL``: every commit is on disk before `append` returns, at a cost.
    """

    # an event stored at a version already taken breaks the events' primary key: the
    # insert fails and nothing is stored
    _optimistic = True

    def __init__(
        self, path: str = ":memory:", *, durable: bool = False, read_only: bool = False
    ) -> None:
        super().__init__()
        self.path = path
        if "\x00" in path:
            msg = f"a SQLite path cannot hold a NUL character, got {path!r:.80}"
            raise InvalidValue(msg)
        # a file this process cannot write (or in a directory it cannot write, where SQLite
        # keeps its -wal and -shm files) is opened for reading
        file = Path(path)
        if path != ":memory:" and file.is_file():
            read_only = read_only or not (_writable(file) and _writable(file.parent))
        #: open for reading only: `create` and `append` raise StoreError
        self.read_only: Final = read_only
        try:
            if read_only:
                # immutable: nobody can be writing where no one can create the -wal file
                fixed = "" if _writable(Path(path).parent) else "&immutable=1"
                target = f"file:{urllib.parse.quote(path)}?mode=ro{fixed}"
                self._db = sqlite3.connect(
                    target, uri=True, isolation_level=None, check_same_thread=False, timeout=60.0
                )
            else:
                self._db = sqlite3.connect(
                    path, isolation_level=None, check_same_thread=False, timeout=60.0
                )
        except sqlite3.Error as exc:
            msg = f"cannot open the SQLite store {path!r}: {exc} (does its directory exist?)"
            raise InvalidValue(msg) from None
        try:
            self._db.execute("PRAGMA busy_timeout = 60000")
            if not read_only:
                # a new database's pages: 1 KiB rather than 4 KiB (each commit writes the
                # pages it changed to the WAL: a single-event append writes a quarter);
                # nothing changes for a database that exists
                self._db.execute("PRAGMA page_size = 1024")
                if path != ":memory:":
                    _write_ahead(self._db)
                self._db.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
            self._db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:  # a text file, another application's database
            self._db.close()
            msg = f"{path!r} is not a regtimeline SQLite store: {exc}"
            raise SchemaError(msg) from None
        except BaseException:  # a store that cannot be opened leaves no connection open
            self._db.close()
            raise

    def _migrate(self) -> None:
        db = self._db
        if self.read_only:  # nothing to write: check that it is a store this version reads
            row = db.execute("SELECT value FROM meta WHERE key = 'store_schema'").fetchone()
            found = int(row[0]) if row else 0
            if not 1 <= found <= STORE_SCHEMA:
                msg = (
                    f"{self.path}: store schema {found} cannot be read by this regtimeline "
                    f"({STORE_SCHEMA}) from a store open for reading only"
                )
                raise SchemaError(msg)
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            upsert = "INSERT OR REPLACE INTO meta VALUES ('store_schema', ?)"
            _upgrade(db.execute, _SQLITE_STEPS, upsert, where=f"{self.path}: ")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _transaction(self) -> _SqliteTransaction:
        self._check_open()
        begin = "BEGIN" if self.read_only else "BEGIN IMMEDIATE"
        return _SqliteTransaction(self._db, begin, self.path)

    def _dispute(self, tx: Any, dispute_id: str) -> Dispute | None:
        row = tx.execute("SELECT body FROM disputes WHERE id = ?", (dispute_id,)).fetchone()
        return None if row is None else _decode_dispute_row(row[0])

    def _writing(self) -> None:
        if self.read_only:
            msg = (
                f"the SQLite store {self.path!r} is open for reading only (the file or its "
                "directory is not writable, or the URL says mode=ro): nothing was stored"
            )
            raise StoreError(msg)

    def _insert_dispute(self, tx: Any, dispute: Dispute) -> bool:
        # writers hold the database's write lock from BEGIN IMMEDIATE: no one came between
        tx.execute("INSERT INTO disputes VALUES (?, ?)", (dispute.id, _dispute_body(dispute)))
        return True

    def _version(self, tx: Any, dispute_id: str, *, lock: bool) -> int:
        row = tx.execute(
            "SELECT max(version) FROM events WHERE dispute_id = ?", (dispute_id,)
        ).fetchone()
        return int(row[0] or 0)

    def _entries_after(self, tx: Any, dispute_id: str, version: int) -> list[_Row]:
        rows = tx.execute(
            "SELECT version, schema, body, recorded_at FROM events"
            " WHERE dispute_id = ? AND version > ? ORDER BY version",
            (dispute_id, version),
        )
        return [(_decode_row(dispute_id, v, schema, body), at) for v, schema, body, at in rows]

    def _insert_atomically(
        self, dispute_id: str, first_version: int, events: Sequence[Event], recorded: int
    ) -> None:
        if len(events) != 1:
            super()._insert_atomically(dispute_id, first_version, events, recorded)
            return
        # one statement outside a transaction is a transaction of its own: it takes the
        # write lock (waiting as BEGIN IMMEDIATE does) and commits, in one call
        self._check_open()
        self._insert_events(self._db, dispute_id, first_version, events, recorded)

    def _insert_events(
        self,
        tx: Any,
        dispute_id: str,
        first_version: int,
        events: Sequence[Event],
        recorded: int,
        along: Sequence[_projection.Along] = (),
    ) -> None:
        sql = _INSERT_EVENT
        try:
            if len(events) == 1:  # the common case, without executemany's set-up
                e = events[0]
                tx.execute(
                    sql, (dispute_id, first_version, e.id, SCHEMA_VERSION, dumps(e), recorded)
                )
                return
            tx.executemany(
                sql,
                (  # one row at a time: a batch's encoded rows are never all kept at once
                    (dispute_id, first_version + n, e.id, SCHEMA_VERSION, dumps(e), recorded)
                    for n, e in enumerate(events)
                ),
            )
        except sqlite3.IntegrityError:
            msg = f"dispute {dispute_id!r}: another writer appended version {first_version}"
            raise ConcurrencyError(msg) from None
        except sqlite3.OperationalError as error:  # (a single event is its own transaction)
            raise _unavailable(self.path, error) from None

    def _all_disputes(self, tx: Any) -> list[Dispute]:
        return [_decode_dispute_row(body) for (body,) in tx.execute("SELECT body FROM disputes")]

    def _feed(self, tx: Any, after: int, limit: int) -> list[_FeedRow]:
        # writers take turns (BEGIN IMMEDIATE) and no row is ever deleted: the position (the
        # rowid) grows in the order appends commit
        rows = tx.execute(
            "SELECT position, dispute_id, version, schema, body, recorded_at FROM events"
            " WHERE position > ? ORDER BY position LIMIT ?",
            (after, limit),
        )
        return [(p, d, v, _decode_row(d, v, s, b), at) for p, d, v, s, b, at in rows]

    def close(self) -> None:
        """Close the database connection; any later use raises `StoreError`."""
        super().close()
        self._db.close()


class PostgresStore(Store):
    """PostgreSQL through psycopg 3: writers of one dispute take turns (a row lock).

    Beside the events, the store keeps projection tables that SQL can ask (``periods`` and
    ``restrictions``, each row with a ``tstzrange`` under a GiST index), rewritten in the
    transaction of each append; `restricted` and `periods` are answered from them.
    """

    def __init__(self, url: str) -> None:
        super().__init__()
        try:
            import psycopg  # noqa: PLC0415 - optional dependency
        except ImportError as exc:  # pragma: no cover - exercised by hand
            msg = "PostgreSQL stores need psycopg: pip install 'regtimeline[postgresql]'"
            raise ImportError(msg) from exc
        self._psycopg = psycopg
        self._url = url
        try:
            self._db = psycopg.connect(url, autocommit=False)
        except psycopg.Error as exc:
            msg = f"cannot connect to the PostgreSQL store {_safe_url(url)}: {exc}".strip()
            raise StoreError(msg) from None
        #: per dispute: the version its projection rows were computed for, and the rows
        self._projected: dict[str, tuple[int, list[Any], list[Any], bool, int]] = {}
        self._known_disputes: dict[bytes, Dispute] = {}
        try:
            self._migrate()
        except psycopg.errors.InsufficientPrivilege as exc:
            self._db.close()
            msg = f"{_safe_url(url)}: this user may not read or set up the store: {exc}"
            raise StoreError(msg) from None
        except psycopg.Error as exc:  # another application's tables
            self._db.close()
            msg = f"{_safe_url(url)} is not a regtimeline PostgreSQL store: {exc}"
            raise SchemaError(msg) from None
        except BaseException:  # a store that cannot be opened leaves no connection open
            self._db.close()
            raise

    def _migrate(self) -> None:
        with self._db.transaction():
            self._db.execute("SELECT pg_advisory_xact_lock(727274)")  # one migrator at a time
            upsert = (
                "INSERT INTO meta VALUES ('store_schema', %s)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
            )
            _upgrade(self._db.execute, _POSTGRES_STEPS, upsert, where="")
            built = self._db.execute("SELECT 1 FROM meta WHERE key = 'projections'").fetchone()
            remembered = []
            if built is None:  # a store made before projections: build them for every dispute
                for dispute in self._all_disputes(self._db):
                    version = self._version(self._db, dispute.id, lock=False)
                    timeline = self._timeline(self._db, dispute, version)
                    along: list[_projection.Along] = []
                    remembered.append(self._project(self._db, -1, version, (), timeline, along))
                    _projection.run(self._db, along)
                self._db.execute("INSERT INTO meta VALUES ('projections', '1')")
        self._db.commit()
        for remember in remembered:  # (once committed)
            if remember is not None:
                remember()

    def _project(
        self,
        tx: Any,
        version: int,
        after: int,
        batch: Sequence[Event],
        timeline: Timeline,
        along: list[_projection.Along],
    ) -> Callable[[], None] | None:
        """Rewrite the dispute's projection rows from the first one that changed.

        The rows last written by this process are kept with the version they are of. An
        append after them of events that cannot change a phase or a restriction (a
        statement, a takedown request; `_projection.QUIET`), later than every event before,
        leaves them as they are. Otherwise they are computed again and compared with the
        rows kept (or, when another process appended meanwhile, with the rows the table
        holds), and rewritten from the first difference on: a change of a few rows is added
        to `along` (sent with the events' insert, one round trip fewer), a larger one made
        at once. The rows are remembered only once the transaction has committed (the
        returned function).
        """
        dispute = timeline.dispute
        zone = dispute.zone
        known = self._projected.get(dispute.id)
        keys = [zone.key(e.at) for e in batch]
        old = known if known is not None and known[0] == version else None
        later = old is not None and not old[3] and min(keys, default=old[4] + 1) > old[4]
        projected = self._projected
        if old is not None and later and all(_projection.quiet(e) for e in batch):
            kept = (after, old[1], old[2], False, max(keys))
            return functools.partial(projected.__setitem__, dispute.id, kept)
        if old is not None and not any(isinstance(e, CORRECTION_TYPES) for e in batch):
            # events are taken away only by corrections: a window seen stays
            windowed = old[3] or any(getattr(e, "window", None) is not None for e in batch)
        else:
            windowed = _projection.windowed(timeline)
        periods = _projection.period_rows(timeline, windowed)
        _projection.rewrite(tx, "periods", dispute, None if old is None else old[1], periods, along)
        if old is not None and later and not any(_projection.restricting(e) for e in batch):
            spells = old[2]  # restrictions change only at restriction events (and `ends`)
        else:
            spells = _projection.restriction_rows(timeline)
            _projection.rewrite(
                tx, "restrictions", dispute, None if old is None else old[2], spells, along
            )
        last = timeline._last_key()
        now = (after, periods, spells, windowed, -(1 << 62) if last is None else last)
        return functools.partial(projected.__setitem__, dispute.id, now)

    def _connection(self) -> Any:
        """The connection: a new one if the last was lost (the server restarted, say)."""
        self._check_open()
        if self._db.closed:  # (psycopg closes a connection it finds broken)
            try:
                self._db = self._psycopg.connect(self._url, autocommit=False)
            except self._psycopg.Error as exc:
                why = str(exc).strip() or type(exc).__name__
                msg = f"the connection to {_safe_url(self._url)} was lost: {why}"
                raise StoreError(msg) from None
        return self._db

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Any]:
        db = self._connection()
        committing = False
        try:
            with db.transaction():
                yield db
                committing = True
        except self._psycopg.errors.UniqueViolation:
            msg = "another writer appended the same version first; reload and try again"
            raise ConcurrencyError(msg) from None
        except self._psycopg.Error as exc:  # the server refused, or the connection broke
            why = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            if committing and db.closed:
                # the COMMIT may have reached the server before the connection broke
                msg = (
                    f"PostgreSQL connection lost while committing: {why}; what this call"
                    " wrote may or may not be stored: load the dispute to see (the next"
                    " call connects again)"
                )
            elif db.closed:
                msg = (
                    f"PostgreSQL connection lost: {why}; the transaction was rolled back,"
                    " nothing stored (the next call connects again)"
                )
            else:
                msg = f"PostgreSQL failed: {why}; the transaction was rolled back, nothing stored"
            raise StoreError(msg) from None
        finally:
            with contextlib.suppress(self._psycopg.Error):  # (a broken connection: reported)
                if db.info.transaction_status != self._psycopg.pq.TransactionStatus.IDLE:
                    db.rollback()

    def _dispute(self, tx: Any, dispute_id: str) -> Dispute | None:
        key = dispute_id.encode()
        row = tx.execute("SELECT body FROM disputes WHERE id = %s", (key,)).fetchone()
        return None if row is None else _decode_dispute_row(bytes(row[0]))

    def _insert_dispute(self, tx: Any, dispute: Dispute) -> bool:
        # a creator that committed meanwhile makes this insert wait for it, then do nothing
        cursor = tx.execute(
            "INSERT INTO disputes VALUES (%s, %s) ON CONFLICT (id) DO NOTHING",
            (dispute.id.encode(), _dispute_body(dispute)),
        )
        return bool(cursor.rowcount == 1)

    def _version(self, tx: Any, dispute_id: str, *, lock: bool) -> int:
        key = dispute_id.encode()
        if lock:  # writers of this dispute take turns from here to the commit
            tx.execute("SELECT 1 FROM disputes WHERE id = %s FOR UPDATE", (key,))
        row = tx.execute("SELECT max(version) FROM events WHERE dispute_id = %s", (key,)).fetchone()
        return int(row[0] or 0)

    def _entries_after(self, tx: Any, dispute_id: str, version: int) -> list[_Row]:
        rows = tx.execute(
            "SELECT version, schema, body, recorded_at FROM events"
            " WHERE dispute_id = %s AND version > %s ORDER BY version",
            (dispute_id.encode(), version),
        )
        return [
            (_decode_row(dispute_id, v, schema, bytes(body)), at) for v, schema, body, at in rows
        ]

    def _insert_events(
        self,
        tx: Any,
        dispute_id: str,
        first_version: int,
        events: Sequence[Event],
        recorded: int,
        along: Sequence[_projection.Along] = (),
    ) -> None:
        # the feed's one row stays locked to the commit: appends that reach this point take
        # turns, so positions are handed out in the order appends commit (a follower never
        # sees a later position before an earlier one is committed)
        # (with the projections' changes, when they are small: one round trip for both)
        clause, params = _projection.with_clause(along)
        (last,) = tx.execute(
            f"{clause}UPDATE feed SET last = last + %s RETURNING last",  # noqa: S608
            [*params, len(events)],
        ).fetchone()
        first = int(last) - len(events) + 1
        columns = "dispute_id, version, event_id, schema, body, recorded_at, position"
        with tx.cursor() as cursor, cursor.copy(f"COPY events ({columns}) FROM STDIN") as copy:
            key = dispute_id.encode()
            for n, e in enumerate(events):
                row = (
                    key, first_version + n, e.id.encode(), SCHEMA_VERSION, dumps(e), recorded,
                    first + n,
                )  # fmt: skip
                copy.write_row(row)

    def _all_disputes(self, tx: Any) -> list[Dispute]:
        rows = tx.execute("SELECT body FROM disputes").fetchall()
        return [_decode_dispute_row(bytes(body)) for (body,) in rows]

    def _feed(self, tx: Any, after: int, limit: int) -> list[_FeedRow]:
        rows = tx.execute(
            "SELECT position, dispute_id, version, schema, body, recorded_at FROM events"
            " WHERE position > %s ORDER BY position LIMIT %s",
            (after, limit),
        )
        out: list[_FeedRow] = []
        for position, key, version, schema, body, at in rows:
            dispute_id = bytes(key).decode()
            event = _decode_row(dispute_id, version, schema, bytes(body))
            out.append((int(position), dispute_id, int(version), event, at))
        return out

    def _disputes_by_key(self, tx: Any, keys: Iterable[bytes]) -> dict[bytes, Dispute]:
        """The disputes of these keys (a dispute never changes once created: kept)."""
        known = self._known_disputes
        missing = sorted({k for k in keys if k not in known})
        if missing:
            rows = tx.execute("SELECT id, body FROM disputes WHERE id = ANY(%s)", (missing,))
            for key, body in rows:
                known[bytes(key)] = _decode_dispute_row(bytes(body))
        return known

    def _current(self, tx: Any, dispute: Dispute) -> Timeline:
        return self._timeline(tx, dispute, self._version(tx, dispute.id, lock=False))

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
        """`Archive.restricted`, answered in SQL from the projection tables.

        The same rows as ``Archive.from_store(store).restricted(...)``; each row's `status`
        is read from the store when first asked for. A dispute with a recurring window is
        checked from its timeline (its windows recur for ever); with `as_of`, the archive
        answers from the record as it stood (the projections hold the record as it is).

        Raises:
            TimeError: `when` or `as_of` is naive or malformed.
            InvalidValue: a filter or slice value that is not a (non-blank) string.
        """
        if as_of is not None:
            return Archive.from_store(self).restricted(
                when,
                as_of=as_of,
                jurisdiction=jurisdiction,
                platform=platform,
                regulator=regulator,
                network=network,
                service=service,
                region=region,
                operator=operator,
            )
        point = slice_point("restricted", network, service, region, operator)
        wanted = wanted_disputes("restricted", jurisdiction, platform, regulator)
        keys = _Keys(when)
        rows: list[DisputeStatus] = []
        with self._lock, self._transaction() as tx:
            found = _projection.restricted(tx, keys, point, wanted)
            disputes = self._disputes_by_key(tx, (k for k, _ in found))
            for key, phase in found:
                dispute = disputes[key]
                at = keys.of_zone(dispute.timezone)
                if phase is None:  # answered from the timeline
                    timeline = self._current(tx, dispute)
                    phase = timeline._status_at_key(at).phase_for(*point)
                    if phase < Phase.DELISTED:
                        continue
                    rows.append(DisputeStatus(dispute, at, phase, point, timeline))
                else:
                    load = functools.partial(self.load, dispute.id)
                    rows.append(DisputeStatus(dispute, at, phase, point, load))
        rows.sort(key=lambda row: row.dispute.id)
        return tuple(rows)

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
        """`Archive.periods`, answered in SQL from the ``periods`` projection table.

        The same rows as ``Archive.from_store(store).periods(...)``. The periods of a slice,
        of a dispute with a recurring window (whose windows recur up to `end`), and with
        `as_of`, are computed from the timelines of the disputes the filters keep.

        Raises:
            TimeError: a bound is naive, malformed or a span, or `end` is before `start`.
            InvalidValue: a filter or slice value that is not a (non-blank) string.
        """
        point = slice_point("periods", network, service, region, operator)
        wanted = wanted_disputes("periods", jurisdiction, platform, regulator)
        with self._lock, self._transaction() as tx:
            if as_of is not None or point != (None, None, None, None):
                kept = [
                    self._current(tx, d)
                    for d in self._all_disputes(tx)
                    if all(w is None or v in w for w, v in zip(wanted, _fields(d), strict=True))
                ]
                return Archive(kept).periods(
                    start,
                    end,
                    as_of=as_of,
                    network=network,
                    service=service,
                    region=region,
                    operator=operator,
                )
            disputes = {d.id.encode(): d for d in self._all_disputes(tx)}
            rows, aside = _projection.periods(tx, start, end, wanted, disputes.__getitem__)
            if aside:
                timelines = [self._current(tx, disputes[k]) for k in aside]
                rows.extend(Archive(timelines).periods(start, end))
        rows.sort(key=lambda p: (p.dispute.id, instant_key(p.start)))
        return tuple(rows)

    def close(self) -> None:
        """Close the database connection; any later use raises `StoreError`."""
        super().close()
        self._db.close()


def open_store(url: str) -> Store:
    """Open a store by URL.

    - ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db``: a SQLite file
      (created if missing); add ``?durable=1`` for fsync on every commit.
    - ``sqlite://``: SQLite in memory.
    - ``memory://``: plain Python memory.
    - ``postgresql://...`` (or ``postgres://``): PostgreSQL, with psycopg 3.

    Raises:
        InvalidValue: a URL of another kind.
        SchemaError: the store was written by a newer regtimeline.

    Examples:
        >>> open_store("memory://").disputes()
        []
    """
    if not isinstance(url, str):
        msg = f"open_store takes a URL string, got {url!r:.60}"
        raise InvalidValue(msg)
    if url == "memory://":
        return MemoryStore()
    if url.startswith(("postgresql://", "postgres://")):
        return PostgresStore(url)
    if url.startswith("sqlite://"):
        rest = url.removeprefix("sqlite://")
        path, _, query = rest.partition("?")
        options = [o for o in query.split("&") if o]
        durable = any(o in ("durable=1", "durable=true") for o in options)
        read_only = "mode=ro" in options
        unknown = [o for o in options if o not in ("durable=1", "durable=true", "mode=ro")]
        if unknown:
            msg = f"unknown option {unknown[0]!r} in {url!r}: the options are durable=1, mode=ro"
            raise InvalidValue(msg)
        if not path:
            return SqliteStore(":memory:", durable=durable)  # mode=ro: nothing to read
        if not path.startswith("/"):
            msg = f"{url!r}: write sqlite:///relative.db or sqlite:////absolute/path.db"
            raise InvalidValue(msg)
        if path == "/":  # SQLite would open a temporary file that vanishes on close
            msg = (
                f"{url!r} names no file: write sqlite:///relative.db or "
                "sqlite:////absolute/path.db, or sqlite:// for a store in memory"
            )
            raise InvalidValue(msg)
        return SqliteStore(path[1:], durable=durable, read_only=read_only)
    msg = (
        f"{url!r} is not a store URL: use sqlite:///path.db, sqlite://, memory:// or postgresql://"
    )
    raise InvalidValue(msg)


def _fields(dispute: Dispute) -> tuple[str, str, str]:
    """What the filters compare: jurisdiction, platform, regulator."""
    return dispute.jurisdiction, dispute.platform, dispute.regulator


def _already_there(timeline: Timeline, version: int, batch: Sequence[Event]) -> bool:
    """Whether the record holds exactly `batch` right after its first `version` entries."""
    stored = timeline._record.events[version : version + len(batch)]
    return (
        bool(batch)
        and len(stored) == len(batch)
        and all(a == b for a, b in zip(stored, batch, strict=True))
    )


def _writable(path: Path) -> bool:
    """Whether this process may write `path` (a file, or a directory to create files in)."""
    return os.access(path, os.W_OK)


def _safe_url(url: str) -> str:
    """A URL to show: without its password."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
