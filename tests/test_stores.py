"""The store contract, run on every kind of store: memory, SQLite (memory, file), PostgreSQL."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import uuid

import attrs
import orjson
import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from regtimeline import (
    BlockLifted,
    ConcurrencyError,
    DeadlineSet,
    Dispute,
    DuplicateEvent,
    Event,
    InvalidTransition,
    InvalidValue,
    RegTimelineError,
    SchemaError,
    Statement,
    StoreError,
    ThrottleImposed,
    ThrottleLifted,
    Timeline,
    UnknownReference,
    open_store,
)
from regtimeline.examples import TWITTER_RUSSIA, twitter_russia, twitter_russia_events
from regtimeline.serialization import encode
from regtimeline.stores import STORE_SCHEMA
from regtimeline.strategies import timelines

D = TWITTER_RUSSIA.id


def say(i: int, at: str = "2021-04-01") -> Statement:
    return Statement(at=at, id=f"s{i}", by="x", text=str(i))


@pytest.fixture
def store(store_url):
    with open_store(store_url) as s:
        s.create(TWITTER_RUSSIA)
        yield s


class TestContract:
    def test_a_new_dispute_is_empty(self, store):
        """A created dispute has version 0 and an empty timeline."""
        assert store.version(D) == 0
        assert store.load(D) == Timeline(TWITTER_RUSSIA)
        assert store.disputes() == [TWITTER_RUSSIA]

    @pytest.mark.parametrize("bad", [None, 5, [], {}, b"id"])
    def test_bad_arguments_are_invalid_values(self, store, bad):
        """Ids that are not strings, events that are not iterable and versions that are not
        whole numbers are InvalidValue on every store, never a database or TypeError."""
        for call in (
            lambda: store.load(bad),
            lambda: store.version(bad),
            lambda: store.append(bad, [say(1)]),
            lambda: store.append(D, 5),
            lambda: store.append(D, [say(1)], expected_version="0"),
            lambda: store.append(D, [say(1)], expected_version=True),
            lambda: store.append(D, [say(1)], expected_version=-1),
        ):
            with pytest.raises(InvalidValue):
                call()
        assert store.version(D) == 0

    def test_a_closed_store_refuses_every_call(self, store):
        """After close, every call is a StoreError on every store (SQLite let its
        ProgrammingError through; the memory store went on working). Closing again, or
        leaving the `with` block after closing, is fine."""
        store.append(D, [say(1)])
        store.load(D)  # (cached: a closed store must refuse a cached read too)
        store.close()
        for call in (
            lambda: store.load(D),
            lambda: store.version(D),
            lambda: store.append(D, [say(2)]),
            lambda: store.append(D, [say(2)], expected_version=1),
            lambda: store.create(TWITTER_RUSSIA),
            store.disputes,
            store.changes,
            *(  # (PostgreSQL answers these in SQL)
                [store.periods, lambda: store.restricted("2021-04-01")]
                if hasattr(store, "periods")
                else []
            ),
        ):
            with pytest.raises(StoreError, match="was closed; open it again"):
                call()
        store.close()

    def test_append_and_load(self, store):
        """The founding case appended in two batches loads back equal."""
        events = twitter_russia_events()
        assert store.append(D, events[:4], expected_version=0) == 4
        assert store.append(D, events[4:], expected_version=4) == len(events)
        assert store.load(D) == twitter_russia()

    def test_imprecise_times_keep_their_text(self, store):
        """A month, an approximate day and unspecified digits load back as written."""
        events = [
            ThrottleImposed(at="2021-03~", id="t", ends="2021-XX"),
            DeadlineSet(at="2021-04-XX", id="d", due="2021-05-16?"),
        ]
        store.append(D, events, expected_version=0)
        loaded = store.load(D).events
        assert loaded == tuple(events)
        assert [e.at.text for e in loaded] == ["2021-03~", "2021-04-XX"]

    def test_create_is_idempotent_and_conflicts_are_refused(self, store):
        """The same dispute again is fine; another with the same id is refused."""
        store.create(TWITTER_RUSSIA)
        other = Dispute(
            id=D, regulator="Ofcom", platform="Twitter", jurisdiction="GB", timezone="Europe/London"
        )
        with pytest.raises(ConcurrencyError, match="already exists"):
            store.create(other)
        assert store.disputes() == [TWITTER_RUSSIA]

    def test_a_stale_version_is_refused_and_stores_nothing(self, store):
        """Optimistic concurrency: expected_version must be the current one."""
        store.append(D, [say(1)], expected_version=0)
        with pytest.raises(ConcurrencyError, match="version 1, not 0"):
            store.append(D, [say(2)], expected_version=0)
        assert store.version(D) == 1
        assert [e.id for e in store.load(D).events] == ["s1"]

    def test_a_retried_append_is_safe(self, store):
        """#17: repeating an append whose outcome was unknown writes nothing and answers
        the current version; anything else at a stale version is still refused."""
        events = list(twitter_russia_events())
        store.create(TWITTER_RUSSIA)
        assert store.append(TWITTER_RUSSIA.id, events[:3], expected_version=0) == 3
        assert store.append(TWITTER_RUSSIA.id, events[:3], expected_version=0) == 3
        assert store.append(TWITTER_RUSSIA.id, events[3:5], expected_version=3) == 5
        assert store.append(TWITTER_RUSSIA.id, events[3:5], expected_version=3) == 5
        assert store.append(TWITTER_RUSSIA.id, events[:2], expected_version=0) == 5
        assert [e.id for e in store.load(TWITTER_RUSSIA.id).events] == [e.id for e in events[:5]]
        for wrong, at in ((events[1:3], 0), (events[5:6], 3), ([], 0), (events[3:6], 3)):
            with pytest.raises(ConcurrencyError, match="another writer appended first"):
                store.append(TWITTER_RUSSIA.id, wrong, expected_version=at)
        assert store.version(TWITTER_RUSSIA.id) == 5

    def test_an_invalid_event_is_never_stored(self, store):
        """Validation against the stored timeline happens before anything is written."""
        store.append(D, [say(1)])
        with pytest.raises(InvalidTransition):
            store.append(D, [say(2), BlockLifted(at="2021-04-02", id="u")])
        with pytest.raises(DuplicateEvent):
            store.append(D, [say(1, at="2021-04-03")])
        assert store.version(D) == 1

    def test_unknown_disputes(self, store):
        """Reading or appending to a dispute nobody created is an UnknownReference."""
        with pytest.raises(UnknownReference):
            store.load("nope")
        with pytest.raises(UnknownReference):
            store.append("nope", [say(1)])
        with pytest.raises(UnknownReference):
            store.version("nope")

    def test_backfill_through_the_store(self, store):
        """An earlier event appended later is stored and the history refolds."""
        store.append(D, [ThrottleImposed(at="2021-03-10", id="t"), say(1, at="2021-03-20")])
        store.append(D, [ThrottleLifted(at="2021-03-15", id="l")])
        assert store.load(D).status_at("2021-03-16").phase.name == "CLEAR"

    @pytest.mark.parametrize(
        "text",
        ["it's; DROP TABLE events; --", 'quote " and \\ backslash', "ünïcødé ✓ 中文", "\x00nul"],
    )
    def test_hostile_text_round_trips(self, store, text):
        """Ids and texts full of quotes, semicolons and SQL come back unchanged."""
        event = Statement(at="2021-04-01", id=f"{text}-id", by=text, text=text, note=text)
        store.append(D, [event])
        assert store.load(D).events == (event,)
        odd = Dispute(id=text, regulator=text, platform="p", jurisdiction="RU", timezone="UTC")
        store.create(odd)
        store.append(text, [event])
        assert store.load(text).events == (event,)
        assert odd in store.disputes()

    @pytest.mark.parametrize("kind", ["sqlite-file", "postgresql"])
    def test_two_handles_see_each_other(self, kind, tmp_path, request):
        """Two stores on one URL see each other's appends (stores other processes can open)."""
        if kind == "sqlite-file":
            store_url = f"sqlite:///{tmp_path}/shared.db"
        else:
            store_url = request.getfixturevalue("postgres_database")
        with open_store(store_url) as a, open_store(store_url) as b:
            a.create(TWITTER_RUSSIA)
            a.append(D, [say(1)])
            assert b.version(D) == 1
            b.append(D, [say(2, at="2021-04-02")], expected_version=1)
            with pytest.raises(ConcurrencyError):
                a.append(D, [say(3, at="2021-04-03")], expected_version=1)
            a.append(D, [say(3, at="2021-04-03")], expected_version=2)
            assert a.load(D) == b.load(D)
            assert [e.id for e in a.load(D).events] == ["s1", "s2", "s3"]

    @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def test_generated_timelines_round_trip(self, store_url, data):
        """Any valid timeline, appended in chunks, loads back equal."""
        drawn = data.draw(timelines(max_size=12))
        # one database serves every example of this test: give each its own dispute
        timeline = Timeline(attrs.evolve(drawn.dispute, id=uuid.uuid4().hex), drawn.events)
        cut = data.draw(st.integers(0, len(timeline)))
        with open_store(store_url) as s:
            s.create(timeline.dispute)
            s.append(timeline.dispute.id, timeline.events[:cut])
            s.append(timeline.dispute.id, timeline.events[cut:])
            assert s.load(timeline.dispute.id) == timeline


