"""regtimeline side by side with eventsourcing (the ``bench`` extra), in one process.

Run by hand: ``python benchmarks/bench_vs_eventsourcing.py [--sizes 10000,100000]``. Prints
a Markdown table. The same logical workload (`bench_core.make_events`: takedowns, removals,
statements, deadlines set and met, throttles imposed and lifted, short blocks, fines) is
built in both libraries; each measurement is the median of three runs, the libraries
interleaved run by run (this machine is shared and noisy). Floors in the same run: a fold
over plain tuples, and `bisect` on a list of ints.

eventsourcing is used as its documentation shows: an `Aggregate` with `@event` methods,
an `Application` with its in-memory (POPO) store, `repository.get(id, version=...)` for
the state at a past version, and `snapshotting_intervals` for snapshots. Its aggregate
here keeps what a user would keep to answer "what was the status then" (open throttles,
the block and its end, deadlines and their state, item counts, fines) and computes the
phase from it; it does not validate what regtimeline validates (references, overlaps,
order), so the comparison flatters it.

Measured: building in memory; the status at a past instant; rebuilding from SQLite (a
fresh handle: nothing cached) against eventsourcing's SQLite application and a plain
``sqlite3`` + ``orjson`` read, and loading a JSON Lines file against reading its lines
with ``orjson``; single-event appends to SQLite at ``synchronous=NORMAL``
and ``FULL`` against eventsourcing's ``save`` per event and a plain INSERT + COMMIT; memory
per event (traced allocations of the events and what is built from them).
"""

# ruff: noqa: ARG002 - the events carry their ids (as regtimeline's do), the state needs not

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import gc
import pathlib
import random
import sqlite3
import statistics
import tempfile
import time
import tracemalloc
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import orjson
import pendulum
from bench_core import DISPUTE, START, STEP, make_events
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from regtimeline import (
    BlockImposed,
    DeadlineMet,
    DeadlineSet,
    Event,
    Statement,
    ThrottleImposed,
    ThrottleLifted,
    Timeline,
    dump,
    load,
    open_store,
)

RUNS = 3


class DisputeAggregate(Aggregate):
    """One dispute in eventsourcing: the state needed to say what its status is."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.throttles: dict[str, bool] = {}  # a dict: snapshots cannot hold a set
        self.block_until: dt.datetime | None = None
        self.deadlines: dict[str, str] = {}
        self.requested = 0
        self.removed = 0
        self.fines: list[str] = []
        self.last_at: dt.datetime | None = None

    @event("DeadlineSet")
    def deadline_set(self, at: dt.datetime, did: str, due: dt.datetime) -> None:
        self.deadlines[did] = "pending"
        self.last_at = at

    @event("DeadlineMet")
    def deadline_met(self, at: dt.datetime, did: str) -> None:
        self.deadlines[did] = "met"
        self.last_at = at

    @event("ThrottleImposed")
    def throttle_imposed(self, at: dt.datetime, tid: str) -> None:
        self.throttles[tid] = True
        self.last_at = at

    @event("ThrottleLifted")
    def throttle_lifted(self, at: dt.datetime, tid: str) -> None:
        self.throttles.pop(tid, None)
        self.last_at = at

    @event("BlockImposed")
    def block_imposed(self, at: dt.datetime, bid: str, ends: dt.datetime | None) -> None:
        self.block_until = ends
        self.last_at = at

    @event("TakedownRequested")
    def takedown_requested(self, at: dt.datetime, rid: str, items: int) -> None:
        self.requested += items
        self.last_at = at

    @event("ContentRemoved")
    def content_removed(self, at: dt.datetime, cid: str, items: int) -> None:
        self.removed += items
        self.last_at = at

    @event("FineImposed")
    def fine_imposed(self, at: dt.datetime, fid: str, amount: str) -> None:
        self.fines.append(amount)
        self.last_at = at

    @event("Statement")
    def statement(self, at: dt.datetime, sid: str) -> None:
        self.last_at = at

    def phase_at(self, when: dt.datetime) -> int:
        """BLOCKED 4, THROTTLED 3, WARNED 1 (an open deadline), CLEAR 0."""
        if self.block_until is not None and when < self.block_until:
            return 4
        if self.throttles:
            return 3
        return 1 if "pending" in self.deadlines.values() else 0


class SnapshottedApplication(Application):
    """eventsourcing's application with a snapshot every 1,000 versions."""

    snapshotting_intervals = {DisputeAggregate: 1000}  # noqa: RUF012 - eventsourcing's API


