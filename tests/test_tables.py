"""The archive's Arrow tables: real cases, Parquet round trips, and each table against the
timelines' own answers."""

from __future__ import annotations

import datetime as dt
import errno
import tempfile
from pathlib import Path

import pendulum
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regtimeline import (
    Archive,
    InvalidValue,
    MissingExtra,
    RegTimelineError,
    SchemaError,
    TimeError,
)
from regtimeline import tables as tables_module
from regtimeline.examples import cases, jammu_kashmir, twitter_russia
from regtimeline.strategies import archives, boundaries
from regtimeline.tables import TABLES, TABLES_SCHEMA, read_parquet, write_parquet

UTC = dt.UTC


@pytest.fixture(scope="module")
def real() -> Archive:
    return Archive(cases())


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(UTC)


def test_every_table_says_what_it_is(real):
    for name in TABLES:
        table = real.table(name)
        assert table.schema.metadata[b"regtimeline.table"] == name.encode()
        assert table.schema.metadata[b"regtimeline.tables_schema"] == str(TABLES_SCHEMA).encode()
        for field in table.schema:
            if pa.types.is_timestamp(field.type):
                assert field.type == pa.timestamp("us", tz="UTC"), field.name
        if name != "disputes":
            assert table.column_names[0] == "dispute_id"
            assert "timezone" in table.column_names


def test_the_founding_case_as_restriction_rows(real):
    """The slowdown of photos and videos from 10 March 2021 on every network, on mobile only
    from 17 May 2021 (the partial lift), then the block of 4 March 2022 (Moscow time)."""
    rows = [
        r
        for r in real.table("restrictions").to_pylist()
        if r["dispute_id"] == "ru-roskomnadzor-twitter"
    ]
    got = [
        (r["restriction_id"], r["kind"], r["start"], r["end"], r["networks"], r["services"])
        for r in rows
    ]
    assert got == [
        (
            "slowdown",
            "throttle",
            _utc("2021-03-10T00:00:00+03:00"),
            _utc("2021-05-17T00:00:00+03:00"),
            ["fixed", "mobile"],
            ["photos", "videos"],
        ),
        (
            "slowdown",
            "throttle",
            _utc("2021-05-17T00:00:00+03:00"),
            _utc("2022-03-04T00:00:00+03:00"),
            ["mobile"],
            ["photos", "videos"],
        ),
        ("block-2022", "block", _utc("2022-03-04T00:00:00+03:00"), None, ["fixed", "mobile"], None),
    ]
    assert rows[0]["since"] == rows[1]["since"] == _utc("2021-03-10T00:00:00+03:00")


def test_kashmir_districts_are_a_list_column(real):
    """4G back in Ganderbal and Udhampur from 16 August 2020, 9 pm (IST): both leave the
    regions of the 2G restriction."""
    rows = [
        r
        for r in real.table("restrictions").to_pylist()
        if r["restriction_id"] == "restricted" and r["dispute_id"] == "in-jk-internet-2019"
    ]
    before, after = rows[-2], rows[-1]
    assert after["start"] == _utc("2020-08-16T21:00:00+05:30")
    assert set(before["regions"]) - set(after["regions"]) == {"Ganderbal", "Udhampur"}
    assert len(before["regions"]) == 20


def test_periods_deadlines_and_takedowns_of_the_founding_case(real):
    periods = [r for r in real.table("periods").to_pylist() if r["platform"] == "Twitter"]
    russia = [(r["start"], r["phase"]) for r in periods if r["jurisdiction"] == "RU"]
    assert russia == [
        (_utc("2021-03-10T00:00:00+03:00"), "THROTTLED"),
        (_utc("2022-03-04T00:00:00+03:00"), "BLOCKED"),
    ]
    deadlines = real.table("deadlines", at="2021-04-10").to_pylist()
    assert [(d["deadline_id"], d["state"], d["due"], d["extensions"]) for d in deadlines] == [
        ("block-threat", "PENDING", _utc("2021-05-15T23:59:59.999999+03:00"), 1)
    ]
    takedowns = real.table("takedowns", at="2021-04-05").to_pylist()
    assert [(t["request_id"], t["requested"], t["state"]) for t in takedowns] == [
        ("unremoved-2021-03", 3168, "OVERDUE")
    ]