def test_a_store_locked_past_the_wait_is_a_store_error(tmp_path):
    """Another connection holds SQLite's write lock past the store's wait: an append (to a
    cached dispute, one event or several; to an uncached one) and a create are refused with
    a StoreError that says so, and nothing is stored (it was a bare sqlite3 error)."""
    path = tmp_path / "locked.db"
    with open_store(f"sqlite:///{path}") as store:
        store.create(TWITTER_RUSSIA)
        store.append(D, [say(1)])  # cached from here on
        store._db.execute("PRAGMA busy_timeout = 20")  # (60 s in real use)
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            for attempt in (
                lambda: store.append(D, [say(2, at="2021-04-02")]),
                lambda: store.append(D, [say(2, at="2021-04-02"), say(3, at="2021-04-03")]),
                lambda: store.create(attrs.evolve(TWITTER_RUSSIA, id="another")),
            ):
                with pytest.raises(StoreError, match="cannot be written now.*nothing was stored"):
                    attempt()
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert store.version(D) == 1
        store.append(D, [say(2, at="2021-04-02")])  # and it works again once released
    with open_store(f"sqlite:///{path}") as fresh:
        fresh._db.execute("PRAGMA busy_timeout = 20")
        locker = sqlite3.connect(path, isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(StoreError, match="another writer held it"):
                fresh.append(D, [say(3, at="2021-04-03")])  # not cached: the general way
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        assert [e.id for e in fresh.load(D).events] == ["s1", "s2"]


class TestOpening:
    @pytest.mark.parametrize("url", ["mysql://x", "sqlite:", "sqlite:///x.db?fast=1", "file.db", 5])
    def test_bad_urls(self, url):
        """Unknown or malformed URLs are InvalidValue."""
        with pytest.raises(InvalidValue):
            open_store(url)

    def test_sqlite_runs_in_wal_mode(self, tmp_path):
        """The file store uses write-ahead logging."""
        path = tmp_path / "s.db"
        open_store(f"sqlite:///{path}").close()
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


class TestRecordedTime:
    def test_appends_are_stamped_in_the_transaction(self, store):
        """Each stored event carries when the store recorded it; it never goes back."""
        store.append(D, [say(1)])
        store.append(D, [say(2, at="2021-04-02"), say(3, at="2021-04-03")])
        entries = store.load(D).entries
        stamps = [e.recorded_at for e in entries]
        assert all(s is not None for s in stamps)
        assert stamps == sorted(stamps)
        assert stamps[1] == stamps[2]  # one append, one recorded time

    def test_corrections_are_stored_and_as_of_works_on_load(self, store):
        """A retraction stored today leaves the answer as of yesterday unchanged."""
        store.append(D, [ThrottleImposed(at="2021-03-10", id="t")])
        first = store.load(D).recorded_until
        from regtimeline import EventRetracted

        store.append(D, [EventRetracted(at="2021-03-11", id="r", event="t", reason="false report")])
        loaded = store.load(D)
        assert loaded.status_at("2021-03-12").phase.name == "CLEAR"
        assert loaded.status_at("2021-03-12", as_of=first).phase.name == "THROTTLED"
        assert [e.event.id for e in loaded.entries] == ["t", "r"]


# The store schema 1 of each SQL dialect, as regtimeline 0.1 wrote it (no recorded_at).
SCHEMA_1 = {
    "sqlite": [
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)",
        "CREATE TABLE disputes (id TEXT PRIMARY KEY, body BLOB NOT NULL) STRICT",
        (
            "CREATE TABLE events (dispute_id TEXT NOT NULL REFERENCES disputes(id),"
            " version INTEGER NOT NULL, event_id TEXT NOT NULL, schema INTEGER NOT NULL,"
            " body BLOB NOT NULL, PRIMARY KEY (dispute_id, version),"
            " UNIQUE (dispute_id, event_id)) STRICT"
        ),
    ],
    "postgresql": [
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)",
        "CREATE TABLE disputes (id BYTEA PRIMARY KEY, body BYTEA NOT NULL)",
        (
            "CREATE TABLE events (dispute_id BYTEA NOT NULL REFERENCES disputes(id),"
            " version INTEGER NOT NULL, event_id BYTEA NOT NULL, schema INTEGER NOT NULL,"
            " body BYTEA NOT NULL, PRIMARY KEY (dispute_id, version),"
            " UNIQUE (dispute_id, event_id))"
        ),
    ],
}


