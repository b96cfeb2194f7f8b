"""v2 deadlines: open demands, compliance after enforcement, escalation (DESIGN.md rows)."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import pendulum
import pytest

from regtimeline import (
    BlockImposed,
    ContentRemoved,
    DeadlineExtended,
    DeadlineMet,
    DeadlineSet,
    DeadlineState,
    DeadlineWithdrawn,
    Dispute,
    FineCancelled,
    FineImposed,
    FinePaid,
    InvalidTransition,
    InvalidValue,
    Phase,
    RequestState,
    TakedownRequested,
    ThrottleImposed,
    Timeline,
    UnknownReference,
)
from regtimeline.examples import brazil_x, nigeria_twitter

from . import reference as ref
from .helpers import refusal, timeline

DEMAND = DeadlineSet(at="2021-06-05", id="conditions", demand="register locally")


class TestOpenDemands:
    def test_an_open_demand_is_pending_for_ever(self):
        """No due date: PENDING (and WARNED) however late, with no due and no original due."""
        s = timeline(DEMAND).status_at("2030-01-01")
        d = s.deadlines.get("conditions")
        assert (d.state, d.due, d.original_due, s.phase) == (
            DeadlineState.PENDING,
            None,
            None,
            Phase.WARNED,
        )

    def test_an_extension_by_a_duration_counts_from_its_own_time(self):
        """`by` on an open demand counts from the extension's `at`; previous_due is None and
        original_due stays None."""
        t = timeline(
            DEMAND, DeadlineExtended(at="2021-07-01", id="x", deadline="conditions", by="P1M")
        )
        d = t.status_at("2021-07-02").deadlines.get("conditions")
        assert d.due.isoformat() == "2021-08-01T00:00:00+03:00"
        assert (d.original_due, d.extensions[0].previous_due) == (None, None)
        assert t.status_at("2021-08-02").deadlines.get("conditions").state is DeadlineState.OVERDUE

    def test_a_first_due_date_must_follow_the_extension(self):
        """Giving an open demand a due date before the extension's own time is refused."""
        message = refusal(
            InvalidTransition,
            timeline(DEMAND),
            DeadlineExtended(at="2021-07-01", id="x", deadline="conditions", due="2021-06-30"),
        )
        assert "open demand with no due date" in message


class TestAfterEnforcement:
    THREAT = DeadlineSet(at="2021-03-16", id="d", due="2021-04-15", consequence="block")

    def test_met_after_the_block_that_enforced_it(self):
        """DeadlineMet on an ENFORCED deadline: MET, and enforced_by is kept."""
        t = timeline(
            self.THREAT,
            BlockImposed(at="2021-04-16", id="b", enforces="d"),
            DeadlineMet(at="2021-05-01", id="m", deadline="d"),
        )
        d = t.status_at("2021-05-02").deadlines.get("d")
        assert (d.state, d.closed_by, d.enforced_by) == (DeadlineState.MET, "m", ("b",))

    def test_escalation_keeps_every_enforcing_event(self):
        """A throttle, then a block, enforce the same deadline; both are listed."""
        t = timeline(
            self.THREAT,
            ThrottleImposed(at="2021-04-16", id="t", enforces="d"),
            BlockImposed(at="2021-04-20", id="b", enforces="d"),
        )
        d = t.status_at("2021-04-21").deadlines.get("d")
        assert (d.state, d.closed_by, d.enforced_by) == (DeadlineState.ENFORCED, "b", ("t", "b"))

    @pytest.mark.parametrize("closer", [DeadlineMet, DeadlineWithdrawn])
    def test_met_or_withdrawn_is_final(self, closer):
        """Once MET or WITHDRAWN, closing or enforcing it again is refused, saying so."""
        t = timeline(self.THREAT, closer(at="2021-04-01", id="c", deadline="d"))
        message = refusal(
            InvalidTransition, t, DeadlineMet(at="2021-04-02", id="again", deadline="d")
        )
        assert "deadline_met acts only on a deadline that is PENDING, OVERDUE, ENFORCED" in message
        refusal(InvalidTransition, t, BlockImposed(at="2021-04-16", id="b", enforces="d"))

    def test_an_enforced_deadline_cannot_be_extended(self):
        """Extensions act on open deadlines only."""
        t = timeline(self.THREAT, BlockImposed(at="2021-04-16", id="b", enforces="d"))
        message = refusal(
            InvalidTransition, t, DeadlineExtended(at="2021-04-17", id="x", deadline="d", by="P1M")
        )
        assert "ENFORCED" in message


