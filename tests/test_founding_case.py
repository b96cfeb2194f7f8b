"""The founding case, Roskomnadzor vs Twitter 2021-2022: the first acceptance test."""

from __future__ import annotations

from decimal import Decimal

import pytest

from regtimeline import DeadlineState, Phase, Scope
from regtimeline.examples import twitter_russia, twitter_russia_events

PHOTOS_VIDEOS = frozenset({"photos", "videos"})


@pytest.fixture(scope="module")
def case():
    return twitter_russia()


class TestFoundingCase:
    def test_every_event_cites_a_public_source(self, case):
        """Each fact rests on public reporting."""
        assert all(e.source and e.source.startswith("https://") for e in case.events)
        assert len(case) == len(twitter_russia_events())

    def test_before_the_slowdown(self, case):
        """1 March 2021: nothing yet."""
        s = case.status_at("2021-03-01")
        assert (s.phase, s.throttles, tuple(s.deadlines)) == (Phase.CLEAR, (), ())

    def test_slowed_down_from_10_march(self, case):
        """12 March: photos and videos slowed on every network."""
        s = case.status_at("2021-03-12")
        assert s.phase is Phase.THROTTLED
        (t,) = s.throttles
        assert (t.id, t.since.isoformat(), t.scope) == (
            "slowdown",
            "2021-03-10T00:00:00+03:00",
            Scope(services=PHOTOS_VIDEOS),
        )
        assert s.items_requested == 3168

    def test_deadline_extended_once_to_15_may(self, case):
        """10 April: the mid-April deadline was moved by a month, to 15 May; still pending."""
        d = case.status_at("2021-04-10").deadlines.get("block-threat")
        assert d.state is DeadlineState.PENDING
        assert d.original_due.isoformat() == "2021-04-15T23:59:59.999999+03:00"
        assert d.due.isoformat() == "2021-05-15T23:59:59.999999+03:00"
        assert [x.id for x in d.extensions] == ["extension-2021-04-05"]
        s = case.status_at("2021-04-10")
        assert (s.items_removed, s.fines["RUB"], s.phase) == (
            1900,
            Decimal(8900000),
            Phase.THROTTLED,
        )

    def test_overdue_on_16_may(self, case):
        """16 May: the deadline passed unmet; the slowdown goes on everywhere."""
        s = case.status_at("2021-05-16")
        assert s.deadlines.get("block-threat").state is DeadlineState.OVERDUE
        assert [t.scope for t in s.throttles] == [Scope(services=PHOTOS_VIDEOS)]

    def test_fixed_networks_restored_on_17_may(self, case):
        """20 May: the slowdown remains on mobile networks only."""
        s = case.status_at("2021-05-20")
        assert s.phase is Phase.THROTTLED
        (t,) = s.throttles
        assert t.scope == Scope(networks={"mobile"}, services=PHOTOS_VIDEOS)
        assert t.since.isoformat() == "2021-03-10T00:00:00+03:00"

    def test_blocked_in_march_2022(self, case):
        """10 March 2022: blocked; the block superseded the slowdown."""
        s = case.status_at("2022-03-10")
        assert (s.phase, s.block.id, s.throttles) == (Phase.BLOCKED, "block-2022", ())

    def test_history(self, case):
        """Two periods: throttled from 10 March 2021, blocked from 4 March 2022."""
        assert [(p.start.date().isoformat(), p.phase) for p in case.history()] == [
            ("2021-03-10", Phase.THROTTLED),
            ("2022-03-04", Phase.BLOCKED),
        ]
