"""PostgreSQL projections: each dispute's periods and restriction spells as rows with ranges.

The PostgreSQL store keeps two tables beside its events, rewritten in the transaction of each
append (from the first row that changed on): ``periods`` (the dispute's `history()`) and
``restrictions`` (its `restrictions()` spells, a row per box of each spell's scope), each
with a ``tstzrange`` column ``during`` under a GiST index, so that "who was restricted at t"
is an index search in SQL. Text columns are for people and their SQL tools; the exact key
of a dispute is ``dispute_key`` (its id as UTF-8, as in the ``disputes`` table), and an id
holding a NUL character (which PostgreSQL text cannot hold) is shown with U+FFFD in the text
columns and answered from its timeline.
"""

from __future__ import annotations

import datetime as _dt
import itertools
from collections.abc import Callable, Sequence
from typing import Any, Final

from ._archive import DisputePeriod, _Keys, _window_edge
from ._dispute import Dispute
from ._enums import Phase
from ._status import Block, Delisting, Throttle
from ._time import EPOCH, ONE_US, instant_key
from ._timeline import RESTRICTION_KINDS, Timeline
from .errors import TimeError

__all__ = [
    "DDL",
    "QUIET",
    "RESTRICTING",
    "Along",
    "canonical",
    "period_rows",
    "periods",
    "quiet",
    "restricted",
    "restricting",
    "restriction_rows",
    "rewrite",
    "run",
    "stored",
    "windowed",
    "with_clause",
]

#: Statements that make the projection tables (store schema 3).
DDL: Final = (
    (
        "CREATE TABLE periods ("
        " dispute_key BYTEA NOT NULL REFERENCES disputes(id),"
        " dispute_id TEXT NOT NULL,"
        " jurisdiction TEXT NOT NULL,"
        " platform TEXT NOT NULL,"
        " regulator TEXT NOT NULL,"
        " timezone TEXT NOT NULL,"
        " during TSTZRANGE NOT NULL,"
        " phase TEXT NOT NULL,"
        " phase_rank SMALLINT NOT NULL,"
        " cause TEXT,"
        " start_earliest TIMESTAMPTZ, start_latest TIMESTAMPTZ,"
        " end_earliest TIMESTAMPTZ, end_latest TIMESTAMPTZ,"
        " windowed BOOLEAN NOT NULL)"
    ),
    "CREATE INDEX periods_during ON periods USING GIST (during)",
    "CREATE INDEX periods_dispute ON periods (dispute_key, (lower(during)))",
    "CREATE INDEX periods_zone ON periods (timezone)",  # the zones a day is asked in
    "CREATE INDEX periods_windowed ON periods (dispute_key) WHERE windowed",
    (
        "CREATE TABLE restrictions ("
        " dispute_key BYTEA NOT NULL REFERENCES disputes(id),"
        " dispute_id TEXT NOT NULL,"
        " jurisdiction TEXT NOT NULL,"
        " platform TEXT NOT NULL,"
        " regulator TEXT NOT NULL,"
        " timezone TEXT NOT NULL,"
        " restriction_id TEXT NOT NULL,"
        " kind TEXT NOT NULL,"
        " phase_rank SMALLINT NOT NULL,"
        " since TIMESTAMPTZ NOT NULL,"
        " ends TIMESTAMPTZ,"
        " during TSTZRANGE NOT NULL,"
        " box INTEGER NOT NULL,"
        " networks TEXT[] NOT NULL,"
        " services TEXT[], services_except TEXT[] NOT NULL,"
        " regions TEXT[], regions_except TEXT[] NOT NULL,"
        " operators TEXT[], operators_except TEXT[] NOT NULL,"
        " stores TEXT[], stores_except TEXT[],"
        " scope TEXT NOT NULL,"
        ' "window" TEXT,'
        " by TEXT)"
    ),
    "CREATE INDEX restrictions_during ON restrictions USING GIST (during)",
    "CREATE INDEX restrictions_dispute ON restrictions (dispute_key, (lower(during)))",
)

