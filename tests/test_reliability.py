"""Reproducers from the adversarial run (#17): each raised a foreign exception before."""

from __future__ import annotations

import pytest

import regtimeline
from regtimeline import (
    DeadlineExtended,
    DeadlineSet,
    InvalidValue,
    SchemaError,
    TakedownRequested,
    TimeError,
    load,
    open_store,
)
from regtimeline.examples import twitter_russia

from .helpers import refusal, timeline


class TestForeignExceptions:
    @pytest.mark.parametrize(
        "line",
        [
            '{"format":"regtimeline","schema":' + "[" * 1000 + "]" * 1000 + ',"dispute":{}}',
            '{"format":"regtimeline","schema":4,"dispute":{"id":"d","regulator":"R",'
            '"platform":"P","jurisdiction":"RU","timezone":"UTC"}}\n'
            '{"type":"statement","at":' + "[" * 1000 + "]" * 1000 + ',"id":"s","by":"x",'
            '"text":"t"}',
            '{"format":"regtimeline","schema":4,"dispute":{"id":"d","regulator":"R",'
            '"platform":"P","jurisdiction":"RU","timezone":"UTC"}}\n'
            '{"type":"block_imposed","at":"2021-01-01","id":"b","window":'
            + "[" * 1000
            + "]" * 1000
            + "}",
        ],
        ids=["header schema", "event time", "window"],
    )
    def test_a_thousand_nested_arrays(self, tmp_path, line):
        """#17: the message for a value nested a thousand deep used to raise RecursionError."""
        path = tmp_path / "nested.jsonl"
        path.write_text(line + "\n")
        with pytest.raises(SchemaError, match=r"nested.jsonl: line \d"):
            load(path)

    def test_a_duration_of_5000_digits(self):
        """It raised ValueError (Python's int conversion limit); now TimeError naming it."""
        with pytest.raises(TimeError, match="too long"):
            DeadlineExtended(at="2021-01-01", deadline="d", by="PT" + "9" * 5000 + "H")

    def test_a_duration_past_the_year_9999(self):
        """Accepted before, and then no instant could show it; refused at append now."""
        t = timeline(DeadlineSet(at="2021-01-01", id="d", due="2021-02-01"))
        message = refusal(
            TimeError,
            t,
            DeadlineExtended(at="2021-01-02", id="x", deadline="d", by="PT99999999999H"),
        )
        assert "after 9999" in message
        refusal(TimeError, t, TakedownRequested(at="2021-01-02", id="r", items=1, sla="P9000Y"))

    def test_a_path_with_a_nul_character(self, tmp_path):
        """ValueError: embedded null byte, before; InvalidValue now."""
        bad = str(tmp_path / "a\x00b.jsonl")
        with pytest.raises(InvalidValue, match="NUL"):
            regtimeline.load(bad)
        with pytest.raises(InvalidValue, match="NUL"):
            regtimeline.dump(twitter_russia(), bad)

    def test_sqlite_url_without_a_file(self):
        """sqlite:/// opened a temporary database that vanished; refused now."""
        with pytest.raises(InvalidValue, match="names no file"):
            open_store("sqlite:///")

    def test_sqlite_in_a_missing_directory(self, tmp_path):
        """sqlite3.OperationalError before; InvalidValue naming the path now."""
        path = tmp_path / "no" / "such" / "dir" / "x.db"
        with pytest.raises(InvalidValue, match="cannot open the SQLite store"):
            open_store(f"sqlite:///{path}")

    def test_a_text_file_is_not_a_store(self, tmp_path):
        """sqlite3.DatabaseError before; SchemaError naming the file now."""
        path = tmp_path / "notes.txt"
        path.write_text("these are not the droids\n" * 100)
        with pytest.raises(SchemaError, match="not a regtimeline SQLite store"):
            open_store(f"sqlite:///{path}")