def test_polars_and_pandas_take_the_tables(real):
    frame = real.to_polars("periods")
    assert frame.height == real.table("periods").num_rows
    assert str(frame.schema["start"]) == "Datetime(time_unit='us', time_zone='UTC')"
    pandas_frame = real.to_pandas("restrictions")
    assert list(pandas_frame.columns) == real.table("restrictions").column_names
    assert str(pandas_frame["start"].dtype).startswith("datetime64[us, UTC]")


def test_parquet_round_trip_of_the_real_cases(real, tmp_path):
    paths = real.write_parquet(tmp_path / "out")
    assert sorted(paths) == sorted(TABLES)
    assert Archive.read_parquet(tmp_path / "out") == real
    for name, path in paths.items():
        assert pq.read_table(path).equals(real.table(name))


def test_refusals(real, tmp_path, monkeypatch):
    with pytest.raises(InvalidValue, match="no table 'timeline'; the tables are disputes"):
        real.table("timeline")
    with pytest.raises(InvalidValue, match="takes an Archive"):
        tables_module.table(twitter_russia(), "events")  # type: ignore[arg-type]
    with pytest.raises(InvalidValue, match="no table"):
        real.table(["events"])  # type: ignore[arg-type]
    for bad in (None, "", "a\x00b", 5):
        with pytest.raises(InvalidValue, match="takes a directory path"):
            read_parquet(bad)  # type: ignore[arg-type]
        with pytest.raises(InvalidValue, match="takes a directory path"):
            write_parquet(real, bad)  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError, match="no disputes.parquet .read_parquet reads") as e:
        read_parquet(tmp_path)
    assert (e.value.errno, e.value.filename) == (errno.ENOENT, str(tmp_path / "disputes.parquet"))
    write_parquet(real, tmp_path / "half")
    (tmp_path / "half" / "events.parquet").unlink()
    with pytest.raises(FileNotFoundError, match="no events.parquet"):
        read_parquet(tmp_path / "half")
    pq.write_table(pa.table({"x": [1]}), tmp_path / "disputes.parquet")
    with pytest.raises(SchemaError, match="not the regtimeline disputes table"):
        read_parquet(tmp_path)
    (tmp_path / "disputes.parquet").write_bytes(b"not Parquet at all")
    with pytest.raises(SchemaError, match="not a Parquet file pyarrow can read"):
        read_parquet(tmp_path)
    write_parquet(real, tmp_path)
    disputes = pq.read_table(tmp_path / "disputes.parquet")
    pq.write_table(disputes.drop_columns(["timezone"]), tmp_path / "disputes.parquet")
    with pytest.raises(SchemaError, match="column.s. timezone missing or of another type"):
        read_parquet(tmp_path)
    write_parquet(real, tmp_path)
    events = pq.read_table(tmp_path / "events.parquet")
    meta = {**events.schema.metadata, b"regtimeline.tables_schema": b"99"}
    pq.write_table(events.replace_schema_metadata(meta), tmp_path / "events.parquet")
    with pytest.raises(SchemaError, match="tables schema 99; this release reads 1"):
        read_parquet(tmp_path)
    monkeypatch.setattr(tables_module, "pa", None)
    with pytest.raises(MissingExtra, match=r"pip install 'regtimeline\[arrow\]'") as error:
        real.table("events")
    assert isinstance(error.value, RegTimelineError)
    assert isinstance(error.value, ImportError)


def test_a_damaged_event_row_names_its_row(real, tmp_path):
    write_parquet(Archive([jammu_kashmir()]), tmp_path)
    events = pq.read_table(tmp_path / "events.parquet")
    data = events.column("data").to_pylist()
    data[3] = data[3].replace('"type":"', '"type":"x')
    events = events.set_column(events.schema.get_field_index("data"), "data", pa.array(data))
    pq.write_table(events, tmp_path / "events.parquet")
    with pytest.raises(
        SchemaError, match=r"events.parquet row 3 \(dispute 'in-jk-internet-2019'\)"
    ):
        read_parquet(tmp_path)


