"""Every row of DESIGN.md's rules table: what each event does, and each refusal."""

from __future__ import annotations

from decimal import Decimal

import pytest

from regtimeline import (
    RULES,
    BlockImposed,
    BlockLifted,
    Consequence,
    ContentRemoved,
    DeadlineExtended,
    DeadlineMet,
    DeadlineSet,
    DeadlineState,
    DeadlineWithdrawn,
    FineImposed,
    InvalidTransition,
    Phase,
    Scope,
    Statement,
    TakedownRequested,
    ThrottleImposed,
    ThrottleLifted,
    UnknownReference,
    WarningIssued,
)
from regtimeline._events import EVENT_TYPES

from .helpers import refusal, timeline

DEADLINE = DeadlineSet(
    at="2021-03-16", id="d", due="2021-04-15", demand="remove", consequence="block"
)
THROTTLE = ThrottleImposed(at="2021-03-10", id="t", scope=Scope(services={"photos", "videos"}))
BLOCK = BlockImposed(at="2021-03-20", id="b")


class TestTable:
    def test_every_event_kind_has_a_rule(self):
        """The rules table covers exactly the event classes."""
        assert set(RULES) == set(EVENT_TYPES)

    def test_rules_name_what_refuses(self):
        """Every rule says in words when it refuses, for the docs."""
        assert all(rule.refused_when and rule.effect for rule in RULES.values())


class TestWarningIssued:
    def test_without_due_is_on_the_record_only(self):
        """A warning without a due date is counted and changes no phase."""
        s = timeline(WarningIssued(at="2021-03-16", id="w")).status_at("2021-03-17")
        assert (s.phase, s.warnings, len(s.deadlines)) == (Phase.CLEAR, 1, 0)

    def test_with_due_opens_a_deadline_of_the_same_id(self):
        """A warning with `due` opens a PENDING deadline whose id is the warning's."""
        w = WarningIssued(
            at="2021-03-16", id="w", due="2021-04-15", consequence="block", text="remove it"
        )
        s = timeline(w).status_at("2021-03-17")
        d = s.deadlines.get("w")
        assert (s.phase, d.state, d.consequence, d.demand) == (
            Phase.WARNED,
            DeadlineState.PENDING,
            Consequence.BLOCK,
            "remove it",
        )

    def test_due_not_after_at_is_refused(self):
        """`due` must be after `at`."""
        message = refusal(
            InvalidTransition,
            timeline(),
            WarningIssued(at="2021-03-16T12:00:00+03:00", id="w", due="2021-03-16T12:00:00+03:00"),
        )
        assert "due" in message
        assert "after" in message

    def test_due_on_the_same_day_is_after_a_day_start(self):
        """A bare-date due means the day's end, so it follows a bare-date `at` of that day."""
        s = timeline(WarningIssued(at="2021-03-16", id="w", due="2021-03-16")).status_at(
            "2021-03-16"
        )
        assert s.deadlines.get("w").state is DeadlineState.PENDING


class TestDeadlineSet:
    def test_opens_a_pending_deadline(self):
        """A deadline is PENDING up to its due date, inclusive."""
        d = timeline(DEADLINE).status_at("2021-04-15").deadlines.get("d")
        assert (d.state, d.original_due, d.due) == (DeadlineState.PENDING, d.due, d.due)

    def test_turns_overdue_after_due_without_an_event(self):
        """Strictly after the due instant an open deadline is OVERDUE."""
        assert (
            timeline(DEADLINE).status_at("2021-04-16").deadlines.get("d").state
            is DeadlineState.OVERDUE
        )

    def test_due_before_at_is_refused(self):
        """`due` not after `at` is refused."""
        message = refusal(
            InvalidTransition, timeline(), DeadlineSet(at="2021-03-16", id="x", due="2021-03-15")
        )
        assert "2021-03-15" in message