class TestStoresThatCannotBeWritten:
    def test_a_read_only_sqlite_store_opens_for_reading(self, tmp_path):
        """#17: a store that cannot be written could not even be read; it opens for
        reading (mode=ro in the URL, or a file this process cannot write), and a write is
        a StoreError that names the store."""
        from regtimeline import StoreError

        path = tmp_path / "cases.db"
        t = twitter_russia()
        with open_store(f"sqlite:///{path}") as store:
            store.create(t.dispute)
            store.append(t.dispute.id, t.events)
        with open_store(f"sqlite:///{path}?mode=ro") as store:
            assert store.load(t.dispute.id).events == t.events
            assert store.disputes() == [t.dispute]
            with pytest.raises(StoreError, match="open for reading only"):
                store.append(t.dispute.id, [])
            with pytest.raises(StoreError, match="open for reading only"):
                store.create(t.dispute)
        assert open_store(f"sqlite:///{path}").version(t.dispute.id) == len(t.events)

    def test_a_file_this_process_cannot_write(self, tmp_path, monkeypatch):
        from regtimeline import StoreError, stores

        path = tmp_path / "cases.db"
        with open_store(f"sqlite:///{path}") as store:
            store.create(twitter_russia().dispute)
        monkeypatch.setattr(stores, "_writable", lambda p: False)  # as another user sees it
        with open_store(f"sqlite:///{path}") as store:
            assert store.read_only
            assert store.disputes() == [twitter_russia().dispute]
            with pytest.raises(StoreError, match="reading only"):
                store.create(twitter_russia().dispute)

    def test_a_postgresql_server_that_is_not_there(self):
        from regtimeline import StoreError

        with pytest.raises(StoreError, match="cannot connect to the PostgreSQL store"):
            open_store("postgresql://someone:secret@/nowhere?host=/nonexistent-dir")

    def test_the_password_is_not_shown(self):
        from regtimeline import StoreError

        with pytest.raises(StoreError) as error:
            open_store("postgresql://someone:s3cret@/nowhere?host=/nonexistent-dir")
        assert "s3cret" not in str(error.value)

    def test_another_applications_postgresql_tables(self, postgres_database):
        import psycopg

        with psycopg.connect(postgres_database, autocommit=True) as db:
            db.execute("CREATE TABLE meta (name TEXT)")
        with pytest.raises(SchemaError, match="is not a regtimeline PostgreSQL store"):
            open_store(postgres_database)

    def test_unknown_url_options(self, tmp_path):
        with pytest.raises(InvalidValue, match="the options are durable=1, mode=ro"):
            open_store(f"sqlite:///{tmp_path}/x.db?mode=rw")


class TestTimeBounds:
    """#17: every instant the library accepts can be read back and shown."""

    WEST = regtimeline.Dispute(
        id="d", regulator="R", platform="P", jurisdiction="US", timezone="America/New_York"
    )

    @pytest.mark.parametrize(
        ("event", "field"),
        [
            (regtimeline.BlockImposed(at="2021-01-01", id="b", ends="9999-12-31"), "ends"),
            (DeadlineSet(at="2021-01-01", id="x", due="9999-12-31", demand="d"), "due"),
            (
                regtimeline.WarningIssued(at="2021-01-01", id="w", due="9999-12-31", text="t"),
                "due",
            ),
            (regtimeline.ThrottleImposed(at="2021-01-01", id="t", ends="9999-12"), "ends"),
        ],
    )
    def test_the_last_day_west_of_utc_is_refused_where_it_is_given(self, event, field):
        with pytest.raises(TimeError, match=rf"refused: its {field} 9999-12.*after the year 9999"):
            regtimeline.Timeline(self.WEST, [event])

    def test_asking_about_the_last_day_west_of_utc(self):
        t = regtimeline.Timeline(
            self.WEST, [regtimeline.Statement(at="9999-12-31", id="s", by="x", text="t")]
        )
        assert t.history()[0].start.year == 9999
        assert t.status_at("9999-12-31T12:00:00-05:00").last_event.id == "s"
        with pytest.raises(TimeError, match="the end of 9999-12-31 in America/New_York"):
            t.status_at("9999-12-31")

    def test_the_last_instant_in_utc_reads_back(self):
        t = regtimeline.Timeline(
            self.WEST, [regtimeline.Statement(at="9999-12-31T23:59:59Z", id="s", by="x", text="t")]
        )
        assert t.history()[0].start.isoformat() == "9999-12-31T18:59:59-05:00"
        assert t.status_at("9999-12-31T23:59:59.999999Z").last_event.id == "s"


# --- 7. Unicode: ids and names are compared in NFC, on every path -------------------------

_NFC, _NFD = "caf\u00e9", "cafe\u0301"


