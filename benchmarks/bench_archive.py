"""Archive benchmark: many disputes queried together, against a naive loop over timelines.

Run by hand: ``python benchmarks/bench_archive.py [--disputes 10000] [--events 100]``
(needs the ``arrow`` extra). Prints a Markdown table; the baseline of each query is a loop
over every timeline's own `status_at`, measured in the same run; `write_parquet` is printed
next to its floor (`floor_write`), also measured in the same run. Figures are
machine-dependent; compare ratios within one run.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import tempfile
import time
from collections.abc import Callable

import pendulum

from regtimeline import (
    Archive,
    BlockImposed,
    BlockLifted,
    DeadlineMet,
    DeadlineSet,
    Dispute,
    Event,
    Phase,
    Scope,
    Statement,
    TakedownRequested,
    ThrottleImposed,
    ThrottleLifted,
    Timeline,
)

ZONES = ("Europe/Moscow", "Asia/Kolkata", "America/Sao_Paulo", "Africa/Lagos", "Europe/Istanbul")
COUNTRIES = ("RU", "IN", "BR", "NG", "TR")
PLATFORMS = ("Twitter", "WhatsApp", "Telegram", "YouTube", "TikTok", "internet")
FIRST = pendulum.datetime(2016, 1, 1)


def make_timeline(i: int, n: int, rng: random.Random, open_ended: float = 1.0) -> Timeline:
    """A dispute of `n` events over a few years: restrictions imposed and lifted (some on
    mobile only), deadlines set and met, takedown requests and statements.

    A restriction still active after the last event stays so with probability
    `open_ended`; otherwise the last event lifts it (most real shutdowns end).
    """
    k = i % len(ZONES)
    dispute = Dispute(
        id=f"d{i:06d}",
        regulator=f"regulator-{k}",
        platform=PLATFORMS[i % len(PLATFORMS)],
        jurisdiction=COUNTRIES[k],
        timezone=ZONES[k],
    )
    at = FIRST.add(days=rng.randrange(0, 6 * 365))
    events: list[Event] = []
    throttled = blocked = open_deadline = None
    for j in range(n):
        at = at.add(hours=rng.randrange(1, 72))
        roll = rng.random()
        if blocked is not None and roll < 0.06:
            events.append(BlockLifted(at=at, id=f"bl{j}", block=blocked))
            blocked = None
        elif blocked is None and throttled is None and roll < 0.08:
            blocked = f"b{j}"
            events.append(BlockImposed(at=at, id=blocked))
        elif throttled is not None and roll < 0.16:
            events.append(ThrottleLifted(at=at, id=f"tl{j}", throttle=throttled))
            throttled = None
        elif throttled is None and blocked is None and roll < 0.2:
            throttled = f"t{j}"
            networks = {"mobile"} if rng.random() < 0.5 else None
            events.append(ThrottleImposed(at=at, id=throttled, scope=Scope(networks=networks)))
        elif open_deadline is None and roll < 0.3:
            open_deadline = f"d{j}"
            events.append(DeadlineSet(at=at, id=open_deadline, due=at.add(days=30), demand="x"))
        elif open_deadline is not None and roll < 0.35:
            events.append(DeadlineMet(at=at, id=f"m{j}", deadline=open_deadline))
            open_deadline = None
        elif roll < 0.7:
            events.append(TakedownRequested(at=at, id=f"r{j}", items=3, sla="PT24H"))
        else:
            events.append(Statement(at=at, id=f"s{j}", by="regulator", text="statement"))
    if rng.random() >= open_ended and (blocked or throttled):
        at = at.add(hours=1)  # one more event lifts what is still active
        events.append(
            BlockLifted(at=at, id="last-lift", block=blocked)
            if blocked
            else ThrottleLifted(at=at, id="last-lift", throttle=throttled)
        )
    return Timeline(dispute, events)


def median_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--disputes", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--queries", type=int, default=21)
    parser.add_argument(
        "--open-ended",
        type=float,
        default=0.1,
        help="the share of disputes whose last restriction is never lifted",
    )
    args = parser.parse_args()
    rng = random.Random(2021)
    start = time.perf_counter()
    timelines = [make_timeline(i, args.events, rng, args.open_ended) for i in range(args.disputes)]
    archive = Archive(timelines)
    built = time.perf_counter() - start
    total = sum(len(t) for t in archive)
    print(
        f"{args.disputes:,} disputes x {args.events} events = {total:,} events; "
        f"{args.open_ended:.0%} of last restrictions never lifted"
    )
    print(f"built in {built:.1f} s\n")
    instants = [FIRST.add(days=rng.randrange(365, 7 * 365)) for _ in range(args.queries)]
    days = [d.date().isoformat() for d in instants]

    def naive_restricted(when: object) -> list[str]:
        return [t.dispute.id for t in archive if t.status_at(when).phase >= Phase.DELISTED]

    archive.table("disputes")  # (imports pyarrow)
    gc.collect()
    start = time.perf_counter()
    periods = archive.table("periods")  # the first time anything asks for the periods
    cold = time.perf_counter() - start

    rows: list[tuple[str, float, float]] = []
    start = time.perf_counter()
    archive.restricted(instants[0])  # builds the index
    index_s = time.perf_counter() - start
    for what, whens in (("an instant", instants), ("a day (each zone)", days)):
        ours = statistics.median(median_of(lambda w=w: archive.restricted(w), 3) for w in whens)
        base = statistics.median(median_of(lambda w=w: naive_restricted(w), 1) for w in whens[:5])
        rows.append((f"`restricted(D)`, D {what}", ours, base))
        assert [r.dispute.id for r in archive.restricted(whens[1])] == naive_restricted(whens[1])
    hits = statistics.mean(len(archive.restricted(w)) for w in instants)
    ours = median_of(lambda: archive.restricted(instants[-1], network="mobile"), 5)
    base = median_of(
        lambda: [t for t in archive if t.status_at(instants[-1]).phase_for("mobile") >= 2], 1
    )
    rows.append(("`restricted(D, network='mobile')`", ours, base))
    ours = median_of(lambda: archive.status_at(instants[-1]), 5)
    base = median_of(lambda: [t.status_at(instants[-1]).phase for t in archive], 3)
    rows.append(("`status_at(D)`, every dispute", ours, base))

    print(f"index of restricted periods built in {index_s * 1000:.0f} ms")
    print(f"{hits:,.0f} disputes restricted at the average instant\n")
    print("| query | regtimeline | naive loop | ratio |")
    print("|---|---:|---:|---:|")
    for name, ours, base in rows:
        print(f"| {name} | {ours * 1000:.2f} ms | {base * 1000:.1f} ms | {base / ours:.0f}x |")

    gc.collect()
    start = time.perf_counter()
    again = archive.table("periods")
    took = time.perf_counter() - start
    assert again == periods
    print(
        f"\n`periods` table: {periods.num_rows:,} rows in {cold:.2f} s the first time "
        f"({periods.num_rows / cold:,.0f} rows/s: each dispute's periods are found), "
        f"{took:.2f} s again ({periods.num_rows / took:,.0f} rows/s: the periods kept)"
    )
    with tempfile.TemporaryDirectory() as directory:
        gc.collect()
        start = time.perf_counter()
        archive.write_parquet(directory)
        took = time.perf_counter() - start
        gc.collect()
        start = time.perf_counter()
        floor_write(archive, f"{directory}/floor.parquet")
        floor = time.perf_counter() - start
    print(f"`write_parquet` (all six tables): {took:.2f} s: {total / took:,.0f} events/s")
    print(
        f"floor: five fields of every event into one Parquet file: {floor:.2f} s: "
        f"{total / floor:,.0f} events/s"
    )


def floor_write(archive: Archive, path: str) -> None:
    """The floor of writing an archive: the cheapest events table there is.

    Five fields of each event (its id, kind, time as float seconds, source and note), read
    in one pass with nothing encoded or checked, made into an Arrow table and written to
    one Parquet file. Not an archive's record (most of each event is left out) and none of
    the five derived tables: what any writer of the events pays before it does its work.
    """
    import pyarrow as pa  # noqa: PLC0415 - the arrow extra, as write_parquet needs
    import pyarrow.parquet as pq  # noqa: PLC0415

    rows = [
        (e.id, e.kind, e.at.timestamp(), e.source, e.note)  # type: ignore[union-attr]
        for t in archive
        for e in t.events  # (every event here is at an instant)
    ]
    ids, kinds, ats, sources, notes = zip(*rows, strict=True)
    s = pa.string()
    columns = {
        "event_id": pa.array(ids, s),
        "type": pa.array(kinds, s),
        "at": pa.array(ats, pa.float64()),
        "source": pa.array(sources, s),
        "note": pa.array(notes, s),
    }
    pq.write_table(pa.table(columns), path)


if __name__ == "__main__":
    main()