def restriction_heavy(n: int) -> list[Event]:
    """Three events in eight change a restriction: throttles imposed and lifted, short blocks."""
    events: list[Event] = []
    for i in range(n):
        at = START.add(seconds=i * STEP)
        step = i % 8
        if step == 0:
            events.append(ThrottleImposed(at=at, id=f"t{i}"))
        elif step == 2:
            events.append(ThrottleLifted(at=at, id=f"l{i}", throttle=f"t{i - 2}"))
        elif step == 4:
            events.append(BlockImposed(at=at, id=f"b{i}", ends=at.add(seconds=STEP)))
        else:
            events.append(Statement(at=at, id=f"s{i}", by="Roskomnadzor", text="statement"))
    return events


def deadline_heavy(n: int) -> list[Event]:
    """Every other event opens or meets a deadline; a few stay open at any time."""
    events: list[Event] = []
    for i in range(n):
        at = START.add(seconds=i * STEP)
        if i % 2 == 0:
            events.append(DeadlineSet(at=at, id=f"d{i}", due=at.add(days=7), demand="remove"))
        elif i >= 11:
            events.append(DeadlineMet(at=at, id=f"m{i}", deadline=f"d{i - 11}"))
        else:
            events.append(Statement(at=at, id=f"s{i}", by="Roskomnadzor", text="statement"))
    return events


#: The event mixes: what most of the events of each are.
MIXES: dict[str, Callable[[int], list[Event]]] = {
    "takedown-heavy": make_events,
    "restriction-heavy": restriction_heavy,
    "deadline-heavy": deadline_heavy,
}


def _plain(value: Any) -> Any:
    """A standard-library UTC datetime (eventsourcing's transcoder knows no pendulum)."""
    if value is None:
        return None
    return dt.datetime.fromtimestamp(value.timestamp(), tz=dt.UTC)


def _calls(events: Sequence[Event]) -> list[tuple[str, tuple[Any, ...]]]:
    """The aggregate's method and arguments for each regtimeline event."""
    out: list[tuple[str, tuple[Any, ...]]] = []
    for e in events:
        at = _plain(e.at)
        kind = e.kind
        if kind == "deadline_set":
            out.append(("deadline_set", (at, e.id, _plain(e.due))))  # type: ignore[attr-defined]
        elif kind == "deadline_met":
            out.append(("deadline_met", (at, e.deadline)))  # type: ignore[attr-defined]
        elif kind == "throttle_imposed":
            out.append(("throttle_imposed", (at, e.id)))
        elif kind == "throttle_lifted":
            out.append(("throttle_lifted", (at, e.throttle)))  # type: ignore[attr-defined]
        elif kind == "block_imposed":
            out.append(("block_imposed", (at, e.id, _plain(e.ends))))  # type: ignore[attr-defined]
        elif kind == "takedown_requested":
            out.append(("takedown_requested", (at, e.id, e.items)))  # type: ignore[attr-defined]
        elif kind == "content_removed":
            out.append(("content_removed", (at, e.id, e.items)))  # type: ignore[attr-defined]
        elif kind == "fine_imposed":
            out.append(("fine_imposed", (at, e.id, str(e.amount))))  # type: ignore[attr-defined]
        else:
            out.append(("statement", (at, e.id)))
    return out


def es_build(calls: list[tuple[str, tuple[Any, ...]]]) -> DisputeAggregate:
    """eventsourcing as shipped: each call makes its event and applies it (with checks)."""
    aggregate = DisputeAggregate("d")
    for name, args in calls:
        getattr(aggregate, name)(*args)
    return aggregate


def es_replay(stored: Sequence[Any]) -> DisputeAggregate:
    """eventsourcing's own replay of stored events: `mutate`, with its checks."""
    aggregate = None
    for e in stored:
        aggregate = e.mutate(aggregate)
    return aggregate  # type: ignore[return-value]


def es_bare_replay(stored: Sequence[Any]) -> DisputeAggregate:
    """The replay without eventsourcing's per-event checks: `apply`, then the version."""
    aggregate = stored[0].mutate(None)
    for e in stored[1:]:
        e.apply(aggregate)
        aggregate.version = e.originator_version
    return aggregate  # type: ignore[no-any-return]


