"""Obligations benchmark: reading status.takedowns at any instant of a long log.

Run by hand: ``python benchmarks/bench_obligations.py [--sizes 100000 1000000]``. Every
8th event is a takedown request (1-5 items, an SLA of 24 hours or 1 hour); most are removed
some hours later, in one or two removals, a few never; the rest are statements. The baseline,
in the same run, is ``status_at(t).phase`` on the same timeline. The first read builds the
takedown index (timed separately); the median is over queries at random instants. A second
table reads `fines_owed` with 1,000 accruing fines, in a zone without DST and in one with
it (where the days around a change of UTC offset are counted fine by fine), against the same
figure summed fine by fine from `fine_states` in the same run.
"""

from __future__ import annotations

import argparse
import random
import time

import attrs
import pendulum
from bench_core import median_us

from regtimeline import (
    ContentRemoved,
    Dispute,
    Event,
    FineCancelled,
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
ZONES = ("Europe/Moscow", "Europe/Brussels")


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


def fines_row(n: int, fines: int, queries_n: int, rng: random.Random, zone: str) -> str:
    """`fines` accruing fines (daily, 24-hourly, monthly; a third with `until`, a tenth
    cancelled later) spread over `n` events, read at random instants."""
    every = max(1, n // fines)
    events: list[Event] = []
    live: list[str] = []
    for i in range(n):
        at = START.add(seconds=i * STEP)
        if i % every == 0 and i // every < fines:
            per = rng.choice(("P1D", "PT24H", "P1M"))
            until = at.add(days=rng.randint(1, 60)) if rng.random() < 1 / 3 else None
            events.append(
                FineImposed(
                    at=at,
                    id=f"f{i}",
                    amount="100.50",
                    currency="RUB",
                    by="court",
                    per=per,
                    until=until,
                )
            )
            live.append(f"f{i}")
        elif live and rng.random() < fines / n / 10:
            fine = live.pop(rng.randrange(len(live)))
            events.append(FineCancelled(at=at, id=f"c{i}", fine=fine, by="appeal court"))
        else:
            events.append(Statement(at=at, id=f"s{i}", by="Roskomnadzor", text="statement"))
    dispute = attrs.evolve(DISPUTE, timezone=zone)
    timeline = Timeline(dispute, events)
    queries = [START.add(seconds=rng.uniform(0, n * STEP)) for _ in range(queries_n)]
    t0 = time.perf_counter()
    _ = timeline.status_at(queries[0]).fines_owed
    first = time.perf_counter() - t0
    baseline = median_us(lambda q: timeline.status_at(q).phase, queries)
    owed = median_us(lambda q: timeline.status_at(q).fines_owed, queries)
    one_by_one = median_us(
        lambda q: sum(f.owed for f in timeline.status_at(q).fine_states), queries[:50]
    )
    return (
        f"| {n:,} | {zone} | {fines:,} | {first * 1000:,.1f} | {baseline:.2f} | {owed:.2f} "
        f"| {one_by_one:,.0f} |"
    )


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
    print(
        "| events | zone | accruing fines | first read, building the sums (ms) "
        "| baseline status_at(t).phase (us) | fines_owed (us) "
        "| baseline: the same fine by fine, from fine_states (us) |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        for zone in ZONES:
            print(fines_row(n, 1_000, args.queries, rng, zone))


if __name__ == "__main__":
    main()