class TestRealCases:
    def test_nigeria_conditions_with_no_date(self):
        """Nigeria 2021-22: blocked; an open demand PENDING for months; met, then lifted."""
        t = nigeria_twitter()
        assert t.status_at("2021-06-04").phase is Phase.CLEAR
        s = t.status_at("2022-01-11")
        assert s.phase is Phase.BLOCKED
        assert s.deadlines.get("five-conditions").state is DeadlineState.PENDING
        assert t.status_at("2022-01-12").deadlines.get("five-conditions").state is (
            DeadlineState.MET
        )
        assert t.status_at("2022-01-13").phase is Phase.CLEAR
        assert all(e.source and e.source.startswith("https://") for e in t)

    def test_brazil_x_complied_after_the_suspension(self):
        """Brazil 2024: the deadline ENFORCED by the suspension, then MET on 8 October."""
        t = brazil_x()
        assert t.status_at("2024-09-30").deadlines.get("legal-representative").state is (
            DeadlineState.ENFORCED
        )
        d = t.status_at("2024-10-08").deadlines.get("legal-representative")
        assert (d.state, d.enforced_by) == (DeadlineState.MET, ("suspension",))


class TestTakedowns:
    def log(self, *removals):
        """A platform team's log: one request of 4 items with a 24-hour SLA, and removals."""
        return timeline(
            TakedownRequested(at="2021-03-10T10:00:00+03:00", id="r", items=4, sla="PT24H"),
            *removals,
        )

    def test_removed_exactly_at_the_due_instant_is_within_the_sla(self):
        """The due instant is inclusive: a removal at it is within, a microsecond later not."""
        t = self.log(
            ContentRemoved(at="2021-03-11T10:00:00+03:00", id="a", items=1, request="r"),
            ContentRemoved(at="2021-03-11T10:00:00.000001+03:00", id="b", items=1, request="r"),
        )
        tk = t.status_at("2021-03-12").takedowns
        assert tk.within_sla == 0.5
        assert tk.get("r").due.isoformat() == "2021-03-11T10:00:00+03:00"

    def test_states_and_counts_through_time(self):
        """PENDING up to the due instant, OVERDUE after it while items are left, DONE after."""
        t = self.log(
            ContentRemoved(at="2021-03-10T12:00:00+03:00", id="a", items=3, request="r"),
            ContentRemoved(at="2021-03-13T10:00:00+03:00", id="b", items=1, request="r"),
            ContentRemoved(at="2021-03-13T11:00:00+03:00", id="c", items=5),  # no request
        )
        at_due = t.status_at("2021-03-11T10:00:00+03:00").takedowns
        assert (at_due.get("r").state, at_due.overdue) == (RequestState.PENDING, 0)
        after = t.status_at("2021-03-11T10:00:00.000001+03:00").takedowns
        assert (after.get("r").state, after.overdue, after.outstanding) == (
            RequestState.OVERDUE,
            1,
            1,
        )
        end = t.status_at("2021-03-14").takedowns
        assert (end.get("r").state, end.requests, end.requested, end.removed) == (
            RequestState.DONE,
            1,
            4,
            9,
        )
        assert end.latency_max == timedelta(days=3)
        assert end.latency_median == timedelta(hours=2)  # 2h, 2h, 2h, 72h: the middle two
        assert end.latency_mean == timedelta(hours=(3 * 2 + 72) / 4)

    def test_removing_more_than_is_outstanding_is_refused(self):
        """A removal under a request takes at most what it still has."""
        t = self.log(ContentRemoved(at="2021-03-10T12:00:00+03:00", id="a", items=3, request="r"))
        message = refusal(
            InvalidTransition,
            t,
            ContentRemoved(at="2021-03-10T13:00:00+03:00", id="b", items=2, request="r"),
        )
        assert "request 'r' has 1 of its 4 items outstanding" in message

    def test_without_an_sla_never_overdue_and_nothing_to_measure(self):
        """No SLA: never OVERDUE, due None; with nothing removed, the figures are None."""
        t = timeline(TakedownRequested(at="2021-03-10", id="r", items=2))
        tk = t.status_at("2030-01-01").takedowns
        assert (tk.get("r").state, tk.get("r").due, tk.overdue) == (RequestState.PENDING, None, 0)
        assert (tk.latency_mean, tk.latency_median, tk.latency_max, tk.within_sla) == (
            None,
            None,
            None,
            None,
        )
        with pytest.raises(UnknownReference):
            tk.get("nope")

    def test_a_platform_teams_81_hours(self):
        """The founding case's kind of figure, computed from a team's own log: removals at 9,
        81 and 153 hours average 81 hours, against a 24-hour SLA met by one item in three."""
        t = timeline(
            TakedownRequested(at="2021-03-10T00:00:00+03:00", id="r", items=3, sla="PT24H"),
            ContentRemoved(at="2021-03-10T09:00:00+03:00", id="a", items=1, request="r"),
            ContentRemoved(at="2021-03-13T09:00:00+03:00", id="b", items=1, request="r"),
            ContentRemoved(at="2021-03-16T09:00:00+03:00", id="c", items=1, request="r"),
        )
        tk = t.status_at("2021-03-17").takedowns
        assert tk.latency_mean == timedelta(hours=81)
        assert tk.within_sla == 1 / 3


