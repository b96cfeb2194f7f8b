"""v2 deadlines: open demands, compliance after enforcement, escalation (DESIGN.md rows)."""

from __future__ import annotations

import pytest

from regtimeline import (
    BlockImposed,
    DeadlineExtended,
    DeadlineMet,
    DeadlineSet,
    DeadlineState,
    DeadlineWithdrawn,
    InvalidTransition,
    Phase,
    ThrottleImposed,
)
from regtimeline.examples import brazil_x, nigeria_twitter

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
