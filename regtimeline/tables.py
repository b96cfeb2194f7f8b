"""An archive as Apache Arrow tables, for polars, pandas, DuckDB, Spark and Parquet files.

Needs the ``arrow`` extra (``pip install 'regtimeline[arrow]'``; ``[polars]`` and
``[pandas]`` add those libraries). Built from the library's public API only (each function
goes through the `Archive` method of the same name, which pauses the cyclic garbage
collector while the rows are made: see `regtimeline._gc`). The tables,
their columns and the schema version are described on the format page of the docs; every
table carries its name and `TABLES_SCHEMA` in its schema metadata.

Examples:
    >>> from regtimeline import Archive
    >>> from regtimeline.examples import cases
    >>> periods = Archive(cases()).table("periods")
    >>> periods.num_rows, periods.column_names[:4]
    (12, ['dispute_id', 'jurisdiction', 'platform', 'regulator'])
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import orjson

from . import Archive, Dispute, Phase, Timeline, serialization
from .errors import InvalidValue, MissingExtra, SchemaError

try:
    import pyarrow as pa
    import pyarrow.parquet as pq
except ImportError:  # pragma: no cover - checked by `_require`
    pa = None
    pq = None

if TYPE_CHECKING:
    from . import Spell

__all__ = [
    "TABLES",
    "TABLES_SCHEMA",
    "read_parquet",
    "table",
    "tables",
    "to_pandas",
    "to_polars",
    "write_parquet",
]

#: The version of the tables' layout; it changes when a column changes meaning or type.
TABLES_SCHEMA: Final = 1

#: The tables an archive gives, in the order `write_parquet` writes them.
TABLES: Final = ("disputes", "events", "periods", "restrictions", "deadlines", "takedowns")


def _require(what: str) -> None:
    if pa is None:
        msg = f"{what} needs pyarrow: pip install 'regtimeline[arrow]'"
        raise MissingExtra(msg)


def _archive(value: object, caller: str) -> Archive:
    if not isinstance(value, Archive):
        msg = f"{caller} takes an Archive, got {value!r:.60}"
        raise InvalidValue(msg)
    return value


def _utc() -> Any:
    return pa.timestamp("us", tz="UTC")


def _strings() -> Any:
    return pa.list_(pa.string())


def _schemas() -> dict[str, Any]:
    """Each table's Arrow schema."""
    ts, s, b = _utc(), pa.string(), pa.bool_()
    return {
        "disputes": pa.schema(
            [
                ("dispute_id", s),
                ("regulator", s),
                ("platform", s),
                ("jurisdiction", s),
                ("timezone", s),
            ]
        ),
        "events": pa.schema(
            [
                ("dispute_id", s),
                ("timezone", s),
                ("seq", pa.int64()),
                ("event_id", s),
                ("type", s),
                ("at", ts),
                ("at_text", s),
                ("recorded_at", ts),
                ("source", s),
                ("note", s),
                ("current", b),
                ("data", s),
            ]
        ),
        "periods": pa.schema(
            [
                ("dispute_id", s),
                ("jurisdiction", s),
                ("platform", s),
                ("regulator", s),
                ("timezone", s),
                ("start", ts),
                ("end", ts),
                ("phase", s),
                ("cause", s),
                ("certain", b),
            ]
        ),
        "restrictions": pa.schema(
            [
                ("dispute_id", s),
                ("jurisdiction", s),
                ("platform", s),
                ("timezone", s),
                ("restriction_id", s),
                ("kind", s),
                ("since", ts),
                ("ends", ts),
                ("start", ts),
                ("end", ts),
                ("box", pa.int32()),
                ("networks", _strings()),
                ("services", _strings()),
                ("services_except", _strings()),
                ("regions", _strings()),
                ("regions_except", _strings()),
                ("operators", _strings()),
                ("operators_except", _strings()),
                ("stores", _strings()),
                ("stores_except", _strings()),
                ("scope", s),
                ("window", s),
                ("by", s),
            ]
        ),
        "deadlines": pa.schema(
            [
                ("dispute_id", s),
                ("jurisdiction", s),
                ("platform", s),
                ("timezone", s),
                ("deadline_id", s),
                ("state", s),
                ("set_at", ts),
                ("original_due", ts),
                ("due", ts),
                ("extensions", pa.int32()),
                ("demand", s),
                ("consequence", s),
                ("closed_at", ts),
                ("closed_by", s),
                ("enforced_by", _strings()),
                ("as_at", ts),
            ]
        ),
        "takedowns": pa.schema(
            [
                ("dispute_id", s),
                ("jurisdiction", s),
                ("platform", s),
                ("timezone", s),
                ("request_id", s),
                ("state", s),
                ("at", ts),
                ("sla", s),
                ("due", ts),
                ("requested", pa.int64()),
                ("removed", pa.int64()),
                ("outstanding", pa.int64()),
                ("as_at", ts),
            ]
        ),
    }