class TestLargeLogs:
    @pytest.mark.parametrize("seed", range(4))
    def test_indexed_figures_agree_with_the_reference(self, seed):
        """Past 512 requests and removals the figures come from an index: still equal to the
        reference's, at instants before, inside and after the history."""
        rnd = random.Random(seed)
        events = []
        clock = pendulum.datetime(2021, 3, 1, tz="Europe/Moscow")
        open_requests: dict[str, int] = {}
        for n in range(700):
            clock = clock.add(minutes=rnd.choice((0, 7, 90, 600)))
            if open_requests and rnd.random() < 0.5:
                rid = rnd.choice(sorted(open_requests))
                items = rnd.randint(0, open_requests[rid])
                open_requests[rid] -= items
                if not open_requests[rid]:
                    del open_requests[rid]
                events.append(ContentRemoved(at=clock, id=f"c{n}", items=items, request=rid))
            else:
                items = rnd.randint(0, 4)
                sla = rnd.choice((None, "PT24H", "PT1H", "P1D"))
                events.append(TakedownRequested(at=clock, id=f"r{n}", items=items, sla=sla))
                if items:
                    open_requests[f"r{n}"] = items
        t = timeline(*events)
        late = t.status_at(clock.add(days=2)).takedowns
        dues = [r.due for r in late if r.due is not None][-40::8]  # the boundaries, too
        edges = [d.add(microseconds=k) for d in dues for k in (0, 1)]
        for when in (events[300].at, events[-1].at, clock.add(days=2), *edges):
            got = ref.actual_takedowns(t.status_at(when))
            state = ref.replay(t.dispute, list(t.events), ref.plain(when))
            assert got == ref.expected_takedowns(state, ref.plain(when))


