"""Reliability, with real processes: concurrent writers and writers killed mid-append."""

from __future__ import annotations

import os
import pathlib
import random
import signal
import subprocess
import sys
import time

import pytest

from regtimeline import open_store
from regtimeline.examples import TWITTER_RUSSIA

ROOT = pathlib.Path(__file__).resolve().parent.parent
D = TWITTER_RUSSIA.id


def writer(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests._writer", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(params=["sqlite-file", "postgresql"])
def shared_url(request, tmp_path):
    """A store several processes can open."""
    if request.param == "sqlite-file":
        return f"sqlite:///{tmp_path}/shared.db"
    return request.getfixturevalue("postgres_database")


class TestConcurrentWriters:
    def test_four_processes_append_a_thousand_events(self, shared_url):
        """4 processes x 250 appends, retrying on ConcurrencyError: exactly 1,000 events,
        no duplicates, versions 1..1000 without a gap."""
        with open_store(shared_url) as store:
            store.create(TWITTER_RUSSIA)
        processes = [writer("appends", shared_url, D, f"p{k}", "250") for k in range(4)]
        outputs = [p.communicate(timeout=300) for p in processes]
        for p, (_out, err) in zip(processes, outputs, strict=True):
            assert p.returncode == 0, err
        retries = sum(int(out) for out, _ in outputs)
        print(f"writers retried {retries} times after a ConcurrencyError")
        with open_store(shared_url) as store:
            timeline = store.load(D)
            assert store.version(D) == 1000
        ids = [e.id for e in timeline.events]
        assert len(ids) == len(set(ids)) == 1000
        assert set(ids) == {f"p{k}-{i}" for k in range(4) for i in range(250)}
        if shared_url.startswith("sqlite:///"):
            import sqlite3

            with sqlite3.connect(shared_url.removeprefix("sqlite:///")) as db:
                versions = [v for (v,) in db.execute("SELECT version FROM events ORDER BY version")]
        else:
            import psycopg

            with psycopg.connect(shared_url) as db:
                versions = [v for (v,) in db.execute("SELECT version FROM events ORDER BY version")]
        assert versions == list(range(1, 1001))


class TestCreateRace:
    def test_eight_processes_create_one_dispute_each_round(self, shared_url):
        """#17: 8 processes create the same 20 dispute ids, each in its own zone: for each id
        exactly one creator succeeds, the others get ConcurrencyError, and the stored dispute
        is the winner's (PostgreSQL used to hand about half of them a dispute not theirs)."""
        zones = [
            "Europe/Moscow",
            "Asia/Kolkata",
            "America/Sao_Paulo",
            "Africa/Lagos",
            "Europe/Istanbul",
            "UTC",
            "Asia/Tokyo",
            "Europe/Brussels",
        ]
        with open_store(shared_url):  # the tables exist before the race
            pass
        processes = []
        for zone in zones:
            p = subprocess.Popen(
                [sys.executable, "-m", "tests._writer", "creates", shared_url, "race", zone, "20"],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            assert p.stdout.readline().strip() == "ready", p.stderr.read()
            processes.append(p)
        for p in processes:
            p.stdin.write("go\n")
            p.stdin.flush()
        winners: dict[int, list[str]] = {r: [] for r in range(20)}
        for zone, p in zip(zones, processes, strict=True):
            out, err = p.communicate(timeout=300)
            assert p.returncode == 0, err
            for line in out.split("\n"):
                if line:
                    r, outcome = line.split()
                    if outcome == "ok":
                        winners[int(r)].append(zone)
        with open_store(shared_url) as store:
            for r, won in winners.items():
                assert len(won) == 1, (r, won)
                stored = next(d for d in store.disputes() if d.id == f"race-{r}")
                assert stored.timezone == won[0]

    def test_creating_the_same_dispute_twice_is_fine(self, shared_url):
        with open_store(shared_url) as store:
            store.create(TWITTER_RUSSIA)
        with open_store(shared_url) as store:
            store.create(TWITTER_RUSSIA)
            assert store.disputes() == [TWITTER_RUSSIA]


class TestCrashes:
    def test_a_writer_killed_mid_batch_leaves_none_or_all(self, shared_url):
        """SIGKILL during a 1,000-event append: the store holds whole batches only, and opens
        cleanly afterwards."""
        with open_store(shared_url) as store:
            store.create(TWITTER_RUSSIA)
        rng = random.Random(7)
        for attempt in range(4):
            process = writer("batch", shared_url, D, f"w{attempt}", "1000")
            assert process.stdout is not None
            assert process.stdout.readline().strip() == "ready"
            time.sleep(rng.uniform(0.0, 0.25))
            os.kill(process.pid, signal.SIGKILL)
            process.communicate()
            with open_store(shared_url) as store:
                timeline = store.load(D)
                version = store.version(D)
            assert version % 1000 == 0, version
            assert len(timeline) == version
            batches = {e.id.rsplit("-", 1)[0] for e in timeline.events}
            for name in batches:
                assert sum(e.id.startswith(name + "-") for e in timeline.events) == 1000


class TestChangeFeed:
    def test_a_follower_misses_nothing_while_four_processes_append(self, shared_url):
        """#17: 4 processes append to 4 disputes while this process follows `changes()`:
        what the follower saw, page by page, is exactly the whole feed read at the end
        (positions only grow in commit order: a later position is never seen before an
        earlier one is committed)."""
        import attrs

        ids = [f"feed-{k}" for k in range(4)]
        with open_store(shared_url) as store:
            for d in ids:
                store.create(attrs.evolve(TWITTER_RUSSIA, id=d))
        processes = [writer("appends", shared_url, d, d, "150") for d in ids]
        seen = []
        with open_store(shared_url) as follower:
            deadline = time.monotonic() + 300
            while len(seen) < 600 and time.monotonic() < deadline:
                page = follower.changes(after=seen[-1].position if seen else 0, limit=50)
                seen += page
                if not page:
                    time.sleep(0.005)
            for p in processes:
                _out, err = p.communicate(timeout=300)
                assert p.returncode == 0, err
            final = follower.changes(limit=10_000)
        assert [c.position for c in seen] == [c.position for c in final]
        assert len(final) == 600
        assert [(c.dispute, c.event.id) for c in seen] == [(c.dispute, c.event.id) for c in final]
        for d in ids:
            assert [c.version for c in final if c.dispute == d] == list(range(1, 151))


def _eight_openers(url: str) -> list[BaseException]:
    """Eight threads open the store at `url` at the same moment; what each one raised."""
    import threading

    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def open_it() -> None:
        barrier.wait()
        try:
            with open_store(url) as store:
                store.disputes()
        except BaseException as exc:  # every failure is reported
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


class TestRacingMigrations:
    def test_many_rounds_of_eight_sqlite_openers(self, tmp_path):
        """Eight threads opening one new SQLite file at once, 300 times: SQLite refuses a
        switch to WAL without waiting while another connection makes the file (about one
        round in seventy failed, 'database is locked', before the switch was retried)."""
        errors = [e for n in range(300) for e in _eight_openers(f"sqlite:///{tmp_path}/{n}.db")]
        assert errors == []

    def test_eight_openers_of_a_new_store_at_once(self, shared_url):
        """#17: eight connections opening one empty store at the same moment each find it
        made once (PostgreSQL used to raise DuplicateTable from the loser's CREATE TABLE)."""
        assert _eight_openers(shared_url) == []
        with open_store(shared_url) as store:
            store.create(TWITTER_RUSSIA)
            assert store.version(D) == 0