def tuple_fold(rows: list[tuple[str, int]]) -> dict[str, int]:
    """The floor of building: a fold over plain tuples into a dict."""
    state: dict[str, int] = {}
    for kind, items in rows:
        state[kind] = state.get(kind, 0) + items
    return state


def timed(fn: Callable[[], Any], runs: int = 1) -> float:
    gc.collect()
    t0 = time.perf_counter()
    for _ in range(runs):
        fn()
    return (time.perf_counter() - t0) / runs


def interleaved(fns: dict[str, Callable[[], Any]], runs: int = RUNS) -> dict[str, float]:
    """The median time of each, run in turn, `runs` rounds."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            times[name].append(timed(fn))
    return {name: statistics.median(ts) for name, ts in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--es-queries", type=int, default=20)
    parser.add_argument("--appends", type=int, default=2000)
    parser.add_argument("--mixes", default=",".join(MIXES))
    parser.add_argument(
        "--status-only",
        action="store_true",
        help="only regtimeline's status at past instants, and its floor (for 10M events, "
        "where building eventsourcing's side would take hours)",
    )
    args = parser.parse_args()
    print("| measurement | rate | vs eventsourcing's bare replay (build) / eventsourcing (query) |")
    print("|---|---|---|", flush=True)
    if args.status_only:
        for n, mix in ((int(s), m) for s in args.sizes.split(",") for m in args.mixes.split(",")):
            _show(_our_status_rows(n, mix, MIXES[mix](n), args.queries))
        return
    for n, mix in ((int(s), m) for s in args.sizes.split(",") for m in args.mixes.split(",")):
        events = MIXES[mix](n)
        calls = _calls(events)
        built = es_build(calls)
        stored = built.collect_events()
        folded = [(e.kind, getattr(e, "items", 1)) for e in events]
        times = interleaved(
            {
                "regtimeline": lambda events=events: Timeline(DISPUTE, events),
                "es as shipped": lambda calls=calls: es_build(calls),
                "es replay": lambda stored=stored: es_replay(stored),
                "es bare replay": lambda stored=stored: es_bare_replay(stored),
                "floor": lambda folded=folded: tuple_fold(folded),
            }
        )
        _show(
            (
                f"build {n:,} events ({mix}) in memory: {name}",
                f"{n / seconds:,.0f}/s",
                f"{times['es bare replay'] / seconds:.2f}x",
            )
            for name, seconds in times.items()
        )
        _show(_status_rows(n, mix, events, calls, args.queries, args.es_queries))
        if mix == "takedown-heavy":
            _show(_sqlite_rows(n, events, calls))
            _show(_memory_rows(n, events, calls))
    _show(_append_rows(args.appends))


def _show(rows: Iterable[tuple[str, str, str]]) -> None:
    """Print table rows as they are measured (a run at 1M events takes most of an hour)."""
    for row in rows:
        print("| " + " | ".join(row) + " |", flush=True)


def _status_rows(
    n: int,
    mix: str,
    events: Sequence[Event],
    calls: list[tuple[str, tuple[Any, ...]]],
    queries: int,
    es_queries: int,
) -> list[tuple[str, str, str]]:
    """The status at random past instants: regtimeline, eventsourcing, both floors."""
    timeline, keys, instants = _past_instants(events, queries)
    zone = DISPUTE.zone
    ats = [_plain(zone.to_datetime(k)) for k in keys]

    plain = Application()
    snapshotted = SnapshottedApplication()
    ids = []
    for app in (plain, snapshotted):
        aggregate = DisputeAggregate("d")
        for i, (name, call_args) in enumerate(calls, start=1):
            getattr(aggregate, name)(*call_args)
            if i % 1000 == 0:
                app.save(aggregate)  # a snapshot every 1,000 versions (where configured)
        app.save(aggregate)
        ids.append(aggregate.id)

    def es_status(app: Application, aggregate_id: Any, when: dt.datetime) -> int:
        when = _plain(when)
        version = bisect.bisect_right(ats, when)  # events 1..version happened by `when`
        # version 1 is the aggregate's creation: its events are 2 on
        state: DisputeAggregate = app.repository.get(aggregate_id, version=version + 1)
        return state.phase_at(when)

    few = instants[:es_queries]
    int_keys = keys
    wanted = [zone.key(w) for w in instants]
    # the same instants as each kind of argument status_at takes
    local = zoneinfo.ZoneInfo(DISPUTE.timezone)
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    utc = [epoch + dt.timedelta(microseconds=k) for k in wanted]
    stdlib = [w.astimezone(local) for w in utc]
    texts = [w.isoformat() for w in instants]
    assert [zone.key(w) for w in stdlib] == wanted == [zone.key(w) for w in utc]
    times = interleaved(
        {
            "regtimeline status_at(t).phase, t pendulum": lambda: [
                timeline.status_at(w).phase for w in instants
            ],
            "regtimeline status_at(t).phase, t datetime (zoneinfo)": lambda: [
                timeline.status_at(w).phase for w in stdlib
            ],
            "regtimeline status_at(t).phase, t datetime (UTC)": lambda: [
                timeline.status_at(w).phase for w in utc
            ],
            "regtimeline status_at(t).phase, t ISO string": lambda: [
                timeline.status_at(w).phase for w in texts
            ],
            "floor: bisect on ints": lambda: [bisect.bisect_right(int_keys, k) for k in wanted],
        }
    )
    es_times = interleaved(
        {
            "eventsourcing: bisect + replay": lambda: [es_status(plain, ids[0], w) for w in few],
            "eventsourcing: with snapshots every 1,000": lambda: [
                es_status(snapshotted, ids[1], w) for w in few
            ],
        },
        runs=1,
    )
    per = {name: seconds / len(instants) for name, seconds in times.items()}
    per |= {name: seconds / len(few) for name, seconds in es_times.items()}
    out = []
    for name, seconds in per.items():
        ratio = per["eventsourcing: bisect + replay"] / seconds
        out.append(
            (
                f"status at a past instant, {n:,} events ({mix}): {name}",
                f"{seconds * 1e6:,.2f} us",
                f"{ratio:,.0f}x",
            )
        )
    return out


def _past_instants(
    events: Sequence[Event], queries: int
) -> tuple[Timeline, list[int], list[pendulum.DateTime]]:
    """The timeline of `events`, their keys, and `queries` random instants among them (the
    same in every run)."""
    rng = random.Random(7)
    zone = DISPUTE.zone
    keys = [zone.key(e.at) for e in events]
    instants = [zone.to_datetime(rng.randrange(keys[0], keys[-1])) for _ in range(queries)]
    return Timeline(DISPUTE, events), keys, instants


def _our_status_rows(
    n: int, mix: str, events: Sequence[Event], queries: int
) -> list[tuple[str, str, str]]:
    """regtimeline's status at random past instants and the bisect floor, nothing else."""
    timeline, keys, instants = _past_instants(events, queries)
    wanted = [DISPUTE.zone.key(w) for w in instants]
    times = interleaved(
        {
            "regtimeline status_at(t).phase, t pendulum": lambda: [
                timeline.status_at(w).phase for w in instants
            ],
            "floor: bisect on ints": lambda: [bisect.bisect_right(keys, k) for k in wanted],
        }
    )
    return [
        (f"status at a past instant, {n:,} events ({mix}): {name}",
         f"{seconds / queries * 1e6:,.2f} us", "")
        for name, seconds in times.items()
    ]  # fmt: skip