def _key(timeline: Timeline, value: Any) -> int | None:
    """The UTC microsecond count of an instant (None stays None)."""
    return None if value is None else timeline.dispute.zone.key(value)


def _sorted(values: Iterable[str] | None) -> list[str] | None:
    return None if values is None else sorted(values)


#: Rows a record batch holds (about: a dispute's rows are never split). Each batch's values
#: become Arrow arrays as soon as it is full, so the next batch's Python values reuse the
#: memory they had: made all at once, a million rows' values cost about twice as much
#: (fresh memory for every value; measured on the events table, 12.3 against 6.4 us a row).
_BATCH_ROWS: int = 16_384

#: The dispute's own columns, taken by index from one row per dispute (not made per row).
_HEADS: Final = ("dispute_id", "regulator", "platform", "jurisdiction", "timezone")

#: A batch: the index (in the archive) of each row's dispute, and the other columns.
_Batch = tuple[list[int], dict[str, Any]]

#: A dispute's rows: appends them to the columns and returns how many it added.
_Rows = Callable[[Timeline, dict[str, list[Any]]], int]


def _batches(archive: Archive, name: str, rows: _Rows) -> Iterator[_Batch]:
    """`rows` of each timeline, gathered into batches of about `_BATCH_ROWS`."""
    names = [n for n in _schemas()[name].names if n not in _HEADS]
    row_of: list[int] = []
    cols: dict[str, list[Any]] = {n: [] for n in names}
    for i, t in enumerate(archive):
        row_of += [i] * rows(t, cols)
        if len(row_of) >= _BATCH_ROWS:
            yield row_of, cols
            row_of, cols = [], {n: [] for n in names}
    if row_of:
        yield row_of, cols


def _disputes(archive: Archive, _: object) -> Iterator[_Batch]:
    yield list(range(len(archive))), {}


def _events(archive: Archive, _: object) -> Iterator[_Batch]:
    encode, dumps, sort = serialization.encode, orjson.dumps, orjson.OPT_SORT_KEYS

    def rows(t: Timeline, cols: dict[str, list[Any]]) -> int:
        # column by column, one list comprehension per column
        key = t.dispute.zone.key
        entries = t.entries
        events = [entry.event for entry in entries]
        current = {id(e) for e in t.events}
        data = [encode(e) for e in events]
        cols["seq"] += range(len(events))
        cols["event_id"] += [e.id for e in events]
        cols["type"] += [e.kind for e in events]
        cols["at"] += [key(e.at) for e in events]
        cols["at_text"] += [fields["at"] for fields in data]
        cols["recorded_at"] += [
            None if entry.recorded_at is None else key(entry.recorded_at) for entry in entries
        ]
        cols["source"] += [e.source for e in events]
        cols["note"] += [e.note for e in events]
        cols["current"] += [id(e) in current for e in events]
        cols["data"] += [dumps(fields, option=sort) for fields in data]  # UTF-8 JSON
        return len(events)

    return _batches(archive, "events", rows)


def _periods(archive: Archive, _: object) -> Iterator[_Batch]:
    # column by column from each timeline's history_columns(): no object per row
    def rows(t: Timeline, cols: dict[str, list[Any]]) -> int:
        columns = t.history_columns()
        cols["start"] += columns.start
        cols["end"] += columns.end
        cols["phase"] += columns.phase
        cols["cause"] += columns.cause
        cols["certain"] += columns.certain
        return len(columns)

    names = pa.array([Phase(i).name for i in range(len(Phase))], pa.string())  # by value
    for row_of, cols in _batches(archive, "periods", rows):
        cols["phase"] = names.take(pa.array(cols["phase"], pa.int8()))
        yield row_of, cols


