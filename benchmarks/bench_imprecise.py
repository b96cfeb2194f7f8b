"""Imprecise times: what they cost `status_at`, and what asking `certain` costs.

Run by hand: ``python benchmarks/bench_imprecise.py [--before PATH] [--sizes 100000 1000000]``.

1. With ``--before PATH`` (a checkout of an earlier version, e.g. ``git worktree add``),
   `status_at(t).phase` on the same precise workload (bench_core's events), measured in
   fresh processes alternating between that tree and this one, three rounds each: the
   medians side by side.
2. On a workload of one event a day (restrictions, deadlines and statements), precise, then
   with 10% of the events' times imprecise (``"2021-04-16~"``, earliest day unchanged): the
   median of `status_at(t).phase`, and of `status_at(t).certain` on the imprecise one.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import random
import statistics
import subprocess
import sys
import textwrap

import pendulum
from bench_core import median_us

from regtimeline import (
    BlockImposed,
    BlockLifted,
    DeadlineMet,
    DeadlineSet,
    Dispute,
    Event,
    Statement,
    ThrottleImposed,
    ThrottleLifted,
    Timeline,
)

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
DISPUTE = Dispute(
    id="bench-imprecise",
    regulator="MeitY",
    platform="TikTok",
    jurisdiction="IN",
    timezone="Asia/Kolkata",
)
START = pendulum.Date(2021, 1, 1)

#: Measured in a fresh process on a given source tree: status_at(t).phase, precise workload.
_CHILD = textwrap.dedent(
    """
    import json, random, sys
    sys.path.insert(0, sys.argv[1])
    sys.path.insert(0, sys.argv[2])
    import bench_core
    from regtimeline import Timeline
    n = int(sys.argv[3])
    rng = random.Random(7)
    t = Timeline(bench_core.DISPUTE, bench_core.make_events(n))
    top = n * bench_core.STEP
    queries = [bench_core.START.add(seconds=rng.uniform(0, top)) for _ in range(20000)]
    for q in queries[:2000]:
        t.status_at(q).phase
    print(json.dumps(bench_core.median_us(lambda q: t.status_at(q).phase, queries)))
    """
)


def before_and_after(before: pathlib.Path, n: int, rounds: int = 3) -> tuple[float, float]:
    """Medians of `status_at(t).phase` (us) on `before` and on this tree, alternating."""
    results: dict[pathlib.Path, list[float]] = {before: [], ROOT: []}
    for _ in range(rounds):
        for tree in (before, ROOT):
            out = subprocess.run(  # noqa: S603 - our own interpreter and code
                [sys.executable, "-c", _CHILD, str(tree), str(HERE), str(n)],
                check=True,
                capture_output=True,
                text=True,
            )
            results[tree].append(json.loads(out.stdout))
    return statistics.median(results[before]), statistics.median(results[ROOT])


def day_events(n: int, share: float, rng: random.Random) -> list[Event]:
    """One event a day; a `share` of the statements' times written "around" their day."""
    events: list[Event] = []
    for i in range(n):
        day = START.add(days=i)
        phase = i % 20
        at: object = day
        if phase == 0:
            events.append(DeadlineSet(at=day, id=f"d{i}", due=day.add(days=7), demand="x"))
        elif phase == 5:
            events.append(DeadlineMet(at=day, id=f"m{i}", deadline=f"d{i - 5}"))
        elif phase == 8:
            events.append(ThrottleImposed(at=day, id=f"t{i}"))
        elif phase == 12:
            events.append(ThrottleLifted(at=day, id=f"l{i}", throttle=f"t{i - 4}"))
        elif phase == 14:
            events.append(BlockImposed(at=day, id=f"b{i}", ends=day.add(days=2)))
        elif phase == 18 and i % 100 == 18:
            events.append(BlockImposed(at=day, id=f"k{i}"))
        elif phase == 19 and i % 100 == 19:
            events.append(BlockLifted(at=day, id=f"u{i}", block=f"k{i - 1}"))
        else:
            if rng.random() < share * 20 / 13:  # of all events, `share` are these
                at = f"{day.add(days=3).isoformat()}~"  # earliest day: `day`, as before
            events.append(Statement(at=at, id=f"s{i}", by="MeitY", text="statement"))
    return events


def imprecise_rows(n: int, rng: random.Random) -> list[str]:
    queries = [
        pendulum.datetime(2021, 1, 1, tz=DISPUTE.timezone).add(seconds=rng.uniform(0, n * 86_400))
        for _ in range(20_000)
    ]
    rows = []
    for label, share in (("precise", 0.0), ("10% imprecise", 0.10)):
        events = day_events(n, share, random.Random(11))
        imprecise = sum(hasattr(e.at, "text") for e in events)
        t = Timeline(DISPUTE, events)
        for q in queries[:2000]:
            _ = t.status_at(q).phase
        phase = median_us(lambda q, t=t: t.status_at(q).phase, queries)
        certain = median_us(lambda q, t=t: t.status_at(q).certain, queries)
        rows.append(f"| {n:,} | {label} ({imprecise:,} events) | {phase:.2f} | {certain:.2f} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", type=pathlib.Path)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args()
    if args.before is not None:
        print("| events | status_at(t).phase before (us) | after (us) |")
        print("|---:|---:|---:|")
        for n in args.sizes:
            old, new = before_and_after(args.before, n)
            print(f"| {n:,} | {old:.2f} | {new:.2f} |")
        print()
    rng = random.Random(2021)
    print("| events | times | status_at(t).phase (us) | status_at(t).certain (us) |")
    print("|---:|---|---:|---:|")
    for n in args.sizes:
        for row in imprecise_rows(min(n, 2_500_000), rng):
            print(row)


if __name__ == "__main__":
    main()
