"""Bitemporal benchmark: status_at on the current record against as-of queries.

Run by hand: ``python benchmarks/bench_bitemporal.py``. The record is built in batches of
1,000 events, each batch with its own recorded time. ``status_at`` on the current record is
a binary search; ``as_of(k)`` for an earlier k replays the entries recorded by then, so it
grows with their number (linear). The baseline in the same run is building a timeline from
the same events in memory.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

import pendulum
from bench_core import DISPUTE, START, STEP, make_events

from regtimeline import Timeline


def median_us(fn, args) -> float:  # type: ignore[no-untyped-def]
    samples = []
    for a in args:
        t0 = time.perf_counter_ns()
        fn(a)
        samples.append(time.perf_counter_ns() - t0)
    return statistics.median(samples) / 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    rng = random.Random(4)
    print(
        "| events | build (s) | status_at now (us) | as_of(middle) (ms) | as_of per entry (us) | status_at(t, as_of=middle) (ms) |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        events = make_events(n)
        recorded = pendulum.datetime(2030, 1, 1)
        t0 = time.perf_counter()
        timeline = Timeline(DISPUTE)
        for i in range(0, n, 1000):
            timeline = timeline.append(
                *events[i : i + 1000], recorded_at=recorded.add(hours=i // 1000)
            )
        build = time.perf_counter() - t0
        queries = [START.add(seconds=rng.uniform(0, n * STEP)) for _ in range(2000)]
        now_us = median_us(lambda q, t=timeline: t.status_at(q).phase, queries)
        middle = recorded.add(hours=n // 2000)
        t0 = time.perf_counter()
        past = timeline.as_of(middle)
        as_of_s = time.perf_counter() - t0
        assert len(past) == n // 2 + 1000
        t0 = time.perf_counter()
        timeline.status_at(queries[0], as_of=middle)
        both_s = time.perf_counter() - t0
        print(
            f"| {n:,} | {build:.2f} | {now_us:.2f} | {as_of_s * 1000:,.1f} | {as_of_s / len(past) * 1e6:.2f} | {both_s * 1000:,.1f} |"
        )


if __name__ == "__main__":
    main()
