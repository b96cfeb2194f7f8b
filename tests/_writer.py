"""A writer process for the reliability tests: ``python -m tests._writer MODE URL DISPUTE ...``.

- ``appends URL DISPUTE NAME COUNT``: COUNT single-event appends, each retried on
  ConcurrencyError with a fresh expected_version; prints how many retries it needed.
- ``batch URL DISPUTE NAME COUNT``: prints "ready", then appends COUNT events in one call,
  forever (the test kills it with SIGKILL somewhere in the middle).
"""

from __future__ import annotations

import sys

import pendulum

from regtimeline import ConcurrencyError, Dispute, Statement, open_store


def appends(url: str, dispute: str, name: str, count: int) -> None:
    retries = 0
    start = pendulum.datetime(2021, 1, 1)
    with open_store(url) as store:
        for i in range(count):
            event = Statement(at=start.add(minutes=i), id=f"{name}-{i}", by=name, text=str(i))
            while True:
                try:
                    store.append(dispute, [event], expected_version=store.version(dispute))
                    break
                except ConcurrencyError:
                    retries += 1
    print(retries, flush=True)


def batch(url: str, dispute: str, name: str, count: int) -> None:
    start = pendulum.datetime(2022, 1, 1)
    with open_store(url) as store:
        round_ = 0
        while True:
            events = [
                Statement(
                    at=start.add(seconds=i), id=f"{name}-{round_}-{i}", by=name, text="x" * 100
                )
                for i in range(count)
            ]
            print("ready", flush=True)
            store.append(dispute, events)
            round_ += 1


def creates(url: str, dispute: str, name: str, count: int) -> None:
    """Create COUNT disputes DISPUTE-0, DISPUTE-1, ... in the zone NAME, once stdin says go;
    print for each whether it was created (or found equal) or refused."""
    with open_store(url) as store:
        print("ready", flush=True)
        sys.stdin.readline()
        for r in range(count):
            d = Dispute(
                id=f"{dispute}-{r}", regulator="R", platform="P", jurisdiction="RU", timezone=name
            )
            try:
                store.create(d)
                print(r, "ok", flush=True)
            except ConcurrencyError:
                print(r, "refused", flush=True)


if __name__ == "__main__":
    mode, url, dispute, name, count = sys.argv[1:6]
    {"appends": appends, "batch": batch, "creates": creates}[mode](url, dispute, name, int(count))
