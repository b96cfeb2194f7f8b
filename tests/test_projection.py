"""PostgreSQL answers in SQL: the projection tables against the Archive's own answers."""

from __future__ import annotations

import psycopg
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from regtimeline import (
    Archive,
    EventRetracted,
    Phase,
    Statement,
    StoreError,
    ThrottleImposed,
    ThrottleLifted,
    Timeline,
    open_store,
)
from regtimeline.examples import cases
from regtimeline.strategies import archives, boundaries

from . import reference as ref


def _store_archive(store, archive: Archive, sizes: list[int] | None = None) -> None:
    """Store every timeline's record in the order recorded, in batches of the given sizes
    (cycled; 0 for the rest at once): one event at a time extends the projections from
    the end; a batch whose events are not in time order is a backfill."""
    for t in archive:
        store.create(t.dispute)
        events = [e.event for e in t.entries]
        n = 0
        while events:
            size = (sizes or [0])[n % len(sizes or [0])] or len(events)
            store.append(t.dispute.id, events[:size])
            events = events[size:]
            n += 1


def _queries(archive: Archive, data: st.DataObject) -> list[tuple[str, tuple, dict]]:
    timelines = [t for t in archive if len(t)]
    events = [e for t in archive for e in t.events]
    out: list[tuple[str, tuple, dict]] = []
    for _ in range(3):
        if timelines:
            t = data.draw(st.sampled_from(timelines))
            z = t.dispute.zone
            keys = sorted({*boundaries(t), *(z.key(p.start) for p in t.history())})
            when = z.to_datetime(
                data.draw(st.sampled_from(keys)) + data.draw(st.sampled_from((0, -1, 1)))
            )
        else:
            when = "2021-01-01T00:00:00Z"
        if data.draw(st.booleans()):
            when = when if isinstance(when, str) else when.date().isoformat()
        point = data.draw(st.sampled_from(ref.slices(events)))
        pieces = dict(zip(("network", "service", "region", "operator"), point, strict=True))
        filters = {}
        if archive.disputes and data.draw(st.booleans()):
            filters = {
                "platform": data.draw(st.sampled_from([d.platform for d in archive.disputes]))
            }
        out.append(("restricted", (when,), {**filters, **pieces}))
        out.append(("periods", (data.draw(st.sampled_from((None, when))), None), filters))
    return out


def _same(name: str, ours: tuple, theirs: tuple) -> None:
    if name == "restricted":
        assert [(r.dispute, r.phase) for r in ours] == [(r.dispute, r.phase) for r in theirs]
    else:
        assert ours == theirs


@pytest.fixture
def pg(postgres_database):
    with open_store(postgres_database) as store:
        yield store


def test_the_real_cases(pg):
    archive = Archive(cases())
    _store_archive(pg, archive)
    for when in (
        "2021-03-10",
        "2021-05-20",
        "2022-03-05",
        "2020-09-01T12:00:00+05:30",
        "2024-09-01",
        "2019-08-05",
    ):
        for pieces in (
            {},
            {"network": "mobile"},
            {"network": "fixed"},
            {"region": "Ganderbal"},
            {"region": "Srinagar", "network": "mobile"},
        ):
            _same("restricted", pg.restricted(when, **pieces), archive.restricted(when, **pieces))
        assert pg.restricted(when, jurisdiction="IN") == archive.restricted(when, jurisdiction="IN")
    assert pg.periods() == archive.periods()
    assert pg.periods("2020-01-01", "2020-12-31", jurisdiction="IN") == archive.periods(
        "2020-01-01", "2020-12-31", jurisdiction="IN"
    )
    assert pg.periods("2021-05-01", "2021-05-31", network="fixed") == archive.periods(
        "2021-05-01", "2021-05-31", network="fixed"
    )
    rows = pg.restricted("2022-03-05", jurisdiction="RU")
    assert [(r.dispute.platform, r.phase, [x.id for x in r.restrictions]) for r in rows] == [
        ("Twitter", Phase.BLOCKED, ["block-2022"])
    ]


