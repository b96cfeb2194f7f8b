"""How fast the public strategies generate: 200 timelines of up to 50 events.

Run by hand: ``python benchmarks/bench_strategies.py``. Prints a Markdown table. The
baseline in the same run is building the same timelines from their finished event lists,
so the ratio says what drawing (choices, the state queried at each step) costs on top.
"""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regtimeline import Timeline
from regtimeline.strategies import events, timelines


def generate(strategy: st.SearchStrategy[object], n: int) -> tuple[float, list[object]]:
    drawn: list[object] = []

    @settings(
        max_examples=n,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=["generate"],
    )
    @given(strategy)
    def collect(value: object) -> None:
        drawn.append(value)

    t0 = time.perf_counter()
    collect()
    return time.perf_counter() - t0, drawn


def main() -> None:
    rows = []
    for max_size in (10, 50):
        seconds, drawn = generate(timelines(max_size=max_size), 200)
        total = sum(len(t) for t in drawn)  # type: ignore[arg-type]
        t0 = time.perf_counter()
        for t in drawn:
            Timeline(t.dispute, t.events)  # type: ignore[attr-defined]
        rebuild = time.perf_counter() - t0
        rows.append((f"timelines(max_size={max_size})", len(drawn), total, seconds, rebuild))
    seconds, drawn = generate(events(), 1000)
    rows.append(("events()", len(drawn), len(drawn), seconds, float("nan")))
    print(
        "| strategy | examples | events | generation (s) | rebuilding them (s) | generation / rebuild |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for name, count, total, secs, rebuild in rows:
        print(
            f"| {name} | {count} | {total} | {secs:.2f} | {rebuild:.3f} | {secs / rebuild:,.0f}x |"
        )


if __name__ == "__main__":
    main()