def _restriction_rows(t: Timeline, spell: Spell) -> Iterable[dict[str, Any]]:
    r = spell.restriction
    kind = type(r).__name__.lower()
    window = getattr(r, "window", None)
    delisting = kind == "delisting"
    for n, (box, scope, stores, stores_except) in enumerate(spell.pieces()):
        yield {
            "restriction_id": r.id,
            "kind": kind,
            "since": _key(t, r.since),
            "ends": _key(t, r.ends),
            "start": _key(t, spell.start),
            "end": _key(t, spell.end),
            "box": n,
            "networks": sorted(box.networks),
            "services": _sorted(box.services),
            "services_except": sorted(box.services_except),
            "regions": _sorted(box.regions),
            "regions_except": sorted(box.regions_except),
            "operators": _sorted(box.operators),
            "operators_except": sorted(box.operators_except),
            "stores": _sorted(stores) if delisting else None,
            "stores_except": sorted(stores_except) if delisting else None,
            "scope": str(scope),
            "window": None if window is None else str(window),
            "by": r.by,
        }


def _restrictions(archive: Archive, _: object) -> Iterator[_Batch]:
    def rows(t: Timeline, cols: dict[str, list[Any]]) -> int:
        n = 0
        for spell in t.restrictions():
            for row in _restriction_rows(t, spell):
                n += 1
                for name, value in row.items():
                    cols[name].append(value)
        return n

    return _batches(archive, "restrictions", rows)


def _as_at(t: Timeline, at: object) -> int:
    """The instant the deadlines and takedowns tables describe.

    `at`, or else the last instant an event of the timeline names (its time, or a due date).
    """
    if at is not None:
        return t.dispute.zone.query_key(at)
    zone = t.dispute.zone
    events = t.events
    if not events:
        return zone.key(zone.to_datetime(0))
    # (events are in time order: the last one's time is the latest)
    dues = [zone.key(due, end=True) for e in events if (due := getattr(e, "due", None))]
    return max([zone.key(events[-1].at), *dues])


def _deadlines(archive: Archive, at: object) -> Iterator[_Batch]:
    def rows(t: Timeline, cols: dict[str, list[Any]]) -> int:
        k = _as_at(t, at)
        deadlines = t.status_at(t.dispute.zone.to_datetime(k)).deadlines
        for x in deadlines:
            cols["deadline_id"].append(x.id)
            cols["state"].append(x.state.name)
            cols["set_at"].append(_key(t, x.set_at))
            cols["original_due"].append(_key(t, x.original_due))
            cols["due"].append(_key(t, x.due))
            cols["extensions"].append(len(x.extensions))
            cols["demand"].append(x.demand)
            cols["consequence"].append(None if x.consequence is None else x.consequence.value)
            cols["closed_at"].append(_key(t, x.closed_at))
            cols["closed_by"].append(x.closed_by)
            cols["enforced_by"].append(list(x.enforced_by))
            cols["as_at"].append(k)
        return len(deadlines)

    return _batches(archive, "deadlines", rows)


def _takedowns(archive: Archive, at: object) -> Iterator[_Batch]:
    def rows(t: Timeline, cols: dict[str, list[Any]]) -> int:
        k = _as_at(t, at)
        requests = t.status_at(t.dispute.zone.to_datetime(k)).takedowns  # made by then
        before = len(cols["request_id"])
        for r in requests:
            cols["request_id"].append(r.id)
            cols["state"].append(r.state.name)
            cols["at"].append(_key(t, r.at))
            cols["sla"].append(r.sla)
            cols["due"].append(_key(t, r.due))
            cols["requested"].append(r.requested)
            cols["removed"].append(r.removed)
            cols["outstanding"].append(r.outstanding)
            cols["as_at"].append(k)
        return len(cols["request_id"]) - before  # (the rows made, whatever len() says)

    return _batches(archive, "takedowns", rows)


_BUILDERS: Final[dict[str, Callable[[Archive, object], Iterator[_Batch]]]] = {
    "disputes": _disputes,
    "events": _events,
    "periods": _periods,
    "restrictions": _restrictions,
    "deadlines": _deadlines,
    "takedowns": _takedowns,
}


def table(archive: Archive, name: str, *, at: object = None) -> Any:
    """One table of an archive, as a ``pyarrow.Table`` (see the format page for columns).

    Instants are UTC timestamps with microseconds (each row also names its dispute's
    `timezone`); scopes are list columns (null: every value); ids are strings; phases and
    states their names.

    Args:
        archive: the archive.
        name: one of `TABLES`.
        at: for ``deadlines`` and ``takedowns``, the instant (or day) they stand at; None:
            each dispute's last instant any event names (its time or a due date).

    Raises:
        InvalidValue: an unknown table name, or `archive` is not an Archive.
        MissingExtra: pyarrow is not installed.
        TimeError: `at` is naive or malformed.

    Examples:
        >>> from regtimeline import Archive
        >>> from regtimeline.examples import twitter_russia
        >>> events = table(Archive([twitter_russia()]), "events")
        >>> events.column("type").to_pylist()[:2]
        ['takedown_requested', 'throttle_imposed']
    """
    _require("Archive.table")
    return _archive(archive, "table").table(name, at=at)  # (it pauses the collector)