#: Rows rewritten with one statement (more go by COPY).
_AT_ONCE: Final = 64
_PERIOD_COLUMNS: Final = (
    "dispute_key, dispute_id, jurisdiction, platform, regulator, timezone, during, phase,"
    " phase_rank, cause, start_earliest, start_latest, end_earliest, end_latest, windowed"
)
_RESTRICTION_COLUMNS: Final = (
    "dispute_key, dispute_id, jurisdiction, platform, regulator, timezone, restriction_id,"
    " kind, phase_rank, since, ends, during, box, networks, services, services_except,"
    " regions, regions_except, operators, operators_except, stores, stores_except, scope,"
    ' "window", by'
)
#: The distinct zones of the periods table, one index probe each (a loose index scan).
_ZONES: Final = (
    "WITH RECURSIVE z AS ("
    " (SELECT timezone FROM periods ORDER BY timezone LIMIT 1)"
    " UNION ALL SELECT (SELECT timezone FROM periods WHERE timezone > z.timezone"
    " ORDER BY timezone LIMIT 1) FROM z WHERE z.timezone IS NOT NULL)"
    " SELECT timezone FROM z"
)
_PERIOD_READ: Final = (
    "dispute_key, timezone, lower(during), upper(during), phase_rank, cause,"
    " start_earliest, start_latest, end_earliest, end_latest, windowed, dispute_id"
)
_PHASES: Final = tuple(Phase)  # by rank
_KIND_RANK: Final = {
    "delisting": Phase.DELISTED,
    "throttle": Phase.THROTTLED,
    "block": Phase.BLOCKED,
}

#: A row as computed: its start and end keys first (rows are rewritten from a start on),
#: then its values, instants as keys (compared exactly; converted only to be written).
Row = tuple[Any, ...]


def _text(value: str | None) -> str | None:
    """Text PostgreSQL can hold: NUL shown as U+FFFD (the exact value lives elsewhere)."""
    return None if value is None else _shown(value)


def _shown(value: str) -> str:
    return value.replace("\x00", "\ufffd")


def _instant(key: int | None) -> _dt.datetime | None:
    return None if key is None else EPOCH + ONE_US * key


def _range(start: int, end: int | None) -> Any:
    from psycopg.types.range import Range  # noqa: PLC0415 - the postgresql extra

    return Range(_instant(start), _instant(end), "[)")


def _key(value: _dt.datetime | None) -> int | None:
    return None if value is None else instant_key(value)


def _period_sql(row: Row) -> tuple[Any, ...]:
    start, end, *head, phase, rank, cause, se, sl, ee, el, windowed = row
    spans = (_instant(se), _instant(sl), _instant(ee), _instant(el))
    return (*head, _range(start, end), phase, rank, cause, *spans, windowed)


def _restriction_sql(row: Row) -> tuple[Any, ...]:
    start, end = row[0], row[1]
    head, (rid, kind, rank, since, ends), rest = row[2:8], row[8:13], row[13:]
    return (*head, rid, kind, rank, _instant(since), _instant(ends), _range(start, end), *rest)


def _head(d: Dispute) -> tuple[Any, ...]:
    return (
        d.id.encode(),
        _text(d.id),
        d.jurisdiction,
        _text(d.platform),
        _text(d.regulator),
        d.timezone,
    )


def _windowed(timeline: Timeline) -> bool:
    return any(getattr(e, "window", None) is not None for e in timeline.events)


#: The kinds of event that cannot change a phase or a restriction: appended after every
#: other event of a dispute without recurring windows, they leave its projection as it is.
QUIET: Final = frozenset(
    {
        "statement",
        "takedown_requested",
        "content_removed",
        "fine_imposed",
        "fine_paid",
        "fine_cancelled",
    }
)


def quiet(event: Any) -> bool:
    """Whether an event cannot change phases or restrictions (see `QUIET`)."""
    kind = event.kind
    return kind in QUIET or (kind == "warning_issued" and event.due is None)


#: The kinds of event that can change a restriction (a correction can change anything).
RESTRICTING: Final = RESTRICTION_KINDS | {"event_retracted", "event_corrected"}


def restricting(event: Any) -> bool:
    """Whether an event can change a restriction (a correction can change anything)."""
    return event.kind in RESTRICTING


def windowed(timeline: Timeline) -> bool:
    """Whether a dispute has a recurring window (its periods stop where its events do)."""
    return _windowed(timeline)