def test_ids_and_names_are_one_whatever_their_unicode_form(tmp_path):
    from regtimeline import (
        Archive,
        BlockImposed,
        DeadlineMet,
        DeadlineSet,
        Dispute,
        Scope,
        Timeline,
        dump,
        load,
        open_store,
    )

    assert _NFC != _NFD
    nfd = Dispute(id=_NFD, regulator=_NFD, platform="P", jurisdiction="FR", timezone="Europe/Paris")
    nfc = Dispute(id=_NFC, regulator=_NFC, platform="P", jurisdiction="FR", timezone="Europe/Paris")
    assert nfd == nfc
    assert nfd.id == _NFC
    # a reference in another form finds what it names
    t = Timeline(nfd).append(
        DeadlineSet(at="2021-01-01", id=_NFC, due="2021-02-01"),
        DeadlineMet(at="2021-01-10", id="met", deadline=_NFD),
    )
    assert t.status_at("2021-01-11").deadlines.get(_NFD).state.name == "MET"
    assert t.event(_NFD).id == _NFC
    assert Scope(regions={_NFD}) == Scope(regions={_NFC})
    blocked = t.append(BlockImposed(at="2021-01-12", id="b", scope=Scope(regions={_NFC})))
    assert blocked.status_at("2021-01-12").phase_for(region=_NFD).name == "BLOCKED"
    # files: written in NFC, read back equal
    path = tmp_path / "t.jsonl"
    dump(t, path)
    assert _NFD.encode() not in path.read_bytes()
    assert load(path) == t
    # the archive and the stores find it by either form, and hold it once
    archive = Archive([t])
    assert _NFD in archive
    assert archive[_NFD] is archive[_NFC]
    assert len(archive.periods(regulator=_NFD)) == len(archive.periods(regulator=_NFC)) > 0
    with open_store(f"sqlite:///{tmp_path}/s.db") as store:
        store.create(nfc)
        store.create(nfd)  # the same dispute: created once
        assert [d.id for d in store.disputes()] == [_NFC]
        store.append(_NFD, t.events)
        assert store.load(_NFD) == store.load(_NFC)
        assert store.version(_NFD) == 2


# --- 6. Sizes: one limit on ids and texts, at construction; what dump writes, load reads ---


def test_ids_and_texts_are_bounded_at_construction_and_the_largest_round_trip(tmp_path):
    from regtimeline import Dispute, InvalidValue, Scope, Statement, Timeline, dump, load
    from regtimeline._fields import MAX_ID_CHARS, MAX_TEXT_CHARS

    with pytest.raises(InvalidValue, match="at most 256 characters"):
        Statement(at="2021-01-01", id="i" * (MAX_ID_CHARS + 1), by="x", text="t")
    with pytest.raises(InvalidValue, match="at most 100,000 characters"):
        Statement(at="2021-01-01", id="s", by="x", text="t" * (MAX_TEXT_CHARS + 1))
    with pytest.raises(InvalidValue, match="at most 256 characters"):
        Dispute(id="d" * 257, regulator="R", platform="P", jurisdiction="RU", timezone="UTC")
    with pytest.raises(InvalidValue, match="at most 1,000 characters"):
        Scope(regions={"r" * 1001})
    assert Scope(regions={"r" * 1000})  # places are often written out in full
    # the largest: 256-character ids, 100,000-character texts of characters JSON escapes
    big_id = "\u0001" * MAX_ID_CHARS
    d = Dispute(id=big_id, regulator=big_id, platform=big_id, jurisdiction="RU", timezone="UTC")
    worst = "\u0000" * MAX_TEXT_CHARS
    t = Timeline(d).append(
        Statement(at="2021-01-01", id=big_id, by=worst, text=worst, note=worst, source=worst)
    )
    dump(t, tmp_path / "big.jsonl")
    assert load(tmp_path / "big.jsonl") == t


def test_a_file_that_is_not_a_regular_file_is_refused_without_blocking(tmp_path):
    import os

    from regtimeline import SchemaError, check, load

    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(SchemaError, match="not a regular file"):
        load(fifo)  # opening a FIFO with no writer would block for ever
    with pytest.raises(SchemaError, match="not a regular file"):
        load("/dev/zero")  # would never end
    assert "not a regular file" in str(check(fifo)[0])


def test_a_store_takes_the_longest_ids(store_url):
    """Every store (PostgreSQL's btree index refused ids over ~2.7 KB) takes every id the
    library accepts: 256 characters of 4-byte UTF-8."""
    from regtimeline import Dispute, Statement, open_store

    long_id = "\U0001f600" * 256
    d = Dispute(id=long_id, regulator="R", platform="P", jurisdiction="RU", timezone="UTC")
    for url in (store_url,):
        with open_store(url) as store:
            store.create(d)
            store.append(long_id, [Statement(at="2021-01-01", id=long_id, by="x", text="t")])
            assert store.load(long_id).events[0].id == long_id