def _table(archive: Archive, name: str, at: object) -> Any:
    """`table`'s work; `Archive.table` calls it with the garbage collector paused."""
    _require("Archive.table")
    if not isinstance(name, str) or name not in _BUILDERS:
        msg = f"no table {name!r:.40}; the tables are {', '.join(TABLES)}"
        raise InvalidValue(msg)
    schema = _schemas()[name].with_metadata(
        {"regtimeline.table": name, "regtimeline.tables_schema": str(TABLES_SCHEMA)}
    )
    ds = archive.disputes
    heads = {
        "dispute_id": pa.array([d.id for d in ds], pa.string()),
        "regulator": pa.array([d.regulator for d in ds], pa.string()),
        "platform": pa.array([d.platform for d in ds], pa.string()),
        "jurisdiction": pa.array([d.jurisdiction for d in ds], pa.string()),
        "timezone": pa.array([d.timezone for d in ds], pa.string()),
    }
    batches = []
    for row_of, cols in _BUILDERS[name](archive, at):  # each batch to Arrow before the next
        rows = pa.array(row_of, pa.int32())
        arrays = {n: heads[n].take(rows) if n in heads else cols[n] for n in schema.names}
        batches.append(pa.RecordBatch.from_pydict(arrays, schema=schema))
    return pa.Table.from_batches(batches, schema=schema)


def tables(archive: Archive, *, at: object = None) -> dict[str, Any]:
    """Every table of `TABLES`, by name (see `table`).

    Examples:
        >>> from regtimeline import Archive
        >>> sorted(tables(Archive()))
        ['deadlines', 'disputes', 'events', 'periods', 'restrictions', 'takedowns']
    """
    return {name: table(archive, name, at=at) for name in TABLES}


def to_polars(archive: Archive, name: str, *, at: object = None) -> Any:
    """One table as a polars DataFrame (needs the ``polars`` extra).

    Raises:
        MissingExtra: polars or pyarrow is not installed.
        InvalidValue: as `table`.
    """
    try:
        import polars as pl  # noqa: PLC0415 - an optional extra
    except ImportError:
        msg = "to_polars needs polars: pip install 'regtimeline[polars]'"
        raise MissingExtra(msg) from None
    return pl.from_arrow(table(archive, name, at=at))


def to_pandas(archive: Archive, name: str, *, at: object = None) -> Any:
    """One table as a pandas DataFrame (needs the ``pandas`` extra).

    Timestamps become pandas' UTC timestamps; null instants ``NaT``.

    Raises:
        MissingExtra: pandas or pyarrow is not installed.
        InvalidValue: as `table`.
    """
    try:
        import pandas  # noqa: F401, PLC0415 - an optional extra, used by pyarrow
    except ImportError:
        msg = "to_pandas needs pandas: pip install 'regtimeline[pandas]'"
        raise MissingExtra(msg) from None
    return table(archive, name, at=at).to_pandas()