def test_the_tables_hold_what_the_docs_say(pg):
    archive = Archive(cases())
    _store_archive(pg, archive)
    with psycopg.connect(pg._db.info.dsn) as db:
        rows = db.execute(
            "SELECT dispute_id, phase, lower(during) FROM periods"
            " WHERE during @> '2022-03-05 12:00+03'::timestamptz AND phase_rank >= 2"
            " ORDER BY dispute_id"
        ).fetchall()
        assert [(r[0], r[1]) for r in rows] == [
            ("in-meity-tiktok-2020", "BLOCKED"),
            ("ru-roskomnadzor-twitter", "BLOCKED"),
        ]
        fixed = db.execute(
            "SELECT restriction_id, networks, services FROM restrictions"
            " WHERE dispute_id = 'ru-roskomnadzor-twitter' ORDER BY lower(during)"
        ).fetchall()
        assert fixed == [
            ("slowdown", ["fixed", "mobile"], ["photos", "videos"]),
            ("slowdown", ["mobile"], ["photos", "videos"]),
            ("block-2022", ["fixed", "mobile"], None),
        ]
        db.execute("SET enable_seqscan = off")
        plan = db.execute(
            "EXPLAIN SELECT dispute_id FROM periods"
            " WHERE during @> '2022-03-05 12:00+03'::timestamptz"
        ).fetchall()
        assert "periods_during" in " ".join(line for (line,) in plan)


def test_a_correction_rewrites_the_dispute_rows(pg, postgres_database):
    """A backfill and a retraction rewrite the rows from the first that changed; a second
    store (another process) appending meanwhile makes the first rewrite them all."""
    archive = Archive([cases()[-1]])
    _store_archive(pg, archive)
    t = archive["ru-roskomnadzor-twitter"]
    earlier = ThrottleImposed(at="2021-02-01", id="earlier", scope=t.events[1].scope)
    lifted = ThrottleLifted(at="2021-02-15", id="earlier-lifted", throttle="earlier")
    pg.append(t.dispute.id, [lifted, earlier])
    expected = Archive([t.append(earlier, lifted)])
    assert pg.periods() == expected.periods()
    with open_store(postgres_database) as other:  # the earlier throttle was never lifted
        other.append(t.dispute.id, [EventRetracted(at="2021-06-01", id="r", event=lifted.id)])
    pg.append(t.dispute.id, [Statement(at="2021-02-20", id="said", by="x", text="y")])
    now = Archive.from_store(pg)
    assert now[t.dispute.id].status_at("2021-02-16").throttles[0].id == "earlier"
    assert pg.periods() == now.periods()
    for when in ("2021-02-05", "2021-02-12", "2021-02-16", "2021-03-11"):
        _same("restricted", pg.restricted(when), now.restricted(when))


def test_a_store_made_before_projections_builds_them(postgres_database):
    archive = Archive(cases())
    with open_store(postgres_database) as store:
        _store_archive(store, archive)
    with psycopg.connect(postgres_database, autocommit=True) as db:
        db.execute("DROP TABLE periods, restrictions, feed")  # as store schema 2 had it
        db.execute("DROP INDEX events_position")
        db.execute("ALTER TABLE events DROP COLUMN position")
        db.execute("DELETE FROM meta WHERE key = 'projections'")
        db.execute("UPDATE meta SET value = '2' WHERE key = 'store_schema'")
    with open_store(postgres_database) as store:
        assert store.periods() == archive.periods()
        _same("restricted", store.restricted("2021-04-01"), archive.restricted("2021-04-01"))


def test_as_of_is_answered_from_the_record(pg):
    t = cases()[-1]
    late = Timeline(t.dispute).append(*t.events, recorded_at="2022-06-01T00:00:00Z")
    _store_archive(pg, Archive([late]))
    assert pg.restricted("2021-04-01", as_of="2021-12-31") == ()
    assert pg.periods(as_of="2021-12-31") == ()