def period_rows(timeline: Timeline, windowed: bool | None = None) -> list[Row]:
    """The periods table's rows of one timeline, in order (each led by its start key).

    `history()`'s periods, read as keys (no instant is made and read back); `windowed`
    when the caller knows it.
    """
    head = _head(timeline.dispute)
    if windowed is None:
        windowed = _windowed(timeline)
    starts = timeline._period_keys()
    rows: list[Row] = []
    for j, (start, phase, cause, ss) in enumerate(starts):
        following = starts[j + 1] if j + 1 < len(starts) else None
        es = None if following is None else following[3]
        rows.append(
            (
                start,
                None if following is None else following[0],
                *head,
                phase.name,
                int(phase),
                _text(cause),
                None if ss is None else ss[0],
                None if ss is None else ss[1],
                None if es is None else es[0],
                None if es is None else es[1],
                windowed,
            )
        )
    return rows


def _sorted(values: frozenset[str] | None) -> list[str] | None:
    return None if values is None else sorted(_text(v) or "" for v in values)


def restriction_rows(timeline: Timeline) -> list[Row]:
    """The restrictions table's rows of one timeline: a row per box of each spell."""
    head = _head(timeline.dispute)
    rows: list[Row] = []
    for spell in timeline.restrictions():
        r: Throttle | Block | Delisting = spell.restriction
        kind = type(r).__name__.lower()
        start = instant_key(spell.start)
        end = None if spell.end is None else instant_key(spell.end)
        window = getattr(r, "window", None)
        delisting = kind == "delisting"
        for n, (box, scope, stores, stores_except) in enumerate(spell.pieces()):
            rows.append(
                (
                    start,
                    end,
                    *head,
                    _text(r.id),
                    kind,
                    int(_KIND_RANK[kind]),
                    instant_key(r.since),
                    _key(r.ends),
                    n,
                    sorted(box.networks),
                    _sorted(box.services),
                    _sorted(box.services_except),
                    _sorted(box.regions),
                    _sorted(box.regions_except),
                    _sorted(box.operators),
                    _sorted(box.operators_except),
                    _sorted(stores) if delisting else None,
                    _sorted(stores_except) if delisting else None,
                    _text(str(scope)),
                    None if window is None else str(window),
                    _text(r.by),
                )
            )
    return canonical(rows)


def _first_change(old: Sequence[Row], new: Sequence[Row]) -> int | None:
    """The start key from which `new` differs from `old` (None: the same)."""
    for a, b in zip(old, new, strict=False):
        if a != b:
            return int(min(a[0], b[0]))
    if len(old) == len(new):
        return None
    longer = old if len(old) > len(new) else new
    return int(longer[min(len(old), len(new))][0])


def stored(tx: Any, table: str, dispute: Dispute) -> list[Row]:
    """The rows of `dispute` in `table` as they are in the database, in canonical order."""
    if table == "periods":
        query = (
            "SELECT lower(during), upper(during), dispute_key, dispute_id, jurisdiction,"
            " platform, regulator, timezone, phase, phase_rank, cause, start_earliest,"
            " start_latest, end_earliest, end_latest, windowed FROM periods"
            " WHERE dispute_key = %s"
        )
        times: tuple[int, ...] = (0, 1, 11, 12, 13, 14)
    else:
        query = (
            "SELECT lower(during), upper(during), dispute_key, dispute_id, jurisdiction,"
            " platform, regulator, timezone, restriction_id, kind, phase_rank, since, ends,"
            " box, networks, services, services_except, regions, regions_except, operators,"
            ' operators_except, stores, stores_except, scope, "window", by FROM restrictions'
            " WHERE dispute_key = %s"
        )
        times = (0, 1, 11, 12)
    rows = []
    for found in tx.execute(query, (dispute.id.encode(),)):
        row = list(found)
        for i in times:
            row[i] = _key(row[i])
        row[2] = bytes(row[2])
        rows.append(tuple(row))
    return canonical(rows)


def canonical(rows: list[Row]) -> list[Row]:
    """Rows in the order the database gives them back: by start, then id and box."""
    if rows and len(rows[0]) > 16:  # a restrictions row
        return sorted(rows, key=lambda r: (r[0], r[8], r[13]))
    return sorted(rows, key=lambda r: r[0])