def write_parquet(
    archive: Archive, directory: str | os.PathLike[str], *, at: object = None
) -> dict[str, Path]:
    """Write every table to ``<directory>/<name>.parquet``; returns the paths by name.

    Each table is made, written under a temporary name, renamed into place and let go
    before the next (in the order of `TABLES`: one table in memory at a time). The directory
    is created if needed. `at` is checked before anything is written; after a file fails,
    none of the later ones is written.

    Raises:
        MissingExtra: pyarrow is not installed.
        InvalidValue: `directory` is not a path, or `archive` is not an Archive.
        TimeError: `at` is naive or malformed.
        OSError: a file cannot be written.

    Examples:
        >>> import tempfile
        >>> from regtimeline import Archive
        >>> from regtimeline.examples import cases
        >>> paths = write_parquet(Archive(cases()), tempfile.mkdtemp())
        >>> [path.name for path in paths.values()][:2]
        ['disputes.parquet', 'events.parquet']
    """
    _require("write_parquet")
    archive = _archive(archive, "write_parquet")
    root = _directory(directory, "write_parquet")
    if at is not None:  # (else the deadlines table refuses it after four files are written)
        for zone in {t.dispute.timezone: t.dispute.zone for t in archive}.values():
            zone.query_key(at)
    root.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for name in TABLES:
        path = root / f"{name}.parquet"
        temporary = root / f".{name}.parquet.tmp"
        try:
            pq.write_table(table(archive, name, at=at), temporary)
            temporary.replace(path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        written[name] = path
    return written


def read_parquet(directory: str | os.PathLike[str]) -> Archive:
    """The archive whose tables `write_parquet` wrote, re-created equal.

    Every dispute and every entry of its record, from ``disputes.parquet`` and
    ``events.parquet`` (the other tables are derived, and not read).

    Raises:
        MissingExtra: pyarrow is not installed.
        SchemaError: a file is not a regtimeline table of a known schema version, or an
            event cannot be read (naming the dispute and row).
        OSError: a file cannot be read.
        InvalidValue: `directory` is not a path.

    Examples:
        >>> import tempfile
        >>> from regtimeline import Archive
        >>> from regtimeline.examples import cases
        >>> directory = tempfile.mkdtemp()
        >>> _ = write_parquet(Archive(cases()), directory)
        >>> read_parquet(directory) == Archive(cases())
        True
    """
    _require("read_parquet")
    return Archive.read_parquet(directory)  # (it pauses the collector)


def _read_parquet(directory: str | os.PathLike[str]) -> Archive:
    """`read_parquet`'s work; `Archive.read_parquet` calls it with the collector paused."""
    _require("read_parquet")
    root = _directory(directory, "read_parquet")
    disputes = _read(root, "disputes").to_pylist()
    events = _read(root, "events").to_pylist()
    by_dispute: dict[str, list[tuple[Any, Any]]] = {row["dispute_id"]: [] for row in disputes}
    for n, row in enumerate(events):
        mine = by_dispute.get(row["dispute_id"])
        if mine is None:
            msg = f"events.parquet row {n}: dispute {row['dispute_id']!r} is not in disputes"
            raise SchemaError(msg)
        try:
            event = serialization.loads(row["data"])
        except SchemaError as exc:
            msg = f"events.parquet row {n} (dispute {row['dispute_id']!r}): {exc}"
            raise SchemaError(msg) from None
        mine.append((row["seq"], (event, row["recorded_at"])))
    timelines = []
    for row in disputes:
        dispute: Dispute = Dispute(
            id=row["dispute_id"],
            regulator=row["regulator"],
            platform=row["platform"],
            jurisdiction=row["jurisdiction"],
            timezone=row["timezone"],
        )
        entries = [entry for _, entry in sorted(by_dispute[dispute.id], key=lambda e: e[0])]
        timelines.append(Timeline.from_entries(dispute, entries))
    return Archive(timelines)


def _directory(value: object, caller: str) -> Path:
    """A directory's path, or InvalidValue (not a path, empty, or holding a NUL)."""
    text = os.fspath(value) if isinstance(value, str | os.PathLike) else None
    if not isinstance(text, str) or not text or "\x00" in text:
        msg = f"{caller} takes a directory path (a str or pathlib.Path), got {value!r:.60}"
        raise InvalidValue(msg)
    return Path(text)


def _read(root: Path, name: str) -> Any:
    path = root / f"{name}.parquet"
    try:
        tab = pq.read_table(path)
    except FileNotFoundError:  # (pyarrow's names the path alone, without errno or filename)
        why = f"no {name}.parquet (read_parquet reads a directory write_parquet wrote)"
        raise FileNotFoundError(errno.ENOENT, why, str(path)) from None
    except pa.ArrowException as exc:  # (another OSError is raised as it is)
        if isinstance(exc, OSError):
            raise
        msg = f"{root / name}.parquet is not a Parquet file pyarrow can read: {exc}"
        raise SchemaError(msg) from None
    meta = tab.schema.metadata or {}
    if meta.get(b"regtimeline.table") != name.encode():
        msg = f"{root / name}.parquet is not the regtimeline {name} table"
        raise SchemaError(msg)
    version = meta.get(b"regtimeline.tables_schema", b"?").decode()
    if version != str(TABLES_SCHEMA):
        msg = (
            f"{root / name}.parquet has tables schema {version}; this release reads {TABLES_SCHEMA}"
        )
        raise SchemaError(msg)
    expected = _schemas()[name]
    wrong = [
        n
        for n in expected.names
        if n not in tab.column_names or tab.schema.field(n).type != expected.field(n).type
    ]
    if wrong:
        msg = f"{root / name}.parquet: column(s) {', '.join(wrong)} missing or of another type"
        raise SchemaError(msg)
    return tab