def test_the_fast_readers_hold_ids_to_the_same_rules(tmp_path):
    """What a file gives the generated readers is held as constructors hold it: an id in
    NFD is read in NFC, an id over the limit is refused, naming the line."""
    from regtimeline import SchemaError, load

    header = (
        '{"format":"regtimeline","schema":4,"dispute":{"id":"d","regulator":"R",'
        '"platform":"P","jurisdiction":"RU","timezone":"Europe/Moscow"}}\n'
    )
    line = '{"type":"statement","at":"2021-04-01","id":"%s","by":"x","text":"t","note":null,"source":null}\n'
    path = tmp_path / "f.jsonl"
    path.write_text(header + line % _NFD, encoding="utf-8")
    assert load(path).events[0].id == _NFC
    path.write_text(header + line % ("i" * 257), encoding="utf-8")
    with pytest.raises(SchemaError, match="line 2: .*at most 256 characters"):
        load(path)


# --- 5. One strictness: duplicate keys, zone names ------------------------------------------


def test_a_repeated_json_key_is_refused_where_no_seal_vouches_for_the_line(tmp_path):
    from regtimeline import SchemaError, check, load

    header = (
        '{"format":"regtimeline","schema":4,"dispute":{"id":"d","regulator":"R",'
        '"platform":"P","jurisdiction":"RU","timezone":"Europe/Moscow"}}\n'
    )
    twice = '{"type":"statement","at":"2021-04-01","id":"s","id":"t","by":"x","text":"t"}\n'
    path = tmp_path / "f.jsonl"
    path.write_text(header + twice)
    with pytest.raises(SchemaError, match="line 2: the key 'id' appears twice"):
        load(path)
    assert "the key 'id' appears twice" in str(check(path)[0])
    path.write_text(header.replace('"id":"d"', '"id":"d","id":"e"') + twice)
    with pytest.raises(SchemaError, match="line 1: the key 'id' appears twice"):
        load(path)
    nested = '{"type":"statement","at":"2021-04-01","id":"s","by":"x","text":"t","note":"a","note":"b"}\n'
    path.write_text(header + nested)
    with pytest.raises(SchemaError, match="line 2: the key 'note' appears twice"):
        load(path, verify=False)


@pytest.mark.parametrize("name", ["localtime", "posixrules", "right/UTC", "utc", "Europe/moscow"])
def test_zone_names_are_iana_names_only(name):
    from regtimeline import Dispute, TimeError

    with pytest.raises(TimeError, match="not an IANA time zone name"):
        Dispute(id="d", regulator="R", platform="P", jurisdiction="RU", timezone=name)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("at", "20210310"),
        ("at", "2021-W10-3"),
        ("at", "2021-03-10T10+03:00"),
        ("at", "2021-03-10 10:00:00+03:00"),
        ("at", "2021-03-10T10:00:00.1234567+00:00"),
        ("per", "P\u0661D"),
        ("amount", "1_000"),
        ("amount", " 12 "),
        ("amount", "\u0661\u0662"),
        ("currency", "ab\u0131"),
    ],
)
def test_the_loader_accepts_only_what_the_json_schema_accepts(tmp_path, field, value):
    """Each form the loader took and the bundled JSON Schema refuses: refused, naming the
    field; the same line is refused by the schema (checked with jsonschema)."""
    import json

    import jsonschema

    from regtimeline import SchemaError, load
    from regtimeline._jsonschema import json_schema

    fine = {
        "type": "fine_imposed", "at": "2021-03-10", "id": "f", "amount": "12",
        "currency": "RUB", "per": None, "until": None, "deadline": None,
        "note": None, "source": None, "by": "court",
    }  # fmt: skip
    validator = jsonschema.Draft202012Validator(json_schema())
    assert validator.is_valid(fine)  # as written, the line is one the schema accepts
    fine[field] = value
    header = {
        "format": "regtimeline", "schema": 4,
        "dispute": {"id": "d", "regulator": "R", "platform": "P", "jurisdiction": "RU",
                    "timezone": "Europe/Moscow"},
    }  # fmt: skip
    assert not validator.is_valid(fine)
    path = tmp_path / "f.jsonl"
    path.write_text(json.dumps(header) + "\n" + json.dumps(fine) + "\n")
    with pytest.raises(SchemaError, match=rf"line 2: .*@ \$\.{field}"):
        load(path)


@pytest.mark.parametrize("code", ["\u0131t", "\u017ft", "R\u0301U"])
def test_a_jurisdiction_is_two_ascii_letters_as_the_schema_says(code):
    """A dotless i and t upper-case to 'IT' (a long s and t to 'ST'): the constructor took
    what the JSON Schema refuses."""
    from regtimeline import Dispute, InvalidValue

    with pytest.raises(InvalidValue, match="ISO 3166-1 alpha-2"):
        Dispute(id="d", regulator="R", platform="P", jurisdiction=code, timezone="UTC")