class TestDeadlineExtended:
    def test_by_a_month_is_calendar_aware(self):
        """16 April + one month is 16 May, in the dispute's zone."""
        t = timeline(
            DeadlineSet(at="2021-03-16", id="d", due="2021-04-16"),
            DeadlineExtended(at="2021-04-05", id="x", deadline="d", by="P1M"),
        )
        d = t.status_at("2021-04-06").deadlines.get("d")
        assert d.due.isoformat() == "2021-05-16T23:59:59.999999+03:00"
        assert d.original_due.isoformat() == "2021-04-16T23:59:59.999999+03:00"
        assert [(e.id, e.previous_due, e.due) for e in d.extensions] == [
            ("x", d.original_due, d.due)
        ]

    def test_to_a_new_date(self):
        """`due` moves the deadline to the end of the new day."""
        t = timeline(
            DEADLINE, DeadlineExtended(at="2021-04-05", id="x", deadline="d", due="2021-05-15")
        )
        assert t.status_at("2021-05-15").deadlines.get("d").state is DeadlineState.PENDING
        assert t.status_at("2021-05-16").deadlines.get("d").state is DeadlineState.OVERDUE

    def test_an_overdue_deadline_can_be_extended(self):
        """OVERDUE is still open: extending it makes it PENDING again."""
        t = timeline(
            DEADLINE, DeadlineExtended(at="2021-04-20", id="x", deadline="d", due="2021-05-15")
        )
        assert t.status_at("2021-04-19").deadlines.get("d").state is DeadlineState.OVERDUE
        assert t.status_at("2021-04-20").deadlines.get("d").state is DeadlineState.PENDING

    def test_unknown_deadline_is_refused(self):
        """Extending a deadline nobody set is an UnknownReference."""
        message = refusal(
            UnknownReference,
            timeline(DEADLINE),
            DeadlineExtended(at="2021-04-05", id="x", deadline="nope", by="P1M"),
        )
        assert "'nope'" in message

    def test_closed_deadline_is_refused(self):
        """A MET deadline cannot be extended."""
        t = timeline(DEADLINE, DeadlineMet(at="2021-04-01", id="m", deadline="d"))
        message = refusal(
            InvalidTransition, t, DeadlineExtended(at="2021-04-05", id="x", deadline="d", by="P1M")
        )
        assert "MET" in message

    def test_a_deadline_set_later_is_not_open_yet(self):
        """At the extension's time the deadline must already exist (validation in time order)."""
        message = refusal(
            UnknownReference,
            timeline(DEADLINE),
            DeadlineExtended(at="2021-03-15", id="x", deadline="d", by="P1M"),
        )
        assert "before it" in message

    def test_new_due_not_later_is_refused(self):
        """A new due that is not later than the current one is refused."""
        message = refusal(
            InvalidTransition,
            timeline(DEADLINE),
            DeadlineExtended(at="2021-04-05", id="x", deadline="d", due="2021-04-15"),
        )
        assert "not later" in message


@pytest.mark.parametrize(
    ("kind", "state"),
    [(DeadlineMet, DeadlineState.MET), (DeadlineWithdrawn, DeadlineState.WITHDRAWN)],
)
class TestDeadlineClosed:
    def test_closes_it(self, kind, state):
        """Met and withdrawn deadlines are closed; the phase falls back to CLEAR."""
        t = timeline(DEADLINE, kind(at="2021-04-01", id="c", deadline="d"))
        s = t.status_at("2021-05-01")
        d = s.deadlines.get("d")
        assert (d.state, d.closed_by, s.phase) == (state, "c", Phase.CLEAR)
        assert d.closed_at.isoformat() == "2021-04-01T00:00:00+03:00"

    def test_overdue_can_be_closed(self, kind, state):
        """An OVERDUE deadline is open and can still be closed."""
        t = timeline(DEADLINE, kind(at="2021-04-20", id="c", deadline="d"))
        assert t.status_at("2021-04-20").deadlines.get("d").state is state

    def test_unknown_is_refused(self, kind, state):
        """Closing an unknown deadline is an UnknownReference."""
        refusal(
            UnknownReference, timeline(DEADLINE), kind(at="2021-04-01", id="c", deadline="nope")
        )

    def test_closed_is_refused(self, kind, state):
        """Closing a deadline twice is an InvalidTransition."""
        t = timeline(DEADLINE, kind(at="2021-04-01", id="c", deadline="d"))
        message = refusal(InvalidTransition, t, kind(at="2021-04-02", id="c2", deadline="d"))
        assert state.name in message