@pytest.fixture(params=["sqlite", "postgresql"])
def raw_sql(request, tmp_path):
    """An empty SQL store's URL, its dialect, and a raw connection to write old data."""
    if request.param == "sqlite":
        path = tmp_path / "old.db"
        db = sqlite3.connect(path, isolation_level=None)
        yield f"sqlite:///{path}", "sqlite", lambda sql, *a: db.execute(sql.replace("%s", "?"), a)
        db.close()
        return
    import psycopg

    url = request.getfixturevalue("postgres_database")
    with psycopg.connect(url, autocommit=True) as db:
        yield url, "postgresql", lambda sql, *a: db.execute(sql, a or None)


def test_a_newer_store_is_refused(raw_sql):
    """A store written by a newer regtimeline is not misread."""
    url, _, run = raw_sql
    open_store(url).close()
    run("UPDATE meta SET value = '99' WHERE key = 'store_schema'")
    with pytest.raises(SchemaError, match="store schema 99 is newer"):
        open_store(url)


def test_a_store_of_schema_1_is_migrated(raw_sql):
    """A store written before recorded times existed opens, its events count as known from
    the start, and new appends are stamped."""
    url, dialect, run = raw_sql
    for statement in SCHEMA_1[dialect]:
        run(statement)
    key = str.encode if dialect == "postgresql" else str
    run("INSERT INTO meta VALUES ('store_schema', '1')")
    dispute = b'{"id":"d","jurisdiction":"RU","platform":"P","regulator":"R","timezone":"UTC"}'
    run("INSERT INTO disputes VALUES (%s, %s)", key("d"), dispute)
    event = (
        b'{"type":"takedown_requested","at":"2021-03-10","id":"r","items":5,"deadline_hours":24}'
    )
    run("INSERT INTO events VALUES (%s, 1, %s, 1, %s)", key("d"), key("r"), event)
    with open_store(url) as store:
        timeline = store.load("d")
        assert timeline.events[0].sla == "PT24H"
        assert timeline.entries[0].recorded_at is None
        store.append("d", [Statement(at="2021-03-11", id="s", by="x", text="y")])
        assert store.load("d").entries[1].recorded_at is not None
    with open_store(url) as again:  # migrated once: opens as schema 2
        assert len(again.load("d")) == 2