@settings(
    max_examples=max(15, settings.default.max_examples // 3),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(archives(max_size=4, max_events=10, recorded=True), st.data())
def test_every_query_equals_the_archive(postgres_database, archive, data):
    """On generated archives stored in two batches each (a backfill when the second holds
    earlier facts, corrections included), PostgreSQL answers as the Archive does."""
    open_store(postgres_database).close()  # the tables exist
    with psycopg.connect(postgres_database, autocommit=True) as db:
        db.execute("TRUNCATE periods, restrictions, events, disputes")
    sizes = data.draw(st.lists(st.integers(0, 4), min_size=1, max_size=3))
    with open_store(postgres_database) as store:
        _store_archive(store, archive, sizes)
        stored = Archive.from_store(store)
        for name, args, kwargs in _queries(stored, data):
            note(f"{name}{args} {kwargs}")
            _same(
                name, getattr(store, name)(*args, **kwargs), getattr(stored, name)(*args, **kwargs)
            )


def test_all_regions_but_one(pg):
    """A nationwide mobile shutdown lifted in one state: SQL reads "every region except"."""
    from regtimeline import BlockImposed, BlockLifted, Dispute, Scope

    d = Dispute(
        id="in-x", regulator="MHA", platform="internet", jurisdiction="IN", timezone="Asia/Kolkata"
    )
    t = Timeline(
        d,
        [
            BlockImposed(at="2021-01-01", id="b", scope=Scope(networks={"mobile"})),
            BlockLifted(at="2021-01-05", id="l", block="b", scope=Scope(regions={"IN-JK"})),
        ],
    )
    archive = Archive([t])
    _store_archive(pg, archive)
    for when in ("2021-01-03", "2021-01-06"):
        for pieces in (
            {"region": "IN-JK"},
            {"region": "IN-DL"},
            {"region": "IN-DL", "network": "fixed"},
            {"region": "IN-JK", "network": "mobile"},
            {"service": "sms"},
        ):
            got = [(r.dispute.id, r.phase) for r in pg.restricted(when, **pieces)]
            assert got == [(r.dispute.id, r.phase) for r in archive.restricted(when, **pieces)]
    assert [r.dispute.id for r in pg.restricted("2021-01-06", region="IN-JK")] == []
    assert [r.dispute.id for r in pg.restricted("2021-01-06", region="IN-DL")] == ["in-x"]


def test_an_event_at_the_same_instant_as_the_last_can_change_a_cause(pg):
    """A period's cause is the last event at its first instant: a statement appended at
    that instant takes it over, so the rows are rewritten even for a statement."""
    from regtimeline import Dispute

    d = Dispute(id="d", regulator="R", platform="P", jurisdiction="RU", timezone="UTC")
    pg.create(d)
    pg.append(d.id, [ThrottleImposed(at="2021-01-01", id="t")])
    pg.append(d.id, [Statement(at="2021-01-01", id="s", by="x", text="y")])
    expected = Archive.from_store(pg).periods()
    assert [p.cause for p in expected] == ["s"]
    assert pg.periods() == expected


def test_a_window_in_a_later_append_marks_every_row_windowed(pg):
    """An append to a dispute the store has projected already, adding a restriction with a
    recurring window, marks the dispute's rows windowed (its periods stop where its events
    do, so its queries look past them): the flag is kept from append to append, and a
    window in the batch sets it."""
    from regtimeline import BlockImposed, Window

    archive = Archive(cases())
    t = next(iter(archive))
    pg.create(t.dispute)
    pg.append(t.dispute.id, t.events)
    pg.append(t.dispute.id, [Statement(at="2030-01-01", id="later", by="x", text="y")])
    curfew = BlockImposed(at="2030-02-01", id="curfew", window=Window(start="22:00", end="06:00"))
    pg.append(t.dispute.id, [curfew])
    after = Statement(at="2030-02-02", id="after", by="x", text="y")
    pg.append(t.dispute.id, [after])  # an append without a window keeps the flag
    with psycopg.connect(pg._db.info.dsn) as db:
        flags = db.execute(
            "SELECT DISTINCT windowed FROM periods WHERE dispute_id = %s", (t.dispute.id,)
        ).fetchall()
    assert flags == [(True,)]
    grown = t.append(Statement(at="2030-01-01", id="later", by="x", text="y"), curfew, after)
    for when in ("2030-03-01T23:00:00Z", "2030-03-01T12:00:00Z", "2031-01-01T23:30:00Z"):
        assert pg.restricted(when) == Archive([grown]).restricted(when)


def test_a_failed_append_leaves_the_projection_memory_as_it_was(pg, postgres_database):
    """A store remembers the projection rows it last wrote, to compare the next append's
    with. An append the database refuses after those rows were computed (here a trigger
    refuses the event) must not be remembered: another writer then appends, and this
    store's next append would compare against rows that were never written."""
    from regtimeline import Dispute

    d = Dispute(id="d", regulator="R", platform="P", jurisdiction="RU", timezone="UTC")
    pg.create(d)
    pg.append(d.id, [ThrottleImposed(at="2021-01-01", id="t")])
    with psycopg.connect(postgres_database, autocommit=True) as db:
        db.execute(
            "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN"
            " IF NEW.event_id = 'refused'::bytea THEN RAISE EXCEPTION 'refused'; END IF;"
            " RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        db.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse()"
        )
    with pytest.raises(StoreError, match="refused; the transaction was rolled back"):
        pg.append(d.id, [ThrottleLifted(at="2021-02-01", id="refused", throttle="t")])
    assert pg.version(d.id) == 1
    with open_store(postgres_database) as other:  # another writer appends meanwhile
        other.append(d.id, [Statement(at="2021-01-15", id="s", by="x", text="y")])
    pg.append(d.id, [ThrottleLifted(at="2021-02-01", id="lift", throttle="t")])
    expected = Archive.from_store(pg).periods()
    assert [(p.phase, p.cause) for p in expected] == [(Phase.THROTTLED, "t"), (Phase.CLEAR, "lift")]
    assert pg.periods() == expected


def _terminate(postgres_database, pg):
    with psycopg.connect(postgres_database, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pg._db.info.backend_pid,))


def test_a_lost_connection_fails_one_call_and_the_next_connects_again(pg, postgres_database):
    """The server ends the store's connection (a restart, an administrator): the call that
    meets it raises a StoreError saying nothing was stored, not a bare psycopg error; the
    next call connects again."""
    from regtimeline import Dispute

    d = Dispute(id="d", regulator="R", platform="P", jurisdiction="RU", timezone="UTC")
    pg.create(d)
    _terminate(postgres_database, pg)
    with pytest.raises(StoreError, match="connection lost: .*nothing stored .*connects again"):
        pg.load(d.id)
    assert len(pg.load(d.id)) == 0
    _terminate(postgres_database, pg)
    s = Statement(at="2021-01-01", id="s", by="x", text="y")
    with pytest.raises(StoreError, match="rolled back, nothing stored"):
        pg.append(d.id, [s])
    assert pg.version(d.id) == 0
    pg.append(d.id, [s])
    with open_store(postgres_database) as other:
        assert other.load(d.id).events == (s,)


def test_a_connection_lost_while_committing_says_the_outcome_is_unknown(pg, postgres_database):
    """A connection that breaks during COMMIT may have committed or not: the error says so
    (here the server ends the session at the commit, so nothing was stored)."""
    from regtimeline import Dispute

    d = Dispute(id="d", regulator="R", platform="P", jurisdiction="RU", timezone="UTC")
    pg.create(d)
    with psycopg.connect(postgres_database, autocommit=True) as db:
        db.execute(
            "CREATE FUNCTION end_session() RETURNS trigger AS $$ BEGIN"
            " IF NEW.event_id = 'last'::bytea THEN"
            " PERFORM pg_terminate_backend(pg_backend_pid()); END IF;"
            " RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        db.execute(
            "CREATE CONSTRAINT TRIGGER end_session AFTER INSERT ON events"
            " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION end_session()"
        )
    with pytest.raises(StoreError, match="while committing: .*may or may not be stored"):
        pg.append(d.id, [Statement(at="2021-01-01", id="last", by="x", text="y")])
    assert pg.version(d.id) == 0  # (connected again)
    pg.append(d.id, [Statement(at="2021-01-01", id="s", by="x", text="y")])
    assert pg.version(d.id) == 1