class TestThrottleImposed:
    def test_throttles(self):
        """A throttle is active with its id, since and scope."""
        s = timeline(THROTTLE).status_at("2021-03-11")
        assert s.phase is Phase.THROTTLED
        assert [(t.id, t.since.isoformat(), t.scope) for t in s.throttles] == [
            ("t", "2021-03-10T00:00:00+03:00", Scope(services={"photos", "videos"}))
        ]

    def test_ends_is_inclusive_and_runs_out_without_an_event(self):
        """In force up to `ends` (the whole day for a date), over strictly after it."""
        t = timeline(ThrottleImposed(at="2021-03-10", id="t", ends="2021-03-12"))
        assert t.status_at("2021-03-12T23:59:59.999999+03:00").phase is Phase.THROTTLED
        assert t.status_at("2021-03-13T00:00:00+03:00").phase is Phase.CLEAR

    def test_enforces_marks_the_deadline_enforced(self):
        """`enforces` closes an open deadline as ENFORCED."""
        t = timeline(DEADLINE, ThrottleImposed(at="2021-04-16", id="t", enforces="d"))
        d = t.status_at("2021-04-17").deadlines.get("d")
        assert (d.state, d.closed_by) == (DeadlineState.ENFORCED, "t")

    def test_overlapping_an_active_block_is_refused(self):
        """No throttle where a block is active (v2: only where its scope overlaps the block)."""
        message = refusal(
            InvalidTransition, timeline(BLOCK), ThrottleImposed(at="2021-03-21", id="t2")
        )
        assert "block 'b' is active on all services on all networks" in message

    def test_ends_not_after_at_is_refused(self):
        """`ends` must be after `at`."""
        message = refusal(
            InvalidTransition,
            timeline(),
            ThrottleImposed(
                at="2021-03-10T10:00:00+03:00", id="t", ends="2021-03-10T09:00:00+03:00"
            ),
        )
        assert "ends" in message

    def test_enforcing_an_unknown_deadline_is_refused(self):
        """`enforces` must name a deadline: UnknownReference."""
        refusal(
            UnknownReference, timeline(), ThrottleImposed(at="2021-03-10", id="t", enforces="nope")
        )

    def test_enforcing_a_closed_deadline_is_refused(self):
        """`enforces` must name an open deadline: InvalidTransition."""
        t = timeline(DEADLINE, DeadlineWithdrawn(at="2021-04-01", id="w", deadline="d"))
        message = refusal(
            InvalidTransition, t, ThrottleImposed(at="2021-04-16", id="t", enforces="d")
        )
        assert "WITHDRAWN" in message