class TestChangeFeed:
    """#17: every store numbers its appends; `changes(after=)` follows them across disputes."""

    def test_every_append_in_order_across_disputes(self, store):
        other = attrs.evolve(TWITTER_RUSSIA, id="other")
        store.create(other)
        store.append(D, [say(1), say(2)])
        store.append("other", [say(3)])
        store.append(D, [say(4)])
        feed = store.changes()
        assert [(c.dispute, c.version, c.event.id) for c in feed] == [
            (D, 1, "s1"), (D, 2, "s2"), ("other", 1, "s3"), (D, 3, "s4"),
        ]  # fmt: skip
        positions = [c.position for c in feed]
        assert positions == sorted(set(positions))
        assert positions[0] >= 1
        entries = store.load(D).entries
        assert [c.recorded_at for c in feed if c.dispute == D] == [e.recorded_at for e in entries]
        # pages: from any position, what follows it
        assert store.changes(after=positions[1]) == feed[2:]
        assert store.changes(after=0, limit=1) == feed[:1]
        assert store.changes(after=positions[-1]) == ()
        assert [c.event for c in feed] == [say(1), say(2), say(3), say(4)]
        # past 64 bits (what the databases hold): nothing after, or no limit; not an error
        assert store.changes(after=2**63 - 1) == store.changes(after=10**30) == ()
        assert store.changes(limit=10**30) == feed

    @pytest.mark.parametrize(
        ("args", "words"),
        [({"after": -1}, "after"), ({"after": "0"}, "after"), ({"limit": 0}, "limit"),
         ({"after": True}, "after")],
    )  # fmt: skip
    def test_bad_arguments(self, store, args, words):
        with pytest.raises(InvalidValue, match=words):
            store.changes(**args)