#: A part of a statement's WITH clause that changes a projection table, and its parameters.
Along = tuple[str, list[Any]]


def rewrite(
    tx: Any,
    table: str,
    dispute: Dispute,
    old: Sequence[Row] | None,
    new: Sequence[Row],
    along: list[Along],
) -> None:
    """Make `table`'s rows of `dispute` `new`, from the first change on.

    `old` is what the table holds now (read it with `stored` when it is not known). What
    an append changes is a row or two: that change is added to `along` as WITH clauses (a
    delete and an insert) for the caller to send with a statement of its own (`run`, or
    the events' insert), saving a round trip; a larger change is made at once.
    """
    key = dispute.id.encode()
    columns = _PERIOD_COLUMNS if table == "periods" else _RESTRICTION_COLUMNS
    if old is None:
        old = stored(tx, table, dispute)
    start = _first_change(old, new)
    if start is None:
        return
    delete = f"DELETE FROM {table} WHERE dispute_key = %s AND lower(during) >= %s"  # noqa: S608
    to_sql = _period_sql if table == "periods" else _restriction_sql
    rows = [to_sql(row) for row in new if row[0] >= start]
    if len(rows) <= _AT_ONCE:
        # the delete and the insert in one statement (neither sees the other's rows)
        parts = [(f"{table}_gone AS ({delete})", [key, _instant(start)])]
        if rows:
            values = ", ".join([f"({', '.join(['%s'] * len(rows[0]))})"] * len(rows))
            insert = f"INSERT INTO {table} ({columns}) VALUES {values}"  # noqa: S608
            parts.append((f"{table}_added AS ({insert})", list(itertools.chain(*rows))))
        along.extend(parts)
        return
    tx.execute(delete, (key, _instant(start)))
    if rows:
        with tx.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def with_clause(along: Sequence[Along]) -> tuple[str, list[Any]]:
    """The WITH clause that makes the changes `along` (empty for none), and its parameters."""
    if not along:
        return "", []
    return "WITH " + ", ".join(sql for sql, _ in along) + " ", [
        p for _, params in along for p in params
    ]


def run(tx: Any, along: Sequence[Along]) -> None:
    """Make the changes `along` in one statement of their own."""
    if along:
        clause, params = with_clause(along)
        tx.execute(f"{clause}SELECT 1", params)


# --- queries -----------------------------------------------------------------------------


def _filters(
    jurisdiction: frozenset[str] | None,
    platform: frozenset[str] | None,
    regulator: frozenset[str] | None,
    alias: str = "",
) -> tuple[str, list[Any]]:
    sql, args = [], []
    for column, values in (
        ("jurisdiction", jurisdiction),
        ("platform", platform),
        ("regulator", regulator),
    ):
        if values is not None:
            sql.append(f" AND {alias}{column} = ANY(%s)")
            args.append(sorted(_shown(v) for v in values))
    return "".join(sql), args


def _at(tx: Any, keys: _Keys) -> tuple[str, list[Any]]:
    """``during`` holding the query's instant: one instant, or a day's end in each zone."""
    if keys.key is not None:
        return "during @> %s::timestamptz", [_instant(keys.key)]
    # every dispute with a restriction has periods: the periods table's zones are all
    zones = [z for (z,) in tx.execute(_ZONES) if z is not None]
    if not zones:
        return "false", []
    clauses = " OR ".join(["(timezone = %s AND during @> %s::timestamptz)"] * len(zones))
    args: list[Any] = []
    for z in zones:
        args += [z, _instant(keys.in_zone(z))]
    return f"({clauses})", args


def _slice_sql(point: tuple[str | None, ...]) -> tuple[str, list[Any]]:
    network, service, region, operator = point
    sql, args = [], []
    if network is not None:
        sql.append(" AND %s = ANY(networks)")
        args.append(network)
    for column, value in (("services", service), ("regions", region), ("operators", operator)):
        if value is not None:
            sql.append(
                f" AND (({column} IS NULL AND NOT %s = ANY({column}_except)) OR %s = ANY({column}))"
            )
            args += [_shown(value), _shown(value)]
    return "".join(sql), args