def test_importing_regtimeline_imports_no_extra():
    import subprocess
    import sys

    code = (
        "import sys, regtimeline, regtimeline.examples;"
        "print(sorted(m for m in ('pyarrow', 'polars', 'pandas', 'duckdb') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --- properties ------------------------------------------------------------------------------


@settings(max_examples=max(20, settings.default.max_examples // 2), deadline=None)
@given(archives(max_size=4, max_events=8, recorded=True))
def test_every_entry_is_recreated_equal_through_parquet(archive):
    """The record (corrections and recorded times included) comes back equal."""
    with tempfile.TemporaryDirectory() as directory:
        write_parquet(archive, directory)
        again = read_parquet(directory)
    assert again == archive
    for t in archive:
        assert again[t.dispute.id].entries == t.entries


@settings(max_examples=min(100, settings.default.max_examples), deadline=None)
@given(archives(max_size=5, max_events=10, recorded=True), st.integers(1, 4))
def test_tables_made_in_batches_equal_tables_made_at_once(archive, rows):
    """A table is made in record batches of about `_BATCH_ROWS` rows (a dispute's rows
    never split): however small the batches, each table has the same rows, each with its
    own dispute's columns."""
    was = tables_module._BATCH_ROWS
    try:
        tables_module._BATCH_ROWS = 10**9
        whole = {name: archive.table(name) for name in TABLES}
        tables_module._BATCH_ROWS = rows
        batched = {name: archive.table(name) for name in TABLES}
    finally:
        tables_module._BATCH_ROWS = was
    for name in TABLES:
        assert batched[name].schema == whole[name].schema
        assert batched[name].to_pylist() == whole[name].to_pylist(), name
        assert whole[name].num_rows == 0 or whole[name].column(0).num_chunks == 1


@settings(deadline=None)
@given(archives(max_size=3, max_events=12), st.data())
def test_restriction_rows_are_what_status_at_says(archive, data):
    """At any instant, the rows whose spell holds it are the active restrictions of
    status_at, with their scopes; periods rows are history()."""
    rows = archive.table("restrictions").to_pylist()
    periods = archive.table("periods").to_pylist()
    for t in archive:
        z = t.dispute.zone
        mine = [r for r in rows if r["dispute_id"] == t.dispute.id]
        keys = boundaries(t) or [0]
        for _ in range(4):
            k = data.draw(st.sampled_from(keys)) + data.draw(st.sampled_from((-1, 0, 1)))
            when = z.to_datetime(k)
            status = t.status_at(when)
            # a delisting whose stores differ by place has a row for each part's scope
            expected = {
                (r.id, str(scope))
                for r in (*status.blocks, *status.throttles, *status.delistings)
                for scope in [p.scope for p in getattr(r, "parts", ())] or [r.scope]
            }
            holding = {
                (r["restriction_id"], r["scope"])
                for r in mine
                if r["start"] <= when and (r["end"] is None or when < r["end"])
            }
            assert holding == expected
        got = [
            (r["start"], r["end"], r["phase"], r["cause"])
            for r in periods
            if r["dispute_id"] == t.dispute.id
        ]
        assert got == [
            (
                p.start.astimezone(UTC),
                None if p.end is None else p.end.astimezone(UTC),
                p.phase.name,
                p.cause,
            )
            for p in t.history()
        ]


@settings(deadline=None)
@given(archives(max_size=3, max_events=12), st.data())
def test_deadline_and_takedown_rows_are_the_status(archive, data):
    when = pendulum.datetime(2000, 1, 1).add(days=data.draw(st.integers(0, 13_000)))
    deadlines = archive.table("deadlines", at=when).to_pylist()
    takedowns = archive.table("takedowns", at=when).to_pylist()
    for t in archive:
        status = t.status_at(when)
        assert [
            (d["deadline_id"], d["state"], d["due"])
            for d in deadlines
            if d["dispute_id"] == t.dispute.id
        ] == [
            (d.id, d.state.name, None if d.due is None else d.due.astimezone(UTC))
            for d in status.deadlines
        ]
        mine = [r for r in takedowns if r["dispute_id"] == t.dispute.id]
        assert len(mine) == status.takedowns.requests
        for r in mine:
            request = status.takedowns.get(r["request_id"])
            assert (r["state"], r["outstanding"]) == (request.state.name, request.outstanding)


@settings(max_examples=min(100, settings.default.max_examples), deadline=None)
@given(archives(max_size=4, max_events=12))
def test_without_at_the_tables_stand_at_the_last_instant_named(archive):
    """With no `at`, a dispute's deadlines and takedowns stand at the latest instant its
    events name: an event's time or the end of a due date's day, whichever is later."""
    deadlines = archive.table("deadlines").to_pylist()
    takedowns = archive.table("takedowns").to_pylist()
    for t in archive:
        z = t.dispute.zone
        named = [z.key(e.at) for e in t.events]
        named += [z.key(e.due, end=True) for e in t.events if getattr(e, "due", None)]
        if not named:
            continue
        when = z.to_datetime(max(named))
        status = t.status_at(when)
        rows = [d for d in deadlines if d["dispute_id"] == t.dispute.id]
        assert [(d["deadline_id"], d["state"]) for d in rows] == [
            (d.id, d.state.name) for d in status.deadlines
        ]
        assert all(d["as_at"] == when.astimezone(UTC) for d in rows)
        mine = [r for r in takedowns if r["dispute_id"] == t.dispute.id]
        assert len(mine) == status.takedowns.requests
        assert all(r["as_at"] == when.astimezone(UTC) for r in mine)


def test_tables_are_built_and_read_with_the_collector_paused(real, tmp_path, monkeypatch):
    """A table makes objects for every row (a million-event archive: the collector walked
    the growing heap again and again, ~45% of write_parquet): the collector is paused
    while a table is built or Parquet files are read, through the Archive or the module."""
    import gc

    seen: list[tuple[str, bool]] = []

    def watched(name, work):
        def run(*args):
            seen.append((name, gc.isenabled()))
            return work(*args)

        return run

    for name, build in list(tables_module._BUILDERS.items()):
        monkeypatch.setitem(tables_module._BUILDERS, name, watched(name, build))
    monkeypatch.setattr(tables_module, "_read", watched("read", tables_module._read))
    was = gc.isenabled()
    gc.enable()
    try:
        real.table("events")
        tables_module.table(real, "periods")
        real.to_polars("deadlines")
        real.write_parquet(tmp_path)
        Archive.read_parquet(tmp_path)
        tables_module.read_parquet(tmp_path)
        assert gc.isenabled()
    finally:
        if not was:
            gc.disable()
    assert len(seen) == 3 + 6 + 2 * 2
    assert [name for name, enabled in seen if enabled] == []


def test_parquet_files_are_written_atomically(real, tmp_path):
    """A failure leaves no temporary file behind and the earlier files in place."""
    write_parquet(real, tmp_path)
    before = (tmp_path / "events.parquet").read_bytes()
    (tmp_path / ".periods.parquet.tmp").mkdir()  # writing the periods table will fail
    with pytest.raises(OSError):  # the OS's own error, as documented
        write_parquet(real, tmp_path)
    assert (tmp_path / "events.parquet").read_bytes() == before
    assert sorted(p.name for p in Path(tmp_path).iterdir() if p.name.startswith(".")) == [
        ".periods.parquet.tmp"
    ]


def test_no_file_is_written_after_one_fails(real, tmp_path):
    """Files are written one at a time in the order of TABLES, each table made just before
    its file: after the periods file fails, the tables after it are not written."""
    (tmp_path / ".periods.parquet.tmp").mkdir()
    with pytest.raises(OSError):
        write_parquet(real, tmp_path)
    assert sorted(p.name for p in Path(tmp_path).iterdir()) == [
        ".periods.parquet.tmp",
        "disputes.parquet",
        "events.parquet",
    ]


def test_a_bad_instant_writes_nothing(real, tmp_path):
    """`at` is checked before the first file (the deadlines table, fifth, reads it)."""
    for bad in ("2021-03", "not a time", dt.datetime(2021, 3, 10)):
        with pytest.raises(TimeError):
            write_parquet(real, tmp_path / "out", at=bad)
        assert not (tmp_path / "out").exists()
    paths = write_parquet(real, tmp_path / "out", at="2021-03-10")
    assert list(paths) == list(TABLES)
    assert pq.read_table(paths["deadlines"]).equals(real.table("deadlines", at="2021-03-10"))