def _es_sqlite(path: pathlib.Path) -> Application:
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)}
    return Application(env=env)


def _sqlite_rows(
    n: int, events: Sequence[Event], calls: list[tuple[str, tuple[Any, ...]]]
) -> list[tuple[str, str, str]]:
    """Rebuilding a dispute from SQLite, in a fresh handle."""
    tmp = pathlib.Path(tempfile.mkdtemp())
    url = f"sqlite:///{tmp}/ours.db"
    with open_store(url) as store:
        store.create(DISPUTE)
        store.append(DISPUTE.id, events)
    app = _es_sqlite(tmp / "es.db")
    aggregate = es_build(calls)
    app.save(aggregate)
    es_id = aggregate.id
    app.close()
    del app, aggregate

    def ours() -> Any:
        with open_store(url) as fresh:
            return fresh.load(DISPUTE.id)

    def theirs() -> Any:
        fresh = _es_sqlite(tmp / "es.db")  # a fresh handle: nothing cached
        try:
            return fresh.repository.get(es_id)
        finally:
            fresh.close()

    def floor() -> Any:  # the same rows of the same file, read and parsed, nothing more
        with sqlite3.connect(tmp / "ours.db") as db:
            rows = db.execute(
                "SELECT body FROM events WHERE dispute_id = ? ORDER BY version", (DISPUTE.id,)
            )
            return [orjson.loads(b) for (b,) in rows]

    jsonl = tmp / "ours.jsonl"
    dump(Timeline(DISPUTE, events), jsonl)

    def ours_jsonl() -> Any:
        return load(jsonl)

    def floor_jsonl() -> Any:  # the same file's lines, read and parsed, nothing more
        with jsonl.open("rb") as lines:
            return [orjson.loads(line) for line in lines]

    times = interleaved(
        {
            "regtimeline": ours,
            "eventsourcing": theirs,
            "floor: sqlite3 + orjson": floor,
            "regtimeline, JSON Lines file": ours_jsonl,
            "floor: the file's lines + orjson": floor_jsonl,
        }
    )
    return [
        (
            f"rebuild {n:,} events from {_source(name)}: {name}",
            f"{n / s:,.0f}/s",
            f"{times['eventsourcing'] / s:.2f}x",
        )
        for name, s in times.items()
    ]