def restricted(
    tx: Any,
    keys: _Keys,
    point: tuple[str | None, ...],
    wanted: tuple[frozenset[str] | None, frozenset[str] | None, frozenset[str] | None],
) -> list[tuple[bytes, Phase | None]]:
    """(dispute key, phase) of the disputes restricted at the query's instant.

    Phase None for disputes to check from their timeline (recurring windows, ids holding NUL).
    """
    where, args = _filters(*wanted)
    if point == (None, None, None, None):
        at, at_args = _at(tx, keys)
        rows = tx.execute(
            f"SELECT dispute_key, phase_rank, dispute_id FROM periods WHERE {at}"  # noqa: S608
            f" AND phase_rank >= %s AND NOT windowed{where}",
            [*at_args, int(Phase.DELISTED), *args],
        ).fetchall()
    else:
        at, at_args = _at(tx, keys)
        piece, piece_args = _slice_sql(point)
        rows = tx.execute(
            f"SELECT dispute_key, max(phase_rank), min(dispute_id) FROM restrictions"  # noqa: S608
            f' WHERE {at} AND "window" IS NULL{piece}{where}'
            " AND dispute_key NOT IN (SELECT dispute_key FROM periods WHERE windowed)"
            " GROUP BY dispute_key",
            [*at_args, *piece_args, *args],
        ).fetchall()
    found: list[tuple[bytes, Phase | None]] = [
        (bytes(k), None if "\ufffd" in text else _PHASES[rank]) for k, rank, text in rows
    ]
    checked = tx.execute(
        f"SELECT DISTINCT dispute_key FROM periods WHERE windowed{where}",  # noqa: S608
        args,
    ).fetchall()
    found += [(bytes(k), None) for (k,) in checked]
    return found


def periods(
    tx: Any,
    start: object,
    end: object,
    wanted: tuple[frozenset[str] | None, frozenset[str] | None, frozenset[str] | None],
    dispute_of: Callable[[bytes], Dispute],
) -> tuple[list[DisputePeriod], set[bytes]]:
    """The periods rows overlapping [start, end), cut.

    Also the disputes to answer from their timelines instead (recurring windows, ids holding
    NUL).
    """
    where, args = _filters(*wanted)
    order = "ORDER BY dispute_key, lower(during)"
    query = f"SELECT {_PERIOD_READ} FROM periods WHERE true{where} {order}"  # noqa: S608
    rows = tx.execute(query, args).fetchall()
    out: list[DisputePeriod] = []
    aside: set[bytes] = set()
    bounds: dict[str, tuple[int | None, int | None]] = {}
    for key, zone_name, lo_t, hi_t, rank, cause, se, sl, ee, el, windowed, text in rows:
        k = bytes(key)
        if windowed or "\ufffd" in text or (cause is not None and "\ufffd" in cause):
            aside.add(k)
            continue
        dispute = dispute_of(k)
        zone = dispute.zone
        if zone_name not in bounds:
            lo = None if start is None else _window_edge(zone, start, end=False, what="start")
            hi = None if end is None else _window_edge(zone, end, end=True, what="end")
            if lo is not None and hi is not None and hi < lo:
                msg = f"the window ends ({end!r:.40}) before it starts ({start!r:.40})"
                raise TimeError(msg)
            bounds[zone_name] = (lo, hi)
        lo, hi = bounds[zone_name]
        s = instant_key(lo_t)
        e = None if hi_t is None else instant_key(hi_t)
        if (e is not None and lo is not None and e <= lo) or (hi is not None and s >= hi):
            continue
        cut_start = lo is not None and s < lo
        cut_end = hi is not None and (e is None or e > hi)
        to_dt = zone.to_datetime
        out.append(
            DisputePeriod(
                dispute=dispute,
                start=to_dt(lo if cut_start else s),  # type: ignore[arg-type]
                end=to_dt(hi) if cut_end else (None if e is None else to_dt(e)),  # type: ignore[arg-type]
                phase=_PHASES[rank],
                cause=cause,
                start_span=None
                if cut_start or se is None
                else (to_dt(instant_key(se)), to_dt(instant_key(sl))),
                end_span=None
                if cut_end or ee is None
                else (to_dt(instant_key(ee)), to_dt(instant_key(el))),
            )
        )
    return out, aside