class TestFines:
    def test_a_monthly_fine_from_31_january(self):
        """Each accrual is computed from `at`: 28 February, 31 March, 30 April."""
        t = timeline(
            FineImposed(at="2021-01-31", id="f", amount="100", currency="RUB", by="c", per="P1M")
        )
        owed = [
            t.status_at(day).fines["RUB"]
            for day in ("2021-02-27", "2021-02-28", "2021-03-30", "2021-03-31", "2021-04-30")
        ]
        assert owed == [Decimal(100), Decimal(200), Decimal(200), Decimal(300), Decimal(400)]

    def test_a_daily_fine_across_a_dst_change(self):
        """P1D is the same wall-clock time each day, across Sao Paulo's 2018 change; PT24H
        is exactly 24 hours."""
        d = Dispute(
            id="br", regulator="STF", platform="X", jurisdiction="BR", timezone="America/Sao_Paulo"
        )
        calendar = FineImposed(
            at="2018-11-03T12:00:00-03:00", id="c", amount="1", currency="BRL", by="s", per="P1D"
        )
        exact = FineImposed(
            at="2018-11-03T12:00:00-03:00", id="e", amount="1", currency="USD", by="s", per="PT24H"
        )
        t = Timeline(d, [calendar, exact])
        noon = t.status_at("2018-11-04T12:00:00-02:00")  # 14:00 UTC: a day by the clock
        assert (noon.fines["BRL"], noon.fines["USD"]) == (Decimal(2), Decimal(1))
        later = t.status_at("2018-11-04T13:00:00-02:00")  # 24 hours after the first
        assert later.fines["USD"] == Decimal(2)

    def test_until_and_a_met_deadline_stop_it(self):
        """`until` is inclusive (a bare date: its end); a deadline MET stops it there."""
        t = timeline(
            DeadlineSet(at="2021-01-01", id="d", due="2021-01-10"),
            FineImposed(
                at="2021-01-01",
                id="u",
                amount="1",
                currency="RUB",
                by="c",
                per="P1D",
                until="2021-01-03",
            ),
            FineImposed(
                at="2021-01-01", id="v", amount="1", currency="EUR", by="c", per="P1D", deadline="d"
            ),
            DeadlineMet(at="2021-01-05T12:00:00+03:00", id="m", deadline="d"),
        )
        s = t.status_at("2021-02-01")
        assert (s.fines["RUB"], s.fines["EUR"]) == (Decimal(3), Decimal(5))

    def test_enforcement_does_not_stop_it(self):
        """A block enforcing the deadline leaves the fine running (X in Brazil)."""
        t = timeline(
            DeadlineSet(at="2021-01-01", id="d", due="2021-01-02"),
            FineImposed(
                at="2021-01-01", id="v", amount="1", currency="EUR", by="c", per="P1D", deadline="d"
            ),
            BlockImposed(at="2021-01-03", id="b", enforces="d"),
        )
        assert t.status_at("2021-01-10").fines["EUR"] == Decimal(10)

    def test_payments_and_cancellation(self):
        """Paid reduces owed; a cancelled fine leaves fines and owed, payments stay paid."""
        t = timeline(
            FineImposed(at="2021-01-01", id="f", amount="500", currency="RUB", by="c"),
            FinePaid(at="2021-01-05", id="p", fine="f", amount="200", currency="RUB"),
        )
        s = t.status_at("2021-01-06")
        assert (s.fines["RUB"], s.fines_owed["RUB"], s.fines_paid["RUB"]) == (
            Decimal(500),
            Decimal(300),
            Decimal(200),
        )
        c = t.append(FineCancelled(at="2021-02-01", id="x", fine="f", by="appeal court"))
        s = c.status_at("2021-02-02")
        assert (dict(s.fines), dict(s.fines_owed), s.fines_paid["RUB"]) == ({}, {}, Decimal(200))
        assert s.fine_states[0].cancelled

    def test_refusals(self):
        """Unknown fine; another currency; more than owed; cancelled twice; a deadline that
        is not open; `until` without `per`."""
        t = timeline(FineImposed(at="2021-01-01", id="f", amount="5", currency="RUB", by="c"))
        refusal(
            UnknownReference,
            t,
            FinePaid(at="2021-01-02", id="p", fine="g", amount="1", currency="RUB"),
        )
        message = refusal(
            InvalidTransition,
            t,
            FinePaid(at="2021-01-02", id="p", fine="f", amount="1", currency="EUR"),
        )
        assert "fine 'f' is in RUB" in message
        message = refusal(
            InvalidTransition,
            t,
            FinePaid(at="2021-01-02", id="p", fine="f", amount="6", currency="RUB"),
        )
        assert "5 RUB is owed" in message
        cancelled = t.append(FineCancelled(at="2021-01-03", id="x", fine="f", by="court"))
        refusal(
            InvalidTransition,
            cancelled,
            FineCancelled(at="2021-01-04", id="y", fine="f", by="court"),
        )
        refusal(
            UnknownReference,
            t,
            FineImposed(
                at="2021-01-02", id="g", amount="1", currency="RUB", by="c", per="P1D", deadline="z"
            ),
        )
        with pytest.raises(InvalidValue, match="give `per`"):
            FineImposed(at="2021-01-01", amount="1", currency="RUB", by="c", until="2021-02-01")

    def test_money_is_exact(self):
        """A 40-digit fine totals exactly; amounts outside the documented bounds are refused."""
        big = "1234567890123456789012345678901234567890"
        t = timeline(
            FineImposed(at="2021-01-01", id="a", amount=big, currency="RUB", by="c"),
            FineImposed(
                at="2021-01-01", id="b", amount="0.000000000000000001", currency="RUB", by="c"
            ),
        )
        assert t.status_at("2021-01-02").fines["RUB"] == Decimal(big + ".000000000000000001")
        with pytest.raises(InvalidValue, match="amounts are from 1e-18"):
            FineImposed(at="2021-01-01", amount="1e1000000", currency="RUB", by="c")