class TestThrottleLifted:
    def test_lifts_a_throttle(self):
        """Lifting by id ends it."""
        t = timeline(THROTTLE, ThrottleLifted(at="2021-03-12", id="l", throttle="t"))
        assert t.status_at("2021-03-12").phase is Phase.CLEAR

    def test_without_id_lifts_every_active_throttle(self):
        """Without `throttle`, all active ones end."""
        t = timeline(
            THROTTLE,
            ThrottleImposed(at="2021-03-11", id="t2"),
            ThrottleLifted(at="2021-03-12", id="l"),
        )
        assert t.status_at("2021-03-12").throttles == ()

    def test_partial_lift_by_network_keeps_the_rest(self):
        """Lifting fixed networks from a photos-and-videos throttle keeps it on mobile."""
        t = timeline(
            THROTTLE,
            ThrottleLifted(at="2021-05-17", id="l", throttle="t", scope=Scope(networks={"fixed"})),
        )
        (left,) = t.status_at("2021-05-18").throttles
        assert left.scope == Scope(networks={"mobile"}, services={"photos", "videos"})
        assert left.since.isoformat() == "2021-03-10T00:00:00+03:00"

    def test_partial_lift_by_service(self):
        """Lifting photos on every network leaves videos."""
        t = timeline(
            THROTTLE,
            ThrottleLifted(at="2021-05-17", id="l", throttle="t", scope=Scope(services={"photos"})),
        )
        (left,) = t.status_at("2021-05-18").throttles
        assert left.scope == Scope(services={"videos"})

    def test_nothing_active_is_refused(self):
        """Nothing to lift: refused."""
        message = refusal(InvalidTransition, timeline(), ThrottleLifted(at="2021-03-12", id="l"))
        assert "no active throttle overlaps" in message

    def test_unknown_throttle_is_refused(self):
        """Naming a throttle nobody imposed: UnknownReference."""
        refusal(
            UnknownReference,
            timeline(THROTTLE),
            ThrottleLifted(at="2021-03-12", id="l", throttle="nope"),
        )

    def test_a_throttle_no_longer_active_is_refused(self):
        """Naming a throttle that ran out: InvalidTransition."""
        t = timeline(
            ThrottleImposed(at="2021-03-10", id="t", ends="2021-03-11"),
            ThrottleImposed(at="2021-03-12", id="t2"),
        )
        message = refusal(
            InvalidTransition, t, ThrottleLifted(at="2021-03-13", id="l", throttle="t")
        )
        assert "no longer active" in message

    def test_a_service_it_does_not_have_is_refused(self):
        """The typo guard: a lift naming the throttle and a service no part of it has."""
        message = refusal(
            InvalidTransition,
            timeline(THROTTLE),
            ThrottleLifted(
                at="2021-03-12", id="l", throttle="t", scope=Scope(services={"messages"})
            ),
        )
        assert "photos+videos on all networks" in message
        assert "services messages that no part of it has" in message

    def test_an_l_shaped_remainder_is_kept(self):
        """v2: lifting photos on fixed leaves photos on mobile and videos everywhere."""
        t = timeline(
            THROTTLE,
            ThrottleLifted(
                at="2021-03-12",
                id="l",
                throttle="t",
                scope=Scope(networks={"fixed"}, services={"photos"}),
            ),
        )
        (left,) = t.status_at("2021-03-13").throttles
        assert left.scope == Scope(services={"videos"}) | Scope(
            networks={"mobile"}, services={"photos"}
        )
        assert len(left.scope.boxes) == 2

    def test_naming_a_network_not_covered_is_refused(self):
        """Lifting fixed from a mobile-only throttle, naming it, is refused (typo guard)."""
        t = timeline(ThrottleImposed(at="2021-03-10", id="t", scope=Scope(networks={"mobile"})))
        message = refusal(
            InvalidTransition,
            t,
            ThrottleLifted(at="2021-03-12", id="l", throttle="t", scope=Scope(networks={"fixed"})),
        )
        assert "networks fixed that no part of it has" in message

    def test_without_an_id_it_must_overlap_an_active_throttle(self):
        """Without an id, a lift on fixed networks does not touch a mobile-only throttle."""
        t = timeline(ThrottleImposed(at="2021-03-10", id="t", scope=Scope(networks={"mobile"})))
        message = refusal(
            InvalidTransition,
            t,
            ThrottleLifted(at="2021-03-12", id="l", scope=Scope(networks={"fixed"})),
        )
        assert "no active throttle overlaps all services on fixed" in message

    def test_lifting_named_services_from_all_services_leaves_all_but_these(self):
        """v2: 'all services but photos' is a scope."""
        t = timeline(ThrottleImposed(at="2021-03-10", id="t"))
        t = t.append(ThrottleLifted(at="2021-03-12", id="l", scope=Scope(services={"photos"})))
        (left,) = t.status_at("2021-03-13").throttles
        assert str(left.scope) == "all services except photos on all networks"
        assert left.scope.boxes[0].services_except == frozenset({"photos"})