def test_a_sqlite_store_of_schema_4_keeps_its_positions(tmp_path):
    """Schema 5 moves SQLite's feed position from the implicit rowid to a column of its own
    (and drops the index of event ids): every event keeps its position, new ones follow."""
    path = tmp_path / "old.db"
    db = sqlite3.connect(path, isolation_level=None)
    for statement in SCHEMA_1["sqlite"]:
        db.execute(statement)
    db.execute("ALTER TABLE events ADD COLUMN recorded_at INTEGER")
    db.execute("INSERT INTO meta VALUES ('store_schema', '4')")
    for name in ("d", "e"):
        body = (
            f'{{"id":"{name}","jurisdiction":"RU","platform":"P","regulator":"R","timezone":"UTC"}}'
        )
        db.execute("INSERT INTO disputes VALUES (?, ?)", (name, body.encode()))
    rows = [("e", 1, "s1", 7), ("d", 1, "s2", 9), ("d", 2, "s3", 20)]  # rowids with gaps
    for dispute, version, event_id, rowid in rows:
        body = orjson.dumps(encode(say(int(event_id[1:]))))
        db.execute(
            "INSERT INTO events (rowid, dispute_id, version, event_id, schema, body)"
            " VALUES (?, ?, ?, ?, 5, ?)",
            (rowid, dispute, version, event_id, body),
        )
    db.close()
    with open_store(f"sqlite:///{path}") as store:
        store.append("d", [say(4)])
        feed = store.changes()
    assert [(c.position, c.dispute, c.version, c.event.id) for c in feed] == [
        (7, "e", 1, "s1"), (9, "d", 1, "s2"), (20, "d", 2, "s3"), (21, "d", 3, "s4"),
    ]  # fmt: skip
    db = sqlite3.connect(path)
    columns = [row[1] for row in db.execute("PRAGMA table_info(events)")]
    indexes = [row[2] for row in db.execute("PRAGMA index_list(events)")]
    schema = db.execute("SELECT value FROM meta WHERE key = 'store_schema'").fetchone()
    db.close()
    assert columns[0] == "position"
    assert len(indexes) == 1  # (dispute_id, version) only
    assert schema == (str(STORE_SCHEMA),)