def _source(name: str) -> str:
    """Where a rebuild row reads from."""
    return "a JSON Lines file" if "file" in name else "SQLite"


def _append_rows(count: int) -> list[tuple[str, str, str]]:
    """Single-event appends, one transaction each."""
    tmp = pathlib.Path(tempfile.mkdtemp())
    start = DISPUTE.zone.to_datetime(DISPUTE.zone.key(make_events(1)[0].at))
    statements = [
        Statement(at=start.add(seconds=i), id=f"s{i}", by="x", text="y") for i in range(count)
    ]
    rounds = iter(range(1_000_000))

    def ours(durable: bool) -> Callable[[], None]:
        def run() -> None:
            url = f"sqlite:///{tmp}/ours-{next(rounds)}.db" + ("?durable=1" if durable else "")
            with open_store(url) as store:
                store.create(DISPUTE)
                for e in statements:
                    store.append(DISPUTE.id, [e])

        return run

    def theirs() -> None:
        app = _es_sqlite(tmp / f"es-{next(rounds)}.db")
        aggregate = DisputeAggregate("d")
        at = _plain(start)
        for i in range(count):
            aggregate.statement(at, f"s{i}")
            app.save(aggregate)
        app.close()

    def floor(synchronous: str) -> Callable[[], None]:
        def run() -> None:
            db = sqlite3.connect(tmp / f"floor-{next(rounds)}.db", isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(f"PRAGMA synchronous={synchronous}")
            db.execute("CREATE TABLE events (version INTEGER PRIMARY KEY, body BLOB)")
            for i in range(count):
                db.execute("BEGIN IMMEDIATE")
                db.execute("INSERT INTO events VALUES (?, ?)", (i, orjson.dumps({"i": i})))
                db.execute("COMMIT")
            db.close()

        return run

    times = interleaved(
        {
            "regtimeline, synchronous=NORMAL": ours(durable=False),
            "regtimeline, synchronous=FULL": ours(durable=True),
            "eventsourcing (save per event)": theirs,
            "floor: INSERT + COMMIT, NORMAL": floor("NORMAL"),
            "floor: INSERT + COMMIT, FULL": floor("FULL"),
        }
    )
    return [
        (f"{count:,} single-event appends to SQLite: {name}", f"{count / s:,.0f}/s",
         f"{times['eventsourcing (save per event)'] / s:.2f}x")
        for name, s in times.items()
    ]  # fmt: skip


def _memory_rows(
    n: int, events: Sequence[Event], calls: list[tuple[str, tuple[Any, ...]]]
) -> list[tuple[str, str, str]]:
    """Traced allocations per event: the events and the timeline, or eventsourcing's
    stored events and its aggregate."""
    gc.collect()
    tracemalloc.start()
    ours = make_events(n)
    timeline = Timeline(DISPUTE, ours)
    our_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del ours, timeline
    gc.collect()
    tracemalloc.start()
    aggregate = es_build(calls)
    stored = aggregate.collect_events()
    their_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del aggregate, stored
    return [
        (f"memory, {n:,} events: regtimeline (events + timeline)", f"{our_bytes / n:,.0f} B/event", f"{their_bytes / our_bytes:.2f}x"),
        (f"memory, {n:,} events: eventsourcing (events + aggregate)", f"{their_bytes / n:,.0f} B/event", "1.00x"),
    ]  # fmt: skip


if __name__ == "__main__":
    main()
