"""Obligations benchmark: reading status.takedowns at any instant of a long log.

Run by hand: ``python benchmarks/bench_obligations.py [--sizes 100000 1000000]``. Every
8th event is a takedown request (1-5 items, an SLA of 24 hours or 1 hour); most are removed
some hours later, in one or two removals, a few never; the rest are statements. The baseline,
in the same run, is ``status_at(t).phase`` on the same timeline. The first read builds the
takedown index (timed separately); the median is over queries at random instants. A second
table reads `fines_owed` with 1,000 accruing fines (each counted from its own start: no
aggregate yet, so this one is far from the 20 us the issue asks).
"""

from __future__ import annotations

import argparse
import random
import time

import pendulum
from bench_core import median_us

from regtimeline import (
    ContentRemoved,
    Dispute,
    Event,
    FineImposed,
    Statement,
    TakedownRequested,
    Timeline,
)

DISPUTE = Dispute(
    id="bench-takedowns",
    regulator="Roskomnadzor",
    platform="Twitter",
    jurisdiction="RU",
    timezone="Europe/Moscow",
)
START = pendulum.datetime(2021, 1, 1)
STEP = 60  # seconds between events


def make_events(n: int, rng: random.Random) -> list[Event]:
    events: list[Event] = []
    due: dict[int, list[tuple[str, int]]] = {}  # event number -> removals to make then
    for i in range(n):
        at = START.add(seconds=i * STEP)
        if due.get(i):
            rid, items = due[i].pop()
            events.append(ContentRemoved(at=at, id=f"c{i}", items=items, request=rid))
            if due[i]:
                due.setdefault(i + 1, []).extend(due.pop(i))
            continue
        if i % 8 == 0:
            items = rng.randint(1, 5)
            rid = f"r{i}"
            events.append(
                TakedownRequested(
                    at=at, id=rid, items=items, sla=rng.choice(("PT24H", "PT1H")), categories={"x"}
                )
            )
            if rng.random() < 0.95:  # removed later, in one or two goes
                first = rng.randint(0, items)
                later = i + rng.randint(1, 3_000)
                due.setdefault(later, []).append((rid, first))
                if items - first:
                    due.setdefault(later + rng.randint(1, 500), []).append((rid, items - first))
            continue
        events.append(Statement(at=at, id=f"s{i}", by="Roskomnadzor", text="statement"))
    return events


def read(status) -> tuple[object, ...]:
    tk = status.takedowns
    return (
        tk.requests,
        tk.requested,
        tk.removed,
        tk.outstanding,
        tk.overdue,
        tk.latency_mean,
        tk.latency_median,
        tk.latency_max,
        tk.within_sla,
    )


def measure(n: int, queries_n: int, rng: random.Random) -> str:
    events = make_events(n, rng)
    t0 = time.perf_counter()
    timeline = Timeline(DISPUTE, events)
    build = n / (time.perf_counter() - t0)
    requests = sum(isinstance(e, TakedownRequested) for e in events)
    queries = [START.add(seconds=rng.uniform(0, n * STEP)) for _ in range(queries_n)]
    t0 = time.perf_counter()
    read(timeline.status_at(queries[0]))  # builds the index
    first = time.perf_counter() - t0
    baseline = median_us(lambda q: timeline.status_at(q).phase, queries)
    summary = median_us(lambda q: read(timeline.status_at(q)), queries)
    return (
        f"| {n:,} | {requests:,} | {build:,.0f} | {first * 1000:,.0f} | {baseline:.2f} "
        f"| {summary:.2f} |"
    )


def fines_row(n: int, fines: int, queries_n: int, rng: random.Random) -> str:
    """`fines` accruing fines (daily, 24-hourly, monthly) spread over `n` events."""
    every = max(1, n // fines)
    events: list[Event] = []
    for i in range(n):
        at = START.add(seconds=i * STEP)
        if i % every == 0 and i // every < fines:
            per = rng.choice(("P1D", "PT24H", "P1M"))
            events.append(
                FineImposed(at=at, id=f"f{i}", amount="100", currency="RUB", by="court", per=per)
            )
        else:
            events.append(Statement(at=at, id=f"s{i}", by="Roskomnadzor", text="statement"))
    timeline = Timeline(DISPUTE, events)
    queries = [START.add(seconds=rng.uniform(0, n * STEP)) for _ in range(queries_n)]
    baseline = median_us(lambda q: timeline.status_at(q).phase, queries)
    owed = median_us(lambda q: timeline.status_at(q).fines_owed, queries)
    return f"| {n:,} | {fines:,} | {baseline:.2f} | {owed:,.0f} |"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=5_000)
    args = parser.parse_args()
    rng = random.Random(2021)
    print(
        "| events | requests | build (events/s) | first read, building the index (ms) "
        "| baseline status_at(t).phase (us) | every takedown figure (us) |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        print(measure(n, args.queries, rng))
    print()
    print("| events | accruing fines | baseline status_at(t).phase (us) | fines_owed (us) |")
    print("|---:|---:|---:|---:|")
    print(fines_row(args.sizes[0], 1_000, 200, rng))


if __name__ == "__main__":
    main()