def test_a_postgresql_store_of_schema_3_gets_its_feed(postgres_database):
    """An older store is given positions for what it holds (in recorded order), and new
    appends follow them."""
    import psycopg

    with open_store(postgres_database) as store:
        store.create(TWITTER_RUSSIA)
        store.append(D, [say(1)])
        store.append(D, [say(2)])
    with psycopg.connect(postgres_database) as db:  # as schema 3 left it
        db.execute("DROP TABLE feed")
        db.execute("DROP INDEX events_position")
        db.execute("ALTER TABLE events DROP COLUMN position")
        db.execute("UPDATE meta SET value = '3' WHERE key = 'store_schema'")
    with open_store(postgres_database) as store:
        store.append(D, [say(3)])
        feed = store.changes()
    assert [(c.position, c.event.id) for c in feed] == [(1, "s1"), (2, "s2"), (3, "s3")]


class TwoWriters(RuleBasedStateMachine):
    """Two handles on one SQLite file append in turns, each with its own cache: a handle
    whose cached timeline is stale (the other appended since) must store exactly what a
    fresh one would, refuse what it would, and never write at a taken version.

    The model is a list of events; what it accepts is what `Timeline` accepts."""

    def __init__(self) -> None:
        super().__init__()
        self.directory = tempfile.mkdtemp()
        url = f"sqlite:///{self.directory}/shared.db"
        self.handles = (open_store(url), open_store(url))
        self.handles[0].create(TWITTER_RUSSIA)
        self.model: list[Event] = []
        self.count = 0

    def teardown(self) -> None:
        for handle in self.handles:
            handle.close()
        shutil.rmtree(self.directory, ignore_errors=True)

    def _next(self, data: st.DataObject) -> Event:
        self.count += 1
        at = pendulum.datetime(2021, 4, 1, tz="Europe/Moscow").add(
            hours=self.count + data.draw(st.sampled_from((-3, 0, 0, 0)), label="shift")
        )
        imposed = [e.id for e in self.model if isinstance(e, ThrottleImposed)]
        kind = data.draw(st.sampled_from(("say", "impose", "lift", "repeat")), label="kind")
        if kind == "impose":
            return ThrottleImposed(at=at, id=f"t{self.count}")
        if kind == "lift" and imposed:
            return ThrottleLifted(
                at=at, id=f"l{self.count}", throttle=data.draw(st.sampled_from(imposed))
            )
        if kind == "repeat" and self.model:  # a used id: refused
            return attrs.evolve(say(self.count), at=at, id=self.model[-1].id)
        return attrs.evolve(say(self.count), at=at)

    @rule(data=st.data(), writer=st.sampled_from((0, 1)), expect=st.sampled_from((None, 0, -1)))
    def append(self, data: st.DataObject, writer: int, expect: int | None) -> None:
        event = self._next(data)
        expected = None if expect is None else max(0, len(self.model) + expect)
        try:
            Timeline(TWITTER_RUSSIA, self.model).append(event)
        except RegTimelineError as exc:
            refusal: type[RegTimelineError] | None = type(exc)
        else:
            refusal = None
        if expected is not None and expected != len(self.model):
            refusal = ConcurrencyError
        try:
            version = self.handles[writer].append(D, [event], expected_version=expected)
        except RegTimelineError as exc:
            assert type(exc) is refusal, str(exc)
            return
        assert refusal is None
        self.model.append(event)
        assert version == len(self.model)

    @rule(reader=st.sampled_from((0, 1)))
    def load(self, reader: int) -> None:
        assert list(self.handles[reader].load(D).events) == list(
            Timeline(TWITTER_RUSSIA, self.model).events
        )

    @invariant()
    def versions_agree(self) -> None:
        with sqlite3.connect(f"{self.directory}/shared.db") as db:
            stored = db.execute("SELECT version FROM events ORDER BY position").fetchall()
        db.close()
        assert [v for (v,) in stored] == list(range(1, len(self.model) + 1))


TwoWriters.TestCase.settings = settings(
    stateful_step_count=25, deadline=None, suppress_health_check=list(HealthCheck)
)
TestTwoWriters = TwoWriters.TestCase
