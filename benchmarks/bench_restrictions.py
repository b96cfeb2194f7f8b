"""Restrictions benchmark: status_at and phase_for with many restrictions active at once.

Run by hand: ``python benchmarks/bench_restrictions.py [--sizes 100000 1000000]``. The
workload keeps about `--active` restrictions in force at every instant (regional blocks and
throttles, each on a district of its own, some on one service; 1% with a recurring window),
one restriction imposed or lifted every 10 events, the rest takedowns and statements. The
baseline, measured in the same run, is `status_at(t).phase` on bench_core's workload (one
throttle or block at a time) at the same size. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import pathlib
import random
import statistics
import sys
import time
from collections import deque

import pendulum

from regtimeline import (
    BlockImposed,
    BlockLifted,
    Dispute,
    Event,
    Scope,
    Statement,
    TakedownRequested,
    ThrottleImposed,
    ThrottleLifted,
    Timeline,
    Window,
)

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from bench_core import DISPUTE as CORE_DISPUTE
from bench_core import make_events as core_events
from bench_core import median_us

DISPUTE = Dispute(
    id="bench-regions",
    regulator="Home Department",
    platform="internet",
    jurisdiction="IN",
    timezone="Asia/Kolkata",
)
START = pendulum.datetime(2021, 1, 1)
STEP = 60  # seconds between events
NIGHT = Window(start="22:00", end="06:00")


def make_events(n: int, active: int) -> list[Event]:
    """Every 10th event imposes a restriction on a district of its own (alternately a
    throttle on one service and a block), or lifts the oldest once `active` are in force."""
    events: list[Event] = []
    live: deque[tuple[str, bool]] = deque()
    made = 0
    for i in range(n):
        at = START.add(seconds=i * STEP)
        if i % 10 == 0:
            if len(live) >= active:
                rid, is_block = live.popleft()
                lift = (
                    BlockLifted(at=at, id=f"u{i}", block=rid)
                    if is_block
                    else ThrottleLifted(at=at, id=f"u{i}", throttle=rid)
                )
                events.append(lift)
                continue
            made += 1
            region = Scope(regions={f"district-{made}"})
            window = NIGHT if made % 100 == 0 else None
            if made % 2:
                rid = f"t{made}"
                scope = region & Scope(services={f"service-{made % 7}"})
                events.append(ThrottleImposed(at=at, id=rid, scope=scope, window=window))
            else:
                rid = f"b{made}"
                events.append(BlockImposed(at=at, id=rid, scope=region, window=window))
            live.append((rid, not made % 2))
        elif i % 3:
            events.append(TakedownRequested(at=at, id=f"r{i}", items=3, sla="PT24H"))
        else:
            events.append(Statement(at=at, id=f"s{i}", by="Home Department", text="order"))
    return events


def measure(n: int, active: int, queries_n: int, rng: random.Random) -> str:
    core = Timeline(CORE_DISPUTE, core_events(n))
    events = make_events(n, active)
    t0 = time.perf_counter()
    timeline = Timeline(DISPUTE, events)
    build = n / (time.perf_counter() - t0)
    queries = [START.add(seconds=rng.uniform(0, n * STEP)) for _ in range(queries_n)]
    regions = [f"district-{rng.randint(1, n // 10)}" for _ in queries]
    baseline = median_us(lambda q: core.status_at(q).phase, queries)
    phase = median_us(lambda q: timeline.status_at(q).phase, queries)
    pairs = list(zip(queries, regions, strict=True))
    slice_ = median_us(
        lambda p: timeline.status_at(p[0]).phase_for(network="mobile", region=p[1]), pairs
    )
    service = median_us(lambda q: timeline.status_at(q).phase_for(service="service-3"), queries)
    at_t = statistics.median(
        len(timeline.status_at(q).throttles) + len(timeline.status_at(q).blocks)
        for q in queries[:200]
    )
    return (
        f"| {n:,} | {at_t:.0f} | {build:,.0f} | {baseline:.2f} | {phase:.2f} "
        f"| {slice_:.2f} | {service:.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--active", type=int, default=100)
    parser.add_argument("--queries", type=int, default=5_000)
    args = parser.parse_args()
    rng = random.Random(2024)
    print(
        "| events | active at t | build (events/s) | baseline status_at(t).phase (us) "
        "| status_at(t).phase (us) | phase_for(network, region) (us) "
        "| phase_for(service) (us) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for n in args.sizes:
        print(measure(n, args.active, args.queries, rng))


if __name__ == "__main__":
    main()