class TestBlockImposed:
    def test_blocks_and_supersedes_throttles(self):
        """BLOCKED; active throttles end at that instant and do not come back."""
        t = timeline(THROTTLE, BLOCK, BlockLifted(at="2021-03-25", id="u"))
        s = t.status_at("2021-03-21")
        assert (s.phase, s.throttles, s.block.id) == (Phase.BLOCKED, (), "b")
        assert t.status_at("2021-03-26").phase is Phase.CLEAR

    def test_a_block_with_ends_runs_out(self):
        """A court's 48-hour block is over strictly after `ends`, with no event."""
        t = timeline(
            BlockImposed(at="2021-03-20T10:00:00+03:00", id="b", ends="2021-03-22T10:00:00+03:00")
        )
        assert t.status_at("2021-03-22T10:00:00+03:00").phase is Phase.BLOCKED
        assert t.status_at("2021-03-22T10:00:00.000001+03:00").phase is Phase.CLEAR

    def test_enforces(self):
        """A block can enforce a deadline."""
        t = timeline(DEADLINE, BlockImposed(at="2021-04-16", id="b", enforces="d"))
        assert t.status_at("2021-04-16").deadlines.get("d").state is DeadlineState.ENFORCED

    def test_an_overlapping_block_is_refused(self):
        """A second block on points an active block covers is refused, naming both."""
        message = refusal(
            InvalidTransition,
            timeline(BLOCK),
            BlockImposed(at="2021-03-21", id="b2", scope=Scope(networks={"mobile"})),
        )
        assert "block 'b' is active on all services on all networks" in message
        assert "overlaps it on all services on mobile" in message

    def test_ends_not_after_at_is_refused(self):
        """`ends` before `at` is refused."""
        refusal(
            InvalidTransition, timeline(), BlockImposed(at="2021-03-20", id="b", ends="2021-03-19")
        )

    def test_enforcing_unknown_or_closed_is_refused(self):
        """`enforces` follows the same rules as for throttles."""
        refusal(
            UnknownReference, timeline(), BlockImposed(at="2021-03-20", id="b", enforces="nope")
        )
        t = timeline(DEADLINE, DeadlineMet(at="2021-04-01", id="m", deadline="d"))
        refusal(InvalidTransition, t, BlockImposed(at="2021-04-16", id="b", enforces="d"))


class TestBlockLifted:
    def test_unblocks(self):
        """After BlockLifted the phase falls back to what deadlines say."""
        t = timeline(DEADLINE, BLOCK, BlockLifted(at="2021-03-25", id="u"))
        assert t.status_at("2021-03-25").phase is Phase.WARNED

    def test_not_blocked_is_refused(self):
        """Lifting a block that is not there is refused."""
        message = refusal(
            InvalidTransition, timeline(THROTTLE), BlockLifted(at="2021-03-25", id="u")
        )
        assert "no active block overlaps" in message
        assert "active blocks: none" in message

    def test_a_block_that_ran_out_cannot_be_lifted(self):
        """After `ends` the block is over: lifting it is refused."""
        t = timeline(BlockImposed(at="2021-03-20", id="b", ends="2021-03-21"))
        refusal(InvalidTransition, t, BlockLifted(at="2021-03-22", id="u"))


class TestCounts:
    def test_takedowns_and_removals_are_counted(self):
        """Requested and removed items add up; a removal may answer a request."""
        t = timeline(
            TakedownRequested(at="2021-03-10", id="r", items=3168, sla="PT24H"),
            ContentRemoved(at="2021-04-05", id="c", items=1900, request="r"),
            ContentRemoved(at="2021-04-06", id="c2", items=5),
        )
        s = t.status_at("2021-04-30")
        assert (s.items_requested, s.items_removed, s.phase) == (3168, 1905, Phase.CLEAR)

    def test_removal_naming_an_unknown_request_is_refused(self):
        """`request` must name an earlier TakedownRequested."""
        message = refusal(
            UnknownReference,
            timeline(),
            ContentRemoved(at="2021-04-05", id="c", items=1, request="r"),
        )
        assert "'r'" in message

    def test_removal_naming_another_kind_of_event_is_refused(self):
        """`request` naming a deadline is not a request."""
        refusal(
            UnknownReference,
            timeline(DEADLINE),
            ContentRemoved(at="2021-04-05", id="c", items=1, request="d"),
        )

    def test_fines_are_totalled_per_currency(self):
        """Fines add up exactly, per currency."""
        t = timeline(
            FineImposed(at="2021-04-02", id="f1", amount="3200000", currency="RUB", by="court"),
            FineImposed(
                at="2021-04-02", id="f2", amount=Decimal("3300000.10"), currency="RUB", by="court"
            ),
            FineImposed(at="2021-04-03", id="f3", amount=1, currency="EUR", by="court"),
        )
        assert dict(t.status_at("2021-04-30").fines) == {
            "RUB": Decimal("6500000.10"),
            "EUR": Decimal(1),
        }

    def test_statements_are_on_the_record(self):
        """A statement changes nothing but the last event."""
        s = timeline(Statement(at="2021-04-01", id="s", by="Twitter", text="talks")).status_at(
            "2021-04-02"
        )
        assert (s.phase, s.last_event.id) == (Phase.CLEAR, "s")
