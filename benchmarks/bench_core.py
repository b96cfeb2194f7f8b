"""Core benchmark: building timelines and answering status_at, against a naive replay.

Run by hand: ``python benchmarks/bench_core.py [--sizes 10000 100000 1000000]``. Prints a
Markdown table. Figures are machine-dependent; compare ratios within one run.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
import tracemalloc
from collections.abc import Callable

import pendulum

from regtimeline import (
    BlockImposed,
    ContentRemoved,
    DeadlineMet,
    DeadlineSet,
    Dispute,
    Event,
    FineImposed,
    Statement,
    TakedownRequested,
    ThrottleImposed,
    ThrottleLifted,
    Timeline,
)

DISPUTE = Dispute(
    id="bench",
    regulator="Roskomnadzor",
    platform="Twitter",
    jurisdiction="RU",
    timezone="Europe/Moscow",
)
START = pendulum.datetime(2021, 1, 1)
STEP = 60  # seconds between events


def make_events(n: int) -> list[Event]:
    """A valid, busy dispute: mostly takedowns, removals and statements; 1% deadlines (set,
    then met), throttles imposed and lifted, and a short block every 1,000 events."""
    events: list[Event] = []
    for i in range(n):
        at = START.add(seconds=i * STEP)
        phase = i % 100
        if phase == 0:
            events.append(DeadlineSet(at=at, id=f"d{i}", due=at.add(days=7), demand="remove"))
        elif phase == 50:
            events.append(DeadlineMet(at=at, id=f"m{i}", deadline=f"d{i - 50}"))
        elif phase == 10 and i % 1000 != 10:
            events.append(ThrottleImposed(at=at, id=f"t{i}"))
        elif phase == 60 and i % 1000 != 60:
            events.append(ThrottleLifted(at=at, id=f"l{i}", throttle=f"t{i - 50}"))
        elif i % 1000 == 70:
            events.append(BlockImposed(at=at, id=f"b{i}", ends=at.add(seconds=5 * STEP)))
        elif phase % 4 == 1:
            events.append(TakedownRequested(at=at, id=f"r{i}", items=3, sla="PT24H"))
        elif phase % 4 == 2:
            events.append(
                ContentRemoved(
                    at=at,
                    id=f"c{i}",
                    items=2,
                    request=f"r{i - 1}" if (i - 1) % 100 % 4 == 1 else None,
                )
            )
        elif phase % 4 == 3 and phase == 99:
            events.append(FineImposed(at=at, id=f"f{i}", amount="1000", currency="RUB", by="court"))
        else:
            events.append(Statement(at=at, id=f"s{i}", by="Roskomnadzor", text="statement"))
    return events


def read_all(status: object) -> object:
    """Every value of a status but its deadlines (which grow with the timeline)."""
    s = status
    return (
        s.at,
        s.phase,
        s.throttles,
        s.block,
        s.warnings,
        s.items_requested,
        s.items_removed,
        s.fines,
        s.last_event,
    )


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    gc.collect()
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def median_us(fn: Callable[[object], object], args: list[object]) -> float:
    samples = []
    for a in args:
        t0 = time.perf_counter_ns()
        fn(a)
        samples.append(time.perf_counter_ns() - t0)
    return statistics.median(samples) / 1000


def bytes_per_event(events: list[Event]) -> float:
    gc.collect()
    tracemalloc.start()
    timeline = Timeline(DISPUTE, events)
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del timeline
    return current / len(events)


def event_bytes(events: list[Event]) -> float:
    sample = events[:2000]
    gc.collect()
    tracemalloc.start()
    again = make_events(len(sample))
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del again
    return current / len(sample)


def measure(n: int, queries_n: int, replays: int, rng: random.Random) -> tuple[float, ...]:
    events = make_events(n)
    build_s, timeline = timed(lambda: Timeline(DISPUTE, events))
    assert isinstance(timeline, Timeline)
    queries = [START.add(seconds=rng.uniform(0, n * STEP)) for _ in range(queries_n)]
    status_us = median_us(lambda q: timeline.status_at(q).phase, queries)
    full_us = median_us(lambda q: read_all(timeline.status_at(q)), queries)
    deadlines_us = median_us(lambda q: len(timeline.status_at(q).deadlines), queries[:500])
    shuffled = list(events)
    rng.shuffle(shuffled)
    shuffled_s, _ = timed(lambda: Timeline(DISPUTE, shuffled))

    def replay(q: pendulum.DateTime) -> object:
        # the naive path: rebuild from every event up to q, then ask
        key = q.int_timestamp
        prefix = [e for e in events if e.at.int_timestamp <= key]
        return Timeline(DISPUTE, prefix).status_at(q).phase

    replay_us = median_us(replay, queries[: replays if n <= 100_000 else max(3, replays // 5)])
    return (
        n,
        n / build_s,
        n / shuffled_s,
        status_us,
        full_us,
        deadlines_us,
        replay_us,
        replay_us / status_us,
        bytes_per_event(events),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=5_000)
    parser.add_argument("--replays", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(2021)
    rows = [measure(n, args.queries, args.replays, rng) for n in args.sizes]
    print(
        "| events | build (events/s) | build, shuffled (events/s) | status_at(t).phase (us) "
        "| every value but deadlines (us) | with all deadlines (us) | naive replay (us) "
        "| phase vs replay | timeline memory (bytes/event) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n, build, shuffled, status, full, dl, replay, ratio, mem in rows:
        print(
            f"| {n:,} | {build:,.0f} | {shuffled:,.0f} | {status:.2f} | {full:.2f} | {dl:,.1f} | {replay:,.0f} | {ratio:,.0f}x faster | {mem:.0f} |"
        )
    print(
        f"\nEvent objects themselves (prepared before timing): about {event_bytes(make_events(2000)):.0f} bytes each."
    )


if __name__ == "__main__":
    main()
